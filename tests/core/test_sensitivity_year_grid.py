"""The financial-year grid gives exactly the monthly lines summed to years (the engine's speed-up)."""
import numpy as np
import pytest

from costmodel.cli.common import load_assumptions
from costmodel.engine import annual_lines, run
from costmodel.timeline import month_grid, to_years, year_grid
from costmodel import cost_lines as cl


@pytest.fixture(scope="module")
def a():
    return load_assumptions()


def _draws(a, S, seed):
    rng = np.random.default_rng(seed)
    lo, c, hi = a.values("low"), a.values("central"), a.values("high")
    v = dict(c)
    for k, lever in a.levers.items():
        if lever.low != lever.high and not lever.spec.structural:
            v[k] = rng.uniform(lo[k][0], hi[k][0], S)
    return v


def test_year_grid_equals_monthly_sum_on_random_draws(a):
    v = _draws(a, 300, 1)
    year, safe_y, _ = annual_lines(a, v, 300, year_grid(a.months))
    month, safe_m, _ = annual_lines(a, v, 300, month_grid(a.months))
    scale = np.abs(month).max(axis=-1, keepdims=True) + 1.0
    assert np.max(np.abs(year - month) / scale) < 1e-12
    np.testing.assert_array_equal(safe_y, safe_m)
    # and run() is the year grid
    np.testing.assert_array_equal(run(a, v).values, year)


@pytest.mark.parametrize("start,span", [(0.0, 0.0), (3.0, 0.0), (2.5, 0.0), (7.4, 30.0), (12.0, 36.0),
                                         (0.0, 12.0), (100.0, 24.0), (119.5, 6.0), (5.0, 0.25)])
def test_agency_ramp_sum_edges(start, span):
    m, y = month_grid(120), year_grid(120)
    monthly = cl.agency_share_path(0.3, 0.1, start, span / 12.0, m)
    yearly = cl.agency_share_path(0.3, 0.1, start, span / 12.0, y)
    np.testing.assert_allclose(yearly, to_years(monthly), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("start", [0.0, 1.0, 6.5, 12.0, 119.2, 130.0])
@pytest.mark.parametrize("step", [0.0, 1e-9, 0.25, 0.999, 1.0])
def test_legacy_count_sum_edges(start, step):
    m, y = month_grid(120), year_grid(120)
    monthly = cl.legacy_count(40, 5, step, start, m)
    yearly = cl.legacy_count(40, 5, step, start, y)
    np.testing.assert_allclose(yearly, to_years(monthly), rtol=1e-13, atol=1e-12)


def test_by_hand_one_year_of_legacy_count():
    # 10 children, floor 0, half step down a year, from month 0: year 0 holds Σ 10 × 0.5^(m/12), m = 0..11.
    by_hand = sum(10 * 0.5 ** (k / 12) for k in range(12))
    assert cl.legacy_count(10, 0, 0.5, 0.0, year_grid(12))[0, 0] == pytest.approx(by_hand, rel=1e-14)


def _pv_reference(a, v, S):
    """Present values from the monthly lines summed to years, discounted year by year (the slow reference)."""
    from costmodel.discounting import discount_factors
    month, _, _ = annual_lines(a, v, S, month_grid(a.months))
    f = discount_factors(a.horizon_years, v["appraisal.discount_rate"], v["appraisal.discount_rate_long"],
                         v["appraisal.mid_year_discounting"])
    return (month.sum(axis=2) * f[:, None, :]).sum(axis=-1)


def test_discounted_grid_gives_present_values_of_the_monthly_lines(a):
    from costmodel.engine import option_present_values
    v = _draws(a, 300, 2)
    # edges: starts before month 0 or beyond the horizon, zero lengths, whole and fractional months
    v["options.trust.mobilisation_months"] = np.r_[0.0, 120.0, 130.0, 11.5, 12.0, v["options.trust.mobilisation_months"][5:]]
    v["options.in_house.leadership.interim_end_month"] = np.r_[np.nan, 0.0, 200.0, v["options.in_house.leadership.interim_end_month"][3:]]
    v["journey.diagnosis_months"] = np.r_[0.0, 0.0, 3.25, v["journey.diagnosis_months"][3:]]
    got = option_present_values(a.options, a.horizon_years, v, 300)
    want = _pv_reference(a, v, 300)
    assert np.max(np.abs(got - want) / np.abs(want)) < 1e-12
    # and mid-year discounting
    w = dict(v, **{"appraisal.mid_year_discounting": np.array([1.0])})
    assert np.max(np.abs(option_present_values(a.options, a.horizon_years, w, 300) - _pv_reference(a, w, 300))
                  / np.abs(_pv_reference(a, w, 300))) < 1e-12


def test_present_values_with_discount_rates_varying_by_draw(a):
    from costmodel.engine import option_present_values
    v = _draws(a, 50, 3)
    v["appraisal.discount_rate"] = np.linspace(0.01, 0.06, 50)
    got = option_present_values(a.options, a.horizon_years, v, 50)
    want = _pv_reference(a, v, 50)
    assert np.max(np.abs(got - want) / np.abs(want)) < 1e-12
    # each draw alone (discount factors the same for all: the discounted grid) gives the same
    for s in (0, 17, 49):
        one = {k: (x[s:s + 1] if np.shape(x)[0] == 50 else x) for k, x in v.items()}
        np.testing.assert_allclose(option_present_values(a.options, a.horizon_years, one, 1)[0], got[s], rtol=1e-13)


@pytest.mark.parametrize("mid_year", [0.0, 1.0])
def test_discounted_ramp_and_decay_sums_at_the_edges(mid_year):
    from costmodel.discounting import discount_factors
    from costmodel.discounted import Discounted, decay_sum, ramp_sum
    f = discount_factors(10, 0.035, 0.03, mid_year)
    d, m = Discounted(120, f), month_grid(120)
    starts = np.array([0.0, 1.0, 2.5, 6.5, 7.4, 11.0, 12.0, 100.0, 119.2, 119.5, 120.0, 130.0])
    for span in (0.0, 0.25, 6.0, 12.0, 30.0, 36.0):
        got = 0.3 * d.total + (0.1 - 0.3) * ramp_sum(d, starts.reshape(-1, 1), np.full((1, 1), span))
        want = (to_years(cl.agency_share_path(0.3, 0.1, starts, span / 12.0, m)) * f).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    for step in (1e-9, 0.25, 0.999, 0.0, -0.08):  # 0: no step-down; negative: growth
        got = 5 * d.total + (40 - 5) * decay_sum(d, starts.reshape(-1, 1), np.full((1, 1), step))
        want = (to_years(cl.legacy_count(40, 5, step, starts, m)) * f).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-12)
