"""The operating budget's chain: :func:`run` is the one entry point the notebook, the command
line (through the notebook) and an analyst call.

``run(data_dir, budget_year=..., visit_growth_pct=..., ...)`` takes every parameter of the
report by its declared name and default (:mod:`pracops.budget.parameters`), loads the ledger,
the chart of accounts and the volumes (:func:`load_inputs`), works the budget out
(:func:`compute`: books → budget → comparison with the closed months → break-even → figures
and alerts, no I/O), writes the budget workbook for the accountant
(:func:`write_budget_workbook`) and returns a :class:`BudgetReport`. The widgets explorer calls
:func:`compute` only, so moving a slider writes no file.

The calculations live in :mod:`pracops.budget.model`; the tables, charts and texts in
:mod:`pracops.budget.view`. The budget reads ledger totals and visit counts only: no patient
data.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pracops import config, data, report
from pracops.budget import model as bd
from pracops.budget.parameters import PARAMETERS
from pracops.errors import ParameterError
from pracops.money import cents_to_decimal, money_param
from pracops.report import fmt_money, fmt_pct

__all__ = [
    "REPORT_NAME",
    "WORKBOOK",
    "BudgetInputs",
    "BudgetReport",
    "load_inputs",
    "assumptions",
    "compute",
    "run",
    "summary_figures",
    "alerts",
    "base_wrvus",
    "write_budget_workbook",
]

REPORT_NAME = "operating_budget"
WORKBOOK = "operating_budget.xlsx"
# the declared defaults of the dict and list parameters, a copy that nothing here changes
# (compute() copies what it is given): run() and compute() default to them
_DEFAULT = copy.deepcopy(PARAMETERS.defaults())


@dataclass
class BudgetInputs:
    """The three datasets of the budget, as loaded."""

    gl_actuals: pd.DataFrame
    chart_of_accounts: pd.DataFrame
    volumes: pd.DataFrame


@dataclass
class BudgetReport:
    """Everything the chain works out, for the notebook to show and record.

    Attributes
    ----------
    inputs
        The datasets read.
    parameters
        The parameters :func:`compute` took, by their declared names.
    books
        The ledger, chart and volumes checked against each other.
    budget
        The year's budget by account and month.
    comparison
        The closed months of the budget year against it (``None`` before the first closes).
    break_even
        :func:`pracops.budget.model.break_even` of the budget.
    materiality_cents, materiality_pct
        The materiality thresholds the comparison flagged variances with.
    figures
        What the run records (:func:`summary_figures`).
    alerts
        ``(level, message)`` for the administrator (:func:`alerts`).
    files
        The hand-outs :func:`run` wrote (the budget workbook); empty after :func:`compute`.
    """

    inputs: BudgetInputs
    parameters: dict[str, Any]
    books: bd.Books
    budget: bd.Budget
    comparison: bd.Comparison | None
    break_even: dict[str, float | None]
    materiality_cents: int
    materiality_pct: float
    figures: dict[str, Any] = field(default_factory=dict)
    alerts: list[tuple[str, str]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> BudgetInputs:
    """Load the ledger, the chart of accounts and the volumes from one folder (``None``: the
    sample).

    Raises
    ------
    DataError
        A missing or malformed file (named, with row and column).
    """
    return BudgetInputs(gl_actuals=data.load("gl_actuals", data_dir),
                        chart_of_accounts=data.load("chart_of_accounts", data_dir),
                        volumes=data.load("volumes", data_dir))


def assumptions(books: bd.Books, *, budget_year: int | None, visit_growth_pct: float,
                payer_mix_pct: Mapping[str, float], rate_change_pct: Mapping[str, float],
                wage_increase_pct: float, benefits_load_pct: float | None,
                inflation_pct: Mapping[str, float], other_revenue_change_pct: float,
                new_providers: Sequence[Mapping[str, Any]], holiday_country: str | None,
                holiday_subdivision: str | None, holiday_names: Sequence[str],
                closed_dates: Sequence[str]) -> bd.Assumptions:
    """The report's parameters as :class:`pracops.budget.model.Assumptions`.

    ``budget_year`` ``None`` is the year of the last closed month (the year being tracked).
    Each new provider is a mapping with ``start_month``, and optionally ``name``,
    ``ramp_months`` (3) and ``fte`` (1.0). An empty ``holiday_country`` means no calendar.

    Raises
    ------
    ParameterError
        A new provider without ``start_month`` or with another key.
    """
    if budget_year is None:
        budget_year = int(books.closed_through[:4])
    providers = []
    for i, p in enumerate(new_providers, start=1):
        unknown = sorted(set(p) - {"name", "start_month", "ramp_months", "fte"})
        if unknown or "start_month" not in p:
            raise ParameterError(f"new provider {i} ({dict(p)!r}) needs start_month and may "
                                 f"have name, ramp_months and fte; unknown: {unknown}")
        providers.append(bd.NewProvider(name=str(p.get("name", f"new provider {i}")),
                                        start_month=p["start_month"],
                                        ramp_months=p.get("ramp_months", 3),
                                        fte=p.get("fte", 1.0)))
    return bd.Assumptions(budget_year=budget_year, visit_growth_pct=visit_growth_pct,
                          payer_mix_pct=payer_mix_pct or {},
                          rate_change_pct=rate_change_pct or {},
                          wage_increase_pct=wage_increase_pct,
                          benefits_load_pct=benefits_load_pct,
                          inflation_pct=inflation_pct or {},
                          other_revenue_change_pct=other_revenue_change_pct,
                          new_providers=tuple(providers),
                          holiday_country=holiday_country or None,
                          holiday_subdivision=holiday_subdivision or None,
                          holiday_names=tuple(holiday_names), closed_dates=tuple(closed_dates))


def compute(inputs: BudgetInputs, *, budget_year: int | None = None,
            visit_growth_pct: float = 3.0, payer_mix_pct: dict = _DEFAULT["payer_mix_pct"],
            rate_change_pct: dict = _DEFAULT["rate_change_pct"],
            wage_increase_pct: float = 3.0, benefits_load_pct: float | None = 22.0,
            inflation_pct: dict = _DEFAULT["inflation_pct"],
            other_revenue_change_pct: float = 0.0,
            new_providers: list = _DEFAULT["new_providers"],
            materiality_dollars: float = 5000.0, materiality_pct: float = 10.0,
            holiday_country: str = "US", holiday_subdivision: str | None = None,
            holiday_names: list = _DEFAULT["holiday_names"],
            closed_dates: list = _DEFAULT["closed_dates"]) -> BudgetReport:
    """The budget and its comparison with actual from loaded inputs, without reading or
    writing a file: books → budget → comparison → break-even → figures and alerts.

    The parameters are the report's, with its defaults (:mod:`pracops.budget.parameters`;
    :func:`run` documents them). ``materiality_dollars`` becomes cents here, the one
    conversion of the chain.

    Raises
    ------
    DataError
        Books that do not agree with each other (named file, rows, column).
    ParameterError
        A parameter the books cannot take (a payer mix of unknown classes ...).
    """
    parameters = copy.deepcopy(dict(
        budget_year=budget_year, visit_growth_pct=visit_growth_pct, payer_mix_pct=payer_mix_pct,
        rate_change_pct=rate_change_pct, wage_increase_pct=wage_increase_pct,
        benefits_load_pct=benefits_load_pct, inflation_pct=inflation_pct,
        other_revenue_change_pct=other_revenue_change_pct, new_providers=new_providers,
        materiality_dollars=materiality_dollars, materiality_pct=materiality_pct,
        holiday_country=holiday_country, holiday_subdivision=holiday_subdivision,
        holiday_names=holiday_names, closed_dates=closed_dates))
    materiality_cents = money_param("materiality_dollars", materiality_dollars)
    books = bd.read_books(inputs.gl_actuals, inputs.chart_of_accounts, inputs.volumes)
    a = assumptions(books, **{k: v for k, v in parameters.items()
                              if k not in ("materiality_dollars", "materiality_pct")})
    budget = bd.build_budget(books, a)
    rep = BudgetReport(inputs=inputs, parameters=parameters, books=books, budget=budget,
                       comparison=bd.compare(books, budget, materiality_cents, materiality_pct),
                       break_even=bd.break_even(budget), materiality_cents=materiality_cents,
                       materiality_pct=materiality_pct)
    rep.figures = summary_figures(rep)
    rep.alerts = alerts(rep, rep.figures)
    return rep


def run(data_dir: str | None = None, *, budget_year: int | None = None,
        visit_growth_pct: float = 3.0, payer_mix_pct: dict = _DEFAULT["payer_mix_pct"],
        rate_change_pct: dict = _DEFAULT["rate_change_pct"], wage_increase_pct: float = 3.0,
        benefits_load_pct: float | None = 22.0, inflation_pct: dict = _DEFAULT["inflation_pct"],
        other_revenue_change_pct: float = 0.0, new_providers: list = _DEFAULT["new_providers"],
        materiality_dollars: float = 5000.0, materiality_pct: float = 10.0,
        holiday_country: str = "US", holiday_subdivision: str | None = None,
        holiday_names: list = _DEFAULT["holiday_names"],
        closed_dates: list = _DEFAULT["closed_dates"],
        output_dir: str | None = None) -> BudgetReport:
    """The operating budget report: load the books from ``data_dir`` (``None``: the bundled
    sample), :func:`compute` the budget and its comparison, write the budget workbook to
    ``output_dir`` (``None``: beside the report, :func:`pracops.config.report_files_dir`).

    Parameters
    ----------
    data_dir, budget_year, visit_growth_pct, payer_mix_pct, rate_change_pct, \
