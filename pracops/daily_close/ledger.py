"""The daily close's ledger: accounts receivable rolled forward and proven, charges captured for
every visit, and the claims running out of time to be filed (issue 15, calculations 2, 3, 4).

Pure calculations over the typed frames of :mod:`pracops.data` (and the 835s read by
:mod:`pracops.x12`): no file is read and nothing is shown here. Money is integer cents.

:func:`ar_rollforward`
    Opening A/R + charges − payments − adjustments + refunds ± transfers = closing A/R, per day
    and per month, for the payers' and the patients' balances, from the practice-management
    system's posting journal (``pm_transactions``); proven against a sub-ledger built without
    the journal from the claim lines (charges), ``payments_posted`` (payments) and the 835
    remittances (adjustments and the patients' shares), with every difference between the two
    named as a break (:data:`BREAK_KINDS`).
:func:`charge_capture`
    Completed visits never charged, charges with no completed visit, lines entered twice, and
    the charge lag by provider and clinic against its target.
:func:`timely_filing`
    Open claims near or past their payer's timely-filing limit, with the money at stake.

Why the journal and ``payments_posted`` are compared here rather than when the files are loaded
-----------------------------------------------------------------------------------------------
Issue 15 says that where both exist, ``payments_posted`` and ``pm_transactions`` must agree. A
disagreement (a payment keyed on the wrong day, for the wrong amount, or in one file only) is
exactly what the roll-forward exists to name, and the daily close's files are declared so that
a problem a close must find is a finding, never a load error (see
:mod:`pracops.daily_close.datasets`). Refusing the folder with one line at ``pracops validate``
would stop every report, billing's too, over a bookkeeping error an administrator corrects in
the practice-management system, and would hide which payment it was. So the rule is checked by
:func:`ar_rollforward`: every payment of either file is paired with one of the other, and each
one that is not is a break (``payment_posted_wrong_day``, ``payment_amount_differs``,
``payment_not_in_payments_posted``, ``payment_missing_from_journal``) with its reference and
amount. No :class:`~pracops.data.Relation` is declared for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.daily_close import businessdays
from pracops.daily_close.findings import findings_frame
from pracops.money import format_cents

__all__ = [
    "AUTO_POSTED", "BREAK_KINDS", "FLOWS", "ARRollforward", "ChargeCapture", "TimelyFiling",
    "ar_rollforward", "charge_capture", "timely_filing",
]

AUTO_POSTED = (("CO", "45"), ("CO", "253"), ("OA", None))
"""The 835 adjustments posted with the remittance (group, reason; ``None``: any reason): the
contractual reduction to the fee schedule (CO-45), the sequestration (CO-253) and the other
adjustments (OA). The patient's share (PR) moves the balance to the patient (a transfer); any
other adjustment (a denial: CO-16, CO-27, CO-29, ..., and PI, CR) stays on the payer's balance
until the billing office writes it off or the claim is paid on appeal."""

FLOWS = ("charges", "payments", "adjustments", "refunds", "transfers")
"""The columns of a roll-forward, each as its effect on A/R: charges and refunds raise it
(a refund pays back a credit balance), payments and adjustments lower it (negative), transfers
move it between payer and patient (they add up to zero in the total)."""

_KIND_OF_FLOW = {"charge": "charges", "payment": "payments", "adjustment": "adjustments",
                 "refund": "refunds", "transfer": "transfers"}

BREAK_KINDS: dict[str, str] = {
    "charge_posted_wrong_day": "a charge posted on another day than its claim line was entered",
    "charge_wrong_responsibility": "a charge posted to the patient's balance for an insured "
                                   "claim, or to a payer for a self-pay one",
    "charge_amount_differs": "a charge posted for another amount than its claim line",
    "charge_without_claim_line": "a charge in the journal with no claim line behind it",
    "claim_line_not_charged": "a claim line with no charge in the journal",
    "payment_posted_wrong_day": "a payment in the journal on another day than in "
                                "payments_posted",
    "payment_wrong_responsibility": "a payer's payment posted to the patient, or the reverse",
    "payment_amount_differs": "a payment for another amount than in payments_posted",
    "payment_not_in_payments_posted": "a payment in the journal that payments_posted lacks",
    "payment_missing_from_journal": "a payment in payments_posted that the journal lacks",
    "misposted_adjustment": "an adjustment posted for another amount than the remittance's",
    "adjustment_posted_wrong_day": "a remittance's adjustment posted on another day than its "
                                   "payment",
    "adjustment_wrong_responsibility": "a remittance's adjustment posted to the patient",
    "adjustment_without_remittance": "an adjustment with no remittance or denial behind it",
    "remittance_adjustment_not_posted": "a remittance's adjustment missing from the journal",
    "writeoff_differs_from_denial": "a denial written off for another amount than the payer "
                                    "left open",
    "transfer_posted_wrong_day": "a transfer to the patient on another day than its remittance",
    "transfer_wrong_responsibility": "a transfer posted to the wrong side",
    "transfer_amount_differs": "a transfer for another amount than the remittance's "
                               "patient share",
    "transfer_without_remittance": "a transfer with no remittance behind it",
    "remittance_transfer_not_posted": "a remittance's patient share never moved to the "
                                      "patient",
}
"""Every break the roll-forward can name, with what it means."""

_STAGE_KINDS = {
    "charge": ("charge_posted_wrong_day", "charge_wrong_responsibility", "charge_amount_differs",
               "charge_without_claim_line", "claim_line_not_charged"),
    "payment": ("payment_posted_wrong_day", "payment_wrong_responsibility",
                "payment_amount_differs", "payment_not_in_payments_posted",
                "payment_missing_from_journal"),
    "adjustment": ("adjustment_posted_wrong_day", "adjustment_wrong_responsibility",
                   "misposted_adjustment", "adjustment_without_remittance",
                   "remittance_adjustment_not_posted"),
    "transfer": ("transfer_posted_wrong_day", "transfer_wrong_responsibility",
                 "transfer_amount_differs", "transfer_without_remittance",
                 "remittance_transfer_not_posted"),
}
_SOURCE = {"charge": "the claim line", "payment": "payments_posted",
           "adjustment": "the remittance", "transfer": "the remittance"}
_RESP = np.array(["payer", "patient"], dtype=object)

_BREAK_COLUMNS = ("kind", "claim_id", "location_id", "reference", "journal_date",
                  "journal_responsible", "journal_cents", "subledger_date",
                  "subledger_responsible", "subledger_cents", "difference_cents", "detail")


def _day(stamp: pd.Series) -> pd.Series:
    """Dates as an administrator reads them: ``19 Oct 2025`` (no platform-only ``%-d``)."""
    return stamp.dt.day.astype("string") + stamp.dt.strftime(" %b %Y").astype("string")


def _money(cents: pd.Series) -> pd.Series:
    return cents.astype("int64").map(format_cents).astype("string")


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("")


def _arrow(values: pd.Series | pd.Index) -> pa.Array | pa.ChunkedArray:
    """Text as an Arrow ``large_string`` array: no copy of pandas' ``str`` columns, which hold
    that type (a cast to ``string`` copied every value)."""
    arr = pa.array(pd.Series(values).array) if len(values) else pa.array([], pa.large_string())
    return arr if arr.type == pa.large_string() else pc.cast(arr, pa.large_string())


def positions(keys: pd.Series, known: pd.Series | pd.Index) -> np.ndarray:
    """Where each key first stands in ``known``; -1 when it is not there or missing. Arrow's
    hash lookup: pandas' ``isin`` and ``map`` on text go value by value."""
    found = pc.index_in(_arrow(keys), value_set=_arrow(known), skip_nulls=True)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _isin(keys: pd.Series, known: pd.Series | pd.Index) -> np.ndarray:
    return positions(keys, known) >= 0


def _lookup(keys: pd.Series, known: pd.Series | pd.Index, values: pd.Series) -> pd.Series:
    """``values`` (aligned with ``known``) for each key, missing where the key is unknown."""
    picked = values.reset_index(drop=True).reindex(positions(keys, known))
    return picked.set_axis(keys.index)


# --------------------------------------------------------------------------------------------
# Pairing rows of two sides one to one


