"""Assemble every cost line for every option over the scenario axis into a :class:`CostTable`.

Inputs are the lever values as arrays over scenarios (shape ``(S,)``; one scenario is ``S = 1``);
the only Python loops are over options and cost lines, never over scenarios, months or years.
Lines are defined by month (``cost_lines``); :func:`run` evaluates them on the financial-year grid,
where every timing flag counts months, so each line comes out as its exact annual sum (tested
against the monthly grid summed with :func:`costmodel.timeline.to_years`). Memory holds one
``S × years`` line at a time plus the ``S × options × lines × years`` result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from . import cost_lines as cl
from .assumptions import Assumptions, Option, financial_year
from .discounting import discount_factors
from .levers import PHASES
from .timeline import Periods, discounted_grid, month_grid, nothing, to_years, year_grid

#: Fixed lines in table order: (line, category, inflation index for nominal outputs).
#: External-support items follow ``client_side`` as ``external_support:<name>``.
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
    ("client_side", "recurring", "general"),
    ("legacy_placements", "legacy", "placements"),
    ("senior_team_saving", "saving", "pay"),
    ("efficiency", "saving", "general"),
)
SUPPORT_PREFIX = "external_support:"


@dataclass(frozen=True)
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


def option_lines(option: Option, v: Mapping[str, np.ndarray], m: np.ndarray) -> dict[str, np.ndarray]:
    """Every cost line of one option, GBP per month, ``S × months`` each (generated lazily by the caller)."""
    o = lambda k: v[f"options.{option.key}.{k}"]  # noqa: E731
    b = lambda k: v[f"baseline.{k}"]  # noqa: E731
    ob = o("optimism_bias")
    J = o("mobilisation_months") if option.improves else np.zeros(1)
    phase_months = [v[f"journey.{p}_months"] for p in PHASES]
    starts = [J + sum(phase_months[:i]) for i in range(len(PHASES))]
    share = cl.agency_share_path(b("social_workers.agency_share"), o("workforce.agency_share_target"), J,
                                 o("workforce.years_to_target"), m)
    n = cl.legacy_count(b("legacy_placements.count"), b("legacy_placements.floor"), o("legacy.step_down_per_year"), J, m)
    transitional = cl.transitional_amount(o("transitional.amount"), o("transitional.team_fte"), o("transitional.team_cost"),
                                          o("transitional.months"), o("transitional.legal"), o("transitional.due_diligence"))
    lines = {
        "set_up": lambda: cl.one_off(o("set_up.amount"), ob, o("set_up.start_month"), o("set_up.months"), m),
        "transitional": lambda: cl.one_off(transitional, ob, o("transitional.start_month"), o("transitional.months"), m),
        "improvement": lambda: cl.improvement(o("improvement.total"), ob, starts, phase_months,
                                              [o(f"improvement.phase_split.{p}") for p in PHASES], m),
        "core_service": lambda: cl.core_service(b("outset_spend"), m),
        "safe_core_uplift": lambda: cl.safe_core_uplift(
            b("caseload.children_in_need"), b("caseload.target_per_worker"), b("social_workers.fte"),
            b("social_workers.salary"), b("social_workers.on_cost_rate"), starts[1], m) if option.improves else nothing(m),
        "agency_premium": lambda: cl.agency_premium(b("social_workers.fte"), share, b("social_workers.salary"),
                                                    b("social_workers.on_cost_rate"), b("social_workers.agency_premium")),
        "interim_leaders": lambda: cl.interim_leaders(b("interim_leaders.count"), b("interim_leaders.day_rate"),
                                                      b("interim_leaders.days_per_year"), o("leadership.interim_end_month"), m),
        "management_fee": lambda: cl.annual_from(o("leadership.management_fee"), 0.0, m),
        "governance": lambda: cl.annual_from(o("governance.annual_cost"), J, m),
        "client_side": lambda: cl.annual_from(o("client_side.annual_cost"), J, m),
        "legacy_placements": lambda: cl.legacy_placements(b("legacy_placements.count"), n, b("legacy_placements.weekly_cost"),
                                                          b("legacy_placements.replacement_weekly_cost"), v["appraisal.weeks_per_year"], m),
        "senior_team_saving": lambda: cl.senior_team_saving(o("leadership.senior_team_saving"), b("senior_team.annual_cost"), J, m),
        "efficiency": lambda: cl.efficiency(o("efficiency.rate"), b("outset_spend"), o("efficiency.from_year"), m),
    }
    for name in option.support:
        s = lambda k, name=name: o(f"external_support.{name}.{k}")  # noqa: E731
        lines[SUPPORT_PREFIX + name] = lambda s=s: cl.external_support(s("annual_cost"), s("start_month"), s("months"), m)
    return lines


def annual_lines(assumptions: Assumptions, v: Mapping[str, np.ndarray], S: int, grid=None):
    """``(S × options × lines × years costs, S × options safe-service month, line spec)`` on ``grid``.

    ``grid`` is the financial-year grid (default) or the month grid (:func:`month_grid`), whose
    monthly lines are then summed to years: the reference the year grid is tested against.
    """
    m = month_grid(assumptions.months) if grid is None else grid
    spec = table_lines(assumptions.options)
    names = [l for l, _, _ in spec]
    out = np.zeros((S, len(assumptions.options), len(names), assumptions.horizon_years))
    safe = np.zeros((S, len(assumptions.options)))
    for i, option in enumerate(assumptions.options):
        for name, make in option_lines(option, v, m).items():
            line = make()
            out[:, i, names.index(name), :] = line if isinstance(m, Periods) else to_years(line)
        safe[:, i] = np.broadcast_to(safe_service_month(option, v), (S,))
    return out, safe, spec


def run(assumptions: Assumptions, values: Mapping[str, np.ndarray] | None = None,
        scenarios: tuple[str, ...] | None = None) -> CostTable:
    """Cost every option under every scenario: a :class:`CostTable` in real terms at the price base.

    ``values`` maps every lever key to an array over scenarios (default: the central values,
    one scenario). ``scenarios`` names them (default ``central`` or ``0 … S−1``).
    """
    v = dict(assumptions.values() if values is None else values)
    S = scenario_count(v)
    if scenarios is None:
        scenarios = ("central",) if S == 1 else tuple(str(i) for i in range(S))
    out, safe, spec = annual_lines(assumptions, v, S, year_grid(assumptions.months))
    return CostTable(values=out, scenarios=tuple(scenarios), options=assumptions.option_keys, lines=tuple(l for l, _, _ in spec),
                     categories=tuple(c for _, c, _ in spec), indices=tuple(x for _, _, x in spec),
                     start_year=assumptions.start_year, price_base_year=assumptions.price_base_year,
                     safe_service_month=safe)


def option_present_values(options: tuple[Option, ...], horizon_years: int, v: Mapping[str, np.ndarray],
                          S: int) -> np.ndarray:
    """Present value of every option, ``S × options``, GBP real at the price base, without the cost table.

    When the discount factors are the same for every scenario (the discount rates are not varied),
    each line is costed on the :class:`costmodel.timeline.Discounted` grid, which gives its present
    value directly (``S`` numbers a line instead of ``S × years``); otherwise on the financial-year
    grid, discounted per scenario. Both equal ``appraise(run(...)).present_value`` to rounding.
    """
    f = discount_factors(horizon_years, v["appraisal.discount_rate"], v["appraisal.discount_rate_long"],
                         v["appraisal.mid_year_discounting"])
    out = np.empty((S, len(options)))
    if f.shape[0] == 1:
        grid = discounted_grid(12 * horizon_years, f)
        total = np.empty((S, 1))
        for i, option in enumerate(options):
            total.fill(0.0)
            for make in option_lines(option, v, grid).values():
                total += make()
            out[:, i] = total[:, 0]
        return out
    grid = year_grid(12 * horizon_years)
    for i, option in enumerate(options):
        total = np.zeros((S, horizon_years))
        for make in option_lines(option, v, grid).values():
            total += make()
        out[:, i] = (total * f).sum(axis=-1)
    return out
