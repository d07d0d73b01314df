"""The staffing plan's chain: :func:`run` is the one entry point that the notebook, the CLI
(through the notebook) and an analyst call.

``run(data_dir, plan_start=..., ...)`` takes every parameter of the report by the name and
default its declaration gives (:mod:`pracops.staffing.parameters`), loads the inputs
(:func:`load_inputs`), computes the plan (:func:`compute`: no I/O, also what the explorer's
sliders call), works out the figures a scheduled run records (:func:`summary_figures`) and the
alerts (:func:`alerts`), and writes the hand-outs (:func:`write_plan_files`). Dollars become
integer cents in one place, :func:`compute`, with :func:`pracops.money.money_param`.

:func:`compute` chains the calculations of :mod:`pracops.staffing.model` for each site
(forecast → typical week → people per interval → shift plan against today's roster, with the
site's phone line) and for the practice (FTE three ways, FTE needed, labour cost, benchmarks,
the backtest, and what the plan does with every input row).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pracops import config, data, report
from pracops.errors import ParameterError
from pracops.money import money_param
from pracops.staffing import model as st
from pracops.staffing.parameters import PARAMETERS

__all__ = [
    "PHONE_ROLE",
    "REPORT_NAME",
    "SitePlan",
    "StaffingInputs",
    "StaffingPlan",
    "StaffingReport",
    "alerts",
    "compute",
    "default_backtest_month",
    "load_inputs",
    "plan_files",
    "run",
    "summary_figures",
    "write_plan_files",
]

REPORT_NAME = "staffing_plan"
"""The report's name: its notebook, its parameter file and the folder of its hand-outs."""

PHONE_ROLE = "front desk"
"""The role that answers a site's phones."""

_DEFAULTS = PARAMETERS.defaults()
"""The declared defaults, for :func:`compute`'s dicts (never mutated)."""

_GAP_COLUMNS = ["location_id", "role", "day", "start", "end", "short_by", "staff_hours"]


# --- what the chain holds -------------------------------------------------------------------

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
    """Everything :func:`compute` works out, for the notebook to show.

    ``accounting`` says what the plan does with every input row and what it leaves out, and
    why (:data:`~pracops.staffing.model.ACCOUNT_COLUMNS`): the appointments
    (:func:`~pracops.staffing.model.appointment_use`), the phone statistics
    (:func:`~pracops.staffing.model.phone_call_use`) and the roster hours the interval comparison
    does not see (:func:`~pracops.staffing.model.roster_hours_not_compared`). ``settings``
    holds the parameters the view's words need, by their declared names.
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
        """The worst site's :attr:`~pracops.staffing.model.ShiftPlan.status`: ``OPTIMAL`` when
        every site's plan was proved cheapest, else ``FEASIBLE`` or ``FALLBACK``."""
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


@dataclass
class StaffingReport:
    """What :func:`run` returns: the parameters it ran with (by name, ``data_dir`` and
    ``output_dir`` included), the inputs, the plan, the recorded figures, the alerts and the
    hand-out files."""

    parameters: dict[str, Any]
    inputs: StaffingInputs
    plan: StaffingPlan
    figures: dict[str, Any]
    alerts: list[tuple[str, str]]
    files: list[Path]


# --- the entry point ------------------------------------------------------------------------

