"""Purchasing: how much of each supply to order, from whom, and what is at risk of expiring.

This module owns the calculations of the purchasing report. Functions take numbers or
DataFrames and return numbers or DataFrames; nothing here reads files or displays anything.
Money is integer cents; a cost per unit of use, which need not be a whole number of cents, is
kept as an exact :class:`fractions.Fraction` next to a rounded ``_cents`` column.

The chain a report runs:

1. **Levels** of a periodic review (R, s, S) policy: the stock is reviewed every ``R``
   days, so the reorder point and the order-up-to level both cover ``R + L`` days.
   :func:`eoq` (economic order quantity); :func:`stock_levels` for a table (with an item's
   minimum on hand), :func:`cap_order_up_to` (shelf life and maximum cover).
2. **Orders.** :func:`order_quantities` turns stock positions and levels into whole packs,
   raised to the vendor minimum; :func:`choose_vendor` scores the vendors by landed cost per
   unit of use (with any per-order freight spread over a typical order), with a charge per
   day of lead time for critical items (a percent of the price); :func:`order_lines` picks
   the vendor of an order by the cost of the order per unit that will be used.
3. **Review.** :func:`abc_classes` ranks skus by annual spend; :func:`expiring_lots` finds the
   stock that will expire before it is used (first expiry, first out) and its value.
4. **Report tables.** :func:`demand_stats` (daily usage mean, standard deviation, trend),
   :func:`stock_levels` (the levels for a whole table), :func:`order_lines` (chosen vendor ×
   packs, in cents), :func:`overdue_orders`, :func:`purchase_orders` (one draft per vendor),
   :func:`spend_vs_budget` and :func:`vendor_savings`.
5. **Price history.** ``vendor_prices`` holds a row per price change: :func:`prices_in_force`
   keeps the offer of each sku and vendor in force on a day (the latest effective date on or
   before it), which every calculation above uses; :func:`price_changes` lists the changes of
   landed cost over a look-back window with their cost a year at the current usage, and
   :func:`net_price_changes` the net change per sku and vendor over the window.

Definitions
-----------
unit of use
    The smallest quantity the practice consumes (one glove, one syringe). Demand, stock and
    levels are in units of use; vendors sell packs of ``units_per_pack`` units of use.
position
    ``unexpired on hand − units that will expire unused + on order`` (units of use): what the
    practice will have to use without a new order.
landed cost per unit of use
    ``(P + F + P × f / 100) / n`` in cents, exact: pack price ``P``, freight per pack ``F``
    and freight as a percent ``f`` of the goods, over the ``n`` units of use in a pack. Stock
    is valued at it. A vendor's flat freight per order ``O`` comes on top when vendors are
    compared or an order is priced: spread over the order being placed (:func:`order_lines`,
    :func:`purchase_orders`), or, with no concrete order, over the item's typical order
    (:func:`choose_vendor`, ``typical_order_units``: the report passes its EOQ).
expiry date
    The last day a lot may be used (the ``inventory_lots`` contract). On ``as_of`` a lot is
    expired when ``expiry_date < as_of``; one expiring on ``as_of`` is still usable that day,
    and a lot has ``expiry_date − as_of + 1`` days of use left (see :func:`expiring_lots`).

Row numbers in error messages follow :mod:`pracops.staffing`: with an integer index (as the
loaders give) the row is ``index + 2``, the line in the file with the header on line 1.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from statistics import NormalDist

import numpy as np
import pandas as pd

from pracops.data import require_columns, rows_error
from pracops.errors import DataError, ParameterError
from pracops.money import round_half_away

__all__ = [
    "lowest_per_sku",
    "net_of_changes",
    "eoq",
    "order_quantities",
    "choose_vendor",
    "abc_classes",
    "expiring_lots",
    "demand_stats",
    "stock_levels",
    "order_lines",
    "overdue_orders",
    "PurchaseOrder",
    "purchase_orders",
    "spend_vs_budget",
    "vendor_savings",
    "prices_in_force",
    "price_changes",
    "net_price_changes",
    "cap_order_up_to",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

# --------------------------------------------------------------------------------------------
# helpers


def _number(name: str, value: object, *, positive: bool = False) -> float:
    """A finite real parameter ≥ 0 (> 0 with ``positive``), or :class:`ParameterError`."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ParameterError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (positive and value == 0):
        bound = "greater than 0" if positive else "0 or more"
        raise ParameterError(f"{name} must be {bound}, got {value!r}")
    return float(value)


@functools.lru_cache(maxsize=65536)
def _exact_float(x: float) -> Fraction:
    """``Fraction(repr(x))``, remembered: prices and rates repeat, and parsing is slow."""
    return Fraction(repr(x))


_ZERO = Fraction(0)


def _exact(x: object) -> Fraction:
    """A number as the decimal it was written as (``0.1`` is 1/10, not the nearest double)."""
    if isinstance(x, float | np.floating):
        return _exact_float(float(x))
    if isinstance(x, np.integer):
        return Fraction(int(x))
    return Fraction(x)  # type: ignore[arg-type]


def _ratio(x: object) -> tuple[int, int]:
    """:func:`_exact` as ``(numerator, denominator)``, without a Fraction for an int."""
    if type(x) is int:
        return x, 1
    exact = _exact(x)
    return exact.numerator, exact.denominator


def _check_numeric(frame: pd.DataFrame, dataset: str, columns: Sequence[str], *,
                   positive: Sequence[str] = (), whole: Sequence[str] = ()) -> None:
    """Refuse missing, non-numeric, negative (or zero, for ``positive``) and fractional (for
    ``whole``) values, naming the rows."""
    for col in columns:
        raw = frame[col]
        if raw.dtype == object:  # exact costs (Fraction) pass as numbers
            raw = raw.map(lambda x: float(x) if isinstance(x, Fraction) else x)
        values = pd.to_numeric(raw, errors="coerce")
        raw_missing = frame[col].isna().to_numpy()
        if raw_missing.any():
            raise rows_error(frame, raw_missing, dataset, col, f"{col} is missing",
                             "a number")
        bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            raise rows_error(frame, bad, dataset, col, f"{col} is not a number", "a number")
        v = values.to_numpy(dtype=float)
        if col in positive:
            bad = v <= 0
            if bad.any():
                raise rows_error(frame, bad, dataset, col, f"{col} is not positive",
                                 "a number greater than 0")
        else:
            bad = v < 0
            if bad.any():
                raise rows_error(frame, bad, dataset, col, f"{col} is negative", "0 or more")
        if col in whole:
            bad = v != np.floor(v)
            if bad.any():
                raise rows_error(frame, bad, dataset, col, f"{col} is not a whole number",
                                 "a whole number")


# --------------------------------------------------------------------------------------------
# 1. levels


def eoq(annual_demand: float, order_cost: float, holding_cost_per_unit_year: float) -> float:
    """Economic order quantity ``Q* = √(2 D S / H)`` (units of use).

    Parameters
    ----------
    annual_demand
        ``D``, units of use per year.
    order_cost
        ``S``, cost of placing one order; any money unit (cents suggested), the same as ``H``.
    holding_cost_per_unit_year
        ``H``, cost of holding one unit of use for a year (> 0), same money unit as ``S``.

    Examples
    --------
    ``D = 1,000``, ``S = $10``, ``H = $0.50``: ``√(2 × 1000 × 10 / 0.5) = √40000 = 200``.

    >>> eoq(1000, 1000, 50)  # in cents
    200.0
    """
    d = _number("annual_demand", annual_demand)
    s = _number("order_cost", order_cost)
    h = _number("holding_cost_per_unit_year", holding_cost_per_unit_year, positive=True)
    return math.sqrt(2 * d * s / h)


# --------------------------------------------------------------------------------------------
# 2. orders

_ORDER_COLUMNS = ["sku", "on_hand_units", "on_order_units", "reorder_point_units",
                  "order_up_to_units", "units_per_pack"]


