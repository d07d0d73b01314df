"""The daily close report through the runner on the bundled sample (``parameters/test/
daily_close.yaml``): it runs, records its figures and headline, raises an alert for each of
the twelve plants, hands out the workbook and the two worklists, and its page shows no code
and no patient data; bad input is refused before a kernel starts, naming file, row and
column. Expected values come from the ground truth and the sample's CSV text."""

from __future__ import annotations

import csv
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pracops import cli, config, runner
from pracops.daily_close import view

SAMPLE = Path(config.SAMPLE_DIR)
REPORT = "daily_close"
TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))["daily_close"]


def rows(name: str, folder: Path = SAMPLE) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_report_runs_and_records_the_contract(run: dict) -> None:
    rr = run["result"]
    assert rr.status == "ok", rr.error
    f = rr.figures
    assert f["close_date"] == "2025-12-31"
    assert set(view.HEADLINE_FIGURES) == set(rr.headline)
    assert isinstance(f["close_balanced"], bool) and f["close_balanced"]
    assert f["findings"] == len(TRUTH) == 12
    assert f["findings_by_kind"] == {p["kind"]: 1 for p in TRUTH}
    paid = -sum(Decimal(r["amount"]) for r in rows("pm_transactions")
                if r["kind"] == "payment" and r["posted_date"].startswith("2025-12"))
    assert Decimal(f["collections_mtd_cents"]) / 100 == paid
    assert f["first_week_below_minimum"] == 3


def test_an_alert_for_each_plant(run: dict) -> None:
    alerts = run["result"].alerts
    assert len(alerts) == 12
    said = " ".join(a["message"] for a in alerts)
    keys = {"missed_charge": "appointment_id", "duplicate_charge": "claim_id",
            "undeposited_cash": "slip", "card_settlement_short": "batch_date",
            "check_deposited_twice": "deposit_id", "invoice_paid_twice": "invoice_number",
            "missed_discount": "invoice_number", "invoice_past_due": "invoice_number",
            "filing_limit_near": "claim_id", "filing_limit_past": "claim_id",
            "misposted_adjustment": "claim_id", "forecast_below_minimum": "voucher_id"}
    for plant in TRUTH:
        key = plant[keys[plant["kind"]]]
        if plant["kind"] == "card_settlement_short":  # said as a reader says a date
            key = "6 Nov 2025"
        assert key in said, plant["kind"]
    assert {a["level"] for a in alerts} == {"critical", "warning"}


def test_the_hand_outs_beside_the_page(run: dict) -> None:
    files = run["files"]
    assert sorted(p.name for p in files.iterdir()) == ["daily_close.xlsx",
                                                       "filing_deadlines.csv",
                                                       "missed_charges.csv"]
    assert run["result"].files["attachments"] == [
        "daily_close_files/daily_close.xlsx", "daily_close_files/filing_deadlines.csv",
        "daily_close_files/missed_charges.csv"]
    assert [r["appointment_id"] for r in rows("missed_charges", files)] == [
        p["appointment_id"] for p in TRUTH if p["kind"] == "missed_charge"]
    assert sorted(r["claim_id"] for r in rows("filing_deadlines", files)) == sorted(
        p["claim_id"] for p in TRUTH if p["kind"].startswith("filing_limit"))


def test_the_page_shows_no_code_and_no_patient_data(run: dict) -> None:
    html = run["html"].read_text(encoding="utf-8")
    for code in ("chain.run(", "import matplotlib", "report.record(", "view.explorer",
                 "tolerance_cents: int"):
        assert code not in html
    assert html.count('src="data:image/png;base64,') == 4  # calendar, waterfall, lag, cash
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', html)
    assert len(alts) == 4 and all(a.startswith("Chart: ") for a in alts)
    assert "<title>Daily close and cash — Maple Grove Family Medicine, close of 2025-12-31" \
        in html
    text = re.sub(r'src="data:[^"]*"', "", html)
    claims = rows("claims")
    names = {r["patient_name"] for r in claims}
    assert not [n for n in names if n in text]
    assert not re.search(r"\bPT\d{5}\b", text)  # no patient account
    assert "<script src=" not in html


def test_notebook_defaults() -> None:
    params = runner.notebook_parameters(config.NOTEBOOKS_DIR / f"{REPORT}.ipynb")
    assert params["close_date"].default == "" and params["close_date"].date_form == "YYYY-MM-DD"
    assert params["forecast_weeks"].default == 13
    assert params["minimum_balance"].default == 150000.0
    assert params["tolerance_cents"].default == 0
    assert params["interactive"].default is True


# --- bad input ------------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(SAMPLE, copy)
    return copy


def test_a_check_without_its_number_is_refused_before_a_kernel_starts(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = rows("front_desk_payments", folder)
    at = next(i for i, r in enumerate(table) if r["tender"] == "check")
    table[at]["check_number"] = ""
    with (folder / "front_desk_payments.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=list(table[0]))
        out.writeheader()
        out.writerows(table)
    reports = runner.check_reports([REPORT], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       data=str(folder))
    assert cli._inputs_usable(reports, params, quiet=True) is False
    err = capsys.readouterr().err
    assert "front_desk_payments.csv" in err and f"row {at + 2}" in err
    assert "check_number" in err and "a check without its number" in err


def test_a_folder_without_the_bank_statement_fails_naming_it(folder: Path,
                                                             tmp_path: Path) -> None:
    (folder / "bank_statement.csv").unlink()
    reports = runner.check_reports([REPORT], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       data=str(folder))
    result = runner.run(reports, params, out=tmp_path / "out")
    (rr,) = result.reports
    assert rr.status == "failed" and rr.error["name"] == "DataError"
    assert "no bank_statement data" in rr.error["message"]
