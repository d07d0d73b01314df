"""The parameters of the operating budget, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and ``run(...)``
all follow this declaration.

Ranges: a percent change (growth, wage increase, other revenue) cannot take away more than
everything (at least -100, as :mod:`pracops.budget.model` refuses); a benefits load and the
materiality thresholds are 0 or more (:func:`pracops.budget.model.materiality_flags` refuses
negative ones); the budget year is within the suite's dates (1900 to 2100).
"""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(name="data_dir", type="str", default=None, optional=True,
              help="folder of the practice's exports; None for the bundled sample"),
    Parameter(name="budget_year", type="int", default=None, optional=True,
              minimum=1900, maximum=2100,
              help="year to budget; None: the year of the last closed month"),
    Parameter(name="visit_growth_pct", type="float", default=3.0, minimum=-100,
              help="growth in visits over the base year, percent (5 is +5%)"),
    Parameter(name="payer_mix_pct", type="dict", default={},
              help="target % of visits by payer class, summing to 100; {}: the base year's"),
    Parameter(name="rate_change_pct", type="dict", default={},
              help="change in net revenue per visit by payer class, percent"),
    Parameter(name="wage_increase_pct", type="float", default=3.0, minimum=-100,
              help="raise of provider compensation and staff salaries, percent"),
    Parameter(name="benefits_load_pct", type="float", default=22.0, optional=True, minimum=0,
              help="benefits as % of wages; None: the base year's ratio"),
    Parameter(name="inflation_pct", type="dict",
              default={"medical supplies": 4.0, "office supplies": 2.0,
                       "rent and occupancy": 3.0, "malpractice": 0.0, "IT/EHR": 5.0,
                       "purchased services": 3.0, "depreciation": 0.0, "other": 2.5},
              help="price increase by expense category, percent"),
    Parameter(name="other_revenue_change_pct", type="float", default=0.0, minimum=-100,
              help="change of revenue not tied to visits (grants...), percent"),
    Parameter(name="new_providers", type="list", default=[],
              help='joining this year: {"name", "start_month", "ramp_months", "fte"} each'),
    Parameter(name="materiality_dollars", type="float", default=5000.0, minimum=0,
              help="flag a variance when it is at least this many dollars ..."),
    Parameter(name="materiality_pct", type="float", default=10.0, minimum=0,
              help="... and at least this percent of the budget"),
    Parameter(name="holiday_country", type="str", default="US",
              help="holiday calendar (a country code of the holidays package)"),
    Parameter(name="holiday_subdivision", type="str", default=None, optional=True,
              help="state or province of the calendar, e.g. MN; None: national"),
    Parameter(name="holiday_names", type="list",
              default=["New Year's Day", "Memorial Day", "Independence Day", "Labor Day",
                       "Thanksgiving Day", "Christmas Day"],
              help="holidays the practice closes for (their observed days too)"),
    Parameter(name="closed_dates", type="list", default=[],
              help="other days the practice is closed, YYYY-MM-DD"),
    Parameter(name="output_dir", type="str", default=None, optional=True,
              help="folder for the budget workbook; None for beside the report"),
    Parameter(name="interactive", type="bool", default=True, run=False,
              help="show the explorer sliders (live kernels only)"),
)
