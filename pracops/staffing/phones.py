"""The phones: agents per half hour for a service level (:func:`phone_agents`), call minutes
as workload (:func:`phone_workload`), the phones in the front desk's requirement
(:func:`add_phone_agents`) and the service level a roster or plan achieves
(:func:`phone_staff_on_duty`, :func:`phone_service_level`, :func:`overall_service_level`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pracops.data import require_columns, rows_error
from pracops.errors import DataError, ParameterError
from pracops.staffing.common import (
    _check_hhmm,
    _check_interval,
    _check_roles,
    _day_column,
    _hhmm,
    _minutes,
    _weekday_names,
)
from pracops.staffing.queues import agents_needed, erlang_c

__all__ = [
    "phone_agents",
    "phone_workload",
    "add_phone_agents",
    "phone_staff_on_duty",
    "phone_service_level",
    "overall_service_level",
]

def phone_agents(calls: pd.DataFrame, *, service_level_target: float = 0.8,
                 answer_within_seconds: float = 30.0, max_occupancy: float = 0.85
                 ) -> pd.DataFrame:
    """Phone agents needed per 30-minute interval of a typical week (Erlang C).

    Calls per interval are averaged over the dates of each weekday in the data; handle time is
    the mean weighted by answered calls (``calls − abandoned`` when the frame has an
    ``abandoned`` column; abandoned callers count as demand, as they would have been served had
    somebody answered). An interval whose calls were all abandoned takes the frame's overall
    mean handle time. ``arrivals_per_hour = calls × 60 / 30``, agents from
    :func:`agents_needed`. The defaults, 80 % answered within 30 s and occupancy at most 85 %,
    are call-centre conventions (assumptions, not medical benchmarks).

    Parameters
    ----------
    calls
        ``date, interval_start ('HH:MM' on :00 or :30), calls, avg_handle_seconds`` and
        optionally ``abandoned`` (the ``phone_calls`` dataset of one line).

    Returns
    -------
    pandas.DataFrame
        ``day, interval_start, calls, avg_handle_seconds, agents, agent_hours``.

    Raises
    ------
    DataError
        Negative call counts, handle times not above 0 where there are calls, times not on a
        half hour; naming the rows.
    """
    require_columns(calls, "calls", ("date", "interval_start", "calls", "avg_handle_seconds"))
    _check_hhmm(calls, "calls", "interval_start")
    bad = ~calls["interval_start"].astype("str").str[3:].isin(["00", "30"])
    if bad.any():
        raise rows_error(calls, bad, "calls", "interval_start", "not the start of a half hour",
                         "a time on the hour or half hour, such as 08:30")
    n = pd.to_numeric(calls["calls"], errors="coerce").astype("float64")
    bad = n.isna() | (n < 0) | (n != np.floor(n))
    if bad.any():
        raise rows_error(calls, bad, "calls", "calls", "not a count of calls",
                         "a whole number of calls, 0 or more")
    answered = n
    if "abandoned" in calls.columns:
        lost = pd.to_numeric(calls["abandoned"], errors="coerce").astype("float64")
        bad = lost.isna() | (lost < 0) | (lost > n)
        if bad.any():
            raise rows_error(calls, bad, "calls", "abandoned", "not a count of abandoned calls",
                             "a whole number from 0 to the interval's calls")
        answered = n - lost
    aht = pd.to_numeric(calls["avg_handle_seconds"], errors="coerce").astype("float64")
    bad = (answered > 0) & ~(aht > 0)
    if bad.any():
        raise rows_error(calls, bad, "calls", "avg_handle_seconds", "handle time not above 0",
                         "average handle seconds above 0 where calls were answered")
    dates = pd.to_datetime(calls["date"])
    handled = (answered * aht).where(answered > 0, 0.0)
    frame = pd.DataFrame({"day": _weekday_names(dates), "interval_start":
                          calls["interval_start"].astype("str"), "calls": n,
                          "answered": answered, "handled": handled})
    n_days = dates.drop_duplicates().pipe(_weekday_names).value_counts()
    g = frame.groupby(["day", "interval_start"], as_index=False)[
        ["calls", "answered", "handled"]].sum()
    overall = float(frame["handled"].sum() / frame["answered"].sum()) if (
        frame["answered"].sum() > 0) else 0.0
    g["avg_handle_seconds"] = (g["handled"] / g["answered"]).where(
        g["answered"] > 0, np.where(g["calls"] > 0, overall, 0.0))
    if ((g["calls"] > 0) & ~(g["avg_handle_seconds"] > 0)).any():
        raise DataError("calls were offered but none was ever answered, so there is no handle "
                        "time to size the phones with", file=calls.attrs.get("source", "calls"),
                        column="avg_handle_seconds",
                        expected="average handle seconds of the answered calls")
    g["calls"] = g["calls"] / g["day"].map(n_days)
    g["agents"] = [agents_needed(k * 2, h / 60, service_level_target, answer_within_seconds,
                                 max_occupancy) if k > 0 else 0
                   for k, h in zip(g["calls"], g["avg_handle_seconds"], strict=True)]
    g["agents"] = g["agents"].astype("int64")
    g["agent_hours"] = g["agents"] * 0.5
    g["day"] = _day_column(g["day"])
    return (g[["day", "interval_start", "calls", "avg_handle_seconds", "agents", "agent_hours"]]
            .sort_values(["day", "interval_start"], ignore_index=True))


def phone_workload(calls: pd.DataFrame, *, interval_minutes: int = 15,
                   role: str = "front desk") -> pd.DataFrame:
    """Minutes of answered calls per interval of a typical week: the phones as plain work.

    ``minutes = Σ answered × avg_handle_seconds / 60 / #dates of the weekday`` per half hour
    (``answered = calls − abandoned`` when there is an ``abandoned`` column), spread evenly
    over the intervals of a half hour when ``interval_minutes`` is shorter, or summed into the
    hour when it is 60. For :func:`interval_requirements`' ``other_minutes``: the phones then
    count as workload under the utilisation cap, a lighter standard than the service level of
    :func:`phone_agents`.

    Returns
    -------
    pandas.DataFrame
        ``role, day, interval_start, minutes``.
    """
    _check_interval(interval_minutes)
    _check_roles([role], "role")
    if 30 % interval_minutes and interval_minutes != 60:
        raise ParameterError(f"phone statistics come in half hours: interval_minutes must "
                             f"divide 30 or be 60, got {interval_minutes!r}")
    require_columns(calls, "calls", ("date", "interval_start", "calls", "avg_handle_seconds"))
    n = pd.to_numeric(calls["calls"], errors="coerce").astype("float64")
    answered = n
    if "abandoned" in calls.columns:
        answered = n - pd.to_numeric(calls["abandoned"], errors="coerce").astype("float64")
    aht = pd.to_numeric(calls["avg_handle_seconds"], errors="coerce").astype("float64")
    work = (answered * aht / 60).where(answered > 0, 0.0)
    bad = work.isna() | (work < 0)
    if bad.any():
        raise rows_error(calls, bad, "calls", "avg_handle_seconds", "no handle time for answered "
                         "calls", "average handle seconds above 0 where calls were answered")
    dates = pd.to_datetime(calls["date"])
    n_days = dates.drop_duplicates().pipe(_weekday_names).value_counts()
    frame = pd.DataFrame({"day": _weekday_names(dates),
                          "half": calls["interval_start"].astype("str").map(_minutes),
                          "minutes": work})
    g = frame.groupby(["day", "half"], as_index=False)["minutes"].sum()
    g["minutes"] = g["minutes"] / g["day"].map(n_days)
    if interval_minutes == 60:
        g["t"] = g["half"] // 60 * 60
        g = g.groupby(["day", "t"], as_index=False)["minutes"].sum()
    else:
        parts = 30 // interval_minutes
        g = g.loc[g.index.repeat(parts)].reset_index(drop=True)
        g["t"] = g["half"] + g.groupby(["day", "half"]).cumcount() * interval_minutes
        g["minutes"] = g["minutes"] / parts
    out = pd.DataFrame({"role": role, "day": _day_column(g["day"]),
                        "interval_start": g["t"].map(_hhmm), "minutes": g["minutes"]})
    return out.sort_values(["day", "interval_start"], ignore_index=True)


def add_phone_agents(required: pd.DataFrame, phones: pd.DataFrame, *,
                     role: str = "front desk", interval_minutes: int = 15) -> pd.DataFrame:
    """Add the phone agents a site's line needs to its ``role``'s interval requirements.

    Each interval takes the most agents of the half hours it overlaps (:func:`phone_agents`
    sizes half hours). Half hours when the site has no requirement rows (closed, or a day without
    visits) add nobody: those calls are not staffed by this site (see
    :func:`phone_service_level`, which counts them as not answered in time).

    Parameters
    ----------
    required
        :func:`interval_requirements` output.
    phones
        :func:`phone_agents` output for the site's line.
    role
        The role that answers the phones.
    interval_minutes
        Length of the intervals in ``required``.

    Returns
    -------
    pandas.DataFrame
        ``required`` with a column ``phone_agents`` (0 for other roles) added into
        ``required``.
    """
    _check_interval(interval_minutes)
    _check_roles([role], "role")
    require_columns(required, "required", ("role", "day", "interval_start", "required"))
    require_columns(phones, "phones", ("day", "interval_start", "agents"))
    agents = phones.assign(day=phones["day"].astype("object")).set_index(
        ["day", "interval_start"])["agents"]
    start = required["interval_start"].astype("str").map(_minutes)
    day = required["day"].astype("object")
    found = np.zeros(len(required), dtype="int64")
    for offset in range(0, interval_minutes, 30) if interval_minutes > 30 else (0,):
        half = (start + offset) // 30 * 30
        key = pd.MultiIndex.from_arrays([day, half.map(_hhmm)])
        found = np.maximum(found, agents.reindex(key).fillna(0).astype("int64").to_numpy())
    out = required.copy()
    out["phone_agents"] = np.where(out["role"].astype("object") == role, found, 0)
    out["phone_agents"] = out["phone_agents"].astype("int64")
    out["required"] = (out["required"] + out["phone_agents"]).astype("int64")
    return out


def phone_staff_on_duty(coverage: pd.DataFrame, required: pd.DataFrame, *,
                        column: str = "on_roster", role: str = "front desk") -> pd.DataFrame:
    """People of ``role`` free for the phones in each interval.

    ``agents = max(on duty − (required − phone_agents), 0)``: whoever is on duty beyond what
    the visits need (check-in, check-out) answers the phones.

    Parameters
    ----------
    coverage
        :attr:`ShiftPlan.coverage` (``role, day, interval_start`` and ``column``).
    required
        :func:`add_phone_agents` output (``required`` includes ``phone_agents``).
    column
        ``on_roster`` (today's roster) or ``planned`` (the shift plan).

    Returns
    -------
    pandas.DataFrame
        ``day, interval_start, agents``.
    """
    require_columns(coverage, "coverage", ("role", "day", "interval_start", column))
    require_columns(required, "required", ("role", "day", "interval_start", "required",
                    "phone_agents"))
    keys = ["role", "day", "interval_start"]
    left = coverage.assign(role=coverage["role"].astype("object"),
                           day=coverage["day"].astype("object"))
    right = required.assign(role=required["role"].astype("object"),
                            day=required["day"].astype("object"))
    both = left[keys + [column]].merge(right[keys + ["required", "phone_agents"]], on=keys,
                                       how="inner")
    both = both[both["role"] == role]
    agents = (both[column] - (both["required"] - both["phone_agents"])).clip(lower=0)
    out = pd.DataFrame({"day": _day_column(both["day"]),
                        "interval_start": both["interval_start"].to_numpy(),
                        "agents": agents.astype("int64").to_numpy()})
    return out.sort_values(["day", "interval_start"], ignore_index=True)


def phone_service_level(phones: pd.DataFrame, on_duty: pd.DataFrame, *,
                        answer_within_seconds: float = 30.0) -> pd.DataFrame:
    """Service level the people on duty achieve on each half hour's calls (Erlang C).

    A half hour's agents are the fewest on duty in any of its intervals (somebody must be
    there all of it); ``SL = erlang_c(2 × calls, handle, agents, t).service_level``. Half
    hours with calls and nobody on duty (closed) get ``SL = 0``.

    Parameters
    ----------
    phones
        :func:`phone_agents` output (``calls`` per half hour of a typical week).
    on_duty
        :func:`phone_staff_on_duty` output, or several added together for a shared line.
    answer_within_seconds
        Target answer time.

    Returns
    -------
    pandas.DataFrame
        ``day, interval_start, calls, avg_handle_seconds, agents_needed, agents_on_duty,
        service_level, asa_seconds`` (``inf`` when the queue is unstable); see
        :func:`overall_service_level`.
    """
    require_columns(phones, "phones", ("day", "interval_start", "calls", "avg_handle_seconds",
                    "agents"))
    require_columns(on_duty, "on_duty", ("day", "interval_start", "agents"))
    duty = on_duty.assign(day=on_duty["day"].astype("object"),
                          half=on_duty["interval_start"].astype("str").map(
                              lambda t: _hhmm(_minutes(t) // 30 * 30)))
    fewest = duty.groupby(["day", "half"])["agents"].min()
    out = pd.DataFrame({"day": phones["day"].astype("object").to_numpy(),
                        "interval_start": phones["interval_start"].astype("str").to_numpy(),
                        "calls": phones["calls"].astype("float64").to_numpy(),
                        "avg_handle_seconds": phones["avg_handle_seconds"].astype(
                            "float64").to_numpy(),
                        "agents_needed": phones["agents"].astype("int64").to_numpy()})
    key = pd.MultiIndex.from_arrays([out["day"], out["interval_start"]])
    out["agents_on_duty"] = fewest.reindex(key).fillna(0).astype("int64").to_numpy()
    levels, asa = [], []
    for k, h, n in zip(out["calls"], out["avg_handle_seconds"], out["agents_on_duty"],
                       strict=True):
        if k <= 0:
            levels.append(1.0)
            asa.append(0.0)
            continue
        r = erlang_c(2 * k, h / 60, int(n), answer_within_seconds)
        levels.append(r.service_level)
        asa.append(r.asa_seconds)
    out["service_level"] = np.array(levels, dtype="float64")
    out["asa_seconds"] = np.array(asa, dtype="float64")
    out["day"] = _day_column(out["day"])
    return out.sort_values(["day", "interval_start"], ignore_index=True)


def overall_service_level(table: pd.DataFrame) -> float | None:
    """The call-weighted service level of :func:`phone_service_level` tables (concatenated):
    ``Σ calls_i · SL_i / Σ calls_i``; ``None`` without calls."""
    require_columns(table, "service", ("calls", "service_level"))
    total = float(table["calls"].sum())
    if total <= 0:
        return None
    return float((table["calls"] * table["service_level"]).sum() / total)
