"""The Checks sheet (FAST): every check as a row — what it tests, its value, TRUE/FALSE and, when FALSE, its cause —
rolled up into the master check (``master_check``) that every sheet shows in its header.

Each OK cell is wrapped so that it is TRUE or FALSE whatever is typed into the inputs (an error in
what it tests makes it FALSE), and the master check is the AND of them, so it is never an error.
"""
from __future__ import annotations

from ..assumptions import COMPARATOR, Assumptions
from ..cost_lines import CATEGORIES
from . import layout as L
from .annual import Annual, put
from .calcs import GBP_FMT, Grid

HEADERS = ("#", "Check", "Value", "OK", "Cause (when FALSE)", "What a failure means and where to look")
FIRST = 7  # the first check row


def near(value: str, scale: str) -> str:
    """TRUE when ``value`` is zero within the tolerance relative to ``scale`` (at least 1)."""
    return f"=IFERROR(ABS({value})<=tolerance*MAX(1,ABS({scale})),FALSE)"


def checks_list(a: Assumptions, calc: Grid, an: Annual, option_rows: dict, reconciliation: int | None) -> list:
    """(check, value formula, OK formula, cause) for every check; the value cell is ``C{r}``."""
    out = [
        ("The case in use is low, central or high", "=case_selector", "=ISNUMBER(case_index)",
         "Inputs!C3 must be low, central or high (pick from its list)"),
        ("Every lever: low, central and high given (or all blank where none is allowed), in order, within its bounds",
         "=COUNTIF(lever_checks,FALSE)", "=IFERROR(C{r}=0,FALSE)",
         "Filter Inputs column M for FALSE: that row's low / central / high are missing, out of order or out of bounds"),
    ]
    for o in a.options:
        k, row = o.key, option_rows[o.key]
        out.append((f"{k}: its delivery model is one of the list", f"=Inputs!C{row}",
                    f"=ISNUMBER(MATCH(Inputs!C{row},model_list,0))",
                    f"Inputs!C{row} must be one of the delivery models in the list"))
    for o in a.options:
        out += option_checks(o.key, calc, an)
    if reconciliation is not None:
        out.append(("Baseline reconciliation: business as usual in month 0 (x 12, before relative price effects) equals "
                    "the outset total below", f"=C{reconciliation + 6}-C{reconciliation + 5}",
                    near("C{r}", f"C{reconciliation + 5}"),
                    "The month-0 lines of business as usual on Calculations no longer start from the outset figures on "
                    "Inputs (an interim end month of 0, or an edited formula)"))
    return out


def option_checks(k: str, calc: Grid, an: Annual) -> list:
    rows, cats, b = calc.rows[k], calc.categories[k], an.blocks[k]
    total = f"Calculations!$F${calc.totals[k]}"
    parts = f"SUM(Calculations!$F${cats[CATEGORIES[0]]}:$F${cats[CATEGORIES[-1]]})"
    return [
        (f"{k}: improvement phase splits sum to 1 (when there is an improvement cost)",
         f"=Calculations!$E${rows['phase_split_sum']}",
         f"=IFERROR(OR(Calculations!$E${rows['options.' + k + '.improvement.total']}<=0,ABS(C{{r}}-1)<=tolerance),FALSE)",
         f"Inputs: options.{k}.improvement.phase_split.* must add up to 1"),
        (f"{k}: the total cost equals the sum of its categories (Calculations)", f"={total}-{parts}",
         near("C{r}", total), f"Calculations: a line of {k} has no category or a total was edited"),
        (f"{k}: the annual table equals the months of Calculations", f"=Annual!$D${b['total']}-{total}",
         near("C{r}", total), f"Annual: the years of {k} no longer add up to its months on Calculations"),
        (f"{k}: present value equals the sum of its discounted years",
         f"=Annual!${an.pv_col}${b['total']}-Annual!$D${b['discounted']}",
         near("C{r}", f"Annual!$D${b['discounted']}"), f"Annual: the discounting rows of {k} were edited"),
    ]


RECONCILED = ("core_service", "legacy_placements", "agency_premium", "interim_leaders")


