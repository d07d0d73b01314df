"""Tests of pracops.staffing against values worked out by hand (shown next to each test) or by an
independent method (Erlang C by the factorial formula and in log space).

The small appointment history used by the demand tests (location L1, all 'established'):

=============  ====  =========================================  ==============================
date           day   completed (start hours)                    other rows
=============  ====  =========================================  ==============================
2025-01-06     Mon   4: 08:00, 08:30, 09:00, 10:00              1 no-show 09:30
2025-01-13     Mon   2: 08:00, 09:00                            1 cancelled 10:00
2025-02-03     Mon   6: 08:00 ×3, 09:00 ×3                      1 rescheduled 11:00
2026-01-05     Mon   —                                          5 booked
2026-01-12     Mon   —                                          1 booked
=============  ====  =========================================  ==============================

Kept appointments: 12 completed + 1 no-show = 13, so the no-show rate is 1/13.
Visits per open day: January (4 + 2) / 2 = 3, February 6 / 1 = 6; mean 4.5, so
S_jan = 2/3 and S_feb = 4/3 (other months 1). Deseasonalised Mondays: 4 / (2/3) = 6,
2 / (2/3) = 3, 6 / (4/3) = 4.5; base_Mon = 4.5. Hours of the 12 visits: 8 → 6, 9 → 5, 10 → 1.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from pracops.errors import DataError, ParameterError
from pracops.staffing import model as st

# --------------------------------------------------------------------------------------------
# Erlang C


def _erlang_c_factorial(arrivals: float, handle_min: float, n: int, t_sec: float):
    """P(wait), SL and ASA from the textbook formula with factorials (small N only)."""
    a = arrivals * handle_min / 60
    top = a**n / math.factorial(n) * n / (n - a)
    c = top / (sum(a**k / math.factorial(k) for k in range(n)) + top)
    h = handle_min * 60
    return c, 1 - c * math.exp(-(n - a) * t_sec / h), c * h / (n - a)


def _erlang_c_logspace(arrivals: float, handle_min: float, n: int) -> float:
    """P(wait) with every term in logs (lgamma), for hundreds of agents."""
    a = arrivals * handle_min / 60
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
    log_top = n * math.log(a) - math.lgamma(n + 1) + math.log(n / (n - a))
    m = max(logs + [log_top])
    total = sum(math.exp(x - m) for x in logs) + math.exp(log_top - m)
    return math.exp(log_top - m) / total


def test_erlang_c_hand_worked_example():
    # 56 calls/h × 4 min: A = 3.7333 Erlangs on 6 agents.
    r = st.erlang_c(56, 4, 6, 30)
    assert r.traffic_erlangs == pytest.approx(3.7333, abs=1e-4)
    assert r.p_wait == pytest.approx(0.2239, abs=1e-4)
    assert r.service_level == pytest.approx(0.8314, abs=1e-4)
    assert r.asa_seconds == pytest.approx(23.7, abs=0.05)
    assert r.occupancy == pytest.approx(3.7333 / 6, abs=1e-4)


@pytest.mark.parametrize("arrivals,handle,n,t", [
    (56, 4, 5, 30), (56, 4, 6, 20), (56, 4, 9, 30), (10, 6, 2, 60), (120, 3, 8, 15),
    (500, 4, 40, 30), (500, 4, 36, 20),
])
def test_erlang_c_matches_factorial_formula(arrivals, handle, n, t):
    c, sl, asa = _erlang_c_factorial(arrivals, handle, n, t)
    r = st.erlang_c(arrivals, handle, n, t)
    assert r.p_wait == pytest.approx(c, rel=1e-10)
    assert r.service_level == pytest.approx(sl, rel=1e-10)
    assert r.asa_seconds == pytest.approx(asa, rel=1e-10)


def test_erlang_c_large_queue_stays_finite_and_accurate():
    # 5,000 calls/h × 4 min = 333.3 Erlangs: A**N overflows a float, the recursion does not.
    r = st.erlang_c(5000, 4, 350, 30)
    assert all(math.isfinite(x) for x in (r.p_wait, r.service_level, r.asa_seconds))
    assert r.p_wait == pytest.approx(_erlang_c_logspace(5000, 4, 350), rel=1e-9)
    assert 0 < r.p_wait < 1 and 0 < r.service_level < 1


def test_erlang_c_unstable_and_empty_queues():
    # A = 3.7333: 3 agents cannot keep up; nor can exactly A agents.
    assert st.erlang_c(56, 4, 3, 30) == st.ErlangC(3, 56 * 4 / 60, 1.0, 0.0, math.inf, 1.0)
    assert st.erlang_c(60, 4, 4, 30).asa_seconds == math.inf  # A = 4 = N
    empty = st.erlang_c(0, 4, 2, 30)
    assert (empty.p_wait, empty.service_level, empty.asa_seconds, empty.occupancy) == (0, 1, 0, 0)


@pytest.mark.parametrize("args", [(-1, 4, 2, 30), (10, 0, 2, 30), (10, 4, 1.5, 30),
                                  (10, 4, 2, -1), (math.nan, 4, 2, 30), (10, 4, math.nan, 30),
                                  (10, 4, "2", 30)])
def test_erlang_c_refuses_bad_parameters(args):
    with pytest.raises(ParameterError):
        st.erlang_c(*args)


def test_agents_needed():
    # SL(5) < 0.8 ≤ SL(6) = 0.8314 (above).
    assert st.erlang_c(56, 4, 5, 30).service_level < 0.8
    assert st.agents_needed(56, 4, 0.8, 30, max_occupancy=1.0) == 6
    # Occupancy cap 0.6: N ≥ 3.7333 / 0.6 = 6.22, so 7.
    assert st.agents_needed(56, 4, 0.8, 30, max_occupancy=0.6) == 7
    assert st.agents_needed(0, 4, 0.8, 30, max_occupancy=1.0) == 0
    n = st.agents_needed(5000, 4, 0.9, 20, max_occupancy=1.0)
    assert st.erlang_c(5000, 4, n, 20).service_level >= 0.9
    assert st.erlang_c(5000, 4, n - 1, 20).service_level < 0.9
    with pytest.raises(ParameterError):
        st.agents_needed(56, 4, 1.0, 30, max_occupancy=1.0)
    with pytest.raises(ParameterError):
        st.agents_needed(56, 4, 0.8, 30, max_occupancy=0)


# --------------------------------------------------------------------------------------------
# FTE arithmetic and cost


def _staff(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame({
        "employee_id": ["E1", "E2", "E3"],
        "name": ["A", "B", "C"],
        "role": ["front desk", "manager", "medical assistant"],
        "fte": [0.5, 1.0, 0.8],
        "hourly_rate_cents": [2050, 4475, 2125],
        "overtime_eligible": [True, False, True],
        "location_id": ["L1", "L1", "L1"],
        "usual_shifts": ["Mon 08:00-09:00", "Mon-Fri 08:00-16:30", "Mon 08:30-10:10"],
    })
    for column, value in overrides.items():
        frame[column] = value
    return frame


def test_fte_hours():
    h = st.fte_hours()  # 2080 − 120 − 64 − 16
    assert h.productive_hours == 1880
    assert h.replacement_factor == pytest.approx(2080 / 1880)
    assert st.fte_hours(2080, 80, 80, 48).productive_hours == 1872
    with pytest.raises(ParameterError):
        st.fte_hours(2080, 2000, 80, 0)
    with pytest.raises(ParameterError):
        st.fte_hours(2080, -1)


def test_labor_cost_by_hand():
    # E1: base 2050 × 0.5 × 2080 = 2,132,000; overtime 2050 × 1.5 × 10 × 0.5 = 15,375;
    #     benefits 30 % of base = 639,600; total 2,786,975.
    # E2: base 4475 × 2080 = 9,308,000; not eligible; benefits 2,792,400; total 12,100,400.
    # E3: base 2125 × 0.8 × 2080 = 3,536,000; overtime 2125 × 1.5 × 10 × 0.8 = 25,500;
    #     benefits 1,060,800; total 4,622,300.
    out = st.labor_cost(_staff(), st.fte_hours(), benefits_load_pct=30,
                        overtime_hours_per_fte=10, overtime_multiplier=1.5)
    assert out["base_cents"].tolist() == [2_132_000, 9_308_000, 3_536_000]
    assert out["overtime_cents"].tolist() == [15_375, 0, 25_500]
    assert out["benefits_cents"].tolist() == [639_600, 2_792_400, 1_060_800]
    assert out["total_cents"].tolist() == [2_786_975, 12_100_400, 4_622_300]
    assert out["paid_hours"].tolist() == [1040, 2080, 1664]
    assert str(out["total_cents"].dtype) == "int64"


def test_labor_cost_rounds_half_up():
    # One paid hour: 2049 × 0.5 = 1024.5 → 1025 (bankers' rounding would give 1024);
    # benefits 10 % of 1025 = 102.5 → 103.
    staff = _staff().iloc[[0]].assign(hourly_rate_cents=2049)
    out = st.labor_cost(staff, st.fte_hours(1, 0, 0, 0), benefits_load_pct=10)
    assert out.loc[0, ["base_cents", "benefits_cents", "total_cents"]].tolist() == [1025, 103, 1128]


def test_fte_cost_and_role_rates():
    # 1.5 FTE × 2080 h × 2000 = 6,240,000; benefits 30 % = 1,872,000.
    assert st.fte_cost_cents(1.5, 2000, st.fte_hours(), 30) == 8_112_000
    # (1 × 2001 + 1 × 2000) / 2 = 2000.5 → 2001; front desk alone: 2050.
    staff = pd.concat([_staff(), _staff().iloc[[2]].assign(employee_id="E4", fte=1.0,
                                                            hourly_rate_cents=2000)],
                      ignore_index=True)
    staff.loc[2, ["fte", "hourly_rate_cents"]] = [1.0, 2001]
    rates = st.role_rates(staff).set_index("role")
    assert rates.loc["medical assistant", "hourly_rate_cents"] == 2001
    assert rates.loc["front desk", "hourly_rate_cents"] == 2050
    assert list(rates.index) == ["front desk", "medical assistant", "manager"]


@pytest.mark.parametrize("column,value,row", [
    ("role", ["front desk", "janitor", "nurse"], 3),
    ("fte", [0.5, 1.0, 1.6], 4),
    ("hourly_rate_cents", [-1, 4475, 2125], 2),
])
def test_check_staff_names_rows(column, value, row):
    with pytest.raises(DataError) as info:
        st.check_staff(_staff(**{column: value}))
    assert info.value.row == row and info.value.column == column


def test_check_staff_rows_follow_the_index_of_a_filtered_frame():
    staff = _staff(fte=[0.5, 1.0, 2.0]).iloc[[2]]  # file row 4
    with pytest.raises(DataError, match="row 4"):
        st.check_staff(staff)


# --------------------------------------------------------------------------------------------
# Roster


def test_parse_shifts():
    assert st.parse_shifts("Mon,Wed 07:30-16:00; Sat 08:00-12:00") == [
        ("Mon", 450, 960), ("Wed", 450, 960), ("Sat", 480, 720)]
    assert [d for d, _, _ in st.parse_shifts("Sat-Mon 08:00-12:00")] == ["Sat", "Sun", "Mon"]
    assert len(st.parse_shifts("Mon-Fri 08:00-16:30")) == 5
    for bad in ("Mon-Fri 16:00-08:00", "Monday 08:00-12:00", "Mon 8:00-12:00"):
        with pytest.raises(ValueError):
            st.parse_shifts(bad)


def test_roster_shifts_and_bad_text():
    shifts = st.roster_shifts(_staff())
    assert len(shifts) == 1 + 5 + 1
    assert shifts.loc[shifts["employee_id"] == "E2", "hours"].tolist() == [8.5] * 5
    with pytest.raises(DataError) as info:
        st.roster_shifts(_staff(usual_shifts=["Mon 08:00-09:00", "Mon 17:00-08:00", "Tue"]))
    assert info.value.row == 3 and info.value.column == "usual_shifts"


def test_roster_coverage_counts_whole_intervals():
    # E1 Mon 08:00-09:00, E3 Mon 08:30-10:10 (the 10:00 interval is not covered in full).
    cov = st.roster_coverage(_staff().iloc[[0, 2]].assign(role="front desk"))
    got = dict(zip(cov["interval_start"], cov["on_roster"], strict=True))
    assert got == {"08:00": 1, "08:15": 1, "08:30": 2, "08:45": 2, "09:00": 1, "09:15": 1,
                   "09:30": 1, "09:45": 1}


# --------------------------------------------------------------------------------------------
# Shift plan
#
# Front desk, Mon, open 08:00-16:00: 1 person all day, 2 from 10:00 to 13:00. Shifts of 3 or 8
# hours starting on the hour. Person-hours needed: 8 + 3 = 11, so 11 paid hours is a lower
# bound; one 08:00-16:00 plus one 10:00-13:00 reaches it, and it is the only way (11 = 8 + 3,
# the only 8-hour shift is 08-16, so the 3-hour one must be 10-13).
# Nurse, Mon: 1 person 12:00-15:00 → one 3-hour shift 12-15.
# Rates: front desk 2000 → 11 × 2000 = 22,000; nurse 3001 → 3 × 3001 = 9,003; total 31,003.
# Roster: one front desk 08:00-12:00 → gaps: 10-12 one short (8 intervals), 12-13 two short
# (4 intervals × 2), 13-16 one short (12 intervals): 28 person-intervals; no surplus.


def _required() -> pd.DataFrame:
    rows = []
    for t in range(8 * 60, 16 * 60, 15):
        at = f"{t // 60:02d}:{t % 60:02d}"
        rows.append(("front desk", "Mon", at, 2 if 600 <= t < 780 else 1))
        rows.append(("nurse", "Mon", at, 1 if 720 <= t < 900 else 0))
    return pd.DataFrame(rows, columns=["role", "day", "interval_start", "required"])


def test_plan_shifts_hand_optimum():
    roster = st.roster_coverage(_staff().iloc[[0]].assign(usual_shifts="Mon 08:00-12:00"))
    plan = st.plan_shifts(_required(), "08:00", "16:00", shift_lengths_hours=(3, 8),
                          start_step_minutes=60,
                          hourly_rate_cents={"front desk": 2000, "nurse": 3001},
                          roster=roster)
    assert plan.status == "OPTIMAL" and plan.gap_pct == 0
    assert plan.blocks["status"].tolist() == ["OPTIMAL", "OPTIMAL"]
    got = plan.shifts[["role", "day", "start", "end", "people", "cost_cents"]]
    got = got.astype({"day": "str", "cost_cents": "int64"}).values.tolist()
    assert got == [["front desk", "Mon", "08:00", "16:00", 1, 16_000],
                   ["front desk", "Mon", "10:00", "13:00", 1, 6_000],
                   ["nurse", "Mon", "12:00", "15:00", 1, 9_003]]
    assert plan.paid_hours == 14 and plan.cost_cents == 31_003
    assert plan.lower_bound == pytest.approx(31_003)
    cov = plan.coverage
    assert (cov["planned"] == cov["required"]).all() and (cov["plan_surplus"] == 0).all()
    fd = cov[cov["role"] == "front desk"]
    assert fd["roster_gap"].sum() == 28 and fd["roster_surplus"].sum() == 0
    assert fd.loc[fd["interval_start"] == "12:00", "roster_gap"].item() == 2


def test_plan_shifts_minimises_hours_without_rates_and_counts_surplus():
    # Needing 1 person 08:00-09:00 with only 3-hour shifts: one 08-11 shift, 2 hours surplus.
    req = _required()
    req["required"] = np.where((req["role"] == "front desk") & (req["interval_start"] < "09:00"),
                               1, 0)
    plan = st.plan_shifts(req, "08:00", "16:00", shift_lengths_hours=(3,),
                          start_step_minutes=60)
    assert plan.status == "OPTIMAL" and plan.cost_cents is None
    assert plan.shifts[["start", "end"]].values.tolist() == [["08:00", "11:00"]]
    assert plan.shifts["cost_cents"].isna().all()
    fd = plan.coverage[plan.coverage["role"] == "front desk"]
    assert fd["plan_surplus"].sum() == 8  # 09:00-11:00, eight intervals with one spare
    assert "on_roster" not in plan.coverage


# Greedy cover of _required() with 3- and 8-hour shifts starting on the hour, 08:00-16:00:
# front desk: at 08:00 one short; the shifts covering 08:00 are 08-11 and 08-16, the latest end
# is 16:00 → one 08-16. At 10:00 one more needed: covering shifts 08-11, 09-12, 10-13, 08-16
# (09-17 does not fit) → latest end 16:00 → a second 08-16; then every interval is covered.
# Nurse: at 12:00 one short; covering 10-13, 11-14, 12-15, 08-16 → 08-16.
# Cost: 2 × 8 h × 2000 + 8 h × 3001 = 32,000 + 24,008 = 56,008 cents.


def test_greedy_cover_by_hand():
    candidates = [(s, s + m) for s in range(480, 960, 60) for m in (180, 480) if s + m <= 960]
    fd = {t: 2 if 600 <= t < 780 else 1 for t in range(480, 960, 15)}
    assert st.greedy_cover(fd, candidates, 15) == {(480, 960): 2}
    assert st.greedy_cover({t: 1 for t in range(720, 900, 15)}, candidates, 15) == {
        (480, 960): 1}
    # With only 3-hour shifts: 08-11 for 08:00, then 10:00 is one short → 10-13; at 11:00 the
    # 08-11 shift has ended, one short again → 11-14; at 14:00 only 13-16 reaches furthest:
    # four 3-hour shifts.
    short = [c for c in candidates if c[1] - c[0] == 180]
    assert st.greedy_cover(fd, short, 15) == {(480, 660): 1, (600, 780): 1, (660, 840): 1,
                                              (780, 960): 1}
    with pytest.raises(ParameterError, match="no candidate shift covers 15:00"):
        st.greedy_cover({900: 1}, [(480, 900)], 15)


def test_plan_shifts_falls_back_to_the_greedy_cover_without_a_plan_in_budget():
    # A budget far too small for CP-SAT to find any plan: every part takes the greedy cover.
    plan = st.plan_shifts(_required(), "08:00", "16:00", shift_lengths_hours=(3, 8),
                          start_step_minutes=60,
                          hourly_rate_cents={"front desk": 2000, "nurse": 3001},
                          solver_deterministic_time=1e-9)
    assert plan.status == "FALLBACK"
    assert plan.blocks["status"].tolist() == ["FALLBACK", "FALLBACK"]
    got = plan.shifts[["role", "start", "end", "people", "cost_cents"]]
    assert got.astype({"cost_cents": "int64"}).values.tolist() == [
        ["front desk", "08:00", "16:00", 2, 32_000], ["nurse", "08:00", "16:00", 1, 24_008]]
    assert plan.cost_cents == 56_008
    assert (plan.coverage["planned"] >= plan.coverage["required"]).all()
    # The bound CP-SAT proved is 0 here (nothing searched), so the gap is the whole cost.
    assert plan.lower_bound == 0 and plan.gap_pct == 100


def test_plan_shifts_budget_is_checked_and_named():
    for bad in (0, -1.0, float("nan"), float("inf"), "5"):
        with pytest.raises(ParameterError, match="solver_deterministic_time"):
            st.plan_shifts(_required(), "08:00", "16:00", solver_deterministic_time=bad)


def test_the_solver_budget_has_one_name_and_one_default():
    import inspect

    from pracops import config, runner
    from pracops.staffing import chain

    nb = runner.notebook_parameters(config.NOTEBOOKS_DIR / "staffing_plan.ipynb")
    defaults = {
        "notebook": nb["solver_deterministic_time"].default,
        "run": inspect.signature(chain.run).parameters["solver_deterministic_time"].default,
        "compute": inspect.signature(chain.compute)
        .parameters["solver_deterministic_time"].default,
        "plan_shifts": inspect.signature(st.plan_shifts)
        .parameters["solver_deterministic_time"].default,
    }
    assert defaults == dict.fromkeys(defaults, st.DEFAULT_SOLVER_DETERMINISTIC_TIME)
    assert not [n for n in nb if "seconds" in n and "solver" in n]


def test_plan_shifts_refuses_demand_when_closed_and_uncoverable_intervals():
    req = _required()
    req.loc[len(req)] = ["front desk", "Mon", "07:45", 1]  # row index 64 → file row 66
    with pytest.raises(DataError) as info:
        st.plan_shifts(req, "08:00", "16:00")
    assert info.value.row == 66 and "closed" in str(info.value)
    with pytest.raises(ParameterError, match="no candidate shift"):
        st.plan_shifts(_required(), "08:00", "16:00", shift_lengths_hours=(10,))
    with pytest.raises(DataError, match="unknown role"):
        st.plan_shifts(_required().assign(role="janitor"), "08:00", "16:00")
    with pytest.raises(ParameterError):
        st.plan_shifts(_required(), "08:00", "16:00", hourly_rate_cents={"front desk": 2000})


# --------------------------------------------------------------------------------------------
# Demand


def _appointments() -> pd.DataFrame:
    rows = []

    def add(date, start, status="completed", minutes=20):
        rows.append({"appointment_id": f"A{len(rows) + 1:03d}", "patient_id": "PT1",
                     "provider_id": "P1", "location_id": "L1", "date": pd.Timestamp(date),
                     "start_time": start, "visit_type": "established",
                     "scheduled_minutes": minutes, "status": status,
                     "booked_date": pd.Timestamp("2024-12-01")})

    for t in ("08:00", "08:30", "09:00", "10:00"):
        add("2025-01-06", t)
    add("2025-01-06", "09:30", "no-show")
    for t in ("08:00", "09:00"):
        add("2025-01-13", t)
    add("2025-01-13", "10:00", "cancelled")
    for t in ("08:00", "08:15", "08:30", "09:00", "09:15", "09:30"):
        add("2025-02-03", t)
    add("2025-02-03", "11:00", "rescheduled")
    for t in ("08:00", "08:20", "08:40", "09:00", "09:20"):
        add("2026-01-05", t, "booked")
    add("2026-01-12", "08:00", "booked")
    return pd.DataFrame(rows)


def _locations(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame({"location_id": ["L1"], "opens": ["08:00"], "closes": ["12:00"],
                          "days_open": ["Mon-Fri"]})
    for column, value in overrides.items():
        frame[column] = value
    return frame


def test_check_appointments_accepts_good_and_names_bad_rows():
    appts = _appointments()
    st.check_appointments(appts, _locations())
    bad = appts.copy()
    bad.loc[[3, 7], "scheduled_minutes"] = [0, -10]
    with pytest.raises(DataError) as info:
        st.check_appointments(bad)
    assert info.value.row == 5 and "rows 5, 9" in str(info.value)
    assert info.value.column == "scheduled_minutes"
    late = appts.copy()
    late.loc[2, ["start_time", "scheduled_minutes"]] = ["11:50", 20]  # ends 12:10
    with pytest.raises(DataError, match="opening hours") as info:
        st.check_appointments(late, _locations())
    assert info.value.row == 4
    with pytest.raises(DataError, match="closed") as info:
        st.check_appointments(appts, _locations(days_open="Tue-Fri"))
    assert info.value.row == 2
    with pytest.raises(DataError, match="unknown location"):
        st.check_appointments(appts, _locations(location_id="L2"))
    twice = pd.concat([_locations(), _locations()], ignore_index=True)
    with pytest.raises(DataError, match="the same location twice") as info:
        st.check_appointments(appts, twice)
    assert info.value.column == "location_id" and "rows 2, 3" in str(info.value)


def test_no_show_rates():
    rates = st.no_show_rates(_appointments())
    assert rates["visit_type"].tolist() == ["established", "all"]
    assert rates["kept"].tolist() == [13, 13] and rates["no_shows"].tolist() == [1, 1]
    assert rates["no_show_rate"].tolist() == pytest.approx([1 / 13, 1 / 13])


def test_seasonal_index_averages_one():
    s = st.seasonal_index(_appointments()).set_index("month")
    assert s.loc[1, "visits_per_day"] == 3 and s.loc[2, "visits_per_day"] == 6
    assert s.loc[1, "index"] == pytest.approx(2 / 3) and s.loc[2, "index"] == pytest.approx(4 / 3)
    assert (s.loc[3:, "index"] == 1).all() and s.loc[1:2, "index"].mean() == pytest.approx(1)
    assert s["open_days"].tolist()[:2] == [2, 1]


def test_weekday_hour_profile():
    p = st.weekday_hour_profile(_appointments())
    assert p["day"].astype("str").unique().tolist() == ["Mon"]
    assert p["hour"].tolist() == [8, 9, 10] and p["visits"].tolist() == [6, 5, 1]
    assert p["share"].tolist() == pytest.approx([6 / 12, 5 / 12, 1 / 12])
    assert p["visits_per_day"].tolist() == pytest.approx([2, 5 / 3, 1 / 3])


def test_forecast_daily_history_growth_and_booked():
    f = st.forecast_daily(_appointments(), "2026-01-05", "2026-01-13", growth_pct=10)
    f = f.set_index("date")
    # Mon 01-05: history 4.5 × 2/3 × 1.1 = 3.3; booked 5 × 12/13 = 4.615 > 3.3 → booked.
    assert f.loc["2026-01-05", "history_visits"] == pytest.approx(3.3)
    assert f.loc["2026-01-05", "booked_appointments"] == 5
    assert f.loc["2026-01-05", "booked_visits"] == pytest.approx(60 / 13)
    assert f.loc["2026-01-05", "visits"] == pytest.approx(60 / 13)
    assert f.loc["2026-01-05", "source"] == "booked"
    # Mon 01-12: booked 12/13 < 3.3 → history. Tuesdays were never open → 0.
    assert f.loc["2026-01-12", "visits"] == pytest.approx(3.3)
    assert f.loc["2026-01-12", "source"] == "history"
    assert f.loc["2026-01-13", "visits"] == 0
    final = st.forecast_daily(_appointments(), "2026-01-05", "2026-01-13", growth_pct=10,
                              booked_final_through="2026-01-12").set_index("date")
    assert final.loc["2026-01-12", "visits"] == pytest.approx(12 / 13)
    closed = st.forecast_daily(_appointments(), "2026-01-05", "2026-01-13",
                               closed_dates=["2026-01-12"]).set_index("date")
    assert closed.loc["2026-01-12", "visits"] == pytest.approx(12 / 13)  # booked only
    # March has no history: S = 1, so 4.5 × 1.1.
    march = st.forecast_daily(_appointments(), "2025-03-03", "2025-03-03", growth_pct=10)
    assert march["visits"].item() == pytest.approx(4.95)
    monthly = st.forecast_monthly(f.reset_index())
    assert monthly["month"].tolist() == ["2026-01"] and monthly["open_days"].item() == 2
    assert monthly["visits"].item() == pytest.approx(60 / 13 + 3.3)


def test_forecast_daily_refuses_bad_parameters():
    with pytest.raises(ParameterError):
        st.forecast_daily(_appointments(), "2026-01-05", "2026-01-01")
    with pytest.raises(ParameterError):
        st.forecast_daily(_appointments(), "2026-01-05", "2026-01-06", growth_pct=-100)
    with pytest.raises(ParameterError):
        st.forecast_daily(_appointments(), "2026-01-05", "2026-01-06", train_end="2026-02-01")


def test_hourly_forecast_and_typical_week():
    # Mondays 3.3 and 3.0 (no growth: 4.5 × 2/3 = 3 on both Mondays of January 2026).
    appts = _appointments()
    appts = appts[appts["status"] != "booked"]
    f = st.forecast_daily(appts, "2026-01-05", "2026-01-18")
    hourly = st.forecast_hourly(f, st.weekday_hour_profile(appts))
    assert len(hourly) == 6 and hourly["visits"].sum() == pytest.approx(6)
    week = st.typical_week(hourly)
    assert week["visits"].tolist() == pytest.approx([3 * 6 / 12, 3 * 5 / 12, 3 * 1 / 12])


def test_backtest_by_hand():
    # Train on January only: S_jan = 1, base_Mon = (4 + 2) / 2 = 3; February (no history)
    # S = 1, so 02-03 is forecast 3 against 6 actual: MAPE 50 %, bias −50 %, error −3.
    bt = st.backtest(_appointments(), "2025-02")
    assert bt.test_month == "2025-02"
    assert bt.mape_pct == pytest.approx(50) and bt.bias_pct == pytest.approx(-50)
    assert bt.mean_error_visits == pytest.approx(-3)
    assert bt.days[["forecast", "actual"]].values.tolist() == [[3, 6]]
    with pytest.raises(ParameterError):
        st.backtest(_appointments(), "2025-13")


# --------------------------------------------------------------------------------------------
# People needed


def _week(**visits_by_hour) -> pd.DataFrame:
    return pd.DataFrame({"day": ["Mon"] * len(visits_by_hour),
                         "hour": [int(h[1:]) for h in visits_by_hour],
                         "visits": list(visits_by_hour.values())})


def test_interval_requirements_by_hand():
    # 6 visits in hour 8 → 1.5 per 15-min interval; MA 15 min each → workload 1.5;
    # at 50 % utilisation 3 people. Hour 9 has none: MA 0, front desk at its minimum 1.
    req = st.interval_requirements(_week(h8=6.0, h9=0.0), "08:00", "10:00",
                                   minutes_per_visit={"medical assistant": 15},
                                   minimum_staff={"front desk": 1}, max_utilisation=0.5)
    ma = req[req["role"] == "medical assistant"]
    assert ma["workload"].tolist() == pytest.approx([1.5] * 4 + [0] * 4)
    assert ma["required"].tolist() == [3] * 4 + [0] * 4
    assert req.loc[req["role"] == "front desk", "required"].tolist() == [1] * 8
    # Opening at 08:30: hour 8's 6 visits fall in two intervals → workload 3 → 6 people.
    late = st.interval_requirements(_week(h8=6.0), "08:30", "10:00",
                                    minutes_per_visit={"medical assistant": 15},
                                    minimum_staff={}, max_utilisation=0.5)
    assert late["required"].tolist()[:2] == [6, 6]
    with pytest.raises(DataError, match="closed"):
        st.interval_requirements(_week(h7=2.0), "08:00", "10:00")
    with pytest.raises(ParameterError, match="unknown role"):
        st.interval_requirements(_week(h8=1.0), "08:00", "10:00",
                                 minutes_per_visit={"doctor": 10})


def _calls() -> pd.DataFrame:
    return pd.DataFrame({
        "date": ["2026-01-05", "2026-01-12", "2026-01-05", "2026-01-05", "2026-01-06"],
        "interval_start": ["08:00", "08:00", "08:30", "08:30", "08:00"],
        "calls": [28, 28, 10, 30, 0],
        "avg_handle_seconds": [240, 240, 180, 300, 0],
    })


def test_phone_agents_by_hand():
    # Mon 08:00: 28 calls per half hour on both Mondays → 56/h × 4 min → 6 agents (above).
    # Mon 08:30: (10 + 30) / 2 Mondays = 20 calls; handle (10·180 + 30·300) / 40 = 270 s.
    out = st.phone_agents(_calls(), max_occupancy=1.0)
    mon = out[out["day"] == "Mon"].set_index("interval_start")
    assert mon.loc["08:00", "calls"] == 28 and mon.loc["08:00", "agents"] == 6
    assert mon.loc["08:00", "agent_hours"] == 3.0
    assert mon.loc["08:30", "calls"] == 20 and mon.loc["08:30", "avg_handle_seconds"] == 270
    assert mon.loc["08:30", "agents"] == st.agents_needed(40, 4.5, 0.8, 30, max_occupancy=0.85)
    assert out.loc[out["day"] == "Tue", "agents"].tolist() == [0]
    with pytest.raises(DataError) as info:
        st.phone_agents(_calls().assign(calls=[28, -1, 10, 30, 0]))
    assert info.value.row == 3
    with pytest.raises(DataError, match="half hour"):
        st.phone_agents(_calls().assign(interval_start="08:15"))


def test_checkin_agents():
    out = st.checkin_agents(_week(h8=56.0, h9=0.0), checkin_minutes=4, service_level_target=0.8,
                            answer_within_seconds=30, max_occupancy=1.0)
    assert out["agents"].tolist() == [6, 0] and out["agent_hours"].sum() == 6


def _providers() -> pd.DataFrame:
    return pd.DataFrame({"provider_id": ["P1", "P2"], "kind": ["MD", "NP"], "fte": [1.0, 0.5]})


def test_staff_required_three_ways_by_hand():
    # Provider FTE 1.5. Ratios: front desk 1.0 → 1.5, MA 2.0 → 3.0.
    # Productive hours 2080 − 80 − 80 − 48 = 1872. Workload: 6 min × 9360 / 60 / 1872 = 0.5,
    # 15 min → 1.25. Queueing (front desk): (20 + 16) h/week × 52 / 1872 = 1.0.
    hours = st.fte_hours(2080, 80, 80, 48)
    checkin = pd.DataFrame({"agent_hours": [12.0, 8.0]})
    phones = pd.DataFrame({"agent_hours": [16.0]})
    out = st.staff_required(_providers(), 9360, hours, staff=_staff(),
                            ratios={"front desk": 1.0, "medical assistant": 2.0},
                            minutes_per_visit={"front desk": 6, "medical assistant": 15},
                            checkin=checkin, phones=phones).set_index("role")
    assert out.loc["front desk"].tolist() == pytest.approx([1.5, 0.5, 1.0, 0.5])
    assert out.loc["medical assistant"].tolist()[:2] == pytest.approx([3.0, 1.25])
    assert math.isnan(out.loc["medical assistant", "queueing_fte"])
    assert out.loc["manager", "current_fte"] == 1.0 and out.loc["nurse", "current_fte"] == 0
    assert out.loc["total"].tolist() == pytest.approx([4.5, 1.75, 1.0, 2.3])
    assert list(out.index) == [*st.ROLES, "total"]
    # NP/PA at half weight: 1 + 0.5 × 0.5 = 1.25 provider FTE.
    half = st.staff_required(_providers(), 0, app_weight=0.5).set_index("role")
    assert half.loc["medical assistant", "ratio_fte"] == pytest.approx(1.45 * 1.25)
    with pytest.raises(ParameterError, match="unknown role"):
        st.staff_required(_providers(), 0, ratios={"physician": 1.0})
    with pytest.raises(DataError) as info:
        st.staff_required(_providers().assign(fte=[1.0, 1.6]), 0)
    assert info.value.row == 3


def test_benchmarks():
    # Staff 0.5 + 1.0 + 0.8 = 2.3 FTE over 1.5 provider FTE = 1.5333 vs 4.5.
    # Cost per visit: 1,000,001 / 2 = 500,000.5 → 500,001 (half-up) vs 450,000.
    out = st.benchmarks(_staff(), _providers(), 2, 1_000_001,
                        labor_cost_per_visit_cents=450_000).set_index("metric")
    assert out.loc["staff_per_provider_fte", "value"] == pytest.approx(2.3 / 1.5)
    assert out.loc["staff_per_provider_fte", "benchmark"] == 4.5
    assert out.loc["staff_per_provider_fte", "difference_pct"] == pytest.approx(
        100 * (2.3 / 1.5 - 4.5) / 4.5)
    assert out.loc["labor_cost_per_visit_cents", "value"] == 500_001
    assert out.loc["labor_cost_per_visit_cents", "difference_pct"] == pytest.approx(
        100 * 50_001 / 450_000)
    blank = st.benchmarks(_staff(), _providers(), 2, 1_000_001).set_index("metric")
    assert math.isnan(blank.loc["labor_cost_per_visit_cents", "benchmark"])


# --------------------------------------------------------------------------------------------
# From the plan to the report's figures


def test_annual_visits_and_no_show_adjustment():
    # 14 days of 1 visit: 14 × 7·52 / 14 = 364 visits a year.
    daily = pd.DataFrame({"date": pd.date_range("2026-01-05", periods=14),
                          "history_visits": 1.0, "booked_visits": 0.0, "visits": 1.0})
    assert st.annual_visits(daily) == pytest.approx(364)
    # No-shows from 20 % to 10 %: visits × 0.9 / 0.8 = 1.125.
    adjusted = st.adjust_no_show_rate(daily.assign(visits=8.0), 0.2, 0.1)
    assert adjusted["visits"].tolist() == pytest.approx([9.0] * 14)
    assert adjusted["history_visits"].tolist() == pytest.approx([1.125] * 14)
    with pytest.raises(ParameterError):
        st.adjust_no_show_rate(daily, 0.2, 1.0)


def test_fte_for_weekly_hours_and_provider_fte():
    # 40 h a week × 52 / 1,880 productive hours = 1.1064 payroll FTE.
    assert st.fte_for_weekly_hours(40) == pytest.approx(40 * 52 / 1880)
    assert st.fte_for_weekly_hours(40, st.fte_hours(2080, 0, 0, 0)) == pytest.approx(1.0)
    assert st.provider_fte(_providers()) == 1.5  # MD 1.0 + NP 0.5
    assert st.provider_fte(_providers(), app_weight=0.5) == 1.25


def _call_log() -> pd.DataFrame:
    # Two Mondays. 08:00: 10 calls (2 abandoned, 300 s) and 4 calls (all abandoned): 7 a day,
    # handle 8·300 / 8 = 300 s. 08:30: 2 calls, both abandoned, and none: 1 a day; no answered
    # call there, so the frame's mean handle time (300 s).
    return pd.DataFrame({
        "date": ["2026-01-05", "2026-01-12", "2026-01-05", "2026-01-12"],
        "interval_start": ["08:00", "08:00", "08:30", "08:30"],
        "calls": [10, 4, 2, 0], "abandoned": [2, 4, 2, 0],
        "avg_handle_seconds": [300, None, None, None],
    })


def test_phone_agents_counts_abandoned_calls_as_demand():
    out = st.phone_agents(_call_log(), max_occupancy=1.0).set_index("interval_start")
    assert out.loc["08:00", "calls"] == 7 and out.loc["08:00", "avg_handle_seconds"] == 300
    assert out.loc["08:30", "calls"] == 1 and out.loc["08:30", "avg_handle_seconds"] == 300
    assert out.loc["08:00", "agents"] == st.agents_needed(14, 5, 0.8, 30, max_occupancy=0.85)
    with pytest.raises(DataError, match="abandoned"):
        st.phone_agents(_call_log().assign(abandoned=[11, 4, 2, 0]))


def test_phone_workload_by_hand():
    # 08:00: 8 answered × 300 s = 40 minutes over 2 Mondays = 20 a day, 10 per quarter hour.
    out = st.phone_workload(_call_log(), interval_minutes=15)
    assert out["interval_start"].tolist() == ["08:00", "08:15", "08:30", "08:45"]
    assert out["minutes"].tolist() == pytest.approx([10, 10, 0, 0])
    assert (out["role"] == "front desk").all()
    hourly = st.phone_workload(_call_log(), interval_minutes=60)
    assert hourly["minutes"].tolist() == pytest.approx([20])


def test_interval_requirements_with_other_minutes():
    # Hour 8: 3 visits → 0.75 a quarter hour × 8 min = 6 min; plus 10 phone minutes at 08:00
    # and 08:15: 16 / 15 = 1.067 busy / 0.85 → 2 people; 08:30: 6 / 15 / 0.85 → 1.
    other = st.phone_workload(_call_log(), interval_minutes=15)
    req = st.interval_requirements(_week(h8=3.0), "08:00", "09:00",
                                   minutes_per_visit={"front desk": 8}, minimum_staff={},
                                   other_minutes=other)
    assert req["required"].tolist() == [2, 2, 1, 1]
    assert req["workload"].tolist() == pytest.approx([16 / 15, 16 / 15, 0.4, 0.4])


def _desk() -> pd.DataFrame:
    return st.interval_requirements(_week(h8=1.0), "08:00", "09:00",
                                    minutes_per_visit={"front desk": 1},
                                    minimum_staff={"front desk": 1})


def test_add_phone_agents_and_staff_free_for_the_phones():
    phones = pd.DataFrame({"day": ["Mon", "Mon"], "interval_start": ["08:00", "08:30"],
                           "agents": [2, 1]})
    req = st.add_phone_agents(_desk(), phones)
    assert req["phone_agents"].tolist() == [2, 2, 1, 1]
    assert req["required"].tolist() == [3, 3, 2, 2]  # 1 at the desk + the phones
    hourly = st.interval_requirements(_week(h8=1.0), "08:00", "09:00",
                                      minutes_per_visit={"front desk": 1},
                                      minimum_staff={"front desk": 1}, interval_minutes=60)
    assert st.add_phone_agents(hourly, phones, interval_minutes=60)["phone_agents"].tolist() \
        == [2]  # the busier half hour
    coverage = req[["role", "day", "interval_start"]].assign(on_roster=[3, 3, 1, 2])
    free = st.phone_staff_on_duty(coverage, req)
    assert free["agents"].tolist() == [2, 2, 0, 1]  # on duty − the 1 the desk needs


def test_phone_service_level_by_hand():
    # 08:00: 28 calls a half hour (56/h) × 4 min on 6 agents: SL 0.8314 (see erlang_c).
    # 08:30: 20 calls × 4.5 min, the fewest on duty in the half hour is 4.
    # 09:00: 5 calls and nobody on duty: SL 0.
    phones = pd.DataFrame({"day": ["Mon"] * 3, "interval_start": ["08:00", "08:30", "09:00"],
                           "calls": [28.0, 20.0, 5.0], "avg_handle_seconds": [240.0, 270.0, 240.0],
                           "agents": [6, 5, 1]})
    on_duty = pd.DataFrame({"day": ["Mon"] * 4,
                            "interval_start": ["08:00", "08:15", "08:30", "08:45"],
                            "agents": [6, 6, 5, 4]})
    out = st.phone_service_level(phones, on_duty, answer_within_seconds=30)
    assert out["agents_on_duty"].tolist() == [6, 4, 0]
    _, sl_830, _ = _erlang_c_factorial(40, 4.5, 4, 30)
    assert out["service_level"].tolist() == pytest.approx([0.8314, sl_830, 0.0], abs=1e-4)
    assert st.overall_service_level(out) == pytest.approx(
        (28 * 0.8314 + 20 * sl_830) / 53, abs=1e-4)
    assert st.overall_service_level(out.assign(calls=0.0)) is None


def test_roster_gaps_are_unbroken_stretches():
    # Gaps 0, 1, 2, 1, 0, 1 from 08:00: 08:15-09:00 short by up to 2, (1 + 2 + 1) / 4 = 1
    # staff-hour; 09:15-09:30 short by 1, a quarter hour.
    times = ["08:00", "08:15", "08:30", "08:45", "09:00", "09:15"]
    coverage = pd.DataFrame({"role": "nurse", "day": "Tue", "interval_start": times,
                             "roster_gap": [0, 1, 2, 1, 0, 1]})
    out = st.roster_gaps(coverage)
    assert out.astype({"day": "str"}).values.tolist() == [
        ["nurse", "Tue", "08:15", "09:00", 2, 1.0], ["nurse", "Tue", "09:15", "09:30", 1, 0.25]]
    assert st.roster_gaps(coverage.assign(roster_gap=0)).empty


def test_fte_needed_takes_the_plan_then_the_basis():
    required = st.staff_required(_providers(), 9360, st.fte_hours(2080, 80, 80, 48),
                                 staff=_staff(), ratios={"front desk": 1.0, "manager": 0.4,
                                                         "billing": 0.2},
                                 minutes_per_visit={"front desk": 6, "billing": 12})
    # Billing: ratio 0.2 × 1.5 = 0.3, workload 12 × 9360 / 60 / 1872 = 1.0; manager 0.6.
    out = st.fte_needed(required, {"front desk": 2.0}).set_index("role")
    assert out.loc["front desk", ["required_fte", "basis"]].tolist() == [2.0, "shift plan"]
    assert out.loc["billing", "required_fte"] == pytest.approx(1.0)
    assert out.loc["manager", ["required_fte", "current_fte", "gap_fte"]].tolist() == \
        pytest.approx([0.6, 1.0, -0.4])
    assert out.loc["nurse", "required_fte"] == 0
    assert out.loc["total", "required_fte"] == pytest.approx(3.6)
    ratio = st.fte_needed(required, {"front desk": 2.0}, basis="ratio").set_index("role")
    assert ratio.loc["billing", "required_fte"] == pytest.approx(0.3)
    with pytest.raises(ParameterError):
        st.fte_needed(required, {}, basis="median")


def test_labor_cost_by_role_by_hand():
    # Front desk today: 0.5 FTE × $20.50 × 2,080 h = 2,132,000 cents, benefits 30 % 639,600.
    # Needed 1.0 FTE at 2,050: 4,264,000 + 1,279,200 = 5,543,200 cents.
    labor = st.labor_cost(_staff())
    needed = pd.DataFrame({"role": ["front desk", "manager", "nurse", "total"],
                           "required_fte": [1.0, 1.0, 0.5, 2.5]})
    out = st.labor_cost_by_role(labor, needed, {"front desk": 2050, "manager": 4475})
    fd = out.set_index("role").loc["front desk"]
    assert fd["current_cents"] == 2_771_600 and fd["required_cents"] == 5_543_200
    assert fd["difference_cents"] == 2_771_600
    nurse = out.set_index("role").loc["nurse"]  # nobody holds it and no rate: not costed
    assert nurse["current_cents"] == 0 and pd.isna(nurse["required_cents"])
    total = out.set_index("role").loc["total"]
    assert total["current_cents"] == labor["total_cents"].sum()
    assert pd.isna(total["required_cents"])


def test_history_week():
    # Three open Mondays; visits in hours 8, 9, 10: 6, 5, 1 → 2, 5/3, 1/3 a day.
    week = st.history_week(_appointments())
    assert week["visits"].tolist() == pytest.approx([2, 5 / 3, 1 / 3])
    assert week["hour"].tolist() == [8, 9, 10]


# --------------------------------------------------------------------------------------------
# Rows used and left out, counted


def _accounted(table: pd.DataFrame) -> dict[str, tuple[float, bool]]:
    return {w: (c, u) for w, c, u in zip(table["what"], table["count"], table["used"],
                                         strict=True)}


def test_appointment_use_counts_every_row_once():
    # The module's history table (21 rows): 12 completed and 1 no-show in 2025, 1 cancelled,
    # 1 rescheduled, 5 booked on Mon 2026-01-05 and 1 on Mon 2026-01-12. A one-week plan from
    # 2026-01-05 takes the 5 booked that week; the 2026-01-12 one is after it.
    appts = _appointments()
    got = _accounted(st.appointment_use(appts, "2026-01-05", "2026-01-11"))
    assert got == {"completed, in the history": (12, True), "no-shows, in the history": (1, True),
                   "booked, in the plan's weeks": (5, True), "cancelled": (1, False),
                   "rescheduled": (1, False), "booked, after the plan's last day": (1, False)}
    assert sum(c for c, _ in got.values()) == len(appts) == 21
    # A plan from 2025-02-03: the six visits of that day are not history, the booked rows of
    # 2026 are after its week, and the rescheduled row is still only rescheduled.
    got = _accounted(st.appointment_use(appts, "2025-02-03", "2025-02-09"))
    assert got["completed, in the history"] == (6, True)
    assert got["completed or no-show, after the history"] == (6, False)
    assert got["booked, after the plan's last day"] == (6, False)
    # With the history ending earlier, a booking before the plan is neither.
    early = appts.assign(date=appts["date"].where(appts["date"] != pd.Timestamp("2026-01-12"),
                                                  pd.Timestamp("2026-01-02")))
    got = _accounted(st.appointment_use(early, "2026-01-05", "2026-01-11"))
    assert got["booked, dated before the plan's start"] == (1, False)
    got = _accounted(st.appointment_use(early, "2026-01-05", "2026-01-11",
                                        train_end="2025-12-31"))
    assert got["booked, between the history and the plan"] == (1, False)
    assert sum(c for c, _ in got.values()) == 21


def test_phone_call_use_counts_rows_and_calls():
    # Site L1 plans front desk Mon 08:00-08:30 only (two 15-minute intervals). Rows: Mon
    # 2026-01-05 08:00 (28 calls) and Mon 2026-01-12 08:00 (28) are planned; Mon 08:30 (10 and
    # 30) and Tue 2026-01-06 08:00 (0) are not; a row of line ALL (7 calls) is no site.
    calls = _calls().assign(location_id="L1")
    calls.loc[len(calls)] = ["2026-01-05", "08:00", 7, 200, "ALL"]
    required = {"L1": pd.DataFrame({"role": ["front desk", "front desk", "nurse"],
                                    "day": ["Mon", "Mon", "Mon"],
                                    "interval_start": ["08:00", "08:15", "08:30"]})}
    got = _accounted(st.phone_call_use(calls, required))
    assert got == {"in a site's planned hours (56 calls)": (2, True),
                   "outside a site's planned hours (40 calls)": (3, False),
                   "on a line that is no site (7 calls)": (1, True)}


def test_roster_hours_not_compared_by_hand():
    # One front desk on Mon 07:50-10:10 (2 h 20 min). The plan covers Mon 08:00-10:00 in
    # 15-minute intervals, all eight seen on the roster: 2 h compared, 20 minutes not (07:50-
    # 08:00 before opening, 10:00-10:10 a part interval). The manager's hours are not counted.
    staff = _staff().assign(usual_shifts=["Mon 07:50-10:10", "Mon-Fri 08:00-16:30",
                                          "Mon 08:00-10:00"])
    coverage = pd.DataFrame({"role": ["front desk"] * 8 + ["medical assistant"] * 8,
                             "on_roster": [1] * 16})
    assert st.roster_hours_not_compared(staff, coverage, 15) == pytest.approx(20 / 60)


def test_staff_at_an_unknown_site_is_refused_not_dropped():
    staff = _staff(location_id=["L1", "L9", "L1"])
    with pytest.raises(DataError) as info:
        st.check_staff(staff, pd.DataFrame({"location_id": ["L1", "L2"]}))
    assert info.value.row == 3 and info.value.value == "L9"
    assert info.value.column == "location_id" and "unknown location" in str(info.value)
    st.check_staff(staff)  # without locations, not checked


# --------------------------------------------------------------------------------------------
# The bundled sample, end to end


def test_sample_practice_end_to_end():
    from pracops import data

    appts, sites = data.load("appointments"), data.load("locations")
    staff, providers = data.load("staff"), data.load("providers")
    st.check_appointments(appts, sites)
    bt = st.backtest(appts, "2025-12")
    assert 0 < bt.mape_pct < 50 and len(bt.days) > 15
    main = appts[appts["location_id"] == "MAIN"]
    daily = st.forecast_daily(main, "2026-01-01", "2026-12-31")
    week = st.typical_week(st.forecast_hourly(daily, st.weekday_hour_profile(main)))
    req = st.interval_requirements(week, "07:30", "17:30")
    roster = st.roster_coverage(staff[staff["location_id"] == "MAIN"])
    rates = st.role_rates(staff).set_index("role")["hourly_rate_cents"].to_dict()
    plan = st.plan_shifts(req, "07:30", "17:30", hourly_rate_cents=rates, roster=roster)
    assert plan.status == "OPTIMAL" and plan.gap_pct == 0
    assert (plan.coverage["planned"] >= plan.coverage["required"]).all()
    assert plan.cost_cents == plan.shifts["cost_cents"].sum()
    table = st.staff_required(providers, float(daily["visits"].sum()), staff=staff)
    assert table.loc[table["role"] == "total", "current_fte"].item() == pytest.approx(
        float(staff["fte"].sum()))


# --------------------------------------------------------------------------------------------
# Same input, same plan: one run at a time, several at once, on a busy machine

_CHAIN = """
import json, sys
from pracops import config, runner
from pracops.staffing import chain

