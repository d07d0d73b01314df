"""Benchmark of the patient access report's no-show breakdowns at a group's size: the bundled
sample's appointments copied ``copies`` times (each copy a practice of its own: provider,
patient and appointment ids suffixed), about 1 M appointments at 45 copies.

    python bench/bench_patient_access.py [--copies 10 45]

Timed, best of 3, in one process:

pracops
    ``pracops.patient_access.model.no_show_groups`` (the no-show rate by provider, visit type,
    weekday, hour, lead-time band, payer class and provider × weekday × session, with Wilson
    95 % intervals and the flag) and ``model.lead_times`` (median, 90th percentile and median
    from the requested day by visit type) on the scaled frame, as ``chain.compute`` calls them.
    The payer class of each visit (``model.payer_class``: claim, check, nearest claim) is
    timed apart (a second row), on the sample's claims and checks copied alike.
anchor
    The same counts, rates and Wilson bounds as one DuckDB SQL query (``GROUPING SETS`` over
    the seven groupings, 2 threads) and the same lead-time figures as a second, over the same
    frame (registered, not timed); every result fetched as a pandas frame. The two must agree
    (counts exactly, rates and bounds to 1e-12, lead-time figures exactly). The payer class's
    anchor is one DuckDB query too (the claim's payer, else the latest check's, else the
    patient's claim nearest in time by ``arg_min``), and must give every visit the same class.

There is no speed target in issue 17: the ratio is reported as measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from pracops.patient_access import chain, model

SIZES = (10, 45)
QUICK_SIZES = (2,)
START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 12, 31)

SQL_GROUPS = """
WITH kept AS (
    SELECT provider_id, CAST(visit_type AS VARCHAR) AS visit_type,
           strftime(date, '%a') AS weekday, substr(start_time, 1, 2) || ':00' AS hour,
           band, payer_class,
           provider_id || ' ' || strftime(date, '%a') || ' '
               || CASE WHEN start_time < '12:00' THEN 'morning' ELSE 'afternoon' END AS cell,
           CAST(status = 'no-show' AS INTEGER) AS no_show
    FROM appointments
    WHERE date BETWEEN DATE '{start}' AND DATE '{end}'
      AND CAST(status AS VARCHAR) IN ('completed', 'no-show')
), counted AS (
    SELECT CASE WHEN GROUPING(provider_id) = 0 THEN 'provider'
                WHEN GROUPING(visit_type) = 0 THEN 'visit type'
                WHEN GROUPING(weekday) = 0 THEN 'weekday'
                WHEN GROUPING(hour) = 0 THEN 'hour'
                WHEN GROUPING(band) = 0 THEN 'lead-time band'
                WHEN GROUPING(payer_class) = 0 THEN 'payer class'
                ELSE 'provider, weekday, session' END AS dimension,
           COALESCE(provider_id, visit_type, weekday, hour, band, payer_class, cell) AS grp,
           SUM(no_show) AS no_shows, COUNT(*) AS kept
    FROM kept
    GROUP BY GROUPING SETS ((provider_id), (visit_type), (weekday), (hour), (band),
                            (payer_class), (cell))
), practice AS (SELECT AVG(no_show) AS rate FROM kept)
SELECT dimension, grp, no_shows, kept, rate,
       (rate + z * z / (2 * kept) - z * sqrt(rate * (1 - rate) / kept + z * z / (4 * kept * kept)))
           / (1 + z * z / kept) AS low,
       (rate + z * z / (2 * kept) + z * sqrt(rate * (1 - rate) / kept + z * z / (4 * kept * kept)))
           / (1 + z * z / kept) AS high,
       (SELECT rate FROM practice) AS practice
FROM (SELECT *, no_shows / kept AS rate, {z} AS z FROM counted)
"""

SQL_LEADS = """
SELECT CAST(visit_type AS VARCHAR) AS visit_type, COUNT(*) AS visits,
       quantile_cont(lead, 0.5) AS median_days, quantile_cont(lead, 0.9) AS p90_days,
       quantile_cont(lead_requested, 0.5) AS median_from_request_days
FROM (SELECT visit_type, date_diff('day', booked_date, date) AS lead,
             date_diff('day', COALESCE(requested_date, booked_date), date) AS lead_requested
      FROM appointments
      WHERE date BETWEEN DATE '{start}' AND DATE '{end}'
        AND CAST(status AS VARCHAR) IN ('completed', 'no-show'))
