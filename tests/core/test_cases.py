"""The worked examples in tests/cases/*.yaml: inputs and figures a finance officer can check by hand."""
from pathlib import Path

import pytest
import yaml

from costmodel.comparison import compare
from costmodel.files.assumption_folder import load_folder

CASES = Path(__file__).parents[1] / "cases"
BASE = load_folder(CASES / "base")


def _field(result: dict, path: str):
    dotted = ("lines.", "totals.", "present_value_by_payer.")
    for part in path.split(".", 1) if path.startswith(dotted) else [path]:
        result = result[part]
    return result


@pytest.mark.parametrize("case_file", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_worked_example(case_file):
    case = yaml.safe_load(case_file.read_text())
    assert case["title"] and case["explain"] and case["expect"]
    a = BASE.with_overrides(case.get("set", {}), where=case_file.name)
    result = compare(a, terms=case.get("terms", "real"), perspective=case.get("perspective", "public-sector"))
    for e in case["expect"]:
        option = result["options"][e["option"]]
        if "annual" in e:
            got = option["annual"][e["year"]][e["annual"]]
        else:
            got = _field(option, e["field"])
        if e["value"] is None:
            assert got is None, (case_file.name, e)
        else:
            assert got == pytest.approx(e["value"], rel=1e-9, abs=1e-6), (case_file.name, e)


def test_there_are_at_least_the_four_required_cases():
    names = {p.stem for p in CASES.glob("*.yaml")}
    assert {"straddle_two_years", "year_31_of_40", "legacy_step_down_to_floor",
            "three_one_off_costs_with_optimism_bias", "price_conversion_at_an_earlier_price_year",
            "safe_core_uplift_per_case_holder", "payer_split_sums_to_present_value", "improvement_net_of_caseload_uplift",
            "improvement_reaches_safe_core_before_sustain", "interim_posts_are_not_in_the_senior_team",
            "relative_price_effect_in_present_value"} <= names
