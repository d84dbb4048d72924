"""The Lookups sheet: the decision framework of ``decision.verdict`` as a table, and the list of delivery models.

The table is generated from ``decision.verdict`` for the 32 combinations of the five capacity flags,
so that the book's verdict matches the engine's exactly. The case in use is
``1 + Σ flag × weight`` (weights 16, 8, 4, 2, 1), the defined name ``decision_case``.
"""
from __future__ import annotations

from itertools import product

from .. import levers as lv
from ..decision import verdict
from . import layout as L

CAPACITY = ("self_assess", "set_strategy", "implement", "systemic_issues", "strong_partner_willing")
WEIGHTS = (16, 8, 4, 2, 1)


def write_lookups(wb) -> None:
    """The capacity flags in use and the case they select, then the 32-row table (case, flags, form, summary, fit
    of each delivery model); names ``decision_case``, ``decision_summaries``, ``fit_table``, ``model_list``."""
    ws = wb["Lookups"]
    L.heading(ws, "A1", "Lookups: the decision framework (Isos for the LGA 2017, 'Consideration of models')")
    L.master_badge(ws, "A2", "B2")
    for col, w in zip("ABCDEFGH", (30, 44, 10, 10, 12, 12, 40, 60)):
        ws.column_dimensions[col].width = w
    for i, h in enumerate(["Capacity flag", "In use (Inputs)", "Weight", "Flag x weight"]):
        ws.cell(4, i + 1, h).style = "Subheading"
    for i, flag in enumerate(CAPACITY):
        r = 5 + i
        ws[f"A{r}"] = flag
        ws[f"B{r}"] = f"=baseline_capacity_{flag}"
        ws[f"B{r}"].style = L.LINK
        ws[f"C{r}"] = WEIGHTS[i]
        ws[f"D{r}"] = f"=B{r}*C{r}"
        ws[f"D{r}"].style = L.CALC
    last = 4 + len(CAPACITY)
    ws[f"A{last + 1}"] = "Case in use: 1 + the sum of flag x weight"
    ws[f"D{last + 1}"] = f"=1+SUM(D5:D{last})"
    ws[f"D{last + 1}"].style = L.CALC
    L.define(wb, "decision_case", "Lookups", f"D{last + 1}")
    write_table(wb, ws, last + 3)


def write_table(wb, ws, hdr: int) -> None:
    models = list(lv.MODELS)
    for i, h in enumerate(["Case", *CAPACITY, "Form", "Summary", *models]):
        ws.cell(hdr, i + 1, h).style = "Subheading"
    for i, flags in enumerate(product((0, 1), repeat=len(CAPACITY))):
        row = hdr + 1 + i
        v = verdict(*map(bool, flags))
        ws.cell(row, 1, i + 1)
        for j, f in enumerate(flags):
            ws.cell(row, 2 + j, f)
        for j, text in enumerate([v.form, v.summary] + [v.for_model(m) for m in models]):
            L.put_text(ws, ws.cell(row, 7 + j).coordinate, text)
    first, last = hdr + 1, hdr + 2 ** len(CAPACITY)
    end = ws.cell(hdr, 8 + len(models)).column_letter
    for name, ref in (("decision_summaries", f"$H${first}:$H${last}"), ("fit_table", f"$I${first}:${end}${last}"),
                      ("model_list", f"$I${hdr}:${end}${hdr}")):
        L.define_range(wb, name, "Lookups", ref)
