"""The patient's volume: a sink that plays every clip louder or softer by whole steps.

The level belongs to the check-in session (``FlowView.volume``, changed by voice or by a
key through ``CheckInFlow.change_volume``, bounded there and forgotten at the idle
reset); the voice shell tells this sink the level on every view (``set_level``). The
speaker and its caches never see a gain: the same cached rendering plays at any level.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from speech.audio import Audio
from speech.tts import AudioSink

STEP_DB = 4.0
"""One "louder" or "softer": about what a listener hears as a clear step."""


def gain(level: int, step_db: float = STEP_DB) -> float:
    """The amplitude factor for ``level`` steps (0: the configured volume)."""
    return float(10 ** (level * step_db / 20))


def scaled(audio: Audio, factor: float) -> Audio:
    """``audio`` times ``factor``, clipped to int16 (a loud voice saturates, never wraps)."""
    if factor == 1.0:
        return audio
    louder = np.clip(audio.samples.astype(np.float64) * factor, -32768, 32767)
    return Audio(louder.astype(np.int16), audio.rate)


class VolumeSink:
    """Plays through ``inner`` at the session's level; anything else is ``inner``'s."""

    def __init__(self, inner: AudioSink, step_db: float = STEP_DB) -> None:
        self.inner = inner
        self.step_db = step_db
        self._level = 0
        self._lock = threading.Lock()

    @property
    def level(self) -> int:
        with self._lock:
            return self._level

    def set_level(self, level: int) -> None:
        with self._lock:
            self._level = level

    def play(self, audio: Audio) -> None:
        self.inner.play(scaled(audio, gain(self.level, self.step_db)))

    def __getattr__(self, name: str) -> Any:  # turn_ended, close, ...: the real sink's
        if name == "inner":  # not set yet (a copy being built): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)


__all__ = ["STEP_DB", "VolumeSink", "gain", "scaled"]
