"""Warnings (validate prints them, the run goes on) and the payer split, on the bundled assumptions."""
import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from costmodel import levers as lv
from costmodel.cli import main
from costmodel.comparison import compare
from costmodel.plausibility import warnings

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundled_assumptions_raise_no_warning(bundled):
    assert warnings(bundled) == []


def test_every_costed_one_off_names_its_green_book_category_and_sits_inside_its_bounds(bundled):
    for o in bundled.options:
        for part in lv.ONE_OFF_PARTS:
            lever = bundled.levers[f"options.{o.key}.{part}.optimism_bias"]
            if lever.is_default:
                continue
            _, lower, upper = lv.OB_CATEGORIES[lever.category]
            assert lower <= lever.low <= lever.central <= lever.high <= upper, lever.key
            assert lever.reasoning and "percent" in lever.reasoning  # says where in the range and why


@pytest.mark.parametrize("value, shown", [(0.5, "50%"), (0.05, "5%")])
def test_an_uplift_outside_its_categorys_bounds_is_a_warning_not_an_error(value, shown):
    """Outsourcing runs from 0 to 41 percent; equipment / development from 10 to 200 percent."""
    key = "options.trust.set_up.optimism_bias" if value < 0.1 else "options.in_house.improvement.optimism_bias"
    result = CliRunner().invoke(main, ["validate"])  # the bundled set: no warning
    assert result.exit_code == 0 and "Warning" not in result.output
    from costmodel.cli.common import load_assumptions
    a = load_assumptions(None, None, [f"{key}={value}"])
    found = [w for w in warnings(a) if w.key == key]
    assert len(found) == 1 and f"{shown} is outside the" in found[0].message and "bounds" in found[0].message


def test_validate_prints_the_warning_and_exits_0(tmp_path):
    folder = tmp_path / "a"
    shutil.copytree(ROOT / "assumptions", folder)
    text = (folder / "options.yaml").read_text()
    text = text.replace("value: {low: 0.0, central: 0.15, high: 0.41}\n      category: outsourcing",
                        "value: {low: 0.0, central: 0.15, high: 0.6}\n      category: outsourcing", 1)
    (folder / "options.yaml").write_text(text)
    result = CliRunner().invoke(main, ["validate", "--assumptions", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Warning: options.yaml:" in result.output and "60% is outside the Outsourcing bounds of 0% to 41%" in result.output


def test_improvement_in_the_sustain_phase_is_a_warning(bundled):
    a = bundled.with_overrides([("options.in_house.improvement.phase_split.implement", 0.45),
                                ("options.in_house.improvement.phase_split.sustain", 0.1)])
    [w] = warnings(a)
    assert w.key == "options.in_house.improvement.phase_split.sustain" and "after the safe-core month" in w.message


def test_a_source_nobody_can_find_is_a_warning(bundled):
    sources = dict(bundled.sources)
    sources["green_book_2022"] = sources["green_book_2022"]._replace(url="", identifier="")
    [w] = warnings(dataclasses.replace(bundled, sources=sources))
    assert w.key == "sources.green_book_2022"


def test_present_value_by_payer_sums_to_the_present_value_in_both_perspectives(bundled):
    public, council = compare(bundled), compare(bundled, perspective="council")
    assert public["perspective"] == "public-sector" and council["perspective"] == "council"
    for k, o in public["options"].items():
        split = o["present_value_by_payer"]
        assert split["council"] + split["central_government"] == pytest.approx(o["present_value"], rel=1e-12)
        assert split["central_government"] > 0  # the DfE pays its commissioner in every option
        c = council["options"][k]
        assert c["present_value"] == pytest.approx(split["council"], rel=1e-12)
        assert c["present_value_by_payer"] == {"council": pytest.approx(c["present_value"]), "central_government": 0.0}
    # the trust's set-up grant: the DfE's cash in base-year prices, spread like the set-up itself (all in year 0)
    v = bundled.values()
    grant = v["options.trust.set_up.dfe_contribution"][0]
    commissioner = v["options.trust.external_support.commissioner.annual_cost"][0]
    months = v["options.trust.external_support.commissioner.months"][0]
    assert bundled.central("options.trust.set_up.months") == 12 and months == 12
    assert public["options"]["trust"]["present_value_by_payer"]["central_government"] == \
        pytest.approx(grant + commissioner, rel=1e-12)


def test_cli_perspective_council(bundled):
    import json
    result = CliRunner().invoke(main, ["compare", "--perspective", "council", "--format", "json"])
    assert result.exit_code == 0, result.output
    r = json.loads(result.output)
    assert r["perspective"] == "council"
    public = compare(bundled)["options"]["trust"]
    assert r["options"]["trust"]["present_value"] == pytest.approx(public["present_value_by_payer"]["council"], rel=1e-12)
    assert np.isclose(r["options"]["trust"]["totals"]["set_up"] + bundled.values()["options.trust.set_up.dfe_contribution"][0],
                      public["totals"]["set_up"], rtol=1e-12)
