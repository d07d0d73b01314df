"""The daily close's chain called from Python, as an analyst would: the inputs it loads (the
optional ones ``None`` when absent), the close date it defaults to and refuses, parameters
refused before anything is read, month-to-date collections by hand from the CSV text, and on
the bundled sample the findings of the twelve plants exactly, the hand-outs' contents and a
compute that writes nothing."""

from __future__ import annotations

import csv
import dataclasses
import inspect
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import psutil
import pytest

from pracops import cli, config, data, report, runner
from pracops.daily_close import cash, chain, ledger, payables
from pracops.daily_close.parameters import PARAMETERS
from pracops.errors import DataError, ParameterError

SAMPLE = Path(config.SAMPLE_DIR)
CLOSE = pd.Timestamp("2025-12-31")


def rows(name: str, folder: Path = SAMPLE) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.fixture(scope="module")
def inputs() -> chain.DailyCloseInputs:
    return chain.load_inputs(None)


# --- inputs, the close date, parameters -------------------------------------------------------

def test_load_inputs_reads_every_dataset_and_the_eras(inputs: chain.DailyCloseInputs) -> None:
    assert set(inputs.frames()) == set(chain.REPORT.reads)
    assert len(inputs.front_desk_payments) == len(rows("front_desk_payments")) == 5007
    assert inputs.pm_transactions["amount_cents"].dtype == "int64"
    assert len(inputs.remittance.payments) == len(list((SAMPLE / "era").glob("*.835"))) == 248


def test_optional_inputs_are_none_when_absent(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    for name in chain.REPORT.optional:
        (folder / f"{name}.csv").unlink()
    got = chain.load_inputs(folder)
    assert (got.card_settlements, got.payroll_runs, got.payments_posted) == (None, None, None)
    assert set(got.frames()) == set(chain.REPORT.reads) - set(chain.REPORT.optional)
    (folder / "bank_statement.csv").unlink()  # not optional for the close
    with pytest.raises(DataError, match="no bank_statement data"):
        chain.load_inputs(folder)


def test_the_default_close_date_is_the_last_business_day_in_the_data(
        inputs: chain.DailyCloseInputs) -> None:
    last = max(r["date"] for r in rows("bank_statement"))
    assert last == "2025-12-31"  # a Wednesday, no holiday
    assert chain.default_close_date(inputs) == CLOSE
    # the data ending on a Saturday close on the Friday before; after Christmas Day (a
    # Thursday), on the 24th
    for end, closed in (("2025-12-27", "2025-12-26"), ("2025-12-25", "2025-12-24")):
        cut = {name: frame for name, frame in inputs.frames().items()}
        for name in chain.REPORT.as_of:
            frame = cut[name]
            keep = pd.Series(True, index=frame.index)
            for column in data.get(name).columns:
                if column.kind == "date":
                    keep &= ~(frame[column.name] > pd.Timestamp(end)).fillna(False)
            cut[name] = frame[keep.to_numpy()]
        shorter = chain.DailyCloseInputs(**cut, remittance=inputs.remittance)
        assert chain.default_close_date(shorter) == pd.Timestamp(closed), end


def test_a_close_date_outside_the_data_is_refused_as_the_runner_refuses_it(
        inputs: chain.DailyCloseInputs) -> None:
    first = min(min(r["date"] for r in rows("front_desk_payments")),
                min(r["date"] for r in rows("bank_statement")),
                min(min(r["posted_date"], r["service_date"] or r["posted_date"])
                    for r in rows("pm_transactions")))
    assert first == "2025-01-02"
    frames = inputs.frames()
    said = data.check_as_of("daily_close", "2025-01-01", frames)
    assert said is not None and str(said).startswith(
        "daily_close.close_date 2025-01-01 is before the first date in its data "
        "(front_desk_payments, pm_transactions, bank_statement: 2025-01-02 to 2025-12-31)")
    assert data.check_as_of("daily_close", "2026-01-31", frames) is None  # 31 days after
    late = data.check_as_of("daily_close", "2026-02-01", frames)
    assert "more than 31 days after the last date" in str(late)
    for day, error in (("2025-01-01", said), ("2026-02-01", late)):
        with pytest.raises(ParameterError) as raised:
            chain.compute(inputs, close_date=day)
        assert str(raised.value) == str(error)


def test_pracops_run_refuses_the_close_date_before_a_kernel_starts(
        capsys: pytest.CaptureFixture[str]) -> None:
    reports = runner.check_reports(["daily_close"], runner.discover())
    for day, usable in (("2024-12-31", False), ("2025-12-15", True)):
        params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                           overrides=[("close_date", day)])
        assert cli._inputs_usable(reports, params, quiet=True) is usable
        err = capsys.readouterr().err
        assert ("daily_close.close_date 2024-12-31 is before the first date" in err) \
            is not usable


