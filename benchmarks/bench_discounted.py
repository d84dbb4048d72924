"""The engine's discounted grid compiled (costmodel.native.discounted) against its numpy code, in the same run.

    python benchmarks/bench_discounted.py            # 262,144 draws, 7 runs of each, alternating
    python benchmarks/bench_discounted.py --quick    # 65,536 draws, 3 runs of each

In this process, on one thread: the draws of the bundled example made first, then
:func:`costmodel.montecarlo.costs_of_draws` (every option, every cost line, the command's engine passes) timed
with the kernels and with ``costmodel.discounted._KERNEL`` set to None (the numpy tables and flags), the two
alternating, with the compiled engine off (it does not call these kernels). CPU seconds of this process
(``time.process_time``) and wall seconds, medians; the load average.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import Figure, kernel_against_numpy  # noqa: E402


def run(quick: bool = False) -> list[Figure]:
    from costmodel import discounted
    draws, repeats, load, times = kernel_against_numpy(discounted, quick, numpy_engine=True)
    wall = {n: statistics.median(t[0] for t in ts) for n, ts in times.items()}
    cpu = {n: statistics.median(t[1] for t in ts) for n, ts in times.items()}
    base = f"numpy tables and flags {cpu['numpy']:.3f} s CPU"
    return [
        Figure(f"engine, {draws:,} draws, compiled grid, CPU seconds (median of {repeats}; load average {load:.2f})",
               cpu["compiled"], "s", cpu["compiled"] / cpu["numpy"], base),
        Figure(f"engine, {draws:,} draws, compiled grid, wall seconds (median of {repeats})", wall["compiled"], "s",
               wall["compiled"] / wall["numpy"], f"numpy {wall['numpy']:.3f} s wall"),
        Figure("engine CPU seconds a million draws, compiled grid", cpu["compiled"] * 1e6 / draws, "s"),
    ]


def main():
    from run import report
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="65,536 draws, 3 runs of each")
    args = ap.parse_args()
    report({"discounted": run(quick=args.quick)})


if __name__ == "__main__":
    main()
