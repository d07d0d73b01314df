"""The catalogue: every dataset by name (:data:`DATASETS`), filled on first use by the
practice's foundation datasets (:mod:`pracops.data.practice`) and each report package of
:mod:`pracops.registry` (which also register their references and rules across files,
:func:`pracops.data.checks.register_rules`)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, MutableMapping

from pracops.data.schema import Dataset
from pracops.errors import DataError

__all__ = ["DATASETS", "get", "register"]


class _Catalogue(MutableMapping[str, Dataset]):
    """The datasets by name. The first look fills it: the practice's foundation datasets
    (:mod:`pracops.data.practice`), then each report package of :mod:`pracops.registry`
    registers its own (``pracops/<report>/datasets.py``)."""

    def __init__(self) -> None:
        self._datasets: dict[str, Dataset] = {}
        self._filled = False

    def _fill(self) -> dict[str, Dataset]:
        if not self._filled:
            self._filled = True
            from pracops import registry
            from pracops.data import practice  # noqa: F401  (registers the foundation)

            registry.packages()
        return self._datasets

    def add(self, dataset: Dataset) -> None:
        self._fill()[dataset.name] = dataset  # after the suite's own, whoever comes first

    def __getitem__(self, name: str) -> Dataset:
        return self._fill()[name]

    def __setitem__(self, name: str, dataset: Dataset) -> None:
        self._fill()[name] = dataset

    def __delitem__(self, name: str) -> None:
        del self._fill()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fill())

    def __len__(self) -> int:
        return len(self._fill())


DATASETS: MutableMapping[str, Dataset] = _Catalogue()
"""Every registered dataset by name, in registration order: the foundation's first, then each
report's in :data:`pracops.registry.PACKAGES` order."""


def register(dataset: Dataset) -> Dataset:
    """Add a dataset to :data:`DATASETS` and return it.

    Registering a name again replaces the earlier declaration, so re-running or reloading a
    module in a notebook works.

    Parameters
    ----------
    dataset
        The declaration.
    """
    DATASETS.add(dataset)
    return dataset


def get(name: str) -> Dataset:
    """The registered dataset ``name``; a :class:`DataError` names the known ones otherwise."""
    try:
        return DATASETS[name]
    except KeyError:
        close = difflib.get_close_matches(name, DATASETS, n=1)
        raise DataError(
            f"no dataset called {name!r}",
            value=name,
            expected="one of " + ", ".join(sorted(DATASETS)),
            fix=f"did you mean {close[0]!r}?" if close else None,
        ) from None
