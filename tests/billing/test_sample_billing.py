"""The sample practice's billing year: datasets, remittances, deposits and the injected problems.

Expected values are computed here from the files themselves (and a few facts stated
independently: the 2025 federal holidays, the 835 balancing rules, business-day arithmetic),
then compared with what the generator wrote and with its ground truth.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pracops import config, data, sample
from pracops.errors import DataError
from pracops.x12 import Remittance, codes, read_835

AS_OF = pd.Timestamp("2025-12-31")
HOLIDAYS_2025 = {  # stated here again, from the OPM calendar
    "2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04",
    "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25"}
BUSINESS = pd.offsets.CustomBusinessDay(holidays=sorted(HOLIDAYS_2025))
SURGICAL = {"17110", "11102", "20610", "69210"}
EM = {f"9920{n}" for n in range(2, 6)} | {f"9921{n}" for n in range(2, 6)}


@dataclass
class Bundle:
    """The bundled sample, loaded once."""

    frames: dict[str, pd.DataFrame]
    remit: Remittance
    truth: list[dict]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def kind(self, kind: str) -> list[dict]:
        return [p for p in self.truth if p["kind"] == kind]


@pytest.fixture(scope="module")
def s() -> Bundle:
    names = ["locations", "providers", "payers", "appointments", "claims", "claim_lines",
             "fee_schedule", "deposits", "payments_posted"]
    frames = {name: data.load(name) for name in names}
    remit = read_835(data.era_dir(), pattern="*.835")
    truth = json.loads((config.SAMPLE_DIR / sample.GROUND_TRUTH).read_text(encoding="utf-8"))
    return Bundle(frames, remit, truth["billing"])


def business_days_between(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """How many business days after ``start`` ``end`` is (0 on the same day)."""
    return len(pd.bdate_range(start, end, freq=BUSINESS)) - 1


# --------------------------------------------------------------------------------------------
# Datasets


def test_billing_datasets_are_registered_and_load(s: Bundle) -> None:
    for name in ("appointments", "claims", "claim_lines", "fee_schedule", "deposits",
                 "payments_posted"):
        assert name in data.DATASETS
        assert len(s[name]) > 0
    assert data.DATASETS["payments_posted"].optional
    assert data.DATASETS["claim_lines"].key == ("claim_id", "line_no")
    assert data.DATASETS["fee_schedule"].key == ("payer_id", "cpt", "modifier")
    # "" (not missing) where a line or a price has no modifier, as in the remittances.
    assert s["claim_lines"]["modifiers"].notna().all()
    assert set(s["claim_lines"]["modifiers"]) == {"", "25", "95"}
    assert set(s["fee_schedule"]["modifier"]) == {"", "95"}


def test_era_dir_and_manifest_files(tmp_path: Path) -> None:
    folder = data.era_dir()
    assert folder == config.SAMPLE_DIR / "era"
    eras = sorted(folder.glob("*.835"))
    listed = data.input_files()
    assert set(eras) <= set(listed)
    assert {p.name for p in listed} >= {"claims.csv", "deposits.csv", "fee_schedule.csv"}
    with pytest.raises(DataError, match="no folder of remittance files") as err:
        data.era_dir(tmp_path)
    assert err.value.file == str(tmp_path / "era")


def test_claim_line_numbers_are_checked(tmp_path: Path) -> None:
    (tmp_path / "claim_lines.csv").write_text(
        "claim_id,line_no,cpt,modifiers,units,charge\n"
        "C1,1,99213,,1,185.00\nC1,3,36415,,1,25.00\n")
    with pytest.raises(DataError, match="not numbered") as err:
        data.load("claim_lines", tmp_path)
    assert err.value.row == 3
    (tmp_path / "claim_lines.csv").write_text(
        "claim_id,line_no,cpt,modifiers,units,charge\nC1,1,99213,,0,185.00\n")
    with pytest.raises(DataError, match="out of range"):
        data.load("claim_lines", tmp_path)


def test_appointment_booked_after_its_date_is_refused(tmp_path: Path) -> None:
    (tmp_path / "appointments.csv").write_text(
        "appointment_id,patient_id,provider_id,location_id,date,start_time,visit_type,"
        "scheduled_minutes,status,booked_date\n"
        "A1,PT1,P001,MAIN,2025-03-03,08:00,established,20,completed,2025-03-04\n")
    with pytest.raises(DataError, match="booked after its date") as err:
        data.load("appointments", tmp_path)
    assert err.value.column == "booked_date"


# --------------------------------------------------------------------------------------------
# Appointments


def test_schedule_keeps_to_the_calendar_and_opening_hours(s: Bundle) -> None:
    appts = s["appointments"]
    assert (appts["date"].dt.day_of_week < 5).all()
    assert not appts["date"].dt.strftime("%Y-%m-%d").isin(HOLIDAYS_2025).any()
    hours = s["locations"].set_index("location_id")
    start = appts["start_time"].map(lambda t: int(t[:2]) * 60 + int(t[3:]))
    opens = appts["location_id"].map(hours["opens"]).map(lambda t: int(t[:2]) * 60 + int(t[3:]))
    closes = appts["location_id"].map(hours["closes"]).map(
        lambda t: int(t[:2]) * 60 + int(t[3:]))
    assert (start >= opens).all()
    assert (start + appts["scheduled_minutes"] <= closes).all()
    minutes = appts.groupby("visit_type", observed=True)["scheduled_minutes"].unique()
    assert {k: list(v) for k, v in minutes.items()} == {
        "new patient": [40], "established": [20], "annual wellness": [30], "procedure": [30],
        "telehealth": [15]}
    home = s["providers"].set_index("provider_id")["location_id"]
    assert (appts["location_id"] == appts["provider_id"].map(home)).all()
    # Only what lies after the report date is merely booked, and it is all booked.
    future = appts["date"] > AS_OF
    assert (appts.loc[future, "status"] == "booked").all()
    assert (appts.loc[~future, "status"] != "booked").all()
    assert (appts.loc[future, "booked_date"] <= AS_OF).all()
    assert appts["date"].max() < pd.Timestamp("2026-03-01")


def test_volume_and_rates_are_believable(s: Bundle) -> None:
    appts = s["appointments"]
    year = appts[appts["date"] <= AS_OF]
    rates = year["status"].value_counts(normalize=True)
    assert 15_000 <= (year["status"] == "completed").sum() <= 20_000
    assert 0.04 <= rates["no-show"] <= 0.08
    assert 0.06 <= rates["cancelled"] <= 0.10
    no_shows = year.groupby("visit_type", observed=True)["status"].apply(
        lambda x: (x == "no-show").mean())
    assert no_shows["new patient"] > no_shows["procedure"]
    # Per clinic day: Mondays busiest, Fridays lightest; January above August.
    done = year[year["status"] == "completed"]
    per_day = done.groupby("date").size()
    by_weekday = per_day.groupby(per_day.index.day_of_week).mean()
    assert by_weekday.idxmax() == 0 and by_weekday.idxmin() == 4
    by_month = per_day.groupby(per_day.index.month).mean()
    assert by_month[1] > by_month[8] and by_month.idxmin() == 8
    # Scheduled visits per provider and working day near the provider's target.
    providers = s["providers"].set_index("provider_id")
    booked = year.groupby(["provider_id", "date"]).size().groupby("provider_id").mean()
    ratio = booked / providers["visits_per_day_target"]
    assert ratio.between(0.85, 1.15).all(), ratio


# --------------------------------------------------------------------------------------------
# Claims


def daily_close_plants() -> dict[str, dict]:
    """The daily close's plants in billing's files (its ground truth), by kind."""
    truth = json.loads((config.SAMPLE_DIR / sample.GROUND_TRUTH).read_text(encoding="utf-8"))
    return {p["kind"]: p for p in truth["daily_close"]}


def card_fees() -> pd.Series:
    """What the card processor kept of each day's batch (fees, and the planted shortfall), by
    the day it settled: the card deposits are the batches net of it."""
    cs = pd.read_csv(config.SAMPLE_DIR / "card_settlements.csv", dtype=str)
    kept = [round((float(g) - float(n)) * 100) for g, n in zip(cs["gross"], cs["net"],
                                                                strict=True)]
    return pd.Series(kept, index=pd.DatetimeIndex(cs["settlement_date"]))


def test_one_claim_per_completed_appointment(s: Bundle) -> None:
    appts, claims = s["appointments"], s["claims"]
    completed = appts[appts["status"] == "completed"]
    assert claims["appointment_id"].is_unique
    # Every completed visit but the daily close's planted one (never charged) has its claim.
    missed = daily_close_plants()["missed_charge"]["appointment_id"]
    assert set(claims["appointment_id"]) | {missed} == set(completed["appointment_id"])
    both = claims.merge(completed, on="appointment_id", suffixes=("", "_appt"))
    assert len(both) == len(claims)
    assert (both["patient_id"] == both["patient_id_appt"]).all()
    assert (both["date_of_service"] == both["date"]).all()
    assert (both["location_id"] == both["location_id_appt"]).all()
    npi = s["providers"].set_index("provider_id")["npi"]
    assert (both["rendering_npi"] == both["provider_id"].map(npi)).all()
    lag = [business_days_between(d, t) for d, t in zip(claims["date_of_service"],
                                                        claims["submitted_date"], strict=True)]
    assert (claims["submitted_date"] <= AS_OF).all()
    assert Counter(lag).most_common(1)[0][0] in range(1, 6)
    assert sum(n for days, n in Counter(lag).items() if days > 5) == 1  # the late one
    assert set(s["claim_lines"]["claim_id"]) == set(claims["claim_id"])


def test_patients_keep_their_details_and_payer(s: Bundle) -> None:
    claims = s["claims"]
    per_patient = claims.groupby("patient_id")[
        ["patient_name", "patient_dob", "payer_id", "member_id"]].nunique(dropna=False)
    assert (per_patient == 1).all().all()
    self_pay = claims["payer_id"] == "SELF"
    assert claims.loc[self_pay, "member_id"].isna().all()
    assert claims.loc[~self_pay, "member_id"].notna().all()
    assert 0.03 <= self_pay.mean() <= 0.07
    assert set(claims["payer_id"]) == set(s["payers"]["payer_id"])
    medicare_age = (claims["date_of_service"] - claims["patient_dob"]).dt.days / 365.25
    assert (medicare_age[claims["payer_id"] == "MCR"] >= 64).all()


def test_coding_follows_the_visit(s: Bundle) -> None:
    lines = s["claim_lines"].merge(s["claims"][["claim_id", "appointment_id", "payer_id",
                                                 "date_of_service"]], on="claim_id")
    lines = lines.merge(s["appointments"][["appointment_id", "visit_type"]],
                        on="appointment_id")
    first = lines[lines["line_no"] == 1]
    codes_by_type = first.groupby("visit_type", observed=True)["cpt"].agg(set)
    assert codes_by_type["new patient"] <= {"99202", "99203", "99204", "99205"}
    assert codes_by_type["telehealth"] <= {"99212", "99213", "99214"}
    assert (first.loc[first["visit_type"] == "telehealth", "modifiers"] == "95").all()
    wellness = first[first["visit_type"] == "annual wellness"]
    assert set(wellness.loc[wellness["payer_id"] == "MCR", "cpt"]) == {"G0439"}
    # Modifier 25 on the E/M exactly when a surgical procedure is billed the same day.
    surgical = set(lines.loc[lines["cpt"].isin(SURGICAL), "claim_id"])
    em = lines[lines["cpt"].isin(EM) & (lines["modifiers"] != "95")]
    assert ((em["modifiers"] == "25") == em["claim_id"].isin(surgical)).all()
    assert (em["modifiers"] == "25").sum() > 100
    # Flu shots only in flu season.
    flu = lines.loc[lines["cpt"] == "90686", "date_of_service"]
    assert len(flu) > 100
    assert not flu.between("2025-03-16", "2025-09-14").any()
    assert (lines["units"] > 1).any()


def test_charges_are_above_every_payers_allowed(s: Bundle) -> None:
    fees = s["fee_schedule"]
    highest = fees.groupby("cpt")["allowed_cents"].max()
    lines = s["claim_lines"]
    assert set(lines["cpt"]) <= set(highest.index)
    assert (lines["charge_cents"] > lines["cpt"].map(highest) * lines["units"]).all()
    assert lines.groupby("cpt")["charge_cents"].apply(
        lambda c: (c / lines.loc[c.index, "units"]).nunique()).eq(1).all()  # one price per CPT
    base = fees[(fees["payer_id"] == "MCR") & (fees["modifier"] == "")].set_index("cpt")
    plain = fees[fees["modifier"] == ""]
    ratio = plain["allowed_cents"] / plain["cpt"].map(base["allowed_cents"])
    by_payer = ratio.groupby(plain["payer_id"]).agg(["min", "max"])
    assert by_payer.loc["MCD"].between(0.6, 0.8).all()
    for payer_id in ("NWH", "LKM", "PRS"):
        assert by_payer.loc[payer_id].between(1.05, 1.45).all()


# --------------------------------------------------------------------------------------------
# Remittances


def line_key(remit: Remittance) -> pd.Series:
    """(claim id, claim line number) from each service line's REF*6R line control number."""
    parts = remit.service_lines["line_control_number"].str.rsplit("-", n=1, expand=True)
    assert (parts[0] == remit.service_lines["claim_id"]).all()
    return parts[1].astype(int)


