"""The patient access report's one entry point: :func:`run` loads the practice's files and
calculates; the notebook, the CLI and analysts call it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pracops import config, data, report
from pracops.data.checked import read_835
from pracops.errors import ParameterError
from pracops.patient_access import findings, model
from pracops.patient_access.parameters import PARAMETERS
from pracops.patient_access.sample import ELIGIBILITY_CARCS

__all__ = ["REPORT_NAME", "Inputs", "PatientAccess", "Selection", "check_bands", "compute",
           "default_as_of", "explore", "handout_sheets", "load_inputs", "periods", "run"]

REPORT_NAME = "patient_access"
HANDOUT_COLUMNS = ["appointment_id", "date", "start_time", "provider_id", "visit_type"]


@dataclass
class PatientAccess:
    """Everything the report shows, calculated."""

    as_of: dt.date
    start: dt.date
    practice_rate: float
    groups: pd.DataFrame
    bands: tuple[int, ...]
    chart: pd.DataFrame
    reminders: dict[str, float]
    leads: pd.DataFrame
    lead_spread: pd.DataFrame
    kinds: pd.DataFrame | None
    tnaa: pd.DataFrame
    tnaa_days: pd.DataFrame
    template: pd.DataFrame
    waits: pd.DataFrame | None
    cycle: pd.DataFrame | None
    cycle_locations: pd.DataFrame | None
    grid: pd.DataFrame
    missing_checkout: int
    denials: pd.DataFrame
    denials_by_payer: pd.DataFrame
    verification: dict[str, Any]
    overbooking: pd.DataFrame
    late: pd.DataFrame
    payment: pd.DataFrame
    revenue_lost_cents: int
    lost_by_payer: pd.DataFrame
    inputs: Inputs
    payer_classes: pd.Series
    problems: list[dict[str, Any]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def default_as_of(appointments: pd.DataFrame) -> dt.date:
    """The last day of history: the latest appointment that is no longer only booked."""
    past = appointments[appointments["status"].astype("str") != "booked"]["date"]
    if past.empty:
        raise ParameterError("as_of is needed: appointments hold no visit that took place")
    return past.max().date()


def handout_sheets(appointments: pd.DataFrame, checks: pd.DataFrame, groups: pd.DataFrame,
                   as_of: dt.date) -> dict[str, pd.DataFrame]:
    """The hand-out's sheets, for the first three days after ``as_of`` with visits booked
    (:func:`model.coming_days`), by appointment number, never by patient:
    ``reminder_calls``, the booked visits of a provider × weekday × session cell the report's
    rule flags (``groups``: :func:`model.no_show_groups`), with that cell's no-show rate as
    their risk, riskiest first: a list a person can call through, not every visit a little
    over the practice's rate; ``unverified``, the booked visits with no active eligibility
    check."""
    days = model.coming_days(appointments, as_of)
    booked = appointments[appointments["date"].dt.date.isin(days)
                          & (appointments["status"].astype("str") == "booked")]
    booked = booked.sort_values(["date", "start_time", "appointment_id"])
    cells = groups[(groups["dimension"] == model.CELL) & groups["flagged"]].set_index("group")
    weekday = booked["date"].dt.strftime("%a")
    session = np.where(booked["start_time"].astype("str") < "12:00", "morning", "afternoon")
    cell = booked["provider_id"].astype("str") + " " + weekday + " " + session
    calls = booked[HANDOUT_COLUMNS].assign(no_show_risk=cell.map(cells["rate"]).round(4))
    calls = calls[calls["no_show_risk"].notna()].sort_values(
        "no_show_risk", ascending=False, kind="stable")
    active = checks.loc[checks["result"].astype("str") == "active", "appointment_id"]
    unverified = booked.loc[~booked["appointment_id"].isin(active), HANDOUT_COLUMNS]
    return {"reminder_calls": calls.reset_index(drop=True),
            "unverified": unverified.reset_index(drop=True)}


def check_bands(value: Sequence[int]) -> tuple[int, ...]:
    """The ``lead_time_bands`` parameter checked by its declaration
    (:func:`pracops.patient_access.parameters.bands_rule`), for a direct call of
    :func:`compute`; the runner checks it the same way before any kernel starts."""
    return tuple(PARAMETERS["lead_time_bands"].check(list(value), "lead_time_bands"))


def _check_given(given: Mapping[str, Any], kinds: set[str], classes: set[str]) -> None:
    """Refuse an ``expected_payment`` naming a visit type or payer class the data does not
    have: it would price nothing, without a word."""
    for kind, price in given.items():
        if kind not in kinds:
            raise ParameterError(f"expected_payment names the visit type {kind!r}, which the "
                                 f"appointments do not have; they have {sorted(kinds)}")
        for payer in price if isinstance(price, Mapping) else ():
            if payer not in classes:
                raise ParameterError(f"expected_payment names the payer class {payer!r} for "
                                     f"{kind!r}, which the payers table does not have; it has "
                                     f"{sorted(classes)}")


def _day(text: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{name} {text!r} is not a date as YYYY-MM-DD") from None


@dataclass
class Inputs:
    """The practice's files the report reads (``events`` ``None`` when not exported)."""

    appointments: pd.DataFrame
    slots: pd.DataFrame
    events: pd.DataFrame | None
    checks: pd.DataFrame
    claims: pd.DataFrame
    payments: pd.DataFrame
    adjustments: pd.DataFrame
    payers: pd.DataFrame


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> Inputs:
    """Load the files of ``data_dir`` (``None``: the bundled sample)."""
    return Inputs(
        appointments=data.load("appointments", data_dir),
        slots=data.load("schedule_slots", data_dir),
        events=(data.load("visit_events", data_dir)
                if data.locate("visit_events", data_dir, missing_ok=True) else None),
        checks=data.load("eligibility_checks", data_dir),
        claims=data.load("claims", data_dir),
        payments=data.load("payments_posted", data_dir),
        adjustments=read_835(data.era_dir(data_dir)).adjustments,
        payers=data.load("payers", data_dir),
    )


