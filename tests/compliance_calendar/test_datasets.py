"""The compliance calendar's bad input: each rule broken in a copy of its sample file is
refused by ``pracops validate`` (pracops.data.check_folder) with one line naming the file, the
row, the column and the value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sample_edits import Edit, set_cell, write_edited

import pracops.compliance_calendar  # noqa: F401  (registers the datasets)
from pracops import config, data

CASES = [
    ("credentials", "expires", "2001-01-01", set_cell("expires", "2001-01-01",
                                                  lambda r: r["expires"] != ""),
     "expires before it was issued"),
    ("credentials", "person_id", "E999", set_cell("person_id", "E999"), "unknown person"),
    ("trainings", "person_id", "P999", set_cell("person_id", "P999"), "unknown person"),
    ("credentials", "kind", "dea_licence", set_cell("kind", "dea_licence"),
     "unknown requirement kind"),
    ("trainings", "course", "fire_drill", set_cell("course", "fire_drill"),
     "unknown requirement kind"),
    ("practice_documents", "kind", "lease", set_cell("kind", "lease"), "unknown requirement kind"),
    ("equipment_logs", "asset_id", "MAIN-XRAY", set_cell("asset_id", "MAIN-XRAY"),
     "unknown asset_id"),
    ("equipment", "interval_days", "0", set_cell("interval_days", "0"), "interval_days"),
    ("requirements", "interval_days", "-7", set_cell("interval_days", "-7",
                                                 lambda r: r["interval_days"] != ""),
     "interval_days"),
    ("requirements", "kind", "habit", set_cell("kind", "habit"), "value not allowed"),
    ("reviews", "next_due", "2001-01-01", set_cell("next_due", "2001-01-01"),
     "next review due before the last one"),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sample")
    for f in Path(config.SAMPLE_DIR).iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    (folder / "era").symlink_to(Path(config.SAMPLE_DIR) / "era")
    return folder


@pytest.mark.parametrize(("dataset", "column", "shown", "edit", "reason"), CASES,
                         ids=[f"{c[0]}-{c[4][:24]}" for c in CASES])
def test_a_broken_rule_is_refused_naming_file_row_column_and_value(
        sample: Path, tmp_path: Path, dataset: str, column: str, shown: str,
        edit: Edit, reason: str) -> None:
    folder = tmp_path / "data"
    shutil.copytree(sample, folder, symlinks=True)
    path = folder / f"{dataset}.csv"
    row = write_edited(path, path, edit)
    found = data.check_folder(folder)
    lines = [str(e) for e in found.errors if f"{dataset}.csv" in str(e)]
    assert len(lines) == 1, found.errors
    line = lines[0]
    assert "\n" not in line and reason in line and f"'{column}'" in line
    assert f"row {row}" in line and shown in line


def test_a_person_with_no_records_is_missing_never_current() -> None:
    from pracops.compliance_calendar import chain
    frames = chain.load_inputs()
    frames["trainings"] = frames["trainings"][frames["trainings"]["person_id"] != "E003"]
    cal = chain.compute(frames)
    mine = cal.obligations[(cal.obligations["subject"] == "E003")
                           & (cal.obligations["kind"] == "training")]
    assert set(mine["requirement"]) == {"hazcom", "hipaa"}
    assert set(mine["status"]) == {"missing"}
