"""The ``costmodel`` command line: thin commands that parse, call the core and render.

Exit codes: 0 ok; 2 a usage or input error (one line per problem, naming file, key or cell); 1 an
unexpected error. Set ``COSTMODEL_DEBUG=1`` to see the traceback of an unexpected error.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from . import __version__
from .assumptions import AssumptionError, Assumptions

BUNDLED = Path(__file__).resolve().parents[2] / "assumptions"


class InputError(click.ClickException):
    """A problem with what the user gave us: exit code 2, no traceback."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"Error: {self.format_message()}", err=True)


#: Commands that live in adapter modules, loaded only when asked for (so ``compare`` does not import
#: openpyxl, matplotlib or xlwings, and the adapters may import this module without a cycle).
LAZY_COMMANDS = {
    "workbook": "costmodel.io.cli_workbook:workbook",
    "sweep": "costmodel.io.cli_sensitivity:sweep",
    "tornado": "costmodel.io.cli_sensitivity:tornado",
    "switching": "costmodel.io.cli_sensitivity:switching",
    "montecarlo": "costmodel.io.cli_sensitivity:montecarlo",
    "excel": "costmodel.io.cli_excel:excel",
    "report": "costmodel.io.cli_report:report",
}


class Group(click.Group):
    """Loads adapter commands lazily; turns unexpected exceptions into one line and exit code 1."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx, name):
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib
            module, attr = LAZY_COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except AssumptionError as e:
            raise InputError(str(e)) from None
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if os.environ.get("COSTMODEL_DEBUG"):
                raise
            click.echo(f"Error: unexpected {type(e).__name__}: {e} (set COSTMODEL_DEBUG=1 for the traceback)", err=True)
            ctx.exit(1)


def default_assumptions() -> Path:
    """``$COSTMODEL_ASSUMPTIONS``, else ``./assumptions``, else the bundled example set."""
    env = os.environ.get("COSTMODEL_ASSUMPTIONS")
    if env:
        return Path(env)
    here = Path("assumptions")
    return here if (here / "options.yaml").exists() else BUNDLED


def parse_sets(pairs) -> list[tuple[str, str]]:
    """``KEY=VALUE`` strings → pairs; a missing ``=`` is a usage error naming the text."""
    out = []
    for p in pairs:
        key, eq, value = p.partition("=")
        if not eq or not key.strip():
            raise InputError(f"--set {p!r}: expected KEY=VALUE, for example --set options.trust.set_up.amount=3500000")
        out.append((key.strip(), value.strip()))
    return out


def load_assumptions(folder=None, scenario: str | None = None, sets=()) -> Assumptions:
    """Read the folder, apply a named scenario then ``--set`` overrides; input problems exit 2."""
    from .io.assumption_files import load_folder
    try:
        a = load_folder(folder or default_assumptions())
        if scenario and scenario != "central":
            a = a.with_scenario(scenario)
        return a.with_overrides(parse_sets(sets), where="--set")
    except AssumptionError as e:
        raise InputError(str(e)) from None


def assumption_options(f):
    """``--assumptions DIR``, ``--scenario NAME`` and repeatable ``--set KEY=VALUE``."""
    @click.option("--assumptions", "assumptions_dir", type=click.Path(path_type=Path), default=None,
                  help="Assumption folder (default: ./assumptions, else the bundled example).")
    @click.option("--scenario", default=None, help="A named scenario from scenarios.yaml (or 'central').")
    @click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                  help="Fix a lever at a value (low = central = high); repeatable.")
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper


def check_output(path: Path | None, force: bool) -> None:
    """Refuse to overwrite an existing file without ``--force``, or to write into a missing folder."""
    if path is None:
        return
    if path.exists() and not force:
        raise InputError(f"{path} already exists: use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise InputError(f"{path} is a folder: give a file name")
    if not path.parent.exists():
        raise InputError(f"{path.parent} does not exist: create the folder first")


def write_output(content: str | bytes, path: Path | None, force: bool) -> None:
    """Print to stdout, or write the file atomically (temporary file, then rename)."""
    if path is None:
        click.echo(content, nl=False)
        return
    check_output(path, force)
    from .io.files import atomic_write
    atomic_write(path, content.encode() if isinstance(content, str) else content)
    click.echo(f"Wrote {path}", err=True)


def infer_format(fmt: str | None, output: Path | None, default: str = "table") -> str:
    if fmt:
        return fmt
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix in ("csv", "json", "parquet"):
            return suffix
    return default


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="costmodel")
def main():
    """Cost the delivery options for children's social care against business as usual.

    \b
    Example:
      costmodel compare                       # the bundled example, side by side
      costmodel compare --format json --set options.trust.set_up.amount=4000000
    """


@main.command()
@click.option("--assumptions", "assumptions_dir", type=click.Path(path_type=Path), default=None,
              help="Assumption folder (default: ./assumptions, else the bundled example).")
def validate(assumptions_dir):
    """Check an assumption folder and report every problem, not just the first.

    \b
    Example:
      costmodel validate --assumptions my_council/
    """
    a = load_assumptions(assumptions_dir)
    judgements = sum(1 for l in a.levers.values() if l.basis == "judgement")
    click.echo(f"OK: {a.origin}: {len(a.levers)} levers ({judgements} judgements), {len(a.options)} options "
               f"({', '.join(a.option_keys)}), {len(a.sources)} sources, {len(a.scenarios)} scenarios; "
               f"fingerprint {a.fingerprint()}")


@main.command()
@assumption_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
              help="Output format (default: table, or from the --output suffix).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option("--nominal", is_flag=True, help="Totals and annual rows in nominal (cash) terms; present values stay real.")
@click.option("--annual", is_flag=True, help="Add the year-by-year table.")
def compare(assumptions_dir, scenario, sets, fmt, output, force, nominal, annual):
    """Cost every option side by side: one-off, recurring, legacy, present value, NPC, safe-service month.

    \b
    Examples:
      costmodel compare
      costmodel compare --scenario legacy_worse --annual
      costmodel compare --format json --set options.trust.mobilisation_months=18 --output trust18.json
      costmodel compare --scenario all --format csv
    """
    from .comparison import compare as run_compare
    from .io.tables import render_csv, render_json, render_table
    fmt = infer_format(fmt, output)
    check_output(output, force)
    terms = "nominal" if nominal else "real"
    base = load_assumptions(assumptions_dir)
    names = ["central", *base.scenarios] if scenario == "all" else [scenario or "central"]
    results = []
    for name in names:
        a = base if name == "central" else base.with_scenario(name)
        results.append(run_compare(a.with_overrides(parse_sets(sets)), terms=terms, scenario=name))
    if fmt == "json":
        obj = results[0] if len(results) == 1 else {"scenarios": {r["scenario"]: r for r in results}}
        text = render_json(obj)
    elif fmt == "csv":
        parts = [render_csv(r, annual) for r in results]
        text = parts[0] + "".join(p.split("\n", 1)[1] for p in parts[1:])
    else:
        text = "\n".join(render_table(r, annual) for r in results)
    write_output(text, output, force)


@main.command()
@click.option("--assumptions", "assumptions_dir", type=click.Path(path_type=Path), default=None,
              help="Assumption folder (default: ./assumptions, else the bundled example).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def sources(assumptions_dir, fmt):
    """The source register: each source, the levers that cite it, and which figures are judgements.

    \b
    Example:
      costmodel sources --format json
    """
    from .io.tables import render_json
    from .sources import register
    a = load_assumptions(assumptions_dir)
    reg = register(a)
    if fmt == "json":
        click.echo(render_json(reg), nl=False)
        return
    from .io.tables import render_sources
    click.echo(render_sources(reg), nl=False)


if __name__ == "__main__":
    sys.exit(main())
