"""Run the national picture chunk by chunk: build each council, cost its central case and, with draws, every block of
its draws as a task (councils × draw blocks) on local threads or a Dask cluster.

Each council's draws use the one seed and the blocks of :mod:`costmodel.montecarlo`, so its figures are the same
whatever the chunk, the backend or the order tasks finish in, and the same as ``costmodel montecarlo --council``.
A finished chunk's result (plain data) goes to ``on_chunk`` (the journal that ``--resume`` reads) before the next.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import montecarlo as mc
from ..evidence.national_councils import build
from ..national import CHUNK, Built, Council, central_records, drawn_records, failed_record, incomplete_records

@dataclass
class Outcome:
    """What a run found, council by council (``records`` by ONS code), plus the names that matched no council."""

    records: dict[str, list[dict]] = field(default_factory=dict)
    incomplete: dict[str, list[dict]] = field(default_factory=dict)
    failed: dict[str, dict] = field(default_factory=dict)

    def add(self, part: dict) -> None:
        """Merge one chunk's result (as :func:`run_chunk` returns it, or as the journal read it back)."""
        for key in ("records", "incomplete", "failed"):
            getattr(self, key).update(part[key])


def cost_block(task: tuple[mc.Plan, int]) -> np.ndarray:
    """One task: the present values (draws × options, GBP) of one block of one council's draws."""
    p, block = task
    return mc.block_present_values(p, block)


def central_part(councils: list[Council]) -> tuple[dict, list[Built]]:
    """Build each council and cost its central case: the chunk's result without draws, and the councils built."""
    part = {"records": {}, "incomplete": {}, "failed": {}}
    built = []
    for c in councils:
        b = build(c)
        if isinstance(b, Built):
            built.append(b)
            part["records"][c.code] = central_records(b)
            part["incomplete"][c.code] = incomplete_records(b)
        else:
            part["failed"][c.code] = failed_record(b)
    return part, built


def add_draws(part: dict, built: list[Built], draws: int, seed: int, mapper: Callable) -> None:
    """Every block of every built council's draws through ``mapper``; each council's summary added to its records."""
    if not draws or not built:
        return
    plans = [mc.plan(b.assumptions, draws, seed) for b in built]
    tasks = [(p, block) for p in plans for block in range(p.blocks)]
    parts = iter(mapper(cost_block, tasks))
    for b, p in zip(built, plans):
        pv = np.concatenate([next(parts) for _ in range(p.blocks)], axis=0)
        part["records"][b.council.code] += drawn_records(b.council, mc.summarise(pv, p.option_keys))


def run_chunk(councils: list[Council], draws: int, seed: int, mapper: Callable) -> dict:
    """One chunk: each council built and costed (central; with ``draws``, every block through ``mapper``)."""
    part, built = central_part(councils)
    add_draws(part, built, draws, seed, mapper)
    return part


def run(councils: list[Council], draws: int, seed: int, mapper: Callable, done: Outcome | None = None,
        chunk: int = CHUNK, on_chunk: Callable[[dict, list[Council]], None] | None = None) -> Outcome:
    """Every council not already in ``done``, ``chunk`` at a time; ``on_chunk(part, councils)`` after each chunk.

    The next chunk's councils are built (and their central cases costed) on a second thread while this chunk's
    draws are costed, so the workers are not idle meanwhile; the results do not depend on it.
    """
    out = done or Outcome()
    finished = set(out.records) | set(out.failed)
    todo = [c for c in councils if c.code not in finished]
    groups = [todo[lo:lo + chunk] for lo in range(0, len(todo), chunk)]
    with ThreadPoolExecutor(max_workers=1) as ahead:
        following = ahead.submit(central_part, groups[0]) if groups else None
        for n, group in enumerate(groups):
            part, built = following.result()
            following = ahead.submit(central_part, groups[n + 1]) if n + 1 < len(groups) else None
            add_draws(part, built, draws, seed, mapper)
            out.add(part)
            if on_chunk:
                on_chunk(part, group)
    return out


def assembled(outcome: Outcome, councils: list[Council], unmatched: list[dict]) -> dict:
    """The run's result in the selection's order: ``records``, ``incomplete`` (fallbacks) and ``failed`` lists."""
    codes = [c.code for c in councils]
    return {"records": [r for code in codes for r in outcome.records.get(code, [])],
            "incomplete": [r for code in codes for r in outcome.incomplete.get(code, [])],
            "failed": unmatched + [outcome.failed[code] for code in codes if code in outcome.failed]}
