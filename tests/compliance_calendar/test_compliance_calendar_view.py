"""The compliance calendar explorer's chart data (obligations by month due and status) and its
words, on the bundled sample, and the explorer redrawn without a kernel."""

from __future__ import annotations

import pytest

from pracops.compliance_calendar import chain, view


@pytest.fixture(scope="module")
def cal() -> chain.Calendar:
    return chain.compute(chain.load_inputs())


def test_obligations_by_month_due_and_status(cal) -> None:
    counts = view.due_by_month(cal)
    assert list(counts.index) == ["overdue or missing", "Dec 2025", "Jan 2026", "Feb 2026",
                                  "Mar 2026", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026",
                                  "Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026", "later",
                                  "no due date"]
    assert int(counts.to_numpy().sum()) == len(cal.obligations) == cal.figures["obligations"]
    row = counts.loc["overdue or missing"]
    assert (row["overdue"], row["missing"]) == (cal.figures["overdue"], cal.figures["missing"])
    assert row.sum() == row["overdue"] + row["missing"]
    # the sample's seven due within 30 days fall due in January 2026 (as of 31 December)
    assert counts.loc["Jan 2026", "due in 30"] == cal.figures["due_within_30_days"] == 7
    assert counts["due in 30"].sum() == 7
    due = cal.obligations["due"]
    assert counts.loc["later"].sum() == int((due > "2026-11-30").sum()) == 62
    assert counts.loc["no due date"].sum() == int(due.isna().sum()) == 30
    assert counts.loc["no due date", "current"] == 30


def test_a_filter_counts_only_its_obligations(cal) -> None:
    north = cal.obligations[cal.obligations["location_id"] == "NORTH"]
    counts = view.due_by_month(cal, north)
    assert int(counts.to_numpy().sum()) == len(north)
    text = view.filter_text(north)
    overdue = int((north["status"] == "overdue").sum())
    assert text.startswith(f"**{len(north)} obligations**: {overdue} overdue, ")


def test_the_explorer_redraws_on_a_filter_without_a_kernel(cal) -> None:
    pytest.importorskip("ipywidgets")
    box = view.explorer(cal)
    grid = box.children[0].children
    location = grid[2].children[1]
    before = box.children[1].value
    location.value = "NORTH"
    assert box.children[1].value != before and "location NORTH" in box.children[1].value
