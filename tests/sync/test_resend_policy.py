"""When a kiosk sends a check-in again (``sync.resend_policy`` through the outbox's
sender): back-off to a ceiling, nothing while the site's bridge is known down, a fresh
timeout when it is back - and the row kept until the hub acknowledges it throughout."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.clock import ManualClock
from sync.cache import KioskCache
from sync.outbox import Outbox
from sync.outbox_sender import OutboxSender
from sync.resend_policy import RESEND_CEILING_S, ResendPolicy
from tests.sync.test_outbox_ack import START, FakeLink, Rig, _puback


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


def _add(sender: OutboxSender, n: int) -> list[str]:
    """``n`` check-ins committed (new keys each time)."""
    keys = []
    for _ in range(n):
        key = uuid.uuid4().hex
        assert sender.add(key, "checkin", "t/checkin", key.encode(), START.isoformat())
        keys.append(key)
    return keys


DOWN = ("$SYS/broker/connection/bridge-north/state", b"0")
UP = ("$SYS/broker/connection/bridge-north/state", b"1")


def _copies_over(rig: Rig, seconds: int, step: float = 1.0) -> int:
    _box, sender, link, clock, _stats = rig
    before = len(link.sent)
    for _ in range(int(seconds / step)):
        clock.advance(step)
        sender.resend_overdue(hub_online=True)
        _puback(sender, link.sent[before:])  # the broker accepts each copy at once
    return len(link.sent) - before


def test_copies_back_off_to_a_ceiling() -> None:
    policy = ResendPolicy(ack_timeout_s=10)
    assert [policy.wait_s(n) for n in range(7)] == [10, 20, 40, 80, 160, 300, 300]
    assert policy.wait_s(50) == RESEND_CEILING_S
    assert policy.wait_s(0, busy=True) == 30  # a hub acknowledging others gets longer


def test_an_unacknowledged_row_is_sent_again_with_back_off(rig: Rig) -> None:
    box, sender, link, _clock, _stats = rig
    _add(sender, 1)
    _puback(sender, list(link.sent))
    # 10 + 20 + 40 + 80 + 160 s, then every 300 s: 5 copies in 310 s, 2 more by 910 s.
    assert _copies_over(rig, 309) == 4
    assert _copies_over(rig, 2) == 1
    assert _copies_over(rig, 600) == 2
    assert box.depth() == 1  # kept: only the hub's acknowledgement removes it


def test_nothing_is_sent_again_while_the_bridge_is_down_however_long(rig: Rig) -> None:
    box, sender, link, clock, stats = rig
    assert sender.note_bridge(*UP)
    keys = _add(sender, 3)
    _puback(sender, list(link.sent))  # the site broker has them, queued for the bridge
    assert sender.note_bridge(*DOWN) and sender.policy.path_down
    assert _copies_over(rig, 4 * 3600, step=5) == 0  # a morning without the uplink
    assert box.depths().sent == 3 and stats["outbox_resent"] == 0  # the patient was checked in
    keys += _add(sender, 1)  # checked in during the cut: sent once, to the broker's queue
    _puback(sender, link.sent[-1:])
    assert _copies_over(rig, 600, step=5) == 0

    sender.note_bridge(*UP)  # the queue crosses now; the hub gets a whole timeout for it
    clock.advance(9)
    assert sender.resend_overdue(hub_online=True) == 0
    sender.acknowledge(keys[:3], ["checkin"])  # the hub works through the backlog
    clock.advance(2)
    assert sender.resend_overdue(hub_online=True) == 0  # busy: the last one waits longer
    sender.acknowledge(keys[3:], ["checkin"])
    assert box.depth() == 0 and len(link.sent) == 4  # one copy each crossed


def test_a_malformed_or_foreign_state_changes_nothing(rig: Rig) -> None:
    _box, sender, _link, _clock, _stats = rig
    assert sender.note_bridge("$SYS/broker/connection/bridge-north/state", b"down")  # taken, ignored
    assert not sender.policy.path_down
    assert not sender.note_bridge("clinic/v1/acme/main/status/chen", b"0")  # not a bridge state
    assert not sender.note_bridge("$SYS/broker/connection/a/b/state", b"0")


def test_a_new_connection_replays_once_and_starts_the_back_off_again(rig: Rig) -> None:
    _box, sender, link, _clock, _stats = rig
    _add(sender, 2)
    _puback(sender, list(link.sent))
    assert _copies_over(rig, 31) == 4  # 2 rows x (10 s, 30 s)
    sender.forget_inflight()
    link.sent.clear()
    sender.replay()
    assert len(link.sent) == 2
    _puback(sender, list(link.sent))
    assert _copies_over(rig, 10) == 2  # the first wait again, not the fourth
