"""Write X12 835 remittance advice (5010 X221A1) from plain Python objects.

The sample generator and the benchmarks use this to produce ERAs a payer would send: one
interchange per file, one ``ST`` per payment, claims with their service lines, adjustments and
provider-level adjustments. Amounts are integer cents. The writer checks the three balancing
rules of the 835 guide before it writes (line, claim, transaction) and refuses an unbalanced
remittance unless asked to write one on purpose (to test a reader).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Adjustment", "ServicePayment", "ClaimPayment", "ProviderAdjustment", "Payment",
           "Party", "format_amount", "write_835", "UnbalancedRemittance"]


class UnbalancedRemittance(ValueError):
    """A remittance whose amounts break one of the 835 balancing rules."""


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet: group code (CO, PR, OA, PI, CR), reason code (CARC), amount in cents."""

    group: str
    reason: str
    amount_cents: int
    quantity: int | None = None


@dataclass(frozen=True)
class ServicePayment:
    """One SVC loop: a procedure on a date, charged and paid, with its adjustments."""

    procedure: str
    charge_cents: int
    paid_cents: int
    modifiers: tuple[str, ...] = ()
    units: int = 1
    service_date: dt.date | None = None
    allowed_cents: int | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[str, ...] = ()
    line_control: str | None = None


@dataclass(frozen=True)
class ClaimPayment:
    """One CLP loop. ``status`` is CLP02 (1 primary, 4 denied, 22 reversal …)."""

    claim_id: str
    status: str
    charge_cents: int
    paid_cents: int
    patient_resp_cents: int
    payer_claim_number: str
    filing_indicator: str = "12"
    facility_code: str = "11"
    frequency: str = "1"
    patient_last: str = ""
    patient_first: str = ""
    member_id: str = ""
    rendering_npi: str | None = None
    statement_from: dt.date | None = None
    statement_to: dt.date | None = None
    received: dt.date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    services: tuple[ServicePayment, ...] = ()


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment: reason (L6 interest, WO overpayment recovery …), reference, amount.

    A positive amount reduces the payment (money the payer keeps); a negative one adds to it.
    """

    reason: str
    reference: str
    amount_cents: int


@dataclass(frozen=True)
class Party:
    """A payer or payee: name, id qualifier and id, address."""

    name: str
    id_qualifier: str
    id: str
    street: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    ref_2u: str | None = None
    tin: str | None = None
    phone: str = "8005550100"


@dataclass(frozen=True)
class Payment:
    """One transaction set (ST/SE): a payment (or a notice with no money) and its claims."""

    trace_number: str
    payer_trn03: str
    payment_date: dt.date
    payer: Party
    payee: Party
    claims: tuple[ClaimPayment, ...]
    method: str = "ACH"
    handling: str = "I"
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    provider_id: str = ""
    fiscal_period_end: dt.date | None = None
    total_cents: int | None = field(default=None)

    def computed_total_cents(self) -> int:
        """Σ CLP04 − Σ PLB: what BPR02 must say."""
        return (sum(c.paid_cents for c in self.claims)
                - sum(p.amount_cents for p in self.provider_adjustments))


def format_amount(cents: int) -> str:
    """Cents as an X12 decimal: ``12345 -> "123.45"``, ``-5 -> "-0.05"``, ``1200 -> "12"``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole}" if frac == 0 else f"{sign}{whole}.{frac:02d}"


def _d8(d: dt.date) -> str:
    return d.strftime("%Y%m%d")


def _check(payment: Payment) -> None:
    for c in payment.claims:
        line_adj = 0
        for s in c.services:
            adj = sum(a.amount_cents for a in s.adjustments)
            if s.charge_cents - adj != s.paid_cents:
                raise UnbalancedRemittance(
                    f"claim {c.claim_id} line {s.procedure}: charge {s.charge_cents} − "
                    f"adjustments {adj} ≠ paid {s.paid_cents}")
            line_adj += adj
        claim_adj = sum(a.amount_cents for a in c.adjustments)
        if c.charge_cents - claim_adj - line_adj != c.paid_cents:
            raise UnbalancedRemittance(
                f"claim {c.claim_id}: charge {c.charge_cents} − adjustments "
                f"{claim_adj + line_adj} ≠ paid {c.paid_cents}")
    total = payment.total_cents if payment.total_cents is not None else None
    if total is not None and total != payment.computed_total_cents():
        raise UnbalancedRemittance(
            f"payment {payment.trace_number}: BPR02 {total} ≠ Σ CLP04 − Σ PLB "
            f"{payment.computed_total_cents()}")


def _cas(adjustments: Sequence[Adjustment]) -> list[str]:
    """CAS segments: one per group code, at most six triplets each."""
    out: list[str] = []
    groups: dict[str, list[Adjustment]] = {}
    for a in adjustments:
        groups.setdefault(a.group, []).append(a)
    for group, items in groups.items():
        for i in range(0, len(items), 6):
            elems = ["CAS", group]
            for a in items[i:i + 6]:
                elems += [a.reason, format_amount(a.amount_cents),
                          "" if a.quantity is None else str(a.quantity)]
            while elems[-1] == "":
                elems.pop()
            out.append("*".join(elems))
    return out


def _party(code: str, p: Party) -> list[str]:
    segs = [f"N1*{code}*{p.name}*{p.id_qualifier}*{p.id}"]
    if p.street:
        segs.append(f"N3*{p.street}")
    if p.city:
        segs.append(f"N4*{p.city}*{p.state}*{p.zip}")
    if p.ref_2u:
        segs.append(f"REF*2U*{p.ref_2u}")
    if p.tin:
        segs.append(f"REF*TJ*{p.tin}")
    return segs