def run(
    data_dir: str | None = None,
    *,
    plan_start: str = "2026-01-05",
    horizon_weeks: int = 52,
    visit_growth_pct: float = 0.0,
    no_show_rate: float | None = None,
    closed_dates: list = [],  # noqa: B006  (the declared default; never mutated)
    demand_week: str = "forecast",
    backtest_month: str = "",
    minutes_per_visit: dict = {  # noqa: B006
        "front desk": 8, "medical assistant": 22, "nurse": 6, "lab technician": 4,
        "billing": 6, "medical records": 2,
    },
    minimum_staff: dict = {"front desk": 1},  # noqa: B006
    max_utilisation: float = 0.85,
    ratios: dict = {  # noqa: B006
        "front desk": 1.0, "billing": 0.5, "medical records": 0.2, "manager": 0.3,
        "medical assistant": 1.45, "nurse": 0.5, "lab technician": 0.2,
    },
    app_weight: float = 1.0,
    fte_basis: str = "max",
    paid_hours_per_fte: float = 2080.0,
    pto_hours: float = 120.0,
    holiday_hours: float = 64.0,
    training_hours: float = 16.0,
    benefits_load_pct: float = 30.0,
    overtime_hours_per_fte: float = 0.0,
    overtime_multiplier: float = 1.5,
    hourly_rates: dict = {},  # noqa: B006
    phone_staffing: str = "workload",
    phone_service_level_target: float = 0.8,
    answer_within_seconds: float = 30.0,
    max_occupancy: float = 0.85,
    interval_minutes: int = 15,
    shift_lengths_hours: list = [4, 8, 9, 10],  # noqa: B006
    shift_start_step_minutes: int = 30,
    solver_deterministic_time: float = 2.0,
    staff_per_provider_benchmark: float = 4.5,
    labor_cost_per_visit_benchmark: float | None = None,
    output_dir: str | None = None,
) -> StaffingReport:
    """Load the inputs, plan, cost and check the practice's staff, and write the hand-outs.

    Every parameter is the report's, by the name and default of its declaration
    (:mod:`pracops.staffing.parameters`, ``pracops list staffing_plan``): the notebook passes
    each by its own name. ``data_dir`` ``None`` reads the bundled sample; the hand-outs go to
    ``config.report_files_dir(output_dir, "staffing_plan")``.

    Returns
    -------
    StaffingReport
        The inputs, the plan (:func:`compute`), the figures a run records
        (:func:`summary_figures`), the alerts (:func:`alerts`) and the files written.

    Raises
    ------
    ParameterError
        Bad parameters (each names the parameter and what it accepts).
    DataError
        Inputs the plan cannot use (file, row, column and value named).
    """
    parameters = dict(locals())
    inputs = load_inputs(data_dir)
    plan = compute(
        inputs,
        plan_start=plan_start,
        horizon_weeks=horizon_weeks,
        visit_growth_pct=visit_growth_pct,
        no_show_rate=no_show_rate,
        closed_dates=closed_dates,
        demand_week=demand_week,
        backtest_month=backtest_month,
        minutes_per_visit=minutes_per_visit,
        minimum_staff=minimum_staff,
        max_utilisation=max_utilisation,
        ratios=ratios,
        app_weight=app_weight,
        fte_basis=fte_basis,
        paid_hours_per_fte=paid_hours_per_fte,
        pto_hours=pto_hours,
        holiday_hours=holiday_hours,
        training_hours=training_hours,
        benefits_load_pct=benefits_load_pct,
        overtime_hours_per_fte=overtime_hours_per_fte,
        overtime_multiplier=overtime_multiplier,
        hourly_rates=hourly_rates,
        phone_staffing=phone_staffing,
        phone_service_level_target=phone_service_level_target,
        answer_within_seconds=answer_within_seconds,
        max_occupancy=max_occupancy,
        interval_minutes=interval_minutes,
        shift_lengths_hours=shift_lengths_hours,
        shift_start_step_minutes=shift_start_step_minutes,
        solver_deterministic_time=solver_deterministic_time,
        staff_per_provider_benchmark=staff_per_provider_benchmark,
        labor_cost_per_visit_benchmark=labor_cost_per_visit_benchmark,
    )
    figures = summary_figures(plan)
    files = write_plan_files(plan, config.report_files_dir(output_dir, REPORT_NAME))
    return StaffingReport(parameters=parameters, inputs=inputs, plan=plan, figures=figures,
                          alerts=alerts(plan, figures), files=files)


# --- inputs ---------------------------------------------------------------------------------

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


def default_backtest_month(inputs: StaffingInputs, plan_start: str | pd.Timestamp) -> str:
    """The last calendar month that ends before ``plan_start`` and has completed visits."""
    first = pd.Timestamp(plan_start).normalize()
    appts = inputs.appointments
    done = appts.loc[(appts["status"].astype("object") == "completed").to_numpy()
                     & (appts["date"] < first).to_numpy(), "date"]
    if done.empty:
        raise ParameterError(f"no completed visits before {first.date()} to test the forecast on")
    month = done.max().to_period("M")
    if month.end_time.normalize() >= first:
        month -= 1
    return str(month)


# --- the plan -------------------------------------------------------------------------------

