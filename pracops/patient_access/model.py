"""The patient access calculations: pure functions on the loaded frames, no I/O, no display.

Rates carry Wilson 95 % intervals (:func:`wilson`, the closed form: a handful of numpy
operations, exact where the normal interval is not at small counts or rates near 0); the
weekly no-show p-chart uses 3-sigma limits around the period's rate; the overbooking
suggestion counts arrivals with the Poisson-binomial distribution (:func:`arrivals_pmf`, a
short dynamic programme over the session's visits, each with its own no-show probability).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from pracops.data.shifts import minutes_of
from pracops.money import round_half_away, split_rounded, to_cents

__all__ = [
    "CELL", "KEPT", "LEAD_BANDS", "UNKNOWN_PAYER", "VERIFY_DAYS_AHEAD", "Flags", "arrivals_pmf",
    "band_labels", "checked_ahead", "coming_days", "cycle_times", "denials_by_payer",
    "eligibility_denials",
    "expected_payment", "group_keys",
    "late_cancellations", "lead_bands", "lead_distribution", "lead_times", "lead_times_by_kind",
    "no_show_grid", "no_show_groups",
    "overbooking", "overbooking_sessions", "p_chart", "payer_class", "practice_days",
    "reminder_effect", "revenue_lost",
    "room_waits", "template_use", "third_next_available", "third_next_available_by_day",
    "verified_ahead", "wilson",
]

KEPT = ("completed", "no-show")
"""The statuses that held their slot to the end: the no-show rate's denominator."""

LEAD_BANDS: tuple[int, ...] = (0, 3, 8, 15, 31)
"""The lead-time bands' first days (0-2, 3-7, 8-14, 15-30 and 31 days or more)."""

UNKNOWN_PAYER = "Not known"
"""The payer class of a visit with no claim, no eligibility check and no other claim of its
patient: shown and counted, never flagged (only a visit that never took place can lack all
three, so its rate says where the payer is read from, not who stays away)."""

Z95 = 1.959963984540054
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NOON, _LATE = 12 * 60, 15 * 60


