"""Results of sweeps, tornado, switching values and Monte Carlo as VALUE sheets in a workbook.

Each sheet is named ``Values - …``, starts with a banner saying its figures are values computed by
``costmodel`` (not live formulas, so they do not change when the Inputs sheet does), the command and
the assumptions' fingerprint, then one table and a native chart. The live-formula sheets are never
touched: the sheets are added to the workbook from :func:`costmodel.workbook.build.build_workbook`.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill

BANNER = PatternFill("solid", fgColor="FFF3CD")
MONEY = '£#,##0;[Red]-£#,##0'


def _text(ws, ref, value):
    cell = ws[ref]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text
    return cell


def _sheet(wb, title: str, command: str, fingerprint: str, headers: list[str]):
    name = f"Values - {title}"[:31]
    if name in wb.sheetnames:
        del wb[name]
    ws = wb.create_sheet(name)
    _text(ws, "A1", f"VALUES, NOT FORMULAS: {title}").font = Font(bold=True, size=13)
    _text(ws, "A2", "Computed by costmodel; these cells do not recalculate when Inputs change. Re-run the command to refresh.")
    _text(ws, "A3", f"Command: {command}")
    _text(ws, "A4", f"Assumptions fingerprint: {fingerprint}")
    for r in range(1, 5):
        ws.cell(r, 1).fill = BANNER
    for j, h in enumerate(headers, start=1):
        _text(ws, ws.cell(6, j).coordinate, h).font = Font(bold=True)
    ws.freeze_panes = "A7"
    return ws


def _rows(ws, rows, money_cols=()):
    for i, row in enumerate(rows, start=7):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(i, j)
            if isinstance(value, str):
                _text(ws, cell.coordinate, value)
            else:
                cell.value = value
            if j in money_cols:
                cell.number_format = MONEY
    ws.column_dimensions["A"].width = 48
    return 7 + len(rows) - 1


def add_tornado(wb, t, command: str, fingerprint: str):
    ws = _sheet(wb, "Tornado", command, fingerprint,
                ["Lever", "Key", "Unit", "Low", "High", "NPC at low (£)", "NPC at high (£)", "Swing (£)"])
    last = _rows(ws, [[b.label, b.key, b.unit, b.low, b.high, b.npc_at_low, b.npc_at_high, b.swing] for b in t.bars],
                 money_cols=(6, 7, 8))
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"NPC of {t.option} against {t.against} (£), each lever at low and high"
    chart.add_data(Reference(ws, min_col=6, max_col=7, min_row=6, max_row=min(last, 21)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=7, max_row=min(last, 21)))
    chart.height, chart.width = 12, 22
    ws.add_chart(chart, "J6")
    return ws


def add_monte_carlo(wb, result, command: str, fingerprint: str):
    ws = _sheet(wb, "Monte Carlo", command, fingerprint,
                ["Option", "PV P5 (£)", "PV P50 (£)", "PV P95 (£)", "NPC vs BAU P5 (£)", "NPC vs BAU P50 (£)",
                 "NPC vs BAU P95 (£)", "P(cheapest)", "P(NPC vs BAU < 0)"])
    rows = []
    for o, s in result.summary.items():
        pv, npc = s["present_value"], s["npc_vs_do_minimum"]
        rows.append([o, pv["p5"], pv["p50"], pv["p95"], npc["p5"], npc["p50"], npc["p95"], s["probability_cheapest"],
                     s["probability_npc_vs_do_minimum_negative"]])
    last = _rows(ws, rows, money_cols=(2, 3, 4, 5, 6, 7))
    _text(ws, f"A{last + 2}", f"{result.present_value.shape[0]:,} draws, seed {result.plan.seed}, "
                              f"{result.plan.distribution} distributions")
    _standard_errors(ws, result, last + 4)
    chart = BarChart()
    chart.title = "Probability each option is cheapest"
    chart.add_data(Reference(ws, min_col=8, min_row=6, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=7, max_row=last))
    ws.add_chart(chart, "K6")
    return ws


def _standard_errors(ws, result, top: int) -> None:
    """The Monte Carlo standard error of every figure above, in the same layout (see costmodel.montecarlo)."""
    _text(ws, f"A{top}", "Monte Carlo standard errors of the figures above (percentiles: order statistics; "
                         "probabilities: binomial; under QMC: between replicates)").font = Font(bold=True)
    for i, (o, s) in enumerate(result.summary.items(), start=top + 1):
        se = s["standard_error"]
        pv, npc = se["present_value"], se["npc_vs_do_minimum"]
        for j, value in enumerate([o, pv["p5"], pv["p50"], pv["p95"], npc["p5"], npc["p50"], npc["p95"],
                                   se["probability_cheapest"], se["probability_npc_vs_do_minimum_negative"]], start=1):
            cell = ws.cell(i, j)
            if isinstance(value, str):
                _text(ws, cell.coordinate, value)
            else:
                cell.value = value
            if 2 <= j <= 7:
                cell.number_format = MONEY


def add_sweep(wb, s, command: str, fingerprint: str, max_rows: int = 100_000):
    headers = [*s.keys, *[f"PV {o} (£)" for o in s.options], "Cheapest"]
    ws = _sheet(wb, "Sweep", command, fingerprint, headers)
    k = len(s.keys)
    rows = [[*map(float, s.grid[i]), *map(float, s.present_value[i]), s.cheapest[i]] for i in range(min(len(s.grid), max_rows))]
    last = _rows(ws, rows, money_cols=tuple(range(k + 1, k + 1 + len(s.options))))
    if k == 1:
        chart = LineChart()
        chart.title = f"Present value of each option as {s.keys[0]} moves"
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(s.options), min_row=6, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=7, max_row=last))
        ws.add_chart(chart, f"{ws.cell(6, k + len(s.options) + 3).coordinate}")
    return ws


def add_switching(wb, results, command: str, fingerprint: str):
    ws = _sheet(wb, "Switching values", command, fingerprint,
                ["Key", "Between", "Central", "Low", "High", "Switching value", "Inside low-high?", "Searched from", "Searched to"])
    rows = []
    for r in results:
        vals = r.values or (None,)
        for x, inside in zip(vals, r.inside_plausible or (None,)):
            rows.append([r.key, f"{r.option} and {r.other}", r.central, r.plausible[0], r.plausible[1],
                         x if x is not None else "never cross", "" if x is None else ("yes" if inside else "no"),
                         r.searched[0], r.searched[1]])
    _rows(ws, rows)
    return ws
