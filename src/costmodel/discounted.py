"""The discounted grid: timing flags summed over the years with discount weights, for many scenarios at once.

Every cost line is an amount per scenario times timing flags (:mod:`costmodel.timeline`: the share of
each month inside an interval). Its present value is ``Σ_t w_t × (line in year t)`` with ``w_t`` the
discount factor of financial year ``t`` times the line's relative price weight, so each flag can be
replaced by its discounted sum over the years, one number per scenario instead of one a month: that
is this module. The flags here take and give columns over scenarios (``S × 1``, or ``1 × 1`` for a
value shared by every scenario); each equals the monthly flag of :mod:`costmodel.timeline` summed with the weights (tested to 1e-12
against the month grid):

* ``from_month(s)``: ``Σ_t w_t × months of year t from s`` is piecewise linear in ``s`` with knots at
  the year boundaries: ``tail[K + 1] + 12 w_K (K + 1 − s/12)`` in year ``K = ⌊s/12⌋``;
* the agency-share ramp and the legacy step-down, summed over whole months in closed form
  (:func:`ramp_sum`, :func:`decay_sum`).

The weights are discount factors ``f_t`` (one row for every scenario, or a row per scenario when a
discount rate is drawn) times ``g^(power + t)`` for a relative price effect ``g = 1 + rate`` (Green
Book 5.13), which may be drawn per scenario: the grid then holds a row of tables per scenario,
``years + 2`` numbers each, built once per engine pass (one pass over the scenarios a year).

Where the compiled kernels :mod:`costmodel.native.discounted` are built, the tables and the flags
(:func:`from_month`, :func:`spread_flag`, :func:`ramp_sum`, :func:`decay_sum`) are worked out in one loop
over the scenarios instead of a dozen numpy passes; the numpy code (``*_reference``, ``Discounted._build_*``)
is kept as the fallback and the reference they are tested against (tests/native).
"""
from __future__ import annotations

import numpy as np

from .native import kernel

_KERNEL = kernel("discounted")  #: the compiled tables and flags (:mod:`costmodel.native`), or None: the numpy code below


