"""Text tables (rich) for ``costmodel councils`` and ``costmodel benchmark``: no calculation here.

Both say which date each figure refers to and end with the data's vintage and the OGL attribution.
"""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table


def _console(buf, width):
    return Console(file=buf, width=width or 160, force_terminal=False, color_system=None)


def _num(v, pattern="{:,.1f}") -> str:
    if v is None or v != v:  # None or NaN
        return "—"
    return pattern.format(v)


def councils_table(rows: list[dict], header: list[str], width: int | None = None) -> str:
    """The council listing: one row per council, the notes of any fallback below the table."""
    buf = io.StringIO()
    con = _console(buf, width)
    t = Table(title=f"{len(rows)} council{'s' if len(rows) != 1 else ''}", caption=header[0], show_lines=False)
    for c, justify in (("Code", "left"), ("DfE", "left"), ("Council", "left"), ("Region", "left"),
                       ("Ofsted (inspected)", "left"), ("Children in need", "right"), ("Looked after", "right"),
                       ("Social workers FTE", "right"), ("Agency %", "right"), ("Caseload", "right"), ("", "left")):
        t.add_column(c, justify=justify)
    notes = []
    for r in rows:
        mark = ""
        if r["note"]:
            notes.append(f"[{len(notes) + 1}] {r['name']}: {r['note']}")
            mark = f"[{len(notes)}]"
        ofsted = f"{r['ofsted_judgement']} ({r['ofsted_inspection_date']})" if r["ofsted_judgement"] else "—"
        t.add_row(r["code"], r["dfe_code"], r["name"], r["region"], ofsted, _num(r["children_in_need"], "{:,.0f}"),
                  _num(r["children_looked_after"], "{:,.0f}"), _num(r["social_worker_fte"]),
                  _num(r["agency_rate_pct"]), _num(r["caseload_per_case_holder"]), mark)
    con.print(t)
    for line in notes + header[1:]:
        con.print(line, highlight=False)
    return buf.getvalue()


def _latest_table(data: dict) -> Table:
    c = data["council"]
    peers = data["peers"]
    t = Table(title=f"{c['name']} ({c['code']}, DfE {c['dfe_code']}) against England, {c['region']} and "
                    f"{len(peers['list'])} peers", show_lines=False)
    for col, justify in (("Measure", "left"), ("Refers to", "left"), (c["name"], "right"), ("England", "right"),
                         (c["region"], "right"), ("Peer median", "right"), ("Rank (1 = lowest)", "right")):
        t.add_column(col, justify=justify)
    for m in data["measures"]:
        f = m["format"]
        rank = f"{m['rank']} of {m['of']}" if m["rank"] else "—"
        t.add_row(m["label"], m["reference"], _num(m["council"], f), _num(m["england"], f), _num(m["region"], f),
                  _num(m["peer_median"], f), rank)
    return t


def _history_table(data: dict) -> Table:
    rows = [r for r in data["rows"] if r["geography"] in ("council", "england")]
    years = sorted({r["year"] for r in rows})
    t = Table(title=f"History: {data['council']['name']} (England in brackets), by DfE reporting year", show_lines=False)
    t.add_column("Measure")
    for y in years:
        t.add_column(str(y), justify="right")
    values = {(r["measure"], r["geography"], r["year"]): r["value"] for r in rows}
    for m in data["measures"]:
        cells = []
        for y in years:
            mine, eng = values.get((m["measure"], "council", y)), values.get((m["measure"], "england", y))
            cells.append("" if mine is None and eng is None else f"{_num(mine, m['format'])} ({_num(eng, m['format'])})")
        t.add_row(m["label"], *cells)
    return t


def benchmark_table(data: dict, width: int | None = None) -> str:
    """The benchmark as text: latest year, peers, history, Ofsted, notes, vintage and attribution."""
    buf = io.StringIO()
    con = _console(buf, width or 200)
    con.print(_latest_table(data))
    peers = data["peers"]
    con.print(f"Peers ({peers['description']}): " + "; ".join(
        f"{p['rank']}. {p['name']} ({p['closeness']})" for p in peers["list"]), highlight=False)
    con.print(_history_table(data))
    o = Table(title="Ofsted inspections (ILACS)")
    for col in ("Inspection", "Published", "Type", "Overall effectiveness", "Council"):
        o.add_column(col)
    for i in data["ofsted"]["inspections"]:
        o.add_row(i["date"], i["published"], i["kind"], i["judgement"], i["council_name"])
    con.print(o)
    for line in (*data["ofsted"]["reasons"], *data["notes"], data["vintage"], data["attribution"]):
        con.print(line, highlight=False)
    return buf.getvalue()
