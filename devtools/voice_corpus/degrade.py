"""A clean utterance as a lobby kiosk hears it: phone band, a room, pink noise, babble, HVAC hum.

Pure numpy over float64 arrays at 16 kHz, every random draw from the ``numpy.random.Generator``
passed in, so a clip is a function of its seed. The SNR is the ratio of the speech's power
over its ACTIVE frames (within ``ACTIVE_DB`` of its loudest frame) to the noise's power over
those same frames; ``measure_snr`` computes it back from a clean and a mixed clip.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from speech.audio import Samples, resample

Signal = npt.NDArray[np.float64]
RATE_HZ = 16000
FRAME = RATE_HZ // 50  # 20 ms
ACTIVE_DB = 30.0
FLOOR_RMS = 6.0  # a quiet room under the clean clips (about -75 dBFS): never digital silence
SNRS = (20, 10, 5)
NOISES = ("pink", "babble", "hum")
CONDITIONS = ("clean", "phone", "reverb", *(f"{n}_{s}db" for n in NOISES for s in SNRS))
DEGRADED = CONDITIONS[1:]


def active_mask(x: Signal, below_db: float = ACTIVE_DB) -> npt.NDArray[np.bool_]:
    """Per sample: is it in a 20 ms frame within ``below_db`` of the loudest frame?"""
    n = len(x) // FRAME * FRAME
    if n == 0:
        return np.ones(len(x), dtype=bool)
    power = np.mean(x[:n].reshape(-1, FRAME) ** 2, axis=1)
    keep = power >= power.max() * 10 ** (-below_db / 10) if power.max() > 0 else np.ones_like(power, bool)
    mask = np.repeat(keep, FRAME)
    return np.concatenate([mask, np.zeros(len(x) - n, dtype=bool)])


def power(x: Signal, mask: npt.NDArray[np.bool_]) -> float:
    return float(np.mean(x[mask] ** 2)) if mask.any() else 0.0


def place(x: Signal, rng: np.random.Generator, level_dbfs: float) -> Signal:
    """Scale ``x`` to ``level_dbfs`` over its active part, with 0.6-1.0 s of room before and
    0.8-1.0 s after (a listener's VAD needs the lead-in to learn the room, the tail to end)."""
    gain = 32768 * 10 ** (level_dbfs / 20) / max(np.sqrt(power(x, active_mask(x))), 1e-9)
    lead, tail = int(rng.uniform(0.6, 1.0) * RATE_HZ), int(rng.uniform(0.8, 1.0) * RATE_HZ)
    return np.concatenate([np.zeros(lead), x * gain, np.zeros(tail)])


def room_floor(n: int, rng: np.random.Generator) -> Signal:
    return rng.normal(0.0, FLOOR_RMS, n)


def band_pass(
    x: Signal, low_hz: float, high_hz: float, rate: int = RATE_HZ, taper_hz: float = 60.0
) -> Signal:
    """An FFT-mask band-pass with raised-cosine edges ``taper_hz`` wide (inside the band)."""
    spectrum = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / rate)
    gain = np.clip((f - low_hz) / taper_hz, 0, 1) * np.clip((high_hz - f) / taper_hz, 0, 1)
    gain = 0.5 - 0.5 * np.cos(np.pi * gain)
    out: Signal = np.fft.irfft(spectrum * gain, len(x))
    return out


def mu_law(x: Signal, bits: int = 8, mu: float = 255.0) -> Signal:
    """Companded quantization as G.711 does it (``bits`` per sample), decoded back."""
    y = np.clip(x / 32768.0, -1, 1)
    coded = np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu)
    steps = 2 ** (bits - 1)
    coded = np.round(coded * steps) / steps
    out: Signal = np.sign(coded) * np.expm1(np.abs(coded) * np.log1p(mu)) / mu * 32768.0
    return out


def phone(x: Signal) -> Signal:
    """300-3400 Hz, 8 kHz and back, 8-bit mu-law; the band-pass again removes the upsampling images."""
    narrow = band_pass(x, 300, 3400)
    at_8k = resample(_int16(narrow), RATE_HZ, 8000).astype(np.float64)
    back = resample(_int16(mu_law(at_8k)), 8000, RATE_HZ).astype(np.float64)
    return band_pass(_fit(back, len(x)), 300, 3400)


def room_impulse(rng: np.random.Generator, rt60_s: float) -> Signal:
    """A synthetic room: the direct path, then exponentially decaying noise (60 dB in ``rt60_s``)."""
    n = int(rt60_s * RATE_HZ)
    t = np.arange(n) / RATE_HZ
    tail = rng.normal(0, 1, n) * np.exp(-6.908 * t / rt60_s)
    tail = band_pass(tail, 80, 7000)  # walls absorb the extremes
    delay = int(rng.uniform(0.003, 0.008) * RATE_HZ)
    tail[:delay] = 0
    tail *= rng.uniform(0.5, 1.0) / np.sqrt(np.sum(tail**2))  # direct-to-reverberant 0..6 dB
    tail[0] = 1.0
    return tail


