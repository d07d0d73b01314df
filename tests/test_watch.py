"""The runner's watch on a report's kernel (`pracops.runner.watch`), on real `pracops run`s.

The fixture report's first cells make its own kernel misbehave as ipykernel 7 now and then does
under load: it leaves the next request unread until another arrives (``strand``,
ipython/ipykernel#1554), never begins a cell again (``drop``), runs a cell and loses its reply
(``lose_reply``) or answers nothing after the last cell (``deaf``: papermill's closing
``kernel_info`` request); on the report's second run (a marker file written by the first) there
is no fault, but for ``always``. A kernel that answers nothing for longer than the stall before
its cell begins (``gil``: as a cell holding the GIL from its first instruction, whose ``busy``
status waits for the GIL too) and a sleeping report show that a cell the kernel is computing is
not cut short. All the runs start at once, with short stalls
(``PRACOPS_KERNEL_STALL_SECONDS``); every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "notebooks"
PRACOPS = Path(sys.executable).parent / "pracops"
STALL = 6  # seconds: a nudge each second
LIMIT = 240  # seconds for every run together on a busy machine

RUNS = {  # name: (notebooks, report, parameters, stall seconds)
    "strand": ("stalling", "fixture_stall", {"fault": "strand"}, STALL),
    "drop": ("stalling", "fixture_stall", {"fault": "drop"}, STALL),
    "lose_reply": ("stalling", "fixture_stall", {"fault": "lose_reply"}, STALL),
    "deaf": ("stalling", "fixture_stall", {"fault": "deaf"}, STALL),
    "always": ("stalling", "fixture_stall", {"fault": "always"}, STALL),
    "gil": ("stalling", "fixture_stall", {"fault": "gil", "hold": str(3 * STALL)}, STALL),
    # a 15 s cell, longer than the stall: begun, so never nudged away
    "computing": ("stopping", "fixture_sleep", {"seconds": "15"}, 12),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("watch")
    started = {}
    for name, (folder, report, params, stall) in RUNS.items():
        marker = tmp / f"{name}.marker"
        args = [str(PRACOPS), "--notebooks", str(FIXTURES / folder), "run", report,
                "--out", str(tmp / name)]
        for key, value in {**params, "marker": str(marker)}.items():
            args += ["-p", key, value]
        env = dict(os.environ, PYTHONPATH=str(ROOT), PRACOPS_KERNEL_STALL_SECONDS=str(stall))
        started[name] = (subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True, env=env, cwd=tmp, start_new_session=True),
                         report, marker)
    done = {}
    for name, (proc, report, marker) in started.items():
        try:
            out, err = proc.communicate(timeout=LIMIT)
        except subprocess.TimeoutExpired:
            for p, *_ in started.values():
                p.kill()
            raise
        (run_dir,) = (tmp / name).iterdir()
        done[name] = {
            "rc": proc.returncode, "stdout": out, "stderr": err, "marker": marker,
            "run_dir": run_dir, "summary": json.loads((run_dir / f"{report}.json").read_text()),
            "log": (run_dir / "logs" / f"{report}.log").read_text(),
        }
    return done


def nudges(log: str) -> list[str]:
    return [line for line in log.splitlines() if "nudged the kernel" in line]


def stalled(what: str) -> str:
    """The words of a stall of ``what``, with the seconds and nudges it took."""
    nudged = ("and (\\d+) nudges on new connections" if what.startswith("the closing") else
              "idle: it answered (\\d+) nudges")
    return rf"the kernel left {what} unanswered for (\d+) s, {nudged}"


def check_stall(match: re.Match[str] | None) -> None:
    assert match, "no stall in the words"
    seconds, answered = map(int, match.groups())
    assert seconds >= STALL and answered >= 1


def test_a_stranded_request_is_read_after_a_nudge(runs) -> None:
    run = runs["strand"]
    assert run["rc"] == 0, run["stderr"]
    assert run["summary"]["status"] == "ok"
    assert run["summary"]["figures"] == {"value": 42}
    assert "kernel_runs" not in run["summary"]["timings"]  # the first kernel finished
    seen = nudges(run["log"])
    assert seen and seen[0].startswith("pracops: code cell 3 of 3 unanswered after "), run["log"]
    assert seen[0].endswith("nudged the kernel on a new connection (it answered)")


@pytest.mark.parametrize(("name", "what"), [("drop", "code cell 3 of 3"),
                                            ("lose_reply", "code cell 2 of 3"),
                                            ("deaf", "the closing kernel_info request")])
def test_a_kernel_that_stalls_gets_a_second_run_with_a_new_kernel(runs, name: str,
                                                                  what: str) -> None:
    run = runs[name]
    assert run["rc"] == 0, run["stderr"]
    assert run["marker"].read_text() == "the first run stalled\n"
    summary = run["summary"]
    assert (summary["status"], summary["error"]) == ("ok", None)
    assert summary["figures"] == {"value": 42}
    assert summary["timings"]["kernel_runs"] == 2
    lines = [line for line in run["log"].splitlines() if line.startswith("pracops: run ")]
    assert len(lines) == 1, run["log"]
    check_stall(re.fullmatch("pracops: run 1: " + stalled(what), lines[0]))
    assert nudges(run["log"])
    # a deaf kernel answers no nudge; the others answer every one: they were idle
    answers = {line.endswith("(it answered)") for line in nudges(run["log"])}
    assert answers == ({False} if name == "deaf" else {True}), run["log"]


def test_a_kernel_that_stalls_twice_fails_its_report_in_one_line(runs) -> None:
    run = runs["always"]
    assert run["rc"] == 1
    summary = run["summary"]
    assert summary["status"] == "failed"
    assert summary["error"]["name"] == "KernelStalled"
    check_stall(re.fullmatch(
        "the report ran 2 times, each with a new kernel, and stalled each time; the last time "
        + stalled("code cell 3 of 3") + r" \(a fault of ipykernel under load, "
        r"docs/ARCHITECTURE\.md\); run the report again", summary["error"]["message"]))
    assert summary["timings"]["kernel_runs"] == 2
    assert "Traceback" not in run["stderr"] + run["stdout"]
    assert run["stderr"].strip() == f"pracops: fixture_stall failed: KernelStalled: " \
                                    f"{summary['error']['message']}"
    # the notebook as far as the second kernel ran: the fault cell ran, the stalled one not
    nb = json.loads((run["run_dir"] / "fixture_stall.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert "injected-parameters" in code[1]["metadata"]["tags"]
    assert [c["execution_count"] for c in code] == [1, 2, 3, None]


@pytest.mark.parametrize("name", ["gil", "computing"])
def test_a_cell_the_kernel_is_computing_is_never_cut_short(runs, name: str) -> None:
    run = runs[name]
    assert run["rc"] == 0, run["stderr"]
    summary = run["summary"]
    assert summary["status"] == "ok"
    assert summary["figures"] == ({"value": 42} if name == "gil" else {"slept_seconds": 15.0})
    assert "kernel_runs" not in summary["timings"]
    # longer than the stall, never stopped
    assert summary["timings"]["execute_seconds"] > (2 * STALL if name == "gil" else 15)
    if name == "gil":  # deaf to a nudge while it held the GIL: the silence started again
        assert any(line.endswith("(no answer)") for line in nudges(run["log"])), run["log"]


@pytest.mark.parametrize(("setting", "seconds", "said"), [
    (None, 60.0, False), ("90", 90.0, False), ("2.5", 2.5, False),
    ("sixty", 60.0, True), ("0", 60.0, True), ("-5", 60.0, True), ("inf", 60.0, True),
    ("nan", 60.0, True), ("", 60.0, True)])
def test_the_stall_setting_is_read_and_a_bad_one_said_in_the_log(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        setting: str | None, seconds: float, said: bool) -> None:
    from pracops.runner.watch import STALL_ENV, stall_seconds

    if setting is None:
        monkeypatch.delenv(STALL_ENV, raising=False)
    else:
        monkeypatch.setenv(STALL_ENV, setting)
    assert stall_seconds() == seconds
    log = capsys.readouterr().err.splitlines()
    if said:
        assert log == [f"pracops: {STALL_ENV}={setting!r} is not a positive number of seconds: "
                       "the default 60 s is used; set it to a number such as 120, or unset it"]
    else:
        assert log == []
