"""The hub acknowledges what it committed - repeats too - on each kiosk's own ``hub/ack``
topic; a request is acknowledged by its result; a kiosk holding a check-in the hub never
acknowledged is escalated from its health report, and the practice's terminal shows it."""

from __future__ import annotations

import io
import queue
import time
import uuid
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from hub.escalation import Backlog, KioskView, backlog_escalations, unissued_displays
from hub.service import HubService
from kiosk.cli import main
from sync import messages as m
from sync import staff_messages as sm
from sync.link import LinkEvent, MqttLink
from sync.proof import sign
from sync.topics import TopicTree
from sync.wire import Message, decode, encode
from tests.support.broker import Broker
from tests.support.site import start_hub, wait_for
from tests.support.staff import proof_key, staff_pair

TREE = TopicTree("acme", "main")
NOW = datetime(2026, 11, 30, 9, 0)


class FakeKiosk:
    """lobby-1 on the wire: publishes what a kiosk would, collects what the hub answers."""

    def __init__(self, broker: Broker) -> None:
        self.events: queue.Queue[LinkEvent] = queue.Queue()
        self.link = MqttLink(
            broker.settings(),
            "fake-lobby-1",
            self.events.put,
            subscriptions=[TREE.hub_ack("lobby-1"), TREE.request_result("lobby-1")],
        )
        self.acked: list[str] = []
        self.acks = 0
        self.results: list[m.RequestResult] = []

    def send(self, topic: str, msg: Message) -> None:
        wait_for(lambda: self.link.publish(topic, encode(msg), qos=1), what="connected")

    def pump(self) -> None:
        while True:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return
            if event.kind != "message":
                continue
            if event.topic == TREE.hub_ack("lobby-1"):
                self.acks += 1
                self.acked += decode(event.payload, m.HubAck).keys
            else:
                self.results.append(decode(event.payload, m.RequestResult))

    def has(self, keys: list[str], times: int = 1) -> bool:
        self.pump()
        return all(self.acked.count(k) >= times for k in keys)


Rig = tuple[HubService, FakeKiosk]


@pytest.fixture
def rig(broker: Broker, tmp_path: Path) -> Iterator[Rig]:
    _kiosk_staff, hub_staff = staff_pair()  # the hub checks staff events' proofs
    hub = start_hub(broker.settings(), tmp_path, staff=hub_staff)
    kiosk = FakeKiosk(broker)
    kiosk.link.start()
    wait_for(lambda: kiosk.link.connected, what="the fake kiosk")
    warm_up = _checkin("mar-0001", "martinez")

    def hub_listens() -> bool:  # sent again until the hub's subscription is in place
        kiosk.send(TREE.checkin("lobby-1"), warm_up)
        time.sleep(0.1)
        return kiosk.has([warm_up.key])

    wait_for(hub_listens, what="the hub subscribed")
    kiosk.acked.clear()
    kiosk.acks = 0
    hub.stats.clear()
    try:
        yield hub, kiosk
    finally:
        kiosk.link.stop()
        hub.stop()


def _checkin(appointment_id: str = "chen-0001", provider: str = "chen") -> m.CheckIn:
    return m.CheckIn(uuid.uuid4().hex, "lobby-1", appointment_id, provider, "2026-11-30T08:40", "dob")


def test_a_check_in_is_acknowledged_and_a_repeat_is_acknowledged_again(rig: Rig) -> None:
    hub, kiosk = rig
    first = hub.call(lambda s: s.appointments("chen")[0])
    msg = _checkin(first.id)
    kiosk.send(TREE.checkin("lobby-1"), msg)
    wait_for(lambda: kiosk.has([msg.key]), what="the hub's acknowledgement")
    kiosk.send(TREE.checkin("lobby-1"), msg)  # its acknowledgement was lost, say
    wait_for(lambda: kiosk.has([msg.key], times=2), what="the repeat acknowledged again")
    assert [r["key"] for r in hub.call(lambda s: s.checkins())].count(msg.key) == 1
    assert hub.stats["checkin_duplicates"] == 1


def test_a_burst_is_acknowledged_in_a_few_batches(rig: Rig) -> None:
    hub, kiosk = rig
    appts = hub.call(lambda s: s.appointments())
    burst = [_checkin(appts[i % len(appts)].id, appts[i % len(appts)].provider_id) for i in range(1200)]
    for msg in burst:
        kiosk.send(TREE.checkin("lobby-1"), msg)
    wait_for(lambda: kiosk.has([c.key for c in burst]), timeout=30, what="1,200 acknowledgements")
    # One per kiosk per batch the hub commits, not one per check-in.
    assert kiosk.acks == hub.stats["acks_sent"] and kiosk.acks * 5 <= len(burst)


