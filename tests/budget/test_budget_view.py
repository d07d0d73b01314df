"""The budget report's display layer (pracops.budget.view, the budget explorer) on the small
practice of test_budget_books: Medicare 100 visits a month at $150, Commercial 300 at $250,
the same ledger every month of 2024 and January–March 2025 except where a test changes it.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from test_budget_books import ASSUME, Q1_2025, YEAR_2024, books_of

from pracops.budget import chain, view
from pracops.budget import model as bd

matplotlib.use("Agg")


def report(gl: pd.DataFrame, chart: pd.DataFrame, volumes: pd.DataFrame,
           **assume: object) -> chain.BudgetReport:
    """The chain without files on these books: ASSUME, the report's $5,000 and 10 %."""
    return chain.compute(chain.BudgetInputs(gl_actuals=gl, chart_of_accounts=chart,
                                            volumes=volumes), **{**ASSUME, **assume})


def amounts(line: str) -> list[int]:
    """The dollar amounts of a summary line, in cents."""
    return [(-1 if sign else 1) * (int(d.replace(",", "")) * 100 + int(c))
            for sign, d, c in re.findall(r"(-?)\\?\$([\d,]+)\.(\d\d)", line)]


@pytest.fixture(scope="module")
def q1() -> chain.BudgetReport:
    """Q1 2025: Commercial 270 visits in March (30 fewer) billed $67,500, and $12,000 more
    supplies in February."""
    return report(*books_of(YEAR_2024 + Q1_2025,
                            change={("2025-02", "5310"): 1_600_000,
                                    ("2025-03", "4300"): 6_750_000},
                            visits={("2025-03", "Commercial"): 270}))


@pytest.fixture(scope="module")
def no_budget() -> chain.BudgetReport:
    """An EHR subscription new in the chart (nothing in 2024, so no budget) paid $9,000 a month
    in 2025."""
    gl, chart, vol = books_of(YEAR_2024 + Q1_2025)
    chart = pd.concat([chart, pd.DataFrame([{
        "account": "6300", "name": "EHR subscription", "category": "IT/EHR",
        "behaviour": "fixed", "payer_class": None, "pay_months": None}])], ignore_index=True)
    gl = pd.concat([gl, pd.DataFrame({"month": Q1_2025, "account": "6300",
                                      "amount_cents": [900_000] * 3})], ignore_index=True)
    return report(gl, chart, vol, inflation_pct={**ASSUME["inflation_pct"], "IT/EHR": 5})


# --- 1. a budget without revenue or margin -----------------------------------------------------

def test_a_budget_without_revenue_is_critical_and_its_margin_is_na() -> None:
    # every rate cut by 100 %: revenue $0, expenses $1,107,264 as in test_budget_books
    rep = report(*books_of(YEAR_2024 + Q1_2025),
                 rate_change_pct={"Medicare": -100, "Commercial": -100})
    fig = chain.summary_figures(rep)
    assert fig["budget_revenue_cents"] == 0 and fig["budget_margin_pct"] is None
    critical = [m for level, m in chain.alerts(rep, fig) if level == "critical"]
    assert critical == [
        "The 2025 budget has no revenue ($0.00): check that the ledger's revenue accounts and "
        "the rate changes are right.",
        "The 2025 budget does not make money: operating margin -$1,107,264.00 (n/a)."]
    text = view.summary_text(rep, fig)
    assert "operating margin -<span>&#36;</span>1,107,264.00 (n/a) on 5,280 visits" in text
    assert "()" not in text and "inf" not in text and "nan" not in text


