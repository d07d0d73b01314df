"""pracops.runner and the `pracops run` command, on two fixture notebooks (one fails).

The notebooks are executed for real (papermill, a python3 kernel) once per module; the tests
then read what landed in the run folder.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest

from pracops import report, runner
from pracops.errors import DataError, ParameterError, PracopsError
from pracops.parameters import Parameter

FIXTURES = Path(__file__).parent / "fixtures"
NOTEBOOKS = FIXTURES / "notebooks"
PARAMS = FIXTURES / "parameters"


def pracops_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pracops.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`pracops run` over both fixtures: yaml sets a=3, -f sets b, -p overrides a, adds an alert."""
    tmp = tmp_path_factory.mktemp("cli")
    pfile = tmp / "override.yaml"
    pfile.write_text("b: 1.5\nfixture_ok.label: from -f\n")
    data = tmp / "data"
    data.mkdir()
    (data / "notes.txt").write_text("claim_id\nC1\n")  # no dataset's name: not validated
    out = tmp / "out"
    proc = pracops_cli("--notebooks", str(NOTEBOOKS), "run", "--parameters", str(PARAMS),
                       "--out", str(out), "-f", str(pfile), "-p", "a", "5",
                       "-p", "threshold", "1", "--data", str(data), cwd=tmp)
    run_dirs = sorted(out.iterdir())
    return {"proc": proc, "out": out, "run_dir": run_dirs[0], "runs": run_dirs, "data": data}


def test_cli_exit_status_and_output(cli_run: dict) -> None:
    proc = cli_run["proc"]
    assert proc.returncode == 1, proc.stderr  # one report failed, the other ran
    assert proc.stdout.strip() == str(cli_run["run_dir"] / "index.html")
    assert "fixture_fail failed: ValueError: deliberate failure with n=1" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "TCP without encryption" not in proc.stderr
    assert len(cli_run["runs"]) == 1


def test_summary_of_successful_report(cli_run: dict) -> None:
    summary = json.loads((cli_run["run_dir"] / "fixture_ok.json").read_text())
    assert summary["status"] == "ok"
    assert summary["error"] is None
    # yaml a=3 < -f (no a) < -p a=5; b=1.5 from -f; data_dir from --data
    assert summary["parameters"] == {
        "a": 5, "b": 1.5, "label": "from -f", "threshold": 1,
        "data_dir": str(cli_run["data"].resolve()),
    }
    assert summary["figures"] == {"total": 6.5, "items_count": 3, "label": "from -f",
                                  "sample_charges_cents": 123456}
    assert summary["headline"] == ["total", "sample_charges_cents"]
    assert summary["alerts"] == [{"level": "critical",
                                  "message": "Total 6.5 is above the threshold 1.",
                                  "key": "total"}]
    t = summary["timings"]
    assert t["seconds"] >= t["execute_seconds"] > 0
    assert summary["files"] == {"ipynb": "fixture_ok.ipynb", "html": "fixture_ok.html",
                                "json": "fixture_ok.json",
                                "attachments": ["fixture_ok_files/note.csv"]}
    note = cli_run["run_dir"] / "fixture_ok_files" / "note.csv"
    assert note.read_text() == "total\n6.5\n"


