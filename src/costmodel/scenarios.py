"""Scenario sets over the scenario axis: present values in one vectorised pass, and grid sweeps.

Every function here is pure (no I/O). Values are lever arrays of length 1 (fixed) or S (varying),
as :func:`costmodel.engine.run` takes them; present values are GBP, real terms at the price base,
discounted the Green Book way (:mod:`costmodel.appraisal`). Tornado and switching values are in
:mod:`costmodel.sensitivity`, Monte Carlo in :mod:`costmodel.montecarlo`.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .assumptions import COMPARATOR, Assumptions
from .errors import AssumptionError, Problem
from .engine import scenario_count
from .line_values import option_present_values
from .prices import to_base_prices

DEFAULT_CHUNK = 4096  #: scenarios per engine pass: small enough to stay in the processor's cache


def check_variable(a: Assumptions, key: str, where: str) -> None:
    """Refuse a lever that cannot vary across scenarios: unknown, structural (horizon, years) or a flag."""
    if key not in a.levers:
        from .levers import suggest
        raise AssumptionError([Problem(where, key, "unknown lever key" + suggest(key, list(a.levers)))])
    spec = a.levers[key].spec
    if spec.structural:
        raise AssumptionError([Problem(where, key, "is structural (it shapes the model's years): it takes one value "
                                       "per run and cannot vary across scenarios; use --set instead")])
    if a.levers[key].unit == "flag":
        raise AssumptionError([Problem(where, key, "is a yes/no flag: compare the two settings with --set instead")])


def check_values(a: Assumptions, key: str, values, where: str) -> None:
    """Validate the extreme values of a lever the way ``--set`` would (bounds, integers, cross-lever rules)."""
    vals = np.asarray(values, dtype=float)
    for x in sorted({float(vals.min()), float(vals.max())}):
        try:
            a.with_overrides([(key, repr(x) if not float(x).is_integer() else str(int(x)))], where=where)
        except AssumptionError as e:
            raise AssumptionError([Problem(where, p.key, f"at {x:g}: {p.message}") for p in e.problems]) from None


class Shape:
    """The little of :class:`Assumptions` the engine needs for present values (plain, picklable)."""

    def __init__(self, options, horizon_years: int):
        self.options = tuple(options)
        self.horizon_years = int(horizon_years)
        self.months = 12 * self.horizon_years


def present_values(a: Assumptions, values: Mapping[str, np.ndarray], chunk: int = DEFAULT_CHUNK,
                   mapper=None) -> np.ndarray:
    """Present value of every option, ``S × options``, GBP: the engine's lines summed and discounted.

    Equal (to rounding) to ``appraise(run(a, values), values).present_value`` but without holding the
    ``S × options × lines × years`` table: scenarios are taken ``chunk`` at a time, in this process or
    through ``mapper(function, chunks, done)`` (threads or a Dask cluster, same results).
    """
    S = scenario_count(values)
    spans = [(lo, min(S, lo + chunk)) for lo in range(0, S, chunk)]
    fn = functools.partial(chunk_present_values, Shape(a.options, a.horizon_years), dict(values))
    parts = mapper(fn, spans, None) if mapper else [fn(span) for span in spans]
    return np.concatenate(list(parts), axis=0) if parts else np.empty((0, len(a.options)))


def chunk_present_values(shape: Shape, values: Mapping[str, np.ndarray], span: tuple[int, int]) -> np.ndarray:
    """Present values of scenarios ``span[0] … span[1] − 1``, ``n × options``."""
    lo, hi = span
    part = {k: (v if np.shape(v)[0] == 1 else v[lo:hi]) for k, v in values.items()}
    return option_present_values(shape.options, shape.horizon_years, part, hi - lo)


def varied(a: Assumptions, columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Central values with the given levers replaced by arrays over scenarios, money then in base-year prices.

    ``columns`` are as written in the assumption files (a money lever in the prices of its own year,
    an index lever as published), so a sweep of ``options.in_house.improvement.total`` from 3e6 to
    15e6 sweeps the 2016-17 figure and every point is converted like the central value.
    """
    v = a.raw_values("central")
    v.update({k: np.asarray(x, dtype=float) for k, x in columns.items()})
    return to_base_prices(v, a.price_plan)


