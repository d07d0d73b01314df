"""Daily close and cash: every day's money from the front desk and the payers to the bank, the
A/R roll-forward proven, charges entered for every visit, filing deadlines, the bank
reconciliation, accounts payable and a 13-week cash forecast, for the practice administrator
(issue 15).

:mod:`~pracops.daily_close.datasets` declares what it reads,
:mod:`~pracops.daily_close.parameters` its parameters, :mod:`~pracops.daily_close.cash` (the
day close, the bank reconciliation), :mod:`~pracops.daily_close.ledger` (the A/R roll-forward,
charge capture, timely filing) and :mod:`~pracops.daily_close.payables` (accounts payable, the
cash forecast) calculate, each giving its problems as :mod:`~pracops.daily_close.findings`,
counting lags in :mod:`~pracops.daily_close.businessdays`;
:mod:`~pracops.daily_close.chain` runs the report (``chain.run(...)``, the one entry point),
:mod:`~pracops.daily_close.view` shows and :mod:`~pracops.daily_close.sample` writes its part
of the bundled sample.

Its as-of parameter is ``close_date`` (:attr:`pracops.registry.ReportSpec.as_of_parameter`):
the day a close is for, checked against the data before any kernel starts as the other
reports' ``as_of`` is.
"""

import importlib
from typing import Any

from pracops.daily_close import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.daily_close.parameters import PARAMETERS
from pracops.registry import ReportSpec, Target

REPORT = ReportSpec(
    name="daily_close",
    package="daily_close",
    parameters=PARAMETERS,
    reads=(
        "front_desk_payments",
        "card_settlements",
        "bank_statement",
        "ap_invoices",
        "pm_transactions",
        "payroll_runs",
        "deposits",
        "payments_posted",
        "claims",
        "claim_lines",
        "appointments",
        "payers",
        "providers",
        "locations",
        "staff",
        "chart_of_accounts",
        "gl_actuals",
    ),
    optional=("card_settlements", "payroll_runs", "payments_posted"),
    era=True,
    as_of=("front_desk_payments", "pm_transactions", "bank_statement"),
    as_of_parameter="close_date",
    targets={
        "close_difference_cents": Target("lower", value=0, absolute=True),
        "missed_charges": Target("lower", value=0),
        "filing_deadlines_14_days": Target("lower", value=0),
        "close_breaks": Target("lower", value=0),
        "collections_mtd_vs_expected_pct": Target("higher", value=1),
    },
    group_totals={"close_difference_cents": "size", "cash_low_point_cents": "none",
                  "first_week_below_minimum": "none"},
)

_SUBMODULES = ("businessdays", "cash", "chain", "datasets", "findings", "ledger", "parameters",
               "payables", "sample", "view")


def __getattr__(name: str) -> Any:
    """The submodules on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
