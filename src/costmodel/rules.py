"""Rules that tie levers together, checked whenever an assumption set is built or changed.

Each rule returns :class:`Problem` s naming the lever (and its file:line or cell) and what was
expected; :func:`costmodel.assumptions.build` and ``with_overrides`` raise them together. Rules that
only advise (optimism bias outside its Green Book category, improvement cost after the safe-core
month) are in :mod:`costmodel.plausibility`. No I/O; duck-typed on the assumption set so this module
sits below :mod:`costmodel.assumptions`.
"""
from __future__ import annotations

from . import levers as lv
from .errors import Problem
from .prices import financial_year_label, index_key


def check_rules(a) -> list[Problem]:
    """Every cross-lever rule: prices, horizon, floors, journeys, phase splits, one-off timing."""
    out: list[Problem] = []
    L = a.levers

    def bad(key, msg):
        lever = L.get(key) or L.get(key + ".diagnosis")  # a phase split names its first share's place
        out.append(Problem(lever.where if lever else "", key, msg))

    price_rules(a, bad)
    horizon_rules(a, bad)
    if L["baseline.legacy_placements.floor"].high > L["baseline.legacy_placements.count"].low:
        bad("baseline.legacy_placements.floor", "the floor cannot exceed the count of legacy placements")
    scaling = L["baseline.improvement_scaling.elasticity"]
    if scaling.high > 0 and L["baseline.improvement_scaling.reference_children_in_need"].central is None:
        bad("baseline.improvement_scaling.reference_children_in_need",
            "needed when baseline.improvement_scaling.elasticity is above 0 (the size the estimate was made for)")
    for o in a.options:
        option_rules(a, o, bad)
    return out


def price_rules(a, bad) -> None:
    """Every money lever's price year, and the base year, must be years of the index converting it."""
    pb = a.price_base_year
    plan = a.price_plan
    for k, (index, year) in plan.levers.items():
        if year == pb:
            continue
        if index is None:
            bad(k, f"price year {year} differs from appraisal.price_base_year {pb} and there is no price index to "
                   "convert it (add prices.yaml, or restate the figure in base-year prices)")
            continue
        if index not in a.prices.indices:
            continue  # named once below, for its price group
        for y in (year, pb):
            if index_key(index, y) not in a.levers:
                info = a.prices.indices[index]
                bad(k, f"the price index {index} has no {financial_year_label(y)} (it covers {financial_year_label(info.first_year)} "
                       f"to {financial_year_label(info.last_year)}): extend it in prices.yaml or change the price year")
    for group, index in a.prices.groups.items():
        if index not in a.prices.indices:
            bad(f"prices.groups.{group}", f"index {index!r} is not in prices.yaml ({', '.join(a.prices.indices) or 'none'})")


def horizon_rules(a, bad) -> None:
    months = a.months
    for k, l in a.levers.items():
        spec = l.spec
        if spec.is_month and l.high is not None and l.high >= months:
            bad(k, f"month {l.high:g} is beyond the horizon (months 0 to {months - 1} for {a.horizon_years} years)")
        if spec.unit == "year index" and l.high is not None and l.high >= a.horizon_years:
            bad(k, f"year {l.high:g} is beyond the horizon (years 0 to {a.horizon_years - 1})")


def option_rules(a, o, bad) -> None:
    """One option's rules: no journey for business as usual, phase splits, months to spend each cost."""
    L = a.levers
    pre = f"options.{o.key}."
    g = lambda s: L[pre + s]  # noqa: E731
    if not o.improves:
        for s in lv.JOURNEY_ONLY:
            lever = g(s)
            if lever.central not in (0, None) or lever.high not in (0, None):
                bad(pre + s, "business as usual has no improvement journey: remove this lever or give the option another model")
    splits = [g(f"improvement.phase_split.{p}") for p in lv.PHASES]
    if any(s.is_range for s in splits):
        bad(pre + "improvement.phase_split", "phase splits take one value each, not low / central / high")
    if o.improves and g("improvement.total").high > 0:
        total = sum(s.central for s in splits)
        if abs(total - 1.0) > 1e-9:
            bad(pre + "improvement.phase_split", f"phase splits sum to {total:.6g}, expected 1")
        for i, p in enumerate(lv.PHASES):
            if splits[i].central > 0 and L[f"journey.{p}_months"].low == 0:
                bad(pre + f"improvement.phase_split.{p}", f"the {p} phase has no months but a share of improvement cost")
    for part in ("set_up", "transitional"):
        amount = g(f"{part}.amount").high
        if part == "transitional":
            amount += g("transitional.legal").high + g("transitional.due_diligence").high + \
                g("transitional.team_fte").high * g("transitional.team_cost").high
        if amount > 0 and g(f"{part}.months").low <= 0:
            bad(pre + f"{part}.months", f"at least 1 month is needed to spend the {part.replace('_', '-')} cost")
    for name in o.support:
        if g(f"external_support.{name}.annual_cost").high > 0 and g(f"external_support.{name}.months").low <= 0:
            bad(pre + f"external_support.{name}.months", "at least 1 month is needed for a support item with a cost")
    tgt = g("workforce.agency_share_target")
    if tgt.central is not None and o.improves and g("workforce.years_to_target").is_default:
        bad(pre + "workforce.years_to_target", "needed when an agency share target is set")
