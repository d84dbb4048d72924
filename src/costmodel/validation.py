"""Validation of one lever record at a time: its fields, unit, price base, source and value.

Every check returns :class:`Problem` s (where, key, what was expected) rather than stopping at the
first, so ``costmodel validate`` can list them all. Used by :mod:`costmodel.assumptions` for files,
workbook Inputs sheets and ``--set`` overrides alike. No I/O happens here.
"""
from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping

import numpy as np

from . import levers as lv
from .errors import Problem

RECORD_FIELDS = ("label", "unit", "price_base", "value", "source", "basis", "derivation", "reasoning", "category", "note")
TEXT_FIELDS = ("label", "unit", "source", "basis", "derivation", "reasoning", "category", "note")
#: published: the figure as the source prints it; derived: computed from published figures (the
#: ``derivation:`` says how); judgement: chosen by the analyst (the ``reasoning:`` says why).
BASES = ("published", "derived", "judgement")
CORRELATION_FIELDS = ("levers", "rho", "reason")


def shown(raw) -> str:
    """A short, safe rendering of a value for a message: never the whole of a huge list or mapping."""
    if isinstance(raw, Mapping):
        return "a mapping"
    if isinstance(raw, (list, tuple, set)):
        return "a list"
    return reprlib.repr(raw) if isinstance(raw, str) else repr(raw)[:60]


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
        return None, f"expected true or false, got {shown(raw)}"
    if isinstance(raw, bool):
        return None, f"expected a number in {spec.unit}, got {str(raw).lower()}"
    if isinstance(raw, (int, float)):
        value = float(raw) if not isinstance(raw, int) or abs(raw) < 10**308 else math.inf
    elif isinstance(raw, str) and NUMBER.match(raw.strip().replace(",", "").replace("_", "")):
        value = float(raw.strip().replace(",", "").replace("_", ""))
    elif hasattr(raw, "isoformat"):
        return None, f"expected a number in {spec.unit}, got the date {raw.isoformat()}"
    else:
        return None, f"expected a number in {spec.unit}, got {shown(raw)}"
    if not math.isfinite(value):
        return None, f"expected a finite number in {spec.unit}, got {shown(raw)}"
    return value, bounds_error(value, spec)


def bounds_error(value: float, spec: lv.LeverSpec) -> str | None:
    if spec.integer and value != int(value):
        return f"expected a whole number of {spec.unit}, got {value:g}"
    lo, hi = spec.limits
    if value < lo:
        if lo == 0 and spec.unit in lv.MONEY_UNITS:
            return f"negative cost {value:g}: costs are positive pounds (enter savings on their own levers)"
        return f"{value:g} is below the minimum {lo:g} {spec.unit} (expected {spec.bounds_text()})"
    if value > hi:
        hint = " (rates are fractions: 0.035, not 3.5)" if spec.unit.startswith("fraction") and hi == 1 else ""
        return f"{value:g} is above the maximum {hi:g} {spec.unit} (expected {spec.bounds_text()}){hint}"
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


def metadata_problems(record: Mapping, spec: lv.LeverSpec, sources: Mapping[str, object], key: str) -> list[str]:
    """What is wrong with a record's fields other than its value: unknown fields, unit, price base, basis, source."""
    return [message for _, message in field_problems(record, spec, sources, key)]


def field_problems(record: Mapping, spec: lv.LeverSpec, sources: Mapping[str, object], key: str) -> list[tuple[str, str]]:
    """Like :func:`metadata_problems`, each message with the field it is about (for the workbook's cell)."""
    out = []
    for f in record:
        if f not in RECORD_FIELDS:
            out.append((str(f), f"unknown field {shown(f)}" + lv.suggest(str(f), list(RECORD_FIELDS))
                        + f"; expected {', '.join(RECORD_FIELDS)}"))
    wrong = {f for f in TEXT_FIELDS if record.get(f) is not None and not isinstance(record[f], str)}
    out += [(f, f"{f} must be text, got {shown(record[f])}") for f in TEXT_FIELDS if f in wrong]
    unit = record.get("unit")
    if unit is None:
        out.append(("unit", f"missing unit (expected {spec.unit})"))
    elif "unit" in wrong:
        pass
    elif unit not in lv.UNITS:
        out.append(("unit", f"unit {shown(unit)} is not in the vocabulary ({', '.join(lv.UNITS)})" + lv.suggest(unit, list(lv.UNITS))))
    elif unit != spec.unit:
        out.append(("unit", f"unit {unit!r} does not match the catalogue: expected {spec.unit}"))
    price_base = record.get("price_base")
    if spec.unit in lv.MONEY_UNITS:
        if price_base is None:
            out.append(("price_base", "missing price_base (a money value needs the year of its prices)"))
        elif isinstance(price_base, bool) or not isinstance(price_base, int):
            out.append(("price_base", f"price_base must be a year such as 2025, got {shown(price_base)}"))
    basis = record.get("basis", "published")
    if "basis" not in wrong and basis not in BASES:
        out.append(("basis", f"basis {shown(basis)} is not one of {', '.join(BASES)}"))
    source = record.get("source")
    if source is not None and "source" not in wrong and source not in sources:
        out.append(("source", f"source {shown(source)} is not in sources.yaml" + lv.suggest(source, list(sources))))
    if basis == "judgement":
        if not record.get("reasoning"):
            out.append(("reasoning", "a judgement needs its reasoning (reasoning: …)"))
    elif source is None:
        out.append(("source", "missing source (a key into sources.yaml), or basis: judgement with its reasoning"))
    if basis == "derived" and not record.get("derivation"):
        out.append(("derivation", "a derived figure needs its derivation (derivation: how it was computed from the source)"))
    category = record.get("category")
    if category is not None and "category" not in wrong:
        if not is_optimism_bias(key):
            out.append(("category", "category is for optimism-bias levers only (the Green Book category of the one-off cost)"))
        elif category not in lv.OB_CATEGORIES:
            out.append(("category", f"category {category!r} is not a Green Book optimism-bias category "
                                    f"({', '.join(lv.OB_CATEGORIES)})" + lv.suggest(category, list(lv.OB_CATEGORIES))))
    return out


