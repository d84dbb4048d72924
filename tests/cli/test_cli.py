"""The command line through CliRunner and as real processes."""
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args):
    result = CliRunner().invoke(main, list(map(str, args)))
    assert result.exit_code == 0, result.output
    return result.output


def compare_json(*sets, extra=()):
    args = ["compare", "--format", "json", *extra]
    for s in sets:
        args += ["--set", s]
    return json.loads(invoke(*args))


def test_compare_table_shows_every_option_and_row():
    out = invoke("compare")
    for text in ("Business as usual", "In-house improvement", "Executive leadership", "Children's services trust",
                 "Set-up", "Transitional", "Improvement", "Recurring", "Legacy placements", "Present value",
                 "NPC vs business as usual", "Safe core service", "Decision framework", "fingerprint"):
        assert text in out, text


def test_compare_json_contract(bundled):
    r = compare_json()
    assert r["schema"] == "costmodel.compare/1" and r["price_base_year"] == 2025 and len(r["fingerprint"]) == 16
    assert list(r["options"]) == ["do_minimum", "in_house", "executive_leadership", "trust"]
    for key, o in r["options"].items():
        for field in ("present_value", "npc_vs_do_minimum", "npc_vs_in_house", "safe_service_month", "totals", "annual"):
            assert field in o, (key, field)
        assert len(o["annual"]) == 10
        assert o["totals"]["total"] == pytest.approx(sum(row["total"] for row in o["annual"]))
        assert o["present_value"] == pytest.approx(sum(row["present_value"] for row in o["annual"]))
        assert o["npc_vs_do_minimum"] == pytest.approx(o["present_value"] - r["options"]["do_minimum"]["present_value"])
    assert r["options"]["do_minimum"]["safe_service_month"] is None
    # trust: 12 months' mobilisation + 6 + 6 + 12 (seeds/000)
    assert r["options"]["trust"]["safe_service_month"] == 36
    assert r["fingerprint"] == bundled.fingerprint()


def uplifted(a, key: str, part: str) -> float:
    """Pounds in base-year prices per pound of ``key`` as written, with the option's optimism bias on ``part``."""
    option = key.split(".")[1]
    return a.price_factor(key) * (1 + a.central(f"options.{option}.{part}.optimism_bias"))


def test_raising_set_up_moves_only_that_option_by_the_discounted_amount(bundled):
    """£1.2m more trust set-up (as written, in its own price year) over its 12 months from month 0, all in year 0."""
    key = "options.trust.set_up.amount"
    old = bundled.central(key)
    k = uplifted(bundled, key, "set_up")
    before = compare_json()
    after = compare_json(f"{key}={old + 1_200_000:.0f}")
    for option in before["options"]:
        delta = after["options"][option]["present_value"] - before["options"][option]["present_value"]
        assert delta == pytest.approx(1_200_000 * k if option == "trust" else 0.0, abs=1e-6)
    # the same money a year later is discounted once
    later = compare_json(f"{key}={old + 1_200_000:.0f}", "options.trust.set_up.start_month=12")
    delta = later["options"]["trust"]["present_value"] - before["options"]["trust"]["present_value"]
    assert delta == pytest.approx((old + 1_200_000) * k / 1.035 - old * k, rel=1e-12)


def test_overrides_and_fingerprint_change(bundled):
    a, b = compare_json(), compare_json("options.in_house.improvement.total=3000000")
    assert a["fingerprint"] != b["fingerprint"]
    assert b["overrides"] == {"options.in_house.improvement.total": 3000000.0}
    # by hand, from the levers: the estimate in its price year, scaled to size, with optimism bias (nothing to net:
    # the bundled council needs no extra case holders at the central values)
    c = bundled.central
    assert c("baseline.caseload.children_in_need") / c("baseline.caseload.target_per_case_holder") <= \
        c("baseline.social_workers.case_holding_share") * c("baseline.social_workers.fte")
    scale = (c("baseline.caseload.children_in_need") / c("baseline.improvement_scaling.reference_children_in_need")) \
        ** c("baseline.improvement_scaling.elasticity")
    want = 3_000_000 * uplifted(bundled, "options.in_house.improvement.total", "improvement") * scale
    assert b["options"]["in_house"]["totals"]["improvement"] == pytest.approx(want, rel=1e-12)


def test_nominal_uplifts_totals_but_not_present_value(bundled):
    real, nom = compare_json(), compare_json(extra=["--nominal"])
    assert nom["terms"] == "nominal" and nom["present_value_terms"] == "real"
    r0, n0 = real["options"]["do_minimum"]["annual"], nom["options"]["do_minimum"]["annual"]
    assert n0[0]["recurring"] == pytest.approx(r0[0]["recurring"])  # start year = price base year
    assert n0[0]["legacy"] == pytest.approx(r0[0]["legacy"])
    general = bundled.central("appraisal.inflation.general")  # real costs carry relative price effects already
    assert n0[2]["legacy"] == pytest.approx(r0[2]["legacy"] * (1 + general) ** 2)
    assert nom["options"]["trust"]["present_value"] == real["options"]["trust"]["present_value"]


