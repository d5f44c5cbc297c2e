"""What the hub writes back in HL7 v2: ACKs (AA, AE with a reason, AR) and arrivals
(SIU^S14 or ADT^A10). Pure: text in, text out; times are given, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import hl7

from hub.ehr.hl7v2 import STANDARD_ENCODING, Unreadable, first, parse, read, value

# HL7 table 0357: what an ERR segment says went wrong.
_ERROR_CODE = {"AR": ("200", "Unsupported message type"), "AE": ("207", "Application internal error")}


@dataclass(frozen=True)
class Sender:
    """This hub as MSH-3/MSH-4 of what it sends."""

    application: str
    facility: str


@dataclass(frozen=True)
class AckReply:
    code: str  # MSA-1: AA, AE, AR (or CA/CE/CR)
    control_id: str  # MSA-2: the MSH-10 it answers
    text: str


def stamp(when: datetime) -> str:
    return when.strftime("%Y%m%d%H%M%S")


def ack(
    message: hl7.Message, code: str, reason: str, *, control_id: str, sender: Sender, now: datetime
) -> bytes:
    """The ACK of ``message``: its separators, version and trigger, MSA-1 ``code``; AE and
    AR carry ``reason`` in MSA-3 and an ERR segment.

    What python-hl7's ``Message.create_ack`` writes (MSH-3/4 this hub, MSH-5/6 the sender,
    MSH-9 ``ACK^trigger^ACK``, MSH-11/12 and MSA-2 copied as they came), written from the
    MSH's text: a sixth of the cost, and an MSH that ends before MSH-12, or an MSH-9
    without a trigger, gets its ACK with those fields empty instead of an IndexError."""
    seps: str = message.separators  # segment, field, repetition, component, subcomponent
    sep, rep, comp = seps[1], seps[2], seps[3]
    msh = str(first(message, "MSH") or "").split(sep)
    raw = msh + [""] * (12 - len(msh))  # raw[n - 1] is MSH-n (raw[1] is MSH-2)
    types = raw[8].split(rep, 1)[0].split(comp)
    trigger = types[1] if len(types) > 1 else ""
    header = [
        "MSH",
        raw[1],
        sender.application,
        sender.facility,
        raw[2],
        raw[3],
        stamp(now),
        "",
        comp.join(["ACK", trigger, "ACK"]),
        control_id,
        raw[10],
        raw[11],
    ]
    msa = ["MSA", code, raw[9]]
    if not reason:
        return (sep.join(header) + "\r" + sep.join(msa) + "\r").encode()
    text = str(message.escape(reason))
    msa.append(text)
    number, name = _ERROR_CODE.get(code, _ERROR_CODE["AE"])
    if raw[11][:3] in ("2.2", "2.3", "2.4"):
        err = f"ERR{sep}{comp * 3}{number}{seps[4]}{name}{seps[4]}HL70357"
    else:
        err = sep.join(["ERR", "", "", comp.join([number, name, "HL70357"]), "E", "", "", "", text])
    return (sep.join(header) + "\r" + sep.join(msa) + "\r" + err + "\r").encode()


def bare_ack(reason: str, control_id: str, sender: Sender, now: datetime) -> bytes:
    """AR for a frame that is no readable message (there is no MSH to answer from)."""
    text = reason.replace("|", " ").replace("^", " ").replace("~", " ").replace("\\", " ").replace("&", " ")
    return (
        f"MSH|{STANDARD_ENCODING}|{sender.application}|{sender.facility}|||{stamp(now)}||ACK|{control_id}|P|2.5\r"
        f"MSA|AR||{text}\r"
    ).encode()


def read_ack(block: bytes) -> AckReply:
    """MSA-1, MSA-2 and the text (MSA-3, else ERR-8) of a reply; ``Unreadable`` otherwise."""
    message = read(block)
    msa = first(message, "MSA")
    if msa is None:
        raise Unreadable("the reply has no MSA segment")
    err = first(message, "ERR")
    return AckReply(value(msa, 1).upper(), value(msa, 2), value(msa, 3) or value(err, 8))


def arrival(
    echo: str,
    control_id: str,
    *,
    created: datetime,
    arrived: datetime,
    sender: Sender,
    kind: str = "SIU^S14",
    status: str = "Arrived",
) -> str:
    """The arrival of one appointment, from the segments its booking carried
    (``siu.Booking.echo``). The same row always gives the same bytes: a resend is the
    same message with the same MSH-10, so the practice system applies it once."""
    seps, _, body = echo.partition("\n")
    seps = seps if len(seps) >= 5 else "|" + STANDARD_ENCODING
    sep = seps[0]
    event = kind.split("^")[1]
    structure = "SIU_S12" if kind.startswith("SIU") else "ADT_A01"
    msh = sep.join(
        [
            "MSH",
            seps[1:],
            sender.application,
            sender.facility,
            "",
            "",
            stamp(created),
            "",
            seps[1].join([*kind.split("^"), structure]),
            control_id,
            "P",
            "2.5",
        ]
    )
    message = parse(msh + "\r" + body + "\r")
    if kind.startswith("SIU"):
        sch = first(message, "SCH")
        if sch is not None:
            sch.assign_field(status, 25)
        return str(message)
    kept = [str(seg) for seg in message if str(seg[0]) in ("PID", "PV1")]
    if not any(s.startswith("PV1") for s in kept):
        kept.append(sep.join(["PV1", "1", "O"]))
    evn = sep.join(["EVN", event, stamp(created), "", "", "", stamp(arrived)])
    return "\r".join([msh, evn, *kept]) + "\r"
