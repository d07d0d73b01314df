"""Shared fixtures. Fixture notebooks are run by the runner's tests, never collected by nbval."""

from __future__ import annotations

import os

collect_ignore_glob = ["fixtures/*"]

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.pop("MPLBACKEND", None)