class Workspace:
    """Arrays kept between engine passes, so each pass writes its tables into memory already in use
    (a fresh array of a few hundred KB is a fresh mapping from the operating system: page faults)."""

    def __init__(self):
        self._arrays: dict[tuple, np.ndarray] = {}

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The array ``name`` of ``shape`` (contents undefined)."""
        key = (name, shape)
        if key not in self._arrays:
            self._arrays[key] = np.empty(shape)
        return self._arrays[key]


class Discounted:
    """Financial years ``0 … years − 1`` weighted by ``w_t = f_t × growth^(power + t)``.

    ``factors`` is ``rows × years`` (one row, or one per scenario); ``growth`` is ``S × 1`` (or ``(S,)``) or absent.
    Tables, year-major (row ``r`` of boundary ``K`` at ``K × rows + r``), built when first needed:

    * ``months[K] = 12 w_K``, the discounted months of year ``K`` (0 for ``K ≥ years``);
    * ``tail[K] = Σ_{t ≥ K} 12 w_t``, the discounted sum of ``from_month(12 K)`` (0 for ``K ≥ years``);
    * ``head[K] = Σ_{t < K} 12 w_t`` and ``moment[K] = Σ_{t < K} w_t Σ_{month in t} month``: the
      discounted sums over the whole months before ``12 K`` of 1 and of the month number.
    """

    def __init__(self, months: int, factors, growth=None, power: float = 0.0,
                 workspace: Workspace | None = None, name: str = ""):
        if months % 12:
            raise ValueError(f"the discounted grid holds whole financial years, not {months} months")
        f = np.asarray(factors, dtype=float)
        self.f = f.reshape(1, -1) if f.ndim < 2 else f
        self.count = months // 12
        if self.f.shape[1] != self.count:
            raise ValueError(f"{self.f.shape[1]} discount factors for {self.count} years")
        self.growth = None if growth is None else np.asarray(growth, dtype=float).reshape(-1)
        self.power = float(power)
        self.rows = max(self.f.shape[0], 1 if self.growth is None else self.growth.size)
        self.offsets = np.arange(self.rows, dtype=np.intp).reshape(-1, 1) if self.rows > 1 else None
        self.workspace, self.name = workspace, name
        self._tables: dict[str, np.ndarray] = {}

    def _empty(self, table: str, years: int) -> np.ndarray:
        shape = (years, self.rows)
        if self.workspace is None or self.rows == 1:
            return np.empty(shape)
        return self.workspace.array(f"{self.name}.{table}", shape)

    def _table(self, name: str) -> np.ndarray:
        if name not in self._tables:
            if _KERNEL is None:
                self._tables[name] = getattr(self, f"_build_{name}")()
            else:
                self._build_all()
        return self._tables[name]

    def _build_all(self) -> None:
        """Every table at once with the compiled kernel (the ``_build_*`` passes, bit for bit), in one block of memory:
        a fresh block of several MB is mapped in huge pages where the system allows, not a page fault every 4 KB."""
        Y = self.count
        block, tables, at = self._empty("tables", 4 * Y + 6), {}, 0
        for name, years in (("months", Y + 2), ("tail", Y + 2), ("head", Y + 1), ("moment", Y + 1)):
            tables[name], at = block[at:at + years], at + years
        if self.growth is None:
            level = growth = np.empty(0)
        else:
            growth = np.ascontiguousarray(self.growth)
            level = first_level(growth, self.power)  # the kernel multiplies it on
        _KERNEL.tables(np.ascontiguousarray(self.f), self.f.shape[0], level, growth, self.rows, Y, *tables.values())
        self._tables.update(tables)

    def _build_months(self) -> np.ndarray:
        Y = self.count
        out = self._empty("months", Y + 2)
        out[Y:] = 0.0
        f12 = 12.0 * self.f.T  # years × (1 or rows)
        if self.growth is None:
            out[:Y] = f12
        else:  # g^(power + t) by repeated multiplication: one pass over the scenarios a year
            g = self.growth
            level = first_level(g, self.power)
            for t in range(Y):
                np.multiply(f12[t], level, out=out[t])
                if t + 1 < Y:
                    level *= g
        return out

    def _build_tail(self) -> np.ndarray:
        Y, w = self.count, self.months2d
        out = self._empty("tail", Y + 2)
        out[Y:] = 0.0
        for t in range(Y - 1, -1, -1):
            np.add(out[t + 1], w[t], out=out[t])
        return out

    def _build_head(self) -> np.ndarray:
        Y, w = self.count, self.months2d
        out = self._empty("head", Y + 1)
        out[0] = 0.0
        for t in range(Y):
            np.add(out[t], w[t], out=out[t + 1])
        return out

    def _build_moment(self) -> np.ndarray:
        """``Σ_{month in t} month = 144 t + 66``, so year ``t`` adds ``w_t (144 t + 66) = 12 w_t (12 t + 5.5)``."""
        Y, w = self.count, self.months2d
        out = self._empty("moment", Y + 1)
        out[0] = 0.0
        for t in range(Y):
            np.multiply(w[t], 12.0 * t + 5.5, out=out[t + 1])
            out[t + 1] += out[t]
        return out

    @property
    def months2d(self) -> np.ndarray:
        """``12 w``, ``(years + 2) × rows``."""
        return self._table("months")

    @property
    def months(self) -> np.ndarray:
        return self._table("months").reshape(-1)

    @property
    def tail(self) -> np.ndarray:
        return self._table("tail").reshape(-1)

    @property
    def head(self) -> np.ndarray:
        return self._table("head").reshape(-1)

    @property
    def moment(self) -> np.ndarray:
        return self._table("moment").reshape(-1)

    @property
    def weights(self) -> np.ndarray:
        """``w``, ``rows × years``."""
        return self.months2d[:self.count].T / 12.0

    @property
    def total(self) -> np.ndarray:
        """``Σ_t 12 w_t``, ``rows × 1``: the discounted months of the whole horizon (``months_in``)."""
        return self._table("tail")[0].reshape(-1, 1)

    def index(self, year: np.ndarray) -> np.ndarray:
        """Flat table index of boundary ``year`` (a column of whole numbers as floats) in each scenario's row."""
        i = year.astype(np.intp)
        if self.offsets is None:
            return i
        if i.size < self.rows:  # one boundary for every scenario: each scenario's row
            return i * self.rows + self.offsets
        i *= self.rows
        i += self.offsets
        return i

    def discount(self, per_year: np.ndarray) -> np.ndarray:
        """``S × years`` values summed with the weights, ``S × 1``. Not a matrix product: BLAS may sum in an
        order that depends on ``S``, and a draw's result must not depend on the chunk it is costed in."""
        return (per_year * self.weights).sum(axis=1, keepdims=True)


