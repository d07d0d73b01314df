"""The patient access calculations against published values and hand-made cases."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from pracops.patient_access import model


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857, table II, method 3 (Wilson score)
    (81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718)])
def test_wilson_matches_newcombes_table(k, n, low, high) -> None:
    lo, hi = model.wilson(k, n)
    assert float(lo) == pytest.approx(low, abs=5e-5)
    assert float(hi) == pytest.approx(high, abs=5e-5)


def test_arrivals_pmf_is_the_poisson_binomial_by_enumeration() -> None:
    p = np.array([0.9, 0.95, 0.8, 0.97, 0.85, 0.9])
    expected = np.zeros(len(p) + 1)
    for shows in itertools.product((0, 1), repeat=len(p)):
        expected[sum(shows)] += math.prod(q if s else 1 - q for q, s in zip(p, shows, strict=True))
    assert np.allclose(model.arrivals_pmf(p), expected)
    same = model.arrivals_pmf(np.full(5, 0.3))
    assert np.allclose(same, [math.comb(5, j) * 0.3**j * 0.7**(5 - j) for j in range(6)])


def _appts(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["appointment_id", "provider_id", "date", "start_time",
                                        "visit_type", "status", "booked_date", "reminder"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["booked_date"] = pd.to_datetime(frame["booked_date"])
    return frame


def test_reminder_effect_matches_newcombes_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, example (b): 56/70 - 48/80, method 10
    rows = []
    for n, k, how in ((70, 56, "text"), (80, 48, "none")):
        rows += [(f"A{how}{i}", "P1", "2025-03-10", "09:00", "established",
                  "no-show" if i < k else "completed", "2025-03-01", how) for i in range(n)]
    effect = model.reminder_effect(_appts(rows), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert effect["difference"] == pytest.approx(0.2)
    assert effect["low"] == pytest.approx(0.0524, abs=5e-5)
    assert effect["high"] == pytest.approx(0.3339, abs=5e-5)


def test_p_chart_limits_by_hand() -> None:
    # two weeks: 1 of 10 and 3 of 10 no-shows; p = 0.2, sigma = 0.4/sqrt(10) = 0.1265;
    # z = -0.79, +0.79: moving range 1.58 / 1.128 = 1.40 widens the limits by 1.40
    rows = [(f"A{w}{i}", "P1", day, "09:00", "established",
             "no-show" if i < k else "completed", "2025-03-01", "none")
            for w, (day, k) in enumerate((("2025-03-10", 1), ("2025-03-17", 3)))
            for i in range(10)]
    chart = model.p_chart(_appts(rows), dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    sigma = math.sqrt(0.2 * 0.8 / 10)
    widen = 2 * 0.1 / sigma / 1.128
    assert list(chart["week"].astype(str)) == ["2025-03-10", "2025-03-17"]
    assert chart["upper"].tolist() == pytest.approx([0.2 + 3 * sigma * widen] * 2)
    assert not chart["above"].any()


def test_third_next_available_counts_open_and_later_booked_slots_not_blocked() -> None:
    slots = pd.DataFrame({
        "provider_id": ["P1"] * 5,
        "date": pd.to_datetime(["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-14",
                                "2025-03-20"]),
        "start_time": ["09:00"] * 5,
        "state": ["open", "open", "blocked", "booked", "open"],
        "appointment_id": [None, None, None, "A1", None]})
    appts = pd.DataFrame({"appointment_id": ["A1"],
                          "booked_date": pd.to_datetime(["2025-03-12"])})
    # on 9 March: 10th, 11th open, 12th blocked, 14th booked only on the 12th: third is 14th
    out = model.third_next_available(slots, appts, dt.date(2025, 3, 9))
    assert out["days"].tolist() == [5]
    # on 13 March: the 14th is booked already, the 20th is the only open one: no third in
    # the schedule, so at least one day past its end (the 21st): 8 days
    out = model.third_next_available(slots, appts, dt.date(2025, 3, 13))
    assert out[["days", "beyond_template"]].values.tolist() == [[8, True]]
    assert out["third_open"].isna().all()


def test_overbooking_by_hand() -> None:
    # 2 slots booked with patients who come 90 % of the time: 1 extra booking gives
    # P(3 arrive) = 0.9**3 = 0.729 > 10 %, so none; P(3) with 2 + 1 at 50 %: 0.81 * 0.5
    none = model.overbooking(np.array([0.9, 0.9]), slots=2, tolerance=0.10)
    assert none["extra"] == 0 and none["overflow_risk"] == 0.0
    # idle: 1 slot empty with 2 * 0.9 * 0.1, 2 slots with 0.01: (0.18 + 0.02) * 20 minutes
    assert none["idle_minutes"] == pytest.approx(4.0)
    low = model.overbooking(np.array([0.5, 0.5]), slots=2, tolerance=0.13)
    # 3 booked at 50 %: P(3) = 0.125 <= 0.13; 4 booked: P(3 or 4) = 5/16 > 0.13
    assert low["extra"] == 1 and low["overflow_risk"] == pytest.approx(0.125)
    assert low["overflow_minutes"] == pytest.approx(0.125 * 20)
