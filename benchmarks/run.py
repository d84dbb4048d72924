"""Run every benchmark and print its figures, each ratio against a baseline measured in the same run.

    python benchmarks/run.py                 # every benchmarks/bench_*.py
    python benchmarks/run.py --quick         # smaller runs (a minute or so), for a first look
    python benchmarks/run.py startup         # only bench_startup.py (names without the bench_ prefix)
    python benchmarks/run.py --strict        # exit 1 when a figure misses its target

Adding a benchmark is dropping a module ``benchmarks/bench_<name>.py`` here with
``run(quick: bool = False) -> list[measure.Figure]``. A module with only a ``main()`` is run as a
program and its output printed as it is; one that exits with an error makes this exit 1, whatever --strict says.
"""
from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def benchmarks(names: list[str]) -> list[str]:
    found = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    unknown = sorted(set(names) - set(found))
    if unknown:
        raise SystemExit(f"no benchmark named {', '.join(unknown)}: there are {', '.join(found)}")
    return [n for n in found if not names or n in names]


def _value(f) -> str:
    if f.unit == "s":
        return f"{f.value:.3f} s"
    return f"{f.value:,.0f} {f.unit}" if abs(f.value) >= 100 else f"{f.value:,.2f} {f.unit}"


def _target(f) -> str:
    if f.target is None:
        return ""
    sign = ">=" if f.higher_is_better else "<="
    what = f"{f.target:,g}x" if f.ratio is not None else f"{f.target:,g} {f.unit}"
    return f"{sign} {what}: {'met' if f.met else 'MISSED'}"


def report(results: dict) -> None:
    """Print each benchmark's figures: what, value, ratio and what it is against, target."""
    for name, figures in results.items():
        print(f"\n== {name}")
        if isinstance(figures, str):
            print(figures.rstrip())
            continue
        for f in figures:
            ratio = "" if f.ratio is None else f"  {f.ratio:,.{2 if f.ratio < 100 else 0}f}x {f.baseline}"
            target = f"  [{_target(f)}]" if f.target is not None else ""
            print(f"{f.what}: {_value(f)}{ratio}{target}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    ap.add_argument("--quick", action="store_true", help="smaller runs")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    results: dict = {}
    failed = []  # programs that exited with an error: a broken benchmark is not a met target
    t0 = time.perf_counter()
    for name in benchmarks(args.names):
        module = importlib.import_module(f"bench_{name}")
        if hasattr(module, "run"):
            results[name] = module.run(quick=args.quick)
        else:
            done = subprocess.run([sys.executable, str(HERE / f"bench_{name}.py")], capture_output=True, text=True)
            results[name] = done.stdout + done.stderr
            if done.returncode:
                failed.append(name)
        report({name: results[name]})
    missed = [f.what for figs in results.values() if not isinstance(figs, str) for f in figs if f.met is False]
    print(f"\n{len(results)} benchmarks in {time.perf_counter() - t0:.0f} s; "
          + (f"{len(missed)} targets missed" if missed else "every target met")
          + (f"; FAILED (exited with an error): {', '.join(failed)}" if failed else ""))
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
