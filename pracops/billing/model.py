"""Billing reconciliation: what was billed, what the payers said, what reached the bank.

This module owns the logic of the weekly billing report. Every function takes DataFrames (the
frames of :mod:`pracops.data` and a :class:`~pracops.x12.Remittance`) and returns DataFrames or
numbers; nothing here reads or writes files or displays anything (the report's chain,
:mod:`pracops.billing.chain`, loads the inputs and writes the worklists). :func:`reconcile`
runs the whole calculation and returns a :class:`BillingReconciliation`; its first half,
matching remittances to claims and payments to deposits, is :mod:`pracops.billing.matching`
(its names are offered here too). Money is integer cents throughout (``*_cents`` columns,
``int64``, or ``Int64`` where a value may be missing) and every cent is accounted for by the
control totals (:func:`control_totals`).

Definitions
-----------
duplicate ERA
    Two 835 payments with the same trace number (TRN02), payer id (TRN03) and amount (BPR02).
    The copy in the first file by file name is kept; the others are dropped with their claims,
    service lines, adjustments and PLBs (:func:`deduplicate_remittance`).
matched claim
    A remittance claim (CLP) whose CLP01 is a submitted ``claim_id``; failing that, whose
    payer claim number (CLP07) was seen, from the same payer (TRN03), on a remittance claim
    that matched by CLP01 (:func:`match_claims`). Remittance claims matching nothing are listed.
answered claim
    A submitted claim with at least one matched remittance claim. Its net paid, charge and
    adjustments are the sums over all its remittance claims: split payments add up,
    reversals (CLP02 = 22, negative amounts) cancel the original, and the correction counts.
adjustment category
    :func:`pracops.x12.codes.carc_category` of the group code and CARC: contractual, patient
    responsibility, denial to work, payer reduction or other.
denied amount
    The net amount of adjustments in the category 'denial to work'. A *denied line* is a
    claim line whose net paid is 0 and whose net denied amount is positive.
payer allowed
    Per remittance service line: AMT*B6 when present, else the line charge less its CO
    adjustments of category 'contractual'. Per claim line: the sum over its remittance lines.
contract allowed
    ``fee_schedule.allowed_cents`` (per unit) for the claim's payer, the CPT and the first
    billed modifier that has a rate (else the row with modifier ''), times the claim line units.
underpayment
    A claim line, not denied and with a contract rate, whose shortfall
    ``contract allowed − payer allowed`` exceeds both thresholds (cents and fraction of the
    contract allowed).
insurance open balance (insurance A/R) of a claim
    0 for a self-pay claim; otherwise ``charge − net paid − net adjustments that close the
    claim`` (contractual, patient responsibility, payer reduction, other). So it is the whole
    charge for a claim never answered (or fully reversed), the denied amount still to work for
    a denied claim, and 0 for a claim paid as adjudicated.
patient open balance (patient A/R) of a claim
    The whole charge for a self-pay claim, else the net patient responsibility (PR); less the
    patient payments posted to the claim when ``payments_posted`` is given.
age of a claim
    Days from the date of service (or the submitted date) to the as-of date; a claim dated
    after the as-of date counts as 0 days.

How it is fast (about a million service lines in seconds): claim ids are looked up with
Arrow's hash index (``matching._positions``) and everything after works on integer positions and
codes; pandas' ``isin``/``map`` on Arrow strings build Python objects and would take seconds
per call. No step loops over claims in Python, nor calls Python once per group: the distinct
remark codes, CARCs and reasons of each denial group or claim are gathered for all the groups
at once (split, deduplicated and sorted by one Arrow aggregation, :func:`_distinct_joined`);
matching ERAs to deposits repeats a vectorised "mutual best pair" round a few times.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# the matching's functions (offered here too), its vector helpers and column types
from pracops.billing.matching import (
    _D,
    _DENIAL,
    _S,
    DepositMatch,
    _arrow,
    _cents,
    _dates,
    _positions,
    _shared_lookups,
    _sum_at,
    _total,
    categorise_adjustments,
    check_inputs,
    claim_balances,
    deduplicate_remittance,
    deposit_traces,
    expected_vs_paid,
    match_claims,
    match_deposits,
    match_lines,
    self_pay_payer_ids,
    unanswered_claims,
)
from pracops.errors import ParameterError
from pracops.report import KPI
from pracops.x12 import Remittance
from pracops.x12.codes import carc_description, plb_description

__all__ = [
    "AGING_BUCKETS",
    "ADJUSTMENT_GROUPS",
    "DEFAULT_TARGETS",
    "PATIENT_COLUMNS",
    "BillingReconciliation",
    "DepositMatch",
    "adjustments_by_category",
    "aging",
    "ar_share_over",
    "average_days_to_payment",
    "categorise_adjustments",
    "check_inputs",
    "claim_balances",
    "control_totals",
    "days_in_ar",
    "deduplicate_remittance",
    "denials",
    "exclusions",
    "denials_by",
    "deposit_traces",
    "expected_vs_paid",
    "first_responses",
    "gross_collection_rate",
    "initial_denial_rate",
    "initial_denial_rate_dollars",
    "kpi_frame",
    "match_claims",
    "match_deposits",
    "match_lines",
    "net_collection_rate",
    "posting_lag_days",
    "provider_adjustments",
    "reconcile",
    "report_kpis",
    "self_pay_payer_ids",
    "top_denial_reasons",
    "unanswered_claims",
    "worklists",
]

logger = logging.getLogger(__name__)

#: Adjustment group codes (CAS01) the control totals show one by one.
ADJUSTMENT_GROUPS: tuple[str, ...] = ("CO", "PR", "OA", "PI", "CR")

#: A/R aging buckets: (column, first day, last day or None for no upper end).
AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("days_0_30_cents", 0, 30),
    ("days_31_60_cents", 31, 60),
    ("days_61_90_cents", 61, 90),
    ("days_91_120_cents", 91, 120),
    ("days_over_120_cents", 121, None),
)

#: Patient data columns a worklist carries only when ``show_patient_names`` is True.
PATIENT_COLUMNS: tuple[str, ...] = ("patient_name", "patient_dob", "member_id")

#: KPI targets: days in A/R at most 40, net collection rate at least 95 %, initial denial
#: rate (by count) at most 5 %.
DEFAULT_TARGETS: Mapping[str, float] = {
    "days_in_ar": 40.0,
    "net_collection_rate": 0.95,
    "initial_denial_rate": 0.05,
}

_PLB_INTEREST = frozenset({"L6"})
_PLB_RECOVERY = frozenset({"WO", "WU", "FB", "72"})
_REVERSAL = "22"
_AGE_FROM = ("date_of_service", "submitted_date")


# ---- provider adjustments and control totals -------------------------------------------------


def provider_adjustments(remittance: Remittance) -> pd.DataFrame:
    """PLB adjustments with their payment, description and kind.

    Returns
    -------
    pandas.DataFrame
        ``payment_seq``, ``file``, ``trace_number``, ``trace_payer_id``, ``payer_name``,
        ``payment_date``, ``reason_code``, ``description``, ``reference_id``, ``kind``
        (``'interest'`` for L6, ``'recovery'`` for WO, WU, FB and 72, else ``'other'``),
        ``amount_cents`` (as in the PLB: positive = the payer keeps money) and
        ``payment_effect_cents = −amount_cents`` (what it adds to the payment).
    """
    plb = remittance.provider_adjustments.merge(
        remittance.payments[["payment_seq", "trace_number", "trace_payer_id", "payer_name",
                             "payment_date"]], on="payment_seq", how="left")
    codes = plb["reason_code"].astype(_S).fillna("").str.upper()
    described = {c: plb_description(c) for c in codes.unique()}
    plb["description"] = codes.map(described).astype(_S)
    plb["kind"] = pd.array(np.select([codes.isin(_PLB_INTEREST).to_numpy(),
                                      codes.isin(_PLB_RECOVERY).to_numpy()],
                                     ["interest", "recovery"], "other"), dtype=_S)
    plb["payment_effect_cents"] = -plb["amount_cents"]
    return plb[["payment_seq", "file", "trace_number", "trace_payer_id", "payer_name",
                "payment_date", "reason_code", "description", "reference_id", "kind",
                "amount_cents", "payment_effect_cents"]]


def control_totals(balances: pd.DataFrame, remit_claims: pd.DataFrame,
                   adjustments: pd.DataFrame, remittance: Remittance,
                   deposits: DepositMatch,
                   plb: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Control totals that must balance to the cent, each part taken from its own source.

    ``charges``
        Σ claim line charges = insurance payments (Σ CLP04 of matched claims)
        + adjustments by group code (CO, PR, OA, PI, CR, other codes)
        + charges of claims never answered + charges of self-pay claims
        + (submitted charge − Σ CLP03) of answered claims
        + claim balance errors in the 835s (Σ CLP03 − Σ CAS − Σ CLP04).
    ``ERA payments``
        Σ BPR02 after de-duplication = Σ matched deposit amounts + Σ ERAs with no deposit
        − Σ (deposit − ERA) amount differences.
    ``ERA payments by source``
        Σ BPR02 = Σ CLP04 of matched claims + Σ CLP04 of remittance claims with no submitted
        claim − Σ PLB interest − Σ PLB recoveries − Σ other PLB + transaction balance errors.
        This is where PLB shows on its own (interest adds to the payment, recoveries take).
    ``ERA files quarantined (not read)``
        Only when :attr:`~pracops.x12.Remittance.quarantined` has files: the money their
        BPR02 carries (0 where it cannot be read), one item per file naming it and why. That
        money is in none of the checks above: its deposits show as deposits without ERA.

    Whatever the parts leave is the row ``unexplained difference``; a check is balanced when it
    is 0.

    Parameters
    ----------
    balances
        From :func:`claim_balances`.
    remit_claims
        From :func:`match_claims`.
    adjustments
        From :func:`categorise_adjustments`.
    remittance
        De-duplicated (payments and balance errors are read from it).
    deposits
        From :func:`match_deposits`.
    plb
        From :func:`provider_adjustments`.

    Returns
    -------
    summary : pandas.DataFrame
        ``check``, ``total_cents``, ``parts_cents``, ``unexplained_cents``, ``balanced``.
    detail : pandas.DataFrame
        ``check``, ``item``, ``amount_cents``: per check, the total, then the parts that add
        up to it (the last part is the unexplained difference).
    """
    rows: list[tuple[str, str, int]] = []

    def check(name: str, total_label: str, total: int, parts: list[tuple[str, int]]) -> None:
        unexplained = total - sum(amount for _, amount in parts)
        rows.append((name, total_label, total))
        rows.extend((name, item, amount) for item, amount in parts)
        rows.append((name, "unexplained difference", unexplained))

    matched = remit_claims["claim_id"].notna().to_numpy()
    adj = adjustments[adjustments["claim_id"].notna().to_numpy()]
    by_group = adj.groupby(adj["group_code"].fillna(""))["amount_cents"].sum()
    groups = [(f"{g} adjustments", int(by_group.get(g, 0))) for g in ADJUSTMENT_GROUPS]
    other_groups = _total(by_group[~by_group.index.isin(ADJUSTMENT_GROUPS)])
    answered = balances["answered"].to_numpy()
    self_pay = balances["self_pay"].to_numpy()
    errors = remittance.balance_errors
    claim_errors = errors[(errors["rule"] == "claim").to_numpy()
                          & errors["claim_seq"].isin(remit_claims.loc[matched, "claim_seq"])
                          .to_numpy()]
    check("charges", "claim charges", _total(balances["charge_cents"]), [
        ("insurance payments", _total(remit_claims.loc[matched, "paid_cents"])),
        *groups,
        ("adjustments with other group codes", other_groups),
        ("charges of claims never answered",
         _total(balances.loc[~answered & ~self_pay, "charge_cents"])),
        ("charges of self-pay claims", _total(balances.loc[~answered & self_pay,
                                                           "charge_cents"])),
        ("submitted charge differs from remittance charge (CLP03)",
         _total(balances.loc[answered, "charge_cents"])
         - _total(balances.loc[answered, "remit_charge_cents"])),
        ("claim balance errors in the 835s", -_total(claim_errors["difference_cents"])),
    ])
    era_total = _total(remittance.payments["total_paid_cents"])
    check("ERA payments", "ERA payments (BPR02, duplicates dropped)", era_total, [
        ("deposits matched to ERAs", _total(deposits.matches["deposit_amount_cents"])),
        ("ERAs with no deposit", _total(deposits.eras_without_deposit["total_paid_cents"])),
        ("less deposit − ERA amount differences",
         -_total(deposits.matches["difference_cents"])),
    ])
    effect = plb.groupby("kind")["payment_effect_cents"].sum()
    transaction_errors = errors[(errors["rule"] == "transaction").to_numpy()]
    check("ERA payments by source", "ERA payments (BPR02, duplicates dropped)", era_total, [
        ("claim payments on submitted claims", _total(remit_claims.loc[matched, "paid_cents"])),
        ("claim payments on remittance claims with no submitted claim",
         _total(remit_claims.loc[~matched, "paid_cents"])),
        ("PLB interest added", int(effect.get("interest", 0))),
        ("PLB recoveries withheld", int(effect.get("recovery", 0))),
        ("PLB other", int(effect.get("other", 0))),
        ("transaction balance errors in the 835s",
         _total(transaction_errors["difference_cents"])),
    ])
    quarantined = remittance.quarantined
    if len(quarantined):
        known = quarantined["paid_cents"]
        check("ERA files quarantined (not read)",
              "money in the quarantined ERA files (BPR02, where it can be read)",
              _total(known.fillna(0)), [
                  (f"{Path(str(f)).name}: {reason}"
                   + ("" if pd.notna(cents) else " (its amount cannot be read)"),
                   int(cents) if pd.notna(cents) else 0)
                  for f, reason, cents in zip(quarantined["file"], quarantined["reason"], known,
                                              strict=True)])
    detail = pd.DataFrame(rows, columns=["check", "item", "amount_cents"]).astype(
        {"check": _S, "item": _S, "amount_cents": "int64"})
    firsts = detail.groupby("check", sort=False).head(1).set_index("check")["amount_cents"]
    lasts = detail.groupby("check", sort=False).tail(1).set_index("check")["amount_cents"]
    summary = pd.DataFrame({"check": firsts.index.astype(_S), "total_cents": firsts.to_numpy(),
                            "parts_cents": (firsts - lasts).to_numpy(),
                            "unexplained_cents": lasts.to_numpy()})
    summary["balanced"] = summary["unexplained_cents"] == 0
    if not summary["balanced"].all():
        logger.warning("control totals do not balance: %s",
                       summary.loc[~summary["balanced"], "check"].tolist())
    return summary, detail


