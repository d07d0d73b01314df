"""Issue 18: many practices on a Dask cluster. ``practices.yaml`` refused line by line; a
``LocalCluster`` of 2 workers over 3 practices, one refused for bad input and one for a bad
parameter while the others run, each practice's figures those of a single-practice run; a real
``dask scheduler`` and two ``dask worker`` processes on loopback, one worker killed mid-run and
the run still complete with the retry recorded; Ctrl-C marking every unfinished page
``interrupted``; the group pages' totals and medians against the practices' own figures.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pracops import config, registry, runner
from pracops.errors import ParameterError
from pracops.group import cluster, page, practices, run

FAST = ["operating_budget", "purchasing"]  # two reports of a few seconds each


def _copy_sample(folder: Path) -> Path:
    shutil.copytree(config.SAMPLE_DIR, folder)
    (folder / "ground_truth.json").unlink()
    return folder


def _listing(tmp: Path, entries: list[dict]) -> Path:
    path = tmp / "practices.yaml"
    path.write_text(yaml.safe_dump({"practices": entries}, sort_keys=False), encoding="utf-8")
    return path


# --- practices.yaml ---------------------------------------------------------------------------


@pytest.mark.parametrize(("entries", "expected"), [
    ([{"id": "a b", "data": "x/"}], "id 'a b' is not usable as a folder name"),
    ([{"id": "-a", "data": "x/"}], "id '-a' is not usable"),
    ([{"id": "a", "data": "x/"}, {"id": "A", "data": "x/"}], "id 'A' is already practice 1's"),
    ([{"id": "a", "data": "nowhere/"}], "data 'nowhere/': no such folder"),
    ([{"id": "a", "data": "x/", "reports": ["billing"]}],
     "reports: unknown report 'billing' (reports: billing_reconciliation, "),
    ([{"id": "a", "data": "x/", "report": ["purchasing"]}],
     "unknown field 'report'; did you mean 'reports'? (the fields: id, name,"),
    ([{"id": "a", "data": "x/", "parameters": {"purchasing": 3}}],
     "parameters must map each report to its overrides"),
    ([], "'practices:' must be a list of at least one practice"),
    (["a"], "practice 1: expected a mapping"),
])
def test_a_bad_practices_file_is_one_line_naming_the_practice_and_field(
        tmp_path: Path, entries: list, expected: str) -> None:
    (tmp_path / "x").mkdir()
    path = _listing(tmp_path, entries)
    with pytest.raises(ParameterError) as caught:
        practices.load_practices(path, list(registry.reports()))
    message = str(caught.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_practices_read_with_folders_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    path = _listing(tmp_path, [{"id": "maple-grove", "name": "Maple Grove", "data": "x/",
                                "reports": ["purchasing", "purchasing"],
                                "parameters": {"purchasing": {"service_level": 0.9}}}])
    [p] = practices.load_practices(path, list(registry.reports()))
    assert (p.id, p.name, p.data, p.reports) == ("maple-grove", "Maple Grove",
                                                  (tmp_path / "x").resolve(), ("purchasing",))
    assert p.parameters == {"purchasing": {"service_level": 0.9}}


# --- a local cluster over three practices -------------------------------------------------------


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Four practices on a LocalCluster of 2 workers: two good, one with a broken file, one
    with a parameter out of range."""
    tmp = tmp_path_factory.mktemp("group")
    for name in ("alpha", "beta", "broken", "badparam"):
        _copy_sample(tmp / name)
    (tmp / "beta" / "practice.yaml").write_text(
        '# a name in markup, shown as text on every page (and beta the larger practice)\n'
        'name: "Beta & <b>Clinic</b>"\n')
    items = tmp / "broken" / "items.csv"
    lines = items.read_text().splitlines()
    lines[3] = lines[3].replace(",", ",x,", 1)
    items.write_text("\n".join(lines) + "\n")
    path = _listing(tmp, [
        {"id": "alpha", "name": "Alpha Family Medicine", "data": "alpha/"},
        {"id": "beta", "name": "Beta & <b>Clinic</b>", "data": "beta/",
         "parameters": {"purchasing": {"service_level": 0.9}}},
        {"id": "broken", "data": "broken/"},
        {"id": "badparam", "data": "badparam/", "parameters": {"purchasing": {"service_level": 7}}},
    ])
    available = runner.discover()
    runs = run.plan(practices.load_practices(path, list(available)), FAST, available)
    lines_said: list[str] = []
    with cluster.connect(workers=2, dashboard=None) as client:
        result = run.run_group(runs, client, out=tmp / "out", say=lines_said.append)
    return {"tmp": tmp, "result": result, "said": lines_said}


