"""Cold start: ``costmodel compare`` against ``python -c "import numpy, yaml"``, in the same run.

    python benchmarks/bench_startup.py            # 15 runs of each, taken in turn; target: ratio <= 1.5
    python benchmarks/bench_startup.py --python /tmp/venv/bin/python   # another environment (e.g. the wheel's)
    python -X importtime "$(which costmodel)" compare 2>&1 >/dev/null | sort -t'|' -k2 -n | tail   # where it goes

numpy and PyYAML are the floor every run of the model pays; what ``compare`` adds (click, the package,
reading the bundled assumptions, the engine, the table) should cost at most half as much again.
Both programs run from an empty temporary folder, so ``compare`` reads the bundled example, and
without ``PYTHONDONTWRITEBYTECODE`` (a warm-up run of each writes the bytecode cache, as pip does when
it installs the package), so a cold start means a new process, not compiling the package.
Both run in one environment: ``--python`` names its interpreter (its ``costmodel`` is the one beside
it), by default the one running this script. The target is on wall time; the CPU seconds the kernel
charged to each process (user + system) are printed too, the steadier figure on a busy machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Figure, costmodel_command, interleaved_runs, user_env  # noqa: E402

TARGET = 1.5


def run(quick: bool = False, python: str | None = None) -> list[Figure]:
    repeats = 5 if quick else 15
    python = python or sys.executable
    costmodel = costmodel_command(python)
    commands = {"baseline": [python, "-c", "import numpy, yaml"],
                "compare": [costmodel, "compare"],
                "version": [costmodel, "--version"]}
    with tempfile.TemporaryDirectory(prefix="costmodel-bench-") as empty:
        runs = interleaved_runs(commands, repeats, cwd=empty, env=user_env())
    wall = {name: statistics.median(r.seconds for r in rs) for name, rs in runs.items()}
    cpu = {name: statistics.median(r.cpu for r in rs) for name, rs in runs.items()}
    base = f'python -c "import numpy, yaml" {wall["baseline"]:.3f} s'
    base_cpu = f'{cpu["baseline"]:.3f} s CPU'
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        Figure(f"costmodel compare, cold start (median of {repeats}; {costmodel}; load average {load})", wall["compare"], "s",
               wall["compare"] / wall["baseline"], base, TARGET),
        Figure(f"costmodel compare, CPU seconds (median of {repeats})", cpu["compare"], "s",
               cpu["compare"] / cpu["baseline"], base_cpu),
        Figure(f"costmodel --version (median of {repeats})", wall["version"], "s", wall["version"] / wall["baseline"], base),
    ]


def main():
    from run import report
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="5 runs of each instead of 15")
    ap.add_argument("--python", default=None, help="the Python of the environment to measure (default: this one)")
    args = ap.parse_args()
    report({"startup": run(quick=args.quick, python=args.python)})


if __name__ == "__main__":
    main()
