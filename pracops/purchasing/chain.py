"""The purchasing report's chain: :func:`run` loads the five datasets, works out what to
order today, from whom and how much, what will expire and where the practice overpays
(:func:`compute`, no I/O), writes the purchase-order drafts and returns a
:class:`PurchasingReport`. The notebook, ``pracops run`` (through the notebook) and an analyst
all call :func:`run`; the widgets explorer calls :func:`compute`, so moving a slider writes
no file. Every parameter has the name and the default of its declaration
(:mod:`pracops.purchasing.parameters`); money parameters are dollars, turned into cents once,
here (:func:`pracops.money.money_param`).

The calculations live in :mod:`pracops.purchasing.model`; :func:`compute` only chains them
(demand → offers and the vendor choice → stock → levels → expiry → order lines →
purchase-order drafts → ABC, savings and price changes → spend against budget → overdue
orders). What the notebook shows is :mod:`pracops.purchasing.view`.

Decisions
---------
Prices in force
    ``vendor_prices`` holds a row per price change. Every calculation (landed cost, the vendor
    to order from, the current vendor, stock value, spend, savings, order lines) uses the offer
    of each sku and vendor **in force on** ``as_of``: the row with the latest
    ``effective_date ≤ as_of`` (:func:`pracops.purchasing.model.prices_in_force`). A row dated after
    ``as_of`` is an announced change: listed in the price changes, never used yet. An item with
    no vendor price in force on ``as_of`` (its prices all start later), or an open order whose
    vendor has no price in force for its sku, stops the run naming the rows
    (:func:`check_prices_in_force`); a vendor whose only prices for an item start later, while
    another vendor's is in force, is a new offer announced, not an error.
Price changes
    :func:`pracops.purchasing.model.price_changes` over the ``price_lookback_days`` before ``as_of``
    (and any announced after it), per sku, vendor and date: previous and new landed cost per
    unit of use, the change in cents and percent, and its cost a year at the current usage
    (the annual units below × the change). The figures judge each sku and vendor on its
    **net** change over the window (:func:`pracops.purchasing.model.net_price_changes`:
    today's price
    against the one in force at the window's start), so a rise taken back within the window
    costs nothing; the per-change list stays as detail. ``price_increase_cost_cents`` adds up
    the net increases on the offers the practice buys from (its current vendor's): a vendor it
    does not buy from costs nothing by raising its price. A net increase is **material** — a
    warning — when it is at least ``material_price_increase_pct`` (5 %) on the current vendor's
    offer of a class A item (the 80 % of spend that deserves the closest watch); smaller
    increases, or those on B and C items, are listed without an alert.
Stock on hand
    The expiry date is the last day a lot may be used (the ``inventory_lots`` contract): a lot
    is **expired** on ``as_of`` when ``expiry_date < as_of``. A lot expiring on ``as_of`` is
    still on hand and usable that day (the count is taken before the day's use), with
    ``expiry_date − as_of + 1`` days of use left, as :func:`pracops.purchasing.model.expiring_lots`
    counts them. Expired lots are left out of the stock on hand and of the position, listed in
    :attr:`PurchasingPlan.expired` with their value, and raised as an alert; lots without an
    expiry date never expire.
Current vendor
    ``vendor_prices`` has no "current vendor" column. The current vendor of a sku is the vendor
    of its most recent open order (latest ``order_date``, then ``po_number``); a sku with no open
    order is taken to be bought at its cheapest landed cost: its current vendor is *unknown*,
    so savings are only claimed where the orders show the practice paying more, and the
    summary says for how many items the current vendor is known. Savings compare the current
    vendor with the vendor the report would choose (the same scoring, lead time weighed for
    critical items), never with a cheaper vendor the report would not order from.
    Stock is valued at the current vendor's landed cost per unit of use (pack price + freight
    per pack + freight as a percent of the pack price, ÷ units per pack), exactly, rounded once
    per lot or sku.
Freight
    Three kinds, each optional in ``vendor_prices``: per pack (``freight_per_pack``), a
    percent of the goods (``freight_pct``, in the landed cost) and a flat charge per purchase
    order (``freight_per_order``). The flat charge is not in the landed cost (it depends on
    the order): to compare vendors it is spread over the order being placed, or, with no
    order today (the vendor chosen for the levels, savings, the vendor comparison), over the
    item's typical order from that vendor — its EOQ at that vendor's landed cost with the
    flat freight added to the ordering cost, in whole packs and at least the vendor's
    minimum. A purchase-order draft charges it once (the largest of its lines' when they
    differ), on a line of its own; percent freight is rounded once per line.
Vendor to order from
    :func:`pracops.purchasing.model.choose_vendor`: the lowest cost per unit (landed, plus the
    per-order freight over a typical order), raised by
    ``critical_lead_time_pct_per_day`` percent of itself per day of lead time for critical
    items. That vendor's lead time (mean and spread) sets the sku's levels. When an order is
    needed, :func:`pracops.purchasing.model.order_lines` prices every vendor on the order it would
    take (packs after rounding and minimums × (pack price + freight per pack and percent),
    plus the per-order freight) per unit the practice
    will use before the stock expires or within the cover cap, with the same lead-time
    weighting, and orders from the cheapest by that measure: a vendor whose minimum is far
    larger than the need loses. (The levels keep the first vendor's lead time,
    ``levels_lead_time_days``; the line shows the ordering vendor's.)
Policy
    A periodic review (R, s, S): the report is run every ``review_days`` (``R``), so an order
    placed today is the last until the next review's order arrives ``R + L`` days later. Order
    when the position (unexpired on hand − the units that will expire before they are used,
    first expiry first out + still to be received on open orders) is at or below
    ``s = max(d (R + L) + SS_(R+L), m)``, up to ``S = max(d (R + L) + SS_(R+L), m + d R,
    s + EOQ)``, capped at ``max(min(d × shelf life, d × max_cover_days), m + d R)``, in whole
    packs raised to the vendor's minimum (an order larger than the cap is flagged
    ``oversized``). ``m`` is the item's ``min_on_hand`` (the practice's minimum for crash-cart
    drugs and the like); the shelf life is the item's ``shelf_life_days`` in ``items``, else
    the longest use left in its current lots (a lower bound; none for items without expiry
    dates). Stock kept as a minimum protects until it expires: for an item with a minimum
    only the lots expiring within ``R + L`` days leave the position, and its units expiring
    unused are reported as stock to replace, not to use up.
    The EOQ uses ``annual demand = 365 × d``, the ordering cost per order (plus the chosen
    vendor's freight per order) and ``holding % × landed cost`` per unit-year.
Demand
    Mean and spread of daily use over the ``demand_window_days`` before ``as_of``, a day
    without a usage row counting as zero. An item first used fewer than
    ``demand_window_days`` days ago is averaged over the days since its first use (not
    padded with zeros from before it was stocked) and listed as having a short history (an
    info alert, ``short_history_skus``). When the usage data end more than
    :data:`STALE_USAGE_DAYS` days before ``as_of`` the empty days still count as zero use
    and demand is understated: a warning (``usage_days_missing``). ``as_of`` is written
    ``YYYY-MM-DD`` (:func:`as_of_param`); money parameters are dollars in whole cents
    (:func:`pracops.money.money_param`). Overdue open orders still count as on order
    (they are flagged, and weigh in the stock-out risk as if lost).
Stock-out risk
    A sku is at risk when (a) its position is below its mean demand over the lead time
    (``d × L``: even an order placed today is likely to arrive after the shelf is empty);
    (b) its usable stock on hand (less the units expiring unused) is below the use until its
    first open order is expected — for an overdue order, until a new order placed today could
    arrive (the vendor's lead time), as if the late one were lost; or (c) it is critical and its
    usable stock on hand is below its minimum.
Annual units and spend
    Units used in the 365 days before ``as_of`` (a shorter usage history gives less: ABC
    classes are unaffected, savings are understated). Supply spend against budget is the
    usage of the ``budget_period_days`` before ``as_of`` at today's landed cost (the data hold
    no invoices).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pracops import config, data, report
from pracops.errors import ParameterError
from pracops.money import money_param, round_half_away
from pracops.purchasing import model as pu
from pracops.report import fmt_count, fmt_money, fmt_pct

__all__ = [
    "PurchasingInputs",
    "PurchasingPlan",
    "PurchasingReport",
    "run",
    "compute",
    "load_inputs",
    "check_inputs",
    "check_datasets",
    "check_prices_in_force",
    "default_as_of",
    "as_of_param",
    "summary_figures",
    "alerts",
    "po_frame",
    "po_summary_frame",
    "po_files",
    "po_names",
    "write_po_files",
]

REPORT_NAME = "purchasing"

_YEAR_DAYS = 365
STALE_USAGE_DAYS = 3
"""Days before ``as_of`` with no usage row at all (a long weekend) beyond which the usage data
are stale: those days count as zero use, understating demand (an alert)."""


@dataclass
class PurchasingInputs:
    """The five datasets of the purchasing report, as loaded and cross-checked."""

    items: pd.DataFrame
    vendor_prices: pd.DataFrame
    inventory_lots: pd.DataFrame
    usage: pd.DataFrame
    open_orders: pd.DataFrame


@dataclass
class PurchasingPlan:
    """Everything :func:`compute` works out, for the notebook to show.

    ``skus`` has one row per item: demand, levels (``max_stock_units``, the cap), stock
    (``expiring_units``: units on hand that will not be used before they expire and so are not
    in the position; ``usable_on_hand_units``), position, the chosen vendor and the order
    (``cover_days``: days the position plus the order lasts; ``oversized``), and the stock-out
    risk with its reasons (``below_minimum``, ``shelf_empty_before_delivery``,
    ``arrival_days``); ``lines`` the order lines to place today (packs > 0); ``lots`` every
    unexpired lot with an expiry date, with the units that will expire unused
    (``held_as_minimum`` when the item has a minimum on hand), ``days_to_expiry``
    (``expiry_date − as_of``, 0 for a lot expiring today) and ``days_of_use_left`` (one more:
    ``as_of`` and the expiry date both count); ``expired`` the lots already expired
    (``expiry_date < as_of``); ``offers`` every vendor offer scored; ``savings`` one row per sku;
    ``open_orders`` with ``outstanding_units``, ``days_late`` and ``overdue``;
    ``price_changes`` the :func:`pracops.purchasing.model.price_changes` table with ``current`` (the
    sku's current vendor), ``abc_class`` and ``material`` (a rise whose net change over the
    window is material); ``net_price_changes`` the
    :func:`pracops.purchasing.model.net_price_changes` table with the same three columns, which the
    figures use; ``savings`` has ``current_known`` (the sku has an open order). ``offers``
    and every figure use the prices in force on ``as_of``.
    """

    as_of: pd.Timestamp
    skus: pd.DataFrame
    lines: pd.DataFrame
    orders: list[pu.PurchaseOrder]
    abc: pd.DataFrame
    lots: pd.DataFrame
    expired: pd.DataFrame
    offers: pd.DataFrame
    savings: pd.DataFrame
    open_orders: pd.DataFrame
    price_changes: pd.DataFrame
    net_price_changes: pd.DataFrame
    inventory_value_cents: int
    expired_value_cents: int
    spend_cents: int
    budget_cents: int
    settings: dict[str, Any] = field(default_factory=dict)



# --- inputs ---------------------------------------------------------------------------------

def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> PurchasingInputs:
    """Load the five purchasing datasets from one folder (``None``: the bundled sample) and
    cross-check them (:func:`check_inputs`).

    Raises
    ------
    DataError
        A missing or malformed file, or rows the report cannot use (named, with row and
        column): negative quantities and packs of zero are refused by the loader.
    """
    inputs = PurchasingInputs(**{name: data.load(name, data_dir) for name in (
        "items", "vendor_prices", "inventory_lots", "usage", "open_orders")})
    check_inputs(inputs)
    return inputs


def _unknown(frame: pd.DataFrame, dataset: str, known: set[str], what: str) -> None:
    bad = (~frame["sku"].astype("object").isin(known)).to_numpy()
    if bad.any():
        raise data.rows_error(frame, bad, dataset, "sku", f"{what} of a sku not in items",
                              "a sku of the items file",
                              fix=f"add the sku to items or correct it in {dataset}")


def check_datasets(**frames: pd.DataFrame) -> None:
    """:func:`check_inputs` on the five datasets given by name (for
    :data:`pracops.data.RELATIONS`)."""
    check_inputs(PurchasingInputs(**frames))


def check_inputs(inputs: PurchasingInputs) -> None:
    """Refuse data the chain cannot use, naming the file, the rows and the fix.

    Every sku of ``vendor_prices``, ``inventory_lots``, ``usage`` and ``open_orders`` must be
    in ``items``; every item needs at least one vendor price; every open order's vendor must
    have a price for its sku (it values the order). Negative quantities, packs of zero and two
    prices of a sku and vendor with the same effective date are refused earlier, by
    :func:`pracops.data.load`, and again by :mod:`pracops.purchasing`. Whether the prices are
    in force on the report's date is checked when it runs (:func:`check_prices_in_force`).

    Raises
    ------
    DataError
        The first problem found.
    """
    known = set(inputs.items["sku"].astype("object"))
    _unknown(inputs.usage, "usage", known, "usage")
    _unknown(inputs.inventory_lots, "inventory_lots", known, "stock")
    _unknown(inputs.open_orders, "open_orders", known, "an order")
    _unknown(inputs.vendor_prices, "vendor_prices", known, "a price")
    priced = set(inputs.vendor_prices["sku"].astype("object"))
    no_price = (~inputs.items["sku"].astype("object").isin(priced)).to_numpy()
    if no_price.any():
        raise data.rows_error(inputs.items, no_price, "items", "sku",
                              "no vendor price for the sku", "a row in vendor_prices",
                              fix="add the vendor, pack size and price of the sku to "
                                  "vendor_prices, or remove the sku from items")
    orders = inputs.open_orders
    unpriced = _unpriced_orders(orders, inputs.vendor_prices)
    if unpriced.any():
        raise data.rows_error(orders, unpriced, "open_orders", "vendor",
                              "no vendor price for the order's vendor and sku",
                              "a vendor with a row for the sku in vendor_prices",
                              fix="add the vendor's price for the sku to vendor_prices")


def _unpriced_orders(orders: pd.DataFrame, offers: pd.DataFrame) -> np.ndarray:
    """Open-order rows whose vendor has no row for the sku in ``offers``."""
    offered = set(zip(offers["sku"].astype("object"), offers["vendor"].astype("object"),
                      strict=True))
    return np.array([(s, v) not in offered for s, v in zip(
        orders["sku"].astype("object"), orders["vendor"].astype("object"), strict=True)],
        dtype=bool)


def check_prices_in_force(inputs: PurchasingInputs, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The offers in force on ``as_of`` (:func:`pracops.purchasing.model.prices_in_force`), after
    refusing an item none of whose vendors has a price in force on ``as_of``, and an open order
    whose vendor has no price in force for its sku.

    Raises
    ------
    DataError
        Naming the items or open-order rows, the first price date and the fix; two prices of a
        sku and vendor with the same effective date (the ``vendor_prices`` rows).
    """
    day = pd.Timestamp(as_of).normalize()
    in_force = pu.prices_in_force(inputs.vendor_prices, day)
    priced = set(in_force["sku"].astype("object"))
    skus = inputs.items["sku"].astype("object")
    none = (~skus.isin(priced)).to_numpy()
    if none.any():
        sku = skus.to_numpy()[none][0]
        own = inputs.vendor_prices[(inputs.vendor_prices["sku"].astype("object") == sku)
                                   .to_numpy()]
        first = (f"; its first price starts {own['effective_date'].min().date()}"
                 if len(own) else "")
        raise data.rows_error(inputs.items, none, "items", "sku",
                              f"no vendor price in force on {day.date()} for the sku{first}",
                              "a row in vendor_prices effective on or before "
                              f"{day.date()}",
                              fix="add the price in force on that day to vendor_prices "
                                  "(with its effective date), or run for a later as_of")
    orders = inputs.open_orders
    unpriced = _unpriced_orders(orders, in_force)
    if unpriced.any():
        raise data.rows_error(orders, unpriced, "open_orders", "vendor",
                              f"no price in force on {day.date()} for the order's vendor "
                              "and sku", "a vendor with a row for the sku in vendor_prices "
                              f"effective on or before {day.date()}",
                              fix="add the vendor's price in force on that day to "
                                  "vendor_prices")
    return in_force


