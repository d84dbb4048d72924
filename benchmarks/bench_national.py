"""The national run's speed and memory: every council × 4 options × 10^5 draws, local threads and a 2-worker local
Dask cluster, measured from outside the process in the same run.

    python benchmarks/bench_national.py                  # all councils, 10^5 draws each (a few minutes)
    python benchmarks/bench_national.py --quick          # the 12 North East councils, 20,000 draws each
    python benchmarks/run.py national

Figures: wall seconds and peak RSS (``os.wait4``) of ``costmodel national --draws N --format json --output F`` on
the local backend (target, issue 16: all councils × 10^5 draws in under two minutes on 2 cores) and with
``--backend dask --workers 2`` (its ratio to local, same run), the central-only run (building every council's
assumptions and comparing its options, the part without draws), and seconds and MiB per council. Both outputs
must be identical (draw for draw). The peak RSS of the Dask run is the largest single process's (the command or a
worker), not their sum.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from measure import Figure, costmodel_command, run_program, user_env  # noqa: E402

TARGET_SECONDS = 120.0
SEED = 1


def _national(folder: Path, name: str, selection: list[str], draws: int, extra: list[str] = ()):
    out = folder / f"{name}.json"
    cmd = [costmodel_command(), "national", *selection, "--draws", str(draws), "--seed", str(SEED), "--format", "json",
           "--output", str(out), *extra]
    return run_program(cmd, cwd=folder, env=user_env(), timeout=3600), out


def run(quick: bool = False, draws: int | None = None) -> list[Figure]:
    draws = draws or (20_000 if quick else 100_000)
    selection = ["--region", "North East"] if quick else []
    with tempfile.TemporaryDirectory(prefix="costmodel-bench-national-") as tmp:
        folder = Path(tmp)
        central, _ = _national(folder, "central", selection, 0)
        local, local_out = _national(folder, "local", selection, draws)
        dask, dask_out = _national(folder, "dask", selection, draws, ["--backend", "dask", "--workers", "2"])
        same = local_out.read_bytes() == dask_out.read_bytes()
        n = len({r["la_code"] for r in json.loads(local_out.read_text())["records"]})
    if not same:
        raise RuntimeError("the Dask run's output differs from the local run's: they must be identical")
    scale = f"{n} councils x 4 options x {draws:,} draws"
    full = draws == 100_000 and not quick
    return [
        Figure(f"costmodel national, central only ({n} councils built and compared)", central.seconds, "s"),
        Figure("  its peak RSS (os.wait4)", central.peak_mib, "MiB"),
        Figure(f"costmodel national --draws {draws:,}, local threads: {scale}", local.seconds, "s",
               target=TARGET_SECONDS if full else None),
        Figure("  its peak RSS (os.wait4)", local.peak_mib, "MiB"),
        Figure("  seconds per council", local.seconds / n, "s"),
        Figure(f"--backend dask --workers 2 (local cluster, same output byte for byte): {scale}", dask.seconds, "s",
               dask.seconds / local.seconds, f"local threads {local.seconds:.1f} s"),
        Figure("  its peak RSS, largest process (os.wait4)", dask.peak_mib, "MiB"),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="the North East's 12 councils, 20,000 draws each")
    ap.add_argument("--draws", type=int, default=None, help="draws a council")
    args = ap.parse_args()
    for f in run(args.quick, args.draws):
        ratio = "" if f.ratio is None else f"  {f.ratio:.2f}x {f.baseline}"
        target = "" if f.target is None else f"  [<= {f.target:g} s: {'met' if f.met else 'MISSED'}]"
        print(f"{f.what}: {f.value:,.2f} {f.unit}{ratio}{target}")


if __name__ == "__main__":
    main()
