"""Executing reports: one forked worker process per report, each starting its own kernel
through papermill, exporting the shared HTML and summarising what the notebook recorded.

Stopping: Linux kills a worker when the run's process dies and a kernel when its worker dies
(``PR_SET_PDEATHSIG``, set in the worker after fork and in the kernel before exec; ipykernel's
own parent poller, ``JPY_PARENT_PID``, is a second line), so even a SIGKILL of the run leaves
nothing running. Workers ignore SIGINT and SIGTERM; in the run's process (main thread) either
signal only sets a flag and wakes the wait: the run then kills its workers (their kernels go
with them), writes each report that did not finish as ``interrupted`` (a report that finished
keeps its files), writes the manifest (``stopped_by``) and the index, and returns a result
whose exit code is 130 (SIGINT) or 143 (SIGTERM). A worker that dies unexpectedly fails only
its own report. The kernels' connection files live in a temporary folder removed after the run.

Speed: starting Python, importing papermill/nbconvert and starting a kernel dominate the time of
a report. The runner imports once and builds the HTML exporter once (:func:`prepare`), then
forks a warm worker process per report (papermill's ``cwd`` is a process-wide ``chdir``, so
threads are unsafe), by default twice the CPU count at once; each worker's kernel is forked
from a zygote that has imported the kernel's and the reports' libraries
(:mod:`pracops.runner.warm`: 0.3 CPU-s to a kernel's first cell instead of 2.2), and the
worker exports HTML straight from the executed notebook in memory, instead of a ``jupyter
nbconvert`` process per report. A kernel is killed as soon as its last cell has replied (its
outputs are in hand; a graceful shutdown waited 0.4-1.2 s for nothing). The kernels take the
datasets and the 835s the run checked before starting them (``checked``,
:mod:`pracops.data.checked`) instead of reading and checking them again. Every file is written
under a temporary name and renamed, so a crash never leaves a half-written report behind.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from pathlib import Path
from typing import Any

import nbformat

from pracops import config
from pracops.memory import huge_pages_pay, with_huge_pages
from pracops.processes import die_with_parent, load_prctl
from pracops.report import RECORD_MIME, summary_from_notebook, write_atomic
from pracops.runner import warm
from pracops.runner.index import render_index
from pracops.runner.manifest import (
    ReportResult,
    RunResult,
    file_rows,
    iso,
    new_run_dir,
    versions,
)
from pracops.runner.parameters import Report

__all__ = ["Progress", "ReportResult", "RunResult", "StopSignals", "export_html",
           "failed_summary", "finish_run", "interrupted_summary", "prepare", "run", "run_one",
           "write_summary"]

@dataclass
class _Job:
    report: str
    notebook: str
    parameters: dict[str, Any]
    run_dir: str
    html: bool
    timeout: int | None
    runtime_dir: str  # the kernels' JUPYTER_RUNTIME_DIR (connection files), removed after the run
    checked: str | None  # the frames the run checked (pracops.data.checked), or None


@functools.cache
def _html_exporter() -> Any:
    """The HTML exporter of the shared report, built once per process and warmed up.

    Building it and compiling its template takes about half a second; the run builds it
    before forking its workers (:func:`run`), so that each worker inherits it ready.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="pracops_html",
        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"parameters", "injected-parameters", "remove-cell",
                              "interactive-only"},
            remove_all_outputs_tags={"remove-output"},
            enabled=True,
        ),
        enabled=True,
    )
    exporter.from_notebook_node(nbformat.v4.new_notebook())  # loads and compiles the template
    return exporter


def export_html(nb: nbformat.NotebookNode) -> str:
    """The shared report: no code, no parameter cells, no prompts, nothing from the network.

    Cells tagged ``parameters``, ``injected-parameters``, ``remove-cell`` or
    ``interactive-only`` (an Explore section: widgets need a live kernel) are left out, and so
    are outputs of cells tagged ``remove-output``. Widget state is dropped; images are embedded
    as data URIs. The title the notebook gave with :func:`pracops.report.page_title` becomes
    the page's ``<title>`` and its heading, in place of the notebook's first heading.
    """
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    title = None
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None and RECORD_MIME in data:
                bundle = data.pop(RECORD_MIME)
                if isinstance(bundle, dict) and bundle.get("kind") == "title":
                    title = str(bundle.get("title", "")) or None
                    continue
                if not data:
                    continue
            kept.append(out)
        cell.outputs = kept
    if title:
        nb.metadata["title"] = title
        _drop_first_heading(nb)
    body, _ = _html_exporter().from_notebook_node(nb)
    return body


