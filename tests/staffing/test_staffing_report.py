"""The staffing plan report on the bundled sample finds exactly the injected roster shortage.

The ground truth is what the sample generator recorded (pracops/sample/data/ground_truth.json,
section "staffing"): the one stretch where the roster falls short of the practice's staffing
standard. The generator refuses to write a sample whose roster falls short anywhere else, so
the report must find that stretch and nothing more. Expected FTE and labour costs are recomputed
here from the CSV text with plain Decimal arithmetic, independently of pracops.staffing.
The notebook is executed once through the runner (parameters/test/staffing_plan.yaml).
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from pracops import config, runner
from pracops.staffing import chain, view
from pracops.staffing import model as staffing

SAMPLE = config.SAMPLE_DIR
GROUND_TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text())
TRUTH = GROUND_TRUTH["staffing"]
STANDARD = GROUND_TRUTH["practice"]["staffing_standard"]
REPORT = "staffing_plan"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def cents(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_report_runs_and_records_the_contract(run: dict) -> None:
    rr = run["result"]
    assert rr.status == "ok", rr.error
    f = rr.figures
    for key in ("fte_required_by_role", "fte_on_roster_by_role", "fte_gap_by_role"):
        assert isinstance(f[key], dict) and f[key]
        assert all(isinstance(k, str) and isinstance(v, (int, float)) for k, v in f[key].items())
    for key in ("annual_labor_cost_cents", "labor_cost_per_visit_cents",
                "required_labor_cost_cents"):
        assert isinstance(f[key], int) and f[key] > 0
    assert isinstance(f["staff_per_provider_fte"], float) and 2 < f["staff_per_provider_fte"] < 8
    assert isinstance(f["phone_service_level"], float) and 0 <= f["phone_service_level"] <= 1
    assert isinstance(f["uncovered_staff_hours_per_week"], float)
    # The sample's plan is proved optimal within the test parameters' budget (1 unit).
    assert f["solver_status"] == "OPTIMAL" and f["solver_gap_pct"] == 0
    assert f["solver_parts_not_proved"] == f["solver_parts_fallback"] == 0
    assert "solve_seconds" not in f  # wall time varies with the load: not a figure
    for role, gap in f["fte_gap_by_role"].items():
        assert gap == pytest.approx(f["fte_required_by_role"][role]
                                    - f["fte_on_roster_by_role"][role], abs=2e-3)
    assert f["plan_start"] == "2026-01-05"
    assert 0 < f["backtest_mape_pct"] < 50


def test_fte_on_roster_is_the_staff_file(run: dict) -> None:
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows(SAMPLE / "staff.csv"):
        expected[r["role"]] += Decimal(r["fte"])
    f = run["result"].figures
    on_roster = {role: fte for role, fte in f["fte_on_roster_by_role"].items() if fte}
    assert on_roster == pytest.approx({role: float(v) for role, v in expected.items()})
    assert f["fte_on_roster_total"] == pytest.approx(float(sum(expected.values())))


def test_notebook_defaults_are_the_sample_practices_standard() -> None:
    # The shortage is measured against this standard; the report must use the same one.
    params = runner.notebook_parameters(config.NOTEBOOKS_DIR / f"{REPORT}.ipynb")
    minutes = params["minutes_per_visit"].default
    assert {r: minutes[r] for r in STANDARD["minutes_per_visit"]} == \
        STANDARD["minutes_per_visit"]
    assert params["minimum_staff"].default == STANDARD["minimum_staff"]
    assert params["max_utilisation"].default == STANDARD["utilisation"]
    assert params["phone_staffing"].default == "workload"


def test_the_injected_roster_shortage_and_nothing_else(run: dict) -> None:
    (shortage,) = [e for e in TRUTH if e["kind"] == "roster_shortage"]
    assert len(TRUTH) == 1  # the generator refuses any other shortfall
    f = run["result"].figures
    assert f["roster_gaps"] == [{
        "location_id": shortage["location_id"], "role": shortage["role"],
        "day": shortage["weekday"], "hours": shortage["hours"],
        "short_by": shortage["short_by"],
        "staff_hours": pytest.approx(_hours(shortage["hours"]) * shortage["short_by"]),
    }]
    assert f["uncovered_staff_hours_per_week"] == pytest.approx(
        _hours(shortage["hours"]) * shortage["short_by"])
    (gap,) = rows(run["files"] / "roster_gaps.csv")
    assert (gap["location_id"], gap["role"], gap["day"], f"{gap['start']}-{gap['end']}") == (
        shortage["location_id"], shortage["role"], shortage["weekday"], shortage["hours"])
    messages = [a["message"] for a in run["result"].alerts]
    start, end = shortage["hours"].split("-")
    (site,) = [r["name"] for r in rows(SAMPLE / "locations.csv")
               if r["location_id"] == shortage["location_id"]]  # the site by its name
    assert (f"{site}: {shortage['role']} short by {shortage['short_by']} on "
            f"{shortage['weekday']} {start}-{end}") in " ".join(messages)
    # The employee whose days leave the hole does not work that afternoon.
    (person,) = [r for r in rows(SAMPLE / "staff.csv")
                 if r["employee_id"] == shortage["employee_id"]]
    assert (person["role"], person["location_id"]) == (shortage["role"],
                                                       shortage["location_id"])


def _hours(span: str) -> float:
    start, end = span.split("-")
    return (int(end[:2]) * 60 + int(end[3:]) - int(start[:2]) * 60 - int(start[3:])) / 60


def test_annual_labor_cost_by_hand(run: dict) -> None:
    # base = rate × FTE × 2,080 h, benefits = 30 % of base, each rounded half-up to a cent;
    # no overtime by default. E.g. 0.5 FTE at $19.00: 1900 × 0.5 × 2080 = 1,976,000 cents,
    # benefits 592,800, total 2,568,800 cents ($25,688.00).
    staff = rows(SAMPLE / "staff.csv")
    total = 0
    by_hand = {}
    for r in staff:
        base = cents(Decimal(r["hourly_rate"]) * 100 * Decimal(r["fte"]) * 2080)
        by_hand[r["employee_id"]] = base + cents(Decimal(base) * Decimal("0.30"))
        total += by_hand[r["employee_id"]]
    assert run["result"].figures["annual_labor_cost_cents"] == total
    labor = staffing.labor_cost(chain.load_inputs(None).staff).set_index("employee_id")
    for employee in ("E001", "E010", "E023"):
        assert labor.loc[employee, "total_cents"] == by_hand[employee]
    e001 = next(r for r in staff if r["employee_id"] == "E001")
    if (e001["fte"], e001["hourly_rate"]) == ("0.5", "19.00"):
        assert by_hand["E001"] == 2_568_800


def test_shift_plan_files(run: dict) -> None:
    files = run["files"]
    assert (files / "staffing_plan.xlsx").is_file()
    shifts = rows(files / "shift_plan.csv")
    sites = {r["location_id"] for r in rows(SAMPLE / "locations.csv")}
    assert {r["location_id"] for r in shifts} == sites
    week = sum(Decimal(r["cost"]) for r in shifts)
    assert week * 100 == run["result"].figures["plan_cost_per_week_cents"]
    assert not [p for p in files.iterdir() if p.name.startswith(".")]  # no temporary files


def test_html_shows_no_code_and_no_people(run: dict) -> None:
    html = (run["dir"] / f"{REPORT}.html").read_text(encoding="utf-8")
    for code in ("chain.run(", "import matplotlib", "report.record(",
                 "solver_deterministic_time: float", "staffing_explorer"):
        assert code not in html
    patients = {r["patient_id"] for r in rows(SAMPLE / "appointments.csv")}
    staff_names = {r["name"] for r in rows(SAMPLE / "staff.csv")}
    shared = [run["dir"] / f"{REPORT}.html", run["dir"] / f"{REPORT}.json",
              run["dir"] / "index.html", *sorted(run["files"].glob("*.csv"))]
    for path in shared:
        text = path.read_text(encoding="utf-8")
        leaked = [p for p in patients if p in text] + [n for n in staff_names if n in text]
        assert leaked == [], f"{path.name} shows people: {leaked[:3]}"
    assert html.count('src="data:image/png;base64,') == 6  # six charts, embedded
    assert "<script src=" not in html


def test_without_phone_data_the_phone_section_says_so(tmp_path: Path) -> None:
    for name in ("appointments", "locations", "staff", "providers"):
        shutil.copy(SAMPLE / f"{name}.csv", tmp_path)
    inputs = chain.load_inputs(tmp_path)
    assert inputs.phone_calls is None
    plan = chain.compute(inputs, solver_deterministic_time=2, backtest_month=None)
    f = chain.summary_figures(plan)
    assert f["phone_service_level"] is None and f["phone_calls_per_week"] is None
    assert "No phone statistics" in view.summary_text(plan, f)
    assert view.phone_table(plan) is None


def test_rows_left_out_are_counted_where_a_reader_sees_them(run: dict) -> None:
    # Counted from the CSV text: cancelled and rescheduled appointments, and bookings dated
    # before the plan's first day (the export ends on 2025-12-31, the plan starts 2026-01-05).
    f = run["result"].figures
    start, end = f["plan_start"], f["plan_end"]
    appts = rows(SAMPLE / "appointments.csv")
    expected = {
        "cancelled": sum(r["status"] == "cancelled" for r in appts),
        "rescheduled": sum(r["status"] == "rescheduled" for r in appts),
        "booked, dated before the plan's start": sum(
            r["status"] == "booked" and r["date"] < start for r in appts),
        "booked, after the plan's last day": sum(
            r["status"] == "booked" and r["date"] > end for r in appts),
        "completed or no-show, after the history": sum(
            r["status"] in ("completed", "no-show") and r["date"] >= start for r in appts),
    }
    expected = {what: n for what, n in expected.items() if n}
    assert expected["cancelled"] > 0 and expected["rescheduled"] > 0
    left_out = f["left_out"]
    assert {x["what"]: x["count"] for x in left_out if x["dataset"] == "appointments"} == expected
    assert all(x["unit"] == "rows" and x["why"].startswith("left out") for x in left_out
               if x["dataset"] == "appointments")
    # The sample's phone statistics all lie in its sites' opening hours on weekdays (both sites
    # open Mon-Fri), and the usual shifts of the shift-planned roles inside their site's hours,
    # on quarter hours, Mon-Fri: nothing else is left out.
    sites = {r["location_id"]: r for r in rows(SAMPLE / "locations.csv")}
    assert {r["days_open"] for r in sites.values()} == {"Mon-Fri"}
    for c in rows(SAMPLE / "phone_calls.csv"):
        site = sites[c["location_id"]]
        assert site["opens"] <= c["interval_start"] < site["closes"]
        assert date.fromisoformat(c["date"]).weekday() < 5
    for person in rows(SAMPLE / "staff.csv"):
        if person["role"] not in staffing.PATIENT_FACING_ROLES:
            continue
        site = sites[person["location_id"]]
        for group in person["usual_shifts"].split("; "):
            days, hours = group.split(" ")
            first, last = hours.split("-")
            assert site["opens"] <= first < last <= site["closes"]
            assert first[3:] in ("00", "15", "30", "45") and last[3:] in ("00", "15", "30", "45")
            assert not {"Sat", "Sun"} & set(days.replace("-", ",").split(","))
    assert [x for x in left_out if x["dataset"] != "appointments"] == []
    # The reader sees them: in the summary's words and in the table of what the plan uses.
    html = run["html"].read_text(encoding="utf-8")
    assert "Left out on purpose" in html and "What the plan uses" in html
    assert f"{expected['cancelled']:,} rows cancelled" in html
