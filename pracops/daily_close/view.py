"""What the daily close notebook shows: the summary in words, formatted tables, the charts (the
day-close calendar, the A/R roll-forward waterfall, charge lag by provider, the cash forecast
with its band) and the explorer, all from a :class:`~pracops.daily_close.chain.DailyClose`.

The chain (inputs, the seven calculations, figures, alerts, hand-outs) is
:mod:`pracops.daily_close.chain`. Tables are pandas Stylers (money stays integer cents; only
the display is dollars, :func:`pracops.report.fmt_money`); text from the input files is
escaped (:func:`pracops.report.md_text` in sentences, :func:`pracops.report.format_table` in
tables); charts are drawn on axes the caller owns. Nothing here shows a patient's name or
account.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pracops.daily_close import chain
from pracops.daily_close.chain import DailyClose, DailyCloseInputs
from pracops.daily_close.parameters import PARAMETERS
from pracops.report import (
    BAD,
    GOOD,
    NEUTRAL,
    PALETTE,
    fmt_money,
    fmt_pct,
    format_table,
    legend_outside,
    md_text,
    money_axis,
    no_math,
)
from pracops.widgets import chart, panel, slider

__all__ = [
    "HEADLINE_FIGURES",
    "summary_text",
    "notes_text",
    "findings_table",
    "day_close_table",
    "rollforward_table",
    "breaks_table",
    "charge_findings_table",
    "charge_lag_table",
    "filing_table",
    "bank_table",
    "bank_items_table",
    "ap_aging_table",
    "ap_findings_table",
    "forecast_table",
    "plot_close_calendar",
    "plot_rollforward_waterfall",
    "plot_charge_lag",
    "plot_forecast",
    "explorer",
]

HEADLINE_FIGURES = ("close_balanced", "close_difference_cents",
                    "collections_mtd_vs_expected_pct", "missed_charges",
                    "filing_deadlines_14_days", "cash_low_point_cents",
                    "first_week_below_minimum", "close_breaks")
"""Figures shown for this report on the run's index page."""


