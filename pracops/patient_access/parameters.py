"""The parameters of the patient access report, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and
:func:`pracops.patient_access.chain.run` all follow this declaration.

As issue 17 lists them: the period and as-of date, the late-cancellation window, the lead-time
bands, the access and waiting-time targets, the rule that flags a group, the overbooking risk
tolerance, and the expected payment per visit (from the billing data unless given).
"""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="as_of", type="str", default="",
        help="report date, YYYY-MM-DD; empty for the last date of history in the data",
    ),
    Parameter(
        name="period_start", type="str", default="",
        help="first day of the period, YYYY-MM-DD; empty for a year before the as-of date",
    ),
    Parameter(
        name="late_cancel_hours", type="int", default=24, minimum=0, maximum=168,
        help="a cancellation within this many hours of the visit is late",
    ),
    Parameter(
        name="lead_time_bands", type="str", default="0,1,3,8,15,31,61",
        help="lower edges of the lead-time bands in days, ascending from 0",
    ),
    Parameter(
        name="access_target_days", type="int", default=14, minimum=0, maximum=180,
        help="third next available appointment within this many days",
    ),
    Parameter(
        name="wait_target_minutes", type="int", default=20, minimum=0, maximum=240,
        help="a patient waits for a room no longer than this",
    ),
    Parameter(
        name="flag_points", type="float", default=5.0, minimum=0, maximum=100,
        help="a group is flagged when its 95 % interval lies above the practice's rate and "
             "its rate at least this many points above",
    ),
    Parameter(
        name="overbooking_tolerance_pct", type="float", default=10.0, minimum=0, maximum=100,
        help="accept more arrivals than slots in a session with at most this chance (%)",
    ),
    Parameter(
        name="expected_payment", type="dict", default={}, optional=True,
        help="expected payment per visit type ($); empty: the paid average from billing",
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the hand-outs; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="the provider, visit type, period and tolerance pickers (live kernels only)",
    ),
)
