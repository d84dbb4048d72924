"""The council-by-year panel the back-test reads: counts and spend by area, rates recomputed from counts.

From the tidy history (``councils_history.csv``). An *area* is a council as it was when judged: after
a boundary change (:data:`costmodel.evidence.events.SUCCESSORS`) the successors' counts and spend are
summed under the former council's code for the years it no longer reports, and a joint workforce return
of its successors counts as its workforce. Rates are recomputed from the summed counts with DfE's own
definitions, so a former area and England are measured the same way (for England 2017-2025 they are
within 0.24 percentage points of DfE's published agency rate, 0.13 of its turnover rate and 0.05 cases of
its caseload; tested):

* agency share = agency FTE / (agency FTE + employed social worker FTE) x 100
* caseload per case holder = cases held / case-holding FTE
* turnover = leavers FTE / employed social worker FTE x 100
* children looked after per 10,000 = children looked after / population aged 0-17 x 10,000
* weekly cost per child looked after = s251 looked-after spend / children looked after / (365 / 7)
  (equals DfE LAIT's approximation to within its rounding to the nearest GBP 5)
* children's social care = the five section 251 lines of :data:`SPEND_LINES`; where one line lacks a
  year between two reported years, the total takes it interpolated linearly

Years follow the history file: 31 March for children in need and looked after, 30 September for the
workforce, the financial year ending 31 March for spend (2025 = 2024-25).
"""
from __future__ import annotations

import weakref
from datetime import date

import numpy as np
import pandas as pd

from .events import SUCCESSORS

ENGLAND = "E92000001"
YEARS = tuple(range(2013, 2026))

#: The section 251 lines of children's social care, by short name: (history measure, label). Leaving-care
#: support is part of the looked-after line; Sure Start and services for young people are left out.
SPEND_LINES: dict[str, tuple[str, str]] = {
    "safeguarding": ("s251_safeguarding_gross_gbp", "Safeguarding (social work)"),
    "looked_after": ("s251_cla_gross_gbp", "Children looked after"),
    "family_support": ("s251_family_support_gross_gbp", "Family support services"),
    "other_children_family": ("s251_other_children_family_gross_gbp", "Other children and family services"),
    "youth_justice": ("s251_youth_justice_gross_gbp", "Youth justice"),
}
SOCIAL_CARE = "childrens_social_care"   # the sum of SPEND_LINES
LINE_LABELS = {**{k: v[1] for k, v in SPEND_LINES.items()}, SOCIAL_CARE: "Children's social care (the five lines)"}

COUNTS = ("population_0_17", "children_in_need", "children_looked_after", "social_worker_fte", "agency_fte",
          "leavers_fte", "case_holding_fte", "cases_held", "cin_rate_per_10k", "cpp_rate_per_10k")
WORKFORCE = ("social_worker_fte", "agency_fte", "leavers_fte", "case_holding_fte", "cases_held")
#: Where each measure family's year ends, for placing a judgement in event time: (month, day).
PERIOD_END = {"spend": (3, 31), "demand": (3, 31), "workforce": (9, 30)}
#: The paths the back-test follows, by name: (label, unit, family, compared with England as).
PATHS: dict[str, tuple[str, str, str, str]] = {
    "agency_share_pct": ("Agency social workers, share of FTE", "percent", "workforce", "difference"),
    "caseload_per_case_holder": ("Cases per case-holding FTE", "cases", "workforce", "difference"),
    "turnover_pct": ("Turnover of employed social workers", "percent", "workforce", "difference"),
    "cla_per_10k": ("Children looked after per 10,000 children", "per 10,000", "demand", "ratio"),
    "weekly_cost_per_cla": ("Weekly cost per child looked after", "GBP/week", "spend", "ratio"),
}


def _wide(history: pd.DataFrame) -> pd.DataFrame:
    """Measures as columns, indexed by (la_code, year)."""
    keep = set(COUNTS) | {m for m, _ in SPEND_LINES.values()}
    h = history[history.measure.isin(keep)]
    w = h.pivot_table(index=["la_code", "year"], columns="measure", values="value", aggfunc="first")
    return w.reindex(columns=sorted(keep))


