"""The back-test: what improvement cost the councils judged inadequate that later improved, from outturn.

:func:`run_backtest` reads the packaged statistics (``costmodel.files.council_data``) and returns a
:class:`Backtest`: the inadequate judgements and what followed (:mod:`.events`), the extra spend of the
councils that improved by section 251 line against England and against councils never judged inadequate,
with a placebo (:mod:`.spend`), the time to an improved judgement with censored councils (:mod:`.survival`),
the workforce, looked-after and unit-cost paths (:mod:`.paths`) and the trusts against comparable councils
(:mod:`.trusts`). Money is GBP in the appraisal's price base (``price_base_year``, a financial year named
by the year it starts in). The method and its caveats are in ``docs/backtest.md``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..files import council_data
from . import paths as path_analysis
from . import trusts as trust_analysis
from .events import TRUSTS, judgements
from .panel import ENGLAND, LINE_LABELS, SOCIAL_CARE, SPEND_LINES, event_year, matrix, panel
from .spend import SPEND_YEARS, excess, price_factors, quartiles, window_for
from .survival import KaplanMeier, kaplan_meier

HEADLINE_LINE = "safeguarding"
LINES = (*SPEND_LINES, SOCIAL_CARE)
COMPARATORS = {"england": "England", "never_inadequate": "Councils never judged inadequate"}
SMALLEST = 5000   # children aged 0-17: smaller councils (City of London, Isles of Scilly) are left out of peers


@dataclass(frozen=True)
class Backtest:
    """Every table of the back-test (pandas frames, tidy) and its headline figures."""

    price_base_year: int
    judgements: pd.DataFrame
    spend: pd.DataFrame
    event_study: pd.DataFrame
    paths: pd.DataFrame
    path_summary: pd.DataFrame
    survival: KaplanMeier
    trusts: pd.DataFrame
    peers: tuple[str, ...]
    headline: dict = field(default_factory=dict)


def never_inadequate(inspections: pd.DataFrame, councils: pd.DataFrame) -> tuple[str, ...]:
    """Current councils never judged inadequate under ILACS, not run by a trust, with 5,000 children or more."""
    inadequate = set(inspections.loc[inspections.grade == 4, "la_code"])
    trusts = {c for t in TRUSTS for c in t.la_codes}
    ok = councils[~councils.la_code.isin(inadequate | trusts) & (councils.population_0_17 >= SMALLEST)]
    return tuple(sorted(ok.la_code))


def comparator_series(p: pd.DataFrame, line: str, peers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Spend of England and of the peers with every year of the line (a balanced panel), by year."""
    peer = matrix(p, line, peers, SPEND_YEARS)
    complete = ~np.isnan(peer).any(axis=1)
    return {"england": matrix(p, line, [ENGLAND], SPEND_YEARS)[0], "never_inadequate": peer[complete].sum(axis=0)}


