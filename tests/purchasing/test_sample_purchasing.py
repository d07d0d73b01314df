"""The sample practice's supplies: the five purchasing datasets and their injected problems.

Usage averages, positions, FEFO expiry and landed costs are computed here from the files with
pandas, independently of :mod:`pracops.purchasing.sample` and :mod:`pracops.purchasing`.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pracops import config, data, sample

AS_OF = pd.Timestamp("2025-12-31")
WINDOW = 90
Z99 = 2.33
REVIEW = 7  # the report's review period


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((config.SAMPLE_DIR / sample.GROUND_TRUTH).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def problems(truth: dict) -> dict[str, dict]:
    found = {p["kind"]: p for p in truth["purchasing"]}
    assert len(found) == len(truth["purchasing"])
    return found


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    names = ("items", "vendor_prices", "inventory_lots", "usage", "open_orders")
    return {name: data.load(name) for name in names}


@pytest.fixture(scope="module")
def daily(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per sku: mean and sd of daily use over the 90 days before AS_OF (zero days count),
    and the mean over the year to AS_OF."""
    use = frames["usage"]
    days = pd.date_range(AS_OF - pd.Timedelta(days=WINDOW), periods=WINDOW)
    recent = use[(use["date"] >= days[0]) & (use["date"] < AS_OF)]
    grid = (recent.pivot_table(index="date", columns="sku", values="quantity", aggfunc="sum")
            .reindex(index=days, columns=frames["items"]["sku"], fill_value=0).fillna(0))
    year_days = (AS_OF - pd.Timestamp("2025-01-01")).days
    annual = use.groupby("sku")["quantity"].sum().reindex(grid.columns, fill_value=0) / year_days
    return pd.DataFrame({"mean": grid.mean(), "sd": grid.std(ddof=1), "annual": annual})


def positions(frames: dict[str, pd.DataFrame]) -> pd.Series:
    lots = frames["inventory_lots"]
    unexpired = lots[lots["expiry_date"].isna() | (lots["expiry_date"] >= AS_OF)]
    orders = frames["open_orders"]
    outstanding = (orders["quantity_units"] - orders["quantity_received"]).clip(lower=0)
    skus = frames["items"]["sku"]
    return (unexpired.groupby("sku")["quantity"].sum().reindex(skus, fill_value=0)
            + outstanding.groupby(orders["sku"]).sum().reindex(skus, fill_value=0))


def fefo_expiring(lots: pd.DataFrame, rate: float) -> dict[str, float]:
    """Units of each lot (by lot number) left at the end of its expiry date, used first expiry
    first from the start of AS_OF: the expiry date is the last day of use, so a lot has
    expiry − AS_OF + 1 days (AS_OF and the expiry date both count)."""
    t, out = 0.0, {}
    for lot in lots.sort_values("expiry_date", kind="stable").itertuples():
        days = (lot.expiry_date - AS_OF).days + 1
        used = min(lot.quantity, rate * max(0.0, days - t))
        out[lot.lot] = lot.quantity - used
        t += used / rate
    return out


def in_force(offers: pd.DataFrame) -> pd.DataFrame:
    """The offer of each sku and vendor in force on AS_OF: its latest effective date on or
    before AS_OF."""
    started = offers[offers["effective_date"] <= AS_OF]
    return started.sort_values("effective_date").groupby(["sku", "vendor"]).tail(1)


def landed(offers: pd.DataFrame) -> pd.Series:
    return ((offers["pack_price_cents"] + offers["freight_per_pack_cents"])
            / offers["units_per_pack"])


def test_purchasing_datasets_load_and_validate(frames: dict[str, pd.DataFrame]) -> None:
    for name in frames:
        assert data.get(name).optional
    assert data.check_folder(config.SAMPLE_DIR).errors == []
    items = frames["items"]
    assert 140 <= len(items) <= 170
    assert set(items["category"]) == {"medical supply", "vaccine", "drug", "office"}
    assert set(items["storage"]) == {"room", "refrigerated"}
    assert (items.loc[items["category"] == "vaccine", "storage"] == "refrigerated").all()
    skus = set(items["sku"])
    for name in ("vendor_prices", "inventory_lots", "usage", "open_orders"):
        assert set(frames[name]["sku"]) <= skus, name
    offers = frames["vendor_prices"]
    assert set(offers["sku"]) == skus
    assert 2 <= offers["vendor"].nunique() <= 3
    assert (offers["lead_time_days"] > 0).all() and (offers["units_per_pack"] > 0).all()
    assert set(frames["open_orders"]["vendor"]) <= set(offers["vendor"])
    assert set(in_force(offers)["sku"]) == skus, "every item has a price in force on AS_OF"
    pairs = frames["open_orders"].merge(offers, on=["sku", "vendor"], how="left",
                                        indicator=True)
    assert (pairs["_merge"] == "both").all(), "every order line is for an offer"
    lots = frames["inventory_lots"]
    assert set(lots["sku"]) == skus
    assert set(lots["location_id"]) <= set(data.load("locations")["location_id"])
    office = set(items.loc[items["category"] == "office", "sku"])
    assert lots.loc[lots["sku"].isin(office), "expiry_date"].isna().all()
    assert (lots["expiry_date"].dropna() >= AS_OF).all(), "nothing on hand has expired"


