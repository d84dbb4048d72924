"""The back-test as terminal tables (rich, plain text when piped): no calculation here, only layout.

Sections: the inadequate judgements and what followed; the extra spend of the councils that improved
(by council, then every line and comparator); time to an improved judgement (Kaplan-Meier); paths
relative to England; trusts against comparable councils; the assumptions held against the outturn.
"""
from __future__ import annotations

import io
import math

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..evidence.backtest import COMPARATORS, HEADLINE_LINE, Backtest
from ..evidence.panel import LINE_LABELS, SOCIAL_CARE
from ..evidence.paths import phase_summary
from .tables import money_m

WIDTH = 150


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _num(x, fmt: str) -> str:
    return "—" if _missing(x) else format(x, fmt)


def _pct(x, signed: bool = True) -> str:
    """A fraction as a whole percentage: 0.253 → '+25%'."""
    return "—" if _missing(x) else f"{x * 100:{'+' if signed else ''}.0f}%"


def _m(x) -> str:
    return "—" if _missing(x) else money_m(x)


def _fy(year: int) -> str:
    """Spend year 2019 (ending March 2019) → '2018-19'."""
    return f"{year - 1}-{year % 100:02d}"


def _table(title: str, headers: list[str], rows: list[list[str]], caption: str = "") -> Table:
    t = Table(title=title, caption=caption or None, title_justify="left", caption_justify="left")
    for i, h in enumerate(headers):
        t.add_column(h, justify="left" if i == 0 else "right", overflow="fold")
    for r in rows:
        t.add_row(*r)
    return t


def judgements_table(b: Backtest) -> Table:
    rows = []
    for _, j in b.judgements.iterrows():
        nxt = "—" if pd.isna(j.next_date) else f"{j.next_date.date()} (grade {int(j.next_grade)})"
        trust = "" if not j.trust else f"{j.trust} from {j.trust_start.date()}"
        rows.append([j.la_name, str(j.inadequate_date.date()), nxt, j.outcome, _num(j.months_to_improve, ".1f")
                     + ("" if j.event_observed else "+"), trust])
    return _table("Councils judged inadequate under ILACS (inspections from 2018 to 31 March 2025)",
                  ["Council", "Judged inadequate", "Next inspection", "What followed", "Months", "Trust or company"], rows,
                  "Months: to the improved judgement, or (+) to 31 March 2025 for a council not yet improved (censored). "
                  "Judgements under the earlier single inspection framework (before 2018) are not in the data.")


def councils_table(b: Backtest) -> Table:
    s = b.spend[b.spend.comparator == "england"].set_index(["la_code", "line"])
    rows = []
    for code, g in b.spend[(b.spend.comparator == "england") & (b.spend.line == HEADLINE_LINE)].groupby("la_code", sort=False):
        r = g.iloc[0]
        total = s.loc[(code, SOCIAL_CARE)] if (code, SOCIAL_CARE) in s.index else None
        rows.append([r.la_name, f"{_fy(r.window_start)} to {_fy(r.window_end)}" + (" (to date)" if r.truncated else ""),
                     r.baseline_years, _m(r.extra), _num(r.extra_per_child_in_need, ",.0f"), _pct(r.extra_share),
                     _pct(r.lasting_step), _m(total.extra if total is not None else None), _pct(r.placebo_median)])
    return _table(f"Extra spend of the councils that improved, against England, £ at {b.price_base_year}-"
                  f"{(b.price_base_year + 1) % 100:02d} prices",
                  ["Council", "Window", "Baseline", "Safeguarding", "per child in need", "% of counterfactual",
                   "Lasting step", "Children's social care", "Placebo"], rows,
                  "Window: financial year of the inadequate judgement to the year after the improved one. Placebo: median "
                  "the same method finds, with the same years, for councils never judged inadequate.")


def lines_table(b: Backtest) -> Table:
    rows = []
    for (line, comp), g in b.spend.groupby(["line", "comparator"], sort=False):
        q = g.extra.quantile([0.25, 0.5, 0.75])
        rows.append([LINE_LABELS[line], COMPARATORS[comp], str(g.extra.notna().sum()), _m(q[0.5]),
                     f"{_m(q[0.25])} to {_m(q[0.75])}", _num(g.extra_per_child_in_need.median(), ",.0f"),
                     _pct(g.extra_share.median()), _pct(g.placebo_median.median()),
                     f"{_pct(g.placebo_p25.median())} to {_pct(g.placebo_p75.median())}"])
    return _table("Extra spend by section 251 line (medians over the councils that improved)",
                  ["Line", "Against", "Councils", "Median", "Middle half", "per child in need", "% of counterfactual",
                   "Placebo median", "Placebo middle half"], rows)


