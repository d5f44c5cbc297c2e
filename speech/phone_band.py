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

from speech.audio import Audio, Samples

PHONE_RATE = 8000
LOW_HZ = 300.0
HIGH_HZ = 3400.0
TAPER_HZ = 100.0
"""The band's edges are raised-cosine ramps this wide, inside the band (no ringing to speak of)."""
PEAK_DBFS = -1.0
_PAD = 2048  # zeros around the clip so the FFT filter's wrap-around lands in silence


def _gain(f: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    ramp = np.clip((f - LOW_HZ) / TAPER_HZ, 0, 1) * np.clip((HIGH_HZ - f) / TAPER_HZ, 0, 1)
    out: npt.NDArray[np.float64] = 0.5 - 0.5 * np.cos(np.pi * ramp)
    return out


def band_limit(
    samples: npt.NDArray[np.float64], rate: int, out_rate: int | None = None
) -> npt.NDArray[np.float64]:
    """``samples`` with everything outside ``LOW_HZ``..``HIGH_HZ`` removed (zero phase), at
    ``out_rate`` (default: ``rate``). One FFT does both: the band is cut in the spectrum,
    which is then read back with as many points as the new rate needs (exact band-limited
    resampling; the band is far below either Nyquist)."""
    out_rate = out_rate or rate
    padded = np.concatenate([np.zeros(_PAD), samples, np.zeros(_PAD)])
    spectrum = np.fft.rfft(padded) * _gain(np.fft.rfftfreq(len(padded), 1 / rate).astype(np.float64))
    n_out = round(len(padded) * out_rate / rate)
    bins = n_out // 2 + 1
    if len(spectrum) < bins:
        spectrum = np.concatenate([spectrum, np.zeros(bins - len(spectrum), dtype=spectrum.dtype)])
    resampled = np.fft.irfft(spectrum[:bins], n_out) * (n_out / len(padded))
    lead = round(_PAD * out_rate / rate)
    out: npt.NDArray[np.float64] = resampled[lead : lead + round(len(samples) * out_rate / rate)]
    return out


def phone_band(audio: Audio, peak_dbfs: float = PEAK_DBFS) -> Audio:
    """``audio`` as a phone line carries it: band-limited to 300-3400 Hz, at 8 kHz, its peak
    at most ``peak_dbfs`` (the whole clip scaled down when needed, never up)."""
    if len(audio.samples) == 0:
        return Audio(np.zeros(0, dtype=np.int16), PHONE_RATE)
    narrow = band_limit(audio.samples.astype(np.float64), audio.rate, PHONE_RATE)
    limit = 32767.0 * 10 ** (peak_dbfs / 20)
    top = float(np.max(np.abs(narrow)))
    if top > limit:
        narrow *= limit / top
    return Audio(np.round(narrow).astype(np.int16), PHONE_RATE)


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
