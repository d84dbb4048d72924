"""Timeline and Calculations sheets: the engine's month grid and cost lines as live row formulas.

Both sheets share one column layout (FAST): A option key, B label, C kind or category, D unit,
E constant, F total, G row key, then one column per month from H (month 0 = April of the start
year). Each row has one formula copied across the months; inputs are read through their defined
names. Timing flags are the share of a month inside an interval, exactly as ``timeline.py``:
``active(a, n) = MAX(0, MIN(1, MIN(m+1, a+n) − MAX(m, a)))``; ``from(a) = MAX(0, MIN(1, m+1−a))``;
``until(e) = MAX(0, MIN(1, e−m))``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import levers as lv
from ..assumptions import Assumptions
from ..engine import SUPPORT_PREFIX, table_lines
from . import layout as L
from .calc_lines import LINE_LABELS, line_formulas, write_payer_rows, write_workings

GBP_FMT = "#,##0;[Red]-#,##0"
FLAG_FMT = "0.00"


@dataclass
class Grid:
    """Where things are on Timeline / Calculations: row numbers keyed by (option, row key)."""

    months: int
    rows: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)  # option -> total row on Calculations
    starts: dict = field(default_factory=dict)  # option -> first row of its block on Calculations
    first: int = L.FIRST_BLOCK_ROW
    last: int = L.FIRST_BLOCK_ROW

    @property
    def last_col(self) -> str:
        return L.month_col(self.months - 1)


def n(key: str) -> str:
    """The defined name of a lever key."""
    return lv.defined_name(key)


def _frame(ws, title: str, months: int, link: bool) -> None:
    L.heading(ws, "A1", title)
    for col, text in zip("ABCDEFG", ("Option", "Row", "Kind / category", "Unit", "Constant", "Total", "Row key")):
        ws[f"{col}2"] = text
        ws[f"{col}2"].style = "Subheading"
    for col, w in zip("ABCDEFG", (22, 52, 14, 11, 16, 16, 30)):
        ws.column_dimensions[col].width = w
    labels = {L.MONTH_ROW: ("Month number (0 = April of the start year)", "month"),
              L.YEAR_ROW: ("Year index (financial year t holds months 12t to 12t+11)", "year index"),
              L.FY_ROW: ("Financial year", "year"),
              L.MONTH_END_ROW: ("Month end (m + 1)", "month")}
    for r, (label, unit) in labels.items():
        ws[f"B{r}"], ws[f"D{r}"] = label, unit
    for m in range(months):
        c = L.month_col(m)
        ws.column_dimensions[c].width = 11
        prev = L.month_col(m - 1) if m else None
        if link:
            for r in labels:
                ws[f"{c}{r}"] = f"=Timeline!{c}{r}"
                ws[f"{c}{r}"].style = "Link"
            continue
        ws[f"{c}{L.MONTH_ROW}"] = 0 if m == 0 else f"={prev}{L.MONTH_ROW}+1"
        ws[f"{c}{L.YEAR_ROW}"] = f"=INT({c}{L.MONTH_ROW}/12)"
        ws[f"{c}{L.FY_ROW}"] = (f'=(appraisal_start_year+{c}{L.YEAR_ROW})&"-"&'
                                f'RIGHT(appraisal_start_year+{c}{L.YEAR_ROW}+1,2)')
        ws[f"{c}{L.MONTH_END_ROW}"] = f"={c}{L.MONTH_ROW}+1"
        for r in labels:
            ws[f"{c}{r}"].style = "Calculation"
            ws[f"{c}{r}"].number_format = "0"
    ws.freeze_panes = f"H{L.FIRST_BLOCK_ROW - 1}"


def _row(ws, r: int, option: str, label: str, kind: str, unit: str, key: str,
         const: str | None = None, month: str | None = None, months: int = 0, fmt: str = GBP_FMT) -> None:
    """One row: constant in E, ``month`` (a template with ``{c}`` for the month column) copied across."""
    for col, value in zip("ABCDG", (option, label, kind, unit, key)):
        L.put_text(ws, f"{col}{r}", value)
    if const is not None:
        ws[f"E{r}"] = const
        ws[f"E{r}"].style = "Calculation"
        ws[f"E{r}"].number_format = fmt if unit != "month" else "0.00"
    if month is not None:
        last = L.month_col(months - 1)
        ws[f"F{r}"] = f"=SUM(H{r}:{last}{r})"
        ws[f"F{r}"].style = "Calculation"
        ws[f"F{r}"].number_format = fmt
        for m in range(months):
            c = L.month_col(m)
            ws[f"{c}{r}"] = month.format(c=c, r=r)
            ws[f"{c}{r}"].style = "Calculation"
            ws[f"{c}{r}"].number_format = fmt


def active(start: str, length: str) -> str:
    """Share of month {c} inside [start, start + length)."""
    return f"=MAX(0,MIN(1,MIN({{c}}${L.MONTH_END_ROW},{start}+{length})-MAX({{c}}${L.MONTH_ROW},{start})))"


def write_timeline(wb, a: Assumptions) -> Grid:
    """Timeline: the month grid, the relative price weights, then for each option its journey dates and timing flags."""
    ws = wb["Timeline"]
    M = a.months
    grid = Grid(months=M)
    _frame(ws, "Timeline: months, financial years, journey dates and timing flags per option", M, link=False)
    r = write_price_weights(ws, grid, L.FIRST_BLOCK_ROW)
    for o in a.options:
        k = o.key
        ok = lambda s: n(f"options.{k}.{s}")  # noqa: E731
        L.put_text(ws, f"A{r}", k, "Subheading")
        L.put_text(ws, f"B{r}", f"Option {k}: {o.label}", "Subheading")
        r += 1
        rows = {}

        def add(key, label, kind, unit, const=None, month=None, fmt=FLAG_FMT):
            nonlocal r
            rows[key] = r
            _row(ws, r, k, label, kind, unit, key, const, month, M if month else 0, fmt)
            r += 1

        E = lambda key: f"$E${rows[key]}"  # noqa: E731
        add("journey_start", "Improvement journey starts (mobilisation; 0 for business as usual)", "date", "month",
            f"={ok('mobilisation_months')}*improves_{k}")
        add("diagnosis_start", "Diagnosis starts", "date", "month", f"={E('journey_start')}")
        prev = "diagnosis_start"
        for p, q in zip(lv.PHASES[1:], lv.PHASES[:-1]):
            add(f"{p}_start", f"{p.capitalize()} starts", "date", "month", f"={E(prev)}+journey_{q}_months")
            prev = f"{p}_start"
        add("safe_service_month", "Safe core service reached (first month after implementation; none for business as usual)",
            "date", "month", f'=IF(improves_{k}=1,{E("sustain_start")},"none")')
        add("interim_end", "Interim leaders end (none: the end of the horizon)", "date", "month",
            f"=IF(ISNUMBER({ok('leadership.interim_end_month')}),{ok('leadership.interim_end_month')},appraisal_horizon_years*12)")
        pm = ok("leadership.partnership_months")
        add("partnership_end", "Partnership ends: fee and senior-team saving stop (none: the end of the horizon)", "date",
            "month", f"=IF(ISNUMBER({pm}),{pm},appraisal_horizon_years*12)")
        add("saving_end", "Senior-team saving ends (not before the journey starts)", "date", "month",
            f"=MAX({E('partnership_end')},{E('journey_start')})")
        drift, s0 = n("baseline.drift.agency_share_per_year"), n("baseline.social_workers.agency_share")
        add("agency_span", "Months to reach the agency target (business as usual: to 100% at the drift rate)", "constant",
            "months", f"=12*{ok('workforce.years_to_target')}*improves_{k}+(1-improves_{k})*IF({drift}>0,12*(1-{s0})/{drift},0)")
        add("legacy_step", "Yearly step-down of legacy placements (business as usual: minus the drift)", "constant",
            "fraction/yr", f"={ok('legacy.step_down_per_year')}*improves_{k}-(1-improves_{k})*"
            f"{n('baseline.drift.legacy_placements_per_year')}")
        write_flags(add, E, ok, o)
        grid.rows[k] = rows
        r += 1
    return grid


def write_price_weights(ws, grid: Grid, r: int) -> int:
    """Rows shared by every option: the relative price weight of pay and of placements, month by month."""
    L.put_text(ws, f"A{r}", "all", "Subheading")
    L.put_text(ws, f"B{r}", "Relative price effects (Green Book 5.13): real growth over the GDP deflator", "Subheading")
    r += 1
    rows = {}
    for index in ("pay", "placements"):
        rate = n(f"appraisal.relative_price.{index}")
        rows[f"rpe_{index}"] = r
        _row(ws, r, "all", f"Relative price weight, {index}: (1 + rate)^(start year + year - price base year)", "weight",
             "factor", f"rpe_{index}", None,
             f"=(1+{rate})^(appraisal_start_year+{{c}}${L.YEAR_ROW}-appraisal_price_base_year)", grid.months, "0.000000")
        r += 1
    grid.rows["all"] = rows
    return r + 1


def write_flags(add, E, ok, o) -> None:
    """An option's timing flags on Timeline: the share of each month something applies."""
    add("set_up_active", "Set-up spending (share of month)", "flag", "fraction",
        month=active(ok("set_up.start_month"), ok("set_up.months")))
    add("transitional_active", "Transitional spending (share of month)", "flag", "fraction",
        month=active(ok("transitional.start_month"), ok("transitional.months")))
    for p in lv.PHASES:
        add(f"{p}_active", f"{p.capitalize()} phase (share of month)", "flag", "fraction",
            month=active(E(f"{p}_start"), f"journey_{p}_months"))
    add("from_journey_start", "On or after the journey start (share of month)", "flag", "fraction",
        month=f"=MAX(0,MIN(1,{{c}}${L.MONTH_END_ROW}-{E('journey_start')}))")
    add("from_stabilise", "On or after the start of stabilise (share of month)", "flag", "fraction",
        month=f"=MAX(0,MIN(1,{{c}}${L.MONTH_END_ROW}-{E('stabilise_start')}))")
    add("interim_in_post", "Interim leaders in post (share of month)", "flag", "fraction",
        month=f"=MAX(0,MIN(1,{E('interim_end')}-{{c}}${L.MONTH_ROW}))")
    add("partnership_active", "Partnership running: management fee paid (share of month)", "flag", "fraction",
        month=f"=MAX(0,MIN(1,{E('partnership_end')}-{{c}}${L.MONTH_ROW}))")
    add("from_saving_end", "On or after the end of the senior-team saving (share of month)", "flag", "fraction",
        month=f"=MAX(0,MIN(1,{{c}}${L.MONTH_END_ROW}-{E('saving_end')}))")
    add("efficiency_on", "Efficiency applies (share of month)", "flag", "fraction",
        month=f"=MAX(0,MIN(1,{{c}}${L.MONTH_END_ROW}-12*{ok('efficiency.from_year')}))")
    add("agency_ramp", "Progress to the agency target (0 to 1)", "flag", "fraction",
        month=(f"=IF({E('agency_span')}>0,MAX(0,MIN(1,({{c}}${L.MONTH_ROW}-{E('journey_start')})/{E('agency_span')})),"
               f"--({{c}}${L.MONTH_ROW}>={E('journey_start')}))"))
    add("legacy_remaining", "Legacy placements above the floor still in place (share; above 1: growing)", "flag", "fraction",
        month=(f"=IF({{c}}${L.MONTH_ROW}>{E('journey_start')},(1-{E('legacy_step')})"
               f"^(({{c}}${L.MONTH_ROW}-{E('journey_start')})/12),1)"))
    for s in o.support:
        add(f"support_{s}_active", f"External support: {s} (share of month)", "flag", "fraction",
            month=active(ok(f"external_support.{s}.start_month"), ok(f"external_support.{s}.months")))


