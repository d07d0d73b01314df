"""Read X12 835 remittance advice files (ERAs) into DataFrames in exact integer cents.

This module owns the 835 reader: finding the delimiters, splitting the segments, walking the
envelopes (ISA/GS/ST … SE/GE/IEA) and the loops of a remittance (header and parties, claim
``CLP``, service line ``SVC``, provider adjustments ``PLB``), and checking the three balancing
rules of the 835 guide. It reads; it never fixes:

* **Malformed input** (a truncated file, an ISA that is not 106 characters, an amount that is
  not a number, a claim outside a transaction, a trailer count that disagrees) raises
  :class:`~pracops.errors.X12Error` with the 1-based segment number and the segment's text.
* **Input that can be read leniently** (no ISA envelope, a payment date one element early, a
  service composite written with the wrong separator, an impossible date, an unknown segment)
  is read, and each liberty taken is listed in :attr:`Remittance.warnings`.
* **Amounts that do not balance** are read as they stand and every violation is listed in
  :attr:`Remittance.balance_errors`:

  - line: ``SVC02 − Σ line CAS = SVC03``
  - claim: ``CLP03 − Σ (claim CAS + line CAS) = CLP04``
  - transaction: ``Σ CLP04 − Σ PLB = BPR02`` (a positive PLB amount reduces the payment)

Patient names and member ids are read into the columns listed in :data:`PATIENT_COLUMNS`, so a
report can drop them before anything is shown.

How it is fast (see ``bench/bench_x12.py``): the text is split once; one loop walks the
segments, reading CLP and SVC inline into plain lists and merely noting the segment numbers of
the frequent detail segments (CAS, DTM, REF, AMT, NM1), which are then split and placed on
their claim or line a column at a time with pyarrow; amounts are validated and converted a
column at a time too (an RE2 pattern and an exact ``decimal128`` cast, never ``float``); the
balancing rules are computed on the finished frames. Building the frames has a fixed cost
(~20 ms), so the rows of consecutive files accumulate and are converted together, once per run
of about a million segments (``_Batch``): a folder of 250 small files costs it once, not 250
times. The cyclic garbage collector is paused during a call (it would otherwise rescan the many
live row lists for nothing). A large folder is read on every core (``read_835(jobs=...)``):
contiguous chunks of files are read at the same time in worker processes and their frames put
together in file order, keys renumbered.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import gc
import glob
import logging
import multiprocessing
import os
import pickle
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.codes import claim_status_meaning
from pracops.errors import X12Error
from pracops.money import format_cents

__all__ = ["PATIENT_COLUMNS", "Remittance", "X12Warning", "parse_835", "read_835"]

logger = logging.getLogger(__name__)

#: Columns of :attr:`Remittance.claims` that identify a patient: keep them out of shared output.
PATIENT_COLUMNS: tuple[str, ...] = ("patient_last_name", "patient_first_name", "patient_member_id")

# ---- the frames: column -> dtype -----------------------------------------------------------

_I, _NI, _F, _S, _D = "int64", "Int64", "float64", "string", "datetime64[ns]"

_PAYMENT_COLUMNS: dict[str, str] = {
    "payment_seq": _I, "file": _S, "isa_control": _S, "gs_control": _S, "st_control": _S,
    "handling_code": _S, "total_paid_cents": _I, "credit_debit_flag": _S,
    "payment_method": _S, "payment_format": _S, "payment_date": _D, "trace_number": _S,
    "trace_payer_id": _S, "production_date": _D, "payer_name": _S, "payer_id_qualifier": _S,
    "payer_id": _S, "payer_ref_2u": _S, "payee_name": _S, "payee_id_qualifier": _S,
    "payee_id": _S, "payee_npi": _S, "payee_tin": _S, "claim_count": _I, "segment_number": _I,
}
_CLAIM_COLUMNS: dict[str, str] = {
    "claim_seq": _I, "payment_seq": _I, "file": _S, "st_control": _S, "claim_id": _S,
    "status": _S, "status_meaning": _S, "charge_cents": _I, "paid_cents": _I,
    "patient_resp_cents": _I, "filing_indicator": _S, "payer_claim_number": _S,
    "facility_code": _S, "claim_frequency": _S, "patient_last_name": _S,
    "patient_first_name": _S, "patient_member_id": _S, "rendering_provider_qualifier": _S,
    "rendering_provider_id": _S, "rendering_npi": _S, "statement_start_date": _D,
    "statement_end_date": _D, "received_date": _D, "line_count": _I, "segment_number": _I,
}
_LINE_COLUMNS: dict[str, str] = {
    "line_seq": _I, "claim_seq": _I, "file": _S, "st_control": _S, "claim_id": _S,
    "line_number": _I, "procedure_qualifier": _S, "procedure_code": _S, "modifiers": _S,
    "charge_cents": _I, "paid_cents": _I, "revenue_code": _S, "units": _F,
    "original_procedure_qualifier": _S, "original_procedure_code": _S, "service_date": _D,
    "service_start_date": _D, "service_end_date": _D, "allowed_cents": _NI,
    "line_control_number": _S, "remark_codes": _S, "segment_number": _I,
}
_ADJUSTMENT_COLUMNS: dict[str, str] = {
    "claim_seq": _I, "line_seq": _NI, "file": _S, "st_control": _S, "claim_id": _S,
    "line_number": _NI, "level": _S, "group_code": _S, "reason_code": _S, "amount_cents": _I,
    "quantity": _F, "segment_number": _I,
}
_PLB_COLUMNS: dict[str, str] = {
    "payment_seq": _I, "file": _S, "st_control": _S, "provider_id": _S,
    "fiscal_period_date": _D, "reason_code": _S, "reference_id": _S, "amount_cents": _I,
    "segment_number": _I,
}
_BALANCE_COLUMNS: dict[str, str] = {
    "rule": _S, "file": _S, "st_control": _S, "payment_seq": _I, "claim_seq": _NI,
    "claim_id": _S, "line_number": _NI, "expected_cents": _I, "actual_cents": _I,
    "difference_cents": _I, "message": _S, "segment_number": _I,
}

# ---- what the loop collects ----------------------------------------------------------------
# Claims and lines are rows of the CLP or SVC element text (amounts converted later). Of the
# frequent detail segments (CAS, DTM, REF, AMT, NM1 inside a claim) only the segment number is
# recorded; they are parsed a column at a time when the frames are built, and their claim and
# line found from the segment numbers of the CLP and SVC segments before them.

_CLAIM_ROW = (
    "claim_seq", "payment_seq", "st_control", "claim_id", "status", "charge_cents",
    "paid_cents", "patient_resp_cents", "filing_indicator", "payer_claim_number",
    "facility_code", "claim_frequency", "line_count", "segment_number",
)
_LINE_ROW = (
    "line_seq", "claim_seq", "line_number", "procedure_qualifier", "procedure_code",
    "modifiers", "charge_cents", "paid_cents", "revenue_code", "units",
    "original_procedure_qualifier", "original_procedure_code", "remark_codes", "segment_number",
)
_PLB_ROW = (
    "payment_seq", "st_control", "provider_id", "fiscal_period_date", "reason_code",
    "reference_id", "amount_cents", "segment_number",
)
_DETAILS = ("CAS", "DTM", "REF", "AMT", "NM1")
_C_LINES = _CLAIM_ROW.index("line_count")
_L_REMARKS = _LINE_ROW.index("remark_codes")
_CLAIM_DATES = {"232": "statement_start_date", "233": "statement_end_date",
                "050": "received_date"}
_LINE_DATES = {"472": "service_date", "150": "service_start_date", "151": "service_end_date"}

# ---- segment vocabulary --------------------------------------------------------------------

# Segments an 835 may carry that this reader does not need: passed over without a warning.
_UNUSED = ("N2", "N3", "N4", "PER", "CUR", "RDM", "TS3", "TS2", "MIA", "MOA", "QTY", "TA1")
_ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})
# Product/service id qualifiers that may open an SVC01 composite.
_PRODUCT_QUALIFIERS = frozenset(
    {"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "WK", "ZZ", "ID", "RB", "UI"}
)
_ISA_LENGTH = 106  # characters, including the segment terminator
_LINE_BREAKS = "\r\n"
_MISSING = object()  # handler-table sentinel for a segment id the reader does not know

# An X12 decimal amount: optional '-', at most 11 digits of dollars, at most two decimals
# (a few trailing zeros beyond them are harmless). RE2 syntax: \d is ASCII only.
_AMOUNT_PATTERN = r"^-?(\d{1,11}(\.\d{0,2}0{0,4})?|\.\d{1,2}0{0,4})$"
_AMOUNT_RULE = "digits with an optional leading '-' and at most two decimals, e.g. 1234.5"
_NUMBER_PATTERN = r"^-?(\d{1,15}(\.\d{0,6})?|\.\d{1,6})$"
_DATE_PATTERN = r"^\d{8}$"
# Segments of the files whose rows are turned into frames in one go (see _Batch): ~20 MB of
# text; building the frames costs ~20 ms whatever their size.
_BATCH_SEGMENTS = 1_000_000


@dataclass(frozen=True)
class X12Warning:
    """Something read leniently: where it is and what the reader did about it.

    Attributes
    ----------
    file
        The file (or name given to :func:`parse_835`).
    segment_number
        1-based segment position in the file (ISA is 1); ``None`` for the file as a whole.
    segment
        The segment's text, or ``None``.
    message
        What was unusual and how it was read.
    """

    file: str
    segment_number: int | None
    segment: str | None
    message: str


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
        DTM*232/233/050 dates and ``line_count``.
    service_lines
        One row per SVC: procedure qualifier, code and ``;``-joined modifiers, charge, paid,
        revenue code, units (1 when absent), original procedure, DTM*472/150/151 dates,
        ``allowed_cents`` (AMT*B6), line control number (REF*6R) and ``;``-joined LQ remark codes.
    adjustments
        One row per CAS (reason, amount, quantity) triplet; ``level`` is ``'claim'`` or
        ``'line'`` (then ``line_seq`` and ``line_number`` are set).
    provider_adjustments
        One row per PLB (reason, amount) pair, with ``reference_id`` from ``PLB03-2``.
    balance_errors
        One row per violated balancing rule (``rule`` is ``'line'``, ``'claim'`` or
        ``'transaction'``), with ``difference_cents = actual_cents − expected_cents``.
    warnings
        What was read leniently, in file order.
    files
        The files read, in order.
    """

    payments: pd.DataFrame
    claims: pd.DataFrame
    service_lines: pd.DataFrame
    adjustments: pd.DataFrame
    provider_adjustments: pd.DataFrame
    balance_errors: pd.DataFrame
    warnings: list[X12Warning] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


