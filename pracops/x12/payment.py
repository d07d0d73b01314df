"""The segments of a transaction outside its claims, read into its payment row by
:class:`PaymentSegments`: the header (BPR payment, TRN trace, DTM*405 production date, N1
payer and payee with their REF) and the summary (PLB provider adjustments).

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from pracops.x12.rows import BadSegment, FileRows, valid_date


class PaymentSegments:
    """One method per header or summary segment (``e``: its elements, the id first)."""

    def __init__(self, rows: FileRows) -> None:
        self.rows = rows

    def bpr(self, e: list[str]) -> None:
        rows = self.rows
        p = rows.payment
        if p["total_paid_cents"] is not None:
            raise BadSegment("a second BPR segment in one transaction")
        elements = len(e) - 1
        e += [""] * (17 - len(e))
        p.update(handling_code=e[1], total_paid_cents=e[2] or rows.empty_amount(rows.n, "BPR02"),
                 bpr_segment=rows.n, credit_debit_flag=e[3], payment_method=e[4],
                 payment_format=e[5])
        if e[16]:
            p["payment_date"] = rows.date(e[16], "BPR16")
        elif elements == 15 and not e[14] and valid_date(e[15]):
            rows.note(rows.n, "BPR has 15 elements and BPR15 holds a date; read it as the "
                      "payment date BPR16 (one element separator is missing before it)")
            p["payment_date"] = e[15]

    def trn(self, e: list[str]) -> None:
        e += [""] * (4 - len(e))
        self.rows.payment.update(trace_number=e[2], trace_payer_id=e[3])

    def n1(self, e: list[str]) -> None:
        e += [""] * (5 - len(e))
        self.rows.party = e[1]
        p = self.rows.payment
        if e[1] == "PR":
            p.update(payer_name=e[2], payer_id_qualifier=e[3], payer_id=e[4])
        elif e[1] == "PE":
            p.update(payee_name=e[2], payee_id_qualifier=e[3], payee_id=e[4])
            if e[3] == "XX":
                p["payee_npi"] = e[4]
            elif e[3] == "FI":
                p["payee_tin"] = e[4]

    def detail(self, e: list[str]) -> None:
        """A detail segment the walk did not record: at the header, or without elements."""
        if self.rows.level:
            self.rows.details[e[0]].append(self.rows.n)
        else:
            self.header_detail(e)

    def orphan(self, e: list[str]) -> None:
        """SVC or LQ where no claim or service line is open."""
        if e[0] == "SVC":
            raise BadSegment("SVC before any CLP: a service line must belong to a claim")
        self.rows.note(self.rows.n, "LQ outside a service line; skipped")

    def header_detail(self, e: list[str]) -> None:
        """A detail segment (CAS, DTM, REF, AMT, NM1, MIA, MOA) outside a claim."""
        rows = self.rows
        tag = e[0]
        if tag == "CAS":
            raise BadSegment("CAS before any CLP: it must belong to a claim or a service line")
        elif tag in ("NM1", "MIA", "MOA", "AMT"):
            rows.note(rows.n, f"{tag} outside a claim; skipped")
        elif tag == "DTM" and len(e) > 2 and e[1] == "405":
            rows.payment["production_date"] = rows.date(e[2], "DTM*405")
        elif tag == "REF" and len(e) > 2:
            self._header_ref(e)

    def _header_ref(self, e: list[str]) -> None:
        if len(e) < 3:
            return
        p = self.rows.payment
        party = self.rows.party
        if e[1] == "2U" and party == "PR":
            p["payer_ref_2u"] = e[2]
        elif e[1] == "TJ" and party == "PE" and not p["payee_tin"]:
            p["payee_tin"] = e[2]

    def lx(self, e: list[str]) -> None:
        self.rows.level = 0
        self.rows.party = ""

    def plb(self, e: list[str]) -> None:
        rows = self.rows
        rows.level = 0
        n = len(e)
        if n > 15:
            rows.note(rows.n, f"PLB has {n - 1} elements; those after PLB14 are ignored")
            n = 15
        e += [""] * (15 - len(e))
        p = rows.payment
        date = rows.date(e[2], "PLB02")
        for k in range(3, n, 2):
            composite, amount = e[k], e[k + 1]
            if not (composite or amount):
                continue
            parts = composite.split(rows.component, 1)
            if not parts[0]:
                rows.note(rows.n, f"PLB{k:02d} (reason code) is empty")
            rows.plb.append((p["payment_seq"], p["st_control"], e[1], date, parts[0],
                             parts[1] if len(parts) > 1 else None,
                             amount or rows.empty_amount(rows.n, f"PLB{k + 1:02d}"), rows.n))
