"""The daily close's chain: :func:`run` loads the practice's exports, closes the day
(:func:`compute`, no I/O), works out the figures and alerts, and writes the hand-outs
(:func:`write_handouts`); it returns a :class:`DailyCloseReport`. The notebook, ``pracops run``
(through the notebook) and an analyst all call :func:`run`; the explorer
(:func:`pracops.daily_close.view.explorer`) calls :func:`compute`, so picking a day or moving
a slider writes no file. Every parameter has the name and the default of its declaration
(:mod:`pracops.daily_close.parameters`); ``minimum_balance`` is dollars, turned into cents once,
here (:func:`pracops.money.money_param`).

The seven calculations live in :mod:`pracops.daily_close.cash` (the day close, the bank
reconciliation), :mod:`pracops.daily_close.ledger` (the A/R roll-forward, charge capture,
timely filing) and :mod:`pracops.daily_close.payables` (accounts payable, the cash forecast);
:func:`compute` only chains them, in the issue's order, and gathers their findings (one frame
of :mod:`pracops.daily_close.findings`). What the notebook shows is
:mod:`pracops.daily_close.view`.

Decisions
---------
The close date
    The parameter is ``close_date``, the issue's name and what an administrator calls the
    day a close is for, not ``as_of``: the registry says which parameter is a report's as-of
    date (:attr:`pracops.registry.ReportSpec.as_of_parameter`), so ``pracops run`` refuses a
    ``close_date`` outside the data before any kernel starts exactly as it refuses the other
    reports' ``as_of`` (:func:`pracops.data.check_as_of`, the same message naming
    ``daily_close.close_date``), and :func:`compute` makes the same check, so a direct call
    refuses it too. Empty means :func:`default_close_date`: the last business day on or
    before the latest date of the datasets the check spans (the desk's receipts, the
    journal, the bank statement), which on the bundled sample is 31 December 2025, the
    as-of date the other reports take from their data.
Month-to-date collections against the budget
    Collections are the payments the practice-management journal posted (``pm_transactions``
    of kind ``payment``: payers' and patients', at the desk and through the portal) from the
    first of the close date's month to the close date. The operating budget's plan is made by
    the budget report, which a report package may not import, and no budget file exists; so
    the figure set against them is the books' own: the revenue accounts of ``gl_actuals``
    (``chart_of_accounts`` category ``revenue``) for the same month a year earlier, prorated
    by the business days of the month elapsed at the close date. Without that month in the
    books there is no comparison, and the summary says so.
Optional inputs
    ``card_settlements``, ``payroll_runs`` and ``payments_posted`` are ``None`` when the folder
    has no file for them; each calculation says what it did without them.
Two processes on a large practice
    The A/R roll-forward is the longest calculation and the others do not need it, so from a
    journal of :data:`BESIDE_FROM` rows :func:`compute` runs the others (:data:`BESIDE`) in a
    forked child meanwhile, on the second core; the result, and what a calculation raises,
    are those of one process (bench/README.md, "The close in two processes").
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pracops import config, data, report
from pracops.daily_close import REPORT, businessdays, cash, ledger, payables
from pracops.daily_close.findings import findings_frame
from pracops.daily_close.parameters import PARAMETERS
from pracops.data.checked import read_835_beside  # or what the run read already
from pracops.errors import ParameterError
from pracops.memory import lean_allocators, release_freed_memory
from pracops.money import money_param
from pracops.processes import Forked, sendable
from pracops.report import Sheet, fmt_money, fmt_pct
from pracops.x12 import Remittance

__all__ = [
    "REPORT_NAME",
    "DailyClose",
    "DailyCloseInputs",
    "DailyCloseReport",
    "alerts",
    "compute",
    "default_close_date",
    "handout_files",
    "load_inputs",
    "month_to_date_collections",
    "run",
    "summary_figures",
    "write_handouts",
]

REPORT_NAME = "daily_close"
"""The report's name: its notebook, its parameter file and the folder of its hand-outs."""

LEFT_OUT: dict[str, tuple[str, ...]] = {
    "pm_transactions": ("patient_account",),
    "claims": ("patient_id", "patient_name", "patient_dob", "member_id"),
    "appointments": ("patient_id", "start_time", "scheduled_minutes", "booked_date",
                     "booked_time", "cancelled_date", "cancelled_time", "patient_kind",
                     "reminder", "requested_date"),
}
"""The large datasets' columns the close never reads, dropped as soon as each is loaded: the
patients' names and accounts (the close identifies by appointment and claim) and the booking
details of the appointments. At a 50-provider group's year they are 150 MB of the inputs."""

AS_CATEGORIES: dict[str, tuple[str, ...]] = {"pm_transactions": ("location_id", "user")}
"""Text columns of few distinct values held as categoricals once loaded: the journal's
locations and users, 70 MB as text at a 50-provider group's year, 7 MB as codes."""

REMITTANCE_READ: dict[str, tuple[str, ...]] = {
    "payments": ("payment_seq", "trace_number", "payment_date"),
    "claims": ("claim_seq", "payment_seq", "claim_id", "paid_cents"),
    "adjustments": ("claim_seq", "group_code", "reason_code", "amount_cents"),
    "provider_adjustments": ("payment_seq", "amount_cents"),
}
"""The columns of the 835s' frames the close reads (:meth:`pracops.x12.Remittance.only`: a
frame not named is kept empty with its columns). The service lines, the file and envelope of
every row, the patients and the providers of the remittances are the billing reconciliation's:
at a 50-provider group's year the remittance frames were 0.7 GB of the close's 1.9 GB of
inputs, these columns 30 MB."""