class _Bad(Exception):
    """A malformed segment; the reader loop turns it into an X12Error with the location."""


def _is_count(text: str, count: int) -> bool:
    """True when a trailer count element (SE01, GE01, IEA01) says ``count``."""
    return text.isascii() and text.isdigit() and int(text) == count


@lru_cache(maxsize=1 << 14)
def _valid_date(text: str) -> bool:
    """True for a real calendar date written CCYYMMDD."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return False
    try:
        _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True




# ---- delimiters and segments ---------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    segments: list[str]
    element: str
    component: str
    enveloped: bool
    note: str | None


def _check_delimiters(element: str, component: str, terminator: str, repetition: str | None,
                      where: str, name: str) -> None:
    found = [element, component, terminator] + ([repetition] if repetition else [])
    if len(set(found)) != len(found):
        raise X12Error(f"{where} declares the same character for two delimiters "
                       f"(element {element!r}, component {component!r}, segment "
                       f"{terminator!r}, repetition {repetition!r})", segment_number=1,
                       file=name)
    for ch in (element, component):
        if ch.isalnum() or ch in " " + _LINE_BREAKS:
            raise X12Error(f"{where} declares {ch!r} as a delimiter; delimiters must be "
                           "special characters that do not occur in the data",
                           segment_number=1, file=name)
    if terminator.isalnum() or terminator == " ":
        raise X12Error(f"{where} declares {terminator!r} as the segment terminator; it must "
                       "be a special character", segment_number=1, file=name)


def _split(text: str, terminator: str) -> list[str]:
    """Remove line breaks that are not terminators, then split into segments."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if terminator in _LINE_BREAKS:
        segments = text.split("\n")
    else:
        segments = text.replace("\n", "").split(terminator)
    while segments and not segments[-1].strip(" \t\r\n\x00\x1a"):
        segments.pop()
    return segments


def _layout_from_isa(text: str, name: str) -> _Layout:
    element = text[3] if len(text) > 3 else ""
    if not element or element.isalnum() or element in " " + _LINE_BREAKS:
        raise X12Error("the character after 'ISA' must be the element separator",
                       segment_number=1, segment=text[:_ISA_LENGTH], file=name)
    pos = 3
    for _ in range(15):  # the 16th separator opens ISA16
        pos = text.find(element, pos + 1, 4 * _ISA_LENGTH)
        if pos < 0:
            raise X12Error("the ISA segment is incomplete: it needs 16 elements",
                           segment_number=1, segment=text[:_ISA_LENGTH], file=name)
    wrapped = any(ch in text[:pos] for ch in _LINE_BREAKS)
    j = pos + 1
    while j < len(text) and text[j] in _LINE_BREAKS:
        j += 1
    k = j + 1
    if wrapped:  # hard-wrapped interchange: every line break is a wrap, none a terminator
        while k < len(text) and text[k] in _LINE_BREAKS:
            k += 1
    if k >= len(text):
        raise X12Error("the file ends inside the ISA segment (no segment terminator after "
                       "ISA16): it is truncated", segment_number=1, segment=text, file=name)
    component, terminator = text[j], text[k]
    if terminator in _LINE_BREAKS:
        terminator = "\n"
    isa = text[:j + 1].replace("\r", "").replace("\n", "").split(element)
    repetition = isa[11] if (len(isa[11]) == 1 and not isa[11].isalnum()
                             and isa[12] >= "00402") else None
    _check_delimiters(element, component, terminator, repetition, "the ISA segment", name)
    return _Layout(_split(text, terminator), element, component, True, None)


def _layout_without_isa(text: str, name: str) -> _Layout:
    tag, element = text[:2], text[2]
    terminator = ""
    for ch in text[3:200]:
        if ch != element and not ch.isalnum() and ch != " ":
            terminator = "\n" if ch in _LINE_BREAKS else ch
            break
    if not terminator:
        raise X12Error(f"no segment terminator found after the {tag} segment",
                       segment_number=1, segment=text[:80], file=name)
    segments = _split(text, terminator)
    component, assumed = ":", " (assumed)"
    for seg in segments:
        if seg.startswith("SVC" + element):
            composite = seg[4:].split(element, 1)[0]
            if len(composite) > 2 and not composite[2].isalnum():
                component, assumed = composite[2], ""
            break
    _check_delimiters(element, component, terminator, None, f"the {tag} segment", name)
    note = (f"no ISA envelope: the file starts with {tag}; delimiters taken from it (element "
            f"{element!r}, segment {terminator!r}, component {component!r}{assumed}); the "
            "trailer counts of such an extract are checked but only warned about")
    return _Layout(segments, element, component, False, note)


def _layout(text: str, name: str) -> _Layout:
    if text.startswith("ISA"):
        return _layout_from_isa(text, name)
    if text[:2] in ("ST", "GS") and len(text) > 3 and not text[2].isalnum():
        return _layout_without_isa(text, name)
    raise X12Error("not an X12 file: it should start with an ISA segment",
                   segment_number=1, segment=text[:80], file=name)


def _looks_like_x12(data: bytes) -> bool:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4]
    return head.startswith(b"ISA") or (head[:2] in (b"ST", b"GS") and len(head) > 2
                                       and not chr(head[2]).isalnum())


# ---- the segment walker --------------------------------------------------------------------


@dataclass
class _Sequences:
    """How many payments, claims and lines the files before this one had (keys run across
    files)."""

    payments: int = 0
    claims: int = 0
    lines: int = 0


