"""The one-pass reader (safe_yaml.one_pass) builds exactly what the checked libyaml loader builds, or declines.

``one_pass`` builds a document straight from libyaml's events; whenever it returns, the result must be what
``yaml.load`` with the checked loader gives (same types, keys in order, the line of every key, the same
objects shared by aliases), and whenever that loader refuses a document, ``one_pass`` must not return one.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.files import safe_yaml as sy

pytestmark = pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="libyaml is not installed")

ROOT = Path(__file__).resolve().parents[2]


def loaded(text: str):
    """What the checked loader gives: ("ok", document) or ("refused", the error's type, message and line)."""
    try:
        return "ok", yaml.load(text, Loader=sy._FastLoader if sy.check_events(text) else sy._FastPlainLoader)
    except yaml.YAMLError as e:
        return "refused", refusal(e)


def one_pass(text: str):
    try:
        return "ok", sy.one_pass(text)
    except sy.Refused as e:
        return "refused", refusal(e)
    except (sy.Unsure, yaml.YAMLError):
        return "declined", None


def refusal(e: yaml.YAMLError) -> tuple:
    mark = getattr(e, "problem_mark", None)
    return type(e), getattr(e, "problem", None), mark.line if mark else None


def same(a, b, pairs: dict) -> bool:
    """Equal in type, value, key order and key lines, with objects shared the same way (``pairs``: id in a → id in b)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (dict, list)):
        if pairs.setdefault(id(a), id(b)) != id(b):
            return False
    if isinstance(a, dict):
        return list(a) == list(b) and a.lines == b.lines and all(same(a[k], b[k], pairs) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, pairs) for x, y in zip(a, b))
    return a == b or (a != a and b != b)  # NaN (.nan) equals itself here


def check(text: str) -> str:
    """Assert the contract on ``text``; which way it went."""
    slow, fast = loaded(text), one_pass(text)
    if fast[0] == "ok":
        assert slow[0] == "ok", (text, slow)
        assert same(fast[1], slow[1], {}), text
    if fast[0] == "refused":
        assert fast == slow, text
    return fast[0]


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "assumptions").glob("*.yaml")))
def test_every_bundled_file_is_built_in_one_pass_exactly(name):
    assert check((ROOT / "assumptions" / name).read_text(encoding="utf-8")) == "ok"


CASES = {
    "aliases shared": "a: &x {b: 1, c: [1, 2]}\nd: *x\ne: [*x, *x]\n",
    "anchored scalar": "a: &v 3\nb: *v\n",
    "year keys": "2025: 1.5\n2026: 2\n",
    "numbers and words": "a: 0x1F\nb: 1_000\nc: 1.5e3\nd: .inf\ne: -.inf\nf: .nan\ng: yes\nh: ~\ni: '1'\nj: 0o17\nk: 1:30\n",
    "nested lists": "- [1, [2, [3, []]]]\n- {}\n- ''\n",
    "top-level scalar": "just text\n",
    "empty": "",
    "comment only": "# nothing\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "duplicate key": "a: 1\na: 2\n",
    "bool key": "yes: 1\n",
    "null key": "~: 1\n",
    "float key": "1.5: 1\n",
    "list key": "[a, b]: 1\n",
    "mapping key": "? {a: 1}\n: 2\n",
    "alias key": "a: &k b\n*k : 3\n",
    "merge": "base: &b {x: 1}\nchild:\n  <<: *b\n  y: 2\n",
    "inline merge": "child:\n  <<: {x: 1}\n  y: 2\n",
    "value key": "=: 1\n",
    "timestamp": "when: 2025-04-01\n",
    "tagged scalar": "a: !!str 12\nb: !!float 3\n",
    "tagged collection": "a: !!set {x, y}\nb: !!omap [{x: 1}]\n",
    "unknown tag": "a: !thing 1\n",
    "alias inside itself": "a: &x [1, *x]\n",
    "undefined alias": "a: *nowhere\n",
    "duplicate anchor": "a: &x 1\nb: &x 2\nc: *x\n",
    "duplicate open anchor": "a: &x [&x 1]\n",
    "malformed": "a: [1, 2\n",
    "tab indent": "a:\n\tb: 1\n",
    "deep": "a: " + "[" * 40 + "]" * 40 + "\n",
    "deep with aliases": "a: &x " + "[" * 20 + "]" * 20 + "\nb: " + "[" * 15 + "*x" + "]" * 15 + "\n",
    "laughs": "a: &a [" + ",".join(["x"] * 9) + "]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefg", "bcdefgh")),
}


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_hand_picked_documents(text):
    check(text)


def test_too_many_values_are_refused_in_the_one_pass_as_the_loader_refuses_them():
    many = "[" + ",".join(["1"] * (sy.MAX_WRITTEN + 5)) + "]\n"
    assert check(many) == "refused"
    assert check("a: [[1]]\nb: " + many) == "refused"


def test_ordinary_documents_are_not_declined():
    for key in ("aliases shared", "anchored scalar", "year keys", "numbers and words", "nested lists", "top-level scalar"):
        assert check(CASES[key]) == "ok", key


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False), st.text(max_size=12))
keys = st.one_of(st.text(max_size=8), st.integers(1900, 2100))
trees = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                     st.dictionaries(keys, kids, max_size=4)), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(tree=trees, flow=st.sampled_from([None, True, False]), shared=st.booleans())
def test_whatever_pyyaml_writes_is_read_the_same(tree, flow, shared):
    """Documents written by PyYAML (block, flow and mixed styles); with ``shared``, one object appears twice, so
    the text holds an anchor and an alias."""
    doc = {"first": tree, "second": tree} if shared else tree
    check(yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True, sort_keys=False))


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(list("ab1:-[]{},&*!\n '\"#?<=~.") + ["  ", "&x ", "*x", "<<: ", "2025"]),
                      max_size=40))
def test_fragments_of_yaml_syntax(parts):
    check("".join(parts))
