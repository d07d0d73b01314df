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

How it is fast (see ``bench/bench_x12.py``): the text is split once; one loop walks the
segments, reading CLP and SVC inline into plain lists and merely noting the segment numbers of
the frequent detail segments (CAS, DTM, REF, AMT, NM1, MIA, MOA), which are then split and
placed on their claim or line a column at a time with pyarrow; amounts are validated and converted a
column at a time too (an RE2 pattern and an exact ``decimal128`` cast, never ``float``); the
balancing rules are computed on the finished frames. Building the frames has a fixed cost
(~20 ms), so the rows of consecutive files accumulate and are converted together, once per run
of about a million segments (``_Batch``): a folder of 250 small files costs it once, not 250
times. The cyclic garbage collector is paused during a call (it would otherwise rescan the many
live row lists for nothing). A large folder is read on every core (``read_835(jobs=...)``):
contiguous chunks of files are read at the same time in worker processes and their frames put
together in file order, keys renumbered. The workers are bound to the calling process
(:func:`pracops.processes.die_with_parent`): killed, even by SIGKILL, it leaves none behind.
"""

from __future__ import annotations

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

from pracops.errors import X12Error, os_problem
from pracops.money import MAX_AMOUNT_CENTS, format_cents
from pracops.processes import die_with_parent, load_prctl
from pracops.x12.codes import claim_status_meaning

__all__ = ["PATIENT_COLUMNS", "Remittance", "parse_835", "read_835"]

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
    "statement_end_date": _D, "received_date": _D, "remark_codes": _S, "line_count": _I,
    "segment_number": _I,
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
_SUPPLEMENTAL_COLUMNS: dict[str, str] = {
    "claim_seq": _I, "line_seq": _NI, "file": _S, "st_control": _S, "claim_id": _S,
    "line_number": _NI, "level": _S, "segment_id": _S, "element": _S, "qualifier": _S,
    "description": _S, "amount_cents": _I, "segment_number": _I,
}
_WARNING_COLUMNS: dict[str, str] = {
    "file": _S, "segment_number": _NI, "segment_id": _S, "message": _S,
}
_QUARANTINE_COLUMNS: dict[str, str] = {
    "file": _S, "reason": _S, "segment_number": _NI, "paid_cents": _NI,
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
_DETAILS = ("CAS", "DTM", "REF", "AMT", "NM1", "MIA", "MOA")
_C_LINES = _CLAIM_ROW.index("line_count")
_L_REMARKS = _LINE_ROW.index("remark_codes")
_CLAIM_DATES = {"232": "statement_start_date", "233": "statement_end_date",
                "050": "received_date"}
_LINE_DATES = {"472": "service_date", "150": "service_start_date", "151": "service_end_date"}
# Remark codes (MIA05, MIA20-23; MOA03-07) and money elements of the claim adjudication
# segments: element number -> what it is (X12 835 5010 guide, loop 2100).
_REMARK_ELEMENTS = {"MIA": (5, 20, 21, 22, 23), "MOA": (3, 4, 5, 6, 7)}
_MONEY_ELEMENTS = {
    "MIA": {2: "PPS operating outlier amount", 4: "claim DRG amount",
            6: "claim disproportionate share amount", 7: "claim MSP pass-through amount",
            8: "claim PPS capital amount", 9: "PPS capital FSP DRG amount",
            10: "PPS capital HSP DRG amount", 11: "PPS capital DSH DRG amount",
            12: "old capital amount", 13: "PPS capital IME amount",
            14: "PPS operating hospital-specific DRG amount",
            16: "PPS operating federal-specific DRG amount",
            17: "claim PPS capital outlier amount", 18: "claim indirect teaching amount",
            19: "nonpayable professional component amount", 24: "PPS capital exception amount"},
    "MOA": {2: "claim HCPCS payable amount", 8: "ESRD payment amount",
            9: "nonpayable professional component amount"},
}
# AMT qualifiers of the claim (loop 2100) and service line (2110) besides the line's B6.
_AMOUNT_QUALIFIERS = {
    "AU": "coverage amount", "D8": "discount amount", "DY": "per day limit",
    "F5": "patient amount paid", "I": "interest", "NL": "negative ledger balance",
    "T": "tax", "T2": "total claim before taxes", "ZK": "federal mandate category 1",
    "ZL": "federal mandate category 2", "ZM": "federal mandate category 3",
    "ZN": "federal mandate category 4", "ZO": "federal mandate category 5",
    "B6": "allowed amount", "KH": "deduction amount",
}

# ---- segment vocabulary --------------------------------------------------------------------

# Segments an 835 may carry that this reader does not need: passed over without a warning.
_UNUSED = ("N2", "N3", "N4", "PER", "CUR", "RDM", "TS3", "TS2", "QTY", "TA1")
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


# A warning while reading: (file, segment number or None, segment id or None, message).
_Warning = tuple[str, int | None, str | None, str]
# A quarantined file: (file, reason, segment number or None, BPR02 cents or None).
_Quarantine = tuple[str, str, int | None, int | None]


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


_TAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _tag(segment: str, element: str) -> str | None:
    """The id of a segment (``'CLP'``), or None when its start is not a segment id (then it is
    not shown: it may be any text)."""
    tag = segment.split(element, 1)[0].strip()
    return tag if 2 <= len(tag) <= 3 and set(tag) <= _TAG_CHARS else None


def _shown(text: str, kind: str = "code") -> str:
    """A value of the file as a message may quote it: only short codes, counts and control
    numbers (``kind='code'``: letters and digits; ``'number'``: digits only) or amounts with
    at most one stray character (``'amount'``: '2O0.00'), never anything that could be a
    patient's name or member id; else how long it is."""
    if kind == "amount":
        stray = sum(ch not in "0123456789.,-+$() " for ch in text)
        ok = len(text) <= 18 and stray <= 1 and any(ch.isdigit() for ch in text)
    elif kind == "number":
        ok = len(text) <= 9 and text.isascii() and text.isdigit()
    else:
        ok = len(text) <= 3 and text.isascii() and text.isalnum()
    if ok:
        return repr(text)
    return f"(a value of {len(text)} characters, not shown)" if text else "(empty)"


