"""What walking one 835 file collects, and where the walk stands: :class:`FileRows`.

The walk (:mod:`pracops.x12.walk`) fills it: a row of element text per payment (ST … SE),
claim (CLP), service line (SVC) and provider adjustment (PLB) — amounts stay text, converted
a column at a time later (:mod:`pracops.x12.frames`) — and, of the frequent detail segments
(:data:`DETAILS`), only their segment numbers. Its warnings, in segment order, go with them.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

import datetime as _dt
import logging
from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pracops.x12.schema import FIRST_DAY, LAST_DAY, PAYMENT_COLUMNS, Sequences, WarningRow
from pracops.x12.segments import Layout, segment_tag

# The reader's one logger, whichever of its modules writes.
logger = logging.getLogger("pracops.x12.read")

# ---- what the walk collects ----------------------------------------------------------------
# Claims and lines are rows of the CLP or SVC element text (amounts converted later). Of the
# frequent detail segments (CAS, DTM, REF, AMT, NM1 inside a claim) only the segment number is
# recorded; they are parsed a column at a time when the frames are built, and their claim and
# line found from the segment numbers of the CLP and SVC segments before them.

CLAIM_ROW = (
    "claim_seq", "payment_seq", "st_control", "claim_id", "status", "charge_cents",
    "paid_cents", "patient_resp_cents", "filing_indicator", "payer_claim_number",
    "facility_code", "claim_frequency", "line_count", "segment_number",
)
LINE_ROW = (
    "line_seq", "claim_seq", "line_number", "procedure_qualifier", "procedure_code",
    "modifiers", "charge_cents", "paid_cents", "revenue_code", "units",
    "original_procedure_qualifier", "original_procedure_code", "remark_codes", "segment_number",
)
PLB_ROW = (
    "payment_seq", "st_control", "provider_id", "fiscal_period_date", "reason_code",
    "reference_id", "amount_cents", "segment_number",
)
DETAILS = ("CAS", "DTM", "REF", "AMT", "NM1", "MIA", "MOA")
# The columns of the claim and line rows that hold integers (keys, counts, segment numbers);
# the others hold text.
CLAIM_INTS = frozenset({"claim_seq", "payment_seq", "line_count", "segment_number"})
LINE_INTS = frozenset({"line_seq", "claim_seq", "line_number", "segment_number"})
# Columns of rows: int64 arrays for integers, Arrow strings for text.
Columns = dict[str, Any]
# The detail segments of one kind: their segment numbers and their elements.
Details = dict[str, tuple[np.ndarray, pa.ListArray]]


def as_columns(names: Sequence[str], ints: frozenset[str], rows: Sequence[Sequence[Any]]
               ) -> Columns:
    """Rows to columns: int64 arrays for the columns named in ``ints``, else Arrow strings."""
    columns = zip(*rows, strict=True) if rows else [()] * len(names)
    return {name: np.array(values, dtype=np.int64) if name in ints
            else pa.array(values, type=pa.string())
            for name, values in zip(names, columns, strict=True)}


def element_of(offsets: np.ndarray, values: pa.Array, k: int) -> pa.Array:
    """Element ``k`` of each list whose elements stand at ``values[offsets[i]:offsets[i + 1]]``
    (a split segment: its id is element 0); ``''`` where the list is shorter."""
    at = offsets[:-1] + k
    has = offsets[1:] > at
    if has.all():  # the usual case: no mask to build, no nulls to fill
        return values.take(pa.array(at))
    return values.take(pa.array(at, mask=~has)).fill_null("")


class BadSegment(Exception):
    """A malformed segment; the walk turns it into an X12Error with the location."""


@lru_cache(maxsize=1 << 14)
def date_problem(text: str) -> str | None:
    """Why ``text`` is not read as a date CCYYMMDD, in words after the element's name; None
    when it is one."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return "is not a date CCYYMMDD"
    try:
        day = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return "is not a date CCYYMMDD"
    if not FIRST_DAY <= day <= LAST_DAY:
        return f"is a date outside {FIRST_DAY} to {LAST_DAY}, the days the reader holds"
    return None


def valid_date(text: str) -> bool:
    """True for a real calendar date written CCYYMMDD that the frames can hold."""
    return date_problem(text) is None


