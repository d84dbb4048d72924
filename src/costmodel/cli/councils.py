"""``costmodel councils`` and ``costmodel benchmark``: the councils the packaged statistics cover, and one
council's drivers against England, its region and its peers."""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click

from ..errors import CostmodelError
from .common import check_output, folder_option, infer_format, load_assumptions, write_output

FORMATS = ["table", "csv", "json", "parquet"]
OFSTED_CHOICES = ["outstanding", "good", "requires-improvement", "inadequate"]


def _frame_text(df, fmt: str, output: Path | None, force: bool, obj: dict | None = None) -> None:
    """A tidy frame as CSV, Parquet (``--output`` needed) or JSON (``obj`` with the rows under "rows")."""
    if fmt == "parquet":
        if output is None:
            raise CostmodelError("--format parquet needs --output PATH.parquet")
        buf = io.BytesIO()
        df.to_parquet(buf, index=False)
        write_output(buf.getvalue(), output, force)
    elif fmt == "csv":
        from ..render.tables import frame_csv
        write_output(frame_csv(df, nullable=tuple(df.columns)), output, force)  # suppressed figures are empty cells
    else:
        payload = dict(obj or {})
        payload.setdefault("rows", json.loads(df.to_json(orient="records", double_precision=15)))
        write_output(json.dumps(payload, indent=2, allow_nan=False) + "\n", output, force)


@click.command()
@click.option("--region", default=None, help="Only councils in this region (e.g. 'North West', 'yorkshire').")
@click.option("--search", "text", default=None, help="Only councils whose name or code contains TEXT.")
@click.option("--ofsted", type=click.Choice(OFSTED_CHOICES, case_sensitive=False), default=None,
              help="Only councils whose latest Ofsted (ILACS) overall judgement is this.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table, or from --output's suffix).")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
def councils(region, text, ofsted, fmt, output, force):
    """List the councils the packaged statistics cover: codes, region, latest Ofsted judgement, children in need
    and looked after, social workers, agency rate and caseload, with the date each figure refers to.

    \b
    Examples:
      costmodel councils --region "North West"
      costmodel councils --search york --format csv
      costmodel councils --ofsted inadequate --format json --output inadequate.json
    """
    from ..evidence.council_list import council_list, listing_header, references
    from ..files.vintage import data_vintage
    fmt = infer_format(fmt, output)
    check_output(output, force)
    df = council_list(region, text, ofsted.lower() if ofsted else None)
    header = listing_header()
    if fmt == "table":
        from ..render.council_tables import councils_table
        rows = df.astype(object).where(df.notna(), None).to_dict("records")
        write_output(councils_table(rows, header), output, force)
        return
    v = data_vintage()
    _frame_text(df, fmt, output, force, {"schema": "costmodel.councils/1", "references": references(),
                                         "vintage": {k: v[k] for k in ("refreshed", "sources", "snapshots")},
                                         "attribution": v["attribution"], "licence_url": v["licence_url"],
                                         "rows": json.loads(df.to_json(orient="records", double_precision=15))})
    for line in header:
        click.echo(line, err=True)


@click.command()
@click.option("--council", "query", required=True, metavar="NAME|CODE",
              help="The council: its name however spelt, its ONS code (E08000017) or DfE code (371).")
@click.option("--peers", type=click.Choice(["statistical", "nearest"]), default="statistical", show_default=True,
              help="DfE statistical neighbours, or the councils nearest on these measures.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table, or from --output's suffix); csv/parquet are tidy rows.")
@click.option("--output", type=click.Path(path_type=Path), default=None, help="Write to this file instead of stdout.")
@click.option("--chart", type=click.Path(path_type=Path), default=None, help="Also draw the history (.png or .svg).")
@click.option("--workbook", type=click.Path(path_type=Path), default=None,
              help="Also build the live workbook (from --assumptions, else the council's own baseline as costmodel init "
                   "--council writes it) with the benchmark as a VALUE sheet (.xlsx).")
@folder_option
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def benchmark(query, peers, fmt, output, chart, workbook, assumptions_dir, force):
    """A council's drivers against England, its region and its peers: agency rate, caseload, vacancy, turnover,
    children in need and looked after per 10,000, spend per child and per child looked after a week, in the
    year of the council's figure, with the history since 2017 and its Ofsted judgements.

    \b
    Examples:
      costmodel benchmark --council Doncaster
      costmodel benchmark --council "Bristol, City of" --peers nearest --chart bristol.png
      costmodel benchmark --council E06000046 --format csv --output iow.csv --workbook iow.xlsx
    """
    from ..evidence.benchmark import benchmark as run_benchmark
    fmt = infer_format(fmt, output)
    check_output(output, force)
    check_output(chart, force, (".png", ".svg"))
    check_output(workbook, force, (".xlsx",))
    b = run_benchmark(query, peers)
    data = b.to_dict()
    if fmt == "table":
        from ..render.council_tables import benchmark_table
        write_output(benchmark_table(data), output, force)
    else:
        _frame_text(b.frame(), fmt, output, force, data)
    if chart is not None:
        from ..render.benchmark_chart import benchmark_chart
        write_output(benchmark_chart(data, chart.suffix.lower().lstrip(".")), chart, force)
    if workbook is not None:
        from ..workbook.build import build_workbook, save_workbook
        from ..workbook.value_benchmark import add_benchmark
        a = load_assumptions(assumptions_dir) if assumptions_dir else _council_assumptions(query)
        wb = build_workbook(a)
        add_benchmark(wb, data, " ".join(["costmodel", *sys.argv[1:]]), a.fingerprint())
        save_workbook(wb, workbook, force)
        click.echo(f"Wrote {workbook}", err=True)


def _council_assumptions(query: str):
    """The council's own set as ``costmodel init --council`` writes it (in a temporary folder, read back)."""
    import tempfile
    from ..evidence.council_init import init_council
    with tempfile.TemporaryDirectory(prefix="costmodel-council-") as tmp:
        return init_council(query, parent=tmp)[3]
