"""The national picture: every council's options in one run, as tidy records. Pure.

A council's assumptions are built in memory exactly as ``costmodel init --council`` builds them (the adapter
:mod:`costmodel.evidence.national_councils` does that); here each council's central comparison
(:func:`costmodel.comparison.compare`, so a council's figures equal ``costmodel compare --council``'s) and,
with draws, its Monte Carlo summary (:func:`costmodel.montecarlo.summarise`, so they equal ``costmodel
montecarlo --council`` with the same seed: every council's draws use the one seed) become records of one figure
each: ``la_code, la_name, region, option, statistic, unit, value``. Money is GBP, real terms at the price base,
present values discounted as the Green Book asks; NPC is the option's present value minus business as usual's.
"""
from __future__ import annotations

from dataclasses import dataclass

from .assumptions import Assumptions
from .comparison import compare

#: Councils a chunk by default (the step of the journal and the progress bar): a few seconds of work on two cores
#: with 10^5 draws a council.
CHUNK = 8
#: The columns of every record, in order.
COLUMNS = ("la_code", "la_name", "region", "option", "statistic", "unit", "value")
#: The central figures of each option: statistic → (the compare object's key, unit).
CENTRAL = {"present_value": ("present_value", "GBP"), "npc_vs_do_minimum": ("npc_vs_do_minimum", "GBP")}
#: 1 for the option with the lowest central present value, 0 for the others.
CHEAPEST = "cheapest"


@dataclass(frozen=True)
class Council:
    """Who a set of records is about: ONS code, name, region (and the DfE code, for peers)."""

    code: str
    name: str
    region: str
    dfe_code: str = ""


@dataclass(frozen=True)
class Built:
    """A council whose assumptions were built, with every figure that is not its own latest published one."""

    council: Council
    assumptions: Assumptions
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Failed:
    """A council (or a name that matched none) that could not be built, and why."""

    query: str
    reason: str
    council: Council | None = None


def record(c: Council, option: str, statistic: str, unit: str, value: float) -> dict:
    """One figure as a record of :data:`COLUMNS`."""
    return {"la_code": c.code, "la_name": c.name, "region": c.region, "option": option, "statistic": statistic,
            "unit": unit, "value": float(value)}


def central_records(b: Built) -> list[dict]:
    """Each option's central present value and NPC vs business as usual, and which option is cheapest."""
    result = compare(b.assumptions)
    out = []
    for key, o in result["options"].items():
        for statistic, (field, unit) in CENTRAL.items():
            out.append(record(b.council, key, statistic, unit, o[field]))
        out.append(record(b.council, key, CHEAPEST, "indicator", key == result["cheapest_option"]))
    return out


def drawn_records(c: Council, summary: dict) -> list[dict]:
    """Each option's P(cheapest) and P5/P50/P95 and mean of PV and NPC, each with its Monte Carlo standard error,
    from :func:`costmodel.montecarlo.summarise`."""
    out = []
    for key, s in summary.items():
        se = s["standard_error"]
        out.append(record(c, key, "probability_cheapest", "probability", s["probability_cheapest"]))
        out.append(record(c, key, "probability_cheapest_standard_error", "probability", se["probability_cheapest"]))
        for m in ("present_value", "npc_vs_do_minimum"):
            for stat, v in s[m].items():
                out.append(record(c, key, f"{m}_{stat}", "GBP", v))
                out.append(record(c, key, f"{m}_{stat}_standard_error", "GBP", se[m][stat]))
    return out


def incomplete_records(b: Built) -> list[dict]:
    """What is missing from a council's statistics and how it was filled, one record a fallback."""
    c = b.council
    return [{"la_code": c.code, "la_name": c.name, "region": c.region, "fallback": f} for f in b.fallbacks]


def failed_record(f: Failed) -> dict:
    c = f.council
    return {"query": f.query, "la_code": c.code if c else None, "la_name": c.name if c else None,
            "region": c.region if c else None, "reason": f.reason}


def by_council(records: list[dict]) -> dict[str, dict]:
    """``la_code → {"la_name", "region", "options": {option: {statistic: value}}}`` in the records' order."""
    out: dict[str, dict] = {}
    for r in records:
        c = out.setdefault(r["la_code"], {"la_code": r["la_code"], "la_name": r["la_name"], "region": r["region"],
                                          "options": {}})
        c["options"].setdefault(r["option"], {})[r["statistic"]] = r["value"]
    return out


def ranked(records: list[dict]) -> list[dict]:
    """One row a council: its cheapest option (central), that option's NPC vs business as usual and, with draws,
    its P(cheapest); the largest saving first (ties by name)."""
    rows = []
    for c in by_council(records).values():
        best = next(k for k, v in c["options"].items() if v.get(CHEAPEST) == 1.0)
        o = c["options"][best]
        rows.append({"la_code": c["la_code"], "la_name": c["la_name"], "region": c["region"], "cheapest": best,
                     "present_value": o["present_value"], "npc_vs_do_minimum": o["npc_vs_do_minimum"],
                     "probability_cheapest": o.get("probability_cheapest"),
                     "probability_cheapest_standard_error": o.get("probability_cheapest_standard_error"),
                     "npc_p5": o.get("npc_vs_do_minimum_p5"), "npc_p95": o.get("npc_vs_do_minimum_p95")})
    return sorted(rows, key=lambda r: (r["npc_vs_do_minimum"], r["la_name"]))
