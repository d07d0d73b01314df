"""pracops: the operations notebook suite for medical practice administrators.

The package computes; the notebooks under ``notebooks/`` load, call and display. Its rooms are
drawn in ``docs/ARCHITECTURE.md``. Submodules are reachable as attributes (``pracops.data``)
and are imported when first used, so ``import pracops`` stays quick.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import logging
import sys
import warnings
from types import ModuleType

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

from pracops import registry  # noqa: E402  (light: names the report packages, imports none)

_SUBMODULES = frozenset({
    "cli", "config", "data", "errors", "money", "parameters", "processes", "registry", "report",
    "runner", "sample", "widgets", "x12", *registry.PACKAGES,
})

MOVED: dict[str, str] = {
    "pracops.billing_view": "pracops.billing.view",
    "pracops.budget_view": "pracops.budget.view",
    "pracops.purchasing_view": "pracops.purchasing.view",
    "pracops.staffing_view": "pracops.staffing.view",
    "pracops.codes": "pracops.x12.codes",
    "pracops.x12_writer": "pracops.x12.write",
    "pracops.sample.billing": "pracops.billing.sample",
    "pracops.sample.budget": "pracops.budget.sample",
    "pracops.sample.purchasing": "pracops.purchasing.sample",
    "pracops.sample.staffing": "pracops.staffing.sample",
}
"""Modules of the flat layout before one package per report (issue 12), and where they went.
Importing an old name still works, with a DeprecationWarning."""


def _moved(old: str) -> ModuleType:
    if old in sys.modules:  # warned once already
        return sys.modules[old]
    new = MOVED[old]
    warnings.warn(f"{old} moved to {new}; import that instead", DeprecationWarning,
                  stacklevel=3)
    module = importlib.import_module(new)
    sys.modules[old] = module
    return module


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``import pracops.billing_view`` and the like, and hands out the new module."""

    def find_spec(self, fullname: str, path: object, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        return importlib.util.spec_from_loader(fullname, self) if fullname in MOVED else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = _moved(spec.name)
        self._own_spec = module.__spec__  # the import system sets the old name's spec on it
        return module

    def exec_module(self, module: ModuleType) -> None:
        """The module is the new one, already executed: give it back its own spec and loader,
        so that ``importlib.reload`` of it works."""
        module.__spec__ = self._own_spec
        module.__loader__ = self._own_spec.loader


sys.meta_path.append(_MovedFinder())


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if f"{__name__}.{name}" in MOVED:
        return _moved(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES})
