"""SDES (RFC 4568) a=crypto lines and the line's answer to an SRTP offer."""

from __future__ import annotations

import base64
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phone import sdp
from phone.offer_answer import negotiate
from phone.sdes import Crypto, attribute, parse_crypto
from phone.srtp import AES_CM_128_HMAC_SHA1_32, AES_CM_128_HMAC_SHA1_80

KEY, SALT = bytes(range(16)), bytes(range(100, 114))
INLINE = base64.b64encode(KEY + SALT).decode()
OURS = bytes(range(200, 230))
SHA1_80 = AES_CM_128_HMAC_SHA1_80


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}", Crypto(1, AES_CM_128_HMAC_SHA1_80, KEY, SALT)),
        (f"7 AES_CM_128_HMAC_SHA1_32 inline:{INLINE}|2^20", Crypto(7, AES_CM_128_HMAC_SHA1_32, KEY, SALT)),
        (f"2 {SHA1_80} inline:{INLINE}|2^31|1:4", Crypto(2, SHA1_80, KEY, SALT, b"\0\0\0\1")),
        (f"3 {SHA1_80} inline:{INLINE}|7:1 WSH=128", Crypto(3, SHA1_80, KEY, SALT, b"\7")),
    ],
)  # fmt: skip
def test_usable_crypto_lines(value: str, expected: Crypto) -> None:
    assert parse_crypto(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "crypto_syntax"),
        (f"x AES_CM_128_HMAC_SHA1_80 inline:{INLINE}", "crypto_syntax"),
        ("1 AES_CM_128_HMAC_SHA1_80", "crypto_syntax"),
        (f"1 AEAD_AES_256_GCM inline:{INLINE}", "crypto_suite_unsupported"),
        (f"1 F8_128_HMAC_SHA1_80 inline:{INLINE}", "crypto_suite_unsupported"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE} UNENCRYPTED_SRTP", "crypto_session_param_unsupported"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE} KDR=10", "crypto_session_param_unsupported"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE};inline:{INLINE}", "crypto_several_keys"),
        (f"1 AES_CM_128_HMAC_SHA1_80 uri:{INLINE}", "crypto_key_method"),
        ("1 AES_CM_128_HMAC_SHA1_80 inline:not*base64!", "crypto_key_base64"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE[:-3]}", "crypto_key_base64"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE[:-8]}", "crypto_key_length"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{base64.b64encode(KEY).decode()}", "crypto_key_length"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|2^10", "crypto_lifetime_short"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|1:0", "crypto_mki"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|300:1", "crypto_mki"),
        (f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}|2^20|1:4|junk", "crypto_mki"),
    ],
)
def test_unusable_crypto_lines_say_why(value: str, reason: str) -> None:
    assert parse_crypto(value) == reason


def test_attribute_round_trip() -> None:
    crypto = Crypto(5, AES_CM_128_HMAC_SHA1_80, KEY, SALT)
    assert attribute(crypto) == f"crypto:5 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}"
    assert parse_crypto(attribute(crypto).removeprefix("crypto:")) == crypto


def _offer(profile: str, *crypto: str) -> bytes:
    body = sdp.offer("10.0.0.2", 4000, 7).decode().replace("RTP/AVP", profile)
    return (body + "".join(f"a=crypto:{c}\r\n" for c in crypto)).encode()


def test_a_clear_offer_is_answered_in_clear_even_with_crypto_lines() -> None:
    stats: Counter[str] = Counter()
    media = negotiate(_offer("RTP/AVP", f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}"), True, stats)
    assert media == sdp.Media("10.0.0.2", 4000, 0, 101)
    assert b"RTP/AVP 0 101" in sdp.answer(media, "10.0.0.9", 12000, 1)
    assert not stats


def test_an_srtp_offer_over_tls_gets_the_same_tag_and_suite_and_a_key_of_our_own() -> None:
    stats: Counter[str] = Counter()
    offer = _offer(
        "RTP/SAVP",
        f"1 AEAD_AES_128_GCM inline:{INLINE}",  # offered first, not ours: the next line is taken
        f"2 AES_CM_128_HMAC_SHA1_32 inline:{INLINE}|2^20",
    )
    media = negotiate(offer, True, stats, new_key=lambda: OURS)
    assert media is not None and media.srtp is not None
    assert media.srtp.remote == Crypto(2, AES_CM_128_HMAC_SHA1_32, KEY, SALT)
    assert media.srtp.local == Crypto(2, AES_CM_128_HMAC_SHA1_32, OURS[:16], OURS[16:])
    assert stats == Counter({"sdes_refused_crypto_suite_unsupported": 1})
    answer = sdp.answer(media, "10.0.0.9", 12000, 1).decode()
    assert "m=audio 12000 RTP/SAVP 0 101\r\n" in answer
    assert f"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:{base64.b64encode(OURS).decode()}\r\n" in answer
    back = sdp.parse_offer(answer.encode())
    assert isinstance(back, sdp.Offer) and back.secure


def test_fresh_keys_per_call() -> None:
    offer = _offer("RTP/SAVP", f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}")
    first, second = negotiate(offer, True, Counter()), negotiate(offer, True, Counter())
    assert first is not None and first.srtp is not None and second is not None and second.srtp is not None
    assert first.srtp.local.key != second.srtp.local.key
    assert first.srtp.local.key != KEY


@pytest.mark.parametrize(
    ("offer", "over_tls", "reason"),
    [
        (_offer("RTP/SAVP", f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}"), False, "srtp_over_udp"),
        (_offer("RTP/SAVP"), True, "crypto_missing"),
        (_offer("RTP/SAVP", "1 AES_CM_128_HMAC_SHA1_80 inline:@@@"), True, "crypto_key_base64"),
        (_offer("RTP/SAVP", "garbage"), True, "crypto_syntax"),
        (_offer("UDP/TLS/RTP/SAVP", f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}"), True, "not_rtp_avp"),
    ],
)
def test_refused_offers_are_counted_with_their_reason(offer: bytes, over_tls: bool, reason: str) -> None:
    stats: Counter[str] = Counter()
    assert negotiate(offer, over_tls, stats) is None
    assert stats["invite_not_acceptable"] == 1
    assert stats[f"invite_not_acceptable_{reason}"] == 1


@settings(max_examples=400, deadline=None)
@given(
    st.text(max_size=200)
    | st.builds(lambda junk: f"1 AES_CM_128_HMAC_SHA1_80 inline:{INLINE}{junk}", st.text())
)
def test_parse_crypto_never_raises(value: str) -> None:
    result = parse_crypto(value)
    assert isinstance(result, Crypto | str)
    if isinstance(result, Crypto):
        assert len(result.key) == 16 and len(result.salt) == 14
