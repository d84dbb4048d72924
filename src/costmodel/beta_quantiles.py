"""Tables of the Beta quantile function, for drawing PERT levers by inverse CDF (:mod:`costmodel.sampling`).

A PERT lever is ``low + (high − low) × X`` with ``X`` Beta(α, β), α, β ≥ 1. Its quantile ``F⁻¹(u)`` is
tabulated at ``u = k / TABLE_CELLS`` and interpolated linearly; near ``u = 0`` it behaves like
``u^(1/α)``, whose slope is unbounded, so the cells whose interpolation error could exceed
:data:`TOLERANCE` of the range are covered by a table in ``t = u^(1/α)`` instead, in which the
quantile is smooth (likewise near 1 in ``(1 − u)^(1/β)``).

Building the tables is the fixed cost of a Monte Carlo run (one table per distinct PERT shape). The
knots are not each found by inverting the Beta distribution function: ``x(t) = F⁻¹(t^α)`` is smooth
on ``u ≤ 1/2`` (``F(x) = x^α g(x)`` with ``g`` analytic and ``g(0) = 1 / (α B(α, β))``), so it is
interpolated by quintic Hermite polynomials between :data:`ANCHORS` + 1 exact values, with the exact
derivatives ``x' = α t^(α−1) / f(x)`` and ``x'' = x' ((α − 1)/t − (log f)'(x) x')`` (``f`` the Beta
density); likewise ``1 − x`` in ``(1 − u)^(1/β)`` on ``u ≥ 1/2``. The exact values come from
:mod:`costmodel.incomplete_beta` (numpy alone: importing scipy would cost more than every table of a
run), for every shape of a run at once (:func:`beta_quantiles`). The knots are within 1e-12 of
``scipy.special.betaincinv`` (tested).
"""
from __future__ import annotations

import threading

import numpy as np

from .incomplete_beta import betaln, lower_quantile

TABLE_CELLS = 2**14  #: equal cells in u of a PERT quantile table (2 × 16,385 knots, 256 KiB)
TAIL_KNOTS = 2**10  #: knots of each steep end's table, equal steps in u^(1/α) (or (1 − u)^(1/β))
TOLERANCE = 1e-7  #: largest interpolation error allowed, as a share of the lever's range
ANCHORS = 128  #: cells of the quintic interpolation of each half of the quantile function
CACHED = 256  #: tables kept (levers with the same shape share one; 256 KiB each)


class HalfQuantile:
    """``x(t) = F⁻¹(t^α)`` of Beta(α, β) for ``0 ≤ t ≤ 2^(−1/α)`` (``u ≤ 1/2``), by quintic Hermite interpolation."""

    def __init__(self, alpha: float, beta: float, x: np.ndarray | None = None):
        """``x``: the exact ``F⁻¹(t^α)`` at the :data:`ANCHORS` + 1 anchors ``t = k h`` (:func:`half_anchors`) if known."""
        cells = ANCHORS
        self.alpha, self.cells = float(alpha), cells
        self.end = 0.5 ** (1.0 / alpha)
        self.h = self.end / cells
        t = np.arange(cells + 1) * self.h
        x = half_anchors([(alpha, beta)])[0] if x is None else x
        log_b = float(betaln(alpha, beta))
        c = np.exp((np.log(alpha) + log_b) / alpha)  # x ≈ c t near 0
        with np.errstate(divide="ignore", invalid="ignore"):
            d1 = alpha * np.exp(log_b) * (t / x) ** (alpha - 1.0) * (1.0 - x) ** (1.0 - beta)
            dlogf = (alpha - 1.0) / x - (beta - 1.0) / (1.0 - x)
            d2 = d1 * ((alpha - 1.0) / t - dlogf * d1)
        d1[0] = c
        d2[0] = -2.0 * c * c * (1.0 - beta) / (alpha + 1.0)  # from F(x) = x^α / (α B) (1 + α (1 − β) x / (α + 1) + …)
        d1, d2 = d1 * self.h, d2 * (self.h * self.h)  # derivatives in units of a cell
        x0, x1, a0, a1, b0, b1 = x[:-1], x[1:], d1[:-1], d1[1:], d2[:-1], d2[1:]
        # each cell's quintic in s (0 ≤ s ≤ 1) matching value, slope and curvature at both ends, as powers of s
        self.coef = np.stack([x0, a0, 0.5 * b0,
                              10.0 * (x1 - x0) - 6.0 * a0 - 4.0 * a1 - 1.5 * b0 + 0.5 * b1,
                              -15.0 * (x1 - x0) + 8.0 * a0 + 7.0 * a1 + 1.5 * b0 - b1,
                              6.0 * (x1 - x0) - 3.0 * (a0 + a1) - 0.5 * (b0 - b1)])

    def __call__(self, t: np.ndarray) -> np.ndarray:
        pos = t / self.h
        j = np.minimum(pos.astype(np.intp), self.cells - 1)
        s = pos - j
        c = self.coef.take(j, axis=1)
        out = c[5] * s
        for k in (4, 3, 2, 1):  # Horner's rule
            out += c[k]
            out *= s
        out += c[0]
        return out


