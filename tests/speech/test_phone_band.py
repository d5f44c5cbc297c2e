"""Phone-band output (``speech.phone_band``): 8 kHz, 300-3400 Hz, never clipped; G.711 mu-law."""

from __future__ import annotations

import numpy as np
import pytest

from speech.audio import Audio
from speech.phone_band import PEAK_DBFS, PHONE_RATE, mulaw_decode, mulaw_encode, phone_band


def _tone(hz: float, rate: int, seconds: float = 1.0, amplitude: float = 8000.0) -> Audio:
    t = np.arange(round(rate * seconds)) / rate
    return Audio(np.round(amplitude * np.sin(2 * np.pi * hz * t)).astype(np.int16), rate)


def _gain_db(hz: float, rate: int) -> float:
    out = phone_band(_tone(hz, rate))
    middle = out.samples[PHONE_RATE // 4 : -PHONE_RATE // 4].astype(np.float64)
    return 20 * float(np.log10(max(np.sqrt(np.mean(middle**2)), 1e-9) / (8000 / np.sqrt(2))))


@pytest.mark.parametrize("rate", [16000, 22050, 44100])
def test_the_band_passes_and_the_rest_is_removed(rate: int) -> None:
    assert abs(_gain_db(1000, rate)) < 0.5
    assert abs(_gain_db(500, rate)) < 0.5 and abs(_gain_db(3000, rate)) < 0.5
    assert _gain_db(100, rate) < -40  # mains hum, rumble
    assert _gain_db(150, rate) < -40
    if rate > 2 * 3900:
        assert _gain_db(3900, rate) < -30  # above the band, under 8 kHz's Nyquist


@pytest.mark.parametrize("rate", [8000, 16000, 22050])
def test_output_is_8_khz_and_as_long_as_the_input(rate: int) -> None:
    out = phone_band(_tone(1000, rate, seconds=1.5))
    assert out.rate == PHONE_RATE
    assert abs(out.seconds - 1.5) < 0.01


def test_a_full_scale_clip_comes_out_under_the_peak_and_unclipped() -> None:
    rng = np.random.default_rng(3)
    square = np.where(np.sin(2 * np.pi * 440 * np.arange(22050) / 22050) >= 0, 32767, -32768)
    loud = np.clip(square + rng.normal(0, 3000, 22050), -32768, 32767).astype(np.int16)
    out = phone_band(Audio(loud, 22050))
    limit = 32767 * 10 ** (PEAK_DBFS / 20)
    assert np.max(np.abs(out.samples.astype(np.int32))) <= limit + 1
    assert np.max(np.abs(out.samples.astype(np.int32))) > 0.9 * limit  # scaled whole, not crushed
    assert not np.any(np.abs(out.samples.astype(np.int32)) >= 32767)


@pytest.mark.parametrize("amplitude", [300.0, 8000.0, 25000.0])
def test_a_clip_under_the_peak_keeps_its_level(amplitude: float) -> None:
    out = phone_band(_tone(1000, 16000, amplitude=amplitude))
    middle = out.samples[2000:-2000].astype(np.float64)
    assert np.sqrt(np.mean(middle**2)) == pytest.approx(amplitude / np.sqrt(2), rel=0.02)


def test_empty_audio_is_empty_at_8_khz() -> None:
    out = phone_band(Audio(np.zeros(0, dtype=np.int16), 22050))
    assert out.rate == PHONE_RATE and len(out.samples) == 0


def test_mulaw_known_codes_and_round_trip() -> None:
    assert mulaw_encode(np.array([0, 32767, -32768], dtype=np.int16)) == bytes([0xFF, 0x80, 0x00])
    ramp = np.linspace(-30000, 30000, 4001).astype(np.int16)
    back = mulaw_decode(mulaw_encode(ramp)).astype(np.float64)
    error = np.abs(back - ramp) / np.maximum(np.abs(ramp.astype(np.float64)), 64)
    assert float(np.max(error)) < 0.07  # mu-law keeps ~6 % relative error at any level
    assert mulaw_encode(mulaw_decode(bytes(range(256)))) == bytes(range(256)).replace(b"\x7f", b"\xff")
