"""``costmodel voi | sobol | discover``: what would change the decision (value of information, Sobol, PRIM)."""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from ..errors import CostmodelError
from ..files.table_cache import keep_tables
from ..native import kernel
from .common import assumption_options, check_output, infer_format, load_assumptions, write_output
from .progress import progress

FORMATS = ["table", "csv", "json"]


def analysis_options(draws: int):
    """``--draws``, ``--seed``, ``--format``, ``--output``, ``--force``, ``--chart``, ``--workbook``, ``--backend``, ``--scheduler``."""
    def wrap(f):
        for opt in reversed([
            click.option("--draws", type=click.IntRange(100, 10**8), default=draws, show_default=True, help="Monte Carlo draws."),
            click.option("--seed", type=int, default=20250401, show_default=True, help="Same seed, same results."),
            click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                         help="Output format (default: table, or from --output's suffix)."),
            click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout."),
            click.option("--force", is_flag=True, help="Overwrite existing output files."),
            click.option("--chart", type=click.Path(path_type=Path), default=None, help="Chart (.png or .svg)."),
            click.option("--workbook", type=click.Path(path_type=Path), default=None,
                         help="Also write the live workbook with these results as a VALUE sheet with a chart (.xlsx)."),
            click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                         help="Where the model runs: this machine's threads or a Dask cluster (same results)."),
            click.option("--scheduler", default=None, metavar="ADDRESS", help="An existing Dask scheduler (with --backend dask)."),
        ]):
            f = opt(f)
        return assumption_options(f)
    return wrap


def precheck(fmt, output, force, chart, workbook, backend, scheduler) -> str:
    """Refuse bad options and paths before any work; the format to write."""
    fmt = infer_format(fmt, output)
    if fmt not in FORMATS:
        raise CostmodelError(f"--format {fmt}: this command writes table, csv or json")
    if scheduler and backend != "dask":
        raise CostmodelError("--scheduler needs --backend dask")
    if chart is not None:
        from ..render.charts import chart_format
        try:
            chart_format(chart)
        except ValueError as e:
            raise CostmodelError(str(e)) from None
    if workbook is not None and workbook.suffix.lower() != ".xlsx":
        raise CostmodelError(f"--workbook {workbook}: expected a file ending in .xlsx")
    for p in (output, chart, workbook):
        check_output(p, force)
    return fmt


@contextlib.contextmanager
def mapper_for(backend: str, scheduler: str | None, processes: bool = False):
    """The block mapper: None (local threads), forked local processes (``processes``), or a Dask cluster's.

    Locally, the allocator first keeps the memory numpy frees (:mod:`costmodel.native`'s ``memory`` kernel, glibc):
    the passes' temporaries are then not fresh pages each time (a quarter of a CPU-second of page faults a million
    draws). The Beta tables this process builds are kept on disk for the next run (:mod:`costmodel.files.table_cache`)."""
    keep_tables()
    if backend != "dask":
        memory = kernel("memory")
        if memory is not None:
            memory.keep_freed_memory()
        if processes:
            from ..backends.processes import process_map
            yield process_map()
        else:
            yield None
        return
    from ..backends.dask_cluster import dask_map
    try:
        with dask_map(scheduler) as mapper:
            yield mapper
    except OSError as e:
        raise CostmodelError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None


def finish(a, text: str, fmt: str, output, force, notes, chart, make_chart, workbook, add_sheet) -> None:
    """Write the result, echo the sentences on stderr when the output is not a table, then the chart and workbook."""
    write_output(text, output, force)
    if fmt != "table":
        for n in notes:
            click.echo(n, err=True)
    if chart is not None:
        from ..render.charts import chart_format
        write_output(make_chart(chart_format(chart)), chart, force)
    if workbook is not None:
        from ..workbook.build import build_workbook, save_workbook
        wb = build_workbook(a)
        add_sheet(wb, " ".join(["costmodel", *sys.argv[1:]]), a.fingerprint())
        save_workbook(wb, workbook, force)
        click.echo(f"Wrote {workbook}", err=True)


