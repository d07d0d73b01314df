"""The purchasing report on the bundled sample finds exactly the five injected problems.

The ground truth is what the sample generator recorded (pracops/sample/data/ground_truth.json,
section "purchasing"): one item below its reorder point, one lot that will expire before it is
used, one high-spend item bought from the dearer vendor, one overdue purchase order and one
material price increase on a high-spend item. The generator builds every other item's stock
above its 99 % reorder point with the longer of its vendors' lead times, every other lot to be
used well before it expires, every other item to be bought from its cheapest vendor, every
other open order to be on time and every other price rise of a high-spend item under 5 %, so
the report must find those five and nothing more.

``vendor_prices`` holds a row per price change: the offer in force on AS_OF is the row of the
sku and vendor with the latest effective date on or before it (:func:`in_force`).

The money figures are recomputed here from the CSV text with plain Python (Fraction, Decimal,
statistics), independently of pracops.purchasing. The notebook runs once through the runner
(parameters/test/purchasing.yaml); the bad-input cases load edited copies of the sample.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import shutil
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from pracops import config, runner
from pracops.errors import DataError, ParameterError
from pracops.money import money_param
from pracops.purchasing import chain, view

SAMPLE = config.SAMPLE_DIR
TRUTH = {p["kind"]: p for p in json.loads((SAMPLE / "ground_truth.json").read_text())
         ["purchasing"]}
REPORT = "purchasing"
AS_OF = date(2025, 12, 31)
DATASETS = ("items", "vendor_prices", "inventory_lots", "usage", "open_orders")
# the notebook's defaults (checked in test_notebook_defaults)
SERVICE_LEVEL, REVIEW_DAYS, HOLDING, ORDER_COST_CENTS = 0.95, 7.0, 0.25, 2500
BUDGET_CENTS = 34_000_000


def rows(name: str, folder: Path = SAMPLE) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_rows(folder: Path, name: str, table: list[dict[str, str]]) -> None:
    with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=list(table[0]))
        out.writeheader()
        out.writerows(table)


def cents(text: str) -> int:
    return int(Decimal(text) * 100)


def half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def day(text: str) -> date:
    return date.fromisoformat(text)


def unit_landed(r: dict[str, str]) -> Fraction:
    """(pack price + freight) / units per pack of a vendor_prices row, cents per unit of use."""
    return Fraction(cents(r["pack_price"]) + cents(r["freight_per_pack"]), int(r["units_per_pack"]))


def in_force(table: list[dict[str, str]], as_of: date = AS_OF) -> list[dict[str, str]]:
    """Per sku and vendor, the row with the latest effective date on or before ``as_of``."""
    best: dict[tuple[str, str], dict[str, str]] = {}
    for r in table:
        key = (r["sku"], r["vendor"])
        if day(r["effective_date"]) <= as_of and (
                key not in best or r["effective_date"] > best[key]["effective_date"]):
            best[key] = r
    return list(best.values())


def landed() -> dict[tuple[str, str], Fraction]:
    """(sku, vendor) → landed cost per unit of use of the offer in force on AS_OF."""
    return {(r["sku"], r["vendor"]): unit_landed(r) for r in in_force(rows("vendor_prices"))}


def current_vendor() -> dict[str, str]:
    """The vendor of the sku's latest open order, else its cheapest offer."""
    cost = landed()
    out: dict[str, str] = {}
    for (sku, vendor), c in sorted(cost.items()):
        if sku not in out or c < cost[(sku, out[sku])]:
            out[sku] = vendor
    latest = sorted(rows("open_orders"), key=lambda r: (r["order_date"], r["po_number"]))
    out.update({r["sku"]: r["vendor"] for r in latest})
    return out


def unit_cost(sku: str) -> Fraction:
    return landed()[(sku, current_vendor()[sku])]


def used(sku: str | None, days: int) -> dict[str, int]:
    start = AS_OF - timedelta(days=days)
    total: dict[str, int] = defaultdict(int)
    for r in rows("usage"):
        if start <= day(r["date"]) < AS_OF and (sku is None or r["sku"] == sku):
            total[r["sku"]] += int(r["quantity"])
    return total


def test_report_runs_and_records_the_contract(run: dict) -> None:
    rr = run["result"]
    assert rr.status == "ok", rr.error
    f = rr.figures
    for key in ("order_lines",):
        assert isinstance(f[key], int)
    for key in ("order_total_cents", "expiring_value_cents", "savings_available_cents",
                "inventory_value_cents"):
        assert isinstance(f[key], int) and f[key] > 0, key
    assert isinstance(f["stockout_risk_skus"], list)
    assert isinstance(f["spend_vs_budget_pct"], float) and 0 < f["spend_vs_budget_pct"] < 2
    assert set(view.HEADLINE_FIGURES) <= set(rr.headline)
    assert f["as_of"] == AS_OF.isoformat()
    assert f["skus"] == len(rows("items"))


def test_notebook_defaults() -> None:
    params = runner.notebook_parameters(config.NOTEBOOKS_DIR / f"{REPORT}.ipynb")
    assert params["service_level"].default == SERVICE_LEVEL
    assert params["review_days"].default == REVIEW_DAYS
    assert params["holding_cost_pct"].default == HOLDING * 100
    assert params["order_cost"].default * 100 == ORDER_COST_CENTS
    assert params["supply_budget"].default * 100 == BUDGET_CENTS
    assert params["as_of"].default == "" and params["demand_window_days"].default == 90
    assert params["interactive"].default is True
    assert params["price_lookback_days"].default == 365
    assert params["material_price_increase_pct"].default == 5.0
    assert params["critical_lead_time_pct_per_day"].default == 1.0
    assert params["max_cover_days"].default == 180
    assert "critical_cost_per_lead_day" not in params


