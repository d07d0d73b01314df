"""The shared weekday and shift parsers (:mod:`pracops.data.shifts`) against the patterns the
datasets declare: a text the loader accepts is one the reports can read, and no other."""

from __future__ import annotations

import csv
import re

import pytest

from pracops import config
from pracops.data import shifts


def test_days_in_order_written_and_ranges_that_wrap() -> None:
    assert shifts.parse_days("Mon-Fri") == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert shifts.parse_days("Fri-Mon") == ["Fri", "Sat", "Sun", "Mon"]
    assert shifts.parse_days("Wed,Mon") == ["Wed", "Mon"]
    assert shifts.parse_days("Sun") == ["Sun"]
    assert shifts.parse_days("Tue-Tue") == ["Tue"]
    assert shifts.minutes("23:59") == 23 * 60 + 59


@pytest.mark.parametrize("text", [
    "Mon-Fri 08:00-17:00", "Mon,Wed 07:30-16:00; Sat 08:00-12:00", "Sat-Mon 06:00-07:00",
    "Mon-Fri 8:00-17:00", "Mon-Fri 08:00-17:00;Sat 08:00-12:00", "Mon–Fri 08:00-17:00",
    "mon-fri 08:00-17:00", "Mon-Fri 08:00-24:00", "Mon,Wed-Fri 08:00-12:00", "Mon 08:00",
    "Mon 12:00-12:00", "Mon 13:00-12:00", ""])
def test_the_loader_accepts_exactly_the_shifts_the_parser_reads(text: str) -> None:
    accepted = re.fullmatch(shifts.SHIFTS_PATTERN, text) is not None
    try:
        parsed = shifts.parse_shifts(text)
    except ValueError:
        parsed = None
    # a shift ending before it starts has the shape of shifts: the loader's row rule refuses
    # it (test_a_backwards_shift_is_refused_by_the_loader)
    backwards = accepted and any(
        shifts.minutes(g.split(" ")[1][6:]) <= shifts.minutes(g.split(" ")[1][:5])
        for g in text.split("; "))
    assert (parsed is not None) == (accepted and not backwards)


def test_every_shift_and_opening_day_of_the_sample_is_read() -> None:
    with (config.SAMPLE_DIR / "staff.csv").open(newline="", encoding="utf-8") as fh:
        staff = list(csv.DictReader(fh))
    with (config.SAMPLE_DIR / "locations.csv").open(newline="", encoding="utf-8") as fh:
        sites = list(csv.DictReader(fh))
    # by hand from the text: each group's days, counted
    for row in staff:
        want = 0
        for group in row["usual_shifts"].split("; "):
            days = group.split(" ")[0]
            want += 5 if days == "Mon-Fri" else len(days.split(",")) if "-" not in days else (
                "MonTueWedThuFriSatSun".index(days[4:7]) // 3
                - "MonTueWedThuFriSatSun".index(days[:3]) // 3) % 7 + 1
        assert len(shifts.parse_shifts(row["usual_shifts"])) == want
    assert {d for s in sites for d in shifts.parse_days(s["days_open"])} == {
        "Mon", "Tue", "Wed", "Thu", "Fri"}


def test_a_backwards_shift_is_refused_by_the_loader(tmp_path) -> None:
    from sample_edits import set_cell, write_edited

    from pracops import data
    from pracops.errors import DataError

    path = tmp_path / "staff.csv"
    row = write_edited(config.SAMPLE_DIR / "staff.csv", path,
                       set_cell("usual_shifts", "Mon-Fri 08:00-12:00; Sat 13:00-12:00"))
    with pytest.raises(DataError) as refused:
        data.load("staff", path)
    line = str(refused.value)
    assert "\n" not in line and str(path) in line and f"row {row}," in line
    assert "usual_shifts" in line and "ends at or before it starts" in line
    assert "Sat 13:00-12:00" in line


def test_times_of_a_column_are_the_minutes_of_each_time() -> None:
    import pandas as pd

    times = pd.Series(["00:00", "07:30", "23:59", "12:05"], index=[3, 1, 4, 2], dtype="str")
    got = shifts.minutes_of(times)
    assert got.tolist() == [0, 450, 1439, 725] == [shifts.minutes(t) for t in times]
    assert got.index.tolist() == [3, 1, 4, 2] and got.dtype == "int64"
