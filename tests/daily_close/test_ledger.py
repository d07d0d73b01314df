"""The daily close's ledger (:mod:`pracops.daily_close.ledger`): the A/R roll-forward and its
breaks, charge capture and timely filing, on small frames computed by hand and on the bundled
sample against its ground truth."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from pracops import config, data
from pracops.daily_close import ledger
from pracops.data.checked import read_835

D = pd.Timestamp


# --------------------------------------------------------------------------------------------
# Hand-built frames


def claims_frame(rows: list[tuple]) -> pd.DataFrame:
    """(claim_id, appointment_id, payer_id, location_id, date_of_service, submitted_date)."""
    frame = pd.DataFrame(rows, columns=["claim_id", "appointment_id", "payer_id", "location_id",
                                        "date_of_service", "submitted_date"])
    frame["rendering_npi"] = "1111111111"
    for c in ("date_of_service", "submitted_date"):
        frame[c] = pd.to_datetime(frame[c])
    return frame


def lines_frame(rows: list[tuple]) -> pd.DataFrame:
    """(claim_id, line_no, cpt, modifiers, charge_cents, entered_date)."""
    frame = pd.DataFrame(rows, columns=["claim_id", "line_no", "cpt", "modifiers",
                                        "charge_cents", "entered_date"])
    frame["units"] = 1
    frame["entered_date"] = pd.to_datetime(frame["entered_date"])
    return frame


PAYERS = pd.DataFrame({"payer_id": ["INS", "SELF"], "type": ["commercial", "self-pay"],
                       "timely_filing_days": pd.array([90, None], dtype="Int64")})


def journal_frame(rows: list[tuple]) -> pd.DataFrame:
    """(transaction_id, posted_date, claim_id, kind, amount_cents, responsible, reference)."""
    frame = pd.DataFrame(rows, columns=["transaction_id", "posted_date", "claim_id", "kind",
                                        "amount_cents", "responsible", "reference"])
    frame["posted_date"] = pd.to_datetime(frame["posted_date"])
    frame["location_id"] = "MAIN"
    frame["amount_cents"] = frame["amount_cents"].astype("int64")
    return frame


def posted_frame(rows: list[tuple]) -> pd.DataFrame:
    """(posting_id, claim_id, posted_date, amount_cents, source, reference)."""
    frame = pd.DataFrame(rows, columns=["posting_id", "claim_id", "posted_date", "amount_cents",
                                        "source", "reference"])
    frame["posted_date"] = pd.to_datetime(frame["posted_date"])
    frame["amount_cents"] = frame["amount_cents"].astype("int64")
    return frame


def remittance(payments: list[tuple], claims: list[tuple], adjustments: list[tuple],
               plb: list[tuple] = ()) -> SimpleNamespace:
    """payments (payment_seq, trace, payment_date); claims (claim_seq, payment_seq, claim_id,
    paid_cents); adjustments (claim_seq, group, reason, cents); plb (payment_seq, cents)."""
    return SimpleNamespace(
        payments=pd.DataFrame(payments, columns=["payment_seq", "trace_number", "payment_date"]
                              ).astype({"payment_date": "datetime64[ns]"}),
        claims=pd.DataFrame(claims, columns=["claim_seq", "payment_seq", "claim_id",
                                             "paid_cents"]),
        adjustments=pd.DataFrame(adjustments, columns=["claim_seq", "group_code", "reason_code",
                                                       "amount_cents"]),
        provider_adjustments=pd.DataFrame(list(plb), columns=["payment_seq", "amount_cents"]))


# A practice of three claims in March 2025 (Mon 3 March ...):
#   C1 insured, lines $100 + $50 entered Mon 3 March; the payer (ERA TR1, posted Mon 10 March)
#      pays $60, CO-45 $80, patient's share (PR-2) $10; the patient pays $10 on Wed 12 March.
#   C2 self-pay, $80 entered Mon 3 March, paid at the desk Tue 4 March.
#   C3 insured, $50 entered Tue 4 March; denied CO-16 in TR1, written off Thu 20 March.
CLAIMS = claims_frame([
    ("C1", "A1", "INS", "MAIN", "2025-03-03", "2025-03-04"),
    ("C2", "A2", "SELF", "MAIN", "2025-03-03", "2025-03-04"),
    ("C3", "A3", "INS", "MAIN", "2025-03-03", "2025-03-05"),
])
LINES = lines_frame([
    ("C1", 1, "99213", None, 10000, "2025-03-03"),
    ("C1", 2, "36415", None, 5000, "2025-03-03"),
    ("C2", 1, "99213", None, 8000, "2025-03-03"),
    ("C3", 1, "99214", None, 5000, "2025-03-04"),
])
POSTED = posted_frame([
    ("PP1", "C2", "2025-03-04", 8000, "patient", "R1"),
    ("PP2", "C1", "2025-03-10", 6000, "ERA", "TR1"),
    ("PP3", "C3", "2025-03-10", 0, "ERA", "TR1"),
    ("PP4", "C1", "2025-03-12", 1000, "patient", "R2"),
])
ERA = remittance(
    [(1, "TR1", "2025-03-07")],
    [(1, 1, "C1", 6000), (2, 1, "C3", 0)],
    [(1, "CO", "45", 8000), (1, "PR", "2", 1000), (2, "CO", "16", 5000)])
JOURNAL_ROWS = [
    ("T01", "2025-03-03", "C1", "charge", 10000, "payer", "C1-1"),
    ("T02", "2025-03-03", "C1", "charge", 5000, "payer", "C1-2"),
    ("T03", "2025-03-03", "C2", "charge", 8000, "patient", "C2-1"),
    ("T04", "2025-03-04", "C3", "charge", 5000, "payer", "C3-1"),
    ("T05", "2025-03-04", "C2", "payment", -8000, "patient", "R1"),
    ("T06", "2025-03-10", "C1", "payment", -6000, "payer", "TR1"),
    ("T07", "2025-03-10", "C3", "payment", 0, "payer", "TR1"),
    ("T08", "2025-03-10", "C1", "adjustment", -8000, "payer", "TR1"),
    ("T09", "2025-03-10", "C1", "transfer", -1000, "payer", "TR1"),
    ("T10", "2025-03-10", "C1", "transfer", 1000, "patient", "TR1"),
    ("T11", "2025-03-12", "C1", "payment", -1000, "patient", "R2"),
    ("T12", "2025-03-20", "C3", "adjustment", -5000, "payer", "TR1"),
]
CLOSE = "2025-03-31"


def roll(rows: list[tuple] = JOURNAL_ROWS, posted: pd.DataFrame = POSTED,
         era: SimpleNamespace = ERA, lines: pd.DataFrame = LINES, close: str = CLOSE
         ) -> ledger.ARRollforward:
    return ledger.ar_rollforward(journal_frame(rows), lines, CLAIMS, PAYERS, posted, era, close)


def day(result: ledger.ARRollforward, date: str, side: str = "total") -> pd.Series:
    d = result.daily
    return d[(d["date"] == D(date)) & (d["responsible"] == side)].iloc[0]


def replace(rows: list[tuple], tid: str, **changes: object) -> list[tuple]:
    names = ["transaction_id", "posted_date", "claim_id", "kind", "amount_cents",
             "responsible", "reference"]
    out = []
    for row in rows:
        if row[0] == tid:
            row = tuple(changes.get(n, v) for n, v in zip(names, row, strict=True))
        out.append(row)
    return out


def test_a_roll_forward_without_the_claims_still_rolls() -> None:
    """No claims file rows: the claim lines' and payments' places are unknown (the claims say
    where a claim was seen), the charges' responsibility is the payer's, and the one self-pay
    charge is a break, as before the sub-ledger's places were coded from the claims."""
    r = ledger.ar_rollforward(journal_frame(JOURNAL_ROWS), LINES, claims_frame([]), PAYERS,
                              POSTED, ERA, CLOSE)
    assert r.holds and r.closing_cents == r.subledger_closing_cents == 0
    assert r.breaks[["kind", "claim_id", "location_id", "reference", "journal_cents",
                     "subledger_cents"]].values.tolist() == [
        ["charge_wrong_responsibility", "C2", "MAIN", "T03", 8000, 8000]]