def test_bad_practices_are_refused_and_the_others_run(group: dict) -> None:
    result = group["result"]
    status = {p.practice.id: p.status for p in result.practices}
    assert status == {"alpha": "ok", "beta": "ok", "broken": "refused", "badparam": "refused"}
    refused = {p.practice.id: p.refused for p in result.practices if p.refused}
    assert "broken/items.csv, row 4" in refused["broken"][0]
    assert "parameter 'service_level' of purchasing" in refused["badparam"][0]
    assert result.exit_code == 2
    assert not (result.run_dir / "broken").exists()
    said = group["said"]
    assert any(s.startswith("refused   broken: ") for s in said)
    assert "finished  alpha: 2 of 2 reports ok" in said


def test_the_larger_practice_runs_first(group: dict) -> None:
    """Longest processing time first: beta, listed after alpha, has alpha's data but a longer
    practice.yaml, so beta's reports take both workers first and alpha's start only as they
    finish."""
    from pracops.group.tasks import ATTEMPTS

    def size(pid: str) -> int:
        return sum(f.stat().st_size for f in (group["tmp"] / pid).iterdir() if f.is_file())

    assert size("beta") > size("alpha")

    def starts(pid: str) -> list[float]:
        folder = group["result"].run_dir / pid
        return [json.loads(line)["start"] for name in FAST
                for line in (folder / ATTEMPTS.format(report=name)).read_text().splitlines()]

    assert max(starts("beta")) < min(starts("alpha"))


def test_each_practice_folder_is_a_single_practice_run(group: dict,
                                                       tmp_path: Path) -> None:
    """The same files, statuses and figures as ``pracops run`` on that practice alone."""
    result = group["result"]
    reports = runner.check_reports(FAST, runner.discover())
    for pid, extra in (("alpha", {}), ("beta", {"purchasing": {"service_level": 0.9}})):
        folder = result.run_dir / pid
        params = runner.resolve_parameters(reports, data=str(group["tmp"] / pid),
                                           sections=[("test", extra)])
        alone = runner.run(reports, params, out=tmp_path / pid).run_dir
        for name in FAST:
            mine = json.loads((folder / f"{name}.json").read_text())
            theirs = json.loads((alone / f"{name}.json").read_text())
            assert mine["status"] == "ok"
            for key in ("figures", "headline", "alerts", "parameters"):
                assert mine[key] == theirs[key], (pid, name, key)
            assert mine["timings"]["attempts"] == 1
            assert (folder / f"{name}.html").is_file()
        for name in ("index.html", "manifest.json"):
            assert (folder / name).is_file()
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["practice"]["id"] == pid
        assert manifest["reports"] == {n: "ok" for n in FAST}
    beta = json.loads((result.run_dir / "beta" / "purchasing.json").read_text())
    alpha = json.loads((result.run_dir / "alpha" / "purchasing.json").read_text())
    assert beta["parameters"]["service_level"] == 0.9
    assert beta["figures"] != alpha["figures"]  # the override reached the kernel


def test_the_group_page_totals_and_medians_are_the_practices_figures(group: dict) -> None:
    from openpyxl import load_workbook

    result = group["result"]
    figures = {pid: {n: json.loads((result.run_dir / pid / f"{n}.json").read_text())["figures"]
                     for n in FAST} for pid in ("alpha", "beta")}
    columns, rows, totals = page.group_table(result)
    want = {("purchasing", "inventory_value_cents"): sum(
                f["purchasing"]["inventory_value_cents"] for f in figures.values()),
            ("purchasing", "spend_vs_budget_pct"): statistics.median(
                f["purchasing"]["spend_vs_budget_pct"] for f in figures.values()),
            ("operating_budget", "flagged_accounts"): sum(
                f["operating_budget"]["flagged_accounts"] for f in figures.values())}
    for column, value in want.items():
        assert column in columns
        assert totals[column]["value"] == value
    assert [r["id"] for r in rows] == ["alpha", "beta", "broken", "badparam"]
    # coloured against the target: flagged accounts (target 0) is 4 in the sample
    alpha = rows[0]["cells"][("operating_budget", "flagged_accounts")]
    assert alpha["value"] == figures["alpha"]["operating_budget"]["flagged_accounts"]
    assert alpha["met"] is (alpha["value"] <= 0)
    html = (result.run_dir / "group.html").read_text()
    assert "Beta &amp; &lt;b&gt;Clinic&lt;/b&gt;" in html and "<b>Clinic" not in html
    assert "broken/items.csv, row 4" in html
    assert "href='alpha/index.html'" in html and "<img src='data:image/png;base64," in html
    book = load_workbook(result.run_dir / "group.xlsx")
    sheet = book["group"]
    header = [c.value for c in sheet[2]]
    column = header.index("Purchasing: Inventory value") + 1
    values = [sheet.cell(row=r, column=column).value for r in (3, 4)]
    assert [int(v * 100) for v in values] == [f["purchasing"]["inventory_value_cents"]
                                              for f in figures.values()]
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["practices"]["broken"]["status"] == "refused"


