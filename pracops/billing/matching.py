"""Matching, the first half of the billing reconciliation: the 835 remittances de-duplicated
and matched to the submitted claims and claim lines, each claim's balances, the contract's
expected payment against the payer's, and the ERA payments matched to the bank deposits.

Pure functions on DataFrames (no I/O, no display), in integer cents. The terms (duplicate ERA,
matched claim, payer and contract allowed, open balances …) are defined in
:mod:`pracops.billing.model`, which runs the whole calculation
(:func:`~pracops.billing.model.reconcile`) and offers every public name of this module too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.data import rows_text
from pracops.errors import DataError, ParameterError
from pracops.x12 import Remittance
from pracops.x12.codes import CATEGORIES, carc_category

__all__ = [
    "DepositMatch",
    "categorise_adjustments",
    "check_inputs",
    "claim_balances",
    "deduplicate_remittance",
    "deposit_traces",
    "expected_vs_paid",
    "match_claims",
    "match_deposits",
    "match_lines",
    "self_pay_payer_ids",
    "unanswered_claims",
]

logger = logging.getLogger(__name__)

_S = "string"
_D = "datetime64[ns]"
_DENIAL = "denial to work"
_CLOSING = ("contractual", "patient responsibility", "payer reduction", "other")
_CATEGORY_COLUMNS = {
    "contractual": "contractual_cents",
    "patient responsibility": "patient_resp_cents",
    "denial to work": "denied_cents",
    "payer reduction": "reduction_cents",
    "other": "other_adj_cents",
}
# "TRN*1*<trace>*<payer id>" inside a bank description; lenient about spaces around the
# separators and about what ends it (a backslash, a tilde, spaces or the end of the text).
_TRN_PATTERN = r"TRN\s*\*\s*1\s*\*\s*([^*\\~\s]+)(?:\s*\*\s*([^*\\~\s]+))?"


# ---- small helpers ---------------------------------------------------------------------------


def _dates(values: pd.Series) -> pd.Series:
    """Dates as ``datetime64[ns]`` (frames may arrive in another resolution)."""
    return pd.to_datetime(values).astype(_D)


def _cents(values: pd.Series) -> pd.Series:
    return values.fillna(0).astype("int64")


def _total(values: pd.Series) -> int:
    return int(values.sum())


def _arrow(values: pd.Series) -> pa.Array:
    array = pa.array(values.astype(_S))
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _buffers(array: pa.Array | pa.ChunkedArray) -> tuple:
    """What identifies an Arrow array's data: each chunk's offset, length and buffer addresses."""
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    return tuple((c.offset, len(c), tuple(0 if b is None else b.address for b in c.buffers()))
                 for c in chunks)


#: Within :func:`_shared_lookups`, the positions :func:`_positions` has worked out, by the
#: identity of the data looked up and looked in.
_LOOKUPS: ContextVar[dict[tuple, tuple] | None] = ContextVar("billing_lookups", default=None)


@contextmanager
def _shared_lookups() -> Iterator[None]:
    """Within this block, :func:`_positions` works out each lookup once.

    The reconciliation looks the same claim ids up in the same claims from several steps
    (the claim lines' claims in four of them); each step stays callable alone. The memo is
    keyed by the addresses of the Arrow buffers and keeps the arrays (so no other data can
    take those addresses while it lives); it is dropped when the block ends.
    """
    token = _LOOKUPS.set({})
    try:
        yield
    finally:
        _LOOKUPS.reset(token)


def _positions(values: pd.Series, keys: pd.Series) -> np.ndarray:
    """Position of each value in ``keys`` (its first occurrence); -1 when absent or missing.

    Arrow's hash lookup: pandas' ``isin`` and ``map`` on Arrow strings go through Python
    objects and take seconds on a million rows. Inside :func:`_shared_lookups` a repeated
    lookup is not worked out again (the caller gets its own copy).
    """
    looked_up, looked_in = pa.array(values.astype(_S)), pa.array(keys.astype(_S))
    memo = _LOOKUPS.get()
    identity = (_buffers(looked_up), _buffers(looked_in))
    if memo is not None and identity in memo:
        return memo[identity][2].copy()
    if isinstance(looked_in, pa.ChunkedArray):
        looked_in = looked_in.combine_chunks()
    found = pc.index_in(looked_up, value_set=looked_in)
    positions = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if memo is not None:
        memo[identity] = (looked_up, looked_in, positions.copy())
    return positions


def _text(uniques: list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A string array from a small list of values and a code per row (-1 is missing)."""
    table = pa.array(list(uniques), pa.large_string())
    return pd.array(table.take(pa.array(codes, mask=codes < 0)), dtype=_S)


def _sum_at(positions: np.ndarray, values: pd.Series | np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sums of ``values`` by position 0 … size − 1 (negative positions left out).

    Two float64 bincounts, of the low and of the high 32 bits of the values: each is
    exact while no position has 2**21 values or more (every partial sum stays an integer
    below 2**53); past that, ``numpy.add.at``. A hash group-by costs several times more.
    """
    keep = positions >= 0
    at = positions[keep]
    cents = np.asarray(values, dtype=np.int64)[keep]
    if len(at) >= 2**21 and np.bincount(at, minlength=size).max() >= 2**21:
        out = np.zeros(size, dtype=np.int64)
        np.add.at(out, at, cents)
        return out
    low = np.bincount(at, (cents & 0xFFFFFFFF).astype(np.float64), size).astype(np.int64)
    high = np.bincount(at, (cents >> 32).astype(np.float64), size).astype(np.int64)
    return low + (high << 32)


def _dense(*keys: np.ndarray) -> np.ndarray:
    """One dense int64 code (0 … groups − 1) per row for the tuple of int64 ``keys``.

    Each key is factorised by hash, then combined pairwise and factorised again, so no
    product of two codes exceeds the square of the row count.
    """
    code = pd.factorize(keys[0])[0]
    for key in keys[1:]:
        other, uniques = pd.factorize(key)
        code = pd.factorize(code * len(uniques) + other)[0]
    return code.astype(np.int64, copy=False)


def _occurrence(code: np.ndarray, order: np.ndarray) -> np.ndarray:
    """0, 1, 2 … for the rows sharing the same dense ``code`` (:func:`_dense`), counted in
    ``order``. Rows whose code is unique (nearly all) are 0 without sorting; only the rows
    of repeated codes are sorted."""
    occurrence = np.zeros(len(code), dtype=np.int64)
    if not len(code):
        return occurrence
    repeated = np.flatnonzero(np.bincount(code)[code] > 1)
    if not len(repeated):
        return occurrence
    sort = repeated[np.lexsort([order[repeated], code[repeated]])]
    ordered = code[sort]
    starts = np.ones(len(sort), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    index = np.arange(len(sort))
    occurrence[sort] = index - np.maximum.accumulate(np.where(starts, index, 0))
    return occurrence


def _modifier_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Modifiers as a set for matching (upper case, sorted, ';'-joined, '' for none): a code
    per row and the normalised texts."""
    codes, uniques = pd.factorize(values.astype(_S).fillna(""))
    normal = [";".join(sorted({p.strip().upper() for p in str(m).split(";") if p.strip()}))
              for m in uniques]
    normal_codes, normal_uniques = pd.factorize(np.array(normal, dtype=object))
    return normal_codes[codes], [str(m) for m in normal_uniques]


# ---- inputs ----------------------------------------------------------------------------------


def check_inputs(claims: pd.DataFrame, claim_lines: pd.DataFrame,
                 fee_schedule: pd.DataFrame | None = None) -> None:
    """Refuse claims, claim lines and fee schedules the reconciliation cannot trust.

    Row numbers in the errors count the frame's rows from 2, as a CSV file with a header line
    numbers them.

    Parameters
    ----------
    claims, claim_lines, fee_schedule
        The datasets of the billing contract.

    Raises
    ------
    DataError
        A ``claim_id`` that appears on more than one row of ``claims`` (all the rows are
        named), a claim line key (``claim_id``, ``line_no``) that appears twice, a claim line
        whose claim is not in ``claims``, a negative ``charge_cents``, or a fee schedule key
        (``payer_id``, ``cpt``, ``modifier``) that appears twice.
    """
    dup = claims["claim_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        rows = np.flatnonzero(dup) + 2
        ids = claims["claim_id"].to_numpy()[dup]
        raise DataError(f"{len(set(ids))} claim id(s) appear on more than one row: rows "
                        f"{rows_text(rows)}", file="claims", row=int(rows[0]),
                        column="claim_id", value=ids[0], expected="one row per claim",
                        fix="remove the repeated claims or give each its own claim id")
    row = _positions(claim_lines["claim_id"], claims["claim_id"])
    line_no = claim_lines["line_no"].to_numpy(dtype=np.int64)
    dup = pd.Series(row * (int(line_no.max(initial=0)) + 1) + line_no).duplicated(
        keep=False).to_numpy() & (row >= 0)
    if dup.any():
        rows = np.flatnonzero(dup) + 2
        raise DataError(f"claim lines repeat a (claim_id, line_no) key: rows {rows_text(rows)}",
                        file="claim_lines", row=int(rows[0]), column="line_no",
                        value=claim_lines["claim_id"].to_numpy()[dup][0],
                        expected="one row per claim line")
    orphan = row < 0
    if orphan.any():
        rows = np.flatnonzero(orphan) + 2
        raise DataError(f"claim lines of claims that are not in claims: rows {rows_text(rows)}",
                        file="claim_lines", row=int(rows[0]), column="claim_id",
                        value=claim_lines["claim_id"].to_numpy()[orphan][0],
                        expected="a claim_id listed in claims")
    negative = (claim_lines["charge_cents"] < 0).to_numpy()
    if negative.any():
        rows = np.flatnonzero(negative) + 2
        raise DataError(f"negative charge on rows {rows_text(rows)}", file="claim_lines",
                        row=int(rows[0]), column="charge_cents",
                        value=int(claim_lines["charge_cents"].to_numpy()[negative][0]),
                        expected="a charge of zero or more",
                        fix="bill a credit as its own adjustment, not as a negative charge")
    if fee_schedule is not None:
        key = ["payer_id", "cpt", "modifier"]
        dup = fee_schedule.assign(modifier=fee_schedule["modifier"].fillna("")).duplicated(
            key, keep=False).to_numpy()
        if dup.any():
            rows = np.flatnonzero(dup) + 2
            raise DataError(f"fee schedule repeats a (payer_id, cpt, modifier) key: rows "
                            f"{rows_text(rows)}", file="fee_schedule", row=int(rows[0]),
                            column="cpt", value=fee_schedule["cpt"].to_numpy()[dup][0],
                            expected="one allowed amount per payer, CPT and modifier")


def self_pay_payer_ids(payers: pd.DataFrame) -> list[str]:
    """The payer ids whose ``type`` is self-pay (these claims get no ERA).

    Parameters
    ----------
    payers
        The ``payers`` dataset (``payer_id``, ``type`` …).

    Returns
    -------
    list of str
        Payer ids whose type, ignoring case, spaces and hyphens, is ``selfpay``.
    """
    kind = payers["type"].astype(_S).fillna("").str.lower().str.replace(r"[\s\-_]", "",
                                                                        regex=True)
    return payers.loc[(kind == "selfpay").to_numpy(), "payer_id"].astype(str).tolist()


# ---- remittance ------------------------------------------------------------------------------


def deduplicate_remittance(remittance: Remittance) -> tuple[Remittance, pd.DataFrame]:
    """Drop 835 payments received twice, keeping the copy in the first file by name.

    A duplicate is a payment with the same trace number (TRN02), payer id (TRN03) and amount
    (BPR02) as a payment in a file whose name sorts earlier (or earlier in the same file).
    Payments without a trace number are never treated as duplicates.

    Parameters
    ----------
    remittance
        As :func:`pracops.x12.read_835` returns it.

    Returns
    -------
    Remittance
        The same remittance without the dropped payments and their claims, service lines,
        adjustments, PLBs and balance errors.
    pandas.DataFrame
        The dropped copies, one row each: ``trace_number``, ``trace_payer_id``,
        ``total_paid_cents``, ``payment_date``, ``claim_count``, ``file``, ``payment_seq``,
        ``kept_file``, ``kept_payment_seq``.
    """
    key = ["trace_number", "trace_payer_id", "total_paid_cents"]
    pay = remittance.payments.sort_values(["file", "payment_seq"], kind="stable")
    traced = pay["trace_number"].notna()
    dropped_mask = (pay.duplicated(key, keep="first") & traced).to_numpy()
    columns = [*key, "payment_date", "claim_count", "file", "payment_seq"]
    dropped = pay.loc[dropped_mask, columns]
    kept = (pay.loc[~dropped_mask & traced.to_numpy(), [*key, "file", "payment_seq"]]
            .rename(columns={"file": "kept_file", "payment_seq": "kept_payment_seq"}))
    duplicates = dropped.merge(kept, on=key, how="left").reset_index(drop=True)
    if duplicates.empty:
        return remittance, duplicates
    logger.info("dropped %d duplicate 835 payment(s)", len(duplicates))
    drop_pay = pay.loc[dropped_mask, "payment_seq"]
    claims = remittance.claims
    drop_claims = claims.loc[claims["payment_seq"].isin(drop_pay), "claim_seq"]

    def keep(frame: pd.DataFrame, column: str, values: pd.Series) -> pd.DataFrame:
        return frame[~frame[column].isin(values).to_numpy()].reset_index(drop=True)

    deduplicated = replace(
        remittance,
        payments=keep(remittance.payments, "payment_seq", drop_pay),
        claims=keep(claims, "payment_seq", drop_pay),
        service_lines=keep(remittance.service_lines, "claim_seq", drop_claims),
        adjustments=keep(remittance.adjustments, "claim_seq", drop_claims),
        provider_adjustments=keep(remittance.provider_adjustments, "payment_seq", drop_pay),
        balance_errors=keep(remittance.balance_errors, "payment_seq", drop_pay),
    )
    return deduplicated, duplicates


def match_claims(remittance: Remittance, claims: pd.DataFrame) -> pd.DataFrame:
    """Match each remittance claim (CLP) to a submitted claim.

    First by CLP01 = ``claim_id``. A remittance claim whose CLP01 matches nothing is matched
    through its payer claim number (CLP07): when the same payer (TRN03) used that number on a
    remittance claim that did match by CLP01, it is that claim (a payer claim number seen on
    two different claims is ambiguous and not used). Nothing is dropped.

    Parameters
    ----------
    remittance
        De-duplicated (:func:`deduplicate_remittance`).
    claims
        Submitted claims (``claim_id``).

    Returns
    -------
    pandas.DataFrame
        One row per remittance claim: ``claim_seq``, ``payment_seq``, ``file``,
        ``trace_number``, ``trace_payer_id``, ``payer_name``, ``payment_date``,
        ``remit_claim_id`` (CLP01), ``payer_claim_number``, ``status``, ``claim_frequency``,
        ``charge_cents``, ``paid_cents``, ``patient_resp_cents``, ``rendering_npi``,
        ``remark_codes`` (the claim's MIA/MOA remark codes, ``;``-joined),
        ``claim_id`` (the matched submitted claim, ``<NA>`` when none) and ``match``
        (``'claim_id'``, ``'payer_claim_number'`` or ``'none'``).
    """
    pay = remittance.payments[["payment_seq", "trace_number", "trace_payer_id", "payer_name",
                               "payment_date"]]
    rc = (remittance.claims[["claim_seq", "payment_seq", "file", "claim_id",
                             "payer_claim_number", "status", "claim_frequency",
                             "charge_cents", "paid_cents", "patient_resp_cents",
                             "rendering_npi", "remark_codes"]]
          .rename(columns={"claim_id": "remit_claim_id"})
          .merge(pay, on="payment_seq", how="left"))
    row = _positions(rc["remit_claim_id"], claims["claim_id"])
    direct = row >= 0
    numbered = rc["payer_claim_number"].notna().to_numpy()
    need = ~direct & numbered
    if need.any():
        key = ["trace_payer_id", "payer_claim_number"]
        seen = rc.loc[direct & numbered, key].assign(row=row[direct & numbered])
        seen = seen.drop_duplicates()
        seen = seen[~seen.duplicated(key, keep=False).to_numpy()]
        found = rc.loc[need, key].merge(seen, on=key, how="left")["row"]
        row[need] = found.fillna(-1).to_numpy(dtype=np.int64)
    rc["claim_id"] = claims["claim_id"].astype(_S).array.take(row, allow_fill=True)
    rc["match"] = _text(["claim_id", "payer_claim_number", "none"],
                        np.select([direct, row >= 0], [0, 1], 2))
    columns = ["claim_seq", "payment_seq", "file", "trace_number", "trace_payer_id",
               "payer_name", "payment_date", "remit_claim_id", "payer_claim_number", "status",
               "claim_frequency", "charge_cents", "paid_cents", "patient_resp_cents",
               "rendering_npi", "remark_codes", "claim_id", "match"]
    return rc[columns]


def categorise_adjustments(adjustments: pd.DataFrame, remit_claims: pd.DataFrame) -> pd.DataFrame:
    """Give each CAS adjustment its category and its matched claim.

    Parameters
    ----------
    adjustments
        ``Remittance.adjustments`` (de-duplicated).
    remit_claims
        From :func:`match_claims`.

    Returns
    -------
    pandas.DataFrame
        ``claim_seq``, ``line_seq``, ``level``, ``group_code``, ``reason_code``,
        ``amount_cents``, ``category`` (:func:`pracops.x12.codes.carc_category`), ``claim_id``
        (matched claim or ``<NA>``), ``payment_date``, ``status`` and
        ``claim_remark_codes`` (MIA/MOA remark codes) of the remittance claim.
    """
    adj = adjustments[["claim_seq", "line_seq", "level", "group_code", "reason_code",
                       "amount_cents"]]
    groups, group_values = pd.factorize(adj["group_code"])
    reasons, reason_values = pd.factorize(adj["reason_code"])
    # one category per (group, reason) pair met; code -1 (missing) reads the trailing None
    table = np.array([[CATEGORIES.index(carc_category(g, r)) for r in [*reason_values, None]]
                      for g in [*group_values, None]], dtype=np.int64).reshape(
        len(group_values) + 1, len(reason_values) + 1)
    adj = adj.assign(category=_text(list(CATEGORIES), table[groups, reasons]))
    return adj.merge(remit_claims[["claim_seq", "claim_id", "payment_date", "status",
                                   "remark_codes"]]
                     .rename(columns={"remark_codes": "claim_remark_codes"}),
                     on="claim_seq", how="left")


def match_lines(remittance: Remittance, remit_claims: pd.DataFrame, claims: pd.DataFrame,
                claim_lines: pd.DataFrame, adjustments: pd.DataFrame) -> pd.DataFrame:
    """Match remittance service lines (SVC) of matched claims to submitted claim lines.

    Within one remittance claim, each service line is matched to a line of its submitted claim
    with the same procedure (the original procedure SVC06 when the payer re-coded it),
    the same set of modifiers and the same date of service (DTM*472, else DTM*150, else the
    claim's statement date, else the claim's date of service); equal keys pair up in order.
    Lines left over are then paired by order: the n-th unmatched service line with the n-th
    claim line not yet matched within that remittance claim. A remittance line of a split
    payment, a reversal or a correction each match the same claim line.

    Parameters
    ----------
    remittance
        De-duplicated.
    remit_claims
        From :func:`match_claims`.
    claims, claim_lines
        Submitted claims (``date_of_service``) and their lines (``line_no``, ``cpt``,
        ``modifiers``).
    adjustments
        From :func:`categorise_adjustments`.

    Returns
    -------
    pandas.DataFrame
        One row per service line of a matched remittance claim: ``line_seq``, ``claim_seq``,
        ``claim_id``, ``line_no`` (``Int64``, ``<NA>`` when no claim line was left), ``cpt``
        (of the matched claim line), ``line_match`` (``'procedure, modifiers, date'``,
        ``'order'`` or ``'none'``), ``procedure_code``, ``modifiers`` (normalised: sorted,
        ``;``-joined), ``service_date``, ``charge_cents``, ``paid_cents``, ``allowed_cents``
        (AMT*B6), ``remark_codes`` (the line's LQ codes), ``contractual_cents`` (CO
        contractual CAS on the line), ``denied_cents``
        (CAS of category 'denial to work'), ``payer_allowed_cents``.
    """
    matched = remit_claims["claim_id"].notna().to_numpy()
    claim_row = _positions(remit_claims["claim_id"], claims["claim_id"])
    service = remittance.service_lines
    at = pd.Index(remit_claims["claim_seq"].to_numpy()).get_indexer(
        service["claim_seq"].to_numpy())
    keep = at >= 0
    keep[keep] = matched[at[keep]]
    lines = service[["line_seq", "claim_seq", "service_date", "service_start_date",
                     "original_procedure_code", "procedure_code", "modifiers", "charge_cents",
                     "paid_cents", "allowed_cents", "remark_codes"]]
    if not keep.all():
        lines = lines[keep]
    lines = lines.reset_index(drop=True)
    at = at[keep]
    n = len(lines)
    row = claim_row[at]
    claim_dos = _dates(claims["date_of_service"]).to_numpy()
    statement = remittance.claims["statement_start_date"].to_numpy()[
        pd.Index(remittance.claims["claim_seq"].to_numpy()).get_indexer(
            remit_claims["claim_seq"].to_numpy()[at])]
    dos = lines["service_date"].to_numpy(copy=True)
    for fallback in (lines["service_start_date"].to_numpy(), statement, claim_dos[row]):
        gap = np.isnat(dos)
        dos[gap] = fallback[gap]
    cl_row = _positions(claim_lines["claim_id"], claims["claim_id"])
    known = np.flatnonzero(cl_row >= 0)
    procedure = lines["original_procedure_code"].fillna(lines["procedure_code"])
    procedures, procedure_values = pd.factorize(pd.concat(
        [procedure, claim_lines["cpt"].astype(_S)], ignore_index=True))
    modifiers, modifier_texts = _modifier_codes(pd.concat(
        [lines["modifiers"], claim_lines["modifiers"].astype(_S)], ignore_index=True))
    # one int64 for (claim, procedure, modifiers), and one dense code for it with the date
    width = (len(procedure_values) + 1) * (len(modifier_texts) + 1)
    what = np.concatenate([row, cl_row]) * width + (procedures + 1) * (
        len(modifier_texts) + 1) + modifiers
    when = np.concatenate([dos, claim_dos[cl_row]]).view(np.int64)
    key = _dense(what, when)
    line_seq = lines["line_seq"].to_numpy()
    claim_seq = lines["claim_seq"].to_numpy()
    occurrence = _occurrence(_dense(claim_seq, key[:n]), line_seq)
    cl_line_no = claim_lines["line_no"].to_numpy(dtype=np.int64)
    cl_key = key[n:][known]
    cl_occurrence = _occurrence(_dense(cl_key), cl_line_no[known])
    # equal keys pair up in order: the k-th service line of a key takes its k-th claim line
    # (the size counts the claim lines' repeats too: a line entered twice that the payer
    # answered once must not collide with the next key)
    size = int(max(occurrence.max(initial=0), cl_occurrence.max(initial=0))) + 1
    lookup = pd.Index(cl_key * size + cl_occurrence)
    found = lookup.get_indexer(key[:n] * size + occurrence) if len(lookup) else np.full(n, -1)
    position = np.where(found >= 0, known[found], -1)
    how = np.where(found >= 0, 0, 2)
    left = how == 2
    if left.any():
        taken = pd.DataFrame({"claim_seq": claim_seq[~left],
                              "line_no": cl_line_no[position[~left]]})
        cl = pd.DataFrame({"row": cl_row[known], "line_no": cl_line_no[known],
                           "position": known})
        free = (pd.DataFrame({"claim_seq": claim_seq[left], "row": row[left]})
                .drop_duplicates()
                .merge(cl, on="row")
                .merge(taken, on=["claim_seq", "line_no"], how="left", indicator=True))
        free = free[(free["_merge"] == "left_only").to_numpy()].sort_values(
            ["claim_seq", "line_no"])
        free["rank"] = free.groupby("claim_seq").cumcount()
        rest = pd.DataFrame({"at": np.flatnonzero(left), "claim_seq": claim_seq[left]})
        rest["rank"] = rest.groupby("claim_seq").cumcount()
        paired = rest.merge(free[["claim_seq", "rank", "position"]], on=["claim_seq", "rank"])
        position[paired["at"].to_numpy()] = paired["position"].to_numpy()
        how[left & (position >= 0)] = 1
        logger.info("%d service line(s) matched by order, %d unmatched", len(paired),
                    int(left.sum()) - len(paired))

    on_line = adjustments[(adjustments["level"] == "line").to_numpy()]
    amount = on_line["amount_cents"]
    per_line = pd.DataFrame({
        "contractual": amount.where((on_line["group_code"] == "CO")
                                    & (on_line["category"] == "contractual"), 0),
        "denied": amount.where(on_line["category"] == _DENIAL, 0),
    }).groupby(on_line["line_seq"].astype("int64").to_numpy()).sum()
    sums_at = pd.Index(per_line.index).get_indexer(line_seq)
    has_sums = sums_at >= 0

    def line_sums(column: str) -> np.ndarray:
        return np.where(has_sums, per_line[column].to_numpy(dtype=np.int64)[sums_at], 0)

    missing = position < 0
    out = pd.DataFrame({
        "line_seq": lines["line_seq"], "claim_seq": lines["claim_seq"],
        "claim_id": remit_claims["claim_id"].array.take(at),
        "line_no": pd.arrays.IntegerArray(np.where(missing, 0, cl_line_no[position]), missing),
        "cpt": claim_lines["cpt"].astype(_S).array.take(position, allow_fill=True),
        "line_match": _text(["procedure, modifiers, date", "order", "none"], how),
        "procedure_code": lines["procedure_code"],
        "modifiers": _text(modifier_texts, modifiers[:n]),
        "service_date": pd.Series(dos, dtype=lines["service_date"].dtype),
        "charge_cents": lines["charge_cents"],
        "paid_cents": lines["paid_cents"],
        "allowed_cents": lines["allowed_cents"],
        "remark_codes": lines["remark_codes"],
        "contractual_cents": line_sums("contractual"),
        "denied_cents": line_sums("denied"),
    })
    out["payer_allowed_cents"] = out["allowed_cents"].fillna(
        out["charge_cents"] - out["contractual_cents"]).astype("int64")
    return out


# ---- claims ----------------------------------------------------------------------------------


def claim_balances(claims: pd.DataFrame, claim_lines: pd.DataFrame, remit_claims: pd.DataFrame,
                   adjustments: pd.DataFrame, *,
                   self_pay_payer_ids: Collection[str] = ("SELF",),
                   payments_posted: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net position of every submitted claim: charged, paid, adjusted and still open.

    Sums run over all the claim's remittance claims (split payments, reversals and corrections
    net out). ``insurance_open_cents = charge − paid − (contractual + patient responsibility +
    payer reduction + other adjustments)``, 0 for self-pay; ``patient_open_cents`` is the
    charge for self-pay, else the patient responsibility, less patient payments posted.

    Parameters
    ----------
    claims, claim_lines
        Submitted claims and lines.
    remit_claims
        From :func:`match_claims`.
    adjustments
        From :func:`categorise_adjustments`.
    self_pay_payer_ids
        Payers that send no ERA (see :func:`self_pay_payer_ids`).
    payments_posted
        Optional postings; rows with ``source == 'patient'`` reduce the patient open balance.

    Returns
    -------
    pandas.DataFrame
        One row per claim: ``claim_id``, ``payer_id``, ``rendering_npi``,
        ``date_of_service``, ``submitted_date``, ``self_pay``, ``charge_cents`` (Σ claim
        lines), ``remit_charge_cents`` (Σ CLP03), ``paid_cents`` (Σ CLP04),
        ``contractual_cents``, ``patient_resp_cents``, ``denied_cents``, ``reduction_cents``,
        ``other_adj_cents`` (Σ CAS by category), ``patient_paid_cents``, ``remit_count``,
        ``answered``, ``first_response_date``, ``first_payment_date`` (first remittance with
        CLP04 > 0), ``insurance_open_cents``, ``patient_open_cents``.
    """
    out = claims[["claim_id", "payer_id", "rendering_npi", "date_of_service",
                  "submitted_date"]].astype({"claim_id": _S, "payer_id": _S,
                                             "rendering_npi": _S}).reset_index(drop=True)
    out = out.assign(date_of_service=_dates(out["date_of_service"]),
                     submitted_date=_dates(out["submitted_date"]),
                     self_pay=out["payer_id"].isin(list(self_pay_payer_ids)).to_numpy())
    n = len(out)
    out["charge_cents"] = _sum_at(_positions(claim_lines["claim_id"], claims["claim_id"]),
                                  claim_lines["charge_cents"], n)
    row = _positions(remit_claims["claim_id"], claims["claim_id"])
    out["remit_charge_cents"] = _sum_at(row, remit_claims["charge_cents"], n)
    out["paid_cents"] = _sum_at(row, remit_claims["paid_cents"], n)
    at = pd.Index(remit_claims["claim_seq"].to_numpy()).get_indexer(
        adjustments["claim_seq"].to_numpy())
    adj_row = np.where(at >= 0, row[at], -1)
    category, categories = pd.factorize(adjustments["category"])
    code = {str(name): i for i, name in enumerate(categories)}
    amount = adjustments["amount_cents"].to_numpy(dtype=np.int64)
    for name, column in _CATEGORY_COLUMNS.items():
        mine = category == code.get(name, -2)
        out[column] = _sum_at(np.where(mine, adj_row, -1), amount, n)
    patient_paid = np.zeros(n, dtype=np.int64)
    if payments_posted is not None:
        patient = payments_posted[(payments_posted["source"].astype(_S).str.lower()
                                   == "patient").to_numpy()]
        patient_paid = _sum_at(_positions(patient["claim_id"], claims["claim_id"]),
                               patient["amount_cents"], n)
    out["patient_paid_cents"] = patient_paid
    answered = row >= 0
    out["remit_count"] = np.bincount(row[answered], minlength=n).astype(np.int64)
    out["answered"] = out["remit_count"] > 0
    dates = remit_claims["payment_date"].to_numpy()
    index = pd.RangeIndex(n)
    out["first_response_date"] = (pd.Series(dates[answered]).groupby(row[answered]).min()
                                  .reindex(index).astype(_D).to_numpy())
    paid = answered & (remit_claims["paid_cents"] > 0).to_numpy()
    out["first_payment_date"] = (pd.Series(dates[paid]).groupby(row[paid]).min()
                                 .reindex(index).astype(_D).to_numpy())
    closing = sum(out[_CATEGORY_COLUMNS[c]] for c in _CLOSING)
    out["insurance_open_cents"] = (out["charge_cents"] - out["paid_cents"] - closing).where(
        ~out["self_pay"], 0).astype("int64")
    out["patient_open_cents"] = (out["charge_cents"].where(out["self_pay"],
                                                           out["patient_resp_cents"])
                                 - out["patient_paid_cents"]).astype("int64")
    return out


def unanswered_claims(balances: pd.DataFrame, as_of: pd.Timestamp | str) -> pd.DataFrame:
    """Submitted claims no remittance answered (self-pay excluded: it gets no ERA).

    Parameters
    ----------
    balances
        From :func:`claim_balances`.
    as_of
        The report date.

    Returns
    -------
    pandas.DataFrame
        ``claim_id``, ``payer_id``, ``rendering_npi``, ``date_of_service``,
        ``submitted_date``, ``charge_cents``, ``days_since_submission``
        (as-of − submitted date), oldest first.
    """
    rows = balances[(~balances["answered"] & ~balances["self_pay"]).to_numpy()]
    days = (pd.Timestamp(as_of) - rows["submitted_date"]).dt.days.astype("int64")
    out = rows[["claim_id", "payer_id", "rendering_npi", "date_of_service", "submitted_date",
                "charge_cents"]].assign(days_since_submission=days)
    return out.sort_values(["days_since_submission", "claim_id"],
                           ascending=[False, True]).reset_index(drop=True)


# ---- expected vs paid ------------------------------------------------------------------------


def _contract_rates(payer: pd.Series, cpt: pd.Series, modifiers: pd.Series,
                    fee_schedule: pd.DataFrame) -> tuple[pd.api.extensions.ExtensionArray,
                                                         pd.api.extensions.ExtensionArray]:
    """Per-unit contract rate of each line, and the fee schedule modifier it was found under.

    The first billed modifier with a fee schedule row wins, else the row with modifier ''.
    Returns ``rate_cents`` (``Int64``, missing when there is no rate) and ``rate_modifier``.
    """
    payers, payer_values = pd.factorize(payer.astype(_S))
    cpts, cpt_values = pd.factorize(cpt.astype(_S))
    width = len(cpt_values) + 1
    base = np.where((payers >= 0) & (cpts >= 0), payers * width + cpts, -1)
    fee_payer = _positions(fee_schedule["payer_id"], pd.Series(payer_values, dtype=_S))
    fee_cpt = _positions(fee_schedule["cpt"], pd.Series(cpt_values, dtype=_S))
    fee = pd.DataFrame({
        "key": np.where((fee_payer >= 0) & (fee_cpt >= 0), fee_payer * width + fee_cpt, -2),
        "modifier": fee_schedule["modifier"].astype(_S).fillna("").str.strip().str.upper()
        .to_numpy(),
        "allowed": fee_schedule["allowed_cents"].to_numpy(dtype=np.int64),
    }).drop_duplicates(["key", "modifier"])
    rate = np.zeros(len(base), dtype=np.int64)
    found = np.full(len(base), -1, dtype=np.int64)  # code into `names`: which modifier
    names = [""]
    blank = fee[(fee["modifier"] == "").to_numpy()]
    at = pd.Index(blank["key"].to_numpy()).get_indexer(base)
    hit = at >= 0
    rate[hit] = blank["allowed"].to_numpy()[at[hit]]
    found[hit] = 0
    text = modifiers.astype(_S).fillna("")
    billed = (text != "").to_numpy()
    if billed.any():
        # each billed modifier on its own row, in the order billed (Arrow: no Python per row)
        lists = pc.split_pattern(pc.utf8_upper(_arrow(text[billed])), ";")
        parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        starts = lists.offsets.to_numpy()[:-1] - lists.offsets[0].as_py()
        each = pd.DataFrame({
            "position": np.flatnonzero(billed)[parent], "key": base[billed][parent],
            "modifier": pd.array(pc.utf8_trim_whitespace(pc.list_flatten(lists)), dtype=_S),
            "order": np.arange(len(parent)) - starts[parent]})
        first = (each.merge(fee[(fee["modifier"] != "").to_numpy()], on=["key", "modifier"])
                 .sort_values(["position", "order"]).drop_duplicates("position"))
        codes, values = pd.factorize(first["modifier"])
        rate[first["position"].to_numpy()] = first["allowed"].to_numpy()
        found[first["position"].to_numpy()] = codes + 1
        names += [str(v) for v in values]
    return pd.arrays.IntegerArray(rate, found < 0), _text(names, found)


def expected_vs_paid(claims: pd.DataFrame, claim_lines: pd.DataFrame,
                     fee_schedule: pd.DataFrame, line_matches: pd.DataFrame, *,
                     min_shortfall_cents: int = 100,
                     min_shortfall_pct: float = 0.0) -> pd.DataFrame:
    """Compare the contract allowed amount with the payer's allowed amount, per claim line.

    ``contract_allowed_cents = rate_cents × units`` and
    ``shortfall_cents = contract_allowed_cents − payer_allowed_cents``. A line is
    ``'underpaid'`` when ``shortfall_cents > min_shortfall_cents`` and
    ``shortfall_cents > min_shortfall_pct × contract_allowed_cents``.

    Parameters
    ----------
    claims, claim_lines, fee_schedule
        Submitted claims (``payer_id``), lines (``cpt``, ``modifiers``, ``units``,
        ``charge_cents``) and contract rates per unit.
    line_matches
        From :func:`match_lines`; only claim lines with a remittance line are compared.
    min_shortfall_cents, min_shortfall_pct
        Thresholds a shortfall must exceed, in cents and as a fraction of the contract allowed.

    Returns
    -------
    pandas.DataFrame
        One row per adjudicated claim line: ``claim_id``, ``line_no``, ``payer_id``, ``cpt``,
        ``modifiers``, ``units``, ``charge_cents``, ``rate_cents``, ``rate_modifier``,
        ``contract_allowed_cents``, ``payer_allowed_cents``, ``paid_cents``,
        ``denied_cents``, ``shortfall_cents``, ``shortfall_pct``, ``remit_lines`` and
        ``status``: ``'no contract rate'``, ``'denied'`` (net paid 0 with a denied amount),
        ``'underpaid'`` or ``'ok'`` (in that order of precedence).
    """
    sums = ["paid_cents", "payer_allowed_cents", "denied_cents"]
    matched = line_matches[["claim_id", "line_no", *sums]]
    matched = matched[matched["line_no"].notna().to_numpy()]
    line_no = claim_lines["line_no"].to_numpy(dtype=np.int64)
    width = max(int(line_no.max(initial=0)),
                int(matched["line_no"].max()) if len(matched) else 0) + 1
    # the claim line of each matched service line, by (claim row, line number): one key per
    # claim line (check_inputs refuses a repeated one)
    row = _positions(claim_lines["claim_id"], claims["claim_id"])
    known = np.flatnonzero(row >= 0)
    got_row = _positions(matched["claim_id"], claims["claim_id"])
    at = pd.Index(row[known] * width + line_no[known]).get_indexer(
        got_row * width + matched["line_no"].to_numpy(dtype=np.int64))
    position = np.where(at >= 0, known[at], -1)
    count = np.bincount(position[position >= 0], minlength=len(claim_lines))
    answered = np.flatnonzero(count > 0)
    lines = (claim_lines[["claim_id", "line_no", "cpt", "modifiers", "units", "charge_cents"]]
             .iloc[answered].reset_index(drop=True)
             .astype({"claim_id": _S, "cpt": _S, "line_no": "int64"}))
    lines["remit_lines"] = count[answered]
    for column in sums:
        lines[column] = _sum_at(position, matched[column], len(claim_lines))[answered]
    lines["row"] = row[answered]
    lines["payer_id"] = claims["payer_id"].astype(_S).array.take(lines["row"].to_numpy())
    lines["modifiers"] = lines["modifiers"].astype(_S).fillna("")
    rate, modifier = _contract_rates(lines["payer_id"], lines["cpt"], lines["modifiers"],
                                     fee_schedule)
    lines["rate_cents"] = rate
    lines["rate_modifier"] = modifier
    lines["contract_allowed_cents"] = (lines["rate_cents"] * lines["units"]).astype("Int64")
    lines["shortfall_cents"] = (lines["contract_allowed_cents"]
                                - lines["payer_allowed_cents"]).astype("Int64")
    contract = lines["contract_allowed_cents"].astype("float64")
    lines["shortfall_pct"] = (lines["shortfall_cents"].astype("float64")
                              / contract.where(contract != 0)).astype("float64")
    no_rate = lines["rate_cents"].isna().to_numpy()
    denied = ((lines["paid_cents"] == 0) & (lines["denied_cents"] > 0)).to_numpy()
    shortfall = lines["shortfall_cents"].fillna(0).to_numpy(dtype="int64")
    under = ((shortfall > min_shortfall_cents)
             & (shortfall > min_shortfall_pct * contract.fillna(0).to_numpy()))
    lines["status"] = _text(["no contract rate", "denied", "underpaid", "ok"],
                            np.select([no_rate, denied, under], [0, 1, 2], 3))
    return lines[["claim_id", "line_no", "payer_id", "cpt", "modifiers", "units",
                  "charge_cents", "rate_cents", "rate_modifier", "contract_allowed_cents",
                  "payer_allowed_cents", "paid_cents", "denied_cents", "shortfall_cents",
                  "shortfall_pct", "remit_lines", "status"]]


# ---- deposits --------------------------------------------------------------------------------


@dataclass
class DepositMatch:
    """ERA payments reassociated with bank deposits.

    Attributes
    ----------
    matches
        One row per ERA payment matched to a deposit: ``payment_seq``, ``trace_number``,
        ``trace_payer_id``, ``payer_name``, ``payment_date``, ``era_amount_cents``,
        ``deposit_id``, ``posted_date``, ``deposit_amount_cents``, ``difference_cents``
        (deposit − ERA), ``days_to_deposit``, ``match`` (``'trace'`` or ``'amount'``).
    eras_without_deposit
        ERA payments with money (BPR02 ≠ 0) and no deposit: ``payment_seq``, ``file``,
        ``trace_number``, ``trace_payer_id``, ``payer_name``, ``payment_method``,
        ``payment_date``, ``total_paid_cents``.
    deposits_without_era
        Deposits of a type that should have an ERA (ACH, check) with none: ``deposit_id``,
        ``posted_date``, ``type``, ``amount_cents``, ``trace_number`` (parsed, or ``<NA>``),
        ``description``.
    patient_deposits
        Deposits of other types (card, cash): ``deposit_id``, ``posted_date``, ``type``,
        ``amount_cents``, ``description``.
    amount_mismatches
        The rows of ``matches`` whose amounts differ.
    """

    matches: pd.DataFrame
    eras_without_deposit: pd.DataFrame
    deposits_without_era: pd.DataFrame
    patient_deposits: pd.DataFrame
    amount_mismatches: pd.DataFrame


def deposit_traces(descriptions: pd.Series) -> pd.DataFrame:
    """Read ``TRN*1*<trace>*<payer id>`` out of bank deposit descriptions.

    Spaces around the separators and a trailing backslash or tilde are tolerated; the payer
    id may be missing (banks truncate descriptions).

    Returns
    -------
    pandas.DataFrame
        ``trace_number`` and ``trace_payer_id`` (``<NA>`` when not found), same index.
    """
    found = descriptions.astype(_S).str.extract(_TRN_PATTERN, flags=re.IGNORECASE)
    found.columns = ["trace_number", "trace_payer_id"]
    return found.astype(_S)


def _greedy_pairs(candidates: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One deposit per payment, greedily in ``order``: repeatedly take the mutual-best pairs.

    A pair that is the best remaining for both its payment and its deposit is exactly the
    pair a one-at-a-time greedy pass would take, so each round keeps them all at once.
    """
    ranked = candidates.sort_values([*order, "payment_seq", "deposit_id"], kind="stable")
    chosen = []
    while len(ranked):
        best_payment = ranked.drop_duplicates("payment_seq")
        best_deposit = ranked.drop_duplicates("deposit_id")[["payment_seq", "deposit_id"]]
        mutual = best_payment.merge(best_deposit, on=["payment_seq", "deposit_id"])
        chosen.append(mutual)
        ranked = ranked[~ranked["payment_seq"].isin(mutual["payment_seq"]).to_numpy()
                        & ~ranked["deposit_id"].isin(mutual["deposit_id"]).to_numpy()]
    return pd.concat(chosen, ignore_index=True) if chosen else candidates.iloc[:0]


def match_deposits(payments: pd.DataFrame, deposits: pd.DataFrame, *,
                   window_days: tuple[int, int] = (0, 10),
                   era_deposit_types: Collection[str] = ("ACH", "check")) -> DepositMatch:
    """Reassociate ERA payments (BPR/TRN) with bank deposits.

    1. By trace: a deposit whose description carries ``TRN*1*<trace>*<payer id>`` matches the
       payment with that trace number (and that payer id, when the description has one),
       whatever the amounts (a difference is an amount mismatch) and dates.
    2. By amount (paper checks, descriptions without a trace): a payment left over matches a
       deposit left over without a trace, of the exact amount, posted
       ``window_days[0] … window_days[1]`` days after the payment date; one deposit per
       payment, greedily by the closest date.

    Payments of 0 (BPR02 = 0, no money moved) expect no deposit and are left out.

    Parameters
    ----------
    payments
        ``Remittance.payments`` (de-duplicated).
    deposits
        ``deposit_id``, ``posted_date``, ``amount_cents``, ``description``, ``type``.
    window_days
        Days after the payment date a check deposit may be posted, both ends included.
    era_deposit_types
        Deposit types that come with an ERA (compared ignoring case); the others are
        patient payments.

    Returns
    -------
    DepositMatch
    """
    low, high = window_days
    if low > high:
        raise ParameterError(f"window_days {window_days!r}: the first day must not be after "
                             "the last")
    pay = payments.loc[(payments["total_paid_cents"] != 0).to_numpy(),
                       ["payment_seq", "file", "trace_number", "trace_payer_id", "payer_name",
                        "payment_method", "payment_date", "total_paid_cents"]]
    dep = deposits[["deposit_id", "posted_date", "type", "amount_cents", "description"]].astype(
        {"deposit_id": _S, "type": _S, "description": _S})
    dep["posted_date"] = _dates(dep["posted_date"])
    kinds = {str(t).strip().casefold() for t in era_deposit_types}
    is_era = dep["type"].fillna("").str.strip().str.casefold().isin(kinds).to_numpy()
    patient_deposits = dep[~is_era].reset_index(drop=True)
    dep = dep[is_era]
    traces = deposit_traces(dep["description"])
    dep = dep.assign(dep_trace=traces["trace_number"], dep_payer=traces["trace_payer_id"])

    def pairs(cand: pd.DataFrame, how: str) -> pd.DataFrame:
        days = (cand["posted_date"] - cand["payment_date"]).dt.days
        return cand.assign(days_to_deposit=days, gap=days.abs(), match=how,
                           differs=(cand["amount_cents"] != cand["total_paid_cents"]))

    by_trace = pay.merge(dep[dep["dep_trace"].notna().to_numpy()], left_on="trace_number",
                         right_on="dep_trace")
    by_trace = by_trace[(by_trace["dep_payer"].isna()
                         | (by_trace["dep_payer"] == by_trace["trace_payer_id"])).to_numpy()]
    trace_pairs = _greedy_pairs(pairs(by_trace, "trace"), ["differs", "gap"])
    rest_pay = pay[~pay["payment_seq"].isin(trace_pairs["payment_seq"]).to_numpy()]
    rest_dep = dep[dep["dep_trace"].isna().to_numpy()]
    by_amount = pairs(rest_pay.merge(rest_dep, left_on="total_paid_cents",
                                     right_on="amount_cents"), "amount")
    by_amount = by_amount[by_amount["days_to_deposit"].between(low, high).to_numpy()]
    amount_pairs = _greedy_pairs(by_amount, ["gap"])

    matched = pd.concat([trace_pairs, amount_pairs], ignore_index=True)
    matches = matched.rename(columns={"total_paid_cents": "era_amount_cents",
                                      "amount_cents": "deposit_amount_cents"})
    matches["difference_cents"] = (matches["deposit_amount_cents"]
                                   - matches["era_amount_cents"]).astype("int64")
    matches["match"] = matches["match"].astype(_S)
    matches = matches[["payment_seq", "trace_number", "trace_payer_id", "payer_name",
                       "payment_date", "era_amount_cents", "deposit_id", "posted_date",
                       "deposit_amount_cents", "difference_cents", "days_to_deposit",
                       "match"]].sort_values("payment_seq").reset_index(drop=True)
    eras = pay[~pay["payment_seq"].isin(matches["payment_seq"]).to_numpy()]
    orphan = dep[~dep["deposit_id"].isin(matches["deposit_id"]).to_numpy()]
    orphan = orphan.rename(columns={"dep_trace": "trace_number"})[
        ["deposit_id", "posted_date", "type", "amount_cents", "trace_number", "description"]]
    logger.info("deposits: %d matched by trace, %d by amount, %d ERAs and %d deposits left",
                len(trace_pairs), len(amount_pairs), len(eras), len(orphan))
    return DepositMatch(
        matches=matches,
        eras_without_deposit=eras.reset_index(drop=True),
        deposits_without_era=orphan.reset_index(drop=True),
        patient_deposits=patient_deposits,
        amount_mismatches=matches[(matches["difference_cents"] != 0).to_numpy()]
        .reset_index(drop=True),
    )
