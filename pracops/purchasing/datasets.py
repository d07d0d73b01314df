"""The datasets only the purchasing report reads, declared into the catalogue
(:mod:`pracops.data`), with the references and rules across files it relies on."""

from __future__ import annotations

import pandas as pd

from pracops.data import Column, Dataset, Reference, Relation, register, register_rules, row_error
from pracops.data.fields import ID

_SKU = {**ID, "description": "The practice's item number (stock-keeping unit)."}


def _check_vendor_prices(frame: pd.DataFrame) -> None:
    bad = ~(frame["lead_time_days"] > 0)
    if bad.any():
        raise row_error(frame, bad, "lead_time_days", "lead time is not positive",
                        "a mean lead time in days greater than 0")


def _check_open_orders(frame: pd.DataFrame) -> None:
    bad = frame["expected_date"] < frame["order_date"]
    if bad.any():
        raise row_error(frame, bad, "expected_date", "expected before it was ordered",
                        "an expected date on or after the order date")
    over = frame["quantity_received"] > frame["quantity_units"]
    if over.any():
        raise row_error(frame, over, "quantity_received", "more received than ordered",
                        "units of use received, at most the units ordered",
                        fix="check the units: both columns count units of use, not packs; a "
                            "larger delivery belongs on its own order line")


register(Dataset(
    name="items",
    stem="items",
    description="One row per supply the practice stocks (its item master).",
    key=("sku",),
    optional=True,
    columns=(
        Column("sku", **_SKU),
        Column("description", "str"),
        Column("category", "category", allowed=("medical supply", "vaccine", "drug", "office")),
        Column("unit_of_use", "str",
               description="The smallest quantity used (glove, dose, vial); usage, stock and "
                           "orders are counted in it."),
        Column("critical", "bool", description="A stock-out would harm patients."),
        Column("storage", "category", allowed=("room", "refrigerated")),
        Column("min_on_hand", "int", required=False, nullable=True, minimum=0,
               description="Units of use always kept on hand whatever the use (the par of a "
                           "crash-cart drug); empty for none. The reorder point is at least "
                           "this."),
        Column("shelf_life_days", "int", required=False, nullable=True, minimum=1,
               description="Days a fresh delivery can be used before it expires; empty when it "
                           "does not expire or is unknown (the lots' expiry dates are used)."),
    ),
))

register(Dataset(
    name="vendor_prices",
    stem="vendor_prices",
    description="One row per vendor offer of an item and price change: pack, price, freight "
                "and lead time from the effective date on. The offer in force on a day is the "
                "row with the latest effective date on or before it; a row dated later is an "
                "announced change.",
    key=("sku", "vendor", "effective_date"),
    optional=True,
    checks=_check_vendor_prices,
    columns=(
        Column("sku", **_SKU),
        Column("vendor", **ID, description="Vendor code."),
        Column("vendor_item_number", "str", description="The vendor's catalogue number."),
        Column("units_per_pack", "int", minimum=1, description="Units of use in one pack."),
        Column("pack_price_cents", "money", minimum=0, description="Price of one pack."),
        Column("freight_per_pack_cents", "money", minimum=0,
               description="Freight and handling charged per pack (0 when free)."),
        Column("freight_per_order_cents", "money", required=False, nullable=True, minimum=0,
               description="A flat freight charge per purchase order to the vendor that "
                           "includes the item (header freight_per_order, dollars); empty for "
                           "none. An order is charged once, the largest of its lines."),
        Column("freight_pct", "float", required=False, nullable=True, minimum=0,
               description="Freight as a percent of the goods value (2.5 is 2.5 %); empty for "
                           "none."),
        Column("min_order_packs", "int", minimum=1, description="Fewest packs per order."),
        Column("lead_time_days", "float", minimum=0,
               description="Mean days from order to delivery (greater than 0)."),
        Column("lead_time_sd_days", "float", minimum=0,
               description="Standard deviation of the lead time, days."),
        Column("tier", "str", description="Contract or GPO pricing tier."),
        Column("effective_date", "date",
               description="First day the price applies; it stays in force until the next "
                           "row of the same sku and vendor."),
    ),
))

register(Dataset(
    name="inventory_lots",
    stem="inventory_lots",
    description="One row per lot of an item on hand at a site, from the latest count.",
    key=("sku", "lot", "location_id"),
    optional=True,
    allow_empty=True,
    columns=(
        Column("sku", **_SKU),
        Column("lot", "str", description="Manufacturer's lot number."),
        Column("quantity", "int", minimum=0, description="Units of use on hand."),
        Column("expiry_date", "date", nullable=True,
               description="Last day the lot may be used; empty for items that do not expire."),
        Column("location_id", **ID, description="Site holding the lot."),
    ),
))

register(Dataset(
    name="usage",
    stem="usage",
    description="One row per item and day it was used: units of use consumed.",
    key=("date", "sku"),
    optional=True,
    columns=(
        Column("date", "date"),
        Column("sku", **_SKU),
        Column("quantity", "int", minimum=1, description="Units of use consumed that day."),
    ),
))

register(Dataset(
    name="open_orders",
    stem="open_orders",
    description="One row per line of a purchase order not yet wholly received.",
    key=("po_number", "sku"),
    optional=True,
    allow_empty=True,
    checks=_check_open_orders,
    columns=(
        Column("po_number", **ID, description="Purchase order number."),
        Column("vendor", **ID, description="Vendor code, as in vendor_prices."),
        Column("sku", **_SKU),
        Column("quantity_units", "int", minimum=1, description="Units of use ordered."),
        Column("order_date", "date"),
        Column("expected_date", "date", description="Promised delivery date."),
        Column("quantity_received", "int", minimum=0, description="Units of use received so far."),
    ),
))


def check_datasets(items: pd.DataFrame, vendor_prices: pd.DataFrame, inventory_lots: pd.DataFrame,
                   usage: pd.DataFrame, open_orders: pd.DataFrame) -> None:
    """Every sku known and priced, open orders priced by their vendor
    (:func:`pracops.purchasing.chain.check_datasets`)."""
    from pracops.purchasing.chain import check_datasets as check

    check(items=items, vendor_prices=vendor_prices, inventory_lots=inventory_lots, usage=usage,
          open_orders=open_orders)

register_rules(
    references=(
        Reference("items", "sku", "vendor_prices", "sku"),
        Reference("vendor_prices", "sku", "items", "sku"),
        Reference("inventory_lots", "sku", "items", "sku"),
        Reference("inventory_lots", "location_id", "locations", "location_id"),
        Reference("usage", "sku", "items", "sku"),
        Reference("open_orders", "sku", "items", "sku"),
        Reference("open_orders", "vendor", "vendor_prices", "vendor"),
    ),
    relations=(
        Relation(("items", "vendor_prices", "inventory_lots", "usage", "open_orders"),
                 check_datasets, "every sku known and priced, open orders priced by their vendor"),
    ),
)
