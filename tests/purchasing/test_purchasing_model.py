"""Tests of pracops.purchasing against textbook examples worked out by hand (arithmetic in the
comments). ``z_0.95 = Φ⁻¹(0.95) = 1.6448536`` throughout.
"""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import NormalDist

import pandas as pd
import pytest

from pracops.errors import DataError, ParameterError
from pracops.purchasing import model as pu

Z95 = 1.6448536269514722

# --------------------------------------------------------------------------------------------
# 1. levels


def test_periodic_reorder_point_covers_the_review_period():
    # The reviewer's case: d = 10/day, σd = 3, L = 2, R = 7, 95 %.
    # SS over R + L = 9 days: 1.6448536 × 3 × √9 = 14.8037; s = 10 × 9 + 14.8037 = 104.8037.
    # A position of 28 (the old trigger d·L + z·σd·√L = 20 + 6.98 = 26.98, plus 1) would run
    # out before the next review's order arrives (28 − 90 < 0): it must order today.
    table = pd.DataFrame({"sku": ["X"], "demand_mean_per_day": [10.0],
                          "demand_sd_per_day": [3.0], "lead_time_days": [2.0]})
    lv = pu.stock_levels(table, 0.95, 7, None)
    assert lv.at[0, "safety_stock_units"] == pytest.approx(3 * 3 * Z95)
    assert lv.at[0, "reorder_point_units"] == pytest.approx(90 + 9 * Z95)
    assert lv.at[0, "reorder_point_units"] == pytest.approx(104.8037, abs=1e-4)
    lv = lv.assign(on_hand_units=28, on_order_units=0, units_per_pack=1)
    # need = S − 28 = 104.8037 − 28 = 76.8 → 77 units
    assert pu.order_quantities(lv).at[0, "order_packs"] == 77


def test_eoq_textbook():
    # D = 1,000/yr, S = $10, H = $0.50: √(2 × 1000 × 10 / 0.5) = √40,000 = 200
    assert pu.eoq(1000, 10, 0.5) == pytest.approx(200)
    # the same in cents: √(2 × 1000 × 1000 / 50) = √40,000 = 200
    assert pu.eoq(1000, 1000, 50) == pytest.approx(200)


def test_eoq_refuses_zero_holding_cost():
    with pytest.raises(ParameterError, match="holding_cost"):
        pu.eoq(1000, 10, 0)


# --------------------------------------------------------------------------------------------
# 2. orders


def _skus() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["gloves", "gauze", "swabs", "tape"],
        "on_hand_units": [40, 100, 60, 0],
        "on_order_units": [10, 0, 0, 0],
        "reorder_point_units": [60.0, 60.0, 60.0, 10.0],
        "order_up_to_units": [200.0, 200.0, 100.0, 300.0],
        "units_per_pack": [12, 10, 10, 100],
        "min_order_packs": [0, 0, 5, 1],
    })


def test_order_quantities():
    out = pu.order_quantities(_skus())
    # gloves: position 40 + 10 = 50 ≤ 60 → need 200 − 50 = 150; 150 / 12 = 12.5 → 13 packs
    #         = 156 units
    # gauze:  position 100 > 60 → nothing
    # swabs:  position 60 ≤ 60 (at the reorder point) → need 40 → 4 packs, raised to min 5
    #         = 50 units
    # tape:   position 0 → need 300 → 300 / 100 = 3 packs exactly (no extra pack)
    assert out["position_units"].tolist() == [50, 100, 60, 0]
    assert out["need_units"].tolist() == [150, 0, 40, 300]
    assert out["order_packs"].tolist() == [13, 0, 5, 3]
    assert out["order_units"].tolist() == [156, 0, 50, 300]
    assert str(out["order_packs"].dtype) == "int64"


def test_order_quantities_counts_stock_expiring_unused_out_of_the_position():
    # gloves: 40 on hand of which 30 will expire before use, 10 on order:
    #         position 40 − 30 + 10 = 20 ≤ 60 → need 200 − 20 = 180 → 15 packs of 12
    # gauze:  100 on hand, 50 expiring: 50 ≤ 60 → need 150 → 15 packs (was: no order)
    out = pu.order_quantities(_skus().assign(expiring_units=[30.0, 50.0, 0.0, 0.0]))
    assert out["position_units"].tolist() == [20, 50, 60, 0]
    assert out["need_units"].tolist() == [180, 150, 40, 300]
    assert out["order_packs"].tolist() == [15, 15, 5, 3]


def test_order_quantities_without_minimum_column():
    out = pu.order_quantities(_skus().drop(columns="min_order_packs"))
    assert out["order_packs"].tolist() == [13, 0, 4, 3]


def test_order_quantities_negative_quantity_names_row_column_value():
    skus = _skus()
    skus.loc[1, "on_hand_units"] = -5
    with pytest.raises(DataError) as err:
        pu.order_quantities(skus)
    e = err.value
    # index 1 → row 3 of the file (header on line 1)
    assert (e.row, e.column, e.value) == (3, "on_hand_units", -5)
    assert "negative" in str(e)


def test_order_quantities_zero_pack_size():
    skus = _skus()
    skus.loc[2, "units_per_pack"] = 0
    with pytest.raises(DataError) as err:
        pu.order_quantities(skus)
    assert (err.value.row, err.value.column, err.value.value) == (4, "units_per_pack", 0)


def test_order_quantities_missing_column():
    with pytest.raises(DataError, match="order_up_to_units"):
        pu.order_quantities(_skus().drop(columns="order_up_to_units"))


def _offers() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["gauze", "gauze", "epi", "epi"],
        "vendor": ["V1", "V2", "V1", "V2"],
        "pack_price_cents": [1200, 2500, 1000, 900],
        "freight_per_pack_cents": [100, 0, 0, 0],
        "units_per_pack": [100, 200, 3, 3],
        "lead_time_days": [2, 7, 1, 10],
        "critical": [False, False, True, True],
    })


def test_choose_vendor_by_landed_cost():
    out = pu.choose_vendor(_offers(), 0)
    # gauze V1: (1200 + 100) / 100 = 13 c/unit; V2: (2500 + 0) / 200 = 12.5 → V2
    # epi V1: 1000 / 3 = 333⅓; V2: 900 / 3 = 300 → V2 (no charge for lead time: c = 0)
    assert out["landed_per_unit"].tolist() == [13, Fraction(25, 2), Fraction(1000, 3), 300]
    # rounded half up: 13, 12.5 → 13, 333.33 → 333, 300
    assert out["landed_per_unit_cents"].tolist() == [13, 13, 333, 300]
    assert out["chosen"].tolist() == [False, True, False, True]


