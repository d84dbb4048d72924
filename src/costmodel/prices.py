"""Prices: every money lever converted from the prices of its own year to the appraisal's price base.

A money lever keeps the figure *as published* and its ``price_base`` (the financial year whose prices
the figure is in, 2016 = 2016-17). The engine works in real terms at ``appraisal.price_base_year``, so
each money value is multiplied once, where lever values become engine arrays
(:meth:`costmodel.assumptions.Assumptions.values`), by

    factor = index[price base year] / index[price year of the figure]

with the price index chosen for the lever's price group (``general``, ``pay`` or ``placements``) in
``prices.yaml``. A figure already in base-year prices has factor 1 exactly. The default index is HM
Treasury's GDP deflator at market prices for financial years (Green Book 5.11: "remove general
inflation with the GDP deflator"). Index values are levers themselves, keyed ``prices.<index>.<year>``
(unit ``index``): outturn years are one published number; forecast years carry low / central / high,
so Monte Carlo draws them like any other lever and a run's factors move with the draw.

Relative price effects (Green Book 5.13) are separate: a pay or placement line may grow in real terms
by ``appraisal.relative_price.pay`` / ``.placements`` a year, applied by the engine to the lines of
that index (see :func:`relative_price_factors`).

Pure functions; no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, NamedTuple

import numpy as np

#: Price groups a money lever can belong to; each is converted with the index ``prices.yaml`` chooses.
GROUPS = ("general", "pay", "placements")
STATUSES = ("outturn", "forecast")


def index_key(index: str, year: int) -> str:
    """The lever key of one year of an index: ``prices.gdp_deflator.2016``."""
    return f"prices.{index}.{int(year)}"


class PriceIndex(NamedTuple):
    """One bundled price index: what it is, where it is published, and each year's status.

    ``years`` maps each financial year (2016 = 2016-17) to ``outturn`` or ``forecast``; the values
    are the levers ``prices.<key>.<year>``. Years are consecutive. A named tuple (immutable) rather than a frozen
    dataclass only because it is quicker to define: the start-up time of ``costmodel compare``.
    """

    key: str
    label: str
    source: str
    reference: str = ""
    note: str = ""
    years: Mapping[int, str] = MappingProxyType({})

    @property
    def first_year(self) -> int:
        return min(self.years)

    @property
    def last_year(self) -> int:
        return max(self.years)

    @property
    def latest_outturn(self) -> int | None:
        out = [y for y, s in self.years.items() if s == "outturn"]
        return max(out) if out else None


class PriceSettings(NamedTuple):
    """The indices of an assumption set and which one converts each price group (a named tuple, for the start-up
    time, like :class:`PriceIndex`)."""

    indices: Mapping[str, PriceIndex] = MappingProxyType({})
    groups: Mapping[str, str] = MappingProxyType({})

    def index_for(self, group: str) -> str | None:
        """The index key converting ``group`` (None when the set has no indices)."""
        return self.groups.get(group) or self.groups.get("general")


class PricePlan(NamedTuple):
    """How each money lever is converted: ``levers`` maps key → (index key, price year); plain data (a named tuple,
    for the start-up time, like :class:`PriceIndex`)."""

    base_year: int
    levers: Mapping[str, tuple[str, int]]


def factor(values: Mapping[str, np.ndarray], index: str, year: int, base_year: int) -> np.ndarray | float:
    """``index[base_year] / index[year]`` from the index levers in ``values`` (1.0 exactly when the years match)."""
    if int(year) == int(base_year):
        return 1.0
    return np.asarray(values[index_key(index, base_year)], dtype=float) / np.asarray(values[index_key(index, year)], dtype=float)


def index_levers_used(plan: PricePlan | None) -> set[str]:
    """The index levers (``prices.<index>.<year>``) some conversion of ``plan`` reads: the others change nothing."""
    if plan is None:
        return set()
    return {index_key(index, y) for index, year in plan.levers.values() if year != plan.base_year
            for y in (year, plan.base_year)}


def to_base_prices(values: Mapping[str, np.ndarray], plan: PricePlan | None) -> dict[str, np.ndarray]:
    """Every money lever of ``values`` restated in base-year prices (a new dict; other levers unchanged).

    ``values`` holds lever arrays over scenarios as published (length 1 or S), including the index
    levers the plan needs; the result is what the engine costs.
    """
    out = dict(values)
    if plan is None:
        return out
    for key, (index, year) in plan.levers.items():
        if year != plan.base_year and key in out:
            out[key] = np.asarray(values[key], dtype=float) * factor(values, index, year, plan.base_year)
    return out


# eq and repr left out (arrays compare element by element and print at length; nothing compares or prints one), so
# the class is quicker to define: the start-up time of ``costmodel compare``. Still frozen.
@dataclass(frozen=True, eq=False, repr=False)
class Conversion:
    """:func:`to_base_prices` for many passes that draw the same levers: ``held`` has every lever that is
    not drawn, already converted when neither it nor its factor is drawn; each pass converts the rest
    (:func:`convert`), each factor once."""

    held: Mapping[str, np.ndarray]
    each_pass: tuple[tuple[str, str, int], ...]  #: (lever, index, price year) converted in each pass
    base_year: int = 0


def prepare_conversion(values: Mapping[str, np.ndarray], plan: PricePlan | None, drawn) -> Conversion:
    """Split :func:`to_base_prices` of ``values`` (levers as published) into what is done once and what
    each pass does for the levers in ``drawn`` (their draws are not known yet)."""
    held, each = dict(values), []
    if plan is None:
        return Conversion(held, ())
    drawn = set(drawn)
    for key, (index, year) in plan.levers.items():
        if year == plan.base_year or key not in values:
            continue
        if drawn & {key, index_key(index, year), index_key(index, plan.base_year)}:
            each.append((key, index, year))
        else:
            held[key] = np.asarray(values[key], dtype=float) * factor(values, index, year, plan.base_year)
    return Conversion(held, tuple(each), plan.base_year)


def convert(conversion: Conversion, drawn: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every lever in base-year prices for one pass: ``drawn`` (as published) over the held levers; the same
    numbers as :func:`to_base_prices` of them together."""
    out = dict(conversion.held)
    out.update(converted_draws(conversion, drawn))
    return out


