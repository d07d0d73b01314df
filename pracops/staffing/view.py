"""What the staffing plan notebook shows: inputs loaded, the plan run end to end, the summary
in words, the figures a scheduled run records, alerts, formatted tables, charts and the files
handed out.

The calculations live in :mod:`pracops.staffing`; :func:`run_plan` only chains them for each
site (forecast → typical week → people per interval → shift plan against today's roster) and
for the practice (FTE three ways, FTE needed, labour cost). Tables are returned as pandas
Stylers (money stays integer cents; only the display is dollars), charts are drawn on axes the
caller owns. Staff are shown by role, never by name; nothing here reads patient data beyond
appointment counts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pracops import data, report
from pracops.errors import ParameterError
from pracops.report import fmt_count, fmt_money, fmt_pct, format_table, money_axis
from pracops.staffing import model as st

__all__ = [
    "HEADLINE_FIGURES",
    "StaffingInputs",
    "SitePlan",
    "StaffingPlan",
    "load_inputs",
    "default_backtest_month",
    "run_plan",
    "summary_figures",
    "summary_text",
    "alerts",
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
    "plan_files",
    "write_plan_files",
    "plot_demand_heatmap",
    "plot_monthly_forecast",
    "plot_backtest",
    "plot_fte_by_role",
    "plot_coverage_day",
    "plot_cost_by_role",
]

HEADLINE_FIGURES = ("fte_required_total", "fte_on_roster_total", "uncovered_staff_hours_per_week",
                    "annual_labor_cost_cents", "labor_cost_per_visit_cents",
                    "phone_service_level")
"""Figures shown for this report on the run's index page."""

PHONE_ROLE = "front desk"
"""The role that answers a site's phones."""

DEMAND_WEEKS = ("forecast", "history")
PHONE_STAFFING = ("erlang", "workload")


@dataclass
class StaffingInputs:
    """The datasets of one staffing plan, as loaded (``phone_calls`` is optional)."""

    appointments: pd.DataFrame
    providers: pd.DataFrame
    staff: pd.DataFrame
    locations: pd.DataFrame
    phone_calls: pd.DataFrame | None


@dataclass
class SitePlan:
    """One site's week: demand, people per interval, the shift plan and today's gaps."""

    location_id: str
    name: str
    opens: str
    closes: str
    daily: pd.DataFrame
    week: pd.DataFrame
    required: pd.DataFrame
    plan: st.ShiftPlan
    gaps: pd.DataFrame
    phones: pd.DataFrame | None = None
    phone_service: pd.DataFrame | None = None
    phone_service_plan: pd.DataFrame | None = None


@dataclass
class StaffingPlan:
    """Everything :func:`run_plan` works out, for the notebook to show.

    ``accounting`` says what the plan does with every input row and what it leaves out, and
    why (:data:`~pracops.staffing.model.ACCOUNT_COLUMNS`): the appointments
    (:func:`~pracops.staffing.model.appointment_use`), the phone statistics
    (:func:`~pracops.staffing.model.phone_call_use`) and the roster hours the interval comparison
    does not see (:func:`~pracops.staffing.model.roster_hours_not_compared`).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    interval_minutes: int
    hours: st.FteHours
    sites: dict[str, SitePlan]
    monthly: pd.DataFrame
    backtest: st.Backtest | None
    no_show_rate_history: float
    no_show_rate_planned: float
    annual_visits: float
    provider_fte: float
    required: pd.DataFrame
    needed: pd.DataFrame
    labor: pd.DataFrame
    cost: pd.DataFrame
    rates: dict[str, int]
    benchmarks: pd.DataFrame
    gaps: pd.DataFrame
    phone_service: pd.DataFrame | None
    phone_service_plan: pd.DataFrame | None
    accounting: pd.DataFrame
    shared_lines: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """The worst site's :attr:`~pracops.staffing.model.ShiftPlan.status`: ``OPTIMAL`` when every
        site's plan was proved cheapest, else ``FEASIBLE`` or ``FALLBACK``."""
        return st.worst_status([s.plan.status for s in self.sites.values()])

    @property
    def solve_seconds(self) -> float:
        """Wall time of all the CP-SAT solves (varies with the machine's load: not a figure)."""
        return float(sum(s.plan.solve_seconds for s in self.sites.values()))

    @property
    def blocks(self) -> pd.DataFrame:
        """Every site's :attr:`~pracops.staffing.model.ShiftPlan.blocks`, with ``location_id``."""
        return pd.concat([s.plan.blocks.assign(location_id=k) for k, s in self.sites.items()],
                         ignore_index=True)


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> StaffingInputs:
    """Load every dataset the staffing report reads from one folder (``None``: the sample).

    ``phone_calls`` is optional: ``None`` when the folder has no such file.

    Raises
    ------
    DataError
        A missing or malformed file (named, with row and column).
    """
    calls = None
    try:
        found = data.locate("phone_calls", data_dir, missing_ok=True)
    except data.DataError:  # not a dataset this version knows
        found = None
    if found is not None:
        calls = data.load("phone_calls", data_dir)
    appointments = data.load("appointments", data_dir)
    locations = data.load("locations", data_dir)
    staff = data.load("staff", data_dir)
    providers = data.load("providers", data_dir)
    st.check_appointments(appointments, locations)
    st.check_staff(staff, locations)
    st.check_providers(providers)
    return StaffingInputs(appointments=appointments, providers=providers, staff=staff,
                          locations=locations, phone_calls=calls)


