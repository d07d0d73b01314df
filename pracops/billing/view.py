"""What the billing reconciliation notebook shows: inputs loaded, the summary in words, the
figures a scheduled run records, alerts, formatted tables and charts.

The reconciliation itself lives in :mod:`pracops.billing`; this module only turns its result
into what a practice administrator reads. Tables are returned as pandas Stylers (values stay
exact cents; only the display is dollars), charts are drawn on an axis the caller owns.
Nothing here shows patient names, birth dates or member IDs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pracops import data
from pracops.billing import model as billing
from pracops.report import fmt_money, fmt_pct, format_table, money_axis
from pracops.x12 import Remittance, read_835

__all__ = [
    "HEADLINE_FIGURES",
    "BillingInputs",
    "load_inputs",
    "default_as_of",
    "run_reconciliation",
    "summary_figures",
    "summary_text",
    "alerts",
    "control_table",
    "deposit_summary_table",
    "deposit_exception_tables",
    "underpayment_table",
    "top_denials_table",
    "denials_by_table",
    "adjustments_table",
    "quarantine_table",
    "era_warnings_table",
    "exclusions_table",
    "aging_table",
    "worklist_index",
    "collections_by_month",
    "plot_collections_by_month",
    "plot_denials_by_category",
    "plot_aging",
]

HEADLINE_FIGURES = ("net_collection_rate", "days_in_ar", "denial_rate", "open_ar_cents",
                    "underpaid_cents", "unmatched_era_count")
"""Figures shown for this report on the run's index page."""

_BUCKETS = [("days_0_30_cents", "0–30"), ("days_31_60_cents", "31–60"),
            ("days_61_90_cents", "61–90"), ("days_91_120_cents", "91–120"),
            ("days_over_120_cents", "over 120")]


@dataclass
class BillingInputs:
    """The datasets of one reconciliation, as loaded."""

    claims: pd.DataFrame
    claim_lines: pd.DataFrame
    fee_schedule: pd.DataFrame
    deposits: pd.DataFrame
    payers: pd.DataFrame
    providers: pd.DataFrame
    payments_posted: pd.DataFrame | None
    remittance: Remittance


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> BillingInputs:
    """Load every dataset the billing report reads from one folder (``None``: the sample).

    Raises
    ------
    DataError
        A missing or malformed file (named, with row and column), or no ``era/`` folder.
    X12Error
        Only when ``era/`` holds no file at all. A malformed or unbalanced 835 does not
        raise: it is quarantined (``remittance.quarantined``) and the report names it.
    """
    posted = None
    try:
        data.locate("payments_posted", data_dir)
    except data.DataError:
        posted = None
    else:
        posted = data.load("payments_posted", data_dir)
    return BillingInputs(
        claims=data.load("claims", data_dir),
        claim_lines=data.load("claim_lines", data_dir),
        fee_schedule=data.load("fee_schedule", data_dir),
        deposits=data.load("deposits", data_dir),
        payers=data.load("payers", data_dir),
        providers=data.load("providers", data_dir),
        payments_posted=posted,
        remittance=read_835(data.era_dir(data_dir)),
    )


def default_as_of(inputs: BillingInputs) -> pd.Timestamp:
    """The last date found in the data: latest deposit, ERA payment or claim submission."""
    dates = [inputs.deposits["posted_date"].max(), inputs.claims["submitted_date"].max(),
             inputs.remittance.payments["payment_date"].max()]
    return max(pd.Timestamp(d) for d in dates if pd.notna(d)).normalize()


def run_reconciliation(inputs: BillingInputs, *, as_of: str | pd.Timestamp | None = None,
                       **options: Any) -> billing.BillingReconciliation:
    """:func:`pracops.billing.model.reconcile` on loaded inputs, as of the given date (default: the
    last date in the data); ``options`` are passed on (thresholds, window, targets …)."""
    when = pd.Timestamp(as_of) if as_of else default_as_of(inputs)
    return billing.reconcile(
        inputs.remittance, inputs.claims, inputs.claim_lines, inputs.fee_schedule,
        inputs.deposits, as_of=when, payments_posted=inputs.payments_posted,
        self_pay_payer_ids=billing.self_pay_payer_ids(inputs.payers), **options)


def _kpi(result: billing.BillingReconciliation, key: str) -> float:
    row = result.kpis.loc[(result.kpis["key"] == key).to_numpy(), "value"]
    return float(row.iloc[0]) if len(row) else float("nan")