def prepare(html: bool = True, *, warm_kernels: bool = False) -> None:
    """Import and build what the workers need, so that each worker forked after it starts
    warm: papermill with the runner's watched engine (:mod:`pracops.runner.watch`), the HTML
    exporter (when ``html``), ``prctl``; with ``warm_kernels``, this
    process's zygote (:mod:`pracops.runner.warm`), which then gives every kernel a report's
    worker asks for, until :func:`pracops.runner.warm.stop_zygote` or this process ends.
    :func:`run` calls it; a caller may call it sooner, while it has other work on another
    core."""
    from pracops.runner import watch  # noqa: F401  (imports papermill, registers the engine)

    if warm_kernels and warm.wanted():
        warm.start_zygote()
    if html:
        _html_exporter()
    load_prctl()


def _drop_first_heading(nb: nbformat.NotebookNode) -> None:
    """Remove the ``# heading`` opening the first Markdown cell: the page title replaces it."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            first, _, rest = cell.source.lstrip().partition("\n")
            if first.startswith("# "):
                cell.source = rest.lstrip("\n")
            return


def _error_from_notebook(nb: nbformat.NotebookNode) -> dict[str, str] | None:
    for cell in nb.cells:
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                return {"name": out.get("ename", "Error"), "message": out.get("evalue", "")}
    return None


def _execute(job: _Job) -> dict[str, Any]:
    """Run one report in this (worker) process; return what the parent needs to summarise."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from pracops.runner import watch  # registers its papermill engine

    run_dir = Path(job.run_dir)
    logs = run_dir / "logs"
    logs.mkdir(exist_ok=True)
    # The kernel inherits this process's stderr: keep its start-up chatter (TCP warnings,
    # debugger notices) in a log file, out of the terminal and the report.
    log_fd = os.open(logs / f"{job.report}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log_fd, 2)
    os.close(log_fd)
    os.environ.pop("MPLBACKEND", None)  # agg would drop every figure from the notebook
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    os.environ["PRACOPS_RUN_DIR"] = str(run_dir)
    os.environ["JUPYTER_RUNTIME_DIR"] = job.runtime_dir
    if huge_pages_pay(job.parameters.get("data_dir"), cwd=Path(job.notebook).parent):
        # the kernel's large blocks in 2 MB pages, read by its C library when it starts: the
        # daily close of a large practice 10-20 % faster at the same memory (pracops.memory)
        os.environ["GLIBC_TUNABLES"] = with_huge_pages(os.environ.get("GLIBC_TUNABLES"))
    if job.checked:
        from pracops.data.checked import ENV

        os.environ[ENV] = job.checked
    logging.getLogger("papermill").setLevel(logging.WARNING)

    ipynb = run_dir / f"{job.report}.ipynb"
    partial = run_dir / f".{job.report}.partial.ipynb"
    started = time.time()
    status, error = "ok", None
    handed_out = run_dir / f"{job.report}_files"  # config.report_files_dir inside a run
    runs, stalled_nb = 0, None
    while runs < _KERNEL_RUNS:
        runs += 1
        try:
            pm.execute_notebook(
                job.notebook, str(partial), parameters=job.parameters, kernel_name="python3",
                progress_bar=False, request_save_on_cell_execute=False, log_output=False,
                cwd=str(Path(job.notebook).parent), execution_timeout=job.timeout,
                kernel_manager_class=_kernel_manager_class(), engine_name=watch.ENGINE,
                # the outputs are in hand once the last cell replied: kill the kernel (0.1 s)
                # rather than ask it to exit and wait for it (0.4-1.2 s)
                shutdown_kernel="immediate",
            )
        except watch.KernelStalled as exc:
            print(f"pracops: run {runs}: {exc}", file=sys.stderr, flush=True)
            status, error, stalled_nb = "failed", {
                "name": "KernelStalled",
                "message": f"the report ran {runs} times, each with a new kernel, and stalled "
                           f"each time; the last time {exc} (a fault of ipykernel under load, "
                           "docs/ARCHITECTURE.md); run the report again"}, exc.notebook
            if runs < _KERNEL_RUNS:  # nothing of the stalled run stays behind
                shutil.rmtree(handed_out, ignore_errors=True)
            continue
        except PapermillExecutionError as exc:
            status, error = "failed", {"name": exc.ename, "message": str(exc.evalue)}
        except Exception as exc:  # kernel died, timeout, unreadable notebook: still summarise
            status, error = "failed", {"name": type(exc).__name__, "message": str(exc)}
        else:
            status, error = "ok", None
        stalled_nb = None
        break
    executed = time.time()
    if stalled_nb is not None:  # as far as the second kernel ran (papermill wrote nothing)
        nbformat.write(stalled_nb, str(partial))
    if partial.exists():
        nb = nbformat.read(partial, as_version=4)
        os.replace(partial, ipynb)
    else:
        nb = nbformat.read(job.notebook, as_version=4)
        nbformat.write(nb, str(ipynb))
    if status == "failed" and error and not error.get("message"):
        error = _error_from_notebook(nb) or error
    figures, alerts, headline = summary_from_notebook(nb)
    files: dict[str, Any] = {"ipynb": ipynb.name}
    if handed_out.is_dir():
        files["attachments"] = sorted(str(p.relative_to(run_dir)) for p in handed_out.rglob("*")
                                      if p.is_file() and not p.name.startswith("."))
    if job.html:
        write_atomic(run_dir / f"{job.report}.html", export_html(nb))
        files["html"] = f"{job.report}.html"
    finished = time.time()
    return {
        "status": status, "error": error, "figures": figures, "alerts": alerts,
        "headline": headline, "files": files,
        "timings": {
            "start": iso(started), "end": iso(finished),
            "execute_seconds": round(executed - started, 3),
            "export_seconds": round(finished - executed, 3),
            "seconds": round(finished - started, 3),
            **({"kernel_runs": runs} if runs > 1 else {}),
        },
    }


# --- workers and kernels: started bound to the run, stopped with it -------------------------

#: Times a report is run, each with a new kernel, when its kernel stalls
#: (:mod:`pracops.runner.watch`).
_KERNEL_RUNS = 2

#: Seconds to wait for a killed worker to be reaped, or for one that sent its summary to exit.
_REAP_SECONDS = 3.0


@functools.cache
def _kernel_manager_class() -> type:
    """jupyter_client's kernel manager, starting each kernel bound to the worker that starts it.

    jupyter_client starts a kernel in a session of its own (the terminal's Ctrl-C never reaches
    it) and sets ``JPY_PARENT_PID``, so ipykernel exits within a second of its parent's death;
    the death signal added here ends it at once.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class BoundKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:
            kw.setdefault("preexec_fn", functools.partial(die_with_parent, os.getpid()))
            if not self.connection_file:  # in the run's runtime folder, not a stray temp file
                self.connection_file = os.path.join(jupyter_runtime_dir(),
                                                    f"kernel-{os.getpid()}.json")
                # Unix sockets beside it, not TCP ports: jupyter_client picks free ports and
                # lets them go for the kernel to bind, and a kernel of a run beside this one
                # took one in between ("Address already in use": the report failed, 3 times
                # in a clean-clone CI running 7 runs at once)
                self.transport, self.cache_ports = "ipc", False
                self.ip = os.path.splitext(self.connection_file)[0] + "-ipc"
            await super().start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # forked warm from this process's zygote when there is one that serves it
            zygote = warm.current_zygote()
            env = kw.get("env") or dict(os.environ)
            cwd = kw.get("cwd") or os.getcwd()
            if zygote is not None and self.provisioner is not None and zygote.serves(
                    kernel_cmd, env, cwd):
                try:
                    kernel = zygote.launch(kernel_cmd, env, cwd)
                except OSError:
                    pass
                else:
                    p = self.provisioner
                    p.process, p.pid, p.pgid = kernel, kernel.pid, kernel.pid
                    p.cwd = kw.get("cwd")
                    self._reconcile_connection_info(p.connection_info)
                    return
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return BoundKernelManager


def _worker(job: _Job, conn: Connection, parent_pid: int) -> None:
    """A worker process: runs one report and sends its summary to the parent.

    Deaf to SIGINT and SIGTERM (the parent decides when a run stops and kills its workers),
    killed by Linux when the parent dies.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    die_with_parent(parent_pid)
    try:
        res = _execute(job)
    except Exception as exc:  # e.g. the run folder went away: the report failed, say why
        res = failed_summary(type(exc).__name__, str(exc))
    conn.send(res)
    conn.close()


def failed_summary(name: str, message: str, seconds: float | None = None) -> dict[str, Any]:
    """The summary of a report that failed outside its notebook (its worker died, ...)."""
    return {"status": "failed", "error": {"name": name, "message": message}, "figures": {},
            "alerts": [], "headline": [], "files": {},
            "timings": {} if seconds is None else {"seconds": round(seconds, 3)}}


@dataclass
class _Worker:
    job: _Job
    process: multiprocessing.process.BaseProcess
    conn: Connection
    started: float


def _start(job: _Job) -> _Worker:
    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_worker, args=(job, send, os.getpid()), daemon=True,
                          name=f"pracops-{job.report}")
    process.start()
    send.close()  # the worker holds the only writing end: its death is an end of file here
    return _Worker(job, process, receive, time.time())