def half_anchors(shapes) -> np.ndarray:
    """``F⁻¹(t^α)`` of each Beta(α, β) in ``shapes`` at the anchors ``t = k 2^(−1/α) / ANCHORS``, k = 0 … ANCHORS
    (``len(shapes) × (ANCHORS + 1)``): one vectorised solve for every shape (:func:`~costmodel.incomplete_beta.lower_quantile`)."""
    alpha, beta = (np.array([float(shape[i]) for shape in shapes])[:, None] for i in (0, 1))
    t = np.arange(ANCHORS + 1) * ((0.5 ** (1.0 / alpha)) / ANCHORS)  # as HalfQuantile's t, exactly
    return lower_quantile(alpha, beta, t**alpha, betaln(alpha, beta))


def halves(alpha: float, beta: float, anchors: np.ndarray | None = None) -> tuple[HalfQuantile, HalfQuantile]:
    """The lower half ``F⁻¹(t^α)`` and the upper half ``1 − F⁻¹(1 − s^β)`` (the lower half of Beta(β, α));
    ``anchors``: both halves' exact values (``half_anchors([(α, β), (β, α)])``) if known."""
    if anchors is None:
        anchors = half_anchors([(alpha, beta), (beta, alpha)])
    return HalfQuantile(alpha, beta, anchors[0]), HalfQuantile(beta, alpha, anchors[1])