def test_choose_vendor_weighs_lead_time_for_critical_items():
    out = pu.choose_vendor(_offers(), critical_lead_time_pct_per_day=2)
    # gauze is not critical: unchanged, V2
    # epi V1: 333⅓ × (1 + 2 % × 1) = 340; V2: 300 × (1 + 2 % × 10) = 360 → V1
    assert out["score_per_unit"].tolist() == [13, Fraction(25, 2), 340, 360]
    assert out["chosen"].tolist() == [False, True, True, False]
    # 1 % a day: V1 333⅓ × 1.01 = 336⅔; V2 300 × 1.1 = 330 → V2
    out = pu.choose_vendor(_offers(), critical_lead_time_pct_per_day=1.0)
    assert out["score_per_unit"].tolist()[2:] == [Fraction(1010, 3), 330]
    assert out["chosen"].tolist() == [False, True, False, True]


def test_critical_lead_time_charge_is_relative_to_price():
    # 2 days against 30, 1 % a day: the slower vendor must be more than 1.30 / 1.02 − 1 =
    # 27.5 % cheaper, whatever the price. Glove: fast 10 × 1.02 = 10.2 < slow 8 × 1.30 = 10.4;
    # vaccine: 15,000 × 1.02 = 15,300 < 12,000 × 1.30 = 15,600: the same choice (a flat
    # 5 c a day chose the fast glove but the slow vaccine).
    for fast, slow in ((10, 8), (15000, 12000)):
        offers = pd.DataFrame({"sku": ["X", "X"], "vendor": ["FAST", "SLOW"],
                               "pack_price_cents": [fast, slow], "units_per_pack": [1, 1],
                               "lead_time_days": [2, 30], "critical": [True, True]})
        out = pu.choose_vendor(offers, 1.0)
        assert out["score_per_unit"].tolist() == [Fraction(fast * 102, 100),
                                                  Fraction(slow * 130, 100)]
        assert out.loc[out["chosen"], "vendor"].tolist() == ["FAST"]


def test_choose_vendor_ties():
    offers = pd.DataFrame({
        "sku": ["tape"] * 3, "vendor": ["Zeta", "Alpha", "Beta"],
        "pack_price_cents": [1000, 2000, 1000], "units_per_pack": [10, 20, 10],
        "lead_time_days": [3, 3, 2],
    })
    # all 100 c/unit; Beta has the shortest lead time
    assert pu.choose_vendor(offers, 0)["chosen"].tolist() == [False, False, True]
    offers.loc[2, "lead_time_days"] = 3
    # all equal: alphabetical → Alpha
    assert pu.choose_vendor(offers, 0)["chosen"].tolist() == [False, True, False]


def test_choose_vendor_missing_price():
    offers = _offers().astype({"pack_price_cents": "Int64"})
    offers.loc[2, "pack_price_cents"] = pd.NA
    with pytest.raises(DataError, match="no vendor price for sku 'epi'") as err:
        pu.choose_vendor(offers, 0)
    assert (err.value.row, err.value.column) == (4, "pack_price_cents")


def test_choose_vendor_sku_without_offer():
    with pytest.raises(DataError, match="no vendor price for sku.*masks"):
        pu.choose_vendor(_offers(), 0, skus=["gauze", "epi", "masks"])


def test_choose_vendor_zero_pack_and_bad_parameter():
    offers = _offers()
    offers.loc[0, "units_per_pack"] = 0
    with pytest.raises(DataError, match="units_per_pack"):
        pu.choose_vendor(offers, 0)
    with pytest.raises(ParameterError, match="critical_lead_time_pct_per_day"):
        pu.choose_vendor(_offers(), critical_lead_time_pct_per_day=-1)


# --------------------------------------------------------------------------------------------
# 3. review


def test_abc_boundaries():
    spend = pd.DataFrame({"sku": ["e", "c", "a", "d", "b"],
                          "annual_spend_cents": [50_000, 150_000, 500_000, 100_000, 200_000]})
    out = pu.abc_classes(spend)
    # total 1,000,000. Ranked a, b, c, d, e; share of the skus before each:
    # a 0 → A; b 0.50 → A; c 0.70 → A (c crosses 80 %: cumulative 0.85);
    # d 0.85 → B; e 0.95 → C (0.95 is not < 0.95)
    assert out["sku"].tolist() == ["a", "b", "c", "d", "e"]
    assert out["cumulative_share"].tolist() == pytest.approx([0.5, 0.7, 0.85, 0.95, 1.0])
    assert out["abc_class"].tolist() == ["A", "A", "A", "B", "C"]
    assert out["rank"].tolist() == [1, 2, 3, 4, 5]


def test_abc_ties_share_a_class():
    spend = pd.DataFrame({"sku": ["z", "y", "x", "w"],
                          "annual_spend_cents": [600, 200, 200, 0]})
    out = pu.abc_classes(spend)
    # total 1000. Ranked z (600), then the tie x, y (200 each, by sku), then w (0).
    # Share before each: z 0 → A; x 0.6 → A; y 0.8 would be B, but it ties with x → A;
    # w has no spend → C
    assert out["sku"].tolist() == ["z", "x", "y", "w"]
    assert out["abc_class"].tolist() == ["A", "A", "A", "C"]


def test_abc_all_zero_and_errors():
    out = pu.abc_classes(pd.DataFrame({"sku": ["a", "b"], "annual_spend_cents": [0, 0]}))
    assert out["abc_class"].tolist() == ["C", "C"]
    with pytest.raises(DataError) as err:
        pu.abc_classes(pd.DataFrame({"sku": ["a", "b"], "annual_spend_cents": [5, -1]}))
    assert (err.value.row, err.value.column, err.value.value) == (3, "annual_spend_cents", "-$0.01")
    with pytest.raises(DataError, match="more than once"):
        pu.abc_classes(pd.DataFrame({"sku": ["a", "a"], "annual_spend_cents": [5, 1]}))


def _lots() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["saline", "saline", "saline", "vaccine", "iodine"],
        "quantity": [40, 50, 100, 10, 7],
        "expiry_date": ["2026-01-31", "2026-01-04", "2026-01-11", "2026-01-04", "2026-06-01"],
        "unit_cost_cents": [250, 250, 250, 99, 10],
    })


def test_expiring_lots_fefo():
    out = pu.expiring_lots(_lots(), {"saline": 10, "vaccine": 2.375, "iodine": 0},
                           as_of="2026-01-01")
    # The expiry date is the last day of use and as_of (Jan 1) is a day of use, so a lot
    # expiring on E has E − Jan 1 + 1 days: Jan 4 → 4 days (Jan 1, 2, 3, 4), Jan 11 → 11,
    # Jan 31 → 31.
    # saline at 10/day, lots in expiry order:
    #   Jan 4 (4 days):   50 units, room 10 × 4 = 40 → used 40, expire 10; t = 4
    #   Jan 11 (11 days): 100 units, room 10 × (11 − 4) = 70 → used 70, expire 30; t = 11
    #   Jan 31 (31 days): 40 units, room 10 × (31 − 11) = 200 → used 40, expire 0
    #   values: 10 × 250 = 2,500; 30 × 250 = 7,500; 0
    # vaccine at 2.375/day, Jan 4 (4 days): used 2.375 × 4 = 9.5, expire 10 − 9.5 = 0.5;
    #   0.5 × 99 = 49.5 → 50 (half up)
    # iodine not used at all: 7 expire, 7 × 10 = 70
    assert out["used_units"].tolist() == [40, 40, 70, 9.5, 0]
    assert out["expiring_units"].tolist() == [0, 10, 30, 0.5, 7]
    assert out["expiring_value_cents"].tolist() == [0, 2500, 7500, 50, 70]