def compute(
    inputs: StaffingInputs,
    *,
    plan_start: str = "2026-01-05",
    horizon_weeks: int = 52,
    visit_growth_pct: float = 0.0,
    no_show_rate: float | None = None,
    closed_dates: Sequence[str] = (),
    demand_week: str = "forecast",
    backtest_month: str | None = "",
    minutes_per_visit: Mapping[str, float] | None = _DEFAULTS["minutes_per_visit"],
    minimum_staff: Mapping[str, int] | None = _DEFAULTS["minimum_staff"],
    max_utilisation: float = 0.85,
    ratios: Mapping[str, float] | None = _DEFAULTS["ratios"],
    app_weight: float = 1.0,
    fte_basis: str = "max",
    paid_hours_per_fte: float = 2080.0,
    pto_hours: float = 120.0,
    holiday_hours: float = 64.0,
    training_hours: float = 16.0,
    benefits_load_pct: float = 30.0,
    overtime_hours_per_fte: float = 0.0,
    overtime_multiplier: float = 1.5,
    hourly_rates: Mapping[str, object] | None = _DEFAULTS["hourly_rates"],
    phone_staffing: str = "workload",
    phone_service_level_target: float = 0.8,
    answer_within_seconds: float = 30.0,
    max_occupancy: float = 0.85,
    interval_minutes: int = 15,
    shift_lengths_hours: Sequence[float] = (4, 8, 9, 10),
    shift_start_step_minutes: int = 30,
    solver_deterministic_time: float = 2.0,
    staff_per_provider_benchmark: float = 4.5,
    labor_cost_per_visit_benchmark: float | None = None,
) -> StaffingPlan:
    """Forecast, size, plan and cost the practice's staff, without reading or writing a file.

    The parameters are :func:`run`'s (the report's declaration), with the same defaults;
    ``None`` for ``minutes_per_visit``, ``minimum_staff`` or ``ratios`` means the declared
    default too, and ``backtest_month=None`` skips the backtest.

    Per site (``locations``): the daily forecast from ``plan_start`` for ``horizon_weeks`` weeks
    (:func:`~pracops.staffing.model.forecast_daily`, growth on the history, the booked schedule
    as a floor; rescaled to ``no_show_rate`` when given), its typical week (``demand_week``
    ``"forecast"``) or the history's average week (``"history"``), people per interval
    (:func:`~pracops.staffing.model.interval_requirements`) plus the site's phone line —
    answered-call minutes as workload (``phone_staffing="workload"``) or agents for the service
    level (``"erlang"``) — and the cheapest shifts
    (:func:`~pracops.staffing.model.plan_shifts`) compared with the site's roster. For the
    practice: FTE three ways, FTE needed (the plan for patient-facing roles, ``fte_basis`` for
    the others), labour cost, benchmarks and the backtest of the forecast on ``backtest_month``
    (``""``: the last full month before ``plan_start``).

    ``hourly_rates`` (dollars) overrides or adds role rates (roles nobody holds need one to be
    planned and costed); the rest come from today's staff (FTE-weighted). The solver's work
    budget ``solver_deterministic_time`` (CP-SAT deterministic time, not seconds) is shared
    equally among the sites, so the same input gives the same plan however busy the machine is.

    Raises
    ------
    ParameterError
        Bad parameters (each names the parameter and what it accepts).
    DataError
        Data the plan cannot use.
    """
    first, last = _plan_dates(plan_start, horizon_weeks)
    _check_choice("demand_week", demand_week)
    _check_choice("phone_staffing", phone_staffing)
    _check_solver_budget(solver_deterministic_time)
    train_end = first - pd.Timedelta(days=1)
    hours = st.fte_hours(paid_hours_per_fte, pto_hours, holiday_hours, training_hours)
    minutes = dict(PARAMETERS["minutes_per_visit"].default if minutes_per_visit is None
                   else minutes_per_visit)
    if minimum_staff is None:
        minimum_staff = PARAMETERS["minimum_staff"].default
    appts, staff, calls = inputs.appointments, inputs.staff, inputs.phone_calls
    st.check_staff(staff, inputs.locations)  # nobody on no site's roster
    rates = _hourly_rate_cents(staff, hourly_rates)
    history_rate = float(st.no_show_rates(appts, train_end).set_index("visit_type")
                         .loc["all", "no_show_rate"])
    demand = dict(first=first, last=last, train_end=train_end,
                  visit_growth_pct=visit_growth_pct, closed_dates=closed_dates,
                  no_show_rate=no_show_rate, history_rate=history_rate,
                  demand_week=demand_week)
    need = dict(minutes_per_visit={r: v for r, v in minutes.items()
                                   if r in st.PATIENT_FACING_ROLES},
                minimum_staff=minimum_staff, interval_minutes=interval_minutes,
                max_utilisation=max_utilisation)
    phone = dict(phone_staffing=phone_staffing,
                 service_level_target=phone_service_level_target,
                 answer_within_seconds=answer_within_seconds, max_occupancy=max_occupancy)
    shifts = dict(shift_lengths_hours=shift_lengths_hours,
                  start_step_minutes=shift_start_step_minutes, interval_minutes=interval_minutes,
                  solver_deterministic_time=(float(solver_deterministic_time)
                                             / max(len(inputs.locations), 1)))
    sites: dict[str, SitePlan] = {}
    for loc, site in inputs.locations.set_index("location_id").iterrows():
        sites[str(loc)] = _plan_site(
            str(loc), site, appts=_at(appts, loc), staff=_at(staff, loc),
            calls=None if calls is None else _at(calls, loc), rates=rates, demand=demand,
            need=need, phone=phone, shifts=shifts)
    shared = _shared_lines(calls, inputs.locations)
    phone_tables = [s.phones for s in sites.values() if s.phones is not None]
    phone_tables += _pool_shared_lines(
        sites, calls, shared, service_level_target=phone_service_level_target,
        answer_within_seconds=answer_within_seconds, max_occupancy=max_occupancy)

    annual = float(sum(st.annual_visits(s.daily) for s in sites.values()))
    checkins = pd.concat([st.checkin_agents(s.week, max_occupancy=max_occupancy,
                                            answer_within_seconds=st.CHECKIN_ANSWER_SECONDS)
                          for s in sites.values()], ignore_index=True)
    required_fte = st.staff_required(
        inputs.providers, annual, hours, staff=staff,
        ratios=PARAMETERS["ratios"].default if ratios is None else ratios,
        minutes_per_visit=minutes, app_weight=app_weight, checkin=checkins,
        phones=pd.concat(phone_tables, ignore_index=True) if phone_tables else None,
        queue_role=PHONE_ROLE)
    needed = st.fte_needed(required_fte, _scheduled_fte(sites, hours), basis=fte_basis)
    labor = st.labor_cost(staff, hours, benefits_load_pct=benefits_load_pct,
                          overtime_hours_per_fte=overtime_hours_per_fte,
                          overtime_multiplier=overtime_multiplier)
    cost = st.labor_cost_by_role(labor, needed, rates, hours,
                                 benefits_load_pct=benefits_load_pct)
    bench = st.benchmarks(
        staff, inputs.providers, annual, int(labor["total_cents"].sum()),
        staff_per_provider_fte=staff_per_provider_benchmark,
        labor_cost_per_visit_cents=(None if labor_cost_per_visit_benchmark is None
                                    else money_param("labor_cost_per_visit_benchmark",
                                                     labor_cost_per_visit_benchmark)),
        app_weight=app_weight)
    monthly = pd.concat([st.forecast_monthly(s.daily).assign(location_id=k)
                         for k, s in sites.items()], ignore_index=True)
    if backtest_month is None:
        bt = None
    else:
        bt = st.backtest(appts, backtest_month or default_backtest_month(inputs, first),
                         growth_pct=0.0)
    services = [s.phone_service for s in sites.values() if s.phone_service is not None]
    services_plan = [s.phone_service_plan for s in sites.values()
                     if s.phone_service_plan is not None]
    return StaffingPlan(
        start=first, end=last, interval_minutes=interval_minutes, hours=hours, sites=sites,
        monthly=monthly, backtest=bt, no_show_rate_history=history_rate,
        no_show_rate_planned=history_rate if no_show_rate is None else float(no_show_rate),
        annual_visits=annual, provider_fte=st.provider_fte(inputs.providers, app_weight),
        required=required_fte, needed=needed, labor=labor, cost=cost, rates=rates,
        benchmarks=bench, gaps=_all_gaps(sites),
        phone_service=pd.concat(services, ignore_index=True) if services else None,
        phone_service_plan=pd.concat(services_plan, ignore_index=True) if services_plan
        else None,
        accounting=_accounting(appts, staff, calls, sites, first, last, train_end,
                               interval_minutes),
        shared_lines=shared,
        settings={"phone_service_level_target": phone_service_level_target,
                  "answer_within_seconds": answer_within_seconds,
                  "demand_week": demand_week, "phone_staffing": phone_staffing,
                  "visit_growth_pct": visit_growth_pct, "fte_basis": fte_basis,
                  "benefits_load_pct": benefits_load_pct},
    )


