"""The back-test as a VALUE sheet (``Values - Back-test``) in the live workbook.

Same banner as the other value sheets (values computed by costmodel, not formulas; the command and the
assumptions' fingerprint), then four blocks: the assumptions held against the outturn, the extra spend of
each council that improved, the Kaplan-Meier table, and the paths relative to England; a native bar chart
of the extra safeguarding spend by council. Text from data never starts a formula.
"""
from __future__ import annotations

import math

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from .value_sheets import MONEY, _rows, _sheet, _text

PERCENT = "0.0%"


def _clean(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


def _block(ws, top: int, title: str, headers: list[str], rows: list[list], formats: dict[int, str]) -> int:
    """A titled table from row ``top``; returns the first free row after it."""
    _text(ws, f"A{top}", title).font = Font(bold=True, size=12)
    for j, h in enumerate(headers, start=1):
        _text(ws, ws.cell(top + 1, j).coordinate, h).font = Font(bold=True)
    for i, row in enumerate(rows, start=top + 2):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(i, j)
            if isinstance(value, str):
                _text(ws, cell.coordinate, value)
            else:
                cell.value = _clean(value)
            if j in formats:
                cell.number_format = formats[j]
    return top + 2 + len(rows) + 1


def _fy(spend_year: int) -> str:
    return f"{spend_year - 1}-{spend_year % 100:02d}"


def _held_rows(held) -> list[list]:
    return [[_clean(v) for v in row] for row in _held_values(held)]


def _held_values(held) -> list[list]:
    return [[r["topic"], r["key"], r["unit"], r["default"], r["observed"], r["councils"], r["p25"], r["median"], r["p75"],
             r["percentile"], "" if r["within_iqr"] not in (True, False) else ("yes" if r["within_iqr"] else "no"), r["note"]]
            for _, r in held.iterrows()]


def add_backtest(wb, b, held, command: str, fingerprint: str):
    """Add (or replace) the back-test value sheet; returns it."""
    ws = _sheet(wb, "Back-test", command, fingerprint,
                ["Assumption", "Key", "Unit", "Default (central)", "Observed", "Councils", "P25", "Median", "P75",
                 "Percentile", "Within middle half", "Note"])
    last = _rows(ws, _held_rows(held))
    s = b.spend[b.spend.comparator == "england"].pivot_table(index=["la_code", "la_name"], columns="line", values="extra")
    meta = b.spend[(b.spend.comparator == "england") & (b.spend.line == "safeguarding")].set_index("la_code")
    spend_rows = [[name, f"{_fy(meta.window_start[code])} to {_fy(meta.window_end[code])}", meta.extra_per_child_in_need[code],
                   meta.extra_share[code], meta.lasting_step[code], meta.placebo_median[code],
                   *[r.get(line) for line in ("safeguarding", "looked_after", "family_support", "childrens_social_care")]]
                  for (code, name), r in s.iterrows()]
    top = last + 2
    spend_top = top + 1
    top = _block(ws, top, f"Extra spend against England, GBP at {b.price_base_year}-{(b.price_base_year + 1) % 100:02d} prices",
                 ["Council", "Window", "Safeguarding per child in need", "Safeguarding, % of counterfactual",
                  "Lasting step", "Placebo median", "Safeguarding", "Looked after", "Family support",
                  "Children's social care"], spend_rows,
                 {3: MONEY, 4: PERCENT, 5: PERCENT, 6: PERCENT, 7: MONEY, 8: MONEY, 9: MONEY, 10: MONEY})
    km = b.survival
    top = _block(ws, top, "Time to an improved judgement (Kaplan-Meier; censored councils counted)",
                 ["Months", "Waiting", "Improved", "Share improved", "Std error"],
                 [[float(t), float(n), float(d), 1 - float(sv), float(se)] for t, n, d, sv, se in
                  zip(km.times, km.at_risk, km.events, km.survival, km.std_error)], {4: PERCENT, 5: PERCENT})
    p = b.path_summary
    _block(ws, top, "Paths of the councils that improved, relative to England (median), by years from the judgement",
           ["Measure", "Years from judgement", "Councils", "Median", "England", "Relative P25", "Relative median",
            "Relative P75", "Relative as"],
           [[r.label, int(r.k), int(r.councils), r.value_median, r.england, r.relative_p25, r.relative_median,
             r.relative_p75, r.relative_as] for r in p.itertuples()], {})
    if spend_rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Extra safeguarding spend against England (£)"
        chart.add_data(Reference(ws, min_col=7, min_row=spend_top, max_row=spend_top + len(spend_rows)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=spend_top + 1, max_row=spend_top + len(spend_rows)))
        chart.height, chart.width = 10, 18
        ws.add_chart(chart, "N6")
    return ws
