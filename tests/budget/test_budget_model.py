"""Tests of pracops.budget against values worked out by hand (the arithmetic is in the comments),
plus property tests that the variance parts and the phased months always add up to the cent.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pracops.budget import model as bd
from pracops.errors import DataError, ParameterError


def _lines(frame: pd.DataFrame) -> dict[str, int]:
    return dict(zip(frame["line"], frame["variance_cents"], strict=True))


# --------------------------------------------------------------------------- revenue variance

PAYERS = pd.DataFrame({
    "payer": ["commercial", "medicare", "medicaid"],
    "budget_visits": [600, 300, 100],
    "actual_visits": [550, 380, 90],
    "budget_rate_cents": [12_000, 9_000, 6_000],
    "actual_rate_cents": [12_500, 8_800, 6_000],
})


def test_revenue_variance_by_hand() -> None:
    # V_b = 1000, V_a = 550 + 380 + 90 = 1020
    # B = 600·12000 + 300·9000 + 100·6000 = 7,200,000 + 2,700,000 + 600,000 = 10,500,000
    # Σ m_b·r_b = B / V_b = 10,500 cents
    # A = 550·12500 + 380·8800 + 90·6000 = 6,875,000 + 3,344,000 + 540,000 = 10,759,000
    # volume = (1020 − 1000) · 10,500 = 210,000
    # Σ actual visits · r_b = 550·12000 + 380·9000 + 90·6000 = 10,560,000
    # mix = 10,560,000 − 1020 · 10,500 = −150,000
    #   (= 1020 · Σ (m_a − m_b)·r_b: more medicare, fewer commercial visits)
    # rate = 550·(+500) + 380·(−200) + 90·0 = 275,000 − 76,000 = 199,000
    # total = 10,759,000 − 10,500,000 = 259,000 = 210,000 − 150,000 + 199,000
    out = bd.revenue_variance(PAYERS)
    assert _lines(out) == {"volume": 210_000, "mix": -150_000, "rate": 199_000,
                           "rounding": 0, "total": 259_000}
    assert list(out["direction"]) == ["favourable", "unfavourable", "favourable", "on budget",
                                      "favourable"]
    assert out["variance_cents"].dtype == "int64"


def test_revenue_variance_rounding_residue_is_a_named_line() -> None:
    # B = 1·100 + 1·201 = 301 over V_b = 2: average rate 150.5 cents
    # V_a = 3: volume = 1 · 150.5 = 150.5 → 151 (half away from zero)
    # Σ actual visits · r_b = 1·100 + 2·201 = 502; mix = 502 − 3 · 150.5 = 50.5 → 51
    # rate = 0; total = 502 − 301 = 201; 151 + 51 + 0 = 202, so rounding = −1
    payers = pd.DataFrame({"payer": ["a", "b"], "budget_visits": [1, 1],
                           "actual_visits": [1, 2], "budget_rate_cents": [100, 201],
                           "actual_rate_cents": [100, 201]})
    assert _lines(bd.revenue_variance(payers)) == {"volume": 151, "mix": 51, "rate": 0,
                                                   "rounding": -1, "total": 201}
    # the mirror image (V_a = 1 < V_b): volume −150.5 → −151, mix = 100 − 150.5 = −50.5 → −51
    # total = 100 − 301 = −201, so rounding = +1
    payers["actual_visits"] = [1, 0]
    assert _lines(bd.revenue_variance(payers)) == {"volume": -151, "mix": -51, "rate": 0,
                                                   "rounding": 1, "total": -201}


_payer_rows = st.lists(
    st.tuples(st.integers(0, 5_000), st.integers(0, 5_000), st.integers(-50_000, 500_000),
              st.integers(-50_000, 500_000)),
    min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(_payer_rows)
def test_revenue_variance_parts_sum_to_total(rows: list[tuple[int, int, int, int]]) -> None:
    if sum(r[0] for r in rows) == 0:
        rows = [(1, *rows[0][1:]), *rows[1:]]
    payers = pd.DataFrame(rows, columns=["budget_visits", "actual_visits", "budget_rate_cents",
                                         "actual_rate_cents"])
    payers.insert(0, "payer", [f"p{i}" for i in range(len(rows))])
    got = _lines(bd.revenue_variance(payers))
    budget = sum(b * r for b, _, r, _ in rows)
    actual = sum(a * r for _, a, _, r in rows)
    assert got["total"] == actual - budget
    assert got["volume"] + got["mix"] + got["rate"] + got["rounding"] == got["total"]
    assert abs(got["rounding"]) <= 1
    # each rounded part is within half a cent of its exact value
    v_b, v_a = sum(r[0] for r in rows), sum(r[1] for r in rows)
    exact_volume = (v_a - v_b) * Fraction(budget, v_b)
    assert abs(got["volume"] - exact_volume) <= Fraction(1, 2)


def test_revenue_variance_refuses_bad_input() -> None:
    bad = PAYERS.copy()
    bad.loc[1, "actual_visits"] = -5
    with pytest.raises(DataError, match=r"row 3.*'actual_visits'.*negative.*-5"):
        bd.revenue_variance(bad)
    with pytest.raises(DataError, match="duplicate payer"):
        bd.revenue_variance(pd.concat([PAYERS, PAYERS.iloc[[0]]], ignore_index=True))
    with pytest.raises(DataError, match="lacks column.*actual_rate_cents"):
        bd.revenue_variance(PAYERS.drop(columns="actual_rate_cents"))
    zero = PAYERS.assign(budget_visits=0)
    with pytest.raises(DataError, match="no budget visits"):
        bd.revenue_variance(zero)
    frac = PAYERS.assign(budget_rate_cents=[12_000.5, 9_000, 6_000])
    with pytest.raises(DataError, match="budget_rate_cents is not a whole number"):
        bd.revenue_variance(frac)


# --------------------------------------------------------------------------- cost variance


def test_cost_variance_by_hand() -> None:
    costs = pd.DataFrame({"account": ["supplies", "labs"], "budget_visits": [1000, 500],
                          "actual_visits": [1100, 450],
                          "budget_cost_per_visit_cents": [850, 2000],
                          "actual_cost_cents": [980_000, 850_000]})
    out = bd.cost_variance(costs)
    # supplies: static 850·1000 = 850,000; flexible 850·1100 = 935,000
    #   volume 85,000 (U), spending 980,000 − 935,000 = 45,000 (U), total 130,000 (U)
    # labs: static 2000·500 = 1,000,000; flexible 2000·450 = 900,000
    #   volume −100,000 (F), spending 850,000 − 900,000 = −50,000 (F), total −150,000 (F)
    assert list(out["static_budget_cents"]) == [850_000, 1_000_000]
    assert list(out["flexible_budget_cents"]) == [935_000, 900_000]
    assert list(out["volume_variance_cents"]) == [85_000, -100_000]
    assert list(out["spending_variance_cents"]) == [45_000, -50_000]
    assert list(out["total_variance_cents"]) == [130_000, -150_000]
    assert list(out["total_direction"]) == ["unfavourable", "favourable"]
    assert (out["volume_variance_cents"] + out["spending_variance_cents"]
            == out["total_variance_cents"]).all()


def test_cost_variance_refuses_negative_visits() -> None:
    costs = pd.DataFrame({"account": ["x"], "budget_visits": [-1], "actual_visits": [1],
                          "budget_cost_per_visit_cents": [1], "actual_cost_cents": [1]})
    with pytest.raises(DataError, match=r"row 2.*budget_visits"):
        bd.cost_variance(costs)


def test_direction_convention() -> None:
    assert bd.direction(5, is_cost=False) == "favourable"
    assert bd.direction(5, is_cost=True) == "unfavourable"
    assert bd.direction(-5, is_cost=True) == "favourable"
    assert bd.direction(0, is_cost=True) == "on budget"


# --------------------------------------------------------------------------- phasing


def test_working_days_2025() -> None:
    # 2025-01-01 is a Wednesday: January has 4 full weeks (1–28: 20 weekdays) + Wed 29, Thu 30,
    # Fri 31 = 23 weekdays; February starts on a Saturday: 4 × 5 = 20. 2025 has 261 weekdays.
    # Holidays: Jan 1 (Wed), Jul 4 (Fri, given twice), Dec 25 (Thu) count; Nov 22 (Sat) and
    # 2024-12-25 (another year) do not.
    hol = ["2025-01-01", dt.date(2025, 7, 4), "2025-07-04", pd.Timestamp("2025-12-25"),
           "2025-11-22", "2024-12-25"]
    out = bd.working_days(2025, hol)
    assert list(out["month"]) == list(range(1, 13))
    assert out.loc[0, "weekdays"] == 23 and out.loc[0, "working_days"] == 22
    assert out.loc[1, "weekdays"] == 20 and out.loc[1, "working_days"] == 20
    assert out["weekdays"].sum() == 261
    assert out["holidays"].tolist() == [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    assert out["working_days"].sum() == 258
    with pytest.raises(ParameterError, match="not a holiday date"):
        bd.working_days(2025, ["July 4th-ish"])
    with pytest.raises(ParameterError, match="year"):
        bd.working_days(25)


def _history() -> pd.DataFrame:
    rows = []
    for year, jul, dec in ((2024, 60, 140), (2025, 20, 180)):
        for m in range(1, 13):
            rows.append({"year": year, "month": m,
                         "value": {7: jul, 12: dec}.get(m, 100)})
    return pd.DataFrame(rows)


def test_seasonal_index_by_hand() -> None:
    # mean by month: 100 for ten months, July (60 + 20)/2 = 40, December (140 + 180)/2 = 160
    # mean of the twelve = (1000 + 40 + 160) / 12 = 100 → index 1, July 0.4, December 1.6
    out = bd.seasonal_index(_history())
    assert out["index"].tolist() == pytest.approx([1] * 6 + [0.4] + [1] * 4 + [1.6])
    assert out["index"].mean() == pytest.approx(1.0)
    assert (out["years"] == 2).all()


def test_seasonal_index_refuses_bad_history() -> None:
    h = _history()
    h.loc[5, "month"] = 13
    with pytest.raises(DataError, match=r"row 7.*'month'.*outside 1–12.*13"):
        bd.seasonal_index(h)
    h = pd.concat([_history(), _history().iloc[[3]]], ignore_index=True)
    with pytest.raises(DataError, match=r"duplicate year-month rows: rows 5, 26"):
        bd.seasonal_index(h)
    with pytest.raises(DataError, match="no history for month.*12"):
        bd.seasonal_index(_history().query("month != 12"))


def test_phase_annual_largest_remainder() -> None:
    # 100 / 12 = 8.333…: floors 8 × 12 = 96, 4 cents left; equal remainders → Jan–Apr get 9
    assert bd.phase_annual(100)["amount_cents"].tolist() == [9] * 4 + [8] * 8
    # 10 over three equal months: 3.33 each → 4, 3, 3; a negative amount mirrors it
    w = [1, 1, 1] + [0] * 9
    assert bd.phase_annual(10, w)["amount_cents"].tolist()[:3] == [4, 3, 3]
    assert bd.phase_annual(-10, w)["amount_cents"].tolist()[:3] == [-4, -3, -3]
    # weights 22, 20, … (working days): the remainders decide, not the month order.
    # 1000 · (1, 2, 2) / 5 = 200, 400, 400 exactly; 1001 → 200.2, 400.4, 400.4 → 200, 401, 400
    assert bd.phase_annual(1001, [1, 2, 2] + [0] * 9)["amount_cents"].tolist()[:3] == [200, 401,
                                                                                      400]


@settings(max_examples=300, deadline=None)
@given(st.integers(-10**12, 10**12),
       st.lists(st.one_of(st.integers(0, 40), st.floats(0, 3, allow_nan=False)), min_size=12,
                max_size=12).filter(lambda w: sum(w) > 0))
def test_phase_annual_sums_exactly(amount: int, weights: list[float]) -> None:
    months = bd.phase_annual(amount, weights)["amount_cents"].tolist()
    assert sum(months) == amount
    total = sum(Fraction(x) for x in weights)
    for got, wt in zip(months, weights, strict=True):
        assert abs(got - amount * Fraction(wt) / total) < 1


def test_phase_annual_refuses_bad_weights() -> None:
    with pytest.raises(ParameterError, match="12 numbers"):
        bd.phase_annual(100, [1, 2])
    with pytest.raises(ParameterError, match="not all 0"):
        bd.phase_annual(100, [0] * 12)
    with pytest.raises(ParameterError, match="whole number of cents"):
        bd.phase_annual(100.5)


def test_payment_schedule_and_fixed_costs() -> None:
    # an annual premium of $1,200.00 paid in March
    assert bd.payment_schedule(120_000, 3)["amount_cents"].tolist() == [0, 0, 120_000] + [0] * 9
    # 100,001 quarterly: 25,000.25 each → the odd cent to January
    q = bd.payment_schedule(100_001, "quarterly")["amount_cents"].tolist()
    assert [q[0], q[3], q[6], q[9]] == [25_001, 25_000, 25_000, 25_000] and sum(q) == 100_001
    fixed = pd.DataFrame({"account": ["insurance", "rent"], "annual_cents": [120_000, 600_000],
                          "pay_months": ["3", "monthly"]})
    out = bd.phase_fixed_costs(fixed)
    assert len(out) == 24
    assert out.groupby("account")["amount_cents"].sum().to_dict() == {"insurance": 120_000,
                                                                      "rent": 600_000}
    assert (out.query("account == 'rent'")["amount_cents"] == 50_000).all()
    fixed.loc[1, "pay_months"] = "1,13"
    with pytest.raises(DataError, match=r"row 3.*'pay_months'"):
        bd.phase_fixed_costs(fixed)
    with pytest.raises(ParameterError, match="distinct numbers 1–12"):
        bd.payment_schedule(1, [2, 2])


# --------------------------------------------------------------------------- break-even, ratios


def test_break_even_by_hand() -> None:
    # $50,000 fixed / ($120 − $20 per visit) = 5,000,000 / 10,000 = 500 visits
    assert bd.break_even_visits(5_000_000, 12_000, 2_000) == 500
    # over 4 providers × 20 days = 80 provider days: 500 / 80 = 6.25 visits per provider day
    assert bd.break_even_visits_per_provider_day(5_000_000, 12_000, 2_000, 80) == 6.25
    with pytest.raises(ParameterError, match="contribution margin per visit is 0"):
        bd.break_even_visits(5_000_000, 2_000, 2_000)
    with pytest.raises(ParameterError, match="contribution margin per visit is -500"):
        bd.break_even_visits(5_000_000, 1_500, 2_000)
    with pytest.raises(ParameterError, match="provider_days"):
        bd.break_even_visits_per_provider_day(1, 2, 1, 0)


def test_margin_and_overhead_ratio() -> None:
    # (1,000,000 − 880,000) / 1,000,000 = 0.12; 600,000 / 1,000,000 = 0.6
    assert bd.operating_margin(1_000_000, 880_000) == pytest.approx(0.12)
    assert bd.overhead_ratio(600_000, 1_000_000) == pytest.approx(0.6)
    with pytest.raises(ParameterError, match="revenue_cents"):
        bd.operating_margin(0, 10)
    with pytest.raises(ParameterError, match="revenue_cents"):
        bd.overhead_ratio(10, -1)


# --------------------------------------------------------------------------- materiality


def test_materiality_flags_by_hand() -> None:
    lines = pd.DataFrame({
        "account": ["rent", "supplies", "labs", "copays", "visits", "new"],
        "month": [1] * 6,
        "kind": ["cost", "cost", "cost", "revenue", "revenue", "cost"],
        "budget_cents": [100_000, 50_000, 1_000_000, 2_000, 500_000, 0],
        "actual_cents": [100_000, 56_000, 1_040_000, 3_000, 450_000, 7_000],
    })
    out = bd.materiality_flags(lines, min_cents=5_000, min_pct=10)
    # rent Δ 0; supplies Δ 6,000 = 12 % → material; labs 40,000 = 4 % → not (percent);
    # copays 1,000 = 50 % → not (cents); visits −50,000 = −10 % (exactly Y) → material;
    # new: budget 0, Δ 7,000 → infinite percent → material
    assert out["variance_cents"].tolist() == [0, 6_000, 40_000, 1_000, -50_000, 7_000]
    assert out["variance_pct"].tolist()[1:5] == pytest.approx([12, 4, 50, -10])
    assert out["material"].tolist() == [False, True, False, False, True, True]
    assert out["direction"].tolist() == ["on budget", "unfavourable", "unfavourable",
                                         "favourable", "unfavourable", "unfavourable"]


def test_materiality_refuses_bad_lines() -> None:
    lines = pd.DataFrame({"account": ["a", "a"], "month": [1, 1], "kind": ["cost", "cost"],
                          "budget_cents": [1, 2], "actual_cents": [1, 2]})
    with pytest.raises(DataError, match=r"duplicate account-month rows: rows 2, 3"):
        bd.materiality_flags(lines, 1, 1)
    lines["month"] = [1, 0]
    with pytest.raises(DataError, match=r"row 3.*month outside 1–12"):
        bd.materiality_flags(lines, 1, 1)
    lines["month"] = [1, 2]
    lines.loc[0, "kind"] = "expense"
    with pytest.raises(DataError, match=r"row 2.*'kind'.*expense"):
        bd.materiality_flags(lines, 1, 1)
    with pytest.raises(ParameterError, match="min_cents"):
        bd.materiality_flags(lines, -1, 1)


# --------------------------------------------------------------------------- phasing weights


def test_phasing_weights_by_hand() -> None:
    # working days 22 in January, 20 elsewhere; index 0.5 in July, 1.5 in December, 1 elsewhere
    # products: Jan 22, Jul 10, Dec 30, the other nine months 20
    # Σ = 22 + 10 + 30 + 9·20 = 242 → weights 22/242, 20/242, …
    days = [22] + [20] * 11
    index = [1] * 6 + [0.5] + [1] * 4 + [1.5]
    w = bd.phasing_weights(days, index)
    assert w.index.tolist() == list(range(1, 13))
    assert w.tolist() == pytest.approx([22 / 242] + [20 / 242] * 5 + [10 / 242]
                                       + [20 / 242] * 4 + [30 / 242])
    assert w.sum() == pytest.approx(1.0)
    # $242.00 phased by them: 100 cents per weight unit → 2200, 2000 …, 1000 (Jul), 3000 (Dec)
    got = bd.phase_annual(24_200, w)["amount_cents"].tolist()
    assert got == [2_200] + [2_000] * 5 + [1_000] + [2_000] * 4 + [3_000]
    # the tables working_days() and seasonal_index() return are accepted as they are
    wd = bd.working_days(2025)
    si = bd.seasonal_index(_history())
    w2 = bd.phasing_weights(wd, si)
    # January: 23 weekdays × 1; July: 23 × 0.4; December: 23 × 1.6
    assert w2[7] / w2[1] == pytest.approx(0.4) and w2[12] / w2[1] == pytest.approx(1.6)
    with pytest.raises(ParameterError, match="12 numbers"):
        bd.phasing_weights([1] * 11, [1] * 12)
    with pytest.raises(ParameterError, match="every month"):
        bd.phasing_weights([0] * 12, [1] * 12)
    with pytest.raises(ParameterError, match="0 or more"):
        bd.phasing_weights([1] * 12, [-1] + [1] * 11)


# --------------------------------------------------------------------------- budget build


def test_build_revenue_by_hand() -> None:
    out = bd.build_revenue({"commercial": 6_000, "medicare": 3_000, "medicaid": 1_010},
                           {"commercial": 12_000, "medicare": 9_001, "medicaid": 6_000},
                           growth_pct=5,
                           rate_change_pct_by_class={"commercial": 3, "medicare": 0.5,
                                                     "medicaid": -2.5})
    # visits × 1.05: 6000 → 6300; 3000 → 3150; 1010 → 1060.5 → 1061 (half away from zero)
    # rates: 12000 × 1.03 = 12360; 9001 × 1.005 = 9046.005 → 9046; 6000 × 0.975 = 5850
    # revenue: 6300 · 12360 = 77,868,000; 3150 · 9046 = 28,494,900; 1061 · 5850 = 6,206,850
    # total 77,868,000 + 28,494,900 + 6,206,850 = 112,569,750
    assert out["payer"].tolist() == ["commercial", "medicare", "medicaid"]
    assert out["budget_visits"].tolist() == [6_300, 3_150, 1_061]
    assert out["budget_rate_cents"].tolist() == [12_360, 9_046, 5_850]
    assert out["budget_revenue_cents"].tolist() == [77_868_000, 28_494_900, 6_206_850]
    assert out["budget_revenue_cents"].sum() == 112_569_750
    assert out["budget_revenue_cents"].dtype == "int64"
    # one rate for all, no growth: 10 visits × 1,000 cents
    flat = bd.build_revenue({"a": 10}, 1_000)
    assert flat["budget_revenue_cents"].tolist() == [10_000]
    with pytest.raises(ParameterError, match="unknown payer class.*selfpay"):
        bd.build_revenue({"a": 10}, 1_000, rate_change_pct_by_class={"selfpay": 1})
    with pytest.raises(ParameterError, match="no net revenue per visit.*b"):
        bd.build_revenue({"a": 10, "b": 5}, {"a": 1_000})
    with pytest.raises(ParameterError, match="whole number"):
        bd.build_revenue({"a": 10.5}, 1_000)


ACCOUNTS = pd.DataFrame({
    "account": ["rent", "supplies", "provider salaries", "front desk", "malpractice"],
    "category": ["occupancy", "supplies", "wages", "wages", "insurance"],
    "behaviour": ["fixed", "variable per visit", "step per provider FTE", "fixed", "fixed"],
    "amount_cents": [6_000_000, 8_500_000, 50_000_000, 4_000_000, 1_234_567],
})
DRIVERS = {"visits": 11_000, "base_visits": 10_000, "provider_fte": 2.5,
           "base_provider_fte": 2.0, "wage_categories": ("wages",)}
INFLATION = {"occupancy": 3, "supplies": 2, "insurance": 4}


def test_build_expenses_by_hand() -> None:
    out = bd.build_expenses(ACCOUNTS, wage_increase_pct=3, benefits_load_pct=22,
                            inflation_pct_by_category=INFLATION, **DRIVERS)
    # rent: fixed 6,000,000 × 1.03 = 6,180,000 (increase 180,000)
    # supplies: 8,500,000 × 11,000 / 10,000 visits = 9,350,000; × 1.02 = 9,537,000
    # provider salaries: 50,000,000 × 2.5 / 2.0 FTE = 62,500,000; × 1.03 = 64,375,000;
    #   benefits 22 % = 14,162,500; budget 78,537,500; increase 1,875,000
    # front desk: 4,000,000 × 1.03 = 4,120,000; benefits 906,400; budget 5,026,400
    # malpractice: 1,234,567 × 1.04 = 1,283,949.68 → 1,283,950; increase 49,383
    assert out["base_cents"].tolist() == [6_000_000, 9_350_000, 62_500_000, 4_000_000,
                                          1_234_567]
    assert out["increase_cents"].tolist() == [180_000, 187_000, 1_875_000, 120_000, 49_383]
    assert out["benefits_cents"].tolist() == [0, 0, 14_162_500, 906_400, 0]
    assert out["budget_cents"].tolist() == [6_180_000, 9_537_000, 78_537_500, 5_026_400,
                                            1_283_950]
    assert (out["base_cents"] + out["increase_cents"] + out["benefits_cents"]
            == out["budget_cents"]).all()
    # total 6,180,000 + 9,537,000 + 78,537,500 + 5,026,400 + 1,283,950 = 100,564,850
    assert out["budget_cents"].sum() == 100_564_850


def test_build_expenses_refuses_bad_input() -> None:
    kw = {**DRIVERS, "wage_increase_pct": 0, "benefits_load_pct": 0}
    with pytest.raises(ParameterError, match="no inflation.*insurance"):
        bd.build_expenses(ACCOUNTS, inflation_pct_by_category={"occupancy": 3, "supplies": 0},
                          **kw)
    bad = ACCOUNTS.copy()
    bad.loc[2, "behaviour"] = "semi-variable"
    with pytest.raises(DataError, match=r"row 4.*'behaviour'.*unknown cost behaviour"):
        bd.build_expenses(bad, inflation_pct_by_category=INFLATION, **kw)
    with pytest.raises(ParameterError, match="visits"):
        bd.build_expenses(ACCOUNTS, inflation_pct_by_category=INFLATION,
                          **{**kw, "visits": -1})
    with pytest.raises(ParameterError, match="base_visits is 0"):
        bd.build_expenses(ACCOUNTS, inflation_pct_by_category=INFLATION,
                          **{**kw, "base_visits": 0})


def test_provider_ramp_by_hand() -> None:
    # starts in October, 3-month ramp: k/(3+1) = 25 %, 50 %, 75 % in Oct, Nov, Dec; at 0.8 FTE
    # → 0.2, 0.4, 0.6; annual FTE = (0.2 + 0.4 + 0.6) / 12 = 0.1
    r = bd.provider_ramp(10, 3, 0.8)
    assert r["productivity"].tolist() == [0] * 9 + [0.25, 0.5, 0.75]
    assert r["fte"].tolist() == pytest.approx([0] * 9 + [0.2, 0.4, 0.6])
    assert r["fte"].mean() == pytest.approx(0.1)
    # starts in March, 2-month ramp: 1/3, 2/3, then full from May
    r = bd.provider_ramp(3, 2)
    assert r["productivity"].tolist() == pytest.approx([0, 0, 1 / 3, 2 / 3] + [1] * 8)
    # no ramp: full from the start month
    assert bd.provider_ramp(1, 0)["fte"].tolist() == [1.0] * 12
    with pytest.raises(ParameterError, match="start_month"):
        bd.provider_ramp(13, 1)


# --------------------------------------------------------------------------- forecast


def _forecast(out: pd.DataFrame) -> dict[str, int]:
    return dict(zip(out["line"], out["cents"], strict=True))


def test_full_year_forecast_by_hand() -> None:
    budget = [100_000] * 12  # full year 1,200,000
    actual = [90_000, 95_000, 110_000, 100_000, 105_001] + [float("nan")] * 7
    got = _forecast(bd.full_year_forecast(actual, budget, 5))
    # YTD = 90,000 + 95,000 + 110,000 + 100,000 + 105,001 = 500,001; budget to date 500,000
    # forecast = 500,001 + 7 × 100,000 = 1,200,001
    # run rate = 500,001 × 12 / 5 = 1,200,002.4 → 1,200,002
    assert got == {"actual_to_date": 500_001, "budget_to_date": 500_000,
                   "budget_remaining": 700_000, "budget_full_year": 1_200_000,
                   "forecast": 1_200_001, "run_rate": 1_200_002, "forecast_variance": 1,
                   "run_rate_variance": 2}
    # through August: YTD 100,001 + 7 × 100,000 = 800,001; × 12/8 = 1,200,001.5 → 1,200,002
    got = _forecast(bd.full_year_forecast([100_001] + [100_000] * 7, budget, 8))
    assert got["forecast"] == 800_001 + 400_000 and got["run_rate"] == 1_200_002
    # through December the forecast is the actual year
    assert _forecast(bd.full_year_forecast(budget, budget, 12))["forecast_variance"] == 0
    with pytest.raises(ParameterError, match="through_month"):
        bd.full_year_forecast(actual, budget, 0)
    with pytest.raises(ParameterError, match="fewer than through_month"):
        bd.full_year_forecast([1, 2], budget, 3)
    with pytest.raises(ParameterError, match="12 amounts"):
        bd.full_year_forecast(actual, budget[:11], 3)
    with pytest.raises(ParameterError, match="actual of month 2"):
        bd.full_year_forecast([1, 2.5], budget, 2)


# --------------------------------------------------------------------------- variance by class


def test_revenue_variance_by_class_by_hand() -> None:
    out = bd.revenue_variance_by_class(PAYERS)
    # V_b = 1000, V_a = 1020 (see test_revenue_variance_by_hand)
    # volume_c = 20 · bv_c · r_b / 1000: 20·600·12000/1000 = 144,000; 20·300·9000/1000 = 54,000;
    #   20·100·6000/1000 = 12,000 (Σ 210,000)
    # mix_c = (av_c − 1020 · bv_c / 1000) · r_b: (550 − 612)·12000 = −744,000;
    #   (380 − 306)·9000 = 666,000; (90 − 102)·6000 = −72,000 (Σ −150,000)
    # rate_c: 550·500 = 275,000; 380·(−200) = −76,000; 0
    # total_c: 6,875,000 − 7,200,000 = −325,000; 3,344,000 − 2,700,000 = 644,000;
    #   540,000 − 600,000 = −60,000
    assert out["payer"].tolist() == ["commercial", "medicare", "medicaid"]
    assert out["volume_cents"].tolist() == [144_000, 54_000, 12_000]
    assert out["mix_cents"].tolist() == [-744_000, 666_000, -72_000]
    assert out["rate_cents"].tolist() == [275_000, -76_000, 0]
    assert out["rounding_cents"].tolist() == [0, 0, 0]
    assert out["total_cents"].tolist() == [-325_000, 644_000, -60_000]
    assert out["direction"].tolist() == ["unfavourable", "favourable", "unfavourable"]


def test_revenue_variance_by_class_rounding() -> None:
    # bv (1, 1), av (1, 2), r_b = r_a = (100, 201): V_b = 2, V_a = 3, B = 301
    # volume_c = 1 · bv_c · r_b / 2 = 50, 100.5; total volume 150.5 → 151, so b gets 101
    # mix_c = (av_c − 3 · bv_c / 2) · r_b = −50, 100.5; total mix 50.5 → 51, so b gets 101
    # total_c = 0, 201; rounding_c = 0 − (50 − 50 + 0) = 0, 201 − (101 + 101 + 0) = −1
    payers = pd.DataFrame({"payer": ["a", "b"], "budget_visits": [1, 1],
                           "actual_visits": [1, 2], "budget_rate_cents": [100, 201],
                           "actual_rate_cents": [100, 201]})
    out = bd.revenue_variance_by_class(payers)
    assert out["volume_cents"].tolist() == [50, 101]
    assert out["mix_cents"].tolist() == [-50, 101]
    assert out["rounding_cents"].tolist() == [0, -1]
    assert out["total_cents"].tolist() == [0, 201]
    # the class sums are revenue_variance's lines, rounding line included
    totals = _lines(bd.revenue_variance(payers))
    for line in ("volume", "mix", "rate", "rounding", "total"):
        assert out[f"{line}_cents"].sum() == totals[line]


@settings(max_examples=300, deadline=None)
@given(_payer_rows)
def test_revenue_variance_by_class_sums_to_totals(rows: list[tuple[int, int, int, int]]
                                                  ) -> None:
    if sum(r[0] for r in rows) == 0:
        rows = [(1, *rows[0][1:]), *rows[1:]]
    payers = pd.DataFrame(rows, columns=["budget_visits", "actual_visits", "budget_rate_cents",
                                         "actual_rate_cents"])
    payers.insert(0, "payer", [f"p{i}" for i in range(len(rows))])
    out = bd.revenue_variance_by_class(payers)
    totals = _lines(bd.revenue_variance(payers))
    for line in ("volume", "mix", "rate", "rounding", "total"):
        assert out[f"{line}_cents"].sum() == totals[line]
    assert (out["volume_cents"] + out["mix_cents"] + out["rate_cents"] + out["rounding_cents"]
            == out["total_cents"]).all()
    assert (out["rounding_cents"].abs() <= 1).all()
    # each class's volume part is within a cent of its exact value
    v_b, v_a = sum(r[0] for r in rows), sum(r[1] for r in rows)
    for got, (b, _, r, _) in zip(out["volume_cents"], rows, strict=True):
        assert abs(got - Fraction((v_a - v_b) * b * r, v_b)) < 1


def test_no_variance_is_never_material() -> None:
    lines = pd.DataFrame({"account": ["rent", "supplies"], "kind": ["cost", "cost"],
                          "budget_cents": [100_000, 100_000], "actual_cents": [100_000, 100_001]})
    out = bd.materiality_flags(lines, min_cents=0, min_pct=0)
    # thresholds 0: any variance is material, but a line on budget is not
    assert out["material"].tolist() == [False, True]
