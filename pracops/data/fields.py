"""Column shapes and row rules that several datasets share: identifiers, times of day, one
date not before another. Reports declare their datasets with them in
``pracops/<report>/datasets.py``."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pracops.data import row_error

__all__ = ["HHMM", "ID", "not_before"]

ID = {"kind": "str", "pattern": r"[A-Za-z0-9][A-Za-z0-9_.-]*",
       "pattern_text": "an identifier of letters, digits, '-', '_' or '.' without spaces"}
HHMM = {"pattern": r"(?:[01]\d|2[0-3]):[0-5]\d", "pattern_text": "a time as HH:MM (24-hour)"}


def not_before(later: str, earlier: str, reason: str) -> Callable[[pd.DataFrame], None]:
    """A checks hook: column ``later`` holds no date before column ``earlier``."""

    def check(frame: pd.DataFrame) -> None:
        bad = frame[later] < frame[earlier]
        if bad.any():
            raise row_error(frame, bad, later, reason,
                            f"a date on or after {frame.attrs['headers'].get(earlier, earlier)}")

    return check
