"""The detail segments of claims and service lines, placed on their claim or line a column
at a time: CAS adjustments, DTM dates, NM1 patient and rendering provider, REF and AMT of a
line, MIA and MOA remark codes, and the supplemental amounts (MIA, MOA, AMT).

The walk only notes where these segments stand (:mod:`pracops.x12.walk`); here they are split
into elements with pyarrow (:class:`Recorded`) and each one belongs to the last CLP before it,
and to the last SVC before it when that SVC comes after the CLP. Each function returns the
columns it fills.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pracops.x12.convert import Converter, ccyymmdd, strings
from pracops.x12.rows import date_problem, element_of
from pracops.x12.schema import DATETIME

if TYPE_CHECKING:
    from pracops.x12.run import Run

_DATE_PATTERN = r"^\d{8}$"
CLAIM_DATES = {"232": "statement_start_date", "233": "statement_end_date",
                "050": "received_date"}
LINE_DATES = {"472": "service_date", "150": "service_start_date", "151": "service_end_date"}
# Remark codes (MIA05, MIA20-23; MOA03-07) and money elements of the claim adjudication
# segments: element number -> what it is (X12 835 5010 guide, loop 2100).
_REMARK_ELEMENTS = {"MIA": (5, 20, 21, 22, 23), "MOA": (3, 4, 5, 6, 7)}
_MONEY_ELEMENTS = {
    "MIA": {2: "PPS operating outlier amount", 4: "claim DRG amount",
            6: "claim disproportionate share amount", 7: "claim MSP pass-through amount",
            8: "claim PPS capital amount", 9: "PPS capital FSP DRG amount",
            10: "PPS capital HSP DRG amount", 11: "PPS capital DSH DRG amount",
            12: "old capital amount", 13: "PPS capital IME amount",
            14: "PPS operating hospital-specific DRG amount",
            16: "PPS operating federal-specific DRG amount",
            17: "claim PPS capital outlier amount", 18: "claim indirect teaching amount",
            19: "nonpayable professional component amount", 24: "PPS capital exception amount"},
    "MOA": {2: "claim HCPCS payable amount", 8: "ESRD payment amount",
            9: "nonpayable professional component amount"},
}
# AMT qualifiers of the claim (loop 2100) and service line (2110) besides the line's B6.
_AMOUNT_QUALIFIERS = {
    "AU": "coverage amount", "D8": "discount amount", "DY": "per day limit",
    "F5": "patient amount paid", "I": "interest", "NL": "negative ledger balance",
    "T": "tax", "T2": "total claim before taxes", "ZK": "federal mandate category 1",
    "ZL": "federal mandate category 2", "ZM": "federal mandate category 3",
    "ZN": "federal mandate category 4", "ZO": "federal mandate category 5",
    "B6": "allowed amount", "KH": "deduction amount",
}


def _last(positions: np.ndarray) -> np.ndarray:
    """Indices of the last occurrence of each position: a later segment wins."""
    _, first_from_end = np.unique(positions[::-1], return_index=True)
    return len(positions) - 1 - first_from_end


def _place_text(size: int, positions: np.ndarray, values: pa.Array) -> pa.Array:
    """Text for ``size`` rows, ``values[i]`` at ``positions[i]`` (null elsewhere)."""
    keep = _last(positions)
    index = np.full(size, -1, dtype=np.int64)
    index[positions[keep]] = keep
    return values.take(pa.array(index, mask=index < 0))


def _place_dates(size: int, positions: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Dates for ``size`` rows, ``values[i]`` at ``positions[i]`` (NaT elsewhere)."""
    keep = _last(positions)
    out = np.full(size, np.datetime64("NaT"), dtype=DATETIME)
    out[positions[keep]] = values[keep]
    return out


def _levels(on_claim: np.ndarray) -> Any:
    """The ``level`` column: ``'claim'`` or ``'line'``."""
    return strings(pa.array(["line", "claim"]).take(pa.array(on_claim.astype(np.int8))))


def _empty(arr: pa.Array) -> np.ndarray:
    """Which entries are empty text."""
    return pc.equal(arr, "").to_numpy(zero_copy_only=False)


