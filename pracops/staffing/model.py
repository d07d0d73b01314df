"""Staffing plan: how many people of each role the practice needs, hour by hour, and at what cost.

This module owns the calculations of the staffing report. Every function takes DataFrames (the
frames of :mod:`pracops.data`: ``appointments``, ``providers``, ``staff``, ``locations``; and a
``calls`` frame of phone volumes when the practice has one) and returns DataFrames, numbers or
small dataclasses; nothing here reads files or displays anything. Money is integer cents.

The chain a report runs:

1. **Demand.** :func:`check_appointments` refuses appointments that cannot be right;
   :func:`no_show_rates`, :func:`seasonal_index` and :func:`weekday_hour_profile` describe the
   history; :func:`forecast_daily` forecasts visits per day (history × seasonality × growth, and
   the booked schedule), :func:`forecast_monthly` totals them by month,
   :func:`forecast_hourly` spreads them over the hours,
   :func:`typical_week` averages them into one week, and :func:`backtest` measures the method's
   error on a held-out month.
2. **Queues.** :func:`erlang_c` and :func:`agents_needed` (Erlang C) size the phones
   (:func:`phone_agents`) and the check-in desk (:func:`checkin_agents`).
3. **People.** :func:`staff_required` sets three estimates per role side by side (ratio to
   provider FTE, workload, queueing), with :func:`fte_hours` for the FTE arithmetic.
4. **Shifts.** :func:`interval_requirements` turns the typical week into people needed per
   15-minute interval; :func:`plan_shifts` chooses the cheapest shifts that cover it (an integer
   program solved with OR-Tools CP-SAT, deterministically: the same input gives the same plan
   however busy the machine; :func:`greedy_cover` stands in where the solver's work budget
   finds nothing) and compares the cover with today's roster (:func:`roster_coverage`, parsed
   from ``staff.usual_shifts``).
5. **Money.** :func:`labor_cost`, :func:`role_rates`, :func:`fte_cost_cents` and
   :func:`benchmarks`.
6. **What is used.** :func:`appointment_use` and :func:`phone_call_use` account for every input
   row (used, or left out and why); :func:`roster_hours_not_compared` counts the roster hours
   the interval comparison cannot see.
7. **The report's figures.** :func:`annual_visits`, :func:`adjust_no_show_rate`;
   :func:`add_phone_agents` puts a site's phone agents into its front desk requirement,
   :func:`phone_staff_on_duty` and :func:`phone_service_level` measure the service level a
   roster or plan achieves on the calls; :func:`roster_gaps` lists where the roster is short;
   :func:`fte_for_weekly_hours`, :func:`fte_needed` and :func:`labor_cost_by_role` turn the
   plan into FTE and money per role.

Definitions
-----------
kept appointment
    Status ``completed`` or ``no-show``: it held a slot. Cancelled and rescheduled rows held no
    slot at the end (a rescheduled appointment appears again under its new date) and are not
    demand.
visit
    A ``completed`` appointment: a patient who came.
open day
    A date with at least one kept appointment. Days without any (holidays) are not averaged in.
no-show rate of a visit type
    ``no-shows / kept appointments`` of that type in the training history.
seasonal index of month *m*
    ``S_m = v_m / mean_k v_k``, where ``v_m`` is the mean visits per open day in calendar month
    *m* (averaged over the years of history); months with history average 1. A month without
    history gets ``S_m = 1``.
history forecast of day *d*
    ``F_d = b_w · S_m · (1 + g/100)`` with ``w`` the weekday and ``m`` the month of *d*, ``g``
    the growth in percent and ``b_w`` the mean over training open days with weekday *w* of
    ``visits_d / S_m(d)`` (the deseasonalised visits). Weekdays never open in the history get 0.
booked forecast of day *d*
    ``Σ (1 − no-show rate of its visit type)`` over the appointments booked for *d*. Growth does
    not apply: these are patients already on the schedule.
forecast of day *d*
    ``max(history, booked)``: patients keep booking until the day, so the booked schedule is a
    floor that lifts the history forecast where the schedule is already fuller. For days on or
    before ``booked_final_through`` the schedule is taken as final: the booked forecast alone.
    Holidays ahead are not known to the method: every weekday open in the history is forecast
    unless listed in ``closed_dates``.
hourly profile
    The share of a weekday's visits that start in each clock hour: ``p_{w,h} = visits_{w,h} /
    visits_w``. The hourly forecast is ``F_d · p_{w(d),h}``.
MAPE and bias
    Over the open days of the held-out month (actual visits > 0):
    ``MAPE = 100/n · Σ |F − A| / A``; ``bias = 100 · Σ (F − A) / Σ A`` (positive: forecast too
    high); ``mean error = Σ (F − A) / n`` visits per day.
FTE hours
    Paid hours per FTE ``P`` (2,080 = 40 h × 52 weeks); productive hours
    ``Q = P − PTO − holidays − training``; replacement factor ``P / Q``: the FTEs on the payroll
    per FTE of work actually done.
Erlang C
    Traffic ``A = λ · h`` (Erlangs) for ``λ`` arrivals per hour and handle time ``h`` hours;
    Erlang B by the recursion ``B(0) = 1``, ``B(k) = A·B(k−1) / (k + A·B(k−1))``;
    ``P(wait) = C = N·B(N) / (N − A·(1 − B(N)))`` for ``N`` agents; service level
    ``SL(t) = 1 − C·exp(−(N − A)·t/h)``; average speed of answer ``ASA = C·h / (N − A)``;
    occupancy ``A / N``. With ``N ≤ A`` the queue grows without end: ``P(wait) = 1``,
    ``SL = 0``, ``ASA = ∞``, occupancy 1.

Rounding
--------
Money is rounded half-up to whole cents exactly once per figure, where it is made:
:func:`labor_cost` rounds each employee's base pay, overtime pay and benefits separately (the
total is the sum of the rounded parts); :func:`fte_cost_cents` rounds the base pay of the FTEs
and then the benefits on that rounded base; :func:`role_rates` rounds each role's FTE-weighted
mean rate; :func:`plan_shifts` rounds each chosen shift's cost (people × minutes × rate / 60).
Sums of cents are exact. Fractional products go through :class:`decimal.Decimal` (FTEs from
their shortest decimal text), never through binary floating point.

Row numbers in errors are the frame's index + 2 (a CSV row, with the header on row 1), as
:func:`pracops.data.load` returns frames with a fresh ``RangeIndex``; a frame filtered by the
caller keeps its index, so its rows still point into the file. Frames whose index is not whole
numbers are counted by position from 2.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from pracops import data
from pracops.data import require_columns, rows_error
from pracops.data.practice import APPOINTMENT_STATUSES, VISIT_TYPES
from pracops.errors import DataError, ParameterError, PracopsError
from pracops.money import round_half_away

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
    "ErlangC",
    "erlang_c",
    "agents_needed",
    "FteHours",
    "fte_hours",
    "check_staff",
    "check_providers",
    "labor_cost",
    "role_rates",
    "fte_cost_cents",
    "parse_shifts",
    "roster_shifts",
    "roster_coverage",
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
    "interval_requirements",
    "phone_agents",
    "phone_workload",
    "history_week",
    "checkin_agents",
    "provider_fte",
    "staff_required",
    "SOLVER_STATUSES",
    "DEFAULT_SOLVER_DETERMINISTIC_TIME",
    "SOLVER_SEED",
    "ACCOUNT_COLUMNS",
    "appointment_use",
    "phone_call_use",
    "roster_hours_not_compared",
    "ShiftPlan",
    "worst_status",
    "greedy_cover",
    "plan_shifts",
    "benchmarks",
    "WEEKS_PER_YEAR",
    "annual_visits",
    "adjust_no_show_rate",
    "fte_for_weekly_hours",
    "add_phone_agents",
    "phone_staff_on_duty",
    "phone_service_level",
    "overall_service_level",
    "roster_gaps",
    "FTE_BASES",
    "fte_needed",
    "labor_cost_by_role",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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
_DAY_SPEC = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:-(Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
                       r"|((?:,(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun))*))")
_SHIFT = re.compile(rf"({_DAY_SPEC.pattern}) ({_HHMM.pattern})-({_HHMM.pattern})")
_KEPT = ("completed", "no-show")


# --------------------------------------------------------------------------------------------
# Small helpers


def _minutes(hhmm: str) -> int:
    """``"07:30" -> 450``."""
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


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


def _parse_days(spec: str) -> list[str]:
    """``"Mon-Fri"`` or ``"Mon,Wed,Fri"`` as day names; a range may wrap (``"Sat-Mon"``)."""
    m = _DAY_SPEC.fullmatch(spec)
    if m is None:
        raise ValueError(f"not days such as 'Mon-Fri' or 'Mon,Wed,Fri': {spec!r}")
    first, last, more = m.groups()
    if last is not None:
        i, j = DAYS.index(first), DAYS.index(last)
        return [DAYS[(i + k) % 7] for k in range((j - i) % 7 + 1)]
    return [first] + [d for d in (more or "").split(",") if d]


# --------------------------------------------------------------------------------------------
# Erlang C


@dataclass(frozen=True)
class ErlangC:
    """How a queue with ``agents`` servers performs (see the module docstring's formulas).

    Attributes
    ----------
    agents
        Servers ``N``.
    traffic_erlangs
        Offered traffic ``A = λ·h``.
    p_wait
        Probability that a caller waits at all (Erlang C).
    service_level
        Fraction answered within the target time.
    asa_seconds
        Average speed of answer over all callers; ``inf`` when the queue is unstable.
    occupancy
        Fraction of agent time busy, ``A / N`` (1 when unstable).
    """

    agents: int
    traffic_erlangs: float
    p_wait: float
    service_level: float
    asa_seconds: float
    occupancy: float


def _check_queue_inputs(arrivals_per_hour: float, handle_minutes: float,
                        answer_within_seconds: float) -> None:
    if not (math.isfinite(arrivals_per_hour) and arrivals_per_hour >= 0):
        raise ParameterError(f"arrivals_per_hour must be 0 or more, got {arrivals_per_hour!r}")
    if not (math.isfinite(handle_minutes) and handle_minutes > 0):
        raise ParameterError(f"handle_minutes must be more than 0, got {handle_minutes!r}")
    if not (math.isfinite(answer_within_seconds) and answer_within_seconds >= 0):
        raise ParameterError("answer_within_seconds must be 0 or more, "
                             f"got {answer_within_seconds!r}")


def erlang_c(arrivals_per_hour: float, handle_minutes: float, agents: int,
             answer_within_seconds: float) -> ErlangC:
    """Waiting probability, service level, speed of answer and occupancy of an M/M/N queue.

    With traffic ``A = λ·h`` Erlangs (``λ`` = ``arrivals_per_hour``, ``h`` = ``handle_minutes``
    / 60), Erlang B is computed by the stable recursion ``B(0) = 1``,
    ``B(k) = A·B(k−1) / (k + A·B(k−1))`` (no factorials, so hundreds of agents stay finite),
    then

    .. math::

        C = \\frac{N B(N)}{N - A (1 - B(N))}, \\quad
        SL(t) = 1 - C e^{-(N - A) t / h}, \\quad
        ASA = \\frac{C h}{N - A}, \\quad \\text{occupancy} = A / N.

    Parameters
    ----------
    arrivals_per_hour
        Calls (or patients) arriving per hour, ``λ ≥ 0``.
    handle_minutes
        Average handling time per arrival, minutes (> 0).
    agents
        Servers ``N`` (a whole number ≥ 0).
    answer_within_seconds
        Target answer time ``t`` for the service level.

    Returns
    -------
    ErlangC
        With ``N ≤ A`` the queue is unstable (it grows without end): ``p_wait = 1``,
        ``service_level = 0``, ``asa_seconds = inf``, ``occupancy = 1``. With no arrivals
        nobody waits: ``p_wait = 0``, ``service_level = 1``, ``asa_seconds = 0``.

    Examples
    --------
    56 calls an hour of 4 minutes each (``A = 3.733``) on 6 agents: ``P(wait) ≈ 0.2239``,
    80/30 service level ``≈ 0.8314``, ``ASA ≈ 23.7 s``.

    >>> r = erlang_c(56, 4, 6, 30)
    >>> round(r.p_wait, 4), round(r.service_level, 4), round(r.asa_seconds, 1)
    (0.2239, 0.8314, 23.7)
    """
    _check_queue_inputs(arrivals_per_hour, handle_minutes, answer_within_seconds)
    if (isinstance(agents, bool) or not isinstance(agents, int | float | np.integer)
            or not float(agents).is_integer() or agents < 0):
        raise ParameterError(f"agents must be a whole number 0 or more, got {agents!r}")
    n = int(agents)
    traffic = arrivals_per_hour * handle_minutes / 60.0
    if traffic == 0:
        return ErlangC(n, 0.0, 0.0, 1.0, 0.0, 0.0)
    if n <= traffic:
        return ErlangC(n, traffic, 1.0, 0.0, math.inf, 1.0)
    b = 1.0
    for k in range(1, n + 1):
        b = traffic * b / (k + traffic * b)
    c = n * b / (n - traffic * (1.0 - b))
    handle_seconds = handle_minutes * 60.0
    service_level = 1.0 - c * math.exp(-(n - traffic) * answer_within_seconds / handle_seconds)
    asa = c * handle_seconds / (n - traffic)
    return ErlangC(n, traffic, c, service_level, asa, traffic / n)


def agents_needed(arrivals_per_hour: float, handle_minutes: float, service_level_target: float,
                  answer_within_seconds: float, max_occupancy: float) -> int:
    """The fewest agents that answer ``service_level_target`` within the target time.

    The smallest ``N`` with ``SL(N) ≥ target`` (see :func:`erlang_c`) and ``A / N ≤
    max_occupancy``; 0 when nothing arrives.

    Parameters
    ----------
    arrivals_per_hour, handle_minutes, answer_within_seconds
        As for :func:`erlang_c`.
    service_level_target
        Fraction to answer within ``answer_within_seconds`` (``0 ≤ target < 1``; 0.8 for the
        call-centre convention "80 % within 30 seconds").
    max_occupancy
        Cap on ``A / N`` (``0 < cap ≤ 1``), so agents keep time between arrivals; 1 for no cap
        (the report's ``max_occupancy`` is 0.85).
    """
    _check_queue_inputs(arrivals_per_hour, handle_minutes, answer_within_seconds)
    if not 0 <= service_level_target < 1:
        raise ParameterError("service_level_target must be at least 0 and below 1, "
                             f"got {service_level_target!r}")
    if not 0 < max_occupancy <= 1:
        raise ParameterError(f"max_occupancy must be above 0 and at most 1, got {max_occupancy!r}")
    traffic = arrivals_per_hour * handle_minutes / 60.0
    if traffic == 0:
        return 0
    n = max(math.floor(traffic) + 1, math.ceil(traffic / max_occupancy - 1e-12))
    while erlang_c(arrivals_per_hour, handle_minutes, n,
                   answer_within_seconds).service_level < service_level_target:
        n += 1
    return n


# --------------------------------------------------------------------------------------------
# FTE arithmetic and labour cost


@dataclass(frozen=True)
class FteHours:
    """Paid and productive hours of one FTE per year.

    Attributes
    ----------
    paid_hours
        ``P``, hours paid per FTE (2,080 = 40 × 52).
    pto_hours, holiday_hours, training_hours
        Paid hours not worked.
    productive_hours
        ``Q = P − PTO − holidays − training``.
    replacement_factor
        ``P / Q``: payroll FTEs needed per FTE of work done.
    """

    paid_hours: float
    pto_hours: float
    holiday_hours: float
    training_hours: float

    @property
    def productive_hours(self) -> float:
        """Hours one FTE actually works in a year."""
        return self.paid_hours - self.pto_hours - self.holiday_hours - self.training_hours

    @property
    def replacement_factor(self) -> float:
        """Paid ÷ productive hours."""
        return self.paid_hours / self.productive_hours


def fte_hours(paid_hours: float = PAID_HOURS_PER_FTE, pto_hours: float = 120.0,
              holiday_hours: float = 64.0, training_hours: float = 16.0) -> FteHours:
    """Paid hours, productive hours and the replacement factor of one FTE.

    ``productive = paid − PTO − holidays − training``; ``replacement factor = paid /
    productive``. The defaults besides 2,080 paid hours are **assumptions**: 15 days of PTO
    (120 h), 8 paid holidays (64 h), 2 days of training (16 h), so 1,880 productive hours and a
    replacement factor of 2080 / 1880 ≈ 1.106.

    Parameters
    ----------
    paid_hours
        Hours paid per FTE per year.
    pto_hours, holiday_hours, training_hours
        Paid hours per FTE per year spent on leave, holidays and training.

    Raises
    ------
    ParameterError
        Negative hours, or nothing left to work.
    """
    values = {"paid_hours": paid_hours, "pto_hours": pto_hours,
              "holiday_hours": holiday_hours, "training_hours": training_hours}
    for name, v in values.items():
        if not (math.isfinite(v) and v >= 0):
            raise ParameterError(f"{name} must be 0 or more, got {v!r}")
    hours = FteHours(float(paid_hours), float(pto_hours), float(holiday_hours),
                     float(training_hours))
    if hours.productive_hours <= 0:
        unpaid = paid_hours - hours.productive_hours
        raise ParameterError(f"PTO, holiday and training hours ({unpaid:g}) leave no productive "
                             f"hours of the {paid_hours:g} paid")
    return hours


def check_staff(staff: pd.DataFrame, locations: pd.DataFrame | None = None) -> None:
    """Refuse a staff table with unknown roles, FTE outside 0–1.5 or negative rates, and, with
    ``locations``, a home site that is not one of them (such a person would be on no site's
    roster: refused, never dropped).

    Raises
    ------
    DataError
        Naming every bad row (file row numbers), the column and the first bad value.
    """
    require_columns(staff, "staff", ("employee_id", "role", "fte", "hourly_rate_cents"))
    if locations is not None:
        require_columns(staff, "staff", ("location_id",))
        require_columns(locations, "locations", ("location_id",))
        sites = [str(x) for x in locations["location_id"]]
        bad = ~staff["location_id"].astype("object").isin(sites)
        if bad.any():
            raise rows_error(staff, bad, "staff", "location_id", "unknown location",
                             "one of " + ", ".join(sites),
                             fix="correct the staff member's location_id or add the site to "
                                 "locations")
    role = staff["role"].astype("object")
    bad = ~role.isin(ROLES)
    if bad.any():
        raise rows_error(staff, bad, "staff", "role", "unknown role", "one of " + ", ".join(ROLES))
    fte = pd.to_numeric(staff["fte"], errors="coerce")
    bad = ~fte.between(0, 1.5)
    if bad.any():
        raise rows_error(staff, bad, "staff", "fte", "FTE outside 0 to 1.5",
                         "an FTE from 0 to 1.5 (1 is full time)")
    rate = pd.to_numeric(staff["hourly_rate_cents"], errors="coerce")
    bad = rate.isna() | (rate < 0)
    if bad.any():
        raise rows_error(staff, bad, "staff", "hourly_rate_cents", "negative or missing pay rate",
                         "an hourly rate of 0 or more")


def check_providers(providers: pd.DataFrame) -> None:
    """Refuse a providers table with FTE outside 0–1.5 or an unknown kind.

    Raises
    ------
    DataError
        Naming every bad row.
    """
    require_columns(providers, "providers", ("provider_id", "kind", "fte"))
    fte = pd.to_numeric(providers["fte"], errors="coerce")
    bad = ~fte.between(0, 1.5)
    if bad.any():
        raise rows_error(providers, bad, "providers", "fte", "FTE outside 0 to 1.5",
                         "an FTE from 0 to 1.5 (1 is full time)")
    kinds = data.get("providers").column("kind").allowed or ()
    bad = ~providers["kind"].astype("object").isin(kinds)
    if bad.any():
        raise rows_error(providers, bad, "providers", "kind", "unknown provider kind",
                         "one of " + ", ".join(kinds))


def labor_cost(staff: pd.DataFrame, hours: FteHours | None = None, *,
               benefits_load_pct: float = DEFAULT_BENEFITS_LOAD_PCT,
               overtime_hours_per_fte: float = 0.0,
               overtime_multiplier: float = 1.5) -> pd.DataFrame:
    """Annual labour cost of each employee, in cents.

    .. math::

        \\text{base} = r \\cdot f \\cdot P, \\quad
        \\text{overtime} = r \\cdot m \\cdot o \\cdot f \\;(\\text{eligible only}), \\quad
        \\text{benefits} = \\text{base} \\cdot b / 100

    for hourly rate ``r`` (cents), FTE ``f``, paid hours ``P``, overtime multiplier ``m``,
    overtime hours per FTE ``o`` and benefits load ``b`` %. Each part is rounded half-up to a
    cent; ``total = base + overtime + benefits``. Benefits are loaded on base pay only (an
    assumption: overtime premiums seldom carry benefits).

    Parameters
    ----------
    staff
        The ``staff`` frame (``employee_id``, ``role``, ``fte``, ``hourly_rate_cents``,
        ``overtime_eligible``).
    hours
        Paid hours per FTE (:func:`fte_hours`; default 2,080).
    benefits_load_pct
        Benefits as a percentage of base pay (see :data:`DEFAULT_BENEFITS_LOAD_PCT`).
    overtime_hours_per_fte
        Overtime hours a year per FTE of each overtime-eligible employee.
    overtime_multiplier
        Overtime pay per hour as a multiple of the rate (1.5 under the FLSA).

    Returns
    -------
    pandas.DataFrame
        ``employee_id, role, fte, hourly_rate_cents, paid_hours, base_cents, overtime_cents,
        benefits_cents, total_cents`` (cents as ``int64``).
    """
    check_staff(staff)
    require_columns(staff, "staff", ("overtime_eligible",))
    for name, v in (("benefits_load_pct", benefits_load_pct),
                    ("overtime_hours_per_fte", overtime_hours_per_fte)):
        if not (math.isfinite(v) and v >= 0):
            raise ParameterError(f"{name} must be 0 or more, got {v!r}")
    if not (math.isfinite(overtime_multiplier) and overtime_multiplier >= 1):
        raise ParameterError(f"overtime_multiplier must be 1 or more, got {overtime_multiplier!r}")
    paid = _dec(hours.paid_hours if hours is not None else PAID_HOURS_PER_FTE)
    load = _dec(benefits_load_pct) / 100
    ot = _dec(overtime_hours_per_fte) * _dec(overtime_multiplier)
    base, overtime, benefits = [], [], []
    for fte, rate, eligible in zip(staff["fte"], staff["hourly_rate_cents"],
                                   staff["overtime_eligible"], strict=True):
        b = round_half_away(_dec(int(rate)) * _dec(float(fte)) * paid)
        base.append(b)
        overtime.append(round_half_away(_dec(int(rate)) * ot * _dec(float(fte)))
                        if bool(eligible) else 0)
        benefits.append(round_half_away(Decimal(b) * load))
    out = pd.DataFrame({
        "employee_id": staff["employee_id"].to_numpy(),
        "role": staff["role"].astype("object").to_numpy(),
        "fte": staff["fte"].astype("float64").to_numpy(),
        "hourly_rate_cents": staff["hourly_rate_cents"].astype("int64").to_numpy(),
        "paid_hours": float(paid) * staff["fte"].astype("float64").to_numpy(),
        "base_cents": np.array(base, dtype=np.int64),
        "overtime_cents": np.array(overtime, dtype=np.int64),
        "benefits_cents": np.array(benefits, dtype=np.int64),
    })
    out["total_cents"] = out["base_cents"] + out["overtime_cents"] + out["benefits_cents"]
    return out


def role_rates(staff: pd.DataFrame) -> pd.DataFrame:
    """Each role's FTE-weighted mean hourly rate, rounded half-up to a cent.

    ``rate_role = Σ r_i f_i / Σ f_i`` over the role's employees (a plain mean when they all
    have FTE 0).

    Returns
    -------
    pandas.DataFrame
        ``role, fte, hourly_rate_cents`` for the roles present, in :data:`ROLES` order.
    """
    check_staff(staff)
    rows = []
    role = staff["role"].astype("object")
    for r in ROLES:
        sel = staff[role == r]
        if sel.empty:
            continue
        ftes = [_dec(float(f)) for f in sel["fte"]]
        rates = [Decimal(int(x)) for x in sel["hourly_rate_cents"]]
        total_fte = sum(ftes, Decimal(0))
        if total_fte == 0:
            mean = sum(rates, Decimal(0)) / len(rates)
        else:
            mean = sum((f * x for f, x in zip(ftes, rates, strict=True)), Decimal(0)) / total_fte
        rows.append({"role": r, "fte": float(total_fte),
                     "hourly_rate_cents": round_half_away(mean)})
    out = pd.DataFrame(rows, columns=["role", "fte", "hourly_rate_cents"])
    return out.astype({"fte": "float64", "hourly_rate_cents": "int64"})


def fte_cost_cents(fte: float, hourly_rate_cents: int, hours: FteHours | None = None,
                   benefits_load_pct: float = DEFAULT_BENEFITS_LOAD_PCT) -> int:
    """Annual cost of ``fte`` FTEs paid ``hourly_rate_cents``, with benefits, in cents.

    ``base = round(fte × P × rate)``, ``benefits = round(base × b / 100)``, both half-up;
    returns ``base + benefits``.
    """
    if not (math.isfinite(fte) and fte >= 0) or hourly_rate_cents < 0:
        raise ParameterError(f"fte and hourly_rate_cents must be 0 or more, got {fte!r} and "
                             f"{hourly_rate_cents!r}")
    paid = _dec(hours.paid_hours if hours is not None else PAID_HOURS_PER_FTE)
    base = round_half_away(_dec(float(fte)) * paid * Decimal(int(hourly_rate_cents)))
    return base + round_half_away(Decimal(base) * _dec(benefits_load_pct) / 100)


# --------------------------------------------------------------------------------------------
# Today's roster


def parse_shifts(text: str) -> list[tuple[str, int, int]]:
    """Read ``usual_shifts`` text into ``(day, start_minute, end_minute)`` triples.

    Groups are separated by ``"; "``; each is days then times: ``"Mon-Fri 08:00-16:30"``,
    ``"Mon,Wed,Fri 07:30-16:00"``. A day range may wrap past Sunday (``"Sat-Mon"``). Minutes
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
        days, start, end = m.group(1), _minutes(m.group(5)), _minutes(m.group(6))
        if end <= start:
            raise ValueError(f"shift ends at or before it starts: {group!r}")
        out += [(d, start, end) for d in _parse_days(days)]
    return out


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


# --------------------------------------------------------------------------------------------
# Demand


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
    sites = locations.set_index("location_id")
    loc = appointments["location_id"].astype("object")
    bad = ~loc.isin(sites.index)
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "location_id", "unknown location",
                         "one of " + ", ".join(map(str, sites.index)))
    open_days = {k: set(_parse_days(v)) for k, v in sites["days_open"].items()}
    weekday = _weekday_names(appointments["date"])
    bad = np.array([d not in open_days[k] for k, d in zip(loc, weekday, strict=True)], dtype=bool)
    if bad.any():
        raise rows_error(appointments, bad, "appointments", "date",
                         "appointment on a day its location is closed",
                         "a date on one of the location's days_open",
                         fix="correct the date or the location's days_open")
    start = appointments["start_time"].astype("str").map(_minutes)
    opens = loc.map(sites["opens"].map(_minutes))
    closes = loc.map(sites["closes"].map(_minutes))
    bad = (start < opens) | (start + minutes > closes)
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


