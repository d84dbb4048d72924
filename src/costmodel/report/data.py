"""The chief executive's report: the choice, the cost, the time and the certainty, from one run.

:func:`report_data` assembles plain data from :func:`costmodel.comparison.compare` (the same
numbers as ``costmodel compare``), a one-at-a-time tornado and a Monte Carlo estimate of how often
each option is cheapest; :func:`costmodel.report.html.render_html` turns it into one self-contained
HTML page (inline CSS and SVG, no network), and :func:`print_pdf` prints that page to A4 PDF with
headless Chromium. Money is GBP, real terms at the price base; present values are Green Book discounted.
"""
from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import numpy as np

from ..assumptions import COMPARATOR, Assumptions
from ..errors import ToolError
from ..files.atomic import temp_folder
from ..files.children import run_child
from ..comparison import compare, council_of
from ..levers import MONEY_UNITS, PHASES
from ..sources import conversion_text
from ..montecarlo import montecarlo as run_mc, plan
from ..sensitivity import tornado
from .decision_value import decision_value_data
from ..render.text import money_m
from .svg import month_name

DEFAULT_DRAWS = 20_000   # Monte Carlo draws when --draws is not given: the headline probability's standard error,
                         # √(p(1 − p)/N), is then at most 0.35 percentage points (below half a point) for any p
DEFAULT_SEED = 20250401  # fixed, so the same assumptions give the same report
TOP_LEVERS = 10          # bars in the tornado; the first eight are listed with their sources
#: Money levers whose conversion to base-year prices the report always shows (when the set has them).
KEY_MONEY = ("options.in_house.improvement.total", "options.trust.set_up.amount", "options.trust.set_up.dfe_contribution",
             "options.trust.transitional.amount")

#: What the model leaves out, from the seed reports (Isos for the LGA, 2017, "The question of comparable costs").
CAVEATS = (
    ("Improvement costs are leaders' estimates, not audited outturn.",
     "The £3m–£15m range (average £10m) is what local leaders estimated it cost to reach a safe core service "
     "(Isos for the LGA, 2017). It varies with the scale of the issues and past under-investment."),
    ("The cost of earlier interventions is hard to quantify.",
     "Interim leaders and agency staff from previous, unsuccessful interventions are costed from the council's "
     "own figures; leaders said these were hard to pin down (Isos, 2017)."),
    ("The baseline may not be the true cost of a safe service.",
     "Whether the outset spend is enough for a safe core service, or extra recurring money is needed for "
     "manageable caseloads, is itself an assumption (the safe-core uplift)."),
    ("Running costs are assumed the same once safe, whoever runs the service.",
     "Leaders of trusts said their running costs were no different from in-council services once safe (Isos, "
     "2017); the model adds only the trust's own governance and back office, the council's client-side team and the "
     "council overheads left stranded when the trust runs its own back office."),
    ("Older figures are restated in today's prices, not re-estimated.",
     "A figure published in an earlier year (the £3m–£15m improvement cost was estimated in 2016-17) is converted to "
     "the base year with HM Treasury's GDP deflator; that keeps its real value, but whether the same work would cost "
     "the same today is a judgement the conversion cannot make."),
    ("The counterfactual cannot be answered conclusively.",
     "Whether another route would have improved the service faster is, as the report says, a question there is "
     "no way to answer conclusively; the journey times here are the Isos (2016) typical phases, not a forecast."),
    ("Costs only: outcomes for children are not valued.",
     "The comparison is of net present cost; the benefits of a safer service, and its risks, are for judgement "
     "beside these figures, as the decision framework above suggests."),
)


def chromium_path() -> str | None:
    """``$COSTMODEL_CHROMIUM``, else ``chromium`` on the PATH, else ``/usr/bin/chromium``; None if absent."""
    env = os.environ.get("COSTMODEL_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def chromium_command(binary: str, profile: str) -> list[str]:
    """Headless Chromium that fetches nothing of its own, with a fresh throw-away profile."""
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}"]


