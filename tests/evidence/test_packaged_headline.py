"""The headline figures on the packaged statistics, recomputed here by a separate plain-Python implementation.

Nothing is copied from the module's output: the inspections and the history are read with the csv module,
the councils that improved found again, the extra safeguarding spend, the Kaplan-Meier median and the
agency share the year before the judgement worked out by loops, then compared with ``run_backtest``.
"""
from __future__ import annotations

import csv
import statistics
from pathlib import Path
from collections import defaultdict
from datetime import date

import pytest
import yaml

from costmodel.evidence.backtest import run_backtest
from costmodel.files.council_data import data_dir

ROOT = Path(__file__).resolve().parents[2]

SUCCESSORS = {"E10000021": ("E06000061", "E06000062")}   # Northamptonshire, April 2021
END = date(2025, 3, 31)
BASE = 2025


def _inspections():
    out = defaultdict(list)
    with open(data_dir() / "ofsted_inspections.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["grade"]:
                out[r["la_code"]].append((date.fromisoformat(r["insp_date"]), int(r["grade"])))
    return out


def _history(measures):
    out = {}
    with open(data_dir() / "councils_history.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["measure"] in measures:
                out[(r["la_code"], int(r["year"]), r["measure"])] = float(r["value"])
    return out


def _events():
    ins = _inspections()
    events = []
    for code, rows in ins.items():
        bad = sorted(d for d, g in rows if g == 4)
        if not bad:
            continue
        first = bad[0]
        later = sorted((d, g) for c in (code, *SUCCESSORS.get(code, ())) for d, g in ins.get(c, []) if d > first)
        nxt = None
        if later:
            day = later[0][0]
            nxt = (day, max(g for d, g in later if d == day))
        improved = nxt is not None and nxt[1] <= 3
        events.append((code, first, nxt[0] if improved else None, nxt is not None))
    return events


def _value(h, code, year, measure):
    if (code, year, measure) in h:
        return h[(code, year, measure)]
    parts = [h.get((s, year, measure)) for s in SUCCESSORS.get(code, ())]
    return sum(parts) if parts and None not in parts else None


def _deflator(fy_start):
    """The bundled GDP deflator read straight from assumptions/prices.yaml (central of a forecast year)."""
    years = yaml.safe_load((ROOT / "assumptions" / "prices.yaml").read_text())["indices"]["gdp_deflator"]["years"]
    value = years[fy_start]["value"]
    return value["central"] if isinstance(value, dict) else value


def _fy_end(d):
    return d.year if (d.month, d.day) <= (3, 31) else d.year + 1


def _months(a, b):
    return round((b - a).days / (365.25 / 12), 1)


@pytest.fixture(scope="module")
def backtest():
    return run_backtest(BASE)


def test_counts_of_what_followed(backtest):
    events = _events()
    h = backtest.headline
    assert h["councils_judged_inadequate"] == len(events)
    assert h["improved"] == sum(1 for e in events if e[2] is not None)
    assert h["still_inadequate"] == sum(1 for e in events if e[2] is None and e[3])
    assert h["not_yet_reinspected"] == sum(1 for e in events if not e[3])


def test_extra_safeguarding_spend_and_per_child_in_need(backtest):
    m = "s251_safeguarding_gross_gbp"
    h = _history({m, "children_in_need"})
    extras, per_child = [], []
    for code, bad, good, _ in _events():
        if good is None:
            continue
        start = _fy_end(bad)
        base = [_value(h, code, y, m) / h[("E92000001", y, m)] for y in range(start - 3, start)
                if 2017 <= y and _value(h, code, y, m) is not None]
        total = 0.0
        for y in range(start, min(_fy_end(good) + 1, 2025) + 1):
            england = h[("E92000001", y, m)]
            total += (_value(h, code, y, m) - statistics.mean(base) * england) * _deflator(BASE) / _deflator(y - 1)
        extras.append(total)
        per_child.append(total / _value(h, code, start - 1, "children_in_need"))
    assert backtest.headline["extra_median"] == pytest.approx(statistics.median(extras), rel=1e-9)
    assert backtest.headline["extra_per_child_in_need_median"] == pytest.approx(statistics.median(per_child), rel=1e-9)
    assert backtest.headline["councils_in_spend"] == len(extras)


def test_kaplan_meier_median_months(backtest):
    data = sorted((_months(bad, good) if good else _months(bad, END), good is not None) for _, bad, good, _ in _events())
    surviving, at_risk, median = 1.0, len(data), None
    for t in sorted({t for t, e in data if e}):
        deaths = sum(1 for x, e in data if x == t and e)
        surviving *= 1 - deaths / sum(1 for x, _ in data if x >= t)
        if median is None and surviving <= 0.5:
            median = t
    assert at_risk == backtest.survival.n
    assert backtest.headline["months_to_improve_km_median"] == median


def test_agency_share_the_year_before_the_judgement(backtest):
    h = _history({"agency_fte", "social_worker_fte"})
    shares = []
    for code, bad, good, _ in _events():
        if good is None:
            continue
        year = (bad.year if (bad.month, bad.day) <= (9, 30) else bad.year + 1) - 1
        a, s = h.get((code, year, "agency_fte")), h.get((code, year, "social_worker_fte"))
        if a is not None and s is not None:
            shares.append(a / (a + s) * 100)
    assert backtest.headline["agency_share_before_median"] == pytest.approx(statistics.median(shares), rel=1e-12)
