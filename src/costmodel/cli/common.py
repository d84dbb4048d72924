"""What every command shares: the assumption options, ``--set`` parsing, output formats and the output guard.

Commands raise :class:`costmodel.errors.CostmodelError` for anything the user can fix; the group in
:mod:`costmodel.cli.main` turns it into ``Error: …`` lines and exit code 2 in one place.
"""
from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import click

from ..assumptions import Assumptions
from ..errors import CostmodelError
from ..files.assumption_folder import load_folder
from ..files.atomic import atomic_write, check_output  # noqa: F401 (the commands' output guard)
from ..files.bundled import default_assumptions

SET_EXAMPLE = "--set options.trust.set_up.amount=3500000"


def parse_sets(pairs) -> list[tuple[str, str]]:
    """``KEY=VALUE`` strings → pairs; a missing ``=`` is an input error naming the text."""
    out = []
    for p in pairs:
        key, eq, value = p.partition("=")
        if not eq or not key.strip():
            raise CostmodelError(f"--set {p!r}: expected KEY=VALUE, for example {SET_EXAMPLE}")
        out.append((key.strip(), value.strip()))
    return out


def load_assumptions(folder=None, scenario: str | None = None, sets=()) -> Assumptions:
    """Read the folder, apply a named scenario, then ``--set`` overrides."""
    a = load_folder(folder or default_assumptions())
    if scenario and scenario != "central":
        a = a.with_scenario(scenario)
    return a.with_overrides(parse_sets(sets), where="--set")


def folder_option(f):
    """``--assumptions DIR`` alone (a command whose ``--council`` means something else: ``benchmark``)."""
    return click.option("--assumptions", "assumptions_dir", type=click.Path(path_type=Path), default=None,
                        help="Assumption folder (default: ./assumptions, else the bundled example).")(f)


def council_option(f):
    """``--council NAME|CODE``: run on the folder ``costmodel init --council`` writes, in a temporary folder that is
    removed afterwards (``--assumptions`` with it is a usage error). The command gets that folder as
    ``assumptions_dir``; one line on stderr names the council."""
    @functools.wraps(f)
    def wrapper(*args, council=None, **kwargs):
        if council is None:
            return f(*args, **kwargs)
        if kwargs.get("assumptions_dir") is not None:
            raise click.UsageError("--council and --assumptions cannot be used together: --council builds the "
                                   "assumptions from the council's published statistics (costmodel init --council)")
        from ..evidence.council_init import init_council
        from ..render.council_init import council_line
        with tempfile.TemporaryDirectory(prefix="costmodel-council-") as tmp:
            folder, match, baseline, a = init_council(council, parent=tmp)
            click.echo(council_line(a.extra["council"], len(baseline.fallbacks)), err=True)
            if match.note:
                click.echo(f"Note: {match.note}", err=True)
            return f(*args, **{**kwargs, "assumptions_dir": folder})
    return click.option("--council", "council", metavar="NAME|CODE", default=None,
                        help="Use the baseline `costmodel init --council` writes for this council (name, ONS or DfE "
                             "code), in a temporary folder; not with --assumptions.")(wrapper)


def assumptions_option(f):
    """``--assumptions DIR`` or ``--council NAME`` (commands that read a folder but take no overrides)."""
    return folder_option(council_option(f))


def assumption_options(f):
    """``--assumptions DIR``, ``--scenario NAME`` and repeatable ``--set KEY=VALUE``."""
    @assumptions_option
    @click.option("--scenario", default=None, help="A named scenario from scenarios.yaml (or 'central').")
    @click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                  help="Fix a lever at a value (low = central = high); repeatable. A money value is in the lever's own "
                       "price year (costmodel sources lists it) unless it ends @YEAR, e.g. =23400000@2025.")
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper


def write_output(content: str | bytes, path: Path | None, force: bool) -> None:
    """Print to stdout, or write the file atomically (temporary file, then rename)."""
    if path is None:
        click.echo(content, nl=False)
        return
    check_output(path, force)
    atomic_write(path, content.encode() if isinstance(content, str) else content)
    click.echo(f"Wrote {path}", err=True)


def infer_format(fmt: str | None, output: Path | None, default: str = "table") -> str:
    """The ``--format`` given, else the one the ``--output`` suffix names (csv, json, parquet), else ``default``."""
    if fmt:
        return fmt
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix in ("csv", "json", "parquet"):
            return suffix
    return default
