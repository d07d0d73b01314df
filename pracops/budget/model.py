"""Operating budget: variances, monthly phasing, break-even and materiality, in integer cents.

This module owns the calculations of the operating-budget report. Every function takes
DataFrames or numbers and returns DataFrames or numbers; nothing here reads files or displays
anything. Money is integer cents (Python ``int`` / ``int64``); intermediate quotients are exact
fractions (:class:`fractions.Fraction`) and are rounded to the cent once, at a point each
docstring names, half away from zero. Where two separately rounded parts must add up to an exact
total, the difference (at most a cent or two) is kept in a line named ``rounding``: no cent is
ever lost.

The chain a report runs:

1. **Variances.** :func:`revenue_variance` splits the revenue variance into volume, mix and rate
   (price) parts by payer class; :func:`cost_variance` splits variable costs into volume
   (flexible − static budget) and spending/efficiency (actual − flexible).
2. **Phasing.** :func:`working_days` counts weekdays less holidays per month;
   :func:`seasonal_index` turns monthly history into an index averaging 1;
   :func:`phase_annual` splits an annual amount over the months by weights (largest remainder,
   exact to the cent); :func:`payment_schedule` and :func:`phase_fixed_costs` place fixed costs
   in the months they are paid (an annual premium in one month, rent monthly, ...).
3. **Break-even and ratios.** :func:`break_even_visits`,
   :func:`break_even_visits_per_provider_day`, :func:`operating_margin`, :func:`overhead_ratio`.
4. **Materiality.** :func:`materiality_flags` marks budget lines whose variance is large both in
   cents and in percent.
5. **Budget build.** :func:`phasing_weights` (working days × seasonal index);
   :func:`build_revenue` (visits and rate per payer class); :func:`build_expenses` (fixed,
   per-visit and per-provider-FTE accounts, wage increase and benefits load);
   :func:`provider_ramp` (a new provider's monthly FTE).
6. **Forecast.** :func:`full_year_forecast`: actual to date + remaining budget, and run rate.
7. **By payer class.** :func:`revenue_variance_by_class` splits :func:`revenue_variance`'s
   volume, mix and rate lines over the classes, summing exactly to them.
8. **The books.** :func:`read_books` checks the ledger, the chart of accounts and the volumes
   against each other (:class:`Books`).
9. **The budget.** :func:`build_budget` chains 2 and 5 from the base year's books and the
   :class:`Assumptions` (with :class:`NewProvider`) into a :class:`Budget` by account and month.
10. **Against actual.** :func:`compare` chains 1, 4, 6 and 7 over the closed months of the
    budget year into a :class:`Comparison` (flags, variance parts, margin bridge, forecast).
11. **Key figures.** :func:`break_even` and :func:`overhead_cents` of a :class:`Budget`.

Sign convention
---------------
A variance is always ``actual − budget`` (in cents). For revenue a positive variance is
*favourable*; for a cost a positive variance (spending above budget) is *unfavourable*. The
``direction`` column says which: ``"favourable"``, ``"unfavourable"`` or ``"on budget"`` (zero).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import pandas as pd

from pracops.budget.parameters import PARAMETERS
from pracops.data import rows_error
from pracops.errors import DataError, ParameterError
from pracops.money import round_half_away

__all__ = [
    "revenue_variance",
    "cost_variance",
    "direction",
    "working_days",
    "seasonal_index",
    "phase_annual",
    "payment_schedule",
    "phase_fixed_costs",
    "break_even_visits",
    "break_even_visits_per_provider_day",
    "operating_margin",
    "overhead_ratio",
    "materiality_flags",
    "phasing_weights",
    "build_revenue",
    "build_expenses",
    "provider_ramp",
    "full_year_forecast",
    "revenue_variance_by_class",
    "WAGE_CATEGORIES",
    "PRACTICE_HOLIDAYS",
    "MONTH_NAMES",
    "Books",
    "read_books",
    "NewProvider",
    "Assumptions",
    "Budget",
    "build_budget",
    "Comparison",
    "compare",
    "break_even",
    "overhead_cents",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

MONTHS = tuple(range(1, 13))
FAVOURABLE, UNFAVOURABLE, ON_BUDGET = "favourable", "unfavourable", "on budget"


# --------------------------------------------------------------------------- helpers


def _frac(x: object, name: str) -> Fraction:
    """A finite real number as an exact fraction (a float as the binary value it holds)."""
    if isinstance(x, bool) or not isinstance(x, Real) or not np.isfinite(float(x)):
        raise ParameterError(f"{name} must be a finite number, got {x!r}")
    return Fraction(x) if isinstance(x, (Integral, Fraction)) else Fraction(float(x))


def _int(x: object, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, Integral):
        raise ParameterError(f"{name} must be a whole number of cents (int), got {x!r}")
    return int(x)


def _check_frame(frame: pd.DataFrame, dataset: str, columns: Sequence[str], *,
                 integers: Sequence[str] = (), non_negative: Sequence[str] = (),
                 month: str | None = None, unique: Sequence[str] = ()) -> pd.DataFrame:
    """Refuse a table that lacks columns, has non-whole or negative counts/cents, a month outside
    1–12, or duplicate keys; return it with a fresh 0..n-1 index."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"the {dataset} table must be a pandas DataFrame, "
                             f"got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"the {dataset} table lacks column(s) {', '.join(missing)}",
                        file=frame.attrs.get("source", dataset),
                        expected="columns " + ", ".join(columns))
    frame = frame.reset_index(drop=True)
    for col in integers:
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | (values != values.round())
        if bad.any():
            raise rows_error(frame, bad.to_numpy(), dataset, col, f"{col} is not a whole number",
                             "a whole number")
        frame[col] = values.astype("int64")
    for col in non_negative:
        bad = (frame[col] < 0).to_numpy()
        if bad.any():
            raise rows_error(frame, bad, dataset, col, f"{col} is negative", "0 or more")
    if month is not None:
        bad = ~frame[month].isin(MONTHS).to_numpy()
        if bad.any():
            raise rows_error(frame, bad, dataset, month, "month outside 1–12",
                             "a month number 1–12")
    if unique:
        dup = frame.duplicated(list(unique), keep=False).to_numpy()
        if dup.any():
            raise rows_error(frame, dup, dataset, unique[-1],
                             f"duplicate {'-'.join(unique)} rows",
                             f"one row per {'-'.join(unique)}")
    return frame


def direction(variance_cents: int, *, is_cost: bool) -> str:
    """Whether a variance (``actual − budget``, cents) is favourable.

    Revenue above budget is favourable; a cost above budget is unfavourable; zero is
    ``"on budget"``.
    """
    if variance_cents == 0:
        return ON_BUDGET
    return FAVOURABLE if (variance_cents > 0) != is_cost else UNFAVOURABLE


def _directions(values: Iterable[int], *, is_cost: bool) -> list[str]:
    return [direction(int(v), is_cost=is_cost) for v in values]


# --------------------------------------------------------------------------- 1. variances


def _payer_table(payers: pd.DataFrame) -> tuple[pd.DataFrame, list[int], list[int], list[int],
                                                list[int]]:
    """The checked payer table of :func:`revenue_variance` and its columns as ints: budget and
    actual visits, budget rate, and actual revenue per class."""
    actual_col = ("actual_revenue_cents" if "actual_revenue_cents" in payers.columns
                  else "actual_rate_cents")
    cols = ["payer", "budget_visits", "actual_visits", "budget_rate_cents", actual_col]
    p = _check_frame(payers, "payers", cols, integers=cols[1:],
                     non_negative=["budget_visits", "actual_visits"], unique=["payer"])
    bv = [int(x) for x in p["budget_visits"]]
    av = [int(x) for x in p["actual_visits"]]
    rb = [int(x) for x in p["budget_rate_cents"]]
    if actual_col == "actual_revenue_cents":
        actual = [int(x) for x in p[actual_col]]
    else:
        actual = [a * int(r) for a, r in zip(av, p[actual_col], strict=True)]
    return p, bv, av, rb, actual


def revenue_variance(payers: pd.DataFrame) -> pd.DataFrame:
    """Revenue variance split into volume, mix and rate (price) by payer class.

    With ``V_b = Σ_c budget_visits_c``, ``V_a = Σ_c actual_visits_c``, mixes
    ``m_b(c) = budget_visits_c / V_b`` and ``m_a(c) = actual_visits_c / V_a``, and net revenue
    per visit ``r_b(c)`` (budget) and ``r_a(c)`` (actual), in cents:

    * budget revenue ``B = Σ budget_visits_c · r_b(c)``; actual revenue
      ``A = Σ actual_visits_c · r_a(c)``; total variance ``A − B``;
    * volume ``= (V_a − V_b) · Σ m_b · r_b`` (the budget average rate ``B / V_b``);
    * mix ``= V_a · Σ (m_a − m_b) · r_b = Σ actual_visits_c · r_b(c) − V_a · B / V_b``;
    * rate ``= Σ V_a · m_a · (r_a − r_b) = Σ actual_visits_c · (r_a(c) − r_b(c))``.

    Volume + mix + rate = A − B exactly in fractions. Rate, B and A are whole cents; volume and
    mix are fractions of a cent in general and are each rounded to the cent (half away from
    zero). Their rounding difference ``(A − B) − (volume + mix + rate)`` (−1, 0 or +1 cent) is
    the ``rounding`` line, so the lines always add up to the total to the cent.

    Parameters
    ----------
    payers
        One row per payer class: ``payer``, ``budget_visits``, ``actual_visits`` (whole, ≥ 0),
        ``budget_rate_cents`` (whole cents) and either ``actual_revenue_cents`` (the ledger's
        revenue of the class, whole cents: then ``actual_visits_c · r_a(c)`` is read as it,
        ``r_a`` need not be whole cents) or ``actual_rate_cents`` (whole cents).

    Returns
    -------
    pandas.DataFrame
        Rows ``volume``, ``mix``, ``rate``, ``rounding``, ``total`` with columns ``line``,
        ``variance_cents`` (int64, ``actual − budget``) and ``direction``.

    Raises
    ------
    DataError
        Missing columns, negative or non-whole visits, non-whole cents, duplicate payers, or no
        budget visits (the budget average rate is then undefined).
    """
    p, bv, av, rb, actual_c = _payer_table(payers)
    v_b, v_a = sum(bv), sum(av)
    if v_b == 0:
        raise DataError("no budget visits, so the budget average rate (volume variance) is "
                        "undefined", file=payers.attrs.get("source", "payers"),
                        column="budget_visits", expected="at least one budgeted visit")
    budget = sum(b * r for b, r in zip(bv, rb, strict=True))
    actual = sum(actual_c)
    at_budget_rate = sum(a * r for a, r in zip(av, rb, strict=True))
    avg_rate = Fraction(budget, v_b)
    volume = round_half_away((v_a - v_b) * avg_rate)
    mix = round_half_away(at_budget_rate - v_a * avg_rate)
    rate = actual - at_budget_rate
    total = actual - budget
    residue = total - (volume + mix + rate)
    values = [volume, mix, rate, residue, total]
    return pd.DataFrame({
        "line": ["volume", "mix", "rate", "rounding", "total"],
        "variance_cents": pd.array(values, dtype="int64"),
        "direction": _directions(values, is_cost=False),
    })