def _summary(w: _Worker) -> dict[str, Any] | None:
    """What the worker sent, or None when it ended without sending it (read once)."""
    try:
        if w.conn.poll():
            res: dict[str, Any] = w.conn.recv()
            w.process.join(_REAP_SECONDS)
            return res
    except (EOFError, OSError, pickle.UnpicklingError):
        pass
    finally:
        w.conn.close()
    return None


def _reap(workers: Iterable[_Worker]) -> None:
    """Kill workers (their kernels die with them) and wait until they are gone."""
    workers = list(workers)
    for w in workers:
        if w.process.exitcode is None:
            w.process.kill()
    for w in workers:
        w.process.join(_REAP_SECONDS)


class StopSignals:
    """Within ``with``: SIGINT and SIGTERM set ``signal`` and wake the run's wait, nothing more.

    A handler that only records keeps every write whole: the run loop sees the flag, kills the
    workers and writes the run folder. Installed only in the main thread (Python's rule).
    """

    def __init__(self) -> None:
        self.signal: signal.Signals | None = None
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._previous: dict[int, Any] = {}

    def fileno(self) -> int:
        """The end that becomes readable on a signal (for ``multiprocessing.connection.wait``)."""
        return self._read

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.signal is None:
            self.signal = signal.Signals(signum)
        with contextlib.suppress(OSError):  # the pipe is full: already woken
            os.write(self._write, b"!")

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for s in (signal.SIGINT, signal.SIGTERM):
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        os.close(self._read)
        os.close(self._write)