class _FileReader:
    """Walks the segments of one file, collecting rows of element text."""

    def __init__(self, text: str, name: str, start: _Sequences) -> None:
        self.name = name
        self.warnings: list[X12Warning] = []
        layout = _layout(text, name)
        self.segments = layout.segments
        self.element = layout.element
        self.component = layout.component
        self.enveloped = layout.enveloped
        if layout.note:
            self._note(None, layout.note)
        self.start = start
        self.payments: list[dict[str, Any]] = []
        self.claims: list[list[Any]] = []
        self.lines: list[list[Any]] = []
        self.plb: list[tuple[Any, ...]] = []
        # segment numbers of the detail segments (machine integers: there are millions)
        self.details: dict[str, array[int]] = {tag: array("q") for tag in _DETAILS}
        self.n = 0  # current segment number, for the methods
        self.level = 0  # 0 header or summary, 1 claim, 2 service line
        self.empties = 0  # empty segments met so far (SE01 does not count them)
        self.isa_open = self.gs_open = self.in_st = False
        self.isa_control: str | None = None
        self.gs_control: str | None = None
        self.gs_count = self.st_count = 0
        self.st_start = self.st_empties = 0
        self.payment: dict[str, Any] = {}
        self.party = ""
        self.handlers = {
            "ISA": self._isa, "IEA": self._iea, "GS": self._gs, "GE": self._ge, "ST": self._st,
            "SE": self._se, "BPR": self._bpr, "TRN": self._trn, "N1": self._n1, "LX": self._lx,
            "PLB": self._plb, "DTM": self._detail, "REF": self._detail, "CAS": self._detail,
            "AMT": self._detail, "NM1": self._detail, "SVC": self._orphan, "LQ": self._orphan,
            "CLP": None, **dict.fromkeys(_UNUSED),
        }

    # -- warnings -----------------------------------------------------------------------------

    def _note(self, number: int | None, message: str) -> None:
        segment = self.segments[number - 1] if number else None
        self.warnings.append(X12Warning(self.name, number, segment, message))
        logger.debug("%s segment %s: %s", self.name, number, message)

    def _empty_amount(self, number: int, element: str) -> str:
        self._note(number, f"{element} is empty; read as 0.00")
        return "0"

    def _control(self, message: str) -> None:
        """An envelope inconsistency: an error in an interchange, a warning in an extract."""
        if self.enveloped:
            raise _Bad(message)
        self._note(self.n, message)

    # -- the loop -----------------------------------------------------------------------------

    def read(self) -> None:
        """Walk all segments. Inside a claim, detail segments are only recorded; CLP and SVC
        are read inline; everything else goes through :meth:`_other`."""
        segments, element, component = self.segments, self.element, self.component
        claims, lines = self.claims, self.lines
        heads = {tag + element: rows for tag, rows in self.details.items()}
        note = self._note
        claim_base, line_base = self.start.claims, self.start.lines
        level = 0
        claim: list[Any] = []
        line: list[Any] = []
        claim_seq = 0
        n = 0
        try:
            for n, seg in enumerate(segments, 1):
                if level:
                    numbers = heads.get(seg[:4])
                    if numbers is not None:
                        numbers.append(n)
                        continue
                e = seg.split(element)
                tag = e[0]
                if tag == "SVC" and level:
                    parts = e[1].split(component) if len(e) > 1 else [""]
                    if len(parts) < 2:
                        parts, e = self._repair_svc01(e, n)
                    if len(e) < 7:
                        e += [""] * (7 - len(e))
                    elif len(e) > 8:
                        note(n, f"SVC has {len(e) - 1} elements; those after SVC07 are ignored")
                    original = e[6].split(component) if e[6] else ("", "")
                    claim[_C_LINES] += 1
                    line = [  # in _LINE_ROW order
                        line_base + len(lines) + 1, claim_seq, claim[_C_LINES], parts[0], parts[1],
                        ";".join(filter(None, parts[2:6])) if len(parts) > 2 else "",
                        e[2] or self._empty_amount(n, "SVC02"),
                        e[3] or self._empty_amount(n, "SVC03"), e[4], e[5] or None,
                        original[0], original[1] if len(original) > 1 else "", None, n]
                    lines.append(line)
                    level = 2
                elif tag == "CLP" and self.in_st:
                    if len(e) < 10:
                        e += [""] * (10 - len(e))
                    payment = self.payment
                    claim_seq = claim_base + len(claims) + 1
                    claim = [  # in _CLAIM_ROW order
                        claim_seq, payment["payment_seq"], payment["st_control"], e[1], e[2],
                        e[3] or self._empty_amount(n, "CLP03"),
                        e[4] or self._empty_amount(n, "CLP04"), e[5] or "0",
                        e[6], e[7], e[8], e[9], 0, n]
                    claims.append(claim)
                    level = 1
                elif tag == "LQ" and level == 2:
                    if len(e) > 2 and e[2]:
                        codes = line[_L_REMARKS]
                        line[_L_REMARKS] = e[2] if codes is None else f"{codes};{e[2]}"
                else:
                    self.n, self.level = n, level
                    self._other(e)
                    level = self.level
        except _Bad as exc:
            raise X12Error(str(exc), segment_number=n, segment=segments[n - 1],
                           file=self.name) from None
        self._finish()

    def _other(self, e: list[str]) -> None:
        """Envelope, header and summary segments, and everything out of place."""
        tag = e[0]
        if len(e) == 1 and not tag:
            self.empties += 1
            self._note(self.n, "empty segment (two terminators in a row) skipped")
            return
        handler = self.handlers.get(tag, _MISSING)
        if handler is _MISSING:
            self._note(self.n, f"segment {tag!r} is not part of an 835 remittance; skipped")
        elif not self.in_st and tag not in _ENVELOPE:
            raise _Bad(f"{tag} segment outside a transaction (no ST before it)")
        elif handler is not None:
            handler(e)

    def _finish(self) -> None:
        last = len(self.segments)
        end = self.segments[-1] if self.segments else None
        if self.in_st:
            raise X12Error(f"the file ends inside transaction {self.payment['st_control']!r} "
                           "(no SE segment): it is truncated", segment_number=last,
                           segment=end, file=self.name)
        if self.gs_open or self.isa_open:
            message = (f"the file ends without its {'GE' if self.gs_open else 'IEA'} "
                       "segment: it is truncated")
            if self.enveloped:
                raise X12Error(message, segment_number=last, segment=end, file=self.name)
            self._note(last, message)
        if not self.payments:
            self._note(None, "no 835 transaction (ST … SE) in this file")

    def _detail(self, e: list[str]) -> None:
        """A detail segment the loop did not record: at the header, or without elements."""
        tag = e[0]
        if self.level:
            self.details[tag].append(self.n)
        elif tag == "CAS":
            raise _Bad("CAS before any CLP: it must belong to a claim or a service line")
        elif tag == "NM1":
            self._note(self.n, "NM1 outside a claim; skipped")
        elif tag == "DTM" and len(e) > 2 and e[1] == "405":
            self.payment["production_date"] = self._date(e[2], "DTM*405")
        elif tag == "REF" and len(e) > 2:
            self._header_ref(e)

    def _orphan(self, e: list[str]) -> None:
        if e[0] == "SVC":
            raise _Bad("SVC before any CLP: a service line must belong to a claim")
        self._note(self.n, "LQ outside a service line; skipped")

    # -- envelope -----------------------------------------------------------------------------
    def _isa(self, e: list[str]) -> None:
        seg = self.segments[self.n - 1]
        if len(seg) + 1 != _ISA_LENGTH or len(e) != 17:
            raise _Bad(f"the ISA segment is {len(seg) + 1} characters with its terminator; the "
                       f"standard fixes it at {_ISA_LENGTH} (each field padded to its width)")
        if e[16] != self.component:
            raise _Bad("this interchange declares other delimiters than the first one in the "
                       "file; split the file into one file per interchange")
        if self.isa_open:
            raise _Bad("ISA inside an open interchange (the IEA of the previous one is missing)")
        self.isa_open = True
        self.isa_control = e[13]
        self.gs_count = 0

    def _iea(self, e: list[str]) -> None:
        if not self.isa_open:
            raise _Bad("IEA without an ISA before it")
        if self.gs_open:
            raise _Bad("IEA before the GE that closes the functional group")
        e += [""] * (3 - len(e))
        if not _is_count(e[1], self.gs_count):
            self._control(f"IEA01 says {e[1]!r} functional groups, the interchange has "
                          f"{self.gs_count}")
        if e[2] != self.isa_control:
            self._control(f"IEA02 {e[2]!r} does not match ISA13 {self.isa_control!r}")
        self.isa_open = False

    def _gs(self, e: list[str]) -> None:
        if self.gs_open:
            raise _Bad("GS inside an open functional group (the GE of the previous one is "
                       "missing)")
        if self.enveloped and not self.isa_open:
            raise _Bad("GS outside an interchange (no ISA before it)")
        e += [""] * (7 - len(e))
        self.gs_open = True
        self.gs_control = e[6]
        self.gs_count += 1
        self.st_count = 0

    def _ge(self, e: list[str]) -> None:
        if not self.gs_open:
            raise _Bad("GE without a GS before it")
        if self.in_st:
            raise _Bad("GE before the SE that closes the transaction")
        e += [""] * (3 - len(e))
        if not _is_count(e[1], self.st_count):
            self._control(f"GE01 says {e[1]!r} transactions, the group has {self.st_count}")
        if e[2] != self.gs_control:
            self._control(f"GE02 {e[2]!r} does not match GS06 {self.gs_control!r}")
        self.gs_open = False

    def _st(self, e: list[str]) -> None:
        if self.in_st:
            raise _Bad("ST inside an open transaction (the SE of the previous one is missing)")
        if self.enveloped and not self.gs_open:
            raise _Bad("ST outside a functional group (no GS before it)")
        e += [""] * (3 - len(e))
        if e[1] != "835":
            raise _Bad(f"transaction set {e[1]!r} is not an 835 remittance advice")
        self.in_st = True
        self.st_count += 1
        self.st_start, self.st_empties = self.n, self.empties
        self.payment = dict.fromkeys(_PAYMENT_COLUMNS)
        self.payment.update(
            payment_seq=self.start.payments + len(self.payments) + 1, st_control=e[2],
            isa_control=self.isa_control if self.isa_open else None,
            gs_control=self.gs_control if self.gs_open else None, segment_number=self.n)
        self.party = ""
        self.level = 0

    def _se(self, e: list[str]) -> None:
        if not self.in_st:
            raise _Bad("SE without an ST before it")
        p = self.payment
        e += [""] * (3 - len(e))
        count = self.n - self.st_start + 1 - (self.empties - self.st_empties)
        if not _is_count(e[1], count):
            self._control(f"SE01 says {e[1]!r} segments, the transaction has {count}")
        if e[2] != p["st_control"]:
            self._control(f"SE02 {e[2]!r} does not match ST02 {p['st_control']!r}")
        if p["total_paid_cents"] is None:
            raise _Bad("the transaction has no BPR segment (payment amount)")
        self.payments.append(p)
        self.in_st = False
        self.level = 0

    # -- header and summary -------------------------------------------------------------------

    def _bpr(self, e: list[str]) -> None:
        p = self.payment
        if p["total_paid_cents"] is not None:
            raise _Bad("a second BPR segment in one transaction")
        elements = len(e) - 1
        e += [""] * (17 - len(e))
        p.update(handling_code=e[1], total_paid_cents=e[2] or self._empty_amount(self.n, "BPR02"),
                 bpr_segment=self.n, credit_debit_flag=e[3], payment_method=e[4],
                 payment_format=e[5])
        if e[16]:
            p["payment_date"] = self._date(e[16], "BPR16")
        elif elements == 15 and not e[14] and _valid_date(e[15]):
            self._note(self.n, "BPR has 15 elements and BPR15 holds a date; read it as the "
                       "payment date BPR16 (one element separator is missing before it)")
            p["payment_date"] = e[15]

    def _date(self, text: str, element: str) -> str | None:
        if _valid_date(text):
            return text
        if text:
            self._note(self.n, f"{element} {text!r} is not a date CCYYMMDD; read as missing")
        return None

    def _trn(self, e: list[str]) -> None:
        e += [""] * (4 - len(e))
        self.payment.update(trace_number=e[2], trace_payer_id=e[3])

    def _n1(self, e: list[str]) -> None:
        e += [""] * (5 - len(e))
        self.party = e[1]
        p = self.payment
        if e[1] == "PR":
            p.update(payer_name=e[2], payer_id_qualifier=e[3], payer_id=e[4])
        elif e[1] == "PE":
            p.update(payee_name=e[2], payee_id_qualifier=e[3], payee_id=e[4])
            if e[3] == "XX":
                p["payee_npi"] = e[4]
            elif e[3] == "FI":
                p["payee_tin"] = e[4]

    def _header_ref(self, e: list[str]) -> None:
        if len(e) < 3:
            return
        p = self.payment
        if e[1] == "2U" and self.party == "PR":
            p["payer_ref_2u"] = e[2]
        elif e[1] == "TJ" and self.party == "PE" and not p["payee_tin"]:
            p["payee_tin"] = e[2]

    def _lx(self, e: list[str]) -> None:
        self.level = 0
        self.party = ""

    def _plb(self, e: list[str]) -> None:
        self.level = 0
        n = len(e)
        if n > 15:
            self._note(self.n, f"PLB has {n - 1} elements; those after PLB14 are ignored")
            n = 15
        e += [""] * (15 - len(e))
        p = self.payment
        date = self._date(e[2], "PLB02")
        for k in range(3, n, 2):
            composite, amount = e[k], e[k + 1]
            if not (composite or amount):
                continue
            parts = composite.split(self.component, 1)
            if not parts[0]:
                self._note(self.n, f"PLB{k:02d} (reason code) is empty")
            self.plb.append((p["payment_seq"], p["st_control"], e[1], date, parts[0],
                             parts[1] if len(parts) > 1 else None,
                             amount or self._empty_amount(self.n, f"PLB{k + 1:02d}"), self.n))

    # -- repairs ------------------------------------------------------------------------------

    def _repair_svc01(self, e: list[str], n: int) -> tuple[list[str], list[str]]:
        """SVC01 without components: read the two known miswritings, else take it as the code.

        Returns the composite's parts and the segment's elements (shifted when SVC01 was
        split over two elements).
        """
        text = e[1] if len(e) > 1 else ""
        if text in _PRODUCT_QUALIFIERS and len(e) > 2:
            self._note(n, f"SVC01 is only the qualifier {text!r} and its code {e[2]!r} stands "
                       "in the next element (an element separator where a component separator "
                       "belongs); read as one composite, the amounts one element to the left")
            return [text, *e[2].split(self.component)], [e[0], text, *e[3:]]
        if len(text) > 3 and text[:2] in _PRODUCT_QUALIFIERS and not text[2].isalnum():
            self._note(n, f"SVC01 {text!r} separates its components with {text[2]!r}, not "
                       f"with the declared {self.component!r}; read with {text[2]!r}")
            return text.split(text[2]), e
        self._note(n, f"SVC01 {text!r} has no qualifier and code components; read as the code")
        return ["", text], e


