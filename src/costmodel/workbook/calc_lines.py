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


def n(key: str) -> str:
    """The defined name of a lever key."""
    return lv.defined_name(key)


def write_workings(add, rows: dict, k: str, T) -> None:
    """An option's working rows: agency share, legacy count, employed cost, case holders, one-off amounts."""
    ok = lambda s: n(f"options.{k}.{s}")  # noqa: E731
    b = lambda s: n(f"baseline.{s}")  # noqa: E731
    s0, target, drift = b("social_workers.agency_share"), ok("workforce.agency_share_target"), b("drift.agency_share_per_year")
    add("agency_share", "Agency share of social worker FTE (constant: the target, none keeps the outset share; "
        "business as usual: 100% if it drifts, else the outset share)", "working", "fraction",
        f"=improves_{k}*IF(ISNUMBER({target}),{target},{s0})+(1-improves_{k})*IF({drift}>0,1,{s0})",
        f"={s0}+($E{{r}}-{s0})*{T('agency_ramp')}", fmt="0.0000")
    fl, cnt = b("legacy_placements.floor"), b("legacy_placements.count")
    add("legacy_count", "Children in legacy placements (business as usual: no floor, growing at the drift)", "working",
        "children", None, f"={fl}*improves_{k}+({cnt}-{fl}*improves_{k})*{T('legacy_remaining')}", fmt="0.00")
    add("employed_cost", "Employed cost of a social worker: salary x (1 + on-cost rate)", "working", "GBP/yr",
        f"={b('social_workers.salary')}*(1+{b('social_workers.on_cost_rate')})")
    add("extra_fte", "Extra case holders: children in need / target per case holder - case-holding share x FTE "
        "(not below 0)", "working", "FTE", f"=MAX(0,{b('caseload.children_in_need')}/{b('caseload.target_per_case_holder')}"
        f"-{b('social_workers.case_holding_share')}*{b('social_workers.fte')})", fmt="0.00")
    add("transitional_built_up", "Transitional cost built up before optimism bias: other + team FTE x cost x months / 12 "
        "+ legal + due diligence", "working", "GBP",
        f"={ok('transitional.amount')}+{ok('transitional.team_fte')}*{ok('transitional.team_cost')}*{ok('transitional.months')}/12"
        f"+{ok('transitional.legal')}+{ok('transitional.due_diligence')}")
    e = b("improvement_scaling.elasticity")
    add("improvement_scale", "Improvement estimate scaled to the council: (children in need / reference)^elasticity",
        "working", "factor", f"=IF({e}=0,1,({b('caseload.children_in_need')}/"
        f"{b('improvement_scaling.reference_children_in_need')})^{e})", fmt="0.000000")
    add("journey_uplift", "Safe-core uplift during stabilise and implement, netted from improvement if it already pays "
        "for it", "working", "GBP", f"=$E${rows['extra_fte']}*$E${rows['employed_cost']}*(journey_stabilise_months"
        f"+journey_implement_months)/12*{ok('improvement.net_of_caseload_uplift')}")
    add("improvement_before_bias", "Improvement before optimism bias: max(0, total x scale - netted uplift)", "working",
        "GBP", f"=MAX(0,{ok('improvement.total')}*$E${rows['improvement_scale']}-$E${rows['journey_uplift']})")
    for p in lv.PHASES:
        months = f"journey_{p}_months"
        add(f"improvement_{p}", f"Improvement in {p}: amount x (1 + optimism bias) x split / months", "working", "GBP/month",
            f"=IF({months}>0,$E${rows['improvement_before_bias']}*(1+{ok('improvement.optimism_bias')})"
            f"*{ok(f'improvement.phase_split.{p}')}/{months},0)", f"=$E{{r}}*{T(f'{p}_active')}")


