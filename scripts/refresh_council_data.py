#!/usr/bin/env python3
"""Rebuild the packaged council statistics (src/costmodel/files/data/) from newer DfE, Ofsted and ONS files.

Usage:
    python scripts/refresh_council_data.py SOURCE_DIR \\
        --snapshot dfe-analytical-services/CSC_outcomes_and_enablers=COMMIT@YYYY-MM-DD \\
        [--snapshot OWNER/REPO=COMMIT@YYYY-MM-DD ...] [--updated CSWW=YYYY-MM-DD ...] [--data-dir DIR] [--check]

SOURCE_DIR is laid out as the packaged ``build_councils.py`` expects (dfe/, legacy/, lait/; see the data
README, "Re-running", and docs/council-data.md). The script

1. checks the source folder holds the files ``build_councils.py`` needs (an error names any missing one);
2. runs the packaged ``build_councils.py`` into a temporary folder (councils.csv, england_and_regions.csv,
   workforce_joint_units.csv, councils_history.csv, columns.csv);
3. rebuilds ``ofsted_inspections.csv`` from the Ofsted workbook's ``ILACS_inspection_history`` sheet when the
   ``.ods`` is in dfe/ (else keeps the packaged one and says so), and ``symbols.csv`` (the DfE symbols c, x,
   z, u, low of every council figure the build leaves empty) from the raw files;
4. checks the new files have the columns the package reads, then moves them into the data folder;
5. writes ``VINTAGE.json``: each source's release and latest year (read from the new files), the snapshot
   commits given with --snapshot, the SHA-256 of every input and of every packaged file.

The data README's prose (coverage, sanity checks, the three councils checked) is not rewritten: re-read it
against the output of --check and edit it by hand. Needs pandas; odfpy for the Ofsted .ods; pyarrow for LAIT.
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "src" / "costmodel" / "files" / "data"
BUILT = ("councils.csv", "england_and_regions.csv", "workforce_joint_units.csv", "councils_history.csv", "columns.csv")
REQUIRED = ("b1_children_in_need_2013_to_*.csv", "c1_children_in_need_referrals_and_rereferrals_2013_to_*.csv",
            "d5_cpps_at31march_by_duration_2013_to_*.csv", "cla_number_and_rate_per_10k_children.csv",
            "csww_indicators_2017_to_*.csv", "ons_mid-year_population_estimates_2012_to_*.csv")
OFSTED_ODS = "LA_Inspection_Outcomes_as_at_31_March_*.ods"

#: The sources the vintage describes: key → (publisher, title, measures whose years it gives).
SOURCES = {
    "CIN": ("DfE", "Children in need (Characteristics of children in need)",
            ("children_in_need", "referrals", "child_protection_plans")),
    "CLA": ("DfE", "Children looked after in England including adoptions", ("children_looked_after",)),
    "CSWW": ("DfE", "Children's social work workforce", ("social_worker_fte",)),
    "POP": ("ONS (formatted by DfE)", "Mid-year population estimates, children aged 0 to 17", ("population_0_17",)),
    "S251": ("DfE", "LA and school expenditure (section 251 outturn), as held in the Local Authority "
                    "Interactive Tool", ("s251_cyp_total_gross_gbp",)),
    "OFSTED": ("Ofsted", "Children's social care data in England: local authority inspection outcomes (ILACS)", ()),
    "SN": ("DfE", "Children's services statistical neighbours (2025 model), file sn_model_2025_wide.csv of the "
                  "DfE CSC outcomes and enablers dashboard", ()),
}


#: Where the packaged statistical neighbour file comes from (copied unchanged; the refresh does not rebuild it).
STATISTICAL_NEIGHBOURS_ORIGIN = {"repository": "dfe-analytical-services/CSC_outcomes_and_enablers",
                                 "commit": "6f27b0685e5387a480a7bb0714197274445160c5",
                                 "path": "data-raw/sn_model_2025_wide.csv"}


class RefreshError(Exception):
    """A problem the person running the refresh can fix; printed without a traceback."""


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source_dir", type=Path, help="folder with dfe/ (and optionally legacy/, lait/)")
    ap.add_argument("--snapshot", action="append", default=[], metavar="OWNER/REPO=COMMIT@YYYY-MM-DD",
                    help="a repository snapshot the source files came from (repeat; at least one)")
    ap.add_argument("--updated", action="append", default=[], metavar="KEY=YYYY-MM-DD",
                    help=f"the 'last updated' date of a source's release; KEY one of {', '.join(SOURCES)}")
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR, help="the packaged data folder to rewrite")
    ap.add_argument("--check", action="store_true", help="print build_councils.py's sanity checks")
    ap.add_argument("--today", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if not a.snapshot:
        ap.error("give at least one --snapshot OWNER/REPO=COMMIT@YYYY-MM-DD (where the source files came from)")
    a.snapshots = [parse_snapshot(s, ap) for s in a.snapshot]
    a.updated_dates = dict(parse_updated(u, ap) for u in a.updated)
    return a


def parse_snapshot(text, ap):
    m = re.fullmatch(r"([\w.-]+/[\w.-]+)=([0-9a-f]{7,40})@(\d{4}-\d{2}-\d{2})", text.strip())
    if not m:
        ap.error(f"--snapshot {text!r}: expected OWNER/REPO=COMMIT@YYYY-MM-DD, e.g. "
                 "dfe-analytical-services/CSC_outcomes_and_enablers=2f5d11a4@2026-04-27")
    return {"repository": m.group(1), "commit": m.group(2), "date": m.group(3)}


def parse_updated(text, ap):
    key, _, date = text.partition("=")
    if key not in SOURCES or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        ap.error(f"--updated {text!r}: expected KEY=YYYY-MM-DD with KEY one of {', '.join(SOURCES)}")
    return key, date


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_source(src: Path) -> dict[str, str]:
    """The input files by relative path → SHA-256; a missing folder or required file is a RefreshError."""
    if not (src / "dfe").is_dir():
        raise RefreshError(f"{src}: no dfe/ folder (see docs/council-data.md for the layout)")
    for pattern in REQUIRED:
        if not glob.glob(str(src / "dfe" / "**" / pattern), recursive=True):
            raise RefreshError(f"{src / 'dfe'}: no file matching {pattern}")
    files = sorted(p for p in src.rglob("*") if p.is_file())
    return {p.relative_to(src).as_posix(): sha256(p) for p in files}


def load_builder(data_dir: Path):
    """The packaged build_councils.py as a module (for its helpers: Geo, read_csv, find_file, SUPPRESSED)."""
    spec = importlib.util.spec_from_file_location("build_councils", data_dir / "build_councils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_build(src: Path, out: Path, data_dir: Path, check: bool) -> None:
    cmd = [sys.executable, str(data_dir / "build_councils.py"), str(src), "--out", str(out)] + (["--check"] if check else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    if done.returncode:
        raise RefreshError(f"build_councils.py failed:\n{done.stderr.strip()}")


#: Raw DfE columns that become council measures (as build_councils.py maps them), for the symbol scan.
RAW_COLUMNS = {
    "b1_children_in_need_2013_to_*.csv": {"At31_episodes": "children_in_need",
                                          "Anypoint_child": "children_in_need_during_year",
                                          "Started_episodes": "cin_episodes_started"},
    "c1_children_in_need_referrals_and_rereferrals_2013_to_*.csv": {"referral_count": "referrals",
                                                                    "rereferral_percent": "rereferral_pct"},
    "d5_cpps_at31march_by_duration_2013_to_*.csv": {"CPP_At31": "child_protection_plans"},
    "csww_indicators_2017_to_*.csv": {
        "inpost_fte": "social_worker_fte", "starters_fte": "starters_fte", "leavers_fte": "leavers_fte",
        "turnover_rate_fte": "turnover_rate_pct", "agency_fte": "agency_fte", "agency_rate_fte": "agency_rate_pct",
        "vacancy_fte": "vacancy_fte", "vacancy_rate_fte": "vacancy_rate_pct", "case_holders_fte": "case_holding_fte",
        "cases": "cases_held", "caseload_fte": "caseload_per_case_holder", "absence_rate_fte": "absence_rate_pct"},
}
CLA_TYPES = {"Children looked after on 31 March each year": {"children_count": "children_looked_after",
                                                             "rate_per_10000": "cla_rate_per_10k"}}


def build_symbols(src: Path, out: Path, bc) -> int:
    """symbols.csv: every council figure a DfE symbol replaced (c, x, z, u, low, ...), harmonised codes."""
    import pandas as pd
    dfe = str(src / "dfe")
    geo = bc.Geo(bc.read_csv(bc.find_file(dfe, "b1_children_in_need_2013_to_*.csv")))
    frames = [(bc.read_csv(bc.find_file(dfe, pattern)), cols) for pattern, cols in RAW_COLUMNS.items()]
    cla = bc.read_csv(bc.find_file(dfe, "cla_number_and_rate_per_10k_children.csv"))
    cla["population_type"] = cla["population_type"].str.replace("at 31 March", "on 31 March", regex=False)
    frames += [(cla[cla.population_type == t], cols) for t, cols in CLA_TYPES.items()]
    rows = []
    for df, cols in frames:
        la = df[df.geographic_level == "Local authority"]
        for col, measure in cols.items():
            if col not in la.columns:
                continue
            vals = la[col].astype(str).str.strip()
            hit = la[vals.isin(bc.SUPPRESSED - {""})]
            for _, r in hit.iterrows():
                code, _, name = geo.key(r.old_la_code, r.new_la_code, r.la_name)
                rows.append((code, name, int(r.time_period), measure, str(r[col]).strip()))
    table = pd.DataFrame(rows, columns=["la_code", "la_name", "year", "measure", "symbol"]).drop_duplicates()
    table.sort_values(["la_name", "year", "measure"]).to_csv(out / "symbols.csv", index=False, lineterminator="\n")
    return len(table)


OFSTED_COLUMNS = {"la_code": "Local authority area code", "la_name": "Local authority name", "status": "status",
                  "ofsted_region": "Ofsted region", "insp_date": "Inspection date", "pub_date": "Publication date",
                  "type": "Inspection type", "overall": "Overall effectiveness",
                  "leaders": "The impact of leaders on social work practice with children and families",
                  "hp": "The experiences and progress of children who need help and protection",
                  "cic": "The experiences and progress of children in care",
                  "cl": "The experiences and progress of care leavers"}


def _column(frame, wanted: str) -> str:
    for c in frame.columns:
        if str(c).strip().lower() == wanted.lower():
            return c
    for c in frame.columns:
        if wanted.lower() in str(c).strip().lower():
            return c
    raise RefreshError(f"Ofsted sheet ILACS_inspection_history: no column {wanted!r} (columns: {list(frame.columns)})")


def build_inspections(ods: Path, out: Path, bc) -> int:
    """ofsted_inspections.csv from the ILACS_inspection_history sheet (one row per inspection)."""
    import pandas as pd
    hist = pd.read_excel(ods, engine="odf", sheet_name="ILACS_inspection_history", skiprows=2)
    t = pd.DataFrame({k: hist[_column(hist, v)] for k, v in OFSTED_COLUMNS.items()})
    t["la_code"] = t["la_code"].map(lambda c: bc.CODE_ALIASES.get(c, c))
    for c in ("insp_date", "pub_date"):
        t[c] = pd.to_datetime(t[c]).dt.strftime("%Y-%m-%d")
    t["grade"] = t["overall"].map(bc.OFSTED_GRADE).astype("Int64")
    t = t.sort_values(["la_name", "insp_date"])
    t.to_csv(out / "ofsted_inspections.csv", index=False, lineterminator="\n")
    return len(t)


def check_outputs(new: Path, data_dir: Path) -> None:
    """The new files must have every column the packaged ones have (the package reads them by name)."""
    import pandas as pd
    for name in (*BUILT, "ofsted_inspections.csv", "symbols.csv"):
        if not (new / name).exists():
            raise RefreshError(f"the build wrote no {name}")
        if (data_dir / name).exists():
            old = set(pd.read_csv(data_dir / name, nrows=0).columns)
            lost = old - set(pd.read_csv(new / name, nrows=0).columns)
            if lost:
                raise RefreshError(f"{name}: the new file lacks columns {sorted(lost)}; the package reads them")
    if len(pd.read_csv(new / "councils.csv")) < 100:
        raise RefreshError("councils.csv: fewer than 100 councils; is the children in need file complete?")


def latest_years(data_dir: Path) -> dict[str, tuple[int, int]]:
    """(first, latest) year of each source, read from the packaged history and inspection files."""
    import pandas as pd
    h = pd.read_csv(data_dir / "councils_history.csv", usecols=["year", "measure"])
    out = {}
    for key, (_, _, measures) in SOURCES.items():
        years = h.loc[h.measure.isin(measures), "year"]
        if len(years):
            out[key] = (int(years.min()), int(years.max()))
    dates = pd.read_csv(data_dir / "ofsted_inspections.csv", usecols=["insp_date"])["insp_date"]
    out["OFSTED"] = (int(dates.min()[:4]), int(dates.max()[:4]))
    return out


def release_text(key: str, first: int | None, last: int | None, ofsted_as_at: str | None) -> tuple[str, str]:
    """(release, reference of the latest figures) in words, from a source's latest year."""
    if last is None:
        return "not in this build", "no figures"
    fy = f"{last - 1}-{last % 100:02d}"
    return {
        "CIN": (f"reporting year {last}", f"at 31 March {last} (referrals: year to 31 March {last})"),
        "CLA": (f"reporting year {last}", f"at 31 March {last}"),
        "CSWW": (f"reporting year {last}", f"at 30 September {last} (turnover: year to 30 September {last})"),
        "POP": (f"mid-{last - 1}", f"ONS mid-{last - 1} estimate, the denominator for reporting year {last}"),
        "S251": (f"financial year {fy} outturn", f"financial year {fy} (1 April {last - 1} to 31 March {last})"),
        "OFSTED": (ofsted_as_at or f"inspections {first}-{last}",
                   f"latest ILACS inspection of each council, {ofsted_as_at or f'to {last}'}"),
        "SN": ("2025 model", "10 statistical neighbours per council"),
    }[key]


