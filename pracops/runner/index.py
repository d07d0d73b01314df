"""The run's ``index.html``: one offline page linking the reports, with their key figures and
alerts, rendered from the Jinja template ``templates/index.html.j2``. The template is
autoescaped: a report's title, figures, alerts and error are text, never markup."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from pracops.errors import DataError
from pracops.report import figure_label, header_label, practice_name
from pracops.runner.manifest import ReportResult

if TYPE_CHECKING:
    from pracops.runner.parameters import Report

__all__ = ["HEADLINE_FALLBACK", "render_index"]

HEADLINE_FALLBACK = 6
"""Figures shown for a report that names no headline figures: its first ones."""


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    return env.get_template("index.html.j2")


def _practices(results: Sequence[ReportResult]) -> str:
    """The practice (or practices) the run's reports read, by name; empty when none can be
    named (a ``practice.yaml`` that is wrong is the reports' own error to show)."""
    names = []
    for res in results:
        try:
            name = practice_name(res.parameters.get("data_dir"))
        except DataError:
            continue
        if name not in names:
            names.append(name)
    return ", ".join(names)


def render_index(run_id: str, manifest: Mapping[str, Any], reports: Sequence[Report],
                 results: Sequence[ReportResult]) -> str:
    """One offline page linking the run's reports, with their key figures and alerts."""
    shown = []
    for report, res in zip(reports, results, strict=True):
        keys = res.headline or list(res.figures)[:HEADLINE_FALLBACK]
        links = [(k, v) for k, v in res.files.items() if isinstance(v, str)]
        links += [(Path(v).name, v) for v in res.files.get("attachments", [])]
        shown.append({
            "title": report.title, "description": report.description, "status": res.status,
            "link": res.files.get("html") or res.files.get("ipynb"),
            "error": ({"name": res.error.get("name", ""), "message": res.error.get("message", "")}
                      if res.error else None),
            "figures": [(header_label(k), figure_label(k, res.figures.get(k))) for k in keys],
            "alerts": [{"level": a.get("level", "warning"), "message": a.get("message", "")}
                       for a in res.alerts],
            "files": links,
        })
    return _template().render(
        practice=_practices(results), run_id=run_id,
        started=manifest["start"].replace("T", " ")[:16],
        seconds=manifest["seconds"], ran=sum(r.status == "ok" for r in results),
        stopped_by=manifest.get("stopped_by"),
        cut=sum(r.status == "interrupted" for r in results), reports=shown)
