"""The suite's reports: one line per report package, and what each declares about itself.

Adding a report is one new package under ``pracops/`` plus one name in :data:`PACKAGES`
(see ``docs/ARCHITECTURE.md``). Each report package's ``__init__`` defines ``REPORT``, a
:class:`ReportSpec`; importing the package registers its datasets in the catalogue
(:mod:`pracops.data`). The packages are imported by name here, and only when asked for, so
that ``import pracops.data`` does not import every report's calculations.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pracops.parameters import Parameters

__all__ = ["GROUP_TOTALS", "PACKAGES", "ReportSpec", "Target", "packages", "reports", "spec"]

PACKAGES: tuple[str, ...] = ("billing", "staffing", "purchasing", "budget", "daily_close",
                             "compliance_calendar", "patient_access")
"""The report packages, in the order their parts of the bundled sample are generated (billing
first: the others build on its appointments; the daily close last: it builds on the books)."""


@dataclass(frozen=True)
class Target:
    """What a headline figure should be, for the group page's colours: at most (``better``
    ``lower``) or at least (``higher``) the value of the report's ``parameter`` (as the
    practice ran it) or a fixed ``value``; with ``absolute``, the figure's size is compared (a
    difference of -$50 misses a target of 0 as +$50 does). A figure that is a list counts its
    items."""

    better: str  # "lower" or "higher"
    parameter: str | None = None
    value: float | None = None
    absolute: bool = False

    def __post_init__(self) -> None:
        if self.better not in ("lower", "higher"):
            raise ValueError(f"Target.better must be 'lower' or 'higher', not {self.better!r}")
        if (self.parameter is None) == (self.value is None):
            raise ValueError("a Target takes either a parameter or a value")

    def threshold(self, parameters: Mapping[str, Any], spec: ReportSpec) -> float | None:
        """The value to compare with, given the parameters the report ran with."""
        if self.parameter is None:
            return self.value
        given = parameters.get(self.parameter)
        if given is None and self.parameter in spec.parameters:
            given = spec.parameters[self.parameter].default
        return None if given is None else float(given)

    def met(self, figure: Any, threshold: float | None) -> bool | None:
        """Whether ``figure`` meets the target; None when either is not a number."""
        if isinstance(figure, list):
            figure = len(figure)
        if (threshold is None or isinstance(figure, bool)
                or not isinstance(figure, (int, float)) or math.isnan(figure)):
            return None
        if self.absolute:
            figure = abs(figure)
        return figure <= threshold if self.better == "lower" else figure >= threshold


GROUP_TOTALS = ("sum", "median", "size", "none")
"""How the group page's line sums up a figure across practices: added up, the median, the sum
of sizes (a signed difference), or not at all (a week number, a low point)."""


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
    optional
        Those of :attr:`reads` it runs without (a figure left out and said so): every other one
        it cannot run without, though a practice's folder may lack it
        (:attr:`needs`; ``pracops validate`` notes each report a folder cannot run).
    era
        It reads the ``era/`` folder of 835 files.
    as_of
        The datasets whose dates its as-of parameter must fall among
        (:func:`pracops.data.check_as_of`).
    as_of_parameter
        The name of that parameter: ``as_of`` for most reports, ``close_date`` for the daily
        close (the day a close is for is what an administrator calls it; its check is the
        same).
    targets
        Its headline figures' targets (:class:`Target`), by figure: what colours them on the
        group page (:mod:`pracops.group`).
    group_totals
        How the group page sums up a headline figure across practices (:data:`GROUP_TOTALS`)
        where the rule by kind is wrong for it: money and counts are added up, rates, ratios
        and days given as a median.
    """

    name: str
    package: str
    parameters: Parameters
    reads: tuple[str, ...]
    optional: tuple[str, ...] = ()
    era: bool = False
    as_of: tuple[str, ...] = ()
    as_of_parameter: str = "as_of"
    targets: Mapping[str, Target] = field(default_factory=dict)
    group_totals: Mapping[str, str] = field(default_factory=dict)

    @property
    def needs(self) -> tuple[str, ...]:
        """The datasets it cannot run without: :attr:`reads` less :attr:`optional`."""
        return tuple(d for d in self.reads if d not in self.optional)

    def __post_init__(self) -> None:
        stray = [d for d in self.optional if d not in self.reads]
        if stray:
            raise ValueError(f"{self.name}: optional datasets it does not read: {stray}")
        wrong = {k: v for k, v in self.group_totals.items() if v not in GROUP_TOTALS}
        if wrong:
            raise ValueError(f"{self.name}: group_totals must be one of {GROUP_TOTALS}: {wrong}")


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
