"""One MQTT connection, supervised: connect, subscribe, hand every event to the app.

The threading rule: EXACTLY ONE THREAD touches the paho client and its socket - the
link's own ``Worker`` ("mqtt-<client id>"). Its tick runs paho's network loop and the
connect / back-off state machine; ``publish()`` called from any other thread only hands
the message to that worker (a ``Batcher``: one inbox round per burst, not per message) and
writes one wake-up byte to the link's own socketpair, so the worker's ``select`` returns
at once; that socketpair is not the broker's socket. Two threads writing one TLS socket
corrupt its records - mosquitto then drops the connection with "decryption failed or bad
record mac". The worker drains every message handed over before its next network round,
and writes the round's packets with one ``send`` (``sync.paho_client.BufferedClient``).

So ``publish()`` cannot return paho's message id. It returns True when the message was
handed over while connected, False when not connected (the caller keeps its message),
and the "published" ``LinkEvent`` for it carries the caller's ``token`` (e.g. an outbox
seq). The mid -> token map lives on the link's thread and is cleared on disconnect: a
message handed over for one connection is never sent on the next one.

A new paho client per connection means paho keeps no hidden queue across outages; the
app's outbox is the only record of what still has to be sent. Every paho callback only
wraps its arguments in a ``LinkEvent`` and passes it to ``on_event`` (which must be quick
and thread-safe, e.g. ``Batcher.add`` or ``queue.put``); an exception there is logged and
counted, never allowed to kill the network loop.
"""

from __future__ import annotations

import contextlib
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from config.settings import BrokerSettings
from core.backoff import Backoff
from core.worker import Batcher, Worker
from sync.link_events import EventKind, LinkEvent, Outgoing, Will
from sync.paho_client import (
    BufferedClient,
    connect_properties,
    drain_and_close,
    hold,
    new_client,
    no_delay,
    pump,
)

log = logging.getLogger(__name__)

_UNSUPPORTED_PROTOCOL = (1, 132)  # 3.1.1 return code 1 and MQTT 5 reason 0x84
_CONNACK_TIMEOUT_S = 10.0
_LOOP_S = 0.5  # the network select; a publish from another thread wakes it at once
_STALL_S = 30.0  # a TCP + TLS connect may block the tick for connect_timeout (5 s)