def _pair(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]
          ) -> tuple[np.ndarray, np.ndarray]:
    """Index labels of ``left`` and ``right`` paired one to one on ``keys``
    (:func:`_paired_rows`, by label)."""
    lrow, rrow = _paired_rows(left, right, keys)
    return (left.index.to_numpy()[lrow].astype(np.int64, copy=False),
            right.index.to_numpy()[rrow].astype(np.int64, copy=False))


def _paired_rows(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the rows of ``left`` and ``right`` paired one to one on ``keys``: the n-th
    row of a key on one side with the n-th of the same key on the other (in row order; a
    missing value is a key like any other), listed in ``left``'s row order.

    Integer codes and one stable sort of both sides together, not a group-by and a merge of
    the frames: at a million rows the merge's hash tables were the close's peak of memory. In
    the sorted order a key's rows stand together, ``left``'s first, each side in row order, so
    the n-th of ``left`` is paired with the row as many places on as ``left`` has rows of it."""
    if left.empty or right.empty:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    n_left = len(left)
    order, first = _grouped(left, right, keys)
    # row counts fit 32 bits: half the memory of each array of a row's place in its key
    group = np.cumsum(first, dtype=np.int32)
    group -= 1
    starts = np.flatnonzero(first).astype(np.int32)
    del first
    is_left = order < n_left
    lefts = np.bincount(group, weights=is_left, minlength=len(starts)).astype(np.int64)
    rights = np.diff(np.r_[starts, len(order)]) - lefts
    rank = np.arange(len(order), dtype=np.int32)
    rank -= starts[group]  # each row's place among its key's rows
    paired = np.flatnonzero(is_left & (rank < rights[group]))
    del rank, is_left
    lrow = order[paired]
    rrow = order[paired + lefts[group[paired]]] - n_left
    by_left = np.argsort(lrow, kind="stable")
    return lrow[by_left], rrow[by_left]


def _grouped(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]
             ) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``left`` then ``right`` in an order where equal ``keys`` stand together,
    each key's rows in row order, and where each key's first row stands in it. Integer
    columns (numpy's) are sorted as they are, several at once (no hash table of their
    values: at a million rows a factorized pair of keys was the A/R roll-forward's peak of
    memory); other keys as :func:`_key_code`."""
    if all(isinstance(f[k].dtype, np.dtype) and f[k].dtype.kind in "iu"
           for f in (left, right) for k in keys):
        columns = [np.concatenate([f[k].to_numpy(np.int64) for f in (left, right)])
                   for k in keys]
        order = np.lexsort(columns[::-1])  # stable; the first key sorts first
    else:
        code = _key_code(left, right, keys)
        order = np.argsort(code, kind="stable")
        columns = [code]
    first = np.zeros(len(order), dtype=bool)
    first[:1] = True
    for column in columns:
        ranked = column[order]
        first[1:] |= ranked[1:] != ranked[:-1]
    return order, first


def _key_code(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per row of ``left`` then ``right``, equal where all ``keys`` are equal: a
    single signed integer column of one dtype on both sides as it is, else the columns' codes
    combined (coded again only when the next product could pass 64 bits)."""
    if len(keys) == 1 and {left[keys[0]].dtype, right[keys[0]].dtype} in (
            {np.dtype(np.int64)}, {np.dtype(np.int32)}):
        return np.concatenate([f[keys[0]].to_numpy(np.int64) for f in (left, right)])
    code: np.ndarray | None = None
    for column in keys:
        values = pd.concat([left[column], right[column]], ignore_index=True)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        codes = codes.astype(np.int64, copy=False)
        if code is None:
            code = codes
            continue
        if (int(code.max(initial=-1)) + 1) * len(uniques) >= 1 << 62:
            code = pd.factorize(code)[0].astype(np.int64, copy=False)
        code = code * len(uniques) + codes
    assert code is not None
    return code


def _codes(*columns: pa.Array | pa.ChunkedArray) -> list[np.ndarray]:
    """Integer codes of one dictionary shared by text columns (-1 for a missing value), each
    value numbered where it first appears: faster keys than text. One hash table over the
    columns' chunks, no concatenated copy of the text, and 32-bit codes."""
    chunks = [chunk for a in columns
              for chunk in (a.chunks if isinstance(a, pa.ChunkedArray) else [a])]
    encoded = pc.dictionary_encode(pa.chunked_array(chunks, type=pa.large_string()))
    codes = np.empty(sum(len(c) for c in chunks), dtype=np.int32)  # filled a chunk at a time
    at = 0
    for chunk in encoded.chunks:
        codes[at:at + len(chunk)] = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        at += len(chunk)
    del encoded
    return np.split(codes, np.cumsum([len(c) for c in columns])[:-1])


_DAY_BITS = 17  # days in a key: 358 years from the first posting


def _keys(frame: pd.DataFrame, rows: np.ndarray, claim: np.ndarray, ref: np.ndarray,
          refs: int, first: np.datetime64) -> pd.DataFrame:
    """The integer keys ``frame``'s ``rows`` are paired on, indexed by those positions: ``at``
    (claim and reference, with whose balance, the day) and ``cents``; :func:`_derived` gives
    ``key`` (claim and reference) and ``side`` (with whose balance) from ``at``."""
    at = claim.astype(np.int64)
    at += 1
    at *= refs + 1
    at += ref
    at += 1
    at *= 2
    at += frame["resp"].to_numpy()[rows]
    at <<= _DAY_BITS
    dates = frame["date"].to_numpy()[rows].astype("datetime64[D]")
    missing = np.isnat(dates)
    day = (dates - first).astype(np.int64)
    day[missing] = (1 << _DAY_BITS) - 1
    at += day
    return pd.DataFrame({"at": at, "cents": frame["cents"].to_numpy()[rows].astype(np.int64)},
                        index=rows)


def _component_keys(jrows: pd.DataFrame, jpos: np.ndarray, sub: _SubLedger, component: int,
                    first: np.datetime64) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`_keys` of one component's journal rows (positions ``jpos``) and sub-ledger rows
    (:meth:`_SubLedger.codes`): claims and references coded a component at a time, so that
    the keys and the dictionaries stay as small as its own claims and references."""
    spos = np.arange(sub.starts[component], sub.starts[component + 1])
    coded = {column: sub.codes(component, jrows[column], jpos, column)
             for column in ("claim_id", "ref")}
    refs = int(max(coded["ref"][0].max(initial=-1), coded["ref"][1].max(initial=-1))) + 1
    return (_keys(jrows, jpos, coded["claim_id"][0], coded["ref"][0], refs, first),
            _keys(sub.rows, spos, coded["claim_id"][1], coded["ref"][1], refs, first))


def _derived(keys: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``keys`` with the ``key`` and ``side`` among ``names`` worked out from ``at``."""
    at = keys["at"].to_numpy()
    parts = {"key": lambda: at >> (_DAY_BITS + 1), "side": lambda: at >> _DAY_BITS}
    return keys.assign(**{name: parts[name]() for name in names if name in parts})


def _breaks_of(component: str, journal: pd.DataFrame, sub: pd.DataFrame,
               jrows: pd.DataFrame, subledger: _SubLedger
               ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Pair one component's journal rows with the sub-ledger's (their :func:`_keys`, indexed by
    position in ``jrows`` and ``subledger``'s rows) in stages: exactly (claim, reference, side, day,
    amount); then moved (claim, reference, amount: another day or side); then for another
    amount (claim, reference, side: the same day first). Returns the breaks of the paired rows
    that differ, and the positions of each side's rows left unpaired."""
    stages = (("exact", ["at", "cents"]), ("moved", ["key", "cents"]), ("amount", ["at"]),
              ("amount", ["side"]))
    wrong_day, wrong_side, amount, _, _ = _STAGE_KINDS[component]
    pairs = []
    for stage, keys in stages:
        lrow, rrow = _paired_rows(_derived(journal, keys), _derived(sub, keys), keys)
        li, ri = journal.index.to_numpy()[lrow], sub.index.to_numpy()[rrow]
        if stage != "exact" and len(li):
            j, s = jrows.loc[li].reset_index(drop=True), subledger.at(ri).reset_index(drop=True)
            if stage == "moved":
                kind = np.where(j["date"].to_numpy() != s["date"].to_numpy(), wrong_day,
                                wrong_side)
            else:
                kind = np.full(len(j), amount, dtype=object)
            pairs.append(_break_rows(kind, j, s))
        # the paired rows dropped by position: no hash table of the labels
        journal, sub = journal[_unpaired(len(journal), lrow)], sub[_unpaired(len(sub), rrow)]
    return _concat(pairs), journal.index.to_numpy(), sub.index.to_numpy()


def _unpaired(n: int, paired: np.ndarray) -> np.ndarray:
    """A mask of ``n`` rows, false at the positions ``paired``."""
    keep = np.ones(n, dtype=bool)
    keep[paired] = False
    return keep


def _break_rows(kind: Any, j: pd.DataFrame | None, s: pd.DataFrame | None) -> pd.DataFrame:
    """Break rows from paired journal and sub-ledger rows (either side may be absent)."""
    side = j if j is not None else s
    assert side is not None
    n = len(side)

    def col(frame: pd.DataFrame | None, name: str, empty: Any) -> Any:
        return frame[name].to_numpy() if frame is not None else np.full(n, empty)

    jc = col(j, "cents", 0).astype(np.int64)
    sc = col(s, "cents", 0).astype(np.int64)
    return pd.DataFrame({
        "kind": kind,
        "claim_id": side["claim_id"].to_numpy(),
        "location_id": side["location_id"].to_numpy(),
        "reference": j["transaction_id"].to_numpy() if j is not None
        else s["sub_ref"].fillna(s["ref"]).to_numpy(),
        "journal_date": col(j, "date", np.datetime64("NaT", "ns")),
        "journal_responsible": _RESP[col(j, "resp", 0)] if j is not None else None,
        "journal_cents": jc,
        "subledger_date": col(s, "date", np.datetime64("NaT", "ns")),
        "subledger_responsible": _RESP[col(s, "resp", 0)] if s is not None else None,
        "subledger_cents": sc,
        "difference_cents": jc - sc,
        "source_ref": col(s, "ref", None) if s is not None else col(j, "ref", None),
    })


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*_BREAK_COLUMNS[:-1], "source_ref"])
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------
# The sub-ledger


def _remittance_claims(remittance: Any, payments_posted: pd.DataFrame
                       ) -> tuple[pd.DataFrame, dict[str, int]]:
    """The remittances' claims (one row per CLP, a payment received twice counted once) with
    their adjustments by kind and the day ``payments_posted`` posted them."""
    pays = remittance.payments[["payment_seq", "trace_number"]]
    repeated = pays["trace_number"].duplicated()
    kept = pays.loc[~repeated]
    clp = remittance.claims[["claim_seq", "payment_seq", "claim_id", "paid_cents"]].merge(
        kept, on="payment_seq")
    adj = remittance.adjustments

    def equal(column: str, value: str) -> np.ndarray:
        return (adj[column] == value).to_numpy(dtype=bool, na_value=False)

    auto = np.zeros(len(adj), dtype=bool)
    for g, r in AUTO_POSTED:
        auto |= equal("group_code", g) & (equal("reason_code", r) if r is not None else True)
    patient = equal("group_code", "PR")
    cents = adj["amount_cents"].to_numpy(dtype=np.int64)
    sums = pd.DataFrame({
        "claim_seq": adj["claim_seq"].to_numpy(),
        "auto_cents": np.where(auto, cents, 0),
        "patient_cents": np.where(patient, cents, 0),
        "denied_cents": np.where(~auto & ~patient, cents, 0),
    }).groupby("claim_seq").sum()
    clp = clp.merge(sums, left_on="claim_seq", right_index=True, how="left")
    clp[["auto_cents", "patient_cents", "denied_cents"]] = clp[
        ["auto_cents", "patient_cents", "denied_cents"]].fillna(0).astype(np.int64)
    era = payments_posted[payments_posted["source"] == "ERA"]
    # claims and references as codes of one dictionary each: integer keys, no text factorized
    claim = _codes(_arrow(clp["claim_id"]), _arrow(era["claim_id"]))
    ref = _codes(_arrow(clp["trace_number"]), _arrow(era["reference"]))
    left = pd.DataFrame({"claim_id": claim[0], "ref": ref[0],
                         "cents": clp["paid_cents"].to_numpy(np.int64)})
    right = pd.DataFrame({"claim_id": claim[1], "ref": ref[1],
                          "cents": era["amount_cents"].to_numpy(np.int64)}, index=era.index)
    li, ri = _pair(left, right, ["claim_id", "ref", "cents"])
    clp["posted_date"] = pd.Series(pd.NaT, index=clp.index, dtype="datetime64[ns]")
    clp.loc[li, "posted_date"] = era.loc[ri, "posted_date"].to_numpy()
    plb = remittance.provider_adjustments
    plb = plb[plb["payment_seq"].isin(kept["payment_seq"])]
    unposted = clp["posted_date"].isna()
    notes = {"repeated_remittances": int(repeated.sum()),
             "unposted_remittance_claims": int(unposted.sum()),
             "unposted_remittance_paid_cents": int(clp.loc[unposted, "paid_cents"].sum()),
             "provider_adjustments_cents": int(plb["amount_cents"].sum())}
    return clp[~unposted].reset_index(drop=True), notes


def _values(values: Any, dtype: Any = None) -> Any:
    """A column's values without its index (so frames are built by position, not aligned)."""
    if isinstance(values, pd.Series):
        return values.array
    return np.asarray(values, dtype=dtype) if dtype is not None else values


def _side_frame(claim_id: Any, ref: Any, date: Any, resp: Any, cents: Any, location: Any,
                sub_ref: Any = None) -> pd.DataFrame:
    """Sub-ledger rows. ``sub_ref``, what a break names the row by, is left missing where it
    is ``ref`` (every kind of row but the payments: their posting id), and ``location`` is
    best a categorical shared by every part: at a million rows each text column is tens of
    MB."""
    n = len(cents)
    return pd.DataFrame({"claim_id": _values(claim_id), "ref": _values(ref),
                         "date": pd.to_datetime(_values(date)),
                         "resp": np.broadcast_to(_values(resp, np.int8), n).astype(np.int8),
                         "cents": np.asarray(_values(cents), dtype=np.int64),
                         "location_id": _values(location),
                         "sub_ref": _values(sub_ref) if sub_ref is not None
                         else pd.array(pa.nulls(n, pa.large_string()), dtype="str")})


def _subledger(claim_lines: pd.DataFrame, claims: pd.DataFrame, payers: pd.DataFrame,
               payments_posted: pd.DataFrame, remittance: Any
               ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, int]]:
    """The sub-ledger's rows by component, without the journal: charges from the claim lines
    (the patient's balance for a self-pay payer's claim), payments from ``payments_posted``,
    the remittances' auto-posted adjustments and patients' shares on their posting day."""
    self_pay = payers.loc[(payers["type"] == "self-pay").to_numpy(bool), "payer_id"]
    # every part's location as one categorical of the claims' places, coded by the claim's
    # position (no text copied or hashed again): a byte a row
    place_code, places = pd.factorize(claims["location_id"])

    def located(at: np.ndarray) -> pd.Categorical:
        # a claim not in the claims (-1) takes the last code, -1: no place
        return pd.Categorical.from_codes(np.append(place_code, -1)[at], categories=places)

    where = positions(claim_lines["claim_id"], claims["claim_id"])
    info = claims[["payer_id", "location_id", "date_of_service"]].reset_index(drop=True)
    lines = info.reindex(where).reset_index(drop=True)
    entered = claim_lines["entered_date"].reset_index(drop=True) \
        if "entered_date" in claim_lines else pd.Series(pd.NaT, index=lines.index,
                                                        dtype="datetime64[ns]")
    undated = entered.isna()
    ref = claim_lines["claim_id"].astype("str") + "-" + claim_lines["line_no"].astype("str")
    charges = _side_frame(claim_lines["claim_id"], ref, entered.fillna(lines["date_of_service"]),
                          _isin(lines["payer_id"], self_pay), claim_lines["charge_cents"],
                          located(where))
    pp = payments_posted
    payments = _side_frame(pp["claim_id"], pp["reference"], pp["posted_date"],
                           (pp["source"] != "ERA").to_numpy(bool), -pp["amount_cents"],
                           located(positions(pp["claim_id"], claims["claim_id"])),
                           pp["posting_id"])
    clp, notes = _remittance_claims(remittance, payments_posted)
    notes["lines_without_entry_date"] = int(undated.sum())
    clp["location_id"] = located(positions(clp["claim_id"], claims["claim_id"]))
    auto = clp[clp["auto_cents"] != 0]
    adjustments = _side_frame(auto["claim_id"], auto["trace_number"], auto["posted_date"], 0,
                              -auto["auto_cents"], auto["location_id"])
    shared = clp[clp["patient_cents"] != 0]
    transfers = pd.concat([
        _side_frame(shared["claim_id"], shared["trace_number"], shared["posted_date"], side,
                    sign * shared["patient_cents"], shared["location_id"])
        for side, sign in ((0, -1), (1, 1))],
        ignore_index=True)
    parts = {"charge": charges, "payment": payments, "adjustment": adjustments,
             "transfer": transfers}
    return parts, clp, notes


