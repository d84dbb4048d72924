"""Monte Carlo over the levers' ranges: percentiles of PV and NPC, P(cheapest), P(NPC vs BAU < 0). Pure.

Work is split into blocks of :data:`costmodel.sampling.BLOCK` draws, each with its own random stream,
so the same seed gives identical results whatever the chunk size (draws per engine pass, the memory
bound) or the backend that runs the blocks (threads here, Dask in :mod:`costmodel.backends.dask_cluster`).
Percentiles are exact: every draw's present values are kept (``draws × options`` floats).

Every estimate carries its Monte Carlo standard error (:func:`standard_errors`). Draws are
independent, so a probability ``p`` from ``N`` draws has ``√(p(1 − p)/N)`` and a mean ``s/√N``; a
percentile's comes from the order statistics (the binomial method): the ``q``-th percentile's rank
is Binomial(N, q), so the sample percentiles at ``q ± √(q(1 − q)/N)`` bracket it by one standard error
either side, and half their distance is the standard error (no assumption about the distribution's
shape). Under quasi-Monte Carlo the points are not independent: every statistic is computed in each
independently scrambled replicate (:data:`costmodel.sampling.QMC_REPLICATE` points) and its standard
error is the replicates' standard deviation over √R (randomised QMC, Owen 1997).
"""
from __future__ import annotations

import dataclasses
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from . import compiled_engine
from .assumptions import COMPARATOR, Assumptions, Option
from .prices import PricePlan, convert, prepare_conversion
from .sampling import (BLOCK, QMC_REPLICATE, Drawn, Uniforms, correlation_matrix, drawn_levers, prepare_draws,
                       to_levers)
from .discounted import Workspace
from .line_values import option_present_values

