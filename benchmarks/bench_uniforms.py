"""The Monte Carlo's uniforms: numpy's PCG64 streams against the compiled fill (``costmodel.native.uniforms``).

    python benchmarks/bench_uniforms.py            # 15 rounds of the fill; 5 runs of each command, 10^6 draws
    python benchmarks/bench_uniforms.py --quick    # 5 rounds; 3 runs of each command, 200,000 draws

Two measurements, old and new taken in turn within each round so the machine's drift hits them alike (best and
median of the rounds printed; ratios are of the medians):

* the fill: 72 streams x 32,768 uniforms (one pass of the bundled example's levers), CPU seconds of this thread
  (``time.process_time``) per uniform: numpy's ``Generator.random`` column by column, then each loop of the
  compiled fill the CPU runs (scalar, AVX2, AVX-512); and ``sampling.Uniforms`` made and taken for a whole block
  (its streams seeded, advanced and their states read included), with numpy's streams and with the kernel;
* the command: ``costmodel montecarlo --draws N --seed 1 --format json`` end to end, wall and CPU (os.wait4),
  with numpy's streams (``sampling._PCG = None``, what the code did before) and with the compiled fill.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Figure, run_program  # noqa: E402

LEVERS, ROWS = 72, 32768
PROGRAM = """
import sys
from costmodel import sampling
if sys.argv[1] == "numpy":
    sampling._PCG = None
sys.argv = ["costmodel", *sys.argv[2:]]
from costmodel.cli import run
run()
"""


def _rounds(cases: dict, rounds: int) -> dict[str, list[float]]:
    """CPU seconds of each case in every round, the cases in turn within a round."""
    seconds = {name: [] for name in cases}
    for _ in range(rounds):
        for name, f in cases.items():
            t0 = time.process_time()
            f()
            seconds[name].append(time.process_time() - t0)
    return seconds


def fill_cases(k) -> dict:
    """name -> a function filling 72 x 32,768 uniforms: numpy's streams, then each compiled loop the CPU runs."""
    from costmodel.sampling import lever_rng, pcg_states
    streams = [lever_rng(1, 0, f"lever.{j}") for j in range(LEVERS)]
    states = pcg_states(streams)
    out = np.empty((ROWS, LEVERS), order="F")

    def numpy_fill():
        for j, stream in enumerate(streams):
            stream.random(out=out[:, j])

    def compiled(version):
        def fill():
            k.use_simd(version)
            k.fill(states, out)
        return fill

    cases = {"numpy": numpy_fill}
    for version in ("scalar", "avx2", "avx512"):
        try:
            k.use_simd(version)
        except ValueError:
            continue
        cases[version] = compiled(version)
    return cases


def block_cases() -> dict:
    """Uniforms made and taken for a block of 65,536 draws of 72 levers, a pass of 32,768 at a time."""
    from costmodel import sampling
    drawn = [sampling.Drawn(f"lever.{j}", 0.0, 1.0, 2.0) for j in range(LEVERS)]
    out = np.empty((ROWS, LEVERS), order="F")
    kernel = sampling._PCG

    def block(pcg):
        def take():
            sampling._PCG = pcg
            try:
                u = sampling.Uniforms(drawn, 1, 3, sampling.BLOCK, first=0)
                for _ in range(sampling.BLOCK // ROWS):
                    u.take(out)
            finally:
                sampling._PCG = kernel
        return take

    return {"Uniforms, numpy": block(None), "Uniforms, compiled": block(kernel)}


def command_runs(draws: int, runs: int) -> dict[str, list]:
    """Runs of the command with numpy's streams and with the compiled fill, in turn (their outputs checked identical)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    found = {"numpy": [], "compiled": []}
    with tempfile.TemporaryDirectory() as cwd:
        for _ in range(runs):
            for mode in found:
                found[mode].append(run_program([sys.executable, "-c", PROGRAM, mode, "montecarlo", "--draws", str(draws),
                                                "--seed", "1", "--format", "json"], cwd=cwd, env=env, capture=True))
    if {r.stdout for runs in found.values() for r in runs} != {found["numpy"][0].stdout}:
        raise RuntimeError("the compiled fill changed the command's output")
    return found


def run(quick: bool = False) -> list[Figure]:
    from costmodel.native import kernel
    k = kernel("uniforms")
    if k is None:
        return [Figure("the compiled kernels are not built: nothing to compare", 0.0, "")]
    rounds, draws, runs = (5, 200_000, 3) if quick else (15, 1_000_000, 5)
    before = k.simd()
    fills = _rounds(fill_cases(k), rounds)
    k.use_simd(before)
    blocks = _rounds(block_cases(), rounds)
    load = os.getloadavg()[0]
    figures = []
    base = statistics.median(fills["numpy"])
    for name, s in fills.items():
        ns = statistics.median(s) * 1e9 / (LEVERS * ROWS)
        figures.append(Figure(f"fill {LEVERS} x {ROWS:,} uniforms, {name}, ns per uniform (CPU; best "
                              f"{min(s) * 1e9 / (LEVERS * ROWS):.2f}, median; load {load:.1f})", ns, "ns",
                              statistics.median(s) / base, "of numpy's", 0.5 if name == before else None))
    base = statistics.median(blocks["Uniforms, numpy"])
    for name, s in blocks.items():
        figures.append(Figure(f"{name}: one block of {LEVERS} levers made and taken, CPU (best {min(s):.4f} s, median)",
                              statistics.median(s), "s", statistics.median(s) / base, "of numpy's streams"))
    commands = command_runs(draws, runs)
    for what, attr in (("wall", "seconds"), ("CPU", "cpu")):
        old = statistics.median(getattr(r, attr) for r in commands["numpy"])
        for mode, found in commands.items():
            values = [getattr(r, attr) for r in found]
            figures.append(Figure(f"costmodel montecarlo --draws {draws:,} --seed 1 --format json, {mode} streams, {what} "
                                  f"(best {min(values):.3f} s, median of {runs})", statistics.median(values), "s",
                                  statistics.median(values) / old, "of numpy's streams"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds; 3 runs of each command at 200,000 draws")
    from run import report
    report({"uniforms": run(parser.parse_args().quick)})


if __name__ == "__main__":
    main()