class _SubLedger:
    """The sub-ledger's rows to the close date: their numbers as one frame (:attr:`rows`:
    ``date``, ``resp``, ``cents``, by position, a part after the other from :attr:`starts`) and
    their text (:data:`TEXT`) left in the parts :func:`_subledger` built, read for the rows
    that need it. A million rows' text copied into one frame was 150 MB of the roll-forward's
    peak; most of it is the inputs' own columns, which the parts only point to."""

    TEXT = ("claim_id", "ref", "location_id", "sub_ref")

    def __init__(self, parts: dict[str, pd.DataFrame], close: pd.Timestamp) -> None:
        self.kept = [np.flatnonzero((v["date"] <= close).to_numpy(bool)) for v in parts.values()]
        self.rows = pd.concat([v[["date", "resp", "cents"]].iloc[k]
                               for v, k in zip(parts.values(), self.kept, strict=True)],
                              ignore_index=True)
        self.texts = [v[list(self.TEXT)] for v in parts.values()]
        self.starts = np.cumsum([0] + [len(k) for k in self.kept])

    def codes(self, component: int, journal: pd.Series, rows: np.ndarray, column: str
              ) -> tuple[np.ndarray, np.ndarray]:
        """:func:`_codes` of the journal's ``column`` at positions ``rows`` and of this
        ``column`` of the rows of one component (its part: :attr:`rows` from
        ``starts[component]``, in order): one dictionary over both."""
        got = _codes(_arrow(journal).take(rows), _arrow(self.texts[component][column]))
        return got[0], got[1][self.kept[component]]

    def isin(self, column: str, known: pd.Index) -> np.ndarray:
        """Whether each row's ``column`` is one of ``known``."""
        return np.concatenate([_isin(t[column], known)[k]
                               for t, k in zip(self.texts, self.kept, strict=True)])

    def at(self, positions: np.ndarray) -> pd.DataFrame:
        """The rows at ``positions`` with their text, indexed by position (as ``.loc`` on one
        frame of every column would give them)."""
        positions = np.asarray(positions, dtype=np.int64)
        part = np.searchsorted(self.starts, positions, side="right") - 1
        pieces, order = [self.texts[0].iloc[:0]], [np.array([], dtype=np.int64)]
        for i, text in enumerate(self.texts):
            here = np.flatnonzero(part == i)
            pieces.append(text.iloc[self.kept[i][positions[here] - self.starts[i]]])
            order.append(here)
        texts = pd.concat(pieces, ignore_index=True).iloc[
            np.argsort(np.concatenate(order), kind="stable")].reset_index(drop=True)
        out = pd.concat([self.rows.iloc[positions].reset_index(drop=True), texts], axis=1)
        return out.set_axis(pd.Index(positions), axis=0)


