"""The packaged official statistics for every English council (DfE, Ofsted, ONS; Open Government Licence v3.0).

The CSV files in ``files/data/`` are the extract described in ``files/data/README.md`` (columns,
sources, caveats) and derived by ``files/data/build_councils.py`` from the publishers' own files; they
are read here as pandas frames, unchanged. Nothing here decides what a figure means for the model.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import pandas as pd

ATTRIBUTION = ("Contains public sector information licensed under the Open Government Licence v3.0 "
               "(Department for Education; Ofsted; Office for National Statistics).")
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
ENGLAND = "E92000001"


def data_dir() -> Path:
    """The folder holding the packaged CSV files, their README and the script that built them."""
    return Path(str(resources.files("costmodel.files").joinpath("data")))


#: How each file is read: columns kept as text (codes with leading zeros) and parsed as dates.
READ = {
    "councils.csv": {"dtype": {"old_la_code": str}},
    "ofsted_inspections.csv": {"parse_dates": ["insp_date", "pub_date"]},
}


@functools.lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(data_dir() / name, **READ.get(name, {}))


def councils() -> pd.DataFrame:
    """One row per current upper-tier council (153), latest year of each source (``councils.csv``)."""
    return _read("councils.csv").copy()


def columns() -> pd.DataFrame:
    """The data dictionary of ``councils.csv``: column, unit, period, definition, source."""
    return _read("columns.csv").copy()


def history() -> pd.DataFrame:
    """Tidy history ``la_code, la_name, year, measure, value, unit`` (councils, former councils, England, regions)."""
    return _read("councils_history.csv").copy()


def england_and_regions() -> pd.DataFrame:
    """England, the nine regions and Inner/Outer London, latest year, same columns as ``councils()``."""
    return _read("england_and_regions.csv").copy()


def inspections() -> pd.DataFrame:
    """Every Ofsted ILACS inspection (2018 to 31 March 2025) with its dates and judgements."""
    return _read("ofsted_inspections.csv").copy()


def joint_workforce_units() -> pd.DataFrame:
    """The two workforce returns made jointly by two councils, latest year."""
    return _read("workforce_joint_units.csv").copy()
