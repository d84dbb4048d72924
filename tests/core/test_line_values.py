"""Present values line by line (line_values, discounted) against the monthly definition summed and discounted.

The reference is independent of the closed forms: each line of ``engine.option_lines`` on the month
grid, summed to years, times its index's relative price weights ``(1 + rate)^(start + t − base)``
(``np.power``) and the Green Book discount factors, summed over the years.
"""
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from costmodel import cost_lines as cl
from costmodel.cli.common import load_assumptions
from costmodel.discounted import Discounted, Workspace, decay_sum, from_month, ramp_sum, spread_flag, until_month
from costmodel.discounting import discount_factors
from costmodel.engine import option_lines, table_lines
from costmodel.line_values import Pass, line_present_values, option_present_values
from costmodel.prices import relative_price_factors
from costmodel.timeline import month_grid, to_years, year_grid

FAST = settings(max_examples=40, deadline=None)


@pytest.fixture(scope="module")
def a():
    return load_assumptions()


def _draws(a, S, seed):
    """Every ranged lever drawn uniformly over its range (relative price effects included), money in base-year prices."""
    rng = np.random.default_rng(seed)
    lo, hi = a.values("low"), a.values("high")
    v = dict(a.values("central"))
    for k, lever in a.levers.items():
        if lever.low != lever.high and not lever.spec.structural and not k.startswith("prices."):
            v[k] = rng.uniform(lo[k][0], hi[k][0], S)
    return v


def _reference(a, v, option):
    """Each line's present value from the monthly lines, ``{line: (S,)}``."""
    months = month_grid(a.months)
    f = discount_factors(a.horizon_years, v["appraisal.discount_rate"], v["appraisal.discount_rate_long"],
                         v["appraisal.mid_year_discounting"])
    index = {line: x for line, _, x in table_lines(a.options)}
    out = {}
    for line, make in option_lines(option, v, months).items():
        x = index[line]
        g = 1.0 if x == "general" else relative_price_factors(v[f"appraisal.relative_price.{x}"], a.start_year,
                                                               a.price_base_year, a.horizon_years)
        out[line] = (to_years(make()) * g * f).sum(axis=1)
    return out


def _check_lines(a, v, S):
    p = Pass(v, a.horizon_years, Workspace())
    for option in a.options:
        want = {line: np.broadcast_to(w, (S,)) for line, w in _reference(a, v, option).items()}
        got = {line: np.broadcast_to(value, (S, 1))[:, 0] for line, value in line_present_values(option, p)}
        assert set(got) <= set(want)
        for line, w in want.items():
            g = got.get(line, np.zeros(S))  # a line left out is zero in every scenario
            scale = np.abs(w).max() + 1.0
            assert np.max(np.abs(g - w)) / scale < 1e-12, f"{option.key} {line}"
    total = option_present_values(a.options, a.horizon_years, v, S)
    ref = np.stack([np.broadcast_to(sum(_reference(a, v, o).values()), (S,)) for o in a.options], axis=1)
    assert np.max(np.abs(total - ref) / np.abs(ref)) < 1e-12


def test_every_line_with_relative_price_effects_drawn_equals_the_monthly_definition(a):
    v = _draws(a, 400, 5)
    assert np.ptp(v["appraisal.relative_price.pay"]) > 0 and np.ptp(v["appraisal.relative_price.placements"]) > 0
    # edges: starts at 0, on a year boundary, beyond the horizon; an interim end never; no drift; growth and step-down
    v["options.trust.mobilisation_months"][:4] = [0.0, 12.0, 130.0, 119.5]
    v["options.in_house.leadership.interim_end_month"][:2] = [np.nan, 200.0]
    v["baseline.drift.legacy_placements_per_year"][:2] = [0.0, 0.08]
    v["baseline.drift.agency_share_per_year"][:1] = [0.0]
    v["options.in_house.legacy.step_down_per_year"][:1] = [0.0]
    _check_lines(a, v, 400)


def test_every_line_with_discount_rates_and_mid_year_discounting_varying(a):
    v = _draws(a, 200, 6)
    v["appraisal.discount_rate"] = np.linspace(0.0, 0.07, 200)
    v["appraisal.mid_year_discounting"] = np.array([1.0])
    _check_lines(a, v, 200)


def test_relative_price_effects_held_give_one_row_of_weights(a):
    v = _draws(a, 100, 7)
    v["appraisal.relative_price.pay"] = np.array([0.0125])
    v["appraisal.relative_price.placements"] = np.array([0.0])
    assert Pass(v, a.horizon_years).pay.rows == 1
    _check_lines(a, v, 100)


@pytest.mark.parametrize("varied", [("journey.diagnosis_months", "journey.stabilise_months", "options.trust.mobilisation_months"),
                                    ("options.in_house.improvement.total", "baseline.social_workers.agency_share"),
                                    ("appraisal.relative_price.placements", "options.trust.legacy.step_down_per_year")])
