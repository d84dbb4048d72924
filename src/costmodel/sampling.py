"""Monte Carlo sampling of levers: PERT (default) or triangular on each lever's low / central / high.

Every lever is drawn by its inverse distribution function from one uniform per draw: triangular in
closed form, PERT (a Beta(α, β) scaled to low … high) from a table of exact Beta quantiles
(``scipy.special.betaincinv``) interpolated linearly, with the steep ends tabulated against
``u^(1/α)`` and ``(1 − u)^(1/β)`` so the error stays below 1e-7 of the lever's range everywhere
(tested against ``scipy.stats.beta.ppf``). This is several times cheaper than a Beta sampler.

Inflation levers (``appraisal.inflation.*``) are not drawn: they only turn real costs into nominal
ones, and Monte Carlo reports present values, which are real. They are held at central (listed with
the structural levers and flags that are never drawn).

Reproducibility: draws are generated in fixed blocks of :data:`BLOCK` draws, and each lever draws
from its own stream within block ``i``: ``SeedSequence(seed, spawn_key=(i, crc32(key)))``. So draw
``j`` of a lever has the same value whatever the chunk size, the threads or the cluster, and whichever
other levers are drawn or fixed (``--set``, scenarios): comparisons between runs use common random
numbers. Every draw is independent of every other (nothing is done across a block), so the Monte
Carlo standard errors of :mod:`costmodel.montecarlo` are those of independent draws.

Quasi-Monte Carlo (``qmc=True``): the uniforms come from scrambled Sobol' sequences
(``scipy.stats.qmc.Sobol``, Owen's nested scrambling) instead, one dimension per drawn lever in key
order. Each block holds :data:`QMC_REPLICATE`-point replicates, each an independently scrambled
sequence (seeded by seed, block and replicate): a randomised QMC design whose replicates are
independent, which is what gives QMC estimates an honest standard error (the spread between
replicates). The same seed gives the same draws whatever the chunking; fixing a lever changes the
dimensions and so every lever's points (no common random numbers under QMC).

Correlations (``correlations:`` in ``scenarios.yaml``) are rank correlations imposed by a Gaussian
copula: each correlated lever's uniform ``u`` becomes a normal score ``z = Φ⁻¹(u)``, the scores are
mixed by the Cholesky factor ``L`` of the normal-score correlation ``2 sin(π ρ / 6)`` (which gives
Spearman's ``ρ`` exactly), and ``Φ(L z)`` replaces ``u`` before the lever's quantile function. Each
lever's own distribution is unchanged (``Φ(L z)`` is uniform); only the pairing moves. The same
transform applies to QMC points (a smooth map of the low-discrepancy design). Levers that take part
in no correlation keep their uniforms untouched. Format::

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
QMC_REPLICATE = 2**14  #: points of one independently scrambled Sobol' sequence under QMC (4 a block)
PIECE = 2**14  #: draws mapped through a quantile table at a time (cache-sized; never changes a value)
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


QMC_STREAM = 2**32  #: spawn key of the QMC scramblings (crc32 values are below it)


def lever_rng(seed: int, block: int, key: str) -> np.random.Generator:
    """The stream of one lever in one block: ``SeedSequence(seed, spawn_key=(block, crc32(key)))``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block, zlib.crc32(key.encode()))))


TABLE_CELLS = 2**14  #: equal cells in u of a PERT quantile table (2 × 8,193 knots, 128 KiB)
TAIL_KNOTS = 2**10  #: knots of each steep end's table, equal steps in u^(1/α) (or (1 − u)^(1/β))
TOLERANCE = 1e-7  #: largest interpolation error allowed, as a share of the lever's range