def _check_choice(name: str, value: str) -> None:
    choices = PARAMETERS[name].choices
    if value not in choices:
        raise ParameterError(f"{name} must be one of {', '.join(choices)}, got {value!r}")


def _check_solver_budget(budget: object) -> None:
    if not (isinstance(budget, int | float) and not isinstance(budget, bool)
            and math.isfinite(budget) and budget > 0):
        raise ParameterError(f"solver_deterministic_time must be a number above 0 (CP-SAT work "
                             f"units), got {budget!r}")


def _plan_dates(plan_start: str | pd.Timestamp, horizon_weeks: int
                ) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The plan's first day (a Monday) and last day."""
    first = pd.Timestamp(plan_start).normalize()
    if first.day_of_week != 0:
        raise ParameterError(f"plan_start must be a Monday, got {first.date()} "
                             f"({first.day_name()})")
    if horizon_weeks < 1:
        raise ParameterError(f"horizon_weeks must be at least 1, got {horizon_weeks!r}")
    return first, first + pd.Timedelta(weeks=horizon_weeks) - pd.Timedelta(days=1)


def _hourly_rate_cents(staff: pd.DataFrame, hourly_rates: Mapping[str, object] | None
                       ) -> dict[str, int]:
    """Cents an hour per role: today's staff (FTE-weighted), overridden or extended by
    ``hourly_rates`` in dollars."""
    rates = st.role_rates(staff).set_index("role")["hourly_rate_cents"].astype(int).to_dict()
    rates.update({role: money_param(f"hourly_rates[{role!r}]", dollars)
                  for role, dollars in (hourly_rates or {}).items()})
    return rates


