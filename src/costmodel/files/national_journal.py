"""The journal of a national run: a folder beside ``--output`` (``<output>.journal``) holding the run's settings and
one JSON file per finished chunk of councils, each written whole (temporary file, fsync, rename), so a run that is
killed can be resumed (``--resume``) from the councils it finished and gives the same output as one that was not.

The journal is removed once the output is written. Floats are written with ``repr`` precision, so figures read
back are the very numbers computed.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..errors import OutputError
from .atomic import temp_name

SETTINGS = "run.json"


def journal_folder(output: Path) -> Path:
    """``national.json`` → ``national.json.journal`` beside it."""
    return Path(output).with_name(Path(output).name + ".journal")


def _write_whole(path: Path, data: dict) -> None:
    tmp = path.with_name(temp_name(path.name))
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            json.dump(data, fh, allow_nan=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"{path}: cannot write the journal of the run ({e.strerror or e})") from None
    finally:
        if tmp.exists():
            tmp.unlink()


class Journal:
    """The chunks a run has finished, for ``--resume``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def start(cls, output: Path, settings: dict, resume: bool) -> tuple["Journal", list[dict]]:
        """Open the journal beside ``output``; with ``resume``, the chunks a run with the same ``settings`` finished
        (a journal of other settings is an error); without, any old journal is replaced."""
        j = cls(journal_folder(output))
        found = j.folder / SETTINGS
        if resume and found.exists():
            old = json.loads(found.read_text(encoding="utf-8"))
            if old != json.loads(json.dumps(settings)):
                differ = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
                raise OutputError(f"--resume: the journal {j.folder} is of a run with other settings ({', '.join(differ)}"
                                  "): run with the same options, or without --resume to start again")
            return j, j.parts()
        if j.folder.exists():
            shutil.rmtree(j.folder)
        j.folder.mkdir()
        _write_whole(found, settings)
        return j, []

    def parts(self) -> list[dict]:
        """Every finished chunk, in the order written."""
        files = sorted(self.folder.glob("chunk-*.json"))
        return [json.loads(f.read_text(encoding="utf-8")) for f in files]

    def save(self, part: dict) -> None:
        """Record one finished chunk, whole."""
        n = len(list(self.folder.glob("chunk-*.json")))
        _write_whole(self.folder / f"chunk-{n:05d}.json", part)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