@dataclass(frozen=True)
class DailyCloseInputs:
    """Every dataset the daily close reads (:attr:`pracops.daily_close.REPORT`'s ``reads``),
    typed as :func:`pracops.data.load` gives them, and the 835 remittances of ``era/``.
    ``card_settlements``, ``payroll_runs`` and ``payments_posted`` are ``None`` when absent.
    :func:`load_inputs` keeps only what the close reads (:data:`LEFT_OUT`,
    :data:`REMITTANCE_READ`)."""

    front_desk_payments: pd.DataFrame
    card_settlements: pd.DataFrame | None
    bank_statement: pd.DataFrame
    ap_invoices: pd.DataFrame
    pm_transactions: pd.DataFrame
    payroll_runs: pd.DataFrame | None
    deposits: pd.DataFrame
    payments_posted: pd.DataFrame | None
    claims: pd.DataFrame
    claim_lines: pd.DataFrame
    appointments: pd.DataFrame
    payers: pd.DataFrame
    providers: pd.DataFrame
    locations: pd.DataFrame
    staff: pd.DataFrame
    chart_of_accounts: pd.DataFrame
    gl_actuals: pd.DataFrame
    remittance: Remittance

    def frames(self) -> dict[str, pd.DataFrame]:
        """The datasets loaded, by name (those absent left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "remittance" and getattr(self, f.name) is not None}


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> DailyCloseInputs:
    """Load every dataset of the daily close from one folder (``None``: the bundled sample)
    and read its ``era/`` folder of 835 files.

    Raises
    ------
    DataError
        A missing or malformed file (named, with row and column); a folder without one of
        the datasets the close cannot do without (:attr:`~pracops.registry.ReportSpec.needs`).
    X12Error
        Only when ``era/`` holds no file at all (a malformed 835 is set aside, not raised).
    """
    # a dataset's file missing is said before anything is read
    present = {name: data.locate(name, data_dir, missing_ok=name in REPORT.optional)
               for name in REPORT.reads}
    # the 835s read in a worker while this process loads the datasets (each takes both cores
    # a part of its time: 2-2.5 s less than one after the other at a 50-provider group's
    # year), a chunk of files at a time and cut to the columns the close reads, so that the
    # worker's peak beside the datasets stays below the close's own
    with read_835_beside(data.era_dir(data_dir), REMITTANCE_READ) as era:
        loaded: dict[str, Any] = {}
        for name in REPORT.reads:
            if present[name] is None:
                loaded[name] = None
            else:
                frame = data.load(name, data_dir)
                frame = frame.drop(columns=list(LEFT_OUT.get(name, ())))
                for column in AS_CATEGORIES.get(name, ()):
                    frame[column] = _categorical(frame[column])
                loaded[name] = frame
                del frame
                release_freed_memory()
        remittance = era.result()
    release_freed_memory()  # the answer's pieces, read in a thread of its own
    return DailyCloseInputs(**loaded, remittance=remittance)


def _categorical(text: pd.Series) -> pd.Series:
    """A text column as a categorical of its distinct values in text order (so that it sorts
    as the text did), found by Arrow's dictionary encoding, not pandas' factorize: 3 M rows in
    0.05 s."""
    encoded = pa.chunked_array(pa.array(text)).combine_chunks().dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    distinct = np.array(encoded.dictionary.to_pylist(), dtype=object)
    order = np.argsort(distinct)
    rank = np.empty(len(order) + 1, dtype=np.int64)  # the last: a missing value's -1 stays -1
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    return pd.Series(pd.Categorical.from_codes(rank[codes], categories=pd.Index(
        distinct[order].tolist(), dtype="str")), index=text.index, name=text.name)


def default_close_date(inputs: DailyCloseInputs) -> pd.Timestamp:
    """The last business day (:mod:`~pracops.daily_close.businessdays`) on or before the
    latest date of the datasets ``close_date`` is checked against
    (:attr:`pracops.daily_close.REPORT`'s ``as_of``).

    Raises
    ------
    ParameterError
        Those datasets hold no date at all: ``close_date`` must be given.
    """
    span = data.date_span(inputs.frames(), REPORT.as_of)
    if span is None:
        raise ParameterError("close_date is needed: " + ", ".join(REPORT.as_of)
                             + " hold no date to close")
    return businessdays.last_business_day(span[1])


def _checked(**values: Any) -> dict[str, Any]:
    """The values checked against their declaration (type, range, date form), a number of a
    ``float`` parameter as a float; a folder may be given as a path."""
    out = {}
    for name, value in values.items():
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        out[name] = PARAMETERS[name].check(value, name)
    return out


def _close_day(inputs: DailyCloseInputs, close_date: str) -> pd.Timestamp:
    """``close_date`` as a day after the check ``pracops run`` makes before a kernel starts
    (:func:`pracops.data.check_as_of`), or :func:`default_close_date` when empty."""
    if not close_date:
        return default_close_date(inputs)
    problem = data.check_as_of(REPORT_NAME, close_date, inputs.frames())
    if problem is not None:
        raise problem
    return pd.Timestamp(close_date)


def month_to_date_collections(pm_transactions: pd.DataFrame, gl_actuals: pd.DataFrame,
                              chart_of_accounts: pd.DataFrame,
                              close_date: pd.Timestamp) -> dict[str, Any]:
    """Collections of the close date's month to date against the books' same month a year
    earlier, prorated by business days (see the module docstring for why not the budget).

    Returns
    -------
    dict
        ``collections_mtd_cents`` (payments posted from the first of the month to the close
        date, a positive amount), ``collections_expected_mtd_cents`` (the revenue accounts of
        the month a year earlier × business days elapsed ÷ business days in the month,
        rounded half away from zero; ``None`` when the books lack that month),
        ``collections_mtd_vs_expected_pct`` (a fraction; ``None`` likewise),
        ``business_days_elapsed`` and ``business_days_in_month``, and
        ``comparison_month`` (``YYYY-MM``).
    """
    day = pd.Timestamp(close_date).normalize()
    first = day.replace(day=1)
    month_end = first + pd.offsets.MonthEnd(0)
    pm = pm_transactions
    paid = ((pm["kind"] == "payment") & (pm["posted_date"] >= first)
            & (pm["posted_date"] <= day)).to_numpy()
    collected = -int(pm.loc[paid, "amount_cents"].sum())
    elapsed = int(businessdays.between([first], [day + pd.Timedelta(days=1)])[0])
    in_month = int(businessdays.between([first], [month_end + pd.Timedelta(days=1)])[0])
    earlier = (first - pd.DateOffset(years=1)).strftime("%Y-%m")
    revenue = set(chart_of_accounts.loc[(chart_of_accounts["category"] == "revenue")
                                        .to_numpy(), "account"].astype(str))
    months = gl_actuals["month"].astype(str).str[:7]
    rows = (months == earlier).to_numpy() & gl_actuals["account"].astype(str).isin(revenue)\
        .to_numpy()
    expected = pct = None
    if rows.any() and in_month:
        total = int(gl_actuals.loc[rows, "amount_cents"].sum())
        expected = (2 * total * elapsed + in_month) // (2 * in_month)  # half away, total ≥ 0
        pct = collected / expected if expected else None
    return {"collections_mtd_cents": collected, "collections_expected_mtd_cents": expected,
            "collections_mtd_vs_expected_pct": pct, "business_days_elapsed": elapsed,
            "business_days_in_month": in_month, "comparison_month": earlier}



def reconciled_month(close_date: pd.Timestamp) -> str:
    """The month the bank reconciliation is taken at: the close date's own when the close
    date is its last business day (a month-end close), else the month before (the last
    month whose statement is complete), ``YYYY-MM``."""
    day = pd.Timestamp(close_date)
    month_end = day + pd.offsets.MonthEnd(0)
    if day >= businessdays.last_business_day(month_end):
        return day.strftime("%Y-%m")
    return (day.replace(day=1) - pd.Timedelta(days=1)).strftime("%Y-%m")


def payments_from_journal(pm_transactions: pd.DataFrame) -> pd.DataFrame:
    """Without ``payments_posted``, the journal's own payments in its shape (``posting_id``
    the transaction, ``source`` ``ERA`` for the payer's, ``patient`` for the patient's, the
    amount positive), so that the roll-forward still runs: it then proves the charges and
    adjustments against the claim lines and the remittances, and takes the payments as the
    journal has them (:func:`notes` says so)."""
    pm = pm_transactions[(pm_transactions["kind"] == "payment").to_numpy()]
    return pd.DataFrame({
        "posting_id": pm["transaction_id"].to_numpy(), "claim_id": pm["claim_id"].to_numpy(),
        "posted_date": pm["posted_date"].to_numpy(),
        "amount_cents": (-pm["amount_cents"]).to_numpy("int64"),
        "source": np.where((pm["responsible"] == "payer").to_numpy(), "ERA", "patient"),
        "reference": pm["reference"].to_numpy()})


def _calculate(inputs: DailyCloseInputs, day: pd.Timestamp,
               p: Mapping[str, Any]) -> dict[str, Any]:
    """The seven calculations of the close of ``day``, in the issue's order, by the names
    of :class:`DailyClose`'s fields."""
    journal = inputs.pm_transactions
    posted = (inputs.payments_posted if inputs.payments_posted is not None
              else payments_from_journal(journal))
    steps: dict[str, Callable[[], Any]] = {
        "day_close": lambda: cash.day_close(
            inputs.front_desk_payments, journal, deposits=inputs.deposits,
            bank_statement=inputs.bank_statement, card_settlements=inputs.card_settlements,
            close_date=day, tolerance_cents=p["tolerance_cents"],
            cash_deposit_lag_days=p["cash_deposit_lag_days"],
            card_settlement_lag_days=p["card_settlement_lag_days"]),
        "ar_rollforward": lambda: ledger.ar_rollforward(
            journal, inputs.claim_lines, inputs.claims, inputs.payers, posted,
            inputs.remittance, day),
        "charge_capture": lambda: ledger.charge_capture(
            inputs.appointments, inputs.claims, inputs.claim_lines, day,
            missed_charge_days=p["missed_charge_days"],
            charge_lag_target_days=p["charge_lag_target_days"], providers=inputs.providers),
        "timely_filing": lambda: ledger.timely_filing(
            inputs.claims, inputs.payers, journal, inputs.remittance, day,
            filing_warning_days=p["filing_warning_days"]),
        "bank_reconciliation": lambda: cash.bank_reconciliation(
            inputs.bank_statement, deposits=inputs.deposits, ap_invoices=inputs.ap_invoices,
            payroll_runs=inputs.payroll_runs, month=reconciled_month(day)),
        "accounts_payable": lambda: payables.accounts_payable(
            inputs.ap_invoices, day, duplicate_invoice_days=p["duplicate_invoice_days"]),
        "cash_forecast": lambda: payables.cash_forecast(
            inputs.bank_statement, inputs.ap_invoices, journal, inputs.claims, day,
            staff=inputs.staff, payroll_runs=inputs.payroll_runs,
            forecast_weeks=p["forecast_weeks"],
            minimum_balance_cents=p["minimum_balance_cents"], pay_schedule=p["pay_schedule"],
            receipts_factor=p["receipts_factor"], payroll_load_pct=p["payroll_load_pct"]),
    }
    beside = BESIDE if _side_by_side(journal) else ()
    child = None
    try:
        if beside:
            child = Forked(_steps_run, {name: steps[name] for name in beside}, True,
                           what="the daily close's steps run beside the A/R roll-forward")
        results = _steps_run({name: step for name, step in steps.items()
                              if name not in beside})
        if child is not None:
            try:
                results.update(child.result())
            except RuntimeError:  # the child ended without an answer (killed, out of memory)
                if not any(isinstance(value, _Failed) for value in results.values()):
                    raise
                # what a step of this process raised is the error to show
    finally:
        if child is not None:
            child.kill()  # still running only when this process raised or was interrupted
    failed = [value for value in results.values() if isinstance(value, _Failed)]
    if failed:  # the first in the steps' order, as when they run one after another
        order = list(steps)
        raise min(failed, key=lambda f: order.index(f.step)).error
    return {name: results[name] for name in steps}


