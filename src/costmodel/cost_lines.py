"""One function per cost line, as MODEL.md defines it: pounds per month, real terms, S × months.

Every argument is an array over the scenario axis (shape ``(S,)``) or a plain number; ``m`` is the
month grid from :func:`costmodel.timeline.month_grid`. Costs are positive, savings negative.

``m`` may also be the financial-year grid (:func:`costmodel.timeline.year_grid`): each function then
returns pounds per year, exactly the sum of its monthly values (the two quantities evaluated at
month starts, agency share and legacy count, are summed over the year's months in closed form).
Present values for Monte Carlo come from :mod:`costmodel.line_values`, which sums the same lines
with discount weights in closed form.
"""
from __future__ import annotations

import numpy as np

from .timeline import Periods, _col, bounds, from_month, is_zero, months_in, nothing, spread, until_month

SUMMED = (Periods,)  #: grids whose flags count the months of each period (financial years)

ONE_OFF = ("set_up", "transitional", "improvement")
CATEGORIES = ("set_up", "transitional", "improvement", "recurring", "legacy", "saving")


def core_service(outset_spend, m):
    """Outset running cost of the service, GBP per month: ``outset_spend / 12`` every month."""
    if isinstance(m, SUMMED):
        return _col(outset_spend) / 12.0 * months_in(m)
    return np.broadcast_to(_col(outset_spend) / 12.0, (_col(outset_spend).shape[0], m.shape[1])).copy()


def employed_cost(salary, on_cost_rate):
    """Employed cost of one social worker, GBP a year: ``salary × (1 + on_cost_rate)``."""
    return _col(salary) * (1.0 + _col(on_cost_rate))


def extra_case_holders(children_in_need, target_per_case_holder, case_holding_share, fte):
    """Case-holding FTE a manageable caseload needs beyond those in post, ``S × 1``.

    ``max(0, children_in_need / target_per_case_holder − case_holding_share × fte)``: the DfE's caseload
    is per case-holding FTE (employed and agency), and only part of the social worker FTE holds cases.
    """
    need = _col(children_in_need) / _col(target_per_case_holder)
    return np.maximum(0.0, need - _col(case_holding_share) * _col(fte))


def safe_core_uplift(extra, salary, on_cost_rate, start, m):
    """Extra case holders for a manageable caseload from ``start`` (stabilise), GBP per month.

    ``extra × salary × (1 + on_cost_rate) / 12``, ``extra`` from :func:`extra_case_holders`, costed
    at the employed cost (the uplift is permanent posts, not agency).
    """
    if is_zero(extra):
        return nothing(m)
    return _col(extra) * employed_cost(salary, on_cost_rate) / 12.0 * from_month(start, m)


def agency_share_path(share, target, start, years_to_target, m):
    """Agency share by month: the outset share until ``start``, then linear to ``target``.

    ``target`` NaN keeps the outset share; ``years_to_target`` 0 reaches the target at ``start``.
    On the year grid: the sum of the monthly shares over each year's months (share × months).
    """
    s0, t = _col(share), _col(target)
    t = np.where(np.isnan(t), s0, t)
    span = 12.0 * _col(years_to_target)
    if isinstance(m, SUMMED):
        if is_zero(t - s0):
            return s0 * months_in(m)
        return s0 * months_in(m) + (t - s0) * _ramp_sum(_col(start), span, m)
    elapsed = m - _col(start)
    elapsed, span = np.broadcast_arrays(elapsed, span)
    ramp = np.divide(elapsed, span, out=(elapsed >= 0).astype(float), where=span > 0)
    return s0 + (t - s0) * np.clip(ramp, 0.0, 1.0)


def agency_premium(fte, share_path, salary, on_cost_rate, premium):
    """Premium paid for agency social workers, GBP per month: ``fte × share(m) × employed cost × premium / 12``."""
    return _col(fte) * share_path * employed_cost(salary, on_cost_rate) * _col(premium) / 12.0


