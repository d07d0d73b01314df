"""The compliance calendar's words, tables, charts and widgets: the executive summary and its
alerts, the due/overdue matrix (people × obligations coloured by status), the next twelve
months' timeline, the equipment log problems and the explorer (filters by person, role,
location, kind and window)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pracops import report
from pracops.compliance_calendar.chain import Calendar

__all__ = ["HEADLINE_FIGURES", "alerts", "due_by_month", "explorer", "filter_text",
           "logs_table", "matrix_table", "obligations_table", "plot_due", "plot_readings",
           "plot_status_by_location", "plot_timeline", "reading_groups", "summary_text"]

HEADLINE_FIGURES = ("overdue", "missing", "revenue_at_risk_30_days_cents",
                    "locations_losing_cover")

_COLOURS = {"overdue": "#f4b6b6", "missing": "#f4b6b6", "due": "#fde7a9", "current": "#d8eed8"}


def _label(o: pd.Series) -> str:
    if o["status"] == "due":
        return f"due in {int(o['window_days'])}"
    return str(o["status"])


def _day(value: Any) -> str:
    return "" if pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def summary_text(cal: Calendar) -> str:
    """The executive summary in words (Markdown, input text escaped)."""
    f, w = cal.figures, cal.windows[0]
    lines = [f"As of **{f['as_of']}**: {f['obligations']} obligations, "
             f"**{f['overdue']} overdue** and **{f['missing']} missing** (required, no record)."]
    for item in cal.findings:
        if item["kind"] in ("overdue", "missing"):
            lines.append(f"- {item['kind']}: {report.md_text(item['requirement'])} of "
                         f"{report.md_text(item['subject'])} (due {item['due'] or 'at hire'})")
    lapses = [i for i in cal.findings if i["kind"] == "lapse"]
    lines.append(f"\n**Lapses in the next {w} days** that stop billing or prescribing: "
                 f"{len(lapses)}, revenue at risk "
                 f"**{report.fmt_money(f[f'revenue_at_risk_{w}_days_cents'])}** "
                 f"({report.fmt_money(int(cal.risk['revenue_at_risk_cents'].fillna(0).sum()))} "
                 f"within {cal.windows[-1]} days, lapses already past included).")
    for i in lapses:
        money = ("stop on prescribing controlled substances" if i["effect"] == "prescribing"
                 else f"{i['booked_visits']} booked visits after it, "
                      f"{report.fmt_money(i['revenue_at_risk_cents'] or 0)} at risk")
        payer = f" ({report.md_text(i['payer_id'])})" if i["payer_id"] else ""
        lines.append(f"- {report.md_text(i['requirement'])}{payer} of "
                     f"{report.md_text(i['subject'])} lapses {i['due']}: {money}")
    cover = [i for i in cal.findings if i["kind"] == "coverage"]
    lines.append(f"\n**Locations losing BLS cover**: {len(cover) or 'none'}.")
    for i in cover:
        lines.append(f"- {report.md_text(i['subject'])} from {i['from']} "
                     f"(card of {report.md_text(i['lapsed'])} lapses)")
    lines.append(f"\n**Equipment logs**: {f['log_problems']} problem(s).")
    return report.no_math("\n".join(lines))


def alerts(cal: Calendar) -> list[tuple[str, str]]:
    """``(level, message)`` per problem: critical for overdue, missing, lapses and cover."""
    out = []
    for i in cal.findings:
        level = "warning" if i["kind"] in ("log_gap", "out_of_range", "failed") else "critical"
        where = i.get("due") or i.get("first") or i.get("from") or ""
        what = i.get("requirement") or i["kind"]
        out.append((level, f"{i['kind'].replace('_', ' ')}: {what} {i['subject']} {where}"))
    return out


def matrix_table(cal: Calendar) -> Any:
    """People × obligations, each cell its status (coloured)."""
    people = cal.obligations[cal.obligations["subject_kind"] == "person"].copy()
    people["cell"] = [_label(o) for _, o in people.iterrows()]
    grid = people.pivot_table(index=["subject", "role", "location_id"], columns="requirement",
                              values="cell", aggfunc="first").fillna("")
    grid.columns.name = None

    def colour(text: str) -> str:
        key = "due" if text.startswith("due") else text
        return f"background-color: {_COLOURS[key]}" if key in _COLOURS else ""

    return report.SafeStyler(grid).map(colour)


def obligations_table(cal: Calendar, frame: pd.DataFrame | None = None) -> Any:
    """Open obligations (not current), most urgent first."""
    t = cal.obligations if frame is None else frame
    t = t[t["status"] != "current"].sort_values("due", na_position="first")
    return report.format_table(t[["subject", "title", "payer_id", "location_id", "owner", "due",
                                  "status", "window_days"]], count=["window_days"])


def logs_table(cal: Calendar) -> Any:
    """The equipment log problems."""
    return report.format_table(cal.logs.drop(columns=["reading"]).assign(
        reading=cal.logs["reading"]), caption="Temperatures in °C.").format(
        {"reading": lambda v: report.fmt_count(v, 1)})


def plot_timeline(cal: Calendar, ax: Any) -> None:
    """Obligations due in each of the next twelve months, by kind (stacked bars)."""
    start = cal.as_of.to_period("M")
    months = pd.period_range(start, periods=12, freq="M")
    t = cal.obligations[cal.obligations["due"].notna()]
    t = t.assign(month=t["due"].dt.to_period("M"))
    counts = (t[t["month"].isin(months)].groupby(["month", "kind"]).size().unstack(fill_value=0)
              .reindex(months, fill_value=0))
    bottom = pd.Series(0, index=counts.index)
    labels = [f"{m:%b %Y}" for m in months]
    for kind in counts.columns:
        ax.bar(labels, counts[kind], bottom=bottom, label=str(kind))
        bottom += counts[kind]
    ax.set_title("Obligations due, next 12 months")
    ax.set_xlabel("Month due")
    ax.set_ylabel("Obligations (count)")
    ax.tick_params(axis="x", rotation=45)
    report.bars_whole(ax)
    report.legend_outside(ax)


def plot_status_by_location(cal: Calendar, ax: Any) -> None:
    """Open obligations (overdue, missing, due) per location, stacked by status."""
    t = cal.obligations[cal.obligations["status"] != "current"]
    where = t["location_id"].fillna("practice-wide")
    counts = (t.assign(where=where, shown=[_label(o) for _, o in t.iterrows()])
              .groupby(["where", "shown"]).size().unstack(fill_value=0))
    # most urgent first, each status its own colour: overdue and missing red, the nearer a
    # due date the deeper its amber
    due = sorted((c for c in counts.columns if c.startswith("due")),
                 key=lambda c: int(c.split()[-1]))
    order = [c for c in ("overdue", "missing") if c in counts.columns] + due
    shades = {"overdue": "#c8453c", "missing": "#f4b6b6"} | dict(zip(
        due, ("#f0a030", "#f7c86a", "#fde7a9", "#fef3d4"), strict=False))
    left = pd.Series(0, index=counts.index)
    for status in order:
        ax.barh(counts.index, counts[status], left=left, label=status,
                color=shades.get(status, "#fef3d4"), edgecolor="#555",
                hatch="//" if status == "missing" else None)
        left += counts[status]
    ax.set_title("Open obligations by location")
    ax.set_xlabel("Obligations (count)")
    ax.set_ylabel("Location")
    report.bars_whole(ax)
    report.legend_outside(ax)


def reading_groups(cal: Calendar) -> list[tuple[str, pd.DataFrame]]:
    """The readings kept against a range, by requirement (one chart each)."""
    return [(title, part) for title, part in cal.readings.groupby("title", sort=True)]


def plot_readings(title: str, part: pd.DataFrame, ax: Any) -> None:
    """One line per asset over the last 60 days, the allowed range shaded, readings outside
    it marked."""
    for asset, rows in part.groupby("asset_id"):
        ax.plot(rows["at"], rows["reading"], marker=".", linewidth=0.8, label=str(asset))
    low, high = part["low"].iloc[0], part["high"].iloc[0]
    if pd.notna(low) and pd.notna(high):
        ax.axhspan(low, high, color="#d8eed8", zorder=0, label=f"allowed {low:g}–{high:g} °C")
    out = part[(part["reading"] < part["low"]) | (part["reading"] > part["high"])]
    if len(out):
        ax.scatter(out["at"], out["reading"], color="#b3261e", zorder=3, label="out of range")
    ax.set_title(f"{title}: the last 60 days")
    report.date_axis(ax)
    ax.set_xlabel("Date")
    ax.set_ylabel("Reading (°C)")
    report.legend_outside(ax)


_LATER, _NO_DUE = "later", "no due date"


def due_by_month(cal: Calendar, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Obligations (``frame``, default all) counted by when they fall due and by status:
    rows "overdue or missing" (due before the as-of date, or no record), each of the twelve
    months from the as-of date's, "later", and "no due date" (done once, never renewed, such
    as training at hire); columns the statuses as the matrix shows them ("due in 30"
    …, current)."""
    t = cal.obligations if frame is None else frame
    months = pd.period_range(cal.as_of.to_period("M"), periods=12, freq="M")
    labels = [f"{m:%b %Y}" for m in months]
    month = t["due"].dt.to_period("M")
    bucket = pd.Series(_LATER, index=t.index, dtype="object")
    for m, label in zip(months, labels, strict=True):
        bucket[month == m] = label
    bucket[t["due"].isna()] = _NO_DUE
    bucket[t["status"].isin(["overdue", "missing"])] = "overdue or missing"
    shown = pd.Series([_label(o) for _, o in t.iterrows()], index=t.index, dtype="object")
    order = ["overdue or missing", *labels, _LATER, _NO_DUE]
    counts = pd.crosstab(bucket, shown).reindex(order, fill_value=0)
    statuses = [c for c in ("overdue", "missing", "due in 30", "due in 60", "due in 90",
                            "current") if c in counts.columns]
    return counts[statuses + [c for c in counts.columns if c not in statuses]]


