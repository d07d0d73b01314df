"""Warm kernels: each report's ipykernel forked from a process that has already imported what
the reports import, instead of a new Python importing it all again.

A new kernel spends about 2 CPU-seconds before a report's first line of work: starting Python,
importing ipykernel (and its debugger), pandas, pyarrow, matplotlib, openpyxl, ipywidgets and the
report's own modules. A :class:`Zygote` (the name Android gives its pre-forking process; gunicorn
calls the same thing ``--preload``) is a plain Python process started once, which imports all of
that and then forks one child per kernel asked for; the child takes the asker's environment,
folder and standard streams and starts ipykernel exactly as ``python -m ipykernel_launcher -f
<connection file>`` would. It is a fresh process each time (nothing of one report's kernel is
seen by the next); only imports, which have no state a report depends on, are shared.

It pays where one process starts many kernels: a Dask worker of a group run
(:mod:`pracops.group.tasks`) runs dozens of reports one after another. A kernel asked with an
environment the zygote cannot give (a variable read at start-up that differs, such as
``GLIBC_TUNABLES`` for a large practice's huge pages, another Python, another kernel) starts the
ordinary way; so does any kernel when the zygote is gone.

Binding: the zygote dies with the process that started it (``PR_SET_PDEATHSIG``); each kernel
dies with the zygote and, through a pidfd it watches, with the process that asked for it (a
report's worker process), as an ordinary kernel dies with its worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pracops.processes import die_with_parent, load_prctl

__all__ = ["KERNEL_NAME", "PER_KERNEL", "ForkedKernel", "Zygote", "current_zygote",
           "preload_modules", "start_zygote", "stop_zygote", "wanted"]

_INLINE = "module://matplotlib_inline.backend_inline"

#: Seconds to wait for the zygote's answer (it is busy importing only before its first kernel,
#: a few seconds); past them the kernel starts the ordinary way.
_ANSWER_SECONDS = 60.0

PER_KERNEL = frozenset({
    "JPY_PARENT_PID", "JPY_SESSION_NAME", "PYDEVD_DISABLE_FILE_VALIDATION",
    "JUPYTER_RUNTIME_DIR", "PRACOPS_RUN_DIR", "PRACOPS_CHECKED", "PRACOPS_OUTPUTS",
})
"""Variables a kernel may have that the zygote lacks or has otherwise: each is read when it is
used, not when a module is imported. Any other difference starts the kernel the ordinary way."""

_THIRD_PARTY = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
    "IPython.display", "ipywidgets", "pandas", "pyarrow", "pyarrow.compute", "pyarrow.csv",
    "matplotlib.pyplot", "matplotlib.backends.backend_agg", "PIL.PngImagePlugin", "openpyxl",
)


def preload_modules(packages: Iterable[str]) -> list[str]:
    """What a zygote imports for kernels of the reports of ``packages`` (``billing``, ...): the
    kernel's and the notebooks' libraries, and each report's ``chain`` and ``view``."""
    own = [f"pracops.{p}.{m}" for p in packages for m in ("chain", "view")]
    return [*_THIRD_PARTY, "pracops.report", *own]