def test_a_margin_of_zero_or_less_is_critical() -> None:
    rep = report(*books_of(YEAR_2024 + Q1_2025))
    fig = chain.summary_figures(rep)
    # $1,237,500 − $1,107,264 = $130,236: no critical alert
    assert fig["budget_margin_cents"] == 13_023_600
    assert [level for level, _ in chain.alerts(rep, fig)].count("critical") == 0
    even = {**fig, "budget_margin_cents": 0, "budget_margin_pct": 0.0}
    assert chain.alerts(rep, even)[0] == (
        "critical", "The 2025 budget does not make money: operating margin $0.00 (0.0%).")
    # rates cut by 30 %: Medicare $105, Commercial $175 → revenue 1,320 × $105 + 3,960 × $175
    # = $831,600 against $1,107,264 of expenses
    loss = report(*books_of(YEAR_2024 + Q1_2025),
                  rate_change_pct={"Medicare": -30, "Commercial": -30})
    lf = chain.summary_figures(loss)
    assert lf["budget_revenue_cents"] == 83_160_000
    assert lf["budget_margin_cents"] == 83_160_000 - 110_726_400
    assert [level for level, _ in chain.alerts(loss, lf)][0] == "critical"
    assert "does not make money" in chain.alerts(loss, lf)[0][1]


# --- 2. what moved the margin adds up ----------------------------------------------------------

def test_the_drivers_add_up_to_the_margin_variance(q1: chain.BudgetReport) -> None:
    c, fig = q1.comparison, chain.summary_figures(q1)
    drivers = view.margin_drivers(q1)
    steps = c.bridge.set_index("step")["cents"]
    assert [d.name for d in drivers] == ["volume", "mix", "rate", "cost"]
    assert {d.name: d.cents for d in drivers} == {k: int(steps[k]) for k in
                                                  ("volume", "mix", "rate", "cost")}
    assert sum(d.cents for d in drivers) == fig["ytd_margin_variance_cents"]
    # by hand: margin to date −$35,100.00 (revenue $262,500 − expenses $297,600) against
    # $10,835.80 budgeted
    assert fig["ytd_margin_variance_cents"] == -3_510_000 - 1_083_580
    # rate: Commercial's 870 visits at $250 instead of $262.50 = −$10,875.00
    assert drivers[2].cents == -1_087_500
    # volume: the revenue part less the supplies the 133 missing visits did not use
    supplies = c.costs.set_index("account").loc["5310"]
    assert drivers[0].cents == c.part("volume") - int(supplies["volume_variance_cents"])
    assert "1,170 visits against 1,303 budgeted (-10.2%)" in drivers[0].text
    assert f"{view.fmt_money(c.part('volume'))} of revenue" in drivers[0].text
    # cost: −(spending against the flexible budget); supplies $11,832.00 over it
    assert drivers[3].cents == -int(c.costs["spending_variance_cents"].sum())
    assert "Medical supplies (5310, -$11,832.00 to the margin, flagged in Feb)" in drivers[3].text
    # the summary's lines are the drivers; the first amount of each is its effect on the margin
    text = view.summary_text(q1, fig).replace("<span>&#36;</span>", "$")
    lines = [ln for ln in text.splitlines() if ln.startswith("- **")]
    assert [amounts(ln)[0] for ln in lines] == [d.cents for d in drivers]
    assert sum(amounts(ln)[0] for ln in lines) == amounts(
        text.split("What moved it")[0].splitlines()[-1])[-1]
    assert all("to the margin" in ln for ln in lines)


def test_a_rounding_step_is_a_driver_only_when_it_is_not_zero(q1: chain.BudgetReport) -> None:
    c = q1.comparison
    steps = c.bridge.set_index("step")["cents"]

    def with_rounding(cents: int) -> chain.BudgetReport:
        rows = [*[(k, int(v)) for k, v in steps.items() if k not in ("actual margin",
                                                                    "rounding")],
                ("rounding", cents), ("actual margin", int(steps["actual margin"]) + cents)]
        bridge = pd.DataFrame(rows, columns=["step", "cents"])
        return dataclasses.replace(q1, comparison=dataclasses.replace(c, bridge=bridge))

    assert [d.name for d in view.margin_drivers(with_rounding(0))][-1] == "cost"
    one = with_rounding(1)
    drivers = view.margin_drivers(one)
    assert drivers[-1].name == "rounding" and drivers[-1].cents == 1
    assert sum(d.cents for d in drivers) == chain.summary_figures(one)[
        "ytd_margin_variance_cents"]


