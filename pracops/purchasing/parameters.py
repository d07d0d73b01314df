"""The parameters of the purchasing report, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and
:func:`pracops.purchasing.chain.run` all follow this declaration.

Ranges are those the chain refuses anyway (a demand window of at least 2 days, a service level
or a share between 0 and 1, money and percentages not negative, a budget above 0), so that
``pracops run`` refuses a bad value before a kernel starts. Service levels must also be
strictly between 0 and 1, which the model checks (a range here is inclusive).
"""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="as_of", type="str", default="",
        help="day of the stock count, YYYY-MM-DD (before its use); empty: day after last usage",
    ),
    Parameter(
        name="demand_window_days", type="int", default=90, minimum=2,
        help="days of usage before as_of giving the mean and spread of daily use",
    ),
    Parameter(
        name="review_days", type="float", default=7.0, minimum=0,
        help="days between reviews (periodic: levels cover review + lead time)",
    ),
    Parameter(
        name="service_level", type="float", default=0.95, minimum=0, maximum=1,
        help="chance of not running out before the next review's order arrives",
    ),
    Parameter(
        name="critical_service_level", type="float", default=0.99, minimum=0, maximum=1,
        help="the same for critical items (emergency drugs)",
    ),
    Parameter(
        name="critical_lead_time_pct_per_day", type="float", default=1.0, minimum=0,
        help="% of unit cost a lead-time day, critical vendors",
    ),
    Parameter(
        name="max_cover_days", type="int", default=180, minimum=1,
        help="never order up to more than this many days of use",
    ),
    Parameter(
        name="holding_cost_pct", type="float", default=25.0, minimum=0,
        help="cost of holding stock for a year, percent of its value",
    ),
    Parameter(
        name="order_cost", type="float", default=25.0, minimum=0,
        help="cost of placing and receiving one order line ($), for the EOQ",
    ),
    Parameter(
        name="supply_budget", type="float", default=340000.0, minimum=0.01,
        help="supply budget for the budget period ($)",
    ),
    Parameter(
        name="budget_period_days", type="int", default=365, minimum=1,
        help="days before as_of that the supply budget covers",
    ),
    Parameter(
        name="expiry_window_days", type="int", default=90, minimum=0,
        help="lots expiring within this many days are listed",
    ),
    Parameter(
        name="abc_a_share", type="float", default=0.8, minimum=0, maximum=1,
        help="share of annual spend covered by class A items",
    ),
    Parameter(
        name="abc_b_share", type="float", default=0.95, minimum=0, maximum=1,
        help="share of annual spend covered by classes A and B",
    ),
    Parameter(
        name="price_lookback_days", type="int", default=365, minimum=1,
        help="days before as_of whose vendor price changes are listed",
    ),
    Parameter(
        name="material_price_increase_pct", type="float", default=5.0, minimum=0,
        help="an increase this big on a class A item is an alert",
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the purchase-order files; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="show the explorer sliders (live kernels only)",
    ),
)