class Recorded:
    """The detail segments of one kind recorded by the loop, split into elements.

    ``numbers`` are positions across files (see :class:`~pracops.x12.run.Run`), and so are
    ``claim_at`` and ``line_at``, the positions of the CLP and SVC segments.
    """

    def __init__(self, numbers: np.ndarray, lists: pa.ListArray, claim_at: np.ndarray,
                 line_at: np.ndarray) -> None:
        self.numbers = numbers  # positions (see Run), in order
        # the claim and line a segment belongs to: the last CLP before it, and the last SVC
        # before it when that SVC comes after the CLP
        self.claim_pos = np.searchsorted(claim_at, self.numbers) - 1
        self.line_pos = np.full(len(numbers), -1, dtype=np.int64)  # -1: at claim level
        if len(line_at):
            line = np.searchsorted(line_at, self.numbers) - 1
            on_line = (line >= 0) & (line_at[line] > claim_at[self.claim_pos])
            self.line_pos[on_line] = line[on_line]
        self._offsets = lists.offsets.to_numpy()
        self._values = lists.values
        self.counts = np.diff(self._offsets)  # elements, the segment id included

    def element(self, k: int) -> pa.Array:
        """Element ``k`` (``k``-th after the id) of every segment; ``''`` where it is absent."""
        return element_of(self._offsets, self._values, k)

    def where(self, k: int, value: str) -> np.ndarray:
        """Which segments have ``value`` as element ``k``."""
        return pc.equal(self.element(k), value).to_numpy(zero_copy_only=False)


def adjustment_columns(cas: Recorded, run: Run, conv: Converter,
                       line_numbers: np.ndarray) -> dict[str, Any]:
    """One row per CAS (reason, amount, quantity) triplet, in file order."""
    def note(position: int, message: str) -> None:
        run.note(position, message, "CAS")

    for i in np.flatnonzero(cas.counts > 20):
        note(int(cas.numbers[i]), f"CAS has {cas.counts[i] - 1} elements; those after CAS19 "
             "are ignored")
    group = cas.element(1)
    for i in np.flatnonzero(_empty(group)):
        note(int(cas.numbers[i]), "CAS01 (group code) is empty")
    rows, triplet, reasons, amounts, quantities = [], [], [], [], []
    adjusted = np.zeros(len(cas.numbers), dtype=bool)
    for j in range(6):
        if not (cas.counts > 2 + 3 * j).any():
            break
        reason, amount, quantity = (cas.element(2 + 3 * j + d) for d in range(3))
        no_reason, no_amount, no_quantity = _empty(reason), _empty(amount), _empty(quantity)
        present = ~(no_reason & no_amount & no_quantity)
        adjusted |= present
        for i in np.flatnonzero(present & no_reason):
            note(int(cas.numbers[i]), f"CAS{2 + 3 * j:02d} (reason code) is empty")
        for i in np.flatnonzero(present & no_amount):
            note(int(cas.numbers[i]), f"CAS{3 + 3 * j:02d} is empty; read as 0.00")
        take = np.flatnonzero(present)
        rows.append(take)
        triplet.append(np.full(len(take), j))
        reasons.append(reason.take(take))
        amounts.append(pc.if_else(pc.equal(amount, ""), "0", amount).take(take))
        quantities.append(pc.if_else(pc.equal(quantity, ""), pa.scalar(None, pa.string()),
                                     quantity).take(take))
    for i in np.flatnonzero(~adjusted):
        note(int(cas.numbers[i]), "CAS holds no adjustment")
    if not rows:
        row = np.zeros(0, dtype=np.int64)
        reason = amount = quantity = pa.array([], type=pa.string())
    elif len(rows) == 1:  # one triplet a CAS: already in order
        row, reason, amount, quantity = rows[0], reasons[0], amounts[0], quantities[0]
    else:
        order = np.lexsort((np.concatenate(triplet), np.concatenate(rows)))
        row = np.concatenate(rows)[order]
        reason, amount, quantity = (pa.concat_arrays(parts).take(order)
                                    for parts in (reasons, amounts, quantities))
    every = len(rows) == 1 and len(row) == len(cas.numbers)  # a row per CAS: none to pick
    numbers, line_pos, claim_pos = (values if every else values[row] for values in (
        cas.numbers, cas.line_pos, cas.claim_pos))
    on_claim = line_pos < 0
    return {
        "claim_seq": claim_pos + run.start.claims + 1,
        "line_seq": pd.arrays.IntegerArray(line_pos + run.start.lines + 1, on_claim),
        "line_number": pd.arrays.IntegerArray(
            line_numbers[np.where(on_claim, 0, line_pos)] if len(line_numbers) else
            np.zeros(len(row), dtype=np.int64), on_claim),
        "level": _levels(on_claim),
        "group_code": strings(group if every else group.take(row)),
        "reason_code": strings(reason),
        "amount_cents": conv.cents(amount, numbers, "CAS amount"),
        "quantity": conv.numbers(quantity, numbers, "CAS quantity"),
        "segment_number": run.local(numbers),
    }