@dataclass(frozen=True)
class GridAxis:
    """One ``--grid KEY=START:STOP:STEPS`` axis: ``STEPS`` evenly spaced values from START to STOP."""

    key: str
    start: float
    stop: float
    steps: int

    @property
    def points(self) -> np.ndarray:
        return np.linspace(self.start, self.stop, self.steps)


def parse_grid(text: str) -> GridAxis:
    """``KEY=START:STOP:STEPS`` → :class:`GridAxis`; a ValueError names what was expected."""
    key, eq, rest = text.partition("=")
    parts = rest.split(":")
    if not eq or not key.strip() or len(parts) != 3:
        raise ValueError(f"--grid {text!r}: expected KEY=START:STOP:STEPS, for example "
                         "--grid options.trust.mobilisation_months=6:24:7")
    try:
        start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ValueError(f"--grid {text!r}: START and STOP must be numbers and STEPS a whole number") from None
    if steps < 1 or steps > 100_000:
        raise ValueError(f"--grid {text!r}: STEPS must be between 1 and 100000")
    return GridAxis(key.strip(), start, stop, steps)


@dataclass(frozen=True)
class Sweep:
    """A cartesian sweep: the grid (``S × keys``), present values (``S × options``) and the cheapest option."""

    keys: tuple[str, ...]
    grid: np.ndarray
    options: tuple[str, ...]
    present_value: np.ndarray

    @property
    def npc_vs_do_minimum(self) -> np.ndarray:
        return self.present_value - self.present_value[:, [self.options.index(COMPARATOR)]]

    @property
    def cheapest(self) -> np.ndarray:
        return np.asarray(self.options, dtype=object)[np.argmin(self.present_value, axis=1)]

    def changes(self, limit: int = 20) -> list[str]:
        """Where the cheapest option changes between neighbouring grid points, one line each."""
        shape = tuple(len(np.unique(self.grid[:, j])) for j in range(len(self.keys)))
        best = self.cheapest.reshape(shape)
        pts = self.grid.reshape(*shape, len(self.keys))
        lines = []
        for axis, key in enumerate(self.keys):
            a = np.moveaxis(best, axis, -1)
            g = np.moveaxis(pts, axis, -2)
            for idx in itertools.product(*[range(n) for n in a.shape[:-1]]):
                row = a[idx]
                for t in np.flatnonzero(row[1:] != row[:-1]):
                    x0, x1 = g[idx][t, axis], g[idx][t + 1, axis]
                    others = ", ".join(f"{k}={g[idx][t, j]:g}" for j, k in enumerate(self.keys) if j != axis)
                    lines.append(f"{key} between {x0:g} and {x1:g}: cheapest changes from {row[t]} to {row[t + 1]}"
                                 + (f" (with {others})" if others else ""))
        if len(lines) > limit:
            lines = lines[:limit] + [f"... and {len(lines) - limit} more changes"]
        return lines


def sweep(a: Assumptions, axes: list[GridAxis], chunk: int = DEFAULT_CHUNK, mapper=None) -> Sweep:
    """Every combination of the axes' points (cartesian, last axis fastest), costed in one pass."""
    keys = [ax.key for ax in axes]
    if len(set(keys)) != len(keys):
        raise AssumptionError([Problem("--grid", k, "given twice") for k in {k for k in keys if keys.count(k) > 1}])
    for ax in axes:
        check_variable(a, ax.key, "--grid")
        check_values(a, ax.key, ax.points, "--grid")
    mesh = np.meshgrid(*[ax.points for ax in axes], indexing="ij")
    grid = np.stack([m.reshape(-1) for m in mesh], axis=1)
    pv = present_values(a, varied(a, {k: grid[:, j] for j, k in enumerate(keys)}), chunk, mapper)
    return Sweep(tuple(keys), grid, a.option_keys, pv)
