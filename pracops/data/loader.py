"""The loader: raw cells converted to typed columns (exact cents, dates, categories), checked
against the declaration (patterns, allowed values, bounds, the key) and the dataset's rules,
each fault one :class:`~pracops.errors.DataError` naming the file, row, column, value and the
fix.

Text columns are Arrow strings and are tested column by column with :mod:`pyarrow.compute`;
where a value must be looked at in Python (a category's spelling, a yes/no word), it is looked
at once per distinct value, never once per cell."""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops import config
from pracops.data.catalogue import DATASETS, get
from pracops.data.files import (
    _apply_mapping,
    _clean_headers,
    _match_columns,
    _present,
    _present_mask,
    _read,
    locate,
    os_error,
)
from pracops.data.schema import (
    _CENTS_RANGE,
    _DATE_RANGE,
    _EXPECTED_KIND,
    _FALSE,
    _INT,
    _INT_LIMIT,
    _ISO_DATE,
    _TRUE,
    _US_DATE,
    Column,
    Dataset,
)
from pracops.errors import DataError
from pracops.money import AMOUNT_TOO_LARGE, MAX_AMOUNT_CENTS, format_cents, to_cents_series

__all__ = ["file_rows", "load", "require_columns", "row_error", "rows_error", "rows_text"]


logger = logging.getLogger(__name__)
_T = TypeVar("_T")


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
        return _trimmed(values)
    return pd.Series([_cell_text(v) for v in values], index=values.index, dtype="str")


