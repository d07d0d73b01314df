"""The practice's foundation datasets, which several reports read: its sites
(``locations``), ``providers``, ``staff``, ``payers`` and the ``appointments`` on the providers'
schedules, with the references among them. A report's own datasets are declared in its package
(``pracops/<report>/datasets.py``)."""

from __future__ import annotations

import pandas as pd

from pracops.data import (
    Column,
    Dataset,
    Reference,
    npi_is_valid,
    register,
    register_rules,
    row_error,
)
from pracops.data.fields import HHMM, ID
from pracops.data.shifts import DAYS_PATTERN, SHIFTS_PATTERN, parse_shifts

__all__ = ["APPOINTMENT_STATUSES", "VISIT_TYPES"]

_DAYS_TEXT = "days such as 'Mon-Fri' or 'Mon,Wed,Fri'"


def _check_npis(frame: pd.DataFrame) -> None:
    bad = ~frame["npi"].map(npi_is_valid).astype(bool)
    if bad.any():
        raise row_error(frame, bad, "npi", "NPI check digit is wrong",
                        "a 10-digit NPI whose last digit is its Luhn check digit",
                        fix="copy the NPI again from NPPES (npiregistry.cms.hhs.gov)")


def _check_hours(frame: pd.DataFrame) -> None:
    bad = frame["opens"] >= frame["closes"]
    if bad.any():
        raise row_error(frame, bad, "closes", "closes before it opens",
                        "a closing time later than the opening time")


def _check_shifts(frame: pd.DataFrame) -> None:
    """Each shift of ``usual_shifts`` ends after it starts (the pattern checks its shape)."""
    def backwards(text: object) -> bool:
        try:
            parse_shifts(str(text))
        except ValueError:
            return True
        return False

    bad = frame["usual_shifts"].map(backwards).astype(bool)
    if bad.any():
        raise row_error(frame, bad, "usual_shifts", "a shift ends at or before it starts",
                        "shifts that end after they start (a night shift across midnight is "
                        "not supported)", fix="correct the times, e.g. 'Mon 08:00-12:00'")


register(Dataset(
    name="locations",
    stem="locations",
    description="One row per practice site.",
    key=("location_id",),
    checks=_check_hours,
    columns=(
        Column("location_id", **ID, description="Short code used by providers and staff."),
        Column("name", "str", description="Site name as patients know it."),
        Column("address", "str", description="Street address."),
        Column("city", "str"),
        Column("state", "str", pattern=r"[A-Z]{2}", pattern_text="a two-letter state code"),
        Column("zip", "str", pattern=r"\d{5}(?:-\d{4})?",
               pattern_text="a ZIP code as 12345 or 12345-6789 (stored as text)"),
        Column("opens", "str", **HHMM, description="Opening time on days open."),
        Column("closes", "str", **HHMM, description="Closing time on days open."),
        Column("days_open", "str", pattern=DAYS_PATTERN, pattern_text=_DAYS_TEXT),
    ),
))

register(Dataset(
    name="providers",
    stem="providers",
    description="One row per billing provider (physician or advanced practice clinician).",
    key=("provider_id",),
    checks=_check_npis,
    columns=(
        Column("provider_id", **ID),
        Column("npi", "str", pattern=r"\d{10}", pattern_text="10 digits",
               description="National Provider Identifier (check digit verified)."),
        Column("name", "str"),
        Column("kind", "category", allowed=("MD", "DO", "NP", "PA"),
               description="Credential: physician (MD, DO) or advanced practice (NP, PA)."),
        Column("specialty", "str"),
        Column("fte", "float", minimum=0.0, maximum=1.5,
               description="Clinical full-time equivalent."),
        Column("location_id", **ID, description="Home site."),
        Column("sessions_per_week", "int", minimum=0, maximum=14,
               description="Half-day clinic sessions per week."),
        Column("visits_per_day_target", "int", minimum=0, maximum=60,
               description="Visits per full clinic day the practice plans for."),
        Column("start_date", "date", description="First day with the practice."),
    ),
))

register(Dataset(
    name="staff",
    stem="staff",
    description="One row per non-provider employee.",
    key=("employee_id",),
    checks=_check_shifts,
    columns=(
        Column("employee_id", **ID),
        Column("name", "str"),
        Column("role", "category",
               allowed=("front desk", "medical assistant", "nurse", "lab technician",
                        "billing", "medical records", "manager")),
        Column("fte", "float", minimum=0.0, maximum=1.5),
        Column("hourly_rate_cents", "money", minimum=0, description="Base pay per hour."),
        Column("overtime_eligible", "bool", description="Non-exempt under the FLSA."),
        Column("location_id", **ID, description="Home site."),
        Column("usual_shifts", "str", pattern=SHIFTS_PATTERN,
               pattern_text="shifts such as 'Mon-Fri 08:00-16:30' or "
                            "'Mon,Wed 07:30-16:00; Sat 08:00-12:00'"),
    ),
))

