"""The compliance calendar, end to end: :func:`run` loads a practice's files, :func:`compute`
calculates (:mod:`~pracops.compliance_calendar.obligations`) and :func:`write_handouts`
writes the worklist workbook and the calendar (``compliance_calendar.ics``).

The calendar is RFC 5545 through the ``icalendar`` package (maintained, parses what it writes,
handles folding, escaping and VALARM): one event per obligation at its due date, with a
reminder at each warning window. An event's UID is the obligation's (subject + requirement
(+ payer)), never the record's, so a renewal moves the event on re-import; its SEQUENCE is the
number of days from 2000-01-01 to the due date, so a renewal (a later due date) always carries
a higher one. The logs that must be kept daily or weekly are one recurring event each (RRULE).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import icalendar
import pandas as pd

from pracops import config, data, report
from pracops.compliance_calendar import REPORT
from pracops.compliance_calendar import obligations as ob

__all__ = ["Calendar", "calendar_ics", "compute", "default_as_of", "load_inputs", "run",
           "write_handouts"]

REPORT_NAME = "compliance_calendar"
_EPOCH = dt.date(2000, 1, 1)


@dataclass
class Calendar:
    """What the report shows: ``obligations`` (one row each), ``risk`` (credentials that stop
    something, within the largest window or overdue, priced), ``logs`` (log problems),
    ``coverage`` (locations losing cover), ``findings`` (the problems, one dict each),
    ``readings`` (the last 60 days of the logs kept against a range, for the charts),
    ``figures`` (for the summary JSON) and the hand-out ``files``."""

    as_of: pd.Timestamp
    windows: list[int]
    obligations: pd.DataFrame
    risk: pd.DataFrame
    logs: pd.DataFrame
    coverage: pd.DataFrame
    findings: list[dict[str, Any]]
    readings: pd.DataFrame = field(default_factory=pd.DataFrame)
    figures: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def load_inputs(data_dir: str | os.PathLike[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every dataset the report reads, by name (``None``: the bundled sample)."""
    return {name: data.load(name, data_dir) for name in REPORT.reads}


def default_as_of(frames: Mapping[str, pd.DataFrame]) -> pd.Timestamp:
    """The last date in the datasets the as-of date is checked against."""
    span = data.date_span(frames, REPORT.as_of)
    return span[1] if span else pd.Timestamp(dt.date.today())


def compute(frames: Mapping[str, pd.DataFrame], *, as_of: str = "",
            warning_days: list = [90, 60, 30],  # noqa: B006  (the declared default; not mutated)
            roles: list = [],  # noqa: B006
            payer_visit_share: dict = {},  # noqa: B006
            payment_per_visit: dict = {},  # noqa: B006
            coverage_credential: str = "bls") -> Calendar:
    """The obligations, revenue at risk, log problems, coverage and findings at ``as_of``."""
    if as_of:
        problem = data.check_as_of(REPORT_NAME, as_of, frames)
        if problem is not None:
            raise problem
    day = pd.Timestamp(as_of) if as_of else default_as_of(frames)
    windows = sorted(int(w) for w in warning_days)
    table = ob.obligations(frames, day, windows, roles or ())
    stops = table[(table["kind"] == "credential") & (table["effect"] != "none")
                  & table["status"].isin(("due", "overdue"))]
    risk = ob.revenue_at_risk(stops, frames, payer_visit_share, payment_per_visit)
    logs = ob.log_problems(frames, day)
    coverage = ob.coverage_gaps(table, frames, day, windows[-1], coverage_credential)
    found = ob.findings(table, risk, logs, coverage, windows[0])
    soon = risk[risk["status"] == "due"]
    figures = {
        "as_of": day.date().isoformat(),
        "obligations": len(table),
        "overdue": int((table["status"] == "overdue").sum()),
        "missing": int((table["status"] == "missing").sum()),
        f"due_within_{windows[0]}_days": int(table["window_days"].eq(windows[0]).sum()),
        f"revenue_at_risk_{windows[0]}_days_cents": int(
            soon.loc[soon["window_days"] <= windows[0], "revenue_at_risk_cents"].fillna(0).sum()),
        "log_problems": len(logs),
        "locations_losing_cover": len(coverage),
    }
    return Calendar(as_of=day, windows=windows, obligations=table, risk=risk, logs=logs,
                    coverage=coverage, findings=found, figures=figures,
                    readings=ob.log_readings(frames, day))


