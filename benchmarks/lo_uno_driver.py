"""Recalculate the costmodel workbook in LibreOffice through UNO, workbook kept open (like a Data Table).

Run with Debian's /usr/bin/python3 (it has the ``uno`` module from python3-uno):
    /usr/bin/python3 lo_uno_driver.py BOOK.xlsx DRAWS.json RESULT.json
``$COSTMODEL_SOFFICE`` names the soffice to start (as for ``costmodel workbook recalc``), else ``soffice``
on the PATH.
DRAWS.json: {"cells": [[sheet, "E34"], ...] (input cells), "rows": [[value, ...], ...], "outputs": [defined names]}.
Writes {"seconds": ..., "recalcs": n, "outputs": [[...], ...]}.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno  # noqa: F401  (python3-uno)
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main(book, draws_path, out_path):
    spec = json.load(open(draws_path))
    profile = tempfile.mkdtemp(prefix="lo-bench-profile-")
    pipe = f"costmodel_bench_{os.getpid()}"
    soffice = os.environ.get("COSTMODEL_SOFFICE") or "soffice"
    proc = subprocess.Popen([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
                             "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(120):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.5)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(os.path.abspath(book))
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        doc.enableAutomaticCalculation(False)
        ranges = doc.NamedRanges
        cell = lambda n: ranges.getByName(n).getReferredCells().getCellByPosition(0, 0)  # noqa: E731
        inputs = [doc.Sheets.getByName(sheet).getCellRangeByName(ref) for sheet, ref in spec["cells"]]
        outputs = [cell(n) for n in spec["outputs"]]
        doc.calculateAll()
        results = []
        t0 = time.perf_counter()
        for row in spec["rows"]:
            for c, x in zip(inputs, row):
                c.setValue(x)
            doc.calculateAll()
            results.append([c.getValue() for c in outputs])
        seconds = time.perf_counter() - t0
        json.dump({"seconds": seconds, "recalcs": len(spec["rows"]), "outputs": results}, open(out_path, "w"))
        doc.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
