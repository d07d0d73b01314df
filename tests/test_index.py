"""How the run's index page writes each report's key figures: as the report's own text does
("24.7 days", "0.05%", "$406,857.54", "19.3"), never as raw numbers ("24.73", 0.00046)."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from pracops.runner.index import render_index
from pracops.runner.manifest import ReportResult
from pracops.runner.parameters import Report


def figures_on(page: str) -> dict[str, str]:
    """Label → value of every figure row of the page, as a reader sees them."""
    soup = BeautifulSoup(page, "html.parser")
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in soup.find_all("tr")]
    return {r[0]: r[1] for r in rows if len(r) == 2}


def test_figures_are_written_as_a_reader_writes_them() -> None:
    # the sample's billing and staffing figures, as their summaries JSON hold them
    billing = ReportResult(
        report="billing_reconciliation", status="ok", parameters={},
        figures={"days_in_ar": 24.73360726494251, "denial_rate": 8 / 16869,
                 "net_collection_rate": 0.9592237280173359, "open_ar_cents": 40685754,
                 "unmatched_era_count": 1, "posting_lag_days": 1.970707675920378},
        headline=["net_collection_rate", "days_in_ar", "denial_rate", "open_ar_cents",
                  "unmatched_era_count", "posting_lag_days"])
    staffing = ReportResult(
        report="staffing_plan", status="ok", parameters={},
        figures={"fte_required_total": 19.281, "uncovered_staff_hours_per_week": 4.0,
                 "budget_margin_pct": -0.3791004923319106},
        headline=["fte_required_total", "uncovered_staff_hours_per_week", "budget_margin_pct"])
    reports = [Report(r.report, Path(f"{r.report}.ipynb"), r.report, "") for r in
               (billing, staffing)]
    page = render_index("run-1", {"start": "2026-01-02T03:04:05", "seconds": 1.0}, reports,
                        [billing, staffing])
    assert figures_on(page) == {
        "Net collection rate": "95.9%",
        "Days in A/R": "24.7 days",          # was 24.73
        "Denial rate": "0.05%",              # as the summary and the KPI table now write it
        "Open A/R": "$406,857.54",
        "Unmatched ERA count": "1",
        "Posting lag days": "2.0 days",
        "FTE required total": "19.3",        # was 19.28; the summary says 19.3 staff FTE
        "Uncovered staff hours per week": "4.0",
        "Budget margin %": "-37.9%",
    }
