"""pracops.runner.warm: kernels forked from a zygote that has imported the reports' libraries
behave as kernels started the ordinary way (folder, environment, inline figures), end with the
process that asked for them, and are asked for only when the zygote can be what was asked."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
import psutil
import pytest

from pracops.runner import execution, warm

INLINE = "module://matplotlib_inline.backend_inline"

PROBE = """import os, sys, json
print(json.dumps({"cwd": os.getcwd(), "ppid": os.getppid(),
                  "run_dir": os.environ.get("PRACOPS_RUN_DIR"),
                  "argv0": os.path.basename(sys.argv[0]), "path": sys.path[:4],
                  "preloaded": "pracops.budget.chain" in sys.modules}))"""

PLOT = """import matplotlib.pyplot as plt
print(plt.get_backend())
plt.plot([1, 2])
plt.show()"""


@pytest.fixture
def zygote(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """This process's zygote, started in the test itself: a variable that differs between
    the zygote and the asker (pytest changes PYTEST_CURRENT_TEST at each phase) would make
    every kernel start the ordinary way."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir()
    started: list[warm.Zygote] = []

    def start() -> warm.Zygote:
        monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
        started.append(warm.start_zygote())
        return started[-1]

    yield start
    warm.stop_zygote()


def _execute(folder: Path) -> tuple[dict, str, list[str]]:
    """Run the probe notebook in ``folder`` as a report's worker does; what it printed."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE),
                                         nbformat.v4.new_code_cell(PLOT)])
    nbformat.write(nb, folder / "probe.ipynb")
    out = pm.execute_notebook(
        str(folder / "probe.ipynb"), str(folder / "out.ipynb"), kernel_name="python3",
        progress_bar=False, cwd=str(folder), kernel_manager_class=execution._kernel_manager_class(),
        shutdown_kernel="immediate")
    probe = json.loads(out.cells[0].outputs[0].text)
    backend = out.cells[1].outputs[0].text.strip()
    kinds = [k for o in out.cells[1].outputs for k in o.get("data", {})]
    return probe, backend, kinds


def test_a_warm_kernel_runs_a_notebook_as_a_new_one_does(zygote, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    z = zygote()
    monkeypatch.setenv("PRACOPS_RUN_DIR", str(tmp_path / "run"))
    folder = tmp_path / "nb"
    folder.mkdir()
    probe, backend, kinds = _execute(folder)
    assert {k: v for k, v in probe.items() if k not in ("argv0", "path")} == {
        "cwd": str(folder), "ppid": z._process.pid, "run_dir": str(tmp_path / "run"),
        "preloaded": True}
    assert probe["argv0"] == "ipykernel_launcher.py"
    assert str(folder) not in probe["path"]  # as ipykernel_launcher: '' comes later, from IPython
    assert backend == INLINE
    assert "image/png" in kinds

    warm.stop_zygote()  # the same notebook in a kernel started the ordinary way
    cold, cold_backend, cold_kinds = _execute(folder)
    assert cold == {**probe, "ppid": os.getpid(), "preloaded": False}
    assert (cold_backend, cold_kinds) == (backend, kinds)


def test_a_kernel_starts_the_ordinary_way_once_the_zygote_is_gone(zygote, tmp_path: Path) -> None:
    z = zygote()
    z._process.kill()
    z._process.wait()
    probe, _, kinds = _execute(tmp_path)
    assert probe["ppid"] == os.getpid()
    assert not probe["preloaded"]
    assert "image/png" in kinds


def test_a_forked_kernel_ends_with_the_process_that_asked_for_it(zygote, tmp_path: Path) -> None:
    z = zygote()
    read, write = os.pipe()
    asker = os.fork()
    if asker == 0:  # a report's worker: asks, then waits to be killed
        try:
            os.close(read)
            kernel = z.launch(
                [sys.executable, "-m", "ipykernel_launcher", "-f", str(tmp_path / "k.json")],
                dict(os.environ), str(tmp_path))
            os.write(write, str(kernel.pid).encode())
            time.sleep(120)
        finally:
            os._exit(0)
    os.close(write)
    pid = int(os.read(read, 32))
    os.close(read)
    kernel = psutil.Process(pid)
    deadline = time.monotonic() + 10  # the child names itself first thing after the fork
    while kernel.name() != warm.KERNEL_NAME and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kernel.name() == warm.KERNEL_NAME
    assert kernel.ppid() == z._process.pid
    assert kernel.is_running()
    os.kill(asker, signal.SIGKILL)
    os.waitpid(asker, 0)
    kernel.wait(timeout=10)  # psutil.TimeoutExpired if it outlived its asker
    assert not psutil.pid_exists(pid) or kernel.status() == psutil.STATUS_ZOMBIE


def test_only_a_kernel_the_zygote_can_be_is_forked(zygote) -> None:
    z = zygote()
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel-1.json"]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    assert z.serves(cmd, {**env, "PRACOPS_RUN_DIR": "/x", "JPY_PARENT_PID": "1"})
    assert z.serves(cmd, {**env, "MPLBACKEND": INLINE})
    huge = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=2097152"
    assert not z.serves(cmd, {**env, "GLIBC_TUNABLES": huge})  # read when Python starts
    assert not z.serves(cmd, {**env, "MPLBACKEND": "agg"})
    assert not z.serves(cmd, {k: v for k, v in env.items() if k != "PATH"})
    assert not z.serves(["/usr/bin/python3", *cmd[1:]], env)
    assert not z.serves([sys.executable, "-m", "another_kernel", "-f", "k.json"], env)


def test_the_zygote_imports_every_report_s_modules() -> None:
    from pracops.registry import PACKAGES

    modules = warm.preload_modules(PACKAGES)
    for package in PACKAGES:
        assert f"pracops.{package}.chain" in modules
        assert f"pracops.{package}.view" in modules
    assert modules.index("ipykernel.kernelapp") < modules.index("pracops.billing.chain")


def test_no_zygote_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRACOPS_WARM_KERNELS", "0")
    assert not warm.wanted()
    monkeypatch.setenv("PRACOPS_WARM_KERNELS", "1")
    assert warm.wanted()


def test_a_notebook_folder_with_a_matplotlibrc_gets_a_new_kernel(zygote, tmp_path: Path) -> None:
    z = zygote()
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel-1.json"]
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    assert z.serves(cmd, env, str(tmp_path))
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 7\n")
    assert not z.serves(cmd, env, str(tmp_path))  # matplotlib reads it when imported


def test_warm_kernels_draw_numpy_s_random_state_anew(zygote, tmp_path: Path) -> None:
    zygote()
    draws = set()
    for _ in range(2):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import numpy as np, os\nprint(os.getppid(), np.random.random())")])
        nbformat.write(nb, tmp_path / "draw.ipynb")
        out = pm.execute_notebook(
            str(tmp_path / "draw.ipynb"), str(tmp_path / "out.ipynb"), kernel_name="python3",
            progress_bar=False, cwd=str(tmp_path),
            kernel_manager_class=execution._kernel_manager_class(), shutdown_kernel="immediate")
        ppid, value = out.cells[0].outputs[0].text.split()
        assert int(ppid) == warm.current_zygote()._process.pid
        draws.add(value)
    assert len(draws) == 2  # the zygote's state, drawn when it imported numpy, is not shared


def test_a_zygote_that_cannot_start_leaves_kernels_to_start_anew(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(self, modules):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(warm.Zygote, "__init__", fails)
    assert warm.start_zygote() is None  # at once, not a wait for a zygote that never comes
    assert warm.current_zygote() is None
