"""The typed, validated assumption set: levers with unit, low / central / high and source.

Adapters (YAML files, workbook Inputs sheet) hand this module flat lever records with a location
(``baseline.yaml:12`` or ``Inputs!F14``); it checks them against the catalogue in ``levers`` and
returns an :class:`Assumptions`, or raises :class:`AssumptionError` listing every problem found.
No I/O happens here.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping, NamedTuple

import numpy as np

from . import levers as lv
from .errors import AssumptionError, Problem
from .prices import PricePlan, PriceSettings, to_base_prices
from .prices import factor as index_factor
from .rules import check_rules
from .identifiers import identifier_problem
from .validation import coerce_value, correlation_problems, parse_record

COMPARATOR = "do_minimum"
SECOND_COMPARATOR = "in_house"


@dataclass(frozen=True)
class Lever:
    """One input: its values (None where the catalogue allows 'none'), unit and provenance."""

    key: str
    label: str
    unit: str
    low: float | None
    central: float | None
    high: float | None
    price_base: int | None = None
    source: str | None = None
    basis: str = "published"
    reasoning: str | None = None
    note: str | None = None
    where: str = ""
    is_default: bool = False
    derivation: str | None = None
    category: str | None = None  #: optimism-bias levers: the Green Book category of the one-off cost

    @property
    def spec(self) -> lv.LeverSpec:
        return lv.spec_for(self.key)

    @property
    def is_range(self) -> bool:
        return self.low != self.high


# Option, Source and Scenario are named tuples (immutable; change one with ``_replace``) rather than frozen dataclasses
# only because they are quicker to define: the start-up time of ``costmodel compare``.
class Option(NamedTuple):
    """A delivery option: its key, label, delivery model and external-support items."""

    key: str
    label: str
    model: str
    description: str = ""
    support: tuple[str, ...] = ()
    where: str = ""

    @property
    def improves(self) -> bool:
        """True for every option but business as usual: it has an improvement journey."""
        return self.model != "business_as_usual"


class Source(NamedTuple):
    """A publication a lever cites (sources.yaml): its title, publisher, year and where to find it."""

    key: str
    title: str
    publisher: str
    year: int | str
    url: str = ""
    section: str = ""
    note: str = ""
    identifier: str = ""  #: a stable identifier when there is no URL to the page (a press article, a PQ number)


class Scenario(NamedTuple):
    """A named scenario (scenarios.yaml): the levers it fixes, why, and where it is written."""

    key: str
    label: str
    reason: str
    overrides: Mapping[str, object]
    where: str = ""


@dataclass(frozen=True)
class Assumptions:
    """A complete, validated assumption set. Build with :func:`build`; change with :meth:`with_overrides`."""

    levers: Mapping[str, Lever]
    options: tuple[Option, ...]
    sources: Mapping[str, Source]
    scenarios: Mapping[str, Scenario] = field(default_factory=dict)
    origin: str = ""
    overrides: tuple[tuple[str, object], ...] = ()
    extra: Mapping[str, object] = field(default_factory=dict)  # adapter sections the core does not read
    prices: PriceSettings = field(default_factory=PriceSettings)  # the indices and which converts each group

    # --- structure -------------------------------------------------------------------------
    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def option(self, key: str) -> Option:
        return next(o for o in self.options if o.key == key)

    @property
    def horizon_years(self) -> int:
        return int(self.levers["appraisal.horizon_years"].central)

    @property
    def months(self) -> int:
        return 12 * self.horizon_years

    @property
    def start_year(self) -> int:
        return int(self.levers["appraisal.start_year"].central)

    @property
    def price_base_year(self) -> int:
        return int(self.levers["appraisal.price_base_year"].central)

    def financial_years(self) -> list[str]:
        """Labels of the appraisal years: ``2025-26`` …"""
        return [financial_year(self.start_year + t) for t in range(self.horizon_years)]

    # --- values ----------------------------------------------------------------------------
    def central(self, key: str) -> float | None:
        return self.levers[key].central

    def raw_values(self, which: str = "central") -> dict[str, np.ndarray]:
        """Every numeric lever as written (money in the prices of its own year), arrays of shape ``(1,)``.

        ``which`` is ``low``, ``central`` or ``high``. 'None' becomes NaN, which the engine reads as
        'never' for an interim end month and 'keep the outset share' for an agency target.
        """
        return {k: np.array([engine_number(getattr(l, which))], dtype=float) for k, l in self.levers.items()}

    def values(self, which: str = "central") -> dict[str, np.ndarray]:
        """Every numeric lever as the engine costs it, arrays of shape ``(1,)``: money in base-year prices.

        :meth:`raw_values` converted once by :func:`costmodel.prices.to_base_prices` with this set's
        price plan (the index values of the same case ``which``).
        """
        return to_base_prices(self.raw_values(which), self.price_plan)

    @property
    def price_plan(self) -> PricePlan:
        """Each money lever's index and price year, and the base year: how :meth:`values` converts."""
        plan = {}
        for k, l in self.levers.items():
            if l.unit in lv.MONEY_UNITS and l.price_base is not None:
                plan[k] = (self.prices.index_for(l.spec.price_group), int(l.price_base))
        return PricePlan(self.price_base_year, plan)

    def price_factor(self, key: str, raw: Mapping[str, np.ndarray] | None = None) -> float:
        """The factor taking lever ``key`` to base-year prices at the central index values (1 if not money).

        ``raw`` is :meth:`raw_values` when the caller already has it (converting many levers).
        """
        plan = self.price_plan
        if key not in plan.levers:
            return 1.0
        index, year = plan.levers[key]
        return float(np.asarray(index_factor(raw or self.raw_values(), index, year, plan.base_year)).reshape(-1)[0])

    def with_overrides(self, pairs, where: str = "--set") -> "Assumptions":
        """A copy with each ``(key, value)`` fixed (low = central = high = value), re-validated."""
        pairs = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
        if not pairs:
            return self
        problems: list[Problem] = []
        known = list(self.levers)
        new = dict(self.levers)
        applied = []
        for key, raw in pairs:
            if key not in self.levers:
                instead = lv.retired(key)
                problems.append(Problem(where, key, f"renamed or removed: use {instead}" if instead
                                        else "unknown lever key" + lv.suggest(key, known)))
                continue
            lever = self.levers[key]
            raw, price_base, err = split_price_year(raw, lever)
            value, err = (None, err) if err else coerce_value(raw, lever.spec)
            if err:
                problems.append(Problem(where, key, err))
                continue
            new[key] = replace(lever, low=value, central=value, high=value, where=where, is_default=False,
                               price_base=price_base)
            applied.append((key, value if price_base == lever.price_base else {"value": value, "price_base": price_base}))
        if problems:
            raise AssumptionError(problems)
        result = replace(self, levers=MappingProxyType(new), overrides=self.overrides + tuple(applied))
        problems = check_rules(result)
        if problems:
            raise AssumptionError(problems)
        return result

    def with_scenario(self, name: str) -> "Assumptions":
        if name not in self.scenarios:
            raise AssumptionError([Problem("scenarios.yaml", name, "unknown scenario"
                                           + lv.suggest(name, list(self.scenarios))
                                           + f"; known: {', '.join(self.scenarios) or 'none'}")])
        sc = self.scenarios[name]
        return self.with_overrides(sc.overrides, where=f"scenario {name}")

    def fingerprint(self) -> str:
        """A short hash of every value (to 12 significant digits, so a trip through a spreadsheet that
        stores 15 digits does not change it), unit, option and source in use: equal sets, equal prints."""
        payload = {
            "levers": {k: [l.unit, *map(_significant, (l.low, l.central, l.high)), l.price_base, l.source]
                       for k, l in sorted(self.levers.items())},
            "options": [[o.key, o.label, o.model, list(o.support)] for o in self.options],
            "prices": sorted(self.prices.groups.items()),
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


PRICE_YEAR_SUFFIX = re.compile(r"^\s*(?P<value>[^@]+?)\s*@\s*(?P<year>\d{4})\s*$")


def split_price_year(raw, lever: Lever) -> tuple[object, int | None, str | None]:
    """An override's value and price year: ``23400000@2025`` (``--set``) or ``{value: …, price_base: 2025}``
    (scenarios.yaml) give the year; a bare value keeps the lever's own price year (the figure as written)."""
    year = None
    if isinstance(raw, Mapping) and set(raw) == {"value", "price_base"}:
        raw, year = raw["value"], raw["price_base"]
    elif isinstance(raw, str) and (m := PRICE_YEAR_SUFFIX.match(raw)):
        raw, year = m["value"], int(m["year"])
    if year is None:
        return raw, lever.price_base, None
    if lever.unit not in lv.MONEY_UNITS:
        return raw, None, f"a price year (@{year}) only applies to money levers; this one is in {lever.unit}"
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        return raw, None, f"price year must be a financial year such as 2025, got {year!r}"
    return raw, year, None


def _significant(value):
    return None if value is None else float(f"{value:.12g}")


def financial_year(start: int) -> str:
    """``2025`` → ``'2025-26'``."""
    return f"{start}-{(start + 1) % 100:02d}"


def engine_number(value) -> float:
    """A lever value as the engine's float; None (where the catalogue allows it) is NaN."""
    if value is None:
        return math.nan
    return float(value)


# --- building the whole set ------------------------------------------------------------------

def build(records: list[tuple[str, object, str]], options: list[Option], sources: Mapping[str, Source],
          scenarios: Mapping[str, Scenario] | None = None, origin: str = "",
          extra: Mapping[str, object] | None = None, prices: PriceSettings | None = None) -> Assumptions:
    """Validate flat lever records ``(key, record, where)`` and option definitions into Assumptions.

    ``prices`` names the price indices (their years are levers ``prices.<index>.<year>`` among the
    records) and which index converts each price group; without it every money figure must already
    be in base-year prices.
    """
    prices = prices or PriceSettings()
    problems: list[Problem] = option_problems(options)
    option_keys = [o.key for o in options]
    support = {o.key: list(o.support) for o in options}
    known = lv.known_keys(option_keys, support, {k: sorted(i.years) for k, i in prices.indices.items()})
    levers: dict[str, Lever] = {}
    given = {key for key, _, _ in records}  # a lever given but wrong is reported as wrong, not also as missing
    for key, record, where in records:
        if key not in known:
            instead = lv.retired(key)
            problems.append(Problem(where, key, f"renamed or removed: use {instead}" if instead
                                    else "unknown key" + lv.suggest(key, known)))
            continue
        if key in levers:
            problems.append(Problem(where, key, f"given twice (first at {levers[key].where})"))
            continue
        fields, errs = parse_record(key, record, where, sources)
        problems += errs
        if fields:
            levers[key] = Lever(**fields)
    for key in known:
        if key in levers:
            continue
        spec = lv.spec_for(key)
        if key in given:
            continue
        if spec.required:
            problems.append(Problem(_file_of(key), key, f"missing required lever ({spec.label}, {spec.unit})"))
        else:
            d = spec.default
            levers[key] = Lever(key=key, label=spec.label, unit=spec.unit, low=d, central=d, high=d,
                                basis="default", where="catalogue default", is_default=True)
    problems += correlation_problems((extra or {}).get("correlations"), levers)
    if problems:
        raise AssumptionError(problems)
    ordered = {k: levers[k] for k in known}
    result = Assumptions(levers=MappingProxyType(ordered), options=tuple(options), sources=MappingProxyType(dict(sources)),
                         scenarios=MappingProxyType(dict(scenarios or {})), origin=origin,
                         extra=MappingProxyType(dict(extra or {})), prices=prices)
    problems = check_rules(result)
    seen = {(p.key, p.message) for p in problems}
    for sc in (scenarios or {}).values():
        try:
            result.with_overrides(sc.overrides, where=sc.where or f"scenario {sc.key}")
        except AssumptionError as e:
            new = [p for p in e.problems if (p.key, p.message) not in seen]  # not the base's own again
            seen |= {(p.key, p.message) for p in new}
            problems += new
    if problems:
        raise AssumptionError(problems)
    return result


def option_problems(options: list[Option]) -> list[Problem]:
    """Option keys and support-item names that are not identifiers, unknown models, a missing or wrong counterfactual."""
    problems = []
    for o in options:
        bad = identifier_problem(o.key, "option key")
        if bad:
            problems.append(Problem(o.where, f"options.{o.key}", bad))
        problems += [Problem(o.where, f"options.{o.key}.external_support.{n}", identifier_problem(n, "external-support item"))
                     for n in o.support if identifier_problem(n, "external-support item")]
        if o.model not in lv.MODELS:
            problems.append(Problem(o.where, f"options.{o.key}.model",
                                    f"model {o.model!r} is not one of {', '.join(lv.MODELS)}" + lv.suggest(str(o.model), list(lv.MODELS))))
    option_keys = [o.key for o in options]
    if COMPARATOR not in option_keys:
        problems.append(Problem("options.yaml", f"options.{COMPARATOR}", "missing: business as usual is the counterfactual every option is measured against (Green Book)"))
    elif next(o for o in options if o.key == COMPARATOR).model != "business_as_usual":
        problems.append(Problem("options.yaml", f"options.{COMPARATOR}.model", "do_minimum must have model business_as_usual"))
    return problems


def _file_of(key: str) -> str:
    return key.split(".")[0] + ".yaml"
