"""What the purchasing notebook shows: the summary in words, formatted tables, charts and the
explorer's sliders, all from a :class:`~pracops.purchasing.chain.PurchasingPlan`.

The chain (loading, the calculations, figures, alerts and the purchase-order files) is
:mod:`pracops.purchasing.chain`; its module docstring holds the report's decisions. Tables are
returned as pandas Stylers (money stays integer cents; only the display is dollars), charts
are drawn on axes the caller owns.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from fractions import Fraction
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from pracops import report
from pracops.money import round_half_away
from pracops.purchasing import chain
from pracops.purchasing import model as pu
from pracops.purchasing.chain import PurchasingInputs, PurchasingPlan
from pracops.purchasing.parameters import PARAMETERS
from pracops.report import (
    BAD,
    NEUTRAL,
    PALETTE,
    bars_whole,
    fmt_money,
    fmt_pct,
    format_table,
    legend_outside,
    money_axis,
    no_math,
)
from pracops.widgets import chart, panel, slider

__all__ = [
    "HEADLINE_FIGURES",
    "summary_text",
    "reorder_table",
    "stockout_table",
    "po_summary_table",
    "po_table",
    "abc_table",
    "expiry_table",
    "expired_table",
    "savings_table",
    "vendor_table",
    "overdue_table",
    "price_changes_table",
    "unit_cost",
    "plot_abc",
    "plot_expiry_timeline",
    "plot_vendor_prices",
    "explorer",
]

HEADLINE_FIGURES = ("order_lines", "order_total_cents", "stockout_risk_skus",
                    "expiring_value_cents", "savings_available_cents", "inventory_value_cents",
                    "spend_vs_budget_pct")
"""Figures shown for this report on the run's index page."""


def _names(plan: PurchasingPlan, skus: list[str]) -> str:
    desc = dict(zip(plan.skus["sku"], plan.skus["description"], strict=True))
    return ", ".join(f"{report.md_text(desc[s])} ({report.md_text(s)})" for s in skus)


def summary_text(plan: PurchasingPlan, fig: Mapping[str, Any]) -> str:
    """The executive summary in a few sentences of Markdown."""
    orders = fig["purchase_orders"]
    if orders:
        by_vendor = "; ".join(f"{report.md_text(o['vendor'])} {fmt_money(o['total_cents'])} "
                              f"({o['lines']} line{'s' if o['lines'] > 1 else ''})"
                              for o in orders)
        lines = [f"As of **{fig['as_of']}**, **{fig['order_lines']} order line"
                 f"{'s' if fig['order_lines'] != 1 else ''}** should be placed today, "
                 f"**{fmt_money(fig['order_total_cents'])}** in all: {by_vendor}."]
    else:
        lines = [f"As of **{fig['as_of']}**, no item is at or below its reorder point: nothing "
                 "needs ordering today."]
    risk = fig["stockout_risk_skus"]
    lines.append(f"**Stock-out risk:** {_names(plan, risk)} — the shelf may be empty before "
                 "stock can arrive, or a critical item is below its minimum (see the alerts)."
                 if risk
                 else "No item is at risk of running out before an order can arrive.")
    if fig["oversized_order_lines"]:
        lines.append(f"A pack size or vendor minimum makes {len(fig['oversized_order_lines'])} "
                     "order line(s) larger than the item will use before it expires or within "
                     f"{plan.settings['max_cover_days']} days: "
                     f"{_names(plan, fig['oversized_order_lines'])}.")
    if fig["expiring_lots"]:
        lots = fig["expiring_lots"]
        lines.append(f"**{fmt_money(fig['expiring_value_cents'])}** of stock will expire before "
                     f"it is used at the current rate ({len(lots)} lot"
                     f"{'s' if len(lots) > 1 else ''}, first expiry first out)"
                     + (f", of which {fmt_money(fig['minimum_expiring_value_cents'])} is stock "
                        "kept as a minimum that must be replaced when it expires."
                        if fig["minimum_expiring_value_cents"] else "."))
    else:
        lines.append("At the current usage every lot is used before it expires.")
    if fig["expired_lots"]:
        lines.append(f"{len(fig['expired_lots'])} lot(s) on the shelf have already expired "
                     f"({fmt_money(fig['expired_value_cents'])}); they are not counted as stock.")
    known, unknown = fig["current_vendor_known_skus"], fig["current_vendor_unknown_skus"]
    dearer = len(fig["cheaper_vendor"])
    text = (f"Of the {known} item(s) whose current vendor the open orders show, "
            + (f"{dearer} {'is' if dearer == 1 else 'are'} bought dearer than from the vendor "
               "this report would choose: switching would save "
               f"**{fmt_money(fig['savings_available_cents'])} a year**." if dearer else
               "every one is bought from the vendor this report would choose."))
    if unknown:
        text += (f" For the other {unknown} item(s) the current vendor is unknown (no open "
                 "order), so no saving is counted for them.")
    lines.append(text)
    lines.append(f"Stock on hand is worth **{fmt_money(fig['inventory_value_cents'])}** at "
                 f"today's landed cost. Supplies used in the last "
                 f"{plan.settings['budget_period_days']} days cost "
                 f"{fmt_money(fig['supply_spend_cents'])} at today's prices, "
                 f"**{fmt_pct(fig['spend_vs_budget_pct'])}** of the budget of "
                 f"{fmt_money(fig['supply_budget_cents'])}.")
    lines.append(_price_sentence(plan, fig))
    if fig["overdue_orders"]:
        lines.append(f"Overdue: {', '.join(map(report.md_text, fig['overdue_orders']))} — call "
                     "the vendor.")
    return no_math("\n\n".join(lines))


