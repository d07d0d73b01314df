"""The parameters of the staffing plan, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and
:func:`pracops.staffing.chain.run` all follow this declaration.

Ranges are those the calculations refuse outside of (:mod:`pracops.staffing.model`) or that
the meaning bounds (a share from 0 to 1, hours 0 or more, a growth above -100 %); a few checks
stay in the code, which the runner's inclusive bounds cannot say: ``max_utilisation``,
``max_occupancy`` and ``solver_deterministic_time`` above 0, ``phone_service_level_target``
and ``no_show_rate`` below 1, ``visit_growth_pct`` above -100, ``interval_minutes`` dividing
an hour, ``plan_start`` a Monday.
"""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="plan_start", type="str", default="2026-01-05",
        help="first day of the plan, a Monday (YYYY-MM-DD)",
    ),
    Parameter(
        name="horizon_weeks", type="int", default=52, minimum=1,
        help="weeks to forecast and plan for",
    ),
    Parameter(
        name="visit_growth_pct", type="float", default=0.0, minimum=-100,
        help="growth in visits over the history's pattern, percent (5 is +5%)",
    ),
    Parameter(
        name="no_show_rate", type="float", default=None, optional=True, minimum=0, maximum=1,
        help="no-show rate to plan for (0.06 is 6%); None: the history's",
    ),
    Parameter(
        name="closed_dates", type="list", default=[],
        help="days the practice will be closed (holidays), as YYYY-MM-DD",
    ),
    Parameter(
        name="demand_week", type="str", default="forecast", choices=("forecast", "history"),
        help="week to staff: forecast (seasons, growth, bookings) or history",
    ),
    Parameter(
        name="backtest_month", type="str", default="",
        help="month YYYY-MM held out to test the forecast; empty: the last full one",
    ),
    Parameter(
        name="minutes_per_visit", type="dict",
        default={"front desk": 8, "medical assistant": 22, "nurse": 6, "lab technician": 4,
                 "billing": 6, "medical records": 2},
        help="staff minutes of work per visit, by role (the practice's own standard)",
    ),
    Parameter(
        name="minimum_staff", type="dict", default={"front desk": 1},
        help="people of a role on duty whenever a site is open",
    ),
    Parameter(
        name="max_utilisation", type="float", default=0.85, minimum=0, maximum=1,
        help="share of an interval staff can be busy; the rest absorbs bunching",
    ),
    Parameter(
        name="ratios", type="dict",
        default={"front desk": 1.0, "billing": 0.5, "medical records": 0.2, "manager": 0.3,
                 "medical assistant": 1.45, "nurse": 0.5, "lab technician": 0.2},
        help="staff FTE per provider FTE by role, for the ratio estimate (Peikes et al. 2014)",
    ),
    Parameter(
        name="app_weight", type="float", default=1.0, minimum=0, maximum=1.5,
        help="weight of NP and PA FTE in the provider FTE",
    ),
    Parameter(
        name="fte_basis", type="str", default="max", choices=("ratio", "workload", "max"),
        help="FTE of roles without shifts (billing, manager): ratio, workload or max",
    ),
    Parameter(
        name="paid_hours_per_fte", type="float", default=2080.0, minimum=0,
        help="paid hours a year of one FTE",
    ),
    Parameter(
        name="pto_hours", type="float", default=120.0, minimum=0,
        help="paid time off per FTE a year, hours",
    ),
    Parameter(
        name="holiday_hours", type="float", default=64.0, minimum=0,
        help="paid holidays per FTE a year, hours",
    ),
    Parameter(
        name="training_hours", type="float", default=16.0, minimum=0,
        help="paid training per FTE a year, hours",
    ),
    Parameter(
        name="benefits_load_pct", type="float", default=30.0, minimum=0,
        help="benefits as a percentage of base pay",
    ),
    Parameter(
        name="overtime_hours_per_fte", type="float", default=0.0, minimum=0,
        help="overtime hours a year per FTE of overtime-eligible staff",
    ),
    Parameter(
        name="overtime_multiplier", type="float", default=1.5, minimum=1,
        help="overtime pay per hour as a multiple of the rate",
    ),
    Parameter(
        name="hourly_rates", type="dict", default={},
        help="hourly pay ($) by role instead of today's average; a new role needs one",
    ),
    Parameter(
        name="phone_staffing", type="str", default="workload", choices=("workload", "erlang"),
        help="phones sized as workload (call minutes) or erlang (Erlang C)",
    ),
    Parameter(
        name="phone_service_level_target", type="float", default=0.8, minimum=0, maximum=1,
        help="share of calls to answer within answer_within_seconds",
    ),
    Parameter(
        name="answer_within_seconds", type="float", default=30.0, minimum=0,
        help="target time to answer a call, seconds",
    ),
    Parameter(
        name="max_occupancy", type="float", default=0.85, minimum=0, maximum=1,
        help="most of their time phone staff may spend on calls (Erlang C sizing)",
    ),
    Parameter(
        name="interval_minutes", type="int", default=15, minimum=5, maximum=60,
        help="length of the planning intervals, minutes (15 or 30)",
    ),
    Parameter(
        name="shift_lengths_hours", type="list", default=[4, 8, 9, 10],
        help="shift lengths the plan may use, hours",
    ),
    Parameter(
        name="shift_start_step_minutes", type="int", default=30, minimum=1,
        help="minutes between the possible shift starts",
    ),
    Parameter(
        name="solver_deterministic_time", type="float", default=2.0, minimum=0,
        help="solver work budget (CP-SAT deterministic time, not s)",
    ),
    Parameter(
        name="staff_per_provider_benchmark", type="float", default=4.5, minimum=0,
        help="benchmark staff FTE per provider FTE (Peikes 2014)",
    ),
    Parameter(
        name="labor_cost_per_visit_benchmark", type="float", default=None, optional=True,
        minimum=0, help="benchmark labour cost a visit ($); None: none",
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the shift plan files; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="show the explorer sliders (live kernels only)",
    ),
)
