"""The daily close on a sample it was not written against: another seed's year, with other
plants (other days, claims, vouchers, amounts), must give exactly its ground truth's twelve
problems and nothing else, with every control total holding.

Seed 1 was chosen for what it exercises beyond the bundled sample: its visit never charged is
of Friday 26 December, exactly 3 business days old at the close (the missed-charge boundary),
and its STAPLES month was split into two bills of the same amount a week apart under unrelated
numbers (two invoices, not one paid twice). Generating the sample takes about 25-45 s here.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import pracops.daily_close  # noqa: F401  (registers the datasets)
from pracops import data
from pracops.daily_close import cash, ledger
from pracops.daily_close import payables as pay
from pracops.data.checked import read_835
from pracops.sample.generator import generate

SEED = 1
NAMES = ("front_desk_payments", "pm_transactions", "deposits", "bank_statement",
         "card_settlements", "ap_invoices", "payroll_runs", "claim_lines", "claims", "payers",
         "payments_posted", "appointments", "providers", "staff")

# How each plant is found: (the day it belongs to or None, the reference, the amount or None),
# from the ground truth's own fields.
KEYS = {
    "missed_charge": lambda p: (p["date_of_service"], p["appointment_id"], None),
    "duplicate_charge": lambda p: (p["entered_date"], p["claim_id"], p["charge_cents"]),
    "undeposited_cash": lambda p: (p["date"], p["slip"], p["amount_cents"]),
    "card_settlement_short": lambda p: (p["batch_date"], p["deposit_id"], p["short_cents"]),
    "check_deposited_twice": lambda p: (p["date"], p["deposit_id"], p["amount_cents"]),
    "invoice_paid_twice": lambda p: (p["paid_dates"][1], p["voucher_ids"][1],
                                     p["amount_cents"]),
    "missed_discount": lambda p: (p["paid_date"], p["voucher_id"], p["discount_cents"]),
    "invoice_past_due": lambda p: (p["due_date"], p["voucher_id"], p["amount_cents"]),
    "filing_limit_near": lambda p: (None, p["claim_id"], p["open_cents"]),
    "filing_limit_past": lambda p: (None, p["claim_id"], p["open_cents"]),
    "misposted_adjustment": lambda p: (p["posted_date"], p["transaction_id"],
                                       p["difference_cents"]),
    "forecast_below_minimum": lambda p: (p["week_start"], f"week {p['week']}", None),
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> dict:
    folder = generate(tmp_path_factory.mktemp(f"seed{SEED}"), seed=SEED)
    frames = {n: data.load(n, folder) for n in NAMES}
    frames["era"] = read_835(folder / "era")
    frames["truth"] = json.loads((folder / "ground_truth.json").read_text())["daily_close"]
    return frames


@pytest.fixture(scope="module")
def results(seed) -> dict:
    f = seed
    close = cash.day_close(f["front_desk_payments"], f["pm_transactions"], deposits=f["deposits"],
                           bank_statement=f["bank_statement"],
                           card_settlements=f["card_settlements"])
    day = close.close_date
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    minimum = next(p for p in f["truth"] if p["kind"] == "forecast_below_minimum")[
        "minimum_balance_cents"]
    return {
        "close": close,
        "recs": [cash.bank_reconciliation(f["bank_statement"], deposits=f["deposits"],
                                          ap_invoices=f["ap_invoices"],
                                          payroll_runs=f["payroll_runs"], month=m)
                 for m in months],
        "roll": ledger.ar_rollforward(f["pm_transactions"], f["claim_lines"], f["claims"],
                                      f["payers"], f["payments_posted"], f["era"], day),
        "capture": ledger.charge_capture(f["appointments"], f["claims"], f["claim_lines"], day,
                                         missed_charge_days=3, charge_lag_target_days=2,
                                         providers=f["providers"]),
        "filing": ledger.timely_filing(f["claims"], f["payers"], f["pm_transactions"],
                                       f["era"], day, filing_warning_days=30),
        "ap": pay.accounts_payable(f["ap_invoices"], day),
        "forecast": pay.cash_forecast(f["bank_statement"], f["ap_invoices"],
                                      f["pm_transactions"], f["claims"], day, staff=f["staff"],
                                      payroll_runs=f["payroll_runs"],
                                      minimum_balance_cents=minimum),
    }


def test_every_plant_found_exactly_and_nothing_else(seed, results) -> None:
    assert results["close"].close_date == pd.Timestamp("2025-12-31")
    frames = [results["close"].findings, *(r.findings for r in results["recs"])]
    frames += [results[k].findings for k in ("roll", "capture", "filing", "ap", "forecast")]
    found = pd.concat(frames, ignore_index=True)
    # Twelve plants of twelve kinds: one finding of each kind, none of any other.
    assert sorted(found["kind"]) == sorted(p["kind"] for p in seed["truth"])
    assert len(found) == 12
    got = found.set_index("kind")
    for plant in seed["truth"]:
        day, reference, amount = KEYS[plant["kind"]](plant)
        row = got.loc[plant["kind"]]
        # A missed charge's amount (the usual charge) and a filing plant's day (the limit's)
        # are the report's own: the ground truth does not state them.
        assert row["reference"] == reference, plant
        assert day is None or row["date"] == pd.Timestamp(day), plant
        assert amount is None or row["amount_cents"] == amount, plant
    assert not found["detail"].str.contains(r"PT\d{5}").any()
    assert (found["amount_cents"] > 0).all()


def test_control_totals_hold(results) -> None:
    assert (results["close"].control["unexplained_cents"] == 0).all()
    assert results["roll"].holds
    assert all(r.reconciled for r in results["recs"])