def cost_variance(costs: pd.DataFrame) -> pd.DataFrame:
    """Variable-cost variance per account: volume (flexible − static) and spending/efficiency.

    * static budget ``S``: ``budget_cost_per_visit_cents × budget_visits``, or the
      ``static_budget_cents`` given (a phased budget whose rate per visit is not whole cents);
    * flexible budget ``F = S · actual_visits / budget_visits``: exact when a whole-cent rate is
      given, otherwise rounded once to the cent (half away from zero); ``F = S`` when there are
      no budget visits;
    * volume variance ``F − S``; spending (efficiency) variance ``actual_cost_cents − F``;
      total ``actual_cost_cents − S`` = volume + spending, exactly.

    A positive variance is spending above budget: ``direction`` is then ``"unfavourable"``.

    Parameters
    ----------
    costs
        One row per account: ``account``, ``budget_visits``, ``actual_visits`` (whole, ≥ 0),
        ``budget_cost_per_visit_cents`` or ``static_budget_cents`` (whole cents, ≥ 0), and
        ``actual_cost_cents`` (whole cents; negative when credits exceed the spending).

    Returns
    -------
    pandas.DataFrame
        ``account, static_budget_cents, flexible_budget_cents, actual_cost_cents,
        volume_variance_cents, spending_variance_cents, total_variance_cents`` (int64) and
        ``volume_direction, spending_direction, total_direction``.
    """
    given = "static_budget_cents" if "static_budget_cents" in costs.columns \
        else "budget_cost_per_visit_cents"
    cols = ["account", "budget_visits", "actual_visits", given, "actual_cost_cents"]
    c = _check_frame(costs, "costs", cols, integers=cols[1:], non_negative=cols[1:4],
                     unique=["account"])
    if given == "static_budget_cents":
        static = c["static_budget_cents"]
        flexible = pd.Series([s if bv == 0 else round_half_away(Fraction(int(s) * int(av), int(bv)))
                              for s, av, bv in zip(static, c["actual_visits"],
                                                   c["budget_visits"], strict=True)])
    else:
        static = c["budget_cost_per_visit_cents"] * c["budget_visits"]
        flexible = c["budget_cost_per_visit_cents"] * c["actual_visits"]
    out = pd.DataFrame({
        "account": c["account"],
        "static_budget_cents": static.astype("int64"),
        "flexible_budget_cents": flexible.astype("int64"),
        "actual_cost_cents": c["actual_cost_cents"].astype("int64"),
    })
    out["volume_variance_cents"] = out["flexible_budget_cents"] - out["static_budget_cents"]
    out["spending_variance_cents"] = out["actual_cost_cents"] - out["flexible_budget_cents"]
    out["total_variance_cents"] = out["actual_cost_cents"] - out["static_budget_cents"]
    for part in ("volume", "spending", "total"):
        out[f"{part}_direction"] = _directions(out[f"{part}_variance_cents"], is_cost=True)
    return out


# --------------------------------------------------------------------------- 2. phasing


def working_days(year: int, holidays: Iterable[dt.date | str | pd.Timestamp] = ()
                 ) -> pd.DataFrame:
    """Working days per month: weekdays (Mon–Fri) less the holidays that fall on a weekday.

    ``working_days_m = #{d in month m : weekday(d) < 5} − #{h in holidays : h in month m of
    year, weekday(h) < 5}``. Holidays of other years and on weekends are ignored; a date given
    twice counts once. (The ``holidays`` package can supply the dates:
    ``holidays.US(years=year).keys()``.)

    Returns
    -------
    pandas.DataFrame
        ``month`` (1–12), ``weekdays``, ``holidays``, ``working_days`` (int64).
    """
    if isinstance(year, bool) or not isinstance(year, Integral) or not 1900 <= year <= 2200:
        raise ParameterError(f"year must be a whole number between 1900 and 2200, got {year!r}")
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    weekdays = pd.Series(days.day_of_week < 5).groupby(days.month).sum()
    off = set()
    for h in holidays:
        try:
            d = pd.Timestamp(h)
        except (ValueError, TypeError):
            raise ParameterError(f"not a holiday date: {h!r}; expected YYYY-MM-DD") from None
        if d.year == year and d.weekday() < 5:
            off.add(d.normalize())
    hol = pd.Series([d.month for d in off], dtype="int64").value_counts()
    out = pd.DataFrame({"month": pd.array(MONTHS, dtype="int64")})
    out["weekdays"] = out["month"].map(weekdays).astype("int64")
    out["holidays"] = out["month"].map(hol).fillna(0).astype("int64")
    out["working_days"] = out["weekdays"] - out["holidays"]
    return out


def seasonal_index(history: pd.DataFrame, value_column: str = "value") -> pd.DataFrame:
    """Seasonal index of a monthly series, normalised so the 12 months average 1.

    ``v_m`` = mean over the years of history of the value in calendar month *m*;
    ``index_m = v_m / ((1/12) Σ_k v_k)``. Every month 1–12 must have history.

    Parameters
    ----------
    history
        ``year``, ``month`` (1–12) and ``value_column`` (≥ 0, e.g. visits or cents); one row per
        year-month.

    Returns
    -------
    pandas.DataFrame
        ``month``, ``years`` (how many years of history), ``mean_value``, ``index`` (float).
    """
    h = _check_frame(history, "history", ["year", "month", value_column],
                     integers=["year", "month"], non_negative=[value_column], month="month",
                     unique=["year", "month"])
    by = h.groupby("month")[value_column].agg(["count", "mean"]).reindex(MONTHS)
    absent = [m for m in MONTHS if pd.isna(by.loc[m, "mean"])]
    if absent:
        raise DataError(f"no history for month(s) {', '.join(map(str, absent))}",
                        file=history.attrs.get("source", "history"), column="month",
                        expected="at least one year of history for each month 1–12")
    mean = by["mean"].mean()
    if mean == 0:
        raise DataError("the history is all zero, so it has no seasonal shape",
                        file=history.attrs.get("source", "history"), column=value_column,
                        expected="some positive values")
    return pd.DataFrame({"month": pd.array(MONTHS, dtype="int64"),
                         "years": by["count"].astype("int64").to_numpy(),
                         "mean_value": by["mean"].to_numpy(),
                         "index": (by["mean"] / mean).to_numpy()})


def _largest_remainder(amount: int, weights: Sequence[Fraction]) -> list[int]:
    total = sum(weights)
    sign, n = (1 if amount >= 0 else -1), abs(amount)
    exact = [n * w / total for w in weights]
    parts = [int(e) for e in exact]  # floor: all non-negative
    short = n - sum(parts)
    # the `short` largest fractional parts get a cent each; ties go to the earlier position
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:short]:
        parts[i] += 1
    return [sign * p for p in parts]


def phase_annual(amount_cents: int, weights: Sequence[float] | pd.Series | None = None
                 ) -> pd.DataFrame:
    """Split an annual amount into 12 whole-cent months summing exactly to it.

    Month *m* gets the exact share ``s_m = |amount| · w_m / Σ w``, floored to the cent; the
    cents still missing (fewer than 12) go one each to the months with the largest fractional
    parts ``s_m − ⌊s_m⌋`` (ties to the earlier month): the largest-remainder (Hamilton) method.
    A negative amount is split as its absolute value and negated, so ``phase(−x) = −phase(x)``.
    Weights are taken as the exact values they hold (a float as its binary fraction).

    Parameters
    ----------
    amount_cents
        The annual amount, whole cents.
    weights
        Twelve non-negative numbers, January first, not all zero: working days, a seasonal
        index, or their product. ``None`` means equal months.

    Returns
    -------
    pandas.DataFrame
        ``month`` (1–12) and ``amount_cents`` (int64); ``amount_cents.sum() == amount_cents``.
    """
    amount = _int(amount_cents, "amount_cents")
    w = [1] * 12 if weights is None else list(weights)
    if len(w) != 12:
        raise ParameterError(f"weights must be 12 numbers (January to December), got {len(w)}")
    fw = [_frac(x, f"weight of month {m}") for m, x in zip(MONTHS, w, strict=True)]
    if any(x < 0 for x in fw) or sum(fw) == 0:
        raise ParameterError(f"weights must be 0 or more and not all 0, got {w!r}")
    return pd.DataFrame({"month": pd.array(MONTHS, dtype="int64"),
                         "amount_cents": pd.array(_largest_remainder(amount, fw),
                                                  dtype="int64")})


def _parse_months(spec: object, name: str) -> list[int]:
    if isinstance(spec, str):
        text = spec.strip().lower()
        if text in ("monthly", "all"):
            return list(MONTHS)
        if text == "quarterly":
            return [1, 4, 7, 10]
        parts = [p.strip() for p in text.split(",") if p.strip()]
        try:
            months = [int(p) for p in parts]
        except ValueError:
            raise ParameterError(f"{name}: not a list of months: {spec!r}; expected e.g. '3', "
                                 "'1,7', 'quarterly' or 'monthly'") from None
    elif isinstance(spec, Integral) and not isinstance(spec, bool):
        months = [int(spec)]
    else:
        months = list(spec)  # type: ignore[call-overload]
    if not months or any(m not in MONTHS for m in months) or len(set(months)) != len(months):
        raise ParameterError(f"{name}: payment months must be distinct numbers 1–12, "
                             f"got {spec!r}")
    return months


def payment_schedule(amount_cents: int, pay_months: int | str | Sequence[int]) -> pd.DataFrame:
    """Place an annual fixed cost in the months it is paid, in equal whole-cent instalments.

    The amount is split equally over ``pay_months`` by :func:`phase_annual` (weights 1 in the
    paid months, 0 elsewhere), so the instalments sum exactly to the amount and earlier months
    take the odd cents.

    Parameters
    ----------
    amount_cents
        Annual amount, whole cents.
    pay_months
        A month (``3``: an annual premium paid in March), a list of months, or text: ``"3"``,
        ``"1,7"``, ``"quarterly"`` (1, 4, 7, 10), ``"monthly"``.

    Returns
    -------
    pandas.DataFrame
        ``month`` (1–12), ``amount_cents`` (0 in months without a payment).
    """
    months = _parse_months(pay_months, "pay_months")
    return phase_annual(amount_cents, [1 if m in months else 0 for m in MONTHS])


def phase_fixed_costs(fixed: pd.DataFrame) -> pd.DataFrame:
    """Fixed costs by account and month from their annual amounts and payment months.

    Parameters
    ----------
    fixed
        ``account``, ``annual_cents`` (whole cents, ≥ 0), ``pay_months`` (as
        :func:`payment_schedule` takes it); one row per account.

    Returns
    -------
    pandas.DataFrame
        ``account, month, amount_cents``: 12 rows per account, in the input's account order.
    """
    f = _check_frame(fixed, "fixed costs", ["account", "annual_cents", "pay_months"],
                     integers=["annual_cents"], non_negative=["annual_cents"],
                     unique=["account"])
    frames = []
    for i, row in f.iterrows():
        try:
            sched = payment_schedule(int(row["annual_cents"]), row["pay_months"])
        except ParameterError as exc:
            raise DataError(str(exc), file=fixed.attrs.get("source", "fixed costs"),
                            row=int(i) + 2, column="pay_months", value=row["pay_months"],
                            expected="e.g. '3', '1,7', 'quarterly' or 'monthly'") from None
        sched.insert(0, "account", row["account"])
        frames.append(sched)
    if not frames:
        return pd.DataFrame({"account": pd.Series(dtype=object),
                             "month": pd.Series(dtype="int64"),
                             "amount_cents": pd.Series(dtype="int64")})
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- 3. break-even


def break_even_visits(fixed_cents: int, net_revenue_per_visit_cents: float,
                      variable_cost_per_visit_cents: float) -> float:
    """Visits needed to cover fixed costs: ``fixed / (net revenue per visit − variable cost per
    visit)``, the fixed costs over the contribution margin per visit.

    Returns the exact quotient as a float (round it up to plan whole visits).

    Raises
    ------
    ParameterError
        Negative fixed costs, or a contribution margin of 0 or less (no number of visits then
        covers the fixed costs).
    """
    fixed = _frac(fixed_cents, "fixed_cents")
    if fixed < 0:
        raise ParameterError(f"fixed_cents must be 0 or more, got {fixed_cents!r}")
    margin = (_frac(net_revenue_per_visit_cents, "net_revenue_per_visit_cents")
              - _frac(variable_cost_per_visit_cents, "variable_cost_per_visit_cents"))
    if margin <= 0:
        raise ParameterError(
            f"contribution margin per visit is {float(margin):g} cents (net revenue per visit "
            f"{float(net_revenue_per_visit_cents):g} − variable cost per visit "
            f"{float(variable_cost_per_visit_cents):g}); break-even needs it above 0: each visit "
            "must earn more than it costs")
    return float(fixed / margin)


def break_even_visits_per_provider_day(fixed_cents: int, net_revenue_per_visit_cents: float,
                                       variable_cost_per_visit_cents: float,
                                       provider_days: float) -> float:
    """Break-even visits per provider day: :func:`break_even_visits` ÷ ``provider_days``
    (provider days worked in the same period as ``fixed_cents``, e.g. a month)."""
    days = _frac(provider_days, "provider_days")
    if days <= 0:
        raise ParameterError(f"provider_days must be above 0, got {provider_days!r}")
    return break_even_visits(fixed_cents, net_revenue_per_visit_cents,
                             variable_cost_per_visit_cents) / float(days)


def operating_margin(revenue_cents: int, operating_expense_cents: int) -> float:
    """Operating margin ``(revenue − operating expense) / revenue`` as a fraction (0.12 = 12 %).

    Raises ParameterError when revenue is 0 or less (the ratio is then meaningless).
    """
    rev = _frac(revenue_cents, "revenue_cents")
    if rev <= 0:
        raise ParameterError(f"revenue_cents must be above 0 for a margin, got {revenue_cents!r}")
    return float((rev - _frac(operating_expense_cents, "operating_expense_cents")) / rev)


