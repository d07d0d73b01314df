"""What ``pracops validate`` checks beyond one file: the report date against the data's span,
and the era/ folder read as the billing report reads it."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pracops import config, data, registry
from pracops.errors import DataError

SAMPLE = config.SAMPLE_DIR


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    found = data.check_folder(SAMPLE)
    assert found.errors == []
    return found.frames


def _csv_dates(name: str, columns: tuple[str, ...]) -> list[str]:
    """Every date of ``columns`` in the sample's CSV text (all are YYYY-MM-DD)."""
    with (SAMPLE / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return [row[c] for row in csv.DictReader(fh) for c in columns if row[c]]


def test_date_span_is_the_first_and_last_date_of_the_reports_datasets(frames) -> None:
    dates = (_csv_dates("claims", ("date_of_service", "submitted_date"))
             + _csv_dates("deposits", ("posted_date",))
             + _csv_dates("payments_posted", ("posted_date",)))
    first, last = data.date_span(frames, registry.spec("billing_reconciliation").as_of)
    assert (first.date().isoformat(), last.date().isoformat()) == (min(dates), max(dates))


@pytest.mark.parametrize(("report", "offset_days", "refused"), [
    ("billing_reconciliation", -1, True),      # the day before the first record
    ("billing_reconciliation", 0, False),      # the first record's day
    ("purchasing", 0, False),
    ("purchasing", -1, True),
])
def test_as_of_before_the_data_is_refused(frames, report, offset_days, refused) -> None:
    first, _ = data.date_span(frames, registry.spec(report).as_of)
    as_of = (first + pd.Timedelta(days=offset_days)).date().isoformat()
    error = data.check_as_of(report, as_of, frames)
    assert (error is not None) == refused
    if refused:
        assert f"{report}.as_of {as_of} is before the first date" in str(error)


@pytest.mark.parametrize(("days_after", "refused"), [(1, False), (31, False), (32, True)])
def test_as_of_a_month_past_the_data_is_the_limit(frames, days_after, refused) -> None:
    last = max(_csv_dates("usage", ("date",)))
    as_of = (pd.Timestamp(last) + pd.Timedelta(days=days_after)).date().isoformat()
    error = data.check_as_of("purchasing", as_of, frames)
    assert (error is not None) == refused
    if refused:
        assert "more than 31 days after the last date" in str(error)
        assert f"to {last}" in str(error)


def test_as_of_empty_or_for_a_report_without_dated_data_passes(frames) -> None:
    assert data.check_as_of("billing_reconciliation", "", frames) is None
    assert data.check_as_of("staffing_plan", "1900-01-01", frames) is None


def test_as_of_that_is_not_a_date_is_refused(frames) -> None:
    assert "is not a date" in str(data.check_as_of("purchasing", "next week", frames))


def test_a_folder_that_is_a_file_or_missing_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "file.csv").write_text("x\n")
    for folder, reason in ((tmp_path / "file.csv", "this is a file, not a folder"),
                           (tmp_path / "nowhere", "no such folder")):
        (error,) = data.check_folder(folder).errors
        assert reason in str(error) and str(folder) in str(error)


def test_a_looping_data_folder_is_one_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    (error,) = data.check_folder(loop).errors
    assert "symbolic link that loops" in str(error)


def test_a_folder_named_like_a_dataset_is_refused_not_skipped(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE, tmp_path / "data", ignore=shutil.ignore_patterns("era"))
    folder = tmp_path / "data"
    (folder / "open_orders.csv").unlink()
    (folder / "open_orders.csv").mkdir()  # an optional dataset: must not pass for absent
    errors = data.check_folder(folder, missing_ok=True).errors
    assert len(errors) == 1
    assert "open_orders.csv" in str(errors[0]) and "a folder where a file is expected" in str(
        errors[0])


# ---- the commands ------------------------------------------------------------------------


