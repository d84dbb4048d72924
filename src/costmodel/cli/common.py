"""What every command shares: the assumption options, ``--set`` parsing, output formats and the output guard.

Commands raise :class:`costmodel.errors.CostmodelError` for anything the user can fix; the group in
:mod:`costmodel.cli.main` turns it into ``Error: …`` lines and exit code 2 in one place.
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import click

from ..assumptions import Assumptions
from ..errors import CostmodelError, OutputError
from ..files.assumption_folder import load_folder
from ..files.atomic import atomic_write, check_output  # noqa: F401 (the commands' output guard)
from ..files.bundled import default_assumptions
from ..limits import check_work, implausible, monte_carlo_cost
from ..validation import dropped_correlations

SET_EXAMPLE = "--set options.trust.set_up.amount=3500000"
#: ``--seed``: what a spreadsheet can hold exactly and numpy's seeding accepts (0 to 2**32 - 1).
SEED = click.IntRange(0, 2**32 - 1)
#: The suffixes an ``--output`` of each format may have (a table is text: .txt, or no suffix).
SUFFIXES = {"table": (".txt", ""), "csv": (".csv",), "json": (".json",), "parquet": (".parquet",)}


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
    a = a.with_overrides(parse_sets(sets), where="--set")
    warn(implausible(a.levers))
    return a


def warn(problems) -> None:
    """The warnings channel: ``Warning: …`` lines on stderr (never on stdout, whatever the format), each once a command."""
    ctx = click.get_current_context(silent=True)
    seen = ctx.find_root().meta.setdefault("costmodel.warned", set()) if ctx else set()
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            click.echo(f"Warning: {p}", err=True)


def check_draws(a: Assumptions, draws: int, backend: str = "local", cluster: bool = True) -> None:
    """Refuse a Monte Carlo run too big for this machine (memory, and time when run here), before it starts."""
    cost = monte_carlo_cost(1, len(a.options), a.months)
    kept = "use fewer draws (every draw's present value is kept in this process, for exact percentiles)"
    if backend == "dask":  # the cluster does the work; this process still keeps every draw's present values
        check_work(f"--draws {draws}", draws, (cost[0], 0.0), memory_budget(), kept)
    else:
        check_work(f"--draws {draws}", draws, cost, memory_budget(), kept,
                   cluster_hint="--backend dask --scheduler ADDRESS runs the draws on a cluster" if cluster
                   else "costmodel montecarlo --backend dask runs them on a cluster")
    warn(dropped_correlations((a.extra or {}).get("correlations"), a.levers))


def memory_budget() -> float:
    """Bytes a run may use: ``$COSTMODEL_MEMORY_LIMIT`` (e.g. 2G), else half the memory available now."""
    env = os.environ.get("COSTMODEL_MEMORY_LIMIT")
    if env:
        text = env.strip().upper()
        scale = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}.get(text[-1:], 1.0)
        try:
            return float(text.rstrip("KMGTB") or "x") * scale
        except ValueError:
            raise CostmodelError(f"COSTMODEL_MEMORY_LIMIT={env}: expected bytes such as 2G or 500M") from None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            available = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        try:
            available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            available = 4e9
    return available / 2


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
    if not fmt and output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix in ("csv", "json", "parquet"):
            fmt = suffix
    fmt = fmt or default
    if output is not None and output.suffix.lower() not in SUFFIXES.get(fmt, (output.suffix.lower(),)):
        want = " or ".join(s or "no suffix" for s in SUFFIXES[fmt])
        raise OutputError(f"--output {output}: a {fmt} output is written to a file ending {want} "
                          f"(give --format to match the file, or a file name to match the format)")
    return fmt