def wilson(events: np.ndarray | int, trials: np.ndarray | int, z: float = Z95
           ) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``events`` in ``trials`` (``nan`` where ``trials`` is 0)."""
    k = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def arrivals_pmf(show_probabilities: np.ndarray) -> np.ndarray:
    """P(exactly j patients arrive), j = 0..n, each visit arriving with its own probability
    (the Poisson-binomial distribution; the binomial when all are equal)."""
    pmf = np.array([1.0])
    for p in np.asarray(show_probabilities, dtype=float):
        pmf = np.append(pmf * (1 - p), 0.0) + np.append(0.0, pmf * p)
    return pmf


def overbooking(show_probabilities: np.ndarray, slots: int, tolerance: float,
                slot_minutes: float = 20, extra_show: float | None = None) -> dict[str, float]:
    """How many bookings beyond ``slots`` keep P(more arrivals than slots) at most
    ``tolerance``, for a session booked with visits of the given show probabilities (extra
    bookings show with ``extra_show``, default their mean); with the expected idle and
    overflow minutes at that number, each slot left empty or patient over ``slot_minutes``."""
    base = np.asarray(show_probabilities, dtype=float)
    extra_p = float(base.mean()) if extra_show is None else extra_show
    extra = 0
    while True:
        pmf = arrivals_pmf(np.append(base, [extra_p] * (extra + 1)))
        if pmf[slots + 1:].sum() > tolerance:
            break
        extra += 1
    pmf = arrivals_pmf(np.append(base, [extra_p] * extra))
    arrivals = np.arange(len(pmf))
    return {"extra": extra, "overflow_risk": float(pmf[slots + 1:].sum()),
            "idle_minutes": float((np.maximum(slots - arrivals, 0) * pmf).sum() * slot_minutes),
            "overflow_minutes": float((np.maximum(arrivals - slots, 0) * pmf).sum()
                                      * slot_minutes)}


def overbooking_sessions(slots: pd.DataFrame, appointments: pd.DataFrame, start: dt.date,
                         end: dt.date, tolerance: float, bands: Sequence[int] = LEAD_BANDS,
                         after: dt.date | None = None) -> pd.DataFrame:
    """The overbooking suggestion (:func:`overbooking`) per provider × weekday × session
    (:data:`CELL`), for the cell's next session in the template after ``after`` (``None``:
    ``end``): its slots not
    blocked, with their own lengths, taken as full. A slot already booked shows with its
    visit's own no-show probability: the rate, from ``start`` to ``end``, of the cell's visits
    of the same lead-time band (``bands``; the cell's rate where that band has none); an open
    slot and each extra booking with the cell's rate (the practice's where the cell has no
    history). Different probabilities make the arrivals Poisson-binomial
    (:func:`arrivals_pmf`). Idle and overflow minutes count a slot at the session's mean slot
    length. One row per cell, by provider, weekday and session."""
    kept = _kept(appointments, start, end)
    keys = group_keys(kept, bands)
    practice = float(kept["no_show"].mean()) if len(kept) else 0.0
    cell_rate = kept["no_show"].groupby(keys[CELL]).mean()
    band_rate = kept["no_show"].groupby([keys[CELL], keys["lead-time band"].astype("str")]
                                        ).mean()
    ahead = slots[(slots["date"].dt.normalize() > pd.Timestamp(after or end))
                  & (slots["state"].astype("str") != "blocked")]
    minutes = minutes_of(ahead["start_time"])
    weekday = ahead["date"].dt.day_of_week.map(dict(enumerate(_WEEKDAYS)))
    cell = (ahead["provider_id"].astype("str") + " " + weekday + " "
            + np.where(minutes < _NOON, "morning", "afternoon"))
    ahead = ahead.assign(cell=cell)
    ahead = ahead[ahead["date"] == ahead.groupby("cell")["date"].transform("min")]
    visits = appointments.set_index("appointment_id")
    band = lead_bands((visits["date"] - visits["booked_date"]).dt.days, bands).astype("str")
    rows = []
    for name, session in ahead.groupby("cell", sort=False):
        rate = float(cell_rate.get(name, practice))
        booked = session["appointment_id"].where(session["state"].astype("str") == "booked")
        no_show = [rate if pd.isna(a) or a not in band.index
                   else float(band_rate.get((name, band[a]), rate)) for a in booked]
        provider, day_name, part = str(name).split(" ")
        rows.append({"provider_id": provider, "weekday": day_name, "session": part,
                     "date": session["date"].iloc[0], "slots": len(session),
                     "session_minutes": int(session["minutes"].sum()),
                     "booked": int(booked.notna().sum()),
                     "no_show_chance": float(np.mean(no_show)),
                     **overbooking(1 - np.array(no_show), len(session), tolerance,
                                   slot_minutes=float(session["minutes"].mean()),
                                   extra_show=1 - rate)})
    columns = ["provider_id", "weekday", "session", "date", "slots", "session_minutes", "booked",
               "no_show_chance", "extra", "overflow_risk", "idle_minutes", "overflow_minutes"]
    table = pd.DataFrame(rows, columns=columns)
    order = table["weekday"].map({d: i for i, d in enumerate(_WEEKDAYS)})
    table = table.assign(order=order, late=table["session"] == "afternoon")
    return table.sort_values(["provider_id", "order", "late"]).drop(
        columns=["order", "late"]).reset_index(drop=True)


def _kept(appointments: pd.DataFrame, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    day = appointments["date"].dt.normalize()  # compared as timestamps: no Python dates
    status = appointments["status"]
    frame = appointments[day.between(pd.Timestamp(start), pd.Timestamp(as_of))
                         & status.isin(KEPT)].copy()
    frame["no_show"] = (frame["status"] == "no-show").to_numpy(dtype=bool)
    return frame


@dataclass(frozen=True)
class Flags:
    """The rule that flags a group: its 95 % interval wholly above the practice's rate and
    its rate at least ``points`` percentage points above it."""

    points: float = 5.0

    def apply(self, table: pd.DataFrame, practice_rate: float) -> pd.Series:
        return ((table["low"] > practice_rate)
                & (table["rate"] >= practice_rate + self.points / 100))


def band_labels(starts: Sequence[int]) -> list[str]:
    """Each lead-time band in words: ``(0, 3, 31)`` gives ``0-2 days``, ``3-30 days``,
    ``31+ days``."""
    ends = [*(b - 1 for b in starts[1:]), None]
    return [f"{a}+ days" if b is None else f"{a} days" if a == b else f"{a}-{b} days"
            for a, b in zip(starts, ends, strict=True)]


def lead_bands(days: pd.Series, starts: Sequence[int] = LEAD_BANDS) -> pd.Series:
    """The lead-time band of each number of ``days`` from booking to visit, ordered as the
    bands are (``starts``: each band's first day, from 0 up; the last band open-ended)."""
    labels = band_labels(starts)
    band = np.searchsorted(np.asarray(starts), days.to_numpy(), side="right") - 1
    return pd.Series(pd.Categorical.from_codes(band, categories=labels, ordered=True),
                     index=days.index)


def payer_class(appointments: pd.DataFrame, claims: pd.DataFrame, checks: pd.DataFrame,
                payers: pd.DataFrame) -> pd.Series:
    """Each appointment's payer class (the ``class`` of the practice's ``payers`` table:
    Medicare, Medicaid, Commercial, Self-pay, Other), from its payer: the one billed for
    the visit (``claims``); else the one the front desk checked for it (the latest
    eligibility check, as a no-show has no claim); else the payer of its patient's nearest
    claim in time (a self-pay patient's no-show is never checked). What has none of the
    three is :data:`UNKNOWN_PAYER`. Indexed as ``appointments``."""
    ids = appointments["appointment_id"]
    billed = claims.drop_duplicates("appointment_id").set_index("appointment_id")["payer_id"]
    checked = (checks.sort_values("checked_date").drop_duplicates("appointment_id", keep="last")
               .set_index("appointment_id")["payer_id"])
    payer = ids.map(billed.astype("str")).fillna(ids.map(checked.astype("str")))
    need = appointments.loc[payer.isna(), ["patient_id", "date"]].reset_index()
    history = (claims[["appointment_id", "payer_id"]]
               .merge(appointments[["appointment_id", "patient_id", "date"]], on="appointment_id")
               [["patient_id", "date", "payer_id"]].astype({"payer_id": "str"}))
    if len(need) and len(history):
        nearest = pd.merge_asof(need.sort_values("date"), history.sort_values("date"),
                                on="date", by="patient_id", direction="nearest")
        payer = payer.fillna(nearest.set_index("index")["payer_id"])
    classes = payers.set_index("payer_id")["class"].astype("str")
    return payer.map(classes).fillna(UNKNOWN_PAYER).astype("str")


CELL = "provider, weekday, session"
"""The dimension of a template's cell (``"P003 Mon morning"``) among :func:`group_keys`."""


def group_keys(visits: pd.DataFrame, bands: Sequence[int] = LEAD_BANDS,
               payer_classes: pd.Series | None = None) -> dict[str, pd.Series]:
    """Each visit's group in every dimension :func:`no_show_groups` rates, by dimension:
    provider, visit type, weekday, hour of the start, lead-time band, payer class (when
    ``payer_classes``, indexed as ``visits``, is given), reminder (when ``visits`` has a
    ``reminder`` column with any value; a blank one is ``not recorded``) and :data:`CELL`.
    ``visits`` needs ``provider_id``, ``visit_type``, ``date``, ``booked_date`` (timestamps)
    and ``start_time`` (``HH:MM``)."""
    minutes = minutes_of(visits["start_time"])
    weekday = visits["date"].dt.day_of_week.map(dict(enumerate(_WEEKDAYS)))
    session = pd.Series(np.where(minutes < _NOON, "morning", "afternoon"), index=visits.index)
    keys = {
        "provider": visits["provider_id"].astype("str"),
        "visit type": visits["visit_type"].astype("str"),
        "weekday": weekday,
        "hour": (minutes // 60).map("{:02d}:00".format),
        "lead-time band": lead_bands((visits["date"] - visits["booked_date"]).dt.days, bands),
    }
    if payer_classes is not None:
        keys["payer class"] = payer_classes.loc[visits.index]
    if "reminder" in visits.columns and visits["reminder"].notna().any():
        keys["reminder"] = visits["reminder"].astype("str").fillna("not recorded")
    keys[CELL] = visits["provider_id"].astype("str") + " " + weekday + " " + session
    return keys


def no_show_groups(appointments: pd.DataFrame, start: dt.date, as_of: dt.date,
                   flags: Flags, *, bands: Sequence[int] = LEAD_BANDS,
                   payer_classes: pd.Series | None = None) -> tuple[float, pd.DataFrame]:
    """The practice's no-show rate and every group's, with Wilson intervals and the flag.

    Groups: provider, visit type, weekday, hour of the start, lead-time band (days from
    booking, ``bands``: :func:`lead_bands`), payer class (``payer_classes``, indexed as
    ``appointments``: :func:`payer_class`; left out when ``None``) and provider × weekday ×
    session (morning before noon, afternoon after): the cell a template is built from, where
    a pattern such as one provider's Monday mornings shows, and reminder (none, text, phone,
    email: :func:`group_keys`). The payer class :data:`UNKNOWN_PAYER` is never flagged, nor
    is a reminder group: the reminder is what the practice does about no-shows, measured as
    an effect (:func:`reminder_effect`), and a visit booked too late for one has none, so
    its group mixes the reminder with the lead time.
    """
    kept = _kept(appointments, start, as_of)
    practice = float(kept["no_show"].mean())
    tables = []
    for dimension, key in group_keys(kept, bands, payer_classes).items():
        grouped = kept["no_show"].groupby(key, observed=True, sort=True)
        table = pd.DataFrame({"no_shows": grouped.sum(), "kept": grouped.size()})
        table.index = table.index.astype("str").rename("group")
        table = table.reset_index()
        table.insert(0, "dimension", dimension)
        tables.append(table)
    out = pd.concat(tables, ignore_index=True)
    out["no_shows"] = out["no_shows"].astype("int64")
    out["rate"] = out["no_shows"] / out["kept"]
    out["low"], out["high"] = wilson(out["no_shows"].to_numpy(), out["kept"].to_numpy())
    unknown = (out["dimension"] == "payer class") & (out["group"] == UNKNOWN_PAYER)
    out["flagged"] = flags.apply(out, practice) & ~unknown & (out["dimension"] != "reminder")
    return practice, out


def reminder_effect(appointments: pd.DataFrame, start: dt.date, as_of: dt.date
                    ) -> dict[str, float]:
    """The no-show rate with and without a reminder, among visits booked two days or more
    ahead (those a reminder could reach), and their difference with Newcombe's 95 % interval
    (his method 10: from the two Wilson intervals)."""
    kept = _kept(appointments, start, as_of)
    kept = kept[(kept["date"] - kept["booked_date"]).dt.days >= 2]
    sent = kept["reminder"].astype("str") != "none"
    k = np.array([kept["no_show"][sent].sum(), kept["no_show"][~sent].sum()])
    n = np.array([sent.sum(), (~sent).sum()])
    p = k / n
    low, high = wilson(k, n)
    diff = p[0] - p[1]
    return {"reminded_rate": p[0], "unreminded_rate": p[1], "reminded": int(n[0]),
            "unreminded": int(n[1]), "difference": diff,
            "low": diff - np.hypot(p[0] - low[0], high[1] - p[1]),
            "high": diff + np.hypot(high[0] - p[0], p[1] - low[1])}


def p_chart(appointments: pd.DataFrame, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    """The weekly no-show p-chart (Laney's p'): each week's rate against the period's, with
    3-sigma limits for the week's count; ``above`` marks a week over its upper limit."""
    kept = _kept(appointments, start, as_of)
    week = (kept["date"] - pd.to_timedelta(kept["date"].dt.day_of_week, unit="D")).dt.date
    grouped = kept["no_show"].groupby(week.to_numpy())
    chart = pd.DataFrame({"no_shows": grouped.sum().astype("int64"), "kept": grouped.size()})
    chart.index.name = "week"
    p = chart["no_shows"].sum() / chart["kept"].sum()
    chart["rate"] = chart["no_shows"] / chart["kept"]
    sigma = np.sqrt(p * (1 - p) / chart["kept"])
    # Laney's p' chart: weeks of some 350 visits vary more than the binomial says (seasons,
    # the visit mix), so the limits are widened by the spread of the standardised rates,
    # estimated from their average moving range (d2 = 1.128); never narrowed below the p-chart.
    z = (chart["rate"] - p) / sigma
    moving = np.abs(np.diff(z))  # empty for a single week: the plain p-chart
    sigma = sigma * (max(1.0, float(moving.mean()) / 1.128) if len(moving) else 1.0)
    chart["centre"] = p
    chart["lower"] = np.maximum(0.0, p - 3 * sigma)
    chart["upper"] = p + 3 * sigma
    chart["above"] = chart["rate"] > chart["upper"]
    return chart.reset_index()


def lead_times(appointments: pd.DataFrame, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    """Days from booking (and from the patient's requested day, where later) to the visit,
    by visit type and new or established patient: median and 90th percentile."""
    kept = _kept(appointments, start, as_of)
    kept["lead"] = (kept["date"] - kept["booked_date"]).dt.days
    since = kept["booked_date"]
    if "requested_date" in kept.columns:
        since = kept["requested_date"].where(kept["requested_date"].notna(), since)
    kept["lead_requested"] = (kept["date"] - since).dt.days
    grouped = kept.groupby(kept["visit_type"].astype("str"))
    return pd.DataFrame({
        "visits": grouped.size(),
        "median_days": grouped["lead"].median(),
        "p90_days": grouped["lead"].quantile(0.9),
        "median_from_request_days": grouped["lead_requested"].median(),
    }).rename_axis("visit_type").reset_index()


def lead_distribution(appointments: pd.DataFrame, start: dt.date, as_of: dt.date,
                      starts: Sequence[int] = LEAD_BANDS) -> pd.DataFrame:
    """How far ahead the period's completed visits and no-shows were booked: their count by
    visit type (rows) and lead-time band (columns, in the bands' order; ``starts`` as
    :func:`lead_bands` takes them). A visit without a booking date is in no band."""
    kept = _kept(appointments, start, as_of)
    lead = (kept["date"] - kept["booked_date"]).dt.days.dropna().astype("int64")
    band = lead_bands(lead, starts)
    kind = kept.loc[lead.index, "visit_type"].astype("str")
    return (pd.crosstab(kind, band, dropna=False)
            .reindex(columns=band.cat.categories, fill_value=0)
            .rename_axis(index="visit_type", columns="lead_band"))


def lead_times_by_kind(appointments: pd.DataFrame, start: dt.date, as_of: dt.date
                       ) -> pd.DataFrame | None:
    """Days to the visit for new and established patients apart: median and 90th percentile
    from booking, and from the patient's requested day (booking where none was asked), over
    the period's completed visits and no-shows. ``None`` when the appointments have no
    ``patient_kind`` column (an older export): the report then shows the combined figure
    only. A visit whose kind is blank is counted under ``not recorded``."""
    if "patient_kind" not in appointments.columns:
        return None
    kept = _kept(appointments, start, as_of)
    since = kept["booked_date"]
    if "requested_date" in kept.columns:
        since = kept["requested_date"].where(kept["requested_date"].notna(), since)
    frame = pd.DataFrame({"lead": (kept["date"] - kept["booked_date"]).dt.days,
                          "requested": (kept["date"] - since).dt.days})
    kind = kept["patient_kind"].astype("str").where(kept["patient_kind"].notna(),
                                                   "not recorded")
    grouped = frame.groupby(kind.to_numpy(), sort=True)
    return pd.DataFrame({
        "visits": grouped.size(),
        "median_days": grouped["lead"].median(),
        "p90_days": grouped["lead"].quantile(0.9),
        "median_from_request_days": grouped["requested"].median(),
        "p90_from_request_days": grouped["requested"].quantile(0.9),
    }).rename_axis("patient_kind").reset_index()


def third_next_available(slots: pd.DataFrame, appointments: pd.DataFrame,
                         day: dt.date) -> pd.DataFrame:
    """Calendar days from ``day`` to each provider's third open slot after it (IHI): one day
    of :func:`third_next_available_by_day`."""
    out = third_next_available_by_day(slots, appointments, [day])
    return out.drop(columns="day")


def third_next_available_by_day(slots: pd.DataFrame, appointments: pd.DataFrame,
                                days: Iterable[dt.date]) -> pd.DataFrame:
    """Each provider's third next available appointment (IHI) on each of ``days``: calendar
    days from the day to the provider's third slot on a later day that was open on it.

    A slot counts as open on a day if it is open in the export, or it is booked by an
    appointment made after that day; blocked slots never count. A slot freed by a
    cancellation counts as open from the export (the template does not say which cancelled
    appointment it held). A provider with slots after the day but fewer than three open ones
    before the template ends (the fullest schedule of all) gets ``beyond_template`` and, as
    ``days``, the least it can be: one day past the template's last day (no ``third_open``).
    A provider with no slot after the day (gone, or not yet started) has no row that day.
    """
    booked_on = appointments.set_index("appointment_id")["booked_date"].dt.normalize()
    state = slots["state"].astype("str").to_numpy()
    date = _ordinal(slots["date"].dt.normalize())
    made = _ordinal(booked_on.reindex(slots["appointment_id"].to_numpy()))
    # a slot is open on day d while d < until: its own day, or the day it was booked
    never = np.iinfo(np.int64).min
    until = np.where(state == "open", date,
                     np.where((state == "booked") & (made != never), np.minimum(date, made),
                              never))
    order = np.lexsort((slots["start_time"].astype("str").to_numpy(), date,
                        slots["provider_id"].astype("str").to_numpy()))
    provider = slots["provider_id"].astype("str").to_numpy()[order]
    date, until = date[order], until[order]
    wanted = sorted(set(days))
    horizon = int(date.max()) + 1 if len(date) else 0  # the day after the template's last
    rows = []
    for first, end in _runs(provider):
        dates, open_until = date[first:end], until[first:end]
        for day in wanted:
            d = (day - _EPOCH).days
            after = int(np.searchsorted(dates, d, side="right"))
            if after == len(dates):
                continue
            alive = np.flatnonzero(open_until[after:] > d)
            if len(alive) >= 3:
                third = int(dates[after + alive[2]])
                rows.append((provider[first], day, _EPOCH + dt.timedelta(days=third),
                             third - d, False))
            else:
                rows.append((provider[first], day, None, horizon - d, True))
    return pd.DataFrame(rows, columns=["provider_id", "day", "third_open", "days",
                                       "beyond_template"]).astype(
        {"provider_id": "str", "days": "int64", "beyond_template": "bool"})


_EPOCH = dt.date(1970, 1, 1)


def _ordinal(stamps: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of each timestamp; a missing one is the int64 minimum."""
    return stamps.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """The (first, end) positions of each run of equal values in sorted ``keys``."""
    edges = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    bounds = np.concatenate(([0], edges, [len(keys)]))
    return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def practice_days(slots: pd.DataFrame, start: dt.date, as_of: dt.date) -> list[dt.date]:
    """The days from ``start`` to ``as_of`` on which the template has any slot."""
    day = slots["date"].dt.normalize()
    inside = day[day.between(pd.Timestamp(start), pd.Timestamp(as_of))]
    return sorted({stamp.date() for stamp in inside.unique()})


def template_use(slots: pd.DataFrame, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    """The template's slots of the period by slot type: how many, blocked, booked and left
    unfilled (open on the day), and the utilisation (booked ÷ the slots not blocked); the
    last row is every type's."""
    day = slots["date"].dt.normalize()
    past = slots[day.between(pd.Timestamp(start), pd.Timestamp(as_of))]
    state = past["state"].astype("str")
    table = pd.crosstab(past["slot_type"].astype("str"), state).reindex(
        columns=["blocked", "booked", "open"], fill_value=0).astype("int64")
    table.loc["every type"] = table.sum()
    table.insert(0, "slots", table.sum(axis=1))
    table = table.rename(columns={"open": "unfilled"})
    table["utilisation"] = table["booked"] / (table["booked"] + table["unfilled"])
    table.index.name = "slot_type"
    table.columns.name = None
    return table.reset_index()


def no_show_grid(appointments: pd.DataFrame, start: dt.date, as_of: dt.date) -> pd.DataFrame:
    """The no-show rate by weekday (rows) and hour of the start (columns)."""
    kept = _kept(appointments, start, as_of)
    weekday = pd.Categorical(kept["date"].dt.day_of_week.map(dict(enumerate(_WEEKDAYS))),
                             categories=_WEEKDAYS[:5])
    hour = (minutes_of(kept["start_time"]) // 60).map("{:02d}:00".format)
    return kept["no_show"].groupby([weekday, hour.to_numpy()], observed=True).mean().unstack()


def cycle_times(events: pd.DataFrame, appointments: pd.DataFrame, wait_target: int,
                by: Sequence[str] = ("hour",)) -> pd.DataFrame:
    """Mean minutes of each part of the visit by hour of the appointment (``by``: ``hour``
    and/or ``location_id``, indexed by them in that order): wait for a room, for the
    provider, with the provider, checkout (visits with a checkout time only), and how many
    waited for a room longer than ``wait_target`` minutes."""
    frame = events.merge(appointments[["appointment_id", "location_id", "start_time"]],
                         on="appointment_id")
    times = {name: minutes_of(frame[name].fillna("00:00")) for name in
             ("arrival", "roomed", "provider_in", "provider_out", "checkout")}
    parts = pd.DataFrame({
        "room_wait": times["roomed"] - times["arrival"],
        "provider_wait": times["provider_in"] - times["roomed"],
        "with_provider": times["provider_out"] - times["provider_in"],
        "checkout": (times["checkout"] - times["provider_out"]).where(
            frame["checkout"].notna()),
        "hour": (minutes_of(frame["start_time"]) // 60).map("{:02d}:00".format),
        "location_id": frame["location_id"].astype("str"),
    })
    parts["over_target"] = parts["room_wait"] > wait_target
    grouped = parts.groupby(list(by))
    table = grouped[["room_wait", "provider_wait", "with_provider", "checkout"]].mean()
    table["visits"] = grouped.size()
    table["over_target"] = grouped["over_target"].sum()
    return table


def room_waits(events: pd.DataFrame, appointments: pd.DataFrame) -> pd.DataFrame:
    """Minutes waiting for a room by location: the morning's (before noon) and the late
    afternoon's (from 3 pm) medians, and their ratio."""
    frame = events.merge(appointments[["appointment_id", "location_id", "start_time"]],
                         on="appointment_id")
    wait = minutes_of(frame["roomed"]) - minutes_of(frame["arrival"])
    start = minutes_of(frame["start_time"])
    part = np.select([start < _NOON, start >= _LATE], ["morning", "afternoon"], "midday")
    table = wait.groupby([frame["location_id"].astype("str").to_numpy(), part]).median()
    table = table.unstack()[["morning", "afternoon"]]
    table.index.name = "location_id"
    table["ratio"] = table["afternoon"] / table["morning"]
    return table.reset_index()


VERIFY_DAYS_AHEAD = 2
"""A visit is verified when an eligibility check found its coverage active this many days or
more before the visit's day (the issue's "at least 2 days before")."""


def checked_ahead(appointments: pd.DataFrame, checks: pd.DataFrame,
                  days_ahead: int = VERIFY_DAYS_AHEAD) -> pd.Series:
    """The appointments with an active eligibility check at least ``days_ahead`` days before
    the visit's day (a check on the day, or one that found the coverage inactive, does not
    count), as their ids."""
    visit_day = appointments.set_index("appointment_id")["date"].dt.normalize()
    active = checks[checks["result"].astype("str") == "active"]
    checked = active.merge(visit_day.rename("visit"), left_on="appointment_id",
                           right_index=True)
    early = (checked["visit"] - checked["checked_date"].dt.normalize()).dt.days >= days_ahead
    return checked.loc[early, "appointment_id"].drop_duplicates()


def verified_ahead(appointments: pd.DataFrame, checks: pd.DataFrame, start: dt.date,
                   as_of: dt.date) -> dict[str, Any]:
    """The completed visits of the period and how many were verified ahead
    (:func:`checked_ahead`): ``visits``, ``verified``, ``days_ahead`` and their ``share``
    (``None`` without a completed visit)."""
    kept = _kept(appointments, start, as_of)
    done = kept.loc[~kept["no_show"], "appointment_id"]
    verified = int(done.isin(checked_ahead(appointments, checks)).sum())
    return {"visits": len(done), "verified": verified, "days_ahead": VERIFY_DAYS_AHEAD,
            "share": verified / len(done) if len(done) else None}


def eligibility_denials(adjustments: pd.DataFrame, claims: pd.DataFrame,
                        appointments: pd.DataFrame, checks: pd.DataFrame,
                        carcs: frozenset[str]) -> pd.DataFrame:
    """The claims denied for eligibility (any of ``carcs``), their money, and whether their
    visit was verified ahead (:func:`checked_ahead`), had any check, or none."""
    adj = adjustments[adjustments["reason_code"].astype("str").isin(carcs)]
    adj = adj.drop_duplicates(["claim_id", "st_control", "segment_number", "level",
                               "line_number", "group_code", "reason_code", "amount_cents"])
    money = adj.groupby(adj["claim_id"].astype("str"))["amount_cents"].sum()
    denied = claims[claims["claim_id"].isin(money.index)][
        ["claim_id", "appointment_id", "payer_id"]].copy()
    denied["denied_cents"] = denied["claim_id"].map(money).astype("int64")
    denied["verified"] = denied["appointment_id"].isin(checked_ahead(appointments, checks))
    denied["never_checked"] = ~denied["appointment_id"].isin(checks["appointment_id"])
    return denied.sort_values("claim_id").reset_index(drop=True)


def denials_by_payer(denials: pd.DataFrame) -> pd.DataFrame:
    """The eligibility denials (:func:`eligibility_denials`) by payer: claims, money, and how
    their visits were checked: ``verified_ahead`` (:func:`checked_ahead`), ``checked_late``
    (checked, but not with an active result two days ahead) and ``never_checked``; the last
    row, ``every payer``, is their sum."""
    late = ~denials["verified"] & ~denials["never_checked"]
    grouped = denials.assign(checked_late=late).groupby(denials["payer_id"].astype("str"))
    table = pd.DataFrame({
        "claims": grouped.size(),
        "denied_cents": grouped["denied_cents"].sum(),
        "verified_ahead": grouped["verified"].sum(),
        "checked_late": grouped["checked_late"].sum(),
        "never_checked": grouped["never_checked"].sum(),
    }, columns=["claims", "denied_cents", "verified_ahead", "checked_late", "never_checked"]
    ).astype("int64")
    table.loc["every payer"] = table.sum()
    table.index.name = "payer_id"
    return table.reset_index()


def late_cancellations(appointments: pd.DataFrame, start: dt.date, as_of: dt.date,
                       hours: float, bands: Sequence[int] = LEAD_BANDS,
                       payer_classes: pd.Series | None = None) -> pd.DataFrame:
    """Late cancellations, apart from no-shows, in the no-show groups' dimensions
    (:func:`group_keys` but the provider × weekday × session cells): provider, visit type,
    weekday, hour, lead-time band, payer class (``payer_classes``, indexed as
    ``appointments``) and reminder. A late cancellation is an appointment cancelled less than
    ``hours`` before its start. The rate's denominator (``held``) is the appointments still
    on the book when the window opened (completed, no-shows and late cancellations; ``kept``
    the first two); rescheduled visits are not cancellations (the patient keeps a visit).
    Wilson 95 % intervals; the last row is the practice's (dimension and group
    ``practice``)."""
    day = appointments["date"].dt.date
    period = appointments[(day >= start) & (day <= as_of)]
    status = period["status"].astype("str")
    called = period[status == "cancelled"]
    visit_at = called["date"] + pd.to_timedelta(minutes_of(called["start_time"]), unit="min")
    cancelled_at = called["cancelled_date"] + pd.to_timedelta(
        minutes_of(called["cancelled_time"].fillna("00:00")), unit="min")
    late = called.index[(visit_at - cancelled_at) < pd.Timedelta(hours=hours)]
    held = period[status.isin(KEPT) | period.index.isin(late)]
    is_late = pd.Series(held.index.isin(late), index=held.index)
    tables = []
    for dimension, key in group_keys(held, bands, payer_classes).items():
        if dimension == CELL:
            continue
        grouped = is_late.groupby(key, observed=True, sort=True)
        table = pd.DataFrame({"late": grouped.sum(), "held": grouped.size()})
        table.index = table.index.astype("str").rename("group")
        tables.append(table.reset_index().assign(dimension=dimension))
    tables.append(pd.DataFrame({"dimension": ["practice"], "group": ["practice"],
                                "late": [int(is_late.sum())], "held": [len(held)]}))
    out = pd.concat(tables, ignore_index=True).astype({"late": "int64", "held": "int64"})
    out["kept"] = out["held"] - out["late"]
    out["rate"] = out["late"] / out["held"]
    out["low"], out["high"] = wilson(out["late"].to_numpy(), out["held"].to_numpy())
    return out[["dimension", "group", "late", "kept", "held", "rate", "low", "high"]]


def expected_payment(appointments: pd.DataFrame, claims: pd.DataFrame,
                     payments: pd.DataFrame, start: dt.date, as_of: dt.date,
                     payer_classes: pd.Series) -> pd.DataFrame:
    """What a visit brings in, by visit type and payer class (``payer_classes``, indexed as
    ``appointments``: :func:`payer_class`): the payments posted (ERA and patient, up to
    ``as_of``) on the claims of the period's completed visits of the pair, and those visits."""
    kept = _kept(appointments, start, as_of)
    done = kept[~kept["no_show"]]
    paid = payments[payments["posted_date"].dt.date <= as_of]
    paid = paid.groupby("claim_id")["amount_cents"].sum()
    per_visit = claims.assign(paid=claims["claim_id"].map(paid).fillna(0).astype("int64"))
    per_visit = per_visit.groupby("appointment_id")["paid"].sum()
    cents = done["appointment_id"].map(per_visit).fillna(0).astype("int64")
    grouped = cents.groupby([done["visit_type"].astype("str").to_numpy(),
                             payer_classes.loc[done.index].to_numpy()])
    return pd.DataFrame({"paid_cents": grouped.sum(), "completed": grouped.size()}
                        ).rename_axis(["visit_type", "payer_class"]).reset_index()


def revenue_lost(appointments: pd.DataFrame, payment: pd.DataFrame, payer_classes: pd.Series,
                 start: dt.date, as_of: dt.date, given: Mapping[str, Any] | None = None
                 ) -> tuple[int, pd.DataFrame]:
    """No-shows × expected payment: each no-show at the average paid per completed visit of
    its visit type and payer class (:func:`expected_payment`) where that pair has completed
    visits, else at its visit type's over every payer. The total is the exact sum, rounded
    once to the cent; the table gives each payer class's no-shows, how many were priced at
    their type's practice-wide average, how many could not be priced (a visit type with no
    completed visit at all: counted at $0, never dropped), and its share in whole cents, split
    so that the rows add up to the total (:func:`pracops.money.split_rounded`).

    ``given`` (the ``expected_payment`` parameter) prices a visit type, or a visit type and
    payer class, in dollars ahead of the billing data; its no-shows are counted in
    ``given``."""
    kept = _kept(appointments, start, as_of)
    missed = kept[kept["no_show"]]
    given = given or {}
    pairs = {(r.visit_type, r.payer_class): Fraction(int(r.paid_cents), int(r.completed))
             for r in payment.itertuples() if r.completed}
    by_type = payment.groupby("visit_type")[["paid_cents", "completed"]].sum()
    types = {t: Fraction(int(r.paid_cents), int(r.completed))
             for t, r in by_type.iterrows() if r.completed}
    lost: dict[str, Fraction] = {}
    rows: dict[str, list[int]] = {}
    for kind, payer in zip(missed["visit_type"].astype("str"),
                           payer_classes.loc[missed.index], strict=True):
        row = rows.setdefault(payer, [0, 0, 0, 0])
        row[0] += 1
        stated = given.get(kind)
        if isinstance(stated, Mapping):
            stated = stated.get(payer)
        if stated is not None:
            row[3] += 1
            lost[payer] = lost.get(payer, Fraction(0)) + to_cents(stated)
            continue
        price = pairs.get((kind, payer))
        if price is None:
            price = types.get(kind)
            row[1] += 1
            if price is None:  # no completed visit of its type at all: nothing to price it by
                price = Fraction(0)
                row[2] += 1
        lost[payer] = lost.get(payer, Fraction(0)) + price
    payers = sorted(rows)
    cents = split_rounded([lost[p] for p in payers])  # the rows add up to the total
    table = pd.DataFrame(
        [{"payer_class": p, "no_shows": rows[p][0], "given": rows[p][3],
          "at_type_average": rows[p][1], "unpriced": rows[p][2], "lost_cents": c}
         for p, c in zip(payers, cents, strict=True)],
        columns=["payer_class", "no_shows", "given", "at_type_average", "unpriced",
                 "lost_cents"])
    return round_half_away(sum(lost.values(), Fraction(0))), table


def coming_days(appointments: pd.DataFrame, as_of: dt.date, days: int = 3) -> list[dt.date]:
    """The first ``days`` days after ``as_of`` the practice has visits booked: its business
    days, as its own schedule says (no holiday calendar needed)."""
    day = appointments["date"].dt.date
    return sorted(set(day[day > as_of]))[:days]
