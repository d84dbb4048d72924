"""One-at-a-time sensitivity (tornado) and switching values (Goal Seek done properly). Pure, no I/O.

NPC of option A against B is ``PV(A) − PV(B)``, GBP real at the price base: negative means A is cheaper.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assumptions import Assumptions
from .errors import AssumptionError, Problem
from .levers import suggest
from .scenarios import check_variable, present_values, varied


def check_options(a: Assumptions, *keys: str, where: str = "--option") -> None:
    """Refuse option keys that are not options of ``a``, naming ``where`` they were given (``--against``, ``--between``)."""
    bad = [k for k in keys if k not in a.option_keys]
    if bad:
        raise AssumptionError([Problem(where, k, "unknown option" + suggest(k, list(a.option_keys))
                                       + f"; known: {', '.join(a.option_keys)}") for k in bad])


def check_two_options(a: Assumptions, option: str, other: str, where: str = "--between") -> None:
    """Two known and different options (the same option twice has no switching value: it always equals itself)."""
    check_options(a, option, other, where=where)
    if option == other:
        raise AssumptionError([Problem(where, option, "give two different options: an option always costs the same as itself")])


def ranged_levers(a: Assumptions) -> list[str]:
    """Levers with a low–high range that may vary across scenarios (not structural, not flags)."""
    return [k for k, l in a.levers.items()
            if None not in (l.low, l.high) and l.low != l.high and not l.spec.structural and l.unit != "flag"]


@dataclass(frozen=True)
class TornadoBar:
    key: str
    label: str
    unit: str
    low: float
    high: float
    npc_at_low: float
    npc_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.npc_at_high - self.npc_at_low)


@dataclass(frozen=True)
class Tornado:
    option: str
    against: str
    central_npc: float
    bars: tuple[TornadoBar, ...]  # sorted, widest swing first


def tornado(a: Assumptions, option: str, against: str = "do_minimum") -> Tornado:
    """Each ranged lever at its low and at its high with the others central: NPC of ``option`` vs ``against``."""
    check_options(a, option)
    check_options(a, against, where="--against")
    keys = ranged_levers(a)
    cols = {k: np.full(2 * len(keys) + 1, a.levers[k].central, dtype=float) for k in keys}
    for i, k in enumerate(keys):
        cols[k][2 * i], cols[k][2 * i + 1] = a.levers[k].low, a.levers[k].high
    pv = present_values(a, varied(a, cols))
    npc = pv[:, a.option_keys.index(option)] - pv[:, a.option_keys.index(against)]
    bars = [TornadoBar(k, a.levers[k].label, a.levers[k].unit, float(a.levers[k].low), float(a.levers[k].high),
                       float(npc[2 * i]), float(npc[2 * i + 1])) for i, k in enumerate(keys)]
    bars.sort(key=lambda b: (-b.swing, b.key))
    return Tornado(option, against, float(npc[-1]), tuple(bars))


@dataclass(frozen=True)
class Switching:
    """Where two options' NPC are equal as one lever moves (others central).

    ``values`` are the crossing points found (empty: they never cross in ``searched``);
    ``plausible`` is the lever's low–high range; ``searched`` the range actually searched, which is
    widened to the catalogue's bounds (or 0 to 10 × high when unbounded) when there is no crossing
    inside the plausible range. ``difference_at`` gives NPC(A) − NPC(B) at the ends of ``searched``.
    """

    key: str
    option: str
    other: str
    central: float
    plausible: tuple[float, float]
    searched: tuple[float, float]
    values: tuple[float, ...]
    difference_at: tuple[float, float] | None  # None: nothing to search (the range is a single value)

    @property
    def inside_plausible(self) -> tuple[bool, ...]:
        lo, hi = self.plausible
        return tuple(lo <= x <= hi for x in self.values)


GRID = 129  # points to bracket a crossing before refining it


def _differences(a: Assumptions, key: str, xs: np.ndarray, i: int, j: int) -> np.ndarray:
    pv = present_values(a, varied(a, {key: xs}))
    return pv[:, i] - pv[:, j]


def _wide_range(a: Assumptions, key: str) -> tuple[float, float]:
    lever, spec = a.levers[key], a.levers[key].spec
    lo = spec.minimum if spec.minimum is not None else lever.low - 10 * abs(lever.high - lever.low)
    hi = spec.maximum if spec.maximum is not None else max(10.0 * abs(lever.high), lever.high + 10 * (lever.high - lever.low))
    if spec.is_month or lever.unit == "months":
        hi = min(hi, float(a.months))
    if hi <= lo:  # a lever at 0 with no range: search its plausible range instead
        hi = spec.plausible[1]
    return float(max(lo, spec.limits[0])), float(min(hi, spec.limits[1]))


def _roots(a, key, lo, hi, i, j) -> tuple[list[float], tuple[float, float]]:
    from scipy.optimize import brentq
    xs = np.linspace(lo, hi, GRID)
    d = _differences(a, key, xs, i, j)
    f = lambda x: float(_differences(a, key, np.array([x]), i, j)[0])  # noqa: E731
    roots = []
    for t in range(GRID - 1):
        if d[t] == 0.0:
            roots.append(float(xs[t]))
        elif np.sign(d[t]) * np.sign(d[t + 1]) < 0:
            roots.append(float(brentq(f, xs[t], xs[t + 1], xtol=1e-12 * max(1.0, abs(xs[t + 1])), rtol=1e-15, maxiter=200)))
    if d[-1] == 0.0:
        roots.append(float(xs[-1]))
    return sorted(set(roots)), (float(d[0]), float(d[-1]))


def switching_value(a: Assumptions, key: str, option: str, other: str) -> Switching:
    """The value(s) of ``key`` at which ``NPC(option) = NPC(other)``, by bracketing then Brent's method."""
    check_two_options(a, option, other)
    check_variable(a, key, "switching")
    lever = a.levers[key]
    if None in (lever.low, lever.central, lever.high):
        raise AssumptionError([Problem("switching", key, "has no value (none): set one with --set first")])
    i, j = a.option_keys.index(option), a.option_keys.index(other)
    plausible = (float(lever.low), float(lever.high))
    searched = plausible if lever.low != lever.high else _wide_range(a, key)
    roots, ends = _roots(a, key, *searched, i, j) if searched[0] < searched[1] else ([], None)
    if not roots and searched == plausible:
        wide = _wide_range(a, key)
        if wide != plausible and wide[0] < wide[1]:
            searched = wide
            roots, ends = _roots(a, key, *wide, i, j)
    return Switching(key, option, other, float(lever.central), plausible, searched, tuple(roots), ends)


def switching_levers(a: Assumptions, option: str, other: str) -> list[str]:
    """Levers worth a switching value between two options: ranged, and not another option's own lever."""
    mine = (f"options.{option}.", f"options.{other}.")
    return [k for k in ranged_levers(a) if not k.startswith("options.") or k.startswith(mine)]
