"""The frames of a :class:`~pracops.x12.read.Remittance`: their columns and dtypes, the keys
that run across files, and the rows of warnings and quarantined files.

Part of the 835 reader (see :mod:`pracops.x12.read`, whose docstring draws the whole); every
module of the reader takes its column names and dtypes from here.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

#: Columns of :attr:`Remittance.claims` that identify a patient: keep them out of shared output.
PATIENT_COLUMNS: tuple[str, ...] = ("patient_last_name", "patient_first_name", "patient_member_id")

# ---- the frames: column -> dtype -----------------------------------------------------------

INT, NULLABLE_INT, FLOAT, STRING, DATETIME = (
    "int64", "Int64", "float64", "string", "datetime64[ns]")
_I, _NI, _F, _S, _D = INT, NULLABLE_INT, FLOAT, STRING, DATETIME
#: The whole days a ``datetime64[ns]`` holds (1677-09-21 00:12:43 … 2262-04-11 23:47:16): a date
#: outside them (an open end written 99991231) is read as missing, with a warning.
FIRST_DAY, LAST_DAY = _dt.date(1677, 9, 22), _dt.date(2262, 4, 11)

PAYMENT_COLUMNS: dict[str, str] = {
    "payment_seq": _I, "file": _S, "isa_control": _S, "gs_control": _S, "st_control": _S,
    "handling_code": _S, "total_paid_cents": _I, "credit_debit_flag": _S,
    "payment_method": _S, "payment_format": _S, "payment_date": _D, "trace_number": _S,
    "trace_payer_id": _S, "production_date": _D, "payer_name": _S, "payer_id_qualifier": _S,
    "payer_id": _S, "payer_ref_2u": _S, "payee_name": _S, "payee_id_qualifier": _S,
    "payee_id": _S, "payee_npi": _S, "payee_tin": _S, "claim_count": _I, "segment_number": _I,
}
CLAIM_COLUMNS: dict[str, str] = {
    "claim_seq": _I, "payment_seq": _I, "file": _S, "st_control": _S, "claim_id": _S,
    "status": _S, "status_meaning": _S, "charge_cents": _I, "paid_cents": _I,
    "patient_resp_cents": _I, "filing_indicator": _S, "payer_claim_number": _S,
    "facility_code": _S, "claim_frequency": _S, "patient_last_name": _S,
    "patient_first_name": _S, "patient_member_id": _S, "rendering_provider_qualifier": _S,
    "rendering_provider_id": _S, "rendering_npi": _S, "statement_start_date": _D,
    "statement_end_date": _D, "received_date": _D, "remark_codes": _S, "line_count": _I,
    "segment_number": _I,
}
LINE_COLUMNS: dict[str, str] = {
    "line_seq": _I, "claim_seq": _I, "file": _S, "st_control": _S, "claim_id": _S,
    "line_number": _I, "procedure_qualifier": _S, "procedure_code": _S, "modifiers": _S,
    "charge_cents": _I, "paid_cents": _I, "revenue_code": _S, "units": _F,
    "original_procedure_qualifier": _S, "original_procedure_code": _S, "service_date": _D,
    "service_start_date": _D, "service_end_date": _D, "allowed_cents": _NI,
    "line_control_number": _S, "remark_codes": _S, "segment_number": _I,
}
ADJUSTMENT_COLUMNS: dict[str, str] = {
    "claim_seq": _I, "line_seq": _NI, "file": _S, "st_control": _S, "claim_id": _S,
    "line_number": _NI, "level": _S, "group_code": _S, "reason_code": _S, "amount_cents": _I,
    "quantity": _F, "segment_number": _I,
}
PLB_COLUMNS: dict[str, str] = {
    "payment_seq": _I, "file": _S, "st_control": _S, "provider_id": _S,
    "fiscal_period_date": _D, "reason_code": _S, "reference_id": _S, "amount_cents": _I,
    "segment_number": _I,
}
SUPPLEMENTAL_COLUMNS: dict[str, str] = {
    "claim_seq": _I, "line_seq": _NI, "file": _S, "st_control": _S, "claim_id": _S,
    "line_number": _NI, "level": _S, "segment_id": _S, "element": _S, "qualifier": _S,
    "description": _S, "amount_cents": _I, "segment_number": _I,
}
WARNING_COLUMNS: dict[str, str] = {
    "file": _S, "segment_number": _NI, "segment_id": _S, "message": _S,
}
QUARANTINE_COLUMNS: dict[str, str] = {
    "file": _S, "reason": _S, "segment_number": _NI, "paid_cents": _NI,
}
BALANCE_COLUMNS: dict[str, str] = {
    "rule": _S, "file": _S, "st_control": _S, "payment_seq": _I, "claim_seq": _NI,
    "claim_id": _S, "line_number": _NI, "expected_cents": _I, "actual_cents": _I,
    "difference_cents": _I, "message": _S, "segment_number": _I,
}

# A warning while reading: (file, segment number or None, segment id or None, message).
WarningRow = tuple[str, int | None, str | None, str]
# A quarantined file: (file, reason, segment number or None, BPR02 cents or None).
QuarantineRow = tuple[str, str, int | None, int | None]

# ---- keys ----------------------------------------------------------------------------------


@dataclass
class Sequences:
    """How many payments, claims and lines the files before this one had (keys run across
    files)."""

    payments: int = 0
    claims: int = 0
    lines: int = 0


# The key columns of each frame, with the key they hold (a Sequences field): what is
# renumbered when the frames of chunks of files read apart are put together, or when the rows
# of quarantined files are taken out.
KEY_COLUMNS: dict[str, dict[str, str]] = {
    "payments": {"payment_seq": "payments"},
    "claims": {"claim_seq": "claims", "payment_seq": "payments"},
    "service_lines": {"line_seq": "lines", "claim_seq": "claims"},
    "adjustments": {"claim_seq": "claims", "line_seq": "lines"},
    "provider_adjustments": {"payment_seq": "payments"},
    "supplemental_amounts": {"claim_seq": "claims", "line_seq": "lines"},
}
# The key each frame's rows belong to: a row is dropped with the payment, claim or line.
OWNER_KEY = {"payments": ("payment_seq", "payments"), "claims": ("claim_seq", "claims"),
              "service_lines": ("line_seq", "lines"), "adjustments": ("claim_seq", "claims"),
              "provider_adjustments": ("payment_seq", "payments"),
              "supplemental_amounts": ("claim_seq", "claims")}

