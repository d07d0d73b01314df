"""Accounts payable and the 13-week cash forecast of the daily close (issue 15, calculations 6
and 7): pure functions over the loaded frames, money in integer cents, no I/O.

:func:`accounts_payable`
    The payables at the close date: aging of the open invoices by due date, invoices paid
    twice, early-payment discounts missed (with what they cost a year), invoices past due.
:func:`cash_forecast`
    The operating account week by week from the close date's bank balance: expected payer and
    patient receipts, less the invoices due, payments not yet cleared, payroll and the
    recurring debits; the band around it, the low point and the first week below the minimum.

Definitions
-----------
open invoice
    Invoiced on or before the close date and not paid by it (a voucher paid after the close
    date was open on it).
days past due
    Calendar days from the due date to the close date: 0 on the due date (still current), 1 the
    day after. Aging buckets: current (≤ 0), 1–30, 31–60, 61–90, over 90.
terms
    ``2/10 net 30``: 2 % off when paid within 10 days of the invoice date (day 10 still counts),
    the whole amount within 30 (:data:`~pracops.daily_close.datasets.TERMS_PATTERN`). The
    discount is the percent of the amount rounded half up to the cent.
annual cost of a missed discount
    ``d / (100 − d) × 365 / (net − discount days)`` in percent: what paying on the net day
    instead of the discount day costs as a yearly interest rate (2/10 net 30 ≈ 37.2 %).
forecast week
    Week ``k`` is the 7 days from ``close + 7(k − 1) + 1`` to ``close + 7k``: week 1 starts the
    day after the close date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pracops.daily_close import businessdays
from pracops.daily_close.datasets import TERMS_PATTERN
from pracops.daily_close.findings import findings_frame
from pracops.daily_close.ledger import positions
from pracops.data import require_columns, rows_error
from pracops.errors import DataError, ParameterError
from pracops.money import format_cents

__all__ = ["AGING_BUCKETS", "AccountsPayable", "CashForecast", "accounts_payable",
           "annual_cost_pct", "cash_forecast", "one_keystroke_apart", "pay_dates", "parse_terms",
           "recurring_debits",
           "roster_payroll_cents"]

AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "over 90")
"""Aging buckets by days past due, in order: not yet due (due on or after the close date),
then 1–30, 31–60, 61–90 and more than 90 days past due."""

_AP_COLUMNS = ("voucher_id", "vendor", "invoice_number", "invoice_date", "due_date",
               "amount_cents", "terms", "paid_date", "paid_cents", "payment_reference")
_DAY = pd.Timedelta(days=1)


# --------------------------------------------------------------------------------------------
# helpers


def _day_text(days: pd.Series) -> pd.Series:
    """Dates as ``4 Dec 2025`` (vectorised)."""
    return days.dt.day.astype(str) + days.dt.strftime(" %b %Y")


def _money_text(cents: pd.Series) -> pd.Series:
    """Cents as ``$1,234.56`` (a findings frame's few rows)."""
    return pd.Series([format_cents(int(c)) for c in cents], index=cents.index, dtype="string")


def _date(day: object, name: str) -> pd.Timestamp:
    stamp = pd.Timestamp(day) if day is not None and day != "" else pd.NaT
    if pd.isna(stamp):
        raise ParameterError(f"{name} must be a date such as 2025-12-31, got {day!r}")
    return stamp.normalize()


def _round_cents(values: np.ndarray) -> np.ndarray:
    """Non-negative expected amounts (floats) to whole cents, halves up."""
    return np.floor(np.asarray(values, dtype=float) + 0.5).astype(np.int64)


def parse_terms(ap_invoices: pd.DataFrame) -> pd.DataFrame:
    """Each invoice's payment terms as numbers.

    Returns
    -------
    DataFrame
        On ``ap_invoices``' index: ``discount_bp`` (the early-payment discount in hundredths of
        a percent, 0 without one: ``2/10 net 30`` → 200), ``discount_days`` (0 without one) and
        ``net_days``.

    Raises
    ------
    DataError
        Terms that are not ``net N`` or ``D/N net M`` (:data:`TERMS_PATTERN`), naming the rows.
    """
    parts = ap_invoices["terms"].astype("string").str.extract(f"^(?:{TERMS_PATTERN})$")
    bad = parts[2].isna()
    if bad.any():
        raise rows_error(ap_invoices, bad.to_numpy(), "ap_invoices", "terms",
                         "payment terms that cannot be read",
                         "terms such as 'net 30' or '2/10 net 30'")
    percent = parts[0].fillna("0").str.extract(r"^(\d+)(?:\.(\d+))?$")
    bp = percent[0].astype("int64") * 100 + percent[1].fillna("").str.ljust(2, "0").astype(
        "int64")
    return pd.DataFrame({"discount_bp": bp.astype("int64"),
                         "discount_days": parts[1].fillna("0").astype("int64"),
                         "net_days": parts[2].astype("int64")}, index=ap_invoices.index)


def annual_cost_pct(discount_bp: pd.Series | int, discount_days: pd.Series | int,
                    net_days: pd.Series | int) -> pd.Series | float:
    """What passing up a discount costs as a yearly rate, in percent:
    ``d / (100 − d) × 365 / (net − discount days)`` (2/10 net 30 → 37.24). Missing (NaN) when
    the net day is not after the discount day (there is no credit to pay for)."""
    span = np.asarray(net_days) - np.asarray(discount_days)
    rate = np.asarray(discount_bp) / (10000 - np.asarray(discount_bp))
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = np.where(span > 0, rate * 365 / np.where(span > 0, span, 1) * 100, np.nan)
    if isinstance(discount_bp, pd.Series):
        return pd.Series(cost, index=discount_bp.index)
    return float(cost)


# --------------------------------------------------------------------------------------------
# 6. Accounts payable


@dataclass(frozen=True)
class AccountsPayable:
    """The payables at the close date.

    Attributes
    ----------
    close_date
        The day the payables are taken at.
    open_invoices
        One row per open invoice: ``voucher_id``, ``vendor``, ``invoice_number``,
        ``invoice_date``, ``due_date``, ``terms``, ``open_cents`` (its amount: a voucher is
        paid whole or not at all), ``days_past_due`` and ``bucket`` (:data:`AGING_BUCKETS`).
    aging
        One row per bucket, in order, empty ones included: ``bucket``, ``invoices``,
        ``open_cents``. Its ``open_cents`` add up to :attr:`open_cents`.
    aging_by_vendor
        Open cents by vendor (rows) and bucket (columns, plus ``total``).
    open_cents
        Accounts payable at the close date: every open invoice's amount.
    past_due_cents
        The part of it past its due date.
    paid_twice
        Vouchers that repeat an earlier one: ``voucher_id`` (the repeat: the later paid, or the
        unpaid one), ``first_voucher_id``, ``vendor``, ``invoice_number``, ``rule`` (``same
        number``, or ``same amount within N days``), ``kind`` (``invoice_paid_twice`` when
        both were paid by the close date, ``invoice_entered_twice`` when the repeat is still
        open: hold its payment), ``amount_cents`` (the repeat's payment, or its open amount)
        and ``date`` (its payment date, or its due date), with the first voucher's
        ``first_invoice_number`` and ``first_date`` (its payment date, if paid).
    missed_discounts
        Invoices on discount terms paid without the discount: ``voucher_id``, ``vendor``,
        ``invoice_number``, ``terms``, ``invoice_date``, ``paid_date``, ``days_to_pay``
        (calendar days from the invoice date), ``discount_cents`` (what was lost: the discount,
        less any part deducted anyway) and ``annual_cost_pct``.
    discounts_taken_cents, discounts_missed_cents
        Discounts deducted from payments on discount terms, and the ones lost.
    discounts_available
        Open invoices whose discount can still be taken: ``voucher_id``, ``vendor``,
        ``invoice_number``, ``last_discount_date``, ``discount_cents``, ``pay_cents``.
    payments_off
        Payments that are neither the invoice's amount nor its amount less the discount
        (short or over payments, counted here rather than lost): ``voucher_id``, ``vendor``,
        ``invoice_number``, ``amount_cents``, ``paid_cents``, ``difference_cents`` (paid
        minus the amount, less the discount when paid within its days).
    invoices_after_close
        Vouchers invoiced after the close date, left out of everything above (a close taken on
        an earlier day than the data's last).
    findings
        ``invoice_paid_twice`` (reference: the repeat voucher; amount: its payment),
        ``invoice_entered_twice`` (reference: the open repeat; amount: what it would pay),
        ``missed_discount`` (reference: the voucher; amount: the discount lost) and
        ``invoice_past_due`` (reference: the voucher; amount: the open cents; the detail gives
        the days past due).
    """

    close_date: pd.Timestamp
    open_invoices: pd.DataFrame
    aging: pd.DataFrame
    aging_by_vendor: pd.DataFrame
    open_cents: int
    past_due_cents: int
    paid_twice: pd.DataFrame
    missed_discounts: pd.DataFrame
    discounts_taken_cents: int
    discounts_missed_cents: int
    discounts_available: pd.DataFrame
    payments_off: pd.DataFrame
    invoices_after_close: int
    findings: pd.DataFrame


def one_keystroke_apart(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Whether each pair of invoice numbers is one mistyping apart: the same once case and
    punctuation are dropped, or one character other, added, dropped, or two neighbours
    swapped (``HEN-80615`` / ``hen80615`` / ``HEN-80651`` / ``HEN-8615``)."""
    x = a.astype("string").str.upper().str.replace(r"[^0-9A-Z]", "", regex=True).fillna("")
    y = b.astype("string").str.upper().str.replace(r"[^0-9A-Z]", "", regex=True).fillna("")
    if not len(x):
        return np.zeros(0, dtype=bool)
    lx, ly = x.str.len().to_numpy(np.int64), y.str.len().to_numpy(np.int64)
    width = int(max(lx.max(), ly.max(), 2))

    def chars(s: pd.Series) -> np.ndarray:
        return np.array(s.tolist(), dtype=f"U{width}").view(np.uint32).reshape(len(s), width)

    def common(p: np.ndarray, q: np.ndarray) -> np.ndarray:  # length of the common start
        differ = p != q
        return np.where(differ.any(axis=1), differ.argmax(axis=1), width)

    px, py = chars(x), chars(y)
    short = np.minimum(lx, ly)
    head = np.minimum(common(px, py), short)
    rx, ry = chars(x.str[::-1]), chars(y.str[::-1])
    tail = np.minimum(common(rx, ry), short)
    same_length = lx == ly
    at = np.clip(head, 0, width - 2)
    rows = np.arange(len(x))
    swapped = ((px[rows, at] == py[rows, at + 1]) & (px[rows, at + 1] == py[rows, at])
               & (head + tail == lx - 2))
    return ((same_length & ((head == lx) | (head + tail >= lx - 1) | swapped))
            | ((np.abs(lx - ly) == 1) & (head + tail >= short)))


def _repeats(live: pd.DataFrame, paid: pd.Series, days: int) -> pd.DataFrame:
    """Pairs (first, repeat) of vouchers of one invoice: the same vendor and number, or the
    same vendor and amount invoiced ``days`` apart or fewer under numbers one mistyping apart
    (:func:`one_keystroke_apart`). Two different numbers further apart are two invoices: a
    vendor billing a flat amount (a subscription at month ends five days apart) or a month's
    bill split into equal parts must not be claimed back. Of two vouchers the repeat is the
    one paid later (an unpaid one after every paid one; then the later voucher id)."""
    order = live.assign(_paid=paid, _unpaid=~paid,
                        _when=live["paid_date"].where(paid)).sort_values(
        ["_unpaid", "_when", "voucher_id"], kind="stable")
    order["_rank"] = np.arange(len(order))
    by_number = order.groupby(["vendor", "invoice_number"], sort=False)
    same = order[by_number.cumcount() > 0]
    pairs = [pd.DataFrame({"first": by_number["_rank"].transform("first")[same.index],
                           "repeat": same["_rank"], "rule": "same number"})]
    near = order.sort_values(["vendor", "amount_cents", "invoice_date", "_rank"], kind="stable")
    prev = near.shift(1)
    close = ((near["vendor"] == prev["vendor"]) & (near["amount_cents"] == prev["amount_cents"])
             & ((near["invoice_date"] - prev["invoice_date"]).dt.days <= days))
    close = close.fillna(False).astype(bool)
    close[close] = one_keystroke_apart(near.loc[close, "invoice_number"],
                                       prev.loc[close, "invoice_number"])
    a, b = prev.loc[close, "_rank"].astype("int64"), near.loc[close, "_rank"]
    pairs.append(pd.DataFrame({"first": np.minimum(a, b), "repeat": np.maximum(a, b),
                               "rule": f"same amount within {days} days"}))
    found = pd.concat(pairs).drop_duplicates("repeat").sort_values("repeat")
    ranked = order.set_index("_rank")
    first, repeat = ranked.loc[found["first"]], ranked.loc[found["repeat"]]
    both_paid = first["_paid"].to_numpy() & repeat["_paid"].to_numpy()
    return pd.DataFrame({
        "voucher_id": repeat["voucher_id"].to_numpy(),
        "first_voucher_id": first["voucher_id"].to_numpy(),
        "vendor": repeat["vendor"].to_numpy(),
        "invoice_number": repeat["invoice_number"].to_numpy(),
        "first_invoice_number": first["invoice_number"].to_numpy(),
        "rule": found["rule"].to_numpy(),
        "kind": np.where(both_paid, "invoice_paid_twice", "invoice_entered_twice"),
        "amount_cents": np.where(both_paid, repeat["paid_cents"].fillna(0).to_numpy("int64"),
                                 repeat["amount_cents"].to_numpy("int64")),
        "date": np.where(both_paid, repeat["paid_date"].to_numpy(),
                         repeat["due_date"].to_numpy()),
        "first_date": first["paid_date"].to_numpy(),
    }).astype({"date": "datetime64[ns]", "first_date": "datetime64[ns]"}).sort_values(
        "voucher_id", ignore_index=True)


def accounts_payable(ap_invoices: pd.DataFrame, close_date: object, *,
                     duplicate_invoice_days: int = 7) -> AccountsPayable:
    """Aging, invoices paid twice, discounts missed and invoices past due at ``close_date``.

    Parameters
    ----------
    ap_invoices
        The ``ap_invoices`` frame (one row per voucher).
    close_date
        The day of the close. Vouchers invoiced after it are left out (and counted); one paid
        after it was open on it.
    duplicate_invoice_days
        Two vouchers of one vendor for the same amount invoiced this many days apart or fewer,
        under numbers one mistyping apart, are one invoice entered twice (the same number is
        one invoice whenever). A week by default.

    Returns
    -------
    AccountsPayable

    Notes
    -----
    A discount counts as missed when the payment was more than the amount less the discount,
    whether it was paid after the window (the issue's rule) or in time but in full; a
    payment after the window that deducted the discount anyway lost nothing (the vendor may
    bill it back: not a finding). The money at stake of an invoice paid twice is the repeat's
    payment, which the vendor owes back.
    """
    require_columns(ap_invoices, "ap_invoices", _AP_COLUMNS)
    if duplicate_invoice_days < 0:
        raise ParameterError(f"duplicate_invoice_days must be 0 or more, got "
                             f"{duplicate_invoice_days!r}")
    close = _date(close_date, "close_date")
    live = ap_invoices[ap_invoices["invoice_date"] <= close]
    terms = parse_terms(live)
    paid = live["paid_date"].notna() & (live["paid_date"] <= close)
    is_open = ~paid

    # Aging
    open_ = live[is_open]
    late = (close - open_["due_date"]).dt.days.astype("int64")
    bucket = pd.cut(late, [-np.inf, 0, 30, 60, 90, np.inf], labels=list(AGING_BUCKETS))
    open_invoices = pd.DataFrame({
        "voucher_id": open_["voucher_id"], "vendor": open_["vendor"],
        "invoice_number": open_["invoice_number"], "invoice_date": open_["invoice_date"],
        "due_date": open_["due_date"], "terms": open_["terms"],
        "open_cents": open_["amount_cents"].astype("int64"), "days_past_due": late,
        "bucket": bucket}).sort_values(["due_date", "voucher_id"]).reset_index(drop=True)
    grouped = open_invoices.groupby("bucket", observed=False)
    aging = pd.DataFrame({"invoices": grouped.size(),
                          "open_cents": grouped["open_cents"].sum()}).astype("int64")
    aging = aging.reindex(list(AGING_BUCKETS), fill_value=0).rename_axis("bucket").reset_index()
    by_vendor = open_invoices.pivot_table(index="vendor", columns="bucket", values="open_cents",
                                          aggfunc="sum", fill_value=0, observed=False)
    by_vendor = by_vendor.reindex(columns=list(AGING_BUCKETS), fill_value=0).astype("int64")
    by_vendor.columns = list(AGING_BUCKETS)
    by_vendor["total"] = by_vendor.sum(axis=1)
    past_due = open_invoices[open_invoices["days_past_due"] > 0]

    # Discounts
    discount = (live["amount_cents"] * terms["discount_bp"] + 5000) // 10000
    on_terms = paid & (terms["discount_bp"] > 0)
    deducted = (live["amount_cents"] - live["paid_cents"].fillna(0)).astype("int64").clip(
        lower=0).clip(upper=discount)
    lost = (discount - deducted).where(on_terms, 0).astype("int64")
    missed = live[lost > 0]
    days_to_pay = (missed["paid_date"] - missed["invoice_date"]).dt.days.astype("int64")
    missed_t = terms.loc[missed.index]
    missed_discounts = pd.DataFrame({
        "voucher_id": missed["voucher_id"], "vendor": missed["vendor"],
        "invoice_number": missed["invoice_number"], "terms": missed["terms"],
        "invoice_date": missed["invoice_date"], "paid_date": missed["paid_date"],
        "days_to_pay": days_to_pay, "in_window": days_to_pay <= missed_t["discount_days"],
        "discount_cents": lost[lost > 0],
        "annual_cost_pct": annual_cost_pct(missed_t["discount_bp"], missed_t["discount_days"],
                                           missed_t["net_days"]),
    }).reset_index(drop=True)
    window_end = live["invoice_date"] + pd.to_timedelta(terms["discount_days"], unit="D")
    can = is_open & (terms["discount_bp"] > 0) & (window_end >= close)
    discounts_available = pd.DataFrame({
        "voucher_id": live.loc[can, "voucher_id"], "vendor": live.loc[can, "vendor"],
        "invoice_number": live.loc[can, "invoice_number"],
        "last_discount_date": window_end[can], "discount_cents": discount[can].astype("int64"),
        "pay_cents": (live.loc[can, "amount_cents"] - discount[can]).astype("int64"),
    }).sort_values(["last_discount_date", "voucher_id"]).reset_index(drop=True)

    days_taken = (live["paid_date"] - live["invoice_date"]).dt.days
    due = live["amount_cents"] - discount.where(days_taken <= terms["discount_days"], 0)
    off = paid & (live["paid_cents"] != live["amount_cents"]) & (live["paid_cents"] != due)
    payments_off = pd.DataFrame({
        "voucher_id": live.loc[off, "voucher_id"], "vendor": live.loc[off, "vendor"],
        "invoice_number": live.loc[off, "invoice_number"],
        "amount_cents": live.loc[off, "amount_cents"].astype("int64"),
        "paid_cents": live.loc[off, "paid_cents"].astype("int64"),
        "difference_cents": (live.loc[off, "paid_cents"] - due[off]).astype("int64"),
    }).reset_index(drop=True)

    repeats = _repeats(live, paid, duplicate_invoice_days)
    findings = _ap_findings(repeats, missed_discounts, past_due)
    return AccountsPayable(
        close_date=close, open_invoices=open_invoices, aging=aging, aging_by_vendor=by_vendor,
        open_cents=int(open_invoices["open_cents"].sum()),
        past_due_cents=int(past_due["open_cents"].sum()), paid_twice=repeats,
        missed_discounts=missed_discounts,
        discounts_taken_cents=int(deducted.where(on_terms, 0).sum()),
        discounts_missed_cents=int(lost.sum()), discounts_available=discounts_available,
        payments_off=payments_off,
        invoices_after_close=int(len(ap_invoices) - len(live)), findings=findings)


def _ap_findings(repeats: pd.DataFrame, missed: pd.DataFrame,
                 past_due: pd.DataFrame) -> pd.DataFrame:
    twice = repeats["kind"] == "invoice_paid_twice"
    first_what = np.where(repeats["rule"] == "same number", "",
                          " (as " + repeats["first_invoice_number"] + ")")
    paid_twice = pd.DataFrame({
        "kind": repeats["kind"], "date": repeats["date"], "location_id": None,
        "reference": repeats["voucher_id"], "amount_cents": repeats["amount_cents"],
        "detail": np.where(
            twice,
            repeats["vendor"] + " invoice " + repeats["invoice_number"] + " was paid twice: "
            + "voucher " + repeats["first_voucher_id"] + first_what + " on "
            + _day_text(repeats["first_date"]) + " and voucher " + repeats["voucher_id"]
            + " on " + _day_text(repeats["date"]) + ", " + _money_text(repeats["amount_cents"])
            + " to recover from the vendor.",
            repeats["vendor"] + " invoice " + repeats["invoice_number"] + " is entered twice "
            + "(voucher " + repeats["first_voucher_id"] + first_what + " and voucher "
            + repeats["voucher_id"] + "): hold the payment of voucher " + repeats["voucher_id"]
            + ", " + _money_text(repeats["amount_cents"]) + "."),
    })
    discounts = pd.DataFrame({
        "kind": "missed_discount", "date": missed["paid_date"], "location_id": None,
        "reference": missed["voucher_id"], "amount_cents": missed["discount_cents"],
        "detail": missed["vendor"] + " invoice " + missed["invoice_number"] + " ("
        + missed["terms"] + ") was paid " + np.where(
            missed["in_window"], "in full within its discount days",
            "on day " + missed["days_to_pay"].astype(str)) + ", losing a discount of "
        + _money_text(missed["discount_cents"]) + " (a cost of "
        + missed["annual_cost_pct"].round(1).astype(str) + " % a year).",
    })
    late = pd.DataFrame({
        "kind": "invoice_past_due", "date": past_due["due_date"], "location_id": None,
        "reference": past_due["voucher_id"], "amount_cents": past_due["open_cents"],
        "detail": past_due["vendor"] + " invoice " + past_due["invoice_number"] + " of "
        + _money_text(past_due["open_cents"]) + " was due " + _day_text(past_due["due_date"])
        + " and is unpaid, " + past_due["days_past_due"].astype(str) + " days past due.",
    })
    return findings_frame(pd.concat([paid_twice, discounts, late], ignore_index=True))


# --------------------------------------------------------------------------------------------
# 7. Cash forecast: payroll


_SCHEDULE = re.compile(r"^(weekly|biweekly|semimonthly)(?: (\d{4}-\d{2}-\d{2}))?$")
_WEEKDAYS = {"Mon": 0, "Tue": 1, "Wed": 2, "Thu": 3, "Fri": 4, "Sat": 5, "Sun": 6}
_LUNCH_MINUTES = 60  # unpaid, in every shift longer than six hours (the roster's FTE rule)


def _schedule(pay_schedule: str) -> tuple[str, pd.Timestamp | None]:
    match = _SCHEDULE.match(pay_schedule.strip())
    if match is None or (match.group(1) != "semimonthly" and match.group(2) is None):
        raise ParameterError(
            f"pay_schedule must be 'weekly YYYY-MM-DD', 'biweekly YYYY-MM-DD' (a pay day to "
            f"count from) or 'semimonthly' (the 15th and the month's last day), got "
            f"{pay_schedule!r}")
    anchor = match.group(2)
    return match.group(1), (_date(anchor, "pay_schedule") if anchor else None)


def pay_dates(pay_schedule: str, after: object, until: object) -> pd.DatetimeIndex:
    """The pay days of ``pay_schedule`` after ``after`` and up to ``until``.

    ``weekly``/``biweekly`` count 7/14 days from the anchor date (both ways);
    ``semimonthly`` pays on the 15th and the last day of each month. A pay day that is not a
    business day is paid the business day before (as payroll services do)."""
    kind, anchor = _schedule(pay_schedule)
    start, end = _date(after, "after"), _date(until, "until")
    if kind == "semimonthly":
        months = pd.period_range(start, end + pd.offsets.MonthEnd(0), freq="M")
        nominal = pd.DatetimeIndex(np.concatenate([
            (months.start_time + pd.Timedelta(days=14)).to_numpy(),
            months.end_time.normalize().to_numpy()]))
    else:
        step = 7 if kind == "weekly" else 14
        first = -((anchor - start).days // step) - 1
        last = (end - anchor).days // step + 1
        nominal = anchor + pd.to_timedelta(np.arange(first, last + 1) * step, unit="D")
    paid = pd.DatetimeIndex(businessdays.previous_or_same(nominal)).as_unit("ns")
    return paid[(paid > start) & (paid <= end)].sort_values().unique()


def roster_payroll_cents(staff: pd.DataFrame, pay_schedule: str) -> int:
    """Gross pay of one payroll from the roster: per person ``hourly rate × usual paid hours a
    week × weeks in the pay period`` (1 weekly, 2 biweekly, 52/24 semimonthly), rounded half
    up to the cent, summed. Paid hours are the ``usual_shifts`` less an unpaid lunch hour in a
    shift of more than six hours."""
    require_columns(staff, "staff", ("hourly_rate_cents", "usual_shifts"))
    kind, _ = _schedule(pay_schedule)
    weeks_num, weeks_den = {"weekly": (1, 1), "biweekly": (2, 1), "semimonthly": (13, 6)}[kind]
    groups = staff["usual_shifts"].astype("string").str.split("; ").explode()
    parts = groups.str.extract(
        r"^(?P<first>[A-Z][a-z]{2})(?:-(?P<last>[A-Z][a-z]{2}))?(?P<more>(?:,[A-Z][a-z]{2})*) "
        r"(?P<h0>\d{2}):(?P<m0>\d{2})-(?P<h1>\d{2}):(?P<m1>\d{2})$")
    if parts["first"].isna().any():
        bad = staff.index.isin(parts.index[parts["first"].isna()])
        raise rows_error(staff, bad, "staff", "usual_shifts", "shifts that cannot be read",
                         "shifts such as 'Mon-Fri 08:00-16:30' or 'Mon,Wed 07:30-16:00'")
    ranged = parts["last"].notna()
    days = np.where(ranged, parts["last"].map(_WEEKDAYS).fillna(0).astype("int64")
                    - parts["first"].map(_WEEKDAYS).astype("int64") + 1,
                    parts["more"].str.count(",").astype("int64") + 1)
    length = (parts["h1"].astype("int64") * 60 + parts["m1"].astype("int64")
              - parts["h0"].astype("int64") * 60 - parts["m0"].astype("int64"))
    length = length - np.where(length > 360, _LUNCH_MINUTES, 0)
    minutes = (days * length).groupby(level=0).sum().reindex(staff.index, fill_value=0)
    num = staff["hourly_rate_cents"].astype("int64") * minutes * weeks_num
    den = 60 * weeks_den
    return int(((2 * num + den) // (2 * den)).sum())


def _payroll(staff: pd.DataFrame | None, payroll_runs: pd.DataFrame | None, close: pd.Timestamp,
             end: pd.Timestamp, pay_schedule: str, payroll_load_pct: float
             ) -> tuple[pd.DataFrame, str]:
    """Payroll lines of the forecast and a sentence saying how they were made."""
    days = pay_dates(pay_schedule, close, end)
    runs = None if payroll_runs is None else payroll_runs[payroll_runs["pay_date"] <= close]
    if runs is not None and len(runs):
        last = runs.sort_values("pay_date").iloc[-1]
        amount = int(last["gross_cents"] + last["employer_taxes_cents"] + last["benefits_cents"])
        basis = (f"payroll as the last run in payroll_runs ({last['pay_date']:%Y-%m-%d}: "
                 f"{format_cents(amount)} with employer taxes and benefits), on the pay days "
                 f"of '{pay_schedule}'")
        if last["pay_date"] not in pay_dates(pay_schedule, last["pay_date"] - _DAY,
                                             last["pay_date"]):
            basis += (" (the last run was not paid on one of them: check the pay_schedule "
                      "parameter)")
    else:
        if staff is None:
            raise DataError("the forecast needs payroll_runs or the staff roster to know "
                            "what a payroll costs", file="staff")
        gross = roster_payroll_cents(staff, pay_schedule)
        load_bp = round(payroll_load_pct * 100)
        amount = gross + (gross * load_bp + 5000) // 10000
        why = "no payroll_runs" if payroll_runs is None else "no run in payroll_runs by the close"
        basis = (f"payroll from the staff roster ({why}): {format_cents(gross)} gross a pay "
                 f"period plus {payroll_load_pct:g} % employer taxes and benefits = "
                 f"{format_cents(amount)}, on the pay days of '{pay_schedule}'")
    lines = pd.DataFrame({"date": days, "kind": "payroll",
                          "reference": "payroll " + pd.Series(days).dt.strftime("%Y-%m-%d"),
                          "description": "payroll of " + _day_text(pd.Series(days)),
                          "amount_cents": np.full(len(days), amount, dtype=np.int64)})
    return lines, basis


# --------------------------------------------------------------------------------------------
# 7. Cash forecast: recurring debits


def recurring_debits(bank_statement: pd.DataFrame, close: pd.Timestamp, months: int,
                     exclude_references: pd.Series) -> pd.DataFrame:
    """Debits the account pays once a month, found from the statement.

    The rule: a debit description (as the bank prints it, exactly) that appears exactly once
    in each of the ``months`` whole calendar months before the close date's month, and is not
    an accounts-payable payment (its reference is not a voucher's payment reference, which
    the forecast counts as invoices). Payroll, paid two or more times a month, never
    qualifies. Its day: the month's first business day if every one of those months had it
    there, the last business day likewise, else the median day of the month (moved to the
    next business day). Its amount: the latest one on or before the close date.

    Returns
    -------
    DataFrame
        ``description``, ``day_rule`` (``first business day``, ``last business day`` or
        ``day N``), ``day`` (N, 0 for the first two), ``amount_cents`` (positive),
        ``last_date``.
    """
    debits = bank_statement[(bank_statement["amount_cents"] < 0)
                            & (bank_statement["date"] <= close)
                            & ~bank_statement["reference"].isin(exclude_references.dropna())]
    month = debits["date"].dt.to_period("M")
    this = close.to_period("M")
    window = (month < this) & (month >= this - months)
    counts = debits[window].groupby(["description", month[window]]).size()
    per = counts.groupby(level=0).agg(["size", "max"])
    keep = per.index[(per["size"] == months) & (per["max"] == 1)] if months else per.index[:0]
    seen = debits[window & debits["description"].isin(keep)]
    first = pd.DatetimeIndex(businessdays.add(seen["date"].dt.to_period("M").dt.start_time, 0))
    last = pd.DatetimeIndex(businessdays.previous_or_same(
        seen["date"].dt.to_period("M").dt.end_time.dt.normalize()))
    flags = pd.DataFrame({"description": seen["description"].to_numpy(),
                          "first": first == seen["date"].to_numpy(),
                          "last": last == seen["date"].to_numpy(),
                          "dom": seen["date"].dt.day.to_numpy()}).groupby("description")
    rule = pd.DataFrame({"first": flags["first"].all(), "last": flags["last"].all(),
                         "day": flags["dom"].median().round().astype("int64")})
    latest = debits[debits["description"].isin(keep)].groupby("description").tail(1).set_index(
        "description")
    out = pd.DataFrame({
        "description": rule.index,
        "day_rule": np.where(rule["first"], "first business day",
                             np.where(rule["last"], "last business day",
                                      "day " + rule["day"].astype(str))),
        "day": np.where(rule["first"] | rule["last"], 0, rule["day"]),
        "amount_cents": -latest.loc[rule.index, "amount_cents"].to_numpy("int64"),
        "last_date": latest.loc[rule.index, "date"].to_numpy(),
    })
    return out.sort_values("description").reset_index(drop=True)


def _recurring_lines(recurring: pd.DataFrame, close: pd.Timestamp,
                     end: pd.Timestamp) -> pd.DataFrame:
    months = pd.period_range(close.to_period("M"), end.to_period("M"), freq="M")
    grid = recurring.merge(pd.DataFrame({"month": months}), how="cross")
    start = grid["month"].dt.start_time
    month_end = grid["month"].dt.end_time.dt.normalize()
    nominal = start + pd.to_timedelta(
        np.minimum(grid["day"].clip(lower=1), grid["month"].dt.days_in_month) - 1, unit="D")
    when = np.where(grid["day_rule"] == "first business day", businessdays.add(start, 0),
                    np.where(grid["day_rule"] == "last business day",
                             businessdays.previous_or_same(month_end),
                             businessdays.add(nominal, 0)))
    grid["date"] = pd.DatetimeIndex(when).as_unit("ns")
    # Already paid this month (on or before the close date): not again.
    done = grid["last_date"].dt.to_period("M") == grid["month"]
    grid = grid[~done & (grid["date"] > close) & (grid["date"] <= end)]
    return pd.DataFrame({"date": grid["date"], "kind": "recurring",
                         "reference": grid["description"],
                         "description": grid["description"] + " (monthly, "
                         + grid["day_rule"] + ")",
                         "amount_cents": grid["amount_cents"].astype("int64")})


# --------------------------------------------------------------------------------------------
# 7. Cash forecast: receipts


def _weighted_quantile_days(counts: np.ndarray, q: float) -> int:
    cum = np.cumsum(counts)
    return int(np.searchsorted(cum, q * cum[-1], side="left")) if cum[-1] > 0 else -1


_JOURNAL_COLUMNS = ("posted_date", "service_date", "claim_id", "kind", "amount_cents",
                    "responsible")
"""The journal's columns the forecast reads."""


def _payer_receipts(journal: pd.DataFrame, claims: pd.DataFrame, close: pd.Timestamp,
                    horizon: int, history_start: pd.Timestamp, history_days: int,
                    band: tuple[float, float]) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    """Expected payer receipts per day 1..horizon after the close (open A/R, new visits; the
    band's late and early cases) and the per-payer table of what they rest on."""
    at = np.flatnonzero((journal["responsible"] == "payer").to_numpy(bool))
    # Claims as integer codes: every step below is by code (bincount, groupby on int). A
    # claim of the claims is its first row there; one they do not list, a number after them.
    claim = positions(journal["claim_id"], claims["claim_id"])[at]  # no copy of the text
    unknown = claim < 0
    if unknown.any():
        claim[unknown] = len(claims) + pd.factorize(
            journal["claim_id"].take(at[unknown]), use_na_sentinel=False)[0]
    # each claim's payer (a claim the claims do not list: "(unknown claim)"), coded in the
    # order of the payers' names, only those of the journal's claims
    payer_of = pd.concat([claims["payer_id"].astype("string"),
                          pd.Series(["(unknown claim)"], dtype="string")], ignore_index=True)
    payer_of = payer_of.fillna("(unknown claim)")
    of = np.minimum(claim, len(claims))
    present = np.zeros(len(claims) + 1, dtype=bool)
    present[of] = True
    used = np.flatnonzero(present)
    names, inverse = np.unique(payer_of.take(used).to_numpy(str), return_inverse=True)
    names = pd.array(names, dtype="string")
    code_of = np.zeros(len(claims) + 1, dtype=np.int64)
    code_of[used] = inverse
    code = code_of[of]
    n = len(names)
    # the payer rows' columns as arrays, each step by mask and by claim code (bincount, add.at:
    # no frame of two million rows copied per step, no group-by)
    kind = journal["kind"].take(at)
    is_payment = (kind == "payment").to_numpy(bool)
    is_charge = (kind == "charge").to_numpy(bool)
    del kind
    posted = journal["posted_date"].to_numpy("datetime64[ns]")[at]
    service = journal["service_date"].to_numpy("datetime64[ns]")[at]
    cents = journal["amount_cents"].to_numpy("int64")[at]
    # Days to pay: each dollar a payer paid, by days from the date of service.
    money = is_payment & (cents < 0) & ~np.isnat(service)
    lag = np.maximum((posted[money] - service[money]) // np.timedelta64(1, "D"), 0)
    span = int(lag.max()) + 1 if len(lag) else 1
    f = np.bincount(code[money] * span + lag, weights=-cents[money].astype("float64"),
                    minlength=n * span).reshape(n, span)
    total = f.sum(axis=1)
    surv = total[:, None] - np.cumsum(f, axis=1)  # mass paid after day a
    # Yield: what a payer paid of what was billed to it, on the claims it has answered.
    claims_seen = int(claim.max(initial=-1)) + 1
    answered = np.zeros(claims_seen, dtype=bool)
    answered[claim[is_payment]] = True
    billed = is_charge & answered[claim]
    charged = np.bincount(code[billed], weights=cents[billed], minlength=n)
    paid = -np.bincount(code[is_payment], weights=cents[is_payment], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        yield_ = np.where(charged > 0, paid / np.where(charged > 0, charged, 1), 0.0)
    # Open A/R by claim (its payer rows' sum; its earliest date of service), by age in days.
    seen = np.zeros(claims_seen, dtype=bool)
    seen[claim] = True
    balance = np.zeros(claims_seen, dtype=np.int64)
    np.add.at(balance, claim, cents)
    never = np.iinfo(np.int64).max
    earliest = np.full(claims_seen, never, dtype=np.int64)
    np.minimum.at(earliest, claim, np.where(np.isnat(service), never, service.view(np.int64)))
    claim_code = np.zeros(claims_seen, dtype=np.int64)
    claim_code[claim] = code
    is_open = seen & (balance > 0)
    open_cents, open_code = balance[is_open], claim_code[is_open]
    first_seen = earliest[is_open]
    age = np.where(first_seen == never, span, (close.value - first_seen) // (86_400 * 10**9))
    age = np.maximum(age, 0)
    ok = age < span
    known = np.isin(open_code, np.flatnonzero(total > 0))
    forecastable = ok & known
    ages = np.zeros((n, span))
    np.add.at(ages, (open_code[forecastable], age[forecastable]),
              open_cents[forecastable].astype("float64"))
    credit = seen & (balance < 0)
    # New visits: the history window's payer charges per day, each later day alike.
    recent = (is_charge & (posted > history_start.to_datetime64())
              & (posted <= close.to_datetime64()))
    daily = np.bincount(code[recent], weights=cents[recent], minlength=n) / max(
        history_days, 1)

    out = {key: np.zeros(horizon + 1) for key in
           ("open", "new", "open_late", "new_late", "open_early", "new_early")}
    days = np.arange(1, horizon + 1)
    for p in np.flatnonzero(total > 0):
        cum = np.cumsum(f[p])
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(surv[p] > 0, ages[p] / np.where(surv[p] > 0, surv[p], 1), 0.0)
        # Open claim of age a paid on day t with chance f[a + t] / S[a].
        t_idx = days[:, None] + np.arange(span)[None, :]
        fa = np.where(t_idx < span, f[p][np.minimum(t_idx, span - 1)], 0.0)
        out["open"][1:] += yield_[p] * fa @ g
        # A new visit on day u paid on day u + L with chance f[L] / total.
        new = np.convolve(np.full(horizon, daily[p]), f[p] / total[p])[:horizon]
        out["new"][1:] += yield_[p] * new
        for q, tag in ((band[1], "late"), (band[0], "early")):
            # The q-quantile of the days to pay of a claim of age a: C[a] + q S[a].
            lag_q = np.searchsorted(cum, cum + q * surv[p], side="left")
            when = lag_q - np.arange(span)  # day after the close it is paid
            use = (ages[p] > 0) & (surv[p] > 0) & (when >= 1) & (when <= horizon)
            np.add.at(out[f"open_{tag}"], when[use], yield_[p] * ages[p][use])
            lag_new = _weighted_quantile_days(f[p], q)
            pay_day = days + lag_new
            ok_new = pay_day <= horizon
            np.add.at(out[f"new_{tag}"], pay_day[ok_new], yield_[p] * daily[p])
    table = pd.DataFrame({
        "payer_id": names,
        "payments": np.bincount(code[money], minlength=n),
        "days_to_pay_low": [_weighted_quantile_days(f[p], band[0]) for p in range(n)],
        "days_to_pay_median": [_weighted_quantile_days(f[p], 0.5) for p in range(n)],
        "days_to_pay_high": [_weighted_quantile_days(f[p], band[1]) for p in range(n)],
        "yield_pct": yield_ * 100,
        "open_cents": np.bincount(open_code, weights=open_cents, minlength=n).astype(
            "int64"),
        "not_forecast_cents": np.bincount(open_code[~forecastable],
                                          weights=open_cents[~forecastable],
                                          minlength=n).astype("int64"),
        "credit_cents": -np.bincount(claim_code[credit], weights=balance[credit],
                                     minlength=n).astype("int64"),
        "charges_per_day_cents": _round_cents(daily),
    })
    for column in ("days_to_pay_low", "days_to_pay_median", "days_to_pay_high"):
        table[column] = table[column].astype("Int64").mask(table["payments"] == 0)
    return {k: v[1:] for k, v in out.items()}, table


def _patient_receipts(journal: pd.DataFrame, close: pd.Timestamp, weeks: int,
                      band: tuple[float, float]) -> tuple[float, float, float, int]:
    """Patients' payments less refunds in each of the last ``weeks`` weeks ending on the close
    date (fewer when the journal starts later): their mean and the band's quantiles, and how
    many weeks there were."""
    patient = journal[(journal["responsible"] == "patient")
                      & journal["kind"].isin(["payment", "refund"])
                      & (journal["posted_date"] <= close)]
    if patient.empty:
        return 0.0, 0.0, 0.0, 0
    have = min(weeks, ((close - patient["posted_date"].min()).days + 1) // 7)
    if have == 0:
        return 0.0, 0.0, 0.0, 0
    back = (close - patient["posted_date"]).dt.days // 7
    inside = back < have
    weekly = -np.bincount(back[inside], weights=patient.loc[inside, "amount_cents"],
                          minlength=have)
    low, high = np.quantile(weekly, band)
    return float(weekly.mean()), float(low), float(high), have


@dataclass(frozen=True)
class CashForecast:
    """The operating account week by week after the close date.

    Attributes
    ----------
    close_date
        The day the forecast starts from (week 1 is the 7 days after it).
    opening_balance_cents
        The bank statement's balance after its last line on or before the close date.
    weeks
        One row per week: ``week``, ``start``, ``end``, ``opening_cents``, the inflows
        ``payer_open_ar_cents`` (open payer A/R expected in), ``payer_new_visits_cents`` (the
        payers' share of visits after the close date), ``patient_cents``, the outflows (as
        positive amounts) ``ap_cents`` (open invoices), ``uncleared_cents`` (payments made by
        the close date the bank has not paid yet), ``payroll_cents``, ``recurring_cents``, then
        ``closing_cents`` = opening + inflows − outflows, to the cent, and the band
        ``low_cents`` and ``high_cents`` (closing balances with receipts at the band's slow
        and fast ends), ``below_minimum``.
    outflows
        Every payment in the forecast: ``date``, ``week``, ``kind`` (``invoice``,
        ``uncleared``, ``payroll``, ``recurring``), ``reference`` (voucher id, payment
        reference, pay day or the bank's description), ``description``, ``amount_cents``.
        Summed by week and kind they are the outflow columns of :attr:`weeks`.
    payers
        What the payer receipts rest on, per payer: ``payments`` (payment lines with money),
        ``days_to_pay_low``/``_median``/``_high`` (the band's and the middle quantiles of the
        days from the date of service to payment, of each dollar paid), ``yield_pct`` (paid of
        what was billed on the claims it answered), ``open_cents`` (open A/R),
        ``not_forecast_cents`` (open A/R older than anything the payer has paid, or of a payer
        with no payment history: not expected), ``credit_cents`` (claims with a credit
        balance), ``charges_per_day_cents`` (of the history window, carried forward).
    recurring
        The monthly debits found on the statement (:func:`recurring_debits`).
    minimum_balance_cents
        The balance the account should not fall below.
    lowest_balance_cents, lowest_week
        The lowest closing balance of the forecast and its week.
    first_week_below_minimum
        The first week whose closing balance is below the minimum, or None.
    first_week_low_below_minimum
        The same for the band's low case, or None (an earlier warning when receipts are slow).
    notes
        How each part was estimated (payroll's source, the weeks of history, the band), in
        sentences for the report.
    findings
        ``forecast_below_minimum`` for the first week below the minimum (reference ``week N``,
        date the week's first day, amount the shortfall, detail naming the week's largest
        payment), none when every week stays above.
    """

    close_date: pd.Timestamp
    opening_balance_cents: int
    weeks: pd.DataFrame
    outflows: pd.DataFrame
    payers: pd.DataFrame
    recurring: pd.DataFrame
    minimum_balance_cents: int
    lowest_balance_cents: int
    lowest_week: int
    first_week_below_minimum: int | None
    first_week_low_below_minimum: int | None
    notes: tuple[str, ...]
    findings: pd.DataFrame


def _invoice_lines(ap_invoices: pd.DataFrame, bank: pd.DataFrame, close: pd.Timestamp,
                   end: pd.Timestamp) -> pd.DataFrame:
    """Open invoices on their pay day (past due: the day after the close) and payments made by
    the close date that no debit of the statement has cleared (the day after the close)."""
    live = ap_invoices[ap_invoices["invoice_date"] <= close]
    paid = live["paid_date"].notna() & (live["paid_date"] <= close)
    open_ = live[~paid]
    terms = parse_terms(open_)
    window = open_["invoice_date"] + pd.to_timedelta(terms["discount_days"], unit="D")
    discounted = (terms["discount_bp"] > 0) & (window > close)
    discount = (open_["amount_cents"] * terms["discount_bp"] + 5000) // 10000
    when = open_["due_date"].where(~discounted, window).clip(lower=close + _DAY)
    invoices = pd.DataFrame({
        "date": when, "kind": "invoice", "reference": open_["voucher_id"],
        "description": open_["vendor"] + " invoice " + open_["invoice_number"] + " (voucher "
        + open_["voucher_id"] + np.where(
            discounted, ") with its discount by ", np.where(
                open_["due_date"] <= close, ") past due since ", ") due "))
        + _day_text(open_["due_date"].where(~discounted, window)),
        "amount_cents": (open_["amount_cents"] - discount.where(discounted, 0)).astype("int64"),
    })
    cleared = bank.loc[(bank["amount_cents"] < 0) & (bank["date"] <= close), "reference"]
    pending = live[paid & ~live["payment_reference"].isin(cleared.dropna())]
    uncleared = pd.DataFrame({
        "date": close + _DAY, "kind": "uncleared",
        "reference": pending["payment_reference"].fillna(pending["voucher_id"]),
        "description": "payment " + pending["payment_reference"].fillna("(no reference)")
        + " of " + _day_text(pending["paid_date"]) + " to " + pending["vendor"]
        + " (voucher " + pending["voucher_id"] + "), not yet cleared",
        "amount_cents": pending["paid_cents"].astype("int64"),
    })
    lines = pd.concat([invoices, uncleared], ignore_index=True)
    return lines[lines["date"] <= end]


def cash_forecast(bank_statement: pd.DataFrame, ap_invoices: pd.DataFrame,
                  pm_transactions: pd.DataFrame, claims: pd.DataFrame, close_date: object, *,
                  staff: pd.DataFrame | None = None, payroll_runs: pd.DataFrame | None = None,
                  forecast_weeks: int = 13, minimum_balance_cents: int = 15_000_000,
                  pay_schedule: str = "biweekly 2025-01-10", receipts_factor: float = 1.0,
                  payroll_load_pct: float = 22.0, history_weeks: int = 8,
                  band: tuple[float, float] = (0.25, 0.75),
                  recurring_months: int = 3) -> CashForecast:
    """The ``forecast_weeks``-week cash forecast from the close date's bank balance.

    Parameters
    ----------
    bank_statement, ap_invoices, pm_transactions
        The frames as loaded (the statement in the bank's order).
    claims
        ``claim_id`` and ``payer_id``: whose A/R each claim of the journal is.
    close_date
        The forecast starts the day after it.
    staff, payroll_runs
        Payroll costs the last run of ``payroll_runs`` (gross + employer taxes + benefits)
        when given, else the roster (:func:`roster_payroll_cents`) plus ``payroll_load_pct``;
        it is paid on the days of ``pay_schedule`` (:func:`pay_dates`) either way: the runs
        say what a payroll costs, the schedule when the next ones fall.
    forecast_weeks, minimum_balance_cents
        Length of the forecast; the balance it should not fall below.
    receipts_factor
        Every expected receipt (payers and patients, the band too) times this: the slider for
        "what if collections slow down".
    history_weeks
        Weeks before the close date whose patient receipts (mean, quantiles) and payer charges
        (per day) are carried forward.
    band
        Quantiles of the band: low is payers paying at the ``band[1]`` quantile of their days
        to pay (given each claim's age) and patients at the ``band[0]`` quantile of the recent
        weeks; high the other way round. Outflows are the same in all three.
    recurring_months
        Whole months a monthly debit must have been seen in (:func:`recurring_debits`).

    Returns
    -------
    CashForecast

    Notes
    -----
    Payer receipts: each payer's open A/R (the journal's payer-responsible amounts by claim,
    positive balances) × its yield (what it paid of what was billed on the claims it answered)
    spread over the days ahead by its measured days-to-pay distribution (days from the date of
    service to the posting of each dollar it paid), given that the claim is unpaid at its
    age; plus the same for new visits, at the history window's payer charges a day. Patient
    receipts: the recent weeks' mean, gross of card fees. Outflows: open invoices on their due
    dates (past due ones in week 1; an invoice still inside its discount window on its last
    discount day, less the discount: the practice takes its discounts), payments not cleared
    by the bank in week 1, payroll, monthly debits. Expected amounts are rounded to the cent
    once per week and column; closing balances are integer sums of those.
    """
    for name, frame, cols in (
            ("bank_statement", bank_statement, ("date", "amount_cents", "balance_cents",
                                                "description", "reference")),
            ("ap_invoices", ap_invoices, _AP_COLUMNS),
            ("pm_transactions", pm_transactions, _JOURNAL_COLUMNS),
            ("claims", claims, ("claim_id", "payer_id"))):
        require_columns(frame, name, cols)
    if forecast_weeks < 1:
        raise ParameterError(f"forecast_weeks must be 1 or more, got {forecast_weeks!r}")
    if receipts_factor < 0 or history_weeks < 1 or not 0 < band[0] <= band[1] < 1:
        raise ParameterError(f"receipts_factor must be 0 or more, history_weeks 1 or more and "
                             f"the band two quantiles 0 < low ≤ high < 1, got "
                             f"{receipts_factor!r}, {history_weeks!r}, {band!r}")
    close = _date(close_date, "close_date")
    horizon = 7 * forecast_weeks
    end = close + pd.Timedelta(days=horizon)
    bank = bank_statement[bank_statement["date"] <= close]
    if bank.empty:
        raise DataError(f"the bank statement has no line on or before the close date "
                        f"{close:%Y-%m-%d}: the forecast has no balance to start from",
                        file=bank_statement.attrs.get("source", "bank_statement"))
    opening = int(bank["balance_cents"].iloc[-1])
    # the columns read below, rows to the close (no copy of a 3 M-row journal's other text)
    journal = pm_transactions[list(_JOURNAL_COLUMNS)]
    after = (journal["posted_date"] > close).to_numpy()
    journal = journal[~after] if after.any() else journal

    # Outflows
    payroll, payroll_basis = _payroll(staff, payroll_runs, close, end, pay_schedule,
                                      payroll_load_pct)
    ap_refs = ap_invoices["payment_reference"]
    recurring = recurring_debits(bank, close, recurring_months, ap_refs)
    outflows = pd.concat([_invoice_lines(ap_invoices, bank, close, end), payroll,
                          _recurring_lines(recurring, close, end)], ignore_index=True)
    outflows["week"] = ((outflows["date"] - close).dt.days + 6) // 7
    outflows = outflows[["date", "week", "kind", "reference", "description", "amount_cents"]
                        ].sort_values(["date", "kind", "reference"]).reset_index(drop=True)

    # Receipts
    mean, low, high, have = _patient_receipts(journal, close, history_weeks, band)
    payer, payers = _payer_receipts(journal, claims, close, horizon,
                                    close - pd.Timedelta(days=7 * max(have, 1)),
                                    7 * max(have, 1), band)
    week_of_day = np.arange(horizon) // 7

    def weekly(daily: np.ndarray) -> np.ndarray:
        return np.bincount(week_of_day, weights=daily, minlength=forecast_weeks)

    k = receipts_factor
    inflow = {
        "payer_open_ar_cents": _round_cents(k * weekly(payer["open"])),
        "payer_new_visits_cents": _round_cents(k * weekly(payer["new"])),
        "patient_cents": _round_cents(np.full(forecast_weeks, k * mean)),
    }
    low_in = (_round_cents(k * weekly(payer["open_late"])) + _round_cents(
        k * weekly(payer["new_late"])) + _round_cents(np.full(forecast_weeks, k * low)))
    high_in = (_round_cents(k * weekly(payer["open_early"])) + _round_cents(
        k * weekly(payer["new_early"])) + _round_cents(np.full(forecast_weeks, k * high)))
    by_kind = outflows.pivot_table(index="week", columns="kind", values="amount_cents",
                                   aggfunc="sum", fill_value=0)
    weeks_index = pd.RangeIndex(1, forecast_weeks + 1)
    out = {f"{name}_cents": by_kind.get(kind, pd.Series(dtype="int64")).reindex(
        weeks_index, fill_value=0).to_numpy("int64")
        for name, kind in (("ap", "invoice"), ("uncleared", "uncleared"),
                           ("payroll", "payroll"), ("recurring", "recurring"))}
    paid_out = sum(out.values())
    net = sum(inflow.values()) - paid_out
    closing = opening + np.cumsum(net)
    starts = close + pd.to_timedelta(7 * np.arange(forecast_weeks) + 1, unit="D")
    weeks = pd.DataFrame({
        "week": weeks_index.to_numpy(), "start": starts, "end": starts + pd.Timedelta(days=6),
        "opening_cents": np.concatenate([[opening], closing[:-1]]).astype("int64"),
        **inflow, **out, "closing_cents": closing.astype("int64"),
        "low_cents": (opening + np.cumsum(low_in - paid_out)).astype("int64"),
        "high_cents": (opening + np.cumsum(high_in - paid_out)).astype("int64"),
    })
    weeks["below_minimum"] = weeks["closing_cents"] < minimum_balance_cents
    below = weeks.index[weeks["below_minimum"]]
    low_below = weeks.index[weeks["low_cents"] < minimum_balance_cents]
    lowest = int(weeks["closing_cents"].idxmin())
    notes = (
        f"Opening balance: the statement's balance on {close:%Y-%m-%d}, "
        f"{format_cents(opening)}.",
        f"Payer receipts: open A/R by payer × its yield, spread by its days-to-pay "
        f"distribution given each claim's age; new visits at the last {7 * max(have, 1)} "
        f"days' payer charges a day; × {receipts_factor:g}.",
        f"Patient receipts: the mean of the last {have} weeks ({format_cents(round(mean))} a "
        f"week), gross of card fees; × {receipts_factor:g}.",
        f"Band: payers paying at the {band[1]:.0%} / {band[0]:.0%} quantile of their days to "
        f"pay, patients at the {band[0]:.0%} / {band[1]:.0%} quantile of recent weeks.",
        f"Payroll: {payroll_basis}.",
        f"Recurring debits: {len(recurring)} found on the statement (once in each of the "
        f"last {recurring_months} whole months, not an invoice payment).",
    )
    return CashForecast(
        close_date=close, opening_balance_cents=opening, weeks=weeks, outflows=outflows,
        payers=payers, recurring=recurring, minimum_balance_cents=int(minimum_balance_cents),
        lowest_balance_cents=int(weeks.at[lowest, "closing_cents"]),
        lowest_week=int(weeks.at[lowest, "week"]),
        first_week_below_minimum=int(weeks.at[below[0], "week"]) if len(below) else None,
        first_week_low_below_minimum=(int(weeks.at[low_below[0], "week"])
                                      if len(low_below) else None),
        notes=notes, findings=_forecast_findings(weeks, outflows, below, minimum_balance_cents))


def _forecast_findings(weeks: pd.DataFrame, outflows: pd.DataFrame, below: pd.Index,
                       minimum_cents: int) -> pd.DataFrame:
    if not len(below):
        return findings_frame()
    week = weeks.loc[below[0]]
    paid = outflows[outflows["week"] == week["week"]]
    largest = paid.loc[paid["amount_cents"].idxmax()] if len(paid) else None
    what = ("" if largest is None else
            f"; the largest payment that week is {largest['description']}, "
            f"{format_cents(int(largest['amount_cents']))}")
    start, end = pd.Series([week["start"], week["end"]])
    short = int(minimum_cents - week["closing_cents"])
    return findings_frame([{
        "kind": "forecast_below_minimum", "date": week["start"], "location_id": None,
        "reference": f"week {int(week['week'])}", "amount_cents": short,
        "detail": f"Week {int(week['week'])} ({start.day} {start:%b} – {end.day} {end:%b %Y}) "
                  f"is the first to close below the minimum balance of "
                  f"{format_cents(int(minimum_cents))}: {format_cents(int(week['closing_cents']))}"
                  f", {format_cents(short)} short{what}.",
    }])