def _price_sentence(plan: PurchasingPlan, fig: Mapping[str, Any]) -> str:
    days = plan.settings["price_lookback_days"]
    if not fig["price_changes"]:
        text = f"No vendor changed a price in the last {days} days."
    else:
        text = (f"**Prices:** {fig['price_changes']} vendor price change(s) in the last {days} "
                f"days, {fig['price_increases']} of them increases; those on the items the "
                f"practice buys add **{fmt_money(fig['price_increase_cost_cents'])} a year** "
                "at the current usage.")
        material = fig["material_price_increases"]
        if material:
            pct = plan.settings["material_price_increase_pct"]
            text += (f" Material (≥ {pct:g} % on a class A "
                     f"item): {_names(plan, [m['sku'] for m in material])}.")
    if fig["announced_price_changes"]:
        text += (f" {fig['announced_price_changes']} announced change(s) take effect after "
                 f"{fig['as_of']} and are not used yet.")
    return text


# --- tables ---------------------------------------------------------------------------------

def unit_cost(cents: Fraction | int | float, *, sign: bool = False) -> str:
    """A cost per unit of use (exact cents, a Fraction) as a reader writes money: to the cent
    from a dollar up (``$247.16``), to a tenth of a cent below it, where the cents alone would
    hide the price (a glove at ``$0.052``), rounded half away from zero; ``sign`` puts ``+``
    before a rise and writes a fall in parentheses, as the money columns do."""
    if cents is None or pd.isna(cents):
        return ""
    exact = Fraction(cents) if not isinstance(cents, float) else Fraction(repr(cents))
    places = 2 if abs(exact) >= 100 or exact == 0 else 3
    scaled = round_half_away(abs(exact) * 10 ** places / 100)  # in hundredths or thousandths
    whole, part = divmod(scaled, 10 ** places)
    body = f"${whole:,}.{part:0{places}d}"
    if exact < 0:
        return f"({body})"
    return f"+{body}" if sign and exact > 0 else body


