"""Writing outputs whole: the one output guard, the lock-file check, atomic writes and sets of outputs written as a unit.

Every output is first written to a temporary file beside its target, named with the one prefix
:data:`TEMP_PREFIX` and the process id (``.costmodel-tmp-<pid>-<random>-<name>``), then renamed over
the target, so a reader sees the old file or the whole new one, never half.

A command that writes several files (Monte Carlo's summary, draws and chart; ``workbook read
--output DIR``; the .xlsm and its companion .py) opens :func:`whole_outputs`: each write goes to its
temporary file at once, and the renames wait for :meth:`Outputs.commit`, which first records them in
a journal file beside the first target, then renames every file with SIGINT and SIGTERM held back,
then removes the journal. A process killed before the journal exists leaves only temporary files
(the targets are whole-old); one killed after leaves a journal that the next start replays
(:mod:`costmodel.files.stale`), so the targets become whole-new. Temporary files of a process that
no longer runs are removed on the next start.
"""
from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from pathlib import Path

from ..errors import OutputError
from .stale import JOURNAL_SUFFIX, TEMP_PREFIX, recover

_live: set[str] = set()  # temporary paths of this process not yet renamed or removed
_open: list["Outputs"] = []  # the sets of outputs being written (innermost last)


def temp_name(name: str = "") -> str:
    """A fresh temporary name: ``.costmodel-tmp-<pid>-<random>-<name>`` (the name cut to 100 characters)."""
    return f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}-{name[-100:]}"


def temp_folder(label: str) -> tempfile.TemporaryDirectory:
    """A temporary folder in the system's temporary folder, with the one prefix and this process's id; removed when done."""
    return tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-{label}-", ignore_cleanup_errors=True)


def check_output(path: Path | None, force: bool, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an output that would overwrite a file without ``force``, is a folder, lies in a missing or read-only
    folder, is open in Excel or LibreOffice, or (when ``suffixes`` are given) does not end in one of them."""
    if path is None:
        return
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"{path}: expected a file name ending {' or '.join(suffixes)}")
    if path.exists() and path.is_dir():
        raise OutputError(f"{path} is a folder: give a file name")
    check_not_open(path)
    if path.exists() and not force:
        raise OutputError(f"{path} already exists: use --force to overwrite it")
    folder = path.parent
    if not folder.exists():
        raise OutputError(f"{folder} does not exist: create the folder first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot write into the folder {folder} (permission denied)")
    recover(folder)  # stale temporary files of an interrupted run, before we add ours


def check_not_open(path: Path) -> None:
    """Refuse a file that Excel (lock file ``~$name``) or LibreOffice (``.~lock.name#``) has open."""
    path = Path(path)
    for lock, program in ((path.with_name("~$" + path.name), "Excel"), (path.with_name(f".~lock.{path.name}#"), "LibreOffice")):
        if lock.exists():
            raise OutputError(f"{path} is open in {program} (lock file {lock.name} beside it): close it and try again")


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never half.

    Inside :func:`whole_outputs` the rename waits for the set's commit.
    """
    path = Path(path)
    tmp = path.with_name(temp_name(path.name))
    _live.add(str(tmp))
    try:
        _write_synced(tmp, data)
        os.chmod(tmp, 0o666 & ~_umask())
        if _open:
            _open[-1].moves.append((tmp, path))
            return
        os.replace(tmp, path)
        _live.discard(str(tmp))
    except OSError as e:
        _discard(tmp)
        raise OutputError(f"{path}: cannot write it ({e.strerror or e})") from None
    except BaseException:
        _discard(tmp)
        raise


class Outputs:
    """Files written as one unit: temporary files now, every rename at :meth:`commit` (see the module doc)."""

    def __init__(self):
        self.moves: list[tuple[Path, Path]] = []

    def commit(self) -> None:
        moves, self.moves = self.moves, []
        if not moves:
            return
        journal = None
        if len(moves) > 1:
            journal = moves[0][1].with_name(temp_name() .rstrip("-") + JOURNAL_SUFFIX)
            data = json.dumps({"pid": os.getpid(), "moves": [[str(t.absolute()), str(p.absolute())] for t, p in moves]})
            atomic_journal(journal, data.encode())
        with _signals_held():
            for tmp, path in moves:
                os.replace(tmp, path)
                _live.discard(str(tmp))
            if journal is not None:
                journal.unlink()
                _live.discard(str(journal))

    def discard(self) -> None:
        moves, self.moves = self.moves, []
        for tmp, _ in moves:
            _discard(tmp)


@contextlib.contextmanager
def whole_outputs():
    """Collect every :func:`atomic_write` inside into one :class:`Outputs`; whatever is not committed is removed."""
    outputs = Outputs()
    _open.append(outputs)
    try:
        yield outputs
    finally:
        _open.remove(outputs)
        outputs.discard()


def _write_synced(tmp: Path, data: bytes) -> None:
    """Create ``tmp`` (never an existing file) holding ``data``, flushed to disk before it is renamed into place."""
    with open(tmp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_journal(path: Path, data: bytes) -> None:
    """Write the journal itself atomically (it exists whole, or not at all)."""
    tmp = path.with_name(temp_name(path.name + ".partial"))
    _live.add(str(tmp))
    _live.add(str(path))
    try:
        _write_synced(tmp, data)
        os.replace(tmp, path)
    finally:
        _discard(tmp)


def remove_temporaries() -> None:
    """Remove every temporary file this process still has (on a signal, before exiting)."""
    for name in list(_live):
        _discard(Path(name))


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        Path(tmp).unlink()
    _live.discard(str(tmp))


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back while a set of files is renamed (delivered right after)."""
    can = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if can:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        if can:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _umask() -> int:
    """The process umask (temporary files are created readable by the owner only; outputs get normal permissions)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
