"""The Summary sheet: annual cost by option and category, Green Book appraisal, checks, verdict, charts.

Annual figures sum the Calculations months of each (option, category) with one SUMPRODUCT copied
over the table. Discounting follows ``appraisal.py``: year 0 is undiscounted, the start-of-year
factor of year t is that of year t−1 divided by (1 + r_t), r_t the short rate before year
``long_rate_from_year`` (31) and the long rate from it; with mid-year discounting each factor is
further divided by (1 + r_{t+1})^0.5. Payback is the first year from which the cumulative
discounted cost stays at or below business as usual's ("never" when it does not). The safe-service
month is text "none" for business as usual, which never reaches one.
"""
from __future__ import annotations

from itertools import product

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, PatternFill

from .. import levers as lv
from ..discounting import LONG_RATE_FROM_YEAR
from ..assumptions import COMPARATOR, SECOND_COMPARATOR, Assumptions
from ..comparison import CATEGORY_LABELS
from ..cost_lines import CATEGORIES, ONE_OFF
from ..decision import verdict
from . import layout as L
from .calcs import GBP_FMT, Grid

HEADLINE = ("Option key", "Option", "Delivery model", "Present value", "NPC vs business as usual", "NPC vs in-house",
            "Safe-service month", "Safe-service year", "Payback year vs business as usual", "Payback financial year",
            "Equivalent annual cost", "One-off (undiscounted)", "Total (undiscounted)", "Decision framework",
            "PV paid by the council", "PV paid by central government (DfE)")
CAPACITY = ("self_assess", "set_strategy", "implement", "systemic_issues", "strong_partner_willing")


def _fy(expr: str) -> str:
    return f'(appraisal_start_year+{expr})&"-"&RIGHT(appraisal_start_year+{expr}+1,2)'


def _set(ws, coord, value, style="Calculation", fmt=None):
    ws[coord] = value
    ws[coord].style = style
    if fmt:
        ws[coord].number_format = fmt
    return ws[coord]