def test_every_era_reads_balanced(s: Bundle) -> None:
    r = s.remit
    assert r.balance_errors.empty
    assert r.warnings.empty and r.quarantined.empty
    files = sorted(data.era_dir().glob("*.835"))
    assert len(files) == len(list(data.era_dir().iterdir()))
    # One payment per file; file name = payment date, payer, trace.
    assert r.payments["file"].is_unique and len(r.payments) == len(files)
    payers = s["payers"].set_index("n1_pr_id")["payer_id"]
    named = pd.Series([Path(f).name.split("_")[:3] for f in r.payments["file"]])
    assert (named.str[0] == r.payments["payment_date"].dt.strftime("%Y-%m-%d")).all()
    assert (named.str[1] == r.payments["payer_id"].map(payers)).all()
    assert (named.str[2].str.removesuffix(".835") == r.payments["trace_number"]).all()
    trn03 = s["payers"].set_index("payer_id")["trn03"]
    assert (r.payments["trace_payer_id"] == r.payments["payer_id"].map(payers).map(trn03)).all()
    # Files per payer counted from the names: about one a week, none for self-pay.
    per_payer = Counter(f.name.split("_")[1] for f in files)
    assert set(per_payer) == {"MCR", "MCD", "NWH", "LKM", "PRS"}
    assert all(40 <= n <= 54 for n in per_payer.values()), per_payer
    assert (r.payments["payment_method"] == r.payments["payer_id"].map(payers).map(
        {"MCD": "CHK"}).fillna("ACH")).all()
    assert (r.payments["payment_date"] <= AS_OF).all()
    assert not r.claims["claim_id"].isin(
        s["claims"].loc[s["claims"]["payer_id"] == "SELF", "claim_id"]).any()


