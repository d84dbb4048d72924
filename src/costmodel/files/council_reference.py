"""Reference tables that go with the packaged council statistics: the DfE's statistical neighbours and the DfE
symbols (c, x, z, u, low) that stand in the releases where a council's figure is missing.

``statistical_neighbours_2025.csv`` is DfE's file ``data-raw/sn_model_2025_wide.csv`` of the CSC outcomes and
enablers dashboard (commit in ``VINTAGE.json``), copied unchanged; ``symbols.csv`` lists each council figure a
symbol replaced (see ``docs/council-data.md``). Both read with pandas, like ``council_data``.
"""
from __future__ import annotations

import functools

import pandas as pd

from .council_data import data_dir

NEIGHBOURS_FILE = "statistical_neighbours_2025.csv"
SYMBOL_MEANINGS = {
    "c": "withheld to protect confidentiality (small numbers)",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "low": "rounds to zero but is not zero",
    "..": "not available", ":": "not available", "-": "not available",
}


@functools.lru_cache(maxsize=None)
def _neighbours() -> pd.DataFrame:
    wide = pd.read_csv(data_dir() / NEIGHBOURS_FILE, dtype={"old_la_code": str})
    rows = []
    for rank in range(1, 11):
        part = wide[["old_la_code", "la_name", f"SN_{rank}", f"SN_{rank}P"]].copy()
        part.columns = ["dfe_code", "la_name", "neighbour_dfe_code", "closeness"]
        part["rank"] = rank
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    out["neighbour_dfe_code"] = out["neighbour_dfe_code"].astype(int).astype(str)
    out["closeness"] = out["closeness"].str.strip()
    return out.sort_values(["dfe_code", "rank"]).reset_index(drop=True)


def statistical_neighbours() -> pd.DataFrame:
    """One row per council and neighbour: ``dfe_code, la_name, neighbour_dfe_code, closeness, rank`` (1 closest)."""
    return _neighbours().copy()


@functools.lru_cache(maxsize=None)
def _symbols() -> pd.DataFrame:
    s = pd.read_csv(data_dir() / "symbols.csv", dtype={"symbol": str}, keep_default_na=False)
    s["meaning"] = s["symbol"].map(SYMBOL_MEANINGS).fillna("not published")
    return s


def symbols() -> pd.DataFrame:
    """``la_code, la_name, year, measure, symbol, meaning``: the council figures a DfE symbol replaced."""
    return _symbols().copy()
