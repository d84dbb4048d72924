"""What the statistics say about one council: every figure against the packaged CSV files (read here with the
standard library), the data README's hand-checked values, and each documented fallback."""
import csv
from pathlib import Path

import pytest

from costmodel.council_statistics import Inspection, read_ofsted
from costmodel.evidence.council_record import council_statistics, find
from costmodel.evidence.measures import MEASURES
from costmodel.errors import CostmodelError

DATA = Path(__file__).resolve().parents[2] / "src" / "costmodel" / "files" / "data"
ROWS = {r["la_code"]: r for r in csv.DictReader(open(DATA / "councils.csv", encoding="utf-8"))}
JOINT = {r["la_code"]: r for r in csv.DictReader(open(DATA / "workforce_joint_units.csv", encoding="utf-8"))}
HISTORY = {}
for r in csv.DictReader(open(DATA / "councils_history.csv", encoding="utf-8")):
    HISTORY[(r["la_code"], r["measure"], int(r["year"]))] = float(r["value"])


def csv_value(code, column):
    text = ROWS[code][column]
    return float(text) if text else None


@pytest.mark.parametrize("name,code", [("Doncaster", "E08000017"), ("Birmingham", "E08000025"),
                                       ("Isle of Wight", "E06000046")])
def test_every_figure_equals_the_packaged_csv_and_is_published(name, code):
    s = council_statistics(name)
    assert s.council.code == code
    for measure, f in s.figures.items():
        assert f.status == "published", (measure, f.note)
        assert f.value == csv_value(code, measure), measure
        assert f.council_code == code and f.year == 2025


README = {  # the data README, "Three councils checked against the raw source rows"
    "E08000017": dict(population_0_17=68271, children_in_need=2251, cin_rate_per_10k=329.7, referrals=5665,
                      child_protection_plans=395, children_looked_after=504, cla_rate_per_10k=74,
                      social_worker_fte=218.3, agency_fte=32, agency_rate_pct=12.8, vacancy_rate_pct=14.5,
                      turnover_rate_pct=7.9, case_holding_fte=119.5, cases_held=1799, caseload_per_case_holder=15.1,
                      s251_cyp_total_gross_gbp=103107359, s251_cla_gross_gbp=56924814,
                      s251_weekly_cost_per_cla_gbp=2165),
    "E08000025": dict(population_0_17=292859, children_in_need=9301, children_looked_after=2317,
                      social_worker_fte=769.6, agency_fte=108.5, agency_rate_pct=12.4, case_holding_fte=492.3,
                      cases_held=7484, caseload_per_case_holder=15.2, s251_cyp_total_gross_gbp=370903389,
                      s251_cla_gross_gbp=184480853, s251_weekly_cost_per_cla_gbp=1525),
    "E06000046": dict(population_0_17=23351, children_in_need=1238, children_looked_after=258, social_worker_fte=84,
                      agency_fte=28, agency_rate_pct=25, vacancy_rate_pct=25, turnover_rate_pct=11.3,
                      case_holding_fte=71.5, cases_held=1203, caseload_per_case_holder=16.8,
                      s251_cyp_total_gross_gbp=44497169, s251_cla_gross_gbp=22694606, s251_weekly_cost_per_cla_gbp=1685),
}


@pytest.mark.parametrize("code", sorted(README))
def test_figures_equal_the_values_the_data_readme_checked_by_hand(code):
    s = council_statistics(code)
    for measure, expected in README[code].items():
        assert s.value(measure) == pytest.approx(expected), measure


def test_references_and_publications_say_which_date_each_figure_is_for():
    f = council_statistics("Doncaster").figures
    assert f["children_in_need"].reference == "at 31 March 2025"
    assert f["social_worker_fte"].reference == "at 30 September 2025"
    assert f["turnover_rate_pct"].reference == "year to 30 September 2025"
    assert f["s251_cla_gross_gbp"].reference == "financial year 2024-25"
    assert f["population_0_17"].reference.startswith("ONS mid-2024 estimate")
    assert f["social_worker_fte"].publication == ("DfE, Children's social work workforce, reporting year 2025 "
                                                  "(updated 2026-03-19)")
    assert "section 251" in f["s251_cla_gross_gbp"].publication


