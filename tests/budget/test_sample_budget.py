"""The sample practice's books: chart of accounts, volumes and GL actuals, and their problems.

Everything is recomputed here with pandas from the other sample files (claims, claim lines, fee
schedule, payers, providers, staff), independently of :mod:`pracops.budget.sample` and of
:mod:`pracops.budget`; only the work RVU table is taken from the generator, as data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pracops import config, data, sample
from pracops.budget import datasets as budget_datasets
from pracops.budget.sample import WORK_RVUS

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)][:23]
CLOSED_2025 = MONTHS[12:]
CLASSES = ["Medicare", "Medicaid", "Commercial", "Self-pay"]


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((config.SAMPLE_DIR / sample.GROUND_TRUTH).read_text(encoding="utf-8"))[
        "budget"]


@pytest.fixture(scope="module")
def problems(truth: dict) -> dict[str, dict]:
    found = {p["kind"]: p for p in truth["injected"]}
    assert len(found) == len(truth["injected"]) == 3
    return found


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    names = ("chart_of_accounts", "gl_actuals", "volumes", "claims", "claim_lines",
             "fee_schedule", "payers", "providers", "staff")
    return {name: data.load(name) for name in names}


@pytest.fixture(scope="module")
def gl(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Cents by account (rows) and month (columns), 0 where the GL has no row."""
    return (frames["gl_actuals"].pivot(index="account", columns="month", values="amount_cents")
            .reindex(columns=MONTHS).fillna(0).astype("int64"))


