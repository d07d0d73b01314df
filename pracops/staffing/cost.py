"""FTE and money: paid and productive hours (:func:`fte_hours`), today's labour cost
(:func:`labor_cost`, :func:`role_rates`), the cost of FTE (:func:`fte_cost_cents`), the FTE
needed per role (:func:`fte_needed`, :func:`labor_cost_by_role`) and the benchmarks.
Money is integer cents, rounded half-up once where it is made.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from pracops import data
from pracops.data import require_columns, rows_error
from pracops.errors import ParameterError
from pracops.money import round_half_away
from pracops.staffing.common import (
    DEFAULT_BENEFITS_LOAD_PCT,
    PAID_HOURS_PER_FTE,
    ROLES,
    STAFF_PER_PROVIDER_FTE_BENCHMARK,
    _check_roles,
    _dec,
)
from pracops.staffing.forecast import WEEKS_PER_YEAR

__all__ = [
    "FteHours",
    "fte_hours",
    "check_staff",
    "check_providers",
    "labor_cost",
    "role_rates",
    "fte_cost_cents",
    "provider_fte",
    "benchmarks",
    "fte_for_weekly_hours",
    "FTE_BASES",
    "fte_needed",
    "labor_cost_by_role",
]

@dataclass(frozen=True)
class FteHours:
    """Paid and productive hours of one FTE per year.

    Attributes
    ----------
    paid_hours
        ``P``, hours paid per FTE (2,080 = 40 × 52).
    pto_hours, holiday_hours, training_hours
        Paid hours not worked.
    productive_hours
        ``Q = P − PTO − holidays − training``.
    replacement_factor
        ``P / Q``: payroll FTEs needed per FTE of work done.
    """

    paid_hours: float
    pto_hours: float
    holiday_hours: float
    training_hours: float

    @property
    def productive_hours(self) -> float:
        """Hours one FTE actually works in a year."""
        return self.paid_hours - self.pto_hours - self.holiday_hours - self.training_hours

    @property
    def replacement_factor(self) -> float:
        """Paid ÷ productive hours."""
        return self.paid_hours / self.productive_hours


def fte_hours(paid_hours: float = PAID_HOURS_PER_FTE, pto_hours: float = 120.0,
              holiday_hours: float = 64.0, training_hours: float = 16.0) -> FteHours:
    """Paid hours, productive hours and the replacement factor of one FTE.

    ``productive = paid − PTO − holidays − training``; ``replacement factor = paid /
    productive``. The defaults besides 2,080 paid hours are **assumptions**: 15 days of PTO
    (120 h), 8 paid holidays (64 h), 2 days of training (16 h), so 1,880 productive hours and a
    replacement factor of 2080 / 1880 ≈ 1.106.

    Parameters
    ----------
    paid_hours
        Hours paid per FTE per year.
    pto_hours, holiday_hours, training_hours
        Paid hours per FTE per year spent on leave, holidays and training.

    Raises
    ------
    ParameterError
        Negative hours, or nothing left to work.
    """
    values = {"paid_hours": paid_hours, "pto_hours": pto_hours,
              "holiday_hours": holiday_hours, "training_hours": training_hours}
    for name, v in values.items():
        if not (math.isfinite(v) and v >= 0):
            raise ParameterError(f"{name} must be 0 or more, got {v!r}")
    hours = FteHours(float(paid_hours), float(pto_hours), float(holiday_hours),
                     float(training_hours))
    if hours.productive_hours <= 0:
        unpaid = paid_hours - hours.productive_hours
        raise ParameterError(f"PTO, holiday and training hours ({unpaid:g}) leave no productive "
                             f"hours of the {paid_hours:g} paid")
    return hours


def check_staff(staff: pd.DataFrame, locations: pd.DataFrame | None = None) -> None:
    """Refuse a staff table with unknown roles, FTE outside 0–1.5 or negative rates, and, with
    ``locations``, a home site that is not one of them (such a person would be on no site's
    roster: refused, never dropped).

    Raises
    ------
    DataError
        Naming every bad row (file row numbers), the column and the first bad value.
    """
    require_columns(staff, "staff", ("employee_id", "role", "fte", "hourly_rate_cents"))
    if locations is not None:
        require_columns(staff, "staff", ("location_id",))
        require_columns(locations, "locations", ("location_id",))
        sites = [str(x) for x in locations["location_id"]]
        bad = ~staff["location_id"].astype("object").isin(sites)
        if bad.any():
            raise rows_error(staff, bad, "staff", "location_id", "unknown location",
                             "one of " + ", ".join(sites),
                             fix="correct the staff member's location_id or add the site to "
                                 "locations")
    role = staff["role"].astype("object")
    bad = ~role.isin(ROLES)
    if bad.any():
        raise rows_error(staff, bad, "staff", "role", "unknown role", "one of " + ", ".join(ROLES))
    fte = pd.to_numeric(staff["fte"], errors="coerce")
    bad = ~fte.between(0, 1.5)
    if bad.any():
        raise rows_error(staff, bad, "staff", "fte", "FTE outside 0 to 1.5",
                         "an FTE from 0 to 1.5 (1 is full time)")
    rate = pd.to_numeric(staff["hourly_rate_cents"], errors="coerce")
    bad = rate.isna() | (rate < 0)
    if bad.any():
        raise rows_error(staff, bad, "staff", "hourly_rate_cents", "negative or missing pay rate",
                         "an hourly rate of 0 or more")


def check_providers(providers: pd.DataFrame) -> None:
    """Refuse a providers table with FTE outside 0–1.5 or an unknown kind.

    Raises
    ------
    DataError
        Naming every bad row.
    """
    require_columns(providers, "providers", ("provider_id", "kind", "fte"))
    fte = pd.to_numeric(providers["fte"], errors="coerce")
    bad = ~fte.between(0, 1.5)
    if bad.any():
        raise rows_error(providers, bad, "providers", "fte", "FTE outside 0 to 1.5",
                         "an FTE from 0 to 1.5 (1 is full time)")
    kinds = data.get("providers").column("kind").allowed or ()
    bad = ~providers["kind"].astype("object").isin(kinds)
    if bad.any():
        raise rows_error(providers, bad, "providers", "kind", "unknown provider kind",
                         "one of " + ", ".join(kinds))


def labor_cost(staff: pd.DataFrame, hours: FteHours | None = None, *,
               benefits_load_pct: float = DEFAULT_BENEFITS_LOAD_PCT,
               overtime_hours_per_fte: float = 0.0,
               overtime_multiplier: float = 1.5) -> pd.DataFrame:
    """Annual labour cost of each employee, in cents.

    .. math::

        \\text{base} = r \\cdot f \\cdot P, \\quad
        \\text{overtime} = r \\cdot m \\cdot o \\cdot f \\;(\\text{eligible only}), \\quad
        \\text{benefits} = \\text{base} \\cdot b / 100

    for hourly rate ``r`` (cents), FTE ``f``, paid hours ``P``, overtime multiplier ``m``,
    overtime hours per FTE ``o`` and benefits load ``b`` %. Each part is rounded half-up to a
    cent; ``total = base + overtime + benefits``. Benefits are loaded on base pay only (an
    assumption: overtime premiums seldom carry benefits).

    Parameters
    ----------
    staff
        The ``staff`` frame (``employee_id``, ``role``, ``fte``, ``hourly_rate_cents``,
        ``overtime_eligible``).
    hours
        Paid hours per FTE (:func:`fte_hours`; default 2,080).
    benefits_load_pct
        Benefits as a percentage of base pay (see :data:`DEFAULT_BENEFITS_LOAD_PCT`).
    overtime_hours_per_fte
        Overtime hours a year per FTE of each overtime-eligible employee.
    overtime_multiplier
        Overtime pay per hour as a multiple of the rate (1.5 under the FLSA).

    Returns
    -------
    pandas.DataFrame
        ``employee_id, role, fte, hourly_rate_cents, paid_hours, base_cents, overtime_cents,
        benefits_cents, total_cents`` (cents as ``int64``).
    """
    check_staff(staff)
    require_columns(staff, "staff", ("overtime_eligible",))
    for name, v in (("benefits_load_pct", benefits_load_pct),
                    ("overtime_hours_per_fte", overtime_hours_per_fte)):
        if not (math.isfinite(v) and v >= 0):
            raise ParameterError(f"{name} must be 0 or more, got {v!r}")
    if not (math.isfinite(overtime_multiplier) and overtime_multiplier >= 1):
        raise ParameterError(f"overtime_multiplier must be 1 or more, got {overtime_multiplier!r}")
    paid = _dec(hours.paid_hours if hours is not None else PAID_HOURS_PER_FTE)
    load = _dec(benefits_load_pct) / 100
    ot = _dec(overtime_hours_per_fte) * _dec(overtime_multiplier)
    base, overtime, benefits = [], [], []
    for fte, rate, eligible in zip(staff["fte"], staff["hourly_rate_cents"],
                                   staff["overtime_eligible"], strict=True):
        b = round_half_away(_dec(int(rate)) * _dec(float(fte)) * paid)
        base.append(b)
        overtime.append(round_half_away(_dec(int(rate)) * ot * _dec(float(fte)))
                        if bool(eligible) else 0)
        benefits.append(round_half_away(Decimal(b) * load))
    out = pd.DataFrame({
        "employee_id": staff["employee_id"].to_numpy(),
        "role": staff["role"].astype("object").to_numpy(),
        "fte": staff["fte"].astype("float64").to_numpy(),
        "hourly_rate_cents": staff["hourly_rate_cents"].astype("int64").to_numpy(),
        "paid_hours": float(paid) * staff["fte"].astype("float64").to_numpy(),
        "base_cents": np.array(base, dtype=np.int64),
        "overtime_cents": np.array(overtime, dtype=np.int64),
        "benefits_cents": np.array(benefits, dtype=np.int64),
    })
    out["total_cents"] = out["base_cents"] + out["overtime_cents"] + out["benefits_cents"]
    return out


def role_rates(staff: pd.DataFrame) -> pd.DataFrame:
    """Each role's FTE-weighted mean hourly rate, rounded half-up to a cent.

    ``rate_role = Σ r_i f_i / Σ f_i`` over the role's employees (a plain mean when they all
    have FTE 0).

    Returns
    -------
    pandas.DataFrame
        ``role, fte, hourly_rate_cents`` for the roles present, in :data:`ROLES` order.
    """
    check_staff(staff)
    rows = []
    role = staff["role"].astype("object")
    for r in ROLES:
        sel = staff[role == r]
        if sel.empty:
            continue
        ftes = [_dec(float(f)) for f in sel["fte"]]
        rates = [Decimal(int(x)) for x in sel["hourly_rate_cents"]]
        total_fte = sum(ftes, Decimal(0))
        if total_fte == 0:
            mean = sum(rates, Decimal(0)) / len(rates)
        else:
            mean = sum((f * x for f, x in zip(ftes, rates, strict=True)), Decimal(0)) / total_fte
        rows.append({"role": r, "fte": float(total_fte),
                     "hourly_rate_cents": round_half_away(mean)})
    out = pd.DataFrame(rows, columns=["role", "fte", "hourly_rate_cents"])
    return out.astype({"fte": "float64", "hourly_rate_cents": "int64"})


def fte_cost_cents(fte: float, hourly_rate_cents: int, hours: FteHours | None = None,
                   benefits_load_pct: float = DEFAULT_BENEFITS_LOAD_PCT) -> int:
    """Annual cost of ``fte`` FTEs paid ``hourly_rate_cents``, with benefits, in cents.

    ``base = round(fte × P × rate)``, ``benefits = round(base × b / 100)``, both half-up;
    returns ``base + benefits``.
    """
    if not (math.isfinite(fte) and fte >= 0) or hourly_rate_cents < 0:
        raise ParameterError(f"fte and hourly_rate_cents must be 0 or more, got {fte!r} and "
                             f"{hourly_rate_cents!r}")
    paid = _dec(hours.paid_hours if hours is not None else PAID_HOURS_PER_FTE)
    base = round_half_away(_dec(float(fte)) * paid * Decimal(int(hourly_rate_cents)))
    return base + round_half_away(Decimal(base) * _dec(benefits_load_pct) / 100)


def provider_fte(providers: pd.DataFrame, app_weight: float = 1.0) -> float:
    """Provider FTE: ``Σ FTE of MD/DO + app_weight × Σ FTE of NP/PA``."""
    return _provider_fte(providers, app_weight)


def _provider_fte(providers: pd.DataFrame, app_weight: float) -> float:
    check_providers(providers)
    if not 0 <= app_weight <= 1.5:
        raise ParameterError(f"app_weight must be from 0 to 1.5, got {app_weight!r}")
    physician = providers["kind"].astype("object").isin(["MD", "DO"])
    weight = np.where(physician, 1.0, app_weight)
    return float((providers["fte"].astype("float64") * weight).sum())


def benchmarks(staff: pd.DataFrame, providers: pd.DataFrame, annual_visits: float,
               annual_labor_cost_cents: int, *,
               staff_per_provider_fte: float = STAFF_PER_PROVIDER_FTE_BENCHMARK,
               labor_cost_per_visit_cents: int | None = None,
               app_weight: float = 1.0) -> pd.DataFrame:
    """Staff per provider FTE and labour cost per visit against benchmarks.

    Parameters
    ----------
    staff, providers
        The ``staff`` and ``providers`` frames.
    annual_visits
        Visits a year.
    annual_labor_cost_cents
        Staff labour cost a year (the sum of :func:`labor_cost`'s ``total_cents``).
    staff_per_provider_fte
        Benchmark; default Peikes et al. 2014 (:data:`STAFF_PER_PROVIDER_FTE_BENCHMARK`).
    labor_cost_per_visit_cents
        Benchmark cost per visit; no default, as no public figure fits every practice (set it
        from your own or a purchased survey such as MGMA's). ``None`` leaves it blank.
    app_weight
        As for :func:`staff_required`.

    Returns
    -------
    pandas.DataFrame
        ``metric, value, benchmark, difference_pct`` with rows ``staff_per_provider_fte`` and
        ``labor_cost_per_visit_cents`` (rounded half-up to a cent; ``difference_pct =
        100 · (value − benchmark) / benchmark``).
    """
    check_staff(staff)
    provider_fte = _provider_fte(providers, app_weight)
    ratio = float(staff["fte"].sum()) / provider_fte if provider_fte > 0 else math.nan
    per_visit = (round_half_away(Decimal(int(annual_labor_cost_cents)) / _dec(annual_visits))
                 if annual_visits > 0 else math.nan)
    rows = [("staff_per_provider_fte", ratio, staff_per_provider_fte),
            ("labor_cost_per_visit_cents", per_visit,
             math.nan if labor_cost_per_visit_cents is None else labor_cost_per_visit_cents)]
    out = pd.DataFrame(rows, columns=["metric", "value", "benchmark"]).astype(
        {"value": "float64", "benchmark": "float64"})
    out["difference_pct"] = 100 * (out["value"] - out["benchmark"]) / out["benchmark"]
    return out


def fte_for_weekly_hours(hours_per_week: float, hours: FteHours | None = None) -> float:
    """Payroll FTE that keep ``hours_per_week`` of presence all year: ``h × 52 / Q``.

    ``Q`` is the productive hours per FTE (:func:`fte_hours`), so the result includes the
    cover for leave, holidays and training (the replacement factor).
    """
    if not (math.isfinite(hours_per_week) and hours_per_week >= 0):
        raise ParameterError(f"hours_per_week must be 0 or more, got {hours_per_week!r}")
    hours = hours or fte_hours()
    return float(hours_per_week) * WEEKS_PER_YEAR / hours.productive_hours


FTE_BASES = ("ratio", "workload", "max")
"""How :func:`fte_needed` sets the FTE of roles without a shift plan."""


def fte_needed(required: pd.DataFrame, scheduled_fte: Mapping[str, float], *,
               basis: str = "max") -> pd.DataFrame:
    """One FTE requirement per role, from the shift plan where there is one.

    Roles planned shift by shift (patient-facing roles: they must be there whenever patients
    are) take ``scheduled_fte`` (:func:`fte_for_weekly_hours` of the plan's paid hours).
    Other roles (billing, medical records, manager) take the ratio estimate, the workload
    estimate or the larger of the two (``basis``); a role with neither needs 0.

    Parameters
    ----------
    required
        :func:`staff_required` output (its ``total`` row is ignored and rebuilt).
    scheduled_fte
        Role → FTE of the shift plan.
    basis
        ``ratio``, ``workload`` or ``max``.

    Returns
    -------
    pandas.DataFrame
        ``role, ratio_fte, workload_fte, queueing_fte, scheduled_fte, required_fte, basis,
        current_fte, gap_fte`` (``gap = required − current``: positive means short), in
        :data:`ROLES` order, and a last row ``total``.
    """
    if basis not in FTE_BASES:
        raise ParameterError(f"basis must be one of {FTE_BASES}, got {basis!r}")
    _check_roles(scheduled_fte, "scheduled_fte")
    out = required[required["role"] != "total"].copy().reset_index(drop=True)
    out["scheduled_fte"] = out["role"].map(dict(scheduled_fte)).astype("float64")
    other = {"ratio": out["ratio_fte"], "workload": out["workload_fte"],
             "max": out[["ratio_fte", "workload_fte"]].max(axis=1)}[basis].fillna(0.0)
    planned = out["scheduled_fte"].notna()
    out["required_fte"] = np.where(planned, out["scheduled_fte"], other)
    out["basis"] = np.where(planned, "shift plan", basis)
    out["gap_fte"] = out["required_fte"] - out["current_fte"]
    columns = ["role", "ratio_fte", "workload_fte", "queueing_fte", "scheduled_fte",
               "required_fte", "basis", "current_fte", "gap_fte"]
    out = out[columns]
    total = out.drop(columns=["role", "basis"]).sum(min_count=1)
    out.loc[len(out)] = ["total", *total[columns[1:6]].to_numpy(), "",
                         *total[columns[7:]].to_numpy()]
    return out.astype({c: "float64" for c in columns if c not in ("role", "basis")})


def labor_cost_by_role(labor: pd.DataFrame, needed: pd.DataFrame,
                       hourly_rate_cents: Mapping[str, int], hours: FteHours | None = None, *,
                       benefits_load_pct: float = DEFAULT_BENEFITS_LOAD_PCT) -> pd.DataFrame:
    """Today's labour cost and the cost of the FTE needed, per role, in cents.

    Parameters
    ----------
    labor
        :func:`labor_cost` output (today's employees).
    needed
        :func:`fte_needed` output.
    hourly_rate_cents
        Rate per role for the FTE needed (e.g. :func:`role_rates`, plus rates for roles
        nobody holds yet).
    hours, benefits_load_pct
        As for :func:`fte_cost_cents`.

    Returns
    -------
    pandas.DataFrame
        ``role, current_fte, base_cents, overtime_cents, benefits_cents, current_cents,
        required_fte, hourly_rate_cents, required_cents, difference_cents`` (``Int64``;
        required and difference missing for a role with no rate), rows in :data:`ROLES` order
        for roles on the payroll or needed, and a last row ``total``.
    """
    require_columns(labor, "labor", ("role", "fte", "base_cents", "overtime_cents",
                    "benefits_cents", "total_cents"))
    require_columns(needed, "needed", ("role", "required_fte"))
    parts = labor.groupby(labor["role"].astype("object"))[
        ["fte", "base_cents", "overtime_cents", "benefits_cents", "total_cents"]].sum()
    need = needed[needed["role"] != "total"].set_index("role")["required_fte"]
    rows = []
    for role in ROLES:
        cur = parts.loc[role] if role in parts.index else None
        req = float(need.get(role, 0.0))
        if cur is None and req <= 0:
            continue
        rate = hourly_rate_cents.get(role)
        cost = (fte_cost_cents(req, int(rate), hours, benefits_load_pct)
                if rate is not None else None)
        current = int(cur["total_cents"]) if cur is not None else 0
        rows.append({
            "role": role, "current_fte": float(cur["fte"]) if cur is not None else 0.0,
            "base_cents": int(cur["base_cents"]) if cur is not None else 0,
            "overtime_cents": int(cur["overtime_cents"]) if cur is not None else 0,
            "benefits_cents": int(cur["benefits_cents"]) if cur is not None else 0,
            "current_cents": current, "required_fte": req,
            "hourly_rate_cents": None if rate is None else int(rate),
            "required_cents": cost, "difference_cents": None if cost is None else cost - current,
        })
    out = pd.DataFrame(rows, columns=["role", "current_fte", "base_cents", "overtime_cents",
                                      "benefits_cents", "current_cents", "required_fte",
                                      "hourly_rate_cents", "required_cents",
                                      "difference_cents"])
    money = ["base_cents", "overtime_cents", "benefits_cents", "current_cents",
             "hourly_rate_cents", "required_cents", "difference_cents"]
    out = out.astype({**{c: "Int64" for c in money}, "current_fte": "float64",
                      "required_fte": "float64"})
    total = {c: out[c].sum(min_count=1) for c in out.columns if c != "role"}
    total["hourly_rate_cents"] = pd.NA
    if out["required_cents"].isna().any():
        total["required_cents"] = total["difference_cents"] = pd.NA
    out.loc[len(out)] = {"role": "total", **total}
    return out.astype({c: "Int64" for c in money})
