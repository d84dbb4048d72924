"""A progress bar on stderr for long runs, only when stderr is a terminal (never on a pipe or in a file)."""
from __future__ import annotations

import sys


class progress:
    """``with progress(total, label) as advance:`` — ``advance(n)`` or None when no bar is shown."""

    def __init__(self, total: int, label: str = "Monte Carlo draws", minimum: int = 100_000):
        self.total, self.label, self.minimum, self.bar = total, label, minimum, None

    def __enter__(self):
        if not sys.stderr.isatty() or self.total < self.minimum:
            return None
        from rich.console import Console
        from rich.progress import Progress
        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label, total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
