"""Render the chief executive's report (the data of :func:`costmodel.report.data.report_data`) as one HTML page.

Self-contained: the stylesheet (``templates/report.css``) and the SVG charts are inlined, nothing is
fetched. Every piece of user text (option labels, lever labels, sources) is HTML-escaped. Figures in
tables carry ``data-option``, ``data-field`` and ``data-value`` (pounds, unrounded) so a reader's
tool, or a test, can check them against ``costmodel compare``.
"""
from __future__ import annotations

from html import escape
from importlib import resources

from .. import __version__
from ..assumptions import COMPARATOR, SECOND_COMPARATOR
from ..comparison import figure, label as row_label
from ..render.text import money_m
from ..finite import check_finite
from . import svg as charts
from .backtest import backtest_section
from .benchmark import benchmark_section
from .decision_value import decision_value_section

ROWS = (  # (field of the compare object, kind, row class); labels from costmodel.comparison.METRICS
    ("totals.set_up", "money", ""),
    ("totals.transitional", "money", ""),
    ("totals.improvement", "money", ""),
    ("totals.one_off", "money", "sum"),
    ("totals.recurring", "money", ""),
    ("totals.legacy", "money", ""),
    ("totals.saving", "money", ""),
    ("totals.total", "money", "sum"),
    ("present_value", "money", "key"),
    ("present_value_by_payer.central_government", "money", ""),
    ("npc_vs_do_minimum", "npc", "key"),
    ("npc_vs_in_house", "npc", ""),
    ("payback_financial_year_vs_do_minimum", "payback", ""),
    ("safe_service_month", "safe", ""),
    ("verdict", "text", ""),
)
FIT_WORDS = {"fits": "fits the council's answers", "possible": "possible", "not indicated": "not indicated",
             "counterfactual": "the comparator", "needs a willing partner": "needs a willing partner"}


def plain(text: str) -> str:
    """The engine's short references to the seed reports in words a reader knows."""
    return (text.replace("(003)", "(Isos for the LGA, 2017)").replace("003 does", "the Isos report (2017) does")
            .replace("003 is silent", "the Isos report is silent"))


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]


def _cell(key: str, o: dict, field: str, kind: str, data: dict) -> str:
    v = figure(o, field)
    attrs = f" data-option='{escape(key)}' data-field='{field}'"
    if kind in ("money", "npc"):
        attrs += f" data-value='{v!r}'" if v is not None else ""
        comparator = (field == "npc_vs_do_minimum" and key == COMPARATOR) or (field == "npc_vs_in_house" and key == SECOND_COMPARATOR)
        if v is None:
            text = "—"
        elif comparator:
            text = "comparator"
        elif kind == "npc":
            text = money_m(abs(v), report=True) + (" cheaper" if v < 0 else " dearer" if v > 0 else " (same)")
        else:
            text = "–" if v == 0 else money_m(v, report=True)
        return f"<td class='num'{attrs}>{escape(text)}</td>"
    if kind == "payback":
        text = "comparator" if key == COMPARATOR else (v or "not within the horizon")
        return f"<td class='num'{attrs}>{escape(text)}</td>"
    if kind == "safe":
        if v is None:
            return f"<td class='num'{attrs} data-value=''>never reached</td>"
        name = data["safe_month_names"][key]
        return (f"<td class='num'{attrs} data-value='{v!r}'>{escape(name)}<br><span class='note'>month {v:g}, "
                f"{escape(o['safe_service_financial_year'])}</span></td>")
    return f"<td class='num'{attrs}>{escape(FIT_WORDS.get(str(v), str(v)))}</td>"


def _range_row(data: dict) -> str:
    """Where 90% of the simulated futures put each option's difference from business as usual."""
    mc, cells = data["montecarlo"], []
    for k in data["result"]["options"]:
        best = " best" if k == data["cheapest"] else ""
        if k == COMPARATOR:
            cells.append(f"<td class='num{best}'>comparator</td>")
            continue
        lo, hi = mc["npc_p5"][k], mc["npc_p95"][k]
        cells.append(f"<td class='num{best}' data-option='{escape(k)}' data-p5='{lo!r}' data-p95='{hi!r}'>"
                     f"{escape(money_m(lo, signed=True, report=True))} to {escape(money_m(hi, signed=True, report=True))}</td>")
    return ("<tr class='range'><th scope='row'>Likely range of that difference<br><span class='note'>90% of simulated "
            "futures</span></th>" + "".join(cells) + "</tr>")


