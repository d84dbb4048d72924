"""Every kind of bad input gets one clear line naming the file, the key and what was expected; exit code 2."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path):
    dest = tmp_path / "assumptions"
    shutil.copytree(ROOT / "assumptions", dest)
    return dest


def edit(folder: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, count))


def run(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert "Traceback" not in result.output
    return result


def assert_error(result, *fragments):
    assert result.exit_code == 2, result.output
    for f in fragments:
        assert f in result.output, (f, result.output)


WEEKLY = "  weekly_cost:\n    label: Weekly cost of a legacy (out-of-area residential) placement\n    unit: GBP/week"

CASES = {
    "unknown key with did-you-mean": (
        "baseline.yaml", "  weekly_cost:\n", "  weekly_cst:\n",
        ["baseline.yaml:", "baseline.legacy_placements.weekly_cst", "unknown key", "did you mean baseline.legacy_placements.weekly_cost"]),
    "missing unit": (
        "baseline.yaml", WEEKLY, WEEKLY.rsplit("\n", 1)[0],
        ["baseline.legacy_placements.weekly_cost", "missing unit (expected GBP/week)"]),
    "unit outside the vocabulary": (
        "baseline.yaml", WEEKLY, WEEKLY.replace("GBP/week", "GBP/wk"),
        ["baseline.legacy_placements.weekly_cost", "'GBP/wk' is not in the vocabulary", "did you mean GBP/week"]),
    "unit not the catalogue's": (
        "baseline.yaml", WEEKLY, WEEKLY.replace("GBP/week", "GBP/yr"),
        ["baseline.legacy_placements.weekly_cost", "does not match the catalogue: expected GBP/week"]),
    "low above central": (
        "baseline.yaml", "{low: 6382.5, central: 7227.5, high: 8188.75}", "{low: 7500, central: 7227.5, high: 8188.75}",
        ["baseline.legacy_placements.weekly_cost", "expected low <= central <= high, got 7500 / 7227.5 / 8188.75"]),
    "central above high": (
        "baseline.yaml", "{low: 6382.5, central: 7227.5, high: 8188.75}", "{low: 6382.5, central: 9500, high: 8188.75}",
        ["baseline.legacy_placements.weekly_cost", "expected low <= central <= high"]),
    "fraction outside 0-1": (
        "baseline.yaml", "{low: 0.2026, central: 0.2456, high: 0.3142}", "{low: 0.2026, central: 24.56, high: 31.42}",
        ["baseline.social_workers.agency_share", "above the maximum 1", "fractions: 0.035, not 3.5"]),
    "phase split not summing to 1": (
        "options.yaml", "        value: 0.35\n", "        value: 0.45\n",
        ["options.in_house.improvement.phase_split", "phase splits sum to 1.1, expected 1"]),
    "negative cost": (
        "baseline.yaml", "{low: 400000, central: 500000, high: 700000}", "{low: -400000, central: 500000, high: 700000}",
        ["baseline.senior_team.annual_cost", "negative cost -400000"]),
    "month beyond the horizon": (
        "options.yaml", "      label: Month set-up starts\n      unit: month\n      value: 0",
        "      label: Month set-up starts\n      unit: month\n      value: 200",
        ["options.executive_leadership.set_up.start_month", "month 200 is beyond the horizon (months 0 to 119"]),
    "unknown source key": (
        "baseline.yaml", "source: nao_2025_residential", "source: nao_2025_residental",
        ["baseline.legacy_placements.count", "source 'nao_2025_residental' is not in sources.yaml",
         "did you mean nao_2025_residential"]),
    "malformed YAML": (
        "journey.yaml", "diagnosis_months:\n  label:", "diagnosis_months:\n label: [\n  label:",
        ["journey.yaml:", "malformed YAML"]),
    "duplicate key": (
        "journey.yaml", "sustain_months:", "stabilise_months:",
        ["journey.yaml:", "duplicate key 'stabilise_months'"]),
    "price year outside the index": (
        "baseline.yaml", "    unit: GBP/week\n    price_base: 2024", "    unit: GBP/week\n    price_base: 1999",
        ["baseline.legacy_placements.weekly_cost", "the price index gdp_deflator has no 1999-00 (it covers 2010-11 to 2030-31)"]),
    "base year outside the index": (
        "appraisal.yaml", "  unit: year\n  value: 2025\n  source: green_book_2022", "  unit: year\n  value: 2040\n  source: green_book_2022",
        ["baseline.outset_spend", "the price index gdp_deflator has no 2040-41"]),
    "renamed key": (
        "baseline.yaml", "  target_per_case_holder:", "  target_per_worker:",
        ["baseline.caseload.target_per_worker", "renamed or removed: use baseline.caseload.target_per_case_holder"]),
    "derived without its derivation": (
        "baseline.yaml", "    derivation: >-\n      Employed (inpost_fte)", "    note: >-\n      Employed (inpost_fte)",
        ["baseline.social_workers.fte", "a derived figure needs its derivation"]),
    "optimism-bias category not in the Green Book": (
        "options.yaml", "category: outsourcing", "category: outsorcing",
        ["optimism_bias", "'outsorcing' is not a Green Book optimism-bias category", "did you mean outsourcing"]),
    "price index with an unknown source": (
        "prices.yaml", "source: hmt_gdp_deflators_2026_03", "source: hmt_gdp_deflators",
        ["prices.yaml", "prices.indices.gdp_deflator.source", "'hmt_gdp_deflators' is not in sources.yaml"]),
    "a date where a number belongs": (
        "journey.yaml", "  value: 36", "  value: 2026-04-01",
        ["journey.sustain_months", "got the date 2026-04-01"]),
    "text where a number belongs": (
        "journey.yaml", "  value: 36", "  value: three years",
        ["journey.sustain_months", "expected a number in months, got 'three years'"]),
    "floor above the count": (
        "baseline.yaml", "{low: 3, central: 5, high: 10}", "{low: 30, central: 50, high: 100}",
        ["baseline.legacy_placements.floor", "cannot exceed the count"]),
    "judgement without reasoning": (
        "baseline.yaml", "    reasoning: Some children's needs keep them in specialist placements whatever the service does; a quarter of the "
        "central count.\n", "",
        ["baseline.legacy_placements.floor", "a judgement needs its reasoning"]),
    "unknown delivery model": (
        "options.yaml", "  model: trust\n", "  model: trusts\n",
        ["options.trust.model", "model 'trusts' is not one of", "did you mean trust"]),
    "no business as usual": (
        "options.yaml", "do_minimum:\n  label: Business as usual\n  model: business_as_usual",
        "status_quo:\n  label: Business as usual\n  model: business_as_usual",
        ["options.do_minimum", "missing: business as usual is the counterfactual"]),
    "missing required lever": (
        "baseline.yaml", "  days_per_year:\n    label: Days an interim leader is paid a year\n    unit: days/yr\n    value: 220\n"
        "    basis: judgement\n    reasoning: 260 weekdays less leave and bank holidays, for day-rate contracts.\n", "",
        ["baseline.yaml", "baseline.interim_leaders.days_per_year", "missing required lever"]),
    "scenario on an unknown key": (
        "scenarios.yaml", "options.trust.mobilisation_months: 18", "options.trust.mobilization_months: 18",
        ["options.trust.mobilization_months", "unknown lever key", "did you mean options.trust.mobilisation_months"]),
    "journey-only lever on business as usual": (
        "options.yaml", "  model: business_as_usual\n", "  model: business_as_usual\n  mobilisation_months: {unit: months, value: 3, basis: judgement, reasoning: x}\n",
        ["options.do_minimum.mobilisation_months", "business as usual has no improvement journey"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_assumption_file(folder, name):
    file, old, new, fragments = CASES[name]
    edit(folder, file, old, new)
    for command in ("validate", "compare"):
        assert_error(run(command, "--assumptions", folder), *fragments)


def test_number_written_like_70_1e6_is_read_as_a_number(folder):
    edit(folder, "baseline.yaml", "{low: 51300000, central: 57000000, high: 62700000}", "{low: 51.3e6, central: 57e6, high: 6.27e+7}")
    result = run("compare", "--assumptions", folder, "--format", "json")
    assert result.exit_code == 0, result.output


def test_validate_reports_every_problem_not_the_first(folder):
    edit(folder, "baseline.yaml", "source: nao_2025_residential", "source: nowhere")
    edit(folder, "journey.yaml", "  value: 36", "  value: -36")
    edit(folder, "options.yaml", "  model: trust\n", "  model: trusts\n")
    result = run("validate", "--assumptions", folder)
    assert_error(result, "source 'nowhere'", "journey.sustain_months", "options.trust.model")
    assert len([l for l in result.output.splitlines() if l.strip()]) >= 3


def test_missing_file(folder):
    (folder / "journey.yaml").unlink()
    assert_error(run("validate", "--assumptions", folder), "journey.yaml", "missing file")


def test_missing_folder(tmp_path):
    assert_error(run("compare", "--assumptions", tmp_path / "nowhere"), "nowhere", "assumptions folder not found")


@pytest.mark.parametrize("setting, fragments", [
    ("options.trust.set_up.amont=1", ["options.trust.set_up.amont", "unknown lever key", "did you mean options.trust.set_up.amount"]),
    ("options.trust.set_up.amount=lots", ["options.trust.set_up.amount", "expected a number in GBP, got 'lots'"]),
    ("options.trust.set_up.amount=-5", ["options.trust.set_up.amount", "negative cost"]),
    ("baseline.social_workers.agency_share=30", ["baseline.social_workers.agency_share", "above the maximum"]),
    ("options.trust.set_up.amount", ["expected KEY=VALUE"]),
    ("appraisal.horizon_years=1", ["options.in_house.leadership.interim_end_month", "month 18 is beyond the horizon"]),
    ("appraisal.mid_year_discounting=maybe", ["appraisal.mid_year_discounting", "expected true or false"]),
])
def test_bad_set(setting, fragments):
    assert_error(run("compare", "--set", setting), *fragments)


def test_unknown_scenario():
    assert_error(run("compare", "--scenario", "legacy_wrose"), "unknown scenario", "did you mean legacy_worse")


def test_output_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "result.json"
    out.write_text("keep me")
    assert_error(run("compare", "--output", out), "already exists", "--force")
    assert out.read_text() == "keep me"
    assert run("compare", "--output", out, "--force").exit_code == 0
    assert out.read_text().startswith("{")


def test_output_into_a_missing_folder(tmp_path):
    assert_error(run("compare", "--output", tmp_path / "no" / "x.csv"), "does not exist")


def test_each_problem_is_reported_once_even_with_scenarios(folder):
    """A broken base is not reported again by every scenario that re-checks it."""
    edit(folder, "options.yaml", "        value: 0.35\n", "        value: 0.45\n")
    result = run("validate", "--assumptions", folder)
    lines = [l for l in result.output.splitlines() if "phase splits sum to 1.1" in l]
    assert len(lines) == 3 and len(set(lines)) == 3  # in_house, executive_leadership, trust
    assert all(l.split(": ")[0].startswith("options.yaml:") or "options.yaml:" in l for l in lines)