BESIDE = ("day_close", "charge_capture", "timely_filing", "bank_reconciliation",
          "accounts_payable", "cash_forecast")
"""The steps run in a forked child, on a large practice (:data:`BESIDE_FROM`), while this
process runs the A/R roll-forward, the longest. At a 50-provider group's year the roll-forward
takes 5-6 s and these together about 4 s on the 2-core machine, against 10-11 s one after
another; the roll-forward's temporaries (about 0.5 GB at that size) stand beside at most one of
these steps' (up to about 0.2 GB), and each process gives back what a step freed before its
next."""

BESIDE_FROM = 300_000
"""Journal rows from which :data:`BESIDE` runs in a child (when there is a second core and
``fork``). Below, the close takes about a second or less, and one process is simpler to
follow in a debugger."""


@dataclass(frozen=True)
class _Failed:
    """What a step raised, in place of its result (:func:`_steps_run`)."""

    step: str
    error: BaseException


def _steps_run(steps: Mapping[str, Callable[[], Any]], sent: bool = False
               ) -> dict[str, Any]:
    """Each step's result in order, what a step raised in place of it (and the steps after
    it not run; ``sent``: made picklable, :func:`pracops.processes.sendable`), what each step
    freed given back before the next, so that its peak is its own."""
    results: dict[str, Any] = {}
    for name, step in steps.items():
        try:
            results[name] = step()
        except Exception as exc:  # raised by the caller, in the steps' order
            results[name] = _Failed(name, sendable(exc) if sent else exc)
            break
        release_freed_memory()
    return results


