"""The Dask cluster a group run uses: a running one by its scheduler's address, or a
``LocalCluster`` started for the run and closed after it.

The local cluster's workers are processes of one thread each (a report's papermill changes the
process's working folder, so two reports never share a process), bound with the scheduler and
the dashboard to 127.0.0.1 unless told otherwise, not daemons (each report runs in a child
process with its own kernel), and started deaf to SIGINT: the terminal's Ctrl-C reaches only
the run's process, which stops the reports itself (:mod:`pracops.group.run`); a worker the
nanny starts again later ignores SIGINT too (:mod:`pracops.group.preload`). A worker that dies
mid-run has its tasks run again on another, at most ``retries`` more times
(``distributed.scheduler.allowed-failures``); with a running cluster that limit is its
scheduler's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from collections.abc import Iterator
from typing import Any

from pracops.errors import PracopsError

__all__ = ["WAIT_FOR_WORKERS", "connect", "default_workers"]

WAIT_FOR_WORKERS = 60
"""Seconds a run waits for a running cluster to have a worker before it gives up."""

QUIET = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""Dask's own background work, turned down for the local cluster. Its defaults sample every
worker's stack every 10 ms (the dashboard's profile), time the event loop every 20 ms, and
read each process's CPU and memory every 0.5 s and 0.1 s: an idle cluster of 4 workers took
6.2 CPU-seconds in 30 s (a fifth of one core, a tenth of this 2-core machine) and 0.9 with
these settings (bench/README.md, "Many practices"). What they cost: no profile page on the
dashboard, its system charts every 5 s, a worker over its memory limit stopped within 1 s.
A running cluster (``--scheduler``) keeps its own settings."""


def default_workers() -> int:
    """One worker per core. Each report's kernel is forked warm from the worker's zygote
    (:mod:`pracops.runner.warm`), so a task no longer leaves its core idle while a kernel
    imports, and one report at a time keeps a core busy (wall time = CPU time, as
    ``pracops run --jobs 1`` shows). On 12 practices × 7 reports, minutes apart, 2 workers took
    352.3 s and 629 CPU-seconds, 4 workers 378.8 s and 731 (four reports on two cores share
    caches and memory bandwidth; bench/README.md, "Many practices"). Two per core paid off
    while every kernel started anew."""
    return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def connect(scheduler: str | None = None, *, workers: int | None = None,
            host: str = "127.0.0.1", dashboard: str | None = ":0", retries: int = 2,
            memory_limit: str | None = "auto") -> Iterator[Any]:
    """A :class:`distributed.Client` for the run, closed (and its local cluster with it) after.

    Parameters
    ----------
    scheduler
        ``tcp://HOST:PORT`` of a running scheduler; ``None`` starts a ``LocalCluster``.
    workers
        The local cluster's workers (default :func:`default_workers`).
    host
        Where the local scheduler, workers and dashboard listen.
    dashboard
        The local dashboard's port as ``:PORT`` (``:0`` any free one), or ``None`` for none.
    retries
        How many more times a task whose worker died is run (local cluster).

    Raises
    ------
    PracopsError
        The scheduler cannot be reached.
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise PracopsError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there "
                               f"({exc}); start one with 'dask scheduler' and give its "
                               "tcp://HOST:PORT") from None
        try:
            try:
                client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
            except TimeoutError:
                raise PracopsError(f"--scheduler {scheduler}: no worker joined it within "
                                   f"{WAIT_FOR_WORKERS} s; start workers with 'dask worker "
                                   f"{scheduler}'") from None
            yield client
        finally:
            client.close()
        return
    settings = {**QUIET, "distributed.worker.daemon": False,
                "distributed.scheduler.allowed-failures": retries,
                "distributed.logging.distributed": "error"}
    with dask.config.set(settings), _deaf_to_sigint():
        cluster = LocalCluster(
            n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
            host=host, dashboard_address=f"{host}{dashboard}" if dashboard else None,
            memory_limit=memory_limit, silence_logs=logging.CRITICAL,
            preload=["pracops.group.preload"])
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@contextlib.contextmanager
def _deaf_to_sigint() -> Iterator[None]:
    """SIGINT ignored while the workers start: an ignored signal stays ignored in a process
    started from this one (Python installs its own handler only over the default), so Ctrl-C
    in the terminal reaches only the run's process. Outside the main thread, nothing to do."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
