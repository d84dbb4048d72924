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
flag is the discounted sum over the years, ``Σ_t f_t × flag_t``. Every cost line is linear in its
flags (an amount per draw times a flag), so each line comes out as its present value directly. The
discounted sum of ``from_month(s)`` is piecewise linear in ``s`` with knots at the year boundaries,
so it is a lookup in an ``(years + 1)``-point table: ``S`` numbers per flag instead of ``S × years``.
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


@dataclass(frozen=True)
class Discounted:
    """Financial years weighted by discount factors ``(1, years)``: flags are their discounted sums, ``S × 1``.

    ``tail[k] = Σ_{t ≥ k} 12 f_t`` is the discounted sum of ``from_month(12 k)``; between knots the
    discounted sum of ``from_month(s)`` is linear in ``s`` (``s`` falls inside one year).
    """

    years: Periods
    factors: np.ndarray
    knots: np.ndarray
    tail: np.ndarray
    weight: np.ndarray = None  #: ``W[c] = Σ_{month < c} f_(year of month)``, c = 0 … months (sums over whole months)
    moment: np.ndarray = None  #: ``M[c] = Σ_{month < c} month × f_(year of month)``

    @property
    def shape(self) -> tuple[int, int]:
        return (1, 1)


def discounted_grid(months: int, factors) -> Discounted:
    """The :class:`Discounted` grid of ``months // 12`` financial years with factors ``(1, years)`` (one row).

    Whole financial years only (``months`` a multiple of 12), as the engine's year grid.
    """
    years = year_grid(months)
    f = np.asarray(factors, dtype=float).reshape(1, -1)
    if f.shape[1] != years.shape[1]:
        raise ValueError(f"{f.shape[1]} discount factors for {years.shape[1]} years")
    weights = (years.end - years.start)[0] * f[0]  # months of each year × its factor
    tail = np.append(np.cumsum(weights[::-1])[::-1], 0.0)
    per_month = np.repeat(f[0], 12)[:months]
    weight = np.append(0.0, np.cumsum(per_month))
    moment = np.append(0.0, np.cumsum(per_month * np.arange(per_month.size)))
    return Discounted(years, f, np.append(years.start[0], years.end[0, -1]), tail, weight, moment)


def _discounted_from(start, m: Discounted) -> np.ndarray:
    """``Σ_t f_t × from_month(start)_t``, ``S × 1``: linear interpolation in the knot table (clamped outside)."""
    return np.interp(_col(start), m.knots, m.tail)


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
        return m.tail[:1].reshape(1, 1)  # Σ_t months_t × f_t
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
        return m.tail[0] - _discounted_from(e, m)
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
