"""The overbooking suggestion per provider, weekday and session, on a template built by hand:
the next session's real slots (blocked ones left out, lengths as they are), each booked visit
with its own no-show probability (Poisson-binomial), worked out on paper below."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pracops.patient_access import model


def _visit(ident: str, day: str, booked: str, status: str, start: str = "09:00") -> dict:
    return {"appointment_id": ident, "provider_id": "P1", "visit_type": "established",
            "date": pd.Timestamp(day), "booked_date": pd.Timestamp(booked),
            "start_time": start, "status": status}


def _slot(day: str, start: str, minutes: int, state: str, appointment: str | None = None
          ) -> dict:
    return {"provider_id": "P1", "date": pd.Timestamp(day), "start_time": start,
            "minutes": minutes, "state": state, "appointment_id": appointment}


@pytest.fixture
def table() -> pd.DataFrame:
    # history, Monday 3 March morning: booked a day ahead 2 no-shows of 5 (40 %), booked 11
    # days ahead none of 5; the cell's rate 2 of 10 (20 %)
    history = ([_visit(f"A{i}", "2025-03-03", "2025-03-02", "no-show" if i < 2 else "completed")
                for i in range(5)]
               + [_visit(f"B{i}", "2025-03-03", "2025-02-20", "completed") for i in range(5)])
    coming = [_visit("N1", "2025-03-10", "2025-03-09", "booked", "08:00")]
    appointments = pd.DataFrame(history + coming)
    slots = pd.DataFrame([
        _slot("2025-03-10", "08:00", 20, "booked", "N1"),  # booked a day ahead: 40 %
        _slot("2025-03-10", "08:20", 20, "open"),          # the cell's 20 %
        _slot("2025-03-10", "08:40", 30, "open"),          # a longer slot, 20 %
        _slot("2025-03-10", "09:10", 20, "blocked"),       # not a slot to fill
        _slot("2025-03-10", "13:00", 20, "open"),          # an afternoon with no history
        _slot("2025-03-17", "08:00", 20, "open"),          # a later Monday: not the next
    ])
    return model.overbooking_sessions(slots, appointments, dt.date(2025, 3, 3),
                                      dt.date(2025, 3, 7), tolerance=0.35)


def test_the_next_session_with_its_own_slots(table) -> None:
    assert table[["provider_id", "weekday", "session", "slots", "session_minutes",
                  "booked"]].values.tolist() == [["P1", "Mon", "morning", 3, 70, 1],
                                                 ["P1", "Mon", "afternoon", 1, 20, 0]]
    assert (table["date"] == pd.Timestamp("2025-03-10")).all()
    assert table.loc[0, "no_show_chance"] == pytest.approx((0.4 + 0.2 + 0.2) / 3)


def test_each_visit_with_its_own_probability(table) -> None:
    morning = table.loc[0]
    # shows 0.6, 0.8, 0.8, each extra 0.8 (the cell's). One extra: P(4 arrive) =
    # 0.6 * 0.8 ** 3 = 0.3072 <= 0.35. Two extra: P(all 3) = 0.384 times P(either extra) 0.96
    # = 0.36864, plus P(2 of 3) = 0.4 * 0.64 + 2 * 0.6 * 0.2 * 0.8 = 0.448 times 0.64:
    # 0.65536 > 0.35. So one extra (all at 20 %, binomial: P(4) = 0.8 ** 4 = 0.4096, none).
    assert morning["extra"] == 1
    assert morning["overflow_risk"] == pytest.approx(0.3072)
    # arrivals of the 3 booked: 0 with 0.016, 1 with 0.152, 2 with 0.448, 3 with 0.384; with
    # the extra at 0.8: 0 with 0.0032, 1 with 0.0432, 2 with 0.2112; idle slots 3 * 0.0032 +
    # 2 * 0.0432 + 0.2112 = 0.3072, at the mean slot of 70 / 3 minutes
    assert morning["idle_minutes"] == pytest.approx(0.3072 * 70 / 3)
    assert morning["overflow_minutes"] == pytest.approx(0.3072 * 70 / 3)


def test_a_session_without_history_takes_the_practice_rate(table) -> None:
    afternoon = table.loc[1]
    # one slot at 80 %: one extra gives P(2 arrive) = 0.64 > 0.35, none; idle 0.2 * 20
    assert (afternoon["extra"], afternoon["no_show_chance"]) == (0, pytest.approx(0.2))
    assert afternoon["idle_minutes"] == pytest.approx(4.0)
    assert afternoon["overflow_minutes"] == 0