class BetaQuantile:
    """``F⁻¹(u)`` of Beta(α, β), α, β ≥ 1, by linear interpolation in tables of exact quantiles (:func:`beta_knots`).

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
        x = beta_knots(special, alpha, beta)
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


def beta_knots(special, alpha: float, beta: float, coarse: int = 4, edge: int = TABLE_CELLS // 16) -> np.ndarray:
    """Beta(α, β) quantiles at ``u = k / TABLE_CELLS``, k = 0 … TABLE_CELLS, for a third of ``betaincinv``'s cost.

    Exact (``betaincinv``) at every ``coarse``-th knot and at the ``edge`` knots nearest each end, where the
    quantile steepens; in between, cubic Hermite interpolation with the exact slope ``dx/du = 1/f(x)``
    (error of order ``h⁴``: below 1e-12 of the range for PERT shapes, tested against ``betaincinv``).
    """
    n = TABLE_CELLS
    m = n // coarse
    xc = special.betaincinv(alpha, beta, np.arange(m + 1) / m)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logf = special.xlogy(alpha - 1.0, xc) + special.xlog1py(beta - 1.0, -xc) - special.betaln(alpha, beta)
        slope = np.exp(-logf) / m  # dx/du over one coarse cell
    secant = np.diff(xc)
    slope = np.where(np.isfinite(slope), slope, np.append(secant, secant[-1]))  # infinite at a steep end: exact there anyway
    t = np.arange(coarse) / coarse
    h00, h10, h01, h11 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t, -2 * t**3 + 3 * t**2, t**3 - t**2
    x = (np.outer(xc[:-1], h00) + np.outer(slope[:-1], h10) + np.outer(xc[1:], h01) + np.outer(slope[1:], h11)).reshape(-1)
    x = np.append(x, 1.0)
    ends = np.r_[0:edge, n + 1 - edge:n + 1]
    x[ends] = special.betaincinv(alpha, beta, ends / n)
    x[0], x[-1] = 0.0, 1.0
    return x


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


@functools.lru_cache(maxsize=1024)
def _pert_table(low: float, central: float, high: float) -> tuple[BetaQuantile, np.ndarray, np.ndarray]:
    """The Beta table of a PERT lever with its body scaled to the lever: ``low + span × F⁻¹`` in one step."""
    span = high - low
    q = beta_quantile(*pert_shape(Drawn("", low, central, high)))
    return q, q.slope * span, q.intercept * span + low


def pert_quantile(d: Drawn, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """PERT quantiles of lever ``d`` at ``u``: ``low + (high − low) × F⁻¹_{Beta(α, β)}(u)``.

    Works through ``u`` in pieces of :data:`PIECE` with the table scaled to the lever (a few passes
    over cache-sized buffers); ``out`` may be ``u``.
    """
    q, slope, intercept = _pert_table(d.low, d.central, d.high)
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u) if out is None else out
    n, span = TABLE_CELLS, d.high - d.low
    flat_u, flat_out = u.reshape(-1), out.reshape(-1)
    tail = None
    if q.left is not None or q.right is not None:  # draws in the steep ends' cells, found once for the whole column
        tail = np.flatnonzero((flat_u < q.first / n) | ((flat_u >= q.last / n) & (flat_u < 1.0)))
        ut = flat_u[tail]  # kept: ``out`` may be ``u``
    s = np.empty(min(PIECE, flat_u.size))
    i = np.empty(s.size, dtype=np.intp)
    tmp = np.empty(s.size)
    for lo in range(0, flat_u.size, PIECE):
        m = min(PIECE, flat_u.size - lo)
        sp, ip, tp, op = s[:m], i[:m], tmp[:m], flat_out[lo:lo + m]
        np.multiply(flat_u[lo:lo + m], n, out=sp)  # exact: n is a power of two
        np.copyto(ip, sp, casting="unsafe")  # floor for u ≥ 0
        np.take(slope, ip, out=op)
        op *= sp
        op += np.take(intercept, ip, out=tp)
    if tail is not None and tail.size:
        low = ut < 0.5
        flat_out[tail[low]] = d.low + span * _tail_value(q.left, ut[low], q.alpha, lower=True)
        flat_out[tail[~low]] = d.low + span * _tail_value(q.right, 1.0 - ut[~low], q.beta, lower=False)
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


def qmc_uniforms(k: int, seed: int, block: int, size: int) -> np.ndarray:
    """``size × k`` scrambled Sobol' points for block ``block``: replicates of :data:`QMC_REPLICATE` points,
    each its own scrambling (``SeedSequence(seed, spawn_key=(block, QMC_STREAM, r))``), in order."""
    import warnings
    from scipy.stats import qmc
    out = np.empty((size, k), order="F")
    for r, lo in enumerate(range(0, size, QMC_REPLICATE)):
        m = min(QMC_REPLICATE, size - lo)
        engine = qmc.Sobol(d=k, scramble=True, seed=np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(block, QMC_STREAM, r))))
        with warnings.catch_warnings():  # a short last replicate is not a power of two: fine, it is still uniform
            warnings.simplefilter("ignore", UserWarning)
            out[lo:lo + m] = engine.random(m)
    return out


def gaussian_copula(u: np.ndarray, pearson: np.ndarray) -> np.ndarray:
    """Impose the normal-score correlation ``pearson`` on the columns of uniforms ``u`` (n × k), in place.

    Only columns that take part in a correlation change: ``Φ(L Φ⁻¹(u))`` with ``L`` the Cholesky factor.
    """
    from scipy.special import ndtr, ndtri
    involved = np.flatnonzero(np.abs(pearson - np.eye(len(pearson))).sum(axis=0) > 0)
    if involved.size == 0:
        return u
    L = np.linalg.cholesky(pearson[np.ix_(involved, involved)])
    tiny = 2.0**-53  # random() can give 0 exactly: keep Φ⁻¹ finite
    z = ndtri(np.clip(u[:, involved], tiny, 1.0 - tiny))
    for c, j in enumerate(involved):  # L z by hand: no BLAS threads (they spin) for a k × k product
        y = z[:, 0] * L[c, 0]
        for k in range(1, c + 1):
            y += z[:, k] * L[c, k]
        u[:, j] = ndtr(y)
    return u


def draw_block(drawn: list[Drawn], seed: int, block: int, size: int, distribution: str = "pert",
               correlation: np.ndarray | None = None, qmc: bool = False) -> np.ndarray:
    """Draws of block ``block``, ``size × len(drawn)`` (``size`` is :data:`BLOCK` except for the last block).

    Each lever takes ``size`` uniforms from its own stream (or the block's Sobol' points under
    ``qmc``), correlated by the Gaussian copula, and maps them through its quantile function. The
    first ``k`` draws of a block do not depend on ``size``, only on ``seed`` and ``block``.
    """
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    if qmc:
        out = qmc_uniforms(len(drawn), seed, block, size)
    else:
        out = np.empty((size, len(drawn)), order="F")  # each lever contiguous: the engine reads columns
        for j, d in enumerate(drawn):
            lever_rng(seed, block, d.key).random(out=out[:, j])
    return to_levers(out, drawn, distribution, correlation)


def to_levers(u: np.ndarray, drawn: list[Drawn], distribution: str = "pert", correlation: np.ndarray | None = None) -> np.ndarray:
    """Uniforms ``n × len(drawn)`` (column-major is fastest) turned into lever values, in place.

    The Gaussian copula first (if ``correlation``), then each lever's quantile function, integers rounded.
    """
    if correlation is not None:
        gaussian_copula(u, correlation)
    quantile = pert_quantile if distribution == "pert" else triangular_quantile
    for j, d in enumerate(drawn):
        col = u[:, j]
        work = col if col.flags.contiguous else np.ascontiguousarray(col)
        quantile(d, work, out=work)
        if d.integer:
            np.clip(np.rint(work, out=work), np.ceil(d.low), np.floor(d.high), out=work)
        if work is not col:
            col[:] = work
    return u
