"""The Annual sheet: costs by option, category and financial year, Green Book discounting, payback workings.

Each (option, category) year sums the months of that year of its category row on Calculations with
one SUMIF copied across. Discounting follows ``appraisal.py``: year 0 is undiscounted, the
start-of-year factor of year t is that of year t−1 divided by (1 + r_t), r_t the short rate before
year ``long_rate_from_year`` and the long rate from it; with mid-year discounting each factor is
further divided by (1 + r_{t+1})^``mid_year_point``. Payback is the first year from which the
cumulative discounted cost stays at or below business as usual's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..assumptions import COMPARATOR, Assumptions
from ..comparison import CATEGORY_LABELS
from ..cost_lines import CATEGORIES
from . import layout as L
from .calcs import GBP_FMT, Grid

ROW_TEXTS = {"total": "Total cost", "discounted": "Discounted cost", "cumulative": "Cumulative discounted cost",
             "ok": "At or below business as usual (1/0)", "stays": "Stays at or below from here (1/0)",
             "central": "Of the total, paid by central government (DfE)"}


@dataclass
class Annual:
    """Where things are on the Annual sheet."""

    years: int
    year: int = 0  # row of the year index
    fy: int = 0  # row of the financial year
    factor: int = 0  # row of the discount factor in use (its sum in D)
    blocks: dict = field(default_factory=dict)  # option -> {row key: row}

    @property
    def last_col(self) -> str:
        return L.year_col(self.years - 1)

    @property
    def pv_col(self) -> str:
        return L.year_col(self.years)


def put(ws, coord, value, style=L.CALC, fmt=None):
    ws[coord] = value
    ws[coord].style = style
    if fmt:
        ws[coord].number_format = fmt
    return ws[coord]


def write_annual(wb, a: Assumptions, calc: Grid) -> Annual:
    """Annual: the year rows and discount factors, then per option its categories, total, discounted and payback rows."""
    ws = wb["Annual"]
    an = Annual(years=a.horizon_years)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 44
    ws.column_dimensions["C"].width = 14
    for t in range(-1, a.horizon_years + 1):
        ws.column_dimensions[L.year_col(t)].width = 15
    L.heading(ws, "A1", "Annual: cost by option, category and financial year (GBP real), Green Book discounting")
    L.master_badge(ws, "A2", "B2")
    r = 4
    for col, text in zip("ABCD", ("Option", "Row", "Category / key", "Total")):
        put(ws, f"{col}{r}", text, "Subheading")
    put(ws, f"{an.pv_col}{r}", "Present value", "Subheading")
    write_discounting(ws, an, r + 1)
    r = an.factor + 2
    for o in a.options:
        r = write_option_block(ws, an, o, calc, r)
    return an


def write_discounting(ws, an: Annual, r: int) -> None:
    """Year index, financial year, the rates of year t and t+1, the start-of-year factor and the factor in use."""
    an.year, an.fy, rate, nrate, start, an.factor = range(r, r + 6)
    labels = {an.year: "Year index", an.fy: "Financial year", rate: "Discount rate r_t (year t)",
              nrate: "Discount rate r_t+1 (mid-year step)", start: "Start-of-year factor (year 0 = 1)",
              an.factor: "Discount factor in use"}
    for row, text in labels.items():
        ws[f"B{row}"] = text
    yr = an.year
    for t in range(an.years):
        c, p = L.year_col(t), L.year_col(t - 1)
        put(ws, f"{c}{yr}", 0 if t == 0 else f"={p}{yr}+1", fmt="0")
        put(ws, f"{c}{an.fy}", f'=(appraisal_start_year+{c}{yr})&"-"&RIGHT(appraisal_start_year+{c}{yr}+1,2)')
        short_long = "appraisal_discount_rate,appraisal_discount_rate_long)"
        put(ws, f"{c}{rate}", f"=IF({c}${yr}<long_rate_from_year,{short_long}", fmt="0.000")
        put(ws, f"{c}{nrate}", f"=IF({c}${yr}+1<long_rate_from_year,{short_long}", fmt="0.000")
        put(ws, f"{c}{start}", "=1" if t == 0 else f"={p}{start}/(1+{c}${rate})", fmt="0.000000")
        put(ws, f"{c}{an.factor}", f"={c}${start}*(1+{c}${nrate})^(-mid_year_point*appraisal_mid_year_discounting)",
            fmt="0.000000")
    put(ws, f"D{an.factor}", f"=SUM(E{an.factor}:{an.last_col}{an.factor})", fmt="0.000000")


def write_option_block(ws, an: Annual, o, calc: Grid, r: int) -> int:
    """One option: a row per category (months of Calculations summed by year), total, discounted, cumulative,
    the payback flags against business as usual and the part paid by central government; returns the next row."""
    k = o.key
    L.put_text(ws, f"A{r}", k, "Subheading")
    L.put_text(ws, f"B{r}", f"Option {k}: {o.label}", "Subheading")
    rows = {cat: r + 1 + i for i, cat in enumerate(CATEGORIES)}
    rows.update({key: r + 1 + len(CATEGORIES) + i for i, key in enumerate(ROW_TEXTS)})
    bau = an.blocks.get(COMPARATOR, rows)
    years = f"Calculations!$H${L.YEAR_ROW}:${calc.last_col}${L.YEAR_ROW}"
    month_rows = {**calc.categories[k], "central": calc.rows[k]["central_government"]}
    for key, row in rows.items():
        L.put_text(ws, f"A{row}", k)
        ws[f"B{row}"] = CATEGORY_LABELS.get(key) if key in CATEGORIES else ROW_TEXTS[key]
        L.put_text(ws, f"C{row}", "flag" if key in ("ok", "stays") else key)
    for t in range(an.years):
        c, y = L.year_col(t), f"{L.year_col(t)}${an.year}"
        for key, m in month_rows.items():
            put(ws, f"{c}{rows[key]}", f"=SUMIF({years},{y},Calculations!$H${m}:${calc.last_col}${m})", fmt=GBP_FMT)
        put(ws, f"{c}{rows['total']}", f"=SUM({c}{rows[CATEGORIES[0]]}:{c}{rows[CATEGORIES[-1]]})", fmt=GBP_FMT)
        put(ws, f"{c}{rows['discounted']}", f"={c}{rows['total']}*{c}${an.factor}", fmt=GBP_FMT)
        put(ws, f"{c}{rows['cumulative']}", f"=SUMPRODUCT($E{rows['total']}:{c}{rows['total']},$E${an.factor}:{c}${an.factor})",
            fmt=GBP_FMT)
        cb = f"{c}${bau['cumulative']}"
        put(ws, f"{c}{rows['ok']}", f"=IF({c}{rows['cumulative']}<={cb}+tolerance*MAX(ABS({cb}),1),1,0)", fmt="0")
        put(ws, f"{c}{rows['stays']}", f"=IF(COUNTIF({c}{rows['ok']}:${an.last_col}{rows['ok']},0)=0,1,0)", fmt="0")
    for key in list(CATEGORIES) + ["total", "discounted", "central"]:
        put(ws, f"D{rows[key]}", f"=SUM(E{rows[key]}:{an.last_col}{rows[key]})", fmt=GBP_FMT)
    for key in list(CATEGORIES) + ["total", "central"]:
        put(ws, f"{an.pv_col}{rows[key]}",
            f"=SUMPRODUCT(E{rows[key]}:{an.last_col}{rows[key]},E${an.factor}:{an.last_col}${an.factor})", fmt=GBP_FMT)
    for col in ("D", an.pv_col):
        ws[f"{col}{rows['total']}"].style = L.OUTPUT
        ws[f"{col}{rows['total']}"].number_format = GBP_FMT
    an.blocks[k] = rows
    return max(rows.values()) + 2