# --------------------------------------------------------------------------------------------
# People needed


def _check_interval(interval_minutes: int) -> None:
    if interval_minutes not in (5, 10, 15, 20, 30, 60):
        raise ParameterError(f"interval_minutes must divide an hour (5, 10, 15, 20, 30 or 60), "
                             f"got {interval_minutes!r}")


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


def provider_fte(providers: pd.DataFrame, app_weight: float = 1.0) -> float:
    """Provider FTE: ``Σ FTE of MD/DO + app_weight × Σ FTE of NP/PA``."""
    return _provider_fte(providers, app_weight)


def _provider_fte(providers: pd.DataFrame, app_weight: float) -> float:
    check_providers(providers)
    if not 0 <= app_weight <= 1.5:
        raise ParameterError(f"app_weight must be from 0 to 1.5, got {app_weight!r}")
    physician = providers["kind"].astype("object").isin(["MD", "DO"])
    weight = np.where(physician, 1.0, app_weight)
    return float((providers["fte"].astype("float64") * weight).sum())


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


def benchmarks(staff: pd.DataFrame, providers: pd.DataFrame, annual_visits: float,
               annual_labor_cost_cents: int, *,
               staff_per_provider_fte: float = STAFF_PER_PROVIDER_FTE_BENCHMARK,
               labor_cost_per_visit_cents: int | None = None,
               app_weight: float = 1.0) -> pd.DataFrame:
    """Staff per provider FTE and labour cost per visit against benchmarks.

    Parameters
    ----------
    staff, providers
        The ``staff`` and ``providers`` frames.
    annual_visits
        Visits a year.
    annual_labor_cost_cents
        Staff labour cost a year (the sum of :func:`labor_cost`'s ``total_cents``).
    staff_per_provider_fte
        Benchmark; default Peikes et al. 2014 (:data:`STAFF_PER_PROVIDER_FTE_BENCHMARK`).
    labor_cost_per_visit_cents
        Benchmark cost per visit; no default, as no public figure fits every practice (set it
        from your own or a purchased survey such as MGMA's). ``None`` leaves it blank.
    app_weight
        As for :func:`staff_required`.

    Returns
    -------
    pandas.DataFrame
        ``metric, value, benchmark, difference_pct`` with rows ``staff_per_provider_fte`` and
        ``labor_cost_per_visit_cents`` (rounded half-up to a cent; ``difference_pct =
        100 · (value − benchmark) / benchmark``).
    """
    check_staff(staff)
    provider_fte = _provider_fte(providers, app_weight)
    ratio = float(staff["fte"].sum()) / provider_fte if provider_fte > 0 else math.nan
    per_visit = (round_half_away(Decimal(int(annual_labor_cost_cents)) / _dec(annual_visits))
                 if annual_visits > 0 else math.nan)
    rows = [("staff_per_provider_fte", ratio, staff_per_provider_fte),
            ("labor_cost_per_visit_cents", per_visit,
             math.nan if labor_cost_per_visit_cents is None else labor_cost_per_visit_cents)]
    out = pd.DataFrame(rows, columns=["metric", "value", "benchmark"]).astype(
        {"value": "float64", "benchmark": "float64"})
    out["difference_pct"] = 100 * (out["value"] - out["benchmark"]) / out["benchmark"]
    return out