def test_a_clean_month_rolls_forward_and_matches_the_subledger() -> None:
    r = roll()
    assert r.findings.empty and r.breaks.empty and r.holds
    # 3 March: $230 charged ($150 payer, $80 patient's self-pay claim).
    first = day(r, "2025-03-03")
    assert (first["opening_cents"], first["charges_cents"], first["closing_cents"]) == (
        0, 23000, 23000)
    assert day(r, "2025-03-03", "patient")["closing_cents"] == 8000
    # 10 March: the payer pays $60, $80 written down, $10 moved to the patient.
    tenth = day(r, "2025-03-10", "payer")
    assert (tenth["opening_cents"], tenth["payments_cents"], tenth["adjustments_cents"],
            tenth["transfers_cents"], tenth["closing_cents"]) == (20000, -6000, -8000, -1000,
                                                                  5000)
    assert day(r, "2025-03-10", "patient")["transfers_cents"] == 1000
    assert day(r, "2025-03-10")["transfers_cents"] == 0
    # After the patient's $10 and C3's write-off of $50, nothing is owed.
    assert r.closing_cents == r.closing_payer_cents == r.closing_patient_cents == 0
    assert r.claim_balances_cents == r.subledger_closing_cents == 0
    month = r.monthly[r.monthly["responsible"] == "total"].iloc[0]
    assert month["month"] == "2025-03"
    assert (month["charges_cents"], month["payments_cents"], month["adjustments_cents"]) == (
        28000, -15000, -13000)
    # Every calendar day from 3 March to the close, each side and the total.
    assert len(r.daily) == 29 * 3
    assert (r.daily["unexplained_cents"] == 0).all()
    assert r.repeated_remittances == r.unposted_remittance_claims == 0


