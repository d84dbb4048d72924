"""A second, independent engine: the ``formulas`` package recalculates the built workbook from its formulas alone
(the cached values are not read) and equals the Python engine to 1e-9 on every named output — for the bundled
assumptions, every bundled scenario and the low and high cases. The book is loaded once (a few minutes:
``formulas`` is a pure-Python evaluator); each scenario then changes only the input cells it moves.
"""
from __future__ import annotations

import math

import numpy as np
import openpyxl
import pytest

from costmodel.appraisal import appraise
from costmodel.engine import run
from costmodel.workbook.build import build_workbook, save_workbook

formulas = pytest.importorskip("formulas")
pytestmark = [pytest.mark.slow, pytest.mark.second_engine]
RTOL, ATOL = 1e-9, 1e-6
OUTPUTS = ("pv", "npc_vs_do_minimum", "npc_vs_in_house", "safe_service_month", "payback_year", "equivalent_annual_cost",
           "pv_council", "pv_central_government")


@pytest.fixture(scope="module")
def model(bundled, tmp_path_factory):
    path = save_workbook(build_workbook(bundled), tmp_path_factory.mktemp("second") / "book.xlsx")
    xl = formulas.ExcelModel().loads(str(path)).finish()
    return path, xl


def cell_id(book: str, sheet: str, coord: str) -> str:
    return f"'[{book}]{sheet.upper()}'!{coord}"


def inputs_moved(base_path, a) -> dict:
    """The Inputs cells whose typed value differs between the bundled book and the book of ``a``."""
    base = openpyxl.load_workbook(base_path)["Inputs"]
    other = build_workbook(a)["Inputs"]
    moved = {}
    for row in other.iter_rows(min_col=4, max_col=8):
        for c in row:
            if c.data_type != "f" and c.value != base[c.coordinate].value:
                moved[c.coordinate] = c.value
    return moved


def named(xl_solution, wb, book: str, name: str):
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    value = xl_solution[cell_id(book, sheet, ref.replace("$", ""))].value[0][0]
    return value.item() if isinstance(value, np.generic) else value


def check_outputs(solution, wb, book, a, which="central") -> int:
    v = a.values(which)
    ap = appraise(run(a, v), v)
    expected = {"pv": ap.present_value, "npc_vs_do_minimum": ap.npc_vs_do_minimum, "npc_vs_in_house": ap.npc_vs_in_house,
                "safe_service_month": ap.safe_service_month, "payback_year": ap.payback_year_vs_do_minimum,
                "equivalent_annual_cost": ap.equivalent_annual_cost,
                "pv_council": ap.present_value_by_payer[..., 0], "pv_central_government": ap.present_value_by_payer[..., 1]}
    n = 0
    for i, k in enumerate(a.option_keys):
        for out in OUTPUTS:
            want, got = float(expected[out][0, i]), named(solution, wb, book, f"{out}_{k}")
            if math.isnan(want):
                assert got in ("none", "never", "n/a"), f"{out}_{k}: expected none, got {got!r}"
            else:
                assert isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=RTOL, abs_tol=ATOL), \
                    f"{out}_{k}: formulas {got!r} != engine {want!r}"
            n += 1
    assert named(solution, wb, book, "master_check") is True
    return n


def test_second_engine_equals_the_engine_on_every_named_output(model, bundled):
    path, xl = model
    wb = openpyxl.load_workbook(path)
    book = path.name  # formulas keeps the file name as it is and upper-cases sheet names
    assert check_outputs(xl.calculate(), wb, book, bundled) == 8 * len(bundled.options)
    for name in bundled.scenarios:
        a = bundled.with_scenario(name)
        moved = {cell_id(book, "Inputs", c): v for c, v in inputs_moved(path, a).items()}
        assert moved, f"scenario {name} moves no input cell"
        check_outputs(xl.calculate(inputs=moved), wb, book, a)
    for which in ("low", "high"):
        check_outputs(xl.calculate(inputs={cell_id(book, "Inputs", "C3"): which}), wb, book, bundled, which)
