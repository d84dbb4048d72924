"""``costmodel report``: the chief executive's one-page report as self-contained HTML or A4 PDF."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import CostmodelError, ToolError
from ..files.table_cache import keep_tables
from .common import SEED, assumption_options, check_draws, check_output, load_assumptions, write_output
from ..report.data import DEFAULT_DRAWS, DEFAULT_SEED, chromium_path, print_pdf, report_data
from ..report.html import render_html


@click.command()
@assumption_options
@click.option("--draws", type=click.IntRange(min=0), default=DEFAULT_DRAWS, show_default=True,
              help="Monte Carlo draws for the chance each option is cheapest (the default keeps its standard error under half "
                   "a percentage point) and, from 500, what would change the decision; 0 to skip it.")
@click.option("--seed", type=SEED, default=DEFAULT_SEED, show_default=True, help="Random seed for the draws (0 to 4294967295).")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="Where to write: .html (self-contained) or .pdf (A4, printed by headless Chromium).")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option("--backtest", is_flag=True, help="Add a section holding the assumptions against published outturn "
              "(costmodel backtest).")
def report(assumptions_dir, scenario, sets, draws, seed, output, force, backtest):
    """The chief executive's report: the choice, the cost, the time and the certainty.

    \b
    Examples:
      costmodel report --output report.html
      costmodel report --output report.pdf --draws 5000 --seed 7
      costmodel report --scenario trust_mobilisation_slips --output slips.html
      costmodel report --set options.in_house.improvement.total=40000000 --output dear.html
      costmodel report --backtest --output with_outturn.html
    """
    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise CostmodelError(f"--output {output}: expected a file ending in .html or .pdf")
    check_output(output, force)
    binary = None
    if suffix == ".pdf":
        binary = chromium_path()
        if binary is None:
            raise ToolError("a PDF needs Chromium (apt-get install chromium, or set COSTMODEL_CHROMIUM to its path); "
                             "write .html instead to skip it")
    a = load_assumptions(assumptions_dir, scenario, sets)
    if draws:
        check_draws(a, draws, cluster=False)
    keep_tables()  # the Monte Carlo's Beta tables kept on disk between runs
    html = render_html(report_data(a, scenario or "central", draws, seed, backtest=backtest))
    if suffix == ".pdf":
        write_output(print_pdf(html, binary), output, force)
    else:
        write_output(html, output, force)
