"""Read X12 835 remittance advice files (ERAs) into DataFrames in exact integer cents.

This module owns the 835 reader: finding the delimiters, splitting the segments, walking the
envelopes (ISA/GS/ST … SE/GE/IEA) and the loops of a remittance (header and parties, claim
``CLP`` with its ``MIA``/``MOA`` adjudication, service line ``SVC``, provider adjustments
``PLB``), and checking the four balancing rules of the 835 guide. It reads; it never fixes.
It is lenient on the envelope and strict on the money:

* **Envelope faults** (a trailer count or control number that disagrees — SE01, SE02, GE01,
  GE02, IEA01, IEA02 —, a trailer missing at the end of the file or before the next header,
  IEA before GE, an ISA that is not 106 characters) are listed in :attr:`Remittance.warnings`
  and reading goes on: the envelope carries no money.
* **Input that can be read leniently** (no ISA envelope, a payment date one element early, a
  service composite written with the wrong separator, an impossible date, an unknown segment)
  is read, and each liberty taken is listed in :attr:`Remittance.warnings` too.
* **A file that cannot be read** (not X12, unreadable, undecodable, truncated inside a
  segment, a segment outside a transaction, an amount that is not a number) or **whose
  transaction does not balance** (``BPR02 ≠ Σ CLP04 − Σ PLB``) is *quarantined*: none of its
  rows enter the frames and :attr:`Remittance.quarantined` names it, why, and the money its
  BPR02 carries when it can be read.
* **Claims and lines that do not balance** are read as they stand and every violation is
  listed in :attr:`Remittance.balance_errors`; they do not quarantine their file (see
  :func:`read_835` for why):

  - line: ``SVC02 − Σ line CAS = SVC03``
  - claim: ``CLP03 − Σ (claim CAS + line CAS) = CLP04``
  - claim against its lines (a claim with SVC lines): ``Σ SVC03 − Σ claim CAS = CLP04``
  - transaction: ``Σ CLP04 − Σ PLB = BPR02`` (a positive PLB amount reduces the payment)

With ``strict=True`` every fault of form, envelope included, raises
:class:`~pracops.errors.X12Error` instead, and nothing is quarantined (balance errors are
listed, as above).

No message quotes a segment: errors and warnings give the file, the segment's position, its id
and the element, and quote a value only where it helps and cannot identify a patient (an
amount that is not a number, a trailer count, a control number, a delimiter).
Patient names and member ids are read into the columns listed in :data:`PATIENT_COLUMNS`, so a
report can drop them before anything is shown.

Where each part lives — read in this order, each module has one job:

* ``read.py`` (here): the public API — :func:`read_835`, :func:`parse_835`,
  :class:`Remittance`, :data:`PATIENT_COLUMNS` — listing the files and putting the result
  together.
* ``batch.py``: the files of one call, read one after the other or quarantined; rows of
  consecutive files gathered in a run (``run.py``) and turned into frames together.
* ``segments.py``: bytes to text to segments — decoding, delimiters, splitting.
* ``columnar.py``: a well-formed file's bytes to its rows a column at a time (the fast path).
* ``walk.py``: the one loop over a file's segments (claims and lines inline), handing the
  envelope to ``envelope.py`` and the payment's header and summary to ``payment.py``; what
  it collects is a ``rows.FileRows``.
* ``frames.py``: a run's rows to typed frames (``convert.py`` for text to cents, floats,
  strings and dates; ``details.py`` for the detail segments), quarantining files with a bad
  amount or an unbalanced transaction.
* ``balance.py``: the balancing rules; ``schema.py``: every frame's columns and dtypes;
  ``parallel.py``: reading on every core.

How it is fast (see ``bench/bench_x12.py``): a well-formed file of 128 KB or more is read a
column at a time (``columnar.py``): split into segments and elements with pyarrow, its loop
hierarchy worked out with cumulative positions over the column of segment ids, only its
envelope, header and summary segments walked one by one by the handlers below; anything the
walk would read with a liberty or refuse falls back to the walk, which alone words warnings and
errors. The walk (small files, and the fallback): the text is split once; one loop walks the
segments, reading CLP and SVC inline into plain lists and merely noting the segment numbers of
the frequent detail segments (CAS, DTM, REF, AMT, NM1, MIA, MOA), which are then split and
placed on their claim or line a column at a time with pyarrow; amounts are validated and
converted a column at a time too (an RE2 pattern and an exact ``decimal128`` cast, never
``float``); the balancing rules are computed on the finished frames. Building the frames has a
fixed cost (~20 ms), so the rows of consecutive files accumulate and are converted together,
once per run of about a million segments (``batch.Batch``): a folder of 250 small files costs
it once, not 250 times. The cyclic garbage collector is paused during a call (it would
otherwise rescan the many live row lists for nothing). A large folder is read on every core
(``read_835(jobs=...)``): contiguous chunks of files are read at the same time in worker
processes and their frames put together in file order, keys renumbered. A caller that needs a
few columns of a large folder reads it a chunk of files at a time, each chunk cut before the
next is read (``read_835(columns=...)``), and can have that done in a worker while it does
other work (:func:`read_835_beside`). The workers are bound to the calling process
(:func:`pracops.processes.die_with_parent`): killed, even by SIGKILL, it leaves none behind.
"""

