"""Regenerate the VBA project shipped with costmodel (src/costmodel/excel/vba/) from the pinned xlwings.

Run once after changing the xlwings pin in pyproject.toml, with that xlwings installed:

    python scripts/make_vba_project.py

It runs ``xlwings quickstart costmodel_vba --standalone`` (works without Excel), keeps the macro-enabled
book it writes as ``xlwings_standalone.xlsm`` (the VBA project: the standalone ``xlwings`` module,
``Dictionary`` and ``Module1.SampleCall``) and records the xlwings version in ``xlwings_version.txt``.
``costmodel excel workbook`` copies the VBA project from there, and says so when the installed xlwings
differs from the version recorded.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "costmodel" / "excel" / "vba"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "xlwings.cli", "quickstart", "costmodel_vba", "--standalone"],
                       cwd=tmp, check=True, capture_output=True, timeout=120)
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / "costmodel_vba" / "costmodel_vba.xlsm", OUT / "xlwings_standalone.xlsm")
    (OUT / "xlwings_version.txt").write_text(version("xlwings") + "\n", encoding="utf-8")
    print(f"Wrote {OUT}/xlwings_standalone.xlsm for xlwings {version('xlwings')}")


if __name__ == "__main__":
    main()
