"""Datasets: what each input file must hold, and the one loader that reads them all.

A :class:`Dataset` names a table a report needs (providers, staff, payers, locations,
claims, appointments, GL actuals, items …), its columns (:class:`Column`), its key and any
cross-column rule. The catalogue (:data:`DATASETS`) holds them by name: the practice's
foundation datasets are declared in :mod:`pracops.data.practice`, each report's own in
``pracops/<report>/datasets.py``, with the references (:class:`Reference`) and rules
(:class:`Relation`) across files that it relies on (:func:`register_rules`). :func:`load` reads one
from the bundled sample or a practice's folder of exports and returns a typed DataFrame, or raises
:class:`~pracops.errors.DataError` naming the file, row, column, value and what was expected.

Decisions the loader makes:

Files
    ``source=None`` reads the bundled sample; a folder is searched for ``<stem>.csv``,
    ``<stem>.xlsx`` or ``<stem>.parquet`` (file names compared without regard to case; exactly
    one must exist); a file is read by its suffix: ``.csv`` and ``.txt`` (text), ``.xlsx`` and
    ``.xlsm`` (Excel, through openpyxl), ``.parquet`` (pyarrow). Old ``.xls`` workbooks are
    refused with a hint to save them as ``.xlsx``.
Text files
    Decoded as UTF-8 (a byte-order mark is dropped); when that fails, as Windows-1252, the code
    page of most US Windows exports. ``encoding=`` states it instead. The encoding used is in
    ``df.attrs["encoding"]``. The delimiter is whichever of comma, tab, semicolon or ``|``
    occurs most in the header line. Every cell is read as text, and an empty cell is a missing
    value; lines that are entirely empty are skipped (they keep their row numbers).
Excel
    The first sheet unless ``sheet=`` names another (by name or 0-based position). The header
    is the fullest of the first 20 rows, so title lines above it are skipped. Cells keep their
    Excel types; numbers in money columns go through :func:`pracops.money.to_cents_series`'
    float path (a whole number of cents within a millionth of a cent).
Row numbers
    As a spreadsheet shows them: the header is row 1 and the first data row is row 2 in a CSV or
    Parquet file (a Parquet row number is the record's position + 1); in a sheet, the sheet's
    own row numbers. Errors name the first bad row and count the others in that column.
Headers
    Compared after trimming, ignoring case, and treating runs of spaces and underscores alike, so
    ``" Provider ID "`` matches ``provider_id``. ``columns=`` first renames an export's headers to
    ours (its keys are matched the same tolerant way). Extra columns are kept as read.
Money
    A money column is declared with the frame's name, ending in ``_cents``
    (``Column("hourly_rate_cents", "money")``). The file's header is the name without the suffix
    (``hourly_rate``) and holds dollars (``"$1,234.56"``, ``"(12.00)"``, ``1234.56``); a header
    with the suffix (``hourly_rate_cents``) holds whole cents, so a frame written back to Parquet
    or CSV reads in unchanged. Money bounds (``minimum``/``maximum``) are in cents.
Dates
    ``YYYY-MM-DD`` (optionally followed by a midnight time, as pandas writes it) and US
    ``MM/DD/YYYY`` (one- or two-digit month and day, four-digit year); Excel and Parquet dates
    must fall on midnight. Two-digit years are refused rather than guessed, and a slashed date
    is always month first (``01/02/2026`` is January 2nd).
Booleans
    ``true/false``, ``yes/no``, ``y/n``, ``t/f``, ``1/0``, in any case.
Missing values
    An empty cell (or one of spaces only) is missing: an error in a column that is not
    ``nullable``. Text is trimmed of surrounding spaces. Nullable ``int`` and ``money`` columns are
    ``Int64`` and nullable ``bool`` columns ``boolean``, whether or not a value is missing.
    A text column may declare what an empty cell stands for (``missing_as=""`` for "no
    modifier"); it is then filled in after the checks.
Categories
    Matched without regard to case and stored with the declared spelling, as a ``category``
    column whose categories are the allowed values in their declared order.

The typed frame has a fresh ``RangeIndex``; ``df.attrs`` holds ``source`` (the file's path),
``rows_read``, ``encoding`` (text files), ``sheet`` (Excel), ``dataset`` and ``headers`` (our
column name -> the header it was read from).
"""

from __future__ import annotations

import difflib
import errno
import io
import logging
import math
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from openpyxl.utils.exceptions import InvalidFileException

from pracops import config, registry
from pracops.errors import DataError, ParameterError, PracopsError, os_problem
from pracops.money import AMOUNT_TOO_LARGE, MAX_AMOUNT_CENTS, format_cents, to_cents_series