Progress = Callable[[str], None]


def run(
    reports: Sequence[Report],
    parameters: Mapping[str, Mapping[str, Any]],
    *,
    out: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    html: bool = True,
    timeout: int | None = None,
    inputs: Sequence[str | os.PathLike[str]] = (),
    command: Sequence[str] = (),
    progress: Progress | None = None,
    checked: str | os.PathLike[str] | None = None,
) -> RunResult:
    """Execute reports in parallel kernels and write the run folder.

    Each report runs in a forked worker process with its own kernel. SIGINT or SIGTERM
    (in the main thread) stops the run: workers and kernels are killed, reports that did not
    finish are written with status ``interrupted``, the manifest and index are written, and
    the result's ``stopped_by`` names the signal.

    Parameters
    ----------
    reports
        What to run, in the order the index lists them.
    parameters
        Checked parameters per report (see :func:`resolve_parameters`).
    out
        Folder that receives ``<run-id>/``; default ``outputs/``.
    jobs
        Reports run at once; default twice the CPU count (a kernel leaves its core idle
        while it starts and while its worker exports; on 2 cores, 4 reports at once
        finished the sample's suite about 1 s sooner than 2 at a time).
    html
        Export the shared HTML of each report.
    timeout
        Seconds a single cell may run before the report fails; ``None`` for no limit.
    inputs
        Data folders or files whose sha256 goes into the manifest.
    command
        The command line, for the manifest.
    progress
        Called with one line per event (started, finished, failed, stopped).
    checked
        A folder holding the datasets the caller has checked (``pracops run`` checks every
        data folder before any kernel starts; :func:`pracops.data.checked.write`): the
        kernels take these frames instead of reading and checking the files again, as long
        as the files are unchanged.

    Raises
    ------
    PracopsError
        ``out`` is not a folder that can be written.
    """
    out_dir = Path(os.path.abspath(out if out else config.outputs_dir()))
    run_id, run_dir = new_run_dir(out_dir)
    started = time.time()
    say = progress or (lambda _line: None)
    jobs = max(1, jobs or 2 * (os.cpu_count() or 1))
    results: dict[str, ReportResult] = {}

    def record(job: _Job, res: dict[str, Any], elapsed: float) -> None:
        rr = write_summary(run_dir, job.report, job.parameters, res)
        results[job.report] = rr
        if rr.status == "ok":
            say(f"finished  {job.report} in {elapsed:.1f} s")
        elif rr.status == "interrupted":
            say(f"STOPPED   {job.report}")
        else:
            err = rr.error or {}
            say(f"FAILED    {job.report} in {elapsed:.1f} s: "
                f"{err.get('name', '')}: {err.get('message', '')}".rstrip(": "))

    with StopSignals() as stop, tempfile.TemporaryDirectory(prefix="pracops-kernels-") as rt:
        pending = deque(
            _Job(r.name, str(r.notebook), dict(parameters.get(r.name, {})), str(run_dir), html,
                 timeout, rt, os.fspath(checked) if checked else None)
            for r in reports
        )
        if pending:
            prepare(html)
        running: list[_Worker] = []
        try:
            while (pending or running) and stop.signal is None:
                while pending and len(running) < jobs:
                    running.append(_start(pending.popleft()))
                    say(f"started   {running[-1].job.report}")
                ready = mp_wait([stop, *(w.conn for w in running),
                                 *(w.process.sentinel for w in running)])
                for w in [w for w in running if w.conn in ready or w.process.sentinel in ready]:
                    if stop.signal is not None:
                        break
                    running.remove(w)
                    res = _summary(w)
                    if res is None:
                        w.process.join(_REAP_SECONDS)
                        res = failed_summary("WorkerDied", _death(w.process.exitcode),
                                      time.time() - w.started)
                    _reap([w])
                    record(w.job, res, time.time() - w.started)
        finally:
            _reap(running)
        if stop.signal is not None:
            say(f"stopping: {stop.signal.name}")
        for w in running:  # only after a stop: a summary sent just before it still counts
            res = _summary(w) or _interrupted(w.job, stop.signal, "finished", run_dir,
                                              time.time() - w.started)
            record(w.job, res, time.time() - w.started)
        for job in pending:
            record(job, _interrupted(job, stop.signal, "started", run_dir), 0.0)

        ordered = [results[r.name] for r in reports]
        return finish_run(run_id, run_dir, started, reports, ordered, stop.signal,
                          command=command, inputs=inputs)


