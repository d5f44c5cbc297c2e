"""What the voice is doing, as the face reads it: listening (with the microphone's live
level), thinking (an utterance is being decoded and answered), speaking (with the level of
the audio being played, in step with it). Qt-free.

``VoiceMeter`` is told by three small adapters on the voice's own threads — the
microphone (``MeteredSource``: every frame a listen reads), the recognizer
(``MeteredRecognizer``: the end of an utterance) and the speaker (``Speaker``'s
``meter``: each clip it plays) — and read from the UI thread without a lock: every
property reads one attribute, which the writers replace whole.

Levels are RMS in dBFS mapped linearly from ``FLOOR_DBFS`` (0, a quiet room) to
``CEILING_DBFS`` (1, a voice close to the microphone). The speaker's level is the clip's
envelope (one level per ``ENVELOPE_MS`` window, computed before the clip plays) indexed by
the time since playback began on the injected clock, so the mouth follows the audio, not
a timer of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.clock import Clock
from speech.audio import Audio, Samples, rms_dbfs

if TYPE_CHECKING:
    from speech.grammar import StepGrammar
    from speech.listener import AudioSource
    from speech.recognizer import Hypothesis, Recognizer

FLOOR_DBFS = -60.0
CEILING_DBFS = -10.0
ENVELOPE_MS = 30
THINKING_MAX_S = 4.0
"""Thinking ends when the kiosk speaks or listens again; a dialog that hands over to
touch does neither, so the face stops thinking after this long."""


def level(dbfs: float, floor_dbfs: float = FLOOR_DBFS, ceiling_dbfs: float = CEILING_DBFS) -> float:
    """A loudness in dBFS as 0..1: 0 at or below ``floor_dbfs``, 1 at or above ``ceiling_dbfs``."""
    if ceiling_dbfs <= floor_dbfs:
        raise ValueError(f"level ceiling {ceiling_dbfs} dBFS must be above its floor {floor_dbfs} dBFS")
    return min(1.0, max(0.0, (dbfs - floor_dbfs) / (ceiling_dbfs - floor_dbfs)))


def frame_level(samples: Samples) -> float:
    """One frame's RMS level, 0..1."""
    return level(rms_dbfs(samples))


def envelope(audio: Audio, window_ms: int = ENVELOPE_MS) -> tuple[float, ...]:
    """The clip's level (0..1) per ``window_ms`` window, the last window possibly shorter."""
    step = max(1, audio.rate * window_ms // 1000)
    n = len(audio.samples)
    if n == 0:
        return ()
    squares = audio.samples.astype(np.float64) ** 2
    starts = np.arange(0, n, step)
    sums = np.add.reduceat(squares, starts)
    counts = np.minimum(step, n - starts)
    rms = np.sqrt(sums / counts)
    dbfs = 20.0 * np.log10(np.maximum(rms, 1e-9) / 32768.0)
    return tuple(level(float(d)) for d in dbfs)


@dataclass(frozen=True)
class Playback:
    """A clip being played: its envelope and when (monotonic seconds) playback began."""

    levels: tuple[float, ...]
    started: float
    window_s: float = ENVELOPE_MS / 1000

    def level_at(self, now: float) -> float:
        """The envelope at ``now``: 0 before the clip began and after it ended."""
        elapsed = now - self.started
        if elapsed < 0:
            return 0.0
        index = int(elapsed / self.window_s)
        return self.levels[index] if index < len(self.levels) else 0.0


class VoiceMeter:
    """The voice's activity (``ui.face.VoiceActivity``), told by the voice's threads."""

    def __init__(self, clock: Clock, thinking_max_s: float = THINKING_MAX_S) -> None:
        self._clock = clock
        self._thinking_max_s = thinking_max_s
        self._listens = 0
        self._mic_level = 0.0
        self._thinking_until: float | None = None
        self._playback: Playback | None = None

    # --- told (the voice's threads) ------------------------------------------------------

    def listen_opened(self) -> None:
        self._thinking_until = None
        self._mic_level = 0.0
        self._listens += 1

    def heard(self, samples: Samples) -> None:
        """One microphone frame a listen read."""
        self._mic_level = frame_level(samples)

    def listen_closed(self) -> None:
        self._listens = max(0, self._listens - 1)
        self._mic_level = 0.0

    def decoding(self) -> None:
        """An utterance ended: the recognizer decodes it and the dialog answers."""
        self._thinking_until = self._clock.monotonic() + self._thinking_max_s

    def playing(self, audio: Audio) -> None:
        """``audio`` starts playing now (its envelope is computed first)."""
        levels = envelope(audio)
        self._thinking_until = None
        self._playback = Playback(levels, self._clock.monotonic())

    def played(self) -> None:
        self._playback = None

    # --- read (the UI thread) ------------------------------------------------------------

    @property
    def listening(self) -> bool:
        return self._listens > 0

    @property
    def thinking(self) -> bool:
        until = self._thinking_until
        return until is not None and self._clock.monotonic() < until

    @property
    def speaking(self) -> bool:
        return self._playback is not None

    @property
    def mic_level(self) -> float:
        return self._mic_level if self._listens > 0 else 0.0

    @property
    def speech_level(self) -> float:
        playback = self._playback
        return 0.0 if playback is None else playback.level_at(self._clock.monotonic())


class MeteredSource:
    """An ``AudioSource`` whose listens and frames ``meter`` sees."""

    def __init__(self, source: AudioSource, meter: VoiceMeter) -> None:
        self.source = source
        self.rate = source.rate
        self._meter = meter

    def frames(self) -> Iterator[Samples]:
        self._meter.listen_opened()
        try:
            for frame in self.source.frames():
                self._meter.heard(frame)
                yield frame
        finally:
            self._meter.listen_closed()

    def close(self) -> None:
        self.source.close()


class MeteredRecognizer:
    """A ``Recognizer`` that tells ``meter`` when an utterance it heard is decoded."""

    def __init__(self, recognizer: Recognizer, meter: VoiceMeter) -> None:
        self.recognizer = recognizer
        self.engine = recognizer.engine
        self.sample_rate = recognizer.sample_rate
        self.languages = recognizer.languages
        self._meter = meter

    def set_grammar(self, grammar: StepGrammar) -> None:
        self.recognizer.set_grammar(grammar)

    def start(self) -> None:
        self.recognizer.start()

    def accept(self, pcm: bytes) -> None:
        self.recognizer.accept(pcm)

    def finish(self) -> Hypothesis:
        self._meter.decoding()
        return self.recognizer.finish()

    def __getattr__(self, name: str) -> Any:
        """What else the wrapped recognizer offers (its ``open_pass``, when it has one: the
        listener asks for it by name), so metering never changes what the kiosk acts on."""
        return getattr(self.recognizer, name)

    def close(self) -> None:
        self.recognizer.close()


__all__ = [
    "CEILING_DBFS",
    "ENVELOPE_MS",
    "FLOOR_DBFS",
    "MeteredRecognizer",
    "MeteredSource",
    "Playback",
    "VoiceMeter",
    "envelope",
    "frame_level",
    "level",
]
