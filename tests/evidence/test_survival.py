"""Kaplan-Meier against a hand-computed example, and properties any product-limit estimate must have."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.evidence.survival import kaplan_meier


def test_hand_computed_example():
    # 7 councils; months and whether each improved (False: censored, e.g. not yet re-inspected).
    # t=2: 7 waiting, 1 improves -> 6/7. t=3: 6 waiting (the one censored at 3 still counts), 1 improves -> 6/7 * 5/6 = 5/7.
    # t=5: 4 waiting (5, 6, 8, 9) -> 5/7 * 3/4 = 15/28. t=8: 2 waiting (8, 9) -> 15/28 * 1/2 = 15/56.
    km = kaplan_meier([2, 3, 3, 5, 6, 8, 9], [True, False, True, True, False, True, False])
    assert km.times.tolist() == [2, 3, 5, 8]
    assert km.at_risk.tolist() == [7, 6, 4, 2] and km.events.tolist() == [1, 1, 1, 1]
    assert km.survival == pytest.approx([6 / 7, 5 / 7, 15 / 28, 15 / 56], rel=1e-12)
    assert km.n == 7 and km.censored == 3
    assert km.median == 8                      # S(5) = 0.536 > 0.5, S(8) = 0.268
    assert km.quantile(0.25) == 3              # S(3) = 0.714 <= 0.75
    assert km.at(0) == 1.0 and km.at(4.9) == pytest.approx(5 / 7) and km.at(5) == pytest.approx(15 / 28)
    # Greenwood at t=3: S^2 * (1/(7*6) + 1/(6*5))
    assert km.std_error[1] == pytest.approx(5 / 7 * math.sqrt(1 / 42 + 1 / 30), rel=1e-12)


def test_no_event_means_no_median_and_everyone_still_waiting():
    km = kaplan_meier([10, 20, 30], [False, False, False])
    assert km.times.size == 0 and km.median is None and km.at(100) == 1.0 and km.censored == 3


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError):
        kaplan_meier([-1, 2], [True, True])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=40))
def test_without_censoring_it_is_the_empirical_distribution(times):
    km = kaplan_meier(times, [True] * len(times))
    t = np.array(times)
    for x in set(times):
        assert km.at(x) == pytest.approx((t > x).mean(), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=60), st.booleans()), min_size=1, max_size=40))
def test_survival_never_rises_and_stays_in_zero_one(pairs):
    km = kaplan_meier([p[0] for p in pairs], [p[1] for p in pairs])
    assert np.all(np.diff(km.survival) <= 1e-15)
    assert np.all((km.survival >= 0) & (km.survival <= 1))
