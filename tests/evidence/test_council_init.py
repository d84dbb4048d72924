"""``costmodel init --council``: each baseline value of the folder it writes against the published figure for that
council and year, read here independently from the packaged CSV files with the standard library; the outset spend
against the council's section 251 outturn restated with the bundled GDP deflator (read from prices.yaml here); the
Ofsted flags against the inspections file; the fallbacks of joint and missing returns; the folder's guards."""
import csv
import json
import statistics
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.comparison import reconciliation
from costmodel.files.assumption_folder import load_folder

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "costmodel" / "files" / "data"
ROWS = {r["la_code"]: r for r in csv.DictReader(open(DATA / "councils.csv", encoding="utf-8"))}
JOINT = {r["la_code"]: r for r in csv.DictReader(open(DATA / "workforce_joint_units.csv", encoding="utf-8"))}
HISTORY = {}
for _r in csv.DictReader(open(DATA / "councils_history.csv", encoding="utf-8")):
    HISTORY[(_r["la_code"], _r["measure"], int(_r["year"]))] = float(_r["value"])
INSPECTIONS = list(csv.DictReader(open(DATA / "ofsted_inspections.csv", encoding="utf-8")))
BUNDLED = yaml.safe_load(open(ROOT / "assumptions" / "baseline.yaml", encoding="utf-8"))
DEFLATOR = yaml.safe_load(open(ROOT / "assumptions" / "prices.yaml", encoding="utf-8"))["indices"]["gdp_deflator"]["years"]
S251 = ("s251_cla_gross_gbp", "s251_safeguarding_gross_gbp", "s251_family_support_gross_gbp",
        "s251_other_children_family_gross_gbp")


def num(code, column):
    text = ROWS[code][column]
    return float(text) if text else None


def index(year):
    v = DEFLATOR[year]["value"]
    return v["central"] if isinstance(v, dict) else v


def central(record):
    v = record["value"]
    return v["central"] if isinstance(v, dict) else v


def trio(record):
    v = record["value"]
    return (v["low"], v["central"], v["high"]) if isinstance(v, dict) else (v, v, v)


def init(tmp_path, name, *extra, code=0):
    result = CliRunner().invoke(main, ["init", "--council", name, str(tmp_path / "folder"), *extra])
    assert result.exit_code == code, result.output
    return result


def reference():
    """The council the national defaults describe: the medians of the councils judged inadequate (grade 4)."""
    bad = [r for r in ROWS.values() if r["ofsted_overall_grade"] == "4"]
    return (statistics.median(float(r["children_in_need"]) for r in bad),
            statistics.median(float(r["children_looked_after"]) for r in bad if r["children_looked_after"]))


def test_the_reference_council_is_the_one_the_national_defaults_describe():
    cin, cla = reference()
    assert cin == central(BUNDLED["caseload"]["children_in_need"])  # the bundled baseline's own council
    assert cla == 427  # docs/defaults.md, the legacy placements' reasoning


def workforce(code):
    """Employed, agency and case-holding FTE and their year, as documented: the council's own 2025 figures; a joint
    return's shared by children in need; an earlier year (the last published) where 2025 is not available."""
    joint = ROWS[code]["workforce_reported_by"].split(" (")[0].strip()
    if joint:
        unit = next(r for r in JOINT.values() if r["la_code"] == joint)
        members = [m.strip() for m in joint.split(" / ")]
        share = num(code, "children_in_need") / sum(num(m, "children_in_need") for m in members)
        return [float(unit[c]) * share for c in ("social_worker_fte", "agency_fte", "case_holding_fte")]
    out = []
    for m in ("social_worker_fte", "agency_fte", "case_holding_fte"):
        out.append(num(code, m) if num(code, m) is not None else HISTORY[(code, m, max(
            y for (c, mm, y) in HISTORY if c == code and mm == m))])
    return out


COUNCILS = {  # name as typed -> ONS code
    "Doncaster": "E08000017", "birmingham": "E08000025", "Isle of Wight": "E06000046", "hackney": "E09000012",
    "Richmond upon Thames": "E09000027", "Kensington & Chelsea": "E09000020", "Wandsworth": "E09000032",
}