@pytest.mark.parametrize(("name", "value", "words"), [
    ("close_date", "31/12/2025", "real date YYYY-MM-DD"),
    ("close_date", "2025-02-30", "real date YYYY-MM-DD"),
    ("tolerance_cents", -1, "tolerance_cents must be at least 0"),
    ("forecast_weeks", 53, "forecast_weeks must be from 1 to 52"),
    ("minimum_balance", "150000", "minimum_balance must be float"),
    ("cash_deposit_lag_days", 1.5, "cash_deposit_lag_days must be int"),
])
def test_parameters_are_refused_before_anything_is_read(name: str, value: object, words: str,
                                                        tmp_path: Path) -> None:
    # a folder that does not exist: a DataError if anything were read first
    with pytest.raises(ParameterError, match=words):
        chain.run(str(tmp_path / "nowhere"), **{name: value}, output_dir=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_compute_and_run_take_the_declared_parameters() -> None:
    takes = {n: p.default for n, p in inspect.signature(chain.compute).parameters.items()}
    assert takes.pop("inputs") is inspect.Parameter.empty
    declared = PARAMETERS.defaults(run_only=True)
    del declared["data_dir"], declared["output_dir"]
    assert takes == declared and list(takes) == list(declared)


# --- month-to-date collections against the books --------------------------------------------

def test_month_to_date_collections_by_hand(inputs: chain.DailyCloseInputs) -> None:
    # Payments posted 1-31 December 2025, from the journal's text; December 2024's revenue
    # accounts (41xx-44xx) from gl_actuals; December 2025 has 22 business days (Christmas
    # Day off), all elapsed on the 31st, 12 by the 16th (1-5, 8-12, 15, 16).
    paid = -sum(cents(r["amount"]) for r in rows("pm_transactions")
                if r["kind"] == "payment" and "2025-12-01" <= r["posted_date"] <= "2025-12-31")
    revenue = sum(cents(r["amount"]) for r in rows("gl_actuals")
                  if r["month"] == "2024-12" and r["account"].startswith("4"))
    got = chain.month_to_date_collections(inputs.pm_transactions, inputs.gl_actuals,
                                          inputs.chart_of_accounts, CLOSE)
    assert got == {"collections_mtd_cents": paid, "collections_expected_mtd_cents": revenue,
                   "collections_mtd_vs_expected_pct": paid / revenue,
                   "business_days_elapsed": 22, "business_days_in_month": 22,
                   "comparison_month": "2024-12"}
    mid = chain.month_to_date_collections(inputs.pm_transactions, inputs.gl_actuals,
                                          inputs.chart_of_accounts, pd.Timestamp("2025-12-16"))
    paid_16 = -sum(cents(r["amount"]) for r in rows("pm_transactions")
                   if r["kind"] == "payment" and "2025-12-01" <= r["posted_date"] <= "2025-12-16")
    # revenue × 12 / 22, rounded half away from zero
    assert (mid["collections_mtd_cents"], mid["collections_expected_mtd_cents"],
            mid["business_days_elapsed"]) == (paid_16, (revenue * 12 * 2 + 22) // 44, 12)


def test_no_comparison_without_last_years_month(inputs: chain.DailyCloseInputs) -> None:
    books = inputs.gl_actuals[(inputs.gl_actuals["month"] != "2024-12").to_numpy()]
    got = chain.month_to_date_collections(inputs.pm_transactions, books,
                                          inputs.chart_of_accounts, CLOSE)
    assert got["collections_expected_mtd_cents"] is None
    assert got["collections_mtd_vs_expected_pct"] is None
    assert got["collections_mtd_cents"] > 0


# --- the close of the bundled sample ----------------------------------------------------------

TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))["daily_close"]


