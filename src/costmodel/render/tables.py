"""Render comparison results as a rich table, CSV or JSON text (no calculation here)."""
from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

from ..cost_lines import CATEGORIES

ROWS = (
    ("Set-up", ("totals", "set_up"), "money"),
    ("Transitional", ("totals", "transitional"), "money"),
    ("Improvement", ("totals", "improvement"), "money"),
    ("One-off costs", ("totals", "one_off"), "money"),
    ("Recurring", ("totals", "recurring"), "money"),
    ("Legacy placements", ("totals", "legacy"), "money"),
    ("Savings", ("totals", "saving"), "money"),
    ("Total cost", ("totals", "total"), "money"),
    ("Present value", ("present_value",), "money"),
    ("NPC vs business as usual", ("npc_vs_do_minimum",), "money"),
    ("NPC vs in-house", ("npc_vs_in_house",), "money"),
    ("Equivalent annual cost", ("equivalent_annual_cost",), "money"),
    ("Payback vs business as usual", ("payback_financial_year_vs_do_minimum",), "text"),
    ("Safe core service (month)", ("safe_service_month",), "month"),
    ("Safe core service (year)", ("safe_service_financial_year",), "text"),
    ("Decision framework", ("verdict",), "text"),
)


def money_m(x) -> str:
    """Pounds as £m with two decimals: -1234567 → '-£1.23m'."""
    if x is None:
        return "—"
    sign = "-" if x < 0 else ""
    return f"{sign}£{abs(x) / 1e6:,.2f}m"


def _get(d, path):
    for p in path:
        d = d.get(p) if isinstance(d, dict) else None
    return d


def _cell(value, kind) -> str:
    if kind == "money":
        return money_m(value)
    if value is None:
        return "none"
    return str(value)


def summary_rows(result: dict) -> list[tuple[str, list[str]]]:
    """The comparison as (row label, one formatted cell per option)."""
    opts = result["options"]
    return [(label, [_cell(_get(o, path), kind) for o in opts.values()]) for label, path, kind in ROWS]


def render_table(result: dict, annual: bool = False, width: int | None = None) -> str:
    """A rich text rendering of one comparison (options as columns)."""
    buf = io.StringIO()
    console = Console(file=buf, width=width or 140, force_terminal=False, color_system=None)
    terms = result["terms"]
    title = (f"Options compared — {result['scenario']} — GBP {terms}"
             + (f", {result['price_base_year']}-{(result['price_base_year'] + 1) % 100:02d} prices" if terms == "real" else "")
             + "; present values real, Green Book discounting")
    table = Table(title=title, show_lines=False)
    table.add_column("", style="bold")
    for o in result["options"].values():
        table.add_column(o["label"], justify="right")
    for label, cells in summary_rows(result):
        table.add_row(label, *cells)
    console.print(table)
    if annual:
        for key, o in result["options"].items():
            t = Table(title=f"{o['label']} — by financial year (GBP {terms})")
            t.add_column("Year")
            for c in CATEGORIES:
                t.add_column(c.replace("_", "-"), justify="right")
            for c in ("Total", "Discount factor", "Present value"):
                t.add_column(c, justify="right")
            for row in o["annual"]:
                t.add_row(row["financial_year"], *[money_m(row[c]) for c in CATEGORIES], money_m(row["total"]),
                          f"{row['discount_factor']:.4f}", money_m(row["present_value"]))
            console.print(t)
    d = result["decision"]
    console.print(f"Decision framework (Isos for the LGA, 2017): {d['summary']}.")
    for r in d["reasons"]:
        console.print(f"  - {r}")
    rec = result["baseline_reconciliation"]
    console.print(f"Outset spend reconciles: core {money_m(rec['core_service'])} + legacy placements "
                  f"{money_m(rec['legacy_placements'])} + agency premium {money_m(rec['agency_premium'])} + interim "
                  f"leaders {money_m(rec['interim_leaders'])} = {money_m(rec['total_outset_spend'])} a year.")
    for w in result.get("warnings", []):
        console.print(f"Warning: {w}")
    cheapest = result["options"][result["cheapest_option"]]["label"]
    console.print(f"Lowest present value: {cheapest}. Assumptions fingerprint {result['fingerprint']}.")
    return buf.getvalue()