def test_summary_of_failed_report(cli_run: dict) -> None:
    run_dir = cli_run["run_dir"]
    summary = json.loads((run_dir / "fixture_fail.json").read_text())
    assert summary["status"] == "failed"
    assert summary["error"] == {"name": "ValueError", "message": "deliberate failure with n=1"}
    assert summary["figures"] == {"before_failure": 1}  # the cell after the error never ran
    nb = nbformat.read(run_dir / "fixture_fail.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert [e["ename"] for e in errors] == ["ValueError"]
    html = (run_dir / "fixture_fail.html").read_text()
    assert "deliberate failure with n=1" in html


def test_html_is_offline_without_code(cli_run: dict) -> None:
    html = (cli_run["run_dir"] / "fixture_ok.html").read_text()
    assert len(html.encode()) < 1_000_000
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']https?:", html)
    assert "cdnjs" not in html and "unpkg" not in html and "require.js" not in html
    assert "report.record(" not in html and "ax.set_title" not in html  # no code
    assert "first addend" not in html  # no parameters cell
    assert "Parameters" not in html  # no injected-parameters cell
    assert "jp-InputPrompt" not in html.split("</style>")[-1]  # no prompts
    assert "jp-OutputPrompt" not in html.split("</style>")[-1]
    assert "data:image/png;base64," in html  # the chart is embedded
    assert "Done: the total is shown above." in html  # markdown stays
    assert "Total 6.5 is above the threshold 1." in html  # the alert box
    assert "application/vnd.pracops.record+json" not in html


def test_manifest(cli_run: dict) -> None:
    run_dir = cli_run["run_dir"]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["run_id"] == run_dir.name
    assert manifest["reports"] == {"fixture_fail": "failed", "fixture_ok": "ok"}
    claims = cli_run["data"] / "notes.txt"
    expected = hashlib.sha256(b"claim_id\nC1\n").hexdigest()
    assert manifest["inputs"] == [{"path": str(claims.resolve()), "bytes": 12,
                                   "sha256": expected}]
    assert {Path(n["path"]).name for n in manifest["notebooks"]} == {
        "fixture_ok.ipynb", "fixture_fail.ipynb"}
    for key in ("python", "papermill", "nbconvert", "pandas", "pracops"):
        assert manifest["versions"][key]
    assert manifest["start"] <= manifest["end"]
    assert manifest["command"][:2] == ["pracops", "--notebooks"]


def test_index_page(cli_run: dict) -> None:
    html = (cli_run["run_dir"] / "index.html").read_text()
    assert "href='fixture_ok.html'" in html and "href='fixture_fail.html'" in html
    assert "$1,234.56" in html  # headline figure, formatted as money by its _cents name
    assert "<td>Total</td><td class='v'>6.5</td>" in html  # one decimal, as the reports write
    assert "Total 6.5 is above the threshold 1." in html
    assert "ValueError: deliberate failure with n=1" in html
    assert "1 of 2 reports ran" in html
    assert "href='fixture_ok_files/note.csv'" in html


def test_no_temporary_files_left(cli_run: dict) -> None:
    names = [p.name for p in cli_run["run_dir"].iterdir()]
    assert sorted(n for n in names if n != "logs") == sorted([
        "fixture_fail.html", "fixture_fail.ipynb", "fixture_fail.json",
        "fixture_ok.html", "fixture_ok.ipynb", "fixture_ok.json", "fixture_ok_files",
        "index.html", "manifest.json"])
    log = (cli_run["run_dir"] / "logs" / "fixture_ok.log").read_text()
    assert "Traceback" not in log


def test_run_in_process_no_html_and_progress(tmp_path: Path) -> None:
    reports = runner.check_reports(["fixture_ok"], runner.discover(NOTEBOOKS))
    params = runner.resolve_parameters(reports, parameters_dir=tmp_path)  # no yaml: defaults
    lines: list[str] = []
    first = runner.run(reports, params, out=tmp_path, jobs=1, html=False, progress=lines.append)
    assert first.exit_code == 0
    assert [r.figures["total"] for r in first.reports] == [2.5]
    assert not (first.run_dir / "fixture_ok.html").exists()
    assert lines[0] == "started   fixture_ok"
    assert re.fullmatch(r"finished  fixture_ok in \d+\.\d s", lines[1])
    second = runner.run([], {}, out=tmp_path)
    assert second.run_dir != first.run_dir  # no run overwrites another
    assert second.exit_code == 0
    assert "No report was run" in second.index.read_text()


_HUGE_KB = """
import ctypes, os

def huge_kb():
    try:
        with open("/proc/self/smaps_rollup") as fh:
            return next(int(line.split()[1]) for line in fh
                        if line.startswith("AnonHugePages:"))
    except (OSError, StopIteration):
        return -1

libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
before = huge_kb()
block = libc.malloc(64 << 20)  # above glibc's largest mmap threshold: a mapping of its own
ctypes.memset(block, 1, 64 << 20)
grown = huge_kb() - before if before >= 0 else None
tunables = os.environ.get("GLIBC_TUNABLES", "")
"""


def _huge_pages_show() -> bool:
    """Whether this machine shows what the tunable changes: glibc 2.35 or later, transparent
    huge pages given only where advised (``madvise``; with ``always`` every block gets them
    anyway) in 2 MB pages, and ``smaps_rollup`` to count them."""
    try:
        found = re.fullmatch(r"glibc (\d+)\.(\d+).*", os.confstr("CS_GNU_LIBC_VERSION") or "")
    except (ValueError, OSError, AttributeError):  # not glibc, not Linux
        return False
    thp = Path("/sys/kernel/mm/transparent_hugepage")
    try:
        mode = re.search(r"\[(\w+)\]", (thp / "enabled").read_text())
        size = int((thp / "hpage_pmd_size").read_text())
    except (OSError, ValueError):
        return False
    return (found is not None and tuple(map(int, found.groups())) >= (2, 35)
            and mode is not None and mode.group(1) == "madvise" and size == 2 << 20
            and Path("/proc/self/smaps_rollup").is_file())


def test_a_report_kernel_on_a_large_folder_backs_its_blocks_with_huge_pages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runner starts the kernel of a report on a data folder of 256 MB or more with glibc's
    hugetlb tunable, and one on a small folder without it; where the machine shows it, a 64 MB
    block the first kernel allocates and writes lies in 2 MB pages and the second's does not.
    """
    from pracops.memory import HUGE_PAGES_FROM

    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Pages\n\nThe kernel's large blocks."),
                nbformat.v4.new_code_cell("data_dir: str = ''  # the data folder",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(_HUGE_KB + "from pracops import report\n"
                                          "report.record('huge_kb', grown)\n"
                                          "report.record('tunables', tunables)")]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, notebooks / "pages.ipynb")
    reports = list(runner.discover(notebooks).values())
    large, small = tmp_path / "large", tmp_path / "small"
    (large / "era").mkdir(parents=True)
    small.mkdir()
    with open(large / "claims.csv", "wb") as fh:  # sparse: its size, not its blocks
        fh.truncate(HUGE_PAGES_FROM // 2)
    with open(large / "era" / "a.835", "wb") as fh:
        fh.truncate(HUGE_PAGES_FROM // 2)
    (small / "claims.csv").write_text("claim_id\n")
    seen = {}
    for folder in (large, small):
        res = runner.run(reports, {"pages": {"data_dir": str(folder)}}, out=tmp_path / "out",
                         html=False)
        assert res.exit_code == 0
        seen[folder.name] = res.reports[0].figures
    assert seen["large"]["tunables"] == "glibc.malloc.hugetlb=1"
    assert seen["small"]["tunables"] == ""
    if _huge_pages_show():
        assert seen["large"]["huge_kb"] >= 32 * 1024
        assert seen["small"]["huge_kb"] < 2 * 1024


def test_huge_pages_pay_counts_what_the_readers_would_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder's files and those below, a linked folder followed (once, even in a loop),
    ``~`` and a folder relative to the kernel's working folder taken as the kernel takes them."""
    from pracops.memory import HUGE_PAGES_FROM, folder_bytes, huge_pages_pay

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with open(elsewhere / "a.835", "wb") as fh:
        fh.truncate(HUGE_PAGES_FROM // 2 + 1)
    practice = tmp_path / "home" / "practice"
    practice.mkdir(parents=True)
    with open(practice / "claims.csv", "wb") as fh:
        fh.truncate(HUGE_PAGES_FROM // 2)
    (practice / "loop").symlink_to(practice)  # walked once
    assert not huge_pages_pay(practice)
    assert folder_bytes(practice) == HUGE_PAGES_FROM // 2
    (practice / "era").symlink_to(elsewhere)
    assert folder_bytes(practice) == HUGE_PAGES_FROM + 1
    assert huge_pages_pay(practice)
    assert huge_pages_pay(str(practice))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert huge_pages_pay("~/practice")
    assert huge_pages_pay("practice", cwd=tmp_path / "home")
    assert not huge_pages_pay("practice", cwd=tmp_path)
    assert not huge_pages_pay(None) and not huge_pages_pay("")
    assert not huge_pages_pay(practice / "claims.csv")  # not a folder


@pytest.mark.parametrize(("given", "expected"), [
    (None, "glibc.malloc.hugetlb=1"),
    ("", "glibc.malloc.hugetlb=1"),
    ("glibc.malloc.arena_max=2", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"),
    ("glibc.malloc.hugetlb=0", "glibc.malloc.hugetlb=0"),
    ("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2",
     "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2"),
])
def test_huge_pages_are_added_to_the_tunables_unless_set(given: str | None,
                                                         expected: str) -> None:
    from pracops.memory import with_huge_pages

    assert with_huge_pages(given) == expected


# --- parameters: checked before any kernel starts -----------------------------------------

def test_parameters_cell_is_parsed_with_types_and_comments() -> None:
    params = runner.notebook_parameters(NOTEBOOKS / "fixture_ok.ipynb")
    assert list(params) == ["a", "b", "label", "items", "threshold", "data_dir", "interactive"]
    assert params["a"] == Parameter("a", "int", 2, "first addend")
    # papermill's regex parser skips a string default containing '='; ours does not
    assert params["label"].default == "x=y"
    assert params["threshold"].optional and params["threshold"].type_label == "int | None"


def test_multiline_parameter_takes_the_comment_after_its_closing_bracket(tmp_path: Path) -> None:
    source = ('rates: dict = {\n    "a": 1,\n    "b": 2,\n}  # rate by role\n'
              'n: int = 3  # count\n')
    params = runner.notebook_parameters(_notebook_with(tmp_path, source))
    assert params["rates"] == Parameter("rates", "dict", {"a": 1, "b": 2}, "rate by role")
    assert params["n"].help == "count"


def _notebook_with(tmp_path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        source, metadata={"tags": ["parameters"]})])
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize(("source", "message"), [
    ("x = 1  # no annotation", "write each parameter as"),
    ("x: Literal['a'] = 'a'  # unsupported", "annotation \"Literal['a']\" is not supported"),
    ("x: int = len('a')  # not a literal", "must be a literal"),
    ("x: int = 'a'  # wrong default", "must be int"),
    ("x: int = (", "parameters cell line 1"),
])
def test_malformed_parameters_cell(tmp_path: Path, source: str, message: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        runner.notebook_parameters(_notebook_with(tmp_path, source))


@pytest.fixture
def reports() -> list[runner.Report]:
    return list(runner.discover(NOTEBOOKS).values())


def test_unknown_parameter_names_the_closest(reports: list[runner.Report]) -> None:
    with pytest.raises(ParameterError, match="unknown parameter 'treshold'; did you mean "
                                             "'threshold'"):
        runner.resolve_parameters(reports, overrides=[("treshold", "3")])
    with pytest.raises(ParameterError, match="fixture_fail has no parameter 'a'"):
        runner.resolve_parameters(reports, overrides=[("fixture_fail.a", "3")])
    with pytest.raises(ParameterError, match="'fixture_okk' is not a report"):
        runner.resolve_parameters(reports, overrides=[("fixture_okk.a", "3")])


@pytest.mark.parametrize(("key", "value", "message"), [
    ("a", "2.5", "must be int"),
    ("a", "true", "must be int"),
    ("b", "abc", "must be float"),
    ("interactive", "maybe", "must be bool"),
    ("items", "3", "must be list"),
])
def test_wrong_type_is_refused(reports: list[runner.Report], key: str, value: str,
                               message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        runner.resolve_parameters(reports, overrides=[(key, value)])


def test_values_are_converted_to_declared_types(reports: list[runner.Report]) -> None:
    got = runner.resolve_parameters(reports, parameters_dir=PARAMS, overrides=[
        ("b", "2"), ("label", "123"), ("threshold", "none"), ("items", "[x, 2]"),
        ("interactive", "false"), ("n", "7")])
    assert got["fixture_ok"] == {"a": 3, "b": 2.0, "label": "123", "threshold": None,
                                 "items": ["x", 2], "interactive": False}
    assert isinstance(got["fixture_ok"]["b"], float)
    assert got["fixture_fail"] == {"n": 7}


def test_sectioned_parameter_file(tmp_path: Path, reports: list[runner.Report]) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("fixture_ok:\n  a: 10\nfixture_fail:\n  n: 4\n")
    got = runner.resolve_parameters(reports, parameters_dir=tmp_path, files=[f])
    assert got == {"fixture_fail": {"n": 4}, "fixture_ok": {"a": 10}}


def test_bad_parameter_files(tmp_path: Path, reports: list[runner.Report]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(ParameterError, match=r"bad\.yaml line \d+"):
        runner.resolve_parameters(reports, files=[bad])
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(ParameterError, match="expected 'name: value' lines"):
        runner.resolve_parameters(reports, files=[listy])
    with pytest.raises(ParameterError, match="cannot read parameter file"):
        runner.resolve_parameters(reports, files=[tmp_path / "missing.yaml"])
    with pytest.raises(ParameterError, match="no such folder"):
        runner.resolve_parameters(reports, data=tmp_path / "nowhere")


def test_unknown_report(reports: list[runner.Report]) -> None:
    available = {r.name: r for r in reports}
    with pytest.raises(PracopsError, match="unknown report 'fixture_ko'; did you mean"):
        runner.check_reports(["fixture_ko"], available)
    assert runner.check_reports([], available) == reports


# --- CLI usage errors: exit 2, one line, no kernel -----------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["run", "nope"], "unknown report 'nope'"),
    (["run", "-p", "a", "x"], "must be int"),
    (["run", "-p", "treshold", "1"], "did you mean 'threshold'"),
    (["run", "--jobs", "0"], "--jobs must be at least 1"),
    (["run", "-f", "missing.yaml"], "cannot read parameter file"),
    (["frobnicate"], "invalid choice"),
])
def test_cli_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    proc = pracops_cli("--notebooks", str(NOTEBOOKS), *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 2
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "outputs").exists()


def test_cli_list() -> None:
    proc = pracops_cli("--notebooks", str(NOTEBOOKS), "list")
    assert proc.returncode == 0
    assert "fixture_ok: Fixture: a report that succeeds" in proc.stdout
    assert "    a: int = 2  # first addend" in proc.stdout
    assert "    threshold: int | None = None  # optional threshold" in proc.stdout


def test_progress_is_shown_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "pracops.cli", "--notebooks", str(NOTEBOOKS),
                           "run", "fixture_fail", "--out", str(tmp_path)],
                          stdout=subprocess.PIPE, stderr=slave, text=True, timeout=300)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end is closed: all read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    lines = [ln.strip() for ln in b"".join(chunks).decode().splitlines() if ln.strip()]
    assert proc.returncode == 1
    assert lines[0] == "started   fixture_fail"
    assert re.fullmatch(r"FAILED    fixture_fail in \d+\.\d s: ValueError: deliberate failure "
                        r"with n=1", lines[1])


# --- sample and validate ---------------------------------------------------------------------

def test_cli_sample_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "practice"
    proc = pracops_cli("sample", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "providers.csv").is_file() and not (out / "ground_truth.json").exists()
    again = pracops_cli("sample", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    ok = pracops_cli("validate", "--data", str(out))
    assert ok.returncode == 0 and "valid" in ok.stdout
    # break one value: a provider's FTE of 2.5 is out of range
    providers = out / "providers.csv"
    lines = providers.read_text().splitlines()
    fields = lines[2].split(",")
    fields[5] = "2.5"
    lines[2] = ",".join(fields)
    providers.write_text("\n".join(lines) + "\n")
    bad = pracops_cli("validate", "--data", str(out))
    assert bad.returncode == 2
    assert "providers.csv" in bad.stderr and "row 3" in bad.stderr and "fte" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = pracops_cli("validate", "--data", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr


def test_cli_run_refuses_bad_data_before_any_kernel(tmp_path: Path) -> None:
    data = tmp_path / "exports"
    data.mkdir()
    source = (Path(__file__).parents[1] / "pracops" / "sample" / "data" / "claims.csv")
    lines = source.read_text().splitlines()
    lines.append(lines[1])  # the first claim again: a duplicate claim id
    (data / "claims.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    proc = pracops_cli("--notebooks", str(NOTEBOOKS), "run", "--data", str(data), "--out",
                       str(out))
    assert proc.returncode == 2
    assert "claims.csv" in proc.stderr and "claim_id" in proc.stderr
    assert f"rows 2 and {len(lines)}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()  # refused before a run folder or kernel


# --- date parameters: a comment naming YYYY-MM-DD (or YYYY-MM) makes a parameter a date -----

def test_the_real_reports_date_parameters_are_found_by_their_comment() -> None:
    """The four first reports' date parameters, named by hand (a new report adds its own)."""
    reports = runner.discover()
    found = {name: {p.name: p.date_form for p in reports[name].parameters.values()
                    if p.date_form}
             for name in ("billing_reconciliation", "operating_budget", "purchasing",
                          "staffing_plan")}
    assert found == {
        "billing_reconciliation": {"as_of": "YYYY-MM-DD"},
        "operating_budget": {"closed_dates": "YYYY-MM-DD"},
        "purchasing": {"as_of": "YYYY-MM-DD"},
        "staffing_plan": {"plan_start": "YYYY-MM-DD", "closed_dates": "YYYY-MM-DD",
                          "backtest_month": "YYYY-MM"},
    }


DATES_CELL = (
    'as_of: str = ""  # report date YYYY-MM-DD; empty for the last date in the data\n'
    'start: str = "2024-01-01"  # first day (YYYY-MM-DD)\n'
    'closed: list = []  # days closed, YYYY-MM-DD\n'
    'month: str = ""  # month YYYY-MM held out; empty for the last\n'
    'label: str = "x"  # a label such as YYYY-MM-DDX (not a date: the form is part of a word)\n'
)


@pytest.fixture
def dated(tmp_path: Path) -> list[runner.Report]:
    path = _notebook_with(tmp_path, DATES_CELL)
    return [runner.Report("dated", path, "Dated", "")]


@pytest.mark.parametrize(("key", "value"), [
    ("as_of", ""), ("as_of", "2024-02-29"), ("as_of", "1900-01-01"), ("as_of", "2100-12-31"),
    ("closed", "[2024-12-25, 2025-01-01]"), ("month", "2024-12"), ("month", "1900-01"),
    ("label", "2024-02-30"),
])
def test_dates_accepted(dated: list[runner.Report], key: str, value: str) -> None:
    got = runner.resolve_parameters(dated, overrides=[(key, value)])["dated"][key]
    assert got == (["2024-12-25", "2025-01-01"] if key == "closed" else value)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("as_of", "2023-02-29", "parameter 'as_of' of dated must be a real date YYYY-MM-DD between "
     "1900-01-01 and 2100-12-31, got '2023-02-29'"),
    ("as_of", "1899-12-31", "got '1899-12-31'"),
    ("as_of", "2101-01-01", "got '2101-01-01'"),
    ("as_of", "2024-1-31", "got '2024-1-31'"),
    ("as_of", "2024-01-31 ", "got '2024-01-31 '"),
    ("as_of", "31/01/2024", "got '31/01/2024'"),
    ("start", "", "parameter 'start' of dated must be a real date YYYY-MM-DD"),  # no empty default
    ("closed", "[2024-12-25, 2024-12-32]", "parameter 'closed' of dated, item 2 must be a real "
     "date YYYY-MM-DD between 1900-01-01 and 2100-12-31, got '2024-12-32'"),
    ("closed", "[20241225]", "item 1 must be a real date"),
    ("month", "2024-12-01", "must be a real month YYYY-MM between 1900-01 and 2100-12, got "
     "'2024-12-01'"),
    ("month", "1899-12", "got '1899-12'"),
])
def test_dates_refused(dated: list[runner.Report], key: str, value: str, message: str) -> None:
    with pytest.raises(ParameterError, match=re.escape(message)):
        runner.resolve_parameters(dated, overrides=[(key, value)])


def test_unquoted_dates_in_a_parameter_file_stay_text(tmp_path: Path,
                                                      dated: list[runner.Report]) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("as_of: 2024-03-31\nclosed: [2024-12-25]\nlabel: 2024-02-30\n")
    got = runner.resolve_parameters(dated, files=[f])["dated"]
    assert got == {"as_of": "2024-03-31", "closed": ["2024-12-25"], "label": "2024-02-30"}
    f.write_text("as_of: 2024-02-30\n")  # YAML itself would fail on a day that does not exist
    with pytest.raises(ParameterError, match=re.escape(
            f"{f}: parameter 'as_of' of dated must be a real date YYYY-MM-DD")):
        runner.resolve_parameters(dated, files=[f])


def test_a_bad_date_default_is_an_error_of_the_notebook(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=re.escape(
            "default of 'start' must be a real date YYYY-MM-DD")):
        runner.notebook_parameters(_notebook_with(tmp_path, 'start: str = "2024-13-01"  '
                                                            '# first day, YYYY-MM-DD\n'))


def test_parameter_file_in_utf16_with_bom(tmp_path: Path, reports: list[runner.Report]) -> None:
    f = tmp_path / "p.yaml"
    f.write_bytes("a: 4\n".encode("utf-16"))  # with its byte-order mark
    assert runner.resolve_parameters(reports, parameters_dir=tmp_path, files=[f])[
        "fixture_ok"] == {"a": 4}


# --- the manifest never fails on an input it cannot hash --------------------------------------

def test_a_file_vanishing_between_listing_and_hashing_is_recorded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kept.csv").write_bytes(b"a\n1\n")
    listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda p: [*listdir(p), "vanished.csv"])
    assert runner.manifest.file_rows([tmp_path]) == [
        {"path": str(tmp_path / "kept.csv"), "bytes": 4,
         "sha256": hashlib.sha256(b"a\n1\n").hexdigest()},
        {"path": str(tmp_path / "vanished.csv"), "bytes": None, "sha256": None,
         "error": "cannot be read: No such file or directory"},
    ]