def line_formulas(k: str, o, tl: dict, weights: dict, rows: dict) -> dict[str, tuple[str | None, str | None]]:
    """Each cost line of option ``k`` as (constant in E, month template), mirroring ``engine.option_lines``."""
    ok = lambda s: n(f"options.{k}.{s}")  # noqa: E731
    b = lambda s: n(f"baseline.{s}")  # noqa: E731
    T = lambda key: f"Timeline!{{c}}{tl[key]}"  # noqa: E731
    pay, placements = f"Timeline!{{c}}{weights['rpe_pay']}", f"Timeline!{{c}}{weights['rpe_placements']}"
    per = lambda amount, part, months: f"=IF({months}>0,{amount}*(1+{ok(part + '.optimism_bias')})/{months},0)"  # noqa: E731
    lc = rows["legacy_count"]
    saving_on = f"({T('from_journey_start')}-{T('from_saving_end')})"
    out = {
        "set_up": (per(ok("set_up.amount"), "set_up", ok("set_up.months")), f"=$E{{r}}*{T('set_up_active')}"),
        "transitional": (per(f"$E${rows['transitional_built_up']}", "transitional", ok("transitional.months")),
                         f"=$E{{r}}*{T('transitional_active')}"),
        "improvement": (None, f"=SUM({{c}}{rows['improvement_diagnosis']}:{{c}}{rows['improvement_sustain']})"),
        "core_service": (f"={b('outset_spend')}/12", "=$E{r}"),
        "safe_core_uplift": (f"=$E${rows['extra_fte']}*$E${rows['employed_cost']}/12*improves_{k}",
                             f"=$E{{r}}*{T('from_stabilise')}*{pay}"),
        "agency_premium": (f"={b('social_workers.fte')}*$E${rows['employed_cost']}*{b('social_workers.agency_premium')}/12",
                           f"=$E{{r}}*{{c}}{rows['agency_share']}*{pay}"),
        "interim_leaders": (f"={b('interim_leaders.count')}*{b('interim_leaders.day_rate')}*{b('interim_leaders.days_per_year')}/12",
                            f"=$E{{r}}*{T('interim_in_post')}*{pay}"),
        "management_fee": (f"={ok('leadership.management_fee')}/12", f"=$E{{r}}*{T('partnership_active')}"),
        "governance": (f"={ok('governance.annual_cost')}/12", f"=$E{{r}}*{T('from_journey_start')}"),
        "back_office": (f"={ok('back_office.annual_cost')}/12", f"=$E{{r}}*{T('from_journey_start')}"),
        "client_side": (f"={ok('client_side.annual_cost')}/12", f"=$E{{r}}*{T('from_journey_start')}"),
        "legacy_placements": ("=appraisal_weeks_per_year/12",
                              f"=({{c}}{lc}*{b('legacy_placements.weekly_cost')}+improves_{k}*({b('legacy_placements.count')}"
                              f"-{{c}}{lc})*{b('legacy_placements.replacement_weekly_cost')})*$E{{r}}*{placements}"),
        "senior_team_saving": (f"=-{ok('leadership.senior_team_saving')}*{b('senior_team.annual_cost')}/12",
                               f"=$E{{r}}*{saving_on}*{pay}"),
        "support_released": (f"=-{ok('back_office.council_support_released')}*{b('support_services.annual_cost')}/12",
                             f"=$E{{r}}*{T('from_journey_start')}"),
        "efficiency": (f"=-{ok('efficiency.rate')}*{b('outset_spend')}/12", f"=$E{{r}}*{T('efficiency_on')}"),
    }
    for s in o.support:
        out[SUPPORT_PREFIX + s] = (f"={ok(f'external_support.{s}.annual_cost')}/12", f"=$E{{r}}*{T(f'support_{s}_active')}")
    return out


def write_payer_rows(add, rows: dict, k: str, o) -> None:
    """The DfE's share of each one-off (its cash contribution over the cost with optimism bias, at most 1) and the
    part of the option's cost paid by central government, month by month (the council pays the rest)."""
    ok = lambda s: n(f"options.{k}.{s}")  # noqa: E731
    splits = "+".join(ok(f"improvement.phase_split.{p}") for p in lv.PHASES)
    costs = {
        "set_up": f"{ok('set_up.amount')}*(1+{ok('set_up.optimism_bias')})",
        "transitional": f"$E${rows['transitional_built_up']}*(1+{ok('transitional.optimism_bias')})",
        "improvement": f"$E${rows['improvement_before_bias']}*(1+{ok('improvement.optimism_bias')})*({splits})",
    }
    terms = []
    for part, cost in costs.items():
        add(f"dfe_share_{part}", f"Share of {part.replace('_', '-')} paid by the DfE: min(1, contribution / cost with "
            "optimism bias)", "working", "fraction", f"=IF({cost}>0,MIN(1,{ok(part + '.dfe_contribution')}/({cost})),0)",
            fmt="0.000000")
        terms.append(f"{{c}}{rows[part]}*$E${rows['dfe_share_' + part]}")
    terms += [f"{{c}}{rows[SUPPORT_PREFIX + s]}*{ok(f'external_support.{s}.dfe_share')}" for s in o.support]
    add("central_government", f"Paid by central government (DfE) within the total of {k}", "payer", "GBP/month", None,
        "=" + "+".join(terms))