class FileRows:
    """The rows and warnings of one file, and where its walk stands.

    ``start``: the payments, claims and lines of the files before this one (keys run across
    files). ``strict``: an envelope fault raises (via :class:`BadSegment`) instead of being
    warned about.
    """

    def __init__(self, layout: Layout, name: str, start: Sequences, *, strict: bool) -> None:
        self.name = name
        self.strict = strict
        self.warnings: list[WarningRow] = []
        self.segments = layout.segments
        self.element = layout.element
        self.component = layout.component
        self.enveloped = layout.enveloped
        self.terminated = layout.terminated
        if layout.note:
            self.note(None, layout.note)
        self.start = start
        # the rows
        self.payments: list[dict[str, Any]] = []
        self.claims: list[list[Any]] = []
        self.lines: list[list[Any]] = []
        self.plb: list[tuple[Any, ...]] = []
        # segment numbers of the detail segments (machine integers: there are millions)
        self.details: dict[str, array[int]] = {tag: array("q") for tag in DETAILS}
        # where the walk stands
        self.n = 0  # current segment number
        self.level = 0  # 0 header or summary, 1 claim, 2 service line
        self.empties = 0  # empty segments met so far (SE01 does not count them)
        self.in_st = False  # inside a transaction (ST … SE)
        self.payment: dict[str, Any] = {}  # the row of the transaction open or last closed
        self.party = ""  # the N1 loop of the header the walk is in ('PR', 'PE' …)

    # -- what a run of files takes over (see :meth:`pracops.x12.run.Run.keep`) --------------

    @property
    def segment_count(self) -> int:
        return len(self.segments)

    def claim_columns(self) -> Columns:
        return as_columns(CLAIM_ROW, CLAIM_INTS, self.claims)

    def line_columns(self) -> Columns:
        return as_columns(LINE_ROW, LINE_INTS, self.lines)

    def detail_lists(self) -> Details:
        """The detail segments recorded, split into elements, by kind."""
        out = {}
        for tag, numbers in self.details.items():
            if numbers:
                texts = pa.array([self.segments[n - 1] for n in numbers], type=pa.string())
                out[tag] = (np.frombuffer(numbers, dtype=np.int64),
                            pc.split_pattern(texts, self.element))
        return out

    # -- transactions -------------------------------------------------------------------------

    def open_payment(self, st_control: str, isa_control: str | None,
                     gs_control: str | None) -> None:
        """An ST: start the row of its payment."""
        self.in_st = True
        self.payment = dict.fromkeys(PAYMENT_COLUMNS)
        self.payment.update(
            payment_seq=self.start.payments + len(self.payments) + 1, st_control=st_control,
            isa_control=isa_control, gs_control=gs_control, segment_number=self.n)
        self.party = ""
        self.level = 0

    def close_payment(self) -> None:
        """The end of a transaction (its SE, or where it was left open): keep its row."""
        if self.payment["total_paid_cents"] is None:
            raise BadSegment("the transaction has no BPR segment (payment amount)")
        self.payments.append(self.payment)
        self.in_st = False
        self.level = 0

    def paid_texts(self) -> list[str]:
        """The BPR02 text of every transaction read so far, the open one included."""
        open_one = [self.payment] if self.in_st else []
        return [p["total_paid_cents"] for p in [*self.payments, *open_one]
                if p.get("total_paid_cents") is not None]

    # -- warnings -----------------------------------------------------------------------------

    def note(self, number: int | None, message: str) -> None:
        """A warning about segment ``number`` (None: the file as a whole)."""
        tag = segment_tag(self.segments[number - 1], self.element) if number else None
        self.warnings.append((self.name, number, tag, message))
        logger.debug("%s segment %s: %s", self.name, number, message)

    def empty_amount(self, number: int, element: str) -> str:
        """An amount element left empty: read as 0.00, with a warning."""
        self.note(number, f"{element} is empty; read as 0.00")
        return "0"

    def date(self, text: str, element: str) -> str | None:
        """A date element of the current segment; an impossible date is read as missing."""
        problem = date_problem(text)
        if problem is None:
            return text
        if text:
            self.note(self.n, f"{element} {problem}; read as missing")
        return None

    def control(self, message: str, number: int | None = None, then: str = "") -> None:
        """An envelope fault: an error with ``strict`` in an interchange, else a warning
        saying what the reader did (``then``): the envelope carries no money. An extract
        without ISA is only warned about, strict or not.
        """
        if self.strict and self.enveloped:
            raise BadSegment(message)
        self.note(number or self.n, f"{message}; {then}" if then else message)
