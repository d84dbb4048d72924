"""``prices.yaml``: the price indices that convert money levers to base-year prices, and who uses which.

The file has two sections::

    groups:                       # which index converts the money levers of each price group
      general: gdp_deflator
      pay: gdp_deflator
      placements: gdp_deflator
    indices:
      gdp_deflator:
        label: GDP deflator at market prices, financial years
        source: hmt_gdp_deflators_2026_03     # a key into sources.yaml (publisher, vintage, URL)
        reference: 2024-25 = 100
        years:                                # financial years, 2016 = 2016-17; consecutive
          2016: {value: 76.0754, status: outturn}
          2025:
            status: forecast
            value: {low: 102.72, central: 103.2388, high: 103.76}
            derivation: OBR forecast growth applied to 2024-25; range ...

Each year becomes the lever ``prices.<index>.<year>`` (unit ``index``): an outturn year is
``basis: published``; a forecast year is ``basis: derived`` and needs its ``derivation`` (and may
carry low / central / high, which Monte Carlo draws). A folder without ``prices.yaml`` uses the
bundled one (and the bundled sources it cites).
"""
from __future__ import annotations

from typing import Mapping

from ..errors import Problem
from ..prices import GROUPS, STATUSES, PriceIndex, PriceSettings, financial_year_label, index_key

INDEX_FIELDS = ("label", "source", "reference", "note", "years")
YEAR_FIELDS = ("value", "status", "basis", "derivation", "reasoning", "note")


def parse_prices(data, where_of, problems: list[Problem], sources=None) -> tuple[PriceSettings, list[tuple[str, dict, str]]]:
    """``prices.yaml`` data → the settings and one lever record per index year ``(key, record, where)``.

    ``where_of(mapping, key)`` gives ``prices.yaml:LINE`` for a key of a mapping; an index whose
    source is not in ``sources`` (when given) is one problem, not one a year.
    """
    if not isinstance(data, Mapping):
        problems.append(Problem("prices.yaml", "", "expected sections groups and indices"))
        return PriceSettings(), []
    for k in data:
        if k not in ("groups", "indices"):
            problems.append(Problem(where_of(data, k), str(k), "unknown section: expected groups and indices"))
    groups = _groups(data.get("groups") or {}, where_of, problems)
    indices: dict[str, PriceIndex] = {}
    records: list[tuple[str, dict, str]] = []
    body = data.get("indices") or {}
    if not isinstance(body, Mapping) or not body:
        problems.append(Problem(where_of(data, "indices"), "indices", "expected at least one price index"))
        return PriceSettings({}, groups), []
    for key, spec in body.items():
        if sources is not None and isinstance(spec, Mapping) and spec.get("source") and str(spec["source"]) not in sources:
            problems.append(Problem(where_of(body, key), f"prices.indices.{key}.source",
                                    f"source {spec['source']!r} is not in sources.yaml"))
            continue
        index, recs = _index(str(key), spec, where_of(body, key), where_of, problems)
        if index is not None:
            indices[index.key] = index
            records += recs
    return PriceSettings(indices, groups), records


def _groups(raw, where_of, problems) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        problems.append(Problem("prices.yaml", "groups", f"expected a mapping of {', '.join(GROUPS)} to an index"))
        return {}
    out = {}
    for group, index in raw.items():
        if group not in GROUPS:
            problems.append(Problem(where_of(raw, group), f"prices.groups.{group}", f"unknown price group: expected {', '.join(GROUPS)}"))
            continue
        out[str(group)] = str(index)
    if "general" not in out:
        problems.append(Problem("prices.yaml", "prices.groups.general", "missing: the index for money levers of no other group"))
    return out


def _index(key: str, spec, where: str, where_of, problems) -> tuple[PriceIndex | None, list]:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("years"), Mapping) or not spec.get("source"):
        problems.append(Problem(where, f"prices.indices.{key}", "expected label, source (a key into sources.yaml), reference and years"))
        return None, []
    for f in spec:
        if f not in INDEX_FIELDS:
            problems.append(Problem(where, f"prices.indices.{key}.{f}", f"unknown field: expected {', '.join(INDEX_FIELDS)}"))
    label = str(spec.get("label") or key)
    years: dict[int, str] = {}
    records = []
    for year, entry in spec["years"].items():
        at = where_of(spec["years"], year)
        rec = _year_record(key, label, str(spec["source"]), year, entry, at, problems)
        if rec is not None:
            years[int(rec.pop("year"))] = rec.pop("status")
            records.append((index_key(key, int(year)), rec, at))
    if years and sorted(years) != list(range(min(years), max(years) + 1)):
        problems.append(Problem(where, f"prices.indices.{key}.years", "years must be consecutive financial years"))
    index = PriceIndex(key=key, label=label, source=str(spec["source"]), reference=str(spec.get("reference") or ""),
                       note=str(spec.get("note") or ""), years=years)
    return index, records


def _year_record(key, label, source, year, entry, where, problems) -> dict | None:
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        problems.append(Problem(where, f"prices.{key}.{year}", "expected a financial year such as 2016 (for 2016-17)"))
        return None
    if not isinstance(entry, Mapping) or entry.get("status") not in STATUSES:
        problems.append(Problem(where, f"prices.{key}.{year}", f"expected value and status ({' or '.join(STATUSES)})"))
        return None
    for f in entry:
        if f not in YEAR_FIELDS:
            problems.append(Problem(where, f"prices.{key}.{year}.{f}", f"unknown field: expected {', '.join(YEAR_FIELDS)}"))
    rec = {f: entry[f] for f in YEAR_FIELDS if f in entry}
    rec.update(unit="index", source=source, label=f"{label}, {financial_year_label(year)} ({entry['status']})")
    rec.setdefault("basis", "published" if entry["status"] == "outturn" else "derived")
    rec["year"] = year
    return rec


def prices_tree(a) -> dict:
    """The assumption set's price settings and index levers as the data of ``prices.yaml``."""
    indices = {}
    for key, index in a.prices.indices.items():
        years = {}
        for year, status in sorted(index.years.items()):
            lever = a.levers[index_key(key, year)]
            entry: dict = {"value": _value(lever), "status": status}
            if lever.basis != ("published" if status == "outturn" else "derived"):
                entry["basis"] = lever.basis
            for f in ("derivation", "reasoning", "note"):
                if getattr(lever, f):
                    entry[f] = getattr(lever, f)
            years[year] = entry
        indices[key] = {"label": index.label, "source": index.source, "reference": index.reference}
        if index.note:
            indices[key]["note"] = index.note
        indices[key]["years"] = years
    return {"groups": dict(a.prices.groups), "indices": indices}


def _value(lever):
    plain = lambda v: int(v) if float(v).is_integer() else float(v)  # noqa: E731
    if not lever.is_range:
        return plain(lever.central)
    return {"low": plain(lever.low), "central": plain(lever.central), "high": plain(lever.high)}