def test_expiring_lots_already_expired_lot_wholly_lost():
    lots = pd.DataFrame({"sku": ["a", "a"], "quantity": [5, 5],
                         "expiry_date": ["2025-12-31", "2026-01-03"],
                         "unit_cost_cents": [100, 100]})
    out = pu.expiring_lots(lots, {"a": 1}, as_of="2026-01-01")
    # lot 1 (Dec 31 < Jan 1) expired already: Dec 31 − Jan 1 + 1 = 0 days, 5 lost, 500 cents
    # lot 2: Jan 3 − Jan 1 + 1 = 3 days (Jan 1, 2, 3), room 1 × 3 = 3 used, 2 lost, 200 cents
    assert out["used_units"].tolist() == [0, 3]
    assert out["expiring_units"].tolist() == [5, 2]
    assert out["expiring_value_cents"].tolist() == [500, 200]


def test_expiring_lots_expiry_day_is_a_day_of_use():
    # as_of Jan 1. Lot "today" expires Jan 1: not expired, usable for that one day.
    # Lot "yesterday" expires Dec 31: expired, nothing of it can be used.
    lots = pd.DataFrame({"sku": ["a", "a", "b"], "quantity": [5, 5, 5],
                         "expiry_date": ["2026-01-01", "2025-12-31", "2026-01-01"],
                         "unit_cost_cents": [10, 10, 10]})
    out = pu.expiring_lots(lots, {"a": 2, "b": 5}, as_of="2026-01-01")
    # a, in expiry order: Dec 31 → 0 days, used 0, 5 lost (50 cents); t = 0
    #                     Jan 1 → 1 day, room 2 × (1 − 0) = 2 used, 3 lost (30 cents)
    # b: Jan 1 → 1 day, room 5 × 1 = 5 → all 5 used on the day, 0 lost
    assert out["used_units"].tolist() == [2, 0, 5]
    assert out["expiring_units"].tolist() == [3, 5, 0]
    assert out["expiring_value_cents"].tolist() == [30, 50, 0]


def test_expiring_lots_exact_unit_cost():
    lots = pd.DataFrame({"sku": ["a"], "quantity": [12], "expiry_date": ["2026-01-03"],
                         "unit_cost_cents": pd.Series([Fraction(1000, 3)], dtype=object)})
    out = pu.expiring_lots(lots, {"a": 2}, as_of="2026-01-01")
    # 3 days (Jan 1, 2, 3) × 2 = 6 used, 12 − 6 = 6 expire; 6 × 1000/3 = 2,000 cents exactly
    # (a cost rounded to 333 cents would give 1,998)
    assert out["expiring_units"].tolist() == [6]
    assert out["expiring_value_cents"].tolist() == [2000]


def test_expiring_lots_errors():
    lots = _lots()
    lots.loc[3, "quantity"] = -1
    with pytest.raises(DataError) as err:
        pu.expiring_lots(lots, {"saline": 10, "vaccine": 1, "iodine": 0}, as_of="2026-01-01")
    assert (err.value.row, err.value.column, err.value.value) == (5, "quantity", -1)
    with pytest.raises(DataError, match="no usage rate") as err:
        pu.expiring_lots(_lots(), {"saline": 10, "vaccine": 1}, as_of="2026-01-01")
    assert err.value.value == "iodine"
    bad_date = _lots()
    bad_date.loc[0, "expiry_date"] = "soon"
    with pytest.raises(DataError, match="expiry date"):
        pu.expiring_lots(bad_date, {"saline": 10, "vaccine": 1, "iodine": 0},
                         as_of="2026-01-01")


# --------------------------------------------------------------------------------------------
# 4. report tables


def _usage() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["a", "a", "a", "a", "a", "a"],
        "date": ["2025-12-31", "2026-01-01", "2026-01-03", "2026-01-03", "2026-01-04",
                 "2026-01-05"],
        "quantity": [100, 2, 4, 2, 4, 100],
    })


def test_demand_stats():
    out = pu.demand_stats(_usage(), as_of="2026-01-05", demand_window_days=4, skus=["a", "b"])
    # window Jan 1 … Jan 4 (Dec 31 is before it, Jan 5 is as_of: both ignored)
    # a: y = [2, 0 (no row on Jan 2), 4 + 2, 4] = [2, 0, 6, 4]; mean 12 / 4 = 3
    #    deviations −1, −3, 3, 1; squares 1 + 9 + 9 + 1 = 20; sd = √(20 / 3) = 2.5819889
    #    t − t̄ = −1.5, −0.5, 0.5, 1.5; Σ(t − t̄)² = 5
    #    Σ(t − t̄)(y − ȳ) = 1.5 + 1.5 + 1.5 + 1.5 = 6 → slope 6 / 5 = 1.2 units/day per day
    # b: no usage → all zeros
    assert out["sku"].tolist() == ["a", "b"]
    assert out["total_units"].tolist() == [12, 0]
    assert out["demand_mean_per_day"].tolist() == [3, 0]
    assert out["demand_sd_per_day"].tolist() == pytest.approx([(20 / 3) ** 0.5, 0])
    assert out["trend_per_day"].tolist() == pytest.approx([1.2, 0])


def test_demand_stats_errors():
    with pytest.raises(DataError, match="unknown sku") as err:
        pu.demand_stats(_usage(), as_of="2026-01-05", skus=["b"])
    assert (err.value.row, err.value.column, err.value.value) == (2, "sku", "a")
    bad = _usage()
    bad.loc[3, "quantity"] = -1
    with pytest.raises(DataError) as err:
        pu.demand_stats(bad, as_of="2026-01-05")
    assert (err.value.row, err.value.column) == (5, "quantity")
    with pytest.raises(ParameterError, match="demand_window_days"):
        pu.demand_stats(_usage(), as_of="2026-01-05", demand_window_days=1)


def _level_table() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["gauze", "epi", "tape"],
        "demand_mean_per_day": [50.0, 2.0, 20.0],
        "demand_sd_per_day": [10.0, 1.0, 4.0],
        "lead_time_days": [9.0, 4.0, 3.0],
        "lead_time_sd_days": [2.0, 0.0, 1.0],
        "critical": [False, True, False],
        "service_level": [None, None, 0.5],
    })


