"""The national page in headless Chromium: no console errors, not blank, three charts, the table's figures equal
the JSON output's, the table sorts on a click, nothing loaded from elsewhere, council text escaped."""
import importlib.util
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.report.national_page import national_page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
NAMES = ["Doncaster", "Barnet", "Isles of Scilly", "Birmingham", "Cumberland", "Slough"]


def _browser_class():
    spec = importlib.util.spec_from_file_location("report_browser_for_national",
                                                  ROOT / "tests" / "report" / "test_report_browser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Browser, module.Image, module.ImageStat


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("national")
    args = ["national", *[a for n in NAMES for a in ("--council", n)], "--draws", "500",
            "--output", str(tmp / "n.json"), "--html", str(tmp / "n.html")]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return tmp / "n.html", json.loads((tmp / "n.json").read_text())


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Chromium at /usr/bin/chromium")
    pytest.importorskip("websocket")
    Browser, _, _ = _browser_class()
    b = Browser(width=1100, height=900)
    yield b
    b.close()


def test_page_in_chromium(browser, page):
    path, data = page
    Browser, Image, ImageStat = _browser_class()
    browser.open(path)
    assert browser.errors() == []
    img = Image.open(io.BytesIO(browser.screenshot())).convert("L")
    assert ImageStat.Stat(img).var[0] > 200, "the page looks blank"
    svgs = browser.js("Array.from(document.querySelectorAll('svg')).map(s => [s.id, "
                      "s.querySelector(':scope > title').textContent, s.getBoundingClientRect().height])")
    assert [s[0] for s in svgs] == ["national-npc", "national-regions", "national-peers"]
    assert all(s[2] > 100 for s in svgs)
    assert browser.js("document.querySelectorAll('[src], link, [href]').length") == 0

    cells = browser.js("""Array.from(document.querySelectorAll('#councils tbody tr')).map(r =>
        [r.dataset.code, Array.from(r.cells).map(c => c.getAttribute('data-value'))])""")
    heads = browser.js("Array.from(document.querySelectorAll('#councils th')).map(h => h.innerText)")
    npc = {(r["la_code"], r["option"]): r["value"] for r in data["records"] if r["statistic"] == "npc_vs_do_minimum"}
    pc = {(r["la_code"], r["option"]): r["value"] for r in data["records"] if r["statistic"] == "probability_cheapest"}
    labels = data["options"]
    assert len(cells) == len(NAMES)
    for code, values in cells:
        for k in ("in_house", "executive_leadership", "trust"):
            assert float(values[heads.index(f"NPC: {labels[k]}")]) == npc[(code, k)]
        best = next(r["option"] for r in data["records"] if r["la_code"] == code and r["statistic"] == "cheapest"
                    and r["value"] == 1.0)
        assert float(values[heads.index("P(cheapest)")]) == pc[(code, best)]
        assert float(values[heads.index("Its NPC vs BAU")]) == npc[(code, best)]

    def column(name):
        i = heads.index(name)
        return browser.js(f"Array.from(document.querySelectorAll('#councils tbody tr')).map(r => r.cells[{i}].innerText)")
    browser.js("document.querySelectorAll('#councils th')[1].click()")
    assert column("Council") == sorted(column("Council"))
    browser.js("document.querySelectorAll('#councils th')[1].click()")
    assert column("Council") == sorted(column("Council"), reverse=True)
    i = heads.index("NPC: Children's services trust")
    browser.js(f"document.querySelectorAll('#councils th')[{i}].click()")
    got = browser.js(f"Array.from(document.querySelectorAll('#councils tbody tr')).map(r => "
                     f"parseFloat(r.cells[{i}].getAttribute('data-value')))")
    assert got == sorted(got)
    assert browser.errors() == []


def test_council_text_is_escaped():
    rec = {"la_code": "E1", "la_name": "<script>alert(1)</script>", "region": "A & B"}
    records = [{**rec, "option": o, "statistic": s, "unit": "GBP", "value": v}
               for o, pv in (("do_minimum", 10.0), ("in_house", 8.0))
               for s, v in (("present_value", pv), ("npc_vs_do_minimum", pv - 10.0), ("cheapest", float(o == "in_house")))]
    meta = {"options": {"do_minimum": "BAU", "in_house": "In <house>"}, "draws": 0, "price_base": 2025,
            "costmodel_version": "x", "attribution": "OGL"}
    html = national_page({"records": records, "incomplete": [{**rec, "fallback": "<b>x</b>"}], "failed": []}, meta,
                         [], {}, {})
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "In &lt;house&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html and "A &amp; B" in html
