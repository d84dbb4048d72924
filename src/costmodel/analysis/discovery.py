"""Scenario discovery: the box of lever ranges in which an option is cheapest, by PRIM (EMA workbench).

PRIM (the Patient Rule Induction Method; Friedman & Fisher 1999, as used for scenario discovery by
Bryant & Lempert 2010) peels away thin slices of the lever space, a little at a time, keeping the
part where the draws of interest (here: the option is the cheapest) are densest. Each step trades
coverage (the share of all the option's wins that fall inside the box) for density (the share of
draws inside the box in which it wins). We use the implementation in the EMA workbench
(``ema_workbench.analysis.prim``, Kwakkel 2017), a maintained, BSD-licensed reference for scenario
discovery, on the Monte Carlo draws the project already makes.

The box chosen from PRIM's trajectory is the one with the highest coverage among those with a density
of at least :data:`DENSITY` and at most :data:`MAX_RESTRICTED` levers restricted (so it reads as a
sentence); when no box is that dense, the one with the largest coverage × density, and the sentence
says the wins are spread out rather than in one clear region. PRIM is given the :data:`SCREENED` levers
most associated with the option's wins (the correlation ratio of the win over deciles of each lever):
the others cannot describe where it wins, and fewer dimensions make the peeling fast and the box plain.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..assumptions import Assumptions
from ..errors import AssumptionError, Problem
from ..levers import suggest
from ..montecarlo import montecarlo, plan, ready

DENSITY = 0.8
MAX_RESTRICTED = 3
SCREENED = 8


@dataclass(frozen=True)
class Restriction:
    """One lever's range inside the box, against its whole low-high range (the lever's own unit)."""

    key: str
    label: str
    unit: str
    low: float
    high: float
    box_low: float
    box_high: float


@dataclass(frozen=True)
class Discovery:
    """Where ``option`` is cheapest: its share of the draws, the chosen box and PRIM's trajectory."""

    option: str
    option_label: str
    draws: int
    seed: int
    wins: float                     #: share of all draws in which the option is cheapest
    coverage: float | None
    density: float | None
    mass: float | None              #: share of all draws inside the box
    restrictions: list[Restriction]
    trajectory: list[dict]          #: every box PRIM found: coverage, density, mass, restricted levers
    screened: list[str]


def correlation_ratio(x: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """η²: the share of the variance of ``y`` explained by which decile of ``x`` a draw falls in."""
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1]))
    cell = np.searchsorted(edges, x, side="right")
    counts = np.bincount(cell)
    means = np.bincount(cell, weights=y) / np.maximum(counts, 1)
    total = y.var() * y.size
    return float((counts * (means - y.mean()) ** 2).sum() / total) if total > 0 else 0.0


def check_option(a: Assumptions, option: str) -> None:
    if option not in a.option_keys:
        raise AssumptionError([Problem("--option", option, "unknown option" + suggest(option, list(a.option_keys))
                                       + f"; known: {', '.join(a.option_keys)}")])


def discover(a: Assumptions, option: str, draws: int, seed: int, mapper=None, on_draws=None, label=None,
             density: float = DENSITY) -> Discovery:
    """Run Monte Carlo and PRIM: the box of lever ranges in which ``option`` is cheapest."""
    check_option(a, option)
    p = plan(a, draws, seed)
    r = montecarlo(p, ready(p, mapper), on_draws, keep_inputs=True)
    return discover_in(a, option, r.present_value, r.inputs, [d.key for d in p.drawn], seed, label, density)


def discover_in(a: Assumptions, option: str, pv: np.ndarray, x: np.ndarray, keys: list[str], seed: int, label=None,
                density: float = DENSITY) -> Discovery:
    """PRIM on Monte Carlo draws already made: present values ``pv`` (n × options), lever draws ``x`` (n × ``keys``)."""
    check_option(a, option)
    win = np.argmin(pv, axis=1) == a.option_keys.index(option)
    base = dict(option=option, option_label=a.option(option).label, draws=int(pv.shape[0]), seed=seed, wins=float(win.mean()))
    if win.all() or not win.any():
        return Discovery(**base, coverage=None, density=None, mass=None, restrictions=[], trajectory=[], screened=[])
    score = [correlation_ratio(x[:, j], win.astype(float)) for j in range(len(keys))]
    screened = sorted(np.argsort(score, kind="stable")[::-1][:SCREENED].tolist())
    trajectory, limits = run_prim(x[:, screened], win, [keys[j] for j in screened])
    pick = choose_box(trajectory, density)
    label = label or (lambda k: a.levers[k].label)
    restrictions = []
    for k in trajectory[pick]["restricted"]:
        lo, hi = limits[pick][k]
        lever = a.levers[k]
        restrictions.append(Restriction(k, label(k), lever.unit, float(lever.low), float(lever.high), float(lo), float(hi)))
    box = trajectory[pick]
    return Discovery(**base, coverage=box["coverage"], density=box["density"], mass=box["mass"],
                     restrictions=restrictions, trajectory=trajectory, screened=[keys[j] for j in screened])


def run_prim(x: np.ndarray, y: np.ndarray, names: list[str]) -> tuple[list[dict], list[dict]]:
    """PRIM's peeling and pasting trajectory (EMA workbench) and each box's limits per restricted lever."""
    import logging
    import pandas as pd
    with warnings.catch_warnings():  # the workbench warns about optional parallel back-ends on import
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
        from ema_workbench.analysis.scenario_discovery_util import _determine_restricted_dims
    logging.getLogger("EMA").setLevel(logging.WARNING)
    frame = pd.DataFrame(x, columns=names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(frame, y, threshold=1e-9)  # a win is y ≥ threshold; keep every box: the choice is made below
        box = finder.find_box()
    trajectory, limits = [], []
    for i, row in box.peeling_trajectory.iterrows():
        lims = box.box_lims[i]
        restricted = [str(k) for k in _determine_restricted_dims(lims, finder.box_init)]
        trajectory.append({"coverage": float(row["coverage"]), "density": float(row["density"]),
                           "mass": float(row["mass"]), "restricted": restricted})
        limits.append({k: (float(lims[k].iloc[0]), float(lims[k].iloc[1])) for k in restricted})
    return trajectory, limits


def choose_box(trajectory: list[dict], density: float = DENSITY, max_restricted: int = MAX_RESTRICTED) -> int:
    """Among boxes restricting at most ``max_restricted`` levers: the highest coverage with density ≥ ``density``;
    when none is that dense, the best balance of the two (the largest coverage × density)."""
    readable = [i for i, t in enumerate(trajectory) if len(t["restricted"]) <= max_restricted] or [0]
    dense = [i for i in readable if trajectory[i]["density"] >= density]
    if dense:
        return max(dense, key=lambda i: (trajectory[i]["coverage"], trajectory[i]["density"]))
    return max(readable, key=lambda i: (trajectory[i]["coverage"] * trajectory[i]["density"], trajectory[i]["density"]))
