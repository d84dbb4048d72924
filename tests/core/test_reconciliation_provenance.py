"""The baseline reconciliation says where each line's figures come from: a lever's basis, "national default" when
its note says so (``costmodel init --council`` marks copied and scaled defaults), "catalogue default" when absent
from the files; a line is as strong as its weakest lever."""
import dataclasses
from types import MappingProxyType

from costmodel.comparison import NATIONAL_DEFAULT, RECONCILED_LEVERS, provenance, reconciliation


def with_lever(a, key, **changes):
    return dataclasses.replace(a, levers=MappingProxyType({**a.levers, key: dataclasses.replace(a.levers[key], **changes)}))


def test_each_line_lists_its_levers_with_their_basis(case_base):
    rec = reconciliation(case_base)
    for line, keys in RECONCILED_LEVERS.items():
        p = rec["provenance"][line]
        assert list(p["levers"]) == list(keys)
        assert p["levers"] == {k: provenance(case_base.levers[k]) for k in keys}
    assert set(rec) == {"unit", *RECONCILED_LEVERS, "total_outset_spend", "provenance"}


def test_the_weakest_lever_sets_the_line(case_base):
    a = case_base
    for key in RECONCILED_LEVERS["agency_premium"]:
        a = with_lever(a, key, basis="published", note=None, is_default=False)
    assert reconciliation(a)["provenance"]["agency_premium"]["basis"] == "published"
    a = with_lever(a, "baseline.social_workers.fte", basis="derived", derivation="x")
    assert reconciliation(a)["provenance"]["agency_premium"]["basis"] == "derived"
    a = with_lever(a, "baseline.social_workers.salary", basis="judgement", reasoning="y")
    assert reconciliation(a)["provenance"]["agency_premium"]["basis"] == "judgement"
    a = with_lever(a, "baseline.social_workers.agency_premium", note=f"{NATIONAL_DEFAULT} (the bundled example): z")
    assert reconciliation(a)["provenance"]["agency_premium"]["basis"] == "national default"
    a = with_lever(a, "baseline.social_workers.on_cost_rate", is_default=True)
    assert reconciliation(a)["provenance"]["agency_premium"]["basis"] == "catalogue default"
    assert reconciliation(a)["total_outset_spend"] == reconciliation(case_base)["total_outset_spend"]
