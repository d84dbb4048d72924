"""The benchmark of a named council as a section of the chief executive's report (HTML, self-contained).

Input: :meth:`costmodel.evidence.benchmark.Benchmark.to_dict`. Every piece of text is HTML-escaped; every
figure cell carries ``data-measure``, ``data-geography`` and ``data-value`` (the value unrounded) so a reader's
tool or a test can check it against ``costmodel benchmark --format json``. Uses the report's stylesheet classes.
``costmodel report`` places it when the report is run for a named council.
"""
from __future__ import annotations

from html import escape

GEOGRAPHIES = ("council", "england", "region", "peer_median")


def _shown(value, pattern: str) -> str:
    return "—" if value is None else pattern.format(value)


def _cell(m: dict, geography: str) -> str:
    v = m[geography]
    attrs = f" data-measure='{escape(m['measure'])}' data-geography='{geography}' data-value='{'' if v is None else repr(v)}'"
    return f"<td class='num'{attrs}>{escape(_shown(v, m['format']))}</td>"


def _table(data: dict) -> str:
    c = data["council"]
    heads = [c["name"], "England", c["region"], "Median of peers"]
    rows = []
    for m in data["measures"]:
        rank = f"{m['rank']} of {m['of']}" if m["rank"] else "—"
        note = f"<br><span class='note'>{escape(m['note'])}</span>" if m["note"] else ""
        rows.append(f"<tr><th scope='row'>{escape(m['label'])}<br><span class='note'>{escape(m['reference'])}</span>"
                    f"{note}</th>{''.join(_cell(m, g) for g in GEOGRAPHIES)}"
                    f"<td class='num' data-measure='{escape(m['measure'])}' data-geography='rank'>{escape(rank)}</td></tr>")
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in heads)
    return (f"<table class='benchmark'><caption>{escape(c['name'])} against England, {escape(c['region'])} and "
            f"{len(data['peers']['list'])} peers ({escape(data['peers']['description'])}), each in the year of the "
            f"council's figure. Rank 1 is the lowest of the councils with a figure. {escape(data['prices'])}</caption>"
            f"<thead><tr><th scope='col'>Measure</th>{head}<th scope='col'>Rank</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _ofsted(data: dict) -> str:
    o = data["ofsted"]
    items = "".join(f"<li>{escape(i['date'])}: <strong>{escape(i['judgement'])}</strong> ({escape(i['kind'])}"
                    f"{'' if i['council_code'] == data['council']['code'] else ', ' + escape(i['council_name'])})</li>"
                    for i in o["inspections"])
    verdict = ("The history shows systemic or persistent issues." if o["systemic_or_persistent"] else
               "The history alone does not show systemic or persistent issues.")
    reasons = "".join(f"<li>{escape(r)}</li>" for r in o["reasons"])
    return (f"<h3>Ofsted judgements</h3><ul class='ofsted'>{items or '<li>No ILACS inspection in the data.</li>'}"
            f"</ul><p data-systemic='{str(o['systemic_or_persistent']).lower()}'><strong>{escape(verdict)}</strong></p>"
            f"<ul class='caveats'>{reasons}</ul>")


def benchmark_section(data: dict, section_id: str = "benchmark") -> str:
    """``<section>`` comparing the council with England, its region and its peers, then its Ofsted history."""
    c = data["council"]
    peers = "; ".join(f"{escape(p['name'])} ({escape(p['closeness'])})" for p in data["peers"]["list"])
    notes = "".join(f"<li>{escape(n)}</li>" for n in data["notes"])
    title = f"How {c['name']} compares"
    return (f"<section id='{escape(section_id)}' aria-labelledby='{escape(section_id)}-h' data-council='{escape(c['code'])}'>"
            f"<h2 id='{escape(section_id)}-h'>{escape(title)}</h2>{_table(data)}"
            f"<p class='meta'>Peers: {peers}.</p>{_ofsted(data)}"
            f"<h3>About these figures</h3><ul class='caveats'>{notes}</ul>"
            f"<p class='meta'>{escape(data['vintage'])} {escape(data['attribution'])} "
            f"<a href='{escape(data['licence_url'])}'>Open Government Licence v3.0</a>.</p></section>")