class ForkedKernel:
    """A kernel forked by a :class:`Zygote`, with what jupyter_client's local provisioner uses
    of a :class:`subprocess.Popen`. It is not this process's child: its end is seen through a
    pidfd, and its exit status is not known (1 once it has ended)."""

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = 1
            os.close(self._pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired("kernel", timeout or 0)
            select.select([self._pidfd], [], [], left)
        return 1

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Zygote:
    """A process that has imported ``modules`` and forks a kernel on request.

    Start it from a thread that lives as long as the zygote is wanted (Linux kills it when that
    thread ends: :mod:`pracops.processes`). The imports run in the zygote while the caller goes
    on; the first :meth:`launch` waits for them.
    """

    def __init__(self, modules: Sequence[str]) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        load_prctl()
        env = {**os.environ, "MPLBACKEND": _INLINE, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        self._env = env
        self._process = subprocess.Popen(
            [sys.executable, "-c", _MAIN, str(theirs.fileno()), *modules],
            # its own streams go nowhere (an import's warning is not the user's business);
            # each kernel gets its asker's
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=env,
            preexec_fn=functools.partial(die_with_parent, os.getpid()))
        theirs.close()
        self._sock = mine
        # a pidfd, not Popen.poll: a forked report worker asks too, and is not its parent
        self._pidfd = os.pidfd_open(self._process.pid)

    def serves(self, cmd: Sequence[str], env: Mapping[str, str], cwd: str = ".") -> bool:
        """Whether a kernel of ``cmd`` in ``env`` and ``cwd`` is what this zygote forks: this
        Python's ``-m ipykernel_launcher``, no start-up variable other than the zygote's, and
        no ``matplotlibrc`` in ``cwd`` (matplotlib reads it when it is imported)."""
        if list(cmd[:3]) != [sys.executable, "-m", "ipykernel_launcher"]:
            return False
        if os.path.exists(os.path.join(cwd, "matplotlibrc")):
            return False
        if env.get("MPLBACKEND", _INLINE) != _INLINE:
            return False
        names = (set(env) | set(self._env)) - PER_KERNEL - {"MPLBACKEND"}
        return all(env.get(n) == self._env.get(n) for n in names) and self.alive()

    def alive(self) -> bool:
        return not select.select([self._pidfd], [], [], 0)[0]

    def launch(self, cmd: Sequence[str], env: Mapping[str, str], cwd: str) -> ForkedKernel:
        """A kernel running ``cmd``'s arguments in ``env`` and ``cwd``, with this process's
        standard output and error; bound to this process. OSError when the zygote cannot give
        one."""
        me = str(os.getpid())
        # as jupyter_client's launcher does; and given on the command line, since ipykernel
        # read the variable for its default when the zygote imported it: a kernel without it
        # prints its connection banner to the asker's standard output
        request = pickle.dumps({
            "args": list(cmd[3:]), "parent": f"--IPKernelApp.parent_handle={me}",
            "env": {**env, "JPY_PARENT_PID": me}, "cwd": str(cwd)})
        answer, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        answer.settimeout(_ANSWER_SECONDS)
        asker = os.pidfd_open(os.getpid())  # the kernel watches it, and ends with this process
        try:
            # one message, whole, however many processes ask at once (SOCK_SEQPACKET)
            socket.send_fds(self._sock, [request], [theirs.fileno(), 1, 2, asker])
            theirs.close()
            msg, fds, _, _ = socket.recv_fds(answer, 4096, 1)
        finally:
            os.close(asker)
            answer.close()
            theirs.close()
        if not msg or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            raise OSError("the zygote gave no kernel")
        return ForkedKernel(pickle.loads(msg), fds[0])

    def close(self, timeout: float = 5.0) -> None:
        """Stop taking requests; the zygote ends once the kernels it forked have (each ends
        with its asker), or is killed after ``timeout`` seconds."""
        self._sock.close()
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._pidfd)


_zygote: Zygote | None = None
_zygote_lock = threading.Lock()


def wanted() -> bool:
    """Whether kernels start warm: unless ``PRACOPS_WARM_KERNELS=0`` (every kernel a new
    ``python -m ipykernel_launcher``, as before; for a comparison, or should a library ever
    misbehave in a forked kernel), and only where there is ``os.pidfd_open`` (Linux)."""
    if os.environ.get("PRACOPS_WARM_KERNELS", "1") == "0" or not hasattr(os, "pidfd_open"):
        return False
    try:  # a kernel or a sandbox without pidfds (Linux before 5.3, some seccomp profiles)
        os.close(os.pidfd_open(os.getpid()))
    except OSError:
        return False
    return True


def start_zygote() -> Zygote | None:
    """This process's zygote for every report (started at the first call, again if it died;
    ``None`` when it cannot be started: every kernel then starts the ordinary way),
    from a thread of its own that lives as long as this process: a pool's short-lived thread
    calling this does not take the zygote with it when it ends (:mod:`pracops.processes`)."""
    global _zygote
    from pracops.registry import PACKAGES

    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            started: list[Zygote] = []
            ready = threading.Event()

            def keep() -> None:
                try:
                    started.append(Zygote(preload_modules(PACKAGES)))
                except (OSError, subprocess.SubprocessError):  # no zygote: kernels start anew
                    return
                finally:
                    ready.set()
                threading.Event().wait()  # this thread is the zygote's parent: never end

            if _zygote is not None:
                _zygote.close(0)  # a dead one: its socket and pidfd
            threading.Thread(target=keep, name="pracops-zygote", daemon=True).start()
            ready.wait()
            _zygote = started[0] if started else None
        return _zygote


def stop_zygote() -> None:
    """Close this process's zygote, if it started one (:meth:`Zygote.close`)."""
    global _zygote
    with _zygote_lock:
        if _zygote is not None:
            _zygote.close()
            _zygote = None


def current_zygote() -> Zygote | None:
    """The zygote this process (or the process it was forked from) started, if any."""
    return _zygote


# --- the zygote's side -----------------------------------------------------------------------

def _serve(fd: int, modules: Sequence[str]) -> None:
    """The zygote: import ``modules``, then fork a kernel per request until every asker has
    closed its end of the socket; then wait for the kernels still running, and end.

    Every import comes before the first fork, even when a kernel is asked for sooner: a kernel
    forked half-way would import the rest itself while the zygote imports it too, on the same
    cores (2.2 CPU-s for a new kernel to its first cell, 2.1 for all the imports)."""
    _name("pracops-zygote")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, _reap)
    sock = socket.socket(fileno=fd)
    import importlib

    for name in modules:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    gc.collect()
    gc.freeze()  # the imports' objects out of every kernel's collections: no copy-on-write
    zygote = os.getpid()
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 4)
        except OSError:
            break
        if not msg:
            break
        # no reaping between the fork and the pidfd: a reaped kernel's pid could be reused
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:
            sock.close()
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            _kernel(pickle.loads(msg), fds, zygote)
        answer, *rest = fds
        for f in rest:
            os.close(f)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:  # cannot happen with SIGCHLD held; the asker then starts its own
            os.close(answer)
            continue
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        with socket.socket(fileno=answer) as reply, contextlib.suppress(OSError):
            socket.send_fds(reply, [pickle.dumps(pid)], [pidfd])
        os.close(pidfd)
    sock.close()  # an asker now hears at once that nobody serves (alive() is still true)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    with contextlib.suppress(ChildProcessError):
        while True:
            os.wait()