# ---- aging -----------------------------------------------------------------------------------


def _age_days(balances: pd.DataFrame, as_of: pd.Timestamp | str, age_from: str) -> pd.Series:
    if age_from not in _AGE_FROM:
        raise ParameterError(f"age_from must be one of {_AGE_FROM}, got {age_from!r}")
    return (pd.Timestamp(as_of) - balances[age_from]).dt.days.clip(lower=0).astype("int64")


def aging(balances: pd.DataFrame, as_of: pd.Timestamp | str, *,
          amount: str = "insurance_open_cents",
          age_from: str = "date_of_service") -> pd.DataFrame:
    """A/R aging by payer at an as-of date.

    A claim's age is ``as_of − date_of_service`` (or ``− submitted_date``) in days, 0 when
    negative; its open amount goes to the bucket 0–30, 31–60, 61–90, 91–120 or over 120 days
    (both ends included: 30 is in 0–30, 31 in 31–60).

    Parameters
    ----------
    balances
        From :func:`claim_balances`.
    as_of
        The report date.
    amount
        ``'insurance_open_cents'`` (insurance A/R) or ``'patient_open_cents'`` (patient A/R).
    age_from
        ``'date_of_service'`` or ``'submitted_date'``.

    Returns
    -------
    pandas.DataFrame
        One row per payer with an open amount: ``payer_id``, the bucket columns of
        :data:`AGING_BUCKETS` (``days_0_30_cents`` … ``days_over_120_cents``),
        ``total_cents`` and ``claims`` (number of claims with a non-zero open amount).
    """
    days = _age_days(balances, as_of, age_from).to_numpy()
    labels = [name for name, _, _ in AGING_BUCKETS]
    lasts = np.array([last for _, _, last in AGING_BUCKETS if last is not None])
    cents = balances[amount].to_numpy(dtype=np.int64)
    open_rows = cents != 0
    payer, payers = pd.factorize(balances["payer_id"].astype(_S).to_numpy()[open_rows],
                                 sort=True)
    # the first bucket whose last day is not before the age (the last bucket has no end)
    bucket = np.searchsorted(lasts, days[open_rows], side="left")
    size = len(payers) * len(labels)
    cell = np.where(payer >= 0, payer * len(labels) + bucket, -1)
    sums = _sum_at(cell, cents[open_rows], size).reshape(len(payers), len(labels))
    table = pd.DataFrame(sums, columns=labels)
    table.insert(0, "payer_id", pd.array(payers, dtype=_S))
    table["total_cents"] = sums.sum(axis=1)
    table["claims"] = np.bincount(payer[payer >= 0], minlength=len(payers)).astype(np.int64)
    return table


