"""What the operating budget notebook shows of a :class:`~pracops.budget.chain.BudgetReport`:
the summary in words, formatted tables, charts, and the explorer (sliders for live kernels).

The chain (load → budget → comparison → figures, alerts and the workbook) lives in
:mod:`pracops.budget.chain`, the calculations in :mod:`pracops.budget.model`. Tables are
returned as pandas Stylers (money stays integer cents; only the display is dollars); charts are
drawn on axes the caller owns. The budget reads ledger totals and visit counts only: no patient
data.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pracops import report
from pracops.budget import chain
from pracops.budget import model as bd
from pracops.budget.chain import BudgetReport, _pct_or_na, _signed, base_wrvus
from pracops.errors import ParameterError
from pracops.report import (
    BAD,
    GOOD,
    NEUTRAL,
    PALETTE,
    fmt_count,
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
    "Driver",
    "period_label",
    "margin_drivers",
    "summary_text",
    "pnl",
    "pnl_table",
    "budget_table",
    "drivers_table",
    "variance_table",
    "monthly_variance_table",
    "revenue_variance_table",
    "cost_variance_table",
    "forecast_table",
    "plot_budget_vs_actual",
    "plot_margin_bridge",
    "plot_payer_mix",
    "explorer",
]

# names that moved to the chain (pracops.budget.chain); the old ones warn
_MOVED = ("BudgetInputs", "BudgetReport", "load_inputs", "summary_figures", "alerts",
          "base_wrvus", "write_budget_workbook")


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        warnings.warn(f"pracops.budget.view.{name} moved to pracops.budget.chain.{name}",
                      DeprecationWarning, stacklevel=2)
        return getattr(chain, name)
    if name in ("run_budget", "assumptions"):
        # their arguments were renamed to the report's parameters: no silent forwarding
        raise AttributeError(f"pracops.budget.view.{name} is gone: call "
                             "pracops.budget.chain.compute(inputs, budget_year=..., "
                             "visit_growth_pct=..., ...) or chain.run(data_dir, ...), which "
                             "take the report's parameters by name")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


HEADLINE_FIGURES = ("budget_revenue_cents", "budget_margin_pct", "ytd_variance_cents",
                    "flagged_accounts", "forecast_margin_pct")
"""Figures shown for this report on the run's index page."""

WITHIN = "within threshold"
"""The direction of a variance below materiality, in both variance tables."""


FULL_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")


# --- words ----------------------------------------------------------------------------------------

def _signed_fraction(fraction: float | None) -> str:
    """A change as a signed percentage; ``"n/a"`` when it is missing or not finite."""
    text = _pct_or_na(fraction)
    return ("+" if fraction is not None and fraction > 0 and text != "0.0%" else "") + text


def _variance_fraction(fraction: float) -> str:
    """A variance as a fraction, for tables; ``"no budget"`` when the budget is 0."""
    if fraction is None or not np.isfinite(fraction):
        return "no budget"
    return fmt_pct(fraction)


def _largest(frame: pd.DataFrame, column: str, label: str) -> tuple[str, int]:
    i = frame[column].abs().idxmax()
    return str(frame.loc[i, label]), int(frame.loc[i, column])


def period_label(year: int, through_month: int) -> str:
    """The months to date in words: ``"January 2025"`` or ``"January to March 2025"``."""
    if through_month <= 1:
        return f"January {year}"
    return f"January to {FULL_MONTHS[through_month - 1]} {year}"


@dataclass(frozen=True)
class Driver:
    """One line of the summary's "What moved it": ``cents`` is the effect on the operating
    margin to date (positive: the margin is higher than budgeted); ``text`` is the sentence
    (Markdown, dollar signs as they are: :func:`summary_text` passes the whole text through
    :func:`pracops.report.no_math`)."""

    name: str
    cents: int
    text: str


