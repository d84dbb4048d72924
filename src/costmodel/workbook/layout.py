"""Shared layout of the live-formula workbook: styles, safe text cells, where each block sits.

The builder (``workbook.py``, ``workbook_calcs.py``, ``workbook_summary.py``) and the reader
(``workbook_read.py``) agree on positions through this module only.
"""
from __future__ import annotations

import math
import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from ..assumptions import Assumptions
from ..finite import check_finite
from ..render.text import starts_formula

MAX_TEXT = 32_767  # characters a cell can hold

# --- Inputs sheet --------------------------------------------------------------------------------
CASES = ("low", "central", "high")
CASE_ROW = 3  # C3 holds the case selector (low / central / high)
OPTIONS_MARK = "Option key"  # text in column A of the options header row
LEVERS_MARK = "Lever key"  # text in column A of the levers header row
OPTION_COLS = ("key", "label", "model", "description", "improves")  # A … E
LEVER_COLS = ("key", "label", "unit", "low", "central", "high", "in_use", "price_base", "source", "basis",
              "reasoning", "note", "check", "derivation", "category", "index", "factor")  # A … Q
LEVER_HEADERS = ("Lever key", "Label", "Unit", "low", "central", "high", "In use (base-year prices)", "Price year",
                 "Source", "Basis", "Reasoning", "Note", "Check (1 = problem)", "Derivation",
                 "Optimism-bias category", "Price index", "Factor to base-year prices")
COL = {name: get_column_letter(i + 1) for i, name in enumerate(LEVER_COLS)}

# --- Timeline and Calculations: the same columns ------------------------------------------------
FIRST_MONTH_COL = 8  # H: month 0
CONST_COL, TOTAL_COL = "E", "F"
MONTH_ROW, YEAR_ROW, FY_ROW, MONTH_END_ROW = 3, 4, 5, 6
FIRST_BLOCK_ROW = 8

# --- Summary -------------------------------------------------------------------------------------
FIRST_YEAR_COL = 5  # E: year 0

STYLE_COLOURS = {
    "Input": ("FFF2CC", "0000FF"),  # pale yellow, blue text: type here
    "Calculation": (None, "000000"),  # black on white: a formula
    "Output": ("DDEBF7", "000000"),  # pale blue: a headline result
    "Link": (None, "008000"),  # green: a reference to another sheet
    "Check": ("E2EFDA", "000000"),  # pale green: a check, 0 = OK
}


def month_col(m: int) -> str:
    return get_column_letter(FIRST_MONTH_COL + m)


def year_col(t: int) -> str:
    return get_column_letter(FIRST_YEAR_COL + t)


def define(wb, name: str, sheet: str, coord: str) -> None:
    """A workbook-scoped defined name for one cell, e.g. ``pv_trust`` → ``Summary!$F$8``.

    Names are built from catalogue keys and validated identifiers only; anything else is a bug, refused here.
    """
    if not NAME_OK.match(name) or len(name) > 255 or CELL_LIKE.match(name):
        raise ValueError(f"internal error: {name!r} is not a safe workbook defined name")
    col = "".join(c for c in coord if c.isalpha())
    row = "".join(c for c in coord if c.isdigit())
    wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!${col}${row}")


def add_styles(wb) -> None:
    """Named styles of the colour key (FAST: inputs look different from calculations)."""
    thin = Side(style="thin", color="BFBFBF")
    for name, (fill, font) in STYLE_COLOURS.items():
        st = NamedStyle(name=name)
        st.font = Font(color=font, bold=name == "Output")
        if fill:
            st.fill = PatternFill("solid", fgColor=fill)
        st.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        st.protection = Protection(locked=name != "Input")
        if name != "Input":
            st.number_format = "#,##0.00;[Red]-#,##0.00"
        wb.add_named_style(st)
    heading = NamedStyle(name="Heading")
    heading.font = Font(bold=True, size=12, color="FFFFFF")
    heading.fill = PatternFill("solid", fgColor="1F4E78")
    heading.alignment = Alignment(vertical="center")
    wb.add_named_style(heading)
    sub = NamedStyle(name="Subheading")
    sub.font = Font(bold=True)
    sub.fill = PatternFill("solid", fgColor="D9D9D9")
    wb.add_named_style(sub)


def clean_text(value) -> str | None:
    """User text made safe for a cell: control characters removed, cut to 32,767 characters."""
    if value is None:
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def put_text(ws, coord: str, value, style: str | None = None):
    """Write user text as text, never as a formula (CWE-1236), cleaned of control characters."""
    text = clean_text(value)
    cell = ws[coord]
    cell.value = text
    if style:
        cell.style = style
    if text is not None:
        cell.data_type = "s"
        if starts_formula(text):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    return cell


def heading(ws, coord: str, text: str, style: str = "Heading", width: int = 1):
    cell = ws[coord]
    cell.value = text
    cell.style = style
    return cell


def option_prefix(key: str) -> str:
    return f"options.{key}."


def input_keys(a: Assumptions) -> list[str]:
    """Lever keys in the order of the Inputs sheet: appraisal, baseline, journey, then option by option."""
    keys = [k for k in a.levers if not k.startswith("options.")]
    for o in a.options:
        keys += [k for k in a.levers if k.startswith(option_prefix(o.key))]
    return keys


def section_of(key: str) -> str:
    """The Inputs section a key belongs to: ``appraisal``, ``prices.<index>``, ``baseline``, ``journey`` or the option key."""
    parts = key.split(".")
    if parts[0] == "prices":
        return f"prices.{parts[1]}"
    return parts[1] if parts[0] == "options" else parts[0]


def index_names(index: str) -> tuple[str, str, str]:
    """Defined names of a price index on Inputs: its in-use values, its years, its base-year value."""
    return f"ix_{index}", f"iy_{index}", f"ixb_{index}"


NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc]?[0-9]*|[Cc][0-9]*)$")  # A1, XFD9, R1C1, R, C: not names


def finish(wb) -> None:
    """The last pass before a workbook is saved, whatever styles were applied after the cells were written:

    * every text cell that starts like a formula (``= + - @``) keeps its quote prefix, so Excel shows it
      as text even after the cell is edited (a named style applied later resets the prefix);
    * every number is finite (:class:`costmodel.finite.NonFiniteResult` otherwise: nothing is saved).
    """
    for ws in wb.worksheets:
        for cell in ws._cells.values():  # only the cells that exist (iterating rows would create the empty ones)
            value = cell.value
            if isinstance(value, str):
                if cell.data_type == "s" and starts_formula(value):
                    cell.quotePrefix = True
            elif isinstance(value, float) and not math.isfinite(value):
                check_finite(value, f"the workbook cell {ws.title}!{cell.coordinate}")