def expected_findings() -> set[tuple[str, str, str, int | None]]:
    """The twelve plants as (kind, reference, date, money at stake), from the ground truth:
    the key a person looks each one up by and the amount it states. The visit never charged
    has no amount in the ground truth (its usual charge is the calculation's estimate):
    ``None``."""
    out = set()
    for p in TRUTH:
        kind = p["kind"]
        ref, day, cents = {
            "missed_charge": (p.get("appointment_id"), p.get("date_of_service"), None),
            "duplicate_charge": (p.get("claim_id"), p.get("entered_date"),
                                 p.get("charge_cents")),
            "undeposited_cash": (p.get("slip"), p.get("date"), p.get("amount_cents")),
            "card_settlement_short": (p.get("deposit_id"), p.get("batch_date"),
                                      p.get("short_cents")),
            "check_deposited_twice": (p.get("deposit_id"), p.get("date"),
                                      p.get("amount_cents")),
            "invoice_paid_twice": (p.get("voucher_ids", [None, None])[1],
                                   p.get("paid_dates", [None, None])[1], p.get("amount_cents")),
            "missed_discount": (p.get("voucher_id"), p.get("paid_date"),
                                p.get("discount_cents")),
            "invoice_past_due": (p.get("voucher_id"), p.get("due_date"), p.get("amount_cents")),
            "filing_limit_near": (p.get("claim_id"), None, p.get("open_cents")),
            "filing_limit_past": (p.get("claim_id"), None, p.get("open_cents")),
            "misposted_adjustment": (p.get("transaction_id"), p.get("posted_date"),
                                     p.get("difference_cents")),
            "forecast_below_minimum": (f"week {p.get('week')}", p.get("week_start"), None),
        }[kind]
        if kind.startswith("filing_limit"):  # the deadline: date of service + the limit
            day = (pd.Timestamp(p["date_of_service"])
                   + pd.Timedelta(days=p["timely_filing_days"])).date().isoformat()
        out.add((kind, ref, day, cents))
    return out


@pytest.fixture(scope="module")
def close(inputs: chain.DailyCloseInputs) -> chain.DailyClose:
    return chain.compute(inputs)


def test_the_close_finds_the_twelve_plants_and_nothing_else(close: chain.DailyClose) -> None:
    f = close.findings
    assert list(f.columns) == ["kind", "date", "location_id", "reference", "amount_cents",
                               "detail"]
    got = {(k, r, d.date().isoformat(), None if k in ("missed_charge", "forecast_below_minimum")
            else int(a))
           for k, r, d, a in zip(f["kind"], f["reference"], f["date"], f["amount_cents"],
                                 strict=True)}
    assert len(f) == len(TRUTH) == 12
    assert got == expected_findings()
    # the two amounts the ground truth does not state, from what it does: the visit's usual
    # charge is the worklist's; the forecast's shortfall is the minimum less week 3's balance
    missed = f[(f["kind"] == "missed_charge").to_numpy()]
    assert int(missed["amount_cents"].iloc[0]) == int(
        close.charge_capture.missed["expected_cents"].iloc[0]) > 0
    (plant,) = [p for p in TRUTH if p["kind"] == "forecast_below_minimum"]
    week = close.cash_forecast.weeks.set_index("week").loc[plant["week"]]
    short = f[(f["kind"] == "forecast_below_minimum").to_numpy()]
    assert int(short["amount_cents"].iloc[0]) == (plant["minimum_balance_cents"]
                                                  - int(week["closing_cents"])) > 0
    # no patient account in a reference or a sentence
    text = " ".join(f["reference"].astype(str)) + " ".join(f["detail"].astype(str))
    assert not re.search(r"\bPT\d{5}\b", text)


