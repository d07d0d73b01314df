"""Code tables an 835 remittance speaks in, described in our own words.

This module owns the meaning of the codes the billing report meets: claim adjustment reason
codes (CARC, the ``CAS02``/``CAS05``/… elements), the adjustment group codes (``CAS01``), the
provider-level adjustment reason codes (``PLB03-1`` …) and the claim status codes (``CLP02``).
The descriptions are short paraphrases written for a practice manager; they are not the
official X12 wording, which the code maintainers publish (and revise three times a year).

Every lookup is total: an unknown code gets the description ``'unknown code'`` and the category
``'other'``, never an exception, because a remittance from a new payer must still be readable.
"""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd

__all__ = [
    "CATEGORIES",
    "GROUP_CODES",
    "UNKNOWN",
    "carc_category",
    "carc_description",
    "claim_status_meaning",
    "plb_description",
]

UNKNOWN = "unknown code"

CONTRACTUAL = "contractual"
PATIENT = "patient responsibility"
DENIAL = "denial to work"
REDUCTION = "payer reduction"
OTHER = "other"

#: The categories :func:`carc_category` returns, in the order a report shows them.
CATEGORIES: tuple[str, ...] = (CONTRACTUAL, PATIENT, DENIAL, REDUCTION, OTHER)

#: Adjustment group codes (``CAS01``): who carries the adjusted amount.
GROUP_CODES: MappingProxyType[str, str] = MappingProxyType({
    "CO": "contractual obligation: the practice writes it off under its contract and may not "
          "bill the patient for it",
    "PR": "patient responsibility: the patient (or a secondary payer) owes this amount",
    "OA": "other adjustment: neither contractual nor the patient's, e.g. what a prior payer "
          "already paid",
    "PI": "payer-initiated reduction: the payer cut the amount without a contract term "
          "behind it; the patient may not be billed",
    "CR": "correction or reversal of an earlier adjudication (older remittances)",
})

# CARC -> (description in our words, category when the group code is CO).
# Under other group codes the category is derived in carc_category().
_CARC: dict[str, tuple[str, str]] = {
    "1": ("deductible the patient still has to meet", PATIENT),
    "2": ("coinsurance share owed by the patient", PATIENT),
    "3": ("copay owed by the patient", PATIENT),
    "4": ("modifier missing or does not fit the procedure", DENIAL),
    "5": ("procedure or bill type does not fit the place of service", DENIAL),
    "6": ("procedure or revenue code does not fit the patient's age", DENIAL),
    "11": ("diagnosis does not support the procedure billed", DENIAL),
    "15": ("authorization number missing or not valid", DENIAL),
    "16": ("claim is missing information or has a billing error; see the remark codes", DENIAL),
    "18": ("duplicate of a claim or service already received", DENIAL),
    "22": ("another payer may be primary (coordination of benefits)", DENIAL),
    "23": ("amount changed by what a prior payer paid or allowed", OTHER),
    "24": ("covered by a capitation or managed care arrangement", CONTRACTUAL),
    "26": ("service before the patient's coverage started", DENIAL),
    "27": ("service after the patient's coverage ended", DENIAL),
    "29": ("filed after the payer's filing deadline", DENIAL),
    "31": ("payer cannot find the patient as its member", DENIAL),
    "39": ("authorization was refused when it was requested", DENIAL),
    "42": ("charge above the fee schedule or maximum allowed (older code)", CONTRACTUAL),
    "45": ("charge above the contracted or fee-schedule amount", CONTRACTUAL),
    "50": ("payer judges the service not medically necessary", DENIAL),
    "59": ("reduced under multiple or concurrent procedure rules", REDUCTION),
    "66": ("blood deductible owed by the patient", PATIENT),
    "94": ("paid more than charged; the excess is taken back", OTHER),
    "96": ("charge not covered", DENIAL),
    "97": ("paid as part of another service or procedure (bundled)", DENIAL),
    "100": ("payment went to the patient, not to the practice", OTHER),
    "109": ("not covered by this payer; bill the right payer", DENIAL),
    "119": ("benefit maximum for the period has been reached", DENIAL),
    "129": ("earlier processing information is wrong", DENIAL),
    "131": ("discount negotiated for this specific claim", CONTRACTUAL),
    "146": ("diagnosis not valid on the date of service", DENIAL),
    "151": ("payer does not accept this number or frequency of services", DENIAL),
    "167": ("diagnosis is not covered", DENIAL),
    "170": ("not paid when this type of provider performs it", DENIAL),
    "181": ("procedure code not valid on the date of service", DENIAL),
    "182": ("modifier not valid on the date of service", DENIAL),
    "187": ("paid from the patient's spending account (HSA, FSA)", PATIENT),
    "197": ("precertification or authorization missing", DENIAL),
    "198": ("precertification or authorization exceeded", DENIAL),
    "204": ("service not covered by the patient's current benefit plan", DENIAL),
    "226": ("information the payer asked for was not sent or was not enough", DENIAL),
    "234": ("procedure is not paid on its own", DENIAL),
    "237": ("reduction or penalty required by law or regulation", REDUCTION),
    "242": ("service not given by a network or primary care provider", DENIAL),
    "251": ("attachment or documentation received was incomplete", DENIAL),
    "252": ("attachment or other documentation needed", DENIAL),
    "253": ("federal sequestration cut", REDUCTION),
    "256": ("not payable under the managed care contract", CONTRACTUAL),
    "A1": ("claim or service denied; see the remark codes", DENIAL),
    "A2": ("contractual adjustment (older code)", CONTRACTUAL),
    "B7": ("provider not certified or eligible for this service on this date", DENIAL),
    "B9": ("patient is enrolled in hospice", DENIAL),
    "B13": ("already paid, possibly inside an earlier payment", DENIAL),
}