def margin_drivers(rep: BudgetReport) -> list[Driver]:
    """What moved the operating margin to date, from the comparison's bridge: volume, payer
    mix, rate and cost (and rounding when it is not 0), each signed as its effect on the
    margin, so they add up to ``actual margin − budget margin`` exactly. Empty before the first
    month of the budget year is closed."""
    c = rep.comparison
    if c is None:
        return []
    steps = c.bridge.set_index("step")["cents"]
    p = c.payers
    v_b, v_a = int(p["budget_visits"].sum()), int(p["actual_visits"].sum())
    out: list[Driver] = []

    # volume: the revenue of the extra (or missing) visits at the budget's average rate, less
    # the variable costs they bring
    volume = int(steps["volume"])
    revenue_part = c.part("volume")
    cost_part = revenue_part - volume
    avg_rate = (int((p["budget_visits"] * p["budget_rate_cents"]).sum()) / v_b) if v_b else 0
    out.append(Driver("volume", volume,
                      f"- **Volume** {_signed(volume)} to the margin: {fmt_count(v_a)} visits "
                      f"against {fmt_count(v_b)} budgeted "
                      f"({_signed_fraction((v_a - v_b) / v_b if v_b else None)}), that is "
                      f"{_signed(revenue_part)} of revenue at the budget's average rate "
                      f"({fmt_money(round(avg_rate))} a visit) and {_signed(-cost_part)} from "
                      "the variable costs that follow the visits."))

    mix = int(steps["mix"])
    shares = p.assign(b=p["budget_visits"] / max(v_b, 1), a=p["actual_visits"] / max(v_a, 1))
    shares["shift"] = shares["a"] - shares["b"]
    seen = shares[(shares["budget_visits"] > 0) | (shares["actual_visits"] > 0)]
    if len(seen) <= 1:
        why = "one payer class, so the mix did not move."
    elif shares["shift"].abs().max() < 0.0005:  # no share moved by a tenth of a point
        why = "the payer mix did not move (every class's share of visits as budgeted)."
    else:
        up = shares.loc[shares["shift"].idxmax()]
        down = shares.loc[shares["shift"].idxmin()]
        why = (f"{report.md_text(up['payer'])} rose to {fmt_pct(up['a'])} of visits (budget "
               f"{fmt_pct(up['b'])}) and {report.md_text(down['payer'])} fell to "
               f"{fmt_pct(down['a'])} (budget "
               f"{fmt_pct(down['b'])}).")
    out.append(Driver("mix", mix, f"- **Payer mix** {_signed(mix)} to the margin: {why}"))

    rate = int(steps["rate"])
    cls, cents = _largest(c.revenue_by_class, "rate_cents", "payer")
    row = p.set_index("payer").loc[cls]
    paid = (f"paying {fmt_money(round(row['actual_revenue_cents'] / row['actual_visits']))} a "
            "visit" if row["actual_visits"] else "with no visits yet")
    out.append(Driver("rate", rate,
                      f"- **Rate** {_signed(rate)} to the margin: mostly {report.md_text(cls)} "
                      f"({_signed(cents)}), {paid} against "
                      f"{fmt_money(int(row['budget_rate_cents']))} budgeted."))

    other = int(steps.get("other revenue", 0))
    if "other revenue" in steps:
        out.append(Driver("other revenue", other,
                          f"- **Other revenue** {_signed(other)} to the margin: the revenue that "
                          "does not come with visits (grants, care-management or capitation "
                          "payments, rent received) against its budget."))

    cost = int(steps["cost"])
    costs = c.costs
    over = costs[costs["spending_variance_cents"] > 0]
    acct, spend = _largest(over if len(over) else costs, "spending_variance_cents", "account")
    name = rep.budget.accounts.set_index("account").loc[acct, "name"]
    months = c.lines[(c.lines["account"] == acct) & c.lines["material"]]["month"].tolist()
    when = f", flagged in {', '.join(bd.MONTH_NAMES[m - 1] for m in months)}" if months else ""
    out.append(Driver("cost", cost,
                      f"- **Costs** {_signed(cost)} to the margin: spending against the "
                      f"flexible budget, most from {report.md_text(name)} "
                      f"({report.md_text(acct)}, {_signed(-spend)} to the "
                      f"margin{when})."))

    rounding = int(steps.get("rounding", 0))
    if rounding:
        out.append(Driver("rounding", rounding,
                          f"- **Rounding** {_signed(rounding)} to the margin: the cents left "
                          "over when the revenue variance is split into its parts."))
    return out