def compute(inputs: Inputs, as_of: str = "", period_start: str = "",
            access_target_days: int = 14, wait_target_minutes: int = 20,
            flag_points: float = 5.0, overbooking_tolerance_pct: float = 10.0,
            late_cancel_hours: float = 24.0, lead_time_bands: Sequence[int] = model.LEAD_BANDS,
            expected_payment: Mapping[str, Any] = {}) -> PatientAccess:  # noqa: B006
    """Calculate everything the report shows from loaded ``inputs`` (no I/O).

    Without ``visit_events`` the office-flow part is left out (``waits`` None).
    """
    bands = check_bands(lead_time_bands)
    given = PARAMETERS["expected_payment"].check(dict(expected_payment), "expected_payment")
    appointments, events = inputs.appointments, inputs.events
    day = _day(as_of, "as_of") if as_of else default_as_of(appointments)
    start = (_day(period_start, "period_start") if period_start
             else day.replace(year=day.year - 1) + dt.timedelta(days=1))
    denials = model.eligibility_denials(inputs.adjustments, inputs.claims, appointments,
                                        inputs.checks, ELIGIBILITY_CARCS)
    classes = model.payer_class(appointments, inputs.claims, inputs.checks, inputs.payers)
    _check_given(given, set(appointments["visit_type"].dropna().astype("str")),
                 set(inputs.payers["class"].dropna().astype("str")) | {model.UNKNOWN_PAYER})
    rate, groups = model.no_show_groups(appointments, start, day, model.Flags(flag_points),
                                        bands=bands, payer_classes=classes)
    payment = model.expected_payment(appointments, inputs.claims, inputs.payments, start, day,
                                     classes)
    lost_cents, lost_by_payer = model.revenue_lost(appointments, payment, classes, start, day,
                                                   given)
    tnaa_days = model.third_next_available_by_day(
        inputs.slots, appointments, [*model.practice_days(inputs.slots, start, day), day])
    return PatientAccess(
        as_of=day, start=start, practice_rate=rate, groups=groups, bands=bands,
        chart=model.p_chart(appointments, start, day),
        reminders=model.reminder_effect(appointments, start, day),
        leads=model.lead_times(appointments, start, day),
        lead_spread=model.lead_distribution(appointments, start, day, bands),
        kinds=model.lead_times_by_kind(appointments, start, day),
        tnaa=tnaa_days[tnaa_days["day"] == day].drop(columns="day").reset_index(drop=True),
        tnaa_days=tnaa_days,
        template=model.template_use(inputs.slots, start, day),
        waits=None if events is None else model.room_waits(events, appointments),
        cycle=(None if events is None
               else model.cycle_times(events, appointments, wait_target_minutes)),
        cycle_locations=(None if events is None
                         else model.cycle_times(events, appointments, wait_target_minutes,
                                                by=("location_id", "hour")).reset_index()),
        grid=model.no_show_grid(appointments, start, day),
        missing_checkout=0 if events is None else int(events["checkout"].isna().sum()),
        denials=denials,
        denials_by_payer=model.denials_by_payer(denials),
        verification=model.verified_ahead(appointments, inputs.checks, start, day),
        overbooking=model.overbooking_sessions(inputs.slots, appointments, start, day,
                                               overbooking_tolerance_pct / 100, bands),
        late=model.late_cancellations(appointments, start, day, late_cancel_hours, bands,
                                      classes),
        payment=payment, revenue_lost_cents=lost_cents,
        lost_by_payer=lost_by_payer,
        inputs=inputs, payer_classes=classes,
        problems=findings.find(appointments, inputs.slots, events, denials, groups, start, day,
                               access_target_days=access_target_days),
    )


