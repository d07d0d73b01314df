"""The operating budget report on the bundled sample finds exactly the injected variances.

The ground truth is what the sample generator recorded (pracops/sample/data/ground_truth.json,
section "budget"): the budget's assumptions, and three injected variances in 2025 — a Medicare
rate cut, a payer-mix shift from Commercial to Medicaid, and a medical-supply overspend in one
month. The budget's annual totals and break-even are recomputed here from the CSV text with
plain Decimal arithmetic (the documented rules: rates rounded to the cent, visits to whole
visits, each wage account's benefits to the cent), independently of pracops.budget. The
notebook runs once through the runner (parameters/test/operating_budget.yaml); the variance
split is checked in process with the notebook's own assumptions.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pracops import config, runner
from pracops.budget import chain, view
from pracops.budget import model as bd

SAMPLE = config.SAMPLE_DIR
TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text())["budget"]
ASSUME = TRUTH["assumptions"]
INJECTED = {p["kind"]: p for p in TRUTH["injected"]}
REPORT = "operating_budget"
WAGES = ("provider compensation", "staff salaries")


def rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def whole(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pct(x: float) -> Decimal:
    return Decimal(repr(float(x))) / 100


CHART = {r["account"]: r for r in rows("chart_of_accounts")}
LEDGER = defaultdict(int)  # (month, account) → cents
for r in rows("gl_actuals"):
    LEDGER[(r["month"], r["account"])] += whole(Decimal(r["amount"]) * 100)
VOLUMES = rows("volumes")


YEAR_2024 = [f"2024-{m:02d}" for m in range(1, 13)]


def by_hand(months: list[str] = YEAR_2024) -> dict[str, int]:
    """A budget's totals from the books of the 12 base ``months`` and the assumptions."""
    base = defaultdict(int)
    for (month, account), cents in LEDGER.items():
        if month in months:
            base[account] += cents
    visits = defaultdict(int)
    fte = {}
    for r in VOLUMES:
        if r["month"] in months:
            visits[r["payer_class"]] += int(r["visits"])
            fte[r["month"]] = Decimal(r["provider_fte"])
    flex_fte = fte[months[-1]] / (sum(fte.values()) / 12)
    growth = (1 + pct(ASSUME["visit_growth_pct"])) * flex_fte
    revenue, budget_visits = 0, 0
    for c, v in visits.items():
        rev = sum(base[a] for a, x in CHART.items() if x["payer_class"] == c)
        rate = whole(Decimal(rev) / v * (1 + pct(ASSUME["rate_change_pct_by_class"][c])))
        n = whole(v * growth)
        budget_visits += n
        revenue += n * rate
    flex_visits = Decimal(budget_visits) / sum(visits.values())
    wage_increase = 1 + pct(ASSUME["wage_increase_pct"])
    expense = variable = benefits = 0
    for a, x in CHART.items():
        cat, beh = x["category"], x["behaviour"]
        if cat in ("revenue", "benefits"):
            continue
        amount = Decimal(base[a]) * (flex_visits if beh == "variable per visit" else
                                     flex_fte if beh == "step per provider FTE" else 1)
        if cat in WAGES:
            after = amount * wage_increase
            benefits += whole(after * pct(ASSUME["benefits_load_pct"]))
        else:
            after = amount * (1 + pct(ASSUME["inflation_pct_by_category"][cat]))
        expense += whole(after)
        if beh == "variable per visit":
            variable += whole(after)
    return {"revenue": revenue, "expense": expense + benefits, "variable": variable,
            "visits": budget_visits}


@pytest.fixture(scope="module")
def report() -> chain.BudgetReport:
    """The chain in process, with the notebook's default assumptions (the ground truth's)."""
    return chain.compute(chain.load_inputs(None), visit_growth_pct=ASSUME["visit_growth_pct"],
                         wage_increase_pct=ASSUME["wage_increase_pct"],
                         benefits_load_pct=ASSUME["benefits_load_pct"],
                         inflation_pct=ASSUME["inflation_pct_by_category"],
                         materiality_dollars=5000, materiality_pct=10)


def test_the_notebook_defaults_are_the_sample_budgets_assumptions() -> None:
    params = runner.discover()[REPORT].parameters
    assert params["visit_growth_pct"].default == ASSUME["visit_growth_pct"]
    assert params["wage_increase_pct"].default == ASSUME["wage_increase_pct"]
    assert params["benefits_load_pct"].default == ASSUME["benefits_load_pct"]
    assert params["inflation_pct"].default == ASSUME["inflation_pct_by_category"]
    assert params["rate_change_pct"].default == {}
    assert all(v == 0 for v in ASSUME["rate_change_pct_by_class"].values())


