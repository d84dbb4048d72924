"""``--council NAME`` on every command that reads assumptions: the same as ``costmodel init --council`` into a
temporary folder then ``--assumptions`` on it; with ``--assumptions`` a usage error; the report and the workbook
name the council."""
import json
import re
import subprocess

import click
import openpyxl
import pytest
from click.testing import CliRunner

from costmodel.cli import main
from tests.cli.test_help import commands

COUNCILS = ["Doncaster", "E06000046", "Richmond upon Thames", "Kensington and Chelsea", "Isles of Scilly"]


def run(*args, code=0):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == code, result.output
    return result


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("councils")
    for name in COUNCILS:
        run("init", "--council", name, tmp / name)
    return tmp


@pytest.mark.parametrize("name", COUNCILS)
def test_compare_council_equals_compare_assumptions_on_the_folder_init_wrote(folders, name):
    on_folder = json.loads(run("compare", "--assumptions", folders / name, "--format", "json").stdout)
    direct = json.loads(run("compare", "--council", name, "--format", "json").stdout)
    assert direct == on_folder
    assert direct["council"]["name"] in name or direct["council"]["code"] == name
    table = run("compare", "--council", name).stdout
    assert table.startswith(f"Council: {direct['council']['name']} (ONS {direct['council']['code']}")
    assert re.search(r"Outset spend reconciles: core £[\d.,]+m \(derived\)", table)


def test_scenarios_and_sets_apply_on_top_of_the_council(folders):
    args = ["--scenario", "legacy_worse", "--set", "options.trust.mobilisation_months=12", "--format", "json"]
    assert json.loads(run("compare", "--council", "Doncaster", *args).stdout) == \
        json.loads(run("compare", "--assumptions", folders / "Doncaster", *args).stdout)


def test_council_with_assumptions_is_a_usage_error(folders):
    result = run("compare", "--council", "Doncaster", "--assumptions", folders / "Doncaster", code=2)
    assert "--council and --assumptions cannot be used together" in result.output


def commands_with_assumptions():
    """Every command and subcommand whose options include --assumptions (benchmark's --council is its subject)."""
    return [(path, cmd) for path, cmd in commands()
            if not isinstance(cmd, click.Group) and any("--assumptions" in p.opts for p in cmd.params)]


def test_every_command_that_takes_assumptions_takes_council():
    found = commands_with_assumptions()
    names = {" ".join(p) for p, _ in found}
    assert names >= {"compare", "validate", "sources", "sweep", "tornado", "switching", "montecarlo", "report",
                     "workbook build", "workbook read", "voi", "sobol", "discover", "backtest", "benchmark",
                     "excel workbook"}
    for path, cmd in found:
        assert any("--council" in p.opts for p in cmd.params), " ".join(path)


@pytest.mark.parametrize("args", [["validate"], ["sources", "--format", "json"],
                                  ["tornado", "--option", "trust", "--format", "json"], ["montecarlo", "--draws", "200", "--format", "json"]])
def test_other_commands_on_a_council_equal_the_same_command_on_its_folder(folders, args):
    direct = run(*args, "--council", "Isle of Wight").stdout
    on_folder = run(*args, "--assumptions", folders / "E06000046").stdout
    if args[0] == "validate":  # names the folder it read
        direct, on_folder = (re.sub(r"OK: \S+:", "OK:", t) for t in (direct, on_folder))
    assert direct == on_folder


def test_the_report_names_the_council_and_shows_its_benchmark(tmp_path):
    out = tmp_path / "report.html"
    run("report", "--council", "Doncaster", "--draws", "0", "--output", out)
    html = out.read_text(encoding="utf-8")
    masthead = html[html.index("<header"):html.index("</header>")]
    assert "Doncaster" in masthead and "E08000017" in masthead and "2,251 children in need (at 31 March 2025)" in masthead
    assert "section 251 outturn £92.8m" in masthead and "(financial year 2024-25)" in masthead
    assert "250.3 social worker FTE, 12.8% agency (at 30 September 2025)" in masthead
    assert "Ofsted: Good (inspection starting 2025-01-20)" in masthead
    assert "id='benchmark'" in html and "data-council='E08000017'" in html
    bundled = tmp_path / "bundled.html"
    run("report", "--draws", "0", "--output", bundled)
    assert "id='benchmark'" not in bundled.read_text(encoding="utf-8")


def test_the_workbook_names_the_council_and_carries_its_benchmark_and_the_notes(tmp_path):
    out = tmp_path / "iow.xlsx"
    run("workbook", "build", "--council", "Isle of Wight", "--output", out)
    wb = openpyxl.load_workbook(out)
    cover = {r[0]: r[1] for r in wb["Cover"].iter_rows(max_col=2, values_only=True) if r[0]}
    assert cover["Council"].startswith("Isle of Wight (ONS E06000046, DfE 921)")
    assert "Values - Benchmark" in wb.sheetnames
    inputs = {r[0]: r for r in wb["Inputs"].iter_rows(values_only=True) if r and r[0]}
    note = inputs["baseline.caseload.children_in_need"][11]
    assert "Children in need: 1,238 (at 31 March 2025)" in note and "E06000046" in note
    assert inputs["baseline.caseload.children_in_need"][8] == "dfe_cin_2025_la"
    back = run("workbook", "read", out, "--council", "Isle of Wight").stdout
    assert "OK:" in back


def test_init_and_compare_council_as_real_processes(tmp_path):
    done = subprocess.run(["costmodel", "init", "--council", "Doncaster"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "doncaster" / "baseline.yaml").exists()
    done = subprocess.run(["costmodel", "compare", "--council", "Doncaster"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "Council: Doncaster" in done.stdout and "Council: Doncaster" in done.stderr
    done = subprocess.run(["costmodel", "compare", "--council", "Doncster"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("Error: --council 'Doncster'") and "Traceback" not in done.stderr
