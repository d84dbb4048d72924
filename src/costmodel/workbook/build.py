"""The live-formula workbook (FAST style): Cover, Inputs, Lookups, Timeline, Calculations, Annual, Summary,
Checks, Sources.

:func:`build_workbook` lays out every lever as a named input cell and every cost line as a row of
live formulas that mirror ``engine.py`` month by month, so that a spreadsheet engine recalculating
the book reproduces the Python figures. :func:`save_workbook` writes it safely, with every formula's
value cached (``cached.py``). One module per sheet: ``inputs``, ``lookups``, ``timeline``, ``calcs``
(with ``calc_lines``), ``annual``, ``summary``, ``checks``; reading an edited book back is ``read``.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from .. import __version__
from ..assumptions import Assumptions
from ..comparison import council_of
from ..errors import WorkbookError
from ..identifiers import identifier_problem
from ..files.atomic import atomic_write, check_output
from ..sources import register
from . import layout as L
from .annual import write_annual
from .cached import with_cached_values
from .calcs import write_calculations
from .checks import write_checks
from .inputs import write_inputs
from .lookups import write_lookups
from .summary import write_summary
from .timeline import write_timeline

COVER_DATE_CELL = "B9"  # the build date: excluded when a committed workbook is checked for staleness


SHEETS = ("Cover", "Inputs", "Lookups", "Timeline", "Calculations", "Annual", "Summary", "Checks", "Sources")


def build_workbook(a: Assumptions) -> Workbook:
    """The full live-formula workbook for an assumption set, in memory (nothing else is needed after it)."""
    check_identifiers(a)
    wb = Workbook()
    L.add_styles(wb)
    wb.active.title = SHEETS[0]
    for name in SHEETS[1:]:
        wb.create_sheet(name)
    write_cover(wb["Cover"], a)
    write_inputs(wb, a)
    write_lookups(wb)
    tl = write_timeline(wb, a)
    calc = write_calculations(wb, a, tl)
    an = write_annual(wb, a, calc)
    option_rows = {o.key: option_row(wb["Inputs"], o.key) for o in a.options}
    write_summary(wb, a, an, tl, option_rows)
    write_checks(wb, a, calc, tl, an, option_rows)
    write_sources(wb["Sources"], a)
    for ws in wb.worksheets:
        protect(ws)
    wb.active = wb.worksheets.index(wb["Summary"])
    wb.calculation.fullCalcOnLoad = True  # the spreadsheet recomputes every formula on opening, whatever is cached
    return wb


def check_identifiers(a: Assumptions) -> None:
    """Option keys and support-item names become parts of defined names and formulas: they must be identifiers.

    :func:`costmodel.assumptions.build` already refuses others; this guards sets made any other way.
    """
    for o in a.options:
        for name, what in [(o.key, "option key"), *[(n, "external-support item") for n in o.support]]:
            bad = identifier_problem(name, what)
            if bad:
                raise WorkbookError(f"options.{o.key}: {bad}")


def option_row(ws, key: str) -> int:
    """The row of an option in the options table on Inputs."""
    top = next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == L.OPTIONS_MARK)
    return next(r for r in range(top + 1, ws.max_row + 1) if ws[f"A{r}"].value == key)


def protect(ws) -> None:
    """Protect against slips (no password: not a secret); formats may change, the input table may be filtered."""
    ws.page_setup.orientation = "landscape"
    if ws.title in ("Cover", "Inputs", "Sources", "Checks", "Lookups"):  # one page wide; the month sheets run on
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.protection.sheet = True
    ws.protection.formatCells = ws.protection.formatColumns = ws.protection.formatRows = False
    ws.protection.autoFilter = ws.protection.sort = False


def write_cover(ws, a: Assumptions) -> None:
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    L.heading(ws, "A1", "Children's social care delivery options: cost model")
    ws.merge_cells("A1:B1")
    info = [
        ("Purpose", "Costs the ways a council can deliver children's social care while it improves "
                    "(in-house, executive leadership, a children's services trust, and any option added as data) "
                    "against business as usual, the HM Treasury Green Book way. Every figure is a live formula."),
        ("How to use it", "1. Change the yellow cells on Inputs (low / central / high), or pick the case in use "
                          "in Inputs!C3. 2. Read Summary: present value, net present cost against business as usual "
                          "and in-house, safe-service month, payback year, the decision-framework verdict. "
                          "3. Trace any figure: Summary reads Annual, which reads Calculations, which reads Timeline and "
                          "the named inputs. Checks lists every check; the master check heads every sheet. "
                          "4. Give the edited file to `costmodel workbook read` to turn Inputs back into assumption files."),
        ("Sheets", "Inputs (every lever and constant, named) → Lookups (decision framework) → Timeline (months, "
                   "years, timing flags per option) → Calculations (one row per cost line per option, GBP a month) → "
                   "Annual (years, categories, discounting, payback) → Summary (outputs and charts) → Checks. "
                   "Sources lists every source cited."),
        ("Conventions", "GBP in real terms at the price base year; costs positive, savings negative; rates are fractions "
                        "(0.035 = 3.5%). Month 0 is April of the start year; financial year t holds months 12t to 12t+11. "
                        "Year 0 is undiscounted; the factor of year t is the factor of year t-1 divided by (1 + r_t) "
                        "(Green Book), not Excel's NPV()."),
        ("Version", f"costmodel {__version__}"),
        ("Assumptions fingerprint", a.fingerprint()),
        ("Overrides", "; ".join(f"{k} = {override_text(v)}" for k, v in a.overrides) or "none"),
        ("Built on", dt.date.today().isoformat()),
        ("Prices and payers", "Money is typed as published, in the prices of the year in Inputs column H; column G restates "
                              "it in base-year prices with the price index in P (factor in Q; the index values are levers "
                              "too). Pay and placement lines then move by their relative price effects (Timeline). The "
                              "part of each option's cost paid by central government (DfE) is on Calculations and "
                              "Annual and Summary; the council pays the rest."),
    ]
    council = council_of(a)
    if council:
        info.append(("Council", council_text(a, council)))
    for i, (label, text) in enumerate(info, start=2):
        ws[f"A{i}"] = label
        ws[f"A{i}"].style = "Subheading"
        L.put_text(ws, f"B{i}", text)
        ws[f"B{i}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws[f"A{i}"].alignment = Alignment(vertical="top")
        ws.row_dimensions[i].height = 15 * (1 + len(text) // 95)  # room for the wrapped lines
    row = len(info) + 3
    L.heading(ws, f"A{row}", "Colour key")
    for j, (name, meaning) in enumerate([
            ("Input", "an input you may change (unlocked; sheets are protected without a password)"),
            ("Calculation", "a formula: do not type over it"),
            ("Linked Cell", "a reference to another sheet or a named input"),
            ("Output", "a headline result (a defined name such as pv_trust)"),
            ("Check Cell", "a check: TRUE means OK (see the Checks sheet)")], start=row + 1):
        ws[f"A{j}"] = name
        ws[f"A{j}"].style = name
        ws[f"B{j}"] = meaning


def council_text(a: Assumptions, council: dict) -> str:
    """The council the baseline describes, and the releases its figures come from (``costmodel init --council``)."""
    releases = (a.extra["council"].get("statistics") or {}).get("sources") or {}
    used = "; ".join(f"{k} {v}" for k, v in releases.items() if k in ("CIN", "CLA", "CSWW", "S251", "OFSTED"))
    return (f"{council['name']} (ONS {council['code']}, DfE {council['dfe_code']}), {council['region']}: the baseline is "
            f"set from its published statistics by costmodel init --council ({used}). Each baseline lever's note on "
            "Inputs (column L) names the figure, the date it refers to and the release; 'National default' marks a figure "
            "the statistics do not give, to replace with the council's own.")


def write_sources(ws, a: Assumptions) -> None:
    L.heading(ws, "A1", "Sources cited by the levers (sources.yaml)")
    fields = ("key", "title", "publisher", "year", "url", "section", "note")
    widths = (34, 60, 30, 8, 50, 30, 50, 60, 40)
    headers = [f.capitalize() if f != "key" else "Source key" for f in fields] + ["Cited by", "Identifier"]
    for i, (h, w) in enumerate(zip(headers, widths)):
        ws.cell(3, i + 1, h).style = "Subheading"
        ws.column_dimensions[chr(65 + i)].width = w
    cited = {s["key"]: s["levers"] for s in register(a)["sources"]}
    for r, s in enumerate(a.sources.values(), start=4):
        for i, f in enumerate(fields):
            value = getattr(s, f)
            if f == "year" and isinstance(value, int):
                ws.cell(r, i + 1, value)
            else:
                L.put_text(ws, f"{chr(65 + i)}{r}", value if value not in (None, "") else None)
        L.put_text(ws, f"H{r}", ", ".join(cited.get(s.key, [])) or "not cited")
        L.put_text(ws, f"I{r}", s.identifier or None)
    ws.freeze_panes = "B4"


def save_workbook(wb, path, force: bool = False) -> Path:
    """Write atomically (temporary file, then rename); refuse to overwrite without ``force`` or an open book."""
    path = Path(path)
    check_output(path, force, suffixes=(".xlsx",))
    L.finish(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    atomic_write(path, with_cached_values(wb, buffer.getvalue()))  # temporary file beside it, then rename
    return path


def override_text(value) -> str:
    """An applied override as the user would type it: ``23400000@2025`` when it carries its own price year."""
    return f"{value['value']:g}@{value['price_base']}" if isinstance(value, dict) else f"{value}"