def _uid(row: pd.Series) -> str:
    key = "|".join(str(row[c]) for c in ("subject", "requirement", "payer_id")
                   if pd.notna(row[c]))
    return f"{hashlib.sha1(key.encode()).hexdigest()[:20]}@pracops.compliance_calendar"


def calendar_ics(cal: Calendar, frames: Mapping[str, pd.DataFrame], practice: str) -> bytes:
    """The calendar as RFC 5545 text (see the module docstring)."""
    out = icalendar.Calendar()
    out.add("prodid", "-//pracops//compliance_calendar//EN")
    out.add("version", "2.0")
    out.add("x-wr-calname", f"{practice}: compliance")
    stamp = dt.datetime.combine(cal.as_of.date(), dt.time(), tzinfo=dt.UTC)
    for _, o in cal.obligations[cal.obligations["due"].notna()].iterrows():
        ev = icalendar.Event()
        ev.add("uid", _uid(o))
        due = o["due"].date()
        ev.add("dtstart", due)
        ev.add("dtend", due + dt.timedelta(days=1))
        ev.add("dtstamp", stamp)
        ev.add("summary", f"{o['title']}: {o['subject']}"
                          + (f" ({o['payer_id']})" if pd.notna(o["payer_id"]) else ""))
        ev.add("sequence", (due - _EPOCH).days)
        ev.add("categories", [str(o["kind"])])
        ev.add("description", f"Owner {o['owner']}. Source: {o['source']}.")
        for w in sorted(cal.windows, reverse=True):
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{o['title']} due in {w} days")
            alarm.add("trigger", dt.timedelta(days=-w))
            ev.add_component(alarm)
        out.add_component(ev)
    req = frames["requirements"]
    for _, r in req[req["kind"] == "log"].iterrows():
        kinds = {t.strip() for t in r["applies_to"].split(";")}
        for _, asset in frames["equipment"][frames["equipment"]["kind"].isin(kinds)].iterrows():
            ev = icalendar.Event()
            ev.add("uid", f"{asset['asset_id']}-{r['requirement']}@pracops.compliance_calendar")
            ev.add("dtstart", cal.as_of.date() + dt.timedelta(days=1))
            ev.add("dtstamp", stamp)
            ev.add("summary", f"{r['title']}: {asset['asset_id']}")
            step = int(r["interval_days"])
            ev.add("rrule", {"freq": "daily", "interval": step} if step % 7 else
                   {"freq": "weekly", "interval": step // 7})
            ev.add("description", f"Source: {r['source']}.")
            out.add_component(ev)
    return out.to_ical()


def write_handouts(cal: Calendar, frames: Mapping[str, pd.DataFrame],
                   folder: str | os.PathLike[str], practice: str) -> list[Path]:
    """``compliance_calendar.xlsx`` (a worklist sheet per owner of open items, and every
    obligation), ``compliance_calendar.ics`` and a printable ``checklist_<location>.html``
    per location."""
    cols = ["subject", "requirement", "title", "location_id", "payer_id", "due", "status",
            "window_days", "source"]
    table = cal.obligations
    open_ = table[table["status"] != "current"]
    sheets: dict[str, pd.DataFrame] = {"all": table[["owner", *cols]]}
    for owner, rows in open_.groupby("owner", sort=True):
        sheets[str(owner)[:31]] = rows[cols]
    files = report.write_handouts(sheets, folder, workbook="compliance_calendar.xlsx",
                                  csv=False)
    path = Path(folder) / "compliance_calendar.ics"
    report.write_atomic(path, calendar_ics(cal, frames, practice))
    sheets_ = []
    for loc in frames["locations"]["location_id"]:
        page = Path(folder) / f"checklist_{loc}.html"
        report.write_atomic(page, checklist_html(cal, frames, str(loc), practice))
        sheets_.append(page)
    return [*files, path, *sheets_]


def checklist_html(cal: Calendar, frames: Mapping[str, pd.DataFrame], location: str,
                   practice: str) -> str:
    """A one-page printable checklist for ``location``: the logs to keep, then its people's
    and assets' open items (overdue, missing, due within the largest window), with a box to
    tick. Every text from input is escaped."""
    t = cal.obligations
    mine = t[(t["location_id"] == location) & (t["status"] != "current")].sort_values(
        "due", na_position="first")
    req = frames["requirements"]
    assets = frames["equipment"][frames["equipment"]["location_id"] == location]
    logs = []
    for _, r in req[req["kind"] == "log"].iterrows():
        kinds = {k.strip() for k in r["applies_to"].split(";")}
        for aid in assets.loc[assets["kind"].isin(kinds), "asset_id"]:
            logs.append(f"<tr><td>&#9744;</td><td>{escape(str(aid))}</td>"
                        f"<td>{escape(str(r['title']))}</td>"
                        f"<td>every {int(r['interval_days'])} day(s)</td></tr>")
    rows = [f"<tr><td>&#9744;</td><td>{escape(str(o['subject']))}</td>"
            f"<td>{escape(str(o['title']))}</td><td>{_status_words(o)}</td></tr>"
            for _, o in mine.iterrows()]
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{escape(practice)}: {escape(location)} checklist</title>"
            "<style>@page{size:letter;margin:12mm}body{font:11pt sans-serif}"
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;"
            "padding:3px 6px;text-align:left}</style></head><body>"
            f"<h1>{escape(practice)} — {escape(location)}</h1>"
            f"<p>Compliance checklist as of {cal.as_of:%Y-%m-%d}.</p>"
            "<h2>Logs to keep</h2><table><tr><th></th><th>Asset</th><th>Log</th>"
            f"<th>How often</th></tr>{''.join(logs)}</table>"
            "<h2>Open items</h2><table><tr><th></th><th>Who or what</th><th>Item</th>"
            f"<th>Status</th></tr>{''.join(rows)}</table></body></html>")


def _status_words(o: pd.Series) -> str:
    due = "" if pd.isna(o["due"]) else f" {o['due']:%Y-%m-%d}"
    if o["status"] == "due":
        return f"due{due}"
    return f"{o['status']}{due}"


def run(data_dir: str | os.PathLike[str] | None = None, *, as_of: str = "",
        warning_days: list = [90, 60, 30],  # noqa: B006  (the declared default; not mutated)
        roles: list = [],  # noqa: B006
        payer_visit_share: dict = {},  # noqa: B006
        payment_per_visit: dict = {},  # noqa: B006
        coverage_credential: str = "bls",
        output_dir: str | os.PathLike[str] | None = None) -> Calendar:
    """The report end to end: load ``data_dir`` (``None``: the bundled sample), compute and
    write the hand-outs to ``output_dir`` (``None``: beside the report). Parameters as the
    notebook's (:mod:`pracops.compliance_calendar.parameters`)."""
    frames = load_inputs(data_dir)
    cal = compute(frames, as_of=as_of, warning_days=warning_days, roles=roles,
                  payer_visit_share=payer_visit_share, payment_per_visit=payment_per_visit,
                  coverage_credential=coverage_credential)
    folder = config.report_files_dir(output_dir, REPORT_NAME)
    cal.files = write_handouts(cal, frames, folder, report.practice_name(data_dir))
    return cal
