"""The hub SIGKILLed while the practice system sends: every AA it gave was stored, nothing
is applied twice, and an arrival not yet acknowledged is sent after the restart."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

from hl7.mllp import open_hl7_connection

from hub.ehr.acks import read_ack
from tests.support.broker import free_port
from tests.support.clock import wall_now
from tests.support.procs import Proc
from tests.support.site import wait_for
from tests.support.siu import Receiver, Siu


def _hub(state_dir: Path, port: int, *extra: str) -> Proc:
    return Proc("tests.support.ehr_hub_proc", str(state_dir), str(port), *extra)


async def _send_until_acked(port: int, frame: bytes, timeout: float = 20.0) -> str:
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
    """Send ``messages`` S12 (a third of them for today), SIGKILL the hub ``kills`` times
    with a frame in flight; the figures a test or the bench checks."""
    port = free_port()
    hub = _hub(state_dir, port)
    start = wall_now().replace(second=0, microsecond=0)
    frames = [
        Siu(f"K{i:05d}", appointment_id=f"K{i:05d}", start=start + timedelta(days=i % 3), sent=start).bytes()
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
                hub = _hub(state_dir, port)
            code = await _send_until_acked(port, frame)
            acked += code == "AA"

    try:
        asyncio.run(run())
    finally:
        hub.close()
    db = sqlite3.connect(state_dir / "hub" / "hub.sqlite")
    stored = {r[0] for r in db.execute("SELECT control_id FROM ehr_messages WHERE outcome = 'AA'")}
    applied = dict(db.execute("SELECT name, value FROM counters WHERE name LIKE 'ehr_%'").fetchall())
    appointments = db.execute("SELECT count(*) FROM ehr_appointments").fetchone()[0]
    db.close()
    expected = {f"K{i:05d}" for i in range(messages)}
    return {
        "acked": acked,
        "lost": len(expected - stored),
        "applied": applied.get("ehr_AA", 0),
        "appointments": appointments,
        "repeats_acknowledged": applied.get("ehr_duplicate", 0),
    }


def test_sigkill_mid_stream_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    figures = soak(tmp_path, messages=300, kills=2)
    assert figures["acked"] == 300, "every message was acknowledged AA in the end"
    assert figures["lost"] == 0, "every AA meant stored"
    assert figures["applied"] == 300, "no message was applied twice"
    assert figures["appointments"] == 300


def test_an_arrival_in_flight_when_the_hub_dies_is_sent_after_the_restart(tmp_path: Path) -> None:
    receiver = Receiver(answers=["silent"] * 1000).start()  # takes it, never answers
    port = free_port()
    hub = _hub(tmp_path, port, str(receiver.port))
    try:
        start = wall_now().replace(second=0, microsecond=0)
        assert (
            asyncio.run(_send_until_acked(port, Siu("A1", start=start, appointment_id="ARR").bytes())) == "AA"
        )
        assert hub.ask("checkin ARR chen") == "ok"
        wait_for(lambda: receiver.received, 10, "the arrival sent")
        hub.kill()
        receiver.answers.clear()  # the practice system answers from now on
        hub = _hub(tmp_path, port, str(receiver.port))
        wait_for(lambda: receiver.applied, 10, "the arrival sent again after the restart")
    finally:
        hub.close()
        receiver.stop()
    assert len(receiver.applied) == 1
    assert len(set(receiver.received)) == 1, "the same message, the same MSH-10, however often sent"
    db = sqlite3.connect(tmp_path / "hub" / "hub.sqlite")
    assert db.execute("SELECT state FROM ehr_outbound").fetchall() == [("acked",)]
    db.close()
