"""The report's back-test section: off by default, on with --backtest; figures equal hold_against, text escaped."""
from __future__ import annotations

import re
from html import unescape

from click.testing import CliRunner

from costmodel.cli import main
from costmodel.cli.common import load_assumptions
from costmodel.evidence.against_model import hold_against
from costmodel.evidence.backtest import run_backtest
from costmodel.report.backtest import backtest_data, backtest_section
from costmodel.report.data import report_data
from costmodel.report.html import render_html


def test_off_by_default_on_with_the_option():
    a = load_assumptions()
    assert "id='backtest'" not in render_html(report_data(a, draws=0))
    html = render_html(report_data(a, draws=0, backtest=True))
    assert html.count("id='backtest'") == 1 and html.count("data:image/png;base64,") == 2
    assert "What councils that improved actually spent" in html and "compare --scenario evidence" in html


def test_percentiles_on_the_page_equal_hold_against():
    a = load_assumptions()
    held = hold_against(a, run_backtest(a.price_base_year))
    html = backtest_section(backtest_data(a))
    shown = dict(re.findall(r"data-key='([^']+)' data-percentile='([^']+)'", html))
    assert shown
    for key, pct in shown.items():
        want = held[held.key == unescape(key)].percentile.iloc[0]
        assert pct == "—" if want != want else abs(float(pct) - round(want)) < 1e-9


def test_user_text_is_escaped():
    a = load_assumptions(None, None, [])
    opt = a.option("in_house")
    from dataclasses import replace
    evil = replace(a, options=tuple(o._replace(label="<b>x</b> & co") if o is opt else o for o in a.options))
    html = backtest_section(backtest_data(evil))
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt; &amp; co" in html


def test_cli_flag(tmp_path):
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", "--backtest", "--draws", "0", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "id='backtest'" in out.read_text(encoding="utf-8")
