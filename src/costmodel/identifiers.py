"""Names the user chooses that become parts of lever keys: option keys and external-support item names. Pure.

They appear in dotted keys (``options.<option>.external_support.<item>.annual_cost``), in workbook
defined names (dots become underscores) and in formulas that read those names, so they must be
identifiers: lower-case letters, digits and underscores, starting with a letter, at most
:data:`MAX_LENGTH` characters (so that the longest defined name stays well inside Excel's 255).
Nothing else a user types is ever spliced into a formula or a defined name.
"""
from __future__ import annotations

import re

MAX_LENGTH = 30
PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{0,{MAX_LENGTH - 1}}}$")
RULE = f"lower-case letters, digits and _, starting with a letter, at most {MAX_LENGTH} characters"


def suggestion(name: str) -> str:
    """The nearest identifier to ``name``: ``'Peer review'`` → ``'peer_review'``, ``'2025 board'`` → ``'x2025_board'``."""
    text = re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")
    if not text or not text[0].isalpha():
        text = "x" + text
    return text[:MAX_LENGTH].rstrip("_")


def identifier_problem(name, what: str) -> str | None:
    """None when ``name`` is a valid identifier, else the message (with a suggestion) for ``what`` it names."""
    if isinstance(name, str) and PATTERN.match(name):
        return None
    shown = repr(name) if len(repr(name)) <= 60 else repr(name)[:57] + "..."
    return f"{what} {shown} is not a valid name ({RULE}): try {suggestion(name)!r}"
