"""The hub's side of epochs, pure and over a real store: where an epoch comes from, what
says the hub lost a future, what the retained guard calls foreign, and the escalations
that compare (epoch, version)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from hub import epoch as ep
from hub.escalation import KioskView, unissued_displays, waiting_kiosks
from hub.migrations import HUB_MIGRATIONS
from hub.retained_guard import RetainedGuard
from hub.store import HubStore
from sync import messages as m

NOW = datetime(2026, 11, 30, 9, 0)
NOW_S = NOW.timestamp()
OWN = m.Epoch(int(NOW_S * 1000) - 3_600_000, "a1" * 8)
NEWER = m.Epoch(OWN.seq + 1, "00" * 8)
OLDER = m.Epoch(OWN.seq - 1, "ff" * 8)
FORGED = m.Epoch(int((NOW_S + 2 * 86400) * 1000), "cc" * 8)  # two days ahead of the hub's clock


def test_a_store_is_born_with_an_epoch_and_each_new_one_is_newer(tmp_path: Path) -> None:
    assert "create_epochs_table" in [f.__name__ for f in HUB_MIGRATIONS]
    store = HubStore.open(tmp_path / "hub.sqlite")
    first = store.epochs.current()
    assert first.id and first.seq > 0
    with store.transaction():
        second = store.epochs.start(NOW, ep.RESTORED)
        third = store.epochs.start(NOW, ep.NEWER_EPOCH, above=m.Epoch(second.seq + 500, "ff" * 8))
    assert first < second < third
    assert third.seq == second.seq + 501  # above what was seen, even with the clock behind it
    assert [e["reason"] for e in store.epochs.all()] == [ep.CREATED, ep.RESTORED, ep.NEWER_EPOCH]
    store.close()
    other = HubStore.open(tmp_path / "other.sqlite")
    assert other.epochs.current() != first  # a reinstalled hub: a store of its own, an epoch of its own
    other.close()


def test_a_store_reinstalled_within_the_same_second_is_born_newer(tmp_path: Path) -> None:
    """Birth epochs count milliseconds: stamped in whole seconds, a store made again in the
    same second tied the old one's seq and was older on a coin toss of the random id (CI
    saw it: the reinstalled hub then had to start a second epoch)."""
    births = []
    for n in range(6):
        store = HubStore.open(tmp_path / f"hub-{n}.sqlite")
        births.append(store.epochs.current())
        store.close()
    assert births == sorted(births) and len({b.seq for b in births}) == len(births)


@pytest.mark.parametrize(
    ("seen", "version", "issued", "expected"),
    [
        (OWN, 3, 3, ""),  # our own echo
        (OWN, 2, 3, ""),  # an old one of ours (the guard's business)
        (OWN, 4, 3, ep.UNISSUED_VERSION),  # a future we do not have
        (NEWER, 1, 3, ep.NEWER_EPOCH),
        (OLDER, 99, 3, ""),
        (m.Epoch(), 99, 3, ""),
        (FORGED, 1, 3, ""),  # never believed: no epoch of ours could be made newer
    ],
)
def test_lost_future(seen: m.Epoch, version: int, issued: int, expected: str) -> None:
    assert ep.lost_future(OWN, seen, version, issued, NOW_S) == expected


def test_only_the_versioned_streams_and_the_birth_are_stamped() -> None:
    status = ep.stamp(m.ProviderStatus("chen", 1, "on_time"), OWN)
    assert status.epoch == OWN
    assert ep.stamp(m.HubAvailability(True), OWN).epoch == OWN
    ack = m.HubAck("lobby-1", ["k" * 16])
    assert ep.stamp(ack, OWN) is ack
    assert ep.parse_epoch(ep.epoch_text(OWN)) == OWN
    assert ep.parse_epoch("") == ep.parse_epoch("garbage") == m.Epoch()


def test_the_guard_knows_its_own_echo_from_someone_elses_message() -> None:
    guard = RetainedGuard(grace_s=0.3)
    topic = "clinic/v1/acme/main/status/chen"
    assert guard.seen(topic, b"anything", 0.0) is False  # never published here: not ours to judge
    guard.published(topic, b"v1")
    guard.published(topic, b"v2")
    assert guard.seen(topic, b"v1", 0.0) is False  # an echo still in flight behind v2...
    assert guard.seen(topic, b"v2", 0.1) is False  # ...and v2's own echo follows it
    assert guard.due(1.0) == []
    assert guard.seen(topic, b"v1", 2.0) is False  # v1 again, and nothing after it: a replay
    assert guard.due(2.2) == []
    assert guard.due(2.3) == [topic]
    assert guard.seen(topic, b"forged", 3.0) is True  # restored at once
    assert guard.seen(topic, b"", 3.0) is True  # cleared
    assert guard.restored == {"replayed": 1, "foreign": 2}


STATUS = m.ProviderStatus("chen", 3, "late", delay_min=5, changed_at="2026-11-30T08:00")


def test_displays_compare_epoch_then_version() -> None:
    kiosks = [
        KioskView("same", True, {"chen": 3}, epoch=OWN),
        KioskView("ahead", True, {"chen": 5}, epoch=OWN),
        KioskView("newer-epoch", True, {"chen": 1}, epoch=NEWER),
        KioskView("older-epoch", True, {"chen": 9}, epoch=OLDER),
        KioskView("forged-epoch", True, {"chen": 1}, epoch=FORGED),
    ]
    due = {d.id: d for d in unissued_displays([STATUS], kiosks, OWN, NOW_S)}
    assert set(due) == {"display-unissued-ahead-chen-v5", f"display-unissued-newer-epoch-e{NEWER.seq}"}
    # Only a kiosk showing version 3 or newer of the hub's epoch shows the change.
    assert waiting_kiosks(STATUS, kiosks, OWN) == ["forged-epoch", "newer-epoch", "older-epoch"]
    # Hubs and kiosks older than epochs: as before.
    assert waiting_kiosks(STATUS, [KioskView("old", True, {"chen": 3})]) == []


def test_epochs_kiosks_ask_for_come_one_a_minute_at_most_and_none_is_lost() -> None:
    """A stolen kiosk credential claiming a new future every second must not make an epoch
    every second (each one makes every kiosk resend today's check-ins); a real restore
    still gets its epoch, the newest asked for, at most a minute later."""
    asks = ep.EpochRequests(min_interval_s=60)
    assert asks.due(0.0) is None  # nothing asked
    asks.want(ep.UNISSUED_VERSION, m.Epoch(5, "a"), 100.0)
    assert asks.due(100.0) == (ep.UNISSUED_VERSION, m.Epoch(5, "a"))  # the first at once
    for second in range(101, 160):  # a claim a second for the rest of the minute
        asks.want(ep.NEWER_EPOCH, m.Epoch(second, "x"), float(second))
        assert asks.due(float(second)) is None
    asks.want(ep.NEWER_EPOCH, m.Epoch(7, "old"), 159.5)  # a lower claim never lowers the floor
    assert asks.deferred == 60
    assert asks.due(160.0) == (ep.NEWER_EPOCH, m.Epoch(159, "x"))  # one, the newest, a minute on
    assert asks.due(161.0) is None
