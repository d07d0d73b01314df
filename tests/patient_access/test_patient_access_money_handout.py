"""Late cancellations, revenue lost and the hand-out, each against an independent reading of the
sample's CSV text (csv, datetime, Decimal and openpyxl; no pandas, no pracops calculation)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import openpyxl
import pytest
from sample_text import day, rows

from pracops.patient_access import chain, view

START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> chain.PatientAccess:
    return chain.run(output_dir=tmp_path_factory.mktemp("pa"))


@pytest.fixture(scope="module")
def appointments() -> list[dict[str, str]]:
    return rows("appointments")


def in_period(row: dict[str, str]) -> bool:
    return START <= day(row["date"]) <= AS_OF


def test_late_cancellations_by_provider(result, appointments) -> None:
    late, kept = Counter(), Counter()
    for row in filter(in_period, appointments):
        if row["status"] in ("completed", "no-show"):
            kept[row["provider_id"]] += 1
        elif row["status"] == "cancelled":
            visit = dt.datetime.fromisoformat(f"{row['date']}T{row['start_time']}")
            cancelled = dt.datetime.fromisoformat(
                f"{row['cancelled_date']}T{row['cancelled_time']}")
            late[row["provider_id"]] += visit - cancelled < dt.timedelta(hours=24)
    table = result.late[result.late["dimension"] == "provider"].set_index("group")
    for provider in kept:
        assert table.loc[provider, "late"] == late[provider]
        assert table.loc[provider, "held"] == late[provider] + kept[provider]
    practice = result.late.iloc[-1]
    assert practice["group"] == "practice"
    assert practice["late"] == sum(late.values()) > 0
    assert practice["low"] < practice["rate"] < practice["high"]


def test_a_wider_window_counts_more_late_cancellations(result) -> None:
    inputs = chain.load_inputs()
    narrow = chain.compute(inputs, late_cancel_hours=2.0).late.iloc[-1]["late"]
    wide = chain.compute(inputs, late_cancel_hours=72.0).late.iloc[-1]["late"]
    assert narrow < result.late.iloc[-1]["late"] < wide


def test_the_handout_lists_the_coming_days_risky_and_unverified_visits(
        result, appointments) -> None:
    after = sorted({day(r["date"]) for r in appointments if day(r["date"]) > AS_OF})[:3]
    booked = [r for r in appointments if day(r["date"]) in after and r["status"] == "booked"]
    active = {r["appointment_id"] for r in rows("eligibility_checks")
              if r["result"] == "active"}
    kept = [r for r in filter(in_period, appointments) if r["status"] in ("completed",
                                                                          "no-show")]
    rate = sum(r["status"] == "no-show" for r in kept) / len(kept)

    def cell(row: dict[str, str]) -> tuple[str, str, bool]:
        return row["provider_id"], day(row["date"]).strftime("%a"), row["start_time"] < "12:00"

    shows, seen = Counter(), Counter()
    for row in kept:
        seen[cell(row)] += 1
        shows[cell(row)] += row["status"] == "no-show"
    def flagged(k: int, n: int) -> bool:  # the report's rule at 5 points, Wilson written out
        z, p = 1.959963984540054, k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return centre - half > rate and p >= rate + 0.05

    risky = {r["appointment_id"]: shows[cell(r)] / seen[cell(r)] for r in booked
             if seen[cell(r)] and flagged(shows[cell(r)], seen[cell(r)])}
    # a list to call through: plant 1's Monday morning only, not every visit over the rate
    assert {cell(r) for r in booked if r["appointment_id"] in risky} == {("P003", "Mon", True)}

    (path,) = result.files
    assert path.name == "patient_access.xlsx"
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["reminder_calls", "unverified"]
    calls = list(book["reminder_calls"].iter_rows(values_only=True))
    assert calls[0] == ("appointment_id", "date", "start_time", "provider_id", "visit_type",
                        "no_show_risk")
    assert {r[0] for r in calls[1:]} == set(risky) and risky
    for row in calls[1:]:
        assert row[5] == pytest.approx(risky[row[0]], abs=5e-5)
    risks = [r[5] for r in calls[1:]]
    assert risks == sorted(risks, reverse=True)
    unverified = list(book["unverified"].iter_rows(values_only=True))
    assert {r[0] for r in unverified[1:]} == {
        r["appointment_id"] for r in booked if r["appointment_id"] not in active}
    text = " ".join(str(v) for sheet in (calls, unverified) for r in sheet for v in r)
    assert "PT0" not in text and "patient_id" not in text


def test_the_summary_shows_revenue_lost_and_late_cancellations(result) -> None:
    figures = view.figures(result)
    assert "revenue_lost_cents" in view.HEADLINE_FIGURES
    assert figures["revenue_lost_cents"] == result.revenue_lost_cents
    assert figures["late_cancellations"] == int(result.late.iloc[-1]["late"])
    shown = view.summary_text(result)
    assert "$" not in shown  # each dollar sign kept from JupyterLab's math (report.no_math)
    text = shown.replace("<span>&#36;</span>", "$")
    dollars = f"{result.revenue_lost_cents // 100:,}.{result.revenue_lost_cents % 100:02d}"
    assert f"Revenue lost to no-shows: ${dollars}" in text
    assert f"Late cancellations: {figures['late_cancellations']}," in text