from __future__ import annotations

import functools
import glob
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pracops.errors import X12Error
from pracops.processes import Forked
from pracops.x12.balance import balance_errors, sum_by
from pracops.x12.batch import Batch, gc_paused, read_files
from pracops.x12.convert import small_frame
from pracops.x12.parallel import read_parallel, split_in_chunks
from pracops.x12.schema import (
    ADJUSTMENT_COLUMNS,
    CLAIM_COLUMNS,
    KEY_COLUMNS,
    LINE_COLUMNS,
    PATIENT_COLUMNS,
    PAYMENT_COLUMNS,
    PLB_COLUMNS,
    QUARANTINE_COLUMNS,
    SUPPLEMENTAL_COLUMNS,
    WARNING_COLUMNS,
    QuarantineRow,
    Sequences,
    WarningRow,
)

__all__ = ["PATIENT_COLUMNS", "Remittance", "parse_835", "read_835", "read_835_beside"]


@dataclass
class Remittance:
    """The content of one or more 835 files, as DataFrames in exact integer cents.

    Every frame has all its columns with fixed dtypes even when empty. Money columns end in
    ``_cents`` (``int64``; ``allowed_cents`` is nullable ``Int64``); text columns use pandas'
    ``string`` dtype, with ``<NA>`` for an element that is absent or empty; dates are
    ``datetime64[ns]`` (``NaT`` when absent or impossible); ``segment_number`` says where a
    row's segment stands in its file.

    Keys: ``payment_seq`` numbers the transactions (ST … SE), ``claim_seq`` the claims and
    ``line_seq`` the service lines, each 1, 2, 3 … across all files of this Remittance, in file
    order; ``file`` and ``st_control`` say where a row came from.

    Attributes
    ----------
    payments
        One row per transaction: BPR (handling code, ``total_paid_cents``, credit/debit flag,
        method, format, date), TRN trace number and payer id, payer (N1*PR with its REF*2U) and
        payee (N1*PE: name, id, NPI, TIN), the envelope control numbers and ``claim_count``.
    claims
        One row per CLP: ``claim_id``, ``status`` and ``status_meaning``, charge, paid and
        patient responsibility cents, filing indicator, payer claim number, facility code,
        frequency, the patient (see :data:`PATIENT_COLUMNS`), rendering provider (NM1*82),
        DTM*232/233/050 dates, ``remark_codes`` (``;``-joined remark codes of its MIA05,
        MIA20-23 and MOA03-07, in order) and ``line_count``.
    service_lines
        One row per SVC: procedure qualifier, code and ``;``-joined modifiers, charge, paid,
        revenue code, units (1 when absent), original procedure, DTM*472/150/151 dates,
        ``allowed_cents`` (AMT*B6), line control number (REF*6R) and ``;``-joined LQ remark codes.
    adjustments
        One row per CAS (reason, amount, quantity) triplet; ``level`` is ``'claim'`` or
        ``'line'`` (then ``line_seq`` and ``line_number`` are set).
    provider_adjustments
        One row per PLB (reason, amount) pair, with ``reference_id`` from ``PLB03-2``.
    supplemental_amounts
        Money a claim or line carries besides CLP, SVC and CAS, which the balancing rules do
        not use: one row per amount of MIA and MOA (``element`` ``'MIA04'`` …, with its
        ``description``) and of AMT other than a line's B6 (``qualifier`` is AMT01);
        ``level`` ``'claim'`` or ``'line'``.
    balance_errors
        One row per violated balancing rule (``rule`` is ``'line'``, ``'claim'``,
        ``'claim_lines'`` (Σ SVC03 − Σ claim-level CAS ≠ CLP04) or ``'transaction'``),
        with ``difference_cents = actual_cents − expected_cents``.
    warnings
        What was read leniently, in file order: ``file``, ``segment_number`` (``Int64``;
        ``<NA>`` for the file as a whole), ``segment_id`` (``'SE'``; never the segment's
        elements) and ``message``.
    quarantined
        The files left out, in file order: ``file``, ``reason``, ``segment_number`` (``Int64``,
        where the fault is, when it is at a segment) and ``paid_cents`` (``Int64``: Σ BPR02 of
        the file's transactions when every one read can be read, else ``<NA>``). Empty with
        ``strict=True``, which raises instead.
    files
        The files whose rows are in the frames, in order.
    """

    payments: pd.DataFrame
    claims: pd.DataFrame
    service_lines: pd.DataFrame
    adjustments: pd.DataFrame
    provider_adjustments: pd.DataFrame
    supplemental_amounts: pd.DataFrame
    balance_errors: pd.DataFrame
    warnings: pd.DataFrame
    quarantined: pd.DataFrame
    files: list[str] = field(default_factory=list)

    def only(self, columns: Mapping[str, Sequence[str]]) -> Remittance:
        """A copy with only ``columns`` of the frames they name (``{"claims": ["claim_id",
        "paid_cents"]}``, in that order); a frame not named is kept empty, with all its
        columns. ``balance_errors``, ``warnings``, ``quarantined`` and ``files`` are kept whole.
        Copies, not views: a view of a few columns keeps the frame's whole blocks alive.
        A frame or a column a Remittance does not have raises ValueError."""
        _check_columns(columns)
        return replace(self, **{
            name: (getattr(self, name)[list(columns[name])].copy(deep=True) if name in columns
                   else _empty(getattr(self, name)))
            for name in FRAMES})