# ---- frames --------------------------------------------------------------------------------


def _amounts_to_cents(texts: pa.Array | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Convert X12 amount text to integer cents, a column at a time, exactly.

    Returns the cents (0 where absent or invalid) and a mask of the invalid entries; ``None``
    is absent, not invalid.
    """
    arr = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string())
    ok = pc.match_substring_regex(arr, _AMOUNT_PATTERN)
    bad = pc.invert(ok.fill_null(True)).to_numpy(zero_copy_only=False)
    good = pc.if_else(ok, arr, pa.scalar(None, pa.string()))
    scaled = pc.multiply(pc.cast(good, pa.decimal128(18, 2)), pa.scalar(100, pa.int64()))
    cents = pc.cast(scaled, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    return cents, bad


def _numbers(texts: pa.Array | Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Convert X12 decimals that are not money (units, quantities) to float; NaN when absent."""
    arr = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string())
    ok = pc.match_substring_regex(arr, _NUMBER_PATTERN)
    bad = pc.invert(ok.fill_null(True)).to_numpy(zero_copy_only=False)
    good = pc.if_else(ok, arr, pa.scalar(None, pa.string()))
    return pc.cast(good, pa.float64()).to_numpy(zero_copy_only=False), bad


def _strings(values: pa.Array | Sequence[Any]) -> pd.api.extensions.ExtensionArray:
    """Text column with pandas' string dtype; empty text becomes <NA>.

    Values taken from a frame (a balance error's claim id) may be ``pd.NA``: read as missing.
    """
    arr = (values if isinstance(values, pa.Array)
           else pa.array(values, type=pa.string(), from_pandas=True))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return pd.array(arr, dtype=_S)


def _nullable_ints(values: Sequence[Any]) -> pd.arrays.IntegerArray:
    arr = pa.array(values, type=pa.int64())
    return pd.arrays.IntegerArray(arr.fill_null(0).to_numpy(),
                                  arr.is_null().to_numpy(zero_copy_only=False))


def _dates(values: Sequence[str | None]) -> np.ndarray:
    """CCYYMMDD text (already checked) to datetime64[ns]; absent becomes NaT."""
    parsed = pd.to_datetime(pd.Series(values, dtype=object), format="%Y%m%d")
    return parsed.to_numpy(dtype=_D)


def _as(values: Sequence[Any], dtype: str) -> Any:
    if dtype == _I:
        return np.array(values, dtype=np.int64)
    if dtype == _NI:
        return _nullable_ints(values)
    if dtype == _F:
        return np.array(values, dtype=np.float64)
    if dtype == _D:
        return _dates(values)
    return _strings(values)