def reorder_table(plan: PurchasingPlan) -> Any:
    """The items to order today: stock, levels, the vendor, packs and cost."""
    t = plan.lines[["sku", "description", "critical", "on_hand_units", "expiring_units",
                    "on_order_units", "reorder_point_units", "order_up_to_units", "vendor",
                    "order_packs", "units_per_pack", "order_units", "order_cents",
                    "cover_days", "oversized"]].rename(columns={
                        "on_hand_units": "on hand", "expiring_units": "expiring unused",
                        "on_order_units": "on order",
                        "reorder_point_units": "reorder point",
                        "order_up_to_units": "order up to", "order_packs": "packs",
                        "units_per_pack": "units a pack", "order_units": "units",
                        "order_cents": "cost", "cover_days": "days of cover"})
    t["critical"] = t["critical"].map({True: "yes", False: ""})
    t["oversized"] = t["oversized"].map({True: "more than it will use", False: ""})
    t["days of cover"] = t["days of cover"].replace(np.inf, np.nan)
    return format_table(t, money=["cost"], count=["on hand", "expiring unused", "on order",
                                                  "reorder point", "order up to", "packs",
                                                  "units a pack", "units"]).format(
        "{:,.0f}", subset=["days of cover"], na_rep="no use")


def stockout_table(plan: PurchasingPlan, n: int = 10) -> Any:
    """The ``n`` items with the fewest days of stock (position ÷ mean daily use)."""
    s = plan.skus[plan.skus["demand_mean_per_day"] > 0].copy()
    s["days of stock"] = s["position_units"] / s["demand_mean_per_day"]
    s = s.sort_values("days of stock", kind="mergesort").head(n)
    t = s[["sku", "description", "position_units", "demand_mean_per_day", "days of stock",
           "lead_time_days", "reorder_point_units"]].rename(columns={
               "position_units": "position", "demand_mean_per_day": "use a day",
               "lead_time_days": "lead time (days)", "reorder_point_units": "reorder point"})
    decimals = ["use a day", "days of stock", "lead time (days)"]
    return format_table(t, count=["position", "reorder point", *decimals]).format(
        "{:,.1f}", subset=decimals)


def po_summary_table(plan: PurchasingPlan) -> Any:
    """One row per purchase-order draft: its sheet/file name, lines, goods, freight (per pack
    and percent, on the lines), freight per order (once), total."""
    t = chain.po_summary_frame(plan).rename(columns={"freight_cents": "freight on lines_cents",
                                                      "sheet": "sheet and CSV file"})
    return format_table(t, money=["goods_cents", "freight on lines_cents",
                                  "freight_per_order_cents", "total_cents"],
                        count=["lines"])


def po_table(plan: PurchasingPlan, order: pu.PurchaseOrder) -> Any:
    """One vendor's purchase-order draft, with a total row (its description, "goods $… +
    freight $…", shown with :func:`~pracops.report.no_math`: two dollar signs in one cell
    would be typeset as math in JupyterLab)."""
    # freight_pct_cents is freight charged as a percent of the goods, in dollars
    t = chain.po_frame(plan, order).rename(columns={"freight_pct_cents":
                                                    "freight ($) charged as % of goods_cents"})
    return format_table(t, money=["pack_price_cents", "freight_per_pack_cents",
                                  "freight ($) charged as % of goods_cents", "order_cents"],
                        count=["order_packs", "units_per_pack", "order_units"]).format(
        {"description": lambda text: no_math(escape(str(text), quote=False))}, escape=None)


def abc_table(plan: PurchasingPlan) -> Any:
    """Per ABC class: items, annual spend and its share."""
    a = plan.abc
    total = int(a["annual_spend_cents"].sum())
    rows = [{"class": c, "items": int((a["abc_class"] == c).sum()),
             "annual_spend_cents": int(a.loc[a["abc_class"] == c, "annual_spend_cents"].sum())}
            for c in "ABC"]
    t = pd.DataFrame(rows)
    t["share of spend"] = t["annual_spend_cents"] / total if total else 0.0
    return format_table(t, money=["annual_spend_cents"], pct=["share of spend"],
                        count=["items"])