def test_one_era_passes_pyx12(pyx12_check) -> None:
    # A Medicare file: line and claim CAS, sequestration, AMT*B6 on the lines.
    path = sorted(data.era_dir().glob("*_MCR_*.835"))[3]
    assert pyx12_check(path.read_text()) == (True, [])


def test_remittances_match_the_claims(s: Bundle) -> None:
    r = s.remit
    claims = s["claims"].set_index("claim_id")
    assert r.claims["claim_id"].isin(claims.index).all()
    assert (r.claims["patient_member_id"] == r.claims["claim_id"].map(
        claims["member_id"])).all()
    assert (r.claims["rendering_npi"] == r.claims["claim_id"].map(claims["rendering_npi"])).all()
    lines = s["claim_lines"].set_index(["claim_id", "line_no"])
    sl = r.service_lines.assign(line_no=line_key(r))
    idx = pd.MultiIndex.from_frame(sl[["claim_id", "line_no"]])
    sign = sl["charge_cents"].gt(0).map({True: 1, False: -1}).to_numpy()
    assert (sl["charge_cents"].to_numpy() * sign == lines.loc[idx, "charge_cents"].to_numpy()).all()
    assert (sl["procedure_code"].to_numpy() == lines.loc[idx, "cpt"].to_numpy()).all()
    assert (sl["modifiers"].fillna("").to_numpy() == lines.loc[idx, "modifiers"].to_numpy()).all()


