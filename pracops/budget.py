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


def _rows_text(rows: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _bad_rows(frame: pd.DataFrame, mask: np.ndarray, dataset: str, column: str, reason: str,
              expected: str) -> DataError:
    """The error naming every row where ``mask`` holds, as spreadsheet rows (header is row 1)."""
    positions = np.flatnonzero(mask)
    rows = [int(p) + 2 for p in positions]
    value = frame[column].iloc[int(positions[0])]
    return DataError(f"{reason}: row{'s' if len(rows) > 1 else ''} {_rows_text(rows)}",
                     file=frame.attrs.get("source", dataset), row=rows[0], column=column,
                     value=None if pd.isna(value) else value, expected=expected,
                     fix=f"correct the {dataset} table")


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
            raise _bad_rows(frame, bad.to_numpy(), dataset, col, f"{col} is not a whole number",
                            "a whole number")
        frame[col] = values.astype("int64")
    for col in non_negative:
        bad = (frame[col] < 0).to_numpy()
        if bad.any():
            raise _bad_rows(frame, bad, dataset, col, f"{col} is negative", "0 or more")
    if month is not None:
        bad = ~frame[month].isin(MONTHS).to_numpy()
        if bad.any():
            raise _bad_rows(frame, bad, dataset, month, "month outside 1–12",
                            "a month number 1–12")
    if unique:
        dup = frame.duplicated(list(unique), keep=False).to_numpy()
        if dup.any():
            raise _bad_rows(frame, dup, dataset, unique[-1],
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
        raise _bad_rows(out, bad, "budget lines", "kind", "kind is neither revenue nor cost",
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