def test_exactly_the_five_injected_problems(run: dict) -> None:
    f = run["result"].figures
    assert set(TRUTH) == {"below_reorder_point", "expiring_lot", "cheaper_vendor",
                          "overdue_order", "price_increase"}
    below = TRUTH["below_reorder_point"]["sku"]
    assert f["below_reorder_point_skus"] == [below]
    assert f["stockout_risk_skus"] == [below]
    assert f["order_lines"] == 1
    lot = TRUTH["expiring_lot"]
    assert [(x["sku"], x["lot"]) for x in f["expiring_lots"]] == [(lot["sku"], lot["lot"])]
    assert round(f["expiring_lots"][0]["quantity_expiring"]) == lot["quantity_expiring"]
    cheaper = TRUTH["cheaper_vendor"]
    assert [(x["sku"], x["current_vendor"], x["cheaper_vendor"]) for x in f["cheaper_vendor"]] \
        == [(cheaper["sku"], cheaper["current_vendor"], cheaper["cheaper_vendor"])]
    assert f["overdue_orders"] == [TRUTH["overdue_order"]["po_number"]]
    assert f["expired_lots"] == [] and f["expired_value_cents"] == 0
    rise = TRUTH["price_increase"]
    assert [(x["sku"], x["vendor"]) for x in f["material_price_increases"]] == [
        (rise["sku"], rise["vendor"])]
    assert round(f["material_price_increases"][0]["change_pct"] * 100, 1) == rise["pct"]
    assert f["announced_price_changes"] == 0
    messages = " ".join(a["message"] for a in run["result"].alerts)
    for needle in (below, lot["lot"], cheaper["sku"], TRUTH["overdue_order"]["po_number"],
                   rise["sku"]):
        assert needle in messages
    assert len(run["result"].alerts) == 5


def test_inventory_value_and_spend_by_hand(run: dict) -> None:
    # Each unexpired lot (no expiry date, or expiring on AS_OF or later) at its sku's current
    # landed cost, rounded half up once per lot.
    f = run["result"].figures
    value = sum(half_up(int(r["quantity"]) * unit_cost(r["sku"])) for r in rows("inventory_lots")
                if not r["expiry_date"] or day(r["expiry_date"]) >= AS_OF)
    assert f["inventory_value_cents"] == value
    # A year's use at today's landed cost, rounded once per sku, against the budget.
    spend = sum(half_up(q * unit_cost(sku)) for sku, q in used(None, 365).items())
    assert f["supply_spend_cents"] == spend
    assert f["spend_vs_budget_pct"] == round(spend / BUDGET_CENTS, 4)


def test_expiring_value_by_hand(run: dict) -> None:
    # RX-1847's injected lot expires first, 40 days after AS_OF; it can be used on AS_OF and on
    # its expiry date, 41 days, so at the 90-day mean use d it loses q − 41·d units.
    lot = TRUTH["expiring_lot"]
    own = [r for r in rows("inventory_lots") if r["sku"] == lot["sku"]]
    (mine,) = [r for r in own if r["lot"] == lot["lot"]]
    assert mine["expiry_date"] == min(r["expiry_date"] for r in own)
    d = Fraction(used(lot["sku"], 90)[lot["sku"]], 90)
    days = (day(mine["expiry_date"]) - AS_OF).days + 1
    assert days == 41
    lost = int(mine["quantity"]) - d * days
    f = run["result"].figures
    assert f["expiring_lots"][0]["quantity_expiring"] == pytest.approx(float(lost), abs=0.005)
    assert f["expiring_value_cents"] == half_up(lost * unit_cost(lot["sku"]))


def test_savings_by_hand(run: dict) -> None:
    # A year's units × (current landed − cheaper landed), rounded once.
    case = TRUTH["cheaper_vendor"]
    cost = landed()
    per_unit = cost[(case["sku"], case["current_vendor"])] - cost[(case["sku"],
                                                                   case["cheaper_vendor"])]
    units = used(case["sku"], 365)[case["sku"]]
    assert run["result"].figures["savings_available_cents"] == half_up(units * per_unit) > 0


def test_price_changes_by_hand(run: dict) -> None:
    # Every row with an earlier row of its sku and vendor is a change; those effective in the
    # 365 days before AS_OF count. Cost a year = a year's units × (new − previous landed),
    # rounded once per change; the figure adds the increases of the vendors bought from.
    history: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for r in rows("vendor_prices"):
        history[(r["sku"], r["vendor"])].append(r)
    units = used(None, 365)
    buying = current_vendor()
    changes = []
    for (sku, vendor), own in history.items():
        own.sort(key=lambda r: r["effective_date"])
        for before, now in zip(own, own[1:], strict=False):
            if AS_OF - timedelta(days=365) < day(now["effective_date"]) <= AS_OF:
                delta = unit_landed(now) - unit_landed(before)
                changes.append((sku, vendor, delta / unit_landed(before),
                                half_up(units.get(sku, 0) * delta)))
    f = run["result"].figures
    assert f["price_changes"] == len(changes) == 46
    assert f["price_increases"] == sum(1 for c in changes if c[2] > 0)
    cost = sum(c[3] for c in changes if c[2] > 0 and buying[c[0]] == c[1])
    assert f["price_increase_cost_cents"] == cost > 0
    # Material: ≥ 5 % on the current vendor of a class A item (the skus before 80 % of spend).
    spend = {sku: half_up(q * unit_cost(sku)) for sku, q in units.items()}
    ranked = sorted(spend, key=lambda s: (-spend[s], s))
    total, before, class_a = sum(spend.values()), 0, set()
    for sku in ranked:
        if Fraction(before, total) < Fraction(8, 10):
            class_a.add(sku)
        before += spend[sku]
    material = [c for c in changes if c[2] >= Fraction(5, 100) and buying[c[0]] == c[1]
                and c[0] in class_a]
    rise = TRUTH["price_increase"]
    assert [(c[0], c[1]) for c in material] == [(rise["sku"], rise["vendor"])]
    assert f["material_price_increases"][0]["annual_impact_cents"] == material[0][3]
    assert round(float(material[0][2]) * 100, 1) == rise["pct"]