def default_backtest_month(inputs: StaffingInputs, start: str | pd.Timestamp) -> str:
    """The last calendar month that ends before ``start`` and has completed visits."""
    first = pd.Timestamp(start).normalize()
    appts = inputs.appointments
    done = appts.loc[(appts["status"].astype("object") == "completed").to_numpy()
                     & (appts["date"] < first).to_numpy(), "date"]
    if done.empty:
        raise ParameterError(f"no completed visits before {first.date()} to test the forecast on")
    month = done.max().to_period("M")
    if month.end_time.normalize() >= first:
        month -= 1
    return str(month)


def _check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ParameterError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


def run_plan(
    inputs: StaffingInputs,
    *,
    start: str = "2026-01-05",
    horizon_weeks: int = 52,
    growth_pct: float = 0.0,
    no_show_rate: float | None = None,
    closed_dates: Sequence[str] = (),
    demand_week: str = "forecast",
    minutes_per_visit: Mapping[str, float] | None = None,
    ratios: Mapping[str, float] | None = None,
    minimum_staff: Mapping[str, int] | None = None,
    app_weight: float = 1.0,
    fte_basis: str = "max",
    paid_hours: float = st.PAID_HOURS_PER_FTE,
    pto_hours: float = 120.0,
    holiday_hours: float = 64.0,
    training_hours: float = 16.0,
    benefits_load_pct: float = st.DEFAULT_BENEFITS_LOAD_PCT,
    overtime_hours_per_fte: float = 0.0,
    overtime_multiplier: float = 1.5,
    hourly_rate_cents: Mapping[str, int] | None = None,
    phone_staffing: str = "erlang",
    service_level_target: float = 0.8,
    answer_within_seconds: float = 30.0,
    max_occupancy: float = 0.85,
    max_utilisation: float = 0.85,
    checkin_minutes: float = 3.0,
    interval_minutes: int = 15,
    shift_lengths_hours: Sequence[float] = (4, 8, 10),
    start_step_minutes: int = 30,
    solver_deterministic_time: float = st.DEFAULT_SOLVER_DETERMINISTIC_TIME,
    backtest_month: str | None = "",
    staff_per_provider_fte_benchmark: float = st.STAFF_PER_PROVIDER_FTE_BENCHMARK,
    labor_cost_per_visit_benchmark_cents: int | None = None,
) -> StaffingPlan:
    """Forecast, size, plan and cost the practice's staff.

    Per site (``locations``): the daily forecast from ``start`` for ``horizon_weeks`` weeks
    (:func:`~pracops.staffing.model.forecast_daily`, growth on the history, the booked schedule as a
    floor; rescaled to ``no_show_rate`` when given), its typical week (``demand_week``
    ``"forecast"``) or the history's average week (``"history"``), people per interval
    (:func:`~pracops.staffing.model.interval_requirements`) plus the site's phone line — agents for
    the service level (``phone_staffing="erlang"``) or answered-call minutes as workload
    (``"workload"``) — and the cheapest shifts (:func:`~pracops.staffing.model.plan_shifts`)
    compared
    with the site's roster. For the practice: FTE three ways, FTE needed (the plan for
    patient-facing roles, ``fte_basis`` for the others), labour cost, benchmarks and the
    backtest of the forecast on ``backtest_month`` (``""``: the last full month before
    ``start``; ``None``: skip).

    ``hourly_rate_cents`` overrides or adds role rates (roles nobody holds need one to be
    planned and costed); the rest come from today's staff (FTE-weighted). The solver's work
    budget ``solver_deterministic_time`` (CP-SAT deterministic time, not seconds: see
    :func:`~pracops.staffing.model.plan_shifts`) is shared equally among the sites, so the same
    input gives the same plan however busy the machine is.

    Raises
    ------
    ParameterError
        Bad parameters (each names the parameter and what it accepts).
    DataError
        Data the plan cannot use.
    """
    _check_choice("demand_week", demand_week, DEMAND_WEEKS)
    _check_choice("phone_staffing", phone_staffing, PHONE_STAFFING)
    if not (isinstance(solver_deterministic_time, int | float)
            and not isinstance(solver_deterministic_time, bool)
            and np.isfinite(solver_deterministic_time) and solver_deterministic_time > 0):
        raise ParameterError(f"solver_deterministic_time must be a number above 0 (CP-SAT work "
                             f"units), got {solver_deterministic_time!r}")
    first = pd.Timestamp(start).normalize()
    if first.day_of_week != 0:
        raise ParameterError(f"start must be a Monday, got {first.date()} "
                             f"({first.day_name()})")
    if horizon_weeks < 1:
        raise ParameterError(f"horizon_weeks must be at least 1, got {horizon_weeks!r}")
    last = first + pd.Timedelta(weeks=horizon_weeks) - pd.Timedelta(days=1)
    train_end = first - pd.Timedelta(days=1)
    hours = st.fte_hours(paid_hours, pto_hours, holiday_hours, training_hours)
    minutes = dict(st.DEFAULT_MINUTES_PER_VISIT if minutes_per_visit is None
                   else minutes_per_visit)
    facing = {r: v for r, v in minutes.items() if r in st.PATIENT_FACING_ROLES}
    appts, staff = inputs.appointments, inputs.staff
    st.check_staff(staff, inputs.locations)  # nobody on no site's roster
    rates = st.role_rates(staff).set_index("role")["hourly_rate_cents"].astype(int).to_dict()
    rates.update({r: int(v) for r, v in (hourly_rate_cents or {}).items()})
    history_rate = float(st.no_show_rates(appts, train_end).set_index("visit_type")
                         .loc["all", "no_show_rate"])
    calls = inputs.phone_calls
    sites_frame = inputs.locations.set_index("location_id")
    lines = [] if calls is None else sorted(set(calls["location_id"].astype("object")))
    shared = [x for x in lines if x not in sites_frame.index]
    sites: dict[str, SitePlan] = {}
    budget_each = float(solver_deterministic_time) / max(len(sites_frame), 1)
    checkins, phone_tables = [], []
    for loc, site in sites_frame.iterrows():
        mine = appts[(appts["location_id"].astype("object") == loc).to_numpy()]
        daily = st.forecast_daily(mine, first, last, growth_pct=growth_pct,
                                  train_end=train_end, closed_dates=closed_dates)
        if no_show_rate is not None:
            daily = st.adjust_no_show_rate(daily, history_rate, no_show_rate)
        if demand_week == "forecast":
            week = st.typical_week(st.forecast_hourly(daily, st.weekday_hour_profile(
                mine, train_end)))
        else:
            week = st.history_week(mine, train_end)
        site_calls = None if calls is None else calls[
            (calls["location_id"].astype("object") == loc).to_numpy()]
        if site_calls is not None and site_calls.empty:
            site_calls = None
        phones = None if site_calls is None else st.phone_agents(
            site_calls, service_level_target=service_level_target,
            answer_within_seconds=answer_within_seconds, max_occupancy=max_occupancy)
        common = dict(minutes_per_visit=facing, minimum_staff=minimum_staff,
                      interval_minutes=interval_minutes, max_utilisation=max_utilisation)
        required = st.interval_requirements(week, site["opens"], site["closes"], **common)
        if phones is None:
            required = required.assign(phone_agents=0)
        elif phone_staffing == "erlang":
            required = st.add_phone_agents(required, phones, role=PHONE_ROLE,
                                           interval_minutes=interval_minutes)
        else:
            with_phones = st.interval_requirements(
                week, site["opens"], site["closes"], **common,
                other_minutes=st.phone_workload(site_calls, interval_minutes=interval_minutes,
                                                role=PHONE_ROLE))
            required = with_phones.assign(
                phone_agents=(with_phones["required"] - required["required"]).to_numpy())
        planned_roles = [r for r in st.ROLES if r in set(required["role"].astype("object"))]
        missing = [r for r in planned_roles if r not in rates]
        if missing:
            raise ParameterError(f"no hourly rate for {', '.join(missing)}: nobody holds the "
                                 "role today; give one in hourly_rates")
        roster_staff = staff[(staff["location_id"].astype("object") == loc).to_numpy()]
        roster = st.roster_coverage(roster_staff, interval_minutes) if len(roster_staff) else None
        plan = st.plan_shifts(
            required[["role", "day", "interval_start", "required"]], site["opens"],
            site["closes"], shift_lengths_hours=shift_lengths_hours,
            start_step_minutes=start_step_minutes,
            hourly_rate_cents={r: rates[r] for r in planned_roles}, roster=roster,
            interval_minutes=interval_minutes, solver_deterministic_time=budget_each)
        service = service_plan = None
        if phones is not None:
            service = st.phone_service_level(
                phones, st.phone_staff_on_duty(plan.coverage, required, column="on_roster",
                                               role=PHONE_ROLE),
                answer_within_seconds=answer_within_seconds).assign(location_id=loc)
            service_plan = st.phone_service_level(
                phones, st.phone_staff_on_duty(plan.coverage, required, column="planned",
                                               role=PHONE_ROLE),
                answer_within_seconds=answer_within_seconds).assign(location_id=loc)
            phone_tables.append(phones)
        checkins.append(st.checkin_agents(week, checkin_minutes=checkin_minutes,
                                          max_occupancy=max_occupancy))
        sites[str(loc)] = SitePlan(
            location_id=str(loc), name=str(site["name"]), opens=str(site["opens"]),
            closes=str(site["closes"]), daily=daily, week=week, required=required, plan=plan,
            gaps=st.roster_gaps(plan.coverage, interval_minutes) if roster is not None
            else pd.DataFrame(columns=["role", "day", "start", "end", "short_by",
                                       "staff_hours"]),
            phones=phones, phone_service=service, phone_service_plan=service_plan)

    # Shared lines (a central number): answered by the front desk of every site, pooled.
    for line in shared:
        phones = st.phone_agents(calls[(calls["location_id"].astype("object") == line)
                                       .to_numpy()],
                                 service_level_target=service_level_target,
                                 answer_within_seconds=answer_within_seconds,
                                 max_occupancy=max_occupancy)
        phone_tables.append(phones)
        for column, attr in (("on_roster", "phone_service"), ("planned", "phone_service_plan")):
            pooled = pd.concat([st.phone_staff_on_duty(s.plan.coverage, s.required,
                                                       column=column, role=PHONE_ROLE)
                                for s in sites.values()], ignore_index=True)
            pooled = pooled.groupby([pooled["day"].astype("object"), "interval_start"],
                                    as_index=False)["agents"].sum()
            table = st.phone_service_level(phones, pooled,
                                           answer_within_seconds=answer_within_seconds)
            first_site = next(iter(sites.values()))
            merged = pd.concat([getattr(first_site, attr), table.assign(location_id=line)]
                               if getattr(first_site, attr) is not None
                               else [table.assign(location_id=line)], ignore_index=True)
            setattr(first_site, attr, merged)

    annual = float(sum(st.annual_visits(s.daily) for s in sites.values()))
    required_fte = st.staff_required(
        inputs.providers, annual, hours, staff=staff, ratios=ratios, minutes_per_visit=minutes,
        app_weight=app_weight, checkin=pd.concat(checkins, ignore_index=True),
        phones=pd.concat(phone_tables, ignore_index=True) if phone_tables else None,
        queue_role=PHONE_ROLE)
    weekly = pd.concat([s.plan.shifts for s in sites.values()], ignore_index=True)
    planned_roles = sorted({r for s in sites.values()
                            for r in s.required["role"].astype("object")})
    weekly_hours = weekly.groupby(weekly["role"].astype("object"))["paid_hours"].sum()
    scheduled = {r: st.fte_for_weekly_hours(float(weekly_hours.get(r, 0.0)), hours)
                 for r in planned_roles}
    needed = st.fte_needed(required_fte, scheduled, basis=fte_basis)
    labor = st.labor_cost(staff, hours, benefits_load_pct=benefits_load_pct,
                          overtime_hours_per_fte=overtime_hours_per_fte,
                          overtime_multiplier=overtime_multiplier)
    cost = st.labor_cost_by_role(labor, needed, rates, hours,
                                 benefits_load_pct=benefits_load_pct)
    bench = st.benchmarks(staff, inputs.providers, annual, int(labor["total_cents"].sum()),
                          staff_per_provider_fte=staff_per_provider_fte_benchmark,
                          labor_cost_per_visit_cents=labor_cost_per_visit_benchmark_cents,
                          app_weight=app_weight)
    monthly = pd.concat([st.forecast_monthly(s.daily).assign(location_id=k)
                         for k, s in sites.items()], ignore_index=True)
    if backtest_month is None:
        bt = None
    else:
        month = backtest_month or default_backtest_month(inputs, first)
        bt = st.backtest(appts, month, growth_pct=0.0)
    gaps = pd.concat([s.gaps.assign(location_id=k) for k, s in sites.items() if len(s.gaps)]
                     or [pd.DataFrame(columns=["location_id", "role", "day", "start", "end",
                                               "short_by", "staff_hours"])],
                     ignore_index=True)
    gaps = gaps[["location_id", "role", "day", "start", "end", "short_by", "staff_hours"]]
    accounting = [st.appointment_use(appts, first, last, train_end)]
    if calls is not None:
        accounting.append(st.phone_call_use(calls, {k: s.required for k, s in sites.items()},
                                            role=PHONE_ROLE))
    unseen = sum(st.roster_hours_not_compared(
        staff[(staff["location_id"].astype("object") == k).to_numpy()], s.plan.coverage,
        interval_minutes) for k, s in sites.items() if "on_roster" in s.plan.coverage)
    accounting.append(pd.DataFrame([{
        "dataset": "staff", "what": "roster hours outside the planned intervals",
        "count": round(float(unseen), 2), "unit": "staff-hours a week", "used": False,
        "how": "not compared with the requirement: before opening, after closing, on days "
               "without demand, or part of an interval"}]))
    services = [s.phone_service for s in sites.values() if s.phone_service is not None]
    services_plan = [s.phone_service_plan for s in sites.values()
                     if s.phone_service_plan is not None]
    return StaffingPlan(
        start=first, end=last, interval_minutes=interval_minutes, hours=hours, sites=sites,
        monthly=monthly, backtest=bt, no_show_rate_history=history_rate,
        no_show_rate_planned=history_rate if no_show_rate is None else float(no_show_rate),
        annual_visits=annual, provider_fte=st.provider_fte(inputs.providers, app_weight),
        required=required_fte, needed=needed, labor=labor, cost=cost, rates=rates,
        benchmarks=bench, gaps=gaps,
        phone_service=pd.concat(services, ignore_index=True) if services else None,
        phone_service_plan=pd.concat(services_plan, ignore_index=True) if services_plan
        else None,
        accounting=pd.concat(accounting, ignore_index=True).astype({"count": "float64",
                                                                    "used": "bool"}),
        shared_lines=shared,
        settings={"service_level_target": service_level_target,
                  "answer_within_seconds": answer_within_seconds,
                  "demand_week": demand_week, "phone_staffing": phone_staffing,
                  "growth_pct": growth_pct, "fte_basis": fte_basis,
                  "benefits_load_pct": benefits_load_pct},
    )


