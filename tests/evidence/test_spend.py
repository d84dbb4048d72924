"""Extra spend on small synthetic panels where the answer is known by construction."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from costmodel.evidence.backtest import spend_tables
from costmodel.evidence.panel import SPEND_LINES, panel
from costmodel.evidence.spend import SPEND_YEARS, Window, excess, percentile_rank, price_factors, quartiles, window_for

YEARS = np.array(SPEND_YEARS)
ENGLAND = 1000.0 * 1.05 ** (YEARS - 2017)
ONES = np.ones(len(YEARS))


def test_window_from_the_judgement_year_to_the_year_after_improving():
    w = window_for(pd.Timestamp("2019-02-11"), pd.Timestamp("2022-07-18"))
    assert (w.baseline, w.start, w.end, w.truncated) == ((2017, 2018), 2019, 2024, False)
    w = window_for(pd.Timestamp("2021-12-06"), pd.Timestamp("2024-12-02"))
    assert (w.baseline, w.start, w.end, w.truncated) == ((2019, 2020, 2021), 2022, 2025, True)
    w = window_for(pd.Timestamp("2023-07-11"), None)            # not improved: followed to the last year
    assert (w.start, w.end, w.truncated) == (2024, 2025, False)
    assert window_for(pd.Timestamp("2016-05-01"), None) is None  # no baseline year in the data


def test_a_known_step_in_spend():
    # Share of England: 5% before, 6% in the window's first four years, 5.5% in its last (a lasting step of 10%).
    share = np.where(YEARS < 2019, 0.05, np.where(YEARS < 2023, 0.06, 0.055))
    w = Window((2017, 2018), 2019, 2023, False)
    ex = excess(share * ENGLAND, ENGLAND, w, ONES)
    inside = (YEARS >= 2019) & (YEARS <= 2023)
    expected = ((share - 0.05) * ENGLAND)[inside].sum()
    assert ex.extra[0] == pytest.approx(expected, rel=1e-12)
    assert ex.counterfactual[0] == pytest.approx((0.05 * ENGLAND)[inside].sum(), rel=1e-12)
    assert ex.lasting_step[0] == pytest.approx(0.10, rel=1e-12)
    assert ex.transitional[0] == pytest.approx(expected - 0.10 * (0.05 * ENGLAND)[inside].sum(), rel=1e-12)


def test_prices_restate_each_year():
    share = np.full(len(YEARS), 0.05)
    share[YEARS == 2020] = 0.07
    f = price_factors(2025)
    ex = excess(share * ENGLAND, ENGLAND, Window((2017, 2018), 2019, 2021, False), f)
    assert ex.extra[0] == pytest.approx(0.02 * ENGLAND[YEARS == 2020][0] * f[YEARS == 2020][0], rel=1e-12)
    assert f[-1] > 1.0 and np.all(np.diff(f) < 0)               # older years are worth more in 2025-26 prices


def test_no_change_finds_nothing_a_missing_year_gives_no_figure_and_a_partial_baseline_is_used():
    flat = np.full((2, len(YEARS)), 0.05) * ENGLAND
    flat[1, YEARS == 2021] = np.nan
    ex = excess(flat, ENGLAND, Window((2017, 2018), 2019, 2023, False), ONES)
    assert ex.extra[0] == pytest.approx(0.0, abs=1e-9) and np.isnan(ex.extra[1])
    part = np.full(len(YEARS), 0.05) * ENGLAND
    part[YEARS == 2017] = np.nan                                 # only 2018 in the baseline
    assert excess(part, ENGLAND, Window((2017, 2018), 2019, 2020, False), ONES).baseline_share[0] == pytest.approx(0.05)


def test_percentile_and_quartiles():
    assert percentile_rank(3, [1, 2, 3, 4]) == pytest.approx(62.5)     # two below, one tie counted half
    assert quartiles([1, 2, 3, 4, 5, np.nan, np.inf]) == (2.0, 3.0, 4.0)


def _history(rows):
    return pd.DataFrame([(c, c, y, m, v, "") for c, y, m, v in rows],
                        columns=["la_code", "la_name", "year", "measure", "value", "unit"])


def synthetic_history():
    """England, three flat peers, and a council judged inadequate in 2018-19 that split into two in April 2021."""
    rows = []
    for y, e in zip(SPEND_YEARS, ENGLAND):
        share = 0.05 if y < 2019 else 0.06 if y < 2023 else 0.055
        for line, (measure, _) in SPEND_LINES.items():
            scale = 1.0 if line == "safeguarding" else 0.5
            rows.append(("E92000001", y, measure, e * scale))
            rows += [(f"P{i}", y, measure, 0.1 * e * scale) for i in range(3)]
            if y <= 2021:
                rows.append(("E10000021", y, measure, share * e * scale))
            else:                                                 # the successors, 60/40
                rows += [("E06000061", y, measure, 0.6 * share * e * scale), ("E06000062", y, measure, 0.4 * share * e * scale)]
    rows.append(("E10000021", 2018, "children_in_need", 2000.0))
    return _history(rows)


def test_end_to_end_step_boundary_change_and_placebo():
    p = panel(synthetic_history())
    events = pd.DataFrame([{"la_code": "E10000021", "la_name": "Split council", "outcome": "improved",
                            "inadequate_date": pd.Timestamp("2018-06-04"), "improved_date": pd.Timestamp("2021-11-08")}])
    spend, study = spend_tables(p, events, ("P0", "P1", "P2"), 2025)
    row = spend[(spend.line == "safeguarding") & (spend.comparator == "england")].iloc[0]
    f = price_factors(2025)
    share = np.where(YEARS < 2019, 0.05, np.where(YEARS < 2023, 0.06, 0.055))
    inside = (YEARS >= 2019) & (YEARS <= 2023)                   # 2018-19 to the year after 2021-22
    assert row.extra == pytest.approx((((share - 0.05) * ENGLAND) * f)[inside].sum(), rel=1e-9)
    assert row.extra_per_child_in_need == pytest.approx(row.extra / 2000.0)
    assert row.lasting_step == pytest.approx(0.10, rel=1e-9)
    assert row.placebo_median == pytest.approx(0.0, abs=1e-12) and row.extra_net_of_placebo == pytest.approx(row.extra)
    peers = spend[(spend.line == "safeguarding") & (spend.comparator == "never_inadequate")].iloc[0]
    assert peers.extra == pytest.approx(row.extra, rel=1e-9)     # peers grow as England does here
    total = spend[(spend.line == "childrens_social_care") & (spend.comparator == "england")].iloc[0]
    assert total.extra == pytest.approx(row.extra * 3.0, rel=1e-9)   # 1 + 4 x 0.5
    k = study[(study.group == "improved") & (study.line == "safeguarding") & (study.comparator == "england")].set_index("k")
    assert k.extra_share.loc[-1] == pytest.approx(0.0, abs=1e-12) and k.extra_share.loc[0] == pytest.approx(0.2)