def order_quantities(skus: pd.DataFrame) -> pd.DataFrame:
    """How many packs of each sku to order, in an (s, S) policy.

    For each row, ``position = on hand − expiring + on order``, where ``expiring`` are the
    units on hand that will expire before they are used (:func:`expiring_lots`; 0 when the
    column is absent): stock that will be thrown away does not protect. When
    ``position ≤ reorder point`` the need is ``order-up-to − position`` units of use, and

    .. math::

        \\text{packs} = \\max\\left(\\left\\lceil \\frac{\\text{need}}{\\text{units per pack}}
        \\right\\rceil, \\text{min order packs}\\right);

    otherwise (and when the need is ≤ 0) nothing is ordered. Rounding is always up, so the
    position after ordering is at least the order-up-to level.

    Parameters
    ----------
    skus
        One row per sku with columns ``sku``, ``on_hand_units`` (unexpired only),
        ``on_order_units``, ``reorder_point_units``, ``order_up_to_units``,
        ``units_per_pack`` (whole, > 0) and optionally ``min_order_packs`` (whole, the vendor
        minimum; 0 when absent) and ``expiring_units`` (≥ 0, at most
        ``on_hand_units``). Levels may be fractional (as :func:`stock_levels` gives them).

    Returns
    -------
    pandas.DataFrame
        The input with ``position_units``, ``need_units`` (0 when no order),
        ``order_packs`` and ``order_units`` (``order_packs × units_per_pack``) added; the
        last two are ``int64``.

    Raises
    ------
    DataError
        A missing column; a missing, non-numeric or negative quantity or level; a pack size
        of zero or a fractional pack size or minimum.
    """
    require_columns(skus, "skus", _ORDER_COLUMNS)
    numeric = _ORDER_COLUMNS[1:] + [c for c in ("min_order_packs", "expiring_units")
                                    if c in skus]
    _check_numeric(skus, "skus", numeric, positive=["units_per_pack"],
                   whole=["units_per_pack", "min_order_packs"])
    out = skus.copy()
    expiring = (out["expiring_units"].astype(float) if "expiring_units" in out
                else pd.Series(0.0, index=out.index))
    position = (out["on_hand_units"].astype(float) - expiring
                + out["on_order_units"].astype(float))
    rop = out["reorder_point_units"].astype(float)
    up_to = out["order_up_to_units"].astype(float)
    pack = out["units_per_pack"].astype("int64")
    minimum = (out["min_order_packs"].astype("int64") if "min_order_packs" in out
               else pd.Series(0, index=out.index, dtype="int64"))
    need = (up_to - position).where(position <= rop, 0.0).clip(lower=0.0)
    # ceil(need / pack) in floats; the 1e-9 guards against 300.0000000001 / 100 → 4 packs.
    packs = np.ceil(need.to_numpy() / pack.to_numpy() - 1e-9).clip(min=0).astype("int64")
    packs = np.where(need.to_numpy() > 0, np.maximum(packs, minimum.to_numpy()), 0)
    out["position_units"] = position
    out["need_units"] = need
    out["order_packs"] = pd.Series(packs, index=out.index, dtype="int64")
    out["order_units"] = out["order_packs"] * pack
    return out


_OFFER_COLUMNS = ["sku", "vendor", "pack_price_cents", "units_per_pack", "lead_time_days"]
_OPTIONAL_FREIGHT = ("freight_per_order_cents", "freight_pct")


def _freight_filled(offers: pd.DataFrame) -> pd.DataFrame:
    """The optional freight columns with an empty cell as 0 (no such freight)."""
    out = offers
    for col in _OPTIONAL_FREIGHT:
        if col in offers:
            if out is offers:
                out = offers.copy()
            filled = out[col].astype(object).where(out[col].notna().to_numpy(), 0)
            out[col] = filled
    return out


def _percent_freight(packs: int, price_cents: int, freight_pct: object) -> Fraction:
    """``packs × P × f / 100``, exact cents."""
    return packs * int(price_cents) * _exact(freight_pct) / 100


def _percent_freight_cents(packs: int, price_cents: int, freight_pct: object) -> int:
    """:func:`_percent_freight` rounded half up to a cent, in integers."""
    if packs == 0:
        return 0
    a, b = _ratio(freight_pct)
    return round_half_away(Fraction(packs * price_cents * a, 100 * b))


def _lead_pct(value: object) -> Fraction:
    """``critical_lead_time_pct_per_day`` as an exact fraction (1.0 → 1/100), or refused."""
    if (isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value)
            or value < 0):
        raise ParameterError("critical_lead_time_pct_per_day must be a percentage, 0 or more "
                             f"(e.g. 1.0), got {value!r}")
    return _exact(value) / 100


