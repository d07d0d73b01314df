"""Edits of a sample CSV file for the bad-input tests: each breaks one rule in a copy of one
file and says which row of the file (the header is row 1) it broke."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

Rows = list[list[str]]
"""A CSV file's rows as text, the header first."""

Edit = Callable[[Rows], int]
"""An edit of the rows in place; returns the file row it changed (header = 1)."""


def set_cell(column: str, value: str, where: Callable[[dict[str, str]], bool] = lambda r: True
             ) -> Edit:
    """An edit: ``column`` of the first row where ``where`` holds set to ``value``."""
    def edit(rows: Rows) -> int:
        head = rows[0]
        for n, row in enumerate(rows[1:], start=2):
            if where(dict(zip(head, row, strict=True))):
                row[head.index(column)] = value
                return n
        raise AssertionError(f"no row to edit for {column}")
    return edit


def write_edited(source: Path, path: Path, edit: Edit) -> int:
    """``source`` with ``edit`` applied, written to ``path`` (which may be ``source``); the
    file row the edit changed."""
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    row = edit(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return row
