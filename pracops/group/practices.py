"""``practices.yaml``: the practices of a group run, read and checked before anything starts.

::

    practices:
      - id: maple-grove          # the folder name under the run folder: letters, digits, dashes
        name: Maple Grove Family Medicine
        data: maple-grove/       # relative to this file
        reports: [billing_reconciliation, operating_budget]   # optional; default every report
        parameters:              # optional overrides, per report
          billing_reconciliation: {days_in_ar_target: 35}

Each problem is one line naming the file, the practice (by its place in the list and its id),
the field, the value and the fix (:class:`~pracops.errors.ParameterError`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pracops.errors import ParameterError
from pracops.parameters import closest
from pracops.runner.parameters import load_parameter_file

__all__ = ["ID_PATTERN", "Practice", "load_practices"]

ID_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$")
"""A practice id: letters, digits and dashes (not first or last), at most 64 characters: a
folder name on every file system and in a URL as it is."""

_FIELDS = ("id", "name", "data", "reports", "parameters")


@dataclass(frozen=True)
class Practice:
    """One practice of a group run."""

    id: str
    name: str
    data: Path
    reports: tuple[str, ...] | None = None  # None: every report
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    where: str = ""  # "practices.yaml, practice 2 (maple-grove)": for messages


def load_practices(path: str | os.PathLike[str], known_reports: Sequence[str]
                   ) -> list[Practice]:
    """The practices listed in ``path``, checked: ids unique and usable as folder names, data
    folders that exist, report names among ``known_reports``, parameters as a mapping per
    report (their names and values are checked with the reports' declarations later, by
    :func:`pracops.runner.resolve_parameters`).

    Raises
    ------
    ParameterError
        The first problem, in one line.
    """
    path = Path(path)
    content = load_parameter_file(path)
    listed = content.get("practices")
    extra = sorted(set(content) - {"practices"})
    if extra:
        raise ParameterError(f"{path}: unknown key {extra[0]!r} at the top level; the file "
                             "holds one key, 'practices:', a list of practices")
    if not isinstance(listed, list) or not listed:
        raise ParameterError(f"{path}: 'practices:' must be a list of at least one practice "
                             "(- id: ..., data: ...)")
    practices: list[Practice] = []
    seen: dict[str, int] = {}
    for n, entry in enumerate(listed, start=1):
        where = f"{path}, practice {n}"
        if not isinstance(entry, dict):
            raise ParameterError(f"{where}: expected a mapping (id:, data:, ...), got "
                                 f"{_shown(entry)}")
        pid = entry.get("id")
        if isinstance(pid, str) and pid:
            where += f" ({pid})"
        unknown = [k for k in entry if k not in _FIELDS]
        if unknown:
            raise ParameterError(f"{where}: unknown field {unknown[0]!r}"
                                 f"{closest(str(unknown[0]), _FIELDS)} (the fields: "
                                 + ", ".join(_FIELDS) + ")")
        if not isinstance(pid, str) or not ID_PATTERN.match(pid):
            raise ParameterError(f"{where}: id {_shown(pid)} is not usable as a folder name; "
                                 "give letters, digits and dashes (maple-grove)")
        if pid.lower() in seen:
            raise ParameterError(f"{where}: id {pid!r} is already practice "
                                 f"{seen[pid.lower()]}'s; give each practice its own id")
        seen[pid.lower()] = n
        name = entry.get("name", pid)
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(f"{where}: name {_shown(name)} must be text")
        folder = entry.get("data")
        if not isinstance(folder, str) or not folder.strip():
            raise ParameterError(f"{where}: data {_shown(folder)} must name the practice's "
                                 "folder of exports, relative to this file")
        data = (path.parent / os.path.expanduser(folder)).resolve()
        if not data.is_dir():
            raise ParameterError(f"{where}: data {folder!r}: no such folder ({data}); give "
                                 "the practice's folder of exports, relative to this file")
        reports = entry.get("reports")
        if reports is not None:
            if (not isinstance(reports, list) or not reports
                    or not all(isinstance(r, str) for r in reports)):
                raise ParameterError(f"{where}: reports {_shown(reports)} must be a list of "
                                     "report names, or left out for every report")
            for r in reports:
                if r not in known_reports:
                    raise ParameterError(f"{where}: reports: unknown report {r!r}"
                                         f"{closest(r, known_reports)} (reports: "
                                         + ", ".join(known_reports) + ")")
            reports = tuple(dict.fromkeys(reports))
        params = entry.get("parameters") or {}
        if not isinstance(params, dict) or not all(isinstance(v, dict)
                                                   for v in params.values()):
            raise ParameterError(f"{where}: parameters must map each report to its "
                                 "overrides ({billing_reconciliation: {days_in_ar_target: 35}})")
        for r in params:
            if r not in known_reports:
                raise ParameterError(f"{where}: parameters: unknown report {r!r}"
                                     f"{closest(str(r), known_reports)}")
        practices.append(Practice(pid, name.strip(), data, reports, params, where))
    return practices


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
