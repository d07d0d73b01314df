"""The envelopes of an 835 file: ISA … IEA (interchange), GS … GE (functional group) and
ST … SE (transaction), read by :class:`Envelope`.

The envelope carries no money, so its faults (a trailer count or control number that
disagrees, a trailer missing at the end of the file or before the next header, IEA before GE,
an ISA that is not 106 characters) are warnings, and reading goes on; with ``strict`` they
raise. A transaction left open is taken as it stands: its money is checked like any other.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from pracops.x12.rows import BadSegment, FileRows
from pracops.x12.segments import ISA_LENGTH, shown


def _is_count(text: str, count: int) -> bool:
    """True when a trailer count element (SE01, GE01, IEA01) says ``count``."""
    return text.isascii() and text.isdigit() and int(text) == count


class Envelope:
    """Which envelopes of a file are open, their control numbers and counts; one method per
    envelope segment (``e``: its elements, the id first), and :meth:`finish` at the end."""

    def __init__(self, rows: FileRows) -> None:
        self.rows = rows
        self.isa_open = self.gs_open = False
        self.isa_control: str | None = None
        self.gs_control: str | None = None
        self.gs_count = self.st_count = 0  # groups in the interchange, transactions in the group
        self.st_start = self.st_empties = 0  # the ST's segment number; empty segments before it

    def isa(self, e: list[str]) -> None:
        rows = self.rows
        seg = rows.segments[rows.n - 1]
        if len(e) != 17:
            raise BadSegment(f"the ISA segment has {len(e) - 1} elements; it must have 16")
        if e[16] != rows.component:
            raise BadSegment("this interchange declares other delimiters than the first one in "
                             "the file; split the file into one file per interchange")
        if len(seg) + 1 != ISA_LENGTH:
            rows.control(f"the ISA segment is {len(seg) + 1} characters with its terminator; "
                         f"the standard fixes it at {ISA_LENGTH} (each field padded to its "
                         "width)")
        if rows.in_st:
            self._close_transaction("an ISA came")
        if self.gs_open:
            rows.control("the functional group has no GE segment (an ISA came first)")
            self.gs_open = False
        if self.isa_open:
            rows.control("the interchange has no IEA segment (another ISA came first)")
        self.isa_open = True
        self.isa_control = e[13]
        self.gs_count = 0

    def iea(self, e: list[str]) -> None:
        rows = self.rows
        if rows.in_st:
            self._close_transaction("IEA came")
        if not self.isa_open:
            rows.control("IEA without an ISA before it", then="ignored")
            return
        if self.gs_open:
            rows.control("IEA before the GE that closes the functional group")
            self.gs_open = False
        e += [""] * (3 - len(e))
        if not _is_count(e[1], self.gs_count):
            rows.control(f"IEA01 says {shown(e[1], 'number')} functional groups, the "
                         f"interchange has {self.gs_count}")
        if e[2] != self.isa_control:
            rows.control(f"IEA02 {shown(e[2], 'number')} does not match ISA13 "
                         f"{shown(self.isa_control or '', 'number')}")
        self.isa_open = False

    def gs(self, e: list[str]) -> None:
        rows = self.rows
        if rows.in_st:
            self._close_transaction("a GS came")
        if self.gs_open:
            rows.control("the functional group has no GE segment (another GS came first)")
        if rows.enveloped and not self.isa_open:
            rows.control("GS outside an interchange (no ISA before it)")
        e += [""] * (7 - len(e))
        self.gs_open = True
        self.gs_control = e[6]
        self.gs_count += 1
        self.st_count = 0

    def ge(self, e: list[str]) -> None:
        rows = self.rows
        if rows.in_st:
            self._close_transaction("GE came")
        if not self.gs_open:
            rows.control("GE without a GS before it", then="ignored")
            return
        e += [""] * (3 - len(e))
        if not _is_count(e[1], self.st_count):
            rows.control(f"GE01 says {shown(e[1], 'number')} transactions, the group has "
                         f"{self.st_count}")
        if e[2] != self.gs_control:
            rows.control(f"GE02 {shown(e[2], 'number')} does not match GS06 "
                         f"{shown(self.gs_control or '', 'number')}")
        self.gs_open = False

    def st(self, e: list[str]) -> None:
        rows = self.rows
        e += [""] * (3 - len(e))
        if e[1] != "835":
            raise BadSegment(f"transaction set {shown(e[1])} is not an 835 remittance advice")
        if rows.in_st:
            self._close_transaction("another ST came")
        if rows.enveloped and not self.gs_open:
            rows.control("ST outside a functional group (no GS before it)")
        self.st_count += 1
        self.st_start, self.st_empties = rows.n, rows.empties
        rows.open_payment(e[2], self.isa_control if self.isa_open else None,
                          self.gs_control if self.gs_open else None)

    def se(self, e: list[str]) -> None:
        rows = self.rows
        if not rows.in_st:
            rows.control("SE without an ST before it", then="ignored")
            return
        p = rows.payment
        e += [""] * (3 - len(e))
        count = rows.n - self.st_start + 1 - (rows.empties - self.st_empties)
        if not _is_count(e[1], count):
            rows.control(f"SE01 says {shown(e[1], 'number')} segments, the transaction has "
                         f"{count}")
        if e[2] != p["st_control"]:
            rows.control(f"SE02 {shown(e[2], 'number')} does not match ST02 "
                         f"{shown(p['st_control'] or '', 'number')}")
        rows.close_payment()

    def finish(self) -> None:
        """The end of the file: close what is still open."""
        rows = self.rows
        last = len(rows.segments)
        if rows.in_st:
            if not rows.terminated:
                raise BadSegment(f"the file ends inside transaction "
                                 f"{shown(rows.payment['st_control'], 'number')}, in the middle "
                                 "of a segment (no segment terminator after it): it is truncated")
            self._close_transaction("the file ends", last)
        if self.gs_open:
            rows.control("the file ends without the GE segment that closes the functional "
                         "group", last)
            self.gs_open = False
        if self.isa_open:
            rows.control("the file ends without the IEA segment that closes the "
                         "interchange", last)
            self.isa_open = False
        if not rows.payments:
            rows.note(None, "no 835 transaction (ST … SE) in this file")

    def _close_transaction(self, before: str, number: int | None = None) -> None:
        """A transaction left open (its SE missing): an envelope fault; the transaction is
        taken as it stands (its money is checked like any other)."""
        rows = self.rows
        rows.control(f"transaction {shown(rows.payment['st_control'], 'number')} has no SE "
                     f"segment ({before} first)", number, "read up to there")
        rows.close_payment()
