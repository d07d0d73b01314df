"""The parameters of the billing reconciliation, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and ``run(...)``
all follow this declaration."""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="as_of", type="str", default="",
        help="report date YYYY-MM-DD; empty for the last date found in the data",
    ),
    Parameter(
        name="age_from", type="str", default="date_of_service",
        choices=("date_of_service", "submitted_date"),
        help="where a claim's age starts: date_of_service or submitted_date",
    ),
    Parameter(
        name="underpayment_threshold", type="float", default=1.0, minimum=0,
        help="list a line paid at least this many dollars below contract",
    ),
    Parameter(
        name="underpayment_threshold_pct", type="float", default=0.0, minimum=0, maximum=1,
        help="and at least this fraction below it (0.02 = 2%)",
    ),
    Parameter(
        name="deposit_window_days", type="int", default=10, minimum=0,
        help="days after an ERA's payment date to look for its deposit (checks)",
    ),
    Parameter(
        name="collection_lag_days", type="int", default=60, minimum=0,
        help="collection rates count claims served at least this many days ago",
    ),
    Parameter(
        name="days_in_ar_target", type="float", default=40.0, minimum=0,
        help="target: days in A/R at most this",
    ),
    Parameter(
        name="net_collection_target", type="float", default=0.95, minimum=0, maximum=1,
        help="target: net collection rate at least this",
    ),
    Parameter(
        name="denial_rate_target", type="float", default=0.05, minimum=0, maximum=1,
        help="target: initial denial rate (claims) at most this",
    ),
    Parameter(
        name="unanswered_after_days", type="int", default=60, minimum=0,
        help="list claims with no payer response after this many days",
    ),
    Parameter(
        name="show_patient_names", type="bool", default=False,
        help="put patient names, birth dates, member IDs in the worklists",
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the worklists; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="show the filter widgets (live kernels only)",
    ),
)
