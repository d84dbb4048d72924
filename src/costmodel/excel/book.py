"""The macro-enabled workbook wired to the package: the generated workbook plus xlwings' VBA module.

``costmodel excel workbook --output costmodel_book.xlsm`` builds the generated workbook (issue 4),
adds the xlwings VBA module (shipped with costmodel for the pinned xlwings: ``versions.py``), an ``xlwings.conf`` sheet, a ``Run`` sheet with the settings and instructions, and writes a
companion ``costmodel_book.py`` beside the book that the xlwings ``SampleCall`` macro and the ribbon's
"Run main" button import. ``costmodel excel run ACTION --book PATH`` needs Excel (Windows or macOS).
"""
from __future__ import annotations

import io
import keyword
from importlib.resources import as_file
from pathlib import Path

from ..errors import CostmodelError
from ..files.atomic import atomic_write, check_output
from ..workbook.build import build_workbook
from ..workbook.cached import with_cached_values
from ..workbook.layout import finish
from ..workbook.inputs import stop
from . import jobs as logic
from .versions import VBA_BOOK, vba_file

UDF_MODULE = "costmodel.excel.udfs"
INPUTS_NAME = "CostmodelInputs"  # defined name over the Inputs sheet, the UDFs' inputs argument

CONF = [  # the xlwings.conf sheet: settings start in A1, key in A, value in B
    ("Interpreter_Win", "python"),
    ("Interpreter_Mac", "python"),
    ("PYTHONPATH", None),
    ("Conda Path", None),
    ("Conda Env", None),
    ("UDF Modules", UDF_MODULE),
    ("Debug UDFs", False),
    ("Use UDF Server", False),
    ("Show Console", False),
]

COMPANION = '''"""Wires {book} to costmodel. Keep this file in the same folder as {book}.

The xlwings macro SampleCall (Alt+F8) and the xlwings ribbon's "Run main" button run
``import {stem}; {stem}.main()``, which runs the job chosen in Run!Action. The other names here
can be called from your own VBA, e.g.  RunPython "import {stem}; {stem}.tornado()"
"""
from costmodel.excel.app import compare, main, montecarlo, read_inputs, switching, tornado  # noqa: F401
'''

RUN_TEXT = [
    "How to run the cost model from this workbook (Windows or macOS with Microsoft Excel)",
    "1. Once: pip install \"costmodel[excel]\" and keep {py} in the same folder as this workbook.",
    "2. Edit the Inputs sheet (the yellow cells: Excel's Input style). Choose the job in B4 (Action) and, for Monte Carlo, the samples and seed.",
    "3. Press Alt+F8, pick SampleCall and click Run. With the xlwings add-in installed "
    "(xlwings addin install) you can press 'Run main' on the xlwings ribbon tab instead.",
    "4. The results appear on their own sheet (e.g. 'Compare results'), with the run time, seed and assumptions "
    "fingerprint at the top. B10 (Last run) says what happened; an error also shows a message box.",
    "Buttons: this file is generated with openpyxl, which cannot draw form buttons. To add one: Developer tab > "
    "Insert > Button (Form Control), draw it, and assign the macro SampleCall.",
    "Jobs: compare = every option side by side; montecarlo = uncertainty over the low/central/high ranges; "
    "tornado = each lever at low and high; switching = the value of each lever at which the option "
    "equals the comparator; read_inputs = check the Inputs sheet and list what differs from the base.",
    "Worksheet functions (Windows only; File > Options > Trust Center > Macro Settings > 'Trust access to the "
    f"VBA project object model', then Alt+F8 > ImportPythonUDFs): =COSTMODEL_PV(\"trust\", {INPUTS_NAME}), "
    f"=COSTMODEL_NPC(\"trust\", {INPUTS_NAME}, \"do_minimum\"), =COSTMODEL_SAFE_MONTH(\"trust\", {INPUTS_NAME}); "
    "add key and value ranges as last arguments to override levers.",
    "Nothing here needs an xlwings PRO licence.",
]


def shipped_vba():
    """The VBA project shipped with costmodel (xlwings' standalone module, for the pinned xlwings), as openpyxl's
    ``vba_archive``; see ``scripts/make_vba_project.py``."""
    from openpyxl import load_workbook
    with as_file(vba_file(VBA_BOOK)) as path:
        return load_workbook(path, keep_vba=True).vba_archive


