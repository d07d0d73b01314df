"""The staffing plan's vocabulary: weekdays, roles, the practice's staffing standards (the
report's defaults, cited or marked as assumptions) and the clock and row helpers every part
of :mod:`pracops.staffing.model` uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from pracops import data
from pracops.data import rows_error, shifts
from pracops.errors import ParameterError

__all__ = [
    "DAYS",
    "ROLES",
    "PATIENT_FACING_ROLES",
    "PAID_HOURS_PER_FTE",
    "DEFAULT_RATIOS",
    "STAFF_PER_PROVIDER_FTE_BENCHMARK",
    "DEFAULT_MINUTES_PER_VISIT",
    "DEFAULT_MINIMUM_STAFF",
    "CHECKIN_ANSWER_SECONDS",
    "DEFAULT_BENEFITS_LOAD_PCT",
]

DAYS = shifts.DAYS
"""Weekdays as the ``day`` columns spell them (an ordered categorical in that order)."""

ROLES: tuple[str, ...] = tuple(data.get("staff").column("role").allowed or ())
"""The staff roles the ``staff`` dataset allows."""

PATIENT_FACING_ROLES: tuple[str, ...] = ("front desk", "medical assistant", "nurse",
                                         "lab technician")
"""Roles whose work happens while patients are in the building, hour by hour."""

PAID_HOURS_PER_FTE = 2080.0
"""Paid hours of one FTE per year: 40 hours × 52 weeks."""

DEFAULT_RATIOS: dict[str, float] = {
    "front desk": 1.00,
    "billing": 0.50,
    "medical records": 0.20,
    "manager": 0.30,
    "medical assistant": 1.45,
    "nurse": 0.50,
    "lab technician": 0.20,
}
"""Staff FTE per provider FTE, by role: the ratio-based estimate's defaults.

Cited figures: Peikes DN, Reid RJ, Day TJ, et al. *Staffing patterns of primary care practices
in the Comprehensive Primary Care initiative.* Ann Fam Med 2014;12(2):142-149,
doi:10.1370/afm.1626. Table 5 (all 496 practices): 4.50 FTE non-physician staff per FTE
physician, of which 2.01 administrative (reception, medical records, appointments, finance).
Table 4: 1.45 FTE medical assistants per FTE physician (mean among practices that have them).

What is cited and what is assumed here:

- ``medical assistant`` 1.45 is Peikes' Table 4 figure.
- The administrative roles (``front desk`` 1.00, ``billing`` 0.50, ``medical records`` 0.20,
  ``manager`` 0.30) add up to 2.00, Peikes' 2.01 administrative staff; **the split among them is
  an assumption** in the style of MGMA's per-role support-staff ratios (MGMA's survey figures
  are by subscription and are not reproduced here).
- ``nurse`` 0.50 and ``lab technician`` 0.20 are **assumptions** (Peikes reports 0.95 LPN/LVN
  FTE per physician FTE among the 47 % of practices that employ them, and RNs in 36 %).
- Peikes' denominator is physician FTE and counts NPs and PAs among the staff; these ratios are
  applied per *provider* FTE, with NP/PA FTE weighted by ``app_weight`` (default 1), which is an
  assumption too. Set the ratios from your own benchmark source when you have one.
"""

STAFF_PER_PROVIDER_FTE_BENCHMARK = 4.50
"""Total staff FTE per provider FTE to compare with: Peikes et al. 2014, Table 5 (see
:data:`DEFAULT_RATIOS`), about 4.5 non-physician staff FTE per physician FTE in primary care."""

DEFAULT_MINUTES_PER_VISIT: dict[str, float] = {
    "front desk": 8.0,
    "medical assistant": 22.0,
    "nurse": 6.0,
    "lab technician": 4.0,
    "billing": 6.0,
    "medical records": 2.0,
}
"""Staff minutes of work per completed visit, by role: **assumptions**, not cited figures.

Front desk: check-in and check-out; medical assistant: rooming, vitals, intake; nurse: triage,
injections and education averaged over all visits; lab technician: a draw for about one visit
in three; billing: charge entry and follow-up; medical records: scanning and requests. Managers
have no per-visit workload. Time-and-motion studies of your own clinic should replace these.
The report's ``minutes_per_visit`` parameter has these defaults
(:mod:`pracops.staffing.parameters`).
"""

DEFAULT_MINIMUM_STAFF: dict[str, int] = {"front desk": 1}
"""People of a role on duty whenever the clinic is open, however quiet (an assumption; the
report's ``minimum_staff`` default)."""

CHECKIN_ANSWER_SECONDS = 120.0
"""Target time to start a patient's check-in, seconds: an **assumption** (80 % served within
2 minutes, :func:`checkin_agents`); the phones' target is the report's
``answer_within_seconds``."""

DEFAULT_BENEFITS_LOAD_PCT = 30.0
"""Benefits as a percentage of base pay: an **assumption**. For comparison, the BLS Employer
Costs for Employee Compensation (December 2019, private industry) puts benefits at 29.9 % of
total compensation, about 43 % of wages; but that includes paid leave and overtime, which this
model already counts in paid hours and in the overtime pay. Set it from your payroll."""

_HHMM = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d")

_KEPT = ("completed", "no-show")


_minutes = shifts.minutes
_parse_days = shifts.parse_days


def _hhmm(minutes: int) -> str:
    """``450 -> "07:30"``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_column(values: Sequence[str] | pd.Series | np.ndarray) -> pd.Categorical:
    return pd.Categorical(values, categories=DAYS, ordered=True)


def _weekday_names(dates: pd.Series) -> pd.Series:
    return pd.Series(np.asarray(DAYS)[dates.dt.day_of_week.to_numpy()], index=dates.index)


def _dec(x: float | int) -> Decimal:
    """A number as the decimal it was written as (``0.8`` is 0.8, not 0.8000000000000000444)."""
    return Decimal(repr(float(x))) if isinstance(x, float) else Decimal(int(x))


def _check_roles(roles: Mapping[str, object] | Sequence[str], what: str) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ParameterError(f"{what}: unknown role(s) {unknown}; roles are {list(ROLES)}")


def _check_hhmm(frame: pd.DataFrame, dataset: str, column: str) -> None:
    bad = ~frame[column].astype("str").str.fullmatch(_HHMM.pattern)
    if bad.any():
        raise rows_error(frame, bad, dataset, column, "not a time", "a time as HH:MM (24-hour)")


def _check_clock(name: str, hhmm: str) -> int:
    if not isinstance(hhmm, str) or not _HHMM.fullmatch(hhmm):
        raise ParameterError(f"{name} must be a time as HH:MM (24-hour), got {hhmm!r}")
    return _minutes(hhmm)


def _check_interval(interval_minutes: int) -> None:
    if interval_minutes not in (5, 10, 15, 20, 30, 60):
        raise ParameterError(f"interval_minutes must divide an hour (5, 10, 15, 20, 30 or 60), "
                             f"got {interval_minutes!r}")
