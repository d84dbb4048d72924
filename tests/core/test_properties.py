"""Properties that must hold for any assumptions (hypothesis), and splitting scenarios into chunks."""
import numpy as np
from hypothesis import given, settings, strategies as st

from costmodel.appraisal import appraise
from costmodel.engine import run
from costmodel.levers import MONEY_UNITS

FAST = settings(max_examples=25, deadline=None)


def _pv(a, values):
    return appraise(run(a, values), values).present_value


@FAST
@given(k=st.floats(0.1, 10))
def test_scaling_every_cost_scales_present_value(bundled, k):
    v = bundled.values()
    scaled = {key: (arr * k if bundled.levers[key].unit in MONEY_UNITS else arr) for key, arr in v.items()}
    np.testing.assert_allclose(_pv(bundled, scaled), k * _pv(bundled, v), rtol=1e-10)


def test_zero_discount_makes_present_value_the_sum(bundled):
    v = bundled.values()
    v["appraisal.discount_rate"] = np.array([0.0])
    v["appraisal.discount_rate_long"] = np.array([0.0])
    table = run(bundled, v)
    np.testing.assert_allclose(appraise(table, v).present_value, table.total().sum(axis=-1), rtol=1e-12)


@FAST
@given(start=st.floats(0, 100), later=st.floats(0, 7))
def test_a_cost_moved_later_never_raises_present_value(bundled, start, later):
    v = bundled.values()
    v["options.trust.set_up.start_month"] = np.array([start, start + later])
    pv = _pv(bundled, v)[:, bundled.option_keys.index("trust")]
    assert pv[1] <= pv[0] + 1e-6


@FAST
@given(extra=st.floats(-5e6, 5e7))
def test_ranking_and_npc_invariant_to_a_common_added_cost(bundled, extra):
    v = bundled.values()
    base = appraise(run(bundled, v), v)
    v2 = dict(v)
    v2["baseline.outset_spend"] = v["baseline.outset_spend"] + extra
    moved = appraise(run(bundled, v2), v2)
    np.testing.assert_allclose(moved.npc_vs_do_minimum, base.npc_vs_do_minimum, atol=1e-5)
    assert (np.argsort(moved.present_value) == np.argsort(base.present_value)).all()


@FAST
@given(seed=st.integers(0, 2 ** 31), split=st.integers(1, 7))
def test_chunks_of_scenarios_give_the_same_results(bundled, seed, split):
    rng = np.random.default_rng(seed)
    v = bundled.values()
    draws = dict(v)
    for key in ("baseline.legacy_placements.count", "options.trust.mobilisation_months",
                "options.in_house.improvement.total", "appraisal.discount_rate"):
        lo, hi = bundled.levers[key].low, bundled.levers[key].high
        draws[key] = rng.uniform(lo, hi, 8)
    whole = run(bundled, draws).values
    parts = [run(bundled, {k: (a[i:i + split] if a.shape[0] > 1 else a) for k, a in draws.items()}).values
             for i in range(0, 8, split)]
    np.testing.assert_array_equal(whole, np.concatenate(parts))


def test_one_off_costs_are_conserved_when_fractional(bundled):
    """A set-up cost spread over 7.5 months from month 3.25 still adds up to its amount."""
    v = bundled.values()
    v["options.trust.set_up.start_month"] = np.array([3.25])
    v["options.trust.set_up.months"] = np.array([7.5])
    t = run(bundled, v)
    amount = v["options.trust.set_up.amount"][0] * (1 + v["options.trust.set_up.optimism_bias"][0])  # base-year prices
    assert abs(t.line("trust", "set_up").sum() - amount) < 1e-6
    assert t.line("trust", "set_up")[0, 0] > 0 and t.line("trust", "set_up")[0, 1] == 0


def test_business_as_usual_keeps_outset_spend_every_year(bundled):
    """With nothing changing (no drift, no relative price effects, no commissioner), business as usual costs the
    reconciled outset spend each year."""
    from costmodel.comparison import reconciliation
    a = bundled.with_overrides([("baseline.drift.agency_share_per_year", 0), ("baseline.drift.legacy_placements_per_year", 0),
                                ("appraisal.relative_price.pay", 0), ("appraisal.relative_price.placements", 0),
                                ("options.do_minimum.external_support.commissioner.annual_cost", 0)])
    t = run(a)
    total = reconciliation(a)["total_outset_spend"]
    np.testing.assert_allclose(t.total()[0, a.option_keys.index("do_minimum")], total, rtol=1e-12)
