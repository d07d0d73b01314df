"""The billing reconciliation's chain: load the inputs, reconcile, work out the figures and
alerts, write the worklists. :func:`run` is the one entry point the notebook, the CLI (through
the notebook) and an analyst call; it takes every parameter of the report
(:mod:`pracops.billing.parameters`) by its own name and with its declared default.

:func:`compute` is the chain without I/O, on inputs already loaded: what the notebook's
explorer (:func:`pracops.billing.view.explorer`) calls on every change of a filter, so that
moving a control writes no file. The calculations are in :mod:`pracops.billing.model`, the
display in :mod:`pracops.billing.view`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from pracops import config, data
from pracops.billing import model
from pracops.billing.parameters import PARAMETERS
from pracops.data.checked import read_835  # x12.read_835, or what the run read already
from pracops.money import money_param
from pracops.report import fmt_money, fmt_pct, write_handouts
from pracops.x12 import Remittance

__all__ = [
    "REPORT_NAME",
    "BillingInputs",
    "BillingReport",
    "alerts",
    "compute",
    "default_as_of",
    "load_inputs",
    "run",
    "summary_figures",
    "write_worklists",
]

REPORT_NAME = "billing_reconciliation"
"""The report's name: its notebook, its parameter file and the folder of its hand-outs."""


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


@dataclass
class BillingReport:
    """What one run of the billing reconciliation works out.

    Attributes
    ----------
    inputs
        The datasets read (:func:`load_inputs`).
    reconciliation
        :func:`pracops.billing.model.reconcile`'s result (tables, KPIs, as-of date).
    figures
        What the notebook records for the run's summary (:func:`summary_figures`).
    alerts
        ``(level, sentence)`` pairs (:func:`alerts`).
    worklists
        Name → table the billing team works (:func:`pracops.billing.model.worklists`).
    files
        The hand-outs written (workbook first, then one CSV per worklist); empty from
        :func:`compute`, which writes nothing.
    parameters
        The parameters :func:`compute` was given, by name (checked against the declaration).
    """

    inputs: BillingInputs
    reconciliation: model.BillingReconciliation
    figures: dict[str, Any]
    alerts: list[tuple[str, str]]
    worklists: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def as_of(self) -> pd.Timestamp:
        """The report date the figures are worked out at."""
        return self.reconciliation.as_of


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> BillingInputs:
    """Load every dataset the billing report reads from one folder (``None``: the sample).

    ``payments_posted`` is optional: without the file, the figures leave patient payments
    posted and the posting lag out.

    Raises
    ------
    DataError
        A missing or malformed file (named, with row and column), or no ``era/`` folder.
    X12Error
        Only when ``era/`` holds no file at all. A malformed or unbalanced 835 does not
        raise: it is quarantined (``remittance.quarantined``) and the report names it.
    """
    posted = (data.load("payments_posted", data_dir)
              if data.locate("payments_posted", data_dir, missing_ok=True) else None)
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


def compute(inputs: BillingInputs, *, as_of: str = "", age_from: str = "date_of_service",
            underpayment_threshold: float = 1.0, underpayment_threshold_pct: float = 0.0,
            deposit_window_days: int = 10, collection_lag_days: int = 60,
            days_in_ar_target: float = 40.0, net_collection_target: float = 0.95,
            denial_rate_target: float = 0.05, unanswered_after_days: int = 60,
            show_patient_names: bool = False) -> BillingReport:
    """The reconciliation, its figures, alerts and worklists on loaded inputs; no I/O.

    Parameters are those of the report (:mod:`pracops.billing.parameters`, same names and
    defaults), checked against their declaration; ``underpayment_threshold`` is in dollars
    (converted to cents here, the one place). ``as_of`` empty means :func:`default_as_of`.

    Raises
    ------
    ParameterError
        A value of the wrong type or out of its declared range, naming the parameter.
    """
    p = _checked(as_of=as_of, age_from=age_from, underpayment_threshold=underpayment_threshold,
                 underpayment_threshold_pct=underpayment_threshold_pct,
                 deposit_window_days=deposit_window_days,
                 collection_lag_days=collection_lag_days, days_in_ar_target=days_in_ar_target,
                 net_collection_target=net_collection_target,
                 denial_rate_target=denial_rate_target,
                 unanswered_after_days=unanswered_after_days,
                 show_patient_names=show_patient_names)
    when = pd.Timestamp(p["as_of"]) if p["as_of"] else default_as_of(inputs)
    result = model.reconcile(
        inputs.remittance, inputs.claims, inputs.claim_lines, inputs.fee_schedule,
        inputs.deposits, as_of=when, payments_posted=inputs.payments_posted,
        self_pay_payer_ids=model.self_pay_payer_ids(inputs.payers), age_from=p["age_from"],
        min_shortfall_cents=money_param("underpayment_threshold", p["underpayment_threshold"]),
        min_shortfall_pct=p["underpayment_threshold_pct"],
        deposit_window_days=p["deposit_window_days"],
        collection_lag_days=p["collection_lag_days"],
        targets={"days_in_ar": p["days_in_ar_target"],
                 "net_collection_rate": p["net_collection_target"],
                 "initial_denial_rate": p["denial_rate_target"]},
    )
    figures = summary_figures(result, unanswered_after_days=p["unanswered_after_days"])
    lists = model.worklists(result, inputs.claims, show_patient_names=p["show_patient_names"],
                            unanswered_after_days=p["unanswered_after_days"])
    return BillingReport(inputs=inputs, reconciliation=result, figures=figures,
                         alerts=alerts(result, figures), worklists=lists, parameters=p)


