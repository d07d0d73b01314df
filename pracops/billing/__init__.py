"""Billing reconciliation: the payers' money from the claims billed to the ERAs paid and the
bank deposits, with denials, underpayments, A/R and worklists, for the billing office.

:mod:`~pracops.billing.datasets` declares what it reads, :mod:`~pracops.billing.parameters` its
parameters, :mod:`~pracops.billing.chain` runs it (``chain.run(...)``, the one entry point),
:mod:`~pracops.billing.model` calculates, :mod:`~pracops.billing.view` shows and
:mod:`~pracops.billing.sample` writes its part of the bundled sample.

``pracops.billing`` was a module of calculations before it was a package: its names
(``pracops.billing.reconcile`` …) still work, with a :class:`DeprecationWarning` naming where
each lives now.
"""

import importlib
import warnings
from typing import Any

from pracops.billing import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.billing.parameters import PARAMETERS
from pracops.registry import ReportSpec, Target

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
    optional=("payments_posted",),
    era=True,
    as_of=("claims", "deposits", "payments_posted"),
    targets={
        "net_collection_rate": Target("higher", parameter="net_collection_target"),
        "days_in_ar": Target("lower", parameter="days_in_ar_target"),
        "denial_rate": Target("lower", parameter="denial_rate_target"),
        "unmatched_era_count": Target("lower", value=0),
        "underpaid_cents": Target("lower", value=0),
    },
)

_SUBMODULES = ("chain", "datasets", "matching", "model", "parameters", "sample", "view")
_MOVED_TO_CHAIN = ("write_worklists",)


def __getattr__(name: str) -> Any:
    """The submodules on first use; the old module's names, with a DeprecationWarning."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    home = "chain" if name in _MOVED_TO_CHAIN else "model"
    module = importlib.import_module(f"{__name__}.{home}")
    if home == "model" and name not in module.__all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"pracops.billing.{name} is deprecated: use pracops.billing.{home}.{name}",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)
