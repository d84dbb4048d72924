"""The logic behind each Excel entry point, on plain data: 2-D lists in, :class:`Block` out.

Nothing here touches Excel or xlwings. :mod:`costmodel.excel.app` reads the calling book in bulk
(``Inputs`` and ``Run`` as 2-D lists of values), calls one ``*_block`` function here and writes the
returned :class:`Block` to a result sheet in one go. Money is GBP in real terms at the price base.
Every block starts with the same labelled run information (run time, seed, assumptions
fingerprint) so a printed sheet says where its numbers came from.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..assumptions import Assumptions
from ..errors import CostmodelError
from ..comparison import METRICS, figure
from ..cost_lines import CATEGORIES
from ..render.text import safe_text

#: Result sheet of each entry point (Excel sheet names: at most 31 characters, no ``[]:*?/\``).
RESULT_SHEETS = {
    "compare": "Compare results",
    "montecarlo": "Monte Carlo results",
    "tornado": "Tornado results",
    "switching": "Switching results",
    "read_inputs": "Inputs check",
}
ACTIONS = tuple(RESULT_SHEETS)

#: The settings the ``Run`` sheet holds: label in column A, value in column B.
SETTINGS = {
    "action": ("Action", "compare"),
    "samples": ("Monte Carlo samples", 2000),
    "seed": ("Seed", 20250401),
    "option": ("Switching option", "trust"),
    "against": ("Switching comparator", "in_house"),
    "assumptions": ("Assumptions folder", None),
    "status": ("Last run", None),
}
MAX_SAMPLES = 200_000
RUN_INFO_ROWS = 7  # title, 5 labelled lines, one blank line


@dataclass(frozen=True)
class Chart:
    """A native chart of a rectangle of the block (1-based rows and columns within the block)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    kind: str = "bar_clustered"  # an xlwings chart type
    title: str = ""


@dataclass
class Block:
    """What one entry point writes: a rectangular 2-D list of values, its sheet, a chart, formats."""

    sheet: str
    rows: list[list]
    chart: Chart | None = None
    money: list[tuple[int, int, int, int]] = field(default_factory=list)  # rectangles shown as #,##0
    message: str = ""  # the one-line status written to Run!Last run


# --- reading the book ------------------------------------------------------------------------------
def _label(x) -> str:
    return str(x).strip().lower() if x is not None else ""


def settings_from_rows(rows: list[list] | None) -> dict:
    """The ``Run`` sheet's settings (label in column A, value in B), checked; defaults where blank.

    Also returns ``cells``: the A1 address of each setting found, for messages and the status cell.
    """
    out = {k: default for k, (_, default) in SETTINGS.items()}
    cells: dict[str, str] = {}
    by_label = {_label(label): key for key, (label, _) in SETTINGS.items()}
    for r, row in enumerate(rows or [], start=1):
        if not row:
            continue
        key = by_label.get(_label(row[0]))
        if key is None:
            continue
        cells[key] = f"B{r}"
        value = row[1] if len(row) > 1 else None
        if value is not None and value != "":
            out[key] = value
    where = lambda k: f"Run!{cells.get(k, 'B?')}"  # noqa: E731
    out["action"] = str(out["action"]).strip().lower().replace(" ", "_")
    if out["action"] not in ACTIONS:
        raise CostmodelError(f"{where('action')}: Action must be one of {', '.join(ACTIONS)}, got {out['action']!r}")
    out["samples"] = _whole(out["samples"], where("samples"), "Monte Carlo samples", 1, MAX_SAMPLES)
    out["seed"] = _whole(out["seed"], where("seed"), "Seed", 0, 2**32 - 1)
    out["option"], out["against"] = str(out["option"]).strip(), str(out["against"]).strip()
    out["cells"] = cells
    return out


def _whole(value, where: str, what: str, lo: int, hi: int) -> int:
    try:
        f = float(value)
    except (TypeError, ValueError):
        f = math.nan
    if not (f.is_integer() and lo <= f <= hi):
        raise CostmodelError(f"{where}: {what} must be a whole number from {lo} to {hi}, got {value!r}")
    return int(f)


def base_assumptions(folder=None) -> Assumptions:
    """The assumption set the book's ``Inputs`` sheet is read against (options, sources, scenarios)."""
    from ..files.bundled import default_assumptions
    from ..files.assumption_folder import load_folder
    path = Path(folder) if folder else default_assumptions()
    if not (path / "options.yaml").exists():
        raise CostmodelError(f"Run!Assumptions folder: {path} has no options.yaml; leave the cell blank for the "
                              "bundled example or give a folder written by 'costmodel'")
    return load_folder(path)


