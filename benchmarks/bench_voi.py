"""Value of information and Sobol speed: EVPPI of every lever and group, Sobol indices of every ranged lever.

    python benchmarks/bench_voi.py                      # 10^5 draws for EVPPI, 2^14 base samples for Sobol, LibreOffice rate
    python benchmarks/bench_voi.py --no-libreoffice     # the engine only
    python benchmarks/bench_voi.py --draws 20000 --base 1024 --lo-recalcs 20   # a quick look

Times, in one run: (1) a Monte Carlo of ``--draws`` draws keeping every draw's levers, then the EVPPI
(regression, with standard errors) of every drawn lever and every group in scenarios.yaml, and the
EVPI; (2) Sobol indices (SALib) from ``--base`` base samples of every ranged lever, ``base × (factors
+ 2)`` model runs, with 100 bootstrap resamples for the intervals. Beside each, the time LibreOffice
would take for the same model runs at the recalculation rate measured in this run (the workbook open,
inputs written and ``calculateAll()`` through UNO, as ``bench_montecarlo.py`` does): the ratio is the
speed-up over doing the same in a spreadsheet.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_montecarlo beside this file

from costmodel import montecarlo as mc  # noqa: E402
from costmodel import voi  # noqa: E402
from costmodel.analysis.blas import one_blas_thread  # noqa: E402
from costmodel.analysis.sobol import sobol_indices  # noqa: E402
from costmodel.cli.common import load_assumptions  # noqa: E402
from costmodel.groups import lever_groups  # noqa: E402


def timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def evppi_run(a, draws: int, seed: int):
    """The Monte Carlo with inputs, then EVPI and the EVPPI of every lever and group: (result, seconds of each part)."""
    p = mc.plan(a, draws, seed)
    r, t_mc, c_mc = timed(lambda: mc.montecarlo(p, keep_inputs=True))
    keys = [d.key for d in p.drawn]
    sets = [(k, k, (k,)) for k in keys] + [(g.key, g.label, g.levers) for g in lever_groups(a)]
    with one_blas_thread():
        parts, t_fit, c_fit = timed(lambda: voi.partial_values(r.present_value, r.inputs, keys, sets))
    return voi.evpi(r.present_value), parts, len(keys), (t_mc, c_mc, t_fit, c_fit)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draws", type=int, default=100_000, help="Monte Carlo draws for the EVPPI (default 10^5)")
    ap.add_argument("--base", type=int, default=2**14, help="Sobol base samples, a power of 2 (default 2^14)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lo-recalcs", type=int, default=100, help="LibreOffice recalculations to measure its rate")
    ap.add_argument("--no-libreoffice", action="store_true")
    args = ap.parse_args(argv)
    a = load_assumptions()
    mc.montecarlo(mc.plan(a, 2000, args.seed))  # imports and PERT tables, outside the timings
    e, parts, levers, (t_mc, c_mc, t_fit, c_fit) = evppi_run(a, args.draws, args.seed)
    groups = len(parts) - levers
    top = max(parts[levers:], key=lambda q: q.evppi.value)
    print(f"EVPPI: {args.draws:,} draws ({t_mc:.2f} s wall, {c_mc:.2f} CPU-s) + {levers} levers and {groups} groups by regression "
          f"({t_fit:.2f} s wall, {c_fit:.2f} CPU-s) = {t_mc + t_fit:.2f} s on {os.cpu_count()} cores; "
          f"EVPI £{e.value:,.0f} ± £{e.standard_error:,.0f}; largest group {top.key} £{top.evppi.value:,.0f} ± £{top.evppi.standard_error:,.0f}")
    s, t_sobol, c_sobol = timed(lambda: sobol_indices(a, args.base, args.seed))
    print(f"Sobol: {args.base:,} base samples x {len(s.factors)} factors = {s.runs:,} model runs + SALib analysis of "
          f"{len(s.outputs)} outputs in {t_sobol:.2f} s wall, {c_sobol:.2f} CPU-s")
    if args.no_libreoffice:
        return
    from bench_montecarlo import libreoffice  # the bundled workbook, recalculated by LibreOffice through UNO
    lo_seconds, worst = libreoffice(args.lo_recalcs, args.seed)
    rate = args.lo_recalcs / lo_seconds
    print(f"LibreOffice (UNO, workbook open, calculateAll): {rate:,.1f} recalculations/s (worst relative difference "
          f"from the engine {worst:.1e})")
    for name, runs, seconds in (("EVPPI", args.draws, t_mc + t_fit), ("Sobol", s.runs, t_sobol)):
        at_lo = runs / rate
        print(f"{name}: {runs:,} model runs would take LibreOffice {at_lo / 3600:,.1f} h ({at_lo:,.0f} s); "
              f"here {seconds:.1f} s: {at_lo / seconds:,.0f}x faster")


if __name__ == "__main__":
    sys.exit(main())
