"""Sweeps, tornado and switching values: checked by an independent route (engine.run + appraise)."""
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from costmodel.appraisal import appraise
from costmodel.errors import AssumptionError
from costmodel.cli import main
from costmodel.engine import run
from costmodel.scenarios import parse_grid, present_values, sweep, varied
from costmodel.files.assumption_folder import load_folder
from costmodel.sensitivity import switching_levers, switching_value, tornado

ROOT = Path(__file__).resolve().parents[2]


def npc(a, option, against):
    ap = appraise(run(a), a.values())
    return ap.present_value[0, a.option_keys.index(option)] - ap.present_value[0, a.option_keys.index(against)]


def test_present_values_equal_appraisal_of_run(bundled):
    rng = np.random.default_rng(3)
    cols = {"baseline.legacy_placements.count": rng.uniform(15, 40, 50),
            "options.trust.mobilisation_months": rng.uniform(9, 18, 50),
            "appraisal.discount_rate": rng.uniform(0.01, 0.05, 50)}
    v = varied(bundled, cols)
    pv = present_values(bundled, v, chunk=7)
    np.testing.assert_allclose(pv, appraise(run(bundled, v), v).present_value, rtol=1e-12)


def test_sweep_is_cartesian_and_matches_overrides(bundled):
    s = sweep(bundled, [parse_grid("options.trust.mobilisation_months=6:24:4"),
                        parse_grid("baseline.legacy_placements.count=10:60:3")])
    assert s.grid.shape == (12, 2)
    assert s.grid[:3, 1].tolist() == [10, 35, 60] and s.grid[:3, 0].tolist() == [6, 6, 6]
    a = bundled.with_overrides([("options.trust.mobilisation_months", "18"), ("baseline.legacy_placements.count", "60")])
    expected = appraise(run(a), a.values()).present_value[0]
    np.testing.assert_allclose(s.present_value[8], expected, rtol=1e-12)
    # a sweep that must change the answer: in-house improvement from nothing to ten times the top of its range
    one = sweep(bundled, [parse_grid("options.in_house.improvement.total=0:150000000:4")])
    best, x = one.cheapest, one.grid[:, 0]
    want = [f"options.in_house.improvement.total between {x[t]:g} and {x[t + 1]:g}: cheapest changes from {best[t]} to "
            f"{best[t + 1]}" for t in range(3) if best[t] != best[t + 1]]
    assert best[0] == "in_house" and best[-1] != "in_house" and one.changes() == want


@pytest.mark.parametrize("key", ["appraisal.horizon_years", "appraisal.start_year", "appraisal.mid_year_discounting"])
def test_structural_levers_and_flags_cannot_be_swept(bundled, key):
    with pytest.raises(AssumptionError, match=key):
        sweep(bundled, [parse_grid(f"{key}=0:1:2")])


def test_sweep_outside_catalogue_bounds_names_the_key(bundled):
    with pytest.raises(AssumptionError, match="baseline.social_workers.on_cost_rate"):
        sweep(bundled, [parse_grid("baseline.social_workers.on_cost_rate=0.2:1.5:3")])


def test_tornado_bars_match_one_at_a_time_runs(bundled):
    t = tornado(bundled, "trust", "do_minimum")
    assert [b.swing for b in t.bars] == sorted((b.swing for b in t.bars), reverse=True)
    assert t.central_npc == pytest.approx(npc(bundled, "trust", "do_minimum"), rel=1e-12)
    for b in t.bars[:3] + t.bars[-2:]:
        lo = bundled.with_overrides([(b.key, repr(b.low))])
        hi = bundled.with_overrides([(b.key, repr(b.high))])
        assert b.npc_at_low == pytest.approx(npc(lo, "trust", "do_minimum"), rel=1e-9, abs=1e-3)
        assert b.npc_at_high == pytest.approx(npc(hi, "trust", "do_minimum"), rel=1e-9, abs=1e-3)


@pytest.mark.parametrize("key,A,B", [
    ("baseline.legacy_placements.count", "trust", "do_minimum"),
    ("options.trust.improvement.total", "trust", "do_minimum"),
    ("baseline.social_workers.fte", "trust", "do_minimum"),
    ("options.trust.legacy.step_down_per_year", "trust", "do_minimum"),
])
def test_switching_value_substituted_back_makes_npc_equal(bundled, key, A, B):
    r = switching_value(bundled, key, A, B)
    assert r.values, r
    for x in r.values:
        a = bundled.with_overrides([(key, repr(x))])
        ap = appraise(run(a), a.values())
        pv = ap.present_value[0]
        gap = pv[a.option_keys.index(A)] - pv[a.option_keys.index(B)]
        assert abs(gap) < 1e-6 * pv.max(), (x, gap)  # under a penny in £450m


