"""Run reports headless: check parameters, execute notebooks with papermill, export HTML,
write summaries, the run's manifest and its index page.

The run contract (see DESIGN.md): every run gets ``outputs/<run-id>/`` holding, per report,
the executed ``.ipynb``, the shared ``.html`` and a ``.json`` summary, and per run a
``manifest.json`` and an ``index.html``. Parameters come from ``parameters/<report>.yaml``, then
``-f FILE``, then ``-p KEY VALUE``; they are checked against each notebook's parameters cell
before any kernel starts.

Date parameters: a ``str`` or ``list`` parameter whose comment names the form ``YYYY-MM-DD``
(``as_of: str = ''  # report date YYYY-MM-DD; empty for ...``) holds dates, a list one date per
item; one naming ``YYYY-MM`` holds months. A value must be a real date (month) in that form
between 1900-01-01 and 2100-12-31, or the empty text when the declared default is empty ("from
the data"); anything else is a ParameterError naming the parameter, the value and the form.
YAML files are read with dates left as text, so ``as_of: 2024-02-30`` is refused the same way.

Stopping: each report runs in a worker process forked for it, which starts its kernel. Linux
kills a worker when the run's process dies and a kernel when its worker dies
(``PR_SET_PDEATHSIG``, set in the worker after fork and in the kernel before exec; ipykernel's
own parent poller, ``JPY_PARENT_PID``, is a second line), so even a SIGKILL of the run leaves
nothing running. Workers ignore SIGINT and SIGTERM; in the run's process (main thread) either
signal only sets a flag and wakes the wait: the run then kills its workers (their kernels go
with them), writes each report that did not finish as ``interrupted`` (a report that finished
keeps its files), writes the manifest (``stopped_by``) and the index, and returns a result
whose exit code is 130 (SIGINT) or 143 (SIGTERM). A worker that dies unexpectedly fails only
its own report. The kernels' connection files live in a temporary folder removed after the run.

Manifest: every input file with its size and sha256; a file that cannot be hashed (unreadable,
a link to nothing, a loop of links, not a regular file, gone since listed) is recorded with
``"sha256": null`` and the reason in ``"error"``, never a crash.

Speed: starting Python, importing papermill/nbconvert and starting a kernel dominate the time of
a report. The runner imports once, then forks a warm worker process per report (papermill's
``cwd`` is a process-wide ``chdir``, so threads are unsafe) and exports HTML in that worker
straight from the executed notebook in memory, instead of a ``jupyter nbconvert`` process per
report. Every file is written under a temporary name and renamed, so a crash never leaves a
half-written report behind.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import datetime as dt
import errno
import functools
import hashlib
import io
import json
import logging
import multiprocessing
import os
import pickle
import secrets
import signal
import stat
import sys
import tempfile
import threading
import time
import tokenize
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from importlib import metadata
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from pathlib import Path
from typing import Any

import nbformat
import yaml

from pracops import config, registry
from pracops.errors import ParameterError, PracopsError
from pracops.parameters import ALLOWED_TYPES, Parameter, YamlLoader, closest
from pracops.processes import die_with_parent, load_prctl
from pracops.report import (
    RECORD_MIME,
    figure_label,
    header_label,
    summary_from_notebook,
    write_atomic,
)

log = logging.getLogger(__name__)

__all__ = [
    "Report",
    "ReportResult",
    "RunResult",
    "discover",
    "notebook_parameters",
    "resolve_parameters",
    "run",
    "export_html",
]

PACKAGES_IN_MANIFEST = (
    "pracops", "pandas", "numpy", "pandera", "papermill", "nbconvert", "nbclient", "nbformat",
    "ipykernel", "jupyter_client", "matplotlib", "ipywidgets", "openpyxl", "pyarrow", "PyYAML",
)


# --- reports and their parameters ---------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """A report: a notebook under ``notebooks/`` and what its first cells say about it."""

    name: str
    notebook: Path
    title: str
    description: str

    @property
    def parameters(self) -> Mapping[str, Parameter]:
        """The report's parameters: its declaration when it is one of the suite's reports
        (:mod:`pracops.registry`), else those of its notebook's ``parameters`` cell."""
        spec = registry.spec(self.name)
        return spec.parameters if spec is not None else notebook_parameters(self.notebook)