# --------------------------------------------------------------------------------------------
# What the plan uses of each input row, and what it leaves out

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


# --------------------------------------------------------------------------------------------
# Shift plan


SOLVER_STATUSES: tuple[str, ...] = ("OPTIMAL", "FEASIBLE", "FALLBACK")
"""How a shift plan (or one role and day of it) was found, best first: ``OPTIMAL`` proved the
cheapest; ``FEASIBLE`` the cheapest CP-SAT found within its work budget, not proved; ``FALLBACK``
CP-SAT found none within its budget, so the plan is the greedy cover of
:func:`greedy_cover` (every interval covered, cost not minimised)."""

DEFAULT_SOLVER_DETERMINISTIC_TIME = 2.0
"""CP-SAT work budget of a whole shift plan, in CP-SAT's deterministic time units (see
:func:`plan_shifts`); the notebook's ``solver_deterministic_time`` has the same default. The
sample's plan uses about 0.001 units and is proved optimal from about 0.002; a model that uses
all 2 units took 4–9 s on the project's 2-core VM, depending on its load
(bench/bench_staffing.py ``--whole-week``), about what the old 10 s wall-clock limit allowed."""

SOLVER_SEED = 20260105
"""CP-SAT's ``random_seed``: fixed, so that the same input gives the same plan."""