def contract_allowed(s: Bundle, lines: pd.DataFrame) -> pd.Series:
    """Contract price x units: the line's modifier row if the payer has one, else the plain row."""
    fees = s["fee_schedule"].set_index(["payer_id", "cpt", "modifier"])["allowed_cents"]
    out = []
    for row in lines.itertuples():
        key = (row.payer_id, row.procedure_code, row.modifiers if pd.notna(row.modifiers)
               else "")
        price = fees[key] if key in fees.index else fees[(row.payer_id, row.procedure_code, "")]
        out.append(int(price) * int(row.units))
    return pd.Series(out, index=lines.index)


def test_allowed_is_the_contract_except_the_injected_underpayments(s: Bundle) -> None:
    r = s.remit
    payers = s["payers"].set_index("n1_pr_id")["payer_id"]
    claims = r.claims.merge(r.payments[["payment_seq", "payer_id"]], on="payment_seq",
                            suffixes=("", "_pr"))
    claims["payer"] = claims["payer_id"].map(payers)
    sl = r.service_lines.assign(line_no=line_key(r)).merge(
        claims[["claim_seq", "payer", "status"]], on="claim_seq")
    sl = sl.rename(columns={"payer": "payer_id"})
    # Allowed: AMT*B6 where sent, else charge less the contractual CO-45 (Medicaid sends none).
    co45 = r.adjustments[(r.adjustments["group_code"] == "CO")
                         & (r.adjustments["reason_code"] == "45")].groupby("line_seq")[
        "amount_cents"].sum()
    denied_lines = set(r.adjustments.loc[r.adjustments["reason_code"].isin(
        ["16", "18", "27", "29", "50", "96", "197", "204"]), "line_seq"].dropna())
    sl = sl[(sl["status"] == "1") & ~sl["line_seq"].isin(denied_lines)].copy()
    derived = sl["charge_cents"] - sl["line_seq"].map(co45).fillna(0).astype(int)
    sent = sl["allowed_cents"].notna()
    assert (sl.loc[sent, "allowed_cents"].astype(int) == derived[sent]).all()
    assert set(sl.loc[~sent, "payer_id"]) == {"MCD"}
    sl["allowed"] = derived
    sl["contract"] = contract_allowed(s, sl)
    short = sl[sl["allowed"] != sl["contract"]]
    found = {(row.claim_id, row.line_no, int(row.contract), int(row.allowed))
             for row in short.itertuples()}
    injected = {(p["claim_id"], p["line_no"], p["expected_allowed_cents"],
                 p["paid_allowed_cents"]) for p in s.kind("underpayment")}
    assert len(injected) >= 10
    assert found == injected
    assert all(p["difference_cents"] == p["expected_allowed_cents"] - p["paid_allowed_cents"] > 0
               for p in s.kind("underpayment"))