@pytest.mark.parametrize("name", list(COUNCILS))
def test_each_baseline_value_is_the_published_figure(tmp_path, name):
    code = COUNCILS[name]
    out = init(tmp_path, name).output
    b = yaml.safe_load(open(tmp_path / "folder" / "baseline.yaml", encoding="utf-8"))
    sources = yaml.safe_load(open(tmp_path / "folder" / "sources.yaml", encoding="utf-8"))
    assert f"ONS {code}" in out
    cin = num(code, "children_in_need")
    assert central(b["caseload"]["children_in_need"]) == cin and b["caseload"]["children_in_need"].get("basis",
                                                                                                   "published") == "published"
    sw, ag, ch = workforce(code)
    w = b["social_workers"]
    assert central(w["fte"]) == pytest.approx(sw + ag, abs=0.05)
    assert central(w["agency_share"]) == pytest.approx(ag / (sw + ag), abs=5e-5)
    assert central(w["case_holding_share"]) == pytest.approx(ch / (sw + ag), abs=5e-5)
    for rec in (w["fte"], w["agency_share"], w["case_holding_share"]):
        assert rec["basis"] == "derived" and code in rec["note"] and "30 September" in rec["note"]
        assert sources[rec["source"]]["url"].startswith("https://")
    # section 251: the latest financial year the council has (Wandsworth: 2023-24, not in the 2024-25 release)
    year = max(y for (c, m, y) in HISTORY if c == code and m == "s251_cla_gross_gbp")
    res = HISTORY[(code, "s251_weekly_cost_per_residential_placement_gbp", year)]
    fos = HISTORY[(code, "s251_weekly_cost_per_foster_placement_gbp", year)]
    lp = b["legacy_placements"]
    assert central(lp["weekly_cost"]) == res and lp["weekly_cost"]["price_base"] == year - 1
    assert trio(lp["replacement_weekly_cost"]) == pytest.approx((fos, 0.75 * fos + 0.25 * res, 0.5 * fos + 0.5 * res))
    assert b["outset_spend"]["price_base"] == year - 1
    assert lp["weekly_cost"]["source"] == f"dfe_s251_{year - 1}_{year % 100:02d}_la"
    # scaled national defaults: legacy placements by children looked after, senior posts by children in need ^ 0.5
    ref_cin, ref_cla = reference()
    for key in ("count", "floor"):
        want = [round(v * num(code, "children_looked_after") / ref_cla, 1) for v in trio(BUNDLED["legacy_placements"][key])]
        assert list(trio(lp[key])) == pytest.approx(want, abs=1e-9)
        assert lp[key]["note"].startswith("National default, scaled")
    k = (cin / ref_cin) ** central(BUNDLED["improvement_scaling"]["elasticity"])
    assert central(b["senior_team"]["annual_cost"]) == round(central(BUNDLED["senior_team"]["annual_cost"]) * k)
    assert central(b["interim_leaders"]["count"]) == round(central(BUNDLED["interim_leaders"]["count"]) * k, 1)
    # support services and a trust's own back office in proportion to the outset spend (both in base-year prices)
    o = yaml.safe_load(open(tmp_path / "folder" / "options.yaml", encoding="utf-8"))
    ratio = central(b["outset_spend"]) * index(2025) / index(year - 1) / (central(BUNDLED["outset_spend"]) * index(2025) / index(2024))
    assert central(b["support_services"]["annual_cost"]) == round(central(BUNDLED["support_services"]["annual_cost"]) * ratio)
    bundled_options = yaml.safe_load(open(ROOT / "assumptions" / "options.yaml", encoding="utf-8"))
    assert central(o["trust"]["back_office"]["annual_cost"]) == round(
        central(bundled_options["trust"]["back_office"]["annual_cost"]) * ratio)
    assert o["trust"]["set_up"]["amount"]["value"] == bundled_options["trust"]["set_up"]["amount"]["value"]
    # copied national defaults say so
    assert b["social_workers"]["salary"]["note"].startswith("National default (the bundled example)")
    assert central(b["social_workers"]["salary"]) == central(BUNDLED["social_workers"]["salary"])


