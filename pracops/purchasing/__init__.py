"""Purchasing: what to order today and from whom, stock that expires, vendor prices and
spending against the supply budget, for whoever orders the practice's supplies.

:mod:`~pracops.purchasing.datasets` declares what it reads,
:mod:`~pracops.purchasing.parameters` its parameters, :mod:`~pracops.purchasing.model`
calculates, :mod:`~pracops.purchasing.chain` runs the report (``chain.run(...)``, the one entry
point), :mod:`~pracops.purchasing.view` shows and :mod:`~pracops.purchasing.sample` writes its
part of the bundled sample.

``pracops.purchasing`` was the module of the calculations: its names (``choose_vendor`` …)
still resolve here, to :mod:`~pracops.purchasing.model`, and the input and hand-out functions
that moved to the chain (``load_inputs`` …) to :mod:`~pracops.purchasing.chain`, with a
:class:`DeprecationWarning`.
"""

import importlib
import warnings
from typing import Any

from pracops.purchasing import datasets  # noqa: F401  (registers its datasets in the catalogue)
from pracops.purchasing.parameters import PARAMETERS
from pracops.registry import ReportSpec

REPORT = ReportSpec(
    name="purchasing",
    package="purchasing",
    parameters=PARAMETERS,
    reads=("items", "vendor_prices", "inventory_lots", "usage", "open_orders"),
    as_of=("usage",),
)

_MOVED_TO_CHAIN = frozenset({
    "PurchasingInputs", "PurchasingPlan", "load_inputs", "check_inputs", "check_datasets",
    "check_prices_in_force", "default_as_of", "as_of_param", "summary_figures", "alerts",
    "po_files", "po_names", "write_po_files",
})


def __getattr__(name: str) -> Any:
    """Old names of ``pracops.purchasing`` (the calculations' module), with a warning."""
    if name.startswith("__"):
        raise AttributeError(name)
    home = "chain" if name in _MOVED_TO_CHAIN else "model"
    module = importlib.import_module(f"pracops.purchasing.{home}")
    if home == "model" and name not in module.__all__:
        raise AttributeError(f"module 'pracops.purchasing' has no attribute {name!r}")
    warnings.warn(f"pracops.purchasing.{name} is pracops.purchasing.{home}.{name} now",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)