def safe_text(value):
    """A CSV cell that a spreadsheet will not run as a formula (CWE-1236)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(result: dict, annual: bool = False) -> str:
    """Summary rows (metric × option) or, with ``annual``, one row per option and year."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    scenario = result["scenario"]
    if annual:
        cols = ["year", "financial_year", *CATEGORIES, "total", "discount_factor", "present_value", "cumulative_present_value"]
        w.writerow(["scenario", "option", "terms", *cols])
        for key, o in result["options"].items():
            for row in o["annual"]:
                w.writerow([safe_text(scenario), safe_text(key), result["terms"], *[safe_text(row[c]) for c in cols]])
        return buf.getvalue()
    w.writerow(["scenario", "metric", *[safe_text(k) for k in result["options"]]])
    metrics = [("present_value",), ("npc_vs_do_minimum",), ("npc_vs_in_house",), ("equivalent_annual_cost",),
               ("safe_service_month",), ("payback_year_vs_do_minimum",)] + [("totals", c) for c in
                                                                           (*CATEGORIES, "one_off", "total")]
    for path in metrics:
        w.writerow([safe_text(scenario), ".".join(path), *[_get(o, path) for o in result["options"].values()]])
    w.writerow([safe_text(scenario), "verdict", *[safe_text(o["verdict"]) for o in result["options"].values()]])
    return buf.getvalue()


def render_json(obj) -> str:
    return json.dumps(obj, indent=2, allow_nan=False) + "\n"


def render_sources(reg: dict, width: int | None = None) -> str:
    """The source register as text: sources with the levers citing them, then the judgements."""
    buf = io.StringIO()
    console = Console(file=buf, width=width or 140, force_terminal=False, color_system=None)
    t = Table(title="Sources", show_lines=True)
    for c in ("Key", "Source", "Levers citing it"):
        t.add_column(c)
    for s in reg["sources"]:
        where = f"{s['publisher']} ({s['year']}). {s['title']}." + (f" {s['section']}." if s["section"] else "") \
            + (f" {s['url']}" if s["url"] else "") + (f" {s.get('identifier')}." if s.get("identifier") else "") \
            + (f" {s['note']}" if s["note"] else "")
        t.add_row(s["key"], where, "\n".join(s["levers"]) or "—")
    console.print(t)
    j = Table(title="Judgements (not published figures)", show_lines=True)
    for c in ("Lever", "Central", "Reasoning", "Evidence"):
        j.add_column(c)
    for x in reg["judgements"]:
        central = "none" if x["central"] is None else f"{x['central']:,.6g} {x['unit']}"
        j.add_row(x["key"], central, x["reasoning"] or "", x["evidence"] or "—")
    console.print(j)
    base = reg.get("price_base_year")
    m = Table(title=f"Money as published and in {base}-{(base + 1) % 100:02d} prices (the figures the model costs)",
              show_lines=False)
    for c in ("Lever", "As published → base-year prices", "Factor", "Index", "Basis"):
        m.add_column(c, justify="right" if c == "Factor" else "left")
    for x in reg.get("money_levers", []):
        if not x["catalogue_default"]:
            m.add_row(x["key"], x["text"], f"{x['factor']:.4f}", x["index"] or "—", x["basis"])
    console.print(m)
    console.print(f"{len(reg['catalogue_defaults'])} levers take the catalogue default (zero or none).")
    if reg.get("data"):
        console.print(data_sources_table(reg["data"]))
        console.print(f"{reg['data']['attribution']} {reg['data']['licence_url']}", highlight=False)
    return buf.getvalue()


def data_sources_table(v: dict) -> Table:
    """The vintage of the packaged council statistics: one row per source, then the repository snapshots."""
    t = Table(title=f"Council statistics packaged with costmodel (refreshed {v['refreshed']})", show_lines=True)
    for c in ("Key", "Publication", "Release", "Latest figures refer to", "Years"):
        t.add_column(c, overflow="fold")
    for s in v["sources"]:
        years = f"{s['first_year']}" + (f"-{s['latest_year']}" if s["latest_year"] != s["first_year"] else "")
        t.add_row(s["key"], f"{s['publisher']}, {s['title']}",
                  s["release"] + (f" (updated {s['updated']})" if s.get("updated") else ""), s["latest_reference"], years)
    for snap in v["snapshots"]:
        t.add_row("", f"snapshot {snap['repository']}", snap["commit"][:12], snap.get("date") or "", "")
    return t
