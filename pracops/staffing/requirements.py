"""People needed: per interval of the typical week (:func:`interval_requirements`), at the
check-in desk (:func:`checkin_agents`), and per role three ways (:func:`staff_required`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from pracops.data import require_columns
from pracops.errors import DataError, ParameterError
from pracops.staffing.common import (
    DAYS,
    DEFAULT_MINIMUM_STAFF,
    DEFAULT_MINUTES_PER_VISIT,
    DEFAULT_RATIOS,
    PATIENT_FACING_ROLES,
    ROLES,
    _check_clock,
    _check_interval,
    _check_roles,
    _day_column,
    _hhmm,
)
from pracops.staffing.cost import FteHours, _provider_fte, check_staff, fte_hours
from pracops.staffing.queues import agents_needed

__all__ = [
    "interval_requirements",
    "checkin_agents",
    "staff_required",
]

def interval_requirements(week: pd.DataFrame, opens: str, closes: str, *,
                          minutes_per_visit: Mapping[str, float] | None = None,
                          minimum_staff: Mapping[str, int] | None = None,
                          interval_minutes: int = 15,
                          max_utilisation: float = 0.85,
                          other_minutes: pd.DataFrame | None = None) -> pd.DataFrame:
    """People of each patient-facing role needed in each interval of a typical week.

    An hour's visits are spread evenly over its open intervals; with ``v_i`` visits starting in
    interval *i* of length ``T`` minutes, ``m_r`` minutes of role *r* per visit and ``o_{r,i}``
    minutes of other work (answering calls, :func:`phone_workload`), the average number busy is
    ``w = (v_i · m_r + o_{r,i}) / T`` (Little's law), and

    ``required = max(minimum_r, ⌈w / max_utilisation⌉)``

    on every interval of a day with visits, from ``opens`` to ``closes``.

    Parameters
    ----------
    week
        :func:`typical_week` output (``day, hour, visits``).
    opens, closes
        Opening hours (``HH:MM``), the same every open day.
    minutes_per_visit
        Minutes per visit by role; default :data:`DEFAULT_MINUTES_PER_VISIT` for the
        :data:`PATIENT_FACING_ROLES`.
    minimum_staff
        People per role whenever open; default :data:`DEFAULT_MINIMUM_STAFF`.
    interval_minutes
        Interval length; must divide an hour, and ``opens``/``closes`` must fall on one.
    max_utilisation
        Fraction of time staff can be busy (0–1); the rest absorbs bunching of arrivals.
    other_minutes
        ``role, day, interval_start, minutes``: work besides the visits in an interval of a
        typical week; intervals outside the opening hours or on days without visits are
        ignored.

    Returns
    -------
    pandas.DataFrame
        ``role, day, interval_start, visits, workload, required``.

    Raises
    ------
    DataError
        Visits in an hour when the clinic is closed.
    """
    _check_interval(interval_minutes)
    o, c = _check_clock("opens", opens), _check_clock("closes", closes)
    if c <= o or o % interval_minutes or c % interval_minutes:
        raise ParameterError(f"opening hours {opens}-{closes} must close after they open and "
                             f"fall on {interval_minutes}-minute intervals")
    if not 0 < max_utilisation <= 1:
        raise ParameterError(f"max_utilisation must be above 0 and at most 1, "
                             f"got {max_utilisation!r}")
    minutes = dict(minutes_per_visit if minutes_per_visit is not None else
                   {r: DEFAULT_MINUTES_PER_VISIT[r] for r in PATIENT_FACING_ROLES})
    minimum = dict(minimum_staff if minimum_staff is not None else DEFAULT_MINIMUM_STAFF)
    _check_roles(minutes, "minutes_per_visit")
    _check_roles(minimum, "minimum_staff")
    if any(not (math.isfinite(v) and v >= 0) for v in minutes.values()):
        raise ParameterError(f"minutes_per_visit must be 0 or more: {minutes}")
    if any(int(v) != v or v < 0 for v in minimum.values()):
        raise ParameterError(f"minimum_staff must be whole numbers 0 or more: {minimum}")
    require_columns(week, "demand", ("day", "hour", "visits"))
    starts = np.arange(o, c, interval_minutes)
    busy = week[week["visits"] > 0]
    open_hours = set((starts // 60).tolist())
    bad = ~busy["hour"].isin(open_hours)
    if bad.any():
        h = int(busy.loc[bad, "hour"].iloc[0])
        raise DataError(f"visits forecast at {h:02d}:00-{h + 1:02d}:00 on "
                        f"{busy.loc[bad, 'day'].iloc[0]}, when the clinic is closed "
                        f"({opens}-{closes})", file="appointments", column="start_time",
                        value=f"{h:02d}:00", expected=f"demand between {opens} and {closes}",
                        fix="check the appointments' start times and the location's hours")
    per_hour = pd.Series(starts // 60).value_counts()
    days = [d for d in DAYS if d in set(busy["day"].astype("object"))]
    grid = pd.DataFrame([(d, int(t)) for d in days for t in starts], columns=["day", "t"])
    visits = busy.assign(day=busy["day"].astype("object")).set_index(["day", "hour"])["visits"]
    key = pd.MultiIndex.from_arrays([grid["day"], grid["t"] // 60])
    grid["visits"] = visits.reindex(key).fillna(0.0).to_numpy() / (grid["t"] // 60).map(
        per_hour).to_numpy()
    other = None
    if other_minutes is not None:
        require_columns(other_minutes, "other_minutes", ("role", "day", "interval_start",
                        "minutes"))
        _check_roles(set(other_minutes["role"].astype("object")), "other_minutes")
        other = other_minutes.assign(day=other_minutes["day"].astype("object"),
                                     role=other_minutes["role"].astype("object")).groupby(
            ["role", "day", "interval_start"])["minutes"].sum()
    parts = []
    for role in ROLES:
        extra = np.zeros(len(grid))
        if other is not None and role in other.index.get_level_values("role"):
            key = pd.MultiIndex.from_arrays([[role] * len(grid), grid["day"],
                                             grid["t"].map(_hhmm)])
            extra = other.reindex(key).fillna(0.0).to_numpy(dtype="float64")
        elif role not in minutes and role not in minimum:
            continue
        workload = (grid["visits"] * minutes.get(role, 0.0) + extra) / interval_minutes
        need = np.ceil(workload / max_utilisation - 1e-9).astype("int64")
        parts.append(pd.DataFrame({
            "role": role, "day": grid["day"], "interval_start": grid["t"].map(_hhmm),
            "visits": grid["visits"], "workload": workload,
            "required": np.maximum(need, int(minimum.get(role, 0)))}))
    out = pd.concat(parts, ignore_index=True)
    out["day"] = _day_column(out["day"])
    return out.astype({"required": "int64"})


def checkin_agents(week: pd.DataFrame, *, answer_within_seconds: float,
                   checkin_minutes: float = 3.0, service_level_target: float = 0.8,
                   max_occupancy: float = 0.85) -> pd.DataFrame:
    """Check-in desk staff needed per hour of a typical week (Erlang C).

    Patients arrive at ``visits_{w,h}`` per hour (:func:`typical_week`); each check-in takes
    ``checkin_minutes``. Defaults (3 minutes; 80 % served; occupancy at most 85 %) are
    **assumptions**, and so is the report's ``answer_within_seconds`` for the desk,
    :data:`CHECKIN_ANSWER_SECONDS` (2 minutes): it has no default here, as the report's
    parameter of that name is the phones' target.

    Returns
    -------
    pandas.DataFrame
        ``day, hour, arrivals_per_hour, agents, agent_hours``.
    """
    require_columns(week, "demand", ("day", "hour", "visits"))
    out = pd.DataFrame({"day": week["day"], "hour": week["hour"],
                        "arrivals_per_hour": week["visits"].astype("float64")})
    out["agents"] = [agents_needed(v, checkin_minutes, service_level_target,
                                   answer_within_seconds, max_occupancy)
                     for v in out["arrivals_per_hour"]]
    out["agents"] = out["agents"].astype("int64")
    out["agent_hours"] = out["agents"].astype("float64")
    return out.reset_index(drop=True)


def staff_required(providers: pd.DataFrame, annual_visits: float, hours: FteHours | None = None,
                   *, staff: pd.DataFrame | None = None,
                   ratios: Mapping[str, float] | None = None,
                   minutes_per_visit: Mapping[str, float] | None = None,
                   app_weight: float = 1.0,
                   checkin: pd.DataFrame | None = None,
                   phones: pd.DataFrame | None = None,
                   queue_role: str = "front desk") -> pd.DataFrame:
    """Staff FTE needed per role, three ways side by side.

    ratio
        ``ratio_r × provider FTE``, provider FTE = Σ FTE of MD/DO + ``app_weight`` × Σ FTE of
        NP/PA (ratios: :data:`DEFAULT_RATIOS`, cited and assumed figures marked there).
    workload
        ``minutes_r × annual_visits / 60 / Q`` with ``Q`` productive hours per FTE: hands-on
        time only, so a floor; the shift plan adds the time staff must be there between
        patients.
    queueing
        For ``queue_role`` only: ``(check-in + phone agent-hours per typical week) × 52 / Q``,
        from :func:`checkin_agents` and :func:`phone_agents` (NaN when neither is given).
        Coverage is needed all 52 weeks; weeks the clinic closes make this slightly high.

    Workload and queueing FTE are payroll FTE: hours of work ÷ productive hours per FTE, which
    is hours ÷ paid hours × the replacement factor.

    Parameters
    ----------
    providers
        The ``providers`` frame.
    annual_visits
        Visits a year (the sum of a 12-month :func:`forecast_daily`).
    hours
        :func:`fte_hours` (default: its defaults).
    staff
        The ``staff`` frame, for the ``current_fte`` column.
    ratios, minutes_per_visit
        Per-role figures; defaults :data:`DEFAULT_RATIOS`, :data:`DEFAULT_MINUTES_PER_VISIT`.
    app_weight
        Weight of NP/PA FTE in the provider FTE.
    checkin, phones
        Outputs of :func:`checkin_agents` and :func:`phone_agents`.
    queue_role
        The role that staffs the check-in desk and the phones.

    Returns
    -------
    pandas.DataFrame
        ``role, ratio_fte, workload_fte, queueing_fte, current_fte`` for every role in
        :data:`ROLES` order (NaN where a method does not apply; ``current_fte`` 0 for roles
        nobody holds, NaN without ``staff``), and a last row ``total``.
    """
    hours = hours or fte_hours()
    ratios = dict(DEFAULT_RATIOS if ratios is None else ratios)
    minutes = dict(DEFAULT_MINUTES_PER_VISIT if minutes_per_visit is None else minutes_per_visit)
    _check_roles(ratios, "ratios")
    _check_roles(minutes, "minutes_per_visit")
    _check_roles([queue_role], "queue_role")
    if not (math.isfinite(annual_visits) and annual_visits >= 0):
        raise ParameterError(f"annual_visits must be 0 or more, got {annual_visits!r}")
    provider_fte = _provider_fte(providers, app_weight)
    q = hours.productive_hours
    out = pd.DataFrame({"role": list(ROLES)})
    out["ratio_fte"] = out["role"].map(ratios).astype("float64") * provider_fte
    out["workload_fte"] = out["role"].map(minutes).astype("float64") * annual_visits / 60 / q
    weekly = [float(f["agent_hours"].sum()) for f in (checkin, phones) if f is not None]
    out["queueing_fte"] = np.where(out["role"] == queue_role,
                                   sum(weekly) * 52 / q if weekly else np.nan, np.nan)
    if staff is not None:
        check_staff(staff)
        current = staff.groupby(staff["role"].astype("object"))["fte"].sum()
        out["current_fte"] = out["role"].map(current).fillna(0.0).astype("float64")
    else:
        out["current_fte"] = np.nan
    total = out.drop(columns="role").sum(min_count=1)
    out.loc[len(out)] = ["total", *total.to_numpy()]
    return out.astype({c: "float64" for c in out.columns if c != "role"})
