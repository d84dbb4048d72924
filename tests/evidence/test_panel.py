"""The area panel: successors summed under a former council, rates recomputed from counts, event years."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from costmodel.evidence.panel import SOCIAL_CARE, event_year, matrix, panel
from costmodel.files import council_data


def tidy(rows):
    return pd.DataFrame([(c, c, y, m, v, "") for c, y, m, v in rows],
                        columns=["la_code", "la_name", "year", "measure", "value", "unit"])


def test_boundary_change_successors_summed_and_joint_workforce_used():
    rows = []
    for y, v in ((2019, 100.0), (2020, 110.0), (2021, 120.0)):
        rows += [("E10000021", y, "s251_safeguarding_gross_gbp", v), ("E10000021", y, "children_in_need", 10 * v)]
    for y in (2022, 2023):
        rows += [("E06000061", y, "s251_safeguarding_gross_gbp", 70.0), ("E06000062", y, "s251_safeguarding_gross_gbp", 60.0),
                 ("E06000061", y, "children_in_need", 700.0), ("E06000062", y, "children_in_need", 600.0)]
    rows += [("E06000062", 2024, "s251_safeguarding_gross_gbp", 65.0)]                 # one successor only: no sum
    rows += [("E10000021", 2020, "agency_fte", 30.0), ("E10000021", 2020, "social_worker_fte", 270.0)]
    rows += [("E06000061 / E06000062", 2021, "agency_fte", 20.0), ("E06000061 / E06000062", 2021, "social_worker_fte", 180.0)]
    p = panel(tidy(rows))
    s = p.loc["E10000021"]
    assert s.safeguarding.loc[2019:2023].tolist() == [100.0, 110.0, 120.0, 130.0, 130.0]
    assert np.isnan(s.safeguarding.get(2024, np.nan))
    assert s.children_in_need.loc[2022] == 1300.0
    assert s.agency_share_pct.loc[2020] == pytest.approx(10.0) and s.agency_share_pct.loc[2021] == pytest.approx(10.0)
    assert p.loc["E06000061"].safeguarding.loc[2022] == 70.0                           # successors stay as themselves too
    assert matrix(p, "safeguarding", ["E10000021", "nowhere"], (2019, 2023)).tolist()[0] == [100.0, 130.0]


def test_recomputed_rates_equal_dfe_published_rates_for_england():
    h = council_data.history()
    p = panel(h).loc["E92000001"]
    pub = h[h.la_code == "E92000001"].pivot(index="year", columns="measure", values="value")
    for mine, theirs, tol in (("agency_share_pct", "agency_rate_pct", 0.25), ("caseload_per_case_holder",
                              "caseload_per_case_holder", 0.051), ("turnover_pct", "turnover_rate_pct", 0.15)):
        years = pub[theirs].dropna().index
        assert np.allclose(p[mine].loc[years], pub[theirs].loc[years], atol=tol), mine
    years = pub.s251_cyp_total_gross_gbp.dropna().index
    assert (p[SOCIAL_CARE].loc[years] < pub.s251_cyp_total_gross_gbp.loc[years]).all()


def test_event_year_respects_each_reference_date():
    assert event_year(date(2018, 6, 4), "spend") == 2019      # in 2018-19
    assert event_year(date(2019, 2, 11), "spend") == 2019     # in 2018-19
    assert event_year(date(2019, 3, 31), "demand") == 2019    # 31 March 2019 is on or after it
    assert event_year(date(2018, 6, 4), "workforce") == 2018  # 30 September 2018
    assert event_year(date(2018, 10, 1), "workforce") == 2019
