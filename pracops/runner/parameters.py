"""Which reports a run has and with which parameters: the notebooks under ``notebooks/``
(:func:`discover`), their declared parameters (for the suite's reports the declaration in
``pracops/<report>/parameters.py``, for an analyst's own notebook its ``parameters`` cell), and
the values from ``parameters/<report>.yaml``, ``-f FILE`` and ``-p KEY VALUE``, each checked
against its declaration (:mod:`pracops.parameters`) before any kernel starts
(:func:`resolve_parameters`). See ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

import ast
import codecs
import io
import os
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml

from pracops import config, registry
from pracops.errors import ParameterError, PracopsError
from pracops.parameters import ALLOWED_TYPES, Parameter, YamlLoader, closest

__all__ = ["Report", "check_reports", "discover", "load_parameter_file", "notebook_parameters",
           "resolve_parameters"]


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
    sections: Sequence[tuple[str, Mapping[str, Mapping[str, Any]]]] = (),
) -> dict[str, dict[str, Any]]:
    """Work out every report's parameters and check them, before any kernel starts.

    Order: ``<parameters_dir>/<report>.yaml``, then each ``-f`` file, then each of
    ``sections`` (``(where, {report: {name: value}})``: a practice's overrides in a group's
    ``practices.yaml``), then each ``-p`` pair, then ``--data``. A ``-f`` file is either flat
    (``name: value``) or split by report (``billing_reconciliation: {name: value}``); a
    ``-p`` key is ``name`` or ``report.name``. A flat name applies to every selected report
    that declares it and must be declared by at least one.

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
    for where, given in sections:
        for rname, section in given.items():
            if rname not in declared:
                raise ParameterError(f"{where}: {rname!r} is not a report of this run"
                                     f"{closest(rname, declared)}")
            for k, v in section.items():
                assign(rname, str(k), v, where, raw=False)
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