GROUP BY 1 ORDER BY 1
"""

SQL_CLASSES = """
WITH history AS (
    SELECT c.patient_id, a.date, c.payer_id
    FROM claims c JOIN appts a USING (appointment_id)
), billed AS (
    SELECT appointment_id, any_value(payer_id) AS payer_id FROM claims GROUP BY 1
), checked AS (
    SELECT appointment_id, arg_max(payer_id, checked_date) AS payer_id FROM checks GROUP BY 1
), nearest AS (
    SELECT a.appointment_id, arg_min(h.payer_id, abs(date_diff('day', h.date, a.date))) AS payer_id
    FROM appts a JOIN history h USING (patient_id)
    WHERE a.appointment_id NOT IN (SELECT appointment_id FROM billed)
      AND a.appointment_id NOT IN (SELECT appointment_id FROM checked)
    GROUP BY 1
)
SELECT a.row, COALESCE(p.class, '{unknown}') AS payer_class
FROM appts a
LEFT JOIN billed b USING (appointment_id)
LEFT JOIN checked k USING (appointment_id)
LEFT JOIN nearest n USING (appointment_id)
LEFT JOIN payers p ON p.payer_id = COALESCE(b.payer_id, k.payer_id, n.payer_id)
ORDER BY a.row
"""


def _many(frame: pd.DataFrame, copies: int, ids: list[str]) -> pd.DataFrame:
    parts = []
    for k in range(copies):
        part = frame.copy()
        for col in ids:
            part[col] = part[col].astype("str") + f"x{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def scaled(copies: int) -> tuple[chain.Inputs, pd.Series, chain.Inputs]:
    """The scaled appointments with their payer classes, and the inputs for the payer class
    (appointments, claims, checks copied alike)."""
    base = chain.load_inputs()
    classes = model.payer_class(base.appointments, base.claims, base.checks, base.payers)
    appointments = _many(base.appointments, copies,
                         ["appointment_id", "patient_id", "provider_id"])
    big = chain.Inputs(appointments=appointments, slots=base.slots, events=None,
                       checks=_many(base.checks, copies, ["check_id", "appointment_id"]),
                       claims=_many(base.claims, copies,
                                    ["claim_id", "appointment_id", "patient_id"]),
                       payments=base.payments, adjustments=base.adjustments,
                       payers=base.payers)
    tiled = pd.Series(np.tile(classes.to_numpy(), copies), index=appointments.index)
    return big, tiled, base


def _best(repeat: int, step) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = step()
        best = min(best, time.perf_counter() - t0)
    return best, out


def measure(copies: int, repeat: int = 3) -> dict:
    import duckdb

    big, classes, _ = scaled(copies)
    appointments = big.appointments
    flags = model.Flags(5.0)

    def ours() -> tuple[pd.DataFrame, pd.DataFrame]:
        _, groups = model.no_show_groups(appointments, START, AS_OF, flags,
                                         payer_classes=classes)
        return groups, model.lead_times(appointments, START, AS_OF)

    ours_s, (groups, leads) = _best(repeat, ours)
    class_s, got = _best(repeat, lambda: model.payer_class(
        appointments, big.claims, big.checks, big.payers))

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.register("appts", appointments[["appointment_id", "patient_id", "date"]].assign(
        row=np.arange(len(appointments))))
    con.register("claims", big.claims[["appointment_id", "patient_id", "payer_id"]])
    con.register("checks", big.checks[["appointment_id", "checked_date", "payer_id"]])
    con.register("payers", big.payers[["payer_id"]].assign(
        **{"class": big.payers["class"].astype("str")}))
    classes_sql = SQL_CLASSES.format(unknown=model.UNKNOWN_PAYER)
    class_anchor_s, sql_classes = _best(repeat, lambda: con.execute(classes_sql).df())
    same_classes = bool((got.to_numpy() == classes.to_numpy()).all()
                        and (sql_classes["payer_class"].to_numpy() == classes.to_numpy()).all())
    frame = appointments.assign(
        band=model.lead_bands((appointments["date"] - appointments["booked_date"]).dt.days)
        .astype("str"), payer_class=classes)
    con.register("appointments", frame)
    groups_sql = SQL_GROUPS.format(start=START, end=AS_OF, z=model.Z95)
    leads_sql = SQL_LEADS.format(start=START, end=AS_OF)

    def anchor() -> tuple[pd.DataFrame, pd.DataFrame]:
        return con.execute(groups_sql).df(), con.execute(leads_sql).df()

    anchor_s, (sql_groups, sql_leads) = _best(repeat, anchor)
    mine = groups.set_index(["dimension", "group"]).sort_index()
    theirs = sql_groups.rename(columns={"grp": "group"}).set_index(
        ["dimension", "group"]).sort_index()
    same = (mine.index.equals(theirs.index)
            and (mine["no_shows"].to_numpy() == theirs["no_shows"].to_numpy()).all()
            and (mine["kept"].to_numpy() == theirs["kept"].to_numpy()).all()
            and np.allclose(mine[["rate", "low", "high"]].to_numpy(),
                            theirs[["rate", "low", "high"]].to_numpy(), rtol=0, atol=1e-12)
            and np.allclose(leads.drop(columns="visit_type").to_numpy(dtype=float),
                            sql_leads.drop(columns="visit_type").to_numpy(dtype=float),
                            rtol=0, atol=0))
    return {"appointments": len(appointments), "ours_s": ours_s, "anchor_s": anchor_s,
            "payer_class_s": class_s, "payer_class_anchor_s": class_anchor_s,
            "same": bool(same), "same_classes": same_classes}


def measures(quick: bool = False) -> list[dict]:
    """The breakdowns at the largest size against the same query in DuckDB (no target in
    the issue: the ratio as measured; the row passes when the figures agree)."""
    sizes = QUICK_SIZES if quick else SIZES
    big = measure(sizes[-1], repeat=1 if quick else 3)
    label = f"patient access {big['appointments']:,} appointments"
    return [
        {"measure": f"{label}: no-show rate by 7 groupings (Wilson, flags) + lead times"
                    + ("" if big["same"] else " — FIGURES DIFFER"),
         "pracops": big["ours_s"], "anchor": big["anchor_s"],
         "anchor_name": "DuckDB SQL, 2 threads", "unit": "s",
         "ratio": big["ours_s"] / big["anchor_s"], "target": "none (issue 17)",
         "ok": big["same"]},
        {"measure": f"{label}: payer class of every visit (claim, check, nearest claim)"
                    + ("" if big["same_classes"] else " — CLASSES DIFFER"),
         "pracops": big["payer_class_s"], "anchor": big["payer_class_anchor_s"],
         "anchor_name": "DuckDB SQL, 2 threads", "unit": "s",
         "ratio": big["payer_class_s"] / big["payer_class_anchor_s"],
         "target": "none (issue 17)",
         "ok": big["same_classes"]},
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, nargs="*", default=list(SIZES))
    for n in parser.parse_args().copies:
        print(n, measure(n))
