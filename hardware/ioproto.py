"""The I/O board wire format: framing, CRC-16 and messages, as pure functions over bytes.

No pyserial here: the kiosk's transport, the board simulator, a log decoder and the
tests all share this module. The format is specified in ``docs/io-board.md``::

    0xA5 0x5A | LEN | SEQ | TYPE | PAYLOAD (LEN bytes) | CRC16 (big-endian)

CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) covers LEN, SEQ, TYPE and PAYLOAD.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field
from typing import ClassVar

from core.errors import WireError

PROTOCOL_VERSION = 1
SYNC = b"\xa5\x5a"
MAX_PAYLOAD = 64
_HEADER = 5  # sync(2) len seq type
_OVERHEAD = _HEADER + 2  # + crc


def crc16(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE: ``crc16(b"123456789") == 0x29B1``."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


@dataclass(frozen=True)
class Frame:
    """One frame: a sequence number, a message type and its payload."""

    seq: int
    type: int
    payload: bytes = b""


def encode_frame(frame: Frame) -> bytes:
    """Frame → bytes on the wire. Raises ``WireError`` for out-of-range fields."""
    if not 0 <= frame.seq <= 0xFF or not 0 <= frame.type <= 0xFF:
        raise WireError("bad frame", f"seq={frame.seq} type={frame.type}")
    if len(frame.payload) > MAX_PAYLOAD:
        raise WireError("payload too long", f"{len(frame.payload)} > {MAX_PAYLOAD}")
    body = bytes((len(frame.payload), frame.seq, frame.type)) + frame.payload
    return SYNC + body + crc16(body).to_bytes(2, "big")


@dataclass
class DecoderStats:
    """What the decoder threw away, and why. Counters only grow."""

    frames: int = 0
    bad_crc: int = 0
    bad_length: int = 0
    truncated: int = 0
    noise_bytes: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class FrameDecoder:
    """Turns a byte stream into frames, resynchronising on the next sync word after garbage.

    ``feed`` never raises: noise, bad CRCs and impossible lengths are counted in
    ``stats`` and skipped. A frame cut short stays buffered until more bytes arrive or
    the transport calls ``expire`` after an inter-byte timeout.
    """

    stats: DecoderStats = field(default_factory=DecoderStats)
    _buf: bytearray = field(default_factory=bytearray)

    @property
    def pending(self) -> int:
        """Bytes buffered that do not yet form a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while True:
            start = self._buf.find(SYNC)
            if start < 0:
                # keep a trailing first sync byte: the second may be in the next read
                keep = 1 if self._buf[-1:] == SYNC[:1] else 0
                self._drop(len(self._buf) - keep)
                return frames
            self._drop(start)
            if len(self._buf) < _HEADER:
                return frames
            length = self._buf[2]
            if length > MAX_PAYLOAD:
                self.stats.bad_length += 1
                self._drop(1)
                continue
            end = _OVERHEAD + length
            if len(self._buf) < end:
                return frames
            body = bytes(self._buf[2 : end - 2])
            if crc16(body) != int.from_bytes(self._buf[end - 2 : end], "big"):
                self.stats.bad_crc += 1
                self._drop(1)
                continue
            frames.append(Frame(seq=body[1], type=body[2], payload=body[3:]))
            self.stats.frames += 1
            del self._buf[:end]

    def expire(self) -> list[Frame]:
        """Give up on a partial frame (the line went quiet mid-frame) and rescan what follows."""
        if not self._buf:
            return []
        self.stats.truncated += 1
        self._drop(1)
        return self.feed(b"")

    def _drop(self, count: int) -> None:
        if count > 0:
            self.stats.noise_bytes += count
            del self._buf[:count]


# --- messages ---------------------------------------------------------------------------------


class LedMode(enum.IntEnum):
    """What the LED ring shows."""

    OFF = 0
    IDLE = 1
    LISTENING = 2
    SPEAKING = 3
    SUCCESS = 4
    ATTENTION = 5
    ERROR = 6


