"""Trusts against comparable councils: a set-up bump, and a running-cost difference once running.

For each council whose services went to a trust (:data:`costmodel.evidence.events.TRUSTS`), its
*comparable councils* are the :data:`NEIGHBOURS` councils never judged inadequate (and never run by a
trust) nearest to it on three standardised measures in the year before the trust started: the log of
the population aged 0-17, children in need per 10,000 and child protection plans per 10,000 (a
documented distance, not DfE's statistical neighbours). The comparator is their summed children's social
care spend (the five section 251 lines), so national changes in demand, prices and grants cancel.

With spend from 2016-17 only, a trust that started in 2017-18 or later has a baseline: its share of the
comparator over the years before the trust (up to three). The *set-up bump* is its extra spend in the
trust's first financial year as a share of the counterfactual; the *running-cost difference* is the mean
of that share over the later full financial years of the trust. A *placebo* gives each comparable council
the same years against the other comparables: the spread of what is found where no trust started, so
the size a difference must have to be seen. A trust older than the data (Doncaster, Achieving for
Children in Kingston and Richmond, Slough) has only a *level*: its spend per child aged 0-17 over the
comparables', which mixes need with cost.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .events import SUCCESSORS, TRUSTS, Trust
from .panel import SOCIAL_CARE, event_year, matrix
from .spend import BASELINE_YEARS, SPEND_YEARS

NEIGHBOURS = 10
MEASURES = ("population_0_17", "cin_rate_per_10k", "cpp_rate_per_10k")


def trust_areas() -> list[tuple[str, Trust]]:
    """Each (area code, trust): one area per council; a former council stands for its successors."""
    out = []
    for t in TRUSTS:
        successors = {s for f in t.la_codes if f in SUCCESSORS for s in SUCCESSORS[f][0]}
        out += [(code, t) for code in t.la_codes if code not in successors]
    return out


def comparables(p: pd.DataFrame, code: str, peers: tuple[str, ...], year: int, n: int = NEIGHBOURS) -> list[str]:
    """The ``n`` peers nearest ``code`` in ``year`` on the standardised measures (log population)."""
    x = p.xs(year, level="year").reindex(columns=list(MEASURES))
    x["population_0_17"] = np.log(x["population_0_17"])
    pool = x.reindex(list(peers)).dropna()
    if code not in x.index or x.loc[code].isna().any() or pool.empty:
        return []
    z = (pool - pool.mean()) / pool.std(ddof=0)
    target = (x.loc[code] - pool.mean()) / pool.std(ddof=0)
    dist = np.sqrt(((z - target) ** 2).sum(axis=1))
    return list(dist.nsmallest(n).index)


def _shares(spend: np.ndarray, comp: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Each row's spend over the counterfactual (its baseline share of ``comp``) less one, by year."""
    share = spend / comp[None, :]
    base = share[:, baseline].mean(axis=1)
    return share / base[:, None] - 1.0


def _running_years(t: Trust, start: int) -> np.ndarray:
    last = min(max(SPEND_YEARS), event_year(t.end, "spend") - 1) if t.end else max(SPEND_YEARS)
    return np.array([start < y <= last for y in SPEND_YEARS])


def _with_baseline(p, code, t, comp_codes) -> dict:
    years = np.array(SPEND_YEARS)
    start = event_year(t.start, "spend")
    baseline = (years >= start - BASELINE_YEARS) & (years < start)
    own = matrix(p, SOCIAL_CARE, [code], SPEND_YEARS)
    peer = matrix(p, SOCIAL_CARE, comp_codes, SPEND_YEARS)
    peer = peer[~np.isnan(peer).any(axis=1)]
    ext = _shares(own, peer.sum(axis=0), baseline)[0]
    running = _running_years(t, start)
    placebo = np.array([_shares(peer[i:i + 1], np.delete(peer, i, axis=0).sum(axis=0), baseline)[0]
                        for i in range(len(peer))])
    setup_i = int(np.nonzero(years == start)[0][0]) if start in SPEND_YEARS else None
    run_placebo = placebo[:, running].mean(axis=1) if running.any() else np.array([])
    return {"set_up_year": start if setup_i is not None else None,
            "set_up_extra_share": float(ext[setup_i]) if setup_i is not None else np.nan,
            "running_years": int(running.sum()),
            "running_extra_share": float(ext[running].mean()) if running.any() else np.nan,
            "placebo_p5": float(np.percentile(run_placebo, 5)) if run_placebo.size else np.nan,
            "placebo_p95": float(np.percentile(run_placebo, 95)) if run_placebo.size else np.nan,
            "level_ratio": np.nan}


def _level_only(p, code, t, comp_codes) -> dict:
    years = np.array(SPEND_YEARS)
    last = min(max(SPEND_YEARS), event_year(t.end, "spend") - 1) if t.end else max(SPEND_YEARS)
    inside = years <= last
    own = matrix(p, SOCIAL_CARE, [code], SPEND_YEARS)[0] / matrix(p, "population_0_17", [code], SPEND_YEARS)[0]
    peer_spend = matrix(p, SOCIAL_CARE, comp_codes, SPEND_YEARS)
    peer_pop = matrix(p, "population_0_17", comp_codes, SPEND_YEARS)
    ok = ~np.isnan(peer_spend).any(axis=1)
    per_child = peer_spend[ok].sum(axis=0) / peer_pop[ok].sum(axis=0)
    return {"set_up_year": None, "set_up_extra_share": np.nan, "running_years": int(inside.sum()),
            "running_extra_share": np.nan, "placebo_p5": np.nan, "placebo_p95": np.nan,
            "level_ratio": float(np.nanmean(own[inside] / per_child[inside]))}


def compare_trusts(p: pd.DataFrame, peers: tuple[str, ...]) -> pd.DataFrame:
    """One row per trust area: its comparables, set-up bump, running-cost difference, placebo band or level."""
    rows = []
    for code, t in trust_areas():
        if code not in p.index.get_level_values(0):
            continue
        ref = min(max(event_year(t.start, "spend") - 1, min(SPEND_YEARS)), max(SPEND_YEARS))
        comp = comparables(p, code, peers, ref)
        has_baseline = event_year(t.start, "spend") > min(SPEND_YEARS)
        result = (_with_baseline if has_baseline else _level_only)(p, code, t, comp) if comp else {}
        rows.append({"la_code": code, "trust": t.name, "council": t.council, "start": pd.Timestamp(t.start),
                     "end": pd.Timestamp(t.end) if t.end else pd.NaT, "kind": t.kind, "source": t.source,
                     "comparables": len(comp), "comparable_codes": " ".join(comp), "reference_year": ref, **result})
    return pd.DataFrame(rows)