def test_a_payment_posted_on_the_wrong_day_breaks_two_days_not_the_month() -> None:
    r = roll(replace(JOURNAL_ROWS, "T06", posted_date="2025-03-11"))
    assert r.findings["kind"].tolist() == ["payment_posted_wrong_day"]
    f = r.findings.iloc[0]
    assert (f["reference"], f["amount_cents"], f["date"]) == ("T06", 6000, D("2025-03-11"))
    # On the 10th the journal still shows $60 more owed than the sub-ledger; by the 11th even.
    assert day(r, "2025-03-10")["difference_cents"] == 6000
    assert day(r, "2025-03-10")["breaks_cents"] == 6000
    assert day(r, "2025-03-11")["difference_cents"] == 0
    assert r.monthly["difference_cents"].eq(0).all() and r.holds


def test_a_misposted_adjustment_is_named_with_its_difference() -> None:
    r = roll(replace(JOURNAL_ROWS, "T08", amount_cents=-8900))
    assert r.findings["kind"].tolist() == ["misposted_adjustment"]
    f = r.findings.iloc[0]
    assert (f["reference"], f["amount_cents"], f["date"]) == ("T08", 900, D("2025-03-10"))
    b = r.breaks.iloc[0]
    assert (b["journal_cents"], b["subledger_cents"], b["difference_cents"]) == (
        -8900, -8000, -900)
    assert r.closing_cents == -900 and r.subledger_closing_cents == 0
    assert day(r, "2025-03-31", "payer")["unexplained_cents"] == 0 and r.holds
    assert "understated by $9.00" in f["detail"] and "C1" in f["detail"]


def test_a_charge_with_no_claim_line_and_a_line_never_charged() -> None:
    rows = [*JOURNAL_ROWS, ("T13", "2025-03-05", "C1", "charge", 2500, "payer", "C1-3")]
    r = roll(rows)
    assert r.findings["kind"].tolist() == ["charge_without_claim_line"]
    assert (r.findings.iloc[0]["reference"], r.findings.iloc[0]["amount_cents"]) == ("T13", 2500)
    assert r.closing_cents - r.subledger_closing_cents == 2500 and r.holds
    r = roll([row for row in JOURNAL_ROWS if row[0] != "T02"])
    assert r.findings["kind"].tolist() == ["claim_line_not_charged"]
    f = r.findings.iloc[0]
    assert (f["reference"], f["amount_cents"], f["date"]) == ("C1-2", 5000, D("2025-03-03"))
    assert r.closing_cents - r.subledger_closing_cents == -5000 and r.holds


def test_payments_in_one_file_only_and_for_another_amount() -> None:
    r = roll(replace(JOURNAL_ROWS, "T11", amount_cents=-1100))
    assert r.findings["kind"].tolist() == ["payment_amount_differs"]
    assert r.findings.iloc[0]["amount_cents"] == 100
    r = roll([row for row in JOURNAL_ROWS if row[0] != "T11"])
    assert r.findings["kind"].tolist() == ["payment_missing_from_journal"]
    assert (r.findings.iloc[0]["reference"], r.findings.iloc[0]["amount_cents"]) == ("PP4", 1000)
    r = roll([*JOURNAL_ROWS, ("T13", "2025-03-14", "C1", "payment", -500, "patient", "R9")])
    assert r.findings["kind"].tolist() == ["payment_not_in_payments_posted"]
    assert r.holds


@pytest.mark.parametrize(("tid", "changes", "kinds", "amount"), [
    ("T01", {"posted_date": "2025-03-04"}, ["charge_posted_wrong_day"], 10000),
    ("T01", {"responsible": "patient"}, ["charge_wrong_responsibility"], 10000),
    ("T01", {"amount_cents": 11000}, ["charge_amount_differs"], 1000),
    ("T11", {"responsible": "payer"}, ["payment_wrong_responsibility"], 1000),
    ("T08", {"posted_date": "2025-03-11"}, ["adjustment_posted_wrong_day"], 8000),
    ("T08", {"responsible": "patient"}, ["adjustment_wrong_responsibility"], 8000),
    ("T08", {"kind": "refund"}, ["remittance_adjustment_not_posted"], 8000),
    ("T10", {"posted_date": "2025-03-11"}, ["transfer_posted_wrong_day"], 1000),
    ("T10", {"responsible": "payer"}, ["transfer_wrong_responsibility"], 1000),
    ("T10", {"amount_cents": 1200}, ["transfer_amount_differs"], 200),
    ("T10", {"reference": "TR9"}, ["remittance_transfer_not_posted",
                                    "transfer_without_remittance"], 1000),
])
def test_each_break_is_named_and_accounts_for_the_difference(tid, changes, kinds,
                                                             amount) -> None:
    r = roll(replace(JOURNAL_ROWS, tid, **changes))
    assert sorted(r.findings["kind"]) == kinds
    assert (r.findings["amount_cents"] == amount).all()
    assert r.findings["kind"].isin(list(ledger.BREAK_KINDS)).all()
    assert r.holds and (r.daily["unexplained_cents"] == 0).all()
    assert r.closing_cents - r.subledger_closing_cents == r.breaks["difference_cents"].sum()