def summary_figures(result: billing.BillingReconciliation, *,
                    unanswered_after_days: int = 60) -> dict[str, Any]:
    """The figures a scheduled run records (the summary JSON), from the reconciliation.

    ``payments_cents`` are insurance payments plus patient payments posted;
    ``adjustments_cents`` all CAS adjustments of answered claims; ``open_ar_cents`` insurance
    plus patient A/R; ``unmatched_era_count`` ERA payments with no deposit;
    ``underpaid_claim_count`` distinct claims with an underpaid line;
    ``claims_never_answered`` claims with no payer response more than
    ``unanswered_after_days`` days after submission (younger ones are normal lag);
    ``quarantined_era_count`` and ``quarantined_era_cents`` the 835 files left out and the
    money their BPR02 carries where it can be read, ``quarantined_eras`` each one's file name,
    reason and cents (``None`` when unreadable); ``x12_warning_count`` what the 835 reader read
    leniently (envelope faults …); ``excluded_rows`` how many rows of each kind are left out
    of figures on purpose (:func:`pracops.billing.model.exclusions`).
    """
    f = result.figures
    quarantined = result.remittance.quarantined
    bal = result.balances
    adjustment_cols = ["contractual_cents", "patient_resp_cents", "denied_cents",
                       "reduction_cents", "other_adj_cents"]
    return {
        "net_collection_rate": _kpi(result, "net_collection_rate"),
        "gross_collection_rate": _kpi(result, "gross_collection_rate"),
        "days_in_ar": _kpi(result, "days_in_ar"),
        "denial_rate": _kpi(result, "initial_denial_rate"),
        "denial_rate_dollars": _kpi(result, "initial_denial_rate_dollars"),
        "ar_over_90_pct": _kpi(result, "ar_over_90_pct"),
        "ar_over_120_pct": _kpi(result, "ar_over_120_pct"),
        "average_days_to_payment": _kpi(result, "average_days_to_payment"),
        "posting_lag_days": _kpi(result, "posting_lag_days"),
        "charges_cents": int(f["charges_cents"]),
        "payments_cents": int(bal["paid_cents"].sum() + bal["patient_paid_cents"].sum()),
        "adjustments_cents": int(sum(int(bal[c].sum()) for c in adjustment_cols)),
        "open_ar_cents": int(f["insurance_ar_cents"] + f["patient_ar_cents"]),
        "insurance_ar_cents": int(f["insurance_ar_cents"]),
        "patient_ar_cents": int(f["patient_ar_cents"]),
        "unmatched_era_count": len(result.deposits.eras_without_deposit),
        "unmatched_deposit_count": len(result.deposits.deposits_without_era),
        "amount_mismatch_count": len(result.deposits.amount_mismatches),
        "duplicate_era_count": len(result.duplicates),
        "remittances_without_claim": len(result.unmatched_remittances),
        "claims_never_answered": int((result.unanswered["days_since_submission"]
                                      > unanswered_after_days).sum()),
        "underpaid_claim_count": int(result.underpayments["claim_id"].nunique()),
        "underpaid_line_count": len(result.underpayments),
        "underpaid_cents": int(result.underpayments["shortfall_cents"].sum()),
        "denied_cents": int(f["denied_cents"]),
        "plb_interest_cents": int(f["plb_interest_cents"]),
        "plb_recovery_cents": int(f["plb_recovery_cents"]),
        "x12_balance_errors": len(result.remittance.balance_errors),
        "x12_warning_count": len(result.remittance.warnings),
        "quarantined_era_count": len(quarantined),
        "quarantined_era_cents": int(quarantined["paid_cents"].fillna(0).sum()),
        "quarantined_eras": [
            {"file": Path(str(file)).name, "reason": str(reason),
             "paid_cents": None if pd.isna(cents) else int(cents)}
            for file, reason, cents in zip(quarantined["file"], quarantined["reason"],
                                           quarantined["paid_cents"], strict=True)],
        "excluded_rows": dict(zip(result.exclusions["what"].astype(str),
                                  result.exclusions["count"].astype(int), strict=True)),
        "control_totals_balanced": bool(result.control_summary["balanced"].all()),
        "as_of": result.as_of.date().isoformat(),
    }


