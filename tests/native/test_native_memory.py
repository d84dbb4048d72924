"""The allocator setting the analysis commands make (costmodel.native.memory): a block of draws costed again takes
its temporaries from memory the process already holds, not from fresh pages (page faults). Measured on the numpy
engine, which makes most of them (the compiled engine, costmodel.native.engine_v4, makes a few a pass)."""
from __future__ import annotations

import subprocess
import sys

import pytest

PROGRAM = """
import ctypes, resource, sys
import numpy as np
ctypes.CDLL(None).prctl(41, 1, 0, 0, 0)  # PR_SET_THP_DISABLE: 4 KiB pages, so the count does not hang on free huge pages
from costmodel.native import kernel
from costmodel import compiled_engine
compiled_engine._KERNEL = None  # the numpy engine
if sys.argv[1] == "keep":
    assert kernel("memory").keep_freed_memory() is True
from costmodel import montecarlo as mc
from costmodel.files.assumption_folder import load_folder
from costmodel.files.bundled import bundled_assumptions
p = mc.plan(load_folder(bundled_assumptions()), 2 * mc.BLOCK, 1)
mc.prepare(p, mc.local_map(workers=1))
pv = np.zeros((p.draws, len(p.options)))  # the run's results, mapped before, as the command's blocks write theirs
mc.block_present_values(p, 0, out=pv)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
mc.block_present_values(p, 1, out=pv)
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before, float(pv[:mc.BLOCK].sum()))
"""


def faults(setting: str) -> tuple[int, float]:
    """Page faults costing the second block of draws, and the first block's total, in a new process."""
    done = subprocess.run([sys.executable, "-c", PROGRAM, setting], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    count, total = done.stdout.split()
    return int(count), float(total)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_keeping_freed_memory_removes_the_page_faults_of_a_block_and_changes_no_number():
    kept, kept_total = faults("keep")
    default, default_total = faults("default")
    assert kept_total == default_total
    assert default > 1000  # measured: about 4,800 for a block of 65,536 draws
    assert kept < default / 10  # measured: 3

