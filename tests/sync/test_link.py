"""The MQTT link's contract: publish from any thread returns bool, PUBACKs carry the
caller's token, a raising event handler never ends the network loop."""

from __future__ import annotations

import queue
import threading

import paho.mqtt.client as mqtt

from sync.link import LinkEvent, MqttLink
from tests.support.broker import Broker, publish_raw
from tests.support.site import wait_for


def test_publish_returns_false_when_not_connected_and_the_puback_carries_the_token(broker: Broker) -> None:
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(broker.settings(), "token-probe", events.put)
    assert link.publish("acme/main/x", b"1", token="early") is False  # not started: the caller keeps it
    link.start()
    try:
        wait_for(lambda: link.connected, what="connect")
        tokens = [f"seq-{i}" for i in range(50)]
        senders = [
            threading.Thread(target=link.publish, args=("acme/main/x", b"1"), kwargs={"token": t})
            for t in tokens
        ]
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        acked: set[object] = set()
        while len(acked) < len(tokens):
            event = events.get(timeout=60)
            if event.kind == "published":
                assert event.ok
                acked.add(event.token)
        assert acked == set(tokens)
    finally:
        link.stop()
    assert not link.connected and not link.worker.health().alive


def test_a_burst_handed_over_from_another_thread_arrives_whole_and_in_order(broker: Broker) -> None:
    """Thousands of publishes between two network rounds go out coalesced (one send per
    round, past the flush threshold in several) and come in through one buffered recv per
    round: every byte must still arrive, in order, each PUBACK naming its publish. Some
    payloads are larger than the read and write buffers."""
    received: queue.Queue[LinkEvent] = queue.Queue()
    reader = MqttLink(broker.settings(), "burst-reader", received.put, subscriptions=["acme/main/burst"])
    events: queue.Queue[LinkEvent] = queue.Queue()
    writer = MqttLink(broker.settings(), "burst-writer", events.put)
    reader.start()
    writer.start()
    try:
        wait_for(lambda: reader.connects == 1 and writer.connected, what="both connected")
        payloads = [(b"%06d" % i) * (30_000 if i % 500 == 7 else 1 + i % 40) for i in range(3000)]
        for i, payload in enumerate(payloads):
            assert writer.publish("acme/main/burst", payload, token=i)
        acked: list[object] = []
        while len(acked) < len(payloads):
            event = events.get(timeout=20)
            if event.kind == "published":
                assert event.ok
                acked.append(event.token)
        assert sorted(acked, key=int) == list(range(len(payloads)))  # type: ignore[arg-type]
        got: list[bytes] = []
        while len(got) < len(payloads):
            event = received.get(timeout=20)
            if event.kind == "message":
                got.append(event.payload)
        assert got == payloads
        assert writer.connects == 1 and reader.connects == 1  # no connection was lost on the way
    finally:
        writer.stop()
        reader.stop()


def test_a_handler_that_raises_never_ends_the_network_loop(broker: Broker) -> None:
    got: list[bytes] = []

    def on_event(event: LinkEvent) -> None:
        if event.kind == "message":
            if event.payload == b"boom":
                raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
            got.append(event.payload)

    link = MqttLink(broker.settings(), "raising-handler", on_event, subscriptions=["acme/main/t"])
    link.start()
    try:
        wait_for(lambda: link.connected, what="connect")
        wait_for(lambda: link.connects == 1, what="subscribed")
        for payload in (b"boom", b"boom", b"ok"):
            publish_raw(broker, "acme/main/t", payload)
        wait_for(lambda: got == [b"ok"], what="the message after two raising ones")
        assert link.callback_errors == 2
        assert link.connected and link.connects == 1 and link.supervising()
    finally:
        link.stop()


def test_the_link_reconnects_after_the_broker_restarts(broker: Broker) -> None:
    events: queue.Queue[LinkEvent] = queue.Queue()
    link = MqttLink(broker.settings(), "reconnector", events.put)
    link.start()
    try:
        wait_for(lambda: link.connected, what="connect")
        broker.stop()
        wait_for(lambda: not link.connected, what="the loss")
        assert link.publish("acme/main/x", b"1") is False
        broker.start()
        wait_for(lambda: link.connected, timeout=60, what="the reconnect")
        assert link.connects == 2 and link.supervising()
        kinds = []
        while not events.empty():
            kinds.append(events.get().kind)
        assert kinds == ["connected", "disconnected", "connected"]
    finally:
        link.stop()


def test_a_stop_while_messages_arrive_is_a_clean_disconnect_at_the_broker(broker: Broker) -> None:
    """Closing a socket with unread data sends a TCP reset, and the broker then loses the
    DISCONNECT ("closed its connection"; over TLS "protocol error"; and it sends the will)."""
    flood = MqttLink(broker.settings(), "flood", lambda _e: None)
    flood.start()
    try:
        wait_for(lambda: flood.connected, what="the flood's connect")
        for n in range(5):
            link = MqttLink(broker.settings(), f"leaver-{n}", lambda _e: None, subscriptions=["acme/main/f"])
            link.start()

            def subscribed(link: MqttLink = link) -> bool:
                return link.connects == 1

            wait_for(subscribed, what="subscribed")
            for _ in range(200):
                flood.publish("acme/main/f", b"x" * 200, qos=1)
            link.stop()
    finally:
        flood.stop()
    log = (broker.workdir / "mosquitto.log").read_text(errors="replace").splitlines()
    leavers = [ln for ln in log if "Client leaver-" in ln and ("disconnected" in ln or "closed" in ln)]
    assert len(leavers) == 5 and all(ln.endswith("disconnected.") for ln in leavers), leavers


def test_the_paho_hooks_the_buffered_client_overrides_are_still_paho_s() -> None:
    """``sync.paho_client.BufferedClient`` buffers through these: a paho that renamed one
    would leave a DISCONNECT or a packet in a buffer nobody sends."""
    for name in ("_sock_recv", "_sock_send", "_sock_close", "loop_write", "want_write"):
        assert callable(getattr(mqtt.Client, name, None)), name
