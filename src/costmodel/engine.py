"""Assemble every cost line for every option over the scenario axis into a :class:`CostTable`.

Inputs are the lever values as arrays over scenarios (shape ``(S,)``; one scenario is ``S = 1``);
the only Python loops are over options and cost lines, never over scenarios, months or years.
Lines are defined by month (``cost_lines``); :func:`run` evaluates them on the financial-year grid,
where every timing flag counts months, so each line comes out as its exact annual sum (tested
against the monthly grid summed with :func:`costmodel.timeline.to_years`). Memory holds one
``S × years`` line at a time plus the ``S × options × lines × years`` result.

Money values arrive in base-year prices (:meth:`costmodel.assumptions.Assumptions.values` converts them).
Each line then carries its price index's relative price effect (pay, placements) year by year, and
:func:`run` records the part of each line paid by central government (the DfE's contributions and
shares of support items) beside the total, so the appraisal can split present value by payer.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from . import cost_lines as cl
from .assumptions import Assumptions, Option, financial_year
from .levers import PHASES
from .prices import relative_price_factors
from .line_values import RELATIVE_PRICE_INDICES, SUPPORT_PREFIX
from .line_values import option_present_values as option_present_values  # present values without the table (Monte Carlo)
from .timeline import Periods, month_grid, nothing, to_years, year_grid

#: Fixed lines in table order: (line, category, price index). The index says which relative price
#: effect moves the line in real terms (``pay``, ``placements``; ``general`` has none) and which
#: inflation turns it into cash. External-support items follow ``client_side`` as ``external_support:<name>``.
FIXED_LINES: tuple[tuple[str, str, str], ...] = (
    ("set_up", "set_up", "general"),
    ("transitional", "transitional", "general"),
    ("improvement", "improvement", "general"),
    ("core_service", "recurring", "general"),
    ("safe_core_uplift", "recurring", "pay"),
    ("agency_premium", "recurring", "pay"),
    ("interim_leaders", "recurring", "pay"),
    ("management_fee", "recurring", "general"),
    ("governance", "recurring", "general"),
    ("back_office", "recurring", "general"),
    ("client_side", "recurring", "general"),
    ("legacy_placements", "legacy", "placements"),
    ("senior_team_saving", "saving", "pay"),
    ("support_released", "saving", "general"),
    ("efficiency", "saving", "general"),
)
#: External-support items are the lines ``external_support:<name>``; price indices with a relative price
#: effect lever (``appraisal.relative_price.<index>``): both from :mod:`costmodel.line_values`.


# eq and repr left out (arrays compare element by element and print at length; nothing compares or prints one), so
# the class is quicker to define: the start-up time of ``costmodel compare``. Still frozen.
@dataclass(frozen=True, eq=False, repr=False)
class CostTable:
    """Annual costs, GBP, as one array ``S × options × lines × years`` with its labels.

    ``terms`` is ``real`` (prices of ``price_base_year``) or ``nominal``; never mixed in one table.
    ``safe_service_month`` is ``S × options``: the month a safe core service is reached, NaN for none.
    """

    values: np.ndarray
    scenarios: tuple[str, ...]
    options: tuple[str, ...]
    lines: tuple[str, ...]
    categories: tuple[str, ...]
    indices: tuple[str, ...]
    start_year: int
    price_base_year: int
    safe_service_month: np.ndarray
    terms: str = "real"
    central_government: np.ndarray | None = None  #: the part of ``values`` paid by central government (DfE), same shape

    def payer_values(self, payer: str) -> np.ndarray:
        """``values`` paid by ``council`` or ``central_government`` (the two sum to ``values``)."""
        central = np.zeros_like(self.values) if self.central_government is None else self.central_government
        if payer == "central_government":
            return central
        if payer == "council":
            return self.values - central
        raise ValueError(f"payer must be council or central_government, got {payer!r}")

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.values.shape[-1]))

    @property
    def financial_years(self) -> tuple[str, ...]:
        return tuple(financial_year(self.start_year + t) for t in self.years)

    def by_category(self) -> np.ndarray:
        """``S × options × categories × years`` in the order of ``cost_lines.CATEGORIES``."""
        cats = np.array(self.categories)
        return np.stack([self.values[:, :, cats == c, :].sum(axis=2) for c in cl.CATEGORIES], axis=2)

    def total(self) -> np.ndarray:
        """``S × options × years``: every line summed."""
        return self.values.sum(axis=2)

    def line(self, option: str, line: str) -> np.ndarray:
        """``S × years`` for one option and line."""
        return self.values[:, self.options.index(option), self.lines.index(line), :]


def table_lines(options: tuple[Option, ...]) -> list[tuple[str, str, str]]:
    """The line axis: fixed lines with every option's external-support items after ``client_side``."""
    names = []
    for o in options:
        names += [n for n in o.support if n not in names]
    cut = [l for l, _, _ in FIXED_LINES].index("client_side") + 1
    support = [(SUPPORT_PREFIX + n, "recurring", "general") for n in names]
    return list(FIXED_LINES[:cut]) + support + list(FIXED_LINES[cut:])


