"""The bundled sample's six patient access plants are found exactly, and nothing else; the
writer keeps what chance puts over the rules of another shape or seed under them."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import pandas as pd
import pytest

from pracops import config
from pracops.patient_access import chain, model
from pracops.patient_access.sample import _unflag_unplanted_groups
from pracops.sample.generator import NO_SHOW_WEEK, Sample


@pytest.fixture(scope="module")
def result() -> chain.PatientAccess:
    return chain.run()


def truth() -> list[dict]:
    text = (config.SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8")
    return json.loads(text)["patient_access"]


def key(problem: dict) -> str:
    return json.dumps(problem, sort_keys=True)


def test_the_six_plants_are_found_exactly_and_nothing_else(result) -> None:
    assert sorted(map(key, result.problems)) == sorted(map(key, truth()))
    assert len(truth()) == 6


def test_the_as_of_date_is_the_last_day_of_history(result) -> None:
    assert result.as_of.isoformat() == "2025-12-31"
    assert result.start.isoformat() == "2025-01-01"


def test_missing_checkouts_are_counted(result) -> None:
    import csv
    with (config.SAMPLE_DIR / "visit_events.csv").open(encoding="utf-8") as fh:
        empty = sum(row["checkout"] == "" for row in csv.DictReader(fh))
    assert empty > 0
    assert result.missing_checkout == empty


def _over_rule(no_shows: int, kept: int, practice: float) -> bool:
    """Issue 17's rule at its default 5 points, with the Wilson interval written out."""
    z, p = 1.959963984540054, no_shows / kept
    centre = (p + z * z / (2 * kept)) / (1 + z * z / kept)
    half = z / (1 + z * z / kept) * math.sqrt(p * (1 - p) / kept + z * z / (4 * kept * kept))
    return centre - half > practice and p >= practice + 0.05


def _schedule(new_rate: float, bad_week: dt.date | None = None) -> list[dict]:
    """Two providers, eight visits a day each, all of 2025; one visit in ten a new patient's,
    who misses it at ``new_rate``; the others miss one in sixteen, P001's Monday mornings
    (plant 1's cell) one in four, and so does everyone in the week of ``bad_week``; drawn at
    random (this stream puts no other group or week over the rules)."""
    draw = random.Random(3)
    rows, day = [], dt.date(2025, 1, 1)
    while day.year == 2025:
        for provider in ("P001", "P002"):
            for hour in (8, 9, 10, 11, 13, 14, 15, 16):
                new = draw.random() < 0.1
                cell = provider == "P001" and day.weekday() == 0 and hour < 12
                bad = day - dt.timedelta(days=day.weekday()) == bad_week
                missed = draw.random() < (new_rate if new else 1 / 4 if cell or bad
                                          else 1 / 16)
                rows.append({"appointment_id": f"A{len(rows):05d}", "provider_id": provider,
                             "date": day, "start_time": f"{hour:02d}:00",
                             "booked_date": day - dt.timedelta(days=10),
                             "visit_type": "new patient" if new else "established",
                             "status": "no-show" if missed else "completed"})
        day += dt.timedelta(days=1 if day.weekday() < 4 else 3)
    return rows


def _called_off(rows: list[dict]) -> list[dict]:
    """The rows :func:`_unflag_unplanted_groups` changes, none of them plant 1's or 6's."""
    before = {r["appointment_id"]: r["status"] for r in rows}
    _unflag_unplanted_groups(Sample(seed=1, practice={}, tables={"appointments": rows}), "P001")
    changed = [r for r in rows if r["status"] != before[r["appointment_id"]]]
    assert all(r["status"] == "cancelled" for r in changed)
    assert not any(r["provider_id"] == "P001" and r["date"].weekday() == 0
                   and r["start_time"] < "12" for r in changed)
    assert not any(r["date"] - dt.timedelta(days=r["date"].weekday()) == NO_SHOW_WEEK
                   for r in changed)
    return changed


def test_a_group_over_the_rule_by_chance_has_just_enough_no_shows_called_off() -> None:
    rows = _schedule(new_rate=1 / 6)
    changed = _called_off(rows)
    assert changed and all(r["visit_type"] == "new patient" for r in changed)
    kept = [r for r in rows if r["status"] in ("completed", "no-show")]
    missed = sum(r["status"] == "no-show" for r in kept)
    new = [r for r in kept if r["visit_type"] == "new patient"]
    new_missed = sum(r["status"] == "no-show" for r in new)
    # no longer over the rule, and one no-show fewer called off would have been
    assert not _over_rule(new_missed, len(new), missed / len(kept))
    assert _over_rule(new_missed + 1, len(new) + 1, (missed + 1) / (len(kept) + 1))


def test_a_week_over_the_p_chart_by_chance_has_just_enough_no_shows_called_off() -> None:
    week = dt.date(2025, 6, 2)
    rows = _schedule(new_rate=1 / 16, bad_week=week)
    changed = _called_off(rows)
    assert changed and all(r["date"] - dt.timedelta(days=r["date"].weekday()) == week
                           for r in changed)

    def above() -> list[dt.date]:
        frame = pd.DataFrame({"date": pd.to_datetime([r["date"] for r in rows]),
                              "status": [r["status"] for r in rows]})
        chart = model.p_chart(frame, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        return list(chart.loc[chart["above"], "week"])

    assert above() == []
    changed[-1]["status"] = "no-show"
    assert above() == [week]