def summary_text(result: billing.BillingReconciliation, fig: Mapping[str, Any]) -> str:
    """The executive summary in a few sentences of Markdown."""
    kp = result.kpis.set_index("key")
    lines = [
        f"As of **{fig['as_of']}**: {fmt_money(fig['charges_cents'])} charged, "
        f"{fmt_money(fig['payments_cents'])} collected, "
        f"{fmt_money(fig['open_ar_cents'])} still open "
        f"({fmt_money(fig['insurance_ar_cents'])} with payers, "
        f"{fmt_money(fig['patient_ar_cents'])} with patients).",
        f"Net collection rate {fmt_pct(fig['net_collection_rate'])} "
        f"(target {fmt_pct(kp.loc['net_collection_rate', 'target'])}), "
        f"days in A/R {fig['days_in_ar']:.1f} (target ≤ {kp.loc['days_in_ar', 'target']:.0f}), "
        f"initial denial rate {fmt_pct(fig['denial_rate'])} of claims "
        f"(target ≤ {fmt_pct(kp.loc['initial_denial_rate', 'target'])}).",
        f"{fig['underpaid_line_count']} claim lines on {fig['underpaid_claim_count']} claims "
        f"were paid below contract, {fmt_money(fig['underpaid_cents'])} in all; "
        f"{fmt_money(fig['denied_cents'])} is denied and still to work.",
        "Every cent balances: charges, ERA payments and deposits reconcile."
        if fig["control_totals_balanced"] else
        "**The control totals do not balance**: see the control totals below.",
    ]
    if fig["quarantined_era_count"]:
        lines.append(f"**{fig['quarantined_era_count']} ERA file(s) could not be used** and are "
                     f"left out of every figure ({fmt_money(fig['quarantined_era_cents'])} in "
                     "the payments they announce): see the alerts and the quarantined files "
                     "below.")
    # "$" twice in a Markdown paragraph reads as a formula in JupyterLab: escape it
    return "\n\n".join(lines).replace("$", "\\$")


def alerts(result: billing.BillingReconciliation, fig: Mapping[str, Any]) -> list[
        tuple[str, str]]:
    """Threshold breaches and items that need a person, as ``(level, sentence)`` pairs."""
    out: list[tuple[str, str]] = []
    for q in fig["quarantined_eras"]:
        money = ("its amount (BPR02) cannot be read" if q["paid_cents"] is None
                 else f"it announces {fmt_money(q['paid_cents'])}")
        out.append(("critical", f"ERA file {q['file']} was not used (quarantined): "
                    f"{q['reason']}; {money}, left out of every figure."))
    for row in result.kpis[result.kpis["breached"].to_numpy()].itertuples():
        value = fmt_pct(row.value) if row.unit == "pct" else f"{row.value:.1f}"
        target = fmt_pct(row.target) if row.unit == "pct" else f"{row.target:.0f}"
        side = "above" if row.better == "lower" else "below"
        out.append(("warning", f"{row.name} is {value}, {side} the target of {target}."))
    counts = [
        ("critical", "unmatched_era_count", "ERA payment(s) have no bank deposit"),
        ("critical", "amount_mismatch_count", "deposit(s) differ from their ERA's amount"),
        ("warning", "unmatched_deposit_count", "payer deposit(s) match no ERA"),
        ("warning", "remittances_without_claim", "remittance claim(s) match no submitted claim"),
        ("warning", "duplicate_era_count", "835 payment(s) were received twice and counted once"),
        ("warning", "underpaid_claim_count", "claim(s) were paid below contract"),
        ("warning", "x12_balance_errors", "balancing error(s) in the 835 files"),
        ("warning", "x12_warning_count", "item(s) of the 835 files read leniently (envelope "
         "counts, dates …): see the 835 reading notes"),
        ("warning", "claims_never_answered", "claim(s) have had no payer response for too long"),
    ]
    for level, key, words in counts:
        if fig[key]:
            out.append((level, f"{fig[key]} {words}."))
    if not fig["control_totals_balanced"]:
        out.append(("critical", "The control totals do not balance to the cent."))
    return out


def control_table(result: billing.BillingReconciliation) -> Any:
    """The control totals: each check, its total, the parts and what is unexplained."""
    detail = result.control_detail.rename(columns={"check": "Check", "item": "Item",
                                                   "amount_cents": "Amount"})
    return format_table(detail, money=["Amount"])


def deposit_summary_table(result: billing.BillingReconciliation) -> Any:
    """ERA payments and deposits: how many matched, how, and what is left over."""
    d = result.deposits
    rows = [
        ("ERA payments matched to a deposit by trace number",
         int((d.matches["match"] == "trace").sum()),
         int(d.matches.loc[(d.matches["match"] == "trace").to_numpy(), "era_amount_cents"].sum())),
        ("ERA payments matched by amount and date (checks)",
         int((d.matches["match"] == "amount").sum()),
         int(d.matches.loc[(d.matches["match"] == "amount").to_numpy(),
                           "era_amount_cents"].sum())),
        ("ERA payments with no deposit", len(d.eras_without_deposit),
         int(d.eras_without_deposit["total_paid_cents"].sum())
         if "total_paid_cents" in d.eras_without_deposit else 0),
        ("Payer deposits with no ERA", len(d.deposits_without_era),
         int(d.deposits_without_era["amount_cents"].sum())),
        ("Patient deposits (card, cash)", len(d.patient_deposits),
         int(d.patient_deposits["amount_cents"].sum())),
    ]
    table = pd.DataFrame(rows, columns=["What", "Count", "Amount"])
    return format_table(table, money=["Amount"], count=["Count"])


