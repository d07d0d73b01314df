"""What the staffing plan notebook shows: the summary in words, formatted tables, charts and
the widgets explorer.

The chain (inputs, the plan, figures, alerts, hand-outs) is :mod:`pracops.staffing.chain`;
the calculations are :mod:`pracops.staffing.model`. Tables are returned as pandas Stylers
(money stays integer cents; only the display is dollars), charts are drawn on axes the caller
owns. Staff are shown by role, never by name; nothing here reads patient data beyond
appointment counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from pracops import report
from pracops.report import (
    BAD,
    bars_whole,
    fmt_count,
    fmt_money,
    fmt_pct,
    format_table,
    legend_outside,
    money_axis,
    no_math,
)
from pracops.staffing import chain
from pracops.staffing import model as st
from pracops.staffing.chain import SitePlan, StaffingInputs, StaffingPlan
from pracops.widgets import chart, panel, slider

__all__ = [
    "HEADLINE_FIGURES",
    "summary_text",
    "fte_table",
    "three_ways_table",
    "shift_plan_table",
    "plan_status_text",
    "gaps_table",
    "phone_table",
    "cost_table",
    "accounting_table",
    "benchmark_table",
    "forecast_table",
    "backtest_text",
    "plot_demand_heatmap",
    "plot_monthly_forecast",
    "plot_backtest",
    "plot_fte_by_role",
    "plot_coverage_day",
    "plot_cost_by_role",
    "explorer",
]

HEADLINE_FIGURES = ("fte_required_total", "fte_on_roster_total", "uncovered_staff_hours_per_week",
                    "annual_labor_cost_cents", "labor_cost_per_visit_cents",
                    "phone_service_level")
"""Figures shown for this report on the run's index page."""


# --- figures, words and alerts ------------------------------------------------------------


def _fte(x: float) -> str:
    return f"{x:,.1f}"


def summary_text(plan: StaffingPlan, fig: Mapping[str, Any]) -> str:
    """The executive summary in a few sentences of Markdown."""
    short = {r: g for r, g in fig["fte_gap_by_role"].items() if g >= 0.05}
    over = {r: -g for r, g in fig["fte_gap_by_role"].items() if g <= -0.05}
    lines = [
        f"For the {round((plan.end - plan.start).days / 7)} weeks from "
        f"**{fig['plan_start']}** the practice expects about "
        f"**{fmt_count(fig['annual_visits_forecast'])} visits a year** "
        f"({fmt_count(fig['provider_fte'], 1)} provider FTE). Covering them takes "
        f"**{_fte(fig['fte_required_total'])} staff FTE**; "
        f"{_fte(fig['fte_on_roster_total'])} FTE are on the roster today.",
        ("Short of the requirement: " + ", ".join(
            f"{report.md_text(r)} {_fte(g)} FTE"
            for r, g in sorted(short.items(), key=lambda kv: -kv[1]))
         + "." if short else "No role is short of its FTE requirement.")
        + (" More than needed: " + ", ".join(
            f"{report.md_text(r)} {_fte(g)} FTE"
            for r, g in sorted(over.items(), key=lambda kv: -kv[1]))
           + "." if over else ""),
    ]
    if fig["roster_gaps"]:
        worst = max(fig["roster_gaps"], key=lambda g: g["staff_hours"])
        n = len(fig["roster_gaps"])
        site = _site_names(plan).get(worst["location_id"], worst["location_id"])
        where = (f"{report.md_text(worst['role'])} at {report.md_text(site)} "
                 f"on {worst['day']} "
                 f"{worst['hours']}, short by {worst['short_by']}")
        lines.append(
            "Hour by hour, today's usual shifts leave "
            f"**{fig['uncovered_staff_hours_per_week']:.1f} staff-hours a week uncovered**: "
            + (f"{where}." if n == 1 else f"{n} stretches, the largest {where}."))
    else:
        lines.append("Today's usual shifts cover every interval of the typical week.")
    lines.append(
        f"Today's staff cost **{fmt_money(fig['annual_labor_cost_cents'])} a year** with "
        f"benefits ({fmt_money(fig['labor_cost_per_visit_cents'])} per visit, "
        f"{fig['staff_per_provider_fte']:.2f} staff FTE per provider FTE)"
        + (f"; the FTE needed would cost {fmt_money(fig['required_labor_cost_cents'])}."
           if fig["required_labor_cost_cents"] is not None else "."))
    if fig["phone_service_level"] is None:
        lines.append("No phone statistics were given, so the phones are not sized.")
    else:
        plan_words = (
            f"the shift plan, which sizes the phones for the target, reaches "
            f"{fmt_pct(fig['phone_service_level_plan'])}"
            if plan.settings["phone_staffing"] == "erlang" else
            f"the shift plan counts the phones as workload only and would answer "
            f"{fmt_pct(fig['phone_service_level_plan'])} in time (set phone_staffing to erlang "
            "to plan for the target)")
        lines.append(
            f"Phones: the front desk on today's roster answers "
            f"**{fmt_pct(fig['phone_service_level'])}** of calls within "
            f"{plan.settings['answer_within_seconds']:g} seconds (target "
            f"{fmt_pct(fig['phone_service_level_target'])}); {plan_words}.")
    if fig["left_out"]:
        lines.append("Left out on purpose (see *What the plan uses*): " + "; ".join(
            f"{x['dataset']}: {fmt_count(x['count'], 0 if isinstance(x['count'], int) else 1)} "
            f"{x['unit']} {x['what']}" for x in fig["left_out"]) + ".")
    return no_math("\n\n".join(lines))


