"""The benchmark section of the report: it renders, escapes every text, and its figures equal the benchmark data."""
import copy
from html.parser import HTMLParser

import pytest

from costmodel.evidence.benchmark import benchmark
from costmodel.report.benchmark import benchmark_section


class Cells(HTMLParser):
    """Collects every element with data-measure / data-geography and the text inside it."""

    def __init__(self):
        super().__init__()
        self.cells, self.open, self.tags = {}, None, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "data-measure" in a:
            self.open = (a["data-measure"], a["data-geography"])
            self.cells[self.open] = {"value": a.get("data-value"), "text": ""}

    def handle_endtag(self, tag):
        if tag == "td":
            self.open = None

    def handle_data(self, data):
        if self.open:
            self.cells[self.open]["text"] += data


@pytest.fixture(scope="module")
def data():
    return benchmark("Doncaster").to_dict()


def test_figures_in_the_section_equal_the_benchmark_data(data):
    p = Cells()
    p.feed(benchmark_section(data))
    for m in data["measures"]:
        for geo in ("council", "england", "region", "peer_median"):
            cell = p.cells[(m["measure"], geo)]
            assert float(cell["value"]) == m[geo]  # unrounded
            assert cell["text"] == m["format"].format(m[geo])  # as shown
        assert p.cells[(m["measure"], "rank")]["text"] == f"{m['rank']} of {m['of']}"
    assert p.cells[("agency_rate_pct", "council")]["text"] == "12.8%"


def test_the_section_names_dates_peers_ofsted_and_the_licence(data):
    html = benchmark_section(data)
    assert html.startswith("<section id='benchmark'") and html.endswith("</section>")
    for text in ("How Doncaster compares", "at 30 September 2025", "financial year 2024-25", "Rotherham (Very close)",
                 "2025-01-20: <strong>Good</strong>", "Open Government Licence v3.0",
                 "does not show systemic or persistent issues"):
        assert text in html, text


def test_every_text_is_escaped(data):
    evil = copy.deepcopy(data)
    evil["council"]["name"] = "<script>alert('x')</script> & Co"
    evil["measures"][0]["label"] = "<b>bold</b>"
    evil["measures"][0]["note"] = "\"quoted\" <i>"
    evil["peers"]["list"][0]["name"] = "<img src=x onerror=alert(1)>"
    evil["ofsted"]["reasons"] = ["<em>why</em>"]
    evil["notes"] = ["</section><script>"]
    html = benchmark_section(evil)
    for raw in ("<script>", "<b>bold", "<img", "<em>why", "</section><script>", "<i>"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in html
    p = Cells()
    p.feed(html)
    assert p.tags.count("section") == 1


def test_a_missing_figure_shows_a_dash_and_an_empty_value(data):
    d = copy.deepcopy(data)
    d["measures"][0]["council"] = None
    d["measures"][0]["rank"] = None
    p = Cells()
    p.feed(benchmark_section(d))
    cell = p.cells[(d["measures"][0]["measure"], "council")]
    assert cell == {"value": "", "text": "—"}
