"""Monte Carlo speed: the full engine in draws per second, against LibreOffice recalculating the same model.

    python benchmarks/bench_montecarlo.py --draws 1000000 --lo-recalcs 200
    /usr/bin/time -v python benchmarks/bench_montecarlo.py --draws 1000000 --no-libreoffice   # peak memory
    /usr/bin/time -v costmodel montecarlo --draws 1000000 --seed 1                              # the command itself

The engine run is ``costmodel montecarlo``'s own path (every option, every line, every draw of every
ranged lever, 10-year horizon, monthly timing), with the quantile tables built inside the timed
run (as the command does); ``--chunk-size`` defaults to the command's default. LibreOffice gets the workbook from
``costmodel.workbook.build.build_workbook``, kept open; each recalculation writes the same draws'
lever values into the Inputs sheet, calls ``calculateAll()`` and reads the four present values,
which are checked against the engine's.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from costmodel import montecarlo as mc
from costmodel import sampling
from costmodel.cli.common import load_assumptions

HERE = Path(__file__).resolve().parent


def engine_rate(a, draws: int, seed: int, chunk: int) -> tuple[float, float, mc.MonteCarlo]:
    """Wall-clock and CPU seconds (all threads) of one Monte Carlo run."""
    p = mc.plan(a, draws, seed, chunk=chunk)
    mc.montecarlo(mc.plan(a, 5000, seed, distribution="triangular"))  # warm up imports, not the PERT tables
    t0, c0 = time.perf_counter(), time.process_time()
    r = mc.montecarlo(p)
    return time.perf_counter() - t0, time.process_time() - c0, r


def libreoffice_rate(a, recalcs: int, seed: int) -> tuple[float, float]:
    """Seconds for ``recalcs`` recalculations in LibreOffice, and the worst relative PV difference."""
    from openpyxl.utils import get_column_letter
    from costmodel.workbook.build import build_workbook, save_workbook
    from costmodel.levers import defined_name
    p = mc.plan(a, recalcs, seed)
    x = sampling.draw_block(list(p.drawn), seed, 0, recalcs, p.distribution, p.correlation)
    wb = build_workbook(a)
    cells = []
    for d in p.drawn:
        dest = wb.defined_names[defined_name(d.key)].attr_text  # Inputs!$G$34: the value in use
        sheet, ref = dest.split("!")
        col_row = ref.replace("$", "")
        row = int("".join(ch for ch in col_row if ch.isdigit()))
        cells.append([sheet.strip("'"), f"{get_column_letter(5)}{row}"])  # column E: central
    outputs = [f"pv_{o}" for o in a.option_keys]
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "bench.xlsx"
        save_workbook(wb, book)
        spec = Path(tmp) / "draws.json"
        spec.write_text(json.dumps({"cells": cells, "rows": x.tolist(), "outputs": outputs}))
        out = Path(tmp) / "out.json"
        subprocess.run(["/usr/bin/python3", str(HERE / "lo_uno_driver.py"), str(book), str(spec), str(out)], check=True,
                       timeout=3600)
        res = json.loads(out.read_text())
    engine = mc.montecarlo(p).present_value
    lo = np.array(res["outputs"])
    worst = float(np.max(np.abs(lo - engine) / np.abs(engine)))
    return res["seconds"], worst


def profile(a, draws: int, seed: int) -> dict[str, float]:
    """CPU seconds of each stage for ``draws`` draws on one thread: sampling, the engine's passes, the summaries."""
    p = mc.plan(a, draws, seed)
    mc.prepare(p, mc.local_map(workers=1))
    out = {"sampling": 0.0, "engine": 0.0}
    parts = []
    for block in range(p.blocks):
        c0 = time.process_time()
        x = sampling.draw_block(list(p.drawn), seed, block, p.block_size(block), p.distribution, p.correlation)
        c1 = time.process_time()
        parts.append(mc.costs_of_draws(p, x))
        c2 = time.process_time()
        out["sampling"] += c1 - c0
        out["engine"] += c2 - c1
    pv = np.concatenate(parts)
    c0 = time.process_time()
    mc.summarise(pv, p.option_keys)
    out["summaries"] = time.process_time() - c0
    return out


def _cli_chunk() -> int:
    """The default of ``costmodel montecarlo --chunk-size``, so the benchmark times the command's own path."""
    from costmodel.cli.montecarlo import montecarlo as command
    return next(p.default for p in command.params if p.name == "chunk_size")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chunk-size", type=int, default=_cli_chunk(),
                    help="draws per engine pass (default: costmodel montecarlo's --chunk-size default)")
    ap.add_argument("--lo-recalcs", type=int, default=200)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--profile", action="store_true", help="also the CPU seconds of sampling, engine and summaries (one thread)")
    args = ap.parse_args(argv)
    a = load_assumptions()
    seconds, cpu, r = engine_rate(a, args.draws, args.seed, args.chunk_size)
    rate = args.draws / seconds
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"engine: {args.draws:,} draws x {len(a.options)} options x {a.horizon_years} years "
          f"({len(r.plan.drawn)} levers drawn, {args.chunk_size:,} a pass) in {seconds:.2f} s = {rate:,.0f} draws/s on {os.cpu_count()} cores; "
          f"peak RSS {peak:,.0f} MiB (in-process)")
    print(f"engine CPU time: {cpu:.2f} s over all threads = {cpu / args.draws * 1e6:.2f} s per million draws "
          f"(on {os.cpu_count()} idle cores: {cpu / (os.cpu_count() or 1) / args.draws * 1e6:.2f} s per million; "
          f"the wall-clock figure above is higher when other programs share the cores)")
    if args.profile:
        stages = profile(a, args.draws, args.seed)
        total = sum(stages.values())
        print("profile (one thread, CPU s): " + ", ".join(f"{k} {v:.2f} ({v / total:.0%})" for k, v in stages.items()))
    if args.no_libreoffice:
        return
    lo_seconds, worst = libreoffice_rate(a, args.lo_recalcs, args.seed)
    lo_rate = args.lo_recalcs / lo_seconds
    print(f"LibreOffice (UNO, workbook open, calculateAll): {args.lo_recalcs} recalcs in {lo_seconds:.2f} s "
          f"= {lo_rate:,.1f} draws/s; present values agree with the engine to {worst:.1e} relative")
    print(f"ratio: engine / LibreOffice = {rate / lo_rate:,.0f}x")


if __name__ == "__main__":
    sys.exit(main())
