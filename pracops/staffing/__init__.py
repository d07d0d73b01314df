"""Staffing plan: the staff a practice needs by role, week and shift from its appointments and
phone calls, against the roster it has, with the labour cost, for the practice administrator.

:mod:`~pracops.staffing.datasets` declares what it reads, :mod:`~pracops.staffing.parameters` its
parameters, :mod:`~pracops.staffing.model` calculates, :mod:`~pracops.staffing.chain` runs the
report (``chain.run(...)``, the one entry point), :mod:`~pracops.staffing.view` shows and
:mod:`~pracops.staffing.sample` writes its part of the bundled sample.

``pracops.staffing`` was the calculations' module before it was a package: its names
(``pracops.staffing.plan_shifts`` …) still work, with a DeprecationWarning, and forward to
:mod:`~pracops.staffing.model`.
"""

import importlib
import warnings
from typing import Any

from pracops.registry import ReportSpec, Target
from pracops.staffing import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.staffing.parameters import PARAMETERS

REPORT = ReportSpec(
    name="staffing_plan",
    package="staffing",
    parameters=PARAMETERS,
    reads=("locations", "providers", "staff", "appointments", "phone_calls"),
    optional=("phone_calls",),
    targets={
        "phone_service_level": Target("higher", parameter="phone_service_level_target"),
        "uncovered_staff_hours_per_week": Target("lower", value=0),
    },
    group_totals={"fte_required_total": "sum", "fte_on_roster_total": "sum",
                  "uncovered_staff_hours_per_week": "sum",
                  "labor_cost_per_visit_cents": "median"},
)

_SUBMODULES = ("accounting", "chain", "common", "cost", "datasets", "forecast", "model",
               "parameters", "phones", "queues", "requirements", "roster", "sample", "shifts",
               "view")


def __getattr__(name: str) -> Any:
    """The submodules on first use; the old module's names (``pracops.staffing.plan_shifts``),
    from :mod:`pracops.staffing.model`, with a DeprecationWarning."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    model = importlib.import_module("pracops.staffing.model")
    if name in getattr(model, "__all__", ()):
        warnings.warn(f"pracops.staffing.{name} is deprecated: use "
                      f"pracops.staffing.model.{name}", DeprecationWarning, stacklevel=2)
        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
