"""The model's limits: hard bounds and plausible ranges of lever values, and how much work a run may ask for. Pure.

Every numeric lever has **hard bounds**: a value outside them is refused (an error naming the file and
line, or ``--set``, the key and the allowed range). The catalogue (:mod:`costmodel.levers`) gives them
where the meaning sets them (a fraction lies in 0 to 1); otherwise the lever's unit gives a maximum
from :data:`HARD_MAXIMUM` — far beyond any council (a trillion pounds, ten million children) but small
enough that no product of levers overflows a float, so every result is a finite number.

Every numeric lever also has a **plausible range** (:data:`PLAUSIBLE`, else :data:`PLAUSIBLE_BY_UNIT`):
a value outside it is accepted, with a warning, because a real council may be unusual but a typing slip
(a salary of 4,000,000) usually is not. The ranges are deliberately wide; they flag, they do not judge.

The work limits estimate the memory and time of a Monte Carlo run or a sweep grid before it starts,
so that a run that cannot finish is refused with a message instead of dying of MemoryError.
"""
from __future__ import annotations

import functools
import math
from typing import Mapping

from .errors import CostmodelError, Problem

#: Hard maximum by unit where the catalogue sets none (minimums default to 0 in the catalogue).
HARD_MAXIMUM: dict[str, float] = {
    "GBP": 1e12, "GBP/yr": 1e12, "GBP/week": 1e12, "GBP/day": 1e12,  # a trillion pounds
    "FTE": 1e6, "children": 1e7, "children/FTE": 1e4, "people": 1e5,
    "days/yr": 366, "weeks/yr": 53,
    "months": 900, "month": 899,  # 75 years, the longest horizon (a month also lies inside the horizon)
    "years": 75, "year index": 74, "year": 2100,
    "fraction": 1.0, "fraction/yr": 1.0, "flag": 1.0,
    "index": 1e6,  # a price index value: only the ratio of two years matters
}

#: Plausible range by unit, when the lever has no range of its own in :data:`PLAUSIBLE`.
PLAUSIBLE_BY_UNIT: dict[str, tuple[float, float]] = {
    "GBP": (0, 1e8),  # one-off: £100m, several times the largest improvement cost reported (£15m)
    "GBP/yr": (0, 2e7),  # a recurring item: £20m a year
    "GBP/week": (0, 1e5),
    "GBP/day": (0, 5000),
    "FTE": (0, 5000),
    "children": (0, 1e5),
    "children/FTE": (5, 40),
    "people": (0, 50),
    "days/yr": (100, 366),
    "weeks/yr": (50, 53),
    "months": (0, 120),
    "years": (0, 20),
    "year": (2000, 2060),
    "index": (1, 10_000),  # a price index rebased to 1 or to 100
}

#: Plausible ranges of particular levers (patterns as in the catalogue; ``*`` is an option or item).
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "appraisal.horizon_years": (1, 60),
    "appraisal.discount_rate": (0, 0.1),
    "appraisal.discount_rate_long": (0, 0.1),
    "appraisal.inflation.general": (-0.05, 0.15),
    "baseline.outset_spend": (1e6, 2e9),
    "baseline.social_workers.salary": (15_000, 150_000),
    "baseline.social_workers.on_cost_rate": (0, 0.6),
    "baseline.social_workers.agency_premium": (0, 1.5),
    "baseline.legacy_placements.count": (0, 2000),
    "baseline.legacy_placements.floor": (0, 2000),
    "baseline.senior_team.annual_cost": (0, 2e7),
    "journey.diagnosis_months": (1, 36),
    "journey.stabilise_months": (1, 36),
    "journey.implement_months": (1, 60),
    "journey.sustain_months": (0, 120),
    "options.*.mobilisation_months": (0, 48),
    "options.*.transitional.team_fte": (0, 200),
    "options.*.transitional.team_cost": (0, 250_000),
    "options.*.legacy.step_down_per_year": (0, 0.6),
    "options.*.efficiency.rate": (0, 0.3),
    "options.*.workforce.years_to_target": (0, 10),
    "options.*.external_support.*.annual_cost": (0, 1e7),
}


def _matches(pattern: str, key: str) -> bool:
    parts, pat = key.split("."), pattern.split(".")
    return len(parts) == len(pat) and all(p == "*" or p == k for p, k in zip(pat, parts))


@functools.lru_cache(maxsize=1024)  # asked for each lever of a folder, by catalogue pattern, on every read
def plausible_range(key: str, unit: str, limits: tuple[float, float]) -> tuple[float, float]:
    """The plausible range of a lever: its own, else its unit's, else its hard bounds; never wider than them."""
    rng = next((r for p, r in PLAUSIBLE.items() if _matches(p, key)), None) or PLAUSIBLE_BY_UNIT.get(unit) or limits
    return max(rng[0], limits[0]), min(rng[1], limits[1])


