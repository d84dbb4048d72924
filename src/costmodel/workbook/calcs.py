"""The month sheets' shared frame (Timeline and Calculations) and the Calculations sheet.

Both sheets share one column layout (FAST): A option key, B label, C kind or category, D unit,
E constant, F total, G row key, then one column per month from H (month 0 = April of the start
year). Each row has one formula copied across the months. An option's block starts each lever it
uses with a link row (constant column E = the lever's defined name), so that the row formulas below
read short cell references, never a long name twice. Timing flags are the share of a month inside an
interval, exactly as ``timeline.py``: ``active(a, n) = MAX(0, MIN(1, MIN(m+1, a+n) − MAX(m, a)))``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import levers as lv
from ..assumptions import Assumptions
from ..cost_lines import CATEGORIES
from ..comparison import CATEGORY_LABELS
from ..engine import SUPPORT_PREFIX, table_lines
from . import layout as L
from .calc_lines import LINE_LABELS, line_formulas, write_payer_rows, write_workings

GBP_FMT = "#,##0;[Red]-#,##0"
FLAG_FMT = "0.00"


@dataclass
class Grid:
    """Where things are on Timeline / Calculations: row numbers keyed by (option, row key)."""

    months: int
    rows: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)  # option -> total row on Calculations
    starts: dict = field(default_factory=dict)  # option -> first row of its block on Calculations
    categories: dict = field(default_factory=dict)  # option -> {category: row} on Calculations
    first: int = L.FIRST_BLOCK_ROW
    last: int = L.FIRST_BLOCK_ROW

    @property
    def last_col(self) -> str:
        return L.month_col(self.months - 1)


class Block:
    """The rows of one option (or of the shared block) on Timeline or Calculations, written top to bottom."""

    def __init__(self, ws, r: int, option: str, months: int, fmt: str = GBP_FMT):
        self.ws, self.r, self.option, self.months, self.fmt = ws, r, option, months, fmt
        self.rows: dict[str, int] = {}

    def add(self, key: str, label: str, kind: str, unit: str, const: str | None = None, month: str | None = None,
            fmt: str | None = None) -> str:
        """One row: ``const`` in E, ``month`` (a template with ``{c}`` the month column, ``{r}`` the row) copied
        across; returns the absolute reference of its constant, ``$E$r``."""
        self.rows[key] = r = self.r
        write_row(self.ws, r, self.option, label, kind, unit, key, const, month, self.months if month else 0,
                  fmt or self.fmt)
        self.r += 1
        return f"$E${r}"

    def E(self, key: str) -> str:
        return f"$E${self.rows[key]}"

    def lever(self, key: str) -> str:
        """The lever's value through a link row of this block (added on first use): ``$E$r``."""
        if key not in self.rows:
            spec = lv.spec_for(key)
            self.add(key, f"Input: {spec.label}", "input", spec.unit, f"={lv.defined_name(key)}",
                     fmt="General" if spec.unit not in lv.MONEY_UNITS else GBP_FMT)
            self.ws[f"E{self.rows[key]}"].style = L.LINK
        return self.E(key)


def n(key: str) -> str:
    """The defined name of a lever key."""
    return lv.defined_name(key)


def frame(ws, title: str, months: int, link: bool) -> None:
    """Headings, the master check and the month rows (Timeline computes them, Calculations links to Timeline)."""
    L.heading(ws, "A1", title)
    L.master_badge(ws, "E1", "F1")
    for col, text in zip("ABCDEFG", ("Option", "Row", "Kind / category", "Unit", "Constant", "Total", "Row key")):
        ws[f"{col}2"] = text
        ws[f"{col}2"].style = "Subheading"
    for col, w in zip("ABCDEFG", (22, 52, 14, 11, 16, 16, 30)):
        ws.column_dimensions[col].width = w
    labels = {L.MONTH_ROW: ("Month number (0 = April of the start year)", "month"),
              L.YEAR_ROW: ("Year index (financial year t holds months 12t to 12t+11)", "year index"),
              L.FY_ROW: ("Financial year", "year"),
              L.MONTH_END_ROW: ("Month end (m + 1)", "month")}
    for r, (label, unit) in labels.items():
        ws[f"B{r}"], ws[f"D{r}"] = label, unit
    for m in range(months):
        c = L.month_col(m)
        ws.column_dimensions[c].width = 11
        if link:
            for r in labels:
                ws[f"{c}{r}"] = f"=Timeline!{c}{r}"
                ws[f"{c}{r}"].style = L.LINK
            continue
        month_header(ws, m)
    ws.freeze_panes = f"H{L.FIRST_BLOCK_ROW - 1}"


