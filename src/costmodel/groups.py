"""Named groups of levers (``groups:`` in ``scenarios.yaml``): the uncertainties a council could resolve together.

A group is what one piece of work would pin down — a placement review fixes the legacy placements'
count, prices and step-down together; a workforce census the social workers' numbers, pay and agency
share. The value of information (:mod:`costmodel.voi`) is reported for each group as well as for
each lever. Format::

    groups:
      legacy_placements:
        label: Legacy placements
        reason: A placement review would establish these together.
        levers: [baseline.legacy_placements.*, options.*.legacy.step_down_per_year]

A lever entry is a dotted key, or a pattern in which ``*`` stands for one whole part of the key
(an option, an item, or any last part), so the bundled groups apply to options a council adds.
An entry that matches no lever is an error naming the file and line; so is a malformed group.
"""
from __future__ import annotations

import re
from typing import Callable, Mapping, NamedTuple

from . import levers as lv
from .assumptions import Assumptions
from .errors import AssumptionError, Problem

GROUP_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FIELDS = ("label", "reason", "levers")
WHERE = "scenarios.yaml groups"


class LeverGroup(NamedTuple):
    """A named group: its key, label, why its levers belong together, and the lever keys it covers.

    A named tuple (immutable) rather than a frozen dataclass only because it is quicker to define (start-up time).
    """

    key: str
    label: str
    reason: str
    levers: tuple[str, ...]
    where: str = WHERE


def _resolver(known: list[str]) -> Callable[[str], list[str]]:
    """``pattern → the known keys it matches``, in their order: a plain key by lookup; a pattern (``*`` one whole part)
    by walking a tree of the keys' parts, every branch at a ``*``."""
    present, tree = set(known), {}
    for i, key in enumerate(known):
        node = tree
        for part in key.split("."):
            node = node.setdefault(part, {})
        node[_END] = i

    def resolve(pattern: str) -> list[str]:
        if "*" not in pattern:
            return [pattern] if pattern in present else []
        nodes = [tree]
        for part in pattern.split("."):
            if part == "*":
                nodes = [child for node in nodes for name, child in node.items() if name is not _END]
            else:
                nodes = [node[part] for node in nodes if part in node]
        return [known[i] for i in sorted(node[_END] for node in nodes if _END in node)]
    return resolve


_END = None  # the mark of a whole key in the tree of parts (a part is text, never None)


def lever_groups(a: Assumptions, where_of: Callable[[str], str] | None = None) -> list[LeverGroup]:
    """The groups declared in ``a.extra['groups']`` with their patterns resolved to lever keys.

    ``where_of(group key)`` names its place (``scenarios.yaml:52``) in error messages. Raises
    :class:`AssumptionError` listing every problem.
    """
    raw = (a.extra or {}).get("groups")
    if not raw:
        return []
    where_of = where_of or (lambda key: WHERE)
    if not isinstance(raw, Mapping):
        raise AssumptionError([Problem(WHERE, "groups", "expected a mapping of group names to {label, reason, levers}")])
    out, problems = [], []
    known = list(a.levers)
    resolve = _resolver(known)
    for name, body in raw.items():
        where, tag = where_of(str(name)), f"groups.{name}"
        if not isinstance(name, str) or not GROUP_KEY.match(name):
            problems.append(Problem(where, tag, "group names are lower-case letters, digits and _, starting with a letter"))
            continue
        if not isinstance(body, Mapping) or not isinstance(body.get("levers"), list) or not body["levers"]:
            problems.append(Problem(where, tag, "expected label, reason and levers: [KEY or PATTERN, ...]"))
            continue
        for f in body:
            if f not in FIELDS:
                problems.append(Problem(where, f"{tag}.{f}", "unknown field" + lv.suggest(str(f), list(FIELDS))))
        keys: list[str] = []
        for entry in body["levers"]:
            found = resolve(entry) if isinstance(entry, str) else []
            if not found:
                problems.append(Problem(where, tag, f"{entry!r} matches no lever" + lv.suggest(str(entry), known)))
            keys += [k for k in found if k not in keys]
        out.append(LeverGroup(name, str(body.get("label") or name.replace("_", " ").capitalize()),
                              str(body.get("reason") or ""), tuple(keys), where))
    if problems:
        raise AssumptionError(problems)
    return out


def select(groups: list[LeverGroup], names) -> list[LeverGroup]:
    """The groups named (all when ``names`` is empty); an unknown name is an input error with the known ones."""
    if not names:
        return groups
    index = {g.key: g for g in groups}
    bad = [n for n in names if n not in index]
    if bad:
        raise AssumptionError([Problem("--group", n, "unknown group" + lv.suggest(n, list(index))
                                       + f"; known: {', '.join(index) or 'none (declare groups: in scenarios.yaml)'}")
                               for n in bad])
    return [index[n] for n in names]
