"""The pure pieces of the national run: records, ranking, the journal of chunks."""
import json

import pytest

from costmodel.errors import OutputError
from costmodel.files.national_journal import Journal
from costmodel.national import Council, by_council, drawn_records, ranked, record

A, B = Council("E1", "Aville", "North"), Council("E2", "Beeton", "South")


def central(c, pvs):
    best = min(pvs, key=pvs.get)
    return [r for k, pv in pvs.items() for r in (record(c, k, "present_value", "GBP", pv),
                                                   record(c, k, "npc_vs_do_minimum", "GBP", pv - pvs["do_minimum"]),
                                                   record(c, k, "cheapest", "indicator", k == best))]


def test_ranked_by_the_cheapest_options_npc_largest_saving_first():
    records = central(A, {"do_minimum": 100.0, "in_house": 90.0, "trust": 95.0}) + \
        central(B, {"do_minimum": 50.0, "in_house": 60.0, "trust": 30.0})
    rows = ranked(records)
    assert [(r["la_name"], r["cheapest"], r["npc_vs_do_minimum"]) for r in rows] == \
        [("Beeton", "trust", -20.0), ("Aville", "in_house", -10.0)]
    assert rows[0]["probability_cheapest"] is None
    assert by_council(records)["E1"]["options"]["trust"] == {"present_value": 95.0, "npc_vs_do_minimum": -5.0,
                                                             "cheapest": 0.0}


def test_drawn_records_carry_each_figure_and_its_standard_error():
    stats = {"p5": 1.0, "p50": 2.0, "p95": 3.0, "mean": 2.5}
    se = {"p5": 0.1, "p50": 0.2, "p95": 0.3, "mean": 0.25}
    summary = {"trust": {"present_value": stats, "npc_vs_do_minimum": stats, "probability_cheapest": 0.4,
                         "standard_error": {"present_value": se, "npc_vs_do_minimum": se, "probability_cheapest": 0.01}}}
    got = {r["statistic"]: (r["unit"], r["value"]) for r in drawn_records(A, summary)}
    assert len(got) == 2 + 2 * 2 * 4
    assert got["probability_cheapest"] == ("probability", 0.4)
    assert got["probability_cheapest_standard_error"] == ("probability", 0.01)
    assert got["npc_vs_do_minimum_p95"] == ("GBP", 3.0) and got["present_value_mean_standard_error"] == ("GBP", 0.25)


def test_journal_keeps_chunks_and_refuses_other_settings(tmp_path):
    out = tmp_path / "n.json"
    j, parts = Journal.start(out, {"draws": 10, "councils": ["E1"]}, resume=True)
    assert parts == []
    part = {"records": {"E1": [record(A, "trust", "present_value", "GBP", 0.1 + 0.2)]}, "incomplete": {}, "failed": {}}
    j.save(part)
    again, parts = Journal.start(out, {"draws": 10, "councils": ["E1"]}, resume=True)
    assert parts == [json.loads(json.dumps(part))] and parts[0]["records"]["E1"][0]["value"] == 0.1 + 0.2
    with pytest.raises(OutputError, match="other settings \\(draws\\)"):
        Journal.start(out, {"draws": 11, "councils": ["E1"]}, resume=True)
    fresh, parts = Journal.start(out, {"draws": 11, "councils": ["E1"]}, resume=False)
    assert parts == [] and fresh.parts() == []
    fresh.remove()
    assert not (tmp_path / "n.json.journal").exists()
