"""Text columns to typed columns, exactly: amounts to integer cents (never through ``float``),
other decimals to float, text to pandas' ``string``, CCYYMMDD to ``datetime64[ns]``; and rows
to the columns of a frame in its schema's order.

A column at a time, with pyarrow: an RE2 pattern checks the text and an exact ``decimal128``
cast converts it.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.errors import X12Error
from pracops.money import MAX_AMOUNT_CENTS
from pracops.x12.schema import (
    DATETIME,
    FIRST_DAY,
    FLOAT,
    INT,
    LAST_DAY,
    NULLABLE_INT,
    STRING,
)
from pracops.x12.segments import shown

if TYPE_CHECKING:
    from pracops.x12.run import Run

# An X12 decimal amount: optional '-', at most 11 digits of dollars, at most two decimals
# (a few trailing zeros beyond them are harmless). RE2 syntax: \d is ASCII only.
_AMOUNT_PATTERN = r"^-?(\d{1,11}(\.\d{0,2}0{0,4})?|\.\d{1,2}0{0,4})$"
AMOUNT_RULE = "digits with an optional leading '-' and at most two decimals, e.g. 1234.5"
_NUMBER_PATTERN = r"^-?(\d{1,15}(\.\d{0,6})?|\.\d{1,6})$"


def amounts_to_cents(texts: pa.Array | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Convert X12 amount text to integer cents, a column at a time, exactly.

    Returns the cents (0 where absent or invalid) and a mask of the invalid entries; ``None``
    is absent, not invalid.
    """
    arr = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string())
    ok = pc.match_substring_regex(arr, _AMOUNT_PATTERN)
    bad = pc.invert(ok.fill_null(True)).to_numpy(zero_copy_only=False)
    good = pc.if_else(ok, arr, pa.scalar(None, arr.type)) if bad.any() else arr
    # a decimal(18, 2) holds its value in cents as a 128-bit integer (two's complement, least
    # significant 64 bits first): with at most 11 digits of dollars, the first 64 bits are it
    decimals = pc.cast(good, pa.decimal128(18, 2))
    words = np.frombuffer(decimals.buffers()[1], dtype=np.int64)[2 * decimals.offset:]
    cents = words[:2 * len(decimals):2].copy()
    if decimals.null_count:
        cents[decimals.is_null().to_numpy(zero_copy_only=False)] = 0
    return cents, bad