def _reap(_signum: int, _frame: Any) -> None:
    """Reap the zygote's ended kernels (their CPU time then counts in the zygote's children)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _kernel(request: dict[str, Any], fds: list[int], zygote: int) -> None:
    """In the forked child: become what ``python -m ipykernel_launcher <args>`` would be in the
    asker's environment, folder and streams, and run the kernel to its end."""
    code = 1
    try:
        answer, stdout, stderr, asker = fds
        os.close(answer)
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.setsid()
        _name(KERNEL_NAME)
        die_with_parent(zygote)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd, std in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, std)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        # as ipykernel_launcher leaves them: its own folder out of sys.path (IPython adds ''),
        # its file as argv[0]; numpy's global random state drawn anew (Python's random is)
        import importlib.util

        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["args"]]
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        threading.Thread(target=_die_with, args=(asker,), daemon=True).start()
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=[*request["args"], request["parent"]])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


KERNEL_NAME = "pracops-kernel"
"""A forked kernel's process name (``ps -o comm``, ``psutil.Process.name``): its command line
is the zygote's."""


def _name(name: str) -> None:
    """Set this process's name as ``ps`` and ``top`` show it (Linux; nothing elsewhere)."""
    prctl = load_prctl()
    if prctl is not None:
        prctl(_PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


_PR_SET_NAME = 15  # from <linux/prctl.h>


def _die_with(pidfd: int) -> None:
    """End this kernel (and what it started) when the process ``pidfd`` refers to ends."""
    select.select([pidfd], [], [])
    os.killpg(0, signal.SIGKILL)


# '' out of sys.path (as ipykernel_launcher does; not -P, which would keep IPython from adding
# it back in each kernel): nothing imported from the folder the run was started in; and the
# imports in "/" (matplotlib reads a matplotlibrc in the folder it is imported from: a kernel's
# own folder with one is refused by serves)
_MAIN = ("import os, sys; del sys.path[0]; os.chdir('/'); "
         "from pracops.runner.warm import _serve; _serve(int(sys.argv[1]), sys.argv[2:])")
