"""Exactly one thread touches each paho client (and so its TLS socket).

Two threads writing one TLS socket corrupt its records; mosquitto then drops the client
("decryption failed or bad record mac"). Here the hub, two kiosks, lobby-2's staff panel
and the practice's CLI all publish at once over TLS with passwords and ACLs
(``devtools.tls_soak``, which ``make bench`` runs for 60 s), and every paho client must
only ever be driven from one thread; the short soak must end with no dropped connection."""

from __future__ import annotations

import threading
from collections import defaultdict
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from devtools.tls_soak import run_soak

SOAK_S = 10.0


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


def test_one_thread_per_paho_client_and_no_dropped_tls_connection_under_load(
    tmp_path: Path, paho_threads: dict[str, set[int]]
) -> None:
    report = run_soak(tmp_path, SOAK_S)
    assert report.seconds >= SOAK_S
    assert report.figures() == {"seconds": round(report.seconds, 1), "disconnects": 0, "cli_timeouts": 0}
    assert report.troubles == []
    assert report.cli_answered >= 3 and report.cli_refused == 0
    assert report.checkins_sent > 100 and report.checkins_recorded == report.checkins_sent
    assert report.staff_sent >= 10 and report.staff_answered == report.staff_sent
    assert report.hub_changes >= 10
    assert report.connects == {"hub": 1, "lobby-1": 1, "lobby-2": 1}
    assert set(report.load_errors.values()) == {0}, report.load_errors
    clients = {cid: threads for cid, threads in paho_threads.items() if cid}
    assert {"hub", "kiosk-lobby-1", "kiosk-lobby-2"} <= set(clients), clients
    assert any(cid.startswith("hub-cli-") for cid in clients)
    for cid, threads in clients.items():
        assert len(threads) == 1, f"{cid} was driven from {len(threads)} threads"