def plot_due(cal: Calendar, frame: pd.DataFrame, ax: Any) -> None:
    """The obligations of ``frame`` by month due (:func:`due_by_month`), stacked by status in
    the matrix's colours."""
    counts = due_by_month(cal, frame)
    bottom = pd.Series(0, index=counts.index)
    for status in counts.columns:
        key = "due" if status.startswith("due") else status
        ax.bar(counts.index, counts[status], bottom=bottom, label=status,
               color=_COLOURS.get(key), edgecolor="#555")
        bottom += counts[status]
    ax.set_title("Obligations by month due and status")
    ax.set_xlabel("Month due")
    ax.set_ylabel("Obligations (count)")
    ax.set_xticks(range(len(counts.index)), counts.index, rotation=45, ha="right",
                  rotation_mode="anchor")
    report.bars_whole(ax)
    if len(counts.columns):
        report.legend_outside(ax)


def filter_text(frame: pd.DataFrame) -> str:
    """The filtered obligations in one sentence (Markdown)."""
    status = frame["status"]
    soon = int(frame["window_days"].notna().sum())
    return (f"**{len(frame)} obligations**: {int((status == 'overdue').sum())} overdue, "
            f"{int((status == 'missing').sum())} missing, {soon} falling due within a warning "
            f"window, {int((status == 'current').sum())} current.")