def _day(text: str) -> str:
    """``2025-12-31`` as a reader says it: ``Wednesday 31 December 2025``."""
    return pd.Timestamp(text).strftime("%A %-d %B %Y")


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def summary_text(close: DailyClose, fig: Mapping[str, Any]) -> str:
    """The executive summary in a few sentences of Markdown: yesterday's close, collections
    this month against the books, missed charges, filing deadlines in the next 14 days, the
    cash forecast's low point, breaks of the A/R roll-forward and the findings in all."""
    day = _day(fig["close_date"])
    lines = []
    if fig["close_balanced"]:
        lines.append(f"**The close of {day} balanced** at every clinic: the "
                     f"{fmt_money(fig['close_collected_cents'])} collected at the desk was "
                     "posted to the cent, and every deposit due that day reached the bank.")
    else:
        where = "; ".join(
            (md_text(u["location_id"]) if u["location_id"] else "the day's deposit (every "
             "clinic)") + f" off by {fmt_money(u['difference_cents'])}"
            for u in fig["close_unbalanced"])
        total = (f" ({fmt_money(fig['close_difference_cents'])} in all)"
                 if len(fig["close_unbalanced"]) > 1 else "")
        lines.append(f"**The close of {day} did not balance**: {where}{total}; see the day "
                     "close below.")
    if fig["carried_forward_cents"]:
        lines.append(f"{fmt_money(fig['carried_forward_cents'])} of cash and checks taken at "
                     "the desk is not in the bank at the close (carried forward: the last "
                     "day's slip, and any never deposited).")
    if fig["collections_expected_mtd_cents"] is None:
        lines.append("Collections this month to date: "
                     f"**{fmt_money(fig['collections_mtd_cents'])}**; the books have no "
                     f"{fig['comparison_month']} to compare them with.")
    else:
        lines.append("Collections this month to date: "
                     f"**{fmt_money(fig['collections_mtd_cents'])}**, "
                     f"**{fmt_pct(fig['collections_mtd_vs_expected_pct'])}** of the "
                     f"{fmt_money(fig['collections_expected_mtd_cents'])} the books show for "
                     f"the same business days of {fig['comparison_month']} (the revenue "
                     "accounts; the budget's own plan is in the operating budget report).")
    missed = fig["missed_charges"]
    lines.append(f"**{_plural(missed, 'completed visit')} never charged** "
                 f"({', '.join(map(md_text, fig['missed_charge_appointments']))}): see "
                 "`missed_charges.csv`." if missed else
                 "Every completed visit old enough to be charged has its charge.")
    soon, past = fig["filing_deadlines_14_days"], fig["filing_past_limit"]
    text = (f"**{_plural(soon, 'claim')}** {'reaches its' if soon == 1 else 'reach their'} "
            f"payer's filing limit in the next 14 days "
            f"({fmt_money(fig['filing_deadlines_14_days_cents'])} at stake)"
            if soon else "No open claim reaches its payer's filing limit in the next 14 days")
    text += (f"; **{_plural(past, 'claim')} past the limit** "
             f"({fmt_money(fig['filing_past_limit_cents'])}, likely to be written off)."
             if past else ".")
    lines.append(text + " See `filing_deadlines.csv`.")
    low = (f"The cash forecast's low point is **{fmt_money(fig['cash_low_point_cents'])}** in "
           f"week {fig['cash_low_point_week']} of {fig['forecast_weeks']}")
    if fig["first_week_below_minimum"] is None:
        low += (f", above the minimum balance of {fmt_money(fig['minimum_balance_cents'])} "
                "throughout.")
    else:
        low += (f"; the balance first falls below the minimum of "
                f"{fmt_money(fig['minimum_balance_cents'])} in **week "
                f"{fig['first_week_below_minimum']}** (from "
                f"{fig['first_week_below_minimum_start']}).")
    lines.append(low)
    bank = (f"The bank reconciliation at the end of {fig['bank_month']} "
            + ("**balances**" if fig["bank_reconciled"] else "**does not balance**")
            + f": statement {fmt_money(fig['bank_statement_balance_cents'])}, books "
            f"{fmt_money(fig['bank_book_balance_cents'])}, "
            f"{fmt_money(fig['deposits_in_transit_cents'])} in transit and "
            f"{fmt_money(fig['outstanding_checks_cents'])} outstanding"
            + ("." if fig["bank_reconciled"] else
               f", {fmt_money(fig['bank_difference_cents'])} unexplained."))
    lines.append(bank)
    breaks = fig["close_breaks"]
    lines.append(f"The A/R roll-forward is proven every day except **{_plural(breaks, 'break')}**"
                 f" ({fmt_money(fig['ar_break_cents'])}), named below." if breaks else
                 "The A/R roll-forward is proven to the cent every day of the data.")
    by_kind = fig["findings_by_kind"]
    if by_kind:
        parts = [chain.kind_words(k, n)[1] for k, n in by_kind.items()]
        lines.append(f"In all, **{_plural(fig['findings'], 'finding')}**: "
                     + "; ".join(parts) + ".")
    return no_math("\n\n".join(lines))


def notes_text(close: DailyClose) -> str | None:
    """What the close did without an optional input or left out
    (:attr:`~pracops.daily_close.chain.DailyClose.notes`), as a Markdown list; ``None`` when
    there is nothing to say."""
    if not close.notes:
        return None
    return no_math("**Worked out with what the data hold:**\n\n"
                   + "\n".join(f"- {md_text(n)}" for n in close.notes))


# --- tables ---------------------------------------------------------------------------------

def findings_table(close: DailyClose) -> Any:
    """Every finding: what, when, where, the key to look up, the money at stake and the
    sentence that says it."""
    f = close.findings
    t = pd.DataFrame({"kind": f["kind"].astype(str).str.replace("_", " "), "date": f["date"],
                      "clinic": f["location_id"], "reference": f["reference"],
                      "at stake": f["amount_cents"], "what": f["detail"]})
    return format_table(t, money=["at stake"])