def test_usage_follows_the_visits_and_seasons(frames: dict[str, pd.DataFrame]) -> None:
    use, items = frames["usage"], frames["items"].set_index("description")["sku"]
    assert use["date"].min() >= pd.Timestamp("2025-01-01") and use["date"].max() < AS_OF
    assert (use["quantity"] > 0).all()
    assert (use["date"].dt.day_of_week < 5).all()
    month = use.assign(month=use["date"].dt.month).groupby(["sku", "month"])["quantity"].sum()
    flu = month[items["Influenza vaccine, quadrivalent, prefilled syringe"]]
    assert set(flu.index) <= {9, 10, 11, 12}
    strep = month[items["Rapid strep A tests"]]
    assert strep[[1, 2, 12]].sum() > 3 * strep[[6, 7, 8]].sum()
    # Gloves go with the visits: busier days use more.
    appts = data.load("appointments")
    seen = appts[(appts["status"] == "completed") & (appts["visit_type"] != "telehealth")]
    per_day = seen.groupby("date").size()
    gloves = use[use["sku"] == items["Nitrile exam gloves, medium"]].set_index("date")["quantity"]
    joined = pd.concat([per_day, gloves], axis=1, join="inner")
    assert joined.corr().iloc[0, 1] > 0.8
    assert 2.0 < gloves.sum() / per_day[gloves.index].sum() < 2.8


def test_ground_truth_kinds(truth: dict) -> None:
    assert [p["kind"] for p in truth["purchasing"]] == [
        "cheaper_vendor", "price_increase", "expiring_lot", "below_reorder_point",
        "overdue_order"]


def test_overdue_order(problems: dict, frames: dict[str, pd.DataFrame]) -> None:
    orders = frames["open_orders"]
    late = (orders["expected_date"] < AS_OF) & (orders["quantity_received"]
                                                < orders["quantity_units"])
    assert set(orders.loc[late, "po_number"]) == {problems["overdue_order"]["po_number"]}
    assert (orders["quantity_received"] < orders["quantity_units"]).all(), "all still open"


def test_expiring_lot(problems: dict, frames: dict[str, pd.DataFrame],
                      daily: pd.DataFrame) -> None:
    p = problems["expiring_lot"]
    lots = frames["inventory_lots"]
    found = {}
    for sku, group in lots.dropna(subset=["expiry_date"]).groupby("sku"):
        for rate in (daily.at[sku, "mean"], daily.at[sku, "annual"]):
            for lot, left in fefo_expiring(group, rate).items():
                if left > 0:
                    found[sku, lot] = max(left, found.get((sku, lot), 0))
    assert set(found) == {(p["sku"], p["lot"])}
    own = lots[lots["sku"] == p["sku"]]
    left = fefo_expiring(own.dropna(subset=["expiry_date"]), daily.at[p["sku"], "mean"])
    assert abs(left[p["lot"]] - p["quantity_expiring"]) <= 0.5
    assert 0 < p["quantity_expiring"] <= own.set_index("lot").at[p["lot"], "quantity"]


def test_cheaper_vendor(problems: dict, frames: dict[str, pd.DataFrame],
                        daily: pd.DataFrame) -> None:
    p = problems["cheaper_vendor"]
    offers = in_force(frames["vendor_prices"]).assign(landed=lambda f: landed(f))
    own = offers[offers["sku"] == p["sku"]].set_index("vendor")
    assert own.at[p["cheaper_vendor"], "landed"] < own.at[p["current_vendor"], "landed"]
    assert own["landed"].idxmin() == p["cheaper_vendor"]
    orders = frames["open_orders"]
    assert set(orders.loc[orders["sku"] == p["sku"], "vendor"]) == {p["current_vendor"]}
    # Every other ordered sku comes from its cheapest vendor.
    cheapest = offers.sort_values(["sku", "landed", "lead_time_days"]).groupby("sku").first()
    others = orders[orders["sku"] != p["sku"]]
    assert (others["vendor"].to_numpy() == cheapest.loc[others["sku"], "vendor"].to_numpy()).all()
    # A high-spend item: among the top tenth by annual spend at its cheapest price.
    spend = daily["annual"] * cheapest["landed"].reindex(daily.index)
    assert spend.rank(ascending=False)[p["sku"]] <= len(spend) / 10
    assert frames["items"].set_index("sku").at[p["sku"], "critical"] == False  # noqa: E712