def summary_text(rep: BudgetReport, fig: Mapping[str, Any]) -> str:
    """The executive summary in Markdown (dollar signs kept from math by :func:`no_math`): the
    budget in one paragraph, then the margin variance to date and one line per driver
    (:func:`margin_drivers`: volume, mix, rate, cost), which add up to it."""
    b, c = rep.budget, rep.comparison
    base = f"{b.base_periods[0]} to {b.base_periods[-1]}"
    lines = [
        f"**Budget {b.year}**: revenue {fmt_money(fig['budget_revenue_cents'])}, expenses "
        f"{fmt_money(fig['budget_expense_cents'])}, operating margin "
        f"{fmt_money(fig['budget_margin_cents'])} ({_pct_or_na(fig['budget_margin_pct'])}) on "
        f"{fmt_count(fig['budget_visits'])} visits, built from {base}. " + (
            "No number of visits breaks even: a visit earns less than its variable cost."
            if fig["breakeven_visits_per_month"] is None else
            f"Break-even is {fmt_count(fig['breakeven_visits_per_month'])} visits a month "
            f"({fig['breakeven_visits_per_provider_day']:.1f} per provider day) against "
            f"{fmt_count(rep.break_even['budget_visits_per_month'])} budgeted.") + (
            "" if fig["base_wrvus_per_provider_fte"] is None else
            f" The providers produced {fmt_count(fig['base_wrvus_per_provider_fte'])} work RVUs "
            "per FTE in the base year.") + (
            "" if fig["overhead_pct"] is None else
            f" Overhead (expenses other than provider compensation and its benefits) is "
            f"{fmt_pct(fig['overhead_pct'])} of revenue.")]
    if c is None:
        lines.append(f"No month of {b.year} is closed yet (the books run to "
                     f"{rep.books.closed_through}), so there is nothing to compare.")
        return no_math("\n\n".join(lines))
    bridge = c.bridge.set_index("step")["cents"]
    lines.append(
        f"**{period_label(b.year, c.through_month)}**: revenue "
        f"{fmt_money(fig['ytd_actual_revenue_cents'])} "
        f"against {fmt_money(fig['ytd_budget_revenue_cents'])} budgeted "
        f"({_signed(fig['ytd_variance_cents'])}); operating margin "
        f"{fmt_money(int(bridge['actual margin']))} against "
        f"{fmt_money(int(bridge['budget margin']))} ({_signed(fig['ytd_margin_variance_cents'])}"
        "). What moved it:")
    drivers = [d.text for d in margin_drivers(rep)]
    f = c.forecast.set_index("line")
    drivers.append(
        f"\n**Full year**: forecast revenue {fmt_money(int(f.loc['revenue', 'forecast_cents']))}"
        f" and margin {fmt_money(int(f.loc['margin', 'forecast_cents']))} "
        f"({_pct_or_na(fig['forecast_margin_pct'])}) — actual to date plus the remaining "
        f"budget; at the run rate the margin would be "
        f"{fmt_money(int(f.loc['margin', 'run_rate_cents']))}.")
    return no_math("\n\n".join(lines) + "\n\n" + "\n".join(drivers))


# --- tables --------------------------------------------------------------------------------------

