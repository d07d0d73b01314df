"""The balancing rules of the 835 guide, checked on the finished frames.

* :func:`unbalanced_files`: a transaction whose ``BPR02 ≠ Σ CLP04 − Σ PLB`` quarantines its
  file (the payment and the claims it pays disagree).
* :func:`balance_errors`: every violation of the four rules (line, claim, claim against its
  lines, transaction), listed in :attr:`Remittance.balance_errors`.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pracops.errors import X12Error
from pracops.money import format_cents
from pracops.x12.convert import as_dtype
from pracops.x12.schema import BALANCE_COLUMNS
from pracops.x12.segments import shown


def sum_by(values: pd.Series, keys: pd.Series, index: pd.Series) -> np.ndarray:
    """Sum ``values`` by ``keys`` (sequence numbers), read at ``index``; exact int64."""
    at = index.to_numpy(dtype=np.int64)
    keys_np = keys.to_numpy(dtype=np.int64)
    totals = np.zeros(max(int(at.max(initial=0)), int(keys_np.max(initial=0))) + 1,
                      dtype=np.int64)
    np.add.at(totals, keys_np, values.to_numpy(dtype=np.int64))
    return totals[at]


def unbalanced_files(frames: dict[str, pd.DataFrame], payment_files: np.ndarray,
                     bad: dict[int, X12Error], names: list[str]) -> dict[int, X12Error]:
    """The files (not already in ``bad``) with a transaction whose BPR02 is not Σ CLP04
    − Σ PLB, each with the error of its first such transaction.

    ``payment_files``: the file (index in ``names``) of each payment.
    """
    pay, claims = frames["payments"], frames["claims"]
    plb = frames["provider_adjustments"]
    paid = sum_by(claims["paid_cents"], claims["payment_seq"], pay["payment_seq"])
    provider = sum_by(plb["amount_cents"], plb["payment_seq"], pay["payment_seq"])
    bpr = pay["total_paid_cents"].to_numpy()
    out: dict[int, X12Error] = {}
    for i in np.flatnonzero(paid - provider != bpr):
        file = int(payment_files[i])
        if file in bad or file in out:
            continue
        st = pay["st_control"].iloc[i]
        out[file] = X12Error(
            f"transaction {shown('' if pd.isna(st) else st, 'number')} does not "
            f"balance: BPR02 {format_cents(int(bpr[i]))} should be Σ CLP04 "
            f"{format_cents(int(paid[i]))} − Σ PLB {format_cents(int(provider[i]))} = "
            f"{format_cents(int(paid[i] - provider[i]))}; ask the payer for a corrected "
            "file", segment_number=int(pay["segment_number"].iloc[i]), segment_id="ST",
            file=names[file])
    return out


def balance_errors(payments: pd.DataFrame, claims: pd.DataFrame, lines: pd.DataFrame,
                   adjustments: pd.DataFrame, plb: pd.DataFrame) -> pd.DataFrame:
    """Check the four balancing rules; one row per violation.

    ``line``: SVC02 − Σ line CAS = SVC03. ``claim``: CLP03 − Σ (claim CAS + line CAS) =
    CLP04. ``claim_lines``, for a claim with service lines: Σ SVC03 − Σ claim CAS = CLP04 —
    the claim pays what its lines pay, less what is adjusted at the claim level only (the 835
    guide reports an adjustment at the line or at the claim level, never both: X12 RFI 358;
    "if there are not claim level (2100) adjustments, CLP04 will equal the sum of SVC03",
    X12 RFI 452; lines paid 70 + 15, a claim-level adjustment of 5, CLP04 80, X12 RFI 1053
    on the 5010 guides). Without it, a claim whose charge and adjustments agree with CLP04
    while its lines pay a different sum (``CLP*C1*1*100*80``, ``SVC*HC:99213*120*100``,
    ``CAS*CO*45*20``) would pass. ``transaction``: Σ CLP04 − Σ PLB = BPR02.

    The rules are computed a column at a time; only the messages of the violations are
    written one by one.
    """
    parts = [_line_rule(claims, lines, adjustments), _claim_rule(claims, adjustments),
             _claim_lines_rule(claims, lines, adjustments),
             _transaction_rule(payments, claims, plb)]
    columns = {name: [value for part in parts for value in part[name]] for name in _NAMES}
    columns["difference_cents"] = [a - x for a, x in zip(columns["actual_cents"],
                                                         columns["expected_cents"], strict=True)]
    frame = pd.DataFrame({c: as_dtype(columns[c], dtype) for c, dtype in BALANCE_COLUMNS.items()})
    return frame.sort_values(["payment_seq", "segment_number"], kind="stable",
                             ignore_index=True)


_NAMES = ("rule", "file", "st_control", "payment_seq", "claim_seq", "claim_id", "line_number",
          "expected_cents", "actual_cents", "segment_number", "message")


def _violations(rule: str, frame: pd.DataFrame, wrong: np.ndarray, expected: np.ndarray,
                actual: str, **given: Any) -> dict[str, list[Any]]:
    """The columns of a rule's violations: the rows of ``frame`` where ``wrong``; the other
    columns of :data:`_NAMES` are taken from ``frame`` or, given, are arrays over its rows."""
    at = np.flatnonzero(wrong)
    out: dict[str, list[Any]] = {"rule": [rule] * len(at)}
    for name in _NAMES[1:-1]:
        if name == "expected_cents":
            values = expected
        elif name == "actual_cents":
            values = frame[actual]
        elif name in given:
            values = given[name]
        else:
            values = frame[name]
        if values is None:
            out[name] = [None] * len(at)
        elif isinstance(values, pd.Series):
            out[name] = values.take(at).tolist()
        else:
            out[name] = np.asarray(values)[at].tolist()
    return out


def _at_level(adjustments: pd.DataFrame, level: str) -> np.ndarray:
    """Which adjustments are at ``level`` (the columns are picked from them, not the frame
    copied)."""
    return (adjustments["level"] == level).to_numpy(dtype=bool, na_value=False)


def _line_rule(claims: pd.DataFrame, lines: pd.DataFrame, adjustments: pd.DataFrame
               ) -> dict[str, list[Any]]:
    """SVC02 − Σ line CAS = SVC03."""
    on_lines = _at_level(adjustments, "line")
    line_adjusted = sum_by(adjustments["amount_cents"][on_lines],
                           adjustments["line_seq"][on_lines].astype("int64"), lines["line_seq"])
    expected = lines["charge_cents"].to_numpy() - line_adjusted
    claim_seq = claims["claim_seq"].to_numpy(dtype=np.int64)
    payment_of = np.zeros(int(claim_seq.max(initial=0)) + 1, dtype=np.int64)
    payment_of[claim_seq] = claims["payment_seq"].to_numpy()
    wrong = expected != lines["paid_cents"].to_numpy()
    out = _violations("line", lines, wrong, expected, "paid_cents",
                      payment_seq=payment_of[lines["claim_seq"].to_numpy()])
    charges = lines["charge_cents"].to_numpy()[wrong].tolist()
    out["message"] = [
        f"claim {claim_id} line {line}: SVC02 {format_cents(charge)} − line adjustments "
        f"{format_cents(adjusted)} should equal SVC03"
        for claim_id, line, charge, adjusted in zip(
            out["claim_id"], out["line_number"], charges, line_adjusted[wrong].tolist(),
            strict=True)]
    return out


def _claim_rule(claims: pd.DataFrame, adjustments: pd.DataFrame) -> dict[str, list[Any]]:
    """CLP03 − Σ (claim CAS + line CAS) = CLP04."""
    claim_adjusted = sum_by(adjustments["amount_cents"], adjustments["claim_seq"],
                            claims["claim_seq"])
    expected = claims["charge_cents"].to_numpy() - claim_adjusted
    wrong = expected != claims["paid_cents"].to_numpy()
    out = _violations("claim", claims, wrong, expected, "paid_cents", line_number=None)
    charges = claims["charge_cents"].to_numpy()[wrong].tolist()
    out["message"] = [
        f"claim {claim_id}: CLP03 {format_cents(charge)} − claim and line adjustments "
        f"{format_cents(adjusted)} should equal CLP04"
        for claim_id, charge, adjusted in zip(out["claim_id"], charges,
                                              claim_adjusted[wrong].tolist(), strict=True)]
    return out


def _claim_lines_rule(claims: pd.DataFrame, lines: pd.DataFrame, adjustments: pd.DataFrame
                      ) -> dict[str, list[Any]]:
    """For a claim with service lines: Σ SVC03 − Σ claim-level CAS = CLP04."""
    lines_paid = sum_by(lines["paid_cents"], lines["claim_seq"], claims["claim_seq"])
    line_count = sum_by(pd.Series(np.ones(len(lines), dtype=np.int64)), lines["claim_seq"],
                        claims["claim_seq"])
    on_claims = _at_level(adjustments, "claim")
    claim_only = sum_by(adjustments["amount_cents"][on_claims],
                        adjustments["claim_seq"][on_claims], claims["claim_seq"])
    expected = lines_paid - claim_only
    wrong = (line_count > 0) & (expected != claims["paid_cents"].to_numpy())
    out = _violations("claim_lines", claims, wrong, expected, "paid_cents", line_number=None)
    out["message"] = [
        f"claim {claim_id}: Σ SVC03 of its {count} line(s) {format_cents(paid)} − claim "
        f"adjustments {format_cents(adjusted)} should equal CLP04"
        for claim_id, count, paid, adjusted in zip(
            out["claim_id"], line_count[wrong].tolist(), lines_paid[wrong].tolist(),
            claim_only[wrong].tolist(), strict=True)]
    return out


def _transaction_rule(payments: pd.DataFrame, claims: pd.DataFrame, plb: pd.DataFrame
                      ) -> dict[str, list[Any]]:
    """Σ CLP04 − Σ PLB = BPR02."""
    paid = sum_by(claims["paid_cents"], claims["payment_seq"], payments["payment_seq"])
    provider = sum_by(plb["amount_cents"], plb["payment_seq"], payments["payment_seq"])
    expected = paid - provider
    wrong = expected != payments["total_paid_cents"].to_numpy()
    out = _violations("transaction", payments, wrong, expected, "total_paid_cents",
                      claim_seq=None, claim_id=None, line_number=None)
    out["message"] = [
        f"transaction {st}: Σ CLP04 {format_cents(p)} − Σ PLB {format_cents(q)} should "
        "equal BPR02"
        for st, p, q in zip(out["st_control"], paid[wrong].tolist(), provider[wrong].tolist(),
                            strict=True)]
    return out