def reverb(x: Signal, rng: np.random.Generator) -> tuple[Signal, float]:
    """``x`` in a room of RT60 0.4-0.7 s (the tail cut at the clip's end), level kept."""
    rt60 = float(rng.uniform(0.4, 0.7))
    h = room_impulse(rng, rt60)
    size = 1 << int(np.ceil(np.log2(len(x) + len(h))))
    wet = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[: len(x)]
    mask = active_mask(x)
    wet *= np.sqrt(power(x, mask) / max(power(wet, mask), 1e-9))
    return wet, rt60


def pink(n: int, rng: np.random.Generator) -> Signal:
    """Pink (1/f power) noise, unit RMS."""
    spectrum = np.fft.rfft(rng.normal(0, 1, n))
    f = np.fft.rfftfreq(n, 1 / RATE_HZ)
    spectrum *= 1 / np.sqrt(np.maximum(f, 20.0))
    return _unit(np.fft.irfft(spectrum, n))


def hum(n: int, rng: np.random.Generator) -> Signal:
    """HVAC: mains hum (50 or 60 Hz and harmonics, slowly wavering) over low-passed broadband air."""
    base = float(rng.choice([50.0, 60.0]))
    t = np.arange(n) / RATE_HZ
    tone = np.zeros(n)
    for k in range(1, 9):
        wobble = 1 + 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6.3))
        tone += wobble * np.sin(2 * np.pi * base * k * t + rng.uniform(0, 6.3)) / k
    air = band_pass(rng.normal(0, 1, n), 20, float(rng.uniform(500, 1200)), taper_hz=300)
    return _unit(_unit(tone) + float(rng.uniform(0.7, 1.3)) * _unit(air))


def babble(n: int, pool: Sequence[Signal], rng: np.random.Generator, talkers: int = 4) -> Signal:
    """``talkers`` chatter lines from ``pool`` at random offsets and levels, each looped to cover ``n``."""
    out = np.zeros(n)
    picks = rng.choice(len(pool), size=min(talkers, len(pool)), replace=False)
    for i in picks:
        line = _unit(np.concatenate([pool[int(i)], np.zeros(int(rng.uniform(0.1, 0.6) * RATE_HZ))]))
        looped = np.tile(line, n // len(line) + 2)
        start = int(rng.integers(0, len(line)))
        out += looped[start : start + n] * 10 ** (rng.uniform(-4, 0) / 20)
    return _unit(out)


def mix(x: Signal, noise: Signal, snr_db: float, mask: npt.NDArray[np.bool_]) -> Signal:
    """``x`` plus ``noise`` scaled to ``snr_db`` below it over ``x``'s active part."""
    scale = np.sqrt(power(x, mask) / max(power(noise, mask), 1e-12) / 10 ** (snr_db / 10))
    out: Signal = x + noise * scale
    return out


def degrade(
    condition: str, x: Signal, rng: np.random.Generator, pool: Sequence[Signal]
) -> tuple[Signal, float | None]:
    """``x`` (placed, without its room floor) under ``condition``; returns it and its SNR (or None)."""
    if condition == "clean":
        return x, None
    if condition == "phone":
        return phone(x), None
    if condition == "reverb":
        return reverb(x, rng)[0], None
    kind, _, level = condition.partition("_")
    snr = float(level.removesuffix("db"))
    make = {"pink": lambda: pink(len(x), rng), "hum": lambda: hum(len(x), rng),
            "babble": lambda: babble(len(x), pool, rng)}  # fmt: skip
    if kind not in make or not level.endswith("db"):
        raise ValueError(f"unknown condition {condition!r} (known: {', '.join(CONDITIONS)})")
    return mix(x, make[kind](), snr, active_mask(x)), snr


def measure_snr(clean: Samples, mixed: Samples) -> float:
    """The SNR of ``mixed`` against the ``clean`` clip it was made from (any gain fitted out)."""
    s, m = clean.astype(np.float64), mixed.astype(np.float64)
    mask = active_mask(s)
    gain = float(np.dot(m[mask], s[mask]) / max(np.dot(s[mask], s[mask]), 1e-9))
    noise = m - gain * s
    return 10 * float(np.log10(power(gain * s, mask) / max(power(noise, mask), 1e-12)))


def to_samples(x: Signal, peak: float = 30000.0) -> Samples:
    """int16 for the WAV; a clip that would clip is scaled down whole (its SNR unchanged)."""
    top = float(np.max(np.abs(x))) if len(x) else 0.0
    return _int16(x * (peak / top) if top > peak else x)


def _int16(x: Signal) -> Samples:
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


def _fit(x: Signal, n: int) -> Signal:
    return x[:n] if len(x) >= n else np.concatenate([x, np.zeros(n - len(x))])


def _unit(x: Signal) -> Signal:
    rms = float(np.sqrt(np.mean(x**2))) if len(x) else 0.0
    return x / rms if rms > 0 else x