def expiry_table(plan: PurchasingPlan) -> Any:
    """Lots expiring within the window, and any lot that will expire before it is used.

    "days left" counts the days of use, today and the expiry date included (1 for a lot
    expiring today)."""
    lots = plan.lots
    keep = ((lots["days_to_expiry"] <= plan.settings["expiry_window_days"])
            | (lots["expiring_units"] > 0)).to_numpy()
    desc = dict(zip(plan.skus["sku"], plan.skus["description"], strict=True))
    t = lots[keep].sort_values(["expiry_date", "sku"], kind="mergesort")
    t = pd.DataFrame({"sku": t["sku"], "description": t["sku"].map(desc), "lot": t["lot"],
                      "site": t["location_id"], "expires": t["expiry_date"],
                      "days left": t["days_of_use_left"], "quantity": t["quantity"],
                      "used before expiry": t["used_units"],
                      "expiring unused": t["expiring_units"],
                      "value expiring": t["expiring_value_cents"]})
    decimals = ["used before expiry", "expiring unused"]
    return format_table(t, money=["value expiring"], count=["days left", "quantity", *decimals],
                        ).format("{:,.1f}", subset=decimals)


def expired_table(plan: PurchasingPlan) -> Any | None:
    """Lots already expired on the count date (``None`` when there are none)."""
    if plan.expired.empty:
        return None
    t = plan.expired[["sku", "lot", "location_id", "expiry_date", "quantity", "value_cents"]]
    return format_table(t, money=["value_cents"], count=["quantity"])


def savings_table(plan: PurchasingPlan) -> Any:
    """Items bought from a dearer vendor: costs per unit (landed, with any per-order freight
    spread over a typical order) and the savings a year."""
    s = plan.savings[plan.savings["annual_savings_cents"] > 0].sort_values(
        "annual_savings_cents", ascending=False)
    desc = dict(zip(plan.skus["sku"], plan.skus["description"], strict=True))
    t = pd.DataFrame({"sku": s["sku"], "description": s["sku"].map(desc),
                      "current vendor": s["current_vendor"],
                      "cost a unit (current)": s["current_cost_per_unit"],
                      "cheaper vendor": s["chosen_vendor"],
                      "cost a unit (cheaper)": s["chosen_cost_per_unit"],
                      "units a year": s["annual_units"],
                      "savings a year": s["annual_savings_cents"]})
    return format_table(t, money=["savings a year"], count=["units a year"],
                        ).format(unit_cost, subset=["cost a unit (current)",
                                                    "cost a unit (cheaper)"])


def vendor_table(plan: PurchasingPlan) -> Any:
    """Per vendor: items offered, items where it is cheapest or chosen, its median premium
    over the cheapest offer, lead time, and today's order."""
    o = plan.offers.copy()
    best = o.groupby("sku")["cost_per_unit"].transform("min")
    o["premium"] = [float(x / b - 1) if b else 0.0
                    for x, b in zip(o["cost_per_unit"], best, strict=True)]
    o["cheapest"] = [x == b for x, b in zip(o["cost_per_unit"], best, strict=True)]
    totals = {x.vendor: x.total_cents for x in plan.orders}
    rows = []
    for vendor, part in o.groupby("vendor", sort=True):
        shared = part[(o.groupby("sku")["vendor"].transform("size")[part.index] > 1)
                      .to_numpy()]
        rows.append({"vendor": vendor, "items offered": len(part),
                     "cheapest for": int(part["cheapest"].sum()),
                     "chosen for": int(part["chosen"].sum()),
                     "current for": int(part["current"].sum()),
                     "median premium": (float(shared["premium"].median()) if len(shared)
                                        else 0.0),
                     "mean lead time (days)": float(part["lead_time_days"].mean()),
                     "order today": totals.get(vendor, 0)})
    return format_table(pd.DataFrame(rows), money=["order today"], pct=["median premium"],
                        count=["items offered", "cheapest for", "chosen for", "current for",
                               "mean lead time (days)"],
                        ).format("{:.1f}",
                                                       subset=["mean lead time (days)"])


def overdue_table(plan: PurchasingPlan) -> Any | None:
    """Open order lines past their expected date (``None`` when none is late)."""
    late = plan.open_orders[plan.open_orders["overdue"].to_numpy()]
    if late.empty:
        return None
    t = late[["po_number", "vendor", "sku", "order_date", "expected_date", "days_late",
              "quantity_units", "quantity_received", "outstanding_units"]]
    return format_table(t, count=["days_late", "quantity_units", "quantity_received",
                                  "outstanding_units"])