# PLB03-1 reason -> description in our words. A positive PLB amount is taken from the payment
# (BPR02 = Σ CLP04 − Σ PLB), a negative one added to it.
_PLB: dict[str, str] = {
    "50": "reduction for late filing",
    "51": "interest penalty charged to the provider",
    "72": "authorized return of funds",
    "90": "allowance for early payment",
    "AH": "fee for originating the payment",
    "B2": "rebate",
    "B3": "recovery allowance",
    "BD": "bad debt adjustment",
    "BN": "bonus",
    "C5": "temporary allowance",
    "CR": "capitation interest",
    "CS": "adjustment; PLB03-2 says what it is about",
    "CT": "capitation payment",
    "CV": "capital pass-through",
    "CW": "nurse anesthetist (CRNA) pass-through",
    "DM": "direct medical education pass-through",
    "E3": "withholding",
    "FB": "forwarding balance carried between payments",
    "FC": "allocation of funds",
    "GO": "graduate medical education pass-through",
    "HM": "hemophilia clotting factor add-on",
    "IP": "incentive premium payment",
    "IR": "tax withholding for the IRS",
    "IS": "interim settlement",
    "J1": "amount that is not reimbursable",
    "L3": "penalty",
    "L6": "interest owed to the provider",
    "LE": "levy (e.g. a tax levy)",
    "LS": "lump sum",
    "OA": "organ acquisition pass-through",
    "OB": "offset for an affiliated provider",
    "PI": "periodic interim payment",
    "PL": "final payment",
    "RA": "retroactive adjustment",
    "RE": "return on equity",
    "SL": "student loan repayment",
    "TL": "third-party liability recovery",
    "WO": "recovery of an earlier overpayment",
    "WU": "recovery not otherwise specified",
}

# CLP02 claim status -> meaning in our words.
_CLAIM_STATUS: dict[str, str] = {
    "1": "processed as primary",
    "2": "processed as secondary",
    "3": "processed as tertiary",
    "4": "denied",
    "19": "processed as primary, forwarded to another payer",
    "20": "processed as secondary, forwarded to another payer",
    "21": "processed as tertiary, forwarded to another payer",
    "22": "reversal of an earlier payment",
    "23": "not this payer's claim, forwarded to another payer",
    "25": "priced only (predetermination), no payment",
}


def _norm(code: object) -> str:
    """Upper-case text without surrounding spaces; a missing value becomes ``''``."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return ""
    return str(code).strip().upper()


def carc_description(carc: object) -> str:
    """Short description of a claim adjustment reason code, in our own words.

    Parameters
    ----------
    carc
        The reason code as it stands in the CAS segment (``"45"``, ``"B13"``).

    Returns
    -------
    str
        The description, or ``'unknown code'``.
    """
    entry = _CARC.get(_norm(carc))
    return entry[0] if entry else UNKNOWN


def carc_category(group_code: object, carc: object) -> str:
    """Which kind of money an adjustment is, judged from its group code and reason code.

    The rules: anything under ``PR`` is ``'patient responsibility'``; ``CR`` (a correction) is
    ``'other'``; under ``CO`` a reason code has its own category (``45`` contractual, ``50``
    denial to work, ``253`` payer reduction …); under ``PI`` a contractual reason becomes
    ``'payer reduction'`` (no contract behind it); under ``OA`` a contractual reason becomes
    ``'other'``; a patient-responsibility reason (``1``, ``2``, ``3`` …) outside ``PR`` is
    ``'other'``. Unknown group or reason codes give ``'other'``.

    Parameters
    ----------
    group_code
        ``CAS01``: ``CO``, ``PR``, ``OA``, ``PI`` or ``CR``.
    carc
        The claim adjustment reason code.

    Returns
    -------
    str
        One of :data:`CATEGORIES`.

    Examples
    --------
    >>> carc_category("CO", "45")
    'contractual'
    >>> carc_category("PR", "2")
    'patient responsibility'
    >>> carc_category("CO", "50")
    'denial to work'
    """
    group = _norm(group_code)
    if group == "PR":
        return PATIENT
    entry = _CARC.get(_norm(carc))
    if group not in ("CO", "PI", "OA") or entry is None:
        return OTHER
    category = entry[1]
    if category == PATIENT:
        return OTHER
    if category == CONTRACTUAL and group == "PI":
        return REDUCTION
    if category == CONTRACTUAL and group == "OA":
        return OTHER
    return category


def plb_description(reason_code: object) -> str:
    """Short description of a provider-level adjustment reason (``PLB03-1``), in our words."""
    return _PLB.get(_norm(reason_code), UNKNOWN)


def claim_status_meaning(status: object) -> str:
    """Meaning of a claim status code (``CLP02``); ``'unknown code'`` when unknown."""
    return _CLAIM_STATUS.get(_norm(status), UNKNOWN)
