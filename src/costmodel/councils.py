"""Find an English council from what a person types: its name however spelt, its ONS code or its DfE code.

Pure: the caller gives the list of current councils (:class:`CouncilRef`, read from the packaged statistics
by ``costmodel.evidence``). Matching forgives case, punctuation, ``&`` for "and", "St." for "Saint", the
designations councils add to their names ("City of", "Council", "London Borough of", "County" in "County
Durham", the DfE's "Bristol, City of" order), ONS codes (``E06000001``) and DfE three-digit codes (``805``),
including codes an unchanged area used before (Buckinghamshire's county code ``E10000002``). It never guesses:
a name that matches no council, or several, is a :class:`~costmodel.errors.CostmodelError` listing the closest
ones; a council that no longer exists (Northamptonshire, Cumbria, Bournemouth, Poole, Dorset County Council)
is an error naming the councils that replaced it.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .errors import CostmodelError


@dataclass(frozen=True)
class CouncilRef:
    """One current upper-tier council: ONS code, DfE three-digit code, name as DfE publishes it, region."""

    code: str
    dfe_code: str
    name: str
    region: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.code}, DfE {self.dfe_code})"


@dataclass(frozen=True)
class FormerCouncil:
    """A children's services authority abolished by reorganisation, and the councils that took its area."""

    code: str
    dfe_code: str
    name: str
    ended: str
    successors: tuple[str, ...]
    note: str = ""
    region: str = ""


@dataclass(frozen=True)
class Match:
    """The council found, how it was found, and anything the user should know (an old code, a region)."""

    council: CouncilRef
    how: str
    note: str = ""


#: Councils abolished since the ILACS inspections began (2018) or whose codes appear in the statistics,
#: with their successors (ONS codes). Source: the packaged data README ("Boundary changes"); ONS code history.
FORMER_COUNCILS = (
    FormerCouncil("E06000028", "837", "Bournemouth", "1 April 2019", ("E06000058",), region="South West"),
    FormerCouncil("E06000029", "836", "Poole", "1 April 2019", ("E06000058",), region="South West"),
    FormerCouncil("E10000009", "835", "Dorset County Council", "1 April 2019", ("E06000059", "E06000058"),
                  "Christchurch moved to Bournemouth, Christchurch and Poole, so the Dorset council of 2019 on "
                  "covers a different area", "South West"),
    FormerCouncil("E10000021", "928", "Northamptonshire", "1 April 2021", ("E06000061", "E06000062"),
                  "one children's trust serves both successors and their workforce is returned jointly", "East Midlands"),
    FormerCouncil("E10000006", "909", "Cumbria", "1 April 2023", ("E06000063", "E06000064"), region="North West"),
    FormerCouncil("", "", "Bedfordshire", "1 April 2009", ("E06000055", "E06000056")),
    FormerCouncil("", "", "Cheshire", "1 April 2009", ("E06000049", "E06000050")),
)

#: ONS codes an unchanged area used before (the statistics are harmonised to the current code).
CODE_ALIASES = {
    "E10000002": ("E06000060", "Buckinghamshire's county council code, to March 2020"),
    "E10000023": ("E06000065", "North Yorkshire's county council code, to March 2023"),
    "E10000027": ("E06000066", "Somerset's county council code, to March 2023"),
    "E08000038": ("E08000016", "Barnsley's code after the 2024 boundary change"),
    "E08000039": ("E08000019", "Sheffield's code after the 2024 boundary change"),
}

#: Short names people use that are not a shortening of the official one.
NAME_ALIASES = {
    "bcp": "E06000058", "banes": "E06000022", "b and nes": "E06000022", "rbkc": "E09000020",
    "lbhf": "E09000013",
}

_LEADING = ("council of the ", "council of ", "the ", "royal borough of ", "london borough of ", "metropolitan borough of ", "borough of ",
            "city and county of ", "city of ", "county of ", "county ", "lb ", "rb ")
_TRAILING = (" metropolitan borough council", " borough council", " county council", " city council",
             " district council", " unitary authority", " council", " corporation", " mbc", " borough", " city")
_PROTECTED = {"city of london"}  # "City of London" is the council's name, not a designation


def normalise(text: str) -> str:
    """Lower case, ``&`` → "and", "St." → "saint", punctuation gone, "Bristol, City of" → "city of bristol"."""
    s = str(text).strip().lower().replace("’", "'").replace("&", " and ")
    m = re.fullmatch(r"(.+),\s*(city|county) of", s)
    if m:
        s = f"{m.group(2)} of {m.group(1)}"
    s = re.sub(r"[.,'()\-/_–—]", " ", s)
    words = ["saint" if w == "st" else w for w in s.split()]
    return " ".join(words)


def core_name(key: str) -> str:
    """A normalised name without the designations councils add ("London Borough of", "City Council", …)."""
    changed = True
    while changed and key not in _PROTECTED:
        changed = False
        for trail in _TRAILING:
            if key.endswith(trail) and len(key) > len(trail) and key not in _PROTECTED:
                key, changed = key[: -len(trail)], True
        for lead in _LEADING:
            if key.startswith(lead) and len(key) > len(lead) and key not in _PROTECTED:
                key, changed = key[len(lead):], True
    return key


def _keys(name: str) -> set[str]:
    full = normalise(name)
    return {full, core_name(full)}


