"""Monte Carlo over the levers' ranges: percentiles of PV and NPC, P(cheapest), P(NPC vs BAU < 0). Pure.

Work is split into blocks of :data:`costmodel.sampling.BLOCK` draws, each with its own random stream,
so the same seed gives identical results whatever the chunk size (draws per engine pass, the memory
bound) or the backend that runs the blocks (threads here, Dask in :mod:`costmodel.backends.dask_cluster`).
Percentiles are exact: every draw's present values are kept (``draws × options`` floats).
"""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from .assumptions import COMPARATOR, Assumptions, Option
from .prices import PricePlan, to_base_prices
from .sampling import BLOCK, Drawn, beta_quantile, correlation_matrix, draw_block, drawn_levers, pert_shape
from .engine import option_present_values

PERCENTILES = (5, 50, 95)
#: Draws per engine pass by default: a whole block. The engine holds a few numbers per draw and line
#: (present values come straight from the discounted grid), so a block costs a few MB; smaller passes
#: only add Python overhead, and with two threads contention for the interpreter lock (4,096 a pass
#: takes about twice the wall-clock time of 65,536 for a million draws on 2 cores).
MC_CHUNK = BLOCK


@dataclass(frozen=True)
class Plan:
    """Everything a worker needs to cost any block of draws; plain data, so it pickles to a cluster."""

    options: tuple[Option, ...]
    horizon_years: int
    central: dict
    drawn: tuple[Drawn, ...]
    held: tuple[str, ...]
    correlation: np.ndarray | None
    draws: int
    seed: int
    distribution: str = "pert"
    chunk: int = MC_CHUNK
    prices: PricePlan | None = None  #: ``central`` and the draws are as published: converted per pass

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    @property
    def blocks(self) -> int:
        return -(-self.draws // BLOCK)

    def block_size(self, block: int) -> int:
        return min(BLOCK, self.draws - block * BLOCK)


def plan(a: Assumptions, draws: int, seed: int, distribution: str = "pert", chunk: int = MC_CHUNK) -> Plan:
    """Decide what is drawn (see :func:`costmodel.sampling.drawn_levers`) and check the correlations."""
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if chunk < 1:
        raise ValueError("chunk size must be at least 1")
    drawn, held = drawn_levers(a)
    return Plan(a.options, a.horizon_years, a.raw_values("central"), tuple(drawn), tuple(held),
                correlation_matrix(a, drawn), int(draws), int(seed), distribution, int(chunk), a.price_plan)


def block_present_values(p: Plan, block: int) -> np.ndarray:
    """Present values of one block's draws, ``size × options`` GBP, costed ``p.chunk`` draws at a time."""
    size = p.block_size(block)
    x = draw_block(list(p.drawn), p.seed, block, size, p.distribution, p.correlation)
    out = np.empty((size, len(p.options)))
    v = dict(p.central)  # levers held at one value stay length-1 arrays: they broadcast
    for lo in range(0, size, p.chunk):
        hi = min(size, lo + p.chunk)
        v.update({d.key: x[lo:hi, j] for j, d in enumerate(p.drawn)})
        out[lo:hi] = option_present_values(p.options, p.horizon_years, to_base_prices(v, p.prices), hi - lo)
    return out


def local_map(workers: int | None = None) -> Callable:
    """A ``map(function, items, done)`` over threads (numpy releases the GIL), results in order.

    ``done(item)`` is called as each item finishes (for a progress bar), in this process.
    """
    import os

    def run(fn, items: Iterable, done: Callable | None = None):
        items = list(items)
        n = workers or min(len(items), os.cpu_count() or 1)
        if n <= 1:
            out = []
            for i in items:
                out.append(fn(i))
                if done:
                    done(i)
            return out
        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [pool.submit(fn, i) for i in items]
            if done:
                for i, f in zip(items, futures):
                    f.add_done_callback(lambda _f, i=i: done(i))
            return [f.result() for f in futures]
    return run


@dataclass(frozen=True)
class MonteCarlo:
    """Results of a Monte Carlo run; ``present_value`` is ``draws × options`` (GBP real, price base)."""

    plan: Plan
    present_value: np.ndarray
    summary: dict = field(default_factory=dict)

    @property
    def options(self) -> tuple[str, ...]:
        return self.plan.option_keys

    @property
    def npc_vs_do_minimum(self) -> np.ndarray:
        return self.present_value - self.present_value[:, [self.options.index(COMPARATOR)]]


def prepare(p: Plan, mapper: Callable) -> None:
    """Build the PERT quantile tables (one per distinct shape) through ``mapper``, before the blocks.

    Each process builds its tables once (cached); on local threads building them in parallel saves
    wall-clock time. Cluster workers build their own on first use.
    """
    if p.distribution == "pert":
        shapes = sorted({pert_shape(d) for d in p.drawn})
        mapper(lambda shape: beta_quantile(*shape), shapes)


def montecarlo(p: Plan, mapper: Callable | None = None, on_draws: Callable[[int], None] | None = None) -> MonteCarlo:
    """Run every block through ``mapper(fn, blocks, done)`` (default: local threads) and summarise.

    ``on_draws(n)`` is told as each block of ``n`` draws finishes (progress).
    """
    if mapper is None:
        mapper = local_map()
        prepare(p, mapper)
    done = (lambda block: on_draws(p.block_size(block))) if on_draws else None
    parts = mapper(functools.partial(block_present_values, p), range(p.blocks), done)
    pv = np.concatenate(list(parts), axis=0)
    return MonteCarlo(p, pv, summarise(pv, p.option_keys))


def summarise(pv: np.ndarray, options: tuple[str, ...]) -> dict:
    """Percentiles (numpy's default linear rule) of PV and NPC vs business as usual, P(cheapest), P(NPC < 0)."""
    base = options.index(COMPARATOR)
    npc = pv - pv[:, [base]]
    cheapest = np.bincount(np.argmin(pv, axis=1), minlength=len(options)) / pv.shape[0]
    columns = [pv[:, i] for i in range(len(options))] + [npc[:, i] for i in range(len(options))]
    pct = functools.partial(np.percentile, q=PERCENTILES)  # each column alone: the same values as axis=0
    if pv.shape[0] >= 100_000:  # a million draws: the partitions take a few tenths of a second, on both cores
        with ThreadPoolExecutor(max_workers=2) as pool:
            q = list(pool.map(pct, columns))
    else:
        q = [pct(c) for c in columns]
    pv_q = np.stack(q[:len(options)], axis=1)
    npc_q = np.stack(q[len(options):], axis=1)
    out = {}
    for i, o in enumerate(options):
        out[o] = {
            "present_value": {f"p{q}": float(pv_q[n, i]) for n, q in enumerate(PERCENTILES)} | {"mean": float(pv[:, i].mean())},
            "npc_vs_do_minimum": {f"p{q}": float(npc_q[n, i]) for n, q in enumerate(PERCENTILES)} | {"mean": float(npc[:, i].mean())},
            "probability_cheapest": float(cheapest[i]),
            "probability_npc_vs_do_minimum_negative": None if i == base else float((npc[:, i] < 0).mean()),
        }
    return out
