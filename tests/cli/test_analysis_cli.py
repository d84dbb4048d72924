"""The analysis commands end to end: voi, sobol, discover, and montecarlo's standard errors, QMC and target SE."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from costmodel.cli import main


def run(*args):
    r = CliRunner().invoke(main, list(args))
    return r


def test_voi_json_csv_chart_and_workbook(tmp_path):
    r = run("voi", "--draws", "5000", "--seed", "3", "--format", "json", "--group", "legacy_placements",
            "--lever", "options.trust.improvement.total", "--chart", str(tmp_path / "v.svg"), "--workbook", str(tmp_path / "v.xlsx"))
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    kinds = [row["measure"] for row in obj["rows"]]
    assert kinds.count("evpi") == 1 and kinds.count("expected_loss") == 4
    assert [row["key"] for row in obj["rows"] if row["measure"] == "evppi_group"] == ["legacy_placements"]
    assert [row["key"] for row in obj["rows"] if row["measure"] == "evppi_lever"] == ["options.trust.improvement.total"]
    evpi = obj["rows"][0]["value"]
    loss = {row["key"]: row["value"] for row in obj["rows"] if row["measure"] == "expected_loss"}
    assert evpi == min(loss.values()) and loss[obj["chosen_option"]] == evpi
    assert any("before deciding is worth" in s for s in obj["sentences"])
    assert (tmp_path / "v.svg").read_text().lstrip().startswith("<?xml")
    from openpyxl import load_workbook
    assert "Values - Value of information" in load_workbook(tmp_path / "v.xlsx").sheetnames
    again = run("voi", "--draws", "5000", "--seed", "3", "--format", "csv", "--group", "legacy_placements",
                "--lever", "options.trust.improvement.total")
    assert again.exit_code == 0 and again.stdout.splitlines()[0].startswith("measure,key,label,value,standard_error")


def test_voi_unknown_lever_and_group_are_input_errors():
    r = run("voi", "--draws", "500", "--group", "legacy_placement", "--lever", "baseline.outset_spnd")
    assert r.exit_code == 2
    assert "did you mean legacy_placements" in r.output and "did you mean baseline.outset_spend" in r.output


def test_sobol_csv_and_power_of_two(tmp_path):
    r = run("sobol", "--draws", "256", "--format", "json", "--chart", str(tmp_path / "s.png"))
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    rows = [x for x in obj["rows"] if x["output"] == "difference"]
    assert obj["model_runs"] == 256 * (len(rows) + 2) and rows[0]["total"] == max(x["total"] for x in rows)
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    wb = run("sobol", "--draws", "128", "--workbook", str(tmp_path / "s.xlsx"), "--output", str(tmp_path / "s.csv"))
    assert wb.exit_code == 0, wb.output
    from openpyxl import load_workbook
    assert "Values - Sobol indices" in load_workbook(tmp_path / "s.xlsx").sheetnames
    assert (tmp_path / "s.csv").read_text().startswith("output,factor,levers,first_order")
    bad = run("sobol", "--draws", "1000")
    assert bad.exit_code == 2 and "power of 2" in bad.output


def test_discover_words_and_errors(tmp_path):
    mc = json.loads(run("montecarlo", "--draws", "4000", "--format", "json").stdout)["summary"]
    option = sorted(mc, key=lambda o: abs(mc[o]["probability_cheapest"] - 0.5))[0]  # the most contested option
    r = run("discover", "--option", option, "--draws", "4000", "--format", "json", "--workbook", str(tmp_path / "d.xlsx"))
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert obj["probability_cheapest"] == mc[option]["probability_cheapest"]  # the same draws
    if 0 < obj["probability_cheapest"] < 1:
        assert obj["coverage"] is not None and 0 < obj["density"] <= 1
        assert any(" is cheapest when " in s or "No range of any lever" in s for s in obj["sentences"])
    from openpyxl import load_workbook
    assert f"Values - Where {option} wins"[:31] in load_workbook(tmp_path / "d.xlsx").sheetnames
    assert run("discover", "--option", "trus", "--draws", "500").exit_code == 2


def test_montecarlo_standard_errors_qmc_and_target(tmp_path):
    r = run("montecarlo", "--draws", "20000", "--seed", "2", "--format", "json")
    obj = json.loads(r.stdout)
    s = obj["summary"]["in_house"]
    p = s["probability_cheapest"]
    assert s["standard_error"]["probability_cheapest"] == pytest.approx(np.sqrt(p * (1 - p) / 20000))
    assert obj["headline"]["option"] == max(obj["summary"], key=lambda o: obj["summary"][o]["probability_cheapest"])
    q = json.loads(run("montecarlo", "--draws", "65536", "--seed", "2", "--qmc", "--format", "json").stdout)
    assert q["qmc"] and q["headline"]["standard_error"] is not None
    t = json.loads(run("montecarlo", "--draws", "2000", "--seed", "2", "--target-se", "0.002", "--format", "json").stdout)
    assert t["headline"]["standard_error"] < 0.002 and t["draws"] % 65536 == 0
    w = run("montecarlo", "--draws", "2000", "--workbook", str(tmp_path / "m.xlsx"))
    assert w.exit_code == 0, w.output
    from openpyxl import load_workbook
    ws = load_workbook(tmp_path / "m.xlsx")["Values - Monte Carlo"]
    assert any(str(c.value).startswith("Monte Carlo standard errors") for c in ws["A"])
    csv = run("montecarlo", "--draws", "2000", "--format", "csv").stdout
    assert csv.splitlines()[0] == "option,metric,p5,p50,p95,mean,p5_se,p50_se,p95_se,mean_se"
