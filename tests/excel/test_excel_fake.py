"""A small fake of the Excel boundary (xlwings Book / Sheets / Sheet / Range / Charts / App).

It has exactly the methods :mod:`costmodel.excel.app` uses, behaves like xlwings where it matters
(numbers read back as floats, ``used_range`` starts at the first used cell, a duplicate sheet name is
an error), and records the application state at every write so tests can check that writes happen
with calculation manual and screen updating off. ``fail_on`` names an operation to make fail.
"""
from __future__ import annotations

import re

import pytest

_A1 = re.compile(r"^([A-Z]+)(\d+)$")


def a1_to_rc(a1: str) -> tuple[int, int]:
    m = _A1.match(a1.replace("$", "").upper())
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


class FakeError(RuntimeError):
    """What a failing Excel call raises in the fake."""


class FakeApp:
    def __init__(self):
        self.calculation = "automatic"
        self.screen_updating = True
        self.alerts: list[dict] = []
        self.fail_on: set[str] = set()

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode})

    def calculate(self):
        pass

    def check(self, op: str):
        if op in self.fail_on:
            raise FakeError(f"simulated Excel failure in {op}")


class FakeRange:
    def __init__(self, sheet, r1, c1, r2=None, c2=None, ndim=None):
        self.sheet, self.r1, self.c1 = sheet, r1, c1
        self.r2, self.c2 = (r1 if r2 is None else r2), (c1 if c2 is None else c2)
        self.ndim = ndim

    # --- geometry ---
    @property
    def row(self):
        return self.r1

    @property
    def column(self):
        return self.c1

    @property
    def last_cell(self):
        return FakeRange(self.sheet, self.r2, self.c2)

    @property
    def left(self):
        return (self.c1 - 1) * 48.0

    @property
    def top(self):
        return (self.r1 - 1) * 15.0

    def options(self, ndim=None, **_):
        return FakeRange(self.sheet, self.r1, self.c1, self.r2, self.c2, ndim)

    # --- values ---
    @staticmethod
    def _read(v):
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, (int, float)):
            return float(v)  # Excel holds every number as a double
        return v

    @property
    def value(self):
        self.sheet.book.app.check("read")
        self.sheet.reads.append((self.r1, self.c1, self.r2, self.c2))
        rows = [[self._read(self.sheet.cells.get((r, c))) for c in range(self.c1, self.c2 + 1)]
                for r in range(self.r1, self.r2 + 1)]
        if self.ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        return rows

    @value.setter
    def value(self, data):
        app = self.sheet.book.app
        app.check("write")
        rows = data if isinstance(data, list) and data and isinstance(data[0], list) else (
            [data] if isinstance(data, list) else [[data]])
        self.sheet.writes.append({"at": (self.r1, self.c1), "shape": (len(rows), max(len(r) for r in rows)),
                                  "calculation": app.calculation, "screen_updating": app.screen_updating})
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None:
                    self.sheet.cells.pop((self.r1 + i, self.c1 + j), None)
                else:
                    self.sheet.cells[(self.r1 + i, self.c1 + j)] = v

    @property
    def number_format(self):
        return self.sheet.formats.get((self.r1, self.c1, self.r2, self.c2), "General")

    @number_format.setter
    def number_format(self, fmt):
        self.sheet.formats[(self.r1, self.c1, self.r2, self.c2)] = fmt


class FakeChart:
    def __init__(self, left, top, width, height):
        self.left, self.top, self.width, self.height = left, top, width, height
        self.source = None
        self.chart_type = "column_clustered"

    def set_source_data(self, rng):
        self.source = (rng.r1, rng.c1, rng.r2, rng.c2)


class FakeCharts(list):
    def __init__(self, sheet):
        super().__init__()
        self.sheet = sheet

    def add(self, left=0, top=0, width=355, height=211):
        self.sheet.book.app.check("charts.add")
        chart = FakeChart(left, top, width, height)
        self.append(chart)
        return chart


