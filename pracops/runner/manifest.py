"""The run's record: what happened to each report (:class:`ReportResult`, written as
``<report>.json``) and to the run (:class:`RunResult`), its folder (``outputs/<run-id>/``),
and in ``manifest.json`` every input file with its size and sha256, the notebooks, the package
versions and the start and end.

A file that cannot be hashed (unreadable, a link to nothing, a loop of links, not a regular
file, gone since listed) is recorded with ``"sha256": null`` and the reason in ``"error"``,
never a crash.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import secrets
import signal
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pracops.errors import PracopsError

__all__ = ["PACKAGES_IN_MANIFEST", "ReportResult", "RunResult", "file_rows", "iso", "new_run_dir",
           "versions"]

PACKAGES_IN_MANIFEST = (
    "pracops", "pandas", "numpy", "papermill", "nbconvert", "nbclient", "nbformat",
    "ipykernel", "jupyter_client", "matplotlib", "ipywidgets", "openpyxl", "pyarrow", "PyYAML",
)


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

    @property
    def rerun_after_worker_died(self) -> bool:
        """Its group task ran again on another worker (``timings.attempts``)."""
        return int(self.timings.get("attempts") or 1) > 1

    @property
    def rerun_after_kernel_stalled(self) -> bool:
        """It ran again with a new kernel (``timings.kernel_runs``,
        :mod:`pracops.runner.watch`)."""
        return int(self.timings.get("kernel_runs") or 1) > 1

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


def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")


def new_run_dir(out: Path) -> tuple[str, Path]:
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


def file_rows(paths: Iterable[Path]) -> list[dict[str, Any]]:
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


def versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in PACKAGES_IN_MANIFEST:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions
