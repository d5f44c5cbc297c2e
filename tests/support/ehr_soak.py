"""The SIGKILL soak of the EHR interface: a hub process killed with a frame in flight while
a practice system sends (the test runs 300 messages, the bench 10,000)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from hl7.mllp import open_hl7_connection

from hub.ehr.acks import read_ack
from hub.store import HubStore
from tests.support.broker import free_port
from tests.support.clock import wall_now
from tests.support.procs import Proc
from tests.support.siu import Siu


def hub_process(state_dir: Path, port: int, *extra: str) -> Proc:
    return Proc("tests.support.ehr_hub_proc", str(state_dir), str(port), *extra)


async def send_until_acked(port: int, frame: bytes, timeout: float = 20.0) -> str:
    """What a practice system does: send, and send again on a new connection until an ACK."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            reader, writer = await open_hl7_connection("127.0.0.1", port)
            try:
                writer.writeblock(frame)
                await writer.drain()
                return read_ack(await asyncio.wait_for(reader.readblock(), 5)).code
            finally:
                writer.close()
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.05)


def soak(state_dir: Path, messages: int, kills: int) -> dict[str, int]:
    """Send ``messages`` S12 (two providers, two months, a sixtieth of them for today: a
    realistic day's size), SIGKILL the hub ``kills`` times
    with a frame in flight; the figures a test or the bench checks."""
    port = free_port()
    hub = hub_process(state_dir, port)
    start = wall_now().replace(second=0, microsecond=0)
    frames = [
        Siu(
            f"K{i:05d}",
            appointment_id=f"K{i:05d}",
            start=start + timedelta(days=i % 60, minutes=i % 480),
            provider=f"D{1 + i % 2}",
            sent=start,
        ).bytes()
        for i in range(messages)
    ]
    kill_at = {messages * (k + 1) // (kills + 1) for k in range(kills)}
    acked = 0

    async def run() -> None:
        nonlocal hub, acked
        for i, frame in enumerate(frames):
            if i in kill_at:  # this frame goes out and the hub dies before (or after) storing it
                _reader, writer = await open_hl7_connection("127.0.0.1", port)
                writer.writeblock(frame)
                await writer.drain()
                hub.kill()
                writer.close()
                hub = hub_process(state_dir, port)
            code = await send_until_acked(port, frame)
            acked += code == "AA"

    try:
        asyncio.run(run())
    finally:
        hub.close()
    db = HubStore.open(state_dir / "hub" / "hub.sqlite", readonly=True).db  # the key beside it
    stored = {r[0] for r in db.execute("SELECT control_id FROM ehr_messages WHERE outcome = 'AA'")}
    applied = dict(db.execute("SELECT name, value FROM counters WHERE name LIKE 'ehr_%'").fetchall())
    appointments = db.execute("SELECT count(*) FROM ehr_appointments").fetchone()[0]
    db.close()
    expected = {f"K{i:05d}" for i in range(messages)}
    return {
        "acked": acked,
        "lost": len(expected - stored),
        # ehr_AA counts every AA answered, a repeat's too: a frame the hub stored just before
        # its SIGKILL comes again and is answered AA as a duplicate (applied once).
        "applied": applied.get("ehr_AA", 0) - applied.get("ehr_duplicate", 0),
        "appointments": appointments,
        "repeats_acknowledged": applied.get("ehr_duplicate", 0),
    }