# --- figures, words and alerts ------------------------------------------------------------

def _by_role(table: pd.DataFrame, column: str) -> dict[str, float]:
    rows = table[table["role"] != "total"]
    return {str(r): round(float(v), 3) for r, v in zip(rows["role"], rows[column], strict=True)
            if not (float(v) == 0 and float(rows.loc[rows["role"] == r, "current_fte"].iloc[0])
                    == 0 and float(rows.loc[rows["role"] == r, "required_fte"].iloc[0]) == 0)}


def summary_figures(plan: StaffingPlan) -> dict[str, Any]:
    """The figures a scheduled run records (the summary JSON).

    FTE are payroll FTE (with cover for leave, holidays and training); ``fte_gap_by_role``
    is needed minus on the roster (positive: short). ``annual_labor_cost_cents`` is today's
    roster (base, overtime, benefits); ``required_labor_cost_cents`` the FTE needed at each
    role's rate. ``phone_service_level`` is the call-weighted share of calls answered within
    the target time by the front desk on today's roster (``None`` without phone data);
    ``uncovered_staff_hours_per_week`` the person-hours a week the roster is short of the
    requirement. ``roster_gaps`` lists each stretch. The solver's figures depend on the input
    only: ``solver_status`` (:data:`~pracops.staffing.model.SOLVER_STATUSES`), ``solver_gap_pct``
    (how much cheaper the week's plan could at most be), the (role, day) parts not proved
    optimal and those that fell back to the greedy cover; the wall time and the CP-SAT work
    used are not figures (they vary from run to run). ``left_out`` lists what the plan leaves
    out of its inputs on purpose, how many and why (the lines of ``plan.accounting`` not used).
    """
    needed = plan.needed
    total = needed.set_index("role").loc["total"]
    cost = plan.cost.set_index("role").loc["total"]
    bench = plan.benchmarks.set_index("metric")["value"]
    weekly_hours = float(plan.gaps["staff_hours"].sum()) if len(plan.gaps) else 0.0
    service = (None if plan.phone_service is None
               else st.overall_service_level(plan.phone_service))
    service_plan = (None if plan.phone_service_plan is None
                    else st.overall_service_level(plan.phone_service_plan))
    per_visit = bench["labor_cost_per_visit_cents"]
    return {
        "plan_start": plan.start.date().isoformat(),
        "plan_end": plan.end.date().isoformat(),
        "annual_visits_forecast": round(plan.annual_visits, 1),
        "provider_fte": round(plan.provider_fte, 3),
        "fte_required_by_role": _by_role(needed, "required_fte"),
        "fte_on_roster_by_role": _by_role(needed, "current_fte"),
        "fte_gap_by_role": _by_role(needed, "gap_fte"),
        "fte_required_total": round(float(total["required_fte"]), 3),
        "fte_on_roster_total": round(float(total["current_fte"]), 3),
        "annual_labor_cost_cents": int(plan.labor["total_cents"].sum()),
        "required_labor_cost_cents": (None if pd.isna(cost["required_cents"])
                                      else int(cost["required_cents"])),
        "labor_cost_per_visit_cents": None if pd.isna(per_visit) else int(per_visit),
        "staff_per_provider_fte": round(float(bench["staff_per_provider_fte"]), 3),
        "phone_service_level": None if service is None else round(service, 4),
        "phone_service_level_plan": None if service_plan is None else round(service_plan, 4),
        "phone_service_level_target": plan.settings["service_level_target"],
        "phone_calls_per_week": (None if plan.phone_service is None
                                 else round(float(plan.phone_service["calls"].sum()), 1)),
        "uncovered_staff_hours_per_week": round(weekly_hours, 2),
        "roster_gaps": [
            {"location_id": str(g.location_id), "role": str(g.role), "day": str(g.day),
             "hours": f"{g.start}-{g.end}", "short_by": int(g.short_by),
             "staff_hours": round(float(g.staff_hours), 2)}
            for g in plan.gaps.itertuples()],
        "plan_paid_hours_per_week": round(float(sum(s.plan.paid_hours
                                                    for s in plan.sites.values())), 2),
        "plan_cost_per_week_cents": int(sum(s.plan.cost_cents or 0
                                            for s in plan.sites.values())),
        "solver_status": plan.status,
        "solver_gap_pct": round(_plan_gap_pct(plan), 3),
        "solver_parts_not_proved": int((plan.blocks["status"] != "OPTIMAL").sum()),
        "solver_parts_fallback": int((plan.blocks["status"] == "FALLBACK").sum()),
        "left_out": _left_out(plan),
        "backtest_month": None if plan.backtest is None else plan.backtest.test_month,
        "backtest_mape_pct": None if plan.backtest is None else round(plan.backtest.mape_pct, 2),
        "backtest_bias_pct": None if plan.backtest is None else round(plan.backtest.bias_pct, 2),
    }


