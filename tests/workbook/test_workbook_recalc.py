"""Parity: workbooks recalculated by LibreOffice headless give the engine's numbers (relative 1e-9).

Every workbook that needs recalculating is built first and recalculated in one ``soffice`` run
(about 1 s a workbook), so the file costs three LibreOffice runs in all.
"""
from __future__ import annotations

import dataclasses
import math
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from costmodel.appraisal import appraise
from costmodel.assumptions import financial_year
from costmodel.comparison import compare, fy_of_month
from costmodel.cost_lines import CATEGORIES, ONE_OFF
from costmodel.decision import verdict_from_values
from costmodel.engine import agency_path, central_government_shares, legacy_path, option_lines, relative_price_weights, run, table_lines
from costmodel.files.assumption_folder import load_folder
from costmodel.workbook.recalc import recalculate_many
from costmodel.workbook.build import build_workbook, save_workbook
from costmodel.timeline import month_grid

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(shutil.which("soffice") is None,
                                                          reason="LibreOffice (soffice) is not installed")]
ROOT = Path(__file__).resolve().parents[2]
RTOL, ATOL = 1e-9, 1e-6  # relative, and GBP for figures that should be zero


def close(got, want, what):
    if want is None or (isinstance(want, float) and math.isnan(want)):
        assert got in ("none", "never", "n/a", None), f"{what}: expected none, got {got!r}"
        return
    assert isinstance(got, (int, float)), f"{what}: expected a number {want}, got {got!r}"
    assert math.isclose(got, want, rel_tol=RTOL, abs_tol=ATOL), f"{what}: workbook {got!r} != engine {want!r}"


def name_value(wb, name):
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    return wb[sheet][ref.replace("$", "")].value


def check_parity(path: Path, a, which: str = "central") -> int:
    """Compare every Calculations row and every Summary figure with the engine; returns the cells checked."""
    wb = openpyxl.load_workbook(path, data_only=True)
    v = a.values(which)
    table = run(a, v)
    ap = appraise(table, v)
    m = month_grid(a.months)
    checked = 0
    calc = wb["Calculations"]
    seen = set()
    index = {line: x for line, _, x in table_lines(a.options)}
    weights = {k: np.repeat(w, 12, axis=1)[0] for k, w in relative_price_weights(v, a.horizon_years).items()}
    for row in calc.iter_rows(min_row=8, values_only=True):
        option, key = row[0], row[6]
        if option not in a.option_keys or key is None:
            continue
        o = a.option(option)
        lines = {k: (lambda f=f, k=k: f()[0] * weights[index[k]]) for k, f in option_lines(o, v, m).items()}
        J = v[f"options.{option}.mobilisation_months"] if o.improves else np.zeros(1)
        if key in lines:
            want = lines[key]()
        elif key == "total":
            want = sum(f() for f in lines.values())
        elif key == "central_government":
            want = sum(lines[k]() * float(np.asarray(share).reshape(-1)[0])
                       for k, share in central_government_shares(o, v).items()) + np.zeros(a.months)
        elif key == "agency_share":
            want = agency_path(o, v, J, m)[0]
        elif key == "legacy_count":
            want = legacy_path(o, v, J, m)[0]
        else:
            continue
        got = row[7:7 + a.months]
        for i, (g, w) in enumerate(zip(got, want)):
            close(g, float(w), f"{path.name} Calculations {option}/{key} month {i}")
        assert len(got) == a.months
        checked += len(got)
        seen.add((option, key))
    for o in a.options:
        assert all((o.key, line) in seen for line in option_lines(o, v, m)), f"missing Calculations rows for {o.key}"
    # Summary: headline names; Annual: the annual table and the discount factors
    summary, annual = wb["Summary"], wb["Annual"]
    by_cat = table.by_category()[0]
    cum = np.cumsum(table.total()[0] * ap.factors[0], axis=-1)
    for i, o in enumerate(a.options):
        k = o.key
        close(name_value(wb, f"pv_{k}"), ap.present_value[0, i], f"pv_{k}")
        close(name_value(wb, f"npc_vs_do_minimum_{k}"), ap.npc_vs_do_minimum[0, i], f"npc_vs_do_minimum_{k}")
        close(name_value(wb, f"npc_vs_in_house_{k}"), ap.npc_vs_in_house[0, i], f"npc_vs_in_house_{k}")
        close(name_value(wb, f"safe_service_month_{k}"), float(ap.safe_service_month[0, i]), f"safe_service_month_{k}")
        close(name_value(wb, f"payback_year_{k}"), float(ap.payback_year_vs_do_minimum[0, i]), f"payback_year_{k}")
        close(name_value(wb, f"equivalent_annual_cost_{k}"), ap.equivalent_annual_cost[0, i], f"eac_{k}")
        close(name_value(wb, f"pv_council_{k}"), ap.present_value_by_payer[0, i, 0], f"pv_council_{k}")
        close(name_value(wb, f"pv_central_government_{k}"), ap.present_value_by_payer[0, i, 1], f"pv_central_{k}")
        checked += 8
        for r in annual.iter_rows(min_row=5, values_only=True):
            if r[0] == k and r[2] in CATEGORIES:
                j = CATEGORIES.index(r[2])
                for t in range(a.horizon_years):
                    close(r[4 + t], by_cat[i, j, t], f"Annual {k}/{r[2]} year {t}")
                close(r[3], by_cat[i, j].sum(), f"Annual {k}/{r[2]} total")
                close(r[4 + a.horizon_years], ap.present_value_by_category[0, i, j], f"Annual {k}/{r[2]} PV")
                checked += a.horizon_years + 2
            elif r[0] == k and r[2] == "cumulative":
                for t in range(a.horizon_years):
                    close(r[4 + t], cum[i, t], f"Annual {k} cumulative year {t}")
        one_off = sum(ap.totals[0, i, CATEGORIES.index(c)] for c in ONE_OFF)
        [hrow] = [r for r in summary.iter_rows(min_row=7, max_row=7 + len(a.options), values_only=True) if r[0] == k]
        safe, payback = ap.safe_service_month[0, i], ap.payback_year_vs_do_minimum[0, i]
        assert hrow[7] == ("none" if np.isnan(safe) else fy_of_month(a.start_year, float(safe))), f"{k} safe-service year"
        assert hrow[9] == ("never" if np.isnan(payback) else financial_year(a.start_year + int(payback))), f"{k} payback year"
        close(hrow[11], one_off, f"{k} one-off")
        close(hrow[12], ap.totals[0, i].sum(), f"{k} total")
        fit = verdict_from_values({c: float(x[0]) for c, x in v.items() if c.startswith("baseline.capacity.")})
        assert hrow[13] == fit.for_model(o.model)
    for r in annual.iter_rows(min_row=5, values_only=True):
        if r[1] == "Discount factor in use":
            for t in range(a.horizon_years):
                close(r[4 + t], ap.factors[0, t], f"discount factor year {t}")
    assert name_value(wb, "decision_summary") == fit.summary
    assert name_value(wb, "master_check") is True
    return checked