def day_close_table(close: DailyClose, location: str | None = None) -> Any:
    """The close of the close date (:func:`pracops.daily_close.chain.close_of_day`): the
    day's receipts at each clinic and the earlier days whose deposits were due that day —
    collected by tender, posted, the difference, the deposit slip, what was deposited and
    when, cash carried forward, the card batch settled, balanced or not. ``location`` keeps
    one clinic."""
    days = chain.close_of_day(close)
    if location:
        days = days[(days["location_id"] == location).to_numpy()]
    t = pd.DataFrame({
        "date": days["date"], "clinic": days["location_id"], "receipts": days["receipts"],
        "cash": days["cash_cents"], "checks": days["check_cents"], "cards": days["card_cents"],
        "collected": days["collected_cents"], "posted": days["posted_cents"],
        "collected − posted": days["posting_difference_cents"],
        "deposit slip": days["slip_cents"], "deposited": days["deposited_cents"],
        "deposited on": days["deposit_date"], "carried forward": days["carried_forward_cents"],
        "card batch settled": days["card_settled"].map({True: "yes", False: "not yet"}),
        "balanced": days["balanced"].map({True: "yes", False: "NO"})})
    return format_table(t, money=["cash", "checks", "cards", "collected", "posted",
                                  "collected − posted", "deposit slip", "deposited",
                                  "carried forward"], count=["receipts"],
                        caption="Cash and checks are deposited the next business day, cards "
                                "settled by the processor; a deposit not due yet is carried "
                                "forward, not a difference.")


def rollforward_table(close: DailyClose) -> Any:
    """The A/R roll-forward by month (every responsible party together): opening, charges,
    payments, adjustments, refunds, closing, the sub-ledger's closing and the difference, the
    breaks named and what is left unexplained."""
    m = close.ar_rollforward.monthly
    m = m[(m["responsible"] == "total").to_numpy()]
    t = pd.DataFrame({"month": m["month"], "opening A/R": m["opening_cents"],
                      "charges": m["charges_cents"], "payments": m["payments_cents"],
                      "adjustments": m["adjustments_cents"], "refunds": m["refunds_cents"],
                      "closing A/R": m["closing_cents"],
                      "sub-ledger": m["subledger_closing_cents"],
                      "difference": m["difference_cents"], "named breaks": m["breaks_cents"],
                      "unexplained": m["unexplained_cents"]})
    money = [c for c in t.columns if c != "month"]
    return format_table(t, money=money, caption="Payments and adjustments lower A/R (shown "
                        "negative); the difference is the journal less the sub-ledger built "
                        "from the claim lines, the payments posted and the remittances.")


def breaks_table(close: DailyClose) -> Any | None:
    """Every break of the roll-forward, named (``None`` when there is none)."""
    b = close.ar_rollforward.breaks
    if b.empty:
        return None
    t = pd.DataFrame({"kind": b["kind"].astype(str).str.replace("_", " "),
                      "claim": b["claim_id"], "clinic": b["location_id"],
                      "reference": b["reference"], "posted on": b["journal_date"],
                      "difference": b["difference_cents"], "what": b["detail"]})
    return format_table(t, money=["difference"])


def _findings_of(result: Any) -> Any:
    f = result.findings
    t = pd.DataFrame({"kind": f["kind"].astype(str).str.replace("_", " "), "date": f["date"],
                      "clinic": f["location_id"], "reference": f["reference"],
                      "at stake": f["amount_cents"], "what": f["detail"]})
    return format_table(t, money=["at stake"])


def charge_findings_table(close: DailyClose) -> Any | None:
    """Missed charges, charges without a visit and charges entered twice (``None`` when there
    is none)."""
    if close.charge_capture.findings.empty:
        return None
    return _findings_of(close.charge_capture)


