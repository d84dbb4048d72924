"""``costmodel national --backend dask``: councils × draw blocks as tasks on a Dask cluster give the same figures,
draw for draw, as local threads (every council's blocks are seeded by block, not by worker)."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from costmodel import montecarlo as mc
from costmodel.analysis.national_run import cost_block, run
from costmodel.backends.dask_cluster import dask_map
from costmodel.cli import main
from costmodel.evidence.national_councils import build, select

pytest.importorskip("dask.distributed")


def test_every_block_of_every_council_equal_on_dask_and_local():
    councils, _ = select(["Doncaster", "Isles of Scilly"])
    plans = [mc.plan(build(c).assumptions, 70_000, 5) for c in councils]  # two blocks each, the second short
    tasks = [(p, b) for p in plans for b in range(p.blocks)]
    local = mc.local_map()(cost_block, tasks)
    with dask_map(workers=2, processes=False) as mapper:
        remote = mapper(cost_block, tasks)
        outcome = run(councils, 3000, 5, mapper, chunk=1)
    assert len(local) == 4
    for a, b in zip(local, remote):
        np.testing.assert_array_equal(a, b)
    assert outcome.records == run(councils, 3000, 5, mc.local_map()).records


def test_cli_dask_local_cluster_of_processes_equals_local():
    args = ["national", "--council", "Doncaster", "--council", "Barnet", "--draws", "2000", "--format", "json"]
    local = CliRunner().invoke(main, args)
    dask = CliRunner().invoke(main, args + ["--backend", "dask", "--workers", "2"])
    assert local.exit_code == 0 and dask.exit_code == 0, dask.output
    assert json.loads(dask.stdout) == json.loads(local.stdout)


def test_scheduler_needs_dask_backend():
    result = CliRunner().invoke(main, ["national", "--council", "Doncaster", "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2 and "--scheduler needs --backend dask" in result.stderr


def test_cli_existing_scheduler_equals_local():
    from dask.distributed import LocalCluster
    args = ["national", "--council", "Isles of Scilly", "--draws", "1500", "--format", "json"]
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        dask = CliRunner().invoke(main, args + ["--backend", "dask", "--scheduler", cluster.scheduler_address])
    local = CliRunner().invoke(main, args)
    assert dask.exit_code == 0, dask.output
    assert json.loads(dask.stdout) == json.loads(local.stdout)