def SET_UP_DELTA(a) -> float:
    """By hand: £1m more trust set-up as written, in base-year prices, with its optimism bias, all spent in year 0."""
    key = "options.trust.set_up.amount"
    assert a.central("options.trust.set_up.months") <= 12 and a.central("options.trust.set_up.start_month") == 0
    return 1_000_000 * a.price_factor(key) * (1 + a.central("options.trust.set_up.optimism_bias"))


def trust_shared_back_office(tmp: Path) -> Path:
    """A copy of the bundled folder with an option added as data: a trust on the council's back office."""
    folder = tmp / "with_option"
    shutil.copytree(ROOT / "assumptions", folder)
    options = yaml.safe_load((folder / "options.yaml").read_text())
    new = yaml.safe_load(yaml.safe_dump(options["trust"]))
    new["label"] = "Trust using the council's back office"
    new["set_up"]["amount"]["value"] = {"low": 1000000, "central": 1500000, "high": 2500000}
    new["mobilisation_months"]["value"] = {"low": 6, "central": 7.5, "high": 12}
    new["external_support"] = {"commissioner": {
        "annual_cost": {"label": "DfE commissioner", "unit": "GBP/yr", "price_base": 2025, "value": 90000,
                        "basis": "judgement", "reasoning": "test"},
        "start_month": {"label": "Start", "unit": "month", "value": 2.5, "basis": "judgement", "reasoning": "test"},
        "months": {"label": "Months", "unit": "months", "value": 9.25, "basis": "judgement", "reasoning": "test"}}}
    options["trust_shared_back_office"] = new
    (folder / "options.yaml").write_text(yaml.safe_dump(options, sort_keys=False))
    return folder