class FakeSheet:
    def __init__(self, book, name):
        self.book, self._name = book, name
        self.cells: dict[tuple[int, int], object] = {}
        self.formats: dict = {}
        self.reads: list = []
        self.writes: list = []
        self.charts = FakeCharts(self)
        self.autofitted = False

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, new):
        if any(s is not self and s.name.lower() == new.lower() for s in self.book.sheets):
            raise FakeError(f"a sheet named {new!r} already exists")
        self._name = new

    def range(self, first, last=None):
        r1, c1 = a1_to_rc(first) if isinstance(first, str) else first
        if last is None:
            return FakeRange(self, r1, c1)
        r2, c2 = a1_to_rc(last) if isinstance(last, str) else last
        return FakeRange(self, r1, c1, r2, c2)

    def __getitem__(self, a1):
        return self.range(a1)

    @property
    def used_range(self):
        if not self.cells:
            return FakeRange(self, 1, 1)
        rows = [r for r, _ in self.cells]
        cols = [c for _, c in self.cells]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def autofit(self, axis=None):
        self.autofitted = True

    def delete(self):
        self.book.sheets._list.remove(self)

    def grid(self) -> list[list]:
        """Test helper: the used area from A1 as a 2-D list (raw values, not via Excel)."""
        last = self.used_range.last_cell
        return [[self.cells.get((r, c)) for c in range(1, last.column + 1)] for r in range(1, last.row + 1)]


class FakeSheets:
    def __init__(self, book):
        self.book, self._list = book, []

    def __len__(self):
        return len(self._list)

    def __iter__(self):
        return iter(list(self._list))

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._list[key]
        for s in self._list:
            if s.name.lower() == key.lower():
                return s
        raise FakeError(f"no sheet named {key!r}")

    def add(self, name=None, before=None, after=None):
        self.book.app.check("sheets.add")
        name = name or f"Sheet{len(self._list) + 1}"
        if any(s.name.lower() == name.lower() for s in self._list):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = FakeSheet(self.book, name)
        index = self._list.index(after) + 1 if after is not None else (
            self._list.index(before) if before is not None else 0)
        self._list.insert(index, sheet)
        return sheet


class FakeBook:
    def __init__(self, name="costmodel_book.xlsm", app=None):
        self.name = name
        self.app = app or FakeApp()
        self.sheets = FakeSheets(self)

    @classmethod
    def from_openpyxl(cls, wb, name="costmodel_book.xlsm"):
        """A fake book holding the values (not formulas' results) of an openpyxl workbook."""
        book = cls(name)
        for ws in wb.worksheets:
            sheet = book.sheets.add(ws.title, after=book.sheets[len(book.sheets) - 1] if len(book.sheets) else None)
            for row in ws.iter_rows():
                for cell in row:
                    if cell.value is not None:
                        sheet.cells[(cell.row, cell.column)] = cell.value
        return book

    def sheet_names(self):
        return [s.name for s in self.sheets]


# --- the fake's own behaviour, so the tests that use it can be trusted ---------------------------
def test_fake_reads_numbers_as_floats_and_used_range_starts_at_first_used_cell():
    book = FakeBook()
    sheet = book.sheets.add("S")
    sheet.range("B3").value = [[1, "x"], [None, 2.5]]
    assert sheet.used_range.row == 3 and sheet.used_range.column == 2
    assert sheet.used_range.last_cell.row == 4 and sheet.used_range.last_cell.column == 3
    assert sheet.range((1, 1), (4, 3)).options(ndim=2).value[2] == [None, 1.0, "x"]
    assert isinstance(sheet.range("B3").value, float)
    assert sheet.range("B3", "C3").value == [1.0, "x"]


def test_fake_sheet_names_are_unique_and_failures_can_be_injected():
    book = FakeBook()
    book.sheets.add("Run")
    with pytest.raises(ValueError):
        book.sheets.add("run")
    book.app.fail_on.add("charts.add")
    with pytest.raises(FakeError):
        book.sheets["Run"].charts.add()