# --- a real scheduler and two workers; one killed mid-run ----------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _dask_cluster(tmp: Path) -> Iterator[str]:
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, stopped after even
    on failure."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    procs = []
    try:
        procs.append(subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--dashboard-address", f"127.0.0.1:{_free_port()}"],
            stdout=subprocess.DEVNULL, stderr=open(tmp / "scheduler.log", "w"),  # noqa: SIM115
            start_new_session=True, env=env))
        for n in range(2):
            procs.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1",
                 "--dashboard-address", f"127.0.0.1:{_free_port()}", "--name", f"w{n}"],
                stdout=subprocess.DEVNULL,
                stderr=open(tmp / f"worker{n}.log", "w"),  # noqa: SIM115
                start_new_session=True, env=env))
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def test_a_worker_killed_mid_run_loses_no_practice(tmp_path: Path) -> None:
    from distributed import Client

    for name in ("one", "two", "three"):
        _copy_sample(tmp_path / name)
    path = _listing(tmp_path, [{"id": n, "data": f"{n}/"} for n in ("one", "two", "three")])
    available = runner.discover()
    runs = run.plan(practices.load_practices(path, list(available)), FAST, available)
    with _dask_cluster(tmp_path) as address, Client(address) as client:
        pids = client.run(os.getpid)
        box: dict = {}
        worker = threading.Thread(target=lambda: box.update(result=run.run_group(
            runs, client, out=tmp_path / "out")))
        worker.start()
        killed = None
        deadline = time.time() + 120
        while killed is None and time.time() < deadline and worker.is_alive():
            for attempts in (tmp_path / "out").glob("*/*/logs/*.attempts"):
                # open("a") creates the file before its one line is written: wait for a whole line
                line, newline, _ = attempts.read_text().partition("\n")
                if not newline:
                    continue
                first = json.loads(line)["worker"]
                os.kill(pids[first], signal.SIGKILL)
                killed = (attempts.parent.parent.name, attempts.name.split(".")[0])
                break
            time.sleep(0.05)
        worker.join(300)
    assert killed is not None, "no report started"
    result = box["result"]
    assert result.exit_code == 0
    assert {p.practice.id: p.status for p in result.practices} == dict.fromkeys(
        ("one", "two", "three"), "ok")
    pid, report = killed
    summary = json.loads((result.run_dir / pid / f"{report}.json").read_text())
    assert summary["status"] == "ok"
    assert summary["timings"]["attempts"] == 2
    assert len(set(summary["timings"]["workers"])) == 2  # run again on another worker
    retried = [r for r in page.group_table(result)[1] if r["retried"]]
    assert [(r["id"], r["retried"]) for r in retried] == [(pid, [report])]


# --- the command: a scheduler by address, Ctrl-C ----------------------------------------------


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pracops.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_ctrl_c_stops_the_group_run_with_every_unfinished_page_interrupted(
        tmp_path: Path) -> None:
    for name in ("one", "two"):
        _copy_sample(tmp_path / name)
    path = _listing(tmp_path, [{"id": n, "data": f"{n}/"} for n in ("one", "two")])
    proc = _cli("run", "--practices", str(path), "--out", str(tmp_path / "out"),
                "--workers", "1", "billing_reconciliation", "staffing_plan")
    deadline = time.time() + 120
    while not list((tmp_path / "out").glob("*/*/logs/*.attempts")) and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    page_path = Path(out.strip().splitlines()[-1])
    assert page_path.name == "group.html" and page_path.is_file()
    statuses = {}
    for summary in page_path.parent.glob("*/*.json"):
        if summary.name != "manifest.json":
            statuses[(summary.parent.name, summary.stem)] = json.loads(
                summary.read_text())["status"]
    assert len(statuses) == 4 and "interrupted" in statuses.values()
    assert set(statuses.values()) <= {"ok", "interrupted"}
    assert "Traceback" not in err
    assert "stopped by SIGINT" in err
    manifest = json.loads((page_path.parent / "manifest.json").read_text())
    assert manifest["stopped_by"] == "SIGINT"
    assert "stopped by SIGINT" in page_path.read_text()