def _count(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _left_out(plan: StaffingPlan) -> list[dict[str, Any]]:
    """The accounting lines not used and not empty, as plain values for the summary JSON."""
    rows = plan.accounting[(~plan.accounting["used"] & (plan.accounting["count"] > 0))
                           .to_numpy()]
    return [{"dataset": str(r.dataset), "what": str(r.what), "count": _count(r.count),
             "unit": str(r.unit), "why": str(r.how)} for r in rows.itertuples()]


def _plan_gap_pct(plan: StaffingPlan) -> float:
    """``100 · (objective − bound) / objective`` over every site's parts (cents before
    rounding each shift)."""
    blocks = plan.blocks
    objective = float(blocks["objective"].sum())
    return 100 * (objective - float(blocks["lower_bound"].sum())) / objective if objective else 0.0


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
        where = (f"{report.md_text(worst['role'])} at {report.md_text(worst['location_id'])} "
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
    return _markdown("\n\n".join(lines))


def _markdown(text: str) -> str:
    """Escape dollar signs, which Jupyter's Markdown reads as the start of a formula."""
    return text.replace("$", "\\$")


def alerts(plan: StaffingPlan, fig: Mapping[str, Any], *, min_gap_fte: float = 0.25
           ) -> list[tuple[str, str]]:
    """Threshold breaches, as ``(level, sentence)`` pairs: roster gaps (largest first), roles
    short of their FTE requirement by at least ``min_gap_fte``, a phone service level under
    target and a shift plan not proved optimal."""
    out: list[tuple[str, str]] = []
    for g in sorted(fig["roster_gaps"], key=lambda g: -g["staff_hours"])[:5]:
        out.append(("critical" if g["short_by"] > 1 or g["staff_hours"] >= 4 else "warning",
                    f"{g['location_id']}: {g['role']} short by {g['short_by']} on "
                    f"{g['day']} {g['hours']} ({g['staff_hours']:.1f} staff-hours a week)."))
    if len(fig["roster_gaps"]) > 5:
        out.append(("warning", f"{len(fig['roster_gaps']) - 5} more roster gap(s): see "
                               "Coverage gaps."))
    for role, gap in sorted(fig["fte_gap_by_role"].items(), key=lambda kv: -kv[1]):
        if gap >= min_gap_fte:
            have = fig["fte_on_roster_by_role"].get(role, 0.0)
            need = fig["fte_required_by_role"].get(role, 0.0)
            out.append(("warning", f"{role.capitalize()}: {_fte(have)} FTE on the roster, "
                                   f"{_fte(need)} needed ({_fte(gap)} short)."))
    level, target = fig["phone_service_level"], fig["phone_service_level_target"]
    if level is not None and level < target:
        out.append(("warning", f"Phones: {fmt_pct(level)} of calls answered within "
                               f"{plan.settings['answer_within_seconds']:g} s, below the target "
                               f"of {fmt_pct(target)}."))
    if fig["solver_parts_fallback"]:
        out.append(("warning", f"The solver found no shift plan for {fig['solver_parts_fallback']} "
                               "role-day(s) within its work budget: those days use a simple "
                               "greedy cover (every interval covered, cost not minimised). Raise "
                               "solver_deterministic_time."))
    elif fig["solver_status"] != "OPTIMAL":
        out.append(("info", f"The shift plan covers every interval but the solver's work budget "
                            f"stopped it before proving {fig['solver_parts_not_proved']} "
                            f"role-day(s) the cheapest: the week could be at most "
                            f"{fig['solver_gap_pct']:.1f}% cheaper. Raise "
                            "solver_deterministic_time."))
    return out


# --- tables ---------------------------------------------------------------------------------

_BASIS_WORDS = {"shift plan": "shift plan", "max": "ratio or workload, the larger",
                "ratio": "ratio to providers", "workload": "workload per visit"}


def fte_table(plan: StaffingPlan) -> Any:
    """FTE needed and on the roster per role, with the gap and how the need was set."""
    t = plan.needed[["role", "required_fte", "current_fte", "gap_fte", "basis"]].rename(
        columns={"required_fte": "FTE needed", "current_fte": "FTE on roster",
                 "gap_fte": "Gap (short +)", "basis": "Need set by"})
    t["Need set by"] = t["Need set by"].map(_BASIS_WORDS).fillna(t["Need set by"])
    numbers = ["FTE needed", "FTE on roster", "Gap (short +)"]
    return format_table(t).format("{:,.2f}", subset=numbers)


def three_ways_table(plan: StaffingPlan) -> Any:
    """Staff FTE per role three ways (ratio, workload, queueing) beside the shift plan's."""
    t = plan.needed[["role", "ratio_fte", "workload_fte", "queueing_fte", "scheduled_fte",
                     "current_fte"]].rename(columns={
                         "ratio_fte": "Ratio to providers", "workload_fte": "Workload",
                         "queueing_fte": "Queueing (desk + phones)",
                         "scheduled_fte": "Shift plan", "current_fte": "On roster"})
    numbers = [c for c in t.columns if c != "role"]
    return format_table(t).format("{:,.2f}", subset=numbers, na_rep="–")


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
    return _markdown(
        f"**{report.md_text(site.name)}** ({report.md_text(site.location_id)}, open "
        f"{site.opens}–{site.closes}): the plan "
        f"{'is ' if p.status == 'OPTIMAL' else ''}{proof}; {p.paid_hours:,.1f} paid hours and "
        f"{fmt_money(p.cost_cents)} a week.")


def gaps_table(plan: StaffingPlan) -> Any:
    """Stretches where today's roster is short of the requirement."""
    t = plan.gaps.copy()
    t["day"] = t["day"].astype("object")
    t = t.rename(columns={"location_id": "site", "short_by": "people short",
                          "staff_hours": "staff-hours a week"})
    return format_table(t, count=["people short"]).format("{:.2f}",
                                                           subset=["staff-hours a week"])


def phone_table(plan: StaffingPlan) -> Any | None:
    """Per site and weekday: calls, agents needed and the service level achieved today and
    with the plan (``None`` without phone data)."""
    if plan.phone_service is None or plan.phone_service_plan is None:
        return None
    today, planned = plan.phone_service, plan.phone_service_plan
    rows = []
    for (loc, day), part in today.groupby([today["location_id"], today["day"].astype("object")],
                                          sort=False):
        other = planned[(planned["location_id"] == loc).to_numpy()
                        & (planned["day"].astype("object") == day).to_numpy()]
        rows.append({"site": loc, "day": day, "calls a day": float(part["calls"].sum()),
                     "peak agents needed": int(part["agents_needed"].max()),
                     "service level today": st.overall_service_level(part),
                     "service level with plan": st.overall_service_level(other)})
    t = pd.DataFrame(rows)
    return format_table(t, pct=["service level today", "service level with plan"],
                        count=["calls a day", "peak agents needed"], readable_headers=False)


def cost_table(plan: StaffingPlan) -> Any:
    """Today's labour cost per role (base, overtime, benefits) and the cost of the FTE needed."""
    t = plan.cost.rename(columns={
        "current_fte": "FTE today", "base_cents": "base pay", "overtime_cents": "overtime",
        "benefits_cents": "benefits", "current_cents": "cost today",
        "required_fte": "FTE needed", "hourly_rate_cents": "hourly rate",
        "required_cents": "cost of FTE needed", "difference_cents": "difference"})
    money = ["base pay", "overtime", "benefits", "cost today", "hourly rate",
             "cost of FTE needed", "difference"]
    return format_table(t, money=money).format("{:,.2f}", subset=["FTE today", "FTE needed"])


def accounting_table(plan: StaffingPlan) -> Any:
    """Every input row the plan reads, by what it does with it, and what it leaves out and
    why (the roster line counts staff-hours a week, not rows)."""
    t = plan.accounting.assign(used=np.where(plan.accounting["used"], "used", "left out"),
                               how=plan.accounting["how"].str.removeprefix("left out: "))
    t = t.rename(columns={"what": "rows", "count": "how many", "used": "used?",
                          "how": "what the plan does with them"})
    return format_table(t, readable_headers=False).format(
        lambda x: fmt_count(x, 0 if float(x).is_integer() else 2), subset=["how many"])


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
    return format_table(t, count=[c for c in t.columns if c != "month"],
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


# --- files ----------------------------------------------------------------------------------

def plan_files(plan: StaffingPlan) -> dict[str, pd.DataFrame]:
    """The tables handed out: the shift plan, the roster gaps and the FTE per role."""
    shifts = pd.concat([s.plan.shifts.assign(location_id=k) for k, s in plan.sites.items()],
                       ignore_index=True)
    shifts = shifts[["location_id", "role", "day", "start", "end", "hours", "people",
                     "paid_hours", "cost_cents"]].assign(day=lambda f: f["day"].astype("object"))
    gaps = plan.gaps.assign(day=plan.gaps["day"].astype("object"))
    fte = plan.needed.copy()
    return {"shift_plan": shifts, "roster_gaps": gaps, "fte_by_role": fte,
            "labor_cost_by_role": plan.cost.copy()}


def write_plan_files(plan: StaffingPlan, folder: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`plan_files` as ``staffing_plan.xlsx`` (a sheet each) and one CSV each,
    atomically, with text neutralised against formula injection
    (:func:`pracops.report.write_handouts`)."""
    return report.write_handouts(plan_files(plan), folder, workbook="staffing_plan.xlsx")


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
    for loc in t.columns:
        ax.bar(range(len(t)), t[loc].to_numpy(), bottom=bottom, label=loc)
        bottom += t[loc].to_numpy()
    ax.set_xticks(range(len(t)), labels, rotation=45, ha="right")
    ax.set_title("Forecast visits per month")
    ax.set_xlabel("month")
    ax.set_ylabel("visits")
    ax.legend(title="site")


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
    ax.legend()


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
    ax.legend()


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
    ax.set_title(f"{role.capitalize()} at {location_id} on {day}")
    ax.set_xlabel("time of day")
    ax.set_ylabel("people on duty")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend()


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
    needed = t["required_cents"].astype("float64").to_numpy()
    ax.scatter(x, needed, marker="D", color="#b3261e", zorder=3, label="cost of FTE needed")
    ax.set_xticks(x, list(t["role"]), rotation=20, ha="right")
    ax.set_title("Annual staff cost by role")
    ax.set_xlabel("role")
    ax.set_ylabel("cost a year (US$)")
    money_axis(ax)
    ax.legend(fontsize=8)
