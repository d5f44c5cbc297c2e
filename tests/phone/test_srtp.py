"""SRTP (RFC 3711): the RFC's Appendix B vectors, libsrtp's known packet, and the
receiver's rules (tag, replay window, rollover counter)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phone.aes_ctr import AesCtr
from phone.rtp import RtpPacket, pack, unpack
from phone.srtp import (
    AES_CM_128_HMAC_SHA1_32,
    AES_CM_128_HMAC_SHA1_80,
    Rejected,
    SrtpContext,
    derive,
)

# RFC 3711 B.3 (and libsrtp's test key)
MASTER_KEY = bytes.fromhex("E1F97A0D3E018BE0D64FA32C06DE4139")
MASTER_SALT = bytes.fromhex("0EC675AD498AFEEBB6960B3AABE6")


def test_aes_cm_keystream_rfc3711_b2() -> None:
    cipher = AesCtr(bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3C"))
    start = cipher.xor(bytes.fromhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), bytes(48))
    assert start.hex().upper() == (
        "E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0"
    )
    end = cipher.xor(bytes.fromhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"), bytes(48))
    assert end.hex().upper() == (
        "EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44"
    )


def test_key_derivation_rfc3711_b3() -> None:
    keys = derive(MASTER_KEY, MASTER_SALT)
    assert keys.cipher_key.hex().upper() == "C61E7A93744F39EE10734AFE3FF7A087"
    assert keys.salt.hex().upper() == "30CBBC08863D8C85D49DB34A9AE1"
    assert keys.auth_key.hex().upper() == "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"


@pytest.mark.parametrize(
    ("suite", "tag"),
    [(AES_CM_128_HMAC_SHA1_80, "b78d6acc99ea179b8dbb"), (AES_CM_128_HMAC_SHA1_32, "b78d6acc")],
)
def test_a_known_packet_as_libsrtp_protects_it(suite: str, tag: str) -> None:
    """libsrtp's own test packet (SSRC 0xcafebabe, SEQ 0x1234, ROC 0) under the B.3 key."""
    plain = bytes.fromhex("800f1234decafbadcafebabe") + b"\xab" * 16
    protected = SrtpContext(suite, MASTER_KEY, MASTER_SALT).protect(plain)
    assert protected.hex() == "800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402" + tag
    assert SrtpContext(suite, MASTER_KEY, MASTER_SALT).unprotect(protected) == plain


def _pair(suite: str = AES_CM_128_HMAC_SHA1_80) -> tuple[SrtpContext, SrtpContext]:
    return SrtpContext(suite, MASTER_KEY, MASTER_SALT), SrtpContext(suite, MASTER_KEY, MASTER_SALT)


def _rtp(seq: int, payload: bytes = b"\xff" * 160) -> bytes:
    return pack(RtpPacket(0, seq, seq * 160, 0x1234ABCD, payload))


def test_round_trip_of_a_call_s_packets() -> None:
    sender, receiver = _pair()
    for seq in range(100, 160):
        plain = _rtp(seq, bytes([seq % 256]) * 160)
        protected = sender.protect(plain)
        assert protected[12:172] != plain[12:172]  # the payload is encrypted
        assert len(protected) == len(plain) + 10
        assert receiver.unprotect(protected) == plain
    assert receiver.stats["unprotected"] == 60
    assert receiver.stats["rejected"] == 0


def test_a_header_with_csrc_and_extension_is_authenticated_not_encrypted() -> None:
    sender, receiver = _pair()
    header = struct.pack("!BBHII", 0x90 | 1, 0, 7, 0, 0x55) + b"CSRC" + b"\xbe\xde\x00\x01" + b"EXT!"
    plain = header + b"voice" * 10
    protected = sender.protect(plain)
    assert protected[: len(header)] == header
    assert receiver.unprotect(protected) == plain
    assert unpack(plain) is not None


@pytest.mark.parametrize("where", [0, 1, 5, 20, -1])
def test_a_tampered_packet_is_rejected_and_counted(where: int) -> None:
    sender, receiver = _pair()
    protected = bytearray(sender.protect(_rtp(1)))
    protected[where] ^= 0x01 if where else 0x0F  # byte 0: the CSRC count, still version 2
    result = receiver.unprotect(bytes(protected))
    assert isinstance(result, Rejected)
    assert result.reason in ("auth", "not_rtp", "short")
    assert receiver.stats["rejected"] == 1
    # The packet as sent is still taken afterwards: the forgery moved nothing.
    assert receiver.unprotect(sender.protect(_rtp(2))) == _rtp(2)