def test_order_total_by_hand(run: dict) -> None:
    # The one order line, with the formulas written out again in plain Python:
    # d, σd over the 90 days before as_of (days without use count as 0), the cheapest
    # vendor's lead time L ± σL; a periodic review every R = 7 days, so
    # SS = z√((R + L)σd² + d²σL²), s = d(R + L) + SS,
    # S = max(d(R + L) + SS, s + √(2·365d·S_order / (25 % × landed))), capped at
    # d × min(shelf life 540 (items.csv), max cover 180); each vendor priced on the order it
    # takes: packs = max(⌈(S − position) / pack⌉, minimum), cost = packs × (price + freight),
    # ÷ the units used (at most S_cap − position); the lowest wins.
    sku = TRUTH["below_reorder_point"]["sku"]
    start = AS_OF - timedelta(days=90)
    daily = [0] * 90
    for r in rows("usage"):
        if r["sku"] == sku and start <= day(r["date"]) < AS_OF:
            daily[(day(r["date"]) - start).days] += int(r["quantity"])
    d, sd = statistics.fmean(daily), statistics.stdev(daily)
    offers = [r for r in in_force(rows("vendor_prices")) if r["sku"] == sku]
    cost = landed()
    best = min(offers, key=lambda r: cost[(sku, r["vendor"])])
    lt, lt_sd = float(best["lead_time_days"]), float(best["lead_time_sd_days"])
    z = statistics.NormalDist().inv_cdf(SERVICE_LEVEL)
    cover = REVIEW_DAYS + lt
    rop = d * cover + z * math.sqrt(cover * sd**2 + d**2 * lt_sd**2)
    eoq = math.sqrt(2 * 365 * d * ORDER_COST_CENTS / (HOLDING * float(cost[(sku,
                                                                           best["vendor"])])))
    (item,) = [r for r in rows("items") if r["sku"] == sku]
    cap = d * min(int(item["shelf_life_days"]), 180)
    up_to = min(max(rop, rop + eoq), cap)
    position = sum(int(r["quantity"]) for r in rows("inventory_lots") if r["sku"] == sku) + sum(
        int(r["quantity_units"]) - int(r["quantity_received"]) for r in rows("open_orders")
        if r["sku"] == sku)
    assert position <= rop and position < d * lt  # below the reorder point, a stock-out risk
    need = up_to - position

    def order(r: dict[str, str]) -> tuple[int, int]:
        packs = max(math.ceil(need / int(r["units_per_pack"])), int(r["min_order_packs"]))
        return packs, packs * (cents(r["pack_price"]) + cents(r["freight_per_pack"]))

    def score(r: dict[str, str]) -> tuple[float, float]:
        packs, total = order(r)
        return total / min(packs * int(r["units_per_pack"]), max(cap - position, need)), float(
            r["lead_time_days"])

    vendor = min(offers, key=score)
    total = order(vendor)[1]
    f = run["result"].figures
    assert f["order_total_cents"] == total
    assert f["purchase_orders"] == [{"vendor": vendor["vendor"], "lines": 1,
                                     "total_cents": total}]
    assert f["oversized_order_lines"] == []


def test_purchase_order_files(run: dict) -> None:
    files = run["files"]
    total = run["result"].figures["order_total_cents"]
    assert (files / "purchase_orders.xlsx").is_file()
    summary = rows("po_summary", files)
    assert summary[-1]["vendor"] == "TOTAL" and cents(summary[-1]["total"]) == total
    (vendor,) = [r["vendor"] for r in summary[:-1]]
    lines = rows(f"po_{vendor}", files)
    assert lines[-1]["vendor_item_number"] == "TOTAL"
    assert sum(cents(r["order"]) for r in lines[:-1]) == cents(lines[-1]["order"]) == total
    assert [r["sku"] for r in lines[:-1]] == [TRUTH["below_reorder_point"]["sku"]]
    assert not [p for p in files.iterdir() if p.name.startswith(".")]  # no temporary files


def test_html_shows_no_code(run: dict) -> None:
    html = (run["dir"] / f"{REPORT}.html").read_text(encoding="utf-8")
    for code in ("chain.run(", "import matplotlib", "report.record(",
                 "holding_cost_pct: float", "view.explorer"):
        assert code not in html
    assert html.count('src="data:image/png;base64,') == 3  # ABC, expiry, vendors
    assert "<script src=" not in html and "nan" not in html.replace("nan-", "")


# --- bad input ------------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in DATASETS:
        shutil.copy(SAMPLE / f"{name}.csv", tmp_path)
    return tmp_path


def edit(folder: Path, name: str, row: int, **values: str) -> None:
    """Change data row ``row`` (file row ``row + 2``) of a copied dataset."""
    table = rows(name, folder)
    table[row].update(values)
    write_rows(folder, name, table)


