"""The packaged data's vintage and its refresh script (scripts/refresh_council_data.py).

The refresh is run end to end on a small synthetic source folder in the DfE layout (every current council, a
2026 year, an Ofsted .ods, a DfE ``low`` and ``x``, the joint workforce returns) into a copy of the packaged data
folder: the packaged build_councils.py must rebuild the extract from it and the vintage must follow.
"""
import csv
import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "costmodel" / "files" / "data"
spec = importlib.util.spec_from_file_location("refresh_council_data", ROOT / "scripts" / "refresh_council_data.py")
refresh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh)

COUNCILS = list(csv.DictReader(open(DATA / "councils.csv", encoding="utf-8")))
JOINT = {"314": "318", "318": "314", "940": "941", "941": "940"}
SNAPSHOT = "dfe-analytical-services/CSC_outcomes_and_enablers=abcdef1@2027-04-01"


def test_the_packaged_vintage_matches_the_packaged_files():
    v = json.loads((DATA / "VINTAGE.json").read_text())
    for name, digest in v["files_sha256"].items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, f"{name} changed: run the refresh"
    expected = {p.name for p in DATA.iterdir() if p.suffix in (".csv", ".py")}
    assert set(v["files_sha256"]) == expected
    assert [s["key"] for s in v["sources"]] == list(refresh.SOURCES)
    assert v["attribution"].startswith("Contains public sector information licensed under the Open Government")


def _geo(level, c=None, region=None):
    if level == "National":
        return dict(geographic_level="National", old_la_code="", new_la_code="", la_name="", region_code="",
                    region_name="")
    if level == "Regional":
        return dict(geographic_level="Regional", old_la_code="", new_la_code="", la_name="", region_code=region[0],
                    region_name=region[1])
    return dict(geographic_level="Local authority", old_la_code=c["old_la_code"], new_la_code=c["la_code"],
                la_name=c["la_name"], region_code=c["region_code"], region_name=c["region"])


def _rows(years, values, workforce=False):
    """National, regional and council rows for each year; ``values(i, year)`` gives the measure columns."""
    regions = sorted({(c["region_code"], c["region"]) for c in COUNCILS})
    out = []
    for y in years:
        out.append({"time_period": y, **_geo("National"), **values(10_000, y)})
        out += [{"time_period": y, **_geo("Regional", region=r), **values(1_000 + k, y)} for k, r in enumerate(regions)]
        for i, c in enumerate(COUNCILS):
            if workforce and c["old_la_code"] in JOINT:
                continue
            out.append({"time_period": y, **_geo("Local authority", c), **values(i, y)})
        if workforce:
            for a, b in (("314", "318"), ("940", "941")):
                ca, cb = (next(c for c in COUNCILS if c["old_la_code"] == x) for x in (a, b))
                out.append({"time_period": y, "geographic_level": "Local authority", "old_la_code": f"{a} / {b}",
                            "new_la_code": f"{ca['la_code']} / {cb['la_code']}",
                            "la_name": f"{ca['la_name']} / {cb['la_name']}", "region_code": ca["region_code"],
                            "region_name": ca["region"], **values(500, y)})
    return pd.DataFrame(out)


def _workforce(i, y):
    v = {k: f"{10 + i % 7 + (y - 2025):.1f}" for k in (
        "inpost_fte", "starters_fte", "leavers_fte", "turnover_rate_fte", "agency_fte", "agency_rate_fte",
        "vacancy_fte", "vacancy_rate_fte", "case_holders_fte", "cases", "caseload_fte", "absence_rate_fte")}
    return v


def make_source(root: Path) -> Path:
    dfe = root / "dfe"
    dfe.mkdir(parents=True)
    years = (2025, 2026)
    _rows(years, lambda i, y: {"At31_episodes": 1000 + i + y - 2025, "Anypoint_child": 2000 + i,
                               "Started_episodes": 500 + i}).to_csv(dfe / "b1_children_in_need_2013_to_2026.csv", index=False)
    _rows(years, lambda i, y: {"referral_count": 3000 + i, "rereferral_percent": "20.5"}).to_csv(
        dfe / "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv", index=False)
    _rows(years, lambda i, y: {"CPP_At31": 100 + i}).to_csv(dfe / "d5_cpps_at31march_by_duration_2013_to_2026.csv",
                                                             index=False)
    cla = []
    for ptype in ("Children looked after at 31 March each year", "Children starting to be looked after each year",
                  "Children ceasing to be looked after each year"):
        cla.append(_rows(years, lambda i, y: {"population_type": ptype, "children_count": 200 + i,
                                              "rate_per_10000": 60}))
    pd.concat(cla).to_csv(dfe / "cla_number_and_rate_per_10k_children.csv", index=False)
    w = _rows(years, _workforce, workforce=True)
    mbro = (w.old_la_code == "806") & (w.time_period == 2026)
    w.loc[mbro, ["agency_fte", "agency_rate_fte"]] = "low"
    wmin = (w.old_la_code == "213") & (w.time_period == 2026)
    w.loc[wmin, "inpost_fte"] = "x"
    w.to_csv(dfe / "csww_indicators_2017_to_2026.csv", index=False)
    _rows((2024, 2025), lambda i, y: {"population_estimate": 50_000 + 10 * i}).to_csv(
        dfe / "ons_mid-year_population_estimates_2012_to_2025.csv", index=False)
    _ofsted(dfe / "LA_Inspection_Outcomes_as_at_31_March_2026.ods")
    return root


