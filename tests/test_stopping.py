"""Stopping `pracops run`: SIGINT, SIGTERM and SIGKILL of a real run, checked in the process table.

Each test starts the console script in a session of its own (so a leftover can always be killed),
runs a fixture that sleeps in its kernel, lists the run's descendant processes (forked workers,
kernels) once the sleep has begun, sends the signal, and then checks that every one of those
processes is gone within the limit, the exit status, and what the run folder says. Every wait
is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from pracops.runner import warm

ROOT = Path(__file__).parents[1]
STOPPING = ROOT / "tests" / "fixtures" / "notebooks" / "stopping"
PRACOPS = Path(sys.executable).parent / "pracops"  # the console script of this environment
START_LIMIT = 180.0  # seconds for kernels to start on a busy machine
STOP_LIMIT = 5.0  # Ctrl-C or SIGTERM: every worker and kernel gone within this
ORPHAN_LIMIT = 10.0  # SIGKILL of the parent: no worker or kernel outlives it longer


def alive(proc: psutil.Process) -> bool:
    """Running and not a zombie (a zombie is dead, waiting only for its parent to reap it)."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def seconds_until_gone(procs: list[psutil.Process], since: float, limit: float) -> float:
    """Poll until none of ``procs`` is alive (at most ``3 * limit``); seconds since ``since``."""
    while any(alive(p) for p in procs) and time.monotonic() - since < 3 * limit:
        time.sleep(0.05)
    return time.monotonic() - since