def test_negative_quantity_names_file_row_column(folder: Path) -> None:
    edit(folder, "inventory_lots", 4, quantity="-3")
    with pytest.raises(DataError) as err:
        chain.load_inputs(folder)
    e = err.value
    assert (Path(e.file).name, e.row, e.column) == ("inventory_lots.csv", 6, "quantity")
    assert "at least 0" in str(e)


def test_pack_size_zero_names_file_row_column(folder: Path) -> None:
    edit(folder, "vendor_prices", 10, units_per_pack="0")
    with pytest.raises(DataError) as err:
        chain.load_inputs(folder)
    assert (Path(err.value.file).name, err.value.row, err.value.column) == (
        "vendor_prices.csv", 12, "units_per_pack")


def test_sku_without_vendor_price_names_the_items_row(folder: Path) -> None:
    items = rows("items", folder)
    sku = items[20]["sku"]
    write_rows(folder, "vendor_prices", [r for r in rows("vendor_prices", folder)
                                         if r["sku"] != sku])
    write_rows(folder, "open_orders", [r for r in rows("open_orders", folder)
                                       if r["sku"] != sku])
    with pytest.raises(DataError, match="no vendor price") as err:
        chain.load_inputs(folder)
    e = err.value
    assert (Path(e.file).name, e.row, e.column, e.value) == ("items.csv", 22, "sku", sku)
    assert "vendor_prices" in e.fix


def test_usage_of_unknown_sku_names_the_usage_rows(folder: Path) -> None:
    edit(folder, "usage", 7, sku="ZZ-0001")
    edit(folder, "usage", 400, sku="ZZ-0001")
    with pytest.raises(DataError, match="usage of a sku not in items: rows 9, 402") as err:
        chain.load_inputs(folder)
    assert (Path(err.value.file).name, err.value.row, err.value.column, err.value.value) == (
        "usage.csv", 9, "sku", "ZZ-0001")


def test_expired_stock_is_not_available_but_listed_and_alerted(folder: Path) -> None:
    lots = rows("inventory_lots", folder)
    i = next(i for i, r in enumerate(lots) if r["expiry_date"] and int(r["quantity"]) > 0)
    edit(folder, "inventory_lots", i, expiry_date="2025-12-01")
    inputs = chain.load_inputs(folder)
    plan = chain.compute(inputs)
    f = chain.summary_figures(plan)
    lot = lots[i]
    assert f["expired_lots"] == [{"sku": lot["sku"], "lot": lot["lot"],
                                  "quantity": int(lot["quantity"])}]
    value = half_up(int(lot["quantity"]) * unit_cost(lot["sku"]))
    assert f["expired_value_cents"] == value
    on_hand = plan.skus.set_index("sku").loc[lot["sku"], "on_hand_units"]
    assert on_hand == sum(int(r["quantity"]) for j, r in enumerate(lots)
                          if r["sku"] == lot["sku"] and j != i)
    assert lot["lot"] not in set(plan.lots["lot"])
    messages = [m for level, m in chain.alerts(plan, f) if "expired lot" in m]
    assert messages and "not counted as stock" in view.summary_text(plan, f)


def test_lot_expiring_on_the_count_date_is_usable_that_day(folder: Path) -> None:
    # The expiry date is the last day of use: a lot dated AS_OF is on hand and usable today;
    # one dated the day before is expired.
    lots = rows("inventory_lots", folder)
    today, yesterday = [i for i, r in enumerate(lots)
                        if r["expiry_date"] and int(r["quantity"]) > 0
                        and r["lot"] != TRUTH["expiring_lot"]["lot"]][:2]
    edit(folder, "inventory_lots", today, expiry_date=AS_OF.isoformat())
    edit(folder, "inventory_lots", yesterday,
         expiry_date=(AS_OF - timedelta(days=1)).isoformat())
    plan = chain.compute(chain.load_inputs(folder))
    f = chain.summary_figures(plan)
    old, new = lots[yesterday], lots[today]
    assert f["expired_lots"] == [{"sku": old["sku"], "lot": old["lot"],
                                  "quantity": int(old["quantity"])}]
    assert new["lot"] not in set(plan.expired["lot"])
    on_hand = plan.skus.set_index("sku").loc[new["sku"], "on_hand_units"]
    assert on_hand == sum(int(r["quantity"]) for j, r in enumerate(lots)
                          if r["sku"] == new["sku"] and j != yesterday)
    # One day of use (AS_OF itself) at the 90-day mean d, the first lot of its sku to go.
    (mine,) = plan.lots[(plan.lots["lot"] == new["lot"]).to_numpy()].itertuples()
    assert (mine.days_to_expiry, mine.days_of_use_left) == (0, 1)
    d = Fraction(used(new["sku"], 90).get(new["sku"], 0), 90)
    assert mine.used_units == pytest.approx(float(min(int(new["quantity"]), d)))
    assert mine.expiring_units == pytest.approx(float(int(new["quantity"]) - min(
        int(new["quantity"]), d)))


def test_bad_parameters_are_named() -> None:
    inputs = chain.load_inputs(None)
    for bad, name in (({"supply_budget": 0}, "supply_budget"),
                      ({"order_cost": -1}, "order_cost"),
                      ({"order_cost": 0.005}, "order_cost"),
                      ({"material_price_increase_pct": -1.0}, "material_price_increase_pct"),
                      ({"holding_cost_pct": -5.0}, "holding_cost_pct"),
                      ({"service_level": 1.0}, "service_level"),
                      ({"critical_lead_time_pct_per_day": -1.0},
                       "critical_lead_time_pct_per_day"),
                      ({"max_cover_days": 0}, "max_cover_days")):
        with pytest.raises(ParameterError, match=name):
            chain.compute(inputs, **bad)


