"""The Timeline sheet: the month grid, the relative price weights, and per option its journey dates and flags.

Dates are constants in column E (months from month 0); flags are the share of each month inside an
interval, exactly as ``timeline.py``: ``active(a, n) = MAX(0, MIN(1, MIN(m+1, a+n) − MAX(m, a)))``;
``from(a) = MAX(0, MIN(1, m+1−a))``; ``until(e) = MAX(0, MIN(1, e−m))``.
"""
from __future__ import annotations

from .. import levers as lv
from ..assumptions import Assumptions
from . import layout as L
from .calcs import FLAG_FMT, Block, Grid, frame, n, option_heading

M0, M1 = f"{{c}}${L.MONTH_ROW}", f"{{c}}${L.MONTH_END_ROW}"  # month start and end in a month template


def active(start: str, length: str) -> str:
    """Share of month {c} inside [start, start + length)."""
    return f"=MAX(0,MIN(1,MIN({M1},{start}+{length})-MAX({M0},{start})))"


def write_timeline(wb, a: Assumptions) -> Grid:
    """Timeline: the month grid, the relative price weights, then for each option its journey dates and flags."""
    ws = wb["Timeline"]
    grid = Grid(months=a.months)
    frame(ws, "Timeline: months, financial years, journey dates and timing flags per option", a.months, link=False)
    shared = write_shared_rows(ws, grid, L.FIRST_BLOCK_ROW, a.months)
    r = shared.r + 1
    for o in a.options:
        option_heading(ws, r, o.key, o.label)
        b = Block(ws, r + 1, o.key, a.months, FLAG_FMT)
        write_dates(b, o.key, shared.E("horizon_months"))
        write_flags(b, o)
        grid.rows[o.key] = b.rows
        r = b.r + 1
    return grid


def write_shared_rows(ws, grid: Grid, r: int, months: int) -> Block:
    """Rows shared by every option: the months of the horizon and the relative price weights of pay and placements."""
    option_heading(ws, r, "all", "every option")
    b = Block(ws, r + 1, "all", months, "0.000000")
    b.add("horizon_months", "Months in the appraisal (horizon years x months a year)", "constant", "months",
          "=appraisal_horizon_years*months_per_year", fmt="0")
    for index in ("pay", "placements"):
        rate = n(f"appraisal.relative_price.{index}")
        b.add(f"rpe_{index}", f"Relative price weight, {index}: (1 + rate)^(start year + year - price base year)",
              "weight", "factor", None,
              f"=(1+{rate})^(appraisal_start_year+{{c}}${L.YEAR_ROW}-appraisal_price_base_year)")
    grid.rows["all"] = b.rows
    return b


