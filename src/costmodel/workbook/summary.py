"""The Summary sheet: outputs only — the headline table of every option, the verdict and native charts.

Each figure links to the sheet that computes it (Annual, Timeline, Lookups); the headline cells are
defined names (``pv_<option>`` …). The safe-service month is the text "none" for business as usual,
which never reaches one; payback is "never" when the option's cumulative discounted cost ends above
business as usual's.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.styles import Alignment

from ..assumptions import COMPARATOR, SECOND_COMPARATOR, Assumptions
from ..comparison import CATEGORY_LABELS
from ..cost_lines import CATEGORIES, ONE_OFF
from . import layout as L
from .annual import Annual, put
from .calcs import GBP_FMT, Grid

HEADLINE = ("Option key", "Option", "Delivery model", "Present value", "NPC vs business as usual", "NPC vs in-house",
            "Safe-service month", "Safe-service year", "Payback year vs business as usual", "Payback financial year",
            "Equivalent annual cost", "One-off (undiscounted)", "Total (undiscounted)", "Decision framework",
            "PV paid by the council", "PV paid by central government (DfE)")
NAMES = (("pv", "D"), ("npc_vs_do_minimum", "E"), ("npc_vs_in_house", "F"), ("safe_service_month", "G"),
         ("payback_year", "I"), ("equivalent_annual_cost", "K"), ("pv_council", "O"), ("pv_central_government", "P"))
HEAD = 6  # the headline table's header row


def _fy(expr: str) -> str:
    return f'(appraisal_start_year+{expr})&"-"&RIGHT(appraisal_start_year+{expr}+1,2)'


def write_summary(wb, a: Assumptions, an: Annual, tl: Grid, option_rows: dict[str, int]) -> dict:
    """Write Summary; returns where the headline rows are (for tests and the sensitivity sheets)."""
    ws = wb["Summary"]
    write_header(wb, ws, a)
    hrow = {o.key: HEAD + 1 + i for i, o in enumerate(a.options)}
    for o in a.options:
        write_headline_row(ws, a, o, hrow[o.key], an, tl.rows[o.key], option_rows[o.key])
        for name, col in NAMES:
            L.define(wb, f"{name}_{o.key}", "Summary", f"{col}{hrow[o.key]}")
    ws[f"A{HEAD + len(a.options) + 2}"] = (
        "Present values discount from the start of each year (Green Book); NPC = PV(option) - PV(comparator), "
        "negative = cheaper. Safe-service month: none for business as usual. Payback: never when the option's "
        "cumulative discounted cost ends above business as usual's. Workings: Annual, Calculations, Timeline; checks: Checks.")
    ws.freeze_panes = "C7"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    add_charts(wb, ws, a, an, hrow)
    return {"head": HEAD, "rows": hrow}


def write_header(wb, ws, a: Assumptions) -> None:
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 20
    for c in range(4, len(HEADLINE) + 1):
        ws.column_dimensions[L.year_col(c - L.FIRST_YEAR_COL)].width = 16
    L.heading(ws, "A1", "Summary: costs of each option against business as usual, GBP real terms at the price base")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADLINE))
    ws["A2"], ws["A4"] = "Case in use", "Decision framework (003)"
    for c in ("A2", "A4"):
        ws[c].style = "Subheading"
    put(ws, "B2", "=case_selector", L.LINK)
    L.master_badge(ws, "A3", "B3")
    put(ws, "B4", "=INDEX(decision_summaries,decision_case)", L.LINK)
    L.define(wb, "decision_summary", "Summary", "B4")
    for i, h in enumerate(HEADLINE):
        ws.cell(HEAD, i + 1, h).style = "Subheading"
        ws.cell(HEAD, i + 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[HEAD].height = 45


def write_headline_row(ws, a: Assumptions, o, row: int, an: Annual, dates: dict, input_row: int) -> None:
    """One option's headline figures, each a link to Annual, Timeline, Inputs or Lookups, or a short formula."""
    k, b, pv = o.key, an.blocks[o.key], an.pv_col
    stays = f"Annual!E{b['stays']}:{an.last_col}{b['stays']}"
    L.put_text(ws, f"A{row}", k)
    put(ws, f"B{row}", f"=Inputs!B{input_row}", L.LINK)
    put(ws, f"C{row}", f"=Inputs!C{input_row}", L.LINK)
    put(ws, f"D{row}", f"=Annual!{pv}{b['total']}", L.OUTPUT, GBP_FMT)
    put(ws, f"E{row}", f"=D{row}-pv_{COMPARATOR}", L.OUTPUT, GBP_FMT)
    put(ws, f"F{row}", f"=D{row}-pv_{SECOND_COMPARATOR}" if SECOND_COMPARATOR in a.option_keys else '="n/a"',
        L.OUTPUT, GBP_FMT)
    put(ws, f"G{row}", f"=Timeline!$E${dates['safe_service_month']}", L.OUTPUT, "0.00")
    put(ws, f"H{row}", f"=Timeline!$E${dates['safe_service_fy']}", L.LINK)
    put(ws, f"I{row}", f'=IF(Annual!{an.last_col}{b["stays"]}=1,MATCH(1,{stays},0)-1,"never")', L.OUTPUT, "0")
    put(ws, f"J{row}", f'=IF(ISNUMBER(I{row}),{_fy(f"I{row}")},"never")')
    put(ws, f"K{row}", f"=D{row}/Annual!$D${an.factor}", fmt=GBP_FMT)
    put(ws, f"L{row}", "=" + "+".join(f"Annual!D{b[c]}" for c in ONE_OFF), fmt=GBP_FMT)
    put(ws, f"M{row}", f"=Annual!D{b['total']}", fmt=GBP_FMT)
    put(ws, f"N{row}", f'=IFERROR(INDEX(fit_table,decision_case,MATCH(C{row},model_list,0)),"see Checks")')
    put(ws, f"P{row}", f"=Annual!{pv}{b['central']}", L.OUTPUT, GBP_FMT)
    put(ws, f"O{row}", f"=D{row}-P{row}", L.OUTPUT, GBP_FMT)


