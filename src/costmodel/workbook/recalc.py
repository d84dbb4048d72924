"""Recalculate workbooks with LibreOffice headless, so that their formula cells carry computed values.

openpyxl writes formulas without cached values; tools that read cached values (and phone previews)
then see nothing. ``soffice --convert-to xlsx`` loads a book, recalculates it and saves it again.
Each run uses a private profile (``-env:UserInstallation``) set to recalculate on every load, so
parallel runs do not clash and books already holding stale values are recalculated too.
Install with ``apt-get install -y --no-install-recommends libreoffice-calc-nogui``.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import ToolError
from ..files.atomic import temp_folder
from ..files.children import run_child
from .quote_prefix import restore_quote_prefix

CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
              "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice")

# Recalculate OOXML and ODF files on every load (0 = always), whatever the file holds.
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str:
    """The path of ``soffice``: ``$COSTMODEL_SOFFICE``, else PATH, else the usual install places."""
    env = os.environ.get("COSTMODEL_SOFFICE")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise ToolError(f"COSTMODEL_SOFFICE={env} is not an executable soffice")
        return env
    for c in CANDIDATES:
        found = shutil.which(c) or (c if os.path.isabs(c) and os.access(c, os.X_OK) else None)
        if found:
            return found
    raise ToolError("LibreOffice is not installed: install it (Debian/Ubuntu: apt-get install -y "
                             "--no-install-recommends libreoffice-calc-nogui) or set COSTMODEL_SOFFICE to soffice's path")


def recalculate_many(paths, outdir, timeout: float = 600) -> list[Path]:
    """Recalculate several workbooks in one LibreOffice run; the results go to ``outdir`` under the same names."""
    paths = [Path(p).resolve() for p in paths]
    outdir = Path(outdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    if any(p.parent == outdir for p in paths):
        raise ValueError("the output folder must differ from the inputs' folder")
    soffice = find_soffice()
    with temp_folder("lo") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), *map(str, paths)]
        done = run_child(cmd, timeout, "LibreOffice")
    out = [outdir / p.name for p in paths]
    missing = [p for p in out if not p.exists()]
    if done.returncode != 0 or missing:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise ToolError(f"LibreOffice did not recalculate {', '.join(p.name for p in missing) or 'the workbook'}"
                           + (f": {detail[-1]}" if detail else ""))
    return out


def recalculate(path_in, path_out) -> Path:
    """Recalculate one workbook with LibreOffice headless and write it (with cached values and its quote prefixes) to ``path_out``."""
    path_in, path_out = Path(path_in), Path(path_out)
    with temp_folder("recalc") as tmp:
        [done] = recalculate_many([path_in], Path(tmp) / "out")
        path_out.write_bytes(restore_quote_prefix(done.read_bytes()))  # LibreOffice drops it on saving
    return path_out