def _rebuild_former(w: pd.DataFrame) -> pd.DataFrame:
    """Fill each former council's gaps with its successors' sums (its own figures, where it has them, win)."""
    extra = []
    rates = {"cin_rate_per_10k", "cpp_rate_per_10k"}
    for former, (successors, _) in SUCCESSORS.items():
        joint = " / ".join(successors)
        parts = [w.xs(code, level="la_code") for code in successors if code in w.index.get_level_values(0)]
        if not parts:
            continue
        summed = sum(p.reindex(index=list(YEARS), columns=w.columns) for p in parts)  # NaN unless all report
        if joint in w.index.get_level_values(0):
            jw = w.xs(joint, level="la_code")
            for col in WORKFORCE:
                summed[col] = summed[col].fillna(jw[col])
        own = w.xs(former, level="la_code") if former in w.index.get_level_values(0) else summed.iloc[:0]
        full = own.combine_first(summed.drop(columns=[c for c in rates if c in summed])).dropna(how="all")
        full.index = pd.MultiIndex.from_product([[former], full.index], names=["la_code", "year"])
        extra.append(full)
    if not extra:
        return w
    return pd.concat([w.drop(index=list(SUCCESSORS), level="la_code", errors="ignore"), *extra]).sort_index()


def _interpolated_lines(out: pd.DataFrame) -> pd.DataFrame:
    """The five lines with a year missing between two reported years filled linearly, for the total only
    (one council-year in the 2025 data: Luton's youth justice in 2022-23)."""
    filled = {line: out[line].unstack("year").interpolate(axis=1, limit_area="inside").stack()
              for line in SPEND_LINES}
    return pd.DataFrame(filled).reindex(out.index)


def panel(history: pd.DataFrame) -> pd.DataFrame:
    """The panel: counts, spend lines (GBP, nominal), their sum and the recomputed rates, by (la_code, year)."""
    w = _rebuild_former(_wide(history))
    out = pd.DataFrame(index=w.index)
    for col in COUNTS:
        out[col] = w[col]
    for name, (measure, _) in SPEND_LINES.items():
        out[name] = w[measure]
    out[SOCIAL_CARE] = _interpolated_lines(out).sum(axis=1, min_count=len(SPEND_LINES))
    out["agency_share_pct"] = out.agency_fte / (out.agency_fte + out.social_worker_fte) * 100
    out["caseload_per_case_holder"] = out.cases_held / out.case_holding_fte
    out["turnover_pct"] = out.leavers_fte / out.social_worker_fte * 100
    out["cla_per_10k"] = out.children_looked_after / out.population_0_17 * 1e4
    out["weekly_cost_per_cla"] = out.looked_after / out.children_looked_after / (365 / 7)
    return out.replace([np.inf, -np.inf], np.nan)


def event_year(when: pd.Timestamp | date, family: str) -> int:
    """The history year of the first observation of ``family`` whose period ends on or after ``when``.

    A judgement on 4 June 2018 falls in spend year 2019 (2018-19), demand year 2019 (31 March 2019) and
    workforce year 2018 (30 September 2018): event time 0 for each.
    """
    month, day = PERIOD_END[family]
    when = pd.Timestamp(when)
    return when.year if (when.month, when.day) <= (month, day) else when.year + 1


_BY_YEAR: dict[int, dict[str, pd.DataFrame]] = {}   # id(panel) -> column -> areas x years, dropped with the panel


def by_year(p: pd.DataFrame, column: str) -> pd.DataFrame:
    """``column`` of the panel as areas x years (computed once per panel and column)."""
    if id(p) not in _BY_YEAR:
        _BY_YEAR[id(p)] = {}
        weakref.finalize(p, _BY_YEAR.pop, id(p), None)
    cache = _BY_YEAR[id(p)]
    if column not in cache:
        cache[column] = p[column].unstack("year")
    return cache[column]


def matrix(p: pd.DataFrame, column: str, codes, years=YEARS) -> np.ndarray:
    """``column`` as an array areas x years (NaN where missing), rows in the order of ``codes``."""
    return by_year(p, column).reindex(index=list(codes), columns=list(years)).to_numpy(dtype=float)
