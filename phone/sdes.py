"""SDES (RFC 4568): SRTP keys carried in SDP ``a=crypto`` lines, pure.

``parse_crypto`` never raises: a line the phone line cannot use gives the reason
(``phone.offer_answer`` counts it and answers 488 when no line is usable).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from phone.srtp import MASTER_KEY_BYTES, MASTER_SALT_BYTES, TAG_BYTES

KEY_SALT_BYTES = MASTER_KEY_BYTES + MASTER_SALT_BYTES
_LIFETIME = re.compile(r"(?:2\^(\d{1,2})|(\d{1,15}))")
_MKI = re.compile(r"(\d{1,10}):(\d{1,3})")
_MIN_LIFETIME = 1 << 16  # the line never re-keys: a key must last a whole call
_IGNORED_PARAMS = ("WSH=",)  # a window-size hint: the line's window is 64 whatever it says


@dataclass(frozen=True)
class Crypto:
    """One ``a=crypto`` line that the line can use."""

    tag: int
    suite: str
    key: bytes  # master key
    salt: bytes  # master salt
    mki: bytes = b""  # the MKI the sender puts in each packet (RFC 3711 §3.1), or none


def parse_crypto(value: str) -> Crypto | str:
    """``value`` (after ``a=crypto:``) as keys, or why the line cannot use it."""
    fields = value.split()
    if len(fields) < 3 or not fields[0].isdigit() or len(fields[0]) > 9:
        return "crypto_syntax"
    tag, suite, key_params, session_params = int(fields[0]), fields[1], fields[2], fields[3:]
    if suite not in TAG_BYTES:
        return "crypto_suite_unsupported"
    if any(not p.startswith(_IGNORED_PARAMS) for p in session_params):
        return "crypto_session_param_unsupported"  # UNENCRYPTED_SRTP, KDR=, FEC_ORDER= ...
    if ";" in key_params:
        return "crypto_several_keys"
    method, colon, info = key_params.partition(":")
    if not colon or method != "inline":
        return "crypto_key_method"
    key_salt, *rest = info.split("|")
    try:
        raw = base64.b64decode(key_salt, validate=True)
    except (binascii.Error, ValueError):
        return "crypto_key_base64"
    if len(raw) != KEY_SALT_BYTES:
        return "crypto_key_length"
    mki = b""
    if rest and _LIFETIME.fullmatch(rest[0]):
        lifetime = _LIFETIME.fullmatch(rest.pop(0))
        if lifetime is None or _lifetime(lifetime) < _MIN_LIFETIME:
            return "crypto_lifetime_short"
    if rest:
        found = _MKI.fullmatch(rest.pop(0))
        if found is None or rest or not 1 <= int(found[2]) <= 128 or int(found[1]) >= 256 ** int(found[2]):
            return "crypto_mki"
        mki = int(found[1]).to_bytes(int(found[2]), "big")
    return Crypto(tag, suite, raw[:MASTER_KEY_BYTES], raw[MASTER_KEY_BYTES:], mki)


def _lifetime(found: re.Match[str]) -> int:
    return 1 << int(found[1]) if found[1] else int(found[2])


def attribute(crypto: Crypto) -> str:
    """``crypto`` as an SDP attribute value (no lifetime: the default, 2^31; no MKI)."""
    inline = base64.b64encode(crypto.key + crypto.salt).decode("ascii")
    return f"crypto:{crypto.tag} {crypto.suite} inline:{inline}"


__all__ = ["KEY_SALT_BYTES", "Crypto", "attribute", "parse_crypto"]
