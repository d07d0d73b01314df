"""An 835 file read a column at a time: :func:`read_columnar`, the reader's fast path.

The terminators are found in the bytes with numpy and the segments read where they stand (one
Arrow string array over the file's bytes, no copy of them when line breaks stand only after
terminators), every segment's id is read from its first bytes, and the loop hierarchy is worked
out from cumulative positions over the id column: the walk stands inside a claim after a CLP of
an open transaction (ST … SE), on a service line after an SVC of that claim, back at the header
or summary after ST, SE, LX, PLB or an envelope segment. The claim, line and detail segments
(CLP, SVC, LQ, CAS, DTM, REF, AMT, NM1, MIA, MOA inside a claim) are then split into elements a
kind at a time with pyarrow and their rows built as columns; every other segment (the envelope,
the header and summary of each payment, anything out of place) goes through the careful walk's
own handlers (:meth:`~pracops.x12.walk.Walker.read_outside_claims`), one by one, so that their
warnings and errors are the same by construction.

It gives up (returns None) on anything the careful walk (:meth:`~pracops.x12.walk.Walker.read`)
would read with a liberty or refuse — a file that does not start with ``ISA``, is not UTF-8,
ends its segments with a line break, has a claim or line with an empty amount, an SVC01
without its components or an SVC with more than seven elements, or a segment the careful
handlers refuse — and the caller then reads the file with the careful walk, which says what
is wrong exactly as it always has. What it returns is what the careful walk collects, as
columns (tests compare the two frame by frame).

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pracops.errors import X12Error
from pracops.x12.rows import (
    CLAIM_ROW,
    DETAILS,
    LINE_ROW,
    Columns,
    Details,
    FileRows,
    element_of,
)
from pracops.x12.schema import Sequences, WarningRow
from pracops.x12.segments import Layout, isa_delimiters
from pracops.x12.walk import Walker

# Files smaller than this are walked segment by segment: the column-wise calls cost about
# 2.5 ms a file whatever its size. Measured (bench_x12's writer, 20 files each): 56 KB files
# 7.2 ms a file in columns, 6.1 ms walked; 111 KB 10.0 and 10.2 ms; 221 KB 14.7 and 18.7 ms.
COLUMNAR_BYTES = 128 * 1024

# A file of this many segments or more gives back to the system, after each kind of segment is
# split, the copy it split (Arrow's pool would keep it). Measured on bench_x12's 50 MB file
# (2.15 M segments): 5.5-5.7 bytes of memory per input byte at peak instead of 5.7-6.1, page
# faults within this VM's spread. Also trimming glibc's heap (release_freed_memory in
# pracops.memory) added page faults and lowered nothing; giving back also between the steps
# that build the frames reached 5.4 but doubled the page faults (+0.13 s a read).
_RELEASE_SEGMENTS = 500_000

# The bytes of the start of a file that hold its ISA and the terminator after it.
_HEAD = 1024
# What the careful split strips from the end of a file (see segments._split).
_BLANK = b" \t\r\n\x00\x1a"

# The segment ids the hierarchy is worked out from; any other id is "other".
_IDS = ("CLP", "SVC", "LQ", "ST", "SE", "LX", "PLB", "ISA", "IEA", "GS", "GE", *DETAILS)
_CODE = {tag: code for code, tag in enumerate(_IDS)}
# ids after which the walk stands at the header or summary (level 0)
_RESETS = ("ST", "SE", "LX", "PLB", "ISA", "IEA", "GS", "GE")
# ids that open or close a transaction
_ENVELOPE = ("ST", "SE", "ISA", "IEA", "GS", "GE")


def _key(tag: str) -> int:
    """A segment id as a number of its bytes: two or three ASCII letters and digits."""
    value = 0
    for ch in tag:
        value = value << 8 | ord(ch)
    return value | (1 << 24 if len(tag) == 3 else 0)


_KEYS = np.array(sorted(_key(tag) for tag in _IDS), dtype=np.int64)
_KEY_CODES = np.array([_CODE[tag] for tag in sorted(_IDS, key=_key)], dtype=np.int64)


class _Segments:
    """The segments of a file, where they stand in its text (no copy of it): as text one at a
    time (for the careful handlers' messages) or a kind at a time as Arrow strings.

    ``bounds`` holds where each segment starts and ends, one after the other; the text
    between an end and the next start (the terminator and its line break) is left out.
    """

    def __init__(self, text: pa.Buffer, bounds: np.ndarray) -> None:
        self.starts, self.ends = bounds[0::2], bounds[1::2]
        # strings end to end over the text: the segments at even places, the terminators
        # between them at odd places
        self._strings = pa.StringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds),
                                                    text)
        self.text = np.frombuffer(text, dtype=np.uint8)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, index: int) -> str:
        return self._strings[2 * index].as_py()

    def split(self, at: np.ndarray, element: str) -> pa.ListArray:
        """The segments at ``at``, split into elements."""
        lists = pc.split_pattern(self._strings.take(pa.array(2 * at)), element)
        if len(self) >= _RELEASE_SEGMENTS:  # the copy taken to split is freed: given back
            pa.default_memory_pool().release_unused()
        return lists


class ColumnarRows:
    """What :func:`read_columnar` collects of one file: what :class:`FileRows` holds after the
    careful walk, the claims, lines and detail segments as columns."""

    def __init__(self, rows: FileRows, claims: Columns, lines: Columns, details: Details
                 ) -> None:
        self.name = rows.name
        self.segment_count = len(rows.segments)
        self.payments: list[dict[str, Any]] = rows.payments
        self.plb: list[tuple[Any, ...]] = rows.plb
        self.warnings: list[WarningRow] = rows.warnings
        self._claims, self._lines, self._details = claims, lines, details

    def claim_columns(self) -> Columns:
        return self._claims

    def line_columns(self) -> Columns:
        return self._lines

    def detail_lists(self) -> Details:
        return self._details


def _element(lists: pa.ListArray, k: int) -> pa.Array:
    """Element ``k`` of every segment (the id is element 0); ``''`` where it is absent."""
    return element_of(lists.offsets.to_numpy(), lists.values, k)


def _any_empty(texts: pa.StringArray) -> bool:
    return bool(pc.any(pc.equal(texts, "")).as_py())


# Bytes looked at a time when searching the text (no big temporaries).
_BYTES = 1 << 22


def _found(raw: np.ndarray, byte: int) -> np.ndarray:
    """Where ``byte`` occurs, as int32 positions."""
    return np.concatenate([np.zeros(0, dtype=np.int32), *(
        (np.flatnonzero(raw[at:at + _BYTES] == byte) + at).astype(np.int32)
        for at in range(0, len(raw), _BYTES))])


def _breaks_after(data: bytes, ends: np.ndarray) -> int | None:
    """How many line break bytes stand right after every terminator (0, 1 for ``\\n``, 2
    for ``\\r\\n``) when there are no others; None when line breaks stand elsewhere too."""
    newlines = data.count(b"\n")
    if not newlines:
        return 0 if b"\r" not in data else None
    if newlines != len(ends) or int(ends[-1]) + 1 >= len(data):
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    returns = data.count(b"\r")
    if returns == 0 and (raw[ends + 1] == 10).all():
        return 1
    if (returns == len(ends) and int(ends[-1]) + 2 < len(raw) and (raw[ends + 1] == 13).all()
            and (raw[ends + 2] == 10).all()):
        return 2
    return None


def _split(data: bytes, terminator: str) -> tuple[_Segments, bool] | None:
    """The segments of a file whose terminator is not a line break: line breaks removed, split
    at the terminator, blank segments at the end dropped (as ``segments._split`` does); and
    whether the last one was closed by a terminator. None when the text is not UTF-8.

    When every line break stands right after a terminator (``~\\n``, ``~\\r\\n``) or there is
    none, the segments are found in the bytes as they are, without a copy of them."""
    if len(data) >= 2**31:
        return None
    text = pa.py_buffer(data)
    if not data.isascii():
        try:
            pa.StringArray.from_buffers(1, pa.py_buffer(np.array([0, len(data)], np.int32)),
                                        text).validate(full=True)
        except pa.ArrowInvalid:
            return None
    raw = np.frombuffer(text, dtype=np.uint8)
    ends = _found(raw, ord(terminator))
    breaks = _breaks_after(data, ends) if len(ends) else None
    if breaks is None:  # line breaks removed first
        one = pa.StringArray.from_buffers(1, pa.py_buffer(np.array([0, len(data)], np.int32)),
                                          text)
        for line_break in "\r\n":
            if line_break.encode() in data:
                one = pc.replace_substring(one, line_break, "")
        _, offsets, text = one.buffers()
        raw = np.frombuffer(text, dtype=np.uint8)[:np.frombuffer(offsets, np.int32)[1]]
        ends, breaks = _found(raw, ord(terminator)), 0
    bounds = np.empty(2 * len(ends) + 2, dtype=np.int32)
    bounds[0], bounds[-1] = 0, len(raw)
    bounds[1:-1:2] = ends
    bounds[2:-1:2] = ends + 1 + breaks
    pieces = count = len(ends) + 1
    while count and not raw[bounds[2 * count - 2]:bounds[2 * count - 1]].tobytes().strip(_BLANK):
        count -= 1
    return _Segments(text, bounds[:2 * count]), count < pieces


def _ids(segments: _Segments, element: str) -> np.ndarray:
    """The code of each segment's id in :data:`_IDS`, -1 for any other id."""
    codes = np.empty(len(segments), dtype=np.int8)
    for at in range(0, len(segments), _CHUNK):  # in chunks: few temporaries at a time
        codes[at:at + _CHUNK] = _chunk_ids(segments.text, segments.starts[at:at + _CHUNK],
                                           segments.ends[at:at + _CHUNK], ord(element))
    return codes


# Segments whose ids are worked out at a time.
_CHUNK = 1 << 18


def _chunk_ids(text: np.ndarray, starts: np.ndarray, ends: np.ndarray, sep: int) -> np.ndarray:
    lengths = ends - starts
    last = max(len(text) - 1, 0)
    b0, b1, b2, b3 = (np.where(lengths > j, text[np.minimum(starts + j, last)], 0)
                      .astype(np.int32) for j in range(4))  # the first four bytes, 0 past the end
    two = (lengths >= 2) & ((lengths == 2) | (b2 == sep))
    three = (lengths >= 3) & ((lengths == 3) | (b3 == sep)) & (b2 != sep)
    key = np.where(two, b0 << 8 | b1, np.where(three, 1 << 24 | b0 << 16 | b1 << 8 | b2, -1))
    at = np.minimum(np.searchsorted(_KEYS, key), len(_KEYS) - 1)
    return np.where(_KEYS[at] == key, _KEY_CODES[at], -1)


def _last(mask: np.ndarray) -> np.ndarray:
    """For each segment, the index of the last segment up to it where ``mask``; -1 if none."""
    return np.maximum.accumulate(np.where(mask, np.arange(len(mask), dtype=np.int32), -1))


def _before(values: np.ndarray, first: Any) -> np.ndarray:
    """``values`` shifted one segment on: the value before each segment."""
    return np.concatenate([np.array([first], dtype=values.dtype), values[:-1]])


def _levels(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each segment, the level the walk stands at before it (0 header or summary, 1 claim,
    2 service line) and whether a transaction is open before it."""
    is_clp, is_svc, is_st = (codes == _CODE[tag] for tag in ("CLP", "SVC", "ST"))
    resets = np.isin(codes, [_CODE[tag] for tag in _RESETS])
    event = _last(resets | is_clp)  # the last CLP or reset so far
    in_claim = (event >= 0) & is_clp[event]
    level = np.where(in_claim, np.where(_last(is_svc) > event, 2, 1), 0).astype(np.int8)
    envelope = _last(np.isin(codes, [_CODE[tag] for tag in _ENVELOPE]))
    open_st = (envelope >= 0) & is_st[envelope]
    return _before(level, 0), _before(open_st, False)


def read_columnar(data: bytes, name: str, start: Sequences, *, strict: bool
                  ) -> ColumnarRows | None:
    """Read one 835 file's bytes a column at a time; None when the careful walk must read it.

    ``start`` and ``strict`` as for :class:`~pracops.x12.walk.Walker`.
    """
    if not data.startswith(b"ISA"):
        return None
    try:  # a character cut at the end of the head is replaced, far after the ISA
        delimiters = isa_delimiters(data[:_HEAD].decode("utf-8", errors="replace"), name)
    except X12Error:
        return None
    element, component, terminator = delimiters
    if terminator == "\n" or not "".join(delimiters).isascii():
        return None
    split = _split(data, terminator)
    if split is None:
        return None
    segments, terminated = split
    codes = _ids(segments, element)
    level, open_st = _levels(codes)
    claim_at = np.flatnonzero((codes == _CODE["CLP"]) & open_st)
    line_at = np.flatnonzero((codes == _CODE["SVC"]) & (level > 0))
    lq_at = np.flatnonzero((codes == _CODE["LQ"]) & (level == 2))
    inside = np.isin(codes, [_CODE[tag] for tag in DETAILS]) & (level > 0)
    inside[claim_at] = inside[line_at] = inside[lq_at] = True
    outside = np.flatnonzero(~inside)
    walker = Walker(Layout(segments, element, component, True, None, terminated),
                    name, start, strict=strict)
    try:
        rows = walker.read_outside_claims(
            (outside + 1).tolist(), level[outside].tolist(),
            segments.split(outside, element).to_pylist())
    except X12Error:
        return None
    claim_of_line = np.searchsorted(claim_at, line_at) - 1
    claims = _claims(segments.split(claim_at, element), claim_at,
                     np.bincount(claim_of_line, minlength=len(claim_at)).astype(np.int64),
                     rows, codes, start)
    lines = _lines(segments.split(line_at, element), line_at, claim_of_line,
                   segments.split(lq_at, element), lq_at, component, start)
    if claims is None or lines is None:
        return None
    details = {}
    for tag in DETAILS:
        at = np.flatnonzero(inside & (codes == _CODE[tag]))
        if len(at):
            details[tag] = (at + 1, segments.split(at, element))
    return ColumnarRows(rows, claims, lines, details)


def _claims(lists: pa.ListArray, at: np.ndarray, line_count: np.ndarray, rows: FileRows,
            codes: np.ndarray, start: Sequences) -> Columns | None:
    """The CLP rows as columns; None when CLP03 or CLP04 is empty (the walk warns)."""
    e = [_element(lists, k) for k in range(10)]
    if _any_empty(e[3]) or _any_empty(e[4]):
        return None
    transactions = np.flatnonzero(codes == _CODE["ST"])
    payment = np.searchsorted(transactions, at) - 1  # the transaction each claim is in
    st_control = pa.array([p["st_control"] for p in rows.payments], type=pa.string())
    columns = dict(zip(CLAIM_ROW, (
        start.claims + 1 + np.arange(len(at), dtype=np.int64),
        start.payments + 1 + payment.astype(np.int64), st_control.take(pa.array(payment)),
        e[1], e[2], e[3], e[4], pc.if_else(pc.equal(e[5], ""), "0", e[5]),
        e[6], e[7], e[8], e[9], line_count, at.astype(np.int64) + 1), strict=True))
    return columns


def _lines(lists: pa.ListArray, at: np.ndarray, claim: np.ndarray, lq: pa.ListArray,
           lq_at: np.ndarray, component: str, start: Sequences) -> Columns | None:
    """The SVC rows as columns; None when the walk would read one leniently (SVC01 without
    components, elements after SVC07, an empty SVC02 or SVC03)."""
    counts = np.diff(lists.offsets.to_numpy())
    e = [_element(lists, k) for k in range(7)]
    parts = pc.split_pattern(e[1], component)
    if ((counts > 8).any() or (np.diff(parts.offsets.to_numpy()) < 2).any()
            or _any_empty(e[2]) or _any_empty(e[3])):
        return None
    modifiers = None
    for k in range(2, 6):
        part = _element(parts, k)
        part = pc.if_else(pc.equal(part, ""), pa.scalar(None, pa.string()), part)
        modifiers = part if modifiers is None else pc.coalesce(
            pc.binary_join_element_wise(modifiers, part, ";"), modifiers, part)
    original = pc.split_pattern(e[6], component)
    first = np.searchsorted(claim, claim)  # the claim's first line
    numbers = np.arange(len(at), dtype=np.int64)
    return dict(zip(LINE_ROW, (
        start.lines + 1 + numbers, start.claims + 1 + claim.astype(np.int64),
        numbers - first + 1, _element(parts, 0), _element(parts, 1),
        modifiers.fill_null("") if modifiers is not None else pa.array([], type=pa.string()),
        e[2], e[3], e[4], pc.if_else(pc.equal(e[5], ""), pa.scalar(None, pa.string()), e[5]),
        _element(original, 0), _element(original, 1),
        _remarks(lq, lq_at, at), at.astype(np.int64) + 1), strict=True))


def _remarks(lq: pa.ListArray, lq_at: np.ndarray, line_at: np.ndarray) -> pa.StringArray:
    """The ``;``-joined LQ02 codes of each line, in order; null for a line without any."""
    codes = _element(lq, 2).to_pylist()
    joined: dict[int, str] = {}
    for line, code in zip((np.searchsorted(line_at, lq_at) - 1).tolist(), codes, strict=True):
        if code:
            joined[line] = f"{joined[line]};{code}" if line in joined else code
    out: list[str | None] = [None] * len(line_at)
    for line, text in joined.items():
        out[line] = text
    return pa.array(out, type=pa.string())