def _ofsted(path: Path) -> None:
    subs = ["The impact of leaders on social work practice with children and families",
            "The experiences and progress of children who need help and protection",
            "The experiences and progress of children in care", "The experiences and progress of care leavers"]
    grades = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
    current = pd.DataFrame([{"Local authority area code": c["la_code"], "Local authority name": c["la_name"],
                             "Inspection date": "2025-06-02", "Publication date": "2025-07-14",
                             "Overall effectiveness": grades[i % 4], **{s: grades[i % 4] for s in subs}}
                            for i, c in enumerate(COUNCILS)])
    history = current.assign(**{"Ofsted region": "Somewhere", "Inspection type": "ILACS Standard Inspection",
                                "Local authority status": "Current"})
    with pd.ExcelWriter(path, engine="odf") as xw:
        for name, frame in (("Inspections_as_at_31_March", current), ("ILACS_inspection_history", history)):
            frame.to_excel(xw, sheet_name=name, startrow=2, index=False)


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    pytest.importorskip("odf")
    root = tmp_path_factory.mktemp("refresh")
    src = make_source(root / "source")
    data = root / "data"
    shutil.copytree(DATA, data)
    code = refresh.main([str(src), "--data-dir", str(data), "--snapshot", SNAPSHOT, "--updated", "CSWW=2027-03-18",
                         "--today", "2027-04-02"])
    assert code == 0
    return src, data


def test_refresh_rebuilds_the_extract_from_a_newer_year(refreshed):
    _, data = refreshed
    c = pd.read_csv(data / "councils.csv", dtype={"old_la_code": str}).set_index("la_code")
    assert len(c) == 153
    assert c.loc["E08000017", "children_in_need"] == 1000 + [r["la_code"] for r in COUNCILS].index("E08000017") + 1
    assert pd.isna(c.loc["E09000021", "social_worker_fte"]) and "E09000021 / E09000027" in c.loc["E09000021",
                                                                                                 "workforce_reported_by"]
    h = pd.read_csv(data / "councils_history.csv")
    assert h.year.max() == 2026
    insp = pd.read_csv(data / "ofsted_inspections.csv")
    assert len(insp) == 153 and set(insp.grade) == {1, 2, 3, 4} and insp.insp_date.iloc[0] == "2025-06-02"


def test_refresh_records_every_dfe_symbol_it_finds(refreshed):
    _, data = refreshed
    s = pd.read_csv(data / "symbols.csv", keep_default_na=False)
    got = {(r.la_code, r.year, r.measure, r.symbol) for r in s.itertuples()}
    assert got == {("E06000002", 2026, "agency_fte", "low"), ("E06000002", 2026, "agency_rate_pct", "low"),
                   ("E09000033", 2026, "social_worker_fte", "x")}


def test_refresh_writes_the_vintage(refreshed):
    src, data = refreshed
    v = json.loads((data / "VINTAGE.json").read_text())
    by = {s["key"]: s for s in v["sources"]}
    assert by["CIN"]["latest_year"] == 2026 and by["CIN"]["release"] == "reporting year 2026"
    assert by["CIN"]["updated"] is None  # a new release needs its date: --updated CIN=...
    assert by["CSWW"]["updated"] == "2027-03-18" and by["CSWW"]["latest_reference"].startswith("at 30 September 2026")
    assert by["POP"]["release"] == "mid-2025"
    assert by["OFSTED"]["release"] == "as at 31 March 2026" and by["OFSTED"]["latest_year"] == 2025
    assert by["S251"]["release"] == "not in this build"  # no LAIT file in the synthetic source
    assert by["SN"]["commit"] == refresh.STATISTICAL_NEIGHBOURS_ORIGIN["commit"]
    assert v["snapshots"] == [{"repository": "dfe-analytical-services/CSC_outcomes_and_enablers", "commit": "abcdef1",
                               "date": "2027-04-01"}]
    assert v["refreshed"] == "2027-04-02"
    for rel, digest in v["input_sha256"].items():
        assert hashlib.sha256((src / rel).read_bytes()).hexdigest() == digest
    assert "dfe/LA_Inspection_Outcomes_as_at_31_March_2026.ods" in v["input_sha256"]
    for name, digest in v["files_sha256"].items():
        assert hashlib.sha256((data / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("args,message", [
    ([], "give at least one --snapshot"),
    (["--snapshot", "not-a-snapshot"], "expected OWNER/REPO=COMMIT@YYYY-MM-DD"),
    (["--snapshot", SNAPSHOT, "--updated", "XYZ=2026-01-01"], "KEY one of CIN, CLA"),
    (["--snapshot", SNAPSHOT, "--updated", "CIN=yesterday"], "expected KEY=YYYY-MM-DD"),
])
def test_bad_arguments_are_usage_errors(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as e:
        refresh.main([str(tmp_path), *args])
    assert e.value.code == 2 and message in capsys.readouterr().err


def test_a_source_folder_without_a_required_file_is_refused_before_anything_changes(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    before = (data / "councils.csv").read_bytes()
    (tmp_path / "src" / "dfe").mkdir(parents=True)
    assert refresh.main([str(tmp_path / "src"), "--data-dir", str(data), "--snapshot", SNAPSHOT]) == 2
    assert "no file matching b1_children_in_need_2013_to_*.csv" in capsys.readouterr().err
    assert refresh.main([str(tmp_path / "nowhere"), "--data-dir", str(data), "--snapshot", SNAPSHOT]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert refresh.main([str(tmp_path / "src"), "--data-dir", str(tmp_path), "--snapshot", SNAPSHOT]) == 2
    assert "not the packaged data folder" in capsys.readouterr().err
    assert (data / "councils.csv").read_bytes() == before