def _side_by_side(journal: pd.DataFrame) -> bool:
    """Whether :data:`BESIDE` runs in a child: a journal of :data:`BESIDE_FROM` rows or more,
    a second core for this process (:func:`_cores`) and ``fork``."""
    return len(journal) >= BESIDE_FROM and _cores() > 1 and hasattr(os, "fork")


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# --- the chain --------------------------------------------------------------------------------

@dataclass(frozen=True)
class DailyClose:
    """Everything :func:`compute` works out for one close date, for the notebook to show.

    Attributes
    ----------
    close_date
        The day closed.
    day_close, ar_rollforward, charge_capture, timely_filing, bank_reconciliation,
    accounts_payable, cash_forecast
        The seven calculations' results, in the issue's order (each a frozen dataclass of
        its module with its ``findings``).
    findings
        Every problem found, the seven calculations' ``findings`` one after another
        (:data:`pracops.daily_close.findings.COLUMNS`).
    collections
        :func:`month_to_date_collections` at the close date.
    notes
        What the close did without an optional input or set aside, one sentence each
        (:func:`notes`).
    settings
        The parameters as used (``minimum_balance_cents`` in cents).
    """

    close_date: pd.Timestamp
    day_close: Any
    ar_rollforward: Any
    charge_capture: Any
    timely_filing: Any
    bank_reconciliation: Any
    accounts_payable: Any
    cash_forecast: Any
    findings: pd.DataFrame
    collections: dict[str, Any]
    notes: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyCloseReport:
    """What :func:`run` returns.

    Attributes
    ----------
    inputs
        The datasets read (:func:`load_inputs`).
    close
        :func:`compute`'s :class:`DailyClose`.
    figures
        :func:`summary_figures`: what a scheduled run records.
    alerts
        :func:`alerts`: ``(level, sentence)`` pairs.
    files
        The hand-outs written (:func:`write_handouts`); empty from :func:`compute`.
    parameters
        The parameters :func:`compute` ran with, by their declared names (the explorer
        starts from them).
    """

    inputs: DailyCloseInputs
    close: DailyClose
    figures: dict[str, Any]
    alerts: list[tuple[str, str]]
    files: list[Path]
    parameters: dict[str, Any]


def notes(inputs: DailyCloseInputs, results: Mapping[str, Any]) -> tuple[str, ...]:
    """What the close did without an optional input, or left out, in sentences for the
    report: the day close's and the bank reconciliation's own notes, the roll-forward's
    payments taken from the journal without ``payments_posted``, remittances not posted,
    claim lines without an entry date and journal rows after the close date."""
    out = [*results["day_close"].notes, *results["bank_reconciliation"].notes]
    ar = results["ar_rollforward"]
    if inputs.payments_posted is None:
        out.append("No payments_posted: the A/R roll-forward takes the payments as the "
                   "journal posted them, and proves the charges and adjustments only.")
    if ar.unposted_remittance_claims:
        out.append(f"{ar.unposted_remittance_claims} remittance claim(s) paying "
                   f"{fmt_money(ar.unposted_remittance_paid_cents)} have no posting: left out "
                   "of the sub-ledger (the billing reconciliation follows them).")
    if ar.lines_without_entry_date:
        out.append(f"{ar.lines_without_entry_date} claim line(s) have no entry date: counted "
                   "on their date of service, no charge lag measured.")
    if ar.after_close_rows:
        out.append(f"{ar.after_close_rows} journal row(s) posted after the close date are "
                   "left out.")
    return tuple(out)


