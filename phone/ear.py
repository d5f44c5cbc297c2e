"""What a call hears: the caller's audio (8 kHz, 20 ms frames) cut into utterances by a
VAD, after the line's own prompt echo is taken out. Pure numpy: no sockets, no clock.

A PBX, a phone's hybrid or a speakerphone sends part of what the line says back to it,
delayed by tens to hundreds of milliseconds. Heard raw, that echo would look like a caller
talking and stop every prompt it plays (barge-in). ``EchoGuard`` keeps the last second
the line sent; while the line is speaking (and for ``max_delay_s`` after), it finds the
echo's delay by cross-correlation (every ``relock_frames`` frames), fits a short filter
(``taps`` samples around that delay, least squares over the last ``window`` samples) and
hears only what the filter cannot explain: the caller's own voice. An echo the guard
cannot lock onto (too weak to matter, or not linear) is heard as it is.

``CallEar`` runs ``speech.audio.EnergyVad`` over the guarded frames: ``"start"`` (a
barge-in point) once speech began, and the utterance (with the audio just before it)
once it ended. Nothing is kept past the utterance being handed on.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from speech.audio import EnergyVad

RATE = 8000
FRAME = 160  # 20 ms
Floats = npt.NDArray[np.float64]


def level_dbfs(samples: Floats) -> float:
    """A frame's RMS level in dB below full scale (-120 for digital silence)."""
    rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
    return max(-120.0, 20.0 * float(np.log10(max(rms, 1e-9) / 32768.0)))


def phone_vad() -> EnergyVad:
    """The line's endpointing: 20 ms frames; a caller's speech reaches us at -30 to -15
    dBFS, so anything under -40 dBFS (line noise, what is left of an echo) is no speech;
    five loud frames (100 ms) start an utterance and 500 ms of quiet end it."""
    return EnergyVad(
        frame_ms=20, threshold_db=12.0, min_level_dbfs=-40.0, start_frames=5, hangover_ms=500,
        max_utterance_s=8.0,
    )  # fmt: skip


