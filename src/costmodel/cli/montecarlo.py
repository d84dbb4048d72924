"""``costmodel montecarlo``: how sure is the ranking? Percentiles and probabilities, each with its standard error.

Imports no pandas unless ``--draws-output`` asks for Parquet: a million draws should not wait for it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import CostmodelError
from .analysis import mapper_for
from .common import SEED, assumption_options, check_draws, check_output, infer_format, load_assumptions, write_output
from .progress import progress

METRICS = ("present_value", "npc_vs_do_minimum")
STATS = ("p5", "p50", "p95", "mean")


@click.command()
@assumption_options
@click.option("--draws", type=click.IntRange(1, 10**9), default=100_000, show_default=True,
              help="Draws (with --target-se: the first round).")
@click.option("--seed", type=SEED, default=20250401, show_default=True, help="Same seed, same results (0 to 4294967295).")
@click.option("--distribution", type=click.Choice(["pert", "triangular"]), default="pert", show_default=True)
@click.option("--qmc", is_flag=True, help="Scrambled Sobol' points instead of pseudo-random draws (randomised QMC: "
              "independent replicates of 16,384 points give the standard errors).")
@click.option("--target-se", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SE",
              help="Keep drawing whole blocks until the headline probability's standard error is below SE (e.g. 0.005).")
@click.option("--max-draws", type=click.IntRange(1, 10**9), default=10_000_000, show_default=True,
              help="The most draws --target-se may take.")
@click.option("--chart", type=click.Path(path_type=Path), default=None, help="Histogram and cumulative NPC chart (.png/.svg).")
@click.option("--draws-output", type=click.Path(path_type=Path), default=None, help="Every draw's PV and NPC (Parquet, tidy).")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this machine's cores (threads with the compiled engine; with the numpy engine, forked processes on Linux); dask: a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS", help="An existing Dask scheduler (with --backend dask).")
@click.option("--chunk-size", type=click.IntRange(1, 10**7), default=None,
              help="Draws per engine pass (memory and speed); never changes the results. "
                   "Default: 4,096 with the compiled engine, 16,384 without.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
              help="Output format (default: table, or from --output's suffix).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option("--workbook", type=click.Path(path_type=Path), default=None,
              help="Also write the live workbook with these results as a clearly labelled VALUE sheet (.xlsx).")
def montecarlo(assumptions_dir, scenario, sets, draws, seed, distribution, qmc, target_se, max_draws, chart, draws_output,
               backend, scheduler, chunk_size, fmt, output, force, workbook):
    """Draw every ranged lever (PERT or triangular on low/central/high): how sure is the ranking?

    Every percentile and probability comes with its Monte Carlo standard error (order statistics
    for percentiles, binomial for probabilities; between replicates under --qmc). Results are real
    present values, so inflation levers are held at central; structural levers and flags are held too.

    \b
    Examples:
      costmodel montecarlo --draws 1000000 --seed 1 --chart npc.png
      costmodel montecarlo --qmc --draws 262144
      costmodel montecarlo --target-se 0.001
      costmodel montecarlo --draws 200000 --backend dask --scheduler tcp://10.0.0.5:8786
    """
    from .. import montecarlo as mc
    fmt = infer_format(fmt, output)
    if fmt not in ("table", "csv", "json"):
        raise CostmodelError("montecarlo's summary is table, csv or json; use --draws-output PATH.parquet for every draw")
    if scheduler and backend != "dask":
        raise CostmodelError("--scheduler needs --backend dask")
    if draws_output is not None and draws_output.suffix.lower() != ".parquet":
        raise CostmodelError(f"{draws_output}: --draws-output must end .parquet")
    if target_se is not None and max_draws < draws:
        raise CostmodelError(f"--max-draws {max_draws} is below --draws {draws}")
    if chart is not None:
        from ..render.charts import chart_format
        try:
            chart_format(chart)
        except ValueError as e:
            raise CostmodelError(str(e)) from None
    for p in (output, chart, draws_output, workbook):
        check_output(p, force)
    a = load_assumptions(assumptions_dir, scenario, sets)
    check_draws(a, max_draws if target_se else draws, backend=backend)
    plan = mc.plan(a, draws, seed, distribution, mc.MC_CHUNK if chunk_size is None else chunk_size, qmc)
    with mapper_for(backend, scheduler, processes=mc.PROCESSES) as mapper, progress(max_draws if target_se else draws) as advance:
        result = mc.to_target(plan, target_se, max_draws, mapper, advance) if target_se else mc.montecarlo(plan, mapper, advance)
    rows, obj, notes = summary_rows(result, a.price_base_year, target_se)
    if fmt == "json":
        write_output(json.dumps(obj, indent=2, allow_nan=False) + "\n", output, force)
    else:
        from ..render.records import render_records
        shown = rows if fmt == "csv" else [r for r in rows if r["metric"] in METRICS]  # the table's notes give the probabilities
        write_output(render_records(shown, fmt, notes, money=STATS + tuple(f"{s}_se" for s in STATS)), output, force)
        if fmt != "table":
            for n in notes:
                click.echo(n, err=True)
    if draws_output is not None:
        write_draws(result, draws_output, force)
    if chart is not None:
        from ..render.charts import chart_format, distribution_chart
        write_output(distribution_chart(result.npc_vs_do_minimum, result.options, chart_format(chart)), chart, force)
    if workbook is not None:
        from ..workbook.build import build_workbook, save_workbook
        from ..workbook.value_sheets import add_monte_carlo
        wb = build_workbook(a)
        add_monte_carlo(wb, result, " ".join(["costmodel", *sys.argv[1:]]), a.fingerprint())
        save_workbook(wb, workbook, force)
        click.echo(f"Wrote {workbook}", err=True)


def summary_rows(result, price_base_year: int, target_se: float | None) -> tuple[list[dict], dict, list[str]]:
    """Rows (option × metric: percentiles and mean, each with its standard error; then the probabilities), JSON, notes."""
    from ..montecarlo import headline
    p = result.plan
    rows = []
    for o, s in result.summary.items():
        se = s["standard_error"]
        for metric in METRICS:
            rows.append({"option": o, "metric": metric, **{k: s[metric][k] for k in STATS},
                         **{f"{k}_se": se[metric][k] for k in STATS}})
        for metric in ("probability_cheapest", "probability_npc_vs_do_minimum_negative"):
            if s[metric] is not None:
                rows.append({"option": o, "metric": metric, **{k: None for k in STATS[:3]}, "mean": s[metric],
                             **{f"{k}_se": None for k in STATS[:3]}, "mean_se": se[metric]})
    best, prob, prob_se = headline(result.summary)
    method = ("scrambled Sobol' points (randomised QMC), standard errors between replicates" if p.qmc else
              "pseudo-random draws; standard errors: binomial (probabilities), s/sqrt(N) (means), order statistics (percentiles)")
    notes = [f"{p.draws:,} draws, seed {p.seed}, {p.distribution}{', QMC' if p.qmc else ''}; {len(p.drawn)} levers drawn"
             + (f"; held at central: {', '.join(p.held)}" if p.held else "")
             + ("; correlations from scenarios.yaml (Gaussian copula)" if p.correlation is not None else "")]
    notes += [f"P({o} cheapest) = {s['probability_cheapest']:.4f} ± {_se(s['standard_error']['probability_cheapest'])}"
              + ("" if s["probability_npc_vs_do_minimum_negative"] is None else
                 f"; P(NPC vs business as usual < 0) = {s['probability_npc_vs_do_minimum_negative']:.4f} ± "
                 f"{_se(s['standard_error']['probability_npc_vs_do_minimum_negative'])}") for o, s in result.summary.items()]
    notes.append(f"Headline: {best} is cheapest in {prob:.2%} of draws, standard error {_se(prob_se, pct=True)}"
                 + ("" if target_se is None else f" (target {target_se:g}: " + ("met)" if prob_se is not None and prob_se < target_se
                                                                                   else "not met within --max-draws)")))
    notes.append(f"Method: {method}.")
    obj = {"draws": p.draws, "seed": p.seed, "distribution": p.distribution, "qmc": p.qmc, "unit": f"GBP real {price_base_year}",
           "levers_drawn": [d.key for d in p.drawn], "held_at_central": list(p.held), "method": method,
           "headline": {"option": best, "probability_cheapest": prob, "standard_error": prob_se, "target_se": target_se},
           "summary": result.summary}
    return rows, obj, notes


def _se(x, pct: bool = False) -> str:
    if x is None:
        return "n/a (too few QMC replicates)"
    return f"{x:.2%}" if pct else f"{x:.4f}"


def write_draws(result, path: Path, force: bool) -> None:
    """Every draw's present value and NPC, one row per draw and option, as Parquet."""
    import io

    import numpy as np
    import pandas as pd
    from ..finite import check_finite
    pv, npc = result.present_value, result.npc_vs_do_minimum
    check_finite(pv, "the Monte Carlo present values")
    S, O = pv.shape
    tidy = pd.DataFrame({"draw": np.repeat(np.arange(S), O), "option": pd.Categorical(np.tile(result.options, S)),
                         "present_value": pv.reshape(-1), "npc_vs_do_minimum": npc.reshape(-1)})
    buf = io.BytesIO()
    tidy.to_parquet(buf, index=False)
    write_output(buf.getvalue(), path, force)
