"""Staffing plan: how many people of each role the practice needs, hour by hour, and at what cost.

The calculations of the staffing report, gathered under one name (``from pracops.staffing
import model as st``); each lives in a module named by what it does: :mod:`.common` (roles,
days, the staffing standards), :mod:`.forecast` (demand), :mod:`.queues` (Erlang C),
:mod:`.requirements` (people needed), :mod:`.phones`, :mod:`.roster` (today's usual shifts),
:mod:`.shifts` (the CP-SAT shift plan), :mod:`.cost` (FTE and money) and :mod:`.accounting`
(what is used). Every function takes DataFrames (the frames of :mod:`pracops.data`:
``appointments``, ``providers``, ``staff``, ``locations``; and a ``calls`` frame of phone
volumes when the practice has one) and returns DataFrames, numbers or small dataclasses;
nothing there reads files or displays anything. Money is integer cents.
:mod:`pracops.staffing.chain` runs them for the report.

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

from pracops.staffing.accounting import (
    ACCOUNT_COLUMNS,
    appointment_use,
    phone_call_use,
    roster_hours_not_compared,
)
from pracops.staffing.common import (
    CHECKIN_ANSWER_SECONDS,
    DAYS,
    DEFAULT_BENEFITS_LOAD_PCT,
    DEFAULT_MINIMUM_STAFF,
    DEFAULT_MINUTES_PER_VISIT,
    DEFAULT_RATIOS,
    PAID_HOURS_PER_FTE,
    PATIENT_FACING_ROLES,
    ROLES,
    STAFF_PER_PROVIDER_FTE_BENCHMARK,
)
from pracops.staffing.cost import (
    FTE_BASES,
    FteHours,
    benchmarks,
    check_providers,
    check_staff,
    fte_cost_cents,
    fte_for_weekly_hours,
    fte_hours,
    fte_needed,
    labor_cost,
    labor_cost_by_role,
    provider_fte,
    role_rates,
)
from pracops.staffing.forecast import (
    WEEKS_PER_YEAR,
    Backtest,
    adjust_no_show_rate,
    annual_visits,
    backtest,
    check_appointments,
    forecast_daily,
    forecast_hourly,
    forecast_monthly,
    history_week,
    no_show_rates,
    seasonal_index,
    typical_week,
    weekday_hour_profile,
)
from pracops.staffing.phones import (
    add_phone_agents,
    overall_service_level,
    phone_agents,
    phone_service_level,
    phone_staff_on_duty,
    phone_workload,
)
from pracops.staffing.queues import (
    ErlangC,
    agents_needed,
    erlang_c,
)
from pracops.staffing.requirements import (
    checkin_agents,
    interval_requirements,
    staff_required,
)
from pracops.staffing.roster import (
    parse_shifts,
    roster_coverage,
    roster_gaps,
    roster_shifts,
)
from pracops.staffing.shifts import (
    DEFAULT_SOLVER_DETERMINISTIC_TIME,
    SOLVER_SEED,
    SOLVER_STATUSES,
    ShiftPlan,
    greedy_cover,
    plan_shifts,
    worst_status,
)

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
