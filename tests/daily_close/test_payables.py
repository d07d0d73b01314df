"""Accounts payable and the cash forecast (pracops.daily_close.payables): hand-built frames with
values computed by hand, then the bundled sample's planted problems found exactly."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pracops import config, data
from pracops.daily_close import payables as pay
from pracops.errors import DataError, ParameterError

T = pd.Timestamp


def ap_frame(rows: list[dict]) -> pd.DataFrame:
    """An ap_invoices frame as the loader types it, from short rows."""
    base = {"vendor": "ACME", "terms": "net 30", "gl_account": "6900", "paid_date": None,
            "paid_cents": None, "payment_reference": None}
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["voucher_id"] = [f"V{n:03d}" for n in range(1, len(frame) + 1)]
    if "invoice_number" not in frame:
        frame["invoice_number"] = [f"INV-{n}" for n in range(1, len(frame) + 1)]
    for col in ("invoice_date", "due_date", "paid_date"):
        frame[col] = pd.to_datetime(frame[col])
    frame["paid_cents"] = frame["paid_cents"].astype("Int64")
    frame["amount_cents"] = frame["amount_cents"].astype("int64")
    return frame


# --------------------------------------------------------------------------------------------
# Terms and discounts


def test_terms_parsed_with_the_dataset_pattern() -> None:
    frame = pd.DataFrame({"terms": ["2/10 net 30", "net 30", "Net45", "1.5/15 net 45"]})
    got = pay.parse_terms(frame)
    assert got.to_dict("list") == {"discount_bp": [200, 0, 0, 150],
                                   "discount_days": [10, 0, 0, 15],
                                   "net_days": [30, 30, 45, 45]}
    with pytest.raises(DataError, match="terms"):
        pay.parse_terms(pd.DataFrame({"terms": ["net 30", "COD"]}))


def test_annual_cost_of_2_10_net_30_is_37_percent() -> None:
    assert pay.annual_cost_pct(200, 10, 30) == pytest.approx(2 / 98 * 365 / 20 * 100)
    assert round(pay.annual_cost_pct(200, 10, 30), 1) == 37.2
    assert np.isnan(pay.annual_cost_pct(200, 30, 30))


def test_discount_paid_on_day_10_is_taken_day_11_is_missed() -> None:
    ap = ap_frame([
        # day 10, less 2 %: taken
        {"vendor": "A", "invoice_date": "2025-03-03", "due_date": "2025-04-02",
         "amount_cents": 100000, "terms": "2/10 net 30", "paid_date": "2025-03-13",
         "paid_cents": 98000},
        # day 11, in full: missed, $20.00
        {"vendor": "B", "invoice_date": "2025-03-03", "due_date": "2025-04-02",
         "amount_cents": 100000, "terms": "2/10 net 30", "paid_date": "2025-03-14",
         "paid_cents": 100000},
        # day 5 but in full: missed too (paid in time without deducting it); 2 % of 12345
        # is 246.9 cents, rounded half up to 247
        {"vendor": "C", "invoice_date": "2025-03-03", "due_date": "2025-04-02",
         "amount_cents": 12345, "terms": "2/10 net 30", "paid_date": "2025-03-08",
         "paid_cents": 12345},
        # day 20 but deducted anyway: nothing lost
        {"vendor": "D", "invoice_date": "2025-03-03", "due_date": "2025-04-02",
         "amount_cents": 50000, "terms": "2/10 net 30", "paid_date": "2025-03-23",
         "paid_cents": 49000},
        # net 30 paid $1.00 short: neither a discount nor the amount
        {"vendor": "E", "invoice_date": "2025-03-03", "due_date": "2025-04-02",
         "amount_cents": 50000, "paid_date": "2025-03-23", "paid_cents": 49900},
    ])
    got = pay.accounts_payable(ap, "2025-06-30")
    missed = got.missed_discounts.set_index("voucher_id")
    assert missed.index.tolist() == ["V002", "V003"]
    assert missed["discount_cents"].tolist() == [2000, 247]
    assert missed["days_to_pay"].tolist() == [11, 5]
    assert missed["in_window"].tolist() == [False, True]
    assert got.discounts_missed_cents == 2247
    assert got.discounts_taken_cents == 2000 + 1000
    # The late deduction (D) and the short payment (E) are counted, not lost.
    off = got.payments_off.set_index("voucher_id")["difference_cents"]
    assert off.to_dict() == {"V004": -1000, "V005": -100}
    f = got.findings.set_index("reference")
    assert f["kind"].tolist() == ["missed_discount", "missed_discount"]
    assert f.loc["V002", "amount_cents"] == 2000 and f.loc["V002", "date"] == T("2025-03-14")
    assert "day 11" in f.loc["V002", "detail"] and "37.2 % a year" in f.loc["V002", "detail"]


def test_discount_still_open_is_listed() -> None:
    ap = ap_frame([{"invoice_date": "2025-06-25", "due_date": "2025-07-25",
                    "amount_cents": 100000, "terms": "2/10 net 30"}])
    got = pay.accounts_payable(ap, "2025-06-30")
    row = got.discounts_available.iloc[0]
    assert (row["last_discount_date"], row["discount_cents"], row["pay_cents"]) == (
        T("2025-07-05"), 2000, 98000)
    assert got.findings.empty


# --------------------------------------------------------------------------------------------
# Invoices paid twice


def test_paid_twice_by_number_and_by_amount_within_days() -> None:
    ap = ap_frame([
        # the same number twice, both paid: the later payment is the repeat
        {"invoice_number": "N-1", "invoice_date": "2025-05-01", "due_date": "2025-05-31",
         "amount_cents": 70000, "paid_date": "2025-05-20", "paid_cents": 70000},
        {"invoice_number": "N-1", "invoice_date": "2025-05-01", "due_date": "2025-05-31",
         "amount_cents": 70000, "paid_date": "2025-05-12", "paid_cents": 70000},
        # same amount, 7 days apart under two numbers, both paid
        {"vendor": "BETA", "invoice_number": "B-1", "invoice_date": "2025-04-01",
         "due_date": "2025-05-01", "amount_cents": 50000, "paid_date": "2025-04-25",
         "paid_cents": 50000},
        {"vendor": "BETA", "invoice_number": "B-1A", "invoice_date": "2025-04-08",
         "due_date": "2025-05-08", "amount_cents": 50000, "paid_date": "2025-05-02",
         "paid_cents": 50000},
        # same amount 8 days later: another month's bill, not a repeat
        {"vendor": "BETA", "invoice_number": "B-2", "invoice_date": "2025-04-16",
         "due_date": "2025-05-16", "amount_cents": 50000, "paid_date": "2025-05-10",
         "paid_cents": 50000},
        # entered twice, the second still open: hold it
        {"vendor": "GAMMA", "invoice_number": "G-9", "invoice_date": "2025-06-02",
         "due_date": "2025-07-02", "amount_cents": 31000, "paid_date": "2025-06-20",
         "paid_cents": 31000},
        {"vendor": "GAMMA", "invoice_number": "G-9", "invoice_date": "2025-06-02",
         "due_date": "2025-07-02", "amount_cents": 31000},
        # same vendor and amount, far apart and a different amount close by: nothing
        {"vendor": "GAMMA", "invoice_number": "G-10", "invoice_date": "2025-06-03",
         "due_date": "2025-07-03", "amount_cents": 31001, "paid_date": "2025-06-20",
         "paid_cents": 31001},
    ])
    got = pay.accounts_payable(ap, "2025-06-30")
    twice = got.paid_twice.set_index("voucher_id")
    assert twice.index.tolist() == ["V001", "V004", "V007"]
    assert twice["first_voucher_id"].tolist() == ["V002", "V003", "V006"]
    assert twice["kind"].tolist() == ["invoice_paid_twice", "invoice_paid_twice",
                                      "invoice_entered_twice"]
    assert twice["rule"].tolist() == ["same number", "same amount within 7 days",
                                      "same number"]
    f = got.findings.set_index("reference")
    assert f.loc["V001", "amount_cents"] == 70000 and f.loc["V001", "date"] == T("2025-05-20")
    assert f.loc["V004", "amount_cents"] == 50000 and "(as B-1)" in f.loc["V004", "detail"]
    assert f.loc["V007", "kind"] == "invoice_entered_twice"
    assert f.loc["V007", "amount_cents"] == 31000
    # With a shorter window the 7-day pair is two invoices.
    short = pay.accounts_payable(ap, "2025-06-30", duplicate_invoice_days=6)
    assert short.paid_twice["voucher_id"].tolist() == ["V001", "V007"]


def test_one_keystroke_apart() -> None:
    a = pd.Series(["HEN-80615", "HEN-80615", "HEN-80615", "HEN-80615", "ATH-61597",
                   "STA-49596", "B-1", "X", "AB-12", "AB-12"])
    b = pd.Series(["hen80615", "HEN-80651", "HEN-8615", "HEN-806155", "ATH-61647",
                   "STA-49635", "B-1A", "Y", "BA-21", "AB-13"])
    assert pay.one_keystroke_apart(a, b).tolist() == [
        True, True, True, True, False, False, True, True, False, True]
    assert pay.one_keystroke_apart(a.iloc[:0], b.iloc[:0]).tolist() == []


def test_same_amount_close_by_under_unrelated_numbers_is_two_invoices() -> None:
    # A flat monthly subscription billed five days apart across a month end, and a month's
    # bill split in two equal parts a week apart: different invoices, nothing to recover.
    # A number keyed with two digits swapped is the same invoice paid twice.
    ap = ap_frame([
        {"vendor": "ATHENA", "invoice_number": "ATH-61597", "invoice_date": "2025-05-29",
         "due_date": "2025-06-13", "amount_cents": 651000, "paid_date": "2025-06-12",
         "paid_cents": 651000},
        {"vendor": "ATHENA", "invoice_number": "ATH-61647", "invoice_date": "2025-06-03",
         "due_date": "2025-06-18", "amount_cents": 651000, "paid_date": "2025-06-14",
         "paid_cents": 651000},
        {"vendor": "STAPLES", "invoice_number": "STA-49596", "invoice_date": "2025-02-05",
         "due_date": "2025-03-07", "amount_cents": 81289, "paid_date": "2025-03-03",
         "paid_cents": 81289},
        {"vendor": "STAPLES", "invoice_number": "STA-49635", "invoice_date": "2025-02-12",
         "due_date": "2025-03-14", "amount_cents": 81289, "paid_date": "2025-03-11",
         "paid_cents": 81289},
        {"vendor": "HENRY", "invoice_number": "HEN-80615", "invoice_date": "2025-04-01",
         "due_date": "2025-05-01", "amount_cents": 25000, "paid_date": "2025-04-20",
         "paid_cents": 25000},
        {"vendor": "HENRY", "invoice_number": "HEN-80651", "invoice_date": "2025-04-03",
         "due_date": "2025-05-03", "amount_cents": 25000, "paid_date": "2025-04-25",
         "paid_cents": 25000},
    ])
    got = pay.accounts_payable(ap, "2025-06-30")
    assert got.findings[["kind", "reference", "amount_cents"]].values.tolist() == [
        ["invoice_paid_twice", "V006", 25000]]
    assert "(as HEN-80615)" in got.findings["detail"].iloc[0]


# --------------------------------------------------------------------------------------------
# Aging and past due


def test_aging_buckets_at_their_edges_and_totals_tie() -> None:
    dues = ["2025-06-30", "2025-06-29", "2025-05-31", "2025-05-30", "2025-04-01",
            "2025-03-31"]  # 0, 1, 30, 31, 90, 91 days past due on 30 June
    rows = [{"invoice_date": "2025-01-02", "due_date": d, "amount_cents": 1000 * (n + 1)}
            for n, d in enumerate(dues)]
    rows += [
        {"invoice_date": "2025-06-01", "due_date": "2025-07-01", "amount_cents": 99900,
         "paid_date": "2025-06-15", "paid_cents": 99900},  # paid: not open
        {"invoice_date": "2025-06-01", "due_date": "2025-06-20", "amount_cents": 7000,
         "paid_date": "2025-07-05", "paid_cents": 7000},  # paid after the close: 10 days late
        {"invoice_date": "2025-07-01", "due_date": "2025-07-31", "amount_cents": 5},  # later
    ]
    got = pay.accounts_payable(ap_frame(rows), "2025-06-30")
    aging = got.aging.set_index("bucket")
    assert aging["invoices"].tolist() == [1, 3, 1, 1, 1]
    assert aging["open_cents"].tolist() == [1000, 2000 + 3000 + 7000, 4000, 5000, 6000]
    assert got.open_cents == aging["open_cents"].sum() == 28000
    assert got.invoices_after_close == 1
    assert got.aging_by_vendor.loc["ACME", "total"] == 28000
    late = got.findings[got.findings["kind"] == "invoice_past_due"].set_index("reference")
    assert late.index.tolist() == ["V006", "V005", "V004", "V003", "V008", "V002"]
    assert late.loc["V008", "amount_cents"] == 7000 and late.loc["V008", "date"] == T(
        "2025-06-20")
    assert "10 days past due" in late.loc["V008", "detail"]
    assert got.past_due_cents == 27000


def test_empty_payables() -> None:
    got = pay.accounts_payable(ap_frame([{"invoice_date": "2025-01-02",
                                          "due_date": "2025-02-01", "amount_cents": 1}]).iloc[:0],
                               "2025-06-30")
    assert got.open_cents == 0 and got.aging["open_cents"].sum() == 0 and got.findings.empty


# --------------------------------------------------------------------------------------------
# Payroll


def staff_frame() -> pd.DataFrame:
    return pd.DataFrame({"employee_id": ["E1", "E2"], "hourly_rate_cents": [2000, 1500],
                         "usual_shifts": ["Mon-Fri 08:00-17:00",
                                          "Mon,Wed 08:00-12:00; Fri 08:00-14:00"]})


def test_roster_payroll_per_pay_period() -> None:
    # E1: 5 × (9 h − lunch) = 40 h; E2: 2 × 4 h + 6 h (no lunch in six hours) = 14 h.
    assert pay.roster_payroll_cents(staff_frame(), "weekly 2025-01-03") == 80000 + 21000
    assert pay.roster_payroll_cents(staff_frame(), "biweekly 2025-01-10") == 202000
    # 52/24 weeks: 80000 × 13/6 = 173333.3 → 173333; 21000 × 13/6 = 45500.
    assert pay.roster_payroll_cents(staff_frame(), "semimonthly") == 173333 + 45500


def test_pay_dates_of_each_schedule() -> None:
    assert list(pay.pay_dates("biweekly 2025-01-10", "2025-06-30", "2025-07-31")) == [
        T("2025-07-11"), T("2025-07-25")]
    # Friday 4 July is a holiday: paid Thursday.
    assert list(pay.pay_dates("weekly 2025-06-27", "2025-06-30", "2025-07-11")) == [
        T("2025-07-03"), T("2025-07-11")]
    # 31 August is a Sunday: paid Friday the 29th.
    assert list(pay.pay_dates("semimonthly", "2025-06-30", "2025-08-31")) == [
        T("2025-07-15"), T("2025-07-31"), T("2025-08-15"), T("2025-08-29")]
    with pytest.raises(ParameterError, match="pay_schedule"):
        pay.pay_dates("biweekly", "2025-06-30", "2025-07-31")
    with pytest.raises(ParameterError, match="pay_schedule"):
        pay.pay_dates("monthly 2025-01-31", "2025-06-30", "2025-07-31")


# --------------------------------------------------------------------------------------------
# Recurring debits


def bank_frame(lines: list[tuple[str, int, str, str | None]], opening: int) -> pd.DataFrame:
    frame = pd.DataFrame(lines, columns=["date", "amount_cents", "description", "reference"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["type"] = np.where(frame["amount_cents"] > 0, "credit", "debit")
    frame["balance_cents"] = opening + frame["amount_cents"].cumsum()
    frame["line_id"] = [f"L{n}" for n in range(len(frame))]
    return frame


def test_recurring_debits_found_by_the_monthly_rule() -> None:
    lines = []
    for month, first, loan, pays in (("03", "03", "17", ("07", "21")),
                                     ("04", "01", "15", ("04", "18")),
                                     ("05", "01", "15", ("02", "16", "30"))):
        lines += [(f"2025-{month}-{first}", -100000, "RENT ACH", None),
                  (f"2025-{month}-{loan}", -20000, "LOAN 77", None),
                  (f"2025-{month}-10", -3000, "ACH VENDOR", f"ACH{month}")]
        lines += [(f"2025-{month}-{d}", -50000, "PAYROLL", None) for d in pays]
    lines += [("2025-04-09", -999, "ONE OFF", None), ("2025-06-02", -110000, "RENT ACH", None)]
    bank = bank_frame(sorted(lines), 10_000_000)
    found = pay.recurring_debits(bank, T("2025-06-30"), 3, pd.Series(["ACH03", "ACH04",
                                                                      "ACH05"]))
    assert found.to_dict("list") == {
        "description": ["LOAN 77", "RENT ACH"], "day_rule": ["day 15", "first business day"],
        "day": [15, 0], "amount_cents": [20000, 110000],
        "last_date": [T("2025-05-15"), T("2025-06-02")]}
    # Without excluding the vendor's payments they would count as a monthly debit too.
    assert "ACH VENDOR" in set(pay.recurring_debits(bank, T("2025-06-30"), 3,
                                                    pd.Series([], dtype=str))["description"])


# --------------------------------------------------------------------------------------------
# The forecast on a small hand-made practice


def journal_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["posted_date", "service_date", "claim_id", "kind",
                                        "amount_cents", "responsible"])
    for col in ("posted_date", "service_date"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


@pytest.fixture
def small() -> dict:
    """Close Monday 30 June 2025, four weeks (1–7, 8–14, 15–21, 22–28 July).

    Payer P paid its answered claims H1 ($100 billed, $60 paid) and Z1 ($50, $30 paid, the
    rest adjusted: closed) 14 days after the visit: yield 60 %, every dollar at 14 days.
    Open: H1's $40 (60 days old, older than anything P has paid: not forecast) and O1, $200
    seen on 25 June (5 days old): $120 expected on day 9 (week 2). New visits: the last two
    weeks' payer charges (O1's $200) spread over 14 days, each day's paid 14 days later at
    60 %: $60 a week from week 3. Patients: $1,200 and $800 in the last two weeks, $1,000 a
    week (band $900/$1,100). Outflows: a past-due $200 invoice and an uncleared $50 check in
    week 1, rent $1,000 on Tuesday 1 July (first business day),
    a $3,000 invoice due 10 July (week 2), payroll $1,952 biweekly from 27 June (11 and 25
    July). Balance at the close $5,000.
    """
    journal = journal_frame([
        ("2025-04-01", "2025-04-01", "Z1", "charge", 5000, "payer"),  # closed: cancels
        ("2025-04-15", "2025-04-01", "Z1", "payment", -3000, "payer"),
        ("2025-04-15", "2025-04-01", "Z1", "adjustment", -2000, "payer"),
        ("2025-05-01", "2025-05-01", "H1", "charge", 10000, "payer"),
        ("2025-05-15", "2025-05-01", "H1", "payment", -6000, "payer"),
        ("2025-06-25", "2025-06-25", "O1", "charge", 20000, "payer"),
        ("2025-06-17", "2025-06-16", "H1", "payment", -80000, "patient"),
        ("2025-06-24", "2025-06-23", "H1", "payment", -120000, "patient"),
    ])
    claims = pd.DataFrame({"claim_id": ["H1", "O1"], "payer_id": ["P", "P"]})
    ap = ap_frame([
        {"invoice_date": "2025-05-21", "due_date": "2025-06-20", "amount_cents": 20000},
        {"invoice_date": "2025-06-10", "due_date": "2025-07-10", "amount_cents": 300000},
        {"invoice_date": "2025-06-02", "due_date": "2025-07-02", "amount_cents": 5000,
         "paid_date": "2025-06-27", "paid_cents": 5000, "payment_reference": "1001"},
        {"invoice_date": "2025-05-02", "due_date": "2025-06-01", "amount_cents": 4000,
         "paid_date": "2025-05-30", "paid_cents": 4000, "payment_reference": "1000"},
    ])
    lines = [(f"2025-{m}-{d}", -100000, "RENT ACH", None)
             for m, d in (("03", "03"), ("04", "01"), ("05", "01"), ("06", "02"))]
    lines += [("2025-06-03", -4000, "CHECK 1000", "1000"), ("2025-06-05", 100, "DEPOSIT", "S")]
    bank = bank_frame(sorted(lines), 0)
    bank["balance_cents"] += 500000 - bank["balance_cents"].iloc[-1]
    staff = staff_frame().iloc[:1]  # 40 h at $20: $1,600 biweekly + 22 % = $1,952
    return {"bank_statement": bank, "ap_invoices": ap, "pm_transactions": journal,
            "claims": claims, "staff": staff}


def run(small: dict, **kw) -> pay.CashForecast:
    args = {"close_date": "2025-06-30", "forecast_weeks": 4, "minimum_balance_cents": 150000,
            "pay_schedule": "biweekly 2025-06-27", "history_weeks": 2, **kw}
    return pay.cash_forecast(small["bank_statement"], small["ap_invoices"],
                             small["pm_transactions"], small["claims"], staff=small["staff"],
                             **args)


def test_small_forecast_by_hand(small) -> None:
    got = run(small)
    w = got.weeks
    assert got.opening_balance_cents == 500000
    assert w["start"].tolist() == [T("2025-07-01"), T("2025-07-08"), T("2025-07-15"),
                                   T("2025-07-22")]
    assert w["payer_open_ar_cents"].tolist() == [0, 12000, 0, 0]
    assert w["payer_new_visits_cents"].tolist() == [0, 0, 6000, 6000]
    assert w["patient_cents"].tolist() == [100000] * 4
    assert w["ap_cents"].tolist() == [20000, 300000, 0, 0]
    assert w["uncleared_cents"].tolist() == [5000, 0, 0, 0]
    assert w["payroll_cents"].tolist() == [0, 195200, 0, 195200]
    assert w["recurring_cents"].tolist() == [100000, 0, 0, 0]
    assert w["closing_cents"].tolist() == [475000, 91800, 197800, 108600]
    assert w["opening_cents"].tolist() == [500000, 475000, 91800, 197800]
    assert w["low_cents"].tolist() == [465000, 71800, 167800, 68600]
    assert w["high_cents"].tolist() == [485000, 111800, 227800, 148600]
    assert got.first_week_below_minimum == 2 and got.first_week_low_below_minimum == 2
    assert (got.lowest_balance_cents, got.lowest_week) == (91800, 2)
    payer = got.payers.set_index("payer_id").loc["P"]
    assert (payer["open_cents"], payer["not_forecast_cents"]) == (24000, 4000)
    assert payer["yield_pct"] == pytest.approx(60.0) and payer["days_to_pay_median"] == 14
    f = got.findings.iloc[0]
    assert (f["kind"], f["reference"], f["date"], f["amount_cents"]) == (
        "forecast_below_minimum", "week 2", T("2025-07-08"), 150000 - 91800)
    assert "ACME invoice INV-2 (voucher V002) due 10 Jul 2025" in f["detail"]
    # The outflow lines add up to the columns.
    sums = got.outflows.pivot_table(index="week", columns="kind", values="amount_cents",
                                    aggfunc="sum", fill_value=0)
    assert sums["invoice"].reindex(w["week"], fill_value=0).tolist() == w["ap_cents"].tolist()
    assert sums["payroll"].reindex(w["week"], fill_value=0).tolist() == w[
        "payroll_cents"].tolist()
    assert got.outflows.loc[got.outflows["kind"] == "uncleared", "reference"].tolist() == [
        "1001"]


def test_small_forecast_with_payroll_runs_and_a_receipts_factor(small) -> None:
    runs = pd.DataFrame({"pay_date": pd.to_datetime(["2025-06-13", "2025-06-27"]),
                         "gross_cents": [90000, 100000], "employer_taxes_cents": [8000, 8000],
                         "benefits_cents": [12000, 12000]})
    got = run(small, payroll_runs=runs, receipts_factor=0.5)
    assert got.weeks["payroll_cents"].tolist() == [0, 120000, 0, 120000]
    assert got.weeks["patient_cents"].tolist() == [50000] * 4
    assert got.weeks["payer_open_ar_cents"].tolist() == [0, 6000, 0, 0]
    assert got.weeks["closing_cents"].iloc[0] == 500000 + 50000 - 125000
    assert "last run in payroll_runs" in got.notes[4]
    assert "check the pay_schedule" not in got.notes[4]
    off = run(small, payroll_runs=runs, pay_schedule="biweekly 2025-06-20")
    assert "check the pay_schedule" in off.notes[4]


def test_a_payer_payment_without_a_claim_is_nobody_elses(small) -> None:
    """A payer's payment the journal ties to no claim (the column allows it) is set apart
    with the claims the claims file does not list, under "(unknown claim)": it once took the
    code -1 of the claims' coding, that is the payer of the last claim, P here (its yield
    fell from 60 % to 22 % and the forecast of its open claims with it)."""
    extra = journal_frame([("2025-06-20", "2025-06-01", None, "payment", -500, "payer"),
                           ("2025-06-02", "2025-04-01", "Z1", "charge", 300, "payer")])
    small["pm_transactions"] = pd.concat([small["pm_transactions"], extra], ignore_index=True)
    got = run(small)
    payers = got.payers.set_index("payer_id")
    assert payers.loc["P", ["payments", "open_cents", "credit_cents"]].tolist() == [1, 24000, 0]
    assert payers.loc["P", "yield_pct"] == pytest.approx(60.0)
    # Z1 (not in the claims; $3 left open by a late charge) and the payment without a claim:
    # two claims of no known payer, each its own balance ($3 owed, $5 credit), not one of -$2
    assert payers.loc["(unknown claim)", ["payments", "open_cents", "credit_cents"]
                      ].tolist() == [2, 300, 500]
    assert got.weeks["payer_open_ar_cents"].tolist() == [0, 12000, 0, 0]


def test_forecast_above_the_minimum_flags_nothing(small) -> None:
    got = run(small, minimum_balance_cents=70000)
    assert got.first_week_below_minimum is None and got.findings.empty
    assert got.first_week_low_below_minimum == 4  # the low case dips below in week 4


def test_forecast_refuses_what_it_cannot_use(small) -> None:
    with pytest.raises(DataError, match="no line on or before"):
        run(small, close_date="2025-01-01")
    with pytest.raises(DataError, match="payroll_runs or the staff"):
        run({**small, "staff": None})
    with pytest.raises(ParameterError):
        run(small, receipts_factor=-1)


# --------------------------------------------------------------------------------------------
# The bundled sample


@pytest.fixture(scope="module")
def sample() -> dict:
    import pracops.daily_close  # noqa: F401  (registers the datasets)

    names = ("ap_invoices", "bank_statement", "pm_transactions", "claims", "staff",
             "payroll_runs")
    frames = {n: data.load(n) for n in names}
    truth = json.loads((config.SAMPLE_DIR / "ground_truth.json").read_text())["daily_close"]
    frames["truth"] = {p["kind"]: p for p in truth}
    return frames


def sample_forecast(sample: dict, **kw) -> pay.CashForecast:
    return pay.cash_forecast(sample["bank_statement"], sample["ap_invoices"],
                             sample["pm_transactions"], sample["claims"], "2025-12-31",
                             staff=sample["staff"], **kw)


def test_sample_payables_findings_are_the_plants(sample) -> None:
    truth = sample["truth"]
    got = pay.accounts_payable(sample["ap_invoices"], "2025-12-31")
    f = got.findings.set_index("kind")
    assert sorted(f.index) == ["invoice_paid_twice", "invoice_past_due", "missed_discount"]
    twice = truth["invoice_paid_twice"]
    assert f.loc["invoice_paid_twice", "reference"] == twice["voucher_ids"][1]
    assert f.loc["invoice_paid_twice", "amount_cents"] == twice["amount_cents"]
    assert f.loc["invoice_paid_twice", "date"] == T(twice["paid_dates"][1])
    assert twice["invoice_number"] in f.loc["invoice_paid_twice", "detail"]
    missed = truth["missed_discount"]
    assert f.loc["missed_discount", "reference"] == missed["voucher_id"] == "V00122"
    assert f.loc["missed_discount", "amount_cents"] == missed["discount_cents"] == 5096
    past = truth["invoice_past_due"]
    assert f.loc["invoice_past_due", "reference"] == past["voucher_id"] == "V00128"
    assert f.loc["invoice_past_due", "amount_cents"] == past["amount_cents"]
    assert f"{past['days_past_due']} days past due" in f.loc["invoice_past_due", "detail"]
    # Control totals: the aging ties to the open invoices, which are the unpaid vouchers.
    ap = sample["ap_invoices"]
    assert got.open_cents == got.aging["open_cents"].sum() == ap.loc[
        ap["paid_date"].isna(), "amount_cents"].sum()
    assert got.past_due_cents == past["amount_cents"]
    assert got.missed_discounts["annual_cost_pct"].round(1).tolist() == [37.2]


def test_sample_forecast_first_below_the_minimum_in_week_3(sample) -> None:
    plant = sample["truth"]["forecast_below_minimum"]
    got = sample_forecast(sample, payroll_runs=sample["payroll_runs"],
                          minimum_balance_cents=plant["minimum_balance_cents"])
    assert got.opening_balance_cents == plant["closing_balance_cents"]
    w = got.weeks
    assert len(w) == plant["forecast_weeks"] == 13
    assert (w["start"].iloc[2], w["end"].iloc[2]) == (T(plant["week_start"]),
                                                       T(plant["week_end"]))
    inflows = w[["payer_open_ar_cents", "payer_new_visits_cents", "patient_cents"]].sum(axis=1)
    outflows = w[["ap_cents", "uncleared_cents", "payroll_cents", "recurring_cents"]].sum(axis=1)
    assert (w["closing_cents"] == w["opening_cents"] + inflows - outflows).all()
    assert (w["opening_cents"].iloc[1:].to_numpy() == w["closing_cents"].iloc[:-1]).all()
    assert ((w["low_cents"] <= w["closing_cents"]) & (w["closing_cents"] <= w["high_cents"])).all()
    assert got.first_week_below_minimum == plant["week"] == 3
    assert got.findings["kind"].tolist() == ["forecast_below_minimum"]
    f = got.findings.iloc[0]
    assert f["reference"] == "week 3" and f["date"] == T(plant["week_start"])
    assert f["amount_cents"] == plant["minimum_balance_cents"] - w["closing_cents"].iloc[2] > 0
    assert plant["vendor"] in f["detail"] and plant["voucher_id"] in f["detail"]
    equipment = got.outflows.set_index("reference").loc[plant["voucher_id"]]
    assert (equipment["week"], equipment["amount_cents"]) == (3, plant["amount_cents"])
    # The known monthly debits and the payroll, from the statement and the runs.
    assert got.recurring["description"].tolist() == [
        "ACH DEBIT MAPLE GROVE PROPERTIES RENT", "LOAN PAYMENT 4471", "PROVIDER COMPENSATION",
        "SERVICE CHARGE"]
    dates = got.outflows[got.outflows["kind"] == "recurring"].groupby("reference")["date"]
    assert dates.apply(list).to_dict() == {  # New Year's Day and Presidents' Day moved
        "ACH DEBIT MAPLE GROVE PROPERTIES RENT": [T("2026-01-02"), T("2026-02-02"),
                                                  T("2026-03-02"), T("2026-04-01")],
        "LOAN PAYMENT 4471": [T("2026-01-15"), T("2026-02-17"), T("2026-03-16")],
        "PROVIDER COMPENSATION": [T("2026-01-30"), T("2026-02-27"), T("2026-03-31")],
        "SERVICE CHARGE": [T("2026-01-30"), T("2026-02-27"), T("2026-03-31")]}
    runs = sample["payroll_runs"].iloc[-1]
    per_run = runs["gross_cents"] + runs["employer_taxes_cents"] + runs["benefits_cents"]
    assert w["payroll_cents"].tolist() == [0, per_run, 0] + [per_run, 0] * 5
    # Without payroll_runs the roster and the pay schedule give the same payrolls.
    roster = sample_forecast(sample)
    assert roster.weeks["closing_cents"].equals(w["closing_cents"])
    # The margins are wide: weeks 1 and 2 stay above at half the receipts, week 3 is below at
    # 150 %, and without the equipment invoice week 3 would stay above.
    slow = sample_forecast(sample, receipts_factor=0.5)
    assert (slow.weeks["closing_cents"].iloc[:2] >= 15_000_000 + 2_500_000).all()
    assert slow.first_week_below_minimum == 3
    assert sample_forecast(sample, receipts_factor=1.5).first_week_below_minimum == 3
    without = sample["ap_invoices"][sample["ap_invoices"]["voucher_id"] != plant["voucher_id"]]
    other = pay.cash_forecast(sample["bank_statement"], without, sample["pm_transactions"],
                              sample["claims"], "2025-12-31", staff=sample["staff"])
    assert other.weeks["closing_cents"].iloc[2] > 15_000_000


def test_forecast_without_any_receipts_history(small) -> None:
    empty = small["pm_transactions"].iloc[:0]
    got = run({**small, "pm_transactions": empty})
    w = got.weeks
    assert (w[["payer_open_ar_cents", "payer_new_visits_cents", "patient_cents"]] == 0).all(
        axis=None)
    assert w["closing_cents"].tolist() == [375000, -120200, -120200, -315400]
    assert got.payers.empty and "the last 0 weeks" in got.notes[2]
