"""Inspection sequences on small synthetic histories: improved, still inadequate, censored, followed through successors."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from costmodel.evidence.events import DATA_END, TRUSTS, judgements, months_between, trust_of


def history(rows):
    df = pd.DataFrame(rows, columns=["la_code", "la_name", "insp_date", "grade"])
    df["insp_date"] = pd.to_datetime(df.insp_date)
    return df


def test_each_outcome_and_the_months_to_improve():
    ins = history([
        ("A", "Improver", "2019-02-11", 4), ("A", "Improver", "2022-07-18", 2),
        ("B", "Still", "2018-09-17", 4), ("B", "Still", "2022-11-21", 4),
        ("C", "Waiting", "2023-07-17", 4),
        ("D", "Good", "2019-01-01", 2), ("D", "Good", "2023-01-01", 3),
        ("E", "Twice", "2018-06-04", 4), ("E", "Twice", "2021-01-04", 4), ("E", "Twice", "2024-01-08", 3),
    ])
    j = judgements(ins).set_index("la_code")
    assert set(j.index) == {"A", "B", "C", "E"}                     # D was never inadequate
    assert j.loc["A", "outcome"] == "improved" and j.loc["A", "improved_grade"] == 2
    assert j.loc["A", "months_to_improve"] == pytest.approx(round((pd.Timestamp("2022-07-18") - pd.Timestamp("2019-02-11")).days / (365.25 / 12), 1))
    assert j.loc["B", "outcome"] == "still inadequate" and not j.loc["B", "event_observed"]
    assert j.loc["B", "months_to_improve"] == months_between(pd.Timestamp("2018-09-17"), DATA_END)   # censored at the data's end
    assert j.loc["C", "outcome"] == "not yet re-inspected" and pd.isna(j.loc["C", "next_date"])
    assert j.loc["E", "inadequate_date"] == pd.Timestamp("2018-06-04")                       # the first inadequate judgement
    assert j.loc["E", "outcome"] == "still inadequate"                                      # what followed it next


def test_a_former_council_is_followed_through_its_successors_worst_grade_counts():
    ins = history([("E10000021", "Northamptonshire", "2019-06-17", 4),
                   ("E06000061", "North Northamptonshire", "2022-10-03", 3),
                   ("E06000062", "West Northamptonshire", "2022-10-03", 2)])
    j = judgements(ins).iloc[0]
    assert j.outcome == "improved" and j.improved_grade == 3 and j.improved_date == pd.Timestamp("2022-10-03")
    assert j.trust == "Northamptonshire Children's Trust" and j.trust_start == pd.Timestamp("2020-11-01")


def test_trust_register():
    assert trust_of("E08000032").name == "Bradford Children and Families Trust"
    assert trust_of("E08000017", after=date(2015, 1, 1)) is None           # Doncaster's trust started before
    assert trust_of("E09000001") is None
    for t in TRUSTS:
        assert t.source.startswith("https://") and t.kind in ("directed", "voluntary")
        assert t.end is None or t.end > t.start
