"""A watch on every request a report's kernel is sent: a request the kernel leaves unanswered
is noticed, the kernel nudged, and, if that does not help, the report run again with a new
kernel, instead of waiting forever.

Why: under load, an ipykernel 7 kernel now and then leaves a shell request unread in its
socket, idle, until something else arrives on it (ipython/ipykernel#1554: the shell ROUTER's
edge-triggered wake-up consumed by a reply sent beside the stream; "in practice, the next
client connection" reads it). 7.4 sends its replies through the stream, and still report
kernels sat idle with a cell's request unanswered, three times in about forty runs at a load of
5-10. nbclient waits for a reply for as long as the cell's timeout, none by default: the report,
and a nightly group run with it, waited forever.

The watch (:class:`WatchedClient`, papermill's client watching its two waits), on each cell's
request and on papermill's closing ``kernel_info`` request:

- a cell's request that the kernel has begun (its ``busy`` status for the request came) is left
  alone: a cell may compute for as long as it needs, and ``--timeout`` bounds it;
- a request not begun after :func:`nudge_seconds`, or one whose cell ended (``idle``) with no
  reply, is nudged: a new connection asks the kernel for its ``kernel_info``, as jupyter_server
  nudges every new connection, and again each :func:`nudge_seconds` (plus up to 5 s waiting for
  an answer);
- a kernel that answers the nudges is idle, yet has not begun the cell or not replied to it:
  after :func:`stall_seconds` of that the client raises :class:`KernelStalled`; the runner
  (:mod:`pracops.runner.execution`) then runs the report once more with a new kernel and
  records it in the report's ``timings`` (``kernel_runs``), and a second stall fails the
  report with the one-line message of :class:`KernelStalled`;
- a kernel deaf to a nudge during a cell is computing (a cell that holds the GIL in one long
  call keeps even its ``busy`` status from going out): the silence starts again, and only
  ``--timeout`` bounds the cell.

``PRACOPS_KERNEL_STALL_SECONDS`` sets the stall (default 60 s; the nudges come every sixth of it).
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
from queue import Empty
from typing import Any

from jupyter_client.session import Session
from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

__all__ = ["ENGINE", "KernelStalled", "WatchedClient", "nudge_seconds", "stall_seconds"]

#: The papermill engine name the runner executes reports with.
ENGINE = "pracops"

#: Seconds without any sign from the kernel before a report's kernel counts as stalled.
STALL_SECONDS = 60.0
STALL_ENV = "PRACOPS_KERNEL_STALL_SECONDS"

#: The tag papermill gives the cell it injects with the run's parameters.
INJECTED = "injected-parameters"


def stall_seconds() -> float:
    """Seconds of silence on a request before the kernel counts as stalled.

    A setting that is not a positive number of seconds is said in one line of the report's
    log, and the default is used."""
    text = os.environ.get(STALL_ENV)
    if text is None:
        return STALL_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds) and seconds > 0:
        return seconds
    _say(f"{STALL_ENV}={text!r} is not a positive number of seconds: the default "
         f"{STALL_SECONDS:.0f} s is used; set it to a number such as 120, or unset it")
    return STALL_SECONDS


def nudge_seconds(stall: float) -> float:
    """Seconds of silence on a request before each nudge, for a stall of ``stall`` s."""
    return stall / 6


class KernelStalled(RuntimeError):
    """The kernel left a request unanswered, nudges and all: the report is run again.

    ``notebook`` is the notebook as far as it ran (papermill writes none when its client
    raises)."""

    notebook: Any = None


def _say(line: str) -> None:
    # the worker's standard error is the report's log file (logs/<report>.log)
    print(f"pracops: {line}", file=sys.stderr, flush=True)


class WatchedClient(PapermillNotebookClient):
    """papermill's notebook client, watching each request for a reply that does not come."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.began: set[str] = set()  # requests whose busy status came
        self.stall = stall_seconds()  # read once a kernel run: a bad setting said once

    def process_message(self, msg: dict[str, Any], cell: Any, cell_index: int) -> Any:
        if (msg["msg_type"] == "status"
                and msg["content"].get("execution_state") == "busy"):
            self.began.add(msg["parent_header"].get("msg_id"))
        return super().process_message(msg, cell, cell_index)

    async def _async_poll_for_reply(self, msg_id: str, cell: Any, timeout: int | None,
                                    task_poll_output_msg: asyncio.Future[Any],
                                    task_poll_kernel_alive: asyncio.Future[Any]) -> dict[str, Any]:
        reply = asyncio.ensure_future(super()._async_poll_for_reply(
            msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive))
        try:
            return await self._watch(
                reply, lambda: msg_id in self.began and not task_poll_output_msg.done(),
                self._name(cell), computing_if_deaf=True)
        except KernelStalled:
            task_poll_kernel_alive.cancel()
            raise
        finally:
            reply.cancel()

    async def async_wait_for_reply(self, msg_id: str, cell: Any = None) -> dict[str, Any] | None:
        if cell is not None:
            return await super().async_wait_for_reply(msg_id, cell)
        # papermill's closing kernel_info_request, waited for without a timeout: every cell
        # has replied, so a kernel deaf to it and to the nudges is not computing
        reply = asyncio.ensure_future(super().async_wait_for_reply(msg_id, cell))
        try:
            return await self._watch(reply, lambda: False, "the closing kernel_info request",
                                     computing_if_deaf=False)
        finally:
            reply.cancel()

    # nbclient binds the blocking form to its own coroutine: papermill calls this one
    wait_for_reply = run_sync(async_wait_for_reply)

    def _name(self, cell: Any) -> str:
        """The cell as its author counts the notebook's code cells (papermill's injected
        parameters cell left out)."""
        if INJECTED in cell.metadata.get("tags", []):
            return "the injected parameters cell"
        code = [c for c in self.nb.cells
                if c.cell_type == "code" and INJECTED not in c.metadata.get("tags", [])]
        return f"code cell {next(i for i, c in enumerate(code, 1) if c is cell)} of {len(code)}"

    async def _watch(self, reply: asyncio.Future[Any], running: Any, what: str, *,
                     computing_if_deaf: bool) -> Any:
        """``reply``'s result, nudging the kernel while ``running()`` is false and it is late.

        The silence counts only while the kernel answers the nudges (its main thread is free,
        yet the request is not begun or not replied to) when ``computing_if_deaf``: a cell
        holding the GIL in one long call keeps even its ``busy`` status from going out, and
        the kernel deaf to a nudge is then computing, which only ``--timeout`` bounds."""
        quiet_since, nudges, answers = time.monotonic(), 0, 0
        while True:
            done, _ = await asyncio.wait({reply}, timeout=nudge_seconds(self.stall))
            if done:
                return reply.result()
            if running():
                quiet_since = time.monotonic()
                continue
            quiet = time.monotonic() - quiet_since
            if quiet >= self.stall:
                raise KernelStalled(
                    f"the kernel left {what} unanswered for {quiet:.0f} s, "
                    + (f"idle: it answered {answers} nudges" if answers else
                       f"and {nudges} nudges on new connections"))
            answered = await self._nudge()
            _say(f"{what} unanswered after {quiet:.0f} s: nudged the kernel on a new "
                 f"connection ({'it answered' if answered else 'no answer'})")
            nudges, answers = nudges + 1, answers + answered
            if not answered and computing_if_deaf:
                quiet_since, nudges, answers = time.monotonic(), 0, 0

    async def _nudge(self) -> bool:
        """Ask the kernel for its kernel_info on a new connection; whether it answered."""
        assert self.km is not None
        # a session of its own: the kernel's shell socket hands a connection's identity over
        # to its newest peer (ROUTER_HANDOVER), so a client sharing the report's session
        # would take the report's replies
        kc = self.km.client(session=Session(key=self.km.session.key,
                                            signature_scheme=self.km.session.signature_scheme))
        kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        try:
            msg_id = kc.kernel_info()
            deadline = time.monotonic() + min(5.0, nudge_seconds(self.stall))
            while (left := deadline - time.monotonic()) > 0:
                try:
                    msg = await kc.shell_channel.get_msg(timeout=left)
                except Empty:
                    return False
                if msg["parent_header"].get("msg_id") == msg_id:
                    return True
            return False
        finally:
            kc.stop_channels()


class WatchedEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`WatchedClient` (as papermill builds its own)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None,
                                 start_timeout: int = 60, execution_timeout: int | None = None,
                                 **kwargs: Any) -> Any:
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
            startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
            log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        try:
            return WatchedClient(nb_man, **final_kwargs).execute()
        except KernelStalled as exc:
            exc.notebook = nb_man.nb
            raise


papermill_engines.register(ENGINE, WatchedEngine)
