"""Audio as values: 16-bit mono PCM with its rate, WAV in and out, resampling, energy VAD.

Everything here is pure numpy over arrays (no sound device), so the same code serves
the microphone, WAV replay and the tests.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.errors import SpeechError

MIN_RATE = 8000
MAX_RATE = 192000
Samples = npt.NDArray[np.int16]


@dataclass(frozen=True)
class Audio:
    """Mono 16-bit PCM samples at ``rate`` Hz."""

    samples: Samples
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def pcm(self) -> bytes:
        return self.samples.astype("<i2").tobytes()

    def resampled(self, rate: int) -> Audio:
        return self if rate == self.rate else Audio(resample(self.samples, self.rate, rate), rate)

    def chunks(self, frame_ms: int = 30) -> Iterator[Samples]:
        step = max(1, self.rate * frame_ms // 1000)
        for start in range(0, len(self.samples), step):
            yield self.samples[start : start + step]


def read_wav(path: str | Path) -> Audio:
    """Read a PCM WAV (8/16/32-bit, any channels: mixed down to mono)."""
    try:
        with wave.open(str(path), "rb") as wf:
            rate, width, channels = wf.getframerate(), wf.getsampwidth(), wf.getnchannels()
            raw = wf.readframes(wf.getnframes())
    except FileNotFoundError:
        raise SpeechError(f"{path}: no such WAV file") from None
    except (wave.Error, EOFError, OSError) as exc:
        raise SpeechError(f"{path}: not a PCM WAV file ({exc})") from None
    return Audio(decode_pcm(raw, width, channels, rate, str(path)), rate)


def decode_pcm(raw: bytes, width: int, channels: int, rate: int, what: str = "audio") -> Samples:
    """Interleaved PCM bytes -> mono int16 samples; a clear ``SpeechError`` if unusable."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise SpeechError(f"{what}: sample rate {rate} Hz is outside {MIN_RATE}..{MAX_RATE} Hz")
    if width == 2:
        data = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2").astype(np.float64)
    elif width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128.0) * 256.0
    elif width == 4:
        data = np.frombuffer(raw[: len(raw) - len(raw) % (4 * channels)], dtype="<i4") / 65536.0
    else:
        raise SpeechError(f"{what}: {8 * width}-bit samples are not supported (use 16-bit PCM)")
    if channels > 1:
        data = data[: len(data) - len(data) % channels].reshape(-1, channels).mean(axis=1)
    return np.clip(data, -32768, 32767).astype(np.int16)


def write_wav(path: str | Path, audio: Audio) -> None:
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(audio.rate)
        wf.writeframes(audio.pcm())


def resample(samples: Samples, src: int, dst: int) -> Samples:
    """Band-limited resampling: a windowed-sinc low-pass when going down, then interpolation."""
    if src == dst or len(samples) == 0:
        return samples
    data = samples.astype(np.float64)
    if dst < src:
        cutoff = 0.45 * dst / src
        taps = np.arange(-32, 33)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(len(taps))
        data = np.convolve(data, kernel / kernel.sum(), mode="same")
    n_out = round(len(data) * dst / src)
    positions = np.arange(n_out) * (src / dst)
    out: npt.NDArray[np.float64] = np.interp(positions, np.arange(len(data)), data)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)


def rms_dbfs(samples: Samples) -> float:
    """Loudness of a frame in dB below full scale (-120 for digital silence)."""
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return max(-120.0, 20.0 * float(np.log10(max(rms, 1e-9) / 32768.0)))


def clipped_fraction(samples: Samples) -> float:
    """Share of samples at (or within one step of) full scale."""
    if len(samples) == 0:
        return 0.0
    return float(np.mean(np.abs(samples.astype(np.int32)) >= 32766))


@dataclass
class EnergyVad:
    """Speech start/end from frame energy relative to an adaptive noise floor.

    Speech starts after ``start_frames`` loud frames and ends after ``hangover_ms`` of
    quiet; ``max_utterance_s`` caps a stuck-open detector (a fan, a TV) so a listen
    never runs forever. Feed frames, read the events.
    """

    frame_ms: int = 30
    threshold_db: float = 12.0
    min_level_dbfs: float = -50.0
    start_frames: int = 3
    hangover_ms: int = 600
    max_utterance_s: float = 10.0
    noise_floor_dbfs: float = -60.0

    def __post_init__(self) -> None:
        self.in_speech = False
        self._loud = 0
        self._quiet_ms = 0
        self._speech_ms = 0

    def feed(self, level_dbfs: float) -> str | None:
        """One frame's level -> "start", "end", "timeout" or ``None``."""
        loud = level_dbfs > max(self.noise_floor_dbfs + self.threshold_db, self.min_level_dbfs)
        if not self.in_speech:
            if not loud:  # track the room's noise floor only while nobody speaks
                self.noise_floor_dbfs += 0.05 * (level_dbfs - self.noise_floor_dbfs)
            self._loud = self._loud + 1 if loud else 0
            if self._loud >= self.start_frames:
                self.in_speech, self._quiet_ms, self._speech_ms = True, 0, self._loud * self.frame_ms
                return "start"
            return None
        self._speech_ms += self.frame_ms
        self._quiet_ms = 0 if loud else self._quiet_ms + self.frame_ms
        if self._quiet_ms >= self.hangover_ms:
            self.reset()
            return "end"
        if self._speech_ms >= self.max_utterance_s * 1000:
            self.reset()
            return "timeout"
        return None

    def reset(self) -> None:
        self.in_speech = False
        self._loud = 0
        self._quiet_ms = 0
        self._speech_ms = 0
