"""The benchmark of a council as a VALUE sheet (``Values - Benchmark``) in a freshly built workbook.

Like the sheets of :mod:`costmodel.workbook.value_sheets`: a banner says the figures are values computed by
``costmodel`` from the published statistics (they do not recalculate), with the command, the assumptions'
fingerprint, the data vintage and the OGL attribution; then the latest-year comparison, the peers, the
history since 2017 (with a native line chart of each measure's history) and the Ofsted inspections. Every text
cell is written as text, never a formula. The input is :meth:`costmodel.evidence.benchmark.Benchmark.to_dict`.
"""
from __future__ import annotations

from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font, PatternFill

SHEET = "Values - Benchmark"
BANNER = PatternFill("solid", fgColor="FFF3CD")
BOLD = Font(bold=True)
NUMBER = {"percent": '0.0"%"', "cases/FTE": "0.0", "per 10,000": "#,##0.0", "GBP/child/yr": '£#,##0',
          "GBP/child/week": '£#,##0'}
GEOGRAPHIES = (("council", None), ("england", "England"), ("region", None), ("peer_median", "Median of peers"))


def _put(ws, row: int, col: int, value, fmt: str | None = None, bold: bool = False):
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula, whatever it starts with
    if fmt:
        cell.number_format = fmt
    if bold:
        cell.font = BOLD
    return cell


def _banner(ws, data: dict, command: str, fingerprint: str) -> None:
    c = data["council"]
    lines = [f"VALUES, NOT FORMULAS: benchmark of {c['name']} ({c['code']}, DfE {c['dfe_code']})",
             "Computed by costmodel from the packaged official statistics; these cells do not recalculate. "
             "Re-run the command to refresh.",
             f"Command: {command}", f"Assumptions fingerprint (the rest of this workbook): {fingerprint}",
             data["vintage"], f"{data['attribution']} {data['licence_url']}"]
    for r, text in enumerate(lines, start=1):
        _put(ws, r, 1, text, bold=r == 1).fill = BANNER
    ws.cell(1, 1).font = Font(bold=True, size=13)


def _latest(ws, data: dict, top: int) -> int:
    c = data["council"]
    heads = ["Measure", "Unit", "Year", "Refers to", c["name"], "England", c["region"], "Median of peers",
             "Rank (1 = lowest)", "Of councils", "Note"]
    for j, h in enumerate(heads, start=1):
        _put(ws, top, j, h, bold=True)
    for i, m in enumerate(data["measures"], start=top + 1):
        fmt = NUMBER.get(m["unit"])
        for j, v in enumerate([m["label"], m["unit"], m["year"], m["reference"], m["council"], m["england"],
                               m["region"], m["peer_median"], m["rank"], m["of"], m["note"]], start=1):
            _put(ws, i, j, v, fmt if 5 <= j <= 8 else None)
    return top + len(data["measures"]) + 2


def _peers(ws, data: dict, top: int) -> int:
    _put(ws, top, 1, f"Peers: {data['peers']['description']}", bold=True)
    for j, h in enumerate(["Rank", "Council", "ONS code", "DfE code", "Closeness"], start=1):
        _put(ws, top + 1, j, h, bold=True)
    for i, p in enumerate(data["peers"]["list"], start=top + 2):
        for j, v in enumerate([p["rank"], p["name"], p["code"], p["dfe_code"], p["closeness"]], start=1):
            _put(ws, i, j, v)
    return top + len(data["peers"]["list"]) + 3


def _history(ws, data: dict, top: int) -> int:
    """One block per measure: a row per geography, a column per year, and a line chart beside it."""
    years = sorted({r["year"] for r in data["rows"]})
    values = {(r["measure"], r["geography"], r["year"]): r["value"] for r in data["rows"]}
    names = {"council": data["council"]["name"], "region": data["council"]["region"]}
    _put(ws, top, 1, "History by DfE reporting year (workforce at 30 September, children at 31 March, spend the "
                     "financial year ending 31 March, cash prices)", bold=True)
    row = top + 1
    for n, m in enumerate(data["measures"]):
        _put(ws, row, 1, m["label"], bold=True)
        for j, y in enumerate(years, start=2):
            _put(ws, row, j, y, bold=True)
        for k, (geo, label) in enumerate(GEOGRAPHIES, start=1):
            _put(ws, row + k, 1, label or names[geo])
            for j, y in enumerate(years, start=2):
                _put(ws, row + k, j, values.get((m["measure"], geo, y)), NUMBER.get(m["unit"]))
        chart = LineChart()
        chart.title, chart.height, chart.width = m["label"][:60], 6.5, 13
        chart.add_data(Reference(ws, min_col=1, max_col=len(years) + 1, min_row=row + 1, max_row=row + 4),
                       from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, max_col=len(years) + 1, min_row=row, max_row=row))
        ws.add_chart(chart, ws.cell(top + 1 + 14 * (n // 2), 14 + 9 * (n % 2)).coordinate)
        row += len(GEOGRAPHIES) + 2
    return row + 1


def _ofsted(ws, data: dict, top: int) -> int:
    _put(ws, top, 1, "Ofsted inspections (ILACS)", bold=True)
    for j, h in enumerate(["Inspection", "Published", "Type", "Overall effectiveness", "Council"], start=1):
        _put(ws, top + 1, j, h, bold=True)
    row = top + 2
    for i in data["ofsted"]["inspections"]:
        for j, v in enumerate([i["date"], i["published"], i["kind"], i["judgement"], i["council_name"]], start=1):
            _put(ws, row, j, v)
        row += 1
    for reason in [*data["ofsted"]["reasons"], *data["notes"]]:
        _put(ws, row, 1, reason)
        row += 1
    return row


def add_benchmark(wb, data: dict, command: str, fingerprint: str):
    """Add (or replace) the ``Values - Benchmark`` sheet; returns it."""
    if SHEET in wb.sheetnames:
        del wb[SHEET]
    ws = wb.create_sheet(SHEET)
    _banner(ws, data, command, fingerprint)
    row = _latest(ws, data, 8)
    row = _peers(ws, data, row)
    row = _history(ws, data, row)
    _ofsted(ws, data, row)
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["D"].width = 30
    ws.freeze_panes = "B9"
    return ws