def _at(frame: pd.DataFrame, location_id: object) -> pd.DataFrame:
    """The rows of one site."""
    return frame[(frame["location_id"].astype("object") == location_id).to_numpy()]


def _shared_lines(calls: pd.DataFrame | None, locations: pd.DataFrame) -> list[str]:
    """Phone lines that are no site's (a central number), sorted."""
    if calls is None:
        return []
    sites = set(locations["location_id"].astype("object"))
    return [x for x in sorted(set(calls["location_id"].astype("object"))) if x not in sites]


def _site_demand(appts: pd.DataFrame, *, first: pd.Timestamp, last: pd.Timestamp,
                 train_end: pd.Timestamp, visit_growth_pct: float,
                 closed_dates: Sequence[str], no_show_rate: float | None, history_rate: float,
                 demand_week: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One site's daily forecast and the week its staff is sized for."""
    daily = st.forecast_daily(appts, first, last, growth_pct=visit_growth_pct,
                              train_end=train_end, closed_dates=closed_dates)
    if no_show_rate is not None:
        daily = st.adjust_no_show_rate(daily, history_rate, no_show_rate)
    if demand_week == "forecast":
        week = st.typical_week(st.forecast_hourly(daily, st.weekday_hour_profile(
            appts, train_end)))
    else:
        week = st.history_week(appts, train_end)
    return daily, week


def _site_requirements(week: pd.DataFrame, opens: str, closes: str,
                       calls: pd.DataFrame | None, phones: pd.DataFrame | None, *,
                       phone_staffing: str, need: Mapping[str, Any]) -> pd.DataFrame:
    """People per role and interval of one site's week, with its phone line: ``phone_agents``
    is the part of the front desk's requirement that answers the phones."""
    required = st.interval_requirements(week, opens, closes, **need)
    if phones is None:
        return required.assign(phone_agents=0)
    if phone_staffing == "erlang":
        return st.add_phone_agents(required, phones, role=PHONE_ROLE,
                                   interval_minutes=need["interval_minutes"])
    with_phones = st.interval_requirements(
        week, opens, closes, **need,
        other_minutes=st.phone_workload(calls, interval_minutes=need["interval_minutes"],
                                        role=PHONE_ROLE))
    return with_phones.assign(
        phone_agents=(with_phones["required"] - required["required"]).to_numpy())


def _plan_site(location_id: str, site: pd.Series, *, appts: pd.DataFrame, staff: pd.DataFrame,
               calls: pd.DataFrame | None, rates: Mapping[str, int],
               demand: Mapping[str, Any], need: Mapping[str, Any], phone: Mapping[str, Any],
               shifts: Mapping[str, Any]) -> SitePlan:
    """One site: demand, people per interval, the cheapest shifts, today's gaps and the
    service level of its phone line on the roster and on the plan."""
    opens, closes = str(site["opens"]), str(site["closes"])
    daily, week = _site_demand(appts, **demand)
    if calls is not None and calls.empty:
        calls = None
    phones = None if calls is None else st.phone_agents(
        calls, service_level_target=phone["service_level_target"],
        answer_within_seconds=phone["answer_within_seconds"],
        max_occupancy=phone["max_occupancy"])
    required = _site_requirements(week, site["opens"], site["closes"], calls, phones,
                                  phone_staffing=phone["phone_staffing"], need=need)
    planned_roles = [r for r in st.ROLES if r in set(required["role"].astype("object"))]
    missing = [r for r in planned_roles if r not in rates]
    if missing:
        raise ParameterError(f"no hourly rate for {', '.join(missing)}: nobody holds the "
                             "role today; give one in hourly_rates")
    interval = need["interval_minutes"]
    roster = st.roster_coverage(staff, interval) if len(staff) else None
    plan = st.plan_shifts(
        required[["role", "day", "interval_start", "required"]], site["opens"], site["closes"],
        hourly_rate_cents={r: rates[r] for r in planned_roles}, roster=roster, **shifts)
    service = service_plan = None
    if phones is not None:
        service, service_plan = (
            st.phone_service_level(
                phones, st.phone_staff_on_duty(plan.coverage, required, column=column,
                                               role=PHONE_ROLE),
                answer_within_seconds=phone["answer_within_seconds"]).assign(
                location_id=location_id)
            for column in ("on_roster", "planned"))
    gaps = (st.roster_gaps(plan.coverage, interval) if roster is not None
            else pd.DataFrame(columns=_GAP_COLUMNS[1:]))
    return SitePlan(location_id=location_id, name=str(site["name"]), opens=opens,
                    closes=closes, daily=daily, week=week, required=required, plan=plan,
                    gaps=gaps, phones=phones, phone_service=service,
                    phone_service_plan=service_plan)


def _pool_shared_lines(sites: Mapping[str, SitePlan], calls: pd.DataFrame | None,
                       shared: Sequence[str], *, service_level_target: float,
                       answer_within_seconds: float, max_occupancy: float) -> list[pd.DataFrame]:
    """Shared lines (a central number), answered by the front desk of every site, pooled:
    their service level on the roster and on the plan joins the first site's tables. Returns
    the agents each line needs (for the queueing FTE)."""
    tables = []
    for line in shared:
        phones = st.phone_agents(_at(calls, line), service_level_target=service_level_target,
                                 answer_within_seconds=answer_within_seconds,
                                 max_occupancy=max_occupancy)
        tables.append(phones)
        for column, attr in (("on_roster", "phone_service"), ("planned", "phone_service_plan")):
            pooled = pd.concat([st.phone_staff_on_duty(s.plan.coverage, s.required,
                                                       column=column, role=PHONE_ROLE)
                                for s in sites.values()], ignore_index=True)
            pooled = pooled.groupby([pooled["day"].astype("object"), "interval_start"],
                                    as_index=False)["agents"].sum()
            table = st.phone_service_level(phones, pooled,
                                           answer_within_seconds=answer_within_seconds)
            first_site = next(iter(sites.values()))
            before = getattr(first_site, attr)
            setattr(first_site, attr, pd.concat(
                [before, table.assign(location_id=line)] if before is not None
                else [table.assign(location_id=line)], ignore_index=True))
    return tables


def _scheduled_fte(sites: Mapping[str, SitePlan], hours: st.FteHours) -> dict[str, float]:
    """FTE of the shift plan per planned role: its paid hours a week as payroll FTE."""
    weekly = pd.concat([s.plan.shifts for s in sites.values()], ignore_index=True)
    planned_roles = sorted({r for s in sites.values()
                            for r in s.required["role"].astype("object")})
    weekly_hours = weekly.groupby(weekly["role"].astype("object"))["paid_hours"].sum()
    return {r: st.fte_for_weekly_hours(float(weekly_hours.get(r, 0.0)), hours)
            for r in planned_roles}


def _all_gaps(sites: Mapping[str, SitePlan]) -> pd.DataFrame:
    """Every site's roster gaps, with ``location_id``."""
    gaps = pd.concat([s.gaps.assign(location_id=k) for k, s in sites.items() if len(s.gaps)]
                     or [pd.DataFrame(columns=_GAP_COLUMNS)], ignore_index=True)
    return gaps[_GAP_COLUMNS]


def _accounting(appts: pd.DataFrame, staff: pd.DataFrame, calls: pd.DataFrame | None,
                sites: Mapping[str, SitePlan], first: pd.Timestamp, last: pd.Timestamp,
                train_end: pd.Timestamp, interval_minutes: int) -> pd.DataFrame:
    """What the plan does with every input row, and the roster hours it does not compare."""
    lines = [st.appointment_use(appts, first, last, train_end)]
    if calls is not None:
        lines.append(st.phone_call_use(calls, {k: s.required for k, s in sites.items()},
                                       role=PHONE_ROLE))
    unseen = sum(st.roster_hours_not_compared(_at(staff, k), s.plan.coverage, interval_minutes)
                 for k, s in sites.items() if "on_roster" in s.plan.coverage)
    lines.append(pd.DataFrame([{
        "dataset": "staff", "what": "roster hours outside the planned intervals",
        "count": round(float(unseen), 2), "unit": "staff-hours a week", "used": False,
        "how": "not compared with the requirement: before opening, after closing, on days "
               "without demand, or part of an interval"}]))
    return pd.concat(lines, ignore_index=True).astype({"count": "float64", "used": "bool"})


# --- figures and alerts ---------------------------------------------------------------------

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
        "phone_service_level_target": plan.settings["phone_service_level_target"],
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


def _site(plan: StaffingPlan, location_id: str) -> str:
    """A site by its name (``Main Street Clinic``), its code where it has none."""
    site = plan.sites.get(location_id)
    return str(site.name) if site is not None else str(location_id)


def _fte(x: float) -> str:
    return f"{x:,.1f}"


def alerts(plan: StaffingPlan, fig: Mapping[str, Any], *, min_gap_fte: float = 0.25
           ) -> list[tuple[str, str]]:
    """Threshold breaches, as ``(level, sentence)`` pairs: roster gaps (largest first), roles
    short of their FTE requirement by at least ``min_gap_fte``, a phone service level under
    target and a shift plan not proved optimal."""
    out: list[tuple[str, str]] = []
    for g in sorted(fig["roster_gaps"], key=lambda g: -g["staff_hours"])[:5]:
        out.append(("critical" if g["short_by"] > 1 or g["staff_hours"] >= 4 else "warning",
                    f"{_site(plan, g['location_id'])}: {g['role']} short by {g['short_by']} on "
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
        out.append(("warning", f"Phones: {report.fmt_pct(level)} of calls answered within "
                               f"{plan.settings['answer_within_seconds']:g} s, below the target "
                               f"of {report.fmt_pct(target)}."))
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


# --- hand-outs ------------------------------------------------------------------------------

def plan_files(plan: StaffingPlan) -> dict[str, pd.DataFrame]:
    """The tables handed out: the shift plan, the roster gaps, the FTE and the cost per role."""
    shifts = pd.concat([s.plan.shifts.assign(location_id=k) for k, s in plan.sites.items()],
                       ignore_index=True)
    shifts = shifts[["location_id", "role", "day", "start", "end", "hours", "people",
                     "paid_hours", "cost_cents"]].assign(day=lambda f: f["day"].astype("object"))
    gaps = plan.gaps.assign(day=plan.gaps["day"].astype("object"))
    return {"shift_plan": shifts, "roster_gaps": gaps, "fte_by_role": plan.needed.copy(),
            "labor_cost_by_role": plan.cost.copy()}


def write_plan_files(plan: StaffingPlan, folder: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`plan_files` as ``staffing_plan.xlsx`` (a sheet each) and one CSV each,
    atomically, with text neutralised against formula injection
    (:func:`pracops.report.write_handouts`)."""
    return report.write_handouts(plan_files(plan), folder, workbook="staffing_plan.xlsx")