@pytest.mark.parametrize("name", ["Doncaster", "Wandsworth", "Isles of Scilly"])
def test_the_reconciliation_adds_up_to_the_section_251_outturn_in_base_year_prices(tmp_path, name):
    init(tmp_path, name)
    a = load_folder(tmp_path / "folder")
    code = a.extra["council"]["council"]["code"]
    year = max(y for (c, m, y) in HISTORY if c == code and m == "s251_cla_gross_gbp")
    outturn = sum(HISTORY[(code, m, year)] for m in S251)
    rec = reconciliation(a)
    factor = index(a.price_base_year) / index(year - 1)
    assert rec["total_outset_spend"] == pytest.approx(outturn * factor, abs=2)  # the core is rounded to the pound
    assert rec["provenance"]["core_service"] == {"basis": "derived", "levers": {"baseline.outset_spend": "derived"}}
    assert rec["provenance"]["legacy_placements"]["levers"]["baseline.legacy_placements.count"] == "national default"
    assert rec["provenance"]["agency_premium"]["levers"]["baseline.social_workers.fte"] in ("derived", "national default")
    assert a.levers["baseline.outset_spend"].central == pytest.approx(outturn - sum(
        rec[line] for line in ("legacy_placements", "agency_premium", "interim_leaders")) / factor, abs=1)


def latest_two(code):
    own = sorted((i for i in INSPECTIONS if i["la_code"] == code), key=lambda i: i["insp_date"])
    return own[-1], (own[-2] if len(own) > 1 else None)


@pytest.mark.parametrize("name,systemic", [("Doncaster", False), ("Isles of Scilly", True)])
def test_ofsted_sets_the_decision_framework_flags(tmp_path, name, systemic):
    init(tmp_path, name)
    cap = yaml.safe_load(open(tmp_path / "folder" / "baseline.yaml", encoding="utf-8"))["capacity"]
    code = load_folder(tmp_path / "folder").extra["council"]["council"]["code"]
    latest, before = latest_two(code)
    expect = latest["grade"] == "4" or (before is not None and before["grade"] == "4" and latest["grade"] in "34")
    assert cap["systemic_issues"]["value"] is expect is systemic
    assert latest["insp_date"] in cap["systemic_issues"]["derivation"]
    leaders_ok = latest["leaders"] in ("Good", "Outstanding")
    assert cap["self_assess"]["value"] is (latest["leaders"] != "Inadequate")
    assert cap["implement"]["value"] is leaders_ok
    assert cap["implement"]["basis"] == "judgement" and latest["leaders"] in cap["implement"]["reasoning"]


def test_a_council_whose_latest_judgement_is_inadequate_is_read_as_systemic(tmp_path):
    latest = {}
    for i in INSPECTIONS:
        if i["status"] == "Current" and i["insp_date"] > latest.get(i["la_code"], {}).get("insp_date", ""):
            latest[i["la_code"]] = i
    code = sorted(c for c, i in latest.items() if i["grade"] == "4" and c in ROWS)[0]
    init(tmp_path, code)
    a = load_folder(tmp_path / "folder")
    assert a.central("baseline.capacity.systemic_issues") == 1.0
    assert json.dumps(a.extra["council"]["ofsted"]["reasons"]).count("Inadequate") >= 1


def test_joint_returns_and_missing_workforce_are_said_never_a_national_average(tmp_path):
    out = init(tmp_path, "Richmond upon Thames").output
    assert "apportioned" in out and "E09000021 / E09000027" in out
    fallbacks = load_folder(tmp_path / "folder").extra["council"]["fallbacks"]
    assert any("returned jointly" in f for f in fallbacks)
    out = init(tmp_path, "Kensington and Chelsea", "--force").output
    a = load_folder(tmp_path / "folder")
    note = a.levers["baseline.social_workers.fte"].note
    assert "at 30 September 2024" in note and "'x'" in note  # the 2025 workforce is DfE 'x': the 2024 figure
    assert "last published figure, for 2020" in note  # agency workers: last published 2020, said so
    assert a.central("baseline.social_workers.fte") == pytest.approx(HISTORY[("E09000020", "social_worker_fte", 2024)]
                                                                      + HISTORY[("E09000020", "agency_fte", 2020)])
    assert "Fallbacks (" in out and not a.levers["baseline.social_workers.agency_share"].note.startswith("National")
    init(tmp_path, "Isles of Scilly", "--force")
    a = load_folder(tmp_path / "folder")
    weekly = a.levers["baseline.legacy_placements.weekly_cost"]
    assert weekly.note.startswith("National default") and "no residential unit cost" in weekly.note
    assert any("weekly_cost" in f for f in a.extra["council"]["fallbacks"])
    count = a.levers["baseline.legacy_placements.count"]  # children looked after 'z': scaled by children in need
    assert count.central == round(20 * num("E06000053", "children_in_need") / reference()[0], 1)


