"""The bundled sample read as text, for tests that recompute a report's figures by an
independent method (the csv module, fractions) rather than through the loader."""

from __future__ import annotations

import csv
import datetime as dt

from pracops import config


def rows(name: str) -> list[dict[str, str]]:
    """The rows of the sample's ``<name>.csv`` as text, by header."""
    with (config.SAMPLE_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def day(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` cell as a date."""
    return dt.date.fromisoformat(text)
