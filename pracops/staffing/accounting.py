"""What the plan uses: every appointment and phone-statistics row, used or left out and why
(:func:`appointment_use`, :func:`phone_call_use`), and the roster hours the interval
comparison cannot see (:func:`roster_hours_not_compared`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from pracops.data import require_columns
from pracops.errors import ParameterError
from pracops.staffing.common import _KEPT, _check_interval, _minutes, _weekday_names
from pracops.staffing.forecast import _timestamp
from pracops.staffing.roster import roster_shifts

__all__ = [
    "ACCOUNT_COLUMNS",
    "appointment_use",
    "phone_call_use",
    "roster_hours_not_compared",
]

ACCOUNT_COLUMNS = ("dataset", "what", "count", "unit", "used", "how")
"""Columns of the accounting tables: ``count`` of ``unit`` (rows, staff-hours a week) that the
plan ``used`` or left out, and ``how`` (what it does with them, or why it leaves them out)."""


def _account(lines: Sequence[tuple[str, str, float, str, bool, str]]) -> pd.DataFrame:
    out = pd.DataFrame(list(lines), columns=list(ACCOUNT_COLUMNS))
    return out.astype({"count": "float64", "used": "bool"})


def appointment_use(appointments: pd.DataFrame, start: str | pd.Timestamp,
                    end: str | pd.Timestamp, train_end: str | pd.Timestamp | None = None
                    ) -> pd.DataFrame:
    """What the forecast does with every appointment row: each row is in exactly one line.

    Used: ``completed`` appointments up to ``train_end`` are the visits the history forecast
    learns from; ``no-show`` ones set the no-show rate (they are not visits: nobody came);
    ``booked`` ones from ``start`` to ``end`` are the booked schedule under the forecast.
    Left out: ``cancelled`` (held no slot) and ``rescheduled`` rows (the new appointment is a
    row of its own); ``booked`` rows dated up to ``train_end`` (days between the export and the
    plan's start, or past days whose status was never updated) or after ``end``;
    ``completed`` and ``no-show`` rows after ``train_end`` (on or after the plan's start: not
    history).

    Parameters
    ----------
    appointments
        The ``appointments`` frame (of the sites planned).
    start, end
        The plan's first and last day.
    train_end
        Last day of history; default the day before ``start``.

    Returns
    -------
    pandas.DataFrame
        :data:`ACCOUNT_COLUMNS`, ``unit`` ``rows``; lines without rows are left out. The counts
        add up to the number of appointments.
    """
    require_columns(appointments, "appointments", ("date", "status"))
    first, last = _timestamp(start), _timestamp(end)
    if first is None or last is None or last < first:
        raise ParameterError(f"end {end!r} must be a date on or after start {start!r}")
    cut = _timestamp(train_end) or first - pd.Timedelta(days=1)
    if cut >= first:
        raise ParameterError(f"train_end {cut.date()} must be before start {first.date()}")
    status = appointments["status"].astype("object").to_numpy()
    date = appointments["date"]
    history = (date <= cut).to_numpy()
    planned = date.between(first, last).to_numpy()
    lines = [
        ("completed", "completed, in the history", status == "completed", history, True,
         "visits: the history the forecast learns from"),
        ("no-show", "no-shows, in the history", status == "no-show", history, True,
         "the no-show rate only: nobody came, so they are not visits"),
        ("booked", "booked, in the plan's weeks", status == "booked", planned, True,
         "the booked schedule: a floor under the forecast"),
        ("cancelled", "cancelled", status == "cancelled", None, False,
         "left out: held no slot"),
        ("rescheduled", "rescheduled", status == "rescheduled", None, False,
         "left out: the new appointment is a row of its own"),
        ("booked", "booked, dated before the plan's start", status == "booked", history, False,
         "left out: before the plan's weeks, and not history (whether the patient came is not "
         "known)"),
        ("booked", "booked, after the plan's last day", status == "booked",
         (date > last).to_numpy(), False, "left out: beyond the plan"),
        ("kept", "completed or no-show, after the history", np.isin(status, _KEPT), ~history,
         False, "left out: dated on or after the plan's start, so not history"),
    ]
    rows = []
    seen = np.zeros(len(appointments), dtype=bool)
    for _, what, by_status, when, used, how in lines:
        mask = by_status & (when if when is not None else True)
        seen |= mask
        if mask.any():
            rows.append(("appointments", what, int(mask.sum()), "rows", used, how))
    rest = ~seen  # booked between the history's end and the plan's start (train_end earlier)
    if rest.any():
        rows.append(("appointments", "booked, between the history and the plan",
                     int(rest.sum()), "rows", False, "left out: neither history nor plan"))
    return _account(rows)


def phone_call_use(calls: pd.DataFrame, required: Mapping[str, pd.DataFrame], *,
                   role: str = "front desk") -> pd.DataFrame:
    """What the plan does with every ``phone_calls`` row: each row is in exactly one line.

    A row of a site's line is used when the site has a requirement for ``role`` in that half
    hour of that weekday (it is open and the typical week has visits that day); otherwise
    nobody is planned for its calls: they are left out of the requirement and count as not
    answered in time in the service level. A row of a line that is no site (a central number)
    is measured against the front desks of all sites pooled but added to no site's
    requirement.

    Parameters
    ----------
    calls
        The ``phone_calls`` frame (``date, interval_start, location_id, calls``).
    required
        Site → its requirement per interval (``role, day, interval_start``), as planned.
    role
        The role that answers the phones.

    Returns
    -------
    pandas.DataFrame
        :data:`ACCOUNT_COLUMNS` (unit ``rows``; ``what`` gives the calls too); lines without
        rows are left out. The counts add up to the number of rows.
    """
    require_columns(calls, "phone_calls", ("date", "interval_start", "location_id", "calls"))
    keys = set()
    for site, frame in required.items():
        part = frame[(frame["role"].astype("object") == role).to_numpy()]
        half = part["interval_start"].astype("str").map(lambda t: _minutes(t) // 30 * 30)
        keys |= set(zip([site] * len(part), part["day"].astype("object"), half, strict=True))
    line = calls["location_id"].astype("object").to_numpy()
    day = _weekday_names(pd.to_datetime(calls["date"])).to_numpy()
    half = calls["interval_start"].astype("str").map(_minutes).to_numpy()
    n = pd.to_numeric(calls["calls"], errors="coerce").fillna(0).to_numpy()
    site = np.isin(line, list(required))
    planned = np.array([(x, d, int(h)) in keys for x, d, h in zip(line, day, half, strict=True)],
                       dtype=bool)
    lines = [
        (site & planned, "in a site's planned hours", True,
         "sized with the site's front desk"),
        (site & ~planned, "outside a site's planned hours", False,
         "left out of the requirement (the site is closed, or has no visits that day); "
         "counted as not answered in time"),
        (~site, "on a line that is no site", True,
         "service level measured on all sites' front desks pooled; in no site's requirement"),
    ]
    rows = [("phone_calls", f"{what} ({int(n[mask].sum()):,} calls)", int(mask.sum()), "rows",
             used, how) for mask, what, used, how in lines if mask.any()]
    return _account(rows)


def roster_hours_not_compared(staff: pd.DataFrame, coverage: pd.DataFrame,
                              interval_minutes: int = 15) -> float:
    """Staff-hours a week on the roster that the interval comparison does not see.

    ``Σ shift hours − Σ on_roster × interval / 60`` over the roles in ``coverage``: hours on
    the usual shifts outside the intervals planned (before opening, after closing, days the
    plan has no demand) and parts of intervals (a person counts in an interval only when on
    shift for all of it). Roles without a shift plan (billing, manager …) are compared as FTE
    only and are not counted here.

    Parameters
    ----------
    staff
        The site's ``staff`` rows.
    coverage
        :attr:`ShiftPlan.coverage` of the site's plan, made with its roster.
    interval_minutes
        Length of the intervals.
    """
    _check_interval(interval_minutes)
    require_columns(coverage, "coverage", ("role", "on_roster"))
    roles = set(coverage["role"].astype("object"))
    shifts = roster_shifts(staff)
    total = float(shifts.loc[shifts["role"].astype("object").isin(roles).to_numpy(),
                             "hours"].sum())
    return total - float(coverage["on_roster"].sum()) * interval_minutes / 60
