"""``costmodel excel``: the macro-enabled workbook wired to the package, and jobs that need Excel itself."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import ToolError
from ..excel import jobs as logic
from .common import assumption_options, load_assumptions


@click.group()
def excel():
    """Excel via xlwings: the macro-enabled workbook, and jobs that run inside Excel.

    \b
    Example:
      costmodel excel workbook --output costmodel_book.xlsm
    """


@excel.command("workbook")
@assumption_options
@click.option("--output", type=click.Path(path_type=Path), required=True, help="The .xlsm to write.")
@click.option("--force", is_flag=True, help="Overwrite the .xlsm and its companion .py if they exist.")
def workbook_command(assumptions_dir, scenario, sets, output, force):
    """Write a macro-enabled workbook wired to costmodel, and its companion .py.

    Works on any platform (Excel is needed only to open it). See the README, "Excel: press a button".

    \b
    Example:
      costmodel excel workbook --output costmodel_book.xlsm
      costmodel excel workbook --scenario legacy_worse --output legacy_worse.xlsm --force
    """
    from ..excel.book import check_macro_output, write_macro_workbook
    from ..excel.versions import version_note
    check_macro_output(output, force)
    a = load_assumptions(assumptions_dir, scenario, sets)
    companion = write_macro_workbook(a, output)
    click.echo(f"Wrote {output} and {companion.name} (keep them in the same folder); "
               f"open the .xlsm in Excel and press Alt+F8 > SampleCall", err=True)
    if note := version_note():
        click.echo(f"Note: {note}", err=True)


@excel.command("doctor")
def doctor_command():
    """Say which xlwings the book's VBA module is for, which is installed, and whether Excel and the add-in are here.

    \b
    Example:
      costmodel excel doctor
    """
    from ..excel.versions import doctor_lines
    for line in doctor_lines():
        click.echo(line)


@excel.command("run")
@click.argument("action", type=click.Choice(logic.ACTIONS))
@click.option("--book", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True,
              help="The .xlsm made by 'costmodel excel workbook'.")
def run_command(action, book):
    """Open BOOK in Excel (invisible), run one job, save it. Needs Excel: Windows or macOS.

    \b
    Example:
      costmodel excel run compare --book costmodel_book.xlsm
    """
    from ..excel.app import excel_message, run_book
    if not sys.platform.startswith(("win", "darwin")):
        raise ToolError(f"costmodel excel run: {excel_message()}")
    run_book(book, action)
    click.echo(f"Ran {action} in {book}", err=True)
