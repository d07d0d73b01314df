"""The inputs a run will read, checked before any kernel starts: ``pracops run`` for one
practice (in a forked child, :mod:`pracops.cli`) and :mod:`pracops.group` for each practice of
a group (in a task of the cluster).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pracops import config

__all__ = ["Checked", "check_inputs"]


@dataclass
class Checked:
    """What :func:`check_inputs` found: one line per problem (the inputs are refused), one per
    warning (835 files the billing report will set aside)."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_inputs(reports: Sequence[Any], params: dict[str, dict[str, Any]], *,
                 record: str | None = None) -> Checked:
    """The checks of ``pracops validate`` on each data folder the reports will read, and each
    report's as-of date (``as_of``; the daily close's ``close_date``,
    :attr:`pracops.registry.ReportSpec.as_of_parameter`) against its data. Files that are
    absent are left to the reports that need them.

    When the inputs are usable and ``record`` names a folder, what was checked is written
    there for the kernels to take instead of checking again (:mod:`pracops.data.checked`):
    each dataset's typed frame and the 835s' remittance, with the sha256 of what they were
    read from, taken before the check.
    """
    from pracops import data, registry
    from pracops.data import checked

    folders: dict[str, list[Any]] = {}
    for report in reports:
        if "data_dir" in report.parameters:
            folders.setdefault(params[report.name].get("data_dir") or "", []).append(report)
    out, trusted = Checked(), {}
    for folder, readers in folders.items():
        try:
            hashed = checked.digests(config.data_dir(folder)) if record else {}
        except RuntimeError:  # a loop of links: the check says so
            hashed = {}
        found = data.check_folder(folder or None, missing_ok=True,
                                  reports=[r.name for r in readers])
        out.problems += [str(e) for e in found.errors]
        for report in readers:
            spec = registry.spec(report.name)
            key = spec.as_of_parameter if spec is not None else "as_of"
            if key in params[report.name] and not found.errors:
                late = data.check_as_of(report.name, params[report.name][key], found.frames)
                if late is not None:
                    out.problems.append(str(late))
        out.warnings += found.quarantined + found.cannot_run
        for name, frame in found.frames.items():
            source = frame.attrs.get("source")
            if source in hashed:
                trusted[source] = (name, hashed[source], frame)
        if found.remittance is not None and readers:
            era = str(config.data_dir(folder) / data.ERA_FOLDER)
            if era in hashed:
                trusted[era] = (checked.ERA, hashed[era], found.remittance)
    if out.ok and record:
        checked.write(trusted, record)
    return out