def add_charts(wb, ws, a: Assumptions, an: Annual, hrow: dict) -> None:
    """Native charts: present value by option; NPC against business as usual; each option's annual cost by category."""
    anchor_col = L.year_col(len(HEADLINE) - L.FIRST_YEAR_COL + 1)
    first, last = min(hrow.values()), max(hrow.values())
    for i, (col, title) in enumerate(((4, "Present value by option (GBP real)"),
                                      (5, "Net present cost against business as usual (GBP; negative = cheaper)"))):
        ch = BarChart()
        ch.type, ch.title, ch.legend = "bar", title, None
        ch.y_axis.numFmt = "#,##0"
        ch.add_data(Reference(ws, min_col=col, min_row=HEAD, max_row=last), titles_from_data=True)
        ch.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
        if col == 4:
            ch.y_axis.scaling.min = 0  # bars start at zero: differences are shown honestly, and as NPC beside
        else:
            ch.x_axis.tickLblPos = "low"  # option names beside the axis, clear of negative bars
        ch.height, ch.width = 7.5, 16
        ws.add_chart(ch, f"{anchor_col}{2 + 15 * i}")
    annual = wb["Annual"]
    Y = a.horizon_years
    cats = Reference(annual, min_col=L.FIRST_YEAR_COL, max_col=L.FIRST_YEAR_COL + Y - 1, min_row=an.fy)
    for i, o in enumerate(a.options):
        ch = BarChart()
        ch.type, ch.grouping, ch.overlap = "col", "stacked", 100
        ch.title = f"{o.label}: annual cost by category (GBP real)"
        ch.y_axis.numFmt = "#,##0"
        for cat in CATEGORIES:
            row = an.blocks[o.key][cat]
            ch.series.append(Series(Reference(annual, min_col=L.FIRST_YEAR_COL, max_col=L.FIRST_YEAR_COL + Y - 1,
                                              min_row=row), title=CATEGORY_LABELS[cat]))
        ch.set_categories(cats)
        ch.height, ch.width = 7.5, 16
        ws.add_chart(ch, f"{anchor_col}{32 + 16 * i}")
