"""Hostile assumption files: each refused with one clear line naming the file (and line), never a hang or a crash."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["libyaml", "pure Python"], autouse=True)
def parser(request, monkeypatch):
    """Every case with libyaml's parser (when installed) and with PyYAML's pure-Python one."""
    import yaml
    if request.param == "pure Python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    elif not yaml.__with_libyaml__:
        pytest.skip("libyaml is not installed")


@pytest.fixture
def folder(tmp_path):
    dest = tmp_path / "assumptions"
    shutil.copytree(ROOT / "assumptions", dest, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return dest


def refused(folder, *fragments, command="validate"):
    """Exit 2 with every fragment in the message. (How fast: benchmarks/hostile_inputs.py; a hang would stop the suite.)"""
    result = CliRunner().invoke(main, [command, "--assumptions", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "unexpected" not in result.output
    for f in fragments:
        assert f in result.output, (f, result.output)
    return result.output


def laughs(levels: int = 9, width: int = 9) -> str:
    """A flow list of ``width ** levels`` strings written in a few hundred bytes (a 'billion laughs')."""
    node = "&a0 [" + ",".join(["lol"] * width) + "]"
    for i in range(1, levels):
        node = f"&a{i} [{node}," + ",".join([f"*a{i - 1}"] * (width - 1)) + "]"
    return node


def replace(folder: Path, name: str, old: str, new: str) -> None:
    text = (folder / name).read_text()
    assert old in text
    (folder / name).write_text(text.replace(old, new, 1))


SUSTAIN_NOTE = "  value: 36\n  source: isos_2016_action_research\n"


def test_billion_laughs_in_a_note_is_refused_quickly(folder):
    replace(folder, "journey.yaml", SUSTAIN_NOTE, SUSTAIN_NOTE + f"  note: {laughs()}\n")
    refused(folder, "journey.yaml:", "aliases")


def test_a_smaller_alias_bomb_in_a_text_field_is_refused_as_not_text(folder):
    replace(folder, "journey.yaml", SUSTAIN_NOTE, SUSTAIN_NOTE + f"  note: {laughs(4, 9)}\n")
    refused(folder, "journey.yaml:", "journey.sustain_months", "note must be text, got a list")


def test_an_alias_that_contains_itself_is_refused(folder):
    replace(folder, "journey.yaml", SUSTAIN_NOTE, SUSTAIN_NOTE + "  note: &loop [a, *loop]\n")
    refused(folder, "journey.yaml:", "refers to the list or mapping that contains it")


@pytest.mark.parametrize("flow", [True, False])
def test_deep_nesting_is_refused_with_the_line(folder, flow):
    deep = "{a: " * 5000 + "1" + "}" * 5000 if flow else "\n" + "".join("  " * i + "a:\n" for i in range(1, 60)) + "  " * 60 + "1"
    with open(folder / "journey.yaml", "a") as fh:
        fh.write(f"deep: {deep}\n")
    refused(folder, "journey.yaml:", "nested deeper than 32 levels")


@pytest.mark.parametrize("key", ["[a, b]", "{a: 1}", "? [a, b]\n", "yes", "~", "1.5"])
def test_a_key_that_is_not_text_is_refused_with_the_line(folder, key):
    replace(folder, "journey.yaml", "sustain_months:", f"{key}:")
    refused(folder, "journey.yaml:", "key")


def test_a_year_as_a_key_is_read_and_then_judged_as_a_key(folder):
    """Whole numbers are keys (price indices are keyed by year); where a lever is expected, it is an unknown key."""
    replace(folder, "journey.yaml", "sustain_months:", "2025:")
    refused(folder, "journey.yaml:", "journey.2025", "unknown key")


@pytest.mark.parametrize("field, value", [("unit", "[months]"), ("unit", "{a: 1}"), ("label", "[a, b]"),
                                          ("label", "{text: x}"), ("source", "[isos_2016_action_research]"),
                                          ("note", "{a: 1}"), ("reasoning", "[why]"), ("basis", "[judgement]")])
def test_metadata_of_the_wrong_type_is_refused_with_file_line_and_key(folder, field, value):
    fields = {"label": "Fair to good and great", "unit": "months", "value": "36", "source": "isos_2016_action_research"}
    old = "sustain_months:\n" + "".join(f"  {k}: {v}\n" for k, v in fields.items())
    fields[field] = value
    replace(folder, "journey.yaml", old, "sustain_months:\n" + "".join(f"  {k}: {v}\n" for k, v in fields.items()))
    out = refused(folder, "journey.yaml:", "journey.sustain_months", f"{field} must be text, got")
    assert "missing required lever" not in out  # given but wrong is not also reported as missing


@pytest.mark.parametrize("where, old, new, fragment", [
    ("options.yaml", "  model: trust\n", "  model: [trust]\n", "model must be text"),
    ("sources.yaml", "  title: ", "  title: [a]\n  x_title: ", "expected text"),
    ("scenarios.yaml", "    label: Legacy placements worse than expected\n", "    label: {a: 1}\n", "expected text"),
])
def test_other_text_fields_of_the_wrong_type_are_refused(folder, where, old, new, fragment):
    replace(folder, where, old, new)
    refused(folder, where, fragment)


def test_a_huge_file_is_refused_before_it_is_parsed(folder):
    (folder / "journey.yaml").write_text("x: " + "a" * (300 * 1024) + "\n")
    refused(folder, "journey.yaml", "larger than 256 KB")


def test_a_file_of_too_many_values_is_refused_quickly(folder):
    (folder / "journey.yaml").write_text("x: [" + ",".join(["1"] * 120_000) + "]\n")
    refused(folder, "journey.yaml:1", "more than 20,000 values")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_like_an_assumption_file_is_refused_not_waited_on(folder):
    (folder / "journey.yaml").unlink()
    os.mkfifo(folder / "journey.yaml")
    refused(folder, "journey.yaml", "is a FIFO")


def test_a_folder_named_like_an_assumption_file_is_refused(folder):
    (folder / "journey.yaml").unlink()
    (folder / "journey.yaml").mkdir()
    refused(folder, "journey.yaml", "is a folder")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_named_like_an_assumption_file_is_refused(folder):
    (folder / "journey.yaml").unlink()
    (folder / "journey.yaml").symlink_to("/dev/zero")
    refused(folder, "journey.yaml", "is a device")


def test_a_relative_folder_is_reported_as_given(folder, monkeypatch):
    monkeypatch.chdir(folder.parent)
    (folder / "journey.yaml").unlink()
    out = refused(Path("assumptions"), "assumptions/journey.yaml: missing file")
    assert "assumptions/assumptions" not in out


@pytest.mark.parametrize("text, fragment", [
    ("  - levers: [options.in_house.improvement.total, options.trust.improvement.total]\n    rho: 1.5\n", "rho must be"),
    ("  levers: [options.in_house.improvement.total, options.trust.improvement.total]\n  rho: 0.5\n", "expected a list"),
    ("  - levers: [options.in_house.improvement.total, options.trust.improvement.totl]\n    rho: 0.5\n",
     "did you mean options.trust.improvement.total"),
])
def test_validate_refuses_the_correlations_montecarlo_refuses(folder, text, fragment):
    scen = (folder / "scenarios.yaml").read_text()
    (folder / "scenarios.yaml").write_text(scen[:scen.index("correlations:")] + "correlations:\n" + text)
    refused(folder, "scenarios.yaml", fragment)
    refused(folder, "scenarios.yaml", fragment, command="montecarlo")


@pytest.mark.parametrize("name, suggestion", [("peer review", "peer_review"), ("board-2025", "board_2025"),
                                              ('q+WEBSERVICE("http://x")+q', "q_webservice_http_x_q")])
def test_an_external_support_name_must_be_an_identifier(folder, name, suggestion):
    replace(folder, "options.yaml", "    peer_review:", f"    {name!r}:".replace("'", '"') if '"' not in name else f"    '{name}':")
    refused(folder, "options.yaml:", "not a valid name", f"try '{suggestion}'")


def test_an_option_key_must_be_an_identifier(folder):
    replace(folder, "options.yaml", "\ntrust:\n", "\n\"Trust 2\":\n")
    refused(folder, "options.yaml:", "option key 'Trust 2' is not a valid name", "try 'trust_2'")
