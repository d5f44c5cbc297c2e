"""The hub takes back the retained state it owns (hub/retained_guard.py, hub/own_topics.py).

Against a real mosquitto whose ACL wrongly lets a client ("rogue") write the hub's topics:
whatever it leaves retained on a provider's status - nothing at all, the same version saying
something else, an older epoch, a version the hub never issued - the broker holds the
hub's own state again within 1 s, the hub counts it, and the kiosk ends on the hub's state.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.publish as publish
import paho.mqtt.subscribe as subscribe
import pytest

from hub.service import HubService
from sync import messages as m
from sync.acl import render_acl
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import BROKER_MODES, Broker, Credentials
from tests.support.site import RecordingKiosk, start_hub, status_request, wait_for

TREE = TopicTree("acme", "main")
TOPIC = TREE.status("chen")
PATIENCE_S = 60.0  # a ceiling for a busy machine; the hub restores in well under a second
USERS = {"hub": "hub-secret", "lobby-1": "k1-secret", "rogue": "rogue-secret"}


@pytest.fixture(params=BROKER_MODES)
def loose_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    """The site's ACL, plus one client allowed to write everything (a misconfiguration)."""
    acl = render_acl(TREE, "hub", ["lobby-1"]) + f"user rogue\ntopic readwrite {TREE.base}/#\n"
    b = Broker(tmp_path / "loose", tls=request.param == "tls", creds=Credentials(USERS, acl))
    b.start()
    yield b
    b.stop()


def _as_rogue(broker: Broker) -> dict[str, Any]:
    target = broker.settings()
    return {
        "hostname": target.host,
        "port": target.port,
        "auth": {"username": "rogue", "password": USERS["rogue"]},
        "tls": {"ca_certs": target.ca_file} if target.tls else None,
    }


def _retained(broker: Broker) -> bytes:
    got = subscribe.simple(TOPIC, retained=True, **_as_rogue(broker))  # type: ignore[no-untyped-call]
    return bytes(got.payload)


def _overwrite(hub: HubService, broker: Broker, payload: bytes) -> float:
    """The rogue's retained message on chen's status; seconds until the hub's is back."""
    before = hub.own.stats["retained_restored"] + hub.own.stats["epochs_started"]
    started = time.monotonic()
    publish.single(TOPIC, payload, qos=1, retain=True, **_as_rogue(broker))
    wait_for(
        lambda: (
            (hub.own.stats["retained_restored"] + hub.own.stats["epochs_started"] > before)
            and _retained(broker) == hub.call(lambda _s: hub.own.guard.own(TOPIC))
        ),
        timeout=PATIENCE_S,
        what="the hub's status back on the broker",
    )
    return time.monotonic() - started


def test_the_hub_restores_its_retained_status_whoever_replaced_it(
    loose_broker: Broker, tmp_path: Path
) -> None:
    hub = start_hub(loose_broker.settings("hub", USERS["hub"]), tmp_path / "site")
    kiosk = RecordingKiosk(loose_broker.settings("lobby-1", USERS["lobby-1"]), tmp_path).start()
    try:
        assert hub.set_status(status_request("chen", "late", 10)).status_version == 1
        wait_for(lambda: (s := kiosk.status("chen")) is not None and s.version == 1, what="the kiosk")
        epoch = hub.own.epoch
        forgeries = {
            "cleared": b"",
            "same version, other state": encode(m.ProviderStatus("chen", 1, "out", reason="x", epoch=epoch)),
            "an older epoch": encode(m.ProviderStatus("chen", 9, "out", reason="x")),
            "garbage": b"\xff{not json",
        }
        for what, payload in forgeries.items():
            took = _overwrite(hub, loose_broker, payload)
            print(f"{what}: restored after {took:.2f} s")
        assert hub.own.stats["retained_restored"] >= len(forgeries)
        assert hub.own.stats["epochs_started"] == 0

        # A version the hub never issued, in its own epoch: the kiosk may take it for a
        # moment, so the hub starts a new epoch, which every kiosk follows.
        _overwrite(hub, loose_broker, encode(m.ProviderStatus("chen", 7, "out", reason="x", epoch=epoch)))
        assert hub.own.epoch > epoch
        wait_for(
            lambda: (
                (s := kiosk.status("chen")) is not None
                and (s.version, s.state) == (1, "late")
                and kiosk.sync.call(lambda c: c.epoch()) == hub.own.epoch
            ),
            timeout=PATIENCE_S,
            what="the kiosk on the hub's state",
        )
        assert hub.call(lambda store: store.counters().get("retained_restored", 0)) >= len(forgeries)
    finally:
        kiosk.stop()
        hub.stop()
