"""A Dask worker preload (``preload=["pracops.group.preload"]``): the worker ignores SIGINT, so
the terminal's Ctrl-C stops the group run in order (:mod:`pracops.group.run`) rather than
killing the workers a nanny started again after one died. Give it to ``dask worker --preload
pracops.group.preload`` too when the workers share a terminal with the run."""

from __future__ import annotations

import contextlib
import signal
from typing import Any


def dask_setup(_worker: Any) -> None:
    """Called by the worker as it starts (Dask's preload hook)."""
    with contextlib.suppress(ValueError):  # not the main thread: nothing to do
        signal.signal(signal.SIGINT, signal.SIG_IGN)
