"""``costmodel excel workbook``: the .xlsm holds the xlwings VBA project and the wiring; Linux-safe commands."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import costmodel.cli as cli
from costmodel.excel import jobs as excel_logic

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xlsm")
    path = folder / "costmodel_book.xlsm"
    result = CliRunner().invoke(cli.main, ["excel", "workbook", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_xlsm_holds_the_vba_project_and_is_macro_enabled(made):
    with zipfile.ZipFile(made) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        vba = z.read("xl/vbaProject.bin")
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "relationships/vbaProject" in rels
    # the xlwings standalone VBA module and the SampleCall module are in the project (stream names, UTF-16)
    for module in ("xlwings", "Module1", "Dictionary"):
        assert module.encode("utf-16-le") in vba
    wb = openpyxl.load_workbook(made, keep_vba=True)
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()
    assert wb.code_name == "ThisWorkbook"


def test_xlsm_wiring_conf_run_sheet_name_and_companion(made, bundled):
    wb = openpyxl.load_workbook(made, keep_vba=True)
    assert {"Cover", "Inputs", "Summary", "Run", "xlwings.conf"} <= set(wb.sheetnames)
    conf = {r[0]: r[1] for r in wb["xlwings.conf"].iter_rows(max_col=2, values_only=True) if r[0]}
    assert conf["UDF Modules"] == "costmodel.excel.udfs"
    assert conf["Interpreter_Win"] == "python" and conf["Use UDF Server"] is False
    run = [list(r) for r in wb["Run"].iter_rows(values_only=True)]
    settings = excel_logic.settings_from_rows(run)  # the macros read back what the generator wrote
    assert (settings["action"], settings["samples"], settings["seed"]) == ("compare", 2000, 20250401)
    assert settings["cells"]["status"] == "B10" and settings["cells"]["action"] == "B4"
    text = " ".join(str(r[0]) for r in run if r[0])
    assert "Alt+F8" in text and "SampleCall" in text and "cannot draw form buttons" in text
    assert "Trust access to the VBA project object model" in text
    dvs = {str(dv.sqref): dv.formula1 for dv in wb["Run"].data_validations.dataValidation}
    assert dvs["B4"] == '"compare,montecarlo,tornado,switching,read_inputs"'
    name = wb.defined_names["CostmodelInputs"]
    inputs = wb["Inputs"]
    assert name.attr_text == f"'Inputs'!$A$1:${openpyxl.utils.get_column_letter(inputs.max_column)}${inputs.max_row}"
    companion = made.with_suffix(".py").read_text()
    assert "from costmodel.excel.app import compare, main, montecarlo, read_inputs, switching, tornado" in companion
    # the companion imports, as xlwings' SampleCall does: "import costmodel_book; costmodel_book.main()"
    done = subprocess.run([sys.executable, "-c", "import costmodel_book as m; print(m.main.__module__)"],
                          cwd=made.parent, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "costmodel.excel.app", done.stderr


def test_refuses_to_overwrite_and_bad_names(made, tmp_path):
    runner = CliRunner()
    again = runner.invoke(cli.main, ["excel", "workbook", "--output", str(made)])
    assert again.exit_code == 2 and "already exists: use --force" in again.output
    for name, message in [("my book.xlsm", "must work as a Python module name"),
                          ("book.xlsx", "expected a file name ending .xlsm")]:
        r = runner.invoke(cli.main, ["excel", "workbook", "--output", str(tmp_path / name)])
        assert r.exit_code == 2 and message in r.output, r.output
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(sys.platform.startswith(("win", "darwin")), reason="Linux message")
def test_commands_that_need_excel_say_so_on_linux(made):
    r = CliRunner().invoke(cli.main, ["excel", "run", "compare", "--book", str(made)])
    assert r.exit_code == 2
    assert "needs Microsoft Excel on Windows or macOS" in r.output and "costmodel compare" in r.output


def test_package_and_cli_work_with_xlwings_blocked(tmp_path):
    code = (
        "import sys; sys.modules['xlwings'] = None\n"
        "import costmodel, costmodel.cli\n"
        "from click.testing import CliRunner\n"
        "from costmodel.io import excel_udfs, excel_app\n"
        "r = CliRunner().invoke(costmodel.cli.main, ['compare', '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(costmodel.cli.main, ['excel', 'workbook', '--output', sys.argv[1]])\n"
        "print(r.exit_code, r.output.strip())\n"
        "print(excel_udfs.costmodel_pv('trust', [['x']])[:6])\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "b.xlsm")], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("0 Wrote ")  # the VBA module is shipped: building the .xlsm needs no xlwings import
    assert lines[-1] == "Error:"
    assert "xlwings" not in done.stderr


def test_the_shipped_vba_module_is_the_pinned_xlwings_and_doctor_says_so(monkeypatch):
    import tomllib
    from costmodel.excel import versions
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"xlwings=={versions.pinned_xlwings()}" in deps
    r = CliRunner().invoke(cli.main, ["excel", "doctor"])
    assert r.exit_code == 0 and f"xlwings pinned (the book's VBA module): {versions.pinned_xlwings()}" in r.output
    monkeypatch.setattr(versions, "installed_xlwings", lambda: "0.30.0")
    r = CliRunner().invoke(cli.main, ["excel", "doctor"])
    assert "match: NO" in r.output and "installed xlwings is 0.30.0" in r.output
    if not sys.platform.startswith(("win", "darwin")):
        assert "Excel: not available on this platform" in r.output


def test_run_sheet_says_yellow_and_validations_stop(made):
    wb = openpyxl.load_workbook(made, keep_vba=True)
    text = " ".join(str(r[0]) for r in wb["Run"].iter_rows(values_only=True) if r[0])
    assert "yellow" in text and "blue cells" not in text
    assert wb["Inputs"]["E" + str(next(r for r in range(1, 400) if wb["Inputs"][f"A{r}"].value == "baseline.outset_spend"))].style == "Input"
    for ws in (wb["Run"], wb["Inputs"]):
        assert all(dv.showErrorMessage for dv in ws.data_validations.dataValidation)