def _empty(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without rows, its columns new: a slice of no rows of an Arrow column keeps
    the column's whole buffers alive (at a 50-provider group's year, 150 MB of service lines
    held by empty frames)."""
    return pd.DataFrame({column: pd.Series([], dtype=frame[column].dtype)
                         for column in frame.columns}, index=pd.RangeIndex(0))


_FRAME_COLUMNS = {"payments": PAYMENT_COLUMNS, "claims": CLAIM_COLUMNS,
                  "service_lines": LINE_COLUMNS, "adjustments": ADJUSTMENT_COLUMNS,
                  "provider_adjustments": PLB_COLUMNS,
                  "supplemental_amounts": SUPPLEMENTAL_COLUMNS}
FRAMES = tuple(_FRAME_COLUMNS)
"""The frames of a :class:`Remittance` that :meth:`Remittance.only` cuts."""


def _check_columns(columns: Mapping[str, Sequence[str]]) -> None:
    """Refuse a frame or a column a :class:`Remittance` does not have (before any reading).

    Raises
    ------
    ValueError
        Naming the first unknown frame, or a frame's unknown columns.
    """
    for name, wanted in columns.items():
        if name not in _FRAME_COLUMNS:
            raise ValueError(f"no such frame of a Remittance: {name}")
        unknown = [column for column in wanted if column not in _FRAME_COLUMNS[name]]
        if unknown:
            raise ValueError(f"no such column of a Remittance's {name}: {', '.join(unknown)}")


def _assemble(frames: dict[str, pd.DataFrame], warnings: list[WarningRow], files: list[str],
              quarantined: list[QuarantineRow]) -> Remittance:
    """The Remittance of what was read: ``claim_count`` and the balancing rules added."""
    payments, claims = frames["payments"], frames["claims"]
    payments["claim_count"] = sum_by(pd.Series(np.ones(len(claims), dtype=np.int64)),
                                     claims["payment_seq"], payments["payment_seq"])
    balance = balance_errors(payments, claims, frames["service_lines"],
                             frames["adjustments"], frames["provider_adjustments"])
    return Remittance(**frames, balance_errors=balance,
                      warnings=small_frame(WARNING_COLUMNS, warnings),
                      quarantined=small_frame(QUARANTINE_COLUMNS, quarantined), files=files)


def _read_only(paths: list[tuple[Path, bool]], strict: bool,
               columns: Mapping[str, Sequence[str]]) -> Remittance:
    """:func:`read_835` with ``columns``: a chunk of files after another, each read in full,
    cut to ``columns`` and their keys, its keys renumbered after the chunks before it, then
    cut to ``columns``; the chunks put together a frame at a time (no copy of the whole)."""
    keyed = {name: list(dict.fromkeys([*KEY_COLUMNS.get(name, ()), *wanted]))
             for name, wanted in columns.items()}
    parts: list[Remittance] = []
    start = Sequences()
    for chunk in _chunks_of(paths, _ONLY_BYTES):
        whole = _assemble(*read_files(chunk, strict))
        part = replace(whole.only(keyed), balance_errors=whole.balance_errors.copy())
        for name in (*FRAMES, "balance_errors"):
            frame = getattr(part, name)
            for column, counter in _KEYS.get(name, KEY_COLUMNS.get(name, {})).items():
                frame[column] += getattr(start, counter)
        start = Sequences(start.payments + len(whole.payments),
                          start.claims + len(whole.claims),
                          start.lines + len(whole.service_lines))
        parts.append(part.only(columns))
        del whole, part
    files = [f for p in parts for f in p.files]
    names = (*FRAMES, "balance_errors", "warnings", "quarantined")
    pieces = {name: [getattr(p, name) for p in parts] for name in names}
    del parts
    return Remittance(**{name: pd.concat(pieces.pop(name), ignore_index=True)
                         for name in names}, files=files)


# The keys of the balance errors, renumbered with the frames' (KEY_COLUMNS)
_KEYS = {"balance_errors": {"payment_seq": "payments", "claim_seq": "claims"}}


def _chunks_of(paths: list[tuple[Path, bool]], size: int) -> list[list[tuple[Path, bool]]]:
    """``paths`` in consecutive chunks, each closed once it holds ``size`` bytes or more."""
    chunks: list[list[tuple[Path, bool]]] = [[]]
    held = 0
    for item in paths:
        if held >= size:
            chunks.append([])
            held = 0
        chunks[-1].append(item)
        held += _size(item[0])
    return chunks


def parse_835(data: str | bytes, name: str = "<memory>", *, strict: bool = False
              ) -> Remittance:
    """Read one 835 file's content held in memory (text or bytes).

    Parameters
    ----------
    data
        The content. Bytes are decoded as UTF-8, as UTF-16 when they start with its byte
        order mark, or as Latin-1 (with a warning) when they are not valid UTF-8.
    name
        What to call it in warnings, errors and the ``file`` columns.
    strict
        As for :func:`read_835`: False quarantines content that cannot be read (the
        Remittance is then empty but for :attr:`Remittance.quarantined`), True raises.

    Returns
    -------
    Remittance
        See :func:`read_835`.

    Raises
    ------
    X12Error
        With ``strict=True``, when the content is not a readable 835 (see :func:`read_835`).
    """
    batch = Batch(strict=strict)
    with gc_paused():
        batch.add(data, name)
        return _assemble(*batch.collected())


def _paths(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
           pattern: str) -> list[tuple[Path, bool]]:
    """The files to read, each with True when it was found by listing a directory.

    Every entry a directory or a glob lists is taken, whatever it is (a folder, a link that
    loops or points nowhere): it is quarantined when read, never skipped silently. Names
    starting with ``.`` are hidden and left out.
    """
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    found: list[tuple[Path, bool]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += [(p, True) for p in sorted(path.glob(pattern))
                      if not p.name.startswith(".")]
        elif path.is_file() or os.path.lexists(path):  # a file, or a broken or looping link
            found.append((path, False))
        elif any(ch in str(item) for ch in "*?["):
            found += [(Path(p), False) for p in sorted(glob.glob(str(item)))
                      if not Path(p).name.startswith(".")]
        else:
            raise X12Error("no such file or directory", file=str(item))
    if not found:
        raise X12Error(f"no files to read (pattern {pattern!r})", file=str(source))
    return found


# Total size of the files above which read_835 reads on every core by default (jobs=None):
# below it, starting the worker processes and sending their frames back gains little.
_PARALLEL_BYTES = 32 * 1024 * 1024


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported when the file is read


def read_835(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
             pattern: str = "*", jobs: int | None = None, strict: bool = False,
             columns: Mapping[str, Sequence[str]] | None = None) -> Remittance:
    """Read 835 remittance files into DataFrames in exact integer cents.

    Lenient on the envelope, strict on the money. A file that cannot be read, or whose
    transaction does not balance, is *quarantined*: its rows are left out of every frame and
    :attr:`Remittance.quarantined` names it, why, and its BPR02 money when that can be read;
    the other files are read as if it were not there. With ``strict=True`` any fault of form
    raises instead.

    Parameters
    ----------
    source
        A file, a directory, a glob pattern (``"eras/2024-*.835"``) or a list of them.
        The entries of a directory are those matching ``pattern``, in name order (names
        starting with ``.`` are left out); every one of them is read or quarantined (a
        README, a broken link), never skipped silently, except a sub-folder (an archive of
        old files), which is skipped with a warning.
    pattern
        Which entries of a directory to read (``"*.835"``); all by default.
    jobs
        How many processes read the files: the ordered files are split into ``jobs``
        contiguous chunks of about equal bytes, read at the same time (this process and
        ``jobs - 1`` worker processes) and put together in file order; the result is the same
        as with ``jobs=1``, quarantines included, which reads them one after the other in this
        process. ``None`` (the default) means ``os.cpu_count()`` when there is more than one
        file and they total more than 32 MB, else 1. A single file is never split.
    strict
        False (the default): envelope faults are warnings and unreadable or unbalanced files
        are quarantined. True: any fault of form raises X12Error (envelope faults included;
        a directory entry that does not start like X12 is skipped with a warning, as before);
        transaction imbalances are listed in ``balance_errors``, nothing is quarantined.
    columns
        Only these columns of the frames they name, as :meth:`Remittance.only` cuts them
        (a frame not named is empty), for a caller that reads a large folder and needs little
        of it. The files are then read in this process a chunk of about 16 MB after another,
        each chunk's frames cut before the next is read: the reader holds one chunk's frames
        in full, not the whole folder's. ``jobs`` must be 1 or ``None``. The result is that
        of a read in full, then cut: keys, ``claim_count``, balance errors, warnings and
        quarantines included.

    Returns
    -------
    Remittance
        Payments, claims, service lines, adjustments, provider adjustments, supplemental
        amounts, balance errors, warnings and quarantined files of all the files together.

    Raises
    ------
    X12Error
        With either ``strict``: when ``source`` names a file or directory that does not exist,
        or lists no file at all. With ``strict=True`` also for input that cannot be read as
        an 835: not X12, unreadable, an ISA that is not 106 characters, a truncated file, a
        segment outside a transaction, an amount that is not a number, a trailer count or
        control number that disagrees or is missing, a transaction without BPR. The error
        names the file, the 1-based segment number and the segment id, never the segment's
        text. With several errors, the one of the first file in order is raised, whatever
        ``jobs``.
    ValueError
        When ``jobs`` is below 1, or above 1 with ``columns``; when ``columns`` names a frame
        or a column a :class:`Remittance` does not have (before any file is read).

    Notes
    -----
    What is quarantined, and what is not: a file is left out whole when it cannot be read
    (not X12, an OSError, undecodable, cut inside a segment of a transaction, a segment out
    of place such as a claim outside a transaction or a second BPR, an amount that is not a
    number) or when one of its transactions breaks ``BPR02 = Σ CLP04 − Σ PLB``: the payment
    the bank receives and the claims it pays then disagree, so none of the file's figures
    can be trusted and the payer must send a corrected file. A claim or a line that does not
    balance (``CLP03 − Σ CAS ≠ CLP04``, ``Σ SVC03 − Σ claim CAS ≠ CLP04``,
    ``SVC02 − Σ CAS ≠ SVC03``) does not quarantine its
    file: the payment still agrees with the claims it pays, the rest of the file is right,
    and dropping it would turn every other claim of that payment into an unanswered claim
    and its deposit into a deposit without ERA. Such claims stay in the frames and in
    ``balance_errors``, for a person to look at.

    A file that ends after a whole segment but without its SE, GE or IEA is read with a
    warning (its transaction then still has to balance); one that ends in the middle of a
    segment inside a transaction is truncated, and quarantined.

    Delimiters come from the ISA: the element separator is its fourth character, the
    repetition separator ISA11 (version 00402 and later), the component separator ISA16, and
    the segment terminator the character right after ISA16. Line breaks that are not the
    terminator (after each segment, or hard wraps at any width) are removed before splitting.
    A file without an ISA but starting with ST (or GS) is read with delimiters taken from
    that segment, and a warning says so.

    Examples
    --------
    >>> ra = read_835("eras/")                                  # doctest: +SKIP
    >>> ra.claims.groupby("status_meaning")["paid_cents"].sum()  # doctest: +SKIP
    >>> ra.quarantined[["file", "reason", "paid_cents"]]         # doctest: +SKIP
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if columns is not None and jobs not in (None, 1):
        raise ValueError(f"with columns the files are read in this process: jobs must be 1, "
                         f"not {jobs}")
    if columns is not None:
        _check_columns(columns)
    return _read_paths(_paths(source, pattern), jobs=jobs, strict=strict, columns=columns)


