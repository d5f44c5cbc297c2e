"""A kiosk killed between commit and PUBACK; and kiosk credentials that cannot write
where they must not (TLS, password file, ACL, MQTT 5 reason codes)."""

from __future__ import annotations

import queue
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import StorageError
from sync import messages as m
from sync.acl import render_acl
from sync.cache import KioskCache
from sync.link import LinkEvent, MqttLink
from sync.sqlite import integrity_ok
from sync.topics import TopicTree
from sync.wire import encode
from tests.support import kiosk_proc
from tests.support.broker import BROKER_MODES, Broker, Credentials
from tests.support.site import RecordingKiosk, start_hub, wait_for

TREE = TopicTree("acme", "main")
ROOT = Path(__file__).resolve().parents[2]


def _spawn(broker: Broker, state_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        kiosk_proc.command(broker, state_dir),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _ask(proc: subprocess.Popen[str], line: str) -> str:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def test_sigkill_between_commit_and_puback_delivers_once(broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    state = tmp_path / "kiosk"
    # Seed the kiosk's cache with the schedule.
    seed = RecordingKiosk(broker.settings(), tmp_path, "seed")
    seed.sync = type(seed.sync)(seed.sync.settings, cache_path=state / "kiosk.sqlite")
    seed.sync.start()
    wait_for(lambda: seed.sync.call(lambda c: len(c.appointments_for("patel"))) == 11, what="schedule")
    appt_id = seed.sync.call(lambda c: c.appointments_for("patel")[0].id)
    seed.stop()

    proc = _spawn(broker, state)
    try:
        wait_for(lambda: _ask(proc, "connected?") == "connected True", what="kiosk process connected")
        broker.pause()  # the broker takes the PUBLISH into its socket but cannot PUBACK
        assert _ask(proc, f"checkin {appt_id} key-sigkill-0001") == "committed key-sigkill-0001"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        broker.resume()
        _close(proc)
    cache = KioskCache.open(state / "kiosk.sqlite")
    assert integrity_ok(cache.db)
    assert cache.db.execute("SELECT key FROM outbox WHERE sent_at IS NULL").fetchall() == [
        ("key-sigkill-0001",)
    ]
    cache.close()

    again = _spawn(broker, state)
    try:
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) == 1, what="the check-in at the hub")
        wait_for(lambda: _outbox_empty(state), what="outbox emptied after replay")
        # Whether the first PUBLISH also got through or not, the hub records it once.
        assert hub.call(lambda s: s.checkin_count()) == 1
    finally:
        _close(again)
        hub.stop()


def _close(proc: subprocess.Popen[str]) -> None:
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _outbox_empty(state: Path) -> bool:
    cache = KioskCache.open(state / "kiosk.sqlite")
    try:
        unsent: int = cache.db.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
        return unsent == 0
    finally:
        cache.close()


@pytest.fixture(params=BROKER_MODES)
def secure_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    """Passwords and the ACL, plain and over TLS (the way the README installs a practice)."""
    creds = Credentials(
        users={"hub": "hub-secret", "lobby-1": "k1-secret", "lobby-2": "k2-secret"},
        acl=render_acl(TREE, "hub", ["lobby-1", "lobby-2"]),
    )
    b = Broker(tmp_path / "secure", tls=request.param == "tls", creds=creds)
    b.start()
    yield b
    b.stop()


def _publish_as(broker: Broker, user: str, password: str, topic: str, payload: bytes) -> LinkEvent:
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(broker.settings(user, password), f"probe-{user}", events.put)
    link.start()
    try:
        first = events.get(timeout=60)
        if first.kind != "connected":
            return first
        assert link.publish(topic, payload, qos=1)
        while True:
            event = events.get(timeout=60)
            if event.kind == "published":
                return event
    finally:
        link.stop()


def test_password_acl_kiosk_cannot_write_others_topics(secure_broker: Broker, tmp_path: Path) -> None:
    status = encode(m.ProviderStatus("chen", 99, "out"))
    # Its own topic: accepted.
    own = _publish_as(secure_broker, "lobby-1", "k1-secret", TREE.health("lobby-1"), b"{}")
    assert own.ok
    # Another kiosk's topic and the hub's topics: refused with reason code 135 (Not authorized).
    for topic in (TREE.checkin("lobby-2"), TREE.status("chen"), TREE.schedule("chen"), TREE.hub_command()):
        event = _publish_as(secure_broker, "lobby-1", "k1-secret", topic, status)
        assert not event.ok and "authorized" in event.reason.lower(), (topic, event)
    # A wrong password does not get in at all.
    refused = _publish_as(secure_broker, "lobby-1", "wrong", TREE.health("lobby-1"), b"{}")
    assert refused.kind == "refused"


def test_full_sync_with_credentials(secure_broker: Broker, tmp_path: Path) -> None:
    hub = start_hub(secure_broker.settings("hub", "hub-secret"), tmp_path)
    kiosk = RecordingKiosk(secure_broker.settings("lobby-1", "k1-secret"), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule with credentials")
        appt = kiosk.sync.call(lambda c: c.appointments_for("martinez")[0])
        from tests.support.site import checkin

        kiosk.sync.submit(checkin(appt))
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) == 1, what="check-in with credentials")
    finally:
        kiosk.stop()
        hub.stop()


def test_a_full_disk_is_a_clear_storage_error(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    cache.db.execute("PRAGMA max_page_count = 1")  # the file cannot grow: as good as a full disk
    from sync.outbox import Outbox

    with pytest.raises(StorageError, match="full"):
        for i in range(100):
            Outbox(cache.db).add(f"key-{i:08d}", "checkin", "t", b"x" * 4000, "2026-01-01T00:00")
    cache.close()


def test_a_kiosk_reads_only_its_own_acknowledgements_and_cannot_forge_one(secure_broker: Broker) -> None:
    # No kiosk may write under hub/: an acknowledgement only the hub can give.
    for topic in (TREE.hub_ack("lobby-1"), TREE.hub_ack("lobby-2")):
        forged = _publish_as(
            secure_broker, "lobby-1", "k1-secret", topic, encode(m.HubAck("lobby-1", ["k" * 32]))
        )
        assert not forged.ok and "authorized" in forged.reason.lower(), topic
    events: queue.Queue[LinkEvent] = queue.Queue()
    reader = MqttLink(
        secure_broker.settings("lobby-1", "k1-secret"),
        "reader-lobby-1",
        events.put,
        subscriptions=[TREE.hub_ack("lobby-1"), TREE.hub_ack("lobby-2")],  # asks for both
    )
    reader.start()
    try:
        assert events.get(timeout=60).kind == "connected"
        others = encode(m.HubAck("lobby-2", ["b" * 32]))
        ack = encode(m.HubAck("lobby-1", ["a" * 32]))

        def own_ack_arrives() -> bool:
            # Another kiosk's first, then its own: in order, so a leak would arrive first.
            assert _publish_as(secure_broker, "hub", "hub-secret", TREE.hub_ack("lobby-2"), others).ok
            assert _publish_as(secure_broker, "hub", "hub-secret", TREE.hub_ack("lobby-1"), ack).ok
            try:
                event = events.get(timeout=1)
            except queue.Empty:
                return False
            assert event.topic == TREE.hub_ack("lobby-1"), "lobby-1 read another kiosk's acknowledgement"
            return True

        wait_for(own_ack_arrives, what="lobby-1's own acknowledgement")
    finally:
        reader.stop()
