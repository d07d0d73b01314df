"""The patient access report's part of the bundled sample: the appointments' added columns,
the providers' slot templates, what happened in the office at each visit and the front desk's
eligibility checks (issue 17).

Its writers run after the other reports' (:data:`pracops.registry.PACKAGES` order), each with
its own random stream, and write no earlier file but ``appointments.csv``, to whose rows
:func:`schedule_slots` adds the optional columns (files are written after the last writer, see
:mod:`pracops.sample.generator`). What the plants change there is statuses of appointments
that were called off (``cancelled`` or ``rescheduled``) and become ``no-show``: no claim, no
visit and no other file moves; the staffing report's no-show rate does (see
``docs/patient_access-sample.md``). All six plants are recorded under ``"patient_access"`` in
the ground truth. After the plants, a no-show group that chance put over the report's rule is
brought back under it by calling off some of its no-shows (:func:`_unflag_unplanted_groups`):
on any shape and seed no provider, visit type, weekday, hour, lead-time band or
provider-weekday-session group is flagged but plant 1's, and no week but plant 6's.

``appointments`` (added columns)
    ``booked_time`` (before the start on a same-day booking), ``cancelled_date`` and
    ``cancelled_time`` for the called-off (three in ten within a day of the visit),
    ``patient_kind`` (``new`` for a new-patient visit), ``reminder`` (sent two days ahead for
    visits booked at least two days ahead, by text, phone or email; less often for the visits
    that became no-shows) and ``requested_date`` (one in seven visits booked three weeks or
    more ahead: the patient asked for a later day than offered).
``schedule_slots``
    Each provider's working days (those with appointments) in 20-minute slots, 08:00-12:00 and
    13:00-17:00: 09:00 and 14:00 kept for new patients, the last of each session for same-day
    visits. A slot is booked by the first live appointment (completed, no-show or booked)
    starting in it, else open; an open Friday 16:40 slot is blocked for charting.
``visit_events``
    Every completed visit: arrival 5 minutes late to 15 minutes early, the wait for a room
    (median 6 minutes), for the provider (median 7), the time with the provider (60-110 % of
    the scheduled minutes) and checkout (2-9 minutes); three in a hundred checkouts not
    recorded.
``eligibility_checks``
    For the insured visits (completed, no-show, or booked and due to be checked by the report
    date): nine in ten checked 2-7 days ahead, six in a hundred on the day, the rest never;
    the visits whose claims were denied for eligibility checked ahead, except the planted
    payer's (plant 5).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from typing import Any

import pandas as pd

from pracops.patient_access import model
from pracops.sample.generator import AS_OF, NO_SHOW_WEEK, Sample, writer

__all__ = ["ELIGIBILITY_CARCS", "SLOT_MINUTES"]

ELIGIBILITY_CARCS: frozenset[str] = frozenset(
    {"26", "27", "31", "32", "33", "34", "35", "39", "177", "200"})
"""Claim adjustment reasons that say the patient was not covered when seen: 26/27 (before
coverage began, after it ended), 31 (not identified as the payer's member), 32-35 and 39, 177
(eligibility not met) and 200 (lifetime benefit maximum)."""

SLOT_MINUTES = 20
_SESSIONS = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
_LIVE = ("completed", "no-show", "booked")
_CALLED_OFF = ("cancelled", "rescheduled")
_NOON = 12 * 60
_NO_SHOW_WEEK_SHARE = 0.9  # of the week's called-off appointments that become no-shows
_LEAVE_DAYS = 16  # plant 3: the provider's open slots blocked this many days after the as-of
_LATE_AFTER = 15 * 60  # plant 4: the afternoon whose room waits double


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _no_show_plants(sample: Sample) -> str:
    """Plants 1 and 6: called-off appointments become no-shows. Returns plant 1's provider."""
    rows = sample.tables["appointments"]
    history = [a for a in rows if a["date"] <= AS_OF]
    mornings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in history:
        if a["date"].weekday() == 0 and _minutes(a["start_time"]) < _NOON:
            mornings[a["provider_id"]].append(a)
    provider = max(sorted(mornings), key=lambda p: len(mornings[p]))
    for a in mornings[provider]:
        if a["status"] in _CALLED_OFF:
            a["status"] = "no-show"
    kept = [a for a in mornings[provider] if a["status"] in ("completed", "no-show")]
    no_shows = sum(a["status"] == "no-show" for a in kept)
    sample.inject("patient_access", {
        "kind": "no_show_group", "provider_id": provider, "weekday": "Mon",
        "session": "morning", "no_shows": no_shows, "kept": len(kept)})
    rng = sample.rng("no_show_week")
    week = [a for a in history if _monday(a["date"]) == NO_SHOW_WEEK]
    for a in week:
        if a["status"] in _CALLED_OFF and rng.random() < _NO_SHOW_WEEK_SHARE:
            a["status"] = "no-show"
    # A small practice's week has few called-off visits and wide limits (two providers, seed
    # 1: 26 no-shows of 214 kept, 12.1 % against 13.1 %): its other called-off visits become
    # no-shows too, in turn, until it is over the limit.
    rest = [a for a in week if a["status"] in _CALLED_OFF]
    while rest and not _planted_week_above(history):
        rest.pop(0)["status"] = "no-show"
    kept = [a for a in week if a["status"] in ("completed", "no-show")]
    sample.inject("patient_access", {
        "kind": "no_show_week", "week": NO_SHOW_WEEK.isoformat(),
        "no_shows": sum(a["status"] == "no-show" for a in kept), "kept": len(kept)})
    return provider


def _p_chart(appointments: list[dict[str, Any]]) -> pd.DataFrame:
    """The report's weekly no-show p-chart (:func:`model.p_chart`) of the year to the as-of
    date."""
    start = AS_OF.replace(year=AS_OF.year - 1) + dt.timedelta(days=1)
    return model.p_chart(pd.DataFrame({
        "date": pd.to_datetime([a["date"] for a in appointments]),
        "status": [a["status"] for a in appointments]}), start, AS_OF)


def _planted_week_above(appointments: list[dict[str, Any]]) -> bool:
    """Whether plant 6's week lies over the p-chart's upper limit."""
    chart = _p_chart(appointments)
    return NO_SHOW_WEEK in set(chart.loc[chart["above"], "week"])


def _groups(visits: list[dict[str, Any]]) -> list[tuple[tuple[str, str], ...]]:
    """The report's no-show groups each visit falls in (:func:`model.group_keys`, the payer
    class left out), as (dimension, group) pairs."""
    keys = model.group_keys(pd.DataFrame({
        "provider_id": [a["provider_id"] for a in visits],
        "visit_type": [a["visit_type"] for a in visits],
        "date": pd.to_datetime([a["date"] for a in visits]),
        "booked_date": pd.to_datetime([a["booked_date"] for a in visits]),
        "start_time": [a["start_time"] for a in visits]}))
    labels = [key.astype("str").tolist() for key in keys.values()]
    return [tuple(zip(keys, row, strict=True)) for row in zip(*labels, strict=True)]


def _unflag_unplanted_groups(sample: Sample, provider: str) -> None:
    """Call off no-shows of any group that the report's rule (:class:`model.Flags`, default
    points) would flag besides plant 1's cell, then of any week over the p-chart's upper limit
    (:func:`model.p_chart`) besides plant 6's, until none is.

    The appointments writer's no-show rates differ by visit type (new patients 9 %, the
    practice about 6.5 %), and chance adds to that: a small practice's few hundred new
    patients (3 internists, seed 7: 93 of 682, 13.6 % against 7.3 %), one of a large
    practice's hundreds of provider-weekday-session cells, or one of a small practice's weeks
    of some 200 visits can cross the rules that plants 1 and 6 are made for. Each such
    no-show, drawn from a stream of its own among the group's (or week's) no-shows outside
    plant 1's cell and plant 6's week (whose counts the ground truth records), becomes a
    cancellation. The payer classes (read from claims and checks written later) are not
    checked; the bundled sample has nothing to call off."""
    start = AS_OF.replace(year=AS_OF.year - 1) + dt.timedelta(days=1)
    cell = (model.CELL, f"{provider} Mon morning")
    visits = [a for a in sample.tables["appointments"]
              if start <= a["date"] <= AS_OF and a["status"] in model.KEPT]
    kept = list(zip(visits, _groups(visits), strict=True))
    trials, events = Counter(), Counter()
    for a, groups in kept:
        trials.update(groups)
        if a["status"] == "no-show":
            events.update(groups)
    total, missed = len(kept), sum(a["status"] == "no-show" for a, _ in kept)
    rng = sample.rng("no_show_groups")
    while True:
        table = pd.DataFrame({"group": list(trials), "kept": list(trials.values())})
        table["no_shows"] = [events[g] for g in table["group"]]
        table["rate"] = table["no_shows"] / table["kept"]
        table["low"] = model.wilson(table["no_shows"].to_numpy(), table["kept"].to_numpy())[0]
        flagged = table[model.Flags().apply(table, missed / total) & (table["group"] != cell)]
        if len(flagged):
            over = flagged["group"].iloc[0]
            pool = [(a, groups) for a, groups in kept if a["status"] == "no-show"
                    and over in groups and cell not in groups
                    and _monday(a["date"]) != NO_SHOW_WEEK]
        else:
            chart = _p_chart([a for a, _ in kept])
            weeks = [w for w in chart.loc[chart["above"], "week"] if w != NO_SHOW_WEEK]
            if not weeks:
                return
            over = ("week", weeks[0].isoformat())
            pool = [(a, groups) for a, groups in kept if a["status"] == "no-show"
                    and _monday(a["date"]) == weeks[0] and cell not in groups]
        if not pool:
            raise RuntimeError(f"no-show group {over} is flagged by its plants alone")
        a, groups = rng.choice(pool)
        a["status"] = "cancelled"
        trials.subtract(groups)
        events.subtract(groups)
        total, missed = total - 1, missed - 1


def _details(sample: Sample) -> None:
    """The appointments' added columns, from their own stream."""
    rng = sample.rng("appointment_details")
    for a in sample.tables["appointments"]:
        lead = (a["date"] - a["booked_date"]).days
        start = _minutes(a["start_time"])
        latest = start - 5 if lead == 0 else 17 * 60 + 25
        a["booked_time"] = _clock(rng.randrange(7 * 60 + 30, latest + 1, 5))
        a["patient_kind"] = "new" if a["visit_type"] == "new patient" else "established"
        due = a["date"] - dt.timedelta(days=2)
        reminded = rng.random() < (0.62 if a["status"] == "no-show" else 0.88)
        how = rng.choices(("text", "phone", "email"), (0.6, 0.25, 0.15))[0]
        a["reminder"] = how if reminded and lead >= 2 and due <= AS_OF else "none"
        asked = rng.random() < 1 / 7
        a["requested_date"] = (a["booked_date"] + dt.timedelta(days=rng.randint(14, lead))
                               if asked and lead >= 21 else None)
        if a["status"] in _CALLED_OFF:
            late = lead < 2 or rng.random() < 0.3
            ahead = rng.randint(0, 23 * 60) if late else rng.randint(2 * 1440, lead * 1440)
            at = dt.datetime.combine(a["date"], dt.time()) + dt.timedelta(minutes=start - ahead)
            booked = dt.datetime.combine(a["booked_date"], dt.time.fromisoformat(
                a["booked_time"]))
            at = max(at, booked)
            a["cancelled_date"], a["cancelled_time"] = at.date(), _clock(
                at.hour * 60 + at.minute)


@writer("schedule_slots")
def schedule_slots(sample: Sample) -> list[dict[str, Any]]:
    """The slot templates; first the appointments' plants and added columns. A practice
    whose plant 6 week is not over the p-chart's limit once the other weeks are under it is
    refused (``RuntimeError``)."""
    monday_provider = _no_show_plants(sample)
    _unflag_unplanted_groups(sample, monday_provider)
    if not _planted_week_above(sample.tables["appointments"]):
        raise RuntimeError(f"plant 6's week of {NO_SHOW_WEEK} is not over the no-show "
                           "p-chart's limit")
    _details(sample)
    appointments = sample.tables["appointments"]
    days: dict[tuple[str, dt.date], list[dict[str, Any]]] = defaultdict(list)
    for a in appointments:
        days[(a["provider_id"], a["date"])].append(a)
    leave = sorted({a["provider_id"] for a in appointments} - {monday_provider})[0]
    rows: list[dict[str, Any]] = []
    for (provider, day), appts in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        live = sorted((a for a in appts if a["status"] in _LIVE),
                      key=lambda a: _minutes(a["start_time"]))
        for first, end in _SESSIONS:
            for start in range(first, end, SLOT_MINUTES):
                taken = next((a for a in live
                              if start <= _minutes(a["start_time"]) < start + SLOT_MINUTES),
                             None)
                kind = ("new patient" if start in (9 * 60, 14 * 60) else
                        "same-day" if start == end - SLOT_MINUTES else "established")
                state, reason = ("booked", None) if taken else ("open", None)
                if state == "open" and day.weekday() == 4 and start == 16 * 60 + 40:
                    state, reason = "blocked", "charting time"
                if (state == "open" and provider == leave
                        and AS_OF < day <= AS_OF + dt.timedelta(days=_LEAVE_DAYS)):
                    state, reason = "blocked", "hospital coverage"
                rows.append({
                    "slot_id": f"S{len(rows) + 1:07d}", "provider_id": provider,
                    "location_id": appts[0]["location_id"], "date": day,
                    "start_time": _clock(start), "minutes": SLOT_MINUTES, "slot_type": kind,
                    "state": state, "block_reason": reason,
                    "appointment_id": taken["appointment_id"] if taken else None})
    third = sorted((r["date"], r["start_time"]) for r in rows
                   if r["provider_id"] == leave and r["date"] > AS_OF and r["state"] == "open")[2]
    sample.inject("patient_access", {"kind": "third_next_available", "provider_id": leave,
                                     "measured_on": AS_OF.isoformat(),
                                     "days": (third[0] - AS_OF).days})
    kept = defaultdict(list)
    for a in appointments:
        if a["date"] <= AS_OF and a["status"] in ("completed", "no-show"):
            kept[a["visit_type"]].append((a["date"] - a["booked_date"]).days)
    for visit_type, leads in sorted(kept.items()):
        if statistics.median(leads) > 30:
            sample.inject("patient_access", {"kind": "long_lead_time", "visit_type": visit_type,
                                             "median_days": float(statistics.median(leads))})
    return rows


def _lognormal(rng: Any, median: float, sigma: float = 0.6) -> int:
    return max(1, round(rng.lognormvariate(math.log(median), sigma)))


@writer("visit_events")
def visit_events(sample: Sample) -> list[dict[str, Any]]:
    """The completed visits' times in the office."""
    rng = sample.rng("visit_events")
    slow = sorted(loc["location_id"] for loc in sample.tables["locations"])[-1]
    rows = []
    waits: dict[str, list[int]] = defaultdict(list)
    for a in sample.tables["appointments"]:
        if a["status"] != "completed" or a["date"] > AS_OF:
            continue
        start = _minutes(a["start_time"])
        arrival = start - rng.randint(-5, 15)
        late = a["location_id"] == slow and start >= _LATE_AFTER
        room = _lognormal(rng, 15 if late else 6)
        roomed = arrival + room
        provider_in = roomed + _lognormal(rng, 7)
        provider_out = provider_in + max(5, round(a["scheduled_minutes"]
                                                  * rng.uniform(0.6, 1.1)))
        checkout = provider_out + rng.randint(2, 9)
        missing = rng.random() < 0.03
        if a["location_id"] == slow:
            if start >= _LATE_AFTER:
                waits["afternoon"].append(room)
            elif start < _NOON:
                waits["morning"].append(room)
        rows.append({"appointment_id": a["appointment_id"], "arrival": _clock(arrival),
                     "roomed": _clock(roomed), "provider_in": _clock(provider_in),
                     "provider_out": _clock(provider_out),
                     "checkout": None if missing else _clock(checkout)})
    sample.inject("patient_access", {
        "kind": "afternoon_room_wait", "location_id": slow,
        "morning_median_minutes": float(statistics.median(waits["morning"])),
        "afternoon_median_minutes": float(statistics.median(waits["afternoon"]))})
    return rows


def _eligibility_denials(sample: Sample) -> dict[str, int]:
    """The claims the remittances deny for eligibility, with the amount so adjusted."""
    out: dict[str, int] = defaultdict(int)
    for era in sample.tables["era"]:
        if era["payment"] is None:
            continue
        for claim in era["payment"].claims:
            for adj in (*claim.adjustments, *(a for s in claim.services for a in s.adjustments)):
                if adj.reason in ELIGIBILITY_CARCS:
                    out[claim.claim_id] += adj.amount_cents
    return dict(out)


@writer("eligibility_checks")
def eligibility_checks(sample: Sample) -> list[dict[str, Any]]:
    """The front desk's checks; the planted payer's eligibility-denied visits never checked."""
    rng = sample.rng("eligibility_checks")
    claims = sample.tables["claims"]
    payer_of = {}
    for c in claims:
        payer_of.setdefault(c["patient_id"], c["payer_id"])
    denied = _eligibility_denials(sample)
    denied_visit = {c["appointment_id"]: c for c in claims if c["claim_id"] in denied}
    per_payer: dict[str, int] = defaultdict(int)
    for c in denied_visit.values():
        per_payer[c["payer_id"]] += 1
    planted = max(sorted(per_payer), key=lambda p: per_payer[p])
    rows = []
    for a in sample.tables["appointments"]:
        payer = payer_of.get(a["patient_id"])
        draw, ahead = rng.random(), rng.randint(2, 7)
        if payer in (None, "SELF") or a["status"] not in _LIVE:
            continue
        claim = denied_visit.get(a["appointment_id"])
        if claim is not None:
            if claim["payer_id"] == planted:
                continue
            day = max(a["booked_date"], a["date"] - dt.timedelta(days=ahead))
        elif draw < 0.9:
            day = max(a["booked_date"], a["date"] - dt.timedelta(days=ahead))
        elif draw < 0.96:
            day = a["date"]
        else:
            continue
        if day > AS_OF:
            continue
        rows.append({"check_id": f"E{len(rows) + 1:06d}", "appointment_id": a["appointment_id"],
                     "checked_date": day, "result": "active", "payer_id": payer})
    ids = sorted(c["claim_id"] for c in denied_visit.values() if c["payer_id"] == planted)
    sample.inject("patient_access", {
        "kind": "unverified_eligibility_denials", "payer_id": planted, "claims": ids,
        "denied_cents": sum(denied[i] for i in ids)})
    return rows
