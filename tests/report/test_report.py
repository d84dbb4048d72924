"""The chief executive's report: its figures equal compare()'s, its headline follows the cheapest option,
user text is escaped, the page is self-contained, and the command's errors exit 2 with one line."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.cli.common import load_assumptions
from costmodel.comparison import compare
from costmodel.report.data import format_value, report_data, tornado_data
from costmodel.render.text import money_m
from costmodel.report.svg import month_name
from costmodel.report.html import render_html

ROOT = Path(__file__).resolve().parents[2]
TRUST_CHEAPEST = ("options.trust.set_up.amount=0", "options.trust.transitional.amount=0",
                  "options.trust.mobilisation_months=0", "options.trust.improvement.total=3000000")
IN_HOUSE_CHEAPEST = ("options.executive_leadership.improvement.total=40000000",)
NOBODY_PAYS_BACK = tuple(f"options.{k}.improvement.total=60000000" for k in ("in_house", "executive_leadership", "trust"))


class Cells(HTMLParser):
    """Collects every element carrying data-field/data-value, and the headline paragraph."""

    def __init__(self):
        super().__init__()
        self.cells, self.headline, self.head_attrs, self._in_head = [], "", {}, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-field" in a:
            self.cells.append(a)
        if a.get("id") == "headline":
            self._in_head, self.head_attrs = True, a

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_head = False

    def handle_data(self, data):
        if self._in_head:
            self.headline += data


def parse(html: str) -> Cells:
    p = Cells()
    p.feed(html)
    return p


def render(*sets, draws=400, seed=1):
    a = load_assumptions(None, None, sets)
    return a, render_html(report_data(a, "central", draws, seed))


def test_every_figure_in_the_table_equals_compare():
    a, html = render()
    expected = compare(a)["options"]
    cells = parse(html).cells
    money = [c for c in cells if c.get("data-value") not in (None, "") and c["data-field"] != "safe_service_month"]
    assert len(money) == 12 * len(expected)  # 12 money rows per option
    for c in money:
        value = expected[c["data-option"]]
        for part in c["data-field"].split("."):
            value = value[part]
        assert float(c["data-value"]) == pytest.approx(value, rel=1e-12, abs=1e-6), c
    safe = {c["data-option"]: c["data-value"] for c in cells if c["data-field"] == "safe_service_month"}
    assert safe == {"do_minimum": "", "in_house": "24", "executive_leadership": "25", "trust": "36"}


def test_displayed_present_values_are_the_engine_figures_rounded_to_a_tenth_of_a_million():
    a, html = render()
    for key, o in compare(a)["options"].items():
        shown = re.search(rf"data-option='{key}' data-field='present_value' data-value='[^']*'>([^<]*)<", html).group(1)
        assert shown == f"£{o['present_value'] / 1e6:,.1f}m"


def test_headline_for_the_bundled_assumptions():
    a, html = render()
    r = compare(a)["options"]
    p = parse(html)
    best, second = sorted(r, key=lambda k: r[k]["present_value"])[:2]
    assert p.head_attrs["data-cheapest"] == best and p.head_attrs["data-runner-up"] == second
    assert p.headline.startswith(f"{r[best]['label']} has the lowest net present cost, {money_m(r[best]['present_value'], report=True)}")
    if "do_minimum" not in (best, second):
        lead = r[second]["present_value"] - r[best]["present_value"]
        runner = r[second]["label"][0].lower() + r[second]["label"][1:]
        assert f"{money_m(-r[best]['npc_vs_do_minimum'], report=True)} less than business as usual" in p.headline
        assert f"{money_m(lead, report=True)} less than the runner-up, {runner}" in p.headline
    share = float(p.head_attrs["data-probability"])
    assert f"cheapest in {share:.0%} of 400 simulated futures" in p.headline


@pytest.mark.parametrize("sets, cheapest, label", [
    (TRUST_CHEAPEST, "trust", "Children's services trust"),
    (IN_HOUSE_CHEAPEST, "in_house", "In-house improvement"),
    (NOBODY_PAYS_BACK, "do_minimum", "Business as usual"),
])
def test_headline_follows_the_cheapest_option_under_set(tmp_path, sets, cheapest, label):
    a = load_assumptions(None, None, sets)
    r = compare(a)["options"]
    assert min(r, key=lambda k: r[k]["present_value"]) == cheapest  # the override really changes the answer
    out = tmp_path / "r.html"
    args = ["report", "--draws", "200", "--output", str(out)] + [x for s in sets for x in ("--set", s)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    p = parse(out.read_text(encoding="utf-8"))
    assert p.head_attrs["data-cheapest"] == cheapest
    assert p.headline.startswith(f"{label} has the lowest net present cost, {money_m(r[cheapest]['present_value'], report=True)}")
    if cheapest == "do_minimum":
        assert "no option pays for itself" in p.headline
    assert "This run changes the assumptions" in out.read_text(encoding="utf-8")


def test_without_draws_the_certainty_is_said_to_be_not_estimated():
    _, html = render(draws=0)
    p = parse(html)
    assert "how sure we can be was not estimated" in p.headline
    assert p.head_attrs["data-probability"] == ""


def test_monte_carlo_is_reproducible_and_shares_sum_to_one():
    a = load_assumptions()
    d1, d2 = report_data(a, draws=300, seed=5), report_data(a, draws=300, seed=5)
    assert d1["shares"] == d2["shares"]
    assert sum(d1["shares"].values()) == pytest.approx(1.0)
    assert report_data(a, draws=300, seed=6)["shares"] != d1["shares"]


def test_tornado_matches_overriding_one_lever_at_a_time():
    """The vectorised tornado against the slow route: with_overrides + compare for each end of the top bars."""
    a = load_assumptions()
    t = tornado_data(a, "executive_leadership", "in_house")
    assert t["bars"][0]["swing"] >= t["bars"][-1]["swing"] > 0
    for bar in t["bars"][:4]:
        lever = a.levers[bar["key"]]
        for end, value in (("low_result", lever.low), ("high_result", lever.high)):
            r = compare(a.with_overrides([(bar["key"], value)]))["options"]
            lead = r["in_house"]["present_value"] - r["executive_leadership"]["present_value"]
            assert bar[end] == pytest.approx(lead, rel=1e-9)
    r = compare(a)["options"]
    assert t["central"] == pytest.approx(r["in_house"]["present_value"] - r["executive_leadership"]["present_value"], rel=1e-9)


def test_option_labels_are_escaped(tmp_path):
    folder = tmp_path / "a"
    shutil.copytree(ROOT / "assumptions", folder)
    text = (folder / "options.yaml").read_text(encoding="utf-8")
    text = text.replace("label: In-house improvement", "label: \"In-house <script>alert('x')</script> & co\"", 1)
    (folder / "options.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", "--assumptions", str(folder), "--draws", "50", "--output", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "In-house &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html


def test_page_is_self_contained_and_accessible():
    _, html = render()
    for fetch in ("<script", "<link", "<img", "<iframe", "url(", "@import", "src="):
        assert fetch not in html
    assert html.count("<svg") == 4
    assert html.count("role='img'") == 4 and html.count("<desc id=") == 4
    assert "<main" in html and "role=\"banner\"" in html and "role=\"contentinfo\"" in html
    assert html.count("<h1>") == 1 and html.count("<h2") == 10  # "What would change the decision" is the tenth
    for colour in ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00"):
        assert colour in html
    assert "@page { size: A4" in html
    assert "2025-26" in html and "2034-35" in html


def test_caveats_and_sources_are_shown():
    from html import unescape
    html = unescape(render()[1])
    assert "leaders' estimates, not audited outturn" in html
    assert "cannot be answered conclusively" in html
    assert "no different from in-council services once safe" in html
    assert "Enabling improvement: research into the role and models of external improvement support" in html
    assert "(2016-17 prices) → £" in html and "(2025-26 prices)" in html  # money as published and in base-year prices


def test_formatting():
    assert money_m(433_125_000, report=True) == "£433.1m"
    assert money_m(-15_400_000, report=True) == "\u2212£15.4m"
    assert money_m(590_000, report=True) == "£0.59m"
    assert money_m(2_000_000, signed=True, report=True) == "+£2.0m"
    assert month_name(2025, 24) == "Apr 2027" and month_name(2025, 9) == "Jan 2026" and month_name(2025, 36) == "Apr 2028"
    assert format_value(0.15, "fraction") == "15%" and format_value(0.035, "fraction/yr") == "3.5% a year"
    assert format_value(120000, "GBP/yr") == "£120,000 a year" and format_value(10_000_000, "GBP") == "£10.0m"
    assert format_value(12, "month") == "month 12" and format_value(2025, "year") == "2025-26"


def test_cli_errors_exit_2_with_one_line(tmp_path, monkeypatch):
    runner = CliRunner()
    res = runner.invoke(main, ["report", "--output", str(tmp_path / "r.docx")])
    assert res.exit_code == 2 and "expected a file ending in .html or .pdf" in res.output
    existing = tmp_path / "r.html"
    existing.write_text("keep me")
    res = runner.invoke(main, ["report", "--output", str(existing)])
    assert res.exit_code == 2 and "--force" in res.output and existing.read_text() == "keep me"
    monkeypatch.setenv("COSTMODEL_CHROMIUM", str(tmp_path / "no-such-chromium"))
    res = runner.invoke(main, ["report", "--output", str(tmp_path / "r.pdf")])
    assert res.exit_code == 2 and "a PDF needs Chromium" in res.output
    res = runner.invoke(main, ["report", "--output", str(tmp_path / "x.html"), "--set", "options.trust.nonsense=1"])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_certainty_equals_an_independent_count_over_the_same_draws():
    """P(cheapest) in the report against compare() run on each draw through with_overrides (the slow, validated route)."""
    sampling = pytest.importorskip("costmodel.sampling")
    pytest.importorskip("costmodel.montecarlo")
    a = load_assumptions()
    draws, seed = 24, 11
    drawn, _ = sampling.drawn_levers(a)
    x = sampling.draw_block(drawn, seed, 0, draws, "pert", sampling.correlation_matrix(a, drawn))
    wins = dict.fromkeys(a.option_keys, 0)
    for row in x:
        r = compare(a.with_overrides([(d.key, float(v)) for d, v in zip(drawn, row)]))
        wins[r["cheapest_option"]] += 1
    data = report_data(a, draws=draws, seed=seed)
    assert data["shares"] == {k: pytest.approx(n / draws) for k, n in wins.items()}
    mc = data["montecarlo"]
    for k in ("in_house", "executive_leadership", "trust"):
        assert mc["npc_p5"][k] < mc["npc_p95"][k]
    html = render_html(data)
    assert html.count("data-p5=") == 3 and "90% of simulated futures" in html


def test_fixing_a_correlated_lever_drops_only_its_correlations(tmp_path):
    """The bundled scenarios.yaml correlates the three improvement totals; --set on one must not stop the report."""
    a = load_assumptions(None, None, ("options.in_house.improvement.total=12000000",))
    declared = a.extra.get("correlations") or []
    involved = sum(1 for c in declared if "options.in_house.improvement.total" in c["levers"])
    mc = report_data(a, draws=200, seed=2)["montecarlo"]
    if involved:
        assert f"{involved} correlation(s) left out" in mc["method"]
    assert sum(mc["shares"].values()) == pytest.approx(1.0)
    out = tmp_path / "top.html"
    res = CliRunner().invoke(main, ["report", "--scenario", "improvement_top_of_range", "--draws", "200", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert "Scenario: Improvement at the top of the" in out.read_text(encoding="utf-8")


def test_costs_after_the_horizon_are_stated_on_the_page(tmp_path):
    """A 2-year horizon cuts the trust's implementation spend (months 24-35): the page must say how much."""
    from click.testing import CliRunner
    from costmodel.cli import main
    out = tmp_path / "short.html"
    result = CliRunner().invoke(main, ["report", "--draws", "0", "--set", "appraisal.horizon_years=2", "--output", str(out)])
    assert result.exit_code == 0, result.output
    full = compare(load_assumptions())["options"]["trust"]["totals"]["improvement"]
    cut = compare(load_assumptions(None, None, ["appraisal.horizon_years=2"]))["options"]["trust"]["totals"]["improvement"]
    html = out.read_text()
    assert "Not counted:" in html and f"£{full - cut:,.0f} of improvement cost falls after the 2-year horizon" in html