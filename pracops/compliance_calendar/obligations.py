"""The compliance calendar's calculations: pure functions on the loaded frames.

:func:`people` (staff and providers as one roster), :func:`obligations` (requirements × people,
equipment and documents: due date and status), :func:`revenue_at_risk` (the visits a lapsing
credential stops, priced), :func:`log_problems` (gaps and readings out of range in the logs
kept daily or weekly), :func:`coverage_gaps` (the first open day a location has nobody on its
roster's usual shifts holding the coverage credential) and :func:`findings` (the problems, one
dict each). Every interval, window and range comes from the ``requirements`` data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import pandas as pd

from pracops.data.shifts import DAYS, parse_days, parse_shifts
from pracops.money import money_param, round_half_away

__all__ = ["STATUSES", "coverage_gaps", "findings", "log_problems", "obligations", "people",
           "revenue_at_risk", "status"]

STATUSES = ("overdue", "missing", "due", "current")
"""An obligation's status; ``due`` carries its window (``due in 30``) in ``window_days``."""

def people(staff: pd.DataFrame, providers: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """One row per person: ``person_id``, ``name``, ``role`` (``provider`` for providers),
    ``location_id``, ``start`` (hire date from ``reviews``, or the provider's start date),
    ``usual_shifts`` (staff only) and ``is_staff``."""
    hired = reviews.set_index("employee_id")["hire_date"]
    out_staff = pd.DataFrame({
        "person_id": staff["employee_id"], "name": staff["name"],
        "role": staff["role"].astype("str"), "location_id": staff["location_id"],
        "start": staff["employee_id"].map(hired), "usual_shifts": staff["usual_shifts"],
        "is_staff": True})
    out_providers = pd.DataFrame({
        "person_id": providers["provider_id"], "name": providers["name"], "role": "provider",
        "location_id": providers["location_id"], "start": providers["start_date"],
        "usual_shifts": None, "is_staff": False})
    return pd.concat([out_staff, out_providers], ignore_index=True)


def _applies(applies_to: str, person: Mapping[str, Any]) -> bool:
    tokens = {t.strip() for t in applies_to.split(";")}
    return ("all" in tokens or person["role"] in tokens
            or ("staff" in tokens and bool(person["is_staff"])))


def status(due: pd.Series, as_of: pd.Timestamp, warning_days: Sequence[int]) -> pd.DataFrame:
    """``status`` and ``window_days`` of each due date: overdue before ``as_of``, ``due`` within
    the smallest warning window that holds it, else current (also with no due date)."""
    days = (due - as_of).dt.days
    window = pd.Series(pd.NA, index=due.index, dtype="Int64")
    for w in sorted(warning_days, reverse=True):
        window = window.mask(days.le(w).fillna(False), w)
    st = pd.Series("current", index=due.index, dtype="str")
    st = st.mask(window.notna().to_numpy(dtype=bool), "due")
    st = st.mask(days.lt(0).fillna(False), "overdue")
    window = window.mask(st == "overdue")
    return pd.DataFrame({"status": st, "window_days": window})


def _latest(frame: pd.DataFrame, keys: list[str], on: str) -> pd.DataFrame:
    return frame.sort_values(on, kind="stable").drop_duplicates(keys, keep="last")


def obligations(frames: Mapping[str, pd.DataFrame], as_of: pd.Timestamp,
                warning_days: Sequence[int] = (90, 60, 30),
                roles: Sequence[str] = ()) -> pd.DataFrame:
    """Every obligation with its due date and status.

    Parameters
    ----------
    frames
        The loaded datasets by name (requirements, credentials, trainings, reviews, equipment,
        practice_documents, staff, providers).
    as_of
        The report date.
    warning_days
        The warning windows.
    roles
        Roles in scope (staff roles, ``provider``); empty for every role.

    Returns
    -------
    DataFrame
        ``subject`` (person, asset or document id), ``subject_kind`` (person, asset,
        document), ``requirement``, ``title``, ``kind``, ``role``, ``location_id``, ``owner``,
        ``payer_id``, ``effect``, ``record`` (the record it was read from, empty when
        missing), ``due``, ``status``, ``window_days``, ``source``.
    """
    req = frames["requirements"].set_index("requirement")
    crowd = people(frames["staff"], frames["providers"], frames["reviews"])
    if roles:
        crowd = crowd[crowd["role"].isin(roles)]
    rows: list[dict[str, Any]] = []
    req_rows = req.to_dict("index")

    def add(subject: str, subject_kind: str, rid: str, due: Any, record: Any, *,
            role: Any = None, location: Any = None, owner: Any = None, payer: Any = None,
            missing: bool = False) -> None:
        r = req_rows[rid]
        rows.append({"subject": subject, "subject_kind": subject_kind, "requirement": rid,
                     "title": r["title"], "kind": r["kind"], "role": role,
                     "location_id": location, "owner": owner if owner is not None else subject,
                     "payer_id": payer, "effect": r["effect"], "record": record,
                     "due": due, "missing": missing, "source": r["source"]})

    def interval(rid: str) -> pd.Timedelta | None:
        days = req.loc[rid, "interval_days"]
        return None if pd.isna(days) else pd.Timedelta(days=int(days))

    creds = _latest(frames["credentials"], ["person_id", "kind", "payer_id"], "issued")
    held_by: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for c in creds.to_dict("records"):
        held_by.setdefault((c["person_id"], c["kind"]), []).append(c)
    trains = _latest(frames["trainings"], ["person_id", "course"], "completed")
    done_by = {(t["person_id"], t["course"]): t for t in trains.to_dict("records")}
    people_rows = crowd.to_dict("records")
    reviews = frames["reviews"].set_index("employee_id")
    for rid, r in req.iterrows():
        if r["kind"] not in ("credential", "training", "review"):
            continue
        step = interval(rid)
        for p in people_rows:
            if not _applies(r["applies_to"], p):
                continue
            pid = p["person_id"]
            who = {"role": p["role"], "location": p["location_id"]}
            at_hire = p["start"] if r["at_hire"] else pd.NaT
            if r["kind"] == "credential":
                held = held_by.get((pid, rid), [])
                if not held:
                    add(pid, "person", rid, at_hire, None, missing=True, **who)
                for c in held:
                    due = c["expires"] if pd.notna(c["expires"]) else (
                        c["issued"] + step if step is not None else pd.NaT)
                    add(pid, "person", rid, due, c["credential_id"], payer=c["payer_id"], **who)
            elif r["kind"] == "training":
                t = done_by.get((pid, rid))
                if t is None:
                    add(pid, "person", rid, at_hire, None, missing=True, **who)
                else:
                    due = t["completed"] + step if step is not None else pd.NaT
                    add(pid, "person", rid, due, t["training_id"], **who)
            elif p["is_staff"]:
                if pid not in reviews.index:
                    add(pid, "person", rid, pd.NaT, None, missing=True, **who)
                    continue
                v = reviews.loc[pid]
                base = v["last_review"] if pd.notna(v["last_review"]) else v["hire_date"]
                due = v["next_due"] if pd.notna(v["next_due"]) else (
                    base + step if step is not None else pd.NaT)
                add(pid, "person", rid, due, pid, **who)
    docs = frames["practice_documents"]
    for rid in req.index[req["kind"] == "document"]:
        mine = docs[docs["kind"] == rid]
        if mine.empty:
            add("practice", "document", rid, pd.NaT, None, owner="practice", missing=True)
        step = interval(rid)
        for _, d in mine.iterrows():
            due = d["expires"] if pd.notna(d["expires"]) else (
                d["last_done"] + step if step is not None else pd.NaT)
            add(d["document_id"], "document", rid, due, d["document_id"], owner=d["owner"])
    for _, e in frames["equipment"].iterrows():
        rows.append({"subject": e["asset_id"], "subject_kind": "asset",
                     "requirement": f"service: {e['kind']}", "title": f"{e['kind']} check",
                     "kind": "equipment", "role": None, "location_id": e["location_id"],
                     "owner": e["location_id"], "payer_id": None, "effect": "none",
                     "record": e["asset_id"], "missing": False, "source": "equipment.csv",
                     "due": e["last_service"] + pd.Timedelta(days=int(e["interval_days"]))})
    out = pd.DataFrame(rows)
    out["due"] = pd.to_datetime(out["due"])
    out = pd.concat([out, status(out["due"], as_of, warning_days)], axis=1)
    out.loc[out["missing"], ["status", "window_days"]] = ["missing", pd.NA]
    return out.drop(columns="missing")


def _shares(claims: pd.DataFrame, providers: pd.DataFrame) -> dict[str, dict[str, Fraction]]:
    """Each provider's share of claims by payer over the history."""
    by_npi = providers.set_index("npi")["provider_id"]
    counts = claims.assign(provider_id=claims["rendering_npi"].map(by_npi)).groupby(
        ["provider_id", "payer_id"]).size()
    out: dict[str, dict[str, Fraction]] = {}
    for (prov, payer), n in counts.items():
        out.setdefault(prov, {})[payer] = Fraction(int(n), int(counts.loc[prov].sum()))
    return out


def _payments(claims: pd.DataFrame, payments: pd.DataFrame) -> dict[str, Fraction]:
    """Average payer payment per paid visit (claim) by payer, in cents, from the ERA
    postings."""
    era = payments[payments["source"] == "ERA"].merge(claims[["claim_id", "payer_id"]],
                                                      on="claim_id")
    g = era.groupby("payer_id").agg(cents=("amount_cents", "sum"), visits=("claim_id", "nunique"))
    return {p: Fraction(int(r["cents"]), int(r["visits"])) for p, r in g.iterrows()}


def revenue_at_risk(lapses: pd.DataFrame, frames: Mapping[str, pd.DataFrame],
                    payer_visit_share: Mapping[str, Mapping[str, float]] | None = None,
                    payment_per_visit: Mapping[str, float] | None = None) -> pd.DataFrame:
    """The booked visits after each lapse that it stops, and what they would have paid.

    For an enrolment (effect ``payer visits``): the provider's booked visits after the due date
    × the payer's share of the provider's claims × the payer's average payment per visit; for
    ``all visits`` (a state licence): every booked visit after the date × the provider's
    average over its payers; ``prescribing`` (DEA) and ``none`` carry no figure.

    Returns ``lapses`` with ``booked_visits``, ``visits_at_risk`` (float) and
    ``revenue_at_risk_cents`` (``Int64``, empty where there is no figure).
    """
    shares = _shares(frames["claims"], frames["providers"])
    for prov, mix in (payer_visit_share or {}).items():
        shares[prov] = {p: Fraction(str(s)) for p, s in mix.items()}
    pay = _payments(frames["claims"], frames["payments_posted"])
    for payer, dollars in (payment_per_visit or {}).items():
        pay[payer] = Fraction(money_param(f"payment_per_visit[{payer}]", dollars))
    appts = frames["appointments"]
    booked = appts[appts["status"] == "booked"]
    out = lapses.copy()
    visits, at_risk, cents = [], [], []
    for _, lapse in lapses.iterrows():
        n = int(((booked["provider_id"] == lapse["subject"]) & (booked["date"] > lapse["due"]))
                .sum())
        mix = shares.get(lapse["subject"], {})
        if lapse["effect"] == "payer visits":
            share = mix.get(lapse["payer_id"], Fraction(0))
            value = n * share * pay.get(lapse["payer_id"], Fraction(0))
        elif lapse["effect"] == "all visits":
            share = Fraction(1)
            value = n * sum((s * pay.get(p, Fraction(0)) for p, s in mix.items()), Fraction(0))
        else:
            visits.append(n)
            at_risk.append(float("nan"))
            cents.append(pd.NA)
            continue
        visits.append(n)
        at_risk.append(float(n * share))
        cents.append(round_half_away(value))
    out["booked_visits"] = visits
    out["visits_at_risk"] = at_risk
    out["revenue_at_risk_cents"] = pd.array(cents, dtype="Int64")
    return out


def log_problems(frames: Mapping[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.DataFrame:
    """Gaps and out-of-range readings in the logs the requirements ask for.

    A daily log (``interval_days`` 1) needs ``per_day`` readings every calendar day from the
    asset's first entry to ``as_of``; a log every *n* days needs an entry in each *n*-day
    period from the Monday of its first entry's week, periods ending after ``as_of`` not yet
    due. Consecutive short days (periods) are one gap. A reading outside ``low``..``high`` is
    out of range; a result of ``fail`` is a failed test. An asset with no entries at all is
    missing.

    Returns one row per problem: ``kind`` (``log_gap``, ``out_of_range``, ``failed``,
    ``missing``), ``asset_id``, ``location_id``, ``requirement``, ``first``, ``last``,
    ``periods``, ``time``, ``reading``.
    """
    req = frames["requirements"]
    equipment, logs = frames["equipment"], frames["equipment_logs"]
    rows: list[dict[str, Any]] = []
    for _, r in req[req["kind"] == "log"].iterrows():
        kinds = {t.strip() for t in r["applies_to"].split(";")}
        step = int(r["interval_days"])
        need = 1 if pd.isna(r["per_day"]) or step != 1 else int(r["per_day"])
        for _, asset in equipment[equipment["kind"].isin(kinds)].iterrows():
            base = {"asset_id": asset["asset_id"], "location_id": asset["location_id"],
                    "requirement": r["requirement"], "time": None, "reading": float("nan")}
            mine = logs[(logs["asset_id"] == asset["asset_id"]) & (logs["date"] <= as_of)]
            if mine.empty:
                rows.append({**base, "kind": "missing", "first": pd.NaT, "last": pd.NaT,
                             "periods": 0})
                continue
            first = mine["date"].min()
            if step != 1:
                first -= pd.Timedelta(days=first.weekday())
            starts = pd.date_range(first, as_of - pd.Timedelta(days=step - 1), freq=f"{step}D")
            period = ((mine["date"] - first).dt.days // step)
            counts = period.value_counts()
            short = [s for k, s in enumerate(starts) if counts.get(k, 0) < need]
            run: list[pd.Timestamp] = []
            for s in [*short, None]:
                if run and (s is None or s - run[-1] != pd.Timedelta(days=step)):
                    rows.append({**base, "kind": "log_gap", "first": run[0],
                                 "last": run[-1] + pd.Timedelta(days=step - 1),
                                 "periods": len(run)})
                    run = []
                if s is not None:
                    run.append(s)
            out = pd.Series(False, index=mine.index)
            if pd.notna(r["low"]):
                out |= mine["reading"].lt(r["low"]).fillna(False)
            if pd.notna(r["high"]):
                out |= mine["reading"].gt(r["high"]).fillna(False)
            for _, x in mine[out].iterrows():
                rows.append({**base, "kind": "out_of_range", "first": x["date"],
                             "last": x["date"], "periods": 1, "time": x["time"],
                             "reading": float(x["reading"])})
            for _, x in mine[mine["result"] == "fail"].iterrows():
                rows.append({**base, "kind": "failed", "first": x["date"], "last": x["date"],
                             "periods": 1, "time": x["time"]})
    return pd.DataFrame(rows, columns=["kind", "asset_id", "location_id", "requirement",
                                       "first", "last", "periods", "time", "reading"])


def log_readings(frames: Mapping[str, pd.DataFrame], as_of: pd.Timestamp,
                 days: int = 60) -> pd.DataFrame:
    """The readings of the logs whose requirement gives a range (``low``..``high``), in the
    ``days`` up to ``as_of``: ``requirement``, ``title``, ``asset_id``, ``location_id``,
    ``at`` (date and time), ``reading``, ``low``, ``high``."""
    req = frames["requirements"]
    req = req[(req["kind"] == "log") & (req["low"].notna() | req["high"].notna())]
    equipment, logs = frames["equipment"], frames["equipment_logs"]
    since = as_of - pd.Timedelta(days=days)
    parts = []
    for _, r in req.iterrows():
        kinds = {t.strip() for t in r["applies_to"].split(";")}
        assets = equipment[equipment["kind"].isin(kinds)][["asset_id", "location_id"]]
        mine = logs[logs["asset_id"].isin(assets["asset_id"]) & logs["reading"].notna()
                    & (logs["date"] > since) & (logs["date"] <= as_of)]
        at = mine["date"] + pd.to_timedelta(mine["time"].fillna("00:00").astype(str) + ":00")
        parts.append(mine[["asset_id", "reading"]].assign(
            at=at, requirement=r["requirement"], title=r["title"], low=r["low"],
            high=r["high"]).merge(assets, on="asset_id"))
    columns = ["requirement", "title", "asset_id", "location_id", "at", "reading", "low", "high"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns].sort_values(["requirement", "at"])


def coverage_gaps(obligations_: pd.DataFrame, frames: Mapping[str, pd.DataFrame],
                  as_of: pd.Timestamp, days: int, credential: str = "bls") -> pd.DataFrame:
    """The first open day after ``as_of`` (within ``days``) each location has nobody on its
    staff roster's usual shifts with a current ``credential``, and who held it the open day
    before (``lapsed``, ';'-separated).

    A card is current on a day up to and including its due date. Providers have no usual
    shifts in the roster and are not counted (see ``docs/compliance_calendar-sample.md``).
    """
    held = obligations_[(obligations_["requirement"] == credential)
                        & (obligations_["status"] != "missing")]
    cards: dict[str, list[pd.Timestamp]] = {}
    for subject, due in zip(held["subject"], held["due"], strict=True):
        cards.setdefault(subject, []).append(due)
    staff = frames["staff"]
    shifts = {e: {DAYS.index(d) for d, _, _ in parse_shifts(t)}
              for e, t in zip(staff["employee_id"], staff["usual_shifts"], strict=True)}
    rows = []
    for _, loc in frames["locations"].iterrows():
        open_days = {DAYS.index(d) for d in parse_days(loc["days_open"])}
        crew = list(staff.loc[staff["location_id"] == loc["location_id"], "employee_id"])
        previous: list[str] = []
        for day in pd.date_range(as_of + pd.Timedelta(days=1), as_of + pd.Timedelta(days=days)):
            if day.weekday() not in open_days:
                continue
            current = sorted(e for e in crew if day.weekday() in shifts[e]
                             and any(pd.isna(d) or d >= day for d in cards.get(e, ())))
            if not current:
                rows.append({"location_id": loc["location_id"], "from": day,
                             "lapsed": ";".join(p for p in previous if p not in current)})
                break
            previous = current
    return pd.DataFrame(rows, columns=["location_id", "from", "lapsed"])


def findings(table: pd.DataFrame, risk: pd.DataFrame, logs: pd.DataFrame,
             coverage: pd.DataFrame, lapse_days: int) -> list[dict[str, Any]]:
    """The problems, one dict each: overdue and missing obligations, credentials that stop
    something (revenue, prescribing) lapsing within ``lapse_days``, log problems and locations
    losing cover."""
    out: list[dict[str, Any]] = []

    def day(value: Any) -> str | None:
        return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()

    for _, o in table[table["status"].isin(("overdue", "missing"))].iterrows():
        out.append({"kind": o["status"], "subject": o["subject"],
                    "requirement": o["requirement"], "due": day(o["due"])})
    soon = risk[(risk["status"] == "due") & risk["window_days"].le(lapse_days).fillna(False)]
    for _, r in soon.iterrows():
        cents = r["revenue_at_risk_cents"]
        out.append({"kind": "lapse", "subject": r["subject"], "requirement": r["requirement"],
                    "payer_id": None if pd.isna(r["payer_id"]) else r["payer_id"],
                    "due": day(r["due"]), "effect": r["effect"],
                    "booked_visits": int(r["booked_visits"]),
                    "revenue_at_risk_cents": None if pd.isna(cents) else int(cents)})
    for _, g in logs.iterrows():
        out.append({"kind": g["kind"], "subject": g["asset_id"], "first": day(g["first"]),
                    "last": day(g["last"]), "time": None if pd.isna(g["time"]) else g["time"],
                    "reading": None if pd.isna(g["reading"]) else g["reading"]})
    for _, c in coverage.iterrows():
        out.append({"kind": "coverage", "subject": c["location_id"], "from": day(c["from"]),
                    "lapsed": c["lapsed"]})
    return out
