"""The last check before any number leaves the program: every result is a finite number. Pure.

Inputs are bounded (:mod:`costmodel.limits`), so the engine cannot produce NaN or infinity from values
it accepts; if one appears all the same it is a bug, and printing ``£nanm`` or writing ``inf`` into a
file with exit code 0 would hide it. Renderers and writers call :func:`check_finite` on what they are
about to output; a failure raises :class:`NonFiniteResult`, which the command line reports as an
internal error with exit code 1 and nothing written.
"""
from __future__ import annotations

import math
from typing import Iterable, Mapping

import numpy as np


class NonFiniteResult(RuntimeError):
    """A result that is NaN or infinite reached an output: an internal error, not the user's."""


def check_finite(obj, what: str, nullable: Iterable[str] = ()) -> None:
    """Raise :class:`NonFiniteResult` naming ``what`` and the place if ``obj`` holds NaN or an infinity.

    ``obj`` may nest mappings, lists, tuples, floats, numpy arrays and data frames (anything with
    ``columns`` and ``to_numpy``). ``None`` is not a number and passes. Columns or keys named in
    ``nullable`` may hold NaN (a missing value, e.g. no switching value), never an infinity.
    """
    bad = _first_bad(obj, "", frozenset(nullable))
    if bad is not None:
        place, value = bad
        raise NonFiniteResult(f"internal error: {what} holds {value} at {place or 'the top'}, not a finite number; "
                              "nothing was written. Please report this with the command and assumptions that gave it "
                              "(COSTMODEL_DEBUG=1 shows where it was caught).")


def _first_bad(obj, path: str, nullable: frozenset) -> tuple[str, str] | None:
    if obj is None or isinstance(obj, (str, bool, int, np.bool_)):
        return None
    if isinstance(obj, (float, np.floating)):
        if math.isfinite(obj) or (math.isnan(obj) and path.rsplit(".", 1)[-1] in nullable):
            return None
        return path, repr(float(obj))
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            found = _first_bad(v, f"{path}.{k}" if path else str(k), nullable)
            if found:
                return found
        return None
    if hasattr(obj, "columns") and hasattr(obj, "to_numpy"):  # a data frame: column by column
        for c in obj.columns:
            found = _array(obj[c].to_numpy(), f"{path}{'.' if path else ''}{c}", str(c) in nullable)
            if found:
                return found
        return None
    if isinstance(obj, np.ndarray):
        return _array(obj, path, path.rsplit(".", 1)[-1] in nullable)
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            found = _first_bad(v, f"{path}[{i}]", nullable)
            if found:
                return found
    return None


def _array(values: np.ndarray, path: str, nan_ok: bool) -> tuple[str, str] | None:
    if values.dtype.kind in "fc":
        bad = np.isinf(values) if nan_ok else ~np.isfinite(values)
        if bad.any():
            i = np.unravel_index(np.flatnonzero(bad)[0], values.shape)
            return f"{path}[{', '.join(map(str, i))}]", repr(values[i].item())
        return None
    if values.dtype.kind == "O":
        for i, v in enumerate(values.reshape(-1)):
            if isinstance(v, (float, np.floating)) and not (math.isfinite(v) or (nan_ok and math.isnan(v))):
                return f"{path}[{i}]", repr(float(v))
    return None
