"""The national run's outputs: the ranked terminal table, the tidy records as CSV, JSON and Parquet. No calculation
beyond ordering (:func:`costmodel.national.ranked`)."""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from ..national import COLUMNS, ranked
from .tables import csv_text, render_json
from .text import money_m

SCHEMA = "costmodel.national/1"


def national_json(result: dict, meta: dict) -> str:
    """``{schema, …meta, records, incomplete, failed}``: every figure a record of :data:`~costmodel.national.COLUMNS`."""
    return render_json({"schema": SCHEMA, **meta, "columns": list(COLUMNS), "records": result["records"],
                        "incomplete": result["incomplete"], "failed": result["failed"]})


def national_csv(result: dict) -> str:
    """The tidy records, one a row (text cells made safe for a spreadsheet)."""
    return csv_text(list(COLUMNS), ([r[c] for c in COLUMNS] for r in result["records"]))


def national_parquet(result: dict) -> bytes:
    """The tidy records as a Parquet file's bytes."""
    import pandas as pd
    df = pd.DataFrame(result["records"], columns=list(COLUMNS))
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _fy(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def _pct(p, se) -> str:
    if p is None:
        return "—"
    return f"{100 * p:.1f}%" + (f" ± {100 * se:.1f}" if se is not None else "")


def national_table(result: dict, meta: dict, width: int | None = None) -> str:
    """Councils ranked by the central NPC of their cheapest option vs business as usual (largest saving first),
    then what was filled in for councils with incomplete data, and the councils that could not be built."""
    buf = io.StringIO()
    con = Console(file=buf, width=width or 160, force_terminal=False, color_system=None)
    rows = ranked(result["records"])
    draws = meta.get("draws")
    t = Table(title=f"{len(rows)} councils ranked by the cheapest option's NPC vs business as usual — central — "
                    f"GBP real, {_fy(meta['price_base'])} prices", show_lines=False)
    cols = ["#", "Council", "Code", "Region", "Cheapest option", "Present value", "NPC vs BAU"]
    if draws:
        cols += ["P(cheapest) ± SE", "NPC P5", "NPC P95"]
    for c in cols:
        t.add_column(c, justify="right" if c in ("#", "Present value", "NPC vs BAU", "NPC P5", "NPC P95") else "left")
    labels = meta["options"]
    for i, r in enumerate(rows, 1):
        cells = [str(i), r["la_name"], r["la_code"], r["region"], labels.get(r["cheapest"], r["cheapest"]),
                 money_m(r["present_value"]), money_m(r["npc_vs_do_minimum"])]
        if draws:
            cells += [_pct(r["probability_cheapest"], r["probability_cheapest_standard_error"]),
                      money_m(r["npc_p5"]), money_m(r["npc_p95"])]
        t.add_row(*cells)
    con.print(t)
    if draws:
        con.print(f"{draws:,} draws a council, seed {meta['seed']} (the same for every council); ± one Monte Carlo "
                  "standard error.", highlight=False)
    for line in notes(result):
        con.print(line, highlight=False)
    return buf.getvalue()


def notes(result: dict) -> list[str]:
    """One line per council with incomplete data (each fallback) and per council that could not be built."""
    out = []
    if result["incomplete"]:
        names = {}
        for r in result["incomplete"]:
            names.setdefault(f"{r['la_name']} ({r['la_code']})", []).append(r["fallback"])
        out.append(f"Incomplete data — {len(names)} council(s), each gap filled as said:")
        out += [f"  - {who}: {'; '.join(fs)}" for who, fs in names.items()]
    if result["failed"]:
        out.append(f"Not costed — {len(result['failed'])}:")
        out += [f"  - {f['la_name'] or f['query']}: {f['reason']}" for f in result["failed"]]
    return out