def compute(
    inputs: DailyCloseInputs,
    *,
    close_date: str = "",
    tolerance_cents: int = 0,
    cash_deposit_lag_days: int = 1,
    card_settlement_lag_days: int = 2,
    charge_lag_target_days: int = 2,
    missed_charge_days: int = 3,
    filing_warning_days: int = 30,
    forecast_weeks: int = 13,
    minimum_balance: float = 150000.0,
    pay_schedule: str = "biweekly 2025-01-10",
    payroll_load_pct: float = 22.0,
    receipts_factor: float = 1.0,
    duplicate_invoice_days: int = 7,
) -> DailyClose:
    """The close of ``close_date`` on loaded inputs: the seven calculations, their findings
    and the month's collections; no I/O (the explorer calls this alone).

    Parameters are those of the report (:mod:`pracops.daily_close.parameters`), same names,
    same defaults, checked against their declaration; ``minimum_balance`` is dollars.

    Raises
    ------
    ParameterError
        A value of the wrong type or out of its declared range, or a ``close_date`` outside
        the data (:func:`pracops.data.check_as_of`), naming the parameter.
    """
    p = _checked(close_date=close_date, tolerance_cents=tolerance_cents,
                 cash_deposit_lag_days=cash_deposit_lag_days,
                 card_settlement_lag_days=card_settlement_lag_days,
                 charge_lag_target_days=charge_lag_target_days,
                 missed_charge_days=missed_charge_days, filing_warning_days=filing_warning_days,
                 forecast_weeks=forecast_weeks, minimum_balance=minimum_balance,
                 pay_schedule=pay_schedule, payroll_load_pct=payroll_load_pct,
                 receipts_factor=receipts_factor, duplicate_invoice_days=duplicate_invoice_days)
    day = _close_day(inputs, p["close_date"])
    settings = {**p, "close_date": day.date().isoformat(),
                "minimum_balance_cents": money_param("minimum_balance", p["minimum_balance"])}
    results = _calculate(inputs, day, settings)
    every = [r.findings for r in results.values() if len(r.findings)]
    found = findings_frame(pd.concat(every, ignore_index=True) if every else ())
    return DailyClose(close_date=day, **results, findings=found,
                      collections=month_to_date_collections(
                          inputs.pm_transactions, inputs.gl_actuals, inputs.chart_of_accounts,
                          day),
                      notes=notes(inputs, results), settings=settings)


def run(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    close_date: str = "",
    tolerance_cents: int = 0,
    cash_deposit_lag_days: int = 1,
    card_settlement_lag_days: int = 2,
    charge_lag_target_days: int = 2,
    missed_charge_days: int = 3,
    filing_warning_days: int = 30,
    forecast_weeks: int = 13,
    minimum_balance: float = 150000.0,
    pay_schedule: str = "biweekly 2025-01-10",
    payroll_load_pct: float = 22.0,
    receipts_factor: float = 1.0,
    duplicate_invoice_days: int = 7,
    output_dir: str | os.PathLike[str] | None = None,
) -> DailyCloseReport:
    """The daily close, end to end: load ``data_dir`` (``None``: the bundled sample),
    :func:`compute` the close, work out its figures and alerts, and write the hand-outs to
    ``output_dir`` (``None``: beside the report, :func:`pracops.config.report_files_dir`).

    Every parameter is the notebook's, by the same name and default
    (:mod:`pracops.daily_close.parameters`); see :func:`compute`.

    Examples
    --------
    >>> from pracops.daily_close import chain
    >>> result = chain.run(close_date="2025-12-31", output_dir="/tmp/close")  # doctest: +SKIP
    >>> result.figures["close_balanced"]  # doctest: +SKIP

    Raises
    ------
    ParameterError
        A parameter of the wrong type or out of range, before anything is read; a
        ``close_date`` outside the data, once it is read.
    DataError, X12Error
        As :func:`load_inputs`.
    """
    p = _checked(data_dir=data_dir, close_date=close_date, tolerance_cents=tolerance_cents,
                 cash_deposit_lag_days=cash_deposit_lag_days,
                 card_settlement_lag_days=card_settlement_lag_days,
                 charge_lag_target_days=charge_lag_target_days,
                 missed_charge_days=missed_charge_days, filing_warning_days=filing_warning_days,
                 forecast_weeks=forecast_weeks, minimum_balance=minimum_balance,
                 pay_schedule=pay_schedule, payroll_load_pct=payroll_load_pct,
                 receipts_factor=receipts_factor, duplicate_invoice_days=duplicate_invoice_days,
                 output_dir=output_dir)
    money_param("minimum_balance", p["minimum_balance"])  # whole cents, before any reading
    # the report's own process (its kernel): memory it frees goes back to the system, for the
    # rest of the process (pracops.memory); a caller of load_inputs or compute keeps its own
    lean_allocators()
    inputs = load_inputs(p.pop("data_dir"))
    folder = config.report_files_dir(p.pop("output_dir"), REPORT_NAME)
    close = compute(inputs, **p)
    figures = summary_figures(close)
    return DailyCloseReport(inputs=inputs, close=close, figures=figures,
                            alerts=alerts(close, figures),
                            files=write_handouts(close, inputs, folder), parameters=p)


# --- figures, words and alerts ----------------------------------------------------------------

KINDS: dict[str, tuple[str, str, str]] = {
    "undeposited_cash": ("critical", "day's cash and checks never deposited",
                         "days' cash and checks never deposited"),
    "card_settlement_short": ("critical", "card settlement short", "card settlements short"),
    "check_deposited_twice": ("warning", "check deposited twice", "checks deposited twice"),
    "missed_charge": ("warning", "visit never charged", "visits never charged"),
    "duplicate_charge": ("warning", "charge entered twice", "charges entered twice"),
    "filing_limit_near": ("warning", "claim near its filing limit",
                          "claims near their filing limit"),
    "filing_limit_past": ("critical", "claim past its filing limit",
                          "claims past their filing limit"),
    "invoice_paid_twice": ("critical", "invoice paid twice", "invoices paid twice"),
    "missed_discount": ("warning", "early-payment discount missed",
                        "early-payment discounts missed"),
    "misposted_adjustment": ("warning", "misposted adjustment", "misposted adjustments"),
    "invoice_past_due": ("warning", "invoice past due", "invoices past due"),
    "forecast_below_minimum": ("critical", "forecast week below the minimum balance",
                               "forecast weeks below the minimum balance"),
}
"""Each kind of finding the ground truth names: the level of its alert and what one and
several of it are, in words ("1 invoice paid twice", "3 invoices paid twice"). A kind not
listed is a warning under its own name."""

