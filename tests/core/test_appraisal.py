"""Green Book discounting, present value, payback and equivalent annual cost."""
import numpy as np
import numpy_financial as npf
import pytest

from costmodel.appraisal import equivalent_annual_cost, payback_year
from costmodel.discounting import discount_factors, present_value

# HM Treasury Green Book discount factors (3.5% to year 30, then 3.0%), as published to 4 d.p.
PUBLISHED = {0: 1.0, 1: 0.9662, 2: 0.9335, 3: 0.9019, 4: 0.8714, 5: 0.8420, 10: 0.7089, 15: 0.5969,
             20: 0.5026, 25: 0.4231, 30: 0.3563, 31: 0.3459, 35: 0.3073, 40: 0.2651, 50: 0.1973}


def test_green_book_published_factors():
    f = discount_factors(75)[0]
    for year, factor in PUBLISHED.items():
        assert round(f[year], 4) == factor, year


def test_year_zero_undiscounted_unlike_excel_npv():
    flows = np.array([[100.0, 100.0, 100.0]])
    pv = present_value(flows, discount_factors(3))
    assert pv[0] == pytest.approx(100 + 100 / 1.035 + 100 / 1.035 ** 2)
    excel_npv = sum(100 / 1.035 ** t for t in (1, 2, 3))
    assert pv[0] == pytest.approx(excel_npv * 1.035)


def test_mid_year_factor_is_half_a_year_further():
    f = discount_factors(40, mid_year=1.0)[0]
    assert f[0] == pytest.approx(1.035 ** -0.5)
    assert f[29] == pytest.approx(1.035 ** -29.5)
    assert f[30] == pytest.approx(1.035 ** -30 * 1.03 ** -0.5)


def test_scenario_axis_of_rates():
    f = discount_factors(3, rate=np.array([0.0, 0.035, 0.10]), rate_long=0.03)
    assert f.shape == (3, 3)
    np.testing.assert_allclose(f[:, 2], [1.0, 1.035 ** -2, 1.1 ** -2])


def test_equivalent_annual_cost_matches_numpy_financial_annuity_due():
    f = discount_factors(10)
    pv = np.array([[1_000_000.0]])
    eac = equivalent_annual_cost(pv, f)[0, 0]
    assert eac == pytest.approx(-npf.pmt(0.035, 10, 1_000_000.0, when="begin"), rel=1e-12)


def test_payback_needs_to_stay_below():
    base = np.array([0.0, 10, 20, 30, 40])
    dips_then_rises = np.array([5.0, 9, 21, 29, 39])  # below at 1, above at 2, below from 3
    never = np.array([1.0, 11, 21, 31, 41])
    got = payback_year(np.stack([dips_then_rises, never, base]), base)
    assert got[0] == 3 and np.isnan(got[1]) and got[2] == 0