def default_as_of(inputs: PurchasingInputs) -> pd.Timestamp:
    """The day after the last usage row: the stock count is taken before that day's use."""
    if inputs.usage.empty:
        raise ParameterError("as_of is needed: the usage file has no rows to date the count by")
    return inputs.usage["date"].max().normalize() + pd.Timedelta(days=1)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_of_param(value: object) -> pd.Timestamp:
    """The ``as_of`` parameter as a day: ``YYYY-MM-DD`` text (ISO 8601), a date or a
    timestamp.

    Raises
    ------
    ParameterError
        Any other text (``31/12/2025``, ``yesterday``) or an impossible date (``2025-13-01``),
        naming ``as_of``.
    """
    if isinstance(value, pd.Timestamp | dt.date):
        return pd.Timestamp(value).normalize()
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _ISO_DAY.fullmatch(text):
        raise ParameterError(f"as_of must be a date written YYYY-MM-DD (e.g. 2025-12-31), or "
                             f"empty for the day after the last usage row; got {value!r}")
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError as err:
        raise ParameterError(f"as_of is not a valid date: {value!r} ({err}); write it "
                             "YYYY-MM-DD, e.g. 2025-12-31") from None


# --- the chain ------------------------------------------------------------------------------

def _percent_param(name: str, value: float) -> float:
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or value < 0):
        raise ParameterError(f"{name} must be a percentage, 0 or more, got {value!r}")
    return float(value)


