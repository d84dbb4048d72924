"""Monte Carlo sampling of levers: PERT (default) or triangular on each lever's low / central / high.

Every lever is drawn by its inverse distribution function from one uniform per draw: triangular in
closed form, PERT (a Beta(α, β) scaled to low … high) from a table of exact Beta quantiles
(``scipy.special.betaincinv``) interpolated linearly, with the steep ends tabulated against
``u^(1/α)`` and ``(1 − u)^(1/β)`` so the error stays below 1e-7 of the lever's range everywhere
(tested against ``scipy.stats.beta.ppf``). This is several times cheaper than a Beta sampler.

Inflation levers (``appraisal.inflation.*``) are not drawn: they only turn real costs into nominal
ones, and Monte Carlo reports present values, which are real. They are held at central (listed with
the structural levers and flags that are never drawn).

Reproducibility: draws are generated in fixed blocks of :data:`BLOCK` draws, block ``i`` from its own
seed ``SeedSequence(seed).spawn(n)[i]``, and each lever draws from its own stream within the block,
``SeedSequence(seed, spawn_key=(i, crc32(key)))``. So draw ``j`` of a lever has the same value
whatever the chunk size, the threads or the cluster, and whichever other levers are drawn or fixed
(``--set``, scenarios): comparisons between runs use common random numbers. So draw ``j`` has the same value whatever the chunk size, the
number of threads or the cluster that computes it.

Correlations (``correlations:`` in ``scenarios.yaml``) are rank correlations imposed within each
block by the Iman–Conover method: levers are drawn independently, then reordered so their ranks follow
correlated normal scores. Each marginal distribution is unchanged; only the pairing moves. Format::

    correlations:
      - levers: [options.in_house.improvement.total, options.trust.improvement.total]
        rho: 0.6            # Spearman rank correlation, -1 < rho < 1
        reason: Why these move together.
"""
from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass

import numpy as np

from .assumptions import Assumptions
from .errors import AssumptionError, Problem
from .validation import correlation_problems

BLOCK = 65_536  #: draws per random stream; fixed so results never depend on chunking
DISTRIBUTIONS = ("pert", "triangular")
NOMINAL_ONLY = "appraisal.inflation."  #: levers that change nominal outputs only: not drawn


@dataclass(frozen=True)
class Drawn:
    """One lever drawn at random: its key and low / central / high (same unit as the lever)."""

    key: str
    low: float
    central: float
    high: float
    integer: bool = False


def drawn_levers(a: Assumptions) -> tuple[list[Drawn], list[str]]:
    """Levers with a range (low < high) that Monte Carlo draws, and the ranged ones it holds at central.

    Structural levers (horizon, start and price-base years) shape the model and flags are yes/no
    choices: neither is drawn, they stay at their central value. Inflation levers change only nominal
    figures, which Monte Carlo does not report (present values are real): they are held too.
    """
    drawn, held = [], []
    for key in sorted(a.levers):
        lever = a.levers[key]
        if None in (lever.low, lever.central, lever.high) or lever.low == lever.high:
            continue
        spec = lever.spec
        if spec.structural or lever.unit == "flag" or key.startswith(NOMINAL_ONLY):
            held.append(key)
            continue
        drawn.append(Drawn(key, float(lever.low), float(lever.central), float(lever.high), bool(spec.integer)))
    return drawn, held


def pert_shape(d: Drawn) -> tuple[float, float]:
    """PERT's beta parameters: ``1 + 4 (c − a)/(b − a)`` and ``1 + 4 (b − c)/(b − a)`` (mean ``(a + 4c + b)/6``)."""
    span = d.high - d.low
    return 1.0 + 4.0 * (d.central - d.low) / span, 1.0 + 4.0 * (d.high - d.central) / span


def correlation_matrix(a: Assumptions, drawn: list[Drawn]) -> np.ndarray | None:
    """The target rank-correlation matrix over ``drawn`` from ``a.extra['correlations']`` (None if none).

    Raises :class:`AssumptionError` naming ``scenarios.yaml`` and the entry for a bad declaration.
    """
    raw = a.extra.get("correlations") if a.extra else None
    if not raw:
        return None
    problems = correlation_problems(raw, a.levers)  # the same check as validate's
    if problems:
        raise AssumptionError(problems)
    index = {d.key: i for i, d in enumerate(drawn)}
    R = np.eye(len(drawn))
    for item in raw:
        keys = item["levers"]
        if any(k not in index for k in keys):
            continue  # a lever fixed at one value (no range, --set or a scenario) is not drawn: nothing to correlate
        i, j = index[keys[0]], index[keys[1]]
        R[i, j] = R[j, i] = float(item["rho"])
    pearson = 2.0 * np.sin(np.pi * R / 6.0)  # normal scores' correlation giving Spearman rho
    np.fill_diagonal(pearson, 1.0)
    if np.linalg.eigvalsh(pearson).min() <= 1e-10:
        raise AssumptionError([Problem("scenarios.yaml correlations", "correlations", "the declared correlations are not consistent "
                                       "(the matrix is not positive definite): lower some rho values")])
    return pearson


