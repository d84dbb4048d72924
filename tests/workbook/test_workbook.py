"""The workbook without a spreadsheet engine: layout, names, FAST rules, safety, read-back, CLI, staleness."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter, range_boundaries

from costmodel.errors import AssumptionError
from costmodel.cli import main
from costmodel.files.assumption_folder import to_trees
from costmodel.errors import OutputError
from costmodel.workbook.build import COVER_DATE_CELL, build_workbook, save_workbook
from costmodel.workbook.layout import input_keys
from costmodel.workbook.read import assumptions_from_inputs_rows, read_workbook
from costmodel.levers import defined_name

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "workbooks" / "costmodel.xlsx"


@pytest.fixture(scope="module")
def book(bundled, tmp_path_factory):
    """The bundled workbook as written to disk and loaded back (formulas, not values)."""
    path = save_workbook(build_workbook(bundled), tmp_path_factory.mktemp("wb") / "book.xlsx")
    return path, openpyxl.load_workbook(path)


def rows_of(wb):
    return [list(r) for r in wb["Inputs"].iter_rows(values_only=True)]


def lever_row(wb, key):
    ws = wb["Inputs"]
    return next(r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == key)


def test_sheets_and_defined_names(book, bundled):
    _, wb = book
    assert wb.sheetnames == ["Cover", "Inputs", "Lookups", "Timeline", "Calculations", "Annual", "Summary", "Checks",
                             "Sources"]
    for key in bundled.levers:
        [(sheet, ref)] = list(wb.defined_names[defined_name(key)].destinations)
        assert sheet == "Inputs" and wb["Inputs"][f"A{ref.split('$')[-1]}"].value == key
        assert ref.startswith("$G$")
    for k in bundled.option_keys:
        for name in ("pv", "npc_vs_do_minimum", "npc_vs_in_house", "safe_service_month", "payback_year"):
            [(sheet, _)] = list(wb.defined_names[f"{name}_{k}"].destinations)
            assert sheet == "Summary"
    assert "master_check" in wb.defined_names and "case_selector" in wb.defined_names


def formulas(ws):
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f":
                yield c


def test_formulas_read_names_not_typed_addresses_or_numbers(book):
    _, wb = book
    for sheet in ("Timeline", "Calculations"):
        for cell in formulas(wb[sheet]):
            assert "Inputs!" not in cell.value, f"{sheet}!{cell.coordinate} reads an input by address"
            # 0 and 1 only, and the 2 digits of RIGHT() in a year label: 12 is the named months_per_year
            numbers = {t.value for t in Tokenizer(cell.value).items
                       if t.type == Token.OPERAND and t.subtype == Token.NUMBER}
            assert numbers <= {"0", "1", "2"}, f"{sheet}!{cell.coordinate} embeds {numbers}"


def test_one_formula_per_row_copied_across(book, bundled):
    _, wb = book
    for sheet in ("Timeline", "Calculations"):
        ws = wb[sheet]
        rows = 0
        for r in range(8, ws.max_row + 1):
            first = ws[f"H{r}"].value
            if not (isinstance(first, str) and first.startswith("=")):
                continue
            rows += 1
            for col in ("I", "Q", "AB", openpyxl.utils.get_column_letter(7 + bundled.months)):
                assert ws[f"{col}{r}"].value == Translator(first, origin=f"H{r}").translate_formula(f"{col}{r}"), \
                    f"{sheet} row {r} column {col} differs from column H"
            assert ws[f"F{r}"].value.startswith("=SUM(")  # a total column
            assert ws[f"D{r}"].value  # a units column
        assert rows > 40


def test_inputs_styled_unlocked_validated_and_protected(book, bundled):
    _, wb = book
    ws = wb["Inputs"]
    assert all(wb[s].protection.sheet for s in wb.sheetnames)
    assert ws.protection.password is None
    covered = set()
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            c1, r1, c2, r2 = range_boundaries(rng.coord)
            covered |= {f"{get_column_letter(c)}{r}" for c in range(c1, c2 + 1) for r in range(r1, r2 + 1)}
    r = lever_row(wb, "options.trust.set_up.amount")
    for col in "DEF":
        cell = ws[f"{col}{r}"]
        assert cell.style == "Input" and cell.protection.locked is False and cell.coordinate in covered
    assert ws[f"G{r}"].protection.locked is True
    dv = next(d for d in ws.data_validations.dataValidation if f"D{lever_row(wb, 'appraisal.discount_rate')}" in d.sqref)
    assert (dv.type, float(dv.formula1), float(dv.formula2)) == ("decimal", 0.0, 1.0)
    assert "C3" in covered and ws["C3"].value == "central"
    assert sum(1 for r in ws.iter_rows(values_only=True) if r[0] in bundled.levers) == len(bundled.levers)


def test_user_text_never_becomes_a_formula_and_is_cleaned(bundled, tmp_path):
    evil = "=HYPERLINK(\"http://x\",\"click\")"
    opts = tuple(o._replace(label=evil, description="+cmd|' /C calc'!A0") if o.key == "trust" else o
                 for o in bundled.options)
    key = "options.trust.set_up.amount"
    levers = dict(bundled.levers)
    levers[key] = dataclasses.replace(levers[key], note="bell\x07 and\x00 nul", reasoning="x" * 40_000)
    a = dataclasses.replace(bundled, options=opts, levers=levers)
    wb = openpyxl.load_workbook(save_workbook(build_workbook(a), tmp_path / "evil.xlsx"))
    ws = wb["Inputs"]
    r = next(r for r in range(1, 20) if ws[f"A{r}"].value == "trust")
    assert ws[f"B{r}"].value == evil and ws[f"B{r}"].data_type == "s" and ws[f"B{r}"].quotePrefix
    assert ws[f"D{r}"].data_type == "s"
    r = lever_row(wb, key)
    assert ws[f"L{r}"].value == "bell and nul"
    assert len(ws[f"K{r}"].value) == 32_767
    for sheet in wb.worksheets:
        for cell in formulas(sheet):
            assert "HYPERLINK" not in cell.value


def test_save_refuses_overwrite_lock_file_and_missing_folder(bundled, tmp_path):
    wb = build_workbook(bundled)
    path = save_workbook(wb, tmp_path / "a.xlsx")
    with pytest.raises(OutputError, match="already exists: use --force"):
        save_workbook(wb, path)
    save_workbook(wb, path, force=True)
    (tmp_path / "~$a.xlsx").write_text("lock")
    with pytest.raises(OutputError, match="open in Excel"):
        save_workbook(wb, path, force=True)
    with pytest.raises(OutputError, match="does not exist"):
        save_workbook(wb, tmp_path / "nope" / "b.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "~$a.xlsx"]  # no temporary files left


def test_build_edit_read_build_is_lossless(bundled, book, tmp_path):
    path, _ = book
    back = read_workbook(path, bundled)
    assert back.fingerprint() == bundled.fingerprint()
    assert to_trees(back) == to_trees(bundled)
    for key, lever in bundled.levers.items():
        got = back.levers[key]
        assert (got.label, got.reasoning, got.note, got.basis, got.source, got.is_default) == \
            (lever.label, lever.reasoning, lever.note, lever.basis, lever.source, lever.is_default), key
    again = save_workbook(build_workbook(back), tmp_path / "again.xlsx")
    assert content(again) == content(path)


def test_an_edited_value_and_label_are_read_back(bundled, book):
    _, wb = book
    rows = rows_of(wb)
    r = lever_row(wb, "options.trust.set_up.amount")
    rows[r - 1][3:6] = [2_000_000, 3_200_000, 5_000_000]
    rows[r - 1][1] = "Set-up, council estimate"
    o = next(i for i, row in enumerate(rows) if row[0] == "trust")
    rows[o][1] = "A trust (revised)"
    a = assumptions_from_inputs_rows(rows, bundled)
    lever = a.levers["options.trust.set_up.amount"]
    assert (lever.low, lever.central, lever.high, lever.label) == (2e6, 3.2e6, 5e6, "Set-up, council estimate")
    assert a.option("trust").label == "A trust (revised)"
    d = lever_row(wb, "options.in_house.efficiency.rate")  # a catalogue default, now changed
    rows[d - 1][3:6] = [0.01, 0.01, 0.01]
    a = assumptions_from_inputs_rows(rows, bundled)
    assert a.levers["options.in_house.efficiency.rate"].central == 0.01
    assert a.levers["options.in_house.efficiency.rate"].basis == "judgement"


@pytest.mark.parametrize("edit, message", [
    ("text", r"Inputs!E{r}: options\.trust\.set_up\.amount: central: expected a number in GBP, got 'three million'"),
    ("range", r"Inputs!F{f}: appraisal\.discount_rate: high: 3\.5 is above the maximum 1 fraction/yr .*0\.035, not 3\.5"),
    ("order", r"Inputs!A{r}: options\.trust\.set_up\.start_month: expected options\.trust\.set_up\.amount here"),
    ("delete", r"Inputs!A{r}: options\.trust\.set_up\.start_month: expected options\.trust\.set_up\.amount here: "
               r"a row was deleted"),
    ("unknown", r"Inputs!A{r}: options\.trust\.setup\.amount: unknown lever key \(did you mean options\.trust\.set_up\.amount\?\)"),
    ("low_high", r"Inputs!E{r}: options\.trust\.set_up\.amount: expected low <= central <= high"),
])
def test_bad_edits_name_the_cell_the_key_and_what_was_expected(bundled, book, edit, message):
    _, wb = book
    rows = rows_of(wb)
    r = lever_row(wb, "options.trust.set_up.amount")
    f = lever_row(wb, "appraisal.discount_rate")
    if edit == "text":
        rows[r - 1][4] = "three million"
    elif edit == "range":
        rows[f - 1][5] = 3.5
    elif edit == "order":
        rows[r - 1], rows[r] = rows[r], rows[r - 1]
    elif edit == "delete":
        del rows[r - 1]
    elif edit == "unknown":
        rows[r - 1][0] = "options.trust.setup.amount"
    elif edit == "low_high":
        rows[r - 1][3] = 9_000_000
    with pytest.raises(AssumptionError, match=message.format(r=r, f=f)):
        assumptions_from_inputs_rows(rows, bundled)


def test_cli_build_read_and_refusals(tmp_path, bundled):
    runner = CliRunner()
    out = tmp_path / "b.xlsx"
    res = runner.invoke(main, ["workbook", "build", "--output", str(out), "--set", "options.trust.set_up.amount=4000000"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["workbook", "build", "--output", str(out)])
    assert res.exit_code == 2 and "already exists: use --force" in res.output
    (tmp_path / "~$b.xlsx").write_text("")
    res = runner.invoke(main, ["workbook", "build", "--output", str(out), "--force"])
    assert res.exit_code == 2 and "open in Excel" in res.output
    res = runner.invoke(main, ["workbook", "read", str(out), "--output", str(tmp_path / "back")])
    assert res.exit_code == 0, res.output
    from costmodel.files.assumption_folder import load_folder
    back = load_folder(tmp_path / "back")
    assert back.central("options.trust.set_up.amount") == 4_000_000
    assert back.sources == bundled.sources and back.scenarios.keys() == bundled.scenarios.keys()
    wb = openpyxl.load_workbook(out)
    wb["Inputs"][f"E{lever_row(wb, 'journey.diagnosis_months')}"] = "six"
    wb.save(tmp_path / "bad.xlsx")
    res = runner.invoke(main, ["workbook", "read", str(tmp_path / "bad.xlsx")])
    assert res.exit_code == 2
    assert f"Inputs!E{lever_row(wb, 'journey.diagnosis_months')}: journey.diagnosis_months: central: expected a number" \
        in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["workbook", "read", str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 2 and "no such workbook" in res.output
    (tmp_path / "junk.xlsx").write_text("not a zip")
    res = runner.invoke(main, ["workbook", "read", str(tmp_path / "junk.xlsx")])
    assert res.exit_code == 2 and "cannot read as an .xlsx workbook" in res.output


def test_recalc_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch, book):
    monkeypatch.setenv("COSTMODEL_SOFFICE", str(tmp_path / "no-soffice"))
    res = CliRunner().invoke(main, ["workbook", "recalc", str(book[0]), "--output", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 2 and "not an executable soffice" in res.output


def test_defusedxml_protects_openpyxl():
    import defusedxml  # noqa: F401
    from openpyxl.xml import DEFUSEDXML
    assert DEFUSEDXML is True


def content(path) -> dict:
    """Every cell value (formulas as text) and defined name, without the build date on Cover."""
    wb = openpyxl.load_workbook(path)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and not (ws.title == "Cover" and c.coordinate == COVER_DATE_CELL):
                    cells[(ws.title, c.coordinate)] = c.value
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    return {"cells": cells, "names": names}


def test_committed_workbook_is_not_stale(bundled, tmp_path):
    """Regenerate with: costmodel workbook build --output workbooks/costmodel.xlsx --force"""
    assert COMMITTED.exists(), "run: costmodel workbook build --output workbooks/costmodel.xlsx --force"
    fresh = save_workbook(build_workbook(bundled), tmp_path / "fresh.xlsx")
    old, new = content(COMMITTED), content(fresh)
    stale = [k for k in set(old["cells"]) | set(new["cells"]) if old["cells"].get(k) != new["cells"].get(k)]
    assert not stale and old["names"] == new["names"], (
        f"workbooks/costmodel.xlsx is stale ({len(stale)} cells differ, e.g. {sorted(stale)[:3]}): run "
        "costmodel workbook build --output workbooks/costmodel.xlsx --force")


def test_input_keys_cover_every_lever_once(bundled):
    keys = input_keys(bundled)
    assert sorted(keys) == sorted(bundled.levers) and len(set(keys)) == len(keys)
    assert re.fullmatch(r"[a-z0-9_]+", defined_name(keys[-1]))


def test_rows_as_excel_gives_them_read_back_the_same(bundled, book):
    """xlwings' used_range.value gives every number as a float: the read-back must not care."""
    _, wb = book
    rows = [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in row] for row in rows_of(wb)]
    assert assumptions_from_inputs_rows(rows, bundled).fingerprint() == bundled.fingerprint()


