"""The report's "What would change the decision" section: value of information, scenario discovery, Sobol beside the tornado.

Computed on the report's own Monte Carlo draws (the same draws as the headline's certainty): the
EVPI and each group's EVPPI (:mod:`costmodel.voi`), the region in which each option that wins in at
least :data:`MIN_SHARE` of the draws is cheapest (PRIM, :mod:`costmodel.analysis.discovery`), and the
Sobol total indices of the gap between the recommended option and the runner-up from
:data:`SOBOL_BASE` base samples (:mod:`costmodel.analysis.sobol`), set beside the one-at-a-time tornado.
Skipped below :data:`MIN_DRAWS` draws, and the page says so.
"""
from __future__ import annotations

from html import escape

from ..analysis.blas import one_blas_thread
from ..analysis.discovery import discover_in
from ..analysis.sobol import sobol_indices
from ..analysis.words import discovery_sentences, money, negligible, voi_sentences, with_error
from ..groups import lever_groups
from ..voi import ValueOfInformation, evpi, expected_loss, partial_values

MIN_DRAWS = 500     #: fewer draws than this: the section is not estimated
MIN_SHARE = 0.05    #: options cheapest in at least this share of draws get a scenario-discovery box
SOBOL_BASE = 1024   #: Sobol base samples (about 50,000 model runs for the bundled levers)
TOP = 8             #: rows in the Sobol-beside-tornado table and levers listed


def decision_value_data(a, mc, leader: str, rival: str, seed: int, label, tornado_bars: list[dict]) -> dict | None:
    """Plain data for the section from the report's Monte Carlo result ``mc`` (draws with their inputs kept)."""
    if mc is None or mc.inputs is None or mc.present_value.shape[0] < MIN_DRAWS:
        return None
    pv, x = mc.present_value, mc.inputs
    keys = [d.key for d in mc.plan.drawn]
    groups = lever_groups(a)
    sets = [(g.key, g.label, g.levers) for g in groups] + [(k, label(k), (k,)) for k in keys]
    with one_blas_thread():
        partial = partial_values(pv, x, keys, sets)
    reasons = {g.key: g.reason for g in groups}
    group_rows = sorted(partial[:len(groups)], key=lambda p: -p.evppi.value)
    lever_rows = sorted(partial[len(groups):], key=lambda p: -p.evppi.value)[:TOP]
    options = a.option_keys
    chosen = options[int(pv.mean(axis=0).argmin())]
    loss = dict(zip(options, expected_loss(pv)))
    v = ValueOfInformation(options, chosen, int(pv.shape[0]), seed, evpi(pv), loss, lever_rows, group_rows,
                           {o: float(m) for o, m in zip(options, pv.mean(axis=0))})
    labels = {o.key: o.label for o in a.options}
    wins = (pv.argmin(axis=1)[:, None] == range(len(options))).mean(axis=0)
    discoveries = [discover_in(a, o, pv, x, keys, seed, label) for i, o in enumerate(options)
                   if o != chosen and wins[i] >= MIN_SHARE]
    sobol = sobol_indices(a, SOBOL_BASE, seed, label=label, pair=(leader, rival))
    return {"voi": v, "labels": labels, "reasons": reasons, "sentences": voi_sentences(v, labels),
            "discoveries": [(d, discovery_sentences(d)) for d in discoveries], "sobol": sobol,
            "beside": beside(sobol, tornado_bars), "draws": int(pv.shape[0])}


def beside(sobol, tornado_bars: list[dict]) -> list[dict]:
    """The tornado's ranking (one lever at a time) and the Sobol ranking (all at once), row by row."""
    out = sobol.outputs.get(sobol.headline)
    ranked = [] if out is None else sorted(range(len(sobol.factors)), key=lambda i: -out["total"][i])[:TOP]
    rows = []
    for n in range(max(len(ranked), min(len(tornado_bars), TOP))):
        t = tornado_bars[n] if n < len(tornado_bars) else None
        i = ranked[n] if n < len(ranked) else None
        rows.append({"rank": n + 1, "tornado": t["label"] if t else "", "swing": t["swing"] if t else None,
                     "sobol": sobol.labels[i] if i is not None else "",
                     "total": float(out["total"][i]) if i is not None else None,
                     "first": float(out["first"][i]) if i is not None else None})
    return rows