def test_findings_are_the_seven_calculations_one_after_another(close: chain.DailyClose
                                                               ) -> None:
    parts = [close.day_close, close.ar_rollforward, close.charge_capture, close.timely_filing,
             close.bank_reconciliation, close.accounts_payable, close.cash_forecast]
    assert sum(len(p.findings) for p in parts) == len(close.findings)
    assert close.findings["reference"].tolist() == [
        r for p in parts for r in p.findings["reference"]]


def test_the_summary_figures_of_the_sample(close: chain.DailyClose) -> None:
    f = chain.summary_figures(close)
    desk = [r for r in rows("front_desk_payments") if r["date"] == "2025-12-31"]
    assert f["close_date"] == "2025-12-31"
    assert (f["close_balanced"], f["close_difference_cents"], f["close_unbalanced"]) == (
        True, 0, [])
    assert f["close_collected_cents"] == sum(cents(r["amount"]) for r in desk) == 92500
    assert (f["missed_charges"], f["missed_charge_appointments"]) == (1, ["A019960"])
    assert (f["duplicate_charges"], f["charges_without_visit"]) == (1, 0)
    # C009402 has 10 days left (in the next 14), C003523 is past its limit
    assert (f["filing_deadlines_14_days"], f["filing_deadlines_14_days_cents"]) == (1, 23000)
    assert (f["filing_past_limit"], f["filing_past_limit_cents"]) == (1, 36500)
    assert (f["close_breaks"], f["ar_break_cents"], f["ar_rollforward_holds"]) == (1, 900, True)
    assert f["first_week_below_minimum"] == 3
    assert f["first_week_below_minimum_start"] == "2026-01-15"
    assert f["cash_balance_cents"] == cents(rows("bank_statement")[-1]["balance"]) == 23042171
    assert f["minimum_balance_cents"] == 15_000_000 and f["forecast_weeks"] == 13
    low = close.cash_forecast.weeks["closing_cents"]
    assert (f["cash_low_point_cents"], f["cash_low_point_week"]) == (
        int(low.min()), int(close.cash_forecast.weeks.loc[low.idxmin(), "week"]))
    assert f["bank_month"] == "2025-12" and f["bank_reconciled"] is True
    assert f["findings"] == 12 and sum(f["findings_by_kind"].values()) == 12
    assert set(f["findings_by_kind"]) == {p["kind"] for p in TRUTH}
    assert json.loads(json.dumps(f)) == f  # what the summary JSON holds, as it is


@pytest.mark.parametrize(("day", "balanced", "cents", "where"), [
    ("2025-12-31", True, 0, []),
    # 4 Dec's slip was due on the 5th and never came: the whole day's deposit (both clinics)
    ("2025-12-05", False, 51500, [{"location_id": None, "difference_cents": 51500}]),
    # the check of 18 Dec credited again on the 19th, at the main clinic
    ("2025-12-19", False, 2000, [{"location_id": "MAIN", "difference_cents": 2000}]),
    # the short card settlement of 6 Nov, credited the 7th
    ("2025-11-07", False, 2307, [{"location_id": None, "difference_cents": 2307}]),
    ("2025-12-04", True, 0, []),  # the 4th's own close: its slip is not due yet
])
def test_the_close_of_a_day_says_where_it_is_short(inputs: chain.DailyCloseInputs, day: str,
                                                   balanced: bool, cents: int,
                                                   where: list) -> None:
    f = chain.summary_figures(chain.compute(inputs, close_date=day))
    assert (f["close_balanced"], f["close_difference_cents"], f["close_unbalanced"]) == (
        balanced, cents, where)


