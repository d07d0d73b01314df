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
import os
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = ["HUGE_PAGES", "HUGE_PAGES_FROM", "folder_bytes", "huge_pages_pay",
           "lean_allocators", "release_freed_memory", "with_huge_pages"]

HUGE_PAGES = "glibc.malloc.hugetlb=1"
"""The glibc tunable (2.35 and later; an older glibc, or another C library, ignores it) that has
``malloc`` advise the kernel to back its blocks with transparent huge pages (2 MB pages, where
``/sys/kernel/mm/transparent_hugepage/enabled`` is ``madvise`` or ``always``). A tunable is
read when a process starts: the runner sets it for the kernels it starts on a large data
folder (:func:`huge_pages_pay`, :func:`with_huge_pages`). With :func:`lean_allocators` every
large block is a fresh mapping, faulted in 4 KB page by 4 KB page; in 2 MB pages, 512 times
fewer faults. Measured quiet (bench/README.md, "Daily close"), one fresh process each: the
daily close at 1 M charge lines, its inputs loaded once and closed three times, 13.0-13.6 s
with the lean allocators, 10.9-12.1 s with them and this tunable (10.1-11.6 s with neither, at
a peak of 1,545 MB instead of 1,279-1,286); the load and the close together 24.4-26.9 s
without it, 20.9-24.6 s with it. On the bundled sample it costs instead: the daily close's
``pracops run`` 8.1-9.7 s without, 0.3-0.5 s more with it; the seven reports 31.3-34.0 s
without, 34.7-35.4 s with it."""

HUGE_PAGES_FROM = 256 * 1024 * 1024
"""A data folder of this many bytes or more (its files and those below, the 835s included)
has its reports' kernels started with :data:`HUGE_PAGES`: the daily close of a 1 M-line year
(730 MB of exports) gains from them, the bundled sample (25 MB) loses."""


def folder_bytes(folder: str | os.PathLike[str], enough: int | None = None) -> int:
    """The bytes of the files in ``folder`` and below, links followed as the readers follow
    them, each folder counted once (a link back up the tree is not walked again); what cannot
    be read is not counted. With ``enough``, the count stops once it reaches that many."""
    total = 0
    seen: set[tuple[int, int]] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        try:
            where = os.stat(root)
        except OSError:
            dirs.clear()
            continue
        if (where.st_dev, where.st_ino) in seen:
            dirs.clear()
            continue
        seen.add((where.st_dev, where.st_ino))
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:  # gone, or not ours to read
                continue
            if enough is not None and total >= enough:
                return total
    return total


def huge_pages_pay(data_dir: str | os.PathLike[str] | None,
                   cwd: str | os.PathLike[str] | None = None) -> bool:
    """Whether a kernel reading this data folder is started with :data:`HUGE_PAGES`: the folder
    holds :data:`HUGE_PAGES_FROM` bytes or more (:func:`folder_bytes`). ``~`` is the user's
    home, and a relative folder is taken from ``cwd`` (the kernel's working folder), as the
    kernel will take it. ``None`` or ``""`` (the bundled sample), a path that is not a folder:
    no."""
    if data_dir is None or str(data_dir) == "":
        return False
    folder = Path(data_dir).expanduser()
    if cwd is not None and not folder.is_absolute():
        folder = Path(cwd) / folder
    return folder.is_dir() and folder_bytes(folder, HUGE_PAGES_FROM) >= HUGE_PAGES_FROM


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
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)


def release_freed_memory() -> None:
    """Give the system the pages Arrow's memory pool and the C allocator hold free."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)


def with_huge_pages(tunables: str | None) -> str:
    """A ``GLIBC_TUNABLES`` value (colon-separated ``name=value`` pairs) with :data:`HUGE_PAGES`
    added, unless it sets ``glibc.malloc.hugetlb`` already (the user's choice is kept)."""
    if not tunables:
        return HUGE_PAGES
    if any(pair.partition("=")[0] == "glibc.malloc.hugetlb" for pair in tunables.split(":")):
        return tunables
    return f"{tunables}:{HUGE_PAGES}"
