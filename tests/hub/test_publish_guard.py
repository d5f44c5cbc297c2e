"""The hub's last line: what kiosks read is decoded by their own decoder before it leaves."""

from __future__ import annotations

from hub.publish_guard import SOURCE, PublishGuard, escalations
from sync import messages as m
from sync.topics import TopicTree
from sync.wire import decode, encode

TREE = TopicTree("acme", "main")
DAY = "2026-11-30"


def _appt(appt_id: str, **changes: object) -> m.Appointment:
    values: dict[str, object] = {
        "id": appt_id, "provider_id": "chen", "start": f"{DAY}T09:00", "duration_min": 15,
        "first_name": "Ann", "last_prefix": "LEE", "dob": "1970-01-01", "code": appt_id,
    }  # fmt: skip
    values.update(changes)
    return m.Appointment(**values)  # type: ignore[arg-type]


def test_a_schedule_leaves_without_the_rows_a_kiosk_would_refuse() -> None:
    guard = PublishGuard(TREE)
    schedule = m.ProviderSchedule(
        "chen", "Dr Chen", DAY, 3, [_appt("A1"), _appt("A2", first_name=""), _appt("A3", dob="1970-02-30")]
    )
    checked = guard.check(TREE.schedule("chen"), schedule, encode(schedule))
    assert checked is not None
    msg, data = checked
    assert [a.id for a in decode(data, m.ProviderSchedule).appointments] == ["A1"]
    assert isinstance(msg, m.ProviderSchedule) and msg.version == 3
    held, counts = guard.take()
    assert [(h.appointment_id, h.field) for h in held] == [("A2", "first_name"), ("A3", "dob")]
    assert counts == {(SOURCE, "schedule.first_name"): 1, (SOURCE, "schedule.dob"): 1}
    alerts = escalations(held + held, "2026-11-30T09:00:00")  # once per appointment and field
    assert [(a.id, a.about) for a in alerts] == [
        ("held-schedule-A2-first_name", "feed"),
        ("held-schedule-A3-dob", "feed"),
    ]
    assert "1970-02-30" not in alerts[1].detail and "A3" in alerts[1].detail
    assert guard.take() == ([], {})


def test_what_a_kiosk_takes_leaves_as_it_is_and_the_rest_not_at_all() -> None:
    guard = PublishGuard(TREE)
    sound = m.ProviderSchedule("chen", "Dr Chen", DAY, 1, [_appt("A1")])
    data = encode(sound)
    assert guard.check(TREE.schedule("chen"), sound, data) == (sound, data)
    change = m.AppointmentChange("chen", DAY, 2, _appt("A9", code=""))
    assert guard.check(TREE.appointment("chen"), change, encode(change)) is None
    wrong_topic = m.ProviderStatus("chen", 4, "late", delay_min=10)
    assert guard.check(TREE.status("okafor"), wrong_topic, encode(wrong_topic)) is None
    assert [(h.kind, h.appointment_id, h.reason) for h in guard.take()[0]] == [
        ("appointment", "A9", "bad_value"),
        ("status", "", "topic_mismatch"),
    ]
    other = m.HubAvailability(True)
    assert guard.check(TREE.hub_availability(), other, b"anything") == (
        other,
        b"anything",
    )  # not a kiosk read
    assert guard.held_total == 2