def assumptions_from_book(inputs_rows: list[list], base: Assumptions, book_name: str = "") -> Assumptions:
    """The book's ``Inputs`` sheet (a 2-D list read in one go) as validated assumptions."""
    from ..workbook.read import assumptions_from_inputs_rows
    if not inputs_rows:
        raise CostmodelError("Inputs: the sheet is empty; generate the workbook with 'costmodel excel workbook'")
    return assumptions_from_inputs_rows(inputs_rows, base, origin="Inputs")  # problems name Inputs!<cell>


def error_message(exc: BaseException) -> str:
    """One line for the status cell and the message box: input problems as they are, others with their type."""
    if isinstance(exc, CostmodelError):
        text = str(exc)
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    return "Error: " + " ".join(text.split())


# --- shaping results --------------------------------------------------------------------------------
def run_info(title: str, a: Assumptions, now: dt.datetime, seed=None, source: str = "Inputs") -> list[list]:
    """The labelled header every result sheet starts with (:data:`RUN_INFO_ROWS` rows)."""
    return [
        [title],
        ["Run at", now.strftime("%Y-%m-%d %H:%M:%S")],
        ["Seed", "not used" if seed is None else seed],
        ["Assumptions fingerprint", a.fingerprint()],
        ["Read from", source],
        ["costmodel version", __version__],
        [],
    ]


def rectangular(rows: list[list]) -> list[list]:
    """Pad every row with None to the widest, so the block is written as one range."""
    width = max((len(r) for r in rows), default=0)
    return [list(r) + [None] * (width - len(r)) for r in rows]


def cell_value(x):
    """A value Excel shows as-is: NaN and None become an empty cell, text never starts a formula."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return safe_text(x)


#: The rows of the compare results sheet, by the keys of :data:`costmodel.comparison.METRICS`.
COMPARE_METRICS = ("present_value", "npc_vs_do_minimum", "npc_vs_in_house", "equivalent_annual_cost",
                   "safe_service_month", "safe_service_financial_year", "payback_year_vs_do_minimum",
                   *[f"totals.{c}" for c in CATEGORIES], "totals.one_off", "totals.total", "verdict")


def compare_block(result: dict, a: Assumptions, now: dt.datetime, source: str = "Inputs") -> Block:
    """The ``compare`` result (see :func:`costmodel.comparison.compare`) as a sheet: metrics × options,
    then total cost by financial year; chart of present value by option."""
    keys = list(result["options"])
    opts = [result["options"][k] for k in keys]
    title = (f"Compare: cost of each option, GBP real terms at {result['price_base_year']}-"
             f"{(result['price_base_year'] + 1) % 100:02d} prices")
    rows = run_info(title, a, now, None, source)
    rows.append(["Metric", "Unit", *[o["label"] for o in opts]])
    money = []
    for key in COMPARE_METRICS:
        label, unit, _ = METRICS[key]
        rows.append([label, unit, *[cell_value(figure(o, key)) for o in opts]])
        if unit.startswith("GBP"):
            money.append((len(rows), 3, len(rows), 2 + len(opts)))
    rows.append(["Option key", "", *keys])
    rows.append(["Lowest present value", "", result["options"][result["cheapest_option"]]["label"]])
    rows.append(["Decision", "", cell_value(result["decision"]["summary"])])
    rows.append([])
    rows.append(["Total cost by financial year (GBP, " + result["terms"] + " terms)", "Year", *[o["label"] for o in opts]])
    for t, fy in enumerate(result["financial_years"]):
        rows.append([fy, t, *[o["annual"][t]["total"] for o in opts]])
        money.append((len(rows), 3, len(rows), 2 + len(opts)))
    header = RUN_INFO_ROWS + 1
    # the chart: option labels (header row) and present values (the next row), options' columns only
    chart = Chart(header, 3, header + 1, 2 + len(opts), "column_clustered", "Present value by option, GBP")
    message = (f"OK: compare written to '{RESULT_SHEETS['compare']}' at {now:%H:%M:%S}; lowest present value: "
               f"{result['options'][result['cheapest_option']]['label']}")
    return Block(RESULT_SHEETS["compare"], rectangular(rows), chart, money, message)


def run_compare(inputs_rows, settings: dict, now: dt.datetime, book_name: str = "") -> Block:
    """Entry-point logic of ``compare``: Inputs → assumptions → :func:`costmodel.comparison.compare` → block."""
    from ..comparison import compare
    a = assumptions_from_book(inputs_rows, base_assumptions(settings.get("assumptions")), book_name)
    block = compare_block(compare(a), a, now, f"Inputs sheet of {book_name or 'this book'}")
    case = case_in_use(inputs_rows)
    if case not in (None, "central"):
        block.message += (f"; note: Inputs!C3 selects the {case} case for the book's formulas, "
                          "these results use the central values")
    return block


def case_in_use(inputs_rows) -> str | None:
    """The case selector of the Inputs sheet (C3: low, central or high), if present."""
    try:
        value = inputs_rows[2][2]
    except (IndexError, TypeError):
        return None
    return str(value).strip().lower() if value is not None else None


def inputs_check_block(a: Assumptions, base: Assumptions, now: dt.datetime, source: str = "Inputs") -> Block:
    """``read_inputs``: the levers read, and every one whose value differs from the base assumption set."""
    rows = run_info("Inputs check: the Inputs sheet read and validated", a, now, None, source)
    rows.append(["Levers read", len(a.levers)])
    rows.append(["Options", ", ".join(a.option_keys)])
    rows.append(["Base assumptions", base.origin])
    rows.append(["Base fingerprint", base.fingerprint()])
    rows.append([])
    rows.append(["Key", "Label", "Unit", "Base low", "Base central", "Base high", "Book low", "Book central", "Book high"])
    changed = 0
    for key, lever in a.levers.items():
        b = base.levers.get(key)
        if b is not None and (b.low, b.central, b.high) == (lever.low, lever.central, lever.high):
            continue
        changed += 1
        rows.append([key, cell_value(lever.label), lever.unit,
                     *(cell_value(x) for x in ((b.low, b.central, b.high) if b else (None, None, None))),
                     cell_value(lever.low), cell_value(lever.central), cell_value(lever.high)])
    if not changed:
        rows.append(["(none: every lever equals the base assumption set)"])
    message = (f"OK: Inputs read at {now:%H:%M:%S}: {len(a.levers)} levers, {changed} differ from the base; "
               f"fingerprint {a.fingerprint()}")
    return Block(RESULT_SHEETS["read_inputs"], rectangular(rows), None, [], message)


def run_read_inputs(inputs_rows, settings: dict, now: dt.datetime, book_name: str = "") -> Block:
    """Entry-point logic of ``read_inputs``: validate the Inputs sheet and list what differs from the base."""
    base = base_assumptions(settings.get("assumptions"))
    a = assumptions_from_book(inputs_rows, base, book_name)
    return inputs_check_block(a, base, now, f"Inputs sheet of {book_name or 'this book'}")


def _book_assumptions(inputs_rows, settings: dict, book_name: str) -> tuple[Assumptions, str]:
    a = assumptions_from_book(inputs_rows, base_assumptions(settings.get("assumptions")), book_name)
    return a, f"Inputs sheet of {book_name or 'this book'}"


def _options_of(a: Assumptions, settings: dict) -> tuple[str, str]:
    """Run!Switching option / comparator, checked against the book's options (cell named on error)."""
    cells = settings.get("cells", {})
    for k in ("option", "against"):
        if settings[k] not in a.option_keys:
            raise CostmodelError(f"Run!{cells.get(k, 'B?')}: {SETTINGS[k][0]} must be one of "
                                  f"{', '.join(a.option_keys)}, got {settings[k]!r}")
    if settings["option"] == settings["against"]:
        raise CostmodelError(f"Run!{cells.get('against', 'B?')}: compare the option with a different one")
    return settings["option"], settings["against"]


