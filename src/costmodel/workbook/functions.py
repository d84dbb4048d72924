"""Excel's rules for the worksheet functions the workbook uses (all in Excel 2010), for ``evaluate.py``.

Arguments arrive evaluated (a value or a ``Range``), except for the lazy ones (IF, IFERROR, ISNUMBER,
AND, OR, which receive closures so that an error in a branch not taken, or one they catch, does
not escape). :data:`FUNCTIONS` is also the list the workbook tests hold every formula to.
"""
from __future__ import annotations

import math


class XLError(Exception):
    """An Excel error value (#N/A, #VALUE!, #DIV/0!, #NUM!, #REF!): raised while computing, stored as the value."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def is_range(x) -> bool:
    return hasattr(x, "shape")


def value_of(x):
    """One value from an argument (a 1 x 1 range gives its cell; an error value is raised)."""
    if is_range(x):
        if x.shape != (1, 1):
            raise XLError("#VALUE!")
        x = x.cell(0, 0)
    if isinstance(x, XLError):
        raise x
    return x


def num(x) -> float:
    """A value as a number: blank is 0, TRUE is 1, numeric text is its number, other text is #VALUE!."""
    x = value_of(x)
    if x is None:
        return 0.0
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, (int, float)):
        return float(x)
    try:
        return float(str(x).strip())
    except ValueError:
        raise XLError("#VALUE!") from None


def text(x) -> str:
    """A value as text, as Excel shows a number in General format (2026, not 2026.0)."""
    x = value_of(x)
    if x is None:
        return ""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, (int, float)):
        return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))
    return str(x)


def boolean(x) -> bool:
    x = value_of(x)
    if isinstance(x, str):
        raise XLError("#VALUE!")
    return bool(num(x))


def rank(x) -> tuple:
    """Excel's comparison order: numbers < text (case-insensitive) < logicals; a blank is 0 or ""."""
    if isinstance(x, bool):
        return (2, x)
    if isinstance(x, (int, float)):
        return (0, float(x))
    return (1, str(x).lower())


def compare(op: str, a, b) -> bool:
    if a is None:
        a = "" if isinstance(b, str) else (False if isinstance(b, bool) else 0.0)
    if b is None:
        b = "" if isinstance(a, str) else (False if isinstance(a, bool) else 0.0)
    x, y = rank(a), rank(b)
    return {"=": x == y, "<>": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def numbers(args, strict: bool = True) -> list[float]:
    """The numbers of SUM / MAX / MIN / COUNT arguments: ranges give their numbers only (text, logicals and
    blanks skipped, an error raised); a direct argument is converted (text that is not a number is #VALUE!)."""
    out = []
    for a in args:
        if is_range(a):
            for v in a.values():
                if isinstance(v, XLError):
                    raise v
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out.append(float(v))
        elif strict:
            out.append(num(a))
        elif isinstance(a, (int, float)) and not isinstance(a, bool):
            out.append(float(a))
    return out


def matches(v, criterion) -> bool:
    """SUMIF / COUNTIF equality: numbers with numbers, text with text (case-insensitive), logicals with logicals."""
    if isinstance(criterion, bool) or isinstance(v, bool):
        return isinstance(v, bool) and isinstance(criterion, bool) and v == criterion
    if isinstance(criterion, (int, float)):
        return isinstance(v, (int, float)) and float(v) == float(criterion)
    return isinstance(v, str) and v.lower() == str(criterion).lower()


def f_sumif(rng, criterion, sum_range=None):
    criterion = value_of(criterion)
    sum_range = sum_range if sum_range is not None else rng
    if rng.shape != sum_range.shape:
        raise XLError("#VALUE!")
    total = 0.0
    for v, s in zip(rng.values(), sum_range.values()):
        if isinstance(v, XLError):
            continue
        if matches(v, criterion):
            if isinstance(s, XLError):
                raise s
            if isinstance(s, (int, float)) and not isinstance(s, bool):
                total += s
    return total


def f_countif(rng, criterion):
    criterion = value_of(criterion)
    return float(sum(1 for v in rng.values() if not isinstance(v, XLError) and matches(v, criterion)))


def f_index(rng, row, col=None):
    rows, cols = rng.shape
    r = int(num(row))
    c = int(num(col)) if col is not None else None
    if c is None:
        r, c = (1, r) if rows == 1 else (r, 1)
    if not (1 <= r <= rows and 1 <= c <= cols):
        raise XLError("#REF!")
    return value_of(rng.cell(r - 1, c - 1))


def f_match(value, rng, kind=1.0):
    value = value_of(value)
    if num(kind) != 0:
        raise XLError("#N/A")  # only exact matching is used (and supported)
    for i, v in enumerate(rng.values()):
        if v is not None and not isinstance(v, XLError) and matches(v, value):
            return float(i + 1)
    raise XLError("#N/A")


def f_sumproduct(*ranges):
    if len({r.shape for r in ranges}) != 1:
        raise XLError("#VALUE!")
    total = 0.0
    for vals in zip(*(r.values() for r in ranges)):
        product = 1.0
        for v in vals:
            if isinstance(v, XLError):
                raise v
            product *= float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0
        total += product
    return total


def f_if(cond, yes, no=None):
    if boolean(cond()):
        return yes()
    return no() if no is not None else False


def f_iferror(expr, alt):
    try:
        return value_of(expr())
    except XLError:
        return alt()


def f_isnumber(expr):
    try:
        v = value_of(expr())
    except XLError:
        return False
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def logicals(args) -> list[bool]:
    out = []
    for a in args:
        v = a()
        if is_range(v):
            for x in v.values():
                if isinstance(x, XLError):
                    raise x
                if isinstance(x, (bool, int, float)):
                    out.append(bool(x))
        else:
            out.append(boolean(v))
    if not out:
        raise XLError("#VALUE!")
    return out


def f_right(value, count=1.0):
    n = int(num(count))
    if n < 0:
        raise XLError("#VALUE!")
    s = text(value)
    return s[len(s) - n:] if n else ""


FUNCTIONS = {
    "SUM": lambda *a: math.fsum(numbers(a)),
    "MAX": lambda *a: max(numbers(a), default=0.0),
    "MIN": lambda *a: min(numbers(a), default=0.0),
    "COUNT": lambda *a: float(len(numbers(a, strict=False))),
    "ABS": lambda x: abs(num(x)),
    "INT": lambda x: float(math.floor(num(x))),
    "SUMIF": f_sumif,
    "COUNTIF": f_countif,
    "INDEX": f_index,
    "MATCH": f_match,
    "SUMPRODUCT": f_sumproduct,
    "RIGHT": f_right,
    "IF": f_if,
    "IFERROR": f_iferror,
    "ISNUMBER": f_isnumber,
    "AND": lambda *a: all(logicals(a)),
    "OR": lambda *a: any(logicals(a)),
}
LAZY = {"IF", "IFERROR", "ISNUMBER", "AND", "OR"}
