"""Business days (pracops.daily_close.businessdays) against dates read off a 2025-26 calendar:
weekends and US federal holidays are not business days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pracops.daily_close import businessdays as bd


def test_weekends_and_federal_holidays_are_not_business_days() -> None:
    days = ["2025-12-24", "2025-12-25", "2025-12-27", "2026-01-01", "2026-01-19", "2026-01-20"]
    assert bd.is_business_day(days).tolist() == [True, False, False, False, False, True]
    assert bd.is_business_day("2025-11-27") is False  # Thanksgiving


def test_add_rolls_a_closed_day_forward_then_counts() -> None:
    out = bd.add(["2025-12-24", "2025-12-27", "2025-12-31", "2025-07-03"], 1)
    assert [str(d) for d in out] == ["2025-12-26", "2025-12-30", "2026-01-02", "2025-07-07"]
    assert [str(d) for d in bd.add(["2025-12-22"], np.array([0]))] == ["2025-12-22"]


def test_between_counts_the_start_and_not_the_end() -> None:
    out = bd.between(["2025-12-24", "2025-12-31", "2025-12-22", "2025-12-26"],
                     ["2025-12-26", "2026-01-02", "2025-12-22", "2025-12-22"])
    assert out.tolist() == [1, 1, 0, -3]
    assert bd.between([], []).tolist() == []


def test_last_business_day_on_or_before() -> None:
    assert bd.last_business_day(pd.Timestamp("2026-01-01")) == pd.Timestamp("2025-12-31")
    assert bd.last_business_day(pd.Timestamp("2025-12-28")) == pd.Timestamp("2025-12-26")
    assert bd.last_business_day(pd.Timestamp("2025-12-26")) == pd.Timestamp("2025-12-26")
