"""Rows of results (a list of dicts with the same keys) as a rich table, CSV or JSON text, with notes.

For the analysis commands (``voi``, ``sobol``, ``discover``): the CSV has one row per record and no
notes; the JSON is the command's own object (the records under ``rows``); the table prints the notes,
the sentences a reader wants, after the rows.
"""
from __future__ import annotations

import io
import json

from ..finite import check_finite
from .tables import csv_text


def _cell(value, money: bool) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if money:
            return ("-" if value < 0 else "") + f"£{abs(value):,.0f}"
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def render_records(rows: list[dict], fmt: str, notes: list[str] = (), obj: dict | None = None,
                   money: tuple[str, ...] = (), width: int = 160, shown: tuple[str, ...] = ()) -> str:
    """``rows`` as ``table`` (money columns in pounds; only the ``shown`` columns if given), ``csv`` or
    ``json`` (``obj`` with ``rows`` added)."""
    check_finite({**(obj or {}), "rows": rows}, "the results")
    if fmt == "json":
        return json.dumps({**(obj or {}), "rows": rows}, indent=2, allow_nan=False) + "\n"
    columns = list(rows[0]) if rows else []
    if fmt == "csv":
        return csv_text(columns, [["; ".join(v) if isinstance(v, (list, tuple)) else v for v in r.values()] for r in rows])
    from rich.console import Console
    from rich.table import Table
    if shown:
        columns = [c for c in columns if c in shown]
        rows = [{c: r[c] for c in columns} for r in rows]
    t = Table(show_lines=False)
    for c in columns:
        t.add_column(c, justify="right" if rows and isinstance(rows[0][c], (int, float)) else "left",
                     overflow="fold")
    for r in rows:
        t.add_row(*[_cell(", ".join(v) if isinstance(v, (list, tuple)) else v, c in money) for c, v in r.items()])
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False)
    console.print(t)
    for line in notes:
        console.print(line, markup=False, highlight=False)
    return buf.getvalue()