# --- the exported page: title, charts, interactive-only sections ------------------------------

def _shown(call: Any, *args: Any) -> list[nbformat.NotebookNode]:
    """The display outputs a ``pracops.report`` call leaves in a notebook cell."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as captured:
        call(*args)
    return [nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata)
            for o in captured.outputs]


def _page(*cells: nbformat.NotebookNode) -> str:
    return runner.export_html(nbformat.v4.new_notebook(cells=list(cells)))


def _title_of(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1))


class _Images(HTMLParser):
    """The attributes of each ``<img>`` of a page, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def test_export_leaves_out_interactive_only_sections() -> None:
    explore = nbformat.v4.new_markdown_cell("## Explore\n\nNeeds a live kernel.",
                                            metadata={"tags": ["interactive-only"]})
    widgets = nbformat.v4.new_code_cell("if interactive: ...", metadata={
        "tags": ["interactive-only"]}, outputs=[nbformat.v4.new_output(
            "display_data", data={"text/plain": "WIDGET-PLACEHOLDER"})])
    kept = nbformat.v4.new_markdown_cell("## Worklists")
    page = _page(nbformat.v4.new_markdown_cell("# Report"), kept, explore, widgets)
    assert "Worklists" in page
    assert "Explore" not in page and "Needs a live kernel" not in page
    assert "WIDGET-PLACEHOLDER" not in page
    assert _title_of(page) == "Notebook"  # no title given: nbconvert's


