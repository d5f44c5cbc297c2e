"""The kiosk's speech for a telephone line: 8 kHz, 300-3400 Hz, never clipped; G.711 mu-law.

Pure numpy over ``Audio`` (no sound device, no SIP), so the phone line (issue 26) sends
the same renderings the kiosk plays: ``phone_band(audio)`` once per rendered sentence,
then ``mulaw_encode`` per RTP packet.

No clipping: band-limiting changes the waveform's peaks (a sharp band edge rings), so the
gain is chosen after filtering, once for the whole clip: a clip whose peak would pass
``PEAK_DBFS`` is scaled down whole (never limited sample by sample, which distorts); a
quieter one is left as it is. mu-law's largest code is 32,124 (8,031 x 4), ~-0.2 dBFS:
``PEAK_DBFS`` (-1 dBFS) stays under it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from speech.audio import Audio, Samples, resample

PHONE_RATE = 8000
LOW_HZ = 300.0
HIGH_HZ = 3400.0
TAPER_HZ = 100.0
"""The band's edges are raised-cosine ramps this wide, inside the band (no ringing to speak of)."""
PEAK_DBFS = -1.0
_PAD = 2048  # zeros around the clip so the FFT filter's wrap-around lands in silence


def band_limit(samples: npt.NDArray[np.float64], rate: int) -> npt.NDArray[np.float64]:
    """``samples`` with everything outside ``LOW_HZ``..``HIGH_HZ`` removed (zero phase)."""
    padded = np.concatenate([np.zeros(_PAD), samples, np.zeros(_PAD)])
    spectrum = np.fft.rfft(padded)
    f = np.fft.rfftfreq(len(padded), 1 / rate)
    ramp = np.clip((f - LOW_HZ) / TAPER_HZ, 0, 1) * np.clip((HIGH_HZ - f) / TAPER_HZ, 0, 1)
    gain = 0.5 - 0.5 * np.cos(np.pi * ramp)
    out: npt.NDArray[np.float64] = np.fft.irfft(spectrum * gain, len(padded))[_PAD : _PAD + len(samples)]
    return out


def phone_band(audio: Audio, peak_dbfs: float = PEAK_DBFS) -> Audio:
    """``audio`` as a phone line carries it: band-limited to 300-3400 Hz, at 8 kHz, its peak
    at most ``peak_dbfs`` (the whole clip scaled down when needed, never up)."""
    if len(audio.samples) == 0:
        return Audio(np.zeros(0, dtype=np.int16), PHONE_RATE)
    narrow = band_limit(audio.samples.astype(np.float64), audio.rate)
    if audio.rate != PHONE_RATE:
        narrow = _resample_float(narrow, audio.rate, PHONE_RATE)
        narrow = band_limit(narrow, PHONE_RATE)  # what the interpolation put back near the edges
    limit = 32767.0 * 10 ** (peak_dbfs / 20)
    top = float(np.max(np.abs(narrow)))
    if top > limit:
        narrow *= limit / top
    return Audio(np.round(narrow).astype(np.int16), PHONE_RATE)


def _resample_float(x: npt.NDArray[np.float64], src: int, dst: int) -> npt.NDArray[np.float64]:
    """``speech.audio.resample`` without its int16 rounding and clipping (headroom kept)."""
    scale = max(1.0, float(np.max(np.abs(x))) / 16384.0)
    at = resample(np.round(x / scale).astype(np.int16), src, dst).astype(np.float64)
    out: npt.NDArray[np.float64] = at * scale
    return out


# --- G.711 mu-law (ITU-T G.711, the segment form) -----------------------------------------

_BIAS = 0x84
_CLIP = 32635


def mulaw_encode(samples: Samples) -> bytes:
    """16-bit PCM to G.711 mu-law bytes (one per sample)."""
    x = samples.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), _CLIP) + _BIAS
    exponent = np.floor(np.log2(np.maximum(magnitude, 1))).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    code = ~(sign | (exponent << 4) | mantissa) & 0xFF
    return bytes(code.astype(np.uint8).tobytes())


def mulaw_decode(data: bytes) -> Samples:
    """G.711 mu-law bytes to 16-bit PCM."""
    code = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    sign = code & 0x80
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


__all__ = [
    "HIGH_HZ",
    "LOW_HZ",
    "PEAK_DBFS",
    "PHONE_RATE",
    "band_limit",
    "mulaw_decode",
    "mulaw_encode",
    "phone_band",
]