def overhead_ratio(overhead_cents: int, revenue_cents: int) -> float:
    """Overhead ratio ``overhead / revenue`` as a fraction (0.6 = 60 % of revenue).

    Raises ParameterError when revenue is 0 or less or overhead is negative.
    """
    rev = _frac(revenue_cents, "revenue_cents")
    if rev <= 0:
        raise ParameterError(f"revenue_cents must be above 0 for a ratio, got {revenue_cents!r}")
    over = _frac(overhead_cents, "overhead_cents")
    if over < 0:
        raise ParameterError(f"overhead_cents must be 0 or more, got {overhead_cents!r}")
    return float(over / rev)


# --------------------------------------------------------------------------- 4. materiality


def materiality_flags(lines: pd.DataFrame, min_cents: int, min_pct: float) -> pd.DataFrame:
    """Flag budget lines whose variance is material in both cents and percent.

    ``Δ = actual_cents − budget_cents``; ``Δ% = 100 · Δ / |budget_cents|`` (NaN when the budget
    is 0 and Δ is 0; ±inf when the budget is 0 and Δ is not); ``material = Δ ≠ 0 and
    |Δ| ≥ min_cents and |Δ%| ≥ min_pct``.

    Parameters
    ----------
    lines
        ``account``, ``month`` (1–12; leave the column out for year-to-date lines), ``kind``
        (``"revenue"`` or ``"cost"``), ``budget_cents``, ``actual_cents`` (whole cents); one row
        per account-month (or per account).
    min_cents
        Threshold X on ``|Δ|``, whole cents ≥ 0.
    min_pct
        Threshold Y on ``|Δ%|``, in percent (5 means 5 %), ≥ 0.

    Returns
    -------
    pandas.DataFrame
        The lines with ``variance_cents``, ``variance_pct``, ``direction`` and ``material``.
    """
    x = _int(min_cents, "min_cents")
    y = _frac(min_pct, "min_pct")
    if x < 0 or y < 0:
        raise ParameterError(f"min_cents and min_pct must be 0 or more, got {min_cents!r} and "
                             f"{min_pct!r}")
    by_month = "month" in lines.columns
    keys = ["account", "month"] if by_month else ["account"]
    out = _check_frame(lines, "budget lines", [*keys, "kind", "budget_cents", "actual_cents"],
                       integers=[*keys[1:], "budget_cents", "actual_cents"],
                       month="month" if by_month else None, unique=keys)
    bad = ~out["kind"].isin(["revenue", "cost"]).to_numpy()
    if bad.any():
        raise rows_error(out, bad, "budget lines", "kind", "kind is neither revenue nor cost",
                         "'revenue' or 'cost'")
    delta = out["actual_cents"] - out["budget_cents"]
    out["variance_cents"] = delta.astype("int64")
    base = out["budget_cents"].abs().astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["variance_pct"] = 100.0 * delta.astype("float64") / base
    out["direction"] = [direction(int(d), is_cost=k == "cost")
                        for d, k in zip(delta, out["kind"], strict=True)]
    # compare |Δ|·100 ≥ Y·|budget| exactly instead of through the rounded float percent; no
    # variance is never material, whatever the thresholds
    pct_ok = [d != 0 and abs(int(d)) * 100 >= y * abs(int(b))
              for d, b in zip(delta, out["budget_cents"], strict=True)]
    out["material"] = (delta.abs() >= x).to_numpy() & np.asarray(pct_ok, dtype=bool)
    return out


# --------------------------------------------------------------------------- 5. budget build


def _pct(x: object, name: str) -> Fraction:
    """A percentage (5 means 5 %) as an exact fraction of 1. A float is read as the decimal it
    prints as (``0.1`` → 1/1000), not its binary value, so ``2.5`` % of 200 is exactly 5."""
    if isinstance(x, bool) or not isinstance(x, Real) or not np.isfinite(float(x)):
        raise ParameterError(f"{name} must be a finite number of percent, got {x!r}")
    value = Fraction(x) if isinstance(x, (Integral, Fraction)) else Fraction(repr(float(x)))
    return value / 100


def _twelve(values: object, name: str, *, column: str | None = None) -> list[Fraction]:
    """Twelve finite numbers, January first, from a sequence or a table's ``column``."""
    if isinstance(values, pd.DataFrame):
        if column is None or column not in values.columns:
            raise ParameterError(f"{name}: the table lacks a {column!r} column")
        values = values[column]
    seq = list(values)  # type: ignore[call-overload]
    if len(seq) != 12:
        raise ParameterError(f"{name} must be 12 numbers (January to December), got {len(seq)}")
    return [_frac(v, f"{name} of month {m}") for m, v in zip(MONTHS, seq, strict=True)]


def phasing_weights(working_days: Sequence[float] | pd.Series | pd.DataFrame,
                    seasonal_index: Sequence[float] | pd.Series | pd.DataFrame) -> pd.Series:
    """Monthly phasing weights: working days × seasonal index, normalised to sum to 1.

    ``w_m = d_m · s_m / Σ_k d_k · s_k`` with ``d_m`` the working days and ``s_m`` the seasonal
    index of month *m*. Pass the result to :func:`phase_annual` (which normalises again, so the
    float rounding of ``w_m`` moves no cent beyond the largest-remainder step).

    Parameters
    ----------
    working_days
        Twelve counts ≥ 0, January first, or the table :func:`working_days` returns (its
        ``working_days`` column is used).
    seasonal_index
        Twelve numbers ≥ 0, or the table :func:`seasonal_index` returns (``index`` column).

    Returns
    -------
    pandas.Series
        Twelve float weights indexed by month 1–12, named ``weight``; they sum to 1.

    Raises
    ------
    ParameterError
        Not 12 values, a negative or non-finite value, or every product 0.
    """
    d = _twelve(working_days, "working_days", column="working_days")
    s = _twelve(seasonal_index, "seasonal_index", column="index")
    if any(x < 0 for x in d + s):
        raise ParameterError("working days and seasonal index must be 0 or more")
    prod = [a * b for a, b in zip(d, s, strict=True)]
    total = sum(prod)
    if total == 0:
        raise ParameterError("working days × seasonal index is 0 in every month: no weights")
    return pd.Series([float(p / total) for p in prod], index=pd.Index(MONTHS, name="month"),
                     name="weight")


def _by_class(values: object, name: str) -> dict[object, object]:
    if isinstance(values, pd.Series):
        values = values.to_dict()
    if not isinstance(values, dict) or not values:
        raise ParameterError(f"{name} must be a non-empty mapping payer class → value, "
                             f"got {type(values).__name__}")
    return dict(values)


def build_revenue(visits_by_class: dict[str, int] | pd.Series,
                  net_revenue_per_visit_cents: dict[str, float] | pd.Series | float,
                  growth_pct: float = 0,
                  rate_change_pct_by_class: dict[str, float] | None = None) -> pd.DataFrame:
    """Annual revenue budget per payer class: visits grown, net rate changed, revenue exact.

    For payer class *c* with prior annual visits ``v_c``, net revenue per visit ``r_c`` (cents),
    volume growth ``g`` and rate change ``k_c`` (both percent):

    * ``budget_visits_c = round(v_c · (1 + g/100))`` to a whole visit;
    * ``budget_rate_cents_c = round(r_c · (1 + k_c/100))`` to a whole cent;
    * ``budget_revenue_cents_c = budget_visits_c · budget_rate_cents_c`` (exact).

    Both roundings are half away from zero and are the only ones: the total revenue is the exact
    sum of the class revenues, and the result can be the budget side of
    :func:`revenue_variance`. Percentages given as floats are read as the decimals they print
    as (``2.5`` is exactly 2.5 %).

    Parameters
    ----------
    visits_by_class
        Prior annual visits per payer class (whole, ≥ 0), as a mapping or Series.
    net_revenue_per_visit_cents
        Net revenue per visit in cents, per class (a mapping with every class) or one number
        for all classes.
    growth_pct
        Volume growth in percent for every class (5 means +5 %, −3 means −3 %).
    rate_change_pct_by_class
        Rate change in percent per class; a class not named keeps its rate.

    Returns
    -------
    pandas.DataFrame
        ``payer, prior_visits, budget_visits, budget_rate_cents, budget_revenue_cents`` (int64),
        one row per class in the input order.

    Raises
    ------
    ParameterError
        Visits negative or not whole, a class without a rate, a rate change for an unknown
        class, a growth or rate change below −100 %, or a non-finite number.
    """
    visits = _by_class(visits_by_class, "visits_by_class")
    if isinstance(net_revenue_per_visit_cents, (dict, pd.Series)):
        rates = _by_class(net_revenue_per_visit_cents, "net_revenue_per_visit_cents")
    else:
        rates = {c: net_revenue_per_visit_cents for c in visits}
    changes = _by_class(rate_change_pct_by_class, "rate_change_pct_by_class") \
        if rate_change_pct_by_class else {}
    unknown = [str(c) for c in list(changes) if c not in visits]
    if unknown:
        raise ParameterError(f"rate change given for unknown payer class(es) "
                             f"{', '.join(unknown)}; the classes are "
                             f"{', '.join(map(str, visits))}")
    no_rate = [str(c) for c in visits if c not in rates]
    if no_rate:
        raise ParameterError(f"no net revenue per visit for payer class(es) "
                             f"{', '.join(no_rate)}")
    g = _pct(growth_pct, "growth_pct")
    if g < -1:
        raise ParameterError(f"growth_pct must be −100 or more, got {growth_pct!r}")
    rows = []
    for c, v in visits.items():
        if isinstance(v, bool) or not isinstance(v, Integral) or v < 0:
            raise ParameterError(f"visits of payer class {c!r} must be a whole number ≥ 0, "
                                 f"got {v!r}")
        k = _pct(changes.get(c, 0), f"rate change of payer class {c!r}")
        if k < -1:
            raise ParameterError(f"rate change of payer class {c!r} must be −100 or more")
        bv = round_half_away(int(v) * (1 + g))
        br = round_half_away(_frac(rates[c], f"net revenue per visit of {c!r}") * (1 + k))
        rows.append((c, int(v), bv, br, bv * br))
    out = pd.DataFrame(rows, columns=["payer", "prior_visits", "budget_visits",
                                      "budget_rate_cents", "budget_revenue_cents"])
    for col in out.columns[1:]:
        out[col] = out[col].astype("int64")
    return out


BEHAVIOURS = ("fixed", "variable per visit", "step per provider FTE")


WAGE_CATEGORIES = ("provider compensation", "staff salaries")
"""Chart-of-accounts categories that are wages: they get the wage increase and carry benefits."""


