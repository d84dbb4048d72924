"""Shared fixtures: the bundled assumptions and the worked-example base; the Beta tables kept in a folder of the
test session's (COSTMODEL_CACHE), not in the user's cache."""
import os
from pathlib import Path

import pytest

from costmodel.files.assumption_folder import load_folder

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def bundled():
    return load_folder(ROOT / "assumptions")


@pytest.fixture(scope="session")
def case_base():
    return load_folder(ROOT / "tests" / "cases" / "base")


@pytest.fixture(scope="session", autouse=True)
def table_cache(tmp_path_factory):
    before = os.environ.get("COSTMODEL_CACHE")
    os.environ["COSTMODEL_CACHE"] = str(tmp_path_factory.mktemp("table-cache"))
    yield
    if before is None:
        os.environ.pop("COSTMODEL_CACHE", None)
    else:
        os.environ["COSTMODEL_CACHE"] = before
