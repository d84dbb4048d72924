"""Extra spend: a council's outturn against what it would have spent had it kept its pre-judgement share.

For a section 251 line, a council's *share* of a comparator (England, or the councils never judged
inadequate) is its spend divided by the comparator's in the same year. Its *baseline share* is the mean
share over the (up to three) financial years before the one in which it was judged inadequate. The
*counterfactual* in a later year is that baseline share times the comparator's spend that year, so it
moves with national demand, prices and grants; the *extra spend* is outturn minus counterfactual, each
year restated in the appraisal's price base with the GDP deflator and summed over the *window*: from the
financial year of the inadequate judgement to the financial year after that of the improved one.

The *lasting step* is the council's share in the window's last year over its baseline share, less one:
the part of the extra spend still there a year after improving. The *transitional* part is the extra
spend above that step. A *placebo* runs the same windows on councils never judged inadequate: what the
method finds where nothing happened, so how large an effect must be to be seen.

Arrays are areas x years (``SPEND_YEARS``); every function is vectorised over areas.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .deflator import to_base_factor
from .panel import event_year

SPEND_YEARS = tuple(range(2017, 2026))   # financial years ending 31 March (2017 = 2016-17)
BASELINE_YEARS = 3


@dataclass(frozen=True)
class Window:
    """Spend years of one council's event: baseline, first and last year of the window (event time 0 = ``start``)."""

    baseline: tuple[int, ...]
    start: int
    end: int
    truncated: bool   # the year after the improved judgement is beyond the data: the window stops at the last year

    def mask(self, years=SPEND_YEARS) -> np.ndarray:
        return np.array([self.start <= y <= self.end for y in years])

    def baseline_mask(self, years=SPEND_YEARS) -> np.ndarray:
        return np.isin(np.array(years), self.baseline)


def window_for(inadequate: pd.Timestamp, improved: pd.Timestamp | None, years=SPEND_YEARS,
               baseline_years: int = BASELINE_YEARS) -> Window | None:
    """The window of a council judged inadequate on ``inadequate`` and improved on ``improved`` (None: not improved).

    None when no baseline year is in the data. A council not improved is followed to the last year.
    """
    start = event_year(inadequate, "spend")
    baseline = tuple(y for y in range(start - baseline_years, start) if y in years)
    if not baseline or start > max(years):
        return None
    wanted = event_year(improved, "spend") + 1 if improved is not None and not pd.isna(improved) else max(years)
    end = min(wanted, max(years))
    return Window(baseline, start, end, truncated=wanted > max(years))


def price_factors(base_year: int, years=SPEND_YEARS) -> np.ndarray:
    """Factor restating each spend year (financial year ending March ``y``) in ``base_year`` prices."""
    return np.array([to_base_factor(y - 1, base_year) for y in years])


@dataclass(frozen=True)
class Excess:
    """Per area: baseline share, sums over the window (GBP, base-year prices), lasting step and transitional part."""

    baseline_share: np.ndarray
    actual: np.ndarray
    counterfactual: np.ndarray
    extra: np.ndarray
    extra_by_year: np.ndarray     # areas x years, base-year prices (NaN outside the data)
    lasting_step: np.ndarray      # fraction of the line
    transitional: np.ndarray

    @property
    def extra_share(self) -> np.ndarray:
        """Extra spend as a share of the counterfactual over the window."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.extra / self.counterfactual


def excess(spend: np.ndarray, comparator: np.ndarray, window: Window, factors: np.ndarray) -> Excess:
    """Extra spend of each area (rows of ``spend``) against ``comparator`` over ``window``.

    The baseline share is the mean over the baseline years the area reports (at least one); an area
    missing a window year gets NaN rather than a partial sum.
    """
    spend = np.atleast_2d(np.asarray(spend, dtype=float))
    share = spend / comparator[None, :]
    pre = share[:, window.baseline_mask()]
    seen = (~np.isnan(pre)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.nansum(pre, axis=1) / seen   # the mean over the baseline years the area reports
    base = np.where(base > 0, base, np.nan)   # a line the area did not spend on before has no share to keep
    cf = base[:, None] * comparator[None, :]
    by_year = (spend - cf) * factors[None, :]
    w = window.mask()
    complete = ~np.isnan(spend[:, w]).any(axis=1)
    actual = np.where(complete, (spend[:, w] * factors[None, w]).sum(axis=1), np.nan)
    counterfactual = np.where(complete, (cf[:, w] * factors[None, w]).sum(axis=1), np.nan)
    extra = actual - counterfactual
    last = int(np.nonzero(w)[0][-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        step = share[:, last] / base - 1.0
    transitional = extra - step * counterfactual
    return Excess(base, actual, counterfactual, extra, by_year, step, transitional)


def percentile_rank(value: float, sample) -> float:
    """Share of ``sample`` at or below ``value`` (ties count half), as a percentage; NaN for an empty sample."""
    s = np.asarray(sample, dtype=float)
    s = s[np.isfinite(s)]
    if s.size == 0 or value is None or np.isnan(value):
        return float("nan")
    return float(((s < value).sum() + 0.5 * (s == value).sum()) / s.size * 100)


def quartiles(sample) -> tuple[float, float, float]:
    """25th, 50th and 75th percentiles (linear interpolation) of the non-missing values."""
    s = np.asarray(sample, dtype=float)
    s = s[np.isfinite(s)]
    if s.size == 0:
        return (float("nan"),) * 3
    q = np.percentile(s, [25, 50, 75])
    return float(q[0]), float(q[1]), float(q[2])
