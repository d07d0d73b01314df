"""The hand-outs, read back: the .ics parsed with icalendar, the workbook with openpyxl."""

from __future__ import annotations

import datetime as dt

import icalendar
import openpyxl
import pandas as pd
import pytest

from pracops.compliance_calendar import chain


def _events(path) -> list:
    return icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("out")
    return chain.run(output_dir=folder), folder


def test_one_event_per_dated_obligation_with_an_alarm_per_window(run) -> None:
    cal, folder = run
    events = [e for e in _events(folder / "compliance_calendar.ics") if "RRULE" not in e]
    dated = cal.obligations[cal.obligations["due"].notna()]
    assert len(events) == len(dated) == len({str(e["UID"]) for e in events})
    for e in events:
        triggers = sorted(a.decoded("TRIGGER") for a in e.walk("VALARM"))
        assert triggers == [dt.timedelta(days=-90), dt.timedelta(days=-60),
                            dt.timedelta(days=-30)]
    bbp = next(e for e in events if str(e["SUMMARY"]) == "OSHA bloodborne pathogens "
               "training: E023")
    assert bbp.decoded("DTSTART") == dt.date(2025, 12, 11)


def test_daily_and_weekly_checks_are_one_recurring_event_each(run) -> None:
    _, folder = run
    rules = {str(e["SUMMARY"]): e["RRULE"] for e in _events(folder / "compliance_calendar.ics")
             if "RRULE" in e}
    assert sorted(rules) == ["Autoclave spore test: MAIN-AUTOCLAVE",
                             "Vaccine freezer temperatures: MAIN-FREEZER",
                             "Vaccine refrigerator temperatures: MAIN-FRIDGE",
                             "Vaccine refrigerator temperatures: NORTH-FRIDGE"]
    assert rules["Autoclave spore test: MAIN-AUTOCLAVE"]["FREQ"] == ["WEEKLY"]
    assert rules["Vaccine freezer temperatures: MAIN-FREEZER"]["FREQ"] == ["DAILY"]


def test_a_renewal_keeps_the_uid_with_a_higher_sequence(tmp_path) -> None:
    frames = chain.load_inputs()
    before = chain.compute(frames)
    creds = frames["credentials"].copy()
    dea = (creds["person_id"] == "P001") & (creds["kind"] == "dea")
    creds.loc[dea, "expires"] = pd.Timestamp("2029-01-20")
    after = chain.compute({**frames, "credentials": creds})
    old = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(
        chain.calendar_ics(before, frames, "x")).walk("VEVENT")}
    new = {str(e["SUMMARY"]): e for e in icalendar.Calendar.from_ical(
        chain.calendar_ics(after, frames, "x")).walk("VEVENT")}
    assert set(old) == set(new)
    key = "DEA registration: P001"
    assert str(old[key]["UID"]) == str(new[key]["UID"])
    assert new[key]["SEQUENCE"] > old[key]["SEQUENCE"]
    assert new[key].decoded("DTSTART") == dt.date(2029, 1, 20)


def test_workbook_has_a_worklist_per_owner_of_open_items(run) -> None:
    cal, folder = run
    book = openpyxl.load_workbook(folder / "compliance_calendar.xlsx")
    open_owners = set(cal.obligations.loc[cal.obligations["status"] != "current", "owner"])
    assert set(book.sheetnames) == {"all", *open_owners}
    assert book["E023"].max_row >= 2


def test_a_checklist_per_location_lists_its_open_items_and_logs(run) -> None:
    cal, folder = run
    north = (folder / "checklist_NORTH.html").read_text(encoding="utf-8")
    assert "NORTH-FRIDGE" in north and "E014" in north and "E012" not in north
    main = (folder / "checklist_MAIN.html").read_text(encoding="utf-8")
    assert "MAIN-AUTOCLAVE" in main and "E012" in main and "overdue 2025-12-19" in main


def test_checklist_escapes_text_from_input() -> None:
    frames = chain.load_inputs()
    req = frames["requirements"].copy()
    req.loc[req["requirement"] == "bls", "title"] = "<script>x</script>"
    cal = chain.compute({**frames, "requirements": req})
    page = chain.checklist_html(cal, {**frames, "requirements": req}, "MAIN", "P&Co")
    assert "<script>" not in page and "&lt;script&gt;" in page and "P&amp;Co" in page