# ---- KPIs ------------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def net_collection_rate(payments_cents: int, charges_cents: int,
                        contractual_cents: int) -> float:
    """Net (adjusted) collection rate (HFMA, MGMA).

    ``payments / (charges − contractual adjustments)``; NaN when the denominator is 0.
    """
    return _ratio(payments_cents, charges_cents - contractual_cents)


def gross_collection_rate(payments_cents: int, charges_cents: int) -> float:
    """Gross collection rate: ``payments / charges``; NaN when there are no charges."""
    return _ratio(payments_cents, charges_cents)


def days_in_ar(open_ar_cents: int, period_charges_cents: int, period_days: int = 90) -> float:
    """Days in A/R (HFMA, MGMA).

    ``open A/R / (charges of the last period_days days / period_days)``, i.e. open A/R divided
    by the average daily charges; NaN when there were no charges in the period.
    """
    return _ratio(open_ar_cents, period_charges_cents / period_days)


def first_responses(remit_claims: pd.DataFrame, adjustments: pd.DataFrame) -> pd.DataFrame:
    """Each answered claim's first adjudication: its earliest remittance claim that is not a
    reversal (CLP02 ≠ 22), by payment date then order of reading.

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``claim_seq``, ``payment_date``, ``status``, ``charge_cents`` (CLP03),
        ``paid_cents``, ``denied_cents`` (its CAS of category 'denial to work') and
        ``denied`` (``denied_cents > 0``).
    """
    rc = remit_claims[(remit_claims["claim_id"].notna()
                       & (remit_claims["status"] != _REVERSAL)).to_numpy()]
    first = rc.sort_values(["payment_date", "claim_seq"]).drop_duplicates("claim_id")
    denial = adjustments[(adjustments["category"] == _DENIAL).to_numpy()]
    denied = denial.groupby("claim_seq")["amount_cents"].sum()
    out = first[["claim_id", "claim_seq", "payment_date", "status", "charge_cents",
                 "paid_cents"]].assign(denied_cents=_cents(first["claim_seq"].map(denied)))
    out["denied"] = out["denied_cents"] > 0
    return out.reset_index(drop=True)


def initial_denial_rate(responses: pd.DataFrame) -> float:
    """Initial denial rate by count (MGMA).

    ``claims with a denial CARC on their first response / claims adjudicated``, from
    :func:`first_responses`; NaN when no claim was adjudicated.
    """
    return _ratio(int(responses["denied"].sum()), len(responses))


def initial_denial_rate_dollars(responses: pd.DataFrame) -> float:
    """Initial denial rate by dollars.

    ``Σ denied amounts on first responses / Σ charges (CLP03) of first responses``, from
    :func:`first_responses`; NaN when nothing was adjudicated.
    """
    return _ratio(_total(responses["denied_cents"]), _total(responses["charge_cents"]))


