"""Validation of assumption records and of the rules that tie levers together.

Every check returns :class:`Problem` s (where, key, what was expected) rather than stopping at the
first, so ``costmodel validate`` can list them all. Used by :mod:`costmodel.assumptions` for files,
workbook Inputs sheets and ``--set`` overrides alike. No I/O happens here.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from . import levers as lv

if TYPE_CHECKING:
    from .assumptions import Assumptions

RECORD_FIELDS = ("label", "unit", "price_base", "value", "source", "basis", "reasoning", "note")
BASES = ("published", "judgement")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the assumptions: where, which key, what was expected."""

    where: str
    key: str
    message: str

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.key) if p]
        return ": ".join(parts + [self.message])


class AssumptionError(ValueError):
    """Raised with every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def coerce_value(raw, spec: lv.LeverSpec) -> tuple[float | None, str | None]:
    """Turn one raw value (YAML scalar, cell value, --set text) into a float; or return an error.

    PyYAML reads ``70.1e6`` as text and ``2025-04-01`` as a date: both are checked here.
    """
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("null", "none", "~", "")):
        if spec.nullable:
            return None, None
        return None, f"expected a number in {spec.unit}, got nothing"
    if spec.unit == "flag":
        if isinstance(raw, bool):
            return float(raw), None
        if isinstance(raw, str) and raw.strip().lower() in ("true", "yes", "false", "no"):
            return float(raw.strip().lower() in ("true", "yes")), None
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return float(raw), None
        return None, f"expected true or false, got {raw!r}"
    if isinstance(raw, bool):
        return None, f"expected a number in {spec.unit}, got {str(raw).lower()}"
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str) and NUMBER.match(raw.strip().replace(",", "").replace("_", "")):
        value = float(raw.strip().replace(",", "").replace("_", ""))
    elif hasattr(raw, "isoformat"):
        return None, f"expected a number in {spec.unit}, got the date {raw.isoformat()}"
    else:
        return None, f"expected a number in {spec.unit}, got {raw!r}"
    if not math.isfinite(value):
        return None, f"expected a finite number in {spec.unit}, got {raw!r}"
    return value, bounds_error(value, spec)


def bounds_error(value: float, spec: lv.LeverSpec) -> str | None:
    if spec.integer and value != int(value):
        return f"expected a whole number of {spec.unit}, got {value:g}"
    if spec.minimum is not None and value < spec.minimum:
        if spec.minimum == 0 and spec.unit in lv.MONEY_UNITS:
            return f"negative cost {value:g}: costs are positive pounds (enter savings on their own levers)"
        return f"{value:g} is below the minimum {spec.minimum:g} {spec.unit} (expected {spec.bounds_text()})"
    if spec.maximum is not None and value > spec.maximum:
        hint = " (rates are fractions: 0.035, not 3.5)" if spec.unit.startswith("fraction") and spec.maximum == 1 else ""
        return f"{value:g} is above the maximum {spec.maximum:g} {spec.unit} (expected {spec.bounds_text()}){hint}"
    return None


def parse_record(key: str, record, where: str, sources: Mapping[str, object]) -> tuple[dict | None, list[Problem]]:
    """One lever record (a mapping with at least ``unit`` and ``value``) → the fields of a Lever, or problems."""
    spec = lv.spec_for(key)
    problems: list[Problem] = []

    def bad(msg):
        problems.append(Problem(where, key, msg))

    if not isinstance(record, Mapping):
        bad("expected a lever record with unit, value and source")
        return None, problems
    for f in record:
        if f not in RECORD_FIELDS:
            bad(f"unknown field {f!r}" + lv.suggest(str(f), list(RECORD_FIELDS)) + f"; expected {', '.join(RECORD_FIELDS)}")
    unit = record.get("unit")
    if unit is None:
        bad(f"missing unit (expected {spec.unit})")
    elif unit not in lv.UNITS:
        bad(f"unit {unit!r} is not in the vocabulary ({', '.join(lv.UNITS)})" + lv.suggest(str(unit), list(lv.UNITS)))
    elif unit != spec.unit:
        bad(f"unit {unit!r} does not match the catalogue: expected {spec.unit}")
    price_base = record.get("price_base")
    if spec.unit in lv.MONEY_UNITS:
        if price_base is None:
            bad("missing price_base (a money value needs the year of its prices)")
        elif isinstance(price_base, bool) or not isinstance(price_base, int):
            bad(f"price_base must be a year such as 2025, got {price_base!r}")
    basis = record.get("basis", "published")
    if basis not in BASES:
        bad(f"basis {basis!r} is not one of {', '.join(BASES)}")
    source = record.get("source")
    if source is not None and str(source) not in sources:
        bad(f"source {source!r} is not in sources.yaml" + lv.suggest(str(source), list(sources)))
    if basis == "judgement":
        if not record.get("reasoning"):
            bad("a judgement needs its reasoning (reasoning: …)")
    elif source is None:
        bad("missing source (a key into sources.yaml), or basis: judgement with its reasoning")
    if "value" not in record:
        bad("missing value (a number, or low / central / high)")
        return None, problems
    raw = record["value"]
    if isinstance(raw, Mapping):
        extra = set(raw) - {"low", "central", "high"}
        if extra or "central" not in raw:
            bad("value must be a number or a mapping of low, central, high"
                + (f"; unknown {', '.join(map(str, sorted(extra, key=str)))}" if extra else ""))
            return None, problems
        trio = {}
        for name in ("low", "central", "high"):
            v, err = coerce_value(raw.get(name, raw["central"]), spec)
            if err:
                bad(f"{name}: {err}")
            trio[name] = v
        if len(problems):
            return None, problems
        lo, mid, hi = trio["low"], trio["central"], trio["high"]
        if None in (lo, mid, hi) and not lo is mid is hi:
            bad("low, central and high must all be numbers or all be none")
            return None, problems
        if mid is not None and not (lo <= mid <= hi):
            bad(f"expected low <= central <= high, got {lo:g} / {mid:g} / {hi:g}")
            return None, problems
    else:
        v, err = coerce_value(raw, spec)
        if err:
            bad(err)
            return None, problems
        lo = mid = hi = v
    if problems:
        return None, problems
    fields = dict(key=key, label=str(record.get("label") or spec.label), unit=spec.unit, low=lo, central=mid, high=hi,
                  price_base=price_base if spec.unit in lv.MONEY_UNITS else None,
                  source=str(source) if source is not None else None, basis=basis,
                  reasoning=record.get("reasoning"), note=record.get("note"), where=where)
    return fields, problems


def check_rules(a: "Assumptions") -> list[Problem]:
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