def beta_knots(alpha: float, beta: float, parts: tuple[HalfQuantile, HalfQuantile] | None = None) -> np.ndarray:
    """Beta(α, β) quantiles at ``u = k / TABLE_CELLS``, k = 0 … TABLE_CELLS (see the module's docstring)."""
    lower, upper = parts or halves(alpha, beta)
    n = TABLE_CELLS
    u = np.arange(n // 2 + 1) / n  # exact
    x = np.empty(n + 1)
    x[:n // 2 + 1] = lower(u ** (1.0 / alpha))
    x[n // 2:] = (1.0 - upper(u[::-1] ** (1.0 / beta)))  # 1 − u = (n − k) / n, exactly
    x[0], x[-1] = 0.0, 1.0
    return x


class BetaQuantile:
    """``F⁻¹(u)`` of Beta(α, β), α, β ≥ 1, by linear interpolation in tables of quantiles (:func:`beta_knots`).

    The body is :data:`TABLE_CELLS` equal cells in ``u``. Cells whose interpolation error could exceed
    :data:`TOLERANCE` (bounded by ``h² max|F⁻¹''| / 8``, ``F⁻¹'' = −f'(x)/f(x)³``) are covered by the
    steep ends' tables (``left``, ``right``: ``(width, knots)``). ``anchors``: see :func:`halves`.
    """

    def __init__(self, alpha: float, beta: float, anchors: np.ndarray | None = None):
        self.alpha, self.beta = float(alpha), float(beta)
        n = TABLE_CELLS
        lower, upper = halves(alpha, beta, anchors)
        x = beta_knots(alpha, beta, (lower, upper))
        slope = np.diff(x)
        self.first, self.last = _body_cells(alpha, beta, x, lower, upper)  # cells first … last−1
        t = np.arange(TAIL_KNOTS + 1) / TAIL_KNOTS
        if self.first > 0:  # u = width × t^α, i.e. t_lower = width^(1/α) t
            width = self.first / n
            self.left = width, lower(width ** (1.0 / alpha) * t)
        else:
            self.left = None
        if self.last < n:
            width = 1.0 - self.last / n
            self.right = width, 1.0 - upper(width ** (1.0 / beta) * t)
        else:
            self.right = None
        self._ends_tables()
        # F⁻¹(u) = x_k + slope_k (s − k) with s = n u in cell k, stored as intercept_k + slope_k s (one pass fewer);
        # cells of the steep ends get NaN, which marks the draws to take from the end tables
        k = np.arange(n + 1, dtype=float)
        slope = np.append(slope, 0.0)  # s = n (u = 1) is the last knot itself
        slope[:self.first] = np.nan
        slope[self.last:n] = np.nan
        self.slope, self.intercept = slope, x - slope * k


    def packed(self) -> np.ndarray:
        """The tables in one array (:func:`unpacked` reads it back): α, β, the body's first and last cell, each
        steep end's width (NaN: none), then the slopes, intercepts, ends' knots, scales and powers."""
        widths = [np.nan if end is None else end[0] for end in (self.left, self.right)]
        head = np.array([self.alpha, self.beta, self.first, self.last, *widths])
        return np.concatenate([head, self.slope, self.intercept, self.ends_x, self.ends_scale, self.ends_power])

    def _ends_tables(self):
        """Both steep ends' tables in one array (left, then right), and per end the scale and power taking the
        distance ``v`` from the end, in cells of ``s = TABLE_CELLS × u``, to the table's position:
        ``K (v / (TABLE_CELLS × width))^(1/α)`` (``β`` on the right)."""
        K = TAIL_KNOTS
        dummy = (0.5, np.zeros(K + 1))  # an end with no table is never asked for: no cell of it is NaN
        (wl, xl), (wr, xr) = self.left or dummy, self.right or dummy
        self.ends_x = np.concatenate([xl, xr])
        self.ends_scale = np.array([1.0 / wl, 1.0 / wr]) * (1.0 / TABLE_CELLS)
        self.ends_power = np.array([1.0 / self.alpha, 1.0 / self.beta])

    def ends(self, s: np.ndarray) -> np.ndarray:
        """``F⁻¹(u)`` for draws in the steep ends' cells, given ``s = TABLE_CELLS × u`` (one pass for both ends)."""
        return steep_ends(s, 0, self.ends_scale, self.ends_power, self.ends_x)


def steep_ends(s: np.ndarray, table, scale: np.ndarray, power: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """``F⁻¹(u)`` from steep ends' tables for draws in their cells, given ``s = TABLE_CELLS × u``, for one shape
    (``table`` 0) or many at once (``table``: twice each draw's shape's position in the lists).

    Table ``table + e`` (``e`` 0 on the left, 1 on the right) has its :data:`TAIL_KNOTS` + 1 knots at
    ``knots[(table + e) × (TAIL_KNOTS + 1):]``, and ``scale`` (``1 / (TABLE_CELLS × width)``) and ``power``
    (``1/α`` or ``1/β``) at ``table + e``: its position is ``K (v × scale)^power``, ``v`` the distance from the end × n.
    """
    n, K = TABLE_CELLS, TAIL_KNOTS
    right = (s >= n // 2).astype(np.intp)
    v = np.where(right, n - s, s)  # exact
    right += table
    v *= scale.take(right)
    with np.errstate(divide="ignore"):  # u = 0: log 0 = −∞, and the table's first knot
        t = np.log(v)
    t *= power.take(right)
    t = np.exp(t)
    t *= K
    k = np.minimum(t.astype(np.intp), K - 1)
    t -= k
    k += right * (K + 1)
    x = knots.take(k)
    x += (knots.take(k + 1) - x) * t
    return x


PACKED_SIZE = 6 + 2 * (TABLE_CELLS + 1) + 2 * (TAIL_KNOTS + 1) + 4  #: numbers in :meth:`BetaQuantile.packed`


def unpacked(alpha: float, beta: float, packed: np.ndarray) -> BetaQuantile | None:
    """The tables of Beta(``alpha``, ``beta``) from :meth:`BetaQuantile.packed`, or None where ``packed`` is not
    that (another shape or size, cells out of range): a kept copy is only used when it is exactly this table's."""
    packed = np.asarray(packed)
    if packed.dtype != np.float64 or packed.shape != (PACKED_SIZE,):
        return None
    a, b, first, last, left, right = (float(v) for v in packed[:6])
    if (a, b) != (float(alpha), float(beta)) or not 0 <= first <= last <= TABLE_CELLS \
            or first != int(first) or last != int(last):
        return None
    q = BetaQuantile.__new__(BetaQuantile)
    n, K = TABLE_CELLS + 1, TAIL_KNOTS + 1
    q.alpha, q.beta, q.first, q.last = a, b, int(first), int(last)
    q.slope, q.intercept, q.ends_x = packed[6:6 + n], packed[6 + n:6 + 2 * n], packed[6 + 2 * n:6 + 2 * n + 2 * K]
    q.ends_scale, q.ends_power = packed[-4:-2], packed[-2:]
    q.left = None if np.isnan(left) else (left, q.ends_x[:K])
    q.right = None if np.isnan(right) else (right, q.ends_x[K:])
    return q


def _error_bound(alpha: float, beta: float, x: np.ndarray, lower: HalfQuantile, upper: HalfQuantile,
                 cells: np.ndarray) -> np.ndarray:
    """The bound on linear interpolation's error in ``cells`` (sorted) of the table with knots ``x``:
    ``h² max|F⁻¹''| / 8``, ``|F⁻¹''|`` taken at the cell's ends and middle (towards a steep end it grows
    monotonically, so an end gives the maximum), × 1.25."""
    n = TABLE_CELLS
    mid = (cells + 0.5) / n  # each cell's midpoint: exact
    half = np.searchsorted(cells, n // 2)
    x_mid = np.concatenate([lower(mid[:half] ** (1.0 / alpha)), 1.0 - upper((1.0 - mid[half:]) ** (1.0 / beta))])
    ends = np.maximum(_curvature(alpha, beta, x.take(cells)), _curvature(alpha, beta, x.take(cells + 1)))
    return np.maximum(ends, _curvature(alpha, beta, x_mid)) * (1.0 / n) ** 2 / 8.0 * 1.25


def _body_cells(alpha: float, beta: float, x: np.ndarray, lower: HalfQuantile, upper: HalfQuantile,
                coarse: int = 64) -> tuple[int, int]:
    """The cells ``first … last − 1`` whose interpolation error is within :data:`TOLERANCE` (:func:`_error_bound`).

    They are one run of cells: ``|F⁻¹''| = |f'|/f³`` falls from ``u = 0`` to the mode and rises after it
    (``d log|F⁻¹''|/dx = g'/g − 2g`` with ``g = (log f)'`` decreasing, for α, β ≥ 1), so the bound falls then
    rises along the cells. So every ``coarse``-th cell is tried, then each cell where the run begins and
    ends; if no coarse cell is within, every cell is (none within: both ends' tables meet in the middle).
    """
    n = TABLE_CELLS
    points = np.append(np.arange(0, n, coarse), n - 1)
    ok = np.flatnonzero(_error_bound(alpha, beta, x, lower, upper, points) <= TOLERANCE)
    if not ok.size:
        every = np.flatnonzero(_error_bound(alpha, beta, x, lower, upper, np.arange(n)) <= TOLERANCE)
        return (int(every[0]), int(every[-1]) + 1) if every.size else (n // 2, n // 2)
    i, j = ok[0], ok[-1]
    before = np.arange(points[i - 1] + 1 if i > 0 else 0, points[i] + 1)  # the run begins in these cells
    after = np.arange(points[j], points[j + 1] if j + 1 < points.size else n)  # and ends in these
    first = before[np.flatnonzero(_error_bound(alpha, beta, x, lower, upper, before) <= TOLERANCE)[0]]
    last = after[np.flatnonzero(_error_bound(alpha, beta, x, lower, upper, after) <= TOLERANCE)[-1]] + 1
    return int(first), int(last)


def _curvature(alpha: float, beta: float, x: np.ndarray) -> np.ndarray:
    """``|F⁻¹''(u)|`` at ``x = F⁻¹(u)``: ``|f'(x)| / f(x)³`` with ``f`` the Beta density (∞ where it is not finite)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        logf = (alpha - 1) * np.log(x) + (beta - 1) * np.log1p(-x) - betaln(alpha, beta)
        dlogf = (alpha - 1) / x - (beta - 1) / (1.0 - x)
        curv = np.abs(dlogf) * np.exp(-2.0 * logf)  # |f'| / f³ = |d log f / dx| / f²
    return np.where(np.isfinite(curv), curv, np.inf)


_tables: dict[tuple[float, float], BetaQuantile] = {}
_tables_lock = threading.Lock()
_store = None  #: where built tables are kept between runs (:func:`keep_tables`), or None


def keep_tables(store):
    """Keep the tables built from now on in ``store`` and look there before building one: an object with
    ``load(alpha, beta) -> BetaQuantile | None`` and ``save(table)`` (:class:`costmodel.files.table_cache.TableCache`:
    a folder on disk, so that a run does not build again what an earlier run built). None: build every table.
    Returns the store before."""
    global _store
    previous, _store = _store, store
    return previous


def beta_quantiles(shapes, mapper=map) -> list[BetaQuantile]:
    """The (cached) quantile tables of each Beta(α, β) in ``shapes``; levers with the same shape share one.

    The tables not yet cached are read from the store (:func:`keep_tables`) if it has them; the rest are built
    together: every shape's anchors in one vectorised solve (:func:`half_anchors`), then each table through
    ``mapper(function, items)`` (threads may build them in parallel), and handed to the store.
    """
    shapes = [(float(a), float(b)) for a, b in shapes]
    new = [shape for shape in dict.fromkeys(shapes) if shape not in _tables]
    store = _store
    kept = {shape: q for shape in new if store is not None and (q := store.load(*shape)) is not None}
    new = [shape for shape in new if shape not in kept]
    built = {}
    if new:
        anchors = half_anchors(new + [(b, a) for a, b in new]).reshape(2, len(new), ANCHORS + 1)
        built = dict(zip(new, mapper(lambda i: BetaQuantile(*new[i], anchors[:, i]), range(len(new)))))
        for q in built.values() if store is not None else ():
            store.save(q)
    if kept or built:
        with _tables_lock:
            _tables.update(kept | built)
            for old in list(_tables)[:max(0, len(_tables) - CACHED)]:  # the oldest first
                if old not in shapes:
                    del _tables[old]
    return [_tables.get(shape) or BetaQuantile(*shape) for shape in shapes]


def beta_quantile(alpha: float, beta: float) -> BetaQuantile:
    """The (cached) quantile tables of Beta(α, β) (:func:`beta_quantiles`)."""
    return beta_quantiles([(alpha, beta)])[0]