nb = {k: v.default for k, v in runner.notebook_parameters(
    config.NOTEBOOKS_DIR / "staffing_plan.ipynb").items()}
inputs = chain.load_inputs(None)
out = {}
for budget in (nb["solver_deterministic_time"], 0.001):
    plan = chain.compute(inputs, horizon_weeks=8, backtest_month=None,
                         solver_deterministic_time=budget)
    tables = {f"{k}/{name}": getattr(site.plan, name).astype({"day": "str"}).to_dict("split")
              for k, site in plan.sites.items() for name in ("shifts", "blocks", "coverage")}
    out[str(budget)] = {"figures": chain.summary_figures(plan), "tables": tables}
json.dump(out, sys.stdout, default=str)
"""


def test_same_input_same_plan_one_at_a_time_and_in_parallel_on_a_busy_machine():
    # The notebook's chain (its parameter defaults, 8 weeks to keep it quick) in separate
    # processes: twice one at a time, then three at once while another process burns a core.
    # At the notebook's budget every part is proved optimal; at 0.001 some parts stop unproved
    # (FEASIBLE) or without a plan (FALLBACK), where a wall-clock limit made plans vary with
    # the load. Shifts, CP-SAT parts, coverage and every recorded figure must be identical.
    import subprocess
    import sys

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", _CHAIN], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def result(proc: subprocess.Popen) -> dict:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        return json.loads(out)

    runs = [result(start()), result(start())]
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        parallel = [start() for _ in range(3)]
        runs += [result(p) for p in parallel]
    finally:
        burner.kill()
        burner.wait()
    first = runs[0]
    statuses = {b: first[b]["figures"]["solver_status"] for b in first}
    assert statuses == {"2.0": "OPTIMAL", "0.001": "FALLBACK"}
    assert first["0.001"]["figures"]["solver_parts_not_proved"] > first["0.001"]["figures"][
        "solver_parts_fallback"] > 0
    for other in runs[1:]:
        assert other == first
