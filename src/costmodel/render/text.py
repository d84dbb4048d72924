"""Text every output shares: money in £m, user text a spreadsheet must not run as a formula, a boxed table.

The terminal tables, the CSV writers, the report, the live-formula workbook and the Excel jobs all take
these from here, so a figure or a label looks the same wherever it is shown. Standard library only:
``costmodel compare`` imports this module on its way to the first line of output.
"""
from __future__ import annotations

import math
import textwrap

#: A cell whose text starts with one of these is run as a formula by Excel, LibreOffice or Google Sheets
#: (formula injection, CWE-1236); a leading tab or carriage return can hide the sign in a CSV file.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value) -> bool:
    """True for text a spreadsheet would take as the start of a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_text(value):
    """A value safe for a CSV cell or an Excel range: text that would start a formula gets a leading ``'``
    (which spreadsheets show as "this is text"); numbers and other text pass unchanged."""
    return "'" + value if starts_formula(value) else value


def money_m(x, *, signed: bool = False, report: bool = False) -> str:
    """Pounds as £m; None or NaN as ``—``.

    Tables (default): two decimals and a hyphen-minus, as a terminal or a CSV reader expects:
    ``-1234567`` → ``-£1.23m``. ``report=True``, for the printed report: one decimal from £1m, two below,
    and a true minus sign (U+2212): ``-15400000`` → ``−£15.4m``, ``590000`` → ``£0.59m``.
    ``signed`` puts ``+`` before an amount above zero (a difference). An amount that rounds to zero
    in the report carries no sign.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    m = abs(x) / 1e6
    if not report:
        return f"{'-' if x < 0 else '+' if signed and x > 0 else ''}£{m:,.2f}m"
    text = f"£{m:,.1f}m" if m >= 0.995 or m == 0 else f"£{m:,.2f}m"
    if text in ("£0.0m", "£0.00m"):
        return text
    return ("\u2212" if x < 0 else "+" if signed and x > 0 else "") + text


def _widths(headers: list[str], rows: list[list[str]], width: int) -> list[int]:
    """Column widths: each column as wide as its cells; long headings wrap (widest first) until the
    table fits ``width`` characters, never narrower than a heading's longest word or a cell."""
    floor = [max([len(r[j]) for r in rows] + [max((len(w) for w in h.split()), default=0)])
             for j, h in enumerate(headers)]
    cols = [max(f, len(h)) for f, h in zip(floor, headers)]
    while sum(cols) + 3 * len(cols) + 1 > width:
        j = max(range(len(cols)), key=lambda i: (cols[i] - floor[i] > 0, cols[i]))
        if cols[j] <= floor[j]:
            break
        cols[j] -= 1
    return cols


def _line(cells: list[str], cols: list[int], right: list[bool], bar: str) -> str:
    return bar + bar.join(f" {c.rjust(w) if r else c.ljust(w)} " for c, w, r in zip(cells, cols, right)) + bar


def box_table(title: str, headers: list[str], rows: list[list[str]], right: list[bool], width: int = 140) -> str:
    """A table drawn with box characters (headings bottom-aligned, wrapped to fit ``width``), its title
    centred above it: the look of a ``rich`` table, without importing rich."""
    cols = _widths(headers, rows, width)
    wrapped = [textwrap.wrap(h, w) or [""] for h, w in zip(headers, cols)]
    depth = max(len(w) for w in wrapped)
    head = [[""] * (depth - len(w)) + w for w in wrapped]  # bottom-aligned
    inner = sum(cols) + 3 * len(cols) - 1
    out = [t.center(inner + 2).rstrip() for t in textwrap.wrap(title, inner + 2)]
    out.append("┏" + "┳".join("━" * (w + 2) for w in cols) + "┓")
    out += [_line([h[i] for h in head], cols, right, "┃") for i in range(depth)]
    out.append("┡" + "╇".join("━" * (w + 2) for w in cols) + "┩")
    out += [_line(r, cols, right, "│") for r in rows]
    out.append("└" + "┴".join("─" * (w + 2) for w in cols) + "┘")
    return "\n".join(out) + "\n"
