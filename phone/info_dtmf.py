"""SIP INFO DTMF (the fallback for phones and PBXs that do not send RFC 4733): the key in
an ``application/dtmf-relay`` body (``Signal=5``, ``Duration=160``) or an
``application/dtmf`` body (``5``). Pure; a body that is not one key gives a reason."""

from __future__ import annotations

from dataclasses import dataclass

from phone.rtp import DTMF_KEYS

CONTENT_TYPES = ("application/dtmf-relay", "application/dtmf")
_NUMERIC = {"10": "*", "11": "#", "12": "A", "13": "B", "14": "C", "15": "D"}  # event codes some PBXs send
_MAX_BODY = 512


@dataclass(frozen=True)
class NotDtmf:
    reason: str


def content_type(value: str) -> str:
    """``Application/DTMF-Relay; charset=x`` -> ``application/dtmf-relay``."""
    return value.split(";", 1)[0].strip().lower()


def parse(kind: str, body: bytes) -> str | NotDtmf:
    """The key in ``body`` of content type ``kind`` (one of ``CONTENT_TYPES``)."""
    if len(body) > _MAX_BODY:
        return NotDtmf("too_large")
    try:
        text = body.decode("ascii").strip()
    except UnicodeDecodeError:
        return NotDtmf("not_ascii")
    if kind == "application/dtmf":
        return _key(text)
    signals = []
    for line in text.replace("\r\n", "\n").split("\n"):
        name, equals, value = line.partition("=")
        if not equals:
            if line.strip():
                return NotDtmf("bad_line")
            continue
        if name.strip().lower() == "signal":
            signals.append(value.strip())
    if len(signals) != 1:
        return NotDtmf("no_signal" if not signals else "several_signals")
    return _key(signals[0])


def _key(text: str) -> str | NotDtmf:
    key = _NUMERIC.get(text, text.upper())
    if len(key) != 1 or key not in DTMF_KEYS:
        return NotDtmf("unknown_key")
    return key


__all__ = ["CONTENT_TYPES", "NotDtmf", "content_type", "parse"]