def _columns(names: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Rows (lists or tuples) to columns (tuples)."""
    if not rows:
        return {name: () for name in names}
    return dict(zip(names, zip(*rows, strict=True), strict=True))


def _frame(schema: dict[str, str], columns: dict[str, Any], files: pa.Array) -> pd.DataFrame:
    """Build a frame in schema order; converted columns (arrays) are taken as they are.

    ``files`` is the ``file`` column (the name of each row's file).
    """
    data = {}
    for column, dtype in schema.items():
        if column == "file":
            data[column] = pd.array(files, dtype=_S)
        else:
            values = columns[column]
            converted = isinstance(values, (np.ndarray, pd.api.extensions.ExtensionArray))
            data[column] = values if converted else _as(values, dtype)
    return pd.DataFrame(data, copy=False)  # the columns are new: no copy, no 2-D blocks


def _last(positions: np.ndarray) -> np.ndarray:
    """Indices of the last occurrence of each position: a later segment wins."""
    _, first_from_end = np.unique(positions[::-1], return_index=True)
    return len(positions) - 1 - first_from_end


def _place_text(size: int, positions: np.ndarray, values: pa.Array) -> pa.Array:
    """Text for ``size`` rows, ``values[i]`` at ``positions[i]`` (null elsewhere)."""
    keep = _last(positions)
    index = np.full(size, -1, dtype=np.int64)
    index[positions[keep]] = keep
    return values.take(pa.array(index, mask=index < 0))


def _place_dates(size: int, positions: np.ndarray, values: np.ndarray) -> np.ndarray:
    keep = _last(positions)
    out = np.full(size, np.datetime64("NaT"), dtype=_D)
    out[positions[keep]] = values[keep]
    return out


def _empty(arr: pa.Array) -> np.ndarray:
    return pc.equal(arr, "").to_numpy(zero_copy_only=False)


class _Recorded:
    """The detail segments of one kind recorded by the loop, split into elements.

    ``numbers`` are positions across files (see :class:`_Batch`), and so are ``claim_at``
    and ``line_at``, the positions of the CLP and SVC segments.
    """

    def __init__(self, numbers: np.ndarray, lists: pa.ListArray, claim_at: np.ndarray,
                 line_at: np.ndarray) -> None:
        self.numbers = numbers  # positions (see _Batch), in order
        # the claim and line a segment belongs to: the last CLP before it, and the last SVC
        # before it when that SVC comes after the CLP
        self.claim_pos = np.searchsorted(claim_at, self.numbers) - 1
        self.line_pos = np.full(len(numbers), -1, dtype=np.int64)  # -1: at claim level
        if len(line_at):
            line = np.searchsorted(line_at, self.numbers) - 1
            on_line = (line >= 0) & (line_at[line] > claim_at[self.claim_pos])
            self.line_pos[on_line] = line[on_line]
        self._offsets = lists.offsets.to_numpy()
        self._values = lists.values
        self.counts = np.diff(self._offsets)  # elements, the segment id included

    def element(self, k: int) -> pa.Array:
        """Element ``k`` (``k``-th after the id) of every segment; ``''`` where it is absent."""
        has = self.counts > k
        index = pa.array(self._offsets[:-1] + k, mask=~has)
        return self._values.take(index).fill_null("")

    def where(self, k: int, value: str) -> np.ndarray:
        return pc.equal(self.element(k), value).to_numpy(zero_copy_only=False)


class _Converter:
    """Converts text columns, remembering the first bad value (in file order) of all files."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        self.first_bad: tuple[int, str] | None = None

    def _bad(self, bad: np.ndarray, texts: Any, numbers: Any, what: str, rule: str) -> None:
        if not bad.any():
            return
        numbers = np.asarray(numbers, dtype=np.int64)
        where = np.flatnonzero(bad)
        i = int(where[np.argmin(numbers[where])])
        text = texts[i].as_py() if isinstance(texts, pa.Array) else texts[i]
        if self.first_bad is None or numbers[i] < self.first_bad[0]:
            self.first_bad = (int(numbers[i]), f"{what} {text!r} is not {rule}")

    def cents(self, texts: Any, numbers: Any, what: str) -> np.ndarray:
        cents, bad = _amounts_to_cents(texts)
        self._bad(bad, texts, numbers, what, f"an amount; expected {_AMOUNT_RULE}")
        return cents

    def numbers(self, texts: Any, numbers: Any, what: str) -> np.ndarray:
        values, bad = _numbers(texts)
        self._bad(bad, texts, numbers, what, "a number")
        return values

    def check(self) -> None:
        if self.first_bad is not None:
            position, message = self.first_bad
            file, number = self.batch.locate(position)
            raise X12Error(message, segment_number=number,
                           segment=self.batch.segment(file, number), file=self.batch.names[file])


def _adjustments(cas: _Recorded, batch: _Batch, conv: _Converter,
                 line_numbers: np.ndarray) -> dict[str, Any]:
    """One row per CAS (reason, amount, quantity) triplet, in file order."""
    note = batch.note
    for i in np.flatnonzero(cas.counts > 20):
        note(int(cas.numbers[i]), f"CAS has {cas.counts[i] - 1} elements; those after CAS19 "
             "are ignored")
    group = cas.element(1)
    for i in np.flatnonzero(_empty(group)):
        note(int(cas.numbers[i]), "CAS01 (group code) is empty")
    rows, triplet, reasons, amounts, quantities = [], [], [], [], []
    adjusted = np.zeros(len(cas.numbers), dtype=bool)
    for j in range(6):
        if not (cas.counts > 2 + 3 * j).any():
            break
        reason, amount, quantity = (cas.element(2 + 3 * j + d) for d in range(3))
        no_reason, no_amount, no_quantity = _empty(reason), _empty(amount), _empty(quantity)
        present = ~(no_reason & no_amount & no_quantity)
        adjusted |= present
        for i in np.flatnonzero(present & no_reason):
            note(int(cas.numbers[i]), f"CAS{2 + 3 * j:02d} (reason code) is empty")
        for i in np.flatnonzero(present & no_amount):
            note(int(cas.numbers[i]), f"CAS{3 + 3 * j:02d} is empty; read as 0.00")
        take = np.flatnonzero(present)
        rows.append(take)
        triplet.append(np.full(len(take), j))
        reasons.append(reason.take(take))
        amounts.append(pc.if_else(pc.equal(amount, ""), "0", amount).take(take))
        quantities.append(pc.if_else(pc.equal(quantity, ""), pa.scalar(None, pa.string()),
                                     quantity).take(take))
    for i in np.flatnonzero(~adjusted):
        note(int(cas.numbers[i]), "CAS holds no adjustment")
    if not rows:
        row = np.zeros(0, dtype=np.int64)
        reason = amount = quantity = pa.array([], type=pa.string())
    else:
        order = np.lexsort((np.concatenate(triplet), np.concatenate(rows)))
        row = np.concatenate(rows)[order]
        reason, amount, quantity = (pa.concat_arrays(parts).take(order)
                                    for parts in (reasons, amounts, quantities))
    numbers = cas.numbers[row]
    line_pos = cas.line_pos[row]
    on_claim = line_pos < 0
    return {
        "claim_seq": cas.claim_pos[row] + batch.start.claims + 1,
        "line_seq": pd.arrays.IntegerArray(line_pos + batch.start.lines + 1, on_claim),
        "line_number": pd.arrays.IntegerArray(
            line_numbers[np.where(on_claim, 0, line_pos)] if len(line_numbers) else
            np.zeros(len(row), dtype=np.int64), on_claim),
        "level": _strings(pa.array(np.where(on_claim, "claim", "line"), type=pa.string())),
        "group_code": _strings(group.take(row)),
        "reason_code": _strings(reason),
        "amount_cents": conv.cents(amount, numbers, "CAS amount"),
        "quantity": conv.numbers(quantity, numbers, "CAS quantity"),
        "segment_number": batch.local(numbers),
    }


def _dated(dtm: _Recorded, batch: _Batch, n_claims: int, n_lines: int
           ) -> dict[str, np.ndarray]:
    """The DTM dates of claims (232, 233, 050) and of lines (472, 150, 151)."""
    qualifier, text = dtm.element(1), dtm.element(2)
    shaped = pc.match_substring_regex(text, _DATE_PATTERN).to_numpy(zero_copy_only=False)
    parsed = pd.to_datetime(pd.Series(pd.array(text, dtype=_S)), format="%Y%m%d",
                            errors="coerce").to_numpy(dtype=_D)
    valid = shaped & ~np.isnat(parsed)
    given = ~_empty(text)
    on_line = dtm.line_pos >= 0
    out = {}
    for qualifiers, size, positions, mask in ((_CLAIM_DATES, n_claims, dtm.claim_pos, ~on_line),
                                              (_LINE_DATES, n_lines, dtm.line_pos, on_line)):
        for code, column in qualifiers.items():
            chosen = mask & pc.equal(qualifier, code).to_numpy(zero_copy_only=False)
            for i in np.flatnonzero(chosen & given & ~valid):
                batch.note(int(dtm.numbers[i]), f"DTM*{code} {text[i].as_py()!r} is not a "
                           "date CCYYMMDD; read as missing")
            ok = np.flatnonzero(chosen & valid)
            out[column] = _place_dates(size, positions[ok], parsed[ok])
    return out


def _named(nm1: _Recorded, n_claims: int) -> dict[str, Any]:
    """Patient (NM1*QC) and rendering provider (NM1*82) of each claim."""
    out: dict[str, Any] = {}
    for code, columns in (("QC", {"patient_last_name": 3, "patient_first_name": 4,
                                  "patient_member_id": 9}),
                          ("82", {"rendering_provider_qualifier": 8,
                                  "rendering_provider_id": 9})):
        rows = np.flatnonzero(nm1.where(1, code))
        for column, k in columns.items():
            out[column] = _place_text(n_claims, nm1.claim_pos[rows], nm1.element(k).take(rows))
    npi = pc.if_else(pc.equal(out["rendering_provider_qualifier"], "XX"),
                     out["rendering_provider_id"], pa.scalar(None, pa.string()))
    out["rendering_npi"] = npi
    return {column: _strings(values) for column, values in out.items()}


def _line_details(ref: _Recorded, amt: _Recorded, batch: _Batch, conv: _Converter,
                  n_lines: int) -> dict[str, Any]:
    """Line control number (REF*6R) and allowed amount (AMT*B6) of each line."""
    rows = np.flatnonzero(ref.where(1, "6R") & (ref.line_pos >= 0))
    control = _place_text(n_lines, ref.line_pos[rows], ref.element(2).take(rows))
    allowed_text = amt.element(2)
    b6 = amt.where(1, "B6") & (amt.line_pos >= 0)
    for i in np.flatnonzero(b6 & _empty(allowed_text)):
        batch.note(int(amt.numbers[i]), "AMT02 is empty; the allowed amount is read as "
                   "missing")
    rows = np.flatnonzero(b6 & ~_empty(allowed_text))
    text = _place_text(n_lines, amt.line_pos[rows], allowed_text.take(rows))
    numbers = _place_text(n_lines, amt.line_pos[rows], pa.array(amt.numbers[rows]))
    cents = conv.cents(text, numbers.fill_null(0).to_numpy(), "AMT02")
    return {"line_control_number": _strings(control),
            "allowed_cents": pd.arrays.IntegerArray(cents, text.is_null().to_numpy(
                zero_copy_only=False))}


def _owners(ends: list[int]) -> np.ndarray:
    """The file index of each row, from the row count after each file."""
    counts = np.diff(np.array([0, *ends], dtype=np.int64))
    return np.repeat(np.arange(len(ends), dtype=np.int64), counts)


def _concat_lists(chunks: list[pa.ListArray]) -> pa.ListArray:
    if not chunks:
        return pa.array([], type=pa.list_(pa.string()))
    return chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)


class _Batch:
    """The files of one call: rows of a run of files, turned into frames in one go.

    Building the frames has a fixed cost whatever their length, so the files are walked one by
    one into these row lists, which become frames only when they hold about
    :data:`_BATCH_SEGMENTS` segments (:meth:`flush`) and at the end (:meth:`result`): a folder
    of small files costs that fixed cost once, and a folder of large ones does not hold all its
    rows as Python objects at once. A single file is never split.

    Rows keep the segment number in their own file; a *position* (that number plus the
    segments of the files before it in the run) orders segments across files, and
    :meth:`locate` turns it back into a file and segment number. Each file's text is kept
    until its run is built, so that a warning or error found then can quote its segment; the
    segment lists themselves are dropped once a file is walked.
    """

    def __init__(self) -> None:
        self.files: list[str] = []  # all files read
        self.parts: list[dict[str, pd.DataFrame]] = []  # the frames of the runs built so far
        self.met = 0  # files met so far, read or skipped
        self.warnings: list[tuple[int, X12Warning]] = []  # with the place of their file
        self.start = _Sequences()  # payments, claims and lines of the runs built so far
        self._new_run()

    def _new_run(self) -> None:
        self.names: list[str] = []
        self.texts: list[str] = []
        self.orders: list[int] = []  # place of each file among the files met (read or skipped)
        self.offsets: list[int] = []  # segments of the files before each file
        self.positions = 0  # segments of the run's files so far
        self.payments: list[dict[str, Any]] = []
        self.claims: list[list[Any]] = []
        self.lines: list[list[Any]] = []
        self.plb: list[tuple[Any, ...]] = []
        # rows of each kind after each file
        self.ends: dict[str, list[int]] = {"payments": [], "claims": [], "lines": [], "plb": []}
        self.detail_at: dict[str, list[np.ndarray]] = {tag: [] for tag in _DETAILS}
        self.detail_elements: dict[str, list[pa.ListArray]] = {tag: [] for tag in _DETAILS}
        self._segments: dict[int, list[str]] = {}  # files split again to quote a segment

    # -- reading files ------------------------------------------------------------------------

    def add(self, source: str | bytes | Path, name: str, *, listed: bool = False) -> None:
        """Walk one file into the rows.

        Parameters
        ----------
        source
            A file, or its content (text or bytes). A file is read here, so that its bytes are
            freed once decoded.
        name
            The file's name in warnings, errors and the ``file`` columns.
        listed
            True for a file found by listing a directory: skipped, with a warning, when it
            does not start like an X12 file.

        Raises
        ------
        X12Error
            When the file cannot be read or is not a readable 835; or for the first bad value
            of an earlier file, which comes first in file order.
        """
        order = self.met
        self.met += 1
        try:
            data = source
            if isinstance(source, Path):
                try:
                    data = source.read_bytes()
                except OSError as exc:
                    raise X12Error(f"cannot read the file: {exc.strerror}", file=name) from exc
                if listed and not _looks_like_x12(data):
                    self.warnings.append((order, X12Warning(
                        name, None, None, "skipped: does not start like an X12 file")))
                    return
            del source
            text = self._decode(data, name, order)
            del data
            start = self.start
            reader = _FileReader(text, name, _Sequences(
                start.payments + len(self.payments), start.claims + len(self.claims),
                start.lines + len(self.lines)))
            reader.read()
        except X12Error:
            if self.names:
                self.flush()  # raises the first bad value of the files before, if any
            raise
        self._keep(reader, text, order)
        if self.positions >= _BATCH_SEGMENTS:
            self.flush()

    def _decode(self, data: str | bytes, name: str, order: int) -> str:
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                data = data.decode("latin-1")
                self.warnings.append((order, X12Warning(name, None, None,
                                                        "not valid UTF-8; read as Latin-1")))
        text = data.lstrip("\ufeff \t\r\n")
        if not text:
            raise X12Error("the file is empty", file=name)
        return text

    def _keep(self, reader: _FileReader, text: str, order: int) -> None:
        """Take over the rows of a walked file; its detail segments are split now."""
        offset = self.positions
        self.files.append(reader.name)
        self.names.append(reader.name)
        self.texts.append(text)
        self.orders.append(order)
        self.offsets.append(offset)
        self.positions += len(reader.segments)
        for key, rows in (("payments", reader.payments), ("claims", reader.claims),
                          ("lines", reader.lines), ("plb", reader.plb)):
            mine = getattr(self, key)
            mine += rows
            self.ends[key].append(len(mine))
        segments = reader.segments
        for tag, numbers in reader.details.items():
            texts = pa.array([segments[n - 1] for n in numbers], type=pa.string())
            self.detail_elements[tag].append(pc.split_pattern(texts, reader.element))
            self.detail_at[tag].append(np.frombuffer(numbers, dtype=np.int64) + offset)
        self.warnings += [(order, w) for w in reader.warnings]
        logger.info("read %s: %d segments, %d transactions, %d claims", reader.name,
                    len(segments), len(reader.payments), len(reader.claims))

    # -- positions ----------------------------------------------------------------------------

    def locate(self, position: int) -> tuple[int, int]:
        """The file index and 1-based segment number of a position."""
        file = bisect.bisect_left(self.offsets, position) - 1
        return file, position - self.offsets[file]

    def local(self, positions: np.ndarray) -> np.ndarray:
        """Segment numbers in their files, of positions."""
        offsets = np.array(self.offsets, dtype=np.int64)
        return positions - offsets[np.searchsorted(offsets, positions) - 1]

    def segment(self, file: int, number: int) -> str:
        """The text of segment ``number`` of file ``file`` (the file is split again)."""
        if file not in self._segments:
            self._segments[file] = _layout(self.texts[file], self.names[file]).segments
        return self._segments[file][number - 1]

    def note(self, position: int, message: str) -> None:
        """A warning about the segment at ``position``, found while the frames are built."""
        file, number = self.locate(position)
        self.warnings.append((self.orders[file], X12Warning(
            self.names[file], number, self.segment(file, number), message)))
        logger.debug("%s segment %s: %s", self.names[file], number, message)

    # -- frames -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Build the frames of the run of files walked so far, and start a new run.

        Raises
        ------
        X12Error
            At the first bad value of the run, in file order.
        """
        end = _Sequences(self.start.payments + len(self.payments),
                         self.start.claims + len(self.claims),
                         self.start.lines + len(self.lines))
        self.parts.append(self._frames())
        self.start = end
        self._new_run()

    def result(self) -> Remittance:
        """The Remittance of all files read: the frames of the runs, and the warnings in file
        order (in segment order within a file)."""
        return _assemble(*self.collected())

    def collected(self) -> tuple[dict[str, pd.DataFrame], list[X12Warning], list[str]]:
        """The frames of all files read (without the balancing rules and ``claim_count``,
        which :func:`_assemble` adds), the warnings in file order and the files."""
        if self.names or not self.parts:
            self.flush()
        frames = {key: (pd.concat([part[key] for part in self.parts], ignore_index=True)
                        if len(self.parts) > 1 else self.parts[0][key])
                  for key in self.parts[0]}
        self.parts = []
        ordered = sorted(self.warnings, key=lambda w: (w[0], w[1].segment_number or 0))
        return frames, [warning for _, warning in ordered], self.files

    def _frames(self) -> dict[str, pd.DataFrame]:
        """The frames of the run, amounts converted; raises X12Error at the first bad value.

        Warnings found on the way are added to :attr:`warnings`.
        """
        conv = _Converter(self)
        offsets = np.array(self.offsets, dtype=np.int64)
        owners = {key: _owners(ends) for key, ends in self.ends.items()}
        names = pa.array(self.names, type=pa.string())

        def positions(numbers: Sequence[int], key: str) -> np.ndarray:
            return np.asarray(numbers, dtype=np.int64) + offsets[owners[key]]

        pay = _columns(list(_PAYMENT_COLUMNS) + ["bpr_segment"],
                       [itemgetter(*_PAYMENT_COLUMNS, "bpr_segment")(p) for p in self.payments])
        pay["total_paid_cents"] = conv.cents(pay["total_paid_cents"],
                                             positions(pay["bpr_segment"], "payments"), "BPR02")
        pay["claim_count"] = np.zeros(len(self.payments), dtype=np.int64)

        n_claims, n_lines = len(self.claims), len(self.lines)
        # the rows become columns; the row lists are freed at once (the flush starts a new run)
        clm = _columns(_CLAIM_ROW, self.claims)
        self.claims = []
        claim_at = positions(clm["segment_number"], "claims")
        for column, element in (("charge_cents", "CLP03"), ("paid_cents", "CLP04"),
                                ("patient_resp_cents", "CLP05")):
            clm[column] = conv.cents(clm[column], claim_at, element)
        meaning = {status: claim_status_meaning(status) for status in set(clm["status"])}
        clm["status_meaning"] = [meaning[status] for status in clm["status"]]

        lin = _columns(_LINE_ROW, self.lines)
        self.lines = []
        line_at = positions(lin["segment_number"], "lines")
        lin["charge_cents"] = conv.cents(lin["charge_cents"], line_at, "SVC02")
        lin["paid_cents"] = conv.cents(lin["paid_cents"], line_at, "SVC03")
        units = conv.numbers(lin["units"], line_at, "SVC05")
        lin["units"] = np.where(np.isnan(units), 1.0, units)

        details = {tag: _Recorded(np.concatenate([np.zeros(0, dtype=np.int64),
                                                  *self.detail_at[tag]]),
                                  _concat_lists(self.detail_elements[tag]), claim_at, line_at)
                   for tag in _DETAILS}
        dates = _dated(details["DTM"], self, n_claims, n_lines)
        clm.update({column: dates[column] for column in _CLAIM_DATES.values()})
        clm.update(_named(details["NM1"], n_claims))
        lin.update({column: dates[column] for column in _LINE_DATES.values()})
        lin.update(_line_details(details["REF"], details["AMT"], self, conv, n_lines))
        adj = _adjustments(details["CAS"], self, conv,
                           np.asarray(lin["line_number"], dtype=np.int64))

        plb = _columns(_PLB_ROW, self.plb)
        plb["amount_cents"] = conv.cents(plb["amount_cents"],
                                         positions(plb["segment_number"], "plb"), "PLB amount")

        conv.check()
        claim_files = names.take(owners["claims"])
        claims = _frame(_CLAIM_COLUMNS, clm, claim_files)
        for columns in (lin, adj):  # the claim's st_control and claim_id, by position
            position = np.asarray(columns["claim_seq"], dtype=np.int64) - self.start.claims - 1
            for column in ("st_control", "claim_id"):
                columns[column] = claims[column].array.take(position)
        return {
            "payments": _frame(_PAYMENT_COLUMNS, pay, names.take(owners["payments"])),
            "claims": claims,
            "service_lines": _frame(_LINE_COLUMNS, lin, names.take(owners["lines"])),
            "adjustments": _frame(_ADJUSTMENT_COLUMNS, adj,
                                  claim_files.take(adj["claim_seq"] - self.start.claims - 1)),
            "provider_adjustments": _frame(_PLB_COLUMNS, plb, names.take(owners["plb"])),
        }


def _sum_by(values: pd.Series, keys: pd.Series, index: pd.Series) -> np.ndarray:
    """Sum ``values`` by ``keys`` (sequence numbers), read at ``index``; exact int64."""
    at = index.to_numpy(dtype=np.int64)
    keys_np = keys.to_numpy(dtype=np.int64)
    totals = np.zeros(max(int(at.max(initial=0)), int(keys_np.max(initial=0))) + 1,
                      dtype=np.int64)
    np.add.at(totals, keys_np, values.to_numpy(dtype=np.int64))
    return totals[at]


def _balance_errors(payments: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame,
                    adjustments: pd.DataFrame, plb: pd.DataFrame) -> pd.DataFrame:
    """Check the three balancing rules; one row per violation."""
    rows: list[tuple[Any, ...]] = []
    seq_to_payment = dict(zip(claims["claim_seq"], claims["payment_seq"], strict=True))

    on_lines = adjustments[adjustments["level"] == "line"]
    line_adjusted = _sum_by(on_lines["amount_cents"], on_lines["line_seq"].astype("int64"),
                            lines["line_seq"])
    expected = lines["charge_cents"].to_numpy() - line_adjusted
    for i in np.flatnonzero(expected != lines["paid_cents"].to_numpy()):
        r = lines.iloc[i]
        rows.append(("line", r["file"], r["st_control"], seq_to_payment[r["claim_seq"]],
                     r["claim_seq"], r["claim_id"], r["line_number"], int(expected[i]),
                     int(r["paid_cents"]), r["segment_number"],
                     f"claim {r['claim_id']} line {r['line_number']}: SVC02 "
                     f"{format_cents(int(r['charge_cents']))} − line adjustments "
                     f"{format_cents(int(line_adjusted[i]))} should equal SVC03"))

    claim_adjusted = _sum_by(adjustments["amount_cents"], adjustments["claim_seq"],
                             claims["claim_seq"])
    expected = claims["charge_cents"].to_numpy() - claim_adjusted
    for i in np.flatnonzero(expected != claims["paid_cents"].to_numpy()):
        r = claims.iloc[i]
        rows.append(("claim", r["file"], r["st_control"], r["payment_seq"], r["claim_seq"],
                     r["claim_id"], None, int(expected[i]), int(r["paid_cents"]),
                     r["segment_number"],
                     f"claim {r['claim_id']}: CLP03 {format_cents(int(r['charge_cents']))} − "
                     f"claim and line adjustments {format_cents(int(claim_adjusted[i]))} "
                     "should equal CLP04"))

    paid = _sum_by(claims["paid_cents"], claims["payment_seq"], payments["payment_seq"])
    provider = _sum_by(plb["amount_cents"], plb["payment_seq"], payments["payment_seq"])
    expected = paid - provider
    for i in np.flatnonzero(expected != payments["total_paid_cents"].to_numpy()):
        r = payments.iloc[i]
        rows.append(("transaction", r["file"], r["st_control"], r["payment_seq"], None, None,
                     None, int(expected[i]), int(r["total_paid_cents"]), r["segment_number"],
                     f"transaction {r['st_control']}: Σ CLP04 {format_cents(int(paid[i]))} − "
                     f"Σ PLB {format_cents(int(provider[i]))} should equal BPR02"))

    names = ("rule", "file", "st_control", "payment_seq", "claim_seq", "claim_id",
             "line_number", "expected_cents", "actual_cents", "segment_number", "message")
    columns = _columns(names, rows)
    columns["difference_cents"] = [a - x for a, x in zip(columns["actual_cents"],
                                                         columns["expected_cents"], strict=True)]
    frame = pd.DataFrame({c: _as(columns[c], dtype) for c, dtype in _BALANCE_COLUMNS.items()})
    return frame.sort_values(["payment_seq", "segment_number"], kind="stable",
                             ignore_index=True)


def _assemble(frames: dict[str, pd.DataFrame], warnings: list[X12Warning], files: list[str]
              ) -> Remittance:
    payments, claims = frames["payments"], frames["claims"]
    payments["claim_count"] = _sum_by(pd.Series(np.ones(len(claims), dtype=np.int64)),
                                      claims["payment_seq"], payments["payment_seq"])
    balance = _balance_errors(payments, claims, frames["service_lines"],
                              frames["adjustments"], frames["provider_adjustments"])
    return Remittance(**frames, balance_errors=balance, warnings=warnings, files=files)


# ---- public API ----------------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the rows of a call are built.

    The reader creates hundreds of thousands of small lists that all stay alive until the
    frames are built; the collector would scan them again and again for nothing (it cost 40 %
    of the read time). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_835(data: str | bytes, name: str = "<memory>") -> Remittance:
    """Read one 835 file's content held in memory (text or bytes).

    Parameters
    ----------
    data
        The content. Bytes are decoded as UTF-8, or as Latin-1 (with a warning) when they are
        not valid UTF-8.
    name
        What to call it in warnings, errors and the ``file`` columns.

    Returns
    -------
    Remittance
        See :func:`read_835`.

    Raises
    ------
    X12Error
        When the content is not a readable 835 (see :func:`read_835`).
    """
    batch = _Batch()
    with _gc_paused():
        batch.add(data, name)
        return batch.result()


def _paths(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
           pattern: str) -> list[tuple[Path, bool]]:
    """The files to read, each with True when it was found by listing a directory."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    found: list[tuple[Path, bool]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found += [(p, True) for p in sorted(path.glob(pattern))
                      if p.is_file() and not p.name.startswith(".")]
        elif path.is_file():
            found.append((path, False))
        elif any(ch in str(item) for ch in "*?["):
            found += [(Path(p), False) for p in sorted(glob.glob(str(item))) if Path(p).is_file()]
        else:
            raise X12Error("no such file or directory", file=str(item))
    if not found:
        raise X12Error(f"no files to read (pattern {pattern!r})", file=str(source))
    return found


