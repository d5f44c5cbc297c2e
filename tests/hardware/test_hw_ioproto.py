"""The I/O board codec: CRC, frames, messages, and a decoder that never raises on garbage."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import WireError
from hardware import ioproto as p

MESSAGES = [
    p.Hello(1),
    p.HelloReply(1, "2.7", "BOARD-42"),
    p.Ping(),
    p.Pong(123456),
    p.SetLed(p.LedMode.SPEAKING),
    p.Presence(True, 85),
    p.Presence(False),
    p.Button(1, True),
    p.Badge("04A2B9C1"),
    p.Key(p.KeyCode.VOL_DOWN),
    p.Ack(p.AckStatus.UNKNOWN_TYPE),
]


def test_crc16_check_value() -> None:
    assert p.crc16(b"123456789") == 0x29B1


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_message_round_trip(message: p.Message) -> None:
    wire = p.encode_message(message, seq=7)
    [frame] = p.FrameDecoder().feed(wire)
    assert frame.seq == 7
    assert p.decode_message(frame) == message


def test_every_type_is_declared_once() -> None:
    assert len(p.MESSAGE_TYPES) == len({cls.__name__ for cls in p.MESSAGE_TYPES.values()})


def test_byte_by_byte_feed_gives_the_same_frames() -> None:
    wire = b"".join(p.encode_message(m, i) for i, m in enumerate(MESSAGES))
    decoder = p.FrameDecoder()
    frames = [f for byte in wire for f in decoder.feed(bytes([byte]))]
    assert [p.decode_message(f) for f in frames] == MESSAGES
    assert decoder.stats.bad_crc == decoder.stats.noise_bytes == 0


def test_noise_and_bad_crc_are_counted_and_skipped() -> None:
    good = p.encode_message(p.Badge("X1"), 1)
    corrupt = bytearray(p.encode_message(p.Badge("X2"), 2))
    corrupt[-1] ^= 0xFF
    decoder = p.FrameDecoder()
    frames = decoder.feed(b"\x00\xffgarbage\xa5" + bytes(corrupt) + good)
    assert [p.decode_message(f) for f in frames] == [p.Badge("X1")]
    assert decoder.stats.bad_crc == 1
    assert decoder.stats.noise_bytes > 0


def test_impossible_length_resynchronises() -> None:
    decoder = p.FrameDecoder()
    frames = decoder.feed(p.SYNC + b"\xff\x00\x00" + p.encode_message(p.Ping(), 3))
    assert [f.seq for f in frames] == [3]
    assert decoder.stats.bad_length == 1


def test_truncated_frame_expires_and_the_next_one_decodes() -> None:
    decoder = p.FrameDecoder()
    assert decoder.feed(p.encode_message(p.Badge("LONGBADGE"), 1)[:6]) == []
    assert decoder.pending == 6
    assert decoder.expire() == []
    assert decoder.stats.truncated == 1
    assert [f.seq for f in decoder.feed(p.encode_message(p.Ping(), 2))] == [2]


def test_unknown_type_and_bad_payload_raise_named_errors() -> None:
    with pytest.raises(p.UnknownMessageType):
        p.decode_message(p.Frame(1, 0x55, b""))
    with pytest.raises(WireError, match="bad payload"):
        p.decode_message(p.Frame(1, p.SetLed.TYPE, b"\x63"))
    with pytest.raises(WireError, match="bad payload"):
        p.decode_message(p.Frame(1, p.Badge.TYPE, b"\x00\x01"))


def test_encode_rejects_oversized_payload() -> None:
    with pytest.raises(WireError):
        p.encode_frame(p.Frame(1, 0x92, b"x" * (p.MAX_PAYLOAD + 1)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    decoder = p.FrameDecoder()
    for frame in decoder.feed(data) + decoder.expire():
        assert len(frame.payload) <= p.MAX_PAYLOAD
        with contextlib.suppress(WireError):
            p.decode_message(frame)


_message = st.sampled_from(MESSAGES)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.lists(_message, min_size=1, max_size=5), st.data())
def test_frames_survive_leading_noise_and_any_chunking(
    noise: bytes, messages: list[p.Message], data: st.DataObject
) -> None:
    wire = b"".join(p.encode_message(m, i) for i, m in enumerate(messages))
    stream = noise + wire
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    decoder = p.FrameDecoder()
    frames: list[p.Frame] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        frames += decoder.feed(stream[start:end])
    frames += decoder.expire()
    decoded = [p.decode_message(f) for f in frames if f.type in p.MESSAGE_TYPES and _valid(f)]
    assert decoded[-len(messages) :] == messages


def _valid(frame: p.Frame) -> bool:
    try:
        p.decode_message(frame)
    except WireError:
        return False
    return True


@pytest.mark.parametrize("key", list(p.KeyCode), ids=lambda k: k.name)
def test_every_key_round_trips_in_two_bytes(key: p.KeyCode) -> None:
    wire = p.encode_message(p.Key(key), seq=9)
    assert len(wire) == 7 + 2
    [frame] = p.FrameDecoder().feed(wire)
    assert frame.payload == bytes((p.KEYPAD_VERSION, int(key)))
    assert p.decode_message(frame) == p.Key(key)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=8))
def test_any_key_payload_decodes_or_is_rejected_with_a_reason(payload: bytes) -> None:
    frame = p.Frame(1, p.Key.TYPE, payload)
    codes = p.KeyCode._value2member_map_
    if len(payload) == 2 and payload[0] == p.KEYPAD_VERSION and payload[1] in codes:
        assert p.decode_message(frame) == p.Key(p.KeyCode(payload[1]))
        return
    with pytest.raises(WireError) as caught:
        p.decode_message(frame)
    assert caught.value.reason in {"bad payload", "unknown key code", "unknown keypad version"}
    if len(payload) == 2:
        assert isinstance(caught.value, p.UnknownKey)


def test_unknown_key_code_names_the_code() -> None:
    with pytest.raises(p.UnknownKey, match="unknown key code") as caught:
        p.decode_message(p.Frame(1, p.Key.TYPE, bytes((p.KEYPAD_VERSION, 0x42))))
    assert "0x42" in str(caught.value)
