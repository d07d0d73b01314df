"""The parameters of the operating budget, each declared once (:mod:`pracops.parameters`):
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
        "budget_year",
        "int",
        None,
        "year to budget; None: the year of the last closed month",
        optional=True,
    ),
    Parameter(
        "visit_growth_pct", "float", 3.0, "growth in visits over the base year, percent (5 is +5%)"
    ),
    Parameter(
        "payer_mix_pct",
        "dict",
        {},
        "target % of visits by payer class, summing to 100; {}: the base year's",
    ),
    Parameter(
        "rate_change_pct", "dict", {}, "change in net revenue per visit by payer class, percent"
    ),
    Parameter(
        "wage_increase_pct",
        "float",
        3.0,
        "raise of provider compensation and staff salaries, percent",
    ),
    Parameter(
        "benefits_load_pct",
        "float",
        22.0,
        "benefits as % of wages; None: the base year's ratio",
        optional=True,
    ),
    Parameter(
        "inflation_pct",
        "dict",
        {
            "medical supplies": 4.0,
            "office supplies": 2.0,
            "rent and occupancy": 3.0,
            "malpractice": 0.0,
            "IT/EHR": 5.0,
            "purchased services": 3.0,
            "depreciation": 0.0,
            "other": 2.5,
        },
        "price increase by expense category, percent",
    ),
    Parameter(
        "other_revenue_change_pct",
        "float",
        0.0,
        "change of revenue not tied to visits (grants...), percent",
    ),
    Parameter(
        "new_providers",
        "list",
        [],
        'joining this year: {"name", "start_month", "ramp_months", "fte"} each',
    ),
    Parameter(
        "materiality_dollars",
        "float",
        5000.0,
        "flag a variance when it is at least this many dollars ...",
    ),
    Parameter("materiality_pct", "float", 10.0, "... and at least this percent of the budget"),
    Parameter(
        "holiday_country", "str", "US", "holiday calendar (a country code of the holidays package)"
    ),
    Parameter(
        "holiday_subdivision",
        "str",
        None,
        "state or province of the calendar, e.g. MN; None: national",
        optional=True,
    ),
    Parameter(
        "holiday_names",
        "list",
        [
            "New Year's Day",
            "Memorial Day",
            "Independence Day",
            "Labor Day",
            "Thanksgiving Day",
            "Christmas Day",
        ],
        "holidays the practice closes for (their observed days too)",
    ),
    Parameter("closed_dates", "list", [], "other days the practice is closed, YYYY-MM-DD"),
    Parameter(
        "output_dir",
        "str",
        None,
        "folder for the budget workbook; None for beside the report",
        optional=True,
    ),
    Parameter(
        "interactive", "bool", True, "show the explorer sliders (live kernels only)", run=False
    ),
)
