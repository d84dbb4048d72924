"""Writing outputs safely: the one output guard, the lock-file check, and atomic writes (temporary file, then rename)."""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import OutputError


def check_output(path: Path | None, force: bool, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an output that would overwrite a file without ``force``, is a folder, lies in a missing folder,
    is open in Excel, or (when ``suffixes`` are given) does not end in one of them."""
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
    if not path.parent.exists():
        raise OutputError(f"{path.parent} does not exist: create the folder first")


def check_not_open(path: Path) -> None:
    """Refuse a file that Excel has open: its lock file ``~$name`` lies beside it."""
    path = Path(path)
    lock = path.with_name("~$" + path.name)
    if lock.exists():
        raise OutputError(f"{path} is open in Excel (lock file {lock.name} beside it): close it and try again")


def atomic_write(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never half.

    The temporary file beside the target is created exclusively (``O_EXCL``, a random name) with the
    permissions a new file normally gets (0666 less the umask), then renamed over the target."""
    path = Path(path)
    while True:
        tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
