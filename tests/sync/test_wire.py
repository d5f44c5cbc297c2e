"""The codec: every message round-trips; every decoder survives arbitrary input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import WireError
from sync import messages as m
from sync import query_messages as qm
from sync import staff_messages as sm
from sync.revocation import KioskRevoked
from sync.topics import TopicTree
from sync.wire import Message, decode, decode_any, encode, message_types

APPT = m.Appointment("chen-0001", "chen", "2026-11-30T09:30", 15, "María", "GAR", "1982-03-04", "K7QX2M")
EXAMPLES: list[Message] = [
    m.ProviderSchedule("chen", "Dr. Wei Chen", "2026-11-30", 3, [APPT]),
    m.AppointmentChange("chen", "2026-11-30", 4, APPT),
    m.ProviderStatus("chen", 7, "late", delay_min=20, reason="traffic", changed_by="desk-1"),
    m.ProviderStatus("chen", 8, "leaving_early", leaving_at="15:30"),
    m.KioskAvailability(
        "lobby-1", True, "0.1.0", "2026-11-30T07:43", m.CacheSummary("2026-11-30", {"chen": 3})
    ),
    m.CheckIn("a" * 32, "lobby-1", "chen-0001", "chen", "2026-11-30T09:12", "qr", "waiting_late"),
    m.StatusChangeRequest("b" * 32, "lobby-1", "chen", "out", "desk-1", "2026-11-30T07:43", reason="sick"),
    m.RequestResult("b" * 32, "lobby-1", False, "needs a supervisor", "chen"),
    m.DisplayAck("lobby-1", {"chen": 7, "patel": 2}),
    m.KioskHealth(
        "lobby-1", "2026-11-30T07:43", True, 0.0, 2, devices={"printer": m.DeviceState("error", "paper out")}
    ),
    m.HubAvailability(True, "0.1.0"),
    m.HubAck("lobby-1", ["a" * 32, "c" * 32], "2026-11-30T09:12:01"),
    sm.StaffEvent("c" * 32, "lobby-1", "2026-11-30T07:44", "login", "ana", "supervisor"),
    sm.SupervisorNotice("n-12", "2026-11-30T07:44", "martinez", 4, "Dr. Martinez out today: 14 affected"),
    sm.NoticeAck("d" * 32, "lobby-1", "n-12", "ana", "2026-11-30T07:46"),
    sm.DisplayReceipt("martinez", 4, ["lobby-1"], ["lobby-2"]),
    sm.Escalation(
        "e-3", "2026-11-30T07:45", "display", True, "martinez", 4, "lobby-2 has not shown version 4"
    ),
    sm.AffectedAppointments(
        "martinez", 4, "out", [sm.AffectedAppointment("mar-0001", "2026-11-30T08:00", False)]
    ),
    KioskRevoked("lobby-2", "2026-11-30T07:50:00", "stolen"),
    qm.HubQuery("f" * 32, "notifications", limit=20),
    qm.HubQueryAnswer("f" * 32, "providers", '{"chen": "Dr. Wei Chen"}'),
    m.CallerLookup("c" * 32, "phone-1", "+15552010123"),
    m.CallerMatch("c" * 32, "a-1"),
]


def test_every_declared_kind_has_an_example() -> None:
    assert {type(e).KIND for e in EXAMPLES} == set(message_types())


def test_a_hub_ack_names_one_batch_of_valid_keys() -> None:
    full = m.HubAck("lobby-1", [f"{i:032x}" for i in range(m.MAX_ACK_KEYS)])
    assert decode(encode(full), m.HubAck) == full  # a whole batch fits its size limit
    for keys in ([], ["short"], [f"{i:032x}" for i in range(m.MAX_ACK_KEYS + 1)]):
        body = json.loads(encode(m.HubAck("lobby-1", ["a" * 32])))
        body["keys"] = keys
        with pytest.raises(WireError):
            decode(json.dumps(body).encode(), m.HubAck)


def test_a_1_0_health_report_reads_with_unknown_backlog() -> None:
    body = json.loads(encode(m.KioskHealth("lobby-1", "2026-11-30T07:43", True, 0.0, 2)))
    assert body["schema"] == "1.1"
    body["schema"] = "1.0"
    for name in ("outbox_queued", "outbox_sent", "oldest_unacked_s", "oldest_unacked_checkin_s"):
        del body[name]
    old = decode(json.dumps(body).encode(), m.KioskHealth)
    assert old.outbox_depth == 2 and old.oldest_unacked_checkin_s == -1.0


@pytest.mark.parametrize("msg", EXAMPLES, ids=lambda e: type(e).KIND)
def test_round_trip(msg: Message) -> None:
    data = encode(msg)
    assert decode(data, type(msg)) == msg
    assert decode_any(data) == msg


def test_a_newer_minor_version_with_extra_fields_is_accepted() -> None:
    body = json.loads(encode(EXAMPLES[2]))
    body["schema"] = "1.7"
    body["colour"] = "amber"
    assert decode(json.dumps(body).encode(), m.ProviderStatus) == EXAMPLES[2]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"schema": "2.0"}, "unknown_major"),
        ({"schema": "one"}, "bad_schema"),
        ({"version": 1.5}, "wrong_type"),
        ({"version": True}, "wrong_type"),
        ({"delay_min": 0}, "bad_value"),
        ({"delay_min": 100000}, "bad_value"),
        ({"provider_id": "../x"}, "bad_value"),
        ({"state": None}, "bad_value"),
    ],
)
def test_named_rejections(change: dict[str, object], reason: str) -> None:
    body = {**json.loads(encode(EXAMPLES[2])), **change}
    with pytest.raises(WireError) as err:
        decode(json.dumps(body).encode(), m.ProviderStatus)
    assert err.value.reason == reason


def test_nan_and_infinity_are_not_json_here() -> None:
    with pytest.raises(WireError, match="not_json"):
        decode(b'{"kind":"health","schema":"1.0","cache_age_s":NaN}', m.KioskHealth)


def test_an_oversized_schedule_is_refused_before_parsing() -> None:
    with pytest.raises(WireError, match="too_large"):
        decode(b" " * (m.ProviderSchedule.MAX_BYTES + 1), m.ProviderSchedule)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_crash_any_decoder(data: bytes) -> None:
    for cls in message_types().values():
        try:
            decode(data, cls)
        except WireError:
            pass


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(message_types())), st.dictionaries(st.text(max_size=24), json_values, max_size=12)
)
def test_arbitrary_json_objects_never_crash_any_decoder(kind: str, body: dict[str, object]) -> None:
    body = {**body, "kind": kind, "schema": "1.0"}
    try:
        msg = decode_any(json.dumps(body).encode())
    except WireError:
        return
    assert decode_any(encode(msg)) == msg  # whatever is accepted re-encodes to itself


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(EXAMPLES), st.data())
def test_mutated_fields_of_real_messages_never_crash(msg: Message, data: st.DataObject) -> None:
    body = json.loads(encode(msg))
    key = data.draw(st.sampled_from(sorted(body)))
    body[key] = data.draw(json_values)
    try:
        decode(json.dumps(body).encode(), type(msg))
    except WireError:
        pass


def test_topic_routes_round_trip() -> None:
    tree = TopicTree("acme", "main")
    assert tree.route(tree.status("chen")).kind is m.ProviderStatus  # type: ignore[union-attr]
    assert tree.route(tree.checkin("lobby-1")).kiosk_id == "lobby-1"  # type: ignore[union-attr]
    assert tree.route("clinic/v1/other/main/status/chen") is None
    assert tree.route(tree.base + "/kiosk/lobby-1/unknown") is None