def test_a_packet_under_another_key_is_rejected() -> None:
    stranger = SrtpContext(AES_CM_128_HMAC_SHA1_80, bytes(16), bytes(14))
    _, receiver = _pair()
    assert receiver.unprotect(stranger.protect(_rtp(1))) == Rejected("auth")
    assert receiver.stats["rejected_auth"] == 1


@pytest.mark.parametrize("data", [b"", b"\x80", b"\x00" * 40, _rtp(3)[:12] + b"\x01\x02"])
def test_garbage_is_rejected_never_raised(data: bytes) -> None:
    _, receiver = _pair()
    assert isinstance(receiver.unprotect(data), Rejected)
    assert receiver.stats["rejected"] == 1


def test_replays_are_rejected_and_late_packets_inside_the_window_taken() -> None:
    sender, receiver = _pair()
    packets = {seq: sender.protect(_rtp(seq)) for seq in range(1, 101)}
    assert receiver.unprotect(packets[100]) == _rtp(100)
    assert receiver.unprotect(packets[100]) == Rejected("replay")
    assert receiver.unprotect(packets[50]) == _rtp(50)  # 50 behind: late, inside the window
    assert receiver.unprotect(packets[50]) == Rejected("replay")
    assert receiver.unprotect(packets[30]) == Rejected("too_old")  # 70 behind: outside
    assert receiver.stats["rejected_replay"] == 2
    assert receiver.stats["rejected_too_old"] == 1


def test_the_rollover_counter_follows_seq_wrapping_on_both_sides() -> None:
    sender, receiver = _pair()
    seqs = [65530 + i for i in range(6)] + list(range(0, 10))  # wraps once
    protected = [sender.protect(_rtp(seq)) for seq in seqs]
    for seq, packet in zip(seqs, protected, strict=True):
        assert receiver.unprotect(packet) == _rtp(seq), seq
    # After the wrap the ROC is 1: a packet protected with ROC 0 and SEQ 5 is not taken.
    fresh_sender, _ = _pair()
    assert receiver.unprotect(fresh_sender.protect(_rtp(12))) == Rejected("auth")
    # A late packet from before the wrap (ROC 0) is still taken with its own ROC.
    late_sender, late_receiver = _pair()
    before = [late_sender.protect(_rtp(s)) for s in (65534, 65535)]
    after = late_sender.protect(_rtp(0))
    assert late_receiver.unprotect(before[0]) == _rtp(65534)
    assert late_receiver.unprotect(after) == _rtp(0)
    assert late_receiver.unprotect(before[1]) == _rtp(65535)


def test_wrong_key_lengths_and_suites_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        SrtpContext(AES_CM_128_HMAC_SHA1_80, bytes(15), bytes(14))
    with pytest.raises(ValueError, match="unsupported SRTP suite"):
        SrtpContext("AEAD_AES_128_GCM", MASTER_KEY, MASTER_SALT)
    with pytest.raises(ValueError, match="whole RTP"):
        SrtpContext(AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT).protect(b"\x00" * 20)


def test_a_master_key_identifier_travels_between_payload_and_tag() -> None:
    sender = SrtpContext(AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT, mki=b"\x00\x01")
    receiver = SrtpContext(AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT, mki=b"\x00\x01")
    protected = sender.protect(_rtp(9))
    assert protected[-12:-10] == b"\x00\x01"
    assert receiver.unprotect(protected) == _rtp(9)
    other = SrtpContext(AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT, mki=b"\x00\x02")
    assert other.unprotect(sender.protect(_rtp(10))) == Rejected("mki")


_GOOD = SrtpContext(AES_CM_128_HMAC_SHA1_80, MASTER_KEY, MASTER_SALT).protect(_rtp(77))


@settings(max_examples=400, deadline=None)
@given(
    st.binary(max_size=300)
    | st.builds(
        lambda at, bit: bytes(b ^ (1 << bit) * (i == at) for i, b in enumerate(_GOOD)),
        st.integers(0, len(_GOOD) - 1),
        st.integers(0, 7),
    )
)
def test_unprotect_never_raises_and_takes_no_altered_packet(data: bytes) -> None:
    _, receiver = _pair()
    result = receiver.unprotect(data)
    assert isinstance(result, Rejected) or data == _GOOD
