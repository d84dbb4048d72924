"""The command line: the only package that imports click. ``costmodel.cli:run`` is the console script's entry point
(:func:`costmodel.cli.main.run`, which runs the click group ``main``)."""
from .main import main, run

__all__ = ["main", "run"]