# Total size of the files above which read_835 reads on every core by default (jobs=None):
# below it, starting the worker processes and sending their frames back gains little.
_PARALLEL_BYTES = 32 * 1024 * 1024

# The key columns of each frame, with the key they hold (a _Sequences field): what is
# renumbered when the frames of chunks of files read apart are put together.
_KEY_COLUMNS: dict[str, dict[str, str]] = {
    "payments": {"payment_seq": "payments"},
    "claims": {"claim_seq": "claims", "payment_seq": "payments"},
    "service_lines": {"line_seq": "lines", "claim_seq": "claims"},
    "adjustments": {"claim_seq": "claims", "line_seq": "lines"},
    "provider_adjustments": {"payment_seq": "payments"},
}

# Frames (keys numbered from 1), warnings and files of a run of files: Batch.collected().
_Collected = tuple[dict[str, pd.DataFrame], list[X12Warning], list[str]]


def _read_files(paths: list[tuple[Path, bool]]) -> _Collected:
    """Read files one after the other (the caller pauses the garbage collector)."""
    batch = _Batch()
    for path, listed in paths:
        batch.add(path, str(path), listed=listed)
    return batch.collected()


def _read_chunk(paths: list[tuple[Path, bool]]) -> tuple[str | None, tuple[Any, ...] | None]:
    """:func:`_read_files` in a worker process: the temporary file its result is pickled to
    (a few hundred MB go through a file several times faster than through the executor's
    pipe), or the fields of the X12Error (an exception is pickled with its message only)."""
    try:
        with _gc_paused():
            result = _read_files(paths)
    except X12Error as exc:
        return None, (exc.reason, exc.segment_number, exc.segment, exc.file)
    with tempfile.NamedTemporaryFile("wb", prefix="pracops-835-", delete=False) as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    return out.name, None