def test_the_bank_is_reconciled_at_the_last_complete_month() -> None:
    assert chain.reconciled_month(pd.Timestamp("2025-12-31")) == "2025-12"
    assert chain.reconciled_month(pd.Timestamp("2025-12-15")) == "2025-11"
    # 31 Jan 2026 is a Saturday: Friday the 30th closes January
    assert chain.reconciled_month(pd.Timestamp("2026-01-30")) == "2026-01"
    assert chain.reconciled_month(pd.Timestamp("2026-01-29")) == "2025-12"


def test_alerts_are_the_findings_sentences_with_their_level(close: chain.DailyClose) -> None:
    f = chain.summary_figures(close)
    said = chain.alerts(close, f)
    assert [m for _, m in said] == sorted(close.findings["detail"].tolist(),
                                          key=[m for _, m in said].index)
    assert len(said) == 12
    levels = dict(zip(close.findings["detail"], close.findings["kind"], strict=True))
    assert {(lvl, levels[m]) for lvl, m in said if lvl == "critical"} == {
        ("critical", k) for k in ("undeposited_cash", "card_settlement_short",
                                  "filing_limit_past", "invoice_paid_twice",
                                  "forecast_below_minimum")}


def test_many_findings_of_a_kind_are_counted_in_one_alert(close: chain.DailyClose) -> None:
    one = close.findings[(close.findings["kind"] == "missed_discount").to_numpy()]
    many = pd.concat([one] * 8, ignore_index=True).assign(amount_cents=[100 * (i + 1)
                                                                        for i in range(8)])
    more = dataclasses.replace(close, findings=many)
    said = chain.alerts(more, {"collections_mtd_vs_expected_pct": 1.0})
    assert len(said) == chain.ALERTS_PER_KIND + 1
    assert said[-1] == ("warning", "Another 3 early-payment discounts missed ($21.00 at "
                                   "stake): see the findings table.")  # 6 + 7 + 8 dollars


def test_collections_below_the_books_are_an_alert(close: chain.DailyClose) -> None:
    f = {**chain.summary_figures(close), "collections_mtd_cents": 900_00,
         "collections_expected_mtd_cents": 1000_00, "collections_mtd_vs_expected_pct": 0.9}
    (alert,) = [a for a in chain.alerts(close, f) if "Collections" in a[1]]
    assert alert == ("warning", "Collections this month to date are $900.00, 90.0% of the "
                                "$1,000.00 the books show for the same days of 2024-12.")


# --- hand-outs ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> chain.DailyCloseReport:
    return chain.run(output_dir=str(tmp_path_factory.mktemp("close")))


def test_run_writes_the_workbook_and_the_two_worklists(result: chain.DailyCloseReport) -> None:
    assert [p.name for p in result.files] == ["daily_close.xlsx", "missed_charges.csv",
                                              "filing_deadlines.csv"]
    folder = result.files[0].parent
    missed = rows("missed_charges", folder)
    usual = int(result.close.charge_capture.missed["expected_cents"].iloc[0])
    assert missed == [{"appointment_id": "A019960", "date_of_service": "2025-12-23",
                       "location_id": "NORTH", "provider_id": "P005",
                       "visit_type": "established", "business_days_since": "5",
                       "expected": f"{Decimal(usual) / 100:.2f}"}]
    filing = rows("filing_deadlines", folder)
    assert [(r["claim_id"], r["deadline"], r["days_left"], r["open"], r["finding"])
            for r in filing] == [
        ("C003523", "2025-06-09", "-205", "365.00", "filing_limit_past"),
        ("C009402", "2026-01-10", "10", "230.00", "filing_limit_near")]
    for path in result.files[1:]:
        text = path.read_text(encoding="utf-8")
        assert "patient" not in text and not re.search(r"\bPT\d{5}\b", text), path.name