wage_increase_pct, benefits_load_pct, inflation_pct, other_revenue_change_pct, new_providers, \
materiality_dollars, materiality_pct, holiday_country, holiday_subdivision, holiday_names, \
closed_dates, output_dir
        The report's parameters, by their declared names and defaults
        (:mod:`pracops.budget.parameters`; ``pracops list`` prints each with its help).

    Returns
    -------
    BudgetReport
        With ``files`` the workbook written.
    """
    rep = compute(load_inputs(data_dir), budget_year=budget_year,
                  visit_growth_pct=visit_growth_pct, payer_mix_pct=payer_mix_pct,
                  rate_change_pct=rate_change_pct, wage_increase_pct=wage_increase_pct,
                  benefits_load_pct=benefits_load_pct, inflation_pct=inflation_pct,
                  other_revenue_change_pct=other_revenue_change_pct,
                  new_providers=new_providers, materiality_dollars=materiality_dollars,
                  materiality_pct=materiality_pct, holiday_country=holiday_country,
                  holiday_subdivision=holiday_subdivision, holiday_names=holiday_names,
                  closed_dates=closed_dates)
    rep.files = [write_budget_workbook(rep, config.report_files_dir(output_dir, REPORT_NAME))]
    return rep


# --- figures and alerts --------------------------------------------------------------------------

def _margin(revenue: int, cost: int) -> float | None:
    return None if revenue <= 0 else bd.operating_margin(revenue, cost)


def _flagged(rep: BudgetReport) -> list[str]:
    """Accounts with a material variance in a month or in the year to date, chart order."""
    c = rep.comparison
    if c is None:
        return []
    hit = set(c.lines.loc[c.lines["material"], "account"]) | set(
        c.ytd.loc[c.ytd["material"], "account"])
    return [a for a in rep.budget.accounts["account"] if a in hit]


def summary_figures(rep: BudgetReport) -> dict[str, Any]:
    """The figures a run records (cents, fractions, counts); year-to-date ones are ``None``
    before the first month of the budget year is closed."""
    b, c, be = rep.budget, rep.comparison, rep.break_even
    rev, cost = b.total("revenue"), b.total("cost")
    fig: dict[str, Any] = {
        "budget_year": b.year,
        "budget_revenue_cents": rev,
        "budget_expense_cents": cost,
        "budget_margin_cents": rev - cost,
        "budget_margin_pct": _margin(rev, cost),
        "budget_visits": int(b.visits["visits"].sum()),
        "base_wrvus_per_provider_fte": _wrvus_per_fte(rep),
        "overhead_pct": bd.overhead_ratio(bd.overhead_cents(b), rev) if rev > 0 else None,
        "breakeven_visits_per_month": (None if be["visits_per_month"] is None
                                       else int(np.ceil(be["visits_per_month"]))),
        "breakeven_visits_per_provider_day": (None if be["visits_per_provider_day"] is None
                                              else round(be["visits_per_provider_day"], 1)),
        "closed_through": rep.books.closed_through,
        "ytd_actual_revenue_cents": None, "ytd_budget_revenue_cents": None,
        "ytd_variance_cents": None, "volume_variance_cents": None, "rate_variance_cents": None,
        "mix_variance_cents": None, "other_revenue_variance_cents": None,
        "ytd_margin_variance_cents": None,
        "flagged_accounts": 0, "flagged_account_list": [],
        "forecast_margin_pct": _margin(rev, cost), "forecast_revenue_cents": rev,
    }
    if c is None:
        return fig
    months = range(1, c.through_month + 1)
    bridge = c.bridge.set_index("step")["cents"]
    f = c.forecast.set_index("line")
    revenue = c.ytd[c.ytd["kind"] == "revenue"]
    fig.update({
        "ytd_actual_revenue_cents": int(revenue["actual_cents"].sum()),
        "ytd_budget_revenue_cents": b.total("revenue", months),
        "ytd_variance_cents": int(revenue["variance_cents"].sum()),
        "other_revenue_variance_cents": int(bridge.get("other revenue", 0)),
        "volume_variance_cents": c.part("volume"),
        "rate_variance_cents": c.part("rate"),
        "mix_variance_cents": c.part("mix"),
        "ytd_margin_variance_cents": int(bridge["actual margin"] - bridge["budget margin"]),
        "flagged_accounts": len(_flagged(rep)),
        "flagged_account_list": _flagged(rep),
        "forecast_margin_pct": _margin(int(f.loc["revenue", "forecast_cents"]),
                                       int(f.loc["expense", "forecast_cents"])),
        "forecast_revenue_cents": int(f.loc["revenue", "forecast_cents"]),
    })
    return fig


def _wrvus_per_fte(rep: BudgetReport) -> float | None:
    """Base-year work RVUs per provider FTE (mean monthly FTE); ``None`` when any month's wRVUs
    are unknown."""
    total = base_wrvus(rep).sum(min_count=1)
    v = rep.books.volumes
    fte = v[v["period"].isin(rep.budget.base_periods)].groupby("period")["provider_fte"].first()
    if pd.isna(total) or base_wrvus(rep).isna().any() or fte.mean() <= 0:
        return None
    return round(float(total / fte.mean()), 1)


def _signed(cents: int) -> str:
    return ("+" if cents > 0 else "") + fmt_money(cents)


def _pct_or_na(fraction: float | None) -> str:
    """A fraction as a percentage; ``"n/a"`` when it is missing or not finite."""
    if fraction is None or not np.isfinite(fraction):
        return "n/a"
    return fmt_pct(fraction)


def _variance_pct(percent: float) -> str:
    """A variance in percent, signed; ``"no budget"`` when the budget is 0 (±inf or NaN)."""
    if percent is None or not np.isfinite(percent):
        return "no budget"
    text = fmt_pct(percent / 100)
    return ("+" if percent > 0 and text != "0.0%" else "") + text


def alerts(rep: BudgetReport, fig: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(level, message)`` for what the administrator should look at: a budget without
    revenue or without a positive margin is critical; material variances and a forecast margin
    more than 2 points below the budget's are warnings."""
    out: list[tuple[str, str]] = []
    year = rep.budget.year
    if fig["budget_revenue_cents"] <= 0:
        out.append(("critical", f"The {year} budget has no revenue "
                                f"({fmt_money(fig['budget_revenue_cents'])}): check that the "
                                "ledger's revenue accounts and the rate changes are right."))
    if fig["budget_margin_cents"] <= 0:
        out.append(("critical", f"The {year} budget does not make money: operating margin "
                                f"{fmt_money(fig['budget_margin_cents'])} "
                                f"({_pct_or_na(fig['budget_margin_pct'])})."))
    c = rep.comparison
    if c is None:
        return out
    flagged = c.ytd[c.ytd["material"]]
    for _, r in flagged.iterrows():
        out.append(("warning", f"{r['name']} ({r['account']}) is "
                               f"{_signed(int(r['variance_cents']))} "
                               f"({_variance_pct(r['variance_pct'])}, {r['direction']}) for the "
                               "year to date."))
    monthly = c.lines[c.lines["material"] & ~c.lines["account"].isin(flagged["account"])]
    for _, r in monthly.iterrows():
        out.append(("warning", f"{r['name']} ({r['account']}) in "
                               f"{bd.MONTH_NAMES[int(r['month']) - 1]}: "
                               f"{_signed(int(r['variance_cents']))} "
                               f"({_variance_pct(r['variance_pct'])}, {r['direction']})."))
    budget_margin, forecast_margin = fig["budget_margin_pct"], fig["forecast_margin_pct"]
    if budget_margin is not None and forecast_margin is not None \
            and forecast_margin < budget_margin - 0.02:
        out.append(("warning", f"The full-year forecast margin {fmt_pct(forecast_margin)} is "
                               f"more than 2 points below the budget's "
                               f"{fmt_pct(budget_margin)}."))
    return out


