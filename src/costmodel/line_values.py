"""Present value of every cost line for many scenarios at once: the engine Monte Carlo runs. Pure numpy.

Each line is the line :func:`costmodel.engine.option_lines` builds from :mod:`costmodel.cost_lines`
(the same levers, amounts and timing), with every timing flag replaced by its discounted sum on
the grid of the line's price index (:mod:`costmodel.discounted`): ``general`` for most lines, ``pay``
(safe-core uplift, agency premium, interim leaders, senior team saving) and ``placements`` (legacy
placements) weighted by their relative price effect as well. A line then costs a few passes over the
scenarios instead of one a month, and the amounts shared by every option (the employed cost of a
social worker, the extra case holders, the improvement scale) are worked out once a pass. Tested
line by line against the monthly definition summed to years and discounted (to 1e-12).

Arguments are lever arrays over scenarios (length ``S`` or 1, money in base-year prices); results
are columns ``S × 1`` (``1 × 1`` for a line that is the same in every scenario).
"""
from __future__ import annotations

from typing import Iterator, Mapping

import numpy as np

from . import compiled_engine
from . import cost_lines as cl
from .discounted import Discounted, Workspace, decay_sum, from_month, ramp_sum, spread_flag, until_month
from .discounting import discount_factors
from .levers import PHASES
from .timeline import _col, is_zero, per_month, year_grid

SUPPORT_PREFIX = "external_support:"  #: external-support items are the lines ``external_support:<name>``
RELATIVE_PRICE_INDICES = ("pay", "placements")  #: price indices with a relative price effect lever


def discounted_grids(v: Mapping[str, np.ndarray], horizon_years: int, workspace: Workspace | None = None) -> dict:
    """A :class:`costmodel.discounted.Discounted` grid for each price index: the discount factors, times
    ``(1 + appraisal.relative_price.<index>)^(start_year + t − price_base_year)`` for ``pay`` and ``placements``."""
    f = discount_factors(horizon_years, v["appraisal.discount_rate"], v["appraisal.discount_rate_long"],
                         v["appraisal.mid_year_discounting"])
    start = int(np.asarray(v["appraisal.start_year"]).reshape(-1)[0])
    base = int(np.asarray(v["appraisal.price_base_year"]).reshape(-1)[0])
    months = 12 * horizon_years
    grids = {"general": Discounted(months, f, workspace=workspace, name="general")}
    for index in RELATIVE_PRICE_INDICES:
        growth = 1.0 + np.asarray(v[f"appraisal.relative_price.{index}"], dtype=float)
        grids[index] = Discounted(months, f, growth, start - base, workspace, index)
    return grids


class Pass:
    """One engine pass: the lever columns, the grids, and what every option shares (worked out once)."""

    def __init__(self, v: Mapping[str, np.ndarray], horizon_years: int, workspace: Workspace | None = None):
        self.v = v
        self.grids = discounted_grids(v, horizon_years, workspace)
        self.general, self.pay, self.placements = (self.grids[k] for k in ("general", *RELATIVE_PRICE_INDICES))
        self._columns: dict[str, np.ndarray] = {}
        b = self.baseline
        self.employed = cl.employed_cost(b("social_workers.salary"), b("social_workers.on_cost_rate"))
        self.extra = cl.extra_case_holders(b("caseload.children_in_need"), b("caseload.target_per_case_holder"),
                                           b("social_workers.case_holding_share"), b("social_workers.fte"))
        self.extra_cost = self.extra * self.employed  # a year, GBP
        self.scale = cl.improvement_scale(b("caseload.children_in_need"), b("improvement_scaling.reference_children_in_need"),
                                          b("improvement_scaling.elasticity"))
        self.phase_months = [self(f"journey.{p}_months") for p in PHASES]
        self.phases_positive = all(bool((m > 0).all()) for m in self.phase_months)  # the usual case: no guards needed
        self.core_service = b("outset_spend") * (1.0 / 12.0) * self.general.total
        self.agency = b("social_workers.fte") * self.employed * b("social_workers.agency_premium") * (1.0 / 12.0)
        self.interim = b("interim_leaders.count") * b("interim_leaders.day_rate") * b("interim_leaders.days_per_year") * (1.0 / 12.0)

    def __call__(self, key: str) -> np.ndarray:
        """The lever ``key`` as a column."""
        c = self._columns.get(key)
        if c is None:
            c = self._columns[key] = _col(self.v[key])
        return c

    def baseline(self, key: str) -> np.ndarray:
        return self(f"baseline.{key}")


