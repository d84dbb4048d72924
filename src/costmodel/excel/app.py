"""The Excel boundary: the only module that calls xlwings' Excel API (imported lazily, inside functions).

``RunPython`` entry points, one per job, each taking the calling book::

    RunPython "import costmodel.excel.app as c; c.compare()"

``compare``, ``montecarlo``, ``tornado``, ``switching`` and ``read_inputs`` each read the ``Inputs``
sheet in one bulk read (and the ``Run`` sheet's settings), compute everything in
:mod:`costmodel.excel.jobs`, and only then write the result sheet in one whole-range write,
with screen updating off and calculation manual, both restored afterwards even on error. The
result goes to a new sheet first and replaces the old result sheet only when written, so an error
never leaves a half-written result. Errors go to ``Run!Last run`` and a message box.
``main()`` runs the job named in ``Run!Action`` (the xlwings "Run main" button and the
``SampleCall`` macro call it through the book's companion module).

Excel exists on Windows and macOS only; on Linux every entry point needs a ``book`` object with the
same methods (the tests pass a fake one).
"""
from __future__ import annotations

import datetime as dt

from ..errors import CostmodelError, ToolError
from ..finite import check_finite
from . import jobs as logic

STATUS_LABEL = logic.SETTINGS["status"][0]
CHART_SIZE = (520, 300)  # width, height in points


def excel_message() -> str:
    return ("this needs Microsoft Excel on Windows or macOS with xlwings (pip install \"costmodel[excel]\"); "
            "on Linux use the command line (costmodel compare, montecarlo, tornado, switching) or "
            "'costmodel excel workbook' to make the .xlsm to open on a machine with Excel")


def caller_book():
    """The workbook that called ``RunPython`` (``xw.Book.caller()``); never kept in a module global."""
    try:
        import xlwings as xw
    except ImportError as e:
        raise ToolError(excel_message()) from e
    return xw.Book.caller()


def sheet_names(book) -> list[str]:
    return [s.name for s in book.sheets]


def read_sheet(book, name: str) -> list[list] | None:
    """The whole used area of a sheet from A1, as a 2-D list, in one read; None if there is no such sheet."""
    if name not in sheet_names(book):
        return None
    sheet = book.sheets[name]
    last = sheet.used_range.last_cell
    return sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value


def report(book, message: str) -> None:
    """Write the one-line status next to ``Last run`` on the ``Run`` sheet (adding the sheet if missing)."""
    rows = read_sheet(book, "Run")
    if rows is None:
        sheet = book.sheets.add("Run", after=book.sheets[len(book.sheets) - 1])
        sheet.range("A1").value = [[STATUS_LABEL, message]]
        return
    for r, row in enumerate(rows, start=1):
        if row and logic._label(row[0]) == STATUS_LABEL.lower():
            book.sheets["Run"].range((r, 2)).value = message
            return
    book.sheets["Run"].range((len(rows) + 2, 1)).value = [[STATUS_LABEL, message]]


def write_block(book, block: logic.Block) -> None:
    """Write a computed block to a fresh sheet, add its chart, then let it replace the old result sheet."""
    check_finite(block.rows, f"the {block.sheet} block")
    names = sheet_names(book)
    temp = block.sheet[:26] + " (new)"
    if temp in names:
        book.sheets[temp].delete()
    sheet = book.sheets.add(temp, after=book.sheets[len(book.sheets) - 1])
    try:
        rows = block.rows
        sheet.range("A1").value = rows
        width = len(rows[0]) if rows else 1
        for r1, c1, r2, c2 in block.money:
            sheet.range((r1, c1), (r2, c2)).number_format = "#,##0"
        sheet.autofit()
        if block.chart is not None:
            c = block.chart
            anchor = sheet.range((logic.RUN_INFO_ROWS + 1, width + 2))
            chart = sheet.charts.add(anchor.left, anchor.top, *CHART_SIZE)
            chart.set_source_data(sheet.range((c.first_row, c.first_col), (c.last_row, c.last_col)))
            chart.chart_type = c.kind
    except BaseException:
        sheet.delete()
        raise
    if block.sheet in sheet_names(book):
        book.sheets[block.sheet].delete()
    sheet.name = block.sheet


def run_entry(action: str, book=None, now: dt.datetime | None = None, alert: bool = True) -> logic.Block | None:
    """Run one job on ``book`` (default: the calling book). Returns the block written, or None on error."""
    book = caller_book() if book is None else book
    block, message = run_job(action, book, now)
    if block is None and alert:
        book.app.alert(message, title="costmodel", mode="critical")
    return block


def run_job(action: str, book, now: dt.datetime | None = None) -> tuple[logic.Block | None, str]:
    """Read, compute, then write; settings restored in ``finally``. Returns (block or None, status message)."""
    app = book.app
    saved = (app.calculation, app.screen_updating)
    try:
        settings = logic.settings_from_rows(read_sheet(book, "Run"))
        if action == "main":
            action = settings["action"]
        inputs = read_sheet(book, "Inputs")
        if inputs is None:
            raise CostmodelError("this book has no Inputs sheet: make one with 'costmodel excel workbook'")
        job = logic.LOGIC.get(action)
        if job is None:
            raise CostmodelError(f"{action}: not available in this version of costmodel "
                                        f"(available: {', '.join(logic.LOGIC)})")
        block = job(inputs, settings, now or dt.datetime.now(), book.name)  # everything computed before any write
        app.screen_updating = False
        app.calculation = "manual"
        write_block(book, block)
        report(book, block.message)
        return block, block.message
    except Exception as e:  # noqa: BLE001 - reported in the book, never a traceback in Excel's face
        message = logic.error_message(e)
        try:
            report(book, message)
        except Exception:  # noqa: BLE001 - the message box still tells the user
            pass
        return None, message
    finally:
        app.calculation, app.screen_updating = saved


def main(book=None):
    """Run the job chosen in ``Run!Action`` (compare, montecarlo, tornado, switching, read_inputs)."""
    return run_entry("main", book)


def compare(book=None):
    """Cost every option side by side into 'Compare results'."""
    return run_entry("compare", book)


def montecarlo(book=None):
    """Monte Carlo over the low / central / high ranges into 'Monte Carlo results' (Run!Seed, Run!Monte Carlo samples)."""
    return run_entry("montecarlo", book)


def tornado(book=None):
    """Each lever at low and high, others central, into 'Tornado results'."""
    return run_entry("tornado", book)


def switching(book=None):
    """Switching values of Run!Switching option against Run!Switching comparator into 'Switching results'."""
    return run_entry("switching", book)


def read_inputs(book=None):
    """Read and validate the Inputs sheet; list what differs from the base assumptions in 'Inputs check'."""
    return run_entry("read_inputs", book)


def inputs_rows_of(caller) -> list[list] | None:
    """For worksheet functions called with ``caller``: the calling book's Inputs sheet as a 2-D list."""
    return read_sheet(caller.sheet.book, "Inputs")


def run_book(path, action: str) -> None:
    """Open ``path`` in an invisible Excel, run one job, save and close (``costmodel excel run``)."""
    try:
        import xlwings as xw
        app = xw.App(visible=False)
    except Exception as e:  # noqa: BLE001 - no Excel here, or xlwings missing
        raise ToolError(excel_message()) from e
    try:
        book = app.books.open(str(path))
        block, message = run_job(action, book)
        if block is None:
            raise ToolError(f"{path}: {message}")
        book.save()
    finally:
        app.quit()
