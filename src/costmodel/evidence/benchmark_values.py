"""The values the benchmark compares, defined once so a council, England, its region and its peers are measured
the same way in the same year.

* Rates DfE publishes (agency, vacancy and turnover rates, caseload, children in need and looked after per
  10,000) are taken as published, for councils and for England and the regions alike. A council whose workforce
  is returned jointly takes the joint return's rate; DfE's ``low`` is 0.
* Spend per child and weekly spend per child looked after are computed here, for councils and aggregates alike,
  from the councils that have every part in that year: England's and the regions' figures are the sums over those
  councils (so a council without a return, such as Wandsworth and Middlesbrough in 2024-25, leaves both the spend
  and the children out). Money is in cash prices of each financial year, not adjusted for inflation.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from ..councils import FORMER_COUNCILS
from ..files import council_data
from .council_record import council_refs, joint_return, series, symbol
from .measures import WORKFORCE, reference

ENGLAND = "E92000001"
SPEND_PARTS = ("s251_cla_gross_gbp", "s251_safeguarding_gross_gbp", "s251_family_support_gross_gbp")


@dataclass(frozen=True)
class BenchmarkMeasure:
    """A measure compared: published (``parts`` empty) or a ratio of summed parts × ``scale``."""

    key: str
    label: str
    unit: str
    source_measure: str  # the measure whose period and release the figure follows
    fmt: str  # how a value is shown, a str.format pattern ("{:.1f}%")
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    scale: float = 1.0

    @property
    def derived(self) -> bool:
        return bool(self.numerator)

    def reference(self, year: int) -> str:
        text = reference(self.source_measure, year)
        if self.key == "spend_per_child_gbp":
            return f"{text}, cash prices; children aged 0-17: ONS mid-{year - 1}"
        if self.key == "weekly_cost_per_cla_gbp":
            return f"{text}, cash prices; children looked after at 31 March {year}"
        return text


MEASURES = {m.key: m for m in (
    BenchmarkMeasure("agency_rate_pct", "Agency social workers (% of FTE)", "percent", "agency_rate_pct", "{:.1f}%"),
    BenchmarkMeasure("caseload_per_case_holder", "Cases per case-holding social worker", "cases/FTE",
                     "caseload_per_case_holder", "{:.1f}"),
    BenchmarkMeasure("vacancy_rate_pct", "Vacancy rate", "percent", "vacancy_rate_pct", "{:.1f}%"),
    BenchmarkMeasure("turnover_rate_pct", "Turnover rate", "percent", "turnover_rate_pct", "{:.1f}%"),
    BenchmarkMeasure("cin_rate_per_10k", "Children in need per 10,000 children", "per 10,000", "cin_rate_per_10k",
                     "{:,.1f}"),
    BenchmarkMeasure("cla_rate_per_10k", "Children looked after per 10,000 children", "per 10,000",
                     "cla_rate_per_10k", "{:,.0f}"),
    BenchmarkMeasure("spend_per_child_gbp", "Children's social care spend per child aged 0-17 (looked after + "
                     "safeguarding + family support)", "GBP/child/yr", "s251_cla_gross_gbp", "£{:,.0f}", SPEND_PARTS,
                     ("population_0_17",)),
    BenchmarkMeasure("weekly_cost_per_cla_gbp", "Spend on children looked after per child looked after per week",
                     "GBP/child/week", "s251_cla_gross_gbp", "£{:,.0f}", ("s251_cla_gross_gbp",),
                     ("children_looked_after",), 7 / 365),
)}


def council_codes(region: str | None = None) -> list[str]:
    """Council-level codes (current and former councils) in England or in one region."""
    codes = [c.code for c in council_refs() if region is None or c.region == region]
    return codes + [f.code for f in FORMER_COUNCILS if f.code and (region is None or f.region == region)]


def published(code: str, measure: str, year: int) -> float | None:
    """A council's (or aggregate's) published figure: its joint return's for workforce, ``low`` as 0."""
    series_code = code
    if measure in WORKFORCE and code[:3] in ("E06", "E08", "E09", "E10"):
        series_code = joint_return_or_self(code)
    v = series().get((series_code, measure), {}).get(year)
    if v is None and symbol(code, year, measure) is not None and symbol(code, year, measure)[0] == "low":
        return 0.0
    return v


def joint_return_or_self(code: str) -> str:
    if code not in {c.code for c in council_refs()}:
        return code
    return joint_return(code) or code


def _parts(code: str, m: BenchmarkMeasure, year: int) -> tuple[float, float] | None:
    vals = [published(code, p, year) for p in (*m.numerator, *m.denominator)]
    if any(v is None for v in vals):
        return None
    top, bottom = sum(vals[: len(m.numerator)]), sum(vals[len(m.numerator):])
    return (top, bottom) if bottom else None


@functools.lru_cache(maxsize=None)
def region_codes() -> dict[str, str]:
    """Region code → region name, and region name → code, from the council list."""
    c = council_data.councils()
    pairs = dict(zip(c["region_code"], c["region"]))
    return pairs | {v: k for k, v in pairs.items()}


@functools.lru_cache(maxsize=None)
def value_at(code: str, key: str, year: int) -> float | None:
    """The benchmark measure ``key`` for a council, England (E92000001) or a region (E12…) in ``year``."""
    m = MEASURES[key]
    if not m.derived:
        return published(code, m.source_measure, year)
    if code == ENGLAND or code.startswith("E12"):
        region = None if code == ENGLAND else region_codes()[code]
        sums = [p for c in council_codes(region) if (p := _parts(c, m, year))]
        if not sums:
            return None
        return sum(t for t, _ in sums) / sum(b for _, b in sums) * m.scale
    p = _parts(code, m, year)
    return None if p is None else p[0] / p[1] * m.scale


def councils_counted(code: str, key: str, year: int) -> int:
    """How many councils an aggregate's computed figure sums (for the note)."""
    m = MEASURES[key]
    region = None if code == ENGLAND else region_codes()[code]
    return sum(1 for c in council_codes(region) if _parts(c, m, year))
