"""Exactly one thread touches each paho client (and so its TLS socket).

Two threads writing one TLS socket corrupt its records; mosquitto then drops the client
("decryption failed or bad record mac"). Here the hub, two kiosks and the practice's CLI
all publish at once over TLS with passwords and ACLs, and every paho client must only ever
be driven from one thread; a short soak must end with no dropped connection."""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from hub.cli import send_command
from sync.acl import render_acl
from sync.topics import TopicTree
from tests.support.broker import Broker, Credentials
from tests.support.site import RecordingKiosk, checkin, site_settings, start_hub, status_request, wait_for

TREE = TopicTree("acme", "main")
_BAD_LOG = re.compile(
    r"protocol error|bad record mac|decryption failed|disconnected|closed its connection", re.I
)
_CLEAN_CLI_EXIT = re.compile(r"Client hub-cli-\w+ disconnected\.$")


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[Broker]:
    creds = Credentials(
        users={"hub": "hub-secret", "lobby-1": "k1-secret", "lobby-2": "k2-secret", "desk": "desk-secret"},
        acl=render_acl(TREE, "hub", ["lobby-1", "lobby-2"], ["desk"]),
    )
    b = Broker(tmp_path / "tls", tls=True, creds=creds)
    b.start()
    yield b
    b.stop()


@pytest.fixture
def paho_threads(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[int]]:
    """client id -> the threads that called into that paho client."""
    seen: dict[str, set[int]] = defaultdict(set)
    lock = threading.Lock()
    for name in ("publish", "loop", "loop_read", "loop_write", "subscribe", "disconnect", "connect"):
        original = getattr(mqtt.Client, name)

        def recorder(self, *args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            with lock:
                seen[self._client_id.decode()].add(threading.get_ident())
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(mqtt.Client, name, recorder)
    return seen


def _checkins(kiosk: RecordingKiosk, stop: threading.Event, sent: list[int]) -> None:
    appointments = kiosk.sync.call(lambda c: c.appointments_for("martinez") + c.appointments_for("chen"))
    i = 0
    while not stop.is_set():
        kiosk.sync.submit(checkin(appointments[i % len(appointments)], kiosk.sync.kiosk_id))
        sent[0] += 1
        i += 1
        time.sleep(0.02)


def _broker_troubles(broker: Broker) -> list[str]:
    lines = (broker.workdir / "mosquitto.log").read_text(errors="replace").splitlines()
    return [ln for ln in lines if _BAD_LOG.search(ln) and not _CLEAN_CLI_EXIT.search(ln)]


def test_one_thread_per_paho_client_and_no_dropped_tls_connection_under_load(
    tls_broker: Broker, tmp_path: Path, paho_threads: dict[str, set[int]]
) -> None:
    hub = start_hub(tls_broker.settings("hub", "hub-secret"), tmp_path)
    kiosks = [
        RecordingKiosk(tls_broker.settings(user, password), tmp_path, user).start()
        for user, password in (("lobby-1", "k1-secret"), ("lobby-2", "k2-secret"))
    ]
    cli = site_settings(tls_broker.settings("desk", "desk-secret"), tmp_path / "cli", "cli")
    stop = threading.Event()
    sent = [[0], [0]]
    workers = [
        threading.Thread(target=_checkins, args=(k, stop, n), name=f"load-{k.sync.kiosk_id}")
        for k, n in zip(kiosks, sent, strict=True)
    ]
    timeouts = answered = 0
    try:
        for k in kiosks:
            wait_for(lambda k=k: k.appointments() == 27, what="schedules over TLS")
        for w in workers:
            w.start()
        deadline = time.monotonic() + 10.0  # the soak
        delay = 1
        while time.monotonic() < deadline:
            result = send_command(cli, status_request("chen", "late", delay), timeout=10)
            if result is None:
                timeouts += 1
            else:
                answered += 1
                assert result.accepted, result
            delay = delay % 60 + 1
        stop.set()
        for w in workers:
            w.join(10)
        total = sent[0][0] + sent[1][0]
        wait_for(lambda: hub.call(lambda s: s.checkin_count()) == total, timeout=30, what="every check-in")
        wait_for(
            lambda: all(
                (s := k.status("chen")) is not None and s.delay_min == (delay - 2) % 60 + 1 for k in kiosks
            ),
            what="the last status on both kiosks",
        )
        troubles = _broker_troubles(tls_broker)  # before stopping: a clean stop disconnects
    finally:
        stop.set()
        for k in kiosks:
            k.stop()
        hub.stop()
    assert timeouts == 0 and answered >= 3
    assert total > 100
    assert troubles == []
    assert hub.link.connects == 1 and all(k.sync.link.connects == 1 for k in kiosks)
    clients = {cid: threads for cid, threads in paho_threads.items() if cid}
    assert {"hub", "kiosk-lobby-1", "kiosk-lobby-2"} <= set(clients), clients
    assert any(cid.startswith("hub-cli-") for cid in clients)
    for cid, threads in clients.items():
        assert len(threads) == 1, f"{cid} was driven from {len(threads)} threads"
