"""Third next available per provider per day (IHI), against an independent reading of the
sample's CSV text (csv and datetime, one day at a time by brute force; no pandas, no pracops
calculation), and on a template built by hand."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

import pandas as pd
import pytest
from sample_text import day, rows

from pracops.patient_access import chain, model, view

START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def by_hand() -> dict[tuple[str, dt.date], int]:
    """(provider, day) → calendar days to the third slot open on that day, for every day of
    the period with a slot in the template; with fewer than three, one day past the last day
    of the template."""
    booked = {r["appointment_id"]: day(r["booked_date"]) for r in rows("appointments")}
    slots = defaultdict(list)
    open_days = set()
    last = defaultdict(lambda: dt.date.min)  # each provider's last slot of any state
    for r in rows("schedule_slots"):
        when = day(r["date"])
        last[r["provider_id"]] = max(last[r["provider_id"]], when)
        if START <= when <= AS_OF:
            open_days.add(when)
        # the day until which the slot is open: its own, or the day it was booked
        until = (when if r["state"] == "open"
                 else min(when, booked[r["appointment_id"]]) if r["state"] == "booked"
                 else None)
        if until is not None:
            slots[r["provider_id"]].append((when, r["start_time"], until))
    end = max(last.values())
    out = {}
    for provider, theirs in slots.items():
        theirs.sort()
        for d in sorted(open_days):
            free = [when for when, _, until in theirs if when > d and until > d]
            if len(free) >= 3:
                out[provider, d] = (free[2] - d).days
            elif last[provider] > d:
                out[provider, d] = (end - d).days + 1
    return out


def test_every_provider_every_day_as_counted_by_hand(result: chain.PatientAccess,
                                                     by_hand: dict) -> None:
    got = {(r.provider_id, r.day): r.days for r in result.tnaa_days.itertuples()}
    assert got == by_hand
    assert len(got) > 1000  # five providers on about 250 days
    # the plant is the year's one day over target (docs/patient_access-sample.md)
    assert [key for key, n in by_hand.items() if n > 14] == [("P001", AS_OF)]


def test_as_of_day_is_the_series_last_day(result: chain.PatientAccess, by_hand: dict) -> None:
    assert {r.provider_id: r.days for r in result.tnaa.itertuples()} == {
        p: n for (p, d), n in by_hand.items() if d == AS_OF}


def test_table_medians_and_days_over_target(result: chain.PatientAccess,
                                            by_hand: dict) -> None:
    table = view.tnaa_table(result, 14).data.set_index("provider")
    assert set(table.index) == {p for p, _ in by_hand} == {"P001", "P002", "P003", "P004",
                                                           "P005"}
    for provider in table.index:
        days = {d: n for (p, d), n in by_hand.items() if p == provider}
        recent = [n for d, n in days.items() if d > AS_OF - dt.timedelta(weeks=4)]
        row = table.loc[provider]
        assert row["median_last_4_weeks"] == statistics.median(recent)
        assert row["median_of_period"] == statistics.median(days.values())
        assert row["days_over_target"] == sum(n > 14 for n in days.values())
        assert row["days_measured"] == len(days)
        assert row[f"days on {AS_OF}"] == days[AS_OF]


def test_a_slot_counts_until_the_day_it_is_booked() -> None:
    slots = pd.DataFrame({
        "provider_id": ["P1"] * 4 + ["P2"] * 3,
        "date": pd.to_datetime(["2025-03-12", "2025-03-13", "2025-03-14", "2025-03-17",
                                "2025-03-11", "2025-03-12", "2025-03-13"]),
        "start_time": ["09:00"] * 7,
        "state": ["open", "booked", "blocked", "open", "open", "open", "booked"],
        "appointment_id": [None, "A1", None, None, None, None, "A2"]})
    appts = pd.DataFrame({"appointment_id": ["A1", "A2"],
                          "booked_date": pd.to_datetime(["2025-03-11", "2025-03-10"])})
    days = [dt.date(2025, 3, 10), dt.date(2025, 3, 11)]
    out = model.third_next_available_by_day(slots, appts, days)
    # P1 on the 10th: the 12th, the 13th (booked only on the 11th), the 17th: 7 days;
    # on the 11th the 13th is taken and only two are left: at least one day past the
    # schedule's last day (the 17th), 7 days. P2 on the 10th: the 13th was booked that day,
    # so two open slots only: 8 days at least. P2 on the 11th: the same, 7 days.
    assert [(r.provider_id, r.day, r.days, r.beyond_template) for r in out.itertuples()] == [
        ("P1", dt.date(2025, 3, 10), 7, False), ("P1", dt.date(2025, 3, 11), 7, True),
        ("P2", dt.date(2025, 3, 10), 8, True), ("P2", dt.date(2025, 3, 11), 7, True)]


def test_a_provider_with_no_slot_after_the_day_has_no_row() -> None:
    slots = pd.DataFrame({
        "provider_id": ["P1", "P2", "P2", "P2"],
        "date": pd.to_datetime(["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13"]),
        "start_time": ["09:00"] * 4, "state": ["open"] * 4, "appointment_id": [None] * 4})
    appts = pd.DataFrame({"appointment_id": pd.Series([], dtype="str"),
                          "booked_date": pd.Series([], dtype="datetime64[ns]")})
    out = model.third_next_available_by_day(slots, appts, [dt.date(2025, 3, 10)])
    assert out[["provider_id", "days"]].values.tolist() == [["P2", 3]]