def test_page_title_names_the_practice_from_its_file(tmp_path: Path) -> None:
    (tmp_path / "practice.yaml").write_text('name: "Smith & <Jones>  Clinic"\n')
    outputs = _shown(report.page_title, "Billing reconciliation", str(tmp_path),
                     "as of 2025-12-31")
    page = _page(nbformat.v4.new_markdown_cell("# Billing reconciliation\n\nWhat is owed."),
                 nbformat.v4.new_code_cell("", outputs=outputs))
    title = "Billing reconciliation — Smith & <Jones> Clinic, as of 2025-12-31"
    assert _title_of(page) == title
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)
    assert [html.unescape(h) for h in headings] == [title]  # the notebook's own heading gives way
    assert "<Jones>" not in page  # input text is escaped, never markup
    assert "What is owed." in page
    assert page.count("Smith &amp; &lt;Jones&gt; Clinic") == 2  # the tab and the heading only


def test_page_title_without_a_practice_file_is_named_after_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "riverside_family-clinic"
    folder.mkdir()
    (outputs,) = _shown(report.page_title, "Purchasing", str(folder), "stock count 2025-12-31")
    bundle = outputs.data[report.RECORD_MIME]
    assert bundle == {"kind": "title",
                      "title": "Purchasing — riverside family clinic, stock count 2025-12-31"}