# ---- delimiters and segments ---------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    segments: list[str]
    element: str
    component: str
    enveloped: bool
    note: str | None
    terminated: bool  # the last segment ends with a terminator (a cut file does not)


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


def _split(text: str, terminator: str) -> tuple[list[str], bool]:
    """Remove line breaks that are not terminators, then split into segments.

    Also says whether the last segment was closed by a terminator (always True when the
    terminator is a line break: a missing last line break is common and harmless).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if terminator in _LINE_BREAKS:
        segments = text.split("\n")
    else:
        segments = text.replace("\n", "").split(terminator)
    count = len(segments)
    while segments and not segments[-1].strip(" \t\r\n\x00\x1a"):
        segments.pop()
    return segments, terminator in _LINE_BREAKS or len(segments) < count


def _layout_from_isa(text: str, name: str) -> _Layout:
    element = text[3] if len(text) > 3 else ""
    if not element or element.isalnum() or element in " " + _LINE_BREAKS:
        raise X12Error("the character after 'ISA' must be the element separator",
                       segment_number=1, segment_id="ISA", file=name)
    pos = 3
    for _ in range(15):  # the 16th separator opens ISA16
        pos = text.find(element, pos + 1, 4 * _ISA_LENGTH)
        if pos < 0:
            raise X12Error("the ISA segment is incomplete: it needs 16 elements",
                           segment_number=1, segment_id="ISA", file=name)
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
                       "ISA16): it is truncated", segment_number=1, segment_id="ISA",
                       file=name)
    component, terminator = text[j], text[k]
    if terminator in _LINE_BREAKS:
        terminator = "\n"
    isa = text[:j + 1].replace("\r", "").replace("\n", "").split(element)
    repetition = isa[11] if (len(isa[11]) == 1 and not isa[11].isalnum()
                             and isa[12] >= "00402") else None
    _check_delimiters(element, component, terminator, repetition, "the ISA segment", name)
    segments, terminated = _split(text, terminator)
    return _Layout(segments, element, component, True, None, terminated)


def _layout_without_isa(text: str, name: str) -> _Layout:
    tag, element = text[:2], text[2]
    terminator = ""
    for ch in text[3:200]:
        if ch != element and not ch.isalnum() and ch != " ":
            terminator = "\n" if ch in _LINE_BREAKS else ch
            break
    if not terminator:
        raise X12Error(f"no segment terminator found after the {tag} segment",
                       segment_number=1, segment_id=tag, file=name)
    segments, terminated = _split(text, terminator)
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
    return _Layout(segments, element, component, False, note, terminated)


def _layout(text: str, name: str) -> _Layout:
    if text.startswith("ISA"):
        return _layout_from_isa(text, name)
    if text[:2] in ("ST", "GS") and len(text) > 3 and not text[2].isalnum():
        return _layout_without_isa(text, name)
    hint = (": it holds NUL characters (UTF-16 text or binary data); save the remittance as "
            "plain text" if "\x00" in text[:512] else "")
    raise X12Error(f"not an X12 file: it should start with an ISA segment{hint}",
                   segment_number=1, file=name)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _looks_like_x12(data: bytes) -> bool:
    if data[:2] in _UTF16_BOMS:
        data = data[:64].decode("utf-16", errors="replace").encode("utf-8", errors="replace")
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
    """Walks the segments of one file, collecting rows of element text.

    ``strict``: an envelope fault raises (via :class:`_Bad`) instead of being warned about.
    """

    def __init__(self, text: str, name: str, start: _Sequences, *, strict: bool) -> None:
        self.name = name
        self.strict = strict
        self.warnings: list[_Warning] = []
        layout = _layout(text, name)
        self.segments = layout.segments
        self.element = layout.element
        self.component = layout.component
        self.enveloped = layout.enveloped
        self.terminated = layout.terminated
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
            "PLB": self._plb, **dict.fromkeys(_DETAILS, self._detail),
            "SVC": self._orphan, "LQ": self._orphan, "CLP": None, **dict.fromkeys(_UNUSED),
        }

    # -- warnings -----------------------------------------------------------------------------

    def _note(self, number: int | None, message: str) -> None:
        tag = _tag(self.segments[number - 1], self.element) if number else None
        self.warnings.append((self.name, number, tag, message))
        logger.debug("%s segment %s: %s", self.name, number, message)

    def _empty_amount(self, number: int, element: str) -> str:
        self._note(number, f"{element} is empty; read as 0.00")
        return "0"

    def _control(self, message: str, number: int | None = None, then: str = "") -> None:
        """An envelope fault: an error with ``strict`` in an interchange, else a warning
        saying what the reader did (``then``): the envelope carries no money. An extract
        without ISA is only warned about, strict or not.
        """
        if self.strict and self.enveloped:
            raise _Bad(message)
        self._note(number or self.n, f"{message}; {then}" if then else message)

    def paid_texts(self) -> list[str]:
        """The BPR02 text of every transaction read so far, the open one included."""
        open_one = [self.payment] if self.in_st else []
        return [p["total_paid_cents"] for p in [*self.payments, *open_one]
                if p.get("total_paid_cents") is not None]

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
            self.n = n
            self._finish()
        except _Bad as exc:
            raise X12Error(str(exc), segment_number=self.n or None,
                           segment_id=_tag(segments[self.n - 1], element) if self.n else None,
                           file=self.name) from None

    def _other(self, e: list[str]) -> None:
        """Envelope, header and summary segments, and everything out of place."""
        tag = e[0]
        if len(e) == 1 and not tag:
            self.empties += 1
            self._note(self.n, "empty segment (two terminators in a row) skipped")
            return
        handler = self.handlers.get(tag, _MISSING)
        if handler is _MISSING:
            what = f"segment {tag!r}" if _tag(tag, self.element) else "a segment without an id"
            self._note(self.n, f"{what} is not part of an 835 remittance; skipped")
        elif not self.in_st and tag not in _ENVELOPE:
            raise _Bad(f"{tag} segment outside a transaction (no ST before it)")
        elif handler is not None:
            handler(e)

    def _finish(self) -> None:
        """The end of the file: close what is still open."""
        last = len(self.segments)
        if self.in_st:
            if not self.terminated:
                raise _Bad(f"the file ends inside transaction "
                           f"{_shown(self.payment['st_control'], 'number')}, in the middle of "
                           "a segment (no segment terminator after it): it is truncated")
            self._close_transaction("the file ends", last)
        if self.gs_open:
            self._control("the file ends without the GE segment that closes the functional "
                          "group", last)
            self.gs_open = False
        if self.isa_open:
            self._control("the file ends without the IEA segment that closes the "
                          "interchange", last)
            self.isa_open = False
        if not self.payments:
            self._note(None, "no 835 transaction (ST … SE) in this file")

    def _close_transaction(self, before: str, number: int | None = None) -> None:
        """A transaction left open (its SE missing): an envelope fault; the transaction is
        taken as it stands (its money is checked like any other)."""
        self._control(f"transaction {_shown(self.payment['st_control'], 'number')} has no SE "
                      f"segment ({before} first)", number, "read up to there")
        self._end_transaction()

    def _end_transaction(self) -> None:
        if self.payment["total_paid_cents"] is None:
            raise _Bad("the transaction has no BPR segment (payment amount)")
        self.payments.append(self.payment)
        self.in_st = False
        self.level = 0

    def _detail(self, e: list[str]) -> None:
        """A detail segment the loop did not record: at the header, or without elements."""
        tag = e[0]
        if self.level:
            self.details[tag].append(self.n)
        elif tag == "CAS":
            raise _Bad("CAS before any CLP: it must belong to a claim or a service line")
        elif tag in ("NM1", "MIA", "MOA", "AMT"):
            self._note(self.n, f"{tag} outside a claim; skipped")
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
        if len(e) != 17:
            raise _Bad(f"the ISA segment has {len(e) - 1} elements; it must have 16")
        if e[16] != self.component:
            raise _Bad("this interchange declares other delimiters than the first one in the "
                       "file; split the file into one file per interchange")
        if len(seg) + 1 != _ISA_LENGTH:
            self._control(f"the ISA segment is {len(seg) + 1} characters with its terminator; "
                          f"the standard fixes it at {_ISA_LENGTH} (each field padded to its "
                          "width)")
        if self.in_st:
            self._close_transaction("an ISA came")
        if self.gs_open:
            self._control("the functional group has no GE segment (an ISA came first)")
            self.gs_open = False
        if self.isa_open:
            self._control("the interchange has no IEA segment (another ISA came first)")
        self.isa_open = True
        self.isa_control = e[13]
        self.gs_count = 0

    def _iea(self, e: list[str]) -> None:
        if self.in_st:
            self._close_transaction("IEA came")
        if not self.isa_open:
            self._control("IEA without an ISA before it", then="ignored")
            return
        if self.gs_open:
            self._control("IEA before the GE that closes the functional group")
            self.gs_open = False
        e += [""] * (3 - len(e))
        if not _is_count(e[1], self.gs_count):
            self._control(f"IEA01 says {_shown(e[1], 'number')} functional groups, the "
                          f"interchange has {self.gs_count}")
        if e[2] != self.isa_control:
            self._control(f"IEA02 {_shown(e[2], 'number')} does not match ISA13 "
                          f"{_shown(self.isa_control or '', 'number')}")
        self.isa_open = False

    def _gs(self, e: list[str]) -> None:
        if self.in_st:
            self._close_transaction("a GS came")
        if self.gs_open:
            self._control("the functional group has no GE segment (another GS came first)")
        if self.enveloped and not self.isa_open:
            self._control("GS outside an interchange (no ISA before it)")
        e += [""] * (7 - len(e))
        self.gs_open = True
        self.gs_control = e[6]
        self.gs_count += 1
        self.st_count = 0

    def _ge(self, e: list[str]) -> None:
        if self.in_st:
            self._close_transaction("GE came")
        if not self.gs_open:
            self._control("GE without a GS before it", then="ignored")
            return
        e += [""] * (3 - len(e))
        if not _is_count(e[1], self.st_count):
            self._control(f"GE01 says {_shown(e[1], 'number')} transactions, the group has "
                          f"{self.st_count}")
        if e[2] != self.gs_control:
            self._control(f"GE02 {_shown(e[2], 'number')} does not match GS06 "
                          f"{_shown(self.gs_control or '', 'number')}")
        self.gs_open = False

    def _st(self, e: list[str]) -> None:
        e += [""] * (3 - len(e))
        if e[1] != "835":
            raise _Bad(f"transaction set {_shown(e[1])} is not an 835 remittance advice")
        if self.in_st:
            self._close_transaction("another ST came")
        if self.enveloped and not self.gs_open:
            self._control("ST outside a functional group (no GS before it)")
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
            self._control("SE without an ST before it", then="ignored")
            return
        p = self.payment
        e += [""] * (3 - len(e))
        count = self.n - self.st_start + 1 - (self.empties - self.st_empties)
        if not _is_count(e[1], count):
            self._control(f"SE01 says {_shown(e[1], 'number')} segments, the transaction has "
                          f"{count}")
        if e[2] != p["st_control"]:
            self._control(f"SE02 {_shown(e[2], 'number')} does not match ST02 "
                          f"{_shown(p['st_control'] or '', 'number')}")
        self._end_transaction()

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
            self._note(self.n, f"{element} is not a date CCYYMMDD; read as missing")
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
            self._note(n, f"SVC01 is only the qualifier {text!r} and its code stands in the "
                       "next element (an element separator where a component separator "
                       "belongs); read as one composite, the amounts one element to the left")
            return [text, *e[2].split(self.component)], [e[0], text, *e[3:]]
        if len(text) > 3 and text[:2] in _PRODUCT_QUALIFIERS and not text[2].isalnum():
            self._note(n, f"SVC01 separates its components with {text[2]!r}, not with the "
                       f"declared {self.component!r}; read with {text[2]!r}")
            return text.split(text[2]), e
        self._note(n, "SVC01 has no qualifier and code components; read as the code")
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
    """Converts text columns, remembering the first bad value (in file order) of each file."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        # file index in the run -> (position, segment id, message) of its first bad value
        self.bad: dict[int, tuple[int, str, str]] = {}

    def _bad(self, bad: np.ndarray, texts: Any, numbers: Any, what: str, rule: str) -> None:
        if not bad.any():
            return
        numbers = np.asarray(numbers, dtype=np.int64)
        where = np.flatnonzero(bad)
        files = self.batch.file_of(numbers[where])
        for file in np.unique(files):
            mine = where[files == file]
            i = int(mine[np.argmin(numbers[mine])])
            if int(file) not in self.bad or numbers[i] < self.bad[int(file)][0]:
                text = texts[i].as_py() if isinstance(texts, pa.Array) else texts[i]
                self.bad[int(file)] = (int(numbers[i]), what[:3],
                                       f"{what} {_shown(text, 'amount')} is not {rule}")

    def cents(self, texts: Any, numbers: Any, what: str) -> np.ndarray:
        cents, bad = _amounts_to_cents(texts)
        self._bad(bad, texts, numbers, what, f"an amount; expected {_AMOUNT_RULE}")
        # as in every input file: beyond a billion dollars is a slip, never a payment
        self._bad(np.abs(cents) > MAX_AMOUNT_CENTS, texts, numbers, what,
                  "an amount within ±$1,000,000,000")
        return cents

    def numbers(self, texts: Any, numbers: Any, what: str) -> np.ndarray:
        values, bad = _numbers(texts)
        self._bad(bad, texts, numbers, what, "a number")
        return values

    def errors(self) -> dict[int, X12Error]:
        """The first bad value of each file that has one, as the error it is."""
        out = {}
        for file, (position, tag, message) in self.bad.items():
            number = position - self.batch.offsets[file]
            out[file] = X12Error(message, segment_number=number, segment_id=tag,
                                 file=self.batch.names[file])
        return out