# --- tables ---------------------------------------------------------------------------------

_BASIS_WORDS = {"shift plan": "shift plan", "max": "ratio or workload, the larger",
                "ratio": "ratio to providers", "workload": "workload per visit"}


def _site_names(plan: StaffingPlan) -> dict[str, str]:
    """Site code → the site's name (a shared phone line keeps its own name)."""
    return {k: str(s.name) for k, s in plan.sites.items()}


def _fte_text(x: float) -> str:
    """FTE in tables as the summary and the index write them: one decimal."""
    return "–" if pd.isna(x) else f"{x:,.1f}"


def fte_table(plan: StaffingPlan) -> Any:
    """FTE needed and on the roster per role, with the gap and how the need was set; FTE with
    one decimal, as the summary writes them (a tenth of an FTE is four hours a week)."""
    t = plan.needed[["role", "required_fte", "current_fte", "gap_fte", "basis"]].rename(
        columns={"required_fte": "FTE needed", "current_fte": "FTE on roster",
                 "gap_fte": "Gap (short +)", "basis": "Need set by"})
    t["Need set by"] = t["Need set by"].map(_BASIS_WORDS).fillna(t["Need set by"])
    return format_table(t).format(_fte_text, subset=["FTE needed", "FTE on roster"]).format(
        "{:+,.1f}", subset=["Gap (short +)"]).set_properties(
        subset=["FTE needed", "FTE on roster", "Gap (short +)"], **{"text-align": "right"})


def three_ways_table(plan: StaffingPlan) -> Any:
    """Staff FTE per role three ways (ratio, workload, queueing) beside the shift plan's."""
    t = plan.needed[["role", "ratio_fte", "workload_fte", "queueing_fte", "scheduled_fte",
                     "current_fte"]].rename(columns={
                         "ratio_fte": "Ratio to providers", "workload_fte": "Workload",
                         "queueing_fte": "Queueing (desk + phones)",
                         "scheduled_fte": "Shift plan", "current_fte": "On roster"})
    numbers = [c for c in t.columns if c != "role"]
    return format_table(t).format(_fte_text, subset=numbers).set_properties(
        subset=numbers, **{"text-align": "right"})


def shift_plan_table(site: SitePlan) -> Any:
    """One site's shift plan: who works when, each pattern's paid hours and cost a week."""
    t = site.plan.shifts.copy()
    t["day"] = t["day"].astype("object")
    t = t.rename(columns={"hours": "shift hours", "paid_hours": "paid hours a week",
                          "cost_cents": "cost a week"})
    return format_table(t, money=["cost a week"], count=["people"]).format(
        "{:.1f}", subset=["shift hours", "paid hours a week"])


def plan_status_text(site: SitePlan) -> str:
    """A sentence on the solve: status (with the gap when not proved), paid hours and cost."""
    p = site.plan
    fallback = int((p.blocks["status"] == "FALLBACK").sum())
    proof = {
        "OPTIMAL": "proved the cheapest (OPTIMAL)",
        "FEASIBLE": "covers every interval, not proved the cheapest within the solver's work "
                    f"budget (FEASIBLE: at most {p.gap_pct:.1f}% cheaper is possible)",
        "FALLBACK": f"covers every interval; for {fallback} role-day(s) the solver found no plan "
                    "within its work budget and a simple greedy cover is used (FALLBACK, cost "
                    "not minimised)",
    }[p.status]
    return no_math(
        f"**{report.md_text(site.name)}** ({report.md_text(site.location_id)}, open "
        f"{site.opens}–{site.closes}): the plan "
        f"{'is ' if p.status == 'OPTIMAL' else ''}{proof}; {p.paid_hours:,.1f} paid hours and "
        f"{fmt_money(p.cost_cents)} a week.")


