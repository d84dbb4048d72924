"""Monte Carlo blocks on this machine's cores in forked processes (Linux), instead of threads.

Threads share one interpreter lock: numpy lets it go for each operation and takes it back after,
so two threads costing blocks hand it to each other tens of thousands of times a run (one engine
pass is about 1,300 numpy operations), and two cores give about 1.6 × one. Forked copies of this
process have a lock each. A child inherits the plan and the quantile tables already built
(copy-on-write: nothing is pickled on the way out), costs every ``n``-th item and sends each result
back through its own pipe as it finishes; the parent puts them in order and reports progress. Results
too big to send (the present values of a million draws) are written by the children straight into an
array made before the fork in shared memory (:func:`shared_array`), and only the item's number is sent.
Results are the same numbers as on threads (each block is costed by the same code from the same
random streams).

Used only where ``fork`` is safe and cheap (Linux, called from the main thread, more than one core);
elsewhere, or when the system refuses a new process, :func:`process_map` falls back to threads. A child
that fails sends its exception, which the parent raises; a child that dies (killed, out of memory) is a
:class:`~costmodel.errors.ToolError`. If the parent is stopped (Ctrl-C, SIGTERM), its ``finally`` kills and
reaps every child.
"""
from __future__ import annotations

import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
import warnings
from typing import Callable, Iterable

import numpy as np

from ..errors import ToolError
from ..montecarlo import cores, local_map


def can_fork() -> bool:
    """True on Linux in the main thread: where forking a copy of this process is safe."""
    return sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread()


def process_map(workers: int | None = None) -> Callable:
    """A ``map(function, items, done)`` over forked processes, results in order (see the module's docstring).

    ``done(item)`` is called in this process as each item's result arrives. Falls back to threads
    (:func:`costmodel.montecarlo.local_map`) where forking is not available.
    """
    def run(fn: Callable, items: Iterable, done: Callable | None = None) -> list:
        items = list(items)
        n = min(len(items), workers or cores())
        if n > 1 and can_fork():
            try:
                return _forked(fn, items, done, n)
            except _CannotFork:  # the system refused a process (a limit on processes or memory): threads instead
                pass
        return local_map(workers)(fn, items, done)
    run.prepare_here = True  # the quantile tables are built here once, before the fork, and inherited
    run.shared = shared_array  # results the children write in place: nothing pickled back, nothing joined
    return run


def shared_array(shape: tuple[int, ...]) -> np.ndarray:
    """A float64 array of ``shape`` (zeros) in memory shared with the processes this one forks afterwards (an
    anonymous shared mapping): what a child writes into it, the parent reads, with no copy through a pipe."""
    count = int(np.prod(shape))
    return np.frombuffer(mmap.mmap(-1, max(count, 1) * 8), dtype=float, count=count).reshape(shape)


def _forked(fn: Callable, items: list, done: Callable | None, n: int) -> list:
    children: dict[int, int] = {}  # the read end of each child's pipe: its process id
    results: list = [None] * len(items)
    arrived = 0
    try:
        for k in range(n):
            read, write = os.pipe()
            with warnings.catch_warnings():  # Python 3.12+ warns of forking with threads alive (BLAS's): ours touch none
                warnings.simplefilter("ignore", DeprecationWarning)
                try:
                    pid = os.fork()
                except OSError as e:
                    os.close(read)
                    os.close(write)
                    raise _CannotFork(str(e)) from e
            if pid == 0:  # the child: never returns
                os.close(read)
                _child(fn, items, range(k, len(items), n), write)
            os.close(write)
            children[read] = pid
        while children:
            for fd in select.select(list(children), [], [])[0]:
                try:
                    index, value = _receive(fd)
                except EOFError:  # the child has finished (or died: its blocks are missing below): reap it
                    pid = children.pop(fd)
                    os.close(fd)
                    os.waitpid(pid, 0)
                    continue
                if index < 0:
                    raise value
                results[index] = value
                arrived += 1
                if done:
                    done(items[index])
        if arrived < len(items):
            raise ToolError(f"a Monte Carlo worker process stopped before finishing ({len(items) - arrived} of "
                            f"{len(items)} blocks missing): the machine may be short of memory")
        return results
    finally:
        for fd, pid in children.items():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.close(fd)
            os.waitpid(pid, 0)


def _send(fd: int, message) -> None:
    """Write ``message`` to the pipe ``fd``, pickled, after its length (8 bytes)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(struct.pack("<Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    """The next message :func:`_send` wrote to the pipe ``fd``; EOFError when the writer has closed it (or died
    part way through a message)."""
    (size,) = struct.unpack("<Q", _read(fd, 8))
    return pickle.loads(_read(fd, size))


def _read(fd: int, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            raise EOFError
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class _CannotFork(Exception):
    """``fork`` failed before any result arrived: the children started so far are killed, and threads take over."""


def _child(fn: Callable, items: list, indices: range, fd: int) -> None:
    """Cost ``items[i]`` for ``i`` in ``indices`` and send each ``(i, result)``; an exception is sent as ``(-1, error)``."""
    code = 1
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a stop goes to the parent, which kills its children
            signal.signal(sig, signal.SIG_DFL)
        for i in indices:
            _send(fd, (i, fn(items[i])))
        code = 0
    except BaseException as e:  # noqa: BLE001 - every failure goes back to the parent
        try:
            _send(fd, (-1, e if _picklable(e) else RuntimeError(f"{type(e).__name__}: {e}")))
        except BaseException:  # noqa: BLE001 - the parent has gone: nothing to tell
            pass
    finally:
        os._exit(code)


def _picklable(e: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(e))
        return True
    except Exception:  # noqa: BLE001 - any failure means: send a plain copy
        return False
