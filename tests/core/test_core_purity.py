"""The calculation core never imports an I/O library (DESIGN.md)."""
import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "costmodel"
CORE = sorted(p.stem for p in SRC.glob("*.py") if p.stem != "__init__")
FORBIDDEN = {"yaml", "openpyxl", "xlwings", "matplotlib", "click", "rich", "pyarrow", "pandas"}


def test_core_modules_import_no_io_library_in_source():
    for name in CORE:
        tree = ast.parse((SRC / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & FORBIDDEN, f"{name}.py imports {roots & FORBIDDEN}"


def test_importing_the_core_loads_no_io_library():
    code = ("import sys, importlib\n"
            f"for m in {CORE!r}: importlib.import_module('costmodel.' + m)\n"
            f"print(sorted(m for m in {sorted(FORBIDDEN)!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
