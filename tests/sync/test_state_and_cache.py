"""Pure version decisions, and the cache that applies them (real SQLite files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import StorageError
from sync import messages as m
from sync import state
from sync.cache import KioskCache
from sync.migrations import KIOSK_MIGRATIONS
from sync.outbox import Outbox
from sync.sqlite import integrity_ok, open_database, schema_version


@pytest.mark.parametrize(
    ("held", "date", "version", "expected"),
    [
        (None, "2026-11-30", 1, state.APPLY),
        (state.Held("2026-11-30", 3), "2026-11-30", 4, state.APPLY),
        (state.Held("2026-11-30", 3), "2026-11-30", 3, state.DUPLICATE),
        (state.Held("2026-11-30", 3), "2026-11-30", 2, state.STALE),
        (state.Held("2026-11-30", 3), "2026-12-01", 1, state.APPLY),
        (state.Held("2026-11-30", 3), "2026-11-29", 9, state.OLDER_DAY),
    ],
)
def test_decide_schedule(held: state.Held | None, date: str, version: int, expected: str) -> None:
    assert state.decide_schedule(held, date, version) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [(4, state.APPLY), (6, state.GAP), (3, state.DUPLICATE), (1, state.STALE)],
)
def test_decide_appointment_change(version: int, expected: str) -> None:
    assert state.decide_appointment_change(state.Held("2026-11-30", 3), "2026-11-30", version) == expected
    assert (
        state.decide_appointment_change(state.Held("2026-11-30", 3), "2026-12-01", version) == state.OTHER_DAY
    )


def _appt(i: int, provider: str = "chen", state_: m.AppointmentState = "booked") -> m.Appointment:
    return m.Appointment(
        f"{provider}-{i}",
        provider,
        f"2026-11-30T{8 + i // 4:02d}:{15 * (i % 4):02d}",
        15,
        "Sam",
        "LEE",
        f"19{50 + i}-01-02",
        f"CODE{i}",
        state_,
    )


def test_cache_applies_by_version_not_arrival(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    v2 = m.ProviderSchedule("chen", "Dr. Chen", "2026-11-30", 2, [_appt(0), _appt(1)])
    v1 = m.ProviderSchedule("chen", "Dr. Chen", "2026-11-30", 1, [_appt(0)])
    assert cache.apply_schedule(v2, "t").decision == state.APPLY
    assert cache.apply_schedule(v1, "t").decision == state.STALE
    assert len(cache.appointments_for("chen")) == 2
    change = m.AppointmentChange("chen", "2026-11-30", 3, _appt(1, state_="checked_in"))
    assert cache.apply_appointment_change(change).decision == state.APPLY
    changed = cache.appointment("chen-1")
    assert changed is not None and changed.state == "checked_in"
    assert cache.apply_appointment_change(change).decision == state.DUPLICATE
    assert cache.summary().schedule_versions == {"chen": 3}
    assert cache.appointments_by_dob(["1951-01-02"])[0].id == "chen-1"
    assert cache.appointment_by_code(" code0 ").id == "chen-0"  # type: ignore[union-attr]
    cache.close()


def test_a_new_day_replaces_yesterday_and_purge_removes_old_days(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    cache.apply_schedule(m.ProviderSchedule("patel", "Dr. Patel", "2026-11-29", 9, [_appt(0, "patel")]), "t")
    cache.apply_schedule(m.ProviderSchedule("chen", "Dr. Chen", "2026-11-30", 1, [_appt(0)]), "t")
    assert cache.purge_before("2026-11-30") == 1
    assert [p.id for p in cache.providers()] == ["chen"]
    cache.close()


def test_migrations_are_numbered_and_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path / "k.sqlite", KIOSK_MIGRATIONS)
    assert schema_version(db) == len(KIOSK_MIGRATIONS)
    assert integrity_ok(db)
    db.execute(f"PRAGMA user_version={len(KIOSK_MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StorageError, match="newer"):
        open_database(tmp_path / "k.sqlite", KIOSK_MIGRATIONS)


def test_outbox_keeps_order_and_rejects_a_repeated_key(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    box = Outbox(cache.db)
    assert box.add("key-0000001", "checkin", "t/1", b"1", "now")
    assert box.add("key-0000002", "checkin", "t/2", b"2", "now")
    assert not box.add("key-0000001", "checkin", "t/1", b"again", "now")
    items = box.pending()
    assert [i.payload for i in items] == [b"1", b"2"]
    box.mark_sent([items[0].seq], "2026-11-30T09:00")
    # The broker's PUBACK is not the hub's: the row is sent, still owed, payload kept.
    assert box.depth() == 2 and box.depths().sent == 1 and box.depths().queued == 1
    assert [i.payload for i in box.pending()] == [b"1", b"2"]
    acked = box.acknowledge(["key-0000001", "key-unknown"], "2026-11-30T09:01", ["checkin"])
    assert [i.key for i in acked] == ["key-0000001"]
    assert box.acknowledge(["key-0000001"], "2026-11-30T09:02", ["checkin"]) == []  # once
    assert box.depth() == 1 and box.depths().sent == 0
    # Acknowledged keys are remembered:
    assert not box.add("key-0000001", "checkin", "t/1", b"late repeat", "now")
    cache.close()
    reopened = KioskCache.open(tmp_path / "k.sqlite")
    assert Outbox(reopened.db).pending()[0].key == "key-0000002"
    reopened.close()


def test_only_the_named_kinds_are_acknowledged(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    box = Outbox(cache.db)
    box.add("key-request-1", "status_request", "t/r", b"r", "2026-11-30T09:00")
    box.add("key-checkin-1", "checkin", "t/c", b"c", "2026-11-30T09:01")
    # A HubAck settles check-ins; a request waits for its result.
    assert box.acknowledge(["key-request-1", "key-checkin-1"], "now", ["checkin"])[0].key == "key-checkin-1"
    assert [i.key for i in box.pending()] == ["key-request-1"]
    oldest = box.oldest_unacknowledged()
    assert oldest is not None and oldest.kind == "status_request"
    assert box.oldest_unacknowledged("checkin") is None
    cache.close()


def test_a_corrupt_cache_file_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError):
        KioskCache.open(path)
