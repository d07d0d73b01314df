"""The datasets only the billing reconciliation reads, declared into the catalogue
(:mod:`pracops.data`), with the references and rules across files it relies on."""

from __future__ import annotations

import difflib

import pandas as pd

from pracops.data import (
    Column,
    Dataset,
    Reference,
    Relation,
    register,
    register_rules,
    row_error,
    rows_error,
)
from pracops.data.fields import ID, not_before

__all__ = ["check_fee_schedule_codes"]

_CPT = {"pattern": r"[0-9A-Z]{5}",
        "pattern_text": "a five-character CPT or HCPCS code such as 99213 or G0439"}
_MODIFIERS = {"pattern": r"[0-9A-Z]{2}(?:;[0-9A-Z]{2})*",
              "pattern_text": "two-character modifiers joined with ';' such as 25 or 25;59"}




def _check_claim_lines(frame: pd.DataFrame) -> None:
    """Lines of a claim are numbered 1, 2, 3 … in the order of the file."""
    expected = frame.groupby("claim_id", sort=False).cumcount() + 1
    bad = frame["line_no"] != expected
    if bad.any():
        raise row_error(frame, bad, "line_no", "lines of a claim are not numbered 1, 2, 3 …",
                        "each claim's lines numbered from 1 in the order they appear")




register(Dataset(
    name="claims",
    stem="claims",
    description="One row per claim: the bill for one completed appointment.",
    key=("claim_id",),
    checks=not_before("submitted_date", "date_of_service", "claim submitted before the visit"),
    columns=(
        Column("claim_id", **ID, description="Patient control number (CLP01 of the 835)."),
        Column("appointment_id", **ID),
        Column("patient_id", **ID),
        Column("patient_name", "str", phi=True,
               description="Patient data: never shown unless allowed."),
        Column("patient_dob", "date", phi=True,
               description="Patient data: never shown unless allowed."),
        Column("member_id", "str", nullable=True, phi=True,
               description="Insurance member id (patient data); empty for self-pay."),
        Column("payer_id", **ID, description="See payers; SELF for self-pay."),
        Column("rendering_npi", "str", pattern=r"\d{10}", pattern_text="10 digits"),
        Column("location_id", **ID),
        Column("date_of_service", "date"),
        Column("submitted_date", "date", description="Day the claim went to the payer."),
    ),
))

register(Dataset(
    name="claim_lines",
    stem="claim_lines",
    description="One row per service line of a claim.",
    key=("claim_id", "line_no"),
    checks=_check_claim_lines,
    columns=(
        Column("claim_id", **ID),
        Column("line_no", "int", minimum=1, maximum=99),
        Column("cpt", "str", **_CPT),
        Column("modifiers", "str", nullable=True, missing_as="", **_MODIFIERS,
               description="Modifiers joined with ';' (as in the 835); '' for none."),
        Column("units", "int", minimum=1, maximum=999),
        Column("charge_cents", "money", minimum=1,
               description="The practice's charge for the line (price × units)."),
        Column("entered_date", "date", required=False, nullable=True,
               description="The day the line was entered in the practice-management system "
                           "(charge entry), on or after the date of service."),
    ),
))

register(Dataset(
    name="fee_schedule",
    stem="fee_schedule",
    description=("One row per payer, procedure and modifier: the contracted allowed amount per "
                 "unit. A line whose modifier has no row of its own is priced by the row with "
                 "no modifier."),
    key=("payer_id", "cpt", "modifier"),
    columns=(
        Column("payer_id", **ID),
        Column("cpt", "str", **_CPT),
        Column("modifier", "str", nullable=True, missing_as="", pattern=r"[0-9A-Z]{2}",
               pattern_text="a two-character modifier such as 95",
               description="'' for the price without a modifier."),
        Column("allowed_cents", "money", minimum=0, description="Allowed amount per unit."),
    ),
))

register(Dataset(
    name="deposits",
    stem="deposits",
    description="One row per credit on the practice's bank statement.",
    key=("deposit_id",),
    columns=(
        Column("deposit_id", **ID),
        Column("posted_date", "date", description="Day the bank credited the money."),
        Column("amount_cents", "money", minimum=1),
        Column("description", "str",
               description="Bank text; an ACH payment carries the 835's TRN segment."),
        Column("type", "category", allowed=("ACH", "check", "card", "cash")),
    ),
))

register(Dataset(
    name="payments_posted",
    stem="payments_posted",
    description="One row per payment the practice-management system posted to a claim.",
    key=("posting_id",),
    optional=True,
    columns=(
        Column("posting_id", **ID),
        Column("claim_id", **ID),
        Column("posted_date", "date"),
        Column("amount_cents", "money", description="Negative for a reversal."),
        Column("source", "category", allowed=("ERA", "patient")),
        Column("reference", "str", nullable=True,
               description="The 835 trace number, or the patient receipt number."),
    ),
))




def check_fee_schedule_codes(fee_schedule: pd.DataFrame, claim_lines: pd.DataFrame,
                             claims: pd.DataFrame) -> None:
    """Refuse a fee-schedule code that looks like a typo of a billed one: billed on no claim
    line, while a code one keystroke away is billed to the same payer and has no rate there.

    A schedule may list codes the practice does not bill this year; but a mistyped code
    (``99241`` for ``99214``) would leave every line of the real one unchecked for
    underpayment.
    """
    billed = claim_lines[["claim_id", "cpt"]].merge(claims[["claim_id", "payer_id"]],
                                                   on="claim_id")
    billed_codes = set(billed["cpt"].astype("str").unique())
    rated = set(zip(fee_schedule["payer_id"].astype("str"), fee_schedule["cpt"].astype("str"),
                    strict=True))
    pairs = billed[["payer_id", "cpt"]].astype("str").drop_duplicates()  # not every line
    unrated: dict[str, list[str]] = {}
    for payer, cpt in set(zip(pairs["payer_id"], pairs["cpt"], strict=True)) - rated:
        unrated.setdefault(payer, []).append(cpt)
    payers, codes = fee_schedule["payer_id"].astype("str"), fee_schedule["cpt"].astype("str")
    for payer, cpt in zip(payers, codes, strict=True):
        if cpt in billed_codes or payer not in unrated:
            continue
        close = difflib.get_close_matches(cpt, sorted(unrated[payer]), n=1, cutoff=0.8)
        if close:
            bad = ((payers == payer) & (codes == cpt)).to_numpy()
            lines = int((billed["cpt"].astype("str").eq(close[0])
                         & billed["payer_id"].astype("str").eq(payer)).sum())
            raise rows_error(
                fee_schedule, bad, "fee_schedule", "cpt",
                f"code billed on no claim line, while {close[0]}, billed to {payer} on "
                f"{lines} line(s), has no rate for it",
                "a code the practice bills", fix=f"did you mean {close[0]!r}?")

register_rules(
    references=(
        Reference("claims", "payer_id", "payers", "payer_id"),
        Reference("claims", "rendering_npi", "providers", "npi"),
        Reference("claims", "location_id", "locations", "location_id"),
        Reference("claim_lines", "claim_id", "claims", "claim_id"),
        Reference("fee_schedule", "payer_id", "payers", "payer_id"),
        Reference("payments_posted", "claim_id", "claims", "claim_id"),
    ),
    relations=(
        Relation(("fee_schedule", "claim_lines", "claims"), check_fee_schedule_codes,
                 "no fee-schedule code that looks like a typo of a billed code without a rate"),
    ),
)
