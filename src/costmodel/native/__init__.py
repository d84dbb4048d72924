"""Compiled kernels for the Monte Carlo's hot loops, each with a numpy reference implementation beside its caller.

``setup.py`` builds every ``*.c`` file here as the extension ``costmodel.native.<name>`` when a C compiler is
present (``pip install`` on Linux: gcc and the Python headers); without one the package installs without them
and :func:`kernel` returns None, so callers use their numpy code. The kernels take float64 (or intp, or uint64:
``uniforms``' PCG64 states) buffers, C-contiguous unless a kernel says otherwise (``uniforms.fill`` writes the
columns of a column-major array, ``engine``'s levers may have any stride), and plain numbers, loop once over the
draws and release the interpreter lock; they do the same
arithmetic as the numpy code, in the same order where it matters, and are tested against it (tests/native).
No kernel changes what the model computes: it only fuses numpy's passes over the draws into one. The one
difference is the Gaussian copula's Φ and Φ⁻¹ (``sampling.gaussian_copula``): the kernel has its own (Wichura's
AS 241, C99 ``erfc``), within 1e-15 relative of the exact values, as ``scipy.special.ndtri`` is (``ndtr`` is off by
up to 1e-13 in the far left tail); a run with the kernel does not import scipy (docs/copula.md).
"""
from __future__ import annotations

import importlib
from types import ModuleType


def kernel(name: str) -> ModuleType | None:
    """The compiled module ``costmodel.native.<name>``, or None where it was not built (no C compiler)."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError:
        return None
