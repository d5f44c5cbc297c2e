"""`kiosk doctor`'s outbox line: what is queued, what the broker took but the hub has not
acknowledged, how old the oldest is - and a failure once a check-in is held too long."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from config.settings import Settings
from core.clock import ManualClock
from kiosk.ops import outbox_check
from sync.cache import KioskCache
from sync.outbox import Outbox

START = datetime(2026, 11, 30, 9, 0)


def test_the_outbox_line_shows_both_depths_and_fails_on_a_stuck_check_in(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    box = Outbox(cache.db)
    clock = ManualClock(START)
    settings = Settings()
    assert outbox_check(box, settings, clock).detail.startswith("0 waiting to be sent, 0 sent")
    box.add("key-event-0001", "staff_event", "t/e", b"e", START.isoformat())
    box.add("key-checkin-01", "checkin", "t/c", b"c", START.isoformat())
    box.mark_sent([box.pending()[1].seq], START.isoformat())
    clock.advance(120)
    fresh = outbox_check(box, settings, clock)
    assert fresh.ok and fresh.warning
    owed = "1 waiting to be sent, 1 sent and awaiting the hub's acknowledgement (oldest 120 s)"
    assert fresh.detail == owed
    clock.advance(settings.staff.unacked_checkin_s)
    assert not outbox_check(box, settings, clock).ok  # a patient the hub may not know about
    box.acknowledge(["key-checkin-01"], clock.now().isoformat(), ["checkin"])
    assert outbox_check(box, settings, clock).ok  # an old staff event alone is a warning
    cache.close()
