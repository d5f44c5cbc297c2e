"""RTP (RFC 3550) packets and RFC 4733 telephone events: pure pack/unpack over bytes.

``unpack`` never raises: a datagram that is not a well-formed RTP v2 packet gives ``None``
(the caller counts it). ``DtmfReceiver`` turns a stream of event packets (each event is
sent several times, and its end three times) into each key pressed, once.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_HEADER = struct.Struct("!BBHII")
DTMF_KEYS = "0123456789*#ABCD"


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    seq: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False


def pack(packet: RtpPacket) -> bytes:
    first = 0x80  # version 2, no padding, no extension, no CSRC
    second = (0x80 if packet.marker else 0) | (packet.payload_type & 0x7F)
    header = _HEADER.pack(
        first, second, packet.seq & 0xFFFF, packet.timestamp & 0xFFFFFFFF, packet.ssrc & 0xFFFFFFFF
    )
    return header + packet.payload


def unpack(data: bytes) -> RtpPacket | None:
    """The packet in ``data``, or ``None`` when it is not RTP version 2 or is cut short."""
    if len(data) < _HEADER.size:
        return None
    first, second, seq, timestamp, ssrc = _HEADER.unpack_from(data)
    if first >> 6 != 2:
        return None
    offset = _HEADER.size + 4 * (first & 0x0F)
    if first & 0x10:  # a header extension: 4 bytes, then its length in 32-bit words
        if len(data) < offset + 4:
            return None
        (words,) = struct.unpack_from("!H", data, offset + 2)
        offset += 4 + 4 * words
    end = len(data)
    if first & 0x20:  # padding: its length is the last byte
        if end <= offset:
            return None
        end -= data[-1]
    if end < offset:
        return None
    return RtpPacket(second & 0x7F, seq, timestamp, ssrc, bytes(data[offset:end]), bool(second & 0x80))


@dataclass(frozen=True)
class TelephoneEvent:
    event: int
    end: bool
    volume: int
    duration: int

    @property
    def key(self) -> str:
        return DTMF_KEYS[self.event] if 0 <= self.event < len(DTMF_KEYS) else ""


def pack_event(event: TelephoneEvent) -> bytes:
    return struct.pack(
        "!BBH",
        event.event & 0xFF,
        (0x80 if event.end else 0) | (event.volume & 0x3F),
        event.duration & 0xFFFF,
    )


def unpack_event(payload: bytes) -> TelephoneEvent | None:
    if len(payload) < 4:
        return None
    event, flags, duration = struct.unpack_from("!BBH", payload)
    return TelephoneEvent(event, bool(flags & 0x80), flags & 0x3F, duration)


class DtmfReceiver:
    """Keys from RFC 4733 packets: one key per event (its RTP timestamp), reported on the
    first packet heard of it, so a lost start or a repeated end never doubles a key."""

    def __init__(self, history: int = 32) -> None:
        self._seen: list[int] = []
        self._history = history

    def feed(self, packet: RtpPacket) -> str:
        """The key ``packet`` starts, or "" (a repeat, an unknown event, garbage)."""
        event = unpack_event(packet.payload)
        if event is None or not event.key or packet.timestamp in self._seen:
            return ""
        self._seen.append(packet.timestamp)
        del self._seen[: -self._history]
        return event.key


def event_packets(key: str, seq: int, timestamp: int, ssrc: int, payload_type: int) -> list[RtpPacket]:
    """The packets a phone sends for one key press (start, two updates, three ends):
    used by the test caller and the bench."""
    event = DTMF_KEYS.index(key)
    packets = []
    for i, (duration, end) in enumerate(
        ((160, False), (320, False), (480, False), (640, True), (640, True), (640, True))
    ):
        payload = pack_event(TelephoneEvent(event, end, 10, duration))
        packets.append(RtpPacket(payload_type, seq + i, timestamp, ssrc, payload, marker=i == 0))
    return packets


__all__ = [
    "DTMF_KEYS",
    "DtmfReceiver",
    "RtpPacket",
    "TelephoneEvent",
    "event_packets",
    "pack",
    "pack_event",
    "unpack",
    "unpack_event",
]
