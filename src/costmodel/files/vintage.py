"""The vintage of the packaged council statistics (``files/data/VINTAGE.json``): which release of each source,
the reference date of its latest figures, the repository snapshots the files came from, and checksums.

Written by ``scripts/refresh_council_data.py`` whenever the extract is rebuilt; read here with ``json`` only,
so ``costmodel sources`` lists it without loading pandas.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

VINTAGE_FILE = "VINTAGE.json"


def data_folder() -> Path:
    """The folder of the packaged statistics (the same as ``files.council_data.data_dir``, without pandas)."""
    return Path(str(resources.files("costmodel.files").joinpath("data")))


@functools.lru_cache(maxsize=None)
def _load() -> str:
    return (data_folder() / VINTAGE_FILE).read_text(encoding="utf-8")


def data_vintage() -> dict:
    """The parsed ``VINTAGE.json`` (a fresh copy each call)."""
    return json.loads(_load())


def source(key: str) -> dict:
    """One source of the vintage by key (CIN, CLA, CSWW, POP, S251, OFSTED, SN)."""
    for s in data_vintage()["sources"]:
        if s["key"] == key:
            return s
    raise KeyError(key)


def publication(key: str) -> str:
    """A source in words: "DfE, Children's social work workforce, reporting year 2025 (updated 2026-03-19)"."""
    s = source(key)
    return f"{s['publisher']}, {s['title']}, {s['release']}" + (f" (updated {s['updated']})" if s.get("updated") else "")


def vintage_line() -> str:
    """One line naming the latest reference date of each source, for the head of a listing."""
    v = data_vintage()
    parts = [f"{s['key']} {s['latest_reference']}" for s in v["sources"] if s["key"] not in ("SN",)]
    return f"Data vintage (refreshed {v['refreshed']}): " + "; ".join(parts) + "."