def test_adjudication_rules(s: Bundle) -> None:
    r = s.remit
    payers = s["payers"].set_index("n1_pr_id")["payer_id"]
    pay = r.payments.set_index("payment_seq")
    adj = r.adjustments.assign(payer=r.adjustments["claim_seq"].map(
        r.claims.set_index("claim_seq")["payment_seq"]).map(pay["payer_id"]).map(payers))
    # Medicare withholds 2 % of what it owes on each line (allowed less the patient's share).
    mcr = r.service_lines[r.service_lines["claim_seq"].isin(
        adj.loc[adj["payer"] == "MCR", "claim_seq"]) & r.service_lines["allowed_cents"].gt(0)]
    pr = adj[adj["group_code"] == "PR"].groupby("line_seq")["amount_cents"].sum()
    seq = adj[adj["reason_code"] == "253"].groupby("line_seq")["amount_cents"].sum()
    owed = mcr["allowed_cents"].astype(int) - mcr["line_seq"].map(pr).fillna(0).astype(int)
    expected = (owed * 2 + 50) // 100
    assert (mcr["line_seq"].map(seq).fillna(0).astype(int) == expected).all()
    assert set(adj.loc[adj["reason_code"] == "253", "payer"]) == {"MCR"}
    # Deductibles weigh on the first months; one plan reports cost sharing on the claim.
    dos = r.service_lines.groupby("claim_seq")["service_date"].min()
    month = adj["claim_seq"].map(dos).dt.month
    deductible = adj[(adj["reason_code"] == "1")].groupby(month)["amount_cents"].sum()
    assert deductible.loc[1:3].sum() > 2 * deductible.loc[10:12].sum()
    assert set(adj.loc[(adj["level"] == "claim") & (adj["group_code"] == "PR"), "payer"]) == {
        "LKM"}
    assert set(adj["group_code"]) == {"CO", "PR"}
    # First answers: paid 10-30 days after submission, at the next weekly run.
    submitted = s["claims"].set_index("claim_id")["submitted_date"]
    copy = s.kind("duplicate_835")[0]["files"][1]
    answers = r.claims[~r.claims["file"].str.endswith(copy)].merge(
        r.payments[["payment_seq", "payment_date"]], on="payment_seq")
    first = answers.drop_duplicates("claim_id")
    ordinary = first[first["status"] == "1"]
    lag = (ordinary["payment_date"] - ordinary["claim_id"].map(submitted)).dt.days
    assert lag.between(10, 37).mean() > 0.995
    # A denial resubmitted is paid at a later run: 5-30 days to resubmit, then the payer's lag.
    resubmitted = {p["claim_id"]: p for p in s.kind("denial") if p["resubmission_trace"]}
    again = answers[answers.duplicated("claim_id") & answers["claim_id"].isin(resubmitted)]
    assert set(again["claim_id"]) == set(resubmitted)
    wait = (again["payment_date"].to_numpy()
            - first.set_index("claim_id").loc[again["claim_id"], "payment_date"].to_numpy())
    assert (pd.Series(wait).dt.days.between(5 + 10, 30 + 30 + 7)).all()


def test_recent_claims_are_not_paid_yet(s: Bundle) -> None:
    claims = s["claims"]
    answered = set(s.remit.claims["claim_id"])
    # The fastest payer pays ten days after submission, at its next weekly run.
    recent = claims[claims["date_of_service"] >= AS_OF - pd.Timedelta(days=11)]
    assert len(recent) > 300
    assert not recent["claim_id"].isin(answered).any()
    # Of the last four weeks' insured claims, most are still open.
    weeks = claims[(claims["date_of_service"] > AS_OF - pd.Timedelta(weeks=4))
                   & (claims["payer_id"] != "SELF")]
    assert weeks["claim_id"].isin(answered).mean() < 0.25


# --------------------------------------------------------------------------------------------
# The injected problems, checked against the files


def test_denials_are_exactly_the_injected_ones(s: Bundle) -> None:
    copy = s.kind("duplicate_835")[0]["files"][1]
    adj = s.remit.adjustments[~s.remit.adjustments["file"].str.endswith(copy)]
    category = [codes.carc_category(g, c) for g, c in zip(adj["group_code"], adj["reason_code"],
                                                         strict=True)]
    denial = adj[pd.Series(category, index=adj.index) == "denial to work"]
    found = set(zip(denial["claim_id"], denial["group_code"], denial["reason_code"],
                    strict=True))
    injected = {(p["claim_id"], p["group_code"], p["carc"]) for p in s.kind("denial")}
    assert {carc for _, _, carc in injected} >= {"197", "16", "29", "50"}
    assert found == {d for d in injected if d[1] != "PR"}
    # PR-204 (not covered) is the patient's to pay, but a denial all the same.
    pr204 = adj[(adj["group_code"] == "PR") & (adj["reason_code"] == "204")]
    assert set(pr204["claim_id"]) == {p["claim_id"] for p in s.kind("denial")
                                       if p["carc"] == "204"}
    claims = s.remit.claims.drop_duplicates("claim_id").set_index("claim_id")
    for p in s.kind("denial"):
        row = claims.loc[p["claim_id"]]
        assert row["status"] == p["status"]
        assert s.remit.payments.set_index("payment_seq").loc[row["payment_seq"],
                                                             "trace_number"] == p["trace"]
        denied = adj[(adj["claim_id"] == p["claim_id"]) & (adj["reason_code"] == p["carc"])]
        assert denied["amount_cents"].sum() == p["amount_cents"]
        assert sorted(denied["line_number"].dropna().astype(int)) == p["line_nos"]
        if p["remark"]:
            lines = s.remit.service_lines[s.remit.service_lines["claim_id"] == p["claim_id"]]
            assert lines["remark_codes"].str.contains(p["remark"]).any()
    late = [p for p in s.kind("denial") if p["carc"] == "29"]
    claim = s["claims"].set_index("claim_id").loc[late[0]["claim_id"]]
    assert (claim["submitted_date"] - claim["date_of_service"]).days > 90


