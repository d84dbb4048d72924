"""Store each formula cell's computed value beside its formula in a saved .xlsx (the ``<v>`` of ``<c><f>``).

openpyxl writes ``<c r="H9"><f>…</f><v/></c>``: this fills the ``<v>`` with the value from
``evaluate.py`` (and the cell type: ``str`` for text, ``b`` for TRUE/FALSE, ``e`` for an error), so a
reader that does not recalculate sees the numbers. The book still sets ``fullCalcOnLoad``: a
spreadsheet recomputes everything on opening. A formula without a value stays empty.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from xml.sax.saxutils import escape

from .evaluate import UNKNOWN, evaluate
from .functions import XLError

CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v ?/></c>')
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet title → its part name in the package (through the workbook's relationships)."""
    from xml.etree import ElementTree as ET  # the package we just wrote, not user input
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    book = ET.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for sheet in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"):
        target = targets[sheet.get(f"{{{NS_REL}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return out


def cell_xml(match, values: dict) -> bytes:
    coord, attrs, formula = match.group(1).decode(), match.group(2), match.group(3)
    value = values.get(coord, UNKNOWN)
    if value is UNKNOWN:
        return match.group(0)
    if isinstance(value, XLError):
        kind, text = b' t="e"', value.code
    elif isinstance(value, bool):
        kind, text = b' t="b"', "1" if value else "0"
    elif isinstance(value, (int, float)):
        kind, text = b"", repr(float(value)) if not float(value).is_integer() else str(int(value))
    else:
        kind, text = b' t="str"', escape(str(value))
    attrs = re.sub(rb' t="[^"]*"', b"", attrs)
    return b'<c r="%s"%s%s><f>%s</f><v>%s</v></c>' % (coord.encode(), attrs, kind, formula, text.encode())


def with_cached_values(wb, data: bytes) -> bytes:
    """The saved package ``data`` of ``wb`` with every computable formula value stored in its sheet XML."""
    values: dict[str, dict] = {}
    for (sheet, coord), value in evaluate(wb).items():
        values.setdefault(sheet, {})[coord] = value
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {part: values.get(title, {}) for title, part in sheet_parts(src).items()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename in parts and parts[item.filename]:
                body = CELL.sub(lambda m, v=parts[item.filename]: cell_xml(m, v), body)
            dst.writestr(item, body)
    return out.getvalue()
