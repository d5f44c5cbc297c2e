"""The private broker of devtools, and how a test reaches it plain or over TLS.

Every real-broker test runs both ways (the ``broker`` fixture is parametrised), so the
helpers here take the broker and choose the host, port and CA for it."""

from __future__ import annotations

import json
from typing import Any

import paho.mqtt.client as mqtt
import paho.mqtt.publish as publish
import paho.mqtt.subscribe as subscribe

from devtools.local_broker import Broker, Credentials, closed_port, free_port

__all__ = [
    "BROKER_MODES",
    "Broker",
    "Credentials",
    "broker_toml",
    "broker_url",
    "closed_port",
    "connect",
    "free_port",
    "publish_raw",
    "retained_raw",
]

BROKER_MODES = ("plain", "tls")  # the ids of every real-broker test's two runs


def publish_raw(
    broker: Broker, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False, client_id: str = ""
) -> None:
    """One message from a bare paho client (what a foreign or hostile sender would do)."""
    target = broker.settings()
    publish.single(
        topic,
        payload,
        qos=qos,
        retain=retain,
        client_id=client_id,
        hostname=target.host,
        port=target.port,
        tls={"ca_certs": target.ca_file} if target.tls else None,
    )


def retained_raw(broker: Broker, topic: str) -> bytes:
    """The retained message on ``topic``, read by a bare paho client (waits for one)."""
    target = broker.settings()
    got = subscribe.simple(  # type: ignore[no-untyped-call]  # paho's subscribe is unannotated
        topic,
        hostname=target.host,
        port=target.port,
        retained=True,
        tls={"ca_certs": target.ca_file} if target.tls else None,
    )
    if not isinstance(got, mqtt.MQTTMessage):
        raise AssertionError(f"no retained message on {topic}")
    return bytes(got.payload)


def connect(client: mqtt.Client, broker: Broker) -> None:
    """Connect a bare paho client to ``broker``, with TLS when the broker has it."""
    target = broker.settings()
    if target.tls:
        client.tls_set(ca_certs=target.ca_file)
    client.connect(target.host, target.port)


def broker_toml(broker: Broker, **extra: Any) -> str:
    """The ``[broker]`` section of a kiosk.toml that reaches ``broker``."""
    target = broker.settings()
    values: dict[str, Any] = {"host": target.host, "port": target.port, **extra}
    if target.tls:
        values["ca_file"] = target.ca_file
    return "[broker]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())


def broker_url(broker: Broker) -> list[str]:
    """``kiosk provision`` arguments that reach ``broker``: ``--broker URL`` (and ``--ca``)."""
    target = broker.settings()
    if target.tls:
        return ["--broker", f"mqtts://{target.host}:{target.port}", "--ca", target.ca_file]
    return ["--broker", f"mqtt://{target.host}:{target.port}"]