def _first_markdown(nb: nbformat.NotebookNode) -> tuple[str, str]:
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip()]
        if not lines:
            continue
        title = lines[0].lstrip("#").strip()
        rest = " ".join(ln for ln in lines[1:] if not ln.startswith("#"))
        first_sentence = rest.split(". ")[0].rstrip(".")
        return title, (first_sentence + ".") if first_sentence else ""
    return "", ""


def discover(notebooks_dir: str | os.PathLike[str] | None = None) -> dict[str, Report]:
    """The reports in a folder: every ``*.ipynb`` there that has a ``parameters`` cell.

    Parameters
    ----------
    notebooks_dir
        Folder to look in; ``None`` means the project's ``notebooks/``.
    """
    folder = Path(notebooks_dir) if notebooks_dir else config.NOTEBOOKS_DIR
    reports: dict[str, Report] = {}
    if not folder.is_dir():
        return reports
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if _parameters_cell(nb) is None:
            continue
        title, description = _first_markdown(nb)
        reports[path.stem] = Report(path.stem, path.resolve(), title or path.stem, description)
    return reports


def _parameters_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell
    return None


def _annotation(node: ast.expr, where: str) -> tuple[str, bool]:
    if isinstance(node, ast.Name) and node.id in ALLOWED_TYPES:
        return node.id, False
    if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr)
            and isinstance(node.left, ast.Name) and node.left.id in ALLOWED_TYPES
            and isinstance(node.right, ast.Constant) and node.right.value is None):
        return node.left.id, True
    raise ParameterError(
        f"{where}: annotation {ast.unparse(node)!r} is not supported; use one of "
        f"{', '.join(ALLOWED_TYPES)}, optionally '| None'"
    )