def line_present_values(option, p: Pass) -> Iterator[tuple[str, np.ndarray]]:
    """``(line, present value)`` for each cost line of ``option`` that is not zero in every scenario, in
    the order of :func:`costmodel.engine.option_lines`; GBP real at the price base."""
    o = lambda k: p(f"options.{option.key}.{k}")  # noqa: E731
    b = p.baseline
    J = o("mobilisation_months") if option.improves else np.zeros((1, 1))
    flag_J = _Once(lambda: from_month(p.general, J))
    yield from _one_offs(option, p, o, J, flag_J)
    yield "core_service", p.core_service
    if option.improves and not is_zero(p.extra):
        yield "safe_core_uplift", p.extra_cost * (1.0 / 12.0) * from_month(p.pay, J + p.phase_months[0])
    yield "agency_premium", _agency_premium(option, p, o, J)
    yield "interim_leaders", p.interim * until_month(p.pay, o("leadership.interim_end_month"))
    fee = o("leadership.management_fee")
    if not is_zero(fee):
        yield "management_fee", fee * (1.0 / 12.0) * until_month(p.general, o("leadership.partnership_months"))
    for line in ("governance", "back_office", "client_side"):
        cost = o(f"{line}.annual_cost")
        if not is_zero(cost):
            yield line, cost * (1.0 / 12.0) * flag_J()
    yield "legacy_placements", _legacy_placements(option, p, J)
    share = o("leadership.senior_team_saving")
    if not is_zero(share):
        end = o("leadership.partnership_months")
        end = np.maximum(np.where(np.isnan(end), np.inf, end), J)
        yield "senior_team_saving", (-share * b("senior_team.annual_cost") * (1.0 / 12.0)
                                     * (from_month(p.pay, J) - from_month(p.pay, end)))
    share = o("back_office.council_support_released")
    if not is_zero(share):
        yield "support_released", -share * b("support_services.annual_cost") * (1.0 / 12.0) * flag_J()
    rate = o("efficiency.rate")
    if not is_zero(rate):
        yield "efficiency", -rate * b("outset_spend") * (1.0 / 12.0) * from_month(p.general, 12.0 * o("efficiency.from_year"))
    for name in option.support:  # external support is in general prices
        s = lambda k: o(f"external_support.{name}.{k}")  # noqa: E731
        months = s("months")
        amount = s("annual_cost") * (1.0 / 12.0) * months
        if not is_zero(amount):
            yield SUPPORT_PREFIX + name, per_month(amount, months) * spread_flag(p.general, s("start_month"), months)


class _Once:
    """A value worked out when first asked for, then remembered."""

    def __init__(self, make):
        self.make, self.value = make, None

    def __call__(self):
        if self.value is None:
            self.value = self.make()
        return self.value


def _one_offs(option, p: Pass, o, J, flag_J) -> Iterator[tuple[str, np.ndarray]]:
    """Set-up and transitional spread over their months, and improvement over the journey's phases, with
    optimism bias (as :func:`costmodel.engine.one_off_amounts` and :func:`costmodel.cost_lines.one_off`)."""
    for part, amount in (("set_up", o("set_up.amount")),
                         ("transitional", cl.transitional_amount(o("transitional.amount"), o("transitional.team_fte"),
                                                                 o("transitional.team_cost"), o("transitional.months"),
                                                                 o("transitional.legal"), o("transitional.due_diligence")))):
        uplifted = amount * (1.0 + o(f"{part}.optimism_bias"))
        if not is_zero(uplifted):
            months = o(f"{part}.months")
            yield part, per_month(uplifted, months) * spread_flag(p.general, o(f"{part}.start_month"), months)
    net = p.extra_cost * ((p.phase_months[1] + p.phase_months[2]) * (1.0 / 12.0)) * o("improvement.net_of_caseload_uplift")
    uplifted = cl.improvement_before_bias(o("improvement.total"), p.scale, net) * (1.0 + o("improvement.optimism_bias"))
    if is_zero(uplifted):
        return
    total, start, flag = None, J, flag_J()
    shares = [o(f"improvement.phase_split.{phase}") for phase in PHASES]
    last = max(k for k, share in enumerate(shares) if not is_zero(share)) if any(not is_zero(x) for x in shares) else -1
    for k, months in enumerate(p.phase_months[:last + 1]):  # each boundary's flag serves the phase ending and the one starting
        end = start + months
        after = from_month(p.general, end if p.phases_positive else np.maximum(end, start))
        if not is_zero(shares[k]):
            part = (uplifted * shares[k]) / months if p.phases_positive else per_month(uplifted * shares[k], months)
            part = part * (flag - after)  # not in place: the amount may be the same in every scenario, the flags not
            total = part if total is None else total + part
        start, flag = end, after
    if total is not None:
        yield "improvement", total