def print_pdf(html: str, binary: str, timeout: float = 120) -> bytes:
    """Print the page to PDF (A4, from the page's own @page rule) with headless Chromium; the PDF bytes."""
    with temp_folder("report") as tmp:
        page, pdf = Path(tmp, "report.html"), Path(tmp, "report.pdf")
        page.write_text(html, encoding="utf-8")
        cmd = chromium_command(binary, str(Path(tmp, "profile"))) + [
            "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()]
        done = run_child(cmd, timeout, "Chromium")
        if not pdf.exists() or pdf.stat().st_size == 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
            raise ToolError(f"Chromium did not print the PDF (exit {done.returncode}): {tail[0]}")
        return pdf.read_bytes()


# --------------------------------------------------------------------------------------------- data


def tornado_data(a: Assumptions, leader: str, rival: str, top: int = TOP_LEVERS) -> dict:
    """One lever at a time at its low and its high value, the others central: the lead of ``leader``.

    The metric is ``PV(rival) − PV(leader)`` in GBP: how much cheaper the recommended option is than
    the runner-up; a bar that crosses zero means that lever alone can change the answer.
    Uses :func:`costmodel.sensitivity.tornado`.
    """
    t = tornado(a, leader, rival)  # NPC of leader against rival = −lead
    base = -t.central_npc
    raw = [(b.key, -b.npc_at_low, -b.npc_at_high) for b in t.bars]
    method = "one at a time, costmodel.sensitivity.tornado"
    bars = [{"key": k, "label": lever_label(a, k), "low_result": lo, "high_result": hi, "swing": abs(hi - lo)} for k, lo, hi in raw]
    bars = sorted((b for b in bars if b["swing"] > 1.0), key=lambda b: (-b["swing"], b["key"]))[:top]
    for b in bars:
        ends = (b["low_result"], b["high_result"])
        b["changes_answer"] = bool(min(ends) < 0 <= base or max(ends) > 0 > base)
    return {"central": float(base), "bars": bars, "leader": leader, "rival": rival, "method": method}


def fixed_correlations(a: Assumptions) -> int:
    """How many declared correlations name a lever that a scenario or ``--set`` has fixed (low = high).

    The sampler leaves those out (a fixed value cannot co-vary); the report says how many.
    """
    declared = (a.extra or {}).get("correlations")
    if not isinstance(declared, list):
        return 0

    def fixed(key) -> bool:
        lever = a.levers.get(key)
        return lever is not None and lever.low is not None and lever.low == lever.high

    return sum(1 for c in declared if isinstance(c, dict) and any(fixed(k) for k in c.get("levers") or ()))


def monte_carlo(a: Assumptions, draws: int, seed: int) -> dict | None:
    """How often each option is cheapest across Monte Carlo draws, with 5th and 95th percentiles; None if not run.

    Uses :mod:`costmodel.montecarlo`: PERT on each ranged lever, declared rank correlations,
    reproducible blocks.
    """
    if not draws:
        return None
    result = run_mc(plan(a, draws, seed), keep_inputs=True)
    pv = result.present_value
    method = ("each ranged assumption drawn from a PERT distribution over its low, central and high values, with "
              "the rank correlations declared in scenarios.yaml (costmodel.montecarlo)")
    dropped = fixed_correlations(a)
    if dropped:
        method += f"; {dropped} correlation(s) left out because --set or the scenario fixes one of their levers"
    keys = a.option_keys
    npc = pv - pv[:, [keys.index(COMPARATOR)]]
    wins = np.bincount(np.argmin(pv, axis=1), minlength=len(keys)) / pv.shape[0]
    return {"draws": int(pv.shape[0]), "seed": seed, "method": method, "result": result,
            "shares": {k: float(wins[i]) for i, k in enumerate(keys)},
            "share_se": {k: float(np.sqrt(wins[i] * (1.0 - wins[i]) / pv.shape[0])) for i, k in enumerate(keys)},
            "npc_p5": {k: float(np.percentile(npc[:, i], 5)) for i, k in enumerate(keys)},
            "npc_p95": {k: float(np.percentile(npc[:, i], 95)) for i, k in enumerate(keys)}}


def journeys(a: Assumptions, result: dict) -> list[dict]:
    """Each option's phases as (phase, start month, end month) and its safe-core-service month."""
    c = a.central
    rows = []
    for o in a.options:
        if not o.improves:
            rows.append({"key": o.key, "label": o.label, "phases": [], "safe_month": None})
            continue
        j = c(f"options.{o.key}.mobilisation_months") or 0.0
        phases, t = [("mobilisation", 0.0, j)], j
        for p in PHASES:
            n = c(f"journey.{p}_months") or 0.0
            phases.append((p, t, t + n))
            t += n
        rows.append({"key": o.key, "label": o.label, "phases": phases, "safe_month": result["options"][o.key]["safe_service_month"]})
    return rows


def format_value(value: float | None, unit: str) -> str:
    """A lever value in words a finance officer reads: ``0.15, fraction`` → ``15%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"
    if unit in ("GBP", "GBP/yr", "GBP/week", "GBP/day"):
        text = money_m(value, report=True) if abs(value) >= 1e6 else f"£{value:,.0f}"
        return text + {"GBP": "", "GBP/yr": " a year", "GBP/week": " a week", "GBP/day": " a day"}[unit]
    if unit.startswith("fraction"):
        pct = f"{value * 100:.1f}".rstrip("0").rstrip(".")
        return f"{pct}%" + (" a year" if unit.endswith("/yr") else "")
    if unit == "flag":
        return "yes" if value else "no"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return {"month": f"month {number}", "year": f"{int(value)}-{(int(value) + 1) % 100:02d}"}.get(unit, f"{number} {unit}")


def source_text(a: Assumptions, key: str) -> str:
    """Where a lever's value comes from: the source's title, publisher and year, or the judgement's reasoning."""
    lever = a.levers[key]
    parts = []
    if lever.source and lever.source in a.sources:
        s = a.sources[lever.source]
        section = s.section.split(";")[0].strip()
        parts.append(f"{s.title} ({s.publisher}, {s.year})" + (f", {section}" if section else ""))
    if lever.basis == "judgement":
        why = lever.reasoning or ""
        why = why if len(why) <= 160 else why[:159].rsplit(" ", 1)[0] + "…"
        parts.append("Judgement" + (f": {why}" if why else ""))
    if lever.note and not parts:
        parts.append(lever.note)
    return "; ".join(parts) or "No source given"


def lever_label(a: Assumptions, key: str) -> str:
    """A lever's label, prefixed with its option's label for option levers (they repeat across options)."""
    label = a.levers[key].label
    parts = key.split(".")
    if parts[0] == "options" and parts[1] in a.option_keys:
        return f"{a.option(parts[1]).label}: {label[0].lower() + label[1:]}"
    return label


def key_assumptions(a: Assumptions, tornado: dict, n: int = 8) -> list[dict]:
    """The levers that move the answer most (tornado order), each with its range and source."""
    out = []
    for b in tornado["bars"][:n]:
        lever = a.levers[b["key"]]
        out.append({"key": b["key"], "label": b["label"], "low": format_value(lever.low, lever.unit),
                    "central": format_value(lever.central, lever.unit), "high": format_value(lever.high, lever.unit),
                    "swing": b["swing"], "changes_answer": b["changes_answer"], "source": source_text(a, b["key"]),
                    "url": a.sources[lever.source].url if lever.source in a.sources else "",
                    "prices": prices_text(a, b["key"])})
    return out


def prices_text(a: Assumptions, key: str) -> str:
    """For a money lever, its central figure as published and in base-year prices; '' for anything else."""
    lever = a.levers[key]
    if lever.unit not in MONEY_UNITS or lever.central is None:
        return ""
    year = lever.price_base if lever.price_base is not None else a.price_base_year
    f = a.price_factor(key)
    return "Central: " + conversion_text(lever.central, year, lever.central * f, a.price_base_year, lever.unit)


def price_conversions(a: Assumptions, keys=KEY_MONEY) -> list[dict]:
    """The headline money levers, as published and in base-year prices (for the report's prices note)."""
    out = []
    for key in keys:
        if key in a.levers and a.levers[key].central:
            out.append({"key": key, "label": lever_label(a, key), "text": prices_text(a, key)[len("Central: "):]})
    return out


def likelihood(p: float) -> str:
    """What a share of simulated futures says about the answer, in words."""
    return ("so the answer is robust to the uncertainty" if p >= 0.9 else "so it is likely but not certain to be cheapest"
            if p >= 0.66 else "so it is more likely than not to be cheapest, but far from certain" if p > 0.5
            else "so no option is a clear winner")


def headline(result: dict, shares: dict | None, draws: int, share_se: dict | None = None) -> str:
    """One sentence: which option is cheapest, by how much against business as usual and the runner-up, how sure."""
    opts = result["options"]
    rank = sorted(opts, key=lambda k: opts[k]["present_value"])
    best, second = rank[0], rank[1]
    years = result["financial_years"]
    lead = opts[second]["present_value"] - opts[best]["present_value"]
    s = (f"{opts[best]['label']} has the lowest net present cost, {money_m(opts[best]['present_value'], report=True)} over the "
         f"{len(years)} years {years[0]} to {years[-1]}")
    if best == COMPARATOR:
        s += (f": no option pays for itself within the {len(years)} years; the runner-up, "
              f"{opts[second]['label'][0].lower() + opts[second]['label'][1:]}, costs {money_m(lead, report=True)} more")
    elif second == COMPARATOR:
        s += f", {money_m(-opts[best]['npc_vs_do_minimum'], report=True)} less than {opts[second]['label'].lower()}, the runner-up"
    else:
        s += (f", {money_m(-opts[best]['npc_vs_do_minimum'], report=True)} less than business as usual and {money_m(lead, report=True)} less than "
              f"the runner-up, {opts[second]['label'][0].lower() + opts[second]['label'][1:]}")
    if shares is None:
        s += "; how sure we can be was not estimated (no Monte Carlo draws were run)."
    else:
        p = shares.get(best, 0.0)
        se = (share_se or {}).get(best)
        error = "" if se is None else f" (± {se * 100:.1f} percentage points, the Monte Carlo standard error)"
        s += f"; it was the cheapest in {p:.0%} of {draws:,} simulated futures{error}, {likelihood(p)}."
    return s


def price_index_note(a: Assumptions) -> str:
    """Which index converts general money to base-year prices, and its source's title: one sentence."""
    key = a.prices.index_for("general")
    if key is None:
        return "Every money figure is given in base-year prices."
    index = a.prices.indices[key]
    source = a.sources.get(index.source)
    return (f"Figures published in other years are restated with {index.label}"
            + (f" ({source.title})" if source else "") + ".")


def report_data(a: Assumptions, scenario: str = "central", draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                backtest: bool = False) -> dict:
    """Everything the page shows, as plain data; the figures are ``compare()``'s, unchanged.

    ``backtest`` adds the back-test section's data (the assumptions held against published outturn).
    """
    result = compare(a, scenario=scenario)
    opts = result["options"]
    rank = sorted(opts, key=lambda k: opts[k]["present_value"])
    mc = monte_carlo(a, draws, seed)
    shares = None if mc is None else mc["shares"]
    torn = tornado_data(a, rank[0], rank[1])
    return {
        "result": result,
        "ranking": rank,
        "cheapest": rank[0],
        "runner_up": rank[1],
        "headline": headline(result, shares, draws, None if mc is None else mc["share_se"]),
        "shares": shares,
        "montecarlo": mc,
        "draws": draws if shares is not None else 0,
        "seed": seed,
        "tornado": torn,
        "journeys": journeys(a, result),
        "key_assumptions": key_assumptions(a, torn),
        "prices": {"base_year": a.price_base_year, "conversions": price_conversions(a),
                   "index": price_index_note(a)},
        "decision_value": decision_value_data(a, None if mc is None else mc["result"], rank[0], rank[1], seed,
                                              lambda k: lever_label(a, k), torn["bars"]),  # one BLAS thread inside
        "caveats": CAVEATS,
        "months": a.months,
        "scenario": (a.scenarios[scenario].label, a.scenarios[scenario].reason) if scenario in a.scenarios
        else ("central values", ""),
        "overrides": [(k, lever_label(a, k), format_value(a.levers[k].central, a.levers[k].unit)) for k, _ in a.overrides
                      if k in a.levers],
        "safe_month_names": {k: (month_name(a.start_year, o["safe_service_month"]) if o["safe_service_month"] is not None else None)
                             for k, o in opts.items()},
        "backtest": _backtest_data(a) if backtest else None,
        **council_report_data(a),
    }


def council_report_data(a: Assumptions) -> dict:
    """For a set that names a council (``costmodel init --council``): the council, the published figures its
    baseline was set from (each with the date it refers to) and its benchmark section's data; else nothing."""
    council = council_of(a)
    if council is None:
        return {"council": None, "benchmark": None}
    record = a.extra["council"]
    return {"council": {**council, "figures": [str(x) for x in record.get("summary") or ()],
                        "fallbacks": len(record.get("fallbacks") or ())},
            "benchmark": _benchmark_data(council["code"])}


def _benchmark_data(code: str) -> dict:
    """The council's benchmark (``costmodel benchmark``); imported only when asked for (pandas, the statistics)."""
    from ..evidence.benchmark import benchmark
    return benchmark(code).to_dict()


def _backtest_data(a: Assumptions) -> dict:
    """The back-test section's data; imported only when asked for (it loads pandas and the packaged statistics)."""
    from .backtest import backtest_data
    return backtest_data(a)