def ar_share_over(aging_table: pd.DataFrame, days: int) -> float:
    """Share of A/R older than ``days`` (90 or 120, a bucket boundary).

    ``Σ buckets beyond days / total A/R``, from :func:`aging`; NaN when A/R is 0.
    """
    edges = {last: i for i, (_, _, last) in enumerate(AGING_BUCKETS) if last is not None}
    if days not in edges:
        raise ParameterError(f"days must be a bucket boundary {sorted(edges)}, got {days!r}")
    beyond = [name for name, _, _ in AGING_BUCKETS[edges[days] + 1:]]
    return _ratio(int(aging_table[beyond].to_numpy().sum()), _total(aging_table["total_cents"]))


def average_days_to_payment(balances: pd.DataFrame, start: str = "submitted_date") -> float:
    """Average days to payment.

    ``mean(first payment date − start)`` over claims with a payment, where ``start`` is
    ``'submitted_date'`` or ``'date_of_service'``; NaN when no claim was paid.
    """
    if start not in _AGE_FROM:
        raise ParameterError(f"start must be one of {_AGE_FROM}, got {start!r}")
    paid = balances[balances["first_payment_date"].notna().to_numpy()]
    days = (paid["first_payment_date"] - paid[start]).dt.days
    return float(days.mean()) if len(days) else float("nan")


def posting_lag_days(payments_posted: pd.DataFrame, deposit_matches: pd.DataFrame) -> float:
    """Average posting lag.

    ``mean(posted_date − deposit posted date)`` over the ERA postings (``source == 'ERA'``)
    whose ``reference`` is the trace number of a matched deposit; NaN when there are none.
    """
    era = payments_posted[(payments_posted["source"].astype(_S).str.upper() == "ERA")
                          .to_numpy()]
    deposit_date = deposit_matches.drop_duplicates("trace_number").set_index(
        "trace_number")["posted_date"]
    days = (_dates(era["posted_date"]) - era["reference"].astype(_S).map(deposit_date)).dt.days
    days = days.dropna()
    return float(days.mean()) if len(days) else float("nan")


_KPI_INFO: dict[str, tuple[str, str, str]] = {
    # key: (name, unit as in pracops.report.KPI, better)
    "net_collection_rate": ("Net collection rate", "pct", "higher"),
    "gross_collection_rate": ("Gross collection rate", "pct", "higher"),
    "days_in_ar": ("Days in A/R", "days", "lower"),
    "initial_denial_rate": ("Initial denial rate (claims)", "pct", "lower"),
    "initial_denial_rate_dollars": ("Initial denial rate (dollars)", "pct", "lower"),
    "ar_over_90_pct": ("A/R over 90 days", "pct", "lower"),
    "ar_over_120_pct": ("A/R over 120 days", "pct", "lower"),
    "average_days_to_payment": ("Average days to payment", "days", "lower"),
    "posting_lag_days": ("Posting lag", "days", "lower"),
}


