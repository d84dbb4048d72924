"""Monte Carlo blocks in forked processes (``costmodel.backends.processes``): the same numbers as threads, errors
and dead workers reported, progress told, and no process left behind — in the library and from a stopped command."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from costmodel import montecarlo as mc
from costmodel.backends.processes import process_map
from costmodel.errors import CostmodelError, ToolError

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, str(ROOT / "cli.py")]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")


@pytest.fixture
def no_new_children():
    """Every child a test's workers started is gone (reaped) when it ends; children of earlier tests are not its business."""
    before = set(children_of(os.getpid()))
    yield
    assert set(children_of(os.getpid())) <= before


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (zombies included), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_three_blocks_in_processes_equal_threads_draw_for_draw(bundled, no_new_children):
    p = mc.plan(bundled, 2 * mc.BLOCK + 1000, seed=7, chunk=5000)  # two whole blocks and a short one
    seen = []
    forked = mc.montecarlo(p, process_map(workers=2), seen.append)
    threads = mc.montecarlo(p)
    np.testing.assert_array_equal(forked.present_value, threads.present_value)
    assert forked.summary == threads.summary
    assert sorted(seen) == [1000] + [mc.BLOCK // 2] * 4  # progress: each half of a whole block, and the short one


def test_children_write_results_into_a_shared_array_the_parent_reads(no_new_children):
    run = process_map(workers=2)
    out = run.shared((5, 3))
    assert out.shape == (5, 3) and not out.any()

    def fill(i):
        out[i] = [os.getpid(), i, i * i]
    assert run(fill, range(5)) == [None] * 5
    assert out[:, 2].tolist() == [i * i for i in range(5)]
    assert os.getpid() not in out[:, 0] and len(set(out[:, 0])) == 2  # written in the children, read here


def test_each_item_is_costed_in_a_child_and_results_come_back_in_order(no_new_children):
    out = process_map(workers=3)(lambda i: (i * i, os.getpid()), range(7))
    assert [v for v, _ in out] == [i * i for i in range(7)]
    pids = {pid for _, pid in out}
    assert os.getpid() not in pids and len(pids) == 3


def test_a_childs_error_is_raised_here_with_its_class_and_message(no_new_children):
    def fn(i):
        if i == 4:
            raise CostmodelError(f"block {i}: nothing to cost")
        return i
    with pytest.raises(CostmodelError, match="block 4: nothing to cost"):
        process_map(workers=2)(fn, range(6))


def test_a_child_that_dies_is_a_named_error_not_a_short_result(no_new_children):
    def fn(i):
        if i == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        return i
    # the second of two workers has items 1, 3, 5: dying at 3 loses 3 and 5
    with pytest.raises(ToolError, match=r"worker process stopped before finishing \(2 of 6 blocks missing\)"):
        process_map(workers=2)(fn, range(6))


def test_outside_the_main_thread_it_falls_back_to_threads():
    out = []
    t = threading.Thread(target=lambda: out.extend(process_map(workers=2)(lambda i: os.getpid(), range(4))))
    t.start()
    t.join()
    assert out == [os.getpid()] * 4


#: The command run on the numpy engine, whose blocks go to forked processes (mc.PROCESSES), as where the compiled
#: engine is not built.
NUMPY_ENGINE = ("import sys, costmodel.compiled_engine as e; e._KERNEL = None; import costmodel.montecarlo as mc; "
                "mc.PROCESSES = True; sys.argv[0] = 'costmodel'; from costmodel.cli import run; run()")


def test_a_stopped_command_leaves_no_worker_running(tmp_path):
    """SIGTERM while the workers cost their blocks: exit 143, every child killed and reaped, no output file."""
    target = tmp_path / "mc.json"
    proc = subprocess.Popen([sys.executable, "-c", NUMPY_ENGINE, "montecarlo", "--draws", "20000000", "--format", "json",
                             "--output", str(target)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        workers = children_of(proc.pid)
    assert len(workers) == 2, proc.communicate()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert not target.exists()
    time.sleep(0.2)
    assert [w for w in workers if Path(f"/proc/{w}").exists()] == []


def test_a_command_stopped_while_its_threads_work_ends_at_once(tmp_path):
    """With the compiled engine the blocks run on threads (mc.PROCESSES is False): SIGTERM mid-run still ends the
    command with 143 within a few seconds, starts no process and writes no file."""
    if mc.PROCESSES:
        pytest.skip("no compiled engine here: the command forks (the test above)")
    target = tmp_path / "mc.json"
    proc = subprocess.Popen(CLI + ["montecarlo", "--draws", "20000000", "--format", "json", "--output", str(target)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3.0)  # imports, reading, tables: then the threads are costing blocks (20 million draws take ~20 s)
    assert proc.poll() is None and children_of(proc.pid) == []
    stopped = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert time.monotonic() - stopped < 5.0
    assert not target.exists()


def test_when_the_system_refuses_a_process_threads_do_the_work(monkeypatch, no_new_children):
    """A second fork refused (EAGAIN): the first child is killed and reaped, and threads give every result."""
    real_fork, calls = os.fork, []

    def fork():
        calls.append(1)
        if len(calls) == 2:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return real_fork()
    monkeypatch.setattr(os, "fork", fork)
    out = process_map(workers=2)(lambda i: (i + 1, os.getpid()), range(5))
    assert [v for v, _ in out] == [1, 2, 3, 4, 5]
    assert {pid for _, pid in out} == {os.getpid()}
