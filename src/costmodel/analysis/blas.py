"""One BLAS thread per Python thread while the value-of-information regressions run.

The regressions are thousands of small matrix products (draws × tens of columns); OpenBLAS's own
threads cost more than they give on them, and on a busy 2-core machine they spin against the other
work (measured: 11 CPU-s with its threads against 4.6 CPU-s with one, for every lever and group from
10^5 draws). :func:`costmodel.voi.partial_values` spreads the regressions over threads instead.
"""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def one_blas_thread():
    """Limit BLAS to one thread inside the block (threadpoolctl), restoring it after."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1, user_api="blas"):
        yield
