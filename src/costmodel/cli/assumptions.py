"""``costmodel validate`` and ``costmodel sources``: check an assumption folder and list what it cites."""
from __future__ import annotations

import click

from .common import assumptions_option, load_assumptions


@click.command()
@assumptions_option
def validate(assumptions_dir):
    """Check an assumption folder and report every problem, not just the first.

    Errors stop the run (exit 2); warnings (an optimism bias outside its Green Book category's bounds,
    improvement cost after the safe-core month, a source a reader cannot find) are printed after OK.

    \b
    Example:
      costmodel validate --assumptions my_council/
    """
    from ..plausibility import warnings
    a = load_assumptions(assumptions_dir)
    judgements = sum(1 for l in a.levers.values() if l.basis == "judgement")
    click.echo(f"OK: {a.origin}: {len(a.levers)} levers ({judgements} judgements), {len(a.options)} options "
               f"({', '.join(a.option_keys)}), {len(a.sources)} sources, {len(a.scenarios)} scenarios; "
               f"fingerprint {a.fingerprint()}")
    for w in warnings(a):
        click.echo(f"Warning: {w}")


@click.command()
@assumptions_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
def sources(assumptions_dir, fmt):
    """The source register: each source, the levers that cite it, which figures are judgements, every money
    lever as published (value, price year) and in base-year prices with the factor used, and the vintage of
    the packaged council statistics (releases, reference dates, snapshots, licence).

    \b
    Example:
      costmodel sources --format json
    """
    from ..files.vintage import data_vintage
    from ..render.tables import render_json, render_sources
    from ..sources import register
    reg = register(load_assumptions(assumptions_dir))
    reg["data"] = data_vintage()
    click.echo(render_json(reg) if fmt == "json" else render_sources(reg), nl=False)
