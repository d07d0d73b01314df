"""Today's roster: the staff's usual shifts parsed (:func:`parse_shifts`,
:func:`roster_shifts`), the people on duty per interval (:func:`roster_coverage`) and where
they fall short of a requirement (:func:`roster_gaps`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pracops.data import require_columns, rows_error
from pracops.data.shifts import parse_shifts
from pracops.staffing.common import (
    ROLES,
    _check_interval,
    _day_column,
    _hhmm,
    _minutes,
)
from pracops.staffing.cost import check_staff

__all__ = [
    "parse_shifts",
    "roster_shifts",
    "roster_coverage",
    "roster_gaps",
]

def roster_shifts(staff: pd.DataFrame) -> pd.DataFrame:
    """Every employee's usual shifts, one row per employee and day.

    Returns
    -------
    pandas.DataFrame
        ``employee_id, role, location_id, day, start, end, hours`` (``start``/``end`` as
        ``HH:MM``; ``hours`` present, breaks included).

    Raises
    ------
    DataError
        A ``usual_shifts`` value that cannot be read, naming the row.
    """
    check_staff(staff)
    require_columns(staff, "staff", ("usual_shifts", "location_id"))
    rows = []
    for pos, (emp, role, loc, text) in enumerate(zip(
            staff["employee_id"], staff["role"].astype("object"), staff["location_id"],
            staff["usual_shifts"], strict=True)):
        try:
            shifts = parse_shifts(text)
        except ValueError as exc:
            mask = np.zeros(len(staff), dtype=bool)
            mask[pos] = True
            raise rows_error(staff, mask, "staff", "usual_shifts", str(exc),
                             "shifts such as 'Mon-Fri 08:00-16:30', groups separated by '; '"
                             ) from None
        rows += [(emp, role, loc, d, _hhmm(s), _hhmm(e), (e - s) / 60) for d, s, e in shifts]
    out = pd.DataFrame(rows, columns=["employee_id", "role", "location_id", "day", "start", "end",
                                      "hours"])
    out["day"] = _day_column(out["day"])
    return out.astype({"hours": "float64"})


def roster_coverage(staff: pd.DataFrame, interval_minutes: int = 15) -> pd.DataFrame:
    """People of each role on duty in each interval of the week, from ``usual_shifts``.

    An employee counts in an interval when on shift for all of it (``start ≤ interval start``
    and ``interval end ≤ end``); breaks are not modelled.

    Returns
    -------
    pandas.DataFrame
        ``role, day, interval_start, on_roster`` for intervals with somebody on duty.
    """
    _check_interval(interval_minutes)
    shifts = roster_shifts(staff)
    rows: dict[tuple[str, str, int], int] = {}
    for role, day, start, end in zip(shifts["role"], shifts["day"].astype("object"),
                                     shifts["start"], shifts["end"], strict=True):
        s, e = _minutes(start), _minutes(end)
        first = -(-s // interval_minutes) * interval_minutes
        for t in range(first, e - interval_minutes + 1, interval_minutes):
            rows[(role, day, t)] = rows.get((role, day, t), 0) + 1
    out = pd.DataFrame([(r, d, _hhmm(t), n) for (r, d, t), n in rows.items()],
                       columns=["role", "day", "interval_start", "on_roster"])
    out["day"] = _day_column(out["day"])
    out = out.astype({"on_roster": "int64"})
    return out.sort_values(["role", "day", "interval_start"], ignore_index=True)


def roster_gaps(coverage: pd.DataFrame, interval_minutes: int = 15) -> pd.DataFrame:
    """Where today's roster has fewer people than required: one row per unbroken stretch.

    Parameters
    ----------
    coverage
        :attr:`ShiftPlan.coverage` of a plan made with a roster (``roster_gap`` column).
    interval_minutes
        Length of its intervals.

    Returns
    -------
    pandas.DataFrame
        ``role, day, start, end, short_by, staff_hours``: ``short_by`` is the most people
        missing at once, ``staff_hours`` the person-hours missing in the stretch each week
        (``Σ roster_gap × interval / 60``).
    """
    _check_interval(interval_minutes)
    require_columns(coverage, "coverage", ("role", "day", "interval_start", "roster_gap"))
    short = coverage[coverage["roster_gap"] > 0]
    rows = []
    for (role, day), part in short.groupby([short["role"].astype("object"),
                                            short["day"].astype("object")], sort=False):
        times = part["interval_start"].astype("str").map(_minutes).to_numpy()
        gaps = part["roster_gap"].to_numpy()
        order = np.argsort(times)
        times, gaps = times[order], gaps[order]
        begin = 0
        for i in range(1, len(times) + 1):
            if i == len(times) or times[i] != times[i - 1] + interval_minutes:
                rows.append((role, day, _hhmm(int(times[begin])),
                             _hhmm(int(times[i - 1]) + interval_minutes),
                             int(gaps[begin:i].max()),
                             float(gaps[begin:i].sum()) * interval_minutes / 60))
                begin = i
    out = pd.DataFrame(rows, columns=["role", "day", "start", "end", "short_by", "staff_hours"])
    out["day"] = _day_column(out["day"])
    out = out.astype({"short_by": "int64", "staff_hours": "float64"})
    out["order"] = out["role"].map({r: i for i, r in enumerate(ROLES)})
    return (out.sort_values(["order", "day", "start"]).drop(columns="order")
            .reset_index(drop=True))