PERCENTILES = (5, 50, 95)
#: Draws per engine pass by default. The compiled engine (:mod:`costmodel.compiled_engine`) costs a pass in one
#: loop over its draws, reading every drawn lever's slice of them: at 4,096 draws those slices (72 levers × 32 KB)
#: stay in the processor's cache, and the command ran 10–15 % faster than at 16,384 (docs/performance.md). The
#: numpy engine works on columns of this many draws (128 KB each) and a few tables of ``years + 2`` rows of them
#: (:class:`costmodel.discounted.Workspace`), spending about 2 ms in Python a pass whatever its size: 16,384 draws
#: keep that to about an eighth of the pass.
MC_CHUNK = 4096 if compiled_engine._KERNEL is not None else 16384
#: The command's local blocks in forked processes (Linux) rather than threads: for the numpy engine, whose ~1,300
#: calls a pass each take the interpreter lock back (two threads hand it to each other tens of thousands of times a
#: run). The compiled engine lets go of the lock for a whole pass, so two threads share it little, and they save the
#: fork and the pages it copies: a million draws about 0.1 s faster on two cores (median of 12 runs each, in turn).
PROCESSES = compiled_engine._KERNEL is None
#: Draws made at a time (each lever's column mapped through its quantile table in one call): at least a pass.
DRAW_STEP = 32768


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
    qmc: bool = False

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    @property
    def blocks(self) -> int:
        return -(-self.draws // BLOCK)

    def block_size(self, block: int) -> int:
        return min(BLOCK, self.draws - block * BLOCK)


def plan(a: Assumptions, draws: int, seed: int, distribution: str = "pert", chunk: int = MC_CHUNK,
         qmc: bool = False) -> Plan:
    """Decide what is drawn (see :func:`costmodel.sampling.drawn_levers`) and check the correlations."""
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if chunk < 1:
        raise ValueError("chunk size must be at least 1")
    drawn, held = drawn_levers(a)
    return Plan(a.options, a.horizon_years, a.raw_values("central"), tuple(drawn), tuple(held),
                correlation_matrix(a, drawn), int(draws), int(seed), distribution, int(chunk), a.price_plan, bool(qmc))


def block_present_values(p: Plan, block: int, keep_inputs: bool = False, out: np.ndarray | None = None,
                         part: tuple[int, int] | None = None):
    """Present values of one block's draws, ``size × options`` GBP: drawn :data:`DRAW_STEP` at a time (into
    memory reused from step to step) and costed ``p.chunk`` draws per engine pass. ``out``: the run's
    ``draws × options`` array, whose rows of this block are written (and returned). ``part``: only the block's
    draws ``first … last − 1`` (the same values as in the whole block's run).

    With ``keep_inputs``: ``(draws of the drawn levers, size × levers; present values)``.
    """
    first, last = part or (0, p.block_size(block))
    size = last - first
    drawn = list(p.drawn)
    uniforms = Uniforms(drawn, p.seed, block, p.block_size(block), p.qmc, first)
    step = min(size, max(p.chunk, DRAW_STEP))
    costing = _costing(p)
    buffer = costing.workspace.array("draws", (len(drawn), step)).T  # each lever's column contiguous
    kept = np.empty((size, len(drawn)), order="F") if keep_inputs else None
    row = block * BLOCK + first
    out = np.empty((size, len(p.options))) if out is None else out[row:row + size]
    for first in range(0, size, step):
        last = min(size, first + step)
        x = to_levers(uniforms.take(buffer[:last - first]), drawn, p.distribution, p.correlation)
        if keep_inputs:
            kept[first:last] = x
        for lo in range(0, last - first, p.chunk):
            hi = min(last - first, lo + p.chunk)
            out[first + lo:first + hi] = costing(x[lo:hi])
    return (kept, out) if keep_inputs else out


class Costing:
    """Present values of passes of draws (``n × drawn levers``): the held levers converted to base-year
    prices once, the compiled engine's arguments laid out once (:class:`costmodel.compiled_engine.PassTemplate`,
    None: the numpy engine), the per-scenario tables' memory reused from pass to pass."""

    def __init__(self, p: Plan):
        self.plan = p
        self.keys = tuple(d.key for d in p.drawn)
        self.prices = prepare_conversion(p.central, p.prices, self.keys)
        self.compiled = compiled_engine.pass_template(p.options, p.horizon_years, self.prices, self.keys)
        self.workspace = Workspace()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        p = self.plan
        drawn = dict(zip(self.keys, x.T))  # each drawn lever's column
        out = self.compiled(drawn, x.shape[0]) if self.compiled is not None else None
        if out is not None:
            return out
        v = convert(self.prices, drawn)
        return option_present_values(p.options, p.horizon_years, v, x.shape[0], self.workspace)


_here = threading.local()  #: this thread's :class:`Costing` of the plan it is running


def _costing(p: Plan) -> Costing:
    """This thread's :class:`Costing` of ``p``, kept from block to block so that each block's passes write into
    memory already mapped (a fresh one costs every block page faults: about 3 ms). Dropped at the end of a run
    (:func:`montecarlo`); worker threads and processes take theirs with them when they end."""
    c = getattr(_here, "costing", None)
    if c is None or c.plan is not p:
        c = _here.costing = Costing(p)
    return c


def costs_of_draws(p: Plan, x: np.ndarray) -> np.ndarray:
    """Present values, ``n × options`` GBP, of draws ``x`` (``n × drawn levers``), ``p.chunk`` draws per engine pass."""
    size = x.shape[0]
    out = np.empty((size, len(p.options)))
    costing = Costing(p)
    for lo in range(0, size, p.chunk):
        hi = min(size, lo + p.chunk)
        out[lo:hi] = costing(x[lo:hi])
    return out


def cores() -> int:
    """Cores this process may run on (its CPU affinity where the system has one, else every core)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def local_map(workers: int | None = None) -> Callable:
    """A ``map(function, items, done)`` over threads (numpy releases the GIL), results in order.

    ``done(item)`` is called as each item finishes (for a progress bar), in this process.
    """
    def run(fn, items: Iterable, done: Callable | None = None):
        items = list(items)
        n = workers or min(len(items), cores())
        if n <= 1:
            out = []
            for i in items:
                out.append(fn(i))
                if done:
                    done(i)
            return out
        pool = ThreadPoolExecutor(max_workers=n)
        try:
            futures = [pool.submit(fn, i) for i in items]
            if done:
                for i, f in zip(items, futures):
                    f.add_done_callback(lambda _f, i=i: done(i))
            return [f.result() for f in futures]
        finally:  # a stopped command (a signal raised here) waits for the items being costed, not for the rest
            pool.shutdown(wait=True, cancel_futures=True)
    return run


@dataclass(frozen=True)
class MonteCarlo:
    """Results of a Monte Carlo run; ``present_value`` is ``draws × options`` (GBP real, price base)."""

    plan: Plan
    present_value: np.ndarray
    summary: dict = field(default_factory=dict)
    inputs: np.ndarray | None = None  #: ``draws × drawn levers`` when asked for (value of information)

    @property
    def options(self) -> tuple[str, ...]:
        return self.plan.option_keys

    @property
    def npc_vs_do_minimum(self) -> np.ndarray:
        return self.present_value - self.present_value[:, [self.options.index(COMPARATOR)]]


def prepare(p: Plan, mapper: Callable) -> None:
    """Build what the draws need before the blocks (:func:`costmodel.sampling.prepare_draws`: the PERT quantile
    tables, each table through ``mapper``, and scipy's modules for QMC, or for a copula without the compiled kernel).

    Each process builds its tables once (cached). Cluster workers build their own on first use; a mapper with
    ``prepare_here`` set (forked processes, :mod:`costmodel.backends.processes`) has them built here first, to inherit.
    """
    prepare_draws(p.drawn, p.distribution, p.correlation, p.qmc, mapper)


def ready(p: Plan, mapper: Callable | None) -> Callable:
    """The mapper to run ``p``'s blocks on (local threads when None), with :func:`prepare` done in this process first
    unless the mapper's workers build their own tables (a cluster's; forked processes set ``prepare_here``)."""
    if mapper is None or getattr(mapper, "prepare_here", False):
        prepare(p, local_map())
    return mapper or local_map()


def montecarlo(p: Plan, mapper: Callable | None = None, on_draws: Callable[[int], None] | None = None,
               keep_inputs: bool = False) -> MonteCarlo:
    """Run every block through ``mapper(fn, blocks, done)`` (default: local threads) and summarise.

    ``on_draws(n)`` is told as each block of ``n`` draws finishes (progress). ``keep_inputs`` keeps
    every draw's lever values too (``draws × levers``), for the value of information.
    """
    try:
        return _montecarlo(p, mapper, on_draws, keep_inputs)
    finally:
        _here.__dict__.pop("costing", None)  # this thread's work space: not kept after the run


def _montecarlo(p: Plan, mapper, on_draws, keep_inputs: bool) -> MonteCarlo:
    local = mapper is None
    mapper = ready(p, mapper)
    shared = getattr(mapper, "shared", None)  # forked processes: an array in memory they share with this one
    if (local or shared) and not keep_inputs:  # every block writes its rows into one array: nothing sent, nothing joined
        pv = shared((p.draws, len(p.options))) if shared else np.empty((p.draws, len(p.options)))
        done = (lambda part: on_draws(part[2] - part[1])) if on_draws else None
        list(mapper(functools.partial(_cost_part, p, pv), halves(p), done))
        return MonteCarlo(p, pv, summarise(pv, p.option_keys, QMC_REPLICATE if p.qmc else None))
    done = (lambda block: on_draws(p.block_size(block))) if on_draws else None
    parts = list(mapper(functools.partial(block_present_values, p, keep_inputs=keep_inputs), range(p.blocks), done))
    if keep_inputs:
        x = np.concatenate([part[0] for part in parts], axis=0)
        parts = [part[1] for part in parts]
    pv = np.concatenate(parts, axis=0)
    del parts
    return MonteCarlo(p, pv, summarise(pv, p.option_keys, QMC_REPLICATE if p.qmc else None), x if keep_inputs else None)


def halves(p: Plan) -> list[tuple[int, int, int]]:
    """The run's work as ``(block, first, last)``: each whole block in two halves, so that two workers share a
    million draws (15 whole blocks and a short one) within 2 % of evenly, not 5 % (8 blocks against 7 and a bit).
    Under QMC a block's points are made at once: whole blocks."""
    half = BLOCK // 2
    parts = []
    for block in range(p.blocks):
        size = p.block_size(block)
        if size == BLOCK and not p.qmc:
            parts += [(block, 0, half), (block, half, BLOCK)]
        else:
            parts.append((block, 0, size))
    return parts


def _cost_part(p: Plan, pv: np.ndarray, part: tuple[int, int, int]) -> None:
    """Write the present values of ``part`` (block, first, last) into its rows of ``pv`` (nothing to send back)."""
    block, first, last = part
    block_present_values(p, block, out=pv, part=(first, last))


def to_target(p: Plan, target_se: float, max_draws: int, mapper: Callable | None = None,
              on_draws: Callable[[int], None] | None = None) -> MonteCarlo:
    """Draw whole blocks until the headline probability's standard error is below ``target_se``.

    Starts with ``p.draws``; each round predicts the draws needed from ``SE ∝ 1/√N``, rounds up to
    whole blocks and stops at ``max_draws``. The result equals one run of its final draw count (the
    same blocks), so it is reproducible.
    """
    result = montecarlo(p, mapper, on_draws)  # the tables built here, when they are (:func:`ready`)
    mapper = mapper or local_map()
    try:
        return _more_blocks(result, target_se, max_draws, mapper, on_draws)
    finally:
        _here.__dict__.pop("costing", None)


def _more_blocks(result: MonteCarlo, target_se: float, max_draws: int, mapper: Callable, on_draws) -> MonteCarlo:
    while True:
        _, prob, se = headline(result.summary)
        n = result.plan.draws
        if se is not None and se < target_se or n >= max_draws:
            return result
        want = n * (se / target_se) ** 2 * 1.05 if se else 2 * n
        more = min(max_draws, max(n // BLOCK + 1, -(-int(want) // BLOCK)) * BLOCK)  # whole blocks, at least one more
        kept = n // BLOCK  # whole blocks already costed; a short last block is costed again in full
        q = dataclasses.replace(result.plan, draws=more)
        done = (lambda block: on_draws(q.block_size(block))) if on_draws else None
        new = list(mapper(functools.partial(block_present_values, q), range(kept, q.blocks), done))
        pv = np.concatenate([result.present_value[:kept * BLOCK]] + new, axis=0)
        result = MonteCarlo(q, pv, summarise(pv, q.option_keys, QMC_REPLICATE if q.qmc else None))


def headline(summary: dict) -> tuple[str, float, float | None]:
    """The option most often cheapest, that probability and its standard error: the headline figure."""
    best = max(summary, key=lambda o: summary[o]["probability_cheapest"])
    s = summary[best]
    return best, s["probability_cheapest"], s["standard_error"]["probability_cheapest"]


def summarise(pv: np.ndarray, options: tuple[str, ...], replicate: int | None = None) -> dict:
    """Percentiles (numpy's default linear rule) of PV and NPC vs business as usual, P(cheapest), P(NPC < 0),
    each with its standard error (``replicate``: the QMC replicate size, else independent draws)."""
    base = options.index(COMPARATOR)
    n = pv.shape[0]
    qs = percentile_points(n) if replicate is None else np.array(PERCENTILES, dtype=float)
    columns = [(i, None) for i in range(len(options))] + [(i, base) for i in range(len(options))]

    def stats(column):  # one column (PV, or NPC made here: no draws × options copy): percentiles, mean, sd, share < 0
        i, minus = column
        if minus == i:  # business as usual against itself: nought in every draw
            return np.zeros(qs.shape), 0.0, 0.0, 0.0
        c = pv[:, i].copy() if minus is None else pv[:, i] - pv[:, minus]  # a copy: it is sorted
        m = c.mean()
        var = max(float(np.einsum("i,i->", c, c)) / n - m * m, 0.0)  # one pass, no BLAS; ample precision for a standard error
        below = float(np.count_nonzero(c < 0)) / n
        c.sort()  # a vectorised sort, then the ranks read off: a third of the time of selecting 18 ranks
        return sorted_percentiles(c, qs), m, float(np.sqrt(var)), below
    if n >= 100_000:  # a million draws: a few tenths of a second, shared between both cores
        with ThreadPoolExecutor(max_workers=2) as pool:
            wins = pool.submit(np.argmin, pv, axis=1)
            found = list(pool.map(stats, columns))
            cheapest_index = wins.result()
    else:
        found = [stats(c) for c in columns]
        cheapest_index = np.argmin(pv, axis=1)
    cheapest = np.bincount(cheapest_index, minlength=len(options)) / n
    q, means, sd, below = (list(t) for t in zip(*found))
    negative = below[len(options):]
    if replicate is None:
        se = iid_errors(q, sd, means, cheapest, negative, n)
    else:
        se = replicate_errors(pv, pv - pv[:, [base]], cheapest_index, replicate)
    out = {}
    k = len(options)
    for i, o in enumerate(options):
        out[o] = {
            "present_value": {f"p{x}": float(q[i][m]) for m, x in enumerate(PERCENTILES)} | {"mean": float(means[i])},
            "npc_vs_do_minimum": {f"p{x}": float(q[k + i][m]) for m, x in enumerate(PERCENTILES)} | {"mean": float(means[k + i])},
            "probability_cheapest": float(cheapest[i]),
            "probability_npc_vs_do_minimum_negative": None if i == base else float(negative[i]),
            "standard_error": se(i, base),
        }
    return out


def sorted_percentiles(c: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Percentiles ``q`` (0–100) of the sorted column ``c`` by numpy's default ("linear") rule: the value at rank
    ``v = q/100 × (n − 1)``, between the two values either side, ``a + (b − a) g`` (``b − (b − a)(1 − g)`` from
    ``g = v − ⌊v⌋ ≥ 1/2``, as numpy does, so the result never leaves ``[a, b]``). No search: the column is sorted."""
    v = np.asarray(q, dtype=float) / 100.0 * (c.size - 1)
    lo = np.floor(v).astype(np.intp)
    g = v - lo
    a, b = c.take(lo), c.take(np.minimum(lo + 1, c.size - 1))
    return np.where(g >= 0.5, b - (b - a) * (1.0 - g), a + (b - a) * g)


def percentile_points(n: int) -> np.ndarray:
    """:data:`PERCENTILES`, then each one ± one binomial standard error of its rank (in percent, within 0–100)."""
    q = np.array(PERCENTILES, dtype=float) / 100.0
    d = np.sqrt(q * (1.0 - q) / n)
    return 100.0 * np.concatenate([q, np.clip(q - d, 0.0, 1.0), np.clip(q + d, 0.0, 1.0)])


def iid_errors(q, sd, means, cheapest, negative, n) -> Callable:
    """Standard errors of independent draws: binomial for probabilities, ``s/√N`` for means, order statistics for percentiles."""
    m = len(PERCENTILES)
    k = len(sd) // 2

    def one(col):
        pct = {f"p{x}": float((q[col][2 * m + j] - q[col][m + j]) / 2.0) for j, x in enumerate(PERCENTILES)}
        return pct | {"mean": float(sd[col] / np.sqrt(n))}

    def se(i, base):
        p = cheapest[i]
        return {"present_value": one(i), "npc_vs_do_minimum": one(k + i),
                "probability_cheapest": float(np.sqrt(p * (1.0 - p) / n)),
                "probability_npc_vs_do_minimum_negative": None if i == base else float(np.sqrt(negative[i] * (1.0 - negative[i]) / n))}
    return se


def replicate_errors(pv, npc, cheapest_index, replicate: int) -> Callable:
    """Standard errors between independent QMC replicates (full ones only): ``sd / √R``; None with fewer than two."""
    R = pv.shape[0] // replicate
    k = pv.shape[1]

    def spread(x):  # x: R × …
        return x.std(axis=0, ddof=1) / np.sqrt(R) if R >= 2 else np.full(x.shape[1:], np.nan)
    cut = R * replicate
    stats = {}
    for name, arr in (("present_value", pv), ("npc_vs_do_minimum", npc)):
        r = arr[:cut].reshape(R, replicate, k) if R else np.zeros((0, 1, k))
        stats[name] = (spread(np.percentile(r, PERCENTILES, axis=1).transpose(1, 0, 2)) if R else None, spread(r.mean(axis=1)) if R else None)
    wins = spread(np.stack([np.bincount(cheapest_index[j * replicate:(j + 1) * replicate], minlength=k) / replicate
                            for j in range(R)])) if R else None
    neg = spread((npc[:cut].reshape(R, replicate, k) < 0).mean(axis=1)) if R else None

    def value(x):
        return None if x is None or np.isnan(x) else float(x)

    def se(i, base):
        out = {name: {f"p{x}": value(None if p is None else p[j, i]) for j, x in enumerate(PERCENTILES)}
               | {"mean": value(None if mean is None else mean[i])} for name, (p, mean) in stats.items()}
        return out | {"probability_cheapest": value(None if wins is None else wins[i]),
                      "probability_npc_vs_do_minimum_negative": None if i == base else value(None if neg is None else neg[i])}
    return se