__all__ = [
    "KINDS",
    "Column",
    "Dataset",
    "DATASETS",
    "register",
    "register_rules",
    "get",
    "locate",
    "load",
    "check_folder",
    "Validation",
    "Reference",
    "REFERENCES",
    "check_references",
    "check_as_of",
    "date_span",
    "Relation",
    "RELATIONS",
    "input_files",
    "era_dir",
    "ERA_FOLDER",
    "os_error",
    "row_error",
    "rows_error",
    "rows_text",
    "file_rows",
    "require_columns",
    "npi_check_digit",
    "npi_is_valid",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

KINDS: tuple[str, ...] = ("str", "int", "float", "bool", "date", "money", "category")
"""The kinds of column the loader converts to."""

FOLDER_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")
"""Suffixes tried, in this order, when a dataset is looked up in a folder."""

ERA_FOLDER = "era"
"""The sub-folder of a data folder that holds the X12 835 remittance files (ERAs)."""

_TEXT_SUFFIXES = {".csv", ".txt"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet"}
_DELIMITERS = (",", "\t", ";", "|")
_HEADER_SEARCH_ROWS = 20
_TRUE = {"true", "yes", "y", "t", "1"}
_FALSE = {"false", "no", "n", "f", "0"}
_ISO_DATE = r"(\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?"
_US_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_INT = r"[+-]?\d{1,18}"  # fits in int64
_DATE_RANGE = "a date from 1900-01-01 to 2100-12-31"
_INT_LIMIT = 2.0**63 - 1024  # the largest float that converts to int64 without wrapping
_CENTS_RANGE = "at most ±$1,000,000,000 (100000000000 cents)"
_EXPECTED_KIND = {  # what a value of each kind looks like (categories list their values)
    "str": "text",
    "int": "a whole number such as 12",
    "float": "a number such as 0.75",
    "bool": "true/false, yes/no, y/n or 1/0",
    "date": "a date as YYYY-MM-DD or MM/DD/YYYY, from 1900 to 2100",
    "money": "an amount such as 1234.56",
}


# --------------------------------------------------------------------------------------------
# Declarations


@dataclass(frozen=True)
class Column:
    """One column of a dataset.

    Parameters
    ----------
    name
        The column's name in the loaded frame. Money columns end in ``_cents``; their header
        in a file is the name without it (see the module docstring).
    kind
        One of :data:`KINDS`.
    required
        The file must have the column. An optional column must be ``nullable``; when the file
        lacks it, the frame gets it filled with missing values.
    nullable
        Empty cells are allowed.
    allowed
        The values of a ``category`` column, in the order reports show them.
    minimum, maximum
        Inclusive bounds for ``int``, ``float`` and ``money`` (in cents) columns.
    pattern
        A regular expression a ``str`` value must match in full.
    pattern_text
        The pattern in words, for error messages (``"10 digits"``).
    missing_as
        For a nullable ``str`` column: the text an empty cell becomes in the loaded frame
        (``""`` for "no modifier"), after the checks; the column is then never missing.
    description
        What the column means, for documentation.
    phi
        The column holds patient data (a name, a date of birth, a member id): an error about
        one of its cells names the file, row and column but never quotes the value.
    """

    name: str
    kind: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    pattern_text: str = ""
    missing_as: str | None = None
    description: str = ""
    phi: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.kind == "money" and not self.name.endswith("_cents"):
            raise ValueError(f"money column {self.name!r} must be named '<name>_cents'")
        if (self.kind == "category") != (self.allowed is not None):
            raise ValueError(f"column {self.name!r}: 'allowed' goes with kind 'category' only")
        if self.allowed is not None:
            object.__setattr__(self, "allowed", tuple(self.allowed))
        if (self.minimum is not None or self.maximum is not None) and self.kind not in (
            "int", "float", "money"
        ):
            raise ValueError(f"column {self.name!r}: bounds go with int, float and money only")
        if self.pattern is not None and self.kind != "str":
            raise ValueError(f"column {self.name!r}: 'pattern' goes with kind 'str' only")
        if not self.required and not self.nullable:
            raise ValueError(f"column {self.name!r}: an optional column must be nullable")
        if self.missing_as is not None and (self.kind != "str" or not self.nullable):
            raise ValueError(f"column {self.name!r}: 'missing_as' goes with nullable str only")

    @property
    def header(self) -> str:
        """The header a file uses: the name, less ``_cents`` for money."""
        return self.name.removesuffix("_cents") if self.kind == "money" else self.name

    def expected(self) -> str:
        """What a valid value of this column looks like, in words."""
        if self.kind == "category":
            return "one of " + ", ".join(self.allowed or ())
        if self.pattern is not None:
            return self.pattern_text or f"text matching {self.pattern}"
        if self.minimum is not None or self.maximum is not None:
            return _range_text(self)
        return _EXPECTED_KIND[self.kind]


@dataclass(frozen=True)
class Dataset:
    """A table a report reads, and the rules its rows must follow.

    Parameters
    ----------
    name
        The registry key (``"providers"``).
    stem
        File name without suffix: the bundled sample has ``<stem>.csv``, and a practice's
        folder is searched for ``<stem>.csv``, ``.xlsx`` or ``.parquet``.
    columns
        The declared columns, in the order the frame has them.
    key
        Columns whose combination must be unique (empty: no key).
    description
        What one row is.
    optional
        The dataset may be absent from a folder (:func:`check_folder` skips it then).
    checks
        Cross-column rules: called with the typed frame, indexed by file row number, with
        ``attrs`` set; raises :class:`DataError` (see :func:`row_error`).
    allow_empty
        A file with a header and no rows is valid.
    """

    name: str
    stem: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    optional: bool = False
    checks: Callable[[pd.DataFrame], None] | None = None
    allow_empty: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "key", tuple(self.key))
        names = [c.name for c in self.columns]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"dataset {self.name!r}: columns declared twice: {doubled}")
        unknown = [k for k in self.key if k not in names]
        if unknown:
            raise ValueError(f"dataset {self.name!r}: key columns not declared: {unknown}")

    def column(self, name: str) -> Column:
        """The declared column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"dataset {self.name!r} has no column {name!r}")


class _Catalogue(MutableMapping[str, Dataset]):
    """The datasets by name. The first look fills it: the practice's foundation datasets
    (:mod:`pracops.data.practice`), then each report package of :mod:`pracops.registry`
    registers its own (``pracops/<report>/datasets.py``)."""

    def __init__(self) -> None:
        self._datasets: dict[str, Dataset] = {}
        self._filled = False

    def _fill(self) -> dict[str, Dataset]:
        if not self._filled:
            self._filled = True
            from pracops import registry
            from pracops.data import practice  # noqa: F401  (registers the foundation)

            registry.packages()
        return self._datasets

    def add(self, dataset: Dataset) -> None:
        self._fill()[dataset.name] = dataset  # after the suite's own, whoever comes first

    def __getitem__(self, name: str) -> Dataset:
        return self._fill()[name]

    def __setitem__(self, name: str, dataset: Dataset) -> None:
        self._fill()[name] = dataset

    def __delitem__(self, name: str) -> None:
        del self._fill()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fill())

    def __len__(self) -> int:
        return len(self._fill())


DATASETS: MutableMapping[str, Dataset] = _Catalogue()
"""Every registered dataset by name, in registration order: the foundation's first, then each
report's in :data:`pracops.registry.PACKAGES` order."""

_REFERENCES: list[Reference] = []
_RELATIONS: list[Relation] = []


def register(dataset: Dataset) -> Dataset:
    """Add a dataset to :data:`DATASETS` and return it.

    Registering a name again replaces the earlier declaration, so re-running or reloading a
    module in a notebook works.

    Parameters
    ----------
    dataset
        The declaration.
    """
    DATASETS.add(dataset)
    return dataset


def register_rules(*, references: Sequence[Reference] = (),
                   relations: Sequence[Relation] = ()) -> None:
    """Add the references and rules across datasets that a module of declarations relies on
    (:data:`REFERENCES`, :data:`RELATIONS`)."""
    _REFERENCES.extend(r for r in references if r not in _REFERENCES)
    _RELATIONS.extend(r for r in relations if r not in _RELATIONS)


