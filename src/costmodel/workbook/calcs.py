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
    """Timeline: the month grid, then for each option its journey dates and timing flags (1/0 or a share)."""
    ws = wb["Timeline"]
    M = a.months
    grid = Grid(months=M)
    _frame(ws, "Timeline: months, financial years, journey dates and timing flags per option", M, link=False)
    r = L.FIRST_BLOCK_ROW
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
        add("agency_span", "Months to reach the agency target", "constant", "months",
            f"=12*{ok('workforce.years_to_target')}")
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
        add("efficiency_on", "Efficiency applies (share of month)", "flag", "fraction",
            month=f"=MAX(0,MIN(1,{{c}}${L.MONTH_END_ROW}-12*{ok('efficiency.from_year')}))")
        add("agency_ramp", "Progress to the agency target (0 to 1)", "flag", "fraction",
            month=(f"=IF({E('agency_span')}>0,MAX(0,MIN(1,({{c}}${L.MONTH_ROW}-{E('journey_start')})/{E('agency_span')})),"
                   f"--({{c}}${L.MONTH_ROW}>={E('journey_start')}))"))
        add("legacy_remaining", "Legacy placements above the floor still in place (share)", "flag", "fraction",
            month=(f"=IF({{c}}${L.MONTH_ROW}>{E('journey_start')},(1-{ok('legacy.step_down_per_year')})"
                   f"^(({{c}}${L.MONTH_ROW}-{E('journey_start')})/12),1)"))
        for s in o.support:
            add(f"support_{s}_active", f"External support: {s} (share of month)", "flag", "fraction",
                month=active(ok(f"external_support.{s}.start_month"), ok(f"external_support.{s}.months")))
        grid.rows[k] = rows
        r += 1
    return grid


LINE_LABELS = {
    "set_up": "Set-up, with optimism bias",
    "transitional": "Transitional, with optimism bias",
    "improvement": "Improvement, with optimism bias (sum of the phases above)",
    "core_service": "Core service at the outset spend",
    "safe_core_uplift": "Safe-core uplift: extra social workers for a manageable caseload",
    "agency_premium": "Agency premium",
    "interim_leaders": "Interim leaders",
    "management_fee": "Management fee to the partner council",
    "governance": "Governance of a new organisation",
    "client_side": "Council's client-side team",
    "legacy_placements": "Legacy placements and their replacements",
    "senior_team_saving": "Saving on the council's own senior team",
    "efficiency": "Efficiency on the outset running cost",
}


def line_formulas(k: str, o, tl: dict, rows: dict) -> dict[str, tuple[str | None, str | None]]:
    """Each cost line of option ``k`` as (constant in E, month template), mirroring ``engine.option_lines``."""
    ok = lambda s: n(f"options.{k}.{s}")  # noqa: E731
    b = lambda s: n(f"baseline.{s}")  # noqa: E731
    T = lambda key: f"Timeline!{{c}}{tl[key]}"  # noqa: E731
    ob = ok("optimism_bias")
    per = lambda amount, months: f"=IF({months}>0,{amount}*(1+{ob})/{months},0)"  # noqa: E731
    out = {
        "set_up": (per(ok("set_up.amount"), ok("set_up.months")), f"=$E{{r}}*{T('set_up_active')}"),
        "transitional": (per(f"$E${rows['transitional_built_up']}", ok("transitional.months")),
                         f"=$E{{r}}*{T('transitional_active')}"),
        "improvement": (None, f"=SUM({{c}}{rows['improvement_diagnosis']}:{{c}}{rows['improvement_sustain']})"),
        "core_service": (f"={b('outset_spend')}/12", "=$E{r}"),
        "safe_core_uplift": (f"=$E${rows['extra_fte']}*$E${rows['employed_cost']}/12*improves_{k}",
                             f"=$E{{r}}*{T('from_stabilise')}"),
        "agency_premium": (f"={b('social_workers.fte')}*$E${rows['employed_cost']}*{b('social_workers.agency_premium')}/12",
                           f"=$E{{r}}*{{c}}{rows['agency_share']}"),
        "interim_leaders": (f"={b('interim_leaders.count')}*{b('interim_leaders.day_rate')}*{b('interim_leaders.days_per_year')}/12",
                            f"=$E{{r}}*{T('interim_in_post')}"),
        "management_fee": (f"={ok('leadership.management_fee')}/12", "=$E{r}"),
        "governance": (f"={ok('governance.annual_cost')}/12", f"=$E{{r}}*{T('from_journey_start')}"),
        "client_side": (f"={ok('client_side.annual_cost')}/12", f"=$E{{r}}*{T('from_journey_start')}"),
        "legacy_placements": ("=appraisal_weeks_per_year/12",
                              f"=({{c}}{rows['legacy_count']}*{b('legacy_placements.weekly_cost')}+({b('legacy_placements.count')}"
                              f"-{{c}}{rows['legacy_count']})*{b('legacy_placements.replacement_weekly_cost')})*$E{{r}}"),
        "senior_team_saving": (f"=-{ok('leadership.senior_team_saving')}*{b('senior_team.annual_cost')}/12",
                               f"=$E{{r}}*{T('from_journey_start')}"),
        "efficiency": (f"=-{ok('efficiency.rate')}*{b('outset_spend')}/12", f"=$E{{r}}*{T('efficiency_on')}"),
    }
    for s in o.support:
        out[SUPPORT_PREFIX + s] = (f"={ok(f'external_support.{s}.annual_cost')}/12", f"=$E{{r}}*{T(f'support_{s}_active')}")
    return out


