"""Checking a folder as a whole: every dataset it holds loaded, the references
(:class:`Reference`) and rules (:class:`Relation`) across files, the 835 files of ``era/``, and
a report's ``as_of`` against its data."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow
import pyarrow.compute as pc

from pracops import config, registry
from pracops.data.catalogue import DATASETS, get
from pracops.data.files import era_dir, locate, os_error
from pracops.data.loader import load, rows_error
from pracops.data.schema import ERA_FOLDER
from pracops.errors import DataError, ParameterError, PracopsError
from pracops.money import format_cents

__all__ = [
    "AS_OF_GRACE_DAYS", "Reference", "Relation", "Validation", "check_as_of", "check_folder",
    "check_references", "date_span", "lookalike", "register_rules",
]


@dataclass(frozen=True)
class Relation:
    """A rule across datasets: ``check`` is called with the frames as keyword arguments named
    after the datasets, and raises :class:`DataError` naming the file and rows at fault."""

    datasets: tuple[str, ...]
    check: Callable[..., None]
    description: str

    def run(self, frames: Mapping[str, pd.DataFrame]) -> None:
        self.check(**{d: frames[d] for d in self.datasets})


@dataclass(frozen=True)
class Reference:
    """A column whose values must be keys of another dataset (``claims.payer_id`` → ``payers``).

    Parameters
    ----------
    dataset, column
        Where the references stand.
    target, target_column
        The dataset and column that list the known values.
    fix
        What to do about an unknown value, when the declaring report knows better than
        "correct the value, or add it to" the target's file.
    """

    dataset: str
    column: str
    target: str
    target_column: str
    fix: str | None = None

    def check(self, frames: Mapping[str, pd.DataFrame]) -> DataError | None:
        """The error naming the rows whose value the target does not know, or ``None``.

        Both frames must be in ``frames``; missing values are not references and pass.
        """
        frame, known_frame = frames[self.dataset], frames[self.target]
        values = frame[self.column]
        target = known_frame[self.target_column].dropna().astype("str")
        # Arrow's hash lookup: pandas' isin on str columns goes value by value (~100x slower)
        found = pc.is_in(pyarrow.array(values.astype("str"), type=pyarrow.string()),
                         value_set=pyarrow.array(target, type=pyarrow.string()))
        bad = values.notna().to_numpy() & ~found.to_numpy(zero_copy_only=False)
        if not bad.any():
            return None
        unknown = values[bad].astype("str")
        first = str(unknown.iloc[0])
        close = lookalike(first, target.unique())
        others = unknown.nunique() - 1
        target_file = Path(known_frame.attrs.get("source", self.target)).name
        hint = f"did you mean {close!r}? If not, " if close else ""
        return rows_error(
            frame, bad, self.dataset, self.column,
            f"unknown {self.target_column}, not in {target_file}"
            + (f" ({others} other unknown value{'s' if others > 1 else ''} too)"
               if others else ""),
            f"one of the {self.target_column} values of {target_file}",
            fix=hint + (self.fix or f"correct the value, or add it to {target_file}"),
            first_named=True,
        )


def lookalike(value: str, known: Sequence[str]) -> str | None:
    """The one known value that ``value`` is a slip of the keyboard away from: a different
    case or stray spaces, one character typed wrong, or two neighbours swapped; ``None`` when
    there is none or more than one (a suggestion that may be wrong is worse than none: among
    thousands of appointment numbers a string-similarity match is just another number)."""
    text = value.strip().casefold()
    found = set()
    for other in known:
        candidate = str(other)
        folded = candidate.strip().casefold()
        if folded == text:
            return candidate
        if len(folded) != len(text):
            continue
        differ = [i for i, (a, b) in enumerate(zip(folded, text, strict=True)) if a != b]
        if len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1
                                and folded[differ[0]] == text[differ[1]]
                                and folded[differ[1]] == text[differ[0]]):
            found.add(candidate)
    return found.pop() if len(found) == 1 else None


_REFERENCES: list[Reference] = []
_RELATIONS: list[Relation] = []

def register_rules(*, references: Sequence[Reference] = (),
                   relations: Sequence[Relation] = ()) -> None:
    """Add the references and rules across datasets that a module of declarations relies on
    (:data:`REFERENCES`, :data:`RELATIONS`)."""
    _REFERENCES.extend(r for r in references if r not in _REFERENCES)
    _RELATIONS.extend(r for r in relations if r not in _RELATIONS)

def _rules() -> tuple[list[Reference], list[Relation]]:
    len(DATASETS)  # fill the catalogue, which registers the rules
    return _REFERENCES, _RELATIONS


@dataclass
class Validation:
    """What :func:`check_folder` found.

    Attributes
    ----------
    errors
        Problems that stop the reports: a file that cannot be used, a broken reference or rule
        across files. One line each, naming file, row, column, value and the fix.
    quarantined
        835 files the billing report will set aside (one line each: file, why, the money it
        carries): ``pracops validate`` counts them as problems to fix, ``pracops run`` warns
        and goes on without them.
    notes
        What was read leniently (835 envelope faults) or is worth knowing, one line each.
    cannot_run
        The reports the folder lacks a dataset for that they cannot run without (files that
        are optional in a folder, :attr:`pracops.registry.ReportSpec.needs`), one line each.
    frames
        The datasets that loaded, by name.
    remittance
        The ``era/`` folder's 835 files as read (a :class:`pracops.x12.Remittance`), when it
        was read.
    """

    errors: list[PracopsError] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cannot_run: list[str] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    remittance: Any = None


def check_references(frames: Mapping[str, pd.DataFrame]
                     ) -> list[tuple[Reference, DataError]]:
    """Check every :data:`REFERENCES` entry whose two datasets are in ``frames``.

    Returns
    -------
    list of (Reference, DataError)
        Each broken reference with the error naming its rows; empty when all hold.
    """
    problems = []
    for reference in _rules()[0]:
        if reference.dataset in frames and reference.target in frames:
            problem = reference.check(frames)
            if problem is not None:
                problems.append((reference, problem))
    return problems


def check_folder(source: str | os.PathLike[str] | None = None, *,
                 missing_ok: bool = False, reports: Sequence[str] | None = None
                 ) -> Validation:
    """Load the datasets from a folder, check the references (:data:`REFERENCES`) and rules
    (:data:`RELATIONS`) across them, and read its ``era/`` folder of 835 files.

    Parameters
    ----------
    source
        A folder of exports, or ``None`` for the bundled sample. Optional datasets without a
        file are skipped; a missing required one is an error.
    missing_ok
        Skip every dataset without a file (check only the files that are there).
    reports
        Check only what these reports read (their :class:`~pracops.registry.ReportSpec`):
        their datasets, the references and rules among them, and ``era/`` when one reads it.
        ``None`` (what ``pracops validate`` does), or a report that is not one of the suite's
        (an analyst's notebook): everything.
    """
    result = Validation()
    try:
        folder = config.data_dir(source)
        is_dir = folder.is_dir()
    except RuntimeError:  # what Path.resolve raises for a symbolic link loop
        result.errors.append(os_error(OSError(errno.ELOOP, "loop"), str(source), "folder"))
        return result
    except OSError as exc:
        result.errors.append(os_error(exc, str(source), "folder"))
        return result
    if not is_dir:
        result.errors.append(DataError(
            "no such folder" if not folder.exists() else "this is a file, not a folder",
            file=str(folder), fix="pass a folder holding the exports"))
        return result
    frames = result.frames
    wanted, era = set(DATASETS), True
    specs = registry.reports()
    if reports is not None and all(r in specs for r in reports):
        wanted = {d for r in reports for d in specs[r].reads}
        era = any(specs[r].era for r in reports)
    absent: set[str] = set()
    for dataset in [d for d in DATASETS.values() if d.name in wanted]:
        try:
            path = locate(dataset.name, folder, missing_ok=dataset.optional or missing_ok)
            if path is not None:
                frames[dataset.name] = load(dataset.name, path)
            else:
                absent.add(dataset.name)
        except DataError as exc:
            result.errors.append(exc)
    for spec in specs.values():
        lacks = [d for d in spec.needs if d in absent]
        if lacks and (reports is None or spec.name in reports):
            result.cannot_run.append(_cannot_run(spec.name, lacks, folder))
    problems = check_references(frames)
    result.errors += [error for _, error in problems]
    broken = {reference.dataset for reference, _ in problems}
    for relation in _rules()[1]:
        if all(d in frames and d not in broken for d in relation.datasets):
            try:
                relation.run(frames)
            except DataError as exc:
                result.errors.append(exc)
    if era:
        _check_era(folder, result, required=not missing_ok and "claims" in frames)
    return result


def _cannot_run(report: str, lacks: list[str], folder: Path) -> str:
    """The line saying that ``report`` cannot run on ``folder``, which lacks ``lacks``."""
    files = ", ".join(f"{DATASETS[d].stem}.csv" for d in lacks)
    return (f"{folder}: the {report} report cannot run on this folder: it has no "
            f"{', '.join(lacks)} data (looked for {files}, or .xlsx or .parquet). Fix: export "
            f"{'it' if len(lacks) == 1 else 'them'} into the folder, or leave {report} out of "
            "the run")


def _check_era(folder: Path, result: Validation, *, required: bool) -> None:
    """Read the folder's ``era/`` 835 files as the billing report will: what it would set
    aside goes to :attr:`Validation.quarantined`, what it reads leniently to the notes."""
    from pracops import x12
    from pracops.errors import X12Error

    era = folder / ERA_FOLDER
    if not era.is_dir():
        if required:
            try:
                era_dir(folder)
            except DataError as exc:
                result.errors.append(exc)
        return
    try:
        remittance = x12.read_835(era)
    except X12Error as exc:  # a folder with no file at all
        result.errors.append(exc)
        return
    result.remittance = remittance
    for q in remittance.quarantined.itertuples(index=False):
        where = f", segment {q.segment_number}" if pd.notna(q.segment_number) else ""
        money = (f"; it carries {format_cents(int(q.paid_cents))} (BPR02)"
                 if pd.notna(q.paid_cents) else "")
        # an unreadable file's reason says what to do; a file that was read but is not a
        # whole, balanced 835 can only be sent again
        fix = ("" if q.reason.startswith("cannot read the file")
               else " Fix: ask the clearinghouse to send the file again.")
        result.quarantined.append(f"{q.file}{where}: {q.reason}{money}. The billing report "
                                  f"will set the file aside and reconcile the others.{fix}")
    notes = remittance.warnings
    for file, group in notes.groupby("file", sort=False):
        first = group.iloc[0]
        where = (f", segment {first.segment_number}"
                 + (f" ({first.segment_id})" if pd.notna(first.segment_id) else "")
                 if pd.notna(first.segment_number) else "")
        more = f" (and {len(group) - 1} more note(s) in this file)" if len(group) > 1 else ""
        result.notes.append(f"{file}{where}: {first.message}{more}")


AS_OF_GRACE_DAYS = 31
"""How far past the newest record an ``as_of`` may lie: a run a few days or weeks after the
export is usual; further, every balance would age by time nobody recorded."""


def date_span(frames: Mapping[str, pd.DataFrame], datasets: Sequence[str]
              ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The earliest and latest date in the date columns of ``datasets`` (patient data
    excepted), or ``None`` when none of them is loaded or holds a date."""
    lows, highs = [], []
    for name in datasets:
        frame = frames.get(name)
        if frame is None:
            continue
        for col in get(name).columns:
            if col.kind == "date" and not col.phi and frame[col.name].notna().any():
                lows.append(frame[col.name].min())
                highs.append(frame[col.name].max())
    return (min(lows), max(highs)) if lows else None


def check_as_of(report: str, as_of: object, frames: Mapping[str, pd.DataFrame]
                ) -> ParameterError | None:
    """The error for a report's ``as_of`` that lies outside its data's span, or ``None``.

    ``as_of`` is the value of the report's as-of parameter
    (:attr:`pracops.registry.ReportSpec.as_of_parameter`: ``as_of``, or the daily close's
    ``close_date``), and the message names that parameter. It must be on or after the
    earliest date of the report's datasets (:attr:`pracops.registry.ReportSpec.as_of`) and
    at most :data:`AS_OF_GRACE_DAYS` after
    the latest; an empty ``as_of`` (the report picks the last date) and a report without such
    datasets pass.
    """
    inputs = registry.spec(report)
    if not as_of or inputs is None or not inputs.as_of:
        return None
    name = f"{report}.{inputs.as_of_parameter}"
    try:
        when = pd.Timestamp(str(as_of))
    except ValueError:
        return ParameterError(f"{name} {as_of!r} is not a date; expected YYYY-MM-DD")
    span = date_span(frames, inputs.as_of)
    if span is None:
        return None
    first, last = span
    latest = last + pd.Timedelta(days=AS_OF_GRACE_DAYS)
    if first <= when <= latest:
        return None
    where = ("before the first" if when < first
             else f"more than {AS_OF_GRACE_DAYS} days after the last")
    return ParameterError(
        f"{name} {when.date()} is {where} date in its data "
        f"({', '.join(inputs.as_of)}: {first.date()} to {last.date()}); give a date "
        f"from {first.date()} to {latest.date()}, or leave it empty for the last date found")