@dataclass(frozen=True)
class ShiftPlan:
    """The cheapest shifts covering the required people, and how today's roster compares.

    Every attribute but ``solve_seconds`` and ``deterministic_time`` depends on the input only:
    the same input gives the same plan on any load of the same machine (see
    :func:`plan_shifts`).

    Attributes
    ----------
    status
        The worst of the (role, day) parts' :data:`SOLVER_STATUSES`: ``"OPTIMAL"`` (every part
        proved cheapest), ``"FEASIBLE"`` (covers everything; the work budget stopped the proof
        for at least one part) or ``"FALLBACK"`` (at least one part is the greedy cover).
    solve_seconds
        Wall time of the solves: it varies with the machine's load, so it is for benchmarks and
        logs, never a figure of the report.
    deterministic_time
        CP-SAT work the solves used, in its deterministic time units: for benchmarks, not a
        figure of the report (CP-SAT adds it up across threads, so its last digits can differ
        from run to run).
    paid_hours
        Paid hours a week of the chosen shifts.
    cost_cents
        Their cost a week (sum of the shifts' rounded costs), ``None`` without rates.
    lower_bound
        The sum of CP-SAT's proved lower bounds: paid hours without rates, cents (before
        rounding each shift) with them; it meets the objective when ``OPTIMAL``.
    gap_pct
        ``100 · (objective − lower_bound) / objective``, the objective being the plan's paid
        hours, or its cost before rounding each shift: how much cheaper a plan could at most
        be (0 when ``OPTIMAL``).
    blocks
        One row per role and day solved: ``role, day, status, objective, lower_bound``
        (objective and bound in the units of ``lower_bound``).
    shifts
        ``role, day, start, end, hours, people, paid_hours, cost_cents`` (``Int64``, missing
        without rates) for each shift pattern chosen.
    coverage
        ``role, day, interval_start, required, planned, plan_surplus`` and, with a roster,
        ``on_roster, roster_gap, roster_surplus`` (``gap = max(required − on_roster, 0)``,
        ``surplus = max(on_roster − required, 0)``).
    """

    status: str
    solve_seconds: float
    deterministic_time: float
    paid_hours: float
    cost_cents: int | None
    lower_bound: float
    gap_pct: float
    blocks: pd.DataFrame
    shifts: pd.DataFrame
    coverage: pd.DataFrame