def test_unanswered_claims_are_exactly_the_injected_ones(s: Bundle) -> None:
    claims = s["claims"]
    answered = set(s.remit.claims["claim_id"])
    old = claims[(claims["payer_id"] != "SELF")
                 & (claims["submitted_date"] < AS_OF - pd.Timedelta(days=60))]
    silent = set(old.loc[~old["claim_id"].isin(answered), "claim_id"])
    assert silent == {p["claim_id"] for p in s.kind("no_remittance")}
    assert len(silent) >= 5


def test_split_payment(s: Bundle) -> None:
    (p,) = s.kind("split_payment")
    r = s.remit
    parts = r.claims[r.claims["claim_id"] == p["claim_id"]].merge(
        r.payments[["payment_seq", "trace_number"]], on="payment_seq")
    assert list(parts["trace_number"]) == p["traces"] and len(set(p["traces"])) == 2
    assert list(parts["status"]) == ["1", "1"]
    assert list(parts["paid_cents"]) == p["paid_cents"]
    sl = r.service_lines.assign(line_no=line_key(r))
    for seq, lines in zip(parts["claim_seq"], p["line_nos"], strict=True):
        assert list(sl.loc[sl["claim_seq"] == seq, "line_no"]) == lines
    billed = s["claim_lines"].loc[s["claim_lines"]["claim_id"] == p["claim_id"], "charge_cents"]
    assert parts["charge_cents"].sum() == billed.sum()


def test_reversal_and_correction(s: Bundle) -> None:
    (p,) = s.kind("reversal")
    r = s.remit
    rows = r.claims[r.claims["claim_id"] == p["claim_id"]].merge(
        r.payments[["payment_seq", "trace_number"]], on="payment_seq")
    assert list(rows["status"]) == ["1", "22", "1"]
    assert list(rows["trace_number"]) == [p["original_trace"], p["reversal_trace"],
                                          p["correction_trace"]]
    original, reversal, correction = (rows.iloc[i] for i in range(3))
    assert reversal["charge_cents"] == -original["charge_cents"] < 0
    assert reversal["paid_cents"] == -original["paid_cents"] == -p["original_paid_cents"]
    assert correction["paid_cents"] == p["corrected_paid_cents"] > p["original_paid_cents"]
    reversed_adj = r.adjustments[r.adjustments["claim_seq"] == reversal["claim_seq"]]
    assert (reversed_adj["amount_cents"] < 0).all()
    posted = s["payments_posted"]
    posted = posted[(posted["claim_id"] == p["claim_id"]) & (posted["source"] == "ERA")]
    assert sorted(posted["amount_cents"]) == sorted(
        [p["original_paid_cents"], -p["original_paid_cents"], p["corrected_paid_cents"]])


def test_provider_level_adjustments(s: Bundle) -> None:
    plb = s.remit.provider_adjustments.merge(
        s.remit.payments[["payment_seq", "trace_number"]], on="payment_seq")
    found = {(row.trace_number, row.reason_code, row.reference_id, row.amount_cents)
             for row in plb.itertuples()}
    injected = {(p["trace"], p["reason"], p["claim_id"], p["amount_cents"])
                for p in s.kind("plb_interest") + s.kind("overpayment_recovery")}
    assert found == injected
    assert s.kind("plb_interest")[0]["amount_cents"] < 0 < s.kind(
        "overpayment_recovery")[0]["amount_cents"]


def test_duplicate_835(s: Bundle) -> None:
    (p,) = s.kind("duplicate_835")
    first, second = (data.era_dir() / name for name in p["files"])
    assert first.read_bytes() == second.read_bytes()
    traces = s.remit.payments["trace_number"].value_counts()
    assert traces[traces > 1].to_dict() == {p["trace"]: 2}


def ach_trace(description: str) -> str | None:
    """The trace number (TRN02) in an ACH description, read independently of the generator."""
    if "TRN*1*" not in description:
        return None
    return description.split("TRN*1*")[1].split("*")[0]