def test_stock_levels_hand_worked():
    out = pu.stock_levels(_level_table(), 0.95, 7, None)
    # Periodic review: both levels cover R + L = 7 + 9 = 16 days.
    # gauze: SS = 1.6448536 × √(16 × 100 + 2500 × 4) = 1.6448536 × √11600
    #           = 1.6448536 × 107.70330 = 177.1561
    #        s = 50 × 16 + 177.1561 = 977.1561 = S (the caller adds the EOQ to S)
    # tape: its own level 0.5 → z = 0 → SS = 0, s = S = 20 × (7 + 3) = 200
    assert out["service_level_used"].tolist() == [0.95, 0.95, 0.5]
    assert out["safety_stock_units"].iloc[0] == pytest.approx(177.1561, abs=1e-3)
    assert out["reorder_point_units"].iloc[0] == pytest.approx(977.1561, abs=1e-3)
    assert out["order_up_to_units"].iloc[0] == pytest.approx(977.1561, abs=1e-3)
    assert out["reorder_point_units"].iloc[2] == pytest.approx(200)
    assert out["order_up_to_units"].iloc[2] == pytest.approx(200)


def test_stock_levels_minimum_on_hand():
    # epi: d = 2, σd = 1, L = 4, R = 7, 99 % (z = 2.3263479): SS = 2.3263479 × √11 = 7.7156;
    # s = 2 × 11 + 7.7156 = 29.7156. A minimum of 40 raises s to 40 and S to 40 + 2 × 7 = 54.
    # tape (z = 0): s = max(20 × 10, 150) = 200; S = max(200, 150 + 20 × 7 = 290) = 290.
    # gauze has no minimum (missing): unchanged.
    table = _level_table().assign(min_on_hand=pd.array([None, 40, 150], dtype="Int64"))
    out = pu.stock_levels(table, 0.95, 7, critical_service_level=0.99)
    z99 = 2.3263478740408408
    assert out["reorder_point_units"].tolist() == pytest.approx(
        [977.1561, 40, 200], abs=1e-3)
    assert out["order_up_to_units"].tolist() == pytest.approx([977.1561, 54, 290], abs=1e-3)
    assert out["safety_stock_units"].iloc[1] == pytest.approx(z99 * 11 ** 0.5)
    # zero use, nothing on hand, a minimum of 4: s = 4, ordered up to 4 (p10's crash cart)
    zero = pd.DataFrame({"sku": ["amp"], "demand_mean_per_day": [0.0],
                         "demand_sd_per_day": [0.0], "lead_time_days": [3.0],
                         "min_on_hand": [4]})
    lv = pu.stock_levels(zero, 0.95, 7, None).assign(on_hand_units=0, on_order_units=0,
                                               units_per_pack=10)
    assert (lv.at[0, "reorder_point_units"], lv.at[0, "order_up_to_units"]) == (4, 4)
    assert pu.order_quantities(lv).at[0, "order_packs"] == 1


def test_stock_levels_equal_scalar_functions_row_by_row():
    table = _level_table()
    out = pu.stock_levels(table, 0.95, 7, critical_service_level=0.99)
    # epi is critical → 0.99; tape's own 0.5 wins
    assert out["service_level_used"].tolist() == [0.95, 0.99, 0.5]
    for i, row in out.iterrows():
        level, d = row["service_level_used"], row["demand_mean_per_day"]
        sd, lt, lt_sd = row["demand_sd_per_day"], row["lead_time_days"], row["lead_time_sd_days"]
        # SS = z · √((R + L) σd² + d² σL²), z from the standard library's normal
        ss = NormalDist().inv_cdf(level) * math.sqrt((7 + lt) * sd * sd + d * d * lt_sd * lt_sd)
        assert row["safety_stock_units"] == pytest.approx(ss), i
        # no minimum on hand: s = S = d · (R + L) + SS
        assert row["reorder_point_units"] == pytest.approx(d * (7 + lt) + ss), i
        assert row["order_up_to_units"] == pytest.approx(d * (7 + lt) + ss), i


def test_stock_levels_errors():
    table = _level_table()
    table.loc[1, "service_level"] = 1.0
    with pytest.raises(DataError) as err:
        pu.stock_levels(table, 0.95, 7, None)
    assert (err.value.row, err.value.column) == (3, "service_level")
    with pytest.raises(ParameterError, match="service_level"):
        pu.stock_levels(_level_table(), 1.5, 7, None)
    with pytest.raises(ParameterError, match="review_days"):
        pu.stock_levels(_level_table(), 0.95, -1, None)


def _order_skus() -> pd.DataFrame:
    return pd.DataFrame({
        "sku": ["gauze", "epi", "tape"],
        "on_hand_units": [10, 2, 50],
        "on_order_units": [0, 0, 0],
        "reorder_point_units": [60.0, 3.0, 20.0],
        "order_up_to_units": [200.0, 9.0, 80.0],
    })


def _order_offers() -> pd.DataFrame:
    offers = _offers()
    offers.loc[0, "pack_price_cents"] = 1000  # gauze V1 now (1000 + 100) / 100 = 11 c/unit
    offers["min_order_packs"] = [3, 0, 0, 0]
    tape = pd.DataFrame({"sku": ["tape"], "vendor": ["V2"], "pack_price_cents": [500],
                         "freight_per_pack_cents": [0], "units_per_pack": [10],
                         "lead_time_days": [3], "critical": [False], "min_order_packs": [0]})
    return pd.concat([offers, tape], ignore_index=True)


def test_order_lines():
    # Room to hold 400 gauze: all of an order up to 400 − 10 = 390 units will be used.
    out = pu.order_lines(_order_skus().assign(max_stock_units=[400.0, 9.0, 80.0]),
                         _order_offers(), 0)
    # gauze: need 200 − 10 = 190. V1: ⌈190/100⌉ = 2 packs, raised to its minimum 3 = 300
    #        units (≤ 390 usable) for 3 × 1,100 = 3,300 → 11 c a unit; V2: 1 pack of 200 for
    #        2,500 → 12.5 c a unit → V1.
    # epi:   need 9 − 2 = 7: V1 3 packs (9 units) 3,000; V2 3 packs 2,700. Usable
    #        min(9, max(9 − 2, 7)) = 7: 3,000 / 7 against 2,700 / 7 → V2.
    # tape:  position 50 > 20 → nothing; the vendor by landed cost, V2.
    assert out["vendor"].tolist() == ["V1", "V2", "V2"]
    assert out["units_per_pack"].tolist() == [100, 3, 10]
    assert out["order_packs"].tolist() == [3, 3, 0]
    assert out["order_cents"].tolist() == [3300, 2700, 0]
    assert str(out["order_cents"].dtype) == "int64"
    # epi orders 9 for a room of 7: 2 units beyond (pack rounding), flagged.
    assert out["usable_units"].tolist() == [300, 7, 0]
    assert out["excess_units"].tolist() == [0, 2, 0]
    assert out["oversized"].tolist() == [False, True, False]
    # critical epi at 2 % a lead day → V1: 3,000/7 × 1.02 = 437.14 < 2,700/7 × 1.20 = 462.86
    critical = pu.order_lines(_order_skus().assign(max_stock_units=[400.0, 9.0, 80.0]),
                              _order_offers(), critical_lead_time_pct_per_day=2)
    assert critical["vendor"].tolist() == ["V1", "V1", "V2"]
    assert critical["order_cents"].tolist() == [3300, 3000, 0]


