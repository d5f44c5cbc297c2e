"""SDP offer/answer (RFC 4566, RFC 3264) for one audio stream: G.711 and telephone-event,
in clear (``RTP/AVP``) or as SRTP with SDES keys (``RTP/SAVP``, RFC 4568: ``phone.sdes``).

``parse_offer`` never raises; an offer the line cannot take gives ``None`` with a reason.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from phone.sdes import Crypto, attribute

PCMU, PCMA = 0, 8
_SECURE = ("RTP/SAVP", "RTP/SAVPF")


@dataclass(frozen=True)
class Offer:
    address: str
    port: int
    payload_types: tuple[int, ...]
    event_payload_type: int | None  # telephone-event/8000, when offered
    profile: str = "RTP/AVP"
    crypto: tuple[str, ...] = ()  # the audio stream's a=crypto values, as offered

    @property
    def secure(self) -> bool:
        return self.profile in _SECURE


@dataclass(frozen=True)
class Srtp:
    """The SRTP keys agreed: the caller's (what it sends) and the line's (what it sends)."""

    remote: Crypto
    local: Crypto


@dataclass(frozen=True)
class Media:
    """What was agreed: where to send, which codec, which event payload type."""

    address: str
    port: int
    payload_type: int
    event_payload_type: int | None
    srtp: Srtp | None = None  # None: RTP in clear


def parse_offer(body: bytes) -> Offer | str:
    """The offer's audio stream, or the reason it is unusable."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "not_utf8"
    address, media, rtpmap, crypto = _scan(text)
    if len(media) < 4 or not media[1].isdigit() or not 0 < int(media[1]) < 65536:
        return "no_audio"
    if media[2] not in ("RTP/AVP", "RTP/AVPF", *_SECURE):
        return "not_rtp_avp"
    try:
        ipaddress.IPv4Address(address)
    except ValueError:
        return "no_address"
    types = tuple(int(p) for p in media[3:] if p.isdigit() and int(p) < 128)
    event = next((pt for pt in types if rtpmap.get(pt, "").startswith("telephone-event/8000")), None)
    return Offer(address, int(media[1]), types, event, media[2], tuple(crypto))


def _scan(text: str) -> tuple[str, list[str], dict[int, str], list[str]]:
    """The connection address (session or first audio stream), the first audio ``m=``
    line's fields and that stream's ``rtpmap`` entries and ``crypto`` values."""
    address = ""
    media: list[str] = []
    rtpmap: dict[int, str] = {}
    crypto: list[str] = []
    in_audio = False
    for raw in text.splitlines():
        kind, eq, value = raw.strip().partition("=")
        if not eq or len(kind) != 1:
            continue
        if kind == "m":
            in_audio = value.startswith("audio ") and not media
            if in_audio:
                media = value.split()
        elif kind == "c" and (in_audio or not media):
            parts = value.split()
            if len(parts) == 3 and parts[:2] == ["IN", "IP4"]:
                address = parts[2].split("/", 1)[0]
        elif kind == "a" and in_audio and value.startswith("rtpmap:"):
            pt, _, name = value[len("rtpmap:") :].partition(" ")
            if pt.isdigit():
                rtpmap[int(pt)] = name.lower()
        elif kind == "a" and in_audio and value.startswith("crypto:"):
            crypto.append(value[len("crypto:") :])
    return address, media, rtpmap, crypto


def choose(offer: Offer) -> Media | None:
    """PCMU if offered, else PCMA; ``None`` when neither is (488)."""
    for pt in offer.payload_types:
        if pt in (PCMU, PCMA):
            return Media(offer.address, offer.port, pt, offer.event_payload_type)
    return None


def answer(media: Media, local_address: str, local_port: int, session_id: int) -> bytes:
    codec = "PCMU/8000" if media.payload_type == PCMU else "PCMA/8000"
    types = [str(media.payload_type)]
    lines = [
        "v=0",
        f"o=kiosk-phone {session_id} {session_id} IN IP4 {local_address}",
        "s=kiosk phone line",
        f"c=IN IP4 {local_address}",
        "t=0 0",
    ]
    attrs = [f"a=rtpmap:{media.payload_type} {codec}"]
    if media.event_payload_type is not None:
        types.append(str(media.event_payload_type))
        attrs += [f"a=rtpmap:{media.event_payload_type} telephone-event/8000",
                  f"a=fmtp:{media.event_payload_type} 0-15"]  # fmt: skip
    if media.srtp is not None:
        attrs.append(f"a={attribute(media.srtp.local)}")
    profile = "RTP/AVP" if media.srtp is None else "RTP/SAVP"
    lines.append(f"m=audio {local_port} {profile} {' '.join(types)}")
    lines += [*attrs, "a=ptime:20", "a=sendrecv"]
    return ("\r\n".join(lines) + "\r\n").encode()


def offer(local_address: str, local_port: int, session_id: int, crypto: Crypto | None = None) -> bytes:
    """An offer of PCMU, PCMA and telephone-event (101): the test caller's and the bench's
    (with ``crypto``: SRTP, ``RTP/SAVP`` and that key)."""
    text = (
        "v=0\r\n"
        f"o=caller {session_id} {session_id} IN IP4 {local_address}\r\n"
        "s=call\r\n"
        f"c=IN IP4 {local_address}\r\n"
        "t=0 0\r\n"
        f"m=audio {local_port} {'RTP/AVP' if crypto is None else 'RTP/SAVP'} 0 8 101\r\n"
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n"
    )
    if crypto is not None:
        text += f"a={attribute(crypto)}\r\n"
    return text.encode()


__all__ = ["PCMA", "PCMU", "Media", "Offer", "Srtp", "answer", "choose", "offer", "parse_offer"]
