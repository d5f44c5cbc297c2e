"""What an SIU message means: its header, and the appointment it books, moves, changes,
cancels or deletes. Pure: a parsed message and the rules in, an ``Event`` or a
``Refusal`` (AE/AR with its reason) out. The field fallbacks are the ones docs/ehr.md
lists; a reason names the field, never its value.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any, Literal

import hl7

from core.errors import WireError
from hub.ehr import contacts
from hub.ehr.hl7v2 import (
    birth_date,
    first,
    local_minute,
    parse_time,
    pick_repetition,
    repetitions,
    segments,
    value,
)
from sync import messages as m

TRIGGERS = ("S12", "S13", "S14", "S15", "S16", "S17", "S26")
# A booking or reschedule must say everything; a modification (S14), like a cancel, may
# state only what changed (an orphan when the hub never booked it: docs/ehr.md).
_BOOKING = ("S12", "S13")
_STATE_OF_TRIGGER = {"S15": "cancelled", "S16": "cancelled", "S17": "deleted", "S26": "no_show"}
# HL7 table 0278 (filler status) and what senders write instead.
_STATE_OF_STATUS = {
    "BOOKED": "booked",
    "PENDING": "booked",
    "OVERBOOK": "booked",
    "WAITLIST": "booked",
    "CANCELLED": "cancelled",
    "CANCELED": "cancelled",
    "DC": "cancelled",
    "BLOCKED": "cancelled",
    "DELETED": "deleted",
    "NOSHOW": "no_show",
    "NO SHOW": "no_show",
    "STARTED": "checked_in",
    "COMPLETE": "checked_in",
    "ARRIVED": "checked_in",
    "CHECKED IN": "checked_in",
    "CHECKEDIN": "checked_in",
}
_RESOURCES = ("AIP", "AIG", "AIS", "AIL")
# (segment, start field, duration field, units field, filler status field) of each resource.
_RESOURCE_FIELDS = {
    "AIS": (4, 7, 8, 10),
    "AIG": (8, 11, 12, 14),
    "AIL": (6, 9, 10, 12),
    "AIP": (6, 9, 10, 12),
}
# The segments the mapping reads, and the last field it reads of each (hl7v2.parse parses
# only these, and MSH); a new read beyond them must be added here.
READS = {"SCH": 25, "TQ1": 13, "PID": 15, "PV1": 7, "AIP": 12, "AIG": 14, "AIS": 10, "AIL": 12}
_ECHOED = ("SCH", "TQ1", "PID", "PV1", "RGS", "AIS", "AIG", "AIL", "AIP")
_PID_ECHOED = 8  # PID-1..8 go back with an arrival; phone numbers (PID-13/14) never leave the hub

State = Literal["booked", "checked_in", "cancelled", "no_show", "deleted"]


@dataclass(frozen=True)
class Refusal:
    code: Literal["AE", "AR"]
    reason: str


@dataclass(frozen=True)
class Header:
    control_id: str
    sender: str  # MSH-3 (with MSH-4): MSH-10 is unique per sending system
    message_type: str  # e.g. SIU^S12
    trigger: str
    version: str
    sent_at: str  # MSH-7 in UTC (ISO), '' when the message gives none


@dataclass(frozen=True)
class ProviderRef:
    ehr_id: str
    name: str


@dataclass(frozen=True)
class Booking:
    """An appointment as a message states it ('' where the message does not say)."""

    id: str
    placer_id: str
    filler_id: str
    state: State
    filler_status: str
    start: str = ""  # local YYYY-MM-DDTHH:MM
    duration_min: int = 0
    providers: tuple[ProviderRef, ...] = ()
    first_name: str = ""
    last_name: str = ""
    dob: str = ""
    mrn: str = ""
    echo: str = ""  # the segments an arrival sends back, with the message's separators
    contact: contacts.EhrContact | None = None  # PID-13/14/15 (hub/ehr/contacts.py); None: no PID


@dataclass(frozen=True)
class Event:
    header: Header
    booking: Booking
    complete: bool = field(default=True)  # False: a cancel/delete without the booking's details


@dataclass(frozen=True)
class Rules:
    zone: tzinfo | None  # the practice's; None: this host's
    default_duration_min: int = 15


def header(message: hl7.Message, zone: tzinfo | None) -> Header | Refusal:
    msh = first(message, "MSH")
    control_id = value(msh, 10)
    if not control_id:
        return Refusal("AE", "MSH-10 message control id is empty")
    if len(control_id) > 199:
        return Refusal("AE", "MSH-10 message control id longer than 199 characters")
    kind, trigger = value(msh, 9, 1).upper(), value(msh, 9, 2).upper()
    version = value(msh, 12)
    sender = "^".join(part for part in (value(msh, 3), value(msh, 4)) if part)
    try:
        sent = parse_time(value(msh, 7), zone, "MSH-7")
    except WireError:
        sent = None  # the arrival order stands in for a time the sender garbled
    stamp = sent.astimezone(UTC).isoformat(timespec="microseconds") if sent else ""
    return Header(control_id, sender[:200], f"{kind}^{trigger}", trigger, version, stamp)


def refusal_of_type(head: Header) -> Refusal | None:
    """AR for a message this hub does not take (another type, trigger or version)."""
    kind, trigger = head.message_type.split("^", 1)
    if kind != "SIU":
        return Refusal("AR", f"message type {head.message_type[:20]} is not taken (SIU only)")
    if trigger not in TRIGGERS:
        return Refusal("AR", f"trigger event {trigger[:10]} is not taken ({', '.join(TRIGGERS)})")
    if head.version and not _version_taken(head.version):
        return Refusal("AR", f"HL7 version {head.version[:10]} is not taken (2.2 to 2.8)")
    return None


def _version_taken(version: str) -> bool:
    parts = version.split(".")
    try:
        numbers = [int(p) for p in parts[:2]]
    except ValueError:
        return False
    return len(numbers) == 2 and numbers[0] == 2 and 2 <= numbers[1] <= 8


def event(message: hl7.Message, head: Header, rules: Rules, text: str = "") -> Event | Refusal:
    """``text``: the message as ``hl7v2.normalize`` left it (what an arrival echoes)."""
    try:
        return _event(message, head, rules, text)
    except WireError as exc:
        return Refusal("AE", exc.detail or exc.reason)


def _event(message: hl7.Message, head: Header, rules: Rules, text: str) -> Event | Refusal:
    sch = first(message, "SCH")
    if sch is None:
        return Refusal("AE", "no SCH segment")
    filler, placer = value(sch, 2), value(sch, 1)
    ehr_id = filler or placer
    if not ehr_id:
        return Refusal("AE", "no appointment id: SCH-2 and SCH-1 are empty")
    status = _filler_status(message, sch)
    state: State = _STATE_OF_TRIGGER.get(head.trigger) or _STATE_OF_STATUS.get(status.upper(), "booked")  # type: ignore[assignment]
    start = _start(message, sch, rules.zone)
    pid = first(message, "PID")
    names = _patient(pid)
    providers = _providers(message, sch)
    booking = Booking(
        id=appointment_key(ehr_id),
        placer_id=placer,
        filler_id=filler,
        state=state,
        filler_status=status,
        start=start,
        duration_min=_duration(message, sch) or rules.default_duration_min,
        providers=providers,
        first_name=names[0],
        last_name=names[1],
        dob=birth_date(value(pid, 7)) if value(pid, 7) else "",
        mrn=names[2],
        echo=_echo(message, text),
        contact=contacts.from_pid(pid) if pid is not None else None,
    )
    missing = _missing(booking)
    if head.trigger in _BOOKING and missing:
        return Refusal("AE", missing)
    if not 0 < booking.duration_min <= 480:
        return Refusal("AE", "duration out of 1..480 minutes (TQ1-13, SCH-9/SCH-10, AIS-7/AIP-9)")
    return Event(head, booking, complete=not missing)


def appointment_key(ehr_id: str) -> str:
    """The hub's id of an appointment: the practice system's when the protocol can carry
    it, else a stable digest of it."""
    try:
        m.check_id(ehr_id, "appointment id")
    except WireError:
        return "h" + hashlib.sha256(ehr_id.encode()).hexdigest()[:24]
    return ehr_id


def _missing(b: Booking) -> str:
    if not b.start:
        return "no start: TQ1-7, SCH-11.4 and the resources' start times are empty"
    if not b.providers:
        return "no provider: AIP-3, AIG-3, PV1-7 and SCH-16 are empty"
    if not b.first_name:
        return "PID-5 given name is empty"
    if not b.last_name:
        return "PID-5 family name is empty"
    if not b.dob:
        return "PID-7 birth date is empty"
    return ""


def _filler_status(message: hl7.Message, sch: Any) -> str:
    status = value(sch, 25)
    for name in _RESOURCES:
        for seg in segments(message, name):
            status = status or value(seg, _RESOURCE_FIELDS[name][3])
    return status


def _start(message: hl7.Message, sch: Any, zone: tzinfo | None) -> str:
    tq1 = first(message, "TQ1")
    candidates = [("TQ1-7", value(tq1, 7)), ("SCH-11.4", value(sch, 11, 4))]
    for name in _RESOURCES:
        for seg in segments(message, name):
            candidates.append((f"{name}-{_RESOURCE_FIELDS[name][0]}", value(seg, _RESOURCE_FIELDS[name][0])))
    garbled: WireError | None = None
    for what, text in candidates:
        try:
            when = parse_time(text, zone, what)
        except WireError as exc:  # the next place that states the start may be readable
            garbled = garbled or exc
            continue
        if when is not None:
            return local_minute(when, zone)
    if garbled is not None:
        raise garbled
    return ""


def _minutes(amount: str, units: str) -> int:
    try:
        number = float(amount)
    except ValueError:
        return 0
    unit = units.strip().lower()
    if unit.startswith("h"):
        number *= 60
    elif unit.startswith("s"):
        number /= 60
    return round(number) if math.isfinite(number) else 0


def _duration(message: hl7.Message, sch: Any) -> int:
    tq1 = first(message, "TQ1")
    found = _minutes(value(tq1, 13, 1), value(tq1, 13, 2)) if value(tq1, 13, 1) else 0
    if not found and value(sch, 9):
        found = _minutes(value(sch, 9), value(sch, 10))
    for name in _RESOURCES:
        for seg in segments(message, name):
            _, dur, unit, _ = _RESOURCE_FIELDS[name]
            if not found and value(seg, dur):
                found = _minutes(value(seg, dur), value(seg, unit))
    return found


def _patient(pid: Any | None) -> tuple[str, str, str]:
    """(given, family, MRN) as the sender sent them: the first complete PID-5 repetition
    (given and family name), the legal one (XPN.7 = L) when it is complete; the first
    non-empty PID-3 identifier typed MR (CX.5), else the first non-empty one."""
    rep = _name_repetition(pid)
    given = value(pid, 5, 2, rep=rep)
    family = value(pid, 5, 1, 1, rep=rep)
    return given[:64], family[:80], _mrn(pid)[:64]


def _name_repetition(pid: Any | None) -> int:
    complete: list[int] = []
    legal = 0
    for rep in range(1, repetitions(pid, 5) + 1):
        if value(pid, 5, 2, rep=rep) and value(pid, 5, 1, 1, rep=rep):
            complete.append(rep)
            if value(pid, 5, 7, rep=rep).upper() == "L" and not legal:
                legal = rep
    if legal or complete:
        return legal or complete[0]
    return pick_repetition(pid, 5, 7, "L")  # none complete: the one whose gap the refusal names


def _mrn(pid: Any | None) -> str:
    ids = [
        (value(pid, 3, 1, rep=rep), value(pid, 3, 5, rep=rep).upper())
        for rep in range(1, repetitions(pid, 3) + 1)
    ]
    return next((i for i, kind in ids if i and kind == "MR"), "") or next((i for i, _ in ids if i), "")


def _providers(message: hl7.Message, sch: Any) -> tuple[ProviderRef, ...]:
    """Every provider the message names, in the order of the fallbacks."""
    found: list[ProviderRef] = []
    places = [(seg, 3) for seg in segments(message, "AIP")] + [(seg, 3) for seg in segments(message, "AIG")]
    places += [(first(message, "PV1"), 7), (sch, 16)]
    for seg, fld in places:
        for rep in range(1, min(repetitions(seg, fld), 20) + 1):
            ref = _xcn(seg, fld, rep)  # an empty repetition (a leading ~) is skipped, not the end
            if ref is not None:
                found.append(ref)
    return tuple(found)


def _xcn(seg: Any | None, fld: int, rep: int) -> ProviderRef | None:
    ehr_id = value(seg, fld, 1, rep=rep)
    if not ehr_id:
        return None
    given, family, prefix = (
        value(seg, fld, 3, rep=rep),
        value(seg, fld, 2, rep=rep),
        value(seg, fld, 6, rep=rep),
    )
    name = " ".join(part for part in (prefix, given, family) if part)
    return ProviderRef(ehr_id[:64], name[:80])


def _echo(message: hl7.Message, text: str) -> str:
    """The segments an arrival repeats (with this message's separators), PID cut to 1..8;
    from the normalized text when there is one (re-serializing costs more than parsing)."""
    lines = [line for line in text.split("\r") if line] if text else [str(seg) for seg in message]
    msh = lines[0] if lines and lines[0].startswith("MSH") else ""
    separators = msh[3 : msh.find(msh[3], 4)] if len(msh) > 8 else "|^~\\&"
    kept = []
    for line in lines:
        name = line[:3]
        if name not in _ECHOED:
            continue
        if name == "PID":
            line = separators[0].join(line.split(separators[0])[: _PID_ECHOED + 1])  # noqa: PLW2901
        kept.append(line)
    return separators + "\n" + "\r".join(kept)