def __getattr__(name: str) -> object:
    if name in ("REFERENCES", "RELATIONS"):
        references, relations = _rules()
        return tuple(references if name == "REFERENCES" else relations)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get(name: str) -> Dataset:
    """The registered dataset ``name``; a :class:`DataError` names the known ones otherwise."""
    try:
        return DATASETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, DATASETS, n=1)
        raise DataError(
            f"no dataset called {name!r}",
            value=name,
            expected="one of " + ", ".join(sorted(DATASETS)),
            fix=f"did you mean {close[0]!r}?" if close else None,
        ) from None


# --------------------------------------------------------------------------------------------
# Identifiers


def npi_check_digit(first_nine: str) -> str:
    """The check digit of a National Provider Identifier.

    The NPI's tenth digit is the Luhn check digit of the 15-digit number ``80840`` (the ISO
    health-industry prefix) followed by the first nine digits.

    Parameters
    ----------
    first_nine
        The NPI's first nine digits.

    Examples
    --------
    >>> npi_check_digit("123456789")
    '3'
    """
    if not re.fullmatch(r"\d{9}", first_nine):
        raise ValueError(f"an NPI starts with nine digits, got {first_nine!r}")
    total = 0
    # Luhn: from the rightmost payload digit leftwards, double every other digit.
    for i, ch in enumerate(reversed("80840" + first_nine)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str(-total % 10)


def npi_is_valid(npi: str) -> bool:
    """Whether ``npi`` is ten digits whose last digit is the right check digit."""
    return bool(re.fullmatch(r"\d{10}", npi)) and npi_check_digit(npi[:9]) == npi[9]


# --------------------------------------------------------------------------------------------
# Locating files


def os_error(exc: OSError, path: str | os.PathLike[str], what: str = "file") -> DataError:
    """The one-line error for a file or folder the system would not let us read
    (:func:`pracops.errors.os_problem` says what and how to fix it).

    Parameters
    ----------
    exc
        What the system said.
    path
        The file or folder.
    what
        ``"file"`` or ``"folder"``, for the message.
    """
    reason, fix = os_problem(exc, what)
    return DataError(reason, file=str(path), fix=fix)


def _candidates(dataset: Dataset, folder: Path) -> list[Path]:
    """The entries of ``folder`` named like the dataset's file (any case), whatever they are:
    :func:`locate` refuses one that is not a readable file rather than skip it."""
    wanted = [dataset.stem.lower() + s for s in FOLDER_SUFFIXES]
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise os_error(exc, folder, "folder") from None
    by_name = {p.name.lower(): p for p in entries}
    return [by_name[w] for w in wanted if w in by_name]


def _regular_file(path: Path) -> Path:
    """``path`` when it is (or links to) a regular file; a DataError otherwise."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise os_error(exc, path) from None
    if stat.S_ISDIR(mode):
        raise os_error(OSError(errno.EISDIR, "Is a directory"), path)
    if not stat.S_ISREG(mode):
        raise DataError("this is not a regular file (a device, a pipe or a socket)",
                        file=str(path), fix="put the export itself here")
    return path


def locate(name: str, source: str | os.PathLike[str] | None = None, *,
           missing_ok: bool = False) -> Path | None:
    """The file :func:`load` would read for dataset ``name``.

    Parameters
    ----------
    name
        A registered dataset.
    source
        ``None`` (the bundled sample), a folder, or a file.
    missing_ok
        Return ``None`` instead of raising when a folder has no file for the dataset.

    Raises
    ------
    DataError
        No such file or folder; no file for the dataset in the folder; two candidate files.
    """
    dataset = get(name)
    path = config.data_dir(source)
    if path.is_dir():
        found = _candidates(dataset, path)
        if len(found) > 1:
            raise DataError(
                f"two files could be the {name} data: " + " and ".join(p.name for p in found),
                file=str(found[0]),
                fix="keep one of them in the folder, or pass the file itself",
            )
        if found:
            return _regular_file(found[0])
        if missing_ok:
            return None
        raise DataError(
            f"no {name} data in folder {path}: looked for "
            + ", ".join(dataset.stem + s for s in FOLDER_SUFFIXES),
            file=str(path / f"{dataset.stem}.csv"),
            expected=f"a file {dataset.stem}.csv, .xlsx or .parquet",
            fix=f"export the {name} table into {path} under that name, or pass its path",
        )
    if path.exists() or path.is_symlink():
        return _regular_file(path)
    raise DataError(
        f"no such file or folder (searched {path.parent})",
        file=str(path),
        fix="check the path; a folder must exist and hold the exports",
    )


def input_files(source: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files the registered datasets would read from a folder (for a run's manifest).

    Parameters
    ----------
    source
        A folder, or ``None`` for the bundled sample. Datasets without a file are left out;
        where a folder holds two candidates for one dataset, both are listed. The files of
        the folder's ``era/`` (see :func:`era_dir`) are included, hidden files excepted.
    """
    folder = config.data_dir(source)
    if not folder.is_dir():
        return []
    try:
        files = {p for ds in DATASETS.values() for p in _candidates(ds, folder) if p.is_file()}
        era = folder / ERA_FOLDER
        if era.is_dir():
            files.update(p for p in era.iterdir()
                         if p.is_file() and not p.name.startswith("."))
    except (OSError, DataError):
        return []  # validate names what cannot be listed
    return sorted(files)


def era_dir(source: str | os.PathLike[str] | None = None) -> Path:
    """The folder of 835 remittance files (``era/``) inside a data folder.

    Parameters
    ----------
    source
        A data folder, or ``None`` for the bundled sample.

    Returns
    -------
    Path
        ``<source>/era``, to pass to :func:`pracops.x12.read_835`.

    Raises
    ------
    DataError
        When the folder does not exist; the message names it.
    """
    folder = config.data_dir(source) / ERA_FOLDER
    if not folder.is_dir():
        raise DataError(
            f"no folder of remittance files (ERAs) at {folder}",
            file=str(folder),
            expected="a folder era/ holding the payers' 835 files",
            fix=f"create {folder} and save the 835 files from the clearinghouse into it",
        )
    return folder


# --------------------------------------------------------------------------------------------
# Reading raw cells


@dataclass
class _Raw:
    """Cells as read: ``frame`` has the file's headers and row numbers as its index."""

    frame: pd.DataFrame
    encoding: str | None = None
    sheet: str | None = None
    header_row: int = 1


# Byte-order marks, longest first (UTF-32's begins like UTF-16's).
_BOMS: tuple[tuple[bytes, str | None], ...] = (
    (b"\x00\x00\xfe\xff", None), (b"\xff\xfe\x00\x00", None),
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)


def _decode(data: bytes, encoding: str | None, file: str) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    UTF-8 (with or without a byte-order mark) and UTF-16 with its byte-order mark are read as
    such; other bytes are tried as UTF-8, then as Windows-1252. A NUL byte without a UTF-16
    mark (UTF-16 saved without one, or a binary file) and bytes no encoding reads are refused,
    naming the byte offset.
    """
    if encoding is None:
        for bom, enc in _BOMS:
            if data.startswith(bom):
                if enc is None:
                    raise DataError("the file is UTF-32 text, which is not read", file=file,
                                    expected="text in UTF-8, UTF-16 or Windows-1252",
                                    fix="save the export as 'CSV UTF-8'")
                try:
                    return data.decode(enc).removeprefix("\ufeff"), enc
                except UnicodeDecodeError as exc:
                    raise DataError(
                        f"the file starts with a {enc.upper().removesuffix('-SIG')} byte-order "
                        f"mark but byte offset {exc.start} is not {enc} text", file=file,
                        expected=f"{enc} text throughout",
                        fix="save the export again as 'CSV UTF-8'") from None
        nul = data.find(b"\x00")
        if nul >= 0:
            raise DataError(
                f"byte offset {nul} is a NUL byte: the file is UTF-16 text without a "
                "byte-order mark, or not text at all", file=file,
                row=data[:nul].count(b"\n") + 1,
                expected="text in UTF-8, UTF-16 with a byte-order mark, or Windows-1252",
                fix="save the export as 'CSV UTF-8'")
    tried = [encoding] if encoding else ["utf-8", "cp1252"]
    for enc in tried:
        try:
            text = data.decode(enc)
        except LookupError:
            raise DataError(f"unknown encoding {enc!r}", file=file, value=enc,
                            expected="an encoding such as utf-8 or cp1252") from None
        except UnicodeDecodeError as exc:
            last = exc
            continue
        if text.startswith("\ufeff"):
            return text[1:], ("utf-8-sig" if enc == "utf-8" else enc)
        return text, enc
    row = data[: last.start].count(b"\n") + 1
    raise DataError(
        f"the file is not {' or '.join(tried)} text (byte {data[last.start]:#04x} at byte "
        f"offset {last.start})",
        file=file,
        row=row,
        expected="text in UTF-8 or Windows-1252",
        fix="save the export as 'CSV UTF-8', or pass the right encoding= (e.g. 'latin-1')",
    )


def _read_text(path: Path, encoding: str | None) -> _Raw:
    file = str(path)
    text, used = _decode(path.read_bytes(), encoding, file)
    first_line = text.split("\n", 1)[0]
    sep = max(_DELIMITERS, key=first_line.count)
    try:
        cells = pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
                            skip_blank_lines=False, sep=sep)
    except pd.errors.EmptyDataError:
        raise DataError("the file has no header and no rows", file=file,
                        expected="a header row and data rows",
                        fix="export the table again") from None
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        raise DataError(
            "a row has more cells than the header"
            + (f" ({found[3]} instead of {found[1]})" if found else ""),
            file=file,
            row=int(found[2]) if found else None,
            expected="as many cells as the header",
            fix="quote values that contain the delimiter, or remove the stray cells",
        ) from None
    header = cells.iloc[0].tolist()
    body = cells.iloc[1:].set_axis(header, axis=1)
    body.index = pd.RangeIndex(2, len(cells) + 1)
    return _Raw(body, encoding=used)


def _read_excel(path: Path, sheet: str | int | None) -> _Raw:
    file = str(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(f"not a readable Excel workbook ({exc})", file=file,
                        expected="an .xlsx workbook",
                        fix="open it in Excel and save it as .xlsx or CSV") from None
    try:
        names = book.sheetnames
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            chosen = names[sheet]
        elif sheet in names:
            chosen = str(sheet)
        else:
            raise DataError("no such sheet", file=file, value=sheet,
                            expected="one of " + ", ".join(repr(n) for n in names))
        rows = list(book[chosen].iter_rows(min_row=1, values_only=True))
    finally:
        book.close()
    # The header is the fullest of the first rows, so title lines above it are skipped.
    filled = [sum(_present(v) for v in r) for r in rows[:_HEADER_SEARCH_ROWS]]
    if not any(filled):
        raise DataError(f"sheet {chosen!r} is empty", file=file,
                        fix="put the header in the first row and the data below it")
    top = filled.index(max(filled))
    header = ["" if v is None else str(v) for v in rows[top]]
    body = pd.DataFrame([list(r) for r in rows[top + 1:]], columns=header, dtype=object)
    body.index = pd.RangeIndex(top + 2, top + 2 + len(body))
    return _Raw(body, sheet=chosen, header_row=top + 1)


def _read_parquet(path: Path) -> _Raw:
    try:
        frame = pd.read_parquet(path, engine="pyarrow")
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        raise DataError(f"not a readable Parquet file ({exc})", file=str(path),
                        fix="write it again with pandas or pyarrow") from None
    # A meaningful index (written from a frame indexed by, say, provider_id) becomes a column.
    frame = frame.reset_index(drop=isinstance(frame.index, pd.RangeIndex))
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return _Raw(frame)


def _read(path: Path, encoding: str | None, sheet: str | int | None) -> _Raw:
    file = str(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DataError("old-style .xls workbooks are not read", file=file,
                        fix="open it in Excel and save it as .xlsx or CSV")
    if suffix not in _TEXT_SUFFIXES | _EXCEL_SUFFIXES | _PARQUET_SUFFIXES:
        raise DataError("unknown kind of file", file=file, value=path.suffix or "(no suffix)",
                        expected="a .csv, .txt, .xlsx or .parquet file",
                        fix="export the table as CSV, Excel or Parquet")
    if encoding is not None and suffix not in _TEXT_SUFFIXES:
        raise DataError("encoding= applies to text files only", file=file, value=encoding)
    if sheet is not None and suffix not in _EXCEL_SUFFIXES:
        raise DataError("sheet= applies to Excel files only", file=file, value=sheet)
    if path.stat().st_size == 0:
        raise DataError("the file is empty (0 bytes)", file=file,
                        expected="a header row and data rows", fix="export the table again")
    if suffix in _TEXT_SUFFIXES:
        return _read_text(path, encoding)
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    return _read_parquet(path)


# --------------------------------------------------------------------------------------------
# Headers


def _norm(header: object) -> str:
    return re.sub(r"[\s_]+", "_", str(header).strip()).casefold()


def _clean_headers(raw: _Raw, file: str) -> pd.DataFrame:
    """Drop blank rows and header-less empty columns; refuse header-less data and duplicates."""
    frame = raw.frame
    masks = [_present_mask(frame.iloc[:, i]) for i in range(frame.shape[1])]
    present = np.column_stack(masks) if masks else np.zeros((len(frame), 0), dtype=bool)
    filled_rows = present.any(axis=1)
    frame, present = frame[filled_rows], present[filled_rows]
    headers = [str(h).strip() for h in frame.columns]
    for i, h in enumerate(headers):
        if not h and present[:, i].any():
            row = int(frame.index[present[:, i]][0])
            raise DataError(f"column {i + 1} has values but no header", file=file, row=row,
                            fix="give the column a header, or delete it")
    keep = [i for i, h in enumerate(headers) if h]
    frame = frame.iloc[:, keep].set_axis([headers[i] for i in keep], axis=1)
    _refuse_duplicates(list(frame.columns), file, raw.header_row, "the header")
    return frame


def _refuse_duplicates(headers: list[str], file: str, header_row: int, where: str) -> None:
    seen: dict[str, str] = {}
    for h in headers:
        n = _norm(h)
        if n in seen:
            raise DataError(f"{where} has two columns that read as the same name",
                            file=file, row=header_row, column=h,
                            value=f"{seen[n]!r} and {h!r}",
                            fix="rename or delete one of them")
        seen[n] = h


def _apply_mapping(frame: pd.DataFrame, columns: Mapping[str, str] | None, file: str,
                   header_row: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rename headers by ``columns``; also return each new header's original."""
    if not columns:
        return frame, {}
    by_norm = {_norm(h): h for h in frame.columns}
    renames: dict[str, str] = {}
    for theirs, ours in columns.items():
        header = by_norm.get(_norm(theirs))
        if header is None:
            raise DataError(
                f"columns= renames {theirs!r}, but the file has no such header",
                file=file, row=header_row, value=theirs,
                expected="one of " + ", ".join(repr(h) for h in frame.columns),
                fix="correct the key in the columns= mapping",
            )
        renames[header] = ours
    renamed = frame.rename(columns=renames)
    _refuse_duplicates(list(renamed.columns), file, header_row,
                       "after renaming with columns=, the file")
    return renamed, {ours: theirs for theirs, ours in renames.items()}


def _match_columns(dataset: Dataset, frame: pd.DataFrame, file: str, header_row: int,
                   mapping: Mapping[str, str] | None) -> dict[str, tuple[str, bool]]:
    """Map each declared column to (file header, holds cents); raise on missing ones."""
    by_norm = {_norm(h): h for h in frame.columns}
    matched: dict[str, tuple[str, bool]] = {}
    missing: list[Column] = []
    for col in dataset.columns:
        dollars = by_norm.get(_norm(col.header))
        cents = by_norm.get(_norm(col.name)) if col.kind == "money" else None
        if dollars is not None and cents is not None:
            raise DataError(
                f"both {dollars!r} (dollars) and {cents!r} (cents) are present",
                file=file, row=header_row, column=cents, expected="one of them",
                fix="delete one, or rename it with columns=",
            )
        if dollars is not None:
            matched[col.name] = (dollars, False)
        elif cents is not None:
            matched[col.name] = (cents, True)
        elif col.required:
            missing.append(col)
    if missing:
        unused = [h for h in frame.columns if h not in {m[0] for m in matched.values()}]
        raise _missing_columns(missing, unused, list(frame.columns), file, header_row,
                               mapping)
    return matched


def _closest(wanted: str, candidates: list[str]) -> str | None:
    """The candidate header most like ``wanted``: one containing it (``npi_number`` for
    ``npi``), else the closest spelling by :mod:`difflib`."""
    containing = [c for c in candidates
                  if re.search(rf"(?:^|_){re.escape(wanted)}(?:_|$)", c)]
    if containing:
        return min(containing, key=len)
    close = difflib.get_close_matches(wanted, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def _missing_columns(missing: list[Column], unused: list[str], found: list[str], file: str,
                     header_row: int, mapping: Mapping[str, str] | None) -> DataError:
    unused_by_norm = {_norm(h): h for h in unused}
    suggestions: dict[str, str] = {}
    for col in missing:
        close = _closest(_norm(col.header), [n for n in unused_by_norm
                                             if unused_by_norm[n] not in suggestions])
        if close:
            suggestions[unused_by_norm[close]] = col.header
    names = ", ".join(repr(c.header) for c in missing)
    if suggestions:
        merged = {**(mapping or {}), **suggestions}
        fix = ("rename the header" + ("s" if len(suggestions) > 1 else "") + " in the file, "
               f"or pass columns={merged!r}")
    else:
        fix = "add the column" + ("s" if len(missing) > 1 else "") + \
            ", or map the export's header to it with columns={'their header': 'our name'}"
    return DataError(
        f"missing required column{'s' if len(missing) > 1 else ''} {names}; "
        f"found {', '.join(repr(h) for h in found)}",
        file=file, row=header_row, column=missing[0].header,
        expected="columns " + ", ".join(repr(c.header) for c in missing),
        fix=fix,
    )


# --------------------------------------------------------------------------------------------
# Converting cells to typed columns


def _present(value: object) -> bool:
    """A cell that holds something (not None/NaN/NA and not blank text)."""
    if isinstance(value, str):
        return bool(value.strip())
    return not (value is None or value is pd.NA or value is pd.NaT
                or (isinstance(value, float) and math.isnan(value)))


def _present_mask(values: pd.Series) -> np.ndarray:
    """Vectorised :func:`_present` for one column."""
    if isinstance(values.dtype, pd.StringDtype):
        return (values.notna() & (values.str.strip() != "")).to_numpy(dtype=bool)
    if values.dtype == object:
        return np.fromiter((_present(v) for v in values), dtype=bool, count=len(values))
    return values.notna().to_numpy(dtype=bool)


def _cell_text(value: object) -> str:
    """A cell from Excel or Parquet as the text a CSV export would hold."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _texts(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype):
        return values.str.strip()
    return pd.Series([_cell_text(v) for v in values], index=values.index, dtype="str")


def _is_number_dtype(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def row_error(frame: pd.DataFrame, bad: pd.Series | np.ndarray, column: str, reason: str,
              expected: str, fix: str | None = None) -> DataError:
    """The error for the first bad row of a loaded frame, counting the others.

    For :attr:`Dataset.checks` hooks: ``frame`` is indexed by file row number and carries
    ``attrs["source"]`` and ``attrs["headers"]``, so the error names the file, row and header as
    the user sees them.

    Parameters
    ----------
    frame
        The frame being checked.
    bad
        Boolean mask of the rows that break the rule (at least one true).
    column
        Our name of the column to point at.
    reason, expected, fix
        What is wrong, what would be right, and what to do.
    """
    mask = np.asarray(bad, dtype=bool)
    headers = frame.attrs.get("headers", {})
    return _first_bad(frame[column], mask, file=frame.attrs.get("source"),
                      column=headers.get(column, column), reason=reason,
                      expected=expected, fix=fix, phi=_is_phi(frame, column))


def file_rows(frame: pd.DataFrame, bad: pd.Series | np.ndarray) -> np.ndarray:
    """The file row numbers (header = row 1) of the rows where ``bad`` holds.

    A frame as :func:`load` returns it (or a filtered copy) keeps its integer index, so the
    row is ``index + 2``; a frame with another index counts by position.
    """
    mask = np.asarray(bad, dtype=bool)
    if pd.api.types.is_integer_dtype(frame.index.dtype):
        return np.asarray(frame.index, dtype=np.int64)[mask] + 2
    return np.flatnonzero(mask) + 2


def rows_text(rows: Sequence[int] | np.ndarray, limit: int = 20) -> str:
    """Row numbers for a message: ``"3, 7, 9"``, and ``" and N more"`` past ``limit``."""
    shown = ", ".join(str(int(r)) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def rows_error(frame: pd.DataFrame, bad: pd.Series | np.ndarray, dataset: str, column: str,
               reason: str, expected: str, fix: str | None = None) -> DataError:
    """The error naming every row of a table where ``bad`` holds, and the first bad value.

    For checks in the report modules on frames as loaded (see :func:`row_error` for
    :attr:`Dataset.checks` hooks): names the file (``attrs["source"]``, else ``dataset``),
    the rows (:func:`file_rows`), the header as the user wrote it and what was expected.
    """
    mask = np.asarray(bad, dtype=bool)
    rows = file_rows(frame, mask)
    value = frame[column].iloc[int(np.flatnonzero(mask)[0])] if column in frame.columns else None
    if column.endswith("_cents") and isinstance(value, (int, np.integer)):
        value = format_cents(int(value))  # the amount as the file shows it, not our cents
    if _is_phi(frame, column):
        value, reason = None, reason + _PHI_WITHHELD
    headers = frame.attrs.get("headers", {})
    return DataError(f"{reason}: row{'s' if len(rows) > 1 else ''} {rows_text(rows)}",
                     file=frame.attrs.get("source", dataset), row=int(rows[0]),
                     column=headers.get(column, column),
                     value=None if value is None or pd.isna(value) else value,
                     expected=expected, fix=fix or f"correct the {dataset} data")


def require_columns(frame: pd.DataFrame, dataset: str, columns: Sequence[str]) -> None:
    """Refuse a table that lacks any of ``columns`` (DataError naming them)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"the {dataset} table lacks column(s) {', '.join(missing)}",
                        file=frame.attrs.get("source", dataset),
                        expected="columns " + ", ".join(columns))


_PHI_WITHHELD = "; the value is patient data and is not shown"


def _is_phi(frame: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` of a loaded frame is declared patient data."""
    dataset = DATASETS.get(frame.attrs.get("dataset", ""))
    return any(c.name == column and c.phi for c in dataset.columns) if dataset else False


def _first_bad(values: pd.Series, bad: np.ndarray, *, file: str | None, column: str,
               reason: str, expected: str, fix: str | None = None,
               phi: bool = False) -> DataError:
    positions = np.flatnonzero(bad)
    first = int(positions[0])
    others = len(positions) - 1
    if others:
        reason += f" ({others} other row{'s' if others > 1 else ''} of this column too)"
    value = values.iloc[first]
    if phi:
        reason += _PHI_WITHHELD
    return DataError(reason, file=file, row=int(values.index[first]), column=column,
                     value=None if phi else value if _present(value) else "",
                     expected=expected, fix=fix or "correct the value in the export")


def _convert(col: Column, values: pd.Series, cents: bool, file: str,
             header: str) -> pd.Series:
    """Convert present (non-missing) cells of one column; raise at the first bad one."""

    kind = "int" if cents else col.kind

    def fail(bad: np.ndarray, reason: str, expected: str | None = None) -> DataError:
        expected = expected or ("a whole number of cents" if cents else _EXPECTED_KIND[kind])
        return _first_bad(values, bad, file=file, column=header, reason=reason,
                          expected=expected, phi=col.phi)

    if kind == "money":
        numbers = values
        if values.dtype == object and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in values
        ):
            numbers = values.astype("float64")
        elif not _is_number_dtype(values.dtype) and not isinstance(values.dtype,
                                                                   pd.StringDtype):
            numbers = _texts(values)
        return to_cents_series(numbers, file=file, column=header, row_offset=0)
    if kind == "int" and _is_number_dtype(values.dtype):
        as_float = values.to_numpy(dtype="float64")
        bad = ~np.isfinite(as_float) | (as_float != np.round(as_float))
        if bad.any():
            raise fail(bad, "not a whole number")
        too_large = np.abs(as_float) > (MAX_AMOUNT_CENTS if cents else _INT_LIMIT)
        if too_large.any():  # astype would wrap a uint64 or a float beyond int64
            raise fail(too_large, AMOUNT_TOO_LARGE if cents else "number too large",
                       _CENTS_RANGE if cents else None)
        return values.astype("int64")
    if kind == "float" and _is_number_dtype(values.dtype):
        result = values.astype("float64")
        bad = ~np.isfinite(result.to_numpy())
        if bad.any():
            raise fail(bad, "not a finite number")
        return result
    if kind == "bool" and pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("bool")
    if kind == "date" and pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.dt.tz_localize(None) if values.dt.tz is not None else values
        _refuse_out_of_range(stamps, fail)
        bad = (stamps != stamps.dt.normalize()).to_numpy()
        if bad.any():
            raise fail(bad, "a date and time where a date is expected")
        return stamps.astype("datetime64[ns]")

    text = _texts(values)
    if kind in ("str", "category"):
        if kind == "category":
            canonical = {a.casefold(): a for a in col.allowed or ()}
            text = text.str.casefold().map(canonical).fillna(text)
        return text.astype("str")
    if kind == "int":
        bad = ~text.str.fullmatch(_INT).to_numpy(dtype=bool)
        if bad.any():
            raise fail(bad, "not a whole number")
        result = text.astype("int64")
        if cents:
            too_large = (result.abs() > MAX_AMOUNT_CENTS).to_numpy()
            if too_large.any():
                raise fail(too_large, AMOUNT_TOO_LARGE, _CENTS_RANGE)
        return result
    if kind == "float":
        result = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = ~np.isfinite(result.to_numpy())
        if bad.any():
            raise fail(bad, "not a number")
        return result
    if kind == "bool":
        lowered = text.str.casefold()
        bad = ~lowered.isin(_TRUE | _FALSE).to_numpy(dtype=bool)
        if bad.any():
            raise fail(bad, "not a yes/no value")
        return lowered.isin(_TRUE).astype("bool")
    # date: the common case (every value YYYY-MM-DD) avoids str.extract, which runs in Python
    # value by value (about a second per date column of half a million rows)
    if text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        iso = text
    else:
        iso = text.str.extract(f"^{_ISO_DATE}$", expand=False)
    parsed = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    us = text.str.fullmatch(_US_DATE).to_numpy(dtype=bool)
    if us.any():
        parsed = parsed.where(~us, pd.to_datetime(text.where(us), format="%m/%d/%Y",
                                                  errors="coerce"))
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = str(text.iloc[int(np.flatnonzero(bad)[0])])
        year = re.search(r"\d{4}", first)
        if year and not config.FIRST_DATE.year <= int(year[0]) <= config.LAST_DATE.year:
            raise fail(bad, "date outside 1900–2100", _DATE_RANGE)
        raise fail(bad, "not a date")
    _refuse_out_of_range(parsed, fail)
    return parsed.astype("datetime64[ns]")


def _refuse_out_of_range(stamps: pd.Series, fail: Callable[..., DataError]) -> None:
    """Refuse dates before 1900 or after 2100 (:data:`pracops.config.FIRST_DATE`, ``LAST_DATE``)."""
    years = stamps.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = (years < config.FIRST_DATE.year) | (years > config.LAST_DATE.year)
    if bad.any():
        raise fail(bad, "date outside 1900–2100", _DATE_RANGE)


_NULLABLE_DTYPE = {"int": "Int64", "money": "Int64", "bool": "boolean", "float": "float64",
                  "date": "datetime64[ns]", "str": "str", "category": "str"}
_FULL_DTYPE = {"int": "int64", "money": "int64", "bool": "bool", "float": "float64",
               "date": "datetime64[ns]", "str": "str", "category": "str"}


def _typed_column(col: Column, raw: pd.Series, cents: bool, file: str,
                  header: str) -> pd.Series:
    present = _present_mask(raw)
    if not present.all() and not col.nullable:
        raise _first_bad(raw, ~present, file=file, column=header, reason="value is missing",
                         expected=col.expected(), fix="fill in the value in the export")
    converted = _convert(col, raw[present], cents, file, header)
    if not col.nullable:
        return converted.astype(_FULL_DTYPE[col.kind]).rename(col.name)
    full = pd.Series(pd.NA if col.kind in ("int", "money", "bool") else None,
                     index=raw.index, dtype=_NULLABLE_DTYPE[col.kind], name=col.name)
    full[present] = converted
    return full


# --------------------------------------------------------------------------------------------
# Validation with pandera


def _range_text(col: Column) -> str:
    def show(x: float) -> str:
        return format_cents(int(x)) if col.kind == "money" else f"{x:g}"

    if col.minimum is not None and col.maximum is not None:
        return f"a value from {show(col.minimum)} to {show(col.maximum)}"
    if col.minimum is not None:
        return f"a value of at least {show(col.minimum)}"
    return f"a value of at most {show(col.maximum)}"  # type: ignore[arg-type]


def _schema(dataset: Dataset) -> pa.DataFrameSchema:
    columns = {}
    for col in dataset.columns:
        checks = []
        if col.allowed is not None:
            checks.append(pa.Check.isin(list(col.allowed)))
        if col.minimum is not None:
            checks.append(pa.Check.ge(col.minimum))
        if col.maximum is not None:
            checks.append(pa.Check.le(col.maximum))
        if col.pattern is not None:
            checks.append(pa.Check.str_matches(f"^(?:{col.pattern})$"))
        dtype = (_NULLABLE_DTYPE if col.nullable else _FULL_DTYPE)[col.kind]
        columns[col.name] = pa.Column(dtype, checks, nullable=col.nullable)
    return pa.DataFrameSchema(columns, unique=list(dataset.key) or None,
                              report_duplicates="all", strict=False, coerce=False)


def _validate(dataset: Dataset, frame: pd.DataFrame, file: str,
              headers: Mapping[str, str]) -> None:
    try:
        _schema(dataset).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return
    unique = cases["check"] == "multiple_fields_uniqueness"
    if unique.any():
        raise _duplicate_key(dataset, frame, file)
    checks = ", ".join(cases["check"].astype(str).unique())
    cases = cases.dropna(subset=["index"]).sort_values("index", kind="stable")
    if cases.empty:  # a whole-column failure; the conversions above should prevent it
        raise DataError(f"the data do not match the declaration of {dataset.name}", file=file,
                        expected=checks)
    first = cases.iloc[0]
    col = dataset.column(str(first["column"]))
    same = cases[cases["column"] == first["column"]]
    bad = frame.index.isin(same["index"].astype("int64"))
    reason = "value not allowed"
    if str(first["check"]).startswith("str_matches"):
        reason = "value has the wrong form"
    elif col.minimum is not None or col.maximum is not None:
        reason = "value out of range"
    raise _first_bad(frame[col.name], bad, file=file, column=headers[col.name], reason=reason,
                     expected=col.expected(), phi=col.phi)


def _duplicate_key(dataset: Dataset, frame: pd.DataFrame, file: str) -> DataError:
    key = list(dataset.key)
    dup = frame[frame.duplicated(subset=key, keep=False)]
    first_value = tuple(dup.iloc[0][key])
    rows = [int(r) for r, v in zip(dup.index, dup[key].itertuples(index=False), strict=True)
            if tuple(v) == first_value]
    shown = ", ".join(f"{k}={_cell_text(v)}" for k, v in zip(key, first_value, strict=True))
    groups = dup.groupby(key, sort=False, dropna=False).ngroups
    more = f"; {groups - 1} other key value(s) repeat too" if groups > 1 else ""
    return DataError(
        f"duplicate key {shown} in rows " + " and ".join(map(str, rows)) + more,
        file=file, row=rows[1], column=", ".join(key),
        value=shown if len(key) > 1 else _cell_text(first_value[0]),
        expected=f"each {' + '.join(key)} once",
        fix="delete the repeated row, or correct its key",
    )


# --------------------------------------------------------------------------------------------
# The loader


def load(
    name: str,
    source: str | os.PathLike[str] | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a dataset, check it against its declaration, and return it typed.

    Parameters
    ----------
    name
        A registered dataset (``"providers"``, ``"staff"``, ``"payers"``, ``"locations"`` …).
    source
        ``None`` for the bundled sample; a folder holding ``<stem>.csv``, ``.xlsx`` or
        ``.parquet``; or the file itself (``.csv``, ``.txt``, ``.xlsx``, ``.xlsm``,
        ``.parquet``).
    columns
        Renames an export's headers to ours before checking (``{"Prov NPI": "npi"}``); keys are
        matched ignoring case and surrounding spaces. Map money to the header without
        ``_cents`` for dollars (``{"Rate": "hourly_rate"}``), with it for whole cents.
    encoding
        The text encoding of a CSV/TXT file; by default UTF-8, falling back to Windows-1252.
    sheet
        The Excel sheet, by name or 0-based position; by default the first.

    Returns
    -------
    pandas.DataFrame
        Declared columns first, in declared order and typed (``str``; ``int64``; ``float64``;
        ``bool``; ``datetime64[ns]`` dates; ``int64`` ``*_cents``; ``category``; nullable
        columns with missing values use ``Int64``/``boolean``), then extra columns as read.
        ``attrs`` holds ``source``, ``rows_read``, ``encoding``, ``sheet``, ``dataset`` and
        ``headers``.

    Raises
    ------
    DataError
        For a missing, empty or unreadable file, missing columns, a value that does not convert
        or breaks a rule, or a duplicate key; it names file, row, column, value and the fix.
    """
    dataset = get(name)
    path = locate(name, source)
    assert path is not None  # locate raises unless missing_ok
    file = str(path)
    try:
        raw = _read(path, encoding, sheet)
    except OSError as exc:
        raise os_error(exc, path) from None
    cells, renamed_from = _apply_mapping(_clean_headers(raw, file), columns, file,
                                         raw.header_row)
    matched = _match_columns(dataset, cells, file, raw.header_row, columns)
    if len(cells) == 0 and not dataset.allow_empty:
        raise DataError("the file has a header but no data rows", file=file,
                        row=raw.header_row + 1,
                        expected=f"at least one {name} row",
                        fix="export the table again, including its rows")

    # Errors and attrs name each column by the header the user sees in the file.
    headers = {col: renamed_from.get(h, h) for col, (h, _) in matched.items()}
    typed: dict[str, pd.Series] = {}
    for col in dataset.columns:
        if col.name in matched:
            header, cents = matched[col.name]
            typed[col.name] = _typed_column(col, cells[header], cents, file, headers[col.name])
        else:
            typed[col.name] = pd.Series(None, index=cells.index, dtype=_NULLABLE_DTYPE[col.kind],
                                        name=col.name)
    extras = [h for h in cells.columns if h not in {h for h, _ in matched.values()}]
    frame = pd.concat([pd.DataFrame(typed, index=cells.index), cells[extras]], axis=1)

    _validate(dataset, frame, file, {c.name: headers.get(c.name, c.header)
                                     for c in dataset.columns})
    frame.attrs = {"source": file, "rows_read": len(frame), "encoding": raw.encoding,
                   "sheet": raw.sheet, "dataset": name, "headers": headers}
    if dataset.checks is not None:
        dataset.checks(frame)
    for col in dataset.columns:
        if col.kind == "category":
            frame[col.name] = pd.Categorical(frame[col.name], categories=list(col.allowed or ()))
        elif col.missing_as is not None:
            frame[col.name] = frame[col.name].fillna(col.missing_as)
    attrs = frame.attrs
    frame = frame.reset_index(drop=True)
    frame.attrs = attrs
    logger.debug("loaded %s: %d rows from %s", name, len(frame), file)
    return frame


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
    """

    dataset: str
    column: str
    target: str
    target_column: str

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
        known = list(target.unique())
        unknown = values[bad].astype("str")
        first = str(unknown.iloc[0])
        close = difflib.get_close_matches(first, known, n=1, cutoff=0.6)
        others = unknown.nunique() - 1
        target_file = Path(known_frame.attrs.get("source", self.target)).name
        hint = f"did you mean {close[0]!r}? If not, " if close else ""
        return rows_error(
            frame, bad, self.dataset, self.column,
            f"unknown {self.target_column}, not in {target_file}"
            + (f" ({others} other unknown value{'s' if others > 1 else ''} too)"
               if others else ""),
            f"a {self.target_column} listed in {target_file}",
            fix=f"{hint}correct the value, or add it to {target_file}",
        )




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
    frames
        The datasets that loaded, by name.
    """

    errors: list[PracopsError] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def _rules() -> tuple[list[Reference], list[Relation]]:
    len(DATASETS)  # fill the catalogue, which registers the rules
    return _REFERENCES, _RELATIONS


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
    for dataset in [d for d in DATASETS.values() if d.name in wanted]:
        try:
            path = locate(dataset.name, folder, missing_ok=dataset.optional or missing_ok)
            if path is not None:
                frames[dataset.name] = load(dataset.name, path)
        except DataError as exc:
            result.errors.append(exc)
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

    ``as_of`` must be on or after the earliest date of the report's datasets
    (:attr:`pracops.registry.ReportSpec.as_of`) and at most :data:`AS_OF_GRACE_DAYS` after
    the latest; an empty ``as_of`` (the report picks the last date) and a report without such
    datasets pass.
    """
    inputs = registry.spec(report)
    if not as_of or inputs is None or not inputs.as_of:
        return None
    try:
        when = pd.Timestamp(str(as_of))
    except ValueError:
        return ParameterError(f"{report}.as_of {as_of!r} is not a date; expected YYYY-MM-DD")
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
        f"{report}.as_of {when.date()} is {where} date in its data "
        f"({', '.join(inputs.as_of)}: {first.date()} to {last.date()}); give a date "
        f"from {first.date()} to {latest.date()}, or leave it empty for the last date found")