def test_deposits_match_the_eras_except_the_injected_ones(s: Bundle) -> None:
    deposits = s["deposits"]
    payments = s.remit.payments.drop_duplicates("trace_number").set_index("trace_number")
    ach = deposits[deposits["type"] == "ACH"].assign(
        trace=lambda d: d["description"].map(ach_trace))
    assert ach["trace"].notna().all() and ach["trace"].is_unique
    (orphan,) = s.kind("deposit_without_era")
    (missing,) = s.kind("era_without_deposit")
    (mismatch,) = s.kind("deposit_amount_mismatch")
    # The deposit with no ERA: an ACH credit whose trace no remittance carries.
    row = deposits.set_index("deposit_id").loc[orphan["deposit_id"]]
    assert row["type"] == "ACH" and ach_trace(row["description"]) == orphan["trace"]
    assert row["amount_cents"] == orphan["amount_cents"]
    assert set(ach["trace"]) - set(payments.index) == {orphan["trace"]}
    # The ERA with no deposit: paid by ACH, and no credit names its trace.
    ach_payments = payments[payments["payment_method"] == "ACH"]
    assert set(ach_payments.index) - set(ach["trace"]) == {missing["trace"]}
    assert ach_payments.loc[missing["trace"], "total_paid_cents"] == missing["amount_cents"]
    # Every other ACH credit: the ERA's amount, 1-3 business days after its payment date.
    matched = ach[ach["trace"] != orphan["trace"]].set_index("trace")
    era = payments.loc[matched.index]
    differs = matched.index[matched["amount_cents"] != era["total_paid_cents"]]
    assert list(differs) == [mismatch["trace"]]
    assert matched.loc[mismatch["trace"], "amount_cents"] == mismatch["deposit_amount_cents"]
    assert era.loc[mismatch["trace"], "total_paid_cents"] == mismatch["era_amount_cents"]
    assert matched.loc[mismatch["trace"], "deposit_id"] == mismatch["deposit_id"]
    lags = [business_days_between(era.loc[t, "payment_date"], matched.loc[t, "posted_date"])
            for t in matched.index]
    assert set(lags) <= {1, 2, 3}
    # Medicaid's paper checks: one check deposit of the same amount a few business days later.
    checks = deposits[deposits["type"] == "check"]
    assert not checks["description"].str.contains("TRN").any()
    for trace, pay in payments[payments["payment_method"] == "CHK"].iterrows():
        same = checks[checks["amount_cents"] == pay["total_paid_cents"]]
        assert len(same) == 1, trace
        assert 2 <= business_days_between(pay["payment_date"], same["posted_date"].iloc[0]) <= 5
    assert len(checks) == (payments["payment_method"] == "CHK").sum()
    assert (deposits["posted_date"] <= AS_OF).all()


def test_patient_payments_and_postings(s: Bundle) -> None:
    posted, deposits = s["payments_posted"], s["deposits"]
    patient = posted[posted["source"] == "patient"]
    batches = deposits[deposits["type"].isin(["card", "cash"])]
    # Front-desk money is banked the next business day; what was taken on 31 December is not
    # on the statement yet. Cards come net of the processor's fees; the daily close's plants:
    # one day's cash never banked, one check banked twice.
    close = daily_close_plants()
    assert batches["amount_cents"].sum() == patient.loc[
        patient["posted_date"] < AS_OF, "amount_cents"].sum() - card_fees().sum() - close[
        "undeposited_cash"]["amount_cents"] + close["check_deposited_twice"]["amount_cents"]
    assert patient["reference"].str.fullmatch(r"R\d{7}").all() and patient["reference"].is_unique
    assert (patient["amount_cents"] > 0).all()
    assert (posted["posted_date"] <= AS_OF).all()
    # ERA postings: one per remittance claim (the duplicate file posted once), summing to the
    # ERA's claim payments, 0-4 days after the deposit.
    era = posted[posted["source"] == "ERA"]
    r = s.remit
    dup = s.kind("duplicate_835")[0]
    per_trace = r.claims.merge(r.payments[["payment_seq", "trace_number"]], on="payment_seq")
    per_trace = per_trace[~per_trace["file"].str.endswith(dup["files"][1])]
    assert len(era) == len(per_trace)
    assert (era.groupby("reference")["amount_cents"].sum().sort_index()
            == per_trace.groupby("trace_number")["paid_cents"].sum().sort_index()).all()
    banked = deposits.assign(trace=deposits["description"].map(ach_trace)).dropna(
        subset=["trace"]).set_index("trace")["posted_date"]
    after = era[era["reference"].isin(banked.index)]
    days = (after["posted_date"] - after["reference"].map(banked)).dt.days
    assert days.between(0, 4).all()


def remitted_patient_share(s: Bundle) -> pd.DataFrame:
    """Per answered claim: net PR (Σ PR adjustments, reversals netted) and the last ERA date."""
    r = s.remit
    copy = s.kind("duplicate_835")[0]["files"][1]
    adj = r.adjustments[~r.adjustments["file"].str.endswith(copy)]
    pr = adj[adj["group_code"] == "PR"].groupby("claim_id")["amount_cents"].sum()
    dates = r.claims[~r.claims["file"].str.endswith(copy)].merge(
        r.payments[["payment_seq", "payment_date"]], on="payment_seq").groupby("claim_id")[
        "payment_date"].max()
    return pd.DataFrame({"pr": pr.reindex(dates.index).fillna(0).astype(int),
                         "last_era": dates})


