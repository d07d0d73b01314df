"""The budget chain from books to budget to comparison, on a small practice worked by hand.

The practice: two payer classes, Medicare (100 visits a month at $150) and Commercial (300 at
$250), 2.0 provider FTE, and the same ledger every month of 2024 and January–March 2025 except
where a test changes it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pracops import config, data
from pracops.budget import model as bd
from pracops.errors import DataError, ParameterError

CHART = pd.DataFrame({
    "account": ["4100", "4300", "5000", "5100", "5150", "5310", "5400", "5500"],
    "name": ["Medicare revenue", "Commercial revenue", "Provider compensation",
             "Staff salaries", "Benefits", "Medical supplies", "Rent", "Malpractice"],
    "category": ["revenue", "revenue", "provider compensation", "staff salaries", "benefits",
                 "medical supplies", "rent and occupancy", "malpractice"],
    "behaviour": ["variable per visit", "variable per visit", "step per provider FTE", "fixed",
                  "fixed", "variable per visit", "fixed", "fixed"],
    "payer_class": ["Medicare", "Commercial", None, None, None, None, None, None],
    "pay_months": [None] * 7 + ["1"],
})
MONTHLY = {"4100": 1_500_000, "4300": 7_500_000, "5000": 4_000_000, "5100": 2_000_000,
           "5150": 1_320_000, "5310": 400_000, "5400": 1_000_000}
ASSUME = {"budget_year": 2025, "visit_growth_pct": 10, "rate_change_pct": {"Commercial": 5},
          "wage_increase_pct": 3, "benefits_load_pct": None, "holiday_country": None,
          "inflation_pct": {"medical supplies": 4, "rent and occupancy": 3, "malpractice": 0}}


def books_of(periods: list[str], change: dict[tuple[str, str], int] | None = None,
             visits: dict[tuple[str, str], int] | None = None,
             fte: dict[str, float] | None = None) -> tuple[pd.DataFrame, ...]:
    rows, vol = [], []
    for p in periods:
        for account, amount in MONTHLY.items():
            rows.append((p, account, (change or {}).get((p, account), amount)))
        rows.append((p, "5500", 2_400_000 if p.endswith("-01") else 0))
        for c, n in (("Medicare", 100), ("Commercial", 300)):
            vol.append((p, c, (visits or {}).get((p, c), n), None, (fte or {}).get(p, 2.0)))
    gl = pd.DataFrame(rows, columns=["month", "account", "amount_cents"])
    volumes = pd.DataFrame(vol, columns=["month", "payer_class", "visits", "wrvus",
                                         "provider_fte"])
    return gl, CHART.copy(), volumes


YEAR_2024 = [f"2024-{m:02d}" for m in range(1, 13)]
Q1_2025 = ["2025-01", "2025-02", "2025-03"]


@pytest.fixture(scope="module")
def budget() -> bd.Budget:
    return bd.build_budget(bd.read_books(*books_of(YEAR_2024 + Q1_2025)),
                           bd.Assumptions(**ASSUME))


def test_budget_by_hand(budget: bd.Budget) -> None:
    rev = budget.revenue.set_index("payer")
    # visits 1,200 and 3,600 grown 10 %; Commercial's $250 raised 5 % to $262.50
    assert rev["budget_visits"].tolist() == [1_320, 3_960]
    assert rev["budget_rate_cents"].tolist() == [15_000, 26_250]
    # 1,320 × $150 = $198,000; 3,960 × $262.50 = $1,039,500
    assert rev["budget_revenue_cents"].tolist() == [19_800_000, 103_950_000]
    acc = budget.accounts.set_index("account")["budget_cents"]
    # provider comp $480,000 × 1.03; staff $240,000 × 1.03
    assert acc["5000"] == 49_440_000 and acc["5100"] == 24_720_000
    # benefits: the base year's load 158,400 / 720,000 = 22 % of $741,600 of wages
    assert budget.benefits_load_pct == pytest.approx(22)
    assert acc["5150"] == 16_315_200
    # supplies $48,000 for 4,800 visits → × 5,280 / 4,800 × 1.04 = $54,912
    assert acc["5310"] == 5_491_200
    assert acc["5400"] == 12_360_000 and acc["5500"] == 2_400_000
    assert budget.total("revenue") == 123_750_000
    assert budget.total("cost") == 110_726_400


def test_monthly_phasing_is_exact(budget: bd.Budget) -> None:
    table = budget.table().set_index("account")
    months = list(bd.MONTH_NAMES)
    assert (table[months].sum(axis=1) == table["Total"]).all()
    assert (table["Total"] == budget.accounts.set_index("account")["budget_cents"]).all()
    # malpractice is paid in January; rent and wages evenly
    assert table.loc["5500", months].tolist() == [2_400_000] + [0] * 11
    assert table.loc["5400", months].tolist() == [1_030_000] * 12
    # revenue of a month is its visits × the class rate
    v = budget.visits.set_index(["payer_class", "month"])["visits"]
    assert table.loc["4300", "Jun"] == v[("Commercial", 6)] * 26_250
    # supplies follow the month's visits: within a cent of the exact share
    visits_m = budget.visits.groupby("month")["visits"].sum()
    exact = 5_491_200 * visits_m / visits_m.sum()
    assert (abs(table.loc["5310", months].to_numpy() - exact.to_numpy()) < 1).all()
    # no holidays and flat history: weight = working days 2025 ÷ working days 2024, normalised
    wd = budget.phasing.set_index("month")["working_days"]
    assert wd.tolist() == [23, 20, 21, 22, 22, 21, 23, 21, 22, 23, 20, 23]


def test_comparison_splits_the_variance() -> None:
    # Q1 2025: Commercial 270 visits in March (30 fewer) and $12,000 more supplies in February
    gl, chart, vol = books_of(YEAR_2024 + Q1_2025,
                              change={("2025-02", "5310"): 1_600_000,
                                      ("2025-03", "4300"): 6_750_000},
                              visits={("2025-03", "Commercial"): 270})
    books = bd.read_books(gl, chart, vol)
    budget = bd.build_budget(books, bd.Assumptions(**ASSUME))
    c = bd.compare(books, budget, 500_000, 10)
    assert c is not None and c.through_month == 3
    # revenue: actual 3 × $15,000 + 2 × $75,000 + $67,500; budget the phased months
    assert int(c.payers["actual_revenue_cents"].sum()) == 4_500_000 + 21_750_000
    assert c.part("total") == 26_250_000 - budget.total("revenue", [1, 2, 3])
    assert c.part("volume") + c.part("mix") + c.part("rate") + c.part("rounding") \
        == c.part("total")
    # the rate part: Medicare at $150 exactly as budgeted; Commercial $250 vs $262.50
    by = c.revenue_by_class.set_index("payer")
    assert by.loc["Medicare", "rate_cents"] == 0
    assert by.loc["Commercial", "rate_cents"] == 21_750_000 - 870 * 26_250
    # flagged (≥ $5,000 and ≥ 10 %): supplies in February (+$11,621.60, +265 %), Commercial in
    # January (the flat $75,000 against $86,887.50, −13.7 %) and March (−22.3 %); February's
    # Commercial is −9.6 % and Medicare's −9.1 %: under 10 %
    flagged = c.lines[c.lines["material"]]
    assert set(zip(flagged["account"], flagged["month"], strict=True)) == {
        ("5310", 2), ("4300", 1), ("4300", 3)}
    # the bridge adds up to the actual margin, to the cent
    steps = c.bridge.set_index("step")["cents"]
    assert steps.drop("actual margin").sum() == steps["actual margin"]
    actual_costs = 3 * (4_000_000 + 2_000_000 + 1_320_000 + 1_000_000) + 2_400_000 + \
        400_000 * 2 + 1_600_000
    assert steps["actual margin"] == 26_250_000 - actual_costs
    # supplies' spending variance is the overspend less what the lower visits saved
    sup = c.costs.set_index("account").loc["5310"]
    assert sup["spending_variance_cents"] == 2_400_000 - sup["flexible_budget_cents"]
    # forecast: actual to date + the budget of April to December
    f = c.forecast.set_index("line")
    assert f.loc["revenue", "forecast_cents"] == 26_250_000 + budget.total(
        "revenue", range(4, 13))
    assert f.loc["revenue", "run_rate_cents"] == 26_250_000 * 4


def test_no_actuals_yet_means_no_comparison() -> None:
    books = bd.read_books(*books_of(YEAR_2024))
    budget = bd.build_budget(books, bd.Assumptions(**ASSUME))
    assert budget.base_periods == YEAR_2024
    assert bd.compare(books, budget, 0, 0) is None


def test_new_provider_adds_visits_and_cost() -> None:
    books = bd.read_books(*books_of(YEAR_2024))
    plain = bd.build_budget(books, bd.Assumptions(**ASSUME))
    hired = bd.build_budget(books, bd.Assumptions(
        **ASSUME, new_providers=(bd.NewProvider("Dr New", start_month=7, ramp_months=3),)))
    # ramp 25 %, 50 %, 75 %, 100 %, 100 %, 100 % from July: 4.5 FTE-months = 0.375 FTE-year
    assert hired.fte["new"].sum() == pytest.approx(4.5)
    assert (hired.visits.loc[hired.visits["month"] < 7, "new"] == 0).all()
    # 4,800 visits per 2.0 FTE → 2,400 per FTE-year; × 0.375 ≈ 900 (weighted by month)
    assert 850 <= hired.visits["new"].sum() <= 950
    comp = hired.accounts.set_index("account")["budget_cents"]["5000"]
    # provider comp per FTE is $240,000 × 1.03; mean FTE (2 + 0.375)
    assert comp == 24_720_000 * 2.375
    assert hired.total("revenue") > plain.total("revenue")


def test_breakeven_by_hand(budget: bd.Budget) -> None:
    be = bd.break_even(budget)
    # fixed (all but supplies) $1,052,352 a year → $87,696 a month; revenue per visit
    # 123,750,000 / 5,280 = 23,437.5 cents; supplies per visit 1,040 → contribution 22,397.5
    assert be["visits_per_month"] == pytest.approx(8_769_600 / 22_397.5)
    assert be["budget_visits_per_month"] == 440
    # overhead: $1,107,264 of costs less provider compensation $494,400 and its benefits
    # ($163,152 × 494,400 / 741,600 = $108,768): $504,096
    assert bd.overhead_cents(budget) == 50_409_600


@pytest.mark.parametrize(("mutate", "match"), [
    (lambda gl, ch, v: gl.assign(account=gl["account"].replace({"5400": "5401"})),
     r"account not in the chart of accounts.*rows"),
    (lambda gl, ch, v: gl.assign(amount_cents=gl["amount_cents"].where(gl.index != 1, -5)),
     r"revenue with the wrong sign.*row 3\b"),
    (lambda gl, ch, v: pd.concat([gl, gl.iloc[[0]]], ignore_index=True),
     r"duplicate account-month rows: rows 2, "),
    (lambda gl, ch, v: gl.assign(month=gl["month"].where(gl.index != 0, "2024-13")),
     r"not a month: row 2\b"),
    (lambda gl, ch, v: gl[gl["month"] != "2024-05"],
     r"no rows for 2024-05"),
])
def test_bad_ledgers_are_refused_with_rows(mutate, match) -> None:
    gl, chart, vol = books_of(YEAR_2024)
    gl = mutate(gl, chart, vol)
    gl.attrs["source"] = "gl_actuals.csv"
    with pytest.raises(DataError, match=match) as info:
        bd.read_books(gl, chart, vol)
    assert "gl_actuals.csv" in str(info.value)


def test_month_after_the_budget_year_is_refused() -> None:
    books = bd.read_books(*books_of(YEAR_2024 + Q1_2025))
    with pytest.raises(DataError, match=r"month outside the range: after the budget year 2024"):
        bd.build_budget(books, bd.Assumptions(**{**ASSUME, "budget_year": 2024}))


def test_too_little_history_is_refused() -> None:
    books = bd.read_books(*books_of(YEAR_2024[6:]))
    with pytest.raises(DataError, match="12 closed months before it"):
        bd.build_budget(books, bd.Assumptions(**ASSUME))


def test_bad_assumptions_are_refused() -> None:
    books = bd.read_books(*books_of(YEAR_2024))
    with pytest.raises(ParameterError, match="no inflation given.*rent and occupancy"):
        bd.build_budget(books, bd.Assumptions(**{**ASSUME, "inflation_pct": {
            "medical supplies": 4, "malpractice": 0}}))
    with pytest.raises(ParameterError, match="payer_mix_pct"):
        bd.build_budget(books, bd.Assumptions(**ASSUME, payer_mix_pct={"Medicare": 50}))
    with pytest.raises(ParameterError, match="not in the US calendar"):
        bd.Assumptions(budget_year=2025, holiday_names=("Boxing Day",)).holidays(2025)


def test_practice_holidays_from_the_calendar() -> None:
    days = bd.Assumptions(budget_year=2027).holidays(2027)
    # 2027: New Year Fri 1 Jan, Memorial Day 31 May, 4 July a Sunday → observed Mon 5 July,
    # Labor Day 6 Sep, Thanksgiving 25 Nov, Christmas a Saturday → observed Fri 24 Dec, and
    # New Year 2028 a Saturday → observed Fri 31 Dec 2027
    assert [d.isoformat() for d in days] == [
        "2027-01-01", "2027-05-31", "2027-07-04", "2027-07-05", "2027-09-06", "2027-11-25",
        "2027-12-24", "2027-12-25", "2027-12-31"]
    wd = bd.working_days(2027, days)
    assert wd["holidays"].tolist() == [1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 2]


def _budget_files(tmp_path: Path, edit) -> str:
    """The sample's three budget files in a folder, the ledger's text changed by ``edit``."""
    for name in ("gl_actuals", "chart_of_accounts", "volumes"):
        shutil.copy(config.SAMPLE_DIR / f"{name}.csv", tmp_path / f"{name}.csv")
    gl = tmp_path / "gl_actuals.csv"
    gl.write_text(edit(gl.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    return str(tmp_path)


@pytest.mark.parametrize(("edit", "match"), [
    # row 3 of the file is 2024-01's second line: book it to an account the chart lacks
    (lambda lines: "\n".join(lines[:2] + [lines[2].replace(",4200,", ",4290,")] + lines[3:]),
     r"gl_actuals\.csv, row 3, column 'account': unknown account, not in "
     r"chart_of_accounts\.csv.*'4290'.*did you mean '4200'\?"),
    (lambda lines: "\n".join(lines[:2] + [lines[2].replace(",11108.12", ",-11108.12")]
                             + lines[3:]),
     r"gl_actuals\.csv.*revenue with the wrong sign \(negative\): row 3\b"),
])
def test_validate_checks_the_books_across_files(tmp_path: Path, edit, match) -> None:
    folder = _budget_files(tmp_path, edit)
    problems = data.check_folder(folder, missing_ok=True).errors
    assert len(problems) == 1
    assert re.search(match, str(problems[0]), re.S), problems[0]


def test_payer_mix_targets_redistribute_the_visits() -> None:
    books = bd.read_books(*books_of(YEAR_2024))
    b = bd.build_budget(books, bd.Assumptions(**ASSUME,
                                              payer_mix_pct={"Medicare": 40, "Commercial": 60}))
    rev = b.revenue.set_index("payer")
    # 5,280 visits (4,800 grown 10 %) at 40 % / 60 %: 2,112 and 3,168
    assert rev["budget_visits"].tolist() == [2_112, 3_168]
    # 2,112 × $150 + 3,168 × $262.50 = $316,800 + $831,600
    assert b.total("revenue") == 114_840_000


def test_a_provider_who_joined_in_the_base_year_works_the_whole_budget_year() -> None:
    # FTE 2.0 to June, 2.5 from July 2024: mean 2.25, today 2.5 → visits and per-FTE costs
    # × 2.5 / 2.25 = 10/9
    books = bd.read_books(*books_of(YEAR_2024, fte={p: 2.5 for p in YEAR_2024[6:]}))
    b = bd.build_budget(books, bd.Assumptions(**ASSUME))
    # 1,200 × 1.1 × 10/9 = 1,466.67 → 1,467; 3,600 × 1.1 × 10/9 = 4,400
    assert b.revenue["budget_visits"].tolist() == [1_467, 4_400]
    # provider comp $480,000 × 10/9 × 1.03 = $549,333.33
    assert b.accounts.set_index("account").loc["5000", "budget_cents"] == 54_933_333
    assert (b.fte["fte"] == 2.5).all()


def test_a_change_of_provider_fte_is_not_a_season() -> None:
    # 4 Medicare and 12 Commercial visits per provider-FTE working day all year, 2.0 FTE to
    # June and 2.5 from July: no seasons, so the budget year (2.5 FTE throughout) has the
    # same visits per working day every month, up to a visit of rounding per class
    days = bd.working_days(2024).set_index("month")["working_days"]
    fte = {p: 2.0 if m <= 6 else 2.5 for m, p in enumerate(YEAR_2024, start=1)}
    visits = {(p, c): int(days[m] * fte[p] * k) for m, p in enumerate(YEAR_2024, start=1)
              for c, k in (("Medicare", 4), ("Commercial", 12))}
    b = bd.build_budget(bd.read_books(*books_of(YEAR_2024, visits=visits, fte=fte)),
                        bd.Assumptions(**ASSUME))
    assert b.phasing["seasonal_index"].round(9).eq(1).all()
    per_day = (b.visits.groupby("month")["visits"].sum()
               / b.phasing.set_index("month")["working_days"])
    assert per_day.max() - per_day.min() < 0.15


def test_benefits_need_a_benefits_account_and_wages() -> None:
    gl, chart, vol = books_of(YEAR_2024)
    no_benefits = chart[chart["category"] != "benefits"]
    books = bd.read_books(gl[gl["account"] != "5150"], no_benefits, vol)
    with pytest.raises(ParameterError, match="no benefits account"):
        bd.build_budget(books, bd.Assumptions(**{**ASSUME, "benefits_load_pct": 22}))
    # None: the benefits are in the wages already, and none are added
    b = bd.build_budget(books, bd.Assumptions(**ASSUME))
    assert b.accounts.set_index("account").loc["5000", "budget_cents"] == 49_440_000
    chart2 = chart.copy()
    chart2.loc[chart2["category"].isin(["provider compensation", "staff salaries"]),
               "category"] = "purchased services"
    books2 = bd.read_books(gl, chart2, vol)
    with pytest.raises(DataError, match=r"a benefits account but no wage account.*row 6\b"):
        bd.build_budget(books2, bd.Assumptions(**{**ASSUME, "inflation_pct": {
            **ASSUME["inflation_pct"], "purchased services": 3}}))


def test_a_class_needs_both_visits_and_revenue() -> None:
    gl, chart, vol = books_of(YEAR_2024)
    gl = gl[gl["account"] != "4100"]  # Medicare's visits without its revenue
    with pytest.raises(DataError, match="'Medicare' has visits but no revenue"):
        bd.build_budget(bd.read_books(gl, chart, vol), bd.Assumptions(**ASSUME))
    books = bd.read_books(*books_of(YEAR_2024))
    with pytest.raises(ParameterError, match="every class a share"):
        bd.build_budget(books, bd.Assumptions(**ASSUME, payer_mix_pct={"Commercial": 100}))


def test_run_rate_keeps_annual_premiums_on_their_schedule() -> None:
    # only January 2025 closed, every account as in the base year: malpractice ($24,000, paid
    # each January) must not run at 12 × $24,000
    books = bd.read_books(*books_of(YEAR_2024 + ["2025-01"]))
    b = bd.build_budget(books, bd.Assumptions(**ASSUME))
    c = bd.compare(books, b, 500_000, 10)
    f = c.forecast.set_index("line")
    monthly = 4_000_000 + 2_000_000 + 1_320_000 + 400_000 + 1_000_000  # January, the rest
    assert f.loc["expense", "run_rate_cents"] == monthly * 12 + 2_400_000


def test_credited_expense_months_do_not_stop_the_comparison() -> None:
    # a supplies rebate larger than January's spending: −$500
    books = bd.read_books(*books_of(YEAR_2024 + ["2025-01"],
                                    change={("2025-01", "5310"): -50_000}))
    c = bd.compare(books, bd.build_budget(books, bd.Assumptions(**ASSUME)), 500_000, 10)
    sup = c.costs.set_index("account").loc["5310"]
    assert sup["actual_cost_cents"] == -50_000
    assert sup["spending_variance_cents"] == -50_000 - sup["flexible_budget_cents"]


def test_a_negative_base_year_expense_names_the_ledger_rows() -> None:
    gl, chart, vol = books_of(YEAR_2024)
    gl.loc[gl["account"] == "5400", "amount_cents"] = -10_000
    gl.attrs["source"] = "gl_actuals.csv"
    books = bd.read_books(gl, chart, vol)
    with pytest.raises(DataError, match=r"gl_actuals\.csv.*5400 negative.*rows 8, 16, 24"):
        bd.build_budget(books, bd.Assumptions(**ASSUME))


def test_fte_read_as_written() -> None:
    # 1,205 Medicare visits × 1.1 = 1,325.5 → 1,326: an FTE of 4.6 every month must give a
    # ratio of exactly 1 (its float is 4.5999…, whose mean need not be)
    fte = {p: 4.6 for p in YEAR_2024}
    books = bd.read_books(*books_of(YEAR_2024, visits={("2024-01", "Medicare"): 105}, fte=fte))
    b = bd.build_budget(books, bd.Assumptions(**ASSUME))
    assert b.revenue.set_index("payer").loc["Medicare", "budget_visits"] == 1_326


def test_empty_books_and_far_years_are_refused() -> None:
    gl, chart, vol = books_of(YEAR_2024)
    with pytest.raises(DataError, match="gl_actuals table has no rows"):
        bd.read_books(gl.iloc[0:0], chart, vol)
    books = bd.read_books(gl, chart, vol)
    with pytest.raises(ParameterError, match="budget 2025 at the latest"):
        bd.build_budget(books, bd.Assumptions(**{**ASSUME, "budget_year": 2027}))


def test_other_revenue_is_fixed_and_has_its_own_bridge_step() -> None:
    # a care-management payment of $2,000 a month (fixed revenue, no payer class), budgeted +5 %
    gl, chart, vol = books_of(YEAR_2024 + Q1_2025)
    chart = pd.concat([chart, pd.DataFrame([{
        "account": "4900", "name": "Care management payments", "category": "revenue",
        "behaviour": "fixed", "payer_class": None, "pay_months": None}])], ignore_index=True)
    periods = YEAR_2024 + Q1_2025
    paid = {p: 200_000 for p in periods} | {"2025-02": 150_000}  # February short by $500
    gl = pd.concat([gl, pd.DataFrame({"month": periods, "account": "4900",
                                      "amount_cents": [paid[p] for p in periods]})],
                   ignore_index=True)
    books = bd.read_books(gl, chart, vol)
    b = bd.build_budget(books, bd.Assumptions(**ASSUME, other_revenue_change_pct=5))
    # $24,000 × 1.05 = $25,200, $2,100 a month; the visit revenue is as before
    assert b.monthly[b.monthly["account"] == "4900"]["budget_cents"].tolist() == [210_000] * 12
    assert b.total("revenue") == 123_750_000 + 2_520_000
    c = bd.compare(books, b, 500_000, 10)
    steps = c.bridge.set_index("step")["cents"]
    # Q1: $5,500 received against $6,300 budgeted
    assert steps["other revenue"] == 550_000 - 630_000
    assert steps.drop("actual margin").sum() == steps["actual margin"]
    # the visit revenue split does not see it
    assert c.part("total") == int(c.payers["actual_revenue_cents"].sum()) - int(
        (c.payers["budget_visits"] * c.payers["budget_rate_cents"]).sum())
    # break-even: other revenue pays part of the fixed costs, $2,100 a month
    be = bd.break_even(b)
    assert be["visits_per_month"] == pytest.approx((8_769_600 - 210_000) / 22_397.5)