def test_every_line_when_only_some_levers_vary(a, varied):
    # amounts the same in every scenario with timings that are not, and the other way round
    v = dict(a.values("central"))
    rng = np.random.default_rng(11)
    for k in varied:
        v[k] = rng.uniform(a.levers[k].low, a.levers[k].high, 30)
    _check_lines(a, v, 30)


def test_a_step_down_of_everything_at_once_takes_the_year_route(a):
    v = _draws(a, 50, 8)
    v["options.trust.legacy.step_down_per_year"] = np.r_[1.0, v["options.trust.legacy.step_down_per_year"][1:]]
    _check_lines(a, v, 50)


def test_passes_are_independent_of_the_workspace_and_of_each_other(a):
    v = _draws(a, 300, 9)
    ws = Workspace()
    whole = option_present_values(a.options, a.horizon_years, v, 300, ws)
    parts = [option_present_values(a.options, a.horizon_years, {k: (x[i:i + 100] if np.size(x) > 1 else x) for k, x in v.items()},
                                   100, ws) for i in range(0, 300, 100)]
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    np.testing.assert_array_equal(option_present_values(a.options, a.horizon_years, v, 300), whole)


# The grid's flags against the monthly flags summed with the weights, for any weights (hypothesis).

def _weights(f, growth, power):
    return f * (1.0 if growth is None else np.power(growth.reshape(-1, 1), power + np.arange(f.shape[1])))


grids = st.tuples(st.integers(1, 6), st.integers(0, 3), st.booleans(), st.booleans(), st.integers(-3, 3))


def _grid(spec, S=5):
    years, seed, per_scenario_f, with_growth, power = spec
    rng = np.random.default_rng(seed)
    f = rng.uniform(0.2, 1.5, (S if per_scenario_f else 1, years))
    growth = rng.uniform(0.9, 1.1, S) if with_growth else None
    return Discounted(12 * years, f, growth, power, Workspace(), "test"), _weights(f, growth, power), month_grid(12 * years)


def _summed(monthly, w):
    return (to_years(monthly) * w).sum(axis=1, keepdims=True)


starts = st.lists(st.floats(-20, 100, allow_nan=False), min_size=5, max_size=5)


@FAST
@given(spec=grids, s=starts)
def test_from_until_and_spread_flags_equal_the_monthly_sums(spec, s):
    grid, w, m = _grid(spec)
    s = np.array(s).reshape(-1, 1)
    np.testing.assert_allclose(from_month(grid, s), _summed(np.broadcast_to(cl.from_month(s, m), (5, m.shape[1])), w),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(until_month(grid, s), _summed(np.broadcast_to(cl.until_month(s, m), (5, m.shape[1])), w),
                               rtol=1e-12, atol=1e-12)
    length = np.abs(s[::-1]) / 3.0
    from costmodel.timeline import active
    np.testing.assert_allclose(spread_flag(grid, s, length), _summed(active(s, length, m), w), rtol=1e-12, atol=1e-11)


@FAST
@given(spec=grids, s=starts, span=st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 80)), min_size=5, max_size=5))
def test_ramp_sum_equals_the_monthly_agency_share_summed(spec, s, span):
    grid, w, m = _grid(spec)
    s, span = np.array(s).reshape(-1, 1), np.array(span).reshape(-1, 1)
    got = 0.3 * grid.total + (0.1 - 0.3) * ramp_sum(grid, s, span)
    want = _summed(cl.agency_share_path(0.3, 0.1, s, span / 12.0, m), w)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-11)


@FAST
@given(spec=grids, s=starts, step=st.lists(st.floats(-0.3, 0.999), min_size=5, max_size=5))
@example(spec=(2, 0, False, False, 0), s=[0.0] * 5, step=[0.0, 0.0, 0.0, 0.0, 2.2250738585e-313])  # subnormal: found by hypothesis
def test_decay_sum_equals_the_monthly_legacy_count_summed(spec, s, step):
    grid, w, m = _grid(spec)
    s, step = np.array(s).reshape(-1, 1), np.array(step).reshape(-1, 1)
    got = 5.0 * grid.total + (40.0 - 5.0) * decay_sum(grid, s, step)
    want = _summed(cl.legacy_count(40.0, 5.0, step, s, m), w)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-10)


def test_by_hand_one_year_grid_with_growth():
    # one year, factor 1, growth 1.1 from power 1: w_0 = 1.1; from month 3: 9 discounted months = 9.9
    grid = Discounted(12, [[1.0]], np.array([1.1]), 1.0)
    assert from_month(grid, np.array([[3.0]]))[0, 0] == pytest.approx(9.9, rel=1e-15)
    assert grid.total[0, 0] == pytest.approx(13.2, rel=1e-15)
    # the year grid agrees: 9 months of year 0
    assert cl.from_month(3.0, year_grid(12))[0, 0] == 9.0