def test_item_without_a_price_in_force_names_the_items_row(folder: Path) -> None:
    # Every price of the item starts after the count date: nothing to value or order it by.
    # (Its prices, history too, moved two years on.)
    items = rows("items", folder)
    sku = items[20]["sku"]
    later = [{**r, "effective_date": str(day(r["effective_date"]).replace(
        year=day(r["effective_date"]).year + 2))} if r["sku"] == sku else r
        for r in rows("vendor_prices", folder)]
    write_rows(folder, "vendor_prices", later)
    first = min(r["effective_date"] for r in later if r["sku"] == sku)
    assert first > "2026-06-30"
    inputs = chain.load_inputs(folder)  # loads: the sku has prices, just not yet
    with pytest.raises(DataError, match="no vendor price in force on 2025-12-31") as err:
        chain.compute(inputs)
    e = err.value
    assert (Path(e.file).name, e.row, e.column, e.value) == ("items.csv", 22, "sku", sku)
    assert first in str(e) and "vendor_prices" in e.fix
    # Run for a day a price is in force, and the item is priced.
    plan = chain.compute(inputs, as_of=first)
    assert sku in set(plan.offers["sku"])


def test_open_order_without_a_price_in_force_names_the_order_row(folder: Path) -> None:
    orders = rows("open_orders", folder)
    order = orders[3]
    write_rows(folder, "vendor_prices", [
        {**r, "effective_date": "2026-01-15"}
        if (r["sku"], r["vendor"]) == (order["sku"], order["vendor"]) else r
        for r in rows("vendor_prices", folder)])
    others = {r["vendor"] for r in rows("vendor_prices", folder) if r["sku"] == order["sku"]}
    assert others - {order["vendor"]}, "the sku keeps another vendor's price"
    with pytest.raises(DataError, match="no price in force on 2025-12-31 for the order") as err:
        chain.compute(chain.load_inputs(folder))
    assert (Path(err.value.file).name, err.value.row, err.value.column) == (
        "open_orders.csv", 5, "vendor")


def test_duplicate_sku_vendor_date_names_both_rows(folder: Path) -> None:
    table = rows("vendor_prices", folder)
    write_rows(folder, "vendor_prices", [*table[:8], {**table[5], "pack_price": "1.00"},
                                         *table[8:]])
    with pytest.raises(DataError, match="duplicate key") as err:
        chain.load_inputs(folder)
    e = err.value
    assert Path(e.file).name == "vendor_prices.csv" and "rows 7 and 10" in str(e)
    assert "effective_date" in e.column


def test_announced_price_is_listed_not_used(folder: Path) -> None:
    # A much lower price from 2026-02-01 for the cheaper-vendor case's current vendor: today
    # it is bought at today's price, so every figure but the count of announced changes stays.
    case = TRUTH["cheaper_vendor"]
    table = rows("vendor_prices", folder)
    (now,) = in_force([r for r in table if (r["sku"], r["vendor"]) == (
        case["sku"], case["current_vendor"])])
    write_rows(folder, "vendor_prices", [*table, {**now, "pack_price": "0.01",
                                                  "effective_date": "2026-02-01"}])
    base = chain.summary_figures(chain.compute(chain.load_inputs(None)))
    plan = chain.compute(chain.load_inputs(folder))
    f = chain.summary_figures(plan)
    assert f["announced_price_changes"] == 1
    assert {k: v for k, v in f.items() if k != "announced_price_changes"} == {
        k: v for k, v in base.items() if k != "announced_price_changes"}
    (row,) = plan.price_changes[plan.price_changes["announced"].to_numpy()].itertuples()
    assert (row.sku, row.vendor, row.effective_date) == (case["sku"], case["current_vendor"],
                                                         pd.Timestamp("2026-02-01"))
    assert row.annual_impact_cents < 0 and not row.material
    assert "announced change(s)" in view.summary_text(plan, f)


# --- the reviewer's cases, on edited copies of the sample (in memory) ------------------------

@pytest.fixture(scope="module")
def sample_inputs() -> chain.PurchasingInputs:
    return chain.load_inputs(None)


def edited(inputs: chain.PurchasingInputs, **frames: pd.DataFrame) -> chain.PurchasingInputs:
    return dataclasses.replace(inputs, **frames)


