"""A council's drivers against England, its region and its peers, latest year and history since 2017, with its
Ofsted judgements: the data behind ``costmodel benchmark`` (table, tidy CSV/JSON/Parquet, chart, workbook value
sheet, report section). How each value is measured: :mod:`costmodel.evidence.benchmark_values`; peers:
:mod:`costmodel.evidence.peers`.

Every comparison is made in the year of the council's figure: if the council's latest figure is for an earlier
year (Kensington and Chelsea's workforce in 2025 is not available, so 2024), England, the region and the peers
are taken for that year too, and the note says so.
"""
from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

import pandas as pd

from ..council_statistics import OfstedReading, read_ofsted
from ..councils import CouncilRef
from ..files.vintage import data_vintage, vintage_line
from .benchmark_values import ENGLAND, MEASURES, councils_counted, region_codes, value_at
from .council_record import (council_refs, find, inspections, joint_return, latest_year, predecessor_inspections,
                             symbol)
from .measures import WORKFORCE
from .peers import METHODS, Peer, peers as find_peers

FIRST_YEAR = 2017
EARLIER_YEARS = 2
PRICES = ("Money is in cash prices of each financial year (section 251 outturn, not adjusted for inflation); "
          "compare years with care.")


@dataclass
class Benchmark:
    """The comparison: one summary row per measure (``measures``), the tidy history (``rows``), peers, Ofsted."""

    council: CouncilRef
    peer_method: str
    peers: list[Peer]
    measures: list[dict]
    rows: list[dict]
    ofsted: OfstedReading
    notes: list[str] = field(default_factory=list)

    def frame(self) -> pd.DataFrame:
        """Tidy rows: one value per measure, year and geography (council, england, region, peer_median, peer)."""
        return pd.DataFrame(self.rows, columns=["council_code", "council_name", "measure", "label", "unit", "year",
                                                "reference", "geography", "code", "name", "value", "note"])

    def to_dict(self) -> dict:
        """Plain data (JSON-ready), the input of the chart, the workbook sheet and the report section."""
        v = data_vintage()
        return {"schema": "costmodel.benchmark/1", "council": asdict(self.council),
                "peers": {"method": self.peer_method, "description": METHODS[self.peer_method],
                          "list": [asdict(p) for p in self.peers]},
                "measures": self.measures, "rows": self.rows, "ofsted": asdict(self.ofsted), "notes": self.notes,
                "prices": PRICES, "vintage": vintage_line(), "attribution": v["attribution"],
                "licence_url": v["licence_url"]}


def _year_for(code: str, key: str) -> tuple[int, str]:
    """The year of the council's figure: the latest, else the latest of the two before, with a note why."""
    latest = latest_year(MEASURES[key].source_measure)
    sym = symbol(code, latest, MEASURES[key].source_measure)
    if sym and sym[0] == "z" and value_at(code, key, latest) is None:
        return latest, f"DfE symbol 'z' ({sym[1]}) for {latest}"
    for y in range(latest, latest - EARLIER_YEARS - 1, -1):
        if value_at(code, key, y) is not None:
            if y == latest:
                return y, ""
            why = f"DfE symbol {sym[0]!r} ({sym[1]})" if sym else "no figure"
            return y, (f"{why} for {latest}: the council's {y} figure, compared with England, the region and the "
                       f"peers in {y}")
    return latest, f"no figure for {latest} or the {EARLIER_YEARS} years before"


def _rank(key: str, year: int, mine: float | None) -> tuple[int | None, int]:
    vals = [v for c in council_refs() if (v := value_at(c.code, key, year)) is not None]
    if mine is None:
        return None, len(vals)
    return 1 + sum(v < mine for v in vals), len(vals)


def _summary(council: CouncilRef, key: str, peers: list[Peer]) -> dict:
    m = MEASURES[key]
    year, note = _year_for(council.code, key)
    region = region_codes()[council.region]
    mine = value_at(council.code, key, year)
    peer_vals = [v for p in peers if (v := value_at(p.code, key, year)) is not None]
    rank, of = _rank(key, year, mine)
    extra = []
    if m.derived:
        extra.append(f"England and the region computed the same way from the councils with figures "
                     f"({councils_counted(ENGLAND, key, year)} in England)")
    elif m.source_measure in WORKFORCE and joint_return(council.code):
        extra.append(f"workforce returned jointly ({joint_return(council.code)}): the joint service's figure")
    sym = symbol(council.code, year, m.source_measure)
    if sym and sym[0] == "low" and mine == 0:
        extra.append("DfE 'low' (rounds to zero but is not zero): shown as 0")
    note = "; ".join(x for x in (note, *extra) if x)
    return {"measure": key, "label": m.label, "unit": m.unit, "format": m.fmt, "year": year,
            "reference": m.reference(year),
            "council": mine, "england": value_at(ENGLAND, key, year),
            "region": value_at(region, key, year), "region_name": council.region,
            "peer_median": statistics.median(peer_vals) if peer_vals else None, "peers_with_value": len(peer_vals),
            "rank": rank, "of": of, "note": note}


def _history(council: CouncilRef, key: str, peers: list[Peer]) -> list[dict]:
    m = MEASURES[key]
    region = region_codes()[council.region]
    rows = []
    base = {"council_code": council.code, "council_name": council.name, "measure": key, "label": m.label,
            "unit": m.unit}
    for year in range(FIRST_YEAR, latest_year(m.source_measure) + 1):
        geos = [("council", council.code, council.name, value_at(council.code, key, year)),
                ("england", ENGLAND, "England", value_at(ENGLAND, key, year)),
                ("region", region, council.region, value_at(region, key, year))]
        peer_vals = [(p, value_at(p.code, key, year)) for p in peers]
        present = [v for _, v in peer_vals if v is not None]
        geos.append(("peer_median", "", f"median of {len(present)} peers",
                     statistics.median(present) if present else None))
        geos += [("peer", p.code, p.name, v) for p, v in peer_vals]
        for geo, code, name, v in geos:
            if v is not None:
                rows.append(base | {"year": year, "reference": m.reference(year), "geography": geo, "code": code,
                                    "name": name, "value": v, "note": ""})
    return rows


def benchmark(query: str, peer_method: str = "statistical") -> Benchmark:
    """The benchmark of the council ``query`` names (name, ONS code or DfE code)."""
    council = find(query).council
    peers = find_peers(council.code, peer_method)
    measures = [_summary(council, k, peers) for k in MEASURES]
    rows = [r for k in MEASURES for r in _history(council, k, peers)]
    ofsted = read_ofsted(inspections(council.code), predecessor_inspections(council.code))
    notes = [f"Peers: {METHODS[peer_method]}.",
             "Workforce figures are at 30 September; children in need and looked after at 31 March; spend is a "
             "financial year. Each row says which.",
             "England and region rates are DfE's published aggregates; spend per child and weekly spend per child "
             "looked after are computed for England and the region from the councils with figures, as for the "
             "council.", PRICES]
    notes += [f"{s['label']}: {s['note']}." for s in measures if s["note"] and "computed the same way" not in s["note"]]
    return Benchmark(council, peer_method, peers, measures, rows, ofsted, notes)
