"""What the line answers an INVITE's SDP with (RFC 3264 with RFC 4568 SDES).

An ``RTP/AVP`` offer is answered as always (G.711, telephone-event). An ``RTP/SAVP`` offer
is answered with SRTP: the first ``a=crypto`` line the line can use (its tag and suite,
the caller's key for what the caller sends) and a fresh key of the line's own for what the
line sends. Keys in SDP are as secret as the SIP that carries them, so an SRTP offer is
taken only from a caller on TLS: over UDP anyone on the path could read them, and the line
says so with 488 rather than pretend the media is private. Every 488 is counted
(``invite_not_acceptable_<reason>``) and logged with its reason.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from phone import aes_ctr, sdp
from phone.sdes import KEY_SALT_BYTES, Crypto, parse_crypto
from phone.srtp import MASTER_KEY_BYTES

log = logging.getLogger(__name__)

NewKey = Callable[[], bytes]


def _new_key() -> bytes:
    return secrets.token_bytes(KEY_SALT_BYTES)


def negotiate(
    body: bytes, over_tls: bool, stats: Counter[str], new_key: NewKey = _new_key
) -> sdp.Media | None:
    """What the line answers ``body`` (an INVITE's SDP) with; ``None``: 488 (counted in
    ``stats`` as ``invite_not_acceptable_<reason>`` and logged)."""
    media = _choose(body, over_tls, stats, new_key)
    if isinstance(media, sdp.Media):
        return media
    stats["invite_not_acceptable"] += 1
    stats[f"invite_not_acceptable_{media}"] += 1
    log.info("INVITE answered 488", extra={"reason": media})
    return None


def _choose(body: bytes, over_tls: bool, stats: Counter[str], new_key: NewKey) -> sdp.Media | str:
    offer = sdp.parse_offer(body)
    if isinstance(offer, str):
        return offer
    media = sdp.choose(offer)
    if media is None:
        return "no_g711"
    if not offer.secure:
        return media  # RTP/AVP: as before, whatever a=crypto lines came with it
    if not over_tls:
        return "srtp_over_udp"
    if not aes_ctr.available():
        return "srtp_unavailable"  # no libcrypto: refused rather than answered in clear
    reasons = []
    for value in offer.crypto:
        theirs = parse_crypto(value)
        if isinstance(theirs, Crypto):
            key = new_key()
            ours = Crypto(
                theirs.tag, theirs.suite, key[:MASTER_KEY_BYTES], key[MASTER_KEY_BYTES:KEY_SALT_BYTES]
            )
            return replace(media, srtp=sdp.Srtp(theirs, ours))
        reasons.append(theirs)
        stats[f"sdes_refused_{theirs}"] += 1  # one crypto line the line could not use
    return reasons[0] if reasons else "crypto_missing"


__all__ = ["negotiate"]
