"""Absolute paths of the project, so a notebook behaves the same wherever it runs.

JupyterLab and nbval run a notebook in its own folder, papermill in the caller's working
directory; every path a report needs is therefore built here from this file's location.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
"""The ``pracops`` package folder."""

PROJECT_ROOT: Path = PACKAGE_DIR.parent
"""The checkout: holds ``notebooks/``, ``parameters/`` and ``outputs/``."""

SAMPLE_DIR: Path = PACKAGE_DIR / "sample" / "data"
"""The bundled sample practice, written by :mod:`pracops.sample`."""

FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
"""The dates an input file or a parameter may hold: anything earlier or later is a slip (a
two-digit year read as the first century, 9999-12-31 for "never"), refused rather than carried
into the figures (and beyond 2262 pandas could not hold it at all)."""

NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
PARAMETERS_DIR: Path = PROJECT_ROOT / "parameters"
TEST_PARAMETERS_DIR: Path = PARAMETERS_DIR / "test"


def outputs_dir() -> Path:
    """Where runs are written: ``$PRACOPS_OUTPUTS`` when set, else ``<project>/outputs``."""
    return Path(os.environ.get("PRACOPS_OUTPUTS") or PROJECT_ROOT / "outputs").resolve()


def data_dir(data: str | os.PathLike[str] | None = None) -> Path:
    """The folder a report reads its datasets from.

    Parameters
    ----------
    data
        A folder given by the caller (a notebook's ``data_dir`` parameter, ``--data``).
        ``None`` or ``""`` means the bundled sample.
    """
    if data is None or str(data) == "":
        return SAMPLE_DIR
    return Path(data).expanduser().resolve()


def report_files_dir(output_dir: str | os.PathLike[str] | None, report: str) -> Path:
    """Where a report writes the files it hands out (worklists, purchase orders, workbooks).

    Parameters
    ----------
    output_dir
        A folder given by the caller (the report's ``output_dir`` parameter) wins.
    report
        The report's name, naming the sub-folder.

    Returns
    -------
    Path
        ``output_dir`` when given; inside a ``pracops run``, ``<run folder>/<report>_files``
        (beside the report's HTML); otherwise ``outputs/interactive/<report>``.
    """
    if output_dir:
        return Path(output_dir).expanduser().resolve()
    run_dir = os.environ.get("PRACOPS_RUN_DIR")
    if run_dir:
        return Path(run_dir) / f"{report}_files"
    return outputs_dir() / "interactive" / report
