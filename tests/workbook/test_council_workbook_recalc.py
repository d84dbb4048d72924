"""Parity for councils' own folders: the workbook of a folder ``costmodel init --council`` wrote, recalculated by
LibreOffice, gives the engine's numbers, including money at a price year other than the bundled ones (Wandsworth's
2023-24 outturn) and a joint workforce return's shares (Richmond upon Thames). One LibreOffice run."""
from __future__ import annotations

import shutil

import pytest

from costmodel.evidence.council_init import init_council
from costmodel.workbook.build import build_workbook, save_workbook
from costmodel.workbook.recalc import recalculate_many
from test_workbook_recalc import check_parity

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(shutil.which("soffice") is None,
                                                          reason="LibreOffice (soffice) is not installed")]


def test_councils_workbooks_equal_the_engine(tmp_path):
    sets, paths = {}, []
    for name in ("Wandsworth", "Richmond upon Thames"):
        *_, a = init_council(name, tmp_path / name.replace(" ", "_"))
        sets[name] = a
        paths.append(save_workbook(build_workbook(a), tmp_path / f"{name.replace(' ', '_')}.xlsx"))
    assert sets["Wandsworth"].levers["baseline.outset_spend"].price_base == 2023
    out = recalculate_many(paths, tmp_path / "out")
    for name, path in zip(sets, out):
        assert check_parity(path, sets[name]) > 4 * 13 * 120
