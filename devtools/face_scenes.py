"""The receptionist's face in each of its states, and the greeting at each time of day.

The voice's levels are set by hand (``FaceModel.set_levels``), as a reading of a live
microphone and speaker would set them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from devtools.ui_sample import DAY, VISITORS, SampleDay
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
}

__all__ = ["FACE_SCENES"]
