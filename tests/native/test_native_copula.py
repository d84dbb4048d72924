"""The compiled Gaussian copula (costmodel.native.sampling) against scipy and against exact arithmetic.

Φ⁻¹ (Wichura's AS 241) and Φ (C99 erfc) of the kernel are checked against ``scipy.special.ndtri``/``ndtr`` and
against Φ summed in decimal arithmetic at enough digits to be exact (the power series below, independent of both);
the copula against :func:`costmodel.sampling.scipy_copula`, the reference used when the kernel is not built.
"""
import json
import subprocess
import sys
from decimal import Decimal, localcontext

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from costmodel import sampling
from costmodel.native import kernel

K = kernel("sampling")
ULP = 2.0**-52
TINY = 2.0**-53


def quantile(p):
    out = np.empty_like(p)
    K.normal_quantile(p, out)
    return out


def cdf(x):
    out = np.empty_like(x)
    K.normal_cdf(x, out)
    return out


def _pi(digits):
    """π to ``digits`` digits (the decimal module's documented series)."""
    with localcontext() as c:
        c.prec = digits + 2
        three = Decimal(3)
        lasts, t, s, n, na, d, da = 0, three, 3, 1, 0, 0, 24
        while s != lasts:
            lasts = s
            n, na = n + na, na + 8
            d, da = d + da, da + 32
            t = (t * n) / d
            s += t
        return +s


def exact_cdf(x: float) -> Decimal:
    """Φ(x) for the double x to 40 digits: 1/2 + φ(x) Σ x^(2n+1) / (1·3·…·(2n+1)) summed with enough digits to survive
    the cancellation (the sum reaches e^(x²/2) in the left tail)."""
    digits = 40 + int(x * x / 4.6)
    with localcontext() as c:
        c.prec = digits
        X = Decimal(x)
        X2 = X * X
        term = total = X
        n = 0
        while n < X2 or abs(term) > abs(total) * Decimal(10) ** -digits:
            n += 1
            term = term * X2 / (2 * n + 1)
            total += term
        pdf = (-X2 / 2).exp() / (2 * _pi(digits)).sqrt()
        result = Decimal("0.5") + pdf * total
    with localcontext() as c:
        c.prec = 40
        return +result


def test_normal_quantile_matches_scipy_over_the_whole_range_and_the_copulas_clip():
    from scipy.special import ndtri
    rng = np.random.default_rng(11)
    low = np.exp(-rng.uniform(0.0, 744.0, 200_000))  # 1e-323 … 1: both tails, log-uniformly
    p = np.concatenate([rng.random(200_000), low, 1.0 - low * 0.5, [TINY, 1.0 - TINY, 0.075, 0.925, 0.5, 5e-324]])
    p = p[(p > 0.0) & (p < 1.0)]
    got, want = quantile(p), ndtri(p)
    rel = np.abs(got - want) / np.maximum(np.abs(want), np.finfo(float).tiny)  # Φ⁻¹(0.5) = 0 in both
    # each is within 8e-16 of the exact deviate (measured against 113-bit arithmetic, docs/copula.md): 2e-15 apart
    assert rel.max() <= 2e-15, (rel.max(), p[rel.argmax()])
    assert quantile(np.array([0.5]))[0] == 0.0
    assert (quantile(np.array([0.0, 1.0])) == [-np.inf, np.inf]).all()
    assert np.isnan(quantile(np.array([np.nan, -0.1, 1.1]))).all()


@pytest.mark.parametrize("p", [TINY, 1e-300, 1e-100, 1e-20, 1.4e-11, 1e-5, 0.01, 0.074, 0.076, 0.3, 0.49])
def test_normal_quantile_solves_phi_of_x_equals_p_to_1e_15(p):
    """Exactly, Φ(x) − p ≈ φ(x) δx: the relative error of x = Φ⁻¹(p) is |Φ(−|x|) − p| / (φ(x) |x|), in both tails."""
    for q in {p, 1.0 - p} - {1.0}:  # 1 − p rounded (to 1 for p < 2^-54)
        x = quantile(np.array([q]))[0]
        assert (x < 0.0) == (q < 0.5)
        with localcontext() as c:
            c.prec = 40
            tail = Decimal(q) if q < 0.5 else 1 - Decimal(q)  # exactly
            pdf = (-Decimal(x) ** 2 / 2).exp() / (2 * _pi(40)).sqrt()
            rel = abs(exact_cdf(-abs(x)) - tail) / (pdf * abs(Decimal(x)))
        assert rel <= Decimal("1e-15"), (q, x, rel)


