"""The GDP deflator the back-test uses to put outturn spend in the appraisal's price base.

It is the bundled price index (``assumptions/prices.yaml``, the ``gdp_deflator`` index: HM Treasury's GDP
deflator at market prices for financial years, with its vintage in ``sources.yaml``), central values, the
same series the engine converts money levers with by default. Financial years are named by the calendar
year they start in (2016 = 2016-17).
"""
from __future__ import annotations

import functools
from typing import Callable, Mapping

from ..errors import CostmodelError

INDEX = "gdp_deflator"


@functools.lru_cache(maxsize=1)
def bundled_gdp_deflator() -> dict[int, float]:
    """``{financial year: index}`` of the bundled GDP deflator (central values of forecast years)."""
    from ..files.assumption_folder import load_folder
    from ..files.bundled import bundled_assumptions
    levers = load_folder(bundled_assumptions()).levers
    prefix = f"prices.{INDEX}."
    return {int(k[len(prefix):]): float(l.central) for k, l in levers.items() if k.startswith(prefix)}


#: The index in use.
PRICE_INDEX: Callable[[], Mapping[int, float]] = bundled_gdp_deflator
SOURCE = "the bundled GDP deflator (assumptions/prices.yaml, HM Treasury, financial years)"


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
