"""Child processes bound to their parent: none outlives it, even after a SIGKILL.

This module owns the one way pracops ties a process it starts (a report worker, a kernel, a
worker of the 835 reader's pool) to the process that started it: Linux's parent-death signal
(``prctl(PR_SET_PDEATHSIG, SIGKILL)``), set in the child, plus a check that the parent has not
already gone before the signal was set. Elsewhere than on Linux it only does the check.

Linux sends the signal when the *thread* that forked the child ends: fork from a thread that
lives as long as the children are needed (the caller's, not a short-lived helper thread).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Forked", "die_with_parent", "load_prctl", "sendable"]

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


class Forked:
    """``fn(*args)`` run in a forked child of this process, started at once: the caller goes on
    (on the other core) and takes the value with :meth:`result`. What ``fn`` allocates never
    lives in this process, whose later forks stay small.

    The child is deaf to SIGINT and SIGTERM (this process decides when to stop, and kills it)
    and dies with this process; it sends back ``fn``'s value or what it raised, pickled (an
    exception that does not pickle as a ``RuntimeError`` of its type and text), and ends
    without running any cleanup. Linux and other systems with ``fork``. ``what`` names the
    work in the error raised when the child ends without an answer (killed, out of memory).
    As a context manager, the child is killed on leaving the block unless its answer was taken.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, what: str) -> None:
        self._what = what
        self._read, write = os.pipe()
        with contextlib.suppress(ImportError, AttributeError, OSError):
            import fcntl  # fewer, larger reads (Linux)

            fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, 1 << 20)
        parent = os.getpid()
        self._pid = os.fork()
        if self._pid == 0:
            try:
                os.close(self._read)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                die_with_parent(parent)
                _plain_streams()
                try:
                    sent = ("value", fn(*args))
                except Exception as exc:  # raised again in the parent
                    sent = ("raised", sendable(exc))
                with os.fdopen(write, "wb") as out:
                    out.write(_pickled(sent))
            finally:
                os._exit(0)
        os.close(write)
        # the answer is read as it comes, so that the child ends (and frees what it holds)
        # when it is done, not when this process is ready for it
        self._answer: list[bytes] = []
        self._reader = threading.Thread(target=self._take_answer, daemon=True)
        self._reader.start()

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        """The child killed unless its answer was taken (:meth:`kill`)."""
        self.kill()

    def _take_answer(self) -> None:
        """Read the pipe to its end (in a thread of this process), then close it."""
        try:
            while chunk := os.read(self._read, 1 << 20):
                self._answer.append(chunk)
        finally:
            os.close(self._read)

    def result(self) -> Any:
        """Wait for the child; ``fn``'s value, or raise what it raised. Interrupted while
        waiting (Ctrl-C), the child is killed first. Once only, and not after :meth:`kill`."""
        if not self._pid:
            raise RuntimeError(f"{self._what}: its answer was taken already, or it was stopped")
        try:
            self._reader.join()
        finally:
            status = self._end()
        sent = b"".join(self._answer)
        self._answer = []
        if not sent:
            raise RuntimeError(f"{self._what} ended without an answer (its process's exit "
                               f"status {os.waitstatus_to_exitcode(status)})")
        kind, value = pickle.loads(sent)
        if kind == "raised":
            raise value
        return value

    def kill(self) -> None:
        """Stop the child now, its answer unread (the caller is giving up: it raised or was
        interrupted). Nothing happens once :meth:`result` has been taken."""
        if self._pid:
            self._end()
            self._reader.join()  # the pipe ends with the child

    def _end(self) -> int:
        """Kill the child if it still runs (stopped while waiting; gone otherwise) and reap
        it: its wait status."""
        assert self._pid > 0  # never 0: os.kill(0, …) is this process's whole group
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return status


def _plain_streams() -> None:
    """In a forked child: print and warn to the process's own standard streams, not through
    streams a thread of the parent served. A Jupyter kernel's send through its sockets, from
    a thread the child does not have: used from the child they sent on sockets shared with
    the parent and stalled for their 10 s flush timeout."""
    for name in ("stdout", "stderr"):
        own = getattr(sys, f"__{name}__")
        setattr(sys, name, own if own is not None else open(os.devnull, "w"))  # noqa: SIM115


def _pickled(sent: tuple[str, Any]) -> bytes:
    try:
        return pickle.dumps(sent)
    except Exception:  # a value or an exception that does not pickle: its type and text
        return pickle.dumps(("raised", sendable(sent[1], pickles=False)))


def sendable(exc: BaseException, *, pickles: bool | None = None) -> BaseException:
    """``exc`` if it pickles and unpickles, else a ``RuntimeError`` of its type and text."""
    if pickles is None:
        try:
            pickle.loads(pickle.dumps(exc))
            pickles = True
        except Exception:
            pickles = False
    return exc if pickles else RuntimeError(f"{type(exc).__name__}: {exc}")
