"""The Inputs sheet: the case selector, the options table, the method's constants and every lever.

Every input cell is unlocked, styled ``Input`` and guarded by data validation whose stop alert says
what is allowed. Column G of a lever row is its value in use (a defined name, the lever key with
dots as underscores); column M checks the row (TRUE = OK) against the bounds in R and S, and the
Checks sheet counts the rows that fail. The reader (``read.py``) finds the options and levers by the
header marks in column A, so the blocks may move without breaking it.
"""
from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .. import levers as lv
from ..assumptions import Assumptions
from . import layout as L

WIDTHS = {"A": 52, "B": 46, "C": 12, "D": 14, "E": 14, "F": 14, "G": 14, "H": 10, "I": 30, "J": 11, "K": 50, "L": 40,
          "M": 11, "N": 50, "O": 22, "P": 14, "Q": 12, "R": 12, "S": 12}
SECTION_LABELS = {"appraisal": "Appraisal conventions", "baseline": "The council at the outset",
                  "journey": "The improvement journey"}


def stop(dv: DataValidation, title: str, message: str) -> DataValidation:
    """Turn on the stop alert (typing anything else is refused) and the prompt, both saying what is allowed."""
    dv.showErrorMessage = dv.showInputMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle, dv.error = title[:32], message[:255]
    dv.promptTitle, dv.prompt = title[:32], message[:255]
    return dv


def write_inputs(wb, a: Assumptions) -> dict[str, int]:
    """Inputs: the case selector, the options table, the method's constants and every lever; returns lever rows."""
    ws = wb["Inputs"]
    for c, w in WIDTHS.items():
        ws.column_dimensions[c].width = w
    L.heading(ws, "A1", "Inputs: every lever, with its unit, low / central / high and source")
    ws["A2"] = ("Type only in yellow cells. Column G (in use) feeds the model through the defined name of the lever "
                "(dots become underscores). Money is typed as published in the prices of the year in column H; G "
                "restates it in base-year prices (x the factor in Q, from the price index in P). Blank means 'none' "
                "where the unit allows it.")
    write_case_selector(ws)
    L.master_badge(ws, "A4", "C4")
    r = write_options_table(wb, ws, a)
    r = write_conventions(wb, ws, r + 2)
    header, last, rows = write_levers(wb, ws, a, r + 2)
    ws.freeze_panes = ws[f"B{header + 1}"]
    ws.auto_filter.ref = f"A{header}:S{last}"  # filtering works under protection (build.protect)
    return rows


def write_case_selector(ws) -> None:
    r = L.CASE_ROW
    ws[f"A{r}"] = "Case in use (low, central or high)"
    ws[f"A{r}"].style = "Subheading"
    ws[f"C{r}"] = "central"
    ws[f"C{r}"].style = L.INPUT
    dv = stop(DataValidation(type="list", formula1='"' + ",".join(L.CASES) + '"', allow_blank=False),
              "Case in use", "Choose low, central or high: the column of every lever the model uses.")
    ws.add_data_validation(dv)
    dv.add(f"C{r}")
    L.define(ws.parent, "case_selector", "Inputs", f"C{r}")


def write_options_table(wb, ws, a: Assumptions) -> int:
    """The options (rows of every comparison): key, label, delivery model (validated), description, improves."""
    r = 5
    L.heading(ws, f"A{r}", "Options (rows of every comparison; add options in options.yaml)")
    r += 1
    for i, h in enumerate([L.OPTIONS_MARK, "Label", "Delivery model", "Description", "Improves (1/0)"]):
        ws.cell(r, i + 1, h).style = "Subheading"
    models = stop(DataValidation(type="list", formula1='"' + ",".join(lv.MODELS) + '"', allow_blank=False),
                  "Delivery model", "One of: " + ", ".join(lv.MODELS))
    ws.add_data_validation(models)
    for o in a.options:
        r += 1
        L.put_text(ws, f"A{r}", o.key)
        L.put_text(ws, f"B{r}", o.label, L.INPUT)
        L.put_text(ws, f"C{r}", o.model, L.INPUT)
        models.add(f"C{r}")
        L.put_text(ws, f"D{r}", o.description, L.INPUT)
        ws[f"E{r}"] = f'=IF(C{r}="business_as_usual",0,1)'
        ws[f"E{r}"].style = L.CALC
        ws[f"E{r}"].number_format = "0"
        L.define(wb, f"improves_{o.key}", "Inputs", f"E{r}")
    return r


def write_conventions(wb, ws, r: int) -> int:
    """The method's constants (FAST: no number typed into a formula), each named, with unit and source."""
    L.heading(ws, f"A{r}", "Conventions of the method (costmodel uses these values; a change here is not read back)")
    r += 1
    for i, h in enumerate(["Name", "Label", "Unit", "", "", "", "Value", "", "Source"]):
        if h:
            ws.cell(r, i + 1, h).style = "Subheading"
    for name, label, unit, value, source in L.CONVENTIONS:
        r += 1
        ws[f"A{r}"], ws[f"B{r}"], ws[f"C{r}"], ws[f"I{r}"] = name, label, unit, source
        ws[f"G{r}"] = value
        ws[f"G{r}"].style = L.INPUT
        ws[f"G{r}"].number_format = "0.0E+00" if value < 1e-3 else "General"
        whole = isinstance(value, int)
        dv = stop(DataValidation(type="whole" if whole else "decimal", operator="greaterThan", formula1="0"),
                  label, f"A {'whole ' if whole else ''}number above 0, in {unit}")
        ws.add_data_validation(dv)
        dv.add(f"G{r}")
        L.define(wb, name, "Inputs", f"G{r}")
    return r


