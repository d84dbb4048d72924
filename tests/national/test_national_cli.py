"""``costmodel national``: each council's central figures equal ``compare --council``'s, its draws equal
``montecarlo --council``'s with the same seed; incomplete data listed; councils that fail reported, the run goes on."""
import io
import json
import os

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.evidence import national_councils

NAMED = ["Doncaster", "E06000046", "Isles of Scilly", "Barnet"]


def run(*args, code=0):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == code, result.output
    return result


def by_option(records, code):
    out = {}
    for r in records:
        if r["la_code"] == code:
            out.setdefault(r["option"], {})[r["statistic"]] = r["value"]
    return out


@pytest.fixture(scope="module")
def named():
    args = [a for n in NAMED for a in ("--council", n)]
    return json.loads(run("national", *args, "--format", "json").stdout)


@pytest.mark.parametrize("name", NAMED)
def test_central_figures_equal_compare_council(named, name):
    direct = json.loads(run("compare", "--council", name, "--format", "json").stdout)
    mine = by_option(named["records"], direct["council"]["code"])
    assert set(mine) == set(direct["options"])
    for key, o in direct["options"].items():
        assert mine[key]["present_value"] == o["present_value"]
        assert mine[key]["npc_vs_do_minimum"] == o["npc_vs_do_minimum"]
        assert mine[key]["cheapest"] == (1.0 if key == direct["cheapest_option"] else 0.0)
    rows = [r for r in named["records"] if r["la_code"] == direct["council"]["code"]]
    assert {(r["la_name"], r["region"]) for r in rows} == {(direct["council"]["name"], direct["council"]["region"])}


def test_draws_equal_montecarlo_council_with_the_same_seed():
    mine = json.loads(run("national", "--council", "Doncaster", "--council", "Barnet", "--draws", 3000, "--seed", 7,
                          "--format", "json").stdout)
    for name in ("Doncaster", "Barnet"):
        mc = json.loads(run("montecarlo", "--council", name, "--draws", 3000, "--seed", 7, "--format", "json").stdout)
        code = json.loads(run("compare", "--council", name, "--format", "json").stdout)["council"]["code"]
        got = by_option(mine["records"], code)
        for key, s in mc["summary"].items():
            assert got[key]["probability_cheapest"] == s["probability_cheapest"]
            assert got[key]["probability_cheapest_standard_error"] == s["standard_error"]["probability_cheapest"]
            for m in ("present_value", "npc_vs_do_minimum"):
                for stat in ("p5", "p50", "p95", "mean"):
                    assert got[key][f"{m}_{stat}"] == s[m][stat]
                    assert got[key][f"{m}_{stat}_standard_error"] == s["standard_error"][m][stat]


def test_incomplete_data_listed_as_init_records_it(named, tmp_path):
    run("init", "--council", "Isles of Scilly", tmp_path / "scilly")
    council = yaml.safe_load((tmp_path / "scilly" / "council.yaml").read_text())
    fallbacks = council["fallbacks"]
    assert fallbacks
    listed = [r["fallback"] for r in named["incomplete"] if r["la_name"] == "Isles of Scilly"]
    assert listed == fallbacks
    assert not [r for r in named["incomplete"] if r["la_name"] == "Barnet"]


def test_unmatched_name_reported_and_the_run_goes_on():
    result = run("national", "--council", "Doncaster", "--council", "Nowhereshire", "--format", "json")
    out = json.loads(result.stdout)
    assert [f["query"] for f in out["failed"]] == ["Nowhereshire"]
    assert "no English council of that name" in out["failed"][0]["reason"]
    assert {r["la_name"] for r in out["records"]} == {"Doncaster"}
    assert "Warning: Nowhereshire not costed" in result.stderr


def test_council_that_cannot_be_built_is_reported_with_the_reason(monkeypatch):
    real = national_councils.council_set

    def broken(code):
        if code == "E08000017":  # Doncaster
            raise ZeroDivisionError("no social workers")
        return real(code)
    monkeypatch.setattr(national_councils, "council_set", broken)
    out = json.loads(run("national", "--council", "Doncaster", "--council", "Barnet", "--format", "json").stdout)
    assert out["failed"] == [{"query": "E08000017", "la_code": "E08000017", "la_name": "Doncaster",
                              "region": "Yorkshire and The Humber", "reason": "ZeroDivisionError: no social workers"}]
    assert {r["la_name"] for r in out["records"]} == {"Barnet"}


