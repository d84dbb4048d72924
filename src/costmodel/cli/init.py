"""``costmodel init --council``: an assumption folder for a real council, its baseline from its own statistics."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--council", "query", required=True, metavar="NAME|CODE",
              help="The council: its name however spelt, its ONS code (E08000017) or DfE code (371).")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace FOLDER if it exists and is not empty.")
def init(query, folder, force):
    """Write an assumption folder for a council (FOLDER, default named after it, e.g. ./doncaster): its baseline
    from its latest published statistics (children in need, social workers, section 251 outturn, unit costs,
    Ofsted), the rest from the national defaults with a note saying so. The folder is validated before it is
    moved into place; an existing one is replaced only with --force.

    \b
    Examples:
      costmodel init --council Doncaster
      costmodel init --council "isle of wight" iow
      costmodel init --council E08000025 birmingham --force
      costmodel compare --assumptions doncaster
    """
    from ..evidence.council_init import init_council
    from ..render.council_init import init_summary
    folder, match, _, a = init_council(query, folder, force)
    click.echo(init_summary(str(folder), a.extra["council"], match.note), nl=False)
