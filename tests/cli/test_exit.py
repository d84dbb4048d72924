"""How the console script ends (``costmodel.cli.main._leave``): as ``sys.exit`` would — exit status, standard streams
flushed, other threads joined, exit handlers run — without the interpreter's module-by-module teardown."""
from __future__ import annotations

import json
import os
import subprocess
import sys

PROGRAM = """
import atexit, sys, threading, time
from pathlib import Path
atexit.register(lambda: print("exit handler ran", file=sys.stderr))
def late():
    time.sleep(0.3)
    Path("late.txt").write_text("written by a thread still running when the command ended")
threading.Thread(target=late).start()
sys.argv = ["costmodel", *sys.argv[1:]]
from costmodel.cli import run
run()
"""


def console(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTMODEL_")}
    return subprocess.run([sys.executable, "-c", PROGRAM, *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_command_ends_with_its_output_whole_threads_joined_and_exit_handlers_run(tmp_path):
    done = console(tmp_path, "compare", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # every byte of standard output arrived (it is flushed before the end)
    assert "options" in json.dumps(result)
    assert "exit handler ran" in done.stderr
    assert (tmp_path / "late.txt").read_text().startswith("written by a thread")


def test_an_input_error_still_exits_2_with_its_message(tmp_path):
    done = console(tmp_path, "compare", "--set", "no.such.lever=1")
    assert done.returncode == 2
    assert "no.such.lever" in done.stderr and "exit handler ran" in done.stderr


def test_a_written_file_is_complete_when_the_process_has_ended(tmp_path):
    done = console(tmp_path, "montecarlo", "--draws", "2000", "--format", "json", "--output", "mc.json")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "mc.json").read_text())["draws"] == 2000
