"""A small blocking MQTT client for the fleet's checks (persistence, ACLs, probes): paho
with its own network thread, messages collected in a queue, waits with ceilings."""

from __future__ import annotations

import queue
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode


@dataclass(frozen=True)
class Got:
    topic: str
    payload: bytes
    retained: bool


class LoginClient:
    """One login at one broker (TLS to ``localhost`` with ``ca_file``)."""

    def __init__(
        self, port: int, user: str, password: str, ca_file: str, *, clean: bool = True, mqtt5: bool = False
    ) -> None:
        self.messages: queue.Queue[Got] = queue.Queue()
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self.granted: list[int] = []
        protocol = mqtt.MQTTv5 if mqtt5 else mqtt.MQTTv311
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=user,
            protocol=protocol,
            clean_session=None if mqtt5 else clean,
        )
        self._mqtt5, self._clean = mqtt5, clean
        self.client.username_pw_set(user, password)
        if ca_file:
            self.client.tls_set_context(ssl.create_default_context(cafile=ca_file))
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self._topics: list[tuple[str, int]] = []  # subscribed again on every reconnect
        self.connects = 0
        self.disconnects = 0
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.port = port

    def _on_connect(self, client: mqtt.Client, *_a: object) -> None:
        self.connects += 1
        if self.connects > 1:
            for topic, qos in self._topics:
                client.subscribe(topic, qos)
        self._connected.set()

    def _on_disconnect(self, *_a: object) -> None:
        self.disconnects += 1

    def _on_message(self, _c: object, _u: object, msg: mqtt.MQTTMessage) -> None:
        self.messages.put(Got(msg.topic, bytes(msg.payload), bool(msg.retain)))

    def _on_subscribe(
        self, _c: mqtt.Client, _u: object, _mid: int, codes: list[ReasonCode], _p: Properties | None
    ) -> None:
        self.granted = [int(c.value) for c in codes]
        self._subscribed.set()

    def connect(self, timeout: float = 15.0) -> LoginClient:
        if self._mqtt5:  # a clean session each time (paho's default keeps it after the first)
            self.client.connect("localhost", self.port, keepalive=30, clean_start=self._clean)
        else:
            self.client.connect("localhost", self.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(timeout):
            self.close()
            raise TimeoutError(f"no CONNACK from localhost:{self.port}")
        return self

    def subscribe(self, topic: str, qos: int = 1, timeout: float = 10.0) -> list[int]:
        """The granted QoS (128: refused; MQTT 3.1.1 brokers grant and then send nothing)."""
        self._subscribed.clear()
        self._topics.append((topic, qos))
        self.client.subscribe(topic, qos)
        if not self._subscribed.wait(timeout):
            raise TimeoutError(f"no SUBACK for {topic}")
        return self.granted

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> None:
        info = self.client.publish(topic, payload, qos=qos, retain=retain)
        info.wait_for_publish(10)

    def collect(self, until: int, timeout: float) -> list[Got]:
        """Messages received until ``until`` of them have come, or ``timeout``."""
        got: list[Got] = []
        deadline = time.monotonic() + timeout
        while len(got) < until:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                got.append(self.messages.get(timeout=left))
            except queue.Empty:
                break
        return got

    def wait_for(self, wanted: Callable[[Got], bool], timeout: float, what: str) -> Got:
        """The first message (from now) ``wanted`` accepts; TimeoutError naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                got = self.messages.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise TimeoutError(f"no message: {what}") from None
            if wanted(got):
                return got
            if left <= 0:
                raise TimeoutError(f"no message: {what}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


__all__ = ["Got", "LoginClient"]
