"""Purchasing: what to order today and from whom, stock that expires, vendor prices and
spending against the supply budget, for whoever orders the practice's supplies.

:mod:`~pracops.purchasing.datasets` declares what it reads,
:mod:`~pracops.purchasing.parameters` its parameters, :mod:`~pracops.purchasing.model`
calculates, :mod:`~pracops.purchasing.view` shows and :mod:`~pracops.purchasing.sample` writes
its part of the bundled sample.
"""

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
