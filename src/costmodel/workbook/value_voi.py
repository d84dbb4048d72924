"""Value of information, Sobol indices and scenario discovery as VALUE sheets with native charts.

The same banner and layout as :mod:`costmodel.workbook.value_sheets` (values computed by costmodel, not
live formulas; the command and the assumptions' fingerprint), one table and one bar chart each.
"""
from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from .value_sheets import MONEY, _rows, _sheet, _text


def _bar_chart(ws, title: str, value_cols: tuple[int, int], first: int, last: int, anchor: str, axis: str):
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.add_data(Reference(ws, min_col=value_cols[0], max_col=value_cols[1], min_row=6, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.x_axis.title = axis
    chart.height, chart.width = 12, 22
    ws.add_chart(chart, anchor)


def add_voi(wb, v, labels: dict[str, str], command: str, fingerprint: str):
    """EVPI, expected loss of each option, EVPPI of each group and lever (£, ± standard error), ranked, and a chart."""
    ws = _sheet(wb, "Value of information", command, fingerprint,
                ["What is resolved", "Measure", "Key", "Value (£)", "Standard error (£)", "R² of the fit", "Levers"])
    rows = [["Every uncertainty (EVPI)", "EVPI", "all", v.evpi.value, v.evpi.standard_error, None, ""]]
    rows += [[f"Group: {g.label}", "EVPPI", g.key, g.evppi.value, g.evppi.standard_error, g.r_squared, ", ".join(g.levers)]
             for g in v.groups]
    rows += [[p.label, "EVPPI", p.key, p.evppi.value, p.evppi.standard_error, p.r_squared, ""] for p in v.levers]
    last = _rows(ws, rows, money_cols=(4, 5))
    _bar_chart(ws, "What resolving each uncertainty is worth (£)", (4, 4), 7, min(last, 7 + len(v.groups) + 12), "I6",
               "£, present value")
    at = last + 2
    _text(ws, f"A{at}", "Expected opportunity loss of each option (£): what choosing it costs on average against perfect foresight")
    for i, (o, e) in enumerate(v.expected_loss.items(), start=at + 1):
        _text(ws, f"A{i}", labels.get(o, o) + (" (chosen on current information)" if o == v.chosen else ""))
        ws.cell(i, 4).value, ws.cell(i, 5).value = e.value, e.standard_error
        ws.cell(i, 4).number_format = ws.cell(i, 5).number_format = MONEY
    _text(ws, f"A{at + len(v.expected_loss) + 2}", f"{v.draws:,} draws, seed {v.seed}; EVPPI by regression "
          "(Strong, Oakley & Brennan 2014), standard errors by batch means")
    return ws


def add_sobol(wb, s, command: str, fingerprint: str):
    """First-order and total Sobol indices of each output, widest total first, and a chart of the leading gap's."""
    ws = _sheet(wb, "Sobol indices", command, fingerprint,
                ["Factor (lever, or correlated levers)", "Output", "First order", "± (95%)", "Total", "± (95%)", "Levers"])
    rows = []
    for name, o in sorted(s.outputs.items(), key=lambda kv: kv[0] != s.headline):
        for i in sorted(range(len(s.factors)), key=lambda i: -o["total"][i]):
            rows.append([s.labels[i], s.output_labels[name], float(o["first"][i]), float(o["first_conf"][i]),
                         float(o["total"][i]), float(o["total_conf"][i]), ", ".join(s.factors[i])])
    last = _rows(ws, rows)
    if s.headline in s.outputs:
        _bar_chart(ws, f"Sobol indices of {s.output_labels[s.headline]}", (3, 3), 7, min(last, 21), "I6", "share of variance")
    _text(ws, f"A{last + 2}", f"{s.base_samples:,} base samples, {s.runs:,} model runs, seed {s.seed}; "
          "Saltelli (2010) estimators via SALib, 95% bootstrap intervals")
    return ws


def add_discovery(wb, d, sentences: list[str], command: str, fpr: str):
    """The box in which an option is cheapest: each restricted lever's range, with coverage and density."""
    ws = _sheet(wb, f"Where {d.option} wins", command, fpr,
                ["Lever", "Key", "Unit", "Low", "High", "Box from", "Box to"])
    last = _rows(ws, [[r.label, r.key, r.unit, r.low, r.high, r.box_low, r.box_high] for r in d.restrictions])
    at = max(last, 6) + 2
    for i, (name, value) in enumerate([("Share of draws in which it is cheapest", d.wins), ("Coverage", d.coverage),
                                       ("Density", d.density), ("Share of all draws inside the box", d.mass)]):
        _text(ws, f"A{at + i}", name)
        ws.cell(at + i, 4).value = value
        ws.cell(at + i, 4).number_format = "0.0%"
    for i, line in enumerate(sentences, start=at + 5):
        _text(ws, f"A{i}", line)
    if d.trajectory:
        start = at + 5 + len(sentences) + 1
        _text(ws, f"A{start}", "PRIM trajectory").font = Font(bold=True)
        for j, h in enumerate(["Box", "Coverage", "Density", "Levers restricted"], start=1):
            _text(ws, ws.cell(start + 1, j).coordinate, h)
        for i, t in enumerate(d.trajectory, start=start + 2):
            ws.cell(i, 1).value, ws.cell(i, 2).value, ws.cell(i, 3).value = i - start - 2, t["coverage"], t["density"]
            ws.cell(i, 4).value = len(t["restricted"])
        chart = LineChart()
        chart.title = "PRIM: coverage against density along the peeling"
        chart.add_data(Reference(ws, min_col=2, max_col=3, min_row=start + 1, max_row=start + 1 + len(d.trajectory)),
                       titles_from_data=True)
        chart.height, chart.width = 10, 18
        ws.add_chart(chart, "I6")
    return ws