#: Excel 2010's functions that a reviewer can read and any engine computes (no volatile OFFSET, INDIRECT, NOW,
#: TODAY, RAND): every function in the book must be one of these, and one the cached-value evaluator knows.
EXCEL_2010 = {"ABS", "AND", "COUNT", "COUNTIF", "IF", "IFERROR", "INDEX", "INT", "ISNUMBER", "MATCH", "MAX", "MIN",
              "OR", "RIGHT", "SUM", "SUMIF", "SUMPRODUCT"}
WHOLE_LINE = re.compile(r"(?<![A-Za-z0-9_])\$?[A-Z]{1,3}:\$?[A-Z]{1,3}(?![0-9])|(?<![A-Za-z0-9_$])\$?[0-9]+:\$?[0-9]+")


def test_every_formula_is_short_plain_and_in_excel_2010(book, bundled, tmp_path):
    from costmodel.workbook.functions import FUNCTIONS
    assert EXCEL_2010 == set(FUNCTIONS)
    wide = load_folder_with_option(tmp_path)  # long option and support keys make the longest names
    for wb in (book[1], openpyxl.load_workbook(save_workbook(build_workbook(wide), tmp_path / "wide.xlsx"))):
        count = 0
        for ws in wb.worksheets:
            for cell in formulas(ws):
                where, f = f"{ws.title}!{cell.coordinate}", cell.value
                count += 1
                assert len(f) <= 120, f"{where} is {len(f)} characters: {f}"
                assert "--" not in f, f"{where} coerces with --: {f}"
                assert not WHOLE_LINE.search(f), f"{where} reads a whole column or row: {f}"
                used = {t.value[:-1].upper() for t in Tokenizer(f).items if t.type == Token.FUNC and t.subtype == Token.OPEN}
                assert used <= EXCEL_2010, f"{where} uses {used - EXCEL_2010}"
        assert count > 20_000
        for name in wb.defined_names:  # lever names are the lever keys (the contract); Excel allows 255 characters
            assert len(name) <= 255 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), name
        keys = sorted((o for o in bundled.option_keys + ("trust_shared_back_office",)), key=len, reverse=True)
        added = [next((n[: -len(k) - 1] for k in keys if n.endswith("_" + k)), n) for n in wb.defined_names
                 if not n.startswith(("options_", "baseline_", "appraisal_", "journey_", "prices_"))]
        assert max(map(len, added)) <= 25, added  # the names the book adds (outputs per option, constants) are short


