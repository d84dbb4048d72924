"""The report's back-test section: what councils that improved actually spent, beside this run's assumptions.

:func:`backtest_data` gathers plain data (headline sentences, the assumptions held against the outturn,
two charts as PNG data URIs) from :mod:`costmodel.evidence`; :func:`backtest_section` renders it as one
``<section>`` of HTML. The back-test and its charts depend only on the packaged statistics and the price
base, so they are computed once per process. User text (option labels in the comparisons) is escaped.
"""
from __future__ import annotations

import base64
import functools
import math
from html import escape

from ..assumptions import Assumptions
from ..evidence.against_model import hold_against, safe_service_months
from ..evidence.backtest import run_backtest
from ..render.backtest_tables import CAVEATS, headline_sentences, value_text

SECTION_ID = "backtest"


@functools.lru_cache(maxsize=8)
def _charts(base_year: int, months: tuple[tuple[str, float], ...]) -> tuple[str, str]:
    from ..render.backtest_charts import event_study_chart, survival_chart
    b = run_backtest(base_year)
    uri = lambda png: "data:image/png;base64," + base64.b64encode(png).decode("ascii")  # noqa: E731
    return uri(event_study_chart(b)), uri(survival_chart(b, dict(months)))


def _rows(held, first_option_label: str | None) -> list[dict]:
    """One comparison per topic: the first improving option's rows, the council-wide and trust rows."""
    out = []
    for _, r in held.iterrows():
        topic = r["topic"]
        if "(" in topic and first_option_label and f"({first_option_label})" not in topic and "trust" not in topic.lower():
            continue
        out.append({"topic": topic, "key": r["key"], "default": value_text(r["default"], r["unit"]),
                    "observed": r["observed"], "councils": int(r["councils"]),
                    "median": value_text(r["median"], r["unit"]),
                    "range": f"{value_text(r['p25'], r['unit'])} to {value_text(r['p75'], r['unit'])}",
                    "percentile": None if r["percentile"] is None or math.isnan(r["percentile"]) else float(r["percentile"]),
                    "within_iqr": r["within_iqr"] if r["within_iqr"] in (True, False) else None})
    return out


def backtest_data(a: Assumptions) -> dict:
    """Everything the section shows, as plain data."""
    b = run_backtest(a.price_base_year)
    held = hold_against(a, b)
    improving = [o for o in a.options if o.improves]
    months = tuple(safe_service_months(a).items())
    spend_chart, survival_chart = _charts(a.price_base_year, months)
    return {"sentences": headline_sentences(b), "rows": _rows(held, improving[0].label if improving else None),
            "charts": {"spend": spend_chart, "survival": survival_chart}, "caveats": list(CAVEATS),
            "price_base": f"{a.price_base_year}-{(a.price_base_year + 1) % 100:02d}",
            "has_evidence_scenario": "evidence" in a.scenarios, "headline": dict(b.headline)}


def _table(rows: list[dict]) -> str:
    body = []
    for r in rows:
        flag = "" if r["within_iqr"] is None else ("in the middle half" if r["within_iqr"] else
                                                    "<span class='flag'>outside the middle half</span>")
        pct = "—" if r["percentile"] is None else f"{r['percentile']:.0f}"
        body.append(f"<tr><th scope='row'>{escape(r['topic'])}<br><code>{escape(r['key'])}</code></th>"
                    f"<td class='num'>{escape(r['default'])}</td><td>{escape(r['observed'])} ({r['councils']})</td>"
                    f"<td class='num'>{escape(r['median'])}<br><span class='note'>{escape(r['range'])}</span></td>"
                    f"<td class='num' data-key='{escape(r['key'])}' data-percentile='{pct}'>{pct}<br>{flag}</td></tr>")
    return ("<table class='assumptions backtest'><colgroup><col style='width:30%'><col style='width:12%'>"
            "<col style='width:30%'><col style='width:15%'><col style='width:13%'></colgroup><thead><tr>"
            "<th scope='col'>Assumption</th><th scope='col'>Default</th><th scope='col'>Observed (councils)</th>"
            "<th scope='col'>Median, middle half</th><th scope='col'>Percentile</th></tr></thead><tbody>"
            + "".join(body) + "</tbody></table>")


def _figure(uri: str, alt: str, caption: str) -> str:
    return (f"<figure><img src='{uri}' alt='{escape(alt)}' style='display:block;max-width:100%;height:auto'>"
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def backtest_section(d: dict) -> str:
    """The section as HTML (``<section id='backtest'>``)."""
    sentences = "".join(f"<li>{escape(s)}</li>" for s in d["sentences"])
    scenario = (" The bundled <code>evidence</code> scenario runs the comparison with these outturn values "
                "(<code>costmodel compare --scenario evidence</code>)." if d["has_evidence_scenario"] else "")
    caveats = "".join(f"<li>{escape(c)}</li>" for c in d["caveats"])
    body = (f"<p class='meta'>From the published outturn of the councils judged inadequate by Ofsted (ILACS, 2018 to "
            f"March 2025), £ at {escape(d['price_base'])} prices. The method and its limits are in docs/backtest.md.{scenario}</p>"
            f"<ul class='caveats'>{sentences}</ul>"
            f"<h3>This run's assumptions held against the outturn</h3>{_table(d['rows'])}"
            + _figure(d["charts"]["spend"], "Line chart: extra spend by year from the inadequate judgement",
                      "Spend above each council's pre-judgement share of England's, by financial year from the judgement: "
                      "median and middle half of the councils that improved; dashed, the same method on councils never "
                      "judged inadequate (placebo).")
            + _figure(d["charts"]["survival"], "Step chart: share of councils improved by months since the judgement",
                      "Share of councils judged inadequate that had an improved judgement, by months since the judgement "
                      "(Kaplan-Meier; ticks mark councils not yet improved). Dotted: each option's month of a safe core service.")
            + f"<h3>Limits of the back-test</h3><ul class='caveats'>{caveats}</ul>")
    return (f"<section id='{SECTION_ID}' aria-labelledby='{SECTION_ID}-h' class='newpage'><h2 id='{SECTION_ID}-h'>"
            f"What councils that improved actually spent (back-test)</h2>{body}</section>")