def _pracops(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "pracops.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def with_bad_era(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with one garbage file and one truncated copy of a real 835 in era/."""
    folder = tmp_path_factory.mktemp("bad-era") / "data"
    shutil.copytree(SAMPLE, folder)
    (folder / "era" / "zz-garbage.835").write_bytes(bytes(range(256)) * 4)
    real = sorted((SAMPLE / "era").iterdir())[0]
    text = real.read_text()
    (folder / "era" / "zz-truncated.835").write_text(text[: text.index("CLP*") + 40])
    return folder


def test_validate_names_quarantined_835s_and_exits_2(with_bad_era: Path) -> None:
    done = _pracops("validate", "--data", str(with_bad_era))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"2 problem(s) in {with_bad_era}"
    garbage = next(line for line in lines if "zz-garbage.835" in line)
    truncated = next(line for line in lines if "zz-truncated.835" in line)
    assert "not an X12 file" in garbage and "carries" not in garbage
    # the truncated copy was cut after its BPR: its money is named, from the file's own text
    bpr = next(s for s in text_segments(sorted((SAMPLE / "era").iterdir())[0])
               if s.startswith("BPR*"))
    dollars, cents = bpr.split("*")[2].split(".")
    assert f"carries ${int(dollars):,}.{cents:0<2} (BPR02)" in truncated
    assert "set the file aside" in truncated


def text_segments(path: Path) -> list[str]:
    return [s.strip() for s in path.read_text().replace("\n", "").split("~") if s.strip()]


def test_run_warns_about_quarantined_835s_and_goes_on(with_bad_era: Path, capsys) -> None:
    from pracops import cli, runner

    reports = runner.check_reports(["billing_reconciliation"], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       data=str(with_bad_era))
    assert cli._inputs_usable(reports, params, quiet=False)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("pracops: warning: ") for line in err)


@pytest.mark.parametrize(("args", "words"), [
    (["-p", "as_of", "2024-12-31"], "billing_reconciliation.as_of 2024-12-31 is before the "
     "first date in its data"),
    (["--data", "NOWHERE"], "no such folder"),
])
def test_run_refuses_before_any_kernel_starts(args: list[str], words: str,
                                              tmp_path: Path) -> None:
    args = [str(tmp_path / a) if a == "NOWHERE" else a for a in args]
    done = _pracops("run", "billing_reconciliation", "--out", str(tmp_path), *args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert words in done.stderr
    assert list(tmp_path.iterdir()) == []  # no run folder: nothing started


def test_every_report_declares_what_it_reads_among_real_datasets() -> None:
    from pracops import runner

    assert set(registry.reports()) == set(runner.discover())
    for spec in registry.reports().values():
        assert set(spec.reads) <= set(data.DATASETS)
        assert set(spec.as_of) <= set(spec.reads)


def _without(folder: Path, *names: str) -> Path:
    """``folder`` holding links to every sample file but those of the datasets ``names``."""
    folder.mkdir()
    stems = {data.DATASETS[n].stem + ".csv" for n in names}
    for path in SAMPLE.iterdir():
        if path.name not in stems:
            (folder / path.name).symlink_to(path)
    return folder


_OPTIONAL_IN_A_FOLDER = sorted({(spec.name, spec.package, d)
                                for spec in registry.reports().values()
                                for d in spec.reads if data.DATASETS[d].optional})


@pytest.mark.parametrize(("report", "package", "dataset"), _OPTIONAL_IN_A_FOLDER)
def test_a_report_needs_what_it_declares_and_runs_without_the_rest(
        report: str, package: str, dataset: str, tmp_path: Path) -> None:
    """Each report's declaration (``optional``, hence ``needs``) against what its own loader
    does when a folder lacks a dataset a practice may leave out: refuse it, naming the file,
    or go on without it."""
    import importlib

    spec = registry.spec(report)
    assert set(spec.needs) | set(spec.optional) == set(spec.reads)
    folder = _without(tmp_path / "data", dataset)
    load_inputs = importlib.import_module(f"pracops.{package}.chain").load_inputs
    if dataset in spec.needs:
        with pytest.raises(DataError) as refused:
            load_inputs(folder)
        assert refused.value.file == str(folder / f"{data.DATASETS[dataset].stem}.csv")
    else:
        load_inputs(folder)


def test_validate_notes_each_report_a_folder_cannot_run(tmp_path: Path) -> None:
    folder = _without(tmp_path / "data", "requirements", "schedule_slots", "visit_events")
    done = _pracops("validate", "--data", str(folder))
    assert done.returncode == 0 and "Traceback" not in done.stderr
    notes = done.stderr.strip().splitlines()
    assert [line.split(": the ")[1].split(" report")[0] for line in notes] == [
        "compliance_calendar", "patient_access"]  # visit_events is optional to patient access
    assert "it has no requirements data (looked for requirements.csv" in notes[0]
    assert "it has no schedule_slots data" in notes[1] and "visit_events" not in notes[1]
    assert all(line.startswith(f"pracops: note: {folder}: ") and "Fix: " in line
               for line in notes)
    assert done.stdout.strip().endswith("are valid (2 note(s) above)")


def test_a_run_warns_of_its_own_reports_a_folder_cannot_run(tmp_path: Path, capsys) -> None:
    from pracops import cli, runner

    folder = _without(tmp_path / "data", "requirements", "schedule_slots")
    reports = runner.check_reports(["patient_access", "operating_budget"], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       data=str(folder))
    assert cli._inputs_usable(reports, params, quiet=False)  # the budget runs
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(
        f"pracops: warning: {folder}: the patient_access report cannot run on this folder")


def test_run_checks_only_what_its_reports_read(tmp_path: Path, capsys) -> None:
    from pracops import cli, runner

    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("era"))
    (folder / "payers.csv").unlink()
    (folder / "payers.csv").symlink_to("payers.csv")  # a loop: billing and budget read payers
    for name, usable in (("purchasing", True), ("billing_reconciliation", False)):
        reports = runner.check_reports([name], runner.discover())
        params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                           data=str(folder))
        assert cli._inputs_usable(reports, params, quiet=False) is usable
        err = capsys.readouterr().err
        assert ("payers.csv" in err) is not usable