def pnl(budget: bd.Budget) -> pd.DataFrame:
    """The year's P&L by category: revenue by payer class, expenses by category, margin."""
    acc = budget.accounts
    rev = acc[acc["kind"] == "revenue"]
    rows = [(str(n), int(v)) for n, v in zip(rev["name"], rev["budget_cents"], strict=True)]
    total_rev = budget.total("revenue")
    rows.append(("Total revenue", total_rev))
    costs = acc[acc["kind"] == "cost"].groupby("category", sort=False)["budget_cents"].sum()
    rows += [(str(k).capitalize() if k != "IT/EHR" else k, int(v)) for k, v in costs.items()]
    total_cost = budget.total("cost")
    rows += [("Total expenses", total_cost), ("Operating margin", total_rev - total_cost)]
    out = pd.DataFrame(rows, columns=["line", "budget_cents"])
    out["share_of_revenue"] = out["budget_cents"] / total_rev if total_rev else np.nan
    return out


def pnl_table(budget: bd.Budget) -> Any:
    """:func:`pnl` for display, in whole dollars (a table about thousands)."""
    return format_table(pnl(budget), money=["budget_cents"], pct=["share_of_revenue"],
                        whole_dollars=True, caption="Whole dollars; the workbook has the cents.")


def budget_table(rep: BudgetReport) -> Any:
    """The monthly budget: accounts as rows, months as columns, with the totals."""
    t = rep.budget.table()
    months = [*bd.MONTH_NAMES, "Total"]
    rev = t[t["kind"] == "revenue"]
    cost = t[t["kind"] == "cost"]
    total_rev = rev[months].sum()
    total_cost = cost[months].sum()
    rows = [rev, _total_row("Total revenue", total_rev), cost,
            _total_row("Total expenses", total_cost),
            _total_row("Operating margin", total_rev - total_cost)]
    out = pd.concat(rows, ignore_index=True)[["account", "name", *months]]
    out["account"] = out["account"].fillna("")
    styler = format_table(out, money=months, whole_dollars=True,
                          caption="Whole dollars; the workbook has the cents.")
    bold = out.index[out["account"] == ""]
    return styler.set_properties(subset=pd.IndexSlice[bold, :], **{"font-weight": "600"})


def _total_row(name: str, values: pd.Series) -> pd.DataFrame:
    return pd.DataFrame([{"account": None, "name": name, **values.astype("int64").to_dict()}])


def drivers_table(rep: BudgetReport) -> Any:
    """Per payer class: base visits, work RVUs per visit and rate; budget visits, mix, rate and
    revenue."""
    r = rep.budget.revenue.copy()
    total = int(r["budget_visits"].sum())
    r["budget_mix"] = r["budget_visits"] / total if total else np.nan
    r["wrvus_per_visit"] = (r["payer"].map(base_wrvus(rep)) / r["prior_visits"]).round(2)
    return format_table(r[["payer", "prior_visits", "wrvus_per_visit", "base_rate_cents",
                           "budget_visits", "budget_mix", "budget_rate_cents",
                           "budget_revenue_cents"]],
                        money=["base_rate_cents", "budget_rate_cents", "budget_revenue_cents"],
                        count=["prior_visits", "budget_visits"], pct=["budget_mix"]).format(
        {"wrvus_per_visit": lambda v: fmt_count(v, 2),
         # rates a visit in cents, the year's revenue in whole dollars as in the P&L
         "budget_revenue_cents": lambda v: fmt_money(v, accounting=True, whole=True)})