def test_the_deposit_sheet_lists_the_days_receipts(result: chain.DailyCloseReport) -> None:
    from openpyxl import load_workbook

    book = load_workbook(result.files[0])
    assert book.sheetnames == ["MAIN 2025-12-31", "MAIN 2025-12 by day", "NORTH 2025-12-31",
                               "NORTH 2025-12 by day"]
    sheet = list(book["MAIN 2025-12-31"].iter_rows(values_only=True))
    assert sheet[0][0] == "Deposit file: Main Street Clinic (MAIN), Wednesday 31 December 2025"
    assert sheet[1] == ("line", "batch", "receipt", "check_number", "amount")
    desk = [r for r in rows("front_desk_payments")
            if r["date"] == "2025-12-31" and r["location_id"] == "MAIN"]
    listed = {(r[0], r[2], r[3], Decimal(str(r[4]))) for r in sheet[2:]
              if r[0] in ("cash", "check", "card")}
    assert listed == {(r["tender"], r["receipt"], r["check_number"] or None,
                       Decimal(r["amount"])) for r in desk}
    totals = {r[0]: Decimal(str(r[4])) for r in sheet[2:] if r[0] and r[4] is not None
              and r[0] not in ("cash", "check", "card")}
    by = {t: sum(Decimal(r["amount"]) for r in desk if r["tender"] == t)
          for t in ("cash", "check", "card")}
    assert totals["Cash total (1 receipt)"] == by["cash"] == Decimal("20.00")
    assert totals["Checks total (1 receipt)"] == by["check"] == Decimal("365.00")
    assert totals["Deposit slip total (cash and checks)"] == Decimal("385.00")
    assert totals["Cards total (10 receipts)"] == by["card"] == Decimal("420.00")
    assert totals["Collected at the desk"] == totals[
        "Posted in the practice-management system"] == Decimal("805.00")
    assert totals["Difference (collected − posted)"] == 0


def test_the_month_sheet_has_a_row_per_business_day(result: chain.DailyCloseReport) -> None:
    from openpyxl import load_workbook

    sheet = list(load_workbook(result.files[0])["NORTH 2025-12 by day"].iter_rows(
        values_only=True))
    header, body, total = sheet[1], sheet[2:-1], sheet[-1]
    assert header[:7] == ("date", "receipts", "cash", "checks", "cards", "collected", "posted")
    desk = [r for r in rows("front_desk_payments")
            if r["date"].startswith("2025-12") and r["location_id"] == "NORTH"]
    days = sorted({r["date"] for r in desk})
    assert [r[0].date().isoformat() for r in body] == days and len(days) == 22
    balanced = dict(zip(days, [r[header.index("balanced")] for r in body], strict=True))
    assert {d for d, b in balanced.items() if b == "NO"} == {"2025-12-04"}
    assert total[0] == "Total"
    assert Decimal(str(total[header.index("collected")])) == sum(
        Decimal(r["amount"]) for r in desk)