def write_levers(wb, ws, a: Assumptions, r: int) -> tuple[int, int, dict[str, int]]:
    """Every lever, section by section, with price-index headings; returns the header row, the last row and
    the row of each lever key."""
    L.heading(ws, f"A{r}", "Levers")
    r += 1
    header = r
    for i, h in enumerate(L.LEVER_HEADERS):
        ws.cell(r, i + 1, h).style = "Subheading"
    L.define(wb, "case_index", "Inputs", f"G{L.CASE_ROW}")
    ws[f"F{L.CASE_ROW}"] = "case index"
    ws[f"G{L.CASE_ROW}"] = f"=MATCH(case_selector,$D${header}:$F${header},0)"
    ws[f"G{L.CASE_ROW}"].style = L.CALC
    ws[f"G{L.CASE_ROW}"].number_format = "0"
    validations: dict = {}
    rows: dict[str, int] = {}
    section = None
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
                L.put_text(ws, f"B{r}", SECTION_LABELS.get(sec) or f"Option {sec}: {a.option(sec).label}", "Subheading")
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
    L.define_range(wb, "lever_checks", "Inputs", f"$M${header + 1}:$M${r}")
    return header, r, rows


def price_index_heading(ws, r: int, index) -> None:
    """The heading row of a price index on Inputs, with its value in the base year (a defined name)."""
    L.put_text(ws, f"B{r}", f"Price index {index.key}: {index.label} ({index.reference}); source {index.source}; "
               "its value in the base year in G", "Subheading")
    values, years, base = L.index_names(index.key)
    ws[f"G{r}"] = f"=INDEX({values},MATCH(appraisal_price_base_year,{years},0))"
    ws[f"G{r}"].style = L.CALC
    ws[f"G{r}"].number_format = "0.0000"
    L.define(ws.parent, base, "Inputs", f"G{r}")


def _validation(ws, spec: lv.LeverSpec, cache: dict) -> DataValidation:
    """One data validation per kind of lever (whole or decimal, bounds, blank allowed), with its stop alert."""
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
        what = ("1 (yes) or 0 (no)" if spec.unit == "flag"
                else f"a {'whole ' if spec.integer else ''}number in {spec.unit}, {spec.bounds_text()}")
        cache[key] = stop(dv, "Outside the lever's range", f"Expected {what}" + ("; blank means none" if spec.nullable else ""))
        ws.add_data_validation(dv)
    return cache[key]


def write_lever_row(ws, r: int, lever, validations: dict, index: str | None = None) -> None:
    """One lever: key, label, unit, low / central / high, the value in use (in base-year prices for money:
    as published x the factor in Q), provenance, its check and bounds, and for money its price index and factor."""
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
        cell.style = L.INPUT
        cell.number_format = fmt
        dv.add(f"{col}{r}")
    g = ws[f"G{r}"]
    pick = f"INDEX($D{r}:$F{r},1,case_index)"
    money = spec.unit in lv.MONEY_UNITS
    g.value = f'=IF(ISNUMBER({pick}),{pick},"none")' if spec.nullable else (f"={pick}*$Q{r}" if money else f"={pick}")
    g.style = L.CALC
    g.number_format = fmt
    if lever.price_base is not None:
        ws[f"H{r}"] = int(lever.price_base)
    for col, text in zip("IJKLNO", (lever.source, "default" if lever.is_default else lever.basis, lever.reasoning,
                                    lever.note, lever.derivation, lever.category)):
        L.put_text(ws, f"{col}{r}", text, L.INPUT)  # the style first, then the text's quote prefix
    ws[f"H{r}"].style = L.INPUT
    if spec.unit == "index":  # the year of an index value: what the factors look up
        ws[f"H{r}"] = int(lever.key.rsplit(".", 1)[1])
        ws[f"H{r}"].style = L.CALC
    if money:
        L.put_text(ws, f"P{r}", index or "none")
        values, years, base = L.index_names(index) if index else (None, None, None)
        ws[f"Q{r}"] = f"=IF(ISNUMBER($H{r}),{base}/INDEX({values},MATCH($H{r},{years},0)),1)" if index else "=1"
        ws[f"Q{r}"].style = L.CALC
        ws[f"Q{r}"].number_format = "0.000000"
    write_row_check(ws, r, spec)


def write_row_check(ws, r: int, spec: lv.LeverSpec) -> None:
    """Column M: TRUE when low, central and high are all given (or all blank where 'none' is allowed), in order
    and within the bounds shown in R and S; never an error, whatever is typed."""
    terms = [f"COUNT(D{r}:F{r})=3", f"D{r}<=E{r}", f"E{r}<=F{r}"]
    for col, bound, term in (("R", spec.minimum, f"D{r}>=R{r}"), ("S", spec.maximum, f"F{r}<=S{r}")):
        ws[f"{col}{r}"] = bound if bound is not None else "none"
        ws[f"{col}{r}"].style = L.CALC
        ws[f"{col}{r}"].number_format = "General"
        if bound is not None:
            terms.append(term)
    test = f"AND({','.join(terms)})"
    if spec.nullable:
        test = f"OR(COUNT(D{r}:F{r})=0,{test})"
    m = ws[f"M{r}"]
    m.value = f"=IFERROR({test},FALSE)"
    m.style = L.CHECK