def test_order_lines_vendor_minimum_far_above_the_need():
    # Without room beyond S = 200 (no max_stock_units), gauze may use 200 − 10 = 190: V1's
    # minimum of 3 packs (300 units, 3,300) is 3,300 / 190 = 17.4 c a used unit; V2's one
    # pack of 200 (2,500) is 2,500 / 190 = 13.2 c → V2, although V1 is cheaper a unit.
    out = pu.order_lines(_order_skus(), _order_offers(), 0)
    assert out["vendor"].tolist() == ["V2", "V2", "V2"]
    assert out["order_packs"].tolist() == [1, 3, 0]
    assert out["order_cents"].tolist() == [2500, 2700, 0]
    # The reviewer's case: need 12 − 2 = 10 units. A: 1 pack of 10 for 1,000 (100 c a
    # unit); B: 4 packs of 500 (its minimum) for 180,000 = 90 c a unit, but only 10 of its
    # 2,000 units get used → 18,000 c a used unit → A.
    skus = pd.DataFrame({"sku": ["RX"], "on_hand_units": [2], "on_order_units": [0],
                         "reorder_point_units": [3.0], "order_up_to_units": [12.0]})
    offers = pd.DataFrame({"sku": ["RX", "RX"], "vendor": ["A", "B"],
                           "pack_price_cents": [1000, 45000], "units_per_pack": [10, 500],
                           "freight_per_pack_cents": [0, 0], "min_order_packs": [1, 4],
                           "lead_time_days": [3, 3]})
    line = pu.order_lines(skus, offers, 0).iloc[0]
    assert (line["vendor"], line["order_packs"], line["order_cents"]) == ("A", 1, 1000)
    # Only B sells it: its minimum is still ordered, 1,990 units beyond the need, flagged.
    line = pu.order_lines(skus, offers.iloc[[1]], 0).iloc[0]
    assert (line["order_units"], line["usable_units"], line["excess_units"]) == (2000, 10,
                                                                                 1990)
    assert line["oversized"]


def test_cap_order_up_to():
    # R = 7, max cover 180 days.
    # a: d = 2, S = 1,000, shelf 100 days: min(1000, 2 × 100, 2 × 180) = 200
    # b: d = 2, S = 1,000, no shelf life: min(1000, 2 × 180 = 360) = 360
    # c: d = 0.01, S = 3, minimum 25: cap max(min(…, 1.8), 25 + 0.07) = 25.07 ≥ S → 3
    # d: d = 5, S = 300, shelf 365: 5 × 180 = 900 > 300 → 300 (not capped)
    levels = pd.DataFrame({"sku": list("abcd"),
                           "demand_mean_per_day": [2.0, 2.0, 0.01, 5.0],
                           "order_up_to_units": [1000.0, 1000.0, 3.0, 300.0],
                           "shelf_life_days": [100.0, None, 540.0, 365.0],
                           "min_on_hand": pd.array([None, None, 25, None], dtype="Int64")})
    out = pu.cap_order_up_to(levels, 7, 180)
    assert out["max_stock_units"].tolist() == pytest.approx([200, 360, 25.07, 900])
    assert out["order_up_to_units"].tolist() == pytest.approx([200, 360, 3, 300])
    assert out["uncapped_order_up_to_units"].tolist() == [1000, 1000, 3, 300]
    assert out["capped"].tolist() == [True, True, False, False]
    with pytest.raises(ParameterError, match="max_cover_days"):
        pu.cap_order_up_to(levels, 7, 0)


def test_order_lines_sku_without_offer():
    skus = pd.concat([_order_skus(), _order_skus().iloc[[0]].assign(sku="masks")],
                     ignore_index=True)
    with pytest.raises(DataError, match="no vendor price for sku.*masks"):
        pu.order_lines(skus, _order_offers(), 0)


def test_overdue_orders():
    orders = pd.DataFrame({
        "sku": ["gauze", "epi", "tape", "swabs"],
        "expected_date": ["2026-01-03", "2026-01-03", "2026-01-05", "2026-01-01"],
        "quantity_units": [100, 10, 50, 20],
        "quantity_received": [40, 10, 0, 0],
    })
    out = pu.overdue_orders(orders, as_of="2026-01-05")
    # gauze: expected 2 days ago, 60 outstanding → overdue, 2 days late
    # epi: all received → not overdue; tape: due today → not yet late
    # swabs: expected 4 days ago, none received → overdue, 4 days late
    assert out["overdue"].tolist() == [True, False, False, True]
    assert out["days_late"].tolist() == [2, 0, 0, 4]
    assert out["outstanding_units"].tolist() == [60, 0, 50, 20]
    orders.loc[2, "expected_date"] = "later"
    with pytest.raises(DataError) as err:
        pu.overdue_orders(orders, as_of="2026-01-05")
    assert (err.value.row, err.value.column) == (4, "expected_date")


def _room() -> pd.DataFrame:
    return _order_skus().assign(max_stock_units=[400.0, 9.0, 80.0])


def test_purchase_orders():
    orders = pu.purchase_orders(pu.order_lines(_room(), _order_offers(), 0))
    # V1: gauze 3 packs: goods 3 × 1000 = 3,000, freight 3 × 100 = 300, total 3,300
    # V2: epi 2,700 (tape orders 0 packs: left out)
    assert [o.vendor for o in orders] == ["V1", "V2"]
    assert [(o.goods_cents, o.freight_cents, o.total_cents) for o in orders] == [
        (3000, 300, 3300), (2700, 0, 2700)]
    assert orders[1].lines["sku"].tolist() == ["epi"]
    # critical at 2 % a day: both to V1, 3,300 + 3,000 = 6,300
    one = pu.purchase_orders(pu.order_lines(_room(), _order_offers(), 2))
    assert [(o.vendor, o.total_cents) for o in one] == [("V1", 6300)]
    assert one[0].lines["sku"].tolist() == ["gauze", "epi"]