def _writeoffs(journal: pd.DataFrame, denied: pd.Series, sub: _SubLedger
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The billing office's write-offs of denials: the journal's adjustments left unpaired on
    claims a remittance denied, against the balance the sub-ledger leaves with the payer on the
    day of the claim's last write-off (a claim written off in parts is proven by their sum; a
    claim that differs is a break on each of its write-offs, the sub-ledger's amount on the
    last). ``denied``: the ids of the remittances' claims with money denied. Returns the
    sub-ledger's write-off rows, the breaks, and the journal's adjustments that are not
    write-offs of a denial."""
    is_off = _isin(journal["claim_id"], pd.Series(sorted(set(denied.dropna())), dtype="str"))
    offs, rest = journal[is_off], journal[~is_off]
    if offs.empty:
        return sub.rows.iloc[:0], _concat([]), rest
    per_claim = offs.groupby("claim_id", observed=True).agg(last=("date", "max"),
                                                            cents=("cents", "sum"))
    payer_rows = sub.at(np.flatnonzero((sub.rows["resp"].to_numpy() == 0)
                                       & sub.isin("claim_id", per_claim.index)))
    upto = payer_rows.join(per_claim["last"], on="claim_id")
    left_open = upto[upto["date"] <= upto["last"]].groupby("claim_id")["cents"].sum()
    per_claim["sub_cents"] = -left_open.reindex(per_claim.index, fill_value=0)
    proven = offs["claim_id"].map(per_claim["cents"] == per_claim["sub_cents"]).to_numpy(bool)
    # Proven in amount: the sub-ledger writes off on the journal's days (in one go or in parts).
    good, bad = offs[proven], offs[~proven]
    rows = [_side_frame(good["claim_id"], good["ref"], good["date"], 0, good["cents"],
                        good["location_id"])]
    breaks = _concat([])
    if len(bad):
        last_row = bad.sort_values(["date", "transaction_id"]).groupby("claim_id").tail(1)
        open_cents = per_claim.loc[last_row["claim_id"], "sub_cents"].to_numpy()
        rows.append(_side_frame(last_row["claim_id"], last_row["ref"], last_row["date"], 0,
                                open_cents, last_row["location_id"]))
        on_last = bad["transaction_id"].isin(last_row["transaction_id"]).to_numpy()
        s = bad.assign(cents=np.where(on_last, per_claim.loc[bad["claim_id"], "sub_cents"], 0),
                       sub_ref=bad["ref"], resp=0)
        s.loc[~on_last, "date"] = pd.NaT
        breaks = _break_rows("writeoff_differs_from_denial", bad, s)
        breaks.loc[~on_last, "subledger_responsible"] = None
    rows = pd.concat(rows, ignore_index=True)
    return rows, breaks, rest


# --------------------------------------------------------------------------------------------
# The roll-forward


@dataclass(frozen=True)
class ARRollforward:
    """Accounts receivable rolled forward from the journal and proven against the sub-ledger.

    Attributes
    ----------
    daily
        One row per calendar day (remittances post on weekends too) from the first posting to
        the close date and per ``responsible`` (``payer``, ``patient`` and ``total``):
        ``opening_cents``, the :data:`FLOWS` as ``charges_cents`` … ``transfers_cents`` (each
        its effect on A/R, so ``closing = opening + Σ flows``), ``closing_cents``;
        ``subledger_closing_cents`` (the same balance from the sub-ledger),
        ``difference_cents`` (journal − sub-ledger), ``breaks_cents`` (what the breaks posted
        up to that day account for) and ``unexplained_cents`` (``difference − breaks``:
        0 when every difference is named).
    monthly
        The same per month (``month`` as ``YYYY-MM``): the first day's opening, the month's
        flows, the last day's closing and differences.
    breaks
        One row per break (:data:`BREAK_KINDS`): ``kind``, ``claim_id``, ``location_id``,
        ``reference`` (the journal's transaction id, or the sub-ledger's key when the journal
        has no row: claim line, posting id, remittance trace), the journal's side
        (``journal_date``, ``journal_responsible``, ``journal_cents``) and the sub-ledger's
        (``subledger_*``), ``difference_cents`` (journal − sub-ledger, effect on A/R) and
        ``detail``. The journal's side counts on its day and the sub-ledger's on its own.
    findings
        The breaks in the findings frame; ``amount_cents`` is the difference's size, or the
        amount posted on the wrong day or side.
    closing_cents, closing_payer_cents, closing_patient_cents
        A/R at the close date, in total and by whose balance it is.
    claim_balances_cents
        The sum of every claim's balance in the journal at the close, rows with no claim as
        one: the journal's rows not after the close (undated ones included) summed straight, a
        second count of the closing A/R beside the one rolled day by day.
    subledger_closing_cents
        The sub-ledger's A/R at the close.
    holds
        Every day's and month's roll-forward holds to the cent (closing = opening + flows, one
        day's closing is the next day's opening, the close's A/R is the sum of the claims'
        balances) and the breaks account for the difference with the sub-ledger on every day.
    unproven_cents
        What the sub-ledger takes from the journal because no other file records it: refunds,
        and the day of each write-off of a denial (its amount is proven against the balance
        the remittances left with the payer).
    repeated_remittances
        835 payments received again (same trace number), counted once.
    unposted_remittance_claims, unposted_remittance_paid_cents
        Remittance claims with no posting in ``payments_posted`` (left out of the sub-ledger:
        billing reconciliation's business) and what they paid.
    provider_adjustments_cents
        The remittances' provider-level adjustments (PLB: interest, recoveries), which belong to
        no claim's balance and are left out of A/R.
    lines_without_entry_date
        Claim lines without ``entered_date``, counted on their date of service.
    after_close_rows
        Journal rows posted after the close date, left out.
    """

    daily: pd.DataFrame
    monthly: pd.DataFrame
    breaks: pd.DataFrame
    findings: pd.DataFrame
    closing_cents: int
    closing_payer_cents: int
    closing_patient_cents: int
    claim_balances_cents: int
    subledger_closing_cents: int
    holds: bool
    unproven_cents: int
    repeated_remittances: int
    unposted_remittance_claims: int
    unposted_remittance_paid_cents: int
    provider_adjustments_cents: int
    lines_without_entry_date: int
    after_close_rows: int


def _grid(frame: pd.DataFrame, date: str, columns: list[str], days: pd.DatetimeIndex
          ) -> pd.DataFrame:
    """Sum ``columns`` of ``frame`` per day and side (0 payer, 1 patient) on the full grid."""
    at = _slots(frame[date], frame["resp"], days)
    out = np.zeros((2 * len(days), len(columns)), dtype=np.int64)
    for k, column in enumerate(columns):
        np.add.at(out[:, k], at[at >= 0], frame[column].to_numpy(np.int64)[at >= 0])
    return _on_grid(out, columns, days)


def _on_grid(sums: np.ndarray, columns: Sequence[str], days: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame(sums, columns=list(columns), index=pd.MultiIndex.from_product(
        [days, [0, 1]], names=["date", "resp"]))


def _slots(dates: pd.Series, resp: pd.Series, days: pd.DatetimeIndex) -> np.ndarray:
    """Each row's place on the grid of ``days`` by side (``2 × day + side``), by arithmetic
    on the dates (no group-by); -1 where the date is missing or not one of ``days`` or the
    side is neither 0 nor 1."""
    step = 86_400 * 10**9
    ns = dates.to_numpy("datetime64[ns]")
    offset = ns.view(np.int64) - days[0].value
    day = offset // step
    side = resp.to_numpy(np.int64)
    on = (~np.isnat(ns) & (offset % step == 0) & (day >= 0) & (day < len(days))
          & ((side == 0) | (side == 1)))
    return np.where(on, 2 * day + side, -1)


def _flows(jrows: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """The journal's rows summed per day and side (:func:`_grid`) into one column per flow
    (:data:`FLOWS`, by :data:`_KIND_OF_FLOW`; a kind of no flow counts in none)."""
    at = _slots(jrows["date"], jrows["resp"], days)
    codes, kinds = pd.factorize(jrows["kind"])
    flow = np.array([FLOWS.index(_KIND_OF_FLOW[k]) if k in _KIND_OF_FLOW else -1
                     for k in kinds] + [-1], dtype=np.int64)[codes]  # code -1: no kind
    keep = (at >= 0) & (flow >= 0)
    out = np.zeros((2 * len(days), len(FLOWS)), dtype=np.int64)
    np.add.at(out, (at[keep], flow[keep]), jrows["cents"].to_numpy(np.int64)[keep])
    return _on_grid(out, FLOWS, days)


def ar_rollforward(journal: pd.DataFrame, claim_lines: pd.DataFrame, claims: pd.DataFrame,
                   payers: pd.DataFrame, payments_posted: pd.DataFrame, remittance: Any,
                   close_date: Any) -> ARRollforward:
    """Roll A/R forward from the journal per day and month, split payer and patient, and prove
    it against the sub-ledger, naming every break.

    Parameters
    ----------
    journal
        ``pm_transactions``: ``amount_cents`` is each row's effect on A/R.
    claim_lines, claims, payers
        The charges and whose balance they go to (a claim of a ``self-pay`` payer is the
        patient's from the start).
    payments_posted
        The payments as posted (``source`` ERA: the payer's; else the patient's).
    remittance
        The 835s read (:class:`pracops.x12.Remittance`): the auto-posted adjustments
        (:data:`AUTO_POSTED`), the patients' shares (PR), and the denials (the rest), each on
        the day ``payments_posted`` posted its claim's payment (same trace, claim and amount).
    close_date
        The last day rolled; postings after it are left out (counted).

    Returns
    -------
    ARRollforward

    Notes
    -----
    The journal is taken to start from nothing owed (a complete export): the opening A/R of
    its first day is 0. Rows of the two sides are paired one to one in stages (exactly; the
    same amount on another day or side; another amount on the same remittance, payment or
    claim line); whatever stays unpaired is a break of its own. The write-off of a denial has
    no record outside the journal: the claim's write-offs are proven when they add up to what
    the remittances left owed by the payer on the claim on the day of its last write-off, and
    the sub-ledger then takes them on the journal's days (proven in amount, not in date).
    """
    close = pd.Timestamp(close_date)
    after = journal["posted_date"] > close
    j = journal[~after] if after.any() else journal
    jrows = pd.DataFrame({
        "transaction_id": j["transaction_id"].array, "claim_id": j["claim_id"].array,
        "ref": j["reference"].array, "date": j["posted_date"].array,
        "resp": (j["responsible"] == "patient").to_numpy(np.int8),
        "cents": j["amount_cents"].to_numpy(np.int64), "location_id": j["location_id"].array,
        "kind": j["kind"].array}, copy=False)  # the journal's own columns, not copies
    parts, clp, notes = _subledger(claim_lines, claims, payers, payments_posted, remittance)
    components = list(parts)
    sub = _SubLedger(parts, close)
    del parts  # the rows live on in sub only
    subrows = sub.rows
    # of the remittances' claims, only the denied ones' ids are read again (_writeoffs)
    denied = clp.loc[(clp["posted_date"] <= close) & (clp["denied_cents"] != 0), "claim_id"]
    del clp
    first = np.datetime64(min([d.min() for d in (jrows["date"], subrows["date"]) if len(d)]
                              or [close]), "D")
    jkind = pd.Index(components).get_indexer(jrows["kind"]).astype(np.int8)  # -1: a refund

    breaks, sub_rows = [], [subrows]
    for i, component in enumerate(components):
        # keys a component at a time: the keys of one kind of row alive at once
        jkeys, skeys = _component_keys(jrows, np.flatnonzero(jkind == i), sub, i, first)
        found, j_left, s_left = _breaks_of(component, jkeys, skeys, jrows, sub)
        del jkeys, skeys
        left = jrows.loc[j_left]
        if component == "adjustment":
            off_rows, off_breaks, left = _writeoffs(left, denied, sub)
            sub_rows.append(off_rows)
            breaks.append(off_breaks)
        *_, j_only, s_only = _STAGE_KINDS[component]
        breaks += [found, _break_rows(j_only, left, None) if len(left) else _concat([]),
                   _break_rows(s_only, None, sub.at(s_left)) if len(s_left)
                   else _concat([])]
    refunds = jrows[jrows["kind"] == "refund"]
    sub_rows.append(refunds)  # no other file records a refund: taken from the journal
    subledger = pd.concat([s[["date", "resp", "cents"]] for s in sub_rows], ignore_index=True)
    del sub_rows, subrows, sub  # what is left of them is in subledger
    found = _concat(breaks)

    first = min([d.min() for d in (jrows["date"], subledger["date"]) if len(d)] or [close])
    days = pd.date_range(first, close, freq="D", name="date")
    daily = _flows(jrows, days)
    daily.columns = [f"{c}_cents" for c in FLOWS]
    daily["sub_change"] = _grid(subledger, "date", ["cents"], days)["cents"]
    j_side = found[found["journal_date"].notna()].assign(
        resp=lambda f: (f["journal_responsible"] == "patient").astype(np.int8))
    s_side = found[found["subledger_date"].notna()].assign(
        resp=lambda f: (f["subledger_responsible"] == "patient").astype(np.int8))
    daily["break_change"] = (
        _grid(j_side, "journal_date", ["journal_cents"], days)["journal_cents"]
        - _grid(s_side, "subledger_date", ["subledger_cents"], days)["subledger_cents"])
    daily = _with_total(daily.reset_index())
    daily, monthly = _roll(daily)

    closing = daily[daily["date"] == close].set_index("responsible")
    balances = int(jrows["cents"].sum())  # Σ of the claims' balances: no group-by needed
    holds = bool(
        (daily["closing_cents"] == daily["opening_cents"]
         + daily[[f"{c}_cents" for c in FLOWS]].sum(axis=1)).all()
        and (monthly["closing_cents"] == monthly["opening_cents"]
             + monthly[[f"{c}_cents" for c in FLOWS]].sum(axis=1)).all()
        and (daily["unexplained_cents"] == 0).all()
        and (monthly["unexplained_cents"] == 0).all()
        and int(closing.loc["total", "closing_cents"]) == balances)
    found = found.assign(detail=_break_detail(found))[list(_BREAK_COLUMNS)]
    moved = found["kind"].str.endswith(("_wrong_day", "_wrong_responsibility"))
    findings = findings_frame(pd.DataFrame({
        "kind": found["kind"],
        "date": found["journal_date"].fillna(found["subledger_date"]),
        "location_id": found["location_id"], "reference": found["reference"],
        "amount_cents": np.where(moved, found["journal_cents"].abs(),
                                 found["difference_cents"].abs()),
        "detail": found["detail"]}))
    return ARRollforward(
        daily=daily, monthly=monthly, breaks=found, findings=findings,
        closing_cents=int(closing.loc["total", "closing_cents"]),
        closing_payer_cents=int(closing.loc["payer", "closing_cents"]),
        closing_patient_cents=int(closing.loc["patient", "closing_cents"]),
        claim_balances_cents=balances,
        subledger_closing_cents=int(closing.loc["total", "subledger_closing_cents"]),
        holds=holds,
        unproven_cents=int(refunds["cents"].abs().sum()),
        after_close_rows=int(after.sum()), **notes)


def _with_total(daily: pd.DataFrame) -> pd.DataFrame:
    """Name the sides and add the total of both per day."""
    total = daily.drop(columns="resp").groupby("date", as_index=False).sum()
    daily = pd.concat([daily.assign(responsible=_RESP[daily["resp"]]),
                       total.assign(responsible="total")], ignore_index=True)
    order = {"payer": 0, "patient": 1, "total": 2}
    return daily.drop(columns="resp").sort_values(
        ["date", "responsible"], key=lambda s: s.map(order) if s.name == "responsible" else s,
        ignore_index=True)


def _roll(daily: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Openings and closings by running sums per side, and the month's roll-forward."""
    flow_cols = [f"{c}_cents" for c in FLOWS]
    by = daily.groupby("responsible", sort=False)
    change = daily[flow_cols].sum(axis=1)
    daily["closing_cents"] = change.groupby(daily["responsible"]).cumsum()
    daily["opening_cents"] = daily["closing_cents"] - change
    daily["subledger_closing_cents"] = by["sub_change"].cumsum()
    daily["difference_cents"] = daily["closing_cents"] - daily["subledger_closing_cents"]
    daily["breaks_cents"] = by["break_change"].cumsum()
    daily["unexplained_cents"] = daily["difference_cents"] - daily["breaks_cents"]
    daily = daily[["date", "responsible", "opening_cents", *flow_cols, "closing_cents",
                   "subledger_closing_cents", "difference_cents", "breaks_cents",
                   "unexplained_cents"]].astype({c: np.int64 for c in daily.columns
                                                 if c.endswith("_cents")})
    monthly = daily.assign(month=daily["date"].dt.strftime("%Y-%m")).groupby(
        ["month", "responsible"], sort=False).agg(
        opening_cents=("opening_cents", "first"),
        **{c: (c, "sum") for c in flow_cols},
        closing_cents=("closing_cents", "last"),
        subledger_closing_cents=("subledger_closing_cents", "last"),
        difference_cents=("difference_cents", "last"),
        breaks_cents=("breaks_cents", "last"),
        unexplained_cents=("unexplained_cents", "last")).reset_index()
    return daily.reset_index(drop=True), monthly


def _break_detail(found: pd.DataFrame) -> pd.Series:
    """One sentence per break: what it is, the two sides and what it does to A/R."""
    if found.empty:
        return pd.Series([], dtype="string")
    what = found["kind"].map(BREAK_KINDS).astype("string")
    what = what.str.slice(0, 1).str.upper() + what.str.slice(1)
    claim = " on claim " + _text(found["claim_id"])
    ref = _text(found["source_ref"])
    j = pd.Series(np.where(found["journal_date"].notna(),
                           "; the journal has " + _money(found["journal_cents"]) + " on "
                           + _day(found["journal_date"]).fillna(""),
                           "; the journal has nothing"), index=found.index)
    s = pd.Series(np.where(found["subledger_date"].notna(),
                           ", the sub-ledger " + _money(found["subledger_cents"]) + " on "
                           + _day(found["subledger_date"]).fillna(""),
                           ", the sub-ledger nothing"), index=found.index)
    diff = found["difference_cents"]
    effect = pd.Series(np.where(diff > 0, " (A/R overstated by " + _money(diff.abs()) + ")",
                                np.where(diff < 0, " (A/R understated by "
                                         + _money(diff.abs()) + ")", "")), index=found.index)
    return (what + claim + np.where(ref != "", " (" + ref + ")", "") + j + s + effect
            + ".").astype("string")


# --------------------------------------------------------------------------------------------
# Charge capture


@dataclass(frozen=True)
class ChargeCapture:
    """Charges entered for every visit, once, and how fast.

    Attributes
    ----------
    findings
        ``missed_charge`` (reference the appointment id, amount the expected charge, date the
        visit), ``charge_without_visit`` (the claim id, its charges, its date of service) and
        ``duplicate_charge`` (the claim id, the charge entered again, the day it was).
    missed
        The completed visits not charged after ``missed_charge_days`` business days:
        ``appointment_id``, ``date``, ``location_id``, ``provider_id``, ``visit_type``,
        ``business_days`` since the visit, ``expected_cents`` and ``expected_basis``
        (``visit type``, ``provider`` or ``all visits``: whose median charge it is).
    awaiting_charge
        Completed visits not charged yet but still within ``missed_charge_days``.
    duplicates
        One row per claim and procedure entered more than once: ``claim_id``, ``cpt``,
        ``modifiers``, ``line_nos`` (``;``-joined), ``entered_date`` of the repeat,
        ``duplicate_cents``.
    lag_by_provider, lag_by_location
        Per ``provider_id`` (the rendering NPI where providers does not list it) or
        ``location_id``: ``lines``, ``median_days``, ``p90_days`` and ``within_target_share``
        (lines entered within ``charge_lag_target_days`` business days of the visit).
    lag_median_days, lag_p90_days, within_target_share
        The same over every line.
    lines_without_entry_date
        Claim lines without ``entered_date``: no lag measured for them.
    """

    findings: pd.DataFrame
    missed: pd.DataFrame
    awaiting_charge: int
    duplicates: pd.DataFrame
    lag_by_provider: pd.DataFrame
    lag_by_location: pd.DataFrame
    lag_median_days: float
    lag_p90_days: float
    within_target_share: float
    lines_without_entry_date: int


def _lower_median(values: pd.Series, keys: Any) -> pd.Series:
    """The lower median per key, in whole cents (no half cent)."""
    return values.groupby(keys, observed=True).quantile(0.5, interpolation="lower").astype(
        np.int64)


def _lag_table(lines: pd.DataFrame, key: str, target: int) -> pd.DataFrame:
    """Lines, median and 90th percentile of ``lag_days`` and the share within ``target`` per
    value of ``key`` (sorted; a missing key left out), grouped by the key's integer codes:
    a group-by of a million lines' text per figure was the charge capture's peak."""
    codes, names = pd.factorize(lines[key], sort=True)
    keep = codes >= 0
    codes = codes[keep]
    lag = pd.Series(lines["lag_days"].to_numpy()[keep])
    grouped = lag.groupby(codes)
    table = pd.DataFrame({
        "lines": grouped.size(), "median_days": grouped.median(),
        "p90_days": grouped.quantile(0.9),
        "within_target_share": lag.le(target).groupby(codes).mean()})
    table.index = names.take(table.index).rename(key)
    return table.reset_index().astype({"lines": np.int64, "median_days": float,
                                       "p90_days": float, "within_target_share": float})


def charge_capture(appointments: pd.DataFrame, claims: pd.DataFrame,
                   claim_lines: pd.DataFrame, close_date: Any, *, missed_charge_days: int,
                   charge_lag_target_days: int, providers: pd.DataFrame | None = None
                   ) -> ChargeCapture:
    """Completed visits never charged, charges with no completed visit, duplicate charges and
    the charge lag, as of the close date.

    Parameters
    ----------
    appointments
        The schedule: a visit is one with ``status`` completed on or before the close date.
    claims, claim_lines
        The charges: a visit is charged when a claim for its ``appointment_id`` has a line
        entered on or before the close date (a line without ``entered_date`` counts as
        entered). A claim id stands on one row of ``claims`` (the dataset's key, which the
        loader holds to): a line counts for the first row of its claim id.
    close_date
        The day of the close.
    missed_charge_days
        A completed visit with no charge once this many business days have passed since it
        (:func:`businessdays.between` from the visit to the close date: a Friday visit is 3
        days old at Wednesday's close) is missed, as the parameter's help says ("no charge
        after this many business days"); a younger one is awaiting its charge (counted).
    charge_lag_target_days
        Business days from the date of service to the line's entry that the practice aims for.
    providers
        To name the rendering NPIs by provider id; without it the NPI is the key.

    Notes
    -----
    The **expected charge** of a missed visit is the practice's usual charge for such a visit:
    the median of its charged completed visits' claim totals of the same visit type (the
    lower median, a real claim's amount, in whole cents), else of the same provider's, else
    of every visit's. The payers' fee schedule is what they allow, not what the practice
    charges, so it is not used. A **duplicate charge** is a procedure (CPT and modifiers)
    entered twice or more on one claim (one claim, one date of service); units are not part
    of the key, since the same procedure again on a claim is billed as more units on one line
    (a repeat on purpose carries a modifier such as 76 or 59). The amount at stake is what the
    repeated lines charge.
    """
    close = pd.Timestamp(close_date)
    done = appointments[(appointments["status"] == "completed")
                        & (appointments["date"] <= close)]
    entered = claim_lines["entered_date"] if "entered_date" in claim_lines else \
        pd.Series(pd.NaT, index=claim_lines.index, dtype="datetime64[ns]")
    kept = (entered.isna() | (entered <= close)).to_numpy(bool)
    lines = claim_lines.assign(entered_date=entered) if kept.all() else \
        claim_lines[kept].assign(entered_date=entered[kept])  # no copy of them all
    # each line's claim, by its position among the claims (-1: none), looked up once: the
    # claims' totals, which are charged and the lag's dates follow from it
    at = positions(lines["claim_id"], claims["claim_id"])
    known = at >= 0
    claim_cents = np.zeros(len(claims), dtype=np.int64)
    np.add.at(claim_cents, at[known], lines["charge_cents"].to_numpy(np.int64)[known])
    is_charged = np.bincount(at[known], minlength=len(claims)) > 0
    charged_at = np.flatnonzero(is_charged)
    charged = claims if is_charged.all() else claims[is_charged]  # no copy of every claim

    # Completed visits with no charge
    open_visits = done[~_isin(done["appointment_id"], charged["appointment_id"])]
    age = businessdays.between(open_visits["date"], np.full(len(open_visits), close))
    late = age >= missed_charge_days
    missed = open_visits[late].assign(business_days=age[late])
    visit = positions(charged["appointment_id"], done["appointment_id"])
    history = done[["visit_type", "provider_id"]].iloc[visit[visit >= 0]].reset_index(drop=True)
    history["cents"] = claim_cents[charged_at[visit >= 0]]
    by_type = _lower_median(history["cents"], history["visit_type"])
    by_provider = _lower_median(history["cents"], history["provider_id"])
    overall = int(history["cents"].quantile(0.5, interpolation="lower")) if len(history) else 0
    from_type = missed["visit_type"].map(by_type)
    from_provider = missed["provider_id"].map(by_provider)
    missed = missed.assign(
        expected_cents=from_type.fillna(from_provider).fillna(overall).astype(np.int64),
        expected_basis=np.where(from_type.notna(), "visit type",
                                np.where(from_provider.notna(), "provider", "all visits")))
    missed = missed[["appointment_id", "date", "location_id", "provider_id", "visit_type",
                     "business_days", "expected_cents", "expected_basis"]].reset_index(
        drop=True)

    # Charges with no completed visit
    orphan = charged[visit < 0]
    orphan_cents = pd.Series(claim_cents[charged_at[visit < 0]], index=orphan.index)

    # The same procedure entered twice on a claim
    key = ["claim_id", "cpt", "modifiers"]
    keyed = lines.assign(modifiers=lines["modifiers"].fillna("")) \
        if "modifiers" in lines else lines.assign(modifiers="")
    # lines whose key (none of it missing) stands on another line too: one integer code of
    # the key, not a group-by of a million lines' text
    code = _key_code(keyed, keyed.iloc[:0], key)
    same = pd.Series(code).duplicated(keep=False).to_numpy() \
        & keyed[key].notna().all(axis=1).to_numpy()
    twice = keyed[same].sort_values(["claim_id", "entered_date", "line_no"])
    repeat = twice.groupby(key, sort=False).cumcount() > 0
    duplicates = twice.groupby(key, sort=False).agg(
        line_nos=("line_no", lambda s: ";".join(map(str, sorted(s)))),
        entered_date=("entered_date", "first")).reset_index()
    extra = twice[repeat].groupby(key, sort=False).agg(
        duplicate_cents=("charge_cents", "sum"), repeat_date=("entered_date", "first"))
    duplicates = duplicates.drop(columns="entered_date").join(extra, on=key).rename(
        columns={"repeat_date": "entered_date"})
    duplicates["location_id"] = _lookup(duplicates["claim_id"], claims["claim_id"],
                                        claims["location_id"])

    # Charge lag
    # the entered lines' claims' columns the lag tables read (not a copy of the lines)
    # (a line of a claim the claims do not list, which the run's check refuses, has no date
    # of service to measure from)
    was_entered = lines["entered_date"].notna().to_numpy() & known
    info = claims[["date_of_service", "rendering_npi", "location_id"]].reset_index(drop=True)
    measured = info.reindex(at[was_entered]).reset_index(drop=True)
    measured["lag_days"] = businessdays.between(measured["date_of_service"],
                                                lines["entered_date"][was_entered])
    npi = measured["rendering_npi"]
    measured["provider_id"] = npi if providers is None else _lookup(
        npi, providers["npi"], providers["provider_id"]).fillna(npi)
    lag = measured["lag_days"]

    findings = findings_frame(pd.concat([
        pd.DataFrame({
            "kind": "missed_charge", "date": missed["date"],
            "location_id": missed["location_id"], "reference": missed["appointment_id"],
            "amount_cents": missed["expected_cents"],
            "detail": "Visit " + missed["appointment_id"].astype("string") + " ("
            + missed["visit_type"].astype("string") + ") of " + _day(missed["date"])
            + " was completed but not charged after " + missed["business_days"].astype(
                "string") + " business days; usual charge " + _money(missed["expected_cents"])
            + "."}),
        pd.DataFrame({
            "kind": "charge_without_visit", "date": orphan["date_of_service"],
            "location_id": orphan["location_id"], "reference": orphan["claim_id"],
            "amount_cents": orphan_cents,
            "detail": "Claim " + orphan["claim_id"].astype("string") + " of "
            + _day(orphan["date_of_service"]) + " charges " + _money(orphan_cents)
            + " but has no completed visit behind it."}),
        pd.DataFrame({
            "kind": "duplicate_charge", "date": duplicates["entered_date"],
            "location_id": duplicates["location_id"], "reference": duplicates["claim_id"],
            "amount_cents": duplicates["duplicate_cents"],
            "detail": "Claim " + duplicates["claim_id"].astype("string") + ": procedure "
            + duplicates["cpt"].astype("string") + " entered more than once (lines "
            + duplicates["line_nos"].astype("string").str.replace(";", ", ") + "), "
            + _money(duplicates["duplicate_cents"]) + " charged again on "
            + _day(duplicates["entered_date"]) + "."}),
    ], ignore_index=True))
    return ChargeCapture(
        findings=findings, missed=missed,
        awaiting_charge=int((~late).sum()),
        duplicates=duplicates[["claim_id", "cpt", "modifiers", "line_nos", "entered_date",
                               "duplicate_cents"]],
        lag_by_provider=_lag_table(measured, "provider_id", charge_lag_target_days),
        lag_by_location=_lag_table(measured, "location_id", charge_lag_target_days),
        lag_median_days=float(lag.median()) if len(lag) else float("nan"),
        lag_p90_days=float(lag.quantile(0.9)) if len(lag) else float("nan"),
        within_target_share=float(lag.le(charge_lag_target_days).mean()) if len(lag)
        else float("nan"),
        lines_without_entry_date=int(entered.isna().sum()))


# --------------------------------------------------------------------------------------------
# Timely filing


@dataclass(frozen=True)
class TimelyFiling:
    """Open claims near or past their payer's timely-filing limit.

    Attributes
    ----------
    findings
        ``filing_limit_near`` (0 to ``filing_warning_days`` days left) and
        ``filing_limit_past`` (the limit passed: the write-off risk): reference the claim id,
        amount the payer's open balance, date the filing deadline.
    worklist
        The same claims, soonest deadline first: ``claim_id``, ``payer_id``, ``location_id``,
        ``date_of_service``, ``state`` (``unbilled``, ``denied`` — answered by the payer and
        still owed by it — or ``filed late``), ``timely_filing_days``, ``deadline``,
        ``days_left`` (negative when past), ``open_cents``, ``kind``.
    near_count, near_cents, past_count, past_cents
        How many claims, and how much, near and past the limit.
    open_claims
        Claims the payer still owes on at the close (balance > 0 in the journal).
    awaiting_answer
        Of them, claims filed in time and not answered yet (no filing risk: billing
        reconciliation follows them up).
    no_limit_claims, no_limit_cents
        Open claims at risk whose payer has no limit in ``payers`` (never guessed: counted).
    payers_without_limit
        The payers listed without a ``timely_filing_days``.
    """

    findings: pd.DataFrame
    worklist: pd.DataFrame
    near_count: int
    near_cents: int
    past_count: int
    past_cents: int
    open_claims: int
    awaiting_answer: int
    no_limit_claims: int
    no_limit_cents: int
    payers_without_limit: tuple[str, ...]


def timely_filing(claims: pd.DataFrame, payers: pd.DataFrame, journal: pd.DataFrame,
                  remittance: Any, close_date: Any, *, filing_warning_days: int
                  ) -> TimelyFiling:
    """Open claims within ``filing_warning_days`` of their payer's filing limit, and those past.

    Parameters
    ----------
    claims
        ``date_of_service`` starts the clock; ``submitted_date`` empty or after the close date:
        not billed yet.
    payers
        ``timely_filing_days``: the payer's limit in calendar days from the date of service.
    journal
        ``pm_transactions``: a claim's open balance is what the payer owes on it at the close
        (its rows with ``responsible`` payer, to the close date).
    remittance
        The 835s read: a claim in one dated on or before the close was answered by its payer.
    close_date
        The day days are counted to: ``days_left = date of service + limit − close date``.
    filing_warning_days
        List open claims with this many days left or fewer.

    Notes
    -----
    A claim is at risk when the payer still owes on it and either it was never billed, or the
    payer answered without paying it in full (a denial to correct and file again within the
    limit), or it was filed after the limit. A claim filed in time and not answered is not at
    filing risk (the payer has it; billing follows up on it) and is counted apart.
    """
    close = pd.Timestamp(close_date)
    # what the payers owe on each claim, summed at the claim's first row in the claims (by
    # position: no group-by on the journal's text); a repeated claim id shares it
    at = positions(journal["claim_id"], claims["claim_id"])
    at[~((journal["posted_date"] <= close) & (journal["responsible"] == "payer")).to_numpy(
        bool)] = -1
    owed = np.zeros(len(claims) + 1, dtype=np.int64)  # the last: rows of no listed claim
    np.add.at(owed, at, journal["amount_cents"].to_numpy(np.int64))
    first = positions(claims["claim_id"], claims["claim_id"])
    owed = owed[first]  # a claim without an id (-1) takes the rows of no listed claim: none
    owed[first < 0] = 0
    open_claims = claims[owed > 0].copy()
    open_claims["open_cents"] = owed[owed > 0]
    pays = remittance.payments[["payment_seq", "payment_date"]]
    dated = pays[pays["payment_date"].isna() | (pays["payment_date"] <= close)]
    answered = remittance.claims.loc[
        remittance.claims["payment_seq"].isin(dated["payment_seq"]), "claim_id"]
    limits = payers.set_index("payer_id")["timely_filing_days"]
    days = open_claims["payer_id"].map(limits)
    deadline = open_claims["date_of_service"] + pd.to_timedelta(days.astype("Float64").astype(
        float), unit="D")
    unbilled = open_claims["submitted_date"].isna() | (open_claims["submitted_date"] > close)
    is_answered = _isin(open_claims["claim_id"], answered)
    late = ~unbilled & (open_claims["submitted_date"] > deadline)
    at_risk = unbilled | is_answered | late
    no_limit = at_risk & days.isna()
    state = np.where(unbilled, "unbilled", np.where(is_answered, "denied", "filed late"))
    left = (deadline - close).dt.days
    worklist = open_claims.assign(state=state, timely_filing_days=days, deadline=deadline,
                                  days_left=left)
    near = at_risk & days.notna() & (left >= 0) & (left <= filing_warning_days)
    past = at_risk & days.notna() & (left < 0)
    worklist = worklist[near | past].assign(
        kind=np.where(left[near | past] < 0, "filing_limit_past", "filing_limit_near"))
    worklist = worklist[["claim_id", "payer_id", "location_id", "date_of_service", "state",
                         "timely_filing_days", "deadline", "days_left", "open_cents",
                         "kind"]].astype({"days_left": np.int64, "timely_filing_days": np.int64}
                                         ).sort_values(["days_left", "claim_id"],
                                                       ignore_index=True)
    shown = worklist["days_left"].abs().astype("string") + np.where(
        worklist["days_left"] < 0, " days past", " days left")
    findings = findings_frame(pd.DataFrame({
        "kind": worklist["kind"], "date": worklist["deadline"],
        "location_id": worklist["location_id"], "reference": worklist["claim_id"],
        "amount_cents": worklist["open_cents"],
        "detail": "Claim " + worklist["claim_id"].astype("string") + " ("
        + worklist["payer_id"].astype("string") + ", " + worklist["state"] + ", seen "
        + _day(worklist["date_of_service"]) + "): " + shown + " of its payer's "
        + worklist["timely_filing_days"].astype("string") + "-day filing limit ("
        + _day(worklist["deadline"]) + "), " + _money(worklist["open_cents"])
        + " at stake."}))
    is_near = worklist["kind"] == "filing_limit_near"
    return TimelyFiling(
        findings=findings, worklist=worklist,
        near_count=int(is_near.sum()),
        near_cents=int(worklist.loc[is_near, "open_cents"].sum()),
        past_count=int((~is_near).sum()),
        past_cents=int(worklist.loc[~is_near, "open_cents"].sum()),
        open_claims=len(open_claims),
        awaiting_answer=int((~at_risk).sum()),
        no_limit_claims=int(no_limit.sum()),
        no_limit_cents=int(open_claims.loc[no_limit, "open_cents"].sum()),
        payers_without_limit=tuple(sorted(payers.loc[payers["timely_filing_days"].isna(),
                                                     "payer_id"].astype(str))))
