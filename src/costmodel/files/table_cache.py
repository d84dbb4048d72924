"""The Beta quantile tables of PERT levers kept on disk between runs (:func:`costmodel.beta_quantiles.keep_tables`).

Building a table takes a few milliseconds of numpy work, and a Monte Carlo run of the bundled example needs 28
of them: about 0.08 s of a million draws' second, before any draw is made. The tables depend only on the
shape (α, β) and on the code that builds them, so a run keeps each one it builds as a ``.npy`` file and the next
run reads it back (about 0.15 ms a table) instead.

- **Where:** ``$COSTMODEL_CACHE`` if set, else ``$XDG_CACHE_HOME/costmodel``, else ``~/.cache/costmodel``;
  ``COSTMODEL_CACHE=off`` (or ``0``, or empty) keeps nothing.
- **Always the table the code would build:** the files sit in a folder named after a digest of the modules
  that build the tables and of numpy's version, so a new version of either starts a new folder; a file is
  used only when it holds exactly the table of the shape asked for (:func:`costmodel.beta_quantiles.unpacked`),
  and a file that cannot be read is built again and replaced.
- **Never in the way:** a file is written whole under a temporary name and then renamed, so a run (or a run at
  the same time) reads a whole table or none; a folder that cannot be written to just means nothing is kept.
"""
from __future__ import annotations

import os
import tempfile
import zlib
from pathlib import Path

import numpy as np

from .. import beta_quantiles, incomplete_beta

OFF = ("", "0", "off", "no", "false")  #: values of COSTMODEL_CACHE that keep nothing


def cache_folder() -> Path | None:
    """The folder under which tables are kept (see the module's docstring), or None: keep nothing."""
    chosen = os.environ.get("COSTMODEL_CACHE")
    if chosen is not None:
        return None if chosen.strip().lower() in OFF else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except RuntimeError:  # no home folder to be found
            return None
    return Path(base) / "costmodel"


def code_digest() -> str:
    """A digest of what a table's numbers depend on: the source of the modules that build it (a CRC-32 of each,
    which changes with any edit: no OpenSSL to load for it), and numpy's version."""
    sums = [zlib.crc32(Path(module.__file__).read_bytes()) for module in (beta_quantiles, incomplete_beta)]
    return "-".join([*(f"{c:08x}" for c in sums), f"numpy{np.__version__}"])


class TableCache:
    """Beta quantile tables as files under ``base`` in the folder of this code (``beta-tables-<code_digest()>``),
    one ``.npy`` a shape, named by α and β in hexadecimal."""

    def __init__(self, base: Path):
        self.base = Path(base)
        self.writable = True
        self._folder = None

    @property
    def folder(self) -> Path:
        """The folder of this code's tables (the digest worked out when first needed, not when the command starts)."""
        if self._folder is None:
            self._folder = self.base / f"beta-tables-{code_digest()}"
        return self._folder

    def path(self, alpha: float, beta: float) -> Path:
        return self.folder / f"beta_{float(alpha).hex()}_{float(beta).hex()}.npy"

    def load(self, alpha: float, beta: float) -> beta_quantiles.BetaQuantile | None:
        """The kept table of Beta(α, β), or None (none kept, or not readable as exactly that table)."""
        try:
            packed = np.load(self.path(alpha, beta), allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None
        return beta_quantiles.unpacked(alpha, beta, packed)

    def save(self, table: beta_quantiles.BetaQuantile) -> None:
        """Keep ``table``: written under a temporary name, then renamed over any older file. Nothing is kept (and
        nothing raised) where the folder cannot be written to."""
        if not self.writable:
            return
        temporary = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as f:
                temporary = Path(f.name)
                np.save(f, table.packed(), allow_pickle=False)
            os.replace(temporary, self.path(table.alpha, table.beta))
        except OSError:
            self.writable = False
            if temporary is not None:
                temporary.unlink(missing_ok=True)


def keep_tables() -> TableCache | None:
    """Keep this process's Beta tables in the cache folder (:func:`cache_folder`), if there is one; the store."""
    folder = cache_folder()
    store = None if folder is None else TableCache(folder)
    beta_quantiles.keep_tables(store)
    return store