def test_spend_vs_budget():
    # 7,500.00 of 10,000.00 = 3/4
    assert pu.spend_vs_budget(750_000, 1_000_000) == Fraction(3, 4)
    # over budget: 1/3 over → 4/3
    assert pu.spend_vs_budget(400, 300) == Fraction(4, 3)
    with pytest.raises(ParameterError, match="budget"):
        pu.spend_vs_budget(100, 0)
    with pytest.raises(ParameterError, match="spend"):
        pu.spend_vs_budget(10.5, 100)


def test_vendor_savings():
    offers = _offers()
    offers["current"] = [True, False, False, False]
    out = pu.vendor_savings(offers, {"gauze": 7, "epi": 35}, 0)
    # epi: no current marked → the chosen one, V2 (300), which is the cheapest → 0
    # gauze: current V1 at 13, cheapest V2 at 12.5: 0.5 × 7 = 3.5 → 4 (half up)
    assert out["sku"].tolist() == ["epi", "gauze"]
    assert out["current_vendor"].tolist() == ["V2", "V1"]
    assert out["cheapest_vendor"].tolist() == ["V2", "V2"]
    assert out["savings_per_unit"].tolist() == [0, Fraction(1, 2)]
    assert out["annual_savings_cents"].tolist() == [0, 4]
    # critical charge 2 % a day: the report would choose V1 for epi (340 < 360); with no
    # current vendor marked it is V1, the chosen one → no saving, though V2 is cheaper.
    out = pu.vendor_savings(offers, {"gauze": 7, "epi": 35}, critical_lead_time_pct_per_day=2)
    assert out["current_vendor"].tolist() == ["V1", "V1"]
    assert out["chosen_vendor"].tolist() == ["V1", "V2"]
    assert out["cheapest_vendor"].tolist() == ["V2", "V2"]
    assert out["annual_savings_cents"].tolist() == [0, 4]
    # Marked current V1 at 333⅓ while the report would choose V2 (1 %: 330 < 336⅔):
    # 33⅓ × 35 = 1,166⅔ → 1,167 (rounded once for the sku, not per unit)
    offers["current"] = [True, False, True, False]
    out = pu.vendor_savings(offers, {"gauze": 7, "epi": 35}, critical_lead_time_pct_per_day=1)
    assert out["savings_per_unit"].tolist() == [Fraction(100, 3), Fraction(1, 2)]
    assert out["annual_savings_cents"].tolist() == [1167, 4]


def test_vendor_savings_compare_with_the_vendor_the_report_chooses():
    # The reviewer's case: epinephrine bought from FAST (10.00, 2 days); SLOW sells it at
    # 9.00 in 30 days. At 1 % a day FAST scores 1,000 × 1.02 = 1,020, SLOW 900 × 1.30 = 1,170:
    # the report orders from FAST, so switching saves nothing (was 1,000 × 1.00 = 1,000.00).
    offers = pd.DataFrame({"sku": ["EPI", "EPI"], "vendor": ["FAST", "SLOW"],
                           "pack_price_cents": [1000, 900], "units_per_pack": [1, 1],
                           "lead_time_days": [2, 30], "critical": [True, True],
                           "current": [True, False]})
    out = pu.vendor_savings(offers, {"EPI": 1000}, 1.0)
    assert (out.at[0, "chosen_vendor"], out.at[0, "annual_savings_cents"]) == ("FAST", 0)
    # Without the lead-time weighting the report would choose SLOW: 1,000 × 100 c = 100,000.
    out = pu.vendor_savings(offers, {"EPI": 1000}, 0)
    assert (out.at[0, "chosen_vendor"], out.at[0, "annual_savings_cents"]) == ("SLOW",
                                                                               100_000)


def test_vendor_savings_errors():
    offers = _offers()
    offers["current"] = [True, True, False, False]
    with pytest.raises(DataError, match="more than one current") as err:
        pu.vendor_savings(offers, {"gauze": 7, "epi": 35}, 0)
    assert err.value.row == 3
    with pytest.raises(DataError, match="no annual units") as err:
        pu.vendor_savings(_offers(), {"gauze": 7}, 0)
    assert (err.value.row, err.value.value) == (4, "epi")


# --------------------------------------------------------------------------------------------
# 5. price history


def _history() -> pd.DataFrame:
    """Gauze from V1 (box of 10): 100 c from 2025-01-01, 110 c from 2025-07-01, 99 c announced
    for 2026-02-01; from V2 (box of 4, 10 c freight): 42 c from 2024-06-01. Syringes from V1
    (box of 100): 2,000 c, first offered 2026-03-01."""
    return pd.DataFrame({
        "sku": ["gauze", "gauze", "gauze", "gauze", "syringe"],
        "vendor": ["V1", "V1", "V2", "V1", "V1"],
        "pack_price_cents": [110, 100, 42, 99, 2000],
        "freight_per_pack_cents": [0, 0, 10, 0, 0],
        "units_per_pack": [10, 10, 4, 10, 100],
        "lead_time_days": [2.0, 2.0, 5.0, 2.0, 3.0],
        "effective_date": pd.to_datetime(["2025-07-01", "2025-01-01", "2024-06-01",
                                          "2026-02-01", "2026-03-01"]),
    })


def test_prices_in_force_takes_the_latest_on_or_before_as_of():
    h = _history()
    # 2025-12-31: gauze V1 → the 2025-07-01 row (index 0), V2 → its only row (2); the
    # 2026-02-01 gauze price and the syringe offer are not in force yet.
    assert pu.prices_in_force(h, "2025-12-31").index.tolist() == [0, 2]
    # The day a price starts it is in force; the day before, the previous one is.
    assert pu.prices_in_force(h, "2025-07-01").index.tolist() == [0, 2]
    assert pu.prices_in_force(h, "2025-06-30").index.tolist() == [1, 2]
    # Before any V1 price: only V2; before everything: nothing.
    assert pu.prices_in_force(h, "2024-12-31").index.tolist() == [2]
    assert pu.prices_in_force(h, "2024-05-31").empty
    # 2026-03-01: the announced gauze price (3) and the syringe offer (4) have started.
    assert pu.prices_in_force(h, "2026-03-01").index.tolist() == [2, 3, 4]
    # The in-force offers feed choose_vendor: gauze V1 11 c a unit, V2 (42 + 10) / 4 = 13 c.
    scored = pu.choose_vendor(pu.prices_in_force(h, "2025-12-31"), 0)
    assert scored.loc[scored["chosen"], "vendor"].tolist() == ["V1"]


def test_prices_in_force_refuses_a_repeated_date():
    h = pd.concat([_history(), _history().iloc[[1]]], ignore_index=True)
    with pytest.raises(DataError, match="same sku, vendor and effective date: rows 3, 7") as err:
        pu.prices_in_force(h, "2025-12-31")
    assert err.value.column == "effective_date"
    with pytest.raises(DataError, match="same sku, vendor and effective date"):
        pu.price_changes(h, "2025-12-31", {"gauze": 100})


