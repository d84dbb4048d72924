"""Put back the quote prefix that LibreOffice drops when it re-saves a workbook.

:func:`costmodel.workbook.layout.finish` sets ``quotePrefix`` on every text cell that starts like a
formula (``= + - @``), so that Excel keeps it text even when the cell is edited. LibreOffice keeps such
cells as text when it recalculates a book, but writes every cell style with ``quotePrefix="0"``. Loading
and re-saving the book with openpyxl would lose its charts, so :func:`restore_quote_prefix` patches the
.xlsx parts directly: for each text cell (shared or inline string) whose text starts like a formula it adds
(once per style) a copy of the cell's style with ``quotePrefix="1"`` and points the cell at it. Nothing
else in the file changes.
"""
from __future__ import annotations

import html
import io
import re
import zipfile

from ..render.text import FORMULA_START

SHARED_STRINGS = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"
_SI = re.compile(r"<si>(.*?)</si>", re.S)
_FIRST_T = re.compile(r"<t(?:\s[^>]*)?>([^<]*)</t>|<t\s*/>", re.S)
_CELL = re.compile(r'<c ([^>]*?)t="(s|inlineStr)"([^>]*)>(<v>(\d+)</v>|<is>.*?</is>)', re.S)
_STYLE = re.compile(r'\bs="(\d+)"')
_XFS = re.compile(r"(<cellXfs[^>]*>)(.*?)(</cellXfs>)", re.S)
_XF = re.compile(r"<xf\b[^>]*/>|<xf\b[^>]*>.*?</xf>", re.S)


def formula_like_strings(shared: str) -> set[int]:
    """Indices of the shared strings whose text starts with ``= + - @``."""
    out = set()
    for i, m in enumerate(_SI.finditer(shared)):
        first = _FIRST_T.search(m.group(1))
        text = html.unescape(first.group(1) or "") if first else ""
        if text.startswith(FORMULA_START):
            out.add(i)
    return out


def restore_quote_prefix(data: bytes) -> bytes:
    """The .xlsx ``data`` with the quote prefix set on every formula-like text cell (unchanged if there is none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        if STYLES not in names:
            return data
        texts = formula_like_strings(z.read(SHARED_STRINGS).decode("utf-8")) if SHARED_STRINGS in names else set()
        styles = z.read(STYLES).decode("utf-8")
        block = _XFS.search(styles)
        if block is None:
            return data
        xfs = _XF.findall(block.group(2))
        added: dict[int, int] = {}  # style → its copy with the quote prefix

        def with_prefix(style: int) -> int:
            if style not in added:
                xf = re.sub(r'\squotePrefix="[^"]*"', "", xfs[style])
                xfs.append(xf.replace("<xf", '<xf quotePrefix="1"', 1))
                added[style] = len(xfs) - 1
            return added[style]

        def cell(m: re.Match) -> str:
            if m.group(2) == "s":
                formula_like = int(m.group(5)) in texts
            else:
                first = _FIRST_T.search(m.group(4))
                formula_like = bool(first) and html.unescape(first.group(1) or "").startswith(FORMULA_START)
            if not formula_like:
                return m.group(0)
            attrs = f'{m.group(1)}t="{m.group(2)}"{m.group(3)}'
            found = _STYLE.search(attrs)
            style = int(found.group(1)) if found else 0
            if style >= len(xfs) or 'quotePrefix="1"' in xfs[style]:
                return m.group(0)
            new = f's="{with_prefix(style)}"'
            attrs = _STYLE.sub(new, attrs, count=1) if found else f"{attrs} {new}"
            return f"<c {attrs}>{m.group(4)}"

        sheets = {n: _CELL.sub(cell, z.read(n).decode("utf-8")) for n in names if n.startswith("xl/worksheets/sheet")}
        if not added:
            return data
        opening = re.sub(r'count="\d+"', f'count="{len(xfs)}"', block.group(1))
        styles = styles[:block.start()] + opening + "".join(xfs) + block.group(3) + styles[block.end():]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
            for info in z.infolist():
                body = styles.encode("utf-8") if info.filename == STYLES else \
                    sheets[info.filename].encode("utf-8") if info.filename in sheets else z.read(info.filename)
                w.writestr(info, body)
    return out.getvalue()
