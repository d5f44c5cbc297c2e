"""One MQTT connection, supervised: connect, subscribe, hand every event to the app.

A single thread owns the paho client: it connects, runs paho's network loop, and on
any loss discards the client and reconnects after a capped, jittered backoff. A new
client per connection means paho keeps no hidden queue across outages; the app's
outbox is the only record of what still has to be sent.

Every paho callback only wraps its arguments in a ``LinkEvent`` and passes it to
``on_event`` (which must be quick and thread-safe, e.g. ``queue.put``); an exception
there is logged and counted, never allowed to kill the network loop.
"""

from __future__ import annotations

import contextlib
import logging
import random
import ssl
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from config.settings import BrokerSettings

log = logging.getLogger(__name__)

EventKind = Literal["connected", "disconnected", "message", "published", "refused"]
_UNSUPPORTED_PROTOCOL = (1, 132)  # 3.1.1 return code 1 and MQTT 5 reason 0x84
_CONNACK_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class LinkEvent:
    kind: EventKind
    topic: str = ""
    payload: bytes = b""
    retained: bool = False
    mid: int = 0
    ok: bool = True
    reason: str = ""


@dataclass(frozen=True)
class Will:
    topic: str
    payload: bytes


def backoff_delay(attempt: int, low: float, high: float, rng: random.Random) -> float:
    """Full jitter: uniform in [low/2, min(high, low * 2**attempt)]."""
    ceiling = min(high, low * (2 ** min(attempt, 20)))
    return rng.uniform(min(low / 2, ceiling), ceiling)


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
        self._protocol = (
            MQTTProtocolVersion.MQTTv5 if broker.protocol == "5" else MQTTProtocolVersion.MQTTv311
        )
        self._client: mqtt.Client | None = None
        self._connected = threading.Event()
        self._lost = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
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

    def supervising(self) -> bool:
        """The supervising thread is alive (connected or retrying), for the watchdog."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, name=f"mqtt-{self._client_id}", daemon=True)
        self._thread.start()

    def stop(self, farewell: Sequence[tuple[str, bytes]] = (), timeout: float = 2.0) -> None:
        """Publish ``farewell`` messages (retained, QoS 1) if connected, then disconnect."""
        for topic, payload in farewell:
            info = self.publish(topic, payload, qos=1, retain=True)
            if info is not None:
                with contextlib.suppress(RuntimeError, ValueError):
                    info.wait_for_publish(timeout)
        self._stopping.set()
        self._lost.set()
        if self._thread is not None:
            self._thread.join(timeout + 5)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> Any:
        """Hand a message to the broker connection. Returns paho's MQTTMessageInfo
        (``.mid``), or None when not connected (the caller keeps the message)."""
        with self._lock:
            client = self._client
        if client is None or not self._connected.is_set():
            return None
        info = client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return None
        return info

    # --- the supervising thread -------------------------------------------------------

    def _supervise(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            if self._run_one_connection():
                attempt = 0
            if self._stopping.is_set():
                break
            delay = backoff_delay(
                attempt, self._broker.reconnect_min_s, self._broker.reconnect_max_s, self._rng
            )
            attempt += 1
            self._stopping.wait(delay)

    def _run_one_connection(self) -> bool:
        """Connect, loop until the connection is lost; True if it was ever up."""
        client = self._new_client()
        self._lost.clear()
        self._connack_reason: int | None = None
        try:
            client.connect(
                self._broker.host,
                self._broker.port,
                keepalive=self._broker.keepalive_s,
                clean_start=not self._persistent if self._protocol == MQTTProtocolVersion.MQTTv5 else 3,
                properties=self._connect_properties(),
            )
        except (OSError, ssl.SSLError, ValueError) as exc:
            self._note_error(f"connect to {self._broker.host}:{self._broker.port} failed: {exc}")
            return False
        with self._lock:
            self._client = client
        was_up = False
        waited = 0.0
        try:
            while not self._lost.is_set():
                rc = client.loop(timeout=0.05)
                if self._connected.is_set():
                    was_up = True
                elif not was_up:
                    waited += 0.05
                    if waited > _CONNACK_TIMEOUT_S:
                        self._note_error("no CONNACK from the broker")
                        break
                if rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_AGAIN):
                    self._note_error(f"network loop ended: {mqtt.error_string(rc)}")
                    break
            if self._stopping.is_set() and self._connected.is_set():
                client.disconnect()
                client.loop(timeout=0.1)
        finally:
            with self._lock:
                self._client = None
            if self._connected.is_set():
                self._connected.clear()
                self._emit(LinkEvent("disconnected", reason=self.last_error))
            try:
                sock = client.socket()
                if sock is not None:
                    sock.close()
            except OSError:
                pass
        return was_up

    def _new_client(self) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=self._protocol,
            clean_session=(not self._persistent) if self._protocol == MQTTProtocolVersion.MQTTv311 else None,
            reconnect_on_failure=False,
        )
        client.connect_timeout = 5.0
        client.max_inflight_messages_set(100)
        client.max_queued_messages_set(0)
        if self._broker.username:
            client.username_pw_set(self._broker.username, self._broker.password or None)
        if self._broker.tls:
            client.tls_set(
                ca_certs=self._broker.ca_file,
                certfile=self._broker.cert_file or None,
                keyfile=self._broker.key_file or None,
                cert_reqs=ssl.CERT_REQUIRED,
            )
        if self._will is not None:
            client.will_set(self._will.topic, self._will.payload, qos=1, retain=True)
        client.on_connect = self._guard(self._on_connect)
        client.on_disconnect = self._guard(self._on_disconnect)
        client.on_message = self._guard(self._on_message)
        client.on_publish = self._guard(self._on_publish)
        return client

    def _connect_properties(self) -> Properties | None:
        if self._protocol != MQTTProtocolVersion.MQTTv5:
            return None
        props = Properties(PacketTypes.CONNECT)
        # A persistent session (the hub) keeps its queued messages for a week of downtime.
        props.SessionExpiryInterval = 7 * 24 * 3600 if self._persistent else 0
        return props

    # --- paho callbacks (paho's thread: hand off, never raise) ------------------------

    def _guard(self, fn: Callable[..., None]) -> Callable[..., None]:
        def guarded(*args: Any) -> None:
            try:
                fn(*args)
            except Exception:  # an exception here would kill paho's loop
                self.callback_errors += 1
                log.exception("error in MQTT callback %s", fn.__name__)

        return guarded

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            self._note_error(f"broker refused the connection: {reason}")
            if self._protocol == MQTTProtocolVersion.MQTTv5 and reason.value in _UNSUPPORTED_PROTOCOL:
                log.warning("broker does not speak MQTT 5; falling back to 3.1.1")
                self._protocol = MQTTProtocolVersion.MQTTv311
            self._emit(LinkEvent("refused", ok=False, reason=str(reason)))
            self._lost.set()
            return
        if self._subscriptions:
            client.subscribe([(topic, 1) for topic in self._subscriptions])
        self.connects += 1
        self.last_error = ""
        self._connected.set()
        self._emit(LinkEvent("connected"))

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if not self._stopping.is_set():
            self._note_error(f"connection lost: {reason}")
        self._lost.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._emit(
            LinkEvent("message", topic=msg.topic, payload=bytes(msg.payload), retained=bool(msg.retain))
        )

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, reason: Any, _props: Any) -> None:
        failed = bool(reason is not None and reason.is_failure)
        self._emit(LinkEvent("published", mid=mid, ok=not failed, reason=str(reason) if failed else ""))

    def _emit(self, event: LinkEvent) -> None:
        self._on_event(event)

    def _note_error(self, text: str) -> None:
        if text != self.last_error:
            log.warning("%s", text, extra={"client_id": self._client_id})
        self.last_error = text
