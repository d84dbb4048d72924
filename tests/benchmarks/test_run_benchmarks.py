"""``python benchmarks/run.py --quick`` runs every benchmark to the end (targets aside: timings are not asserted on a
shared machine). A benchmark that breaks (bench_voi once imported a function renamed in bench_montecarlo) makes the
runner exit 1 and name it."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_runs_to_the_end():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stdout + done.stderr
    found = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert all(f"== {name}" in done.stdout for name in found), done.stdout[-2000:]
