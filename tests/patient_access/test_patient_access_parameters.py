"""The lead-time bands checked by their declaration, before any kernel starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pracops import config
from pracops.errors import ParameterError
from pracops.patient_access.parameters import PARAMETERS


@pytest.mark.parametrize("bad", [[0, 5, 3], [3, 8], [0, 8, 8], [0, 2.5], [], [0, True]])
def test_the_declaration_refuses_bands_that_do_not_rise_from_0(bad: list) -> None:
    with pytest.raises(ParameterError, match=r"^where must be each band's first day as whole "
                                             r"days rising from 0, such as \[0, 3, 8, 15, 31\], "
                                             rf"got {re.escape(repr(bad))}$"):
        PARAMETERS["lead_time_bands"].check(bad, "where")


def test_the_declaration_takes_rising_bands() -> None:
    assert PARAMETERS["lead_time_bands"].check([0, 1, 30], "where") == [0, 1, 30]


def test_run_refuses_bad_bands_before_any_kernel_starts(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-m", "pracops.cli", "run", "patient_access",
                           "--out", str(tmp_path), "-p", "lead_time_bands", "[0, 5, 3]"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines == ["pracops: error: -p lead_time_bands: parameter 'lead_time_bands' of "
                     "patient_access must be each band's first day as whole days rising from "
                     "0, such as [0, 3, 8, 15, 31], got [0, 5, 3]"]
    assert list(tmp_path.iterdir()) == []  # no run folder: nothing started