def _adjustments(cas: _Recorded, batch: _Batch, conv: _Converter,
                 line_numbers: np.ndarray) -> dict[str, Any]:
    """One row per CAS (reason, amount, quantity) triplet, in file order."""
    def note(position: int, message: str) -> None:
        batch.note(position, message, "CAS")

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
                batch.note(int(dtm.numbers[i]), f"DTM*{code} (DTM02) is not a date CCYYMMDD; "
                           "read as missing", "DTM")
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
                   "missing", "AMT")
    rows = np.flatnonzero(b6 & ~_empty(allowed_text))
    text = _place_text(n_lines, amt.line_pos[rows], allowed_text.take(rows))
    numbers = _place_text(n_lines, amt.line_pos[rows], pa.array(amt.numbers[rows]))
    cents = conv.cents(text, numbers.fill_null(0).to_numpy(), "AMT02")
    return {"line_control_number": _strings(control),
            "allowed_cents": pd.arrays.IntegerArray(cents, text.is_null().to_numpy(
                zero_copy_only=False))}


def _remarks(details: dict[str, _Recorded], n_claims: int) -> Any:
    """The ``;``-joined remark codes of each claim's MIA (MIA05, MIA20-23) and MOA (MOA03-07),
    in segment then element order."""
    claims, orders, codes = [], [], []
    for tag, elements in _REMARK_ELEMENTS.items():
        rec = details[tag]
        for k in elements if len(rec.numbers) else ():
            code = rec.element(k)
            rows = np.flatnonzero(~_empty(code))
            claims.append(rec.claim_pos[rows])
            orders.append(rec.numbers[rows] * 32 + k)
            codes += code.take(rows).to_pylist()
    out = np.full(n_claims, None, dtype=object)
    if codes:
        frame = pd.DataFrame({"claim": np.concatenate(claims), "order": np.concatenate(orders),
                              "code": codes})
        joined = frame.sort_values(["claim", "order"]).groupby("claim")["code"].agg(";".join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return _strings(out.tolist())


def _supplemental(details: dict[str, _Recorded], batch: _Batch, conv: _Converter,
                  line_numbers: np.ndarray) -> dict[str, Any]:
    """One row per amount of MIA, MOA and AMT (but a line's AMT*B6, the allowed amount), in
    file order: money the balancing rules do not use, kept so that nothing is dropped."""
    parts: list[tuple[Any, ...]] = []  # (row indices, recorded, element, qualifier, description)
    for tag, elements in _MONEY_ELEMENTS.items():
        rec = details[tag]
        for k, description in elements.items() if len(rec.numbers) else ():
            rows = np.flatnonzero(~_empty(rec.element(k)))
            parts.append((rows, rec, k, f"{tag}{k:02d}", None, description))
    amt = details["AMT"]
    if len(amt.numbers):
        qualifier, amount = amt.element(1), amt.element(2)
        other = ~(pc.equal(qualifier, "B6").to_numpy(zero_copy_only=False)
                  & (amt.line_pos >= 0))
        for i in np.flatnonzero(other & _empty(amount)):
            batch.note(int(amt.numbers[i]), "AMT02 is empty; the amount is read as missing",
                       "AMT")
        rows = np.flatnonzero(other & ~_empty(amount))
        names = qualifier.take(rows).to_pylist()
        parts.append((rows, amt, 2, "AMT02", names,
                      [_AMOUNT_QUALIFIERS.get(q, "amount") for q in names]))
    columns: dict[str, list[Any]] = {c: [] for c in (
        "numbers", "claim_pos", "line_pos", "order", "segment_id", "element", "qualifier",
        "description", "amount_cents")}
    for rows, rec, k, element, qualifiers, description in parts:
        n = len(rows)
        numbers = rec.numbers[rows]
        columns["numbers"].append(numbers)
        columns["claim_pos"].append(rec.claim_pos[rows])
        columns["line_pos"].append(rec.line_pos[rows])
        columns["order"].append(numbers * 32 + k)
        columns["segment_id"] += [element[:3]] * n
        columns["element"] += [element] * n
        columns["qualifier"] += qualifiers if qualifiers is not None else [None] * n
        columns["description"] += (description if isinstance(description, list)
                                   else [description] * n)
        columns["amount_cents"].append(conv.cents(rec.element(k).take(rows), numbers, element))
    arrays = {c: np.concatenate([np.zeros(0, dtype=np.int64), *columns[c]])
              for c in ("numbers", "claim_pos", "line_pos", "order", "amount_cents")}
    order = np.argsort(arrays["order"], kind="stable")
    line_pos = arrays["line_pos"][order]
    on_claim = line_pos < 0
    return {
        "claim_seq": arrays["claim_pos"][order] + batch.start.claims + 1,
        "line_seq": pd.arrays.IntegerArray(line_pos + batch.start.lines + 1, on_claim),
        "line_number": pd.arrays.IntegerArray(
            line_numbers[np.where(on_claim, 0, line_pos)] if len(line_numbers) else
            np.zeros(len(order), dtype=np.int64), on_claim),
        "level": _strings(pa.array(np.where(on_claim, "claim", "line"), type=pa.string())),
        **{c: _strings([columns[c][i] for i in order])
           for c in ("segment_id", "element", "qualifier", "description")},
        "amount_cents": arrays["amount_cents"][order],
        "segment_number": batch.local(arrays["numbers"][order]),
    }


def _owners(ends: list[int]) -> np.ndarray:
    """The file index of each row, from the row count after each file."""
    counts = np.diff(np.array([0, *ends], dtype=np.int64))
    return np.repeat(np.arange(len(ends), dtype=np.int64), counts)


def _concat_lists(chunks: list[pa.ListArray]) -> pa.ListArray:
    if not chunks:
        return pa.array([], type=pa.list_(pa.string()))
    return chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)


