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
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import Figure, kernel_against_numpy  # noqa: E402


def run(quick: bool = False) -> list[Figure]:
    from costmodel import compiled_engine
    draws, repeats, load, times = kernel_against_numpy(compiled_engine, quick)
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
