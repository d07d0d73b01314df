"""A *run* of consecutive files: their rows gathered until they are turned into frames in
one go (:class:`Run`).

Building the frames has a fixed cost whatever their length (~20 ms), so the rows of
consecutive files accumulate in one run (see :class:`~pracops.x12.batch.Batch`). Rows keep
the segment number in their own file; a *position* (that number plus the segments of the
files before it in the run) orders segments across files, and :meth:`Run.file_of` turns it
back into a file of the run.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from pracops.x12.rows import DETAILS, Columns, FileRows
from pracops.x12.schema import Sequences, WarningRow

if TYPE_CHECKING:
    from pracops.x12.columnar import ColumnarRows

# The reader's one logger, whichever of its modules writes.
logger = logging.getLogger("pracops.x12.read")


class Run:
    """The rows of a run of files, and where each file's segments stand in it.

    ``start``: the payments, claims and lines of the runs before (keys run across runs).
    ``warnings``: the list the warnings found while the frames are built go to, each with
    the place of its file among the files met (the batch's list).
    """

    def __init__(self, start: Sequences, warnings: list[tuple[int, WarningRow]]) -> None:
        self.start = start
        self.warnings = warnings
        self.names: list[str] = []
        self.orders: list[int] = []  # place of each file among the files met
        self.offsets: list[int] = []  # segments of the files before each file
        self.positions = 0  # segments of the run's files so far
        self.payments: list[dict[str, Any]] = []
        self.claims: list[Columns] = []  # the columns of each file's claims
        self.lines: list[Columns] = []
        self.plb: list[tuple[Any, ...]] = []
        # rows of each kind after each file
        self.ends: dict[str, list[int]] = {"payments": [], "claims": [], "lines": [], "plb": []}
        self.detail_at: dict[str, list[np.ndarray]] = {tag: [] for tag in DETAILS}
        self.detail_elements: dict[str, list[pa.ListArray]] = {tag: [] for tag in DETAILS}

    def _count(self, key: str) -> int:
        ends = self.ends[key]
        return ends[-1] if ends else 0

    def next_start(self) -> Sequences:
        """The keys before the next file: those of the runs before, and of this run's files."""
        return Sequences(self.start.payments + len(self.payments),
                         self.start.claims + self._count("claims"),
                         self.start.lines + self._count("lines"))

    def keep(self, rows: FileRows | ColumnarRows, order: int) -> None:
        """Take over the rows of a file, walked or read a column at a time."""
        offset = self.positions
        self.names.append(rows.name)
        self.orders.append(order)
        self.offsets.append(offset)
        self.positions += rows.segment_count
        self.payments += rows.payments
        self.plb += rows.plb
        claims, lines = rows.claim_columns(), rows.line_columns()
        self.claims.append(claims)
        self.lines.append(lines)
        for key, count in (("payments", len(self.payments)), ("plb", len(self.plb)),
                           ("claims", self._count("claims") + len(claims["claim_seq"])),
                           ("lines", self._count("lines") + len(lines["line_seq"]))):
            self.ends[key].append(count)
        for tag, (numbers, lists) in rows.detail_lists().items():
            self.detail_elements[tag].append(lists)
            self.detail_at[tag].append(numbers + offset)

    # -- positions ----------------------------------------------------------------------------

    def file_of(self, positions: np.ndarray) -> np.ndarray:
        """The file (index in the run) of each position."""
        return np.searchsorted(np.array(self.offsets, dtype=np.int64), positions,
                               side="left") - 1

    def local(self, positions: np.ndarray) -> np.ndarray:
        """Segment numbers in their files, of positions."""
        offsets = np.array(self.offsets, dtype=np.int64)
        return positions - offsets[np.searchsorted(offsets, positions) - 1]

    def note(self, position: int, message: str, tag: str) -> None:
        """A warning about the segment ``tag`` at ``position``, found while the frames are
        built."""
        file = int(self.file_of(np.array([position]))[0])
        number = position - self.offsets[file]
        self.warnings.append((self.orders[file], (self.names[file], number, tag, message)))
        logger.debug("%s segment %s: %s", self.names[file], number, message)