def variance_table(rep: BudgetReport) -> Any:
    """Per account for the year to date: budget, actual, variance, direction, and the months
    flagged material; the variance in percent reads "no budget" when the budget is 0."""
    c = rep.comparison
    if c is None:
        raise ParameterError("no closed month of the budget year: nothing to compare")
    months = (c.lines[c.lines["material"]].groupby("account")["month"]
              .agg(lambda m: ", ".join(bd.MONTH_NAMES[int(x) - 1] for x in m)))
    t = c.ytd.copy()
    t["variance_pct"] = t["variance_pct"] / 100
    t["flagged_months"] = t["account"].map(months).fillna("")
    t["flag"] = np.where(t["material"], "YTD", "")
    # a direction is news only when the variance is material (as in the cost table)
    t["direction"] = np.where(t["material"], t["direction"], WITHIN)
    t = t[["account", "name", "budget_cents", "actual_cents", "variance_cents", "variance_pct",
           "direction", "flag", "flagged_months"]]
    styler = format_table(t, money=["budget_cents", "actual_cents", "variance_cents"],
                          pct=["variance_pct"], whole_dollars=True,
                          caption=_materiality_note(rep)).format(
        {"variance_pct": _variance_fraction})

    def colour(column: pd.Series) -> list[str]:
        # only a material variance is coloured: a few cents either way is no news
        return [{"unfavourable": f"color: {BAD}", "favourable": f"color: {GOOD}"}.get(d, "")
                if m else "" for d, m in zip(column, c.ytd["material"], strict=True)]

    hot = t.index[(t["flag"] != "") | (t["flagged_months"] != "")]
    return (styler.apply(colour, subset=["direction"])
            .set_properties(subset=pd.IndexSlice[hot, :], **{"font-weight": "600"}))


def _materiality_note(rep: BudgetReport) -> str:
    """The materiality rule in words, for the notes under the variance tables."""
    return (f"Whole dollars. Material: at least {fmt_money(rep.materiality_cents, whole=True)} "
            f"and {rep.materiality_pct:g} % of the budget; only material variances are "
            "coloured or flagged.")


