"""The councils the packaged statistics cover, with a few headline figures each: what ``costmodel councils`` lists.

Figures are the councils' latest (the same as :func:`~costmodel.evidence.council_record.figure` gives, so a
joint workforce return or a missing year shows the documented fallback, and the ``note`` column says which).
"""
from __future__ import annotations

import re

import pandas as pd

from ..councils import find_region, search
from ..files.vintage import data_vintage, vintage_line
from .council_record import council_refs, figure, inspections, latest_year, regions, series
from .measures import reference

COLUMNS = ("children_in_need", "children_looked_after", "social_worker_fte", "agency_rate_pct",
           "caseload_per_case_holder")
OFSTED = {"outstanding": 1, "good": 2, "requires-improvement": 3, "inadequate": 4}


def references() -> dict[str, str]:
    """Which date each listed figure refers to."""
    refs = {m: reference(m, latest_year(m)) for m in COLUMNS}
    ofsted = next(s for s in data_vintage()["sources"] if s["key"] == "OFSTED")
    return refs | {"ofsted": f"latest ILACS inspection, {ofsted['release']}"}


SHORT = {"children_in_need": "children in need", "children_looked_after": "looked after",
         "social_worker_fte": "social workers", "agency_rate_pct": "agency rate", "caseload_per_case_holder": "caseload"}


def _note(figs: dict) -> str:
    """One short note per kind of fallback: "social workers, caseload: 2024 figure (DfE 'x' for 2025)"."""
    groups: dict[str, list[str]] = {}
    for m, f in figs.items():
        if f.status == "published":
            continue
        sym = re.search(r"DfE symbol ('[^']+')", f.note)
        said = f"DfE {sym.group(1)}" if sym else "none published"
        what = {"joint_rate": f"joint return {f.council_code} (FTE shared by children in need, rates of the joint "
                              "service)",
                "apportioned": f"joint return {f.council_code} (FTE shared by children in need, rates of the joint "
                               "service)",
                "earlier_year": f"{f.year} figure ({said} for {latest_year(m)})",
                "low": "DfE 'low': rounds to zero, shown as 0",
                "suppressed": f"no figure ({said})",
                "missing": f"no figure since {max(own)}" if (own := series().get((f.council_code, m))) else
                           "no figure"}[f.status]
        groups.setdefault(what, []).append(SHORT[m])
    return "; ".join(f"{', '.join(ms)}: {what}" for what, ms in groups.items())


def _row(c) -> dict:
    figs = {m: figure(c.code, m) for m in COLUMNS}
    insp = inspections(c.code)
    latest = insp[-1] if insp else None
    return {"code": c.code, "dfe_code": c.dfe_code, "name": c.name, "region": c.region,
            "ofsted_judgement": latest.judgement if latest else None,
            "ofsted_grade": latest.grade if latest else None,
            "ofsted_inspection_date": latest.date if latest else None,
            **{m: f.value for m, f in figs.items()},
            "note": _note(figs)}


def council_list(region: str | None = None, text: str | None = None, ofsted: str | None = None) -> pd.DataFrame:
    """The councils (by name) in ``region`` whose name or code contains ``text``, with the Ofsted judgement asked."""
    refs = list(council_refs())
    if region:
        wanted = find_region(region, regions())
        refs = [c for c in refs if c.region == wanted]
    if text:
        refs = search(text, refs)
    rows = [_row(c) for c in refs]
    if ofsted:
        rows = [r for r in rows if r["ofsted_grade"] == OFSTED[ofsted]]
    cols = ["code", "dfe_code", "name", "region", "ofsted_judgement", "ofsted_grade", "ofsted_inspection_date",
            *COLUMNS, "note"]
    df = pd.DataFrame(rows, columns=cols).sort_values("name").reset_index(drop=True)
    return df.astype({"ofsted_grade": "Int64", "children_in_need": "Int64", "children_looked_after": "Int64"})


def listing_header() -> list[str]:
    """The lines that go with any listing: what date each figure is for, the vintage, the attribution."""
    r = references()
    return [f"Children in need and looked after {r['children_in_need']}; social workers, agency rate and caseload "
            f"{r['social_worker_fte']}; Ofsted: {r['ofsted']}.", vintage_line(), data_vintage()["attribution"]]
