"""The regularised incomplete beta function ``I_x(a, b)`` and its inverse, for ``a, b ≥ 1``, in numpy alone.

The Beta(a, b) distribution function, for the PERT quantile tables (:mod:`costmodel.beta_quantiles`)
without importing scipy (a fifth of a second, more than building every table of a run). Every
function takes arrays of ``a``, ``b`` and ``x`` (or ``u``) that broadcast together, so the tables of
every PERT shape of a run are solved in one vectorised go. Tested against ``scipy.special``.

* ``log B(a, b)`` from :func:`math.lgamma`.
* ``I_x(a, b)`` by its continued fraction (modified Lentz), which converges quickly for
  ``x < (a + 1)/(a + b + 2)``; above it, by the symmetry ``I_x(a, b) = 1 − I_{1−x}(b, a)``.
* The inverse by Newton's method on ``G(x) = I_x(a, b)^(1/a)``, which is nearly linear near 0
  (``G(x) ≈ x / (a B(a, b))^(1/a)``), started from its second-order expansion; every step is kept
  inside the bracket of the root found so far, and bisects it when it would leave it, so it cannot
  diverge. Above the median the root is found from the other end, ``1 − x`` of Beta(b, a).
"""
from __future__ import annotations

import math

import numpy as np

EPSILON = 2.0**-52  #: the continued fraction stops when a term changes it by less than this (relative)
STEP_TOLERANCE = 1e-13  #: Newton stops after a step below this share of x (the next would be ~1e-26)
MAX_STEPS = 200  #: Newton/bisection steps at most (about 6 are taken; bisection alone needs 1,075 at worst)
_TINY = 1e-300  #: modified Lentz: a denominator this small is replaced by it


def betaln(a, b) -> np.ndarray:
    """``log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b)``, elementwise."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    lg = math.lgamma
    return np.array([lg(p) + lg(q) - lg(p + q) for p, q in zip(a.ravel().tolist(), b.ravel().tolist())]).reshape(a.shape)


def _continued_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction of ``I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) × cf``, by modified Lentz (converges
    quickly for ``x < (a + 1)/(a + b + 2)``, in about ``√max(a, b)`` terms). Each element stops at its own
    last term, so its value does not depend on the others computed with it."""
    def guard(v):
        return np.where(np.abs(v) < _TINY, _TINY, v)

    out = np.empty_like(x)
    left = np.arange(x.size)
    a, b, x = a.ravel(), b.ravel(), x.ravel()
    c = np.ones_like(x)
    d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0))
    h = d.copy()
    most = 100 + int(20.0 * math.sqrt(max(float(np.max(a, initial=1.0)), float(np.max(b, initial=1.0)))))
    for m in range(1, most):
        m2 = 2.0 * m
        for coefficient in (m * (b - m) * x / ((a - 1.0 + m2) * (a + m2)),  # the even term, then the odd
                            -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2))):
            d = 1.0 / guard(1.0 + coefficient * d)
            c = guard(1.0 + coefficient / c)
            delta = c * d
            h *= delta
        going = np.abs(delta - 1.0) > EPSILON
        if not going.all():
            out.flat[left[~going]] = h[~going]
            left, a, b, x, c, d, h = (v[going] for v in (left, a, b, x, c, d, h))
            if not left.size:
                return out
    out.flat[left] = h
    return out


def log_betainc(a, b, x, log_b=None) -> np.ndarray:
    """``log I_x(a, b)`` for ``0 < x < 1`` (``log_b``: ``log B(a, b)`` if known)."""
    a, b, x = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, x))
    log_b = betaln(a, b) if log_b is None else np.broadcast_to(log_b, a.shape)
    log_x, log_1mx = np.log(x), np.log1p(-x)
    flip = x > (a + 1.0) / (a + b + 2.0)  # I_x(a, b) = 1 − I_{1−x}(b, a): the fraction converges on that side
    p, q = np.where(flip, b, a), np.where(flip, a, b)
    log_y, log_1my = np.where(flip, log_1mx, log_x), np.where(flip, log_x, log_1mx)
    log_i = p * log_y + q * log_1my - log_b - np.log(p) + np.log(_continued_fraction(p, q, np.exp(log_y)))
    with np.errstate(divide="ignore"):
        return np.where(flip, np.log1p(-np.exp(log_i)), log_i)