def test_the_command_runs_on_a_scheduler_given_by_address(tmp_path: Path) -> None:
    _copy_sample(tmp_path / "solo")
    path = _listing(tmp_path, [{"id": "solo", "data": "solo/"}])
    with _dask_cluster(tmp_path) as address:
        proc = _cli("run", "--practices", str(path), "--scheduler", address, "--out",
                    str(tmp_path / "out"), "operating_budget")
        out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    page_path = Path(out.strip())
    summary = json.loads((page_path.parent / "solo" / "operating_budget.json").read_text())
    assert summary["status"] == "ok"
    assert summary["timings"]["workers"][0].startswith("tcp://127.0.0.1:")
    assert "finished  solo: 1 of 1 reports ok" in err


def test_the_command_refuses_data_beside_practices(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    path = _listing(tmp_path, [{"id": "x", "data": "x/"}])
    proc = _cli("run", "--practices", str(path), "--data", str(tmp_path))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.strip() == ("pracops: error: --data and --practices do not go together: "
                           "practices.yaml names each practice's data folder")


def test_the_sample_group_is_distinct_practices_listed_in_practices_yaml(tmp_path: Path) -> None:
    proc = _cli("sample", "--practices", "2", "--out", str(tmp_path))
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    listed = practices.load_practices(tmp_path / "practices.yaml", list(registry.reports()))
    assert [(p.id, p.name) for p in listed] == [
        ("maple-grove-family-medicine", "Maple Grove Family Medicine"),
        ("eau-claire-internal-medicine", "Eau Claire Internal Medicine")]
    one, two = (p.data for p in listed)
    # The first is the bundled sample, file for file; the second another shape.
    for path in sorted(config.SAMPLE_DIR.rglob("*")):
        if path.is_file():
            assert (one / path.relative_to(config.SAMPLE_DIR)).read_bytes() == path.read_bytes()
    assert yaml.safe_load((two / "practice.yaml").read_text()) == {
        "name": "Eau Claire Internal Medicine", "providers": 2,
        "specialty": "Internal Medicine", "state": "WI"}
    with (two / "locations.csv").open(encoding="utf-8") as fh:
        assert {(r["city"], r["state"]) for r in csv.DictReader(fh)} == {("Eau Claire", "WI")}
    truth = json.loads((two / "ground_truth.json").read_text())
    assert set(truth) >= {"billing", "daily_close"}
    assert truth["practice"]["shape"] == {"providers": 2, "specialty": "Internal Medicine",
                                          "state": "WI"}
    text = (tmp_path / "practices.yaml").read_text()
    assert "# 2 providers, Internal Medicine, WI; seed 2027\n" in text
    again = _cli("sample", "--practices", "2", "--out", str(tmp_path))
    _, err = again.communicate(timeout=60)
    assert again.returncode == 2 and "already exists; nothing was written" in err


# --- failures, skipped practices, command-line parameters (the fixture notebooks: quick) ------


FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def _fixture_runs(tmp: Path, entries: list[dict], names: list[str] = (),
                  overrides: list[tuple[str, str]] = ()) -> list[run.PracticeRun]:
    for e in entries:
        (tmp / e["data"]).mkdir(exist_ok=True)
    available = runner.discover(FIXTURES)
    return run.plan(practices.load_practices(_listing(tmp, entries), list(available)),
                    list(names), available, overrides=list(overrides))


def test_a_failing_report_marks_only_its_own_page_and_exits_1(tmp_path: Path) -> None:
    runs = _fixture_runs(tmp_path, [{"id": "p1", "data": "p1/"}, {"id": "p2", "data": "p2/"}])
    with cluster.connect(workers=2, dashboard=None) as client:
        result = run.run_group(runs, client, out=tmp_path / "out")
    assert result.exit_code == 1
    for p in result.practices:
        assert {n: r.status for n, r in p.results.items()} == {"fixture_ok": "ok",
                                                               "fixture_fail": "failed"}
        assert p.results["fixture_ok"].figures["total"] == 2.5
        assert "deliberate failure with n=1" in p.results["fixture_fail"].error["message"]
        index = (result.run_dir / p.practice.id / "index.html").read_text()
        assert "deliberate failure" in index
    html = result.page.read_text()
    assert html.count("fixture_fail: ValueError: deliberate failure with n=1") == 2


def test_a_practice_with_nothing_to_run_is_skipped(tmp_path: Path) -> None:
    runs = _fixture_runs(tmp_path, [{"id": "ok", "data": "a/"},
                                    {"id": "other", "data": "b/", "reports": ["fixture_fail"]}],
                         names=["fixture_ok"])
    with cluster.connect(workers=1, dashboard=None) as client:
        result = run.run_group(runs, client, out=tmp_path / "out")
    assert {p.practice.id: p.status for p in result.practices} == {"ok": "ok",
                                                                   "other": "skipped"}
    assert result.exit_code == 0
    assert not (result.run_dir / "other").exists()
    assert "skipped" in result.page.read_text()


def test_command_line_parameters_reach_only_the_reports_that_declare_them(
        tmp_path: Path) -> None:
    runs = _fixture_runs(tmp_path, [{"id": "adds", "data": "a/", "reports": ["fixture_ok"]},
                                    {"id": "fails", "data": "b/", "reports": ["fixture_fail"]}],
                         overrides=[("a", "5"), ("fixture_fail.n", "3")])
    assert [r.refused for r in runs] == [[], []]
    assert runs[0].params["fixture_ok"]["a"] == 5
    assert runs[1].params["fixture_fail"]["n"] == 3
    with pytest.raises(ParameterError, match="unknown parameter 'zz'"):
        _fixture_runs(tmp_path, [{"id": "adds", "data": "a/"}], overrides=[("zz", "1")])


@pytest.mark.parametrize(("key", "values", "how", "want", "kind"), [
    ("open_ar_cents", [100, 250], None, 350, "total"),
    ("days_in_ar", [30, 41], None, 35.5, "median"),  # whole days are still a measure
    ("denial_rate", [0, 0, 1], None, 0, "median"),
    ("labor_cost_per_visit_cents", [8541, 9000], "median", 8770.5, "median"),
    ("close_difference_cents", [5000, -5000], "size", 10000, "size"),
    ("first_week_below_minimum", [3, 5], "none", None, None),
    ("fte_required_total", [19.25, 4.5], "sum", 23.75, "total"),
    ("stockout_risk_skus", [["A", "B"], []], None, 2, "total"),
    ("close_balanced", [True, False, True], None, 2, "yes"),
    ("order_lines", [1, float("nan")], None, None, None),
])
def test_the_group_line_sums_up_each_kind_of_figure(key: str, values: list, how: str | None,
                                                   want: float | None, kind: str | None) -> None:
    got = page._group_value(key, values, how)
    if want is None:
        assert got is None
    else:
        assert (got["value"], got["how"]) == (want, kind)


def test_every_group_total_declared_is_a_headline_figure_with_a_known_rule() -> None:
    stored = Path(__file__).parent / "fixtures" / "recorded"
    for name, spec in registry.reports().items():
        recorded = stored / f"{name}.json"
        if not recorded.is_file():
            continue
        headline = json.loads(recorded.read_text())["headline"]
        assert set(spec.group_totals) <= set(headline), name
        assert set(spec.targets) <= set(headline), name


def test_a_target_compares_sizes_when_told_and_refuses_a_typo() -> None:
    spec = registry.spec("daily_close")
    target = spec.targets["close_difference_cents"]
    assert target.met(-5000, 0) is False and target.met(0, 0) is True
    assert registry.Target("higher", value=0.95).met(float("nan"), 0.95) is None
    assert registry.Target("lower", value=0).met(["MS-1"], 0) is False
    with pytest.raises(ValueError, match="'lower' or 'higher'"):
        registry.Target("lowr", value=0)
    billing = registry.spec("billing_reconciliation")
    days = billing.targets["days_in_ar"]
    assert days.threshold({}, billing) == billing.parameters["days_in_ar_target"].default
    assert days.threshold({"days_in_ar_target": 25}, billing) == 25.0


def test_a_report_run_again_after_its_kernel_stalled_is_said_in_the_line_of_its_practice(
        ) -> None:
    """``kernel_runs`` (pracops.runner.watch) beside a task's ``attempts``, which a group run
    writes over the runner's timings: both are said, neither hides the other."""
    ok = runner.ReportResult
    reports = [runner.Report(n, Path(f"{n}.ipynb"), n, "") for n in ("a", "b", "c")]
    done = run.PracticeRun(
        practices.Practice("maple", "Maple", Path("maple")), reports=reports,
        results={"a": ok("a", "ok", {}, timings={"attempts": 1, "kernel_runs": 2}),
                 "b": ok("b", "ok", {}, timings={"attempts": 2}),
                 "c": ok("c", "ok", {}, timings={"attempts": 1})})
    assert run._practice_line(done) == (
        "finished  maple: 3 of 3 reports ok; 1 run again after a worker died; "
        "1 run again after a kernel stalled")


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("open_ar_cents", 250_000_000, "$2.5M"), ("open_ar_cents", -150_000, "-$1.5k"),
    ("open_ar_cents", 50, "$0.50"), ("open_ar_cents", -0.0, "$0"),
    ("open_ar_cents", 40_000, "$400"), ("open_ar_cents", 150, "$1.50"),
    ("open_ar_cents", 250, "$2.50"), ("open_ar_cents", 200, "$2"),
    ("open_ar_cents", -1e-12, "$0"), ("denial_rate", 0.06, "6%"),
    ("denial_rate", 0.025, "2.5%"), ("denial_rate", 0.005, "0.5%"),
    ("collections_mtd_vs_expected_pct", 1.5, "150%"), ("denial_rate", 50, "5,000%"),
    ("denial_rate", -0.0, "0%"), ("visits", 45_000, "45,000"), ("visits", 0.4, "0.4"),
    ("days_in_ar", 32.5, "32.5")])