def notebook_parameters(path: str | os.PathLike[str]) -> dict[str, Parameter]:
    """Read a notebook's parameters cell: names, types, defaults and comments.

    Each line must read ``name: type = literal  # what it means``; a list or dict may span
    lines, with its comment after the closing bracket (where papermill looks for it). The cell
    is parsed with :mod:`ast` (papermill's regex parser skips some forms silently), so a
    malformed parameter is an error rather than a parameter nobody can set.

    Raises
    ------
    ParameterError
        No parameters cell, a statement that is not an annotated assignment of a literal, or an
        annotation outside ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict`` (each
        optionally ``| None``).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    cell = _parameters_cell(nb)
    if cell is None:
        raise ParameterError(f"{path}: no cell tagged 'parameters'")
    source = cell.source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{path}: parameters cell line {exc.lineno}: {exc.msg}") from None
    comments: dict[int, str] = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    params: dict[str, Parameter] = {}
    for stmt in tree.body:
        where = f"{path.name}, parameters cell line {stmt.lineno}"
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                and stmt.value is not None):
            raise ParameterError(
                f"{where}: write each parameter as 'name: type = value  # comment'")
        typ, optional = _annotation(stmt.annotation, where)
        try:
            default = ast.literal_eval(stmt.value)
        except ValueError:
            raise ParameterError(f"{where}: the default of {stmt.target.id!r} must be a "
                                 "literal (number, text, list, dict, True/False/None)") from None
        help_text = comments.get(stmt.lineno) or comments.get(stmt.end_lineno or 0, "")
        try:
            p = Parameter(stmt.target.id, typ, default, help_text, optional)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
        params[p.name] = p
    return params


def load_parameter_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML parameter file (an empty file is an empty mapping).

    Raises
    ------
    ParameterError
        Unreadable file, invalid YAML, or a top level that is not a mapping.
    """
    path = Path(path)
    fix = "give a YAML file of 'name: value' lines"
    if path.is_dir():
        raise ParameterError(f"parameter file {path} is a folder; {fix}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"cannot read parameter file {path}: {exc.strerror or exc}; "
                             f"{fix}") from None
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = raw.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"parameter file {path} is not {exc.encoding.upper()} text "
                             f"(byte {exc.start} cannot be read); save it as UTF-8") from None
    try:
        data = yaml.load(text, Loader=YamlLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ParameterError(f"parameter file {path}{at}: {problem}; {fix}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"parameter file {path}: expected 'name: value' lines, got a "
                             f"{type(data).__name__}; {fix}")
    return data


def resolve_parameters(
    reports: Sequence[Report],
    *,
    parameters_dir: str | os.PathLike[str] | None = None,
    files: Sequence[str | os.PathLike[str]] = (),
    overrides: Sequence[tuple[str, str]] = (),
    data: str | os.PathLike[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Work out every report's parameters and check them, before any kernel starts.

    Order: ``<parameters_dir>/<report>.yaml``, then each ``-f`` file, then each ``-p`` pair,
    then ``--data``. A ``-f`` file is either flat (``name: value``) or split by report
    (``billing_reconciliation: {name: value}``); a ``-p`` key is ``name`` or ``report.name``.
    A flat name applies to every selected report that declares it and must be declared by at
    least one.

    Returns
    -------
    dict
        Report name → the parameters to inject (only those that differ from nothing: every
        value given, checked and converted to the declared type).

    Raises
    ------
    ParameterError
        Unknown name (with the closest valid one), wrong type, unreadable YAML.
    """
    if parameters_dir is not None and not Path(parameters_dir).is_dir():
        raise ParameterError(f"--parameters {parameters_dir}: not a folder; give the folder "
                             "holding <report>.yaml files")
    pdir = Path(parameters_dir) if parameters_dir is not None else config.PARAMETERS_DIR
    declared = {r.name: r.parameters for r in reports}
    out: dict[str, dict[str, Any]] = {r.name: {} for r in reports}

    def assign(report: str | None, name: str, value: Any, source: str, raw: bool) -> None:
        targets = [report] if report else [r for r in declared if name in declared[r]]
        if report and name not in declared[report]:
            raise ParameterError(f"{source}: {report} has no parameter {name!r}"
                                 f"{closest(name, declared[report])}")
        if not targets:
            every = {n for ps in declared.values() for n in ps}
            raise ParameterError(f"{source}: unknown parameter {name!r}{closest(name, every)}")
        for r in targets:
            p = declared[r][name]
            v = p.parse(value) if raw else value
            out[r][name] = p.check(v, f"{source}: parameter {name!r} of {r}")

    for r in reports:
        yml = pdir / f"{r.name}.yaml"
        if yml.is_file():
            for k, v in load_parameter_file(yml).items():
                assign(r.name, str(k), v, str(yml), raw=False)
    for f in files:
        content = load_parameter_file(f)
        sectioned = bool(content) and all(
            k in declared and isinstance(v, dict) for k, v in content.items()
        )
        if sectioned:
            for rname, section in content.items():
                for k, v in section.items():
                    assign(rname, str(k), v, str(f), raw=False)
        else:
            for k, v in content.items():
                report, _, name = str(k).rpartition(".")
                if report and report not in declared:
                    raise ParameterError(f"{f}: {report!r} is not a report of this run"
                                         f"{closest(report, declared)}")
                assign(report or None, name, v, str(f), raw=False)
    for key, value in overrides:
        report, _, name = key.rpartition(".")
        if report and report not in declared:
            raise ParameterError(f"-p {key}: {report!r} is not a report of this run"
                                 f"{closest(report, declared)}")
        assign(report or None, name, value, f"-p {key}", raw=True)
    if data is not None:
        folder = Path(data).expanduser().resolve()
        if not folder.is_dir():
            raise ParameterError(f"--data {data}: no such folder")
        for r in reports:
            if "data_dir" in declared[r.name]:
                out[r.name]["data_dir"] = str(folder)
    return out


# --- executing ----------------------------------------------------------------------------

@dataclass
class _Job:
    report: str
    notebook: str
    parameters: dict[str, Any]
    run_dir: str
    html: bool
    timeout: int | None
    runtime_dir: str  # the kernels' JUPYTER_RUNTIME_DIR (connection files), removed after the run


@dataclass
class ReportResult:
    """What happened to one report of a run."""

    report: str
    status: str
    parameters: dict[str, Any]
    figures: dict[str, Any] = field(default_factory=dict)
    headline: list[str] = field(default_factory=list)
    alerts: list[dict[str, str]] = field(default_factory=list)
    error: dict[str, str] | None = None
    timings: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The summary written to ``<report>.json``."""
        return {
            "report": self.report,
            "status": self.status,
            "error": self.error,
            "parameters": self.parameters,
            "figures": self.figures,
            "headline": self.headline,
            "alerts": self.alerts,
            "timings": self.timings,
            "files": self.files,
        }


@dataclass
class RunResult:
    """A whole run: its folder, each report's result, and the exit status it implies."""

    run_id: str
    run_dir: Path
    reports: list[ReportResult]
    stopped_by: str | None = None  # "SIGINT" or "SIGTERM" when the run was interrupted

    @property
    def exit_code(self) -> int:
        """0 when every report ran, 1 when any failed, 128 + the signal's number when the run
        was interrupted (130 for SIGINT, 143 for SIGTERM)."""
        if self.stopped_by:
            return 128 + signal.Signals[self.stopped_by].value
        return 0 if all(r.status == "ok" for r in self.reports) else 1

    @property
    def index(self) -> Path:
        """The run's ``index.html``."""
        return self.run_dir / "index.html"


_exporter = None


def export_html(nb: nbformat.NotebookNode) -> str:
    """The shared report: no code, no parameter cells, no prompts, nothing from the network.

    Cells tagged ``parameters``, ``injected-parameters`` or ``remove-cell`` are left out, and so
    are outputs of cells tagged ``remove-output``. Widget state is dropped (widgets need a live
    kernel); images are embedded as data URIs.
    """
    global _exporter
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    if _exporter is None:
        exporter = HTMLExporter(
            template_name="pracops_html",
            extra_template_basedirs=[str(config.PACKAGE_DIR / "templates")],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        exporter.register_preprocessor(
            TagRemovePreprocessor(
                remove_cell_tags={"parameters", "injected-parameters", "remove-cell"},
                remove_all_outputs_tags={"remove-output"},
                enabled=True,
            ),
            enabled=True,
        )
        _exporter = exporter
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None and RECORD_MIME in data:
                del data[RECORD_MIME]
                if not data:
                    continue
            kept.append(out)
        cell.outputs = kept
    body, _ = _exporter.from_notebook_node(nb)
    return body


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
    logging.getLogger("papermill").setLevel(logging.WARNING)

    ipynb = run_dir / f"{job.report}.ipynb"
    partial = run_dir / f".{job.report}.partial.ipynb"
    started = time.time()
    status, error = "ok", None
    try:
        pm.execute_notebook(
            job.notebook, str(partial), parameters=job.parameters, kernel_name="python3",
            progress_bar=False, request_save_on_cell_execute=False, log_output=False,
            cwd=str(Path(job.notebook).parent), execution_timeout=job.timeout,
            kernel_manager_class=_kernel_manager_class(),
        )
    except PapermillExecutionError as exc:
        status, error = "failed", {"name": exc.ename, "message": str(exc.evalue)}
    except Exception as exc:  # kernel died, timeout, unreadable notebook: still summarise
        status, error = "failed", {"name": type(exc).__name__, "message": str(exc)}
    executed = time.time()
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
    handed_out = run_dir / f"{job.report}_files"  # config.report_files_dir inside a run
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
            "start": _iso(started), "end": _iso(finished),
            "execute_seconds": round(executed - started, 3),
            "export_seconds": round(finished - executed, 3),
            "seconds": round(finished - started, 3),
        },
    }


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")


def _new_run_dir(out: Path) -> tuple[str, Path]:
    """Make ``<out>/<run-id>/``; a folder that cannot be written is a PracopsError."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        while True:
            run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
            path = out / run_id
            try:
                path.mkdir()
            except FileExistsError:
                continue
            return run_id, path
    except OSError as exc:
        if os.path.lexists(out) and not out.is_dir():
            what = "is a file, not a folder"
        elif exc.errno == errno.ENOTDIR:
            what = "lies under a file, not a folder"
        else:
            what = f"cannot be written ({exc.strerror or exc})"
        raise PracopsError(f"output folder {out} {what}; give --out a folder you can "
                           "write to") from None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _inputs(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The manifest's rows: every file under ``paths`` with its size and sha256.

    Never raises: a file that cannot be hashed (unreadable, a link to nothing, a loop of links,
    not a regular file, gone since it was listed) gets ``"sha256": null`` and an ``"error"``
    saying why. Hidden names and ``__pycache__`` are left out; folders reached through links are
    followed, each real folder once.
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in paths:
        if os.path.lexists(p):
            rows.extend(_input_rows(Path(p), seen))
    return rows


def _input_rows(path: Path, seen: set[str]) -> Iterable[dict[str, Any]]:
    if not path.is_dir():  # is_dir() follows links; False for a loop or a link to nothing
        yield _input_row(path)
        return
    real = os.path.realpath(path)
    if real in seen:
        return
    seen.add(real)
    try:
        names = sorted(os.listdir(path))
    except OSError as exc:
        yield {"path": str(path), "bytes": None, "sha256": None,
               "error": f"folder cannot be listed: {exc.strerror or exc}"}
        return
    for name in names:
        if not (name.startswith(".") or name == "__pycache__"):
            yield from _input_rows(path / name, seen)


def _input_row(path: Path) -> dict[str, Any]:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return {"path": str(path), "bytes": None, "sha256": None,
                    "error": "not a regular file (a pipe, socket or device): not read"}
        return {"path": str(path), "bytes": info.st_size, "sha256": _sha256(path)}
    except OSError as exc:
        return {"path": str(path), "bytes": None, "sha256": None,
                "error": f"cannot be read: {exc.strerror or exc}"}


def _versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES_IN_MANIFEST:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


# --- workers and kernels: started bound to the run, stopped with it -------------------------

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
            await super().start_kernel(**kw)

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
        res = _failed(type(exc).__name__, str(exc))
    conn.send(res)
    conn.close()


def _failed(name: str, message: str, seconds: float | None = None) -> dict[str, Any]:
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


class _StopSignals:
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

    def __enter__(self) -> _StopSignals:
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
        Reports run at once; default the CPU count.
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

    Raises
    ------
    PracopsError
        ``out`` is not a folder that can be written.
    """
    out_dir = Path(os.path.abspath(out if out else config.outputs_dir()))
    run_id, run_dir = _new_run_dir(out_dir)
    started = time.time()
    say = progress or (lambda _line: None)
    jobs = max(1, jobs or os.cpu_count() or 1)
    results: dict[str, ReportResult] = {}

    def record(job: _Job, res: dict[str, Any], elapsed: float) -> None:
        rr = ReportResult(job.report, res["status"], job.parameters, res["figures"],
                          res["headline"], res["alerts"], res["error"], res["timings"],
                          res["files"])
        rr.files["json"] = f"{job.report}.json"
        write_atomic(run_dir / f"{job.report}.json",
                     json.dumps(rr.to_json(), indent=2, default=str))
        results[job.report] = rr
        if rr.status == "ok":
            say(f"finished  {job.report} in {elapsed:.1f} s")
        elif rr.status == "interrupted":
            say(f"STOPPED   {job.report}")
        else:
            err = rr.error or {}
            say(f"FAILED    {job.report} in {elapsed:.1f} s: "
                f"{err.get('name', '')}: {err.get('message', '')}".rstrip(": "))

    with _StopSignals() as stop, tempfile.TemporaryDirectory(prefix="pracops-kernels-") as rt:
        pending = deque(
            _Job(r.name, str(r.notebook), dict(parameters.get(r.name, {})), str(run_dir), html,
                 timeout, rt)
            for r in reports
        )
        if pending:
            # Import what workers need before forking, so each starts warm.
            import papermill  # noqa: F401
            from nbconvert import HTMLExporter  # noqa: F401

            load_prctl()
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
                        res = _failed("WorkerDied", _death(w.process.exitcode),
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
        finished = time.time()
        manifest = {
            "run_id": run_id,
            "start": _iso(started),
            "end": _iso(finished),
            "seconds": round(finished - started, 3),
            "command": list(command),
            "stopped_by": stop.signal.name if stop.signal else None,
            "reports": {r.report: r.status for r in ordered},
            "inputs": _inputs([Path(p) for p in inputs]),
            "notebooks": _inputs([r.notebook for r in reports]),
            "versions": _versions(),
        }
        write_atomic(run_dir / "manifest.json", json.dumps(manifest, indent=2))
        write_atomic(run_dir / "index.html", render_index(run_id, manifest, reports, ordered))
        return RunResult(run_id, run_dir, ordered, manifest["stopped_by"])


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        how = f"was killed by {signal.Signals(-exitcode).name}"
        if -exitcode == signal.SIGKILL:
            how += " (out of memory?)"
    else:
        how = f"ended with exit code {exitcode}"
    return f"the worker process running the report {how} before it sent its summary"


def _interrupted(job: _Job, by: signal.Signals | None, before: str, run_dir: Path,
                 seconds: float | None = None) -> dict[str, Any]:
    """The summary of a report the run's stop cut short; its temporary files are removed."""
    for temp in run_dir.glob(f".{job.report}.*"):
        temp.unlink(missing_ok=True)
    files = {k: f"{job.report}.{k}" for k in ("ipynb", "html")
             if (run_dir / f"{job.report}.{k}").is_file()}
    return {"status": "interrupted",
            "error": {"name": "Interrupted",
                      "message": f"stopped by {by.name if by else 'a signal'} before it {before}"},
            "figures": {}, "alerts": [], "headline": [], "files": files,
            "timings": {} if seconds is None else {"seconds": round(seconds, 3)}}


# --- the index page -----------------------------------------------------------------------

_INDEX_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } .meta { color: #666; font-size: 0.9em; }
section { border: 1px solid #dde1e6; border-radius: 6px; padding: 0.8em 1.1em; margin: 1em 0; }
h2 { font-size: 1.15em; margin: 0 0 0.3em; } h2 a { color: #1f5f8b; text-decoration: none; }
.status { font-size: 0.8em; padding: 2px 8px; border-radius: 10px; margin-left: 0.6em;
          vertical-align: middle; }
.ok { background: #e3f4e8; color: #1b7a3a; } .failed { background: #fbeaea; color: #b3261e; }
.interrupted { background: #fdf5e6; color: #8a5a00; }
table { border-collapse: collapse; margin: 0.4em 0; } td { padding: 2px 14px 2px 0; }
td.v { text-align: right; font-variant-numeric: tabular-nums; }
.alert { border-left: 4px solid #e0a030; background: #fdf5e6; padding: 3px 8px; margin: 3px 0; }
.alert.critical { border-color: #b3261e; background: #fbeaea; }
.alert.info { border-color: #1f5f8b; background: #eaf2f8; }
.error { color: #b3261e; } .files { font-size: 0.85em; color: #666; }
"""

HEADLINE_FALLBACK = 6


def render_index(run_id: str, manifest: Mapping[str, Any], reports: Sequence[Report],
                 results: Sequence[ReportResult]) -> str:
    """One offline page linking the run's reports, with their key figures and alerts."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>pracops run {escape(run_id)}</title><style>{_INDEX_CSS}</style></head><body>",
        f"<h1>pracops run {escape(run_id)}</h1>",
        f"<p class='meta'>Started {escape(manifest['start'].replace('T', ' ')[:16])} UTC, took "
        f"{manifest['seconds']:.1f} s. "
        f"{sum(r.status == 'ok' for r in results)} of {len(results)} reports ran.</p>",
    ]
    if manifest.get("stopped_by"):
        cut = sum(r.status == "interrupted" for r in results)
        parts.append(f"<p class='error'>The run was stopped by {escape(manifest['stopped_by'])}"
                     f": {cut} report{'s' if cut != 1 else ''} did not finish.</p>")
    if not results:
        parts.append("<p>No report was run: no notebook with a parameters cell was found.</p>")
    for report, res in zip(reports, results, strict=True):
        link = res.files.get("html") or res.files.get("ipynb")
        title = (f"<a href='{escape(link)}'>{escape(report.title)}</a>" if link
                 else escape(report.title))
        parts.append("<section>")
        parts.append(f"<h2>{title}"
                     f"<span class='status {escape(res.status)}'>{escape(res.status)}</span></h2>")
        if report.description:
            parts.append(f"<p class='meta'>{escape(report.description)}</p>")
        if res.error:
            parts.append(f"<p class='error'>{escape(res.error.get('name', ''))}: "
                         f"{escape(res.error.get('message', ''))}</p>")
        keys = res.headline or list(res.figures)[:HEADLINE_FALLBACK]
        if keys:
            parts.append("<table>")
            for k in keys:
                label = header_label(k)
                shown = figure_label(k, res.figures.get(k))
                parts.append(f"<tr><td>{escape(label)}</td><td class='v'>{escape(shown)}</td></tr>")
            parts.append("</table>")
        for a in res.alerts:
            level = escape(a.get("level", "warning"))
            parts.append(f"<div class='alert {level}'>{escape(a.get('message', ''))}</div>")
        links = [(k, v) for k, v in res.files.items() if isinstance(v, str)]
        links += [(Path(v).name, v) for v in res.files.get("attachments", [])]
        files = " · ".join(f"<a href='{escape(v)}'>{escape(k)}</a>" for k, v in links)
        parts.append(f"<p class='files'>{files}</p></section>")
    parts.append("<p class='files'><a href='manifest.json'>manifest.json</a></p></body></html>")
    return "\n".join(parts)


def check_reports(names: Sequence[str], available: Mapping[str, Report]) -> list[Report]:
    """Select reports by name (all when ``names`` is empty), refusing unknown names."""
    if not names:
        return list(available.values())
    chosen = []
    for n in names:
        if n not in available:
            listed = ", ".join(available) or "none"
            raise PracopsError(f"unknown report {n!r}{closest(n, available)} "
                               f"(reports: {listed})")
        chosen.append(available[n])
    return chosen
