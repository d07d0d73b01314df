"""A group run: every practice's inputs checked on the cluster, then one task per (practice,
report), each practice's folder written as a single-practice run writes it, and the group pages.

The run folder::

    <out>/<run-id>/
        group.html  group.xlsx  manifest.json      the group's pages and what ran
        <practice id>/                             as ``pracops run`` writes a run folder:
            index.html  manifest.json  <report>.html/.ipynb/.json  <report>_files/  logs/

Stopping: SIGINT or SIGTERM sets a :class:`distributed.Event` the running reports watch (each
kills its kernel and is written ``interrupted``), tasks not started are cancelled and written
``interrupted``, and every page is written before the run returns (exit 130 / 143).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pracops.errors import PracopsError
from pracops.group.practices import Practice
from pracops.report import write_atomic
from pracops.runner.execution import _interrupted, finish_run, write_summary
from pracops.runner.manifest import ReportResult, iso, new_run_dir
from pracops.runner.parameters import Report, check_reports, resolve_parameters

__all__ = ["Bars", "GroupResult", "PracticeRun", "plan", "run_group"]

Say = Callable[[str], None]


@dataclass
class PracticeRun:
    """One practice of a group run: refused (``refused`` holds its one-line problems) or run."""

    practice: Practice
    reports: list[Report] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    results: dict[str, ReportResult] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.refused:
            return "refused"
        states = {r.status for r in self.results.values()}
        return ("interrupted" if "interrupted" in states else
                "failed" if "failed" in states else "ok")


@dataclass
class GroupResult:
    run_id: str
    run_dir: Path
    practices: list[PracticeRun]
    stopped_by: str | None = None

    @property
    def page(self) -> Path:
        return self.run_dir / "group.html"

    @property
    def exit_code(self) -> int:
        """130 / 143 when stopped; else 2 when a practice was refused, 1 when a report
        failed, 0 otherwise."""
        if self.stopped_by:
            return 128 + signal.Signals[self.stopped_by].value
        if any(p.refused for p in self.practices):
            return 2
        return 1 if any(p.status == "failed" for p in self.practices) else 0


class Bars:
    """A progress bar per report kind in the terminal (tqdm), one step per practice done."""

    def __init__(self, tasks: Sequence[tuple[str, str]]) -> None:
        from tqdm import tqdm

        kinds: dict[str, int] = {}
        for _, report in tasks:
            kinds[report] = kinds.get(report, 0) + 1
        width = max(map(len, kinds), default=0)
        self._bars = {k: tqdm(total=n, desc=k.ljust(width), position=i, leave=True,
                              unit="practice", dynamic_ncols=True)
                      for i, (k, n) in enumerate(kinds.items())}

    def done(self, _practice: str, report: str) -> None:
        self._bars[report].update()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


def plan(practices: Sequence[Practice], names: Sequence[str], available: Mapping[str, Report],
         *, parameters_dir: str | None = None, files: Sequence[str] = (),
         overrides: Sequence[tuple[str, str]] = ()) -> list[PracticeRun]:
    """Each practice's reports (its own list, narrowed by ``names``) and checked parameters;
    a practice whose parameters are wrong is refused with the one line saying why."""
    check_reports(names, available)  # an unknown name on the command line stops the run
    runs = []
    for p in practices:
        chosen = [r for r in (p.reports or available) if not names or r in names]
        run = PracticeRun(p, [available[r] for r in chosen])
        try:
            run.params = resolve_parameters(
                run.reports, parameters_dir=parameters_dir, files=files, overrides=overrides,
                data=str(p.data), sections=[(p.where, {r: v for r, v in p.parameters.items()
                                                       if r in chosen})])
        except PracopsError as exc:
            run.refused.append(str(exc))
        runs.append(run)
    return runs


class _Stop:
    """SIGINT/SIGTERM in the main thread: remember which, and let the run's loop notice."""

    def __init__(self) -> None:
        self.signal: signal.Signals | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def _handle(self, signum: int, _frame: Any) -> None:
        self.signal = self.signal or signal.Signals(signum)

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)


