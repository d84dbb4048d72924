"""The RunPython entry points against the fake Excel boundary, checked against ``costmodel.comparison.compare``.

The book is the real generated .xlsm (``costmodel excel workbook``), loaded into the fake; results are
compared with the engine run on the same assumptions by the YAML route, an independent path.
"""
from __future__ import annotations

import datetime as dt
import math

import openpyxl
import pytest

from costmodel.errors import ToolError
from click.testing import CliRunner

import costmodel.cli as cli
from costmodel.comparison import compare
from costmodel.excel import app as excel_app, jobs as excel_logic
from test_excel_fake import FakeBook

NOW = dt.datetime(2025, 6, 30, 9, 15, 0)
HEADER = excel_logic.RUN_INFO_ROWS + 1  # row of the table header on a result sheet


@pytest.fixture(scope="session")
def xlsm(tmp_path_factory):
    path = tmp_path_factory.mktemp("excel") / "costmodel_book.xlsm"
    result = CliRunner().invoke(cli.main, ["excel", "workbook", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def loaded(xlsm):
    return openpyxl.load_workbook(xlsm, keep_vba=True)


@pytest.fixture
def book(loaded, xlsm):
    return FakeBook.from_openpyxl(loaded, name=xlsm.name)  # a fresh fake per test; the workbook is only read


def lever_row(sheet, key: str) -> int:
    for (r, c), v in sheet.cells.items():
        if c == 1 and v == key:
            return r
    raise KeyError(key)


def set_lever(book, key, low, central, high):
    sheet = book.sheets["Inputs"]
    r = lever_row(sheet, key)
    sheet.range((r, 4)).value = [[low, central, high]]


def run_cell(book, label):
    for (r, c), v in book.sheets["Run"].cells.items():
        if c == 1 and v == label:
            return book.sheets["Run"].cells.get((r, 2))
    raise KeyError(label)


def test_compare_writes_the_engine_numbers_in_one_write_with_calculation_manual(book, bundled, xlsm):
    block = excel_app.run_entry("compare", book, NOW)
    assert block is not None, run_cell(book, "Last run")
    expected = compare(bundled)
    sheet = book.sheets["Compare results"]
    grid = sheet.grid()
    assert grid[0][0].startswith("Compare: cost of each option")
    assert grid[1][:2] == ["Run at", "2025-06-30 09:15:00"]
    assert grid[2][:2] == ["Seed", "not used"]
    # the fingerprint of what the book holds (the saved .xlsm rounds 52.142857142857146 weeks at the 16th digit)
    from costmodel.workbook.read import read_workbook
    assert grid[3][:2] == ["Assumptions fingerprint", read_workbook(xlsm, bundled).fingerprint()]
    keys = list(expected["options"])
    assert grid[HEADER - 1][:2 + len(keys)] == ["Metric", "Unit", *[expected["options"][k]["label"] for k in keys]]
    by_label = {row[0]: row for row in grid if row and row[0]}
    for label, field in [("Present value", "present_value"), ("NPC vs business as usual", "npc_vs_do_minimum"),
                         ("Equivalent annual cost", "equivalent_annual_cost")]:
        for j, k in enumerate(keys):
            assert by_label[label][2 + j] == pytest.approx(expected["options"][k][field], rel=1e-9), (label, k)
    assert by_label["Option key"][2:2 + len(keys)] == keys
    assert by_label["Lowest present value"][2] == expected["options"][expected["cheapest_option"]]["label"]
    for j, k in enumerate(keys):
        safe = expected["options"][k]["safe_service_month"]
        assert by_label["Safe core service (month)"][2 + j] == safe  # None (never) is an empty cell
        for t, fy in enumerate(expected["financial_years"]):
            assert by_label[fy][1] == t
            assert by_label[fy][2 + j] == pytest.approx(expected["options"][k]["annual"][t]["total"], rel=1e-9)
    # one whole-range write, with calculation manual and screen updating off; both restored afterwards
    assert [w["shape"] for w in sheet.writes] == [(len(grid), len(grid[0]))]
    assert all(w["calculation"] == "manual" and w["screen_updating"] is False for w in sheet.writes)
    assert (book.app.calculation, book.app.screen_updating) == ("automatic", True)
    # one bulk read of Inputs
    assert len(book.sheets["Inputs"].reads) == 1
    # a native chart of present value by option: option labels (header) and the PV row, option columns
    (chart,) = sheet.charts
    assert chart.source == (HEADER, 3, HEADER + 1, 2 + len(keys))
    assert grid[HEADER][0] == "Present value"
    assert chart.chart_type == "column_clustered"
    assert sheet.formats[(HEADER + 1, 3, HEADER + 1, 2 + len(keys))] == "#,##0"
    assert run_cell(book, "Last run").startswith("OK: compare written to 'Compare results'")
    assert book.app.alerts == []
    assert "Compare results (new)" not in book.sheet_names()


def test_compare_follows_an_edited_input_and_replaces_the_old_sheet(book, bundled):
    excel_app.run_entry("compare", book, NOW)
    key = "options.trust.set_up.amount"
    set_lever(book, key, 5_000_000, 6_000_000, 7_000_000)
    excel_app.compare(book)
    expected = compare(bundled.with_overrides([(key, 6_000_000)]))
    assert book.sheet_names().count("Compare results") == 1
    grid = book.sheets["Compare results"].grid()
    pv = next(row for row in grid if row[0] == "Present value")
    trust = list(expected["options"]).index("trust")
    assert pv[2 + trust] == pytest.approx(expected["options"]["trust"]["present_value"], rel=1e-9)
    assert pv[2 + trust] != pytest.approx(compare(bundled)["options"]["trust"]["present_value"], rel=1e-6)


def test_an_error_mid_write_restores_excel_keeps_old_results_and_reports(book):
    excel_app.run_entry("compare", book, NOW)
    before = book.sheets["Compare results"].grid()
    set_lever(book, "options.trust.set_up.amount", 5_000_000, 6_000_000, 7_000_000)
    book.app.fail_on.add("charts.add")  # Excel fails after the values were written to the new sheet
    assert excel_app.compare(book) is None
    assert (book.app.calculation, book.app.screen_updating) == ("automatic", True)
    assert book.sheets["Compare results"].grid() == before  # the old results, untouched
    assert not any(n.endswith("(new)") for n in book.sheet_names())  # the half-written sheet is gone
    message = run_cell(book, "Last run")
    assert message == "Error: unexpected FakeError: simulated Excel failure in charts.add"
    assert book.app.alerts == [{"prompt": message, "title": "costmodel", "mode": "critical"}]


def test_calculation_mode_the_user_had_is_restored_not_forced(book):
    book.app.calculation = "semiautomatic"
    book.app.screen_updating = False
    excel_app.run_entry("compare", book, NOW)
    assert (book.app.calculation, book.app.screen_updating) == ("semiautomatic", False)


def test_bad_input_cell_is_named_and_nothing_is_written(book):
    r = lever_row(book.sheets["Inputs"], "baseline.legacy_placements.count")
    book.sheets["Inputs"].range((r, 5)).value = "lots"
    assert excel_app.compare(book) is None
    message = run_cell(book, "Last run")
    assert message == (f"Error: Inputs!E{r}: baseline.legacy_placements.count: central: expected a number in "
                       "children, got 'lots'")
    assert "Compare results" not in book.sheet_names()
    assert (book.app.calculation, book.app.screen_updating) == ("automatic", True)
    assert len(book.app.alerts) == 1


def test_bad_run_setting_names_its_cell(book):
    book.sheets["Run"].range("B5").value = "many"
    assert excel_app.main(book) is None
    assert run_cell(book, "Last run") == (
        "Error: Run!B5: Monte Carlo samples must be a whole number from 1 to 200000, got 'many'")


def test_main_runs_the_action_chosen_on_the_run_sheet(book):
    book.sheets["Run"].range("B4").value = "read_inputs"
    block = excel_app.main(book)
    assert block.sheet == "Inputs check" and "Inputs check" in book.sheet_names()


def test_read_inputs_lists_the_levers_that_differ_from_the_base(book, bundled):
    set_lever(book, "baseline.legacy_placements.weekly_cost", 5000, 6000, 9000)
    excel_app.read_inputs(book)
    grid = book.sheets["Inputs check"].grid()
    by_label = {row[0]: row for row in grid if row and row[0]}
    assert by_label["Levers read"][1] == len(bundled.levers)
    row = by_label["baseline.legacy_placements.weekly_cost"]
    old = bundled.levers["baseline.legacy_placements.weekly_cost"]
    assert row[2:9] == ["GBP/week", old.low, old.central, old.high, 5000, 6000, 9000]
    changed = [r[0] for r in grid[grid.index(by_label["Key"]) + 1:]]
    assert changed == ["baseline.legacy_placements.weekly_cost"]
    assert run_cell(book, "Last run").startswith("OK: Inputs read")


def test_a_book_without_inputs_or_run_sheet_gets_a_message_not_a_traceback():
    book = FakeBook("empty.xlsm")
    book.sheets.add("Sheet1")
    assert excel_app.compare(book) is None
    assert run_cell(book, "Last run") == ("Error: this book has no Inputs sheet: make one with "
                                          "'costmodel excel workbook'")


def test_without_a_book_and_without_excel_the_message_says_what_is_needed(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "xlwings", None)
    with pytest.raises(ToolError, match="needs Microsoft Excel on Windows or macOS"):
        excel_app.compare()


def test_cell_values_never_start_a_formula_and_nan_is_blank():
    assert excel_logic.cell_value("=1+1") == "'=1+1"
    assert excel_logic.cell_value(math.nan) is None
    assert excel_logic.rectangular([[1], [1, 2, 3]]) == [[1, None, None], [1, 2, 3]]


# --- Monte Carlo, tornado, switching: the same numbers as the sensitivity functions -----------------
def test_montecarlo_uses_the_seed_and_samples_from_the_run_sheet(book, bundled):
    from costmodel.montecarlo import montecarlo, plan
    book.sheets["Run"].range("B4").value = [["montecarlo"], [500], [12345]]
    block = excel_app.main(book)
    assert block is not None, run_cell(book, "Last run")
    expected = montecarlo(plan(bundled, 500, 12345))
    grid = book.sheets["Monte Carlo results"].grid()
    assert grid[2][:2] == ["Seed", 12345]
    assert grid[HEADER - 1][:4] == ["Option", "PV P5", "PV P50", "PV P95"]
    rows = {row[-1]: row for row in grid[HEADER:HEADER + len(expected.options)]}
    assert set(rows) == set(expected.options)
    for key in expected.options:
        s = expected.summary[key]
        assert rows[key][0] == bundled.option(key).label
        assert rows[key][1:5] == pytest.approx([s["present_value"][q] for q in ("p5", "p50", "p95", "mean")], rel=1e-9)
        assert rows[key][5:9] == pytest.approx([s["npc_vs_do_minimum"][q] for q in ("p5", "p50", "p95", "mean")],
                                               rel=1e-9, abs=1e-3)
        assert rows[key][9] == pytest.approx(s["probability_cheapest"])
    assert rows["do_minimum"][10] is None  # P(NPC < 0) against itself is not a number
    # and the same as `costmodel montecarlo` for the same draws and seed
    import json
    out = CliRunner().invoke(cli.main, ["montecarlo", "--draws", "500", "--seed", "12345", "--format", "json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)["summary"]
    for key in expected.options:
        assert rows[key][2] == pytest.approx(summary[key]["present_value"]["p50"], rel=1e-12)
        assert rows[key][9] == pytest.approx(summary[key]["probability_cheapest"], rel=1e-12)
    (chart,) = book.sheets["Monte Carlo results"].charts
    assert chart.source == (HEADER, 1, HEADER + len(expected.options), 4)
    # same seed, same sheet; another seed, other numbers
    first = [row[:] for row in grid]
    excel_app.main(book)
    again = book.sheets["Monte Carlo results"].grid()
    assert again[HEADER:] == first[HEADER:]
    book.sheets["Run"].range("B6").value = 54321
    excel_app.main(book)
    assert book.sheets["Monte Carlo results"].grid()[HEADER][2] != first[HEADER][2]


def test_tornado_matches_the_sensitivity_function(book, bundled):
    from costmodel.sensitivity import tornado
    book.sheets["Run"].range("B7").value = [["trust"], ["do_minimum"]]
    assert excel_app.tornado(book) is not None, run_cell(book, "Last run")
    expected = tornado(bundled, "trust", "do_minimum")
    grid = book.sheets["Tornado results"].grid()
    assert grid[HEADER - 1][:2] == ["Central net present cost", pytest.approx(expected.central_npc, rel=1e-9)]
    head = next(i for i, row in enumerate(grid) if row[0] == "Lever")
    body = grid[head + 1:head + 1 + len(expected.bars)]
    assert [row[4] for row in body] == [b.key for b in expected.bars]
    for row, b in zip(body, expected.bars):
        assert row[1:4] == pytest.approx([b.npc_at_low, b.npc_at_high, b.swing], rel=1e-9)
        assert row[6:8] == [b.low, b.high]
    (chart,) = book.sheets["Tornado results"].charts
    assert chart.source == (head + 1, 1, head + 16, 3) and chart.chart_type == "bar_clustered"


def test_switching_matches_the_sensitivity_function(book, bundled):
    from costmodel.sensitivity import switching_levers, switching_value
    assert excel_app.switching(book) is not None, run_cell(book, "Last run")  # trust vs in_house (defaults)
    keys = switching_levers(bundled, "trust", "in_house")
    grid = book.sheets["Switching results"].grid()
    body = {row[1]: row for row in grid[HEADER:]}
    assert list(body) == keys
    found = 0
    for key in keys:
        s = switching_value(bundled, key, "trust", "in_house")
        if s.values:
            found += 1
            assert body[key][6] == pytest.approx(s.values[0], rel=1e-9)
            assert body[key][7] == ("yes" if s.inside_plausible[0] else "no")
        else:
            assert body[key][6] == "none in the searched range"
    assert found >= 1


def test_switching_option_not_in_the_book_names_the_cell(book):
    book.sheets["Run"].range("B7").value = "trusts"
    assert excel_app.switching(book) is None
    assert run_cell(book, "Last run") == ("Error: Run!B7: Switching option must be one of do_minimum, in_house, "
                                          "executive_leadership, trust, got 'trusts'")


def test_compare_says_when_the_book_shows_another_case(book):
    book.sheets["Inputs"].range("C3").value = "high"
    excel_app.compare(book)
    assert run_cell(book, "Last run").endswith(
        "note: Inputs!C3 selects the high case for the book's formulas, these results use the central values")