def wait_for(path: Path, proc: subprocess.Popen[str], limit: float = START_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert proc.poll() is None, f"pracops ended early: {proc.communicate()}"
        assert time.monotonic() < deadline, f"{path.name} did not appear in {limit} s"
        time.sleep(0.1)


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    """Start `pracops run` on the stopping fixtures; kill whatever is left at the end."""
    started: list[tuple[subprocess.Popen[str], list[psutil.Process]]] = []

    def _start(*args: str, warm_kernels: bool = False
               ) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
        # kernels started the ordinary way unless asked: the tests below find them by their
        # command line and their parent (the worker); forked warm, see the last tests
        env = dict(os.environ, PYTHONPATH=str(ROOT),
                   PRACOPS_WARM_KERNELS="1" if warm_kernels else "0")
        proc = subprocess.Popen(
            [str(PRACOPS), "--notebooks", str(STOPPING), "run", "--out", str(tmp_path / "out"),
             "-p", "marker", str(tmp_path / "sleeping"), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
            start_new_session=True)
        seen: list[psutil.Process] = []
        started.append((proc, seen))
        return proc, seen

    yield _start
    for proc, seen in started:
        for p in [*seen, psutil.Process(proc.pid) if proc.poll() is None else None]:
            if p is not None and alive(p):
                p.kill()
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def descendants(proc: subprocess.Popen[str], into: list[psutil.Process]) -> list[psutil.Process]:
    """The run's workers and kernels now, checked to include at least one of each."""
    into.extend(psutil.Process(proc.pid).children(recursive=True))
    kernels = [p for p in into if "ipykernel_launcher" in " ".join(p.cmdline())
               or p.name() == warm.KERNEL_NAME]  # forked warm (pracops.runner.warm)
    workers = [p for p in into if p not in kernels]
    assert kernels and workers, [p.cmdline() for p in into]
    return into


def run_folder(tmp_path: Path) -> Path:
    runs = list((tmp_path / "out").iterdir())
    assert len(runs) == 1
    return runs[0]


@pytest.mark.parametrize(
    ("sig", "jobs", "reports", "expected"),
    [
        # Ctrl-C at a terminal signals the whole foreground process group: so does this test.
        (signal.SIGINT, "2", ["fixture_quick", "fixture_sleep"],
         {"fixture_quick": ("ok", None),
          "fixture_sleep": ("interrupted", "stopped by SIGINT before it finished")}),
        # `kill PID` (or a scheduler ending a job) signals the pracops process only.
        (signal.SIGTERM, "1", ["fixture_sleep", "fixture_quick"],
         {"fixture_sleep": ("interrupted", "stopped by SIGTERM before it finished"),
          "fixture_quick": ("interrupted", "stopped by SIGTERM before it started")}),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_stop_ends_every_process_and_writes_the_run_folder(
    start, tmp_path: Path, sig: signal.Signals, jobs: str, reports: list[str],
    expected: dict[str, tuple[str, str | None]],
) -> None:
    proc, seen = start("--jobs", jobs, *reports)
    wait_for(tmp_path / "sleeping", proc)
    if expected["fixture_quick"][0] == "ok":
        wait_for(tmp_path / "out", proc)
        wait_for(run_folder(tmp_path) / "fixture_quick.json", proc)
    procs = descendants(proc, seen)
    kernel = next(p for p in procs if "ipykernel_launcher" in " ".join(p.cmdline()))
    connection_file = Path(kernel.cmdline()[kernel.cmdline().index("-f") + 1])

    t0 = time.monotonic()
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    assert seconds_until_gone(procs, t0, STOP_LIMIT) <= STOP_LIMIT, \
        [(p.pid, p.cmdline()) for p in procs if alive(p)]
    out, err = proc.communicate(timeout=30)

    assert proc.returncode == 128 + sig.value
    assert "Traceback" not in err
    run_dir = run_folder(tmp_path)
    finished = sum(status == "ok" for status, _ in expected.values())
    assert err.splitlines() == [
        f"pracops: stopped by {sig.name}: {finished} of 2 reports finished, the rest are "
        f"marked interrupted in {run_dir / 'index.html'}"]
    assert out == f"{run_dir / 'index.html'}\n"

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["stopped_by"] == sig.name
    assert manifest["reports"] == {r: s for r, (s, _) in expected.items()}
    for report, (status, message) in expected.items():
        summary = json.loads((run_dir / f"{report}.json").read_text())
        assert summary["status"] == status
        if status == "ok":
            assert summary["figures"] == {"value": 7}
            assert (run_dir / f"{report}.html").is_file()
        else:
            assert summary["error"] == {"name": "Interrupted", "message": message}
            assert summary["files"] == {"json": f"{report}.json"}
            assert not (run_dir / f"{report}.html").exists()
    index = (run_dir / "index.html").read_text()
    assert f"The run was stopped by {sig.name}: {2 - finished} report" in index
    assert index.count("<span class='status interrupted'>interrupted</span>") == 2 - finished
    assert ("href='fixture_quick.html'" in index) == (finished == 1)
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith(".")]  # no temp files
    assert not connection_file.parent.exists()  # the kernels' runtime folder is removed


def test_sigkill_of_the_parent_takes_workers_and_kernels_with_it(start, tmp_path: Path) -> None:
    proc, seen = start("fixture_sleep")
    wait_for(tmp_path / "sleeping", proc)
    procs = descendants(proc, seen)
    t0 = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert seconds_until_gone(procs, t0, ORPHAN_LIMIT) <= ORPHAN_LIMIT, \
        [(p.pid, p.cmdline()) for p in procs if alive(p)]


def test_a_killed_worker_fails_its_report_and_takes_its_kernel(start, tmp_path: Path) -> None:
    proc, seen = start("--jobs", "1", "fixture_sleep", "fixture_quick")
    wait_for(tmp_path / "sleeping", proc)
    procs = descendants(proc, seen)
    assert len(procs) == 2  # one report at a time: the sleeper's worker and kernel
    kernel = next(p for p in procs if "ipykernel_launcher" in " ".join(p.cmdline()))
    worker = kernel.parent()
    assert worker.ppid() == proc.pid
    t0 = time.monotonic()
    worker.kill()
    assert seconds_until_gone([worker, kernel], t0, STOP_LIMIT) <= STOP_LIMIT
    out, err = proc.communicate(timeout=START_LIMIT)
    assert proc.returncode == 1  # a report failed; the other still ran
    run_dir = run_folder(tmp_path)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["stopped_by"] is None
    assert manifest["reports"] == {"fixture_sleep": "failed", "fixture_quick": "ok"}
    summary = json.loads((run_dir / "fixture_sleep.json").read_text())
    assert summary["error"] == {
        "name": "WorkerDied",
        "message": "the worker process running the report was killed by SIGKILL (out of "
                   "memory?) before it sent its summary"}
    assert "fixture_sleep failed: WorkerDied" in err and "Traceback" not in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "sigkill"])
def test_warm_kernels_and_their_zygote_end_with_the_run(start, tmp_path: Path,
                                                         sig: signal.Signals) -> None:
    proc, seen = start("--jobs", "2", "fixture_sleep", warm_kernels=True)
    wait_for(tmp_path / "sleeping", proc)
    procs = descendants(proc, seen)
    kernel = next(p for p in procs if p.name() == warm.KERNEL_NAME)
    zygote = kernel.parent()
    assert zygote.name() == "pracops-zygote" and zygote.ppid() == proc.pid
    t0 = time.monotonic()
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    limit = STOP_LIMIT if sig == signal.SIGINT else ORPHAN_LIMIT
    assert seconds_until_gone(procs, t0, limit) <= limit, \
        [(p.pid, p.name()) for p in procs if alive(p)]
    proc.communicate(timeout=30)
    assert proc.returncode == (128 + sig.value if sig == signal.SIGINT else -sig.value)
    if sig == signal.SIGINT:
        summary = json.loads((run_folder(tmp_path) / "fixture_sleep.json").read_text())
        assert summary["status"] == "interrupted"
