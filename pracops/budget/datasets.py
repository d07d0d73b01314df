"""The datasets only the operating budget reads, declared into the catalogue
(:mod:`pracops.data`), with the references and rules across files it relies on."""

from __future__ import annotations

import numpy as np
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
from pracops.data.fields import ID

__all__ = ["ACCOUNT_CATEGORIES", "COST_BEHAVIOURS", "check_volume_months"]


ACCOUNT_CATEGORIES: tuple[str, ...] = (
    "revenue", "provider compensation", "staff salaries", "benefits", "medical supplies",
    "office supplies", "rent and occupancy", "malpractice", "IT/EHR", "purchased services",
    "depreciation", "other",
)
"""The categories of the chart of accounts, in the order a P&L shows them."""

COST_BEHAVIOURS: tuple[str, ...] = ("fixed", "variable per visit", "step per provider FTE")
"""How an account's amount moves with activity, as the budget builds it."""

_MONTH = {"pattern": r"\d{4}-\d{2}",
          "pattern_text": "a month as YYYY-MM, such as 2025-06 (in Excel, format the column "
                          "as text)"}
_PAY_MONTHS = r"\d{1,2}(?:\s*,\s*\d{1,2})*"


def _check_month_numbers(frame: pd.DataFrame) -> None:
    """A ``month`` column (already of the form YYYY-MM) names months 01–12."""
    number = frame["month"].str[5:7].astype("int64")
    bad = (number < 1) | (number > 12)
    if bad.any():
        raise row_error(frame, bad, "month", "no such month",
                        "a month as YYYY-MM with the month from 01 to 12",
                        fix="write the month as YYYY-MM, e.g. 2025-12 for December 2025")


def _check_chart_of_accounts(frame: pd.DataFrame) -> None:
    """Patient revenue (revenue varying per visit) names its payer class; other revenue
    (fixed: grants, care-management or capitation payments, rent received) and expenses none;
    payment months only on fixed accounts, as distinct month numbers 1–12."""
    revenue = (frame["category"] == "revenue").to_numpy(dtype=bool)
    per_visit = (frame["behaviour"] == "variable per visit").to_numpy(dtype=bool)
    has_class = frame["payer_class"].notna().to_numpy(dtype=bool)
    bad = revenue & (frame["behaviour"] == "step per provider FTE").to_numpy(dtype=bool)
    if bad.any():
        raise row_error(frame, bad, "behaviour", "revenue that steps with provider FTE",
                        "'variable per visit' (patient revenue) or 'fixed' (other revenue)",
                        fix="make patient revenue 'variable per visit' and other revenue "
                            "'fixed'")
    bad = revenue & per_visit & ~has_class
    if bad.any():
        raise row_error(frame, bad, "payer_class", "revenue account without a payer class",
                        "the payer class whose revenue the account books, as in the class "
                        "column of payers (Medicare, Medicaid, Commercial, Self-pay …)",
                        fix="fill in the payer class of each patient revenue account, or make "
                            "revenue that does not come with visits 'fixed'")
    bad = ~(revenue & per_visit) & has_class
    if bad.any():
        raise row_error(frame, bad, "payer_class", "payer class on an account that is not "
                        "patient revenue", "an empty cell for expenses and fixed revenue",
                        fix="clear the payer class, or make the account revenue that varies "
                            "per visit")
    has_months = frame["pay_months"].notna().to_numpy(dtype=bool)
    bad = has_months & (frame["behaviour"] != "fixed").to_numpy(dtype=bool)
    if bad.any():
        raise row_error(frame, bad, "pay_months", "payment months on an account that is not "
                        "fixed", "an empty cell: only fixed costs have payment months",
                        fix="clear pay_months, or make the account's behaviour fixed")

    def months_ok(spec: object) -> bool:
        if not isinstance(spec, str):
            return True
        months = [int(m) for m in spec.split(",")]
        return all(1 <= m <= 12 for m in months) and len(set(months)) == len(months)

    bad = ~frame["pay_months"].map(months_ok).astype(bool)
    if bad.any():
        raise row_error(frame, bad, "pay_months", "payment months are not distinct months "
                        "1–12", "month numbers 1–12, each once, such as 1 or 1,4,7,10")


