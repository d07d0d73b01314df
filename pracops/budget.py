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

Sign convention
---------------
A variance is always ``actual − budget`` (in cents). For revenue a positive variance is
*favourable*; for a cost a positive variance (spending above budget) is *unfavourable*. The
``direction`` column says which: ``"favourable"``, ``"unfavourable"`` or ``"on budget"`` (zero).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import pandas as pd

from pracops.data import rows_error
from pracops.errors import DataError, ParameterError

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
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

MONTHS = tuple(range(1, 13))
FAVOURABLE, UNFAVOURABLE, ON_BUDGET = "favourable", "unfavourable", "on budget"


# --------------------------------------------------------------------------- helpers


def _round_cents(x: Fraction) -> int:
    """An exact amount of cents rounded to a whole cent, half away from zero."""
    n, d = abs(x.numerator), x.denominator
    q, r = divmod(n, d)
    if 2 * r >= d:
        q += 1
    return q if x >= 0 else -q


def _frac(x: object, name: str) -> Fraction:
    """A finite real number as an exact fraction (a float as the binary value it holds)."""
    if isinstance(x, bool) or not isinstance(x, Real) or not np.isfinite(float(x)):
        raise ParameterError(f"{name} must be a finite number, got {x!r}")
    return Fraction(x) if isinstance(x, Integral) else Fraction(float(x))


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
        ``budget_rate_cents``, ``actual_rate_cents`` (whole cents).

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
    cols = ["payer", "budget_visits", "actual_visits", "budget_rate_cents", "actual_rate_cents"]
    p = _check_frame(payers, "payers", cols, integers=cols[1:],
                     non_negative=["budget_visits", "actual_visits"], unique=["payer"])
    bv = [int(x) for x in p["budget_visits"]]
    av = [int(x) for x in p["actual_visits"]]
    rb = [int(x) for x in p["budget_rate_cents"]]
    ra = [int(x) for x in p["actual_rate_cents"]]
    v_b, v_a = sum(bv), sum(av)
    if v_b == 0:
        raise DataError("no budget visits, so the budget average rate (volume variance) is "
                        "undefined", file=payers.attrs.get("source", "payers"),
                        column="budget_visits", expected="at least one budgeted visit")
    budget = sum(b * r for b, r in zip(bv, rb, strict=True))
    actual = sum(a * r for a, r in zip(av, ra, strict=True))
    at_budget_rate = sum(a * r for a, r in zip(av, rb, strict=True))
    avg_rate = Fraction(budget, v_b)
    volume = _round_cents((v_a - v_b) * avg_rate)
    mix = _round_cents(at_budget_rate - v_a * avg_rate)
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

    * static budget ``S = budget_cost_per_visit_cents × budget_visits``;
    * flexible budget ``F = budget_cost_per_visit_cents × actual_visits``;
    * volume variance ``F − S``; spending (efficiency) variance ``actual_cost_cents − F``;
      total ``actual_cost_cents − S`` = volume + spending.

    All inputs are whole cents and visits, so every figure is exact: nothing is rounded.
    A positive variance is spending above budget: ``direction`` is then ``"unfavourable"``.

    Parameters
    ----------
    costs
        One row per account: ``account``, ``budget_visits``, ``actual_visits`` (whole, ≥ 0),
        ``budget_cost_per_visit_cents``, ``actual_cost_cents`` (whole cents, ≥ 0).

    Returns
    -------
    pandas.DataFrame
        ``account, static_budget_cents, flexible_budget_cents, actual_cost_cents,
        volume_variance_cents, spending_variance_cents, total_variance_cents`` (int64) and
        ``volume_direction, spending_direction, total_direction``.
    """
    cols = ["account", "budget_visits", "actual_visits", "budget_cost_per_visit_cents",
            "actual_cost_cents"]
    c = _check_frame(costs, "costs", cols, integers=cols[1:], non_negative=cols[1:],
                     unique=["account"])
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
            f"{net_revenue_per_visit_cents!r} − variable cost per visit "
            f"{variable_cost_per_visit_cents!r}); break-even needs it above 0: each visit must "
            "earn more than it costs")
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
    is 0 and Δ is 0; ±inf when the budget is 0 and Δ is not); ``material = |Δ| ≥ min_cents and
    |Δ%| ≥ min_pct``.

    Parameters
    ----------
    lines
        ``account``, ``month`` (1–12), ``kind`` (``"revenue"`` or ``"cost"``), ``budget_cents``,
        ``actual_cents`` (whole cents); one row per account-month.
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
    out = _check_frame(lines, "budget lines",
                       ["account", "month", "kind", "budget_cents", "actual_cents"],
                       integers=["month", "budget_cents", "actual_cents"], month="month",
                       unique=["account", "month"])
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
    # compare |Δ|·100 ≥ Y·|budget| exactly instead of through the rounded float percent
    pct_ok = [abs(int(d)) * 100 >= y * abs(int(b)) and (d != 0 or y == 0 and b != 0)
              for d, b in zip(delta, out["budget_cents"], strict=True)]
    out["material"] = (delta.abs() >= x).to_numpy() & np.asarray(pct_ok, dtype=bool)
    return out


# --------------------------------------------------------------------------- 5. budget build


def _pct(x: object, name: str) -> Fraction:
    """A percentage (5 means 5 %) as an exact fraction of 1. A float is read as the decimal it
    prints as (``0.1`` → 1/1000), not its binary value, so ``2.5`` % of 200 is exactly 5."""
    if isinstance(x, bool) or not isinstance(x, Real) or not np.isfinite(float(x)):
        raise ParameterError(f"{name} must be a finite number of percent, got {x!r}")
    value = Fraction(x) if isinstance(x, Integral) else Fraction(repr(float(x)))
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
        bv = _round_cents(int(v) * (1 + g))
        br = _round_cents(_frac(rates[c], f"net revenue per visit of {c!r}") * (1 + k))
        rows.append((c, int(v), bv, br, bv * br))
    out = pd.DataFrame(rows, columns=["payer", "prior_visits", "budget_visits",
                                      "budget_rate_cents", "budget_revenue_cents"])
    for col in out.columns[1:]:
        out[col] = out[col].astype("int64")
    return out


BEHAVIOURS = ("fixed", "variable per visit", "step per provider FTE")


def build_expenses(accounts: pd.DataFrame, *, visits: int, provider_fte: float,
                   wage_increase_pct: float, benefits_load_pct: float,
                   inflation_pct_by_category: dict[str, float],
                   wage_categories: Iterable[str] = ("wages", "salaries")) -> pd.DataFrame:
    """Annual expense budget per account from its cost behaviour.

    The base of account *a* by its ``behaviour``:

    * ``"fixed"``: ``base = amount_cents`` (the prior-year annual amount);
    * ``"variable per visit"``: ``base = amount_cents × visits`` (cost per visit);
    * ``"step per provider FTE"``: ``base = amount_cents × provider_fte`` (cost per FTE).

    Then the increase: an account in a wage category gets ``after = base · (1 + w)`` and
    ``benefits = after · b`` (wage increase ``w``, benefits load ``b``); any other *fixed*
    account gets ``after = base · (1 + i_category)`` (its category's inflation) and no benefits;
    other variable and step accounts are taken at their (budget-year) rates: ``after = base``.
    ``budget = after + benefits``.

    Rounding: ``base_cents``, ``benefits_cents`` and ``budget_cents`` are each the exact value
    rounded once to the cent (half away from zero); ``increase_cents = budget_cents −
    base_cents − benefits_cents`` takes the rounding difference, so each row adds up exactly
    and the budget total is the exact sum of ``budget_cents``. Percentages given as floats are
    read as the decimals they print as.

    Parameters
    ----------
    accounts
        ``account``, ``category``, ``behaviour`` (one of the three above), ``amount_cents``
        (whole cents ≥ 0); one row per account.
    visits
        Budget visits for the year (whole, ≥ 0), e.g. the sum of :func:`build_revenue`'s.
    provider_fte
        Provider FTE for the year (≥ 0; a ramped provider counts the mean of
        :func:`provider_ramp`'s ``fte``).
    wage_increase_pct, benefits_load_pct
        Percent (3 means 3 %).
    inflation_pct_by_category
        Percent per category; every category of a non-wage fixed account must be named.
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
    n_visits = _int(visits, "visits")
    fte = _frac(provider_fte, "provider_fte")
    if n_visits < 0 or fte < 0:
        raise ParameterError(f"visits and provider_fte must be 0 or more, got {visits!r} and "
                             f"{provider_fte!r}")
    w = _pct(wage_increase_pct, "wage_increase_pct")
    b = _pct(benefits_load_pct, "benefits_load_pct")
    infl = {k: _pct(v, f"inflation of {k!r}") for k, v in inflation_pct_by_category.items()}
    wages = set(wage_categories)
    missing = sorted({str(c) for c, beh in zip(a["category"], a["behaviour"], strict=True)
                      if beh == "fixed" and c not in wages and c not in infl})
    if missing:
        raise ParameterError(f"no inflation given for category(ies) {', '.join(missing)} "
                             "of fixed accounts; add them to inflation_pct_by_category "
                             "(0 for none)")
    driver = {"fixed": Fraction(1), "variable per visit": Fraction(n_visits),
              "step per provider FTE": fte}
    rows = []
    for _, r in a.iterrows():
        base = int(r["amount_cents"]) * driver[r["behaviour"]]
        if r["category"] in wages:
            after = base * (1 + w)
            benefits = after * b
        else:
            after = base * (1 + infl[r["category"]]) if r["behaviour"] == "fixed" else base
            benefits = Fraction(0)
        base_c, ben_c, bud_c = (_round_cents(base), _round_cents(benefits),
                                _round_cents(after + benefits))
        rows.append((r["account"], r["category"], r["behaviour"], base_c,
                     bud_c - base_c - ben_c, ben_c, bud_c))
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
    run_rate = _round_cents(Fraction(ytd * 12, t))
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
    * rate ``av_c · (r_a(c) − r_b(c))`` (whole cents);
    * total ``av_c · r_a(c) − bv_c · r_b(c)`` (whole cents) = volume + mix + rate.

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
    cols = ["payer", "budget_visits", "actual_visits", "budget_rate_cents", "actual_rate_cents"]
    p = _check_frame(payers, "payers", cols, integers=cols[1:])
    bv = [int(x) for x in p["budget_visits"]]
    av = [int(x) for x in p["actual_visits"]]
    rb = [int(x) for x in p["budget_rate_cents"]]
    ra = [int(x) for x in p["actual_rate_cents"]]
    v_b, v_a = sum(bv), sum(av)
    exact_volume = [Fraction((v_a - v_b) * b * r, v_b) for b, r in zip(bv, rb, strict=True)]
    exact_mix = [(a - Fraction(v_a * b, v_b)) * r for a, b, r in zip(av, bv, rb, strict=True)]
    volume = _apportion(totals["volume"], exact_volume)
    mix = _apportion(totals["mix"], exact_mix)
    rate = [a * (x - r) for a, x, r in zip(av, ra, rb, strict=True)]
    total = [a * x - b * r for a, x, b, r in zip(av, ra, bv, rb, strict=True)]
    rounding = [tt - (v + m + r) for tt, v, m, r in zip(total, volume, mix, rate, strict=True)]
    out = pd.DataFrame({"payer": p["payer"]})
    for name, values in (("volume", volume), ("mix", mix), ("rate", rate),
                         ("rounding", rounding), ("total", total)):
        out[f"{name}_cents"] = pd.array(values, dtype="int64")
    out["direction"] = _directions(total, is_cost=False)
    return out


def _lines_of(frame: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in zip(frame["line"], frame["variance_cents"], strict=True)}
