"""The month grid, financial years and timing flags.

Month ``m`` runs from ``m`` to ``m + 1`` (month 0 is April of the start year); financial year ``t``
holds months ``12t … 12t+11``. Timing flags are the share of month ``m`` that falls inside an
interval, so a whole-month interval gives flags of exactly 1 and 0, and a fractional one (a Monte
Carlo draw of 7.4 months) moves cost continuously instead of jumping. Arguments are arrays with a
leading scenario axis ``S`` (shape ``(S,)``); results are ``S × months``.
"""
from __future__ import annotations

import numpy as np


def month_grid(months: int) -> np.ndarray:
    """Month numbers 0 … months−1, shape ``(1, months)`` to broadcast against ``(S, 1)``."""
    return np.arange(months, dtype=float)[None, :]


def _col(x) -> np.ndarray:
    return np.asarray(x, dtype=float).reshape(-1, 1)


def active(start, length, m: np.ndarray) -> np.ndarray:
    """Share of each month inside ``[start, start + length)``; S × months, values in 0 … 1."""
    a = _col(start)
    b = a + _col(length)
    return np.clip(np.minimum(m + 1.0, b) - np.maximum(m, a), 0.0, 1.0)


def from_month(start, m: np.ndarray) -> np.ndarray:
    """Share of each month on or after ``start``; S × months."""
    return np.clip(m + 1.0 - _col(start), 0.0, 1.0)


def until_month(end, m: np.ndarray) -> np.ndarray:
    """Share of each month before ``end`` (NaN or +inf: every month); S × months."""
    e = _col(end)
    e = np.where(np.isnan(e), np.inf, e)
    return np.clip(e - m, 0.0, 1.0)


def spread(amount, start, length, m: np.ndarray) -> np.ndarray:
    """``amount`` spread evenly over ``[start, start + length)``: GBP per month, S × months.

    A zero length spends nothing (validation refuses a cost with no months to spend it in).
    """
    n = _col(length)
    per_month = np.divide(_col(amount), n, out=np.zeros(np.broadcast_shapes(n.shape, _col(amount).shape)), where=n > 0)
    return per_month * active(start, length, m)


def to_years(monthly: np.ndarray) -> np.ndarray:
    """Sum a ``… × months`` array to ``… × years`` (12 months a financial year)."""
    *lead, months = monthly.shape
    return monthly.reshape(*lead, months // 12, 12).sum(axis=-1)
