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

For present values only, :mod:`costmodel.discounted` goes one step further: each flag summed over
the years with the discount weights, one number per scenario.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


# eq and repr left out (arrays compare element by element and print at length; nothing compares or prints one), so
# the class is quicker to define: the start-up time of ``costmodel compare``. Still frozen.
@dataclass(frozen=True, eq=False, repr=False)
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


def bounds(m) -> tuple[np.ndarray, np.ndarray]:
    """``(start, end)`` of each period: ``(m, m + 1)`` for the month grid."""
    if isinstance(m, Periods):
        return m.start, m.end
    return m, m + 1.0


def months_in(m) -> np.ndarray:
    """Months in each period, ``(1, P)``: 1 for the month grid, 12 for financial years."""
    p0, p1 = bounds(m)
    return p1 - p0


def nothing(m) -> np.ndarray:
    """A line that is zero in every period, ``(1, P)`` (broadcasts over scenarios)."""
    return np.zeros((1, m.shape[1]))


def is_zero(x) -> bool:
    """True when every scenario's value is exactly 0 (NaN is not zero): the line can be skipped."""
    return not (x.any() if type(x) is np.ndarray else np.any(np.asarray(x, dtype=float)))


def month_grid(months: int) -> np.ndarray:
    """Month numbers 0 … months−1, shape ``(1, months)`` to broadcast against ``(S, 1)``."""
    return np.arange(months, dtype=float)[None, :]


def _col(x) -> np.ndarray:
    """``x`` as a column ``S × 1`` of floats (a column already is returned as it is)."""
    if type(x) is np.ndarray and x.ndim == 2 and x.shape[1] == 1 and x.dtype == np.float64:
        return x
    return np.asarray(x, dtype=float).reshape(-1, 1)


def active(start, length, m: np.ndarray) -> np.ndarray:
    """Share of each month inside ``[start, start + length)``; S × months, values in 0 … 1 (0 … 12 a year)."""
    a = _col(start)
    b = a + _col(length)
    p0, p1 = bounds(m)
    out = np.minimum(p1, b)
    out -= np.maximum(p0, a)  # in place: the same arithmetic with fewer temporaries
    return np.maximum(out, 0.0, out=out)


def from_month(start, m: np.ndarray) -> np.ndarray:
    """Share of each month on or after ``start``; S × months."""
    p0, p1 = bounds(m)
    out = p1 - np.maximum(p0, _col(start))
    return np.maximum(out, 0.0, out=out)


def until_month(end, m: np.ndarray) -> np.ndarray:
    """Share of each month before ``end`` (NaN or +inf: every month); S × months."""
    e = _col(end)
    e = np.where(np.isnan(e), np.inf, e)
    p0, p1 = bounds(m)
    out = np.minimum(p1, e)
    out -= p0
    return np.maximum(out, 0.0, out=out)


def per_month(amount, length) -> np.ndarray:
    """``amount / length``, ``S × 1``: 0 where the length is not positive (a cost with no months spends nothing)."""
    a, n = _col(amount), _col(length)
    if (n > 0).all():
        return a / n
    return np.divide(a, n, out=np.zeros(np.broadcast_shapes(n.shape, a.shape)), where=n > 0)


def spread(amount, start, length, m: np.ndarray) -> np.ndarray:
    """``amount`` spread evenly over ``[start, start + length)``: GBP per month, S × months.

    A zero length spends nothing (validation refuses a cost with no months to spend it in).
    """
    if is_zero(amount):
        return nothing(m)
    each = per_month(amount, length)
    out = active(start, length, m)
    if out.shape[0] < each.shape[0] or out.shape[1] < each.shape[1]:
        return each * out
    out *= each
    return out


def to_years(monthly: np.ndarray) -> np.ndarray:
    """Sum a ``… × months`` array to ``… × years`` (12 months a financial year)."""
    *lead, months = monthly.shape
    return monthly.reshape(*lead, months // 12, 12).sum(axis=-1)
