"""Render comparison results as a text table, CSV or JSON (no calculation here).

The ``compare`` table is drawn by :func:`costmodel.render.text.box_table`, not rich, so the command
starts fast; rich is imported only by the other tables (:func:`render_sources`).
"""
from __future__ import annotations

import io
import json

from ..comparison import METRICS, figure, label
from ..cost_lines import CATEGORIES
from ..finite import check_finite
from .text import box_table, money_m, safe_text

#: The rows of the ``compare`` table, by the keys of :data:`costmodel.comparison.METRICS`.
TABLE_ROWS = ("totals.set_up", "totals.transitional", "totals.improvement", "totals.one_off", "totals.recurring",
              "totals.legacy", "totals.saving", "totals.total", "present_value",
              "present_value_by_payer.central_government", "npc_vs_do_minimum",
              "npc_vs_in_house", "equivalent_annual_cost", "payback_financial_year_vs_do_minimum",
              "safe_service_month", "safe_service_financial_year", "verdict")


def _cell(value, key: str) -> str:
    if METRICS[key][1].startswith("GBP"):
        return money_m(value)
    return "none" if value is None else str(value)


def summary_rows(result: dict) -> list[tuple[str, list[str]]]:
    """The comparison as (row label, one formatted cell per option)."""
    opts = result["options"].values()
    return [(label(key), [_cell(figure(o, key), key) for o in opts]) for key in TABLE_ROWS]


def render_table(result: dict, annual: bool = False, width: int | None = None) -> str:
    """One comparison as text (options as columns), then the decision framework, the reconciliation of
    the outset spend, any warnings and the cheapest option."""
    width = width or 140
    check_finite(result, "the comparison")
    terms = result["terms"]
    title = (f"Options compared — {result['scenario']} — GBP {terms}"
             + (f", {result['price_base_year']}-{(result['price_base_year'] + 1) % 100:02d} prices" if terms == "real" else "")
             + "; present values real, Green Book discounting")
    labels = [o["label"] for o in result["options"].values()]
    rows = [[name, *cells] for name, cells in summary_rows(result)]
    out = [box_table(title, ["", *labels], rows, [False] + [True] * len(labels), width)]
    c = result.get("council")
    if c:
        out.insert(0, f"Council: {c['name']} (ONS {c['code']}, DfE {c['dfe_code']}), {c['region']}: baseline from its "
                      "published statistics (costmodel init --council).\n")
    if annual:
        heads = ["Year", *[c.replace("_", "-") for c in CATEGORIES], "Total", "Discount factor", "Present value"]
        for o in result["options"].values():
            rows = [[row["financial_year"], *[money_m(row[c]) for c in CATEGORIES], money_m(row["total"]),
                     f"{row['discount_factor']:.4f}", money_m(row["present_value"])] for row in o["annual"]]
            out.append(box_table(f"{o['label']} — by financial year (GBP {terms})", heads, rows,
                                 [False] + [True] * (len(heads) - 1), width))
    d = result["decision"]
    lines = [f"Decision framework (Isos for the LGA, 2017): {d['summary']}.", *[f"  - {r}" for r in d["reasons"]]]
    lines.append(reconciliation_line(result["baseline_reconciliation"]))
    lines += [f"Warning: {w}" for w in result.get("warnings", [])]
    cheapest = result["options"][result["cheapest_option"]]["label"]
    lines.append(f"Lowest present value: {cheapest}. Assumptions fingerprint {result['fingerprint']}.")
    return "".join(out) + "\n".join(lines) + "\n"


def reconciliation_line(rec: dict) -> str:
    """The outset spend as the sum of its lines, each with where its figures come from (published, derived, a
    judgement or a national default: the weakest of its levers)."""
    basis = {line: f" ({p['basis']})" for line, p in rec.get("provenance", {}).items()}
    part = lambda line, name: f"{name} {money_m(rec[line])}{basis.get(line, '')}"  # noqa: E731
    return (f"Outset spend reconciles: {part('core_service', 'core')} + {part('legacy_placements', 'legacy placements')} + "
            f"{part('agency_premium', 'agency premium')} + {part('interim_leaders', 'interim leaders')} = "
            f"{money_m(rec['total_outset_spend'])} a year.")




def csv_text(header, rows) -> str:
    """The one CSV writer of every command: each text cell through :func:`safe_text`, missing numbers empty."""
    import csv  # here, not at the top, only so that ``costmodel compare`` (a text table) starts without it
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
    rows = [[scenario, ".".join(path), *[figure(o, ".".join(path)) for o in result["options"].values()]] for path in metrics]
    rows.append([scenario, "verdict", *[o["verdict"] for o in result["options"].values()]])
    return csv_text(["scenario", "metric", *result["options"]], rows)


def render_json(obj) -> str:
    check_finite(obj, "the result")
    return json.dumps(obj, indent=2, allow_nan=False) + "\n"


def render_sources(reg: dict, width: int | None = None) -> str:
    """The source register as text: sources with the levers citing them, then the judgements."""
    from rich.console import Console  # heavy: only this table needs it
    from rich.table import Table
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


def data_sources_table(v: dict):
    """The vintage of the packaged council statistics (a rich Table): one row per source, then the repository snapshots."""
    from rich.table import Table
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