def date_columns(dtm: Recorded, run: Run, n_claims: int, n_lines: int
                 ) -> dict[str, np.ndarray]:
    """The DTM dates of claims (232, 233, 050) and of lines (472, 150, 151)."""
    qualifier, text = dtm.element(1), dtm.element(2)
    shaped = pc.match_substring_regex(text, _DATE_PATTERN).to_numpy(zero_copy_only=False)
    parsed = ccyymmdd(text, shaped)
    valid = shaped & ~np.isnat(parsed)
    given = ~_empty(text)
    on_line = dtm.line_pos >= 0
    out = {}
    for qualifiers, size, positions, mask in ((CLAIM_DATES, n_claims, dtm.claim_pos, ~on_line),
                                              (LINE_DATES, n_lines, dtm.line_pos, on_line)):
        for code, column in qualifiers.items():
            chosen = mask & pc.equal(qualifier, code).to_numpy(zero_copy_only=False)
            for i in np.flatnonzero(chosen & given & ~valid):
                run.note(int(dtm.numbers[i]), f"DTM*{code} (DTM02) "
                         f"{date_problem(text[i].as_py())}; read as missing", "DTM")
            ok = np.flatnonzero(chosen & valid)
            out[column] = _place_dates(size, positions[ok], parsed[ok])
    return out


def name_columns(nm1: Recorded, n_claims: int) -> dict[str, Any]:
    """Patient (NM1*QC) and rendering provider (NM1*82) of each claim."""
    out: dict[str, Any] = {}
    for code, columns in (("QC", {"patient_last_name": 3, "patient_first_name": 4,
                                  "patient_member_id": 9}),
                          ("82", {"rendering_provider_qualifier": 8,
                                  "rendering_provider_id": 9})):
        rows = np.flatnonzero(nm1.where(1, code))
        for column, k in columns.items():
            out[column] = _place_text(n_claims, nm1.claim_pos[rows], nm1.element(k).take(rows))
    npi = pc.if_else(pc.equal(out["rendering_provider_qualifier"], "XX"),
                     out["rendering_provider_id"], pa.scalar(None, pa.string()))
    out["rendering_npi"] = npi
    return {column: strings(values) for column, values in out.items()}


def line_detail_columns(ref: Recorded, amt: Recorded, run: Run, conv: Converter,
                        n_lines: int) -> dict[str, Any]:
    """Line control number (REF*6R) and allowed amount (AMT*B6) of each line."""
    rows = np.flatnonzero(ref.where(1, "6R") & (ref.line_pos >= 0))
    control = _place_text(n_lines, ref.line_pos[rows], ref.element(2).take(rows))
    allowed_text = amt.element(2)
    b6 = amt.where(1, "B6") & (amt.line_pos >= 0)
    for i in np.flatnonzero(b6 & _empty(allowed_text)):
        run.note(int(amt.numbers[i]), "AMT02 is empty; the allowed amount is read as "
                   "missing", "AMT")
    rows = np.flatnonzero(b6 & ~_empty(allowed_text))
    text = _place_text(n_lines, amt.line_pos[rows], allowed_text.take(rows))
    numbers = _place_text(n_lines, amt.line_pos[rows], pa.array(amt.numbers[rows]))
    cents = conv.cents(text, numbers.fill_null(0).to_numpy(), "AMT02")
    return {"line_control_number": strings(control),
            "allowed_cents": pd.arrays.IntegerArray(cents, text.is_null().to_numpy(
                zero_copy_only=False))}


