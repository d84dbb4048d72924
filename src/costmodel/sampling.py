"""Monte Carlo sampling of levers: PERT (default) or triangular on each lever's low / central / high.

Every lever is drawn by its inverse distribution function from one uniform per draw: triangular in
closed form, PERT (a Beta(α, β) scaled to low … high) from a table of Beta quantiles
(:mod:`costmodel.beta_quantiles`) interpolated linearly, with the steep ends tabulated against
``u^(1/α)`` and ``(1 − u)^(1/β)`` so the error stays below 1e-7 of the lever's range everywhere
(tested against ``scipy.stats.beta.ppf``). This is several times cheaper than a Beta sampler.

Inflation levers (``appraisal.inflation.*``) are not drawn: they only turn real costs into nominal
ones, and Monte Carlo reports present values, which are real. Nor are the years of a price index
that no money lever's conversion reads (an index no price group uses, or a forecast year that is
neither the price base nor a figure's price year): they change nothing. Both are held at central
(listed with the structural levers and flags that are never drawn).

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
Spearman's ``ρ`` exactly), and ``Φ(L z)`` replaces ``u`` before the lever's quantile function (Φ and Φ⁻¹ in
the compiled kernel of :mod:`costmodel.native`, to a few units in the last place; ``scipy.special`` without it). Each
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
import importlib
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .assumptions import Assumptions
from .beta_quantiles import TABLE_CELLS, TAIL_KNOTS, BetaQuantile, beta_quantile, beta_quantiles, steep_ends
from .beta_quantiles import beta_knots as beta_knots  # the tables' knots (tested against scipy)
from .errors import AssumptionError, Problem
from .native import kernel
from .prices import index_levers_used
from .validation import correlation_problems

BLOCK = 65_536  #: draws per random stream; fixed so results never depend on chunking
QMC_REPLICATE = 2**14  #: points of one independently scrambled Sobol' sequence under QMC (4 a block)
PIECE = 2**15  #: draws mapped through a quantile table at a time (cache-sized; never changes a value)
DISTRIBUTIONS = ("pert", "triangular")
_KERNEL = kernel("sampling")  #: the compiled table lookup and copula (:mod:`costmodel.native`), or None: numpy/scipy
_PCG = kernel("uniforms")  #: numpy's PCG64 streams compiled, run in lockstep (:mod:`costmodel.native`), or None: numpy's
NOMINAL_ONLY = "appraisal.inflation."  #: levers that change nominal outputs only: not drawn
INDEX_PREFIX = "prices."  #: price index levers: drawn only when a conversion reads them


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
    figures, which Monte Carlo does not report (present values are real), and index years no
    conversion reads change nothing: they are held too.
    """
    drawn, held = [], []
    used = index_levers_used(a.price_plan)
    for key in sorted(a.levers):
        lever = a.levers[key]
        if None in (lever.low, lever.central, lever.high) or lever.low == lever.high:
            continue
        spec = lever.spec
        unused_index = key.startswith(INDEX_PREFIX) and key not in used
        if spec.structural or lever.unit == "flag" or key.startswith(NOMINAL_ONLY) or unused_index:
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


class LeverTable(NamedTuple):
    """A PERT lever's tables: the Beta table ``q`` and its body scaled to the lever (``low + span × F⁻¹`` in one
    step: ``slope × s + intercept``), interleaved row by row for the compiled kernel."""

    q: BetaQuantile
    body: np.ndarray

    @property
    def slope(self) -> np.ndarray:
        return self.body[:, 0]

    @property
    def intercept(self) -> np.ndarray:
        return self.body[:, 1]


@functools.lru_cache(maxsize=1024)
def _pert_table(low: float, central: float, high: float) -> LeverTable:
    """The tables of a PERT lever with range ``low`` … ``high`` and mode ``central``."""
    span = high - low
    q = beta_quantile(*pert_shape(Drawn("", low, central, high)))
    body = np.empty((q.slope.size, 2))
    np.multiply(q.slope, span, out=body[:, 0])
    np.multiply(q.intercept, span, out=body[:, 1])
    body[:, 1] += low
    return LeverTable(q, body)


