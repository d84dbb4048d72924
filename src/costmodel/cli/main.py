"""The ``costmodel`` group: lazy command loading and the one place errors become exit codes.

Exit codes: 0 ok; 2 a usage or input error (click's convention; one line per problem, naming the file,
key or cell); 1 an unexpected error. Set ``COSTMODEL_DEBUG=1`` to see the traceback of an unexpected error.
"""
from __future__ import annotations

import atexit
import gc
import importlib
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import NoReturn

import click

from .. import __version__
from ..errors import CostmodelError
from ..files.atomic import remove_temporaries, whole_outputs
from ..files.stale import recover_many
from ..finite import NonFiniteResult

#: Every command, by name → ``module:attribute``, imported only when asked for, so ``compare`` never
#: imports openpyxl, matplotlib, pandas or xlwings.
COMMANDS = {
    "validate": "costmodel.cli.assumptions:validate",
    "sources": "costmodel.cli.assumptions:sources",
    "compare": "costmodel.cli.compare:compare",
    "workbook": "costmodel.cli.workbook:workbook",
    "sweep": "costmodel.cli.sensitivity:sweep",
    "tornado": "costmodel.cli.sensitivity:tornado",
    "switching": "costmodel.cli.sensitivity:switching",
    "montecarlo": "costmodel.cli.montecarlo:montecarlo",
    "excel": "costmodel.cli.excel:excel",
    "report": "costmodel.cli.report:report",
    "backtest": "costmodel.cli.backtest:backtest",
    "init": "costmodel.cli.init:init",
    "councils": "costmodel.cli.councils:councils",
    "benchmark": "costmodel.cli.councils:benchmark",
    "voi": "costmodel.cli.analysis:voi",
    "sobol": "costmodel.cli.analysis:sobol",
    "discover": "costmodel.cli.analysis:discover",
    "national": "costmodel.cli.national:national",
}


class Group(click.Group):
    """Loads commands lazily; turns a :class:`CostmodelError` into exit 2 and anything unexpected into exit 1."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx, name):
        if name in COMMANDS and name not in self.commands:
            module, attr = COMMANDS[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        """Run the command with its outputs written as one unit and SIGINT/SIGTERM turned into a clean stop."""
        previous = _catch_signals()
        try:
            recover_many([Path("."), Path(tempfile.gettempdir())])  # what an interrupted run left behind
            with whole_outputs() as outputs:
                try:
                    result = super().invoke(ctx)
                except click.exceptions.Exit as e:
                    if e.exit_code == 0:
                        outputs.commit()
                    raise
                outputs.commit()
                return result
        except Stopped as e:
            remove_temporaries()
            click.echo(f"Stopped by {e.name}: no output was left half-written", err=True)
            ctx.exit(128 + e.signum)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except NonFiniteResult as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(1)
        except CostmodelError as e:
            for problem in e.problems:
                click.echo(f"Error: {problem}", err=True)
            ctx.exit(2)
        except Exception as e:  # noqa: BLE001 - the last line of defence
            if os.environ.get("COSTMODEL_DEBUG"):
                raise
            click.echo(f"Error: unexpected {type(e).__name__}: {e} (set COSTMODEL_DEBUG=1 for the traceback)", err=True)
            ctx.exit(1)
        finally:
            _restore_signals(previous)


class Stopped(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: raised in the main thread so every ``finally`` runs (temporary files, children)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.name = signal.Signals(signum).name


def _stop(signum, frame):
    raise Stopped(signum)


def _catch_signals() -> dict:
    """Install the SIGINT/SIGTERM handlers for one command (only in the main thread); the previous ones."""
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, _stop)
        except ValueError:  # not the main thread (an embedding application): leave its handlers alone
            break
    return previous


def _restore_signals(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="costmodel")
def main():
    """Cost the delivery options for children's social care against business as usual.

    \b
    Example:
      costmodel compare                       # the bundled example, side by side
      costmodel compare --format json --set options.trust.set_up.amount=4000000
    """


def run() -> None:
    """The ``costmodel`` console script: :func:`main`, after freezing what importing the program made.

    The modules, classes and functions made at import live until the process exits; ``gc.freeze()`` puts them
    out of the cyclic garbage collector's reach, so neither its passes during the command nor its last pass at
    exit walk them again (about 15 ms of the 0.2 s a ``compare`` takes). What the command makes is collected as usual.
    """
    gc.freeze()
    try:
        main()
    except SystemExit as e:
        _leave(e.code)
    _leave(0)


def _leave(code) -> NoReturn:
    """End the process as ``sys.exit(code)`` would, without tearing every module and object down one by one.

    The interpreter's own first steps at exit are taken (threads joined, then the exit handlers: temporary folders,
    logging, worker pools) and the standard streams are flushed; then :func:`os._exit`. Every output file was written whole and closed by
    then (:mod:`costmodel.files.atomic`); what is skipped is the interpreter's teardown, about 40 ms after a Monte
    Carlo run. A closed pipe on standard output (``costmodel … | head``) ends with 120, as Python's own exit does.
    """
    shutdown, handlers = getattr(threading, "_shutdown", None), getattr(atexit, "_run_exitfuncs", None)
    if shutdown is None or handlers is None:  # a Python without them (not CPython 3.11–3.13): its own exit
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message goes to standard error, the status is 1
        print(code, file=sys.stderr)
        status = 1
    shutdown()  # what the interpreter does first at exit: worker pools told to stop, other threads joined
    handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that has gone, or a stream already closed
            status = status or 120
    os._exit(status)