def make_vintage(data_dir: Path, previous: dict, snapshots: list, updated: dict, inputs: dict | None,
                 today: str, ofsted_as_at: str | None = None) -> dict:
    """The VINTAGE.json content for the files now in ``data_dir``."""
    years = latest_years(data_dir)
    old = {s["key"]: s for s in previous.get("sources", [])}
    sources = []
    for key, (publisher, title, _) in SOURCES.items():
        first, last = years.get(key, (None, None))
        if key == "SN":
            first, last = 2025, 2025
        as_at = ofsted_as_at or old.get("OFSTED", {}).get("release") if key == "OFSTED" else None
        release, reference = release_text(key, first, last, as_at)
        same = old.get(key, {}).get("latest_year") == last
        keep = old.get(key, {}).get("updated") if same else None
        entry = {"key": key, "publisher": publisher, "title": title, "release": release,
                 "updated": updated.get(key, keep), "first_year": first, "latest_year": last,
                 "latest_reference": reference}
        if key == "SN":  # not rebuilt by the refresh: the packaged file and where it came from stay
            entry |= {"file": "statistical_neighbours_2025.csv", **STATISTICAL_NEIGHBOURS_ORIGIN}
        sources.append(entry)
    files = sorted(p.name for p in data_dir.iterdir() if p.suffix in (".csv", ".py"))  # data, not prose
    return {
        "schema": "costmodel.council_data_vintage/1",
        "title": "Official statistics for England's upper-tier councils: children's social care",
        "refreshed": today,
        "licence": "Open Government Licence v3.0",
        "licence_url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "attribution": "Contains public sector information licensed under the Open Government Licence v3.0.",
        "publishers": "Department for Education (DfE); Ofsted; Office for National Statistics (ONS)",
        "sources": sources,
        "snapshots": snapshots,
        "input_sha256": inputs if inputs is not None else previous.get("input_sha256", {}),
        "files_sha256": {name: sha256(data_dir / name) for name in files},
    }


