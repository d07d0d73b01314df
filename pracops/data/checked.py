"""Inputs a run has checked already: its kernels take them as checked instead of again.

``pracops run`` loads and checks every dataset its reports read, and reads their ``era/``
folder of 835 files, before any kernel starts (:func:`~pracops.data.check_folder`). It hands
what it got to its kernels (:func:`write`): each typed frame, and the remittance read from the
835s, pickled beside the sha256 of what it was read from (:func:`digests`, taken *before* the
check), in a folder private to the run that ``$PRACOPS_CHECKED`` names. In a kernel,
:func:`load` (``pracops.data.load``) and :func:`read_835` give back what the run recorded when
they are asked the plain way (no ``columns``, ``encoding``, ``sheet`` or reader options) for
the very file or folder the run checked, and its sha256 still matches (:func:`read_835_beside`
gives it cut to the columns asked); in every other case (a file changed since, another file, a
notebook opened in JupyterLab, where the variable is not set) they read and check in full, as
they always did.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pracops.data import loader
from pracops.data.files import locate
from pracops.data.schema import ERA_FOLDER

if TYPE_CHECKING:
    import pandas as pd

    from pracops.x12 import Remittance

__all__ = ["ENV", "ERA", "Checked", "digests", "load", "read_835", "read_835_beside", "sha256",
           "write"]

ENV = "PRACOPS_CHECKED"
"""The environment variable naming the folder :func:`write` filled (set only in a run's kernels)."""

ERA = "835"
"""The name :func:`write` records the remittance of an ``era/`` folder under."""

Checked = Mapping[str, tuple[str, str, Any]]
"""What a run checked: a file's (or ``era/`` folder's) path -> (the dataset read from it, or
:data:`ERA`; its sha256 from :func:`digests`, taken before the check; the typed frame, or the
:class:`~pracops.x12.Remittance`)."""

_INDEX = "index.json"


def sha256(path: str | os.PathLike[str]) -> str:
    """The file's sha256, in hex; for a folder, the sha256 of its entries' names and kinds and
    of its files' sha256s, in name order (names starting with ``.`` left out, as the 835
    reader leaves them out)."""
    if not os.path.isdir(path):
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    entries = []
    for name in sorted(os.listdir(path)):
        if name.startswith("."):
            continue
        entry = os.path.join(path, name)
        mode = os.stat(entry).st_mode  # a link to nothing raises: then nothing is trusted
        entries.append((name, sha256(entry) if stat.S_ISREG(mode) else stat.S_IFMT(mode)))
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def digests(folder: str | os.PathLike[str]) -> dict[str, str]:
    """The sha256 of each regular file directly in a data folder and of its ``era/`` folder,
    by path; what cannot be read is left out (and so never trusted)."""
    found: dict[str, str] = {}
    try:
        paths = [*Path(folder).iterdir(), Path(folder) / ERA_FOLDER]
    except OSError:  # no folder to read: the check says why
        return found
    for path in paths:
        try:
            if path.name == ERA_FOLDER or path.is_file():
                found[str(path)] = sha256(path)
        except OSError:
            continue
    return found


def write(checked: Checked, folder: str | os.PathLike[str]) -> None:
    """Record what was checked in ``folder`` (made if need be) for :func:`load` to find."""
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    index = {}
    for i, (path, (dataset, digest, value)) in enumerate(checked.items()):
        name = f"{i}.pickle"
        with open(folder / name, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        index[path] = {"dataset": dataset, "sha256": digest, "value": name}
    (folder / _INDEX).write_text(json.dumps(index))


@functools.cache
def _index(folder: str) -> dict[str, dict[str, str]]:
    try:
        return json.loads((Path(folder) / _INDEX).read_text())
    except (OSError, ValueError):  # gone with its run, or never written: check in full
        return {}


def _recorded(dataset: str, path: Path) -> Any:
    """What the run recorded for ``dataset`` read from ``path``, or None."""
    folder = os.environ.get(ENV)
    entry = _index(folder).get(str(path)) if folder else None
    if entry is None or entry["dataset"] != dataset:
        return None
    try:
        if sha256(path) == entry["sha256"]:
            with open(Path(folder) / entry["value"], "rb") as fh:
                return pickle.load(fh)
    except OSError:  # the file went, or the run's record did: read it in full
        pass
    return None


def load(
    name: str,
    source: str | os.PathLike[str] | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """:func:`pracops.data.loader.load`, or the frame the run checked from the same file.

    The same arguments, the same result and the same errors; see :mod:`pracops.data`.
    """
    if os.environ.get(ENV) and columns is None and encoding is None and sheet is None:
        frame = _recorded(name, locate(name, source))
        if frame is not None:
            return frame
    return loader.load(name, source, columns, encoding=encoding, sheet=sheet)


def read_835(source: str | os.PathLike[str], **options: Any) -> Remittance:
    """:func:`pracops.x12.read_835`, or the remittance the run read from the same folder.

    The same arguments, the same result and the same errors; see :func:`pracops.x12.read_835`.
    """
    if os.environ.get(ENV) and not options and os.path.isdir(source):
        remittance = _recorded(ERA, Path(source))
        if remittance is not None:
            return remittance
    from pracops import x12

    return x12.read_835(source, **options)


def read_835_beside(source: str | os.PathLike[str],
                    columns: Mapping[str, Sequence[str]]) -> Any:
    """:func:`pracops.x12.read_835_beside` of ``source`` cut to ``columns``, or the remittance
    the run read from the same folder, cut the same way and ready at once; used the same way
    (a context manager whose ``result()`` gives the :class:`~pracops.x12.Remittance`)."""
    if os.environ.get(ENV) and os.path.isdir(source):
        remittance = _recorded(ERA, Path(source))
        if remittance is not None:
            return _Ready(remittance.only(columns))
    from pracops import x12

    return x12.read_835_beside(source, columns=columns)


class _Ready:
    """A result at hand, offered as a :class:`pracops.processes.Forked` offers one."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def __enter__(self) -> _Ready:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def result(self) -> Any:
        return self._value
