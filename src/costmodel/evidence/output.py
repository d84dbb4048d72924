"""The back-test as one tidy table (CSV, Parquet) and as a JSON document.

Tidy: one row per figure, columns ``table, la_code, name, item, comparator, year, k, statistic, value,
text, unit``; ``value`` is numeric (money in GBP at the price base, shares as fractions, months), ``text``
holds dates and words. ``table`` is one of ``judgements``, ``spend``, ``event_study``, ``survival``,
``paths``, ``path_summary``, ``trusts``, ``held_against``, ``headline``. Event-study rows whose ``text`` is
``placebo`` are the median of the never-inadequate councils run with that council's years.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from .backtest import Backtest
from .paths import phase_summary

COLUMNS = ["table", "la_code", "name", "item", "comparator", "year", "k", "statistic", "value", "text", "unit"]
SPEND_STATS = {"baseline_share": "fraction", "actual": "GBP", "counterfactual": "GBP", "extra": "GBP",
               "children_in_need": "children", "extra_per_child_in_need": "GBP/child", "extra_share": "fraction",
               "lasting_step": "fraction", "transitional": "GBP", "placebo_p25": "fraction", "placebo_median": "fraction",
               "placebo_p75": "fraction", "extra_net_of_placebo": "GBP", "window_start": "year", "window_end": "year"}


def _melt(df: pd.DataFrame, table: str, ids: dict, stats: dict) -> pd.DataFrame:
    """``df``'s numeric ``stats`` columns as tidy rows; ``ids`` maps tidy id columns to ``df`` columns."""
    rows = df.rename(columns={v: k for k, v in ids.items()})
    keep = [k for k in ids] + [s for s in stats if s in rows]
    long = rows[keep].melt(id_vars=list(ids), var_name="statistic", value_name="__value__")
    long = long.rename(columns={"__value__": "value"})
    if "unit" not in ids:
        long["unit"] = long.statistic.map(stats)
    long["table"] = table
    return long


def _judgement_rows(b: Backtest) -> pd.DataFrame:
    j = b.judgements
    out = []
    for _, r in j.iterrows():
        base = {"table": "judgements", "la_code": r.la_code, "name": r.la_name, "item": r.outcome}
        for stat in ("inadequate_date", "next_date", "improved_date", "trust_start"):
            if not pd.isna(r[stat]):
                out.append({**base, "statistic": stat, "text": r[stat].date().isoformat(), "unit": "date"})
        out.append({**base, "statistic": "months_to_improve", "value": r.months_to_improve, "unit": "months",
                    "text": "improved" if r.event_observed else "censored"})
        if r.next_grade is not None and not pd.isna(r.next_grade):
            out.append({**base, "statistic": "next_grade", "value": float(r.next_grade), "unit": "Ofsted grade 1-4"})
        if r.trust:
            out.append({**base, "statistic": "trust", "text": r.trust, "unit": "name"})
    return pd.DataFrame(out)


def _survival_rows(b: Backtest) -> pd.DataFrame:
    km = b.survival
    rows = [{"table": "survival", "k": None, "statistic": s, "value": float(v), "unit": u, "year": None,
             "item": f"t={t:g}", "text": ""}
            for t, n, d, sv, se in zip(km.times, km.at_risk, km.events, km.survival, km.std_error)
            for s, v, u in (("months", t, "months"), ("at_risk", n, "councils"), ("improved", d, "councils"),
                            ("share_still_inadequate", sv, "fraction"), ("std_error", se, "fraction"))]
    return pd.DataFrame(rows)


def tidy(b: Backtest, held: pd.DataFrame) -> pd.DataFrame:
    """Every table of the back-test and the comparison with the model, long."""
    spend = _melt(b.spend, "spend", {"la_code": "la_code", "name": "la_name", "item": "line", "comparator": "comparator"},
                  SPEND_STATS)
    study = _melt(b.event_study, "event_study", {"la_code": "la_code", "item": "line", "comparator": "comparator",
                                                 "year": "year", "k": "k", "text": "group"}, {"extra_share": "fraction"})
    paths = _melt(b.paths, "paths", {"la_code": "la_code", "name": "la_name", "item": "measure", "year": "year", "k": "k",
                                     "text": "phase", "unit": "unit", "comparator": "relative_as"},
                  {"value": None, "england": None, "relative": None})
    ratio = (paths.statistic == "relative") & (paths.comparator == "ratio")
    paths.loc[ratio, "unit"] = "ratio to England"
    paths.loc[(paths.statistic == "relative") & ~ratio, "unit"] += " (difference from England)"
    summary = _melt(b.path_summary, "path_summary", {"item": "measure", "k": "k", "text": "relative_as"},
                    {c: "" for c in ("councils", "value_p25", "value_median", "value_p75", "england", "relative_p25",
                                     "relative_median", "relative_p75")})
    trusts = _melt(b.trusts, "trusts", {"la_code": "la_code", "name": "council", "item": "trust", "text": "kind"},
                   {c: "fraction" for c in ("set_up_extra_share", "running_extra_share", "placebo_p5", "placebo_p95",
                                            "level_ratio")} | {"running_years": "years", "comparables": "councils"})
    against = _melt(held, "held_against", {"name": "topic", "item": "key", "text": "observed", "comparator": "unit"},
                    {c: "" for c in ("default", "low", "high", "councils", "p25", "median", "p75", "percentile")})
    head = pd.DataFrame([{"table": "headline", "statistic": k, "value": v, "unit": ""} for k, v in _flat(b.headline).items()
                         if isinstance(v, (int, float))])
    out = pd.concat([_judgement_rows(b), spend, study, _survival_rows(b), paths, summary, trusts, against, head],
                    ignore_index=True)
    return out.reindex(columns=COLUMNS)


def _flat(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, (list, tuple)):
            out.update({f"{k}[{i}]": x for i, x in enumerate(v)})
        else:
            out[k] = v
    return out


def _clean(x):
    """JSON-safe: NaN and infinities become null, numpy scalars plain numbers, timestamps ISO dates."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, pd.Timestamp):
        return None if pd.isna(x) else x.date().isoformat()
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else float(x)
    if x is pd.NaT:
        return None
    return x


def _records(df: pd.DataFrame) -> list[dict]:
    return [_clean(r) for r in df.to_dict(orient="records")]


def document(b: Backtest, held: pd.DataFrame, scenario: dict, meta: dict) -> str:
    """The JSON document: metadata, headline, every table as records, the evidence scenario's values."""
    km = b.survival
    obj = {**meta, "price_base_year": b.price_base_year, "headline": b.headline,
           "judgements": _records(b.judgements), "spend": _records(b.spend),
           "survival": {"times": km.times.tolist(), "at_risk": km.at_risk.tolist(), "improved": km.events.tolist(),
                        "share_still_inadequate": km.survival.tolist(), "std_error": km.std_error.tolist(),
                        "councils": km.n, "censored": km.censored, "median_months": km.median},
           "path_summary": _records(b.path_summary), "path_phases": _records(phase_summary(b.paths)),
           "trusts": _records(b.trusts),
           "held_against": _records(held), "never_inadequate_peers": list(b.peers),
           "evidence_scenario": {k: {**(v if isinstance(v, dict) else {"value": v}), "reason": r}
                                 for k, (v, r) in scenario.items()}}
    return json.dumps(_clean(obj), indent=2, allow_nan=False) + "\n"