def legacy_count(count, floor, step_down, start, m):
    """Children still in legacy placements by month: ``count`` until ``start``, then stepping down to ``floor``.

    ``floor + (count − floor) × (1 − step_down)^((m − start) / 12)`` from ``start``.
    On the year grid: child-months, the sum of the monthly counts over each year's months.
    """
    n0, f = _col(count), _col(floor)
    if isinstance(m, SUMMED):
        if is_zero(step_down) or is_zero(n0 - f):
            return n0 * months_in(m)
        return f * months_in(m) + (n0 - f) * _decay_sum(_col(start), _col(step_down), m)
    years = np.maximum(m - _col(start), 0.0) / 12.0
    return f + (n0 - f) * np.power(1.0 - _col(step_down), years)


def legacy_placements(count, n, weekly_cost, replacement_weekly_cost, weeks_per_year, m=None):
    """Legacy placements and the placements that replace them, GBP per month.

    ``n(m) × weekly_cost × weeks/12 + (count − n(m)) × replacement_weekly_cost × weeks/12``
    (``n`` in child-months and ``count`` times the months of each period on the year grid).
    """
    w = _col(weeks_per_year) / 12.0
    held = _col(count) if m is None or not isinstance(m, SUMMED) else _col(count) * months_in(m)
    return n * _col(weekly_cost) * w + (held - n) * _col(replacement_weekly_cost) * w


def between(start, end, m):
    """Share of each month in ``[start, end)``; ``end`` NaN means never ends. S × months."""
    e = _col(end)
    e = np.where(np.isnan(e), np.inf, e)
    return from_month(start, m) - from_month(np.maximum(e, _col(start)), m)


def interim_leaders(count, day_rate, days_per_year, end, m):
    """Interim leaders until ``end`` (NaN: never), GBP per month: ``count × day_rate × days / 12``."""
    return _col(count) * _col(day_rate) * _col(days_per_year) / 12.0 * until_month(end, m)


def senior_team_saving(saving_share, senior_team_cost, start, end, m):
    """Saving on the council's own senior team from ``start`` until ``end`` (NaN: never), GBP per month (negative)."""
    if is_zero(saving_share):
        return nothing(m)
    return -_col(saving_share) * _col(senior_team_cost) / 12.0 * between(start, end, m)


def management_fee(annual_fee, end, m):
    """The partner council's fee from month 0 until ``end`` (NaN: throughout), GBP per month."""
    if is_zero(annual_fee):
        return nothing(m)
    return _col(annual_fee) / 12.0 * until_month(end, m)


def support_released(share, support_cost, start, m):
    """Council support services no longer paid once a new organisation has its own back office, GBP per month (negative)."""
    if is_zero(share):
        return nothing(m)
    return -_col(share) * _col(support_cost) / 12.0 * from_month(start, m)


def annual_from(annual_cost, start, m):
    """An annual cost paid monthly from ``start``, GBP per month (management fee, governance, client side)."""
    if is_zero(annual_cost):
        return nothing(m)
    return _col(annual_cost) / 12.0 * from_month(start, m)


def external_support(annual_cost, start, months, m):
    """An external support item (board, commissioner, partner), GBP per month over its months."""
    return spread(_col(annual_cost) / 12.0 * _col(months), start, months, m)


def one_off(amount, optimism_bias, start, months, m):
    """A one-off cost with optimism bias spread over its months, GBP per month (set-up, transitional)."""
    return spread(_col(amount) * (1.0 + _col(optimism_bias)), start, months, m)


def transitional_amount(amount, team_fte, team_cost, months, legal, due_diligence):
    """Transitional cost before optimism bias, GBP: other + team FTE × cost × months / 12 + legal + due diligence."""
    return (_col(amount) + _col(team_fte) * _col(team_cost) * _col(months) / 12.0
            + _col(legal) + _col(due_diligence))


def improvement_scale(children_in_need, reference, elasticity):
    """``(children_in_need / reference)^elasticity``: how the improvement estimate scales to this council, ``S × 1``.

    1 when the elasticity is 0 (whatever the reference, which may then be NaN: none).
    """
    e = _col(elasticity)
    ratio = _col(children_in_need) / np.where(np.isnan(_col(reference)), 1.0, _col(reference))
    return np.where(e == 0.0, 1.0, np.power(ratio, e))


