"""``costmodel workbook build | read | recalc``: the live-formula workbook from the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..comparison import council_of
from ..errors import CostmodelError
from ..limits import implausible
from .common import assumption_options, assumptions_option, check_output, load_assumptions, warn
from ..files.atomic import atomic_write, check_not_open, temp_folder


@click.group("workbook")
def workbook():
    """Build the live-formula Excel workbook, read an edited one back, or recalculate one.

    \b
    Examples:
      costmodel workbook build --output costmodel.xlsx
      costmodel workbook read costmodel.xlsx --output my_assumptions/
      costmodel workbook recalc costmodel.xlsx
    """


@workbook.command()
@assumption_options
@click.option("--output", type=click.Path(path_type=Path), required=True, help="The .xlsx file to write.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option("--case", type=click.Choice(["low", "central", "high"]), default="central", show_default=True,
              help="The case the book opens with (the Inputs!C3 selector).")
def build(assumptions_dir, scenario, sets, output, force, case):
    """Write the workbook: Cover, Inputs, Lookups, Timeline, Calculations, Annual, Summary, Checks and Sources; for a
    named council (--council, or a folder from costmodel init --council) also its benchmark as a VALUE sheet.

    Every calculation is a live formula reading the named inputs; recalculated, it gives the
    engine's figures (costmodel compare). Opens on Summary.

    \b
    Examples:
      costmodel workbook build --output workbooks/costmodel.xlsx --force
      costmodel workbook build --scenario legacy_worse --output legacy_worse.xlsx
      costmodel workbook build --set options.trust.mobilisation_months=18 --output trust18.xlsx
      costmodel workbook build --council Doncaster --output doncaster.xlsx
    """
    from ..workbook.build import build_workbook, save_workbook
    a = load_assumptions(assumptions_dir, scenario, sets)
    wb = build_workbook(a)
    wb["Inputs"]["C3"] = case
    council = council_of(a)
    if council:  # a council's own set: its benchmark against England, its region and its peers, as values
        from ..evidence.benchmark import benchmark
        from ..workbook.value_benchmark import add_benchmark
        add_benchmark(wb, benchmark(council["code"]).to_dict(), " ".join(["costmodel", *sys.argv[1:]]), a.fingerprint())
    save_workbook(wb, output, force=force)
    click.echo(f"Wrote {output} ({len(a.levers)} levers, {len(a.options)} options; fingerprint {a.fingerprint()}). "
               "Every formula carries its computed value; a spreadsheet recomputes them on opening.", err=True)


@workbook.command()
@click.argument("path", type=click.Path(path_type=Path))
@assumptions_option
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Folder to write the assumption files to; without it, only check the workbook.")
@click.option("--force", is_flag=True, help="Overwrite files already in --output.")
def read(path, assumptions_dir, output, force):
    """Turn the Inputs sheet of an edited workbook back into assumption files (sources kept).

    A bad edit (text in a number cell, a deleted or reordered row, an unknown key, a value outside
    its range) is an error naming the cell, e.g. Inputs!E52, the lever key and what was expected.

    \b
    Examples:
      costmodel workbook read costmodel.xlsx                       # check only
      costmodel workbook read costmodel.xlsx --output my_council/
    """
    from ..files.assumption_folder import write_folder
    from ..workbook.read import read_workbook
    if not path.is_file():
        raise CostmodelError(f"{path}: no such workbook")
    base = load_assumptions(assumptions_dir)
    a = read_workbook(path, base)
    warn(implausible(a.levers))
    if output is not None:
        written = write_folder(a, output, force=force)
        click.echo(f"Wrote {len(written)} files to {output}", err=True)
    click.echo(f"OK: {path}: {len(a.levers)} levers, {len(a.options)} options; fingerprint {a.fingerprint()}")


@workbook.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write the recalculated workbook here (default: replace PATH).")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
def recalc(path, output, force):
    """Store computed values in a workbook with LibreOffice headless, for tools and previews that read them.

    The file is re-saved by LibreOffice: formulas, names, validation and charts are kept; some
    formatting may differ from the original. Needs LibreOffice (soffice) installed.

    \b
    Examples:
      costmodel workbook recalc costmodel.xlsx
      costmodel workbook recalc costmodel.xlsx --output costmodel_values.xlsx
    """
    from ..workbook.recalc import recalculate
    if not path.is_file():
        raise CostmodelError(f"{path}: no such workbook")
    if path.suffix.lower() != ".xlsx":
        raise CostmodelError(f"{path}: expected an .xlsx workbook (LibreOffice would save any other file as one)")
    target = output or path
    if output is not None:
        check_output(output, force, suffixes=(".xlsx",))
    check_not_open(target)
    with temp_folder("recalc") as tmp:
        out = Path(tmp) / target.name
        recalculate(path, out)
        atomic_write(target, out.read_bytes())
    click.echo(f"Recalculated {target} with LibreOffice", err=True)