def write_summary(run_dir: Path, report: str, parameters: Mapping[str, Any],
                  res: Mapping[str, Any]) -> ReportResult:
    """Write ``<report>.json`` in ``run_dir`` from what a worker sent (or a failure or stop
    made up for it); return it as a :class:`ReportResult`."""
    rr = ReportResult(report, res["status"], dict(parameters), res["figures"], res["headline"],
                      res["alerts"], res["error"], res["timings"], res["files"])
    rr.files["json"] = f"{report}.json"
    write_atomic(run_dir / f"{report}.json", json.dumps(rr.to_json(), indent=2, default=str))
    return rr


def finish_run(run_id: str, run_dir: Path, started: float, reports: Sequence[Report],
               results: Sequence[ReportResult], stopped_by: signal.Signals | None, *,
               command: Sequence[str] = (), inputs: Sequence[str | os.PathLike[str]] = (),
               extra: Mapping[str, Any] | None = None) -> RunResult:
    """Write the run folder's ``manifest.json`` (``extra`` added to it) and ``index.html``
    for reports that have their summaries written; the run's result."""
    finished = time.time()
    manifest = {
        "run_id": run_id,
        "start": iso(started),
        "end": iso(finished),
        "seconds": round(finished - started, 3),
        "command": list(command),
        "stopped_by": stopped_by.name if stopped_by else None,
        "reports": {r.report: r.status for r in results},
        "inputs": file_rows([Path(p) for p in inputs]),
        "notebooks": file_rows([r.notebook for r in reports]),
        "versions": versions(),
        **(extra or {}),
    }
    write_atomic(run_dir / "manifest.json", json.dumps(manifest, indent=2))
    write_atomic(run_dir / "index.html", render_index(run_id, manifest, reports, results))
    return RunResult(run_id, run_dir, list(results), manifest["stopped_by"])


