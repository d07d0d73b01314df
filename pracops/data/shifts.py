"""Weekdays and working hours as the practice's exports spell them: a site's ``days_open``
(``Mon-Fri``), a person's ``usual_shifts`` (``Mon,Wed 07:30-16:00; Sat 08:00-12:00``) and times
of day (``07:30``). The patterns the datasets declare and the parsers every report uses, in
one place."""

from __future__ import annotations

import re

import pandas as pd

from pracops.data.fields import HHMM

__all__ = ["DAYS", "DAYS_PATTERN", "SHIFTS_PATTERN", "minutes", "minutes_of", "parse_days",
           "parse_shifts"]

DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""Weekday abbreviations, Monday first (``DAYS[date.weekday()]``)."""

_DAY = "(?:" + "|".join(DAYS) + ")"
DAYS_PATTERN = rf"{_DAY}(?:-{_DAY}|(?:,{_DAY})*)"
"""Days such as ``Mon-Fri`` (a range, which may wrap past Sunday) or ``Mon,Wed,Fri``."""

_SHIFT = re.compile(rf"({DAYS_PATTERN}) ({HHMM['pattern']})-({HHMM['pattern']})")
_ONE_SHIFT = rf"{DAYS_PATTERN} {HHMM['pattern']}-{HHMM['pattern']}"
SHIFTS_PATTERN = rf"{_ONE_SHIFT}(?:; {_ONE_SHIFT})*"
"""Shifts such as ``Mon-Fri 08:00-16:30`` or ``Mon,Wed 07:30-16:00; Sat 08:00-12:00``."""


def minutes(hhmm: str) -> int:
    """Minutes after midnight of a time of day: ``"07:30" -> 450``."""
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def minutes_of(hhmm: pd.Series) -> pd.Series:
    """:func:`minutes` of a column of times, every one ``HH:MM`` (checked before), by columns:
    ``int64`` minutes after midnight, on the column's index."""
    text = hhmm.astype("str")
    return text.str[:2].astype("int64") * 60 + text.str[3:5].astype("int64")


def parse_days(spec: str) -> list[str]:
    """The weekdays of ``"Mon-Fri"``, ``"Mon,Wed,Fri"`` or ``"Thu"``, as written; a range may
    wrap past Sunday (``"Sat-Mon"``).

    Raises
    ------
    ValueError
        Text that is not days.

    Examples
    --------
    >>> parse_days("Sat-Mon"), parse_days("Mon,Wed")
    (['Sat', 'Sun', 'Mon'], ['Mon', 'Wed'])
    """
    if not re.fullmatch(DAYS_PATTERN, spec):
        raise ValueError(f"not days such as 'Mon-Fri' or 'Mon,Wed,Fri': {spec!r}")
    if "-" in spec:
        i, j = (DAYS.index(d) for d in spec.split("-"))
        return [DAYS[(i + k) % 7] for k in range((j - i) % 7 + 1)]
    return spec.split(",")


def parse_shifts(text: str) -> list[tuple[str, int, int]]:
    """Read ``usual_shifts`` text into ``(day, start_minute, end_minute)`` triples.

    Groups are separated by ``"; "``; each is days (:func:`parse_days`) then times. Minutes
    count from midnight.

    Raises
    ------
    ValueError
        Text that is not shifts, or a shift ending at or before its start (a night shift across
        midnight is not supported).

    Examples
    --------
    >>> parse_shifts("Mon,Wed 07:30-16:00; Sat 08:00-12:00")
    [('Mon', 450, 960), ('Wed', 450, 960), ('Sat', 480, 720)]
    """
    out: list[tuple[str, int, int]] = []
    for group in str(text).split("; "):
        m = _SHIFT.fullmatch(group.strip())
        if m is None:
            raise ValueError(f"not a shift such as 'Mon-Fri 08:00-16:30': {group!r}")
        days, start, end = m.group(1), minutes(m.group(2)), minutes(m.group(3))
        if end <= start:
            raise ValueError(f"shift ends at or before it starts: {group!r}")
        out += [(d, start, end) for d in parse_days(days)]
    return out
