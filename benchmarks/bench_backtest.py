"""Back-test speed: the whole analysis against reading the packaged statistics it starts from, in one run.

    python benchmarks/bench_backtest.py [--repeat 3]

Prints the seconds of each step and the ratio of the whole back-test (uncached) to the baseline, a plain
``pandas.read_csv`` of ``councils_history.csv`` and ``ofsted_inspections.csv``. The target is "a few
seconds" for the whole command on a shared 2-core machine.
"""
from __future__ import annotations

import argparse
import time

import pandas as pd

from costmodel.cli.common import load_assumptions
from costmodel.evidence import backtest as bt
from costmodel.evidence.against_model import hold_against
from costmodel.files import council_data


def timed(f, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    n = ap.parse_args().repeat
    folder = council_data.data_dir()
    base = timed(lambda: (pd.read_csv(folder / "councils_history.csv"), pd.read_csv(folder / "ofsted_inspections.csv")), n)
    whole = timed(lambda: bt._run.__wrapped__(2025), n)
    a = load_assumptions()
    b = bt.run_backtest(2025)
    held = timed(lambda: hold_against(a, b), n)
    print(f"baseline (read the two CSV files): {base:.3f} s")
    print(f"whole back-test, uncached:         {whole:.3f} s  ({whole / base:.1f} x baseline)")
    print(f"held against the assumptions:      {held:.3f} s  ({held / base:.2f} x baseline)")


if __name__ == "__main__":
    main()