def price_changes_table(plan: PurchasingPlan) -> Any | None:
    """The vendor price changes in the look-back window and those announced, largest yearly
    cost first: landed cost per unit of use before and after, the change, and its cost a year
    at the current usage (``None`` when there are none)."""
    pc = plan.price_changes
    if pc.empty:
        return None
    pc = pc.sort_values(["announced", "annual_impact_cents", "sku", "vendor"],
                        ascending=[True, False, True, True], kind="mergesort")
    desc = dict(zip(plan.skus["sku"], plan.skus["description"], strict=True))
    t = pd.DataFrame({
        "sku": pc["sku"], "description": pc["sku"].map(desc), "vendor": pc["vendor"],
        "bought here": pc["current"].map({True: "yes", False: ""}),
        "class": pc["abc_class"], "from": pc["effective_date"],
        "landed a unit (before)": pc["previous_landed_per_unit"],
        "landed a unit (now)": pc["current_landed_per_unit"],
        "change a unit": pc["change_per_unit"],
        "change": pc["change_pct"], "units a year": pc["annual_units"],
        "cost a year": pc["annual_impact_cents"],
        "status": [("announced" if a else "material increase" if m else "in force")
                   for a, m in zip(pc["announced"], pc["material"], strict=True)]})
    return format_table(t, money=["cost a year"], pct=["change"], count=["units a year"],
                        ).format(unit_cost, subset=["landed a unit (before)",
                                                    "landed a unit (now)"]
                                 ).format(lambda v: unit_cost(v, sign=True),
                                          subset=["change a unit"]
                                 ).format(lambda v: ("+" if v > 0 else "") + fmt_pct(v),
                                          subset=["change"]
                                 ).set_properties(subset=["landed a unit (before)",
                                                          "landed a unit (now)",
                                                          "change a unit"],
                                                  **{"text-align": "right"})


# --- charts ---------------------------------------------------------------------------------

def plot_abc(plan: PurchasingPlan, ax: Any) -> None:
    """Pareto chart: annual spend per item, highest first, coloured by ABC class, with the
    cumulative share of spend on a second axis."""
    a = plan.abc
    colours = {"A": PALETTE[0], "B": PALETTE[1], "C": PALETTE[4]}
    x = np.arange(1, len(a) + 1)
    for c in "ABC":
        part = (a["abc_class"] == c).to_numpy()
        ax.bar(x[part], a["annual_spend_cents"].to_numpy()[part], width=1.0,
               color=colours[c], label=f"class {c} ({int(part.sum())} items)")
    ax.set_title("Annual supply spend per item (ABC analysis)")
    ax.set_xlabel("items, by annual spend (rank)")
    ax.set_ylabel("annual spend (US$)")
    money_axis(ax)
    share = ax.twinx()
    share.plot(x, a["cumulative_share"].to_numpy() * 100, color=PALETTE[6], linewidth=1.2,
               label="cumulative share of spend")
    bars, names = ax.get_legend_handles_labels()
    line, label = share.get_legend_handles_labels()
    # right of the second axis's labels, clear of the bars and the curve
    ax.legend(bars + line, names + label, loc="upper left", bbox_to_anchor=(1.12, 1.0),
              borderaxespad=0.0, fontsize=8)
    share.set_ylim(0, 105)
    share.set_ylabel("cumulative share of spend (%)")
    share.grid(False)