def write_dates(b: Block, k: str, horizon: str) -> None:
    """An option's journey dates and the spans of its drifts and step-downs (constants in E)."""
    ok = lambda s: b.lever(f"options.{k}.{s}")  # noqa: E731
    b.add("journey_start", "Improvement journey starts (mobilisation; 0 for business as usual)", "date", "month",
          f"={ok('mobilisation_months')}*improves_{k}")
    b.add("diagnosis_start", "Diagnosis starts", "date", "month", f"={b.E('journey_start')}")
    prev = "diagnosis_start"
    for p, q in zip(lv.PHASES[1:], lv.PHASES[:-1]):
        b.add(f"{p}_start", f"{p.capitalize()} starts", "date", "month", f"={b.E(prev)}+journey_{q}_months")
        prev = f"{p}_start"
    b.add("safe_service_month", "Safe core service reached (first month after implementation; none for business as "
          "usual)", "date", "month", f'=IF(improves_{k}=1,{b.E("sustain_start")},"none")')
    b.add("safe_service_year", "Year index of the safe core service (none for business as usual)", "date", "year index",
          f'=IF(ISNUMBER({b.E("safe_service_month")}),INT({b.E("safe_service_month")}/months_per_year),"none")', fmt="0")
    y = b.E("safe_service_year")
    b.add("safe_service_fy", "Financial year of the safe core service (none for business as usual)", "date", "year",
          f'=IF(ISNUMBER({y}),(appraisal_start_year+{y})&"-"&RIGHT(appraisal_start_year+{y}+1,2),"none")')
    end = ok("leadership.interim_end_month")
    b.add("interim_end", "Interim leaders end (none: the end of the horizon)", "date", "month",
          f"=IF(ISNUMBER({end}),{end},{horizon})")
    pm = ok("leadership.partnership_months")
    b.add("partnership_end", "Partnership ends: fee and senior-team saving stop (none: the end of the horizon)", "date",
          "month", f"=IF(ISNUMBER({pm}),{pm},{horizon})")
    b.add("saving_end", "Senior-team saving ends (not before the journey starts)", "date", "month",
          f"=MAX({b.E('partnership_end')},{b.E('journey_start')})")
    drift = b.lever("baseline.drift.agency_share_per_year")
    s0 = b.lever("baseline.social_workers.agency_share")
    b.add("agency_span_improving", "Months to reach the agency target once improving", "constant", "months",
          f"=months_per_year*{ok('workforce.years_to_target')}")
    b.add("agency_span_drift", "Business as usual: months to drift to 100% agency (0: no drift)", "constant", "months",
          f"=IF({drift}>0,months_per_year*(1-{s0})/{drift},0)")
    b.add("agency_span", "Months to reach the agency share it moves to", "constant", "months",
          f"=IF(improves_{k}=1,{b.E('agency_span_improving')},{b.E('agency_span_drift')})")
    step, grow = ok("legacy.step_down_per_year"), b.lever("baseline.drift.legacy_placements_per_year")
    b.add("legacy_step", "Yearly step-down of legacy placements (business as usual: minus the drift)", "constant",
          "fraction/yr", f"=IF(improves_{k}=1,{step},-{grow})")


def write_flags(b: Block, o) -> None:
    """An option's timing flags: the share of each month something applies."""
    ok = lambda s: b.lever(f"options.{o.key}.{s}")  # noqa: E731
    for part in ("set_up", "transitional"):
        start, months = ok(f"{part}.start_month"), ok(f"{part}.months")
        b.add(f"{part}_active", f"{part.capitalize().replace('_', '-')} spending (share of month)", "flag", "fraction",
              month=active(start, months))
    for p in lv.PHASES:
        b.add(f"{p}_active", f"{p.capitalize()} phase (share of month)", "flag", "fraction",
              month=active(b.E(f"{p}_start"), f"journey_{p}_months"))
    flags = {
        "from_journey_start": ("On or after the journey start", f"=MAX(0,MIN(1,{M1}-{b.E('journey_start')}))"),
        "from_stabilise": ("On or after the start of stabilise", f"=MAX(0,MIN(1,{M1}-{b.E('stabilise_start')}))"),
        "interim_in_post": ("Interim leaders in post", f"=MAX(0,MIN(1,{b.E('interim_end')}-{M0}))"),
        "partnership_active": ("Partnership running: management fee paid",
                               f"=MAX(0,MIN(1,{b.E('partnership_end')}-{M0}))"),
        "from_saving_end": ("On or after the end of the senior-team saving",
                            f"=MAX(0,MIN(1,{M1}-{b.E('saving_end')}))"),
    }
    for key, (label, month) in flags.items():
        b.add(key, f"{label} (share of month)", "flag", "fraction", month=month)
    first_year = ok("efficiency.from_year")
    b.add("efficiency_on", "Efficiency applies (share of month)", "flag", "fraction",
          month=f"=MAX(0,MIN(1,{M1}-months_per_year*{first_year}))")
    js, span = b.E("journey_start"), b.E("agency_span")
    b.add("agency_ramp", "Progress to the agency share it moves to (0 to 1; no span: all at the journey start)", "flag",
          "fraction", month=f"=IF({span}>0,MAX(0,MIN(1,({M0}-{js})/{span})),IF({M0}>={js},1,0))")
    b.add("legacy_remaining", "Legacy placements above the floor still in place (share; above 1: growing)", "flag",
          "fraction", month=f"=IF({M0}>{js},(1-{b.E('legacy_step')})^(({M0}-{js})/months_per_year),1)")
    for s in o.support:
        start, months = ok(f"external_support.{s}.start_month"), ok(f"external_support.{s}.months")
        b.add(f"support_{s}_active", f"External support: {s} (share of month)", "flag", "fraction",
              month=active(start, months))