def montecarlo_block(mc, a: Assumptions, now: dt.datetime, source: str = "Inputs") -> Block:
    """A :class:`costmodel.montecarlo.MonteCarlo` result: percentiles of PV and NPC vs do minimum per option."""
    p = mc.plan
    rows = run_info(f"Monte Carlo: {p.draws} draws ({p.distribution}) over the low / central / high ranges, "
                    "GBP real terms", a, now, p.seed, source)
    head = ["Option", "PV P5", "PV P50", "PV P95", "PV mean", "NPC vs do minimum P5",
            "NPC vs do minimum P50", "NPC vs do minimum P95", "NPC vs do minimum mean", "P(cheapest)",
            "P(NPC vs do minimum < 0)", "Option key"]
    rows.append(head)
    first = len(rows) + 1
    for key in mc.options:
        s = mc.summary[key]
        pv, npc = s["present_value"], s["npc_vs_do_minimum"]
        rows.append([a.option(key).label, pv["p5"], pv["p50"], pv["p95"], pv["mean"], npc["p5"], npc["p50"],
                     npc["p95"], npc["mean"], s["probability_cheapest"],
                     cell_value(s["probability_npc_vs_do_minimum_negative"]), key])
    last = len(rows)
    rows += [[], ["Draws", p.draws], ["Distribution", p.distribution], ["Levers drawn", len(p.drawn)],
             ["Levers held at central", len(p.held)],
             ["Percentiles", "numpy's linear rule over every draw; P = share of draws"]]
    message = f"OK: Monte Carlo ({p.draws} draws, seed {p.seed}) written to '{RESULT_SHEETS['montecarlo']}' at {now:%H:%M:%S}"
    # chart: option labels (column A, categories) and the P5 / P50 / P95 columns (series, named by the header)
    chart = Chart(first - 1, 1, last, 4, "column_clustered", "Present value P5 / P50 / P95 by option, GBP")
    return Block(RESULT_SHEETS["montecarlo"], rectangular(rows), chart, [(first, 2, last, 9)], message)