def implausible(levers: Mapping[str, object]) -> list[Problem]:
    """A warning for each lever whose low, central or high lies outside its plausible range (not an error).

    Levers left at the catalogue default are not checked (the default is the catalogue's own choice).
    """
    out = []
    for key, lever in levers.items():
        if getattr(lever, "is_default", False) or lever.unit == "flag":
            continue
        lo, hi = lever.spec.plausible
        values = [v for v in (lever.low, lever.central, lever.high) if v is not None]
        bad = sorted({v for v in values if not lo <= v <= hi})
        if bad:
            shown = " and ".join(number(v) for v in bad)
            out.append(Problem(lever.where, key, f"{shown} {lever.unit} is outside the plausible range "
                                                 f"{number(lo)} to {number(hi)} (accepted: check the figure)"))
    return out


def number(v: float) -> str:
    """A value as a person writes it: ``4,000,000``, ``0.035``, ``1e+12``."""
    return f"{v:,.0f}" if float(v).is_integer() and abs(v) < 1e12 else f"{v:,.6g}"


# --- work ---------------------------------------------------------------------------------------

#: Bytes kept per draw and option by a Monte Carlo run: the present value (kept for exact percentiles),
#: the NPC against business as usual, percentile copies and the draws table (measured, with a margin).
MC_BYTES_PER_DRAW_OPTION = 80
#: Engine throughput assumed for time estimates: option-months costed per second on one core (measured
#: about 1.5e8 on a 2-core machine; a conservative figure so the estimate errs long).
OPTION_MONTHS_PER_SECOND = 5e7
#: Bytes per grid point and option of a sweep: grid, present values, NPC and the output table (measured).
SWEEP_BYTES_PER_POINT_OPTION = 160
#: The longest run allowed on this machine by default, seconds.
MAX_SECONDS = 3600


def monte_carlo_cost(draws: int, options: int, months: int) -> tuple[float, float]:
    """Estimated (bytes, seconds) of a Monte Carlo run of ``draws`` over ``options`` and ``months``."""
    return float(draws) * options * MC_BYTES_PER_DRAW_OPTION, float(draws) * options * months / OPTION_MONTHS_PER_SECOND


def sweep_cost(points: int, options: int, months: int) -> tuple[float, float]:
    """Estimated (bytes, seconds) of a sweep over ``points`` grid points."""
    return float(points) * options * SWEEP_BYTES_PER_POINT_OPTION, float(points) * options * months / OPTION_MONTHS_PER_SECOND


def largest(unit_cost: tuple[float, float], memory: float, seconds: float = MAX_SECONDS) -> int:
    """The largest count whose estimate fits ``memory`` bytes and ``seconds``, given the cost of one unit."""
    per_byte, per_second = unit_cost
    return max(1, int(min(memory / per_byte if per_byte else math.inf, seconds / per_second if per_second else math.inf)))


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n:,.1f} PB"


def human_seconds(s: float) -> str:
    if s < 120:
        return f"{s:,.0f} seconds"
    if s < 7200:
        return f"{s / 60:,.0f} minutes"
    if s < 172_800:
        return f"{s / 3600:,.0f} hours"
    return f"{s / 86400:,.0f} days"


def check_work(what: str, count: int, unit_cost: tuple[float, float], memory: float, hint: str,
               seconds: float = MAX_SECONDS, cluster_hint: str = "") -> None:
    """Refuse ``count`` units of work whose estimated memory exceeds ``memory`` or time exceeds ``seconds``.

    Raises :class:`costmodel.errors.CostmodelError` naming ``what`` (e.g. ``--draws 1000000000``), the
    estimate, the largest count allowed here and ``hint`` (what to do instead); ``cluster_hint`` is added
    when the time is too long (a cluster shortens the time, not the memory this process needs).
    """
    need_bytes, need_seconds = count * unit_cost[0], count * unit_cost[1]
    if need_bytes <= memory and need_seconds <= seconds:
        return
    cap = largest(unit_cost, memory, seconds)
    advice = hint + (f"; {cluster_hint}" if cluster_hint and need_seconds > seconds else "")
    raise CostmodelError(f"{what}: needs about {human_bytes(need_bytes)} of memory and {human_seconds(need_seconds)} "
                         f"(estimates); the limit on this machine is {cap:,} ({human_bytes(memory)} of memory, "
                         f"{human_seconds(seconds)}): {advice}")