def first_level(growth: np.ndarray, power: float) -> np.ndarray:
    """``growth^power`` of each row, the weight of year 0 before the discount factor: ``exp(power × log growth)``
    (numpy's vectorised functions), exactly 1 for a power of 0. The compiled engine takes it from here too."""
    return np.exp(power * np.log(growth)) if power else np.ones_like(growth)


def _draws(grid: Discounted, *columns) -> tuple[list[np.ndarray], np.ndarray] | None:
    """The columns (``k × 1`` arrays) as C-contiguous floats and an ``n × 1`` result for the compiled kernel, when
    it is built and takes them: each column and the grid's rows 1 or ``n``. None: the numpy code."""
    if _KERNEL is None or any(type(x) is not np.ndarray or x.ndim != 2 or x.shape[1] != 1 for x in columns):
        return None
    n = max(grid.rows, *(x.shape[0] for x in columns))
    if grid.rows not in (1, n) or any(x.shape[0] not in (1, n) for x in columns):
        return None
    return [np.ascontiguousarray(x, dtype=float) for x in columns], np.empty((n, 1))


def from_month(grid: Discounted, start) -> np.ndarray:
    """``Σ_t w_t × from_month(start)_t`` (:func:`from_month_reference`; compiled when built). NaN stays NaN."""
    k = _draws(grid, start)
    if k is None:
        return from_month_reference(grid, start)
    (s,), out = k
    _KERNEL.from_month(grid.months, grid.tail, grid.rows, grid.count, s, out)
    return out


def from_month_reference(grid: Discounted, start) -> np.ndarray:
    """``Σ_t w_t × from_month(start)_t``: with ``u = start / 12`` (clamped to the horizon) in year ``K = ⌊u⌋``,
    ``tail[K + 1] + 12 w_K (K + 1 − u)``. NaN stays NaN."""
    u = np.multiply(start, 1.0 / 12.0)
    np.maximum(u, 0.0, out=u)
    np.minimum(u, float(grid.count), out=u)
    K = np.floor(u)  # a boundary may fall in either year: both give the same value
    i = grid.index(K)
    K += 1.0
    K -= u  # the part of year K from the start
    out = grid.months.take(i, mode="clip")
    out *= K
    out += grid.tail[grid.rows:].take(i, mode="clip")
    return out


def until_month(grid: Discounted, end) -> np.ndarray:
    """``Σ_t w_t × until_month(end)_t`` (NaN: every month): the horizon less :func:`from_month`."""
    e = np.asarray(end, dtype=float)
    if np.isnan(e).any():
        e = np.where(np.isnan(e), np.inf, e)
    return grid.total - from_month(grid, e)


def spread_flag(grid: Discounted, start, length) -> np.ndarray:
    """``Σ_t w_t × active(start, length)_t`` (:func:`spread_flag_reference`; compiled when built)."""
    k = _draws(grid, start, length)
    if k is None:
        return spread_flag_reference(grid, start, length)
    (s, n), out = k
    _KERNEL.spread_flag(grid.months, grid.tail, grid.rows, grid.count, s, n, out)
    return out