def test_critical_item_below_its_minimum_is_ordered_and_at_risk(
        sample_inputs: chain.PurchasingInputs) -> None:
    # Epinephrine (RX-1882, minimum 4 in items.csv): no stock and no use in the 90 days.
    # d = 0, so s = max(0 + 0, 4) = 4 and S = max(0, 4 + 0 × 7) = 4; position 0 ≤ 4 → need 4.
    # NORTHSTAR: 1 pack of 10 at 125.00 → 12,500 for 4 used units (3,125 c each, × 1.028
    # for 2.8 days); LAKEVIEW: 1 pack of 50 at 655.09 → 65,509 / 4 → NORTHSTAR, 12,500 c.
    # The cap is max(min(0, 0), 4 + 0) = 4: 6 of the 10 ampules are beyond it (flagged).
    sku = "RX-1882"
    assert int(sample_inputs.items.set_index("sku").at[sku, "min_on_hand"]) == 4
    lots = sample_inputs.inventory_lots
    use = sample_inputs.usage
    recent = (use["sku"] == sku) & (use["date"] >= pd.Timestamp(AS_OF) - pd.Timedelta(days=90))
    plan = chain.compute(edited(
        sample_inputs, inventory_lots=lots[lots["sku"] != sku].reset_index(drop=True),
        usage=use[~recent].reset_index(drop=True)), as_of=AS_OF.isoformat())
    row = plan.skus.set_index("sku").loc[sku]
    assert (row["demand_mean_per_day"], row["reorder_point_units"],
            row["order_up_to_units"]) == (0, 4, 4)
    assert (row["vendor"], row["order_packs"], row["order_cents"]) == ("NORTHSTAR", 1, 12500)
    assert (row["usable_units"], row["excess_units"], row["oversized"]) == (4, 6, True)
    assert row["stockout_risk"] and row["below_minimum"]
    f = chain.summary_figures(plan)
    assert sku in f["stockout_risk_skus"] and sku in f["oversized_order_lines"]
    (alert,) = [a for a in chain.alerts(plan, f) if sku in a[1] and a[0] == "critical"]
    assert "below its minimum of 4" in alert[1]


def test_stock_expiring_before_use_is_not_in_the_position(
        sample_inputs: chain.PurchasingInputs) -> None:
    # Gloves (MS-1007): every lot replaced by one of 30,000 expiring 2 days after AS_OF: it
    # can be used 3 days (AS_OF, +1, +2), so at d a day 3d are used and 30,000 − 3d expire.
    # Position = 30,000 − (30,000 − 3d) + 0 = 3d, below s → an order up to S.
    sku = "MS-1007"
    lots = sample_inputs.inventory_lots
    one = lots[lots["sku"] == sku].iloc[[0]].assign(
        quantity=30_000, expiry_date=pd.Timestamp(AS_OF) + pd.Timedelta(days=2))
    plan = chain.compute(edited(sample_inputs, inventory_lots=pd.concat(
        [lots[lots["sku"] != sku], one], ignore_index=True)))
    row = plan.skus.set_index("sku").loc[sku]
    d = Fraction(used(sku, 90)[sku], 90)
    assert row["expiring_units"] == pytest.approx(float(30_000 - 3 * d))
    assert row["position_units"] == pytest.approx(float(3 * d))
    assert row["position_units"] <= row["reorder_point_units"]
    # NORTHSTAR's box of 100: ⌈(S − 3d) / 100⌉ boxes
    assert row["order_packs"] == math.ceil((row["order_up_to_units"] - float(3 * d)) / 100)


def test_overdue_order_does_not_hide_an_empty_shelf(sample_inputs: chain.PurchasingInputs) -> None:
    # MS-1000 down to 5 gloves; its only open order, PO-25-1142 (1,000 from LAKEVIEW), is 20
    # days late. It still counts as on order (no new order), but as if lost the shelf must
    # last LAKEVIEW's lead time, 6.8 days: 5 < 6.8 d → a stock-out risk, and the overdue
    # alert says the shelf lasts 5 / d days.
    sku = "MS-1000"
    lots = sample_inputs.inventory_lots.copy()
    mine = (lots["sku"] == sku).to_numpy()
    lots.loc[mine, "quantity"] = [5] + [0] * (int(mine.sum()) - 1)
    plan = chain.compute(edited(sample_inputs, inventory_lots=lots))
    row = plan.skus.set_index("sku").loc[sku]
    d = used(sku, 90)[sku] / 90
    assert (row["on_hand_units"], row["on_order_units"], row["arrival_days"]) == (5, 1000, 6.8)
    assert row["stockout_risk"] and row["shelf_empty_before_delivery"]
    f = chain.summary_figures(plan)
    assert sku in f["stockout_risk_skus"]
    (late,) = [m for _, m in chain.alerts(plan, f) if m.startswith("PO-25-1142")]
    assert f"runs out in about {5 / d:.1f} days (2025-12-31)" in late


def test_minimum_stock_expiring_is_to_replace_not_to_use_up(
        sample_inputs: chain.PurchasingInputs) -> None:
    # Ten more epinephrine ampules (minimum 4) expiring 300 days after AS_OF: at d = 1/90 a
    # day only 301/90 = 3.34 are used first, 6.66 expire on the shelf. It is stock kept as
    # the minimum: replace it, never "use it first or return it"; expiring beyond R + L days,
    # it still protects (no order today).
    sku = "RX-1882"
    lots = sample_inputs.inventory_lots
    crash = lots[lots["sku"] == sku].iloc[[0]].assign(
        lot="CRASH1", quantity=10, expiry_date=pd.Timestamp(AS_OF) + pd.Timedelta(days=300))
    plan = chain.compute(edited(sample_inputs, inventory_lots=pd.concat(
        [lots, crash], ignore_index=True)))
    d = Fraction(used(sku, 90)[sku], 90)
    assert d == Fraction(1, 90)
    f = chain.summary_figures(plan)
    (lot,) = [x for x in f["expiring_lots"] if x["lot"] == "CRASH1"]
    assert lot["held_as_minimum"] and lot["quantity_expiring"] == round(float(10 - 301 * d), 2)
    assert lot["value_cents"] == half_up((10 - 301 * d) * unit_cost(sku))
    assert f["minimum_expiring_value_cents"] == lot["value_cents"]
    messages = [m for _, m in chain.alerts(plan, f) if "CRASH1" in m]
    assert len(messages) == 1 and "expire on the shelf" in messages[0]
    assert "use it first" not in messages[0]
    assert sku not in f["below_reorder_point_skus"]


