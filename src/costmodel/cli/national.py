"""``costmodel national``: every English council's options in one run (or those selected), central and with draws."""
from __future__ import annotations

import contextlib
from pathlib import Path

import click

from .. import __version__
from ..national import CHUNK
from ..errors import CostmodelError
from ..finite import check_finite
from ..files.table_cache import keep_tables
from .common import SEED, check_output, infer_format, memory_budget, warn, write_output
from .progress import progress

FORMATS = ["table", "csv", "json", "parquet"]
OFSTED = ["inadequate", "requires_improvement", "requires-improvement", "good", "outstanding"]
#: Exit code when not one council could be costed (every name unmatched or every build failed).
NONE_COSTED = 3


@click.command()
@click.option("--region", multiple=True, metavar="REGION", help="Only councils in this region (repeatable).")
@click.option("--ofsted", multiple=True, type=click.Choice(OFSTED, case_sensitive=False),
              help="Only councils whose latest Ofsted (ILACS) judgement is this (repeatable).")
@click.option("--council", "queries", multiple=True, metavar="NAME|CODE", help="Only this council (repeatable).")
@click.option("--file", "names_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Only the councils this file lists: one name or code a line, or a CSV with a la_code/name column.")
@click.option("--draws", type=click.IntRange(0, 10**8), default=0, show_default=True,
              help="Monte Carlo draws a council (0: central figures only).")
@click.option("--seed", type=SEED, default=20250401, show_default=True, help="The seed of every council's draws.")
@click.option("--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", default=None, metavar="ADDRESS", help="An existing Dask scheduler (with --backend dask; "
              "default: a local cluster).")
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Workers of the local Dask cluster.")
@click.option("--chunk", type=click.IntRange(1, 1000), default=CHUNK, show_default=True,
              help="Councils a chunk: the step of the journal and the progress bar; never changes the results.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table, or from --output's suffix).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--html", type=click.Path(path_type=Path), default=None, help="Also write the national page (.html).")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option("--resume", is_flag=True, help="Carry on a killed run from its journal (<output>.journal).")
def national(region, ofsted, queries, names_file, draws, seed, backend, scheduler, workers, chunk, fmt, output, html,
             force, resume):
    """Every council's options at once: central present value, NPC vs business as usual and the cheapest option for
    each council, its assumptions built as `costmodel init --council` builds them; with --draws, P(cheapest) and
    P5/P50/P95 of PV and NPC with their standard errors.

    Councils whose statistics are incomplete are listed with what was filled in and how; a council that cannot be
    built is reported and the run goes on (exit code 3 when not one council could be costed).

    \b
    Examples:
      costmodel national
      costmodel national --region "North West" --ofsted inadequate --draws 20000
      costmodel national --draws 100000 --output national.parquet --resume
      costmodel national --draws 100000 --backend dask --scheduler tcp://10.0.0.5:8786 --output national.json
    """
    from ..analysis.national_run import assembled
    from ..evidence.national_councils import read_names, select
    from ..national import failed_record
    fmt = infer_format(fmt, output)
    _check(fmt, output, html, force, backend, scheduler, workers, resume)
    names = list(queries) + (read_names(names_file) if names_file else [])
    councils, unmatched = select(names, region, ofsted)
    if not councils and not unmatched:
        raise CostmodelError("no council matches the filters given (costmodel councils lists them)")
    _check_memory(draws, min(chunk, len(councils)))
    meta = _meta(draws, seed)
    journal, done = _journal(output, resume, meta, councils)
    outcome = _run(councils, draws, seed, (backend, scheduler, workers), chunk, journal, done)
    result = assembled(outcome, councils, [failed_record(f) for f in unmatched])
    if journal is not None and not result["records"]:
        journal.remove()  # nothing worth resuming
    _report(result)
    _write(result, meta, fmt, output, html, force)
    if journal is not None:
        journal.remove()


def _run(councils, draws, seed, cluster, chunk, journal, done):
    """Every council not yet done, chunk by chunk: each chunk journalled, the bar advanced (on a terminal)."""
    from ..analysis.national_run import run
    with _mapper(*cluster) as mapper, progress(len(councils), "Councils", 1) as advance:
        if advance and (done.records or done.failed):
            advance(len(done.records) + len(done.failed))

        def finished(part, group):
            if journal is not None:
                journal.save(part)
            if advance:
                advance(len(group))
        return run(councils, draws, seed, mapper, done, chunk, on_chunk=finished)