def run_group(runs: list[PracticeRun], client: Any, *, out: str | os.PathLike[str],
              html: bool = True, timeout: int | None = None, say: Say | None = None,
              progress: Callable[[Sequence[tuple[str, str]]], Any] | None = None,
              command: Sequence[str] = ()) -> GroupResult:
    """Check every practice's inputs on the cluster, run the reports of those that passed,
    write each practice's folder and the group pages.

    ``say`` gets one line per refused and per finished practice; ``progress``, given the
    (practice, report) pairs, returns an object with ``done(practice, report)`` and
    ``close()`` (the terminal's bars).
    """
    from distributed import Event, wait

    say = say or (lambda _line: None)
    run_id, run_dir = new_run_dir(Path(os.path.abspath(out)))
    started = time.time()
    checked_root = run_dir / ".checked"
    stop_name = f"pracops-stop-{run_id}-{secrets.token_hex(4)}"
    futures: dict[Any, tuple[PracticeRun, Report]] = {}
    bars = None
    with _Stop() as stop:
        try:
            checks = {}
            for run in runs:
                if not run.refused:
                    (run_dir / run.practice.id).mkdir()
                    (checked_root / run.practice.id).mkdir(parents=True)
                    checks[client.submit(
                        _check, run.reports, run.params, str(checked_root / run.practice.id),
                        key=f"check-{run.practice.id}-{run_id}", pure=False)] = run
            _wait_all(list(checks), stop)
            for fut, run in checks.items():
                if stop.signal is None:
                    problems, run.warnings = _checked(fut)
                    run.refused += problems
                else:
                    fut.cancel()
            for run in runs:
                if run.refused:
                    shutil.rmtree(run_dir / run.practice.id, ignore_errors=True)
                    say(f"refused   {run.practice.id}: " + "; ".join(run.refused))
            todo = [(run, r) for run in runs if not run.refused for r in run.reports]
            if stop.signal is None and todo:
                bars = progress([(run.practice.id, r.name) for run, r in todo]) \
                    if progress else None
                event = Event(stop_name, client=client)
                for run, r in todo:
                    fut = client.submit(
                        _report, r, run.params[r.name], str(run_dir / run.practice.id),
                        html=html, timeout=timeout, checked=str(checked_root / run.practice.id),
                        stop_event=stop_name, key=f"{r.name}-{run.practice.id}-{run_id}",
                        pure=False, retries=0)
                    futures[fut] = (run, r)
                pending = set(futures)
                while pending and stop.signal is None:
                    with contextlib.suppress(TimeoutError):
                        wait(list(pending), timeout=0.5, return_when="FIRST_COMPLETED")
                    for fut in [f for f in pending if f.done()]:
                        pending.discard(fut)
                        run, r = futures[fut]
                        run.results[r.name] = _collected(fut, run, r, run_dir)
                        if bars is not None:
                            bars.done(run.practice.id, r.name)
                        if len(run.results) == len(run.reports):
                            _finish_practice(run, run_id, run_dir, started, None, command)
                            say(_practice_line(run))
                if stop.signal is not None:
                    say(f"stopping: {stop.signal.name}")
                    # the running reports kill their kernels and say so; those not started
                    # return at once; whatever is still pending after that is cancelled
                    event.set()
                    with contextlib.suppress(TimeoutError):
                        wait(list(pending), timeout=15)
                    for fut in pending:
                        if not fut.done():
                            fut.cancel()
                    for fut in pending:
                        run, r = futures[fut]
                        run.results[r.name] = _collected(fut, run, r, run_dir, stop.signal)
            if stop.signal is not None:
                for run, r in todo:
                    if r.name not in run.results:
                        run.results[r.name] = _collected(None, run, r, run_dir, stop.signal)
                for run in runs:
                    if run.results and len(run.results) == len(run.reports) and \
                            not (run_dir / run.practice.id / "manifest.json").exists():
                        _finish_practice(run, run_id, run_dir, started, stop.signal, command)
        finally:
            if bars is not None:
                bars.close()
            shutil.rmtree(checked_root, ignore_errors=True)
        result = GroupResult(run_id, run_dir, runs, stop.signal.name if stop.signal else None)
        _write_group(result, started, command)
        return result


def _wait_all(futures: list[Any], stop: _Stop) -> None:
    """Until every future is done or the run is stopped."""
    from distributed import wait

    while stop.signal is None and not all(f.done() for f in futures):
        with contextlib.suppress(TimeoutError):
            wait(futures, timeout=0.5)