@pytest.fixture(scope="module")
def recalculated(bundled, tmp_path_factory):
    """Every fixed workbook of this file, built and recalculated in one LibreOffice run."""
    tmp = tmp_path_factory.mktemp("parity")
    cases = {"bundled": (bundled, "central", None)}
    for name in bundled.scenarios:
        cases[name] = (bundled.with_scenario(name), "central", None)
    key = "options.trust.set_up.amount"
    edited = bundled.central(key) + 1_000_000
    cases["edited"] = (bundled.with_overrides([(key, edited)]), "central", (key, edited, "E"))
    # the price year typed over (column H): the book converts with the index as the engine does after a read-back
    repriced = dataclasses.replace(bundled, levers={**bundled.levers, key: dataclasses.replace(bundled.levers[key], price_base=2020)})
    cases["price_year_edited"] = (repriced, "central", (key, 2020, "H"))
    cases["high"] = (bundled, "high", None)
    cases["data_option"] = (load_folder(trust_shared_back_office(tmp)), "central", None)
    cases["edge"] = (bundled.with_overrides([  # the corners, every run (hypothesis adds random ones below)
        ("appraisal.horizon_years", 35), ("appraisal.mid_year_discounting", 1), ("appraisal.discount_rate_long", 0.02),
        ("options.trust.mobilisation_months", 7.5), ("options.trust.set_up.months", 4.25),
        ("options.trust.workforce.agency_share_target", "none"), ("options.in_house.workforce.years_to_target", 0),
        ("options.in_house.legacy.step_down_per_year", 1), ("options.in_house.leadership.interim_end_month", "none"),
        ("options.executive_leadership.efficiency.rate", 0.05), ("options.executive_leadership.efficiency.from_year", 3),
        ("journey.sustain_months", 0.5)]), "central", None)
    cases["forced_medium"] = (bundled, "medium", None)  # typed over the list validation (a paste does that)
    cases["forced_model"] = (bundled, "central", ("trust", "nonsense", "C"))
    paths = []
    for name, (a, which, edit) in cases.items():
        wb = build_workbook(bundled if edit else a)
        if edit:  # change the input cell itself, as a finance officer would
            ws = wb["Inputs"]
            [row] = [r for r in range(1, ws.max_row + 1) if ws[f"A{r}"].value == edit[0]]
            ws[f"{edit[2]}{row}"] = edit[1]
        wb["Inputs"]["C3"] = which
        paths.append(save_workbook(wb, tmp / f"{name}.xlsx"))
    out = recalculate_many(paths, tmp / "out")
    return {name: (path, *cases[name][:2]) for name, path in zip(cases, out)}


def test_bundled_workbook_equals_compare_json(recalculated, bundled):
    path, a, _ = recalculated["bundled"]
    assert check_parity(path, a) > 4 * 13 * 120
    wb = openpyxl.load_workbook(path, data_only=True)
    for k, o in compare(bundled)["options"].items():
        close(name_value(wb, f"pv_{k}"), o["present_value"], k)
        close(name_value(wb, f"npc_vs_do_minimum_{k}"), o["npc_vs_do_minimum"], k)
        close(name_value(wb, f"npc_vs_in_house_{k}"), o["npc_vs_in_house"], k)
        close(name_value(wb, f"safe_service_month_{k}"), o["safe_service_month"], k)
        close(name_value(wb, f"payback_year_{k}"), o["payback_year_vs_do_minimum"], k)
    assert name_value(wb, "safe_service_month_do_minimum") == "none"


@pytest.mark.parametrize("name", ["legacy_worse", "trust_mobilisation_slips", "improvement_top_of_range",
                                  "business_as_usual_holds", "agency_reliance_persists", "evidence"])
def test_every_named_scenario(recalculated, bundled, name):
    assert set(bundled.scenarios) <= {"legacy_worse", "trust_mobilisation_slips", "improvement_top_of_range",
                                      "business_as_usual_holds", "agency_reliance_persists", "evidence"}, "a new scenario: add it to this list"
    path, a, _ = recalculated[name]
    check_parity(path, a)


def test_edited_input_cell_moves_outputs_as_the_engine_under_set(recalculated):
    path, a, _ = recalculated["edited"]
    check_parity(path, a)  # a = bundled with --set options.trust.set_up.amount=<its value + 1,000,000>
    base = openpyxl.load_workbook(recalculated["bundled"][0], data_only=True)
    edited = openpyxl.load_workbook(path, data_only=True)
    # by hand: +£1m set-up x (1 + 25% optimism bias), all spent in months 0-11, i.e. year 0 (factor 1)
    delta = name_value(edited, "pv_trust") - name_value(base, "pv_trust")
    assert delta == pytest.approx(SET_UP_DELTA(a), rel=1e-12)
    assert name_value(edited, "npc_vs_do_minimum_trust") - name_value(base, "npc_vs_do_minimum_trust") == \
        pytest.approx(SET_UP_DELTA(a), rel=1e-9)
    assert name_value(edited, "pv_in_house") == name_value(base, "pv_in_house")