# --- 3. no budget, no percentage ---------------------------------------------------------------

def test_an_account_without_a_budget_reads_no_budget(no_budget: chain.BudgetReport,
                                                     tmp_path: Path) -> None:
    c = no_budget.comparison
    assert np.isinf(c.ytd.set_index("account").loc["6300", "variance_pct"])
    fig = chain.summary_figures(no_budget)
    messages = [m for _, m in chain.alerts(no_budget, fig)]
    assert "EHR subscription (6300) is +$27,000.00 (no budget, unfavourable) for the year to " \
           "date." in messages
    assert not any("inf" in m or "nan" in m for m in messages)
    table = view.variance_table(no_budget)
    html = table.to_html()
    assert "no budget" in html and "inf%" not in html and "nan%" not in html
    monthly = view.monthly_variance_table(no_budget)
    names = monthly.data.set_index("account")["name"]
    assert names["6300"] == "EHR subscription (no budget)"
    assert names["5400"] == "Rent"
    assert "inf" not in monthly.to_html()
    path = chain.write_budget_workbook(no_budget, tmp_path)
    ws = load_workbook(path)["Budget vs actual"]
    header = [cell.value for cell in ws[1]]
    pct = header.index("Variance %")
    rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
    ehr = [r for r in rows if r[0] == "6300"]
    assert len(ehr) == 3 and all(r[pct] is None for r in ehr)
    assert all(r[pct] is None or np.isfinite(r[pct]) for r in rows)


# --- 4. the payer mix --------------------------------------------------------------------------

def test_one_payer_class_has_no_mix_sentence() -> None:
    gl, chart, vol = books_of(YEAR_2024 + Q1_2025)
    chart = chart[chart["account"] != "4100"].reset_index(drop=True)
    gl = gl[gl["account"] != "4100"].reset_index(drop=True)
    vol = vol[vol["payer_class"] != "Medicare"].reset_index(drop=True)
    rep = report(gl, chart, vol)
    mix = view.margin_drivers(rep)[1]
    assert mix.cents == 0
    assert mix.text == "- **Payer mix** $0.00 to the margin: one payer class, so the mix did " \
                       "not move."


def test_no_share_shift_says_the_mix_did_not_move() -> None:
    # actual visits exactly the budget's in every month and class: no volume, no mix
    plain = report(*books_of(YEAR_2024 + Q1_2025))
    v = plain.budget.visits
    visits = {(f"2025-{m:02d}", cls): int(n) for cls, m, n in
              zip(v["payer_class"], v["month"], v["visits"], strict=True) if m <= 3}
    rep = report(*books_of(YEAR_2024 + Q1_2025, visits=visits))
    volume, mix = view.margin_drivers(rep)[:2]
    assert volume.cents == 0 and mix.cents == 0
    assert "the payer mix did not move" in mix.text and "rose" not in mix.text


# --- 5. one month closed -----------------------------------------------------------------------

def test_one_closed_month_is_named_once() -> None:
    rep = report(*books_of(YEAR_2024 + ["2025-01"]))
    text = view.summary_text(rep, chain.summary_figures(rep))
    assert "**January 2025**: revenue" in text and "January to January" not in text
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    view.plot_margin_bridge(rep, ax)
    assert ax.get_title() == "Operating margin, January 2025: budget to actual"
    plt.close(fig)
    assert view.period_label(2025, 3) == "January to March 2025"


# --- 6. the explorer ---------------------------------------------------------------------------

