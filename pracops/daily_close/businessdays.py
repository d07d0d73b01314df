"""Business days for the daily close: weekdays that are not US federal holidays, the days banks
post and the clinics are open (the ``holidays`` package's calendar, as the sample uses).

Every lag the report measures or allows (cash banked the next business day, a card batch
settled in two, a charge entered within its target) counts these days, through numpy's
``busday`` functions over a holiday list built once per span of years.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays
import numpy as np
import pandas as pd

__all__ = ["add", "between", "holidays_for", "is_business_day", "last_business_day",
           "previous_or_same"]


@functools.cache
def _holidays(first_year: int, last_year: int) -> np.ndarray:
    days = holidays.country_holidays("US", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def holidays_for(*days: object) -> np.ndarray:
    """The federal holidays of every year from a year before the earliest of ``days`` to a year
    after the latest (so lags across New Year count right), as ``datetime64[D]``."""
    stamps = [pd.Timestamp(d) for d in days if d is not None and not pd.isna(d)]
    if not stamps:
        return np.array([], dtype="datetime64[D]")
    return _holidays(min(s.year for s in stamps) - 1, max(s.year for s in stamps) + 1)


def _days(values: object) -> np.ndarray:
    return np.asarray(pd.to_datetime(values), dtype="datetime64[D]")


def is_business_day(values: object) -> np.ndarray | bool:
    """Whether each date (a scalar, a list or a Series) is a business day."""
    days = _days(values)
    found = np.is_busday(days, holidays=holidays_for(days.min(), days.max())) \
        if days.size else np.array([], dtype=bool)
    return bool(found) if np.ndim(days) == 0 else found


def add(values: object, count: int | np.ndarray) -> np.ndarray:
    """Each date moved ``count`` business days (a date that is not one rolls forward first, as
    a payment taken on a Saturday is banked from Monday)."""
    days = _days(values)
    if not days.size:
        return days
    hol = holidays_for(days.min(), days.max())
    return np.busday_offset(days, count, roll="forward", holidays=hol)


def previous_or_same(values: object) -> np.ndarray:
    """Each date, or the business day before it when it is not one (the last business day on
    or before a date)."""
    days = _days(values)
    if not days.size:
        return days
    return np.busday_offset(days, 0, roll="backward", holidays=holidays_for(days.min(),
                                                                            days.max()))


def between(start: object, end: object) -> np.ndarray:
    """Business days from each ``start`` to its ``end``: 0 for the same day, 1 for the next
    business day, negative when ``end`` comes first (``start`` counted, ``end`` not, as
    ``numpy.busday_count`` does)."""
    first, last = _days(start), _days(end)
    if not first.size:
        return np.zeros(first.shape, dtype=np.int64)
    hol = holidays_for(np.min(first), np.max(first), np.min(last), np.max(last))
    return np.busday_count(first, last, holidays=hol).astype(np.int64)


def last_business_day(day: dt.date | pd.Timestamp) -> pd.Timestamp:
    """The last business day on or before ``day``."""
    return pd.Timestamp(previous_or_same([day])[0])