def load_folder_with_option(tmp_path):
    from costmodel.files.assumption_folder import load_folder
    from tests.workbook.test_workbook_recalc import trust_shared_back_office
    return load_folder(trust_shared_back_office(tmp_path))


def test_every_validation_stops_bad_values_and_says_what_is_allowed(book):
    _, wb = book
    ws = wb["Inputs"]
    dvs = ws.data_validations.dataValidation
    assert dvs
    for dv in dvs:
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), dv.sqref
        assert dv.error and dv.errorTitle, dv.sqref
    lists = {str(dv.sqref): dv.formula1 for dv in dvs if dv.type == "list"}
    assert lists["C3"] == '"low,central,high"'
    assert any("business_as_usual" in f for f in lists.values())


def test_inputs_table_filters_under_protection_and_constants_are_inputs(book):
    _, wb = book
    ws = wb["Inputs"]
    assert ws.protection.sheet and ws.protection.autoFilter is False and ws.protection.sort is False
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A")
    for name in ("long_rate_from_year", "mid_year_point", "months_per_year", "tolerance"):
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        cell = ws[ref.replace("$", "")]
        assert sheet == "Inputs" and cell.style == "Input" and cell.protection.locked is False
        row = cell.row
        assert ws[f"B{row}"].value and ws[f"C{row}"].value and ws[f"I{row}"].value  # label, unit, source


