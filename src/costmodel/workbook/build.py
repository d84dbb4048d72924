"""The live-formula workbook (FAST style): Cover, Inputs, Timeline, Calculations, Summary, Sources.

:func:`build_workbook` lays out every lever as a named input cell and every cost line as a row of
live formulas that mirror ``engine.py`` month by month, so that a spreadsheet engine recalculating
the book reproduces the Python figures. :func:`save_workbook` writes it safely. Reading an edited
book back is in ``workbook_read``; the Timeline and Calculations sheets in ``workbook_calcs``; the
Summary in ``workbook_summary``.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from .. import levers as lv
from ..assumptions import Assumptions
from ..comparison import council_of
from ..errors import WorkbookError
from ..identifiers import identifier_problem
from ..sources import register
from . import layout as L
from ..files.atomic import atomic_write, check_output
from .calcs import write_calculations, write_timeline
from .summary import write_summary

COVER_DATE_CELL = "B9"  # the build date: excluded when a committed workbook is checked for staleness


def build_workbook(a: Assumptions) -> Workbook:
    """The full live-formula workbook for an assumption set, in memory (nothing else is needed after it)."""
    check_identifiers(a)
    wb = Workbook()
    L.add_styles(wb)
    cover = wb.active
    cover.title = "Cover"
    for name in ("Inputs", "Timeline", "Calculations", "Summary", "Sources"):
        wb.create_sheet(name)
    write_cover(wb["Cover"], a)
    rows = write_inputs(wb, a)
    tl = write_timeline(wb, a)
    calc = write_calculations(wb, a, tl)
    write_summary(wb, a, calc, rows)
    write_sources(wb["Sources"], a)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        if ws.title in ("Cover", "Inputs", "Sources"):  # print one page wide; the month sheets run on
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.protection.sheet = True  # no password: protection against slips, not a secret
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
    wb.active = wb.worksheets.index(wb["Summary"])
    wb.calculation.fullCalcOnLoad = True  # Excel computes every formula on opening (openpyxl stores no values)
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
                          "3. Trace any figure: Summary reads Calculations, which reads Timeline and the named inputs. "
                          "4. Give the edited file to `costmodel workbook read` to turn Inputs back into assumption files."),
        ("Sheets", "Inputs (every lever, named) → Timeline (months, years, timing flags per option) → Calculations "
                   "(one row per cost line per option, GBP a month) → Summary (annual table, appraisal, checks, charts). "
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
                              "Summary; the council pays the rest."),
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
            ("Link", "a reference to another sheet"),
            ("Output", "a headline result (a defined name such as pv_trust)"),
            ("Check", "a check: 0 means OK")], start=row + 1):
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


def write_inputs(wb, a: Assumptions) -> dict[str, int]:
    """Inputs: the case selector, the options table and every lever; returns the row of each lever key."""
    ws = wb["Inputs"]
    widths = {"A": 52, "B": 46, "C": 12, "D": 14, "E": 14, "F": 14, "G": 14, "H": 10, "I": 30, "J": 11,
              "K": 50, "L": 40, "M": 10, "N": 50, "O": 22, "P": 14, "Q": 12}
    for c, w in widths.items():
        ws.column_dimensions[c].width = w
    L.heading(ws, "A1", "Inputs: every lever, with its unit, low / central / high and source")
    ws["A2"] = ("Type only in yellow cells. Column G (in use) feeds the model through the defined name of the lever "
                "(dots become underscores). Money is typed as published in the prices of the year in column H; G "
                "restates it in base-year prices (x the factor in Q, from the price index in P). Blank means 'none' "
                "where the unit allows it.")
    r = L.CASE_ROW
    ws[f"A{r}"] = "Case in use (low, central or high)"
    ws[f"A{r}"].style = "Subheading"
    ws[f"C{r}"] = "central"
    ws[f"C{r}"].style = "Input"
    dv = DataValidation(type="list", formula1='"low,central,high"', allow_blank=False,
                        error="Choose low, central or high", errorTitle="Case in use")
    ws.add_data_validation(dv)
    dv.add(f"C{r}")
    L.define(wb, "case_selector", "Inputs", f"C{r}")
    # options table
    r = 5
    L.heading(ws, f"A{r}", "Options (rows of every comparison; add options in options.yaml)")
    r += 1
    for i, h in enumerate([L.OPTIONS_MARK, "Label", "Delivery model", "Description", "Improves (1/0)"]):
        ws.cell(r, i + 1, h).style = "Subheading"
    models = DataValidation(type="list", formula1='"' + ",".join(lv.MODELS) + '"', allow_blank=False,
                            error="One of " + ", ".join(lv.MODELS), errorTitle="Delivery model")
    ws.add_data_validation(models)
    for o in a.options:
        r += 1
        L.put_text(ws, f"A{r}", o.key)
        L.put_text(ws, f"B{r}", o.label, "Input")
        L.put_text(ws, f"C{r}", o.model, "Input")
        models.add(f"C{r}")
        L.put_text(ws, f"D{r}", o.description, "Input")
        ws[f"E{r}"] = f'=--(C{r}<>"business_as_usual")'
        ws[f"E{r}"].style = "Calculation"
        ws[f"E{r}"].number_format = "0"
        L.define(wb, f"improves_{o.key}", "Inputs", f"E{r}")
    # levers
    r += 2
    L.heading(ws, f"A{r}", "Levers")
    r += 1
    header = r
    for i, h in enumerate(L.LEVER_HEADERS):
        ws.cell(r, i + 1, h).style = "Subheading"
    L.define(wb, "case_index", "Inputs", f"G{L.CASE_ROW}")
    ws[f"F{L.CASE_ROW}"] = "case index"
    ws[f"G{L.CASE_ROW}"] = f"=MATCH(case_selector,$D${header}:$F${header},0)"
    ws[f"G{L.CASE_ROW}"].style = "Calculation"
    ws[f"G{L.CASE_ROW}"].number_format = "0"
    validations: dict = {}
    rows: dict[str, int] = {}
    section = None
    labels = {"appraisal": "Appraisal conventions", "baseline": "The council at the outset",
              "journey": "The improvement journey"}
    plan = a.price_plan.levers
    indices: dict[str, list[int]] = {}
    for key in L.input_keys(a):
        sec = L.section_of(key)
        if sec != section:
            section = sec
            r += 1
            if sec.startswith("prices."):
                price_index_heading(ws, r, a.prices.indices[sec.split(".")[1]])
            else:
                L.put_text(ws, f"B{r}", labels.get(sec) or f"Option {sec}: {a.option(sec).label}", "Subheading")
        r += 1
        rows[key] = r
        if sec.startswith("prices."):
            indices.setdefault(sec.split(".")[1], []).append(r)
        group = a.levers[key].spec.price_group
        write_lever_row(ws, r, a.levers[key], validations, plan.get(key, (a.prices.index_for(group), None))[0])
        L.define(wb, lv.defined_name(key), "Inputs", f"G{r}")
    for index, at in indices.items():
        values, years, base = L.index_names(index)
        wb.defined_names[values] = DefinedName(values, attr_text=f"Inputs!$G${at[0]}:$G${at[-1]}")
        wb.defined_names[years] = DefinedName(years, attr_text=f"Inputs!$H${at[0]}:$H${at[-1]}")
    ws.freeze_panes = ws[f"B{header + 1}"]
    ws.auto_filter.ref = f"A{header}:Q{r}"
    return rows


def price_index_heading(ws, r: int, index) -> None:
    """The heading row of a price index on Inputs, with its value in the base year (a defined name)."""
    L.put_text(ws, f"B{r}", f"Price index {index.key}: {index.label} ({index.reference}); source {index.source}; "
               "its value in the base year in G", "Subheading")
    values, years, base = L.index_names(index.key)
    ws[f"G{r}"] = f"=INDEX({values},MATCH(appraisal_price_base_year,{years},0))"
    ws[f"G{r}"].style = "Calculation"
    ws[f"G{r}"].number_format = "0.0000"
    L.define(ws.parent, base, "Inputs", f"G{r}")


def _validation(ws, spec: lv.LeverSpec, cache: dict) -> DataValidation:
    kind = "whole" if spec.integer or spec.unit == "flag" else "decimal"
    key = (kind, spec.minimum, spec.maximum, spec.nullable, spec.unit)
    num = (lambda x: str(int(x))) if kind == "whole" else (lambda x: repr(float(x)))  # noqa: E731
    if key not in cache:
        if spec.maximum is None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=num(spec.minimum or 0))
        elif spec.minimum is None:
            dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=num(spec.maximum))
        else:
            dv = DataValidation(type=kind, operator="between", formula1=num(spec.minimum), formula2=num(spec.maximum))
        dv.allow_blank = spec.nullable
        dv.errorTitle = "Outside the lever's range"
        what = "1 (yes) or 0 (no)" if spec.unit == "flag" else f"a {'whole ' if spec.integer else ''}number in {spec.unit}, {spec.bounds_text()}"
        dv.error = f"Expected {what}" + ("; blank means none" if spec.nullable else "")
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        cache[key] = dv
    return cache[key]


def write_lever_row(ws, r: int, lever, validations: dict, index: str | None = None) -> None:
    """One lever: key, label, unit, low / central / high, the value in use (in base-year prices for money:
    as published x the factor in Q), provenance, a check, and for money its price index and factor."""
    spec = lever.spec
    L.put_text(ws, f"A{r}", lever.key)
    L.put_text(ws, f"B{r}", lever.label)
    L.put_text(ws, f"C{r}", lever.unit)
    fmt = "0" if spec.integer or spec.unit == "flag" else ("#,##0.######" if spec.unit in lv.MONEY_UNITS else "General")
    dv = _validation(ws, spec, validations)
    for col, value in (("D", lever.low), ("E", lever.central), ("F", lever.high)):
        cell = ws[f"{col}{r}"]
        if value is not None:
            cell.value = int(value) if spec.integer or spec.unit == "flag" else float(value)
        cell.style = "Input"
        cell.number_format = fmt
        dv.add(f"{col}{r}")
    g = ws[f"G{r}"]
    pick = f"INDEX($D{r}:$F{r},1,case_index)"
    money = spec.unit in lv.MONEY_UNITS
    g.value = f'=IF(ISNUMBER({pick}),{pick},"none")' if spec.nullable else (f"={pick}*$Q{r}" if money else f"={pick}")
    g.style = "Calculation"
    g.number_format = fmt
    if lever.price_base is not None:
        ws[f"H{r}"] = int(lever.price_base)
    ws[f"H{r}"].style = "Input"
    L.put_text(ws, f"I{r}", lever.source, "Input")
    L.put_text(ws, f"J{r}", "default" if lever.is_default else lever.basis, "Input")
    L.put_text(ws, f"K{r}", lever.reasoning, "Input")
    L.put_text(ws, f"L{r}", lever.note, "Input")
    L.put_text(ws, f"N{r}", lever.derivation, "Input")
    L.put_text(ws, f"O{r}", lever.category, "Input")
    if spec.unit == "index":  # the year of an index value: what the factors look up
        ws[f"H{r}"] = int(lever.key.rsplit(".", 1)[1])
        ws[f"H{r}"].style = "Calculation"
    if money:
        L.put_text(ws, f"P{r}", index or "none")
        values, years, base = L.index_names(index) if index else (None, None, None)
        ws[f"Q{r}"] = f"=IF(ISNUMBER($H{r}),{base}/INDEX({values},MATCH($H{r},{years},0)),1)" if index else "=1"
        ws[f"Q{r}"].style = "Calculation"
        ws[f"Q{r}"].number_format = "0.000000"
    m = ws[f"M{r}"]
    if spec.nullable:
        m.value = f'=IF(COUNT(D{r}:F{r})=0,0,--NOT(AND(COUNT(D{r}:F{r})=3,D{r}<=E{r},E{r}<=F{r})))'
    else:
        m.value = f"=--NOT(AND(COUNT(D{r}:F{r})=3,D{r}<=E{r},E{r}<=F{r}))"
    m.style = "Check"
    m.number_format = "0"


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
    atomic_write(path, buffer.getvalue())  # temporary file beside it, then rename
    return path


def override_text(value) -> str:
    """An applied override as the user would type it: ``23400000@2025`` when it carries its own price year."""
    return f"{value['value']:g}@{value['price_base']}" if isinstance(value, dict) else f"{value}"