def test_below_reorder_point(problems: dict, frames: dict[str, pd.DataFrame],
                             daily: pd.DataFrame) -> None:
    sku = problems["below_reorder_point"]["sku"]
    position = positions(frames)
    offers = in_force(frames["vendor_prices"])
    lead = offers.groupby("sku")["lead_time_days"]
    lead_sd = offers.groupby("sku")["lead_time_sd_days"].max()
    assert position[sku] < daily.at[sku, "mean"] * lead.min()[sku]
    assert sku not in set(frames["open_orders"]["sku"])
    # Every other item stands above its 99 % periodic-review reorder point with its longer
    # lead time, d (R + L) + z √((R + L) σd² + d² σL²), and above its minimum on hand, with
    # the units that will expire unused (the expiring-lot case) out of the position.
    cover = lead.max() + REVIEW
    rop = (daily["mean"] * cover + Z99 * (cover * daily["sd"] ** 2
                                         + daily["mean"] ** 2 * lead_sd ** 2) ** 0.5)
    minimum = frames["items"].set_index("sku")["min_on_hand"].astype("Float64").fillna(0)
    rop = pd.concat([rop, minimum.astype(float)], axis=1).max(axis=1)
    lots = frames["inventory_lots"].dropna(subset=["expiry_date"])
    lost = pd.Series({s: sum(fefo_expiring(g, daily.at[s, "mean"]).values())
                      for s, g in lots.groupby("sku")}).reindex(position.index, fill_value=0)
    usable = position - lost
    short = set(usable[usable.le(rop.reindex(position.index))].index)
    assert short == {sku}


def test_critical_items_have_minimums_and_stock_above_them(
        frames: dict[str, pd.DataFrame]) -> None:
    items = frames["items"].set_index("sku")
    critical = items[items["critical"]]
    assert critical["min_on_hand"].notna().all() and (critical["min_on_hand"] > 0).all()
    assert items.loc[~items["critical"], "min_on_hand"].isna().all()
    on_hand = frames["inventory_lots"].groupby("sku")["quantity"].sum()
    assert (on_hand[critical.index] > critical["min_on_hand"]).all()
    # Every item that expires has its shelf life; the office supplies do not expire.
    dated = set(frames["inventory_lots"].dropna(subset=["expiry_date"])["sku"])
    assert items.loc[sorted(dated), "shelf_life_days"].notna().all()
    assert items.loc[items["category"] == "office", "shelf_life_days"].isna().all()


def test_the_problems_use_distinct_items(problems: dict) -> None:
    skus = [problems[k]["sku"] for k in ("cheaper_vendor", "expiring_lot",
                                          "below_reorder_point", "price_increase")]
    assert len(set(skus)) == 4


def test_price_history(problems: dict, frames: dict[str, pd.DataFrame]) -> None:
    offers = frames["vendor_prices"]
    now = in_force(offers)
    assert len(now) == 247, "today's offers are the ones the sample always had"
    assert (offers["effective_date"] <= AS_OF).all(), "no announced change in the sample"
    earlier = offers.drop(index=now.index)
    # A realistic subset of the offers have the price today's replaced, six months earlier.
    assert 0.15 <= len(earlier) / len(now) <= 0.25
    pair = ["sku", "vendor"]
    both = earlier.merge(now, on=pair, suffixes=("_was", ""), validate="1:1")
    assert ((both["effective_date"] - both["effective_date_was"]).dt.days.between(181, 184)
            ).all()
    for col in ("vendor_item_number", "units_per_pack", "freight_per_pack_cents",
                "lead_time_days", "lead_time_sd_days", "min_order_packs", "tier"):
        assert (both[col] == both[col + "_was"]).all(), col
    cut = 1 - both["pack_price_cents_was"] / both["pack_price_cents"]
    was = (both["pack_price_cents_was"] + both["freight_per_pack_cents"]) / both["units_per_pack"]
    both["rise"] = landed(both) / was - 1
    p = problems["price_increase"]
    mine = (both["sku"] == p["sku"]) & (both["vendor"] == p["vendor"])
    assert cut[~mine].between(0.015, 0.085).all(), "2-8 % lower, to the cent"
    assert round(float(both.loc[mine, "rise"].iloc[0]) * 100, 1) == p["pct"] >= 10
    # The raised offer is the one bought; the item is among the top tenth by annual spend.
    orders = frames["open_orders"]
    assert p["sku"] not in set(orders["sku"])
    cost = now.assign(landed=landed(now)).sort_values(["sku", "landed", "lead_time_days"])
    cheapest = cost.groupby("sku").first()
    assert cheapest.at[p["sku"], "vendor"] == p["vendor"]
    use = frames["usage"].groupby("sku")["quantity"].sum()
    spend = (use * cheapest["landed"]).dropna().sort_values(ascending=False)
    assert spend.rank(ascending=False)[p["sku"]] <= len(spend) / 10
    # Every other rise of an item in the first 90 % of spend stays under 5 %.
    top = set(spend.index[(spend.cumsum() - spend) < 0.9 * spend.sum()])
    others = both[~mine & both["sku"].isin(top)]
    assert (others["rise"] < 0.05).all()