def test_styles_are_excels_built_in_ones(book):
    _, wb = book
    ids = {s.name: s.builtinId for s in wb._named_styles}
    assert (ids["Input"], ids["Output"], ids["Calculation"], ids["Check Cell"], ids["Linked Cell"]) == (20, 21, 22, 23, 24)


def test_every_sheet_shows_the_master_check_and_summary_holds_outputs_only(book):
    _, wb = book
    for ws in wb.worksheets:
        if ws.title in ("Cover", "Sources"):
            continue
        assert any(c.value in ("=master_check",) or (ws.title == "Checks" and c.coordinate == "D3")
                   for row in ws.iter_rows(max_row=4) for c in row), ws.title
    summary = {c.value for row in wb["Summary"].iter_rows() for c in row if c.data_type == "f"}
    assert not any("SUMIF" in f or "SUMPRODUCT" in f for f in summary)  # the workings are on Annual


def test_cached_values_are_stored_for_every_formula(book, bundled):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    assert wb.calculation.fullCalcOnLoad
    missing = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for c in formulas(ws)
               if values[ws.title][c.coordinate].value is None
               and not (ws.title == "Checks" and c.column_letter == "E")]  # the cause is "" (None) when OK
    assert not missing, missing[:5]
    from costmodel.comparison import compare
    got = {k: values["Summary"][ref.replace("$", "")].value
           for k in bundled.option_keys for (_, ref) in wb.defined_names[f"pv_{k}"].destinations}
    for k, o in compare(bundled)["options"].items():
        assert got[k] == pytest.approx(o["present_value"], rel=1e-9)
    assert values["Checks"]["D3"].value is True


@pytest.mark.parametrize("cell, typed", [("C3", "medium"), ("C7", "nonsense"), ("C10", 42)])
def test_a_bad_selector_forced_in_makes_the_master_check_false_never_an_error(bundled, tmp_path, cell, typed):
    wb = build_workbook(bundled)
    wb["Inputs"][cell] = typed  # as pasted over the validation
    path = save_workbook(wb, tmp_path / "forced.xlsx")
    values = openpyxl.load_workbook(path, data_only=True)
    assert values["Checks"]["D3"].value is False
    failing = [r for r in values["Checks"].iter_rows(min_row=7, values_only=True) if r[3] is False]
    assert failing and all(r[4] for r in failing)  # each failed check names its cause
