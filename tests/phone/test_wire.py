"""The line's wire codecs as pure functions: SIP, SDP, RTP and RFC 4733, G.711."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phone import g711, rtp, sdp, sip

_INVITE = (
    b"INVITE sip:line@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK1\r\n"
    b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0\r\nFrom: <sip:+15550100@pbx>;tag=a1\r\n"
    b"To: <sip:line@127.0.0.1>\r\ni: abc@pbx\r\nCSeq: 1 INVITE\r\nl: 4\r\n\r\nbodyEXTRA"
)


def test_a_request_parses_with_compact_and_repeated_headers() -> None:
    msg = sip.parse(_INVITE)
    assert isinstance(msg, sip.SipMessage)
    assert (msg.method, msg.call_id, msg.cseq, msg.body) == ("INVITE", "abc@pbx", (1, "INVITE"), b"body")
    assert len(msg.all("via")) == 2
    reply = sip.parse(sip.build(sip.response(msg, 200, to_tag="t9")))
    assert isinstance(reply, sip.SipMessage)
    assert reply.status == 200 and sip.tag_of(reply.header("to")) == "t9" and len(reply.all("via")) == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no_header_end"),
        (b"INVITE sip:x SIP/2.0\r\nVia: a\r\n\r\n", "missing_from"),
        (_INVITE.replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE"), "cseq_method_mismatch"),
        (_INVITE.replace(b"l: 4", b"l: 99"), "bad_content_length"),
        (_INVITE.replace(b"CSeq: 1", b"CSeq: x"), "bad_cseq"),
        (b"\xff\xfe\r\n\r\n", "UnicodeDecodeError"),
    ],
)
def test_malformed_sip_is_named(data: bytes, reason: str) -> None:
    assert sip.parse(data) == sip.Malformed(reason)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600) | st.builds(lambda cut, junk: _INVITE[:cut] + junk,
                                           st.integers(0, len(_INVITE)), st.binary(max_size=40)))  # fmt: skip
def test_the_sip_parser_never_raises(data: bytes) -> None:
    assert isinstance(sip.parse(data), sip.SipMessage | sip.Malformed)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_sdp_and_rtp_readers_never_raise(data: bytes) -> None:
    assert isinstance(sdp.parse_offer(data), sdp.Offer | str)
    rtp.unpack(data)
    rtp.unpack_event(data)


def test_offer_answer_picks_pcmu_and_keeps_telephone_event() -> None:
    offer = sdp.parse_offer(sdp.offer("10.0.0.2", 4000, 7))
    assert isinstance(offer, sdp.Offer)
    media = sdp.choose(offer)
    assert media == sdp.Media("10.0.0.2", 4000, 0, 101)
    back = sdp.parse_offer(sdp.answer(media, "10.0.0.9", 12000, 1))
    assert back == sdp.Offer("10.0.0.9", 12000, (0, 101), 101)
    assert sdp.choose(sdp.Offer("10.0.0.2", 4000, (18, 9), None)) is None


def test_rtp_round_trip_and_dtmf_once_per_event() -> None:
    packet = rtp.RtpPacket(0, 65535, 2**32 - 1, 7, b"\xff" * 160, marker=True)
    assert rtp.unpack(rtp.pack(packet)) == packet
    assert rtp.unpack(b"\x00" * 12) is None  # version 0
    receiver = rtp.DtmfReceiver()
    keys = [receiver.feed(p) for p in rtp.event_packets("0", 1, 800, 7, 101)]
    keys += [receiver.feed(p) for p in rtp.event_packets("#", 7, 1600, 7, 101)]
    assert [k for k in keys if k] == ["0", "#"]


def test_g711_matches_the_reference_points_and_round_trips() -> None:
    zero = np.zeros(1, dtype=np.int16)
    assert g711.ulaw_encode(zero) == b"\xff" and g711.alaw_encode(zero) == b"\xd5"
    codes = bytes(range(256))
    for encode, decode in ((g711.ulaw_encode, g711.ulaw_decode), (g711.alaw_encode, g711.alaw_decode)):
        again = encode(decode(codes))
        # every code decodes to a value that encodes back to it (µ-law's two zeros aside)
        assert sum(a != b for a, b in zip(again, codes, strict=True)) <= 1
    ramp = np.linspace(-32768, 32767, 5000).astype(np.int16)
    for encode, decode in ((g711.ulaw_encode, g711.ulaw_decode), (g711.alaw_encode, g711.alaw_decode)):
        error = np.abs(decode(encode(ramp)).astype(np.int32) - ramp)
        assert (
            error <= np.maximum(np.abs(ramp.astype(np.int32)) // 16, 16) + 1024 * (np.abs(ramp) > 32000)
        ).all()


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("sip:u@10.0.0.5:5070;lr", ("10.0.0.5", 5070)),
        ("sip:10.0.0.5", ("10.0.0.5", 5060)),
        ("sips:x@[::1]:5061;transport=tls", ("::1", 5061)),
        ("sip:pbx.example.org", None),  # a name: not resolved per request
        ("sip:u@1.2.3.4:99999", None),
        ("sip:u@999.1.1.1", None),
        ("tel:+15550100", None),
    ],
)
def test_where_a_request_for_a_uri_goes(uri: str, expected: tuple[str, int] | None) -> None:
    assert sip.host_port(uri) == expected


def test_the_route_set_is_the_record_routes_in_order() -> None:
    invite = sip.SipMessage(
        method="INVITE",
        uri="sip:line@10.0.0.9",
        headers=(
            ("record-route", "<sip:10.0.0.1;lr>, <sip:10.0.0.2;lr>"),
            ("record-route", "<sip:10.0.0.3;lr>"),
        ),
    )
    assert sip.route_set(invite) == ["sip:10.0.0.1;lr", "sip:10.0.0.2;lr", "sip:10.0.0.3;lr"]