def prepare_draws(drawn, distribution: str = "pert", correlation: np.ndarray | None = None, qmc: bool = False,
                  mapper=map) -> None:
    """Build what the draws need before they start, once per process (processes forked afterwards inherit it):
    the PERT tables (:func:`pert_tables`), and the scipy modules ``qmc`` needs, or a copula (``correlation``)
    where the compiled kernel was not built. A run without ``qmc`` does not import scipy when the kernel is built."""
    if distribution == "pert":
        pert_tables(drawn, mapper)
    if correlation is not None and _KERNEL is None:
        importlib.import_module("scipy.special")
    if qmc:
        importlib.import_module("scipy.stats.qmc")


def pert_tables(drawn, mapper=map) -> None:
    """Build (and cache) the PERT tables of the levers ``drawn`` before the draws: every distinct shape's Beta
    quantile tables at once (:func:`costmodel.beta_quantiles.beta_quantiles`, each table through ``mapper``),
    each lever's scaled to its range, and their steep ends side by side; processes forked afterwards inherit them."""
    drawn = tuple(drawn)
    if drawn:
        beta_quantiles(sorted({pert_shape(d) for d in drawn}), mapper)
        for d in drawn:
            _pert_table(d.low, d.central, d.high)
        _lever_ends(drawn)


