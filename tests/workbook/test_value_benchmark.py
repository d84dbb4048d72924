"""The benchmark value sheet: on a freshly built workbook, every value equal to the benchmark data, text never a formula."""
import copy

import pytest
from openpyxl import load_workbook

from costmodel.evidence.benchmark import benchmark
from costmodel.workbook.build import build_workbook, save_workbook
from costmodel.workbook.value_benchmark import SHEET, add_benchmark


@pytest.fixture(scope="module")
def data():
    return benchmark("Westminster").to_dict()


def test_sheet_holds_latest_peers_history_and_ofsted(tmp_path, case_base, data):
    wb = build_workbook(case_base)
    add_benchmark(wb, data, "costmodel benchmark --council Westminster", case_base.fingerprint())
    path = save_workbook(wb, tmp_path / "b.xlsx")
    ws = load_workbook(path)[SHEET]
    col_a = {}
    for r in range(ws.max_row, 0, -1):  # first occurrence wins
        if ws.cell(r, 1).value:
            col_a[ws.cell(r, 1).value] = r
    assert ws["A3"].value == "Command: costmodel benchmark --council Westminster"
    assert case_base.fingerprint() in ws["A4"].value and "Open Government Licence" in ws["A6"].value
    for m in data["measures"]:
        r = col_a[m["label"]]  # first occurrence: the latest-year table
        assert [ws.cell(r, c).value for c in (3, 4)] == [m["year"], m["reference"]]
        for c, k in zip((5, 6, 7, 8), ("council", "england", "region", "peer_median")):
            got, want = ws.cell(r, c).value, m[k]
            assert got is None if want is None else got == pytest.approx(want, rel=1e-13), (m["measure"], k)
    caseload = next(m for m in data["measures"] if m["measure"] == "caseload_per_case_holder")
    assert caseload["year"] == 2024  # Westminster's 2025 workforce is 'x'
    names = {ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert {p["name"] for p in data["peers"]["list"]} <= names
    assert "Ofsted inspections (ILACS)" in col_a
    assert len(ws._charts) == len(data["measures"])


def test_text_from_the_data_never_becomes_a_formula(tmp_path, case_base, data):
    d = copy.deepcopy(data)
    d["measures"][0]["label"] = "=HYPERLINK(\"http://x\",\"click\")"
    d["notes"] = ["+1+1", "@SUM(A1)"]
    wb = build_workbook(case_base)
    add_benchmark(wb, d, "-cmd", "fp")
    ws = load_workbook(save_workbook(wb, tmp_path / "t.xlsx"))[SHEET]
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert texts and all(c.data_type == "s" for c in texts)
    assert any(c.value == "=HYPERLINK(\"http://x\",\"click\")" for c in texts)