class PassLevers(dict):
    """The levers that change from pass to pass (in base-year prices), ``held`` read for any other key by ``[]``;
    ``in``, ``get``, ``len`` and iteration see only the pass's own."""

    __slots__ = ("held",)

    def __missing__(self, key: str) -> np.ndarray:
        return self.held[key]


def converted_draws(conversion: Conversion, drawn: Mapping[str, np.ndarray]) -> PassLevers:
    """Only the levers that change from pass to pass, in base-year prices: ``drawn`` (as published) and each lever
    converted in each pass (its figure or its factor drawn), each factor once; :func:`convert` without copying the
    held levers, which are read where a lever is not drawn."""
    out = PassLevers(drawn)
    out.held = conversion.held
    factors = {}
    for key, index, year in conversion.each_pass:
        f = factors.get((index, year))
        if f is None:
            f = factors[(index, year)] = factor(out, index, year, conversion.base_year)
        out[key] = np.asarray(out[key], dtype=float) * f
    return out


def relative_price_factors(rate, start_year: int, base_year: int, years: int) -> np.ndarray:
    """Real growth of a price relative to the GDP deflator, ``(1 + rate)^(start_year + t − base_year)``.

    ``S × years`` (``rate`` is ``(S,)`` or a number): 1 in the base year, constant within a financial
    year (Green Book 5.13: a relative price effect moves a cost apart from general inflation in real terms).
    """
    r = np.asarray(rate, dtype=float).reshape(-1, 1)
    exponent = np.arange(years, dtype=float)[None, :] + float(start_year - base_year)
    return np.power(1.0 + r, exponent)


def financial_year_label(year: int) -> str:
    """``2016`` → ``'2016-17'``."""
    return f"{year}-{(year + 1) % 100:02d}"