def _money_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith("_cents")]


def _show(frame: pd.DataFrame, columns: Sequence[str], limit: int = 25) -> Any:
    shown = frame[list(columns)].head(limit)
    for c in ("file", "kept_file"):
        if c in shown.columns:
            shown = shown.assign(**{c: shown[c].map(lambda p: Path(str(p)).name)})
    return format_table(shown, money=_money_columns(shown))


def deposit_exception_tables(result: billing.BillingReconciliation) -> dict[str, Any]:
    """The exceptions to work, titled; empty ones are left out."""
    d = result.deposits
    specs = [
        ("ERA payments with no deposit", d.eras_without_deposit,
         ["trace_number", "payer_name", "payment_method", "payment_date", "total_paid_cents",
          "file"]),
        ("Payer deposits with no ERA", d.deposits_without_era,
         ["deposit_id", "posted_date", "type", "amount_cents", "trace_number"]),
        ("Deposits whose amount differs from the ERA", d.amount_mismatches,
         ["trace_number", "payer_name", "payment_date", "era_amount_cents", "deposit_id",
          "posted_date", "deposit_amount_cents", "difference_cents"]),
        ("835 payments received twice (counted once)", result.duplicates,
         ["trace_number", "payment_date", "total_paid_cents", "claim_count", "file",
          "kept_file"]),
        ("Provider-level adjustments (PLB)", result.plb,
         ["trace_number", "payer_name", "payment_date", "reason_code", "description",
          "reference_id", "payment_effect_cents"]),
        ("Remittance claims that match no submitted claim", result.unmatched_remittances,
         ["remit_claim_id", "payer_claim_number", "status", "trace_number", "payer_name",
          "paid_cents"]),
    ]
    return {title: _show(frame, columns) for title, frame, columns in specs if len(frame)}


def underpayment_table(result: billing.BillingReconciliation, limit: int = 30) -> Any:
    """Claim lines paid below contract, the largest shortfalls first."""
    under = result.underpayments.sort_values(["shortfall_cents", "claim_id"],
                                             ascending=[False, True])
    return _show(under, ["claim_id", "line_no", "payer_id", "cpt", "units",
                         "contract_allowed_cents", "payer_allowed_cents", "paid_cents",
                         "shortfall_cents"], limit)


def top_denials_table(result: billing.BillingReconciliation, n: int = 10) -> Any:
    """The denial reasons with the most dollars."""
    top = billing.top_denial_reasons(result.denials, n)
    return format_table(top, money=["denied_cents"], pct=["share"])


def denials_by_table(result: billing.BillingReconciliation, by: str,
                     providers: pd.DataFrame | None = None) -> Any:
    """Denied dollars by payer (``payer_id``), procedure (``cpt``) or provider
    (``rendering_npi``, shown with the provider's name when ``providers`` is given)."""
    table = billing.denials_by(result.denials, by)
    if by == "rendering_npi" and providers is not None:
        names = dict(zip(providers["npi"].astype(str), providers["name"].astype(str),
                         strict=True))
        table.insert(1, "provider", table["rendering_npi"].astype(str).map(names))
    return format_table(table, money=["denied_cents"], pct=["share"])


def adjustments_table(result: billing.BillingReconciliation) -> Any:
    """Adjustments of answered claims by category (contractual, patient responsibility,
    denial to work, payer reduction, other) and group code."""
    return format_table(billing.adjustments_by_category(result.adjustments),
                        money=["amount_cents"], count=["claims"])


def quarantine_table(result: billing.BillingReconciliation) -> Any:
    """The 835 files left out: file name, why, where and the money they announce."""
    q = result.remittance.quarantined
    table = pd.DataFrame({"file": q["file"].map(lambda p: Path(str(p)).name).astype("string"),
                          "reason": q["reason"], "segment": q["segment_number"],
                          "paid_cents": q["paid_cents"]})
    return format_table(table, money=["paid_cents"])


