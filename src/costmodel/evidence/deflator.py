"""The GDP deflator the back-test uses to put outturn spend in the appraisal's price base.

Until the bundled price index of issue 12 (``costmodel.prices`` with ``assumptions/prices.yaml``) is in
place, this module carries a small documented table. Switching to the bundled index is the one line
``PRICE_INDEX = ...`` below: any function returning ``{financial year (the calendar year it starts
in): index}`` will do.

The table: HM Treasury, *GDP deflators at market prices, and money GDP*, December 2025 (Quarterly
National Accounts) vintage, calendar-year series (from ONS series MNF2), rebased 2024 = 100, as
bundled in the ``greenbook`` R package (``inst/extdata/gdp_deflator.csv``,
https://github.com/charlescoverdale/greenbook). HM Treasury's collection:
https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp

A financial year (April to March) takes three quarters of its starting calendar year and one of the
next: ``FY(t) = 0.75 x CY(t) + 0.25 x CY(t + 1)``. Calendar years after the last outturn (2024) are
projected at :data:`PROJECTED_GROWTH` a year, so 2024-25 and 2025-26 are partly projections; HM
Treasury's own financial-year series (ONS L8GG, with OBR forecasts) replaces all of this when the
bundled index lands.
"""
from __future__ import annotations

from typing import Callable, Mapping

from ..errors import CostmodelError

#: Calendar-year GDP deflator at market prices, 2024 = 100 (outturn).
CALENDAR_YEAR_OUTTURN: dict[int, float] = {
    2013: 73.4795, 2014: 74.6524, 2015: 75.1536, 2016: 76.4554, 2017: 77.6367, 2018: 79.1606,
    2019: 81.1085, 2020: 85.2137, 2021: 85.6358, 2022: 90.5005, 2023: 96.2507, 2024: 100.0,
}
#: Growth a year assumed after the last outturn year: a judgement, the Bank of England's 2 percent
#: target, the same as the bundled ``appraisal.inflation.general`` central value.
PROJECTED_GROWTH = 0.02
SOURCE = ("HM Treasury GDP deflators at market prices, December 2025 vintage, calendar years (ONS MNF2), "
          "financial year = 3/4 of its first calendar year + 1/4 of the next; years after 2024 projected at 2% a year")


def calendar_year(year: int) -> float:
    """The calendar-year index (2024 = 100), projected at :data:`PROJECTED_GROWTH` after the outturn."""
    last = max(CALENDAR_YEAR_OUTTURN)
    if year in CALENDAR_YEAR_OUTTURN:
        return CALENDAR_YEAR_OUTTURN[year]
    if year > last:
        return CALENDAR_YEAR_OUTTURN[last] * (1 + PROJECTED_GROWTH) ** (year - last)
    raise KeyError(f"no GDP deflator for calendar year {year} (the table starts in {min(CALENDAR_YEAR_OUTTURN)})")


def documented_gdp_deflator() -> dict[int, float]:
    """Financial-year index by the year each starts in (2016 = 2016-17), 2013-14 to 2030-31."""
    return {t: 0.75 * calendar_year(t) + 0.25 * calendar_year(t + 1) for t in range(min(CALENDAR_YEAR_OUTTURN), 2031)}


#: The index in use: swap for the bundled index (issue 12) here.
PRICE_INDEX: Callable[[], Mapping[int, float]] = documented_gdp_deflator


def to_base_factor(financial_year: int, base_year: int) -> float:
    """Multiply a figure in ``financial_year`` prices by this to restate it in ``base_year`` prices.

    Both years are financial years named by the calendar year they start in (2025 = 2025-26).
    """
    index = PRICE_INDEX()
    for y in (financial_year, base_year):
        if y not in index:
            raise CostmodelError(f"appraisal.price_base_year {y}: the back-test's GDP deflator covers financial years "
                                 f"{min(index)}-{(min(index) + 1) % 100:02d} to {max(index)}-{(max(index) + 1) % 100:02d}")
    return index[base_year] / index[financial_year]
