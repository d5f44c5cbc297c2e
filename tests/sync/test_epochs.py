"""Epochs on the wire and at the kiosk (docs/protocol.md, "Epochs"): the pure decision,
the codec, and the cache that follows a newer epoch - dropping what the older left, never
the outbox - and never flips back to an older one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import WireError
from sync import messages as m
from sync import state
from sync.cache import KioskCache
from sync.outbox import Outbox
from sync.wire import BAD_VALUE, WRONG_TYPE, Message, decode, encode

DAY = "2026-11-30"
NOW_S = 1_800_000_000.0  # the kiosk's clock in these tests (Unix seconds)
E1 = m.Epoch(1_700_000_000_000, "a1" * 8)
E2 = m.Epoch(1_700_000_100_000, "b2" * 8)
TIE = m.Epoch(E2.seq, "ff" * 8)  # the same instant, another id: ordered by the id
FUTURE = m.Epoch(int((NOW_S + state.EPOCH_AHEAD_S + 60) * 1000), "cc" * 8)
APPT = m.Appointment("chen-1", "chen", f"{DAY}T09:00", 15, "Sam", "LEE", "1950-01-02", "CODE1")


@pytest.mark.parametrize(
    ("held", "incoming", "expected"),
    [
        (m.Epoch(), m.Epoch(), state.SAME_EPOCH),  # a hub and kiosk older than epochs
        (m.Epoch(), E1, state.NEW_EPOCH),  # any real epoch supersedes "none", once
        (E1, m.Epoch(), state.OLD_EPOCH),  # and then an epoch-less message is old
        (E1, E1, state.SAME_EPOCH),
        (E1, E2, state.NEW_EPOCH),
        (E2, E1, state.OLD_EPOCH),  # an old retained message arriving late: no flip back
        (E2, TIE, state.NEW_EPOCH),
        (TIE, E2, state.OLD_EPOCH),
        (E1, FUTURE, state.FUTURE_EPOCH),  # a day past the kiosk's clock: forged or broken
    ],
)
def test_decide_epoch(held: m.Epoch, incoming: m.Epoch, expected: str) -> None:
    assert state.decide_epoch(held, incoming, NOW_S) == expected


STAMPED: list[Message] = [
    m.ProviderStatus("chen", 3, "late", delay_min=5, epoch=E1),
    m.ProviderSchedule("chen", "Dr. Chen", DAY, 2, [APPT], epoch=E1),
    m.AppointmentChange("chen", DAY, 3, APPT, epoch=E1),
    m.HubAvailability(True, "1.0", epoch=E1),
    m.DisplayAck("lobby-1", {"chen": 3}, screen=True, epoch=E1),
]


@pytest.mark.parametrize("msg", STAMPED, ids=lambda msg: msg.KIND)
def test_the_epoch_round_trips_and_an_epochless_sender_reads_as_none(msg: Message) -> None:
    assert decode(encode(msg), type(msg)) == msg
    body = json.loads(encode(msg))
    assert body["epoch"] == {"seq": E1.seq, "id": E1.id}
    del body["epoch"]
    body["schema"] = "1.0"  # an older hub (or kiosk): no epoch at all
    older = decode(json.dumps(body).encode(), type(msg))
    assert isinstance(
        older, (m.ProviderStatus, m.ProviderSchedule, m.AppointmentChange, m.HubAvailability, m.DisplayAck)
    )
    assert older.epoch == m.Epoch()


@pytest.mark.parametrize(
    ("epoch", "reason"),
    [
        ({"seq": 5, "id": ""}, BAD_VALUE),
        ({"seq": 0, "id": "ab" * 8}, BAD_VALUE),
        ({"seq": -1, "id": "ab" * 8}, BAD_VALUE),
        ({"seq": 5, "id": "NOT-HEX!"}, BAD_VALUE),
        ({"seq": 5, "id": "ab" * 40}, BAD_VALUE),
        ({"seq": 2**53, "id": "ab" * 8}, WRONG_TYPE),
        ({"seq": "5", "id": "ab" * 8}, WRONG_TYPE),
        ("1-abc", WRONG_TYPE),
    ],
)
def test_a_bad_epoch_is_a_named_rejection(epoch: object, reason: str) -> None:
    body = json.loads(encode(m.ProviderStatus("chen", 3, "on_time")))
    body["epoch"] = epoch
    with pytest.raises(WireError) as err:
        decode(json.dumps(body).encode(), m.ProviderStatus)
    assert err.value.reason == reason


def _status(provider: str, version: int, epoch: m.Epoch, state_: m.StatusState = "late") -> m.ProviderStatus:
    return m.ProviderStatus(provider, version, state_, delay_min=5 if state_ == "late" else 0, epoch=epoch)


def test_a_kiosk_follows_a_newer_epoch_and_drops_what_the_older_left(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    outbox = Outbox(cache.db)
    assert outbox.add("checkin-0001", "checkin", "t/checkin", b"{}", f"{DAY}T08:00")
    first_day = m.ProviderSchedule("chen", "Dr. Chen", DAY, 9, [APPT], epoch=E1)
    assert cache.apply_schedule(first_day, "t", NOW_S).decision == state.APPLY
    assert cache.apply_status(_status("chen", 7, E1), "t", NOW_S).decision == state.APPLY
    assert cache.apply_status(_status("patel", 4, E1), "t", NOW_S).decision == state.APPLY
    assert cache.epoch() == E1

    # The restored hub's lower versions, in its new epoch: taken, and patel's old status gone.
    applied = cache.apply_status(_status("chen", 1, E2, "out"), "t", NOW_S)
    assert (applied.decision, applied.new_epoch) == (state.APPLY, True)
    assert cache.epoch() == E2
    assert set(cache.statuses()) == {"chen"}
    assert cache.status("chen") == m.ProviderStatus("chen", 1, "out")  # rows hold no epoch of their own
    # A change before the new epoch's schedule waits for it; the old day still serves patients.
    change = m.AppointmentChange("chen", DAY, 10, APPT, epoch=E2)
    assert cache.apply_appointment_change(change, NOW_S).decision == state.OTHER_DAY
    assert cache.appointment("chen-1") is not None
    assert cache.apply_schedule(m.ProviderSchedule("chen", "Dr. Chen", DAY, 2, [], epoch=E2), "t").changed
    assert cache.appointments_for("chen") == []
    assert cache.apply_appointment_change(m.AppointmentChange("chen", DAY, 3, APPT, epoch=E2)).changed

    # The old epoch's retained messages arriving late change nothing, however high.
    for late in (_status("chen", 99, E1), _status("chen", 99, m.Epoch())):
        assert cache.apply_status(late, "t", NOW_S).decision == state.OLD_EPOCH
    old_day = m.ProviderSchedule("chen", "Dr. Chen", DAY, 99, [], epoch=E1)
    assert cache.apply_schedule(old_day, "t", NOW_S).decision == state.OLD_EPOCH
    assert cache.apply_status(_status("chen", 2, FUTURE), "t", NOW_S).decision == state.FUTURE_EPOCH
    assert (cache.epoch(), cache.status("chen")) == (E2, m.ProviderStatus("chen", 1, "out"))
    assert [item.key for item in outbox.pending()] == ["checkin-0001"]  # the outbox is the kiosk's
    cache.close()
    assert KioskCache.open(tmp_path / "k.sqlite").epoch() == E2  # and it survives a restart


def test_an_acknowledged_checkin_is_owed_again_and_nothing_else(tmp_path: Path) -> None:
    cache = KioskCache.open(tmp_path / "k.sqlite")
    outbox = Outbox(cache.db)
    outbox.add("checkin-0001", "checkin", "t/checkin", b'{"k":1}', f"{DAY}T08:00")
    outbox.add("event-00001", "staff_event", "t/event", b'{"k":2}', f"{DAY}T08:00")
    outbox.add("request-0001", "status_request", "t/request", b'{"k":3}', f"{DAY}T08:00")
    outbox.acknowledge(["checkin-0001", "event-00001"], f"{DAY}T08:01", ["checkin", "staff_event"])
    outbox.acknowledge(["request-0001"], f"{DAY}T08:01", ["status_request"])
    assert outbox.depth() == 0
    assert outbox.owe_again() == 1
    assert [(i.key, i.payload) for i in outbox.pending()] == [("checkin-0001", b'{"k":1}')]
    assert outbox.owe_again() == 0  # owed already
