"""Issue 17's findings, each as a regression test: bounds, the finite-output check, escaping, limits, paths and names."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

from costmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args, env=None):
    result = CliRunner().invoke(main, list(map(str, args)), env=env)
    assert "Traceback" not in result.output
    return result


def assert_error(result, *fragments, code=2):
    assert result.exit_code == code, result.output
    for f in fragments:
        assert f in result.output, (f, result.output)


@pytest.fixture
def folder(tmp_path):
    dest = tmp_path / "assumptions"
    shutil.copytree(ROOT / "assumptions", dest, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return dest


# --- absurd numbers ------------------------------------------------------------------------------

@pytest.mark.parametrize("setting, fragments", [
    ("baseline.interim_leaders.day_rate=1e308", ["--set", "baseline.interim_leaders.day_rate", "above the maximum 1e+12",
                                                  "expected 0 to 1e+12"]),
    ("options.trust.mobilisation_months=1e308", ["--set", "options.trust.mobilisation_months", "expected 0 to 900"]),
    ("baseline.outset_spend=inf", ["baseline.outset_spend", "expected a number"]),
    ("baseline.outset_spend=1e400", ["baseline.outset_spend", "finite"]),
    ("baseline.outset_spend=nan", ["baseline.outset_spend", "expected a number"]),
])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_absurd_numbers_are_refused_with_the_range(setting, fragments, fmt):
    assert_error(run("compare", "--set", setting, "--format", fmt), *fragments)


@pytest.mark.parametrize("text, fragment", [("value: .inf", "finite"), ("value: .nan", "finite"),
                                            ("value: 1e308", "expected 0 to 900"), ("value: " + "9" * 400, "finite")])
def test_absurd_numbers_in_a_file_are_refused_with_file_line(folder, text, fragment):
    path = folder / "journey.yaml"
    path.write_text(path.read_text().replace("  value: 36", "  " + text, 1))
    assert_error(run("validate", "--assumptions", folder), "journey.yaml:", "journey.sustain_months", fragment)


def test_an_implausible_value_warns_on_stderr_and_leaves_stdout_clean():
    result = run("compare", "--format", "json", "--set", "baseline.social_workers.salary=4000000")
    assert result.exit_code == 0
    assert "Warning: --set: baseline.social_workers.salary: 4,000,000 GBP/yr is outside the plausible range" in result.stderr
    assert json.loads(result.stdout)["schema"] == "costmodel.compare/1"


def test_validate_warns_about_an_implausible_file_value(folder):
    path = folder / "baseline.yaml"
    path.write_text(path.read_text().replace("{low: 700, central: 900, high: 1200}", "{low: 700, central: 900, high: 12000}"))
    result = run("validate", "--assumptions", folder)
    assert result.exit_code == 0 and result.stdout.startswith("OK:")
    assert "Warning: baseline.yaml:" in result.stderr and "12,000 GBP/day is outside the plausible range 0 to 5,000" in result.stderr


def test_set_on_a_correlated_lever_warns_that_its_correlations_are_dropped():
    result = run("montecarlo", "--draws", 200, "--format", "json", "--set", "options.trust.improvement.total=5000000")
    assert result.exit_code == 0, result.output
    assert "options.trust.improvement.total: fixed at one value, so its correlation with options.in_house.improvement.total" \
        in result.stderr
    json.loads(result.stdout)


# --- a NaN that reaches an output is an internal error, exit 1, nothing written -------------------

@pytest.fixture
def nan_engine(monkeypatch):
    """Make the engine return NaN present values, as a bug would."""
    import costmodel.scenarios as scenarios
    real = scenarios.option_present_values

    def broken(*args, **kwargs):
        out = real(*args, **kwargs)
        out[..., -1] = np.nan
        return out
    monkeypatch.setattr(scenarios, "option_present_values", broken)


@pytest.fixture
def nan_compare(monkeypatch):
    import costmodel.comparison as comparison
    real = comparison.compare

    def broken(*args, **kwargs):
        out = real(*args, **kwargs)
        out["options"]["trust"]["present_value"] = float("nan")
        return out
    monkeypatch.setattr(comparison, "compare", broken)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_nan_in_compare_is_an_internal_error_and_nothing_is_written(nan_compare, tmp_path, fmt):
    out = tmp_path / f"x.{'txt' if fmt == 'table' else fmt}"
    result = run("compare", "--format", fmt, "--output", out)
    assert_error(result, "internal error", "options.trust.present_value", "nan", code=1)
    assert "unexpected" not in result.output and not out.exists() and os.listdir(tmp_path) == []


@pytest.mark.parametrize("args", [
    ["tornado", "--option", "trust"],
    ["tornado", "--option", "trust", "--format", "csv"],
    ["sweep", "--grid", "options.trust.mobilisation_months=6:18:3", "--format", "json"],
    ["switching", "baseline.legacy_placements.count", "--between", "trust", "in_house", "--format", "csv"],
])
def test_a_nan_in_a_sensitivity_result_is_an_internal_error(nan_engine, args):
    assert_error(run(*args), "internal error", code=1)


def test_a_nan_never_reaches_a_workbook_cell(tmp_path, bundled):
    from costmodel.finite import NonFiniteResult
    from costmodel.workbook.build import build_workbook, save_workbook
    wb = build_workbook(bundled)
    wb["Summary"]["A1"] = float("inf")
    with pytest.raises(NonFiniteResult, match="Summary!A1"):
        save_workbook(wb, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_a_lever_at_zero_with_no_range_searches_its_plausible_range_not_nan():
    result = run("switching", "options.in_house.set_up.amount", "--between", "in_house", "do_minimum")
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output.lower().replace("none", "")
    assert "between 0 and 1e+08" in result.output


# --- CSV: one writer, every text cell escaped -------------------------------------------------------

def formula_cells(text: str) -> list[str]:
    """Cells a spreadsheet would run as a formula: text starting = + - @ (a negative number is not text)."""
    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@"):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


@pytest.mark.parametrize("args", [
    ["compare", "--format", "csv"], ["compare", "--format", "csv", "--annual"],
    ["tornado", "--option", "trust", "--format", "csv"],
    ["sweep", "--grid", "options.trust.mobilisation_months=6:18:3", "--format", "csv"],
    ["switching", "--all", "--between", "trust", "in_house", "--format", "csv"],
    ["montecarlo", "--draws", "300", "--format", "csv"],
])
def test_every_csv_escapes_text_that_would_run_as_a_formula(folder, args):
    for name in ("baseline.yaml", "journey.yaml", "options.yaml"):
        prefix_labels(folder / name, ['=HYPERLINK("http://x","y") ', "+1+1 ", "-2+3 ", "@SUM(A1) "])
    result = run(*args, "--assumptions", folder)
    assert result.exit_code == 0, result.output
    assert formula_cells(result.stdout) == []
    if args[0] == "tornado":
        assert "'=HYPERLINK" in result.stdout  # the labels are there, escaped


def prefix_labels(path: Path, payloads: list[str]) -> None:
    """Put a formula-like payload at the start of every ``label:`` (and ``note:``) in a YAML file, cycling through them."""
    lines, n = [], 0
    for line in path.read_text().splitlines():
        m = re.match(r"^(\s+(?:label|note): )(.+)$", line)
        if m and not m.group(2).startswith((">", "|", "&", "*")):
            rest = m.group(2)
            rest = json.loads(rest) if rest.startswith('"') else rest[1:-1].replace("''", "'") if rest.startswith("'") else rest
            line = m.group(1) + json.dumps(payloads[n % len(payloads)] + rest)
            n += 1
        lines.append(line)
    path.write_text("\n".join(lines) + "\n")


# --- the workbook: names, formulas and quote prefixes ---------------------------------------------

def test_text_cells_that_look_like_formulas_keep_their_quote_prefix(folder, tmp_path):
    for name in ("baseline.yaml", "options.yaml"):
        prefix_labels(folder / name, ["=1+1 ", "+1 ", "-1 ", "@A1 "])
    book = tmp_path / "b.xlsx"
    assert run("workbook", "build", "--assumptions", folder, "--output", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "s" and isinstance(c.value, str) and c.value[:1] in "=+-@":
                    assert c.quotePrefix, (ws.title, c.coordinate, c.value)
                    seen += 1
    assert seen >= 50  # labels and notes on Inputs, Timeline and Summary


def test_no_user_text_reaches_a_formula_or_a_defined_name(folder, tmp_path):
    path = folder / "options.yaml"
    path.write_text(path.read_text().replace("  label: Children's services trust",
                                             "  label: 'q+WEBSERVICE(\"http://x\")+q'", 1))
    book = tmp_path / "b.xlsx"
    assert run("workbook", "build", "--assumptions", folder, "--output", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    from costmodel.workbook.layout import NAME_OK
    assert all(NAME_OK.match(n) for n in wb.defined_names)
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and not any("WEBSERVICE" in f for f in formulas)


# --- outputs: lock files, suffixes, read-only folders ----------------------------------------------

def test_a_book_open_in_libreoffice_is_not_replaced(tmp_path):
    book = tmp_path / "book.xlsx"
    assert run("workbook", "build", "--output", book).exit_code == 0
    (tmp_path / ".~lock.book.xlsx#").write_text("someone,host,...")
    before = book.read_bytes()
    assert_error(run("workbook", "build", "--output", book, "--force"), "open in LibreOffice", ".~lock.book.xlsx#")
    assert_error(run("workbook", "recalc", book), "open in LibreOffice")
    assert book.read_bytes() == before


@pytest.mark.parametrize("args, fragment", [
    (["compare", "--output", "x.xlsx"], "a table output is written to a file ending .txt"),
    (["compare", "--format", "csv", "--output", "x.json"], "a csv output is written to a file ending .csv"),
    (["tornado", "--option", "trust", "--format", "json", "--output", "x.csv"], "ending .json"),
    (["tornado", "--option", "trust", "--workbook", "x.txt"], "expected a file name ending .xlsx"),
    (["workbook", "recalc", "book.xlsx", "--output", "out.txt"], "expected a file name ending .xlsx"),
    (["workbook", "recalc", "notes.txt"], "expected an .xlsx workbook"),
])
def test_output_suffixes_must_match_the_format(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "book.xlsx").write_bytes(b"PK")
    (tmp_path / "notes.txt").write_text("keep")
    assert_error(run(*args), fragment)
    assert sorted(os.listdir(tmp_path)) == ["book.xlsx", "notes.txt"]


def test_a_read_only_folder_is_named_not_a_temporary_file(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **k: False if Path(p) == ro and mode & os.W_OK else real(p, mode, **k))
    try:  # (root may write anywhere, so the folder's mode alone would not stop this test's process)
        result = run("compare", "--output", ro / "x.json")
        assert_error(result, str(ro / "x.json"), "permission denied")
        assert ".costmodel-tmp-" not in result.output and os.listdir(ro) == []
    finally:
        ro.chmod(0o755)


def test_a_write_error_names_the_target_not_the_temporary_file(tmp_path, monkeypatch):
    from costmodel.errors import OutputError
    from costmodel.files import atomic

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied", str(a[0]))
    monkeypatch.setattr(atomic, "open", refuse, raising=False)
    with pytest.raises(OutputError) as e:
        atomic.atomic_write(tmp_path / "x.json", b"{}")
    assert str(e.value).startswith(f"{tmp_path / 'x.json'}: cannot write it") and ".costmodel-tmp-" not in str(e.value)
    assert os.listdir(tmp_path) == []


# --- options, seeds and limits ---------------------------------------------------------------------

def test_switching_between_an_option_and_itself_is_refused():
    assert_error(run("switching", "options.trust.mobilisation_months", "--between", "trust", "trust"),
                 "--between", "two different options")


def test_an_unknown_comparator_is_reported_as_against():
    result = run("tornado", "--option", "trust", "--against", "turst")
    assert_error(result, "--against: turst: unknown option", "did you mean trust")
    assert "--option" not in result.output


@pytest.mark.parametrize("seed", ["-1", str(2**32), "1.5"])
@pytest.mark.parametrize("command", [["montecarlo", "--draws", "10"], ["report", "--output", "r.html", "--draws", "10"]])
def test_a_bad_seed_is_refused_with_the_range(tmp_path, monkeypatch, command, seed):
    monkeypatch.chdir(tmp_path)
    result = run(*command, "--seed", seed)
    assert_error(result, "--seed")
    assert "unexpected" not in result.output


@pytest.mark.parametrize("args, fragment", [
    (["montecarlo", "--draws", "1000000000"], "--backend dask"),
    (["montecarlo", "--draws", "1000000"], "--draws 1000000: needs about"),
    (["montecarlo", "--draws", "1000000", "--backend", "dask"], "kept in this process"),
    (["report", "--output", "r.html", "--draws", "1000000000000"], "use fewer draws"),
    (["sweep", "--grid", "options.trust.mobilisation_months=0:24:10000", "--grid",
      "baseline.legacy_placements.count=0:100:10000"], "--grid 10000 x 10000 = 100,000,000 points"),
])
def test_work_beyond_this_machine_is_refused_before_it_starts(tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    result = run(*args, env={"COSTMODEL_MEMORY_LIMIT": "100M"})
    assert_error(result, fragment, "the limit on this machine is")
    assert os.listdir(tmp_path) == []


# --- the workbook read back: the right cell --------------------------------------------------------

def test_edits_in_columns_h_and_j_and_c3_are_reported_at_their_cells(tmp_path):
    book = tmp_path / "b.xlsx"
    assert run("workbook", "build", "--output", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    ws = wb["Inputs"]
    rows = {ws[f"A{r}"].value: r for r in range(1, ws.max_row + 1)}
    weekly, salary = rows["baseline.legacy_placements.weekly_cost"], rows["baseline.social_workers.salary"]
    ws[f"H{weekly}"] = "twenty"
    ws[f"J{salary}"] = "guess"
    ws["C3"] = "worst"
    wb.save(book)
    result = run("workbook", "read", book)
    assert_error(result, "Inputs!C3: case_selector: expected low, central, high, got 'worst'",
                 f"Inputs!H{weekly}: baseline.legacy_placements.weekly_cost: price_base must be a year",
                 f"Inputs!J{salary}: baseline.social_workers.salary: basis 'guess'")


def test_a_cross_lever_price_base_problem_is_moved_to_the_price_base_cell():
    from costmodel.errors import Problem
    from costmodel.workbook.read import _at_cell
    moved = _at_cell(Problem("Inputs!E35", "baseline.legacy_placements.weekly_cost", "price base 2023 differs from …"),
                     {"baseline.legacy_placements.weekly_cost": 34}, "Inputs")
    assert moved.where == "Inputs!H35"
    other = Problem("Inputs!E35", "baseline.legacy_placements.weekly_cost", "the floor cannot exceed the count")
    assert _at_cell(other, {"baseline.legacy_placements.weekly_cost": 34}, "Inputs") == other


def _formula_like_cells(wb) -> list:
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "s" and isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@")]


def test_the_quote_prefix_lost_by_a_resave_is_put_back(folder, tmp_path):
    """LibreOffice writes every style with quotePrefix="0": simulated here, then restored."""
    import zipfile
    from costmodel.workbook.quote_prefix import restore_quote_prefix
    prefix_labels(folder / "baseline.yaml", ["=1+1 ", "@A1 "])
    book = tmp_path / "b.xlsx"
    assert run("workbook", "build", "--assumptions", folder, "--output", book).exit_code == 0
    stripped = io.BytesIO()
    with zipfile.ZipFile(book) as z, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            body = z.read(info.filename)
            w.writestr(info, body.replace(b'quotePrefix="1"', b'quotePrefix="0"') if info.filename == "xl/styles.xml" else body)
    lost = openpyxl.load_workbook(io.BytesIO(stripped.getvalue()))
    assert _formula_like_cells(lost) and not any(c.quotePrefix for c in _formula_like_cells(lost))
    restored = openpyxl.load_workbook(io.BytesIO(restore_quote_prefix(stripped.getvalue())))
    cells = _formula_like_cells(restored)
    assert len(cells) == len(_formula_like_cells(lost)) and all(c.quotePrefix for c in cells)
    others = [c for ws in restored.worksheets for row in ws.iter_rows() for c in row if c.quotePrefix and c not in cells]
    assert others == []
    assert [(c.fill.fgColor.rgb, c.font.color.rgb if c.font.color else None) for c in cells] == \
        [(c.fill.fgColor.rgb, c.font.color.rgb if c.font.color else None) for c in _formula_like_cells(lost)]


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice")
def test_after_recalculation_text_cells_keep_their_quote_prefix_and_no_formula_holds_user_text(folder, tmp_path):
    prefix_labels(folder / "baseline.yaml", ['=HYPERLINK("http://x") ', "+1 ", "-1 ", "@A1 "])
    book = tmp_path / "b.xlsx"
    assert run("workbook", "build", "--assumptions", folder, "--output", book).exit_code == 0
    assert run("workbook", "recalc", book).exit_code == 0
    wb = openpyxl.load_workbook(book)
    cells = _formula_like_cells(wb)
    assert len(cells) > 20 and all(c.quotePrefix for c in cells)
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not any("HYPERLINK" in f for f in formulas)
    values = openpyxl.load_workbook(book, data_only=True)
    [(sheet, ref)] = list(values.defined_names["master_check"].destinations)
    assert values[sheet][ref.replace("$", "")].value is True  # every check passes: labels are only text