def gaps_table(plan: StaffingPlan) -> Any:
    """Stretches where today's roster is short of the requirement."""
    t = plan.gaps.copy()
    t["day"] = t["day"].astype("object")
    names = _site_names(plan)
    t["location_id"] = t["location_id"].map(lambda k: names.get(k, k))
    t = t.rename(columns={"location_id": "site", "short_by": "people short",
                          "staff_hours": "staff-hours a week"})
    return format_table(t, count=["people short"]).format("{:.1f}",
                                                           subset=["staff-hours a week"])


def phone_table(plan: StaffingPlan) -> Any | None:
    """Per site and weekday: calls, agents needed and the service level achieved today and
    with the plan (``None`` without phone data)."""
    if plan.phone_service is None or plan.phone_service_plan is None:
        return None
    today, planned = plan.phone_service, plan.phone_service_plan
    names = _site_names(plan)
    rows = []
    for (loc, day), part in today.groupby([today["location_id"], today["day"].astype("object")],
                                          sort=False):
        other = planned[(planned["location_id"] == loc).to_numpy()
                        & (planned["day"].astype("object") == day).to_numpy()]
        rows.append({"Site": names.get(loc, loc), "Day": day,
                     "Calls a day": float(part["calls"].sum()),
                     "Peak agents needed": int(part["agents_needed"].max()),
                     "Service level today": st.overall_service_level(part),
                     "Service level with plan": st.overall_service_level(other)})
    t = pd.DataFrame(rows)
    return format_table(t, pct=["Service level today", "Service level with plan"],
                        count=["Calls a day", "Peak agents needed"], readable_headers=False)


def cost_table(plan: StaffingPlan) -> Any:
    """Today's labour cost a year per role (base, overtime, benefits) and the cost of the FTE
    needed, in whole dollars; the hourly rate in dollars and cents."""
    t = plan.cost.rename(columns={
        "current_fte": "FTE today", "base_cents": "base pay", "overtime_cents": "overtime",
        "benefits_cents": "benefits", "current_cents": "cost today",
        "required_fte": "FTE needed", "hourly_rate_cents": "hourly rate",
        "required_cents": "cost of FTE needed", "difference_cents": "difference"})
    money = ["base pay", "overtime", "benefits", "cost today", "hourly rate",
             "cost of FTE needed", "difference"]
    # a year's pay in whole dollars (as the budget writes it); the hourly rate to the cent
    return (format_table(t, money=money, whole_dollars=True)
            .format(_fte_text, subset=["FTE today", "FTE needed"])
            .format(lambda c: fmt_money(c, accounting=True), subset=["hourly rate"]))


def accounting_table(plan: StaffingPlan) -> Any:
    """Every input row the plan reads, by what it does with it, and what it leaves out and
    why (the roster line counts staff-hours a week, not rows)."""
    t = plan.accounting.assign(used=np.where(plan.accounting["used"], "used", "left out"),
                               how=plan.accounting["how"].str.removeprefix("left out: "))
    t = t.rename(columns={"dataset": "Dataset", "what": "Rows", "count": "How many",
                          "unit": "Unit", "used": "Used?",
                          "how": "What the plan does with them"})
    return format_table(t, readable_headers=False).format(
        lambda x: fmt_count(x, 0 if float(x).is_integer() else 1), subset=["How many"])


def benchmark_table(plan: StaffingPlan) -> Any:
    """Staff per provider FTE and labour cost per visit against their benchmarks."""
    t = plan.benchmarks.copy()

    def show(x: float, money: bool) -> str:
        return "" if pd.isna(x) else fmt_money(int(x)) if money else f"{x:,.2f}"

    rows = []
    for m, v, b, d in zip(t["metric"], t["value"], t["benchmark"], t["difference_pct"],
                          strict=True):
        money = m.endswith("_cents")
        rows.append({"Measure": "Labour cost per visit" if money
                     else "Staff FTE per provider FTE", "Value": show(v, money),
                     "Benchmark": show(b, money),
                     "Difference": "" if pd.isna(d) else f"{d:+.1f}%"})
    return format_table(pd.DataFrame(rows), readable_headers=False)