def test_a_repeated_request_gets_its_result_again_as_its_acknowledgement(rig: Rig) -> None:
    hub, kiosk = rig
    req = m.StatusChangeRequest(
        uuid.uuid4().hex, "lobby-1", "chen", "late", "nobody", "2026-11-30T08:40", delay_min=10
    )
    for times in (1, 2):
        kiosk.send(TREE.request("lobby-1"), req)

        def answered(n: int = times) -> bool:
            kiosk.pump()
            return len(kiosk.results) == n

        wait_for(answered, what=f"result #{times}")
    assert kiosk.results[0] == kiosk.results[1] and kiosk.results[0].key == req.key
    assert req.key not in kiosk.acked  # the result is the request's acknowledgement
    assert len(hub.call(lambda s: s.request_origins())) == 1


def test_a_repeated_staff_event_is_audited_once_and_acknowledged_twice(rig: Rig) -> None:
    hub, kiosk = rig
    unsigned = sm.StaffEvent(uuid.uuid4().hex, "lobby-1", "2026-11-30T08:41", "login", "ana", "supervisor")
    event = replace(unsigned, proof=sign(proof_key("ana"), unsigned))  # as ana's signed-in panel sends it
    for times in (1, 2):  # one after the other: within one batch, one acknowledgement covers both
        kiosk.send(TREE.kiosk("lobby-1", "event"), event)
        wait_for(partial(kiosk.has, [event.key], times=times), what=f"acknowledgement #{times}")
    logins = hub.call(lambda s: [r for r in s.audit.records() if r.action == "login"])
    assert len(logins) == 1


def test_a_check_in_held_too_long_is_escalated_and_shown_by_the_terminal(
    rig: Rig, broker: Broker, tmp_path: Path
) -> None:
    hub, kiosk = rig
    stuck = m.KioskHealth(
        "lobby-1", "2026-11-30T09:00", True, 0.0, 3, outbox_queued=2, outbox_sent=1,
        oldest_unacked_s=400.0, oldest_unacked_checkin_s=400.0, oldest_unacked_checkin_seq=7,
    )  # fmt: skip
    kiosk.send(TREE.health("lobby-1"), stuck)
    wait_for(
        lambda: "unacked-lobby-1-7" in {e["id"] for e in hub.call(lambda s: s.staff.escalations())},
        what="the escalation",
    )
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nid = "lobby-1"\npractice = "acme"\nsite = "main"\nstate_dir = "{tmp_path}"\n'
        f'[broker]\nport = {broker.port}\n[hub]\nstate_dir = "{tmp_path / "hub"}"\n'
    )
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--config", str(config), "hub", "kiosks"]) == 0
    assert "outbox 2 queued, 1 unacknowledged, oldest 400 s" in out.getvalue()
    fine = m.KioskHealth("lobby-1", "2026-11-30T09:01", True, 0.0, 0)
    kiosk.send(TREE.health("lobby-1"), fine)
    wait_for(lambda: hub.call(lambda s: s.staff.escalations()) == [], what="resolved once acknowledged")


@pytest.mark.parametrize(
    ("age", "reported_ago", "due"),
    [(-1.0, 0, False), (100.0, 0, False), (301.0, 0, True), (100.0, 250, True), (0.0, 299, False)],
)
def test_a_backlog_escalates_once_its_check_in_is_older_than_the_setting(
    age: float, reported_ago: int, due: bool
) -> None:
    reported = (NOW - timedelta(seconds=reported_ago)).isoformat()
    found = backlog_escalations([Backlog("lobby-2", age, 9, reported)], NOW, unacked_checkin_s=300)
    assert [d.id for d in found] == (["unacked-lobby-2-9"] if due else [])
    assert all(d.about == "outbox" for d in found)


def test_unissued_displays_name_the_kiosk_the_provider_and_both_versions() -> None:
    statuses = [m.ProviderStatus("okafor", 3, "late", delay_min=10)]
    kiosks = [
        KioskView("lobby-1", True, {"okafor": 3}),
        KioskView("lobby-2", True, {"okafor": 2147483647, "ghost": 1}),
    ]
    found = unissued_displays(statuses, kiosks)
    assert [d.id for d in found] == [
        "display-unissued-lobby-2-ghost-v1",
        "display-unissued-lobby-2-okafor-v2147483647",
    ]
    assert "shows version 2147483647" in found[1].detail and "issued up to 3" in found[1].detail
