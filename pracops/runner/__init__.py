"""Run reports headless: check parameters, execute notebooks with papermill, export HTML,
write summaries, the run's manifest and its index page.

The run contract (see ``docs/ARCHITECTURE.md``): every run gets ``outputs/<run-id>/``
holding, per report, the executed ``.ipynb``, the shared ``.html`` and a ``.json`` summary,
and per run a ``manifest.json`` and an ``index.html``. Parameters come from
``parameters/<report>.yaml``, then ``-f FILE``, then ``-p KEY VALUE``; they are checked against
each report's declared parameters before any kernel starts.

The runner's rooms (``docs/ARCHITECTURE.md`` follows one run through them):

- :mod:`~pracops.runner.parameters`: which reports, with which parameters, checked against
  their declarations (:mod:`pracops.parameters`) before any kernel starts;
- :mod:`~pracops.runner.execution`: a forked worker and a kernel per report, the HTML export,
  the summaries, stopping on SIGINT/SIGTERM;
- :mod:`~pracops.runner.manifest`: the run folder and ``manifest.json`` (inputs with sha256,
  versions);
- :mod:`~pracops.runner.index`: ``index.html`` from ``templates/index.html.j2``.
"""

import warnings
from typing import Any

from pracops.runner.execution import export_html, prepare, run
from pracops.runner.index import render_index
from pracops.runner.manifest import ReportResult, RunResult
from pracops.runner.parameters import (
    Report,
    check_reports,
    discover,
    load_parameter_file,
    notebook_parameters,
    resolve_parameters,
)

__all__ = [
    "Report",
    "ReportResult",
    "RunResult",
    "check_reports",
    "discover",
    "export_html",
    "load_parameter_file",
    "notebook_parameters",
    "prepare",
    "render_index",
    "resolve_parameters",
    "run",
]


def __getattr__(name: str) -> Any:
    if name == "Param":
        from pracops.parameters import Parameter

        warnings.warn("pracops.runner.Param is pracops.parameters.Parameter now",
                      DeprecationWarning, stacklevel=2)
        return Parameter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
