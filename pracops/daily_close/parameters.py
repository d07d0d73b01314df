"""The parameters of the daily close and cash report, each declared once
(:mod:`pracops.parameters`): the notebook's ``parameters`` cell, ``pracops list``, the runner's
checks and :func:`pracops.daily_close.chain.run` all follow this declaration.

As issue 15 lists them: the close date (default: the last business day in the data, the as-of
date the other reports use), the tolerance in cents, the lags allowed for cash and card
deposits, the charge lag target, the age of a missed charge, the timely-filing warning window,
the forecast's weeks and minimum balance, and the pay schedule used when there is no
``payroll_runs`` file.
"""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="close_date", type="str", default="",
        help="day to close, YYYY-MM-DD; empty for the last business day in the data",
    ),
    Parameter(
        name="tolerance_cents", type="int", default=0, minimum=0,
        help="a difference up to this many cents still balances",
    ),
    Parameter(
        name="cash_deposit_lag_days", type="int", default=1, minimum=0, maximum=10,
        help="business days allowed from taking cash and checks to the deposit",
    ),
    Parameter(
        name="card_settlement_lag_days", type="int", default=2, minimum=0, maximum=10,
        help="business days allowed from a card batch to its bank settlement",
    ),
    Parameter(
        name="charge_lag_target_days", type="int", default=2, minimum=0, maximum=30,
        help="target business days from a visit to its charge entry",
    ),
    Parameter(
        name="missed_charge_days", type="int", default=3, minimum=0, maximum=60,
        help="a completed visit not charged after this many business days is missed",
    ),
    Parameter(
        name="filing_warning_days", type="int", default=30, minimum=0, maximum=365,
        help="list open claims within this many days of the payer's filing limit",
    ),
    Parameter(
        name="forecast_weeks", type="int", default=13, minimum=1, maximum=52,
        help="weeks of the cash forecast after the close date",
    ),
    Parameter(
        name="minimum_balance", type="float", default=150000.0, minimum=0,
        help="the operating account's minimum cash balance ($)",
    ),
    Parameter(
        name="pay_schedule", type="str", default="biweekly 2025-01-10",
        help="pay days: '(bi)weekly <a pay day>' or semimonthly",
    ),
    Parameter(
        name="payroll_load_pct", type="float", default=22.0, minimum=0, maximum=100,
        help="employer taxes and benefits, % of gross, for roster-built payrolls",
    ),
    Parameter(
        name="receipts_factor", type="float", default=1.0, minimum=0, maximum=3,
        help="the forecast's expected receipts (payers and patients) times this",
    ),
    Parameter(
        name="duplicate_invoice_days", type="int", default=7, minimum=0, maximum=60,
        help="same vendor and amount within this many days: entered twice",
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the hand-outs; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="the day and location picker, the forecast's sliders (live kernels only)",
    ),
)
