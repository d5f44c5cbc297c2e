"""The receptionist's face in each of its states, and the greeting at each time of day.

The voice's levels are set by hand (``FaceModel.set_levels``), as a reading of a live
microphone and speaker would set them; the ``_live`` scenes read them from a
``speech.activity.VoiceMeter`` fed a frame of audio, as the kiosk's poll does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import numpy as np

from devtools.ui_sample import DAY, VISITORS, SampleDay
from speech.activity import VoiceMeter
from speech.audio import Audio
from ui.app import KioskUi
from ui.face import VoiceLevels

Scene = Callable[[SampleDay, KioskUi], None]


def _at(hhmm: str) -> Scene:
    def scene(day: SampleDay, ui: KioskUi) -> None:
        day.clock.set(datetime.fromisoformat(f"{DAY}T{hhmm}"))
        ui.flow.touch()  # the hours that passed were not idle ones (no dimming)
        ui.tick()

    return scene


def _approaching(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.wake()


def _listening(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.start("dob")
    ui.face_model.set_levels(VoiceLevels(listening=True, mic_level=0.62))


def _thinking(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.start("code")
    for ch in VISITORS["on_time"].code[:4]:
        ui.flow_model.press(ch)
    ui.face_model.set_levels(VoiceLevels(thinking=True))


def _speaking(level: float) -> Scene:
    def scene(_day: SampleDay, ui: KioskUi) -> None:
        ui.flow_model.wake()
        ui.face_model.set_levels(VoiceLevels(speaking=True, speech_level=level))

    return scene


def _voice_at(dbfs: float, seconds: float = 0.3, rate: int = 16000) -> Audio:
    """A vowel-like tone whose RMS is ``dbfs``."""
    t = np.arange(round(seconds * rate)) / rate
    wave = np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 720 * t)
    wave *= 32768.0 * 10 ** (dbfs / 20) / np.sqrt(np.mean(wave**2))
    return Audio(np.round(wave).astype(np.int16), rate)


def _listening_live(day: SampleDay, ui: KioskUi) -> None:
    """The greeting screen while the voice waits for "yes": a patient speaking at -28 dBFS."""
    ui.flow_model.wake()
    meter = VoiceMeter(day.clock)
    meter.listen_opened()
    meter.heard(_voice_at(-28.0).samples[:480])
    ui.face_model.set_levels(VoiceLevels.read(meter))


def _speaking_live(day: SampleDay, ui: KioskUi) -> None:
    """A clip 45 ms into playback: the mouth at the level of the audio playing then."""
    ui.flow_model.wake()
    meter = VoiceMeter(day.clock)
    meter.playing(Audio(np.concatenate([_voice_at(-40.0, 0.03).samples, _voice_at(-18.0).samples]), 16000))
    day.clock.advance(0.045)
    ui.face_model.set_levels(VoiceLevels.read(meter))
    meter.played()


def _speaking_on_attract(_day: SampleDay, ui: KioskUi) -> None:
    ui.face_model.set_levels(VoiceLevels(speaking=True, speech_level=0.8))


FACE_SCENES: dict[str, Scene] = {
    "face_idle": lambda _day, ui: ui.board_model.refresh(),
    "face_idle_afternoon": _at("14:30"),
    "face_idle_evening": _at("20:30"),
    "face_approaching": _approaching,
    "face_listening": _listening,
    "face_thinking": _thinking,
    "face_speaking_quiet": _speaking(0.15),
    "face_speaking_loud": _speaking(0.9),
    "face_speaking_attract": _speaking_on_attract,
    "face_listening_live": _listening_live,
    "face_speaking_live": _speaking_live,
}

__all__ = ["FACE_SCENES"]