def test_derived_figures_follow_their_documented_formulas():
    s = council_statistics("Doncaster")
    c = lambda m: csv_value("E08000017", m)  # noqa: E731
    employed_and_agency = c("social_worker_fte") + c("agency_fte")
    d = s.derived
    assert d["case_holding_share"].value == pytest.approx(119.5 / (218.3 + 32))
    assert d["case_holding_share"].value == pytest.approx(c("case_holding_fte") / employed_and_agency)
    assert d["agency_share"].value == pytest.approx(c("agency_rate_pct") / 100, abs=0.0005)
    assert d["children_in_need_per_case_holder"].value == pytest.approx(2251 / 119.5)
    spend = c("s251_cla_gross_gbp") + c("s251_safeguarding_gross_gbp") + c("s251_family_support_gross_gbp")
    assert d["childrens_social_care_spend"].value == spend
    assert d["spend_per_child"].value == pytest.approx(spend / 68271)
    # DfE's LAIT rounds the same quotient to the nearest £5
    assert d["weekly_cost_per_child_looked_after"].value == pytest.approx(56924814 / 504 / 365 * 7)
    assert abs(d["weekly_cost_per_child_looked_after"].value - 2165) <= 2.5
    assert all(f.status == "derived" for f in d.values())


@pytest.mark.parametrize("member,other", [("E09000021", "E09000027"), ("E09000027", "E09000021"),
                                          ("E06000061", "E06000062"), ("E06000062", "E06000061")])
def test_joint_workforce_returns_give_the_joint_rate_and_a_share_of_counts_by_children_in_need(member, other):
    s = council_statistics(member)
    joint = next(k for k in JOINT if member in k)
    own_cin, other_cin = csv_value(member, "children_in_need"), csv_value(other, "children_in_need")
    for m in ("social_worker_fte", "agency_fte", "case_holding_fte", "cases_held", "vacancy_fte"):
        f = s.figures[m]
        assert f.status == "apportioned" and f.council_code == joint
        assert f.value == pytest.approx(float(JOINT[joint][m]) * own_cin / (own_cin + other_cin))
        assert "children in need" in f.note
    for m in ("agency_rate_pct", "caseload_per_case_holder", "vacancy_rate_pct", "turnover_rate_pct"):
        assert s.figures[m].status == "joint_rate" and s.figures[m].value == float(JOINT[joint][m])
    both = council_statistics(other)
    assert s.value("social_worker_fte") + both.value("social_worker_fte") == pytest.approx(
        float(JOINT[joint]["social_worker_fte"]))


@pytest.mark.parametrize("code,fte_2024", [("E09000020", 182.9), ("E09000033", 148.4)])
def test_workforce_not_available_in_2025_falls_back_to_2024_with_a_note(code, fte_2024):
    f = council_statistics(code).figures["social_worker_fte"]
    assert (f.value, f.year, f.status, f.reference) == (fte_2024, 2024, "earlier_year", "at 30 September 2024")
    assert "'x'" in f.note and "2024 figure" in f.note


def test_a_figure_missing_for_three_years_has_no_value_and_never_a_national_average():
    f = council_statistics("Westminster").figures["agency_fte"]  # published to 2021 only
    assert f.value is None and f.status == "missing"
    assert "last published: 1 for 2021" in f.note and "no national average" in f.note
    assert council_statistics("Westminster").derived["agency_share"].value is None


def test_sunderland_agency_low_is_zero_with_the_symbol_named():
    s = council_statistics("Sunderland")
    for m in ("agency_fte", "agency_rate_pct"):
        assert (s.figures[m].value, s.figures[m].status) == (0.0, "low")
        assert "'low'" in s.figures[m].note
    assert s.derived["agency_share"].value == 0.0


