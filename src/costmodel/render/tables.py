"""Render comparison results as a rich table, CSV or JSON text (no calculation here)."""
from __future__ import annotations

import csv
import io
import json

from rich.console import Console
from rich.table import Table

from ..cost_lines import CATEGORIES
from ..finite import check_finite

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
    check_finite(result, "the comparison")
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
    """A CSV cell that a spreadsheet will not run as a formula (CWE-1236): text starting ``= + - @``, a tab or a
    carriage return gets a leading ``'``. Numbers are left alone (a negative number is not text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(header, rows) -> str:
    """The one CSV writer of every command: each text cell through :func:`safe_text`, missing numbers empty."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in ([header] if header is not None else []) + list(rows):
        w.writerow([_csv_cell(v) for v in row])
    return buf.getvalue()


def _csv_cell(value):
    if value is None or (isinstance(value, float) and value != value):  # None or NaN: an empty cell
        return ""
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars as plain Python numbers
        value = value.item()
    return safe_text(value)


def frame_csv(df, nullable=()) -> str:
    """A data frame (results of sweep, tornado, switching, Monte Carlo) as CSV through :func:`csv_text`."""
    check_finite(df, "the table", nullable)
    return csv_text(list(df.columns), df.itertuples(index=False, name=None))


def render_csv(result: dict, annual: bool = False) -> str:
    """Summary rows (metric × option) or, with ``annual``, one row per option and year."""
    check_finite(result, "the comparison")
    scenario = result["scenario"]
    if annual:
        cols = ["year", "financial_year", *CATEGORIES, "total", "discount_factor", "present_value", "cumulative_present_value"]
        return csv_text(["scenario", "option", "terms", *cols],
                        [[scenario, key, result["terms"], *[row[c] for c in cols]]
                         for key, o in result["options"].items() for row in o["annual"]])
    metrics = [("present_value",), ("npc_vs_do_minimum",), ("npc_vs_in_house",), ("equivalent_annual_cost",),
               ("safe_service_month",), ("payback_year_vs_do_minimum",)] + [("totals", c) for c in
                                                                           (*CATEGORIES, "one_off", "total")]
    rows = [[scenario, ".".join(path), *[_get(o, path) for o in result["options"].values()]] for path in metrics]
    rows.append([scenario, "verdict", *[o["verdict"] for o in result["options"].values()]])
    return csv_text(["scenario", "metric", *result["options"]], rows)


def render_json(obj) -> str:
    check_finite(obj, "the result")
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
            + (f" {s['url']}" if s["url"] else "") + (f" {s['note']}" if s["note"] else "")
        t.add_row(s["key"], where, "\n".join(s["levers"]) or "—")
    console.print(t)
    j = Table(title="Judgements (not published figures)", show_lines=True)
    for c in ("Lever", "Central", "Reasoning", "Evidence"):
        j.add_column(c)
    for x in reg["judgements"]:
        central = "none" if x["central"] is None else f"{x['central']:,.6g} {x['unit']}"
        j.add_row(x["key"], central, x["reasoning"] or "", x["evidence"] or "—")
    console.print(j)
    console.print(f"{len(reg['catalogue_defaults'])} levers take the catalogue default (zero or none).")
    return buf.getvalue()