def _load_chunk(name: str) -> _Collected:
    """The result pickled by :func:`_read_chunk`; the file is removed."""
    try:
        with open(name, "rb") as file:
            return pickle.load(file)
    finally:
        os.unlink(name)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reported when the file is read


def _chunks(paths: list[tuple[Path, bool]], sizes: list[int], jobs: int
            ) -> list[list[tuple[Path, bool]]]:
    """``paths`` in at most ``jobs`` contiguous, non-empty chunks of about equal bytes: a file
    goes to the chunk its middle byte falls in."""
    weights = sizes if sum(sizes) else [1] * len(sizes)
    total = sum(weights)
    chunks: list[list[tuple[Path, bool]]] = [[] for _ in range(jobs)]
    before = 0
    for item, weight in zip(paths, weights, strict=True):
        chunks[min(jobs - 1, int((before + weight / 2) * jobs / total))].append(item)
        before += weight
    return [chunk for chunk in chunks if chunk]


def _merge(parts: list[_Collected]) -> _Collected:
    """The frames of consecutive chunks of files read apart, put together in order with their
    keys renumbered as if read in one go; each chunk's frames are dropped once used."""
    starts = [_Sequences()]
    for frames, _, _ in parts[:-1]:
        last = starts[-1]
        starts.append(_Sequences(last.payments + len(frames["payments"]),
                                 last.claims + len(frames["claims"]),
                                 last.lines + len(frames["service_lines"])))
    merged: dict[str, pd.DataFrame] = {}
    for key in list(parts[0][0]):
        pieces = []
        for (frames, _, _), start in zip(parts, starts, strict=True):
            piece = frames.pop(key)
            for column, counter in _KEY_COLUMNS.get(key, {}).items():
                piece[column] += getattr(start, counter)
            pieces.append(piece)
        merged[key] = pd.concat(pieces, ignore_index=True)
    return (merged, [w for _, warnings, _ in parts for w in warnings],
            [f for _, _, files in parts for f in files])