def explorer(cal: Calendar) -> Any:
    """Filters by person, role, location, kind and window over the obligations: each change
    redraws their count in words, a chart of them by month due and status
    (:func:`plot_due`) and the table of the open ones."""
    import ipywidgets as w
    from IPython.display import Markdown, display

    from pracops.widgets import chart, panel

    t = cal.obligations
    anyone = [("every", "")]
    person = w.Dropdown(options=anyone + [(s, s) for s in sorted(t["subject"].unique())])
    role = w.Dropdown(options=anyone + [(r, r) for r in sorted(t["role"].dropna().unique())])
    location = w.Dropdown(options=anyone + [(x, x) for x in
                                            sorted(t["location_id"].dropna().unique())])
    kind = w.Dropdown(options=anyone + [(k, k) for k in sorted(t["kind"].unique())])
    window = w.Dropdown(options=[("open items", 0)] + [(f"due within {d} days", d)
                                                       for d in cal.windows])

    def chosen() -> pd.DataFrame:
        keep = pd.Series(True, index=t.index)
        for control, column in ((person, "subject"), (role, "role"),
                                (location, "location_id"), (kind, "kind")):
            if control.value:
                keep &= t[column] == control.value
        if window.value:
            keep &= (t["due"] - cal.as_of).dt.days.le(window.value).fillna(False)
        return t[keep]

    def showing() -> str:
        return ", ".join(f"{n} {c.value or 'every'}" for n, c in
                         (("person", person), ("role", role), ("location", location),
                          ("kind", kind))) + f", {window.label}"

    def draw() -> None:
        frame = chosen()
        display(Markdown(filter_text(frame)))
        display(chart(lambda figure: plot_due(cal, frame, figure.subplots()),
                      figsize=(9, 4), alt="Obligations of the filter by month due, stacked "
                                          "by status: " + filter_text(frame).replace("**", "")))
        display(obligations_table(cal, frame))

    return panel({"Person": person, "Role": role, "Location": location, "Kind": kind,
                  "Window": window}, draw, showing=showing)

