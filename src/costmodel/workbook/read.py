"""Read an edited workbook's Inputs sheet back into validated :class:`Assumptions`.

:func:`assumptions_from_inputs_rows` takes the Inputs sheet as a 2-D list of cell values (row 1
first, column A first) — from openpyxl here, from ``sheet.used_range.value`` in the xlwings
adapter — and checks that every lever row is where the builder put it, that every value is a
number in range, and then validates the whole set as the YAML reader does. Every problem names
``Inputs!<cell>``, the lever key and what was expected. Sources come from the Sources sheet (or
the ``base`` set), scenarios and other settings from ``base``.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Sequence

from openpyxl.utils import get_column_letter

from .. import levers as lv
from ..assumptions import Assumptions, Option, Source, build
from ..errors import AssumptionError, Problem
from ..validation import coerce_value, field_problems
from . import layout as L

VALUE_COLS = {"low": 3, "central": 4, "high": 5}  # zero-based: D, E, F


def _cell(rows, r: int, c: int):
    """Value at zero-based (row, column), None beyond the data."""
    if r >= len(rows) or rows[r] is None or c >= len(rows[r]):
        return None
    return rows[r][c]


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return text or None


def _find(rows, mark: str, origin: str) -> int:
    for i, row in enumerate(rows):
        if row and _text(row[0]) == mark:
            return i
    raise AssumptionError([Problem(f"{origin}!A", "", f"no '{mark}' header row: is this a costmodel workbook's Inputs sheet?")])


def _where(origin: str, col: int, r: int) -> str:
    return f"{origin}!{get_column_letter(col + 1)}{r + 1}"


def _options(rows, base: Assumptions, origin: str, problems: list[Problem]) -> list[Option]:
    """The options table: each row where the builder put it (labels and models may be edited)."""
    top = _find(rows, L.OPTIONS_MARK, origin)
    options: list[Option] = []
    for i, expected in enumerate(base.options):
        r = top + 1 + i
        key = _text(_cell(rows, r, 0))
        if key != expected.key:
            problems.append(Problem(_where(origin, 0, r), f"options.{expected.key}",
                                    f"expected option {expected.key!r} here, found {key!r}: read the workbook with the assumption "
                                    "folder it was built from (--assumptions DIR); options are added in options.yaml"))
            options.append(expected)
            continue
        model = _text(_cell(rows, r, 2)) or ""
        options.append(expected._replace(label=_text(_cell(rows, r, 1)) or expected.key, model=model,
                                         description=_text(_cell(rows, r, 3)) or "", where=_where(origin, 2, r)))
    return options


def assumptions_from_inputs_rows(rows: list[list], base: Assumptions, origin: str = "Inputs") -> Assumptions:
    """The Inputs sheet as cell values → validated Assumptions (options' structure and sources from ``base``)."""
    rows = [list(r) if r is not None else [] for r in rows]
    problems: list[Problem] = []
    case = _text(_cell(rows, L.CASE_ROW - 1, 2))
    if case not in L.CASES:
        problems.append(Problem(f"{origin}!C{L.CASE_ROW}", "case_selector", f"expected {', '.join(L.CASES)}, got {case!r}"))
    options = _options(rows, base, origin, problems)
    # lever rows
    head = _find(rows, L.LEVERS_MARK, origin)
    expected_keys = L.input_keys(base)
    known = set(base.levers)
    records = []
    rows_of: dict[str, int] = {}
    i = 0
    for r in range(head + 1, len(rows)):
        key = _text(_cell(rows, r, 0))
        if key is None:
            if any(_cell(rows, r, c) not in (None, "") for c in VALUE_COLS.values()):
                problems.append(Problem(_where(origin, 0, r), "", "values without a lever key: put the key back in column A"))
            continue
        want = expected_keys[i] if i < len(expected_keys) else None
        where = _where(origin, 0, r)
        if key not in known:
            problems.append(Problem(where, key, "unknown lever key" + lv.suggest(key, list(known))
                                    + (f"; expected {want} here" if want else "")))
            break
        if key != want:
            what = "a row was deleted or the rows were reordered" if want else "a row is repeated"
            problems.append(Problem(where, key, f"expected {want} here: {what} (keep the Inputs rows in the order built, "
                                    "or rebuild the workbook)"))
            break
        i += 1
        rec, errs = _record(rows, r, key, base, origin)
        problems += errs
        if rec is not None:
            records.append((key, rec, _where(origin, VALUE_COLS["central"], r)))
            rows_of[key] = r
    else:
        if i < len(expected_keys):
            problems.append(Problem(f"{origin}!A{len(rows) + 1}", expected_keys[i],
                                    f"missing: the Inputs sheet ends before this lever ({len(expected_keys) - i} rows deleted?)"))
    if problems:
        raise AssumptionError(problems)
    try:
        return build(records, options, base.sources, base.scenarios, origin=origin, extra=base.extra, prices=base.prices)
    except AssumptionError as e:
        raise AssumptionError([_at_cell(p, rows_of, origin) for p in e.problems]) from None


#: Where each field of a lever row is, for messages (zero-based columns).
FIELD_COLS = {f: L.LEVER_COLS.index(f) for f in ("label", "unit", "price_base", "source", "basis", "reasoning", "note", "derivation", "category")}


def _at_cell(p: Problem, rows_of: dict[str, int], origin: str) -> Problem:
    """A cross-lever problem about a row's price base is reported at its price-base cell (column H), not its value."""
    if p.key in rows_of and p.message.startswith(("price base", "price year")):
        return Problem(_where(origin, FIELD_COLS["price_base"], rows_of[p.key]), p.key, p.message)
    return p


def _record(rows, r: int, key: str, base: Assumptions, origin: str) -> tuple[dict | None, list[Problem]]:
    """One lever row → a lever record as in the YAML files (None: an untouched catalogue default)."""
    spec = lv.spec_for(key)
    problems = []
    trio = {}
    for name, c in VALUE_COLS.items():
        raw = _cell(rows, r, c)
        value, err = coerce_value(raw, spec)
        if err:
            problems.append(Problem(_where(origin, c, r), key, f"{name}: {err}"))
        trio[name] = value
    if problems:
        return None, problems
    old = base.levers.get(key)
    if old is not None:  # the sheet holds 16 significant digits: an unchanged value keeps the base's last bits
        trio = {name: _same(v, getattr(old, name)) for name, v in trio.items()}
    text = {f: _text(_cell(rows, r, L.LEVER_COLS.index(f)))
            for f in ("label", "source", "basis", "reasoning", "note", "derivation", "category")}
    unit = _text(_cell(rows, r, 2))
    if unit != spec.unit:
        problems.append(Problem(_where(origin, 2, r), key, f"unit {unit!r} changed: expected {spec.unit}"))
        return None, problems
    lo, mid, hi = trio["low"], trio["central"], trio["high"]
    if text["basis"] == "default":
        if lo == mid == hi == spec.default or lo is mid is hi is None and spec.default is None:
            return None, []
        text["basis"] = "judgement"
        text["reasoning"] = text["reasoning"] or f"Changed from the catalogue default in the workbook ({_where(origin, 4, r)})."
    rec: dict = {"label": text["label"] or spec.label, "unit": spec.unit}
    if spec.unit in lv.MONEY_UNITS:
        pb = _cell(rows, r, L.LEVER_COLS.index("price_base"))
        if isinstance(pb, float) and pb.is_integer():
            pb = int(pb)
        rec["price_base"] = pb if pb is not None else base.price_base_year
    rec["value"] = mid if lo == mid == hi else {"low": lo, "central": mid, "high": hi}
    for f in ("source", "basis", "derivation", "reasoning", "category", "note"):
        if text[f] is not None:
            rec[f] = text[f]
    problems = [Problem(_where(origin, FIELD_COLS.get(f, 0), r), key, message) for f, message in field_problems(rec, spec, base.sources, key)]
    return (None, problems) if problems else (rec, [])


def _same(value, before):
    """``before`` when ``value`` is ``before`` as written to the sheet (``%.16g``), else ``value``."""
    if value is None or before is None:
        return value
    return before if "%.16g" % value == "%.16g" % before else value


def sources_from_rows(rows: Sequence[Sequence], origin: str = "Sources") -> dict[str, Source]:
    """The Sources sheet (header in row 3; column H lists the levers citing each, I the identifier) → source records."""
    out = {}
    fields = ("key", "title", "publisher", "year", "url", "section", "note", "cited_by", "identifier")
    for row in rows[3:]:
        row = list(row or [])
        if not row or _text(row[0]) is None:
            continue
        vals = {f: (row[i] if i < len(row) else None) for i, f in enumerate(fields)}
        year = vals["year"]
        year = int(year) if isinstance(year, float) and year.is_integer() else (year if year is not None else "")
        out[_text(vals["key"])] = Source(key=_text(vals["key"]), title=_text(vals["title"]) or "",
                                         publisher=_text(vals["publisher"]) or "", year=year,
                                         **{f: _text(vals[f]) or "" for f in ("url", "section", "note", "identifier")})
    return out


def read_workbook(path, base: Assumptions) -> Assumptions:
    """Read an .xlsx's Inputs and Sources sheets (openpyxl, with defusedxml) into Assumptions."""
    import openpyxl
    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=False, read_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file is an input problem
        raise AssumptionError([Problem(str(path), "", f"cannot read as an .xlsx workbook: {type(e).__name__}: {e}")]) from None
    try:
        for sheet in ("Inputs", "Sources"):
            if sheet not in wb.sheetnames:
                raise AssumptionError([Problem(str(path), sheet, f"no {sheet} sheet: expected a workbook built by "
                                               "costmodel workbook build")])
        rows = [list(r) for r in wb["Inputs"].iter_rows(values_only=True)]
        sources = sources_from_rows([list(r) for r in wb["Sources"].iter_rows(values_only=True)])
    finally:
        wb.close()
    base = replace(base, sources={**base.sources, **sources})
    return assumptions_from_inputs_rows(rows, base, origin="Inputs")