def monthly_variance_table(rep: BudgetReport) -> Any:
    """Variance (actual − budget) by account and closed month, whole dollars, with the year to
    date; material cells are shaded (red unfavourable, green favourable); accounts with no
    budget to date are marked "(no budget)" (no percentage can be worked out for them)."""
    c = rep.comparison
    if c is None:
        raise ParameterError("no closed month of the budget year: nothing to compare")
    months = list(bd.MONTH_NAMES[:c.through_month])
    wide = c.lines.pivot(index="account", columns="month", values="variance_cents")
    wide.columns = months
    wide = wide.reindex(rep.budget.accounts["account"])
    wide["YTD"] = wide.sum(axis=1)
    names = rep.budget.accounts.set_index("account")["name"]
    kinds = rep.budget.accounts.set_index("account")["kind"]
    rev = wide[kinds == "revenue"].sum()
    cost = wide[kinds == "cost"].sum()
    table = pd.concat([wide.reset_index(), pd.DataFrame([
        {"account": "", **rev.to_dict()}, {"account": "", **cost.to_dict()},
        {"account": "", **(rev - cost).to_dict()}])], ignore_index=True)
    budget_ytd = c.ytd.set_index("account")["budget_cents"].reindex(wide.index)
    labels = [f"{n} (no budget)" if b == 0 else str(n)
              for n, b in zip(names.reindex(wide.index), budget_ytd, strict=True)]
    table.insert(1, "name", [*labels, "Total revenue", "Total expenses", "Operating margin"])
    cols = [*months, "YTD"]
    for col in cols:
        table[col] = table[col].astype("int64")
    material = c.lines.set_index(["account", "month"])[["material", "direction"]]
    ytd = c.ytd.set_index("account")[["material", "direction"]]

    def shade(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        colour = {"unfavourable": "background-color: #f9d5d3", "favourable":
                  "background-color: #d4edda"}
        for i, account in frame["account"].items():
            if not account:
                continue
            for m, col in enumerate(months, start=1):
                row = material.loc[(account, m)]
                if row["material"]:
                    css.loc[i, col] = colour.get(row["direction"], "")
            if ytd.loc[account, "material"]:
                css.loc[i, "YTD"] = colour.get(ytd.loc[account, "direction"], "")
        return css

    styler = format_table(table, money=cols, whole_dollars=True,
                          caption="Actual − budget, whole dollars; shaded: material "
                                  f"(at least {fmt_money(rep.materiality_cents, whole=True)} "
                                  f"and {rep.materiality_pct:g} %; an account with no "
                                  "budget, marked so, on the dollars alone).")
    totals = table.index[table["account"] == ""]
    return (styler.apply(shade, axis=None)
            .set_properties(subset=pd.IndexSlice[totals, :], **{"font-weight": "600"}))


def revenue_variance_table(rep: BudgetReport) -> Any:
    """Per payer class to date: visits, revenue, and the volume, mix and rate variances."""
    c = rep.comparison
    if c is None:
        raise ParameterError("no closed month of the budget year: nothing to compare")
    t = c.payers.merge(c.revenue_by_class, on="payer")
    t["budget_revenue_cents"] = t["budget_visits"] * t["budget_rate_cents"]
    t = t[["payer", "budget_visits", "actual_visits", "budget_revenue_cents",
           "actual_revenue_cents", "volume_cents", "mix_cents", "rate_cents", "total_cents"]]
    totals = t.drop(columns="payer").sum().to_dict()
    t = pd.concat([t, pd.DataFrame([{"payer": "Total", **totals}])], ignore_index=True)
    money = [c for c in t.columns if c.endswith("_cents")]
    return format_table(t, money=money, count=["budget_visits", "actual_visits"],
                        whole_dollars=True,
                        caption="Whole dollars. "
                                "Mix by class: the visits the class gained or lost against its "
                                "budget share of the actual visits, at its own budget rate; "
                                "added over the classes, what the shift did at budget rates.")


def cost_variance_table(rep: BudgetReport) -> Any:
    """Per expense account to date: static and flexible budget, actual, volume and spending
    variances."""
    c = rep.comparison
    if c is None:
        raise ParameterError("no closed month of the budget year: nothing to compare")
    names = rep.budget.accounts.set_index("account")["name"]
    t = c.costs.assign(name=c.costs["account"].map(names))
    # the spending variance judged by the report's materiality rule against the flexible
    # budget: below it the account is within the threshold, whichever way the cents go
    flags = bd.materiality_flags(
        pd.DataFrame({"account": t["account"], "kind": "cost",
                      "budget_cents": t["flexible_budget_cents"].astype("int64"),
                      "actual_cents": t["actual_cost_cents"].astype("int64")}),
        rep.materiality_cents, rep.materiality_pct)
    t["spending_direction"] = np.where(flags["material"].to_numpy(), t["spending_direction"],
                                       WITHIN)
    t = t[["account", "name", "behaviour", "static_budget_cents", "flexible_budget_cents",
           "actual_cost_cents", "volume_variance_cents", "spending_variance_cents",
           "spending_direction"]]

    def colour(direction: str) -> str:
        return {"unfavourable": f"color: {BAD}", "favourable": f"color: {GOOD}"}.get(direction,
                                                                                    "")

    return (format_table(t, money=[c for c in t.columns if c.endswith("_cents")],
                         whole_dollars=True, caption=_materiality_note(rep))
            .map(colour, subset=["spending_direction"]))


def forecast_table(rep: BudgetReport) -> Any:
    """Full-year budget, forecast (actual + remaining budget) and run rate."""
    c = rep.comparison
    if c is None:
        raise ParameterError("no closed month of the budget year: nothing to forecast")
    forecast = c.forecast.assign(line=c.forecast["line"].astype(str).str.capitalize())
    return format_table(forecast, money=["budget_cents", "forecast_cents", "run_rate_cents"],
                        whole_dollars=True, caption="Whole dollars.")


# --- charts --------------------------------------------------------------------------------------

def plot_budget_vs_actual(rep: BudgetReport, ax: Any) -> Any:
    """Monthly revenue and expenses: budget as bars, actual as points and lines."""
    b, c = rep.budget, rep.comparison
    x = np.arange(12)
    rev = [b.total("revenue", [m]) for m in bd.MONTHS]
    cost = [b.total("cost", [m]) for m in bd.MONTHS]
    ax.bar(x - 0.2, rev, width=0.4, color=PALETTE[4], label="budget revenue")
    ax.bar(x + 0.2, cost, width=0.4, color=PALETTE[1], alpha=0.6, label="budget expenses")
    if c is not None:
        lines = c.lines
        t = c.through_month
        act_rev = [lines.loc[(lines["month"] == m) & (lines["kind"] == "revenue"),
                             "actual_cents"].sum() for m in range(1, t + 1)]
        act_cost = [lines.loc[(lines["month"] == m) & (lines["kind"] == "cost"),
                              "actual_cents"].sum() for m in range(1, t + 1)]
        ax.plot(x[:t] - 0.2, act_rev, "o-", color=PALETTE[0], label="actual revenue")
        ax.plot(x[:t] + 0.2, act_cost, "s-", color=PALETTE[3], label="actual expenses")
    ax.set_xticks(x, bd.MONTH_NAMES)
    money_axis(ax)
    ax.set_title(f"Revenue and expenses by month, {b.year}: budget (bars) and actual")
    ax.set_xlabel("month")
    ax.set_ylabel("amount a month (US$)")
    legend_outside(ax)
    return ax


def plot_margin_bridge(rep: BudgetReport, ax: Any) -> Any:
    """Waterfall from the budgeted to the actual operating margin to date: volume, mix, rate
    and cost."""
    c = rep.comparison
    if c is None:
        raise ParameterError("no closed month of the budget year: no bridge to draw")
    steps = c.bridge
    labels, bottoms, heights, colours = [], [], [], []
    running = 0
    for _, r in steps.iterrows():
        v = int(r["cents"])
        labels.append(str(r["step"]))
        if r["step"] in ("budget margin", "actual margin"):
            bottoms.append(0.0)
            heights.append(v)
            colours.append(NEUTRAL)
            running = v
        else:
            bottoms.append(running if v >= 0 else running + v)
            heights.append(abs(v))
            colours.append(GOOD if v >= 0 else BAD)
            running += v
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    # Every bar whole: the axis holds zero and each bar's ends, with room for the labels, which
    # sit clear of their bar: above one that rises (or a margin above zero), below one that falls.
    ends = [sorted((b, b + h)) for b, h in zip(bottoms, heights, strict=True)]
    lo, hi = min(0.0, *(e[0] for e in ends)), max(0.0, *(e[1] for e in ends))
    pad = 0.12 * (hi - lo or 1)
    ax.set_ylim(lo - pad, hi + pad)
    ax.axhline(0, color="#666666", linewidth=0.8)
    for i, r in enumerate(steps.itertuples()):
        total = r.step in ("budget margin", "actual margin")
        rises = int(r.cents) >= 0
        ax.annotate(fmt_money(int(r.cents)) if total else _signed(int(r.cents)),
                    (i, ends[i][1] if rises else ends[i][0]),
                    ha="center", va="bottom" if rises else "top", fontsize=8,
                    xytext=(0, 3 if rises else -3), textcoords="offset points")
    ax.set_xticks(x, labels)
    money_axis(ax)
    ax.set_title(f"Operating margin, {period_label(rep.budget.year, c.through_month)}: "
                 "budget to actual")
    ax.set_xlabel("step (green raises the margin, red lowers it)")
    ax.set_ylabel("operating margin (US$)")
    return ax


def plot_payer_mix(rep: BudgetReport, ax: Any) -> Any:
    """Share of visits by payer class: base year, budget and (to date) actual."""
    b, c = rep.budget, rep.comparison
    r = b.revenue
    series = {"base year": r["prior_visits"] / max(int(r["prior_visits"].sum()), 1),
              "budget": r["budget_visits"] / max(int(r["budget_visits"].sum()), 1)}
    if c is not None and c.payers["actual_visits"].sum():
        series["actual to date"] = c.payers["actual_visits"] / c.payers["actual_visits"].sum()
    width = 0.8 / len(series)
    x = np.arange(len(r))
    for i, (label, values) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * width, values.to_numpy() * 100, width,
               label=label)
    ax.set_xticks(x, r["payer"])
    ax.set_xlabel("payer class")
    ax.set_ylabel("share of visits (%)")
    ax.set_title("Payer mix: share of visits by payer class")
    legend_outside(ax)
    return ax


