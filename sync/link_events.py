"""What an ``MqttLink`` tells its app, and what it is given: plain data, no paho."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EventKind = Literal["connected", "disconnected", "message", "published", "refused"]


@dataclass(frozen=True)
class LinkEvent:
    kind: EventKind
    topic: str = ""
    payload: bytes = b""
    retained: bool = False
    mid: int = 0
    ok: bool = True
    reason: str = ""
    token: object = None  # "published": the token the caller gave ``publish()``


@dataclass(frozen=True)
class Outgoing:
    """A publish handed to the link's thread."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    token: object
    expiry_s: int = 0


@dataclass(frozen=True)
class Will:
    """The Last Will: published (retained, QoS 1) by the broker when the connection dies."""

    topic: str
    payload: bytes


__all__ = ["EventKind", "LinkEvent", "Outgoing", "Will"]
