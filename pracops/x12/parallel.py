"""Reading a large folder on every core: the ordered files are split into contiguous chunks
(:func:`split_in_chunks`, this process's a little larger), read at the same time — the first
here, each other one in a worker process — and put together in file order, keys renumbered
(:func:`read_parallel`).

The workers are bound to the calling process (:func:`pracops.processes.die_with_parent`):
killed, even by SIGKILL, it leaves none behind.

Part of the 835 reader (see :mod:`pracops.x12.read`).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from pracops.errors import X12Error
from pracops.processes import die_with_parent, load_prctl
from pracops.x12.batch import Collected, gc_paused, read_files
from pracops.x12.schema import KEY_COLUMNS, Sequences

# What a worker spends sending its frames back (pickling them to a file), as a share of its
# reading: measured on the bench's 1 M-line year (289 files, 152 MB, 2 processes) 0.86-1.18 s
# of pickling after 2.8-3.4 s of reading, while this process, done with an equal share of the
# bytes, waited about 1 s for it.
_SEND_BACK = 0.3


def split_in_chunks(paths: list[tuple[Path, bool]], sizes: list[int], jobs: int
                    ) -> list[list[tuple[Path, bool]]]:
    """``paths`` in at most ``jobs`` contiguous, non-empty chunks: a file goes to the chunk
    its middle byte falls in. The first chunk, read in this process, takes ``1 +``
    :data:`_SEND_BACK` shares of the bytes and each other one share, so that the workers,
    which also send their frames back, end about when this process does."""
    weights = sizes if sum(sizes) else [1] * len(sizes)
    total = sum(weights)
    shares = [1 + _SEND_BACK] + [1.0] * (jobs - 1)
    bounds = [total * sum(shares[:k + 1]) / sum(shares) for k in range(jobs)]
    chunks: list[list[tuple[Path, bool]]] = [[] for _ in range(jobs)]
    before = 0
    for item, weight in zip(paths, weights, strict=True):
        middle = before + weight / 2
        chunks[min(jobs - 1, sum(middle >= b for b in bounds))].append(item)
        before += weight
    return [chunk for chunk in chunks if chunk]


def _read_chunk(paths: list[tuple[Path, bool]], strict: bool
                ) -> tuple[str | None, tuple[Any, ...] | None]:
    """:func:`read_files` in a worker process: the temporary file its result is pickled to
    (a few hundred MB go through a file several times faster than through the executor's
    pipe), or the fields of the X12Error (an exception is pickled with its message only)."""
    try:
        with gc_paused():
            result = read_files(paths, strict)
    except X12Error as exc:
        return None, (exc.reason, exc.segment_number, exc.segment_id, exc.file)
    with tempfile.NamedTemporaryFile("wb", prefix="pracops-835-", delete=False) as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    return out.name, None


def _load_chunk(name: str) -> Collected:
    """The result pickled by :func:`_read_chunk`; the file is removed."""
    try:
        with open(name, "rb") as file:
            return pickle.load(file)
    finally:
        os.unlink(name)


def _merge(parts: list[Collected]) -> Collected:
    """The frames of consecutive chunks of files read apart, put together in order with their
    keys renumbered as if read in one go; each chunk's frames are dropped once used."""
    starts = [Sequences()]
    for frames, *_ in parts[:-1]:
        last = starts[-1]
        starts.append(Sequences(last.payments + len(frames["payments"]),
                                last.claims + len(frames["claims"]),
                                last.lines + len(frames["service_lines"])))
    merged: dict[str, pd.DataFrame] = {}
    for key in list(parts[0][0]):
        pieces = []
        for (frames, *_), start in zip(parts, starts, strict=True):
            piece = frames.pop(key)
            for column, counter in KEY_COLUMNS.get(key, {}).items():
                piece[column] += getattr(start, counter)
            pieces.append(piece)
        merged[key] = pd.concat(pieces, ignore_index=True)
    return (merged, [w for part in parts for w in part[1]],
            [f for part in parts for f in part[2]], [q for part in parts for q in part[3]])


def read_parallel(chunks: list[list[tuple[Path, bool]]], strict: bool) -> Collected:
    """Read the first chunk here and each other one in a worker process, at the same time.

    Raises
    ------
    X12Error
        With ``strict``: the error of the first chunk that has one, so the first in file
        order.
    """
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    load_prctl()  # looked up here once, not in every worker
    # each worker dies with this process, even after a SIGKILL (then blocked on the pipe of
    # a pool nobody shuts down, it would live on)
    with ProcessPoolExecutor(len(chunks) - 1, mp_context=context,
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_read_chunk, chunk, strict) for chunk in chunks[1:]]
        try:
            parts = [read_files(chunks[0], strict)]
            for future in futures:
                name, error = future.result()
                if error is not None:
                    reason, number, segment_id, file = error
                    raise X12Error(reason, segment_number=number, segment_id=segment_id,
                                   file=file)
                parts.append(_load_chunk(name))
        except BaseException:
            pool.shutdown(cancel_futures=True)
            for future in futures:  # the results nobody will read
                if not future.cancelled() and future.exception() is None:
                    name = future.result()[0]
                    if name is not None and os.path.exists(name):
                        os.unlink(name)
            raise
    return _merge(parts)