def test_a_price_rise_taken_back_costs_nothing(sample_inputs: chain.PurchasingInputs) -> None:
    # The cheaper-vendor case's current offer up 20 % 60 days before AS_OF and back 30 days
    # before: two changes listed, net change 0, so the cost of increases and the material
    # ones stay as they were.
    case = TRUTH["cheaper_vendor"]
    vp = sample_inputs.vendor_prices
    now = vp[(vp["sku"] == case["sku"]) & (vp["vendor"] == case["current_vendor"])
             ].sort_values("effective_date").iloc[-1]
    up = now.copy()
    up["pack_price_cents"] = int(now["pack_price_cents"] * 6 // 5)
    up["effective_date"] = pd.Timestamp(AS_OF) - pd.Timedelta(days=60)
    back = now.copy()
    back["effective_date"] = pd.Timestamp(AS_OF) - pd.Timedelta(days=30)
    prices = pd.concat([vp, pd.DataFrame([up, back])], ignore_index=True).astype(
        vp.dtypes.to_dict())
    base = chain.summary_figures(chain.compute(sample_inputs))
    plan = chain.compute(edited(sample_inputs, vendor_prices=prices))
    f = chain.summary_figures(plan)
    assert len(plan.price_changes.query("sku == @case['sku']")) == 2
    assert f["price_changes"] == base["price_changes"] + 2
    assert f["price_increase_cost_cents"] == base["price_increase_cost_cents"]
    assert f["material_price_increases"] == base["material_price_increases"]
    (net,) = plan.net_price_changes.query("sku == @case['sku']").itertuples()
    assert (net.changes, net.change_per_unit, net.annual_impact_cents) == (2, 0, 0)


def test_savings_say_how_many_current_vendors_are_known(
        sample_inputs: chain.PurchasingInputs) -> None:
    # 15 skus have an open order (their current vendor is known), the other 145 do not.
    plan = chain.compute(sample_inputs)
    f = chain.summary_figures(plan)
    ordered = {r["sku"] for r in rows("open_orders")}
    assert (f["current_vendor_known_skus"], f["current_vendor_unknown_skus"]) == (
        len(ordered), len(rows("items")) - len(ordered)) == (15, 145)
    text = view.summary_text(plan, f)
    assert "Of the 15 item(s) whose current vendor the open orders show, 1 is bought" in text
    assert "For the other 145 item(s) the current vendor is unknown" in text
    assert "Every item is bought from its cheapest vendor" not in text


# --- freight per order and as a percent; PO names; parameters; stale and short usage ---------

def test_freight_per_order_and_percent_on_the_sample(
        sample_inputs: chain.PurchasingInputs, tmp_path: Path) -> None:
    # The epinephrine case above (RX-1882 with no stock and no recent use: 1 pack of 10 from
    # NORTHSTAR at 125.00, no freight per pack), now with NORTHSTAR charging 4 % of the goods
    # and 30.00 per order for it. The line: 12,500 + 4 % = 500 → 13,000. The order: still
    # NORTHSTAR (12,500 + 500 + 3,000 = 16,000 for 4 used units against LAKEVIEW's 65,509),
    # and the draft charges the 3,000 once, on its own line.
    sku = "RX-1882"
    lots, use = sample_inputs.inventory_lots, sample_inputs.usage
    recent = (use["sku"] == sku) & (use["date"] >= pd.Timestamp(AS_OF) - pd.Timedelta(days=90))
    base = edited(sample_inputs, inventory_lots=lots[lots["sku"] != sku].reset_index(drop=True),
                  usage=use[~recent].reset_index(drop=True))
    prices = base.vendor_prices.copy()
    mine = ((prices["sku"] == sku) & (prices["vendor"] == "NORTHSTAR")).to_numpy()
    prices["freight_per_order_cents"] = prices["freight_per_order_cents"].mask(mine, 3000)
    prices["freight_pct"] = prices["freight_pct"].mask(mine, 4.0)
    before = chain.compute(base, as_of=AS_OF.isoformat())
    plan = chain.compute(edited(base, vendor_prices=prices), as_of=AS_OF.isoformat())
    row = plan.skus.set_index("sku").loc[sku]
    assert (row["vendor"], row["order_packs"], row["freight_pct_cents"], row["order_cents"]) \
        == ("NORTHSTAR", 1, 500, 13000)
    # landed a unit: (12,500 + 12,500 × 4 %) / 10 = 1,300 c
    offer = plan.offers[(plan.offers["sku"] == sku).to_numpy()
                        & (plan.offers["vendor"] == "NORTHSTAR").to_numpy()]
    assert offer["landed_per_unit"].tolist() == [1300]
    (was,) = [o for o in before.orders if o.vendor == "NORTHSTAR"]
    (now,) = [o for o in plan.orders if o.vendor == "NORTHSTAR"]
    assert (now.freight_per_order_cents, now.freight_cents - was.freight_cents,
            now.total_cents - was.total_cents) == (3000, 500, 500 + 3000)
    assert chain.summary_figures(plan)["order_total_cents"] == (
        chain.summary_figures(before)["order_total_cents"] + 3500)
    chain.write_po_files(plan, tmp_path)
    draft = rows("po_NORTHSTAR", tmp_path)
    assert [r["vendor_item_number"] for r in draft[-2:]] == ["FREIGHT", "TOTAL"]
    assert cents(draft[-2]["order"]) == 3000 and cents(draft[-1]["order"]) == now.total_cents
    # the lines and the freight line add up to the total
    assert sum(cents(r["order"]) for r in draft[:-1]) == now.total_cents
    summary = {r["vendor"]: r for r in rows("po_summary", tmp_path)}
    assert cents(summary["NORTHSTAR"]["freight_per_order"]) == 3000
    assert summary["NORTHSTAR"]["sheet"] == "po_NORTHSTAR"


def test_po_names_never_collide() -> None:
    assert chain.po_names(["MED.SUPPLY", "MED_SUPPLY", "med_supply"]) == {
        "MED.SUPPLY": "po_MED_SUPPLY", "MED_SUPPLY": "po_MED_SUPPLY_2",
        "med_supply": "po_med_supply_3"}  # case-insensitive: Excel sheets
    # cut to Excel's 31 characters: "po_" + 28; the second gets "_2" in the last 2
    long = chain.po_names(["MIDWEST-MEDICAL-DISTRIBUTORS-NORTH",
                          "MIDWEST-MEDICAL-DISTRIBUTORS-SOUTH"])
    assert list(long.values()) == ["po_MIDWEST-MEDICAL-DISTRIBUTORS",
                                   "po_MIDWEST-MEDICAL-DISTRIBUTO_2"]
    assert all(len(n) <= 31 for n in long.values())
    assert chain.po_names(["summary"]) == {"summary": "po_summary_2"}


def test_po_files_keep_every_draft(sample_inputs: chain.PurchasingInputs) -> None:
    plan = chain.compute(sample_inputs)
    o = plan.orders[0]
    plan.orders = [dataclasses.replace(o, vendor="MED.SUPPLY"),
                   dataclasses.replace(o, vendor="MED_SUPPLY")]
    files = chain.po_files(plan)
    assert list(files) == ["po_summary", "po_MED_SUPPLY", "po_MED_SUPPLY_2"]
    assert files["po_summary"]["sheet"].tolist() == ["po_MED_SUPPLY", "po_MED_SUPPLY_2", ""]


def test_as_of_must_be_iso(sample_inputs: chain.PurchasingInputs) -> None:
    for bad in ("31/12/2025", "2025-13-01", "yesterday", "2025-12-31T00:00", 20251231):
        with pytest.raises(ParameterError, match="as_of"):
            chain.compute(sample_inputs, as_of=bad)
    assert chain.as_of_param(" 2025-12-31 ") == pd.Timestamp("2025-12-31")
    assert chain.as_of_param(AS_OF) == pd.Timestamp("2025-12-31")


def test_money_parameters_in_whole_cents() -> None:
    # 25 → 2,500; 340,000.00 → 34,000,000; "1,234.56" → 123,456
    assert [money_param("order_cost", v) for v in (25, 340000.0, "1,234.56")] == [
        2500, 34_000_000, 123456]
    for bad in (0.005, "abc", True, None):
        with pytest.raises(ParameterError, match="order_cost"):
            money_param("order_cost", bad)


def test_stale_usage_is_an_alert(sample_inputs: chain.PurchasingInputs) -> None:
    # The usage ends on 2025-12-30 (the default as_of is the 31st: nothing missing).
    plan = chain.compute(sample_inputs)
    f = chain.summary_figures(plan)
    assert (f["usage_last_date"], f["usage_days_missing"]) == ("2025-12-30", 0)
    assert not [a for a in chain.alerts(plan, f) if "usage data end" in a[1]]
    # as_of 2026-01-03: Dec 31, Jan 1, Jan 2 without usage = 3 days (a long weekend): no alert
    plan = chain.compute(sample_inputs, as_of="2026-01-03")
    f = chain.summary_figures(plan)
    assert f["usage_days_missing"] == 3
    assert not [a for a in chain.alerts(plan, f) if "usage data end" in a[1]]
    # as_of 2026-01-14: 14 days without usage (Dec 31 … Jan 13) > 3: a warning
    plan = chain.compute(sample_inputs, as_of="2026-01-14")
    f = chain.summary_figures(plan)
    assert f["usage_days_missing"] == 14
    (alert,) = [a for a in chain.alerts(plan, f) if "usage data end" in a[1]]
    assert alert[0] == "warning" and "the 14 days before the count date 2026-01-14" in alert[1]


def test_short_history_is_averaged_since_first_use_and_listed(
        sample_inputs: chain.PurchasingInputs) -> None:
    # Gloves (MS-1007) as if first stocked 20 days before AS_OF: drop its earlier usage.
    sku = "MS-1007"
    use = sample_inputs.usage
    first = pd.Timestamp(AS_OF) - pd.Timedelta(days=20)
    plan = chain.compute(edited(sample_inputs, usage=use[
        ((use["sku"] != sku) | (use["date"] >= first)).to_numpy()].reset_index(drop=True)),
        as_of=AS_OF.isoformat())
    # by hand from the CSV: the first use on or after Dec 11 sets D = AS_OF − first use
    mine = [r for r in rows("usage") if r["sku"] == sku
            and first.date() <= day(r["date"]) < AS_OF]
    start = min(day(r["date"]) for r in mine)
    d = (AS_OF - start).days
    total = sum(int(r["quantity"]) for r in mine)
    row = plan.skus.set_index("sku").loc[sku]
    assert (row["days"], bool(row["short_history"])) == (d, True)
    assert row["demand_mean_per_day"] == pytest.approx(total / d)
    f = chain.summary_figures(plan)
    assert f["short_history_skus"] == [sku]
    (alert,) = [a for a in chain.alerts(plan, f) if "Short usage history" in a[1]]
    assert alert[0] == "info" and f"{sku}, {d} days" in alert[1]
