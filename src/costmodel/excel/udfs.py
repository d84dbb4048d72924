"""Worksheet functions for Excel (xlwings ``@xw.func``): the engine called from a cell.

**Windows only**: xlwings' worksheet functions need Excel on Windows, "Trust access to the VBA
project object model", and ``costmodel.excel.udfs`` listed under ``UDF Modules`` in the
``xlwings.conf`` sheet (``costmodel excel workbook`` writes it), then *Import Functions* once.
On Linux and macOS the decorators do nothing, so this module imports and its functions are plain
Python functions of plain values (which is how the tests call them).

``inputs`` is the book's Inputs sheet as a range (the workbook defines the name ``CostmodelInputs``),
so Excel recalculates the cell when an input changes. ``keys`` / ``values`` are optional ranges
(or single cells) of lever keys and values that override the sheet, like ``--set KEY=VALUE``::

    =COSTMODEL_PV("trust", CostmodelInputs)                       present value, GBP real
    =COSTMODEL_NPC("trust", CostmodelInputs, "in_house")          PV(trust) - PV(in_house), GBP
    =COSTMODEL_SAFE_MONTH("trust", CostmodelInputs, , F2:F3, G2:G3)  month 0 = April of the start year

A problem is returned as one line of text starting ``Error:`` (naming the key or cell).
"""
from __future__ import annotations

from functools import lru_cache

try:  # the decorators only; on Linux and macOS xlwings makes them do nothing
    from xlwings import arg, func
except ImportError:  # xlwings is the optional "excel" extra
    def func(f=None, *args, **kwargs):
        return f if f is not None else (lambda g: g)

    def arg(*args, **kwargs):
        return lambda g: g

from ..errors import CostmodelError
from . import jobs as logic


def _frozen(rows) -> tuple:
    """A hashable copy of a 2-D range (for the cache): lists become tuples."""
    if rows is None:
        return ()
    if not isinstance(rows, (list, tuple)):
        return ((rows,),)
    return tuple(tuple(r) if isinstance(r, (list, tuple)) else (r,) for r in rows)


def _flat(x) -> tuple:
    """A single cell, a row or a column of cells as a flat tuple (blanks kept, for pairing)."""
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        out = []
        for item in x:
            out.extend(_flat(item) if isinstance(item, (list, tuple)) else [item])
        return tuple(out)
    return (x,)


def overrides(keys=None, values=None) -> tuple[tuple[str, object], ...]:
    """Pair the keys with the values; blank keys are skipped; a count mismatch is an error."""
    k, v = _flat(keys), _flat(values)
    if len(k) != len(v):
        raise CostmodelError(f"overrides: {len(k)} keys but {len(v)} values; give one value per key")
    return tuple((str(key).strip(), value) for key, value in zip(k, v) if key not in (None, ""))


@lru_cache(maxsize=4)
def _base():
    return logic.base_assumptions(None)


@lru_cache(maxsize=64)
def _result(rows: tuple, pairs: tuple) -> dict:
    from ..comparison import compare
    a = logic.assumptions_from_book([list(r) for r in rows], _base())
    if pairs:
        a = a.with_overrides(list(pairs), where="worksheet function overrides")
    return compare(a)


def _option(result: dict, key) -> dict:
    key = str(key or "").strip()
    if key not in result["options"]:
        raise CostmodelError(f"option {key!r}: expected one of {', '.join(result['options'])}")
    return result["options"][key]


def _safely(compute):
    try:
        return compute()
    except Exception as e:  # noqa: BLE001 - a cell shows one line, never a traceback
        return logic.error_message(e)


@func
@arg("inputs", ndim=2)
def costmodel_pv(option, inputs, keys=None, values=None):
    """Present value of an option's costs, GBP real terms at the price base (Green Book discounting)."""
    return _safely(lambda: _option(_result(_frozen(inputs), overrides(keys, values)), option)["present_value"])


@func
@arg("inputs", ndim=2)
def costmodel_npc(option, inputs, against="do_minimum", keys=None, values=None):
    """Net present cost of an option against another (default do_minimum): PV(option) − PV(against), GBP."""
    def compute():
        result = _result(_frozen(inputs), overrides(keys, values))
        return _option(result, option)["present_value"] - _option(result, against or "do_minimum")["present_value"]
    return _safely(compute)


@func
@arg("inputs", ndim=2)
def costmodel_safe_month(option, inputs, keys=None, values=None):
    """Month a safe core service is reached (month 0 = April of the start year), or 'never'."""
    def compute():
        month = _option(_result(_frozen(inputs), overrides(keys, values)), option)["safe_service_month"]
        return "never" if month is None else month
    return _safely(compute)
