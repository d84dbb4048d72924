"""The benchmark against England, the region and the peers: every value recomputed here from the packaged CSV
files with the standard library, same year and same definition for every geography."""
import csv
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from costmodel.evidence.benchmark import benchmark
from costmodel.evidence.peers import distances, nearest, statistical

DATA = Path(__file__).resolve().parents[2] / "src" / "costmodel" / "files" / "data"
COUNCILS = {r["la_code"]: r for r in csv.DictReader(open(DATA / "councils.csv", encoding="utf-8"))}
BY_DFE = {r["old_la_code"]: r for r in COUNCILS.values()}
AGGREGATES = {r["code"]: r for r in csv.DictReader(open(DATA / "england_and_regions.csv", encoding="utf-8"))}
SN = {r["old_la_code"]: [r[f"SN_{i}"] for i in range(1, 11)]
      for r in csv.DictReader(open(DATA / "statistical_neighbours_2025.csv", encoding="utf-8"))}
HISTORY = {}
for r in csv.DictReader(open(DATA / "councils_history.csv", encoding="utf-8")):
    HISTORY[(r["la_code"], r["measure"], int(r["year"]))] = float(r["value"])
SPEND = ("s251_cla_gross_gbp", "s251_safeguarding_gross_gbp", "s251_family_support_gross_gbp")
FORMER = ("E06000028", "E06000029", "E10000009", "E10000021", "E10000006")


def num(row, col):
    return float(row[col]) if row[col] else None


def latest(b, measure):
    return next(m for m in b.measures if m["measure"] == measure)


def spend_per_child(codes, year):
    """Sum of the three s251 lines over the councils with all of them and a population, / their children."""
    top = bottom = 0.0
    for c in codes:
        parts = [HISTORY.get((c, m, year)) for m in (*SPEND, "population_0_17")]
        if None not in parts:
            top, bottom = top + sum(parts[:3]), bottom + parts[3]
    return top / bottom


@pytest.mark.parametrize("name,code", [("Doncaster", "E08000017"), ("Birmingham", "E08000025"),
                                       ("Isle of Wight", "E06000046")])
def test_latest_values_equal_the_csv_for_the_council_england_and_its_region(name, code):
    b = benchmark(name)
    row, england = COUNCILS[code], AGGREGATES["E92000001"]
    region = AGGREGATES[row["region_code"]]
    for m in ("agency_rate_pct", "caseload_per_case_holder", "vacancy_rate_pct", "turnover_rate_pct",
              "cin_rate_per_10k", "cla_rate_per_10k"):
        s = latest(b, m)
        assert s["year"] == 2025
        assert (s["council"], s["england"], s["region"]) == (num(row, m), num(england, m), num(region, m)), m
    s = latest(b, "spend_per_child_gbp")
    assert s["council"] == pytest.approx(sum(num(row, c) for c in SPEND) / num(row, "population_0_17"))
    all_codes = list(COUNCILS) + list(FORMER)
    assert s["england"] == pytest.approx(spend_per_child(all_codes, 2025))
    in_region = [c for c, r in COUNCILS.items() if r["region_code"] == row["region_code"]]
    assert s["region"] == pytest.approx(spend_per_child(in_region, 2025))
    s = latest(b, "weekly_cost_per_cla_gbp")
    assert s["council"] == pytest.approx(num(row, "s251_cla_gross_gbp") / num(row, "children_looked_after") * 7 / 365)
    assert abs(s["council"] - num(row, "s251_weekly_cost_per_cla_gbp")) <= 2.5  # LAIT rounds to £5


def test_england_spend_per_child_leaves_out_councils_without_spend_on_both_sides():
    """2024-25: Wandsworth and Middlesbrough have no outturn; DfE's England total leaves them out, so must the
    denominator, else England's spend per child would be understated."""
    s = latest(benchmark("Doncaster"), "spend_per_child_gbp")
    published = num(AGGREGATES["E92000001"], "s251_cla_gross_gbp") + num(AGGREGATES["E92000001"],
                                                                          "s251_safeguarding_gross_gbp") \
        + num(AGGREGATES["E92000001"], "s251_family_support_gross_gbp")
    all_children = num(AGGREGATES["E92000001"], "population_0_17")
    without = all_children - num(COUNCILS["E09000032"], "population_0_17") - num(COUNCILS["E06000002"], "population_0_17")
    assert s["england"] == pytest.approx(published / without, rel=1e-6)
    assert s["england"] > published / all_children
    assert "151 in England" in s["note"]


def test_peers_are_the_dfe_statistical_neighbours_and_their_median_is_recomputed():
    b = benchmark("Doncaster")
    assert [p.dfe_code for p in b.peers] == SN["371"]
    assert [p.name for p in b.peers[:3]] == ["Rotherham", "Barnsley", "Wakefield"]
    peers = [BY_DFE[c] for c in SN["371"]]
    for m in ("agency_rate_pct", "cla_rate_per_10k"):
        vals = [num(p, m) for p in peers if num(p, m) is not None]
        s = latest(b, m)
        assert s["peer_median"] == pytest.approx(statistics.median(vals)) and s["peers_with_value"] == len(vals)


def test_rank_counts_the_councils_below():
    b = benchmark("Doncaster")
    s = latest(b, "cin_rate_per_10k")
    vals = [num(r, "cin_rate_per_10k") for r in COUNCILS.values() if num(r, "cin_rate_per_10k") is not None]
    assert s["rank"] == 1 + sum(v < 329.7 for v in vals) and s["of"] == len(vals) == 153