def run_montecarlo(inputs_rows, settings: dict, now: dt.datetime, book_name: str = "") -> Block:
    """Entry-point logic of ``montecarlo``: Run!Monte Carlo samples draws with Run!Seed."""
    from ..montecarlo import montecarlo, plan
    a, source = _book_assumptions(inputs_rows, settings, book_name)
    return montecarlo_block(montecarlo(plan(a, settings["samples"], settings["seed"])), a, now, source)


def tornado_block(t, a: Assumptions, now: dt.datetime, source: str = "Inputs") -> Block:
    """A :class:`costmodel.sensitivity.Tornado`: NPC at each lever's low and high, widest swing first."""
    rows = run_info(f"Tornado: net present cost of {t.option} against {t.against} (GBP real) with each lever at "
                    "its low and its high, the others central", a, now, None, source)
    rows.append(["Central net present cost", t.central_npc])
    rows.append([])
    rows.append(["Lever", "NPC at low", "NPC at high", "Swing", "Lever key", "Unit", "Low", "High"])
    first = len(rows) + 1
    for b in t.bars:
        rows.append([cell_value(b.label), b.npc_at_low, b.npc_at_high, b.swing, b.key, b.unit, b.low, b.high])
    last = len(rows)
    block = Block(RESULT_SHEETS["tornado"], rectangular(rows), None, [(RUN_INFO_ROWS + 1, 2, RUN_INFO_ROWS + 1, 2),
                                                                       (first, 2, last, 4)], "")
    if t.bars:
        block.chart = Chart(first - 1, 1, min(last, first + 14), 3, "bar_clustered",
                            "Net present cost at each lever's low and high (widest 15), GBP")
    block.message = (f"OK: tornado of {t.option} vs {t.against} written to '{RESULT_SHEETS['tornado']}' at "
                     f"{now:%H:%M:%S}; widest: {t.bars[0].key if t.bars else 'none'}")
    return block


def run_tornado(inputs_rows, settings: dict, now: dt.datetime, book_name: str = "") -> Block:
    """Entry-point logic of ``tornado``: Run!Switching option against Run!Switching comparator."""
    from ..sensitivity import tornado
    a, source = _book_assumptions(inputs_rows, settings, book_name)
    return tornado_block(tornado(a, *_options_of(a, settings)), a, now, source)


def switching_block(results: list, a: Assumptions, option: str, against: str, now: dt.datetime,
                    source: str = "Inputs") -> Block:
    """Switching values: the value of each lever at which NPC(option) = NPC(against), others central."""
    rows = run_info(f"Switching values: where {option} and {against} cost the same (present value, GBP real), "
                    "one lever at a time", a, now, None, source)
    rows.append(["Lever", "Lever key", "Unit", "Central", "Low", "High", "Switching value", "Inside low-high?",
                 "Other switching values", "Searched from", "Searched to"])
    for s in results:
        lever = a.levers[s.key]
        first = s.values[0] if s.values else "none in the searched range"
        inside = ("yes" if s.inside_plausible[0] else "no") if s.values else ""
        rows.append([cell_value(lever.label), s.key, lever.unit, s.central, s.plausible[0], s.plausible[1], first,
                     inside, ", ".join(f"{x:.6g}" for x in s.values[1:]) or None, s.searched[0], s.searched[1]])
    message = (f"OK: switching values of {option} vs {against} for {len(results)} levers written to "
               f"'{RESULT_SHEETS['switching']}' at {now:%H:%M:%S}")
    return Block(RESULT_SHEETS["switching"], rectangular(rows), None, [], message)


def run_switching(inputs_rows, settings: dict, now: dt.datetime, book_name: str = "") -> Block:
    """Entry-point logic of ``switching``: every lever worth a switching value between the two options."""
    from ..sensitivity import switching_levers, switching_value
    a, source = _book_assumptions(inputs_rows, settings, book_name)
    option, against = _options_of(a, settings)
    results = [switching_value(a, k, option, against) for k in switching_levers(a, option, against)]
    return switching_block(results, a, option, against, now, source)


#: Entry-point name → logic function ``(inputs_rows, settings, now, book_name) -> Block``.
LOGIC = {
    "compare": run_compare,
    "montecarlo": run_montecarlo,
    "tornado": run_tornado,
    "switching": run_switching,
    "read_inputs": run_read_inputs,
}