def test_nothing_costed_exits_3_and_writes_nothing(tmp_path):
    result = run("national", "--council", "Nowhereshire", "--output", tmp_path / "n.json", code=3)
    assert "not one council could be costed" in result.stderr
    assert not list(tmp_path.iterdir())


def test_filters_select_as_councils_lists(tmp_path):
    listed = json.loads(run("councils", "--region", "north east", "--ofsted", "good", "--format", "json").stdout)
    out = json.loads(run("national", "--region", "north east", "--ofsted", "good", "--format", "json").stdout)
    assert listed["rows"]
    assert sorted({r["la_code"] for r in out["records"]}) == sorted(r["code"] for r in listed["rows"])
    both = json.loads(run("national", "--ofsted", "good", "--ofsted", "outstanding", "--region", "North East",
                          "--format", "json").stdout)
    assert {r["la_code"] for r in out["records"]} < {r["la_code"] for r in both["records"]} or \
        not [x for x in json.loads(run("councils", "--region", "north east", "--ofsted", "outstanding",
                                       "--format", "json").stdout)["rows"]]


def test_file_of_names_txt_and_csv(tmp_path):
    (tmp_path / "list.txt").write_text("# councils\nDoncaster\nE06000046  # Isle of Wight\n\n")
    (tmp_path / "list.csv").write_text("la_code,note\nE08000017,x\nE06000046,y\n")
    a = json.loads(run("national", "--file", tmp_path / "list.txt", "--format", "json").stdout)
    b = json.loads(run("national", "--file", tmp_path / "list.csv", "--format", "json").stdout)
    assert a["records"] == b["records"]
    assert {r["la_name"] for r in a["records"]} == {"Doncaster", "Isle of Wight"}
    (tmp_path / "bad.csv").write_text("who\nDoncaster\n")
    assert "expected a header" in run("national", "--file", tmp_path / "bad.csv", code=2).stderr


def test_a_file_of_names_that_is_a_fifo_or_not_text_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # read without blocking: refused, not waited on
    assert "--file" in (err := run("national", "--file", tmp_path / "pipe", code=2).stderr) and "is a FIFO" in err
    (tmp_path / "latin1.txt").write_bytes("Bristol, City of\nSaint Helens\xff\n".encode("latin-1"))
    assert "is not UTF-8 text" in run("national", "--file", tmp_path / "latin1.txt", code=2).stderr


def test_csv_parquet_and_table_carry_the_json_records(named, tmp_path):
    args = [a for n in NAMED for a in ("--council", n)]
    csv_text = run("national", *args, "--format", "csv").stdout
    df = pd.read_csv(io.StringIO(csv_text))
    assert df.to_dict("records") == named["records"]
    run("national", *args, "--output", tmp_path / "n.parquet")
    assert pd.read_parquet(tmp_path / "n.parquet").to_dict("records") == named["records"]
    table = run("national", *args).stdout
    assert "Barnet" in table and "Incomplete data" in table and "Isles of Scilly" in table


def test_a_non_finite_result_is_an_internal_error_in_every_format_and_nothing_is_written(tmp_path, monkeypatch):
    from costmodel.analysis import national_run
    real = national_run.assembled

    def poisoned(*args, **kwargs):
        result = real(*args, **kwargs)
        result["records"][0]["value"] = float("nan")
        return result
    monkeypatch.setattr(national_run, "assembled", poisoned)
    for fmt in ("table", "csv", "json", "parquet"):
        out = tmp_path / f"n.{ {'table': 'txt'}.get(fmt, fmt)}"
        result = CliRunner().invoke(main, ["national", "--council", "Doncaster", "--format", fmt, "--output", str(out)])
        assert result.exit_code == 1 and "not a finite number" in result.stderr, (fmt, result.output)
        assert not out.exists()
