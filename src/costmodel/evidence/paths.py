"""Paths before, during and after improvement: agency share, caseload, turnover, children looked after, unit cost.

For every council judged inadequate, each measure of :data:`costmodel.evidence.panel.PATHS` in each year,
beside England's, in *event time* ``k``: years from the first observation after the judgement (``k = 0``;
see :func:`costmodel.evidence.panel.event_year`, which respects each measure's reference date). Shares
and caseloads are compared with England as a difference (percentage points, cases); children looked
after per 10,000 and the weekly unit cost as a ratio. The *phase* is ``before`` (``k < 0``), ``during``
(from the judgement to the year of the improved one) or ``after``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .panel import ENGLAND, PATHS, by_year, event_year
from .spend import quartiles

K_RANGE = range(-3, 7)


def _rows(p: pd.DataFrame, j, measure: str) -> list[dict]:
    label, unit, family, how = PATHS[measure]
    k0 = event_year(j["inadequate_date"], family)
    k_imp = event_year(j["improved_date"], family) - k0 if j["outcome"] == "improved" else None
    table = by_year(p, measure)
    if j["la_code"] not in table.index:
        return []
    eng = table.loc[ENGLAND]
    own = table.loc[j["la_code"]].dropna()
    out = []
    for year, value in own.items():
        k = int(year) - k0
        if k not in K_RANGE or np.isnan(eng.get(year, np.nan)):
            continue
        e = float(eng[year])
        phase = "before" if k < 0 else "during" if k_imp is None or k <= k_imp else "after"
        out.append({"la_code": j["la_code"], "la_name": j["la_name"], "outcome": j["outcome"], "measure": measure,
                    "label": label, "unit": unit, "year": int(year), "k": k, "improved_k": k_imp, "phase": phase,
                    "value": float(value), "england": e,
                    "relative": float(value) - e if how == "difference" else float(value) / e,
                    "relative_as": how})
    return out


def paths(p: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Tidy paths of every council judged inadequate, every measure, event years -3 to +6."""
    rows = [r for _, j in events.iterrows() for m in PATHS for r in _rows(p, j, m)]
    return pd.DataFrame(rows)


def summary(tracks: pd.DataFrame) -> pd.DataFrame:
    """For the councils that improved: quartiles of each measure (and of it relative to England) by event year."""
    t = tracks[tracks.outcome == "improved"]
    rows = []
    for (measure, k), g in t.groupby(["measure", "k"]):
        v25, v50, v75 = quartiles(g.value)
        r25, r50, r75 = quartiles(g.relative)
        rows.append({"measure": measure, "label": PATHS[measure][0], "unit": PATHS[measure][1], "k": int(k),
                     "councils": int(len(g)), "value_p25": v25, "value_median": v50, "value_p75": v75,
                     "england": float(g.england.median()), "relative_p25": r25, "relative_median": r50,
                     "relative_p75": r75, "relative_as": PATHS[measure][3]})
    return pd.DataFrame(rows)


def phase_summary(tracks: pd.DataFrame) -> pd.DataFrame:
    """For the councils that improved: the median over councils of each one's mean (relative to England) in each
    phase, before (k < 0), during (to the improved judgement) and after."""
    t = tracks[tracks.outcome == "improved"]
    means = t.groupby(["measure", "phase", "la_code"]).relative.mean()
    out = means.groupby(["measure", "phase"]).agg(["median", "count"]).reset_index()
    return out.rename(columns={"median": "relative_median", "count": "councils"})


def council_values(tracks: pd.DataFrame, measure: str, k: int) -> pd.Series:
    """Each improved council's value of ``measure`` at event year ``k`` (by la_code)."""
    t = tracks[(tracks.outcome == "improved") & (tracks.measure == measure) & (tracks.k == k)]
    return t.set_index("la_code").value


def peak_during(tracks: pd.DataFrame, measure: str) -> pd.Series:
    """Each improved council's highest value of ``measure`` from the judgement to the improved one."""
    t = tracks[(tracks.outcome == "improved") & (tracks.measure == measure) & (tracks.phase == "during")]
    return t.groupby("la_code").value.max()


def headline(s: pd.DataFrame) -> dict:
    """Agency share before and at its peak, its gap to England in years 2-4, caseload's gap in year 3."""
    def med(measure, k, col):
        row = s[(s.measure == measure) & (s.k == k)]
        return float(row[col].iloc[0]) if len(row) else float("nan")
    return {
        "agency_share_before_median": med("agency_share_pct", -1, "value_median"),
        "agency_share_gap_years_2_to_4": [med("agency_share_pct", k, "relative_median") for k in (2, 3, 4)],
        "caseload_gap_year_3": med("caseload_per_case_holder", 3, "relative_median"),
        "cla_ratio_year_3": med("cla_per_10k", 3, "relative_median"),
        "unit_cost_ratio_year_3": med("weekly_cost_per_cla", 3, "relative_median"),
    }
