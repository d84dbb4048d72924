"""The Calculations sheet's row formulas: the workings of an option, its cost lines and its payers.

Each mirrors the engine (``engine.option_lines``, ``engine.one_off_amounts``,
``engine.central_government_shares``) as a constant in column E and one month template copied
across (``{c}`` the month column, ``{r}`` the row). Inputs are read through their defined names, in
base-year prices (the Inputs sheet converts money as published with its price index). Pay and
placement lines are multiplied by the relative price weight rows of Timeline.
"""
from __future__ import annotations

from .. import levers as lv
from ..engine import SUPPORT_PREFIX

LINE_LABELS = {
    "set_up": "Set-up, with optimism bias",
    "transitional": "Transitional, with optimism bias",
    "improvement": "Improvement, with optimism bias (sum of the phases above)",
    "core_service": "Core service at the outset spend",
    "safe_core_uplift": "Safe-core uplift: extra case holders for a manageable caseload, at the employed cost",
    "agency_premium": "Agency premium",
    "interim_leaders": "Interim leaders",
    "management_fee": "Management fee to the partner council (while the partnership runs)",
    "governance": "Governance of a new organisation",
    "back_office": "The new organisation's own back office",
    "client_side": "Council's client-side team",
    "legacy_placements": "Legacy placements and their replacements",
    "senior_team_saving": "Saving on the council's own senior team (while the partnership runs)",
    "support_released": "Council support services released (the rest is stranded)",
    "efficiency": "Efficiency on the outset running cost",
}


def write_workings(b, k: str, T) -> None:
    """An option's working rows: agency share, legacy count, employed cost, case holders, one-off amounts."""
    ok = lambda s: b.lever(f"options.{k}.{s}")  # noqa: E731
    bl = lambda s: b.lever(f"baseline.{s}")  # noqa: E731
    s0, drift = bl("social_workers.agency_share"), bl("drift.agency_share_per_year")
    target = ok("workforce.agency_share_target")
    b.add("agency_target", "Agency share aimed at once improving (none keeps the outset share)", "working", "fraction",
          f"=IF(ISNUMBER({target}),{target},{s0})", fmt="0.0000")
    b.add("agency_end_bau", "Agency share business as usual drifts to: 100% if it drifts, else the outset share",
          "working", "fraction", f"=IF({drift}>0,1,{s0})", fmt="0.0000")
    b.add("agency_share", "Agency share of social worker FTE (constant: the share it moves to)", "working", "fraction",
          f"=IF(improves_{k}=1,{b.E('agency_target')},{b.E('agency_end_bau')})",
          f"={s0}+($E{{r}}-{s0})*{T('agency_ramp')}", fmt="0.0000")
    fl, cnt = bl("legacy_placements.floor"), bl("legacy_placements.count")
    b.add("legacy_count", "Children in legacy placements (business as usual: no floor, growing at the drift)", "working",
          "children", None, f"={fl}*improves_{k}+({cnt}-{fl}*improves_{k})*{T('legacy_remaining')}", fmt="0.00")
    b.add("employed_cost", "Employed cost of a social worker: salary x (1 + on-cost rate)", "working", "GBP/yr",
          f"={bl('social_workers.salary')}*(1+{bl('social_workers.on_cost_rate')})")
    cin = bl("caseload.children_in_need")
    b.add("extra_fte", "Extra case holders: children in need / target per case holder - case-holding share x FTE "
          "(not below 0)", "working", "FTE", f"=MAX(0,{cin}/{bl('caseload.target_per_case_holder')}"
          f"-{bl('social_workers.case_holding_share')}*{bl('social_workers.fte')})", fmt="0.00")
    months = ok("transitional.months")
    b.add("transitional_built_up", "Transitional cost built up before optimism bias: other + team FTE x cost x months "
          "/ 12 + legal + due diligence", "working", "GBP",
          f"={ok('transitional.amount')}+{ok('transitional.team_fte')}*{ok('transitional.team_cost')}*{months}"
          f"/months_per_year+{ok('transitional.legal')}+{ok('transitional.due_diligence')}")
    e = bl("improvement_scaling.elasticity")
    b.add("improvement_scale", "Improvement estimate scaled to the council: (children in need / reference)^elasticity",
          "working", "factor", f"=IF({e}=0,1,({cin}/{bl('improvement_scaling.reference_children_in_need')})^{e})",
          fmt="0.000000")
    net = ok("improvement.net_of_caseload_uplift")
    b.add("journey_uplift", "Safe-core uplift during stabilise and implement, netted from improvement if it already "
          "pays for it", "working", "GBP", f"={b.E('extra_fte')}*{b.E('employed_cost')}*(journey_stabilise_months"
          f"+journey_implement_months)/months_per_year*{net}")
    write_one_off_workings(b, k)
    bias = ok("improvement.optimism_bias")
    for p in lv.PHASES:
        months = f"journey_{p}_months"
        split = ok(f"improvement.phase_split.{p}")
        b.add(f"improvement_{p}", f"Improvement in {p}: amount x (1 + optimism bias) x split / months", "working",
              "GBP/month", f"=IF({months}>0,{b.E('improvement_before_bias')}*(1+{bias})*{split}/{months},0)",
              f"=$E{{r}}*{T(f'{p}_active')}")