def improvement_before_bias(total, scale, net):
    """Improvement cost of this council before optimism bias, GBP: ``max(0, total × scale − net)``.

    ``net`` is the safe-core uplift paid during the journey when the estimate already includes it
    (``options.*.improvement.net_of_caseload_uplift``), else 0.
    """
    return np.maximum(0.0, _col(total) * _col(scale) - _col(net))


def improvement(total, optimism_bias, journey_start, phase_months, phase_split, m):
    """Improvement cost with optimism bias, profiled over the journey's phases, GBP per month.

    ``total × (1 + optimism_bias) × split[p]`` spread over each phase ``p``; the phases follow one
    another from ``journey_start`` (``total`` as from :func:`improvement_before_bias`).
    """
    uplifted = _col(total) * (1.0 + _col(optimism_bias))
    if is_zero(uplifted):
        return nothing(m)
    out = np.zeros((uplifted.shape[0], m.shape[1]))
    start = _col(journey_start)
    for months, share in zip(phase_months, phase_split):
        part = spread(uplifted * _col(share), start, months, m)
        start = start + _col(months)
        if part.shape[0] > out.shape[0]:
            out = out + part
        else:
            out += part  # in place: the same sum with one temporary fewer
    return out


def efficiency(rate, outset_spend, from_year, m):
    """Efficiency on the outset running cost from year ``from_year``, GBP per month (negative)."""
    if is_zero(rate):
        return nothing(m)
    return -_col(rate) * _col(outset_spend) / 12.0 * from_month(12.0 * _col(from_year), m)


def _month_range(lo, m: Periods):
    """Integer months ``max(ceil(lo), start) … end`` of each period: (first, end), ``S × P`` each."""
    p0, p1 = bounds(m)
    return np.minimum(np.maximum(np.ceil(lo), p0), p1), p1


def _ramp_sum(start, span, m: Periods):
    """Σ over the integer months of each period of ``clip((month − start) / span, 0, 1)`` (a step at ``start`` if span is 0).

    Months ``lo … hi − 1`` are on the ramp: ``Σ (month − start) / span = k × ((lo + hi − 1)/2 − start) / span``
    with ``k = hi − lo``; months from ``hi`` count 1 each.
    """
    lo, p1 = _month_range(start, m)
    hi = _month_range(start + span, m)[0]
    k = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(span > 0, 0.5 / span, 0.0)  # k is 0 wherever span is 0
    ramp = k * ((lo + hi) - (1.0 + 2.0 * start)) * scale
    return ramp + (p1 - hi)


def _decay_sum(start, step_down, m: Periods):
    """Σ over the integer months of each period of ``(1 − step_down)^(max(month − start, 0) / 12)``.

    A geometric series: ``q^((first − start)/12) × (r^k − 1)/(r − 1)`` with ``r = q^(1/12)`` over the
    ``k`` months from ``first``, written with ``expm1`` so a tiny step-down loses no precision.
    """
    p0, _ = bounds(m)
    lo, p1 = _month_range(start, m)
    k = p1 - lo
    if np.all((step_down > 0.0) & (step_down < 1.0)):  # the usual case, without special values
        log_r = np.log1p(-step_down) / 12.0
        return (lo - p0) + np.exp(log_r * (lo - start)) * np.expm1(k * log_r) * (1.0 / np.expm1(log_r))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_q = np.log1p(-step_down)  # -inf when everything steps down at once
        log_r = log_q / 12.0
        first = np.exp(log_q * ((lo - start) / 12.0))
        first = np.where(np.isnan(first), 1.0, first)  # 0 × -inf: the month of the start itself
        ratio = np.expm1(k * log_r) / np.expm1(log_r)
        ratio = np.where(log_r == 0.0, k, ratio)
    tail = np.where(k > 0, first * ratio, 0.0)
    return (lo - p0) + tail
