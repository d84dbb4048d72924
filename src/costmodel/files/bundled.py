"""The bundled example assumption set, shipped as package data, and where a command looks for assumptions.

The repository's top-level ``assumptions/`` folder is installed as the package ``costmodel.bundled``
(``pyproject.toml`` maps one onto the other), so the example is found the same way in a source
checkout, an editable install and a wheel installed anywhere.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from ..errors import CostmodelError

PACKAGE = "costmodel.bundled"


def bundled_assumptions() -> Path:
    """The folder holding the bundled example's YAML files."""
    spec = importlib.util.find_spec(PACKAGE)
    for place in (spec.submodule_search_locations or []) if spec else []:
        if (Path(place) / "options.yaml").is_file():
            return Path(place)
    raise CostmodelError(f"the bundled assumptions ({PACKAGE}) are missing from this installation of costmodel: "
                         "reinstall it (pip install --force-reinstall costmodel)")


def default_assumptions() -> Path:
    """``$COSTMODEL_ASSUMPTIONS``, else ``./assumptions`` when it holds an options.yaml, else the bundled example."""
    env = os.environ.get("COSTMODEL_ASSUMPTIONS")
    if env:
        return Path(env)
    here = Path("assumptions")
    return here if (here / "options.yaml").is_file() else bundled_assumptions()
