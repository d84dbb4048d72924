"""Shared fixtures: the bundled assumptions and the worked-example base."""
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
