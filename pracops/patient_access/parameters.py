"""The parameters of the patient access report, each declared once (:mod:`pracops.parameters`):
the notebook's ``parameters`` cell, ``pracops list``, the runner's checks and
:func:`pracops.patient_access.chain.run` all follow this declaration.

Of those issue 17 lists: the period and as-of date, the access and waiting-time targets, the
rule that flags a group, the overbooking risk tolerance, the late-cancellation window, the
lead-time bands and the expected payment per visit type and payer class (from billing unless
given: docs/patient_access-sample.md, decisions).
"""

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from pracops.errors import DataError
from pracops.money import to_cents
from pracops.parameters import Parameter, Parameters


def bands_rule(value: Sequence[Any]) -> str | None:
    """``None`` when ``value`` gives lead-time bands (each band's first day: whole days,
    from 0, each after the one before), else what is expected: the ``lead_time_bands`` rule,
    checked by the runner before any kernel starts and by ``compute`` for a direct call."""
    ok = (bool(value) and all(isinstance(b, int) and not isinstance(b, bool) for b in value)
          and value[0] == 0 and all(a < b for a, b in pairwise(value)))
    return None if ok else ("each band's first day as whole days rising from 0, "
                            "such as [0, 3, 8, 15, 31]")


def _dollars(value: Any) -> bool:
    """Whether ``value`` is an amount of whole cents, not negative."""
    if isinstance(value, bool):
        return False
    try:
        return to_cents(value) >= 0
    except (ValueError, TypeError, ArithmeticError, DataError):
        return False


def payment_rule(value: Any) -> str | None:
    """``None`` when ``value`` gives expected payments: visit type to dollars per visit, or to
    a mapping of payer class to dollars; else what is expected (the ``expected_payment``
    rule)."""
    ok = isinstance(value, dict) and all(
        isinstance(kind, str) and (_dollars(price) or (
            isinstance(price, dict) and bool(price)
            and all(isinstance(c, str) and _dollars(d) for c, d in price.items())))
        for kind, price in value.items())
    return None if ok else ("visit type to dollars per visit, or to {payer class: dollars}, "
                            "such as {new patient: 180.00, established: {Medicare: 95.00}}")


PARAMETERS = Parameters(
    Parameter(
        name="data_dir", type="str", default=None, optional=True,
        help="folder of the practice's exports; None for the bundled sample",
    ),
    Parameter(
        name="as_of", type="str", default="",
        help="report date, YYYY-MM-DD; empty for the last day of history",
    ),
    Parameter(
        name="period_start", type="str", default="",
        help="first day, YYYY-MM-DD; empty for a year before the as-of date",
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
        help="flag a group 95 % above the practice's rate and this many points over it",
    ),
    Parameter(
        name="overbooking_tolerance_pct", type="float", default=10.0, minimum=0, maximum=100,
        help="chance (%) of more arrivals than slots allowed",
    ),
    Parameter(
        name="late_cancel_hours", type="float", default=24.0, minimum=0, maximum=720,
        help="a cancellation this many hours or less before the visit is late",
    ),
    Parameter(
        name="lead_time_bands", type="list", default=[0, 3, 8, 15, 31],
        help="bands' first days from booking, rising from 0",
        rule=bands_rule,
    ),
    Parameter(
        name="expected_payment", type="dict", default={},
        help="dollars per visit by visit type (or type and payer class)",
        rule=payment_rule,
    ),
    Parameter(
        name="output_dir", type="str", default=None, optional=True,
        help="folder for the hand-outs; None for beside the report",
    ),
    Parameter(
        name="interactive", type="bool", default=True, run=False,
        help="the explorer's pickers (live kernels only)",
    ),
)