def test_a_price_year_typed_over_is_converted_as_the_engine_converts_it(recalculated, bundled):
    path, a, _ = recalculated["price_year_edited"]
    check_parity(path, a)
    wb = openpyxl.load_workbook(path, data_only=True)
    row = next(r for r in range(1, 400) if wb["Inputs"][f"A{r}"].value == "options.trust.set_up.amount")
    assert wb["Inputs"][f"Q{row}"].value == pytest.approx(a.price_factor("options.trust.set_up.amount"), rel=1e-12)
    assert a.price_factor("options.trust.set_up.amount") != bundled.price_factor("options.trust.set_up.amount")


def test_case_selector_high_equals_engine_on_high_values(recalculated):
    path, a, which = recalculated["high"]
    check_parity(path, a, which)


def test_long_horizon_mid_year_fractional_months_and_none(recalculated):
    path, a, _ = recalculated["edge"]
    check_parity(path, a)
    wb = openpyxl.load_workbook(path, data_only=True)
    assert name_value(wb, "safe_service_month_trust") == 7.5 + 6 + 6 + 12


def test_option_added_as_data_appears_and_matches(recalculated):
    path, a, _ = recalculated["data_option"]
    assert "trust_shared_back_office" in a.option_keys
    check_parity(path, a)
    wb = openpyxl.load_workbook(path, data_only=True)
    assert name_value(wb, "pv_trust_shared_back_office") > 0


months = st.floats(0, 12, allow_nan=False).map(lambda x: round(x * 4) / 4)


@st.composite
def assumption_sets(draw):
    """Overrides of the bundled set: fractional months, long horizons, mid-year discounting, none targets."""
    horizon = draw(st.sampled_from([10, 12, 35]))
    count = draw(st.integers(0, 60))
    return [
        ("appraisal.horizon_years", horizon),
        ("appraisal.discount_rate", draw(st.floats(0, 0.08))),
        ("appraisal.discount_rate_long", draw(st.floats(0, 0.08))),
        ("appraisal.mid_year_discounting", draw(st.sampled_from([0, 1]))),
        ("journey.diagnosis_months", draw(st.floats(1, 9))),
        ("journey.stabilise_months", draw(st.floats(1, 9))),
        ("journey.implement_months", draw(st.floats(1, 18))),
        ("journey.sustain_months", draw(st.floats(0.5, 36))),
        ("options.trust.mobilisation_months", draw(st.floats(0, 24))),
        ("options.trust.set_up.start_month", draw(months)),
        ("options.trust.set_up.months", draw(st.floats(0.5, 12))),
        ("options.executive_leadership.transitional.months", draw(st.floats(0.5, 12))),
        ("options.executive_leadership.transitional.start_month", draw(months)),
        ("options.in_house.external_support.improvement_board.start_month", draw(months)),
        ("options.in_house.external_support.improvement_board.months", draw(st.floats(0.5, 40))),
        ("options.in_house.workforce.years_to_target", draw(st.sampled_from([0, 0.5, 2.25, 4]))),
        ("options.trust.workforce.agency_share_target", draw(st.sampled_from(["none", 0.05, 0.4]))),
        ("options.in_house.leadership.interim_end_month", draw(st.sampled_from(["none", 0, 7.5, 30]))),
        ("options.in_house.legacy.step_down_per_year", draw(st.sampled_from([0, 0.3, 1]))),
        ("baseline.legacy_placements.count", count),
        ("baseline.legacy_placements.floor", draw(st.integers(0, count))),
        ("options.trust.efficiency.rate", draw(st.floats(0, 0.1))),
        ("options.trust.efficiency.from_year", draw(st.integers(0, 9))),
        ("options.executive_leadership.set_up.optimism_bias", draw(st.floats(0, 2))),
        ("options.trust.improvement.optimism_bias", draw(st.floats(0, 2))),
        ("baseline.caseload.target_per_case_holder", draw(st.floats(1, 40))),
        ("baseline.social_workers.case_holding_share", draw(st.floats(0.2, 1))),
        ("baseline.drift.agency_share_per_year", draw(st.sampled_from([0, 0.02]))),
        ("baseline.drift.legacy_placements_per_year", draw(st.sampled_from([0, 0.05]))),
        ("appraisal.relative_price.pay", draw(st.floats(-0.02, 0.05))),
        ("appraisal.relative_price.placements", draw(st.floats(-0.02, 0.08))),
        ("appraisal.price_base_year", draw(st.sampled_from([2024, 2025]))),
        ("options.trust.set_up.dfe_contribution", draw(st.floats(0, 5e6))),
        ("options.trust.improvement.net_of_caseload_uplift", draw(st.sampled_from([0, 1]))),
        ("baseline.capacity.implement", draw(st.sampled_from([0, 1]))),
    ]


