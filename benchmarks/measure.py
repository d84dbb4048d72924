"""What every benchmark shares: timing a program from outside, its peak memory, and the row it reports.

A benchmark is a module ``benchmarks/bench_<name>.py`` with ``run(quick: bool) -> list[Figure]``;
``python benchmarks/run.py`` finds and runs it. Each figure that has a target carries a ratio against a
baseline measured in the same run, so the verdict does not depend on how busy the machine is.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024


@dataclass
class Figure:
    """One measured figure: ``what`` was measured, its ``value`` in ``unit``, and optionally its ratio
    to ``baseline`` (measured in the same run) and the most that ratio (or value) may be."""

    what: str
    value: float
    unit: str
    ratio: float | None = None
    baseline: str = ""
    target: float | None = None  # the ratio (or, without a ratio, the value) must not exceed it
    higher_is_better: bool = False

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        x = self.value if self.ratio is None else self.ratio
        return x >= self.target if self.higher_is_better else x <= self.target


@dataclass
class Run:
    """One program run seen from outside: wall-clock seconds, peak resident memory, exit code, output, and
    the CPU seconds (user + system) the kernel charged to it."""

    seconds: float
    peak_mib: float
    returncode: int
    stdout: str
    cpu: float = 0.0


def run_program(cmd: list[str], cwd: str | Path | None = None, env: dict | None = None,
                capture: bool = False, timeout: float = 3600) -> Run:
    """Run ``cmd`` and measure it from outside: wall time around the process, and its peak RSS from
    the kernel's accounting of that one child (``os.wait4``), so nothing inside the program is trusted.
    A program that fails or outlives ``timeout`` seconds raises RuntimeError with the end of its stderr."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, text=True,
                                stdout=out if capture else subprocess.DEVNULL, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if code != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {code}: {stderr.strip()[-800:]}")
    return Run(seconds, usage.ru_maxrss * 1024 / MIB, code, stdout, usage.ru_utime + usage.ru_stime)


def interleaved_runs(commands: dict[str, list[str]], repeats: int, cwd: str | Path | None = None,
                     env: dict | None = None) -> dict[str, list[Run]]:
    """``repeats`` runs of each command, taken in turn (A B A B …) after one discarded warm-up each, so a
    change in the machine's load falls on all of them alike."""
    for cmd in commands.values():
        run_program(cmd, cwd=cwd, env=env)
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeats):
        for name, cmd in commands.items():
            runs[name].append(run_program(cmd, cwd=cwd, env=env))
    return runs


def interleaved_medians(commands: dict[str, list[str]], repeats: int, cwd: str | Path | None = None,
                        env: dict | None = None) -> dict[str, float]:
    """Median wall seconds of each command over ``repeats`` interleaved runs (:func:`interleaved_runs`)."""
    runs = interleaved_runs(commands, repeats, cwd=cwd, env=env)
    return {name: statistics.median(r.seconds for r in rs) for name, rs in runs.items()}


def user_env() -> dict:
    """The environment of an ordinary user's shell: this one without ``PYTHONDONTWRITEBYTECODE``, so the
    warm-up run writes the bytecode cache (as pip does at install) and a cold start is not a compile."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def costmodel_command(python: str | Path | None = None) -> str:
    """The ``costmodel`` console script installed beside ``python`` (default: the Python running the
    benchmarks; without ``python``, else the first on PATH)."""
    here = Path(python or sys.executable).parent
    found = shutil.which("costmodel", path=str(here)) or (None if python else shutil.which("costmodel"))
    if not found:
        raise SystemExit(f"costmodel is not installed in {here.parent}: pip install -e . (or the wheel) first")
    return found


def kernel_against_numpy(module, quick: bool = False, numpy_engine: bool = False):
    """One thread, in this process: Monte Carlo passes of the bundled example (``montecarlo.costs_of_draws`` over draws
    made first) with ``module._KERNEL`` as built and set to None (its numpy code), the two alternating.
    ``numpy_engine``: with the compiled engine off, 16,384 draws a pass (for a kernel only the numpy engine calls).
    Returns ``(draws, repeats, load average, {"compiled": [(wall, cpu)], "numpy": [...]})``; SystemExit if not built."""
    from costmodel import compiled_engine, montecarlo as mc, sampling
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    draws, repeats = (65_536, 3) if quick else (262_144, 7)
    a = load_folder(bundled_assumptions())
    p = mc.plan(a, draws, 1, chunk=16_384) if numpy_engine else mc.plan(a, draws, 1)
    mc.prepare(p, mc.local_map(workers=1))
    xs = [sampling.draw_block(list(p.drawn), p.seed, b, p.block_size(b), p.distribution, p.correlation) for b in range(p.blocks)]
    compiled, engine = module._KERNEL, compiled_engine._KERNEL
    if compiled is None:
        raise SystemExit(f"{module.__name__} has no compiled kernel for this processor (or no C compiler when installing)")
    times = {"compiled": [], "numpy": []}
    load = os.getloadavg()[0]
    try:
        if numpy_engine:
            compiled_engine._KERNEL = None
        for _ in range(repeats):
            for name, k in (("compiled", compiled), ("numpy", None)):
                module._KERNEL = k
                t0, c0 = time.perf_counter(), time.process_time()
                for x in xs:
                    mc.costs_of_draws(p, x)
                times[name].append((time.perf_counter() - t0, time.process_time() - c0))
    finally:
        module._KERNEL, compiled_engine._KERNEL = compiled, engine
    return draws, repeats, max(load, os.getloadavg()[0]), times
