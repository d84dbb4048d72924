"""Hard bounds and plausible ranges of every lever, identifiers, correlations checked once, work estimates."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from costmodel import levers as lv
from costmodel import limits
from costmodel.assumptions import build
from costmodel.comparison import compare
from costmodel.errors import AssumptionError, CostmodelError
from costmodel.identifiers import MAX_LENGTH, identifier_problem, suggestion
from costmodel.validation import coerce_value, correlation_problems


def finite(obj) -> bool:
    if isinstance(obj, dict):
        return all(finite(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(finite(v) for v in obj)
    if isinstance(obj, float):
        return math.isfinite(obj)
    return True


def test_every_lever_has_finite_hard_bounds_and_a_plausible_range_inside_them():
    for spec in lv.CATALOGUE:
        lo, hi = spec.limits
        assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, spec.pattern
        plo, phi = spec.plausible
        assert lo <= plo < phi <= hi, spec.pattern


def test_every_plausible_range_names_a_lever_of_the_catalogue():
    patterns = {spec.pattern for spec in lv.CATALOGUE}
    assert set(limits.PLAUSIBLE) <= patterns, set(limits.PLAUSIBLE) - patterns
    assert set(limits.HARD_MAXIMUM) >= {spec.unit for spec in lv.CATALOGUE}


@pytest.mark.parametrize("raw", ["1e308", "1e400", "inf", "-inf", "nan", float("nan"), float("inf"), 1e308, 10**400])
def test_non_finite_and_overflowing_numbers_are_refused_naming_the_range(raw):
    _, err = coerce_value(raw, lv.spec_for("baseline.interim_leaders.day_rate"))
    assert err
    assert ("expected 0 to 1e+12" in err) or ("finite" in err) or ("expected a number" in err), err


def test_the_bundled_and_the_test_fixture_are_plausible(bundled, case_base):
    assert limits.implausible(bundled.levers) == []
    assert limits.implausible(case_base.levers) == []


def test_an_implausible_value_is_a_warning_naming_the_place_and_range(bundled):
    a = bundled.with_overrides([("baseline.social_workers.salary", "4000000")])
    [w] = limits.implausible(a.levers)
    assert (w.where, w.key) == ("--set", "baseline.social_workers.salary")
    assert "4,000,000 GBP/yr is outside the plausible range 15,000 to 150,000" in w.message


def test_every_lever_at_either_hard_bound_gives_finite_results(bundled):
    """The hard bounds are what keeps every product of levers finite: each lever at each of its bounds."""
    tried = 0
    for key, lever in bundled.levers.items():
        for value in lever.spec.limits:
            try:
                a = bundled.with_overrides([(key, repr(value))])
            except AssumptionError:
                continue  # a cross-lever rule refuses it (a month beyond the horizon, a floor above the count)
            tried += 1
            assert finite(compare(a)), (key, value)
    assert tried > 50


def test_all_money_and_counts_at_their_maximum_together_stay_finite(bundled):
    sets = [(k, repr(l.spec.limits[1])) for k, l in bundled.levers.items()
            if not l.is_default and l.unit in ("GBP", "GBP/yr", "GBP/week", "GBP/day", "FTE", "people") or k == "baseline.legacy_placements.count"
            or k.endswith("optimism_bias")]
    a = bundled.with_overrides(sets)
    assert finite(compare(a))


@pytest.mark.parametrize("name, expected", [("peer review", "peer_review"), ("board-2025", "board_2025"),
                                            ("Peer Review", "peer_review"), ("2025 board", "x2025_board"),
                                            ('q+WEBSERVICE("http://x")+q', "q_webservice_http_x_q"), ("", "x")])
def test_a_bad_name_gets_a_suggestion_that_is_itself_valid(name, expected):
    assert identifier_problem(name, "item") is not None
    assert suggestion(name) == expected
    assert identifier_problem(suggestion(name), "item") is None


@given(st.text(max_size=80))
@settings(max_examples=200, deadline=None)
def test_every_suggestion_is_a_valid_identifier(text):
    assert identifier_problem(suggestion(text), "x") is None


def test_names_longer_than_the_limit_are_refused():
    assert identifier_problem("a" * MAX_LENGTH, "x") is None
    assert "at most 30 characters" in identifier_problem("a" * (MAX_LENGTH + 1), "x")


def _rebuild(a, options=None, extra=None):
    records = [(k, {"unit": l.unit, "value": {"low": l.low, "central": l.central, "high": l.high}, "basis": "judgement", "reasoning": "test",
                    **({"price_base": l.price_base or a.price_base_year} if l.unit in lv.MONEY_UNITS else {})}, "x.yaml:1")
               for k, l in a.levers.items() if not l.is_default]
    return build(records, list(options or a.options), a.sources, None, extra=extra if extra is not None else a.extra)


def test_an_external_support_item_must_be_an_identifier(bundled):
    opts = [o._replace(support=("peer review",) if o.key == "in_house" else o.support) for o in bundled.options]
    with pytest.raises(AssumptionError) as e:
        _rebuild(bundled, opts)
    text = str(e.value)
    assert "options.in_house.external_support.peer review" in text and "try 'peer_review'" in text


@pytest.mark.parametrize("declared, fragment", [
    ([{"levers": ["options.in_house.improvement.total", "options.trust.improvement.total"], "rho": 1.5}], "rho must be"),
    ({"levers": ["a", "b"], "rho": 0.5}, "expected a list"),
    ([{"levers": ["options.in_house.improvement.total", "options.trust.improvement.total"], "rho": float("nan")}], "rho must be"),
    ([{"levers": ["options.in_house.improvement.total", "nope.key"], "rho": 0.5}], "unknown lever key"),
    ([{"levers": ["appraisal.horizon_years", "options.trust.improvement.total"], "rho": 0.5}], "structural or a flag"),
    ([{"levers": ["options.in_house.improvement.total", "options.trust.improvement.total"], "rho": 0.9},
      {"levers": ["options.in_house.improvement.total", "options.executive_leadership.improvement.total"], "rho": 0.9},
      {"levers": ["options.trust.improvement.total", "options.executive_leadership.improvement.total"], "rho": -0.9}],
     "not positive definite"),
])
def test_bad_correlations_are_refused_when_the_set_is_built(bundled, declared, fragment):
    assert any(fragment in str(p) for p in correlation_problems(declared, bundled.levers))
    with pytest.raises(AssumptionError) as e:
        _rebuild(bundled, extra={"correlations": declared})
    assert fragment in str(e.value)


def test_work_limits_refuse_with_the_estimate_and_a_hint():
    cost = limits.monte_carlo_cost(1, 4, 120)
    limits.check_work("--draws 1000", 1000, cost, memory=1e9, hint="use fewer")
    with pytest.raises(CostmodelError) as e:
        limits.check_work("--draws 1000000000", 10**9, cost, memory=1e9, hint="use fewer", cluster_hint="use a cluster")
    text = str(e.value)
    assert text.startswith("--draws 1000000000: needs about 320.0 GB") and text.endswith("use fewer; use a cluster")
    with pytest.raises(CostmodelError) as e:  # memory alone: a cluster would not help
        limits.check_work("--draws 5000000", 5 * 10**6, cost, memory=1e9, hint="use fewer", cluster_hint="use a cluster")
    assert str(e.value).endswith("use fewer")
    cap = limits.largest(cost, 1e9)
    limits.check_work("cap", cap, cost, memory=1e9, hint="")
    with pytest.raises(CostmodelError):
        limits.check_work("cap + 1", cap + 1, cost, memory=1e9, hint="")
