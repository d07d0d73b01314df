"""The suite's reports: one line per report package, and what each declares about itself.

Adding a report is one new package under ``pracops/`` plus one name in :data:`PACKAGES`
(see ``docs/ARCHITECTURE.md``). Each report package's ``__init__`` defines ``REPORT``, a
:class:`ReportSpec`; importing the package registers its datasets in the catalogue
(:mod:`pracops.data`). The packages are imported by name here, and only when asked for, so
that ``import pracops.data`` does not import every report's calculations.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pracops.parameters import Parameters

__all__ = ["PACKAGES", "ReportSpec", "packages", "reports", "spec"]

PACKAGES: tuple[str, ...] = ("billing", "staffing", "purchasing", "budget", "daily_close",
                              "patient_access")
"""The report packages, in the order their parts of the bundled sample are generated (billing
first: the others build on its appointments; the daily close last: it builds on the books)."""


@dataclass(frozen=True)
class ReportSpec:
    """What a report declares about itself, once, in its package's ``__init__``.

    Attributes
    ----------
    name
        The report's name: its notebook ``notebooks/<name>.ipynb``, its parameter file
        ``parameters/<name>.yaml`` and its output files ``<name>.html`` …
    package
        Its package under ``pracops/`` (``billing``): the key of its ground truth in the
        bundled sample.
    parameters
        Its parameters, each declared once (:class:`pracops.parameters.Parameters`).
    reads
        The datasets it loads (and those its files refer to by contract): what ``pracops run``
        checks before its kernel starts.
    era
        It reads the ``era/`` folder of 835 files.
    as_of
        The datasets whose dates its as-of parameter must fall among
        (:func:`pracops.data.check_as_of`).
    as_of_parameter
        The name of that parameter: ``as_of`` for most reports, ``close_date`` for the daily
        close (the day a close is for is what an administrator calls it; its check is the
        same).
    """

    name: str
    package: str
    parameters: Parameters
    reads: tuple[str, ...]
    era: bool = False
    as_of: tuple[str, ...] = ()
    as_of_parameter: str = "as_of"


def packages() -> list[ModuleType]:
    """The report packages, imported, in :data:`PACKAGES` order."""
    return [importlib.import_module(f"pracops.{name}") for name in PACKAGES]


def reports() -> dict[str, ReportSpec]:
    """Every report's :class:`ReportSpec` by report name, in :data:`PACKAGES` order."""
    return {p.REPORT.name: p.REPORT for p in packages()}


def spec(name: str) -> ReportSpec | None:
    """The :class:`ReportSpec` of the report ``name``, or ``None`` for a notebook that is not
    one of the suite's reports (an analyst's own, run with ``--notebooks``)."""
    return reports().get(name)
