"""Prices: money as published converted to the appraisal's base year, checked against the bundled index read
independently (plain yaml, not the loader), and through every route the engine takes (values, sweeps, Monte Carlo)."""
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner

from costmodel import montecarlo as mc
from costmodel import sampling
from costmodel.cli import main
from costmodel.comparison import compare
from costmodel.engine import option_present_values
from costmodel.prices import PricePlan, relative_price_factors, to_base_prices
from costmodel.scenarios import varied

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_INDEX = yaml.safe_load((ROOT / "assumptions" / "prices.yaml").read_text())


def index_value(index: str, year: int) -> float:
    v = BUNDLED_INDEX["indices"][index]["years"][year]["value"]
    return v["central"] if isinstance(v, dict) else v


def test_the_bundled_factor_is_the_ratio_of_the_published_index(bundled):
    """£10m of improvement in 2016-17 prices is £10m x deflator(2025-26) / deflator(2016-17) in 2025-26 prices."""
    key = "options.in_house.improvement.total"
    lever = bundled.levers[key]
    assert lever.price_base == 2016 and BUNDLED_INDEX["groups"]["general"] == "gdp_deflator"
    factor = index_value("gdp_deflator", 2025) / index_value("gdp_deflator", 2016)
    assert factor == pytest.approx(103.2388 / 76.0754, rel=1e-12)  # HM Treasury, March 2026: 1.357
    assert bundled.price_factor(key) == pytest.approx(factor, rel=1e-12)
    assert bundled.values()[key][0] == pytest.approx(10_000_000 * factor, rel=1e-12)
    assert bundled.raw_values()[key][0] == 10_000_000


def test_every_money_lever_is_converted_with_its_groups_index(bundled):
    v, raw = bundled.values(), bundled.raw_values()
    base = bundled.price_base_year
    for key, lever in bundled.levers.items():
        if lever.unit.startswith("GBP") and lever.price_base is not None:
            index = BUNDLED_INDEX["groups"][lever.spec.price_group]
            want = raw[key][0] * index_value(index, base) / index_value(index, lever.price_base)
            assert v[key][0] == pytest.approx(want, rel=1e-12), key
        else:
            assert v[key][0] == raw[key][0] or (np.isnan(v[key][0]) and np.isnan(raw[key][0])), key


def test_a_figure_in_base_year_prices_has_factor_one_exactly(bundled):
    key = "baseline.social_workers.salary"
    assert bundled.levers[key].price_base == bundled.price_base_year
    assert bundled.price_factor(key) == 1.0 and bundled.values()[key][0] == bundled.raw_values()[key][0]


def test_moving_the_base_year_reprices_every_money_figure(bundled):
    moved = bundled.with_overrides([("appraisal.price_base_year", 2024)])
    for key in ("options.in_house.improvement.total", "baseline.social_workers.salary", "baseline.outset_spend"):
        year = bundled.levers[key].price_base
        want = bundled.raw_values()[key][0] * index_value("gdp_deflator", 2024) / index_value("gdp_deflator", year)
        assert moved.values()[key][0] == pytest.approx(want, rel=1e-12)
    # the same costs at a lower price level: every option's present value falls by about the 2025-26 inflation
    ratio = index_value("gdp_deflator", 2024) / index_value("gdp_deflator", 2025)
    a, b = compare(bundled)["options"], compare(moved)["options"]
    for k in a:
        assert b[k]["present_value"] == pytest.approx(a[k]["present_value"] * ratio, rel=0.01)


def test_choosing_another_index_for_a_group_changes_only_that_groups_levers(bundled):
    import dataclasses
    prices = bundled.prices._replace(groups={**bundled.prices.groups, "placements": "cpih"})
    a = dataclasses.replace(bundled, prices=prices)
    key = "baseline.legacy_placements.weekly_cost"  # 2024-25 prices
    want = bundled.raw_values()[key][0] * index_value("cpih", 2025) / index_value("cpih", 2024)
    assert a.values()[key][0] == pytest.approx(want, rel=1e-12)
    assert a.values()["options.in_house.improvement.total"][0] == bundled.values()["options.in_house.improvement.total"][0]