def _event_rows(p, j, line, name, comp, window, factors, peers) -> tuple[dict, list[dict]]:
    code = j["la_code"]
    own = matrix(p, line, [code], SPEND_YEARS)
    ex = excess(own, comp, window, factors)
    used = [y for y, v in zip(SPEND_YEARS, own[0]) if y in window.baseline and not np.isnan(v)] or list(window.baseline)
    plac = excess(matrix(p, line, peers, SPEND_YEARS), comp, window, factors)
    lo, mid, hi = quartiles(plac.extra_share)
    cin = p[("children_in_need")].get((code, event_year(j["inadequate_date"], "demand") - 1), np.nan)
    extra = float(ex.extra[0])
    row = {"la_code": code, "la_name": j["la_name"], "line": line, "line_label": LINE_LABELS[line],
           "comparator": name, "baseline_years": f"{used[0] - 1}-{used[-1] % 100:02d}",
           "window_start": window.start, "window_end": window.end, "truncated": window.truncated,
           "baseline_share": float(ex.baseline_share[0]), "actual": float(ex.actual[0]),
           "counterfactual": float(ex.counterfactual[0]), "extra": extra, "children_in_need": cin,
           "extra_per_child_in_need": extra / cin if cin else np.nan, "extra_share": float(ex.extra_share[0]),
           "lasting_step": float(ex.lasting_step[0]), "transitional": float(ex.transitional[0]),
           "placebo_p25": lo, "placebo_median": mid, "placebo_p75": hi,
           "extra_net_of_placebo": extra - mid * float(ex.counterfactual[0])}
    with np.errstate(invalid="ignore", divide="ignore"):
        cf_share = ex.extra_by_year[0] / (ex.baseline_share[0] * comp * factors)
    study = [{"la_code": code, "line": line, "comparator": name, "year": y, "k": y - window.start,
              "in_window": bool(window.start <= y <= window.end), "extra_share": float(v), "group": "improved"}
             for y, v in zip(SPEND_YEARS, cf_share) if not np.isnan(v)]
    denom = plac.baseline_share[:, None] * comp[None, :] * factors[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        pl = np.nanmedian(plac.extra_by_year / denom, axis=0)
    study += [{"la_code": code, "line": line, "comparator": name, "year": y, "k": y - window.start,
               "in_window": bool(window.start <= y <= window.end), "extra_share": float(v), "group": "placebo"}
              for y, v in zip(SPEND_YEARS, pl) if not np.isnan(v)]
    return row, study


def spend_tables(p: pd.DataFrame, events: pd.DataFrame, peers: tuple[str, ...], base_year: int):
    """The extra spend of every improved council by line and comparator, and its event-study rows."""
    factors = price_factors(base_year)
    comps = {line: comparator_series(p, line, peers) for line in LINES}
    rows, study = [], []
    for _, j in events[events.outcome == "improved"].iterrows():
        window = window_for(j["inadequate_date"], j["improved_date"])
        if window is None:
            continue
        for line in LINES:
            for name, comp in comps[line].items():
                row, st = _event_rows(p, j, line, name, comp, window, factors, peers)
                rows.append(row)
                study += st
    return pd.DataFrame(rows), pd.DataFrame(study)


def headline(spend: pd.DataFrame, km: KaplanMeier, events: pd.DataFrame, tracks: pd.DataFrame,
             path_summary: pd.DataFrame) -> dict:
    """The figures a reader takes away, recomputed from the tables (never typed in)."""
    s = spend[(spend.line == HEADLINE_LINE) & (spend.comparator == "england")]
    full = s[~s.truncated]
    lo, mid, hi = quartiles(s.extra)
    improved = events[events.outcome == "improved"]
    return {
        "line": HEADLINE_LINE, "councils_judged_inadequate": int(len(events)),
        "improved": int(len(improved)), "still_inadequate": int((events.outcome == "still inadequate").sum()),
        "not_yet_reinspected": int((events.outcome == "not yet re-inspected").sum()),
        "councils_in_spend": int(s.la_code.nunique()),
        "extra_median": mid, "extra_p25": lo, "extra_p75": hi,
        "extra_per_child_in_need_median": quartiles(s.extra_per_child_in_need)[1],
        "lasting_step_median": quartiles(full.lasting_step)[1],
        "transitional_median": quartiles(full.transitional)[1],
        "placebo_share_median": quartiles(s.placebo_median)[1],
        "extra_share_median": quartiles(s.extra_share)[1],
        "months_to_improve_median_improvers": quartiles(improved.months_to_improve)[1],
        "months_to_improve_km_median": km.median, "km_censored": km.censored,
        "share_improved_by_24_months": 1.0 - km.at(24.0),
        "agency_share_peak_median": quartiles(path_analysis.peak_during(tracks, "agency_share_pct"))[1],
        **path_analysis.headline(path_summary),
    }


def run_backtest(price_base_year: int) -> Backtest:
    """The whole back-test from the packaged statistics, money in ``price_base_year`` prices (cached)."""
    return _run(int(price_base_year))


@functools.lru_cache(maxsize=4)
def _run(base_year: int) -> Backtest:
    ins = council_data.inspections()
    p = panel(council_data.history())
    events = judgements(ins)
    peers = never_inadequate(ins, council_data.councils())
    spend, study = spend_tables(p, events, peers, base_year)
    km = kaplan_meier(events.months_to_improve, events.event_observed)
    tracks = path_analysis.paths(p, events)
    summary = path_analysis.summary(tracks)
    tr = trust_analysis.compare_trusts(p, peers)
    return Backtest(base_year, events, spend, study, tracks, summary, km, tr, peers,
                    headline(spend, km, events, tracks, summary))
