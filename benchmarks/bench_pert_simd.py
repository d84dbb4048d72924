"""The PERT table lookup (``costmodel.native.sampling.pert_lever``): each version of its loop, in the same run.

    python benchmarks/bench_pert_simd.py                  # 15 rounds, each version in turn within a round
    python benchmarks/bench_pert_simd.py --old OLD.so     # and a build of the kernel from before, as "old"
    python benchmarks/bench_pert_simd.py --rounds 3       # quicker

Three measurements, CPU seconds of this one thread (``time.process_time``), turned into nanoseconds per lookup:

* hot: one lever's table (256 KiB, in cache after the first call), 32,768 draws;
* cycling: the bundled example's 72 levers one after another, 32,768 draws each (the tables, 18 MiB, do not stay
  in cache: as in the Monte Carlo);
* to_levers: ``sampling.to_levers`` on a 32,768 × 72 block (copula included), per lookup.

The versions ("scalar", "avx2", "avx512f" where the CPU runs them; ``use_simd`` switches the kernel) are taken
in turn within each round, so the machine's drift hits them alike; the best and the median of the rounds are
printed, with the ratio of each median to the first version's (the old build's with ``--old``, else the scalar
loop's). The machine's speed drifts: compare within a run, not across runs.
"""
from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import os
import statistics
import time

import numpy as np


def _old_kernel(path: str):
    """A build of the kernel from another checkout (a .so file), loaded beside the installed one."""
    loader = importlib.machinery.ExtensionFileLoader("old_native.sampling", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("old_native.sampling", loader))
    loader.exec_module(module)
    return module


def _setup():
    from costmodel import montecarlo as mc
    from costmodel.files.assumption_folder import load_folder
    from costmodel.files.bundled import bundled_assumptions
    p = mc.plan(load_folder(bundled_assumptions()), 1000, 1)
    mc.prepare(p, mc.local_map())
    return p


def _cases(p, rng):
    """name -> (lookups, function of a kernel module) for the three measurements."""
    from costmodel import sampling as sm
    from costmodel.beta_quantiles import TABLE_CELLS, TAIL_KNOTS
    drawn = list(p.drawn)
    n = 32768
    u = np.asfortranarray(rng.random((n, len(drawn))))
    out = np.empty(n)

    def call(k, j):
        d = drawn[j]
        table = sm._pert_table(d.low, d.central, d.high)
        q = table.q
        k.pert_lever(u[:, j], table.body, float(TABLE_CELLS), q.ends_x, q.ends_scale, q.ends_power, TAIL_KNOTS,
                     d.high - d.low, d.low, out)

    block = np.asfortranarray(rng.random((32768, len(drawn))))
    work = np.empty_like(block, order="F")

    def levers(k):
        np.copyto(work, block)
        saved, sm._KERNEL = sm._KERNEL, k
        try:
            sm.to_levers(work, drawn, p.distribution, p.correlation)
        finally:
            sm._KERNEL = saved

    def hot(k):
        for _ in range(8):
            call(k, 0)

    def cycling(k):
        for j in range(len(drawn)):
            call(k, j)

    return {"hot": (8 * n, hot), "cycling": (len(drawn) * n, cycling), "to_levers": (block.size, levers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--old", help="a compiled sampling kernel (.so) from before, measured as 'old'")
    parser.add_argument("--versions", nargs="*", default=["scalar", "avx2", "avx512f"], help="the loops to measure")
    args = parser.parse_args()
    from costmodel.native import kernel
    k = kernel("sampling")
    versions = [v for v in args.versions if _runs(k, v)]
    kernels = {"old": _old_kernel(args.old)} if args.old else {}
    kernels.update({v: k for v in versions})
    p = _setup()
    cases = _cases(p, np.random.default_rng(1))
    seconds = {(c, v): [] for c in cases for v in kernels}
    for _ in range(args.rounds):
        for c, (_, f) in cases.items():
            for v, mod in kernels.items():
                if v != "old":
                    k.use_simd(v)
                t0 = time.process_time()
                f(mod)
                seconds[c, v].append(time.process_time() - t0)
    k.use_simd(versions[-1])
    base = next(iter(kernels))
    print(f"load average {os.getloadavg()[0]:.2f}; {args.rounds} rounds; ns per lookup, CPU (best / median), "
          f"median's ratio to {base}'s")
    for c, (lookups, _) in cases.items():
        best = {v: min(seconds[c, v]) * 1e9 / lookups for v in kernels}
        med = {v: statistics.median(seconds[c, v]) * 1e9 / lookups for v in kernels}
        row = "  ".join(f"{v} {best[v]:.2f} / {med[v]:.2f} ({med[v] / med[base]:.2f})" for v in kernels)
        print(f"{c:10s} {row}")


def _runs(k, version: str) -> bool:
    try:
        k.use_simd(version)
    except ValueError:
        return False
    return True


if __name__ == "__main__":
    main()