def test_report_runs_and_records_the_contract(run: dict) -> None:
    rr = run["result"]
    assert rr.status == "ok", rr.error
    f = rr.figures
    for key in ("budget_revenue_cents", "budget_expense_cents", "ytd_actual_revenue_cents",
                "ytd_budget_revenue_cents", "ytd_variance_cents", "volume_variance_cents",
                "rate_variance_cents", "mix_variance_cents", "breakeven_visits_per_month",
                "flagged_accounts"):
        assert isinstance(f[key], int), key
    for key in ("budget_margin_pct", "forecast_margin_pct"):
        assert isinstance(f[key], float), key
    assert f["budget_year"] == 2025 and f["closed_through"] == TRUTH["closed_through"]


def test_budget_totals_match_the_hand_computation(run: dict) -> None:
    f, hand = run["result"].figures, by_hand()
    assert f["budget_revenue_cents"] == hand["revenue"]
    assert f["budget_expense_cents"] == hand["expense"]
    assert f["budget_visits"] == hand["visits"]
    margin = (hand["revenue"] - hand["expense"]) / hand["revenue"]
    assert f["budget_margin_pct"] == pytest.approx(margin, abs=1e-12)
    # break-even: every cost but supplies is fixed; contribution per visit after supplies
    contribution = Decimal(hand["revenue"] - hand["variable"]) / hand["visits"]
    fixed_month = Decimal(hand["expense"] - hand["variable"]) / 12
    assert f["breakeven_visits_per_month"] == math.ceil(fixed_month / contribution)


def test_year_to_date_matches_the_ledger(run: dict) -> None:
    f = run["result"].figures
    actual = sum(cents for (month, account), cents in LEDGER.items()
                 if month.startswith("2025-") and CHART[account]["category"] == "revenue")
    assert f["ytd_actual_revenue_cents"] == actual
    assert f["ytd_variance_cents"] == actual - f["ytd_budget_revenue_cents"]
    parts = f["volume_variance_cents"] + f["mix_variance_cents"] + f["rate_variance_cents"]
    assert abs(f["ytd_variance_cents"] - parts) <= 1  # the named rounding line: 0 or 1 cent


def test_the_workbook_holds_the_budget(run: dict, report: chain.BudgetReport) -> None:
    f = run["result"].figures
    sheet = load_workbook(run["files"] / "operating_budget.xlsx")["Budget"]
    table = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1]}

    def cents(dollars: float) -> int:  # Excel holds binary doubles of the exact cents written
        return whole(Decimal(str(dollars)) * 100)

    months = slice(3, 15)
    assert cents(table["Total revenue"][15]) == f["budget_revenue_cents"]
    assert cents(table["Total expenses"][15]) == f["budget_expense_cents"]
    for name, row in table.items():
        if name not in ("Visits", "Provider FTE", "Working days"):
            assert sum(cents(v) for v in row[months]) == cents(row[15]), name
    assert sum(table["Visits"][months]) == table["Visits"][15] == f["budget_visits"]
    # forecast = actual to date + December's budget
    december = cents(table["Total revenue"][14]) - cents(table["Total expenses"][14])
    forecast = report.comparison.forecast.set_index("line")
    assert forecast.loc["margin", "forecast_cents"] == (
        int(report.comparison.bridge.set_index("step").loc["actual margin", "cents"]) + december)


def test_the_medicare_rate_cut_is_the_rate_variance(report: chain.BudgetReport) -> None:
    cut = INJECTED["rate_cut"]
    c = report.comparison
    by = c.revenue_by_class.set_index("payer")
    actual = c.payers.set_index("payer")["actual_revenue_cents"]
    share = by["rate_cents"] / actual
    # 2024's rate was 2025's / (1 − 6 %): paid at the old rate the visits would have earned
    # 1 / 0.94 of what they did, so the rate part is −(1/0.94 − 1) = −6.4 % of the revenue
    expected = -(1 / (1 - cut["pct"] / 100) - 1)
    assert share[cut["payer_class"]] == pytest.approx(expected, abs=0.006)
    assert (share.drop(cut["payer_class"]).abs() < 0.006).all()
    assert by["rate_cents"].idxmin() == cut["payer_class"]
    assert c.part("rate") < 0


def test_the_mix_shift_is_the_mix_variance(report: chain.BudgetReport) -> None:
    shift = INJECTED["payer_mix_shift"]
    p = report.comparison.payers.set_index("payer")
    moved = (p["actual_visits"] / p["actual_visits"].sum()
             - p["budget_visits"] / p["budget_visits"].sum()) * 100
    assert moved[shift["to_class"]] == pytest.approx(shift["points"], abs=0.5)
    assert moved[shift["from_class"]] == pytest.approx(-shift["points"], abs=0.5)
    assert (moved.drop([shift["to_class"], shift["from_class"]]).abs() < 0.5).all()
    # Medicaid pays less a visit than Commercial, so the shift costs revenue
    assert report.comparison.part("mix") < 0
    assert abs(report.comparison.part("volume")) < abs(report.comparison.part("mix"))


