"""The no-show rate by reminder (shown, never flagged) and the late cancellations in the
no-show groups' dimensions, recounted from appointments.csv as text."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sample_text import day, rows

START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
Z = 1.959963984540054


@pytest.fixture(scope="module")
def period() -> list[dict[str, str]]:
    return [a for a in rows("appointments") if START <= day(a["date"]) <= AS_OF]


def _wilson_low(k: int, n: int) -> float:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    return centre - Z / (1 + Z * Z / n) * (p * (1 - p) / n + Z * Z / (4 * n * n)) ** 0.5


def test_the_reminder_groups_are_counted_and_not_flagged(result, period) -> None:
    kept = [a for a in period if a["status"] in ("completed", "no-show")]
    held, missed = Counter(), Counter()
    for a in kept:
        held[a["reminder"]] += 1
        missed[a["reminder"]] += a["status"] == "no-show"
    groups = result.groups[result.groups["dimension"] == "reminder"].set_index("group")
    assert {g: (int(r.no_shows), int(r.kept)) for g, r in groups.iterrows()} == {
        g: (missed[g], held[g]) for g in held}
    assert not groups["flagged"].any()
    # the rule would flag visits without a reminder (the decision in the docs keeps it off)
    practice = sum(missed.values()) / len(kept)
    k, n = missed["none"], held["none"]
    assert _wilson_low(k, n) > practice and k / n >= practice + 0.05


def _late(a: dict[str, str]) -> bool:
    visit = dt.datetime.fromisoformat(f"{a['date']}T{a['start_time']}")
    cancelled = dt.datetime.fromisoformat(f"{a['cancelled_date']}T{a['cancelled_time']}")
    return visit - cancelled < dt.timedelta(hours=24)


@pytest.mark.parametrize(("dimension", "key"), [
    ("provider", lambda a: a["provider_id"]),
    ("visit type", lambda a: a["visit_type"]),
    ("weekday", lambda a: day(a["date"]).strftime("%a")),
    ("hour", lambda a: a["start_time"][:2] + ":00"),
    ("reminder", lambda a: a["reminder"]),
])
def test_late_cancellations_by_each_dimension(result, period, dimension, key) -> None:
    late, held = Counter(), Counter()
    for a in period:
        if a["status"] in ("completed", "no-show") or (a["status"] == "cancelled"
                                                      and _late(a)):
            held[key(a)] += 1
            late[key(a)] += a["status"] == "cancelled"
    table = result.late[result.late["dimension"] == dimension].set_index("group")
    assert {g: (int(r.late), int(r.held)) for g, r in table.iterrows()} == {
        g: (late[g], held[g]) for g in held}
    practice = result.late.iloc[-1]
    assert (practice["dimension"], int(practice["late"])) == ("practice", sum(late.values()))
