"""Compatibility shim for books made by costmodel 0.1: the entry points now live in :mod:`costmodel.excel.app`."""
from costmodel.excel.app import compare, main, montecarlo, read_inputs, switching, tornado  # noqa: F401
