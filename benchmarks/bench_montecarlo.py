"""Monte Carlo speed and memory, measured from outside the process, against LibreOffice in the same run.

    python benchmarks/bench_montecarlo.py                  # 10^6 draws; LibreOffice: 20 recalculations
    python benchmarks/bench_montecarlo.py --quick          # 200,000 draws; 5 recalculations
    python benchmarks/bench_montecarlo.py --draws 1000000 --lo-recalcs 200 --no-libreoffice
    python benchmarks/bench_montecarlo.py --profile --no-libreoffice   # and the CPU seconds of each stage

Three measurements:

* the engine: a child process reads the bundled assumptions and runs :func:`costmodel.montecarlo.montecarlo`
  on 10^6 draws as the command does (every option, every cost line, every ranged lever, the command's own
  chunk size, its blocks on two threads (in forked processes on Linux when the numpy engine runs: montecarlo.PROCESSES),
  building the quantile tables and importing what
  that needs included). The child reports the wall and CPU seconds of that call (its worker processes'
  included) and the load average around it (other programs on the cores slow the wall clock, not the
  CPU seconds); its peak RSS is the kernel's figure for the largest process (``os.wait4``). Targets
  (issue 11): at most 1 s wall on 2 cores and 256 MiB.
* scaling: another child, the tables built, runs the same draws on one thread, two threads and two
  processes.
* the command: ``costmodel montecarlo --draws 1000000 --seed 1 --format json`` end to end (start-up,
  imports, tables, summary), wall time and peak RSS from outside, and its ratio to
  ``python -c "import numpy, yaml"`` timed in the same run.
* LibreOffice: the workbook ``costmodel workbook build`` writes, kept open in LibreOffice through UNO
  (``lo_uno_driver.py``, run by Debian's ``/usr/bin/python3`` with ``python3-uno``); each recalculation
  writes one draw's lever values into Inputs, calls ``calculateAll()`` and reads the present values back,
  which must agree with the engine's. ``COSTMODEL_SOFFICE`` chooses the ``soffice``. The ratio is the
  engine's draws a second over LibreOffice's recalculations a second.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import Figure, costmodel_command, run_program, user_env  # noqa: E402

SEED = 1
UNO_PYTHON = os.environ.get("COSTMODEL_UNO_PYTHON", "/usr/bin/python3")
TARGET_SECONDS, TARGET_MIB, TARGET_LO_RATIO = 1.0, 256, 5000


def engine_child(draws: int, seed: int) -> None:
    """In the child: load the bundled example, run the Monte Carlo, print its wall and CPU seconds as JSON."""
    from costmodel import montecarlo as mc
    from costmodel.backends.processes import process_map
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    keep_freed_memory()
    a = load_folder(bundled_assumptions())
    p = mc.plan(a, draws, seed)
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), cpu_seconds()
    r = mc.montecarlo(p, process_map() if mc.PROCESSES else None)  # as the command: threads with the compiled engine
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(json.dumps({"seconds": seconds, "cpu": cpu, "load": max(load, os.getloadavg()[0]), "levers": len(p.drawn),
                      "options": len(a.options), "years": a.horizon_years, "chunk": p.chunk,
                      "mean_pv": r.present_value.mean(axis=0).tolist()}))


def keep_freed_memory() -> None:
    """As the command does before its blocks (``cli/analysis.mapper_for``): the allocator keeps freed memory, and the
    Beta tables are kept on disk between runs (``COSTMODEL_CACHE``; the first run builds them)."""
    from costmodel.files.table_cache import keep_tables
    from costmodel.native import kernel
    keep_tables()
    memory = kernel("memory")
    if memory is not None:
        memory.keep_freed_memory()


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished (reaped) children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def threads_child(draws: int, seed: int) -> None:
    """In another child, the tables built first: the same run on one thread, on two, and in two forked processes
    (wall, CPU seconds and the voluntary context switches, which count the times a thread waited, for the
    interpreter lock or for work)."""
    import resource
    from costmodel import montecarlo as mc
    from costmodel.backends.processes import process_map
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    keep_freed_memory()
    p = mc.plan(load_folder(bundled_assumptions()), draws, seed)
    mc.prepare(p, mc.local_map())
    out = {}
    for name, mapper in (("1", mc.local_map(1)), ("2", mc.local_map(2)), ("processes", process_map(2))):
        t1, c1, v1 = time.perf_counter(), cpu_seconds(), resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
        mc.montecarlo(p, mapper)
        out[name] = (time.perf_counter() - t1, cpu_seconds() - c1, resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - v1)
    print(json.dumps(out))


def profile(draws: int, seed: int) -> dict[str, float]:
    """CPU seconds of each stage of ``draws`` draws on one thread: the quantile tables (with importing
    scipy.special), the uniforms, the levers' quantile functions and copula, the engine's passes
    (prices converted, every line's present value), the summaries."""
    import numpy as np
    from costmodel import montecarlo as mc
    from costmodel import sampling
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    keep_freed_memory()
    p = mc.plan(load_folder(bundled_assumptions()), draws, seed)
    clock = time.process_time
    out = dict.fromkeys(("tables", "uniforms", "levers", "engine", "summaries"), 0.0)
    c0 = clock()
    mc.prepare(p, mc.local_map(workers=1))
    out["tables"] = clock() - c0
    parts, drawn = [], list(p.drawn)
    for block in range(p.blocks):
        size = p.block_size(block)
        uniforms, costing = sampling.Uniforms(drawn, p.seed, block, size), mc.Costing(p)
        step = min(size, max(p.chunk, mc.DRAW_STEP))
        buffer, pv = np.empty((step, len(drawn)), order="F"), np.empty((size, len(p.options)))
        for first in range(0, size, step):
            last = min(size, first + step)
            c0 = clock()
            u = uniforms.take(buffer[:last - first])
            c1 = clock()
            x = sampling.to_levers(u, drawn, p.distribution, p.correlation)
            c2 = clock()
            for lo in range(0, last - first, p.chunk):
                hi = min(last - first, lo + p.chunk)
                pv[first + lo:first + hi] = costing(x[lo:hi])
            c3 = clock()
            out["uniforms"] += c1 - c0
            out["levers"] += c2 - c1
            out["engine"] += c3 - c2
        parts.append(pv)
    pv = np.concatenate(parts)
    c0 = clock()
    mc.summarise(pv, p.option_keys)
    out["summaries"] = clock() - c0
    return out


def libreoffice(recalcs: int, seed: int) -> tuple[float, float]:
    """Seconds for ``recalcs`` recalculations of the open workbook, and the worst relative difference
    between LibreOffice's present values and the engine's for the same draws."""
    import numpy as np
    from openpyxl.utils import get_column_letter
    from costmodel import montecarlo as mc
    from costmodel import sampling
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    from costmodel.levers import defined_name
    from costmodel.workbook.build import build_workbook, save_workbook
    from costmodel.workbook.recalc import find_soffice
    a = load_folder(bundled_assumptions())
    p = mc.plan(a, recalcs, seed)
    x = sampling.draw_block(list(p.drawn), seed, 0, recalcs, p.distribution, p.correlation)
    wb = build_workbook(a)
    cells = []
    for d in p.drawn:  # the in-use cell is a formula picking low/central/high: write the central (column E)
        sheet, ref = wb.defined_names[defined_name(d.key)].attr_text.split("!")
        row = int("".join(ch for ch in ref if ch.isdigit()))
        cells.append([sheet.strip("'"), f"{get_column_letter(5)}{row}"])
    with tempfile.TemporaryDirectory(prefix="costmodel-bench-lo-") as tmp:
        book, spec, out = Path(tmp) / "bench.xlsx", Path(tmp) / "draws.json", Path(tmp) / "out.json"
        save_workbook(wb, book)
        spec.write_text(json.dumps({"cells": cells, "rows": x.tolist(), "outputs": [f"pv_{o}" for o in a.option_keys]}))
        env = {**user_env(), "COSTMODEL_SOFFICE": find_soffice()}
        run_program([UNO_PYTHON, str(HERE / "lo_uno_driver.py"), str(book), str(spec), str(out)], env=env, timeout=3600)
        res = json.loads(out.read_text())
    engine = mc.montecarlo(p).present_value
    worst = float(np.max(np.abs(np.array(res["outputs"]) - engine) / np.abs(engine)))
    return res["seconds"], worst


def threads_figures(threads: dict) -> list[Figure]:
    """One thread, two threads and two processes, in another child with its tables built: what the second core gives."""
    (w1, c1, _), (w2, c2, waits), (w3, c3, _) = threads["1"], threads["2"], threads["processes"]
    return [Figure(f"  another child, tables built: one thread {w1:.2f} s wall ({c1:.2f} CPU-s); two threads (the command's) {w2:.2f} s "
                   f"({c2:.2f} CPU-s, {waits:,} voluntary context switches): speed-up", w1 / w2, "x"),
            Figure(f"  the same, two forked processes (what the command uses with the numpy engine): {w3:.2f} s ({c3:.2f} CPU-s): speed-up",
                   w1 / w3, "x")]


def run(quick: bool = False, draws: int | None = None, lo_recalcs: int | None = None,
        with_libreoffice: bool = True, with_profile: bool = False) -> list[Figure]:
    draws = draws or (200_000 if quick else 1_000_000)
    lo_recalcs = lo_recalcs or (5 if quick else 20)
    with tempfile.TemporaryDirectory(prefix="costmodel-bench-") as empty:
        env = user_env()
        base = statistics.median(run_program([sys.executable, "-c", "import numpy, yaml"], cwd=empty, env=env).seconds
                                 for _ in range(5))
        child = run_program([sys.executable, str(Path(__file__).resolve()), "--engine", str(draws)], cwd=empty,
                            env=env, capture=True)
        threads = run_program([sys.executable, str(Path(__file__).resolve()), "--threads", str(draws)], cwd=empty,
                              env=env, capture=True)
        command = run_program([costmodel_command(), "montecarlo", "--draws", str(draws), "--seed", str(SEED),
                               "--format", "json"], cwd=empty, env=env)
    engine = json.loads(child.stdout)
    rate = draws / engine["seconds"]
    scale = f"{draws:,} draws x {engine['options']} options x {engine['years']} years, {engine['levers']} levers drawn"
    baseline = f'python -c "import numpy, yaml" {base:.3f} s'
    full = draws == 1_000_000  # the targets are for a million draws
    figures = [
        Figure(f"Monte Carlo engine, {scale} (seconds inside the child; load average {engine['load']:.1f} "
               f"on {os.cpu_count()} cores)", engine["seconds"], "s", target=TARGET_SECONDS if full else None),
        Figure("  its CPU seconds, every thread and worker process (steadier than the wall on a busy machine; shared cores inflate them too)", engine["cpu"], "s"),
        Figure("  the same child process, wall from outside (start-up, imports, reading the assumptions)",
               child.seconds, "s", child.seconds / base, baseline),
        Figure("  its peak RSS (os.wait4)", child.peak_mib, "MiB", target=TARGET_MIB if full else None),
        Figure("  its CPU seconds over 2 (the least wall two cores could give)", engine["cpu"] / 2, "s"),
        *threads_figures(json.loads(threads.stdout)),
        Figure(f"costmodel montecarlo --draws {draws:,} --format json, end to end", command.seconds, "s",
               command.seconds / base, baseline),
        Figure("  its CPU seconds (os.wait4)", command.cpu, "s"),
        Figure("  its peak RSS (os.wait4)", command.peak_mib, "MiB"),
    ]
    if with_profile:
        stages = profile(draws, SEED)
        total = sum(stages.values())
        figures += [Figure(f"  profile, one thread: {name}", seconds, "s", seconds / total, "of the total")
                    for name, seconds in stages.items()]
    if with_libreoffice:
        lo_seconds, worst = libreoffice(lo_recalcs, SEED)
        lo_rate = lo_recalcs / lo_seconds
        figures.append(Figure(f"engine draws/s ({rate:,.0f}) over LibreOffice recalculations/s ({lo_rate:,.2f}; "
                              f"{lo_recalcs} recalcs, present values agree to {worst:.1e})", rate, "draws/s",
                              rate / lo_rate, "LibreOffice via UNO, workbook open", TARGET_LO_RATIO,
                              higher_is_better=True))
    return figures


def main():
    if len(sys.argv) > 2 and sys.argv[1] in ("--engine", "--threads"):
        return (engine_child if sys.argv[1] == "--engine" else threads_child)(int(sys.argv[2]), SEED)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--draws", type=int, default=None)
    ap.add_argument("--lo-recalcs", type=int, default=None)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--profile", action="store_true", help="also the CPU seconds of each stage, on one thread")
    args = ap.parse_args()
    from run import report
    report({"montecarlo": run(args.quick, args.draws, args.lo_recalcs, not args.no_libreoffice, args.profile)})


if __name__ == "__main__":
    sys.exit(main())
