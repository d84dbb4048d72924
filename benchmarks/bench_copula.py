"""The Gaussian copula: the compiled kernel against the scipy path it replaces, in the same run.

    python benchmarks/bench_copula.py            # 10^6 draws, 7 runs of each taken in turn
    python benchmarks/bench_copula.py --quick    # 2 × 10^5 draws, 3 runs

Two measurements:

* the copula itself: ``sampling.gaussian_copula`` (the kernel: AS 241 and erfc in one loop over the draws) and
  ``sampling.scipy_copula`` (``scipy.special.ndtri``/``ndtr``, numpy passes) on the bundled example's correlated
  levers, 10^6 draws, CPU and wall seconds of each (the median of runs taken in turn). Target: the kernel is no
  slower (ratio ≤ 1).
* the import the kernel saves: ``python -c "import numpy; import scipy.special"`` against
  ``python -c "import numpy"``, from outside (a run with correlations used to pay that before its first block).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Figure, interleaved_runs, user_env  # noqa: E402


def _uniforms(draws: int):
    """The bundled example's correlated levers: ``draws × k`` uniforms (column-major), the correlation and factor."""
    import numpy as np
    from costmodel import montecarlo as mc
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    p = mc.plan(load_folder(bundled_assumptions()), 1000, 1)
    involved = np.flatnonzero(np.abs(p.correlation - np.eye(len(p.correlation))).sum(axis=0) > 0)
    pearson = p.correlation[np.ix_(involved, involved)]
    u = np.asfortranarray(np.random.default_rng(1).random((draws, involved.size)))
    return u, pearson, np.arange(involved.size), np.linalg.cholesky(pearson)


def copula_times(draws: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Median (CPU, wall) seconds of the kernel's and scipy's copula on ``draws`` draws, runs taken in turn."""
    from costmodel import sampling
    import scipy.special  # noqa: F401  (imported before the clock: its import is measured separately)
    u, pearson, involved, L = _uniforms(draws)
    ways = {"kernel": lambda x: sampling.gaussian_copula(x, pearson),
            "scipy": lambda x: sampling.scipy_copula(x, involved, L)}
    seen: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for _ in range(repeats + 1):  # the first round warms up
        for name, way in ways.items():
            x = u.copy(order="F")
            c0, t0 = time.process_time(), time.perf_counter()
            way(x)
            seen[name].append((time.process_time() - c0, time.perf_counter() - t0))
    return {name: (statistics.median(c for c, _ in s[1:]), statistics.median(w for _, w in s[1:]))
            for name, s in seen.items()}


def run(quick: bool = False) -> list[Figure]:
    draws, repeats = (200_000, 3) if quick else (1_000_000, 7)
    load = os.getloadavg()[0]
    t = copula_times(draws, repeats)
    python = sys.executable
    runs = interleaved_runs({"numpy": [python, "-c", "import numpy"],
                             "scipy": [python, "-c", "import numpy; import scipy.special"]}, repeats, env=user_env())
    wall = {name: statistics.median(r.seconds for r in rs) for name, rs in runs.items()}
    cpu = {name: statistics.median(r.cpu for r in rs) for name, rs in runs.items()}
    load = max(load, os.getloadavg()[0])
    base = f"scipy path {t['scipy'][0]:.3f} s CPU, {t['scipy'][1]:.3f} s wall (load {load:.2f})"
    return [Figure(f"copula of {draws:,} draws, kernel, CPU", t["kernel"][0], "s", t["kernel"][0] / t["scipy"][0], base, 1.0),
            Figure(f"copula of {draws:,} draws, kernel, wall", t["kernel"][1], "s", t["kernel"][1] / t["scipy"][1], base),
            Figure("import scipy.special after numpy, wall", wall["scipy"] - wall["numpy"], "s", None,
                   f"import numpy {wall['numpy']:.3f} s"),
            Figure("import scipy.special after numpy, CPU", cpu["scipy"] - cpu["numpy"], "s", None,
                   f"import numpy {cpu['numpy']:.3f} s CPU")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 × 10^5 draws, 3 runs of each")
    for f in run(parser.parse_args().quick):
        ratio = "" if f.ratio is None else f"  ratio {f.ratio:.3f} against {f.baseline}"
        verdict = "" if f.met is None else ("  target met" if f.met else "  TARGET MISSED")
        print(f"{f.what}: {f.value:.4f} {f.unit}{ratio}{'' if f.ratio is not None else '  (' + f.baseline + ')'}{verdict}")


if __name__ == "__main__":
    main()
