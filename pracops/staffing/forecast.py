"""Demand: the appointments checked, described (no-show rates, seasons, the hourly profile)
and forecast by day, month and hour, the typical week, and the backtest on a held-out
month (definitions in :mod:`pracops.staffing.model`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pracops.data import require_columns, rows_error
from pracops.data.practice import APPOINTMENT_STATUSES, VISIT_TYPES
from pracops.data.shifts import minutes_of
from pracops.errors import DataError, ParameterError
from pracops.staffing.common import (
    _KEPT,
    DAYS,
    _check_hhmm,
    _day_column,
    _minutes,
    _parse_days,
    _weekday_names,
)

__all__ = [
    "check_appointments",
    "no_show_rates",
    "seasonal_index",
    "weekday_hour_profile",
    "forecast_daily",
    "forecast_monthly",
    "forecast_hourly",
    "typical_week",
    "Backtest",
    "backtest",
    "history_week",
    "WEEKS_PER_YEAR",
    "annual_visits",
    "adjust_no_show_rate",
]

def check_appointments(appointments: pd.DataFrame, locations: pd.DataFrame | None = None) -> None:
    """Refuse appointments the forecast cannot trust.

    Checks: the columns are there; ``scheduled_minutes > 0`` (an appointment cannot end
    before it starts); ``start_time`` is ``HH:MM``; the status is known; and, with
    ``locations``, each appointment's site exists, is open on its weekday (``days_open``) and
    the appointment lies within ``opens``–``closes`` (demand in closed hours is an error, not
    something to drop).

    Raises
    ------
    DataError
        Naming every bad row, the column and the first bad value.
    """
    require_columns(appointments, "appointments",
                    ("date", "start_time", "location_id", "visit_type", "scheduled_minutes",
                    "status"))
    minutes = pd.to_numeric(appointments["scheduled_minutes"], errors="coerce")
    bad = minutes.isna() | (minutes <= 0)
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "scheduled_minutes",
                         "appointment ends before it starts (no positive length)",
                         "a length in minutes above 0")
    _check_hhmm(appointments, "appointments", "start_time")
    bad = ~appointments["status"].astype("object").isin(APPOINTMENT_STATUSES)
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "status", "unknown status",
                         "one of " + ", ".join(APPOINTMENT_STATUSES))
    if locations is None:
        return
    require_columns(locations, "locations", ("location_id", "opens", "closes", "days_open"))
    twice = locations["location_id"].duplicated(keep=False)
    if twice.any():
        raise rows_error(locations, twice, "locations", "location_id", "the same location twice",
                         "one row per location")
    sites = locations.set_index("location_id")
    loc = appointments["location_id"].astype("object")
    bad = ~loc.isin(sites.index)
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "location_id", "unknown location",
                         "one of " + ", ".join(map(str, sites.index)))
    # by codes, not row by row: the site's row and the weekday index a table of open days
    site = pd.Index(sites.index).get_indexer(loc)
    open_days = [set(_parse_days(spec)) for spec in sites["days_open"]]
    is_open = np.array([[day in days for day in DAYS] for days in open_days],
                       dtype=bool).reshape(len(sites), 7)
    bad = ~is_open[site, appointments["date"].dt.day_of_week.to_numpy()]
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "date",
                         "appointment on a day its location is closed",
                         "a date on one of the location's days_open",
                         fix="correct the date or the location's days_open")
    start = minutes_of(appointments["start_time"]).to_numpy()  # every one HH:MM, checked above
    opens = sites["opens"].map(_minutes).to_numpy()[site]
    closes = sites["closes"].map(_minutes).to_numpy()[site]
    bad = (start < opens) | (start + minutes.to_numpy() > closes)
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "start_time",
                         "appointment outside its location's opening hours",
                         "an appointment between the location's opens and closes times",
                         fix="correct the appointment or the location's opening hours")


def _history(appointments: pd.DataFrame, train_end: pd.Timestamp | None) -> pd.DataFrame:
    kept = appointments[appointments["status"].astype("object").isin(_KEPT)]
    if train_end is not None:
        kept = kept[kept["date"] <= train_end]
    if kept.empty:
        raise DataError("no completed or no-show appointments to learn from"
                        + (f" up to {train_end.date()}" if train_end is not None else ""),
                        file=appointments.attrs.get("source", "appointments"),
                        expected="a history of appointments with status completed or no-show")
    return kept


def no_show_rates(appointments: pd.DataFrame, train_end: str | pd.Timestamp | None = None
                  ) -> pd.DataFrame:
    """No-show rate by visit type: ``no-shows / kept appointments``.

    Parameters
    ----------
    appointments
        The ``appointments`` frame.
    train_end
        Last date of history to use (inclusive); all of it when ``None``.

    Returns
    -------
    pandas.DataFrame
        ``visit_type, kept, no_shows, no_show_rate`` for the visit types in the history, and a
        last row ``all`` for the practice as a whole.
    """
    kept = _history(appointments, _timestamp(train_end))
    vt = kept["visit_type"].astype("object")
    ns = kept["status"].astype("object") == "no-show"
    table = pd.DataFrame({"kept": vt.value_counts(), "no_shows": ns.groupby(vt).sum()})
    order = [v for v in VISIT_TYPES if v in table.index] + sorted(
        set(table.index) - set(VISIT_TYPES))
    table = table.loc[order]
    table.loc["all"] = [len(kept), int(ns.sum())]
    table = table.astype("int64")
    table["no_show_rate"] = table["no_shows"] / table["kept"]
    return table.rename_axis("visit_type").reset_index()


def _timestamp(value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).normalize()
    except (ValueError, TypeError):
        raise ParameterError(f"not a date: {value!r}; expected YYYY-MM-DD") from None


def _visits_per_open_day(kept: pd.DataFrame) -> pd.DataFrame:
    """Per open day: date, visits (completed)."""
    done = (kept["status"].astype("object") == "completed").astype("int64")
    daily = done.groupby(kept["date"]).sum()
    return pd.DataFrame({"date": daily.index, "visits": daily.to_numpy(dtype="float64")})


def seasonal_index(appointments: pd.DataFrame, train_end: str | pd.Timestamp | None = None
                   ) -> pd.DataFrame:
    """Monthly seasonal index of visits per open day, normalised to average 1.

    ``v_m`` = mean visits per open day of calendar month *m* (the mean over years of each
    year's visits ÷ open days); ``index_m = v_m / mean(v)`` over the months with history, and 1
    for months without.

    Returns
    -------
    pandas.DataFrame
        ``month`` (1–12), ``open_days``, ``visits``, ``visits_per_day`` (NaN without history),
        ``index``.
    """
    daily = _visits_per_open_day(_history(appointments, _timestamp(train_end)))
    ym = pd.DataFrame({"year": daily["date"].dt.year, "month": daily["date"].dt.month,
                       "visits": daily["visits"]})
    per_year = ym.groupby(["year", "month"])["visits"].agg(["sum", "count"])
    per_year["vpd"] = per_year["sum"] / per_year["count"]
    by_month = per_year.groupby(level="month").agg(open_days=("count", "sum"),
                                                    visits=("sum", "sum"), visits_per_day=("vpd",
                                                                                          "mean"))
    out = by_month.reindex(range(1, 13)).rename_axis("month").reset_index()
    out["open_days"] = out["open_days"].fillna(0).astype("int64")
    out["visits"] = out["visits"].fillna(0).astype("int64")
    mean = out["visits_per_day"].mean()
    out["index"] = (out["visits_per_day"] / mean).fillna(1.0) if mean > 0 else 1.0
    return out


def weekday_hour_profile(appointments: pd.DataFrame,
                         train_end: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Visits by weekday and clock hour of the start time.

    Returns
    -------
    pandas.DataFrame
        ``day, hour, visits, open_days, visits_per_day, share``: ``visits_per_day`` is visits in
        that hour ÷ open days of that weekday, ``share`` is the hour's part of the weekday's
        visits (``p_{w,h}``; each weekday's shares sum to 1). Weekdays without visits are absent.
    """
    kept = _history(appointments, _timestamp(train_end))
    done = kept[kept["status"].astype("object") == "completed"]
    day = _weekday_names(done["date"])
    hour = done["start_time"].astype("str").str[:2].astype("int64")
    counts = pd.DataFrame({"day": day, "hour": hour}).value_counts().rename("visits")
    out = counts.reset_index()
    open_days = kept["date"].drop_duplicates()
    n_open = _weekday_names(open_days).value_counts()
    out["open_days"] = out["day"].map(n_open).astype("int64")
    out["visits"] = out["visits"].astype("int64")
    out["visits_per_day"] = out["visits"] / out["open_days"]
    out["share"] = out["visits"] / out.groupby("day")["visits"].transform("sum")
    out["day"] = _day_column(out["day"])
    return out.sort_values(["day", "hour"], ignore_index=True)


def forecast_daily(appointments: pd.DataFrame, start: str | pd.Timestamp,
                   end: str | pd.Timestamp, *, growth_pct: float = 0.0,
                   train_end: str | pd.Timestamp | None = None,
                   booked_final_through: str | pd.Timestamp | None = None,
                   closed_dates: Sequence[str | pd.Timestamp] = ()) -> pd.DataFrame:
    """Visits expected on each day from ``start`` to ``end`` (inclusive).

    ``history = b_w · S_m · (1 + g/100)``; ``booked = Σ (1 − no-show rate)`` over the day's
    booked appointments; ``visits = max(history, booked)``, or ``booked`` alone on days up to
    ``booked_final_through`` (see the module docstring for each term).

    Parameters
    ----------
    appointments
        The ``appointments`` frame (checked with :func:`check_appointments`).
    start, end
        The days to forecast.
    growth_pct
        Growth in demand applied to the history forecast, percent (5 for +5 %; may be
        negative, above −100).
    train_end
        Last day of history to learn from; default the day before ``start``.
    booked_final_through
        Days up to this one take the booked schedule as final.
    closed_dates
        Days the practice will be closed (holidays): their history forecast is 0.

    Returns
    -------
    pandas.DataFrame
        ``date, day, month, history_visits, booked_appointments, booked_visits, visits,
        source`` (``source`` is ``booked`` where the booked forecast was used, else
        ``history``).
    """
    check_appointments(appointments)
    first, last = _timestamp(start), _timestamp(end)
    if first is None or last is None or last < first:
        raise ParameterError(f"end {end!r} must be a date on or after start {start!r}")
    if not (math.isfinite(growth_pct) and growth_pct > -100):
        raise ParameterError(f"growth_pct must be above -100, got {growth_pct!r}")
    cut = _timestamp(train_end) or first - pd.Timedelta(days=1)
    if cut >= first:
        raise ParameterError(f"train_end {cut.date()} must be before start {first.date()}")
    kept = _history(appointments, cut)
    season = seasonal_index(kept).set_index("month")["index"]
    daily = _visits_per_open_day(kept)
    daily["day"] = _weekday_names(daily["date"])
    daily["deseasonalised"] = daily["visits"] / daily["date"].dt.month.map(season)
    base = daily.groupby("day")["deseasonalised"].mean()

    dates = pd.Series(pd.date_range(first, last, freq="D"))
    out = pd.DataFrame({"date": dates, "day": _weekday_names(dates),
                        "month": dates.dt.month.astype("int64")})
    out["history_visits"] = (out["day"].map(base).fillna(0.0).astype("float64")
                             * out["month"].map(season).astype("float64")
                             * (1 + growth_pct / 100))
    closed = {_timestamp(d) for d in closed_dates}
    out.loc[out["date"].isin(closed), "history_visits"] = 0.0

    rates = no_show_rates(kept).set_index("visit_type")["no_show_rate"]
    booked = appointments[(appointments["status"].astype("object") == "booked")
                          & appointments["date"].between(first, last)]
    show = 1 - booked["visit_type"].astype("object").map(rates).fillna(rates["all"])
    out["booked_appointments"] = out["date"].map(booked.groupby("date").size()).fillna(0)
    out["booked_appointments"] = out["booked_appointments"].astype("int64")
    out["booked_visits"] = out["date"].map(show.groupby(booked["date"]).sum()).fillna(0.0)
    out["booked_visits"] = out["booked_visits"].astype("float64")
    final = _timestamp(booked_final_through)
    use_booked = out["booked_visits"] > out["history_visits"]
    if final is not None:
        use_booked |= out["date"] <= final
    out["visits"] = np.where(use_booked, out["booked_visits"], out["history_visits"])
    out["source"] = np.where(use_booked, "booked", "history")
    out["day"] = _day_column(out["day"])
    return out


def forecast_monthly(daily: pd.DataFrame) -> pd.DataFrame:
    """Monthly totals of a daily forecast.

    Parameters
    ----------
    daily
        :func:`forecast_daily` output.

    Returns
    -------
    pandas.DataFrame
        ``month`` (``YYYY-MM``), ``open_days`` (days with visits forecast), ``history_visits``,
        ``booked_visits``, ``visits``.
    """
    month = daily["date"].dt.to_period("M").astype("str").rename("month")
    out = daily.groupby(month).agg(open_days=("visits", lambda v: int((v > 0).sum())),
                                   history_visits=("history_visits", "sum"),
                                   booked_visits=("booked_visits", "sum"),
                                   visits=("visits", "sum"))
    return out.reset_index().astype({"open_days": "int64"})


def forecast_hourly(daily: pd.DataFrame, profile: pd.DataFrame) -> pd.DataFrame:
    """Spread each day's forecast over clock hours with the weekday's hourly profile.

    ``visits_{d,h} = visits_d · p_{w(d),h}``.

    Parameters
    ----------
    daily
        :func:`forecast_daily` output.
    profile
        :func:`weekday_hour_profile` output.

    Returns
    -------
    pandas.DataFrame
        ``date, day, hour, visits``; days with no visits forecast are left out.

    Raises
    ------
    DataError
        Visits forecast on a weekday that has no hourly profile (no history of that weekday).
    """
    busy = daily[daily["visits"] > 0]
    known = set(profile["day"].astype("object"))
    bad = ~busy["day"].astype("object").isin(known)
    if bad.any():
        raise DataError("visits are forecast on a weekday with no history to spread them over "
                        f"the hours: {sorted(set(busy.loc[bad, 'day'].astype('object')))}",
                        file="appointments", expected="a history of visits on that weekday",
                        fix="check the booked appointments on those days")
    merged = busy[["date", "day", "visits"]].merge(
        profile[["day", "hour", "share"]], on="day", how="inner")
    merged["visits"] = merged["visits"] * merged["share"]
    return merged[["date", "day", "hour", "visits"]].sort_values(["date", "hour"],
                                                                ignore_index=True)


def typical_week(hourly: pd.DataFrame) -> pd.DataFrame:
    """The average week of an hourly forecast: mean visits per weekday and hour.

    ``visits_{w,h} = Σ_{d: w(d)=w} visits_{d,h} / #days with weekday w``.

    Returns
    -------
    pandas.DataFrame
        ``day, hour, visits``.
    """
    days = hourly[["date", "day"]].drop_duplicates()
    n = days["day"].astype("object").value_counts()
    week = hourly.groupby([hourly["day"].astype("object"), "hour"])["visits"].sum().reset_index()
    week["visits"] = week["visits"] / week["day"].map(n)
    week["day"] = _day_column(week["day"])
    return week.sort_values(["day", "hour"], ignore_index=True)


@dataclass(frozen=True)
class Backtest:
    """Error of the history forecast on a held-out month.

    Attributes
    ----------
    test_month
        ``YYYY-MM``.
    mape_pct
        Mean absolute percentage error of daily visits.
    bias_pct
        ``100 · Σ (F − A) / Σ A``; positive when the forecast is too high.
    mean_error_visits
        ``Σ (F − A) / n``, visits per day.
    days
        ``date, day, forecast, actual, error`` per open day of the month.
    """

    test_month: str
    mape_pct: float
    bias_pct: float
    mean_error_visits: float
    days: pd.DataFrame


def backtest(appointments: pd.DataFrame, test_month: str, *, growth_pct: float = 0.0
             ) -> Backtest:
    """Train on everything before ``test_month``, forecast it, and compare with what happened.

    Parameters
    ----------
    appointments
        The ``appointments`` frame.
    test_month
        The held-out month, ``YYYY-MM`` (``"2025-12"`` trains on the months before it).
    growth_pct
        As for :func:`forecast_daily`.

    Returns
    -------
    Backtest
        MAPE, bias and the day-by-day table over the month's open days (actual visits > 0).
    """
    try:
        period = pd.Period(test_month, freq="M")
    except (ValueError, TypeError):
        raise ParameterError(f"test_month must be YYYY-MM, got {test_month!r}") from None
    first, last = period.start_time.normalize(), period.end_time.normalize()
    forecast = forecast_daily(appointments[appointments["status"].astype("object") != "booked"],
                              first, last, growth_pct=growth_pct)
    actual = _visits_per_open_day(_history(appointments, last))
    actual = actual[actual["date"] >= first].set_index("date")["visits"]
    if actual.sum() == 0:
        raise ParameterError(f"no visits in {test_month} to test the forecast on")
    days = forecast[["date", "day", "history_visits"]].rename(
        columns={"history_visits": "forecast"})
    days["actual"] = days["date"].map(actual).fillna(0.0)
    days = days[days["actual"] > 0].reset_index(drop=True)
    days["error"] = days["forecast"] - days["actual"]
    return Backtest(
        test_month=str(period),
        mape_pct=float(100 * (days["error"].abs() / days["actual"]).mean()),
        bias_pct=float(100 * days["error"].sum() / days["actual"].sum()),
        mean_error_visits=float(days["error"].mean()),
        days=days,
    )


def history_week(appointments: pd.DataFrame, train_end: str | pd.Timestamp | None = None
                 ) -> pd.DataFrame:
    """The average week of the history: visits per weekday and clock hour ÷ open days.

    ``visits_{w,h} = visits in hour h on weekday w / open days of weekday w`` (the
    ``visits_per_day`` of :func:`weekday_hour_profile`), without seasonality or growth: the
    week a staffing standard measured on last year would use.

    Returns
    -------
    pandas.DataFrame
        ``day, hour, visits`` like :func:`typical_week`.
    """
    profile = weekday_hour_profile(appointments, train_end)
    return profile[["day", "hour", "visits_per_day"]].rename(
        columns={"visits_per_day": "visits"}).reset_index(drop=True)


WEEKS_PER_YEAR = 52
"""Weeks a year in the FTE arithmetic (2,080 paid hours = 40 × 52)."""


def annual_visits(daily: pd.DataFrame) -> float:
    """Visits a year from a daily forecast of any length: ``Σ visits × 7 · 52 / days``.

    A year is 52 weeks here, as in the paid hours per FTE, so a 52-week forecast (364 days)
    returns its own total.

    Parameters
    ----------
    daily
        :func:`forecast_daily` output (one row per calendar day).
    """
    require_columns(daily, "forecast", ("date", "visits"))
    days = int(daily["date"].nunique())
    if days == 0:
        raise ParameterError("the forecast has no days to annualise")
    return float(daily["visits"].sum()) * 7 * WEEKS_PER_YEAR / days


def adjust_no_show_rate(daily: pd.DataFrame, current_rate: float, new_rate: float
                        ) -> pd.DataFrame:
    """A daily forecast with visits rescaled to another no-show rate.

    Visits are the patients who come, so with a kept-appointment demand unchanged, visits scale
    by ``(1 − new) / (1 − current)``; the factor applies to ``history_visits``,
    ``booked_visits`` and ``visits``.

    Parameters
    ----------
    daily
        :func:`forecast_daily` output.
    current_rate
        The history's no-show rate (:func:`no_show_rates`, row ``all``).
    new_rate
        The rate to plan for (0 ≤ rate < 1).
    """
    for name, v in (("current_rate", current_rate), ("new_rate", new_rate)):
        if not (math.isfinite(v) and 0 <= v < 1):
            raise ParameterError(f"{name} must be at least 0 and below 1, got {v!r}")
    factor = (1 - new_rate) / (1 - current_rate)
    out = daily.copy()
    for column in ("history_visits", "booked_visits", "visits"):
        if column in out.columns:
            out[column] = out[column] * factor
    return out
