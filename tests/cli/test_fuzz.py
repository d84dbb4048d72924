"""Fuzzing: hypothesis mutates the bundled assumption files and runs them through the command line.

Whatever the mutation (a value replaced by an absurd number, text, a list or a mapping; a key deleted,
renamed or added; the file's text cut, spliced or salted with hostile YAML; ``--set`` of levers at, inside
or just beyond their hard bounds), every run must:

* exit 0 or 2 — never 1, never "unexpected", never a traceback;
* on exit 0, print only finite numbers (JSON parses with NaN and infinities refused; no CSV cell reads nan/inf);
* on exit 2, name a file or a lever key in every ``Error:`` line.

A few hundred cases run in the suite (about a minute and a half here); set ``COSTMODEL_FUZZ_EXAMPLES`` for
more, and ``COSTMODEL_FUZZ_RANDOM=1`` to draw new cases each run instead of the same derandomised ones.
A handful of cases also run as real ``costmodel`` processes.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings, strategies as st

from costmodel.cli import main
from costmodel.files.assumption_folder import load_folder

ROOT = Path(__file__).resolve().parents[2]
FILES = tuple(sorted(p.name for p in (ROOT / "assumptions").glob("*.yaml")))  # every file of the bundled example
TREES = {name: yaml.safe_load((ROOT / "assumptions" / name).read_text()) for name in FILES}
TEXTS = {name: (ROOT / "assumptions" / name).read_text() for name in FILES}
EXAMPLES = int(os.environ.get("COSTMODEL_FUZZ_EXAMPLES", "400"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("COSTMODEL_FUZZ_RANDOM"),
                suppress_health_check=list(HealthCheck), database=None)

NAMES_A_PLACE = re.compile(r"\.yaml|\b(appraisal|baseline|journey|options|sources|scenarios|correlations)\b|--set")

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([0, -1, 1, 0.5, 1.5, 36, 2025, 1e12, 1e13, 1e308, -1e308, 5e-324, 10**400, 2**63, -0.0]),
)
hostile_text = st.sampled_from(['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "", " ", "nan", ".inf", "1e308",
                                "70.1e6", "2025-04-01", "yes", "null", "~", "peer review", "board-2025", "a" * 3000,
                                "\x00\x07\x1b", "é漢字🙂", "GBP/wk", "months", "judgement", "isos_2016_action_research"])
texts = st.one_of(hostile_text, st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
scalars = st.one_of(numbers, texts, st.booleans(), st.none(), st.dates(min_value=dt.date(1900, 1, 1)))
values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(texts, c, max_size=3)),
                      max_leaves=6)
salt = st.sampled_from(["? [a, b]\n: 1\n", "x: &a [*a]\n", "x: *nowhere\n", "\t", "{", "---\n", "!!python/object:os.system x\n",
                        "x: !!binary AAAA\n", "x: &a [1]\ny: *a\n", "yes: 1\n", "2025: x\n", "<<: {a: 1}\n", "- a\n",
                        "x: " + "[" * 40 + "]" * 40 + "\n"])


def paths(node, prefix=()):
    """Every path (tuple of keys and indices) into a parsed tree."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def mutate_tree(draw, tree):
    """One change to a copy of the tree: replace a node, delete or rename a key, or add one."""
    tree = copy.deepcopy(tree)
    every = list(paths(tree))[1:]
    numeric = [p for p in every if p and p[-1] in ("value", "low", "central", "high", "rho")]
    path = draw(st.sampled_from(numeric)) if numeric and draw(st.booleans()) else draw(st.sampled_from(every or [()]))
    if not path:
        return draw(values)
    parent = tree
    for p in path[:-1]:
        parent = parent[p]
    last = path[-1]
    op = "number" if path[-1] in ("value", "low", "central", "high", "rho") and draw(st.booleans()) else \
        draw(st.sampled_from(["replace", "replace", "number", "delete", "rename", "add"]))
    if op == "replace":
        parent[last] = draw(values)
    elif op == "number":
        parent[last] = draw(numbers)
    elif op == "delete":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        parent[draw(texts)] = parent.pop(last)
    elif op == "add" and isinstance(parent, dict):
        parent[draw(texts)] = draw(values)
    return tree


