"""Purchasing: what to order today and from whom, stock that expires, vendor prices and
spending against the supply budget, for whoever orders the practice's supplies.

:mod:`~pracops.purchasing.datasets` declares what it reads,
:mod:`~pracops.purchasing.parameters` its parameters, :mod:`~pracops.purchasing.model`
calculates, :mod:`~pracops.purchasing.chain` runs the report (``chain.run(...)``, the one entry
point), :mod:`~pracops.purchasing.view` shows and :mod:`~pracops.purchasing.sample` writes its
part of the bundled sample.

``pracops.purchasing`` was the module of the calculations: its names (``choose_vendor`` …)
still resolve here, to :mod:`~pracops.purchasing.model`, with a :class:`DeprecationWarning`.
"""

import importlib
import warnings
from typing import Any

from pracops.purchasing import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.purchasing.parameters import PARAMETERS
from pracops.registry import ReportSpec, Target

REPORT = ReportSpec(
    name="purchasing",
    package="purchasing",
    parameters=PARAMETERS,
    reads=("items", "vendor_prices", "inventory_lots", "usage", "open_orders"),
    as_of=("usage",),
    targets={
        "stockout_risk_skus": Target("lower", value=0),
        "expiring_value_cents": Target("lower", value=0),
        "spend_vs_budget_pct": Target("lower", value=1),
    },
)

_SUBMODULES = ("chain", "datasets", "model", "parameters", "sample", "view")


def __getattr__(name: str) -> Any:
    """The submodules on first use; old names of ``pracops.purchasing`` (the calculations'
    module), from :mod:`pracops.purchasing.model` with a DeprecationWarning."""
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.model")
    if name not in module.__all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"pracops.purchasing.{name} is pracops.purchasing.model.{name} now",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)
