"""Malformed, oversized, stale and mismatched messages over a real broker: rejected,
counted, and never allowed to overwrite good state."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sync import messages as m
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import Broker, publish_raw
from tests.support.site import RecordingKiosk, wait_for

TREE = TopicTree("acme", "main")


def _send(broker: Broker, topic: str, payload: bytes, retain: bool = False) -> None:
    publish_raw(broker, topic, payload, retain=retain)


def _send_until(broker: Broker, topic: str, payload: bytes, arrived: Callable[[], bool], what: str) -> None:
    """Send a good message again until the kiosk has it: "connected" is before its SUBSCRIBE is
    answered, and a message sent in between is not for it (once beside stress-ng over TLS). A
    resend is a duplicate the kiosk ignores; the waits stay on the event."""
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        _send(broker, topic, payload)
        try:
            wait_for(arrived, timeout=3.0, what=what)
            return
        except AssertionError:
            continue
    raise AssertionError(f"timed out after 60 s waiting for {what}")


def _good_status(version: int, delay: int) -> bytes:
    return encode(m.ProviderStatus("chen", version, "late", delay_min=delay))


@pytest.fixture
def kiosk(broker: Broker, tmp_path: Path) -> Iterator[RecordingKiosk]:
    k = RecordingKiosk(broker.settings(), tmp_path).start()
    wait_for(lambda: k.sync.link.connected, what="connect")
    yield k
    k.stop()


def test_versions_reject_stale_and_duplicate_status(broker: Broker, kiosk: RecordingKiosk) -> None:
    _send_until(
        broker, TREE.status("chen"), _good_status(5, 25),
        lambda: (s := kiosk.status("chen")) is not None and s.version == 5, "version 5",
    )  # fmt: skip
    _send(broker, TREE.status("chen"), _good_status(4, 99))  # older: late, out of order
    _send(broker, TREE.status("chen"), _good_status(5, 77))  # same version again, other content
    _send(broker, TREE.status("chen"), _good_status(6, 30))
    wait_for(lambda: (s := kiosk.status("chen")) is not None and s.version == 6, what="version 6")
    latest = kiosk.status("chen")
    assert latest is not None and latest.delay_min == 30
    stats = kiosk.sync._stats
    assert stats["applied_stale"] == 1 and stats["applied_duplicate"] == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "not_json"),
        (b"\xff\xfe", "not_json"),
        (b"[1, 2]", "not_object"),
        (json.dumps({"kind": "status", "schema": "9.0", "provider_id": "chen"}).encode(), "unknown_major"),
        (json.dumps({"kind": "schedule", "schema": "1.0"}).encode(), "wrong_kind"),
        (json.dumps({"kind": "status", "schema": "1.0", "provider_id": "chen"}).encode(), "missing_field"),
        (
            json.dumps(
                {"kind": "status", "schema": "1.0", "provider_id": "chen", "version": "7", "state": "late"}
            ).encode(),
            "wrong_type",
        ),
        (
            json.dumps(
                {"kind": "status", "schema": "1.0", "provider_id": "chen", "version": 7, "state": "gone"}
            ).encode(),
            "bad_value",
        ),
        (encode(m.ProviderStatus("okafor", 9, "out")), "topic_mismatch"),
        (b"{" + b" " * (20 * 1024) + b"}", "too_large"),
    ],
)
def test_bad_payloads_are_rejected_counted_and_change_nothing(
    broker: Broker, kiosk: RecordingKiosk, payload: bytes, reason: str
) -> None:
    _send_until(
        broker, TREE.status("chen"), _good_status(3, 10),
        lambda: (s := kiosk.status("chen")) is not None and s.version == 3, "good state",
    )  # fmt: skip
    _send(broker, TREE.status("chen"), payload)
    wait_for(lambda: kiosk.sync._decoder.rejected[reason] == 1, what=f"rejection {reason}")
    status = kiosk.status("chen")
    assert status is not None and status.version == 3 and status.delay_min == 10
    assert kiosk.sync.link.callback_errors == 0
    health = kiosk.sync.call(lambda _c: kiosk.sync.health())
    assert health.rejected[reason] == 1


def test_a_flood_of_garbage_does_not_stop_sync(broker: Broker, kiosk: RecordingKiosk) -> None:
    for i in range(200):
        _send(broker, TREE.schedule("chen"), bytes([i % 256]) * (i + 1))
    _send(broker, TREE.status("chen"), _good_status(1, 5))
    wait_for(
        lambda: (s := kiosk.status("chen")) is not None and s.delay_min == 5,
        what="good message after garbage",
    )
    assert sum(kiosk.sync._decoder.rejected.values()) == 200
