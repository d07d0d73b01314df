"""From a file's bytes to its segments: decoding the text, recognising an X12 file, finding
its delimiters (from the ISA, or from a bare ST or GS) and splitting it into segments; and how a
message names a segment or quotes a value of it.

Part of the 835 reader (see :mod:`pracops.x12.read`). Nothing here knows the loops of an 835.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pracops.errors import X12Error, os_problem

ISA_LENGTH = 106  # characters, including the segment terminator
_LINE_BREAKS = "\r\n"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# ---- reading and decoding ------------------------------------------------------------------


def read_bytes(path: Path, name: str) -> bytes:
    """The bytes of a file; X12Error (saying what to do) when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        reason, fix = os_problem(exc)
    raise X12Error(f"cannot read the file: {reason}; {fix}", file=name)


def decode(data: str | bytes, name: str) -> tuple[str, str | None]:
    """The text of a file's content, and a warning when it was not decoded as UTF-8.

    Bytes are UTF-8, UTF-16 when they start with its byte order mark, else Latin-1. Byte
    order marks and leading blanks are dropped; empty content is an X12Error.
    """
    note = None
    if isinstance(data, bytes):
        if data[:2] in _UTF16_BOMS:
            try:
                data = data.decode("utf-16")
            except UnicodeDecodeError as exc:
                raise X12Error(f"not valid UTF-16 text (byte {exc.start} cannot be "
                               "decoded)", file=name) from None
            note = "UTF-16 text; read as such"
        else:
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                data = data.decode("latin-1")
                note = "not valid UTF-8; read as Latin-1"
    text = data.lstrip("\ufeff \t\r\n")
    if not text:
        raise X12Error("the file is empty", file=name)
    return text, note


def looks_like_x12(data: bytes) -> bool:
    if data[:2] in _UTF16_BOMS:
        data = data[:64].decode("utf-16", errors="replace").encode("utf-8", errors="replace")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4]
    return head.startswith(b"ISA") or (head[:2] in (b"ST", b"GS") and len(head) > 2
                                       and not chr(head[2]).isalnum())



# ---- naming a segment, quoting a value -----------------------------------------------------

_TAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def segment_tag(segment: str, element: str) -> str | None:
    """The id of a segment (``'CLP'``), or None when its start is not a segment id (then it is
    not shown: it may be any text)."""
    tag = segment.split(element, 1)[0].strip()
    return tag if 2 <= len(tag) <= 3 and set(tag) <= _TAG_CHARS else None


def shown(text: str, kind: str = "code") -> str:
    """A value of the file as a message may quote it: only short codes, counts and control
    numbers (``kind='code'``: letters and digits; ``'number'``: digits only) or amounts with
    at most one stray character (``'amount'``: '2O0.00'), never anything that could be a
    patient's name or member id; else how long it is."""
    if kind == "amount":
        stray = sum(ch not in "0123456789.,-+$() " for ch in text)
        ok = len(text) <= 18 and stray <= 1 and any(ch.isdigit() for ch in text)
    elif kind == "number":
        ok = len(text) <= 9 and text.isascii() and text.isdigit()
    else:
        ok = len(text) <= 3 and text.isascii() and text.isalnum()
    if ok:
        return repr(text)
    return f"(a value of {len(text)} characters, not shown)" if text else "(empty)"



# ---- delimiters and segments ---------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The segments of a file and the delimiters they were split with."""

    segments: Sequence[str]
    element: str
    component: str
    enveloped: bool
    note: str | None  # a warning about how the delimiters were found
    terminated: bool  # the last segment ends with a terminator (a cut file does not)


def _check_delimiters(element: str, component: str, terminator: str, repetition: str | None,
                      where: str, name: str) -> None:
    found = [element, component, terminator] + ([repetition] if repetition else [])
    if len(set(found)) != len(found):
        raise X12Error(f"{where} declares the same character for two delimiters "
                       f"(element {element!r}, component {component!r}, segment "
                       f"{terminator!r}, repetition {repetition!r})", segment_number=1,
                       file=name)
    for ch in (element, component):
        if ch.isalnum() or ch in " " + _LINE_BREAKS:
            raise X12Error(f"{where} declares {ch!r} as a delimiter; delimiters must be "
                           "special characters that do not occur in the data",
                           segment_number=1, file=name)
    if terminator.isalnum() or terminator == " ":
        raise X12Error(f"{where} declares {terminator!r} as the segment terminator; it must "
                       "be a special character", segment_number=1, file=name)


