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

import importlib
import warnings

from pracops.data.catalogue import DATASETS, get, register
from pracops.data.checked import load  # the loader's, or the frame a run checked already
from pracops.data.checks import (
    AS_OF_GRACE_DAYS,
    Reference,
    Relation,
    Validation,
    _rules,
    check_as_of,
    check_folder,
    check_references,
    date_span,
    register_rules,
)
from pracops.data.files import era_dir, input_files, locate, os_error
from pracops.data.loader import file_rows, require_columns, row_error, rows_error, rows_text
from pracops.data.schema import (
    ERA_FOLDER,
    FOLDER_SUFFIXES,
    KINDS,
    Column,
    Dataset,
    npi_check_digit,
    npi_is_valid,
)

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
    "AS_OF_GRACE_DAYS",
    "FOLDER_SUFFIXES",
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


_MOVED = {"VISIT_TYPES": "pracops.data.practice", "APPOINTMENT_STATUSES": "pracops.data.practice",
          "ACCOUNT_CATEGORIES": "pracops.budget.datasets",
          "COST_BEHAVIOURS": "pracops.budget.datasets",
          "check_volume_months": "pracops.budget.datasets",
          "check_fee_schedule_codes": "pracops.billing.datasets"}
"""Names of the flat ``pracops.data`` that moved to a report's package (or a room of this one):
they still resolve here, with a DeprecationWarning."""


def __getattr__(name: str) -> object:
    if name in ("REFERENCES", "RELATIONS"):
        references, relations = _rules()
        return tuple(references if name == "REFERENCES" else relations)
    if name in _MOVED:
        warnings.warn(f"pracops.data.{name} moved to {_MOVED[name]}.{name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(_MOVED[name]), name)
    if name in ("REPORT_INPUTS", "ReportInputs"):
        raise AttributeError(f"pracops.data.{name} is gone: a report's inputs are "
                             "pracops.registry.spec(name).reads")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