def test_the_explorer_starts_at_the_reports_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ipywidgets")
    rep = report(*books_of(YEAR_2024), visit_growth_pct=40, wage_increase_pct=12,
                 rate_change_pct={"Commercial": 20})
    a = rep.budget.assumptions
    built: list[bd.Assumptions] = []
    real = bd.build_budget

    def record(books: bd.Books, assumptions: bd.Assumptions) -> bd.Budget:
        built.append(assumptions)
        return real(books, assumptions)

    def no_files(*_: object, **__: object) -> None:
        raise AssertionError("the explorer wrote a file")

    monkeypatch.setattr(bd, "build_budget", record)
    monkeypatch.setattr(chain, "write_budget_workbook", no_files)
    box = view.explorer(rep)
    labels = [cell.children[0].value for cell in box.children[0].children]
    growth, rate, wages, hire, start = (cell.children[1] for cell in box.children[0].children)
    # the sliders take in the assumptions instead of clamping them
    assert (growth.value, growth.min, growth.max) == (40, -20, 40)
    assert (wages.value, wages.min, wages.max) == (12, 0, 12)
    assert rate.value == 0 and rate.min == -20 and rate.max == 15
    assert "on top of the report's" in labels[1]
    # first view: the report's own assumptions
    assert built[-1] == a
    rate.value = 2.5
    assert dict(built[-1].rate_change_pct) == {"Medicare": 2.5, "Commercial": 22.5}
    rate.value = -20  # undoes Commercial's +20 %
    assert dict(built[-1].rate_change_pct) == {"Medicare": -20, "Commercial": 0}
    rate.value = 0
    assert built[-1] == a
    start.value = 4
    hire.value = True
    assert built[-1].new_providers == (bd.NewProvider("explorer's new provider", 4, 3, 1.0),)
    assert "a new provider from April" in box.children[1].value
    assert built[-1].visit_growth_pct == 40 and built[-1].wage_increase_pct == 12


def test_other_revenue_is_a_driver_and_the_drivers_still_add_up() -> None:
    gl, chart, vol = books_of(YEAR_2024 + Q1_2025)
    chart = pd.concat([chart, pd.DataFrame([{
        "account": "4900", "name": "Care management payments", "category": "revenue",
        "behaviour": "fixed", "payer_class": None, "pay_months": None}])], ignore_index=True)
    periods = YEAR_2024 + Q1_2025
    gl = pd.concat([gl, pd.DataFrame({"month": periods, "account": "4900",
                                      "amount_cents": [200_000] * len(periods)})],
                   ignore_index=True)
    rep = report(gl, chart, vol, other_revenue_change_pct=5)
    fig = chain.summary_figures(rep)
    drivers = {d.name: d.cents for d in view.margin_drivers(rep)}
    # Q1: $6,000 received against $6,300 budgeted
    assert drivers["other revenue"] == fig["other_revenue_variance_cents"] == -30_000
    assert sum(drivers.values()) == fig["ytd_margin_variance_cents"]
    # the year-to-date revenue is all of it, visits and other
    assert fig["ytd_actual_revenue_cents"] == 4_500_000 + 22_500_000 + 600_000
    text = view.summary_text(rep, fig).replace("<span>&#36;</span>", "$")
    assert "**Other revenue** -$300.00" in text


def whole(cents: int) -> str:
    """Cents as a finance table writes them: whole dollars, half away from zero, negatives in
    parentheses (worked out here, not by the view)."""
    dollars = (abs(cents) + 50) // 100
    return f"(${dollars:,})" if cents < 0 and dollars else f"${dollars:,}"


def test_ytd_variance_table_shows_dollars_not_cents(q1: chain.BudgetReport) -> None:
    # a second .format of the percent column once reset the money columns to raw cents
    html = view.variance_table(q1).to_html()
    ytd = q1.comparison.ytd
    for _, row in ytd.iterrows():
        for col in ("budget_cents", "actual_cents", "variance_cents"):
            v = int(row[col])
            assert f">{whole(v)}<" in html, (row["account"], col)
            if abs(v) >= 1000:
                assert str(v) not in html and str(abs(v)) not in html  # no raw cents
    assert any(int(v) < 0 for v in ytd["variance_cents"])
    assert "($" in html and "-$" not in html
    assert "Material: at least $5,000 and 10 %" in html


