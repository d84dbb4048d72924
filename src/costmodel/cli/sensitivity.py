"""``costmodel sweep | tornado | switching | montecarlo``: thin commands over the sensitivity core."""
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
from .common import SEED, assumption_options, check_draws, check_output, infer_format, load_assumptions, memory_budget, write_output

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


@click.command()
@assumption_options
@click.option("--draws", type=click.IntRange(1, 10**9), default=100_000, show_default=True)
@click.option("--seed", type=SEED, default=20250401, show_default=True, help="Same seed, same results (0 to 4294967295).")
@click.option("--distribution", type=click.Choice(["pert", "triangular"]), default="pert", show_default=True)
@click.option("--chart", type=click.Path(path_type=Path), default=None, help="Histogram and cumulative NPC chart (.png/.svg).")
@click.option("--draws-output", type=click.Path(path_type=Path), default=None, help="Every draw's PV and NPC (Parquet, tidy).")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", default=None, metavar="ADDRESS", help="An existing Dask scheduler (with --backend dask).")
@click.option("--chunk-size", type=click.IntRange(1, 10**7), default=65_536, show_default=True,
              help="Draws per engine pass (memory and speed); never changes the results.")
@with_outputs
def montecarlo(assumptions_dir, scenario, sets, draws, seed, distribution, chart, draws_output, backend, scheduler,
               chunk_size, fmt, output, force, workbook):
    """Draw every ranged lever (PERT or triangular on low/central/high): how sure is the ranking?

    Results are real present values, so inflation levers (which only change nominal figures) are
    held at central; structural levers and flags are held too.

    \b
    Examples:
      costmodel montecarlo --draws 1000000 --seed 1 --chart npc.png
      costmodel montecarlo --draws 200000 --backend dask --scheduler tcp://10.0.0.5:8786
    """
    from .. import montecarlo as mc
    fmt = infer_format(fmt, output)
    if fmt == "parquet":
        raise CostmodelError("montecarlo's summary is table, csv or json; use --draws-output PATH.parquet for every draw")
    if scheduler and backend != "dask":
        raise CostmodelError("--scheduler needs --backend dask")
    if draws_output is not None and draws_output.suffix.lower() != ".parquet":
        raise CostmodelError(f"{draws_output}: --draws-output must end .parquet")
    if chart is not None:
        from ..render.charts import chart_format
        try:
            chart_format(chart)
        except ValueError as e:
            raise CostmodelError(str(e)) from None
    _precheck([output, chart, draws_output, workbook], force)
    a = load_assumptions(assumptions_dir, scenario, sets)
    check_draws(a, draws, backend=backend)
    plan = mc.plan(a, draws, seed, distribution, chunk_size)
    result = _run_mc(plan, backend, scheduler)
    df, extra = _mc_summary(result, plan, fmt, a.price_base_year)
    if fmt == "json":
        write_output(json.dumps({k: v for k, v in extra.items() if k != "notes"}, indent=2, allow_nan=False) + "\n", output, force)
    else:
        _frame_out(df, fmt, output, force, extra, nullable=("p5", "p50", "p95"))
    if draws_output is not None:
        _write_draws(result, draws_output, force)
    from ..render.charts import distribution_chart
    _chart(chart, force, lambda f: distribution_chart(result.npc_vs_do_minimum, result.options, f))
    from ..workbook.value_sheets import add_monte_carlo
    _workbook(workbook, force, a, lambda wb, cmd, fp: add_monte_carlo(wb, result, cmd, fp))


def _mc_summary(result, plan, fmt: str, price_base_year: int) -> tuple[pd.DataFrame, dict]:
    """The Monte Carlo summary as a table (percentiles per option and metric) and its JSON object with notes."""
    check_finite(result.summary, "the Monte Carlo summary")
    rows = []
    for o, s in result.summary.items():
        for metric in ("present_value", "npc_vs_do_minimum"):
            rows.append({"option": o, "metric": metric, **{k: s[metric][k] for k in ("p5", "p50", "p95", "mean")}})
    df = pd.DataFrame(rows)
    probs = {o: {"cheapest": s["probability_cheapest"], "npc_vs_do_minimum_negative": s["probability_npc_vs_do_minimum_negative"]}
             for o, s in result.summary.items()}
    notes = [f"{plan.draws:,} draws, seed {plan.seed}, {plan.distribution}; {len(plan.drawn)} levers drawn"
             + (f"; held at central: {', '.join(plan.held)}" if plan.held else "")
             + ("; correlations from scenarios.yaml" if plan.correlation is not None else "")]
    notes += [f"P({o} cheapest) = {p['cheapest']:.4f}" + ("" if p["npc_vs_do_minimum_negative"] is None else
              f"; P(NPC vs business as usual < 0) = {p['npc_vs_do_minimum_negative']:.4f}") for o, p in probs.items()]
    if fmt == "csv":
        for o, p in probs.items():
            df.loc[len(df)] = {"option": o, "metric": "probability_cheapest", "p5": None, "p50": None, "p95": None, "mean": p["cheapest"]}
            if p["npc_vs_do_minimum_negative"] is not None:
                df.loc[len(df)] = {"option": o, "metric": "probability_npc_vs_do_minimum_negative", "p5": None,
                                   "p50": None, "p95": None, "mean": p["npc_vs_do_minimum_negative"]}
    extra = {"draws": plan.draws, "seed": plan.seed, "distribution": plan.distribution, "unit": f"GBP real {price_base_year}",
             "levers_drawn": [d.key for d in plan.drawn], "held_at_central": list(plan.held),
             "summary": result.summary, "notes": notes}
    return df, extra


def _write_draws(result, path: Path, force: bool) -> None:
    """Every draw's present value and NPC, one row per draw and option, as Parquet."""
    pv, npc = result.present_value, result.npc_vs_do_minimum
    check_finite(pv, "the Monte Carlo present values")
    S, O = pv.shape
    tidy = pd.DataFrame({"draw": np.repeat(np.arange(S), O), "option": pd.Categorical(np.tile(result.options, S)),
                         "present_value": pv.reshape(-1), "npc_vs_do_minimum": npc.reshape(-1)})
    buf = io.BytesIO()
    tidy.to_parquet(buf, index=False)
    write_output(buf.getvalue(), path, force)


def _run_mc(plan, backend, scheduler):
    from .. import montecarlo as mc
    with _progress(plan.draws) as on_draws:
        if backend == "dask":
            from ..backends.dask_cluster import dask_map
            try:
                with dask_map(scheduler) as mapper:
                    return mc.montecarlo(plan, mapper, on_draws)
            except OSError as e:
                raise CostmodelError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None
        return mc.montecarlo(plan, None, on_draws)


class _progress:
    """A rich progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int):
        self.total, self.bar = total, None

    def __enter__(self):
        if not sys.stderr.isatty() or self.total < 100_000:
            return None
        from rich.console import Console
        from rich.progress import Progress
        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("Monte Carlo draws", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