def base_wrvus(rep: BudgetReport) -> pd.Series:
    """Work RVUs of the base year per payer class (NaN where the volumes do not know them)."""
    v = rep.books.volumes
    base = v[v["period"].isin(rep.budget.base_periods)]
    return base.groupby("payer_class")["wrvus"].sum(min_count=len(rep.budget.base_periods))


# --- the workbook --------------------------------------------------------------------------------

def write_budget_workbook(rep: BudgetReport, folder: str | os.PathLike[str]) -> Path:
    """Write ``operating_budget.xlsx`` for the accountant: a *Budget* sheet (accounts as rows,
    months as columns, the year's total, totals of revenue and expenses and the margin, then
    visits and provider FTE), an *Assumptions* sheet, and, once months are closed, a *Budget vs
    actual* sheet. Amounts are exact dollars and cents (decimal, not binary floats). Written by
    the suite's one hand-out writer (:func:`pracops.report.write_handouts`): atomically, with
    text from the books (account names ...) neutralised against formula injection."""
    b = rep.budget
    months = [*bd.MONTH_NAMES, "Total"]
    t = b.table()
    rows: list[list[Any]] = []
    bold: list[int] = []

    def section(kind: str, label: str) -> list[int]:
        part = t[t["kind"] == kind]
        for _, r in part.iterrows():
            rows.append([r["account"], r["name"], r["category"],
                         *[cents_to_decimal(r[m]) for m in months]])
        totals = [int(part[m].sum()) for m in months]
        bold.append(len(rows))
        rows.append(["", label, "", *[cents_to_decimal(v) for v in totals]])
        return totals

    rev = section("revenue", "Total revenue")
    cost = section("cost", "Total expenses")
    bold.append(len(rows))
    rows.append(["", "Operating margin", "",
                 *[cents_to_decimal(r - c) for r, c in zip(rev, cost, strict=True)]])
    visits = b.visits.groupby("month")["visits"].sum()
    rows.append([None] * (3 + len(months)))
    rows.append(["", "Visits", "", *[int(v) for v in visits], int(visits.sum())])
    rows.append(["", "Provider FTE", "", *[round(float(v), 2) for v in b.fte["fte"]],
                 round(float(b.fte["fte"].mean()), 2)])
    rows.append(["", "Working days", "", *[int(v) for v in b.phasing["working_days"]],
                 int(b.phasing["working_days"].sum())])
    sheets: dict[str, report.Sheet] = {"Budget": report.Sheet(
        pd.DataFrame(rows, columns=["Account", "Name", "Category", *months], dtype="object"),
        title=f"Operating budget {b.year}", bold_rows=bold, freeze="D3",
        widths={"A": 10, "B": 30, "C": 22,
                **dict.fromkeys("DEFGHIJKLMNOP", 13)})}

    a = b.assumptions
    assumptions = [
        ("Budget year", b.year),
        ("Base period", f"{b.base_periods[0]} to {b.base_periods[-1]}"),
        ("Visit growth %", a.visit_growth_pct),
        ("Payer mix targets %", ", ".join(f"{k} {v}" for k, v in a.payer_mix_pct.items())
         or "base year's mix"),
        ("Rate change % by payer class",
         ", ".join(f"{k} {v}" for k, v in a.rate_change_pct.items()) or "none"),
        ("Wage increase %", a.wage_increase_pct),
        ("Benefits load % of wages", round(b.benefits_load_pct, 4)),
        ("Inflation % by category", ", ".join(f"{k} {v}" for k, v in a.inflation_pct.items())),
        ("New providers", ", ".join(f"{p.name} (month {p.start_month}, {p.fte} FTE, "
                                    f"{p.ramp_months}-month ramp)"
                                    for p in a.new_providers) or "none"),
        ("Holidays", f"{a.holiday_country or 'no calendar'} {a.holiday_subdivision or ''}: "
                     f"{', '.join(a.holiday_names) or 'all'}")]
    sheets["Assumptions"] = report.Sheet(pd.DataFrame(assumptions, dtype="object"), header=False,
                                  widths={"A": 30, "B": 80})

    c = rep.comparison
    if c is not None:
        lines = pd.DataFrame({
            "Account": c.lines["account"], "Name": c.lines["name"],
            "Month": [f"{b.year}-{int(m):02d}" for m in c.lines["month"]],
            "Budget": c.lines["budget_cents"].map(cents_to_decimal),
            "Actual": c.lines["actual_cents"].map(cents_to_decimal),
            "Variance": c.lines["variance_cents"].map(cents_to_decimal),
            "Variance %": [round(float(p), 2) if np.isfinite(p) else None
                           for p in c.lines["variance_pct"]],
            "Direction": c.lines["direction"],
            "Material": ["yes" if m else "" for m in c.lines["material"]]}, dtype="object")
        sheets["Budget vs actual"] = report.Sheet(lines, freeze="A2", widths={"B": 30})
    (path,) = report.write_handouts(sheets, folder, workbook=WORKBOOK, csv=False)
    return path