def _current_vendors(offers: pd.DataFrame, open_orders: pd.DataFrame) -> pd.Series:
    """``current`` per offer: the vendor of the sku's most recent open order."""
    latest = (open_orders.assign(sku=open_orders["sku"].astype("object"),
                                 vendor=open_orders["vendor"].astype("object"))
              .sort_values(["order_date", "po_number"], kind="mergesort")
              .groupby("sku")["vendor"].last())
    keys = offers["sku"].astype("object")
    return pd.Series((keys.map(latest) == offers["vendor"].astype("object")).fillna(False)
                     .to_numpy(dtype=bool), index=offers.index)


def _arrival_days(orders: pd.DataFrame, offers: pd.DataFrame,
                  as_of: pd.Timestamp) -> pd.Series:
    """Per sku with units still to come: days until the first open order is expected. An
    overdue order is treated as lost: a new order would take the vendor's lead time."""
    lead = dict(zip(zip(offers["sku"], offers["vendor"], strict=True),
                    offers["lead_time_days"].astype(float), strict=True))
    coming = orders[(orders["outstanding_units"] > 0).to_numpy()]
    days = [lead.get((s, v), 0.0) if late else max(float((e - as_of).days), 0.0)
            for s, v, e, late in zip(coming["sku"], coming["vendor"].astype("object"),
                                     coming["expected_date"], coming["overdue"], strict=True)]
    return pd.Series(days, index=coming["sku"].to_numpy(), dtype=float).groupby(
        level=0).min()


def _annual_units(usage: pd.DataFrame, as_of: pd.Timestamp, skus: list[str]) -> pd.Series:
    start = as_of - pd.Timedelta(days=_YEAR_DAYS)
    inside = usage[((usage["date"] >= start) & (usage["date"] < as_of)).to_numpy()]
    total = inside.groupby(inside["sku"].astype("object"))["quantity"].sum()
    return total.reindex(skus, fill_value=0).astype(float)