def test_a_write_off_of_a_denial_is_proven_against_what_the_payer_left_open() -> None:
    r = roll(replace(JOURNAL_ROWS, "T12", amount_cents=-4000))
    assert r.findings["kind"].tolist() == ["writeoff_differs_from_denial"]
    f = r.findings.iloc[0]
    assert (f["reference"], f["amount_cents"], f["date"]) == ("T12", 1000, D("2025-03-20"))
    assert r.closing_payer_cents == 1000 and r.holds
    # In two parts adding up to the denial: proven; in two parts that do not: both named, the
    # sub-ledger's $50 on the last.
    two = [r for r in JOURNAL_ROWS if r[0] != "T12"]
    r = roll([*two, ("T12", "2025-03-20", "C3", "adjustment", -2000, "payer", "TR1"),
              ("T13", "2025-03-21", "C3", "adjustment", -3000, "payer", "TR1")])
    assert r.findings.empty and r.closing_cents == 0
    r = roll([*two, ("T12", "2025-03-20", "C3", "adjustment", -2000, "payer", "TR1"),
              ("T13", "2025-03-21", "C3", "adjustment", -2500, "payer", "TR1")])
    assert r.breaks[["reference", "journal_cents", "subledger_cents"]].values.tolist() == [
        ["T12", -2000, 0], ["T13", -2500, -5000]]
    assert day(r, "2025-03-20")["difference_cents"] == -2000
    assert day(r, "2025-03-21")["difference_cents"] == 500 == r.closing_payer_cents
    assert r.holds
    # A write-off on a claim nobody denied has nothing behind it.
    r = roll([*JOURNAL_ROWS, ("T13", "2025-03-21", "C1", "adjustment", -300, "payer", None)])
    assert r.findings["kind"].tolist() == ["adjustment_without_remittance"]
    assert r.findings.iloc[0]["amount_cents"] == 300


def test_transfers_move_balances_between_sides_and_a_missing_one_is_named() -> None:
    r = roll([row for row in JOURNAL_ROWS if row[0] not in ("T09", "T10")])
    assert sorted(r.findings["kind"]) == ["remittance_transfer_not_posted"] * 2
    assert r.closing_cents == r.subledger_closing_cents == 0  # the total does not move
    assert r.closing_payer_cents == 1000 and r.closing_patient_cents == -1000 and r.holds


def test_a_remittance_received_twice_counts_once_and_plb_is_left_out() -> None:
    era = remittance(
        [(1, "TR1", "2025-03-07"), (2, "TR1", "2025-03-07")],
        [(1, 1, "C1", 6000), (2, 1, "C3", 0), (3, 2, "C1", 6000), (4, 2, "C3", 0)],
        [(1, "CO", "45", 8000), (1, "PR", "2", 1000), (2, "CO", "16", 5000),
         (3, "CO", "45", 8000), (3, "PR", "2", 1000), (4, "CO", "16", 5000)],
        [(1, -334)])
    r = roll(era=era)
    assert r.findings.empty and r.repeated_remittances == 1
    assert r.provider_adjustments_cents == -334


def test_a_refund_the_close_date_and_an_unposted_remittance() -> None:
    rows = [*JOURNAL_ROWS, ("T13", "2025-03-25", "C1", "refund", 700, "patient", "CK1"),
            ("T14", "2025-04-02", "C1", "payment", -700, "patient", "R3")]
    r = roll(rows)
    assert r.findings.empty and r.unproven_cents == 700 and r.after_close_rows == 1
    assert day(r, "2025-03-25", "patient")["refunds_cents"] == 700
    assert r.closing_patient_cents == 700 and r.daily["date"].max() == D(CLOSE)
    # The payer's remittance never posted: its claims are counted, and the journal's postings
    # of it have nothing behind them in the sub-ledger.
    posted = POSTED[POSTED["source"] != "ERA"]
    r = roll(posted=posted)
    assert r.unposted_remittance_claims == 2 and r.unposted_remittance_paid_cents == 6000
    assert set(r.findings["kind"]) == {"payment_not_in_payments_posted",
                                       "adjustment_without_remittance",
                                       "transfer_without_remittance"}
    assert r.holds


def test_an_empty_journal() -> None:
    r = roll([], posted=POSTED.iloc[:0], era=remittance([], [], []), lines=LINES.iloc[:0])
    assert r.findings.empty and r.closing_cents == 0 and r.holds
    assert r.daily["date"].tolist() == [D(CLOSE)] * 3