@pytest.fixture(scope="module")
def visits(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Visits by month (rows) and payer class (columns) from volumes.csv."""
    return frames["volumes"].pivot(index="month", columns="payer_class", values="visits")[CLASSES]


@pytest.fixture(scope="module")
def claims(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Claims with their month of service and payer class."""
    payers = frames["payers"].set_index("payer_id")["class"].astype(str)
    out = frames["claims"][["claim_id", "payer_id", "date_of_service"]].copy()
    out["month"] = out["date_of_service"].dt.strftime("%Y-%m")
    out["payer_class"] = out["payer_id"].map(payers)
    return out


@pytest.fixture(scope="module")
def lines(frames: dict[str, pd.DataFrame], claims: pd.DataFrame) -> pd.DataFrame:
    """Claim lines with the expected revenue: contract allowed × units; self-pay the charge."""
    ln = frames["claim_lines"].merge(claims, on="claim_id", how="left", validate="many_to_one")
    fees = frames["fee_schedule"]
    plain = fees[fees["modifier"] == ""].set_index(["payer_id", "cpt"])["allowed_cents"]
    with_mod = fees[fees["modifier"] != ""].set_index(["payer_id", "cpt", "modifier"])[
        "allowed_cents"]
    allowed = []
    for row in ln.itertuples():
        price = None
        for modifier in row.modifiers.split(";") if row.modifiers else ():
            price = with_mod.get((row.payer_id, row.cpt, modifier), price)
            if price is not None:
                break
        if price is None and row.payer_id != "SELF":
            price = plain[(row.payer_id, row.cpt)]
        allowed.append(row.charge_cents if row.payer_id == "SELF" else price * row.units)
    ln["expected_cents"] = allowed
    return ln


def shares(counts: pd.DataFrame) -> pd.Series:
    total = counts.sum()
    return 100 * total / total.sum()


# --------------------------------------------------------------------------------------------
# Shape


def test_budget_files_load_and_cover_the_months(frames: dict[str, pd.DataFrame],
                                                gl: pd.DataFrame) -> None:
    chart, volumes = frames["chart_of_accounts"], frames["volumes"]
    assert 12 <= len(chart[chart["category"] != "revenue"]) <= 16
    assert set(chart["category"]) == set(budget_datasets.ACCOUNT_CATEGORIES)
    revenue = chart[chart["category"] == "revenue"]
    assert sorted(revenue["payer_class"]) == sorted(frames["payers"]["class"].astype(str)
                                                    .unique())
    assert (revenue["behaviour"] == "variable per visit").all()
    assert chart.loc[chart["category"] == "provider compensation", "behaviour"].eq(
        "step per provider FTE").all()
    assert chart.loc[chart["category"].isin(["medical supplies", "office supplies"]),
                     "behaviour"].eq("variable per visit").all()
    assert chart.set_index("account")["pay_months"].dropna().to_dict() == {
        "6200": "1", "6210": "1,7"}
    # Every GL account is in the chart; amounts are positive (P&L sign); 2024-01 … 2025-11.
    assert set(gl.index) == set(chart["account"])
    assert (frames["gl_actuals"]["amount_cents"] > 0).all()
    assert sorted(frames["gl_actuals"]["month"].unique()) == MONTHS
    assert sorted(volumes["month"].unique()) == MONTHS
    assert len(volumes) == len(MONTHS) * len(CLASSES)
    # The premiums are booked in their payment months only; everything else every month.
    paid = {a: [m for m in MONTHS if gl.at[a, m] != 0] for a in gl.index}
    assert paid.pop("6200") == ["2024-01", "2025-01"]
    assert paid.pop("6210") == ["2024-01", "2024-07", "2025-01", "2025-07"]
    assert all(months == MONTHS for months in paid.values())


def test_ground_truth_facts(truth: dict, visits: pd.DataFrame) -> None:
    assert truth["closed_through"] == "2025-11" and truth["first_month"] == "2024-01"
    a = truth["assumptions"]
    assert (a["visit_growth_pct"], a["wage_increase_pct"], a["benefits_load_pct"]) == (3, 3, 22)
    assert a["rate_change_pct_by_class"] == dict.fromkeys(CLASSES, 0.0)
    assert set(a["inflation_pct_by_category"]) == {
        "medical supplies", "office supplies", "rent and occupancy", "malpractice", "IT/EHR",
        "purchased services", "depreciation", "other"}
    assert truth["visits"]["2024"] == visits.loc[MONTHS[:12]].sum().to_dict()
    assert truth["visits"]["2025_jan_nov"] == visits.loc[CLOSED_2025].sum().to_dict()


# --------------------------------------------------------------------------------------------
# 2025 is the billing sample summarised


def test_2025_visits_are_the_claims_by_month_and_class(visits: pd.DataFrame,
                                                       claims: pd.DataFrame) -> None:
    counted = claims.pivot_table(index="month", columns="payer_class", values="claim_id",
                                 aggfunc="count").reindex(columns=CLASSES, fill_value=0)
    pd.testing.assert_frame_equal(visits.loc[CLOSED_2025], counted.loc[CLOSED_2025],
                                  check_names=False, check_dtype=False)


def test_2025_revenue_is_the_expected_allowed(frames: dict[str, pd.DataFrame],
                                              gl: pd.DataFrame, lines: pd.DataFrame) -> None:
    accounts = (frames["chart_of_accounts"].dropna(subset=["payer_class"])
                .set_index("payer_class")["account"])
    expected = lines.pivot_table(index="month", columns="payer_class", values="expected_cents",
                                 aggfunc="sum")
    for c in CLASSES:
        assert gl.loc[accounts[c], CLOSED_2025].tolist() == expected.loc[CLOSED_2025, c].tolist()


def test_2025_work_rvus_and_provider_fte(frames: dict[str, pd.DataFrame],
                                         lines: pd.DataFrame) -> None:
    volumes = frames["volumes"].set_index(["month", "payer_class"])
    assert set(lines["cpt"]) <= set(WORK_RVUS)
    rvus = (lines["cpt"].map(WORK_RVUS) * lines["units"]).groupby(
        [lines["month"], lines["payer_class"]]).sum()
    for m in CLOSED_2025:
        for c in CLASSES:
            assert volumes.at[(m, c), "wrvus"] == pytest.approx(rvus[(m, c)], abs=0.006)
    # E/M visits carry 0.7 to 3.5 work RVUs: the ratio per visit is in range.
    per_visit = volumes["wrvus"] / volumes["visits"]
    assert per_visit.between(0.9, 2.5).all()
    assert np.allclose(volumes["provider_fte"], frames["providers"]["fte"].sum())
    assert frames["providers"]["start_date"].max() < pd.Timestamp("2024-01-01")


def test_wages_from_the_roster_and_providers(frames: dict[str, pd.DataFrame],
                                             gl: pd.DataFrame) -> None:
    staff = frames["staff"]
    base = (staff["fte"] * staff["hourly_rate_cents"]).sum() * 2080 / 12
    salaries = gl.loc["5200"]
    # 2025: base + overtime of 0.3–1.2 %; 2024: the same over the 3 % wage increase.
    assert ((salaries[CLOSED_2025] / base).between(1.003 - 1e-6, 1.012 + 1e-6)).all()
    assert ((salaries[MONTHS[:12]] * 1.03 / base).between(1.003 - 1e-6, 1.012 + 1e-6)).all()
    providers = frames["providers"]
    physician = providers["kind"].isin(["MD", "DO"])
    for account, mask, per_fte in (("5100", physician, 265_000_00),
                                   ("5110", ~physician, 125_000_00)):
        monthly = providers.loc[mask, "fte"].sum() * per_fte / 12
        assert gl.loc[account, CLOSED_2025].sub(monthly).abs().max() <= 1
        assert gl.loc[account, MONTHS[:12]].sub(monthly / 1.03).abs().max() <= 1
    wages = gl.loc[["5100", "5110", "5200"]].sum()
    assert (gl.loc["5300"] - wages * 0.22).abs().max() <= 1


def test_2024_visits_follow_2025_less_growth(visits: pd.DataFrame,
                                             claims: pd.DataFrame) -> None:
    per_month = claims.groupby("month").size()
    for m in MONTHS[:12]:
        same_2025 = per_month[f"2025-{m[5:]}"]  # December 2024 from the December 2025 claims
        assert visits.loc[m].sum() == pytest.approx(same_2025 / 1.03, rel=0.012), m


# --------------------------------------------------------------------------------------------
# The injected problems, by independent computation


def test_supply_overspend(problems: dict, gl: pd.DataFrame, visits: pd.DataFrame) -> None:
    p = problems["supply_overspend"]
    assert (p["account"], p["month"], p["extra_cents"]) == ("5400", "2025-06", 750_000)
    per_visit = gl.loc["5400", CLOSED_2025] / visits.loc[CLOSED_2025].sum(axis=1)
    normal = per_visit.drop(p["month"])
    assert normal.between(600 * 0.98, 600 * 1.02).all()
    june = (gl.at["5400", p["month"]] - p["extra_cents"]) / visits.loc[p["month"]].sum()
    assert 600 * 0.98 <= june <= 600 * 1.02
    assert per_visit[p["month"]] > 600 * 1.5
    prior = gl.loc["5400", MONTHS[:12]] / visits.loc[MONTHS[:12]].sum(axis=1)
    assert prior.between(600 / 1.04 * 0.98, 600 / 1.04 * 1.02).all()


def test_payer_mix_shift(problems: dict, truth: dict, visits: pd.DataFrame) -> None:
    p = problems["payer_mix_shift"]
    assert (p["from_class"], p["to_class"], p["points"]) == ("Commercial", "Medicaid", 5)
    change = shares(visits.loc[CLOSED_2025]) - shares(visits.loc[MONTHS[:11]])
    assert change["Commercial"] == pytest.approx(-5, abs=0.5)
    assert change["Medicaid"] == pytest.approx(5, abs=0.5)
    assert change[["Medicare", "Self-pay"]].abs().max() < 0.5
    assert truth["mix_pct"]["2024"]["Commercial"] == pytest.approx(
        shares(visits.loc[MONTHS[:12]])["Commercial"], abs=0.01)


def test_rate_cut(problems: dict, truth: dict, frames: dict[str, pd.DataFrame],
                  gl: pd.DataFrame, visits: pd.DataFrame) -> None:
    p = problems["rate_cut"]
    assert (p["payer_class"], p["pct"]) == ("Medicare", 6)
    accounts = (frames["chart_of_accounts"].dropna(subset=["payer_class"])
                .set_index("payer_class")["account"])
    for c in CLASSES:
        rate_2024 = gl.loc[accounts[c], MONTHS[:12]].sum() / visits.loc[MONTHS[:12], c].sum()
        rate_2025 = gl.loc[accounts[c], CLOSED_2025].sum() / visits.loc[CLOSED_2025, c].sum()
        ratio = 0.94 if c == "Medicare" else 1.0
        assert rate_2025 / rate_2024 == pytest.approx(ratio, abs=0.003), c
        assert truth["net_revenue_per_visit_cents"]["2025_jan_nov"][c] == pytest.approx(
            rate_2025, abs=0.01)
        assert truth["net_revenue_per_visit_cents"]["2024"][c] == pytest.approx(
            rate_2024, rel=0.003)


def rough_budget(frames: dict[str, pd.DataFrame], gl: pd.DataFrame, visits: pd.DataFrame,
                 truth: dict) -> pd.DataFrame:
    """A flexible-enough budget for 2025 from 2024 and the assumptions (cents, Jan–Nov).

    Revenue per class = 2024 visits × 1.03 × the 2024 rate; supplies = 2024 cost per visit ×
    inflation × the budget visits; both phased by the 2024 months' visits. Wages × 1.03 (step
    accounts per provider FTE, which is constant), benefits at 22 % of budget wages; other fixed
    costs × their category's inflation, in their payment months or evenly.
    """
    a = truth["assumptions"]
    growth = 1 + a["visit_growth_pct"] / 100
    y2024 = visits.loc[MONTHS[:12]]
    phase = pd.Series(y2024.sum(axis=1).to_numpy() / y2024.to_numpy().sum(),
                      index=[f"2025-{m:02d}" for m in range(1, 13)])[CLOSED_2025]
    prior = gl[MONTHS[:12]].sum(axis=1)
    rows = {}
    wages = 0.0
    for r in frames["chart_of_accounts"].itertuples():
        if r.category == "revenue":
            rows[r.account] = phase * prior[r.account] * growth * (
                1 + a["rate_change_pct_by_class"][r.payer_class] / 100)
        elif r.category in ("provider compensation", "staff salaries"):
            rows[r.account] = pd.Series(
                prior[r.account] * (1 + a["wage_increase_pct"] / 100) / 12, index=CLOSED_2025)
            wages = wages + rows[r.account]
        elif r.behaviour == "variable per visit":
            infl = 1 + a["inflation_pct_by_category"][r.category] / 100
            rows[r.account] = phase * prior[r.account] * infl * growth
        elif r.category != "benefits":
            infl = 1 + a["inflation_pct_by_category"][r.category] / 100
            months = ([int(x) for x in r.pay_months.split(",")] if isinstance(r.pay_months, str)
                      else list(range(1, 13)))
            rows[r.account] = pd.Series(
                [prior[r.account] * infl / len(months) if int(m[5:]) in months else 0.0
                 for m in CLOSED_2025], index=CLOSED_2025)
    benefits = frames["chart_of_accounts"].query("category == 'benefits'")["account"].iloc[0]
    rows[benefits] = wages * a["benefits_load_pct"] / 100
    return pd.DataFrame(rows).T


def test_only_the_injected_problems_are_material(frames: dict[str, pd.DataFrame],
                                                 gl: pd.DataFrame, visits: pd.DataFrame,
                                                 truth: dict) -> None:
    """|Δ| ≥ $5,000 and |Δ%| ≥ 10 %, per account-month and year to date."""
    budget = rough_budget(frames, gl, visits, truth)
    actual = gl.loc[budget.index, CLOSED_2025]
    delta = actual - budget
    pct = delta / budget.where(budget != 0)
    flags = (delta.abs() >= 500_000) & (pct.abs() >= 0.10)
    flagged = {(a, m) for a in flags.index for m in flags.columns if flags.at[a, m]}
    # Revenue of the three classes the mix shift and the rate cut touch; June's supplies.
    assert {a for a, _ in flagged} == {"4100", "4200", "4300", "5400"}
    assert {m for a, m in flagged if a == "5400"} == {"2025-06"}
    ytd_delta, ytd_budget = delta.sum(axis=1), budget.sum(axis=1)
    ytd_flags = (ytd_delta.abs() >= 500_000) & ((ytd_delta / ytd_budget).abs() >= 0.10)
    assert sorted(ytd_flags[ytd_flags].index) == ["4200"]
    # Everything else is on budget within noise.
    others = pct.drop(["4100", "4200", "4300", "4400", "5400"]).abs().max().max()
    assert others < 0.10 and delta.drop(["4100", "4200", "4300", "5400"]).abs().max().max() \
        < 300_000
    assert np.isclose(ytd_delta["5400"], 750_000, rtol=0.05)