def forecast_table(plan: StaffingPlan) -> Any:
    """Forecast visits per month and site."""
    t = plan.monthly.pivot_table(index="month", columns="location_id", values="visits",
                                 aggfunc="sum")
    t["total"] = t.sum(axis=1)
    t = t.reset_index()
    t["month"] = [m if _whole_month(plan, m) else f"{m} (part)" for m in t["month"]]
    t.columns.name = None
    names = _site_names(plan)
    t = t.rename(columns={"month": "Month", "total": "All sites", **names})
    return format_table(t, count=[c for c in t.columns if c != "Month"],
                        readable_headers=False)


def backtest_text(plan: StaffingPlan) -> str:
    """The forecast's error on the held-out month, in a sentence."""
    bt = plan.backtest
    if bt is None:
        return "No backtest was run."
    direction = "high" if bt.bias_pct > 0 else "low"
    return (f"Trained on the months before **{bt.test_month}** and tested on it, the daily "
            f"forecast was off by **{bt.mape_pct:.1f}%** on an average day (MAPE) and "
            f"{abs(bt.bias_pct):.1f}% too {direction} over the month "
            f"({bt.mean_error_visits:+.1f} visits a day).")


# --- charts ---------------------------------------------------------------------------------

def plot_demand_heatmap(plan: StaffingPlan, ax: Any) -> Any:
    """Visits per hour of the typical week, all sites, as a weekday × hour heat map."""
    week = pd.concat([s.week for s in plan.sites.values()], ignore_index=True)
    grid = week.pivot_table(index=week["day"].astype("object"), columns="hour",
                            values="visits", aggfunc="sum", fill_value=0.0)
    days = [d for d in st.DAYS if d in grid.index]
    grid = grid.reindex(index=days, columns=range(int(grid.columns.min()),
                                                  int(grid.columns.max()) + 1), fill_value=0.0)
    image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="Blues")
    ax.set_xticks(range(grid.shape[1]), [f"{h:02d}:00" for h in grid.columns])
    ax.set_yticks(range(len(days)), days)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid.iat[i, j]
            ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 * grid.to_numpy().max() else "#333333")
    ax.grid(False)
    label = "forecast" if plan.settings["demand_week"] == "forecast" else "history"
    ax.set_title(f"Visits per hour in a typical week ({label}, all sites)")
    ax.set_xlabel("hour of day (start of the hour)")
    ax.set_ylabel("weekday")
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label("visits per hour")
    return bar


def _whole_month(plan: StaffingPlan, month: str) -> bool:
    period = pd.Period(month, freq="M")
    return bool(period.start_time >= plan.start and period.end_time.normalize() <= plan.end)


def plot_monthly_forecast(plan: StaffingPlan, ax: Any) -> None:
    """Stacked bars of forecast visits per month and site."""
    t = plan.monthly.pivot_table(index="month", columns="location_id", values="visits",
                                 aggfunc="sum", fill_value=0.0)
    labels = [f"{m} (part)" if not _whole_month(plan, m) else m for m in t.index]
    bottom = np.zeros(len(t))
    names = _site_names(plan)
    for loc in t.columns:
        ax.bar(range(len(t)), t[loc].to_numpy(), bottom=bottom, label=names.get(loc, loc))
        bottom += t[loc].to_numpy()
    bars_whole(ax)
    ax.set_xticks(range(len(t)), labels, rotation=45, ha="right")
    ax.set_title("Forecast visits per month")
    ax.set_xlabel("month")
    ax.set_ylabel("visits a month")
    legend_outside(ax, title="site")


def plot_backtest(plan: StaffingPlan, ax: Any) -> None:
    """Forecast and actual visits per open day of the held-out month."""
    bt = plan.backtest
    if bt is None:
        ax.set_axis_off()
        return
    ax.plot(bt.days["date"], bt.days["actual"], marker="o", label="actual")
    ax.plot(bt.days["date"], bt.days["forecast"], marker="x", label="forecast")
    ax.set_title(f"Backtest on {bt.test_month}: daily visits (MAPE {bt.mape_pct:.1f}%)")
    ax.set_xlabel("date")
    ax.set_ylabel("visits per day")
    ax.tick_params(axis="x", rotation=45)
    legend_outside(ax)


