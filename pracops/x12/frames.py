"""The frames of a run of files (:func:`build_frames`): the rows of element text become
typed columns, the detail segments are placed on their claims and lines, and a file with a
value that is not a number or a transaction that does not balance is taken out (strict: the
first bad value raises).

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

import numpy as np
import pandas as pd
import pyarrow as pa

from pracops.errors import X12Error
from pracops.x12.balance import unbalanced_files
from pracops.x12.codes import claim_status_meaning
from pracops.x12.convert import Converter, build_frame, cents_or_none, rows_to_columns
from pracops.x12.details import (
    CLAIM_DATES,
    LINE_DATES,
    Recorded,
    adjustment_columns,
    date_columns,
    line_detail_columns,
    name_columns,
    remark_codes,
    supplemental_columns,
)
from pracops.x12.rows import (
    CLAIM_INTS,
    CLAIM_ROW,
    LINE_INTS,
    LINE_ROW,
    PLB_ROW,
    Columns,
    as_columns,
)
from pracops.x12.run import Run
from pracops.x12.schema import (
    ADJUSTMENT_COLUMNS,
    CLAIM_COLUMNS,
    KEY_COLUMNS,
    LINE_COLUMNS,
    NULLABLE_INT,
    OWNER_KEY,
    PAYMENT_COLUMNS,
    PLB_COLUMNS,
    SUPPLEMENTAL_COLUMNS,
    Sequences,
)

# A file of the run to quarantine: (its place among the files met, why, Σ BPR02 or None).
Quarantined = tuple[int, X12Error, int | None]


class _Where:
    """Which file of the run each row of a kind comes from, and the positions of segment
    numbers (see :class:`~pracops.x12.run.Run`)."""

    def __init__(self, run: Run) -> None:
        self.offsets = np.array(run.offsets, dtype=np.int64)
        # the file index of each row, from the row count after each file
        self.owners = {key: np.repeat(np.arange(len(ends), dtype=np.int64),
                                      np.diff(np.array([0, *ends], dtype=np.int64)))
                       for key, ends in run.ends.items()}

    def positions(self, numbers: Sequence[int], key: str) -> np.ndarray:
        return np.asarray(numbers, dtype=np.int64) + self.offsets[self.owners[key]]


def build_frames(run: Run, *, strict: bool) -> tuple[dict[str, pd.DataFrame], list[Quarantined]]:
    """The frames of the run, amounts converted, and the files to quarantine.

    A bad value or an unbalanced transaction quarantines its file: its rows are left out and
    the keys renumbered. Warnings found on the way go to the run's warnings.

    Raises
    ------
    X12Error
        With ``strict``: at the first bad value of the run, in file order.
    """
    conv = Converter(run)
    where = _Where(run)
    pay, paid_texts = _payment_columns(run, conv, where)
    clm, claim_at = _claim_columns(run, conv, where)
    lin, line_at = _line_columns(run, conv, where)
    adj, sup = _detail_columns(run, conv, clm, lin, claim_at, line_at)
    plb = rows_to_columns(PLB_ROW, run.plb)
    plb["amount_cents"] = conv.cents(plb["amount_cents"],
                                     where.positions(plb["segment_number"], "plb"), "PLB amount")
    bad = conv.errors()
    if strict and bad:
        raise bad[min(bad)]
    frames = _frames(run, where, pay, clm, lin, adj, sup, plb)
    del pay, clm, lin, adj, sup, plb
    if strict:
        return frames, []
    payment_files = where.owners["payments"]
    bad.update(unbalanced_files(frames, payment_files, bad, run.names))
    if not bad:
        return frames, []
    quarantined = []
    for file, exc in sorted(bad.items()):
        mine = payment_files == file
        texts = [t for t, m in zip(paid_texts, mine, strict=True) if m]
        quarantined.append((run.orders[file], exc, cents_or_none(texts)))
    dropped = np.zeros(len(run.names), dtype=bool)
    dropped[list(bad)] = True
    return _without(frames, {key: dropped[where.owners[key]] for key in ("payments", "claims",
                                                                        "lines")},
                    run.start), quarantined


def _payment_columns(run: Run, conv: Converter, where: _Where) -> tuple[Columns, Sequence[str]]:
    """The columns of the payments, and their BPR02 text."""
    pay = rows_to_columns(list(PAYMENT_COLUMNS) + ["bpr_segment"],
                          [itemgetter(*PAYMENT_COLUMNS, "bpr_segment")(p) for p in run.payments])
    paid_texts = pay["total_paid_cents"]
    pay["total_paid_cents"] = conv.cents(
        paid_texts, where.positions(pay["bpr_segment"], "payments"), "BPR02")
    pay["claim_count"] = np.zeros(len(run.payments), dtype=np.int64)
    return pay, paid_texts


def _claim_columns(run: Run, conv: Converter, where: _Where) -> tuple[Columns, np.ndarray]:
    """The columns of the CLP rows, and the positions of the CLP segments."""
    # the files' columns are put together and freed at once (the flush starts a new run)
    clm = _together(run.claims, CLAIM_ROW, CLAIM_INTS)
    run.claims = []
    claim_at = where.positions(clm["segment_number"], "claims")
    for column, element in (("charge_cents", "CLP03"), ("paid_cents", "CLP04"),
                            ("patient_resp_cents", "CLP05")):
        clm[column] = conv.cents(clm[column], claim_at, element)
    status = clm["status"].dictionary_encode()
    meanings = pa.array([claim_status_meaning(code) for code in status.dictionary.to_pylist()],
                        type=pa.string())
    clm["status_meaning"] = meanings.take(status.indices)
    return clm, claim_at


def _line_columns(run: Run, conv: Converter, where: _Where) -> tuple[Columns, np.ndarray]:
    """The columns of the SVC rows, and the positions of the SVC segments."""
    lin = _together(run.lines, LINE_ROW, LINE_INTS)
    run.lines = []
    line_at = where.positions(lin["segment_number"], "lines")
    lin["charge_cents"] = conv.cents(lin["charge_cents"], line_at, "SVC02")
    lin["paid_cents"] = conv.cents(lin["paid_cents"], line_at, "SVC03")
    units = conv.numbers(lin["units"], line_at, "SVC05")
    lin["units"] = np.where(np.isnan(units), 1.0, units)
    return lin, line_at


def _detail_columns(run: Run, conv: Converter, clm: Columns, lin: Columns,
                    claim_at: np.ndarray, line_at: np.ndarray) -> tuple[Columns, Columns]:
    """Fill the claims' and lines' columns from their detail segments; return the columns
    of the adjustments and of the supplemental amounts. Each kind of detail segment is taken
    out of the run when it is needed and freed once placed (DTM, NM1 and REF before the many
    CAS are)."""
    def take(tag: str) -> Recorded:
        at, lists = run.detail_at.pop(tag), run.detail_elements.pop(tag)
        numbers = at[0] if len(at) == 1 else np.concatenate([np.zeros(0, dtype=np.int64), *at])
        return Recorded(numbers, _concat_lists(lists), claim_at, line_at)

    n_claims, n_lines = len(clm["claim_seq"]), len(lin["line_seq"])
    dates = date_columns(take("DTM"), run, n_claims, n_lines)
    clm.update({column: dates[column] for column in CLAIM_DATES.values()})
    lin.update({column: dates[column] for column in LINE_DATES.values()})
    del dates
    clm.update(name_columns(take("NM1"), n_claims))
    adjudication = {tag: take(tag) for tag in ("MIA", "MOA")}
    clm["remark_codes"] = remark_codes(adjudication, n_claims)
    amt = take("AMT")
    lin.update(line_detail_columns(take("REF"), amt, run, conv, n_lines))
    line_numbers = np.asarray(lin["line_number"], dtype=np.int64)
    adj = adjustment_columns(take("CAS"), run, conv, line_numbers)
    sup = supplemental_columns({**adjudication, "AMT": amt}, run, conv, line_numbers)
    return adj, sup


def _frames(run: Run, where: _Where, pay: Columns, clm: Columns, lin: Columns, adj: Columns,
            sup: Columns, plb: Columns) -> dict[str, pd.DataFrame]:
    """The six frames of the run, from their columns; every row gets its file, and the lines,
    adjustments and supplemental amounts their claim's ``st_control`` and ``claim_id``."""
    names = pa.array(run.names, type=pa.large_string())  # as the string dtype holds text
    owners, first_claim = where.owners, run.start.claims + 1
    claim_files = names.take(owners["claims"])
    claims = build_frame(CLAIM_COLUMNS, clm, claim_files)
    for columns in (lin, adj, sup):  # the claim's st_control and claim_id, by position
        position = np.asarray(columns["claim_seq"], dtype=np.int64) - first_claim
        for column in ("st_control", "claim_id"):
            columns[column] = claims[column].array.take(position)
    return {
        "payments": build_frame(PAYMENT_COLUMNS, pay, names.take(owners["payments"])),
        "claims": claims,
        "service_lines": build_frame(LINE_COLUMNS, lin, names.take(owners["lines"])),
        "adjustments": build_frame(ADJUSTMENT_COLUMNS, adj,
                                   claim_files.take(adj["claim_seq"] - first_claim)),
        "provider_adjustments": build_frame(PLB_COLUMNS, plb, names.take(owners["plb"])),
        "supplemental_amounts": build_frame(SUPPLEMENTAL_COLUMNS, sup,
                                            claim_files.take(sup["claim_seq"] - first_claim)),
    }


