"""Green Book discounting: yearly rates, discount factors and present value. Pure numpy.

Discounting follows HM Treasury's Green Book, not Excel's ``NPV()``:

* Year 0 (the first financial year of the appraisal) is undiscounted: its factor is 1.
* The factor of year ``t`` is the factor of year ``t − 1`` divided by ``1 + r_t``, where ``r_t`` is
  ``appraisal.discount_rate`` (3.5 %) for years 1–30 and ``appraisal.discount_rate_long`` (3.0 %)
  for years 31–75. So year 10 is ``1 / 1.035**10 = 0.7089`` and year 31 is ``1 / (1.035**30 × 1.03)
  = 0.3459`` — the Green Book's published factors.
* Mid-year discounting (``appraisal.mid_year_discounting``, the PFI convention) treats each year's
  costs as falling half-way through it: year ``t``'s factor is further divided by ``(1 + r_{t+1})**0.5``.

Present value is the sum over years of the year's real cost times its factor.
"""
from __future__ import annotations

import numpy as np

LONG_RATE_FROM_YEAR = 31  # Green Book: 3.5 % years 0–30, 3.0 % years 31–75


def yearly_rates(horizon_years: int, rate, rate_long) -> np.ndarray:
    """``r_t`` for years ``t = 0 … horizon``, ``S × (horizon + 1)`` (``r_0`` is unused: year 0 is undiscounted)."""
    t = np.arange(horizon_years + 1)[None, :]
    short = np.asarray(rate, dtype=float).reshape(-1, 1)
    long = np.asarray(rate_long, dtype=float).reshape(-1, 1)
    return np.where(t < LONG_RATE_FROM_YEAR, short, long)


def discount_factors(horizon_years: int, rate=0.035, rate_long=0.030, mid_year=0.0) -> np.ndarray:
    """Green Book discount factors for years ``0 … horizon − 1``, ``S × years`` (year 0 = 1).

    >>> discount_factors(11)[0, [0, 1, 10]].round(4).tolist()
    [1.0, 0.9662, 0.7089]
    """
    r = yearly_rates(horizon_years, rate, rate_long)
    steps = np.log1p(r[:, 1:horizon_years])
    log_d = np.concatenate([np.zeros((r.shape[0], 1)), -np.cumsum(steps, axis=1)], axis=1)
    d = np.exp(log_d)
    half = np.asarray(mid_year, dtype=float).reshape(-1, 1) * 0.5
    return d * np.power(1.0 + r[:, 1:horizon_years + 1], -half)


def present_value(annual: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Σ over the last (years) axis of ``annual × factors``; ``factors`` is ``S × years``.

    ``annual`` has the scenario axis first and years last (``S × … × years``).
    """
    f = factors.reshape(factors.shape[0], *([1] * (annual.ndim - 2)), factors.shape[1])
    return (annual * f).sum(axis=-1)
