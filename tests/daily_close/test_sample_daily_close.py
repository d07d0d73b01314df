"""The daily close's twelve planted problems are in the bundled sample, each with the ground
truth's amounts, and nothing else of its kind is.

Read from the files with plain pandas (and the 835s as text), independently of the writers
and of :mod:`pracops.data`: money from its text to integer cents, business days from the
``holidays`` package.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

from pracops import config

DATA = Path(config.SAMPLE_DIR)
AS_OF = dt.date(2025, 12, 31)
HOLIDAYS = sorted(d for d in holidays.country_holidays("US", years=(2025, 2026)))
AP_ACCOUNTS = ("5400", "5500", "6110", "6200", "6210", "6300", "6400", "6410", "6900")


def read(name: str) -> pd.DataFrame:
    """A sample file, every column as text, money columns (named as dollars) in cents."""
    frame = pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False)
    for column in frame.columns:
        if column in ("amount", "charge", "gross", "fees", "net", "balance", "paid",
                      "employer_taxes", "benefits"):
            frame[column] = [None if v == "" else int(Decimal(v) * 100) for v in frame[column]]
    return frame


def next_business_day(day: str) -> str:
    nxt = np.busday_offset(np.datetime64(day), 1, roll="forward", holidays=HOLIDAYS)
    return str(nxt)


@pytest.fixture(scope="module")
def plants() -> dict[str, dict]:
    truth = json.loads((DATA / "ground_truth.json").read_text(encoding="utf-8"))["daily_close"]
    kinds = [p["kind"] for p in truth]
    assert len(truth) == 12 and len(set(kinds)) == 12, kinds
    return {p["kind"]: p for p in truth}


@pytest.fixture(scope="module")
def desk() -> pd.DataFrame:
    return read("front_desk_payments")


@pytest.fixture(scope="module")
def deposits() -> pd.DataFrame:
    return read("deposits")


@pytest.fixture(scope="module")
def journal() -> pd.DataFrame:
    return read("pm_transactions")


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return read("claims")


@pytest.fixture(scope="module")
def bank() -> pd.DataFrame:
    return read("bank_statement")


@pytest.fixture(scope="module")
def ap() -> pd.DataFrame:
    return read("ap_invoices")


# --------------------------------------------------------------------------------------------
# Cash, checks and cards: plants 1, 2 and 3


def match_slips(desk: pd.DataFrame, deposits: pd.DataFrame) -> tuple[list[str], list[int]]:
    """Each desk day's cash and checks against the cash-slip credits of the next business day:
    the days with no credit of their amount, and the indexes of the credits left over."""
    slips = desk[desk["tender"].isin(["cash", "check"])].groupby("date")["amount"].sum()
    cash = deposits[deposits["type"] == "cash"]
    left = set(cash.index)
    missing = []
    for day, amount in slips.items():
        posted = next_business_day(day)
        if posted > AS_OF.isoformat():
            continue
        hit = [i for i in sorted(left) if cash.at[i, "posted_date"] == posted
               and cash.at[i, "amount"] == amount]
        if hit:
            left.remove(hit[0])
        else:
            missing.append(day)
    return missing, sorted(left)


def test_one_day_of_cash_never_deposited(plants, desk, deposits) -> None:
    plant = plants["undeposited_cash"]
    missing, _ = match_slips(desk, deposits)
    assert missing == [plant["date"]]
    day = desk[(desk["date"] == plant["date"]) & desk["tender"].isin(["cash", "check"])]
    assert day["amount"].sum() == plant["amount_cents"] > 0
    assert sorted(day["receipt"]) == sorted(plant["receipts"])
    assert not deposits["description"].str.endswith(plant["slip"]).any()


def test_one_check_deposited_twice(plants, desk, deposits) -> None:
    plant = plants["check_deposited_twice"]
    _, left = match_slips(desk, deposits)
    assert len(left) == 1  # every other cash-slip credit is one day's cash and checks
    extra = deposits.loc[left[0]]
    assert extra["deposit_id"] == plant["deposit_id"]
    assert extra["amount"] == plant["amount_cents"]
    assert extra["posted_date"] == plant["posted_date"]
    check = desk[desk["receipt"] == plant["receipt"]].iloc[0]
    assert check["tender"] == "check" and check["check_number"] == plant["check_number"]
    assert check["amount"] == plant["amount_cents"] and check["date"] == plant["date"]
    assert next_business_day(check["date"]) == extra["posted_date"]  # its slip's day too


def test_one_card_settlement_short_and_cards_deposited_net(plants, deposits, journal) -> None:
    plant = plants["card_settlement_short"]
    cs = read("card_settlements")
    short = cs[cs["gross"] - cs["fees"] - cs["net"] != 0]
    assert short["batch_date"].tolist() == [plant["batch_date"]]
    row = short.iloc[0]
    assert row["gross"] - row["fees"] - row["net"] == plant["short_cents"] > 0
    assert (row["gross"], row["fees"], row["net"]) == (
        plant["gross_cents"], plant["fees_cents"], plant["net_cents"])
    # Each settlement is the card credit of its day, for its net.
    cards = deposits[deposits["type"] == "card"].set_index("posted_date")
    assert len(cards) == len(cs) and cards.index.is_unique
    assert (cards.loc[cs["settlement_date"], "amount"].to_numpy() == cs["net"].to_numpy()).all()
    assert cards.loc[plant["settlement_date"], "deposit_id"] == plant["deposit_id"]
    assert (cs["settlement_date"] == cs["batch_date"].map(next_business_day)).all()
    # Gross: the day's card payments, at the desk and on the portal; fees 2.6 % + $0.10 each.
    posted = read("payments_posted")
    card_receipts = set(read("front_desk_payments").query("tender == 'card'")["receipt"])
    desk_receipts = set(read("front_desk_payments")["receipt"])
    patient = posted[posted["source"] == "patient"]
    card = patient[patient["reference"].isin(card_receipts)
                   | ~patient["reference"].isin(desk_receipts)]
    gross = card.groupby("posted_date")["amount"].sum()
    fees = card.assign(fee=(card["amount"] * 260 + 5000) // 10000 + 10).groupby(
        "posted_date")["fee"].sum()
    assert (gross.loc[cs["batch_date"]].to_numpy() == cs["gross"].to_numpy()).all()
    assert (fees.loc[cs["batch_date"]].to_numpy() == cs["fees"].to_numpy()).all()
    portal = journal[(journal["kind"] == "payment") & (journal["user"] == "PORTAL")]
    assert set(portal["reference"]) == set(patient["reference"]) - desk_receipts


def test_front_desk_is_the_journal_s_desk_payments(desk, journal) -> None:
    payments = journal[journal["kind"] == "payment"].set_index("reference")
    rows = payments.loc[desk["receipt"]]
    assert (rows["amount"].to_numpy() == -desk["amount"].to_numpy()).all()
    assert (rows["posted_date"].to_numpy() == desk["date"].to_numpy()).all()
    assert (rows["user"].to_numpy() == desk["user"].to_numpy()).all()
    assert (desk["batch"] == desk["date"].str[2:].str.replace("-", "") + "-"
            + desk["user"]).all()
    assert ((desk["tender"] == "check") == (desk["check_number"] != "")).all()
    assert desk["patient_account"].str.fullmatch(r"PT\d{5}").all()


# --------------------------------------------------------------------------------------------
# Charges: plants 4 and 5


def test_every_completed_visit_is_charged_but_one(plants, claims, journal) -> None:
    plant = plants["missed_charge"]
    appts = read("appointments")
    done = appts[(appts["status"] == "completed") & (appts["date"] <= AS_OF.isoformat())]
    missed = sorted(set(done["appointment_id"]) - set(claims["appointment_id"]))
    assert missed == [plant["appointment_id"]]
    visit = done[done["appointment_id"] == plant["appointment_id"]].iloc[0]
    assert visit["patient_id"] == plant["patient_account"]
    assert visit["date"] == plant["date_of_service"]
    assert set(claims["appointment_id"]) <= set(done["appointment_id"])
    assert plant["unused_claim_id"] not in set(claims["claim_id"])
    # Nothing else shows it: no charge, payment or posting under its claim number.
    assert plant["unused_claim_id"] not in set(journal["claim_id"])
    assert plant["unused_claim_id"] not in set(read("payments_posted")["claim_id"])


def test_one_line_entered_twice(plants, journal) -> None:
    plant = plants["duplicate_charge"]
    lines = read("claim_lines")
    key = ["claim_id", "cpt", "modifiers", "units", "entered_date"]
    twice = lines[lines.duplicated(key, keep=False)]
    assert twice["claim_id"].unique().tolist() == [plant["claim_id"]]
    assert sorted(twice["line_no"].astype(int)) == plant["line_nos"]
    assert set(twice["cpt"]) == {plant["cpt"]}
    assert set(twice["entered_date"]) == {plant["entered_date"]}
    assert set(twice["charge"]) == {plant["charge_cents"]}
    posted = read("payments_posted")
    assert plant["claim_id"] not in set(posted.loc[posted["source"] == "ERA", "claim_id"])
    # The journal's charges are the claim lines, row for row, on their entry dates.
    charges = journal[journal["kind"] == "charge"].set_index("reference")
    refs = lines["claim_id"] + "-" + lines["line_no"]
    assert len(charges) == len(lines) and charges.index.is_unique
    assert (charges.loc[refs, "amount"].to_numpy() == lines["charge"].to_numpy()).all()
    assert (charges.loc[refs, "posted_date"].to_numpy()
            == lines["entered_date"].to_numpy()).all()


def test_charges_entered_on_or_after_the_visit_and_by_submission(claims) -> None:
    lines = read("claim_lines").merge(claims, on="claim_id")
    assert (lines["entered_date"] >= lines["date_of_service"]).all()
    assert (lines["entered_date"] <= lines["submitted_date"]).all()
    lag = np.busday_count(lines["date_of_service"].to_numpy("datetime64[D]"),
                          lines["entered_date"].to_numpy("datetime64[D]"), holidays=HOLIDAYS)
    assert lag.max() <= 3
    by_provider = pd.Series(lag).groupby(lines["rendering_npi"]).mean()
    assert (by_provider < 2).all()  # under the default target: no provider flagged


# --------------------------------------------------------------------------------------------
# The journal against payments_posted and the ERAs: plants 6, 7 and 10


def era_adjustments() -> pd.DataFrame:
    """Per 835 claim (trace, claim, paid): its CAS sums by kind, parsed from the text."""
    rows, seen = [], set()
    for path in sorted((DATA / "era").glob("*.835")):
        segments = [s.strip().split("*") for s in path.read_text().split("~") if s.strip()]
        trace = next(s[2] for s in segments if s[0] == "TRN")
        if trace in seen:  # the file received twice
            continue
        seen.add(trace)
        current = None
        for seg in segments:
            if seg[0] == "CLP":
                current = {"trace": trace, "claim_id": seg[1], "status": seg[2],
                           "paid": int(Decimal(seg[4]) * 100), "contractual": 0,
                           "patient": 0, "denied": 0}
                rows.append(current)
            elif seg[0] == "CAS" and current is not None:
                for i in range(2, len(seg), 3):
                    if not seg[i]:
                        continue
                    cents = int(Decimal(seg[i + 1]) * 100)
                    if seg[1] == "PR":
                        current["patient"] += cents
                    elif seg[1] == "OA" or (seg[1], seg[i]) in (("CO", "45"), ("CO", "253")):
                        current["contractual"] += cents
                    else:
                        current["denied"] += cents
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def eras() -> pd.DataFrame:
    return era_adjustments()


def test_journal_payments_are_payments_posted_row_for_row(journal) -> None:
    posted = read("payments_posted")
    pay = journal[journal["kind"] == "payment"]
    a = sorted(zip(posted["claim_id"], posted["posted_date"], posted["amount"],
                   posted["reference"], strict=True))
    b = sorted(zip(pay["claim_id"], pay["posted_date"], -pay["amount"], pay["reference"],
                   strict=True))
    assert a == b


def test_one_misposted_adjustment_breaks_the_roll_forward(plants, journal, eras) -> None:
    plant = plants["misposted_adjustment"]
    posted = read("payments_posted")
    era_rows = posted[posted["source"] == "ERA"].rename(columns={"reference": "trace"})
    ledger = eras.merge(era_rows[["trace", "claim_id", "amount", "posted_date"]],
                        left_on=["trace", "claim_id", "paid"],
                        right_on=["trace", "claim_id", "amount"], how="left",
                        validate="one_to_one")
    assert ledger["posted_date"].notna().all()
    auto = journal[(journal["kind"] == "adjustment") & (journal["user"] == "ERA")]
    got = auto.rename(columns={"reference": "trace"}).groupby(
        ["trace", "claim_id"])["amount"].sum()
    want = ledger.groupby(["trace", "claim_id"])["contractual"].sum()
    diff = (-got).sub(want, fill_value=0)
    diff = diff[diff != 0]
    assert diff.index.tolist() == [(plant["trace"], plant["claim_id"])]
    assert diff.iloc[0] == plant["difference_cents"] > 0
    assert plant["posted_adjustment_cents"] - plant["era_adjustment_cents"] == diff.iloc[0]
    # The transfers carry each remittance's patient share, both sides.
    transfers = journal[journal["kind"] == "transfer"]
    assert transfers["amount"].sum() == 0
    side = transfers[transfers["responsible"] == "patient"].groupby(
        ["reference", "claim_id"])["amount"].sum()
    share = ledger[ledger["patient"] != 0].set_index(["trace", "claim_id"])["patient"]
    assert side.sort_index().equals(share.groupby(level=[0, 1]).sum().sort_index())
    # Roll-forward by day: the journal against the sub-ledger built from the claim lines,
    # payments_posted and the ERAs breaks on one day, by the stated amount.
    lines = read("claim_lines")
    day_sub = pd.concat([
        lines.groupby("entered_date")["charge"].sum(),
        -posted.groupby("posted_date")["amount"].sum(),
        -ledger.groupby("posted_date")["contractual"].sum(),
    ], axis=1).fillna(0).sum(axis=1)
    mine = journal[(journal["kind"] != "transfer")
                   & ~((journal["kind"] == "adjustment") & (journal["user"] != "ERA"))]
    day_journal = mine.groupby("posted_date")["amount"].sum()
    gap = day_journal.sub(day_sub, fill_value=0)
    gap = gap[gap != 0]
    assert gap.to_dict() == {plant["posted_date"]: -plant["difference_cents"]}


def test_only_the_planted_claims_are_denied_and_open(plants, journal, claims, eras) -> None:
    near, past = plants["filing_limit_near"], plants["filing_limit_past"]
    payer = journal[journal["responsible"] == "payer"].groupby("claim_id")["amount"].sum()
    answered = set(eras["claim_id"])
    open_answered = sorted(c for c, v in payer.items() if v > 0 and c in answered)
    assert open_answered == sorted([near["claim_id"], past["claim_id"]])
    # Every denied balance written off, and for its whole amount.
    denied = eras.groupby("claim_id")[["denied"]].sum()
    assert set(denied.index[denied["denied"] > 0]) >= set(open_answered)
    offs = journal[(journal["kind"] == "adjustment") & (journal["user"] != "ERA")]
    assert set(offs["claim_id"]) <= set(denied.index[denied["denied"] > 0])
    assert (payer.drop(plants["misposted_adjustment"]["claim_id"]) >= 0).all()
    limits = read("payers").set_index("payer_id")["timely_filing_days"]
    info = claims.set_index("claim_id")
    for plant in (near, past):
        claim = info.loc[plant["claim_id"]]
        assert claim["payer_id"] == plant["payer_id"]
        assert int(limits[claim["payer_id"]]) == plant["timely_filing_days"]
        left = (dt.date.fromisoformat(claim["date_of_service"])
                + dt.timedelta(days=plant["timely_filing_days"]) - AS_OF).days
        assert left == plant["days_left"]
        assert payer[plant["claim_id"]] == plant["open_cents"]
    assert near["days_left"] == 10 and past["days_left"] < 0
    # The claims still awaiting an answer were all sent within their payer's limit.
    waiting = info.loc[[c for c, v in payer.items() if v > 0 and c not in answered]]
    sent = (pd.to_datetime(waiting["submitted_date"]) - pd.to_datetime(
        waiting["date_of_service"])).dt.days
    assert (sent <= waiting["payer_id"].map(limits).astype(int)).all()


# --------------------------------------------------------------------------------------------
# Accounts payable: plants 8, 9 and 11


def terms(text: str) -> tuple[int, int, int]:
    m = re.fullmatch(r"(?:(\d+)/(\d+) )?net (\d+)", text)
    assert m
    return int(m.group(1) or 0), int(m.group(2) or 0), int(m.group(3))


def test_ap_ties_to_the_ledger(plants, ap) -> None:
    gl = read("gl_actuals")
    gl = gl[gl["month"].str.startswith("2025") & gl["account"].isin(AP_ACCOUNTS)]
    dup = plants["invoice_paid_twice"]["voucher_ids"][1]
    closed = ap[(ap["invoice_date"] < "2025-12") & (ap["voucher_id"] != dup)]
    sums = closed.groupby([closed["invoice_date"].str[:7], "gl_account"])["amount"].sum()
    books = gl.set_index(["month", "account"])["amount"]
    assert sums.sort_index().to_dict() == books.sort_index().to_dict()


def test_one_invoice_paid_twice(plants, ap) -> None:
    plant = plants["invoice_paid_twice"]
    paid = ap[ap["paid_date"] != ""]
    twice = paid[paid.duplicated(["vendor", "invoice_number"], keep=False)]
    assert sorted(twice["voucher_id"]) == sorted(plant["voucher_ids"])
    assert set(twice["amount"]) == {plant["amount_cents"]} == set(twice["paid"])
    assert sorted(twice["paid_date"]) == sorted(plant["paid_dates"])
    # Nor a pair under other numbers: same vendor and amount, invoiced within a week.
    for _, group in ap.groupby(["vendor", "amount"]):
        dates = sorted(pd.to_datetime(group["invoice_date"]))
        close = [b - a for a, b in zip(dates, dates[1:], strict=False)
                 if (b - a).days <= 7]
        assert not close or set(group["voucher_id"]) == set(plant["voucher_ids"])


def test_one_discount_missed(plants, ap) -> None:
    plant = plants["missed_discount"]
    paid = ap[ap["paid_date"] != ""]
    parsed = paid["terms"].map(terms)
    pct = parsed.str[0]
    days = (pd.to_datetime(paid["paid_date"]) - pd.to_datetime(paid["invoice_date"])).dt.days
    discounted = pct > 0
    late = paid[discounted & (days > parsed.str[1])]
    assert late["voucher_id"].tolist() == [plant["voucher_id"]]
    assert late.iloc[0]["paid"] == late.iloc[0]["amount"] == plant["amount_cents"]
    assert (late.iloc[0]["amount"] * 200 + 5000) // 10000 == plant["discount_cents"]
    taken = paid[discounted & (days <= parsed.str[1])]
    assert len(taken) > 10
    assert (taken["paid"] == taken["amount"] - (taken["amount"] * 200 + 5000) // 10000).all()
    assert (paid.loc[~discounted, "paid"] == paid.loc[~discounted, "amount"]).all()


def test_one_invoice_past_due(plants, ap) -> None:
    plant = plants["invoice_past_due"]
    due = ap[(ap["paid_date"] == "") & (ap["due_date"] < AS_OF.isoformat())]
    assert due["voucher_id"].tolist() == [plant["voucher_id"]]
    assert due.iloc[0]["amount"] == plant["amount_cents"]
    assert due.iloc[0]["due_date"] == plant["due_date"]
    assert (AS_OF - dt.date.fromisoformat(plant["due_date"])).days == plant["days_past_due"]


# --------------------------------------------------------------------------------------------
# The bank, payroll and the forecast: plant 12


def test_bank_credits_are_the_deposits_and_the_balance_follows(plants, bank, deposits) -> None:
    credits = bank[bank["type"] == "credit"]
    assert list(zip(credits["date"], credits["amount"], credits["description"], strict=True)) \
        == list(zip(deposits["posted_date"], deposits["amount"], deposits["description"],
                    strict=True))
    assert ((bank["amount"] > 0) == (bank["type"] == "credit")).all()
    assert (bank["balance"].diff().iloc[1:] == bank["amount"].iloc[1:]).all()
    assert bank["date"].is_monotonic_increasing
    minimum = plants["forecast_below_minimum"]["minimum_balance_cents"]
    assert bank["balance"].min() >= minimum > 0
    assert bank["balance"].iloc[-1] == plants["forecast_below_minimum"]["closing_balance_cents"]


def test_bank_debits_are_the_payments(ap, bank) -> None:
    paid = ap[ap["paid_date"] != ""]
    checks = paid[paid["payment_reference"].str.fullmatch(r"\d+")]
    cleared = bank[bank["description"].str.startswith("CHECK ")].set_index("reference")
    assert cleared.index.is_unique and set(cleared.index) <= set(checks["payment_reference"])
    amounts = checks.set_index("payment_reference")["paid"]
    assert (cleared["amount"] == -amounts.loc[cleared.index]).all()
    assert (cleared["date"] > checks.set_index("payment_reference").loc[
        cleared.index, "paid_date"]).all()
    ach = paid[paid["payment_reference"].str.startswith("ACH")].set_index("payment_reference")
    lines = bank[bank["reference"].isin(ach.index)].set_index("reference")
    assert len(lines) == len(ach)
    assert (lines["amount"] == -ach.loc[lines.index, "paid"]).all()
    assert (lines["date"] == ach.loc[lines.index, "paid_date"]).all()
    runs = read("payroll_runs")
    pay = bank[bank["description"].str.startswith(("PAYROLL", "BENEFITS"))]
    by_day = -pay.groupby("date")["amount"].sum()
    want = (runs["gross"] + runs["employer_taxes"] + runs["benefits"]).set_axis(
        runs["pay_date"])
    assert by_day.sort_index().to_dict() == want.sort_index().to_dict()


def test_payroll_from_the_roster_every_other_friday() -> None:
    runs = read("payroll_runs")
    staff = read("staff")

    def hours(shifts: str) -> float:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri"]
        total = 0.0
        for group in shifts.split("; "):
            days, span = group.split(" ")
            if "-" in days:
                a, b = days.split("-")
                count = names.index(b) - names.index(a) + 1
            else:
                count = len(days.split(","))
            start, end = (int(t[:2]) * 60 + int(t[3:]) for t in span.split("-"))
            total += count * (end - start - (60 if end - start > 360 else 0)) / 60
        return total

    gross = sum(round(int(Decimal(r) * 100) * hours(s) * 2)
                for r, s in zip(staff["hourly_rate"], staff["usual_shifts"], strict=True))
    assert set(runs["gross"]) == {gross}
    days = pd.to_datetime(runs["pay_date"])
    assert (days.dt.day_of_week == 4).all() and (days.diff().dropna().dt.days == 14).all()
    assert runs["pay_date"].iloc[0] == "2025-01-10"


def forecast(bank: pd.DataFrame, ap: pd.DataFrame, weeks: int, receipts: float,
             outflows: float, equipment: bool = True) -> np.ndarray:
    """Week-end balances of a simple 13-week forecast: the closing balance, ``receipts`` ×
    the last eight weeks' average weekly credits, and ``outflows`` × what is known to go out:
    open invoices by due date (past due in week 1), checks not cleared (week 1), payroll
    every two weeks after the last, rent, loan, provider pay and fees as in December."""
    start = pd.Timestamp(AS_OF)

    def week(day: pd.Timestamp) -> int:
        return max(1, int(np.ceil((day - start).days / 7)))

    out = np.zeros(weeks + 1)
    open_ap = ap[ap["paid_date"] == ""]
    if not equipment:
        open_ap = open_ap[open_ap["vendor"] != "MIDWESTIMG"]
    for due, amount in zip(pd.to_datetime(open_ap["due_date"]), open_ap["amount"],
                           strict=True):
        if week(due) <= weeks:
            out[week(due)] += amount
    cleared = set(bank.loc[bank["description"].str.startswith("CHECK "), "reference"])
    paid = ap[ap["paid_date"] != ""]
    outstanding = paid[paid["payment_reference"].str.fullmatch(r"\d+")
                       & ~paid["payment_reference"].isin(cleared)]
    out[1] += outstanding["paid"].sum()
    runs = read("payroll_runs")
    last = runs.iloc[-1]
    day = pd.Timestamp(last["pay_date"]) + pd.Timedelta(days=14)
    while week(day) <= weeks:
        out[week(day)] += last["gross"] + last["employer_taxes"] + last["benefits"]
        day += pd.Timedelta(days=14)
    dec = bank[bank["date"] >= "2025-12-01"]
    monthly = {key: -dec.loc[dec["description"].str.contains(key), "amount"].sum()
               for key in ("RENT", "LOAN", "PROVIDER", "SERVICE CHARGE")}
    business = pd.bdate_range("2026-01-01", "2026-04-30", freq="C", holidays=HOLIDAYS)
    for month in (1, 2, 3, 4):
        days = business[business.month == month]
        when = {"RENT": days[0], "LOAN": days[days.day >= 15][0], "PROVIDER": days[-1],
                "SERVICE CHARGE": days[-1]}
        for key, day in when.items():
            if week(day) <= weeks:
                out[week(day)] += monthly[key]
    credits = bank[(bank["type"] == "credit")
                   & (pd.to_datetime(bank["date"]) > start - pd.Timedelta(days=56))]
    weekly = credits["amount"].sum() / 8
    return bank["balance"].iloc[-1] + np.cumsum(receipts * weekly - outflows * out[1:])


def test_forecast_first_falls_below_the_minimum_in_the_stated_week(plants, bank, ap) -> None:
    plant = plants["forecast_below_minimum"]
    week, minimum, margin = plant["week"], plant["minimum_balance_cents"], 2_500_000
    invoice = ap[ap["voucher_id"] == plant["voucher_id"]].iloc[0]
    assert invoice["amount"] == plant["amount_cents"] and invoice["paid_date"] == ""
    assert plant["week_start"] <= invoice["due_date"] == plant["due_date"] <= plant["week_end"]
    assert (dt.date.fromisoformat(plant["week_start"]) - AS_OF).days == 7 * (week - 1) + 1
    weeks = plant["forecast_weeks"]
    # Before the week: above the minimum by $25,000 even at half the receipts and 110 % of
    # the outflows; in it: below by $25,000 even at 150 % of the receipts and 90 % of the
    # outflows; without the invoice the expected balance would stay above the minimum.
    pessimistic = forecast(bank, ap, weeks, 0.5, 1.1)
    optimistic = forecast(bank, ap, weeks, 1.5, 0.9)
    expected = forecast(bank, ap, weeks, 1.0, 1.0)
    assert (pessimistic[:week - 1] >= minimum + margin).all(), pessimistic
    assert optimistic[week - 1] <= minimum - margin, optimistic
    assert (expected[:week - 1] >= minimum + margin).all() and expected[week - 1] < minimum
    assert forecast(bank, ap, weeks, 1.0, 1.0, equipment=False)[week - 1] > minimum


# --------------------------------------------------------------------------------------------
# No patient names


def test_no_patient_names_in_the_daily_close_files(claims) -> None:
    names = set(claims["patient_name"])
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names) if n))
    for name in ("front_desk_payments", "card_settlements", "bank_statement", "ap_invoices",
                 "pm_transactions", "payroll_runs"):
        text = (DATA / f"{name}.csv").read_text(encoding="utf-8")
        assert not pattern.search(text), name


def test_another_practices_opening_balance_and_equipment_keep_the_forecast_plant() -> None:
    from pracops.daily_close.sample import forecast_plant_cents

    # Receipts $35,000 a week; out $30,000, $50,000 and $10,000 in weeks 1-3. At half the
    # receipts and 110 % of the outflows the balance moves -$15,500 and -$53,000 by weeks 1
    # and 2; at 150 % and 90 % it gains $76,500 by week 3.
    flows = (3_500_000, [3_000_000, 5_000_000, 1_000_000])
    # The bundled year (low and close $230,421.71): week 2 at $177,421.71 is above $175,000,
    # so no shift; the invoice need only be (230,421.71 - 125,000 + 76,500) / 0.9 =
    # $202,135.23, so it stays $260,000.
    assert forecast_plant_cents(23_042_171, 23_042_171, *flows) == (0, 26_000_000)
    # A poorer year (low and close $160,000): $68,000 short of week 2's $175,000, so $100,000
    # more; (260,000 - 125,000 + 76,500) / 0.9 = $235,000, still $260,000.
    assert forecast_plant_cents(16_000_000, 16_000_000, *flows) == (10_000_000, 26_000_000)
    # A richer one (low and close $520,000) opens $200,000 poorer (-$300,000 would leave week
    # 2 at $167,000); (320,000 - 125,000 + 76,500) / 0.9 = $301,666.67: $310,000.
    assert forecast_plant_cents(52_000_000, 52_000_000, *flows) == (-20_000_000, 31_000_000)
    # A 12-provider practice: receipts $88,000 a week, out $39,000, $91,000 and $7,000; low
    # $260,671.71 (-$100,000 would take it under $200,000), close $404,135.01. At 150 % and
    # 90 % it gains $272,700 by week 3: (404,135.01 - 125,000 + 272,700) / 0.9 = $613,150.01,
    # so an invoice of $620,000.
    assert forecast_plant_cents(26_067_171, 40_413_501, 8_800_000,
                                [3_900_000, 9_100_000, 700_000]) == (0, 62_000_000)
