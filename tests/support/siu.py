"""SIU messages as practice systems write them (by HL7 version), and an MLLP client that
sends them over a real socket and reads the ACKs (python-hl7's asyncio streams)."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from hl7.mllp import open_hl7_connection

from config.settings import BrokerSettings, HubEhrSettings, HubSettings, KioskSettings, Settings
from core.worker import Worker
from devtools.local_broker import closed_port
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
    phone: str = "555-0100"  # PID-13, as written (XTN)
    business_phone: str = ""  # PID-14
    language: str = ""  # PID-15
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
                    **({14: self.business_phone} if self.business_phone else {}),
                    **({15: self.language} if self.language else {}),
                },
            )
        )
        segs += ["RGS|1|A", _fields("AIP", {1: "1", 3: f"{self.provider}^Chen^Wei^^^Dr", 6: start})]
        segs += self.extra
        return "\r".join(segs) + "\r"

    def bytes(self) -> bytes:
        return self.text().encode()


def real_world_mess(today: str) -> dict[str, str]:
    """SIU^S12 messages as real senders write them (``today``: YYYYMMDD), one per kind of
    mess: LF and CRLF, repetitions, subcomponents, escapes, offsets, Z-segments and
    several RGS groups, explicit nulls, broken MSH-2s (control ids M1..M10)."""
    offset = "+0000"
    return {
        "lf": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M1|P|2.5\nSCH||M1^E\nTQ1|1||||||{today}0915\n"
        "PID|1||X1^^^C^MR||Lf^Ann||19700101\nRGS|1\nAIP|1||D1\n",
        "crlf": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M2|P|2.5\r\nSCH||M2^E\r\nTQ1|1||||||{today}0915\r\n"
        "PID|1||X2||Crlf^Bo||19700101\r\nAIP|1||D1\r\n\r\n",
        # repetitions (alias name first, legal name second; SSN before MRN) and subcomponents
        "reps": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M3|P|2.5\rSCH||M3\rTQ1|1||||||{today}0915\r"
        "PID|1||999^^^S^SS~X3^^^C^MR||Alias^Al^^^^^A~van&der&Berg^Cy^^^^^L||19700101\rAIP|1||D1\r",
        # escape sequences: O&Brien with \\T\\, a separator in a name
        "escapes": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M4|P|2.5\rSCH||M4\rTQ1|1||||||{today}0915\r"
        "PID|1||X4||O\\T\\Brien^D\\S\\Ann||19700101\rAIP|1||D1\r",
        # times with offsets: the start in UTC, the birth date with a time and an offset
        "offsets": f"MSH|^~\\&|EHR|C|K|P|{today}080000{offset}||SIU^S12|M5|P|2.5\rSCH||M5\r"
        f"TQ1|1||||||{today}0915{offset}\r"
        "PID|1||X5||Tz^Eve||197001010000-0500\rAIP|1||D1\r",
        # Z-segments, several RGS groups (a room, a nurse unknown to the hub, then the provider)
        "groups": f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M6|P|2.5\rSCH||M6\rTQ1|1||||||{today}0915\rZSC|x|y\r"
        "PID|1||X6||Group^Gil||19700101\rZPI|private\rRGS|1\rAIL|1||ROOM1\rRGS|2\rAIP|1||N99^Nurse\r"
        "RGS|3\rAIP|1||D2^Okafor^Ngozi\r",
        # explicit nulls, and a duration only in the AIS segment
        "nulls": f'MSH|^~\\&|EHR|C|K|P|""||SIU^S12|M7|P|2.4\rSCH|M7|""|||||||""|""|^^^{today}0915\r'
        'PID|1|""|X7||Null^Nia||19700101|""\rRGS|1\rAIS|1||VISIT||||45|min\rAIP|1||D1\r',
        # broken MSH-2: the escape character left out, then MSH-2 missing altogether
        "msh2_short": f"MSH|^~&|EHR|C|K|P|||SIU^S12|M8|P|2.5\rSCH||M8\rTQ1|1||||||{today}0915\r"
        "PID|1||X8||Short^Sam||19700101\rAIP|1||D1\r",
        "msh2_missing": f"MSH|EHR|C|K|P|||SIU^S12|M9|P|2.5\rSCH||M9\rTQ1|1||||||{today}0915\r"
        "PID|1||X9||Missing^Max||19700101\rAIP|1||D1\r",
        "msh2_truncation": f"MSH|^~\\&#|EHR|C|K|P|||SIU^S12|M10|P|2.7\rSCH||M10\rTQ1|1||||||{today}0915\r"
        "PID|1||X10||Trunc^Tia||19700101\rAIP|1||D1\r",
    }


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


# --- a hub with the interface, in this process (no broker needed: publishes are deferred) --


def ehr_settings(
    state_dir: Path, *, port: int = 0, broker: BrokerSettings | None = None, **ehr: Any
) -> Settings:
    """A hub site with the interface on; without ``broker`` it points at a port nobody
    listens on (the MLLP side needs no broker)."""
    values: dict[str, Any] = {"enabled": True, "port": port, "providers": {"D1": "chen", "D2": "okafor"}}
    values.update(ehr)
    return Settings(
        kiosk=KioskSettings(id="hub-side", practice="acme", site="main", state_dir=str(state_dir)),
        broker=broker or BrokerSettings(port=closed_port(), reconnect_min_s=0.5, reconnect_max_s=2.0),
        hub=HubSettings(state_dir=str(state_dir / "hub"), ehr=HubEhrSettings(**values)),
    )


class EhrHub:
    """A HubService and its EhrService, started; ``stop()`` in reverse."""

    def __init__(self, settings: Settings) -> None:
        from hub.ehr.service import EhrService
        from hub.service import HubService

        self.hub = HubService(settings)
        self.hub.start(None)
        self.ehr = EhrService(settings, self.hub)
        self.ehr.start()

    @property
    def port(self) -> int:
        return self.ehr.port

    def query(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        return list(self.hub.call(lambda store: store.db.execute(sql, params).fetchall()))

    def stop(self) -> None:
        self.ehr.stop()
        self.hub.stop()


class Receiver:
    """The practice system's inbound interface: an MLLP server (on a ``core.worker.Worker``)
    that records every message and answers ``answers`` in turn, then AA. What it applies
    it applies once per MSH-10, as an HL7 receiver does."""

    def __init__(self, answers: Sequence[str] = (), port: int = 0) -> None:
        self.answers = list(answers)
        self.received: list[str] = []
        self.applied: dict[str, str] = {}  # MSH-10 -> message, first AA only
        self.port = port
        self._worker = Worker("test-receiver", stall_s=math.inf)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def start(self) -> Receiver:
        self._worker.start()
        self._worker.post(lambda: asyncio.run(self._main()))
        if not self._ready.wait(10):
            raise RuntimeError("receiver did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._worker.stop(10)

    async def _main(self) -> None:
        from hl7.mllp import start_hl7_server

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await start_hl7_server(self._serve, "127.0.0.1", self.port)
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        await self._stop.wait()
        server.close()

    async def _serve(self, reader: Any, writer: Any) -> None:
        import hl7

        try:
            while True:
                text = (await reader.readblock()).decode()
                self.received.append(text)
                message = hl7.parse(text)
                control_id = str(message.segment("MSH")(10))
                code = self.answers.pop(0) if self.answers else "AA"
                if code == "AA":
                    self.applied.setdefault(control_id, text)
                if code != "silent":
                    reply = message.create_ack(code, message_id="R" + control_id[:19])
                    writer.writeblock(str(reply).encode())
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
