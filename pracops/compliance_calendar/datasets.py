"""The datasets only the compliance calendar reads, declared into the catalogue
(:mod:`pracops.data`), with the rules across files it relies on.

``requirements`` is the practice's own list of what each role must hold or complete and how
often, shipped with defaults that cite their source; the calculations read every interval,
window and range from it, none is written into the code. The records (``credentials``,
``trainings``, ``reviews``, ``equipment``, ``equipment_logs``, ``practice_documents``) name
their requirement in a ``kind`` (or ``course``) column that must be a requirement of the
practice, and their person (a staff ``employee_id`` or a ``provider_id``) or asset that must
exist: ``pracops validate`` refuses anything else with the file, row, column, value and the fix.
"""

from __future__ import annotations

import pandas as pd

from pracops.data import (
    Column,
    Dataset,
    Reference,
    Relation,
    register,
    register_rules,
    row_error,
    rows_error,
)
from pracops.data.fields import HHMM, ID, not_before

__all__ = ["REQUIREMENT_KINDS", "EFFECTS"]

REQUIREMENT_KINDS = ("credential", "training", "review", "document", "equipment", "log")
"""What a requirement is checked against: a ``credentials`` row, a ``trainings`` row, a
``reviews`` row, a ``practice_documents`` row, an ``equipment`` service, ``equipment_logs``."""

EFFECTS = ("none", "all visits", "payer visits", "prescribing")
"""What a lapsed credential stops: nothing billable, every visit (a state licence), the visits
of one payer (an enrolment), prescribing controlled substances (a DEA registration)."""

_PERSON = {**ID, "description": "A staff employee_id or a provider_id."}


def _check_requirements(frame: pd.DataFrame) -> None:
    log = frame["kind"] == "log"
    bounds = log & frame["low"].notna() & frame["high"].notna() & (frame["low"] >= frame["high"])
    if bounds.any():
        raise row_error(frame, bounds, "high", "the range's top at or below its bottom",
                        "a high reading above low")
    once = (frame["kind"].isin(("training", "review")) & frame["interval_days"].isna()
            & ~frame["at_hire"])
    if once.any():
        raise row_error(frame, once, "interval_days",
                        "a training or review neither recurring nor due at hire",
                        "the days between renewals, or at_hire true for a one-time item")


register(Dataset(
    name="requirements",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="requirements",
    description="What each role must hold or complete and how often: the practice's own "
                "list, shipped with defaults and their source.",
    key=("requirement",),
    checks=_check_requirements,
    columns=(
        Column("requirement", **ID, description="The name records use in their kind."),
        Column("title", "str"),
        Column("kind", "category", allowed=REQUIREMENT_KINDS),
        Column("applies_to", "str",
               description="Roles separated by ';' (staff roles, 'provider' for every "
                           "provider), 'practice' for a practice-wide item, or equipment "
                           "kinds for a log."),
        Column("at_hire", "bool", description="Due at hire (or start) for a new person."),
        Column("interval_days", "int", nullable=True, minimum=1, maximum=3650,
               description="Days from one completion to the next; empty: once (or the "
                           "record's own expiry date)."),
        Column("per_day", "int", required=False, nullable=True, minimum=1, maximum=24,
               description="Readings a day for a daily log."),
        Column("low", "float", required=False, nullable=True),
        Column("high", "float", required=False, nullable=True,
               description="A log reading outside low..high is out of range."),
        Column("effect", "category", allowed=EFFECTS,
               description="What a lapse stops (revenue at risk)."),
        Column("source", "str", description="The rule it comes from."),
    ),
))

register(Dataset(
    name="credentials",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="credentials",
    description="One row per licence, registration, certification, attestation or payer "
                "enrolment a person holds (one row per payer for enrolments).",
    key=("credential_id",),
    checks=not_before("expires", "issued", "expires before it was issued"),
    columns=(
        Column("credential_id", **ID),
        Column("person_id", **_PERSON),
        Column("kind", **ID, description="A requirement (see requirements)."),
        Column("payer_id", **ID, nullable=True, description="The payer of an enrolment."),
        Column("number", "str"),
        Column("issuer", "str"),
        Column("issued", "date", description="Issued, renewed or attested on."),
        Column("expires", "date", nullable=True,
               description="Empty: issued + the requirement's interval (CAQH's 120 days)."),
    ),
))

register(Dataset(
    name="trainings",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="trainings",
    description="One row per course a person completed.",
    key=("training_id",),
    columns=(
        Column("training_id", **ID),
        Column("person_id", **_PERSON),
        Column("course", **ID, description="A requirement (see requirements)."),
        Column("completed", "date"),
    ),
))

