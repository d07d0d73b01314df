"""Finding a dataset's file in a folder and reading its raw cells: CSV and text (with the
encoding and delimiter found), Excel, Parquet; the header row and its names."""

from __future__ import annotations

import difflib
import errno
import io
import math
import os
import re
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc
import pyarrow.csv

from pracops import config
from pracops.data.catalogue import DATASETS, get
from pracops.data.schema import (
    _DELIMITERS,
    _EXCEL_SUFFIXES,
    _HEADER_SEARCH_ROWS,
    _PARQUET_SUFFIXES,
    _TEXT_SUFFIXES,
    ERA_FOLDER,
    FOLDER_SUFFIXES,
    Column,
    Dataset,
)
from pracops.errors import DataError, os_problem

__all__ = ["era_dir", "input_files", "locate", "os_error"]


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
    with path.open("rb") as fh:
        first_line = fh.readline()
    cells, used = None, "utf-8"
    as_is = encoding is None and not first_line.startswith(tuple(bom for bom, _ in _BOMS))
    if as_is:
        # the usual export, UTF-8 without a byte-order mark: Arrow reads the file itself,
        # checking the UTF-8 as it goes (a NUL byte is refused below, as _decode refuses it)
        cells = _arrow_cells(pyarrow.OSFile(file), _delimiter(first_line), first_line,
                             quoted=True)
    if cells is None:
        text, used = _decode(path.read_bytes(), encoding, file)
        utf8 = text.encode("utf-8")
        first_line = utf8[: utf8.find(b"\n") + 1 or len(utf8)]
        sep = _delimiter(first_line)
        if not (as_is and used == "utf-8"):  # else Arrow has just refused these very bytes
            cells = _arrow_cells(pyarrow.BufferReader(utf8), sep, first_line,
                                 quoted=b'"' in utf8)
        if cells is None:
            cells = _pandas_cells(text, sep, file)
    header = cells.iloc[0].tolist()
    body = cells.iloc[1:].set_axis(header, axis=1)
    body.index = pd.RangeIndex(2, len(cells) + 1)
    return _Raw(body, encoding=used)


def _delimiter(first_line: bytes) -> str:
    """Whichever of comma, tab, semicolon or ``|`` the header line holds most of."""
    return max(_DELIMITERS, key=lambda d: first_line.count(d.encode()))


def _arrow_cells(source: pyarrow.NativeFile, sep: str, first_line: bytes, *,
                 quoted: bool) -> pd.DataFrame | None:
    """Every cell of UTF-8 CSV text as Arrow-backed ``str``, header row included, read by
    pyarrow's multithreaded parser; ``None`` when it cannot read the text the way
    :func:`_pandas_cells` would (a row with fewer or more cells than the header, a header
    with more cells than its first line shows, a blank first line) or the text is not
    UTF-8 without NUL bytes, so that the caller reads it that way.

    ``quoted``: the text may hold a quoted value (which may hold a line break). An empty
    line is a row of empty cells, as pandas makes it a row of missing ones: both are blank
    rows, dropped later with their row numbers kept.
    """
    try:
        with source:
            table = pyarrow.csv.read_csv(
                source,
                read_options=pyarrow.csv.ReadOptions(autogenerate_column_names=True),
                parse_options=pyarrow.csv.ParseOptions(
                    delimiter=sep, ignore_empty_lines=False, newlines_in_values=quoted),
                convert_options=pyarrow.csv.ConvertOptions(
                    column_types={f"f{i}": pyarrow.large_string()
                                  for i in range(first_line.count(sep.encode()) + 1)},
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pyarrow.ArrowInvalid:
        return None
    if (any(t != pyarrow.large_string() for t in table.schema.types)
            or not any(c[0].as_py().strip() for c in table.columns)  # blank first line
            or _holds_nul(table)):
        return None
    return pd.DataFrame({i: pd.Series(table.column(i), dtype="str")
                         for i in range(table.num_columns)})


def _holds_nul(table: pyarrow.Table) -> bool:
    """Whether a cell of a table of strings (without missing values) holds a NUL byte: its
    characters are searched where Arrow keeps them, between the first and last offsets."""
    for column in table.columns:
        for chunk in (c for c in column.chunks if len(c)):
            _, offsets, values = chunk.buffers()
            if values is None:  # only empty cells
                continue
            bounds = np.frombuffer(offsets, np.int64)[chunk.offset:chunk.offset + len(chunk) + 1]
            if len(bounds) and not np.frombuffer(values, np.uint8)[bounds[0]:bounds[-1]].all():
                return True
    return False


def _pandas_cells(text: str, sep: str, file: str) -> pd.DataFrame:
    """Every cell of CSV text as ``str`` (header row included) by pandas' parser, which pads
    a short row with missing cells and names the line of a row with too many."""
    try:
        return pd.read_csv(io.StringIO(text), header=None, dtype=str, keep_default_na=False,
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


def _read_excel(path: Path, sheet: str | int | None) -> _Raw:
    import openpyxl  # only when a workbook is read: its import costs a report's kernel time
    from openpyxl.utils.exceptions import InvalidFileException

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
    filled_rows = np.zeros(len(frame), dtype=bool)
    for i in range(frame.shape[1]):  # the first cells of most rows show they are not blank
        filled_rows |= _present_mask(frame.iloc[:, i])
        if filled_rows.all():
            break
    else:
        frame = frame[filled_rows]
    headers = [str(h).strip() for h in frame.columns]
    for i, h in enumerate(headers):
        present = _present_mask(frame.iloc[:, i]) if not h else None
        if present is not None and present.any():
            row = int(frame.index[present][0])
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


def _present(value: object) -> bool:
    """A cell that holds something (not None/NaN/NA and not blank text)."""
    if isinstance(value, str):
        return bool(value.strip())
    return not (value is None or value is pd.NA or value is pd.NaT
                or (isinstance(value, float) and math.isnan(value)))


def _present_mask(values: pd.Series) -> np.ndarray:
    """Vectorised :func:`_present` for one column."""
    if isinstance(values.dtype, pd.StringDtype):  # in Arrow: no copy of the text
        text = pyarrow.array(values)
        blank = pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
        return pc.invert(pc.fill_null(blank, True)).to_numpy(zero_copy_only=False)
    if values.dtype == object:
        return np.fromiter((_present(v) for v in values), dtype=bool, count=len(values))
    return values.notna().to_numpy(dtype=bool)
