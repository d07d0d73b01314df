"""The walk over the segments of one 835 file: :class:`Walker`.

One loop goes through the segments once. Inside a claim it reads CLP, SVC and LQ inline into
plain lists and only notes the segment numbers of the frequent detail segments (CAS, DTM,
REF, AMT, NM1, MIA, MOA), which are split later a column at a time
(:mod:`pracops.x12.details`). Every other segment goes through a table of handlers: the
envelope (:class:`~pracops.x12.envelope.Envelope`) and the payment's header and summary
(:class:`~pracops.x12.payment.PaymentSegments`). What it collects is a
:class:`~pracops.x12.rows.FileRows`.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pracops.errors import X12Error
from pracops.x12.envelope import Envelope
from pracops.x12.payment import PaymentSegments
from pracops.x12.rows import CLAIM_ROW, DETAILS, LINE_ROW, BadSegment, FileRows
from pracops.x12.schema import Sequences
from pracops.x12.segments import Layout, segment_tag

# Segments an 835 may carry that this reader does not need: passed over without a warning.
_UNUSED = ("N2", "N3", "N4", "PER", "CUR", "RDM", "TS3", "TS2", "QTY", "TA1")
_ENVELOPE = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})
# Product/service id qualifiers that may open an SVC01 composite.
_PRODUCT_QUALIFIERS = frozenset(
    {"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "WK", "ZZ", "ID", "RB", "UI"}
)
_MISSING = object()  # handler-table sentinel for a segment id the reader does not know
_C_LINES = CLAIM_ROW.index("line_count")
_L_REMARKS = LINE_ROW.index("remark_codes")


class Walker:
    """Walks the segments of one file into :attr:`rows`.

    ``layout``: the file's segments and delimiters (:func:`~pracops.x12.segments.layout`).
    ``strict``: an envelope fault raises instead of being warned about.
    """

    def __init__(self, layout: Layout, name: str, start: Sequences, *, strict: bool) -> None:
        self.rows = FileRows(layout, name, start, strict=strict)
        envelope = self.envelope = Envelope(self.rows)
        payment = self.payment = PaymentSegments(self.rows)
        # segment id -> handler; None: passed over (a CLP gets here only outside a transaction,
        # which _other refuses). No handler is a method of the walker: a cycle through it would
        # keep the file's segments alive until the garbage collector runs (paused while reading)
        self.handlers = {
            "ISA": envelope.isa, "IEA": envelope.iea, "GS": envelope.gs, "GE": envelope.ge,
            "ST": envelope.st, "SE": envelope.se, "BPR": payment.bpr, "TRN": payment.trn,
            "N1": payment.n1, "LX": payment.lx, "PLB": payment.plb,
            **dict.fromkeys(DETAILS, payment.detail), "SVC": payment.orphan, "LQ": payment.orphan,
            "CLP": None, **dict.fromkeys(_UNUSED),
        }

    def read(self) -> FileRows:
        """Walk all segments. Inside a claim, detail segments are only recorded; CLP and SVC
        are read inline (a call per claim or line would cost more than this loop's own
        work); everything else goes through :meth:`_other`.

        Raises
        ------
        X12Error
            At a segment that cannot be read, with the file, segment number and id.
        """
        rows = self.rows
        segments, element, component = rows.segments, rows.element, rows.component
        claims, lines = rows.claims, rows.lines
        heads = {tag + element: numbers for tag, numbers in rows.details.items()}
        note, empty_amount = rows.note, rows.empty_amount
        claim_base, line_base = rows.start.claims, rows.start.lines
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
                    line = [  # in LINE_ROW order
                        line_base + len(lines) + 1, claim_seq, claim[_C_LINES], parts[0], parts[1],
                        ";".join(filter(None, parts[2:6])) if len(parts) > 2 else "",
                        e[2] or empty_amount(n, "SVC02"),
                        e[3] or empty_amount(n, "SVC03"), e[4], e[5] or None,
                        original[0], original[1] if len(original) > 1 else "", None, n]
                    lines.append(line)
                    level = 2
                elif tag == "CLP" and rows.in_st:
                    if len(e) < 10:
                        e += [""] * (10 - len(e))
                    payment = rows.payment
                    claim_seq = claim_base + len(claims) + 1
                    claim = [  # in CLAIM_ROW order
                        claim_seq, payment["payment_seq"], payment["st_control"], e[1], e[2],
                        e[3] or empty_amount(n, "CLP03"),
                        e[4] or empty_amount(n, "CLP04"), e[5] or "0",
                        e[6], e[7], e[8], e[9], 0, n]
                    claims.append(claim)
                    level = 1
                elif tag == "LQ" and level == 2:
                    if len(e) > 2 and e[2]:
                        codes = line[_L_REMARKS]
                        line[_L_REMARKS] = e[2] if codes is None else f"{codes};{e[2]}"
                else:
                    rows.n, rows.level = n, level
                    self._other(e)
                    level = rows.level
            rows.n = n
            self.envelope.finish()
        except BadSegment as exc:
            raise self._error(exc) from None
        return rows

    def read_outside_claims(self, numbers: Iterable[int], levels: Iterable[int],
                            elements: Iterable[list[str]]) -> FileRows:
        """Walk only the segments outside the claims (envelope, header, summary and anything
        out of place), given with their numbers, the level the walk stands at before each
        (0 header or summary, 1 claim, 2 service line) and their elements: what :meth:`read`
        does with them, the claims and lines being read apart
        (:mod:`pracops.x12.columnar`).

        Raises
        ------
        X12Error
            At a segment that cannot be read, as :meth:`read`.
        """
        rows = self.rows
        try:
            for n, level, e in zip(numbers, levels, elements, strict=True):
                rows.n, rows.level = n, level
                self._other(e)
            rows.n = len(rows.segments)
            self.envelope.finish()
        except BadSegment as exc:
            raise self._error(exc) from None
        return rows

    def _error(self, exc: BadSegment) -> X12Error:
        """The X12Error of a malformed segment, at the segment the walk stands at."""
        rows = self.rows
        return X12Error(str(exc), segment_number=rows.n or None,
                        segment_id=segment_tag(rows.segments[rows.n - 1], rows.element)
                        if rows.n else None, file=rows.name)

    def _other(self, e: list[str]) -> None:
        """Envelope, header and summary segments, and everything out of place."""
        rows = self.rows
        tag = e[0]
        if len(e) == 1 and not tag:
            rows.empties += 1
            rows.note(rows.n, "empty segment (two terminators in a row) skipped")
            return
        handler = self.handlers.get(tag, _MISSING)
        if handler is _MISSING:
            what = (f"segment {tag!r}" if segment_tag(tag, rows.element)
                    else "a segment without an id")
            rows.note(rows.n, f"{what} is not part of an 835 remittance; skipped")
        elif not rows.in_st and tag not in _ENVELOPE:
            raise BadSegment(f"{tag} segment outside a transaction (no ST before it)")
        elif handler is not None:
            handler(e)

    def _repair_svc01(self, e: list[str], n: int) -> tuple[list[str], list[str]]:
        """SVC01 without components: read the two known miswritings, else take it as the code.

        Returns the composite's parts and the segment's elements (shifted when SVC01 was
        split over two elements).
        """
        note, component = self.rows.note, self.rows.component
        text = e[1] if len(e) > 1 else ""
        if text in _PRODUCT_QUALIFIERS and len(e) > 2:
            note(n, f"SVC01 is only the qualifier {text!r} and its code stands in the "
                 "next element (an element separator where a component separator "
                 "belongs); read as one composite, the amounts one element to the left")
            return [text, *e[2].split(component)], [e[0], text, *e[3:]]
        if len(text) > 3 and text[:2] in _PRODUCT_QUALIFIERS and not text[2].isalnum():
            note(n, f"SVC01 separates its components with {text[2]!r}, not with the "
                 f"declared {component!r}; read with {text[2]!r}")
            return text.split(text[2]), e
        note(n, "SVC01 has no qualifier and code components; read as the code")
        return ["", text], e
