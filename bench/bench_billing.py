"""Billing reconciliation at scale: a generated group practice, end to end, and the same
matching written as DuckDB SQL.

Run from the project root::

    python bench/bench_billing.py                              # 0.1, 0.3 and 1 M lines
    python bench/bench_billing.py --sizes 5000000              # the big run (make bench BIG=1)
    python bench/bench_billing.py --sizes 100000 --keep /tmp/billing-data

``measures(quick)`` returns the issue's measures for ``bench/table.py`` (the largest size
run against DuckDB, the peak memory of all processes, and the growth across sizes).

For each size the generator (:func:`generate_group`, deterministic) writes a group practice's
year into a folder: ``claims``, ``claim_lines``, ``fee_schedule`` and ``deposits`` as CSV (the
format practices export) and as Parquet, and the ERAs as 835 files, one per payer per week
(one ST per file). 20,000 service lines a year per provider: 1 M lines is 50 providers.

Each size is then timed in a fresh subprocess (so that ``ru_maxrss`` is that size's peak):

load
    ``pracops.data.load`` of the four datasets from CSV (typed and checked); the same from
    Parquet is timed as ``load_parquet`` and not counted in the total.
parse
    ``pracops.x12.read_835`` on the ERA folder.
reconcile
    ``pracops.billing.model.reconcile``: matching, balances, expected vs paid, deposits, control
    totals, aging and the KPIs.
cross-file checks
    ``pracops.data.check_references`` on the loaded datasets and the payers, providers and
    sites the claims name (what ``pracops validate`` and ``pracops run`` add before any
    kernel starts), shown as a share of load + parse + reconcile (the issue's bound: 10 %).

The peak memory is of all the processes together: a thread samples, every 20 ms, the
proportional set size (``Pss`` of ``/proc/<pid>/smaps_rollup``: shared pages counted once) of
the process and of every process it started (the 835 reader's workers), and keeps the
largest sum; the process's own ``ru_maxrss`` bounds it from below. It samples the same load,
parse and reconcile in a fresh process of its own (:func:`memory_of_size`), where nothing is
timed: a thread of the measured process that reads every process's page tables 50 times a
second slows it (bench/README.md, "Billing reconciliation at scale"). Both processes are
started as the runner starts a report's kernel on the folder (huge pages from 256 MB,
:mod:`pracops.memory`). Then ``reconcile`` runs
twice more (its best time is compared) and, in the same process, the core matching is run as
DuckDB SQL, best of 3 (:data:`SQL`): remittance claims to claims by claim id, service lines to claim
lines by claim, procedure, modifiers and date (equal keys paired in order), ERA payments to
deposits by trace then by amount within the date window (one round of mutual closest
pairs), and per claim the net paid and the adjustments by group code with the open
balance. DuckDB reads ``claims``, ``claim_lines`` and ``deposits`` from the Parquet files and
the already parsed remittance frames (``payments``, ``claims``, ``service_lines``,
``adjustments`` of the Remittance, registered as views over the DataFrames); what is timed is
the execution of the queries with their results fetched as Arrow tables, not the parsing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

LINES_PER_PROVIDER = 20_000
YEAR = 2025
# payer id, name on the 835, TRN03, N1*PR id, share of claims, allowed as a share of the
# charge, patient coinsurance, how it pays (ACH with the trace in the bank text, or check)
PAYERS = (
    ("MCR", "MEDICARE PART B", "1665816106", "96912", 0.30, 0.55, 0.20, "ACH"),
    ("MCD", "STATE MEDICAL ASSISTANCE", "1323554812", "338671969", 0.15, 0.45, 0.00, "check"),
    ("BCB", "BLUE PLAN", "1368698231", "00310", 0.25, 0.80, 0.10, "ACH"),
    ("AET", "AETNA", "1060000001", "60054", 0.12, 0.75, 0.10, "ACH"),
    ("UHC", "UNITED HEALTHCARE", "1410000002", "87726", 0.13, 0.70, 0.15, "ACH"),
)
SELF_PAY_SHARE = 0.05
# CPT and the practice's price in cents
CPTS = (("99212", 10_000), ("99213", 15_000), ("99214", 22_000), ("99215", 30_000),
        ("99203", 23_000), ("99204", 30_000), ("99395", 25_000), ("36415", 2_500),
        ("80053", 5_000), ("85025", 3_500), ("81002", 1_500), ("87880", 4_000),
        ("93000", 6_000), ("71046", 12_000), ("90471", 3_000), ("90686", 4_000),
        ("96372", 4_500), ("11102", 15_000), ("17110", 14_000), ("20610", 18_000))
EM = 7  # the first CPTs are visits (E/M): they may carry modifier 25
AS_OF = "2026-01-31"
DEPOSIT_WINDOW_DAYS = 7  # the window of the DuckDB anchor (SQL "deposits"): both match alike


def _dollars(cents: np.ndarray) -> np.ndarray:
    """Cents as dollar text ``-123.45`` (any sign)."""
    cents = np.asarray(cents, dtype=np.int64)
    size = np.abs(cents)
    text = np.char.add(np.char.add((size // 100).astype(str), "."),
                       np.char.zfill((size % 100).astype(str), 2))
    return np.where(cents < 0, np.char.add("-", text), text)


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _d8(day: np.datetime64) -> str:
    return str(day).replace("-", "")


def generate_group(folder: Path, lines: int, seed: int = 2025) -> dict[str, Any]:
    """Write a group practice's year with about ``lines`` service lines into ``folder``.

    Returns counts (claims, lines, ERA files, deposits, MB of 835).
    """
    rng = np.random.default_rng(seed)
    providers = max(1, round(lines / LINES_PER_PROVIDER))
    per_claim = rng.choice([1, 2, 3, 4], size=lines, p=[0.45, 0.35, 0.15, 0.05])
    n_claims = int(np.searchsorted(np.cumsum(per_claim), lines)) + 1
    per_claim = per_claim[:n_claims]
    per_claim[-1] -= int(per_claim.sum()) - lines  # exactly `lines` lines
    if per_claim[-1] < 1:
        per_claim = per_claim[:-1]
        n_claims -= 1
        per_claim[-1] += lines - int(per_claim.sum())

    # claims
    days = np.arange(np.datetime64(f"{YEAR}-01-01"), np.datetime64(f"{YEAR + 1}-01-01"))
    workdays = days[np.is_busday(days)]
    dos = np.sort(rng.choice(workdays, size=n_claims))
    submitted = dos + rng.integers(1, 6, size=n_claims).astype("timedelta64[D]")
    shares = np.array([p[4] for p in PAYERS] + [SELF_PAY_SHARE])
    payer = rng.choice(len(PAYERS) + 1, size=n_claims, p=shares / shares.sum())
    payer_ids = np.array([p[0] for p in PAYERS] + ["SELF"])
    npis = np.array([f"1{100_000_000 + 7_919 * k:09d}" for k in range(providers)])
    patient = rng.integers(1, 4 * n_claims // 10 + 2, size=n_claims)
    claim_ids = np.char.add("C", np.char.zfill(np.arange(1, n_claims + 1).astype(str), 8))
    claims = pd.DataFrame({
        "claim_id": claim_ids,
        "appointment_id": np.char.add("A", np.char.zfill(np.arange(1, n_claims + 1)
                                                         .astype(str), 8)),
        "patient_id": np.char.add("PT", np.char.zfill(patient.astype(str), 7)),
        "patient_name": np.char.add("Patient ", patient.astype(str)),
        "patient_dob": (np.datetime64("1940-01-01") + (patient * 37 % 25_000)
                        .astype("timedelta64[D]")).astype(str),
        "member_id": np.where(payer == len(PAYERS), "",
                              np.char.add("M", np.char.zfill(patient.astype(str), 9))),
        "payer_id": payer_ids[payer],
        "rendering_npi": npis[rng.integers(0, providers, size=n_claims)],
        "location_id": np.where(rng.random(n_claims) < 0.7, "MAIN", "NORTH"),
        "date_of_service": dos.astype(str),
        "submitted_date": submitted.astype(str),
    })

    # claim lines
    claim_of_line = np.repeat(np.arange(n_claims), per_claim)
    starts = np.cumsum(per_claim) - per_claim
    line_no = np.arange(lines) - np.repeat(starts, per_claim) + 1
    first = line_no == 1
    cpt = np.where(first, rng.integers(0, EM, size=lines), rng.integers(EM, len(CPTS),
                                                                        size=lines))
    modifier = np.where(first & (per_claim[claim_of_line] > 1) & (rng.random(lines) < 0.3),
                        "25", "")
    units = np.where(rng.random(lines) < 0.05, 2, 1)
    price = np.array([c[1] for c in CPTS], dtype=np.int64)
    charge = price[cpt] * units
    cpt_codes = np.array([c[0] for c in CPTS])
    claim_lines = pd.DataFrame({"claim_id": claim_ids[claim_of_line], "line_no": line_no,
                                "cpt": cpt_codes[cpt], "modifiers": modifier,
                                "units": units, "charge": _dollars(charge)})

    # fee schedule: allowed per unit, per payer and CPT
    factor = np.array([p[5] for p in PAYERS])
    fee = np.rint(price[None, :] * factor[:, None]).astype(np.int64)
    fee_schedule = pd.DataFrame({
        "payer_id": np.repeat(payer_ids[:-1], len(CPTS)),
        "cpt": np.tile(cpt_codes, len(PAYERS)), "modifier": "",
        "allowed": _dollars(fee.ravel())})

    # adjudication: 96 % of insured claims answered, 4 % of those denied (CO 50); 2 % of
    # paid lines underpaid (payer allowed 10 % under contract)
    insured = payer < len(PAYERS)
    answered = insured & (rng.random(n_claims) < 0.96)
    denied = answered & (rng.random(n_claims) < 0.04)
    paid_at = submitted + rng.integers(7, 36, size=n_claims).astype("timedelta64[D]")
    # one payment per payer per week: the Thursday of the week the claim is adjudicated in
    week_start = paid_at - ((paid_at.astype("datetime64[D]").view("int64") - 4) % 7
                            ).astype("timedelta64[D]")
    pay_date = week_start + np.timedelta64(3, "D")
    line_payer = np.minimum(payer[claim_of_line], len(PAYERS) - 1)
    allowed = fee[line_payer, cpt] * units
    under = rng.random(lines) < 0.02
    payer_allowed = np.where(under, allowed * 9 // 10, allowed)
    coins = np.array([p[6] for p in PAYERS])[line_payer]
    patient_cents = np.rint(payer_allowed * coins).astype(np.int64)
    line_denied = denied[claim_of_line]
    paid = np.where(line_denied, 0, payer_allowed - patient_cents)

    era_dir = folder / "era"
    era_dir.mkdir(parents=True, exist_ok=True)
    deposits: list[tuple[str, np.datetime64, int, str, str]] = []
    era_bytes = 0
    order = np.flatnonzero(answered)
    order = order[np.lexsort((order, pay_date[order], payer[order]))]
    keys = np.stack([payer[order], pay_date[order].view("int64")], axis=1)
    cut = np.flatnonzero(np.any(keys[1:] != keys[:-1], axis=1)) + 1
    check_no = 100_000
    for number, group in enumerate(np.split(order, cut), 1):
        p = PAYERS[payer[group[0]]]
        day = pay_date[group[0]]
        trace = f"{p[0]}{number:07d}"
        segments, total = _era_claims(group, starts, per_claim, claim_ids, dos, cpt_codes,
                                      cpt, modifier, units, charge, payer_allowed,
                                      patient_cents, paid, denied, claims)
        method = "ACH" if p[7] == "ACH" else "CHK"
        head = [
            f"ISA*00*          *00*          *ZZ*{p[3]:<15}*ZZ*GROUPPRACTICE  *"
            f"{_d8(day)[2:]}*1200*^*00501*{number:09d}*0*P*:",
            f"GS*HP*{p[3]}*GROUPPRACTICE*{_d8(day)}*1200*{number}*X*005010X221A1",
            "ST*835*0001",
            f"BPR*I*{_money(total)}*C*{method}*CCP*01*999999999*DA*123456789*{p[2]}**01*"
            f"888888888*DA*987654321*{_d8(day)}",
            f"TRN*1*{trace}*{p[2]}", f"DTM*405*{_d8(day)}", f"N1*PR*{p[1]}*XV*{p[3]}",
            "N1*PE*GROUP PRACTICE*XX*1234567893", "REF*TJ*418306210"]
        body = head[2:] + segments
        text = head[:2] + body + [f"SE*{len(body) + 1}*0001", "GE*1*" + str(number),
                                  f"IEA*1*{number:09d}"]
        path = era_dir / f"{day}_{p[0]}_{trace}.835"
        path.write_text("~\n".join(text) + "~\n", encoding="ascii")
        era_bytes += path.stat().st_size
        if total == 0 or number % 97 == 0:  # no money moved, or a deposit never arrived
            continue
        if p[7] == "ACH":
            posted = day + np.timedelta64(int(rng.integers(0, 3)), "D")
            deposits.append(("", posted, total, f"HCCLAIMPMT {p[1]} TRN*1*{trace}*{p[2]}\\",
                             "ACH"))
        else:
            check_no += 1
            posted = day + np.timedelta64(int(rng.integers(2, 7)), "D")
            deposits.append(("", posted, total, f"DEPOSIT CHECK {check_no}", "check"))
    # patient money: card batches and cash, every working day
    for day in workdays:
        deposits.append(("", day + np.timedelta64(1, "D"), int(rng.integers(20_000, 300_000)),
                         f"BANKCARD SETTLEMENT BATCH {_d8(day)[4:]}", "card"))
        deposits.append(("", day, int(rng.integers(1_000, 30_000)), "DEPOSIT CASH", "cash"))
    deposits.sort(key=lambda d: d[1])
    deposit_frame = pd.DataFrame({
        "deposit_id": [f"D{k:07d}" for k in range(1, len(deposits) + 1)],
        "posted_date": [str(d[1]) for d in deposits],
        "amount": _dollars(np.array([d[2] for d in deposits])),
        "description": [d[3] for d in deposits], "type": [d[4] for d in deposits]})

    datasets = {"claims": claims, "claim_lines": claim_lines, "fee_schedule": fee_schedule,
                "deposits": deposit_frame}
    (folder / "parquet").mkdir(exist_ok=True)
    for name, frame in datasets.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        _parquet(frame).to_parquet(folder / "parquet" / f"{name}.parquet", index=False)
    return {"claims": n_claims, "lines": lines, "providers": providers,
            "era_files": len(cut) + 1, "era_mb": era_bytes / 1e6,
            "deposits": len(deposit_frame)}


def _parquet(frame: pd.DataFrame) -> pd.DataFrame:
    """The Parquet copy: money as whole cents (``*_cents``), dates as dates."""
    out = frame.copy()
    for column in ("charge", "allowed", "amount"):
        if column in out:
            cents = out.pop(column).str.replace(".", "", regex=False).astype("int64")
            out[f"{column}_cents"] = cents
    for column in ("date_of_service", "submitted_date", "patient_dob", "posted_date"):
        if column in out:
            out[column] = pd.to_datetime(out[column]).dt.date
    return out


def _era_claims(group: np.ndarray, starts: np.ndarray, per_claim: np.ndarray,
                claim_ids: np.ndarray, dos: np.ndarray, cpt_codes: np.ndarray,
                cpt: np.ndarray, modifier: np.ndarray, units: np.ndarray, charge: np.ndarray,
                payer_allowed: np.ndarray, patient_cents: np.ndarray,
                paid: np.ndarray, denied: np.ndarray,
                claims: pd.DataFrame) -> tuple[list[str], int]:
    """The CLP loops of one payment, and its total paid cents (BPR02)."""
    segments: list[str] = []
    total = 0
    rendering = claims["rendering_npi"].to_numpy()
    patient = claims["patient_id"].to_numpy()
    for k, c in enumerate(group.tolist()):
        if k % 50 == 0:
            segments.append(f"LX*{k // 50 + 1}")
        first, n = int(starts[c]), int(per_claim[c])
        claim_charge = int(charge[first:first + n].sum())
        claim_paid = int(paid[first:first + n].sum())
        claim_patient = 0 if denied[c] else int(patient_cents[first:first + n].sum())
        total += claim_paid
        day = _d8(dos[c])
        segments += [
            f"CLP*{claim_ids[c]}*{4 if denied[c] else 1}*{_money(claim_charge)}*"
            f"{_money(claim_paid)}*{_money(claim_patient) if claim_patient else ''}*12*"
            f"PCN{c:010d}*11*1",
            f"NM1*QC*1*{patient[c]}*X****MI*M{patient[c][2:]}",
            f"NM1*82*1******XX*{rendering[c]}"]
        for i in range(first, first + n):
            mod = f":{modifier[i]}" if modifier[i] else ""
            svc_units = f"**{units[i]}" if units[i] != 1 else ""
            segments += [f"SVC*HC:{cpt_codes[cpt[i]]}{mod}*{_money(int(charge[i]))}*"
                         f"{_money(int(paid[i]))}{svc_units}", f"DTM*472*{day}"]
            control = f"REF*6R*{claim_ids[c]}-{i - first + 1}"
            if denied[c]:
                segments += [f"CAS*CO*50*{_money(int(charge[i]))}", control]
                continue
            segments.append(f"CAS*CO*45*{_money(int(charge[i] - payer_allowed[i]))}")
            if patient_cents[i]:
                segments.append(f"CAS*PR*2*{_money(int(patient_cents[i]))}")
            segments += [control, f"AMT*B6*{_money(int(payer_allowed[i]))}"]
    return segments, total


DATASETS = ("claims", "claim_lines", "fee_schedule", "deposits")

SQL: dict[str, str] = {
    # remittance claims to submitted claims by claim id (CLP01)
    "claims": """
        CREATE OR REPLACE TEMP TABLE rc AS
        SELECT r.claim_seq, r.payment_seq, r.claim_id AS remit_claim_id, c.claim_id,
               r.status, r.charge_cents, r.paid_cents, r.patient_resp_cents,
               r.statement_start_date
        FROM remit_claims r LEFT JOIN read_parquet('{dir}/claims.parquet') c
             ON c.claim_id = r.claim_id
    """,
    # service lines to claim lines: same claim, procedure, sorted modifiers and date; equal
    # keys pair up in order (row_number over the key on both sides)
    "lines": """
        WITH cl AS (
            SELECT l.claim_id, l.line_no, l.cpt,
                   array_to_string(list_sort(string_split(coalesce(l.modifiers, ''), ';')),
                                   ';') AS mods,
                   c.date_of_service AS dos
            FROM read_parquet('{dir}/claim_lines.parquet') l
            JOIN read_parquet('{dir}/claims.parquet') c USING (claim_id)
        ), cl_keyed AS (
            SELECT *, row_number() OVER (PARTITION BY claim_id, cpt, mods, dos
                                         ORDER BY line_no) AS occ
            FROM cl
        ), sl AS (
            SELECT s.line_seq, s.claim_seq, rc.claim_id,
                   coalesce(s.original_procedure_code, s.procedure_code) AS proc,
                   array_to_string(list_sort(string_split(coalesce(s.modifiers, ''), ';')),
                                   ';') AS mods,
                   coalesce(s.service_date, s.service_start_date, rc.statement_start_date,
                            c.date_of_service)::DATE AS dos,
                   s.charge_cents, s.paid_cents, s.allowed_cents
            FROM remit_lines s
            JOIN rc ON rc.claim_seq = s.claim_seq AND rc.claim_id IS NOT NULL
            JOIN read_parquet('{dir}/claims.parquet') c ON c.claim_id = rc.claim_id
        ), sl_keyed AS (
            SELECT *, row_number() OVER (PARTITION BY claim_seq, claim_id, proc, mods, dos
                                         ORDER BY line_seq) AS occ
            FROM sl
        )
        SELECT sl_keyed.line_seq, sl_keyed.claim_seq, sl_keyed.claim_id, cl_keyed.line_no,
               cl_keyed.cpt, sl_keyed.charge_cents, sl_keyed.paid_cents, sl_keyed.allowed_cents
        FROM sl_keyed LEFT JOIN cl_keyed
             ON cl_keyed.claim_id = sl_keyed.claim_id AND cl_keyed.cpt = sl_keyed.proc
            AND cl_keyed.mods = sl_keyed.mods AND cl_keyed.dos = sl_keyed.dos
            AND cl_keyed.occ = sl_keyed.occ
    """,
    # ERA payments to deposits: by the trace in the bank text, then leftovers by exact amount
    # posted 0-DEPOSIT_WINDOW_DAYS days after the payment date (one round of mutual closest pairs)
    "deposits": """
        WITH pay AS (
            SELECT payment_seq, trace_number, trace_payer_id, payment_date::DATE AS paid_on,
                   total_paid_cents
            FROM remit_payments WHERE total_paid_cents <> 0
        ), dep AS (
            SELECT deposit_id, posted_date, amount_cents,
                   nullif(regexp_extract(description, 'TRN\\*1\\*([^*\\\\~ ]+)', 1), '')
                       AS trace,
                   nullif(regexp_extract(description,
                                         'TRN\\*1\\*[^*\\\\~ ]+\\*([^*\\\\~ ]+)', 1), '')
                       AS trace_payer
            FROM read_parquet('{dir}/deposits.parquet')
            WHERE lower(type) IN ('ach', 'check')
        ), by_trace AS (
            SELECT p.payment_seq, d.deposit_id, 'trace' AS how
            FROM pay p JOIN dep d ON d.trace = p.trace_number
                 AND (d.trace_payer IS NULL OR d.trace_payer = p.trace_payer_id)
        ), cand AS (
            SELECT p.payment_seq, d.deposit_id,
                   date_diff('day', p.paid_on, d.posted_date) AS days
            FROM pay p JOIN dep d ON d.trace IS NULL AND d.amount_cents = p.total_paid_cents
                 AND d.posted_date BETWEEN p.paid_on AND p.paid_on + {window}
            WHERE p.payment_seq NOT IN (SELECT payment_seq FROM by_trace)
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY payment_seq
                                         ORDER BY days, deposit_id) AS by_payment,
                      row_number() OVER (PARTITION BY deposit_id
                                         ORDER BY days, payment_seq) AS by_deposit
            FROM cand
        )
        SELECT * FROM by_trace
        UNION ALL
        SELECT payment_seq, deposit_id, 'amount' FROM ranked
        WHERE by_payment = 1 AND by_deposit = 1
    """,
    # per claim: net paid, adjustments by group code, open balance
    "balances": """
        WITH charge AS (
            SELECT claim_id, sum(charge_cents) AS charge_cents
            FROM read_parquet('{dir}/claim_lines.parquet') GROUP BY claim_id
        ), paid AS (
            SELECT claim_id, sum(paid_cents) AS paid_cents FROM rc
            WHERE claim_id IS NOT NULL GROUP BY claim_id
        ), adj AS (
            SELECT rc.claim_id,
                   sum(a.amount_cents) FILTER (WHERE a.group_code = 'CO') AS co_cents,
                   sum(a.amount_cents) FILTER (WHERE a.group_code = 'PR') AS pr_cents,
                   sum(a.amount_cents) FILTER (WHERE a.group_code = 'OA') AS oa_cents,
                   sum(a.amount_cents) FILTER (WHERE a.group_code = 'PI') AS pi_cents,
                   sum(a.amount_cents) FILTER (WHERE a.group_code = 'CR') AS cr_cents
            FROM remit_adjustments a JOIN rc ON rc.claim_seq = a.claim_seq
            WHERE rc.claim_id IS NOT NULL GROUP BY rc.claim_id
        )
        SELECT c.claim_id, coalesce(charge.charge_cents, 0) AS charge_cents,
               coalesce(paid.paid_cents, 0) AS paid_cents,
               coalesce(co_cents, 0) AS co_cents, coalesce(pr_cents, 0) AS pr_cents,
               coalesce(oa_cents, 0) + coalesce(pi_cents, 0) + coalesce(cr_cents, 0)
                   AS other_cents,
               coalesce(charge.charge_cents, 0) - coalesce(paid.paid_cents, 0)
                   - coalesce(co_cents, 0) - coalesce(pr_cents, 0) - coalesce(oa_cents, 0)
                   - coalesce(pi_cents, 0) - coalesce(cr_cents, 0) AS open_cents
        FROM read_parquet('{dir}/claims.parquet') c
        LEFT JOIN charge USING (claim_id) LEFT JOIN paid USING (claim_id)
        LEFT JOIN adj USING (claim_id)
    """,
}


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _pss_mb(pid: int) -> float:
    """The proportional set size of a process in MB (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _PeakMemory:
    """Samples the memory of this process and all its descendants together (Σ Pss) in a
    thread, every ``every`` seconds, and keeps the largest sum seen."""

    def __init__(self, every: float = 0.02) -> None:
        import psutil

        self._me = psutil.Process()
        self._every = every
        self._stop = threading.Event()
        self.peak_mb = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                pids = [self._me.pid] + [c.pid for c in self._me.children(recursive=True)]
            except psutil.Error:
                pids = [self._me.pid]
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(pid) for pid in pids))
            self._stop.wait(self._every)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_size(folder: Path, threads: tuple[int, ...] = (2, 1), repeat: int = 3) -> dict[str, Any]:
    """Time load, parse and reconcile on a generated folder, then the DuckDB SQL.

    Meant to run in a fresh process (the peak memory is the process's and its children's).
    The first pass is the end-to-end one (its times add up to ``total``); ``reconcile_best``
    and the DuckDB times are then the best of ``repeat`` runs in this process.
    """
    import pracops.data
    from pracops.billing.model import reconcile
    from pracops.x12 import read_835

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    frames = {name: pracops.data.load(name, folder / f"{name}.csv") for name in DATASETS}
    t1 = time.perf_counter()
    remittance = read_835(folder / "era")
    t2 = time.perf_counter()
    result = reconcile(remittance, frames["claims"], frames["claim_lines"],
                       frames["fee_schedule"], frames["deposits"], as_of=AS_OF,
                       deposit_window_days=DEPOSIT_WINDOW_DAYS)
    t3 = time.perf_counter()
    # the checks across files `pracops validate` adds: every reference among these datasets
    # and the payers, providers and sites they name (built here from the ids the claims use,
    # so the checks pass and the cost is theirs: membership of a million rows)
    frames.update(_targets(frames["claims"]))
    t_checks = time.perf_counter()
    broken = pracops.data.check_references(frames)
    checks = time.perf_counter() - t_checks
    assert not broken, broken
    out.update(load=t1 - t0, parse=t2 - t1, reconcile=t3 - t2, total=t3 - t0, checks=checks,
               peak_mb=_peak_mb(), worker_peak_mb=_peak_mb(resource.RUSAGE_CHILDREN),
               era_claims=len(remittance.claims),
               service_lines=len(remittance.service_lines),
               balance_errors=len(remittance.balance_errors),
               matched_lines=int(result.line_matches["line_no"].notna().sum()),
               net_paid_cents=int(result.balances["paid_cents"].sum()),
               deposits_matched=len(result.deposits.matches),
               underpaid_lines=len(result.underpayments))
    best = t3 - t2
    for _ in range(repeat - 1):
        del result
        start = time.perf_counter()
        result = reconcile(remittance, frames["claims"], frames["claim_lines"],
                           frames["fee_schedule"], frames["deposits"], as_of=AS_OF,
                           deposit_window_days=DEPOSIT_WINDOW_DAYS)
        best = min(best, time.perf_counter() - start)
    out["reconcile_best"] = best
    t4 = time.perf_counter()
    for name in DATASETS:
        pracops.data.load(name, folder / "parquet" / f"{name}.parquet")
    out["load_parquet"] = time.perf_counter() - t4
    del result, frames
    out.update(_duckdb(folder, remittance, threads, repeat))
    return out


