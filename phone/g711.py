"""G.711 µ-law (PCMU) and A-law (PCMA): 16-bit linear PCM to 8-bit codes and back.

Pure functions over numpy arrays, built from the reference algorithm (Sun's ``g711.c``)
as lookup tables once: encoding one 20 ms frame is then one table lookup of 160 samples.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint8]
Samples = npt.NDArray[np.int16]

_BIAS = 0x84
_CLIP = 32635
_ALAW_SEG_END = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _ulaw_encode_one(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    magnitude = min(-sample if sample < 0 else sample, _CLIP) + _BIAS
    exponent = max(0, min(7, magnitude.bit_length() - 8))
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def _ulaw_decode_one(code: int) -> int:
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + _BIAS) << ((code >> 4) & 0x07)
    magnitude -= _BIAS
    return -magnitude if code & 0x80 else magnitude


def _alaw_encode_one(sample: int) -> int:
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    segment = next((i for i, end in enumerate(_ALAW_SEG_END) if value <= end), 8)
    if segment >= 8:
        return 0x7F ^ mask
    code = segment << 4
    code |= (value >> 1) & 0x0F if segment < 2 else (value >> segment) & 0x0F
    return code ^ mask


def _alaw_decode_one(code: int) -> int:
    code ^= 0x55
    value = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    if segment == 0:
        value += 8
    elif segment == 1:
        value += 0x108
    else:
        value = (value + 0x108) << (segment - 1)
    return value if code & 0x80 else -value


@cache
def _tables() -> tuple[Codes, Codes, Samples, Samples]:
    linear = range(-32768, 32768)
    ulaw_enc = np.array([_ulaw_encode_one(s) for s in linear], dtype=np.uint8)
    alaw_enc = np.array([_alaw_encode_one(s) for s in linear], dtype=np.uint8)
    ulaw_dec = np.array([_ulaw_decode_one(c) for c in range(256)], dtype=np.int16)
    alaw_dec = np.array([_alaw_decode_one(c) for c in range(256)], dtype=np.int16)
    return ulaw_enc, alaw_enc, ulaw_dec, alaw_dec


def warm_up() -> None:
    """Build the tables now (about half a second), not on a caller's first packet."""
    _tables()


def ulaw_encode(samples: Samples) -> bytes:
    return _tables()[0][samples.astype(np.int32) + 32768].tobytes()


def alaw_encode(samples: Samples) -> bytes:
    return _tables()[1][samples.astype(np.int32) + 32768].tobytes()


def ulaw_decode(codes: bytes) -> Samples:
    return _tables()[2][np.frombuffer(codes, dtype=np.uint8)]


def alaw_decode(codes: bytes) -> Samples:
    return _tables()[3][np.frombuffer(codes, dtype=np.uint8)]


ULAW_SILENCE = 0xFF
ALAW_SILENCE = 0xD5


def encode(samples: Samples, payload_type: int) -> bytes:
    """PCMU for payload type 0, PCMA for 8 (the only two the line offers)."""
    return ulaw_encode(samples) if payload_type == 0 else alaw_encode(samples)


def decode(codes: bytes, payload_type: int) -> Samples:
    return ulaw_decode(codes) if payload_type == 0 else alaw_decode(codes)


def silence_code(payload_type: int) -> int:
    return ULAW_SILENCE if payload_type == 0 else ALAW_SILENCE


__all__ = [
    "alaw_decode",
    "alaw_encode",
    "decode",
    "encode",
    "silence_code",
    "ulaw_decode",
    "ulaw_encode",
    "warm_up",
]