def _check(fmt, output, html, force, backend, scheduler, workers, resume) -> None:
    if scheduler and backend != "dask":
        raise CostmodelError("--scheduler needs --backend dask")
    if workers and (backend != "dask" or scheduler):
        raise CostmodelError("--workers sets the size of a local Dask cluster: use it with --backend dask, without "
                             "--scheduler")
    if fmt == "parquet" and output is None:
        raise CostmodelError("--format parquet needs --output PATH.parquet")
    if resume and output is None:
        raise CostmodelError("--resume needs --output: the journal of the run is kept beside it")
    if html is not None and html.suffix.lower() not in (".html", ".htm"):
        raise CostmodelError(f"--html {html}: expected a file name ending .html")
    for p in (output, html):
        check_output(p, force)


def _check_memory(draws: int, chunk: int) -> None:
    """Refuse draws whose present values (draws × 4 options × 8 bytes, a chunk of councils at a time) would not fit."""
    need = 3.0 * draws * 4 * 8 * max(chunk, 1)
    if need > memory_budget():
        raise CostmodelError(f"--draws {draws}: about {need / 1e9:.1f} GB for a chunk of councils, more than this run "
                             "may use (COSTMODEL_MEMORY_LIMIT): use fewer draws")


def _meta(draws: int, seed: int) -> dict:
    from ..evidence.council_init import national_defaults
    from ..files.vintage import data_vintage
    a = national_defaults()
    v = data_vintage()
    return {"costmodel_version": __version__, "currency": "GBP", "terms": "real", "price_base": a.price_base_year,
            "options": {o.key: o.label for o in a.options}, "draws": draws, "seed": seed if draws else None,
            "distribution": "pert" if draws else None, "national_defaults": a.fingerprint(),
            "data_refreshed": v.get("refreshed"), "attribution": v.get("attribution")}


def _journal(output, resume, meta, councils):
    from ..analysis.national_run import Outcome
    done = Outcome()
    if output is None:
        return None, done
    from ..files.national_journal import Journal
    settings = {**meta, "councils": [c.code for c in councils]}
    journal, parts = Journal.start(output, settings, resume)
    for part in parts:
        done.add(part)
    if parts:
        click.echo(f"Resuming: {len(done.records) + len(done.failed)} of {len(councils)} councils done "
                   f"({journal.folder})", err=True)
    return journal, done


@contextlib.contextmanager
def _mapper(backend: str, scheduler: str | None, workers: int | None):
    keep_tables()  # the Beta tables kept on disk between runs
    if backend != "dask":
        from ..montecarlo import local_map
        yield local_map()
        return
    from ..backends.dask_cluster import dask_map
    try:
        with dask_map(scheduler, workers) as mapper:
            yield mapper
    except OSError as e:
        raise CostmodelError(f"--scheduler {scheduler}: cannot reach the Dask scheduler ({e})") from None


def _write(result: dict, meta: dict, fmt: str, output, html, force) -> None:
    from ..render import national_tables as nt
    check_finite(result["records"], "the national results")  # whatever the format: never NaN or inf in a file
    if fmt == "json":
        content = nt.national_json(result, meta)
    elif fmt == "csv":
        content = nt.national_csv(result)
    elif fmt == "parquet":
        content = nt.national_parquet(result)
    else:
        content = nt.national_table(result, meta)
    write_output(content, output, force)
    if html is not None:
        from ..evidence.national_peers import DRIVERS, peer_positions
        from ..report.national_page import national_page
        positions, references = peer_positions(sorted({r["la_code"] for r in result["records"]}))
        write_output(national_page(result, meta, positions, DRIVERS, references), html, force)


def _report(result: dict) -> None:
    """Warnings on stderr: the councils not costed (whatever the format) and, when the output is not the table, how
    many have incomplete data."""
    warn(f"{f['la_name'] or f['query']} not costed: {f['reason']}" for f in result["failed"])
    gaps = {r["la_code"] for r in result["incomplete"]}
    if gaps:
        click.echo(f"Note: {len(gaps)} council(s) have incomplete data, filled as the 'incomplete' list says "
                   f"(--format json, or the table's notes)", err=True)
    if not result["records"]:
        click.echo("Error: not one council could be costed; nothing written", err=True)
        click.get_current_context().exit(NONE_COSTED)
