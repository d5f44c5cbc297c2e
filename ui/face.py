"""The receptionist's face: which state it shows and what it says first. Qt-free.

The face follows the flow (who is at the screen) and the voice (is the kiosk listening,
thinking or speaking, and how loud). Voice is optional: a kiosk without it reads
``QUIET`` and its face follows the flow alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from domain.flow import FlowView, Screen


class FaceState(StrEnum):
    IDLE = "idle"  # nobody there: the attract board
    APPROACHING = "approaching"  # woken (touch, camera or sensor): eyes open, a smile
    LISTENING = "listening"  # waiting for the patient's answer (touch or voice)
    THINKING = "thinking"  # working it out: recognizing speech, printing the ticket
    SPEAKING = "speaking"  # the speaker is playing: the mouth moves with its level


@runtime_checkable
class VoiceActivity(Protocol):
    """What the face reads of the voice part (structural: speech need not import ui).

    Levels are 0..1 (RMS of the last audio frame, scaled); read from the Qt thread,
    so each must be a plain attribute or a lock-free property."""

    @property
    def listening(self) -> bool: ...
    @property
    def thinking(self) -> bool: ...
    @property
    def speaking(self) -> bool: ...
    @property
    def mic_level(self) -> float: ...
    @property
    def speech_level(self) -> float: ...


@dataclass(frozen=True)
class VoiceLevels:
    """One reading of the voice part (``QUIET`` without voice)."""

    listening: bool = False
    thinking: bool = False
    speaking: bool = False
    mic_level: float = 0.0
    speech_level: float = 0.0

    @classmethod
    def read(cls, voice: VoiceActivity | None) -> VoiceLevels:
        if voice is None:
            return QUIET
        return cls(
            listening=bool(voice.listening),
            thinking=bool(voice.thinking),
            speaking=bool(voice.speaking),
            mic_level=_unit(voice.mic_level),
            speech_level=_unit(voice.speech_level),
        )


QUIET = VoiceLevels()

_ANSWERING = frozenset({Screen.DOB, Screen.LETTERS, Screen.CODE, Screen.CONFIRM, Screen.OUTCOME})


def face_state(view: FlowView, voice: VoiceLevels) -> FaceState:
    """Speaking wins (the mouth must follow the audio), then the voice's own states, then
    what the screen asks of the patient."""
    if voice.speaking:
        return FaceState.SPEAKING
    if voice.thinking or view.ticket == "printing":
        return FaceState.THINKING
    if voice.listening or view.screen in _ANSWERING:
        return FaceState.LISTENING
    if view.screen == Screen.ATTRACT:
        return FaceState.IDLE
    return FaceState.APPROACHING


_EVENING_FROM = {"es": 20}  # "buenas tardes" lasts until dark; English evening starts at six


def greeting(hour: int, language: str = "en") -> str:
    """``morning`` from five until noon, ``afternoon`` until the evening (six, or eight in
    Spanish), ``evening`` after it and through the night."""
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < _EVENING_FROM.get(language, 18):
        return "afternoon"
    return "evening"


def _unit(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


__all__ = ["QUIET", "FaceState", "VoiceActivity", "VoiceLevels", "face_state", "greeting"]