def _transaction(payment: Payment, control: str) -> list[str]:
    total = (payment.total_cents if payment.total_cents is not None
             else payment.computed_total_cents())
    method = payment.method if total != 0 else "NON"
    handling = payment.handling if total != 0 else "H"
    segs = [f"ST*835*{control}"]
    if method == "ACH":
        segs.append(f"BPR*{handling}*{format_amount(total)}*C*ACH*CCP*01*999999999*DA*"
                    f"123456789*{payment.payer_trn03}**01*888888888*DA*987654321*"
                    f"{_d8(payment.payment_date)}")
    else:  # a check (CHK) or a notice with no money (NON): no bank details
        segs.append(f"BPR*{handling}*{format_amount(total)}*C*{method}************"
                    f"{_d8(payment.payment_date)}")
    segs.append(f"TRN*1*{payment.trace_number}*{payment.payer_trn03}")
    segs.append(f"DTM*405*{_d8(payment.payment_date)}")
    segs += _party("PR", payment.payer)
    segs.append(f"PER*BL*{payment.payer.name} PROVIDER SERVICES*TE*{payment.payer.phone}")
    segs += _party("PE", payment.payee)
    for n, c in enumerate(payment.claims, start=1):
        if n == 1:
            segs.append("LX*1")
        segs.append("*".join([
            "CLP", c.claim_id, c.status, format_amount(c.charge_cents),
            format_amount(c.paid_cents),
            format_amount(c.patient_resp_cents) if c.patient_resp_cents else "",
            c.filing_indicator, c.payer_claim_number, c.facility_code, c.frequency]))
        segs += _cas(c.adjustments)
        if c.patient_last or c.member_id:
            segs.append(f"NM1*QC*1*{c.patient_last}*{c.patient_first}****MI*{c.member_id}")
        if c.rendering_npi:
            segs.append(f"NM1*82*1******XX*{c.rendering_npi}")
        if c.statement_from:
            segs.append(f"DTM*232*{_d8(c.statement_from)}")
        if c.statement_to:
            segs.append(f"DTM*233*{_d8(c.statement_to)}")
        if c.received:
            segs.append(f"DTM*050*{_d8(c.received)}")
        for s in c.services:
            comp = ":".join(["HC", s.procedure, *s.modifiers])
            units = "" if s.units == 1 else str(s.units)
            svc = ["SVC", comp, format_amount(s.charge_cents), format_amount(s.paid_cents), "",
                   units]
            while svc[-1] == "":
                svc.pop()
            segs.append("*".join(svc))
            if s.service_date:
                segs.append(f"DTM*472*{_d8(s.service_date)}")
            segs += _cas(s.adjustments)
            if s.line_control:
                segs.append(f"REF*6R*{s.line_control}")
            if s.allowed_cents is not None:
                segs.append(f"AMT*B6*{format_amount(s.allowed_cents)}")
            segs += [f"LQ*HE*{r}" for r in s.remarks]
    plb = list(payment.provider_adjustments)
    fiscal = payment.fiscal_period_end or dt.date(payment.payment_date.year, 12, 31)
    for i in range(0, len(plb), 6):
        elems = ["PLB", payment.provider_id or payment.payee.id, _d8(fiscal)]
        for p in plb[i:i + 6]:
            elems += [f"{p.reason}:{p.reference}" if p.reference else p.reason,
                      format_amount(p.amount_cents)]
        segs.append("*".join(elems))
    segs.append(f"SE*{len(segs) + 1}*{control}")
    return segs


def write_835(
    payments: Sequence[Payment],
    *,
    sender_id: str,
    receiver_id: str,
    control_number: int,
    created: dt.datetime,
    check_balance: bool = True,
    line_break: bool = True,
) -> str:
    """Write one interchange (ISA … IEA) holding one functional group of 835 transactions.

    Parameters
    ----------
    payments
        One transaction set each.
    sender_id, receiver_id
        Interchange ids (padded to 15 characters in the ISA).
    control_number
        ISA13/IEA02 and GS06/GE02 (1 to 999,999,999).
    created
        Interchange date and time.
    check_balance
        Refuse a payment that breaks a balancing rule (:class:`UnbalancedRemittance`).
    line_break
        End every segment with ``~`` and a newline (readable); ``False`` writes one line.

    Returns
    -------
    str
        The file's text.
    """
    if check_balance:
        for p in payments:
            _check(p)
    icn = f"{control_number:09d}"
    isa = ("ISA*00*          *00*          *ZZ*" + sender_id.ljust(15)[:15] + "*ZZ*"
           + receiver_id.ljust(15)[:15] + "*" + created.strftime("%y%m%d") + "*"
           + created.strftime("%H%M") + "*^*00501*" + icn + "*0*P*:")
    segs = [isa, f"GS*HP*{sender_id}*{receiver_id}*{created:%Y%m%d}*{created:%H%M}*"
                 f"{control_number}*X*005010X221A1"]
    for n, p in enumerate(payments, start=1):
        segs += _transaction(p, f"{n:04d}")
    segs.append(f"GE*{len(payments)}*{control_number}")
    segs.append(f"IEA*1*{icn}")
    end = "~\n" if line_break else "~"
    return end.join(segs) + end