register(Dataset(
    name="payers",
    stem="payers",
    description="One row per insurance payer (and self-pay).",
    key=("payer_id",),
    columns=(
        Column("payer_id", **ID),
        Column("name", "str"),
        Column("type", "category", allowed=("Medicare", "Medicaid", "commercial", "self-pay")),
        Column("trn03", "str", nullable=True, pattern=r"[0-9A-Za-z]{10}",
               pattern_text="10 letters or digits",
               description="Payer identifier in the 835's TRN03 (usually '1' + the EIN)."),
        Column("n1_pr_id", "str", nullable=True,
               description="Payer identifier in the 835's N1*PR segment (XV or PI)."),
        Column("class", "category",
               allowed=("Medicare", "Medicaid", "Commercial", "Self-pay", "Other"),
               description="Payer class the budget groups revenue by."),
        Column("timely_filing_days", "int", required=False, nullable=True, minimum=1,
               maximum=3650, description="Days from the date of service within which the "
                                         "payer accepts a claim; empty: no limit (self-pay)."),
    ),
))

VISIT_TYPES: tuple[str, ...] = ("new patient", "established", "annual wellness", "procedure",
                                "telehealth")
"""The kinds of appointment, in the order reports show them."""

APPOINTMENT_STATUSES: tuple[str, ...] = ("completed", "no-show", "cancelled", "rescheduled",
                                         "booked")
"""What became of an appointment; ``booked`` ones still lie ahead of the export."""

def check_appointments(frame: pd.DataFrame) -> None:
    """Booked on or before its day (and time, where given); called off after it was booked."""
    after = frame["booked_date"] > frame["date"]
    if after.any():
        headers = frame.attrs.get("headers", {})
        raise row_error(frame, after, "booked_date", "appointment booked after its date",
                        f"a date on or before the visit's {headers.get('date', 'date')}",
                        fix="booked_date is the day the appointment was made: export it as "
                            "such (not the day it was last changed), or correct the visit's "
                            "date if the visit moved")
    if "booked_time" in frame.columns:
        late = ((frame["booked_date"] == frame["date"]) & frame["booked_time"].notna()
                & (frame["booked_time"] > frame["start_time"])).fillna(False)
        if late.any():
            raise row_error(frame, late, "booked_time", "appointment booked after it started",
                            "a time before start_time on the day of the visit")
    if "cancelled_date" in frame.columns:
        early = (frame["cancelled_date"] < frame["booked_date"]).fillna(False)
        if early.any():
            raise row_error(frame, early, "cancelled_date", "called off before it was booked",
                            "a date on or after booked_date")


register(Dataset(
    name="appointments",
    stem="appointments",
    description="One row per appointment on a provider's schedule, whatever became of it.",
    key=("appointment_id",),
    checks=check_appointments,
    columns=(
        Column("appointment_id", **ID),
        Column("patient_id", **ID),
        Column("provider_id", **ID, description="Provider seen (see providers)."),
        Column("location_id", **ID, description="Site of the visit (see locations)."),
        Column("date", "date", description="Day of the appointment."),
        Column("start_time", "str", **HHMM),
        Column("visit_type", "category", allowed=VISIT_TYPES),
        Column("scheduled_minutes", "int", minimum=5, maximum=240),
        Column("status", "category", allowed=APPOINTMENT_STATUSES,
               description="Completed appointments are exactly the visits the claims bill."),
        Column("booked_date", "date", description="Day the appointment was made."),
        # Added for the patient access report (issue 17); optional, so a practice's older
        # export without them still loads.
        Column("booked_time", "str", required=False, nullable=True, **HHMM,
               description="Time of day the appointment was made."),
        Column("cancelled_date", "date", required=False, nullable=True,
               description="Day a cancelled or rescheduled appointment was called off."),
        Column("cancelled_time", "str", required=False, nullable=True, **HHMM,
               description="Time of day it was called off."),
        Column("patient_kind", "category", required=False, nullable=True,
               allowed=("new", "established"),
               description="New to the practice (no visit in three years) or established."),
        Column("reminder", "category", required=False, nullable=True,
               allowed=("none", "text", "phone", "email"),
               description="The reminder sent before the visit, and how; 'none' if none was."),
        Column("requested_date", "date", required=False, nullable=True,
               description="The day the patient asked to be seen on, where it was later "
                           "than the first day offered; empty otherwise."),
    ),
))

register_rules(references=(
    Reference("providers", "location_id", "locations", "location_id"),
    Reference("staff", "location_id", "locations", "location_id"),
    Reference("appointments", "location_id", "locations", "location_id"),
    Reference("appointments", "provider_id", "providers", "provider_id"),
))
