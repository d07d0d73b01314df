"""The `pracops` command and faults of its environment: one line saying what to fix, exit 2.

Tests run as root in CI, so a chmod does not make a path unwritable: unwritable places are a
path under a regular file and paths under /proc, which nobody can create files in.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pracops import cli

ROOT = Path(__file__).parents[1]
NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
PRACOPS = Path(sys.executable).parent / "pracops"  # the console script of this environment


def pracops(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([str(PRACOPS), *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def one_line_exit_2(proc: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    for text in expected:
        assert text in lines[0]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """A regular file, a folder, and parameter files that cannot be used."""
    (tmp_path / "a_file").write_text("not a folder\n")
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "not_yaml.yaml").write_text("a: [1, 2\n")
    (tmp_path / "a_list.yaml").write_text("- a\n- b\n")
    (tmp_path / "latin1.yaml").write_bytes("label: caf\xe9\n".encode("latin-1"))
    return {p.stem: p for p in tmp_path.iterdir()}


@pytest.mark.parametrize(("args", "expected"), [
    (["--out", "{a_file}"], ["output folder {a_file} is a file, not a folder", "--out"]),
    (["--out", "{a_file}/run"], ["output folder {a_file}/run lies under a file"]),
    (["--out", "/proc/pracops-test"], ["output folder /proc/pracops-test cannot be written"]),
    (["-f", "{a_folder}"], ["parameter file {a_folder} is a folder"]),
    (["-f", "{not_yaml}"], ["parameter file {not_yaml} line 2", "YAML"]),
    (["-f", "{a_list}"], ["expected 'name: value' lines, got a list"]),
    (["-f", "{latin1}"], ["is not UTF-8 text (byte 10 cannot be read); save it as UTF-8"]),
    (["-f", "{a_folder}/missing.yaml"], ["cannot read parameter file", "No such file"]),
    (["--parameters", "{a_file}"], ["--parameters {a_file}: not a folder"]),
    (["--parameters", "{a_folder}/nowhere"], ["not a folder"]),
], ids=["out-is-a-file", "out-under-a-file", "out-in-proc", "f-is-a-folder", "f-not-yaml",
        "f-not-a-mapping", "f-not-utf8", "f-missing", "parameters-a-file",
        "parameters-missing"])
def test_run_environment_faults(tmp_path: Path, places: dict[str, Path], args: list[str],
                                expected: list[str]) -> None:
    names = {k: str(v) for k, v in places.items()}
    proc = pracops("--notebooks", str(NOTEBOOKS), "run", "fixture_ok",
                   *[a.format(**names) for a in args], cwd=tmp_path)
    one_line_exit_2(proc, *[e.format(**names) for e in expected])
    assert not (tmp_path / "outputs").exists()  # nothing ran


def test_an_oserror_in_any_command_is_one_line(tmp_path: Path, places: dict[str, Path]) -> None:
    proc = pracops("sample", "--out", f"{places['a_file']}/sample", cwd=tmp_path)
    one_line_exit_2(proc, f"pracops: error: {places['a_file']}/sample: a file stands where a "
                          "folder is expected; check the path")


def test_debug_adds_the_traceback(tmp_path: Path, places: dict[str, Path]) -> None:
    for args in (["--debug", "run"], ["run", "--debug"]):
        proc = pracops("--notebooks", str(NOTEBOOKS), *args, "--out", str(places["a_file"]),
                       cwd=tmp_path)
        assert proc.returncode == 2
        assert proc.stderr.startswith("Traceback (most recent call last):")
        assert proc.stderr.splitlines()[-1] == (
            f"pracops: error: output folder {places['a_file']} is a file, not a folder; give "
            "--out a folder you can write to")


@pytest.mark.parametrize(("args", "expected"), [
    (["-p", "as_of", "1899-12-31"], "parameter 'as_of' of billing_reconciliation must be a real "
     "date YYYY-MM-DD between 1900-01-01 and 2100-12-31, got '1899-12-31'"),
    (["-p", "billing_reconciliation.as_of", "2024-02-30"], "got '2024-02-30'"),
    (["-p", "as_of", "2101-01-01"], "got '2101-01-01'"),
    (["-p", "as_of", "24-1-31"], "got '24-1-31'"),
    (["-p", "staffing_plan.closed_dates", "[2026-12-25, 2026-13-01]"],
     "parameter 'closed_dates' of staffing_plan, item 2 must be a real date YYYY-MM-DD"),
    (["-p", "backtest_month", "2025-13"], "parameter 'backtest_month' of staffing_plan must be "
     "a real month YYYY-MM between 1900-01 and 2100-12, got '2025-13'"),
    (["-f", "{dates}"], "parameter 'plan_start' of staffing_plan must be a real date"),
], ids=["before-1900", "no-such-day", "after-2100", "short-form", "list-item", "month",
        "unquoted-in-yaml"])
def test_bad_dates_of_the_real_reports_are_refused_before_any_kernel(
        tmp_path: Path, args: list[str], expected: str) -> None:
    dates = tmp_path / "dates.yaml"
    dates.write_text("staffing_plan:\n  plan_start: 2026-02-29\n")  # 2026 is no leap year
    out = tmp_path / "out"
    proc = pracops("run", "--out", str(out), *[a.format(dates=dates) for a in args],
                   cwd=tmp_path)
    one_line_exit_2(proc, expected)
    assert not out.exists()


def test_manifest_records_inputs_that_cannot_be_hashed(tmp_path: Path) -> None:
    data = tmp_path / "exports"
    data.mkdir()
    (data / "notes.txt").write_text("kept\n")
    (data / "loop_a.txt").symlink_to(data / "loop_b.txt")
    (data / "loop_b.txt").symlink_to(data / "loop_a.txt")
    (data / "dangling.txt").symlink_to(data / "gone.txt")
    os.mkfifo(data / "pipe.txt")  # opening it would wait for a writer forever
    (data / "sub").mkdir()
    (data / "sub" / "up").symlink_to(data)  # a loop of folders: each real folder listed once
    out = tmp_path / "out"
    proc = pracops("--notebooks", str(NOTEBOOKS), "run", "fixture_ok", "--no-html", "--data",
                   str(data), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads(next(out.iterdir()).joinpath("manifest.json").read_text())
    rows = {Path(r["path"]).relative_to(data.resolve()).as_posix(): r
            for r in manifest["inputs"]}
    assert rows == {
        "dangling.txt": {"path": str(data.resolve() / "dangling.txt"), "bytes": None,
                         "sha256": None, "error": "cannot be read: No such file or directory"},
        "loop_a.txt": {"path": str(data.resolve() / "loop_a.txt"), "bytes": None,
                       "sha256": None,
                       "error": "cannot be read: Too many levels of symbolic links"},
        "loop_b.txt": {"path": str(data.resolve() / "loop_b.txt"), "bytes": None,
                       "sha256": None,
                       "error": "cannot be read: Too many levels of symbolic links"},
        "notes.txt": {"path": str(data.resolve() / "notes.txt"), "bytes": 5,
                      "sha256": hashlib.sha256(b"kept\n").hexdigest()},
        "pipe.txt": {"path": str(data.resolve() / "pipe.txt"), "bytes": None, "sha256": None,
                     "error": "not a regular file (a pipe, socket or device): not read"},
    }


def test_internal_error_is_one_line_exit_1(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    def broken(_args: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_cmd_list", broken)
    assert cli.main(["list"]) == 1
    err = capsys.readouterr().err
    assert err == ("pracops: internal error: KeyError: 'a bug' (run with --debug for the "
                   "traceback)\n")
    assert cli.main(["--debug", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.splitlines()[-1] == "pracops: internal error: KeyError: 'a bug'"


def test_a_stop_before_the_run_starts_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from pracops import runner

    def stopped_while_checking(*_args: object, **_kw: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill PID` while parameters are checked

    monkeypatch.setattr(runner, "discover", stopped_while_checking)
    before = signal.getsignal(signal.SIGTERM)
    assert cli.main(["run"]) == 143
    assert capsys.readouterr().err == "pracops: stopped by SIGTERM\n"
    assert signal.getsignal(signal.SIGTERM) is before  # main() put back what it found
