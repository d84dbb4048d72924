"""Kaplan-Meier estimate of the time to an improved judgement, counting councils not yet improved as censored.

A council judged inadequate that has not been re-inspected, or was re-inspected and found still
inadequate, is *censored* at the end of the data: we know only that it took longer than that. Dropping
those councils would make improvement look quicker than it is; counting them as failures would make it
look slower. The product-limit estimate uses each council for exactly as long as it was watched.

At each distinct time ``t`` at which at least one council improved, the share still waiting falls by
the factor ``1 - d / n``: ``d`` councils improved at ``t`` out of the ``n`` still waiting just before
``t`` (a council censored at ``t`` counts as waiting at ``t``, the usual convention). The variance is
Greenwood's. Pure numpy; times in any unit (the back-test uses months).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class KaplanMeier:
    """The step function: at each event time, who was at risk, who improved, and the share still waiting."""

    times: np.ndarray       # distinct times at which at least one event happened, ascending
    at_risk: np.ndarray     # councils still waiting just before each time
    events: np.ndarray      # councils that improved at each time
    survival: np.ndarray    # share still waiting just after each time
    std_error: np.ndarray   # Greenwood standard error of ``survival``
    n: int                  # councils in all
    censored: int           # councils never seen to improve

    def at(self, t: float) -> float:
        """Share still waiting at time ``t`` (right-continuous: an event at ``t`` counts)."""
        i = np.searchsorted(self.times, t, side="right")
        return 1.0 if i == 0 else float(self.survival[i - 1])

    def quantile(self, q: float) -> float | None:
        """The first time by which a share ``q`` had improved (survival at or below ``1 - q``); None if never."""
        hit = np.nonzero(self.survival <= 1.0 - q + 1e-12)[0]
        return None if hit.size == 0 else float(self.times[hit[0]])

    @property
    def median(self) -> float | None:
        return self.quantile(0.5)


def kaplan_meier(durations, observed) -> KaplanMeier:
    """Product-limit estimate from each council's time and whether it improved (True) or was censored (False)."""
    d = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=bool)
    if d.shape != e.shape or d.ndim != 1:
        raise ValueError("durations and observed must be one-dimensional and of the same length")
    if np.any(d < 0) or np.any(~np.isfinite(d)):
        raise ValueError("durations must be finite and not negative")
    times = np.unique(d[e])
    at_risk = np.array([(d >= t).sum() for t in times], dtype=float)
    events = np.array([((d == t) & e).sum() for t in times], dtype=float)
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.nan)
    std_error = survival * np.sqrt(np.cumsum(terms))
    return KaplanMeier(times, at_risk, events, survival, std_error, int(d.size), int((~e).sum()))