def test_patients_pay_what_they_owe_and_no_more(s: Bundle) -> None:
    claims = s["claims"].set_index("claim_id")
    charge = s["claim_lines"].groupby("claim_id")["charge_cents"].sum()
    patient = s["payments_posted"][s["payments_posted"]["source"] == "patient"].copy()
    patient["dos"] = patient["claim_id"].map(claims["date_of_service"])
    patient["self_pay"] = patient["claim_id"].map(claims["payer_id"]) == "SELF"
    assert patient["dos"].notna().all()
    assert (patient["posted_date"] >= patient["dos"]).all()
    assert (patient["posted_date"].dt.day_of_week < 5).all()
    assert not patient["posted_date"].dt.strftime("%Y-%m-%d").isin(HOLIDAYS_2025).any()
    paid = patient.groupby("claim_id")["amount_cents"].sum()
    remitted = remitted_patient_share(s)
    insured = claims.index[claims["payer_id"] != "SELF"]
    answered = insured.intersection(remitted.index)
    pending = insured.difference(remitted.index)
    # Self-pay: the charge, once, whether at the visit or from the statement (no discount).
    self_paid = patient[patient["self_pay"]]
    assert self_paid["claim_id"].is_unique
    assert (self_paid["amount_cents"] == self_paid["claim_id"].map(charge)).all()
    at_desk = self_paid["posted_date"] == self_paid["dos"]
    assert 0.80 <= at_desk.sum() / (claims["payer_id"] == "SELF").sum() <= 0.92
    billed_days = (self_paid["posted_date"] - self_paid["dos"]).dt.days[~at_desk]
    assert billed_days.between(20, 85).all()
    # Answered claims: never more than the patient's net responsibility on the 835s.
    owed = remitted.loc[answered, "pr"]
    assert (paid.reindex(answered).fillna(0) <= owed).all()
    # Claims the payer has not answered yet: at most the copay taken at the desk.
    early = patient[patient["claim_id"].isin(pending)]
    assert early["claim_id"].is_unique
    assert (early["posted_date"] == early["dos"]).all()
    assert early["amount_cents"].between(1, 4000).all()
    # After the ERA: the statement balance, paid 15-75 days later (some after a final notice).
    statement = patient[~patient["self_pay"] & (patient["posted_date"] > patient["dos"])]
    assert statement["claim_id"].isin(answered).all() and statement["claim_id"].is_unique
    lag = (statement["posted_date"] - statement["claim_id"].map(remitted["last_era"])).dt.days
    assert lag.between(15, 155).all()
    assert lag.between(15, 78).mean() > 0.9
    # Most of the year's patient responsibility is collected; what is open is mostly recent.
    matured = answered[claims.loc[answered, "date_of_service"] <= pd.Timestamp("2025-09-30")]
    collected = paid.reindex(matured).fillna(0).sum() / owed.loc[matured].sum()
    assert 0.90 <= collected <= 0.98, collected
    total_owed = owed.sum() + charge[claims["payer_id"] == "SELF"].sum()
    assert 0.85 <= paid.sum() / total_owed <= 0.95
    # Copays at the desk for most commercial visits: most answered claims with a PR-3 copay
    # have a same-day payment.
    r = s.remit
    copay_claims = set(r.adjustments.loc[(r.adjustments["group_code"] == "PR")
                                         & (r.adjustments["reason_code"] == "3"), "claim_id"])
    same_day = set(patient.loc[patient["posted_date"] == patient["dos"], "claim_id"])
    assert len(copay_claims & same_day) / len(copay_claims) > 0.85


def test_patient_batches_are_the_days_postings(s: Bundle) -> None:
    deposits = s["deposits"]
    batches = deposits[deposits["type"].isin(["card", "cash"])]
    assert set(batches["type"]) == {"card", "cash"}
    assert not batches["description"].str.contains("TRN").any()
    # At most one card and one cash deposit a day, but for the daily close's check deposited
    # twice; its day's cash (never banked) is missing, and cards come net of fees.
    close = daily_close_plants()
    twice, undeposited = close["check_deposited_twice"], close["undeposited_cash"]
    batches = batches[batches["deposit_id"] != twice["deposit_id"]]
    assert not batches.duplicated(["posted_date", "type"]).any()
    patient = s["payments_posted"][s["payments_posted"]["source"] == "patient"]
    by_day = patient.groupby("posted_date")["amount_cents"].sum()
    by_day[pd.Timestamp(undeposited["date"])] -= undeposited["amount_cents"]
    banked_on = [day + BUSINESS for day in by_day.index]  # the next business day
    expected = pd.Series(by_day.to_numpy(), index=pd.DatetimeIndex(banked_on))
    expected = expected[expected.index <= AS_OF]
    expected = expected.sub(card_fees(), fill_value=0).astype("int64")
    banked = batches.groupby("posted_date")["amount_cents"].sum()
    assert banked.index.equals(expected.index)
    assert (banked == expected).all()
    # The card batch names the day it settles.
    card = batches[batches["type"] == "card"]
    day = [(d - BUSINESS).strftime("%m%d") for d in card["posted_date"]]
    assert (card["description"] == ["BANKCARD SETTLEMENT BATCH " + d for d in day]).all()