register(Dataset(
    name="reviews",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="reviews",
    description="The HR record of each employee: hire date, last performance review and "
                "the next one due (empty: the last plus the requirement's interval).",
    key=("employee_id",),
    checks=not_before("next_due", "last_review", "next review due before the last one"),
    columns=(
        Column("employee_id", **ID),
        Column("hire_date", "date"),
        Column("last_review", "date", nullable=True),
        Column("next_due", "date", nullable=True),
    ),
))

register(Dataset(
    name="equipment",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="equipment",
    description="One row per asset that must be checked, serviced or calibrated.",
    key=("asset_id",),
    columns=(
        Column("asset_id", **ID),
        Column("kind", "str", description="AED, eyewash station, fire extinguisher, scale, "
                                          "lab analyser, vaccine refrigerator, autoclave …"),
        Column("location_id", **ID),
        Column("last_service", "date", description="Last check, service or calibration."),
        Column("interval_days", "int", minimum=1, maximum=3650),
        Column("vendor", "str", nullable=True),
    ),
))

register(Dataset(
    name="equipment_logs",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="equipment_logs",
    description="The logs kept daily or weekly: temperatures (°C) and test results.",
    key=("asset_id", "date", "time"),
    columns=(
        Column("asset_id", **ID),
        Column("date", "date"),
        Column("time", "str", **HHMM),
        Column("reading", "float", nullable=True, description="A temperature in °C."),
        Column("result", "category", nullable=True, allowed=("pass", "fail")),
        Column("initials", "str"),
    ),
))

register(Dataset(
    name="practice_documents",
    optional=True,  # a practice without it still validates; the report names it when it runs
    stem="practice_documents",
    description="Certificates, agreements, postings and policies with their renewal.",
    key=("document_id",),
    checks=not_before("expires", "last_done", "expires before it was done"),
    columns=(
        Column("document_id", **ID),
        Column("kind", **ID, description="A requirement (see requirements)."),
        Column("title", "str"),
        Column("vendor", "str", nullable=True, description="A business associate."),
        Column("owner", **ID, description="Who keeps it (an employee_id)."),
        Column("last_done", "date", description="Issued, signed, posted or reviewed on."),
        Column("expires", "date", nullable=True,
               description="Empty: last_done + the requirement's interval."),
    ),
))


def _unknown(frame: pd.DataFrame, dataset: str, column: str, known: pd.Series,
             what: str, where: str) -> None:
    bad = frame[column].notna() & ~frame[column].astype("str").isin(set(known.astype("str")))
    if bad.any():
        raise rows_error(frame, bad, dataset, column, f"unknown {what}", f"{what} in {where}",
                         fix=f"correct the value, or add it to {where}")


def check_people(credentials: pd.DataFrame, trainings: pd.DataFrame, staff: pd.DataFrame,
                 providers: pd.DataFrame) -> None:
    """Every person is a staff employee_id or a provider_id."""
    people = pd.concat([staff["employee_id"], providers["provider_id"]])
    for name, frame in (("credentials", credentials), ("trainings", trainings)):
        _unknown(frame, name, "person_id", people, "person", "staff.csv or providers.csv")


def check_kinds(requirements: pd.DataFrame, credentials: pd.DataFrame, trainings: pd.DataFrame,
                practice_documents: pd.DataFrame) -> None:
    """Every record names a requirement of its kind."""
    def of(kind: str) -> pd.Series:
        return requirements.loc[requirements["kind"] == kind, "requirement"]
    _unknown(credentials, "credentials", "kind", of("credential"), "requirement kind",
             "requirements.csv (kind credential)")
    _unknown(trainings, "trainings", "course", of("training"), "requirement kind",
             "requirements.csv (kind training)")
    _unknown(practice_documents, "practice_documents", "kind", of("document"),
             "requirement kind", "requirements.csv (kind document)")


register_rules(
    references=(
        Reference("equipment_logs", "asset_id", "equipment", "asset_id"),
        Reference("equipment", "location_id", "locations", "location_id"),
        Reference("reviews", "employee_id", "staff", "employee_id"),
        Reference("credentials", "payer_id", "payers", "payer_id"),
        Reference("practice_documents", "owner", "staff", "employee_id"),
    ),
    relations=(
        Relation(("credentials", "trainings", "staff", "providers"), check_people,
                 "people are staff or providers"),
        Relation(("requirements", "credentials", "trainings", "practice_documents"),
                 check_kinds, "records name a requirement of their kind"),
    ),
)
