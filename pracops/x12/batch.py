"""The files of one call, read one after the other into frames: :class:`Batch`, and
:func:`read_files` which drives it.

Each file is decoded (:mod:`~pracops.x12.segments`) and walked (:mod:`~pracops.x12.walk`),
or quarantined when it cannot be; its rows join the current run of files
(:class:`~pracops.x12.run.Run`), which becomes frames (:func:`~pracops.x12.frames.build_frames`)
once it holds about :data:`BATCH_SEGMENTS` segments, and at the end.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

import pandas as pd

from pracops.errors import X12Error
from pracops.x12.columnar import COLUMNAR_BYTES, read_columnar
from pracops.x12.convert import cents_or_none
from pracops.x12.frames import build_frames
from pracops.x12.run import Run
from pracops.x12.schema import QuarantineRow, Sequences, WarningRow
from pracops.x12.segments import decode, layout, looks_like_x12, read_bytes
from pracops.x12.walk import Walker

# The reader's one logger, whichever of its modules writes.
logger = logging.getLogger("pracops.x12.read")

# Segments of the files whose rows are turned into frames in one go (see Batch): ~20 MB of
# text; building the frames costs ~20 ms whatever their size.
BATCH_SEGMENTS = 1_000_000

# Frames (keys numbered from 1), warnings, files and quarantined files of the files read:
# Batch.collected().
Collected = tuple[dict[str, pd.DataFrame], list[WarningRow], list[str], list[QuarantineRow]]


class Batch:
    """The files of one call: rows of a run of files, turned into frames in one go.

    Building the frames has a fixed cost whatever their length, so the files are walked one by
    one into the rows of a :class:`~pracops.x12.run.Run`, which become frames only when they
    hold about :data:`BATCH_SEGMENTS` segments (:meth:`flush`) and at the end
    (:meth:`collected`): a folder of small files costs that fixed cost once, and a folder of
    large ones does not hold all its rows as Python objects at once. A single file is never
    split.

    With ``strict`` False, a file that cannot be read or whose transaction does not balance
    is quarantined (:attr:`quarantined`) and its rows and warnings are left out; with
    ``strict`` True the first fault in file order raises :class:`X12Error`.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self.strict = strict
        self.files: list[tuple[int, str]] = []  # (place, name) of the files read
        self.parts: list[dict[str, pd.DataFrame]] = []  # the frames of the runs built so far
        self.met = 0  # files met so far, read, skipped or quarantined
        self.warnings: list[tuple[int, WarningRow]] = []  # with the place of their file
        self.quarantined: list[tuple[int, QuarantineRow]] = []  # with the place of their file
        self.run = Run(Sequences(), self.warnings)

    def add(self, source: str | bytes | Path, name: str, *, listed: bool = False) -> None:
        """Walk one file into the rows, or quarantine it.

        Parameters
        ----------
        source
            A file, or its content (text or bytes). A file is read here, so that its bytes are
            freed once decoded.
        name
            The file's name in warnings, errors and the ``file`` columns.
        listed
            True for a file found by listing a directory: with ``strict``, skipped with a
            warning when it does not start like an X12 file.

        Raises
        ------
        X12Error
            With ``strict`` only: when the file cannot be read or is not a readable 835; or
            for the first bad value of an earlier file, which comes first in file order.
        """
        order = self.met
        self.met += 1
        walker = None
        try:
            data = source
            if isinstance(source, Path):
                if listed and source.is_dir() and not source.is_symlink():
                    # a sub-folder (an archive of old ERAs, say) holds no payment of its own
                    self._warn(order, name, "a folder: skipped (only the files directly in "
                               "the folder are read)")
                    return
                data = read_bytes(source, name)
                if listed and self.strict and not looks_like_x12(data):
                    self._warn(order, name, "skipped: does not start like an X12 file")
                    return
            del source
            rows = (read_columnar(data, name, self.run.next_start(), strict=self.strict)
                    if isinstance(data, bytes) and len(data) >= COLUMNAR_BYTES else None)
            if rows is not None:
                del data  # freed before the frames are built (at once, for a large file)
            else:  # small, or not read a column at a time: walked
                text, note = decode(data, name)
                if note:
                    self._warn(order, name, note)
                del data
                walker = Walker(layout(text, name), name, self.run.next_start(),
                                strict=self.strict)
                rows = walker.read()
        except X12Error as exc:
            if self.strict:
                if self.run.names:
                    self.flush()  # raises the first bad value of the files before, if any
                raise
            texts = walker.rows.paid_texts() if walker is not None else []
            self._quarantine(order, exc, cents_or_none(texts))
            return
        self.files.append((order, name))
        self.run.keep(rows, order)
        self.warnings += [(order, w) for w in rows.warnings]
        logger.info("read %s: %d segments, %d transactions", name, rows.segment_count,
                    len(rows.payments))
        del rows, walker  # the run holds what is needed: the rest is freed before the frames
        if self.run.positions >= BATCH_SEGMENTS:
            self.flush()

    def _warn(self, order: int, name: str, message: str) -> None:
        """A warning about a file as a whole."""
        self.warnings.append((order, (name, None, None, message)))

    def _quarantine(self, order: int, exc: X12Error, paid_cents: int | None) -> None:
        self.quarantined.append((order, (exc.file or "", exc.reason, exc.segment_number,
                                         paid_cents)))
        logger.warning("quarantined: %s", exc)

    def flush(self) -> None:
        """Build the frames of the run of files walked so far, and start a new run.

        Raises
        ------
        X12Error
            With ``strict``: at the first bad value of the run, in file order.
        """
        frames, quarantined = build_frames(self.run, strict=self.strict)
        for order, exc, paid_cents in quarantined:
            self._quarantine(order, exc, paid_cents)
        self.parts.append(frames)
        start = self.run.start
        self.run = Run(Sequences(start.payments + len(frames["payments"]),
                                 start.claims + len(frames["claims"]),
                                 start.lines + len(frames["service_lines"])), self.warnings)

    def collected(self) -> Collected:
        """The frames of all files read (without the balancing rules and ``claim_count``,
        which :func:`~pracops.x12.read.read_835` adds), the warnings in file order (segment
        order within a file), the files read and the files quarantined, in file order."""
        if self.run.names or not self.parts:
            self.flush()
        frames = {key: (pd.concat([part[key] for part in self.parts], ignore_index=True)
                        if len(self.parts) > 1 else self.parts[0][key])
                  for key in self.parts[0]}
        self.parts = []
        out = {order for order, _ in self.quarantined}
        ordered = sorted(((o, w) for o, w in self.warnings if o not in out),
                         key=lambda w: (w[0], w[1][1] or 0))
        return (frames, [warning for _, warning in ordered],
                [name for order, name in self.files if order not in out],
                [q for _, q in sorted(self.quarantined, key=itemgetter(0))])


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the rows of a call are built.

    The reader creates hundreds of thousands of small lists that all stay alive until the
    frames are built; the collector would scan them again and again for nothing (it cost 40 %
    of the read time). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_files(paths: list[tuple[Path, bool]], strict: bool) -> Collected:
    """Read files one after the other (the caller pauses the garbage collector)."""
    batch = Batch(strict=strict)
    for path, listed in paths:
        batch.add(path, str(path), listed=listed)
    return batch.collected()
