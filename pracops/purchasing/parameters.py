"""The parameters of the purchasing report, each declared once (:mod:`pracops.parameters`):
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
    Parameter(
        "as_of",
        "str",
        "",
        "day of the stock count, YYYY-MM-DD (before its use); empty: day after last usage",
    ),
    Parameter(
        "demand_window_days",
        "int",
        90,
        "days of usage before as_of giving the mean and spread of daily use",
    ),
    Parameter(
        "review_days",
        "float",
        7.0,
        "days between reviews (periodic: levels cover review + lead time)",
    ),
    Parameter(
        "service_level",
        "float",
        0.95,
        "chance of not running out before the next review's order arrives",
    ),
    Parameter(
        "critical_service_level", "float", 0.99, "the same for critical items (emergency drugs)"
    ),
    Parameter(
        "critical_lead_time_pct_per_day",
        "float",
        1.0,
        "% of unit cost a lead-time day, critical vendors",
    ),
    Parameter("max_cover_days", "int", 180, "never order up to more than this many days of use"),
    Parameter(
        "holding_cost_pct", "float", 25.0, "cost of holding stock for a year, percent of its value"
    ),
    Parameter(
        "order_cost", "float", 25.0, "cost of placing and receiving one order line ($), for the EOQ"
    ),
    Parameter("supply_budget", "float", 340000.0, "supply budget for the budget period ($)"),
    Parameter("budget_period_days", "int", 365, "days before as_of that the supply budget covers"),
    Parameter("expiry_window_days", "int", 90, "lots expiring within this many days are listed"),
    Parameter("abc_a_share", "float", 0.8, "share of annual spend covered by class A items"),
    Parameter("abc_b_share", "float", 0.95, "share of annual spend covered by classes A and B"),
    Parameter(
        "price_lookback_days", "int", 365, "days before as_of whose vendor price changes are listed"
    ),
    Parameter(
        "material_price_increase_pct",
        "float",
        5.0,
        "an increase this big on a class A item is an alert",
    ),
    Parameter(
        "output_dir",
        "str",
        None,
        "folder for the purchase-order files; None for beside the report",
        optional=True,
    ),
    Parameter(
        "interactive", "bool", True, "show the explorer sliders (live kernels only)", run=False
    ),
)