def _check(reports: list[Report], params: dict[str, dict[str, Any]], record: str
           ) -> tuple[list[str], list[str]]:
    from pracops.group.tasks import check_practice

    return check_practice(reports, params, record)


def _report(report: Report, params: Mapping[str, Any], practice_dir: str, **kw: Any
            ) -> dict[str, Any]:
    from pracops.group.tasks import run_report

    return run_report(report, params, practice_dir, **kw)


def _checked(fut: Any) -> tuple[list[str], list[str]]:
    """A check's problems and warnings; a check that could not run refuses its practice with
    the reason."""
    try:
        problems, warnings = fut.result()
    except Exception as exc:
        return [f"its inputs could not be checked: {type(exc).__name__}: {exc}"], []
    return list(problems), list(warnings)


def _collected(fut: Any, run: PracticeRun, report: Report, run_dir: Path,
               stopped: signal.Signals | None = None) -> ReportResult:
    """The report's summary: the task's; the one it wrote before the stop; ``interrupted``
    after a stop; ``failed`` with the reason when the task itself failed (its worker died more
    often than the cluster retries, an error outside the report)."""
    practice_dir = run_dir / run.practice.id
    if fut is not None and fut.status == "finished":
        return ReportResult(**{k: v for k, v in fut.result().items()
                               if k in ReportResult.__dataclass_fields__})
    written = practice_dir / f"{report.name}.json"
    if written.is_file():
        return ReportResult(**{k: v for k, v in json.loads(written.read_text("utf-8")).items()
                               if k in ReportResult.__dataclass_fields__})
    params = run.params[report.name]
    if stopped is not None or fut is None or fut.status == "cancelled":
        from pracops.runner.execution import _Job

        job = _Job(report.name, str(report.notebook), params, str(practice_dir), False, None,
                   "", None)
        res = _interrupted(job, stopped, "finished", practice_dir)
    else:
        exc = fut.exception()
        res = {"status": "failed", "figures": {}, "alerts": [], "headline": [], "files": {},
               "timings": {}, "error": {"name": type(exc).__name__,
                                        "message": str(exc) or type(exc).__name__}}
    attempts = practice_dir / "logs" / f"{report.name}.attempts"
    if attempts.is_file():
        lines = [json.loads(x) for x in attempts.read_text("utf-8").splitlines() if x.strip()]
        res["timings"] = {**res["timings"], "attempts": len(lines),
                          "workers": [a["worker"] for a in lines]}
    return write_summary(practice_dir, report.name, params, res)


def _finish_practice(run: PracticeRun, run_id: str, run_dir: Path, started: float,
                     stopped: signal.Signals | None, command: Sequence[str]) -> None:
    ordered = [run.results[r.name] for r in run.reports]
    finish_run(run_id, run_dir / run.practice.id, started, run.reports, ordered, stopped,
               command=command, inputs=[run.practice.data],
               extra={"practice": {"id": run.practice.id, "name": run.practice.name},
                      "warnings": run.warnings})


def _practice_line(run: PracticeRun) -> str:
    ok = sum(r.status == "ok" for r in run.results.values())
    retried = sum(int(r.timings.get("attempts", 1)) > 1 for r in run.results.values())
    line = f"finished  {run.practice.id}: {ok} of {len(run.reports)} reports ok"
    failed = [n for n, r in run.results.items() if r.status != "ok"]
    if failed:
        line += " (" + ", ".join(f"{n} {run.results[n].status}" for n in failed) + ")"
    if retried:
        line += f"; {retried} run again after a worker died"
    return line


def _write_group(result: GroupResult, started: float, command: Sequence[str]) -> None:
    from pracops.group.page import render_group, write_group_xlsx

    finished = time.time()
    manifest = {
        "run_id": result.run_id, "start": iso(started), "end": iso(finished),
        "seconds": round(finished - started, 3), "command": list(command),
        "stopped_by": result.stopped_by,
        "practices": {p.practice.id: {
            "name": p.practice.name, "status": p.status, "refused": p.refused,
            "reports": {r.name: p.results[r.name].status for r in p.reports
                        if r.name in p.results}}
            for p in result.practices},
    }
    write_atomic(result.run_dir / "manifest.json", json.dumps(manifest, indent=2))
    write_atomic(result.run_dir / "group.html", render_group(result, manifest))
    write_group_xlsx(result, result.run_dir / "group.xlsx")
