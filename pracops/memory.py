"""Memory a large report frees given back to the system, so that the process holds what its
frames hold and a step's peak is its own (issue 15: the daily close of a 50-provider group's
year within 1.5 GiB; ``bench/bench_daily_close.py``).

Two allocators keep what a step frees, to reuse it: Arrow's default pool (mimalloc), which
holds the text columns, and glibc's ``malloc``, which holds numpy's arrays and, once a large
block has been freed, serves the next ones from its heap instead of fresh mappings (its
"dynamic mmap threshold"). Freed that way, memory stays resident and counted. Measured on
the daily close at 1 M charge lines: the loaded inputs' frames hold 0.63 GB and the process
1.10 GB; with :func:`lean_allocators`, 0.84 GB, and the close's peak 1.34 GB instead of 1.60 GB.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable

import pyarrow as pa

__all__ = ["lean_allocators", "release_freed_memory"]

_M_MMAP_THRESHOLD = -3  # from <malloc.h>
_MMAP_THRESHOLD = 2 * 1024 * 1024
"""Blocks of this size or more are mapped on their own and unmapped when freed. Measured on the
daily close at 1 M charge lines, quiet (bench/README.md): at glibc's default of 128 KB the close
peaked at 1,361 MB but took 15.6 s (every numpy temporary a fresh mapping, faulted in page by
page); at 16 MB, 10.7 s and 1,582 MB; at 4 MB, 12.9 s and 1,523 MB; at 2 MB, 14.0 s and
1,492 MB; at 1 MB, 14.4 s and 1,413 MB."""


@functools.cache
def _libc(name: str) -> Callable[..., int] | None:
    """A glibc function (None elsewhere than on Linux, or on a C library without it)."""
    if not sys.platform.startswith("linux"):
        return None
    return getattr(ctypes.CDLL(None), name, None)


def lean_allocators() -> None:
    """Have every block of 2 MB or more (:data:`_MMAP_THRESHOLD`) mapped on its own and
    unmapped when freed, Arrow's buffers included, for the rest of the process: Arrow
    allocates from the system's ``malloc`` (not mimalloc) and glibc's mmap threshold is held
    there (setting it turns off the threshold's growth, up to 32 MB by default). Small objects
    are not affected. Call it in a process that runs one large report (its kernel: the daily
    close's ``chain.run``), before loading its inputs, never from library code a caller
    shares its process with; buffers already allocated keep their allocator."""
    pa.set_memory_pool(pa.system_memory_pool())
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)


def release_freed_memory() -> None:
    """Give the system the pages Arrow's memory pool and the C allocator hold free."""
    pa.default_memory_pool().release_unused()
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)