def charge_lag_table(close: DailyClose) -> Any:
    """Charge lag, business days from the visit to the charge's entry, by provider and by
    clinic: lines, median, 90th percentile and the share entered within the target."""
    cc = close.charge_capture
    parts = [cc.lag_by_provider.rename(columns={"provider_id": "who"}).assign(by="provider"),
             cc.lag_by_location.rename(columns={"location_id": "who"}).assign(by="clinic")]
    lag = pd.concat(parts, ignore_index=True)
    target = close.settings["charge_lag_target_days"]
    t = pd.DataFrame({"by": lag["by"], "provider or clinic": lag["who"],
                      "charge lines": lag["lines"], "median days": lag["median_days"],
                      "90th percentile days": lag["p90_days"],
                      f"within {target} days": lag["within_target_share"]})
    return format_table(t, count=["charge lines", "median days", "90th percentile days"],
                        pct=[f"within {target} days"])


def filing_table(close: DailyClose) -> Any | None:
    """Claims near or past their payer's filing limit, soonest deadline first (``None`` when
    there is none)."""
    w = close.timely_filing.worklist
    if w.empty:
        return None
    t = pd.DataFrame({"claim": w["claim_id"], "payer": w["payer_id"],
                      "clinic": w["location_id"], "date of service": w["date_of_service"],
                      "state": w["state"], "limit (days)": w["timely_filing_days"],
                      "deadline": w["deadline"], "days left": w["days_left"],
                      "at stake": w["open_cents"]})
    return format_table(t, money=["at stake"], count=["limit (days)", "days left"])


def bank_table(close: DailyClose) -> Any:
    """The bank reconciliation's proof: the statement's balance, deposits in transit and
    outstanding checks, the book's balance and the statement's lines not in the books, and the
    difference (0 when reconciled)."""
    proof = close.bank_reconciliation.proof
    money = [c for c in proof.columns if c.endswith("_cents")]
    return format_table(proof, money=money)


def bank_items_table(close: DailyClose) -> Any | None:
    """The items that explain the reconciliation: deposits in transit, outstanding checks and
    statement lines not in the books (``None`` when there is none)."""
    b = close.bank_reconciliation
    parts = [pd.DataFrame({"item": "deposit in transit", "date": b.deposits_in_transit["date"],
                           "reference": b.deposits_in_transit["entry_id"],
                           "amount": b.deposits_in_transit["amount_cents"],
                           "what": b.deposits_in_transit["description"]}),
             pd.DataFrame({"item": "outstanding " + b.outstanding_checks["kind"].astype(str),
                           "date": b.outstanding_checks["date"],
                           "reference": b.outstanding_checks["reference"],
                           "amount": -b.outstanding_checks["amount_cents"],
                           "what": b.outstanding_checks["description"]}),
             pd.DataFrame({"item": "statement line not in the books",
                           "date": b.bank_not_in_books["date"],
                           "reference": b.bank_not_in_books["line_id"],
                           "amount": b.bank_not_in_books["amount_cents"],
                           "what": b.bank_not_in_books["description"]})]
    parts = [p for p in parts if len(p)]
    if not parts:
        return None
    return format_table(pd.concat(parts, ignore_index=True), money=["amount"])


def ap_aging_table(close: DailyClose) -> Any:
    """Open invoices by how far past their due date, with the total."""
    a = close.accounts_payable.aging
    t = pd.concat([a, pd.DataFrame([{"bucket": "total", "invoices": int(a["invoices"].sum()),
                                     "open_cents": int(a["open_cents"].sum())}])],
                  ignore_index=True)
    t = t.rename(columns={"bucket": "days past due", "open_cents": "open"})
    return format_table(t, money=["open"], count=["invoices"])


def ap_findings_table(close: DailyClose) -> Any | None:
    """Invoices paid twice, discounts missed and invoices past due (``None`` when there is
    none)."""
    if close.accounts_payable.findings.empty:
        return None
    return _findings_of(close.accounts_payable)