def memory_of_size(folder: Path) -> dict[str, Any]:
    """The peak memory of all processes (Σ Pss, sampled every 20 ms, and at least this
    process's ``ru_maxrss``) across the load, the parse and the reconcile, the first of a fresh
    process, where nothing is timed; and the process's memory before it (``start_mb``)."""
    import pracops.data
    from pracops.billing.model import reconcile
    from pracops.x12 import read_835

    out: dict[str, Any] = {"start_mb": _pss_mb(os.getpid())}
    with _PeakMemory() as memory:
        frames = {name: pracops.data.load(name, folder / f"{name}.csv") for name in DATASETS}
        remittance = read_835(folder / "era")
        reconcile(remittance, frames["claims"], frames["claim_lines"], frames["fee_schedule"],
                  frames["deposits"], as_of=AS_OF, deposit_window_days=DEPOSIT_WINDOW_DAYS)
    out["all_peak_mb"] = max(memory.peak_mb, _peak_mb())
    return out


def _targets(claims: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The payers, providers and locations tables the claims refer to (one row per id)."""
    npis = claims["rendering_npi"].unique()
    sites = claims["location_id"].unique()
    return {
        "payers": pd.DataFrame({"payer_id": claims["payer_id"].unique()}),
        "providers": pd.DataFrame({"npi": npis, "location_id": sites[0]}),
        "locations": pd.DataFrame({"location_id": sites}),
    }


def _duckdb(folder: Path, remittance: Any, threads: tuple[int, ...],
            repeat: int = 1) -> dict[str, Any]:
    """Run :data:`SQL` over the Parquet files and the parsed remittance; time per thread
    count (the queries in order, results fetched as Arrow tables), best of ``repeat``."""
    import duckdb

    out: dict[str, Any] = {"duckdb_version": duckdb.__version__}
    for n in threads:
        con = duckdb.connect(config={"threads": n})
        for view, frame in (("remit_payments", remittance.payments),
                            ("remit_claims", remittance.claims),
                            ("remit_lines", remittance.service_lines),
                            ("remit_adjustments", remittance.adjustments)):
            con.register(view, frame)
        times = []
        for _ in range(repeat):
            results = {}
            start = time.perf_counter()
            for name, sql in SQL.items():
                query = sql.format(dir=(folder / "parquet").as_posix(),
                                   window=DEPOSIT_WINDOW_DAYS)
                if name == "claims":
                    con.execute(query)
                else:
                    results[name] = con.sql(query).to_arrow_table()
            times.append(time.perf_counter() - start)
        out[f"duckdb_{n}t"] = min(times)
        lines = results["lines"]
        out["duckdb_matched_lines"] = lines.num_rows - lines.column("line_no").null_count
        out["duckdb_net_paid_cents"] = int(results["balances"].column("paid_cents")
                                           .to_numpy().sum())
        out["duckdb_deposits_matched"] = results["deposits"].num_rows
        con.close()
    return out


def _data(root: Path, lines: int) -> tuple[Path, dict[str, Any]]:
    """The folder for ``lines`` lines, generated unless ``root`` already holds it."""
    folder = root / f"lines-{lines}"
    info = folder / "generated.json"
    if not info.exists():
        start = time.perf_counter()
        counts = generate_group(folder, lines)
        counts["generate_s"] = time.perf_counter() - start
        info.write_text(json.dumps(counts))
    return folder, json.loads(info.read_text())


def kernel_env(folder: Path, apart: tuple[str, ...] = ("parquet", "generated.json")
               ) -> dict[str, str]:
    """The environment of a child that times or measures a report's work on ``folder``: the
    kernel's that the runner would start on the practice's exports (huge pages when they hold
    :data:`pracops.memory.HUGE_PAGES_FROM` bytes or more, :func:`pracops.memory.huge_pages_pay`),
    the folder's entries ``apart`` not counted: what the bench adds beside the exports (the
    Parquet copies DuckDB reads, the record of what was generated)."""
    from pracops.memory import HUGE_PAGES_FROM, folder_bytes, with_huge_pages

    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    exports = sum(folder_bytes(entry) if entry.is_dir() else entry.stat().st_size
                  for entry in folder.iterdir() if entry.name not in apart)
    if exports >= HUGE_PAGES_FROM:
        env["GLIBC_TUNABLES"] = with_huge_pages(env.get("GLIBC_TUNABLES"))
    return env


SIZES = (100_000, 300_000, 1_000_000)
QUICK_SIZES = (10_000, 30_000)


def in_children(script: str, folder: Path, repeat: int) -> dict[str, Any]:
    """``script --memory folder`` then ``script --run folder`` in fresh processes started as
    a kernel on ``folder`` (:func:`kernel_env`): what each printed last (JSON), together."""
    result: dict[str, Any] = {}
    for mode in ("--memory", "--run"):
        child = subprocess.run([sys.executable, script, mode, str(folder), "--repeat",
                                str(repeat)], check=True, capture_output=True, text=True,
                               env=kernel_env(folder))
        result.update(json.loads(child.stdout.splitlines()[-1]))
    return result


def run_sizes(sizes: tuple[int, ...] | list[int], root: Path | None = None,
              repeat: int = 3) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Generate (or reuse, under ``root``) each size and time it in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for lines in sizes:
            folder, counts = _data(root or Path(tmp), lines)
            rows.append((counts, in_children(__file__, folder, repeat)))
            print(f"{lines:,} lines done", file=sys.stderr)
    return rows


def _per_line(rows: list[tuple[dict[str, Any], dict[str, Any]]]) -> tuple[list, list]:
    """Per size: µs of load + parse + reconcile per line, and bytes of memory per line
    (the peak of all processes less the process's memory before loading)."""
    times = [r["total"] / c["lines"] * 1e6 for c, r in rows]
    memory = [(r["all_peak_mb"] - r["start_mb"]) * 2**20 / c["lines"] for c, r in rows]
    return times, memory


def measures(quick: bool = False, sizes: tuple[int, ...] | None = None,
             root: Path | None = None) -> list[dict]:
    """The issue's measures: at the largest size, load + 835s + reconcile and reconcile alone
    against the DuckDB SQL (2 threads) in the same process, the peak memory of all processes;
    across the sizes, time and memory per line (largest ÷ smallest per-line figure)."""
    sizes = tuple(sizes or (QUICK_SIZES if quick else SIZES))
    rows = run_sizes(sizes, root, repeat=1 if quick else 3)
    counts, big = rows[-1]
    label = f"{counts['lines']:,} lines"
    duck = big["duckdb_2t"]
    same = all(big[k] == big[f"duckdb_{k}"]
               for k in ("matched_lines", "net_paid_cents", "deposits_matched"))
    peak_gib = big["all_peak_mb"] / 1024
    times, memory = _per_line(rows)
    out = [
        {"measure": f"billing {label}: load 4 CSVs + read the 835s + reconcile",
         "pracops": big["total"], "anchor": duck, "anchor_name": "DuckDB SQL, 2 threads",
         "unit": "s", "ratio": big["total"] / duck, "target": "≤ 5×",
         "ok": big["total"] / duck <= 5},
        {"measure": f"billing {label}: reconcile (best of {1 if quick else 3})"
                    + ("" if same else " — RESULTS DIFFER FROM DUCKDB"),
         "pracops": big["reconcile_best"], "anchor": duck,
         "anchor_name": "DuckDB SQL, 2 threads", "unit": "s",
         "ratio": big["reconcile_best"] / duck, "target": "≤ 1.5×",
         "ok": same and big["reconcile_best"] / duck <= 1.5},
        {"measure": f"billing {label}: peak memory, all processes (Σ Pss)",
         "pracops": peak_gib, "anchor": 1.5, "anchor_name": "the issue's bound",
         "unit": "GiB", "ratio": peak_gib / 1.5, "target": "≤ 1.5 GiB",
         "ok": peak_gib <= 1.5},
    ]
    if len(rows) > 1:
        span = f"{rows[0][0]['lines']:,} to {counts['lines']:,} lines"
        for what, values, unit in (("time", times, "µs/line"), ("memory", memory, "B/line")):
            out.append({"measure": f"billing growth, {what} per line, {span}",
                        "pracops": max(values), "anchor": min(values),
                        "anchor_name": "smallest per-line figure of the sizes",
                        "unit": unit, "ratio": max(values) / min(values),
                        "target": "≤ 1.25×", "ok": max(values) / min(values) <= 1.25})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES),
                        help="service lines per generated year")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of reconcile and of the DuckDB SQL (best kept)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for the generated data (kept, and reused when present); "
                             "a temporary folder by default")
    parser.add_argument("--run", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--memory", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run is not None:  # the children: one size, JSON on stdout
        print(json.dumps(run_size(args.run, repeat=args.repeat)))
        return
    if args.memory is not None:
        print(json.dumps(memory_of_size(args.memory)))
        return

    rows = run_sizes(args.sizes, args.keep, args.repeat)

    import duckdb
    import pyarrow as pa

    print(f"{dt.date.today()}, Python {platform.python_version()}, pandas {pd.__version__}, "
          f"pyarrow {pa.__version__}, duckdb {duckdb.__version__}, {os.cpu_count()} cores; "
          f"one fresh process per size\n")
    print("| service lines | claims | 835 files | 835 MB | load s | parse s | reconcile s "
          "| total s | reconcile s (best) | DuckDB SQL s (2 threads) | DuckDB SQL s (1 thread) "
          "| reconcile ÷ DuckDB 2t | peak MB, all processes | µs per line | B per line "
          "| cross-file checks / total |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    times, memory = _per_line(rows)
    for (counts, r), per_us, per_b in zip(rows, times, memory, strict=True):
        print(f"| {counts['lines']:,} | {counts['claims']:,} | {counts['era_files']} | "
              f"{counts['era_mb']:.0f} | {r['load']:.2f} | {r['parse']:.2f} | "
              f"{r['reconcile']:.2f} | {r['total']:.2f} | {r['reconcile_best']:.2f} | "
              f"{r['duckdb_2t']:.2f} | {r['duckdb_1t']:.2f} | "
              f"{r['reconcile_best'] / r['duckdb_2t']:.2f}× | {r['all_peak_mb']:,.0f} | "
              f"{per_us:.1f} | {per_b:,.0f} | {r['checks'] / r['total']:.1%} |")
    print("\nload Parquet s: " + ", ".join(f"{c['lines']:,}: {r['load_parquet']:.2f}"
                                         for c, r in rows))
    print("ru_maxrss MB, main process / largest child (a child counts the pages it shares "
          "with its parent): " + ", ".join(f"{c['lines']:,}: {r['peak_mb']:,.0f} / "
                                         f"{r['worker_peak_mb']:,.0f}" for c, r in rows))
    print("\nsame results (pracops = DuckDB): matched lines, net paid cents, deposits matched")
    for counts, r in rows:
        same = [r[k] == r[f"duckdb_{k}"] for k in ("matched_lines", "net_paid_cents",
                                                     "deposits_matched")]
        print(f"  {counts['lines']:,}: {same} ({r['matched_lines']:,} lines, "
              f"{r['net_paid_cents'] / 100:,.2f} paid, {r['deposits_matched']} deposits)")


if __name__ == "__main__":
    main()
