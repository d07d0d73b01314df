"""Patient access: who does not come and why, how far out the next visit is, how long
patients wait in the office, and which visits were never verified and then denied, for the
practice administrator and the front-office lead (issue 17).

:mod:`~pracops.patient_access.datasets` declares what it reads,
:mod:`~pracops.patient_access.parameters` its parameters and
:mod:`~pracops.patient_access.sample` writes its part of the bundled sample.
"""

import importlib
from typing import Any

from pracops.patient_access import datasets  # noqa: F401  (registers its datasets)
from pracops.patient_access.parameters import PARAMETERS
from pracops.registry import ReportSpec, Target

REPORT = ReportSpec(
    name="patient_access",
    package="patient_access",
    parameters=PARAMETERS,
    reads=("appointments", "schedule_slots", "visit_events", "eligibility_checks", "claims",
           "payments_posted", "payers", "providers", "locations"),
    optional=("visit_events",),
    era=True,
    as_of=("appointments",),
    targets={"problems": Target("lower", value=0)},
)

_SUBMODULES = ("chain", "datasets", "findings", "model", "parameters", "sample", "view")


def __getattr__(name: str) -> Any:
    """The submodules on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