def _read_parallel(chunks: list[list[tuple[Path, bool]]]) -> _Collected:
    """Read the first chunk here and each other one in a worker process, at the same time.

    Raises
    ------
    X12Error
        The error of the first chunk that has one, so the first in file order.
    """
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    with ProcessPoolExecutor(len(chunks) - 1, mp_context=context) as pool:
        futures = [pool.submit(_read_chunk, chunk) for chunk in chunks[1:]]
        try:
            parts = [_read_files(chunks[0])]
            for future in futures:
                name, error = future.result()
                if error is not None:
                    reason, number, segment, file = error
                    raise X12Error(reason, segment_number=number, segment=segment, file=file)
                parts.append(_load_chunk(name))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            for future in futures:  # the results nobody will read
                if not future.cancelled() and future.exception() is None:
                    name = future.result()[0]
                    if name is not None and os.path.exists(name):
                        os.unlink(name)
            raise
    return _merge(parts)


def read_835(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
             pattern: str = "*", jobs: int | None = None) -> Remittance:
    """Read 835 remittance files into DataFrames in exact integer cents.

    Parameters
    ----------
    source
        A file, a directory, a glob pattern (``"eras/2024-*.835"``) or a list of them.
        The files of a directory are those matching ``pattern``, in name order; among them,
        files that do not start like an X12 file (a README, say) are skipped with a warning.
        A file named directly must be an 835.
    pattern
        Which files of a directory to read (``"*.835"``); all by default.
    jobs
        How many processes read the files: the ordered files are split into ``jobs``
        contiguous chunks of about equal bytes, read at the same time (this process and
        ``jobs - 1`` worker processes) and put together in file order; the result is the same
        as with ``jobs=1``, which reads them one after the other in this process. ``None``
        (the default) means ``os.cpu_count()`` when there is more than one file and they total
        more than 32 MB, else 1. A single file is never split.

    Returns
    -------
    Remittance
        Payments, claims, service lines, adjustments, provider adjustments, balance errors
        and warnings of all the files together.

    Raises
    ------
    X12Error
        For a missing file, and for input that cannot be read as an 835: no ISA (or ST)
        at the start, an ISA that is not 106 characters, a truncated file (no SE, GE or IEA
        at the end), a segment outside a transaction, an amount that is not a number, a
        trailer count or control number that disagrees, a transaction without BPR. The
        error names the file, the 1-based segment number and the segment's text. With several
        errors, the one of the first file in order is raised, whatever ``jobs``.
    ValueError
        When ``jobs`` is below 1.

    Notes
    -----
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
    """
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    paths = _paths(source, pattern)
    chunks = [paths]
    if len(paths) > 1 and jobs != 1:
        sizes = [_size(path) for path, _ in paths]
        if jobs is None:
            jobs = (os.cpu_count() or 1) if sum(sizes) > _PARALLEL_BYTES else 1
        chunks = _chunks(paths, sizes, jobs)
    with _gc_paused():
        return _assemble(*(_read_files(paths) if len(chunks) == 1 else _read_parallel(chunks)))