def _trimmed(text: pd.Series) -> pd.Series:
    """Text without its surrounding spaces: ``text`` itself when no cell has any (the usual
    export), so that the typed column keeps the buffers of the file's cells instead of a copy
    of them (at a 50-provider group's year, hundreds of MB while the journal loads)."""
    values = pa.array(text)
    trimmed = pc.utf8_trim_whitespace(values)
    if pc.all(pc.equal(pc.binary_length(trimmed), pc.binary_length(values))).as_py() is not False:
        return text
    return pd.Series(trimmed, index=text.index, dtype="str", name=text.name)


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
                      expected=expected, fix=fix, phi=_is_phi(frame, column),
                      show=lambda value: _as_read(column, value))


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
               reason: str, expected: str, fix: str | None = None,
               first_named: bool = False) -> DataError:
    """The error naming every row of a table where ``bad`` holds, and the first bad value.

    For checks in the report modules on frames as loaded (see :func:`row_error` for
    :attr:`Dataset.checks` hooks): names the file (``attrs["source"]``, else ``dataset``),
    the rows (:func:`file_rows`), the header as the user wrote it and what was expected.
    With ``first_named`` the reason lists only the rows after the first ("; also rows 9,
    12"), as the message's place already names the first.
    """
    mask = np.asarray(bad, dtype=bool)
    rows = file_rows(frame, mask)
    value = (_as_read(column, frame[column].iloc[int(np.flatnonzero(mask)[0])])
             if column in frame.columns else None)
    if _is_phi(frame, column):
        value, reason = None, reason + _PHI_WITHHELD
    headers = frame.attrs.get("headers", {})
    listed = rows[1:] if first_named else rows
    prefix = "; also row" if first_named else ": row"
    text = (f"{reason}{prefix}{'s' if len(listed) > 1 else ''} {rows_text(listed)}"
            if len(listed) else reason)
    return DataError(text,
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


def _as_read(column: str, value: object) -> object:
    """A typed value of a loaded frame as the user reads it in an error: an amount in dollars,
    not our cents (a date's midnight is left out by :class:`DataError` itself)."""
    if column.endswith("_cents") and isinstance(value, int | np.integer):
        return format_cents(int(value))
    return value


def _is_phi(frame: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` of a loaded frame is declared patient data."""
    dataset = DATASETS.get(frame.attrs.get("dataset", ""))
    return any(c.name == column and c.phi for c in dataset.columns) if dataset else False


def _first_bad(values: pd.Series, bad: np.ndarray, *, file: str | None, column: str,
               reason: str, expected: str, fix: str | None = None,
               phi: bool = False, show: Callable[[object], object] = lambda v: v) -> DataError:
    positions = np.flatnonzero(bad)
    first = int(positions[0])
    others = len(positions) - 1
    if others:
        reason += f" ({others} other row{'s' if others > 1 else ''} of this column too)"
    value = values.iloc[first]
    if phi:
        reason += _PHI_WITHHELD
    return DataError(reason, file=file, row=int(values.index[first]), column=column,
                     value=None if phi else show(value) if _present(value) else "",
                     expected=expected, fix=fix or "correct the value in the export")


def _convert(col: Column, values: pd.Series, text: pd.Series | None, cents: bool, file: str,
             header: str) -> pd.Series:
    """Convert present (non-missing) cells of one column; raise at the first bad one.

    ``text`` is ``values`` trimmed when they are text (``None``: trimmed here if needed);
    errors quote ``values``.
    """

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

    if text is None:
        text = _texts(values)
    if kind in ("str", "category"):
        if kind == "category":
            canonical = {a.casefold(): a for a in col.allowed or ()}
            distinct = pc.unique(pa.array(text)).to_pylist()
            if any(canonical.get(v.casefold(), v) != v for v in distinct):
                spelled = _per_value(text, lambda v: canonical.get(v.casefold(), v),
                                     pa.large_string())
                text = pd.Series(spelled, index=text.index, dtype="str", name=text.name)
        return text.astype("str")
    if kind == "int":
        bad = ~text.str.fullmatch(_INT).to_numpy(dtype=bool)
        if bad.any():
            raise fail(bad, "not a whole number")
        try:  # Arrow's cast: a million numbers in 0.06 s instead of 0.5 s
            result = pd.Series(pc.cast(pa.array(text), pa.int64()).to_numpy(),
                               index=text.index, name=text.name)
        except pa.ArrowInvalid:  # a sign '+', which Arrow does not read
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
        answer = _per_value(text, lambda v: True if v.casefold() in _TRUE
                            else False if v.casefold() in _FALSE else None, pa.bool_())
        bad = answer.is_null().to_numpy(zero_copy_only=False)
        if bad.any():
            raise fail(bad, "not a yes/no value")
        return pd.Series(answer.to_numpy(zero_copy_only=False), index=text.index,
                         name=text.name, dtype="bool")
    return _dates(text, fail)


def _per_value(text: pd.Series, fn: Callable[[str], object], answer_type: pa.DataType
               ) -> pa.Array:
    """``fn`` of every value of a text column without missing values, called once per
    distinct value and spread back over the rows by Arrow."""
    values = pa.array(text)
    distinct = pc.unique(values)
    answers = pa.array([fn(v) for v in distinct.to_pylist()], type=answer_type)
    return pc.take(answers, pc.index_in(values, value_set=distinct))


_FIRST_DAY = pa.scalar(config.FIRST_DATE, pa.date32())
_LAST_DAY = pa.scalar(config.LAST_DATE, pa.date32())


def _dates(text: pd.Series, fail: Callable[..., DataError]) -> pd.Series:
    """Dates from their text: a column that is all ``YYYY-MM-DD`` within 1900–2100 is parsed
    by Arrow in one cast (which refuses any other form and any day the calendar lacks);
    another (US dates, midnight times, a bad or out-of-range value) by the rules of the
    module docstring, which also name the first bad row."""
    values = pa.array(text)
    try:
        days = pc.cast(values, pa.date32())
    except pa.ArrowInvalid:
        days = None
    if days is not None:
        bounds = pc.min_max(days)
        if (len(days) == 0 or (pc.greater_equal(bounds["min"], _FIRST_DAY).as_py()
                               and pc.less_equal(bounds["max"], _LAST_DAY).as_py())):
            return pd.Series(pc.cast(days, pa.timestamp("ns")).to_numpy(zero_copy_only=False),
                             index=text.index, name=text.name, dtype="datetime64[ns]")
    iso = pc.struct_field(pc.extract_regex(values, f"^{_ISO_DATE}$"), "day")
    parsed = pd.to_datetime(pd.Series(iso, index=text.index, dtype="str"), format="%Y-%m-%d",
                            errors="coerce")
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
    # text is trimmed once: presence and conversion look at it, errors quote the cell as read
    text = _trimmed(raw) if isinstance(raw.dtype, pd.StringDtype) else None
    present = _present_mask(raw) if text is None else pc.fill_null(
        pc.greater(pc.binary_length(pa.array(text)), 0), False).to_numpy(zero_copy_only=False)
    if present.all():
        converted = _convert(col, raw, text, cents, file, header)
    elif not col.nullable:
        raise _first_bad(raw, ~present, file=file, column=header, reason="value is missing",
                         expected=col.expected(), fix="fill in the value in the export")
    elif text is not None and col.kind in ("str", "category"):
        # blank cells become missing where they stand: no assignment through a mask, which
        # takes 0.1 s on a million rows of Arrow strings
        spelled = pa.array(_convert(col, raw, text, cents, file, header))
        return pd.Series(pc.if_else(pa.array(present), spelled, pa.scalar(None, spelled.type)),
                         index=raw.index, dtype="str", name=col.name)
    else:
        converted = _convert(col, raw[present], None if text is None else text[present],
                             cents, file, header)
    if not col.nullable or present.all():
        # a nullable column with every cell present: its nullable dtype without copying the
        # values into an empty column through a mask (0.2 s for 3 M strings)
        dtype = _FULL_DTYPE[col.kind] if not col.nullable else _NULLABLE_DTYPE[col.kind]
        return converted.astype(dtype).rename(col.name)
    full = pd.Series(pd.NA if col.kind in ("int", "money", "bool") else None,
                     index=raw.index, dtype=_NULLABLE_DTYPE[col.kind], name=col.name)
    full[present] = converted.array  # by position: the present rows, in order
    return full


# --------------------------------------------------------------------------------------------
# The declaration's rules, each checked once on the typed frame


def _breaks(col: Column, values: pd.Series) -> tuple[np.ndarray, str] | None:
    """The rows of a typed column that break its declared rule (allowed values, bounds or
    pattern; missing values break none), and the reason; ``None`` for a column without one."""
    if col.allowed is not None:
        found = pc.is_in(pa.array(values), value_set=pa.array(col.allowed, pa.large_string()))
        bad = pc.fill_null(pc.invert(found), False).to_numpy(zero_copy_only=False)
        return bad & values.notna().to_numpy(), "value not allowed"  # is_in: null -> False
    if col.pattern is not None:
        matches = pc.match_substring_regex(pa.array(values), f"^(?:{col.pattern})$")
        return pc.invert(pc.fill_null(matches, True)).to_numpy(zero_copy_only=False), \
            "value has the wrong form"
    if col.minimum is None and col.maximum is None:
        return None
    bad = np.zeros(len(values), dtype=bool)
    if col.minimum is not None:
        bad |= (values < col.minimum).to_numpy(dtype=bool, na_value=False)
    if col.maximum is not None:
        bad |= (values > col.maximum).to_numpy(dtype=bool, na_value=False)
    return bad, "value out of range"


def _categorical(values: pd.Series, allowed: Sequence[str]) -> pd.Categorical:
    """A category column of values checked against ``allowed`` (:func:`_breaks`) as a
    categorical of those categories, its codes found by Arrow (missing values: code -1)."""
    codes = pc.fill_null(pc.index_in(pa.array(values), value_set=pa.array(allowed, pa.string())),
                         -1)
    return pd.Categorical.from_codes(codes.to_numpy(zero_copy_only=False),
                                     categories=list(allowed))


def _repeats(frame: pd.DataFrame, key: Sequence[str]) -> bool:
    """Whether two rows share a key (missing values count as equal, as in ``duplicated``)."""
    if len(key) == 1 and isinstance(frame[key[0]].dtype, pd.StringDtype):
        values = pa.array(frame[key[0]])
        if values.null_count == 0 and len(values) > 1 and pc.all(
                pc.less(values.slice(0, len(values) - 1), values.slice(1))).as_py():
            return False  # strictly increasing (an export sorted by its key): all distinct
        return pc.count_distinct(values, mode="all").as_py() < len(values)
    return bool(frame.duplicated(subset=list(key)).any())


_PARALLEL_ROWS = 100_000
"""From this many rows the columns are converted and checked on every core (Arrow's compute
functions release the GIL); below it, threads would cost more than they save."""


def _each(work: Callable[[Column], _T], columns: Sequence[Column],
          rows: int) -> list[Callable[[], _T]]:
    """``work`` done for every column, on every core for a large table; each outcome is
    fetched by calling it (which raises the column's error, if it had one)."""
    if rows < _PARALLEL_ROWS or len(columns) < 2:
        return [functools.partial(work, col) for col in columns]
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, len(columns))) as pool:
        futures = [pool.submit(work, col) for col in columns]
        concurrent.futures.wait(futures)
    return [future.result for future in futures]


def _check_rules(dataset: Dataset, frame: pd.DataFrame,
                 breaks: Mapping[str, tuple[np.ndarray, str] | None], file: str,
                 headers: Mapping[str, str]) -> None:
    """Refuse a repeated key first, else the earliest row (then the first column) that
    breaks a declared rule (``breaks``, by :func:`_breaks`), naming every bad row of that
    column."""
    if dataset.key and _repeats(frame, dataset.key):
        raise _duplicate_key(dataset, frame, file)
    first: tuple[int, Column, np.ndarray, str] | None = None
    for col in dataset.columns:
        broken = breaks[col.name]
        if broken is not None and broken[0].any():
            position = int(np.argmax(broken[0]))
            if first is None or position < first[0]:
                first = (position, col, *broken)
    if first is not None:
        _, col, bad, reason = first
        raise _first_bad(frame[col.name], bad, file=file, column=headers[col.name],
                         reason=reason, expected=col.expected(), phi=col.phi)


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

    def column(col: Column) -> tuple[pd.Series, tuple[np.ndarray, str] | None]:
        if col.name in matched:
            header, cents = matched[col.name]
            typed = _typed_column(col, cells[header], cents, file, headers[col.name])
        else:
            typed = pd.Series(None, index=cells.index, dtype=_NULLABLE_DTYPE[col.kind],
                              name=col.name)
        return typed, _breaks(col, typed)

    # The first column (in declared order) that does not convert is the error, as if the
    # columns were done one after the other.
    done = [outcome() for outcome in _each(column, dataset.columns, len(cells))]
    typed = {col.name: series for col, (series, _) in zip(dataset.columns, done, strict=True)}
    extras = [h for h in cells.columns if h not in {h for h, _ in matched.values()}]
    frame = pd.DataFrame(typed, index=cells.index)
    if extras:
        frame = pd.concat([frame, cells[extras]], axis=1)

    _check_rules(dataset, frame, {c.name: broken for c, (_, broken)
                                  in zip(dataset.columns, done, strict=True)},
                 file, {c.name: headers.get(c.name, c.header) for c in dataset.columns})
    frame.attrs = {"source": file, "rows_read": len(frame), "encoding": raw.encoding,
                   "sheet": raw.sheet, "dataset": name, "headers": headers}
    if dataset.checks is not None:
        dataset.checks(frame)
    for col in dataset.columns:
        if col.kind == "category":
            frame[col.name] = _categorical(frame[col.name], col.allowed or ())
        elif col.missing_as is not None:
            frame[col.name] = frame[col.name].fillna(col.missing_as)
    attrs = frame.attrs
    frame = frame.reset_index(drop=True)
    frame.attrs = attrs
    logger.debug("loaded %s: %d rows from %s", name, len(frame), file)
    return frame
