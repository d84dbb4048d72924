"""The PERT quantile tables (:mod:`costmodel.beta_quantiles`) and the incomplete beta function they are built
from (:mod:`costmodel.incomplete_beta`, numpy alone) against scipy, the independent implementation."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel import incomplete_beta, sampling
from costmodel.beta_quantiles import TABLE_CELLS, beta_quantile, beta_quantiles
from costmodel.files.assumption_folder import load_folder

SHAPE = st.floats(1.0, 5.0)  # PERT's α and β
ROOT = Path(__file__).resolve().parents[2]
CASE_BASE = ROOT / "tests" / "cases" / "base"


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
    whole = sampling.pert_quantile(d, u.copy())  # the tables route exactly these draws to the ends
    np.testing.assert_allclose(whole, width * got, rtol=0, atol=1e-12 * width)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 1.0))
def test_table_knots_match_betaincinv_to_1e_12_for_any_pert_shape(where):
    from scipy import special
    a, b = sampling.pert_shape(sampling.Drawn("x", 0.0, where, 1.0))
    want = special.betaincinv(a, b, np.arange(TABLE_CELLS + 1) / TABLE_CELLS)
    want[0], want[-1] = 0.0, 1.0
    np.testing.assert_allclose(sampling.beta_knots(a, b), want, rtol=0, atol=1e-12)


def test_many_shapes_built_together_equal_each_built_alone():
    rng = np.random.default_rng(3)
    shapes = [tuple(s) for s in rng.uniform(1.0, 5.0, (12, 2))] + [(1.0, 5.0), (5.0, 1.0), (1.0, 1.0), (3.0, 3.0)]
    together = beta_quantiles(shapes, map)
    for shape, q in zip(shapes, together):
        alone = sampling.BetaQuantile(*shape)
        assert (q.first, q.last) == (alone.first, alone.last)
        for name in ("slope", "intercept", "ends_x"):
            np.testing.assert_array_equal(getattr(q, name), getattr(alone, name))
    assert beta_quantile(*shapes[0]) is together[0]  # cached: levers of one shape share the table


@settings(max_examples=60, deadline=None)
@given(SHAPE, SHAPE, st.floats(0.0, 1.0))
def test_betainc_and_betaln_match_scipy(a, b, x):
    from scipy import special
    assert abs(incomplete_beta.betaln(a, b) - special.betaln(a, b)) < 1e-14
    assert abs(incomplete_beta.betainc(a, b, x) - special.betainc(a, b, x)) < 1e-14


@settings(max_examples=60, deadline=None)
@given(SHAPE, SHAPE, st.integers(0, 2**32 - 1))
def test_betaincinv_matches_scipy_for_pert_shapes(a, b, seed):
    from scipy import special
    rng = np.random.default_rng(seed)
    # uniform u, u close to either end (down to 1e-30), and the exact ends
    u = np.concatenate([rng.random(200), 10.0 ** rng.uniform(-30, -1, 100), 1.0 - 10.0 ** rng.uniform(-15, -1, 100),
                        [0.0, 1.0]])
    got = incomplete_beta.betaincinv(a, b, u)
    want = special.betaincinv(a, b, u)
    assert np.isfinite(got).all()
    # scipy 1.17's own inverse can fail next to 1 (NaN at a = 1 + 2^-52, b = 3.27, u = 1 − 4e-16): compared where it answers
    ok = np.isfinite(want)
    assert ok.mean() > 0.95
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-13, atol=1e-14)
    # and it solves I_x(a, b) = u at least as well as scipy's own inverse, by scipy's I_x
    assert np.all(np.abs(special.betainc(a, b, got[ok]) - u[ok]) <= np.abs(special.betainc(a, b, want[ok]) - u[ok]) + 1e-14)
    assert np.all(np.abs(special.betainc(a, b, got) - u) <= 1e-14)


@settings(max_examples=30, deadline=None)
@given(SHAPE)
def test_the_median_of_a_symmetric_beta_is_one_half(a):
    # scipy's betaincinv is off by up to 1e-10 here (e.g. 0.5000000001 for a = b = 2.2)
    assert abs(incomplete_beta.betaincinv(a, a, 0.5) - 0.5) < 1e-14


def test_betaincinv_converges_for_large_and_lopsided_shapes():
    from scipy import special
    rng = np.random.default_rng(11)
    a, b = np.exp(rng.uniform(0.0, np.log(500.0), (2, 400)))  # α, β ≥ 1 up to 500
    u = rng.random(400)
    np.testing.assert_allclose(incomplete_beta.betaincinv(a, b, u), special.betaincinv(a, b, u), rtol=0, atol=1e-13)


@pytest.mark.parametrize("folder", [CASE_BASE, ROOT / "assumptions"], ids=["no correlations", "bundled, correlated"])
def test_a_monte_carlo_without_qmc_does_not_import_scipy(folder):
    """With the compiled kernel the copula needs no scipy either: the bundled example declares correlations."""
    correlated = bool(load_folder(folder).extra.get("correlations"))
    assert correlated == (folder != CASE_BASE)
    code = ("import sys\n"
            "from costmodel import sampling\n"
            "assert sampling._KERNEL is not None\n"
            "from costmodel.cli.main import main\n"
            f"sys.argv = ['costmodel', 'montecarlo', '--draws', '2000', '--assumptions', {str(folder)!r}, '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('scipy' in sys.modules, sorted(m for m in sys.modules if m.startswith('scipy'))[:3], file=sys.stderr)\n"
            "assert 'scipy' not in sys.modules\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert '"probability_cheapest"' in out.stdout  # it did run the Monte Carlo


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(0.0, 1.0), st.floats(1e-3, 1e6)), min_size=1, max_size=6),
       st.integers(1, 3 * sampling.PIECE), st.booleans(), st.integers(0, 2**32 - 1))
def test_all_levers_at_once_give_each_levers_own_quantiles_bit_for_bit(levers, n, column_major, seed):
    # to_levers maps every column then every lever's steep-end draws in one go: exactly pert_quantile's values
    drawn = [sampling.Drawn(f"x{i}", low, low + where * width, low + width) for i, (low, where, width) in enumerate(levers)]
    rng = np.random.default_rng(seed)
    u = rng.random((n, len(drawn)))
    u[rng.random(u.shape) < 0.05] *= 1e-3  # plenty of draws in the steep ends
    u[0] = 0.0
    want = np.stack([sampling.pert_quantile(d, u[:, j].copy()) for j, d in enumerate(drawn)], axis=1)
    got = sampling.to_levers(np.asfortranarray(u) if column_major else u.copy(), drawn)
    np.testing.assert_array_equal(got, want)


def test_pert_tables_builds_every_levers_tables_before_the_draws(bundled):
    from costmodel import montecarlo as mc
    p = mc.plan(bundled, 100, seed=1)
    sampling.pert_tables(p.drawn, map)
    built = sampling._pert_table.cache_info().currsize, sampling._lever_ends.cache_info().misses
    x = sampling.draw_block(list(p.drawn), 1, 0, 5000, "pert", p.correlation)
    assert (sampling._pert_table.cache_info().currsize, sampling._lever_ends.cache_info().misses) == built  # nothing new
    assert np.all((x >= [d.low for d in p.drawn]) & (x <= [d.high for d in p.drawn]))


def test_prepare_draws_imports_scipy_only_for_qmc_or_a_copula_without_the_kernel():
    code = ("import sys\n"
            "from costmodel import sampling\n"
            "drawn = [sampling.Drawn('a', 0.0, 1.0, 3.0), sampling.Drawn('b', 1.0, 1.5, 2.0)]\n"
            "corr = sampling.np.array([[1.0, 0.5], [0.5, 1.0]])\n"
            "sampling.prepare_draws(drawn, 'pert', None, False)\n"
            "print('scipy' in sys.modules)\n"
            "sampling.prepare_draws(drawn, 'pert', corr, False)\n"
            "sampling.draw_block(drawn, 1, 0, 100, 'pert', corr)\n"
            "print('scipy' in sys.modules)\n"
            "sampling._KERNEL = None\n"  # no compiled kernel: the copula is scipy's, imported before the draws
            "sampling.prepare_draws(drawn, 'pert', corr, False)\n"
            "print('scipy.special' in sys.modules, 'scipy.stats' in sys.modules)\n"
            "sampling.prepare_draws(drawn, 'triangular', None, True)\n"
            "print('scipy.stats.qmc' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "False", "True"]


def every_cells_bound(a, b):
    """The body's cells as first found: every cell's error bound (ends and middle), the first and last within."""
    from costmodel.beta_quantiles import TOLERANCE, _curvature, beta_knots, halves
    n = TABLE_CELLS
    lower, upper = halves(a, b)
    x = beta_knots(a, b, (lower, upper))
    mid = (np.arange(n) + 0.5) / n
    x_mid = np.concatenate([lower(mid[:n // 2] ** (1.0 / a)), 1.0 - upper((1.0 - mid[n // 2:]) ** (1.0 / b))])
    curv, curv_mid = _curvature(a, b, x), _curvature(a, b, x_mid)
    bound = np.maximum(np.maximum(curv[:-1], curv[1:]), curv_mid) * (1.0 / n) ** 2 / 8.0 * 1.25
    ok = np.flatnonzero(bound <= TOLERANCE)
    assert ok.size == 0 or ok.size == ok[-1] + 1 - ok[0]  # one run of cells, as the search assumes
    return (int(ok[0]), int(ok[-1]) + 1) if ok.size else (n // 2, n // 2)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.tuples(SHAPE, SHAPE), st.tuples(st.floats(1.0, 60.0), st.floats(1.0, 60.0)),
                 st.sampled_from([(1.0, 1.0), (1.0, 5.0), (5.0, 1.0), (1.0 + 1e-9, 3.0), (3.0, 3.0), (2.2, 2.2)])))
def test_the_body_found_by_a_coarse_search_is_every_cells_scan(shape):
    q = sampling.BetaQuantile(*shape)
    assert (q.first, q.last) == every_cells_bound(*shape)