def _value_row(p, reason: str = "") -> str:
    e = p.evppi
    text = "nothing: fixed" if not p.levers else "next to nothing" if negligible(e) else money(e.value)
    note = f"<br><span class='note'>{escape(reason)}</span>" if reason else ""
    return (f"<tr><th scope='row'>{escape(p.label)}{note}</th><td class='num' data-key='{escape(p.key)}' data-value='{e.value!r}' "
            f"data-se='{e.standard_error!r}'>{escape(text)}</td><td class='num'>± {escape(money(e.standard_error or 0.0))}</td></tr>")


def decision_value_section(data: dict | None) -> str:
    """The section's HTML (inside the report's own ``<section>``)."""
    if data is None:
        return (f"<p>Not estimated: the value of information, the regions where each option wins and the Sobol indices "
                f"need at least {MIN_DRAWS:,} Monte Carlo draws (run the report with more --draws).</p>")
    v = data["voi"]
    out = [f"<p class='lead' id='evpi' data-value='{v.evpi.value!r}' data-se='{v.evpi.standard_error!r}'>{escape(data['sentences'][0])}</p>"]
    if v.evpi.value > 0:
        head = ("<thead><tr><th scope='col'>Resolve before deciding</th><th scope='col'>Worth up to</th>"
                "<th scope='col'>Standard error</th></tr></thead>")
        out.append("<h3>What resolving each uncertainty is worth</h3><table class='value'>" + head + "<tbody>"
                   + "".join(_value_row(g, data["reasons"].get(g.key, "")) for g in v.groups) + "</tbody></table>")
        out.append("<p class='note'>Groups of assumptions one piece of work would settle (declared in scenarios.yaml); the "
                   "expected value of partial perfect information, by regression on the Monte Carlo draws (Strong, Oakley &amp; "
                   "Brennan 2014). No group can be worth more than the EVPI: "
                   f"{escape(with_error(v.evpi))}.</p>")
        out.append("<h3>Single assumptions worth most</h3><table class='value'>" + head.replace("Resolve before deciding", "Know exactly")
                   + "<tbody>" + "".join(_value_row(p) for p in v.levers) + "</tbody></table>")
    out.append("<h3>When another option would win</h3>")
    if not data["discoveries"]:
        out.append(f"<p>No other option is cheapest in as many as {MIN_SHARE:.0%} of the simulated futures.</p>")
    for d, sentences in data["discoveries"]:
        out.append(f"<p class='discovery' data-option='{escape(d.option)}' data-coverage='{d.coverage!r}' "
                   f"data-density='{d.density!r}'>" + " ".join(escape(s) for s in sentences) + "</p>")
    out.append("<p class='note'>Scenario discovery by PRIM (EMA workbench): coverage is the share of the option's wins inside "
               "the region, density the share of futures inside it in which the option wins.</p>")
    out.append(_beside_table(data))
    return "".join(out)


def _beside_table(data: dict) -> str:
    s = data["sobol"]
    rows = "".join(
        f"<tr><td class='num'>{r['rank']}</td><td>{escape(r['tornado'])}</td><td>{escape(r['sobol'])}</td>"
        f"<td class='num'>{'' if r['total'] is None else format(r['total'], '.0%')}</td></tr>" for r in data["beside"])
    return (f"<h3>What moves the gap most: one at a time, and all at once</h3><table class='value beside'><thead><tr>"
            "<th scope='col'>Rank</th><th scope='col'>Tornado (one assumption at a time)</th>"
            "<th scope='col'>Sobol (all assumptions at once)</th><th scope='col'>Share of variance</th></tr></thead>"
            f"<tbody>{rows}</tbody></table><p class='note'>Sobol total indices of {escape(s.output_labels[s.headline])}, "
            f"from {s.runs:,} model runs (SALib; {s.base_samples:,} base samples): the share of the gap's variance each "
            "assumption accounts for with all its interactions, while every other assumption varies too. Correlated "
            "assumptions count as one.</p>")