def write_one_off_workings(b, k: str) -> None:
    """Each one-off before and with its optimism bias (what the DfE's share and the month rows divide)."""
    ok = lambda s: b.lever(f"options.{k}.{s}")  # noqa: E731
    b.add("improvement_before_bias", "Improvement before optimism bias: max(0, total x scale - netted uplift)",
          "working", "GBP", f"=MAX(0,{ok('improvement.total')}*{b.E('improvement_scale')}-{b.E('journey_uplift')})")
    splits = "+".join(ok(f"improvement.phase_split.{p}") for p in lv.PHASES)
    b.add("phase_split_sum", "Sum of the improvement phase splits (1 when whole)", "working", "fraction",
          f"={splits}", fmt="0.000000")
    base = {"set_up": ok("set_up.amount"), "transitional": b.E("transitional_built_up"),
            "improvement": f"{b.E('improvement_before_bias')}*{b.E('phase_split_sum')}"}
    for part, amount in base.items():
        b.add(f"{part}_with_bias", f"{part.replace('_', '-').capitalize()} with optimism bias: amount x (1 + bias)",
              "working", "GBP", f"={amount}*(1+{ok(part + '.optimism_bias')})")


def line_formulas(b, k: str, o, tl: dict, weights: dict) -> dict[str, tuple[str | None, str | None]]:
    """Each cost line of option ``k`` as (constant in E, month template), mirroring ``engine.option_lines``."""
    ok = lambda s: b.lever(f"options.{k}.{s}")  # noqa: E731
    bl = lambda s: b.lever(f"baseline.{s}")  # noqa: E731
    T = lambda key: f"Timeline!{{c}}{tl[key]}"  # noqa: E731
    pay, placements = f"Timeline!{{c}}${weights['rpe_pay']}", f"Timeline!{{c}}${weights['rpe_placements']}"
    per = lambda part, months: f"=IF({months}>0,{b.E(part + '_with_bias')}/{months},0)"  # noqa: E731
    lc = b.rows["legacy_count"]
    saving_on = f"({T('from_journey_start')}-{T('from_saving_end')})"
    out = {
        "set_up": (per("set_up", ok("set_up.months")), f"=$E{{r}}*{T('set_up_active')}"),
        "transitional": (per("transitional", ok("transitional.months")), f"=$E{{r}}*{T('transitional_active')}"),
        "improvement": (None, f"=SUM({{c}}{b.rows['improvement_diagnosis']}:{{c}}{b.rows['improvement_sustain']})"),
        "core_service": (f"={bl('outset_spend')}/months_per_year", "=$E{r}"),
        "safe_core_uplift": (f"={b.E('extra_fte')}*{b.E('employed_cost')}/months_per_year*improves_{k}",
                             f"=$E{{r}}*{T('from_stabilise')}*{pay}"),
        "agency_premium": (f"={bl('social_workers.fte')}*{b.E('employed_cost')}*{bl('social_workers.agency_premium')}"
                           "/months_per_year", f"=$E{{r}}*{{c}}{b.rows['agency_share']}*{pay}"),
        "interim_leaders": (f"={bl('interim_leaders.count')}*{bl('interim_leaders.day_rate')}"
                            f"*{bl('interim_leaders.days_per_year')}/months_per_year",
                            f"=$E{{r}}*{T('interim_in_post')}*{pay}"),
        "management_fee": (f"={ok('leadership.management_fee')}/months_per_year", f"=$E{{r}}*{T('partnership_active')}"),
        "governance": (f"={ok('governance.annual_cost')}/months_per_year", f"=$E{{r}}*{T('from_journey_start')}"),
        "back_office": (f"={ok('back_office.annual_cost')}/months_per_year", f"=$E{{r}}*{T('from_journey_start')}"),
        "client_side": (f"={ok('client_side.annual_cost')}/months_per_year", f"=$E{{r}}*{T('from_journey_start')}"),
        "legacy_placements": ("=appraisal_weeks_per_year/months_per_year",
                              f"=({{c}}{lc}*{bl('legacy_placements.weekly_cost')}+improves_{k}*({bl('legacy_placements.count')}"
                              f"-{{c}}{lc})*{bl('legacy_placements.replacement_weekly_cost')})*$E{{r}}*{placements}"),
        "senior_team_saving": (f"=-{ok('leadership.senior_team_saving')}*{bl('senior_team.annual_cost')}/months_per_year",
                               f"=$E{{r}}*{saving_on}*{pay}"),
        "support_released": (f"=-{ok('back_office.council_support_released')}*{bl('support_services.annual_cost')}"
                             "/months_per_year", f"=$E{{r}}*{T('from_journey_start')}"),
        "efficiency": (f"=-{ok('efficiency.rate')}*{bl('outset_spend')}/months_per_year", f"=$E{{r}}*{T('efficiency_on')}"),
    }
    for s in o.support:
        out[SUPPORT_PREFIX + s] = (f"={ok(f'external_support.{s}.annual_cost')}/months_per_year",
                                   f"=$E{{r}}*{T(f'support_{s}_active')}")
    return out