@settings(max_examples=1, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(drawn=st.lists(assumption_sets(), min_size=3, max_size=3))
def test_hypothesis_drawn_assumption_sets(bundled, tmp_path_factory, drawn):
    tmp = tmp_path_factory.mktemp("drawn")
    sets = [bundled.with_overrides(pairs, where="hypothesis") for pairs in drawn]
    paths = [save_workbook(build_workbook(a), tmp / f"drawn{i}.xlsx") for i, a in enumerate(sets)]
    for path, a in zip(recalculate_many(paths, tmp / "out"), sets):
        check_parity(path, a)


def test_cli_recalc_stores_values(tmp_path, bundled):
    book = tmp_path / "book.xlsx"
    run_cli = [sys.executable, "-c", "from costmodel.cli import main; main()"]
    subprocess.run([*run_cli, "workbook", "build", "--output", str(book)], check=True, capture_output=True)
    cached = openpyxl.load_workbook(book, data_only=True)  # the build stores values: no recalculation needed
    assert name_value(cached, "pv_trust") == pytest.approx(compare(load_folder(ROOT / "assumptions"))["options"]["trust"]
                                                           ["present_value"], rel=1e-9)
    done = subprocess.run([*run_cli, "workbook", "recalc", str(book)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    wb = openpyxl.load_workbook(book, data_only=True)
    assert name_value(wb, "pv_trust") == pytest.approx(compare(load_folder(ROOT / "assumptions"))["options"]["trust"]
                                                        ["present_value"], rel=1e-9)
    with zipfile.ZipFile(book) as z:  # LibreOffice keeps the native charts when it re-saves the book
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == 2 + len(load_folder(ROOT / "assumptions").options)
    # a book that already holds (now stale) values is recalculated too: change an input in the XML only
    before = name_value(wb, "pv_trust")
    row = next(r for r in range(1, 400) if wb["Inputs"][f"A{r}"].value == "options.trust.set_up.amount")
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(book) as z, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                old = b"%d" % bundled.central("options.trust.set_up.amount")
                data, count = re.subn(rb'(<c r="E%d"[^>]*><v>)' % row + old + rb'(</v>)',
                                      rb"\g<1>%d\g<2>" % (int(old) + 1_000_000), data)
                assert count == 1
            out.writestr(item, data)
    done = subprocess.run([*run_cli, "workbook", "recalc", str(stale)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    after = name_value(openpyxl.load_workbook(stale, data_only=True), "pv_trust")
    assert after - before == pytest.approx(SET_UP_DELTA(bundled), rel=1e-9)


@pytest.mark.parametrize("name", ["forced_medium", "forced_model"])
def test_a_bad_value_forced_into_a_selector_makes_the_master_check_false(recalculated, name):
    path, _, _ = recalculated[name]
    wb = openpyxl.load_workbook(path, data_only=True)
    assert name_value(wb, "master_check") is False  # FALSE, never #N/A
    failing = [r for r in wb["Checks"].iter_rows(min_row=7, values_only=True) if r[3] is False]
    assert failing and all(isinstance(r[4], str) and r[4] for r in failing)
    assert wb["Summary"]["B3"].value is False and wb["Calculations"]["F1"].value is False  # the sheets' headers


def test_cached_values_equal_libreoffice_on_every_formula_cell(recalculated, tmp_path):
    """The values ``workbook build`` stores are LibreOffice's, cell by cell (relative 1e-9)."""
    path, a, _ = recalculated["bundled"]
    built = save_workbook(build_workbook(a), tmp_path / "cached.xlsx")
    mine, lo = openpyxl.load_workbook(built, data_only=True), openpyxl.load_workbook(path, data_only=True)
    formulas = openpyxl.load_workbook(built)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                got, want = mine[ws.title][c.coordinate].value, lo[ws.title][c.coordinate].value
                where = f"{ws.title}!{c.coordinate}"
                if isinstance(want, (int, float)) and not isinstance(want, bool):
                    assert isinstance(got, (int, float)) and math.isclose(got, want, rel_tol=RTOL, abs_tol=ATOL), \
                        f"{where}: cached {got!r} != LibreOffice {want!r}"
                else:
                    assert got == want or (got in (None, "") and want in (None, "")), f"{where}: {got!r} != {want!r}"
                checked += 1
    assert checked > 20_000