def test_price_changes_by_hand():
    h = _history()
    out = pu.price_changes(h, "2025-12-31", {"gauze": 730, "syringe": 50})
    # gauze V1: 10 c → 11 c a unit on 2025-07-01 (+1 c, +10 %), 730 a year → +730 c;
    # announced 2026-02-01: 11 c → 9.9 c (−1.1 c, −10 %) → 730 × −1.1 = −803 c.
    # 2025-01-01 is the first V1 price (an offer, not a change); V2 and the syringe have one.
    assert out[["sku", "vendor"]].values.tolist() == [["gauze", "V1"], ["gauze", "V1"]]
    assert out["effective_date"].tolist() == [pd.Timestamp("2025-07-01"),
                                              pd.Timestamp("2026-02-01")]
    assert out["previous_effective_date"].tolist() == [pd.Timestamp("2025-01-01"),
                                                       pd.Timestamp("2025-07-01")]
    assert out["previous_landed_per_unit"].tolist() == [10, 11]
    assert out["current_landed_per_unit"].tolist() == [11, Fraction(99, 10)]
    assert out["change_per_unit"].tolist() == [1, Fraction(-11, 10)]
    assert out["change_pct"].tolist() == pytest.approx([0.10, -0.10])
    assert out["annual_impact_cents"].tolist() == [730, -803]
    assert out["announced"].tolist() == [False, True]
    assert str(out["annual_impact_cents"].dtype) == "int64"


def test_price_changes_window_and_rounding():
    h = _history()
    # Changes dated after as_of − window count: 2025-12-31 − 184 days = 2025-06-30, so the
    # 2025-07-01 change is in (184 days: 2025-07-01 … 2025-12-31); 2025-12-31 − 183 days =
    # 2025-07-01, so with 183 days it is out and only the announced change is listed.
    assert len(pu.price_changes(h, "2025-12-31", {"gauze": 1}, price_lookback_days=184)) == 2
    assert pu.price_changes(h, "2025-12-31", {"gauze": 1}, price_lookback_days=183)[
        "announced"].tolist() == [True]
    # 2.5 units a year × 1 c = 2.5 → 3 (half up, once per change); −1.1 × 2.5 = −2.75 → −3.
    out = pu.price_changes(h, "2025-12-31", {"gauze": 2.5})
    assert out["annual_impact_cents"].tolist() == [3, -3]


def test_net_price_changes_nets_a_rise_taken_back():
    # Gauze V1 (box of 10): 100 c from 2024-01-01, 120 c from 2025-11-01, back to 100 c from
    # 2025-12-01. Two changes in the year to 2025-12-31 (+2 c and −2 c a unit, ±730 c a
    # year at 365 units), but the net change is 10 c → 10 c: 0.
    # V2 (box of 4): 40 c from 2024-06-01, 44 c from 2025-03-01, 48 c from 2025-09-01: two
    # rises, net 10 → 12 c a unit = +2 c, +20 %, 365 × 2 = 730 c a year.
    h = pd.DataFrame({
        "sku": ["gauze"] * 6, "vendor": ["V1", "V1", "V1", "V2", "V2", "V2"],
        "pack_price_cents": [100, 120, 100, 40, 44, 48], "units_per_pack": [10, 10, 10, 4, 4, 4],
        "lead_time_days": [2.0] * 6,
        "effective_date": pd.to_datetime(["2024-01-01", "2025-11-01", "2025-12-01",
                                          "2024-06-01", "2025-03-01", "2025-09-01"])})
    detail = pu.price_changes(h, "2025-12-31", {"gauze": 365})
    assert detail["annual_impact_cents"].tolist() == [730, -730, 365, 365]
    net = pu.net_price_changes(h, "2025-12-31", {"gauze": 365})
    assert net["vendor"].tolist() == ["V1", "V2"]
    assert net["changes"].tolist() == [2, 2]
    assert net["previous_landed_per_unit"].tolist() == [10, 10]
    assert net["current_landed_per_unit"].tolist() == [10, 12]
    assert net["change_per_unit"].tolist() == [0, 2]
    assert net["change_pct"].tolist() == pytest.approx([0.0, 0.2])
    assert net["annual_impact_cents"].tolist() == [0, 730]
    assert net["start_effective_date"].tolist() == [pd.Timestamp("2024-01-01"),
                                                    pd.Timestamp("2024-06-01")]


def test_price_changes_errors():
    with pytest.raises(DataError, match="annual units"):
        pu.price_changes(_history(), "2025-12-31", {"syringe": 5})
    with pytest.raises(ParameterError, match="price_lookback_days"):
        pu.price_changes(_history(), "2025-12-31", {"gauze": 1}, price_lookback_days=0)
    empty = pu.price_changes(_history().iloc[[2, 4]], "2025-12-31", {})
    assert empty.empty and "annual_impact_cents" in empty


# --------------------------------------------------------------------------------------------
# freight per order and as a percent of the goods


def _freight_offers() -> pd.DataFrame:
    # One sku, two vendors of 10-unit packs:
    #   A: 1,000 a pack, no freight per pack, 5 % of the goods, 2,000 per order, minimum 1
    #   B: 1,100 a pack, 50 a pack, no percent, no per-order freight (empty cells)
    return pd.DataFrame({
        "sku": ["gauze", "gauze"], "vendor": ["A", "B"],
        "pack_price_cents": [1000, 1100], "freight_per_pack_cents": [0, 50],
        "freight_per_order_cents": pd.array([2000, None], dtype="Int64"),
        "freight_pct": [5.0, float("nan")], "units_per_pack": [10, 10],
        "min_order_packs": [1, 1], "lead_time_days": [3, 3],
    })


def test_landed_cost_has_percent_freight_and_per_order_freight_over_the_typical_order():
    offers = _freight_offers()
    # No typical order: spread over the minimum, 1 pack of 10 units.
    out = pu.choose_vendor(offers, 0)
    # A landed: (1000 + 0 + 1000 × 5 %) / 10 = 1050 / 10 = 105 c a unit (empty freight = 0)
    # B landed: (1100 + 50) / 10 = 115
    assert out["landed_per_unit"].tolist() == [105, 115]
    # A per order over 1 pack: 2000 / 10 = 200 → cost 305; B: 0 → 115 → B
    assert out["typical_order_packs"].tolist() == [1, 1]
    assert out["order_freight_per_unit"].tolist() == [200, 0]
    assert out["cost_per_unit"].tolist() == [305, 115]
    assert out["chosen"].tolist() == [False, True]
    # A typical order (EOQ) of 395 units: ⌈395 / 10⌉ = 40 packs = 400 units;
    # A: 105 + 2000 / 400 = 110 < B 115 → A
    out = pu.choose_vendor(offers.assign(typical_order_units=[395.0, 395.0]), 0)
    assert out["typical_order_packs"].tolist() == [40, 40]
    assert out["cost_per_unit"].tolist() == [110, 115]
    assert out["chosen"].tolist() == [True, False]