def test_not_applicable_children_looked_after_has_no_value():
    s = council_statistics("Isles of Scilly")  # DfE 'z' for 2025
    f = s.figures["children_looked_after"]
    assert f.value is None and f.status == "suppressed" and "'z'" in f.note
    assert s.derived["weekly_cost_per_child_looked_after"].value is None
    assert "children_looked_after" in s.derived["weekly_cost_per_child_looked_after"].note


def test_a_withheld_figure_falls_back_to_the_year_before_with_the_symbol_named():
    f = council_statistics("City of London").figures["children_looked_after"]  # DfE 'c' for 2025
    assert (f.value, f.year, f.status) == (HISTORY[("E09000001", "children_looked_after", 2024)], 2024, "earlier_year")
    assert "'c'" in f.note and "small numbers" in f.note


def test_spend_removed_by_dfe_for_2024_25_falls_back_to_2023_24_in_its_own_prices():
    f = council_statistics("Wandsworth").figures["s251_cla_gross_gbp"]
    assert f.year == 2024 and f.reference == "financial year 2023-24" and f.status == "earlier_year"
    assert f.value == HISTORY[("E09000032", "s251_cla_gross_gbp", 2024)]
    assert "cash prices of that year" in f.note


def test_every_status_and_flag_is_listed_in_the_notes():
    s = council_statistics("Kingston upon Thames")
    assert any(n.startswith("Social workers employed") and "apportioned" in n for n in s.notes)
    assert s.to_dict()["figures"]["agency_rate_pct"]["status"] == "joint_rate"


def test_ofsted_history_feeds_the_framework():
    assert council_statistics("Bradford").ofsted.two_inadequate_in_a_row
    trafford = council_statistics("Trafford").ofsted
    assert trafford.requires_improvement_after_inadequate and trafford.systemic_or_persistent
    northants = council_statistics("West Northamptonshire").ofsted
    assert northants.requires_improvement_after_inadequate and northants.inspections[0].council_name == "Northamptonshire"
    assert any("which this council replaced" in r for r in northants.reasons)
    doncaster = council_statistics("Doncaster").ofsted
    assert doncaster.latest.judgement == "Good" and doncaster.latest.date == "2025-01-20"
    assert not doncaster.systemic_or_persistent
    assert council_statistics("Isle of Wight").ofsted.latest.date == "2023-10-30"


def _insp(date, grade, code="E1"):
    from costmodel.council_statistics import GRADES
    return Inspection(code, "A council", date, date, "ILACS Standard Inspection", GRADES[grade], grade)


@pytest.mark.parametrize("grades,flags", [
    ([2], (False, False, False, False)),
    ([4], (True, False, False, True)),
    ([4, 4], (True, True, False, True)),
    ([4, 3], (False, False, True, True)),
    ([4, 3, 2], (False, False, False, False)),
    ([3, 4], (True, False, False, True)),
    ([3, 3], (False, False, False, False)),
])
def test_ofsted_reading_rules(grades, flags):
    seq = [_insp(f"20{18 + i}-01-01", g) for i, g in enumerate(grades)]
    r = read_ofsted(list(reversed(seq)))  # any order in
    assert (r.inadequate, r.two_inadequate_in_a_row, r.requires_improvement_after_inadequate,
            r.systemic_or_persistent) == flags
    assert r.latest == seq[-1]


def test_no_inspection_is_read_as_no_evidence():
    r = read_ofsted([])
    assert r.latest is None and not r.systemic_or_persistent and "No ILACS inspection" in r.reasons[0]


def test_lookup_over_the_packaged_list_rejects_a_region_and_a_former_council():
    assert find("doncaster").council.code == "E08000017"
    with pytest.raises(CostmodelError, match="region"):
        find("South West")
    with pytest.raises(CostmodelError, match="no longer exists"):
        council_statistics("Cumbria")


def test_every_council_has_a_record_with_every_measure():
    from costmodel.evidence.council_record import council_refs
    for c in council_refs():
        s = council_statistics(c.code)
        assert set(s.figures) == set(MEASURES)
        for f in s.figures.values():
            assert (f.value is None) == (f.status in ("suppressed", "missing")), (c.name, f.measure)
