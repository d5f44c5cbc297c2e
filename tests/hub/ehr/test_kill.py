"""The hub SIGKILLed while the practice system sends: every AA it gave was stored, nothing
is applied twice, and an arrival not yet acknowledged is sent after the restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hub.store import HubStore
from tests.support.broker import free_port
from tests.support.clock import wall_now
from tests.support.ehr_soak import hub_process, send_until_acked, soak
from tests.support.site import wait_for
from tests.support.siu import Receiver, Siu


def test_sigkill_mid_stream_loses_nothing_and_doubles_nothing(tmp_path: Path) -> None:
    figures = soak(tmp_path, messages=300, kills=2)
    assert figures["acked"] == 300, "every message was acknowledged AA in the end"
    assert figures["lost"] == 0, "every AA meant stored"
    assert figures["applied"] == 300, "no message was applied twice"
    assert figures["appointments"] == 300


def test_an_arrival_in_flight_when_the_hub_dies_is_sent_after_the_restart(tmp_path: Path) -> None:
    receiver = Receiver(answers=["silent"] * 1000).start()  # takes it, never answers
    port = free_port()
    hub = hub_process(tmp_path, port, str(receiver.port))
    try:
        start = wall_now().replace(second=0, microsecond=0)
        assert (
            asyncio.run(send_until_acked(port, Siu("A1", start=start, appointment_id="ARR").bytes())) == "AA"
        )
        assert hub.ask("checkin ARR chen") == "ok"
        wait_for(lambda: receiver.received, 60, "the arrival sent")
        hub.kill()
        receiver.answers.clear()  # the practice system answers from now on
        hub = hub_process(tmp_path, port, str(receiver.port))
        wait_for(lambda: receiver.applied, 60, "the arrival sent again after the restart")
        # the practice system applied it; the hub records its ACK a moment later
        wait_for(lambda: _outbound_states(tmp_path) == [("acked",)], 60, "the hub to record the ACK")
    finally:
        hub.close()
        receiver.stop()
    assert len(receiver.applied) == 1
    assert len(set(receiver.received)) == 1, "the same message, the same MSH-10, however often sent"
    db = HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True).db  # the key beside it
    assert db.execute("SELECT state FROM ehr_outbound").fetchall() == [("acked",)]
    db.close()


def _outbound_states(tmp_path: Path) -> list[tuple[str, ...]]:
    store = HubStore.open(tmp_path / "hub" / "hub.sqlite", readonly=True)
    try:
        return [tuple(row) for row in store.db.execute("SELECT state FROM ehr_outbound").fetchall()]
    finally:
        store.close()
