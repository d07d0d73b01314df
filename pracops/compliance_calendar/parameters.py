"""The parameters of the compliance calendar, each declared once (:mod:`pracops.parameters`).

As issue 16 lists them: the as-of date (default: the last date in the data, the as-of date the
other reports use), the warning windows, the roles in scope, and the two figures revenue at
risk multiplies (visits per provider and payer, average payment per visit by payer), which
default to what the appointments and billing data say and may be overridden.
"""

from pracops.parameters import Parameter, Parameters

PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="as_of", type="str", default="",
        help="report date, YYYY-MM-DD; empty for the last date in the data",
    ),
    Parameter(
        name="warning_days", type="list", default=[90, 60, 30],
        help="warning windows, days before a due date",
    ),
    Parameter(
        name="roles", type="list", default=[],
        help="roles in scope (staff roles, 'provider'); empty for every role",
    ),
    Parameter(
        name="payer_visit_share", type="dict", default={},
        help="{provider: {payer: share}} of booked visits; empty: claims history",
    ),
    Parameter(
        name="payment_per_visit", type="dict", default={},
        help="{payer: dollars} paid per visit; empty: payments posted",
    ),
    Parameter(
        name="coverage_credential", type="str", default="bls",
        help="requirement a location needs a current holder of each open day",
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the hand-outs; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="filters by person, role, location, kind, window (live kernels)",
    ),
)