def parse_value(raw, spec: lv.LeverSpec) -> tuple[tuple | None, list[str]]:
    """A record's ``value`` (a number, or low / central / high) → ``(low, central, high)``, or what is wrong."""
    if not isinstance(raw, Mapping):
        v, err = coerce_value(raw, spec)
        return ((v, v, v), []) if not err else (None, [err])
    extra = set(raw) - {"low", "central", "high"}
    if extra or "central" not in raw:
        return None, ["value must be a number or a mapping of low, central, high"
                      + (f"; unknown {', '.join(map(shown, sorted(extra, key=str)))}" if extra else "")]
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


def correlation_problems(raw, levers: Mapping[str, object], where: str = "scenarios.yaml") -> list[Problem]:
    """What is wrong with the ``correlations:`` declared in scenarios.yaml (validate and montecarlo use this one check).

    Each entry is ``{levers: [KEY, KEY], rho: NUMBER, reason: TEXT}`` with two different, known, drawable
    levers and ``-1 < rho < 1``; together the rank correlations among ranged levers must be consistent
    (their normal-score matrix positive definite), or no sample can have them.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        return [Problem(where, "correlations", "expected a list of {levers: [KEY, KEY], rho: NUMBER, reason: TEXT}, "
                                               f"got {shown(raw)}")]
    problems, pairs = [], []
    for n, item in enumerate(raw):
        line = getattr(item, "lines", {}).get("levers") if isinstance(item, Mapping) else None
        at, tag = (f"{where}:{line}" if line else f"{where} correlations"), f"correlations entry {n + 1}"
        if not isinstance(item, Mapping) or set(item) - set(CORRELATION_FIELDS) or "levers" not in item or "rho" not in item:
            problems.append(Problem(at, tag, "expected {levers: [KEY, KEY], rho: NUMBER, reason: TEXT}"))
            continue
        keys, rho = item["levers"], item["rho"]
        if not (isinstance(keys, list) and len(keys) == 2 and all(isinstance(k, str) for k in keys) and keys[0] != keys[1]):
            problems.append(Problem(at, tag, "levers must be a list of two different lever keys"))
            continue
        if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not -1 < rho < 1:  # (no float(): 10**400)
            problems.append(Problem(at, tag, f"rho must be a number strictly between -1 and 1, got {shown(rho)}"))
            continue
        if item.get("reason") is not None and not isinstance(item["reason"], str):
            problems.append(Problem(at, tag, f"reason must be text, got {shown(item['reason'])}"))
        bad = False
        for k in keys:
            if k not in levers:
                problems.append(Problem(at, k, "unknown lever key" + lv.suggest(k, list(levers))))
                bad = True
            elif levers[k].spec.structural or levers[k].unit == "flag":
                problems.append(Problem(at, k, "is structural or a flag: it is never drawn, so it cannot be correlated"))
                bad = True
        if not bad:
            pairs.append((keys[0], keys[1], float(rho)))
    if problems or not pairs:
        return problems
    return _consistency(pairs, levers, where)


def _consistency(pairs: list[tuple[str, str, float]], levers: Mapping[str, object], where: str) -> list[Problem]:
    """The rank correlations among ranged levers must make a positive-definite normal-score matrix."""
    ranged = sorted({k for a, b, _ in pairs for k in (a, b) if levers[k].low is not None and levers[k].low != levers[k].high})
    index = {k: i for i, k in enumerate(ranged)}
    R = np.eye(len(ranged))
    for a, b, rho in pairs:
        if a in index and b in index:
            R[index[a], index[b]] = R[index[b], index[a]] = rho
    pearson = 2.0 * np.sin(np.pi * R / 6.0)  # normal scores' correlation giving Spearman rho
    np.fill_diagonal(pearson, 1.0)
    if ranged and np.linalg.eigvalsh(pearson).min() <= 1e-10:
        return [Problem(f"{where} correlations", "correlations", "the declared correlations are not consistent "
                        "(the matrix is not positive definite): lower some rho values")]
    return []


def dropped_correlations(raw, levers: Mapping[str, object]) -> list[Problem]:
    """A warning for each declared correlation left out because ``--set`` or a scenario fixed one of its levers.

    A lever fixed at one value is not drawn, so it cannot co-vary: the sampler leaves the pair out.
    """
    out = []
    for item in raw if isinstance(raw, list) else []:
        keys = item.get("levers") if isinstance(item, Mapping) else None
        if not (isinstance(keys, list) and len(keys) == 2):
            continue
        for k, other in (keys, keys[::-1]):
            lever = levers.get(k) if isinstance(k, str) else None
            where = getattr(lever, "where", "")
            if lever is not None and lever.low == lever.high and (where == "--set" or where.startswith("scenario ")):
                out.append(Problem(where, k, f"fixed at one value, so its correlation with {other} (rho {item.get('rho')}, "
                                             "scenarios.yaml) is left out of the draws"))
    return out
