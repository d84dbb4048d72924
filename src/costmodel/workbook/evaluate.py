"""A small evaluator of the workbook's own formulas, to store each formula cell's value in the file.

openpyxl writes formulas without values, so a reader that does not recalculate (a previewer, pandas,
``load_workbook(data_only=True)``) sees blanks. :func:`evaluate` computes every formula cell of a
workbook built by ``build.py`` with Excel's rules for the functions the book uses (the Excel 2010
subset in :data:`FUNCTIONS`): blanks count as 0, text in a referenced range is skipped by SUM, MAX,
MIN, COUNT, AND and OR, errors (#N/A, #VALUE!, #DIV/0!, #NUM!, #REF!) propagate and IFERROR and
ISNUMBER catch them. The values are the book's own arithmetic in double precision, so they equal
LibreOffice's and the engine's to rounding (the tests check all three, and a second engine).
A formula it does not know is left without a value (``UNKNOWN``), never guessed.
"""
from __future__ import annotations

import math
import re
import sys

from openpyxl.utils import column_index_from_string

from .functions import FUNCTIONS, LAZY, XLError, compare, num, text
from .functions import value_of as single  # a range where one value is expected: its only cell

UNKNOWN = object()  # a formula this evaluator cannot compute: no cached value is written
REF = re.compile(r"^(?:(?:'((?:[^']|'')+)'|([A-Za-z0-9_.]+))!)?\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
CELL_REF = r"\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?"
TOKEN = re.compile(rf"""\s*(?:
  (?P<text>"(?:[^"]|"")*")
| (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!)?{CELL_REF}(?![A-Za-z0-9_.(]))
| (?P<func>[A-Za-z_][A-Za-z0-9_.]*)\(
| (?P<number>[0-9]+(?:\.[0-9]*)?(?:[Ee][+-]?[0-9]+)?|\.[0-9]+(?:[Ee][+-]?[0-9]+)?)
| (?P<logical>TRUE|FALSE)(?![A-Za-z0-9_.(])
| (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
| (?P<op><>|<=|>=|[-+*/^&=<>%])
| (?P<punct>[(),])
)""", re.VERBOSE)
BINARY = {"^": 5, "*": 4, "/": 4, "+": 3, "-": 3, "&": 2, "=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1}


class Unsupported(Exception):
    """A construct outside the subset: the cell keeps no cached value."""


class Range:
    """A rectangle of cells on one sheet (1-based, inclusive), read lazily through the book."""

    def __init__(self, book, sheet: str, r1: int, c1: int, r2: int, c2: int):
        self.book, self.sheet, self.r1, self.c1, self.r2, self.c2 = book, sheet, r1, c1, r2, c2

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    def cell(self, i: int, j: int):
        """Value at 0-based (i, j) of the rectangle (an XLError value stays a value here)."""
        v = self.book.value(self.sheet, self.r1 + i, self.c1 + j)
        if v is UNKNOWN:
            raise Unsupported("a cell without a value")
        return v

    def values(self) -> list:
        return [self.cell(i, j) for i in range(self.shape[0]) for j in range(self.shape[1])]


class Book:
    """The formula cells of an openpyxl workbook, evaluated on demand and remembered."""

    def __init__(self, wb):
        self.wb = wb
        self.names = {}
        for name, dn in wb.defined_names.items():
            dest = list(dn.destinations)
            if len(dest) == 1:
                self.names[name.lower()] = dest[0]
        self.cells = {ws.title: ws._cells for ws in wb.worksheets}
        self.done: dict = {}
        self.compiled: dict = {}
        self.refs: dict = {}

    def value(self, sheet: str, row: int, col: int):
        """A cell's value: typed, or its formula's (an XLError value for an error; UNKNOWN if not computable)."""
        key = (sheet, row, col)
        if key in self.done:
            return self.done[key]
        cell = self.cells[sheet].get((row, col))
        if cell is None or cell.data_type != "f" or not isinstance(cell.value, str):
            return None if cell is None else cell.value
        self.done[key] = UNKNOWN  # a cycle reads as unknown, never loops
        try:
            out = single(self.formula(sheet, cell.value)())
        except XLError as e:
            out = e
        except Unsupported:
            out = UNKNOWN
        self.done[key] = 0.0 if out is None else out
        return self.done[key]

    def formula(self, sheet: str, source: str):
        if (sheet, source) not in self.compiled:
            self.compiled[sheet, source] = Parser(self, source, sheet).parse()
        return self.compiled[sheet, source]

    def reference(self, token: str, here: str | None = None) -> Range:
        """A range, a cell or a defined name as a :class:`Range` (remembered: ranges do not change)."""
        if (token, here) not in self.refs:
            self.refs[token, here] = self._reference(token, here)
        return self.refs[token, here]

    def _reference(self, token: str, here: str | None) -> Range:
        target = self.names.get(token.lower())
        if target is not None:
            sheet, ref = target
            return self.reference(f"'{sheet}'!{ref}")
        m = REF.match(token)
        if not m:
            raise Unsupported(token)
        sheet = (m.group(1) or "").replace("''", "'") or m.group(2) or here
        r1, c1 = int(m.group(4)), column_index_from_string(m.group(3))
        r2, c2 = (int(m.group(6)), column_index_from_string(m.group(5))) if m.group(5) else (r1, c1)
        if sheet not in self.cells:
            raise Unsupported(f"no sheet {sheet}")
        return Range(self, sheet, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def tokens(source: str) -> list[tuple[str, str]]:
    """Formula text (without its ``=``) → (kind, text) tokens; a ``-`` or ``+`` after an operator, ``(`` or ``,``
    (or first) is a prefix ``neg`` / ``pos``; a function's ``(`` is part of its ``func`` token."""
    out, i = [], 0
    while i < len(source):
        m = TOKEN.match(source, i)
        if not m or m.end() == i:
            if source[i:].strip():
                raise Unsupported(source[i:])
            break
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "op" and value in "-+" and (not out or out[-1][0] in ("op", "neg", "pos", "func")
                                               or out[-1][1] in ("(", ",")):
            kind = "neg" if value == "-" else "pos"
        out.append((kind, value))
        i = m.end()
    return out


class Parser:
    """Formula text → a closure computing its value (precedence climbing over :func:`tokens`)."""

    def __init__(self, book: Book, source: str, sheet: str):
        self.book, self.sheet = book, sheet
        self.tokens = tokens(source[1:] if source.startswith("=") else source)
        self.i = 0

    def parse(self):
        expr = self.expression(0)
        if self.i != len(self.tokens):
            raise Unsupported("trailing tokens")
        return expr

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i] if self.i < len(self.tokens) else ("end", "")

    def expression(self, level: int):
        left = self.unary()
        while (t := self.peek())[0] == "op" and BINARY.get(t[1], -1) >= level:
            self.i += 1
            left = binary(t[1], left, self.expression(BINARY[t[1]] + 1))
        return left

    def unary(self):
        kind, _ = self.peek()
        if kind in ("neg", "pos"):
            self.i += 1
            inner = self.unary()
            return (lambda: -num(single(inner()))) if kind == "neg" else (lambda: num(single(inner())))
        return self.primary()

    def primary(self):
        kind, value = self.peek()
        self.i += 1
        if kind == "punct" and value == "(":
            inner = self.expression(0)
            self.expect(")")
            return inner
        if kind == "func":
            return self.call(value.upper())
        if kind == "number":
            x = float(value)
            return lambda: x
        if kind == "text":
            t = value[1:-1].replace('""', '"')
            return lambda: t
        if kind == "logical":
            b = value == "TRUE"
            return lambda: b
        if kind in ("ref", "name"):
            ref = self.book.reference(value, self.sheet)
            return lambda: ref
        raise Unsupported(value)

    def expect(self, punct: str) -> None:
        if self.peek() != ("punct", punct):
            raise Unsupported(f"expected {punct}")
        self.i += 1

    def call(self, name: str):
        if name not in FUNCTIONS:
            raise Unsupported(name)
        args = []
        while self.peek() != ("punct", ")"):
            args.append(self.expression(0))
            if self.peek() == ("punct", ","):
                self.i += 1
            elif self.peek() != ("punct", ")"):
                raise Unsupported("bad arguments")
        self.i += 1
        fn = FUNCTIONS[name]
        if name in LAZY:
            return lambda: fn(*args)
        return lambda: fn(*[a() for a in args])


def binary(op: str, left, right):
    """The closure of an infix operator (arguments reduced to single values first)."""
    def run():
        a, b = single(left()), single(right())
        if op == "&":
            return text(a) + text(b)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            return compare(op, a, b)
        x, y = num(a), num(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            if y == 0:
                raise XLError("#DIV/0!")
            return x / y
        return power(x, y)
    return run


def power(x: float, y: float) -> float:
    if x == 0 and y < 0:
        raise XLError("#DIV/0!")
    if x < 0 and not float(y).is_integer():
        raise XLError("#NUM!")
    try:
        out = x ** y
    except OverflowError:
        raise XLError("#NUM!") from None
    if isinstance(out, complex) or math.isinf(out):
        raise XLError("#NUM!")
    return out


def evaluate(wb) -> dict[tuple[str, str], object]:
    """Every formula cell's value, keyed by (sheet title, coordinate); UNKNOWN where it cannot be computed."""
    book = Book(wb)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 100_000))  # a month row reads the month before it: deep, never cyclic
    try:
        out = {}
        for ws in wb.worksheets:
            for (row, col), cell in sorted(ws._cells.items()):
                if cell.data_type == "f" and isinstance(cell.value, str):
                    out[(ws.title, cell.coordinate)] = book.value(ws.title, row, col)
        return out
    finally:
        sys.setrecursionlimit(limit)
