"""The steep ends of the PERT quantile tables (:class:`costmodel.beta_quantiles.BetaQuantile.ends`) against scipy."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel import sampling
from costmodel.beta_quantiles import TABLE_CELLS


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(1e-3, 1e3), st.integers(0, 2**32 - 1))
def test_both_steep_ends_in_one_pass_match_scipy_to_1e_7_of_the_range(where, width, seed):
    from scipy.stats import beta
    d = sampling.Drawn("x", 0.0, where * width, width)
    a, b = sampling.pert_shape(d)
    q = sampling.beta_quantile(a, b)
    rng = np.random.default_rng(seed)
    # uniforms in both steep ends' cells at once (a mixed array, as pert_quantile passes them), both exact ends,
    # and points ever closer to each end
    left = rng.random(2000) * (q.first / TABLE_CELLS)
    right = 1.0 - rng.random(2000) * ((TABLE_CELLS - q.last) / TABLE_CELLS)
    u = np.concatenate([left if q.first else [], right if q.last < TABLE_CELLS else [], [0.0, 1.0],
                        2.0 ** -np.arange(20, 54), 1.0 - 2.0 ** -np.arange(20, 54)])
    u = u[(u * TABLE_CELLS < q.first) | (u * TABLE_CELLS >= q.last)]
    rng.shuffle(u)
    got = q.ends(u * TABLE_CELLS)
    assert np.max(np.abs(got - beta.ppf(u, a, b))) < 1e-7
    whole = sampling.pert_quantile(d, u.copy())  # the tables' NaN cells route exactly these draws to the ends
    np.testing.assert_allclose(whole, width * got, rtol=0, atol=1e-12 * width)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 1.0))
def test_table_knots_match_betaincinv_to_1e_12_for_any_pert_shape(where):
    from scipy import special
    a, b = sampling.pert_shape(sampling.Drawn("x", 0.0, where, 1.0))
    want = special.betaincinv(a, b, np.arange(TABLE_CELLS + 1) / TABLE_CELLS)
    want[0], want[-1] = 0.0, 1.0
    np.testing.assert_allclose(sampling.beta_knots(special, a, b), want, rtol=0, atol=1e-12)
