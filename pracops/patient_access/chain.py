"""The patient access report's one entry point: :func:`run` loads the practice's files and
calculates; the notebook, the CLI and analysts call it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pracops import data
from pracops.data.checked import read_835
from pracops.errors import ParameterError
from pracops.patient_access import findings, model
from pracops.patient_access.sample import ELIGIBILITY_CARCS

__all__ = ["PatientAccess", "default_as_of", "overbooking_table", "run"]


@dataclass
class PatientAccess:
    """Everything the report shows, calculated."""

    as_of: dt.date
    start: dt.date
    practice_rate: float
    groups: pd.DataFrame
    chart: pd.DataFrame
    reminders: dict[str, float]
    leads: pd.DataFrame
    tnaa: pd.DataFrame
    waits: pd.DataFrame | None
    cycle: pd.DataFrame | None
    grid: pd.DataFrame
    missing_checkout: int
    denials: pd.DataFrame
    overbooking: pd.DataFrame
    problems: list[dict[str, Any]] = field(default_factory=list)


def default_as_of(appointments: pd.DataFrame) -> dt.date:
    """The last day of history: the latest appointment that is no longer only booked."""
    past = appointments[appointments["status"].astype("str") != "booked"]["date"]
    if past.empty:
        raise ParameterError("as_of is needed: appointments hold no visit that took place")
    return past.max().date()


def overbooking_table(groups: pd.DataFrame, tolerance_pct: float,
                      session_slots: int = 12) -> pd.DataFrame:
    """Per provider, weekday and session: extra bookings for a full session of
    ``session_slots`` slots, each visit showing with the cell's history (a binomial)."""
    cells = groups[groups["dimension"] == "provider, weekday, session"]
    rows = []
    for cell in cells.itertuples():
        shows = [1 - float(cell.rate)] * session_slots
        rows.append({"cell": cell.group, "no_show_rate": float(cell.rate),
                     **model.overbooking(shows, session_slots, tolerance_pct / 100)})
    return pd.DataFrame(rows)


def _day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{name} {text!r} is not a date as YYYY-MM-DD") from None


def run(data_dir: str | os.PathLike[str] | None = None, as_of: str = "",
        period_start: str = "", flag_points: float = 5.0, access_target_days: int = 14,
        overbooking_tolerance_pct: float = 10.0, wait_target_minutes: int = 20
        ) -> PatientAccess:
    """Load the files of ``data_dir`` (``None``: the bundled sample) and calculate.

    ``visit_events`` may be absent: the office-flow part is then left out (``waits`` None).
    """
    appointments = data.load("appointments", data_dir)
    slots = data.load("schedule_slots", data_dir)
    events = (data.load("visit_events", data_dir)
              if data.locate("visit_events", data_dir, missing_ok=True) else None)
    checks = data.load("eligibility_checks", data_dir)
    claims = data.load("claims", data_dir)
    remittance = read_835(data.era_dir(data_dir))
    day = _day(as_of, "as_of") if as_of else default_as_of(appointments)
    start = (_day(period_start, "period_start") if period_start
             else day.replace(year=day.year - 1) + dt.timedelta(days=1))
    denials = model.eligibility_denials(remittance.adjustments, claims, appointments, checks,
                                        ELIGIBILITY_CARCS)
    rate, groups = model.no_show_groups(appointments, start, day, model.Flags(flag_points))
    return PatientAccess(
        as_of=day, start=start, practice_rate=rate, groups=groups,
        chart=model.p_chart(appointments, start, day),
        reminders=model.reminder_effect(appointments, start, day),
        leads=model.lead_times(appointments, start, day),
        tnaa=model.third_next_available(slots, appointments, day),
        waits=None if events is None else model.room_waits(events, appointments),
        cycle=(None if events is None
               else model.cycle_times(events, appointments, wait_target_minutes)),
        grid=model.no_show_grid(appointments, start, day),
        missing_checkout=0 if events is None else int(events["checkout"].isna().sum()),
        denials=denials, overbooking=overbooking_table(groups, overbooking_tolerance_pct),
        problems=findings.find(appointments, slots, events, denials, start, day,
                               flag_points=flag_points, access_target_days=access_target_days))