def test_switching_never_crossing_is_reported_with_the_range_searched(bundled):
    # A baseline lever that moves both options equally: the difference never changes sign.
    r = switching_value(bundled, "baseline.outset_spend", "trust", "in_house")
    assert r.values == ()
    lever = bundled.levers["baseline.outset_spend"]
    assert r.plausible == (lever.low, lever.high)
    assert r.searched[0] == 0.0 and r.searched[1] == pytest.approx(10 * lever.high)  # widened to 0 … 10 × high
    assert r.difference_at[0] == pytest.approx(r.difference_at[1], rel=1e-9)


def test_switching_all_skips_other_options_levers(bundled):
    keys = switching_levers(bundled, "trust", "do_minimum")
    assert "options.in_house.improvement.total" not in keys
    assert "options.trust.improvement.total" in keys and "baseline.legacy_placements.count" in keys


def test_cli_sweep_json_and_structural_error(tmp_path):
    r = CliRunner().invoke(main, ["sweep", "--grid", "options.trust.mobilisation_months=6:18:3", "--format", "json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout)
    assert len(obj["rows"]) == 3 * 4 and obj["keys"] == ["options.trust.mobilisation_months"]
    bad = CliRunner().invoke(main, ["sweep", "--grid", "appraisal.horizon_years=5:10:6"])
    assert bad.exit_code == 2 and "structural" in bad.output and "Traceback" not in bad.output
    bad = CliRunner().invoke(main, ["sweep", "--grid", "baseline.outset_spend=1:2"])
    assert bad.exit_code == 2 and "KEY=START:STOP:STEPS" in bad.output


def test_cli_sweep_parquet(tmp_path):
    import pandas as pd
    out = tmp_path / "s.parquet"
    r = CliRunner().invoke(main, ["sweep", "--grid", "baseline.legacy_placements.count=10:60:6", "--output", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(out)
    assert len(df) == 24 and set(df.columns) >= {"baseline.legacy_placements.count", "option", "present_value", "cheapest"}
    assert df.groupby("baseline.legacy_placements.count")["cheapest"].sum().eq(1).all()


def test_cli_tornado_chart_png_and_svg(tmp_path):
    for name, magic in (("t.png", b"\x89PNG"), ("t.svg", b"<?xml")):
        r = CliRunner().invoke(main, ["tornado", "--option", "trust", "--format", "csv", "--chart", str(tmp_path / name)])
        assert r.exit_code == 0, r.output
        assert (tmp_path / name).read_bytes().startswith(magic)
    bad = CliRunner().invoke(main, ["tornado", "--option", "nope"])
    assert bad.exit_code == 2 and "unknown option" in bad.output


def test_cli_switching_all_and_key(tmp_path):
    r = CliRunner().invoke(main, ["switching", "baseline.legacy_placements.count", "--between", "trust", "do_minimum",
                                  "--format", "json"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.stdout)["rows"][0]
    assert 15 < row["switching_value"] < 40 and row["inside_low_high"] is True
    r = CliRunner().invoke(main, ["switching", "--all", "--between", "trust", "in_house", "--format", "csv"])
    assert r.exit_code == 0 and "options.trust.set_up.amount" in r.stdout
    r = CliRunner().invoke(main, ["switching", "appraisal.horizon_years", "--between", "trust", "in_house"])
    assert r.exit_code == 2


def test_cli_workbook_value_sheet(tmp_path):
    from openpyxl import load_workbook
    path = tmp_path / "book.xlsx"
    r = CliRunner().invoke(main, ["tornado", "--option", "trust", "--format", "csv", "--workbook", str(path)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(path)
    ws = wb["Values - Tornado"]
    widest = tornado(load_folder(ROOT / "assumptions"), "trust", "do_minimum").bars[0].key
    assert ws["A1"].value.startswith("VALUES, NOT FORMULAS") and ws["B7"].value == widest
    assert "Inputs" in wb.sheetnames and ws._charts
    again = CliRunner().invoke(main, ["tornado", "--option", "trust", "--format", "csv", "--workbook", str(path)])
    assert again.exit_code == 2 and "--force" in again.output


def test_sweep_on_dask_equals_local(bundled):
    from costmodel.backends.dask_cluster import dask_map
    axes = [parse_grid("options.trust.mobilisation_months=6:24:10"), parse_grid("baseline.legacy_placements.count=10:60:9")]
    local = sweep(bundled, axes, chunk=16)
    with dask_map(workers=1, processes=False) as mapper:
        remote = sweep(bundled, axes, chunk=16, mapper=mapper)
    np.testing.assert_array_equal(local.present_value, remote.present_value)