def test_csv_summary_and_annual():
    rows = list(csv.reader(io.StringIO(invoke("compare", "--format", "csv"))))
    assert rows[0] == ["scenario", "metric", "do_minimum", "in_house", "executive_leadership", "trust"]
    assert any(r[1] == "present_value" for r in rows)
    annual = list(csv.DictReader(io.StringIO(invoke("compare", "--format", "csv", "--annual"))))
    assert len(annual) == 40 and annual[0]["financial_year"] == "2025-26"


def test_scenario_all_in_one_json(bundled):
    r = json.loads(invoke("compare", "--scenario", "all", "--format", "json", "--set", "appraisal.relative_price.placements=0",
                          "--set", "baseline.drift.legacy_placements_per_year=0"))
    assert list(r["scenarios"])[0] == "central" and "legacy_worse" in r["scenarios"]
    worse = r["scenarios"]["legacy_worse"]["options"]["do_minimum"]["totals"]["legacy"]
    factor = bundled.price_factor("baseline.legacy_placements.weekly_cost")  # the scenario's 8,500 is in 2024-25 prices
    assert worse == pytest.approx(40 * 8500 * factor * 365 / 7 * 10)


def test_annual_table_and_sources():
    assert "by financial year" in invoke("compare", "--annual")
    out = invoke("sources")
    assert "isos_2017_enabling_improvement" in out and "Judgements" in out
    reg = json.loads(invoke("sources", "--format", "json"))
    assert any(j["key"] == "baseline.legacy_placements.floor" for j in reg["judgements"])
    cited = {s["key"]: s["levers"] for s in reg["sources"]}
    assert "options.in_house.improvement.total" in cited["isos_2017_enabling_improvement"]


def test_user_defined_option_appears_everywhere(tmp_path, bundled):
    import shutil
    folder = tmp_path / "a"
    shutil.copytree(ROOT / "assumptions", folder)
    text = (folder / "options.yaml").read_text()
    trust = text[text.index("\ntrust:\n") + 1:]
    (folder / "options.yaml").write_text(text + "\n" + trust.replace("trust:\n  label: Children's services trust",
                                                                        "trust_shared_back_office:\n  label: Trust using council back office", 1)
                                         .replace("value: {low: 3000000, central: 4500000, high: 8000000}", "value: 1000000"))
    r = json.loads(invoke("compare", "--assumptions", folder, "--format", "json",
                          "--set", "options.trust_shared_back_office.governance.annual_cost=100000"))
    assert "trust_shared_back_office" in r["options"]
    shared, trust = r["options"]["trust_shared_back_office"], r["options"]["trust"]
    assert shared["totals"]["set_up"] == pytest.approx(1_000_000 * uplifted(bundled, "options.trust.set_up.amount", "set_up"))
    assert shared["present_value"] < trust["present_value"]


def test_real_subprocess_and_root_shim(tmp_path):
    out = tmp_path / "r.json"
    proc = subprocess.run(["costmodel", "compare", "--output", str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text())["options"]["trust"]["safe_service_month"] == 36
    shim = subprocess.run([sys.executable, str(ROOT / "cli.py"), "compare", "--format", "csv"], capture_output=True, text=True)
    assert shim.returncode == 0 and shim.stdout.startswith("scenario,metric")
    bad = subprocess.run(["costmodel", "compare", "--set", "nope=1"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown lever key" in bad.stderr and "Traceback" not in bad.stderr


def test_help_has_examples():
    for cmd in ("compare", "validate", "sources"):
        assert "Example" in invoke(cmd, "--help")


def test_profiled_costs_after_the_horizon_are_cut_off_and_said():
    """Horizon 2 years: the trust's implementation (months 24-35 after 12 months' mobilisation) falls after it, and
    executive leadership's last implementation month (24); in-house's journey ends at month 24 exactly."""
    full, cut = compare_json(), compare_json("appraisal.horizon_years=2")
    for option in ("trust", "executive_leadership"):
        missing = full["options"][option]["totals"]["improvement"] - cut["options"][option]["totals"]["improvement"]
        assert missing > 0
        assert any(w.startswith(f"options.{option}: £{missing:,.0f} of improvement cost falls after the 2-year horizon")
                   for w in cut["warnings"]), cut["warnings"]
    assert not any(w.startswith("options.in_house") for w in cut["warnings"])
    assert full["warnings"] == []
    board = compare_json("appraisal.horizon_years=2", "options.in_house.external_support.improvement_board.months=36")
    assert any(w.startswith("options.in_house: £") and "external support (improvement_board)" in w for w in board["warnings"])