def era_warnings_table(result: billing.BillingReconciliation, limit: int = 25) -> Any:
    """What the 835 reader read leniently (envelope faults, odd dates …), the first
    ``limit`` items: file name, segment position and id, message."""
    w = result.remittance.warnings.head(limit)
    table = pd.DataFrame({"file": w["file"].map(lambda p: Path(str(p)).name).astype("string"),
                          "segment": w["segment_number"], "segment_id": w["segment_id"],
                          "message": w["message"]})
    return format_table(table)


def exclusions_table(result: billing.BillingReconciliation) -> Any:
    """Rows left out of figures on purpose: what, how many, how much and why."""
    return format_table(result.exclusions, money=["amount_cents"], count=["count"])


def aging_table(result: billing.BillingReconciliation) -> Any:
    """Insurance A/R by payer and age bucket, with a total row."""
    table = result.aging.copy()
    total = {c: table[c].sum() for c in table.columns if c != "payer_id"}
    table = pd.concat([table, pd.DataFrame([{"payer_id": "Total", **total}])],
                      ignore_index=True)
    table = table.rename(columns={c: f"{label} days" for c, label in _BUCKETS})
    money = [f"{label} days" for _, label in _BUCKETS] + ["total_cents"]
    return format_table(table.rename(columns={"total_cents": "total"}),
                        money=[m if m != "total_cents" else "total" for m in money],
                        count=["claims"])


def worklist_index(lists: Mapping[str, pd.DataFrame], files: Sequence[Path]) -> Any:
    """One row per worklist: how many items and the file to open."""
    csv = {p.stem: p.name for p in files if p.suffix == ".csv"}
    workbook = next((p.name for p in files if p.suffix == ".xlsx"), "")
    rows = [(name.replace("_", " "), len(frame), csv.get(name, ""), workbook)
            for name, frame in lists.items()]
    return format_table(pd.DataFrame(rows, columns=["Worklist", "Items", "CSV", "Workbook"]),
                        count=["Items"])


def collections_by_month(result: billing.BillingReconciliation) -> pd.DataFrame:
    """Charges by month of service and insurance payments by month paid (cents)."""
    bal = result.balances
    charged = (bal.groupby(bal["date_of_service"].dt.to_period("M"))["charge_cents"].sum()
               .rename("charged_cents"))
    pay = result.remittance.payments
    paid = (pay.groupby(pay["payment_date"].dt.to_period("M"))["total_paid_cents"].sum()
            .rename("paid_cents"))
    out = pd.concat([charged, paid], axis=1).fillna(0).astype("int64").sort_index()
    out.index = out.index.astype(str)
    out.index.name = "month"
    return out.reset_index()


def plot_collections_by_month(result: billing.BillingReconciliation, ax: Any) -> None:
    """Bars of charges and payments per month."""
    table = collections_by_month(result)
    x = range(len(table))
    ax.bar([i - 0.2 for i in x], table["charged_cents"], width=0.4, label="charged (by DOS)")
    ax.bar([i + 0.2 for i in x], table["paid_cents"], width=0.4, label="paid by payers (ERA)")
    ax.set_xticks(list(x), table["month"], rotation=45, ha="right")
    ax.set_title("Charges and collections by month")
    ax.set_xlabel("month")
    ax.set_ylabel("amount (US$)")
    money_axis(ax)
    ax.legend()


def plot_denials_by_category(result: billing.BillingReconciliation, ax: Any) -> None:
    """Horizontal bars of denied dollars by CARC reason."""
    top = billing.top_denial_reasons(result.denials, 8).iloc[::-1]
    labels = [f"{c} {d}" if len(str(d)) <= 34 else f"{c} {str(d)[:33]}…"
              for c, d in zip(top["carc"], top["description"], strict=True)]
    ax.barh(labels, top["denied_cents"])
    ax.set_title("Denied dollars by reason (CARC)")
    ax.set_xlabel("denied amount (US$)")
    ax.set_ylabel("reason")
    money_axis(ax, "x")


def plot_aging(result: billing.BillingReconciliation, ax: Any) -> None:
    """Stacked bars of insurance A/R by payer and age bucket."""
    table = result.aging
    bottom = pd.Series(0, index=table.index, dtype="int64")
    for column, label in _BUCKETS:
        ax.bar(table["payer_id"], table[column], bottom=bottom, label=f"{label} days")
        bottom = bottom + table[column]
    ax.set_title(f"Insurance A/R by payer and age, as of {result.as_of.date()}")
    ax.set_xlabel("payer")
    ax.set_ylabel("open balance (US$)")
    money_axis(ax)
    ax.legend(title="age", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