def test_only_material_variances_are_coloured(q1: chain.BudgetReport) -> None:
    ytd = q1.comparison.ytd
    styler = view.variance_table(q1)
    html = styler.to_html()
    css: dict[tuple[int, int], str] = {}
    for selectors, props in re.findall(r"([^{}]+)\{([^}]*)\}", html.split("</style>")[0]):
        for row, col in re.findall(r"_row(\d+)_col(\d+)", selectors):
            css[int(row), int(col)] = css.get((int(row), int(col)), "") + props
    direction = list(styler.data.columns).index("direction")
    coloured = {r for (r, c), props in css.items()
                if c == direction and re.search(r"(?<!-)color:", props)}
    material = {i for i, m in enumerate(ytd["material"]) if m}
    assert material and coloured == material
    # an immaterial variance has no direction either: a few dollars either way is no news
    assert html.count(">within threshold<") == len(ytd) - len(material)
    costs = view.cost_variance_table(q1).to_html()
    small = q1.comparison.costs
    flex, actual = small["flexible_budget_cents"], small["actual_cost_cents"]
    # $5,000 and 10 % of the flexible budget: below either, the account is within threshold
    on_budget = sum(1 for f, a in zip(flex, actual, strict=True)
                    if not (abs(a - f) >= 500_000 and abs(a - f) * 100 >= 10 * abs(f)))
    assert costs.count(">within threshold<") == on_budget


def test_month_tables_are_whole_dollars(q1: chain.BudgetReport) -> None:
    html = view.monthly_variance_table(q1).to_html()
    lines = q1.comparison.lines
    for v in lines["variance_cents"]:
        assert f">{whole(int(v))}<" in html
    budget = view.budget_table(q1).to_html()
    total = q1.budget.total("revenue")
    assert f">{whole(total)}<" in budget and "Whole dollars" in budget


@pytest.mark.parametrize("case", ["q1", "sample"])
def test_the_margin_bridge_shows_every_bar_whole_and_labels_clear_of_them(
        case: str, q1: chain.BudgetReport) -> None:
    """Every bar of the waterfall lies inside the axis (zero included), and each label sits
    outside its own bar and inside the axes: above a step that raises the margin (or a margin
    above zero), below one that lowers it. On the sample both margins are losses of about
    $0.9M; on q1 the budgeted margin is a profit and the actual a loss."""
    import matplotlib.pyplot as plt

    rep = q1 if case == "q1" else chain.compute(chain.load_inputs(None))
    steps = rep.comparison.bridge
    fig, ax = plt.subplots(figsize=(9, 4.2))
    view.plot_margin_bridge(rep, ax)
    fig.canvas.draw()
    # the bars' ends worked out from the steps: totals from zero, steps from the running margin
    ends, running = [], 0
    for step, cents in zip(steps["step"], steps["cents"], strict=True):
        if step in ("budget margin", "actual margin"):
            ends.append(sorted((0, int(cents))))
            running = int(cents)
        else:
            ends.append(sorted((running, running + int(cents))))
            running += int(cents)
    assert running == int(steps["cents"].iloc[-1])  # the steps lead to the actual margin
    bars = [sorted((p.get_y(), p.get_y() + p.get_height())) for p in ax.patches]
    assert bars == ends
    low, high = ax.get_ylim()
    assert low <= min(0, *(e[0] for e in ends)) and high >= max(0, *(e[1] for e in ends))
    frame = ax.get_window_extent()
    labels = list(ax.texts)
    assert len(labels) == len(ends)
    for label, patch, cents in zip(labels, ax.patches, steps["cents"], strict=True):
        box, bar = label.get_window_extent(), patch.get_window_extent()
        assert box.y0 >= frame.y0 and box.y1 <= frame.y1, label.get_text()
        if cents >= 0:
            assert box.y0 >= bar.y1, label.get_text()  # above the bar
        else:
            assert box.y1 <= bar.y0, label.get_text()  # below it
    assert labels[0].get_text() == view.fmt_money(int(steps["cents"].iloc[0]))
    plt.close(fig)
