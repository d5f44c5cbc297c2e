"""Hostile payloads and broken listeners never stop the kiosk's sync worker or the hub's.

A lone surrogate once stopped the kiosk's sync thread (in a ``status``) and the hub's (in
a kiosk's retained ``availability``, so the hub died again on every restart)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync import messages as m
from sync.cache import Applied
from sync.kiosk_sync import SyncChange
from sync.topics import TopicTree
from tests.support.broker import Broker, publish_raw
from tests.support.site import RecordingKiosk, checkin, start_hub, status_request, wait_for

TREE = TopicTree("acme", "main")


def _send(broker: Broker, topic: str, payload: bytes, retain: bool = False) -> None:
    publish_raw(broker, topic, payload, retain=retain)


def _status(field: str) -> bytes:
    return (
        '{"kind":"status","schema":"1.0","provider_id":"chen","state":"late","delay_min":5,' + field + "}"
    ).encode()


def _availability(field: str) -> bytes:
    return (
        '{"kind":"availability","schema":"1.0","kiosk_id":"lobby-9","online":true,' + field + "}"
    ).encode()


# (name, status payload, availability payload): each must be rejected, never raised.
HOSTILE = [
    (
        "lone surrogate",
        _status('"version":7,"reason":"\\ud800"'),
        _availability('"software_version":"\\udfff"'),
    ),
    (
        "surrogate key",
        _status('"version":7,"reason":"\\udc00\\ud800"'),
        _availability('"cache":{"status_versions":{"\\ud800":1}}'),
    ),
    ("NaN", _status('"version":NaN'), _availability('"at":NaN')),
    ("infinity", _status('"version":1e999'), _availability('"online":1e999')),
    ("huge integer", _status('"version":' + "9" * 4000), _availability('"online":' + "9" * 4000)),
    ("huger integer", _status('"version":' + "9" * 5000), _availability('"at":' + "9" * 5000)),
    (
        "deep nesting",
        _status('"version":7,"reason":' + "[" * 900 + "]" * 900),
        _availability('"cache":' + "[" * 900 + "]" * 900),
    ),
    (
        "deeper nesting",
        _status('"version":' + "[" * 7000 + "]" * 7000),
        _availability('"at":' + '{"a":' * 3000 + "1" + "}" * 3000),
    ),
]


@pytest.mark.parametrize(("name", "status", "availability"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_payloads_stop_neither_the_kiosk_nor_the_hub(
    broker: Broker, tmp_path: Path, name: str, status: bytes, availability: bytes
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        _send(broker, TREE.status("chen"), status)
        _send(broker, TREE.availability("lobby-9"), availability, retain=True)
        wait_for(lambda: sum(kiosk.sync._decoder.rejected.values()) >= 1, what="the kiosk rejects it")
        wait_for(lambda: sum(hub.rejected().values()) >= 1, what="the hub rejects it")
        hub.stop()  # the retained availability comes again on the restart
        hub = start_hub(broker.settings(), tmp_path)
        wait_for(lambda: sum(hub.rejected().values()) >= 1, what="the restarted hub rejects it again")
        # A real status change still reaches the kiosk, a check-in still reaches the hub.
        hub.set_status(status_request("chen", "late", 15))
        wait_for(lambda: (s := kiosk.status("chen")) is not None and s.delay_min == 15, what="status")
        appt = kiosk.sync.call(lambda c: c.appointments_for("martinez")[0])
        kiosk.sync.submit(checkin(appt))
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) == 1, what="check-in at the hub")
        for worker in (kiosk.sync.worker, hub.worker, kiosk.sync.link.worker, hub.link.worker):
            health = worker.health()
            assert health.alive and health.responsive and health.errors == 0, health
        assert kiosk.sync.alive(timeout=2) and hub.responsive(timeout=2)
        assert kiosk.sync.link.callback_errors == 0 and hub.link.callback_errors == 0
    finally:
        kiosk.stop()
        hub.stop()


def test_a_handler_that_raises_is_counted_in_the_health_metrics_and_sync_goes_on(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        cache = kiosk.sync.cache
        assert cache is not None
        real = cache.apply_status
        calls = [0]

        def apply_once_broken(msg: m.ProviderStatus, received_at: str, now_s: float | None = None) -> Applied:
            calls[0] += 1
            if calls[0] == 1:
                raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
            return real(msg, received_at, now_s)

        cache.apply_status = apply_once_broken  # type: ignore[method-assign]
        hub.set_status(status_request("chen", "late", 10))
        wait_for(lambda: kiosk.sync.worker.health().errors == 1, what="the error to be counted")
        hub.set_status(status_request("chen", "late", 20))
        wait_for(lambda: (s := kiosk.status("chen")) is not None and s.delay_min == 20, what="next status")
        health = kiosk.sync.call(lambda _c: kiosk.sync.health())
        assert health.metrics["worker_errors"] == 1.0
        assert kiosk.sync.alive(timeout=2)
    finally:
        kiosk.stop()
        hub.stop()


def test_a_raising_listener_is_survived_and_a_hanging_one_shows_in_alive(
    broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(broker.settings(), tmp_path)
    kiosk = RecordingKiosk(broker.settings(), tmp_path)
    release = threading.Event()
    hang = threading.Event()

    def raising(change: SyncChange) -> None:
        if change.kind == "status":
            raise ValueError("patient Zelda Quux")

    def hanging(change: SyncChange) -> None:
        if change.kind == "status" and hang.is_set():
            release.wait(30)

    kiosk.sync.add_listener(raising)
    kiosk.sync.add_listener(hanging)
    kiosk.start()
    try:
        wait_for(lambda: kiosk.appointments() == 27, what="schedule")
        hub.set_status(status_request("chen", "late", 10))
        wait_for(lambda: (s := kiosk.status("chen")) is not None and s.delay_min == 10, what="status 1")
        wait_for(lambda: kiosk.sync._stats["listener_errors"] == 1, what="the raise to be counted")
        # The listener after the raising one was still told.
        assert [c.kind for c in kiosk.changes].count("status") == 1
        assert kiosk.sync.alive(timeout=2)
        hang.set()
        hub.set_status(status_request("chen", "late", 20))
        wait_for(lambda: not kiosk.sync.alive(timeout=0.5), what="alive() to go False on the hang")
        release.set()
        wait_for(lambda: kiosk.sync.alive(timeout=2), what="alive() again once it returns")
        last = kiosk.status("chen")
        assert last is not None and last.delay_min == 20
    finally:
        release.set()
        kiosk.stop()
        hub.stop()