def test_sweeps_and_tornado_values_are_converted_like_the_central_value(bundled):
    key = "options.trust.set_up.amount"
    v = varied(bundled, {key: np.array([1_000_000.0, 2_000_000.0])})
    f = bundled.price_factor(key)
    np.testing.assert_allclose(v[key], [1_000_000 * f, 2_000_000 * f], rtol=1e-12)


def test_monte_carlo_draws_forecast_index_years_and_converts_each_draw(bundled):
    p = mc.plan(bundled, 2000, seed=4)
    drawn = {d.key for d in p.drawn}
    assert "prices.gdp_deflator.2025" in drawn  # the base year is a forecast year with a range
    x = sampling.draw_block(list(p.drawn), 4, 0, 2000, "pert", p.correlation)
    raw = dict(bundled.raw_values())
    raw.update({d.key: x[:, j] for j, d in enumerate(p.drawn)})
    base_index = raw["prices.gdp_deflator.2025"]
    assert np.ptp(base_index) > 0
    # by hand: the improvement figure of each draw x that draw's deflator(2025-26) / deflator(2016-17)
    converted = to_base_prices(raw, bundled.price_plan)
    key = "options.trust.improvement.total"
    np.testing.assert_allclose(converted[key], raw[key] * base_index / index_value("gdp_deflator", 2016), rtol=1e-12)
    pv = option_present_values(bundled.options, bundled.horizon_years, converted, 2000)
    np.testing.assert_allclose(mc.montecarlo(p).present_value, pv, rtol=1e-12)


def test_relative_price_factors_are_one_in_the_base_year_and_compound():
    f = relative_price_factors(np.array([0.02, 0.0]), 2025, 2025, 4)
    np.testing.assert_allclose(f, [[1, 1.02, 1.02 ** 2, 1.02 ** 3], [1, 1, 1, 1]])
    assert relative_price_factors(0.05, 2026, 2025, 1)[0, 0] == pytest.approx(1.05)  # start a year after the base


def test_a_plan_converts_only_its_levers():
    values = {"a": np.array([100.0]), "b": np.array([5.0]), "prices.x.2020": np.array([80.0]), "prices.x.2025": np.array([100.0])}
    out = to_base_prices(values, PricePlan(2025, {"a": ("x", 2020)}))
    assert out["a"][0] == 125.0 and out["b"][0] == 5.0 and values["a"][0] == 100.0  # the input is not changed
    assert to_base_prices(values, None) == values


def test_sources_json_gives_every_money_lever_as_published_in_base_prices_and_factor(bundled):
    import json
    result = CliRunner().invoke(main, ["sources", "--format", "json"])
    assert result.exit_code == 0, result.output
    reg = json.loads(result.output)
    money = {m["key"]: m for m in reg["money_levers"]}
    assert set(money) == {k for k, l in bundled.levers.items() if l.unit.startswith("GBP")}
    m = money["options.in_house.improvement.total"]
    assert m["as_published"] == {"value": 10_000_000, "low": 3_000_000, "high": 15_000_000, "price_year": 2016,
                                 "prices": "2016-17"}
    assert m["factor"] == pytest.approx(index_value("gdp_deflator", 2025) / index_value("gdp_deflator", 2016), rel=1e-12)
    assert m["in_base_prices"]["value"] == pytest.approx(10_000_000 * m["factor"], rel=1e-12)
    assert m["text"].startswith("£10.0m (2016-17 prices) → £13.6m (2025-26 prices)")
    assert m["basis"] == "published" and m["url"].startswith("https://")
    for x in money.values():  # every money lever in the files: a price year, a basis and a URL, identifier or reasoning
        if not x["catalogue_default"]:
            assert x["as_published"]["price_year"] and x["basis"] in ("published", "derived", "judgement")
            assert x["url"] or x["identifier"] or x["reasoning"], x["key"]
    assert reg["price_indices"]["groups"]["general"] == "gdp_deflator"


def test_the_table_shows_the_conversion():
    result = CliRunner().invoke(main, ["sources"])
    assert "£10.0m (2016-17 prices) → £13.6m" in result.output


def test_every_source_has_a_url_or_an_identifier_and_every_one_is_cited(bundled):
    from costmodel.sources import register
    reg = register(bundled)
    for s in reg["sources"]:
        assert s["url"] or s["identifier"], s["key"]
        cited_by_index = any(i.source == s["key"] for i in bundled.prices.indices.values())
        assert s["levers"] or cited_by_index, f"{s['key']} is cited by no lever"
