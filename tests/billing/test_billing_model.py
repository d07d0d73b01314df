"""Tests of pracops.billing.model on a hand-built practice whose every number is worked out below.

The scenario (all amounts in cents; DOS 2025-03-01 and submitted 2025-03-03 unless said):

Fee schedule, per unit: NWH 99213 '' 10000, 99214 '' 14000, 36415 '' 1000, 93000 '' 3000,
93000 '26' 1200; MCR 99213 '' 8000. No rate for 99999.

Claims and their ERAs:

====  =====  =========================================  ===================================
C1    NWH    L1 99213-25 15000; L2 36415 ×2 3000        ERA1: L1 allowed 10000, CO-45 5000,
                                                        PR-2 2000, paid 8000; L2 no AMT,
                                                        CO-45 1050, paid 1950 → paid 9950
C2    NWH    L1 99214 20000; L2 93000-26 5000           split: ERA1 L1 allowed 14000,
                                                        CO-45 6000, paid 14000; ERA2 L2
                                                        allowed 1000, CO-45 4000, paid 1000
C3    NWH    L1 99213 15000                             ERA1 paid 10000 (CO-45 5000); ERA2
                                                        reversal (22) −15000/−5000/−10000
                                                        and correction CO-45 6000, paid 9000
C4    NWH    L1 99213 15000; L2 99214 20000             ERA1 CLP01 C4 (CLP07 PCN4) L1 paid
                                                        10000; ERA2 CLP01 'C4-X' CLP07 PCN4
                                                        L2 paid 14000 → CLP07 fallback
C5    NWH    L1 99214 20000                             ERA1 denied: CO-50 20000, AMT 0
C6    NWH    L1 99999 5000                              ERA2 CO-45 1000, paid 4000 (no rate)
C7    NWH    L1 99213 15000, DOS 01-02, sub 01-06       never answered
C8    SELF   L1 99213 12000, sub 03-01                  self-pay: no ERA
C9    MCR    L1 99213 15000                             ERA3 (check): allowed 8000, CO-45
                                                        7000, PR-2 1600, paid 6400
C10   MCR    L1 99213 15000                             ERA4 (check): as C9, paid 6400
====  =====  =========================================  ===================================

ERA2 also answers 'ZZZ9' (CLP07 PCN-Z, no such claim): charge 5000, CO-45 2000, paid 3000,
and carries PLB L6 −250 (interest added) and WO +1000 (recovery withheld).

Payments (BPR02 = Σ CLP04 − Σ PLB):

* ERA1 era_01.835, EFT1001, NWH, 2025-03-20: 9950 + 14000 + 10000 + 10000 + 0 = 43950
* ERA2 era_02.835, EFT2002, NWH, 2025-03-27: 1000 − 10000 + 9000 + 14000 + 4000 + 3000
  = 21000; − (−250 + 1000) = 20250
* ERA3 era_03.835, check 0012345, MCR, 2025-03-21: 6400
* ERA4 era_04.835, check 0012399, MCR, 2025-03-18: 6400
* era_05_copy.835: ERA1 received again → dropped; ERA total 43950 + 20250 + 6400 + 6400 = 77000

Deposits: DEP1 ACH 03-24 43950 TRN EFT1001 (trace); DEP2 ACH 03-31 20150 TRN EFT2002
(trace, 100 short); DEP3 check 03-24 6400 (ERA3 by amount: 3 days, closer than ERA4's 6);
DEP4 check 04-15 6400 (28 days after ERA4: outside the
default 0..10 → both unmatched); DEP5 ACH 03-25
5000 TRN EFT9999 (no ERA); DEP6 card 4000, DEP7 cash 2500 (patient payments).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pracops.billing import matching
from pracops.billing import model as billing
from pracops.billing.chain import write_worklists
from pracops.billing.parameters import PARAMETERS
from pracops.errors import DataError, ParameterError
from pracops.x12 import parse_835, read_835
from pracops.x12.codes import carc_description
from pracops.x12.write import (
    Adjustment,
    ClaimPayment,
    Party,
    Payment,
    ProviderAdjustment,
    ServicePayment,
    write_835,
)

D = dt.date(2025, 3, 1)
AS_OF = "2025-04-30"
NWH, MCR = "1368698231", "1665816106"
PAYEE = Party("MAPLE GROVE FAMILY MEDICINE", "XX", "1527736684", tin="418306210")


def co(reason: str, cents: int) -> Adjustment:
    return Adjustment("CO", reason, cents)


def pr(reason: str, cents: int) -> Adjustment:
    return Adjustment("PR", reason, cents)


def svc(code: str, charge: int, paid: int, *adjustments: Adjustment, mods: tuple = (),
        units: int = 1, allowed: int | None = None, day: dt.date = D) -> ServicePayment:
    return ServicePayment(code, charge, paid, modifiers=mods, units=units, service_date=day,
                          allowed_cents=allowed, adjustments=adjustments)


def clp(claim_id: str, pcn: str, *services: ServicePayment, status: str = "1",
        patient: int = 0) -> ClaimPayment:
    return ClaimPayment(claim_id, status, sum(s.charge_cents for s in services),
                        sum(s.paid_cents for s in services), patient, pcn, services=services)


def payment(trace: str, trn03: str, day: dt.date, claims: tuple, *, method: str = "ACH",
            plb: tuple = ()) -> Payment:
    payer = Party("NORTHWOODS HEALTH" if trn03 == NWH else "MEDICARE", "XV", trn03)
    return Payment(trace, trn03, day, payer, PAYEE, claims, method=method,
                   provider_adjustments=plb)


def text_835(payments: list[Payment], control: int) -> str:
    return write_835(payments, sender_id="PAYER", receiver_id="PRACTICE",
                     control_number=control, created=dt.datetime(2025, 3, 20, 8, 0))


def _eras() -> dict[str, str]:
    era1 = payment("EFT1001", NWH, dt.date(2025, 3, 20), (
        clp("C1", "PCN1", svc("99213", 15000, 8000, co("45", 5000), pr("2", 2000),
                              mods=("25",), allowed=10000),
            svc("36415", 3000, 1950, co("45", 1050), units=2), patient=2000),
        clp("C2", "PCN2", svc("99214", 20000, 14000, co("45", 6000), allowed=14000)),
        clp("C3", "PCN3", svc("99213", 15000, 10000, co("45", 5000), allowed=10000)),
        clp("C4", "PCN4", svc("99213", 15000, 10000, co("45", 5000), allowed=10000)),
        clp("C5", "PCN5", svc("99214", 20000, 0, co("50", 20000), allowed=0), status="4"),
    ))
    era2 = payment("EFT2002", NWH, dt.date(2025, 3, 27), (
        clp("C2", "PCN2", svc("93000", 5000, 1000, co("45", 4000), mods=("26",),
                              allowed=1000)),
        clp("C3", "PCN3", svc("99213", -15000, -10000, co("45", -5000), allowed=-10000),
            status="22"),
        clp("C3", "PCN3B", svc("99213", 15000, 9000, co("45", 6000), allowed=9000)),
        clp("C4-X", "PCN4", svc("99214", 20000, 14000, co("45", 6000), allowed=14000)),
        clp("C6", "PCN6", svc("99999", 5000, 4000, co("45", 1000))),
        clp("ZZZ9", "PCN-Z", svc("99213", 5000, 3000, co("45", 2000))),
    ), plb=(ProviderAdjustment("L6", "INT1", -250), ProviderAdjustment("WO", "OVP1", 1000)))
    era3 = payment("0012345", MCR, dt.date(2025, 3, 21), (
        clp("C9", "M9", svc("99213", 15000, 6400, co("45", 7000), pr("2", 1600),
                            allowed=8000), patient=1600),), method="CHK")
    era4 = payment("0012399", MCR, dt.date(2025, 3, 18), (
        clp("C10", "M10", svc("99213", 15000, 6400, co("45", 7000), pr("2", 1600),
                              allowed=8000), patient=1600),), method="CHK")
    first = text_835([era1], 1)
    return {"era_01.835": first, "era_02.835": text_835([era2], 2),
            "era_03.835": text_835([era3], 3), "era_04.835": text_835([era4], 4),
            "era_05_copy.835": first}


def _claims() -> pd.DataFrame:
    rows = [  # claim_id, payer, DOS, submitted
        ("C1", "NWH", D, dt.date(2025, 3, 3)), ("C2", "NWH", D, dt.date(2025, 3, 3)),
        ("C3", "NWH", D, dt.date(2025, 3, 3)), ("C4", "NWH", D, dt.date(2025, 3, 3)),
        ("C5", "NWH", D, dt.date(2025, 3, 3)), ("C6", "NWH", D, dt.date(2025, 3, 3)),
        ("C7", "NWH", dt.date(2025, 1, 2), dt.date(2025, 1, 6)),
        ("C8", "SELF", D, dt.date(2025, 3, 1)),
        ("C9", "MCR", D, dt.date(2025, 3, 3)), ("C10", "MCR", D, dt.date(2025, 3, 3)),
    ]
    frame = pd.DataFrame(rows, columns=["claim_id", "payer_id", "date_of_service",
                                        "submitted_date"])
    n = len(frame)
    frame["date_of_service"] = pd.to_datetime(frame["date_of_service"])
    frame["submitted_date"] = pd.to_datetime(frame["submitted_date"])
    frame["appointment_id"] = [f"A{i}" for i in range(n)]
    frame["patient_id"] = [f"P{i}" for i in range(n)]
    frame["patient_name"] = [f"Patient {i}" for i in range(n)]
    frame["patient_dob"] = pd.to_datetime("1970-01-01")
    frame["member_id"] = [f"M{i:03d}" for i in range(n)]
    frame["rendering_npi"] = ["1111111111"] * 5 + ["2222222222"] * (n - 5)
    frame["location_id"] = "L1"
    return frame


def _claim_lines() -> pd.DataFrame:
    rows = [("C1", 1, "99213", "25", 1, 15000), ("C1", 2, "36415", "", 2, 3000),
            ("C2", 1, "99214", "", 1, 20000), ("C2", 2, "93000", "26", 1, 5000),
            ("C3", 1, "99213", "", 1, 15000),
            ("C4", 1, "99213", "", 1, 15000), ("C4", 2, "99214", "", 1, 20000),
            ("C5", 1, "99214", "", 1, 20000), ("C6", 1, "99999", "", 1, 5000),
            ("C7", 1, "99213", "", 1, 15000), ("C8", 1, "99213", "", 1, 12000),
            ("C9", 1, "99213", "", 1, 15000), ("C10", 1, "99213", "", 1, 15000)]
    return pd.DataFrame(rows, columns=["claim_id", "line_no", "cpt", "modifiers", "units",
                                       "charge_cents"])


def _fee_schedule() -> pd.DataFrame:
    rows = [("NWH", "99213", "", 10000), ("NWH", "99214", "", 14000),
            ("NWH", "36415", "", 1000), ("NWH", "93000", "", 3000), ("NWH", "93000", "26", 1200),
            ("MCR", "99213", "", 8000)]
    return pd.DataFrame(rows, columns=["payer_id", "cpt", "modifier", "allowed_cents"])


def _deposits() -> pd.DataFrame:
    rows = [
        ("DEP1", "2025-03-24", 43950, "HCCLAIMPMT NORTHWOODS HEALTH TRN*1*EFT1001*1368698231\\",
         "ACH"),
        ("DEP2", "2025-03-31", 20150, "HCCLAIMPMT NWH TRN*1*EFT2002*1368698231\\  ", "ACH"),
        ("DEP3", "2025-03-24", 6400, "CHECK DEPOSIT", "check"),
        ("DEP4", "2025-04-15", 6400, "CHECK DEPOSIT", "check"),
        ("DEP5", "2025-03-25", 5000, "HCCLAIMPMT LAKESHORE TRN*1*EFT9999*1147968927\\", "ACH"),
        ("DEP6", "2025-03-05", 4000, "CARD BATCH", "card"),
        ("DEP7", "2025-03-06", 2500, "CASH", "cash"),
    ]
    frame = pd.DataFrame(rows, columns=["deposit_id", "posted_date", "amount_cents",
                                        "description", "type"])
    frame["posted_date"] = pd.to_datetime(frame["posted_date"])
    return frame


def _payments_posted() -> pd.DataFrame:
    # ERA postings 2 days (DEP1 03-24 → 03-26) and 4 days (DEP3 03-24 → 03-28) after the
    # deposit: posting lag (2 + 4) / 2 = 3. A patient paid C1's 2000 coinsurance.
    rows = [("P1", "C1", "2025-03-26", 9950, "ERA", "EFT1001"),
            ("P2", "C9", "2025-03-28", 6400, "ERA", "0012345"),
            ("P3", "C1", "2025-03-30", 2000, "patient", "CARD")]
    frame = pd.DataFrame(rows, columns=["posting_id", "claim_id", "posted_date",
                                        "amount_cents", "source", "reference"])
    frame["posted_date"] = pd.to_datetime(frame["posted_date"])
    return frame


@pytest.fixture(scope="module")
def remittance(tmp_path_factory):
    folder = tmp_path_factory.mktemp("era")
    for name, text in _eras().items():
        (folder / name).write_text(text)
    return read_835(folder, pattern="*.835")


@pytest.fixture(scope="module")
def result(remittance):
    return billing.reconcile(remittance, _claims(), _claim_lines(), _fee_schedule(),
                             _deposits(), as_of=AS_OF)


def by_claim(frame: pd.DataFrame, column: str) -> dict:
    return dict(zip(frame["claim_id"], frame[column], strict=True))


# ---- matching ---------------------------------------------------------------------------------


def test_duplicate_835_is_dropped_keeping_the_first_file(remittance, result):
    assert len(remittance.payments) == 5
    dup = result.duplicates
    assert len(dup) == 1
    assert Path(dup.loc[0, "file"]).name == "era_05_copy.835"
    assert Path(dup.loc[0, "kept_file"]).name == "era_01.835"
    assert dup.loc[0, "trace_number"] == "EFT1001"
    assert dup.loc[0, "total_paid_cents"] == 43950
    # counted once everywhere: payments, claims, adjustments
    assert result.remittance.payments["total_paid_cents"].sum() == 77000
    assert result.balances.set_index("claim_id").loc["C1", "paid_cents"] == 9950
    assert (result.remit_claims["remit_claim_id"] == "C5").sum() == 1
    co50 = result.adjustments[result.adjustments["reason_code"] == "50"]
    assert co50["amount_cents"].tolist() == [20000]


def test_claims_match_by_claim_id_then_payer_claim_number(result):
    rc = result.remit_claims
    fallback = rc[rc["remit_claim_id"] == "C4-X"].iloc[0]
    assert fallback["claim_id"] == "C4"
    assert fallback["match"] == "payer_claim_number"
    assert set(rc.loc[rc["match"] == "claim_id", "claim_id"]) == {
        "C1", "C2", "C3", "C4", "C5", "C6", "C9", "C10"}
    # C4 net paid: 10000 (ERA1) + 14000 (ERA2 via CLP07) = 24000
    assert by_claim(result.balances, "paid_cents")["C4"] == 24000


def test_unmatched_remittance_claim_is_listed(result):
    unmatched = result.unmatched_remittances
    assert unmatched["remit_claim_id"].tolist() == ["ZZZ9"]
    assert unmatched["paid_cents"].tolist() == [3000]
    assert unmatched["claim_id"].isna().all()


def test_split_payment_and_reversal_net(result):
    paid = by_claim(result.balances, "paid_cents")
    count = by_claim(result.balances, "remit_count")
    assert paid["C2"] == 14000 + 1000       # split across ERA1 and ERA2
    assert count["C2"] == 2
    assert paid["C3"] == 10000 - 10000 + 9000  # original, reversal, correction
    assert count["C3"] == 3
    lines = result.line_matches
    c3 = lines[lines["claim_id"] == "C3"]
    assert c3["line_no"].tolist() == [1, 1, 1]
    assert set(c3["line_match"]) == {"procedure, modifiers, date"}


def test_never_answered_claims_exclude_self_pay(result):
    never = result.unanswered
    assert never["claim_id"].tolist() == ["C7"]
    # submitted 2025-01-06, as of 2025-04-30: 25 + 28 + 31 + 30 = 114 days
    assert never["days_since_submission"].tolist() == [114]
    assert never["charge_cents"].tolist() == [15000]


def test_lines_fall_back_to_order():
    # The payer answers 99213 and re-codes line 2 (billed 99214) as 99212 without saying so:
    # 99213 matches line 1 by its key, 99212 takes line 2 by order.
    claims = _claims().iloc[:1]
    lines = pd.DataFrame([("C1", 1, "99213", "", 1, 15000), ("C1", 2, "99214", "", 1, 20000)],
                         columns=["claim_id", "line_no", "cpt", "modifiers", "units",
                                  "charge_cents"])
    era = payment("T1", NWH, dt.date(2025, 3, 20), (
        clp("C1", "P1", svc("99212", 20000, 5000, co("45", 15000)),
            svc("99213", 15000, 10000, co("45", 5000))),))
    remit = parse_835(text_835([era], 9))
    rc = billing.match_claims(remit, claims)
    adj = billing.categorise_adjustments(remit.adjustments, rc)
    matched = billing.match_lines(remit, rc, claims, lines, adj)
    assert matched["procedure_code"].tolist() == ["99212", "99213"]
    assert matched["line_no"].tolist() == [2, 1]
    assert matched["line_match"].tolist() == ["order", "procedure, modifiers, date"]


# ---- expected vs paid -------------------------------------------------------------------------


def test_expected_vs_paid_statuses(result):
    ev = result.expected.set_index(["claim_id", "line_no"])
    assert len(ev) == 11  # every adjudicated claim line (C7 and C8 have none)
    # C1 L1: modifier 25 has no rate → '' rate 10000; payer allowed AMT 10000
    assert ev.loc[("C1", 1), "rate_modifier"] == ""
    assert ev.loc[("C1", 1), "shortfall_cents"] == 0
    # C1 L2: 1000 × 2 units = 2000; no AMT → 3000 − CO-45 1050 = 1950; short 50 ≤ 100: ok
    assert ev.loc[("C1", 2), "contract_allowed_cents"] == 2000
    assert ev.loc[("C1", 2), "payer_allowed_cents"] == 1950
    assert ev.loc[("C1", 2), "shortfall_cents"] == 50
    assert ev.loc[("C1", 2), "status"] == "ok"
    # C5: AMT 0 against 14000 would be short 14000, but the line is denied (paid 0, CO-50)
    assert ev.loc[("C5", 1), "shortfall_cents"] == 14000
    assert ev.loc[("C5", 1), "status"] == "denied"
    assert ev.loc[("C6", 1), "status"] == "no contract rate"
    assert pd.isna(ev.loc[("C6", 1), "contract_allowed_cents"])


def test_underpayments_above_threshold(result):
    under = result.underpayments
    # C2 L2: rate 93000-26 1200, payer 1000 → 200; C3: 10000 − (10000 − 10000 + 9000) = 1000
    assert list(zip(under["claim_id"], under["line_no"], under["contract_allowed_cents"],
                    under["payer_allowed_cents"], under["shortfall_cents"], strict=True)) == [
        ("C2", 2, 1200, 1000, 200), ("C3", 1, 10000, 9000, 1000)]
    assert result.missing_rates["claim_id"].tolist() == ["C6"]


def test_underpayment_percent_threshold(result):
    # With no cents threshold and 10 %: C2 L2 200 / 1200 = 16.7 % > 10 % is underpaid;
    # C3 1000 / 10000 = 10 % is not above 10 %; C1 L2 50 / 2000 = 2.5 % neither.
    ev = billing.expected_vs_paid(_claims(), _claim_lines(), _fee_schedule(),
                                  result.line_matches, min_shortfall_cents=0,
                                  min_shortfall_pct=0.10)
    under = ev[ev["status"] == "underpaid"]
    assert list(zip(under["claim_id"], under["line_no"], strict=True)) == [("C2", 2)]


def test_contract_rate_takes_first_billed_modifier_with_a_rate():
    # 93000 billed '59;26': 59 has no row, 26 has 1200; 99213 '25' falls back to ''.
    # 99999 has no rate at all; MCR 93000 neither.
    lines = pd.DataFrame({"payer_id": ["NWH", "NWH", "NWH", "MCR"],
                          "cpt": ["93000", "99213", "99999", "93000"],
                          "modifiers": ["59;26", "25", "", "26"]})
    rate, modifier = matching._contract_rates(lines["payer_id"], lines["cpt"],
                                              lines["modifiers"], _fee_schedule())
    assert rate.tolist() == [1200, 10000, pd.NA, pd.NA]
    assert modifier.tolist() == ["26", "", pd.NA, pd.NA]


# ---- deposits ---------------------------------------------------------------------------------


def test_deposit_traces_are_read_leniently():
    found = billing.deposit_traces(pd.Series([
        "HCCLAIMPMT X TRN*1*EFT1*1368698231\\", "TRN * 1 * EFT2 * 99 \\ ", "trn*1*EFT3",
        "CHECK DEPOSIT"]))
    assert found["trace_number"].tolist()[:3] == ["EFT1", "EFT2", "EFT3"]
    assert found["trace_payer_id"].tolist()[:2] == ["1368698231", "99"]
    assert found.iloc[2:, 1].isna().all() and pd.isna(found.iloc[3, 0])


def test_deposits_match_by_trace_then_amount(result):
    m = result.deposits.matches
    pairs = dict(zip(m["trace_number"], zip(m["deposit_id"], m["match"], strict=True),
                     strict=True))
    assert pairs == {"EFT1001": ("DEP1", "trace"), "EFT2002": ("DEP2", "trace"),
                     "0012345": ("DEP3", "amount")}
    assert m.set_index("trace_number").loc["0012345", "days_to_deposit"] == 3


def test_check_outside_window_stays_unmatched(result):
    # ERA4 (03-18) could take DEP3 (6 days) but ERA3 is closer (3 days); DEP4 is 28 days late
    eras = result.deposits.eras_without_deposit
    assert eras["trace_number"].tolist() == ["0012399"]
    assert eras["total_paid_cents"].tolist() == [6400]
    wide = billing.match_deposits(result.remittance.payments, _deposits(), window_days=(0, 30))
    assert wide.matches.set_index("trace_number").loc["0012399", "deposit_id"] == "DEP4"


def test_deposits_without_era_and_patient_deposits(result):
    orphan = result.deposits.deposits_without_era
    assert orphan["deposit_id"].tolist() == ["DEP4", "DEP5"]
    assert orphan["trace_number"].isna().tolist() == [True, False]
    assert result.deposits.patient_deposits["deposit_id"].tolist() == ["DEP6", "DEP7"]


def test_amount_mismatch(result):
    mm = result.deposits.amount_mismatches
    assert mm["trace_number"].tolist() == ["EFT2002"]
    assert mm["era_amount_cents"].tolist() == [20250]
    assert mm["deposit_amount_cents"].tolist() == [20150]
    assert mm["difference_cents"].tolist() == [-100]


# ---- control totals ---------------------------------------------------------------------------


def test_control_totals_balance(result):
    summary = result.control_summary.set_index("check")
    assert summary["balanced"].all()
    assert summary.loc["charges", "total_cents"] == 175000
    assert summary.loc["ERA payments", "total_cents"] == 77000
    detail = result.control_detail
    items = {(c, i): a for c, i, a in detail.itertuples(index=False)}
    # (a) 175000 = 74750 paid + 68050 CO + 5200 PR + 15000 never answered + 12000 self-pay
    #   paid: 43950 (ERA1) + 18000 (ERA2 without ZZZ9) + 6400 + 6400 = 74750
    #   CO: C1 6050, C2 10000, C3 6000, C4 11000, C5 20000, C6 1000, C9 7000, C10 7000
    assert items[("charges", "insurance payments")] == 74750
    assert items[("charges", "CO adjustments")] == 68050
    assert items[("charges", "PR adjustments")] == 5200
    assert items[("charges", "OA adjustments")] == 0
    assert items[("charges", "charges of claims never answered")] == 15000
    assert items[("charges", "charges of self-pay claims")] == 12000
    assert items[("charges", "unexplained difference")] == 0
    # (b) 77000 = 70500 deposits matched + 6400 ERA4 with no deposit + 100 short on DEP2
    assert items[("ERA payments", "deposits matched to ERAs")] == 70500
    assert items[("ERA payments", "ERAs with no deposit")] == 6400
    assert items[("ERA payments", "less deposit − ERA amount differences")] == 100
    # (c) 77000 = 74750 + 3000 (ZZZ9) + 250 interest − 1000 recovery
    src = "ERA payments by source"
    assert items[(src, "claim payments on remittance claims with no submitted claim")] == 3000
    assert items[(src, "PLB interest added")] == 250
    assert items[(src, "PLB recoveries withheld")] == -1000
    assert items[(src, "PLB other")] == 0
    for check, group in detail.groupby("check"):
        assert group["amount_cents"].iloc[1:].sum() == group["amount_cents"].iloc[0], check


def test_plb_kinds(result):
    plb = result.plb
    assert list(zip(plb["reason_code"], plb["kind"], plb["amount_cents"],
                    plb["payment_effect_cents"], strict=True)) == [
        ("L6", "interest", -250, 250), ("WO", "recovery", 1000, -1000)]
    assert set(plb["trace_number"]) == {"EFT2002"}


def test_claim_balance_error_is_a_named_difference():
    # CLP04 says 7000 but 10000 − CO-45 5000 = 5000: the claim rule is off by +2000
    # (actual − expected), so 10000 charge = 7000 paid + 5000 CO − 2000 balance error.
    claims = _claims().iloc[:1]
    lines = pd.DataFrame([("C1", 1, "99213", "", 1, 10000)],
                         columns=["claim_id", "line_no", "cpt", "modifiers", "units",
                                  "charge_cents"])
    bad = ClaimPayment("C1", "1", 10000, 7000, 0, "P1", adjustments=(co("45", 5000),))
    text = write_835([payment("T1", NWH, dt.date(2025, 3, 20), (bad,))], sender_id="P",
                     receiver_id="R", control_number=5, created=dt.datetime(2025, 3, 20),
                     check_balance=False)
    remit = parse_835(text)
    res = billing.reconcile(remit, claims, lines, _fee_schedule(), _deposits().iloc[:0],
                            as_of=AS_OF)
    items = {i: a for c, i, a in res.control_detail.itertuples(index=False) if c == "charges"}
    assert items["claim balance errors in the 835s"] == -2000
    assert items["unexplained difference"] == 0
    assert res.control_summary["balanced"].all()


# ---- balances and aging ----------------------------------------------------------------------


def test_open_balances(result):
    ins = by_claim(result.balances, "insurance_open_cents")
    pat = by_claim(result.balances, "patient_open_cents")
    # C5 denied amount stays open; C7 never answered; every paid claim is closed
    assert {k: v for k, v in ins.items() if v} == {"C5": 20000, "C7": 15000}
    # patient A/R: PR-2 on C1, C9, C10 and the whole self-pay C8
    assert {k: v for k, v in pat.items() if v} == {"C1": 2000, "C8": 12000, "C9": 1600,
                                                   "C10": 1600}


def test_patient_payments_posted_reduce_patient_balance(remittance):
    res = billing.reconcile(remittance, _claims(), _claim_lines(), _fee_schedule(),
                            _deposits(), as_of=AS_OF, payments_posted=_payments_posted())
    assert by_claim(res.balances, "patient_open_cents")["C1"] == 0
    kpi = res.kpis.set_index("key")["value"]
    assert kpi["posting_lag_days"] == pytest.approx(3.0)
    # (74750 insurance + 2000 patient) / (175000 − 48050 contractual)
    assert kpi["net_collection_rate"] == pytest.approx(76750 / 126950)


def test_aging_buckets_at_boundaries():
    as_of = pd.Timestamp("2025-12-31")
    ages = [0, 30, 31, 60, 61, 90, 91, 120, 121, 400]
    balances = pd.DataFrame({
        "payer_id": ["NWH"] * 10,
        "date_of_service": [as_of - pd.Timedelta(days=d) for d in ages],
        "submitted_date": [as_of] * 10,
        "insurance_open_cents": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    })
    table = billing.aging(balances, as_of).iloc[0]
    assert table["days_0_30_cents"] == 1 + 2          # 0 and 30 days
    assert table["days_31_60_cents"] == 4 + 8         # 31 and 60
    assert table["days_61_90_cents"] == 16 + 32
    assert table["days_91_120_cents"] == 64 + 128     # 91 and 120
    assert table["days_over_120_cents"] == 256 + 512  # 121 and 400
    assert table["total_cents"] == 1023
    by_submission = billing.aging(balances, as_of, age_from="submitted_date").iloc[0]
    assert by_submission["days_0_30_cents"] == 1023
    with pytest.raises(ParameterError):
        billing.aging(balances, as_of, age_from="posted")


def test_aging_of_the_scenario(result):
    # at 2025-04-30: C5 DOS 03-01 is 60 days old; C7 DOS 01-02 is 118 days old
    table = result.aging.set_index("payer_id")
    assert table.loc["NWH", "days_31_60_cents"] == 20000
    assert table.loc["NWH", "days_91_120_cents"] == 15000
    assert table.loc["NWH", "total_cents"] == 35000
    assert list(table.index) == ["NWH"]
    patient = result.patient_aging.set_index("payer_id")["total_cents"].to_dict()
    assert patient == {"MCR": 3200, "NWH": 2000, "SELF": 12000}


# ---- KPIs -------------------------------------------------------------------------------------


def test_kpi_formulas():
    assert billing.net_collection_rate(9000, 20000, 10000) == 0.9
    assert billing.gross_collection_rate(9000, 20000) == 0.45
    assert billing.days_in_ar(300000, 900000, 90) == 30.0
    assert np.isnan(billing.gross_collection_rate(0, 0))


def test_kpis_of_the_scenario(result):
    kpi = result.kpis.set_index("key")
    value = kpi["value"]
    # charges 175000, payments 74750, contractual (CO-45 only; CO-50 is a denial)
    # 6050 + 10000 + 6000 + 11000 + 1000 + 7000 + 7000 = 48050
    assert value["net_collection_rate"] == pytest.approx(74750 / (175000 - 48050))
    assert value["gross_collection_rate"] == pytest.approx(74750 / 175000)
    # insurance A/R 35000; insured charges with DOS in (01-30, 04-30]: 175000 − C7 − C8
    assert value["days_in_ar"] == pytest.approx(35000 / (148000 / 90))
    # first responses: C1 C2 C3 C4 C5 (ERA1), C6 (ERA2), C9, C10 → 1 of 8 denied (C5)
    assert value["initial_denial_rate"] == pytest.approx(1 / 8)
    # 20000 / (18000 + 20000 + 15000 + 15000 + 20000 + 5000 + 15000 + 15000)
    assert value["initial_denial_rate_dollars"] == pytest.approx(20000 / 123000)
    assert value["ar_over_90_pct"] == pytest.approx(15000 / 35000)
    assert value["ar_over_120_pct"] == 0
    # first payment − submitted (03-03): C1-C4 03-20 = 17, C6 03-27 = 24, C9 03-21 = 18,
    # C10 03-18 = 15 → 125 / 7
    assert value["average_days_to_payment"] == pytest.approx(125 / 7)
    assert np.isnan(value["posting_lag_days"])
    assert result.breached == ["net_collection_rate", "initial_denial_rate"]
    assert not kpi.loc["days_in_ar", "breached"]
    assert [k.name for k in billing.report_kpis(result.kpis)][:2] == [
        "Net collection rate", "Gross collection rate"]


def test_kpi_targets_are_parameters():
    table = billing.kpi_frame({"days_in_ar": 45.0}, {"days_in_ar": 50.0})
    assert not table.set_index("key").loc["days_in_ar", "breached"]
    with pytest.raises(ParameterError, match="days_in_a_r"):
        billing.kpi_frame({}, {"days_in_a_r": 1.0})


# ---- denials ----------------------------------------------------------------------------------


def test_denials_breakdowns(result):
    den = result.denials
    assert list(zip(den["claim_id"], den["line_no"], den["cpt"], den["carc"],
                    den["denied_cents"], strict=True)) == [("C5", 1, "99214", "CO-50", 20000)]
    top = billing.top_denial_reasons(den)
    assert top.loc[0, "description"] == "payer judges the service not medically necessary"
    assert top.loc[0, "share"] == 1.0
    by_npi = billing.denials_by(den, "rendering_npi")
    assert by_npi[["rendering_npi", "claims", "denied_cents"]].values.tolist() == [
        ["1111111111", 1, 20000]]
    cats = billing.adjustments_by_category(result.adjustments).set_index(
        ["category", "group_code"])["amount_cents"]
    assert cats[("denial to work", "CO")] == 20000
    assert cats[("contractual", "CO")] == 48050


def _denials_with_remarks(result) -> pd.DataFrame:
    """C5's CO-50 denial split over two ERAs with different claim remark codes (MIA/MOA), plus
    a CO-96 on the same line and a claim-level CO-97 with no remark code at all."""
    adj = result.adjustments
    c50 = adj[(adj["claim_id"] == "C5").fillna(False).to_numpy(dtype=bool)]
    assert len(c50) == 1
    line_seq = c50["line_seq"].iloc[0]
    rows = pd.concat([c50] * 4, ignore_index=True)
    rows["amount_cents"] = [15000, 5000, 1000, 700]
    rows["reason_code"] = ["50", "50", "96", "97"]
    rows["claim_remark_codes"] = pd.array(["N20;MA01", "MA01;N20;M15", None, None], dtype="string")
    rows["line_seq"] = pd.array([line_seq, line_seq, line_seq, None], dtype="Int64")
    lines = result.line_matches.copy()
    lines["remark_codes"] = lines["remark_codes"].astype("string").mask(
        (lines["line_seq"] == line_seq).fillna(False).to_numpy(dtype=bool), "N130;M15;N130")
    return billing.denials(rows, lines, result.balances)


def test_remark_codes_are_distinct_sorted_and_joined_per_group(result):
    den = _denials_with_remarks(result)
    # CO-50: claim codes N20, MA01 and MA01, N20, M15 with the line's N130, M15, N130;
    # CO-96: the line's only; CO-97: claim level, no codes. Sorted as text: M15 < MA01
    # ('1' < 'A'), N130 < N20 ('1' < '2').
    assert den[["carc", "denied_cents"]].values.tolist() == [
        ["CO-50", 20000], ["CO-96", 1000], ["CO-97", 700]]
    assert den["remark_codes"].tolist() == ["M15;MA01;N130;N20", "M15;N130", pd.NA]
    by_claim = billing.denials_by(den, "claim_id")
    assert by_claim["remark_codes"].tolist() == ["M15;MA01;N130;N20"]
    by_carc = billing.denials_by(den, "carc")
    assert by_carc[["carc", "remark_codes"]].values.tolist() == [
        ["CO-50", "M15;MA01;N130;N20"], ["CO-96", "M15;N130"], ["CO-97", pd.NA]]
    lists = billing.worklists(replace(result, denials=den), _claims())
    row = lists["denials"].iloc[0]
    assert (row["claim_id"], row["carcs"], row["remark_codes"], row["denied_cents"]) == (
        "C5", "CO-50;CO-96;CO-97", "M15;MA01;N130;N20", 21700)
    assert row["reasons"] == "; ".join(sorted(carc_description(r) for r in ("50", "96", "97")))


def test_first_response_ignores_reversals(result):
    first = result.first_responses.set_index("claim_id")
    assert first.loc["C3", "paid_cents"] == 10000  # the original, not the reversal
    assert first["denied"].sum() == 1


# ---- worklists --------------------------------------------------------------------------------


def test_worklists_without_patient_data(result):
    lists = billing.worklists(result, _claims())
    assert set(lists) == {"denials", "underpayments", "remittances_without_claim",
                          "claims_never_answered", "eras_without_deposit",
                          "deposits_without_era", "ar_over_90"}
    for frame in lists.values():
        assert not set(billing.PATIENT_COLUMNS) & set(frame.columns)
    assert lists["denials"][["claim_id", "carcs", "denied_cents"]].values.tolist() == [
        ["C5", "CO-50", 20000]]
    # no remark code anywhere: missing, in a text column like the others (it used to come
    # out as an Arrow column of type null)
    assert lists["denials"]["remark_codes"].isna().all()
    for column in ("carcs", "reasons", "remark_codes"):
        assert lists["denials"][column].dtype == "string"
    assert lists["claims_never_answered"]["claim_id"].tolist() == ["C7"]  # 114 > 60 days
    assert lists["ar_over_90"]["claim_id"].tolist() == ["C7"]             # 118 days
    assert lists["remittances_without_claim"]["remit_claim_id"].tolist() == ["ZZZ9"]


def test_worklists_with_patient_data(result):
    lists = billing.worklists(result, _claims(), show_patient_names=True)
    denials = lists["denials"]
    assert denials.loc[0, "patient_name"] == "Patient 4"
    assert denials.loc[0, "member_id"] == "M004"
    assert set(billing.PATIENT_COLUMNS) <= set(lists["ar_over_90"].columns)
    assert set(billing.PATIENT_COLUMNS) <= set(lists["remittances_without_claim"].columns)


def test_write_worklists(result, tmp_path):
    lists = billing.worklists(result, _claims())
    paths = write_worklists(lists, tmp_path / "out")
    assert [p.name for p in paths] == ["worklists.xlsx", *[f"{n}.csv" for n in lists]]
    assert not list((tmp_path / "out").glob(".*"))  # no temporary files left
    sheets = pd.read_excel(paths[0], sheet_name=None)
    assert list(sheets) == list(lists)
    under = sheets["underpayments"]
    assert "shortfall_cents" not in under.columns
    assert under["shortfall"].tolist() == [2.0, 10.0]
    assert under["contract_allowed"].tolist() == [12.0, 100.0]
    csv = pd.read_csv(tmp_path / "out" / "underpayments.csv", dtype=str)
    assert csv["shortfall"].tolist() == ["2.00", "10.00"]
    deposits = pd.read_csv(tmp_path / "out" / "deposits_without_era.csv", dtype=str)
    assert deposits["amount"].tolist() == ["64.00", "50.00"]
    assert deposits["posted_date"].tolist() == ["2025-04-15", "2025-03-25"]


def test_worklist_names_are_checked(tmp_path):
    with pytest.raises(ParameterError):
        write_worklists({"bad/name": pd.DataFrame()}, tmp_path)


# ---- bad input --------------------------------------------------------------------------------


def test_duplicate_claim_ids_name_the_rows():
    claims = _claims()
    claims.loc[3, "claim_id"] = "C1"
    with pytest.raises(DataError, match=r"rows 2, 5") as err:
        billing.check_inputs(claims, _claim_lines())
    assert err.value.row == 2
    assert err.value.column == "claim_id"
    assert err.value.value == "C1"


def test_negative_charge_is_refused():
    lines = _claim_lines()
    lines.loc[4, "charge_cents"] = -100
    with pytest.raises(DataError, match="negative charge") as err:
        billing.check_inputs(_claims(), lines)
    assert err.value.row == 6
    assert err.value.column == "charge_cents"


def test_self_pay_payers():
    payers = pd.DataFrame({"payer_id": ["MCR", "SELF"], "type": ["Medicare", "self-pay"]})
    assert billing.self_pay_payer_ids(payers) == ["SELF"]


def test_collection_rates_count_only_settled_claims_with_a_lag(remittance):
    full = billing.reconcile(remittance, _claims(), _claim_lines(), _fee_schedule(),
                             _deposits(), as_of=AS_OF, payments_posted=_payments_posted(),
                             collection_lag_days=0)
    lag = (pd.Timestamp(AS_OF) - pd.Timestamp("2025-02-15")).days  # served by mid-February
    lagged = billing.reconcile(remittance, _claims(), _claim_lines(), _fee_schedule(),
                               _deposits(), as_of=AS_OF, payments_posted=_payments_posted(),
                               collection_lag_days=lag)
    bal = full.balances
    settled = bal[(bal["date_of_service"] <= pd.Timestamp("2025-02-15")).to_numpy()]
    assert 0 < len(settled) < len(bal)
    collected = int(settled["paid_cents"].sum() + settled["patient_paid_cents"].sum())
    expected = collected / int(settled["charge_cents"].sum() - settled["contractual_cents"].sum())
    kpi = lagged.kpis.set_index("key")["value"]
    assert kpi["net_collection_rate"] == pytest.approx(expected)
    assert kpi["gross_collection_rate"] == pytest.approx(
        collected / int(settled["charge_cents"].sum()))
    assert full.kpis.set_index("key")["value"]["net_collection_rate"] == pytest.approx(
        76750 / 126950)


def test_the_report_defaults_are_the_analysts_defaults():
    """An analyst calling the model gets the report's numbers (issue 12): the defaults of the
    functions reachable from a notebook are the declared ones."""
    import inspect

    rec = inspect.signature(billing.reconcile).parameters
    assert rec["deposit_window_days"].default == PARAMETERS["deposit_window_days"].default == 10
    assert rec["collection_lag_days"].default == PARAMETERS["collection_lag_days"].default == 60
    assert rec["age_from"].default == PARAMETERS["age_from"].default
    assert rec["min_shortfall_cents"].default == 100  # underpayment_threshold 1.00 dollar
    assert PARAMETERS["underpayment_threshold"].default == 1.0
    assert rec["min_shortfall_pct"].default == PARAMETERS["underpayment_threshold_pct"].default
    window = inspect.signature(billing.match_deposits).parameters["window_days"].default
    assert window == (0, 10)
    assert billing.DEFAULT_TARGETS == {"days_in_ar": 40.0, "net_collection_rate": 0.95,
                                       "initial_denial_rate": 0.05}
    lists = inspect.signature(billing.worklists).parameters
    assert lists["unanswered_after_days"].default == 60
    assert lists["show_patient_names"].default is False


def test_deposit_window_is_days_after_the_payment(remittance):
    # ERA4 (03-18) and DEP4 (04-15) are 28 days apart: a 28-day window pairs them, 27 does not
    def unmatched(days):
        res = billing.reconcile(remittance, _claims(), _claim_lines(), _fee_schedule(),
                                _deposits(), as_of=AS_OF, deposit_window_days=days)
        return res.deposits.eras_without_deposit["trace_number"].tolist()

    assert unmatched(27) == ["0012399"]
    assert unmatched(28) == []
    for bad in ((0, 10), -1, 10.0, True):
        with pytest.raises(ParameterError, match="deposit_window_days"):
            unmatched(bad)
    with pytest.raises(ParameterError, match="collection_lag_days"):
        billing.reconcile(remittance, _claims(), _claim_lines(), _fee_schedule(), _deposits(),
                          as_of=AS_OF, collection_lag_days=-1)
