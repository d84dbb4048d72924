"""``costmodel backtest``: what improvement cost the councils that did it, held against the assumptions."""
from __future__ import annotations

import io
import sys
from pathlib import Path

import click

from ..errors import CostmodelError
from .common import assumption_options, check_output, infer_format, load_assumptions, write_output

CHARTS = {"event_study": "backtest_event_study", "paths": "backtest_paths", "time_to_improve": "backtest_time_to_improve"}


def _chart_paths(folder: Path | None, fmt: str) -> dict[str, Path]:
    """The chart files in ``folder`` (created if missing)."""
    if folder is None:
        return {}
    folder.mkdir(parents=True, exist_ok=True)
    return {k: folder / f"{name}.{fmt}" for k, name in CHARTS.items()}


def _write_charts(paths: dict[str, Path], b, a, fmt: str, force: bool) -> None:
    from ..evidence.against_model import safe_service_months
    from ..render import backtest_charts as ch
    months = safe_service_months(a)
    makers = {"event_study": lambda: ch.event_study_chart(b, fmt=fmt), "paths": lambda: ch.paths_chart(b, fmt=fmt),
              "time_to_improve": lambda: ch.survival_chart(b, months, fmt=fmt)}
    for key, path in paths.items():
        write_output(makers[key](), path, force)


def _workbook(path: Path | None, force: bool, a, b, held) -> None:
    if path is None:
        return
    from ..workbook.build import build_workbook, save_workbook
    from ..workbook.value_backtest import add_backtest
    wb = build_workbook(a)
    add_backtest(wb, b, held, " ".join(["costmodel", *sys.argv[1:]]), a.fingerprint())
    save_workbook(wb, path, force)
    click.echo(f"Wrote {path}", err=True)


@click.command()
@assumption_options
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "parquet"]), default=None,
              help="table (default), or tidy csv / parquet (one row per figure), or json (every table).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option("--charts", "charts_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also write the three charts (event study, paths, time to improve) into this folder.")
@click.option("--chart-format", type=click.Choice(["png", "svg"]), default="png", show_default=True)
@click.option("--workbook", type=click.Path(path_type=Path), default=None,
              help="Also write the live workbook with the back-test as a clearly labelled VALUE sheet (.xlsx).")
def backtest(assumptions_dir, scenario, sets, fmt, output, force, charts_dir, chart_format, workbook):
    """What improvement cost the councils judged inadequate that improved (published outturn), beside the assumptions.

    From the packaged DfE and Ofsted statistics: who was judged inadequate (2018 to March 2025) and what
    followed; the extra spend of those that improved by section 251 line, against England and against
    councils never judged inadequate, with a placebo; time to an improved judgement (Kaplan-Meier); agency
    share, caseload, turnover, children looked after and unit cost before, during and after; trusts against
    comparable councils; and where each default of the assumptions falls in that outturn. Money in the
    assumptions' price base. Method and caveats: docs/backtest.md.

    \b
    Examples:
      costmodel backtest
      costmodel backtest --assumptions my_council --charts charts/
      costmodel backtest --format csv --output backtest.csv
      costmodel backtest --format json --output backtest.json --workbook backtest.xlsx
    """
    from ..evidence.against_model import hold_against
    from ..evidence.backtest import run_backtest
    fmt = infer_format(fmt, output)
    if fmt == "parquet" and output is None:
        raise CostmodelError("--format parquet needs --output PATH.parquet")
    charts = _chart_paths(charts_dir, chart_format)
    for p in [output, workbook, *charts.values()]:
        check_output(p, force)
    a = load_assumptions(assumptions_dir, scenario, sets)
    b = run_backtest(a.price_base_year)
    held = hold_against(a, b)
    write_output(_render(fmt, a, b, held, scenario), output, force)
    _write_charts(charts, b, a, chart_format, force)
    _workbook(workbook, force, a, b, held)


def _render(fmt: str, a, b, held, scenario) -> str | bytes:
    from ..evidence import output as out
    from ..evidence.scenario import scenario_values
    from ..files.council_data import ATTRIBUTION
    from ..render.backtest_tables import notes, render
    origin = f"{a.origin or 'bundled example'}" + (f", scenario {scenario}" if scenario else "")
    if fmt == "table":
        return render(b, held, origin, notes(b))
    if fmt == "json":
        from ..evidence.deflator import SOURCE
        meta = {"command": " ".join(["costmodel", *sys.argv[1:]]), "assumptions": origin,
                "fingerprint": a.fingerprint(), "data": ATTRIBUTION, "deflator": SOURCE, "notes": notes(b)}
        return out.document(b, held, scenario_values(a, b), meta)
    df = out.tidy(b, held)
    if fmt == "csv":
        from ..render.tables import frame_csv
        return frame_csv(df, nullable=tuple(df.columns))  # a missing statistic is an empty cell
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()
