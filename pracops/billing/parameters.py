"""The parameters of the billing reconciliation, each declared once (:mod:`pracops.parameters`):
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
        "as_of", "str", "", "report date YYYY-MM-DD; empty for the last date found in the data"
    ),
    Parameter(
        "age_from",
        "str",
        "date_of_service",
        "where a claim's age starts: date_of_service or submitted_date",
    ),
    Parameter(
        "underpayment_threshold",
        "float",
        1.0,
        "list a line paid at least this many dollars below contract",
    ),
    Parameter(
        "underpayment_threshold_pct",
        "float",
        0.0,
        "and at least this fraction below it (0.02 = 2%)",
    ),
    Parameter(
        "deposit_window_days",
        "int",
        10,
        "days after an ERA's payment date to look for its deposit (checks)",
    ),
    Parameter(
        "collection_lag_days",
        "int",
        60,
        "collection rates count claims served at least this many days ago",
    ),
    Parameter("days_in_ar_target", "float", 40.0, "target: days in A/R at most this"),
    Parameter("net_collection_target", "float", 0.95, "target: net collection rate at least this"),
    Parameter(
        "denial_rate_target", "float", 0.05, "target: initial denial rate (claims) at most this"
    ),
    Parameter(
        "unanswered_after_days",
        "int",
        60,
        "list claims with no payer response after this many days",
    ),
    Parameter(
        "show_patient_names",
        "bool",
        False,
        "put patient names, birth dates, member IDs in the worklists",
    ),
    Parameter(
        "output_dir",
        "str",
        None,
        "folder for the worklists; None for beside the report",
        optional=True,
    ),
    Parameter(
        "interactive", "bool", True, "show the filter widgets (live kernels only)", run=False
    ),
)
