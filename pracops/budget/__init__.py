"""Operating budget: next year's budget by month from the general ledger and visit volumes, and
the year so far against it (volume, mix, rate and cost variances), for the owners.

:mod:`~pracops.budget.datasets` declares what it reads, :mod:`~pracops.budget.parameters` its
parameters, :mod:`~pracops.budget.model` calculates, :mod:`~pracops.budget.view` shows and
:mod:`~pracops.budget.sample` writes its part of the bundled sample.
"""

from pracops.budget import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.budget.parameters import PARAMETERS
from pracops.registry import ReportSpec

REPORT = ReportSpec(
    name="operating_budget",
    package="budget",
    parameters=PARAMETERS,
    reads=("chart_of_accounts", "gl_actuals", "volumes", "payers"),
)