def plot_expiry_timeline(plan: PurchasingPlan, ax: Any, months: int = 12) -> None:
    """Value of the stock in lots expiring each month over the next ``months``: the part used
    before expiry and the part that will expire unused."""
    lots = plan.lots
    month = lots["expiry_date"].dt.to_period("M")
    first = plan.as_of.to_period("M")
    span = pd.period_range(first, first + months - 1, freq="M")
    inside = month.isin(span).to_numpy()
    lost = lots["expiring_value_cents"].to_numpy()[inside]
    worth = [round_half_away(Fraction(repr(float(q))) * c) for q, c in zip(
        lots["quantity"].to_numpy()[inside], lots["unit_cost_cents"].to_numpy()[inside],
        strict=True)]
    frame = pd.DataFrame({"month": month[inside].astype(str), "lost": lost,
                          "used": np.asarray(worth, dtype="int64") - lost})
    grouped = frame.groupby("month")[["used", "lost"]].sum().reindex(
        span.astype(str), fill_value=0)
    x = np.arange(len(grouped))
    ax.bar(x, grouped["used"], label="used before it expires")
    ax.bar(x, grouped["lost"], bottom=grouped["used"], color=BAD,
           label="will expire unused")
    bars_whole(ax)
    ax.set_xticks(x, list(grouped.index), rotation=45, ha="right")
    ax.set_title(f"Stock by month of expiry (next {months} months)")
    ax.set_xlabel("month the lot expires")
    ax.set_ylabel("value at landed cost (US$)")
    money_axis(ax)
    legend_outside(ax)


def plot_vendor_prices(plan: PurchasingPlan, ax: Any) -> None:
    """For the items sold by more than one vendor: each vendor's premium over the cheapest
    cost per unit of use of the item (landed, with any per-order freight spread over a typical
    order; 0 % where it is the cheapest)."""
    from matplotlib.ticker import FuncFormatter

    o = plan.offers
    shared = o[(o.groupby("sku")["vendor"].transform("size") > 1).to_numpy()]
    best = shared.groupby("sku")["cost_per_unit"].transform("min")
    premium = [float(x / b - 1) * 100 if b else 0.0
               for x, b in zip(shared["cost_per_unit"], best, strict=True)]
    cheapest = best.map(float) / 100
    for vendor in sorted(shared["vendor"].unique()):
        part = (shared["vendor"] == vendor).to_numpy()
        ax.scatter(cheapest[part], np.asarray(premium)[part], s=18, label=vendor, alpha=0.8)
    ax.axhline(0, color=NEUTRAL, linewidth=0.8)
    ax.set_xscale("log")
    # the decades as money a reader writes ($0.01, $0.10, $1, $10), not as powers of ten
    ax.xaxis.set_major_formatter(FuncFormatter(
        lambda v, _pos: f"${v:,.2f}" if v < 1 else f"${v:,.0f}"))
    ax.set_title("Premium over the cheapest offer, items sold by several vendors")
    ax.set_xlabel("cheapest cost per unit of use (US$, log scale)")
    ax.set_ylabel("vendor's premium (%)")
    legend_outside(ax, title="vendor")


# --- explorer -------------------------------------------------------------------------------

