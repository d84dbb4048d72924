"""The project's errors, at the bottom of the import graph: every module may raise them, none is imported here.

One base class, :class:`CostmodelError`: a problem with what the user gave (a file, a key, a cell, an
option, an output path) that the command line reports as one line per problem with exit code 2 and
no traceback. Anything else that escapes a command is a bug and exits 1. Each message names where
the problem is and what was expected.
"""
from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with the input: where (``baseline.yaml:12``, ``Inputs!F14``, ``--set``), which key, what was expected.

    A named tuple (immutable) rather than a frozen dataclass only because it is quicker to define: the start-up time of
    ``costmodel compare``.
    """

    where: str
    key: str
    message: str

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.key) if p]
        return ": ".join(parts + [self.message])


class CostmodelError(ValueError):
    """Base of every error the user can fix: the CLI shows its message and exits 2.

    Raise it with one or more :class:`Problem` s, or with a plain message that already names the
    file, key or cell and what was expected.
    """

    def __init__(self, problems: "list[Problem] | str"):
        self.problems = [Problem("", "", problems)] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AssumptionError(CostmodelError):
    """Assumptions that do not validate; carries every problem found, not just the first."""


class WorkbookError(CostmodelError):
    """A workbook that cannot be read, written or recalculated as asked (open elsewhere, wrong sheet)."""


class OutputError(CostmodelError):
    """An output path that would overwrite a file without ``--force``, or cannot be written."""


class ToolError(CostmodelError):
    """A program the command needs is not installed or failed (LibreOffice, Chromium, Microsoft Excel)."""