def options_table(data: dict) -> str:
    r = data["result"]
    head = "".join(
        f"<th scope='col' class='{'best' if k == data['cheapest'] else ''}'>{escape(o['label'])}"
        + ("<br><span class='badge'>Lowest cost</span>" if k == data["cheapest"] else "") + "</th>"
        for k, o in r["options"].items())
    rows = []
    for field, kind, cls in ROWS:
        cells = "".join(_cell(k, o, field, kind, data).replace("<td class='num'", f"<td class='num{' best' if k == data['cheapest'] else ''}'", 1)
                        for k, o in r["options"].items())
        rows.append(f"<tr class='{cls}'><th scope='row'>{row_label(field, report=True)}</th>{cells}</tr>")
        if field == "npc_vs_do_minimum" and data.get("montecarlo"):
            rows.append(_range_row(data))
    years = r["financial_years"]
    return (f"<table class='options'><caption>£m, real terms at {r['price_base_year']}-{(r['price_base_year'] + 1) % 100:02d} "
            f"prices, totals over {years[0]} to {years[-1]}; present values discounted at "
            f"{r['discounting']['rate']:.1%} a year. A negative difference means cheaper. "
            f"“Pays back” is the first year from which the option's cumulative discounted cost stays at or below business "
            f"as usual's.</caption><thead><tr><th scope='col'>{len(years)} years, £m</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def cards(data: dict) -> str:
    r, best = data["result"], data["cheapest"]
    o = r["options"][best]
    items = [("Lowest net present cost", money_m(o["present_value"], report=True), o["label"])]
    if best != COMPARATOR:
        items.append(("Less than business as usual", money_m(-o["npc_vs_do_minimum"], report=True), f"over {len(r['financial_years'])} years, discounted"))
    else:
        runner = r["options"][data["runner_up"]]
        items.append(("Cheaper than the runner-up", money_m(runner["present_value"] - o["present_value"], report=True), runner["label"]))
    safe = data["safe_month_names"][best]
    items.append(("Safe core service", safe or "not reached", f"month {o['safe_service_month']:g}, {o['safe_service_financial_year']}"
                  if safe else "business as usual has no improvement journey"))
    if data["shares"] is None:
        items.append(("Chance it is cheapest", "not estimated", "run with --draws to estimate it"))
    else:
        items.append(("Chance it is cheapest", f"{data['shares'][best]:.0%}", f"of {data['draws']:,} simulated futures"))
    return "<ul class='cards'>" + "".join(
        f"<li><span class='label'>{escape(a)}</span><span class='value'>{escape(b)}</span><span class='note'>{escape(c)}</span></li>"
        for a, b, c in items) + "</ul>"


def decision_section(data: dict) -> str:
    d, r = data["result"]["decision"], data["result"]
    best = data["cheapest"]
    fit = r["options"][best]["verdict"]
    reasons = "".join(f"<li>{escape(plain(x))}</li>" for x in d["reasons"])
    fits = "".join(f"<li><strong>{escape(o['label'])}</strong>: {escape(FIT_WORDS.get(o['verdict'], o['verdict']))}</li>"
                   for o in r["options"].values())
    if best == COMPARATOR:
        link = "The lowest-cost route is to change nothing; the framework asks whether that is safe."
    elif fit == "fits":
        link = f"The lowest-cost option, {r['options'][best]['label']}, is also the one the framework points to."
    else:
        link = (f"The lowest-cost option, {r['options'][best]['label']}, is rated “{FIT_WORDS.get(fit, fit)}” by the framework: "
                "weigh the cost difference against the fit.")
    return (f"<div class='verdict'><p><strong>{escape(d['summary'])}.</strong> {escape(link)}</p>"
            f"<h3>Why: the council's answers to the framework's questions</h3><ul>{reasons}</ul>"
            f"<h3>How each option fits</h3><ul class='fit'>{fits}</ul></div>")


def assumptions_table(data: dict) -> str:
    rows = []
    for k in data["key_assumptions"]:
        flag = "<br><span class='flag'>can change the answer</span>" if k["changes_answer"] else ""
        src = escape(k["source"])
        if k["url"].startswith(("https://", "http://")):
            src = f"<a href='{escape(k['url'])}'>{src}</a>"
        rows.append(f"<tr><th scope='row'>{escape(k['label'])}<br><code>{escape(k['key'])}</code></th>"
                    f"<td class='range'>{escape(k['low'])} / <strong>{escape(k['central'])}</strong> / {escape(k['high'])}"
                    + (f"<br><span class='note'>{escape(k['prices'])}</span>" if k.get("prices") else "") + "</td>"
                    f"<td class='num' data-key='{escape(k['key'])}' data-value='{k['swing']!r}'>{escape(money_m(k['swing'], report=True))}{flag}</td>"
                    f"<td class='source'>{src}</td></tr>")
    return ("<table class='assumptions'><colgroup><col style='width:33%'><col style='width:17%'><col style='width:13%'>"
            "<col style='width:37%'></colgroup><thead><tr><th scope='col'>Assumption</th><th scope='col'>Low / central / high</th>"
            "<th scope='col'>Moves the gap to the runner-up by</th><th scope='col'>Source</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def prices_note(data: dict) -> str:
    """One paragraph: the headline money figures as published and in base-year prices, and the index used."""
    p = data.get("prices") or {}
    items = "; ".join(f"{escape(c['label'])}: {escape(c['text'])}" for c in p.get("conversions", []))
    if not items:
        return ""
    return (f"<p class='note'><strong>Prices.</strong> {escape(p['index'])} Each figure keeps the year it was published "
            f"in and is costed in {p['base_year']}-{(p['base_year'] + 1) % 100:02d} prices: {items}.</p>")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def _section(sid: str, title: str, body: str, cls: str = "") -> str:
    return f"<section id='{sid}' aria-labelledby='{sid}-h' class='{cls}'><h2 id='{sid}-h'>{escape(title)}</h2>{body}</section>"


def render_html(data: dict) -> str:
    """The whole page as a string (every figure checked finite first)."""
    check_finite(data, "the report")
    r = data["result"]
    years = r["financial_years"]
    css = resources.files("costmodel.report").joinpath("templates/report.css").read_text(encoding="utf-8")
    pb = f"{r['price_base_year']}-{(r['price_base_year'] + 1) % 100:02d}"
    t = data["tornado"]
    mc = (f"Monte Carlo: {data['draws']:,} draws, seed {data['seed']}; {data['montecarlo']['method']}." if data["shares"] is not None
          else "No Monte Carlo draws were run, so the chance that each option is cheapest was not estimated.")
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(r['options'][data['cheapest']]['label'])} has the lowest cost: delivery options for children's social care</title>
<style>{css}</style></head>
<body><a class="skip" href="#main">Skip to the report</a><div class="page">
<header class="masthead" role="banner"><p class="kicker">Children's social care · delivery options appraisal</p>
<h1>How should we deliver children's social care while it improves?</h1>
<p class="meta">Scenario: {escape(data['scenario'][0])}{(' (' + escape(data['scenario'][1]) + ')') if data['scenario'][1] else ''} · £m in real terms at {pb} prices · {len(years)} years, {years[0]} to {years[-1]} ·
present values discounted at {r['discounting']['rate']:.1%} a year (HM Treasury Green Book)</p>{council_masthead(data)}{run_notes(data)}</header>
<main id="main">{''.join(body_sections(data))}</main>
<footer class="runinfo" role="contentinfo"><p>Produced by costmodel {escape(__version__)} from assumptions with fingerprint
<code>{escape(r['fingerprint'])}</code>. The figures are those of <code>costmodel compare</code> for the same assumptions. {mc}
Tornado: {escape(t['method'])}.</p></footer>
</div></body></html>
"""


def council_masthead(data: dict) -> str:
    """For a named council: who, and the published figures its baseline was set from, each with its date."""
    c = data.get("council")
    if not c:
        return ""
    figures = "; ".join(escape(f) for f in c["figures"])
    fallbacks = (f" {c['fallbacks']} figure(s) are fallbacks (an earlier year, a joint return or a national default), "
                 "listed by costmodel init --council." if c.get("fallbacks") else "")
    return (f"<p class='meta council' data-council='{escape(c['code'])}'><strong>{escape(c['name'])}</strong> "
            f"(ONS {escape(c['code'])}, DfE {escape(c['dfe_code'])}), {escape(c['region'])}. Baseline from its published "
            f"statistics: {figures}.{fallbacks} Figures the statistics do not give are national defaults to replace with "
            "the council's own.</p>")


def run_notes(data: dict) -> str:
    """The masthead's notes: the overrides this run applies and the costs it leaves out."""
    r = data["result"]
    out = ""
    if data["overrides"]:
        out = ("<p class='overrides'><strong>This run changes the assumptions:</strong> "
               + "; ".join(f"{escape(label)} = <strong>{escape(value)}</strong> (<code>{escape(k)}</code>)"
                           for k, label, value in data["overrides"]) + "</p>")
    if r.get("warnings"):
        out += ("<p class='overrides'><strong>Not counted:</strong> "
                + "; ".join(escape(w) for w in r["warnings"]) + ".</p>")
    return out


def _precision(data: dict) -> str:
    """How precise the shares are: the largest Monte Carlo standard error, and whether it is under half a point."""
    worst = max((data.get("montecarlo") or {}).get("share_se", {}).values(), default=None)
    if worst is None:
        return ""
    verdict = "under half a percentage point" if worst < 0.005 else "more than half a percentage point: run with more --draws"
    return (f" With {data['draws']:,} draws each share's Monte Carlo standard error is at most {worst * 100:.2f} percentage "
            f"points ({verdict}).")


def body_sections(data: dict) -> list[str]:
    """The report's sections, in reading order."""
    r = data["result"]
    years = r["financial_years"]
    opts = [{"key": k, **o} for k, o in r["options"].items()]
    leader, rival = r["options"][data["cheapest"]]["label"], r["options"][data["runner_up"]]["label"]
    shares = ""
    if data["shares"] is not None:
        shares = ("Each simulated future draws every uncertain assumption from its low–high range at once. "
                  "Share of futures in which each option was cheapest: " + "; ".join(
            f"{escape(r['options'][k]['label'])} {p:.0%}" for k, p in sorted(data["shares"].items(), key=lambda x: -x[1])) + "."
                  + _precision(data))
    t = data["tornado"]
    return [
        _section("answer", "The answer", f"<p class='headline' id='headline' data-cheapest='{escape(data['cheapest'])}' "
                 f"data-runner-up='{escape(data['runner_up'])}' data-probability='{'' if data['shares'] is None else data['shares'][data['cheapest']]!r}'>"
                 f"{escape(data['headline'])}</p>{cards(data)}<p class='meta'>{shares}</p>"),
        _section("options", "The options side by side", options_table(data)),
        _section("annual", "Annual cost by option", _figure(charts.annual_stacked(opts, years),
                 "Each panel is one option; bars are the cost of each financial year in real terms, stacked by kind of cost. "
                 "Savings appear below zero."), "newpage"),
        _section("cumulative", "Cumulative cost and payback", _figure(charts.cumulative_difference(opts, years, COMPARATOR),
                 "Running total of discounted cost, less business as usual's. A line that ends below zero is cheaper over the "
                 "period; circles mark the year from which it stays cheaper (payback).")),
        _section("timeline", "The journey to a safe core service", _figure(
            charts.journey_timeline(data["journeys"], data["months"], r["start_year"], years),
            "Phases follow the Isos (2016) improvement journey: about 6 months diagnosis, 6 stabilising, 12 implementing, "
            "then sustaining. Mobilisation is the wait before the journey starts (a trust's go-live). Diamonds mark the "
            "month a safe core service is reached.")),
        _section("tornado", "What moves the answer most", _figure(
            charts.tornado(t["bars"], t["central"], f"how much cheaper {leader} is than {rival}", (leader, rival)),
            f"Each bar shows how much cheaper {leader} is than {rival} (present value) when one assumption is set to its low "
            "or high value and the others stay central. A bar crossing zero marks an assumption that on its own changes "
            "the answer.")),
        _section("decision", "Which form of support fits", decision_section(data)),
        _section("change", "What would change the decision", decision_value_section(data.get("decision_value"))),
        _section("assumptions", "The assumptions that matter most", assumptions_table(data) + prices_note(data)),
        *([benchmark_section(data["benchmark"])] if data.get("benchmark") else []),
        *([backtest_section(data["backtest"])] if data.get("backtest") else []),
        _section("caveats", "What the figures leave out", "<ul class='caveats'>" + "".join(
            f"<li><strong>{escape(a)}</strong> {escape(b)}</li>" for a, b in data["caveats"]) + "</ul>"),
    ]