_FRAMES = ("payments", "claims", "service_lines", "adjustments", "provider_adjustments",
           "supplemental_amounts")

# The key columns of each frame, with the key they hold (a _Sequences field): what is
# renumbered when the frames of chunks of files read apart are put together, or when the rows
# of quarantined files are taken out.
_KEY_COLUMNS: dict[str, dict[str, str]] = {
    "payments": {"payment_seq": "payments"},
    "claims": {"claim_seq": "claims", "payment_seq": "payments"},
    "service_lines": {"line_seq": "lines", "claim_seq": "claims"},
    "adjustments": {"claim_seq": "claims", "line_seq": "lines"},
    "provider_adjustments": {"payment_seq": "payments"},
    "supplemental_amounts": {"claim_seq": "claims", "line_seq": "lines"},
}
# The key each frame's rows belong to: a row is dropped with the payment, claim or line.
_OWNER_KEY = {"payments": ("payment_seq", "payments"), "claims": ("claim_seq", "claims"),
              "service_lines": ("line_seq", "lines"), "adjustments": ("claim_seq", "claims"),
              "provider_adjustments": ("payment_seq", "payments"),
              "supplemental_amounts": ("claim_seq", "claims")}


class _Batch:
    """The files of one call: rows of a run of files, turned into frames in one go.

    Building the frames has a fixed cost whatever their length, so the files are walked one by
    one into these row lists, which become frames only when they hold about
    :data:`_BATCH_SEGMENTS` segments (:meth:`flush`) and at the end (:meth:`result`): a folder
    of small files costs that fixed cost once, and a folder of large ones does not hold all its
    rows as Python objects at once. A single file is never split.

    Rows keep the segment number in their own file; a *position* (that number plus the
    segments of the files before it in the run) orders segments across files, and
    :meth:`file_of` turns it back into a file of the run.

    With ``strict`` False, a file that cannot be read or whose transaction does not balance
    is quarantined (:attr:`quarantined`) and its rows and warnings are left out; with
    ``strict`` True the first fault in file order raises :class:`X12Error`.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.files: list[tuple[int, str]] = []  # (place, name) of the files read
        self.parts: list[dict[str, pd.DataFrame]] = []  # the frames of the runs built so far
        self.met = 0  # files met so far, read, skipped or quarantined
        self.warnings: list[tuple[int, _Warning]] = []  # with the place of their file
        self.quarantined: list[tuple[int, _Quarantine]] = []  # with the place of their file
        self.start = _Sequences()  # payments, claims and lines of the runs built so far
        self._new_run()

    def _new_run(self) -> None:
        self.names: list[str] = []
        self.orders: list[int] = []  # place of each file among the files met
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

    # -- reading files ------------------------------------------------------------------------

    def add(self, source: str | bytes | Path, name: str, *, listed: bool = False) -> None:
        """Walk one file into the rows, or quarantine it.

        Parameters
        ----------
        source
            A file, or its content (text or bytes). A file is read here, so that its bytes are
            freed once decoded.
        name
            The file's name in warnings, errors and the ``file`` columns.
        listed
            True for a file found by listing a directory: with ``strict``, skipped with a
            warning when it does not start like an X12 file.

        Raises
        ------
        X12Error
            With ``strict`` only: when the file cannot be read or is not a readable 835; or
            for the first bad value of an earlier file, which comes first in file order.
        """
        order = self.met
        self.met += 1
        reader = None
        try:
            data = source
            if isinstance(source, Path):
                if listed and source.is_dir() and not source.is_symlink():
                    # a sub-folder (an archive of old ERAs, say) holds no payment of its own
                    self.warnings.append((order, (name, None, None, "a folder: skipped (only "
                                                  "the files directly in the folder are "
                                                  "read)")))
                    return
                data = _read_bytes(source, name)
                if listed and self.strict and not _looks_like_x12(data):
                    self.warnings.append((order, (name, None, None,
                                                  "skipped: does not start like an X12 file")))
                    return
            del source
            text = self._decode(data, name, order)
            del data
            start = self.start
            reader = _FileReader(text, name, _Sequences(
                start.payments + len(self.payments), start.claims + len(self.claims),
                start.lines + len(self.lines)), strict=self.strict)
            reader.read()
        except X12Error as exc:
            if self.strict:
                if self.names:
                    self.flush()  # raises the first bad value of the files before, if any
                raise
            texts = reader.paid_texts() if reader is not None else []
            self._quarantine(order, exc, _cents_or_none(texts))
            return
        self._keep(reader, order)
        if self.positions >= _BATCH_SEGMENTS:
            self.flush()

    def _quarantine(self, order: int, exc: X12Error, paid_cents: int | None) -> None:
        self.quarantined.append((order, (exc.file or "", exc.reason, exc.segment_number,
                                         paid_cents)))
        logger.warning("quarantined: %s", exc)

    def _decode(self, data: str | bytes, name: str, order: int) -> str:
        if isinstance(data, bytes):
            if data[:2] in _UTF16_BOMS:
                try:
                    data = data.decode("utf-16")
                except UnicodeDecodeError as exc:
                    raise X12Error(f"not valid UTF-16 text (byte {exc.start} cannot be "
                                   "decoded)", file=name) from None
                self.warnings.append((order, (name, None, None, "UTF-16 text; read as such")))
            else:
                try:
                    data = data.decode("utf-8")
                except UnicodeDecodeError:
                    data = data.decode("latin-1")
                    self.warnings.append((order, (name, None, None,
                                                  "not valid UTF-8; read as Latin-1")))
        text = data.lstrip("\ufeff \t\r\n")
        if not text:
            raise X12Error("the file is empty", file=name)
        return text

    def _keep(self, reader: _FileReader, order: int) -> None:
        """Take over the rows of a walked file; its detail segments are split now."""
        offset = self.positions
        self.files.append((order, reader.name))
        self.names.append(reader.name)
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
            if not numbers:
                continue
            texts = pa.array([segments[n - 1] for n in numbers], type=pa.string())
            self.detail_elements[tag].append(pc.split_pattern(texts, reader.element))
            self.detail_at[tag].append(np.frombuffer(numbers, dtype=np.int64) + offset)
        self.warnings += [(order, w) for w in reader.warnings]
        logger.info("read %s: %d segments, %d transactions, %d claims", reader.name,
                    len(segments), len(reader.payments), len(reader.claims))

    # -- positions ----------------------------------------------------------------------------

    def file_of(self, positions: np.ndarray) -> np.ndarray:
        """The file (index in the run) of each position."""
        return np.searchsorted(np.array(self.offsets, dtype=np.int64), positions,
                               side="left") - 1

    def local(self, positions: np.ndarray) -> np.ndarray:
        """Segment numbers in their files, of positions."""
        offsets = np.array(self.offsets, dtype=np.int64)
        return positions - offsets[np.searchsorted(offsets, positions) - 1]

    def note(self, position: int, message: str, tag: str) -> None:
        """A warning about the segment ``tag`` at ``position``, found while the frames are
        built."""
        file = int(self.file_of(np.array([position]))[0])
        number = position - self.offsets[file]
        self.warnings.append((self.orders[file], (self.names[file], number, tag, message)))
        logger.debug("%s segment %s: %s", self.names[file], number, message)

    # -- frames -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Build the frames of the run of files walked so far, and start a new run.

        Raises
        ------
        X12Error
            With ``strict``: at the first bad value of the run, in file order.
        """
        frames = self._frames()
        self.parts.append(frames)
        self.start = _Sequences(self.start.payments + len(frames["payments"]),
                                self.start.claims + len(frames["claims"]),
                                self.start.lines + len(frames["service_lines"]))
        self._new_run()

    def result(self) -> Remittance:
        """The Remittance of all files read."""
        return _assemble(*self.collected())

    def collected(self) -> _Collected:
        """The frames of all files read (without the balancing rules and ``claim_count``,
        which :func:`_assemble` adds), the warnings in file order (segment order within a
        file), the files read and the files quarantined, in file order."""
        if self.names or not self.parts:
            self.flush()
        frames = {key: (pd.concat([part[key] for part in self.parts], ignore_index=True)
                        if len(self.parts) > 1 else self.parts[0][key])
                  for key in self.parts[0]}
        self.parts = []
        out = {order for order, _ in self.quarantined}
        ordered = sorted(((o, w) for o, w in self.warnings if o not in out),
                         key=lambda w: (w[0], w[1][1] or 0))
        return (frames, [warning for _, warning in ordered],
                [name for order, name in self.files if order not in out],
                [q for _, q in sorted(self.quarantined, key=itemgetter(0))])

    def _frames(self) -> dict[str, pd.DataFrame]:
        """The frames of the run, amounts converted; bad values and unbalanced transactions
        quarantine their file (``strict``: the first bad value raises X12Error).

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
        paid_texts = pay["total_paid_cents"]
        pay["total_paid_cents"] = conv.cents(paid_texts,
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
        clm["remark_codes"] = _remarks(details, n_claims)
        lin.update({column: dates[column] for column in _LINE_DATES.values()})
        lin.update(_line_details(details["REF"], details["AMT"], self, conv, n_lines))
        line_numbers = np.asarray(lin["line_number"], dtype=np.int64)
        adj = _adjustments(details["CAS"], self, conv, line_numbers)
        sup = _supplemental(details, self, conv, line_numbers)

        plb = _columns(_PLB_ROW, self.plb)
        plb["amount_cents"] = conv.cents(plb["amount_cents"],
                                         positions(plb["segment_number"], "plb"), "PLB amount")

        bad = conv.errors()
        if self.strict and bad:
            raise bad[min(bad)]
        claim_files = names.take(owners["claims"])
        claims = _frame(_CLAIM_COLUMNS, clm, claim_files)
        for columns in (lin, adj, sup):  # the claim's st_control and claim_id, by position
            position = np.asarray(columns["claim_seq"], dtype=np.int64) - self.start.claims - 1
            for column in ("st_control", "claim_id"):
                columns[column] = claims[column].array.take(position)
        frames = {
            "payments": _frame(_PAYMENT_COLUMNS, pay, names.take(owners["payments"])),
            "claims": claims,
            "service_lines": _frame(_LINE_COLUMNS, lin, names.take(owners["lines"])),
            "adjustments": _frame(_ADJUSTMENT_COLUMNS, adj,
                                  claim_files.take(adj["claim_seq"] - self.start.claims - 1)),
            "provider_adjustments": _frame(_PLB_COLUMNS, plb, names.take(owners["plb"])),
            "supplemental_amounts": _frame(_SUPPLEMENTAL_COLUMNS, sup, claim_files.take(
                sup["claim_seq"] - self.start.claims - 1)),
        }
        if self.strict:
            return frames
        bad.update(self._unbalanced(frames, owners["payments"], bad))
        if not bad:
            return frames
        for file, exc in sorted(bad.items()):
            mine = owners["payments"] == file
            texts = [t for t, m in zip(paid_texts, mine, strict=True) if m]
            self._quarantine(self.orders[file], exc, _cents_or_none(texts))
        dropped = np.zeros(len(self.names), dtype=bool)
        dropped[list(bad)] = True
        return _without(frames, {key: dropped[owners[key]] for key in ("payments", "claims",
                                                                      "lines")}, self.start)

    def _unbalanced(self, frames: dict[str, pd.DataFrame], payment_files: np.ndarray,
                    bad: dict[int, X12Error]) -> dict[int, X12Error]:
        """The files (not already quarantined) with a transaction whose BPR02 is not Σ CLP04
        − Σ PLB, each with the error of its first such transaction."""
        pay, claims = frames["payments"], frames["claims"]
        plb = frames["provider_adjustments"]
        paid = _sum_by(claims["paid_cents"], claims["payment_seq"], pay["payment_seq"])
        provider = _sum_by(plb["amount_cents"], plb["payment_seq"], pay["payment_seq"])
        bpr = pay["total_paid_cents"].to_numpy()
        out: dict[int, X12Error] = {}
        for i in np.flatnonzero(paid - provider != bpr):
            file = int(payment_files[i])
            if file in bad or file in out:
                continue
            st = pay["st_control"].iloc[i]
            out[file] = X12Error(
                f"transaction {_shown('' if pd.isna(st) else st, 'number')} does not "
                f"balance: BPR02 {format_cents(int(bpr[i]))} should be Σ CLP04 "
                f"{format_cents(int(paid[i]))} − Σ PLB {format_cents(int(provider[i]))} = "
                f"{format_cents(int(paid[i] - provider[i]))}; ask the payer for a corrected "
                "file", segment_number=int(pay["segment_number"].iloc[i]), segment_id="ST",
                file=self.names[file])
        return out


def _read_bytes(path: Path, name: str) -> bytes:
    """The bytes of a file; X12Error (saying what to do) when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        reason, fix = os_problem(exc)
    raise X12Error(f"cannot read the file: {reason}; {fix}", file=name)


