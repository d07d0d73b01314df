"""Staffing plan: the staff a practice needs by role, week and shift from its appointments and
phone calls, against the roster it has, with the labour cost, for the practice administrator.

:mod:`~pracops.staffing.datasets` declares what it reads, :mod:`~pracops.staffing.parameters` its
parameters, :mod:`~pracops.staffing.model` calculates, :mod:`~pracops.staffing.view` shows and
:mod:`~pracops.staffing.sample` writes its part of the bundled sample.
"""

from pracops.registry import ReportSpec
from pracops.staffing import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.staffing.parameters import PARAMETERS

REPORT = ReportSpec(
    name="staffing_plan",
    package="staffing",
    parameters=PARAMETERS,
    reads=("locations", "providers", "staff", "appointments", "phone_calls"),
)
