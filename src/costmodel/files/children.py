"""Helper programs (LibreOffice, Chromium) run so that they never outlive the command that started them.

Each runs in its own process group (a new session), under a small watchdog process that leads the
group: when the command ends normally the program has finished; when the command stops it on a time
limit, an error or a signal, the whole group is killed at once (LibreOffice and Chromium start helper
processes of their own); and when the command is killed outright (``kill -9``, which no handler sees)
the watchdog notices its parent is gone within half a second and kills the group itself.
"""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

from ..errors import ToolError

#: Runs the program, polls for the command's death, and takes the whole group down with it.
WATCHDOG = """
import os, signal, subprocess, sys
parent, cmd = int(sys.argv[1]), sys.argv[2:]
child = subprocess.Popen(cmd)
while True:
    try:
        code = child.wait(timeout=0.5)
        break
    except subprocess.TimeoutExpired:
        if os.getppid() != parent:
            os.killpg(0, signal.SIGKILL)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_child(cmd: list[str], timeout: float, name: str, cwd=None) -> subprocess.CompletedProcess:
    """Run ``cmd`` under the watchdog in its own process group; its output as text. Killed with the command.

    A program that runs past ``timeout`` seconds is killed (with every process it started) and reported
    as a :class:`ToolError` naming ``name``.
    """
    proc = subprocess.Popen([sys.executable, "-c", WATCHDOG, str(os.getpid()), *cmd], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ToolError(f"{name} did not finish within {timeout:g} seconds: stopped it") from None
    except BaseException:
        kill_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def kill_group(proc: subprocess.Popen) -> None:
    """Kill a child's whole process group and wait for the child (it leads the group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # Windows: no process groups
            proc.kill()
    with contextlib.suppress(Exception):
        proc.communicate(timeout=10)