def scenario_count(values: Mapping[str, np.ndarray]) -> int:
    """The length of the scenario axis: every array has length 1 or S."""
    sizes = {np.asarray(v).shape[0] for v in values.values()}
    sizes.discard(1)
    if len(sizes) > 1:
        raise ValueError(f"lever arrays have different scenario counts: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def safe_service_month(option: Option, v: Mapping[str, np.ndarray]) -> np.ndarray:
    """Month a safe core service is reached, ``(S,)``: ``J + diagnosis + stabilise + implement``; NaN for none."""
    if not option.improves:
        return np.full(np.asarray(v["journey.diagnosis_months"]).shape, np.nan)
    J = np.asarray(v[f"options.{option.key}.mobilisation_months"], dtype=float)
    return J + v["journey.diagnosis_months"] + v["journey.stabilise_months"] + v["journey.implement_months"]


def journey_starts(option: Option, v: Mapping[str, np.ndarray]):
    """``(J, phase starts, phase months)``: the month the journey starts and each phase's start and length
    (each phase starts where the one before ends: ``J``, ``J + d``, ``J + d + s``, …)."""
    J = v[f"options.{option.key}.mobilisation_months"] if option.improves else np.zeros(1)
    phase_months = [v[f"journey.{p}_months"] for p in PHASES]
    starts = [J]
    for months in phase_months[:-1]:
        starts.append(starts[-1] + months)
    return J, starts, phase_months


def extra_case_holders(v: Mapping[str, np.ndarray]) -> np.ndarray:
    """Case-holding FTE the target caseload needs beyond those in post, ``S × 1`` (the safe-core uplift's FTE)."""
    b = lambda k: v[f"baseline.{k}"]  # noqa: E731
    return cl.extra_case_holders(b("caseload.children_in_need"), b("caseload.target_per_case_holder"),
                                 b("social_workers.case_holding_share"), b("social_workers.fte"))


def one_off_amounts(option: Option, v: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each one-off cost of an option before optimism bias, GBP, ``S × 1``: set-up, transitional, improvement.

    Improvement is the estimate scaled to the council's size, less the safe-core uplift paid during
    the journey (stabilise and implement) when the estimate already includes it.
    """
    o = lambda k: v[f"options.{option.key}.{k}"]  # noqa: E731
    b = lambda k: v[f"baseline.{k}"]  # noqa: E731
    scale = cl.improvement_scale(b("caseload.children_in_need"), b("improvement_scaling.reference_children_in_need"),
                                 b("improvement_scaling.elasticity"))
    journey = (v["journey.stabilise_months"] + v["journey.implement_months"]) / 12.0
    net = (extra_case_holders(v) * cl.employed_cost(b("social_workers.salary"), b("social_workers.on_cost_rate"))
           * cl._col(journey) * cl._col(o("improvement.net_of_caseload_uplift")))
    return {
        "set_up": cl._col(o("set_up.amount")),
        "transitional": cl.transitional_amount(o("transitional.amount"), o("transitional.team_fte"), o("transitional.team_cost"),
                                               o("transitional.months"), o("transitional.legal"), o("transitional.due_diligence")),
        "improvement": cl.improvement_before_bias(o("improvement.total"), scale, net),
    }


def option_lines(option: Option, v: Mapping[str, np.ndarray], m: np.ndarray) -> dict[str, np.ndarray]:
    """Every cost line of one option, GBP per month, ``S × months`` each (generated lazily by the caller).

    Real terms at the price base, before any relative price effect (applied per line by the caller).
    :mod:`costmodel.line_values` gives the same lines' present values directly (Monte Carlo).
    """
    o = lambda k: v[f"options.{option.key}.{k}"]  # noqa: E731
    b = lambda k: v[f"baseline.{k}"]  # noqa: E731
    J, starts, phase_months = journey_starts(option, v)
    amounts = one_off_amounts(option, v)
    share = lambda: agency_path(option, v, J, m)  # noqa: E731
    n = lambda: legacy_path(option, v, J, m)  # noqa: E731
    replacement = b("legacy_placements.replacement_weekly_cost") if option.improves else np.zeros(1)
    lines = {
        "set_up": lambda: cl.one_off(amounts["set_up"], o("set_up.optimism_bias"), o("set_up.start_month"), o("set_up.months"), m),
        "transitional": lambda: cl.one_off(amounts["transitional"], o("transitional.optimism_bias"), o("transitional.start_month"),
                                           o("transitional.months"), m),
        "improvement": lambda: cl.improvement(amounts["improvement"], o("improvement.optimism_bias"), J, phase_months,
                                              [o(f"improvement.phase_split.{p}") for p in PHASES], m),
        "core_service": lambda: cl.core_service(b("outset_spend"), m),
        "safe_core_uplift": lambda: cl.safe_core_uplift(extra_case_holders(v), b("social_workers.salary"),
                                                        b("social_workers.on_cost_rate"), starts[1], m)
        if option.improves else nothing(m),
        "agency_premium": lambda: cl.agency_premium(b("social_workers.fte"), share(), b("social_workers.salary"),
                                                    b("social_workers.on_cost_rate"), b("social_workers.agency_premium")),
        "interim_leaders": lambda: cl.interim_leaders(b("interim_leaders.count"), b("interim_leaders.day_rate"),
                                                      b("interim_leaders.days_per_year"), o("leadership.interim_end_month"), m),
        "management_fee": lambda: cl.management_fee(o("leadership.management_fee"), o("leadership.partnership_months"), m),
        "governance": lambda: cl.annual_from(o("governance.annual_cost"), J, m),
        "back_office": lambda: cl.annual_from(o("back_office.annual_cost"), J, m),
        "client_side": lambda: cl.annual_from(o("client_side.annual_cost"), J, m),
        "legacy_placements": lambda: cl.legacy_placements(b("legacy_placements.count"), n(), b("legacy_placements.weekly_cost"),
                                                          replacement, v["appraisal.weeks_per_year"], m),
        "senior_team_saving": lambda: cl.senior_team_saving(o("leadership.senior_team_saving"), b("senior_team.annual_cost"), J,
                                                            o("leadership.partnership_months"), m),
        "support_released": lambda: cl.support_released(o("back_office.council_support_released"),
                                                        b("support_services.annual_cost"), J, m),
        "efficiency": lambda: cl.efficiency(o("efficiency.rate"), b("outset_spend"), o("efficiency.from_year"), m),
    }
    for name in option.support:
        s = lambda k, name=name: o(f"external_support.{name}.{k}")  # noqa: E731
        lines[SUPPORT_PREFIX + name] = lambda s=s: cl.external_support(s("annual_cost"), s("start_month"), s("months"), m)
    return lines


def agency_path(option: Option, v: Mapping[str, np.ndarray], J, m):
    """The agency share by month: to the option's target from ``J``, or under business as usual rising by
    ``baseline.drift.agency_share_per_year`` from month 0 (to at most 1)."""
    o = lambda k: v[f"options.{option.key}.{k}"]  # noqa: E731
    s0 = v["baseline.social_workers.agency_share"]
    if option.improves:
        return cl.agency_share_path(s0, o("workforce.agency_share_target"), J, o("workforce.years_to_target"), m)
    d = np.asarray(v["baseline.drift.agency_share_per_year"], dtype=float)
    rising = d > 0
    years = np.divide(1.0 - np.asarray(s0, dtype=float), d, out=np.zeros(np.broadcast(s0, d).shape), where=rising)
    return cl.agency_share_path(s0, np.where(rising, 1.0, np.nan), 0.0, years, m)


def legacy_path(option: Option, v: Mapping[str, np.ndarray], J, m):
    """Children in legacy placements: stepping down to the floor from ``J``, or under business as usual
    growing by ``baseline.drift.legacy_placements_per_year`` from month 0."""
    b = lambda k: v[f"baseline.legacy_placements.{k}"]  # noqa: E731
    if option.improves:
        return cl.legacy_count(b("count"), b("floor"), v[f"options.{option.key}.legacy.step_down_per_year"], J, m)
    return cl.legacy_count(b("count"), 0.0, -np.asarray(v["baseline.drift.legacy_placements_per_year"], dtype=float), 0.0, m)


def central_government_shares(option: Option, v: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The share of each line paid by central government (DfE), ``S × 1``; lines not named are the council's.

    A one-off's DfE contribution is cash: it pays ``min(1, contribution / cost with optimism bias)`` of
    the line, in step with its timing (an overrun falls on the council). An external-support item's
    ``dfe_share`` is its share.
    """
    o = lambda k: v[f"options.{option.key}.{k}"]  # noqa: E731
    out = {}
    amounts = one_off_amounts(option, v)
    split = sum(cl._col(o(f"improvement.phase_split.{p}")) for p in PHASES)
    for part, amount in amounts.items():
        paid = cl._col(o(f"{part}.dfe_contribution"))
        if not np.any(paid):
            continue
        cost = amount * (1.0 + cl._col(o(f"{part}.optimism_bias"))) * (split if part == "improvement" else 1.0)
        out[part] = np.divide(np.minimum(paid, cost), cost, out=np.zeros(np.broadcast_shapes(paid.shape, cost.shape)),
                              where=cost > 0)
    for name in option.support:
        share = cl._col(o(f"external_support.{name}.dfe_share"))
        if np.any(share):
            out[SUPPORT_PREFIX + name] = share
    return out


def relative_price_weights(v: Mapping[str, np.ndarray], years: int) -> dict[str, np.ndarray]:
    """Real growth of each price index from the price base, ``S × years`` (or ``1 × years``): 1 for general.

    ``(1 + appraisal.relative_price.<index>)^(start_year + t − price_base_year)`` (Green Book 5.13).
    """
    start = int(np.asarray(v["appraisal.start_year"]).reshape(-1)[0])
    base = int(np.asarray(v["appraisal.price_base_year"]).reshape(-1)[0])
    out = {"general": np.ones((1, years))}
    for index in RELATIVE_PRICE_INDICES:
        out[index] = relative_price_factors(v[f"appraisal.relative_price.{index}"], start, base, years)
    return out


def annual_lines(assumptions: Assumptions, v: Mapping[str, np.ndarray], S: int, grid=None, payer: bool = False):
    """``(S × options × lines × years costs, S × options safe-service month, line spec[, central government part])``.

    On ``grid``: the financial-year grid (default) or the month grid (:func:`month_grid`), whose
    monthly lines are summed to years: the reference the year grid is tested against. Each line is
    multiplied by its index's relative price weights. With ``payer``, also the part of each line
    paid by central government (same shape).
    """
    m = month_grid(assumptions.months) if grid is None else grid
    spec = table_lines(assumptions.options)
    names = [l for l, _, _ in spec]
    index = {l: x for l, _, x in spec}
    Y = assumptions.horizon_years
    weights = relative_price_weights(v, Y)
    out = np.zeros((S, len(assumptions.options), len(names), Y))
    central = np.zeros_like(out) if payer else None
    safe = np.zeros((S, len(assumptions.options)))
    for i, option in enumerate(assumptions.options):
        shares = central_government_shares(option, v) if payer else {}
        for name, make in option_lines(option, v, m).items():
            line = make()
            line = (line if isinstance(m, Periods) else to_years(line)) * weights[index[name]]
            out[:, i, names.index(name), :] = line
            if name in shares:
                central[:, i, names.index(name), :] = line * shares[name]
        safe[:, i] = np.broadcast_to(safe_service_month(option, v), (S,))
    return (out, safe, spec, central) if payer else (out, safe, spec)


def run(assumptions: Assumptions, values: Mapping[str, np.ndarray] | None = None,
        scenarios: tuple[str, ...] | None = None) -> CostTable:
    """Cost every option under every scenario: a :class:`CostTable` in real terms at the price base.

    ``values`` maps every lever key to an array over scenarios, money in base-year prices (default:
    :meth:`Assumptions.values`, the central values, one scenario). ``scenarios`` names them (default
    ``central`` or ``0 … S−1``). The table carries the part of each line paid by central government.
    """
    v = dict(assumptions.values() if values is None else values)
    S = scenario_count(v)
    if scenarios is None:
        scenarios = ("central",) if S == 1 else tuple(str(i) for i in range(S))
    out, safe, spec, central = annual_lines(assumptions, v, S, year_grid(assumptions.months), payer=True)
    return CostTable(values=out, scenarios=tuple(scenarios), options=assumptions.option_keys, lines=tuple(l for l, _, _ in spec),
                     categories=tuple(c for _, c, _ in spec), indices=tuple(x for _, _, x in spec),
                     start_year=assumptions.start_year, price_base_year=assumptions.price_base_year,
                     safe_service_month=safe, central_government=central)