def compute(
    inputs: PurchasingInputs,
    *,
    as_of: str | pd.Timestamp | None = "",
    demand_window_days: int = 90,
    review_days: float = 7.0,
    service_level: float = 0.95,
    critical_service_level: float = 0.99,
    critical_lead_time_pct_per_day: float = 1.0,
    max_cover_days: int = 180,
    holding_cost_pct: float = 25.0,
    order_cost: float = 25.0,
    supply_budget: float = 340000.0,
    budget_period_days: int = 365,
    expiry_window_days: int = 90,
    abc_a_share: float = 0.8,
    abc_b_share: float = 0.95,
    price_lookback_days: int = 365,
    material_price_increase_pct: float = 5.0,
) -> PurchasingPlan:
    """What to order today, from whom and how much; what will expire; where we overpay. No
    I/O: :func:`run` loads the inputs and writes the drafts; the explorer calls this alone.

    See the module docstring for the decisions (expired stock, current vendor, policy).
    Parameters are those of the report (:mod:`pracops.purchasing.parameters`), same names,
    same defaults.

    Parameters
    ----------
    inputs
        From :func:`load_inputs`.
    as_of
        Day of the stock count (before that day's use), ``YYYY-MM-DD``; ``""`` (or ``None``):
        :func:`default_as_of`.
    demand_window_days
        Days before ``as_of`` whose usage gives the mean and spread of daily demand.
    review_days
        ``R``, days between purchasing reviews: a periodic review, so the reorder point and
        the order-up-to level both cover ``R + L`` days.
    service_level, critical_service_level
        Cycle service levels (probability of no stock-out over a review period and lead
        time) for ordinary and critical items.
    critical_lead_time_pct_per_day
        Percent of the landed cost per unit of use charged for each day of lead time when
        choosing the vendor of a critical item.
    max_cover_days
        The order-up-to level never covers more than this many days of use (nor more than the
        item uses before it expires); a vendor minimum can still force more (flagged).
    holding_cost_pct
        Cost of holding stock for a year, percent of its value.
    order_cost
        Cost of placing one order line (staff time, receiving), dollars, for the EOQ.
    supply_budget, budget_period_days
        The supply budget (dollars) for the ``budget_period_days`` before ``as_of``.
    expiry_window_days
        Lots expiring within this many days are listed (watch list).
    abc_a_share, abc_b_share
        ABC class boundaries on the cumulative share of annual spend.
    price_lookback_days
        Price changes effective in this many days before ``as_of`` are listed.
    material_price_increase_pct
        A net increase over the look-back window of at least this many percent on the
        current vendor's offer of a class A item is material (an alert).

    Raises
    ------
    ParameterError
        A bad parameter (named, with what it accepts).
    DataError
        Data the chain cannot use (file, rows, column, fix).
    """
    when = default_as_of(inputs) if as_of is None or as_of == "" else as_of_param(as_of)
    holding = _percent_param("holding_cost_pct", holding_cost_pct)
    material = _percent_param("material_price_increase_pct", material_price_increase_pct)
    order_cost_cents = money_param("order_cost", order_cost)
    supply_budget_cents = money_param("supply_budget", supply_budget)
    if order_cost_cents < 0:
        raise ParameterError(f"order_cost must be 0 dollars or more, got {order_cost!r}")
    if supply_budget_cents < 1:
        raise ParameterError(f"supply_budget must be more than 0 dollars, got {supply_budget!r}")
    for name, value, low in (("max_cover_days", max_cover_days, 1),
                             ("budget_period_days", budget_period_days, 1),
                             ("expiry_window_days", expiry_window_days, 0),
                             ("price_lookback_days", price_lookback_days, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ParameterError(f"{name} must be a whole number ≥ {low}, got {value!r}")
    items = inputs.items.assign(sku=inputs.items["sku"].astype("object"))
    skus = list(items["sku"])

    # Demand over the window (a new item over the days since its first use).
    demand = pu.demand_stats(inputs.usage.assign(sku=inputs.usage["sku"].astype("object")),
                             when, demand_window_days, skus=skus)
    daily = dict(zip(demand["sku"], demand["demand_mean_per_day"], strict=True))
    offers, scored = _score_offers(inputs, items, daily, when, order_cost_cents, holding,
                                   critical_lead_time_pct_per_day, skus)
    unit_cost = scored[scored["current"].to_numpy()].set_index("sku")["landed_per_unit"]
    usable, expired, orders = _stock(inputs, when, unit_cost)
    levels = _levels(items, demand, scored, unit_cost, service_level, review_days,
                     critical_service_level)
    expiring, lost, minimum = _expiry(usable, levels, when, review_days, skus)

    # Orders: the level capped by shelf life and cover, the vendor by the cost of the order.
    levels = pu.cap_order_up_to(levels, review_days, max_cover_days)
    levels["on_hand_units"] = (usable.groupby("sku")["quantity"].sum()
                               .reindex(skus, fill_value=0).to_numpy())
    levels["expiring_units"] = lost.to_numpy()
    levels["on_order_units"] = (orders.groupby("sku")["outstanding_units"].sum()
                                .reindex(skus, fill_value=0).to_numpy())
    levels["levels_lead_time_days"] = levels["lead_time_days"]
    lines = pu.order_lines(levels, offers, critical_lead_time_pct_per_day)
    lines = _risk_and_value(lines, orders, offers, when, minimum, skus)
    placed = lines[(lines["order_packs"] > 0).to_numpy()].reset_index(drop=True)

    # Review: ABC, savings, price changes, spend against budget.
    annual = _annual_units(inputs.usage, when, skus)
    cost_of = unit_cost.to_dict()  # one lookup per sku, not pandas'
    abc = _abc(annual, cost_of, skus, abc_a_share, abc_b_share)
    savings = pu.vendor_savings(scored, annual, critical_lead_time_pct_per_day)
    savings["current_known"] = savings["sku"].isin(set(
        inputs.open_orders["sku"].astype("object"))).to_numpy()
    changes, net = _price_changes(inputs.vendor_prices, scored, abc, annual, when,
                                  price_lookback_days, material)
    spend_cents = _period_spend(inputs.usage, when, budget_period_days, cost_of)

    return PurchasingPlan(
        as_of=when, skus=lines, lines=placed, orders=pu.purchase_orders(placed), abc=abc,
        lots=expiring, expired=expired.reset_index(drop=True), offers=scored,
        savings=savings, open_orders=orders, price_changes=changes, net_price_changes=net,
        inventory_value_cents=int(usable["value_cents"].sum()),
        expired_value_cents=int(expired["value_cents"].sum()),
        spend_cents=int(spend_cents), budget_cents=int(supply_budget_cents),
        settings={"service_level": service_level,
                  "critical_service_level": critical_service_level,
                  "review_days": review_days, "holding_cost_pct": holding_cost_pct,
                  "order_cost_cents": order_cost_cents,
                  "critical_lead_time_pct_per_day": critical_lead_time_pct_per_day,
                  "max_cover_days": max_cover_days,
                  "demand_window_days": demand_window_days,
                  "budget_period_days": budget_period_days,
                  "expiry_window_days": expiry_window_days,
                  "price_lookback_days": price_lookback_days,
                  "material_price_increase_pct": material,
                  "usage_last_date": (inputs.usage["date"].max().normalize()
                                      if len(inputs.usage) else None)},
    )


def _score_offers(inputs: PurchasingInputs, items: pd.DataFrame, daily: Mapping[str, float],
                  when: pd.Timestamp, order_cost_cents: int, holding_pct: float,
                  critical_lead_time_pct_per_day: float,
                  skus: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The offers in force on ``when`` with each one's typical order, and those offers scored
    (:func:`pracops.purchasing.model.choose_vendor`) with ``current`` marking the vendor the
    practice buys from: its latest open order's, else the cheapest (the current vendor
    unknown)."""
    in_force = check_prices_in_force(inputs, when)
    offers = in_force.assign(sku=in_force["sku"].astype("object"),
                             vendor=in_force["vendor"].astype("object")).reset_index(drop=True)
    # Each offer's typical order: the EOQ at its own landed cost, its per-order freight
    # added to the ordering cost; the per-order freight is spread over it to compare vendors.
    landed = pu.choose_vendor(offers, 0)
    per_order = (landed["freight_per_order_cents"] if "freight_per_order_cents" in landed
                 else pd.Series(0, index=landed.index))  # empty cells are 0 there
    offers["typical_order_units"] = [
        pu.eoq(daily[s] * _YEAR_DAYS, order_cost_cents + int(o), holding_pct / 100 * float(c))
        if holding_pct / 100 * float(c) > 0 else 0.0
        for s, o, c in zip(landed["sku"], per_order, landed["landed_per_unit"], strict=True)]
    critical = dict(zip(items["sku"], items["critical"].astype(bool), strict=True))
    offers["critical"] = offers["sku"].map(critical)
    offers["current"] = _current_vendors(offers, inputs.open_orders)
    scored = pu.choose_vendor(offers, critical_lead_time_pct_per_day, skus=skus)
    # The cheapest offer: choose_vendor's pick without the lead-time charge, on the same costs.
    cheapest = pu.lowest_per_sku(scored["sku"], scored["cost_per_unit"].to_numpy(),
                                 scored["lead_time_days"].to_numpy(), scored["vendor"])
    scored["current"] = scored["current"].to_numpy() | (
        ~scored["sku"].isin(scored.loc[scored["current"], "sku"]).to_numpy() & cheapest)
    return offers, scored


def _stock(inputs: PurchasingInputs, when: pd.Timestamp, unit_cost: pd.Series
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The lots valued at the current vendor's landed cost, split into usable and expired on
    ``when`` (usable through the expiry date), and the open orders with what is outstanding
    and overdue."""
    lots = inputs.inventory_lots.assign(sku=inputs.inventory_lots["sku"].astype("object"))
    lots["unit_cost_cents"] = lots["sku"].map(unit_cost)
    lots["value_cents"] = [round_half_away(q * c) for q, c in zip(
        lots["quantity"].astype(int), lots["unit_cost_cents"], strict=True)]
    is_expired = (lots["expiry_date"].notna() & (lots["expiry_date"] < when)).to_numpy()
    orders = pu.overdue_orders(inputs.open_orders.assign(
        sku=inputs.open_orders["sku"].astype("object")), when)
    return lots[~is_expired], lots[is_expired], orders


def _levels(items: pd.DataFrame, demand: pd.DataFrame, scored: pd.DataFrame,
            unit_cost: pd.Series, service_level: float, review_days: float,
            critical_service_level: float) -> pd.DataFrame:
    """Per sku: demand, the levels at the chosen vendor's lead time, and the order-up-to
    level raised to the reorder point plus the chosen offer's typical order (EOQ)."""
    chosen = scored[scored["chosen"].to_numpy()].set_index("sku")
    columns = ["sku", "description", "category", "unit_of_use", "critical", "min_on_hand",
               "shelf_life_days"]
    table = items.reindex(columns=columns).merge(demand, on="sku", how="left", validate="1:1")
    table["lead_time_days"] = table["sku"].map(chosen["lead_time_days"]).astype(float)
    table["lead_time_sd_days"] = table["sku"].map(chosen["lead_time_sd_days"]).astype(float)
    levels = pu.stock_levels(table, service_level, review_days, critical_service_level)
    levels["unit_cost_cents"] = levels["sku"].map(unit_cost)
    levels["eoq_units"] = levels["sku"].map(chosen["typical_order_units"]).astype(float)
    levels["order_up_to_units"] = np.maximum(
        levels["order_up_to_units"], levels["reorder_point_units"] + levels["eoq_units"])
    return levels


def _expiry(usable: pd.DataFrame, levels: pd.DataFrame, when: pd.Timestamp,
            review_days: float, skus: list[str]) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Stock that will expire unused, before the orders: it does not protect.

    Returns the dated lots with what expires unused (:func:`pracops.purchasing.model.
    expiring_lots`), the units per sku that leave the position, and each sku's minimum on hand
    (0 for none). Sets ``levels["shelf_life_days"]`` where the items file has none: the
    longest use left in the sku's lots."""
    dated = usable[usable["expiry_date"].notna().to_numpy()]
    rates = pd.Series(levels["demand_mean_per_day"].to_numpy(), index=levels["sku"])
    expiring = pu.expiring_lots(dated, rates, when)
    expiring["days_to_expiry"] = (expiring["expiry_date"] - when).dt.days
    expiring["days_of_use_left"] = expiring["days_to_expiry"] + 1  # as_of and expiry day count
    minimum = levels.set_index("sku")["min_on_hand"].astype("Float64").fillna(0.0).astype(float)
    horizon = review_days + levels.set_index("sku")["lead_time_days"]
    held = expiring["sku"].map(minimum).to_numpy() > 0
    expiring["held_as_minimum"] = held
    # Stock kept as a minimum protects until it expires: only what expires before the next
    # order could arrive (R + L days) leaves its position; any other item loses every unit
    # that will expire unused.
    counts = ~held | (expiring["days_of_use_left"].to_numpy()
                      <= expiring["sku"].map(horizon).to_numpy())
    lost = (expiring["expiring_units"].where(counts, 0.0).groupby(expiring["sku"]).sum()
            .reindex(skus, fill_value=0.0))
    from_lots = expiring.groupby("sku")["days_of_use_left"].max().reindex(skus).astype(float)
    catalogue = levels["shelf_life_days"].astype("Float64").astype(float)
    levels["shelf_life_days"] = catalogue.fillna(pd.Series(from_lots.to_numpy(),
                                                           index=levels.index))
    return expiring, lost, minimum


def _risk_and_value(lines: pd.DataFrame, orders: pd.DataFrame, offers: pd.DataFrame,
                    when: pd.Timestamp, minimum: pd.Series, skus: list[str]) -> pd.DataFrame:
    """The order lines with the days of cover, the stock-out risk and its reasons, the value
    of the safety and average stock, and the vendor's item number."""
    d = lines["demand_mean_per_day"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lines["cover_days"] = np.where(
            d > 0, (lines["position_units"] + lines["order_units"]).to_numpy(dtype=float) / d,
            np.inf)
    lines["usable_on_hand_units"] = lines["on_hand_units"] - lines["expiring_units"]
    arrival = _arrival_days(orders, offers, when).reindex(skus)
    lines["arrival_days"] = arrival.to_numpy()
    minimum_units = lines["sku"].map(minimum).to_numpy(dtype=float)
    shelf_short = (arrival.notna().to_numpy()
                   & (lines["usable_on_hand_units"].to_numpy() < d * arrival.fillna(0.0)
                      .to_numpy()))
    below_minimum = (lines["critical"].to_numpy(dtype=bool) & (minimum_units > 0)
                     & (lines["usable_on_hand_units"].to_numpy() < minimum_units))
    too_late = (lines["position_units"] < lines["demand_mean_per_day"]
                * lines["lead_time_days"]).to_numpy()
    lines["stockout_risk"] = too_late | shelf_short | below_minimum
    lines["below_minimum"] = below_minimum
    lines["shelf_empty_before_delivery"] = shelf_short
    lines["safety_stock_value_cents"] = [
        round_half_away(Fraction(max(ss, 0.0)) * c)
        for ss, c in zip(lines["safety_stock_units"], lines["unit_cost_cents"], strict=True)]
    cycle = (lines["order_up_to_units"] - lines["reorder_point_units"]).clip(lower=0) / 2
    lines["average_stock_value_cents"] = [
        round_half_away(Fraction(max(ss, 0.0) + q) * c) for ss, q, c in zip(
            lines["safety_stock_units"], cycle, lines["unit_cost_cents"], strict=True)]
    item_numbers = dict(zip(zip(offers["sku"], offers["vendor"], strict=True),
                            offers["vendor_item_number"], strict=True))
    lines["vendor_item_number"] = [item_numbers[key] for key in zip(
        lines["sku"], lines["vendor"], strict=True)]
    return lines


def _abc(annual: pd.Series, cost_of: Mapping[str, Fraction], skus: list[str],
         abc_a_share: float, abc_b_share: float) -> pd.DataFrame:
    """ABC classes of the annual spend: a year's units at the current landed cost."""
    annual_of = annual.to_dict()
    spend = pd.DataFrame({"sku": skus, "annual_spend_cents": [
        round_half_away(Fraction(repr(float(annual_of[s]))) * cost_of[s]) for s in skus]})
    return pu.abc_classes(spend, abc_a_share, abc_b_share)


def _price_changes(prices: pd.DataFrame, scored: pd.DataFrame, abc: pd.DataFrame,
                   annual: pd.Series, when: pd.Timestamp, price_lookback_days: int,
                   material_price_increase_pct: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The price changes of the look-back window and their net per sku and vendor, each with
    ``current`` (the offer the practice buys from), ``abc_class`` and ``material``: a net
    rise of at least ``material_price_increase_pct`` on the current offer of a class A item
    (a rise taken back is no rise)."""
    changes = pu.price_changes(prices, when, annual, price_lookback_days)
    net = pu.net_of_changes(changes)  # = net_price_changes with the same arguments
    buying = set(zip(scored.loc[scored["current"], "sku"], scored.loc[scored["current"],
                                                                      "vendor"], strict=True))
    threshold = Fraction(repr(material_price_increase_pct)) / 100
    classes = abc.set_index("sku")["abc_class"]
    for frame in (changes, net):
        frame["current"] = [key in buying for key in zip(frame["sku"], frame["vendor"],
                                                         strict=True)]
        frame["abc_class"] = frame["sku"].map(classes)
    net["material"] = (net["current"] & (net["abc_class"] == "A")
                       & pd.Series([d > 0 and (p == 0 or d / p >= threshold) for d, p in zip(
                           net["change_per_unit"], net["previous_landed_per_unit"],
                           strict=True)], index=net.index, dtype=bool))
    material_keys = set(zip(net.loc[net["material"], "sku"], net.loc[net["material"], "vendor"],
                            strict=True))
    changes["material"] = (~changes["announced"] & (changes["change_per_unit"] > 0)
                           & pd.Series([k in material_keys for k in zip(
                               changes["sku"], changes["vendor"], strict=True)],
                               index=changes.index, dtype=bool))
    return changes, net


def _period_spend(usage: pd.DataFrame, when: pd.Timestamp, budget_period_days: int,
                  cost_of: Mapping[str, Fraction]) -> int:
    """The usage of the ``budget_period_days`` before ``when`` at today's landed cost."""
    start = when - pd.Timedelta(days=budget_period_days)
    period = usage[((usage["date"] >= start) & (usage["date"] < when)).to_numpy()]
    used = period.groupby(period["sku"].astype("object"))["quantity"].sum()
    return sum(round_half_away(int(q) * cost_of[s]) for s, q in used.items())


# --- the one entry point ----------------------------------------------------------------------

@dataclass
class PurchasingReport:
    """What :func:`run` returns: the inputs, the plan, the figures the notebook records, the
    alerts it raises and the hand-out files it wrote.

    Attributes
    ----------
    inputs
        The five datasets, loaded and cross-checked (:func:`load_inputs`).
    plan
        Everything :func:`compute` works out (:class:`PurchasingPlan`).
    figures
        :func:`summary_figures` of the plan: what a scheduled run records.
    alerts
        :func:`alerts`: ``(level, message)`` threshold breaches.
    files
        The purchase-order drafts written (:func:`write_po_files`).
    parameters
        The parameters :func:`compute` ran with, by their declared names (the explorer starts
        from them).
    """

    inputs: PurchasingInputs
    plan: PurchasingPlan
    figures: dict[str, Any]
    alerts: list[tuple[str, str]]
    files: list[Path]
    parameters: dict[str, Any]


def run(
    data_dir: str | None = None,
    *,
    as_of: str = "",
    demand_window_days: int = 90,
    review_days: float = 7.0,
    service_level: float = 0.95,
    critical_service_level: float = 0.99,
    critical_lead_time_pct_per_day: float = 1.0,
    max_cover_days: int = 180,
    holding_cost_pct: float = 25.0,
    order_cost: float = 25.0,
    supply_budget: float = 340000.0,
    budget_period_days: int = 365,
    expiry_window_days: int = 90,
    abc_a_share: float = 0.8,
    abc_b_share: float = 0.95,
    price_lookback_days: int = 365,
    material_price_increase_pct: float = 5.0,
    output_dir: str | None = None,
) -> PurchasingReport:
    """The purchasing report, end to end: load the five datasets from ``data_dir`` (``None``:
    the bundled sample), :func:`compute` the plan, work out its figures and alerts, and write
    the purchase-order drafts to ``output_dir`` (``None``: beside the report,
    :func:`pracops.config.report_files_dir`).

    Every parameter is the notebook's, by the same name and default
    (:mod:`pracops.purchasing.parameters`); see :func:`compute` for what each means.

    Examples
    --------
    >>> from pracops.purchasing import chain
    >>> result = chain.run(as_of="2025-12-31", output_dir="/tmp/po")  # doctest: +SKIP
    >>> result.figures["order_total_cents"]  # doctest: +SKIP

    Raises
    ------
    ParameterError
        A bad parameter (named, with what it accepts).
    DataError
        Data the report cannot use (file, rows, column, fix).
    """
    parameters = dict(
        as_of=as_of, demand_window_days=demand_window_days, review_days=review_days,
        service_level=service_level, critical_service_level=critical_service_level,
        critical_lead_time_pct_per_day=critical_lead_time_pct_per_day,
        max_cover_days=max_cover_days, holding_cost_pct=holding_cost_pct, order_cost=order_cost,
        supply_budget=supply_budget, budget_period_days=budget_period_days,
        expiry_window_days=expiry_window_days, abc_a_share=abc_a_share, abc_b_share=abc_b_share,
        price_lookback_days=price_lookback_days,
        material_price_increase_pct=material_price_increase_pct)
    inputs = load_inputs(data_dir)
    plan = compute(inputs, **parameters)
    figures = summary_figures(plan)
    found = alerts(plan, figures)
    files = write_po_files(plan, config.report_files_dir(output_dir, REPORT_NAME))
    return PurchasingReport(inputs=inputs, plan=plan, figures=figures, alerts=found,
                            files=files, parameters=parameters)



# --- figures, words and alerts ----------------------------------------------------------------

def summary_figures(plan: PurchasingPlan) -> dict[str, Any]:
    """The figures a scheduled run records (the summary JSON).

    ``spend_vs_budget_pct`` is a fraction (0.93 is 93 %), as every ``*_pct`` figure on the
    index page. ``below_reorder_point_skus`` are the skus with an order line today;
    ``stockout_risk_skus`` those at risk of running out (see the module docstring).
    ``expiring_lots`` are the lots with units that will expire before they are used (any
    date), ``expiring_value_cents`` their value (each lot says whether it is ``held_as_minimum``:
    stock kept as the item's minimum, to be replaced, not used up), with
    ``minimum_expiring_value_cents`` the part held as minimum; ``oversized_order_lines`` the
    skus whose order (a pack size or vendor minimum) is more than they use before expiry or
    within the cover cap; ``cheaper_vendor`` the skus with savings from switching to the vendor
    the report would choose; ``current_vendor_known_skus`` and
    ``current_vendor_unknown_skus`` count the items whose current vendor the open orders show
    and those assumed; ``overdue_orders`` the purchase orders with an overdue line.
    ``price_increase_cost_cents`` is the cost a year, at the current usage, of the **net**
    price increases over the look-back window (today's price against the one in force at its
    start) on the current vendors' offers; ``price_changes`` counts every change in force (any
    vendor, up or down), ``material_price_increases`` lists the material net increases and
    ``announced_price_changes`` counts those dated after ``as_of``. ``usage_last_date`` is
    the last day with a usage row and ``usage_days_missing`` the days between it and ``as_of``
    with none (an alert above :data:`STALE_USAGE_DAYS`; ``None`` without usage);
    ``short_history_skus`` the items first used fewer than ``demand_window_days`` days ago,
    whose demand is averaged over the days since their first use.
    ``order_total_cents`` is the sum of the drafts' totals, freight per order included.
    """
    s = plan.skus
    lots = plan.lots[plan.lots["expiring_units"] > 0]
    saving = plan.savings[plan.savings["annual_savings_cents"] > 0].sort_values(
        ["annual_savings_cents", "sku"], ascending=[False, True])
    overdue = plan.open_orders[plan.open_orders["overdue"].to_numpy()]
    ratio = pu.spend_vs_budget(plan.spend_cents, plan.budget_cents)
    pc = plan.price_changes
    taken = pc[(~pc["announced"]).to_numpy()]
    net = plan.net_price_changes
    paid = net[(net["current"] & (net["annual_impact_cents"] > 0)).to_numpy()]
    material = net[net["material"].to_numpy()].sort_values(
        ["annual_impact_cents", "sku"], ascending=[False, True])
    known = int(plan.savings["current_known"].sum())
    last = plan.settings.get("usage_last_date")
    missing = ((plan.as_of - last).days - 1 if last is not None and not pd.isna(last)
               else None)
    return {
        "as_of": plan.as_of.date().isoformat(),
        "skus": len(s),
        "order_lines": len(plan.lines),
        "order_total_cents": int(sum(o.total_cents for o in plan.orders)),
        "purchase_orders": [{"vendor": o.vendor, "lines": len(o.lines),
                             "total_cents": o.total_cents} for o in plan.orders],
        "below_reorder_point_skus": sorted(plan.lines["sku"]),
        "stockout_risk_skus": sorted(s.loc[s["stockout_risk"].to_numpy(), "sku"]),
        "critical_below_reorder_point_skus": sorted(
            plan.lines.loc[plan.lines["critical"].to_numpy(), "sku"]),
        "expiring_value_cents": int(lots["expiring_value_cents"].sum()),
        "expiring_lots": [{"sku": r.sku, "lot": r.lot, "expiry_date": r.expiry_date.date()
                           .isoformat(), "quantity_expiring": round(r.expiring_units, 2),
                           "value_cents": int(r.expiring_value_cents),
                           "held_as_minimum": bool(r.held_as_minimum)}
                          for r in lots.itertuples()],
        "minimum_expiring_value_cents": int(
            lots.loc[lots["held_as_minimum"].to_numpy(), "expiring_value_cents"].sum()),
        "oversized_order_lines": sorted(plan.lines.loc[plan.lines["oversized"].to_numpy(),
                                                       "sku"]),
        "expired_value_cents": plan.expired_value_cents,
        "expired_lots": [{"sku": r.sku, "lot": r.lot, "quantity": int(r.quantity)}
                         for r in plan.expired.itertuples()],
        "savings_available_cents": int(saving["annual_savings_cents"].sum()),
        "cheaper_vendor": [{"sku": r.sku, "current_vendor": r.current_vendor,
                            "cheaper_vendor": r.chosen_vendor,
                            "annual_savings_cents": int(r.annual_savings_cents)}
                           for r in saving.itertuples()],
        "current_vendor_known_skus": known,
        "current_vendor_unknown_skus": len(plan.savings) - known,
        "inventory_value_cents": plan.inventory_value_cents,
        "safety_stock_value_cents": int(s["safety_stock_value_cents"].sum()),
        "average_stock_value_cents": int(s["average_stock_value_cents"].sum()),
        "supply_spend_cents": plan.spend_cents,
        "supply_budget_cents": plan.budget_cents,
        "spend_vs_budget_pct": round(float(ratio), 4),
        "overdue_orders": sorted(set(overdue["po_number"].astype("object"))),
        "abc_counts": {c: int((plan.abc["abc_class"] == c).sum()) for c in "ABC"},
        "price_changes": len(taken),
        "price_increases": int((taken["change_per_unit"] > 0).sum()),
        "price_increase_cost_cents": int(paid["annual_impact_cents"].sum()),
        "material_price_increases": [
            {"sku": r.sku, "vendor": r.vendor, "effective_date": r.effective_date.date()
             .isoformat(), "change_pct": round(r.change_pct, 4),
             "annual_impact_cents": int(r.annual_impact_cents)}
            for r in material.itertuples()],
        "announced_price_changes": int(pc["announced"].sum()),
        "usage_last_date": (last.date().isoformat() if missing is not None else None),
        "usage_days_missing": missing,
        "short_history_skus": sorted(s.loc[s["short_history"].astype(bool).to_numpy(), "sku"]),
    }


def alerts(plan: PurchasingPlan, fig: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Threshold breaches as ``(level, message)``: stock-out risks (critical for critical
    items), stock expiring unused, expired stock on the shelf, overdue orders, material price
    increases, savings and spend over budget."""
    out: list[tuple[str, str]] = []
    s = plan.skus.set_index("sku")
    missing = fig.get("usage_days_missing")
    if missing is not None and missing > STALE_USAGE_DAYS:
        window = plan.settings["demand_window_days"]
        out.append(("warning", f"The usage data end on {fig['usage_last_date']}: the "
                               f"{missing} days before the count date {fig['as_of']} have no "
                               "usage recorded and count as zero use, so demand, reorder "
                               f"points and orders are understated (by about {missing} of "
                               f"{window} days of the window). Export the latest usage, or "
                               "set as_of to the day after the last usage row."))
    if fig.get("short_history_skus"):
        days = s.loc[fig["short_history_skus"], "days"]
        out.append(("info", "Short usage history (first used less than "
                            f"{plan.settings['demand_window_days']} days ago; demand averaged "
                            "over the days since first use, a less certain estimate): "
                            + ", ".join(f"{s.loc[k, 'description']} ({k}, {int(d)} days)"
                                        for k, d in days.items()) + "."))
    for sku in fig["stockout_risk_skus"]:
        row = s.loc[sku]
        d = row["demand_mean_per_day"]
        shelf = row["usable_on_hand_units"]
        if row["below_minimum"]:
            why = (f"{fmt_count(shelf)} {row['unit_of_use']}s usable on hand, below its minimum "
                   f"of {fmt_count(row['min_on_hand'])}")
        elif row["shelf_empty_before_delivery"]:
            why = (f"the {fmt_count(shelf)} {row['unit_of_use']}s on the shelf last about "
                   f"{shelf / d:.1f} days; the open order is not expected for "
                   f"{row['arrival_days']:.1f} days (an overdue order counted as lost)")
        else:
            days = row["position_units"] / d if d > 0 else math.inf
            why = (f"{fmt_count(row['position_units'])} {row['unit_of_use']}s on hand and on "
                   f"order last about {days:.1f} days; delivery takes "
                   f"{row['lead_time_days']:.1f} days")
        out.append(("critical" if row["critical"] else "warning",
                    f"{row['description']} ({sku}): {why}. Order today"
                    f"{' and expedite' if row['critical'] else ''}."))
    for lot in fig["expiring_lots"]:
        head = (f"Lot {lot['lot']} of {s.loc[lot['sku'], 'description']} ({lot['sku']}): "
                f"about {lot['quantity_expiring']:.0f} units ({fmt_money(lot['value_cents'])})")
        if lot["held_as_minimum"]:
            out.append(("warning", f"{head} will expire on the shelf on {lot['expiry_date']}: "
                                   "stock kept as the item's minimum of "
                                   f"{fmt_count(s.loc[lot['sku'], 'min_on_hand'])}; budget "
                                   "its replacement before then."))
        else:
            out.append(("warning", f"{head} will expire unused on {lot['expiry_date']}; use it "
                                   "first or return it."))
    if fig["expired_lots"]:
        out.append(("warning", f"{len(fig['expired_lots'])} expired lot(s) on the shelf "
                               f"({fmt_money(fig['expired_value_cents'])}): remove and "
                               "dispose of them."))
    late = plan.open_orders[plan.open_orders["overdue"].to_numpy()]
    for po, part in late.groupby(late["po_number"].astype("object"), sort=True):
        shelves = []
        for sku in dict.fromkeys(part["sku"].astype("object")):
            d, shelf = s.loc[sku, "demand_mean_per_day"], s.loc[sku, "usable_on_hand_units"]
            if d > 0:
                days = shelf / d
                empty = (plan.as_of + pd.Timedelta(days=math.floor(days))).date()
                shelves.append(f"the shelf of {s.loc[sku, 'description']} ({sku}) runs out in "
                               f"about {days:.1f} days ({empty})")
        out.append(("warning", f"{po} from {part['vendor'].iloc[0]} was due "
                               f"{part['expected_date'].max().date()} "
                               f"({int(part['days_late'].max())} days late) with "
                               f"{fmt_count(part['outstanding_units'].sum())} units "
                               "outstanding" + (f"; {'; '.join(shelves)}" if shelves else "")
                               + ". Call the vendor."))
    for m in fig["material_price_increases"]:
        out.append(("warning", f"{s.loc[m['sku'], 'description']} ({m['sku']}): "
                               f"{m['vendor']} raised its price {fmt_pct(m['change_pct'])} "
                               f"from {m['effective_date']}, "
                               f"{fmt_money(m['annual_impact_cents'])} a year at the current "
                               "usage; a class A item: renegotiate or compare vendors."))
    for row in fig["cheaper_vendor"]:
        out.append(("info", f"{s.loc[row['sku'], 'description']} ({row['sku']}): "
                            f"{row['cheaper_vendor']} (the vendor this report orders from) is "
                            f"cheaper than {row['current_vendor']}, saving "
                            f"{fmt_money(row['annual_savings_cents'])} a year."))
    if fig["spend_vs_budget_pct"] > 1:
        out.append(("warning", f"Supply spend is {fmt_pct(fig['spend_vs_budget_pct'])} of "
                               "budget."))
    return out


# --- hand-outs ------------------------------------------------------------------------------

_SUMMARY_COLUMNS = ["vendor", "sheet", "lines", "goods_cents", "freight_cents",
                    "freight_per_order_cents", "total_cents"]


def po_summary_frame(plan: PurchasingPlan) -> pd.DataFrame:
    """One row per purchase-order draft: vendor, sheet (and file) name, lines, goods, freight
    on the lines, freight per order and total, in cents."""
    names = po_names([o.vendor for o in plan.orders])
    return pd.DataFrame([{"vendor": o.vendor, "sheet": names[o.vendor], "lines": len(o.lines),
                          "goods_cents": o.goods_cents, "freight_cents": o.freight_cents,
                          "freight_per_order_cents": o.freight_per_order_cents,
                          "total_cents": o.total_cents} for o in plan.orders],
                        columns=_SUMMARY_COLUMNS)


def po_frame(plan: PurchasingPlan, order: pu.PurchaseOrder) -> pd.DataFrame:
    """One vendor's purchase-order draft: its lines with the vendor's item number, description
    and unit of use, then a ``FREIGHT`` line (freight per order, once) when there is one and a
    ``TOTAL`` line."""
    info = plan.lines.set_index("sku")
    lines = order.lines.copy()
    lines.insert(0, "vendor_item_number", lines["sku"].map(info["vendor_item_number"]))
    lines.insert(2, "description", lines["sku"].map(info["description"]))
    lines.insert(3, "unit_of_use", lines["sku"].map(info["unit_of_use"]))
    extra = []
    if order.freight_per_order_cents:
        extra.append({"vendor_item_number": "FREIGHT",
                      "description": "freight per order (once)",
                      "order_cents": order.freight_per_order_cents})
    per_order = (f" + freight per order {fmt_money(order.freight_per_order_cents)}"
                 if order.freight_per_order_cents else "")
    extra.append({"vendor_item_number": "TOTAL",
                  "description": f"goods {fmt_money(order.goods_cents)} + freight "
                                 f"{fmt_money(order.freight_cents)}{per_order}",
                  "order_cents": order.total_cents})
    out = pd.concat([lines, pd.DataFrame(extra)], ignore_index=True)
    for c in ("sku", "unit_of_use"):
        out[c] = out[c].fillna("")
    for c in ("order_packs", "units_per_pack", "order_units", "pack_price_cents",
              "freight_per_pack_cents", "freight_pct_cents", "order_cents"):
        out[c] = out[c].astype("Int64")
    return out


_SHEET_CHARS = 31  # Excel's limit on a sheet name


def po_names(vendors: list[str]) -> dict[str, str]:
    """The sheet and file name of each vendor's draft: ``po_`` and the vendor code with any
    character other than a letter, digit, ``_`` or ``-`` replaced by ``_``, cut to Excel's 31
    characters. Names that would collide — with each other or with ``po_summary``, ignoring
    case (Excel sheets and some file systems do) — get a suffix ``_2``, ``_3``, … (the base
    shortened to fit), in the order given, so no draft overwrites another.

    Examples
    --------
    >>> po_names(["MED.SUPPLY", "MED_SUPPLY"])
    {'MED.SUPPLY': 'po_MED_SUPPLY', 'MED_SUPPLY': 'po_MED_SUPPLY_2'}
    """
    taken = {"po_summary"}
    names: dict[str, str] = {}
    for vendor in vendors:
        base = ("po_" + re.sub(r"[^A-Za-z0-9_-]", "_", str(vendor)))[:_SHEET_CHARS]
        name, k = base, 1
        while name.casefold() in taken:
            k += 1
            suffix = f"_{k}"
            name = base[:_SHEET_CHARS - len(suffix)] + suffix
        taken.add(name.casefold())
        names[vendor] = name
    return names


def po_files(plan: PurchasingPlan) -> dict[str, pd.DataFrame]:
    """The files handed out: ``po_summary`` (with the sheet of each vendor's draft) and one
    draft per vendor named by :func:`po_names` (``po_<VENDOR>``, made unique)."""
    summary = po_summary_frame(plan)
    if len(summary):
        summary = pd.concat([summary, pd.DataFrame([{
            "vendor": "TOTAL", "sheet": "", "lines": int(summary["lines"].sum()),
            **{c: int(summary[c].sum()) for c in ("goods_cents", "freight_cents",
                                                  "freight_per_order_cents",
                                                  "total_cents")}}])], ignore_index=True)
    files = {"po_summary": summary}
    names = po_names([o.vendor for o in plan.orders])
    for o in plan.orders:
        files[names[o.vendor]] = po_frame(plan, o)
    return files


def write_po_files(plan: PurchasingPlan, folder: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`po_files` as ``purchase_orders.xlsx`` (a sheet each) and one CSV each,
    atomically, with text neutralised against formula injection
    (:func:`pracops.report.write_handouts`)."""
    return report.write_handouts(po_files(plan), folder, workbook="purchase_orders.xlsx")


