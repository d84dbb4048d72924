"""LibreOffice and Chromium never outlive the command that started them, and leave no temporary folders.

A real ``costmodel`` is started, its helper program found by the private profile folder on its command
line (``.costmodel-tmp-<pid>-…``), then the command is stopped: by SIGTERM (handled: the group is killed
at once) or by SIGKILL (not handled: the watchdog kills the group within about half a second).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from costmodel.files import stale
from costmodel.files.children import run_child

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, str(ROOT / "cli.py")]


def processes_with(marker: str) -> list[int]:
    """Ids of running (not zombie) processes whose command line contains ``marker``."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if marker.encode() in (d / "cmdline").read_bytes() and (d / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                out.append(int(d.name))
        except OSError:
            continue
    return out


def wait_for(condition, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def temp_folders(pid: int) -> list[str]:
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(f"{stale.TEMP_PREFIX}{pid}-")]


pytestmark = pytest.mark.skipif(not Path("/proc").exists(), reason="finds processes through /proc (Linux)")


def test_a_child_that_runs_too_long_is_killed_with_its_own_children():
    from costmodel.errors import ToolError
    marker = f"costmodel-test-{os.getpid()}-{time.time_ns()}"
    script = f"import subprocess, time; subprocess.Popen(['sleep', '60', '{marker}']); time.sleep(60)"
    with pytest.raises(ToolError, match="did not finish within 1 seconds"):
        run_child([sys.executable, "-c", script], 1, "the test program")
    assert wait_for(lambda: not processes_with(marker), 5)


def _stop_when_started(args: list[str], cwd: Path, helper: str, sig: int) -> tuple[int, int]:
    proc = subprocess.Popen(CLI + args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    marker = f"{stale.TEMP_PREFIX}{proc.pid}-"
    try:
        assert wait_for(lambda: processes_with(marker) and any(helper in Path(f"/proc/{p}/cmdline").read_text(errors="ignore")
                                                               for p in processes_with(marker)), 120), "helper never started"
        time.sleep(0.5)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.pid, code


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_libreoffice_dies_with_the_command(tmp_path, sig):
    book = tmp_path / "book.xlsx"
    subprocess.run(CLI + ["workbook", "build", "--output", str(book)], check=True, capture_output=True)
    before = book.read_bytes()
    pid, code = _stop_when_started(["workbook", "recalc", str(book)], tmp_path, "soffice", sig)
    assert code == (128 + signal.SIGTERM if sig == signal.SIGTERM else -signal.SIGKILL)
    assert wait_for(lambda: not processes_with(f"{stale.TEMP_PREFIX}{pid}-"), 5), "LibreOffice outlived the command"
    if sig == signal.SIGTERM:
        assert temp_folders(pid) == []  # removed on the way out
    subprocess.run(CLI + ["validate"], cwd=tmp_path, check=True, capture_output=True)  # the next start
    assert temp_folders(pid) == []
    assert book.read_bytes() == before and [n for n in os.listdir(tmp_path) if n != "book.xlsx"] == []


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Chromium")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_chromium_dies_with_the_command(tmp_path, sig):
    pid, code = _stop_when_started(["report", "--draws", "0", "--output", "r.pdf"], tmp_path, "chrom", sig)
    assert code == (128 + signal.SIGTERM if sig == signal.SIGTERM else -signal.SIGKILL)
    assert wait_for(lambda: not processes_with(f"{stale.TEMP_PREFIX}{pid}-"), 5), "Chromium outlived the command"
    subprocess.run(CLI + ["validate"], cwd=tmp_path, check=True, capture_output=True)
    assert wait_for(lambda: temp_folders(pid) == [], 5)
    assert os.listdir(tmp_path) == []