def forecast_table(close: DailyClose) -> Any:
    """The forecast week by week: opening balance, receipts, payments and closing balance,
    with the band and whether the week ends below the minimum."""
    w = close.cash_forecast.weeks
    t = pd.DataFrame({
        "week": w["week"], "from": w["start"], "to": w["end"], "opening": w["opening_cents"],
        "payers": w["payer_open_ar_cents"] + w["payer_new_visits_cents"],
        "patients": w["patient_cents"], "invoices": -(w["ap_cents"] + w["uncleared_cents"]),
        "payroll": -w["payroll_cents"], "recurring debits": -w["recurring_cents"],
        "closing": w["closing_cents"], "low": w["low_cents"], "high": w["high_cents"],
        "below minimum": w["below_minimum"].map({True: "YES", False: ""})})
    return format_table(t, money=["opening", "payers", "patients", "invoices", "payroll",
                                  "recurring debits", "closing", "low", "high"],
                        count=["week"], whole_dollars=True,
                        caption=" ".join(close.cash_forecast.notes))


# --- charts ---------------------------------------------------------------------------------

def _money_label(cents: int) -> str:
    """Money as a chart prints it: whole dollars, the dollar sign escaped from mathtext."""
    return fmt_money(cents, whole=True).replace("$", r"\$")