def _cents_or_none(texts: Sequence[str | None]) -> int | None:
    """Σ of amount texts in cents, or None when there are none or one is not an amount."""
    if not texts:
        return None
    cents, bad = _amounts_to_cents(list(texts))
    return None if bad.any() else int(cents.sum())


def _without(frames: dict[str, pd.DataFrame], dropped: dict[str, np.ndarray],
             start: _Sequences) -> dict[str, pd.DataFrame]:
    """The frames of a run without the rows of the dropped payments, claims and lines (the
    rows of quarantined files), keys renumbered to run on without gaps."""
    new_ids = {kind: getattr(start, kind) + np.cumsum(~mask)
               for kind, mask in dropped.items()}
    out = {}
    for key, frame in frames.items():
        column, kind = _OWNER_KEY[key]
        keep = ~dropped[kind][frame[column].to_numpy(dtype=np.int64) - getattr(start, kind) - 1]
        frame = frame[keep].reset_index(drop=True)
        for column, kind in _KEY_COLUMNS[key].items():
            values = frame[column]
            old = values.fillna(getattr(start, kind) + 1).to_numpy(dtype=np.int64)
            renumbered = new_ids[kind][old - getattr(start, kind) - 1]
            frame[column] = (pd.arrays.IntegerArray(renumbered, values.isna().to_numpy())
                             if values.dtype == _NI else renumbered)
        out[key] = frame
    return out


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
    """Check the four balancing rules; one row per violation.

    ``line``: SVC02 − Σ line CAS = SVC03. ``claim``: CLP03 − Σ (claim CAS + line CAS) =
    CLP04. ``claim_lines``, for a claim with service lines: Σ SVC03 − Σ claim CAS = CLP04 —
    the claim pays what its lines pay, less what is adjusted at the claim level only (the 835
    guide reports an adjustment at the line or at the claim level, never both: X12 RFI 358;
    "if there are not claim level (2100) adjustments, CLP04 will equal the sum of SVC03",
    X12 RFI 452; lines paid 70 + 15, a claim-level adjustment of 5, CLP04 80, X12 RFI 1053
    on the 5010 guides). Without it, a claim whose charge and adjustments agree with CLP04
    while its lines pay a different sum (``CLP*C1*1*100*80``, ``SVC*HC:99213*120*100``,
    ``CAS*CO*45*20``) would pass. ``transaction``: Σ CLP04 − Σ PLB = BPR02.
    """
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

    # claim against its lines: CLP04 = Σ SVC03 − Σ claim-level CAS, for claims with lines
    lines_paid = _sum_by(lines["paid_cents"], lines["claim_seq"], claims["claim_seq"])
    line_count = _sum_by(pd.Series(np.ones(len(lines), dtype=np.int64)), lines["claim_seq"],
                         claims["claim_seq"])
    on_claims = adjustments[adjustments["level"] == "claim"]
    claim_only = _sum_by(on_claims["amount_cents"], on_claims["claim_seq"], claims["claim_seq"])
    expected = lines_paid - claim_only
    wrong = (line_count > 0) & (expected != claims["paid_cents"].to_numpy())
    for i in np.flatnonzero(wrong):
        r = claims.iloc[i]
        rows.append(("claim_lines", r["file"], r["st_control"], r["payment_seq"],
                     r["claim_seq"], r["claim_id"], None, int(expected[i]),
                     int(r["paid_cents"]), r["segment_number"],
                     f"claim {r['claim_id']}: Σ SVC03 of its {int(line_count[i])} line(s) "
                     f"{format_cents(int(lines_paid[i]))} − claim adjustments "
                     f"{format_cents(int(claim_only[i]))} should equal CLP04"))

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