def test_normal_cdf_is_within_1e_15_of_exact_in_both_tails():
    x = np.concatenate([np.linspace(-37.5, 9.0, 60), [-37.0, -8.2, -1.0, 0.0, 1e-8, 8.2]])
    got = cdf(x)
    want = np.array([float(exact_cdf(v)) for v in x])
    rel = np.abs(got - want) / want
    assert rel.max() <= 1e-15, (rel.max(), x[rel.argmax()])


def test_normal_cdf_matches_scipy_within_scipys_own_rounding_errors():
    """scipy's ndtr rounds t = |x|/√2 before erfc, which costs up to t² ulps in the left tail (1e-13 at x = −37), and its
    erfc rounds t² in e^(−t²) (t²/2 more; 2.4 t² ulps measured in all); near |t| = 1 it takes 1/2 + erf(t)/2 (up to 7
    ulps of cancellation). The kernel avoids them (it is within 1e-15 of exact, above): the two differ by scipy's error."""
    from scipy.special import ndtr
    rng = np.random.default_rng(12)
    x = np.concatenate([rng.uniform(-37.5, 9.0, 400_000), rng.uniform(-2.0, 2.0, 100_000), [-37.0, 0.0, 8.3]])
    got, want = cdf(x), ndtr(x)
    rel = np.abs(got - want) / want
    t = np.abs(x) / np.sqrt(2.0)
    bound = (3.0 * t * t + 8.0) * ULP
    assert (rel <= bound).all(), x[np.argmax(rel / bound)]
    assert rel[x >= 0.0].max() <= 2 * ULP
    assert cdf(np.array([-38.0]))[0] > 0.0  # 2.9e-316 (subnormal): scipy's ndtr underflows to 0 there


@pytest.fixture(scope="module")
def bundled_plan():
    from costmodel import montecarlo as mc
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    p = mc.plan(load_folder(bundled_assumptions()), 1000, 1)
    assert p.correlation is not None  # the bundled example declares correlations
    return p


def _involved(pearson):
    involved = np.flatnonzero(np.abs(pearson - np.eye(len(pearson))).sum(axis=0) > 0)
    return involved, np.linalg.cholesky(pearson[np.ix_(involved, involved)])


def test_the_copula_of_the_bundled_examples_pass_matches_scipys_to_1e_15(bundled_plan):
    drawn = list(bundled_plan.drawn)
    u = sampling.Uniforms(drawn, 1, 0, sampling.BLOCK).take(np.empty((sampling.BLOCK, len(drawn)), order="F"))
    u[0], u[1] = 0.0, 1.0 - TINY  # random() can give 0; the largest double below 1
    involved, L = _involved(bundled_plan.correlation)
    got = sampling.gaussian_copula(u.copy(order="F"), bundled_plan.correlation)
    want = sampling.scipy_copula(u.copy(order="F"), involved, L)
    assert np.abs(got - want).max() <= 1e-15
    untouched = np.setdiff1d(np.arange(len(drawn)), involved[1:])
    np.testing.assert_array_equal(got[:, untouched], u[:, untouched])  # other levers and the first correlated one
    assert (got[:, involved] != u[:, involved]).any(axis=0)[1:].all()
    # a row-major pass (columns not contiguous) goes through a copy of the involved columns: the same numbers
    np.testing.assert_array_equal(sampling.gaussian_copula(np.ascontiguousarray(u), bundled_plan.correlation), got)


def test_without_the_kernel_the_copula_is_scipys(bundled_plan, monkeypatch):
    drawn = list(bundled_plan.drawn)
    u = sampling.Uniforms(drawn, 2, 0, 5000).take(np.empty((5000, len(drawn)), order="F"))
    involved, L = _involved(bundled_plan.correlation)
    fused = sampling.gaussian_copula(u.copy(order="F"), bundled_plan.correlation)
    monkeypatch.setattr(sampling, "_KERNEL", None)
    reference = sampling.gaussian_copula(u.copy(order="F"), bundled_plan.correlation)
    np.testing.assert_array_equal(reference, sampling.scipy_copula(u.copy(order="F"), involved, L))
    assert np.abs(fused - reference).max() <= 1e-15


