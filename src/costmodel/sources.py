"""The source register: every source with the levers citing it, and every figure that is a judgement."""
from __future__ import annotations

from .assumptions import Assumptions


def register(a: Assumptions) -> dict:
    """Sources (with the lever keys citing each) and judgements (with their reasoning), as plain data."""
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
    return {"fingerprint": a.fingerprint(), "sources": sources, "judgements": judgements, "catalogue_defaults": defaults}