def _split(text: str, terminator: str) -> tuple[list[str], bool]:
    """Remove line breaks that are not terminators, then split into segments.

    Also says whether the last segment was closed by a terminator (always True when the
    terminator is a line break: a missing last line break is common and harmless).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if terminator in _LINE_BREAKS:
        segments = text.split("\n")
    else:
        segments = text.replace("\n", "").split(terminator)
    count = len(segments)
    while segments and not segments[-1].strip(" \t\r\n\x00\x1a"):
        segments.pop()
    return segments, terminator in _LINE_BREAKS or len(segments) < count


def isa_delimiters(text: str, name: str) -> tuple[str, str, str]:
    """The element separator, component separator and segment terminator an ISA declares
    (``'\\n'`` for a line break), checked; X12Error when they cannot be found or are not fit.
    ``text`` is the file's text, or enough of its start to hold the ISA and its terminator."""
    element = text[3] if len(text) > 3 else ""
    if not element or element.isalnum() or element in " " + _LINE_BREAKS:
        raise X12Error("the character after 'ISA' must be the element separator",
                       segment_number=1, segment_id="ISA", file=name)
    pos = 3
    for _ in range(15):  # the 16th separator opens ISA16
        pos = text.find(element, pos + 1, 4 * ISA_LENGTH)
        if pos < 0:
            raise X12Error("the ISA segment is incomplete: it needs 16 elements",
                           segment_number=1, segment_id="ISA", file=name)
    wrapped = any(ch in text[:pos] for ch in _LINE_BREAKS)
    j = pos + 1
    while j < len(text) and text[j] in _LINE_BREAKS:
        j += 1
    k = j + 1
    if wrapped:  # hard-wrapped interchange: every line break is a wrap, none a terminator
        while k < len(text) and text[k] in _LINE_BREAKS:
            k += 1
    if k >= len(text):
        raise X12Error("the file ends inside the ISA segment (no segment terminator after "
                       "ISA16): it is truncated", segment_number=1, segment_id="ISA",
                       file=name)
    component, terminator = text[j], text[k]
    if terminator in _LINE_BREAKS:
        terminator = "\n"
    isa = text[:j + 1].replace("\r", "").replace("\n", "").split(element)
    repetition = isa[11] if (len(isa[11]) == 1 and not isa[11].isalnum()
                             and isa[12] >= "00402") else None
    _check_delimiters(element, component, terminator, repetition, "the ISA segment", name)
    return element, component, terminator


def _layout_from_isa(text: str, name: str) -> Layout:
    element, component, terminator = isa_delimiters(text, name)
    segments, terminated = _split(text, terminator)
    return Layout(segments, element, component, True, None, terminated)


def _layout_without_isa(text: str, name: str) -> Layout:
    tag, element = text[:2], text[2]
    terminator = ""
    for ch in text[3:200]:
        if ch != element and not ch.isalnum() and ch != " ":
            terminator = "\n" if ch in _LINE_BREAKS else ch
            break
    if not terminator:
        raise X12Error(f"no segment terminator found after the {tag} segment",
                       segment_number=1, segment_id=tag, file=name)
    segments, terminated = _split(text, terminator)
    component, assumed = ":", " (assumed)"
    for seg in segments:
        if seg.startswith("SVC" + element):
            composite = seg[4:].split(element, 1)[0]
            if len(composite) > 2 and not composite[2].isalnum():
                component, assumed = composite[2], ""
            break
    _check_delimiters(element, component, terminator, None, f"the {tag} segment", name)
    note = (f"no ISA envelope: the file starts with {tag}; delimiters taken from it (element "
            f"{element!r}, segment {terminator!r}, component {component!r}{assumed}); the "
            "trailer counts of such an extract are checked but only warned about")
    return Layout(segments, element, component, False, note, terminated)


def layout(text: str, name: str) -> Layout:
    if text.startswith("ISA"):
        return _layout_from_isa(text, name)
    if text[:2] in ("ST", "GS") and len(text) > 3 and not text[2].isalnum():
        return _layout_without_isa(text, name)
    hint = (": it holds NUL characters (UTF-16 text or binary data); save the remittance as "
            "plain text" if "\x00" in text[:512] else "")
    raise X12Error(f"not an X12 file: it should start with an ISA segment{hint}",
                   segment_number=1, file=name)

