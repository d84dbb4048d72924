"""Which xlwings the macro-enabled book is made for, which is installed, and whether Excel and the add-in are there.

The book's VBA project is shipped with costmodel (``vba/xlwings_standalone.xlsm``, made by
``scripts/make_vba_project.py`` from the xlwings version pyproject.toml pins, recorded in
``vba/xlwings_version.txt``): the VBA module and the Python side must be the same xlwings version,
so the build and ``costmodel excel doctor`` say when the installed one differs.
"""
from __future__ import annotations

import os
import sys
from importlib import metadata, resources
from pathlib import Path

VBA_BOOK = "xlwings_standalone.xlsm"


def vba_file(name: str):
    return resources.files("costmodel.excel").joinpath("vba", name)


def pinned_xlwings() -> str:
    """The xlwings version of the shipped VBA project (the version pyproject.toml pins)."""
    return vba_file("xlwings_version.txt").read_text(encoding="utf-8").strip()


def installed_xlwings() -> str | None:
    try:
        return metadata.version("xlwings")
    except metadata.PackageNotFoundError:
        return None


def version_note() -> str | None:
    """A sentence when the installed xlwings is not the one the VBA project was made for, else None."""
    pinned, installed = pinned_xlwings(), installed_xlwings()
    if installed == pinned:
        return None
    if installed is None:
        return (f"xlwings is not installed: the book's macros need xlwings {pinned} on the computer that runs Excel "
                f"(pip install \"xlwings=={pinned}\")")
    return (f"the installed xlwings is {installed} but the book's VBA module is xlwings {pinned}'s: install "
            f"xlwings {pinned} (pip install \"xlwings=={pinned}\") where Excel runs the macros")


def addin_path() -> Path | None:
    """Where ``xlwings addin install`` puts the add-in on this platform (None where Excel does not run)."""
    if sys.platform.startswith("win"):
        return Path(os.environ.get("APPDATA", "")) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
    if sys.platform == "darwin":
        return (Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel" / "xlwings.xlam")
    return None


def doctor_lines() -> list[str]:
    """The report of ``costmodel excel doctor``: versions, match, Excel, the add-in."""
    from .. import __version__
    pinned, installed = pinned_xlwings(), installed_xlwings()
    lines = [f"costmodel {__version__}",
             f"xlwings pinned (the book's VBA module): {pinned}",
             f"xlwings installed: {installed or 'not installed'}",
             "match: yes" if installed == pinned else f"match: NO - {version_note()}"]
    addin = addin_path()
    if addin is None:
        lines.append("Excel: not available on this platform (xlwings drives Excel on Windows and macOS only); "
                     "costmodel excel workbook still writes the .xlsm")
    else:
        lines.append(f"xlwings add-in: {'found at ' + str(addin) if addin.exists() else 'not installed (optional: xlwings addin install)'}")
    return lines
