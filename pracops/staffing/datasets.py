"""The datasets only the staffing plan reads, declared into the catalogue
(:mod:`pracops.data`), with the references and rules across files it relies on."""

from __future__ import annotations

import pandas as pd

from pracops.data import Column, Dataset, Reference, Relation, register, register_rules, row_error
from pracops.data.fields import HHMM, ID


def _check_phone_calls(frame: pd.DataFrame) -> None:
    """Abandoned calls are among the calls offered; answered calls have a handle time."""
    bad = frame["abandoned"] > frame["calls"]
    if bad.any():
        raise row_error(frame, bad, "abandoned", "more calls abandoned than offered",
                        "at most the interval's calls")
    bad = (frame["calls"] > frame["abandoned"]) & frame["avg_handle_seconds"].isna()
    if bad.any():
        raise row_error(frame, bad, "avg_handle_seconds", "answered calls without a handle time",
                        "the average seconds of the answered calls")
    bad = ~frame["interval_start"].str.endswith(("00", "30"))
    if bad.any():
        raise row_error(frame, bad, "interval_start", "not the start of a half hour",
                        "a time on the hour or half hour, such as 08:30",
                        fix="export the call statistics in 30-minute intervals")


register(Dataset(
    name="phone_calls",
    stem="phone_calls",
    description=("One row per site and 30-minute interval of a day the phones were open: the "
                 "phone system's call statistics. Each site's front desk answers its own line; "
                 "a practice with one central number gives it one code of its own (ALL, say)."),
    key=("date", "interval_start", "location_id"),
    optional=True,
    checks=_check_phone_calls,
    columns=(
        Column("date", "date"),
        Column("interval_start", "str", **HHMM,
               description="Start of the 30-minute interval, HH:MM on :00 or :30."),
        Column("location_id", **ID, description="Site whose line took the calls."),
        Column("calls", "int", minimum=0, description="Calls offered (answered + abandoned)."),
        Column("avg_handle_seconds", "int", nullable=True, minimum=1,
               description="Mean talk and wrap-up time of the answered calls; empty when none "
                           "was answered."),
        Column("abandoned", "int", minimum=0, description="Callers who hung up before an answer."),
    ),
))


def check_appointments(appointments: pd.DataFrame, locations: pd.DataFrame) -> None:
    """Appointments at known sites, inside opening hours
    (:func:`pracops.staffing.model.check_appointments`)."""
    from pracops.staffing.model import check_appointments as check

    check(appointments, locations)

register_rules(
    references=(
        Reference("phone_calls", "location_id", "locations", "location_id"),
    ),
    relations=(
        Relation(("appointments", "locations"), check_appointments,
                 "appointments at known sites, inside opening hours"),
    ),
)
