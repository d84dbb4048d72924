"""Each council against its DfE statistical neighbours on the drivers that matter for the options' costs: the
agency rate, the caseload and — standing for the legacy of expensive placements — the spend on children looked
after per child looked after per week. Figures are :func:`costmodel.evidence.benchmark_values.value_at` (the same
as ``costmodel benchmark`` shows), in the measure's latest year."""
from __future__ import annotations

import statistics

from ..errors import CostmodelError
from .benchmark_values import MEASURES, value_at
from .council_record import latest_year
from .peers import statistical

#: driver (benchmark measure) → the words of the page.
DRIVERS = {"agency_rate_pct": "Agency social workers (% of FTE)",
           "caseload_per_case_holder": "Cases per case-holding social worker",
           "weekly_cost_per_cla_gbp": "Legacy placements: spend per looked-after child a week"}


def peer_positions(codes: list[str]) -> tuple[list[dict], dict[str, str]]:
    """``[{la_code, driver, year, value, peer_median, peers}]`` for each council and driver (None where there is no
    figure or no neighbour), and which date each driver's figure refers to."""
    years = {d: latest_year(MEASURES[d].source_measure) for d in DRIVERS}
    out = []
    for code in codes:
        try:
            peers = statistical(code)
        except CostmodelError:
            peers = []
        for d, year in years.items():
            vals = [v for p in peers if (v := value_at(p.code, d, year)) is not None]
            out.append({"la_code": code, "driver": d, "year": year, "value": value_at(code, d, year),
                        "peer_median": statistics.median(vals) if vals else None, "peers": len(vals)})
    return out, {d: MEASURES[d].reference(y) for d, y in years.items()}