def option_labels(a) -> dict[str, str]:
    return {o.key: o.label for o in a.options}


@click.command()
@analysis_options(draws=100_000)
@click.option("--lever", "levers", multiple=True, metavar="KEY", help="Only this lever's EVPPI (repeatable; default: every drawn lever).")
@click.option("--group", "groups", multiple=True, metavar="NAME", help="Only this group's EVPPI (repeatable; default: every group in scenarios.yaml).")
def voi(assumptions_dir, scenario, sets, draws, seed, fmt, output, force, chart, workbook, backend, scheduler, levers, groups):
    """Value of information: what resolving each uncertainty before deciding is worth, in pounds.

    EVPI (every uncertainty), EVPPI of each lever and each group declared in scenarios.yaml
    (regression method of Strong, Oakley & Brennan 2014, with standard errors) and each option's
    expected opportunity loss, from one Monte Carlo run.

    \b
    Examples:
      costmodel voi
      costmodel voi --group legacy_placements --group workforce --chart voi.png
      costmodel voi --draws 200000 --format json --output voi.json --workbook voi.xlsx
    """
    from ..analysis.blas import one_blas_thread
    from ..report.data import lever_label
    from ..voi import value_of_information
    fmt = precheck(fmt, output, force, chart, workbook, backend, scheduler)
    a = load_assumptions(assumptions_dir, scenario, sets)
    with mapper_for(backend, scheduler) as mapper, progress(draws) as advance, one_blas_thread():
        v = value_of_information(a, draws, seed, mapper, levers, groups, advance, lambda k: lever_label(a, k))
    from ..analysis.words import voi_sentences
    from ..render.records import render_records
    notes = voi_sentences(v, option_labels(a))
    rows = voi_rows(v, option_labels(a))
    obj = {"unit": f"GBP real {a.price_base_year}, present value", "draws": v.draws, "seed": v.seed, "chosen_option": v.chosen,
           "method": "EVPPI by regression (Strong, Oakley & Brennan 2014); standard errors by batch means",
           "sentences": notes}
    text = render_records(rows, fmt, notes, obj, money=("value", "standard_error"),
                          shown=("measure", "label", "value", "standard_error", "r_squared"))
    from ..render.value_charts import evppi_chart
    from ..workbook.value_voi import add_voi
    finish(a, text, fmt, output, force, notes, chart, lambda f: evppi_chart(v, f), workbook,
           lambda wb, cmd, fp: add_voi(wb, v, option_labels(a), cmd, fp))


def voi_rows(v, labels: dict[str, str]) -> list[dict]:
    """One row per figure: the EVPI, each option's expected loss, each group's and lever's EVPPI."""
    def row(kind, key, label, e, r2=None, levers=()):
        return {"measure": kind, "key": key, "label": label, "value": e.value, "standard_error": e.standard_error,
                "r_squared": r2, "levers": list(levers)}
    rows = [row("evpi", "all", "Every uncertainty", v.evpi)]
    rows += [row("expected_loss", o, labels.get(o, o), e) for o, e in v.expected_loss.items()]
    rows += [row("evppi_group", g.key, g.label, g.evppi, g.r_squared, g.levers) for g in v.groups]
    rows += [row("evppi_lever", p.key, p.label, p.evppi, p.r_squared) for p in v.levers]
    return rows


