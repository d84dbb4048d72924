"""The national page (``costmodel national --html``): one self-contained HTML file — no external resource, inline SVG
charts, a table that sorts when a column heading is clicked (a few lines of inline JavaScript), every text escaped.

Each number cell carries its exact value in ``data-value`` (the JSON output's figure), which the sorting uses.
"""
from __future__ import annotations

from html import escape

from ..national import by_council, ranked
from ..render.text import money_m
from .national_svg import against_peers, cheapest_by_region, npc_by_option

CSS = """body{font-family:'Segoe UI',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}.sub{color:#555}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{padding:4px 6px;border-bottom:1px solid #ddd}
th{background:#f2f2f2;cursor:pointer;text-align:left;position:sticky;top:0}td.n{text-align:right;white-space:nowrap}
th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}
figure{margin:1em 0}figcaption{color:#555;font-size:.9em}li{margin:.2em 0}"""

SORT_JS = """document.querySelectorAll('table.sortable th').forEach(function(th, col){
 th.addEventListener('click', function(){
  var table = th.closest('table'), body = table.tBodies[0], rows = Array.from(body.rows);
  var up = th.getAttribute('aria-sort') !== 'ascending';
  table.querySelectorAll('th').forEach(function(h){ h.removeAttribute('aria-sort'); });
  th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
  function key(r){ var c = r.cells[col], v = c.getAttribute('data-value');
   return v === null ? c.textContent.trim().toLowerCase() : (v === '' ? Infinity : parseFloat(v)); }
  rows.sort(function(a, b){ var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (up ? 1 : -1); });
  rows.forEach(function(r){ body.appendChild(r); });
 });
});"""


def _num(value, shown: str) -> str:
    v = "" if value is None else repr(float(value))
    return f"<td class='n' data-value='{v}'>{escape(shown)}</td>"


def council_table(result: dict, meta: dict) -> str:
    """One row a council, ranked by the cheapest option's NPC vs business as usual; a column per option's NPC."""
    labels, draws = meta["options"], meta.get("draws")
    others = [k for k in labels if k != "do_minimum"]
    full = by_council(result["records"])
    head = ["Rank", "Council", "Code", "Region", "Cheapest option", "Its NPC vs BAU"]
    head += [f"NPC: {labels[k]}" for k in others] + (["P(cheapest)", "± SE"] if draws else [])
    rows = []
    for i, r in enumerate(ranked(result["records"]), 1):
        opts = full[r["la_code"]]["options"]
        cells = [_num(i, str(i)), f"<td>{escape(r['la_name'])}</td>", f"<td>{escape(r['la_code'])}</td>",
                 f"<td>{escape(r['region'])}</td>", f"<td>{escape(labels.get(r['cheapest'], r['cheapest']))}</td>",
                 _num(r["npc_vs_do_minimum"], money_m(r["npc_vs_do_minimum"]))]
        cells += [_num(opts[k]["npc_vs_do_minimum"], money_m(opts[k]["npc_vs_do_minimum"])) for k in others]
        if draws:
            p, se = r["probability_cheapest"], r["probability_cheapest_standard_error"]
            cells += [_num(p, f"{100 * p:.1f}%"), _num(se, f"{100 * se:.1f}")]
        rows.append(f"<tr data-code='{escape(r['la_code'])}'>{''.join(cells)}</tr>")
    ths = "".join(f"<th scope='col'>{escape(h)}</th>" for h in head)
    return (f"<table class='sortable' id='councils'><thead><tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table>")


def _lists(result: dict) -> str:
    out = []
    if result["incomplete"]:
        gaps: dict[str, list[str]] = {}
        for r in result["incomplete"]:
            gaps.setdefault(f"{r['la_name']} ({r['la_code']})", []).append(r["fallback"])
        items = "".join(f"<li><strong>{escape(w)}</strong>: {escape('; '.join(fs))}</li>" for w, fs in gaps.items())
        out.append(f"<h2>Incomplete data: {len(gaps)} council(s), each gap filled as said</h2><ul id='incomplete'>"
                   f"{items}</ul>")
    if result["failed"]:
        items = "".join(f"<li><strong>{escape(f['la_name'] or f['query'])}</strong>: {escape(f['reason'])}</li>"
                        for f in result["failed"])
        out.append(f"<h2>Not costed: {len(result['failed'])}</h2><ul id='failed'>{items}</ul>")
    return "".join(out)


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{escape(caption)}</figcaption></figure>"


def national_page(result: dict, meta: dict, positions: list[dict], drivers: dict[str, str],
                  references: dict[str, str]) -> str:
    """The whole page: headline, the three charts, the sortable table, incomplete data and failures."""
    labels = meta["options"]
    rows = ranked(result["records"])
    full = by_council(result["records"])
    strips = [{**r, "options": full[r["la_code"]]["options"]} for r in rows]
    names = {r["la_code"]: r["la_name"] for r in rows}
    pos = [{**p, "la_name": names[p["la_code"]]} for p in positions if p["la_code"] in names]
    fy = f"{meta['price_base']}-{(meta['price_base'] + 1) % 100:02d}"
    draws = (f"{meta['draws']:,} Monte Carlo draws a council, seed {meta['seed']}." if meta.get("draws")
             else "Central figures (no draws).")
    sub = (f"{len(rows)} councils. GBP, real terms at {fy} prices, Green Book discounting; NPC is each option's "
           f"present value minus business as usual's (negative is cheaper). {draws} Each council's baseline is built "
           "from its published statistics as costmodel init --council builds it.")
    peers_caption = "Figures: " + "; ".join(f"{drivers[d]}: {references[d]}" for d in drivers) + \
        ". Neighbours: the DfE's children's services statistical neighbours (2025 model)."
    body = [f"<h1>The national picture: every council's options</h1><p class='sub'>{escape(sub)}</p>",
            _figure(npc_by_option(strips, labels), "Each dot is a council; the black bar is the councils' median."),
            _figure(cheapest_by_region(rows, labels), "Counts of councils by the option with the lowest central "
                    "present value."),
            _figure(against_peers(pos, drivers), peers_caption),
            "<h2>Councils (click a heading to sort)</h2>", council_table(result, meta), _lists(result),
            f"<p class='sub'>{escape(str(meta.get('attribution') or ''))} costmodel {escape(meta['costmodel_version'])}"
            f"; council statistics refreshed {escape(str(meta.get('data_refreshed')))}.</p>"]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>The national picture — costmodel</title><style>{CSS}</style></head><body>{''.join(body)}"
            f"<script>{SORT_JS}</script></body></html>\n")
