"""What the statistics say about one council (:class:`costmodel.council_statistics.CouncilStatistics`), filled
from the packaged extract: the latest published figure of each measure with its provenance, the documented
fallback where there is none (joint workforce returns, DfE symbols, an earlier year), the derived figures and
the Ofsted reading. The lookup of a council by name or code is here too, over the packaged council list.
"""
from __future__ import annotations

import functools

from ..council_statistics import CouncilStatistics, Figure, Inspection, apportion, derive, read_ofsted
from ..councils import FORMER_COUNCILS, CouncilRef, Match, find_council
from ..files import council_data
from ..files.council_reference import symbols
from ..files.vintage import data_vintage, source
from .measures import MEASURES, WORKFORCE, WORKFORCE_RATES, publication, reference

#: An earlier year stands in for a missing latest one only if it is at most this many years older.
EARLIER_YEARS = 2


@functools.lru_cache(maxsize=None)
def council_refs() -> tuple[CouncilRef, ...]:
    """The 153 current councils as :class:`CouncilRef` (ONS code, DfE code, name, region)."""
    c = council_data.councils()
    return tuple(CouncilRef(r.la_code, str(r.old_la_code), r.la_name, r.region) for r in c.itertuples())


def regions() -> list[str]:
    return sorted({c.region for c in council_refs()})


def find(query: str, where: str = "--council") -> Match:
    """The council ``query`` names (forgiving; see :func:`costmodel.councils.find_council`)."""
    return find_council(query, council_refs(), where=where, regions=regions())


@functools.lru_cache(maxsize=None)
def series() -> dict[tuple[str, str], dict[int, float]]:
    """``(code, measure) → {year: value}`` for every geography of the history file."""
    h = council_data.history()
    out: dict[tuple[str, str], dict[int, float]] = {}
    for code, measure, year, v in zip(h["la_code"].tolist(), h["measure"].tolist(), h["year"].astype(int).tolist(),
                                      h["value"].astype(float).tolist()):
        out.setdefault((code, measure), {})[year] = v
    return out


def value(code: str, measure: str, year: int) -> float | None:
    return series().get((code, measure), {}).get(year)


@functools.lru_cache(maxsize=None)
def _symbol_map() -> dict[tuple[str, int, str], tuple[str, str]]:
    s = symbols()
    return {(r.la_code, int(r.year), r.measure): (r.symbol, r.meaning) for r in s.itertuples()}


def symbol(code: str, year: int, measure: str) -> tuple[str, str] | None:
    """The DfE symbol (and its meaning) that replaced a council's figure, if one is recorded."""
    return _symbol_map().get((code, year, measure))


def latest_year(measure: str) -> int:
    return int(source(MEASURES[measure].source)["latest_year"])


@functools.lru_cache(maxsize=None)
def _joint_returns() -> dict[str, str]:
    c = council_data.councils()
    c = c[c["workforce_reported_by"].notna() & (c["workforce_reported_by"].astype(str).str.strip() != "")]
    return {r.la_code: str(r.workforce_reported_by).split(" (")[0].strip() for r in c.itertuples()}


def joint_return(code: str) -> str | None:
    """The code of the joint workforce return the council belongs to ("E09000021 / E09000027"), if any."""
    return _joint_returns().get(code)


def _figure(measure, value, year, code, status, note="") -> Figure:
    m = MEASURES[measure]
    return Figure(measure, m.label, value, m.unit, year, reference(measure, year), publication(measure), code,
                  status, note)


def _joint_figure(code: str, joint: str, measure: str, year: int) -> Figure:
    """A council's workforce figure from its joint return: the rate as it is, a count shared by children in need."""
    jv = value(joint, measure, year)
    members = [m.strip() for m in joint.split(" / ")]
    names = " and ".join(c.name for m in members for c in council_refs() if c.code == m)
    if jv is None:
        return _figure(measure, None, year, joint, "missing", f"the joint return of {names} has no figure")
    if measure in WORKFORCE_RATES:
        return _figure(measure, jv, year, joint, "joint_rate",
                       f"workforce returned jointly by {names} ({joint}): the joint service's rate")
    weights = {m: value(m, "children_in_need", year) for m in members}
    if any(w is None for w in weights.values()):
        return _figure(measure, None, year, joint, "missing",
                       f"joint return of {names}: children in need at 31 March {year} missing, cannot apportion")
    total = sum(weights.values())
    share = apportion(jv, weights[code], total)
    return _figure(measure, share, year, joint, "apportioned",
                   f"workforce returned jointly by {names} ({joint}): joint {jv:,.1f} x this council's "
                   f"{weights[code]:,.0f} of {total:,.0f} children in need at 31 March {year}")


