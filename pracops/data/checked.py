"""Datasets a run has checked already: its kernels take them as checked instead of again.

``pracops run`` loads and checks every dataset its reports read before any kernel starts
(:func:`~pracops.data.check_folder`). It then hands the typed frames to its kernels
(:func:`write`): each frame pickled, beside the sha256 of the file it was read from, taken
*before* the check, in a folder of the run's that ``$PRACOPS_CHECKED`` names. In a kernel,
:func:`load` (``pracops.data.load``) gives back the recorded frame when a dataset is asked for
the plain way (no ``columns``, ``encoding`` or ``sheet``), from the very file the run checked,
and that file's sha256 still matches; in every other case (the file changed since, another file,
a notebook opened in JupyterLab, where the variable is not set) it reads and checks the file in
full, as it always did.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pracops.data import loader
from pracops.data.files import locate

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ENV", "Checked", "load", "sha256", "write"]

ENV = "PRACOPS_CHECKED"
"""The environment variable naming the folder :func:`write` filled (set only in a run's kernels)."""

Checked = Mapping[str, tuple[str, str, "pd.DataFrame"]]
"""What a run checked: the file's path -> (the dataset read from it, the file's sha256 taken
before the check, the typed frame)."""

_INDEX = "index.json"


def sha256(path: str | os.PathLike[str]) -> str:
    """The file's sha256, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write(checked: Checked, folder: str | os.PathLike[str]) -> None:
    """Record the checked frames in ``folder`` (made if need be) for :func:`load` to find."""
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    index = {}
    for i, (path, (dataset, digest, frame)) in enumerate(checked.items()):
        name = f"{i}.pickle"
        with open(folder / name, "wb") as fh:
            pickle.dump(frame, fh, protocol=pickle.HIGHEST_PROTOCOL)
        index[path] = {"dataset": dataset, "sha256": digest, "frame": name}
    (folder / _INDEX).write_text(json.dumps(index))


@functools.cache
def _index(folder: str) -> dict[str, dict[str, str]]:
    try:
        return json.loads((Path(folder) / _INDEX).read_text())
    except (OSError, ValueError):  # gone with its run, or never written: check in full
        return {}


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
    folder = os.environ.get(ENV)
    if folder and columns is None and encoding is None and sheet is None:
        path = locate(name, source)
        entry = _index(folder).get(str(path))
        if entry is not None and entry["dataset"] == name:
            try:
                if sha256(path) == entry["sha256"]:
                    with open(Path(folder) / entry["frame"], "rb") as fh:
                        frame: pd.DataFrame = pickle.load(fh)
                    return frame
            except OSError:  # the file went, or the run's record did: read it in full
                pass
    return loader.load(name, source, columns, encoding=encoding, sheet=sheet)
