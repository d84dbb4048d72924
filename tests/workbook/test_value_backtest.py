"""The back-test value sheet: banner, the held-against table equal to hold_against, no formula from text."""
from __future__ import annotations

import math

from costmodel.evidence.against_model import hold_against
from costmodel.evidence.backtest import run_backtest
from costmodel.workbook.build import build_workbook
from costmodel.workbook.value_backtest import add_backtest


def test_sheet_equals_the_comparison(bundled):
    b = run_backtest(bundled.price_base_year)
    held = hold_against(bundled, b)
    wb = build_workbook(bundled)
    ws = add_backtest(wb, b, held, "costmodel backtest =cmd", bundled.fingerprint())
    assert ws.title == "Values - Back-test" and ws["A3"].data_type == "s"
    for i, (_, r) in enumerate(held.iterrows(), start=7):
        assert ws.cell(i, 1).value == r["topic"] and ws.cell(i, 2).value == r["key"]
        for j, col in ((4, "default"), (8, "median"), (10, "percentile")):
            v = r[col]
            assert (ws.cell(i, j).value is None) if v is None or (isinstance(v, float) and math.isnan(v)) \
                else abs(ws.cell(i, j).value - v) < 1e-9
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in texts)
    assert len(ws._charts) == 1
    add_backtest(wb, b, held, "again", "x")                       # replaced, not duplicated
    assert wb.sheetnames.count("Values - Back-test") == 1