def test_a_chart_axis_says_each_figure_as_the_table_does(key: str, value: float,
                                                         shown: str) -> None:
    assert page._tick(key, value) == shown


def test_each_report_gets_one_chart_of_its_figures_across_practices() -> None:
    """A figure with a number for two practices or more is drawn; one practice's, a yes/no
    and a missing value are not; the alt text says every value drawn."""
    import base64
    import io

    from PIL import Image

    columns = [("billing_reconciliation", "days_in_ar"),
               ("billing_reconciliation", "open_ar_cents"),
               ("billing_reconciliation", "only_one"),
               ("daily_close", "close_balanced"), ("purchasing", "stockout_risk_skus")]
    values = {"a-very-long-practice-name-of-forty-chars": [31.5, 123_456, 1.0, True, ["X", "Y"]],
              "b": [40.0, None, None, False, []], "c": [12.0, -5_000, None, None, None]}
    rows = [{"id": practice, "cells": {
        c: None if v is None else {"value": v, "sort": page._number(v),
                                   "shown": page._shown(c[1], v)}
        for c, v in zip(columns, row, strict=True)}} for practice, row in values.items()]
    drawn = page.report_charts((columns, rows, {}), ["billing_reconciliation", "daily_close",
                                                     "purchasing"])
    assert drawn["daily_close"] is None  # a yes/no only
    charts = [drawn["billing_reconciliation"], drawn["purchasing"]]
    assert [c["title"] for c in charts] == ["Billing reconciliation", "Purchasing"]
    assert charts[0]["alt"] == (
        "Billing reconciliation by practice: Days in A/R: "
        "a-very-long-practice-name-of-forty-chars 31.5 days, b 40.0 days, c 12.0 days; "
        "Open A/R: a-very-long-practice-name-of-forty-chars $1,234.56, c -$50.00")
    assert charts[1]["alt"] == ("Purchasing by practice: Stockout risk SKUs: "
                                "a-very-long-practice-name-of-forty-chars 2, b 0")
    billing = Image.open(io.BytesIO(base64.b64decode(charts[0]["png"])))
    purchasing = Image.open(io.BytesIO(base64.b64decode(charts[1]["png"])))
    # two figures side by side, one: the names' column is as wide in both
    assert abs(billing.size[0] - purchasing.size[0] - 2.4 * 96) < 1


