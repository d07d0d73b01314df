"""pracops.processes.Forked: a function run in a forked child, its value or its exception
brought back, what it allocates never in the caller (the checks of ``pracops run`` and of a
group's practices run so)."""

from __future__ import annotations

import os
import resource
import threading

import psutil
import pytest

from pracops.processes import Forked


class _Unpicklable(Exception):
    def __init__(self, lock: threading.Lock) -> None:
        super().__init__("holds a lock")
        self.lock = lock


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def _raises() -> None:
    raise ValueError("row 4: not a date")


def _raises_unpicklable() -> None:
    raise _Unpicklable(threading.Lock())


def _dies() -> None:
    os._exit(3)


def _allocates(mb: int) -> int:
    """How many MB the child's resident set grew by. Its own start is the baseline: a forked
    child does not count the parent's file-backed pages until it touches them, so its size
    at birth lies below the parent's."""
    before = psutil.Process().memory_info().rss
    block = bytearray(mb * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # every page touched: resident in the child
    return (psutil.Process().memory_info().rss - before) // (1024 * 1024)


def test_the_value_comes_back_from_another_process() -> None:
    pid, doubled = Forked(_pid_and, 21, what="the work").result()
    assert doubled == 42
    assert pid != os.getpid()


def test_what_the_child_raised_is_raised_here() -> None:
    with pytest.raises(ValueError, match="row 4: not a date"):
        Forked(_raises, what="the work").result()


def test_an_exception_that_does_not_pickle_comes_back_as_its_type_and_text() -> None:
    with pytest.raises(RuntimeError, match="^_Unpicklable: holds a lock$"):
        Forked(_raises_unpicklable, what="the work").result()


def test_a_child_that_dies_without_answering_is_an_error_with_its_exit_status() -> None:
    ended = r"^the work ended without an answer \(its process's exit status 3\)$"
    with pytest.raises(RuntimeError, match=ended):
        Forked(_dies, what="the work").result()


def test_what_the_child_allocates_is_never_in_this_process() -> None:
    """This process's peak (``ru_maxrss``, the largest it ever was) may lie above what it
    holds now: the child allocates that gap and 300 MB more, so the same allocation here
    would raise the peak by 300 MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    now = psutil.Process().memory_info().rss // (1024 * 1024)
    wanted = peak - now + 300
    grown = Forked(_allocates, wanted, what="the work").result()
    assert grown >= wanted - 20  # the child held it ...
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 < peak + 50  # ... not this


def _sleeps() -> None:
    import time

    time.sleep(120)


def test_a_child_killed_before_its_answer_is_gone() -> None:
    before = {c.pid for c in psutil.Process().children()}
    child = Forked(_sleeps, what="the work")
    (pid,) = {c.pid for c in psutil.Process().children()} - before
    child.kill()
    assert not psutil.pid_exists(pid)
    child.kill()  # again: nothing
    # no answer after a kill (reaped, its pid is no longer this process's to signal)
    with pytest.raises(RuntimeError, match="^the work: its answer was taken already, or it "
                                           "was stopped$"):
        child.result()


def test_an_answer_is_taken_once() -> None:
    child = Forked(_pid_and, 2, what="the work")
    assert child.result()[1] == 4
    with pytest.raises(RuntimeError, match="answer was taken already"):
        child.result()
    child.kill()  # nothing


def test_a_child_used_as_a_context_is_killed_on_leaving_its_block_unless_answered() -> None:
    before = {c.pid for c in psutil.Process().children()}
    with pytest.raises(KeyError), Forked(_sleeps, what="the work"):
        (pid,) = {c.pid for c in psutil.Process().children()} - before
        raise KeyError("the work beside it failed")
    assert not psutil.pid_exists(pid)
    with Forked(_pid_and, 3, what="the work") as child:
        got = child.result()
    assert got[1] == 6 and not psutil.pid_exists(got[0])


def _refuse() -> None:
    raise TypeError("cannot be rebuilt")


class _Unloadable:
    """Pickles, but cannot be unpickled (whatever reducers for exceptions are installed:
    Dask's tblib registers its own once the group tests have run)."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _refuse, ()


class _NoUnpickling(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.detail = _Unloadable()


def _raises_no_unpickling() -> None:
    raise _NoUnpickling("row 4, column date")


def test_an_exception_that_pickles_but_does_not_unpickle_comes_back_as_its_text() -> None:
    with pytest.raises(RuntimeError, match="^_NoUnpickling: row 4, column date$"):
        Forked(_raises_no_unpickling, what="the work").result()


def _streams_and(value: int) -> tuple[bool, bool, int]:
    import sys

    print("printed in the child")
    return sys.stdout is sys.__stdout__, sys.stderr is sys.__stderr__, value


def test_a_child_prints_to_its_own_streams_not_the_parents() -> None:
    """A child forked in a Jupyter kernel (the daily close forks one) writes to the process's
    own streams: the kernel's ``sys.stdout`` sends through sockets served by a thread the
    child does not have (used from the child it stalled for its 10 s flush timeout)."""
    assert Forked(_streams_and, 1, what="the work").result() == (True, True, 1)  # pytest's too
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        seen: list[str] = []
        code = ("from tests.test_processes import _streams_and\n"
                "from pracops.processes import Forked\n"
                "import sys\n"
                "print(sys.stdout is sys.__stdout__, Forked(_streams_and, 7, what='w').result())")
        reply = client.execute_interactive(
            code, timeout=60, output_hook=lambda m: seen.append(m["content"].get("text", "")))
        assert reply["content"]["status"] == "ok"
        assert "False (True, True, 7)" in "".join(seen)  # the kernel's stream is not its own
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