def pert_quantile(d: Drawn, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """PERT quantiles of lever ``d`` at ``u``: ``low + (high − low) × F⁻¹_{Beta(α, β)}(u)``.

    Works through ``u`` in pieces of :data:`PIECE` with the table scaled to the lever (a few passes
    over cache-sized buffers); ``out`` may be ``u``. Draws in the steep ends' cells come out NaN from
    the body's table, which is how they are found, and are taken from the ends' tables.
    """
    q = _pert_table(d.low, d.central, d.high).q
    u = np.asarray(u, dtype=float)
    out = np.empty_like(u) if out is None else out
    flat_out = out.reshape(-1)
    for where, s in _body(d, u.reshape(-1), flat_out, _buffers(u.size)):
        x = q.ends(s)
        x *= d.high - d.low
        x += d.low
        flat_out[where] = x
    return out


def pert_levers(u: np.ndarray, drawn: list[Drawn]) -> np.ndarray:
    """PERT quantiles of every lever of ``drawn`` at its column of ``u`` (``n × levers``, each column contiguous), in
    place: each column through its lever's table, then every lever's draws in steep ends' cells in one go (a few
    passes over them all, not a few over each lever's); the same values as :func:`pert_quantile` lever by lever."""
    work = _buffers(u.shape[0])
    found = []
    for j, d in enumerate(drawn):
        found += [(j, where, s) for where, s in _body(d, u[:, j], u[:, j], work)]
    if found:
        ends = _lever_ends(tuple(drawn))
        s = np.concatenate([s for _, _, s in found])
        lever = np.repeat(np.array([j for j, _, _ in found]), [where.size for _, where, _ in found])
        x = steep_ends(s, 2 * lever, ends.scale, ends.power, ends.knots)
        x *= ends.span.take(lever)
        x += ends.low.take(lever)
        last = 0
        for j, where, _ in found:
            u[where, j] = x[last:last + where.size]
            last += where.size
    return u


@dataclass(frozen=True)
class LeverEnds:
    """The steep ends' tables of levers, side by side for :func:`costmodel.beta_quantiles.steep_ends`."""

    knots: np.ndarray
    scale: np.ndarray
    power: np.ndarray
    span: np.ndarray
    low: np.ndarray


@functools.lru_cache(maxsize=64)
def _lever_ends(drawn: tuple[Drawn, ...]) -> LeverEnds:
    """The steep ends of the levers ``drawn`` (cached per run: the plan's levers are one tuple)."""
    tables = [_pert_table(d.low, d.central, d.high).q for d in drawn]
    return LeverEnds(np.concatenate([q.ends_x for q in tables]),
                     np.concatenate([q.ends_scale for q in tables]),
                     np.concatenate([q.ends_power for q in tables]),
                     np.array([d.high - d.low for d in drawn]), np.array([d.low for d in drawn]))


def _buffers(size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Work space of :func:`_body`: ``s``, its cells ``k`` and a scratch column, for a piece of draws."""
    m = min(PIECE, size)
    return np.empty(m), np.empty(m, dtype=np.intp), np.empty(m)


def _body(d: Drawn, u: np.ndarray, out: np.ndarray, work) -> list[tuple[np.ndarray, np.ndarray]]:
    """``low + span × F⁻¹(u)`` from the body of lever ``d``'s table into ``out`` (1-d, may be ``u``), a piece of
    :data:`PIECE` at a time; the positions and ``s = TABLE_CELLS × u`` of the draws in steep ends' cells (NaN).
    With the compiled kernel (:mod:`costmodel.native`), every draw in one loop, steep ends included: none listed."""
    table = _pert_table(d.low, d.central, d.high)
    q = table.q
    if _KERNEL is not None and u.flags.c_contiguous and out.flags.c_contiguous:
        _KERNEL.pert_lever(u, table.body, float(TABLE_CELLS), q.ends_x, q.ends_scale, q.ends_power, TAIL_KNOTS,
                           d.high - d.low, d.low, out)
        return []
    slope, intercept = table.slope, table.intercept
    ends = q.left is not None or q.right is not None
    s, i, tmp = work
    found = []
    for lo in range(0, u.size, PIECE):
        m = min(PIECE, u.size - lo)
        sp, ip, tp, op = s[:m], i[:m], tmp[:m], out[lo:lo + m]
        np.multiply(u[lo:lo + m], TABLE_CELLS, out=sp)  # exact: n is a power of two
        np.copyto(ip, sp, casting="unsafe")  # floor for u ≥ 0
        slope.take(ip, out=op, mode="clip")  # "clip": unbuffered (every index is in range)
        op *= sp
        op += intercept.take(ip, out=tp, mode="clip")
        if ends:
            tail = np.flatnonzero(np.isnan(op))
            if tail.size:
                found.append((tail + lo, sp[tail]))
    return found


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

    Only columns that take part in a correlation change: ``Φ(L Φ⁻¹(u))`` with ``L`` the Cholesky factor. The
    compiled kernel (:mod:`costmodel.native`: Wichura's AS 241 for Φ⁻¹, C99 ``erfc`` for Φ) does it in one loop
    over the draws; without it, :func:`scipy_copula` (``scipy.special.ndtri``/``ndtr``), the reference.
    """
    involved = np.flatnonzero(np.abs(pearson - np.eye(len(pearson))).sum(axis=0) > 0)
    if involved.size == 0:
        return u
    L = np.linalg.cholesky(pearson[np.ix_(involved, involved)])
    if _KERNEL is None:
        return scipy_copula(u, involved, L)
    if u.strides[0] == u.itemsize:  # each column contiguous: in place
        _KERNEL.gaussian_copula([u[:, j] for j in involved], L)
    else:
        columns = np.asfortranarray(u[:, involved])
        _KERNEL.gaussian_copula([columns[:, c] for c in range(involved.size)], L)
        u[:, involved] = columns
    return u


def scipy_copula(u: np.ndarray, involved: np.ndarray, L: np.ndarray) -> np.ndarray:
    """:func:`gaussian_copula` on the columns ``involved`` of ``u`` with numpy and ``scipy.special``, in place."""
    from scipy.special import ndtr, ndtri
    tiny = 2.0**-53  # random() can give 0 exactly: keep Φ⁻¹ finite
    z = ndtri(np.clip(u[:, involved], tiny, 1.0 - tiny))
    for c, j in enumerate(involved):  # L z by hand: no BLAS threads (they spin) for a k × k product
        if c == 0:
            continue  # L[0, 0] = 1: the first lever keeps its uniform, Φ(Φ⁻¹(u)) = u
        y = z[:, 0] * L[c, 0]
        for k in range(1, c + 1):
            y += z[:, k] * L[c, k]
        u[:, j] = ndtr(y)
    return u


class Uniforms:
    """The uniforms of block ``block``, ``size × len(drawn)``, from its draw ``first`` on, handed out a pass at a
    time (:meth:`take`).

    Each lever draws from its own stream (:func:`lever_rng`), which gives the same numbers whether they
    are drawn at once or a pass at a time; a part of a block starts its streams ``first`` numbers on (PCG64's
    ``advance``: each uniform is one 64-bit output), so it has the numbers the whole block has there. Under
    ``qmc`` the block's Sobol' points are made at once. With the compiled kernel the streams' PCG64 states
    (:func:`pcg_states`) run in lockstep there, giving numpy's numbers bit for bit (docs/native.md).
    """

    def __init__(self, drawn: list[Drawn], seed: int, block: int, size: int, qmc: bool = False, first: int = 0):
        self.points = qmc_uniforms(len(drawn), seed, block, size) if qmc else None
        streams = None if qmc else [lever_rng(seed, block, d.key) for d in drawn]
        if first and streams:
            for stream in streams:
                stream.bit_generator.advance(first)
        self.states = pcg_states(streams) if streams is not None and _PCG is not None else None
        self.streams = None if self.states is not None else streams
        self.taken = first if qmc else 0

    def take(self, out: np.ndarray) -> np.ndarray:
        """The next ``len(out)`` uniforms of each lever, written into ``out`` (``n × levers``, column-major)."""
        n = out.shape[0]
        if self.points is not None:
            out[:] = self.points[self.taken:self.taken + n]
        elif self.states is not None:
            _PCG.fill(self.states, out)
        else:
            for j, stream in enumerate(self.streams):
                stream.random(out=out[:, j])
        self.taken += n
        return out


def pcg_states(streams: list[np.random.Generator]) -> np.ndarray:
    """Each stream's PCG64 state and increment as 64-bit words, ``streams × 4`` uint64: state high, state low,
    increment high, increment low (what the compiled ``fill`` reads and advances)."""
    words = np.empty((len(streams), 4), dtype=np.uint64)
    for row, stream in zip(words, streams):
        state = stream.bit_generator.state["state"]
        row[:] = *divmod(state["state"], 1 << 64), *divmod(state["inc"], 1 << 64)
    return words


def draw_block(drawn: list[Drawn], seed: int, block: int, size: int, distribution: str = "pert",
               correlation: np.ndarray | None = None, qmc: bool = False) -> np.ndarray:
    """Draws of block ``block``, ``size × len(drawn)`` (``size`` is :data:`BLOCK` except for the last block).

    Each lever takes ``size`` uniforms from its own stream (or the block's Sobol' points under
    ``qmc``), correlated by the Gaussian copula, and maps them through its quantile function. The
    first ``k`` draws of a block do not depend on ``size``, only on ``seed`` and ``block``.
    """
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {DISTRIBUTIONS}, got {distribution!r}")
    out = np.empty((size, len(drawn)), order="F")  # each lever contiguous: the engine reads columns
    return to_levers(Uniforms(drawn, seed, block, size, qmc).take(out), drawn, distribution, correlation)


def to_levers(u: np.ndarray, drawn: list[Drawn], distribution: str = "pert", correlation: np.ndarray | None = None) -> np.ndarray:
    """Uniforms ``n × len(drawn)`` (column-major is fastest) turned into lever values, in place.

    The Gaussian copula first (if ``correlation``), then each lever's quantile function, integers rounded.
    """
    if correlation is not None:
        gaussian_copula(u, correlation)
    if distribution == "pert" and u.strides[0] == u.itemsize:  # each column contiguous
        pert_levers(u, drawn)
    elif distribution == "pert":
        u[:] = pert_levers(np.asfortranarray(u), drawn)
    else:
        for j, d in enumerate(drawn):
            triangular_quantile(d, u[:, j], out=u[:, j])
    for j, d in enumerate(drawn):
        if d.integer:
            col = u[:, j]
            np.clip(np.rint(col, out=col), np.ceil(d.low), np.floor(d.high), out=col)
    return u
