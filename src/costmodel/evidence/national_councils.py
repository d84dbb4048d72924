"""Which councils a national run covers, and each one's assumptions built in memory as ``init --council`` builds them.

The selection: every council of the packaged statistics, or those named (``--council``, ``--file``), narrowed by
region and by the latest Ofsted (ILACS) overall judgement. Each council is built with
:func:`costmodel.evidence.council_init.council_set` (the one mapping from the statistics to the levers); a name
that matches no council, or a council whose assumptions cannot be built, becomes a
:class:`~costmodel.national.Failed` with the reason, so the run goes on without it and says so.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..councils import find_region
from ..errors import CostmodelError
from ..files.safe_yaml import read_bytes
from ..national import Built, Council, Failed
from .council_init import council_set
from .council_record import council_refs, find, inspections, regions

#: ``--ofsted`` words → the ILACS overall grade (1 outstanding … 4 inadequate).
OFSTED = {"outstanding": 1, "good": 2, "requires_improvement": 3, "inadequate": 4}
#: Header cells that name the column of codes or names in a ``--file`` CSV (the first found is used).
FILE_COLUMNS = ("la_code", "code", "dfe_code", "la_name", "name", "council")


def ofsted_grade(word: str) -> int:
    """``requires-improvement`` or ``requires_improvement`` → 3; anything else is an input error."""
    key = word.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in OFSTED:
        raise CostmodelError(f"--ofsted {word!r}: expected one of {', '.join(OFSTED)}")
    return OFSTED[key]


def read_names(path: Path) -> list[str]:
    """The councils a ``--file`` lists: a text file of one name or code a line (``#`` starts a comment), or a CSV
    whose header has a column ``la_code``, ``code``, ``dfe_code``, ``la_name``, ``name`` or ``council``."""
    try:
        text = read_bytes(Path(path), "council names or codes", "a list of councils is a few KB").decode("utf-8-sig")
    except OSError as e:
        raise CostmodelError(f"--file {path}: cannot read it ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise CostmodelError(f"--file {path}: is not UTF-8 text (byte {e.start}); save it as UTF-8 or CSV UTF-8") from None
    except ValueError as e:  # not a regular file, or too large
        raise CostmodelError(f"--file {path}: {e}") from None
    if Path(path).suffix.lower() == ".csv":
        rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
        header = [cell.strip().lower() for cell in rows[0]] if rows else []
        column = next((header.index(c) for c in FILE_COLUMNS if c in header), None)
        if column is None:
            raise CostmodelError(f"--file {path}: expected a header with one of the columns {', '.join(FILE_COLUMNS)}")
        names = [r[column].strip() for r in rows[1:] if len(r) > column and r[column].strip()]
    else:
        names = [line.split("#", 1)[0].strip() for line in text.splitlines()]
        names = [n for n in names if n]
    if not names:
        raise CostmodelError(f"--file {path}: lists no council")
    return names


def _council(ref) -> Council:
    return Council(ref.code, ref.name, ref.region, ref.dfe_code)


def select(queries=(), region=(), ofsted=()) -> tuple[list[Council], list[Failed]]:
    """The councils named by ``queries`` (all of them when none is named), in ``region`` (any of those named) and with
    one of the ``ofsted`` judgements (words of :data:`OFSTED`), by name; and the names that matched no council."""
    failed, refs = [], []
    if queries:
        for q in queries:
            try:
                ref = find(q).council
            except CostmodelError as e:
                failed.append(Failed(q, str(e)))
                continue
            if ref not in refs:
                refs.append(ref)
    else:
        refs = list(council_refs())
    if region:
        wanted = {find_region(r, regions()) for r in region}
        refs = [r for r in refs if r.region in wanted]
    if ofsted:
        grades = {ofsted_grade(w) for w in ofsted}
        refs = [r for r in refs if (i := inspections(r.code)) and i[-1].grade in grades]
    return [_council(r) for r in sorted(refs, key=lambda r: (r.name, r.code))], failed


def build(c: Council) -> Built | Failed:
    """The council's assumptions as ``init --council`` builds them, in memory; a :class:`Failed` with the reason when
    they cannot be built (the run goes on without it)."""
    try:
        _, baseline = council_set(c.code)
    except Exception as e:  # noqa: BLE001 - one council's data must not stop the national run: reported, not hidden
        reason = str(e) if isinstance(e, CostmodelError) else f"{type(e).__name__}: {e}"
        return Failed(c.code, reason, c)
    return Built(c, baseline.assumptions, tuple(baseline.fallbacks))
