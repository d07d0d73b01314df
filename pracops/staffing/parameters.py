"""The parameters of the staffing plan, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and ``run(...)``
all follow this declaration."""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        "data_dir",
        "str",
        None,
        "folder of the practice's exports; None for the bundled sample",
        optional=True,
    ),
    Parameter("plan_start", "str", "2026-01-05", "first day of the plan, a Monday (YYYY-MM-DD)"),
    Parameter("horizon_weeks", "int", 52, "weeks to forecast and plan for"),
    Parameter(
        "visit_growth_pct",
        "float",
        0.0,
        "growth in visits over the history's pattern, percent (5 is +5%)",
    ),
    Parameter(
        "no_show_rate",
        "float",
        None,
        "no-show rate to plan for (0.06 is 6%); None: the history's",
        optional=True,
    ),
    Parameter(
        "closed_dates", "list", [], "days the practice will be closed (holidays), as YYYY-MM-DD"
    ),
    Parameter(
        "demand_week",
        "str",
        "forecast",
        "week to staff: forecast (seasons, growth, bookings) or history",
    ),
    Parameter(
        "backtest_month",
        "str",
        "",
        "month YYYY-MM held out to test the forecast; empty: the last full one",
    ),
    Parameter(
        "minutes_per_visit",
        "dict",
        {
            "front desk": 8,
            "medical assistant": 22,
            "nurse": 6,
            "lab technician": 4,
            "billing": 6,
            "medical records": 2,
        },
        "staff minutes of work per visit, by role (the practice's own standard)",
    ),
    Parameter(
        "minimum_staff",
        "dict",
        {"front desk": 1},
        "people of a role on duty whenever a site is open",
    ),
    Parameter(
        "max_utilisation",
        "float",
        0.85,
        "share of an interval staff can be busy; the rest absorbs bunching",
    ),
    Parameter(
        "ratios",
        "dict",
        {
            "front desk": 1.0,
            "billing": 0.5,
            "medical records": 0.2,
            "manager": 0.3,
            "medical assistant": 1.45,
            "nurse": 0.5,
            "lab technician": 0.2,
        },
        "staff FTE per provider FTE by role, for the ratio estimate (Peikes et al. 2014)",
    ),
    Parameter("app_weight", "float", 1.0, "weight of NP and PA FTE in the provider FTE"),
    Parameter(
        "fte_basis",
        "str",
        "max",
        "FTE of roles without shifts (billing, manager): ratio, workload or max",
    ),
    Parameter("paid_hours_per_fte", "float", 2080.0, "paid hours a year of one FTE"),
    Parameter("pto_hours", "float", 120.0, "paid time off per FTE a year, hours"),
    Parameter("holiday_hours", "float", 64.0, "paid holidays per FTE a year, hours"),
    Parameter("training_hours", "float", 16.0, "paid training per FTE a year, hours"),
    Parameter("benefits_load_pct", "float", 30.0, "benefits as a percentage of base pay"),
    Parameter(
        "overtime_hours_per_fte",
        "float",
        0.0,
        "overtime hours a year per FTE of overtime-eligible staff",
    ),
    Parameter(
        "overtime_multiplier", "float", 1.5, "overtime pay per hour as a multiple of the rate"
    ),
    Parameter(
        "hourly_rates",
        "dict",
        {},
        "hourly pay ($) by role instead of today's average; a new role needs one",
    ),
    Parameter(
        "phone_staffing",
        "str",
        "workload",
        "phones sized as workload (call minutes) or erlang (Erlang C)",
    ),
    Parameter(
        "phone_service_level_target",
        "float",
        0.8,
        "share of calls to answer within answer_within_seconds",
    ),
    Parameter("answer_within_seconds", "float", 30.0, "target time to answer a call, seconds"),
    Parameter(
        "max_occupancy",
        "float",
        0.85,
        "most of their time phone staff may spend on calls (Erlang C sizing)",
    ),
    Parameter(
        "interval_minutes", "int", 15, "length of the planning intervals, minutes (15 or 30)"
    ),
    Parameter(
        "shift_lengths_hours", "list", [4, 8, 9, 10], "shift lengths the plan may use, hours"
    ),
    Parameter("shift_start_step_minutes", "int", 30, "minutes between the possible shift starts"),
    Parameter(
        "solver_deterministic_time",
        "float",
        2.0,
        "solver work budget (CP-SAT deterministic time, not s)",
    ),
    Parameter(
        "staff_per_provider_benchmark",
        "float",
        4.5,
        "benchmark staff FTE per provider FTE (Peikes 2014)",
    ),
    Parameter(
        "labor_cost_per_visit_benchmark",
        "float",
        None,
        "benchmark labour cost a visit ($); None: none",
        optional=True,
    ),
    Parameter(
        "output_dir",
        "str",
        None,
        "folder for the shift plan files; None for beside the report",
        optional=True,
    ),
    Parameter(
        "interactive", "bool", True, "show the explorer sliders (live kernels only)", run=False
    ),
)
