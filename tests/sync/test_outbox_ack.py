"""The outbox's three states (queued, sent, acknowledged) and when a row is sent again,
driven without a broker: a fake link records what is published, a manual clock steps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from core.clock import ManualClock
from sync.cache import KioskCache
from sync.link import LinkEvent
from sync.migrations import KIOSK_MIGRATIONS
from sync.outbox import Outbox
from sync.outbox_sender import OutboxSender
from sync.sqlite import open_database

START = datetime(2026, 11, 30, 9, 0)


class FakeLink:
    def __init__(self) -> None:
        self.connected = True
        self.sent: list[object] = []  # tokens, in publish order

    def publish(
        self, topic: str, payload: bytes, qos: int = 1, retain: bool = False, token: object = None
    ) -> bool:
        if not self.connected:
            return False
        self.sent.append(token)
        return True


Rig = tuple[Outbox, OutboxSender, FakeLink, ManualClock, "Counter[str]"]  # what `rig` yields


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    clock = ManualClock(START)
    link = FakeLink()
    stats: Counter[str] = Counter()
    box = Outbox(cache.db)
    sender = OutboxSender(box, link, clock, stats, ack_timeout_s=10)  # type: ignore[arg-type]
    yield box, sender, link, clock, stats
    cache.close()


def _add(sender: OutboxSender, n: int, kind: str = "checkin") -> list[str]:
    keys = [f"key-{kind}-{i:04d}" for i in range(n)]
    for key in keys:
        assert sender.add(key, kind, f"t/{kind}", key.encode(), START.isoformat())
    return keys


def _puback(sender: OutboxSender, tokens: list[object], ok: bool = True) -> None:
    for token in tokens:
        sender.note_ack(LinkEvent("published", ok=ok, token=token))
    sender.settle_noted()


def test_a_puback_moves_a_row_to_sent_and_only_the_hub_removes_it(rig: Rig) -> None:
    box, sender, link, _clock, stats = rig
    keys = _add(sender, 3)
    assert box.depths().queued == 3
    _puback(sender, list(link.sent))
    assert (box.depths().queued, box.depths().sent) == (0, 3)
    assert [i.payload for i in box.pending()] == [k.encode() for k in keys]  # kept for sending again
    done = sender.acknowledge(keys[:2], ["checkin"])
    assert [i.key for i in done] == keys[:2] and stats["outbox_acked"] == 2
    assert box.depth() == 1 and box.pending()[0].key == keys[2]


def test_what_the_hub_has_not_acknowledged_is_sent_again_only_while_it_is_online(rig: Rig) -> None:
    box, sender, link, clock, stats = rig
    keys = _add(sender, 2)
    _puback(sender, list(link.sent))
    sender.acknowledge(keys[:1], ["checkin"])
    link.sent.clear()
    clock.advance(11)
    assert sender.resend_overdue(hub_online=False) == 0  # the broker queues for an absent hub
    assert link.sent == []
    sender.hub_back()  # the hub's birth: a fresh timeout from now
    clock.advance(9)
    assert sender.resend_overdue(hub_online=True) == 0
    clock.advance(2)
    assert sender.resend_overdue(hub_online=True) == 1
    assert link.sent == [box.pending()[0].seq] and stats["outbox_resent"] == 1
    # Not again at once: the timeout runs from the resend.
    assert sender.resend_overdue(hub_online=True) == 0


def test_a_hub_working_through_a_backlog_is_not_buried_in_copies(rig: Rig) -> None:
    box, sender, link, clock, _stats = rig
    keys = _add(sender, 3)
    _puback(sender, list(link.sent))
    link.sent.clear()
    for key in keys[:2]:  # the hub acknowledges one row, then another, 9 s apart
        clock.advance(9)
        sender.acknowledge([key], ["checkin"])
    clock.advance(2)  # the last row has waited 20 s, but the hub acknowledged 2 s ago
    assert sender.resend_overdue(hub_online=True) == 0
    clock.advance(9)  # the hub went quiet: now it goes again
    assert sender.resend_overdue(hub_online=True) == 1 and link.sent == [box.pending()[0].seq]


def test_a_row_still_waiting_for_its_puback_is_not_sent_again(rig: Rig) -> None:
    _box, sender, link, clock, _stats = rig
    _add(sender, 1)
    clock.advance(60)
    assert sender.resend_overdue(hub_online=True) == 0  # the broker has it in hand
    assert len(link.sent) == 1


def test_a_refused_row_waits_for_the_next_connect(rig: Rig) -> None:
    box, sender, link, clock, stats = rig
    _add(sender, 1)
    _puback(sender, list(link.sent), ok=False)
    assert stats["outbox_refused"] == 1 and box.depths().queued == 1
    clock.advance(60)
    assert sender.resend_overdue(hub_online=True) == 0
    sender.forget_inflight()
    link.sent.clear()
    sender.replay()
    assert len(link.sent) == 1


def test_every_reconnect_replays_queued_and_sent_rows_in_order(rig: Rig) -> None:
    box, sender, link, _clock, _stats = rig
    _add(sender, 3)
    _puback(sender, link.sent[:2])
    link.connected = False
    sender.forget_inflight()
    link.connected = True
    link.sent.clear()
    sender.replay()
    assert link.sent == [i.seq for i in box.pending()] and len(link.sent) == 3


def test_a_late_puback_does_not_revive_an_acknowledged_row(rig: Rig) -> None:
    box, sender, link, _clock, _stats = rig
    keys = _add(sender, 1)
    sender.acknowledge(keys, ["checkin"])  # the hub's ack overtook the broker's PUBACK
    _puback(sender, list(link.sent))
    assert box.depth() == 0


def test_a_request_is_not_settled_by_a_hub_ack(rig: Rig) -> None:
    box, sender, _link, _clock, _stats = rig
    keys = _add(sender, 1, kind="status_request")
    assert sender.acknowledge(keys, ["checkin", "staff_event", "notice_ack"]) == []
    assert box.depth() == 1
    assert [i.key for i in sender.acknowledge(keys, ["status_request"])] == keys


def test_migration_3_settles_what_v2_sent_and_keeps_what_it_owed(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite"
    old = open_database(path, KIOSK_MIGRATIONS[:2])
    for key, sent_at, payload in (("key-v2-sent-1", "2026-11-30T08:00", b""), ("key-v2-owed-1", None, b"x")):
        old.execute(
            "INSERT INTO outbox (key, kind, topic, payload, created_at, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
            [key, "checkin", "t", payload, "2026-11-30T07:59", sent_at],
        )
    old.close()
    cache = KioskCache.open(path)
    box = Outbox(cache.db)
    assert [i.key for i in box.pending()] == ["key-v2-owed-1"]
    assert (box.depths().queued, box.depths().sent) == (1, 0)
    assert box.has("key-v2-sent-1")  # its key still refuses a repeat
    cache.close()
