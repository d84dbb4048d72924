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
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

import numpy as np

from . import levers as lv
from .errors import AssumptionError, Problem
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

    @property
    def spec(self) -> lv.LeverSpec:
        return lv.spec_for(self.key)

    @property
    def is_range(self) -> bool:
        return self.low != self.high


@dataclass(frozen=True)
class Option:
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


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    year: int | str
    url: str = ""
    section: str = ""
    note: str = ""


@dataclass(frozen=True)
class Scenario:
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

    def values(self, which: str = "central") -> dict[str, np.ndarray]:
        """Every numeric lever as an array of one scenario (shape ``(1,)``), for the engine.

        ``which`` is ``low``, ``central`` or ``high``. 'None' becomes NaN, which the engine reads as
        'never' for an interim end month and 'keep the outset share' for an agency target.
        """
        return {k: np.array([engine_number(getattr(l, which))], dtype=float) for k, l in self.levers.items()}

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
                problems.append(Problem(where, key, "unknown lever key" + lv.suggest(key, known)))
                continue
            lever = self.levers[key]
            value, err = coerce_value(raw, lever.spec)
            if err:
                problems.append(Problem(where, key, err))
                continue
            new[key] = replace(lever, low=value, central=value, high=value, where=where, is_default=False)
            applied.append((key, value))
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
        }
        text = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


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
          extra: Mapping[str, object] | None = None) -> Assumptions:
    """Validate flat lever records ``(key, record, where)`` and option definitions into Assumptions."""
    problems: list[Problem] = option_problems(options)
    option_keys = [o.key for o in options]
    support = {o.key: list(o.support) for o in options}
    known = lv.known_keys(option_keys, support)
    levers: dict[str, Lever] = {}
    given = {key for key, _, _ in records}  # a lever given but wrong is reported as wrong, not also as missing
    for key, record, where in records:
        if key not in known:
            problems.append(Problem(where, key, "unknown key" + lv.suggest(key, known)))
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
                         extra=MappingProxyType(dict(extra or {})))
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


# --- rules that tie levers together ------------------------------------------------------------

def check_rules(a: Assumptions) -> list[Problem]:
    """Rules that tie levers together: price base, horizon, phase splits, floors, journeys."""
    out: list[Problem] = []
    L = a.levers

    def bad(key, msg):
        lever = L.get(key) or L.get(key + ".diagnosis")  # a phase split names its first share's place
        out.append(Problem(lever.where if lever else "", key, msg))

    pb = a.price_base_year
    for k, l in L.items():
        if l.unit in lv.MONEY_UNITS and l.price_base is not None and l.price_base != pb:
            bad(k, f"price base {l.price_base} differs from appraisal.price_base_year {pb}: restate it in {pb} prices")
    months = a.months
    for k, l in L.items():
        spec = l.spec
        if spec.is_month and l.high is not None and l.high >= months:
            bad(k, f"month {l.high:g} is beyond the horizon (months 0 to {months - 1} for {a.horizon_years} years)")
        if spec.unit == "year index" and l.high is not None and l.high >= a.horizon_years:
            bad(k, f"year {l.high:g} is beyond the horizon (years 0 to {a.horizon_years - 1})")
    if L["baseline.legacy_placements.floor"].high > L["baseline.legacy_placements.count"].low:
        bad("baseline.legacy_placements.floor", "the floor cannot exceed the count of legacy placements")
    for o in a.options:
        pre = f"options.{o.key}."
        g = lambda s: L[pre + s]  # noqa: E731
        if not o.improves:
            for s in lv.JOURNEY_ONLY:
                l = g(s)
                if l.central not in (0, None) or l.high not in (0, None):
                    bad(pre + s, "business as usual has no improvement journey: remove this lever or give the option another model")
        splits = [g(f"improvement.phase_split.{p}") for p in lv.PHASES]
        if any(s.is_range for s in splits):
            bad(pre + "improvement.phase_split", "phase splits take one value each, not low / central / high")
        if o.improves and g("improvement.total").high > 0:
            total = sum(s.central for s in splits)
            if abs(total - 1.0) > 1e-9:
                bad(pre + "improvement.phase_split", f"phase splits sum to {total:.6g}, expected 1")
            for i, p in enumerate(lv.PHASES):
                if splits[i].central > 0 and L[f"journey.{p}_months"].low == 0:
                    bad(pre + f"improvement.phase_split.{p}", f"the {p} phase has no months but a share of improvement cost")
        for part in ("set_up", "transitional"):
            amount = g(f"{part}.amount").high
            if part == "transitional":
                amount += g("transitional.legal").high + g("transitional.due_diligence").high + \
                    g("transitional.team_fte").high * g("transitional.team_cost").high
            if amount > 0:
                if g(f"{part}.months").low <= 0:
                    bad(pre + f"{part}.months", f"at least 1 month is needed to spend the {part.replace('_', '-')} cost")
        for name in o.support:
            if g(f"external_support.{name}.annual_cost").high > 0 and g(f"external_support.{name}.months").low <= 0:
                bad(pre + f"external_support.{name}.months", "at least 1 month is needed for a support item with a cost")
        tgt = g("workforce.agency_share_target")
        if tgt.central is not None and o.improves and g("workforce.years_to_target").is_default:
            bad(pre + "workforce.years_to_target", "needed when an agency share target is set")
    return out
