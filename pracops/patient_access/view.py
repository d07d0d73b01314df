"""What the patient access notebook shows: the summary in words and the charts (the weekly
no-show p-chart, no-shows by weekday and hour, lead times, third next available by provider,
the parts of a visit by hour), from a :class:`~pracops.patient_access.chain.PatientAccess`.
Nothing here shows a patient's name or id: groups are providers, visit types, payers and
weeks; claims by their number.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pracops.patient_access.chain import PatientAccess
from pracops.report import fmt_money, fmt_pct, format_table, md_text

__all__ = ["HEADLINE_FIGURES", "alert_text", "figures", "late_table", "plot_cycle", "plot_grid",
           "plot_leads", "plot_p_chart", "plot_tnaa", "summary_text"]

HEADLINE_FIGURES = ("no_show_rate", "revenue_lost_cents", "problems")


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
        "unverified_denials": len(never),
        "unverified_denied_cents": int(never["denied_cents"].sum()),
        "problems": len(result.problems),
    }


def alert_text(problem: dict[str, Any], access_target_days: int = 14) -> str:
    """A problem (:func:`pracops.patient_access.findings.find`) as one sentence for the
    manager: what, where, how much, against what."""
    kind = problem["kind"]
    if kind == "no_show_group":
        seen = problem["no_shows"] + problem["kept"]
        where = (f"{problem['provider_id']}, {problem['weekday']} {problem['session']}s"
                 if "provider_id" in problem else f"{problem['dimension']} {problem['group']}")
        return (f"No-shows high for {where}: {problem['no_shows']:,} of {seen:,} visits "
                f"({fmt_pct(problem['no_shows'] / seen)}), well above the practice's rate.")
    if kind == "no_show_week":
        seen = problem["no_shows"] + problem["kept"]
        return (f"No-shows above the control limit in the week of {problem['week']}: "
                f"{problem['no_shows']:,} of {seen:,} visits "
                f"({fmt_pct(problem['no_shows'] / seen)}).")
    if kind == "third_next_available":
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
        return (f"{problem['payer_id']}: {len(problem['claims'])} claim(s) denied for "
                f"eligibility, {fmt_money(problem['denied_cents'])}, on visits whose insurance "
                "was never checked.")
    raise ValueError(f"no sentence for a problem of kind {kind!r}")


def summary_text(result: PatientAccess, access_target_days: int = 14) -> str:
    """The executive summary in words."""
    fig = figures(result, access_target_days)
    r = result.reminders
    late = result.late.iloc[-1]
    lines = [
        f"- No-show rate {fmt_pct(result.practice_rate)} from {result.start} to "
        f"{result.as_of}; {fig['weeks_above_limit']} week(s) above the p-chart's limit.",
        f"- Revenue lost to no-shows: {fmt_money(result.revenue_lost_cents)} (each no-show "
        "at the average paid per completed visit of its type).",
        f"- Late cancellations: {int(late['late'])}, {fmt_pct(late['rate'])} of the visits "
        f"still booked when the window opened (95 % interval {fmt_pct(late['low'])} to "
        f"{fmt_pct(late['high'])}); counted apart from no-shows.",
        f"- {_reminder_effect(r['difference'], r['low'], r['high'])}",
        "- Third next available over target: "
        + (md_text(", ".join(fig["tnaa_over_target"])) or "none") + ".",
        f"- Eligibility denials of visits never checked: {fig['unverified_denials']}, "
        f"{fmt_money(fig['unverified_denied_cents'])}.",
    ]
    if result.cycle is not None:
        worst = result.cycle["room_wait"].idxmax()
        lines.append(f"- Longest wait for a room: {result.cycle.loc[worst, 'room_wait']:.0f} "
                     f"minutes on average at {worst}; {result.missing_checkout} visits "
                     "without a checkout time (counted, left out of checkout only).")
    return "\n".join(lines)


def _reminder_effect(difference: float, low: float, high: float) -> str:
    """The reminder's effect (reminded less not reminded) in percentage points, with its
    interval, as a sentence: "lower" or "higher", never a bare signed difference."""
    def points(x: float) -> str:
        return f"{abs(x) * 100:.1f}"

    if low < 0 < high:
        return (f"Reminders make no clear difference to the no-show rate: "
                f"{points(difference)} points {'lower' if difference < 0 else 'higher'} with "
                f"one (95 % interval {low * 100:+.1f} to {high * 100:+.1f} points).")
    way = "lower" if difference < 0 else "higher"
    near, far = sorted((abs(low), abs(high)))
    return (f"Visits with a reminder have a no-show rate {points(difference)} points {way} "
            f"than those without (95 % interval {points(near)} to {points(far)} points {way}).")


def late_table(result: PatientAccess) -> Any:
    """Late cancellations by provider and for the practice, with their Wilson intervals."""
    return format_table(result.late, pct=["rate", "low", "high"], count=["late", "kept", "held"])


def plot_p_chart(result: PatientAccess, ax: Any) -> None:
    chart = result.chart
    ax.plot(chart["week"], chart["rate"] * 100, marker="o", label="week")
    ax.plot(chart["week"], chart["centre"] * 100, label="practice")
    ax.step(chart["week"], chart["upper"] * 100, where="mid", linestyle="--",
            label="upper limit")
    above = chart[chart["above"]]
    ax.scatter(above["week"], above["rate"] * 100, color="red", zorder=3, label="above")
    ax.set(title="No-show rate by week (p-chart)", xlabel="Week", ylabel="No-show rate (%)")
    ax.legend()


def plot_grid(result: PatientAccess, ax: Any) -> None:
    grid = result.grid
    image = ax.imshow(grid.to_numpy(dtype=float) * 100, aspect="auto", cmap="Reds")
    ax.set_xticks(range(len(grid.columns)), grid.columns)
    ax.set_yticks(range(len(grid.index)), grid.index)
    ax.set(title="No-show rate by weekday and hour", xlabel="Hour", ylabel="Weekday")
    ax.figure.colorbar(image, ax=ax, label="No-show rate (%)")


def plot_leads(result: PatientAccess, ax: Any) -> None:
    leads = result.leads
    x = np.arange(len(leads))
    ax.bar(x - 0.2, leads["median_days"], 0.4, label="median")
    ax.bar(x + 0.2, leads["p90_days"], 0.4, label="90th percentile")
    ax.set_xticks(x, leads["visit_type"])
    ax.set(title="Lead time from booking to visit", xlabel="Visit type", ylabel="Days")
    ax.legend()


def plot_tnaa(result: PatientAccess, ax: Any, target: int = 14) -> None:
    ax.bar(result.tnaa["provider_id"], result.tnaa["days"])
    ax.axhline(target, linestyle="--", color="red", label="target")
    ax.set(title=f"Third next available on {result.as_of}", xlabel="Provider",
           ylabel="Calendar days")
    ax.legend()


def plot_cycle(result: PatientAccess, ax: Any) -> None:
    parts = result.cycle[["room_wait", "provider_wait", "with_provider", "checkout"]]
    parts.plot.bar(stacked=True, ax=ax)
    ax.set(title="Parts of a visit by hour", xlabel="Hour of the appointment",
           ylabel="Minutes (mean)")