CORRELATION_STREAM = 2**32  #: spawn key of the correlation scores' stream (crc32 values are below it)


def lever_rng(seed: int, block: int, key: str) -> np.random.Generator:
    """The stream of one lever in one block: ``SeedSequence(seed, spawn_key=(block, crc32(key)))``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, zlib.crc32(key.encode()))))


TABLE_CELLS = 2**14  #: equal cells in u of a PERT quantile table (2 × 8,193 knots, 128 KiB)
TAIL_KNOTS = 2**10  #: knots of each steep end's table, equal steps in u^(1/α) (or (1 − u)^(1/β))
TOLERANCE = 1e-7  #: largest interpolation error allowed, as a share of the lever's range


class BetaQuantile:
    """``F⁻¹(u)`` of Beta(α, β), α, β ≥ 1, by linear interpolation in tables of exact quantiles.

    The body is :data:`TABLE_CELLS` equal cells in ``u``. Near ``u = 0`` the quantile behaves like
    ``u^(1/α)``, whose slope is unbounded, so cells whose interpolation error could exceed
    :data:`TOLERANCE` (bounded by ``h² max|F⁻¹''| / 8``, ``F⁻¹'' = −f'(x)/f(x)³``) are covered by a
    table in ``t = (u/u₀)^(1/α)``, in which the quantile is smooth; likewise near 1 in
    ``(1 − u)^(1/β)``.
    """

    def __init__(self, alpha: float, beta: float):
        from scipy import special
        self.alpha, self.beta = float(alpha), float(beta)
        n = TABLE_CELLS
        u = np.arange(n + 1) / n
        x = special.betaincinv(alpha, beta, u)
        x[0], x[-1] = 0.0, 1.0
        slope = np.diff(x)
        # |F⁻¹''| = |f'(x)| / f(x)³ with f the Beta density; log f = (α−1) log x + (β−1) log(1−x) − log B
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            logf = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x) - special.betaln(alpha, beta)
            dlogf = (alpha - 1) / x - (beta - 1) / (1.0 - x)
            curv = np.abs(dlogf) * np.exp(-2.0 * logf)  # |f'| / f³ = |d log f / dx| / f²
        curv = np.where(np.isfinite(curv), curv, np.inf)
        bound = np.maximum(curv[:-1], curv[1:]) * (1.0 / n) ** 2 / 8.0 * 4.0  # × 4: margin for the bound's ends
        ok = np.flatnonzero(bound <= TOLERANCE)
        self.first, self.last = (int(ok[0]), int(ok[-1]) + 1) if ok.size else (n // 2, n // 2)  # cells first … last−1
        self.left = self._tail(special, alpha, beta, self.first / n, lower=True) if self.first > 0 else None
        self.right = self._tail(special, alpha, beta, 1.0 - self.last / n, lower=False) if self.last < n else None
        # F⁻¹(u) = x_k + slope_k (s − k) with s = n u in cell k, stored as intercept_k + slope_k s (one pass fewer);
        # cells of the steep ends get NaN, which marks the draws to take from the end tables
        k = np.arange(n + 1, dtype=float)
        slope = np.append(slope, 0.0)  # s = n (u = 1) is the last knot itself
        slope[:self.first] = np.nan
        slope[self.last:n] = np.nan
        self.slope, self.intercept = slope, x - slope * k

    @staticmethod
    def _tail(special, alpha, beta, width, lower):
        t = np.arange(TAIL_KNOTS + 1) / TAIL_KNOTS
        if lower:
            x = special.betaincinv(alpha, beta, width * t**alpha)
        else:
            x = 1.0 - special.betaincinv(beta, alpha, width * t**beta)  # F⁻¹(1 − v) = 1 − F_{β,α}⁻¹(v)
        return width, x

    def __call__(self, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Quantiles at ``u`` in [0, 1] (no NaN), same shape, written into ``out`` if given (which may be ``u``)."""
        n = TABLE_CELLS
        s = np.multiply(u, n)  # exact: n is a power of two
        i = s.astype(np.intp)
        out = np.take(self.slope, i, out=out)
        out *= s
        out += np.take(self.intercept, i)
        if self.left is not None or self.right is not None:
            tail = np.flatnonzero(np.isnan(out))
            if tail.size:
                ut = s[tail] * (1.0 / n)  # u itself, exactly
                low = ut < 0.5
                out[tail[low]] = _tail_value(self.left, ut[low], self.alpha, lower=True)
                out[tail[~low]] = _tail_value(self.right, 1.0 - ut[~low], self.beta, lower=False)
        return out


def _tail_value(table, v: np.ndarray, power: float, lower: bool) -> np.ndarray:
    """Interpolate a steep end's table at distance ``v`` from the end (``v < width``)."""
    width, x = table
    t = np.power(v * (1.0 / width), 1.0 / power) * TAIL_KNOTS
    k = np.minimum(t.astype(np.intp), TAIL_KNOTS - 1)
    t -= k
    return x[k] + (x[k + 1] - x[k]) * t


@functools.lru_cache(maxsize=256)
def beta_quantile(alpha: float, beta: float) -> BetaQuantile:
    """The (cached) quantile function of Beta(α, β); levers with the same shape share one table."""
    return BetaQuantile(alpha, beta)


def pert_quantile(d: Drawn, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """PERT quantiles of lever ``d`` at ``u``: ``low + (high − low) × F⁻¹_{Beta(α, β)}(u)``."""
    out = beta_quantile(*pert_shape(d))(u, out)
    out *= d.high - d.low
    out += d.low
    return out


def triangular_quantile(d: Drawn, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Triangular quantiles in closed form: ``a + √(u (b−a)(c−a))`` below ``F(c)``, ``b − √((1−u)(b−a)(b−c))`` above."""
    a, c, b = d.low, d.central, d.high
    fc = (c - a) / (b - a)
    below = u < fc
    lower = a + np.sqrt(u * ((b - a) * (c - a)))
    upper = b - np.sqrt((1.0 - u) * ((b - a) * (b - c)))
    if out is None:
        return np.where(below, lower, upper)
    np.copyto(out, upper)
    np.copyto(out, lower, where=below)
    return out


def draw_block(drawn: list[Drawn], seed: int, block: int, size: int, distribution: str = "pert",
               correlation: np.ndarray | None = None) -> np.ndarray:
    """Draws of block ``block``, ``size × len(drawn)`` (``size`` is :data:`BLOCK` except for the last block).

    Each lever takes ``size`` uniforms from its own stream and maps them through its quantile
    function. The first ``k`` draws of a block do not depend on ``size``, only on ``seed`` and
    ``block``: each lever's stream is consumed in order, and with correlations the whole block is
    drawn and cut.
    """
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    n = size if correlation is None else BLOCK  # ranks use the whole block
    out = np.empty((n, len(drawn)), order="F")  # each lever contiguous: the engine reads columns
    quantile = pert_quantile if distribution == "pert" else triangular_quantile
    for j, d in enumerate(drawn):
        col = out[:, j]
        lever_rng(seed, block, d.key).random(out=col)
        quantile(d, col, out=col)
    if correlation is not None:
        out = iman_conover(out, correlation, np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, CORRELATION_STREAM))))
    for j, d in enumerate(drawn):
        if d.integer:
            out[:, j] = np.clip(np.rint(out[:, j]), np.ceil(d.low), np.floor(d.high))
    return out[:size]


def iman_conover(x: np.ndarray, pearson: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reorder each column of ``x`` (n × k) so its ranks follow normal scores with correlation ``pearson``.

    Only columns that take part in a correlation are reordered (in place); the others keep their order.
    """
    involved = np.flatnonzero(np.abs(pearson - np.eye(len(pearson))).sum(axis=0) > 0)
    if involved.size == 0:
        return x
    sub = pearson[np.ix_(involved, involved)]
    z = rng.standard_normal((x.shape[0], involved.size))
    L = np.linalg.cholesky(sub)
    scores = np.zeros_like(z)
    for c in range(involved.size):  # scores = z @ L.T, summed by hand: no BLAS threads (they spin) for a k × k product
        for k in range(c + 1):
            scores[:, c] += z[:, k] * L[c, k]
    for col, j in enumerate(involved):
        x[np.argsort(scores[:, col]), j] = np.sort(x[:, j])  # the r-th smallest draw goes where the r-th smallest score is
    return x