def survival_table(b: Backtest) -> Table:
    km = b.survival
    rows = [[_num(t, ".1f"), str(int(n)), str(int(d)), _pct(1 - s, signed=False), _pct(se, signed=False)]
            for t, n, d, s, se in zip(km.times, km.at_risk, km.events, km.survival, km.std_error)]
    q = [km.quantile(x) for x in (0.25, 0.5, 0.75)]
    return _table("Time to an improved judgement (Kaplan-Meier)", ["Months", "Waiting", "Improved", "Share improved",
                  "Std error"], rows, f"{km.n} councils, {km.censored} censored (not re-inspected, or still inadequate). "
                  f"Quartiles: {', '.join(_num(x, '.1f') for x in q)} months.")


def paths_table(b: Backtest) -> Table:
    s = b.path_summary
    phases = phase_summary(b.paths).set_index(["measure", "phase"]).relative_median
    ks = sorted(k for k in s.k.unique() if -2 <= k <= 5)
    rows = []
    for measure, g in s.groupby("measure", sort=False):
        g = g.set_index("k")
        how = g.relative_as.iloc[0]
        fmt = (lambda x: _num(x, ".2f")) if how == "ratio" else (lambda x: _num(x, "+.1f"))
        rows.append([f"{g.label.iloc[0]} ({'ratio to' if how == 'ratio' else 'difference from'} England)"]
                    + [fmt(g.relative_median.get(k)) for k in ks]
                    + [fmt(phases.get((measure, ph))) for ph in ("before", "during", "after")])
    return _table("Paths of the councils that improved, relative to England (median), by years from the judgement",
                  ["Measure", *[f"{k:+d}" for k in ks], "Before", "During", "After"], rows,
                  "Year 0: the first observation after the judgement (30 September for the workforce, 31 March for "
                  "children looked after, the financial year for costs). Before / during / after: median of each "
                  "council's mean before the judgement, up to the improved one, and after it.")


def trusts_table(b: Backtest) -> Table:
    rows = []
    for _, t in b.trusts.iterrows():
        band = "—" if math.isnan(t.placebo_p5) else f"{_pct(t.placebo_p5)} to {_pct(t.placebo_p95)}"
        rows.append([t.trust, t.council if len(t.council) < 40 else t.council[:37] + "...", str(t.start.date()),
                     "—" if _missing(t.set_up_year) else _fy(int(t.set_up_year)),
                     _pct(t.set_up_extra_share), _pct(t.running_extra_share), band, _num(t.level_ratio, ".2f")])
    return _table("Trusts against comparable councils (children's social care spend, five lines)",
                  ["Trust or company", "Council", "From", "First year", "Set-up bump", "Running difference",
                   "Placebo 90%", "Level ratio"], rows,
                  "Comparable: 10 nearest councils never judged inadequate (population, children in need and child "
                  "protection rates). Level ratio (trusts older than the 2016-17 data): spend per child over the comparables'.")


def value_text(v, unit: str) -> str:
    """A default or observed figure in its unit: £m, a percentage, pounds a child, months."""
    if _missing(v):
        return "—"
    if unit == "GBP":
        return _m(v)
    if unit.startswith("fraction"):
        return _pct(v, signed=unit != "fraction")
    if unit == "GBP/child":
        return f"£{v:,.0f}"
    return _num(v, ".3g")


def held_table(held: pd.DataFrame, origin: str) -> Table:
    rows = []
    for _, r in held.iterrows():
        inside = "—" if r["within_iqr"] not in (True, False) else ("yes" if r["within_iqr"] else "NO")
        u = r["unit"]
        rows.append([r["topic"], value_text(r["default"], u), r["observed"], str(r["councils"]), value_text(r["median"], u),
                     f"{value_text(r['p25'], u)} to {value_text(r['p75'], u)}", _num(r["percentile"], ".0f"), inside])
    return _table(f"The assumptions held against the outturn ({origin})",
                  ["Assumption", "Default (central)", "Observed", "n", "Median", "Middle half", "Percentile", "In middle half"],
                  rows, "Percentile: where the default falls among the observed councils (50 = the median).")