def write_summary(wb, a: Assumptions, calc: Grid, input_rows: dict) -> dict:
    """Write Summary; returns the row of each block (for tests and for the sensitivity sheets)."""
    ws = wb["Summary"]
    Y, O = a.horizon_years, len(a.options)
    last_year = L.year_col(Y - 1)
    pv_col = L.year_col(Y)
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 20
    for c in range(4, 4 + max(Y + 2, len(HEADLINE))):
        ws.column_dimensions[L.year_col(c - L.FIRST_YEAR_COL)].width = 16
    L.heading(ws, "A1", "Summary: costs of each option against business as usual, GBP real terms at the price base")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADLINE))
    ws["A2"], ws["A3"], ws["A4"] = "Case in use", "Master check (0 = OK)", "Decision framework (003)"
    for c in ("A2", "A3", "A4"):
        ws[c].style = "Subheading"
    _set(ws, "B2", "=case_selector", "Link")
    _set(ws, "B3", None, "Check", "0")
    L.define(wb, "master_check", "Summary", "B3")
    _set(ws, "C3", '=IF(master_check=0,"OK","CHECK: see the checks below")')
    # --- headline table (filled once the annual block is laid out)
    head = 6
    for i, h in enumerate(HEADLINE):
        ws.cell(head, i + 1, h).style = "Subheading"
        ws.cell(head, i + 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[head].height = 45
    hrow = {o.key: head + 1 + i for i, o in enumerate(a.options)}
    # --- annual block
    r = head + O + 3
    L.heading(ws, f"A{r}", "Annual cost by option and category (GBP real), Green Book discounting")
    r += 1
    for col, text in zip("ABCD", ("Option", "Row", "Category", "Total")):
        ws[f"{col}{r}"] = text
        ws[f"{col}{r}"].style = "Subheading"
    ws[f"{pv_col}{r}"] = "Present value"
    ws[f"{pv_col}{r}"].style = "Subheading"
    yr, fy, rate, nrate, start, factor = range(r + 1, r + 7)
    labels = {yr: "Year index", fy: "Financial year", rate: "Discount rate r_t (year t)",
              nrate: "Discount rate r_t+1 (mid-year step)", start: "Start-of-year factor (year 0 = 1)",
              factor: "Discount factor in use"}
    for row, text in labels.items():
        ws[f"B{row}"] = text
    _set(ws, f"D{rate}", LONG_RATE_FROM_YEAR, fmt="0")
    ws[f"C{rate}"] = "long rate from year"
    L.define(wb, "long_rate_from_year", "Summary", f"D{rate}")
    for t in range(Y):
        c, p = L.year_col(t), L.year_col(t - 1)
        _set(ws, f"{c}{yr}", 0 if t == 0 else f"={p}{yr}+1", fmt="0")
        _set(ws, f"{c}{fy}", f"={_fy(f'{c}{yr}')}")
        _set(ws, f"{c}{rate}", f"=IF({c}${yr}<long_rate_from_year,appraisal_discount_rate,appraisal_discount_rate_long)", fmt="0.000")
        _set(ws, f"{c}{nrate}", f"=IF({c}${yr}+1<long_rate_from_year,appraisal_discount_rate,appraisal_discount_rate_long)", fmt="0.000")
        _set(ws, f"{c}{start}", "=1" if t == 0 else f"={p}{start}/(1+{c}${rate})", fmt="0.000000")
        _set(ws, f"{c}{factor}", f"={c}${start}*(1+{c}${nrate})^(-0.5*appraisal_mid_year_discounting)", fmt="0.000000")
    _set(ws, f"D{factor}", f"=SUM(E{factor}:{last_year}{factor})", fmt="0.000000")
    tol_row = factor + 1
    ws[f"B{tol_row}"], ws[f"C{tol_row}"] = "Tolerance for payback and checks", "relative"
    _set(ws, f"D{tol_row}", 1e-9, fmt="0.0E+00")
    L.define(wb, "tolerance", "Summary", f"D{tol_row}")
    span = f"${L.month_col(0)}$%d:${L.month_col(a.months - 1)}$%d"
    years = span % (L.YEAR_ROW, L.YEAR_ROW)
    r = tol_row + 2
    blocks: dict = {}
    for o in a.options:
        k = o.key
        L.put_text(ws, f"A{r}", k, "Subheading")
        L.put_text(ws, f"B{r}", f"Option {k}: {o.label}", "Subheading")
        r += 1
        rows = {}
        for cat in CATEGORIES:
            rows[cat] = r
            L.put_text(ws, f"A{r}", k)
            ws[f"B{r}"] = CATEGORY_LABELS[cat]
            L.put_text(ws, f"C{r}", cat)
            for t in range(Y):
                c = L.year_col(t)
                # the option's own rows of Calculations: lines of this category, months of this year
                s, e = calc.starts[k], calc.totals[k] - 1
                _set(ws, f"{c}{r}", f"=SUMPRODUCT((Calculations!$C${s}:$C${e}=$C{r})*(Calculations!{years}={c}${yr})"
                     f"*Calculations!{span % (s, e)})", fmt=GBP_FMT)
            r += 1
        first_cat = rows[CATEGORIES[0]]
        rows["total"], rows["discounted"], rows["cumulative"], rows["ok"], rows["stays"], rows["central"] = range(r, r + 6)
        texts = {"total": "Total cost", "discounted": "Discounted cost", "cumulative": "Cumulative discounted cost",
                 "ok": "At or below business as usual (1/0)", "stays": "Stays at or below from here (1/0)",
                 "central": "Of the total, paid by central government (DfE)"}
        bau = blocks.get(COMPARATOR, rows) if k != COMPARATOR else rows
        for key, text in texts.items():
            L.put_text(ws, f"A{rows[key]}", k)
            ws[f"B{rows[key]}"] = text
            ws[f"C{rows[key]}"] = "flag" if key in ("ok", "stays") else key
        for t in range(Y):
            c = L.year_col(t)
            _set(ws, f"{c}{rows['total']}", f"=SUM({c}{first_cat}:{c}{rows['total'] - 1})", fmt=GBP_FMT)
            _set(ws, f"{c}{rows['discounted']}", f"={c}{rows['total']}*{c}${factor}", fmt=GBP_FMT)
            _set(ws, f"{c}{rows['cumulative']}", f"=SUMPRODUCT($E{rows['total']}:{c}{rows['total']},$E${factor}:{c}${factor})", fmt=GBP_FMT)
            cb = f"{c}{bau['cumulative']}"
            _set(ws, f"{c}{rows['ok']}", f"=--({c}{rows['cumulative']}<={cb}+tolerance*MAX(ABS({cb}),1))", fmt="0")
            _set(ws, f"{c}{rows['stays']}", f"=--(COUNTIF({c}{rows['ok']}:${last_year}{rows['ok']},0)=0)", fmt="0")
            central = calc.rows[k]["central_government"]
            _set(ws, f"{c}{rows['central']}", f"=SUMPRODUCT((Calculations!{years}={c}${yr})"
                 f"*Calculations!{span % (central, central)})", fmt=GBP_FMT)
        for key in list(CATEGORIES) + ["total", "discounted", "central"]:
            _set(ws, f"D{rows[key]}", f"=SUM(E{rows[key]}:{last_year}{rows[key]})", fmt=GBP_FMT)
        for key in list(CATEGORIES) + ["total", "central"]:
            _set(ws, f"{pv_col}{rows[key]}", f"=SUMPRODUCT(E{rows[key]}:{last_year}{rows[key]},E${factor}:{last_year}${factor})",
                 fmt=GBP_FMT)
        for col in ("D", pv_col):
            ws[f"{col}{rows['total']}"].style = "Output"
            ws[f"{col}{rows['total']}"].number_format = GBP_FMT
        blocks[k] = rows
        r += 7
    # --- decision framework lookup, generated from decision.verdict so that it matches exactly
    dec = r + 1
    L.heading(ws, f"A{dec}", "Decision framework lookup (Isos for the LGA 2017, 'Consideration of models'): "
                             "1 + 16 x self-assess + 8 x strategy + 4 x implement + 2 x systemic + partner")
    models = list(lv.MODELS)
    hdr = dec + 1
    for i, h in enumerate(["Case", *CAPACITY, "Form", "Summary", *models]):
        ws.cell(hdr, i + 1, h).style = "Subheading"
    for i, flags in enumerate(product((0, 1), repeat=5)):
        row = hdr + 1 + i
        v = verdict(*map(bool, flags))
        ws.cell(row, 1, i + 1)
        for j, f in enumerate(flags):
            ws.cell(row, 2 + j, f)
        for j, text in enumerate([v.form, v.summary] + [v.for_model(m) for m in models]):
            L.put_text(ws, f"{ws.cell(row, 7 + j).column_letter}{row}", text)
    first, last = hdr + 1, hdr + 32
    combo = "1+16*baseline_capacity_self_assess+8*baseline_capacity_set_strategy+4*baseline_capacity_implement" \
            "+2*baseline_capacity_systemic_issues+baseline_capacity_strong_partner_willing"
    _set(ws, "B4", f"=INDEX($H${first}:$H${last},{combo})")
    L.define(wb, "decision_summary", "Summary", "B4")
    fit_cols = f"$I${hdr}:${ws.cell(hdr, 8 + len(models)).column_letter}${hdr}"
    fit_block = f"$I${first}:${ws.cell(hdr, 8 + len(models)).column_letter}${last}"
    # --- headline rows
    for o in a.options:
        k, row, b = o.key, hrow[o.key], blocks[o.key]
        L.put_text(ws, f"A{row}", k)
        _set(ws, f"B{row}", f"=INDEX(Inputs!$B:$B,MATCH($A{row},Inputs!$A:$A,0))", "Link")
        _set(ws, f"C{row}", f"=INDEX(Inputs!$C:$C,MATCH($A{row},Inputs!$A:$A,0))", "Link")
        _set(ws, f"D{row}", f"={pv_col}{b['total']}", "Output", GBP_FMT)
        _set(ws, f"E{row}", f"=D{row}-pv_{COMPARATOR}", "Output", GBP_FMT)
        npc_ih = f"=D{row}-pv_{SECOND_COMPARATOR}" if SECOND_COMPARATOR in a.option_keys else '="n/a"'
        _set(ws, f"F{row}", npc_ih, "Output", GBP_FMT)
        _set(ws, f"G{row}", f"=Timeline!$E${calc_timeline_row(wb, k)}", "Output", "0.00")
        _set(ws, f"H{row}", f'=IF(ISNUMBER(G{row}),{_fy(f"INT(G{row}/12)")},"none")')
        _set(ws, f"I{row}", f'=IF({last_year}{b["stays"]}=1,MATCH(1,E{b["stays"]}:{last_year}{b["stays"]},0)-1,"never")',
             "Output", "0")
        _set(ws, f"J{row}", f'=IF(ISNUMBER(I{row}),{_fy(f"I{row}")},"never")')
        _set(ws, f"K{row}", f"=D{row}/$D${factor}", fmt=GBP_FMT)
        _set(ws, f"L{row}", "=" + "+".join(f"D{b[c]}" for c in ONE_OFF), fmt=GBP_FMT)
        _set(ws, f"M{row}", f"=D{b['total']}", fmt=GBP_FMT)
        _set(ws, f"N{row}", f"=INDEX({fit_block},{combo},MATCH(C{row},{fit_cols},0))")
        _set(ws, f"P{row}", f"={pv_col}{b['central']}", "Output", GBP_FMT)
        _set(ws, f"O{row}", f"=D{row}-P{row}", "Output", GBP_FMT)
        for name, col in (("pv", "D"), ("npc_vs_do_minimum", "E"), ("npc_vs_in_house", "F"),
                          ("safe_service_month", "G"), ("payback_year", "I"), ("equivalent_annual_cost", "K"),
                          ("pv_council", "O"), ("pv_central_government", "P")):
            L.define(wb, f"{name}_{k}", "Summary", f"{col}{row}")
    # --- checks
    chk = head + O + 1
    checks = [("Inputs: low <= central <= high, all given", "=SUM(Inputs!$M:$M)")]
    for o in a.options:
        b = blocks[o.key]
        checks.append((f"{o.key}: annual table equals the months of Calculations",
                       f"=--(ABS(D{b['total']}-Calculations!$F${calc.totals[o.key]})>tolerance*MAX(1,ABS(D{b['total']})))"))
        split = "+".join(f"options_{o.key}_improvement_phase_split_{p}" for p in lv.PHASES)
        checks.append((f"{o.key}: improvement phase splits sum to 1",
                       f"=--AND(options_{o.key}_improvement_total>0,ABS({split}-1)>tolerance)"))
    chk_start = r + 2 + 34
    L.heading(ws, f"A{chk_start}", "Checks (1 = a problem, 0 = OK); the master check at B3 adds them up")
    for i, (text, formula) in enumerate(checks, start=chk_start + 1):
        ws[f"B{i}"] = text
        _set(ws, f"D{i}", formula, "Check", "0")
    ws["B3"] = f"=SUM(D{chk_start + 1}:D{chk_start + len(checks)})"
    ws.conditional_formatting.add("B3", CellIsRule(operator="greaterThan", formula=["0"],
                                                   fill=PatternFill("solid", fgColor="FFC7CE")))
    ws[f"A{chk}"] = ("Present values discount from the start of each year (Green Book); NPC = PV(option) - PV(comparator), "
                     "negative = cheaper. Safe-service month: none for business as usual. Payback: never when the option's "
                     "cumulative discounted cost ends above business as usual's.")
    ws.freeze_panes = "C7"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    add_charts(ws, a, blocks, fy, head, hrow, pv_col)
    return {"head": head, "rows": hrow, "blocks": blocks, "factor": factor, "year": yr, "fy": fy, "checks": chk_start}


def calc_timeline_row(wb, k: str) -> int:
    """The Timeline row of an option's safe-service month (found by its row key in column G)."""
    ws = wb["Timeline"]
    for row in range(L.FIRST_BLOCK_ROW, ws.max_row + 1):
        if ws[f"A{row}"].value == k and ws[f"G{row}"].value == "safe_service_month":
            return row
    raise KeyError(k)


def add_charts(ws, a: Assumptions, blocks: dict, fy: int, head: int, hrow: dict, pv_col: str) -> None:
    """Native charts: present value by option; for each option, annual cost stacked by category."""
    Y = a.horizon_years
    anchor_col = ws.cell(1, L.FIRST_YEAR_COL + Y + 2).column_letter
    pv = BarChart()
    pv.type = "bar"
    pv.title = "Present value by option (GBP real)"
    pv.y_axis.title = "GBP"
    pv.y_axis.numFmt = "#,##0"
    first, last = min(hrow.values()), max(hrow.values())
    pv.add_data(Reference(ws, min_col=4, min_row=head, max_row=last), titles_from_data=True)
    pv.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
    pv.legend = None
    pv.y_axis.scaling.min = 0  # bars start at zero: differences are shown honestly, and as NPC below
    pv.height, pv.width = 7.5, 16
    ws.add_chart(pv, f"{anchor_col}2")
    npc = BarChart()
    npc.type = "bar"
    npc.title = "Net present cost against business as usual (GBP; negative = cheaper)"
    npc.y_axis.numFmt = "#,##0"
    npc.add_data(Reference(ws, min_col=5, min_row=head, max_row=last), titles_from_data=True)
    npc.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
    npc.legend = None
    npc.x_axis.tickLblPos = "low"  # option names beside the axis, clear of negative bars
    npc.height, npc.width = 7.5, 16
    ws.add_chart(npc, f"{anchor_col}17")
    cats = Reference(ws, min_col=L.FIRST_YEAR_COL, max_col=L.FIRST_YEAR_COL + Y - 1, min_row=fy)
    for i, o in enumerate(a.options):
        ch = BarChart()
        ch.type, ch.grouping, ch.overlap = "col", "stacked", 100
        ch.title = f"{o.label}: annual cost by category (GBP real)"
        ch.y_axis.numFmt = "#,##0"
        for cat in CATEGORIES:
            row = blocks[o.key][cat]
            ser = Series(Reference(ws, min_col=L.FIRST_YEAR_COL, max_col=L.FIRST_YEAR_COL + Y - 1, min_row=row),
                         title=CATEGORY_LABELS[cat])
            ch.series.append(ser)
        ch.set_categories(cats)
        ch.height, ch.width = 7.5, 16
        ws.add_chart(ch, f"{anchor_col}{32 + 16 * i}")
