"""Lead times of new and established patients apart, and the parts of a visit by location and
hour, against an independent reading of the sample's CSV text (csv, datetime and statistics;
no pandas, no pracops calculation)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

import pytest
from sample_text import day, rows

from pracops.patient_access import chain, model, view

START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def p90(values: list[int]) -> float:
    """The 90th percentile with linear interpolation between order statistics."""
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def test_lead_times_new_and_established_apart(result: chain.PatientAccess) -> None:
    lead, asked = defaultdict(list), defaultdict(list)
    for r in rows("appointments"):
        if START <= day(r["date"]) <= AS_OF and r["status"] in ("completed", "no-show"):
            visit = day(r["date"])
            lead[r["patient_kind"]].append((visit - day(r["booked_date"])).days)
            since = day(r["requested_date"] or r["booked_date"])
            asked[r["patient_kind"]].append((visit - since).days)
    table = result.kinds.set_index("patient_kind")
    assert sorted(table.index) == sorted(lead) == ["established", "new"]
    for kind in lead:
        assert table.loc[kind, "visits"] == len(lead[kind])
        assert table.loc[kind, "median_days"] == statistics.median(lead[kind])
        assert table.loc[kind, "p90_days"] == pytest.approx(p90(lead[kind]))
        assert table.loc[kind, "median_from_request_days"] == statistics.median(asked[kind])
        assert table.loc[kind, "p90_from_request_days"] == pytest.approx(p90(asked[kind]))
    # new patients wait longer in the sample: the split says something the combined does not
    assert table.loc["new", "median_days"] > table.loc["established", "median_days"]


def test_an_export_without_patient_kind_shows_the_combined_figure(
        result: chain.PatientAccess) -> None:
    older = result.inputs.appointments.drop(columns="patient_kind")
    assert model.lead_times_by_kind(older, START, AS_OF) is None
    note = view.kinds_table(chain.PatientAccess(**{**result.__dict__, "kinds": None}))
    assert "combined" in note.data


def minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def test_parts_of_a_visit_by_location_and_hour(result: chain.PatientAccess) -> None:
    booked = {r["appointment_id"]: r for r in rows("appointments")}
    parts = defaultdict(lambda: defaultdict(list))
    for e in rows("visit_events"):
        a = booked[e["appointment_id"]]
        cell = parts[(a["location_id"], f"{a['start_time'][:2]}:00")]
        cell["room_wait"].append(minutes(e["roomed"]) - minutes(e["arrival"]))
        cell["provider_wait"].append(minutes(e["provider_in"]) - minutes(e["roomed"]))
        cell["with_provider"].append(minutes(e["provider_out"]) - minutes(e["provider_in"]))
        if e["checkout"]:
            cell["checkout"].append(minutes(e["checkout"]) - minutes(e["provider_out"]))
    table = result.cycle_locations.set_index(["location_id", "hour"])
    assert sorted(table.index) == sorted(parts)
    assert len({loc for loc, _ in parts}) > 1  # more than one location: a real split
    for key, cell in parts.items():
        row = table.loc[key]
        assert row["visits"] == len(cell["room_wait"])
        assert row["over_target"] == sum(w > 20 for w in cell["room_wait"])
        for part in ("room_wait", "provider_wait", "with_provider", "checkout"):
            assert row[part] == pytest.approx(statistics.fmean(cell[part]))
    # by hour alone is the same visits summed over the locations
    assert table["visits"].sum() == result.cycle["visits"].sum()


def test_the_summary_gives_the_no_show_trend_of_the_last_four_weeks(
        result: chain.PatientAccess) -> None:
    # the p-chart's last four weeks start on Monday 8 December; the weeks before, 1 January
    first = dt.date(2025, 12, 8)
    counts = {True: [0, 0], False: [0, 0]}  # recent? → [no-shows, visits]
    for r in rows("appointments"):
        when = day(r["date"])
        if START <= when <= AS_OF and r["status"] in ("completed", "no-show"):
            counts[when >= first][0] += r["status"] == "no-show"
            counts[when >= first][1] += 1
    (ns, n), (ns0, n0) = counts[True], counts[False]
    now, then = f"{100 * ns / n:.1f}%", f"{100 * ns0 / n0:.1f}%"
    assert now != then  # the sample's last weeks differ from the year: a direction to say
    way = "up from" if ns / n > ns0 / n0 else "down from"
    line = view.summary_text(result).splitlines()[0]
    assert f"; the last 4 weeks {now} ({ns:,} of {n:,} visits), {way} {then} before;" in line


def test_the_lead_time_distribution_by_visit_type(result: chain.PatientAccess) -> None:
    starts = (0, 3, 8, 15, 31)  # the default bands: 0-2, 3-7, 8-14, 15-30, 31+ days
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for r in rows("appointments"):
        if START <= day(r["date"]) <= AS_OF and r["status"] in ("completed", "no-show"):
            lead = (day(r["date"]) - day(r["booked_date"])).days
            band = max(i for i, first in enumerate(starts) if lead >= first)
            counts[r["visit_type"]][band] += 1
    spread = result.lead_spread
    assert list(spread.columns) == ["0-2 days", "3-7 days", "8-14 days", "15-30 days",
                                    "31+ days"]
    assert sorted(spread.index) == sorted(counts)
    for kind, row in spread.iterrows():
        assert row.tolist() == counts[kind]
    # the distribution adds up to the visits the medians are taken over
    assert spread.sum(axis=1).to_dict() == result.leads.set_index("visit_type")["visits"].to_dict()