@st.composite
def correlations(draw):
    """A random normal-score correlation matrix over 2–5 levers: the Gram matrix of random vectors, normalised."""
    k = draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.normal(size=(k, k + draw(st.integers(0, 3))))
    gram = a @ a.T
    pearson = gram / np.sqrt(np.outer(np.diag(gram), np.diag(gram)))
    np.fill_diagonal(pearson, 1.0)
    assume(np.linalg.eigvalsh(pearson).min() > 1e-6)
    return pearson


@settings(max_examples=40, deadline=None)
@given(pearson=correlations(), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3000), extra=st.integers(0, 3))
def test_the_kernel_copula_matches_scipys_for_random_correlations(pearson, seed, n, extra):
    rng = np.random.default_rng(seed)
    k = len(pearson)
    full = np.eye(k + extra)  # levers in no correlation around them
    where = np.sort(rng.choice(k + extra, k, replace=False))
    full[np.ix_(where, where)] = pearson
    u = np.asfortranarray(rng.random((n, k + extra)))
    u[0, where[0]] = 0.0
    involved, L = _involved(full)
    got = sampling.gaussian_copula(u.copy(order="F"), full)
    want = sampling.scipy_copula(u.copy(order="F"), involved, L)
    assert np.abs(got - want).max() <= 1e-15
    assert ((got >= 0.0) & (got <= 1.0)).all()


def test_the_kernel_names_a_wrong_buffer():
    col, L = np.zeros(4), np.eye(2)
    with pytest.raises(ValueError, match="column 1 has 3 draws"):
        K.gaussian_copula([col, np.zeros(3)], L)
    with pytest.raises(ValueError, match="2 columns need a 2 x 2 factor"):
        K.gaussian_copula([col, col.copy()], np.eye(3))
    with pytest.raises(ValueError, match="column 1 is not float64"):
        K.gaussian_copula([col, np.zeros(4, dtype=np.float32)], L)
    with pytest.raises(ValueError, match="not C-contiguous"):
        K.gaussian_copula([col, np.zeros((4, 2))[:, 0]], L)
    with pytest.raises(BufferError, match="not writable"):
        K.gaussian_copula([col, col.copy().tobytes()], L)
    with pytest.raises(TypeError, match="sequence"):
        K.gaussian_copula(3, L)
    with pytest.raises(ValueError, match="normal_quantile: 3 values into 2"):
        K.normal_quantile(np.zeros(3), np.zeros(2))


def _montecarlo_json(kernel_on: bool) -> dict:
    code = ("import sys\n"
            "from costmodel import sampling\n"
            f"sampling._KERNEL = sampling._KERNEL if {kernel_on} else None\n"
            "from costmodel.cli.main import main\n"
            "sys.argv = ['costmodel', 'montecarlo', '--draws', '100000', '--seed', '1', '--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('scipy.special' in sys.modules, file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr.split()[-1] == str(not kernel_on)  # scipy only on the reference path
    return json.loads(out.stdout)


def json_leaves(tree, path=""):
    """``(path, value)`` of every leaf of a JSON document (also used by test_native_fallback)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from json_leaves(value, f"{path}.{key}")
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from json_leaves(value, f"{path}[{i}]")
    else:
        yield path, tree


def test_a_monte_carlo_of_the_bundled_example_matches_the_scipy_path_to_1e_12():
    fused, reference = dict(json_leaves(_montecarlo_json(True))), dict(json_leaves(_montecarlo_json(False)))
    assert fused.keys() == reference.keys()
    numbers = [k for k, v in reference.items() if isinstance(v, float)]
    assert len(numbers) > 20
    for key in fused:
        if key in numbers:
            assert fused[key] == pytest.approx(reference[key], rel=1e-12, abs=1e-9), key
        else:
            assert fused[key] == reference[key], key