def plot_close_calendar(close: DailyClose, figure: Any) -> None:
    """The day-close calendar of the close date's month, a panel per clinic: each business
    day a square, balanced days green, days with a finding red (with the money at stake),
    days without a close grey (no receipts, a holiday, after the close date)."""
    from matplotlib.patches import Patch, Rectangle

    days = close.day_close.days
    first = close.close_date.replace(day=1)
    last = first + pd.offsets.MonthEnd(0)
    month = pd.date_range(first, last, freq="D")
    month = month[month.day_of_week < 5]
    weeks = sorted({(d - pd.Timedelta(days=d.weekday())) for d in month})
    locations = sorted(days["location_id"].astype(str).unique())
    found = close.day_close.findings
    axes = figure.subplots(1, max(len(locations), 1), squeeze=False)[0]
    colours = {"balanced": GOOD, "short": BAD, "none": "#e6e6e6"}
    for ax, location in zip(axes, locations, strict=False):
        mine = days[((days["location_id"] == location) & (days["date"] >= first)
                     & (days["date"] <= last)).to_numpy()].set_index("date")
        for d in month:
            row, col = weeks.index(d - pd.Timedelta(days=d.weekday())), d.weekday()
            state = ("none" if d not in mine.index or d > close.close_date
                     else "balanced" if mine.at[d, "balanced"] else "short")
            ax.add_patch(Rectangle((col, row), 0.94, 0.94, color=colours[state]))
            ax.text(col + 0.08, row + 0.3, str(d.day), fontsize=8,
                    color="white" if state != "none" else NEUTRAL)
            if state == "short":
                at = found[(found["date"] == d).to_numpy() & (found["location_id"].isna()
                                                              | (found["location_id"]
                                                                 == location)).to_numpy()]
                whole = "*" if at["location_id"].isna().any() else ""
                ax.text(col + 0.08, row + 0.75,
                        _money_label(int(at["amount_cents"].sum())) + whole, fontsize=7,
                        color="white")
        ax.set_xlim(0, 5)
        ax.set_ylim(len(weeks), 0)
        ax.set_xticks(np.arange(5) + 0.47, ["Mon", "Tue", "Wed", "Thu", "Fri"])
        ax.set_yticks(np.arange(len(weeks)) + 0.47, [f"{w:%-d %b}" for w in weeks])
        ax.tick_params(length=0)
        ax.grid(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(f"{location}")
        ax.set_xlabel("weekday")
        if ax is axes[0]:
            ax.set_ylabel("week beginning")
    figure.suptitle(f"Day close, {first:%B %Y}: balanced days green, short days red",
                    fontweight="bold")
    figure.legend(handles=[Patch(color=GOOD, label="balanced"),
                           Patch(color=BAD, label="short (money at stake; * the day's deposit, "
                                                 "every clinic)"),
                           Patch(color="#e6e6e6", label="no close (no receipts, holiday, "
                                                        "after the close date)")],
                  loc="lower center", ncol=3, fontsize=8, bbox_to_anchor=(0.5, -0.02))


def plot_rollforward_waterfall(close: DailyClose, ax: Any) -> None:
    """The close date's month of A/R as a waterfall: opening, charges, payments,
    adjustments, refunds, closing; the sub-ledger's closing beside it when they differ."""
    m = close.ar_rollforward.monthly
    month = close.close_date.strftime("%Y-%m")
    row = m[((m["responsible"] == "total") & (m["month"] == month)).to_numpy()].iloc[0]
    steps = [("charges", int(row["charges_cents"])), ("payments", int(row["payments_cents"])),
             ("adjustments", int(row["adjustments_cents"])),
             ("refunds", int(row["refunds_cents"]))]
    level = int(row["opening_cents"])
    labels, bottoms, heights, colours = ["opening A/R"], [0], [level], [NEUTRAL]
    for name, change in steps:
        labels.append(name)
        bottoms.append(level + min(change, 0))
        heights.append(abs(change))
        colours.append(PALETTE[0] if change >= 0 else PALETTE[1])
        level += change
    labels.append("closing A/R")
    bottoms.append(0)
    heights.append(int(row["closing_cents"]))
    colours.append(NEUTRAL)
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        change = (h if i in (0, len(labels) - 1)
                  else (steps[i - 1][1]))
        ax.text(i, b + h, _money_label(change), ha="center", va="bottom", fontsize=8)
    note = ""
    if int(row["difference_cents"]):
        note = ("\nthe sub-ledger's closing A/R is "
                f"{_money_label(int(row['subledger_closing_cents']))}: the journal differs by "
                f"{_money_label(int(row['difference_cents']))} (breaks named below)")
    ax.set_xticks(x, labels)
    ax.margins(y=0.08)
    ax.set_title(f"A/R roll-forward, {close.close_date:%B %Y}")
    ax.set_xlabel("opening A/R, the month's postings, closing A/R" + note)
    ax.set_ylabel("accounts receivable (US$)")
    money_axis(ax)


def plot_charge_lag(close: DailyClose, ax: Any) -> None:
    """Charge lag by provider: the share of charge lines entered within the target of
    business days from the visit, each bar labelled with the median and 90th percentile
    lag."""
    lag = close.charge_capture.lag_by_provider.iloc[::-1]
    target = close.settings["charge_lag_target_days"]
    y = np.arange(len(lag))
    share = lag["within_target_share"].to_numpy(dtype=float) * 100
    ax.barh(y, share, color=PALETTE[0])
    for i, (s, median, p90) in enumerate(zip(share, lag["median_days"], lag["p90_days"],
                                             strict=True)):
        ax.text(min(s, 100) - 1, i, f"{s:.1f} %  (median {median:g}, 90th percentile "
                                    f"{p90:g} day{'' if p90 == 1 else 's'})",
                ha="right", va="center", fontsize=8, color="white")
    ax.set_yticks(y, lag["provider_id"].astype(str))
    ax.set_xlim(0, 100)
    ax.grid(False)
    ax.set_title(f"Charge lag by provider: lines entered within {target} business days")
    ax.set_xlabel(f"charge lines entered within {target} business days of the visit (%)")
    ax.set_ylabel("provider")


def plot_forecast(close: DailyClose, ax: Any) -> None:
    """The cash forecast: the expected closing balance week by week with its band (payers
    paying slow or fast), the minimum balance, and the first week below it marked."""
    fc = close.cash_forecast
    w = fc.weeks
    ends = w["end"].to_numpy()
    ax.fill_between(ends, w["low_cents"], w["high_cents"], color=PALETTE[4], alpha=0.35,
                    label="band (payers slow to fast)")
    ax.plot(ends, w["closing_cents"], color=PALETTE[0], marker="o", markersize=3,
            label="expected balance")
    ax.axhline(fc.minimum_balance_cents, color=BAD, linestyle="--", linewidth=1,
               label="minimum balance")
    if fc.first_week_below_minimum is not None:
        first = w[(w["week"] == fc.first_week_below_minimum).to_numpy()].iloc[0]
        ax.plot([first["end"]], [first["closing_cents"]], marker="v", color=BAD,
                markersize=9, linestyle="none",
                label=f"first week below the minimum (week {fc.first_week_below_minimum})")
    ax.set_title(f"{len(w)}-week cash forecast from {close.close_date:%-d %B %Y}")
    ax.set_xlabel("week ending")
    ax.set_ylabel("bank balance (US$)")
    money_axis(ax)
    ax.tick_params(axis="x", rotation=45)
    legend_outside(ax)


# --- explorer -------------------------------------------------------------------------------

def explorer(inputs: DailyCloseInputs, **parameters: Any) -> Any:
    """Pick a day and a clinic to see its close, and change the forecast's assumptions (the
    minimum balance, the receipts expected, the payroll load): each change recomputes the
    close (:func:`pracops.daily_close.chain.compute`, which writes no file) and redraws the
    day's close, its month's calendar and the forecast.

    Parameters
    ----------
    inputs
        :class:`pracops.daily_close.chain.DailyCloseInputs` (``result.inputs`` of
        :func:`pracops.daily_close.chain.run`).
    parameters
        As for :func:`pracops.daily_close.chain.compute` (``result.parameters``); the
        controls start from ``close_date`` (empty: the default close date),
        ``minimum_balance``, ``receipts_factor`` and ``payroll_load_pct``.

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws when one changes.
    """
    import ipywidgets as w
    from IPython.display import Markdown, display

    declared = PARAMETERS.defaults(run_only=True)
    base = dict(parameters)
    start = base.pop("close_date", "") or chain.default_close_date(inputs).date().isoformat()
    desk = inputs.front_desk_payments
    days = sorted({d.date() for d in desk["date"]} | {pd.Timestamp(start).date()})
    day = w.Dropdown(options=[(f"{d:%a %-d %b %Y}", d.isoformat()) for d in days],
                     value=pd.Timestamp(start).date().isoformat())
    locations = sorted(desk["location_id"].astype(str).unique())
    clinic = w.Dropdown(options=[("every clinic", "")] + [(c, c) for c in locations])
    minimum = slider(float(base.pop("minimum_balance", declared["minimum_balance"])),
                     0, 500000, 10000, ",.0f")
    receipts = slider(float(base.pop("receipts_factor", declared["receipts_factor"])),
                      0.5, 1.5, 0.05, ".2f")
    load = slider(float(base.pop("payroll_load_pct", declared["payroll_load_pct"])),
                  0, 40, 1, ".0f")

    def showing() -> str:
        where = clinic.value or "every clinic"
        return (f"the close of {day.value} at {where}; forecast with a minimum balance of "
                f"{fmt_money(round(minimum.value * 100))}, receipts × {receipts.value:.2f}, "
                f"payroll load {load.value:.0f} %")

    def draw() -> None:
        close = chain.compute(inputs, **base, close_date=day.value,
                              minimum_balance=round(minimum.value, 2),
                              receipts_factor=receipts.value, payroll_load_pct=load.value)
        fig = chain.summary_figures(close)
        display(Markdown(summary_text(close, fig)))
        display(day_close_table(close, clinic.value or None))
        display(chart(lambda figure: plot_close_calendar(close, figure),
                      alt=f"Day-close calendar of {close.close_date:%B %Y} by clinic: "
                          "balanced days green, short days red."))
        low = fig["first_week_below_minimum"]
        display(chart(lambda figure: plot_forecast(close, figure.subplots()),
                      alt=f"Cash forecast from {fig['close_date']}: low point "
                          f"{fmt_money(fig['cash_low_point_cents'])} in week "
                          f"{fig['cash_low_point_week']}; "
                          + ("never below the minimum." if low is None
                             else f"first below the minimum in week {low}.")))

    return panel({"Day": day, "Clinic": clinic, "Minimum balance ($)": minimum,
                  "Receipts expected (× forecast)": receipts,
                  "Payroll taxes and benefits (% of gross)": load}, draw, showing=showing)
