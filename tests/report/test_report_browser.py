"""The report in real headless Chromium, driven over the DevTools protocol (websocket-client).

A screenshot is taken and must not be blank, the page must log no console errors or exceptions,
the figures the browser renders must equal compare()'s, nothing may overflow an A4-wide window,
and the PDF must be A4. Skipped only when Chromium is missing (CI installs it with apt-get).
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from costmodel.cli import main
from costmodel.cli.common import load_assumptions
from costmodel.comparison import compare

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)")]
websocket = pytest.importorskip("websocket", reason="needs websocket-client (pip install -e .[test])")
Image = pytest.importorskip("PIL.Image", reason="needs pillow (pip install -e .[test])")
ImageStat = pytest.importorskip("PIL.ImageStat", reason="needs pillow (pip install -e .[test])")


class Browser:
    """Headless Chromium with one page, spoken to over the DevTools protocol."""

    def __init__(self, width=1100, height=900):
        self.profile = tempfile.mkdtemp(prefix=f".costmodel-tmp-{os.getpid()}-cdp-")  # settled like costmodel's own
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--disable-extensions", f"--user-data-dir={self.profile}",
             "--remote-debugging-port=0", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)  # its own group
        port = None
        deadline = time.time() + 30
        while time.time() < deadline and port is None:
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = m and m.group(1)
        assert port, "Chromium did not start its DevTools endpoint"
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(p for p in pages if p["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id, self.events = 0, []
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(e.get("method") == method for e in self.events):
                return
            self.events.append(json.loads(self.ws.recv()))
        raise AssertionError(f"no {method} within {timeout}s")

    def open(self, path: Path):
        self.events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")

    def errors(self):
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(p)
            elif m == "Runtime.exceptionThrown" or (m == "Log.entryAdded" and p["entry"]["level"] == "error"):
                out.append(p)
        return out

    def screenshot(self) -> bytes:
        r = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        return base64.b64decode(r["data"])

    def close(self):
        try:
            self.ws.close()
        finally:  # Chromium's helper processes share its process group: end them all, then remove the profile
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=20)
            except ProcessLookupError:  # already gone
                self.proc.wait(timeout=20)
            finally:
                shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    res = CliRunner().invoke(main, ["report", "--draws", "500", "--output", str(out)])
    assert res.exit_code == 0, res.output
    return out


def test_renders_without_console_errors_and_is_not_blank(browser, report, tmp_path):
    browser.open(report)
    assert browser.errors() == []
    png = browser.screenshot()
    (tmp_path / "report.png").write_bytes(png)
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.height > 2000  # the whole page, not one viewport
    variance = ImageStat.Stat(img).var[0]
    assert variance > 200, f"screenshot looks blank (variance {variance:.0f})"
    hist = img.histogram()
    assert sum(hist[:128]) > 0.02 * img.width * img.height  # text and bars, not a white page


def test_rendered_figures_equal_compare(browser, report):
    browser.open(report)
    cells = browser.js("""Array.from(document.querySelectorAll('td[data-field="present_value"], td[data-field="npc_vs_do_minimum"]'))
        .map(td => [td.dataset.option, td.dataset.field, td.dataset.value, td.innerText.trim()])""")
    expected = compare(load_assumptions())["options"]
    assert len(cells) == 2 * len(expected)
    for option, field, value, text in cells:
        assert float(value) == pytest.approx(expected[option][field], rel=1e-12, abs=1e-6)
        if field == "present_value":
            assert text == f"£{expected[option][field] / 1e6:,.1f}m"
    head = browser.js("document.getElementById('headline').innerText")
    best = min(expected, key=lambda k: expected[k]["present_value"])
    assert head.startswith(f"{expected[best]['label']} has the lowest net present cost, "
                           f"£{expected[best]['present_value'] / 1e6:,.1f}m")


def test_structure_is_accessible(browser, report):
    browser.open(report)
    info = browser.js("""({
        h1: document.querySelectorAll('h1').length,
        h2: Array.from(document.querySelectorAll('h2')).map(h => h.innerText),
        main: document.querySelectorAll('main').length,
        svgs: Array.from(document.querySelectorAll('svg')).map(s => [s.getAttribute('role'),
              s.querySelector(':scope > title')?.textContent.length || 0, s.querySelector(':scope > desc')?.textContent.length || 0,
              s.getBoundingClientRect().width, s.getBoundingClientRect().height]),
        lang: document.documentElement.lang,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    })""")
    assert info["h1"] == 1 and info["main"] == 1 and info["lang"] == "en-GB"
    assert info["h2"][:3] == ["The answer", "The options side by side", "Annual cost by option"]
    assert len(info["svgs"]) == 4
    for role, title, desc, w, h in info["svgs"]:
        assert role == "img" and title > 10 and desc > 40 and w > 500 and h > 150
    assert info["overflow"] <= 0


def test_fits_an_a4_wide_window(report):
    b = Browser(width=794, height=1123)  # A4 at 96 dpi
    try:
        b.open(report)
        assert b.js("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        assert b.errors() == []
    finally:
        b.close()


def test_pdf_is_a4(tmp_path):
    out = tmp_path / "report.pdf"
    res = CliRunner().invoke(main, ["report", "--draws", "200", "--output", str(out)])
    assert res.exit_code == 0, res.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page boxes found"
    for w, h in boxes:  # A4 is 595.28 × 841.89 points
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2
    assert 2 <= len(boxes) <= 7  # summary page, options, annual, journey, tornado, what would change the decision, assumptions
