"""Lever groups: a pattern resolves to exactly the keys a part-by-part match finds, in the catalogue's order."""
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.groups import _resolver


def _naive(pattern, known):
    p = pattern.split(".")
    return [k for k in known if len(k.split(".")) == len(p) and all(a == "*" or a == b for a, b in zip(p, k.split(".")))]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_pattern_resolves_to_the_keys_a_part_by_part_match_finds_in_order(bundled, data):
    known = list(bundled.levers)
    key = data.draw(st.sampled_from(known)).split(".")
    stars = data.draw(st.lists(st.booleans(), min_size=len(key), max_size=len(key)))
    pattern = ".".join("*" if s else part for s, part in zip(stars, key))
    if data.draw(st.booleans()):
        pattern += data.draw(st.sampled_from(["", ".*", "x", ".x"]))
    assert _resolver(known)(pattern) == _naive(pattern, known)