def write_payer_rows(b, k: str, o) -> None:
    """The DfE's share of each one-off (its cash contribution over the cost with optimism bias, at most 1) and the
    part of the option's cost paid by central government, month by month (the council pays the rest)."""
    ok = lambda s: b.lever(f"options.{k}.{s}")  # noqa: E731
    terms = []
    for part in ("set_up", "transitional", "improvement"):
        cost = b.E(f"{part}_with_bias")
        b.add(f"dfe_share_{part}", f"Share of {part.replace('_', '-')} paid by the DfE: min(1, contribution / cost with "
              "optimism bias)", "working", "fraction", f"=IF({cost}>0,MIN(1,{ok(part + '.dfe_contribution')}/{cost}),0)",
              fmt="0.000000")
        terms.append(f"{{c}}{b.rows[part]}*{b.E('dfe_share_' + part)}")
    support = [f"{{c}}{b.rows[SUPPORT_PREFIX + s]}*{ok(f'external_support.{s}.dfe_share')}" for s in o.support]
    b.add("central_government_one_off", "Of the one-offs, paid by central government (DfE)", "payer", "GBP/month",
          None, "=" + "+".join(terms))
    b.add("central_government_support", "Of external support, paid by central government (DfE)", "payer", "GBP/month",
          None, "=" + ("+".join(support) or "0"))
    b.add("central_government", f"Paid by central government (DfE) within the total of {k}", "payer", "GBP/month",
          None, f"={{c}}{b.r - 2}+{{c}}{b.r - 1}")