def write_reconciliation(ws, calc: Grid, tl: Grid, r: int) -> None:
    """The outset total (as ``comparison.reconciliation``) in C{r+1}..C{r+5} and business as usual's month 0 in C{r+6}."""
    rows = calc.rows[COMPARATOR]
    L.heading(ws, f"B{r}", "Baseline reconciliation (GBP a year, base-year prices): the outset spend and the lines "
                           "modelled separately")
    weights = tl.rows["all"]
    pay, place = f"Timeline!$H${weights['rpe_pay']}", f"Timeline!$H${weights['rpe_placements']}"
    emp = f"Calculations!$E${rows['employed_cost']}"
    v = lambda key: f"Calculations!$E${rows['baseline.' + key]}"  # noqa: E731 - the lever's link row
    legacy = f"={v('legacy_placements.count')}*{v('legacy_placements.weekly_cost')}*appraisal_weeks_per_year"
    agency = f"={v('social_workers.fte')}*{v('social_workers.agency_share')}*{emp}*{v('social_workers.agency_premium')}"
    interim = f"={v('interim_leaders.count')}*{v('interim_leaders.day_rate')}*{v('interim_leaders.days_per_year')}"
    parts = [
        ("Outset spend (core service)", f"={v('outset_spend')}", f"Calculations!$H${rows['core_service']}"),
        ("Legacy placements", legacy, f"Calculations!$H${rows['legacy_placements']}/{place}"),
        ("Agency premium", agency, f"Calculations!$H${rows['agency_premium']}/{pay}"),
        ("Interim leaders", interim, f"Calculations!$H${rows['interim_leaders']}/{pay}"),
    ]
    for i, (label, formula, _) in enumerate(parts, start=r + 1):
        ws[f"B{i}"] = label
        put(ws, f"C{i}", formula, fmt=GBP_FMT)
    ws[f"B{r + 5}"] = "Total spend at the outset"
    put(ws, f"C{r + 5}", f"=SUM(C{r + 1}:C{r + 4})", fmt=GBP_FMT)
    ws[f"B{r + 6}"] = "Business as usual, month 0 x 12, before relative price effects"
    for i, (_, _, month0) in enumerate(parts):
        ws[f"{'DEFG'[i]}{r + 6}"] = f"={month0}"
        ws[f"{'DEFG'[i]}{r + 6}"].style = L.CALC
    put(ws, f"C{r + 6}", f"=months_per_year*SUM(D{r + 6}:G{r + 6})", fmt=GBP_FMT)


def write_checks(wb, a: Assumptions, calc: Grid, tl: Grid, an: Annual, option_rows: dict) -> None:
    """The Checks sheet and the master check (``master_check``, TRUE when every check is TRUE)."""
    ws = wb["Checks"]
    for col, w in zip("ABCDEF", (5, 80, 18, 9, 40, 90)):
        ws.column_dimensions[col].width = w
    L.heading(ws, "A1", "Checks: every check of the book (FAST); the master check is TRUE when all are TRUE")
    reconciled = all(x in calc.rows.get(COMPARATOR, {}) for x in RECONCILED)
    recon = FIRST + 2 + 5 * len(a.options) + reconciled + 2 if reconciled else None
    checks = checks_list(a, calc, an, option_rows, recon)
    if recon is not None:
        write_reconciliation(ws, calc, tl, recon)
    for i, h in enumerate(HEADERS):
        ws.cell(FIRST - 1, i + 1, h).style = "Subheading"
    for i, (text, value, ok, cause) in enumerate(checks):
        r = FIRST + i
        ws[f"A{r}"] = i + 1
        ws[f"B{r}"] = text
        put(ws, f"C{r}", value.format(r=r), fmt="General")
        put(ws, f"D{r}", ok.format(r=r), L.CHECK)
        put(ws, f"E{r}", f'=IF(D{r},"",F{r})')
        ws[f"F{r}"] = cause
    last = FIRST + len(checks) - 1
    assert recon is None or recon > last
    ws["A3"] = L.MASTER_LABEL
    ws["A3"].style = "Subheading"
    put(ws, "D3", f"=IFERROR(AND(D{FIRST}:D{last}),FALSE)", L.CHECK)
    ws["B3"] = "TRUE when every check below is TRUE; shown at the top of every sheet"
    L.define(wb, "master_check", "Checks", "D3")
    ws.freeze_panes = f"A{FIRST}"