def test_a_council_without_a_2025_workforce_figure_is_compared_in_2024_everywhere():
    b = benchmark("Kensington and Chelsea")
    s = latest(b, "caseload_per_case_holder")
    assert s["year"] == 2024 and s["reference"] == "at 30 September 2024"
    assert s["council"] == HISTORY[("E09000020", "caseload_per_case_holder", 2024)]
    assert s["england"] == HISTORY[("E92000001", "caseload_per_case_holder", 2024)]
    assert s["region"] == HISTORY[("E12000007", "caseload_per_case_holder", 2024)]
    assert "'x'" in s["note"] and "in 2024" in s["note"]
    assert latest(b, "cin_rate_per_10k")["year"] == 2025


def test_a_joint_return_council_takes_the_joint_rate_and_says_so():
    s = latest(benchmark("Richmond upon Thames"), "agency_rate_pct")
    assert s["council"] == 14.9 and "jointly" in s["note"]


def test_history_runs_from_2017_with_a_reference_for_every_year():
    b = benchmark("Doncaster")
    f = b.frame()
    council = f[(f.geography == "council") & (f.measure == "caseload_per_case_holder")]
    assert list(council.year) == list(range(2017, 2026))
    assert council.set_index("year").value[2023] == 19.2  # data README: Doncaster caseload 2023
    england = f[(f.geography == "england") & (f.measure == "agency_rate_pct")].set_index("year").value
    assert england[2023] == 17.9  # as revised in the 2025 release (data README)
    cla = f[(f.geography == "council") & (f.measure == "cla_rate_per_10k")]
    assert cla.year.min() == 2019  # CLA from 2019 in the extract
    assert set(f.reference[f.measure == "spend_per_child_gbp"].str[:15]) == {"financial year "}
    assert set(f.geography) == {"council", "england", "region", "peer_median", "peer"}


def test_ofsted_judgements_come_with_the_benchmark():
    b = benchmark("Doncaster")
    assert [i.judgement for i in b.ofsted.inspections][-1] == "Good"
    d = b.to_dict()
    assert d["ofsted"]["latest"]["date"] == "2025-01-20"
    assert "Open Government Licence" in d["attribution"] and "2025" in d["vintage"]


def test_nearest_councils_use_the_documented_standardised_distance():
    d = distances("E08000017")
    assert "E08000017" not in d and len(d) >= 140
    peers = nearest("E08000017")
    assert len(peers) == 10 and [p.rank for p in peers] == list(range(1, 11))
    assert [d[p.code] for p in peers] == sorted(d[p.code] for p in peers)
    assert max(d[p.code] for p in peers) <= min(v for c, v in d.items() if c not in {p.code for p in peers})
    # independent check of one distance with numpy from the CSV (all eight measures 2025, both councils)
    keys = ("agency_rate_pct", "caseload_per_case_holder", "vacancy_rate_pct", "turnover_rate_pct",
            "cin_rate_per_10k", "cla_rate_per_10k")

    low = {(r["la_code"], r["measure"]) for r in csv.DictReader(open(DATA / "symbols.csv")) if r["symbol"] == "low"
           and r["year"] == "2025"}

    def vector(row):
        v = [0.0 if (row["la_code"], k) in low else num(row, k) for k in keys]  # DfE 'low' counts as 0
        spend = sum(num(row, c) for c in SPEND) / num(row, "population_0_17") if all(row[c] for c in SPEND) else None
        weekly = num(row, "s251_cla_gross_gbp") / num(row, "children_looked_after") * 7 / 365 \
            if row["s251_cla_gross_gbp"] and row["children_looked_after"] else None
        return v + [spend, weekly]

    plain = {c: vector(r) for c, r in COUNCILS.items() if not r["workforce_reported_by"]}
    x = np.array([[np.nan if v is None else v for v in vec] for vec in plain.values()])
    joint = {c: r for c, r in COUNCILS.items() if r["workforce_reported_by"]}
    assert len(joint) == 4  # their workforce rates are the joint returns' (not in this plain matrix)
    codes = list(plain)
    full = np.vstack([x] + [np.array([[np.nan if v is None else v for v in vector_joint(r)]]) for r in joint.values()])
    mean, sd = np.nanmean(full, axis=0), np.nanstd(full, axis=0)
    z = (x - mean) / sd
    i, j = codes.index("E08000017"), codes.index("E08000018")  # Rotherham
    assert d["E08000018"] == pytest.approx(math.sqrt(np.nanmean((z[i] - z[j]) ** 2)))


JOINT_UNITS = {r["la_code"]: r for r in csv.DictReader(open(DATA / "workforce_joint_units.csv", encoding="utf-8"))}


def vector_joint(row):
    unit = JOINT_UNITS[row["workforce_reported_by"].split(" (")[0]]
    out = [num(unit, k) for k in ("agency_rate_pct", "caseload_per_case_holder", "vacancy_rate_pct",
                                  "turnover_rate_pct")]
    out += [num(row, "cin_rate_per_10k"), num(row, "cla_rate_per_10k")]
    out.append(sum(num(row, c) for c in SPEND) / num(row, "population_0_17"))
    out.append(num(row, "s251_cla_gross_gbp") / num(row, "children_looked_after") * 7 / 365)
    return out


def test_statistical_neighbours_exist_for_every_council_and_are_other_councils():
    from costmodel.evidence.council_record import council_refs
    for c in council_refs():
        p = statistical(c.code)
        assert len(p) == 10 and c.code not in {x.code for x in p}
