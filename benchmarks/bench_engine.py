"""The compiled engine (costmodel.native.engine_v4 or engine_v3) against the numpy engine it stands in for, in the same run.

    python benchmarks/bench_engine.py            # 262,144 draws, 7 runs of each, alternating
    python benchmarks/bench_engine.py --quick    # 65,536 draws, 3 runs of each

In this process, on one thread: the draws of the bundled example made first, then
:func:`costmodel.montecarlo.costs_of_draws` (every option, every cost line, the command's engine passes of 16,384
draws) timed with the compiled engine and with ``costmodel.compiled_engine._KERNEL`` set to None (the numpy
engine, itself on the compiled discounted grid), the two alternating. CPU seconds of this process
(``time.process_time``) and wall seconds, the least of the runs (the machine is shared); the load average.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import Figure  # noqa: E402


def _timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def run(quick: bool = False) -> list[Figure]:
    from costmodel import compiled_engine, montecarlo as mc, sampling
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    draws, repeats = (65_536, 3) if quick else (262_144, 7)
    p = mc.plan(load_folder(bundled_assumptions()), draws, 1)
    mc.prepare(p, mc.local_map(workers=1))
    xs = [sampling.draw_block(list(p.drawn), p.seed, b, p.block_size(b), p.distribution, p.correlation) for b in range(p.blocks)]
    compiled = compiled_engine._KERNEL
    if compiled is None:
        raise SystemExit("no compiled engine for this processor (costmodel.native.engine_v4 or engine_v3: x86-64 with AVX2, and a C compiler when installing): nothing to compare")

    def engine():
        for x in xs:
            mc.costs_of_draws(p, x)

    times = {"compiled": [], "numpy": []}
    load = os.getloadavg()[0]
    try:
        for _ in range(repeats):
            for name, k in (("compiled", compiled), ("numpy", None)):
                compiled_engine._KERNEL = k
                times[name].append(_timed(engine))
    finally:
        compiled_engine._KERNEL = compiled
    load = max(load, os.getloadavg()[0])
    wall = {n: min(t[0] for t in ts) for n, ts in times.items()}
    cpu = {n: min(t[1] for t in ts) for n, ts in times.items()}
    return [
        Figure(f"engine, {draws:,} draws, compiled engine, CPU seconds (least of {repeats}; load average {load:.2f})",
               cpu["compiled"], "s", cpu["compiled"] / cpu["numpy"], f"numpy engine {cpu['numpy']:.3f} s CPU"),
        Figure(f"engine, {draws:,} draws, compiled engine, wall seconds (least of {repeats})", wall["compiled"], "s",
               wall["compiled"] / wall["numpy"], f"numpy engine {wall['numpy']:.3f} s wall"),
        Figure("engine CPU seconds a million draws, compiled engine", cpu["compiled"] * 1e6 / draws, "s"),
        Figure("engine CPU seconds a million draws, numpy engine", cpu["numpy"] * 1e6 / draws, "s"),
    ]


def main():
    from run import report
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="65,536 draws, 3 runs of each")
    args = ap.parse_args()
    report({"engine": run(quick=args.quick)})


if __name__ == "__main__":
    main()
