"""The command line: the only package that imports click. ``costmodel.cli:main`` is the entry point."""
from .main import main

__all__ = ["main"]
