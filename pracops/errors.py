"""The errors pracops raises. Each message says what is wrong and how to fix it.

Every error derives from :class:`PracopsError`, so the CLI and notebooks can catch one type and
show its message instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
import errno
from typing import Any


class PracopsError(Exception):
    """Base of every error pracops raises on purpose."""


class DataError(PracopsError, ValueError):
    """A dataset that cannot be used as it is.

    Parameters
    ----------
    message
        What is wrong, in words.
    file, row, column, value, expected
        Where and what: ``row`` is the 1-based line number in the file as a spreadsheet or
        text editor shows it (the header is line 1), ``expected`` says what would be accepted.
    fix
        What the user should do; defaults to a sentence built from ``expected``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.reason = message
        self.file = file
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.fix = fix
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.reason
        if self.value is not None:
            text += f" (found {_shown(self.value)!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


def _shown(value: Any) -> str:
    """A value as a person reads it in a message: a date at midnight without its time (a
    typed date from a loaded file), anything else as ``str`` gives it."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


class ParameterError(PracopsError, ValueError):
    """A report parameter that is unknown, of the wrong type, or out of range."""


class X12Error(PracopsError, ValueError):
    """An X12 file that cannot be read.

    The message names the file, the segment's position and id and what was expected; it never
    quotes the segment's text (an 835 segment may carry a patient's name or member id).

    Parameters
    ----------
    message
        What is wrong.
    segment_number
        1-based position of the offending segment in the file (ISA is 1).
    segment_id
        The offending segment's id (``"CLP"``), never its elements.
    file
        The file it came from, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        segment_number: int | None = None,
        segment_id: str | None = None,
        file: str | None = None,
    ) -> None:
        self.reason = message
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.file = file
        where = []
        if file:
            where.append(str(file))
        if segment_number is not None:
            where.append(f"segment {segment_number}" + (f" ({segment_id})" if segment_id
                                                         else ""))
        super().__init__((", ".join(where) + ": " if where else "") + message)


def os_problem(exc: OSError, what: str = "file") -> tuple[str, str]:
    """What went wrong and what to do, for a file or folder the system would not let us use.

    The one table of such faults, for the loader, the 835 reader and the command line.

    Parameters
    ----------
    exc
        What the system said.
    what
        ``"file"`` or ``"folder"``: what the path should be.

    Returns
    -------
    tuple of str
        The reason and the fix, in words.
    """
    code = exc.errno
    if code == errno.ELOOP:
        return ("the path is a symbolic link that loops back on itself",
                f"point the link at the real {what}, or replace it with the {what}")
    if code == errno.ENOENT:
        return (f"the {what} does not exist (or is a symbolic link to a missing target)",
                f"check the path, or point the link at the real {what}")
    if code in (errno.EACCES, errno.EPERM):
        return (f"permission denied: this account may not use the {what}",
                f"let the account that runs pracops read (and, for an output, write) the "
                f"{what}, or use another place")
    if code == errno.EISDIR:
        return ("this is a folder where a file is expected",
                "put the file itself here, not a folder")
    if code == errno.ENOTDIR:
        return ("a file stands where a folder is expected", "check the path")
    if code == errno.EROFS:
        return ("the place is read-only", "choose a place that can be written")
    if code in (errno.ENOSPC, errno.EDQUOT):
        return ("the disk is full", "free some disk space")
    return (f"cannot use the {what}: {exc.strerror or exc}",
            "check the disk, the path and its permissions, then run again")
