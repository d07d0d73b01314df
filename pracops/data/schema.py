"""Declaring a dataset: its columns (:class:`Column`), key and row rules (:class:`Dataset`),
the kinds of value a column holds, and the NPI check digit that provider columns use."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pracops.money import format_cents

__all__ = [
    "Column", "Dataset", "ERA_FOLDER", "FOLDER_SUFFIXES", "KINDS", "npi_check_digit",
    "npi_is_valid",
]


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
_ISO_DATE = r"(?P<day>\d{4}-\d{2}-\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?"
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


def _range_text(col: Column) -> str:
    def show(x: float) -> str:
        return format_cents(int(x)) if col.kind == "money" else f"{x:g}"

    if col.minimum is not None and col.maximum is not None:
        return f"a value from {show(col.minimum)} to {show(col.maximum)}"
    if col.minimum is not None:
        return f"a value of at least {show(col.minimum)}"
    return f"a value of at most {show(col.maximum)}"  # type: ignore[arg-type]
