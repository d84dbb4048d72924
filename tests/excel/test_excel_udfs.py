"""Worksheet functions: they import on Linux (decorators do nothing) and compute on plain 2-D lists."""
from __future__ import annotations

import pytest

from costmodel.comparison import compare
from costmodel.excel import udfs as udf
from costmodel.workbook.build import build_workbook


@pytest.fixture(scope="module")
def inputs(bundled):
    """The Inputs sheet as Excel hands a range to a UDF: a 2-D list, numbers as floats."""
    ws = build_workbook(bundled)["Inputs"]
    return [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row]
            for row in ws.iter_rows(values_only=True)]


def test_pv_npc_and_safe_month_equal_compare(inputs, bundled):
    expected = compare(bundled)["options"]
    for key in ("do_minimum", "trust", "in_house"):
        assert udf.costmodel_pv(key, inputs) == pytest.approx(expected[key]["present_value"], rel=1e-12)
    assert udf.costmodel_npc("trust", inputs) == pytest.approx(
        expected["trust"]["present_value"] - expected["do_minimum"]["present_value"], rel=1e-12)
    assert udf.costmodel_npc("trust", inputs, "in_house") == pytest.approx(expected["trust"]["npc_vs_in_house"], rel=1e-12)
    assert udf.costmodel_safe_month("trust", inputs) == expected["trust"]["safe_service_month"]
    assert udf.costmodel_safe_month("do_minimum", inputs) == "never"  # business as usual never reaches it


def test_overrides_as_ranges_or_single_cells_match_set(inputs, bundled):
    k1, k2 = "options.trust.mobilisation_months", "options.trust.set_up.amount"
    expected = compare(bundled.with_overrides([(k1, 18), (k2, 4_000_000)]))["options"]["trust"]
    got = udf.costmodel_pv("trust", inputs, [[k1], [k2]], [[18.0], [4_000_000.0]])  # a column of keys, of values
    assert got == pytest.approx(expected["present_value"], rel=1e-12)
    assert udf.costmodel_safe_month("trust", inputs, [k1, None], [18.0, None]) == compare(
        bundled.with_overrides([(k1, 18)]))["options"]["trust"]["safe_service_month"]
    one = compare(bundled.with_overrides([(k2, 4_000_000)]))["options"]["trust"]["present_value"]
    assert udf.costmodel_pv("trust", inputs, k2, 4_000_000.0) == pytest.approx(one, rel=1e-12)


def test_problems_come_back_as_one_line_of_text(inputs):
    assert udf.costmodel_pv("trusts", inputs).startswith("Error: option 'trusts': expected one of do_minimum,")
    assert udf.costmodel_pv("trust", inputs, ["a", "b"], [1.0]) == (
        "Error: overrides: 2 keys but 1 values; give one value per key")
    msg = udf.costmodel_npc("trust", inputs, "do_minimum", "options.trust.set_up.amout", 1.0)
    assert msg.startswith("Error:") and "options.trust.set_up.amout" in msg and "unknown lever key" in msg
    assert udf.costmodel_pv("trust", [["nothing here"]]).startswith("Error:")


def test_the_sheet_range_is_the_only_input_so_excel_dependency_tracking_works(inputs, bundled):
    edited = [list(r) for r in inputs]
    r = next(i for i, row in enumerate(edited) if row[0] == "options.trust.set_up.amount")
    edited[r][3:6] = [5e6, 6e6, 7e6]
    expected = compare(bundled.with_overrides([("options.trust.set_up.amount", 6e6)]))["options"]["trust"]
    assert udf.costmodel_pv("trust", edited) == pytest.approx(expected["present_value"], rel=1e-12)
    assert udf.costmodel_pv("trust", inputs) != pytest.approx(expected["present_value"], rel=1e-6)