def render(b: Backtest, held: pd.DataFrame, origin: str, notes: list[str]) -> str:
    """Every section as text, then the notes (headline figures, what the data leave out)."""
    buf = io.StringIO()
    console = Console(file=buf, width=WIDTH, force_terminal=False)
    for t in (judgements_table(b), councils_table(b), lines_table(b), survival_table(b), paths_table(b),
              trusts_table(b), held_table(held, origin)):
        console.print(t)
        console.print()
    return buf.getvalue() + "".join(f"{n}\n" for n in notes)


def headline_sentences(b: Backtest) -> list[str]:
    """The figures a reader takes away, in words (every number from ``b.headline``)."""
    h = b.headline
    gaps = ", ".join(_num(g, "+.1f") for g in h["agency_share_gap_years_2_to_4"])
    km_median = h["months_to_improve_km_median"]
    return [
        f"{h['councils_judged_inadequate']} councils were judged inadequate under ILACS; {h['improved']} have since been "
        f"judged requires improvement or better, {h['still_inadequate']} were still inadequate at re-inspection and "
        f"{h['not_yet_reinspected']} had not been re-inspected by 31 March 2025.",
        f"Extra safeguarding spend of the {h['councils_in_spend']} that improved, from the inadequate judgement to a year "
        f"after the improved one, against England: median {_m(h['extra_median'])} (middle half {_m(h['extra_p25'])} to "
        f"{_m(h['extra_p75'])}), about £{h['extra_per_child_in_need_median']:,.0f} per child in need, "
        f"{_pct(h['extra_share_median'])} of the counterfactual (placebo: {_pct(h['placebo_share_median'])}); "
        f"a year after improving the line was still a median {_pct(h['lasting_step_median'])} above its old share.",
        f"Time to an improved judgement: median {_num(km_median, '.1f')} months (Kaplan-Meier, {h['km_censored']} "
        f"councils censored; {_num(h['months_to_improve_median_improvers'], '.1f')} months among those that improved); "
        f"{_pct(h['share_improved_by_24_months'], signed=False)} had improved within 24 months.",
        f"Agency social workers: a median {_num(h['agency_share_before_median'], '.1f')}% of FTE the year before the "
        f"judgement, a median peak of {_num(h['agency_share_peak_median'], '.1f')}% before the improved one, and still "
        f"{gaps} points above England in years 2, 3 and 4 after it; caseload per case holder "
        f"{_num(h['caseload_gap_year_3'], '+.1f')} against England in year 3.",
    ]


CAVEATS = (
    "Inspection history: Ofsted's ILACS framework only (from 2018); a council judged inadequate under the earlier single "
    "inspection framework and not since is not in the data, and an ILACS judgement may follow an unseen earlier one.",
    "Small sample: 14 councils that improved; medians and middle halves, not a model of any one council.",
    "Short baseline: spend starts in 2016-17, so a baseline has one to three years; BCP's has two (2019-20, 2020-21).",
    "COVID: 2020-21 and 2021-22 are in most windows; Ofsted paused routine inspections from March 2020, which "
    "lengthened the time to a re-inspection.",
    "Line reallocation: councils move spend between section 251 lines (safeguarding, family support, other); "
    "the five-line total is the safer figure, the safeguarding line the headline.",
    "Boundary changes: Northamptonshire is followed through North and West Northamptonshire (summed); BCP has no "
    "spend before 2019-20; Wandsworth and Middlesbrough are missing from England's 2024-25 total.",
    "Extra spend includes demand, grants and price changes peculiar to the council; the placebo shows the method's "
    "spread where nothing happened.",
)


def notes(b: Backtest) -> list[str]:
    """Headline sentences, then caveats and the price basis."""
    from ..evidence.deflator import SOURCE
    return (headline_sentences(b) + [f"Caveat: {c}" for c in CAVEATS]
            + [f"Prices: {b.price_base_year}-{(b.price_base_year + 1) % 100:02d}, GDP deflator: {SOURCE}.",
               "Method: docs/backtest.md. Data: DfE, Ofsted, ONS official statistics (Open Government Licence v3.0)."])
