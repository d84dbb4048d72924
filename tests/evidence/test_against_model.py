"""The assumptions held against the outturn: percentiles recomputed, prices restated, absent levers said so."""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import pytest

from costmodel.evidence.against_model import hold_against
from costmodel.evidence.backtest import run_backtest
from costmodel.evidence.deflator import bundled_gdp_deflator, to_base_factor


@pytest.fixture(scope="module")
def backtest(case_base):
    return run_backtest(case_base.price_base_year)


def _row(held, topic_start, observed_start=""):
    rows = held[held.topic.str.startswith(topic_start) & held.observed.str.startswith(observed_start)]
    return rows.iloc[0]


def test_improvement_total_percentile_is_the_share_of_councils_below(case_base, backtest):
    held = hold_against(case_base, backtest)
    key = "options.in_house.improvement.total"
    r = held[(held.key == key) & held.observed.str.contains("safeguarding")].iloc[0]
    extra = backtest.spend[(backtest.spend.line == "safeguarding") & (backtest.spend.comparator == "england")].extra
    default = case_base.central(key)
    assert r["default"] == default
    assert r["percentile"] == pytest.approx(((extra < default).sum() + 0.5 * (extra == default).sum()) / len(extra) * 100)
    assert r["median"] == pytest.approx(float(np.median(extra))) and r["councils"] == len(extra)
    assert r["within_iqr"] == bool(np.percentile(extra, 25) <= default <= np.percentile(extra, 75))


def test_months_to_a_safe_service_is_placed_on_the_kaplan_meier_curve(case_base, backtest):
    held = hold_against(case_base, backtest)
    for o in (o for o in case_base.options if o.improves):
        r = held[held.topic == f"Months to a safe core service ({o.label})"].iloc[0]
        months = sum(case_base.central(k) for k in (f"options.{o.key}.mobilisation_months", "journey.diagnosis_months",
                                                     "journey.stabilise_months", "journey.implement_months"))
        assert r["default"] == months
        assert r["percentile"] == pytest.approx((1 - backtest.survival.at(months)) * 100)
        assert r["median"] == backtest.survival.median


def test_a_lever_recorded_in_another_price_year_is_restated(case_base, backtest):
    key = "options.in_house.improvement.total"
    lever = case_base.levers[key]
    older = replace(case_base, levers=MappingProxyType({**case_base.levers, key: replace(lever, price_base=2016)}))
    r = hold_against(older, backtest)
    r = r[(r.key == key) & r.observed.str.contains("safeguarding")].iloc[0]
    index = bundled_gdp_deflator()
    assert r["default"] == pytest.approx(lever.central * index[case_base.price_base_year] / index[2016], rel=1e-12)
    assert to_base_factor(2016, 2025) == pytest.approx(index[2025] / index[2016])


def test_an_absent_lever_is_said_to_be_absent_not_an_error(case_base, backtest):
    gone = {"options.in_house.improvement.total", "baseline.social_workers.agency_share",
            "options.trust.governance.annual_cost"}
    fewer = replace(case_base, levers=MappingProxyType({k: v for k, v in case_base.levers.items() if k not in gone}))
    held = hold_against(fewer, backtest)
    r = held[held.key == "options.in_house.improvement.total"].iloc[0]
    assert pd.isna(r["default"]) and np.isnan(r["percentile"]) and "not in these assumptions" in r["note"]
    assert held[held.key == "baseline.social_workers.agency_share"].iloc[0]["note"].startswith("lever")
    assert "not in these assumptions" in held[held.key == "options.trust.governance.annual_cost"].iloc[0]["note"]
    assert len(held) == len(hold_against(case_base, backtest)) - 2   # one row each instead of two and three


def test_a_back_test_in_other_prices_is_refused(case_base):
    with pytest.raises(ValueError):
        hold_against(case_base, run_backtest(case_base.price_base_year - 1))


def test_the_improvement_default_is_scaled_to_the_council_as_the_model_scales_it(bundled, backtest):
    held = hold_against(bundled, backtest)
    key = "options.in_house.improvement.total"
    cin = bundled.central("baseline.caseload.children_in_need")
    ref = bundled.central("baseline.improvement_scaling.reference_children_in_need")
    e = bundled.central("baseline.improvement_scaling.elasticity")
    want = bundled.central(key) * bundled.price_factor(key) * (cin / ref) ** e
    r = held[(held.key == key) & held.observed.str.contains("safeguarding")].iloc[0]
    assert e > 0 and r["default"] == pytest.approx(want, rel=1e-12) and "scaled to this council's size" in r["note"]
    per_child = held[held.topic.str.startswith("Improvement cost per child in need")].iloc[0]
    assert per_child["default"] == pytest.approx(want / cin, rel=1e-12)
    size = held[held.key == "baseline.improvement_scaling.elasticity"].iloc[0]
    assert size["default"] == e and np.isnan(size["percentile"]) and size["within_iqr"] is None