def install(new: Path, data_dir: Path) -> list[str]:
    """Move every new file into the data folder, each replaced whole (temporary name, then rename)."""
    moved = []
    for p in sorted(new.iterdir()):
        tmp = data_dir / f".{p.name}.refresh"
        shutil.copyfile(p, tmp)
        os.replace(tmp, data_dir / p.name)
        moved.append(p.name)
    return moved


def write_json(path: Path, obj: dict) -> None:
    tmp = path.with_name(f".{path.name}.refresh")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def refresh(a) -> dict:
    """Steps 1-5 of the module docstring; returns the new vintage."""
    src, data_dir = a.source_dir.resolve(), a.data_dir.resolve()
    if not src.is_dir():
        raise RefreshError(f"{src}: no such folder")
    if not (data_dir / "build_councils.py").exists():
        raise RefreshError(f"{data_dir}: not the packaged data folder (no build_councils.py)")
    inputs = check_source(src)
    bc = load_builder(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        new = Path(tmp)
        run_build(src, new, data_dir, a.check)
        ods = sorted(glob.glob(str(src / "dfe" / "**" / OFSTED_ODS), recursive=True))
        if ods:
            print(f"ofsted_inspections.csv: {build_inspections(Path(ods[-1]), new, bc)} inspections")
        else:
            shutil.copyfile(data_dir / "ofsted_inspections.csv", new / "ofsted_inspections.csv")
            print("no Ofsted .ods in dfe/: ofsted_inspections.csv kept as packaged")
        print(f"symbols.csv: {build_symbols(src, new, bc)} council figures replaced by a DfE symbol")
        check_outputs(new, data_dir)
        print("installed:", ", ".join(install(new, data_dir)))
    previous = json.loads((data_dir / "VINTAGE.json").read_text()) if (data_dir / "VINTAGE.json").exists() else {}
    as_at = None
    if ods:
        m = re.search(r"as_at_(\d+)_(\w+?)_(\d{4})", Path(ods[-1]).name)
        as_at = f"as at {m.group(1)} {m.group(2)} {m.group(3)}" if m else None
    vintage = make_vintage(data_dir, previous, a.snapshots, a.updated_dates, inputs,
                           a.today or dt.date.today().isoformat(), as_at)
    write_json(data_dir / "VINTAGE.json", vintage)
    for s in vintage["sources"]:
        if s["updated"] is None and s["key"] not in ("SN", "POP"):
            print(f"note: {s['key']} has no 'updated' date for {s['release']}; give --updated {s['key']}=YYYY-MM-DD")
    return vintage


def main(argv=None) -> int:
    a = parse_args(argv)
    try:
        v = refresh(a)
    except RefreshError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    print("wrote VINTAGE.json:", "; ".join(f"{s['key']} {s['release']}" for s in v["sources"]))
    print("Now re-read the data README against the checks above, run the test suite, and commit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