@dataclass
class EchoGuard:
    """The line's own audio taken out of what it hears (see the module doc)."""

    max_delay_s: float = 0.5
    taps: int = 16
    window: int = 480
    relock_frames: int = 5
    min_correlation: float = 0.3
    """The normalized correlation at the echo's delay below which there is no echo to take out."""
    recheck_dbfs: float = -45.0
    """A frame still this loud once the echo is taken out has the delay looked for again."""

    def __post_init__(self) -> None:
        self._max_delay = int(self.max_delay_s * RATE)
        self._sent: Floats = np.zeros(self._max_delay + self.window + self.taps)
        self._rx: Floats = np.zeros(self.window)
        self._quiet_samples = len(self._sent)  # since the line last sent speech
        self._lag: int | None = None
        self._weights: Floats | None = None
        self._frames = 0
        self.locks = 0  # times an echo's delay was found (for tests and the bench)

    def sent(self, samples: npt.NDArray[np.int16], speech: bool) -> None:
        """One frame the line sent (silence too: the history is a timeline)."""
        if not self.wants(speech):
            self._quiet_samples += len(samples)
            return
        self._sent = np.concatenate([self._sent[len(samples) :], samples.astype(np.float64)])
        self._quiet_samples = 0 if speech else self._quiet_samples + len(samples)

    def wants(self, speech: bool) -> bool:
        """Whether a frame the line sent is needed: not once a silence has filled the history
        (the history is then all silence, and stays so until speech comes)."""
        return speech or self._quiet_samples < len(self._sent)

    @property
    def echo_possible(self) -> bool:
        """The line spoke recently enough for its echo to be arriving."""
        return self._quiet_samples < self._max_delay + self.window

    def clean(self, frame: npt.NDArray[np.int16]) -> Floats:
        """``frame`` (what arrived) less the line's echo in it."""
        x = frame.astype(np.float64)
        self._rx = np.concatenate([self._rx[len(x) :], x])
        if not self.echo_possible:
            self._lag = None
            return x
        due = self._lag is None or self._frames % self.relock_frames == 0
        residual = self._cancel(x)
        if due or level_dbfs(residual) > self.recheck_dbfs:
            # Due, or loud after cancelling: the caller, or the echo's delay moved (two
            # pacers a frame apart). Look again before calling it speech.
            self._lag = self._find_lag()
            self._weights = self._fit(self._lag) if self._lag is not None else None
            residual = self._cancel(x)
        self._frames += 1
        return residual

    def _cancel(self, x: Floats) -> Floats:
        if self._lag is None or self._weights is None:
            return x
        residual: Floats = x - self._columns(self._lag, len(x)) @ self._weights
        return residual

    def _find_lag(self) -> int | None:
        """The echo's delay in samples (None: no echo strong enough to matter)."""
        rx = self._rx
        rx_energy = float(rx @ rx)
        if rx_energy <= 0.0:
            return None
        span = self._max_delay + self.window
        sent = self._sent[-span:]
        size = 1 << int(np.ceil(np.log2(span + self.window)))
        corr = np.fft.irfft(np.fft.rfft(sent, size) * np.conj(np.fft.rfft(rx, size)), size)[
            : span - self.window + 1
        ]
        squares = np.concatenate([[0.0], np.cumsum(sent * sent)])
        energies = squares[self.window :] - squares[: -self.window]
        norm = np.abs(corr) / np.sqrt(np.maximum(energies[: len(corr)], 1e-9) * rx_energy)
        best = int(np.argmax(norm))
        if norm[best] < self.min_correlation:
            return None
        self.locks += 1
        return span - self.window - best  # how far the echo trails what was sent

    def _columns(self, lag: int, n: int) -> Floats:
        """What was sent ``taps`` delays around ``lag`` before each of the last ``n`` samples heard."""
        end = len(self._sent)
        start = lag - self.taps // 2
        delays = range(max(0, start), start + self.taps)
        columns: Floats = np.stack([self._sent[end - d - n : end - d] for d in delays], axis=1)
        return columns

    def _fit(self, lag: int) -> Floats:
        """The echo path's filter around ``lag``, least squares over the last ``window`` samples
        (refitted with the delay, every ``relock_frames`` frames)."""
        matrix = self._columns(lag, self.window)
        ridge = 1e-3 * (float(np.mean(matrix * matrix)) + 1.0) * self.window
        gram = matrix.T @ matrix + ridge * np.eye(matrix.shape[1])
        weights: Floats = np.asarray(np.linalg.solve(gram, matrix.T @ self._rx), dtype=np.float64)
        return weights


@dataclass
class CallEar:
    """A call's endpointing: ``hear`` each frame the caller sent, ``sent`` each the line sent."""

    vad: EnergyVad = field(default_factory=phone_vad)
    guard: EchoGuard = field(default_factory=EchoGuard)
    preroll_frames: int = 15  # 300 ms before the start: the first syllable's onset
    _preroll: deque[Floats] = field(default_factory=deque)
    _speech: list[Floats] = field(default_factory=list)

    def sent(self, samples: npt.NDArray[np.int16], speech: bool) -> None:
        self.guard.sent(samples, speech)

    def hear(self, frame: npt.NDArray[np.int16]) -> tuple[str | None, npt.NDArray[np.int16] | None]:
        """(``"start"``, None) when speech began (barge-in); (``"end"``, the utterance at 8 kHz)
        when it ended (or ran past ``max_utterance_s``); (None, None) otherwise."""
        clean = self.guard.clean(frame)
        event = self.vad.feed(level_dbfs(clean))
        if not self.vad.in_speech and event is None:
            self._preroll.append(clean)
            while len(self._preroll) > self.preroll_frames:
                self._preroll.popleft()
            return None, None
        if event == "start":
            self._speech = [*self._preroll, clean]
            self._preroll.clear()
            return "start", None
        self._speech.append(clean)
        if event in ("end", "timeout"):
            samples = np.concatenate(self._speech)
            self._speech = []
            return "end", np.clip(np.round(samples), -32768, 32767).astype(np.int16)
        return None, None

    def reset(self) -> None:
        """Forget a half-heard utterance (the call moved on by a key)."""
        self.vad.reset()
        self._speech = []
        self._preroll.clear()


__all__ = ["FRAME", "RATE", "CallEar", "EchoGuard", "phone_vad"]