def choose_vendor(offers: pd.DataFrame, critical_lead_time_pct_per_day: float,
                  skus: Sequence[str] | None = None) -> pd.DataFrame:
    """Score every vendor offer and pick one vendor per sku.

    For an offer of a pack of ``n`` units of use at ``P`` cents, with freight of ``F`` cents
    per pack, ``f`` percent of the goods and ``O`` cents per order, a minimum of ``m`` packs
    and a lead time of ``L`` days, and ``Q`` the item's typical order in units of use
    (``typical_order_units``, e.g. its EOQ):

    .. math::

        \\text{landed} = \\frac{P + F + P f / 100}{n}, \\qquad
        k = \\max(⌈Q / n⌉, m, 1), \\qquad
        \\text{cost} = \\text{landed} + \\frac{O}{k n},

    .. math::

        \\text{score} = \\text{cost} \\cdot \\big(1 + [\\text{critical}] \\cdot
        \\tfrac{p}{100} \\cdot L\\big)

    (cents per unit of use): the per-order freight spread over the ``k`` packs the vendor
    would sell for a typical order (its minimum when ``Q`` is absent or 0). With
    ``p = critical_lead_time_pct_per_day`` the percent of the
    landed cost charged for each day a critical item takes to arrive: relative to the price,
    so it weighs the same on a glove and on a vaccine (with 1 %, a vendor 4 days slower must be
    more than about 4 % cheaper). The chosen offer has the lowest score; ties go to the shorter
    lead time, then the vendor name in alphabetical order.

    Parameters
    ----------
    offers
        One row per sku × vendor: ``sku``, ``vendor``, ``pack_price_cents`` (whole cents),
        ``units_per_pack`` (whole, > 0), ``lead_time_days`` and optionally
        ``freight_per_pack_cents`` and ``freight_per_order_cents`` (whole cents),
        ``freight_pct`` (percent of the goods), ``min_order_packs`` (whole) — each 0 when
        absent or empty —, ``typical_order_units`` (≥ 0, units of use; 0 when absent or empty)
        and ``critical`` (bool, False when absent).
    critical_lead_time_pct_per_day
        ``p``, percent a day, ≥ 0.
    skus
        When given, every one of these skus must have an offer.

    Returns
    -------
    pandas.DataFrame
        The offers with ``landed_per_unit``, ``order_freight_per_unit`` (``O / (k n)``),
        ``cost_per_unit`` (landed + that) and ``score_per_unit`` (exact
        :class:`~fractions.Fraction` cents), ``typical_order_packs`` (``k``),
        ``landed_per_unit_cents`` (rounded half up, for display) and ``chosen`` (bool, one
        True per sku), in the input order.

    Raises
    ------
    DataError
        A missing column; a missing (no vendor price), negative or fractional price; a pack
        size of zero; a negative lead time; a sku of ``skus`` with no offer.
    ParameterError
        ``critical_lead_time_pct_per_day`` not a number ≥ 0.
    """
    c = _lead_pct(critical_lead_time_pct_per_day)
    require_columns(offers, "vendor offers", _OFFER_COLUMNS)
    offers = _freight_filled(offers)
    if "typical_order_units" in offers:
        offers = offers.copy()
        offers["typical_order_units"] = offers["typical_order_units"].astype(object).where(
            offers["typical_order_units"].notna().to_numpy(), 0)
    missing_price = offers["pack_price_cents"].isna().to_numpy()
    if missing_price.any():
        raise rows_error(offers, missing_price, "vendor offers", "pack_price_cents",
                         "no vendor price for sku " + repr(offers["sku"].iloc[
                         int(np.flatnonzero(missing_price)[0])]),
                         "the pack price in cents")
    freight_col = [col for col in ("freight_per_pack_cents", "freight_per_order_cents")
                   if col in offers]
    extra = [col for col in ("freight_pct", "min_order_packs", "typical_order_units")
             if col in offers]
    _check_numeric(offers, "vendor offers",
                   ["pack_price_cents", "units_per_pack", "lead_time_days", *freight_col,
                    *extra],
                   positive=["units_per_pack"],
                   whole=["pack_price_cents", "units_per_pack", *freight_col,
                          *[col for col in ("min_order_packs",) if col in offers]])
    if skus is not None:
        absent = sorted(set(skus) - set(offers["sku"]))
        if absent:
            raise DataError(f"no vendor price for sku(s) {', '.join(map(str, absent))}",
                            file=offers.attrs.get("source", "vendor offers"), column="sku",
                            value=absent[0], expected="at least one vendor offer per sku",
                            fix="add a vendor and price for each sku")
    out = offers.copy()
    n_rows = len(out)
    zeros = np.zeros(n_rows, dtype="int64")

    def column(name: str) -> np.ndarray:
        return out[name].to_numpy() if name in out else zeros

    def whole(name: str) -> list[int]:
        return [int(x) for x in column(name)]

    price = [int(x) for x in out["pack_price_cents"].astype("int64").to_numpy()]
    pack = [int(x) for x in out["units_per_pack"].astype("int64").to_numpy()]
    freight, per_order, minimum = (whole("freight_per_pack_cents"),
                                   whole("freight_per_order_cents"), whole("min_order_packs"))
    lead = out["lead_time_days"].to_numpy()
    critical = (out["critical"].fillna(False).astype(bool).to_numpy() if "critical" in out
                else np.zeros(n_rows, dtype=bool))
    # landed = (P + F + P f / 100) / n with f = a / b exact: one rational, built from integers.
    landed = []
    for p, f, q, n in zip(price, freight, column("freight_pct"), pack, strict=True):
        a, b = _ratio(q)
        landed.append(Fraction(100 * b * (p + f) + p * a, 100 * b * n))
    packs = []
    for t, n, m in zip(column("typical_order_units"), pack, minimum, strict=True):
        a, b = _ratio(t)  # ceil(t / n) = -floor(-t / n), in integers
        packs.append(max(-(-a // (b * n)), m, 1))
    share = [Fraction(o, k * n) for o, k, n in zip(per_order, packs, pack, strict=True)]
    cost = [lc + sh if sh else lc for lc, sh in zip(landed, share, strict=True)]
    weight: dict[object, Fraction] = {}  # 1 + c L per lead time
    score = []
    for x, lt, crit in zip(cost, lead, critical, strict=True):
        if crit:
            if lt not in weight:
                weight[lt] = 1 + c * _exact(lt)
            x = x * weight[lt]
        score.append(x)
    out["landed_per_unit"] = pd.Series(landed, index=out.index, dtype=object)
    out["typical_order_packs"] = pd.Series(packs, index=out.index, dtype="int64")
    out["order_freight_per_unit"] = pd.Series(share, index=out.index, dtype=object)
    out["cost_per_unit"] = pd.Series(cost, index=out.index, dtype=object)
    out["score_per_unit"] = pd.Series(score, index=out.index, dtype=object)
    out["landed_per_unit_cents"] = pd.Series([round_half_away(x) for x in landed],
                                             index=out.index, dtype="int64")
    out["chosen"] = lowest_per_sku(out["sku"], score, lead, out["vendor"])
    return out


def lowest_per_sku(skus: Sequence[object], score: Sequence[Fraction], lead: Sequence[float],
            vendors: Sequence[object]) -> np.ndarray:
    """``chosen`` of :func:`choose_vendor`: per sku, the row with the lowest score, then the
    shorter lead time, then the vendor name; the first such row on a full tie."""
    names = [str(v) for v in vendors]
    days = [float(x) for x in lead]
    best: dict[object, int] = {}
    for i, sku in enumerate(skus):
        j = best.get(sku)
        if j is None or (score[i], days[i], names[i]) < (score[j], days[j], names[j]):
            best[sku] = i
    chosen = np.zeros(len(names), dtype=bool)
    chosen[list(best.values())] = True
    return chosen


# --------------------------------------------------------------------------------------------
# 3. review


def abc_classes(spend: pd.DataFrame, abc_a_share: float = 0.80, abc_b_share: float = 0.95
                ) -> pd.DataFrame:
    """ABC classes by annual spend.

    Skus are ranked by ``annual_spend_cents`` (highest first; equal spends by ``sku``). With
    ``P_i`` the cumulative share of total spend of the skus ranked *before* sku ``i``:

    * A when ``P_i < abc_a_share`` (0.80),
    * B when ``abc_a_share ≤ P_i < abc_b_share`` (0.95),
    * C otherwise.

    So the sku that crosses 80 % is A (class A covers at least 80 % of spend), and the top sku
    is always A. Skus with equal spend share one class, the class of the first of them, so a
    tie is never split across a boundary. Zero-spend skus are C (all C when total is 0).
    Comparisons are exact in integer cents.

    Parameters
    ----------
    spend
        ``sku`` (unique) and ``annual_spend_cents`` (whole cents ≥ 0).

    Returns
    -------
    pandas.DataFrame
        Ranked: ``sku``, ``annual_spend_cents``, ``rank`` (1 = highest),
        ``cumulative_share`` (including the sku, float) and ``abc_class``.

    Raises
    ------
    DataError
        Missing column, negative or fractional spend, or a duplicated sku.
    ParameterError
        Shares not ``0 < abc_a_share ≤ abc_b_share ≤ 1``.
    """
    if not (0 < abc_a_share <= abc_b_share <= 1):
        raise ParameterError(
            f"need 0 < abc_a_share ≤ abc_b_share ≤ 1, got abc_a_share={abc_a_share!r}, "
            f"abc_b_share={abc_b_share!r}")
    require_columns(spend, "spend", ["sku", "annual_spend_cents"])
    _check_numeric(spend, "spend", ["annual_spend_cents"], whole=["annual_spend_cents"])
    dup = spend["sku"].duplicated().to_numpy()
    if dup.any():
        raise rows_error(spend, dup, "spend", "sku", "sku listed more than once",
                         "one row per sku (sum its spend first)")
    ranked = (spend[["sku", "annual_spend_cents"]]
              .astype({"annual_spend_cents": "int64"})
              .sort_values(["annual_spend_cents", "sku"], ascending=[False, True],
                           kind="mergesort")
              .reset_index(drop=True))
    cents = [int(x) for x in ranked["annual_spend_cents"]]
    total = sum(cents)
    a, b = _exact(abc_a_share), _exact(abc_b_share)
    classes: list[str] = []
    before = 0
    group_class: dict[int, str] = {}
    for x in cents:
        if total == 0 or x == 0:
            cls = "C"
        elif x in group_class:
            cls = group_class[x]
        else:
            share = Fraction(before, total)
            cls = "A" if share < a else "B" if share < b else "C"
            group_class[x] = cls
        classes.append(cls)
        before += x
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    cum = np.cumsum(np.asarray(cents, dtype="int64"))
    ranked["cumulative_share"] = cum / total if total else 0.0
    ranked["abc_class"] = classes
    return ranked


def expiring_lots(lots: pd.DataFrame, usage_per_day: Mapping[str, float] | pd.Series,
                  as_of: str | pd.Timestamp) -> pd.DataFrame:
    """Stock that will expire before it is used, lot by lot (first expiry, first out).

    The expiry date is the **last day a lot may be used** (the ``inventory_lots`` contract): a
    lot is usable through the end of ``E`` and expired from the day after, so it is expired on
    ``as_of`` exactly when ``E < as_of``. The count is taken at the start of ``as_of``, before
    the day's use (as in :func:`demand_stats`, where ``as_of`` is a day not yet over), so
    ``as_of`` is itself a usable day: a lot has ``E − as_of + 1`` days of use left, counting
    both ``as_of`` and ``E`` (1 day for a lot expiring on ``as_of``, none for one that expired
    before it). Each sku is used at a constant ``u`` units of use per day from the start of
    ``as_of``, always from the unexpired lot that expires first. Walking the lots in expiry
    order with ``t`` the days, from the start of ``as_of``, in which the earlier lots are used
    up (``t = 0`` at first):

    .. math::

        \\text{used}_i = \\min(q_i, u \\cdot \\max(0, E_i − \\text{as\\_of} + 1 − t)), \\quad
        \\text{expiring}_i = q_i − \\text{used}_i, \\quad t \\leftarrow t + \\text{used}_i / u.

    Lots expiring on the same date are taken in input order (it does not change the totals).
    The value is ``expiring × unit_cost_cents`` rounded half up to a cent. Quantities are exact
    rationals (usage need not be whole), returned as floats.

    Parameters
    ----------
    lots
        ``sku``, ``quantity`` (≥ 0), ``expiry_date`` and ``unit_cost_cents`` (≥ 0; a number
        or an exact :class:`~fractions.Fraction`, such as a landed cost per unit of use).
        Lots already expired on ``as_of`` (``expiry_date < as_of``) should not be in it (they
        are not on hand; if present they are counted as wholly expiring). A lot with
        ``expiry_date == as_of`` is not expired: it can be used for that one day.
    usage_per_day
        ``u`` per sku (≥ 0; a sku with no usage loses every lot). Every sku of ``lots`` needs a
        rate.
    as_of
        The date the count was taken, at the start of the day (``as_of`` is a day of use).

    Returns
    -------
    pandas.DataFrame
        ``lots`` in input order with ``used_units``, ``expiring_units`` (floats) and
        ``expiring_value_cents`` (``int64``).

    Raises
    ------
    DataError
        Missing column, negative or missing quantity or cost, unreadable expiry date, a sku
        without a usage rate or with a negative one.
    """
    require_columns(lots, "lots", ["sku", "quantity", "expiry_date", "unit_cost_cents"])
    _check_numeric(lots, "lots", ["quantity", "unit_cost_cents"])
    expiry = pd.to_datetime(lots["expiry_date"], errors="coerce", format="ISO8601")
    bad = expiry.isna().to_numpy()
    if bad.any():
        raise rows_error(lots, bad, "lots", "expiry_date", "expiry date missing or unreadable",
                         "a date such as 2026-03-31")
    rates = pd.Series(usage_per_day) if not isinstance(usage_per_day, pd.Series) \
        else usage_per_day
    no_rate = (~lots["sku"].isin(rates.index)).to_numpy()
    if no_rate.any():
        raise rows_error(lots, no_rate, "lots", "sku", "no usage rate for the sku",
                         "a usage per day for every sku with lots")
    for sku, rate in rates.items():
        if not isinstance(rate, Real) or isinstance(rate, bool) or not math.isfinite(rate) \
                or rate < 0:
            raise DataError("usage per day must be a number 0 or more", column="usage_per_day",
                            value=f"{sku}: {rate!r}", expected="units of use per day ≥ 0",
                            fix="correct the usage rates")
    start = pd.Timestamp(as_of).normalize()
    # Days of use left, counting as_of and the expiry date itself (≤ 0 once expired).
    days = ((expiry.dt.normalize() - start).dt.days + 1).to_numpy()
    qty = lots["quantity"].to_numpy()
    cost = lots["unit_cost_cents"].to_numpy()
    sku_values = lots["sku"].to_numpy()
    # Exact rationals as (numerator, denominator > 0) pairs of integers, not Fractions: the
    # same values (a float of n / d is correctly rounded however n / d is written), faster.
    used = [0.0] * len(lots)
    expiring = [0.0] * len(lots)
    value = [0] * len(lots)
    by_sku: dict[object, list[int]] = {}
    for i, s in enumerate(sku_values):
        by_sku.setdefault(s, []).append(i)
    rate_of = rates.to_dict() if rates.index.is_unique else rates
    for s, idx in by_sku.items():
        u = _exact(rate_of[s])
        un, ud = u.numerator, u.denominator
        tn, td = 0, 1  # t
        for i in sorted(idx, key=lambda j: (int(days[j]), j)):
            q = _exact(qty[i])
            qn, qd = q.numerator, q.denominator
            rn = max(0, int(days[i]) * td - tn)  # room = max(0, days − t), over td
            cn, cd = un * rn, ud * td  # u · room
            xn, xd = (qn, qd) if qn * cd <= cn * qd else (cn, cd)  # used = min(q, u · room)
            en, ed = qn * xd - xn * qd, qd * xd  # expiring = q − used
            used[i], expiring[i] = xn / xd, en / ed
            c = _exact(cost[i])
            value[i] = round_half_away(Fraction(en * c.numerator, ed * c.denominator))
            if un > 0:  # t += used / u
                tn, td = tn * xd * un + xn * ud * td, td * xd * un
                g = math.gcd(tn, td)
                tn, td = tn // g, td // g
    out = lots.copy()
    out["used_units"] = used
    out["expiring_units"] = expiring
    out["expiring_value_cents"] = pd.Series(value, index=out.index, dtype="int64")
    return out


# --------------------------------------------------------------------------------------------
# 4. demand, levels for a table, order lines, purchase orders, savings


def _dates(frame: pd.DataFrame, dataset: str, column: str) -> pd.Series:
    dates = pd.to_datetime(frame[column], errors="coerce", format="ISO8601")
    bad = dates.isna().to_numpy()
    if bad.any():
        raise rows_error(frame, bad, dataset, column, f"{column} missing or unreadable",
                         "a date such as 2026-03-31")
    return dates.dt.normalize()


def _whole_param(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ParameterError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def demand_stats(usage: pd.DataFrame, as_of: str | pd.Timestamp, demand_window_days: int = 90,
                 skus: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean, standard deviation and trend of daily usage per sku over a window.

    The window is the ``W = demand_window_days`` whole days before ``as_of``:
    ``as_of − W ≤ date < as_of`` (usage on ``as_of`` itself, a day not yet over, and before
    the window is ignored). Usage rows of one sku on one day are summed to ``y_t``
    (``t = 0 … W − 1``), and **a day with no usage row counts as a day of zero usage**. Then

    .. math::

        \\bar y = \\frac{1}{W}\\sum_t y_t, \\qquad
        s = \\sqrt{\\frac{1}{W − 1}\\sum_t (y_t − \\bar y)^2}, \\qquad
        b = \\frac{\\sum_t (t − \\bar t)(y_t − \\bar y)}{\\sum_t (t − \\bar t)^2},

    the mean, the sample standard deviation (divisor ``W − 1``) and the slope of the
    least-squares line through ``(t, y_t)``: the change of daily usage per day (units/day per
    day; positive when usage grows).

    **Short history.** A sku first used (its earliest usage row before ``as_of``, in all of
    ``usage``) ``D < W`` days before ``as_of`` — a new item — is averaged over those ``D``
    days only (``t = W − D … W − 1``, the first-use day included), not padded with the zeros
    of days before it was stocked; ``W`` is replaced by ``D`` above (``s`` and ``b`` are 0
    when ``D = 1``) and the row is flagged ``short_history``. Example: 50 a day on each of
    the last 10 days gives a mean of 50, not ``500 / 90 = 5.6``.

    Parameters
    ----------
    usage
        ``sku``, ``date`` and ``quantity`` (≥ 0), one row per use or per day.
    as_of
        The first day after the window.
    demand_window_days
        ``W``, a whole number ≥ 2.
    skus
        When given, the skus to report, in this order (a sku with no usage gets zeros), and
        usage of any other sku is an error.

    Returns
    -------
    pandas.DataFrame
        One row per sku (``skus`` order, else sorted): ``sku``, ``days`` (the days averaged:
        ``W``, or ``D`` for a short history), ``total_units``, ``demand_mean_per_day``,
        ``demand_sd_per_day``, ``trend_per_day``, ``first_use_date`` (NaT when never used
        before ``as_of``) and ``short_history`` (bool).

    Raises
    ------
    DataError
        Missing column, unreadable date, missing or negative quantity, usage of a sku not in
        ``skus`` (naming the row).
    ParameterError
        ``demand_window_days`` not a whole number ≥ 2.
    """
    w = _whole_param("demand_window_days", demand_window_days, 2)
    require_columns(usage, "usage", ["sku", "date", "quantity"])
    _check_numeric(usage, "usage", ["quantity"])
    dates = _dates(usage, "usage", "date")
    if skus is not None:
        unknown = (~usage["sku"].isin(list(skus))).to_numpy()
        if unknown.any():
            raise rows_error(usage, unknown, "usage", "sku", "usage of an unknown sku",
                             "a sku of the sku list")
        names = list(skus)
    else:
        names = sorted(usage["sku"].unique(), key=str)
    end = pd.Timestamp(as_of).normalize()
    t = ((dates - (end - pd.Timedelta(days=w))).dt.days).to_numpy()
    inside = (t >= 0) & (t < w)
    position = {s: i for i, s in enumerate(names)}
    grid = np.zeros((len(names), w))  # y_t per sku (row) and day (column)
    np.add.at(grid, (usage["sku"][inside].map(position).to_numpy(dtype="int64"),
                     t[inside].astype("int64")),
              usage["quantity"].to_numpy(dtype=float)[inside])
    before = (dates < end).to_numpy()
    first = (dates[before].groupby(usage["sku"][before].to_numpy()).min()
             .reindex(names))
    since = (end - first).dt.days.to_numpy(dtype=float)  # NaN: never used before as_of
    short = np.isfinite(since) & (since < w)
    days = np.where(short, np.nan_to_num(since, nan=w), w).astype("int64")
    mean, sd, trend = np.zeros(len(names)), np.zeros(len(names)), np.zeros(len(names))
    for n in np.unique(days):  # the skus with the same days together, a row each
        rows = np.flatnonzero(days == n)
        y = grid[rows, w - n:]
        mean[rows] = y.mean(axis=1)
        if n >= 2:
            dx = np.arange(n, dtype=float) - (n - 1) / 2
            sd[rows] = y.std(axis=1, ddof=1)
            trend[rows] = ((y - mean[rows][:, None]) * dx).sum(axis=1) / (dx * dx).sum()
    return pd.DataFrame({
        "sku": pd.Series(names, dtype=object), "days": days, "total_units": grid.sum(axis=1),
        "demand_mean_per_day": mean, "demand_sd_per_day": sd, "trend_per_day": trend,
        "first_use_date": pd.to_datetime(first.to_numpy()), "short_history": short})


_LEVEL_COLUMNS = ["sku", "demand_mean_per_day", "demand_sd_per_day", "lead_time_days"]


def stock_levels(skus: pd.DataFrame, service_level: float, review_days: float,
                 critical_service_level: float | None) -> pd.DataFrame:
    """Safety stock, reorder point and order-up-to level of a **periodic review** (R, s, S)
    policy for every sku of a table.

    The stock is reviewed every ``R`` days; an order placed at a review is the last until the
    next review's order arrives ``R + L`` days later, so both levels protect ``R + L`` days.
    Row by row this is :func:`safety_stock` over ``R + L`` and the two levels:

    .. math::

        SS = z\\sqrt{(R + L) σ_d^2 + d^2 σ_L^2}, \\quad
        s = \\max\\big(d (R + L) + SS, m\\big), \\quad
        S = \\max\\big(d (R + L) + SS, m + d R\\big),

    with ``z = Φ⁻¹(level)`` and ``m`` the item's minimum on hand (``min_on_hand``, 0 when
    absent or missing): the practice's par for stock it keeps whatever the use (crash-cart
    drugs), so the item is reordered before it falls below ``m`` and ordered up to at least
    ``m`` plus one review's use. (Callers may raise ``S`` to ``s + EOQ``.) The level of a row
    is its own
    ``service_level`` when that column is present and not missing, else
    ``critical_service_level`` for a ``critical`` row when given, else ``service_level``.

    Parameters
    ----------
    skus
        ``sku``, ``demand_mean_per_day`` (``d``), ``demand_sd_per_day`` (``σd``),
        ``lead_time_days`` (``L``) and optionally ``lead_time_sd_days`` (``σL``, 0 when
        absent), ``critical`` (bool), ``service_level`` and ``min_on_hand`` (``m``, units of
        use ≥ 0, missing for none).
    service_level, critical_service_level
        Levels strictly between 0 and 1.
    review_days
        ``R`` ≥ 0.

    Returns
    -------
    pandas.DataFrame
        The input with ``service_level_used``, ``safety_stock_units`` (over ``R + L``),
        ``reorder_point_units`` and ``order_up_to_units`` (floats, not rounded).

    Raises
    ------
    DataError
        Missing column; missing, non-numeric or negative demand or lead time; a row service
        level outside (0, 1).
    ParameterError
        A bad ``service_level``, ``critical_service_level`` or ``review_days``.
    """
    levels = [("service_level", service_level)]
    if critical_service_level is not None:
        levels.append(("critical_service_level", critical_service_level))
    for name, level in levels:
        if isinstance(level, bool) or not isinstance(level, Real) or not 0 < level < 1:
            raise ParameterError(
                f"{name} must be strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    r = _number("review_days", review_days)
    require_columns(skus, "skus", _LEVEL_COLUMNS)
    sd_col = ["lead_time_sd_days"] if "lead_time_sd_days" in skus else []
    _check_numeric(skus, "skus", [*_LEVEL_COLUMNS[1:], *sd_col])
    n = len(skus)
    level = np.full(n, float(service_level))
    if critical_service_level is not None and "critical" in skus:
        crit = skus["critical"].fillna(False).astype(bool).to_numpy()
        level[crit] = float(critical_service_level)
    if "service_level" in skus:
        own = pd.to_numeric(skus["service_level"], errors="coerce")
        given = skus["service_level"].notna().to_numpy()
        bad = given & ~((own > 0) & (own < 1)).to_numpy()
        if bad.any():
            raise rows_error(skus, bad, "skus", "service_level",
                             "service level not strictly between 0 and 1", "e.g. 0.95")
        level[given] = own.to_numpy(dtype=float)[given]
    inv = NormalDist().inv_cdf
    z = np.array([inv(float(x)) for x in level])
    d = skus["demand_mean_per_day"].to_numpy(dtype=float)
    sd = skus["demand_sd_per_day"].to_numpy(dtype=float)
    lt = skus["lead_time_days"].to_numpy(dtype=float)
    lt_sd = (skus["lead_time_sd_days"].to_numpy(dtype=float) if sd_col else np.zeros(n))
    minimum = np.zeros(n)
    if "min_on_hand" in skus:
        given = skus["min_on_hand"].notna().to_numpy()
        if given.any():
            _check_numeric(skus[given], "skus", ["min_on_hand"])
            minimum[given] = skus["min_on_hand"].to_numpy(dtype=float, na_value=0.0)[given]
    cover = r + lt
    ss = z * np.sqrt(cover * sd * sd + d * d * lt_sd * lt_sd)
    out = skus.copy()
    out["service_level_used"] = level
    out["safety_stock_units"] = ss
    out["reorder_point_units"] = np.maximum(d * cover + ss, minimum)
    out["order_up_to_units"] = np.maximum(d * cover + ss, minimum + d * r)
    return out


def cap_order_up_to(levels: pd.DataFrame, review_days: float,
                    max_cover_days: float = 180) -> pd.DataFrame:
    """Cap the order-up-to level at what the item can use before it expires, and at a
    maximum cover.

    With ``d`` the mean daily use, ``T`` the usable shelf life of the item in days
    (``shelf_life_days``; missing or absent: it does not expire), ``C = max_cover_days`` and
    ``m`` the minimum on hand (``min_on_hand``, 0 when absent or missing):

    .. math::

        \\text{max stock} = \\max\\big(\\min(d · T, d · C), m + d R\\big), \\qquad
        S' = \\min(S, \\text{max stock}),

    so the policy never orders up to more than ``C`` days of use or more than it uses before
    the stock expires, but always keeps the item's minimum plus one review's use. A vendor's
    minimum can still force more (:func:`order_lines` flags it).

    Returns
    -------
    pandas.DataFrame
        The input with ``max_stock_units``, ``uncapped_order_up_to_units`` (``S``),
        ``order_up_to_units`` (``S'``) and ``capped`` (``S' < S``).

    Raises
    ------
    DataError
        A missing column; a negative or non-numeric demand, level, shelf life or minimum.
    ParameterError
        ``review_days`` or ``max_cover_days`` negative (``max_cover_days`` must be > 0).
    """
    r = _number("review_days", review_days)
    cover = _number("max_cover_days", max_cover_days, positive=True)
    require_columns(levels, "skus", ["sku", "demand_mean_per_day", "order_up_to_units"])
    _check_numeric(levels, "skus", ["demand_mean_per_day", "order_up_to_units"])
    n = len(levels)
    d = levels["demand_mean_per_day"].to_numpy(dtype=float)
    shelf = np.full(n, np.inf)
    minimum = np.zeros(n)
    for col, target in (("shelf_life_days", shelf), ("min_on_hand", minimum)):
        if col in levels:
            given = levels[col].notna().to_numpy()
            if given.any():
                _check_numeric(levels[given], "skus", [col])
                target[given] = levels[col].to_numpy(dtype=float, na_value=0.0)[given]
    most = np.maximum(d * np.minimum(shelf, cover), minimum + d * r)
    up_to = levels["order_up_to_units"].to_numpy(dtype=float)
    out = levels.copy()
    out["max_stock_units"] = most
    out["uncapped_order_up_to_units"] = up_to
    out["order_up_to_units"] = np.minimum(up_to, most)
    out["capped"] = most < up_to
    return out


def order_lines(skus: pd.DataFrame, offers: pd.DataFrame,
                critical_lead_time_pct_per_day: float) -> pd.DataFrame:
    """Order lines: each sku's packs to order, and the vendor to order them from.

    The need of a sku is that of :func:`order_quantities` (``S − position`` when the position
    is at or below ``s``). A sku with **no need** keeps the vendor :func:`choose_vendor` picks
    by its cost per unit (a typical order's, ``typical_order_units`` of ``offers``). For a sku
    **with a need**, every offer is priced on the order it would take: with pack size ``n``,
    minimum ``m`` packs, price ``P``, freight ``F`` per pack, ``f`` percent of the goods and
    ``O`` per order,

    .. math::

        \\text{packs} = \\max(⌈\\text{need} / n⌉, m), \\qquad
        \\text{usable} = \\min\\big(\\text{packs} · n,\\;
        \\max(\\text{max stock} − \\text{position}, \\text{need})\\big),

    .. math::

        \\text{score} = \\frac{\\text{packs} · (P + F + P f / 100) + O}{\\text{usable}} ·
        \\big(1 + [\\text{critical}] \\tfrac{p}{100} L\\big),

    the cost of the order per unit the practice will use before it expires or within its
    cover cap (``max stock``, e.g. from :func:`cap_order_up_to`), with the lead-time weighting
    of :func:`choose_vendor`: the per-order freight is spread over this order alone (the
    vendor's order may carry other lines; priced alone, the line never looks cheaper than it
    is). The lowest score wins (ties: shorter lead time, then vendor name), so a vendor whose
    minimum is far larger than the need loses to a dearer one that sells what is needed. Then

    .. math::

        \\text{freight pct cents} = \\operatorname{round}(\\text{packs} × P × f / 100),
        \\qquad
        \\text{order cents} = \\text{packs} × (P + F) + \\text{freight pct cents},

    (rounded half up once per line); the per-order freight is not in the line: the purchase
    order charges it once (:func:`purchase_orders`).

    ``excess_units = order_units − usable_units`` (units beyond what will be used before
    expiry or within the cap: forced by a pack size or minimum) and ``oversized`` when it is
    more than 0.

    Parameters
    ----------
    skus
        One row per sku: ``sku``, ``on_hand_units``, ``on_order_units``,
        ``reorder_point_units``, ``order_up_to_units`` and optionally ``expiring_units``,
        ``max_stock_units`` (``S`` when absent) and ``critical`` (used when ``offers`` has no
        ``critical`` column). Pack columns here are replaced by the vendor's.
    offers
        As :func:`choose_vendor`, optionally with ``min_order_packs`` (whole, ≥ 0).
    critical_lead_time_pct_per_day
        As :func:`choose_vendor`.

    Returns
    -------
    pandas.DataFrame
        The :func:`order_quantities` table in ``skus`` order with ``vendor``,
        ``pack_price_cents``, ``freight_per_pack_cents``, ``freight_pct`` (0 when none),
        ``freight_per_order_cents`` (the offer's, 0 when none), ``lead_time_days``,
        ``landed_per_unit``, ``freight_pct_cents`` and ``order_cents`` (``int64``),
        ``usable_units``, ``excess_units`` and ``oversized``.

    Raises
    ------
    DataError
        As :func:`choose_vendor` and :func:`order_quantities`; a sku listed twice; a sku
        without an offer; a missing or fractional minimum.
    """
    require_columns(skus, "skus", ["sku"])
    dup = skus["sku"].duplicated().to_numpy()
    if dup.any():
        raise rows_error(skus, dup, "skus", "sku", "sku listed more than once", "one row per sku")
    offers = _freight_filled(offers).copy()
    if "critical" not in offers and "critical" in skus:
        offers["critical"] = offers["sku"].map(dict(zip(skus["sku"], skus["critical"],
                                                        strict=True)))
    if "min_order_packs" in offers:
        _check_numeric(offers, "vendor offers", ["min_order_packs"], whole=["min_order_packs"])
    else:
        offers["min_order_packs"] = 0
    if "max_stock_units" in skus:
        _check_numeric(skus, "skus", ["max_stock_units"])
    scored = choose_vendor(offers, critical_lead_time_pct_per_day,
                           skus=list(skus["sku"])).reset_index(drop=True)
    # The need does not depend on the vendor: order_quantities with packs of one unit.
    base = order_quantities(skus.drop(columns=[c for c in ("units_per_pack", "min_order_packs")
                                               if c in skus]).assign(units_per_pack=1))
    need = dict(zip(base["sku"], base["need_units"], strict=True))
    position = dict(zip(base["sku"], base["position_units"], strict=True))
    room = dict(zip(base["sku"], (base["max_stock_units"] if "max_stock_units" in base
                                  else base["order_up_to_units"]).astype(float), strict=True))
    pct = _lead_pct(critical_lead_time_pct_per_day)
    critical = (scored["critical"].fillna(False).astype(bool).to_numpy() if "critical" in scored
                else np.zeros(len(scored), dtype=bool))
    best: dict[object, tuple] = {}
    for i, row in enumerate(scored.itertuples(index=False)):
        sku = row.sku
        if need[sku] <= 0:
            if row.chosen:
                best[sku] = ((), i)
            continue
        n = int(row.units_per_pack)
        packs = max(math.ceil(need[sku] / n - 1e-9), int(row.min_order_packs))
        usable = min(packs * n, max(room[sku] - position[sku], need[sku]))
        price = int(row.pack_price_cents)
        cost = (packs * (price + int(getattr(row, "freight_per_pack_cents", 0)))
                + _percent_freight(packs, price, getattr(row, "freight_pct", 0))
                + int(getattr(row, "freight_per_order_cents", 0)))
        score = Fraction(cost) / _exact(usable)
        if critical[i]:
            score *= 1 + pct * _exact(row.lead_time_days)
        key = (score, float(row.lead_time_days), str(row.vendor))
        if sku not in best or key < best[sku][0]:
            best[sku] = (key, i)
    pick = scored.iloc[[best[s][1] for s in skus["sku"]]].set_index("sku")
    keys = skus["sku"]
    out = skus.drop(columns=[c for c in ("units_per_pack", "min_order_packs")
                             if c in skus]).copy()
    out["units_per_pack"] = keys.map(pick["units_per_pack"]).astype("int64").to_numpy()
    out["min_order_packs"] = keys.map(pick["min_order_packs"]).astype("int64").to_numpy()
    out = order_quantities(out)
    out["vendor"] = keys.map(pick["vendor"]).to_numpy()
    out["pack_price_cents"] = keys.map(pick["pack_price_cents"]).astype("int64").to_numpy()
    out["freight_per_pack_cents"] = (
        keys.map(pick["freight_per_pack_cents"]).astype("int64").to_numpy()
        if "freight_per_pack_cents" in pick else 0)
    for col in _OPTIONAL_FREIGHT:
        out[col] = keys.map(pick[col]).to_numpy() if col in pick else 0
    out["freight_per_order_cents"] = out["freight_per_order_cents"].astype("int64")
    out["lead_time_days"] = keys.map(pick["lead_time_days"]).to_numpy()
    out["landed_per_unit"] = pd.Series(keys.map(pick["landed_per_unit"]).to_numpy(),
                                       index=out.index, dtype=object)
    out["freight_pct_cents"] = pd.Series(
        [_percent_freight_cents(int(k), int(p), f) for k, p, f in zip(
            out["order_packs"], out["pack_price_cents"], out["freight_pct"], strict=True)],
        index=out.index, dtype="int64")
    out["freight_pct"] = out["freight_pct"].astype(float)
    out["order_cents"] = (out["order_packs"]
                          * (out["pack_price_cents"] + out["freight_per_pack_cents"])
                          + out["freight_pct_cents"]).astype("int64")
    limit = keys.map(room).to_numpy(dtype=float) - out["position_units"].to_numpy(dtype=float)
    units = out["order_units"].to_numpy(dtype=float)
    out["usable_units"] = np.minimum(units, np.maximum(limit, out["need_units"].to_numpy()))
    out["excess_units"] = units - out["usable_units"].to_numpy()
    out["oversized"] = out["excess_units"].to_numpy() > 1e-9
    return out


def overdue_orders(open_orders: pd.DataFrame, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """Flag open orders that are late: expected before ``as_of`` and not wholly received.

    ``overdue = expected_date < as_of and quantity_received < quantity_units`` (dates compared
    by day; an order expected on ``as_of`` is not yet late).

    Parameters
    ----------
    open_orders
        ``sku``, ``expected_date``, ``quantity_units`` and ``quantity_received`` (both ≥ 0;
        ``quantity_received`` 0 when the column is absent).
    as_of
        Today.

    Returns
    -------
    pandas.DataFrame
        The input with ``outstanding_units`` (``max(quantity − received, 0)``),
        ``days_late`` (days after the expected date, 0 when not overdue) and ``overdue``.

    Raises
    ------
    DataError
        Missing column, unreadable date, missing or negative quantity.
    """
    require_columns(open_orders, "open orders", ["sku", "expected_date", "quantity_units"])
    rec_col = ["quantity_received"] if "quantity_received" in open_orders else []
    _check_numeric(open_orders, "open orders", ["quantity_units", *rec_col])
    expected = _dates(open_orders, "open orders", "expected_date")
    qty = open_orders["quantity_units"].to_numpy(dtype=float)
    received = (open_orders["quantity_received"].to_numpy(dtype=float) if rec_col
                else np.zeros(len(open_orders)))
    late_by = (pd.Timestamp(as_of).normalize() - expected).dt.days.to_numpy()
    overdue = (late_by > 0) & (received < qty)
    out = open_orders.copy()
    out["outstanding_units"] = np.maximum(qty - received, 0)
    out["days_late"] = np.where(overdue, late_by, 0).astype("int64")
    out["overdue"] = overdue
    return out


@dataclass(frozen=True)
class PurchaseOrder:
    """A draft purchase order to one vendor.

    ``goods_cents + freight_cents == lines["order_cents"].sum()`` (``freight_cents``: the
    freight per pack and as a percent, on the lines) and
    ``total_cents == goods_cents + freight_cents + freight_per_order_cents`` (the vendor's
    flat freight, once per order), exact.
    """

    vendor: str
    lines: pd.DataFrame
    goods_cents: int
    freight_cents: int
    total_cents: int
    freight_per_order_cents: int = 0


_PO_COLUMNS = ["sku", "order_packs", "units_per_pack", "order_units", "pack_price_cents",
               "freight_per_pack_cents", "freight_pct_cents", "order_cents"]


def purchase_orders(lines: pd.DataFrame) -> list[PurchaseOrder]:
    """One draft purchase order per vendor from :func:`order_lines`.

    Lines with no packs to order are left out; a vendor with none gets no order. For each
    vendor ``goods = Σ packs × pack price``,
    ``freight = Σ (packs × freight per pack + freight pct cents) = Σ order_cents − goods``,
    ``freight per order = max`` of the lines' ``freight_per_order_cents`` (the vendor's flat
    charge, **once per order**; the largest when its lines disagree) and
    ``total = goods + freight + freight per order``, in whole cents (Python integers, exact).

    Parameters
    ----------
    lines
        From :func:`order_lines`: ``vendor``, ``sku``, ``order_packs``, ``units_per_pack``,
        ``order_units``, ``pack_price_cents``, ``freight_per_pack_cents``, ``order_cents`` and
        optionally ``freight_pct_cents`` and ``freight_per_order_cents`` (0 when absent).

    Returns
    -------
    list of PurchaseOrder
        By vendor name; the lines keep their input order with the columns ``sku``,
        ``order_packs``, ``units_per_pack``, ``order_units``, ``pack_price_cents``,
        ``freight_per_pack_cents``, ``freight_pct_cents``, ``order_cents``.

    Raises
    ------
    DataError
        A missing column; ``order_cents`` that is not packs × (price + freight per pack) +
        freight pct cents.
    """
    lines = lines.copy()
    for col in ("freight_pct_cents", "freight_per_order_cents"):
        if col not in lines:
            lines[col] = 0
    require_columns(lines, "order lines", ["vendor", *_PO_COLUMNS])
    _check_numeric(lines, "order lines", [*_PO_COLUMNS[1:], "freight_per_order_cents"],
                   whole=[*_PO_COLUMNS[1:], "freight_per_order_cents"])
    packs = lines["order_packs"].astype("int64")
    goods = packs * lines["pack_price_cents"].astype("int64")
    freight = (packs * lines["freight_per_pack_cents"].astype("int64")
               + lines["freight_pct_cents"].astype("int64"))
    bad = (goods + freight != lines["order_cents"].astype("int64")).to_numpy()
    if bad.any():
        raise rows_error(lines, bad, "order lines", "order_cents",
                         "order_cents is not packs × (pack price + freight per pack) + "
                         "freight pct cents", "the product of the line")
    per_order = lines["freight_per_order_cents"].astype("int64")
    orders = []
    live = (packs > 0).to_numpy()
    for vendor in sorted(set(lines["vendor"][live]), key=str):
        mask = live & (lines["vendor"] == vendor).to_numpy()
        g = sum(int(x) for x in goods[mask])
        f = sum(int(x) for x in freight[mask])
        o = max(int(x) for x in per_order[mask])
        orders.append(PurchaseOrder(vendor=vendor,
                                    lines=lines.loc[mask, _PO_COLUMNS].reset_index(drop=True),
                                    goods_cents=g, freight_cents=f, total_cents=g + f + o,
                                    freight_per_order_cents=o))
    return orders


def spend_vs_budget(spend_cents: int, budget_cents: int) -> Fraction:
    """Spend as an exact fraction of budget, ``spend / budget`` (``Fraction(3, 4)`` = 75 %).

    Raises
    ------
    ParameterError
        Amounts that are not whole cents, or a budget ≤ 0.
    """
    for name, value in (("spend_cents", spend_cents), ("budget_cents", budget_cents)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ParameterError(f"{name} must be whole cents, got {value!r}")
    if budget_cents <= 0:
        raise ParameterError(f"budget_cents must be greater than 0, got {budget_cents!r}")
    return Fraction(int(spend_cents), int(budget_cents))


def vendor_savings(offers: pd.DataFrame, annual_units: Mapping[str, float] | pd.Series,
                   critical_lead_time_pct_per_day: float) -> pd.DataFrame:
    """What each sku would save a year by switching to the vendor the report would choose.

    The chosen offer is the one :func:`choose_vendor` picks with the same
    ``critical_lead_time_pct_per_day`` (the lowest landed cost, the lead time weighed for
    critical items), so a switch is only counted towards the vendor the report itself orders
    from. The current offer of a sku is the one marked True in an optional ``current``
    column, or when no offer of the sku is marked, the chosen one. With ``A`` annual units of
    use:

    .. math::

        \\text{annual savings} = \\operatorname{round}\\big(A × \\max(0,
        \\text{cost}_{current} − \\text{cost}_{chosen})\\big)

    with ``cost`` the landed cost per unit plus the per-order freight spread over a typical
    order (``cost_per_unit`` of :func:`choose_vendor`), in cents, computed exactly and
    **rounded half up once per sku** (never per unit), so it is ≥ 0, and 0 when the current
    vendor is the chosen one or when the chosen one costs more (a faster vendor for a
    critical item is not a saving).

    Parameters
    ----------
    offers
        As :func:`choose_vendor`, optionally with ``current`` (bool, at most one True per sku).
    annual_units
        ``A`` per sku (≥ 0); every sku of ``offers`` needs one.
    critical_lead_time_pct_per_day
        Passed to :func:`choose_vendor`.

    Returns
    -------
    pandas.DataFrame
        One row per sku, sorted: ``sku``, ``current_vendor``, ``current_landed_per_unit``,
        ``current_cost_per_unit``, ``chosen_vendor``, ``chosen_landed_per_unit``,
        ``chosen_cost_per_unit``, ``cheapest_vendor`` (the lowest cost, for information: not
        what the savings compare with), ``savings_per_unit`` (≥ 0, exact
        :class:`~fractions.Fraction` cents), ``annual_units`` and ``annual_savings_cents``
        (``int64``).

    Raises
    ------
    DataError
        As :func:`choose_vendor`; more than one current offer for a sku; a sku without annual
        units or with a negative or non-numeric number.
    """
    scored = choose_vendor(offers, critical_lead_time_pct_per_day)
    units = annual_units if isinstance(annual_units, pd.Series) else pd.Series(annual_units)
    no_units = (~scored["sku"].isin(units.index)).to_numpy()
    if no_units.any():
        raise rows_error(scored, no_units, "vendor offers", "sku", "no annual units for the sku",
                         "annual units of use for every sku with offers")
    current = (scored["current"].fillna(False).astype(bool) if "current" in scored
               else pd.Series(False, index=scored.index))
    twice = (current & scored["sku"].where(current).duplicated()).to_numpy()
    if twice.any():
        raise rows_error(scored, twice, "vendor offers", "current",
                         "more than one current vendor for the sku", "one current offer per sku")
    sku_values = scored["sku"].to_numpy()
    vendors = scored["vendor"].to_numpy()
    landed = scored["landed_per_unit"].to_numpy()
    cost = scored["cost_per_unit"].to_numpy()
    lead = scored["lead_time_days"].to_numpy(dtype=float)
    chosen = scored["chosen"].to_numpy()
    marked = current.to_numpy(dtype=bool)
    groups: dict[object, list[int]] = {}
    for i, sku in enumerate(sku_values):
        groups.setdefault(sku, []).append(i)
    annual = units.to_dict()
    rows = []
    for sku in sorted(groups, key=str):
        idx = groups[sku]
        a = annual[sku]
        if isinstance(a, bool) or not isinstance(a, Real) or not math.isfinite(a) or a < 0:
            raise DataError("annual units must be a number 0 or more", column="annual_units",
                            value=f"{sku}: {a!r}", expected="units of use per year ≥ 0",
                            fix="correct the annual units")
        cur = next((i for i in idx if marked[i]), None)
        if cur is None:
            cur = next(i for i in idx if chosen[i])
        best = next(i for i in idx if chosen[i])
        low = min(idx, key=lambda i: (cost[i], lead[i], str(vendors[i])))
        per_unit = _ZERO if cur == best else max(_ZERO, cost[cur] - cost[best])
        rows.append({"sku": sku, "current_vendor": vendors[cur],
                     "current_landed_per_unit": landed[cur],
                     "current_cost_per_unit": cost[cur],
                     "chosen_vendor": vendors[best],
                     "chosen_landed_per_unit": landed[best],
                     "chosen_cost_per_unit": cost[best], "cheapest_vendor": vendors[low],
                     "savings_per_unit": per_unit, "annual_units": a,
                     "annual_savings_cents": round_half_away(per_unit * _exact(a))})
    out = pd.DataFrame(rows, columns=["sku", "current_vendor", "current_landed_per_unit",
                                      "current_cost_per_unit",
                                      "chosen_vendor", "chosen_landed_per_unit",
                                      "chosen_cost_per_unit",
                                      "cheapest_vendor",
                                      "savings_per_unit", "annual_units",
                                      "annual_savings_cents"])
    return out.astype({"annual_savings_cents": "int64"})


# --------------------------------------------------------------------------------------------
# 5. price history


def _check_price_keys(prices: pd.DataFrame, dates: pd.Series) -> None:
    keys = pd.DataFrame({"sku": prices["sku"].astype("object").to_numpy(),
                         "vendor": prices["vendor"].astype("object").to_numpy(),
                         "date": dates.to_numpy()})
    dup = keys.duplicated(keep=False).to_numpy()
    if dup.any():
        raise rows_error(prices, dup, "vendor prices", "effective_date",
                         "more than one price for the same sku, vendor and effective date",
                         "one row per sku, vendor and effective date",
                         fix="delete the repeated row, or correct its effective date")


def prices_in_force(prices: pd.DataFrame, as_of: str | pd.Timestamp) -> pd.DataFrame:
    """The offer of each sku and vendor in force on ``as_of``.

    ``vendor_prices`` holds a row per price change: a row applies from its ``effective_date``
    until the next row of the same sku and vendor. The offer in force on ``as_of`` is the row
    with the **latest** ``effective_date ≤ as_of``; rows dated after ``as_of`` (announced
    changes) are not used yet, and a sku and vendor whose rows are all dated after ``as_of``
    has no offer in force.

    Parameters
    ----------
    prices
        ``sku``, ``vendor`` and ``effective_date`` (a date, at most one row per sku, vendor and
        date), with any other columns of the offer.
    as_of
        The day the offers are wanted for.

    Returns
    -------
    pandas.DataFrame
        One row per sku and vendor with an offer in force, the input's rows in input order
        (the index is kept, so errors still name the file's rows).

    Raises
    ------
    DataError
        A missing column, a missing or unreadable date, or two rows of one sku and vendor with
        the same effective date (named).
    """
    require_columns(prices, "vendor prices", ["sku", "vendor", "effective_date"])
    dates = _dates(prices, "vendor prices", "effective_date")
    _check_price_keys(prices, dates)
    day = pd.Timestamp(as_of).normalize()
    started = (dates <= day).to_numpy()
    frame = pd.DataFrame({"sku": prices["sku"].astype("object").to_numpy()[started],
                          "vendor": prices["vendor"].astype("object").to_numpy()[started],
                          "date": dates.to_numpy()[started]}, index=prices.index[started])
    latest = frame.sort_values("date", kind="mergesort").groupby(
        ["sku", "vendor"], sort=False).tail(1).index
    return prices.loc[prices.index.isin(latest)]


def price_changes(prices: pd.DataFrame, as_of: str | pd.Timestamp,
                  annual_units: Mapping[str, float] | pd.Series,
                  price_lookback_days: int = 365) -> pd.DataFrame:
    """Each change of a vendor's landed cost per unit of use over a look-back window, with its
    cost a year at the current usage.

    A **change** is a row of ``prices`` that has an earlier row of the same sku and vendor
    (the *previous* price, the one in force the day before) and an ``effective_date`` after
    ``as_of − price_lookback_days``: those on or before ``as_of`` have taken effect
    (``announced``
    False); those after ``as_of`` are announced (``announced`` True) and are listed, never
    used. The first price of a sku and vendor is an offer, not a change. With landed costs
    per unit of use ``p₀`` (previous) and ``p₁`` (this row), as :func:`choose_vendor` works
    them out, and ``A`` annual units of use:

    .. math::

        Δ = p_1 − p_0, \\qquad \\text{change} = Δ / p_0, \\qquad
        \\text{annual impact} = \\operatorname{round}(A × Δ)

    in cents, exact, rounded half up **once per change** (negative for a price cut).

    Parameters
    ----------
    prices
        As :func:`choose_vendor` (``freight_per_pack_cents`` optional), with
        ``effective_date``; at most one row per sku, vendor and date.
    as_of
        Today: changes dated after it are announced.
    annual_units
        ``A`` per sku (≥ 0); every sku with a change needs one.
    price_lookback_days
        The window, whole days ≥ 1: changes effective after ``as_of −
        price_lookback_days`` count
        (with 365 and ``as_of`` 2025-12-31: from 2025-01-01 on).

    Returns
    -------
    pandas.DataFrame
        One row per change, sorted by sku, vendor and date: ``sku``, ``vendor``,
        ``effective_date``, ``previous_effective_date``, ``previous_landed_per_unit``,
        ``current_landed_per_unit`` and ``change_per_unit`` (exact
        :class:`~fractions.Fraction` cents per unit of use), ``change_pct`` (a fraction,
        0.05 is 5 %), ``annual_units``, ``annual_impact_cents`` (``int64``) and ``announced``.

    Raises
    ------
    DataError
        As :func:`choose_vendor` and :func:`prices_in_force`; a sku with a change but no
        annual units, or a negative or non-numeric number of them.
    ParameterError
        ``price_lookback_days`` not a whole number ≥ 1.
    """
    window = _whole_param("price_lookback_days", price_lookback_days, 1)
    require_columns(prices, "vendor prices", [*_OFFER_COLUMNS, "effective_date"])
    dates = _dates(prices, "vendor prices", "effective_date")
    _check_price_keys(prices, dates)
    day = pd.Timestamp(as_of).normalize()
    start = day - pd.Timedelta(days=window)
    scored = choose_vendor(prices.drop(columns=[c for c in ("critical",) if c in prices]), 0)
    units = annual_units if isinstance(annual_units, pd.Series) else pd.Series(annual_units)
    annual = units.to_dict()
    sku_values = scored["sku"].astype("object").to_numpy()
    vendors = scored["vendor"].astype("object").to_numpy()
    when = dates.to_numpy()
    landed = scored["landed_per_unit"].to_numpy()
    order = sorted(range(len(scored)), key=lambda i: (str(sku_values[i]), str(vendors[i]),
                                                      when[i]))
    rows = []
    for before, now in zip(order, order[1:], strict=False):
        sku, vendor = sku_values[now], vendors[now]
        if (sku_values[before], vendors[before]) != (sku, vendor) or when[now] <= start:
            continue  # the first price of a sku and vendor, or a change before the window
        a = annual.get(sku)
        if (a is None or isinstance(a, bool) or not isinstance(a, Real)
                or not math.isfinite(a) or a < 0):
            raise DataError("annual units missing or not a number 0 or more",
                            column="annual_units", value=f"{sku}: {a!r}",
                            expected="units of use per year ≥ 0 for every sku with a "
                                     "price change", fix="give the sku's annual units")
        old, new = landed[before], landed[now]
        delta = new - old
        rows.append({"sku": sku, "vendor": vendor, "effective_date": when[now],
                     "previous_effective_date": when[before],
                     "previous_landed_per_unit": old, "current_landed_per_unit": new,
                     "change_per_unit": delta,
                     "change_pct": float(delta / old) if old else (math.inf if delta else 0.0),
                     "annual_units": a, "annual_impact_cents": round_half_away(delta * _exact(a)),
                     "announced": bool(when[now] > day)})
    columns = ["sku", "vendor", "effective_date", "previous_effective_date",
               "previous_landed_per_unit", "current_landed_per_unit", "change_per_unit",
               "change_pct", "annual_units", "annual_impact_cents", "announced"]
    out = pd.DataFrame(rows, columns=columns)
    for c in ("effective_date", "previous_effective_date"):
        out[c] = pd.to_datetime(out[c])
    return out.astype({"annual_impact_cents": "int64", "announced": bool,
                       "change_pct": float})


def net_price_changes(prices: pd.DataFrame, as_of: str | pd.Timestamp,
                      annual_units: Mapping[str, float] | pd.Series,
                      price_lookback_days: int = 365) -> pd.DataFrame:
    """The net change of each vendor's landed cost per unit of use over a look-back window.

    For each sku and vendor with at least one change that took effect in the window
    (``as_of − price_lookback_days < effective_date ≤ as_of``, as :func:`price_changes`),
    the
    landed cost ``p₀`` in force at the start of the window (the latest row dated on or before
    ``as_of − price_lookback_days``; when the first price itself falls in the window, that
    first
    price) is compared with ``p₁``, the one in force on ``as_of``:

    .. math::

        Δ = p_1 − p_0, \\qquad \\text{change} = Δ / p_0, \\qquad
        \\text{annual impact} = \\operatorname{round}(A × Δ),

    so a rise that was taken back within the window nets to 0, and two rises add up.
    Announced changes (after ``as_of``) are left out.

    Returns
    -------
    pandas.DataFrame
        One row per sku and vendor, sorted: ``sku``, ``vendor``, ``start_effective_date``,
        ``effective_date`` (of today's price), ``changes`` (how many in the window),
        ``previous_landed_per_unit``, ``current_landed_per_unit``, ``change_per_unit``
        (exact), ``change_pct``, ``annual_units`` and ``annual_impact_cents`` (``int64``).

    Raises
    ------
    DataError, ParameterError
        As :func:`price_changes`.
    """
    return net_of_changes(price_changes(prices, as_of, annual_units, price_lookback_days))


def net_of_changes(detail: pd.DataFrame) -> pd.DataFrame:
    """:func:`net_price_changes` of a :func:`price_changes` table (a caller that has the table
    need not work it out twice)."""
    detail = detail[~detail["announced"].to_numpy()]
    columns = ["sku", "vendor", "start_effective_date", "effective_date", "changes",
               "previous_landed_per_unit", "current_landed_per_unit", "change_per_unit",
               "change_pct", "annual_units", "annual_impact_cents"]
    rows = []
    # Group positions in the groupby's order; in a group, rows by date (stable).
    group = detail.groupby(["sku", "vendor"], sort=True).ngroup().to_numpy()
    when = detail["effective_date"].to_numpy()
    members: list[list[int]] = [[] for _ in range(int(group.max()) + 1 if len(group) else 0)]
    for i in np.lexsort((np.arange(len(detail)), when, group)):
        if group[i] >= 0:  # -1: a missing sku or vendor, which groupby leaves out
            members[group[i]].append(int(i))
    sku_values, vendors = list(detail["sku"]), list(detail["vendor"])
    starts, ends = list(detail["previous_effective_date"]), list(detail["effective_date"])
    olds, news = list(detail["previous_landed_per_unit"]), list(detail["current_landed_per_unit"])
    annual = list(detail["annual_units"])
    for part in members:
        first, last = part[0], part[-1]
        sku, vendor = sku_values[first], vendors[first]
        old, new = olds[first], news[last]
        delta = new - old
        a = annual[first]
        rows.append({"sku": sku, "vendor": vendor,
                     "start_effective_date": starts[first],
                     "effective_date": ends[last], "changes": len(part),
                     "previous_landed_per_unit": old, "current_landed_per_unit": new,
                     "change_per_unit": delta,
                     "change_pct": float(delta / old) if old else (math.inf if delta else 0.0),
                     "annual_units": a, "annual_impact_cents": round_half_away(delta * _exact(a))})
    out = pd.DataFrame(rows, columns=columns)
    for c in ("start_effective_date", "effective_date"):
        out[c] = pd.to_datetime(out[c])
    return out.astype({"annual_impact_cents": "int64", "change_pct": float,
                       "changes": "int64"})
