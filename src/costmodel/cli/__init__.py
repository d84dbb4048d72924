"""The command line: the only package that imports click. ``costmodel.cli:run`` is the console script's entry point
(:func:`costmodel.cli.main.run`, which runs the click group ``main``).

numpy's BLAS runs on one thread here unless the user has chosen (any of :data:`BLAS_THREADS` set): no command
gains from BLAS threads (Monte Carlo splits its draw blocks between processes, the value-of-information
regressions between threads, and the engine does no matrix products), and OpenBLAS's threads cost start-up
time and spin against that work on a busy machine. Set here, before numpy is first imported, because OpenBLAS
reads it once, when numpy loads it; processes the commands start (Dask workers) inherit it.
"""
import os

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "GOTO_NUM_THREADS")
if not any(os.environ.get(name) for name in BLAS_THREADS):
    os.environ["OPENBLAS_NUM_THREADS"] = "1"

from .main import main, run  # noqa: E402 - after the BLAS setting, which must precede numpy's import

__all__ = ["main", "run"]