def build_expenses(accounts: pd.DataFrame, *, visits: int, base_visits: int,
                   provider_fte: float, base_provider_fte: float, wage_increase_pct: float,
                   benefits_load_pct: float, inflation_pct_by_category: dict[str, float],
                   wage_categories: Iterable[str] = WAGE_CATEGORIES) -> pd.DataFrame:
    """Annual expense budget per account: the base year's amount flexed by its cost behaviour,
    then increased.

    The base of account *a* from its base-year amount ``x_a`` by its ``behaviour``:

    * ``"fixed"``: ``base = x_a``;
    * ``"variable per visit"``: ``base = x_a · visits / base_visits`` (the base year's cost per
      visit times the budget visits);
    * ``"step per provider FTE"``: ``base = x_a · provider_fte / base_provider_fte``.

    Then the increase: an account in a wage category gets ``after = base · (1 + w)`` and
    ``benefits = after · b`` (wage increase ``w``, benefits load ``b``); every other account gets
    its category's inflation, ``after = base · (1 + i_category)``, and no benefits.
    ``budget = after + benefits``.

    Rounding: ``base_cents``, ``after`` and ``benefits_cents`` are each the exact value rounded
    once to the cent (half away from zero); ``budget_cents = after + benefits_cents`` and
    ``increase_cents = after − base_cents``, so each row adds up exactly, the wages without
    their benefits are ``budget_cents − benefits_cents`` exactly, and the budget total is the
    exact sum of ``budget_cents``. Percentages given as floats are read as the decimals they
    print as.

    Parameters
    ----------
    accounts
        ``account``, ``category``, ``behaviour`` (one of the three above), ``amount_cents``
        (the base year's amount, whole cents ≥ 0); one row per account.
    visits, base_visits
        Budget and base-year visits (whole, ≥ 0; ``base_visits`` > 0 when an account varies
        per visit).
    provider_fte, base_provider_fte
        Budget and base-year provider FTE (≥ 0; ``base_provider_fte`` > 0 when an account
        steps with FTE; a ramped provider counts the mean of :func:`provider_ramp`'s ``fte``).
    wage_increase_pct, benefits_load_pct
        Percent (3 means 3 %).
    inflation_pct_by_category
        Percent per category; every non-wage category must be named (0 for none).
    wage_categories
        The categories treated as wages.

    Returns
    -------
    pandas.DataFrame
        ``account, category, behaviour, base_cents, increase_cents, benefits_cents,
        budget_cents`` (cents int64).
    """
    a = _check_frame(accounts, "accounts", ["account", "category", "behaviour", "amount_cents"],
                     integers=["amount_cents"], non_negative=["amount_cents"],
                     unique=["account"])
    bad = ~a["behaviour"].isin(BEHAVIOURS).to_numpy()
    if bad.any():
        raise rows_error(a, bad, "accounts", "behaviour", "unknown cost behaviour",
                         "'fixed', 'variable per visit' or 'step per provider FTE'")
    n_visits, n_base = _int(visits, "visits"), _int(base_visits, "base_visits")
    fte, base_fte = _frac(provider_fte, "provider_fte"), _frac(base_provider_fte,
                                                               "base_provider_fte")
    if min(n_visits, n_base) < 0 or min(fte, base_fte) < 0:
        raise ParameterError("visits and provider FTE must be 0 or more, got "
                             f"{visits!r}/{base_visits!r} and {provider_fte!r}/"
                             f"{base_provider_fte!r}")
    behaviours = set(a["behaviour"])
    if "variable per visit" in behaviours and n_base == 0:
        raise ParameterError("base_visits is 0, so a cost per visit cannot be read from the "
                             "base year")
    if "step per provider FTE" in behaviours and base_fte == 0:
        raise ParameterError("base_provider_fte is 0, so a cost per provider FTE cannot be "
                             "read from the base year")
    w = _pct(wage_increase_pct, "wage_increase_pct")
    b = _pct(benefits_load_pct, "benefits_load_pct")
    infl = {k: _pct(v, f"inflation of {k!r}") for k, v in inflation_pct_by_category.items()}
    wages = set(wage_categories)
    missing = sorted({str(c) for c in a["category"] if c not in wages and c not in infl})
    if missing:
        raise ParameterError(f"no inflation given for expense category(ies) "
                             f"{', '.join(missing)}; add them to the inflation parameter "
                             "(0 for none)")
    driver = {"fixed": Fraction(1),
              "variable per visit": Fraction(n_visits, n_base) if n_base else Fraction(0),
              "step per provider FTE": fte / base_fte if base_fte else Fraction(0)}
    rows = []
    for _, r in a.iterrows():
        base = int(r["amount_cents"]) * driver[r["behaviour"]]
        if r["category"] in wages:
            after = base * (1 + w)
            benefits = after * b
        else:
            after, benefits = base * (1 + infl[r["category"]]), Fraction(0)
        base_c, after_c, ben_c = (round_half_away(base), round_half_away(after),
                                  round_half_away(benefits))
        rows.append((r["account"], r["category"], r["behaviour"], base_c, after_c - base_c,
                     ben_c, after_c + ben_c))
    out = pd.DataFrame(rows, columns=["account", "category", "behaviour", "base_cents",
                                      "increase_cents", "benefits_cents", "budget_cents"])
    for col in out.columns[3:]:
        out[col] = out[col].astype("int64")
    return out


def provider_ramp(start_month: int, ramp_months: int, fte: float = 1.0) -> pd.DataFrame:
    """Monthly FTE of a new provider who starts in ``start_month`` and ramps up linearly.

    With ``R = ramp_months``, the provider's *k*-th month (``k = 1`` is ``start_month``) is at
    productivity ``p_k = min(1, k / (R + 1))``: ``R = 3`` gives 25 %, 50 %, 75 %, then 100 %
    from the fourth month; ``R = 0`` is full productivity from the start. Months before the start
    are 0; a ramp still running in December is cut there. ``fte_m = fte · p_m``.

    Returns
    -------
    pandas.DataFrame
        ``month`` (1–12), ``productivity`` and ``fte`` (floats); the mean of ``fte`` is the
        provider's FTE for the year.
    """
    start = _int(start_month, "start_month")
    ramp = _int(ramp_months, "ramp_months")
    full = _frac(fte, "fte")
    if start not in MONTHS or ramp < 0 or full < 0:
        raise ParameterError(f"start_month must be 1–12, ramp_months ≥ 0 and fte ≥ 0, got "
                             f"{start_month!r}, {ramp_months!r}, {fte!r}")
    prod = [Fraction(0) if m < start else min(Fraction(1), Fraction(m - start + 1, ramp + 1))
            for m in MONTHS]
    return pd.DataFrame({"month": pd.array(MONTHS, dtype="int64"),
                         "productivity": [float(p) for p in prod],
                         "fte": [float(p * full) for p in prod]})


# --------------------------------------------------------------------------- 6. forecast


def full_year_forecast(actual_by_month: Sequence[int] | pd.Series,
                       budget_by_month: Sequence[int] | pd.Series,
                       through_month: int) -> pd.DataFrame:
    """Full-year forecast after ``through_month`` months: actual to date plus remaining budget,
    and the run-rate alternative.

    With ``t = through_month``, ``YTD = Σ_{m ≤ t} actual_m`` and ``budget_m`` the monthly budget:

    * ``forecast = YTD + Σ_{m > t} budget_m`` (exact: whole cents added);
    * ``run_rate = YTD · 12 / t``, rounded once to the cent (half away from zero);
    * the variances ``forecast − budget`` and ``run_rate − budget`` against the full-year
      budget ``Σ budget_m``.

    Parameters
    ----------
    actual_by_month
        Monthly actuals in whole cents, January first; only the first ``t`` are used (later
        entries may be missing or NaN).
    budget_by_month
        Twelve monthly budget amounts in whole cents (e.g. from :func:`phase_annual`).
    through_month
        The last month with actuals, 1–12.

    Returns
    -------
    pandas.DataFrame
        Rows ``actual_to_date``, ``budget_to_date``, ``budget_remaining``,
        ``budget_full_year``, ``forecast``, ``run_rate``, ``forecast_variance``,
        ``run_rate_variance``, with columns ``line`` and ``cents`` (int64).
    """
    t = _int(through_month, "through_month")
    if t not in MONTHS:
        raise ParameterError(f"through_month must be 1–12, got {through_month!r}")
    budget_in = list(budget_by_month)
    if len(budget_in) != 12:
        raise ParameterError(f"budget_by_month must be 12 amounts, got {len(budget_in)}")
    budget = [_int(v, f"budget of month {m}") for m, v in zip(MONTHS, budget_in, strict=True)]
    actual_in = list(actual_by_month)
    if len(actual_in) < t:
        raise ParameterError(f"actual_by_month has {len(actual_in)} months, fewer than "
                             f"through_month = {t}")
    actual = [_int(v, f"actual of month {m}") for m, v in zip(MONTHS, actual_in[:t], strict=False)]
    ytd = sum(actual)
    to_date, remaining = sum(budget[:t]), sum(budget[t:])
    full = to_date + remaining
    forecast = ytd + remaining
    run_rate = round_half_away(Fraction(ytd * 12, t))
    return pd.DataFrame({
        "line": ["actual_to_date", "budget_to_date", "budget_remaining", "budget_full_year",
                 "forecast", "run_rate", "forecast_variance", "run_rate_variance"],
        "cents": pd.array([ytd, to_date, remaining, full, forecast, run_rate, forecast - full,
                           run_rate - full], dtype="int64"),
    })


# --------------------------------------------------------------------------- 7. by payer class