def _assemble(frames: dict[str, pd.DataFrame], warnings: list[_Warning], files: list[str],
              quarantined: list[_Quarantine]) -> Remittance:
    payments, claims = frames["payments"], frames["claims"]
    payments["claim_count"] = _sum_by(pd.Series(np.ones(len(claims), dtype=np.int64)),
                                      claims["payment_seq"], payments["payment_seq"])
    balance = _balance_errors(payments, claims, frames["service_lines"],
                              frames["adjustments"], frames["provider_adjustments"])
    return Remittance(**frames, balance_errors=balance,
                      warnings=_table(_WARNING_COLUMNS, warnings),
                      quarantined=_table(_QUARANTINE_COLUMNS, quarantined), files=files)


def _table(schema: dict[str, str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """A small frame of rows (warnings, quarantined files) with its dtypes."""
    columns = _columns(list(schema), rows)
    return pd.DataFrame({c: _as(columns[c], dtype) for c, dtype in schema.items()})


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
    batch = _Batch(strict=strict)
    with _gc_paused():
        batch.add(data, name)
        return batch.result()


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

# Frames (keys numbered from 1), warnings, files and quarantined files of a run of files:
# Batch.collected().
_Collected = tuple[dict[str, pd.DataFrame], list[_Warning], list[str], list[_Quarantine]]


def _read_files(paths: list[tuple[Path, bool]], strict: bool) -> _Collected:
    """Read files one after the other (the caller pauses the garbage collector)."""
    batch = _Batch(strict=strict)
    for path, listed in paths:
        batch.add(path, str(path), listed=listed)
    return batch.collected()


def _read_chunk(paths: list[tuple[Path, bool]], strict: bool
                ) -> tuple[str | None, tuple[Any, ...] | None]:
    """:func:`_read_files` in a worker process: the temporary file its result is pickled to
    (a few hundred MB go through a file several times faster than through the executor's
    pipe), or the fields of the X12Error (an exception is pickled with its message only)."""
    try:
        with _gc_paused():
            result = _read_files(paths, strict)
    except X12Error as exc:
        return None, (exc.reason, exc.segment_number, exc.segment_id, exc.file)
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
    for frames, *_ in parts[:-1]:
        last = starts[-1]
        starts.append(_Sequences(last.payments + len(frames["payments"]),
                                 last.claims + len(frames["claims"]),
                                 last.lines + len(frames["service_lines"])))
    merged: dict[str, pd.DataFrame] = {}
    for key in list(parts[0][0]):
        pieces = []
        for (frames, *_), start in zip(parts, starts, strict=True):
            piece = frames.pop(key)
            for column, counter in _KEY_COLUMNS.get(key, {}).items():
                piece[column] += getattr(start, counter)
            pieces.append(piece)
        merged[key] = pd.concat(pieces, ignore_index=True)
    return (merged, [w for part in parts for w in part[1]],
            [f for part in parts for f in part[2]], [q for part in parts for q in part[3]])


def _read_parallel(chunks: list[list[tuple[Path, bool]]], strict: bool) -> _Collected:
    """Read the first chunk here and each other one in a worker process, at the same time.

    Raises
    ------
    X12Error
        With ``strict``: the error of the first chunk that has one, so the first in file
        order.
    """
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    load_prctl()  # looked up here once, not in every worker
    # each worker dies with this process, even after a SIGKILL (then blocked on the pipe of
    # a pool nobody shuts down, it would live on)
    with ProcessPoolExecutor(len(chunks) - 1, mp_context=context,
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_read_chunk, chunk, strict) for chunk in chunks[1:]]
        try:
            parts = [_read_files(chunks[0], strict)]
            for future in futures:
                name, error = future.result()
                if error is not None:
                    reason, number, segment_id, file = error
                    raise X12Error(reason, segment_number=number, segment_id=segment_id,
                                   file=file)
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
             pattern: str = "*", jobs: int | None = None, strict: bool = False) -> Remittance:
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
        When ``jobs`` is below 1.

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
    paths = _paths(source, pattern)
    chunks = [paths]
    if len(paths) > 1 and jobs != 1:
        sizes = [_size(path) for path, _ in paths]
        if jobs is None:
            jobs = (os.cpu_count() or 1) if sum(sizes) > _PARALLEL_BYTES else 1
        chunks = _chunks(paths, sizes, jobs)
    with _gc_paused():
        return _assemble(*(_read_files(paths, strict) if len(chunks) == 1
                           else _read_parallel(chunks, strict)))