def betainc(a, b, x) -> np.ndarray:
    """``I_x(a, b)``, the Beta(a, b) distribution function at ``0 ≤ x ≤ 1``."""
    a, b, x = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, x))
    inside = (x > 0.0) & (x < 1.0)
    out = np.where(x >= 1.0, 1.0, 0.0)
    out[inside] = np.exp(log_betainc(a[inside], b[inside], x[inside]))
    return out


def lower_quantile(a, b, u, log_b=None) -> np.ndarray:
    """``x`` with ``I_x(a, b) = u``, best for ``u ≤ 1/2`` (relative accuracy in ``x``; ``u`` 0 gives 0).

    Newton's method on ``G(x) = I_x(a, b)^(1/a) = t`` (``t = u^(1/a)``), from ``x₀ = c t (1 + (b − 1) c t / (a + 1))``,
    ``c = (a B(a, b))^(1/a)``: ``G(x) ≈ x / c (1 + (1 − b) x / (a + 1))`` near 0. A step is
    ``a (1 − t/G) I_x / f(x)`` (``f`` the density); one that would leave the bracket of the root
    found so far bisects it instead.
    """
    a, b, u = (np.array(v, dtype=float) for v in np.broadcast_arrays(a, b, u))
    log_b = betaln(a, b) if log_b is None else np.array(np.broadcast_to(log_b, a.shape), dtype=float)
    x = np.zeros_like(u)
    active = np.flatnonzero(u > 0.0)
    a, b, log_b, log_u = a.ravel()[active], b.ravel()[active], log_b.ravel()[active], np.log(u.ravel()[active])
    ct = np.exp((np.log(a) + log_b + log_u) / a)
    guess = ct * (1.0 + (b - 1.0) * ct / (a + 1.0))
    guess = np.where(guess < 1.0, guess, 0.5)
    low, high = np.zeros_like(guess), np.ones_like(guess)
    flat = x.reshape(-1)
    for _ in range(MAX_STEPS):
        if not active.size:
            break
        log_cdf = log_betainc(a, b, guess, log_b)
        log_density = (a - 1.0) * np.log(guess) + (b - 1.0) * np.log1p(-guess) - log_b
        above = log_cdf > log_u
        high = np.where(above, guess, high)
        low = np.where(above, low, guess)
        step = -a * np.expm1((log_u - log_cdf) / a) * np.exp(log_cdf - log_density)
        new = guess - step
        outside = ~((new >= low) & (new <= high))  # (a step of 0 stays at a bracket's end)
        new = np.where(outside, 0.5 * (low + high), new)
        flat[active] = new
        more = outside | (np.abs(step) > STEP_TOLERANCE * new)
        active, a, b, log_b, log_u, guess, low, high = (v[more] for v in (active, a, b, log_b, log_u, new, low, high))
    return x


def betaincinv(a, b, u) -> np.ndarray:
    """The Beta(a, b) quantile: ``x`` with ``I_x(a, b) = u``, ``0 ≤ u ≤ 1`` (above ``1/2`` as ``1 − x`` of Beta(b, a))."""
    a, b, u = (np.asarray(v, dtype=float) for v in np.broadcast_arrays(a, b, u))
    upper = u > 0.5
    log_b = betaln(a, b)
    lower = lower_quantile(np.where(upper, b, a), np.where(upper, a, b), np.where(upper, 1.0 - u, u), log_b)
    return np.where(upper, 1.0 - lower, lower)
