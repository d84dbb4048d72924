"""``costmodel compare``: every option side by side for one assumption set (or every named scenario)."""
from __future__ import annotations

from pathlib import Path

import click

from ..limits import implausible
from .common import assumption_options, check_output, infer_format, load_assumptions, parse_sets, warn, write_output


@click.command()
@assumption_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
              help="Output format (default: table, or from the --output suffix).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option("--nominal", is_flag=True, help="Totals and annual rows in nominal (cash) terms; present values stay real.")
@click.option("--annual", is_flag=True, help="Add the year-by-year table.")
@click.option("--perspective", type=click.Choice(["public-sector", "council"]), default="public-sector", show_default=True,
              help="Whose costs count: every public body's (Green Book) or the council's own budget (DfE contributions left out).")
def compare(assumptions_dir, scenario, sets, fmt, output, force, nominal, annual, perspective):
    """Cost every option side by side: one-off, recurring, legacy, present value, NPC, safe-service month.

    \b
    Examples:
      costmodel compare
      costmodel compare --scenario legacy_worse --annual
      costmodel compare --format json --set options.trust.mobilisation_months=18 --output trust18.json
      costmodel compare --scenario all --format csv
      costmodel compare --perspective council
    """
    from ..comparison import compare as run_compare
    from ..render.tables import render_csv, render_json, render_table
    fmt = infer_format(fmt, output)
    check_output(output, force)
    terms = "nominal" if nominal else "real"
    base = load_assumptions(assumptions_dir)
    names = ["central", *base.scenarios] if scenario == "all" else [scenario or "central"]
    results = []
    for name in names:
        a = (base if name == "central" else base.with_scenario(name)).with_overrides(parse_sets(sets))
        if a is not base:  # load_assumptions has already warned about the base
            warn(implausible(a.levers))
        results.append(run_compare(a, terms=terms, scenario=name, perspective=perspective))
    if fmt == "json":
        obj = results[0] if len(results) == 1 else {"scenarios": {r["scenario"]: r for r in results}}
        text = render_json(obj)
    elif fmt == "csv":
        parts = [render_csv(r, annual) for r in results]
        text = parts[0] + "".join(p.split("\n", 1)[1] for p in parts[1:])
    else:
        text = "\n".join(render_table(r, annual) for r in results)
    write_output(text, output, force)