def read_835_beside(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
                    pattern: str = "*", strict: bool = False,
                    columns: Mapping[str, Sequence[str]] | None = None) -> Forked:
    """Start :func:`read_835` of ``source`` in a worker process, while this one goes on with
    other work (loading the datasets beside it, as the daily close does); the files are
    listed here first, so that a folder without any raises X12Error at once.

    Use it as a context manager (a :class:`~pracops.processes.Forked`): ``result()`` waits
    for the :class:`Remittance` (or raises the reader's X12Error); leaving the block before
    that (an error in the other work, Ctrl-C) kills the worker. With ``columns`` (see
    :func:`read_835`) the worker holds one chunk's frames and sends back only what was asked.
    Linux and other systems with ``fork``.

    Examples
    --------
    >>> with read_835_beside("eras/", columns={"claims": ["claim_id"]}) as era:  # doctest: +SKIP
    ...     claims = pracops.data.load("claims", ".")
    ...     remittance = era.result()
    """
    if columns is not None:
        _check_columns(columns)
    paths = _paths(source, pattern)
    return Forked(functools.partial(_read_paths, paths, jobs=1, strict=strict, columns=columns),
                  what="the 835 reader run beside")


# What one chunk of files a read with ``columns`` holds in full (the last file of a chunk may
# take it past). At a 50-provider group's year (152 MB of 835s, cut to the daily close's
# columns) the reader's peak was 360 MB with chunks of 16 MB, 320 MB with 8 MB (0.3-0.5 s
# slower), 500 MB when read whole.
_ONLY_BYTES = 16 * 1024 * 1024


def _read_paths(paths: list[tuple[Path, bool]], *, jobs: int | None, strict: bool,
                columns: Mapping[str, Sequence[str]] | None) -> Remittance:
    """:func:`read_835` of the files listed."""
    if columns is not None:
        with gc_paused():
            return _read_only(paths, strict, columns)
    chunks = [paths]
    if len(paths) > 1 and jobs != 1:
        sizes = [_size(path) for path, _ in paths]
        if jobs is None:
            jobs = (os.cpu_count() or 1) if sum(sizes) > _PARALLEL_BYTES else 1
        chunks = split_in_chunks(paths, sizes, jobs)
    with gc_paused():
        return _assemble(*(read_files(paths, strict) if len(chunks) == 1
                           else read_parallel(chunks, strict)))
