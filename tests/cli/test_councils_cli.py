"""``costmodel councils``, ``costmodel benchmark`` and the data section of ``costmodel sources``, through CliRunner
and one real process; figures checked against the packaged CSV files read with the standard library."""
import csv
import io
import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from costmodel.cli import main

DATA = Path(__file__).resolve().parents[2] / "src" / "costmodel" / "files" / "data"
COUNCILS = {r["la_code"]: r for r in csv.DictReader(open(DATA / "councils.csv", encoding="utf-8"))}
INSPECTIONS = list(csv.DictReader(open(DATA / "ofsted_inspections.csv", encoding="utf-8")))


def run(*args, code=0):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == code, result.output
    return result


def test_councils_lists_all_153_with_the_dates_the_figures_refer_to_and_the_attribution():
    out = run("councils").output
    assert "153 councils" in out
    for text in ("at 31 March 2025", "at 30 September 2025", "as at 31 March 2025", "Open Government Licence v3.0",
                 "Data vintage", "Doncaster", "E08000017"):
        assert text in out, text
    assert "joint return E09000021 / E09000027" in out  # Kingston upon Thames / Richmond upon Thames


def test_councils_csv_values_equal_the_packaged_csv():
    out = run("councils", "--region", "yorkshire", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    expected = [c for c in COUNCILS.values() if c["region"] == "Yorkshire and The Humber"]
    assert len(rows) == len(expected) == 15
    for r in rows:
        c = COUNCILS[r["code"]]
        for col in ("children_in_need", "children_looked_after", "social_worker_fte", "agency_rate_pct",
                    "caseload_per_case_holder"):
            assert float(r[col]) == float(c[col]), (r["name"], col)
        assert r["dfe_code"] == c["old_la_code"] and r["ofsted_judgement"] == c["ofsted_overall_effectiveness"]


def test_councils_filters_by_ofsted_and_search():
    latest = {}
    for i in INSPECTIONS:
        if i["status"] == "Current" and i["insp_date"] >= latest.get(i["la_code"], ("", ""))[0]:
            latest[i["la_code"]] = (i["insp_date"], i["grade"])
    inadequate = {c for c, (_, g) in latest.items() if g == "4"}
    d = json.loads(run("councils", "--ofsted", "Inadequate", "--format", "json").stdout)
    assert {r["code"] for r in d["rows"]} == inadequate and len(inadequate) == 19  # data README: 19 inadequate
    assert d["references"]["social_worker_fte"] == "at 30 September 2025"
    assert "Open Government Licence" in d["attribution"]
    assert {r["name"] for r in json.loads(run("councils", "--search", "durham", "--format", "json").stdout)["rows"]} \
        == {"County Durham"}


def test_councils_vague_region_is_an_error():
    r = run("councils", "--region", "east", code=2)
    assert "Error: --region 'east' matches" in r.output and "East Midlands" in r.output


def test_benchmark_table_names_the_council_its_peers_dates_and_ofsted():
    out = run("benchmark", "--council", "doncaster").output
    for text in ("Doncaster (E08000017, DfE 371) against England, Yorkshire and The Humber", "12.8%", "13.0%",
                 "at 30 September 2025", "financial year 2024-25", "Rotherham (Very close)",
                 "Requires improvement to be good", "2025-01-20", "Open Government Licence v3.0", "cash prices"):
        assert text in out, text


def test_benchmark_json_matches_the_csv_files(tmp_path):
    out = tmp_path / "b.json"
    run("benchmark", "--council", "Isle of Wight", "--output", out)
    d = json.loads(out.read_text())
    assert d["schema"] == "costmodel.benchmark/1" and d["council"]["code"] == "E06000046"
    m = {x["measure"]: x for x in d["measures"]}
    iow = COUNCILS["E06000046"]
    assert m["agency_rate_pct"]["council"] == float(iow["agency_rate_pct"]) == 25
    assert m["caseload_per_case_holder"]["council"] == 16.8
    assert m["cin_rate_per_10k"]["council"] == 530.2
    assert d["rows"] and {r["geography"] for r in d["rows"]} == {"council", "england", "region", "peer_median", "peer"}


def test_benchmark_tidy_csv_and_parquet(tmp_path):
    text = run("benchmark", "--council", "E08000025", "--format", "csv").stdout
    df = pd.read_csv(io.StringIO(text))
    assert list(df.columns) == ["council_code", "council_name", "measure", "label", "unit", "year", "reference",
                                "geography", "code", "name", "value", "note"]
    b = df[(df.geography == "council") & (df.year == 2025)].set_index("measure").value
    assert b["caseload_per_case_holder"] == 15.2 and b["agency_rate_pct"] == 12.4  # data README: Birmingham
    run("benchmark", "--council", "Birmingham", "--format", "parquet", code=2)  # parquet needs --output
    p = tmp_path / "b.parquet"
    run("benchmark", "--council", "Birmingham", "--output", p)
    back = pd.read_parquet(p)
    assert list(back.columns) == list(df.columns) and len(back) == len(df)
    assert back["value"].tolist() == pytest.approx(df["value"].tolist(), rel=1e-14)


def test_benchmark_chart_png_and_svg(tmp_path):
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    run("benchmark", "--council", "Kingston upon Thames", "--chart", png, "--format", "csv", "--output", tmp_path / "x.csv")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run("benchmark", "--council", "Kingston upon Thames", "--chart", svg)
    assert b"<svg" in svg.read_bytes()[:400] and b"Kingston upon Thames" in svg.read_bytes()
    r = run("benchmark", "--council", "Doncaster", "--chart", tmp_path / "c.pdf", code=2)
    assert "expected a file name ending .png or .svg" in r.output


def test_benchmark_workbook_value_sheet(tmp_path):
    from openpyxl import load_workbook
    path = tmp_path / "b.xlsx"
    run("benchmark", "--council", "Doncaster", "--workbook", path, "--output", tmp_path / "b.json")
    wb = load_workbook(path)
    assert "Inputs" in wb.sheetnames and "Values - Benchmark" in wb.sheetnames
    ws = wb["Values - Benchmark"]
    assert ws["A1"].value.startswith("VALUES, NOT FORMULAS: benchmark of Doncaster")
    d = json.loads((tmp_path / "b.json").read_text())
    rows = {ws.cell(r, 1).value: r for r in range(9, 17)}
    for m in d["measures"]:
        r = rows[m["label"]]
        assert ws.cell(r, 3).value == m["year"]
        # openpyxl writes 15 significant digits
        assert (ws.cell(r, 5).value, ws.cell(r, 6).value) == pytest.approx((m["council"], m["england"]), rel=1e-13)


def test_benchmark_refuses_to_overwrite_and_writes_nothing(tmp_path):
    out, chart = tmp_path / "b.csv", tmp_path / "c.png"
    out.write_text("keep")
    r = run("benchmark", "--council", "Doncaster", "--output", out, "--chart", chart, code=2)
    assert "already exists" in r.output and out.read_text() == "keep" and not chart.exists()
    run("benchmark", "--council", "Doncaster", "--output", out, "--force")
    assert out.read_text().startswith("council_code")


@pytest.mark.parametrize("query,text", [
    ("Doncastr", "closest: Doncaster (E08000017, DfE 371)"),
    ("Cumbria", "no longer exists"),
    ("Kingston", "matches 2 councils"),
])
def test_benchmark_bad_council_is_one_error_line(query, text):
    r = run("benchmark", "--council", query, code=2)
    assert r.output.startswith("Error: --council") and text in r.output and "Traceback" not in r.output


def test_sources_lists_the_data_vintage_without_changing_its_other_keys():
    d = json.loads(run("sources", "--format", "json").stdout)
    assert {"fingerprint", "sources", "judgements", "catalogue_defaults", "data"} <= set(d)
    keys = [s["key"] for s in d["data"]["sources"]]
    assert keys == ["CIN", "CLA", "CSWW", "POP", "S251", "OFSTED", "SN"]
    csww = next(s for s in d["data"]["sources"] if s["key"] == "CSWW")
    assert csww["latest_reference"].startswith("at 30 September 2025") and csww["updated"] == "2026-03-19"
    out = run("sources").output
    assert "Council statistics packaged with costmodel" in out and "2f5d11a43105" in out


def test_real_process(tmp_path):
    proc = subprocess.run(["costmodel", "benchmark", "--council", "Bristol, City of", "--peers", "nearest",
                           "--format", "json"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["council"]["code"] == "E06000023" and d["peers"]["method"] == "nearest" and len(d["peers"]["list"]) == 10
    bad = subprocess.run(["costmodel", "councils", "--ofsted", "excellent"], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
