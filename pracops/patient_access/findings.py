"""The patient access report's problems, in the shape the sample's ground truth records them:
one dict per problem with its ``kind`` and the keys that identify it, for the summary, the
tests and the executive summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from pracops.patient_access import model

__all__ = ["find"]

_CELL = "provider, weekday, session"


def find(appointments: pd.DataFrame, slots: pd.DataFrame, events: pd.DataFrame | None,
         denials: pd.DataFrame, groups: pd.DataFrame, start: dt.date, as_of: dt.date, *,
         access_target_days: int, lead_target_days: int = 30,
         room_wait_ratio: float = 2.0) -> list[dict[str, Any]]:
    """Every problem the default rules flag, in the order of the issue's six (``groups``:
    :func:`model.no_show_groups`, flagged by the report's rule)."""
    out: list[dict[str, Any]] = []
    for row in groups[groups["flagged"]].itertuples():
        if row.dimension == _CELL:
            provider, weekday, session = str(row.group).split(" ")
            out.append({"kind": "no_show_group", "provider_id": provider, "weekday": weekday,
                        "session": session, "no_shows": int(row.no_shows),
                        "kept": int(row.kept)})
        else:
            out.append({"kind": "no_show_group", "dimension": row.dimension,
                        "group": str(row.group), "no_shows": int(row.no_shows),
                        "kept": int(row.kept)})
    chart = model.p_chart(appointments, start, as_of)
    for row in chart[chart["above"]].itertuples():
        out.append({"kind": "no_show_week", "week": row.week.isoformat(),
                    "no_shows": int(row.no_shows), "kept": int(row.kept)})
    tnaa = model.third_next_available(slots, appointments, as_of)
    for row in tnaa[tnaa["days"] > access_target_days].itertuples():
        out.append({"kind": "third_next_available", "provider_id": row.provider_id,
                    "measured_on": as_of.isoformat(), "days": int(row.days),
                    **({"beyond_template": True} if row.beyond_template else {})})
    leads = model.lead_times(appointments, start, as_of)
    for row in leads[leads["median_days"] > lead_target_days].itertuples():
        out.append({"kind": "long_lead_time", "visit_type": row.visit_type,
                    "median_days": float(row.median_days)})
    if events is not None:
        waits = model.room_waits(events, appointments)
        for row in waits[waits["ratio"] >= room_wait_ratio].itertuples():
            out.append({"kind": "afternoon_room_wait", "location_id": row.location_id,
                        "morning_median_minutes": float(row.morning),
                        "afternoon_median_minutes": float(row.afternoon)})
    never = denials[denials["never_checked"]]
    for payer, rows in never.groupby(never["payer_id"].astype("str")):
        out.append({"kind": "unverified_eligibility_denials", "payer_id": payer,
                    "claims": sorted(rows["claim_id"].astype("str")),
                    "denied_cents": int(rows["denied_cents"].sum())})
    return out