def _edit_csv(path: Path, edit) -> int:
    """Apply ``edit(rows)`` (returns the 0-based row it changed) and write back; the file
    row (header = 1) of the change."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    at = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return at + 1


def test_a_fee_schedule_typo_of_a_billed_code_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("era"))

    def swap(rows: list[list[str]]) -> int:  # every NWH 99214 row (with and without 95)
        at = [i for i, r in enumerate(rows) if r[0] == "NWH" and r[1] == "99214"]
        for i in at:
            rows[i][1] = "99241"
        return at[0]

    row = _edit_csv(folder / "fee_schedule.csv", swap)
    with (SAMPLE / "claims.csv").open(newline="") as fh:
        nwh = {r["claim_id"] for r in csv.DictReader(fh) if r["payer_id"] == "NWH"}
    with (SAMPLE / "claim_lines.csv").open(newline="") as fh:
        lines = sum(r["cpt"] == "99214" and r["claim_id"] in nwh for r in csv.DictReader(fh))
    (error,) = data.check_folder(folder, missing_ok=True).errors
    assert (Path(error.file).name, error.row, error.column, error.value) == (
        "fee_schedule.csv", row, "cpt", "99241")
    assert f"99214, billed to NWH on {lines} line(s), has no rate" in str(error)
    assert "did you mean '99214'?" in str(error)


def test_volumes_of_a_month_the_ledger_lacks_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("era"))

    def year_off(rows: list[list[str]]) -> int:
        rows[5][0] = "2019-03"
        return 5

    row = _edit_csv(folder / "volumes.csv", year_off)
    (error,) = data.check_folder(folder, missing_ok=True).errors
    assert (Path(error.file).name, error.row, error.value) == ("volumes.csv", row, "2019-03")
    assert "a month the ledger does not have" in str(error)