def worst_status(statuses: Sequence[str]) -> str:
    """The worst of several :data:`SOLVER_STATUSES` (``OPTIMAL`` for none)."""
    return max(statuses, key=SOLVER_STATUSES.index, default="OPTIMAL")


def _check_required(required: pd.DataFrame, o: int, c: int, interval_minutes: int) -> None:
    require_columns(required, "required", ("role", "day", "interval_start", "required"))
    bad = ~required["role"].astype("object").isin(ROLES)
    if bad.any():
        raise rows_error(required, bad, "required", "role", "unknown role",
                         "one of " + ", ".join(ROLES))
    bad = ~required["day"].astype("object").isin(DAYS)
    if bad.any():
        raise rows_error(required, bad, "required", "day", "unknown day", ", ".join(DAYS))
    _check_hhmm(required, "required", "interval_start")
    n = pd.to_numeric(required["required"], errors="coerce")
    bad = n.isna() | (n < 0) | (n != np.floor(n))
    if bad.any():
        raise rows_error(required, bad, "required", "required", "not a number of people",
                         "a whole number 0 or more")
    t = required["interval_start"].astype("str").map(_minutes)
    bad = (t % interval_minutes != 0) | (t < o) | (t + interval_minutes > c)
    bad &= n > 0
    if bad.any():
        raise rows_error(required, bad, "required", "interval_start",
                         "people required when the clinic is closed, or off the interval grid",
                         f"{interval_minutes}-minute intervals between {_hhmm(o)} and {_hhmm(c)}")
    if required[["role", "day", "interval_start"]].astype("str").duplicated().any():
        raise rows_error(required, required[["role", "day", "interval_start"]].astype("str")
                         .duplicated(keep=False), "required", "interval_start",
                         "an interval is listed twice", "one row per role, day and interval")


def _spans(s: int, e: int, interval_minutes: int) -> range:
    """Interval starts a shift ``s``–``e`` covers entirely."""
    return range(s, e - interval_minutes + 1, interval_minutes)