def write_run_sheet(ws, a, companion: str) -> None:
    """Settings (label in A, value in B; read back by :func:`excel_logic.settings_from_rows`) and instructions."""
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation
    ws["A1"] = "Run the cost model"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Settings read by the macros. Results are written as values on their own sheets."
    options = ", ".join(a.option_keys)
    rows = [  # row 4 onwards; RUN_TEXT refers to B4 (Action) and B10 (Last run)
        ("action", "one of: " + ", ".join(logic.ACTIONS)),
        ("samples", f"whole number, 1 to {logic.MAX_SAMPLES}"),
        ("seed", "whole number; the same seed gives the same Monte Carlo results"),
        ("option", "option key: " + options),
        ("against", "option key: " + options),
        ("assumptions", "blank = the bundled example; else a folder written by costmodel (options, sources)"),
        ("status", "written by the macros"),
    ]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, (key, hint) in enumerate(rows, start=4):
        label, default = logic.SETTINGS[key]
        ws.cell(i, 1, label).font = Font(bold=True)
        cell = ws.cell(i, 2, default)
        if key != "status":
            cell.fill, cell.protection = fill, Protection(locked=False)
        ws.cell(i, 3, hint)
    assert ws.cell(4, 1).value == "Action" and ws.cell(10, 1).value == "Last run"
    dv = stop(DataValidation(type="list", formula1='"' + ",".join(logic.ACTIONS) + '"', allow_blank=False),
              "Action", "One of: " + ", ".join(logic.ACTIONS))
    ws.add_data_validation(dv)
    dv.add("B4")
    opts = stop(DataValidation(type="list", formula1='"' + ",".join(a.option_keys) + '"'), "Option",
                "An option key: " + ", ".join(a.option_keys))
    ws.add_data_validation(opts)
    opts.add("B7")
    opts.add("B8")
    for j, text in enumerate(RUN_TEXT, start=12):
        ws.cell(j, 1, text.format(py=companion))
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 90


def write_conf_sheet(ws) -> None:
    for r, (key, value) in enumerate(CONF, start=1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value)
    ws.cell(len(CONF) + 2, 1, "xlwings settings for this book (xlwings reads them from A1 down). Interpreter: the "
                              "Python that has costmodel installed, e.g. C:\\Users\\you\\AppData\\Local\\Programs\\"
                              "Python\\Python311\\python.exe, if 'python' is not the right one.")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 30


def build_macro_workbook(a, vba_archive):
    """The generated workbook plus the VBA project, the Run and xlwings.conf sheets and the inputs name."""
    from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
    from openpyxl.workbook.defined_name import DefinedName
    wb = build_workbook(a)
    wb.vba_archive = vba_archive
    wb.code_name = "ThisWorkbook"  # the VBA project's document modules: ThisWorkbook, Sheet1, Sheet2
    run = wb.create_sheet("Run", 1)
    conf = wb.create_sheet("xlwings.conf")
    for ws, code in ((wb.worksheets[0], "Sheet1"), (conf, "Sheet2")):
        ws.sheet_properties.codeName = code
    inputs = wb["Inputs"]
    ref = f"$A$1:{absolute_coordinate(get_column_letter(inputs.max_column) + str(inputs.max_row))}"
    wb.defined_names[INPUTS_NAME] = DefinedName(INPUTS_NAME, attr_text=f"{quote_sheetname('Inputs')}!{ref}")
    return wb, run, conf


def save_macro_workbook(wb, path: Path) -> None:
    """Write atomically, with every formula's value stored (as ``workbook build`` does)."""
    finish(wb)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, with_cached_values(wb, buf.getvalue()))


def companion_path(path: Path) -> Path:
    return path.with_suffix(".py")


def check_macro_output(path: Path, force: bool) -> None:
    if path.suffix.lower() != ".xlsm":
        raise CostmodelError(f"--output {path}: expected a file name ending .xlsm (a macro-enabled workbook)")
    if not path.stem.isidentifier() or keyword.iskeyword(path.stem):
        raise CostmodelError(f"--output {path}: the name before .xlsm must work as a Python module name (letters, digits, "
                         "underscores, not starting with a digit), because xlwings imports the module named "
                         "after the book; for example costmodel_book.xlsm")
    check_output(path, force)
    check_output(companion_path(path), force)




def write_macro_workbook(a, output: Path) -> Path:
    """Write the .xlsm and its companion .py beside it (paths already checked); the companion's path."""
    wb, run, conf = build_macro_workbook(a, shipped_vba())
    write_run_sheet(run, a, companion_path(output).name)
    write_conf_sheet(conf)
    save_macro_workbook(wb, output)
    companion = companion_path(output)
    atomic_write(companion, COMPANION.format(book=output.name, stem=output.stem).encode())
    return companion