# --- the explorer --------------------------------------------------------------------------------

def explorer(rep: BudgetReport) -> Any:
    """Sliders for visit growth, a rate change for every payer class and the wage increase, and
    a new-provider toggle (with its start month), that recompute the budget
    (:func:`pracops.budget.chain.compute`, no file written) and redraw its margin, the
    monthly chart of revenue and expenses and the P&L.

    The controls start at the report's budget: growth and wage increase at its parameters
    (the slider ranges widen to take them in), the rate slider at 0. The rate slider is a
    change *on top of* each class's ``rate_change_pct``: class ``c`` gets
    ``rate_change_pct[c] + slider``, so 0 is the report's parameters and ``-k`` undoes a
    change of ``k`` % (the range reaches minus the largest assumed change).

    Parameters
    ----------
    rep
        The report's :class:`~pracops.budget.chain.BudgetReport` (its inputs and parameters).

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws when a control is released.
    """
    import ipywidgets as w
    from IPython.display import Markdown, display

    params = rep.parameters
    assumed = {c: float(v) for c, v in params["rate_change_pct"].items()}
    growth = slider(float(params["visit_growth_pct"]), -20, 30, 0.5)
    rate = slider(0.0, min(-15.0, -max(assumed.values(), default=0.0)),
                  max(15.0, -min(assumed.values(), default=0.0)), 0.5)
    wages = slider(float(params["wage_increase_pct"]), 0, 10, 0.5)
    hire = w.Checkbox(value=False)
    start = w.Dropdown(options=list(zip(FULL_MONTHS, range(1, 13), strict=True)), value=7)
    first_margin = rep.budget.total("revenue") - rep.budget.total("cost")

    def showing() -> str:
        hired = (f"a new provider from {FULL_MONTHS[start.value - 1]}" if hire.value
                 else "no new provider")
        return (f"visits {growth.value:+.1f} %, payer rates {rate.value:+.1f} % on top of "
                f"the report's, wages +{wages.value:.1f} %, {hired}")

    def draw() -> None:
        changes = ({c: round(assumed.get(c, 0.0) + rate.value, 6)
                    for c in dict.fromkeys([*rep.books.classes, *assumed])}
                   if rate.value else params["rate_change_pct"])
        providers = [*params["new_providers"], *(
            [{"name": "explorer's new provider", "start_month": start.value}]
            if hire.value else [])]
        new = chain.compute(rep.inputs, **{
            **params, "visit_growth_pct": growth.value, "rate_change_pct": changes,
            "wage_increase_pct": wages.value, "new_providers": providers})
        b = new.budget
        revenue, cost = b.total("revenue"), b.total("cost")
        margin = revenue - cost
        pct = fmt_pct(margin / revenue) if revenue > 0 else "n/a"
        change = margin - first_margin
        display(Markdown(no_math(
            f"**Operating margin {fmt_money(margin)} ({pct})** on revenue "
            f"{fmt_money(revenue)} and {int(b.visits['visits'].sum()):,} visits; "
            f"{'+' if change > 0 else ''}{fmt_money(change)} against the report's budget.")))
        display(chart(lambda figure: plot_budget_vs_actual(new, figure.subplots()),
                      alt=f"Revenue and expenses by month, {b.year}, with {showing()}: "
                          f"budget as bars, actual to date as lines; margin "
                          f"{fmt_money(margin)}."))
        display(pnl_table(b))

    return panel({"Visit growth (%)": growth,
                  "Rate change on top of the report's, every payer class (%)": rate,
                  "Wage increase (%)": wages, "Add a provider (1.0 FTE, 3-month ramp)": hire,
                  "Starting in month": start}, draw, showing=showing)