def test_scenarios_of_levers_set_from_the_statistics_keep_their_ratio_to_the_national_default(tmp_path):
    init(tmp_path, "Birmingham")
    a = load_folder(tmp_path / "folder")
    worse = a.scenarios["legacy_worse"].overrides
    count = a.central("baseline.legacy_placements.count")
    assert worse["baseline.legacy_placements.count"] == pytest.approx(count * 40 / 20, abs=0.01)
    for name in a.scenarios:
        a.with_scenario(name)  # every scenario validates for the council (the floor stays below the count)
    assert a.scenarios["trust_mobilisation_slips"].overrides["options.trust.mobilisation_months"] == 18


def test_init_refuses_an_existing_folder_without_force_and_replaces_it_whole_with_it(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "mine.txt").write_text("keep me")
    result = init(tmp_path, "Doncaster", code=2)
    assert "already exists" in result.output and "--force" in result.output
    assert (folder / "mine.txt").read_text() == "keep me" and not (folder / "baseline.yaml").exists()
    init(tmp_path, "Doncaster", "--force")
    assert not (folder / "mine.txt").exists() and (folder / "council.yaml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left behind


def test_a_folder_that_does_not_validate_is_never_moved_into_place(tmp_path, monkeypatch):
    from costmodel.errors import AssumptionError, Problem
    from costmodel.files import council_folder

    def refuse(folder):
        raise AssumptionError([Problem(str(folder), "", "invalid")])
    monkeypatch.setattr(council_folder, "load_folder", refuse)
    init(tmp_path, "Doncaster", code=2)
    assert list(tmp_path.iterdir()) == []


def test_the_default_folder_is_named_after_the_council(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--council", "bristol"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bristol-city-of" / "baseline.yaml").exists()
    assert "costmodel compare --assumptions bristol-city-of" in result.output


@pytest.mark.parametrize("typed,words", [("Doncster", "closest: Doncaster"), ("Kingston", "matches 2 councils"),
                                         ("Atlantis", "no English council"), ("Northamptonshire", "North Northamptonshire")])
def test_misspelt_ambiguous_unknown_and_former_councils_are_errors(tmp_path, typed, words):
    result = init(tmp_path, typed, code=2)
    assert words in result.output and "Traceback" not in result.output
    assert not (tmp_path / "folder").exists()


@pytest.mark.slow
def test_every_council_gets_a_folder_that_validates_and_runs_every_scenario(tmp_path):
    from costmodel.evidence.council_init import init_council
    assert len(ROWS) == 153
    for code in ROWS:
        *_, a = init_council(code, tmp_path / code)
        assert a.levers["baseline.outset_spend"].central > 0, code
        for name in a.scenarios:
            a.with_scenario(name)


def test_the_hand_check_in_the_docs_is_what_init_writes(tmp_path):
    init(tmp_path, "Doncaster")
    derivation = yaml.safe_load(open(tmp_path / "folder" / "baseline.yaml", encoding="utf-8"))["outset_spend"]["derivation"]
    doc = (ROOT / "docs" / "any-council.md").read_text(encoding="utf-8")
    for figure in ("£92,791,433", "£8,835,503", "£817,999", "£421,934", "£10,075,436", "£82,715,997"):
        assert figure in doc and figure in derivation, figure
    options = yaml.safe_load(open(tmp_path / "folder" / "options.yaml", encoding="utf-8"))
    assert f"£{central(options['trust']['back_office']['annual_cost']):,.0f}" in doc