class AckStatus(enum.IntEnum):
    OK = 0
    UNKNOWN_TYPE = 1
    BAD_PAYLOAD = 2


class Message:
    """Base of the typed messages. Each subclass declares its ``TYPE`` and packs itself."""

    TYPE: ClassVar[int]
    #: True when the receiver answers with an ``Ack`` and the sender retransmits until it does.
    ACKED: ClassVar[bool] = True

    def pack(self) -> bytes:
        return b""

    @classmethod
    def unpack(cls, payload: bytes) -> Message:
        if payload:
            raise WireError("bad payload", f"{cls.__name__} takes no payload")
        return cls()


@dataclass(frozen=True)
class Hello(Message):
    """Host → board at connect: the host's protocol version. Answered by ``HelloReply``."""

    TYPE: ClassVar[int] = 0x01
    ACKED: ClassVar[bool] = False
    version: int = PROTOCOL_VERSION

    def pack(self) -> bytes:
        return bytes((self.version,))

    @classmethod
    def unpack(cls, payload: bytes) -> Hello:
        if len(payload) != 1:
            raise WireError("bad payload", f"Hello: {len(payload)} bytes")
        return cls(payload[0])


@dataclass(frozen=True)
class HelloReply(Message):
    """Board → host: its protocol version, firmware version and board id."""

    TYPE: ClassVar[int] = 0x81
    ACKED: ClassVar[bool] = False
    version: int = PROTOCOL_VERSION
    firmware: str = "0.0"
    board_id: str = ""

    def pack(self) -> bytes:
        major, _, minor = self.firmware.partition(".")
        return bytes((self.version, int(major), int(minor or 0))) + self.board_id.encode("ascii")

    @classmethod
    def unpack(cls, payload: bytes) -> HelloReply:
        if len(payload) < 3:
            raise WireError("bad payload", f"HelloReply: {len(payload)} bytes")
        return cls(payload[0], f"{payload[1]}.{payload[2]}", _ascii(payload[3:], "HelloReply"))


@dataclass(frozen=True)
class Ping(Message):
    """Host → board heartbeat. Answered by ``Pong`` with the same sequence number."""

    TYPE: ClassVar[int] = 0x02
    ACKED: ClassVar[bool] = False


@dataclass(frozen=True)
class Pong(Message):
    """Board → host: heartbeat answer with the board's uptime."""

    TYPE: ClassVar[int] = 0x82
    ACKED: ClassVar[bool] = False
    uptime_ms: int = 0

    def pack(self) -> bytes:
        return struct.pack(">I", self.uptime_ms & 0xFFFFFFFF)

    @classmethod
    def unpack(cls, payload: bytes) -> Pong:
        if len(payload) != 4:
            raise WireError("bad payload", f"Pong: {len(payload)} bytes")
        return cls(struct.unpack(">I", payload)[0])


@dataclass(frozen=True)
class SetLed(Message):
    """Host → board: set the LED ring mode."""

    TYPE: ClassVar[int] = 0x10
    mode: LedMode = LedMode.IDLE

    def pack(self) -> bytes:
        return bytes((int(self.mode),))

    @classmethod
    def unpack(cls, payload: bytes) -> SetLed:
        if len(payload) != 1 or payload[0] not in LedMode._value2member_map_:
            raise WireError("bad payload", f"SetLed: {payload.hex()}")
        return cls(LedMode(payload[0]))


@dataclass(frozen=True)
class Presence(Message):
    """Board → host: someone is (or no longer is) in front of the kiosk."""

    TYPE: ClassVar[int] = 0x90
    present: bool = False
    distance_cm: int = 0xFFFF  # 0xFFFF: the sensor does not measure distance

    def pack(self) -> bytes:
        return struct.pack(">BH", int(self.present), self.distance_cm)

    @classmethod
    def unpack(cls, payload: bytes) -> Presence:
        if len(payload) != 3 or payload[0] > 1:
            raise WireError("bad payload", f"Presence: {payload.hex()}")
        present, distance = struct.unpack(">BH", payload)
        return cls(bool(present), distance)


