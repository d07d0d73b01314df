"""Billing reconciliation: the payers' money from the claims billed to the ERAs paid and the
bank deposits, with denials, underpayments, A/R and worklists, for the billing office.

:mod:`~pracops.billing.datasets` declares what it reads, :mod:`~pracops.billing.parameters` its
parameters, :mod:`~pracops.billing.model` calculates, :mod:`~pracops.billing.view` shows and
:mod:`~pracops.billing.sample` writes its part of the bundled sample.
"""

from pracops.billing import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.billing.parameters import PARAMETERS
from pracops.registry import ReportSpec

REPORT = ReportSpec(
    name="billing_reconciliation",
    package="billing",
    parameters=PARAMETERS,
    reads=(
        "claims",
        "claim_lines",
        "fee_schedule",
        "deposits",
        "payers",
        "providers",
        "payments_posted",
    ),
    era=True,
    as_of=("claims", "deposits", "payments_posted"),
)