def _apportion(target: int, exact: Sequence[Fraction]) -> list[int]:
    """Whole cents ``n_i`` with ``Σ n_i = target`` and ``|n_i − x_i| < 1``, for a target within
    half a cent of ``Σ x_i``: floor each, then one cent each to the largest fractional parts
    (ties to the earlier position)."""
    floors = [x.numerator // x.denominator for x in exact]
    short = target - sum(floors)
    if not 0 <= short <= len(exact):
        raise AssertionError("target is not the rounded sum")  # pragma: no cover
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return floors


def revenue_variance_by_class(payers: pd.DataFrame) -> pd.DataFrame:
    """The volume, mix and rate variances of :func:`revenue_variance`, per payer class.

    With the notation of :func:`revenue_variance` (``bv_c``, ``av_c`` budget and actual visits
    of class *c*, ``V_b``, ``V_a`` their totals, ``m_b``, ``m_a`` the mixes, ``r_b``, ``r_a`` the
    rates), the exact parts of class *c* are

    * volume ``(V_a − V_b) · m_b(c) · r_b(c)``;
    * mix ``V_a · (m_a(c) − m_b(c)) · r_b(c) = (av_c − V_a · bv_c / V_b) · r_b(c)``;
    * rate ``A_c − av_c · r_b(c)`` (whole cents; ``A_c = av_c · r_a(c)`` is the class's actual
      revenue, given or computed);
    * total ``A_c − bv_c · r_b(c)`` (whole cents) = volume + mix + rate.

    Summed over the classes they give the totals of :func:`revenue_variance`. The volume and
    mix totals there are rounded once; here they are apportioned to the classes by the largest
    remainder (each class within a cent of its exact part), so the class columns sum *exactly*
    to :func:`revenue_variance`'s ``volume`` and ``mix`` lines. ``rounding_cents = total −
    (volume + mix + rate)`` per class (−1, 0 or +1 cent) sums to its ``rounding`` line.

    Parameters
    ----------
    payers
        As for :func:`revenue_variance`.

    Returns
    -------
    pandas.DataFrame
        ``payer, volume_cents, mix_cents, rate_cents, rounding_cents, total_cents`` (int64) and
        ``direction`` (of the class total), one row per class in the input order.
    """
    totals = _lines_of(revenue_variance(payers))  # validates the table as well
    p, bv, av, rb, actual = _payer_table(payers)
    v_b, v_a = sum(bv), sum(av)
    exact_volume = [Fraction((v_a - v_b) * b * r, v_b) for b, r in zip(bv, rb, strict=True)]
    exact_mix = [(a - Fraction(v_a * b, v_b)) * r for a, b, r in zip(av, bv, rb, strict=True)]
    volume = _apportion(totals["volume"], exact_volume)
    mix = _apportion(totals["mix"], exact_mix)
    rate = [x - a * r for a, x, r in zip(av, actual, rb, strict=True)]
    total = [x - b * r for x, b, r in zip(actual, bv, rb, strict=True)]
    rounding = [tt - (v + m + r) for tt, v, m, r in zip(total, volume, mix, rate, strict=True)]
    out = pd.DataFrame({"payer": p["payer"]})
    for name, values in (("volume", volume), ("mix", mix), ("rate", rate),
                         ("rounding", rounding), ("total", total)):
        out[f"{name}_cents"] = pd.array(values, dtype="int64")
    out["direction"] = _directions(total, is_cost=False)
    return out


def _lines_of(frame: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in zip(frame["line"], frame["variance_cents"], strict=True)}


# --------------------------------------------------------------------------- 8. the books

REVENUE, BENEFITS = "revenue", "benefits"
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DECLARED = PARAMETERS.defaults()  # the report's parameters' defaults: the model's too
PRACTICE_HOLIDAYS: tuple[str, ...] = tuple(_DECLARED["holiday_names"])
"""The holidays most practices close for (the ``holidays`` package's names): the report's
``holiday_names`` default."""


def _period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _periods_between(first: str, last: str) -> list[str]:
    """Every month YYYY-MM from ``first`` to ``last``, both included."""
    k0 = int(first[:4]) * 12 + int(first[5:]) - 1
    k1 = int(last[:4]) * 12 + int(last[5:]) - 1
    return [_period(k // 12, k % 12 + 1) for k in range(k0, k1 + 1)]


def _split_periods(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Add ``year`` and ``month`` (ints) from the ``period`` text YYYY-MM, refusing other text."""
    text = frame["period"].astype("string")
    parts = text.str.extract(r"^(\d{4})-(0[1-9]|1[0-2])$")
    bad = parts[0].isna().to_numpy()
    if bad.any():
        raise rows_error(frame, bad, dataset, "period", "not a month", "YYYY-MM, e.g. 2025-03")
    frame = frame.copy()
    # row messages name the file's header ("month") for the text column
    headers = dict(frame.attrs.get("headers", {}))
    headers["period"] = headers.get("month", "month")
    frame.attrs["headers"] = headers
    frame["year"] = parts[0].astype("int64").to_numpy()
    frame["month"] = parts[1].astype("int64").to_numpy()
    return frame


@dataclass
class Books:
    """The practice's books as the budget reads them, checked against each other.

    Attributes
    ----------
    chart
        ``account, name, category, behaviour, payer_class, pay_months`` and ``kind``
        (``"revenue"`` or ``"cost"``), in the chart's order.
    ledger
        ``period`` (YYYY-MM), ``year``, ``month``, ``account``, ``amount_cents``.
    volumes
        ``period``, ``year``, ``month``, ``payer_class``, ``visits``, ``wrvus``,
        ``provider_fte``.
    classes
        The payer classes, in the order of the chart's revenue accounts.
    periods
        Every month of the ledger, first to last (no gaps).
    """

    chart: pd.DataFrame
    ledger: pd.DataFrame
    volumes: pd.DataFrame
    classes: list[str]
    periods: list[str]

    @property
    def closed_through(self) -> str:
        """The last month of the ledger (the books are closed through it)."""
        return self.periods[-1]

    def month_total(self, accounts: Iterable[str], periods: Iterable[str]) -> int:
        """Ledger total of ``accounts`` over ``periods``, cents."""
        g = self.ledger
        return int(g.loc[g["account"].isin(list(accounts)) & g["period"].isin(list(periods)),
                         "amount_cents"].sum())


def read_books(gl_actuals: pd.DataFrame, chart_of_accounts: pd.DataFrame,
               volumes: pd.DataFrame) -> Books:
    """Check the ledger, the chart of accounts and the volumes against each other.

    Refused, with a :class:`DataError` naming the file, the rows, the column and the fix: a
    ledger account missing from the chart, revenue with the wrong sign (negative), duplicate
    account-month rows, a month that is not YYYY-MM, a month of the ledger with no rows at all
    (a gap), a ledger month without volumes, and volumes of a payer class no revenue account
    books.

    Parameters
    ----------
    gl_actuals, chart_of_accounts, volumes
        The datasets as :func:`pracops.data.load` returns them (``month`` as YYYY-MM text).
    """
    for frame, name, cols in (
        (chart_of_accounts, "chart_of_accounts", ["account", "name", "category", "behaviour"]),
        (gl_actuals, "gl_actuals", ["month", "account", "amount_cents"]),
        (volumes, "volumes", ["month", "payer_class", "visits", "provider_fte"]),
    ):
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise DataError(f"the {name} table lacks column(s) {', '.join(missing)}",
                            file=frame.attrs.get("source", name),
                            expected="columns " + ", ".join(cols))
    chart = chart_of_accounts.copy()
    for col in ("payer_class", "pay_months"):
        if col not in chart.columns:
            chart[col] = pd.NA
    chart["kind"] = np.where(chart["category"] == REVENUE, "revenue", "cost")
    patient = (chart["kind"] == "revenue") & (chart["behaviour"] == "variable per visit")
    bad = ((chart["kind"] == "revenue") & ~chart["behaviour"].isin(
        ["variable per visit", "fixed"])).to_numpy()
    if bad.any():
        raise rows_error(chart, bad, "chart_of_accounts", "behaviour",
                         "revenue that is neither per visit nor fixed",
                         "'variable per visit' (patient revenue) or 'fixed' (other revenue)")
    bad = (patient & chart["payer_class"].isna()).to_numpy()
    if bad.any():
        raise rows_error(chart, bad, "chart_of_accounts", "payer_class",
                         "revenue account without a payer class",
                         "the payer class whose revenue the account books",
                         "fill payer_class (Medicare, Medicaid, Commercial, Self-pay, …), or "
                         "make revenue that does not come with visits 'fixed'")
    classes = list(dict.fromkeys(chart.loc[patient, "payer_class"]))
    if not classes:
        raise DataError("the chart of accounts has no patient revenue account",
                        file=chart.attrs.get("source", "chart_of_accounts"), column="category",
                        expected="at least one account of category 'revenue' that varies per "
                                 "visit")

    for frame, name in ((gl_actuals, "gl_actuals"), (volumes, "volumes"),
                        (chart_of_accounts, "chart_of_accounts")):
        if frame.empty:
            raise DataError(f"the {name} table has no rows", file=frame.attrs.get("source", name),
                            fix=f"export the {name.replace('_', ' ')} with at least a year of "
                                "months")
    gl = _split_periods(gl_actuals.rename(columns={"month": "period"}), "gl_actuals")
    unknown = (~gl["account"].isin(chart["account"])).to_numpy()
    if unknown.any():
        raise rows_error(gl, unknown, "gl_actuals", "account",
                         "account not in the chart of accounts", "an account of the chart",
                         "add the account to chart_of_accounts (with its category and "
                         "behaviour) or correct the account number")
    dup = gl.duplicated(["period", "account"], keep=False).to_numpy()
    if dup.any():
        raise rows_error(gl, dup, "gl_actuals", "account", "duplicate account-month rows",
                         "one row per account and month",
                         "sum the rows of the same account and month into one")
    kind = gl["account"].map(dict(zip(chart["account"], chart["kind"], strict=True)))
    negative = ((kind == "revenue") & (gl["amount_cents"] < 0)).to_numpy()
    if negative.any():
        raise rows_error(gl, negative, "gl_actuals", "amount_cents",
                         "revenue with the wrong sign (negative)", "revenue as a positive amount",
                         "export the ledger as a profit and loss: revenue and expenses both "
                         "positive (a ledger's credit balances are negative: flip their sign)")
    first, last = gl["period"].min(), gl["period"].max()
    periods = _periods_between(first, last)
    gaps = sorted(set(periods) - set(gl["period"]))
    if gaps:
        raise DataError(f"the ledger has no rows for {', '.join(gaps)}, between its first "
                        f"month {first} and its last {last}",
                        file=gl.attrs.get("source", "gl_actuals"), column="month",
                        expected="every month from the first to the last",
                        fix="export every closed month")

    vol = _split_periods(volumes.rename(columns={"month": "period"}), "volumes")
    if "wrvus" not in vol.columns:
        vol["wrvus"] = np.nan
    stray = (~vol["payer_class"].isin(classes)).to_numpy()
    if stray.any():
        raise rows_error(vol, stray, "volumes", "payer_class",
                         "payer class without a revenue account",
                         "one of " + ", ".join(map(str, classes)),
                         "add a revenue account for the class to the chart of accounts or "
                         "correct the class")
    no_volumes = sorted(set(periods) - set(vol["period"]))
    if no_volumes:
        raise DataError(f"no volumes for {', '.join(no_volumes)}, months the ledger has",
                        file=vol.attrs.get("source", "volumes"), column="month",
                        expected="visits for every month of the ledger",
                        fix="export the visits of those months")
    # ledger and volumes keep the loaded index: later row messages name the file's rows
    return Books(chart=chart.reset_index(drop=True), ledger=gl, volumes=vol,
                 classes=[str(c) for c in classes], periods=periods)


# --------------------------------------------------------------------------- 9. the budget


@dataclass(frozen=True)
class NewProvider:
    """A provider joining in the budget year: ``fte`` at full productivity, reached after
    ``ramp_months`` (see :func:`provider_ramp`)."""

    name: str
    start_month: int
    ramp_months: int = 3
    fte: float = 1.0


@dataclass(frozen=True)
class Assumptions:
    """What the budget assumes about the budget year (percent: 3 means 3 %).

    The attributes are named as the report's parameters (:mod:`pracops.budget.parameters`)
    and default to their declared defaults (``budget_year`` has none: the chain works it out
    from the books when the parameter is ``None``).

    Attributes
    ----------
    budget_year
        The budget year.
    visit_growth_pct
        Visit growth over the base year, every payer class.
    payer_mix_pct
        Target share of visits per payer class (percent, summing to 100); empty: the base
        year's mix.
    rate_change_pct
        Change in net revenue per visit per payer class; a class not named keeps its rate.
    wage_increase_pct
        Wage increase of the wage categories (:data:`WAGE_CATEGORIES`).
    benefits_load_pct
        Benefits as a percent of wages; ``None``: the base year's ratio.
    inflation_pct
        Price increase per expense category other than wages and benefits.
    other_revenue_change_pct
        Change of the fixed (other) revenue accounts: grants, care-management or capitation
        payments, rent received.
    new_providers
        Providers joining in the year.
    holiday_country, holiday_subdivision, holiday_names
        The ``holidays`` calendar (country code, state; no country: no calendar) and the
        holidays the practice closes for (empty: all of the calendar's).
    closed_dates
        Further days the practice is closed (YYYY-MM-DD).
    """

    budget_year: int
    visit_growth_pct: float = _DECLARED["visit_growth_pct"]
    payer_mix_pct: Mapping[str, float] = field(
        default_factory=lambda: dict(_DECLARED["payer_mix_pct"]))
    rate_change_pct: Mapping[str, float] = field(
        default_factory=lambda: dict(_DECLARED["rate_change_pct"]))
    wage_increase_pct: float = _DECLARED["wage_increase_pct"]
    benefits_load_pct: float | None = _DECLARED["benefits_load_pct"]
    inflation_pct: Mapping[str, float] = field(
        default_factory=lambda: dict(_DECLARED["inflation_pct"]))
    other_revenue_change_pct: float = _DECLARED["other_revenue_change_pct"]
    new_providers: tuple[NewProvider, ...] = ()
    holiday_country: str | None = _DECLARED["holiday_country"]
    holiday_subdivision: str | None = _DECLARED["holiday_subdivision"]
    holiday_names: tuple[str, ...] = tuple(_DECLARED["holiday_names"])
    closed_dates: tuple[str, ...] = tuple(_DECLARED["closed_dates"])

    def holidays(self, year: int) -> list[dt.date]:
        """The weekdays the practice is closed in ``year``: the calendar's holidays it closes
        for (observed dates) and the closed dates."""
        import holidays as calendars

        days: set[dt.date] = set()
        if self.holiday_country:
            days |= self._calendar_days(calendars, year)
        for text in self.closed_dates:
            try:
                d = dt.date.fromisoformat(str(text))
            except ValueError:
                raise ParameterError(f"closed date {text!r} is not YYYY-MM-DD") from None
            if d.year == year:
                days.add(d)
        return sorted(days)

    def _calendar_days(self, calendars: object, year: int) -> set[dt.date]:
        try:
            cal = calendars.country_holidays(self.holiday_country,  # type: ignore[attr-defined]
                                             subdiv=self.holiday_subdivision, years=year)
        except NotImplementedError:
            raise ParameterError(f"the holidays package has no calendar for country "
                                 f"{self.holiday_country!r} (subdivision "
                                 f"{self.holiday_subdivision!r})") from None
        wanted = set(self.holiday_names)
        known = {n for names in cal.values() for n in names.split("; ")}
        unknown = sorted(wanted - known - {f"{n} (observed)" for n in known})
        if unknown:
            raise ParameterError(f"holiday(s) {', '.join(unknown)} not in the "
                                 f"{self.holiday_country} calendar of {year}; its holidays "
                                 f"are {', '.join(sorted(known))}")
        return {d for d, names in cal.items()
                if not wanted or any(n.removesuffix(" (observed)") in wanted
                                     for n in names.split("; "))}


@dataclass
class Budget:
    """A year's operating budget, by account and month.

    Attributes
    ----------
    assumptions
        What it assumes.
    base_periods
        The 12 closed months it is built from.
    phasing
        ``month, working_days, holidays, seasonal_index, weight``.
    visits
        ``payer_class, month, existing, new, visits``: budget visits (whole) per class and month.
    fte
        ``month, existing, new, fte``: provider FTE per month.
    revenue
        Per payer class: ``payer, prior_visits, budget_visits, base_rate_cents,
        budget_rate_cents, budget_revenue_cents``.
    accounts
        Per account: ``account, name, category, behaviour, kind, base_cents, increase_cents,
        benefits_cents, budget_cents`` (annual; for revenue accounts base is the base year's).
    monthly
        ``account, month, budget_cents``: 12 rows per account, summing to ``budget_cents``.
    benefits_load_pct
        The benefits load used (percent of wages).
    """

    assumptions: Assumptions
    base_periods: list[str]
    phasing: pd.DataFrame
    visits: pd.DataFrame
    fte: pd.DataFrame
    revenue: pd.DataFrame
    accounts: pd.DataFrame
    monthly: pd.DataFrame
    benefits_load_pct: float

    @property
    def year(self) -> int:
        """The budget year."""
        return self.assumptions.budget_year

    def total(self, kind: str, months: Iterable[int] = MONTHS) -> int:
        """Budget revenue (``kind="revenue"``) or expense (``"cost"``) over ``months``, cents."""
        kinds = dict(zip(self.accounts["account"], self.accounts["kind"], strict=True))
        m = self.monthly
        sel = m["account"].map(kinds).eq(kind) & m["month"].isin(list(months))
        return int(m.loc[sel, "budget_cents"].sum())

    def table(self) -> pd.DataFrame:
        """Accounts as rows, months as columns (cents) and the year's total, revenue first."""
        wide = self.monthly.pivot(index="account", columns="month", values="budget_cents")
        wide.columns = list(MONTH_NAMES)
        wide = wide.reindex(self.accounts["account"])
        wide["Total"] = wide.sum(axis=1)
        info = self.accounts.set_index("account")[["name", "category", "kind"]]
        return info.join(wide).reset_index()


def _apportion_by(amount: int, weights: Sequence[object]) -> list[int]:
    """``amount`` split by non-negative ``weights`` to whole units summing to it (largest
    remainder); equal parts when every weight is 0."""
    w = [Fraction(x) if not isinstance(x, Fraction) else x for x in weights]  # type: ignore[arg-type]
    if not w:
        return []
    if sum(w) == 0:
        w = [Fraction(1)] * len(w)
    return _largest_remainder(amount, w)


def _base_periods(books: Books, year: int) -> list[str]:
    last = min(_period(year - 1, 12), books.closed_through)
    y, m = int(last[:4]), int(last[5:])
    first = _period(y - 1, m + 1) if m < 12 else _period(y, 1)
    periods = _periods_between(first, last)
    missing = [p for p in periods if p not in books.periods]
    if missing:
        raise DataError(f"the budget for {year} is built from the 12 closed months before it "
                        f"({first} to {last}), but the ledger starts in {books.periods[0]}",
                        file=books.ledger.attrs.get("source", "gl_actuals"), column="month",
                        expected=f"the ledger of {first} to {last}",
                        fix="export more history or choose a later budget year")
    return periods


def build_budget(books: Books, assumptions: Assumptions) -> Budget:
    """The year's budget from the base year's books and the assumptions, by account and month.

    The chain, each step exact to the cent:

    1. **Base** (:func:`_base_year`). The 12 closed months before the budget year (or, when the
       year before is not closed yet, the last 12 closed months): annual amount per account,
       visits and revenue per payer class (net revenue per visit = revenue ÷ visits, exact),
       mean provider FTE.
    2. **Visits and rates** (:func:`build_revenue`): visits annualised to the provider FTE of
       the base year's last month (``× FTE_last / FTE_mean``: a provider who joined during the
       base year works the whole budget year) and grown by ``visit_growth_pct``, rates changed
       by ``rate_change_pct``, rounded to whole visits and cents; with
       ``payer_mix_pct`` the grown total is redistributed to the target mix (largest
       remainder).
    3. **Phasing** (:func:`phasing_weights`): working days of each month of the budget year
       (holidays out, :func:`working_days`) × a seasonal index of visits per provider-FTE
       working day in the base year (:func:`seasonal_index`; an FTE change is not a season);
       each class's visits are phased by it
       (:func:`phase_annual`).
    4. **New providers** (:func:`provider_ramp`): the base year's visits per provider FTE ×
       the provider's ramped FTE and the month's weight, split over the classes by the budget
       mix; their visits earn the class rates.
    5. **Revenue** per class and month = visits × budget rate (whole cents); a class booked to
       several revenue accounts is split by their base-year shares. Other (fixed) revenue —
       grants, care-management or capitation payments, rent received — is the base year's
       × ``other_revenue_change_pct``, on its ``pay_months`` or evenly.
    6. **Expenses** (:func:`build_expenses`): each account flexed by its behaviour (fixed;
       per visit on the budget visits; per provider FTE on the mean budget FTE, the base
       year's last month plus new providers) and increased (wages, inflation); benefits are
       the load on wages, booked to the benefits accounts in their base-year shares.
    7. **Monthly expenses**: fixed accounts on their ``pay_months`` (or evenly), per-visit
       accounts by the month's visits, per-FTE accounts by the month's FTE, benefits by the
       month's wages (:func:`phase_annual`, exact).
    """
    a = assumptions
    _check_budget_year(books, a.budget_year)
    # 1. base year
    base = _base_year(books, _base_periods(books, a.budget_year))
    # 2. visits and rates
    rev = _visits_and_rates(books.classes, base, a)
    # 3. phasing
    phasing = _phasing(a, base)
    w = [Fraction(x) for x in phasing["weight"]]
    existing = {c: _apportion_by(int(v), w)
                for c, v in zip(rev["payer"], rev["budget_visits"], strict=True)}
    # 4. new providers
    new_fte = _new_provider_fte(a.new_providers)
    new = _new_provider_visits(books.classes, base, rev["budget_visits"], new_fte, w)
    visits = _visits_by_month(books.classes, existing, new)
    rev = _revenue_by_class(rev, visits, base.rates)
    fte_m = [base.current_fte + x for x in new_fte]
    fte = pd.DataFrame({"month": pd.array(MONTHS, dtype="int64"),
                        "existing": float(base.current_fte),
                        "new": [float(x) for x in new_fte]})
    fte["fte"] = fte["existing"] + fte["new"]
    # 5. revenue by account and month
    monthly = _patient_revenue_by_month(books, base, visits, rev)
    # 6. expenses
    exp, load = _expenses(books.chart, base, a, visits=int(visits["visits"].sum()),
                          fte_by_month=fte_m)
    # 7. expenses (and other revenue) by month
    visits_m = visits.groupby("month")["visits"].sum().reindex(MONTHS).tolist()
    monthly.update(_flexed_by_month(exp, visits_m, fte_m))
    monthly.update(_fixed_by_month(books.chart, exp, base.amount, a.other_revenue_change_pct))
    monthly.update(_benefits_by_month(exp, monthly))
    accounts = _accounts_table(books.chart, exp, base.amount, monthly)
    long = pd.DataFrame([{"account": x, "month": m, "budget_cents": monthly[x][m - 1]}
                         for x in accounts["account"] for m in MONTHS])
    long["month"] = long["month"].astype("int64")
    long["budget_cents"] = long["budget_cents"].astype("int64")
    return Budget(assumptions=a, base_periods=base.periods, phasing=phasing, visits=visits,
                  fte=fte, revenue=rev, accounts=accounts, monthly=long,
                  benefits_load_pct=float(load))


@dataclass(frozen=True)
class _BaseYear:
    """What :func:`build_budget` reads from the 12 closed months it is built from."""

    periods: list[str]
    amount: pd.Series  # cents per account (every account of the chart)
    visits: pd.Series  # visits per payer class
    volumes: pd.DataFrame  # the volumes' rows of the base months
    fte_by_month: dict[str, Fraction]  # provider FTE per month, exact
    fte: Fraction  # mean provider FTE
    current_fte: Fraction  # provider FTE of the last base month
    rates: dict[str, Fraction]  # net revenue per visit per payer class, exact cents


def _check_budget_year(books: Books, year: object) -> None:
    """Refuse a budget year that is not a whole number, that the ledger runs past, or that is
    more than a year past the books."""
    if not isinstance(year, Integral) or isinstance(year, bool):
        raise ParameterError(f"budget year must be a whole number, got {year!r}")
    after = books.ledger["year"] > year
    if after.any():
        raise rows_error(books.ledger, after.to_numpy(), "gl_actuals", "period",
                         f"month outside the range: after the budget year {year}",
                         f"a month of {year} or earlier",
                         f"choose budget year {int(books.ledger['year'].max())} or remove "
                         "those rows")
    last_closed = int(books.closed_through[:4])
    if year > last_closed + 1:
        raise ParameterError(f"budget year {year} is more than a year past the books (closed "
                             f"through {books.closed_through}): budget {last_closed + 1} at "
                             "the latest, so growth and inflation are not applied once for "
                             "several years")


def _patient_revenue_accounts(chart: pd.DataFrame) -> pd.DataFrame:
    """The revenue accounts that come with visits (one payer class each)."""
    return chart[(chart["kind"] == "revenue") & (chart["behaviour"] == "variable per visit")]


def _base_year(books: Books, base: list[str]) -> _BaseYear:
    """Amounts, visits, provider FTE and rates of the base months, refusing a negative expense
    total, visits without provider FTE and a class with visits but no revenue (or the reverse).
    """
    chart, g, vol = books.chart, books.ledger, books.volumes
    in_base = g["period"].isin(base)
    base_amount = (g[in_base].groupby("account")["amount_cents"].sum()
                   .reindex(chart["account"]).fillna(0).astype("int64"))
    negative = [x for x in chart.loc[chart["kind"] == "cost", "account"] if base_amount[x] < 0]
    if negative:
        raise rows_error(g, (in_base & g["account"].isin(negative)).to_numpy(), "gl_actuals",
                         "amount_cents",
                         f"expense account(s) {', '.join(negative)} negative over {base[0]} to "
                         f"{base[-1]}, the budget's base", "a base-year total of 0 or more",
                         "check the credits booked to the account; a refund larger than the "
                         "year's spending belongs in another account")
    vb = vol[vol["period"].isin(base)]
    base_visits = (vb.groupby("payer_class")["visits"].sum().reindex(books.classes)
                   .fillna(0).astype("int64"))
    # FTE as the decimals the file holds (4.6, not its binary neighbour), averaged exactly
    fte_by_month = {p: Fraction(repr(float(x)))
                    for p, x in vb.groupby("period")["provider_fte"].first().items()}
    base_fte = sum(fte_by_month.values(), Fraction(0)) / len(fte_by_month)
    current_fte = fte_by_month[base[-1]]
    no_fte = (vb["provider_fte"] <= 0) & (vb["visits"] > 0)
    if no_fte.any():
        raise rows_error(vol, vol.index.isin(vb.index[no_fte]), "volumes", "provider_fte",
                         "visits in a month with no provider FTE", "the providers' FTE of the "
                         "month", "fill the month's provider FTE")
    revenue_accounts = _patient_revenue_accounts(chart)
    base_revenue = {c: int(base_amount[revenue_accounts.loc[revenue_accounts["payer_class"] == c,
                                                            "account"]].sum())
                    for c in books.classes}
    rates: dict[str, Fraction] = {}
    for c in books.classes:
        if (base_visits[c] == 0) != (base_revenue[c] == 0):
            has, lacks = ("revenue", "visits") if base_visits[c] == 0 else ("visits", "revenue")
            raise DataError(f"payer class {c!r} has {has} but no {lacks} in {base[0]} to "
                            f"{base[-1]}, so its net revenue per visit is undefined",
                            file=(vol if lacks == "visits" else g).attrs.get(
                                "source", "volumes" if lacks == "visits" else "gl_actuals"),
                            column="visits" if lacks == "visits" else "amount",
                            expected=f"the {lacks} of class {c} in the base months",
                            fix=f"export the {lacks} of class {c}, or book them to the class "
                                "they belong to")
        rates[c] = Fraction(base_revenue[c], int(base_visits[c])) if base_visits[c] else \
            Fraction(0)
    return _BaseYear(periods=base, amount=base_amount, visits=base_visits, volumes=vb,
                     fte_by_month=fte_by_month, fte=base_fte, current_fte=current_fte,
                     rates=rates)


def _visits_and_rates(classes: list[str], base: _BaseYear, a: Assumptions) -> pd.DataFrame:
    """Annual visits and rates per class (:func:`build_revenue`): the existing providers'
    visits annualised to today's FTE and grown, rates changed; redistributed to the target
    payer mix when one is given."""
    fte_ratio = base.current_fte / base.fte if base.fte else Fraction(1)
    growth = ((1 + _pct(a.visit_growth_pct, "visit_growth_pct")) * fte_ratio - 1) * 100
    rev = build_revenue({c: int(base.visits[c]) for c in classes}, base.rates,
                        growth_pct=growth,
                        rate_change_pct_by_class=dict(a.rate_change_pct) or None)
    if a.payer_mix_pct:
        mix = {str(k): _pct(v, f"payer mix of {k!r}") for k, v in a.payer_mix_pct.items()}
        if set(mix) != set(classes) or abs(sum(mix.values()) - 1) > Fraction(1, 10_000):
            raise ParameterError(f"payer_mix_pct must give every class a share, summing to 100, "
                                 f"of the classes {', '.join(classes)}; got "
                                 f"{dict(a.payer_mix_pct)!r}")
        no_rate = [c for c in classes if mix[c] > 0 and base.visits[c] == 0]
        if no_rate:
            raise ParameterError(f"payer class(es) {', '.join(no_rate)} had no visits in the "
                                 "base year, so they have no net revenue per visit: give them "
                                 "a share of 0")
        rev["budget_visits"] = _apportion_by(int(rev["budget_visits"].sum()),
                                             [mix.get(c, 0) for c in classes])
    return rev


def _phasing(a: Assumptions, base: _BaseYear) -> pd.DataFrame:
    """``month, working_days, holidays, seasonal_index, weight`` of the budget year: its working
    days × the base year's seasonal index of visits per provider-FTE working day."""
    days = working_days(a.budget_year, a.holidays(a.budget_year))
    per_day = []
    vb = base.volumes
    for p in base.periods:
        y, m = int(p[:4]), int(p[5:])
        wd = int(working_days(y, a.holidays(y)).loc[m - 1, "working_days"])
        # visits per provider-FTE working day: a provider joining mid-year is not a season
        per_day.append({"year": y, "month": m,
                        "value": float(vb.loc[vb["period"] == p, "visits"].sum())
                        / (wd * float(base.fte_by_month[p]) or 1)})
    season = seasonal_index(pd.DataFrame(per_day))
    weights = phasing_weights(days, season)
    return days.assign(seasonal_index=season["index"].to_numpy(), weight=weights.to_numpy())


def _new_provider_fte(providers: Sequence[NewProvider]) -> list[Fraction]:
    """The new providers' FTE per month (:func:`provider_ramp`), exact."""
    new_fte = [Fraction(0)] * 12
    for p in providers:
        ramp = provider_ramp(p.start_month, p.ramp_months, p.fte)
        new_fte = [x + Fraction(f) for x, f in zip(new_fte, ramp["fte"], strict=True)]
    return new_fte


def _new_provider_visits(classes: list[str], base: _BaseYear, budget_visits: pd.Series,
                         new_fte: list[Fraction], w: list[Fraction]) -> dict[str, list[int]]:
    """The new providers' visits per class and month: the base year's visits per provider FTE
    × their FTE and the month's weight, split over the classes by the budget mix."""
    new_visits = [0] * 12
    if any(new_fte):
        per_fte_year = Fraction(int(base.visits.sum())) / base.fte if base.fte else Fraction(0)
        wsum = sum(w)
        annual_new = round_half_away(per_fte_year * sum(f * x / wsum for f, x in
                                                     zip(new_fte, w, strict=True)))
        new_visits = _apportion_by(annual_new, [f * x for f, x in zip(new_fte, w, strict=True)])
    shares = [Fraction(int(v)) for v in budget_visits] if int(budget_visits.sum()) else \
        [Fraction(1)] * len(classes)
    new_by_class = {c: [0] * 12 for c in classes}
    for i, n in enumerate(new_visits):
        for c, part in zip(classes, _apportion_by(n, shares), strict=True):
            new_by_class[c][i] = part
    return new_by_class


def _visits_by_month(classes: list[str], existing: Mapping[str, list[int]],
                     new: Mapping[str, list[int]]) -> pd.DataFrame:
    """``payer_class, month, existing, new, visits`` (whole visits, int64)."""
    visits = pd.DataFrame([
        {"payer_class": c, "month": m, "existing": existing[c][m - 1], "new": new[c][m - 1]}
        for c in classes for m in MONTHS])
    visits["visits"] = visits["existing"] + visits["new"]
    for col in ("month", "existing", "new", "visits"):
        visits[col] = visits[col].astype("int64")
    return visits


def _revenue_by_class(rev: pd.DataFrame, visits: pd.DataFrame,
                      rates: Mapping[str, Fraction]) -> pd.DataFrame:
    """The revenue table with the phased visits (new providers' included), the revenue they
    earn and the base year's rate."""
    rev = rev.copy()
    rev["budget_visits"] = (visits.groupby("payer_class")["visits"].sum()
                            .reindex(rev["payer"]).to_numpy().astype("int64"))
    rev["budget_revenue_cents"] = rev["budget_visits"] * rev["budget_rate_cents"]
    rev.insert(3, "base_rate_cents", [round_half_away(Fraction(rates[c])) for c in rev["payer"]])
    rev["base_rate_cents"] = rev["base_rate_cents"].astype("int64")
    return rev


def _patient_revenue_by_month(books: Books, base: _BaseYear, visits: pd.DataFrame,
                              rev: pd.DataFrame) -> dict[str, list[int]]:
    """Per patient revenue account, its 12 months: visits × budget rate, a class booked to
    several accounts split by their base-year shares."""
    revenue_accounts = _patient_revenue_accounts(books.chart)
    monthly: dict[str, list[int]] = {}
    visits_by = {c: visits.loc[visits["payer_class"] == c, "visits"].tolist()
                 for c in books.classes}
    rate_of = dict(zip(rev["payer"], rev["budget_rate_cents"], strict=True))
    for c in books.classes:
        accts = revenue_accounts.loc[revenue_accounts["payer_class"] == c, "account"].tolist()
        per_month = [int(v) * int(rate_of[c]) for v in visits_by[c]]
        shares_c = [int(base.amount[x]) for x in accts]
        for x in accts:
            monthly[x] = []
        for amount in per_month:
            for x, part in zip(accts, _apportion_by(amount, shares_c), strict=True):
                monthly[x].append(part)
    return monthly


def _expenses(chart: pd.DataFrame, base: _BaseYear, a: Assumptions, *, visits: int,
              fte_by_month: list[Fraction]) -> tuple[pd.DataFrame, Fraction]:
    """The annual expenses per account (:func:`build_expenses`, benefits booked to the benefits
    accounts) and the benefits load used (percent of wages)."""
    base_amount = base.amount
    costs = chart[chart["kind"] == "cost"]
    benefits = costs[costs["category"] == BENEFITS]
    spend = costs[costs["category"] != BENEFITS]
    wages = spend["category"].isin(WAGE_CATEGORIES)
    base_wages = int(base_amount[spend.loc[wages, "account"]].sum())
    base_benefits = int(base_amount[benefits["account"]].sum())
    if a.benefits_load_pct is None:
        load = Fraction(base_benefits * 100, base_wages) if base_wages else Fraction(0)
    else:
        load = _pct(a.benefits_load_pct, "benefits_load_pct") * 100
    budget_fte_mean = sum(fte_by_month, Fraction(0)) / 12
    spend_in = spend[["account", "category", "behaviour"]].assign(
        amount_cents=base_amount[spend["account"]].to_numpy())
    try:
        exp = build_expenses(spend_in, visits=visits, base_visits=int(base.visits.sum()),
                             provider_fte=budget_fte_mean, base_provider_fte=base.fte,
                             wage_increase_pct=a.wage_increase_pct, benefits_load_pct=load,
                             inflation_pct_by_category=dict(a.inflation_pct))
    except DataError as exc:
        exc.file = chart.attrs.get("source", "chart_of_accounts")
        raise
    if len(benefits) and not wages.any() and base_benefits:
        raise rows_error(chart, chart["account"].isin(benefits["account"]).to_numpy(),
                         "chart_of_accounts", "category",
                         "a benefits account but no wage account (provider compensation or "
                         "staff salaries) to load the benefits on",
                         "benefits with the wages they are paid on",
                         "give the wage accounts category 'provider compensation' or 'staff "
                         "salaries', or book these costs under another category")
    if not len(benefits) and a.benefits_load_pct:
        raise ParameterError(f"benefits_load_pct is {a.benefits_load_pct} but the chart of "
                             "accounts has no benefits account, so the benefits are in the "
                             "wage accounts already: set benefits_load_pct to None (or 0), or "
                             "add a benefits account")
    if len(benefits):
        exp = _book_benefits(exp, benefits, base_amount)
    return exp, load


def _book_benefits(exp: pd.DataFrame, benefits: pd.DataFrame,
                   base_amount: pd.Series) -> pd.DataFrame:
    """Move the benefits :func:`build_expenses` loaded on each wage account to the benefits
    accounts, in their base-year shares (exact)."""
    exp = exp.copy()
    total_benefits = int(exp["benefits_cents"].sum())
    exp["budget_cents"] -= exp["benefits_cents"]
    ben_parts = _apportion_by(total_benefits, [int(base_amount[x])
                                               for x in benefits["account"]])
    ben_rows = pd.DataFrame({
        "account": benefits["account"].to_numpy(), "category": BENEFITS,
        "behaviour": benefits["behaviour"].to_numpy(),
        "base_cents": base_amount[benefits["account"]].to_numpy(),
        "benefits_cents": 0, "budget_cents": ben_parts})
    ben_rows["increase_cents"] = ben_rows["budget_cents"] - ben_rows["base_cents"]
    exp["increase_cents"] = exp["budget_cents"] - exp["base_cents"]
    return pd.concat([exp, ben_rows[exp.columns]], ignore_index=True)


def _flexed_by_month(exp: pd.DataFrame, visits_m: list[int],
                     fte_m: list[Fraction]) -> dict[str, list[int]]:
    """Per-visit accounts by the month's visits, per-FTE accounts by the month's FTE."""
    monthly: dict[str, list[int]] = {}
    for _, r in exp[exp["category"] != BENEFITS].iterrows():
        amount, beh = int(r["budget_cents"]), r["behaviour"]
        if beh == "variable per visit":
            monthly[r["account"]] = _apportion_by(amount, visits_m)
        elif beh == "step per provider FTE":
            monthly[r["account"]] = _apportion_by(amount, fte_m)
    return monthly


def _fixed_by_month(chart: pd.DataFrame, exp: pd.DataFrame, base_amount: pd.Series,
                    other_revenue_change_pct: float) -> dict[str, list[int]]:
    """Fixed costs and other (fixed) revenue on their payment months, or evenly
    (:func:`phase_fixed_costs`); other revenue is the base year's changed by
    ``other_revenue_change_pct``."""
    other_revenue = chart[(chart["kind"] == "revenue") & (chart["behaviour"] == "fixed")]
    other_change = 1 + _pct(other_revenue_change_pct, "other_revenue_change_pct")
    fixed = exp[(exp["category"] != BENEFITS) & (exp["behaviour"] == "fixed")]
    fixed_in = pd.DataFrame({
        "account": [*fixed["account"], *other_revenue["account"]],
        "annual_cents": [*(int(v) for v in fixed["budget_cents"]),
                         *(round_half_away(int(base_amount[x]) * other_change)
                           for x in other_revenue["account"])]})
    pay = dict(zip(chart["account"], chart["pay_months"], strict=True))
    fixed_in["pay_months"] = [str(pay[x]) if pd.notna(pay[x]) and str(pay[x]).strip()
                              else "monthly" for x in fixed_in["account"]]
    fixed_in.attrs["source"] = chart.attrs.get("source", "chart_of_accounts")
    return {str(x): part["amount_cents"].astype(int).tolist()
            for x, part in phase_fixed_costs(fixed_in).groupby("account", sort=False)}


def _benefits_by_month(exp: pd.DataFrame,
                       monthly: Mapping[str, list[int]]) -> dict[str, list[int]]:
    """The benefits accounts by the month's wages (``monthly`` holds the wage accounts)."""
    wage_accounts = exp.loc[exp["category"].isin(WAGE_CATEGORIES), "account"]
    wages_m = [sum(monthly[x][i] for x in wage_accounts) for i in range(12)]
    return {r["account"]: _apportion_by(int(r["budget_cents"]), wages_m)
            for _, r in exp[exp["category"] == BENEFITS].iterrows()}


def _accounts_table(chart: pd.DataFrame, exp: pd.DataFrame, base_amount: pd.Series,
                    monthly: Mapping[str, list[int]]) -> pd.DataFrame:
    """Per account of the chart, in its order: ``account, name, category, behaviour, kind,
    base_cents, increase_cents, benefits_cents, budget_cents`` (revenue: the sum of its
    months)."""
    all_revenue = chart[chart["kind"] == "revenue"]
    revenue_rows = pd.DataFrame({
        "account": all_revenue["account"].to_numpy(), "category": REVENUE,
        "behaviour": all_revenue["behaviour"].to_numpy(),
        "base_cents": base_amount[all_revenue["account"]].to_numpy(),
        "benefits_cents": 0,
        "budget_cents": [sum(monthly[x]) for x in all_revenue["account"]]})
    revenue_rows["increase_cents"] = revenue_rows["budget_cents"] - revenue_rows["base_cents"]
    accounts = pd.concat([revenue_rows[exp.columns], exp], ignore_index=True)
    accounts = (chart[["account", "name", "kind"]].merge(accounts, on="account", how="left"))
    accounts = accounts[["account", "name", "category", "behaviour", "kind", "base_cents",
                         "increase_cents", "benefits_cents", "budget_cents"]]
    for col in ("base_cents", "increase_cents", "benefits_cents", "budget_cents"):
        accounts[col] = accounts[col].astype("int64")
    return accounts


# --------------------------------------------------------------------------- 10. against actual


@dataclass
class Comparison:
    """The budget year so far against its budget.

    Attributes
    ----------
    through_month
        The last closed month of the budget year (1–12).
    lines
        Per account and month to date: ``account, name, category, month, kind, budget_cents,
        actual_cents, variance_cents, variance_pct, direction, material``.
    ytd
        The same per account for the year to date (no ``month``).
    payers
        Per payer class to date: ``payer, budget_visits, actual_visits, budget_rate_cents,
        actual_revenue_cents`` (the input of :func:`revenue_variance`; patient revenue only).
    revenue_parts
        :func:`revenue_variance` of ``payers``: volume, mix, rate, rounding, total.
    revenue_by_class
        :func:`revenue_variance_by_class` of ``payers``.
    costs
        :func:`cost_variance` per expense account to date (per-visit accounts flexed on the
        visits; fixed and per-FTE accounts are their own flexible budget), with ``category``
        and ``behaviour``.
    bridge
        From budget to actual operating margin to date: ``step, cents`` — budget margin,
        volume (revenue volume less the variable costs it brings), mix, rate, other revenue
        (the fixed revenue accounts' variance, when the chart has any), cost (spending against
        the flexible budget), rounding (when not 0), actual margin; the steps sum to the actual
        margin exactly.
    forecast
        Full year: ``line`` (revenue, expense, margin), ``budget_cents``, ``forecast_cents``
        (actual to date + budget of the remaining months), ``run_rate_cents`` (the months to
        date × 12 / months closed; accounts with ``pay_months`` at their schedule instead).
    """

    through_month: int
    lines: pd.DataFrame
    ytd: pd.DataFrame
    payers: pd.DataFrame
    revenue_parts: pd.DataFrame
    revenue_by_class: pd.DataFrame
    costs: pd.DataFrame
    bridge: pd.DataFrame
    forecast: pd.DataFrame

    def part(self, line: str) -> int:
        """A line of :attr:`revenue_parts` (``"volume"``, ``"mix"``, ``"rate"``, ``"total"``)."""
        return _lines_of(self.revenue_parts)[line]


def compare(books: Books, budget: Budget, materiality_cents: int,
            materiality_pct: float) -> Comparison | None:
    """Budget against the ledger for the closed months of the budget year; ``None`` when none is
    closed yet.

    Variances are ``actual − budget``; an account-month or an account's year to date is
    *material* when ``|Δ| ≥ materiality_cents`` and ``|Δ%| ≥ materiality_pct``
    (:func:`materiality_flags`). Revenue to date is split into volume, mix and rate per payer
    class (:func:`revenue_variance`) from the volumes' visits and the ledger's revenue; expenses
    into volume and spending against the flexible budget (:func:`cost_variance`). The forecast
    and run rate use :func:`full_year_forecast` on revenue and on expenses.
    """
    year = budget.year
    done = [int(p[5:]) for p in books.periods if int(p[:4]) == year]
    if not done:
        return None
    t = max(done)
    months = list(range(1, t + 1))
    acc = budget.accounts
    g = books.ledger[books.ledger["year"] == year]
    actual = (g.groupby(["account", "month"])["amount_cents"].sum())
    lines = budget.monthly[budget.monthly["month"] <= t].copy()
    lines["actual_cents"] = [int(actual.get((x, m), 0))
                             for x, m in zip(lines["account"], lines["month"], strict=True)]
    lines = acc[["account", "name", "category", "kind"]].merge(lines, on="account")
    flagged = materiality_flags(lines, materiality_cents, materiality_pct)
    ytd = (lines.groupby("account", sort=False)[["budget_cents", "actual_cents"]].sum()
           .reset_index())
    ytd = acc[["account", "name", "category", "kind"]].merge(ytd, on="account")
    ytd_flagged = materiality_flags(ytd, materiality_cents, materiality_pct)

    vol = books.volumes[books.volumes["year"] == year]
    vol = vol[vol["month"] <= t]
    rev_acc = books.chart[(books.chart["kind"] == "revenue")
                          & (books.chart["behaviour"] == "variable per visit")]
    class_of = dict(zip(rev_acc["account"], rev_acc["payer_class"], strict=True))
    other = ytd_flagged[(ytd_flagged["kind"] == "revenue")
                        & ~ytd_flagged["account"].isin(class_of)]
    rev_actual = (g[g["account"].isin(class_of) & (g["month"] <= t)]
                  .assign(payer=lambda f: f["account"].map(class_of))
                  .groupby("payer")["amount_cents"].sum())
    bud_visits = budget.visits[budget.visits["month"] <= t].groupby("payer_class")["visits"].sum()
    act_visits = vol.groupby("payer_class")["visits"].sum()
    payers = pd.DataFrame({
        "payer": budget.revenue["payer"].to_numpy(),
        "budget_visits": [int(bud_visits.get(c, 0)) for c in budget.revenue["payer"]],
        "actual_visits": [int(act_visits.get(c, 0)) for c in budget.revenue["payer"]],
        "budget_rate_cents": budget.revenue["budget_rate_cents"].to_numpy(),
        "actual_revenue_cents": [int(rev_actual.get(c, 0)) for c in budget.revenue["payer"]],
    })
    parts = revenue_variance(payers)
    by_class = revenue_variance_by_class(payers)

    cost_acc = acc[acc["kind"] == "cost"]
    variable = cost_acc["behaviour"].eq("variable per visit").to_numpy()
    bv, av = int(payers["budget_visits"].sum()), int(payers["actual_visits"].sum())
    ytd_by = ytd.set_index("account")
    costs_in = pd.DataFrame({
        "account": cost_acc["account"].to_numpy(),
        "budget_visits": np.where(variable, bv, 0),
        "actual_visits": np.where(variable, av, 0),
        "static_budget_cents": ytd_by.loc[cost_acc["account"], "budget_cents"].to_numpy(),
        "actual_cost_cents": ytd_by.loc[cost_acc["account"], "actual_cents"].to_numpy()})
    costs = cost_variance(costs_in)
    costs.insert(1, "category", cost_acc["category"].to_numpy())
    costs.insert(2, "behaviour", cost_acc["behaviour"].to_numpy())

    rev_b = budget.total("revenue", months)
    rev_a = int(payers["actual_revenue_cents"].sum()) + int(other["actual_cents"].sum())
    exp_b, exp_a = budget.total("cost", months), int(costs["actual_cost_cents"].sum())
    p = _lines_of(parts)
    cost_volume = int(costs["volume_variance_cents"].sum())
    steps = [("budget margin", rev_b - exp_b), ("volume", p["volume"] - cost_volume),
             ("mix", p["mix"]), ("rate", p["rate"])]
    if len(other):
        steps.append(("other revenue", int(other["variance_cents"].sum())))
    steps.append(("cost", -int(costs["spending_variance_cents"].sum())))
    if p["rounding"]:
        steps.append(("rounding", p["rounding"]))
    steps.append(("actual margin", rev_a - exp_a))
    bridge = pd.DataFrame(steps, columns=["step", "cents"])
    bridge["cents"] = bridge["cents"].astype("int64")

    pay = dict(zip(books.chart["account"], books.chart["pay_months"], strict=True))
    scheduled = {x for x, v in pay.items() if pd.notna(v) and str(v).strip()}

    def full(kind: str) -> dict[str, int]:
        """Forecast and run rate of ``kind``; accounts paid on a schedule (an annual premium)
        run at their schedule, not at twelve times what was paid so far."""
        out = {"budget_full_year": 0, "forecast": 0, "run_rate": 0}
        for on_schedule in (False, True):
            sel = (lines["kind"] == kind) & (lines["account"].isin(scheduled) == on_schedule)
            act = [int(lines.loc[sel & (lines["month"] == m), "actual_cents"].sum())
                   for m in months]
            accounts = set(lines.loc[sel, "account"])
            m_all = budget.monthly[budget.monthly["account"].isin(accounts)]
            bud = [int(m_all.loc[m_all["month"] == m, "budget_cents"].sum()) for m in MONTHS]
            f = full_year_forecast(act, bud, t).set_index("line")["cents"]
            out["budget_full_year"] += int(f["budget_full_year"])
            out["forecast"] += int(f["forecast"])
            out["run_rate"] += int(f["forecast" if on_schedule else "run_rate"])
        return out

    r, e = full("revenue"), full("cost")
    forecast = pd.DataFrame({
        "line": ["revenue", "expense", "margin"],
        "budget_cents": [int(r["budget_full_year"]), int(e["budget_full_year"]),
                         int(r["budget_full_year"] - e["budget_full_year"])],
        "forecast_cents": [int(r["forecast"]), int(e["forecast"]),
                           int(r["forecast"] - e["forecast"])],
        "run_rate_cents": [int(r["run_rate"]), int(e["run_rate"]),
                           int(r["run_rate"] - e["run_rate"])]})
    return Comparison(through_month=t, lines=flagged, ytd=ytd_flagged, payers=payers,
                      revenue_parts=parts, revenue_by_class=by_class, costs=costs,
                      bridge=bridge, forecast=forecast)


# --------------------------------------------------------------------------- 11. key figures


def break_even(budget: Budget) -> dict[str, float | None]:
    """Break-even of the budget year, a month on average.

    Fixed costs are every expense that does not vary per visit (fixed, per-FTE and benefits
    accounts) less the other (fixed) revenue; the contribution per visit is the budget's
    patient revenue per visit less its variable cost per visit.
    ``visits_per_month = (fixed / 12) / contribution``; ``visits_per_provider_day`` divides it
    by the month's mean provider days (mean FTE × mean working days; ``None`` without provider
    days). Both are ``None`` when a visit earns no more than it costs (no number of visits then
    breaks even).
    """
    acc = budget.accounts
    visits = int(budget.visits["visits"].sum())
    rev = acc[acc["kind"] == "revenue"]
    revenue = int(rev.loc[rev["behaviour"] == "variable per visit", "budget_cents"].sum())
    other_revenue = int(rev.loc[rev["behaviour"] == "fixed", "budget_cents"].sum())
    costs = acc[acc["kind"] == "cost"]
    variable = int(costs.loc[costs["behaviour"] == "variable per visit", "budget_cents"].sum())
    fixed = int(costs["budget_cents"].sum()) - variable - other_revenue
    if visits == 0:
        raise ParameterError("the budget has no visits, so it has no break-even")
    rev_per, var_per = Fraction(revenue, visits), Fraction(variable, visits)
    if rev_per <= var_per:
        return {"visits_per_month": None, "visits_per_provider_day": None,
                "budget_visits_per_month": visits / 12}
    month_fixed = Fraction(fixed, 12)
    per_month = break_even_visits(month_fixed, rev_per, var_per)
    days = Fraction(float(budget.fte["fte"].mean())) * Fraction(
        int(budget.phasing["working_days"].sum()), 12)
    return {"visits_per_month": per_month,
            "visits_per_provider_day": None if days <= 0 else
            break_even_visits_per_provider_day(month_fixed, rev_per, var_per, days),
            "budget_visits_per_month": visits / 12}


def overhead_cents(budget: Budget, months: Iterable[int] = MONTHS) -> int:
    """Operating cost less provider compensation and its share of benefits (the overhead the
    providers' work carries), over ``months``."""
    acc = budget.accounts
    m = budget.monthly[budget.monthly["month"].isin(list(months))]
    by = m.groupby("account")["budget_cents"].sum()
    cat = dict(zip(acc["account"], acc["category"], strict=True))
    kinds = dict(zip(acc["account"], acc["kind"], strict=True))
    cost = sum(int(v) for x, v in by.items() if kinds[x] == "cost")
    provider = sum(int(v) for x, v in by.items() if cat[x] == "provider compensation")
    wages = sum(int(v) for x, v in by.items() if cat[x] in WAGE_CATEGORIES)
    benefits = sum(int(v) for x, v in by.items() if cat[x] == BENEFITS)
    provider_benefits = round_half_away(Fraction(benefits * provider, wages)) if wages else 0
    return cost - provider - provider_benefits
