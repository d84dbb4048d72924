"""Validation of one lever record at a time: its fields, unit, price base, source and value.

Every check returns :class:`Problem` s (where, key, what was expected) rather than stopping at the
first, so ``costmodel validate`` can list them all. Used by :mod:`costmodel.assumptions` for files,
workbook Inputs sheets and ``--set`` overrides alike. No I/O happens here.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping

from . import levers as lv
from .errors import Problem

RECORD_FIELDS = ("label", "unit", "price_base", "value", "source", "basis", "derivation", "reasoning", "category", "note")
#: published: the figure as the source prints it; derived: computed from published figures (the
#: ``derivation:`` says how); judgement: chosen by the analyst (the ``reasoning:`` says why).
BASES = ("published", "derived", "judgement")


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
    if not isinstance(record, Mapping):
        return None, [Problem(where, key, "expected a lever record with unit, value and source")]
    spec = lv.spec_for(key)
    messages = metadata_problems(record, spec, sources, key)
    if "value" not in record:
        messages.append("missing value (a number, or low / central / high)")
        return None, [Problem(where, key, m) for m in messages]
    trio, value_messages = parse_value(record["value"], spec)
    messages += value_messages
    if messages:
        return None, [Problem(where, key, m) for m in messages]
    lo, mid, hi = trio
    source = record.get("source")
    fields = dict(key=key, label=str(record.get("label") or spec.label), unit=spec.unit, low=lo, central=mid, high=hi,
                  price_base=record.get("price_base") if spec.unit in lv.MONEY_UNITS else None,
                  source=str(source) if source is not None else None, basis=record.get("basis", "published"),
                  derivation=_text(record.get("derivation")), reasoning=_text(record.get("reasoning")),
                  category=_text(record.get("category")), note=_text(record.get("note")), where=where)
    return fields, []


def _text(value) -> str | None:
    return None if value is None else str(value)


def is_optimism_bias(key: str) -> bool:
    """An optimism-bias lever: ``options.<o>.<set_up|transitional|improvement>.optimism_bias``."""
    parts = key.split(".")
    return len(parts) == 4 and parts[0] == "options" and parts[2] in lv.ONE_OFF_PARTS and parts[3] == "optimism_bias"


def metadata_problems(record: Mapping, spec: lv.LeverSpec, sources: Mapping[str, object], key: str = "") -> list[str]:
    """What is wrong with a record's fields other than its value: unknown fields, unit, price base, basis, source."""
    out = []
    for f in record:
        if f not in RECORD_FIELDS:
            out.append(f"unknown field {f!r}" + lv.suggest(str(f), list(RECORD_FIELDS)) + f"; expected {', '.join(RECORD_FIELDS)}")
    unit = record.get("unit")
    if unit is None:
        out.append(f"missing unit (expected {spec.unit})")
    elif unit not in lv.UNITS:
        out.append(f"unit {unit!r} is not in the vocabulary ({', '.join(lv.UNITS)})" + lv.suggest(str(unit), list(lv.UNITS)))
    elif unit != spec.unit:
        out.append(f"unit {unit!r} does not match the catalogue: expected {spec.unit}")
    price_base = record.get("price_base")
    if spec.unit in lv.MONEY_UNITS:
        if price_base is None:
            out.append("missing price_base (a money value needs the year of its prices)")
        elif isinstance(price_base, bool) or not isinstance(price_base, int):
            out.append(f"price_base must be a year such as 2025, got {price_base!r}")
    basis = record.get("basis", "published")
    if basis not in BASES:
        out.append(f"basis {basis!r} is not one of {', '.join(BASES)}")
    source = record.get("source")
    if source is not None and str(source) not in sources:
        out.append(f"source {source!r} is not in sources.yaml" + lv.suggest(str(source), list(sources)))
    if basis == "judgement":
        if not record.get("reasoning"):
            out.append("a judgement needs its reasoning (reasoning: …)")
    elif source is None:
        out.append("missing source (a key into sources.yaml), or basis: judgement with its reasoning")
    if basis == "derived" and not record.get("derivation"):
        out.append("a derived figure needs its derivation (derivation: how it was computed from the source)")
    category = record.get("category")
    if category is not None:
        if not is_optimism_bias(key):
            out.append("category is for optimism-bias levers only (the Green Book category of the one-off cost)")
        elif str(category) not in lv.OB_CATEGORIES:
            out.append(f"category {category!r} is not a Green Book optimism-bias category ({', '.join(lv.OB_CATEGORIES)})"
                       + lv.suggest(str(category), list(lv.OB_CATEGORIES)))
    return out


def parse_value(raw, spec: lv.LeverSpec) -> tuple[tuple | None, list[str]]:
    """A record's ``value`` (a number, or low / central / high) → ``(low, central, high)``, or what is wrong."""
    if not isinstance(raw, Mapping):
        v, err = coerce_value(raw, spec)
        return ((v, v, v), []) if not err else (None, [err])
    extra = set(raw) - {"low", "central", "high"}
    if extra or "central" not in raw:
        return None, ["value must be a number or a mapping of low, central, high"
                      + (f"; unknown {', '.join(map(str, sorted(extra, key=str)))}" if extra else "")]
    trio, out = [], []
    for name in ("low", "central", "high"):
        v, err = coerce_value(raw.get(name, raw["central"]), spec)
        if err:
            out.append(f"{name}: {err}")
        trio.append(v)
    if out:
        return None, out
    lo, mid, hi = trio
    if None in trio and not lo is mid is hi:
        return None, ["low, central and high must all be numbers or all be none"]
    if mid is not None and not (lo <= mid <= hi):
        return None, [f"expected low <= central <= high, got {lo:g} / {mid:g} / {hi:g}"]
    return (lo, mid, hi), []
