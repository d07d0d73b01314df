"""What the cluster's workers run: a practice's inputs checked, and one report of one practice.

Both are plain functions of picklable arguments, imported by name on the worker (``pracops``
is installed there). A report runs as in a single-practice run, in a forked worker process
with its own kernel (:func:`pracops.runner.execution.run_one`), its files written into the
practice's folder on storage every worker and the client share. So a Dask worker that runs them
must be allowed child processes: not a daemon (``DASK_DISTRIBUTED__WORKER__DAEMON=False``, as
:mod:`pracops.group.cluster` starts its own workers).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ATTEMPTS", "check_practice", "run_report"]

ATTEMPTS = "logs/{report}.attempts"
"""Under a practice's folder: one line per attempt at a report (when and on which worker), so
that a task the cluster ran again after its worker died is recorded in the report's summary."""


def check_practice(reports: list[Any], params: dict[str, dict[str, Any]],
                   record: str) -> tuple[list[str], list[str]]:
    """The checks of ``pracops run`` (:func:`pracops.runner.inputs.check_inputs`) on one
    practice's inputs, writing what was checked into ``record`` for its kernels; the one-line
    problems and warnings.

    In a forked child of the worker (:class:`pracops.processes.Forked`), as ``pracops run``
    checks in a forked child: the frames the check loads never live in the worker, from which
    each report's process is forked. Checked in the worker itself, the workers of a group of
    four 2-8-provider practices peaked at 332-429 MB each, and about 1 GB on a 40-provider
    practice; checked in a child, at 190-193 MB (bench/README.md, "Many practices").
    """
    from pracops.processes import Forked

    _warm_kernels()  # its imports overlap the checks
    return Forked(_check, reports, params, record, what="the check of the inputs").result()


def _check(reports: list[Any], params: dict[str, dict[str, Any]], record: str
           ) -> tuple[list[str], list[str]]:
    from pracops.runner.inputs import check_inputs

    found = check_inputs(reports, params, record=record)
    return found.problems, found.warnings


def run_report(report: Any, params: Mapping[str, Any], practice_dir: str, *, html: bool,
               timeout: int | None, checked: str | None, stop_event: str | None
               ) -> dict[str, Any]:
    """One report of one practice, on a worker: its files and ``<report>.json`` written into
    ``practice_dir``; returns the summary as written. Stops (``interrupted``) once the
    :class:`distributed.Event` named ``stop_event`` is set."""
    from pracops.runner.execution import (
        failed_summary,
        interrupted_summary,
        run_one,
        write_summary,
    )

    began = time.time()
    run_dir = Path(practice_dir)
    attempts = _attempt(run_dir, report.name)
    stopped = _event(stop_event)
    if multiprocessing.current_process().daemon:
        res = failed_summary("WorkerSetup", (
            "this Dask worker is a daemon process, which may not start the report's kernel; "
            "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"))
    elif stopped():  # the run was stopped before this report started
        res = interrupted_summary(report.name, run_dir, "the run was stopped before it started")
    else:
        _warm_kernels()
        with tempfile.TemporaryDirectory(prefix="pracops-kernels-") as runtime:
            res = run_one(report, params, run_dir, runtime_dir=runtime, html=html,
                          timeout=timeout, checked=checked, stopped=stopped)
    res["timings"] = {**res.get("timings", {}), "attempts": len(attempts),
                      "workers": [a["worker"] for a in attempts],
                      "task_seconds": round(time.time() - began, 3)}
    return write_summary(run_dir, report.name, params, res).to_json()


def _warm_kernels() -> None:
    """Start this worker's zygote (:mod:`pracops.runner.warm`) if it has none: every report's
    kernel on this worker is then forked from it, warm, instead of importing it all again.
    Outside a worker (a test calling a task) kernels start the ordinary way."""
    from distributed import get_worker

    from pracops.runner import warm

    try:
        get_worker()
    except ValueError:
        return
    if warm.wanted():
        warm.start_zygote()


def _attempt(run_dir: Path, report: str) -> list[dict[str, Any]]:
    """Record this attempt (an append of one line: whole on a local or network file system);
    every attempt so far, this one last."""
    from distributed import get_worker

    try:
        worker = get_worker().address
    except ValueError:  # called outside a worker (tests)
        worker = f"pid {os.getpid()}"
    path = run_dir / ATTEMPTS.format(report=report)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"worker": worker, "start": time.time()}) + "\n")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _event(name: str | None) -> Any:
    """Whether the run's stop :class:`distributed.Event` is set; a scheduler that does not
    answer this once does not stop a healthy report."""
    if name is None:
        return lambda: False
    from distributed import Event

    event = Event(name)

    def is_set() -> bool:
        try:
            return bool(event.is_set())
        except Exception:  # the scheduler busy or reconnecting: ask again next time
            return False

    return is_set
