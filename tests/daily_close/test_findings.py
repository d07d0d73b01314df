"""The findings frame (pracops.daily_close.findings): typed columns, from rows or a frame."""

from __future__ import annotations

import pandas as pd
import pytest

from pracops.daily_close.findings import COLUMNS, findings_frame


def test_rows_become_typed_columns() -> None:
    frame = findings_frame([{"kind": "undeposited_cash", "date": "2025-12-04",
                             "location_id": None, "reference": "0016381",
                             "amount_cents": 51500, "detail": "Cash never deposited."}])
    assert list(frame.columns) == list(COLUMNS)
    assert frame["date"].iloc[0] == pd.Timestamp("2025-12-04")
    assert frame["amount_cents"].dtype == "int64" and frame["amount_cents"].iloc[0] == 51500
    assert frame["location_id"].isna().iloc[0]


def test_empty_and_negative() -> None:
    assert findings_frame().empty and list(findings_frame().columns) == list(COLUMNS)
    with pytest.raises(ValueError, match="never negative"):
        findings_frame([{"kind": "x", "date": "2025-01-01", "location_id": "MAIN",
                         "reference": "r", "amount_cents": -1, "detail": "d"}])
