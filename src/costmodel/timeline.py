"""The month grid, financial years and timing flags.

Month ``m`` runs from ``m`` to ``m + 1`` (month 0 is April of the start year); financial year ``t``
holds months ``12t … 12t+11``. Timing flags are the share of month ``m`` that falls inside an
interval, so a whole-month interval gives flags of exactly 1 and 0, and a fractional one (a Monte
Carlo draw of 7.4 months) moves cost continuously instead of jumping. Arguments are arrays with a
leading scenario axis ``S`` (shape ``(S,)``); results are ``S × months``.

The same functions accept a :class:`Periods` grid of whole financial years (:func:`year_grid`): a
flag then counts the months of the year inside the interval (0 … 12), which is exactly the sum of
the monthly flags, so the engine gets annual totals in one step, twelve times fewer numbers
(this is what makes a million Monte Carlo draws take seconds).

For present values only, :class:`Discounted` goes one step further: the "grid" is one column, and a
flag is the discounted sum over the years, ``Σ_t w_t × flag_t`` (``w_t``: discount factor times the
line's relative price weight). Every cost line is linear in its flags (an amount per draw times a
flag), so each line comes out as its present value directly. The discounted sum of ``from_month(s)``
is piecewise linear in ``s`` with knots at the year boundaries, so it is a lookup in a table of
``years + 1`` values (one table per scenario when the weights differ by scenario): ``S`` numbers per
flag instead of ``S × years``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Periods:
    """A grid of periods ``[start, end)`` in months, each ``(1, P)``; :func:`year_grid` makes financial years."""

    start: np.ndarray
    end: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.start.shape


def year_grid(months: int) -> Periods:
    """Financial years as periods of months ``[12t, 12t + 12)``, ``(1, years)``."""
    start = np.arange(0, months, 12, dtype=float)[None, :]
    return Periods(start, start + 12.0)


class Discounted:
    """Financial years weighted by factors ``f``: flags are their discounted sums, ``S × 1`` (one column).

    The weights ``w_t = f_t × g^(power + t)`` are discount factors ``f`` (``rows × years``: one row
    shared by every scenario, or one per scenario when a discount rate is drawn) times an optional
    growth ``g`` a year (``(S,)``: a relative price effect drawn per scenario, Green Book 5.13); with
    either per scenario the grid has a row per scenario. Tables hold one value per year boundary
    ``K`` and row, year-major and flattened (row ``r`` of ``K`` at ``K × rows + r``), built when
    first asked for:

    * ``months[K] = 12 w_K``: the discounted months of year ``K`` (0 from ``K = years``);
    * ``tail[K] = Σ_{t ≥ K} 12 w_t``: the discounted sum of ``from_month(12 K)``; between boundaries
      the discounted sum of ``from_month(s)`` is linear in ``s`` (``s`` falls inside one year);
    * ``head[K] = Σ_{t < K} 12 w_t`` and ``moment[K] = Σ_{t < K} w_t Σ_{month in t} month``: the
      discounted sums over the whole months before ``12 K`` of 1 and of the month number.
    """

    shape = (1, 1)

    def __init__(self, months: int, factors, growth=None, power: float = 0.0):
        self.years = year_grid(months)
        f = np.asarray(factors, dtype=float)
        self.factors_in = f.reshape(1, -1) if f.ndim < 2 else f
        if self.factors_in.shape[1] != self.years.shape[1]:
            raise ValueError(f"{self.factors_in.shape[1]} discount factors for {self.years.shape[1]} years")
        self.count = self.factors_in.shape[1]
        self.growth = None if growth is None else np.asarray(growth, dtype=float).reshape(-1)
        self.power = float(power)
        self.rows = max(self.factors_in.shape[0], 1 if self.growth is None else self.growth.size)
        self.offsets = np.arange(self.rows, dtype=np.intp).reshape(-1, 1) if self.rows > 1 else None
        self._tables: dict[str, np.ndarray] = {}

    @property
    def months(self) -> np.ndarray:
        """``12 w_K``, ``(years + 1) × rows`` flattened (built once; the year-major weights every table starts from)."""
        if "months" not in self._tables:
            Y, R = self.count, self.rows
            out = np.zeros((Y + 1, R))
            f12 = 12.0 * self.factors_in.T  # years × (1 or R)
            if self.growth is None:
                out[:Y] = f12
            else:  # g^(power + t) by repeated multiplication: one pass over S a year
                g = self.growth
                level = np.exp(self.power * np.log(g)) if self.power else np.ones_like(g)
                for t in range(Y):
                    np.multiply(f12[t], level, out=out[t])
                    level = level * g
            self._tables["months"] = out.reshape(-1)
        return self._tables["months"]

    @property
    def factors(self) -> np.ndarray:
        """The weights ``w``, ``rows × years`` (for the general route: per-year values summed with them)."""
        return self.months.reshape(self.count + 1, self.rows)[:self.count].T / 12.0

    @property
    def tail(self) -> np.ndarray:
        """``tail[K]``, ``(years + 2) × rows`` flattened (``tail[years] = tail[years + 1] = 0``)."""
        if "tail" not in self._tables:
            Y, R = self.count, self.rows
            w = self.months.reshape(Y + 1, R)
            out = np.zeros((Y + 2, R))
            for t in range(Y - 1, -1, -1):
                np.add(out[t + 1], w[t], out=out[t])
            self._tables["tail"] = out.reshape(-1)
        return self._tables["tail"]

    @property
    def total(self) -> np.ndarray:
        """``Σ_t 12 w_t`` for each row, ``rows × 1``: the discounted months of the whole horizon."""
        if "total" not in self._tables:
            self._tables["total"] = self.head[self.count * self.rows:].reshape(-1, 1)
        return self._tables["total"]

    @property
    def head(self) -> np.ndarray:
        """``head[K]``, ``(years + 1) × rows`` flattened."""
        if "head" not in self._tables:
            Y, R = self.count, self.rows
            w = self.months.reshape(Y + 1, R)
            out = np.zeros((Y + 1, R))
            for t in range(Y):
                np.add(out[t], w[t], out=out[t + 1])
            self._tables["head"] = out.reshape(-1)
        return self._tables["head"]

    @property
    def moment(self) -> np.ndarray:
        """``moment[K]``, ``(years + 1) × rows`` flattened: ``Σ_{month in t} month = 144 t + 66``, so each
        year adds ``w_t (144 t + 66) = 12 w_t (12 t + 5.5)``."""
        if "moment" not in self._tables:
            Y, R = self.count, self.rows
            w = self.months.reshape(Y + 1, R)
            out = np.zeros((Y + 1, R))
            for t in range(Y):
                out[t + 1] = w[t] * (12.0 * t + 5.5)
                out[t + 1] += out[t]
            self._tables["moment"] = out.reshape(-1)
        return self._tables["moment"]

    def index(self, year: np.ndarray) -> np.ndarray:
        """Flat table index of year boundary ``year`` (whole numbers as floats, ``S × 1``) in each scenario's row."""
        i = year.astype(np.intp)
        if self.offsets is None:
            return i
        if i.shape[0] < self.rows:  # one year for every scenario: each scenario's row
            return i * self.rows + self.offsets
        i *= self.rows
        i += self.offsets
        return i

    def whole_months(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(W, M)`` at whole months ``c`` (``S × 1``, 0 … months): the discounted sums over the months
        before ``c`` of 1 and of the month number. With ``c = 12 K + j``: ``W = head[K] + j w_K`` and
        ``M = moment[K] + w_K j (12 K + (j − 1)/2)``."""
        K = np.floor(c / 12.0)  # exact for whole months
        j = c - 12.0 * K
        i = self.index(K)
        w = self.months.take(i, mode="clip")
        w *= 1.0 / 12.0
        m = 12.0 * K
        m += 0.5 * (j - 1.0)
        m *= j
        m = m * w
        m += self.moment.take(i, mode="clip")
        w *= j
        w += self.head.take(i, mode="clip")
        return w, m


def discounted_grid(months: int, factors, growth=None, power: float = 0.0) -> Discounted:
    """The :class:`Discounted` grid of ``months // 12`` financial years with discount factors ``rows × years``
    and, optionally, a growth a year per scenario (``w_t = f_t × growth^(power + t)``).

    Whole financial years only (``months`` a multiple of 12), as the engine's year grid.
    """
    return Discounted(months, factors, growth, power)


def _discounted_from(start, m: Discounted) -> np.ndarray:
    """``Σ_t w_t × from_month(start)_t``, ``S × 1``: with ``u = s / 12`` in year ``K = ⌊u⌋``,
    ``tail[K + 1] + 12 w_K (K + 1 − u)`` (``s`` clamped to the horizon; NaN stays NaN)."""
    u = np.maximum(_col(start), 0.0)
    np.minimum(u, 12.0 * m.count, out=u)
    u *= 1.0 / 12.0  # a boundary may land in either year: both give the same value
    K = np.floor(u)
    i = m.index(K)
    K += 1.0
    K -= u  # the part of year K from s
    out = m.months.take(i, mode="clip")  # the shape of i: one row a scenario
    out *= K
    out += m.tail[m.rows:].take(i, mode="clip")
    return out


def discount(per_year: np.ndarray, m: Discounted) -> np.ndarray:
    """``S × years`` values summed with the discount factors, ``S × 1``.

    Not a matrix product: BLAS may sum in an order that depends on ``S``, and a draw's result must
    not depend on the chunk it is costed in.
    """
    per_year = per_year * m.factors
    return per_year.sum(axis=1, keepdims=True)


def bounds(m) -> tuple[np.ndarray, np.ndarray]:
    """``(start, end)`` of each period: ``(m, m + 1)`` for the month grid."""
    if isinstance(m, Periods):
        return m.start, m.end
    return m, m + 1.0


def months_in(m) -> np.ndarray:
    """Months in each period, ``(1, P)``: 1 for the month grid, 12 for financial years."""
    if isinstance(m, Discounted):
        return m.total  # Σ_t months_t × w_t, for each row
    p0, p1 = bounds(m)
    return p1 - p0


def nothing(m) -> np.ndarray:
    """A line that is zero in every period, ``(1, P)`` (broadcasts over scenarios)."""
    return np.zeros((1, m.shape[1]))


def is_zero(x) -> bool:
    """True when every scenario's value is exactly 0 (NaN is not zero): the line can be skipped."""
    return not np.any(np.asarray(x, dtype=float))


def month_grid(months: int) -> np.ndarray:
    """Month numbers 0 … months−1, shape ``(1, months)`` to broadcast against ``(S, 1)``."""
    return np.arange(months, dtype=float)[None, :]


def _col(x) -> np.ndarray:
    return np.asarray(x, dtype=float).reshape(-1, 1)


def active(start, length, m: np.ndarray) -> np.ndarray:
    """Share of each month inside ``[start, start + length)``; S × months, values in 0 … 1 (0 … 12 a year)."""
    a = _col(start)
    b = a + _col(length)
    if isinstance(m, Discounted):  # overlap = from(a) − from(b) when b ≥ a, else nothing
        return _discounted_from(a, m) - _discounted_from(np.maximum(b, a), m)
    p0, p1 = bounds(m)
    out = np.minimum(p1, b)
    out -= np.maximum(p0, a)  # in place: the same arithmetic with fewer temporaries
    return np.maximum(out, 0.0, out=out)


def from_month(start, m: np.ndarray) -> np.ndarray:
    """Share of each month on or after ``start``; S × months."""
    if isinstance(m, Discounted):
        return _discounted_from(start, m)
    p0, p1 = bounds(m)
    out = p1 - np.maximum(p0, _col(start))
    return np.maximum(out, 0.0, out=out)


def until_month(end, m: np.ndarray) -> np.ndarray:
    """Share of each month before ``end`` (NaN or +inf: every month); S × months."""
    e = _col(end)
    e = np.where(np.isnan(e), np.inf, e)
    if isinstance(m, Discounted):  # until(e) = months − from(e) in every period
        return months_in(m) - _discounted_from(e, m)
    p0, p1 = bounds(m)
    out = np.minimum(p1, e)
    out -= p0
    return np.maximum(out, 0.0, out=out)


def spread(amount, start, length, m: np.ndarray) -> np.ndarray:
    """``amount`` spread evenly over ``[start, start + length)``: GBP per month, S × months.

    A zero length spends nothing (validation refuses a cost with no months to spend it in).
    """
    if is_zero(amount):
        return nothing(m)
    n = _col(length)
    per_month = np.divide(_col(amount), n, out=np.zeros(np.broadcast_shapes(n.shape, _col(amount).shape)), where=n > 0)
    out = active(start, length, m)
    if out.shape[0] < per_month.shape[0]:
        return per_month * out
    out *= per_month
    return out


def to_years(monthly: np.ndarray) -> np.ndarray:
    """Sum a ``… × months`` array to ``… × years`` (12 months a financial year)."""
    *lead, months = monthly.shape
    return monthly.reshape(*lead, months // 12, 12).sum(axis=-1)