def remark_codes(details: dict[str, Recorded], n_claims: int) -> Any:
    """The ``;``-joined remark codes of each claim's MIA (MIA05, MIA20-23) and MOA (MOA03-07),
    in segment then element order."""
    claims, orders, codes = [], [], []
    for tag, elements in _REMARK_ELEMENTS.items():
        rec = details[tag]
        for k in elements if len(rec.numbers) else ():
            code = rec.element(k)
            rows = np.flatnonzero(~_empty(code))
            claims.append(rec.claim_pos[rows])
            orders.append(rec.numbers[rows] * 32 + k)
            codes += code.take(rows).to_pylist()
    out = np.full(n_claims, None, dtype=object)
    if codes:
        frame = pd.DataFrame({"claim": np.concatenate(claims), "order": np.concatenate(orders),
                              "code": codes})
        joined = frame.sort_values(["claim", "order"]).groupby("claim")["code"].agg(";".join)
        out[joined.index.to_numpy()] = joined.to_numpy()
    return strings(out.tolist())


def supplemental_columns(details: dict[str, Recorded], run: Run, conv: Converter,
                         line_numbers: np.ndarray) -> dict[str, Any]:
    """One row per amount of MIA, MOA and AMT (but a line's AMT*B6, the allowed amount), in
    file order: money the balancing rules do not use, kept so that nothing is dropped."""
    parts: list[tuple[Any, ...]] = []  # (row indices, recorded, element, qualifier, description)
    for tag, elements in _MONEY_ELEMENTS.items():
        rec = details[tag]
        for k, description in elements.items() if len(rec.numbers) else ():
            rows = np.flatnonzero(~_empty(rec.element(k)))
            parts.append((rows, rec, k, f"{tag}{k:02d}", None, description))
    amt = details["AMT"]
    if len(amt.numbers):
        qualifier, amount = amt.element(1), amt.element(2)
        other = ~(pc.equal(qualifier, "B6").to_numpy(zero_copy_only=False)
                  & (amt.line_pos >= 0))
        for i in np.flatnonzero(other & _empty(amount)):
            run.note(int(amt.numbers[i]), "AMT02 is empty; the amount is read as missing",
                       "AMT")
        rows = np.flatnonzero(other & ~_empty(amount))
        names = qualifier.take(rows).to_pylist()
        parts.append((rows, amt, 2, "AMT02", names,
                      [_AMOUNT_QUALIFIERS.get(q, "amount") for q in names]))
    columns: dict[str, list[Any]] = {c: [] for c in (
        "numbers", "claim_pos", "line_pos", "order", "segment_id", "element", "qualifier",
        "description", "amount_cents")}
    for rows, rec, k, element, qualifiers, description in parts:
        n = len(rows)
        numbers = rec.numbers[rows]
        columns["numbers"].append(numbers)
        columns["claim_pos"].append(rec.claim_pos[rows])
        columns["line_pos"].append(rec.line_pos[rows])
        columns["order"].append(numbers * 32 + k)
        columns["segment_id"] += [element[:3]] * n
        columns["element"] += [element] * n
        columns["qualifier"] += qualifiers if qualifiers is not None else [None] * n
        columns["description"] += (description if isinstance(description, list)
                                   else [description] * n)
        columns["amount_cents"].append(conv.cents(rec.element(k).take(rows), numbers, element))
    arrays = {c: np.concatenate([np.zeros(0, dtype=np.int64), *columns[c]])
              for c in ("numbers", "claim_pos", "line_pos", "order", "amount_cents")}
    order = np.argsort(arrays["order"], kind="stable")
    line_pos = arrays["line_pos"][order]
    on_claim = line_pos < 0
    return {
        "claim_seq": arrays["claim_pos"][order] + run.start.claims + 1,
        "line_seq": pd.arrays.IntegerArray(line_pos + run.start.lines + 1, on_claim),
        "line_number": pd.arrays.IntegerArray(
            line_numbers[np.where(on_claim, 0, line_pos)] if len(line_numbers) else
            np.zeros(len(order), dtype=np.int64), on_claim),
        "level": _levels(on_claim),
        **{c: strings([columns[c][i] for i in order])
           for c in ("segment_id", "element", "qualifier", "description")},
        "amount_cents": arrays["amount_cents"][order],
        "segment_number": run.local(arrays["numbers"][order]),
    }