def write_calculations(wb, a: Assumptions, tl: Grid) -> Grid:
    """Calculations: per option, the workings, one row per engine cost line (GBP a month), the total, and
    the part of it paid by central government (DfE)."""
    ws = wb["Calculations"]
    M = a.months
    grid = Grid(months=M)
    _frame(ws, "Calculations: every cost line of every option, GBP a month, real terms at the price base", M, link=True)
    spec = table_lines(a.options)
    r = L.FIRST_BLOCK_ROW
    grid.first = r
    for o in a.options:
        k = o.key
        grid.starts[k] = r
        L.put_text(ws, f"A{r}", k, "Subheading")
        L.put_text(ws, f"B{r}", f"Option {k}: {o.label}", "Subheading")
        r += 1
        rows: dict = {}

        def add(key, label, kind, unit, const=None, month=None, fmt=GBP_FMT):
            nonlocal r
            rows[key] = r
            _row(ws, r, k, label, kind, unit, key, const, month, M if month else 0, fmt)
            r += 1

        T = lambda key: f"Timeline!{{c}}{tl.rows[k][key]}"  # noqa: E731
        write_workings(add, rows, k, T)
        formulas = line_formulas(k, o, tl.rows[k], tl.rows["all"], rows)
        first_line = r
        for line, category, _ in spec:
            if line not in formulas:
                continue
            const, month = formulas[line]
            label = LINE_LABELS.get(line) or f"External support: {line[len(SUPPORT_PREFIX):]}"
            add(line, label, category, "GBP/month", const, month)
        grid.rows[k] = rows
        grid.totals[k] = r
        add("total", f"Total cost of {k}", "total", "GBP/month", None, f"=SUM({{c}}{first_line}:{{c}}{r - 1})")
        for col in "ABCDEFG":
            ws[f"{col}{r - 1}"].style = "Output" if col in "EF" else "Subheading"
        write_payer_rows(add, rows, k, o)
        r += 1
    grid.last = r - 1
    return grid
