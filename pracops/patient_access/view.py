"""What the patient access notebook shows: the summary in words and the charts (the weekly
no-show p-chart, no-shows by weekday and hour, the no-show rate by provider, visit type,
lead-time band and payer class with its interval, lead times, third next available by
provider and day, the parts of a visit by hour), from a
:class:`~pracops.patient_access.chain.PatientAccess`, and the explorer (provider, visit type,
period, overbooking tolerance) over :func:`~pracops.patient_access.chain.explore`.
Nothing here shows a patient's name or id: groups are providers, visit types, payers and
weeks; claims by their number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from pracops.patient_access import chain, model
from pracops.patient_access.chain import PatientAccess, Selection
from pracops.report import (
    BAD,
    NEUTRAL,
    fmt_count,
    fmt_money,
    fmt_pct,
    format_table,
    legend_outside,
    md_text,
    no_math,
)

__all__ = ["GROUP_DIMENSIONS", "HEADLINE_FIGURES", "alert_text", "cycle_location_table",
           "denials_table", "explorer", "figures", "kinds_table", "late_table", "lost_table",
           "overbooking_table", "plot_cycle", "plot_grid", "plot_groups", "plot_leads",
           "plot_p_chart", "plot_tnaa", "selection_text", "summary_text", "template_table",
           "tnaa_table"]

HEADLINE_FIGURES = ("no_show_rate", "revenue_lost_cents", "problems")

GROUP_DIMENSIONS = ("provider", "visit type", "lead-time band", "payer class", "reminder")
"""The breakdowns the no-show chart shows (weekday and hour are the heatmap's)."""


def _count(n: int, one: str, many: str | None = None) -> str:
    """``n`` and its noun, singular or plural: "1 week", "70 claims"."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def figures(result: PatientAccess, access_target_days: int = 14) -> dict[str, Any]:
    """The figures a scheduled run records."""
    never = result.denials[result.denials["never_checked"]]
    practice = result.late.iloc[-1]
    return {
        "as_of": result.as_of.isoformat(),
        "no_show_rate": round(result.practice_rate, 4),
        "revenue_lost_cents": result.revenue_lost_cents,
        "late_cancellations": int(practice["late"]),
        "late_cancel_rate": round(float(practice["rate"]), 4),
        "weeks_above_limit": int(result.chart["above"].sum()),
        "reminder_difference": round(float(result.reminders["difference"]), 4),
        "tnaa_over_target": sorted(result.tnaa.loc[
            result.tnaa["days"] > access_target_days, "provider_id"].tolist()),
        "missing_checkout": result.missing_checkout,
        "verified_ahead_share": (round(float(result.verification["share"]), 4)
                                 if result.verification["visits"] else None),
        "eligibility_denials": len(result.denials),
        "eligibility_denied_cents": int(result.denials["denied_cents"].sum()),
        "unverified_denials": len(never),
        "unverified_denied_cents": int(never["denied_cents"].sum()),
        "overbooking_extra_bookings": int(result.overbooking["extra"].sum()),
        "problems": len(result.problems),
    }


def alert_text(problem: dict[str, Any], practice_rate: float,
               access_target_days: int = 14) -> str:
    """A problem (:func:`pracops.patient_access.findings.find`) as one sentence for the
    manager: what, where, how much, against what (a group's no-show rate against the
    practice's ``practice_rate``). A problem's ``kept`` counts its completed visits and
    no-shows together: the rate's denominator."""
    kind = problem["kind"]
    if kind == "no_show_group":
        where = (f"{problem['provider_id']}, {problem['weekday']} {problem['session']}s"
                 if "provider_id" in problem else f"{problem['dimension']} {problem['group']}")
        return (f"No-shows high for {where}: {problem['no_shows']:,} of {problem['kept']:,} "
                f"visits ({fmt_pct(problem['no_shows'] / problem['kept'])}), against "
                f"{fmt_pct(practice_rate)} for the practice.")
    if kind == "no_show_week":
        return (f"No-shows above the control limit in the week of {problem['week']}: "
                f"{problem['no_shows']:,} of {problem['kept']:,} visits "
                f"({fmt_pct(problem['no_shows'] / problem['kept'])}).")
    if kind == "third_next_available":
        if problem.get("beyond_template"):
            return (f"No third open appointment with {problem['provider_id']} in the schedule "
                    f"on {problem['measured_on']}: at least {problem['days']} days out, above "
                    f"the target of {access_target_days} days.")
        return (f"Third next available appointment with {problem['provider_id']} is "
                f"{problem['days']} days out on {problem['measured_on']}, above the target of "
                f"{access_target_days} days.")
    if kind == "long_lead_time":
        return (f"Patients wait {problem['median_days']:.0f} days (median) from booking to "
                f"their {problem['visit_type']} visit.")
    if kind == "afternoon_room_wait":
        return (f"At {problem['location_id']}, patients wait "
                f"{problem['afternoon_median_minutes']:.0f} minutes (median) for a room in the "
                f"afternoon, against {problem['morning_median_minutes']:.0f} in the morning.")
    if kind == "unverified_eligibility_denials":
        return (f"{problem['payer_id']}: {_count(len(problem['claims']), 'claim')} denied for "
                f"eligibility, {fmt_money(problem['denied_cents'])}, on visits whose insurance "
                "was never checked.")
    raise ValueError(f"no sentence for a problem of kind {kind!r}")


def summary_text(result: PatientAccess, access_target_days: int = 14,
                 wait_target_minutes: int = 20) -> str:
    """The executive summary in words."""
    fig = figures(result, access_target_days)
    r = result.reminders
    late = result.late.iloc[-1]
    lines = [
        f"- No-show rate {fmt_pct(result.practice_rate)} from {result.start} to "
        f"{result.as_of}{_trend(result.chart)}; {_count(fig['weeks_above_limit'], 'week')} "
        "above the p-chart's limit.",
        f"- Revenue lost to no-shows: {fmt_money(result.revenue_lost_cents)} (each no-show "
        "at the average paid per completed visit of its type and payer class)"
        + _largest_loss(result) + ".",
        f"- Late cancellations: {int(late['late'])}, {fmt_pct(late['rate'])} of the visits "
        f"still booked when the window opened (95 % interval {fmt_pct(late['low'])} to "
        f"{fmt_pct(late['high'])}); counted apart from no-shows.",
        f"- {_reminder_effect(r['difference'], r['low'], r['high'])}",
        f"- {_tnaa_sentence(result, access_target_days)}",
        (f"- Insurance verified ahead: {fmt_pct(fig['verified_ahead_share'])} of the "
         f"{result.verification['visits']:,} completed visits had an active eligibility "
         f"check {result.verification['days_ahead']} days or more before the visit. "
         if result.verification["visits"] else "- No completed visit in the period. ")
        + _denials_sentence(result),
    ]
    if result.cycle_locations is not None:
        worst = result.cycle_locations.loc[result.cycle_locations["room_wait"].idxmax()]
        lines.append(
            f"- Longest wait for a room: {worst['room_wait']:.0f} minutes on average at "
            f"{md_text(str(worst['location_id']))} for appointments at {worst['hour']}, where "
            f"{int(worst['over_target']):,} of {int(worst['visits']):,} patients waited past "
            f"the {wait_target_minutes}-minute target; "
            f"{_count(result.missing_checkout, 'visit')} without a checkout time (counted, "
            "left out of checkout only).")
    return no_math("\n".join(lines))


def _tnaa_sentence(result: PatientAccess, target: int) -> str:
    """The providers whose third next available is over ``target`` days on the as-of day,
    each with its days."""
    over = result.tnaa[result.tnaa["days"] > target]
    if over.empty:
        return (f"Third next available appointment within the {target}-day target for every "
                "provider.")
    each = ", ".join(f"{md_text(str(r.provider_id))} ({'at least ' if r.beyond_template else ''}"
                     f"{r.days} days)" for r in over.itertuples())
    return (f"Third next available appointment over the {target}-day target on "
            f"{result.as_of}: {each}.")


def _denials_sentence(result: PatientAccess) -> str:
    """The eligibility denials in words: how many, their money, and how their visits were
    checked."""
    every = result.denials_by_payer.iloc[-1]
    if not every["claims"]:
        return "No claim was denied for eligibility."
    never = result.denials[result.denials["never_checked"]]
    return (f"Claims denied for eligibility: {fmt_count(every['claims'])}, "
            f"{fmt_money(int(every['denied_cents']))}; of their visits "
            f"{fmt_count(every['verified_ahead'])} were verified ahead, "
            f"{fmt_count(every['checked_late'])} checked late or found not active, and "
            f"{fmt_count(every['never_checked'])} never checked "
            f"({fmt_money(int(never['denied_cents'].sum()))}; by payer in the table under "
            "Insurance verification).")


def _trend(chart: pd.DataFrame, weeks: int = 4) -> str:
    """The no-show rate of the p-chart's last ``weeks`` weeks against the weeks before them,
    as a clause ("; the last 4 weeks 7.1 % (95 of 1,340 visits), up from 6.8 % before"), or
    nothing when the period has no week before them."""
    last, before = chart.tail(weeks), chart.iloc[:-weeks]
    if before.empty or not last["kept"].sum():
        return ""
    now = last["no_shows"].sum() / last["kept"].sum()
    then = before["no_shows"].sum() / before["kept"].sum()
    way = ("the same as" if fmt_pct(now) == fmt_pct(then)
           else "up from" if now > then else "down from")
    return (f"; the last {weeks} weeks {fmt_pct(now)} ({int(last['no_shows'].sum()):,} of "
            f"{int(last['kept'].sum()):,} visits), {way} {fmt_pct(then)} before")


def _reminder_effect(difference: float, low: float, high: float) -> str:
    """The reminder's effect (reminded less not reminded) in percentage points, with its
    interval, as a sentence: "lower" or "higher", never a bare signed difference."""
    def points(x: float) -> str:
        return f"{abs(x) * 100:.1f}"

    among = (f"Among visits booked {model.VERIFY_DAYS_AHEAD} days or more ahead (those a "
             "reminder can reach), ")
    if low < 0 < high:
        return (f"{among}reminders make no clear difference to the no-show rate: "
                f"{points(difference)} points {'lower' if difference < 0 else 'higher'} with "
                f"one (95 % interval {low * 100:+.1f} to {high * 100:+.1f} points).")
    way = "lower" if difference < 0 else "higher"
    near, far = sorted((abs(low), abs(high)))
    return (f"{among}visits with a reminder have a no-show rate {points(difference)} points {way} "
            f"than those without (95 % interval {points(near)} to {points(far)} points {way}).")


def _largest_loss(result: PatientAccess) -> str:
    """The payer class whose no-shows cost the most, as the end of the summary's sentence;
    nothing without a lost cent."""
    lost = result.lost_by_payer
    if lost.empty or int(lost["lost_cents"].max()) == 0:
        return ""
    top = lost.loc[lost["lost_cents"].idxmax()]
    return (f"; {fmt_money(int(top['lost_cents']))} of it from "
            f"{md_text(str(top['payer_class']))} patients' no-shows, the most of any payer "
            "class (the table is under the no-show charts)")


def lost_table(result: PatientAccess) -> Any:
    """Revenue lost to no-shows by payer class."""
    lost = result.lost_by_payer
    given = int(lost["given"].sum())
    if not given:  # no price given as a parameter: nothing to say about it
        lost = lost.drop(columns="given")
    table = lost.rename(columns={
        "payer_class": "payer class", "no_shows": "no-shows", "given": "priced as given",
        "at_type_average": "priced at their visit type's average", "unpriced": "not priced",
        "lost_cents": "revenue lost"})
    return format_table(table, money=["revenue lost"],
                        count=[c for c in ("no-shows", "priced as given",
                                           "priced at their visit type's average",
                                           "not priced") if c in table.columns],
                        caption=("Each no-show at the expected payment given for its visit "
                                 "type (the expected_payment parameter) where there is one, "
                                 "else " if given else "Each no-show ")
                        + "at the average paid per completed visit of its "
                          "visit type and payer class; at its type's average over every "
                          "payer where that pair has no completed visit (counted). The "
                          "rows add up to the total "
                          f"({fmt_money(result.revenue_lost_cents)}), rounded once.")


def denials_table(result: PatientAccess) -> Any:
    """The claims denied for eligibility by payer, their money, and how their visits were
    checked."""
    table = result.denials_by_payer.rename(columns={"payer_id": "payer",
                                                    "denied_cents": "denied"})
    return format_table(table, money=["denied"],
                        count=["claims", "verified_ahead", "checked_late", "never_checked"],
                        caption="Claims whose remittance gives an eligibility reason (CARC 26, "
                                "27, 31-35, 39, 177, 200). Verified ahead: an active check "
                                f"{model.VERIFY_DAYS_AHEAD} days or more before the visit; "
                                "checked late: checked, but later than that or not found "
                                "active; never checked: no check at all.")


def late_table(result: PatientAccess) -> Any:
    """Late cancellations by provider, visit type, weekday, hour, lead-time band, payer class
    and reminder, and for the practice, with their Wilson intervals."""
    table = result.late.rename(columns={
        "dimension": "by", "late": "late cancellations", "kept": "completed or missed",
        "held": "still booked when the window opened", "low": "95 % low",
        "high": "95 % high"})
    return format_table(table, pct=["rate", "95 % low", "95 % high"],
                        count=["late cancellations", "completed or missed",
                               "still booked when the window opened"])


def kinds_table(result: PatientAccess) -> Any:
    """Lead times of new and established patients apart (or, for an older export without
    ``patient_kind``, a note that only the combined figure is shown)."""
    if result.kinds is None:
        from IPython.display import Markdown

        return Markdown("The appointments do not say which patients are new: the lead times "
                        "above are new and established patients combined.")
    table = result.kinds.rename(columns={
        "patient_kind": "patient", "median_days": "median days from booking",
        "p90_days": "90th percentile days from booking",
        "median_from_request_days": "median days from the day asked for",
        "p90_from_request_days": "90th percentile days from the day asked for"})
    return format_table(table, count=["visits"],
                        caption="Days from booking, and from the day the patient asked for "
                                "(booking where none was asked), to the visit: completed "
                                "visits and no-shows of the period.")


def template_table(result: PatientAccess) -> Any:
    """The template's slots of the period by type: blocked, booked, unfilled, utilisation."""
    return format_table(result.template, pct=["utilisation"],
                        count=["slots", "blocked", "booked", "unfilled"],
                        caption="Utilisation: booked ÷ the slots not blocked. A slot freed by "
                                "a cancellation and not refilled counts as unfilled.")


def plot_p_chart(result: PatientAccess | Selection, ax: Any) -> None:
    chart = result.chart
    ax.plot(chart["week"], chart["rate"] * 100, marker="o", label="week")
    ax.plot(chart["week"], chart["centre"] * 100, label="practice")
    ax.step(chart["week"], chart["upper"] * 100, where="mid", linestyle="--",
            label="upper limit")
    above = chart[chart["above"]]
    if len(above):
        ax.scatter(above["week"], above["rate"] * 100, color="red", zorder=3, label="above")
    ax.set(title="No-show rate by week (p-chart)", xlabel="Week", ylabel="No-show rate (%)")
    legend_outside(ax)


def plot_grid(result: PatientAccess, ax: Any) -> None:
    grid = result.grid
    image = ax.imshow(grid.to_numpy(dtype=float) * 100, aspect="auto", cmap="Reds")
    ax.set_xticks(range(len(grid.columns)), grid.columns)
    ax.set_yticks(range(len(grid.index)), grid.index)
    ax.set(title="No-show rate by weekday and hour", xlabel="Hour", ylabel="Weekday")
    ax.figure.colorbar(image, ax=ax, label="No-show rate (%)")


def plot_leads(result: PatientAccess, ax: Any) -> None:
    """How far ahead visits are booked: for each visit type, the share of its visits in each
    lead-time band (the distribution; its median in the legend)."""
    spread = result.lead_spread
    medians = result.leads.set_index("visit_type")["median_days"]
    share = spread.div(spread.sum(axis=1).where(lambda n: n > 0), axis=0) * 100
    x = np.arange(len(spread.columns))
    width = 0.8 / max(len(spread.index), 1)
    for i, (kind, row) in enumerate(share.iterrows()):
        median = medians.get(kind)
        label = kind if median is None or pd.isna(median) else f"{kind} (median {median:g} days)"
        ax.bar(x - 0.4 + width * (i + 0.5), row.to_numpy(), width, label=label)
    ax.set_xticks(x, list(spread.columns))
    ax.set(title="How far ahead visits were booked", xlabel="Days from booking to visit",
           ylabel="Share of the visit type's visits (%)")
    ax.legend(fontsize="small")


def tnaa_table(result: PatientAccess, target: int = 14) -> Any:
    """Per provider: the third next available on the as-of day, its median over the last four
    weeks and over the period, and on how many of the days measured it was over target."""
    by_day = result.tnaa_days
    provider = by_day.groupby("provider_id")
    recent = by_day[by_day["day"] > result.as_of - dt.timedelta(weeks=4)]
    today = result.tnaa.set_index("provider_id")
    third = today["third_open"].astype("str").where(~today["beyond_template"],
                                                    "beyond the schedule")
    table = pd.DataFrame({
        "third_open": third,
        "days": today["days"].astype("Int64"),
        "median_last_4_weeks": recent.groupby("provider_id")["days"].median(),
        "median_of_period": provider["days"].median(),
        "days_over_target": (by_day["days"] > target).groupby(by_day["provider_id"]).sum(),
        "days_measured": provider.size(),
    }).rename_axis("provider").reset_index()
    table = table.rename(columns={"third_open": f"third open slot on {result.as_of}",
                                  "days": f"days on {result.as_of}"})
    return format_table(table, count=["days_over_target", "days_measured"],
                        caption=f"Calendar days to the third open slot (IHI), measured on "
                                f"each day the practice was open from {result.start}; target "
                                f"{target} days. A slot booked later counts as open on the "
                                "days before its booking. With fewer than three open slots "
                                "left in the schedule, the day counts as one past its end "
                                "(the least it can be).")


def plot_tnaa(result: PatientAccess, ax: Any, target: int = 14) -> None:
    """Third next available by provider and day the practice was open, coloured against the
    target (green under it, red over it), the days over target ringed."""
    from matplotlib.colors import TwoSlopeNorm

    by_day = result.tnaa_days
    if by_day.empty:
        ax.set_axis_off()
        ax.set_title("Third next available: no provider had three open slots ahead")
        return
    grid = by_day.pivot(index="provider_id", columns="day", values="days")
    centre = max(float(target), 0.5)  # a target of 0: every day of 1 or more is over it
    top = max(float(np.nanmax(grid.to_numpy(dtype=float))), 2.0 * centre)
    image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="RdYlGn_r",
                      norm=TwoSlopeNorm(vmin=0, vcenter=centre, vmax=top),
                      interpolation="nearest")
    months = [i for i, day in enumerate(grid.columns)
              if i == 0 or day.month != grid.columns[i - 1].month]
    ax.set_xticks(months, [grid.columns[i].strftime("%b") for i in months])
    ax.set_yticks(range(len(grid.index)), grid.index)
    ax.grid(False)
    rows, columns = np.nonzero(grid.to_numpy(dtype=float) > target)
    if len(rows):  # a day over target is one pixel wide among 250: ringed to be seen
        ax.scatter(columns, rows, s=60, facecolors="none", edgecolors="black", clip_on=False)
    ax.set(title="Third next available by provider, each day the practice was open",
           xlabel=f"Day ({grid.columns[0]} to {grid.columns[-1]})"
           + ("; ringed: over target" if len(rows) else ""), ylabel="Provider")
    ax.figure.colorbar(image, ax=ax, label=f"Calendar days (target {target})")


def plot_cycle(result: PatientAccess, ax: Any) -> None:
    parts = result.cycle[["room_wait", "provider_wait", "with_provider", "checkout"]].rename(
        columns={"room_wait": "wait for a room", "provider_wait": "wait for the provider",
                 "with_provider": "with the provider", "checkout": "checkout"})
    parts.plot.bar(stacked=True, ax=ax, legend=False)
    ax.set(title="Parts of a visit by hour", xlabel="Hour of the appointment",
           ylabel="Minutes (mean)")
    legend_outside(ax)  # inside, it covered the morning's bars


def cycle_location_table(result: PatientAccess) -> Any:
    """The parts of a visit by location and hour of the appointment: mean minutes of each,
    the visits, and those who waited for a room past the target."""
    table = result.cycle_locations.rename(columns={
        "location_id": "location", "room_wait": "wait for a room",
        "provider_wait": "wait for the provider", "with_provider": "with the provider",
        "over_target": "waited for a room past the target"})
    return format_table(table.round(1), count=["visits", "waited for a room past the target"],
                        caption="Mean minutes; checkout over the visits with a checkout time "
                                "only.")


def plot_groups(groups: pd.DataFrame, practice_rate: float, ax: Any,
                dimensions: tuple[str, ...] = GROUP_DIMENSIONS) -> None:
    """Each group's no-show rate with its 95 % (Wilson) interval, one row per group of the
    ``dimensions`` (top to bottom), flagged groups in red, the practice's rate a line. Visits
    whose payer is not known (:data:`~pracops.patient_access.model.UNKNOWN_PAYER`) are
    counted under the axis, not drawn: only a visit that never took place can lack a payer."""
    rows = groups[groups["dimension"].isin(dimensions)].copy()
    unknown = (rows["dimension"] == "payer class") & (rows["group"] == model.UNKNOWN_PAYER)
    hidden, rows = rows[unknown], rows[~unknown]
    rows["order"] = rows["dimension"].map({d: i for i, d in enumerate(dimensions)})
    rows = rows.sort_values("order", kind="stable").reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    rate, low, high = (rows[c].to_numpy(dtype=float) * 100 for c in ("rate", "low", "high"))
    colour = np.where(rows["flagged"], BAD, "#0072B2")
    ax.hlines(y, low, high, color=colour, linewidth=2)
    ax.scatter(rate, y, color=colour, zorder=3)
    ax.axvline(practice_rate * 100, color=NEUTRAL, linestyle="--",
               label=f"practice {fmt_pct(practice_rate)}")
    ax.set_yticks(y, [f"{d}: {g}" for d, g in zip(rows["dimension"], rows["group"],
                                                   strict=True)])
    note = "".join(f"\npayer not known: {int(r.kept)} visits ({int(r.no_shows)} no-shows), "
                   "not drawn" for r in hidden.itertuples())
    ax.set(title="No-show rate by group, with 95 % intervals",
           xlabel="No-show rate (%)" + note, ylabel="Group")
    ax.set_xlim(0, min(100.0, max(float(np.nanmax(high)) if len(rows) else 0.0, 20.0) + 2))
    legend_outside(ax)


def selection_text(sel: Selection) -> str:
    """What the explorer shows, in words (Markdown)."""
    who = " and ".join(filter(None, [md_text(sel.provider), md_text(sel.visit_type)])) \
        or "every provider and visit type"
    if not sel.kept:
        return f"No completed or missed visits of {who} from {sel.start} to {sel.end}."
    above = int(sel.chart["above"].sum())
    extra = int(sel.overbooking["extra"].sum())
    flagged = sel.groups[sel.groups["flagged"]]
    return no_math("\n".join([
        f"**{who}**, {sel.start} to {sel.end}: {fmt_count(sel.no_shows)} no-shows in "
        f"{fmt_count(sel.kept)} visits, **{fmt_pct(sel.rate)}** (95 % interval "
        f"{fmt_pct(sel.low)} to {fmt_pct(sel.high)}); {_count(above, 'week')} above the "
        "p-chart's limit.",
        "",
        "Groups above this rate by the report's rule: "
        + (", ".join(f"{md_text(r.dimension)} {md_text(r.group)} ({fmt_pct(r.rate)})"
                     for r in flagged.itertuples()) or "none") + ".",
        "",
        f"Overbooking at a {sel.tolerance_pct:g} % risk of more arrivals than slots: "
        f"{_count(extra, 'extra booking')} over the next "
        f"{_count(len(sel.overbooking), 'session')} of the template (one per provider, "
        "weekday and morning or afternoon).",
    ]))


def overbooking_table(table: pd.DataFrame, tolerance_pct: float) -> Any:
    """The overbooking suggestion (:func:`pracops.patient_access.model.overbooking_sessions`)
    per provider, weekday and session: the next such session of the template, its slots and
    minutes, the extra bookings it could take at ``tolerance_pct``, and the minutes expected
    idle and over the session's end."""
    table = table.rename(columns={
        "provider_id": "provider", "date": "next session", "session_minutes": "minutes",
        "no_show_chance": "mean no-show chance", "extra": "extra bookings",
        "overflow_risk": "chance of more patients than slots",
        "idle_minutes": "idle minutes", "overflow_minutes": "minutes over"})
    return format_table(table, pct=["mean no-show chance", "chance of more patients than slots"],
                        count=["slots", "minutes", "booked", "extra bookings"],
                        caption=f"Extra bookings: the most that keep the chance of more "
                                f"patients arriving than the session has slots at or under "
                                f"{tolerance_pct:g} %, the session taken as full. A booked "
                                "visit comes with the no-show rate of its provider, weekday "
                                "and session's visits booked as far ahead; an open slot and an "
                                "extra booking with that session's rate. Minutes are expected "
                                "values at the session's mean slot length.")


def explorer(result: PatientAccess, flag_points: float = 5.0,
             overbooking_tolerance_pct: float = 10.0) -> Any:
    """Pick a provider, a visit type and a period, and move the overbooking tolerance: each
    change recomputes the figures (:func:`pracops.patient_access.chain.explore`, no file
    written) and redraws the weekly p-chart, the no-show rates by group and the overbooking
    suggestion.

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws when one changes.
    """
    import ipywidgets as w
    from IPython.display import Markdown, display

    from pracops.widgets import chart, panel, slider

    appointments = result.inputs.appointments
    every = [("every", "")]
    provider = w.Dropdown(options=every + [(p, p) for p in sorted(
        appointments["provider_id"].astype("str").unique())])
    visit_type = w.Dropdown(options=every + [(v, v) for v in sorted(
        appointments["visit_type"].astype("str").unique())])
    period = w.Dropdown(options=chain.periods(result))
    tolerance = slider(float(overbooking_tolerance_pct), 0, 50, 1, ".0f")

    def showing() -> str:
        return (f"provider {provider.label}, visit type {visit_type.label}, {period.label}, "
                f"overbooking tolerance {tolerance.value:g} %")

    def draw() -> None:
        sel = chain.explore(result, provider.value, visit_type.value, *period.value,
                            tolerance_pct=tolerance.value, flag_points=flag_points)
        display(Markdown(selection_text(sel)))
        if not sel.kept:
            return

        def plot(figure: Any) -> None:
            top, bottom = figure.subplots(2, 1, height_ratios=(1, 1.6))
            plot_p_chart(sel, top)
            plot_groups(sel.groups, sel.rate, bottom)

        display(chart(plot, figsize=(9, 9),
                      alt=f"Weekly no-show rate of the selection with its control limits, "
                          f"and its rate by group: {fmt_pct(sel.rate)} overall."))
        display(overbooking_table(sel.overbooking, sel.tolerance_pct))

    return panel({"Provider": provider, "Visit type": visit_type, "Period": period,
                  "Overbooking tolerance (%)": tolerance}, draw, showing=showing)