def run_one(report: Report, parameters: Mapping[str, Any], run_dir: Path, *,
            runtime_dir: str, html: bool = True, timeout: int | None = None,
            checked: str | None = None, stopped: Callable[[], bool] = lambda: False,
            poll: float = 0.5) -> dict[str, Any]:
    """Run one report in a forked worker process of this process (as :func:`run` does for
    each), writing its files into ``run_dir``; return what the worker sent, a failure when it
    died, or an ``interrupted`` summary once ``stopped()`` turns true (checked every ``poll``
    seconds; the worker and its kernel are killed). The caller writes the summary
    (:func:`write_summary`). For a caller that is itself a worker of a cluster
    (:mod:`pracops.group`): this process must be allowed children (not a daemon)."""
    job = _Job(report.name, str(report.notebook), dict(parameters), str(run_dir), html,
               timeout, runtime_dir, checked)
    prepare(html)
    w = _start(job)
    try:
        while not (w.conn.poll(poll) or w.process.exitcode is not None):
            if stopped():
                _reap([w])
                return interrupted_summary(report.name, run_dir,
                                           "the run was stopped before it finished",
                                           time.time() - w.started)
        res = _summary(w)
        if res is None:
            w.process.join(_REAP_SECONDS)
            res = failed_summary("WorkerDied", _death(w.process.exitcode), time.time() - w.started)
        return res
    finally:
        _reap([w])


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"was killed by {signal.Signals(-exitcode).name}"
        if -exitcode == signal.SIGKILL:
            how += " (out of memory?)"
    else:
        how = f"ended with exit code {exitcode}"
    return f"the worker process running the report {how} before it sent its summary"


def interrupted_summary(report: str, run_dir: Path, message: str,
                        seconds: float | None = None) -> dict[str, Any]:
    """The summary of a report a stop cut short (``message`` says when); its temporary files
    are removed and the files it finished are kept."""
    for temp in run_dir.glob(f".{report}.*"):
        temp.unlink(missing_ok=True)
    files = {k: f"{report}.{k}" for k in ("ipynb", "html")
             if (run_dir / f"{report}.{k}").is_file()}
    return {"status": "interrupted", "error": {"name": "Interrupted", "message": message},
            "figures": {}, "alerts": [], "headline": [], "files": files,
            "timings": {} if seconds is None else {"seconds": round(seconds, 3)}}


def _interrupted(job: _Job, by: signal.Signals | None, before: str, run_dir: Path,
                 seconds: float | None = None) -> dict[str, Any]:
    return interrupted_summary(job.report, run_dir,
                               f"stopped by {by.name if by else 'a signal'} before it {before}",
                               seconds)
