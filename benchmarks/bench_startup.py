"""Cold start: ``costmodel compare`` against ``python -c "import numpy, yaml"``, in the same run.

    python benchmarks/bench_startup.py            # 15 runs of each, taken in turn; target: ratio <= 1.5
    python -X importtime "$(which costmodel)" compare 2>&1 >/dev/null | sort -t'|' -k2 -n | tail   # where it goes

numpy and PyYAML are the floor every run of the model pays; what ``compare`` adds (click, the package,
reading the bundled assumptions, the engine, the table) should cost at most half as much again.
Both programs run from an empty temporary folder, so ``compare`` reads the bundled example, and
without ``PYTHONDONTWRITEBYTECODE`` (a warm-up run of each writes the bytecode cache, as pip does when
it installs the package), so a cold start means a new process, not compiling the package.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Figure, costmodel_command, interleaved_medians, user_env  # noqa: E402

TARGET = 1.5


def run(quick: bool = False) -> list[Figure]:
    repeats = 5 if quick else 15
    costmodel = costmodel_command()
    commands = {"baseline": [sys.executable, "-c", "import numpy, yaml"],
                "compare": [costmodel, "compare"],
                "version": [costmodel, "--version"]}
    with tempfile.TemporaryDirectory(prefix="costmodel-bench-") as empty:
        t = interleaved_medians(commands, repeats, cwd=empty, env=user_env())
    base = f'python -c "import numpy, yaml" {t["baseline"]:.3f} s'
    return [
        Figure(f"costmodel compare, cold start (median of {repeats})", t["compare"], "s",
               t["compare"] / t["baseline"], base, TARGET),
        Figure(f"costmodel --version (median of {repeats})", t["version"], "s", t["version"] / t["baseline"], base),
    ]


def main():
    from run import report
    report({"startup": run(quick="--quick" in sys.argv)})


if __name__ == "__main__":
    main()