def month_header(ws, m: int) -> None:
    """Month m's number, year index, financial year and month end on Timeline."""
    c = L.month_col(m)
    ws[f"{c}{L.MONTH_ROW}"] = 0 if m == 0 else f"={L.month_col(m - 1)}{L.MONTH_ROW}+1"
    ws[f"{c}{L.YEAR_ROW}"] = f"=INT({c}{L.MONTH_ROW}/months_per_year)"
    ws[f"{c}{L.FY_ROW}"] = (f'=(appraisal_start_year+{c}{L.YEAR_ROW})&"-"&'
                            f'RIGHT(appraisal_start_year+{c}{L.YEAR_ROW}+1,2)')
    ws[f"{c}{L.MONTH_END_ROW}"] = f"={c}{L.MONTH_ROW}+1"
    for r in (L.MONTH_ROW, L.YEAR_ROW, L.FY_ROW, L.MONTH_END_ROW):
        ws[f"{c}{r}"].style = L.CALC
        ws[f"{c}{r}"].number_format = "0"


def write_row(ws, r: int, option: str, label: str, kind: str, unit: str, key: str,
              const: str | None = None, month: str | None = None, months: int = 0, fmt: str = GBP_FMT) -> None:
    """One row: constant in E, ``month`` (a template with ``{c}`` for the month column) copied across."""
    for col, value in zip("ABCDG", (option, label, kind, unit, key)):
        L.put_text(ws, f"{col}{r}", value)
    if const is not None:
        ws[f"E{r}"] = const
        ws[f"E{r}"].style = L.CALC
        ws[f"E{r}"].number_format = fmt if unit != "month" else "0.00"
    if month is not None:
        last = L.month_col(months - 1)
        ws[f"F{r}"] = f"=SUM(H{r}:{last}{r})"
        ws[f"F{r}"].style = L.CALC
        ws[f"F{r}"].number_format = fmt
        for m in range(months):
            cell = ws.cell(r, L.FIRST_MONTH_COL + m, month.format(c=L.month_col(m), r=r))
            cell.style = L.CALC
            cell.number_format = fmt


def option_heading(ws, r: int, k: str, label: str) -> None:
    L.put_text(ws, f"A{r}", k, "Subheading")
    L.put_text(ws, f"B{r}", f"Option {k}: {label}", "Subheading")


def write_calculations(wb, a: Assumptions, tl: Grid) -> Grid:
    """Calculations: per option, the workings, one row per engine cost line (GBP a month), the total, the
    subtotal of each cost category and the part paid by central government (DfE)."""
    ws = wb["Calculations"]
    grid = Grid(months=a.months)
    frame(ws, "Calculations: every cost line of every option, GBP a month, real terms at the price base", a.months,
          link=True)
    r = grid.first = L.FIRST_BLOCK_ROW
    for o in a.options:
        grid.starts[o.key] = r
        option_heading(ws, r, o.key, o.label)
        b = Block(ws, r + 1, o.key, a.months)
        write_option_lines(b, o, tl, grid)
        r = b.r + 1
    grid.last = r - 1
    return grid


def write_option_lines(b: Block, o, tl: Grid, grid: Grid) -> None:
    """One option's block on Calculations: workings, cost lines, total, category subtotals, payers."""
    k = o.key
    T = lambda key: f"Timeline!{{c}}{tl.rows[k][key]}"  # noqa: E731
    write_workings(b, k, T)
    formulas = line_formulas(b, k, o, tl.rows[k], tl.rows["all"])
    first_line = b.r
    for line, category, _ in table_lines((o,)):
        if line in formulas:
            const, month = formulas[line]
            label = LINE_LABELS.get(line) or f"External support: {line[len(SUPPORT_PREFIX):]}"
            b.add(line, label, category, "GBP/month", const, month)
    last_line = b.r - 1
    grid.totals[k] = b.r
    b.add("total", f"Total cost of {k}", "total", "GBP/month", None, f"=SUM({{c}}{first_line}:{{c}}{last_line})")
    for col in "ABCDEFG":
        b.ws[f"{col}{b.r - 1}"].style = L.OUTPUT if col in "EF" else "Subheading"
    cats = {}
    for cat in CATEGORIES:
        cats[cat] = b.r
        b.add(f"category_{cat}", f"Of which {CATEGORY_LABELS[cat].lower()}", cat, "GBP/month", None,
              f"=SUMIF($C${first_line}:$C${last_line},$C{{r}},{{c}}${first_line}:{{c}}${last_line})")
    grid.categories[k] = cats
    write_payer_rows(b, k, o)
    grid.rows[k] = b.rows
