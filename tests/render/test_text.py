"""The pieces every output shares: £m formatting, formula-safe text, the boxed table, the row labels."""
import math

import pytest
from rich.console import Console
from rich.table import Table

from costmodel.comparison import CATEGORY_LABELS, METRICS, compare, figure, label
from costmodel.cost_lines import CATEGORIES
from costmodel.excel.jobs import COMPARE_METRICS, cell_value
from costmodel.render.tables import TABLE_ROWS, render_csv, render_table, summary_rows
from costmodel.render.text import FORMULA_START, box_table, money_m, safe_text, starts_formula
from costmodel.report.html import ROWS as REPORT_ROWS
from costmodel.report.svg import CATEGORY_STYLE


def test_money_for_tables_two_decimals_and_a_hyphen():
    assert money_m(-1_234_567) == "-£1.23m"
    assert money_m(433_126_000) == "£433.13m"
    assert money_m(0) == "£0.00m"
    assert money_m(2_000_000, signed=True) == "+£2.00m"
    assert money_m(None) == "—" and money_m(math.nan) == "—"


def test_money_for_the_report_one_decimal_from_a_million_and_a_true_minus():
    assert money_m(-15_400_000, report=True) == "\u2212£15.4m"
    assert money_m(994_000, report=True) == "£0.99m"
    assert money_m(995_000, report=True) == "£1.0m"  # rounds up into the one-decimal band
    assert money_m(-1_000, report=True) == "£0.00m"  # rounds to zero: no sign
    assert money_m(2_000, signed=True, report=True) == "£0.00m"
    assert money_m(math.nan, report=True) == "—"


@pytest.mark.parametrize("start", FORMULA_START)
def test_text_that_would_start_a_formula_is_quoted(start):
    text = f"{start}HYPERLINK(\"http://x\")"
    assert starts_formula(text)
    assert safe_text(text) == "'" + text
    assert cell_value(text) == "'" + text


def test_other_values_pass_unchanged():
    for v in ("Trust", "a=b", "", 3.5, -2, None):
        assert not starts_formula(v)
        assert safe_text(v) == v
    assert cell_value(math.nan) is None and cell_value(None) is None and cell_value(-2.5) == -2.5


def test_box_table_wraps_long_headings_bottom_aligned_and_never_cuts_a_cell():
    rows = [["Present value", "£448.52m", "£433.13m"], ["Savings", "£0.00m", "-£7.14m"]]
    out = box_table("Title", ["", "Business as usual", "Executive leadership by a partner council"], rows,
                    [False, True, True], width=60)
    lines = out.splitlines()
    assert lines[0].strip() == "Title"
    assert len({len(line) for line in lines[1:]}) == 1 and len(lines[1]) <= 60  # a rectangle that fits
    heading = [line for line in lines if line.startswith("┃")]
    assert len(heading) > 1 and heading[-1].rstrip("┃ ").endswith("council")  # wrapped, last line at the bottom
    assert all(cell in out for row in rows for cell in row)


@pytest.mark.parametrize("folder", ["case_base", "bundled"])
def test_box_table_draws_what_rich_draws(folder, request):
    """An independent check of the compare table: the same rows drawn by rich (which compare used to use)."""
    result = compare(request.getfixturevalue(folder))
    buf = Console(file=None, width=140, force_terminal=False, color_system=None, record=True)
    table = Table(title=render_table(result).splitlines()[0].strip())
    table.add_column("")
    for o in result["options"].values():
        table.add_column(o["label"], justify="right")
    for name, cells in summary_rows(result):
        table.add_row(name, *cells)
    with buf.capture() as cap:
        buf.print(table)
    ours = render_table(result)
    theirs = [line.rstrip() for line in cap.get().splitlines()]  # rich pads the title line with spaces
    assert ours.splitlines()[:len(theirs)] == theirs
    assert f"Assumptions fingerprint {result['fingerprint']}" in ours


def test_every_output_names_its_rows_from_the_one_table(case_base):
    result = compare(case_base)
    option = next(iter(result["options"].values()))
    keys = set(TABLE_ROWS) | set(COMPARE_METRICS) | {field for field, _, _ in REPORT_ROWS}
    assert keys <= set(METRICS)
    for key in METRICS:  # every label names a figure the compare object really has
        assert key.split(".")[0] in option, key
        if key != "npc_vs_in_house":
            assert figure(option, key) is not None or key.startswith(("safe_service", "payback")), key
    assert [c for c in CATEGORIES] == list(CATEGORY_LABELS)
    assert {c: CATEGORY_STYLE[c][0] for c in CATEGORIES} == CATEGORY_LABELS
    assert label("totals.total") == "Total cost" and label("totals.total", report=True) == "Total cost, undiscounted"
    assert label("totals.saving", report=True) == "Savings"  # same words where the report has none of its own
    csv_metrics = {line.split(",")[1] for line in render_csv(result).splitlines()[1:]}
    assert csv_metrics - {"verdict"} <= set(METRICS)