def write_calculations(wb, a: Assumptions, tl: Grid) -> Grid:
    """Calculations: per option, the workings then one row per engine cost line (GBP a month) and a total."""
    ws = wb["Calculations"]
    M = a.months
    grid = Grid(months=M)
    _frame(ws, "Calculations: every cost line of every option, GBP a month, real terms at the price base", M, link=True)
    spec = table_lines(a.options)
    r = L.FIRST_BLOCK_ROW
    grid.first = r
    for o in a.options:
        k = o.key
        ok = lambda s: n(f"options.{k}.{s}")  # noqa: E731
        T = lambda key: f"Timeline!{{c}}{tl.rows[k][key]}"  # noqa: E731
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

        s0 = n("baseline.social_workers.agency_share")
        target = ok("workforce.agency_share_target")
        add("agency_share", "Agency share of social worker posts (constant: the target; none keeps the outset share)",
            "working", "fraction", f"=IF(ISNUMBER({target}),{target},{s0})",
            f"={s0}+($E{{r}}-{s0})*{T('agency_ramp')}", fmt="0.0000")
        fl, cnt = n("baseline.legacy_placements.floor"), n("baseline.legacy_placements.count")
        add("legacy_count", "Children in legacy placements", "working", "children", None,
            f"={fl}+({cnt}-{fl})*{T('legacy_remaining')}", fmt="0.00")
        add("employed_cost", "Employed cost of a social worker: salary x (1 + on-cost rate)", "working", "GBP/yr",
            f"={n('baseline.social_workers.salary')}*(1+{n('baseline.social_workers.on_cost_rate')})")
        add("extra_fte", "Extra social workers for a manageable caseload: children in need / target - FTE (not below 0)",
            "working", "FTE", f"=MAX(0,{n('baseline.caseload.children_in_need')}/{n('baseline.caseload.target_per_worker')}"
            f"-{n('baseline.social_workers.fte')})", fmt="0.00")
        add("transitional_built_up", "Transitional cost built up before optimism bias: other + team FTE x cost x months / 12 "
            "+ legal + due diligence", "working", "GBP",
            f"={ok('transitional.amount')}+{ok('transitional.team_fte')}*{ok('transitional.team_cost')}*{ok('transitional.months')}/12"
            f"+{ok('transitional.legal')}+{ok('transitional.due_diligence')}")
        for p in lv.PHASES:
            months = f"journey_{p}_months"
            add(f"improvement_{p}", f"Improvement in {p}: total x (1 + optimism bias) x split / months", "working", "GBP/month",
                f"=IF({months}>0,{ok('improvement.total')}*(1+{ok('optimism_bias')})*{ok(f'improvement.phase_split.{p}')}/{months},0)",
                f"=$E{{r}}*{T(f'{p}_active')}")
        formulas = line_formulas(k, o, tl.rows[k], rows)
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
        r += 1
    grid.last = r - 1
    return grid