class MqttLink:
    def __init__(
        self,
        broker: BrokerSettings,
        client_id: str,
        on_event: Callable[[LinkEvent], None],
        *,
        subscriptions: Sequence[str] = (),
        will: Will | None = None,
        persistent_session: bool = False,
        rng: random.Random | None = None,
    ) -> None:
        self._broker = broker
        self._client_id = client_id
        self._on_event = on_event
        self._subscriptions = list(subscriptions)
        self._will = will
        self._persistent = persistent_session
        self._rng = rng or random.Random()
        self._backoff = Backoff(broker.reconnect_min_s, broker.reconnect_max_s)
        self._protocol = (
            MQTTProtocolVersion.MQTTv5 if broker.protocol == "5" else MQTTProtocolVersion.MQTTv311
        )
        self._worker = Worker(
            f"mqtt-{client_id}",
            tick_s=0.05,
            on_tick=self._tick,
            on_start=self._open_wake,
            on_stop=self._close_all,
            stall_s=_STALL_S,
        )
        # Publishes from other threads, taken by the link's thread a burst at a time.
        self._outgoing: Batcher[tuple[int, Outgoing]] = Batcher(
            self._worker, self._send_handed, on_posted=self._wake
        )
        # --- the link thread's own state (no other thread reads or writes these) ---
        self._client: BufferedClient | None = None
        self._tokens: dict[int, object] = {}  # paho mid -> the caller's token
        self._attempt = 0
        self._retry_at = 0.0
        self._connack_deadline = 0.0
        self._was_up = False
        self._lost = False
        self._stopping = False
        # --- read from any thread ---
        self._connected = threading.Event()
        self._generation = 0  # bumped on each disconnect: stale hand-overs are dropped
        self._wake_r: socket.socket | None = None  # made on the link's thread at start
        self._wake_w: socket.socket | None = None
        self.callback_errors = 0
        self.connects = 0
        self.last_error = ""

    # --- public surface ---------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def protocol(self) -> str:
        return "5" if self._protocol == MQTTProtocolVersion.MQTTv5 else "3.1.1"

    @property
    def worker(self) -> Worker:
        return self._worker

    def supervising(self) -> bool:
        """The link's worker runs and is not stuck (connected or retrying), for the watchdog."""
        return self._worker.responsive()

    def start(self) -> None:
        self._worker.start()

    def stop(self, farewell: Sequence[tuple[str, bytes]] = (), timeout: float = 2.0) -> None:
        """Publish ``farewell`` messages (retained, QoS 1) if connected and wait for their
        PUBACKs (at most ``timeout``), then disconnect and end the link's thread."""
        said = threading.Event()

        def farewell_then_done() -> None:
            try:
                self._say_farewell(list(farewell), timeout)
            finally:
                said.set()

        if self._worker.is_current():
            farewell_then_done()
        elif self._worker.post(farewell_then_done):
            # The link's thread may sit in its network select for up to _LOOP_S: wake it
            # (after the post, so that it finds the farewell when it looks).
            self._wake()
            said.wait(timeout + 5)
        self._worker.stop(timeout + 5)

    def publish(
        self,
        topic: str,
        payload: bytes,
        qos: int = 1,
        retain: bool = False,
        token: object = None,
        *,
        expiry_s: int = 0,
    ) -> bool:
        """Hand a message to the broker connection, from any thread. False when not
        connected (the caller keeps the message); the "published" event carries ``token``.
        ``expiry_s`` > 0 (MQTT 5 only) makes the broker drop the message undelivered after
        that long."""
        generation = self._generation  # read before ``connected``: a later loss drops it
        if not self._connected.is_set():
            return False
        out = Outgoing(topic, payload, qos, retain, token, expiry_s)
        if self._worker.is_current():
            return self._send(generation, out)
        return self._outgoing.add((generation, out))

    # --- the link's thread ------------------------------------------------------------

    def _tick(self) -> float:
        """Run the network loop, or (re)connect when the back-off is over; the delay to
        the next tick."""
        if self._stopping:
            return 1.0
        if self._client is None:
            wait = self._retry_at - time.monotonic()
            if wait > 0:
                return wait
            self._open()
            return 0.0
        rc = pump(self._client, self._wake_r, 0.0 if self._worker.has_work() else _LOOP_S)
        if rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_AGAIN):
            self._note_error(f"network loop ended: {mqtt.error_string(rc)}")
            self._drop()
        elif self._lost:
            self._drop()
        elif not self._connected.is_set() and time.monotonic() > self._connack_deadline:
            self._note_error("no CONNACK from the broker")
            self._drop()
        return 0.0

    def _open(self) -> None:
        client = self._new_client()
        self._lost = False
        self._was_up = False
        try:
            client.connect(
                self._broker.host,
                self._broker.port,
                keepalive=self._broker.keepalive_s,
                clean_start=not self._persistent if self._protocol == MQTTProtocolVersion.MQTTv5 else 3,
                properties=connect_properties(self._protocol, self._persistent),
            )
        except (OSError, ssl.SSLError, ValueError) as exc:
            self._note_error(f"connect to {self._broker.host}:{self._broker.port} failed: {exc}")
            self._schedule_retry()
            return
        no_delay(client)
        self._client = client
        self._connack_deadline = time.monotonic() + _CONNACK_TIMEOUT_S

    def _drop(self) -> None:
        """The connection is over: tell the app, forget its message ids, retry later."""
        self._close()
        self._schedule_retry()

    def _open_wake(self) -> None:
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)

    def _close_all(self) -> None:
        self._close()
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None

    def _close(self) -> None:
        client, self._client = self._client, None
        self._tokens.clear()
        self._generation += 1
        if self._connected.is_set():
            self._connected.clear()
            self._emit(LinkEvent("disconnected", reason=self.last_error))
        if client is not None:
            with contextlib.suppress(OSError):
                sock = client.socket()
                if sock is not None:
                    sock.close()

    def _schedule_retry(self) -> None:
        if self._was_up:
            self._attempt = 0
        self._retry_at = time.monotonic() + self._backoff.delay(self._attempt, self._rng)
        self._attempt += 1
        self._was_up = False

    def _send_handed(self, handed: tuple[int, Outgoing]) -> None:
        self._send(*handed)

    def _send(self, generation: int, out: Outgoing) -> bool:
        client = self._client
        if client is None or generation != self._generation or not self._connected.is_set():
            return False  # handed over for a connection that is gone: the caller replays
        props = None
        if out.expiry_s > 0 and self._protocol == MQTTProtocolVersion.MQTTv5:
            props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call, unused-ignore]  # paho
            props.MessageExpiryInterval = out.expiry_s
        info = client.publish(out.topic, out.payload, qos=out.qos, retain=out.retain, properties=props)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return False
        if out.qos > 0:
            self._tokens[info.mid] = out.token
        return True

    def _say_farewell(self, farewell: list[tuple[str, bytes]], timeout: float) -> None:
        self._stopping = True
        client = self._client
        if client is None or not self._connected.is_set():
            return
        mids: set[int] = set()
        for topic, payload in farewell:
            info = client.publish(topic, payload, qos=1, retain=True)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                mids.add(info.mid)
                self._tokens[info.mid] = None  # popped by its PUBACK
        deadline = time.monotonic() + timeout
        while mids & set(self._tokens) and time.monotonic() < deadline and self._connected.is_set():
            if pump(client, self._wake_r, 0.05) != mqtt.MQTT_ERR_SUCCESS:
                break
        held = hold(client.socket())
        with contextlib.suppress(OSError, ValueError):
            client.disconnect()
            client.loop_write()  # the DISCONNECT goes out now; paho then closes the socket
            deadline = time.monotonic() + 0.5
            while client.socket() is not None and time.monotonic() < deadline:
                pump(client, self._wake_r, 0.05)
        drain_and_close(held, 0.5)

    def _wake(self) -> None:
        """Make the link thread's ``select`` return now (a byte on the link's wake-up pair)."""
        sock = self._wake_w
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.send(b"\0")

    def _new_client(self) -> BufferedClient:
        client = new_client(
            self._broker, self._client_id, self._protocol, persistent=self._persistent, will=self._will
        )
        client.on_connect = self._guard(self._on_connect)
        client.on_disconnect = self._guard(self._on_disconnect)
        client.on_message = self._guard(self._on_message)
        client.on_publish = self._guard(self._on_publish)
        return client

    # --- paho callbacks (the link's thread, inside loop(): hand off, never raise) -------

    def _guard(self, fn: Callable[..., None]) -> Callable[..., None]:
        def guarded(*args: Any) -> None:
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - an exception here would end paho's loop
                self.callback_errors += 1
                log.error("error in MQTT callback %s: %s", fn.__name__, type(exc).__name__)

        return guarded

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self._note_error(f"broker refused the connection: {reason}")
            if self._protocol == MQTTProtocolVersion.MQTTv5 and reason.value in _UNSUPPORTED_PROTOCOL:
                log.warning("broker does not speak MQTT 5; falling back to 3.1.1")
                self._protocol = MQTTProtocolVersion.MQTTv311
            self._emit(LinkEvent("refused", ok=False, reason=str(reason)))
            self._lost = True
            return
        if self._subscriptions:
            client.subscribe([(topic, 1) for topic in self._subscriptions])
        self.connects += 1
        self.last_error = ""
        self._was_up = True
        self._connected.set()
        self._emit(LinkEvent("connected"))

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not self._stopping:
            self._note_error(f"connection lost: {reason}")
        self._lost = True

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._emit(
            LinkEvent("message", topic=msg.topic, payload=bytes(msg.payload), retained=bool(msg.retain))
        )

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, reason: Any, _props: Any) -> None:
        failed = bool(reason is not None and reason.is_failure)
        token = self._tokens.pop(mid, None)
        self._emit(
            LinkEvent("published", mid=mid, ok=not failed, reason=str(reason) if failed else "", token=token)
        )

    def _emit(self, event: LinkEvent) -> None:
        self._on_event(event)

    def _note_error(self, text: str) -> None:
        if text != self.last_error:
            log.warning("%s", text, extra={"client_id": self._client_id})
        self.last_error = text


__all__ = ["EventKind", "LinkEvent", "MqttLink", "Will"]  # the events and Will live in sync.link_events
