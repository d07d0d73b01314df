"""The day close and the bank reconciliation (:mod:`pracops.daily_close.cash`): small frames
built by hand with their figures computed by hand, then the bundled sample against its ground
truth.

December 2025 as the bank saw it: Thursday the 25th and Thursday 1 January are holidays, the
20th/21st and 27th/28th weekends.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import pracops.daily_close  # noqa: F401  (registers the datasets)
from pracops import config, data
from pracops.daily_close import cash

T = pd.Timestamp
TENDERS = ["cash", "check", "card"]


def desk_frame(*rows: tuple) -> pd.DataFrame:
    """Receipts: (receipt, date, location, tender, cents[, check number])."""
    frame = pd.DataFrame([(r[0], T(r[1]), r[2], f"{T(r[1]):%y%m%d}-E1", "E1", "PT00001", None,
                           r[3], r[5] if len(r) > 5 else None, r[4], "copay") for r in rows],
                         columns=["receipt", "date", "location_id", "batch", "user",
                                  "patient_account", "claim_id", "tender", "check_number",
                                  "amount_cents", "applied_to"])
    return frame.astype({"date": "datetime64[ns]", "tender": pd.CategoricalDtype(TENDERS),
                         "amount_cents": "int64", "receipt": "string", "location_id": "string",
                         "user": "string", "check_number": "string", "batch": "string"})


def journal_frame(desk: pd.DataFrame, *extra: tuple) -> pd.DataFrame:
    """The desk's receipts posted as they were taken, and extra payments:
    (transaction, date, location, cents as posted, reference, user)."""
    rows = [(f"T{i}", r.date, r.location_id, -r.amount_cents, r.receipt, r.user)
            for i, r in enumerate(desk.itertuples())]
    rows += [(e[0], T(e[1]), e[2], e[3], e[4], e[5]) for e in extra]
    frame = pd.DataFrame(rows, columns=["transaction_id", "posted_date", "location_id",
                                        "amount_cents", "reference", "user"])
    frame["kind"] = "payment"
    return frame.astype({"posted_date": "datetime64[ns]", "amount_cents": "int64",
                         "reference": "string", "user": "string", "location_id": "string",
                         "kind": "string"})


def deposit_frame(*rows: tuple) -> pd.DataFrame:
    """Deposits: (id, date, cents, type, slip or batch text)."""
    frame = pd.DataFrame(
        [(r[0], T(r[1]), r[2], f"DEPOSIT CASH {r[4]}" if r[3] == "cash"
          else f"BANKCARD SETTLEMENT BATCH {r[4]}" if r[3] == "card" else r[4], r[3])
         for r in rows], columns=["deposit_id", "posted_date", "amount_cents", "description",
                                  "type"])
    return frame.astype({"posted_date": "datetime64[ns]", "amount_cents": "int64",
                         "deposit_id": "string", "description": "string",
                         "type": pd.CategoricalDtype(["ACH", "check", "card", "cash"])})


def settlement_frame(*rows: tuple) -> pd.DataFrame:
    """Card settlements: (batch id, batch date, settlement date, gross, fees, net)."""
    frame = pd.DataFrame(rows, columns=["batch_id", "batch_date", "settlement_date",
                                        "gross_cents", "fees_cents", "net_cents"])
    return frame.astype({"batch_id": "string", "batch_date": "datetime64[ns]",
                         "settlement_date": "datetime64[ns]"})


def bank_frame(opening: int, *rows: tuple) -> pd.DataFrame:
    """Statement lines: (line id, date, cents, description, reference)."""
    frame = pd.DataFrame(rows, columns=["line_id", "date", "amount_cents", "description",
                                        "reference"])
    frame["type"] = frame["amount_cents"].gt(0).map({True: "credit", False: "debit"})
    frame["balance_cents"] = opening + frame["amount_cents"].cumsum()
    return frame.astype({"date": "datetime64[ns]", "amount_cents": "int64",
                         "balance_cents": "int64", "line_id": "string",
                         "description": "string", "reference": "string"})


def kinds(result) -> list[tuple]:
    return sorted(zip(result.findings["kind"], result.findings["date"].dt.strftime("%m-%d"),
                      result.findings["reference"], result.findings["amount_cents"],
                      strict=True))


def control(result, line: str) -> dict[str, int]:
    row = result.control.set_index("line").loc[line]
    return {k: int(v) for k, v in row.items()}


# ------------------------------------------------------------------------------------------
# The day close, by hand


def weekend_and_holiday(lag: int):
    desk = desk_frame(("R1", "2025-12-19", "MAIN", "cash", 10000),      # Friday
                      ("R2", "2025-12-24", "MAIN", "check", 5000, "101"),  # before Christmas
                      ("R3", "2025-12-26", "MAIN", "cash", 7000))       # Friday
    deposits = deposit_frame(("D1", "2025-12-22", 10000, "cash", "0000011"),  # Monday
                             ("D2", "2025-12-26", 5000, "cash", "0000012"),   # Friday
                             ("D3", "2025-12-30", 7000, "cash", "0000013"))   # Tuesday
    return cash.day_close(desk, journal_frame(desk), deposits=deposits, close_date="2025-12-31",
                          cash_deposit_lag_days=lag)


def test_a_weekend_and_a_holiday_count_as_no_days_of_the_lag() -> None:
    result = weekend_and_holiday(1)
    slips = result.slips.set_index(result.slips["date"].dt.strftime("%m-%d"))
    assert slips.loc["12-19", "credit_id"] == "D1" and slips.loc["12-24", "credit_id"] == "D2"
    # Friday's cash is due Monday the 29th: Tuesday's slip is a day late, so the day is not
    # deposited and the slip has nothing behind it within the lag.
    assert kinds(result) == [("deposit_without_collections", "12-30", "D3", 7000),
                             ("undeposited_cash", "12-26", "2025-12-26", 7000)]
    assert result.days["carried_forward_cents"].tolist() == [10000, 5000, 7000]
    assert result.carried_forward_cents == 7000
    assert control(result, "cash and checks") == {
        "in_cents": 22000, "credited_cents": 15000, "fees_cents": 0, "differences_cents": 0,
        "carried_forward_cents": 0, "not_deposited_cents": 7000, "unexplained_cents": 0}
    assert control(result, "patient credits in the bank")["differences_cents"] == 7000
    assert result.days["balanced"].tolist() == [True, True, False]
    # Two business days allowed: Friday's cash reached the bank in time.
    relaxed = weekend_and_holiday(2)
    assert relaxed.findings.empty and relaxed.balanced
    assert relaxed.days["deposit_date"].dt.strftime("%m-%d").tolist() == ["12-22", "12-26",
                                                                           "12-30"]


def two_clinics(tolerance: int):
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "cash", 6000),
                      ("R2", "2025-12-01", "NORTH", "check", 4000, "7"))
    deposits = deposit_frame(("D1", "2025-12-02", 9998, "cash", "0000021"))
    return cash.day_close(desk, journal_frame(desk), deposits=deposits, close_date="2025-12-31",
                          tolerance_cents=tolerance)


def test_one_slip_carries_both_clinics_cash_and_the_tolerance() -> None:
    strict = two_clinics(0)
    assert kinds(strict) == [("deposit_difference", "12-01", "D1", 2)]
    assert strict.slips["status"].tolist() == ["deposited with a difference"]
    assert strict.days.set_index("location_id")["deposited_cents"].to_dict() == {
        "MAIN": 6000, "NORTH": 4000}
    assert strict.days["carried_forward_cents"].tolist() == [6000, 4000]  # until the 2nd
    assert control(strict, "cash and checks") == {
        "in_cents": 10000, "credited_cents": 9998, "fees_cents": 0, "differences_cents": 2,
        "carried_forward_cents": 0, "not_deposited_cents": 0, "unexplained_cents": 0}
    assert not strict.days["balanced"].any()
    loose = two_clinics(5)  # two cents short is within five: balanced, the 2 cents still shown
    assert loose.findings.empty and loose.slips["status"].tolist() == ["deposited"]
    assert control(loose, "cash and checks")["differences_cents"] == 2
    assert loose.days["balanced"].all()


def test_a_check_deposited_twice_and_a_day_never_deposited_with_its_slip_number() -> None:
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "cash", 3000),
                      ("R2", "2025-12-01", "MAIN", "check", 2000, "55"),
                      ("R5", "2025-12-01", "MAIN", "card", 1000),
                      ("R3", "2025-12-02", "NORTH", "cash", 4000),
                      ("R6", "2025-12-02", "NORTH", "card", 1000),
                      ("R4", "2025-12-03", "MAIN", "cash", 1500),
                      ("R7", "2025-12-03", "MAIN", "card", 1000))
    # Slips are numbered with the card batches: 101 (1st), 103 would be the 2nd's, 105 the
    # 3rd's; the check of the 1st went to the bank again on slip 106.
    deposits = deposit_frame(("C1", "2025-12-02", 970, "card", "1201"),
                             ("D1", "2025-12-02", 5000, "cash", "0000101"),
                             ("D2", "2025-12-02", 2000, "cash", "0000106"),
                             ("C2", "2025-12-03", 970, "card", "1202"),
                             ("C3", "2025-12-04", 970, "card", "1203"),
                             ("D3", "2025-12-04", 1500, "cash", "0000105"))
    result = cash.day_close(desk, journal_frame(desk), deposits=deposits,
                            close_date="2025-12-31")
    assert kinds(result) == [("check_deposited_twice", "12-01", "D2", 2000),
                             ("undeposited_cash", "12-02", "0000103", 4000)]
    where = result.findings.set_index("kind")["location_id"]
    assert where["check_deposited_twice"] == "MAIN" and where["undeposited_cash"] == "NORTH"
    assert result.slips["slip"].tolist() == ["0000101", "0000103", "0000105"]
    assert result.credits.set_index("credit_id")["status"].to_dict() == {
        "C1": "matched", "D1": "matched", "D2": "check deposited twice", "C2": "matched",
        "C3": "matched", "D3": "matched"}
    days = result.days.set_index(["date", "location_id"])["carried_forward_cents"]
    assert days.tolist() == [5000, 4000, 1500]  # MAIN 1st, NORTH 2nd, MAIN 3rd
    assert result.carried_forward_cents == 4000  # the 3rd's 1500 was credited on the 4th
    assert control(result, "cards (desk and portal)") == {
        "in_cents": 3000, "credited_cents": 2910, "fees_cents": 90, "differences_cents": 0,
        "carried_forward_cents": 0, "not_deposited_cents": 0, "unexplained_cents": 0}
    assert control(result, "patient credits in the bank") == {
        "in_cents": 11410, "credited_cents": 9410, "fees_cents": 0, "differences_cents": 2000,
        "carried_forward_cents": 0, "not_deposited_cents": 0, "unexplained_cents": 0}
    assert result.days["balanced"].tolist() == [False, False, True]
    assert any("card_settlements" in n for n in result.notes)


def test_slip_number_unknown_when_the_neighbours_disagree() -> None:
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "cash", 100),
                      ("R2", "2025-12-02", "MAIN", "cash", 200),
                      ("R3", "2025-12-03", "MAIN", "cash", 300))
    deposits = deposit_frame(("D1", "2025-12-02", 100, "cash", "0000101"),
                             ("D3", "2025-12-04", 300, "cash", "0000109"))
    result = cash.day_close(desk, journal_frame(desk), deposits=deposits,
                            close_date="2025-12-31")
    assert kinds(result) == [("undeposited_cash", "12-02", "2025-12-02", 200)]


def card_days(settlements: pd.DataFrame | None):
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "card", 10000),
                      ("R2", "2025-12-02", "MAIN", "card", 2000),
                      ("R3", "2025-12-31", "MAIN", "card", 3000))
    journal = journal_frame(desk, ("P1", "2025-12-01", "MAIN", -5000, "WEB1", "PORTAL"))
    deposits = deposit_frame(("C1", "2025-12-02", 14500, "card", "1201"))
    return cash.day_close(desk, journal, deposits=deposits, card_settlements=settlements,
                          close_date="2025-12-31")


def test_a_card_settlement_short_of_its_fees_and_a_batch_never_settled() -> None:
    settlements = settlement_frame(("B1", T("2025-12-01"), T("2025-12-02"), 15000, 400, 14500),
                                   ("B2", T("2025-12-02"), T("2025-12-03"), 2000, 60, 1940))
    result = card_days(settlements)
    # 15000 - 400 fees = 14600, settled 14500: 100 short; B2's 1940 never reached the bank.
    assert kinds(result) == [("card_batch_not_settled", "12-02", "B2", 1940),
                             ("card_settlement_short", "12-01", "C1", 100)]
    batches = result.card_batches.set_index(result.card_batches["date"].dt.strftime("%m-%d"))
    assert batches.loc["12-01", ["desk_card_cents", "portal_card_cents", "gross_cents"]
                       ].tolist() == [10000, 5000, 15000]
    assert batches["status"].tolist() == ["settled", "not settled", "pending"]
    assert control(result, "cards (desk and portal)") == {
        "in_cents": 20000, "credited_cents": 14500, "fees_cents": 460, "differences_cents": 100,
        "carried_forward_cents": 3000, "not_deposited_cents": 1940, "unexplained_cents": 0}
    assert not any("card_settlements" in n for n in result.notes)


def test_without_card_settlements_the_difference_is_taken_as_fees() -> None:
    result = card_days(None)
    assert kinds(result) == [("card_batch_not_settled", "12-02", "2025-12-02", 2000)]
    assert result.card_batches["fees_cents"].tolist() == [500, 0, 0]
    assert control(result, "cards (desk and portal)") == {
        "in_cents": 20000, "credited_cents": 14500, "fees_cents": 500, "differences_cents": 0,
        "carried_forward_cents": 3000, "not_deposited_cents": 2000, "unexplained_cents": 0}
    assert any("card_settlements" in n for n in result.notes)


def test_receipts_against_the_journal() -> None:
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "cash", 1000),
                      ("R2", "2025-12-01", "MAIN", "cash", 500))
    journal = journal_frame(desk.iloc[:0], ("T1", "2025-12-01", "MAIN", -900, "R1", "E1"),
                            ("T9", "2025-12-01", "MAIN", -700, "X7", "E1"),
                            ("T8", "2025-12-01", "MAIN", -300, "W8", "PORTAL"))
    deposits = deposit_frame(("D1", "2025-12-02", 1500, "cash", "0000001"))
    result = cash.day_close(desk, journal, deposits=deposits, close_date="2025-12-31")
    # R1 posted 100 short, R2 never posted, T9 posted by a desk user without a receipt; the
    # portal's payment is a card payment, not the desk's.
    assert kinds(result) == [("card_batch_not_settled", "12-01", "2025-12-01", 300),
                             ("posting_difference", "12-01", "R1", 100),
                             ("posting_difference", "12-01", "R2", 500),
                             ("posting_without_receipt", "12-01", "T9", 700)]
    drawer = result.drawers.iloc[0]
    assert (drawer["collected_cents"], drawer["posted_cents"], drawer["difference_cents"]) == (
        1500, 900, 600)
    assert result.days["posting_difference_cents"].tolist() == [600]
    assert not any(result.findings["detail"].str.contains("PT00001"))  # no patient account


def test_the_statement_alone_and_nothing_at_all() -> None:
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "cash", 1000),
                      ("R2", "2025-12-01", "MAIN", "card", 2000))
    bank = bank_frame(0, ("L1", "2025-12-02", 1000, "DEPOSIT CASH 0000007", "0000007"),
                      ("L2", "2025-12-02", 1940, "BANKCARD SETTLEMENT BATCH 1201", "9001"),
                      ("L3", "2025-12-02", 55000, "HCCLAIMPMT PAYER TRN*1*X1*1\\", "X1"))
    result = cash.day_close(desk, journal_frame(desk), bank_statement=bank,
                            close_date="2025-12-31")
    assert result.findings.empty
    assert result.credits["credit_id"].tolist() == ["L1", "L2"]  # the payer's ACH is not ours
    assert result.slips["slip"].tolist() == ["0000007"]
    empty = cash.day_close(desk.iloc[:0], journal_frame(desk.iloc[:0]),
                           close_date="2025-12-31")
    assert empty.findings.empty and empty.days.empty
    assert (empty.control[["in_cents", "unexplained_cents"]] == 0).all().all()
    assert any("Neither deposits nor bank_statement" in n for n in empty.notes)


# ------------------------------------------------------------------------------------------
# The bank reconciliation, by hand


def ap_frame(*rows: tuple) -> pd.DataFrame:
    """Paid vouchers: (voucher, paid date, cents, check or ACH number)."""
    frame = pd.DataFrame([(r[0], "VEND", f"INV-{r[0]}", T(r[1]), r[2], T(r[1]), r[2], r[3])
                          for r in rows],
                         columns=["voucher_id", "vendor", "invoice_number", "invoice_date",
                                  "amount_cents", "paid_date", "paid_cents",
                                  "payment_reference"])
    return frame.astype({"paid_cents": "Int64", "voucher_id": "string", "vendor": "string",
                         "invoice_number": "string", "payment_reference": "string"})


@pytest.fixture(scope="module")
def small_books():
    rent = "ACH DEBIT LANDLORD RENT"
    bank = bank_frame(
        1_000_000,
        ("L1", "2025-10-01", -50000, rent, "RENT10"),
        ("L2", "2025-11-03", -50000, rent, "RENT11"),
        ("L3", "2025-12-01", -50000, rent, "RENT12"),
        ("L4", "2025-12-02", 20000, "DEPOSIT CASH 0000001", "0000001"),
        ("L5", "2025-12-05", -30000, "CHECK 1001", "1001"),
        ("L6", "2025-12-10", -12000, "CHECK 1002", "1002"),
        ("L7", "2025-12-12", -40000, "PAYROLL DIRECT DEPOSIT", "PR1"),
        ("L8", "2025-12-12", -10000, "PAYROLL TAXES", "TX1"),
        ("L9", "2025-12-15", 150, "INTEREST PAID", None),
        ("L10", "2026-01-02", 8000, "DEPOSIT CASH 0000002", "0000002"),
    )
    deposits = deposit_frame(("D1", "2025-12-01", 20000, "cash", "0000001"),
                             ("D2", "2025-12-31", 8000, "cash", "0000002"),
                             ("D3", "2025-12-10", 5000, "cash", "0000003"))
    ap = ap_frame(("V1", "2025-12-01", 30000, "1001"), ("V2", "2025-12-03", 12100, "1002"),
                  ("V3", "2025-12-30", 7000, "1003"), ("V4", "2025-10-01", 2500, "999"),
                  ("V5", "2025-09-30", 800, "998"))
    runs = pd.DataFrame({"pay_date": [T("2025-12-12")], "gross_cents": [45000],
                         "employer_taxes_cents": [3000], "benefits_cents": [2000]})
    return bank, deposits, ap, runs


def test_bank_reconciliation_by_hand(small_books) -> None:
    bank, deposits, ap, runs = small_books
    rec = cash.bank_reconciliation(bank, deposits=deposits, ap_invoices=ap, payroll_runs=runs,
                                   month="2025-12")
    assert rec.month == "2025-12" and rec.opening_balance_cents == 1_000_000
    # 1,000,000 - 3 x 50,000 rent + 20,000 - 30,000 - 12,000 - 50,000 payroll + 150 interest
    assert rec.statement_balance_cents == 778_150
    # 1,000,000 + 33,000 deposits - 51,600 checks (V5 is before the statement) - 50,000
    # payroll - 150,000 rent
    assert rec.book_balance_cents == 781_400
    assert rec.deposits_in_transit["entry_id"].tolist() == ["D3", "D2"]
    assert rec.deposits_in_transit["cleared_date"].isna().tolist() == [True, False]
    assert sorted(rec.outstanding_checks["entry_id"]) == ["V3", "V4"]
    assert rec.bank_not_in_books["line_id"].tolist() == ["L9"]
    assert rec.cleared_differences["difference_cents"].tolist() == [100]
    assert rec.standing_debits["description"].tolist() == ["ACH DEBIT LANDLORD RENT"] * 3
    # 778,150 + 13,000 in transit - 9,500 outstanding = 781,400 + 150 interest + 100 on V2
    assert rec.proof["amount_cents"].tolist() == [778_150, 13_000, -9_500, 781_650, 781_400,
                                                   150, 100, 781_650, 0]
    assert rec.reconciled
    assert kinds(rec) == [("bank_line_not_in_books", "12-15", "L9", 150),
                          ("cleared_amount_difference", "12-03", "V2", 100),
                          ("deposit_not_credited", "12-10", "D3", 5000),
                          ("stale_outstanding_check", "10-01", "V4", 2500)]
    assert any("before the statement" in n for n in rec.notes)


def test_bank_reconciliation_of_an_earlier_month(small_books) -> None:
    bank, deposits, ap, runs = small_books
    rec = cash.bank_reconciliation(bank, deposits=deposits, ap_invoices=ap, payroll_runs=runs,
                                   month="2025-11-15")
    assert (rec.statement_balance_cents, rec.book_balance_cents) == (900_000, 897_500)
    assert rec.outstanding_checks["days_outstanding"].tolist() == [60]  # V4, not stale yet
    assert rec.findings.empty and rec.reconciled


def test_bank_reconciliation_without_the_practice_s_records(small_books) -> None:
    bank = small_books[0]
    rec = cash.bank_reconciliation(bank, month="2025-12")
    # Credits, payroll and rent come from the statement; the two checks are not in the books.
    assert sorted(rec.bank_not_in_books["line_id"]) == ["L5", "L6"]
    assert rec.book_balance_cents == 778_150 + 42_000 and rec.reconciled
    assert len(rec.notes) == 3


# ------------------------------------------------------------------------------------------
# The bundled sample


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return {n: data.load(n) for n in ("front_desk_payments", "pm_transactions", "deposits",
                                      "bank_statement", "card_settlements", "ap_invoices",
                                      "payroll_runs")}


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    plants = json.loads((config.SAMPLE_DIR / "ground_truth.json").read_text())["daily_close"]
    return {p["kind"]: p for p in plants}


@pytest.fixture(scope="module")
def close(sample) -> cash.DayClose:
    return cash.day_close(sample["front_desk_payments"], sample["pm_transactions"],
                          deposits=sample["deposits"], bank_statement=sample["bank_statement"],
                          card_settlements=sample["card_settlements"])


def test_sample_day_close_finds_the_three_plants_and_nothing_else(close, truth) -> None:
    assert close.close_date == T("2025-12-31")
    undeposited = truth["undeposited_cash"]
    short = truth["card_settlement_short"]
    twice = truth["check_deposited_twice"]
    assert kinds(close) == sorted([
        ("undeposited_cash", undeposited["date"][5:], undeposited["slip"],
         undeposited["amount_cents"]),
        ("card_settlement_short", short["batch_date"][5:], short["deposit_id"],
         short["short_cents"]),
        ("check_deposited_twice", twice["date"][5:], twice["deposit_id"],
         twice["amount_cents"]),
    ])
    assert close.findings["date"].dt.year.eq(2025).all()
    detail = close.findings.set_index("kind")["detail"]
    assert twice["receipt"] in detail["check_deposited_twice"]
    assert not detail.str.contains(r"PT\d{5}").any()


def test_sample_control_totals(close, sample) -> None:
    assert (close.control["unexplained_cents"] == 0).all()
    desk = sample["front_desk_payments"]
    slips = desk[desk["tender"].isin(["cash", "check"])]["amount_cents"].sum()
    cash_line = control(close, "cash and checks")
    assert cash_line["in_cents"] == slips
    # What is not in the bank: the 4 December slip (never made) and the 31st's cash (due
    # 2 January): 515.00 + 385.00 in the drawers at the close.
    assert cash_line["not_deposited_cents"] == 51500 and cash_line["differences_cents"] == 0
    assert close.carried_forward_cents == 51500 + cash_line["carried_forward_cents"] == 90000
    # Every patient credit matched but the check credited twice; the cards' only difference
    # is the short settlement, and the 31st's batch settles in January.
    bank_line = control(close, "patient credits in the bank")
    deposits = sample["deposits"]
    assert bank_line["in_cents"] == deposits[deposits["type"].isin(["cash", "card"])][
        "amount_cents"].sum()
    assert bank_line["differences_cents"] == 2000
    card_line = control(close, "cards (desk and portal)")
    assert card_line["differences_cents"] == 2307
    assert card_line["fees_cents"] == sample["card_settlements"]["fees_cents"].sum()
    assert card_line["credited_cents"] == sample["card_settlements"]["net_cents"].sum()
    assert close.collected_cents == desk["amount_cents"].sum()
    assert (close.days["posting_difference_cents"] == 0).all()


@pytest.fixture(scope="module")
def december(sample) -> cash.BankReconciliation:
    return cash.bank_reconciliation(sample["bank_statement"], deposits=sample["deposits"],
                                    ap_invoices=sample["ap_invoices"],
                                    payroll_runs=sample["payroll_runs"], month="2025-12")


def test_sample_december_bank_reconciliation(december, sample, truth) -> None:
    assert december.statement_balance_cents == truth["forecast_below_minimum"][
        "closing_balance_cents"]
    # Outstanding: the checks written by 31 December the statement has not paid.
    ap, bank = sample["ap_invoices"], sample["bank_statement"]
    checks = ap[ap["paid_date"].notna() & ap["payment_reference"].str.fullmatch(r"\d+")]
    open_checks = checks[~checks["payment_reference"].isin(bank["reference"].dropna())]
    assert sorted(december.outstanding_checks["entry_id"]) == sorted(open_checks["voucher_id"])
    out = int(open_checks["paid_cents"].sum())
    assert out > 0 and december.deposits_in_transit.empty
    assert december.book_balance_cents == december.statement_balance_cents - out
    proof = december.proof.set_index("line")["amount_cents"]
    assert proof["balance per statement"] + proof["+ deposits in transit"] \
        + proof["- outstanding checks"] == proof["balance per books"]
    assert december.bank_not_in_books.empty and december.cleared_differences.empty
    assert december.findings.empty and december.reconciled
    assert set(december.standing_debits["description"]) == {
        "ACH DEBIT MAPLE GROVE PROPERTIES RENT", "LOAN PAYMENT 4471", "PROVIDER COMPENSATION",
        "SERVICE CHARGE"}


def test_sample_every_month_reconciles(sample) -> None:
    for month in range(1, 12):
        rec = cash.bank_reconciliation(sample["bank_statement"], deposits=sample["deposits"],
                                       ap_invoices=sample["ap_invoices"],
                                       payroll_runs=sample["payroll_runs"],
                                       month=f"2025-{month:02d}")
        assert rec.reconciled and rec.findings.empty, month


def test_postings_that_cancel_in_the_drawer_are_still_found() -> None:
    desk = desk_frame(("R1", "2025-12-01", "MAIN", "cash", 1000),
                      ("R2", "2025-12-01", "MAIN", "cash", 500))
    journal = journal_frame(desk.iloc[:0], ("T1", "2025-12-01", "MAIN", -1100, "R1", "E1"),
                            ("T2", "2025-12-01", "MAIN", -400, "R2", "E1"))
    deposits = deposit_frame(("D1", "2025-12-02", 1500, "cash", "0000001"))
    result = cash.day_close(desk, journal, deposits=deposits, close_date="2025-12-31")
    assert result.drawers["difference_cents"].tolist() == [0]
    assert result.days["posting_difference_cents"].tolist() == [0]
    assert kinds(result) == [("posting_difference", "12-01", "R1", 100),
                             ("posting_difference", "12-01", "R2", 100)]
    assert not result.days["balanced"].any() and not result.balanced


def test_a_check_credited_again_is_the_one_whose_slip_was_credited_that_day() -> None:
    # Checks of $25 on the 17th and the 18th; the 17th's slip is credited on the 18th with a
    # lone $25 credit beside it, the 18th's on the 19th. The lone credit falls in both checks'
    # windows (the 18th's own day): it is the 17th's check, credited again with its slip.
    desk = desk_frame(("R1", "2025-12-17", "MAIN", "check", 2500, "4093"),
                      ("R2", "2025-12-17", "MAIN", "cash", 1000),
                      ("R3", "2025-12-18", "MAIN", "check", 2500, "1501"),
                      ("R4", "2025-12-18", "MAIN", "cash", 3000))
    deposits = deposit_frame(("D1", "2025-12-18", 3500, "cash", "0000001"),
                             ("D2", "2025-12-18", 2500, "cash", "0000003"),
                             ("D3", "2025-12-19", 5500, "cash", "0000002"))
    result = cash.day_close(desk, journal_frame(desk), deposits=deposits, close_date="2025-12-31")
    assert kinds(result) == [("check_deposited_twice", "12-17", "D2", 2500)]
    assert "receipt R1" in result.findings["detail"].iloc[0]


def test_isin_of_a_categorical_looks_up_each_category_once():
    """The journal's locations and users are categoricals once loaded: their lookup goes by
    the categories, a missing value is in no set, and the answer is the text's."""
    values = pd.Series(pd.Categorical(["L01", None, "L02", "L01", "L03"],
                                      categories=["L01", "L02", "L03", "L04"]))
    assert cash._isin(values, ["L01", "L04"]).tolist() == [True, False, False, True, False]
    assert cash._isin(values, ["L01", "L04"]).tolist() == cash._isin(
        values.astype("str"), ["L01", "L04"]).tolist()