def kpi_frame(values: Mapping[str, float],
              targets: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The KPI table with targets and breaches.

    Parameters
    ----------
    values
        KPI key → value (keys as in ``_KPI_INFO``: ``net_collection_rate``, ``days_in_ar`` …);
        a missing or NaN value is shown empty and never breached.
    targets
        KPI key → target, merged over :data:`DEFAULT_TARGETS`; a ceiling for KPIs where lower
        is better, a floor otherwise.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``name``, ``value``, ``unit``, ``better``, ``target`` (NaN when none),
        ``breached`` (bool).
    """
    goals = {**DEFAULT_TARGETS, **(targets or {})}
    unknown = sorted(set(goals) - set(_KPI_INFO))
    if unknown:
        raise ParameterError(f"no KPI named {unknown}; KPIs are {sorted(_KPI_INFO)}")
    rows = []
    for key, (name, unit, better) in _KPI_INFO.items():
        value = float(values.get(key, float("nan")))
        target = float(goals.get(key, float("nan")))
        off = value > target if better == "lower" else value < target
        rows.append((key, name, value, unit, better, target, bool(off)))  # NaN compares False
    return pd.DataFrame(rows, columns=["key", "name", "value", "unit", "better", "target",
                                       "breached"]).astype(
        {"key": _S, "name": _S, "unit": _S, "better": _S})


def report_kpis(kpis: pd.DataFrame) -> list[KPI]:
    """The rows of :func:`kpi_frame` as :class:`pracops.report.KPI` for ``kpi_table``."""
    return [KPI(name=r.name, value=None if pd.isna(r.value) else r.value, unit=r.unit,
                target=None if pd.isna(r.target) else r.target, better=r.better)
            for r in kpis.itertuples(index=False)]


# ---- denials ---------------------------------------------------------------------------------


def denials(adjustments: pd.DataFrame, line_matches: pd.DataFrame,
            balances: pd.DataFrame) -> pd.DataFrame:
    """Net denied amounts per claim, line and reason (adjustments of category 'denial to work').

    Reversed denials net out; only positive net amounts are kept.

    Parameters
    ----------
    adjustments
        From :func:`categorise_adjustments`.
    line_matches
        From :func:`match_lines` (line number and CPT of each service line).
    balances
        From :func:`claim_balances` (payer, rendering NPI, date of service).

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``line_no`` (``<NA>`` for a claim-level denial or an unmatched line),
        ``cpt`` (of the claim line, else the remittance procedure, else ``<NA>``),
        ``group_code``, ``reason_code``, ``carc`` (``'CO-50'``), ``description``,
        ``remark_codes`` (the remark codes the payer gave with it: the claim's MIA/MOA and the
        line's LQ, ``;``-joined, sorted), ``category``, ``denied_cents``,
        ``first_denied_date``, ``payer_id``, ``rendering_npi``, ``date_of_service``.
    """
    den = adjustments[((adjustments["category"] == _DENIAL)
                       & adjustments["claim_id"].notna()).to_numpy()]
    den = den.merge(line_matches[["line_seq", "line_no", "cpt", "procedure_code",
                                  "remark_codes"]], on="line_seq", how="left")
    den["cpt"] = den["cpt"].fillna(den["procedure_code"]).fillna("")
    den["line_key"] = den["line_no"].fillna(-1)
    key = ["claim_id", "line_key", "cpt", "group_code", "reason_code"]
    grouped = den.groupby(key, dropna=False)
    out = (grouped.agg(denied_cents=("amount_cents", "sum"),
                       first_denied_date=("payment_date", "min"),
                       line_no=("line_no", "first"), category=("category", "first"))
           .reset_index())
    out["remark_codes"] = pd.array(_joined_codes(_group_numbers(grouped), len(out),
                                                 den["claim_remark_codes"],
                                                 den["remark_codes"]), dtype=_S)
    out = out[(out["denied_cents"] > 0).to_numpy()].reset_index(drop=True)
    out["line_no"] = out["line_no"].astype("Int64")
    out["cpt"] = out["cpt"].astype(_S).replace("", pd.NA)
    described = {r: carc_description(r) for r in out["reason_code"].dropna().unique()}
    out["carc"] = (out["group_code"].fillna("") + "-" + out["reason_code"].fillna("")).astype(_S)
    out["description"] = out["reason_code"].map(described).astype(_S)
    row = _positions(out["claim_id"], balances["claim_id"])
    for column in ("payer_id", "rendering_npi", "date_of_service"):
        out[column] = balances[column].array.take(row, allow_fill=True)
    return out[["claim_id", "line_no", "cpt", "group_code", "reason_code", "carc",
                "description", "remark_codes", "category", "denied_cents", "first_denied_date",
                "payer_id", "rendering_npi", "date_of_service"]].sort_values(
        ["claim_id", "line_no", "carc"]).reset_index(drop=True)


def _distinct_joined(groups: np.ndarray, n_groups: int, values: pa.Array,
                     sep: str) -> pa.Array:
    """Per group 0 … ``n_groups`` − 1, its distinct non-null ``values`` sorted (as text, by
    code point, as Python sorts) and joined by ``sep``; ``''`` for a group with none.

    ``groups`` numbers the group of each value (:meth:`pandas.core.groupby.GroupBy.ngroup`;
    negative for none). One hash aggregation and one sort for all the groups, no Python call
    per group.
    """
    keep = (groups >= 0) & values.is_valid().to_numpy(zero_copy_only=False)
    pairs = (pa.table({"g": groups[keep], "v": values.filter(pa.array(keep))})
             .group_by(["g", "v"], use_threads=False).aggregate([])
             .sort_by([("g", "ascending"), ("v", "ascending")]))
    counts = np.bincount(pairs["g"].to_numpy(), minlength=n_groups)
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int64())
    joined = pa.LargeListArray.from_arrays(offsets, pairs["v"].combine_chunks()
                                           .cast(pa.large_string()))
    return pc.binary_join(joined, pa.scalar(sep, pa.large_string()))


def _group_numbers(grouped: pd.api.typing.DataFrameGroupBy) -> np.ndarray:
    """The number of each row's group in the order of ``grouped``'s results; -1 for a row
    left out (a missing key with ``dropna=True``)."""
    return grouped.ngroup().fillna(-1).to_numpy(dtype=np.int64)


def _joined_codes(groups: np.ndarray, n_groups: int, *texts: pd.Series) -> pa.Array:
    """Per group, the distinct codes of the ``;``-joined ``texts`` (several columns of the
    same rows), sorted and ``;``-joined; null for a group with none. See
    :func:`_distinct_joined`."""
    ids, codes = [], []
    for text in texts:
        lists = pc.split_pattern(_arrow(text).cast(pa.large_string()), ";")
        codes.append(pc.list_flatten(lists))
        ids.append(groups[pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)])
    flat = pa.concat_arrays(codes)
    filled = pc.not_equal(flat, "").to_numpy(zero_copy_only=False)
    joined = _distinct_joined(np.concatenate(ids)[filled], n_groups, flat.filter(filled), ";")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.large_string()), joined)


def denials_by(denial_rows: pd.DataFrame, by: str | list[str]) -> pd.DataFrame:
    """Denied amounts grouped by a column of :func:`denials` (``payer_id``, ``cpt``,
    ``rendering_npi``, ``carc`` …).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``remark_codes`` (all the remark codes given with them), ``claims``
        (distinct claims), ``denials`` (rows), ``denied_cents`` and ``share`` (of all denied
        cents), largest first.
    """
    keys = [by] if isinstance(by, str) else list(by)
    grouped = denial_rows.groupby(keys, dropna=False)
    out = grouped.agg(claims=("claim_id", "nunique"), denials=("claim_id", "size"),
                      denied_cents=("denied_cents", "sum")).reset_index()
    out.insert(len(keys), "remark_codes", pd.array(
        _joined_codes(_group_numbers(grouped), len(out), denial_rows["remark_codes"]),
        dtype=_S))
    total = _total(denial_rows["denied_cents"])
    out["share"] = out["denied_cents"] / total if total else 0.0
    return out.sort_values(["denied_cents", *keys], ascending=[False, *[True] * len(keys)],
                           ignore_index=True)


def top_denial_reasons(denial_rows: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` denial reasons with the most dollars: ``carc``, ``description``,
    ``remark_codes``, ``claims``, ``denials``, ``denied_cents``, ``share``."""
    return denials_by(denial_rows, ["carc", "description"]).head(n)


def adjustments_by_category(adjustments: pd.DataFrame) -> pd.DataFrame:
    """Adjustments of matched claims by CARC category and group code.

    Returns
    -------
    pandas.DataFrame
        ``category``, ``group_code``, ``claims`` (distinct), ``amount_cents`` (net).
    """
    adj = adjustments[adjustments["claim_id"].notna().to_numpy()]
    return (adj.groupby(["category", "group_code"], dropna=False)
            .agg(claims=("claim_id", "nunique"), amount_cents=("amount_cents", "sum"))
            .reset_index().sort_values("amount_cents", ascending=False, ignore_index=True))


# ---- rows left out on purpose ----------------------------------------------------------------


def exclusions(remittance: Remittance, duplicates: pd.DataFrame, remit_claims: pd.DataFrame,
               line_matches: pd.DataFrame, balances: pd.DataFrame, expected: pd.DataFrame,
               deposits: DepositMatch, claims: pd.DataFrame,
               payments_posted: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every kind of row the reconciliation leaves out of a figure on purpose, counted.

    Nothing disappears without a row here (or a figure of its own): a reader sees how many,
    how much money, and why.

    Parameters
    ----------
    remittance
        The de-duplicated remittance (its ``quarantined`` files).
    duplicates, remit_claims, line_matches, balances, expected, deposits
        From the steps of :func:`reconcile`.
    claims
        Submitted claims.
    payments_posted
        Optional postings.

    Returns
    -------
    pandas.DataFrame
        ``what``, ``count``, ``amount_cents`` and ``why``, one row per kind (kinds with no
        row are listed with a count of 0).
    """
    pay_ok = remittance.payments["total_paid_cents"] != 0
    quarantined = remittance.quarantined
    reversal = (remit_claims["status"] == _REVERSAL).to_numpy()
    unmatched = remit_claims["claim_id"].isna().to_numpy()
    no_line = (line_matches["line_match"] == "none").to_numpy()
    self_pay = balances["self_pay"].to_numpy()
    no_rate = (expected["status"] == "no contract rate").to_numpy()
    rows = [
        ("ERA files quarantined", len(quarantined), _total(quarantined["paid_cents"].fillna(0)),
         "cannot be read or do not balance (BPR02 ≠ Σ CLP04 − Σ PLB): none of their payments, "
         "claims or adjustments is counted; see the alerts"),
        ("835 payments received twice", len(duplicates),
         _total(duplicates["total_paid_cents"]) if len(duplicates) else 0,
         "same trace number, payer and amount as a payment in an earlier file: counted once"),
        ("ERA payments of $0", int((~pay_ok).sum()), 0,
         "move no money: no bank deposit is expected for them"),
        ("patient deposits (card, cash)", len(deposits.patient_deposits),
         _total(deposits.patient_deposits["amount_cents"]),
         "not matched to ERAs: they are patient payments"),
        ("remittance claims matching no submitted claim", int(unmatched.sum()),
         _total(remit_claims.loc[unmatched, "paid_cents"]),
         "their payments count in the ERA totals, but their adjustments and denials are not "
         "attributed to any claim; listed in the worklist remittances_without_claim"),
        ("reversals (CLP02 = 22)", int(reversal.sum()),
         _total(remit_claims.loc[reversal, "paid_cents"]),
         "net out the payment they reverse; not counted as a first response in the denial "
         "rate"),
        ("remittance service lines matching no claim line", int(no_line.sum()),
         _total(line_matches.loc[no_line, "paid_cents"]),
         "their claim matched but no claim line was left for them: not compared with the "
         "contract"),
        ("claim lines with no contract rate", int(no_rate.sum()),
         _total(expected.loc[no_rate, "payer_allowed_cents"]),
         "no fee schedule row for the payer and procedure: not checked for underpayment "
         "(amount: the payer's allowed)"),
        ("self-pay claims", int(self_pay.sum()), _total(balances.loc[self_pay, "charge_cents"]),
         "get no ERA: out of insurance A/R, unanswered claims and denial rates; their charge "
         "is patient A/R"),
    ]
    if payments_posted is not None:
        source = payments_posted["source"].astype(_S).str.lower()
        patient = payments_posted[(source == "patient").to_numpy()]
        orphan = _positions(patient["claim_id"], claims["claim_id"]) < 0
        rows.append(("patient payments posted to no known claim", int(orphan.sum()),
                     _total(patient.loc[orphan, "amount_cents"]),
                     "not applied to any claim's patient balance"))
        era = payments_posted[(source == "era").to_numpy()]
        traced = era["reference"].astype(_S).isin(
            deposits.matches["trace_number"].dropna().astype(str).tolist()).to_numpy()
        rows.append(("ERA postings matching no deposit", int((~traced).sum()),
                     _total(era.loc[~traced, "amount_cents"]),
                     "left out of the posting lag (no deposit date to measure from)"))
    return pd.DataFrame(rows, columns=["what", "count", "amount_cents", "why"]).astype(
        {"what": _S, "count": "int64", "amount_cents": "int64", "why": _S})


# ---- the whole chain -------------------------------------------------------------------------


@dataclass
class BillingReconciliation:
    """Everything :func:`reconcile` works out. Frames hold no patient data.

    Attributes
    ----------
    remittance
        The remittance with duplicate payments dropped.
    duplicates
        Dropped duplicate payments (:func:`deduplicate_remittance`).
    remit_claims
        Remittance claims and their match (:func:`match_claims`).
    unmatched_remittances
        The rows of ``remit_claims`` that match no submitted claim.
    adjustments
        Categorised CAS adjustments (:func:`categorise_adjustments`).
    line_matches
        Service lines matched to claim lines (:func:`match_lines`).
    balances
        Per claim (:func:`claim_balances`), with ``age_days`` at the as-of date.
    unanswered
        Claims never answered (:func:`unanswered_claims`).
    expected
        Contract vs payer allowed per claim line (:func:`expected_vs_paid`).
    underpayments, missing_rates
        The rows of ``expected`` with status ``'underpaid'`` / ``'no contract rate'``.
    deposits
        :class:`DepositMatch`.
    plb
        Provider adjustments (:func:`provider_adjustments`).
    control_summary, control_detail
        :func:`control_totals`.
    aging, patient_aging
        Insurance and patient A/R by payer (:func:`aging`).
    first_responses
        :func:`first_responses`.
    denials
        :func:`denials`.
    kpis
        :func:`kpi_frame`; ``breached`` lists the keys of the KPIs off target.
    exclusions
        The rows left out of figures on purpose, counted (:func:`exclusions`).
    figures
        Headline numbers for ``pracops.report.record`` (``*_cents``, counts, rates).
    as_of, age_from
        The parameters the ages were computed with.
    """

    remittance: Remittance
    duplicates: pd.DataFrame
    remit_claims: pd.DataFrame
    unmatched_remittances: pd.DataFrame
    adjustments: pd.DataFrame
    line_matches: pd.DataFrame
    balances: pd.DataFrame
    unanswered: pd.DataFrame
    expected: pd.DataFrame
    underpayments: pd.DataFrame
    missing_rates: pd.DataFrame
    deposits: DepositMatch
    plb: pd.DataFrame
    control_summary: pd.DataFrame
    control_detail: pd.DataFrame
    aging: pd.DataFrame
    patient_aging: pd.DataFrame
    first_responses: pd.DataFrame
    denials: pd.DataFrame
    kpis: pd.DataFrame
    breached: list[str]
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    age_from: str
    figures: dict[str, int | float | bool] = field(default_factory=dict)


def _kpi_values(balances: pd.DataFrame, insurance_aging: pd.DataFrame,
                responses: pd.DataFrame, as_of: pd.Timestamp, *, ar_period_days: int,
                collection_lag_days: int, payment_days_from: str) -> dict[str, float]:
    """The KPIs of :func:`reconcile` but the posting lag: collection rates over the claims
    served at least ``collection_lag_days`` before ``as_of``, days in A/R over the insured
    charges of the last ``ar_period_days`` days, denial rates, A/R shares, days to payment."""
    insured = ~balances["self_pay"]
    recent = (insured & (balances["date_of_service"] > as_of - pd.Timedelta(days=ar_period_days))
              & (balances["date_of_service"] <= as_of)).to_numpy()
    mature = (balances["date_of_service"]
              <= as_of - pd.Timedelta(days=collection_lag_days)).to_numpy()
    settled = balances[mature]
    collected = _total(settled["paid_cents"]) + _total(settled["patient_paid_cents"])
    return {
        "net_collection_rate": net_collection_rate(collected, _total(settled["charge_cents"]),
                                                   _total(settled["contractual_cents"])),
        "gross_collection_rate": gross_collection_rate(collected,
                                                       _total(settled["charge_cents"])),
        "days_in_ar": days_in_ar(_total(balances["insurance_open_cents"]),
                                 _total(balances.loc[recent, "charge_cents"]), ar_period_days),
        "initial_denial_rate": initial_denial_rate(responses),
        "initial_denial_rate_dollars": initial_denial_rate_dollars(responses),
        "ar_over_90_pct": ar_share_over(insurance_aging, 90),
        "ar_over_120_pct": ar_share_over(insurance_aging, 120),
        "average_days_to_payment": average_days_to_payment(balances, payment_days_from),
    }


def reconcile(remittance: Remittance, claims: pd.DataFrame, claim_lines: pd.DataFrame,
              fee_schedule: pd.DataFrame, deposits: pd.DataFrame, *,
              as_of: pd.Timestamp | str,
              payments_posted: pd.DataFrame | None = None,
              self_pay_payer_ids: Collection[str] = ("SELF",),
              min_shortfall_cents: int = 100, min_shortfall_pct: float = 0.0,
              deposit_window_days: int = 10,
              era_deposit_types: Collection[str] = ("ACH", "check"),
              age_from: str = "date_of_service", payment_days_from: str = "submitted_date",
              ar_period_days: int = 90, collection_lag_days: int = 60,
              targets: Mapping[str, float] | None = None) -> BillingReconciliation:
    """Run the whole billing reconciliation.

    Steps: :func:`check_inputs`, :func:`deduplicate_remittance`, :func:`match_claims`,
    :func:`categorise_adjustments`, :func:`match_lines`, :func:`claim_balances`,
    :func:`expected_vs_paid`, :func:`match_deposits`, :func:`provider_adjustments`,
    :func:`control_totals`, :func:`aging`, the KPIs, :func:`denials` and
    :func:`exclusions`.

    KPIs are computed on all the claims given (filter them for a period first):
    payments are the insurance payments of matched claims plus, when ``payments_posted`` is
    given, the patient payments posted; A/R KPIs (days in A/R, share over 90 and 120 days) use
    insurance A/R and the charges of insured (not self-pay) claims with a date of service in
    the ``ar_period_days`` days up to ``as_of``.

    Parameters
    ----------
    remittance
        All the 835s received (:func:`pracops.x12.read_835`).
    claims, claim_lines, fee_schedule, deposits
        The datasets of the billing contract.
    as_of
        The report date (ages, days since submission, last-90-days charges).
    payments_posted
        Optional postings (patient payments; posting lag).
    self_pay_payer_ids
        Payers that send no ERA.
    min_shortfall_cents, min_shortfall_pct
        Underpayment thresholds (:func:`expected_vs_paid`): the report's
        ``underpayment_threshold`` (dollars, here in cents) and ``underpayment_threshold_pct``.
    deposit_window_days
        Days after an ERA's payment date to look for its deposit (checks matched by amount):
        :func:`match_deposits` with ``window_days=(0, deposit_window_days)``.
    era_deposit_types
        See :func:`match_deposits`.
    age_from
        ``'date_of_service'`` or ``'submitted_date'``: where a claim's age starts (aging).
    payment_days_from
        ``'submitted_date'`` or ``'date_of_service'``: where days to payment start.
    ar_period_days
        Days of charges averaged for days in A/R.
    collection_lag_days
        The collection rates count only claims with a date of service at least this many days
        before ``as_of``: recent claims have charges but no payments or contractual
        adjustments yet, and would pull both rates down (MGMA measures collections over a
        period lagged for the payment cycle). 0 counts every claim.

    The defaults are the report's (:mod:`pracops.billing.parameters`): an analyst calling this
    gets the numbers the report shows.

    Raises
    ------
    ParameterError
        ``deposit_window_days`` not a whole number of days ≥ 0, ``collection_lag_days`` < 0, an
        unknown ``age_from`` or KPI target.
    targets
        KPI targets over :data:`DEFAULT_TARGETS`.

    Returns
    -------
    BillingReconciliation
    """
    as_of = pd.Timestamp(as_of)
    for name, days in (("deposit_window_days", deposit_window_days),
                       ("collection_lag_days", collection_lag_days)):
        if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 0:
            raise ParameterError(f"{name} must be a whole number of days, at least 0, got "
                                 f"{days!r}")
    with _shared_lookups():
        check_inputs(claims, claim_lines, fee_schedule)
        clean, duplicates = deduplicate_remittance(remittance)
        remit_claims = match_claims(clean, claims)
        adjustments = categorise_adjustments(clean.adjustments, remit_claims)
        lines = match_lines(clean, remit_claims, claims, claim_lines, adjustments)
        balances = claim_balances(claims, claim_lines, remit_claims, adjustments,
                                  self_pay_payer_ids=self_pay_payer_ids,
                                  payments_posted=payments_posted)
        balances["age_days"] = _age_days(balances, as_of, age_from)
        expected = expected_vs_paid(claims, claim_lines, fee_schedule, lines,
                                    min_shortfall_cents=min_shortfall_cents,
                                    min_shortfall_pct=min_shortfall_pct)
        matched_deposits = match_deposits(clean.payments, deposits,
                                          window_days=(0, deposit_window_days),
                                          era_deposit_types=era_deposit_types)
        plb = provider_adjustments(clean)
        summary, detail = control_totals(balances, remit_claims, adjustments, clean,
                                         matched_deposits, plb)
        insurance_aging = aging(balances, as_of, age_from=age_from)
        responses = first_responses(remit_claims, adjustments)

    charges = _total(balances["charge_cents"])
    insurance_paid = _total(balances["paid_cents"])
    insurance_ar = _total(balances["insurance_open_cents"])
    values = _kpi_values(balances, insurance_aging, responses, as_of,
                         ar_period_days=ar_period_days, collection_lag_days=collection_lag_days,
                         payment_days_from=payment_days_from)
    if payments_posted is not None:
        values["posting_lag_days"] = posting_lag_days(payments_posted, matched_deposits.matches)
    kpis = kpi_frame(values, targets)
    underpayments = expected[(expected["status"] == "underpaid").to_numpy()].reset_index(
        drop=True)
    unmatched = remit_claims[(remit_claims["match"] == "none").to_numpy()].reset_index(drop=True)
    unanswered = unanswered_claims(balances, as_of)
    figures: dict[str, int | float | bool] = {
        "charges_cents": charges,
        "insurance_payments_cents": insurance_paid,
        "insurance_ar_cents": insurance_ar,
        "patient_ar_cents": _total(balances["patient_open_cents"]),
        "underpaid_lines": len(underpayments),
        "underpaid_cents": _total(underpayments["shortfall_cents"]),
        "denied_cents": _total(balances["denied_cents"]),
        "unmatched_remittance_claims": len(unmatched),
        "unanswered_claims": len(unanswered),
        "eras_without_deposit": len(matched_deposits.eras_without_deposit),
        "deposits_without_era": len(matched_deposits.deposits_without_era),
        "duplicate_eras": len(duplicates),
        "plb_interest_cents": _total(plb.loc[(plb["kind"] == "interest").to_numpy(),
                                             "payment_effect_cents"]),
        "plb_recovery_cents": _total(plb.loc[(plb["kind"] == "recovery").to_numpy(),
                                             "payment_effect_cents"]),
        "control_totals_balanced": bool(summary["balanced"].all()),
        **values,
    }
    return BillingReconciliation(
        remittance=clean, duplicates=duplicates, remit_claims=remit_claims,
        unmatched_remittances=unmatched, adjustments=adjustments, line_matches=lines,
        balances=balances, unanswered=unanswered, expected=expected,
        underpayments=underpayments,
        missing_rates=expected[(expected["status"] == "no contract rate").to_numpy()]
        .reset_index(drop=True),
        deposits=matched_deposits, plb=plb, control_summary=summary, control_detail=detail,
        aging=insurance_aging,
        patient_aging=aging(balances, as_of, amount="patient_open_cents", age_from=age_from),
        first_responses=responses, denials=denials(adjustments, lines, balances),
        kpis=kpis, breached=kpis.loc[kpis["breached"].to_numpy(), "key"].astype(str).tolist(),
        exclusions=exclusions(clean, duplicates, remit_claims, lines, balances, expected,
                              matched_deposits, claims, payments_posted),
        figures=figures, as_of=as_of, age_from=age_from,
    )


# ---- worklists -------------------------------------------------------------------------------


def _file_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its ``file`` column as file names: a hand-out names no server path."""
    names = frame["file"].map(lambda p: None if pd.isna(p) else Path(str(p)).name)
    return frame.assign(file=names.astype(_S))


def worklists(result: BillingReconciliation, claims: pd.DataFrame, *,
              show_patient_names: bool = False,
              unanswered_after_days: int = 60,
              over_days: int = 90) -> dict[str, pd.DataFrame]:
    """The lists the billing staff work, identified by claim number (or trace, deposit id).

    Parameters
    ----------
    result
        From :func:`reconcile`.
    claims
        Submitted claims (the source of patient columns).
    show_patient_names
        Add ``patient_name``, ``patient_dob`` and ``member_id`` (from the claims; for a
        remittance with no claim, the name and member id the 835 gives). Off by default:
        patient data stays out of shared output.
    unanswered_after_days
        Claims never answered are listed once this many days have passed since submission.
    over_days
        Age beyond which an open insurance balance is listed in ``ar_over_90``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``denials`` (one row per claim with a denied amount still open: ``claim_id``,
        ``payer_id``, ``rendering_npi``, ``date_of_service``, ``first_denied_date``, ``carcs``,
        ``reasons``, ``remark_codes``, ``denied_cents``, ``insurance_open_cents``),
        ``underpayments`` (claim lines: ``claim_id``, ``line_no``, ``payer_id``, ``cpt``,
        ``modifiers``, ``units``,
        ``contract_allowed_cents``, ``payer_allowed_cents``, ``paid_cents``,
        ``shortfall_cents``), ``remittances_without_claim``, ``claims_never_answered``,
        ``eras_without_deposit``, ``deposits_without_era`` and ``ar_over_90`` (``claim_id``,
        ``payer_id``, ``date_of_service``, ``submitted_date``, ``age_days``, ``answered``,
        ``insurance_open_cents``).
    """
    bal = result.balances
    den = result.denials
    grouped = den.groupby("claim_id")
    per_claim = grouped.agg(first_denied_date=("first_denied_date", "min"),
                            denied_cents=("denied_cents", "sum")).reset_index()
    groups, n_claims = _group_numbers(grouped), len(per_claim)
    joined = {
        "carcs": _distinct_joined(groups, n_claims, _arrow(den["carc"]), ";"),
        "reasons": _distinct_joined(groups, n_claims, _arrow(den["description"]), "; "),
        "remark_codes": _joined_codes(groups, n_claims, den["remark_codes"]),
    }
    for position, (column, values) in enumerate(joined.items(), start=2):
        per_claim.insert(position, column, pd.array(values, dtype=_S))
    denial_list = (bal[["claim_id", "payer_id", "rendering_npi", "date_of_service",
                        "insurance_open_cents"]]
                   .merge(per_claim, on="claim_id"))
    denial_list = denial_list[(denial_list["insurance_open_cents"] > 0).to_numpy()][
        ["claim_id", "payer_id", "rendering_npi", "date_of_service", "first_denied_date",
         "carcs", "reasons", "remark_codes", "denied_cents", "insurance_open_cents"]].sort_values(
        ["denied_cents", "claim_id"], ascending=[False, True])
    under = result.underpayments[["claim_id", "line_no", "payer_id", "cpt", "modifiers",
                                  "units", "contract_allowed_cents", "payer_allowed_cents",
                                  "paid_cents", "shortfall_cents"]]
    remits = _file_names(result.unmatched_remittances[
        ["remit_claim_id", "payer_claim_number", "status", "trace_number", "payer_name",
         "payment_date", "file", "charge_cents", "paid_cents", "claim_seq"]])
    never = result.unanswered[(result.unanswered["days_since_submission"]
                               > unanswered_after_days).to_numpy()]
    old = bal[((bal["insurance_open_cents"] > 0) & (bal["age_days"] > over_days)).to_numpy()][
        ["claim_id", "payer_id", "date_of_service", "submitted_date", "age_days", "answered",
         "insurance_open_cents"]].sort_values(["age_days", "claim_id"], ascending=[False, True])
    lists = {
        "denials": denial_list,
        "underpayments": under,
        "remittances_without_claim": remits,
        "claims_never_answered": never,
        "eras_without_deposit": _file_names(result.deposits.eras_without_deposit),
        "deposits_without_era": result.deposits.deposits_without_era,
        "ar_over_90": old,
    }
    if show_patient_names:
        patients = claims[["claim_id", *PATIENT_COLUMNS]].astype({"claim_id": _S})
        for name in ("denials", "underpayments", "claims_never_answered", "ar_over_90"):
            lists[name] = lists[name].merge(patients, on="claim_id", how="left")
        rc = result.remittance.claims
        names = (rc["patient_last_name"].fillna("") + ", "
                 + rc["patient_first_name"].fillna("")).str.strip(", ")
        remit_patients = pd.DataFrame({"claim_seq": rc["claim_seq"],
                                       "patient_name": names.replace("", pd.NA).astype(_S),
                                       "patient_dob": pd.Series(pd.NaT, index=rc.index,
                                                                dtype=_D),
                                       "member_id": rc["patient_member_id"]})
        lists["remittances_without_claim"] = remits.merge(remit_patients, on="claim_seq",
                                                          how="left")
    lists["remittances_without_claim"] = lists["remittances_without_claim"].drop(
        columns="claim_seq")
    return {name: frame.reset_index(drop=True) for name, frame in lists.items()}