def spread_flag_reference(grid: Discounted, start, length) -> np.ndarray:
    """``Σ_t w_t × active(start, length)_t``: ``from(start) − from(max(start + length, start))``."""
    end = np.add(start, length)
    np.maximum(end, start, out=end)
    return from_month_reference(grid, start) - from_month_reference(grid, end)


def whole_months(grid: Discounted, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(W, M)`` at whole months ``c`` (0 … months): the discounted sums over the months before ``c``
    of 1 and of the month number. With ``c = 12 K + j``: ``W = head[K] + j w_K`` and
    ``M = moment[K] + w_K j (12 K + (j − 1)/2)``."""
    K = np.floor(c / 12.0)  # exact for whole months
    j = c - 12.0 * K
    i = grid.index(K)
    w = grid.months.take(i, mode="clip")
    w *= 1.0 / 12.0
    K *= 12.0
    K += 0.5 * (j - 1.0)
    K *= j  # Σ of the month numbers 12K … 12K + j − 1
    m = w * K
    m += grid.moment.take(i, mode="clip")
    w *= j
    w += grid.head.take(i, mode="clip")
    return w, m


def first_whole_month(grid: Discounted, x) -> np.ndarray:
    """``clip(⌈x⌉, 0, months)``: the first whole month from ``x`` within the horizon."""
    c = np.ceil(x)
    np.maximum(c, 0.0, out=c)
    np.minimum(c, 12.0 * grid.count, out=c)
    return c


def ramp_sum(grid: Discounted, start, span) -> np.ndarray:
    """The agency share's ramp summed with the weights (:func:`ramp_sum_reference`; compiled when built)."""
    k = _draws(grid, start, span)
    if k is None:
        return ramp_sum_reference(grid, start, span)
    (s, n), out = k
    _KERNEL.ramp_sum(grid.months, grid.tail, grid.head, grid.moment, grid.rows, grid.count, s, n, out)
    return out


def ramp_sum_reference(grid: Discounted, start, span) -> np.ndarray:
    """``Σ`` over the whole months, with the weights, of ``clip((month − start) / span, 0, 1)`` (a step at
    ``start`` when ``span`` is 0): the agency share's move from its outset value to its target.

    Months ``c0 = ⌈start⌉ … c1 − 1`` (``c1 = ⌈start + span⌉``) are on the ramp, each weighing
    ``w × (month − start) / span``: ``(M[c1] − M[c0] − start (W[c1] − W[c0])) / span``; months from
    ``c1`` weigh ``w`` each: ``W[end] − W[c1]``.
    """
    start = np.asarray(start, dtype=float)
    span = np.asarray(span, dtype=float)
    w0, m0 = whole_months(grid, first_whole_month(grid, start))
    w1, m1 = whole_months(grid, first_whole_month(grid, start + span))
    ramp = m1 - m0
    w0 = w1 - w0
    w0 *= start
    ramp -= w0  # M[c1] − M[c0] − start (W[c1] − W[c0])
    if (span > 0).all():
        ramp /= span
    else:
        ramp = np.divide(ramp, span, out=np.zeros(ramp.shape), where=span > 0)  # no month is on a ramp of 0
    ramp -= w1
    ramp += grid.total
    return ramp


def decay_sum(grid: Discounted, start, step_down) -> np.ndarray:
    """The legacy placements still held summed with the weights (:func:`decay_sum_reference`; compiled when built)."""
    k = _draws(grid, start, step_down)
    if k is None:
        return decay_sum_reference(grid, start, step_down)
    (s, q), out = k
    log_r, e1, em, ex = decay_functions(grid.count, s, q, out)
    _KERNEL.decay_sum(grid.months, grid.head, grid.rows, grid.count, s, q, log_r, e1, em, ex, out)
    return out


def decay_functions(years: int, start: np.ndarray, step: np.ndarray, em: np.ndarray):
    """``(log r, expm1(log r), expm1((12 − j) log r), exp((c − start) log r))`` of each draw's step-down (``n × 1``
    columns; ``c`` the first whole month from ``start``, ``j`` its month in the year), the last two written into
    ``em`` (``n × 1``) and a new array: the logarithm and exponentials :func:`decay_sum` (and the compiled engine)
    take from numpy's vectorised functions, as in the reference, the exponents from the compiled kernel."""
    log_r = np.log1p(-step)
    log_r *= 1.0 / 12.0
    e1 = np.expm1(log_r)
    ex = np.empty_like(em)
    _KERNEL.decay_exponents(years, start, log_r, ex, em)  # (c − start) log r, (12 − j) log r
    np.expm1(em, out=em)
    np.exp(ex, out=ex)
    return log_r, e1, em, ex


def decay_sum_reference(grid: Discounted, start, step_down) -> np.ndarray:
    """``Σ`` over the whole months, with the weights, of ``(1 − step_down)^(max(month − start, 0) / 12)``,
    for ``step_down < 1`` (a negative step-down is growth): the legacy placements still held.

    Months before ``c = ⌈start⌉`` count ``w`` each (``W[c]``). From ``c``, with ``r = q^(1/12)``,
    ``q = 1 − step_down``, ``K`` the year of ``c``, ``j = c − 12 K`` and ``a = 12 − j`` its months from ``c``:
    ``r^(c − start) × (w_K E(a) + E(12) r^a Σ_{y > K} w_y q^(y − K − 1))`` with ``E(k) = (r^k − 1)/(r − 1)``
    (``k`` when ``r = 1``; ``E(12) (r − 1) = q − 1 = −step_down``), the inner sum by Horner's rule for
    every ``K`` at once.
    """
    start = np.asarray(start, dtype=float)
    step = np.asarray(step_down, dtype=float)
    Y, R = grid.count, grid.rows
    c = first_whole_month(grid, start)
    K = np.floor(c / 12.0)  # Y when c is the end of the horizon: nothing from c
    j = c - 12.0 * K
    i = grid.index(K)
    w_K = grid.months.take(i, mode="clip")  # 12 w_K (12 × every weight below; divided out at the end)
    W = w_K * j
    W *= 1.0 / 12.0
    W += grid.head.take(i, mode="clip")  # W[c]
    log_r = np.log1p(-step)
    log_r *= 1.0 / 12.0
    q = 1.0 - step
    rows = max(R, q.shape[0])
    h = np.empty((Y + 2, rows, 1)) if grid.workspace is None else grid.workspace.array("horner", (Y + 2, rows, 1))
    h[Y:] = 0.0  # h[y] = Σ_{y' ≥ y} 12 w_y' q^(y' − y)
    w = grid.months2d[:, :, None]
    for y in range(Y - 1, -1, -1):
        np.multiply(h[y + 1], q, out=h[y])
        h[y] += w[y]
    if rows == R and i.shape[0] == R:
        after = i + R  # the index of K + 1 in the same row
    else:
        after = (K + 1.0).astype(np.intp) * rows
        if rows > 1:
            after = after + np.arange(rows, dtype=np.intp).reshape(-1, 1)
    inner = h.reshape(-1).take(after, mode="clip")
    a = 12.0 - j
    e1 = np.expm1(log_r)
    em_a = np.expm1(a * log_r)  # r^a − 1
    out = w_K * em_a
    inner *= step
    em_a += 1.0
    inner *= em_a
    out -= inner  # (w_K E(a) + E(12) r^a Σ) (r − 1)
    flat = np.abs(log_r) < 1e-290  # no step-down (or too little to tell, where subnormal numbers lose digits): E(k) = k, r = 1
    if flat.any():
        e1 = np.where(flat, 1.0, e1)
        out = np.where(flat, w_K * a + 12.0 * h.reshape(-1).take(after, mode="clip"), out)
    out /= e1
    c -= start
    out *= np.exp(c * log_r)  # r^(c − start)
    out *= 1.0 / 12.0
    out += W
    return out