def test_the_supply_overspend_is_the_only_flagged_cost(report: chain.BudgetReport) -> None:
    over = INJECTED["supply_overspend"]
    c = report.comparison
    lines = c.lines[c.lines["material"]]
    costs = lines[lines["kind"] == "cost"]
    month = int(over["month"][5:])
    assert list(zip(costs["account"], costs["month"], strict=True)) == [(over["account"], month)]
    june = costs.iloc[0]
    # the overspend is the variance, give or take the month's phasing (±15 %)
    assert june["variance_cents"] == pytest.approx(over["extra_cents"], rel=0.15)
    # the revenue flags are the mix shift's and the rate cut's classes, nothing else
    revenue = set(lines.loc[lines["kind"] == "revenue", "account"])
    accounts = TRUTH["revenue_accounts"]
    assert revenue <= {accounts["Medicare"], accounts["Medicaid"], accounts["Commercial"]}
    assert set(c.ytd.loc[c.ytd["material"], "account"]) == {accounts["Medicaid"]}


def test_summary_names_the_drivers(run: dict, report: chain.BudgetReport) -> None:
    f = run["result"].figures
    assert f["flagged_account_list"] == chain.summary_figures(report)["flagged_account_list"]
    text = view.summary_text(report, f)
    assert "Medicaid rose to" in text and "Commercial fell to" in text
    assert "mostly Medicare" in text and "Medical supplies (5400" in text
    html = Path(run["html"]).read_text(encoding="utf-8")
    assert "Budget against actual" in html and "Medical supplies (5400) in Jun" in html


def test_work_rvus_per_provider_fte_by_hand(run: dict) -> None:
    base = [r for r in VOLUMES if r["month"].startswith("2024-")]
    wrvus = sum(Decimal(r["wrvus"]) for r in base)
    fte = {r["month"]: Decimal(r["provider_fte"]) for r in base}
    expected = wrvus / (sum(fte.values()) / len(fte))
    assert run["result"].figures["base_wrvus_per_provider_fte"] == pytest.approx(
        float(expected), abs=0.05)


def test_next_years_budget_is_built_from_the_last_closed_twelve_months(tmp_path: Path) -> None:
    """Budgeting 2026 while the books run to November 2025: the base is December 2024 to
    November 2025 and there is nothing to compare yet."""
    reports = runner.check_reports([REPORT], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       overrides=[("budget_year", "2026")])
    rr = runner.run(reports, params, out=tmp_path).reports[0]
    assert rr.status == "ok", rr.error
    f, hand = rr.figures, by_hand(["2024-12"] + [f"2025-{m:02d}" for m in range(1, 12)])
    assert f["budget_year"] == 2026
    assert f["budget_revenue_cents"] == hand["revenue"]
    assert f["budget_expense_cents"] == hand["expense"]
    assert f["ytd_variance_cents"] is None and f["flagged_accounts"] == 0
    assert f["forecast_margin_pct"] == f["budget_margin_pct"]


def test_monthly_variances_add_up_to_the_year_to_date(report: chain.BudgetReport) -> None:
    c = report.comparison
    table = view.monthly_variance_table(report).data
    accounts = table[table["account"] != ""].set_index("account")
    assert (accounts["YTD"] == c.ytd.set_index("account")["variance_cents"]).all()
    months = list(bd.MONTH_NAMES[:c.through_month])
    assert (accounts[months].sum(axis=1) == accounts["YTD"]).all()
    margin = table[table["name"] == "Operating margin"].iloc[0]
    steps = c.bridge.set_index("step")["cents"]
    assert margin["YTD"] == steps["actual margin"] - steps["budget margin"]
    # one shaded cell per material account-month and per material year to date
    html = view.monthly_variance_table(report).to_html()
    shaded = sum(len(cells.split(",")) for cells, body in re.findall(r"([^{}]+)\{([^}]*)\}", html)
                 if "#f9d5d3" in body or "#d4edda" in body)
    assert shaded == int(c.lines["material"].sum()) + int(c.ytd["material"].sum())


def test_html_shows_no_code_and_no_missing_values(run: dict) -> None:
    html = Path(run["html"]).read_text(encoding="utf-8")
    for code in ("chain.run(", "import matplotlib", "report.record(",
                 "materiality_pct: float", "view.explorer"):
        assert code not in html
    # budget vs actual, margin bridge, payer mix, and no widget CDN
    assert html.count('src="data:image/png;base64,') == 3
    assert "<script src=" not in html
    # what a reader reads: not the styles, scripts or the charts' base64 (where "NaN" occurs
    # by chance)
    text = re.sub(r"<style.*?</style>|<script.*?</script>|base64,[A-Za-z0-9+/=]+", "", html,
                  flags=re.S)
    assert not re.search(r"\bnan\b|\binf\b|NaN", text)
