"""SIU messages as practice systems write them (by HL7 version), and an MLLP client that
sends them over a real socket and reads the ACKs (python-hl7's asyncio streams)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hl7.mllp import open_hl7_connection

from hub.ehr.acks import AckReply, read_ack

VERSIONS = ("2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8")
TRIGGERS = ("S12", "S13", "S14", "S15", "S16", "S17", "S26")


def hl7_time(when: datetime) -> str:
    return when.strftime("%Y%m%d%H%M")


@dataclass
class Siu:
    """One SIU message; ``text()`` writes it the way a system of ``version`` would."""

    control_id: str
    trigger: str = "S12"
    version: str = "2.5"
    appointment_id: str = "A1"
    start: datetime = field(default_factory=lambda: datetime(2026, 11, 30, 9, 30))
    duration_min: int = 20
    provider: str = "D1"
    first_name: str = "Mary"
    last_name: str = "Smith"
    dob: str = "19800101"
    mrn: str = "MRN1"
    status: str = "Booked"
    sent: datetime | None = None
    phone: str = "555-0100"
    extra: list[str] = field(default_factory=list)  # more segments (Z-segments...)

    def text(self) -> str:
        v = self.version
        old = v in ("2.2", "2.3")
        msg_type = f"SIU^{self.trigger}" if old else f"SIU^{self.trigger}^SIU_S12"
        sent = hl7_time(self.sent) + "00" if self.sent else ""
        start = hl7_time(self.start)
        modern = v >= "2.5"
        timing = "" if modern else f"^^^{start}"
        sch = _fields(
            "SCH",
            {1: f"P-{self.appointment_id}^EHR", 2: f"{self.appointment_id}^EHR", 11: timing, 25: self.status},
        )
        if not modern:
            sch = _fields(
                "SCH",
                {
                    1: f"P-{self.appointment_id}^EHR",
                    2: f"{self.appointment_id}^EHR",
                    9: str(self.duration_min),
                    10: "min",
                    11: timing,
                    25: self.status,
                },
            )
        segs = [
            f"MSH|^~\\&|EHR|CLINIC|KIOSK|PRACTICE|{sent}||{msg_type}|{self.control_id}|P|{v}",
            sch,
        ]
        if modern:
            segs.append(_fields("TQ1", {1: "1", 7: start, 13: f"{self.duration_min}^min"}))
        segs.append(
            _fields(
                "PID",
                {
                    1: "1",
                    3: f"{self.mrn}^^^CLINIC^MR",
                    5: f"{self.last_name}^{self.first_name}^^^^^L",
                    7: self.dob,
                    8: "F",
                    13: self.phone,
                },
            )
        )
        segs += ["RGS|1|A", _fields("AIP", {1: "1", 3: f"{self.provider}^Chen^Wei^^^Dr", 6: start})]
        segs += self.extra
        return "\r".join(segs) + "\r"

    def bytes(self) -> bytes:
        return self.text().encode()


def _fields(name: str, values: dict[int, str]) -> str:
    last = max(values)
    return "|".join([name, *(values.get(i, "") for i in range(1, last + 1))])


# --- MLLP over loopback ----------------------------------------------------------------


async def send_frames(port: int, frames: Sequence[bytes], timeout: float = 10.0) -> list[AckReply]:
    """Send each frame on one connection, waiting for its ACK before the next."""
    reader, writer = await open_hl7_connection("127.0.0.1", port)
    replies = []
    try:
        for frame in frames:
            writer.writeblock(frame)
            await writer.drain()
            replies.append(read_ack(await asyncio.wait_for(reader.readblock(), timeout)))
    finally:
        writer.close()
    return replies


def exchange(port: int, frames: Sequence[bytes], timeout: float = 10.0) -> list[AckReply]:
    return asyncio.run(send_frames(port, frames, timeout))


def send(port: int, *messages: Siu | str | bytes) -> list[AckReply]:
    frames = [m.bytes() if isinstance(m, Siu) else m.encode() if isinstance(m, str) else m for m in messages]
    return exchange(port, frames)
