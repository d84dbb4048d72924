"""What an interrupted costmodel leaves behind, found and settled on the next start.

Temporary files and folders carry the one prefix :data:`TEMP_PREFIX` and the id of the process that
made them. One whose process no longer runs (or whose id now belongs to a process started after the
file was written) is stale: a journal of renames (a set of outputs committed but not all moved into
place, see :mod:`costmodel.files.atomic`) is replayed, so its targets become whole-new; anything else
is removed. Files of a process still running are left alone, so parallel runs never disturb each other.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path

TEMP_PREFIX = ".costmodel-tmp-"  #: the one prefix of every temporary file and folder costmodel makes
JOURNAL_SUFFIX = "-journal.json"


def owner(name: str) -> int | None:
    """The process id in a temporary name ``.costmodel-tmp-<pid>-…``, or None if it is not one of ours."""
    if not name.startswith(TEMP_PREFIX):
        return None
    pid = name[len(TEMP_PREFIX):].split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def running(pid: int, written: float) -> bool:
    """True when the process that wrote a file at time ``written`` (seconds) may still be running."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists (another user's process)
    started = _start_time(pid)
    return started is None or started <= written + 1.0  # a process started after the file was written did not write it


def _start_time(pid: int) -> float | None:
    """When a process started (seconds since the epoch), from /proc on Linux; None where that is not known."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def recover(folder) -> list[str]:
    """Settle the stale temporary files in ``folder``: replay journals, then remove the rest. Returns what was done."""
    folder = Path(folder)
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(TEMP_PREFIX)]
    except OSError:
        return []
    done = []
    stale = [e for e in entries if _is_stale(e)]
    for e in sorted(stale, key=lambda e: not e.name.endswith(JOURNAL_SUFFIX)):  # journals first
        if e.name.endswith(JOURNAL_SUFFIX):
            done += replay(Path(e.path))
        elif Path(e.path).exists() or Path(e.path).is_symlink():
            _remove(Path(e.path))
            done.append(f"removed {e.path}")
    return done


def _is_stale(entry: os.DirEntry) -> bool:
    pid = owner(entry.name)
    if pid is None:
        return False
    try:
        written = entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    return not running(pid, written)


def replay(journal: Path) -> list[str]:
    """Finish the renames a journal records (those whose temporary file is still there), then remove it."""
    done = []
    try:
        moves = json.loads(journal.read_text(encoding="utf-8"))["moves"]
        for tmp, target in moves:
            if Path(tmp).exists():
                os.replace(tmp, target)
                done.append(f"completed {target}")
    except (OSError, ValueError, KeyError, TypeError):
        pass  # an unreadable journal cannot be replayed: its temporary files are removed as stale
    with contextlib.suppress(OSError):
        journal.unlink()
    return done


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def recover_many(folders) -> None:
    """Settle several folders (the working folder and the system's temporary folder at start)."""
    for f in folders:
        recover(f)