def mutate_text(draw, text: str) -> str:
    """One change to a file's text: cut it, splice a line, or add hostile YAML at a line start."""
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(0, len(lines)))
    op = draw(st.sampled_from(["salt", "salt", "cut", "duplicate", "indent"]))
    if op == "salt":
        lines.insert(at, draw(salt))
    elif op == "cut":
        return text[:draw(st.integers(0, len(text)))]
    elif op == "duplicate" and lines:
        lines.insert(at, lines[min(at, len(lines) - 1)])
    elif op == "indent" and lines:
        lines[min(at, len(lines) - 1)] = " " + lines[min(at, len(lines) - 1)]
    return "".join(lines)


@st.composite
def folders(draw):
    """Which file, and its new text, for one mutated copy of the bundled folder."""
    name = draw(st.sampled_from(FILES))
    changes = draw(st.integers(1, 3))
    text = TEXTS[name]
    if draw(st.booleans()):
        tree = TREES[name]
        for _ in range(changes):
            tree = mutate_tree(draw, tree)
        try:
            text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
        except (yaml.YAMLError, TypeError, ValueError):
            text = TEXTS[name]
    else:
        for _ in range(changes):
            text = mutate_text(draw, text)
    return name, text


COMMANDS = [
    ["validate"],
    ["compare", "--format", "json"],
    ["compare", "--format", "json"],
    ["compare", "--format", "csv", "--annual"],
    ["compare", "--scenario", "all", "--format", "json"],
    ["tornado", "--option", "trust", "--format", "json"],
    ["switching", "baseline.legacy_placements.count", "--between", "trust", "do_minimum", "--format", "json"],
    ["montecarlo", "--draws", "300", "--format", "json"],
    ["sweep", "--grid", "options.trust.mobilisation_months=0:24:3", "--format", "csv"],
]


def check(result_code: int, stdout: str, output: str, fmt: str) -> None:
    """The three promises of the module docstring."""
    assert result_code in (0, 2), output
    assert "Error: unexpected" not in output and "Traceback" not in output, output
    if result_code == 0:
        if fmt == "json":
            json.loads(stdout, parse_constant=lambda c: pytest.fail(f"non-finite {c} in the output"))
        elif fmt == "csv":
            for row in csv.reader(io.StringIO(stdout)):
                for cell in row:
                    assert cell.strip().lower() not in ("nan", "inf", "-inf", "infinity"), row
                    try:
                        assert math.isfinite(float(cell)), row
                    except ValueError:
                        pass
    else:
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert errors, output
        for line in errors:
            assert NAMES_A_PLACE.search(line), line


def write_folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "a"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "assumptions", folder, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    return folder


BUNDLED = load_folder(ROOT / "assumptions")


@st.composite
def extreme_sets(draw):
    """0 to 3 ``--set KEY=VALUE`` with values anywhere in (or just beyond) each lever's hard bounds, often at them."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(BUNDLED.levers)))
        lo, hi = BUNDLED.levers[key].spec.limits
        value = draw(st.one_of(st.sampled_from([lo, hi, hi * 1.000001, lo - 1]), st.floats(lo, hi),
                               st.floats(0, 1).map(lambda u: lo + (hi - lo) * u ** 8)))
        out += ["--set", f"{key}={value!r}"]
    return out


@FUZZ
@given(case=folders(), command=st.sampled_from(COMMANDS), sets=extreme_sets(), mutate=st.booleans())
def test_mutated_assumptions_never_crash_never_print_non_finite_numbers(tmp_path_factory, case, command, sets, mutate):
    folder = write_folder(tmp_path_factory.mktemp("fuzz"), *case) if mutate or not sets else ROOT / "assumptions"
    args = [*command, "--assumptions", str(folder)] + (sets if command[0] != "validate" else [])
    result = CliRunner().invoke(main, args)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    fmt = command[command.index("--format") + 1] if "--format" in command else "table"
    event(f"exit {result.exit_code}")
    check(result.exit_code, result.stdout, result.output, fmt)


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None)
@given(case=folders())
def test_mutated_assumptions_through_a_real_process(tmp_path_factory, case):
    folder = write_folder(tmp_path_factory.mktemp("fuzzp"), *case)
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "compare", "--format", "json", "--assumptions", str(folder)],
                          capture_output=True, text=True, timeout=120)
    check(done.returncode, done.stdout, done.stdout + done.stderr, "json")
