"""A group run: every practice's inputs checked on the cluster, then one task per (practice,
report), each practice's folder written as a single-practice run writes it, and the group pages.

The run folder::

    <out>/<run-id>/
        group.html  group.xlsx  manifest.json      the group's pages and what ran
        <practice id>/                             as ``pracops run`` writes a run folder:
            index.html  manifest.json  <report>.html/.ipynb/.json  <report>_files/  logs/

Futures are released as soon as their result is in hand, so that a worker dying later never
makes the scheduler run a finished report again. A practice left with no report to run (its
own list and the command line's have none in common) is ``skipped``: no folder, a row that says
so. Stopping: SIGINT or SIGTERM sets a :class:`distributed.Event` the running reports watch (each
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
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pracops.errors import PracopsError
from pracops.group.practices import Practice
from pracops.report import write_atomic
from pracops.runner.execution import (
    StopSignals,
    failed_summary,
    finish_run,
    interrupted_summary,
    write_summary,
)
from pracops.runner.manifest import ReportResult, iso, new_run_dir
from pracops.runner.parameters import (
    Report,
    check_reports,
    load_parameter_file,
    resolve_parameters,
)

__all__ = ["Bars", "GroupResult", "PracticeRun", "plan", "run_group"]

Say = Callable[[str], None]


@dataclass
class PracticeRun:
    """One practice of a group run: refused (``refused`` holds its one-line problems),
    skipped (no report to run) or run."""

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
        if not self.reports:
            return "skipped"
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
        """130 / 143 when stopped; else 2 when a practice was refused, 1 when a report did
        not finish ``ok``, 0 otherwise."""
        if self.stopped_by:
            return 128 + signal.Signals[self.stopped_by].value
        if any(p.refused for p in self.practices):
            return 2
        return 1 if any(p.status in ("failed", "interrupted") for p in self.practices) else 0


class Bars:
    """A progress bar per report kind in the terminal (tqdm), one step per practice done;
    :meth:`write` prints a line above the bars."""

    def __init__(self, tasks: Sequence[tuple[str, str]]) -> None:
        from tqdm import tqdm

        kinds: dict[str, int] = {}
        for _, report in tasks:
            kinds[report] = kinds.get(report, 0) + 1
        width = max(map(len, kinds), default=0)
        self._tqdm = tqdm
        self._bars = {k: tqdm(total=n, desc=k.ljust(width), position=i, leave=True,
                              unit="practice", dynamic_ncols=True)
                      for i, (k, n) in enumerate(kinds.items())}

    def done(self, _practice: str, report: str) -> None:
        self._bars[report].update()

    def write(self, line: str) -> None:
        self._tqdm.write(line)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


def plan(practices: Sequence[Practice], names: Sequence[str], available: Mapping[str, Report],
         *, parameters_dir: str | None = None, files: Sequence[str] = (),
         overrides: Sequence[tuple[str, str]] = ()) -> list[PracticeRun]:
    """Each practice's reports (its own list, narrowed by ``names``) and checked parameters.

    The command line's parameters (``files``, ``overrides``) are checked once against every
    report the run will start (a mistake there stops the run: it is every practice's), then
    given to each practice for the reports it runs. A practice whose own parameters are wrong
    is refused with the one line saying why.
    """
    check_reports(names, available)  # an unknown name on the command line stops the run
    chosen = {p.id: [r for r in (p.reports or available) if not names or r in names]
              for p in practices}
    every = [available[r] for r in available if any(r in c for c in chosen.values())]
    resolve_parameters(every, parameters_dir=parameters_dir, files=files, overrides=overrides)
    given = [(str(f), load_parameter_file(f)) for f in files]
    runs = []
    for p in practices:
        run = PracticeRun(p, [available[r] for r in chosen[p.id]])
        if run.reports:
            declared = {r.name: r.parameters for r in run.reports}
            try:
                run.params = resolve_parameters(
                    run.reports, parameters_dir=parameters_dir, data=str(p.data),
                    sections=[*((where, _for(content, declared, available))
                                for where, content in given),
                              (p.where, {r: v for r, v in p.parameters.items()
                                         if r in declared})],
                    overrides=[(k, v) for k, v in overrides if _declared(k, declared)])
            except PracopsError as exc:
                run.refused.append(str(exc))
        runs.append(run)
    return runs


def _declared(key: str, declared: Mapping[str, Any]) -> bool:
    """Whether a parameter given as ``name`` or ``report.name`` is one of these reports'."""
    report, _, name = key.rpartition(".")
    if report:
        return report in declared and name in declared[report]
    return any(name in ps for ps in declared.values())


def _for(content: Mapping[str, Any], declared: Mapping[str, Any], reports: Mapping[str, Any]
         ) -> dict[str, dict[str, Any]]:
    """A ``-f`` file's values (split by report, or flat with ``name`` or ``report.name``
    keys) for the reports a practice runs (``declared``; ``reports``: every report)."""
    out: dict[str, dict[str, Any]] = {}
    if content and all(k in reports and isinstance(v, dict) for k, v in content.items()):
        return {r: dict(v) for r, v in content.items() if r in declared}
    for key, value in content.items():
        report, _, name = str(key).rpartition(".")
        for r, ps in declared.items():
            if (not report or report == r) and name in ps:
                out.setdefault(r, {})[name] = value
    return out


def run_group(runs: list[PracticeRun], client: Any, *, out: str | os.PathLike[str],
              html: bool = True, timeout: int | None = None, say: Say | None = None,
              progress: Callable[[Sequence[tuple[str, str]]], Any] | None = None,
              command: Sequence[str] = ()) -> GroupResult:
    """Check every practice's inputs on the cluster, run the reports of those that passed,
    write each practice's folder and the group pages.

    ``say`` gets one line per refused and per finished practice; ``progress``, given the
    (practice, report) pairs, returns an object with ``done(practice, report)``,
    ``write(line)`` and ``close()`` (the terminal's bars).

    An error of the cluster itself (the scheduler lost, a folder that cannot be written) does
    not leave pages half written: the reports not finished are written ``failed`` with it, then
    every practice's pages and the group's, and the error is raised again.
    """
    say = say or (lambda _line: None)
    run_id, run_dir = new_run_dir(Path(os.path.abspath(out)))
    started = time.time()
    checked_root = run_dir / ".checked"
    group = _Group(runs, client, run_id, run_dir, checked_root, html, timeout, say, command,
                   started)
    raised: BaseException | None = None
    with StopSignals() as stop:
        group.stop = stop
        try:
            group.check()
            if stop.signal is None:
                group.run(progress)
        except Exception as exc:  # the cluster or the disk, not a report: say it on every page
            raised = exc
            group.fail_rest(exc)
        finally:
            group.close()
        if stop.signal is not None:
            group.interrupt_rest()
        group.finish_practices()
        result = GroupResult(run_id, run_dir, runs, stop.signal.name if stop.signal else None)
        _write_group(result, started, command, group.charts)
    if raised is not None:
        raise raised
    return result


class _Group:
    """The state of one group run between :func:`run_group`'s steps."""

    def __init__(self, runs: list[PracticeRun], client: Any, run_id: str, run_dir: Path,
                 checked_root: Path, html: bool, timeout: int | None, say: Say,
                 command: Sequence[str], started: float) -> None:
        self.runs, self.client, self.run_id, self.run_dir = runs, client, run_id, run_dir
        self.checked_root, self.html, self.timeout = checked_root, html, timeout
        self.say, self.command, self.started = say, command, started
        self.stop: StopSignals | None = None
        self.todo: list[tuple[PracticeRun, Report]] = []
        self.pending: dict[Any, tuple[PracticeRun, Report]] = {}
        self.bars: Any = None
        self.stop_name = f"pracops-stop-{run_id}-{secrets.token_hex(4)}"
        self.event: Any = None
        self.sizes: dict[str, int] = {}
        self.charts: dict[str, Any] = {}  # report: its chart on group.html, drawn early

    def largest_first(self) -> list[PracticeRun]:
        """The practices to run by the size of their data, largest first: the longest tasks
        start first, and the run does not end waiting on a large practice whose turn came
        last (longest processing time first; the scheduler also takes queued tasks by this
        size, their priority)."""
        return sorted((run for run in self.runs if run.practice.id in self.sizes),
                      key=lambda run: -self.sizes[run.practice.id])

    def stopped(self) -> bool:
        return self.stop is not None and self.stop.signal is not None

    def check(self) -> None:
        """Every practice's inputs checked as tasks; the bad ones refused."""
        checks = {}
        self.sizes = {run.practice.id: _size(run) for run in self.runs
                      if run.reports and not run.refused}
        for run in self.largest_first():
            (self.run_dir / run.practice.id).mkdir()
            # what was checked holds the practice's data (patients' too): this user's only
            (self.checked_root / run.practice.id).mkdir(parents=True, mode=0o700)
            os.chmod(self.checked_root, 0o700)
            checks[self.client.submit(
                _check, run.reports, run.params, str(self.checked_root / run.practice.id),
                key=_task_key("check", self.run_id, run.practice.id), pure=False,
                priority=self.sizes[run.practice.id])] = run
        _wait_all(list(checks), self)
        for fut, run in checks.items():
            if not self.stopped():
                problems, run.warnings = _checked(fut)
                run.refused += problems
            fut.release()
        for run in self.runs:
            if run.refused:
                shutil.rmtree(self.run_dir / run.practice.id, ignore_errors=True)
                self.say(f"refused   {run.practice.id}: " + "; ".join(run.refused))
            elif not run.reports:
                self.say(f"skipped   {run.practice.id}: none of its reports was asked for")
        self.todo = [(run, r) for run in self.largest_first() if not run.refused
                     for r in run.reports]

    def run(self, progress: Callable[[Sequence[tuple[str, str]]], Any] | None) -> None:
        """One task per (practice, report), collected as they finish."""
        from distributed import Event, wait

        if not self.todo:
            return
        if progress is not None:
            self.bars = progress([(run.practice.id, r.name) for run, r in self.todo])
            self.say = self.bars.write
        self.event = Event(self.stop_name, client=self.client)
        for run, r in self.todo:
            fut = self.client.submit(
                _report, r, run.params[r.name], str(self.run_dir / run.practice.id),
                html=self.html, timeout=self.timeout,
                checked=str(self.checked_root / run.practice.id), stop_event=self.stop_name,
                key=_task_key(r.name, self.run_id, run.practice.id), pure=False, retries=0,
                priority=self.sizes[run.practice.id])
            self.pending[fut] = (run, r)
        while self.pending and not self.stopped():
            with contextlib.suppress(TimeoutError):
                wait(list(self.pending), timeout=0.5, return_when="FIRST_COMPLETED")
            for fut in [f for f in self.pending if f.done()]:
                self.collect(fut)
        if self.stopped():
            self.say(f"stopping: {self.stop.signal.name}")
            # the running reports kill their kernels and say so, those not started return at
            # once; what is still pending after that is cancelled
            self.event.set()
            with contextlib.suppress(TimeoutError):
                wait(list(self.pending), timeout=15)
            for fut in list(self.pending):
                if fut.done():
                    self.collect(fut)
                else:
                    fut.cancel()

    def collect(self, fut: Any) -> None:
        """A finished task's summary into its practice; the future released (a worker that
        dies later must not make the scheduler run it again)."""
        run, report = self.pending.pop(fut)
        folder = self.run_dir / run.practice.id
        if fut.status == "finished":
            summary = fut.result()
            rr = ReportResult(**{k: v for k, v in summary.items()
                                 if k in ReportResult.__dataclass_fields__})
        elif fut.status == "cancelled" and self.stopped():
            rr = self.written(run, report) or write_summary(
                folder, report.name, run.params[report.name],
                interrupted_summary(report.name, folder, "the run was stopped before it "
                                    "finished"))
        else:  # the task failed: its worker died more often than allowed, the cluster ...
            exc = fut.exception() if fut.status == "error" else None
            why = (f"{type(exc).__name__}: {exc}" if exc is not None
                   else "its task was cancelled by the cluster")
            rr = write_summary(folder, report.name, run.params[report.name],
                               _with_attempts(folder, report.name, failed_summary(
                                   type(exc).__name__ if exc else "Cancelled", why)))
        fut.release()
        run.results[report.name] = rr
        if self.bars is not None:
            self.bars.done(run.practice.id, report.name)
        if len(run.results) == len(run.reports) and not self.stopped():
            # what was checked for its kernels, removed as the practice ends: the 12
            # practices' 1.7 GB took 2 s to remove after the last report
            shutil.rmtree(self.checked_root / run.practice.id, ignore_errors=True)
            self.finish(run)
            self.say(_practice_line(run))
        if not self.stopped():
            self.chart_when_in(report.name)

    def chart_when_in(self, name: str) -> None:
        """The chart of report ``name`` on ``group.html`` drawn as soon as every practice's
        is in: while the last reports run, where a core is idle, not after them (the run's
        tail, bench/README.md, "Many practices"). A chart that cannot be drawn is said on
        the page (:func:`pracops.group.page.report_charts`); any other error here must not
        fail the reports still running: the page draws the chart again and raises it."""
        from pracops.group.page import group_table, report_charts

        if any(name not in run.results for run in self.runs if not run.refused
               and any(r.name == name for r in run.reports)):
            return
        with contextlib.suppress(Exception):
            table = group_table(GroupResult(self.run_id, self.run_dir, self.runs))
            self.charts.update(report_charts(table, [name]))

    def written(self, run: PracticeRun, report: Report) -> ReportResult | None:
        """The summary the task wrote before it was cancelled, if any."""
        path = self.run_dir / run.practice.id / f"{report.name}.json"
        if not path.is_file():
            return None
        content = json.loads(path.read_text(encoding="utf-8"))
        return ReportResult(**{k: v for k, v in content.items()
                               if k in ReportResult.__dataclass_fields__})

    def fail_rest(self, exc: BaseException) -> None:
        why = f"{type(exc).__name__}: {exc}"
        for run, report in self.unfinished():
            folder = self.run_dir / run.practice.id
            folder.mkdir(exist_ok=True)
            run.results[report.name] = write_summary(
                folder, report.name, run.params[report.name],
                _with_attempts(folder, report.name, failed_summary(type(exc).__name__, why)))
        for fut in list(self.pending):
            with contextlib.suppress(Exception):  # the cluster gone already: nothing to cancel
                fut.cancel()
        self.pending.clear()

    def interrupt_rest(self) -> None:
        message = f"stopped by {self.stop.signal.name} before it finished"
        for run, report in self.unfinished():
            folder = self.run_dir / run.practice.id
            folder.mkdir(exist_ok=True)
            run.results[report.name] = self.written(run, report) or write_summary(
                folder, report.name, run.params[report.name],
                interrupted_summary(report.name, folder, message))

    def finish(self, run: PracticeRun) -> None:
        stopped = self.stop.signal if self.stop is not None else None
        _finish_practice(run, self.run_id, self.run_dir, self.started, stopped, self.command)

    def finish_practices(self) -> None:
        """Every practice that ran and has no pages yet (after a stop or an error)."""
        for run in self.runs:
            if run.results and not (self.run_dir / run.practice.id / "manifest.json").exists():
                self.finish(run)

    def unfinished(self) -> list[tuple[PracticeRun, Report]]:
        """The reports of practices not refused that have no summary yet."""
        return [(run, r) for run in self.runs if not run.refused for r in run.reports
                if r.name not in run.results]

    def close(self) -> None:
        if self.bars is not None:
            self.bars.close()
        if self.event is not None:
            with contextlib.suppress(Exception):  # a scheduler already gone
                self.event.clear()
        shutil.rmtree(self.checked_root, ignore_errors=True)


def _task_key(kind: str, run_id: str, practice: str) -> str:
    """A task's key: ``<kind>-<run id>-<practice id>``. Dask groups tasks by the words of the
    key before its first word that is not all letters (:func:`dask.utils.key_split`), here the
    run id's date: every practice's check is one task group, every report kind one. Once a
    group is larger than twice the cluster's threads, its further tasks are queued on the
    scheduler and handed out as workers free up, largest practice first (the tasks'
    priority); the first ones go to workers as they are submitted (the scheduler counts a
    group as its tasks arrive). With the practice's id before the run's, each task was a
    group of its own, assigned to a worker when submitted: a worker sat idle 3-5 s at a time
    while checks waited on the other (12 practices, 2 workers; bench/README.md, "Many
    practices")."""
    return f"{kind}-{run_id}-{practice}"


def _size(run: PracticeRun) -> int:
    """The bytes of the files in a practice's data folder and below (its ERAs,
    :func:`pracops.memory.folder_bytes`): how long its check and reports take, roughly (a
    40-provider practice's several times a 3-provider one's). What cannot be read counts
    nothing: its practice's own check refuses it."""
    from pracops.memory import folder_bytes

    return folder_bytes(run.practice.data)


def _wait_all(futures: list[Any], group: _Group) -> None:
    """Until every future is done or the run is stopped."""
    from distributed import wait

    while not group.stopped() and not all(f.done() for f in futures):
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


def _with_attempts(folder: Path, report: str, res: dict[str, Any]) -> dict[str, Any]:
    """``res`` with the attempts its tasks recorded (:data:`pracops.group.tasks.ATTEMPTS`)."""
    from pracops.group.tasks import ATTEMPTS

    path = folder / ATTEMPTS.format(report=report)
    if path.is_file():
        lines = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
        res["timings"] = {**res["timings"], "attempts": len(lines),
                          "workers": [a["worker"] for a in lines]}
    return res


def _finish_practice(run: PracticeRun, run_id: str, run_dir: Path, started: float,
                     stopped: signal.Signals | None, command: Sequence[str]) -> None:
    ordered = [run.results[r.name] for r in run.reports]
    finish_run(run_id, run_dir / run.practice.id, started, run.reports, ordered, stopped,
               command=command, inputs=[run.practice.data],
               extra={"practice": {"id": run.practice.id, "name": run.practice.name},
                      "warnings": run.warnings})


def _practice_line(run: PracticeRun) -> str:
    ok = sum(r.status == "ok" for r in run.results.values())
    retried = sum(r.rerun_after_worker_died for r in run.results.values())
    stalled = sum(r.rerun_after_kernel_stalled for r in run.results.values())
    line = f"finished  {run.practice.id}: {ok} of {len(run.reports)} reports ok"
    failed = [n for n, r in run.results.items() if r.status != "ok"]
    if failed:
        line += " (" + ", ".join(f"{n} {run.results[n].status}" for n in failed) + ")"
    if retried:
        line += f"; {retried} run again after a worker died"
    if stalled:
        line += f"; {stalled} run again after a kernel stalled"
    return line


def _write_group(result: GroupResult, started: float, command: Sequence[str],
                 charts: Mapping[str, Any]) -> None:
    from pracops.group.page import group_table, render_group, write_group_xlsx

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
    table = group_table(result)
    write_atomic(result.run_dir / "group.html", render_group(result, manifest, table, charts))
    write_group_xlsx(result.run_id, table, result.run_dir / "group.xlsx")