def greedy_cover(need: Mapping[int, int], candidates: Sequence[tuple[int, int]],
                 interval_minutes: int) -> dict[tuple[int, int], int]:
    """A cover of one role's day without a solver: the fallback of :func:`plan_shifts`.

    Sweeping the intervals in time order, each interval still short of ``need`` gets the
    missing people on the candidate shift that covers it and reaches furthest (the latest end;
    among those, the latest start, so the shortest). Every interval ends up covered (each must
    have a covering candidate); the cost is not minimised. Deterministic: the same input gives
    the same cover.

    Parameters
    ----------
    need
        People required per interval start (minutes from midnight), those above 0.
    candidates
        ``(start, end)`` minutes of the allowed shifts.
    interval_minutes
        Length of the intervals.

    Returns
    -------
    dict
        People per ``(start, end)`` chosen.

    Raises
    ------
    ParameterError
        An interval that no candidate shift covers.
    """
    covered = dict.fromkeys(need, 0)
    chosen: dict[tuple[int, int], int] = {}
    for t in sorted(need):
        short = need[t] - covered[t]
        if short <= 0:
            continue
        best = max((c for c in candidates if c[0] <= t and t + interval_minutes <= c[1]),
                   key=lambda c: (c[1], c[0]), default=None)
        if best is None:
            raise ParameterError(f"no candidate shift covers {_hhmm(t)}: allow shorter shifts "
                                 "or more start times")
        s, e = best
        chosen[(s, e)] = chosen.get((s, e), 0) + short
        for u in _spans(s, e, interval_minutes):
            if u in covered:
                covered[u] += short
    return chosen


