"""The datasets only the patient access report reads, declared into the catalogue
(:mod:`pracops.data`), with their row rules and references.

Each providers' slot template, what happened at each visit in the office and the front desk's
insurance checks. What a practice must find (a long wait, an unverified visit) is a finding of
the report; a file that cannot be what it says (two slots of one provider at once, a patient
roomed before arriving, a check for an appointment that does not exist) is refused with one
line. A missing checkout time is a habit of busy front desks, not an error: the report counts
and shows those visits.
"""

from __future__ import annotations

import pandas as pd

from pracops.data import Column, Dataset, Reference, register, register_rules, row_error
from pracops.data.fields import HHMM, ID

__all__ = ["EVENTS", "SLOT_STATES", "SLOT_TYPES"]

SLOT_TYPES: tuple[str, ...] = ("new patient", "established", "same-day")
"""What a template slot is kept for."""

SLOT_STATES: tuple[str, ...] = ("open", "booked", "blocked")

EVENTS: tuple[str, ...] = ("arrival", "roomed", "provider_in", "provider_out", "checkout")
"""The times a visit's events are recorded at, in the order they happen."""


def _minutes(hhmm: pd.Series) -> pd.Series:
    text = hhmm.astype("str")
    return (text.str[:2].astype("Int64") * 60 + text.str[3:5].astype("Int64")).where(
        hhmm.notna())


def _check_slots(frame: pd.DataFrame) -> None:
    blocked = frame["state"] == "blocked"
    reasonless = blocked & frame["block_reason"].isna()
    if reasonless.any():
        raise row_error(frame, reasonless, "block_reason", "a blocked slot without its reason",
                        "why the slot is blocked (meeting, leave, hospital rounds …)")
    unbooked = (frame["state"] == "booked") & frame["appointment_id"].isna()
    if unbooked.any():
        raise row_error(frame, unbooked, "appointment_id", "a booked slot without its "
                        "appointment", "the appointment booked into the slot")
    start = _minutes(frame["start_time"])
    order = pd.DataFrame({"p": frame["provider_id"], "d": frame["date"], "s": start,
                          "e": start + frame["minutes"]}).sort_values(["p", "d", "s"])
    same = (order["p"] == order["p"].shift()) & (order["d"] == order["d"].shift())
    overlap = same & (order["s"] < order["e"].shift())
    if overlap.any():
        bad = frame.index.isin(order.index[overlap.to_numpy()])
        raise row_error(frame, bad, "start_time", "a slot that starts before the provider's "
                        "previous slot of the day ends",
                        "slots of one provider that do not overlap",
                        fix="export the template once; a slot is listed twice or its length "
                            "is wrong")


def _check_events(frame: pd.DataFrame) -> None:
    stamps = {name: _minutes(frame[name]) for name in EVENTS}
    for earlier, later in zip(EVENTS, EVENTS[1:], strict=False):
        bad = (stamps[later] < stamps[earlier]).fillna(False)
        if bad.any():
            raise row_error(frame, bad, later, f"{later} before {earlier}",
                            f"a time on or after {earlier}", fix="correct the times: the "
                            "events are arrival, roomed, provider in, provider out, checkout")


register(Dataset(
    name="schedule_slots",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="schedule_slots",
    description="Each provider's template, one row per slot: what it is kept for and whether "
                "it is open, booked or blocked, as exported on the report date.",
    key=("slot_id",),
    checks=_check_slots,
    columns=(
        Column("slot_id", **ID),
        Column("provider_id", **ID, description="See providers."),
        Column("location_id", **ID, description="See locations."),
        Column("date", "date"),
        Column("start_time", "str", **HHMM),
        Column("minutes", "int", minimum=5, maximum=240),
        Column("slot_type", "category", allowed=SLOT_TYPES),
        Column("state", "category", allowed=SLOT_STATES),
        Column("block_reason", "str", nullable=True,
               description="Why a blocked slot is not bookable; empty otherwise."),
        Column("appointment_id", **ID, nullable=True,
               description="The appointment booked into it (see appointments)."),
    ),
))

register(Dataset(
    name="visit_events",
    stem="visit_events",
    description="One row per visit seen in the office: when the patient arrived, was roomed, "
                "saw the provider and checked out (the day is the appointment's).",
    key=("appointment_id",),
    optional=True,
    checks=_check_events,
    columns=(
        Column("appointment_id", **ID),
        *(Column(name, "str", nullable=name == "checkout", **HHMM) for name in EVENTS),
    ),
))

register(Dataset(
    name="eligibility_checks",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="eligibility_checks",
    description="One row per insurance eligibility check the front desk ran (270/271 or the "
                "payer's portal) for an appointment.",
    key=("check_id",),
    columns=(
        Column("check_id", **ID),
        Column("appointment_id", **ID),
        Column("checked_date", "date"),
        Column("result", "category", allowed=("active", "inactive", "not found")),
        Column("payer_id", **ID, description="The payer asked (see payers)."),
    ),
))

register_rules(references=(
    Reference("schedule_slots", "provider_id", "providers", "provider_id"),
    Reference("schedule_slots", "location_id", "locations", "location_id"),
    Reference("schedule_slots", "appointment_id", "appointments", "appointment_id"),
    Reference("visit_events", "appointment_id", "appointments", "appointment_id",
              fix="export visit_events and appointments for the same days, from the same "
                  "system (an appointment number is the scheduling system's)"),
    Reference("eligibility_checks", "appointment_id", "appointments", "appointment_id",
              fix="export eligibility_checks and appointments for the same days; a check "
                  "run for a visit later deleted belongs with no appointment: leave it out"),
    Reference("eligibility_checks", "payer_id", "payers", "payer_id"),
))