def _paired_by_merge(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The pairing of ``ledger._pair`` done another way: each row numbered within its key on
    its side (a missing value a key of its own), the sides merged on key and number, listed in
    ``left``'s row order."""
    numbered = [frame.assign(_n=frame.groupby(keys, dropna=False).cumcount().to_numpy(),
                             _label=frame.index, _at=np.arange(len(frame)))
                for frame in (left, right)]
    merged = numbered[0].merge(numbered[1][[*keys, "_n", "_label"]], on=[*keys, "_n"],
                               suffixes=("", "_right")).sort_values("_at", kind="stable")
    return merged["_label"].to_numpy(), merged["_label_right"].to_numpy()


@pytest.mark.parametrize("seed, keys", list(enumerate(
    [["a"], ["c"], ["b"], ["a", "b"], ["b", "c", "a"]])))
def test_rows_are_paired_as_the_nth_of_a_key_with_the_nth(seed: int, keys: list[str]) -> None:
    rng = np.random.default_rng(seed)

    def side(n: int, labels_from: int) -> pd.DataFrame:
        return pd.DataFrame({"a": rng.integers(0, 4, n),
                             "b": pd.array(rng.choice(["x", "y", None], n), dtype="str"),
                             "c": rng.integers(-2, 2, n)},
                            index=rng.permutation(1000)[:n] + labels_from)

    for _ in range(150):
        left, right = side(int(rng.integers(1, 40)), 0), side(int(rng.integers(1, 40)), 5000)
        got, expected = ledger._pair(left, right, keys), _paired_by_merge(left, right, keys)
        assert got[0].tolist() == expected[0].tolist()
        assert got[1].tolist() == expected[1].tolist()

# --------------------------------------------------------------------------------------------
# Charge capture


def appointments_frame(rows: list[tuple]) -> pd.DataFrame:
    """(appointment_id, date, status, visit_type, provider_id)."""
    frame = pd.DataFrame(rows, columns=["appointment_id", "date", "status", "visit_type",
                                        "provider_id"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["location_id"] = "NORTH"
    return frame


PROVIDERS = pd.DataFrame({"provider_id": ["P1"], "npi": ["1111111111"]})


def capture(appointments: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame,
            close: str = "2025-12-31", missed: int = 3, target: int = 2
            ) -> ledger.ChargeCapture:
    return ledger.charge_capture(appointments, claims, lines, close, missed_charge_days=missed,
                                 charge_lag_target_days=target, providers=PROVIDERS)


def test_missed_charges_count_business_days_across_christmas() -> None:
    appts = appointments_frame([
        ("A1", "2025-12-01", "completed", "established", "P1"),
        ("A2", "2025-12-02", "completed", "established", "P1"),
        ("A3", "2025-12-03", "completed", "established", "P1"),
        ("A4", "2025-12-04", "completed", "new patient", "P1"),
        ("A5", "2025-12-24", "completed", "established", "P1"),  # 24, 26, 29, 30: 4 days
        ("A6", "2025-12-26", "completed", "procedure", "P1"),  # 26, 29, 30: 3 days
        ("A7", "2025-12-29", "no-show", "established", "P1"),
        ("A8", "2025-12-29", "completed", "established", "P1"),  # 29, 30: 2 days
    ])
    claims = claims_frame([
        ("C1", "A1", "INS", "NORTH", "2025-12-01", "2025-12-02"),
        ("C2", "A2", "INS", "NORTH", "2025-12-02", "2025-12-03"),
        ("C3", "A3", "INS", "NORTH", "2025-12-03", "2025-12-04"),
        ("C4", "A4", "INS", "NORTH", "2025-12-04", "2025-12-05"),
    ])
    lines = lines_frame([
        ("C1", 1, "99213", None, 10000, "2025-12-01"),
        ("C2", 1, "99213", None, 12000, "2025-12-02"),
        ("C2", 2, "36415", None, 2500, "2025-12-02"),
        ("C3", 1, "99213", None, 13000, "2025-12-03"),
        ("C4", 1, "99204", None, 30000, "2025-12-04"),
    ])
    r = capture(appts, claims, lines, missed=4)
    # Established visits charged $100, $130 and $145: the lower median is $130.
    assert r.findings[["kind", "reference", "amount_cents", "date"]].values.tolist() == [
        ["missed_charge", "A5", 13000, D("2025-12-24")]]
    assert r.missed["business_days"].tolist() == [4]
    assert r.missed["expected_basis"].tolist() == ["visit type"]
    assert r.awaiting_charge == 2  # A6 (3 business days) and A8 (2)
    # With three days allowed (the default) A6, 3 business days old at the close, is missed
    # too; no procedure charged yet: the provider's median of $130, $145, $100, $300 (lower:
    # $130). A8 is still awaiting its charge.
    r = capture(appts, claims, lines, missed=3)
    assert r.missed.set_index("appointment_id")["expected_cents"].to_dict() == {
        "A5": 13000, "A6": 13000}
    assert r.missed["business_days"].tolist() == [4, 3]
    assert r.missed["expected_basis"].tolist() == ["visit type", "provider"]
    assert r.awaiting_charge == 1


def test_charges_without_a_visit_and_duplicates() -> None:
    appts = appointments_frame([
        ("A1", "2025-06-02", "completed", "established", "P1"),
        ("A2", "2025-06-02", "cancelled", "established", "P1"),
    ])
    claims = claims_frame([
        ("C1", "A1", "INS", "NORTH", "2025-06-02", "2025-06-03"),
        ("C2", "A2", "INS", "NORTH", "2025-06-02", "2025-06-03"),
    ])
    lines = lines_frame([
        ("C1", 1, "99213", None, 10000, "2025-06-02"),
        ("C1", 2, "36415", None, 2500, "2025-06-02"),
        ("C1", 3, "36415", None, 2500, "2025-06-04"),  # entered again two days later
        ("C1", 4, "99213", "25", 10000, "2025-06-02"),  # another modifier: not a repeat
        ("C2", 1, "99213", None, 9000, "2025-06-02"),
    ])
    r = capture(appts, claims, lines)
    got = r.findings.set_index("kind")[["reference", "amount_cents", "date"]]
    assert got.loc["charge_without_visit"].tolist() == ["C2", 9000, D("2025-06-02")]
    assert got.loc["duplicate_charge"].tolist() == ["C1", 2500, D("2025-06-04")]
    assert len(r.findings) == 2
    assert r.duplicates["line_nos"].tolist() == ["2;3"]


def test_a_claim_is_charged_by_its_own_lines_entered_by_the_close() -> None:
    """Each claim's total is the sum of its own lines entered by the close: a line of a claim
    the claims do not list counts for none of them, and a claim whose only line was entered
    after the close is not charged yet (its visit is missed, valued at the charged claims'
    lower median)."""
    appts = appointments_frame([
        ("A1", "2025-12-01", "completed", "established", "P1"),
        ("A2", "2025-12-02", "completed", "established", "P1"),
        ("A3", "2025-12-03", "completed", "established", "P1"),
    ])
    claims = claims_frame([
        ("C1", "A1", "INS", "NORTH", "2025-12-01", "2025-12-02"),
        ("C2", "A2", "INS", "NORTH", "2025-12-02", "2025-12-03"),
        ("C3", "A3", "INS", "NORTH", "2025-12-03", "2025-12-04"),
    ])
    lines = lines_frame([
        ("C9", 1, "99215", None, 99000, "2025-12-01"),  # a claim nobody lists
        ("C1", 1, "99213", None, 10000, "2025-12-01"),
        ("C3", 1, "99214", None, 16000, "2025-12-03"),
        ("C1", 2, "36415", None, 2500, "2025-12-02"),
        ("C2", 1, "99213", None, 11000, "2026-01-05"),  # entered after the close
    ])
    r = capture(appts, claims, lines)
    # charged: C1 $125.00 and C3 $160.00, lower median $125.00; C9's $990 counts for no claim
    assert r.findings[["kind", "reference", "amount_cents"]].values.tolist() == [
        ["missed_charge", "A2", 12500]]
    assert r.lag_by_location.set_index("location_id").loc["NORTH", "lines"] == 3


def test_a_close_before_any_line_was_entered_finds_every_visit_uncharged() -> None:
    """Every line entered after the close: no claim is charged yet, and nothing is computed
    from rows that are not there (an empty frame once took the entry dates' index)."""
    appts = appointments_frame([("A1", "2025-12-01", "completed", "established", "P1")])
    claims = claims_frame([("C1", "A1", "INS", "NORTH", "2025-12-01", "2026-01-06")])
    lines = lines_frame([("C1", 1, "99213", None, 10000, "2026-01-05")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = capture(appts, claims, lines)
    # nothing charged to value it by: the overall median of no claims, 0
    assert r.findings[["kind", "reference", "amount_cents"]].values.tolist() == [
        ["missed_charge", "A1", 0]]
    assert r.duplicates.empty and r.lag_by_location.empty
    assert r.duplicates["duplicate_cents"].dtype == np.int64


def test_charge_lag_by_provider_and_location_counts_business_days() -> None:
    appts = appointments_frame([(f"A{i}", "2025-07-03", "completed", "established", "P1")
                                for i in range(1, 5)])
    claims = claims_frame([(f"C{i}", f"A{i}", "INS", "NORTH" if i < 4 else "MAIN",
                            "2025-07-03", "2025-07-10") for i in range(1, 5)])
    # Thursday 3 July; Friday the 4th a holiday: Monday 7 is 1 business day, Tuesday 8 is 2,
    # Wednesday 9 is 3; one line without its entry date.
    lines = lines_frame([
        ("C1", 1, "99213", None, 10000, "2025-07-03"),
        ("C2", 1, "99213", None, 10000, "2025-07-07"),
        ("C3", 1, "99213", None, 10000, "2025-07-09"),
        ("C4", 1, "99213", None, 10000, "2025-07-08"),
        ("C4", 2, "36415", None, 2500, None),
    ])
    r = capture(appts, claims, lines, close="2025-07-31")
    assert r.lines_without_entry_date == 1
    assert (r.lag_median_days, r.lag_p90_days) == (1.5, pytest.approx(2.7))
    assert r.within_target_share == 0.75
    loc = r.lag_by_location.set_index("location_id")
    assert loc.loc["NORTH", "lines"] == 3 and loc.loc["NORTH", "median_days"] == 1.0
    assert loc.loc["NORTH", "within_target_share"] == pytest.approx(2 / 3)
    assert loc.loc["MAIN"].tolist() == [1, 2.0, 2.0, 1.0]
    assert r.lag_by_provider["provider_id"].tolist() == ["P1"]
    assert r.findings.empty


def test_charge_capture_with_nothing_to_check() -> None:
    r = capture(appointments_frame([]), claims_frame([]), lines_frame([]))
    assert r.findings.empty and r.awaiting_charge == 0 and r.lag_by_provider.empty
    assert np.isnan(r.lag_median_days)


# --------------------------------------------------------------------------------------------
# Timely filing


def filing(claims: pd.DataFrame, rows: list[tuple], era: SimpleNamespace,
           warning: int = 30) -> ledger.TimelyFiling:
    return ledger.timely_filing(claims, PAYERS, journal_frame(rows), era, "2025-12-31",
                                filing_warning_days=warning)


def test_open_claims_near_and_past_their_limit() -> None:
    # INS allows 90 days: seen 2 Oct 2025, deadline 31 Dec (0 days left); 12 Oct: 10 days;
    # 1 Nov: 30 days; 2 Nov: 31 days; 1 Sep: deadline 30 Nov, 31 days past; 1 Aug: deadline
    # 30 Oct, 62 days past.
    claims = claims_frame([
        ("C1", "A1", "INS", "MAIN", "2025-10-02", None),  # unbilled, 0 days left
        ("C2", "A2", "INS", "MAIN", "2025-10-12", "2025-10-13"),  # denied, 10 left
        ("C3", "A3", "INS", "MAIN", "2025-11-01", "2026-01-05"),  # billed after the close
        ("C4", "A4", "INS", "MAIN", "2025-11-02", None),  # 31 days left: not yet
        ("C5", "A5", "INS", "MAIN", "2025-09-01", "2025-09-02"),  # denied, past
        ("C6", "A6", "INS", "MAIN", "2025-08-01", "2025-08-02"),  # filed in time, waiting
        ("C7", "A7", "INS", "MAIN", "2025-08-01", "2025-11-15"),  # filed late, waiting
        ("C8", "A8", "INS", "MAIN", "2025-09-05", "2025-09-06"),  # denied but written off
        ("C9", "A9", "SELF", "MAIN", "2025-01-05", None),  # self-pay: no limit
    ])
    rows = [(f"T{i}", "2025-12-01", f"C{i}", "charge", 10000 + i, "payer", f"C{i}-1")
            for i in range(1, 10)]
    rows.append(("T20", "2025-12-15", "C8", "adjustment", -10008, "payer", "TR"))
    era = remittance([(1, "TR", "2025-11-20"), (2, "TR2", "2026-01-02")],
                     [(1, 1, "C2", 0), (2, 1, "C5", 0), (3, 1, "C8", 0), (4, 2, "C1", 0)],
                     [])
    r = filing(claims, rows, era)
    got = r.worklist.set_index("claim_id")[["kind", "days_left", "open_cents", "state"]]
    assert got.to_dict("index") == {
        "C5": {"kind": "filing_limit_past", "days_left": -31, "open_cents": 10005,
               "state": "denied"},
        "C7": {"kind": "filing_limit_past", "days_left": -62, "open_cents": 10007,
               "state": "filed late"},
        "C1": {"kind": "filing_limit_near", "days_left": 0, "open_cents": 10001,
               "state": "unbilled"},
        "C2": {"kind": "filing_limit_near", "days_left": 10, "open_cents": 10002,
               "state": "denied"},
        "C3": {"kind": "filing_limit_near", "days_left": 30, "open_cents": 10003,
               "state": "unbilled"},
    }
    assert r.worklist["claim_id"].tolist() == ["C7", "C5", "C1", "C2", "C3"]
    assert (r.near_count, r.near_cents, r.past_count, r.past_cents) == (3, 30006, 2, 20012)
    f = r.findings.set_index("reference")
    assert f.loc["C2", "date"] == D("2026-01-10") and f.loc["C2", "amount_cents"] == 10002
    assert "10 days left" in f.loc["C2", "detail"]
    # C9 is open with a payer without a limit: counted, not guessed.
    assert (r.no_limit_claims, r.no_limit_cents, r.payers_without_limit) == (1, 10009,
                                                                            ("SELF",))
    assert r.open_claims == 8 and r.awaiting_answer == 1  # C6
    # A narrower window leaves out C3 (30 days) but keeps C2 (10).
    r = filing(claims, rows, era, warning=10)
    assert set(r.worklist["claim_id"]) == {"C1", "C2", "C5", "C7"}


# --------------------------------------------------------------------------------------------
# The bundled sample


@pytest.fixture(scope="module")
def sample() -> dict:
    frames = {n: data.load(n) for n in ("pm_transactions", "claim_lines", "claims", "payers",
                                        "payments_posted", "appointments", "providers")}
    frames["era"] = read_835(config.SAMPLE_DIR / "era")
    truth = json.loads((config.SAMPLE_DIR / "ground_truth.json").read_text())["daily_close"]
    frames["truth"] = {p["kind"]: p for p in truth}
    return frames


CLOSE_SAMPLE = "2025-12-31"


@pytest.fixture(scope="module")
def sample_roll(sample: dict) -> ledger.ARRollforward:
    return ledger.ar_rollforward(sample["pm_transactions"], sample["claim_lines"],
                                 sample["claims"], sample["payers"], sample["payments_posted"],
                                 sample["era"], CLOSE_SAMPLE)


def test_sample_rollforward_names_only_the_misposted_adjustment(sample, sample_roll) -> None:
    plant = sample["truth"]["misposted_adjustment"]
    f = sample_roll.findings
    assert f[["kind", "reference", "amount_cents", "date"]].values.tolist() == [
        ["misposted_adjustment", plant["transaction_id"], plant["difference_cents"],
         D(plant["posted_date"])]]
    b = sample_roll.breaks.iloc[0]
    assert (-b["journal_cents"], -b["subledger_cents"]) == (
        plant["posted_adjustment_cents"], plant["era_adjustment_cents"])
    assert b["claim_id"] == plant["claim_id"]


def test_sample_rollforward_control_totals(sample, sample_roll) -> None:
    r, plant = sample_roll, sample["truth"]["misposted_adjustment"]
    # The closing A/R, by side, from the journal's text with plain pandas.
    raw = pd.read_csv(config.SAMPLE_DIR / "pm_transactions.csv", dtype=str)
    raw["cents"] = [int(Decimal(v) * 100) for v in raw["amount"]]
    side = raw.groupby("responsible")["cents"].sum()
    assert (r.closing_payer_cents, r.closing_patient_cents) == (side["payer"],
                                                                side["patient"])
    assert r.closing_cents == raw["cents"].sum() == r.claim_balances_cents
    assert r.subledger_closing_cents - r.closing_cents == plant["difference_cents"]
    assert r.holds and (r.daily["unexplained_cents"] == 0).all()
    # The journal and sub-ledger agree every day until the misposting, then differ by it.
    total = r.daily[r.daily["responsible"] == "total"].set_index("date")["difference_cents"]
    when = D(plant["posted_date"])
    assert (total[total.index < when] == 0).all()
    assert (total[total.index >= when] == -plant["difference_cents"]).all()
    months = r.monthly[r.monthly["responsible"] == "total"].set_index("month")
    assert len(months) == 12 and months.loc["2025-01", "opening_cents"] == 0
    assert (months["closing_cents"].shift(1).iloc[1:] == months["opening_cents"].iloc[1:]).all()
    assert months.loc["2025-12", "closing_cents"] == r.closing_cents
    assert months.loc["2025-10", "breaks_cents"] == -plant["difference_cents"]
    # Transfers move A/R between sides, never in total; charges are the claim lines'.
    assert (r.daily.loc[r.daily["responsible"] == "total", "transfers_cents"] == 0).all()
    assert months["charges_cents"].sum() == sample["claim_lines"]["charge_cents"].sum()
    assert r.repeated_remittances == 1 and r.unposted_remittance_claims == 0


def test_sample_charge_capture_finds_the_two_plants(sample) -> None:
    r = ledger.charge_capture(sample["appointments"], sample["claims"], sample["claim_lines"],
                              CLOSE_SAMPLE, missed_charge_days=3, charge_lag_target_days=2,
                              providers=sample["providers"])
    missed, dup = sample["truth"]["missed_charge"], sample["truth"]["duplicate_charge"]
    got = r.findings.set_index("kind")
    assert sorted(r.findings["kind"]) == ["duplicate_charge", "missed_charge"]
    assert got.loc["missed_charge", "reference"] == missed["appointment_id"]
    assert got.loc["missed_charge", "date"] == D(missed["date_of_service"])
    assert got.loc["missed_charge", "location_id"] == missed["location_id"]
    assert got.loc["missed_charge", "amount_cents"] > 0
    assert got.loc["duplicate_charge", ["reference", "amount_cents", "date"]].tolist() == [
        dup["claim_id"], dup["charge_cents"], D(dup["entered_date"])]
    assert r.duplicates["line_nos"].tolist() == [";".join(map(str, dup["line_nos"]))]
    # The sample's charge lag is under the default target for every provider.
    assert (r.lag_by_provider["median_days"] <= 2).all()
    assert r.lag_by_provider["lines"].sum() == len(sample["claim_lines"])


def test_sample_timely_filing_finds_the_two_plants(sample) -> None:
    r = ledger.timely_filing(sample["claims"], sample["payers"], sample["pm_transactions"],
                             sample["era"], CLOSE_SAMPLE, filing_warning_days=30)
    near, past = sample["truth"]["filing_limit_near"], sample["truth"]["filing_limit_past"]
    got = r.worklist.set_index("claim_id")
    assert got.index.tolist() == [past["claim_id"], near["claim_id"]]
    for plant in (near, past):
        row = got.loc[plant["claim_id"]]
        assert (row["kind"], row["days_left"], row["open_cents"], row["timely_filing_days"]) \
            == (plant["kind"], plant["days_left"], plant["open_cents"],
                plant["timely_filing_days"])
    assert r.findings.set_index("reference")["amount_cents"].to_dict() == {
        near["claim_id"]: near["open_cents"], past["claim_id"]: past["open_cents"]}
    assert r.payers_without_limit == ("SELF",) and r.no_limit_claims == 0


def test_a_missing_key_is_found_nowhere() -> None:
    """``positions``: where each key first stands, -1 when it is missing, even where the
    known keys have a missing one too (Arrow's lookup matches missing to missing unless told
    not to)."""
    got = ledger.positions(pd.Series(["a", None, "c", "a"], dtype="str"),
                           pd.Series(["b", None, "a", "a"], dtype="str"))
    assert got.tolist() == [2, -1, -1, 2]