def numbers_to_floats(texts: pa.Array | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Convert X12 decimals that are not money (units, quantities) to float; NaN when absent."""
    arr = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string())
    ok = pc.match_substring_regex(arr, _NUMBER_PATTERN)
    bad = pc.invert(ok.fill_null(True)).to_numpy(zero_copy_only=False)
    good = pc.if_else(ok, arr, pa.scalar(None, pa.string()))
    return pc.cast(good, pa.float64()).to_numpy(zero_copy_only=False), bad




def cents_or_none(texts: Sequence[str | None]) -> int | None:
    """Σ of amount texts in cents, or None when there are none or one is not an amount."""
    if not texts:
        return None
    cents, bad = amounts_to_cents(list(texts))
    return None if bad.any() else int(cents.sum())


def strings(values: pa.Array | Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    """Text column with pandas' string dtype; empty text becomes <NA>.

    Values taken from a frame (a balance error's claim id) may be ``pd.NA``: read as missing.
    """
    arr = (values if isinstance(values, pa.Array)
           else pa.array(values, type=pa.string(), from_pandas=True))
    arr = arr.cast(pa.large_string())  # what the string dtype holds: then pandas copies nothing
    empty = pc.equal(arr, "")
    if pc.any(empty).as_py():
        arr = pc.if_else(empty, pa.scalar(None, pa.large_string()), arr)
    return pd.array(arr, dtype=STRING)


def _nullable_ints(values: Sequence[Any]) -> pd.arrays.IntegerArray:
    arr = pa.array(values, type=pa.int64())
    return pd.arrays.IntegerArray(arr.fill_null(0).to_numpy(),
                                  arr.is_null().to_numpy(zero_copy_only=False))


_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_FIRST_DAY, _LAST_DAY = np.datetime64(FIRST_DAY, "D"), np.datetime64(LAST_DAY, "D")


def ccyymmdd(texts: pa.StringArray, shaped: np.ndarray) -> np.ndarray:
    """Dates written CCYYMMDD to datetime64[ns], a column at a time, with integer arithmetic:
    ``shaped`` says which texts are eight digits (the others are NaT); a date that does not
    exist (20230229) or that datetime64[ns] cannot hold (before :data:`FIRST_DAY`, after
    :data:`LAST_DAY`, such as an open end 99991231) is NaT: the caller says why, with
    :func:`pracops.x12.rows.date_problem`."""
    out = np.full(len(texts), np.datetime64("NaT"), dtype=DATETIME)
    at = np.flatnonzero(shaped)
    if not len(at):
        return out
    eight = texts.take(pa.array(at))  # eight ASCII digits each, end to end
    _, offsets, data = eight.buffers()
    first = int(np.frombuffer(offsets, dtype=np.int32)[eight.offset])
    digits = np.frombuffer(data, dtype=np.uint8)[first:first + 8 * len(at)].reshape(-1, 8)

    def number(columns: slice) -> np.ndarray:
        value = np.zeros(len(at), dtype=np.int64)
        for k in range(columns.start, columns.stop):
            value = value * 10 + (digits[:, k] - ord("0"))
        return value

    year, month, day = number(slice(0, 4)), number(slice(4, 6)), number(slice(6, 8))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[np.clip(month - 1, 0, 11)] + ((month == 2) & leap)
    days = (((year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1))
            .astype("datetime64[D]") + (day - 1))
    exists = (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    held = (days >= _FIRST_DAY) & (days <= _LAST_DAY)
    out[at[exists & held]] = days[exists & held]
    return out


def _dates(values: Sequence[str | None]) -> np.ndarray:
    """CCYYMMDD text (already checked) to datetime64[ns]; absent becomes NaT."""
    parsed = pd.to_datetime(pd.Series(values, dtype=object), format="%Y%m%d")
    return parsed.to_numpy(dtype=DATETIME)


def as_dtype(values: Sequence[Any], dtype: str) -> Any:
    """A column of plain values (not yet converted) with the dtype its schema gives it."""
    if dtype == INT:
        return np.array(values, dtype=np.int64)
    if dtype == NULLABLE_INT:
        return _nullable_ints(values)
    if dtype == FLOAT:
        return np.array(values, dtype=np.float64)
    if dtype == DATETIME:
        return _dates(values)
    return strings(values)


def rows_to_columns(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Rows (lists or tuples) to columns (tuples)."""
    if not rows:
        return {name: () for name in names}
    return dict(zip(names, zip(*rows, strict=True), strict=True))


def build_frame(schema: dict[str, str], columns: dict[str, Any], files: pa.Array
                ) -> pd.DataFrame:
    """Build a frame in schema order; converted columns (arrays) are taken as they are.

    ``files`` is the ``file`` column (the name of each row's file). The columns of the
    schema are taken out of ``columns``.
    """
    data = {}
    for column, dtype in schema.items():
        if column == "file":
            data[column] = pd.array(files, dtype=STRING)
        else:  # taken out of ``columns``: each is freed once converted
            values = columns.pop(column)
            converted = isinstance(values, (np.ndarray, pd.api.extensions.ExtensionArray))
            data[column] = values if converted else as_dtype(values, dtype)
    return pd.DataFrame(data, copy=False)  # the columns are new: no copy, no 2-D blocks



def small_frame(schema: dict[str, str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A small frame of rows (warnings, quarantined files, balance errors) with its dtypes."""
    columns = rows_to_columns(list(schema), rows)
    return pd.DataFrame({c: as_dtype(columns[c], dtype) for c, dtype in schema.items()})


class Converter:
    """Converts text columns, remembering the first bad value (in file order) of each file.

    ``numbers`` are the positions of the values in their run of files
    (:class:`~pracops.x12.run.Run`): they say which file a bad value is in.
    """

    def __init__(self, run: Run) -> None:
        self.run = run
        # file index in the run -> (position, segment id, message) of its first bad value
        self.bad: dict[int, tuple[int, str, str]] = {}

    def _bad(self, bad: np.ndarray, texts: Any, numbers: Any, what: str, rule: str) -> None:
        if not bad.any():
            return
        numbers = np.asarray(numbers, dtype=np.int64)
        where = np.flatnonzero(bad)
        files = self.run.file_of(numbers[where])
        for file in np.unique(files):
            mine = where[files == file]
            i = int(mine[np.argmin(numbers[mine])])
            if int(file) not in self.bad or numbers[i] < self.bad[int(file)][0]:
                text = texts[i].as_py() if isinstance(texts, pa.Array) else texts[i]
                self.bad[int(file)] = (int(numbers[i]), what[:3],
                                       f"{what} {shown(text, 'amount')} is not {rule}")

    def cents(self, texts: Any, numbers: Any, what: str) -> np.ndarray:
        cents, bad = amounts_to_cents(texts)
        self._bad(bad, texts, numbers, what, f"an amount; expected {AMOUNT_RULE}")
        # as in every input file: beyond a billion dollars is a slip, never a payment
        self._bad(np.abs(cents) > MAX_AMOUNT_CENTS, texts, numbers, what,
                  "an amount within ±$1,000,000,000")
        return cents

    def numbers(self, texts: Any, numbers: Any, what: str) -> np.ndarray:
        values, bad = numbers_to_floats(texts)
        self._bad(bad, texts, numbers, what, "a number")
        return values

    def errors(self) -> dict[int, X12Error]:
        """The first bad value of each file that has one, as the error it is."""
        out = {}
        for file, (position, tag, message) in self.bad.items():
            number = position - self.run.offsets[file]
            out[file] = X12Error(message, segment_number=number, segment_id=tag,
                                 file=self.run.names[file])
        return out