@pytest.mark.parametrize("practice", ["maple-grove", "a1", "clinic-2024-east", "x"])
def test_the_tasks_of_a_kind_are_one_task_group_queued_on_the_scheduler(
        practice: str, tmp_path: Path) -> None:
    """Dask groups tasks by their key's leading words: one group per kind of task, whatever
    the practice's id, so that a group of many practices is queued on the scheduler (handed
    out largest practice first as workers free up) rather than assigned at submission."""
    from dask.utils import key_split

    from pracops.runner.manifest import new_run_dir

    run_id, _folder = new_run_dir(tmp_path)
    for kind in ("check", "billing_reconciliation", "patient_access"):
        assert key_split(run._task_key(kind, run_id, practice)) == kind


def test_a_long_list_of_practices_draws_a_reports_figures_in_one_row() -> None:
    """Beyond 40 practices the figures stand in one row: the image is one panel tall (Agg
    draws at most 65,536 pixels a side), as wide as the names and the four panels."""
    import base64
    import io

    from PIL import Image

    columns = [("billing_reconciliation", k) for k in ("days_in_ar", "denial_rate",
                                                       "net_collection_rate", "open_ar_cents")]
    rows = [{"id": f"p{i:02d}", "cells": {c: {"value": i + 1, "sort": float(i + 1),
                                              "shown": str(i + 1)} for c in columns}}
            for i in range(60)]
    chart = page.report_charts((columns, rows, {}), ["billing_reconciliation"])
    png = Image.open(io.BytesIO(base64.b64decode(chart["billing_reconciliation"]["png"])))
    label = 1.08 * page._label_inches([r["id"] for r in rows])
    assert abs(png.size[0] - 96 * (label + 0.15 + 4 * 2.4)) <= 1
    assert abs(png.size[1] - 96 * (0.35 + 0.3 + 0.16 * 60 + 0.55)) <= 1


