"""Without the compiled kernels (an install with no C compiler) every command still runs, on the numpy code, and
gives the same figures: the Monte Carlo of the bundled example, correlations included, end to end."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.native.test_native_copula import json_leaves

PROGRAM = """
import sys
import costmodel.native
if sys.argv[1] == "numpy":
    costmodel.native.kernel = lambda name: None  # as if setup.py had built none
sys.argv = ["costmodel", *sys.argv[2:]]
from costmodel.cli import run
run()
"""


def montecarlo(tmp_path, kernels: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    done = subprocess.run([sys.executable, "-c", PROGRAM, kernels, "montecarlo", "--draws", "70000", "--seed", "5",
                           "--format", "json"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_montecarlo_without_kernels_gives_the_same_figures(tmp_path):
    compiled, reference = montecarlo(tmp_path, "compiled"), montecarlo(tmp_path, "numpy")
    got, want = dict(json_leaves(compiled)), dict(json_leaves(reference))
    assert got.keys() == want.keys() and sum(isinstance(v, float) for v in want.values()) > 50
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-6), key
        else:
            assert got[key] == value, key