def _closest(query: str, councils, n: int = 5) -> list[CouncilRef]:
    """The councils whose names look most like ``query`` (for error messages)."""
    key = core_name(normalise(query))
    scored = []
    for c in councils:
        ck = core_name(normalise(c.name))
        ratio = difflib.SequenceMatcher(None, key, ck).ratio()
        if key and (key in ck or ck in key):
            ratio = max(ratio, 0.8)
        scored.append((-ratio, c.name, c))
    return [c for _, _, c in sorted(scored)[:n]]


def _listing(councils) -> str:
    return "; ".join(c.label() for c in councils)


def _former_error(where: str, query: str, former: FormerCouncil, by_code: dict) -> CostmodelError:
    succ = [by_code[s].label() if s in by_code else s for s in former.successors]
    ident = ", ".join(x for x in (former.code, f"DfE {former.dfe_code}" if former.dfe_code else "") if x)
    return CostmodelError(
        f"{where} {query!r}: {former.name}{f' ({ident})' if ident else ''} no longer exists; it was replaced on "
        f"{former.ended} by {' and '.join(succ)}" + (f" ({former.note})" if former.note else "")
        + f". Give {'one of those' if len(succ) > 1 else 'that council'} instead.")


def _by_code(query: str, councils, where: str) -> Match | None:
    q = query.strip().upper()
    by_code = {c.code: c for c in councils}
    by_dfe = {c.dfe_code: c for c in councils}
    if re.fullmatch(r"E\d{8}", q):
        if q in by_code:
            return Match(by_code[q], "ONS code")
        if q in CODE_ALIASES:
            new, what = CODE_ALIASES[q]
            return Match(by_code[new], "earlier ONS code", f"{q} is {what}; its current code is {new}")
        for f in FORMER_COUNCILS:
            if f.code == q:
                raise _former_error(where, query, f, by_code)
        raise CostmodelError(f"{where} {query!r}: no English council has that ONS code. List them with "
                             "`costmodel councils`.")
    if re.fullmatch(r"\d{3}", q):
        if q in by_dfe:
            return Match(by_dfe[q], "DfE code")
        for f in FORMER_COUNCILS:
            if f.dfe_code == q:
                raise _former_error(where, query, f, by_code)
        raise CostmodelError(f"{where} {query!r}: no English council has that DfE code. List them with "
                             "`costmodel councils`.")
    return None


def _by_words(key: str, councils) -> list[CouncilRef]:
    """Councils whose name holds every word typed (a word of four letters or more may be the start of one)."""
    words = [w for w in key.split() if w != "and"]
    hits = []
    for c in councils:
        theirs = normalise(c.name).split()
        if words and all(w in theirs or (len(w) >= 4 and any(t.startswith(w) for t in theirs)) for w in words):
            hits.append(c)
    return hits


def find_council(query: str, councils, where: str = "--council", regions=()) -> Match:
    """The one current council ``query`` names, or a :class:`CostmodelError` listing the closest matches."""
    councils = list(councils)
    if not str(query).strip():
        raise CostmodelError(f"{where}: give a council name, an ONS code (E08000017) or a DfE code (371)")
    found = _by_code(str(query), councils, where)
    if found:
        return found
    key = normalise(query)
    core = core_name(key)
    by_code = {c.code: c for c in councils}
    exact = [c for c in councils if key == normalise(c.name)]
    if len(exact) == 1:
        return Match(exact[0], "name")
    same = [c for c in councils if core in _keys(c.name) or key in _keys(c.name)]
    if len(same) == 1:
        return Match(same[0], "name")
    for f in FORMER_COUNCILS:
        if not same and core in _keys(f.name):
            raise _former_error(where, query, f, by_code)
    if core in NAME_ALIASES and NAME_ALIASES[core] in by_code:
        return Match(by_code[NAME_ALIASES[core]], "common name")
    if any(core == normalise(r) for r in regions):
        raise CostmodelError(f"{where} {query!r} is a region, not a council: pick one of its councils "
                             f"(`costmodel councils --region {query!r}`)")
    hits = same or _by_words(core, councils)
    if len(hits) == 1:
        return Match(hits[0], "part of the name")
    if hits:
        raise CostmodelError(f"{where} {query!r} matches {len(hits)} councils: {_listing(hits[:8])}"
                             f"{' …' if len(hits) > 8 else ''}. Give more of the name, or a code.")
    raise CostmodelError(f"{where} {query!r}: no English council of that name; closest: "
                         f"{_listing(_closest(query, councils))}. List them with `costmodel councils --search TEXT`.")


def search(text: str, councils) -> list[CouncilRef]:
    """Councils whose name, or ONS or DfE code, contains ``text`` (forgiving, as :func:`find_council`)."""
    q = str(text).strip()
    if not q:
        return list(councils)
    key, up = core_name(normalise(q)), q.upper()
    out = []
    for c in councils:
        names = normalise(c.name)
        if up in (c.code, c.dfe_code) or key in names or key in core_name(names) or c in _by_words(key, [c]):
            out.append(c)
    return out


def find_region(text: str, regions) -> str:
    """The one region ``text`` names ("yorkshire", "north-west", "East Midlands"), else a CostmodelError."""
    regions = sorted(set(regions))
    key = normalise(text)
    exact = [r for r in regions if normalise(r) == key]
    hits = exact or [r for r in regions if all(w in normalise(r).split() for w in key.split() if w != "and")]
    if len(hits) == 1:
        return hits[0]
    what = f"matches {', '.join(hits)}" if hits else "is not a region"
    raise CostmodelError(f"--region {text!r} {what}; the regions are: {', '.join(regions)}")
