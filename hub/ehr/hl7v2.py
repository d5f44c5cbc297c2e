"""HL7 v2 text: a frame's bytes to a parsed python-hl7 message, with the field-level reads
the mapping needs. Pure (no sockets, no SQL).

The library parses; this module only tidies what real senders get wrong before it does:
LF or CRLF between segments, blank lines, a broken or missing MSH-2, and explicit nulls
(``""``, read as empty). Every failure is an ``Unreadable`` naming what is wrong, never
quoting the message (it carries patient data).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

import hl7
from hl7.parser import _ParsePlan, _split, create_parse_plan
from hl7.util import unescape

from core.errors import WireError

STANDARD_ENCODING = "^~\\&"
UNREADABLE = "unreadable"
_NULL = '""'


class Unreadable(WireError):
    """A frame that is not an HL7 v2 message this hub can read."""

    def __init__(self, detail: str) -> None:
        super().__init__(UNREADABLE, detail)


def decode(block: bytes, encoding: str = "utf-8") -> str:
    """The frame's text. MSH-18 names the character set when it is Latin-1; otherwise
    UTF-8 is tried first and the configured ``encoding`` is the fallback."""
    header = block.split(b"\r", 1)[0].split(b"\n", 1)[0]
    charset = header.split(header[3:4] or b"|")[17:18] if len(header) > 3 else []
    if charset and charset[0].strip().upper() in (b"8859/1", b"ISO-8859-1", b"ISO IR100"):
        return block.decode("latin-1")
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        fallback = "latin-1" if encoding == "utf-8" else encoding
        return block.decode(fallback, errors="replace")


def normalize(text: str) -> str:
    """Segments ended by CR alone, no blank ones, MSH first with a usable MSH-2."""
    text = text.strip("\x0b\x1c\r\n\t \ufeff")
    lines = [line.strip() for line in text.replace("\r\n", "\r").replace("\n", "\r").split("\r")]
    lines = [line for line in lines if line]
    if not lines:
        raise Unreadable("empty message")
    start = next((i for i, line in enumerate(lines) if line.startswith("MSH")), None)
    if start is None:
        raise Unreadable("no MSH segment")
    lines = lines[start:]  # anything before MSH is noise a sender put on the wire
    lines[0] = _repair_msh(lines[0])
    return "\r".join(lines) + "\r"


def _repair_msh(msh: str) -> str:
    if len(msh) < 8:
        raise Unreadable("MSH segment too short")
    sep = msh[3]
    if sep.isalnum() or sep.isspace() or sep in "\\":
        raise Unreadable("MSH-1 is not a field separator")
    end = msh.find(sep, 4)
    encoding = msh[4:end] if end > 0 else msh[4:]
    if _usable_encoding(encoding, sep):
        return msh
    if any(ch.isalnum() for ch in encoding):  # MSH-2 left out: what follows is MSH-3
        return f"MSH{sep}{STANDARD_ENCODING}{sep}{msh[4:]}"
    rest = msh[end:] if end > 0 else ""
    return f"MSH{sep}{STANDARD_ENCODING}{rest}"


def _usable_encoding(chars: str, sep: str) -> bool:
    """Component, repetition, escape and subcomponent characters (and 2.7's truncation)."""
    return (
        4 <= len(chars) <= 5
        and len(set(chars)) == len(chars)
        and sep not in chars
        and not any(ch.isalnum() or ch.isspace() for ch in chars)
    )


class _Plan(_ParsePlan):  # type: ignore[misc]
    """python-hl7's parse plan, each level made once per message.

    ``hl7.parse`` builds a new plan object for every field, repetition and component it
    splits (a third of its time on an SIU message); this one keeps the next level it
    made. The library's own splitter (``hl7.parser._split``) does the splitting, so the
    tree is the library's, container for container (tests/hub/ehr/test_mapping.py compares
    the two on every message the tests send; hl7 is pinned below 0.5)."""

    def __init__(
        self, separator: str, separators: str, containers: list[Any], esc: str, factory: Any
    ) -> None:
        super().__init__(separator, separators, containers, esc, factory)
        self._tail = separators[separators.find(separator) :]
        self._next: _Plan | None = None

    def next(self) -> _Plan | None:
        if self._next is None and len(self.containers) > 1:
            self._next = super().next()
        return self._next

    def applies(self, text: str) -> bool:
        if text:  # most fields of a segment are empty
            for sep in self._tail:
                if sep in text:
                    return True
        return False


def library_parse(text: str) -> hl7.Message:
    """``hl7.parse(text)``, with the plan made once per level (``_Plan``)."""
    text = text.strip()
    plan = create_parse_plan(text)
    return _split(text, _Plan(plan.separator, plan.separators, plan.containers, plan.esc, plan.factory))


def parse(text: str, reads: Mapping[str, int] | None = None) -> hl7.Message:
    """python-hl7's parse of normalized text; ``Unreadable`` when it cannot. With
    ``reads`` (segment name -> the last field read of it) only MSH and those segments are
    parsed, each up to that field: the rest of a real message (notes, Z-segments, a
    patient's addresses and phone numbers) is never read, and parsing is most of the cost
    of a message. The text itself is what is stored."""
    if reads is not None:
        text = _read_part(text, reads)
    try:
        message = library_parse(text)
    except Exception as exc:  # noqa: BLE001 - the library raises many kinds on bad input
        raise Unreadable(f"not parseable as HL7 v2 ({type(exc).__name__})") from None
    if not isinstance(message, hl7.Message):
        raise Unreadable("not a single HL7 v2 message")
    return message


def _read_part(text: str, reads: Mapping[str, int]) -> str:
    sep = text[3]
    kept = []
    for line in text.split("\r"):
        name = line[:3] if line[3:4] in (sep, "") else ""
        if name == "MSH":
            kept.append(line)
        elif name in reads:
            last = reads[name]
            kept.append(line if line.count(sep) <= last else sep.join(line.split(sep, last + 1)[: last + 1]))
    return "\r".join(kept) + "\r"


def read(block: bytes, encoding: str = "utf-8") -> hl7.Message:
    return parse(normalize(decode(block, encoding)))


# --- reading fields -----------------------------------------------------------------


def segments(message: hl7.Message, name: str) -> list[Any]:
    """The segments named ``name``, in order (indexed once per message: mapping asks often)."""
    index: dict[str, list[Any]] | None = getattr(message, "_kiosk_index", None)
    if index is None:
        index = {}
        for seg in message:
            index.setdefault(str(seg[0]).strip(), []).append(seg)
        message._kiosk_index = index
    return index.get(name, [])


def first(message: hl7.Message, name: str) -> Any | None:
    found = segments(message, name)
    return found[0] if found else None


def value(segment: Any | None, field: int, component: int = 1, sub: int = 1, rep: int = 1) -> str:
    """One leaf, unescaped and stripped; '' when absent or an explicit null.

    The leaf ``Segment.extract_field`` returns (the same walk, and its rules: a path that
    ends early at position 1 reads the leaf it reached, a missing part is ''), without
    the accessor it builds for its error messages: the mapping reads some fifty leaves
    of every message (tests/hub/ehr/test_mapping.py checks the two agree)."""
    field = field or 1
    if segment is None or not 0 < field < len(segment):
        return ""
    try:
        text = _leaf(segment[field], component, sub, rep)
    except (IndexError, KeyError, TypeError, ValueError):
        return ""
    if field <= 2 and segment[0][0] == "MSH":
        return text  # MSH-1 and MSH-2 are the separators themselves
    text = unescape(segment, text).strip() if segment.esc in text else text.strip()
    return "" if text == _NULL else text


def _leaf(field: Any, component: int, sub: int, rep: int) -> str:
    repetition = field(rep)
    if not isinstance(repetition, hl7.Repetition):
        return str(repetition) if component == 1 and sub == 1 else ""
    if component > len(repetition):
        return ""
    part = repetition(component)
    if not isinstance(part, hl7.Component):
        return str(part) if sub == 1 else ""
    return str(part(sub)) if sub <= len(part) else ""


def repetitions(segment: Any | None, field: int) -> int:
    if segment is None or field >= len(segment):
        return 0
    content = segment(field)
    return len(content) if isinstance(content, hl7.Field) else 1


def pick_repetition(segment: Any | None, field: int, type_component: int, wanted: str) -> int:
    """The repetition whose ``type_component`` is ``wanted`` (e.g. CX.5 = MR), else the first."""
    for rep in range(1, repetitions(segment, field) + 1):
        if value(segment, field, type_component, rep=rep).upper() == wanted:
            return rep
    return 1


# --- times ----------------------------------------------------------------------------


def aware(when: datetime, zone: tzinfo | None) -> datetime:
    """A naive wall-clock time in ``zone`` (None: this host's zone, with its DST rules)."""
    if when.tzinfo is not None:
        return when
    return when.replace(tzinfo=zone) if zone is not None else when.astimezone()


def parse_time(text: str, zone: tzinfo | None, what: str) -> datetime | None:
    """A DTM/TS as an aware datetime: its own offset when it has one, else ``zone``'s.
    None when empty; ``WireError`` naming ``what`` when it is not a time."""
    text = text.strip()
    if not text:
        return None
    digits = text.split("+", 1)[0].split("-", 1)[0].split(".", 1)[0]
    if not digits.isdigit() or len(digits) < 8:
        raise WireError("bad_value", f"{what} is not a date and time")
    try:
        when = hl7.parse_datetime(text)
    except (ValueError, TypeError, OverflowError):
        raise WireError("bad_value", f"{what} is not a date and time") from None
    if when is None:
        return None
    return aware(when, zone)


def local_minute(when: datetime, zone: tzinfo | None) -> str:
    """The practice's wall-clock minute, as the protocol writes it."""
    return when.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def birth_date(text: str) -> str:
    """YYYY-MM-DD as written: a birth date's time and offset are ignored (converting
    them could move the day of birth)."""
    digits = text.strip()[:8]
    if len(digits) < 8 or not digits.isdigit():
        raise WireError("bad_value", "PID-7 birth date has no year, month and day")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
    except ValueError:
        raise WireError("bad_value", "PID-7 birth date is not a real date") from None