def _agency_premium(option, p: Pass, o, J) -> np.ndarray:
    """The premium on the agency share summed over the months (:func:`costmodel.engine.agency_path` and
    :func:`costmodel.cost_lines.agency_share_path` on the ``pay`` grid)."""
    s0 = p.baseline("social_workers.agency_share")
    if option.improves:
        target, start, years = o("workforce.agency_share_target"), J, o("workforce.years_to_target")
    else:  # business as usual: rising by the drift from month 0, to at most 1
        d = p.baseline("drift.agency_share_per_year")
        rising = d > 0
        years = np.divide(1.0 - s0, d, out=np.zeros(np.broadcast(s0, d).shape), where=rising)
        target, start = np.where(rising, 1.0, np.nan), np.zeros((1, 1))
    if np.isnan(target).any():
        target = np.where(np.isnan(target), s0, target)
    held = s0 * p.pay.total
    move = target - s0
    if is_zero(move):
        return p.agency * held
    return p.agency * (held + move * ramp_sum(p.pay, start, 12.0 * years))


def _legacy_placements(option, p: Pass, J) -> np.ndarray:
    """Legacy placements and those that replace them (:func:`costmodel.cost_lines.legacy_placements`), on the
    ``placements`` grid: ``n × weekly × weeks/12 + (count − n) × replacement × weeks/12`` in child-months."""
    b = lambda k: p.baseline(f"legacy_placements.{k}")  # noqa: E731
    count, grid = b("count"), p.placements
    if option.improves:
        floor, step, start = b("floor"), p(f"options.{option.key}.legacy.step_down_per_year"), J
        replacement = b("replacement_weekly_cost")
    else:  # business as usual: growing by the drift from month 0
        floor, step, start = np.zeros((1, 1)), -p.baseline("drift.legacy_placements_per_year"), np.zeros((1, 1))
        replacement = np.zeros((1, 1))
    held = count * grid.total
    if is_zero(step) or is_zero(count - floor):
        n = held
    elif (step < 1.0).all():
        n = floor * grid.total + (count - floor) * decay_sum(grid, start, step)
    else:  # everything steps down at once somewhere: by year, then discounted
        n = grid.discount(cl.legacy_count(count, floor, step, start, year_grid(12 * grid.count)))
    w = p("appraisal.weeks_per_year") * (1.0 / 12.0)
    return n * b("weekly_cost") * w + (held - n) * replacement * w


def option_present_values(options, horizon_years: int, v: Mapping[str, np.ndarray], S: int,
                          workspace: Workspace | None = None) -> np.ndarray:
    """Present value of every option, ``S × options``, GBP real at the price base: every line of
    :func:`line_present_values` summed. ``workspace`` keeps the per-scenario tables' memory between
    passes. Equal to ``appraise(run(...)).present_value`` to rounding (tested against the monthly definition).
    The compiled engine (:mod:`costmodel.compiled_engine`) computes it where it is built and takes the pass."""
    out = compiled_engine.present_values(options, horizon_years, v, S)
    if out is not None:
        return out
    p = Pass(v, horizon_years, workspace)
    out = np.empty((S, len(options)))
    for i, option in enumerate(options):
        total = np.zeros((S, 1))
        for _, value in line_present_values(option, p):
            total += value
        out[:, i] = total[:, 0]
    return out
