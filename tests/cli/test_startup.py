"""What ``costmodel compare`` loads: only what it needs (how fast it starts: benchmarks/bench_startup.py).

Each case runs the console script's entry point in a fresh interpreter, from an empty folder (so the bundled
example is read), and lists every module loaded by the time the process exits, lazy imports included.
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Libraries no ``compare`` needs: each costs tens of milliseconds to import.
HEAVY = ("pandas", "scipy", "openpyxl", "matplotlib", "rich", "pyarrow", "dask", "distributed", "xlwings", "SALib",
         "ema_workbench", "jinja2")
#: Parts of the package ``compare`` does not use: other commands' adapters and the Monte Carlo machinery.
UNUSED = ("costmodel.workbook", "costmodel.excel", "costmodel.report", "costmodel.backends", "costmodel.evidence",
          "costmodel.analysis", "costmodel.render.charts", "costmodel.montecarlo", "costmodel.sampling",
          "costmodel.beta_quantiles", "costmodel.sensitivity", "costmodel.voi", "costmodel.national",
          "costmodel.council_statistics", "costmodel.scenarios")
#: Standard-library modules imported inside the functions that use them, only so that ``compare`` (a text table)
#: starts without them: the suggestion for a mistyped key, the CSV writer.
LAZY_STDLIB = ("difflib", "csv")
#: The dataclasses ``compare`` defines: each costs start-up time (its methods are generated and compiled when its module
#: is imported), so the other value classes on this path are named tuples (see docs/performance.md).
DATACLASSES = {"costmodel.assumptions.Lever", "costmodel.assumptions.Assumptions", "costmodel.engine.CostTable",
               "costmodel.appraisal.Appraisal", "costmodel.timeline.Periods", "costmodel.prices.Conversion"}
PROGRAM = """
import atexit, gc, json, sys
atexit.register(lambda: print(json.dumps({"modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}),
                              file=sys.stderr))
sys.argv = ["costmodel", *sys.argv[1:]]
from costmodel.cli import run
run()
"""


def loaded(tmp_path, *args: str) -> dict:
    """Run ``costmodel ARGS`` as the console script does; the modules loaded and the objects frozen."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    done = subprocess.run([sys.executable, "-c", PROGRAM, *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["compare"], ["compare", "--format", "json"], ["compare", "--format", "csv"],
                                  ["compare", "--annual", "--scenario", "all"]])
def test_compare_loads_no_heavy_library_and_no_other_command(tmp_path, args):
    modules = loaded(tmp_path, *args)["modules"]
    top = {m.split(".")[0] for m in modules}
    assert not top & set(HEAVY), sorted(top & set(HEAVY))
    assert not [m for m in modules if m.startswith(UNUSED)]
    assert [m for m in modules if m.startswith("costmodel.cli.")] == ["costmodel.cli.common", "costmodel.cli.compare",
                                                                      "costmodel.cli.main"]


def test_compare_as_a_table_loads_no_lazy_standard_library_module(tmp_path):
    modules = set(loaded(tmp_path, "compare")["modules"])
    assert not modules & set(LAZY_STDLIB), sorted(modules & set(LAZY_STDLIB))
    # what makes the test able to fail: a mistyped --set loads the suggestion's module
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    done = subprocess.run([sys.executable, "-c", PROGRAM, "compare", "--set", "appraisal.horizon_yeers=10"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "did you mean appraisal.horizon_years" in done.stderr, done.stderr
    assert "difflib" in json.loads(done.stderr.strip().splitlines()[-1])["modules"]


def test_compare_defines_no_other_dataclass(tmp_path):
    modules = [m for m in loaded(tmp_path, "compare")["modules"] if m.startswith("costmodel")]
    found = {f"{m}.{name}" for m in modules for name, obj in vars(importlib.import_module(m)).items()
             if isinstance(obj, type) and obj.__module__ == m and dataclasses.is_dataclass(obj)}
    assert found <= DATACLASSES, sorted(found - DATACLASSES)
    assert "costmodel.assumptions.Lever" in found  # the test sees dataclasses where there are some


def test_the_console_script_freezes_what_importing_made(tmp_path):
    assert loaded(tmp_path, "--version")["frozen"] > 10_000
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["costmodel"] == "costmodel.cli:run"


BLAS_PROBE = """
import json, os
import costmodel.cli
from threadpoolctl import threadpool_info
blas = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
print(json.dumps({"env": os.environ.get("OPENBLAS_NUM_THREADS"), "blas": blas}))
"""


@pytest.mark.parametrize("given, expected_env", [({}, "1"), ({"OMP_NUM_THREADS": "2"}, None),
                                                  ({"OPENBLAS_NUM_THREADS": "2"}, "2")])
def test_blas_runs_on_one_thread_unless_the_user_chose(given, expected_env):
    """The command line sets OPENBLAS_NUM_THREADS=1 before numpy loads OpenBLAS, unless a thread count is given."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")} | given
    done = subprocess.run([sys.executable, "-c", BLAS_PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["env"] == expected_env
    if not given:
        assert found["blas"] and set(found["blas"]) == {1}