def plot_fte_by_role(plan: StaffingPlan, ax: Any) -> None:
    """Bars of FTE needed and FTE on the roster per role."""
    t = plan.needed[(plan.needed["role"] != "total").to_numpy()]
    t = t[(t["required_fte"] > 0) | (t["current_fte"] > 0)]
    x = np.arange(len(t))
    ax.bar(x - 0.2, t["required_fte"], width=0.4, label="needed (plan / estimate)")
    ax.bar(x + 0.2, t["current_fte"], width=0.4, label="on roster today")
    ax.set_xticks(x, list(t["role"]), rotation=20, ha="right")
    ax.set_title("Staff needed vs on the roster, by role")
    ax.set_xlabel("role")
    ax.set_ylabel("FTE (payroll, with leave cover)")
    legend_outside(ax)


def plot_coverage_day(plan: StaffingPlan, ax: Any, location_id: str, role: str,
                      day: str) -> None:
    """People required, planned and on the roster through one day, for one role and site."""
    cov = plan.sites[location_id].plan.coverage
    part = cov[(cov["role"] == role).to_numpy() & (cov["day"].astype("object") == day)
               .to_numpy()]
    x = np.arange(len(part) + 1)  # one more edge: the end of the last interval

    def edges(column: str) -> np.ndarray:
        values = part[column].to_numpy()
        return np.append(values, values[-1])

    ax.step(x, edges("required"), where="post", label="required", linewidth=2)
    ax.step(x, edges("planned"), where="post", label="shift plan", linestyle="--")
    if "on_roster" in part.columns:
        ax.step(x, edges("on_roster"), where="post", label="on roster today", linestyle=":")
    every = max(1, 60 // plan.interval_minutes)
    times = [*part["interval_start"], plan.sites[location_id].closes]
    ax.set_xticks(x[::every], times[::every], rotation=45, ha="right")
    ax.set_title(f"{role.capitalize()} at {_site_names(plan).get(location_id, location_id)} "
                 f"on {day}")
    ax.set_xlabel("time of day")
    ax.set_ylabel("people on duty")
    ax.yaxis.get_major_locator().set_params(integer=True)
    legend_outside(ax)


def plot_cost_by_role(plan: StaffingPlan, ax: Any) -> None:
    """Stacked bars of today's annual cost per role (base, overtime, benefits), with the cost
    of the FTE needed marked."""
    t = plan.cost[plan.cost["role"] != "total"]
    x = np.arange(len(t))
    bottom = np.zeros(len(t))
    for column, label in (("base_cents", "base pay"), ("overtime_cents", "overtime"),
                          ("benefits_cents", "benefits")):
        values = t[column].fillna(0).to_numpy(dtype="float64")
        if values.any():
            ax.bar(x, values, bottom=bottom, label=f"today: {label}", width=0.6)
            bottom += values
    bars_whole(ax)
    needed = t["required_cents"].astype("float64").to_numpy()
    ax.scatter(x, needed, marker="D", color=BAD, zorder=3, label="cost of FTE needed")
    ax.set_xticks(x, list(t["role"]), rotation=20, ha="right")
    ax.set_title("Annual staff cost by role")
    ax.set_xlabel("role")
    ax.set_ylabel("cost a year (US$)")
    money_axis(ax)
    legend_outside(ax)


# --- explorer -------------------------------------------------------------------------------

def explorer(inputs: StaffingInputs, *, solver_deterministic_time: float = 2.0,
             **parameters: Any) -> Any:
    """Sliders for visit growth, no-show rate, staff ratios and the phone service level that
    re-compute the staffing plan (:func:`pracops.staffing.chain.compute`: no files written) and
    redraw the FTE needed and the cost.

    Parameters
    ----------
    inputs
        :class:`pracops.staffing.chain.StaffingInputs`.
    solver_deterministic_time
        CP-SAT work budget for each redraw (kept small so the sliders stay responsive).
    parameters
        The report's other parameters, by their declared names, as for
        :func:`~pracops.staffing.chain.compute`; the sliders start from ``visit_growth_pct``,
        ``no_show_rate``, ``ratios`` and ``phone_service_level_target``.

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws when a slider is released.
    """
    from IPython.display import Markdown, display

    base = dict(parameters)
    ratios = dict(base.pop("ratios", None) or st.DEFAULT_RATIOS)
    history = float(st.no_show_rates(inputs.appointments).set_index("visit_type")
                    .loc["all", "no_show_rate"])
    growth = slider(float(base.pop("visit_growth_pct", 0.0)), -20, 30, 1, ".0f")
    no_show = slider(float(base.pop("no_show_rate", None) or history), 0, 0.3, 0.005, ".1%")
    service = slider(float(base.pop("phone_service_level_target", 0.8)), 0.5, 0.95, 0.05,
                     ".0%")
    role_sliders = {role: slider(float(ratios.get(role, 0.0)), 0, 3, 0.05, ".2f")
                    for role in ("medical assistant", "front desk", "nurse", "billing")}

    def showing() -> str:
        staff = ", ".join(f"{s.value:.2f} {role}" for role, s in role_sliders.items())
        return (f"visits {growth.value:+.0f} %, no-shows {fmt_pct(no_show.value)}, phones "
                f"answered in time {fmt_pct(service.value, 0)}; per provider FTE {staff}")

    def draw() -> None:
        plan = chain.compute(
            inputs, **base, visit_growth_pct=growth.value, no_show_rate=no_show.value,
            ratios={**ratios, **{r: s.value for r, s in role_sliders.items()}},
            phone_service_level_target=service.value,
            solver_deterministic_time=solver_deterministic_time)
        fig = chain.summary_figures(plan)
        display(Markdown(no_math(
            f"**{fig['fte_required_total']:.1f} FTE needed** "
            f"({fig['fte_on_roster_total']:.1f} on the roster) for "
            f"{fig['annual_visits_forecast']:,.0f} visits a year; FTE needed cost "
            f"{fmt_money(fig['required_labor_cost_cents'])} a year, today's staff "
            f"{fmt_money(fig['annual_labor_cost_cents'])}. Roster gaps: "
            f"{fig['uncovered_staff_hours_per_week']:.1f} staff-hours a week. Phones today: "
            f"{fmt_pct(fig['phone_service_level'])} answered in time.")))

        def plot(figure: Any) -> None:
            left, right = figure.subplots(1, 2)
            plot_fte_by_role(plan, left)
            plot_cost_by_role(plan, right)

        display(chart(plot, figsize=(12, 4),
                      alt=f"FTE needed and on the roster by role, and the annual staff cost by "
                          f"role, with {showing()}: {fig['fte_required_total']:.1f} FTE "
                          f"needed, {fig['fte_on_roster_total']:.1f} on the roster."))
        display(fte_table(plan))

    return panel({"Visit growth (%)": growth, "No-show rate": no_show,
                  "Phone service level target": service,
                  **{f"{role.capitalize()} FTE per provider FTE": s
                     for role, s in role_sliders.items()}}, draw, showing=showing)


# --- names that moved -----------------------------------------------------------------------

_MOVED_TO_CHAIN = ("StaffingInputs", "SitePlan", "StaffingPlan", "PHONE_ROLE", "load_inputs",
                   "default_backtest_month", "summary_figures", "alerts", "plan_files",
                   "write_plan_files")

_OLD_NAMES = {"start": "plan_start", "growth_pct": "visit_growth_pct",
              "paid_hours": "paid_hours_per_fte",
              "service_level_target": "phone_service_level_target",
              "start_step_minutes": "shift_start_step_minutes",
              "staff_per_provider_fte_benchmark": "staff_per_provider_benchmark"}


def _run_plan(inputs: StaffingInputs, **old: Any) -> StaffingPlan:
    """The old ``run_plan``: its argument names mapped to the declared ones, cents to dollars,
    then :func:`pracops.staffing.chain.compute` (with the declared defaults: ``phone_staffing``
    is ``"workload"`` unless given)."""
    new = {_OLD_NAMES.get(k, k): v for k, v in old.items()}
    cents = new.pop("hourly_rate_cents", None)
    if cents is not None:
        new["hourly_rates"] = {r: Decimal(int(c)) / 100 for r, c in cents.items()}
    cents = new.pop("labor_cost_per_visit_benchmark_cents", None)
    if cents is not None:
        new["labor_cost_per_visit_benchmark"] = Decimal(int(cents)) / 100
    if new.pop("checkin_minutes", 3.0) != 3.0:
        raise TypeError("run_plan: checkin_minutes is no longer a parameter of the plan")
    return chain.compute(inputs, **new)


def __getattr__(name: str) -> Any:
    """The chain's names, which lived here before, with a DeprecationWarning."""
    if name == "run_plan":
        warnings.warn("pracops.staffing.view.run_plan is deprecated: use "
                      "pracops.staffing.chain.compute (the report's parameter names) or "
                      "chain.run", DeprecationWarning, stacklevel=2)
        return _run_plan
    if name in _MOVED_TO_CHAIN:
        warnings.warn(f"pracops.staffing.view.{name} is deprecated: use "
                      f"pracops.staffing.chain.{name}", DeprecationWarning, stacklevel=2)
        return getattr(chain, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