@pytest.mark.parametrize("text", ["name: [unclosed\n", "city: Maple Grove\n", "name: ''\n"])
def test_a_practice_file_without_a_name_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / "practice.yaml").write_text(text)
    with pytest.raises(DataError, match=r"(?s)practice\.yaml.*name: Maple Grove"):
        report.page_title("Purchasing", str(tmp_path), "stock count 2025-12-31")


def test_a_chart_is_shown_with_alt_text_from_its_labels() -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.bar(["Jan", "Feb"], [3, 4], label="Main")
    ax.bar(["Jan", "Feb"], [1, 2], label='North "B"')
    ax.set(title="Visits by month", xlabel="Month", ylabel="Visits")
    ax.legend()
    (shown,) = _shown(report.show_chart, fig)
    assert not plt.fignum_exists(fig.number)  # closed: no second copy at the end of the cell
    alt = 'Chart: Visits by month: Visits by Month; Main, North "B"'
    assert shown.metadata["image/png"]["alt"] == alt
    assert base64.b64decode(shown.data["image/png"]).startswith(b"\x89PNG")
    images = _Images()
    images.feed(_page(nbformat.v4.new_code_cell("", outputs=[shown])))
    assert [a["alt"] for a in images.found] == [alt]


def test_a_chart_takes_the_alt_text_it_is_given() -> None:
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    (shown,) = _shown(report.show_chart, fig, "Chart: nothing drawn yet")
    assert shown.metadata["image/png"]["alt"] == "Chart: nothing drawn yet"
