"""The datasets only the daily close reads, declared into the catalogue (:mod:`pracops.data`),
with the references and rules across files it relies on.

The front desk's receipts, the card processor's batches, the bank statement, the accounts
payable ledger, the practice-management system's posting journal and the payroll register. Each
is what a practice can export as it is: a problem a close must find (a check deposited twice, a
settlement short of its fees, an invoice paid twice) is a finding of the report, never a load
error; a file that cannot be what it says (a running balance that does not follow, a credit
with a minus sign, a refund on a charge line) is refused with one line.
"""

from __future__ import annotations

import pandas as pd

from pracops.data import Column, Dataset, Reference, register, register_rules, row_error
from pracops.data.fields import ID, not_before

__all__ = ["TERMS_PATTERN"]

TERMS_PATTERN = r"(?:(\d{1,2}(?:\.\d{1,2})?)/(\d{1,3}) )?[Nn]et ?(\d{1,3})"
"""Payment terms as vendors print them: ``net 30``, ``Net30``, ``2/10 net 30`` (2 % off when
paid within 10 days, else the whole amount within 30)."""

_ACCOUNT = {**ID, "description": "The patient's account number in the practice-management "
                                 "system (no name: worklists identify visits by it)."}
_LOCATION = {**ID, "description": "See locations."}


def _check_front_desk(frame: pd.DataFrame) -> None:
    check = frame["tender"] == "check"
    missing = check & frame["check_number"].isna()
    if missing.any():
        raise row_error(frame, missing, "check_number", "a check without its number",
                        "the number printed on the check (the deposit slip lists it)")
    stray = ~check & frame["check_number"].notna()
    if stray.any():
        raise row_error(frame, stray, "check_number", "a check number on a cash or card receipt",
                        "an empty cell unless the tender is check")


def _check_card_settlements(frame: pd.DataFrame) -> None:
    not_before("settlement_date", "batch_date", "settled before the batch closed")(frame)
    over = frame["fees_cents"] > frame["gross_cents"]
    if over.any():
        raise row_error(frame, over, "fees_cents", "fees larger than the batch",
                        "the processor's fees for the batch, at most its gross")


def _check_bank_statement(frame: pd.DataFrame) -> None:
    """Credits are positive and debits negative; the running balance follows line by line."""
    credit = frame["type"] == "credit"
    wrong = (credit & (frame["amount_cents"] <= 0)) | (~credit & (frame["amount_cents"] >= 0))
    if wrong.any():
        raise row_error(frame, wrong, "amount_cents", "the sign does not match the type",
                        "credits as positive amounts and debits as negative ones",
                        fix="export the statement with signed amounts, or put debits in "
                            "parentheses or with a minus sign")
    after = frame["balance_cents"].shift(1) + frame["amount_cents"]
    broken = (after != frame["balance_cents"]) & after.notna()
    if broken.any():
        raise row_error(frame, broken, "balance_cents", "the running balance does not follow from "
                        "the line before", "the balance after this line: the previous "
                        "balance plus this line's amount",
                        fix="export every line of the statement period in the bank's order; "
                            "a line is missing or out of order")


def _check_ap_invoices(frame: pd.DataFrame) -> None:
    not_before("due_date", "invoice_date", "due before it was invoiced")(frame)
    paid = frame["paid_date"].notna()
    half = paid != frame["paid_cents"].notna()
    if half.any():
        raise row_error(frame, half, "paid_date", "a payment date without an amount or an "
                        "amount without a date", "both the paid date and amount, or neither")
    early = paid & (frame["paid_date"] < frame["invoice_date"])
    if early.any():
        raise row_error(frame, early, "paid_date", "paid before it was invoiced",
                        "a date on or after invoice_date")


def _check_pm_transactions(frame: pd.DataFrame) -> None:
    charge = frame["kind"] == "charge"
    claimless = charge & frame["claim_id"].isna()
    if claimless.any():
        raise row_error(frame, claimless, "claim_id", "a charge without its claim",
                        "the claim the charge was entered on")
    undated = charge & frame["service_date"].isna()
    if undated.any():
        raise row_error(frame, undated, "service_date", "a charge without its date of service",
                        "the date of the visit the charge is for")


register(Dataset(
    name="front_desk_payments",
    stem="front_desk_payments",
    description="One row per receipt the front desk wrote: what a patient paid at the desk, "
                "in which drawer (batch) and how. The day's batches are closed against the "
                "practice-management system's postings and the bank's deposits.",
    key=("receipt",),
    optional=True,
    checks=_check_front_desk,
    columns=(
        Column("receipt", **ID, description="The receipt number (the posting's reference)."),
        Column("date", "date", description="The day the money was taken."),
        Column("location_id", **_LOCATION),
        Column("batch", **ID, description="The drawer or batch the receipt was written in: "
                                          "one user's money for one day."),
        Column("user", **ID, description="Who took the money (employee id, see staff)."),
        Column("patient_account", **_ACCOUNT),
        Column("claim_id", **ID, nullable=True,
               description="The claim the payment was applied to; empty for a prepayment."),
        Column("tender", "category", allowed=("cash", "check", "card")),
        Column("check_number", "str", required=False, nullable=True,
               description="The check's number; empty for cash and card."),
        Column("amount_cents", "money", minimum=1),
        Column("applied_to", "category", allowed=("copay", "self-pay visit", "prior balance",
                                                "prepayment")),
    ),
))