def _solve_block(need: Mapping[int, int], candidates: Sequence[tuple[int, int]],
                 interval_minutes: int, rate: int, budget: float
                 ) -> tuple[str, dict[tuple[int, int], int], float, float]:
    """One role on one day: ``min Σ x_s m_s rate`` s.t. every interval covered ``need`` times.

    CP-SAT runs deterministically: one search worker (its sequential loop, no race between
    threads), :data:`SOLVER_SEED` as ``random_seed``, and ``max_deterministic_time = budget``
    as the only limit (no wall-clock limit), so where it stops depends on the model alone.
    Without a plan within the budget the block takes :func:`greedy_cover` (``FALLBACK``); a
    plan found but not proved optimal (``FEASIBLE``) is replaced by the greedy cover when that
    is cheaper.

    Returns the status (:data:`SOLVER_STATUSES`), people per candidate ``(start, end)``, the
    proved bound of the objective (minutes × rate) and the deterministic time used.
    """
    model = cp_model.CpModel()
    peak = max(need.values())
    shifts = {}
    covering: dict[int, list[cp_model.IntVar]] = {t: [] for t in need}
    for s, e in candidates:
        spans = [t for t in _spans(s, e, interval_minutes) if t in need]
        if not spans:
            continue
        var = model.new_int_var(0, peak, f"{s}-{e}")
        shifts[(s, e)] = var
        for t in spans:
            covering[t].append(var)
    for t, n in need.items():
        model.add(sum(covering[t]) >= n)
    model.minimize(sum((e - s) * rate * v for (s, e), v in shifts.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.max_deterministic_time = budget
    status = solver.solve(model)
    work = float(solver.response_proto.deterministic_time)
    bound = max(float(solver.best_objective_bound), 0.0)
    if status == cp_model.OPTIMAL:
        return "OPTIMAL", {k: int(solver.value(v)) for k, v in shifts.items()}, bound, work
    if status not in (cp_model.FEASIBLE, cp_model.UNKNOWN):  # a bug, not the budget
        raise PracopsError(f"CP-SAT could not plan the shifts (status "
                           f"{solver.status_name(status)})")
    greedy = greedy_cover(need, candidates, interval_minutes)
    if status == cp_model.UNKNOWN:
        return "FALLBACK", greedy, bound, work
    found = {k: int(solver.value(v)) for k, v in shifts.items()}

    def minutes(plan: Mapping[tuple[int, int], int]) -> int:
        return sum((e - s) * n for (s, e), n in plan.items())

    # Interrupted early, CP-SAT's best can be dearer than the greedy cover: keep the cheaper.
    return "FEASIBLE", greedy if minutes(greedy) < minutes(found) else found, bound, work


def plan_shifts(required: pd.DataFrame, opens: str, closes: str, *,
                shift_lengths_hours: Sequence[float] = (4, 8, 9, 10),
                start_step_minutes: int = 30,
                hourly_rate_cents: Mapping[str, int] | None = None,
                roster: pd.DataFrame | None = None,
                interval_minutes: int = 15,
                solver_deterministic_time: float = DEFAULT_SOLVER_DETERMINISTIC_TIME
                ) -> ShiftPlan:
    """Choose the cheapest weekly shifts that put enough people in every interval.

    Candidate shifts, per role and day: every start from ``opens`` in steps of
    ``start_step_minutes``, every length in ``shift_lengths_hours``, ending by ``closes``.
    With ``x_s ≥ 0`` integer people on shift *s*, ``m_s`` its minutes and ``r`` its role's rate:

    .. math::

        \\min \\sum_s x_s \\, m_s \\, r_{role(s)} \\quad \\text{s.t.} \\quad
        \\sum_{s \\ni i} x_s \\ge \\text{required}_i \\;\\; \\forall i

    (``r = 1``: paid hours, when no rates are given). A shift covers an interval it spans
    entirely; paid time is the shift's length (breaks are not modelled). No constraint links two
    roles or two days, so the program is solved as one OR-Tools CP-SAT model per role and day
    (the sum of their optima is the week's optimum).

    The plan depends on the input only, never on the machine's load: each model is solved by
    one CP-SAT worker with a fixed seed (:data:`SOLVER_SEED`) and a limit in CP-SAT's
    deterministic time (work counted by the solver, not seconds on a clock), an equal share of
    ``solver_deterministic_time`` set before any solve. A part not proved optimal within its
    share keeps the cheapest cover found (``FEASIBLE``, with the gap to the proved bound); a
    part with no cover found takes :func:`greedy_cover` (``FALLBACK``). A plan never fails for
    want of time.

    Parameters
    ----------
    required
        ``role, day, interval_start, required`` (:func:`interval_requirements` output).
    opens, closes
        Opening hours, ``HH:MM``.
    shift_lengths_hours
        Shift lengths allowed, hours (whole multiples of ``interval_minutes``).
    start_step_minutes
        Minutes between candidate starts (a multiple of ``interval_minutes``).
    hourly_rate_cents
        Rate per role (e.g. from :func:`role_rates`); minimises cost instead of hours.
    roster
        :func:`roster_coverage` output, to report today's gaps and surpluses.
    interval_minutes
        Length of the intervals in ``required``.
    solver_deterministic_time
        CP-SAT work budget of all the (role, day) models together, in its deterministic time
        units (the solver's count of work, made to be about a second of a typical machine, but
        the same however busy the machine is); each model gets an equal share.

    Returns
    -------
    ShiftPlan

    Raises
    ------
    DataError
        Bad ``required`` rows (unknown role or day, people required when closed).
    ParameterError
        Bad parameters, or an interval no candidate shift can cover.
    """
    o, c, lengths = _check_shift_options(opens, closes, shift_lengths_hours, start_step_minutes,
                                         interval_minutes, solver_deterministic_time)
    _check_required(required, o, c, interval_minutes)
    rates = _check_rates(required, hourly_rate_cents)
    req = required.assign(role=required["role"].astype("object"),
                          day=required["day"].astype("object"),
                          t=required["interval_start"].astype("str").map(_minutes),
                          n=required["required"].astype("int64"))
    candidates = [(s, s + m) for s in range(o, c, start_step_minutes) for m in lengths
                  if s + m <= c]
    blocks = _blocks(req, candidates, interval_minutes)
    began = time.perf_counter()
    chosen, blocks_table, work = _solve_blocks(blocks, candidates, interval_minutes, rates,
                                               solver_deterministic_time)
    elapsed = time.perf_counter() - began
    logger.debug("shift plan: %d blocks in %.2f s", len(blocks), elapsed)
    shifts, planned = _shift_table(chosen, rates, interval_minutes)
    objective = float(blocks_table["objective"].sum())
    bound = float(blocks_table["lower_bound"].sum())
    return ShiftPlan(
        status=worst_status(list(blocks_table["status"])),
        solve_seconds=elapsed,
        deterministic_time=work,
        paid_hours=float(shifts["paid_hours"].sum()),
        cost_cents=None if rates is None else int(shifts["cost_cents"].sum()),
        lower_bound=bound,
        gap_pct=100 * (objective - bound) / objective if objective > 0 else 0.0,
        blocks=blocks_table,
        shifts=shifts,
        coverage=_coverage_table(req, planned, roster),
    )


def _check_shift_options(opens: str, closes: str, shift_lengths_hours: Sequence[float],
                         start_step_minutes: int, interval_minutes: int,
                         solver_deterministic_time: float) -> tuple[int, int, list[int]]:
    """Opening and closing minutes and the allowed shift lengths in minutes, checked."""
    _check_interval(interval_minutes)
    o, c = _check_clock("opens", opens), _check_clock("closes", closes)
    if c <= o:
        raise ParameterError(f"closes {closes} must be after opens {opens}")
    if start_step_minutes <= 0 or start_step_minutes % interval_minutes:
        raise ParameterError(f"start_step_minutes must be a positive multiple of "
                             f"{interval_minutes}, got {start_step_minutes!r}")
    lengths = sorted({round(float(h) * 60) for h in shift_lengths_hours})
    if not lengths or any(m <= 0 or m % interval_minutes for m in lengths):
        raise ParameterError(f"shift_lengths_hours must be positive whole multiples of "
                             f"{interval_minutes} minutes, got {list(shift_lengths_hours)}")
    if not (isinstance(solver_deterministic_time, int | float)
            and math.isfinite(solver_deterministic_time) and solver_deterministic_time > 0):
        raise ParameterError(f"solver_deterministic_time must be a number above 0, "
                             f"got {solver_deterministic_time!r}")
    return o, c, lengths


def _check_rates(required: pd.DataFrame, hourly_rate_cents: Mapping[str, int] | None
                 ) -> dict[str, int] | None:
    """The rates as a dict (``None`` without), with whole cents 0 or more for every role
    planned."""
    if hourly_rate_cents is None:
        return None
    rates = dict(hourly_rate_cents)
    roles = [r for r in ROLES if r in set(required["role"].astype("object"))]
    missing = [r for r in roles if r not in rates]
    if missing or any(int(v) != v or v < 0 for v in rates.values()):
        raise ParameterError(f"hourly_rate_cents needs whole cents 0 or more for every role "
                             f"planned; missing {missing}")
    return rates


def _blocks(req: pd.DataFrame, candidates: Sequence[tuple[int, int]], interval_minutes: int
            ) -> dict[tuple[str, str], dict[int, int]]:
    """People needed per interval start (those above 0), by (role, day), each interval
    checked to have a covering candidate shift."""
    need = {(r, d, t): n for r, d, t, n in zip(req["role"], req["day"], req["t"], req["n"],
                                                strict=True) if n > 0}
    blocks: dict[tuple[str, str], dict[int, int]] = {}
    for (r, d, t), n in need.items():
        blocks.setdefault((r, d), {})[t] = n
    for (r, d), block in blocks.items():
        for t in block:
            if not any(s <= t and t + interval_minutes <= e for s, e in candidates):
                raise ParameterError(f"no candidate shift covers {r} on {d} at {_hhmm(t)}: "
                                     "allow shorter shifts or more start times")
    return blocks


def _solve_blocks(blocks: Mapping[tuple[str, str], Mapping[int, int]],
                  candidates: Sequence[tuple[int, int]], interval_minutes: int,
                  rates: Mapping[str, int] | None, solver_deterministic_time: float
                  ) -> tuple[dict[tuple[str, str, int, int], int], pd.DataFrame, float]:
    """Solve each (role, day) block in role and day order with an equal share of the budget.

    Roles and days share no constraint, so the program splits into one small program per
    (role, day) whose optima add up to the week's optimum; CP-SAT proves each in
    milliseconds, where the whole week at once can exhaust the budget (see
    bench/bench_staffing.py). Each block's share is fixed before any solve, so no block's
    result depends on how long another took.

    Returns people per ``(role, day, start, end)``, the blocks table (``role, day, status,
    objective, lower_bound``) and the CP-SAT work used.
    """
    share = float(solver_deterministic_time) / max(len(blocks), 1)
    chosen: dict[tuple[str, str, int, int], int] = {}
    parts = []
    work = 0.0
    for (role, day), block in sorted(blocks.items(), key=lambda kv: (ROLES.index(kv[0][0]),
                                                                     DAYS.index(kv[0][1]))):
        rate = rates[role] if rates is not None else 1
        status, values, block_bound, used = _solve_block(block, candidates, interval_minutes,
                                                         rate, share)
        work += used
        objective = sum((e - s) * rate * n for (s, e), n in values.items())
        parts.append((role, day, status, objective / 60, block_bound / 60))
        chosen.update({(role, day, s, e): n for (s, e), n in values.items()})
    table = pd.DataFrame(parts, columns=["role", "day", "status", "objective", "lower_bound"])
    table["day"] = _day_column(table["day"])
    return chosen, table.astype({"objective": "float64", "lower_bound": "float64"}), work


def _shift_table(chosen: Mapping[tuple[str, str, int, int], int],
                 rates: Mapping[str, int] | None, interval_minutes: int
                 ) -> tuple[pd.DataFrame, dict[tuple[str, str, int], int]]:
    """The shifts chosen (``role, day, start, end, hours, people, paid_hours, cost_cents``,
    each shift's cost rounded half-up to a cent) and the people they put in each
    ``(role, day, interval start)``."""
    rows = []
    planned: dict[tuple[str, str, int], int] = {}
    for (role, day, s, e), people in chosen.items():
        if people:
            for t in _spans(s, e, interval_minutes):
                planned[(role, day, t)] = planned.get((role, day, t), 0) + people
            cost = (None if rates is None
                    else (2 * people * (e - s) * int(rates[role]) + 60) // 120)
            rows.append((role, day, _hhmm(s), _hhmm(e), (e - s) / 60, people,
                         people * (e - s) / 60, cost))
    shifts = pd.DataFrame(rows, columns=["role", "day", "start", "end", "hours", "people",
                                         "paid_hours", "cost_cents"])
    shifts = shifts.astype({"hours": "float64", "people": "int64", "paid_hours": "float64",
                            "cost_cents": "Int64"})
    shifts["day"] = _day_column(shifts["day"])
    return shifts.sort_values(["role", "day", "start", "end"], ignore_index=True), planned


def _coverage_table(req: pd.DataFrame, planned: Mapping[tuple[str, str, int], int],
                    roster: pd.DataFrame | None) -> pd.DataFrame:
    """Required, planned and (with a roster) on-roster people per interval, with the plan's
    surplus and the roster's gap and surplus."""
    coverage = pd.DataFrame({"role": req["role"], "day": req["day"],
                             "interval_start": req["t"].map(_hhmm), "required": req["n"]})
    coverage["planned"] = [planned.get(k, 0) for k in zip(req["role"], req["day"], req["t"],
                                                          strict=True)]
    coverage["plan_surplus"] = coverage["planned"] - coverage["required"]
    if roster is not None:
        on = roster.assign(role=roster["role"].astype("object"),
                           day=roster["day"].astype("object")).set_index(
            ["role", "day", "interval_start"])["on_roster"]
        key = pd.MultiIndex.from_frame(coverage[["role", "day", "interval_start"]])
        coverage["on_roster"] = on.reindex(key).fillna(0).astype("int64").to_numpy()
        diff = coverage["on_roster"] - coverage["required"]
        coverage["roster_gap"] = (-diff).clip(lower=0)
        coverage["roster_surplus"] = diff.clip(lower=0)
    coverage["day"] = _day_column(coverage["day"])
    coverage = coverage.astype({c: "int64" for c in coverage.columns
                                if c not in ("role", "day", "interval_start")})
    return coverage.sort_values(["role", "day", "interval_start"], ignore_index=True)


# --------------------------------------------------------------------------------------------
# From the plan to the report's figures

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


def fte_for_weekly_hours(hours_per_week: float, hours: FteHours | None = None) -> float:
    """Payroll FTE that keep ``hours_per_week`` of presence all year: ``h × 52 / Q``.

    ``Q`` is the productive hours per FTE (:func:`fte_hours`), so the result includes the
    cover for leave, holidays and training (the replacement factor).
    """
    if not (math.isfinite(hours_per_week) and hours_per_week >= 0):
        raise ParameterError(f"hours_per_week must be 0 or more, got {hours_per_week!r}")
    hours = hours or fte_hours()
    return float(hours_per_week) * WEEKS_PER_YEAR / hours.productive_hours


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


FTE_BASES = ("ratio", "workload", "max")
"""How :func:`fte_needed` sets the FTE of roles without a shift plan."""


def fte_needed(required: pd.DataFrame, scheduled_fte: Mapping[str, float], *,
               basis: str = "max") -> pd.DataFrame:
    """One FTE requirement per role, from the shift plan where there is one.

    Roles planned shift by shift (patient-facing roles: they must be there whenever patients
    are) take ``scheduled_fte`` (:func:`fte_for_weekly_hours` of the plan's paid hours).
    Other roles (billing, medical records, manager) take the ratio estimate, the workload
    estimate or the larger of the two (``basis``); a role with neither needs 0.

    Parameters
    ----------
    required
        :func:`staff_required` output (its ``total`` row is ignored and rebuilt).
    scheduled_fte
        Role → FTE of the shift plan.
    basis
        ``ratio``, ``workload`` or ``max``.

    Returns
    -------
    pandas.DataFrame
        ``role, ratio_fte, workload_fte, queueing_fte, scheduled_fte, required_fte, basis,
        current_fte, gap_fte`` (``gap = required − current``: positive means short), in
        :data:`ROLES` order, and a last row ``total``.
    """
    if basis not in FTE_BASES:
        raise ParameterError(f"basis must be one of {FTE_BASES}, got {basis!r}")
    _check_roles(scheduled_fte, "scheduled_fte")
    out = required[required["role"] != "total"].copy().reset_index(drop=True)
    out["scheduled_fte"] = out["role"].map(dict(scheduled_fte)).astype("float64")
    other = {"ratio": out["ratio_fte"], "workload": out["workload_fte"],
             "max": out[["ratio_fte", "workload_fte"]].max(axis=1)}[basis].fillna(0.0)
    planned = out["scheduled_fte"].notna()
    out["required_fte"] = np.where(planned, out["scheduled_fte"], other)
    out["basis"] = np.where(planned, "shift plan", basis)
    out["gap_fte"] = out["required_fte"] - out["current_fte"]
    columns = ["role", "ratio_fte", "workload_fte", "queueing_fte", "scheduled_fte",
               "required_fte", "basis", "current_fte", "gap_fte"]
    out = out[columns]
    total = out.drop(columns=["role", "basis"]).sum(min_count=1)
    out.loc[len(out)] = ["total", *total[columns[1:6]].to_numpy(), "",
                         *total[columns[7:]].to_numpy()]
    return out.astype({c: "float64" for c in columns if c not in ("role", "basis")})


def labor_cost_by_role(labor: pd.DataFrame, needed: pd.DataFrame,
                       hourly_rate_cents: Mapping[str, int], hours: FteHours | None = None, *,
                       benefits_load_pct: float = DEFAULT_BENEFITS_LOAD_PCT) -> pd.DataFrame:
    """Today's labour cost and the cost of the FTE needed, per role, in cents.

    Parameters
    ----------
    labor
        :func:`labor_cost` output (today's employees).
    needed
        :func:`fte_needed` output.
    hourly_rate_cents
        Rate per role for the FTE needed (e.g. :func:`role_rates`, plus rates for roles
        nobody holds yet).
    hours, benefits_load_pct
        As for :func:`fte_cost_cents`.

    Returns
    -------
    pandas.DataFrame
        ``role, current_fte, base_cents, overtime_cents, benefits_cents, current_cents,
        required_fte, hourly_rate_cents, required_cents, difference_cents`` (``Int64``;
        required and difference missing for a role with no rate), rows in :data:`ROLES` order
        for roles on the payroll or needed, and a last row ``total``.
    """
    require_columns(labor, "labor", ("role", "fte", "base_cents", "overtime_cents",
                    "benefits_cents", "total_cents"))
    require_columns(needed, "needed", ("role", "required_fte"))
    parts = labor.groupby(labor["role"].astype("object"))[
        ["fte", "base_cents", "overtime_cents", "benefits_cents", "total_cents"]].sum()
    need = needed[needed["role"] != "total"].set_index("role")["required_fte"]
    rows = []
    for role in ROLES:
        cur = parts.loc[role] if role in parts.index else None
        req = float(need.get(role, 0.0))
        if cur is None and req <= 0:
            continue
        rate = hourly_rate_cents.get(role)
        cost = (fte_cost_cents(req, int(rate), hours, benefits_load_pct)
                if rate is not None else None)
        current = int(cur["total_cents"]) if cur is not None else 0
        rows.append({
            "role": role, "current_fte": float(cur["fte"]) if cur is not None else 0.0,
            "base_cents": int(cur["base_cents"]) if cur is not None else 0,
            "overtime_cents": int(cur["overtime_cents"]) if cur is not None else 0,
            "benefits_cents": int(cur["benefits_cents"]) if cur is not None else 0,
            "current_cents": current, "required_fte": req,
            "hourly_rate_cents": None if rate is None else int(rate),
            "required_cents": cost, "difference_cents": None if cost is None else cost - current,
        })
    out = pd.DataFrame(rows, columns=["role", "current_fte", "base_cents", "overtime_cents",
                                      "benefits_cents", "current_cents", "required_fte",
                                      "hourly_rate_cents", "required_cents",
                                      "difference_cents"])
    money = ["base_cents", "overtime_cents", "benefits_cents", "current_cents",
             "hourly_rate_cents", "required_cents", "difference_cents"]
    out = out.astype({**{c: "Int64" for c in money}, "current_fte": "float64",
                      "required_fte": "float64"})
    total = {c: out[c].sum(min_count=1) for c in out.columns if c != "role"}
    total["hourly_rate_cents"] = pd.NA
    if out["required_cents"].isna().any():
        total["required_cents"] = total["difference_cents"] = pd.NA
    out.loc[len(out)] = {"role": "total", **total}
    return out.astype({c: "Int64" for c in money})