@click.command()
@analysis_options(draws=4096)
def sobol(assumptions_dir, scenario, sets, draws, seed, fmt, output, force, chart, workbook, backend, scheduler):
    """Global sensitivity: first-order and total Sobol indices (SALib) of each option's NPC and of the leading gap.

    --draws is the number of base samples N, a power of 2; the model runs N x (factors + 2) times.
    Correlated levers count as one factor.

    \b
    Examples:
      costmodel sobol
      costmodel sobol --draws 16384 --chart sobol.png --format csv --output sobol.csv
    """
    if draws & (draws - 1):
        raise CostmodelError(f"--draws {draws}: Sobol indices need a power of 2 base samples (4096, 8192, 16384, ...)")
    fmt = precheck(fmt, output, force, chart, workbook, backend, scheduler)
    a = load_assumptions(assumptions_dir, scenario, sets)
    from ..analysis.sobol import model_runs, sobol_indices
    from ..report.data import lever_label
    with mapper_for(backend, scheduler) as mapper, progress(model_runs(a, draws), "Sobol model runs") as advance:
        s = sobol_indices(a, draws, seed, mapper, advance, lambda k: lever_label(a, k))
    from ..analysis.words import sobol_sentences
    from ..render.records import render_records
    notes = sobol_sentences(s)
    rows = [{"output": name, "factor": s.labels[i], "levers": list(s.factors[i]), "first_order": float(o["first"][i]),
             "first_order_conf": float(o["first_conf"][i]), "total": float(o["total"][i]), "total_conf": float(o["total_conf"][i])}
            for name, o in s.outputs.items() for i in sorted(range(len(s.factors)), key=lambda i: -o["total"][i])]
    obj = {"base_samples": s.base_samples, "model_runs": s.runs, "seed": s.seed, "leading_options": list(s.leading),
           "outputs": s.output_labels, "method": "Saltelli 2010 estimators (SALib), 95% bootstrap intervals", "sentences": notes}
    text = render_records(rows, fmt, notes, obj, shown=("output", "factor", "first_order", "first_order_conf", "total", "total_conf"))
    from ..render.value_charts import sobol_chart
    from ..workbook.value_voi import add_sobol
    finish(a, text, fmt, output, force, notes, chart, lambda f: sobol_chart(s, f), workbook,
           lambda wb, cmd, fp: add_sobol(wb, s, cmd, fp))


@click.command()
@analysis_options(draws=20_000)
@click.option("--option", "option", required=True, help="The option whose winning region is sought.")
def discover(assumptions_dir, scenario, sets, draws, seed, fmt, output, force, chart, workbook, backend, scheduler, option):
    """Scenario discovery: the lever ranges in which an option is cheapest (PRIM), with coverage and density.

    \b
    Examples:
      costmodel discover --option in_house
      costmodel discover --option trust --draws 50000 --chart trust_box.png
    """
    fmt = precheck(fmt, output, force, chart, workbook, backend, scheduler)
    a = load_assumptions(assumptions_dir, scenario, sets)
    from ..analysis.discovery import check_option, discover as run_discover
    from ..report.data import lever_label
    check_option(a, option)
    with mapper_for(backend, scheduler) as mapper, progress(draws) as advance:
        d = run_discover(a, option, draws, seed, mapper, advance, lambda k: lever_label(a, k))
    from ..analysis.words import discovery_sentences
    from ..render.records import render_records
    notes = discovery_sentences(d)
    rows = [{"key": r.key, "label": r.label, "unit": r.unit, "low": r.low, "high": r.high, "box_low": r.box_low,
             "box_high": r.box_high} for r in d.restrictions]
    obj = {"option": option, "draws": d.draws, "seed": d.seed, "probability_cheapest": d.wins, "coverage": d.coverage,
           "density": d.density, "mass": d.mass, "levers_screened": d.screened,
           "method": "PRIM (EMA workbench) on Monte Carlo draws", "trajectory": d.trajectory, "sentences": notes}
    text = render_records(rows, fmt, notes, obj, shown=("label", "low", "high", "box_low", "box_high")) if rows or fmt == "json" \
        else render_records([], fmt, notes, obj) if fmt != "table" else "\n".join(notes) + "\n"
    from ..render.value_charts import discovery_chart
    from ..workbook.value_voi import add_discovery
    finish(a, text, fmt, output, force, notes, chart, lambda f: discovery_chart(d, f), workbook,
           lambda wb, cmd, fp: add_discovery(wb, d, notes, cmd, fp))
