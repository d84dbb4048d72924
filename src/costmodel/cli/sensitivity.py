"""``costmodel sweep | tornado | switching``: thin commands over the sensitivity core (``montecarlo`` is in :mod:`.montecarlo`)."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click
import numpy as np
import pandas as pd

from ..errors import CostmodelError
from ..finite import check_finite
from ..render.tables import frame_csv
from ..limits import check_work, sweep_cost
from .common import assumption_options, check_output, infer_format, load_assumptions, memory_budget, write_output

FORMATS = ["table", "csv", "json", "parquet"]


def _frame_out(df: pd.DataFrame, fmt: str, output: Path | None, force: bool, extra: dict | None = None,
               nullable: tuple[str, ...] = ()) -> None:
    """Write a result table in the asked format; every number is checked finite first (``nullable`` columns may be empty)."""
    check_finite(df, "the result table", nullable)
    check_finite(extra or {}, "the result")
    if fmt == "parquet":
        if output is None:
            raise CostmodelError("--format parquet needs --output PATH.parquet")
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        write_output(buf.getvalue(), output, force)
    elif fmt == "csv":
        write_output(frame_csv(df, nullable), output, force)
    elif fmt == "json":
        obj = dict(extra or {})
        obj["rows"] = json.loads(df.to_json(orient="records", double_precision=15))
        write_output(json.dumps(obj, indent=2, allow_nan=False) + "\n", output, force)
    else:
        from rich.console import Console
        from rich.table import Table
        t = Table(show_lines=False)
        for c in df.columns:
            t.add_column(str(c), justify="right" if df[c].dtype.kind in "fi" else "left")
        for row in df.itertuples(index=False):
            t.add_row(*[f"{x:,.0f}" if isinstance(x, float) and abs(x) >= 1000 else
                        (f"{x:.4g}" if isinstance(x, float) else str(x)) for x in row])
        buf = io.StringIO()
        Console(file=buf, width=200, force_terminal=False).print(t)
        text = buf.getvalue() + "".join(f"{line}\n" for line in (extra or {}).get("notes", []))
        write_output(text, output, force)


def _chart(path: Path | None, force: bool, make) -> None:
    if path is None:
        return
    from ..render.charts import chart_format
    try:
        fmt = chart_format(path)
    except ValueError as e:
        raise CostmodelError(str(e)) from None
    check_output(path, force)
    write_output(make(fmt), path, force)


def _workbook(path: Path | None, force: bool, a, add) -> None:
    """Build the live workbook and add the value sheets; refuse bad paths before any work."""
    if path is None:
        return
    from ..workbook.build import build_workbook, save_workbook
    wb = build_workbook(a)
    add(wb, " ".join(["costmodel", *sys.argv[1:]]), a.fingerprint())
    save_workbook(wb, path, force)
    click.echo(f"Wrote {path}", err=True)


def _xlsx(path: Path | None) -> Path | None:
    if path is not None and path.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{path}: expected a file name ending .xlsx", param_hint="'--workbook'")
    return path


def _precheck(paths, force):
    """Check every output before any work (their suffixes differ, so no two can be the same file)."""
    for p in paths:
        check_output(p, force)


def _check_grid(a, axes, backend: str) -> None:
    """Refuse a grid too big for this machine (memory, and time when run here) before it is built."""
    points = int(np.prod([ax.steps for ax in axes], dtype=float))
    what = f"--grid {' x '.join(str(ax.steps) for ax in axes)} = {points:,} points"
    cost = sweep_cost(1, len(a.options), a.months)
    kept = "use fewer steps (every point's results are kept in this process)"
    if backend == "dask":  # the cluster costs the points; this process still holds the grid and its results
        check_work(what, points, (cost[0], 0.0), memory_budget(), kept)
    else:
        check_work(what, points, cost, memory_budget(), kept,
                   cluster_hint="--backend dask --scheduler ADDRESS costs the points on a cluster")


output_options = [
    click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Output format (default: table, or from --output's suffix)."),
    click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout."),
    click.option("--force", is_flag=True, help="Overwrite existing output files."),
    click.option("--workbook", type=click.Path(path_type=Path), default=None, callback=lambda ctx, param, p: _xlsx(p),
                 help="Also write the live workbook with these results as a clearly labelled VALUE sheet (.xlsx)."),
]


def with_outputs(f):
    for opt in reversed(output_options):
        f = opt(f)
    return f


@click.command()
@assumption_options
@click.option("--grid", "grids", multiple=True, required=True, metavar="KEY=START:STOP:STEPS",
              help="A lever and STEPS evenly spaced values from START to STOP; repeat for a cartesian grid.")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", default=None, metavar="ADDRESS", help="An existing Dask scheduler (with --backend dask).")
@click.option("--chunk-size", type=click.IntRange(1, 10**7), default=4096, show_default=True,
              help="Grid points per engine pass (memory); never changes the results.")
@with_outputs
def sweep(assumptions_dir, scenario, sets, grids, backend, scheduler, chunk_size, fmt, output, force, workbook):
    """Cost every option over a grid of lever values (one vectorised pass) and say where the cheapest changes.

    \b
    Examples:
      costmodel sweep --grid options.trust.mobilisation_months=6:24:7
      costmodel sweep --grid baseline.legacy_placements.count=10:60:11 \\
                      --grid options.trust.improvement.total=3e6:15e6:5 --output sweep.parquet
    """
    from ..scenarios import parse_grid, sweep as run_sweep
    fmt = infer_format(fmt, output)
    _precheck([output, workbook], force)
    try:
        axes = [parse_grid(g) for g in grids]
    except ValueError as e:
        raise CostmodelError(str(e)) from None
    if scheduler and backend != "dask":
        raise CostmodelError("--scheduler needs --backend dask")
    a = load_assumptions(assumptions_dir, scenario, sets)
    _check_grid(a, axes, backend)
    if backend == "dask":
        from ..backends.dask_cluster import dask_map
        try:
            with dask_map(scheduler) as mapper:
                s = run_sweep(a, axes, chunk_size, mapper)
        except OSError as e:
            raise CostmodelError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None
    else:
        from ..montecarlo import local_map
        s = run_sweep(a, axes, chunk_size, local_map())
    rows = {k: np.repeat(s.grid[:, j], len(s.options)) for j, k in enumerate(s.keys)}
    S, O = s.present_value.shape
    df = pd.DataFrame({**rows, "option": np.tile(np.array(s.options, dtype=object), S),
                       "present_value": s.present_value.reshape(-1), "npc_vs_do_minimum": s.npc_vs_do_minimum.reshape(-1),
                       "cheapest": (np.repeat(s.cheapest, O) == np.tile(np.array(s.options, dtype=object), S))})
    changes = s.changes()
    notes = ["Where the cheapest option changes:"] + [f"  {c}" for c in changes] if changes else \
        [f"The cheapest option is {s.cheapest[0]} at every grid point." if len(set(s.cheapest)) == 1 else ""]
    _frame_out(df, fmt, output, force, {"keys": list(s.keys), "unit": f"GBP real {a.price_base_year}",
                                        "cheapest_changes": changes, "notes": notes})
    if fmt != "table":
        for n in notes:
            click.echo(n, err=True)
    from ..workbook.value_sheets import add_sweep
    _workbook(workbook, force, a, lambda wb, cmd, fp: add_sweep(wb, s, cmd, fp))


@click.command()
@assumption_options
@click.option("--option", "option", required=True, help="The option whose NPC is shown.")
@click.option("--against", default="do_minimum", show_default=True, help="The comparator option.")
@click.option("--chart", type=click.Path(path_type=Path), default=None, help="Tornado chart (.png or .svg).")
@with_outputs
def tornado(assumptions_dir, scenario, sets, option, against, chart, fmt, output, force, workbook):
    """Each lever at its low and its high, the others central: the swing in NPC, widest first.

    \b
    Examples:
      costmodel tornado --option trust
      costmodel tornado --option trust --against in_house --chart tornado.svg
    """
    from ..sensitivity import tornado as run_tornado
    fmt = infer_format(fmt, output)
    _precheck([output, chart, workbook], force)
    a = load_assumptions(assumptions_dir, scenario, sets)
    t = run_tornado(a, option, against)
    df = pd.DataFrame([{"key": b.key, "label": b.label, "unit": b.unit, "low": b.low, "high": b.high,
                        "npc_at_low": b.npc_at_low, "npc_at_high": b.npc_at_high, "swing": b.swing} for b in t.bars])
    notes = [f"NPC of {option} against {against} at central values: £{t.central_npc:,.0f} (GBP real {a.price_base_year}; "
             "negative: cheaper)"]
    _frame_out(df, fmt, output, force, {"option": option, "against": against, "central_npc": t.central_npc,
                                        "unit": f"GBP real {a.price_base_year}", "notes": notes})
    from ..render.charts import tornado_chart
    _chart(chart, force, lambda f: tornado_chart(t, f))
    from ..workbook.value_sheets import add_tornado
    _workbook(workbook, force, a, lambda wb, cmd, fp: add_tornado(wb, t, cmd, fp))


@click.command()
@assumption_options
@click.argument("key", required=False)
@click.option("--between", nargs=2, required=True, metavar="A B", help="The two options whose NPC should be equal.")
@click.option("--all", "all_levers", is_flag=True, help="Every ranged lever that bears on A or B.")
@with_outputs
def switching(assumptions_dir, scenario, sets, key, between, all_levers, fmt, output, force, workbook):
    """The value of a lever at which two options cost the same (NPC equal): Goal Seek done properly.

    Searches the lever's low-high range; if the options do not cross there, the catalogue's bounds
    (0 to 10 x high where unbounded) and says so.

    \b
    Examples:
      costmodel switching baseline.legacy_placements.count --between trust do_minimum
      costmodel switching --all --between executive_leadership in_house --format csv
    """
    from ..sensitivity import switching_levers, switching_value
    if bool(key) == bool(all_levers):
        raise CostmodelError("give one lever KEY or --all")
    fmt = infer_format(fmt, output)
    _precheck([output, workbook], force)
    a = load_assumptions(assumptions_dir, scenario, sets)
    A, B = between
    from ..sensitivity import check_two_options
    check_two_options(a, A, B)
    keys = switching_levers(a, A, B) if all_levers else [key]
    results = [switching_value(a, k, A, B) for k in keys]
    check_finite([(r.central, r.plausible, r.searched, r.values, r.difference_at) for r in results], "the switching values")
    rows, notes = [], []
    for r in results:
        lo, hi = r.searched
        if not r.values:
            rows.append({"key": r.key, "central": r.central, "low": r.plausible[0], "high": r.plausible[1],
                         "switching_value": None, "inside_low_high": None, "searched_from": lo, "searched_to": hi})
            notes.append(f"{r.key}: {A} and {B} never cross between {lo:g} and {hi:g}" + (
                f" (NPC({A}) - NPC({B}) goes from £{r.difference_at[0]:,.0f} to £{r.difference_at[1]:,.0f})"
                if r.difference_at else " (a single value: nothing to search)"))
        for x, inside in zip(r.values, r.inside_plausible):
            rows.append({"key": r.key, "central": r.central, "low": r.plausible[0], "high": r.plausible[1],
                         "switching_value": x, "inside_low_high": inside, "searched_from": lo, "searched_to": hi})
            notes.append(f"{r.key}: {A} and {B} cost the same at {x:,.6g}"
                         + ("" if inside else f" (outside the plausible range {r.plausible[0]:g}-{r.plausible[1]:g})"))
    df = pd.DataFrame(rows)
    _frame_out(df, fmt, output, force, {"between": [A, B], "notes": notes}, nullable=("switching_value", "inside_low_high"))
    if fmt != "table" and not all_levers:
        for n in notes:
            click.echo(n, err=True)
    from ..workbook.value_sheets import add_switching
    _workbook(workbook, force, a, lambda wb, cmd, fp: add_switching(wb, results, cmd, fp))