def explorer(inputs: PurchasingInputs, **parameters: Any) -> Any:
    """Service-level and holding-cost sliders that recompute the plan
    (:func:`pracops.purchasing.chain.compute`, which writes no file) and redraw the safety
    stock, the stock value the policy carries and today's order lines.

    Parameters
    ----------
    inputs
        :class:`pracops.purchasing.chain.PurchasingInputs` (``result.inputs`` of
        :func:`pracops.purchasing.chain.run`).
    parameters
        As for :func:`pracops.purchasing.chain.compute` (``result.parameters``); the sliders
        start from ``service_level``, ``critical_service_level`` and ``holding_cost_pct``.

    Returns
    -------
    ipywidgets.VBox
        The sliders above an output area that redraws when a slider is released.
    """
    from IPython.display import Markdown, display

    declared = PARAMETERS.defaults(run_only=True)
    base = dict(parameters)
    level = slider(float(base.pop("service_level", declared["service_level"])),
                   0.8, 0.995, 0.005, ".1%")
    critical = slider(float(base.pop("critical_service_level",
                                     declared["critical_service_level"])),
                      0.8, 0.999, 0.001, ".1%")
    holding = slider(float(base.pop("holding_cost_pct", declared["holding_cost_pct"])),
                     5, 50, 1, ".0f")

    def showing() -> str:
        return (f"service level {fmt_pct(level.value)}, {fmt_pct(critical.value)} for critical "
                f"items, holding cost {holding.value:.0f} % a year")

    def draw() -> None:
        plan = chain.compute(
            inputs, **base, service_level=level.value,
            critical_service_level=critical.value, holding_cost_pct=holding.value)
        fig = chain.summary_figures(plan)
        carrying = round(fig["average_stock_value_cents"] * holding.value / 100)
        display(Markdown(no_math(
            f"Safety stock worth **{fmt_money(fig['safety_stock_value_cents'])}**; the "
            f"policy carries **{fmt_money(fig['average_stock_value_cents'])}** of stock on "
            f"average ({fmt_money(carrying)} a year to hold); on the shelf today "
            f"{fmt_money(fig['inventory_value_cents'])}. **{fig['order_lines']} order "
            f"line(s)** today, {fmt_money(fig['order_total_cents'])}.")))
        display(chart(lambda figure: _plot_stock_by_category(plan, figure.subplots()),
                      alt=f"Stock the policy carries by category, with {showing()}: safety "
                          f"stock {fmt_money(fig['safety_stock_value_cents'])} of "
                          f"{fmt_money(fig['average_stock_value_cents'])} on average."))
        if len(plan.lines):
            display(reorder_table(plan))

    return panel({"Service level": level, "Service level, critical items": critical,
                  "Holding cost (% a year)": holding}, draw, showing=showing)


def _plot_stock_by_category(plan: PurchasingPlan, ax: Any) -> None:
    """Horizontal bars by item category: the average stock the policy carries, and the safety
    stock within it."""
    by = (plan.skus.groupby("category")[["average_stock_value_cents", "safety_stock_value_cents"]]
          .sum().sort_values("average_stock_value_cents"))
    ax.barh(by.index, by["average_stock_value_cents"], color="#9ecae1",
            label="average stock (safety stock + half an order)")
    ax.barh(by.index, by["safety_stock_value_cents"], color="#1f5f8b", label="safety stock")
    ax.set_title("Stock the policy carries, by category")
    ax.set_xlabel("value at cost (US$)")
    ax.set_ylabel("category")
    money_axis(ax, "x")
    ax.legend(loc="lower right", fontsize=8)



# --- names that moved -----------------------------------------------------------------------

_MOVED_TO_CHAIN = ("load_inputs", "check_inputs", "check_datasets", "check_prices_in_force",
                   "default_as_of", "as_of_param", "summary_figures", "alerts", "po_files",
                   "po_names", "write_po_files")
"""The chain's names this module (``pracops.purchasing_view`` of the flat layout) held."""

_OLD_NAMES = {"a_share": "abc_a_share", "b_share": "abc_b_share",
              "material_increase_pct": "material_price_increase_pct"}


def _run_purchasing(inputs: PurchasingInputs, **old: Any) -> PurchasingPlan:
    """The old ``run_purchasing``: its argument names mapped to the declared ones, cents to
    dollars, then :func:`pracops.purchasing.chain.compute`."""
    new = {_OLD_NAMES.get(k, k): v for k, v in old.items()}
    for cents, dollars in (("order_cost_cents", "order_cost"),
                           ("supply_budget_cents", "supply_budget")):
        if cents in new:
            new[dollars] = int(new.pop(cents)) / 100
    return chain.compute(inputs, **new)


def __getattr__(name: str) -> Any:
    """The chain's names, which lived here before, with a DeprecationWarning."""
    if name == "run_purchasing":
        warnings.warn("pracops.purchasing.view.run_purchasing is deprecated: use "
                      "pracops.purchasing.chain.compute (the report's parameter names) or "
                      "chain.run", DeprecationWarning, stacklevel=2)
        return _run_purchasing
    if name in _MOVED_TO_CHAIN:
        warnings.warn(f"pracops.purchasing.view.{name} is deprecated: use "
                      f"pracops.purchasing.chain.{name}", DeprecationWarning, stacklevel=2)
        return getattr(chain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
