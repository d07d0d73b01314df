"""Operating budget: next year's budget by month from the general ledger and visit volumes, and
the year so far against it (volume, mix, rate and cost variances), for the owners.

:mod:`~pracops.budget.datasets` declares what it reads, :mod:`~pracops.budget.parameters` its
parameters, :mod:`~pracops.budget.model` calculates, :mod:`~pracops.budget.chain` runs the
report (``chain.run(...)``: the one entry point), :mod:`~pracops.budget.view` shows and
:mod:`~pracops.budget.sample` writes its part of the bundled sample.
"""

import importlib
import warnings
from typing import Any

from pracops.budget import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.budget.parameters import PARAMETERS
from pracops.registry import ReportSpec, Target

REPORT = ReportSpec(
    name="operating_budget",
    package="budget",
    parameters=PARAMETERS,
    reads=("chart_of_accounts", "gl_actuals", "volumes", "payers"),
    targets={
        "budget_margin_pct": Target("higher", value=0),
        "forecast_margin_pct": Target("higher", value=0),
        "flagged_accounts": Target("lower", value=0),
    },
)

_SUBMODULES = ("chain", "datasets", "model", "parameters", "sample", "view")


def __getattr__(name: str) -> Any:
    """``pracops.budget`` was the budget's calculations (today :mod:`pracops.budget.model`):
    its old names keep working, with a DeprecationWarning naming the new place."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.model")
    if name not in module.__all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"pracops.budget.{name} is now pracops.budget.model.{name}",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)
