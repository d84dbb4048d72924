"""``costmodel backtest`` through CliRunner: every format, charts, the value sheet, the output guard."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.evidence.against_model import hold_against
from costmodel.evidence.backtest import run_backtest
from costmodel.evidence.output import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "cases" / "base"


def run(*args, ok=True):
    res = CliRunner().invoke(main, ["backtest", *map(str, args)])
    if ok:
        assert res.exit_code == 0, res.output
    return res


def test_table_has_every_section_and_the_headline():
    out = " ".join(run().output.split())
    for text in ("Councils judged inadequate under ILACS", "the earlier single inspection framework", "Extra spend of the councils",
                 "Extra spend by section 251 line", "Kaplan-Meier", "Paths of the councils that improved",
                 "Trusts against comparable councils", "The assumptions held against the outturn", "Caveat: COVID",
                 "Northamptonshire Children's Trust", "Prices: 2025-26"):
        assert text in out, text


def test_json_headline_equals_the_module_and_carries_the_evidence_scenario(bundled):
    doc = json.loads(run("--format", "json").output)
    b = run_backtest(2025)
    assert doc["headline"]["extra_median"] == pytest.approx(b.headline["extra_median"], rel=1e-12)
    assert doc["survival"]["median_months"] == b.survival.median
    assert len(doc["judgements"]) == len(b.judgements) and len(doc["held_against"]) == len(hold_against(bundled, b))
    assert doc["evidence_scenario"]["journey.implement_months"]["value"] == bundled.scenarios["evidence"].overrides["journey.implement_months"]
    assert "Open Government Licence" in doc["data"]


def test_csv_is_tidy_and_parquet_needs_a_file(tmp_path):
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv").output)))
    assert list(rows[0]) == COLUMNS and len(rows) > 5000
    assert {r["table"] for r in rows} >= {"judgements", "spend", "event_study", "survival", "paths", "trusts", "held_against"}
    assert all(r[c][:1] not in ("=", "+", "-", "@") for r in rows for c in ("name", "item", "text"))
    res = run("--format", "parquet", ok=False)
    assert res.exit_code == 2 and "--output" in res.output
    out = tmp_path / "bt.parquet"
    run("--output", out)
    assert len(pd.read_parquet(out)) == len(rows)


def test_charts_workbook_and_the_output_guard(tmp_path):
    charts, book = tmp_path / "charts", tmp_path / "bt.xlsx"
    run("--charts", charts, "--workbook", book, "--assumptions", BASE, "--format", "json", "--output", tmp_path / "bt.json")
    names = sorted(p.name for p in charts.iterdir())
    assert names == ["backtest_event_study.png", "backtest_paths.png", "backtest_time_to_improve.png"]
    assert all((charts / n).read_bytes().startswith(b"\x89PNG") for n in names)
    ws = openpyxl.load_workbook(book)["Values - Back-test"]
    assert ws["A1"].value.startswith("VALUES, NOT FORMULAS") and ws["A6"].value == "Assumption"
    res = run("--output", tmp_path / "bt.json", ok=False)          # exists: refused without --force
    assert res.exit_code == 2 and "--force" in res.output
    run("--output", tmp_path / "bt.json", "--force")


def test_bad_input_exits_2_with_one_line():
    res = run("--set", "options.in_house.improvment.total=1", ok=False)
    assert res.exit_code == 2 and res.output.count("Error:") == 1 and "did you mean" in res.output
