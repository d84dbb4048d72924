"""The measures of the packaged statistics this package uses: label, unit, source and what date or period each
year of it refers to — so every figure shown says "at 30 September 2025" or "financial year 2024-25", never a
bare year. Definitions: ``files/data/columns.csv`` and the data README.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..files.vintage import publication as source_publication


@dataclass(frozen=True)
class Measure:
    """A measure of the statistics: label, unit, source key (VINTAGE.json) and period kind."""

    key: str
    label: str
    unit: str
    source: str
    period: str  # at_31_march | year_to_31_march | at_30_september | year_to_30_september | financial_year | mid_year


def _m(key, label, unit, source, period):
    return key, Measure(key, label, unit, source, period)


MEASURES = dict([
    _m("population_0_17", "Children aged 0 to 17", "children", "POP", "mid_year"),
    _m("children_in_need", "Children in need", "children", "CIN", "at_31_march"),
    _m("cin_rate_per_10k", "Children in need per 10,000 children", "per 10,000 children", "CIN", "at_31_march"),
    _m("referrals", "Referrals", "referrals", "CIN", "year_to_31_march"),
    _m("child_protection_plans", "Children on a child protection plan", "children", "CIN", "at_31_march"),
    _m("children_looked_after", "Children looked after", "children", "CLA", "at_31_march"),
    _m("cla_rate_per_10k", "Children looked after per 10,000 children", "per 10,000 children", "CLA", "at_31_march"),
    _m("social_worker_fte", "Social workers employed by the council (FTE, excluding agency)", "FTE", "CSWW",
       "at_30_september"),
    _m("agency_fte", "Agency social workers (FTE)", "FTE", "CSWW", "at_30_september"),
    _m("agency_rate_pct", "Agency worker rate (% of FTE)", "percent", "CSWW", "at_30_september"),
    _m("vacancy_fte", "Vacancies (FTE)", "FTE", "CSWW", "at_30_september"),
    _m("vacancy_rate_pct", "Vacancy rate", "percent", "CSWW", "at_30_september"),
    _m("turnover_rate_pct", "Turnover rate", "percent", "CSWW", "year_to_30_september"),
    _m("starters_fte", "Social workers starting (FTE)", "FTE", "CSWW", "year_to_30_september"),
    _m("leavers_fte", "Social workers leaving (FTE)", "FTE", "CSWW", "year_to_30_september"),
    _m("case_holding_fte", "Case-holding social workers, employed and agency (FTE)", "FTE", "CSWW",
       "at_30_september"),
    _m("cases_held", "Cases held by case-holding social workers", "cases", "CSWW", "at_30_september"),
    _m("caseload_per_case_holder", "Cases per case-holding social worker (FTE)", "cases/FTE", "CSWW",
       "at_30_september"),
    _m("absence_rate_pct", "Sickness absence rate", "percent", "CSWW", "year_to_30_september"),
    _m("s251_cyp_total_gross_gbp", "Spend on children's and young people's services (s251, gross)", "GBP",
       "S251", "financial_year"),
    _m("s251_cla_gross_gbp", "Spend on children looked after (s251, gross)", "GBP", "S251", "financial_year"),
    _m("s251_safeguarding_gross_gbp", "Spend on safeguarding (s251, gross)", "GBP", "S251", "financial_year"),
    _m("s251_family_support_gross_gbp", "Spend on family support (s251, gross)", "GBP", "S251", "financial_year"),
    _m("s251_other_children_family_gross_gbp", "Spend on other children's and family services (s251, gross)", "GBP",
       "S251", "financial_year"),
    _m("s251_youth_justice_gross_gbp", "Spend on youth justice (s251, gross)", "GBP", "S251", "financial_year"),
    _m("s251_leaving_care_gross_gbp", "Spend on leaving care support (s251, gross; part of looked after)", "GBP",
       "S251", "financial_year"),
    _m("s251_weekly_cost_per_cla_gbp", "Weekly cost per child looked after (DfE LAIT, to the nearest £5)",
       "GBP/week", "S251", "financial_year"),
    _m("s251_weekly_cost_per_foster_placement_gbp", "Weekly cost per foster placement (DfE LAIT, to the nearest £5)",
       "GBP/week", "S251", "financial_year"),
    _m("s251_weekly_cost_per_residential_placement_gbp",
       "Weekly cost per residential placement (DfE LAIT, to the nearest £5)", "GBP/week", "S251", "financial_year"),
    _m("s251_weekly_social_work_cost_per_cin_gbp",
       "Weekly social work cost per child in need (DfE LAIT, to the nearest £5)", "GBP/week", "S251",
       "financial_year"),
])

#: Workforce measures that are rates of a return (a joint return's rate applies to both its councils).
WORKFORCE_RATES = ("agency_rate_pct", "vacancy_rate_pct", "turnover_rate_pct", "caseload_per_case_holder",
                   "absence_rate_pct")
WORKFORCE = tuple(k for k, m in MEASURES.items() if m.source == "CSWW")


def reference(measure: str, year: int | None) -> str:
    """The date or period a year of ``measure`` refers to, in words ("at 30 September 2025")."""
    if year is None:
        return ""
    period = MEASURES[measure].period
    return {
        "at_31_march": f"at 31 March {year}",
        "year_to_31_march": f"year to 31 March {year}",
        "at_30_september": f"at 30 September {year}",
        "year_to_30_september": f"year to 30 September {year}",
        "financial_year": f"financial year {year - 1}-{year % 100:02d}",
        "mid_year": f"ONS mid-{year - 1} estimate (the denominator for {year})",
    }[period]


def publication(measure: str) -> str:
    """The release a measure's figures are taken from (figures of earlier years as revised in it)."""
    return source_publication(MEASURES[measure].source)