def figure(code: str, measure: str) -> Figure:
    """The council's figure for ``measure`` in the latest release, or its documented fallback (module docstring)."""
    year = latest_year(measure)
    own = series().get((code, measure), {})
    if year in own:
        return _figure(measure, own[year], year, code, "published")
    joint = joint_return(code) if measure in WORKFORCE else None
    if joint:
        return _joint_figure(code, joint, measure, year)
    sym = symbol(code, year, measure)
    said = f"DfE symbol {sym[0]!r} for {year} ({sym[1]})" if sym else f"no figure for {year} in the release"
    if sym and sym[0] == "low":
        return _figure(measure, 0.0, year, code, "low", f"{said}: taken as 0")
    earlier = [y for y in own if year - EARLIER_YEARS <= y < year]
    if earlier and not (sym and sym[0] == "z"):
        y = max(earlier)
        money = " (cash prices of that year)" if MEASURES[measure].source == "S251" else ""
        return _figure(measure, own[y], y, code, "earlier_year", f"{said}: the council's {y} figure{money}")
    if sym and sym[0] in ("c", "z", "u"):
        return _figure(measure, None, year, code, "suppressed", f"{said}: give the council's own figure")
    last = f"; last published: {own[max(own)]:,.6g} for {max(own)}" if own else ""
    return _figure(measure, None, year, code, "missing",
                   f"{said} nor in the {EARLIER_YEARS} years before{last}: give the council's own figure "
                   "(no national average is used)")


@functools.lru_cache(maxsize=None)
def _inspections() -> dict[str, tuple[Inspection, ...]]:
    t = council_data.inspections().sort_values(["la_code", "insp_date"])
    out: dict[str, list[Inspection]] = {}
    for r in t.itertuples():
        out.setdefault(r.la_code, []).append(Inspection(r.la_code, r.la_name, r.insp_date.date().isoformat(),
                                                        r.pub_date.date().isoformat(), r.type, r.overall, int(r.grade)))
    return {k: tuple(v) for k, v in out.items()}


def inspections(code: str) -> list[Inspection]:
    """The council's ILACS inspections (oldest first) from ``ofsted_inspections.csv``."""
    return list(_inspections().get(code, ()))


def predecessor_inspections(code: str) -> list[Inspection]:
    """Inspections of the councils this one replaced (Northamptonshire for its two successors, …)."""
    out = []
    for f in FORMER_COUNCILS:
        if code in f.successors and f.code:
            out += inspections(f.code)
    return out


def _notes(figures: dict[str, Figure]) -> tuple[str, ...]:
    cin, csww, s251 = latest_year("children_in_need"), latest_year("social_worker_fte"), latest_year("s251_cla_gross_gbp")
    notes = [f"Children in need and looked after are at 31 March {cin}; the workforce at 30 September {csww} "
             f"(six months later); spend is financial year {s251 - 1}-{s251 % 100:02d} in cash prices of that year.",
             "Statuses other than 'published' are fallbacks documented in docs/council-data.md; none uses a "
             "national average."]
    for f in figures.values():
        if f.status != "published":
            notes.append(f"{f.label}: {f.status.replace('_', ' ')} — {f.note}.")
    return tuple(notes)


def council_statistics(query: str) -> CouncilStatistics:
    """The record for the council ``query`` names (a name, an ONS code or a DfE code)."""
    council = find(query).council
    figures = {m: figure(council.code, m) for m in MEASURES}
    v = data_vintage()
    return CouncilStatistics(council=council, figures=figures, derived=derive(figures, council.code),
                             ofsted=read_ofsted(inspections(council.code), predecessor_inspections(council.code)),
                             notes=_notes(figures),
                             vintage={"refreshed": v["refreshed"], "attribution": v["attribution"],
                                      "sources": {s["key"]: s["release"] for s in v["sources"]}})
