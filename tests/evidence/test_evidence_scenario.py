"""The bundled ``evidence`` scenario agrees with the back-test on the packaged statistics (regenerate it if not)."""
from __future__ import annotations

import pytest

from costmodel.evidence.backtest import run_backtest
from costmodel.evidence.scenario import SCENARIO, scenario_values


def test_the_evidence_scenario_equals_what_the_back_test_gives(bundled):
    b = run_backtest(bundled.price_base_year)
    wanted = scenario_values(bundled, b)
    have = dict(bundled.scenarios[SCENARIO].overrides)
    assert set(have) == set(wanted), "keys of the evidence scenario"
    for key, (value, reason) in wanted.items():
        assert have[key] == pytest.approx(value, abs=1e-9), (
            f"scenarios.yaml evidence {key} = {have[key]}, the back-test now gives {value} ({reason}): regenerate it")


def test_its_values_follow_the_headline(bundled):
    b = run_backtest(bundled.price_base_year)
    v = scenario_values(bundled, b)
    assert v["options.in_house.improvement.total"][0]["value"] == pytest.approx(b.headline["extra_median"], abs=50_000)
    assert v["options.in_house.improvement.total"][0]["price_base"] == bundled.price_base_year
    lead = bundled.central("journey.diagnosis_months") + bundled.central("journey.stabilise_months")
    assert v["journey.implement_months"][0] + lead == pytest.approx(b.survival.median, abs=0.5)
    assert all(0 <= v[k][0] <= 1 for k in v if k.endswith(("agency_share_target", "step_down_per_year")))


def test_the_scenario_runs(bundled):
    from costmodel.comparison import compare
    r = compare(bundled.with_scenario(SCENARIO), scenario=SCENARIO)
    assert r["options"]["in_house"]["totals"]["improvement"] > compare(bundled)["options"]["in_house"]["totals"]["improvement"]