def test_the_page_uses_the_charts_drawn_during_the_run() -> None:
    """A report's chart drawn while the last reports ran is put on the page as it is; the
    others are drawn with the page."""
    columns = [("billing_reconciliation", "days_in_ar"), ("purchasing", "order_lines")]
    rows = [{"id": p, "name": p, "status": "ok", "link": None, "errors": [], "retried": [],
             "cells": {c: {"value": v, "sort": float(v), "shown": str(v), "met": None,
                           "link": f"{p}/index.html"} for c in columns}}
            for p, v in (("a", 3), ("b", 5))]
    early = {"title": "Billing reconciliation", "alt": "drawn early by practice",
             "png": "RUFSTFk="}
    result = run.GroupResult("20261207-000000-abcd", Path("."), [])
    html = page.render_group(result, {"start": "2026-12-07T00:00:00", "seconds": 1.0},
                             (columns, rows, {c: None for c in columns}),
                             {"billing_reconciliation": early})
    assert "data:image/png;base64,RUFSTFk=" in html and "alt='drawn early by practice'" in html
    assert "alt='Purchasing by practice: Order lines: a 3, b 5'" in html


def test_a_chart_that_cannot_be_drawn_is_said_on_the_page_and_the_others_drawn(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An image too large for Agg, for one report: the page says so in a line, with the
    error, and draws the other reports' charts."""
    drawn = page._chart

    def chart(name: str, figures: list, rows: list) -> dict:
        if name == "purchasing":
            raise ValueError("Image size of 700x70000 pixels is too large.")
        return drawn(name, figures, rows)

    monkeypatch.setattr(page, "_chart", chart)
    columns = [("billing_reconciliation", "days_in_ar"), ("purchasing", "order_lines")]
    rows = [{"id": p, "name": p, "status": "ok", "link": None, "errors": [], "retried": [],
             "cells": {c: {"value": v, "sort": float(v), "shown": str(v), "met": None,
                           "link": f"{p}/index.html"} for c in columns}}
            for p, v in (("a", 3), ("b", 5))]
    result = run.GroupResult("20261207-000000-abcd", Path("."), [])
    html = page.render_group(result, {"start": "2026-12-07T00:00:00", "seconds": 1.0},
                             (columns, rows, {c: None for c in columns}))
    assert ("The chart of Purchasing could not be drawn (ValueError: Image size of 700x70000 "
            "pixels is too large.); its figures are in the table.") in html
    assert "alt='Billing reconciliation by practice: Days in A/R: a 3, b 5'" in html