register(Dataset(
    name="card_settlements",
    stem="card_settlements",
    description="One row per card batch the processor settled: what the terminals took "
                "(gross), the processor's fees and what it paid into the bank (net).",
    key=("batch_id",),
    optional=True,
    checks=_check_card_settlements,
    columns=(
        Column("batch_id", **ID, description="The processor's batch number."),
        Column("batch_date", "date", description="The day the batch was closed (the day of "
                                                 "the card payments in it)."),
        Column("settlement_date", "date", description="The day the processor paid the bank."),
        Column("gross_cents", "money", minimum=0),
        Column("fees_cents", "money", minimum=0),
        Column("net_cents", "money", description="What the processor says it paid."),
    ),
))

register(Dataset(
    name="bank_statement",
    stem="bank_statement",
    description="Every line of the operating account's statement, in the bank's order: "
                "credits positive, debits negative, and the balance after each line.",
    key=("line_id",),
    optional=True,
    checks=_check_bank_statement,
    columns=(
        Column("line_id", **ID, description="The line's number in the export."),
        Column("date", "date", description="The day the bank posted the line."),
        Column("type", "category", allowed=("credit", "debit")),
        Column("amount_cents", "money", description="Positive for a credit, negative for a "
                                                    "debit."),
        Column("balance_cents", "money", description="The ledger balance after this line."),
        Column("description", "str"),
        Column("reference", "str", required=False, nullable=True,
               description="The check number of a paid check, the trace of an ACH, the slip "
                           "of a deposit; empty when the bank gives none."),
    ),
))

register(Dataset(
    name="ap_invoices",
    stem="ap_invoices",
    description="One row per vendor invoice entered in accounts payable (a voucher), with its "
                "payment once paid.",
    key=("voucher_id",),
    optional=True,
    checks=_check_ap_invoices,
    columns=(
        Column("voucher_id", **ID, description="The payables system's entry number: an "
                                               "invoice entered twice has two."),
        Column("vendor", **ID, description="Vendor code."),
        Column("invoice_number", "str", description="The vendor's invoice number."),
        Column("invoice_date", "date"),
        Column("due_date", "date"),
        Column("amount_cents", "money", minimum=1),
        Column("terms", "str", pattern=TERMS_PATTERN,
               pattern_text="terms such as 'net 30' or '2/10 net 30'"),
        Column("gl_account", **ID, description="The expense account (see chart_of_accounts)."),
        Column("paid_date", "date", required=False, nullable=True),
        Column("paid_cents", "money", required=False, nullable=True, minimum=1),
        Column("payment_reference", "str", required=False, nullable=True,
               description="The check number or ACH id of the payment."),
    ),
))

register(Dataset(
    name="pm_transactions",
    stem="pm_transactions",
    description="The practice-management system's posting journal (the source of its day "
                "sheets): every charge, payment, adjustment, refund and transfer of balance "
                "between payer and patient, as entered.",
    key=("transaction_id",),
    optional=True,
    checks=_check_pm_transactions,
    columns=(
        Column("transaction_id", **ID),
        Column("posted_date", "date", description="The day it was entered (the day sheet)."),
        Column("service_date", "date", nullable=True,
               description="The date of the visit it belongs to; empty for a prepayment."),
        Column("location_id", **_LOCATION),
        Column("patient_account", **_ACCOUNT),
        Column("claim_id", **ID, nullable=True),
        Column("kind", "category",
               allowed=("charge", "payment", "adjustment", "refund", "transfer")),
        Column("amount_cents", "money",
               description="Its effect on accounts receivable: charges and refunds positive, "
                           "payments and write-offs negative, a transfer's two sides (to the "
                           "patient, from the payer) one row each with opposite signs."),
        Column("responsible", "category", allowed=("payer", "patient"),
               description="Whose balance it moves."),
        Column("reference", "str", nullable=True,
               description="A payment's receipt number or ERA trace; a charge's claim line "
                           "(claim-line_no)."),
        Column("user", **ID, description="Who posted it (employee id, or a system user such as "
                                         "ERA for automatic posting)."),
    ),
))

register(Dataset(
    name="payroll_runs",
    stem="payroll_runs",
    description="One row per payroll paid from the operating account: gross wages and what "
                "the employer paid on top. Optional: without it the forecast builds payrolls "
                "from the staff roster and the pay schedule.",
    key=("pay_date",),
    optional=True,
    columns=(
        Column("pay_date", "date"),
        Column("gross_cents", "money", minimum=0),
        Column("employer_taxes_cents", "money", minimum=0),
        Column("benefits_cents", "money", minimum=0),
    ),
))

# "Where both exist, deposits and bank_statement must agree" (issue 15) is not a rule here but
# the bank reconciliation's matching (pracops.daily_close.cash): a deposit recorded and not yet
# credited is a deposit in transit, one never credited or a credit never recorded is a finding
# the administrator must see, and neither may stop the rest of the close from loading.
register_rules(
    references=(
        Reference("front_desk_payments", "location_id", "locations", "location_id"),
        Reference("front_desk_payments", "user", "staff", "employee_id"),
        Reference("front_desk_payments", "claim_id", "claims", "claim_id"),
        Reference("pm_transactions", "location_id", "locations", "location_id"),
        Reference("pm_transactions", "claim_id", "claims", "claim_id"),
        Reference("ap_invoices", "gl_account", "chart_of_accounts", "account"),
    ),
)