ALERTS_PER_KIND = 5
"""Findings of one kind raised one alert each up to this many; the rest in one alert that
counts them (the findings table and the worklists hold every one)."""


def kind_words(kind: str, count: int) -> tuple[str, str]:
    """The alert level of a kind of finding and ``count`` of it in words
    (:data:`KINDS`): ``("critical", "2 invoices paid twice")``."""
    level, one, many = KINDS.get(kind, ("warning", kind.replace("_", " "),
                                        kind.replace("_", " ")))
    return level, f"{count} {one if count == 1 else many}"


def alerts(close: DailyClose, fig: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every finding as an alert (its own sentence), critical where money is lost or about to
    be (cash never banked, a short settlement, an invoice paid twice, a claim past its filing
    limit, the cash forecast below the minimum), up to :data:`ALERTS_PER_KIND` of a kind and
    then one counting the rest; and month-to-date collections under 95 % of the books' same
    month a year earlier."""
    out: list[tuple[str, str]] = []
    found = close.findings
    order = {kind: i for i, kind in enumerate(KINDS)}
    kinds = sorted(dict.fromkeys(found["kind"].astype(str)), key=lambda k: order.get(k, 99))
    for kind in kinds:
        mine = found[(found["kind"] == kind).to_numpy()]
        out += [(kind_words(kind, 1)[0], str(detail))
                for detail in mine["detail"].head(ALERTS_PER_KIND)]
        rest = mine.iloc[ALERTS_PER_KIND:]
        if len(rest):
            level, words = kind_words(kind, len(rest))
            out.append((level, f"Another {words} "
                               f"({fmt_money(int(rest['amount_cents'].sum()))} at stake): see "
                               "the findings table."))
    pct = fig.get("collections_mtd_vs_expected_pct")
    if pct is not None and pct < 0.95:
        out.append(("warning", f"Collections this month to date are "
                               f"{fmt_money(fig['collections_mtd_cents'])}, {fmt_pct(pct)} of the "
                               f"{fmt_money(fig['collections_expected_mtd_cents'])} the books "
                               f"show for the same days of {fig['comparison_month']}."))
    return out


# --- hand-outs --------------------------------------------------------------------------------

_TENDERS = (("cash", "Cash"), ("check", "Checks"), ("card", "Cards"))
_DEPOSIT_COLUMNS = ["line", "batch", "receipt", "check_number", "amount_cents"]


def desk_lines(desk: pd.DataFrame, day: pd.Timestamp, location: str) -> pd.DataFrame:
    """The receipts one clinic's front desk wrote on ``day``, as the deposit file lists them:
    cash, then checks (with their numbers), then cards, each by drawer (batch) and receipt,
    with a total after each tender and the slip's total (cash and checks) after the checks.
    No patient account: a receipt is looked up by its number."""
    mine = desk[((desk["date"] == day) & (desk["location_id"] == location)).to_numpy()]
    mine = mine.sort_values(["batch", "receipt"], kind="mergesort")
    parts, slip = [], 0
    for tender, words in _TENDERS:
        part = mine[(mine["tender"] == tender).to_numpy()]
        total = int(part["amount_cents"].sum())
        parts.append(pd.DataFrame({"line": tender, "batch": part["batch"].astype(str),
                                   "receipt": part["receipt"].astype(str),
                                   "check_number": part["check_number"].astype("string")
                                   .fillna(""), "amount_cents": part["amount_cents"]}))
        count = f"{len(part)} receipt{'s' if len(part) != 1 else ''}"
        parts.append(pd.DataFrame([{"line": f"{words} total ({count})", "amount_cents": total}]))
        if tender != "card":
            slip += total
        if tender == "check":
            parts.append(pd.DataFrame([{"line": "Deposit slip total (cash and checks)",
                                        "amount_cents": slip}]))
    out = pd.concat(parts, ignore_index=True).reindex(columns=_DEPOSIT_COLUMNS)
    for column in ("batch", "receipt", "check_number"):
        out[column] = out[column].fillna("").astype(str)
    out["amount_cents"] = out["amount_cents"].astype("int64")
    return out


def close_of_day(close: DailyClose) -> pd.DataFrame:
    """The rows of the day close (:attr:`DayClose.days`) that the close of
    :attr:`DailyClose.close_date` settles: the day's own receipts and postings, and the days
    whose cash and checks (``cash_deposit_lag_days``) or card batch
    (``card_settlement_lag_days``) were due in the bank that day. A problem with any of them
    is found at this close, though it belongs to the earlier day."""
    days = close.day_close.days
    s = close.settings
    due = np.zeros(len(days), dtype=bool)
    if len(days):
        for lag in (s["cash_deposit_lag_days"], s["card_settlement_lag_days"]):
            due |= businessdays.add(days["date"], lag) == np.datetime64(close.close_date, "D")
    return days[((days["date"] == close.close_date).to_numpy() | due)]


def summary_figures(close: DailyClose) -> dict[str, Any]:
    """The figures a scheduled run records (the summary JSON).

    The close date's close (:func:`close_of_day`): ``close_balanced`` when none of its rows
    has a finding, ``close_difference_cents`` the money of the day-close findings on them and
    ``close_unbalanced`` where (a clinic, or ``None`` for the day's deposit of every clinic),
    ``close_collected_cents`` what the desk took that day, ``carried_forward_cents`` cash and
    checks in the drawers not deposited yet at the close. :func:`month_to_date_collections`'
    figures. Charges: ``missed_charges`` (with ``missed_charge_appointments``),
    ``duplicate_charges``, ``charges_without_visit``, ``charge_lag_median_days`` and
    ``charge_lag_within_target_pct`` (a fraction). Filing: ``filing_deadlines_14_days`` open
    claims whose filing limit falls in the next 14 days (0 to 14 days left, the money in
    ``…_cents``), ``filing_past_limit`` (and ``…_cents``). A/R: ``ar_closing_cents`` and
    ``close_breaks``, the breaks of the roll-forward named up to the close date, with
    ``ar_break_cents`` (their differences' sizes) and ``ar_rollforward_holds``. The bank
    reconciliation at the end of ``bank_month`` (:func:`reconciled_month`):
    ``bank_reconciled``, the statement's and the book's balances, deposits in transit,
    outstanding checks and the difference left. Payables:
    ``ap_open_cents``, ``ap_past_due_cents``, ``discounts_missed_cents``. Cash:
    ``cash_balance_cents`` (the statement's balance at the close), ``cash_low_point_cents`` and
    ``cash_low_point_week``, ``first_week_below_minimum`` (``None`` when every week stays
    above) with ``first_week_below_minimum_start``, ``minimum_balance_cents`` and
    ``forecast_weeks``. ``findings`` counts every finding, ``findings_by_kind`` by kind.
    """
    day = close.close_date
    dc, ar, cc = close.day_close, close.ar_rollforward, close.charge_capture
    tf, ap, fc = close.timely_filing, close.accounts_payable, close.cash_forecast
    settled = close_of_day(close)
    own = dc.findings[dc.findings["date"].isin(settled["date"]).to_numpy()]
    where = own.groupby(own["location_id"].astype(object).fillna(""), sort=True)[
        "amount_cents"].sum()
    today = dc.days[(dc.days["date"] == day).to_numpy()]
    soon = tf.worklist[((tf.worklist["days_left"] >= 0)
                        & (tf.worklist["days_left"] <= 14)).to_numpy()]
    first = fc.first_week_below_minimum
    kinds = close.findings["kind"].astype(str)
    return {
        "close_date": day.date().isoformat(),
        "close_balanced": bool(settled["balanced"].all() and own.empty),
        "close_difference_cents": int(own["amount_cents"].sum()),
        "close_unbalanced": [{"location_id": loc or None, "difference_cents": int(cents)}
                             for loc, cents in where.items()],
        "close_collected_cents": int(today["collected_cents"].sum()),
        "carried_forward_cents": dc.carried_forward_cents,
        **close.collections,
        "missed_charges": len(cc.missed),
        "missed_charge_appointments": sorted(cc.missed["appointment_id"].astype(str)),
        "duplicate_charges": len(cc.duplicates),
        "charges_without_visit": int((cc.findings["kind"] == "charge_without_visit").sum()),
        "charge_lag_median_days": float(cc.lag_median_days),
        "charge_lag_within_target_pct": float(cc.within_target_share),
        "filing_deadlines_14_days": len(soon),
        "filing_deadlines_14_days_cents": int(soon["open_cents"].sum()),
        "filing_past_limit": tf.past_count,
        "filing_past_limit_cents": tf.past_cents,
        "ar_closing_cents": ar.closing_cents,
        "ar_rollforward_holds": bool(ar.holds),
        "close_breaks": len(ar.breaks),
        "ar_break_cents": int(ar.breaks["difference_cents"].abs().sum()),
        "bank_month": close.bank_reconciliation.month,
        "bank_reconciled": bool(close.bank_reconciliation.reconciled),
        "bank_statement_balance_cents": close.bank_reconciliation.statement_balance_cents,
        "bank_book_balance_cents": close.bank_reconciliation.book_balance_cents,
        "deposits_in_transit_cents": int(
            close.bank_reconciliation.deposits_in_transit["amount_cents"].sum()),
        "outstanding_checks_cents": int(
            close.bank_reconciliation.outstanding_checks["amount_cents"].sum()),
        "bank_difference_cents": close.bank_reconciliation.difference_cents,
        "ap_open_cents": ap.open_cents,
        "ap_past_due_cents": ap.past_due_cents,
        "discounts_missed_cents": ap.discounts_missed_cents,
        "cash_balance_cents": fc.opening_balance_cents,
        "cash_low_point_cents": fc.lowest_balance_cents,
        "cash_low_point_week": fc.lowest_week,
        "first_week_below_minimum": first,
        "first_week_below_minimum_start": (
            None if first is None else
            fc.weeks.loc[(fc.weeks["week"] == first).to_numpy(), "start"].iloc[0]
            .date().isoformat()),
        "minimum_balance_cents": fc.minimum_balance_cents,
        "forecast_weeks": len(fc.weeks),
        "findings": len(close.findings),
        "findings_by_kind": dict(Counter(kinds.tolist())),
    }


_MONTH_COLUMNS = {"date": "date", "receipts": "receipts", "cash_cents": "cash_cents",
                  "check_cents": "checks_cents", "card_cents": "cards_cents",
                  "collected_cents": "collected_cents", "posted_cents": "posted_cents",
                  "posting_difference_cents": "posting_difference_cents",
                  "slip_cents": "deposit_slip_cents", "deposited_cents": "deposited_cents",
                  "deposit_date": "deposit_date",
                  "carried_forward_cents": "carried_forward_cents",
                  "card_settled": "card_settled", "balanced": "balanced"}


def deposit_sheet(close: DailyClose, inputs: DailyCloseInputs, location: str) -> Sheet:
    """One clinic's close date as its deposit file keeps it: the day's receipts
    (:func:`desk_lines`), then the close: collected, posted in the practice-management system
    and the difference, deposited and carried forward (:class:`DayClose.days`), and every
    finding of the day's close (:func:`close_of_day`) at this clinic or for the whole day's
    deposit."""
    day = close.close_date
    lines = desk_lines(inputs.front_desk_payments, day, location)
    days = close.day_close.days
    row = days[((days["date"] == day) & (days["location_id"] == location)).to_numpy()]
    get = (lambda c: int(row[c].iloc[0])) if len(row) else (lambda c: 0)
    summary = [("Collected at the desk", get("collected_cents")),
               ("Posted in the practice-management system", get("posted_cents")),
               ("Difference (collected − posted)", get("posting_difference_cents")),
               ("Cash and checks deposited from this day", get("deposited_cents")),
               ("Cash and checks carried forward (not deposited yet)",
                get("carried_forward_cents"))]
    found = close.day_close.findings
    settled = close_of_day(close)["date"]
    mine = found[found["date"].isin(settled).to_numpy()
                 & (found["location_id"].isna() | (found["location_id"] == location))
                 .to_numpy()]
    tail = pd.DataFrame([{"line": words, "amount_cents": cents} for words, cents in summary]
                        + [{"line": f"Finding: {d}", "amount_cents": a}
                           for d, a in zip(mine["detail"], mine["amount_cents"], strict=True)])
    blank = pd.DataFrame([{}], columns=_DEPOSIT_COLUMNS)
    table = pd.concat([lines, blank, tail.reindex(columns=_DEPOSIT_COLUMNS)],
                      ignore_index=True)
    table["amount_cents"] = table["amount_cents"].astype("Int64")
    bold = [i for i, text in enumerate(lines["line"]) if "total" in text]
    bold += range(len(lines) + 1, len(lines) + 1 + len(summary))
    name = _location_names(inputs).get(location, location)
    return Sheet(table, title=f"Deposit file: {name} ({location}), "
                              f"{day:%A %-d %B %Y}", bold_rows=bold,
                 widths={"A": 52, "B": 14, "C": 12, "D": 13, "E": 14}, freeze="A3")


def _location_names(inputs: DailyCloseInputs) -> dict[str, str]:
    return dict(zip(inputs.locations["location_id"].astype(str),
                    inputs.locations["name"].astype(str), strict=True))


def month_sheet(close: DailyClose, inputs: DailyCloseInputs, location: str) -> Sheet:
    """One clinic's close, a row per business day of the close date's month up to it
    (:class:`DayClose.days`), with a total row."""
    days = close.day_close.days
    first = close.close_date.replace(day=1)
    mine = days[((days["location_id"] == location) & (days["date"] >= first)
                 & (days["date"] <= close.close_date)).to_numpy()]
    table = mine[list(_MONTH_COLUMNS)].rename(columns=_MONTH_COLUMNS).reset_index(drop=True)
    table["card_settled"] = table["card_settled"].map({True: "yes", False: "no"})
    table["balanced"] = table["balanced"].map({True: "yes", False: "NO"})
    sums = [c for c in table.columns if c.endswith("_cents") and c != "carried_forward_cents"]
    total = {c: int(table[c].sum()) for c in [*sums, "receipts"]}
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table["date"] = [d.date() for d in table["date"].iloc[:-1]] + ["Total"]
    for c in [*sums, "receipts"]:
        table[c] = table[c].astype("int64")
    table["carried_forward_cents"] = table["carried_forward_cents"].astype("Int64")
    name = _location_names(inputs).get(location, location)
    return Sheet(table, title=f"Day close: {name} ({location}), {first:%B %Y} to "
                              f"{close.close_date:%-d %B}", bold_rows=[len(table) - 1],
                 freeze="B3")


def missed_charges_list(close: DailyClose) -> pd.DataFrame:
    """The worklist of completed visits never charged, by appointment id: the visit's date,
    clinic, provider and type, business days since, the usual charge expected. No patient
    account, no name."""
    m = close.charge_capture.missed
    return m[["appointment_id", "date", "location_id", "provider_id", "visit_type",
              "business_days", "expected_cents"]].rename(
        columns={"date": "date_of_service", "business_days": "business_days_since"}
    ).reset_index(drop=True)


def filing_deadlines_list(close: DailyClose) -> pd.DataFrame:
    """The worklist of open claims near or past their payer's filing limit, by claim number,
    soonest deadline first: payer, clinic, date of service, state, limit, deadline, days left
    (negative when past), the payer's open balance."""
    w = close.timely_filing.worklist
    return w[["claim_id", "payer_id", "location_id", "date_of_service", "state",
              "timely_filing_days", "deadline", "days_left", "open_cents", "kind"]].rename(
        columns={"kind": "finding"}).reset_index(drop=True)


def _sheet_names(location: str, close_date: pd.Timestamp) -> tuple[str, str]:
    code = re.sub(r"[\[\]:*?/\\]", "_", str(location))[:18]
    return f"{code} {close_date:%Y-%m-%d}", f"{code} {close_date:%Y-%m} by day"


def handout_files(close: DailyClose, inputs: DailyCloseInputs
                  ) -> tuple[dict[str, Sheet], dict[str, pd.DataFrame]]:
    """The hand-outs: the workbook's sheets (for each clinic, the close date's deposit file
    and the month by day, :func:`deposit_sheet`, :func:`month_sheet`) and the worklists
    (``missed_charges``, ``filing_deadlines``)."""
    sheets: dict[str, Sheet] = {}
    locations = sorted(set(close.day_close.days["location_id"].astype(str))
                       | set(inputs.locations["location_id"].astype(str)))
    for location in locations:
        today, month = _sheet_names(location, close.close_date)
        sheets[today] = deposit_sheet(close, inputs, location)
        sheets[month] = month_sheet(close, inputs, location)
    return sheets, {"missed_charges": missed_charges_list(close),
                    "filing_deadlines": filing_deadlines_list(close)}


def write_handouts(close: DailyClose, inputs: DailyCloseInputs,
                   folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``daily_close.xlsx`` (:func:`handout_files`' sheets) and the worklists
    ``missed_charges.csv`` and ``filing_deadlines.csv``, atomically, text neutralised against
    formula injection (:func:`pracops.report.write_handouts`)."""
    sheets, worklists = handout_files(close, inputs)
    return (report.write_handouts(sheets, folder, workbook="daily_close.xlsx", csv=False)
            + report.write_handouts(worklists, folder))