def run(data_dir: str | os.PathLike[str] | None = None, as_of: str = "",
        period_start: str = "", access_target_days: int = 14, wait_target_minutes: int = 20,
        flag_points: float = 5.0, overbooking_tolerance_pct: float = 10.0,
        late_cancel_hours: float = 24.0,
        lead_time_bands: list = [0, 3, 8, 15, 31],  # noqa: B006  (the declared default; not mutated)
        expected_payment: dict = {},  # noqa: B006  (the declared default; not mutated)
        output_dir: str | os.PathLike[str] | None = None) -> PatientAccess:
    """Load the files of ``data_dir`` (``None``: the bundled sample), :func:`compute`, and
    write the hand-out ``patient_access.xlsx`` (:func:`handout_sheets`) to ``output_dir``
    (``None``: beside the report, :func:`pracops.config.report_files_dir`)."""
    inputs = load_inputs(data_dir)
    result = compute(inputs, as_of=as_of, period_start=period_start,
                     access_target_days=access_target_days,
                     wait_target_minutes=wait_target_minutes, flag_points=flag_points,
                     overbooking_tolerance_pct=overbooking_tolerance_pct,
                     late_cancel_hours=late_cancel_hours, lead_time_bands=lead_time_bands,
                     expected_payment=expected_payment)
    sheets = handout_sheets(inputs.appointments, inputs.checks, result.groups, result.as_of)
    result.files = report.write_handouts(sheets, config.report_files_dir(output_dir, REPORT_NAME),
                                         workbook="patient_access.xlsx", csv=False)
    return result


@dataclass
class Selection:
    """What the explorer shows for a provider, a visit type, a period and a tolerance: the
    chosen visits' no-show rate, their weekly p-chart and groups (flagged against their own
    rate) and the overbooking suggestion of each of their provider × weekday × session cells
    (its next session after the report's as-of date, from the selection's history)."""

    provider: str
    visit_type: str
    start: dt.date
    end: dt.date
    tolerance_pct: float
    kept: int
    no_shows: int
    rate: float
    low: float
    high: float
    chart: pd.DataFrame
    groups: pd.DataFrame
    overbooking: pd.DataFrame


def periods(result: PatientAccess) -> list[tuple[str, tuple[dt.date, dt.date]]]:
    """The explorer's periods: the report's whole period, then each calendar quarter in it
    (cut to the period), as ``(label, (first day, last day))``."""
    out = [(f"{result.start} to {result.as_of}", (result.start, result.as_of))]
    for q in pd.period_range(result.start, result.as_of, freq="Q"):
        first = max(q.start_time.date(), result.start)
        last = min(q.end_time.date(), result.as_of)
        out.append((f"{q.year} Q{q.quarter}", (first, last)))
    return out


def explore(result: PatientAccess, provider: str = "", visit_type: str = "",
            start: dt.date | None = None, end: dt.date | None = None,
            tolerance_pct: float = 10.0, flag_points: float = 5.0) -> Selection:
    """The no-show figures of the visits of ``provider`` and ``visit_type`` (empty: every
    one) from ``start`` to ``end`` (``None``: the report's period), and the overbooking
    suggestion at ``tolerance_pct``; pure (no I/O), for the explorer and for analysts."""
    first, last = start or result.start, end or result.as_of
    appointments = result.inputs.appointments
    chosen = pd.Series(True, index=appointments.index)
    if provider:
        chosen &= appointments["provider_id"].astype("str") == provider
    if visit_type:
        chosen &= appointments["visit_type"].astype("str") == visit_type
    picked = appointments[chosen]
    kept = picked[picked["date"].dt.date.between(first, last)
                  & picked["status"].astype("str").isin(model.KEPT)]
    no_shows = int((kept["status"].astype("str") == "no-show").sum())
    low, high = model.wilson(no_shows, len(kept))
    if kept.empty:
        chart = groups = table = pd.DataFrame()
        rate = float("nan")
    else:
        rate, groups = model.no_show_groups(picked, first, last, model.Flags(flag_points),
                                            bands=result.bands,
                                            payer_classes=result.payer_classes[chosen])
        chart = model.p_chart(picked, first, last)
        slots = result.inputs.slots
        if provider:
            slots = slots[slots["provider_id"].astype("str") == provider]
        table = model.overbooking_sessions(slots, picked, first, last, tolerance_pct / 100,
                                           result.bands, after=result.as_of)
    return Selection(provider=provider, visit_type=visit_type, start=first, end=last,
                     tolerance_pct=tolerance_pct, kept=len(kept), no_shows=no_shows,
                     rate=rate, low=float(low), high=float(high), chart=chart, groups=groups,
                     overbooking=table)
