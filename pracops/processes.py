"""Child processes bound to their parent: none outlives it, even after a SIGKILL.

This module owns the one way pracops ties a process it starts (a report worker, a kernel, a
worker of the 835 reader's pool) to the process that started it: Linux's parent-death signal
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``), set in the child, plus a check that the parent has not
already gone before the signal was set. Elsewhere than on Linux it only does the check.

Linux sends the signal when the *thread* that forked the child ends: fork from a thread that
lives as long as the children are needed (the caller's, not a short-lived helper thread).
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
from collections.abc import Callable

__all__ = ["die_with_parent", "load_prctl"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


@functools.cache
def load_prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (None elsewhere than on Linux), looked up once.

    Call it before forking a child that runs :func:`die_with_parent` between fork and exec
    (``preexec_fn``), where loading a library is unsafe: the child then finds it cached.
    """
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent(parent_pid: int) -> None:
    """Have Linux SIGKILL this process when its parent ends, and end now if it already has.

    Runs in the child, first thing: in a worker right after fork (a pool's ``initializer``), or
    in a kernel between fork and exec (``preexec_fn``).

    Parameters
    ----------
    parent_pid
        The parent's process id, taken *in the parent* before the fork: a child whose parent
        died before the signal was set has been adopted by another process, so its
        ``os.getppid()`` differs, and it exits at once (status 1).
    """
    prctl = load_prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
