"""Shared layout of the live-formula workbook: styles, safe text cells, where each block sits.

The builder (``workbook.py``, ``workbook_calcs.py``, ``workbook_summary.py``) and the reader
(``workbook_read.py``) agree on positions through this module only.
"""
from __future__ import annotations

import math
import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from ..assumptions import Assumptions
from ..discounting import LONG_RATE_FROM_YEAR
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
              "reasoning", "note", "check", "derivation", "category", "index", "factor", "minimum", "maximum")  # A … S
LEVER_HEADERS = ("Lever key", "Label", "Unit", "low", "central", "high", "In use (base-year prices)", "Price year",
                 "Source", "Basis", "Reasoning", "Note", "Check (TRUE = OK)", "Derivation",
                 "Optimism-bias category", "Price index", "Factor to base-year prices", "Allowed minimum",
                 "Allowed maximum")
COL = {name: get_column_letter(i + 1) for i, name in enumerate(LEVER_COLS)}

# --- Timeline and Calculations: the same columns ------------------------------------------------
FIRST_MONTH_COL = 8  # H: month 0
CONST_COL, TOTAL_COL = "E", "F"
MONTH_ROW, YEAR_ROW, FY_ROW, MONTH_END_ROW = 3, 4, 5, 6
FIRST_BLOCK_ROW = 8

# --- Summary -------------------------------------------------------------------------------------
FIRST_YEAR_COL = 5  # E: year 0

#: Excel's built-in cell styles (name, builtinId), in our colours, so that they appear as the native
#: Input / Calculation / Output / Check Cell / Linked Cell styles in Excel's style gallery.
STYLE_COLOURS = {
    "Input": ("FFF2CC", "0000FF", 20),  # pale yellow, blue text: type here
    "Output": ("DDEBF7", "000000", 21),  # pale blue: a headline result
    "Calculation": (None, "000000", 22),  # black on white: a formula
    "Check Cell": ("E2EFDA", "000000", 23),  # pale green: a check, TRUE = OK
    "Linked Cell": (None, "008000", 24),  # green: a reference to another sheet
}
INPUT, OUTPUT, CALC, CHECK, LINK = STYLE_COLOURS  # the style names

#: The method's constants, shown and named on Inputs (FAST: no number typed into a formula). The engine
#: uses the same values: discounting.LONG_RATE_FROM_YEAR, the 0.5 of mid-year discounting
#: (discounting.py), the 1e-9 relative tolerance of payback (appraisal.py) and 12 months a year.
CONVENTIONS = (  # name, label, unit, value, source
    ("long_rate_from_year", "First year index at which the long discount rate applies", "year index",
     LONG_RATE_FROM_YEAR, "HM Treasury Green Book (2022), discount rate table: 3.5% for years 0 to 30, 3.0% from 31"),
    ("mid_year_point", "Point of the year at which costs fall under mid-year discounting", "fraction of a year", 0.5,
     "Green Book convention for mid-year (PFI) discounting: costs fall half-way through the year"),
    ("months_per_year", "Months in a year (financial year t holds months 12t to 12t+11)", "months", 12,
     "Universal constant"),
    ("tolerance", "Relative tolerance of the checks and of the payback comparison", "fraction", 1e-9,
     "costmodel's payback rule (appraisal.py): at or below business as usual within 1e-9 of its value"),
)
MASTER_LABEL = "Master check"


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


def define_range(wb, name: str, sheet: str, ref: str) -> None:
    """A workbook-scoped defined name for an absolute range, e.g. ``model_list`` → ``Lookups!$I$12:$L$12``."""
    wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet}!{ref}")


def add_styles(wb) -> None:
    """Named styles of the colour key (FAST: inputs look different from calculations), as Excel's built-ins."""
    thin = Side(style="thin", color="BFBFBF")
    for name, (fill, font, builtin) in STYLE_COLOURS.items():
        st = NamedStyle(name=name, builtinId=builtin)
        st.font = Font(color=font, bold=name == OUTPUT)
        if fill:
            st.fill = PatternFill("solid", fgColor=fill)
        st.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        st.protection = Protection(locked=name != INPUT)
        if name not in (INPUT, CHECK):
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


def master_badge(ws, label: str, value: str) -> None:
    """The master check in a sheet's header (FAST: every sheet shows it), red when FALSE."""
    ws[label] = MASTER_LABEL
    ws[label].style = "Subheading"
    ws[value] = "=master_check"
    ws[value].style = CHECK
    ws.conditional_formatting.add(value, CellIsRule(operator="notEqual", formula=["TRUE"],
                                                    fill=PatternFill("solid", fgColor="FFC7CE")))


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