def test_compute_reads_and_writes_no_file(inputs: chain.DailyCloseInputs,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compute touched a file")

    monkeypatch.setattr(report, "write_handouts", refuse)
    monkeypatch.setattr(report, "write_atomic", refuse)
    monkeypatch.setattr(data, "load", refuse)
    assert len(chain.compute(inputs, close_date="2025-12-19").findings) > 0


def test_the_explorer_recomputes_without_writing(result: chain.DailyCloseReport,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipywidgets")
    from pracops.daily_close import view

    calls: list[tuple[str, float]] = []
    compute = chain.compute

    def counted(inputs: chain.DailyCloseInputs, **kw: object) -> chain.DailyClose:
        calls.append((str(kw["close_date"]), float(kw["minimum_balance"])))  # type: ignore
        return compute(inputs, **kw)  # type: ignore[arg-type]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the explorer wrote a file")

    monkeypatch.setattr(chain, "compute", counted)
    monkeypatch.setattr(report, "write_handouts", refuse)
    box = view.explorer(result.inputs, **result.parameters)
    grid = box.children[0].children
    day, minimum = grid[0].children[1], grid[2].children[1]
    assert calls == [("2025-12-31", 150000.0)]
    day.value = "2025-12-05"
    minimum.value = 250000.0
    assert calls == [("2025-12-31", 150000.0), ("2025-12-05", 150000.0),
                     ("2025-12-05", 250000.0)]


def test_the_close_runs_without_the_optional_inputs(inputs: chain.DailyCloseInputs) -> None:
    from pracops.daily_close import view

    bare = dataclasses.replace(inputs, card_settlements=None, payroll_runs=None,
                               payments_posted=None)
    close = chain.compute(bare)
    # without the processor's batches a settlement short of its fees cannot be told from the
    # fees (the day close says so); every other plant is still found
    expected = {(k, r) for k, r, _, _ in expected_findings() if k != "card_settlement_short"}
    assert set(zip(close.findings["kind"], close.findings["reference"], strict=True)) \
        == expected
    said = " ".join(close.notes)
    for words in ("No card_settlements", "No payroll_runs", "No payments_posted: the A/R "
                  "roll-forward takes the payments as the journal posted them"):
        assert words in said
    assert r"- No payments\_posted: the A/R roll-forward" in view.notes_text(close)
    # the journal's payments in payments_posted's shape: the same money, signed as posted
    posted = chain.payments_from_journal(inputs.pm_transactions)
    pm = [r for r in rows("pm_transactions") if r["kind"] == "payment"]
    assert len(posted) == len(pm)
    assert int(posted["amount_cents"].sum()) == -sum(cents(r["amount"]) for r in pm)
    assert set(posted["source"]) == {"ERA", "patient"}
    assert chain.compute(inputs).notes == ()  # the sample has every file


def test_run_gives_the_notebooks_figures_alerts_and_hand_outs(
        result: chain.DailyCloseReport) -> None:
    """What an analyst's ``chain.run()`` gives is what the notebook recorded through the runner
    (the stored copy of ``tests/test_unchanged.py``)."""
    import hashlib

    from pracops.daily_close import view

    stored = json.loads((Path(__file__).parents[1] / "fixtures" / "recorded"
                         / "daily_close.json").read_text(encoding="utf-8"))
    assert json.loads(json.dumps(result.figures)) == stored["figures"]
    assert [{"level": level, "message": message} for level, message in result.alerts] == \
        stored["alerts"]
    assert [k for k in result.figures if k in view.HEADLINE_FIGURES] == stored["headline"]
    assert sorted(f"daily_close_files/{p.name}" for p in result.files) == \
        stored["files"]["attachments"]
    for p in result.files:
        if p.suffix == ".csv":
            assert hashlib.sha256(p.read_bytes()).hexdigest() == \
                stored["handouts"][f"daily_close_files/{p.name}"], p.name


# --- a large practice's close: steps beside each other in two processes -----------------------

def _same(a: object, b: object, where: str = "close") -> None:
    """Every field of two closes equal: frames and series exactly (dtypes included)."""
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=where)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, obj=where)
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b or (a != a and b != b), where  # NaN equals NaN here


def _beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Have any close run in two processes, whatever this machine's cores."""
    monkeypatch.setattr(chain, "BESIDE_FROM", 0)
    monkeypatch.setattr(chain, "_cores", lambda: 2)


def _children() -> set[int]:
    return {child.pid for child in psutil.Process().children()}


def _pid_noted(fn: Callable[..., object], path: Path) -> Callable[..., object]:
    """``fn`` that first writes the id of the process it runs in to ``path``."""
    def noted(*args: object, **kwargs: object) -> object:
        path.write_text(str(os.getpid()))
        return fn(*args, **kwargs)
    return noted


