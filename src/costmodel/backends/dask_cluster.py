"""Run Monte Carlo blocks on a Dask cluster: a local one by default, or an existing scheduler.

Each task costs one block of draws from the plan (plain data: options, central values, drawn
levers, seed), so a block gives the same numbers on any worker as on this machine's threads.
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator


@contextlib.contextmanager
def dask_map(scheduler: str | None = None, workers: int | None = None, processes: bool = True) -> Iterator[Callable]:
    """A ``map(function, items)`` that runs on Dask; closes the local cluster it started on exit."""
    from dask.distributed import Client, LocalCluster
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, processes=processes, threads_per_worker=1 if processes else None,
                               dashboard_address=None)
        client = Client(cluster)

    def run(fn, items, done=None):
        from dask.distributed import as_completed
        items = list(items)
        futures = client.map(fn, items, pure=False)
        if done:
            index = {f.key: i for f, i in zip(futures, items)}
            for f in as_completed(futures):
                done(index[f.key])
        return client.gather(futures)
    try:
        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