def _together(parts: list[Columns], names: Sequence[str], ints: frozenset[str]) -> Columns:
    """The columns of the files of a run, one after the other."""
    if len(parts) == 1:
        return dict(parts[0])
    if not parts:
        return as_columns(names, ints, [])
    return {name: np.concatenate([part[name] for part in parts]) if name in ints
            else pa.concat_arrays([part[name] for part in parts]) for name in names}


def _concat_lists(chunks: list[pa.ListArray]) -> pa.ListArray:
    if not chunks:
        return pa.array([], type=pa.list_(pa.string()))
    return chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)


def _without(frames: dict[str, pd.DataFrame], dropped: dict[str, np.ndarray],
             start: Sequences) -> dict[str, pd.DataFrame]:
    """The frames of a run without the rows of the dropped payments, claims and lines (the
    rows of quarantined files), keys renumbered to run on without gaps."""
    new_ids = {kind: getattr(start, kind) + np.cumsum(~mask)
               for kind, mask in dropped.items()}
    out = {}
    for key, frame in frames.items():
        column, kind = OWNER_KEY[key]
        keep = ~dropped[kind][frame[column].to_numpy(dtype=np.int64) - getattr(start, kind) - 1]
        frame = frame[keep].reset_index(drop=True)
        for column, kind in KEY_COLUMNS[key].items():
            values = frame[column]
            old = values.fillna(getattr(start, kind) + 1).to_numpy(dtype=np.int64)
            renumbered = new_ids[kind][old - getattr(start, kind) - 1]
            frame[column] = (pd.arrays.IntegerArray(renumbered, values.isna().to_numpy())
                             if values.dtype == NULLABLE_INT else renumbered)
        out[key] = frame
    return out

