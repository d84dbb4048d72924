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
