"""The one shape every calculation of the daily close gives its problems in: a frame with a row
per finding, which the summary, the alerts, the worklists and the tests against the sample's
ground truth all read the same way."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["COLUMNS", "findings_frame"]

COLUMNS = ("kind", "date", "location_id", "reference", "amount_cents", "detail")
"""``kind``: what the problem is (``undeposited_cash``, ``missed_charge``, ...); ``date``: the day
it belongs to; ``location_id``: the clinic, or missing; ``reference``: the key a person looks up
(receipt, slip, batch, claim, voucher, transaction or appointment id; never a patient's
account); ``amount_cents``: the money at stake, 0 or more; ``detail``: one plain sentence
without patient data."""


def findings_frame(rows: Iterable[Mapping[str, object]] | pd.DataFrame = ()) -> pd.DataFrame:
    """Findings as the typed frame of :data:`COLUMNS` (``date`` datetime64, ``amount_cents``
    int64, the rest strings), from row mappings or a frame with those columns."""
    frame = pd.DataFrame(rows if isinstance(rows, pd.DataFrame) else list(rows),
                         columns=list(COLUMNS))
    if (frame["amount_cents"] < 0).any():
        raise ValueError("a finding's amount at stake is never negative")
    return frame.astype({"kind": "string", "date": "datetime64[ns]", "location_id": "string",
                         "reference": "string", "amount_cents": "int64",
                         "detail": "string"}).reset_index(drop=True)
