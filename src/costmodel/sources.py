"""The source register: every source with the levers citing it, every judgement, and every money lever
as published and in base-year prices.

``register(a)`` is the data of ``costmodel sources --format json``. For each money lever it gives
``as_published`` (the figure and its price year, as written in the assumption file),
``in_base_prices`` (the figure the engine costs, in ``appraisal.price_base_year`` prices) and the
``factor`` between them (``index[base year] / index[price year]`` at the central index values), with
the index used; every lever carries its basis and the URL or identifier of its source.
"""
from __future__ import annotations

from .assumptions import Assumptions
from .levers import MONEY_UNITS
from .prices import financial_year_label

PER = {"GBP": "", "GBP/yr": " a year", "GBP/week": " a week", "GBP/day": " a day"}


def register(a: Assumptions) -> dict:
    """Sources (with the lever keys citing each), judgements (with their reasoning), money levers converted, all levers."""
    cited: dict[str, list[str]] = {k: [] for k in a.sources}
    for key, lever in a.levers.items():
        if lever.source:
            cited[lever.source].append(key)
    sources = [{"key": s.key, "title": s.title, "publisher": s.publisher, "year": s.year, "url": s.url,
                "identifier": s.identifier, "section": s.section, "note": s.note, "levers": cited[s.key]}
               for s in a.sources.values()]
    judgements = [{"key": k, "label": l.label, "unit": l.unit, "central": l.central, "reasoning": l.reasoning,
                   "evidence": l.source} for k, l in a.levers.items() if l.basis == "judgement"]
    defaults = [k for k, l in a.levers.items() if l.is_default]
    return {"fingerprint": a.fingerprint(), "price_base_year": a.price_base_year, "sources": sources,
            "judgements": judgements, "catalogue_defaults": defaults, "money_levers": money_levers(a),
            "price_indices": price_indices(a), "levers": lever_provenance(a)}


def money_levers(a: Assumptions) -> list[dict]:
    """Every money lever: as published, in base-year prices, the factor (``catalogue_default``: not in the files, 0)."""
    raw = a.raw_values()
    plan = a.price_plan.levers
    out = []
    for key, lever in a.levers.items():
        if lever.unit not in MONEY_UNITS:
            continue
        f = a.price_factor(key, raw)
        index, year = plan.get(key, (None, a.price_base_year))
        source = a.sources.get(lever.source) if lever.source else None
        scale = lambda x: None if x is None else x * f  # noqa: E731
        out.append({
            "key": key, "label": lever.label, "unit": lever.unit, "basis": lever.basis, "source": lever.source,
            "catalogue_default": lever.is_default, "derivation": lever.derivation, "reasoning": lever.reasoning,
            "url": source.url if source else None, "identifier": source.identifier if source else None,
            "price_group": lever.spec.price_group, "index": index,
            "as_published": {"value": lever.central, "low": lever.low, "high": lever.high, "price_year": year,
                             "prices": financial_year_label(year)},
            "in_base_prices": {"value": scale(lever.central), "low": scale(lever.low), "high": scale(lever.high),
                               "price_year": a.price_base_year, "prices": financial_year_label(a.price_base_year)},
            "factor": f,
            "text": conversion_text(lever.central, year, scale(lever.central), a.price_base_year, lever.unit),
        })
    return out


def price_indices(a: Assumptions) -> dict:
    """The indices in use: which converts each price group, and each index's source and years."""
    indices = {}
    for key, index in a.prices.indices.items():
        years = {y: {"value": a.levers[f"prices.{key}.{y}"].central, "status": s} for y, s in sorted(index.years.items())}
        indices[key] = {"label": index.label, "source": index.source, "reference": index.reference,
                        "latest_outturn": index.latest_outturn, "years": years}
    return {"groups": dict(a.prices.groups), "indices": indices}


def lever_provenance(a: Assumptions) -> list[dict]:
    """Every lever given in the files (catalogue defaults left out): basis, source, URL, price year, why."""
    out = []
    for key, lever in a.levers.items():
        if lever.is_default:
            continue
        source = a.sources.get(lever.source) if lever.source else None
        out.append({"key": key, "unit": lever.unit, "basis": lever.basis, "source": lever.source,
                    "url": source.url if source else None, "identifier": source.identifier if source else None,
                    "price_year": lever.price_base, "derivation": lever.derivation, "reasoning": lever.reasoning,
                    "category": lever.category})
    return out


def money_text(value: float | None, unit: str) -> str:
    """``10_000_000, GBP`` → ``£10.0m``; ``7227.5, GBP/week`` → ``£7,228 a week``."""
    if value is None:
        return "none"
    text = f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"
    return text + PER.get(unit, "")


def conversion_text(published: float | None, year: int, base_value: float | None, base_year: int, unit: str) -> str:
    """``£10.0m (2016-17 prices) → £13.6m (2025-26 prices)``; one figure when the years match."""
    after = f"{money_text(base_value, unit)} ({financial_year_label(base_year)} prices)"
    if year == base_year:
        return after
    return f"{money_text(published, unit)} ({financial_year_label(year)} prices) → {after}"