def test_order_lines_and_purchase_order_charge_per_order_freight_once():
    skus = pd.DataFrame({"sku": ["gauze", "tape"], "on_hand_units": [0, 0],
                         "on_order_units": [0, 0], "reorder_point_units": [10.0, 10.0],
                         "order_up_to_units": [200.0, 30.0], "max_stock_units": 1e6})
    tape = pd.DataFrame({"sku": ["tape"], "vendor": ["A"], "pack_price_cents": [333],
                         "freight_per_pack_cents": [0],
                         "freight_per_order_cents": pd.array([500], dtype="Int64"),
                         "freight_pct": [5.0], "units_per_pack": [10], "min_order_packs": [1],
                         "lead_time_days": [3]})
    offers = pd.concat([_freight_offers(), tape], ignore_index=True)
    out = pu.order_lines(skus, offers, 0)
    # gauze: need 200 = 20 packs of either vendor.
    #   A: 20 × 1000 = 20,000 + 5 % = 1,000 + 2,000 per order = 23,000 / 200 = 115 a unit
    #   B: 20 × (1100 + 50) = 23,000 / 200 = 115: a tie at equal lead time → by name, A
    # tape: need 30 = 3 packs of 333 = 999, 5 % = 49.95 → 50 (half up, once for the line)
    assert out["vendor"].tolist() == ["A", "A"]
    assert out["order_packs"].tolist() == [20, 3]
    assert out["freight_pct_cents"].tolist() == [1000, 50]
    # the line: packs × (price + per pack) + percent; per-order freight is not on it
    assert out["order_cents"].tolist() == [21000, 1049]
    assert out["freight_per_order_cents"].tolist() == [2000, 500]
    (po,) = pu.purchase_orders(out)
    # goods 20,000 + 999 = 20,999; freight on lines 1,000 + 50 = 1,050;
    # per order once: the larger of 2,000 and 500 = 2,000; total 20,999 + 1,050 + 2,000
    assert (po.goods_cents, po.freight_cents, po.freight_per_order_cents, po.total_cents) == (
        20999, 1050, 2000, 24049)
    # a dearer B (1,160 a pack) loses: 20 × 1,210 = 24,200 > 23,000
    offers.loc[1, "pack_price_cents"] = 1160
    assert pu.order_lines(skus, offers, 0)["vendor"].tolist() == ["A", "A"]
    # and per-order freight of 4,400 makes A dearer: 20,000 + 1,000 + 4,400 = 25,400 >
    # B's 24,200 → B
    offers.loc[0, "freight_per_order_cents"] = 4400
    assert pu.order_lines(skus, offers, 0)["vendor"].tolist() == ["B", "A"]


def test_purchase_orders_refuse_a_line_without_its_percent_freight():
    lines = pd.DataFrame({"vendor": ["A"], "sku": ["tape"], "order_packs": [3],
                          "units_per_pack": [10], "order_units": [30],
                          "pack_price_cents": [333], "freight_per_pack_cents": [0],
                          "freight_pct_cents": [50], "order_cents": [999]})
    with pytest.raises(DataError, match="freight pct cents"):
        pu.purchase_orders(lines)


def test_vendor_savings_count_the_per_order_freight():
    offers = _freight_offers().assign(current=[False, True],
                                      typical_order_units=[400.0, 400.0])
    out = pu.vendor_savings(offers, {"gauze": 1000}, 0)
    # typical order 40 packs: A 105 + 2000 / 400 = 110, B 115 → 5 c a unit × 1,000 = 5,000
    # (on landed cost alone it would be 10 c a unit: the per-order freight eats half)
    assert (out["current_landed_per_unit"].tolist(), out["chosen_landed_per_unit"].tolist()) \
        == ([115], [105])
    assert (out["current_cost_per_unit"].tolist(), out["chosen_cost_per_unit"].tolist()) \
        == ([115], [110])
    assert out["annual_savings_cents"].tolist() == [5000]


def test_negative_freight_is_refused():
    offers = _freight_offers()
    offers.loc[1, "freight_pct"] = -1.0
    with pytest.raises(DataError) as err:
        pu.choose_vendor(offers, 0)
    assert (err.value.row, err.value.column) == (3, "freight_pct")


# --------------------------------------------------------------------------------------------
# short history


def test_demand_stats_short_history_averages_since_first_use():
    as_of = pd.Timestamp("2025-12-31")
    usage = pd.DataFrame({
        "sku": ["new"] * 10 + ["one", "old", "old"],
        "date": [*pd.date_range("2025-12-21", "2025-12-30"), pd.Timestamp("2025-12-28"),
                 pd.Timestamp("2025-01-05"), pd.Timestamp("2025-12-30")],
        "quantity": [50] * 10 + [90, 7, 9],
    })
    out = pu.demand_stats(usage, as_of, 90, skus=["new", "one", "old", "never"]).set_index("sku")
    # new: first used Dec 21, 10 days before as_of (< 90): 500 / 10 = 50 a day, sd 0, flat
    # one: first used Dec 28, 3 days: [90, 0, 0] → mean 30; deviations 60, −30, −30:
    #      sd = √((3600 + 900 + 900) / 2) = √2700 = 51.96; slope: t − t̄ = −1, 0, 1:
    #      (−60 + 0 − 30) / 2 = −45
    # old: first used in January (long ago): 90 days, the Dec 30 use only: 9 / 90 = 0.1
    # never: no usage: 90 days of zeros, not short
    assert out["days"].tolist() == [10, 3, 90, 90]
    assert out["short_history"].tolist() == [True, True, False, False]
    assert out["demand_mean_per_day"].tolist() == pytest.approx([50, 30, 0.1, 0])
    assert out.loc["one", "demand_sd_per_day"] == pytest.approx(2700 ** 0.5)
    assert out.loc["one", "trend_per_day"] == pytest.approx(-45)
    assert out.loc["new", "demand_sd_per_day"] == 0
    assert out.loc["new", "first_use_date"] == pd.Timestamp("2025-12-21")
    assert pd.isna(out.loc["never", "first_use_date"])
    # first used the day before as_of: one day, no spread to measure (sd 0)
    last = pu.demand_stats(usage.iloc[[9]], as_of, 90)
    assert (last["days"].item(), last["demand_mean_per_day"].item(),
            last["demand_sd_per_day"].item()) == (1, 50, 0)
    # first used exactly 90 days before as_of (Oct 2): the full window, not short
    edge = pd.DataFrame({"sku": ["e"], "date": ["2025-10-02"], "quantity": [90]})
    out = pu.demand_stats(edge, as_of, 90)
    assert (out["days"].item(), out["short_history"].item(),
            out["demand_mean_per_day"].item()) == (90, False, 1.0)