def run(data_dir: str | os.PathLike[str] | None = None, *, as_of: str = "",
        age_from: str = "date_of_service",
        underpayment_threshold: float = 1.0, underpayment_threshold_pct: float = 0.0,
        deposit_window_days: int = 10, collection_lag_days: int = 60,
        days_in_ar_target: float = 40.0, net_collection_target: float = 0.95,
        denial_rate_target: float = 0.05, unanswered_after_days: int = 60,
        show_patient_names: bool = False,
        output_dir: str | os.PathLike[str] | None = None) -> BillingReport:
    """Run the billing reconciliation: load ``data_dir`` (``None``: the bundled sample),
    :func:`compute`, and write the worklists to
    ``pracops.config.report_files_dir(output_dir, "billing_reconciliation")``.

    Every parameter is the report's (:mod:`pracops.billing.parameters`): the notebook passes
    each by its own name, and an analyst calling ``run()`` with the defaults gets the figures
    the report shows on the same data.

    Returns
    -------
    BillingReport
        With ``files`` the hand-outs written.

    Raises
    ------
    ParameterError
        A parameter of the wrong type or out of range, before anything is read.
    DataError, X12Error
        As :func:`load_inputs`.
    """
    p = _checked(data_dir=data_dir, as_of=as_of, age_from=age_from,
                 underpayment_threshold=underpayment_threshold,
                 underpayment_threshold_pct=underpayment_threshold_pct,
                 deposit_window_days=deposit_window_days,
                 collection_lag_days=collection_lag_days, days_in_ar_target=days_in_ar_target,
                 net_collection_target=net_collection_target,
                 denial_rate_target=denial_rate_target,
                 unanswered_after_days=unanswered_after_days,
                 show_patient_names=show_patient_names, output_dir=output_dir)
    inputs = load_inputs(p.pop("data_dir"))
    output_dir = p.pop("output_dir")
    report = compute(inputs, **p)
    files = write_worklists(report.worklists, config.report_files_dir(output_dir, REPORT_NAME))
    return replace(report, files=files)


def _checked(**values: Any) -> dict[str, Any]:
    """The values checked against their declaration (type, range, choices, date form), a
    number of a ``float`` parameter as a float; a folder may be given as a path."""
    out = {}
    for name, value in values.items():
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        out[name] = PARAMETERS[name].check(value, name)
    return out


def write_worklists(worklists: Mapping[str, pd.DataFrame], folder: str | os.PathLike[str],
                    *, workbook: str = "worklists.xlsx") -> list[Path]:
    """Write the worklists: one Excel workbook with a sheet per list and one CSV per list,
    through the suite's one hand-out writer (:func:`pracops.report.write_handouts`).

    Money columns (``*_cents``) are written as exact dollars with 2 decimals under their name
    without ``_cents`` (``shortfall_cents`` → ``shortfall``); dates as dates; text that would
    start a spreadsheet formula gets a leading apostrophe. Every file is written to a temporary
    name in ``folder`` and then renamed, so a reader never sees half a file.

    Parameters
    ----------
    worklists
        Name → frame (from :func:`pracops.billing.model.worklists`); a name is a sheet name and
        a CSV file name, so it must be at most 31 characters of letters, digits, ``_`` and
        ``-``.
    folder
        Where to write (created when missing).
    workbook
        File name of the workbook.

    Returns
    -------
    list of pathlib.Path
        The workbook, then the CSV files in the order of ``worklists``.
    """
    return write_handouts(worklists, folder, workbook=workbook)


# ---- figures and alerts ----------------------------------------------------------------------


def _kpi(result: model.BillingReconciliation, key: str) -> float:
    row = result.kpis.loc[(result.kpis["key"] == key).to_numpy(), "value"]
    return float(row.iloc[0]) if len(row) else float("nan")


def summary_figures(result: model.BillingReconciliation, *,
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


def alerts(result: model.BillingReconciliation, fig: Mapping[str, Any]) -> list[
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
