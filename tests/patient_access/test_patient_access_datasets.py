"""The row rules of the patient access datasets (pracops.patient_access.datasets and the
appointments' added columns): each broken in a copy of one sample file is refused with one line
naming the file, the row, the column and the value found; a reference to an unknown
appointment by ``pracops validate``; a missing checkout time loads."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sample_edits import Edit, Rows, set_cell, write_edited

import pracops.patient_access  # noqa: F401  (registers the datasets)
from pracops import config, data
from pracops.errors import DataError


def _overlap(rows: Rows) -> int:
    """The second slot of the file starts inside the first (same provider and day)."""
    head = rows[0]
    rows[2][head.index("start_time")] = "08:10"
    return 3


CASES = [
    ("appointments", "booked_date", "2025-03-01",
     set_cell("booked_date", "2025-03-01", lambda r: r["date"] == "2025-02-03"),
     "appointment booked after its date"),
    ("appointments", "booked_time", "16:55",
     set_cell("booked_time", "16:55", lambda r: r["date"] == r["booked_date"]),
     "appointment booked after it started"),
    ("appointments", "cancelled_date", "2024-01-02",
     set_cell("cancelled_date", "2024-01-02", lambda r: r["cancelled_date"] != ""),
     "called off before it was booked"),
    ("schedule_slots", "block_reason", "",
     set_cell("block_reason", "", lambda r: r["state"] == "blocked"),
     "a blocked slot without its reason"),
    ("schedule_slots", "appointment_id", "",
     set_cell("appointment_id", "", lambda r: r["state"] == "booked"),
     "a booked slot without its appointment"),
    ("schedule_slots", "start_time", "08:10", _overlap,
     "a slot that starts before the provider's previous slot of the day ends"),
    ("visit_events", "roomed", "00:01", set_cell("roomed", "00:01"), "roomed before arrival"),
    ("visit_events", "provider_in", "", set_cell("provider_in", ""), "value is missing"),
]


def _copy(tmp_path: Path, dataset: str, edit: Edit) -> tuple[Path, int]:
    path = tmp_path / f"{dataset}.csv"
    return path, write_edited(Path(config.SAMPLE_DIR) / path.name, path, edit)


@pytest.mark.parametrize(("dataset", "header", "shown", "edit", "reason"), CASES,
                         ids=[f"{c[0]}-{c[4][:24]}" for c in CASES])
def test_a_broken_rule_is_one_line_naming_file_row_column_and_value(
        tmp_path: Path, dataset: str, header: str, shown: str,
        edit: Edit, reason: str) -> None:
    path, row = _copy(tmp_path, dataset, edit)
    with pytest.raises(DataError) as caught:
        data.load(dataset, path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message and f"column '{header}'" in message and reason in message
    assert f"row {row}," in message
    if shown:
        assert f"(found '{shown}')" in message


def test_a_missing_checkout_time_loads_and_is_counted(tmp_path: Path) -> None:
    path, _ = _copy(tmp_path, "visit_events", set_cell("checkout", ""))
    frame = data.load("visit_events", path)
    assert frame["checkout"].isna().iloc[0]


@pytest.mark.parametrize("dataset", ["eligibility_checks", "visit_events", "schedule_slots"])
def test_validate_refuses_a_reference_to_an_unknown_appointment(tmp_path: Path,
                                                                dataset: str) -> None:
    folder = tmp_path / "data"
    shutil.copytree(config.SAMPLE_DIR, folder)
    _copy(folder, dataset, set_cell("appointment_id", "A999999",
                                lambda r: r["appointment_id"] != ""))
    result = data.check_folder(folder)
    text = " | ".join(str(e) for e in result.errors)
    assert f"{dataset}.csv" in text and "unknown appointment_id" in text and "A999999" in text


def test_an_older_appointments_file_without_the_added_columns_loads(tmp_path: Path) -> None:
    source = Path(config.SAMPLE_DIR) / "appointments.csv"
    with source.open(newline="", encoding="utf-8") as f:
        rows = [row[:10] for row in csv.reader(f)]
    path = tmp_path / "appointments.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    frame = data.load("appointments", path)
    assert len(frame) == len(rows) - 1
    assert frame["reminder"].isna().all() and frame["patient_kind"].isna().all()


@pytest.mark.parametrize(("dataset", "fix"), [
    ("eligibility_checks", "export eligibility_checks and appointments for the same days"),
    ("visit_events", "export visit_events and appointments for the same days"),
])
def test_an_unknown_appointment_is_one_line_with_file_row_column_value_and_fix(
        tmp_path: Path, dataset: str, fix: str) -> None:
    folder = tmp_path / "data"
    shutil.copytree(config.SAMPLE_DIR, folder)
    _, row = _copy(folder, dataset, set_cell("appointment_id", "A9999999"))
    (error,) = data.check_folder(folder).errors
    message = str(error)
    assert (Path(error.file).name, error.row, error.column, error.value) == (
        f"{dataset}.csv", row, "appointment_id", "A9999999")
    assert "\n" not in message and message.count(f"row {row}") == 1
    assert ("unknown appointment_id, not in appointments.csv (found 'A9999999'); expected one "
            "of the appointment_id values of appointments.csv. Fix: " + fix) in message
    assert "did you mean" not in message  # no number of thousands looks like it for sure
    assert "PT" not in message  # no patient


def test_a_mistyped_appointment_number_gets_its_one_lookalike(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(config.SAMPLE_DIR, folder)
    with (folder / "eligibility_checks.csv").open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))["appointment_id"]
    _copy(folder, "eligibility_checks", set_cell("appointment_id", first.lower()))
    (error,) = data.check_folder(folder).errors
    assert f"Fix: did you mean '{first}'? If not, export eligibility_checks" in str(error)


def test_an_appointment_booked_after_its_visit_names_booked_date(tmp_path: Path) -> None:
    path, row = _copy(tmp_path, "appointments", set_cell(
        "booked_date", "2025-03-01", lambda r: r["date"] == "2025-02-03"))
    with pytest.raises(DataError) as caught:
        data.load("appointments", path)
    assert str(caught.value) == (
        f"{path}, row {row}, column 'booked_date': appointment booked after its date (found "
        "'2025-03-01'); expected a date on or before the visit's date. Fix: booked_date is the "
        "day the appointment was made: export it as such (not the day it was last changed), "
        "or correct the visit's date if the visit moved")