def _check_volumes(frame: pd.DataFrame) -> None:
    """Months are 01–12, and every row of a month carries the same provider FTE."""
    _check_month_numbers(frame)
    first = frame.groupby("month", sort=False)["provider_fte"].transform("first")
    bad = ~np.isclose(frame["provider_fte"].to_numpy(dtype=float),
                      first.to_numpy(dtype=float), rtol=0, atol=1e-9)
    if bad.any():
        row = int(frame.index[np.flatnonzero(bad)[0]])
        month = frame.at[row, "month"]
        earlier = frame.index[(frame["month"] == month).to_numpy()][0]
        raise row_error(frame, bad, "provider_fte", f"provider FTE of {month} differs between "
                        "its rows",
                        f"the practice's provider FTE of the month on every row of it "
                        f"({frame.at[earlier, 'provider_fte']:g} in row {int(earlier)})",
                        fix="repeat the month's provider FTE on each payer-class row")


register(Dataset(
    name="chart_of_accounts",
    stem="chart_of_accounts",
    description="One row per general-ledger account the budget uses: what it books and how "
                "it behaves.",
    key=("account",),
    optional=True,
    checks=_check_chart_of_accounts,
    columns=(
        Column("account", **ID, description="Account number as in the GL, e.g. 4100."),
        Column("name", "str"),
        Column("category", "category", allowed=ACCOUNT_CATEGORIES),
        Column("behaviour", "category", allowed=COST_BEHAVIOURS,
               description="Fixed, variable per visit, or a step cost per provider FTE."),
        Column("payer_class", "str", nullable=True,
               description="For revenue accounts, the payer class (as in payers' class) whose "
                           "revenue the account books; empty for other accounts."),
        Column("pay_months", "str", nullable=True, pattern=_PAY_MONTHS,
               pattern_text="month numbers joined with commas, such as 1 or 1,4,7,10",
               description="For fixed costs paid in some months only (an annual premium): "
                           "the months it is paid; empty means spread evenly over the year."),
    ),
))

register(Dataset(
    name="gl_actuals",
    stem="gl_actuals",
    description="One row per month and account: the general-ledger total (P&L sign: revenue "
                "and expenses both positive). A month without activity on an account may "
                "have no row.",
    key=("month", "account"),
    optional=True,
    checks=_check_month_numbers,
    columns=(
        Column("month", "str", **_MONTH),
        Column("account", **ID, description="As in the chart of accounts."),
        Column("amount_cents", "money",
               description="The month's total; revenue and expenses both positive (an "
                           "expense account may be negative in a month it is credited; a "
                           "revenue account may not)."),
    ),
))

register(Dataset(
    name="volumes",
    stem="volumes",
    description="One row per month and payer class: visits and work RVUs, with the practice's "
                "provider FTE of the month repeated on each row.",
    key=("month", "payer_class"),
    optional=True,
    checks=_check_volumes,
    columns=(
        Column("month", "str", **_MONTH),
        Column("payer_class", "str", description="As in payers' class."),
        Column("visits", "int", minimum=0, description="Billed visits (claims) in the month."),
        Column("wrvus", "float", nullable=True, minimum=0,
               description="Work RVUs of the month's visits, where known."),
        Column("provider_fte", "float", minimum=0,
               description="The practice's provider FTE that month (the same on every row of "
                           "the month)."),
    ),
))



def check_volume_months(volumes: pd.DataFrame, gl_actuals: pd.DataFrame) -> None:
    """Refuse volume rows of a month the ledger does not have: the budget reads volumes only
    for ledger months, so such a row (a typo in the month, a year off) would be ignored
    without a word."""
    ledger = set(gl_actuals["month"].astype("str"))
    bad = ~volumes["month"].astype("str").isin(ledger).to_numpy()
    if bad.any():
        months = sorted(ledger)
        raise rows_error(volumes, bad, "volumes", "month", "a month the ledger does not have",
                         f"a month of gl_actuals ({months[0]} to {months[-1]})",
                         fix="correct the month, or add the ledger's lines for it")




def read_books(gl_actuals: pd.DataFrame, chart_of_accounts: pd.DataFrame,
               volumes: pd.DataFrame) -> None:
    """Ledger accounts in the chart, revenue not negative, no month missing, volumes for
    every ledger month and payer class (:func:`pracops.budget.model.read_books`)."""
    from pracops.budget.model import read_books as read

    read(gl_actuals, chart_of_accounts, volumes)

register_rules(
    references=(
        Reference("gl_actuals", "account", "chart_of_accounts", "account"),
        Reference("chart_of_accounts", "payer_class", "payers", "class"),
        Reference("volumes", "payer_class", "payers", "class"),
    ),
    relations=(
        Relation(("volumes", "gl_actuals"), check_volume_months,
                 "volumes only for months the ledger has"),
        Relation(("gl_actuals", "chart_of_accounts", "volumes"), read_books,
                 "ledger accounts in the chart, revenue not negative, no month missing, "
                 "volumes for every ledger month and payer class"),
    ),
)
