"""Compliance and people calendar: licences, credentials, training, reviews, equipment and
practice documents, due before they lapse, with the revenue a lapse puts at risk and the
locations that lose BLS cover, for the practice administrator (issue 16).

:mod:`~pracops.compliance_calendar.datasets` declares what it reads,
:mod:`~pracops.compliance_calendar.parameters` its parameters,
:mod:`~pracops.compliance_calendar.obligations` calculates (the obligations, revenue at risk,
log gaps, BLS coverage), :mod:`~pracops.compliance_calendar.chain` runs the report
(``chain.run(...)``, the one entry point), :mod:`~pracops.compliance_calendar.view` shows and
:mod:`~pracops.compliance_calendar.sample` writes its part of the
bundled sample.
"""

import importlib
from typing import Any

from pracops.compliance_calendar import datasets  # noqa: F401  (registers its datasets)
from pracops.compliance_calendar.parameters import PARAMETERS
from pracops.registry import ReportSpec, Target

REPORT = ReportSpec(
    name="compliance_calendar",
    package="compliance_calendar",
    parameters=PARAMETERS,
    reads=(
        "requirements",
        "credentials",
        "trainings",
        "reviews",
        "equipment",
        "equipment_logs",
        "practice_documents",
        "staff",
        "providers",
        "locations",
        "payers",
        "appointments",
        "claims",
        "payments_posted",
    ),
    as_of=("claims", "payments_posted", "equipment_logs"),
    targets={
        "overdue": Target("lower", value=0),
        "missing": Target("lower", value=0),
        "revenue_at_risk_30_days_cents": Target("lower", value=0),
        "locations_losing_cover": Target("lower", value=0),
    },
)

_SUBMODULES = ("chain", "datasets", "obligations", "parameters", "sample", "view")


def __getattr__(name: str) -> Any:
    """The submodules on first use."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
