"""The report's "What would change the decision" section and its honest headline, at the default draw count."""
import re

import numpy as np
import pytest

from costmodel import montecarlo as mc
from costmodel import voi
from costmodel.cli.common import load_assumptions
from costmodel.report.data import DEFAULT_DRAWS, DEFAULT_SEED, report_data
from costmodel.report.decision_value import MIN_DRAWS
from costmodel.report.html import render_html


@pytest.fixture(scope="module")
def page():
    a = load_assumptions()
    data = report_data(a)  # the defaults: what `costmodel report` does
    return a, data, render_html(data)


def test_default_draws_make_the_headline_standard_error_under_half_a_point(page):
    a, data, html = page
    p = data["shares"][data["cheapest"]]
    se = np.sqrt(p * (1 - p) / DEFAULT_DRAWS)
    assert se < 0.005 and np.sqrt(0.25 / DEFAULT_DRAWS) < 0.005  # whatever the share
    assert f"(± {se * 100:.1f} percentage points, the Monte Carlo standard error)" in data["headline"]
    assert "under half a percentage point" in html


def test_evpi_and_group_values_on_the_page_equal_an_independent_run(page):
    a, data, html = page
    r = mc.montecarlo(mc.plan(a, DEFAULT_DRAWS, DEFAULT_SEED), keep_inputs=True)
    e = voi.evpi(r.present_value)
    shown = re.search(r"id='evpi' data-value='([^']+)' data-se='([^']+)'", html)
    assert float(shown.group(1)) == pytest.approx(e.value, rel=1e-12)
    assert float(shown.group(2)) == pytest.approx(e.standard_error, rel=1e-12)
    for g in data["decision_value"]["voi"].groups:
        assert 0.0 <= g.evppi.value <= e.value + 3 * (e.standard_error + g.evppi.standard_error)
    assert "What would change the decision" in html and "Resolve before deciding" in html


def test_scenario_discovery_and_sobol_beside_the_tornado(page):
    a, data, html = page
    dv = data["decision_value"]
    assert all(d.option != data["cheapest"] and d.wins >= 0.05 for d, _ in dv["discoveries"])
    assert "Tornado (one assumption at a time)" in html and "Sobol (all assumptions at once)" in html
    assert dv["sobol"].leading == (data["cheapest"], data["runner_up"])
    assert [r["tornado"] for r in dv["beside"]][:3] == [b["label"] for b in data["tornado"]["bars"][:3]]


def test_too_few_draws_say_not_estimated():
    data = report_data(load_assumptions(), draws=MIN_DRAWS - 1)
    assert data["decision_value"] is None
    assert f"need at least {MIN_DRAWS:,} Monte Carlo draws" in render_html(data)