def test_a_large_practices_close_runs_in_two_processes_to_the_same_result(
        inputs: chain.DailyCloseInputs, close: chain.DailyClose,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert len(inputs.pm_transactions) < chain.BESIDE_FROM  # the sample: one process
    _beside(monkeypatch)
    before = _children()
    monkeypatch.setattr(ledger, "charge_capture",
                        _pid_noted(ledger.charge_capture, tmp_path / "beside"))
    monkeypatch.setattr(ledger, "ar_rollforward",
                        _pid_noted(ledger.ar_rollforward, tmp_path / "here"))
    _same(chain.compute(inputs), close)
    assert int((tmp_path / "here").read_text()) == os.getpid()
    child = int((tmp_path / "beside").read_text())
    assert child != os.getpid() and not psutil.pid_exists(child)  # gone, reaped
    assert _children() == before


def _raising(words: str) -> Callable[..., object]:
    def raises(*args: object, **kwargs: object) -> object:
        raise DataError(words)
    return raises


@pytest.mark.parametrize(("failing", "raised"), [
    # a step of the child's before one of this process's: the child's, as in one process
    ({(cash, "day_close"): "desk", (ledger, "ar_rollforward"): "journal"}, "desk"),
    ({(ledger, "charge_capture"): "visits", (payables, "cash_forecast"): "bank"}, "visits"),
    # this process's step first
    ({(ledger, "ar_rollforward"): "journal", (ledger, "timely_filing"): "payers"}, "journal"),
    ({(payables, "cash_forecast"): "bank"}, "bank"),
    ({(cash, "bank_reconciliation"): "statement"}, "statement"),
])
def test_what_a_close_in_two_processes_raises_is_the_first_steps(
        inputs: chain.DailyCloseInputs, monkeypatch: pytest.MonkeyPatch,
        failing: dict[tuple[object, str], str], raised: str, tmp_path: Path) -> None:
    _beside(monkeypatch)
    for (module, name), words in failing.items():
        monkeypatch.setattr(module, name, _raising(words))
    # the child's first step notes its process: the close did run in two
    monkeypatch.setattr(cash, "day_close", _pid_noted(cash.day_close, tmp_path / "child"))
    before = _children()
    with pytest.raises(DataError, match=f"^{raised}$"):
        chain.compute(inputs)
    child = int((tmp_path / "child").read_text())
    assert child != os.getpid() and not psutil.pid_exists(child)
    assert _children() == before


def test_an_interrupted_close_leaves_no_child(inputs: chain.DailyCloseInputs,
                                              monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    def waits(*args: object, **kwargs: object) -> object:
        (tmp_path / "child").write_text(str(os.getpid()))
        time.sleep(120)
        raise AssertionError("not stopped")

    def interrupted(*args: object, **kwargs: object) -> object:
        while not (tmp_path / "child").exists():  # the child is in its first step
            time.sleep(0.01)
        raise KeyboardInterrupt

    _beside(monkeypatch)
    monkeypatch.setattr(cash, "day_close", waits)
    monkeypatch.setattr(ledger, "ar_rollforward", interrupted)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        chain.compute(inputs)
    assert time.monotonic() - start < 60
    child = int((tmp_path / "child").read_text())
    assert child != os.getpid() and not psutil.pid_exists(child)


def test_text_of_few_values_is_held_as_a_categorical_that_sorts_as_the_text() -> None:
    """The journal's locations and users (chain.AS_CATEGORIES): the same values, a missing
    one still missing, categories in text order, so a sort gives the text's order."""
    text = pd.Series(["L09", "L02", None, "L10", "L02", "A1"], dtype="str", name="user")
    held = chain._categorical(text)
    assert held.name == "user" and isinstance(held.dtype, pd.CategoricalDtype)
    assert list(held.cat.categories) == ["A1", "L02", "L09", "L10"]
    assert held.isna().tolist() == [False, False, True, False, False, False]
    assert held.dropna().tolist() == text.dropna().tolist()
    assert held.sort_values().dropna().tolist() == text.sort_values().dropna().tolist()