@dataclass(frozen=True)
class Button(Message):
    """Board → host: a button changed state. Button 1 is "call staff"."""

    TYPE: ClassVar[int] = 0x91
    button: int = 1
    pressed: bool = True

    def pack(self) -> bytes:
        return bytes((self.button, int(self.pressed)))

    @classmethod
    def unpack(cls, payload: bytes) -> Button:
        if len(payload) != 2 or payload[1] > 1:
            raise WireError("bad payload", f"Button: {payload.hex()}")
        return cls(payload[0], bool(payload[1]))


@dataclass(frozen=True)
class Badge(Message):
    """Board → host: a badge or card was read; its id as printable ASCII."""

    TYPE: ClassVar[int] = 0x92
    badge_id: str = ""

    def pack(self) -> bytes:
        return self.badge_id.encode("ascii")

    @classmethod
    def unpack(cls, payload: bytes) -> Badge:
        text = _ascii(payload, "Badge")
        if not text:
            raise WireError("bad payload", "Badge: empty id")
        return cls(text)


class KeyCode(enum.IntEnum):
    """The tactile keypad's keys (EZ Access style). Codes are fixed on the wire: add, never renumber."""

    UP = 1
    DOWN = 2
    SELECT = 3
    BACK = 4
    HELP = 5
    REPEAT = 6
    VOL_UP = 7
    VOL_DOWN = 8


KEYPAD_VERSION = 1


class UnknownKey(WireError):
    """A keypad frame naming a key code (or keypad layout version) this host does not know."""


@dataclass(frozen=True)
class Key(Message):
    """Board → host: a keypad key went down. Payload: keypad layout version, key code."""

    TYPE: ClassVar[int] = 0x93
    key: KeyCode = KeyCode.SELECT
    version: int = KEYPAD_VERSION

    def pack(self) -> bytes:
        return bytes((self.version, int(self.key)))

    @classmethod
    def unpack(cls, payload: bytes) -> Key:
        if len(payload) != 2:
            raise WireError("bad payload", f"Key: {len(payload)} bytes")
        if payload[0] != KEYPAD_VERSION:
            raise UnknownKey("unknown keypad version", f"Key: version {payload[0]}")
        if payload[1] not in KeyCode._value2member_map_:
            raise UnknownKey("unknown key code", f"Key: code 0x{payload[1]:02x}")
        return cls(KeyCode(payload[1]))


@dataclass(frozen=True)
class Ack(Message):
    """Either side: frame ``seq`` (in the header) was received; ``status`` says how it went."""

    TYPE: ClassVar[int] = 0x7F
    ACKED: ClassVar[bool] = False
    status: AckStatus = AckStatus.OK

    def pack(self) -> bytes:
        return bytes((int(self.status),))

    @classmethod
    def unpack(cls, payload: bytes) -> Ack:
        if len(payload) != 1 or payload[0] not in AckStatus._value2member_map_:
            raise WireError("bad payload", f"Ack: {payload.hex()}")
        return cls(AckStatus(payload[0]))


def _ascii(payload: bytes, what: str) -> str:
    if any(b < 0x20 or b > 0x7E for b in payload):
        raise WireError("bad payload", f"{what}: not printable ASCII")
    return payload.decode("ascii")


MESSAGE_TYPES: dict[int, type[Message]] = {
    cls.TYPE: cls for cls in (Hello, HelloReply, Ping, Pong, SetLed, Presence, Button, Badge, Key, Ack)
}


class UnknownMessageType(WireError):
    """The frame is well formed but its type is not one this side knows."""


def encode_message(message: Message, seq: int) -> bytes:
    return encode_frame(Frame(seq & 0xFF, message.TYPE, message.pack()))


def decode_message(frame: Frame) -> Message:
    """Frame → typed message. Raises ``UnknownMessageType`` or ``WireError`` (bad payload)."""
    cls = MESSAGE_TYPES.get(frame.type)
    if cls is None:
        raise UnknownMessageType("unknown message type", f"0x{frame.type:02x}")
    return cls.unpack(frame.payload)
