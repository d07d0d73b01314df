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

import sys
import warnings
from typing import Any

# nbformat imports jsonschema, whose format checks import rfc3987_syntax when it is installed
# (jupyter-events, a JupyterLab dependency, pulls it in): that import builds three Earley
# parsers of RFC 3987's grammar, about 1.6 s of every pracops command and Dask worker on
# this machine, for IRI formats that neither nbformat's schema nor papermill checks. Marked
# unavailable in the runner's processes (jsonschema imports it optionally and goes without);
# a process that already has it keeps it. Kernels import neither.
sys.modules.setdefault("rfc3987_syntax", None)

from pracops.runner.execution import export_html, prepare, run  # noqa: E402
from pracops.runner.index import render_index  # noqa: E402
from pracops.runner.manifest import ReportResult, RunResult  # noqa: E402
from pracops.runner.parameters import (  # noqa: E402
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
