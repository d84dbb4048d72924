"""A council's peers: the DfE's statistical neighbours, or the councils nearest to it on the benchmark measures.

*Statistical neighbours* (the default) are the DfE's children's services statistical neighbours, 2025 model:
for each council the ten councils most alike in their population's characteristics, each marked from
"Extremely close" to "Not close" (file ``statistical_neighbours_2025.csv``, see ``VINTAGE.json``). They are
alike in need, not in performance, so comparing drivers with them is fair.

*Nearest* councils are the ten with the smallest standardised distance on the benchmark measures in their
latest year: each measure is turned into a z-score across all councils with a figure (mean 0, standard
deviation 1, population formula), and the distance between two councils is the root mean square of their
z-score differences over the measures both have (at least six of the eight). By construction they look like
the council on these measures, so they show which councils work alike rather than how the council compares.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import CostmodelError
from ..files.council_reference import statistical_neighbours
from .benchmark_values import MEASURES, value_at
from .council_record import council_refs, latest_year

METHODS = {
    "statistical": "DfE children's services statistical neighbours (2025 model): the ten councils most alike in "
                   "their population's characteristics",
    "nearest": "the ten councils nearest on the benchmark measures (root mean square of z-score differences, "
               "latest year of each measure)",
}
MIN_COMMON = 6


@dataclass(frozen=True)
class Peer:
    """One peer: codes, name, rank (1 closest) and how close (DfE's words, or the standardised distance)."""

    code: str
    dfe_code: str
    name: str
    rank: int
    closeness: str


def _by_dfe() -> dict:
    return {c.dfe_code: c for c in council_refs()}


def statistical(code: str) -> list[Peer]:
    """The DfE's ten statistical neighbours of the council, closest first."""
    me = next(c for c in council_refs() if c.code == code)
    sn = statistical_neighbours()
    rows = sn[sn["dfe_code"] == me.dfe_code].sort_values("rank")
    if rows.empty:
        raise CostmodelError(f"{me.label()}: no DfE statistical neighbours in the packaged list; use --peers nearest")
    by_dfe = _by_dfe()
    return [Peer(by_dfe[r.neighbour_dfe_code].code, r.neighbour_dfe_code, by_dfe[r.neighbour_dfe_code].name,
                 int(r.rank), r.closeness) for r in rows.itertuples()]


def latest_vectors() -> dict[str, dict[str, float]]:
    """Every council's benchmark measures in each measure's latest year."""
    years = {k: latest_year(m.source_measure) for k, m in MEASURES.items()}
    out = {}
    for c in council_refs():
        out[c.code] = {k: v for k, y in years.items() if (v := value_at(c.code, k, y)) is not None}
    return out


def distances(code: str) -> dict[str, float]:
    """Standardised distance from the council to every other council with enough measures in common."""
    vectors = latest_vectors()
    stats = {}
    for k in MEASURES:
        xs = [v[k] for v in vectors.values() if k in v]
        mean = sum(xs) / len(xs)
        sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / len(xs))
        stats[k] = (mean, sd or 1.0)
    z = {c: {k: (x - stats[k][0]) / stats[k][1] for k, x in v.items()} for c, v in vectors.items()}
    mine, out = z[code], {}
    for other, theirs in z.items():
        common = [k for k in mine if k in theirs]
        if other != code and len(common) >= MIN_COMMON:
            out[other] = math.sqrt(sum((mine[k] - theirs[k]) ** 2 for k in common) / len(common))
    return out


def nearest(code: str, k: int = 10) -> list[Peer]:
    """The ``k`` councils nearest on the benchmark measures, closest first."""
    d = distances(code)
    if not d:
        raise CostmodelError(f"{code}: too few benchmark measures to find the nearest councils; use --peers statistical")
    refs = {c.code: c for c in council_refs()}
    best = sorted(d.items(), key=lambda kv: (kv[1], kv[0]))[:k]
    return [Peer(c, refs[c].dfe_code, refs[c].name, i, f"distance {dist:.2f}") for i, (c, dist) in enumerate(best, 1)]


def peers(code: str, method: str) -> list[Peer]:
    if method not in METHODS:
        raise CostmodelError(f"--peers {method!r}: expected one of {', '.join(METHODS)}")
    return statistical(code) if method == "statistical" else nearest(code)
