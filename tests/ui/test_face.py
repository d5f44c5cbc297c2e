"""The receptionist's face: its state follows the flow and the voice, its greeting the clock,
and its QML shows both (offscreen)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from PySide6.QtGui import QGuiApplication

from devtools.ui_sample import DAY, SampleDay
from domain.flow import FlowView, Screen
from tests.ui.conftest import Patient
from ui.app import KioskUi, UiOptions
from ui.face import QUIET, FaceState, VoiceLevels, face_state, greeting


@pytest.mark.parametrize(
    ("screen", "voice", "expected"),
    [
        (Screen.ATTRACT, QUIET, FaceState.IDLE),
        (Screen.WELCOME, QUIET, FaceState.APPROACHING),
        (Screen.DOB, QUIET, FaceState.LISTENING),
        (Screen.WELCOME, VoiceLevels(listening=True, mic_level=0.4), FaceState.LISTENING),
        (Screen.DOB, VoiceLevels(listening=True, thinking=True), FaceState.THINKING),
        (Screen.DOB, VoiceLevels(listening=True, speaking=True), FaceState.SPEAKING),
        (Screen.ATTRACT, VoiceLevels(speaking=True), FaceState.SPEAKING),
        (Screen.DONE, QUIET, FaceState.APPROACHING),
    ],
)
def test_the_face_follows_the_flow_and_the_voice(
    screen: Screen, voice: VoiceLevels, expected: FaceState
) -> None:
    assert face_state(FlowView(screen=screen), voice) == expected


def test_printing_a_ticket_is_thinking() -> None:
    assert (
        face_state(replace(FlowView(screen=Screen.OUTCOME), ticket="printing"), QUIET) == FaceState.THINKING
    )


@pytest.mark.parametrize(
    ("hour", "words"),
    [
        (5, "morning"),
        (11, "morning"),
        (12, "afternoon"),
        (17, "afternoon"),
        (18, "evening"),
        (23, "evening"),
        (2, "evening"),
    ],
)
def test_greeting_by_time_of_day(hour: int, words: str) -> None:
    assert greeting(hour) == words


def test_spanish_afternoon_lasts_until_eight() -> None:
    assert greeting(19, "es") == "afternoon" and greeting(19, "en") == "evening"
    assert greeting(20, "es") == "evening"


class _Voice:
    listening = True
    thinking = False
    speaking = False
    mic_level = 1.7  # out of range: read as 1
    speech_level = 0.0


def test_levels_are_read_from_the_voice_and_clamped() -> None:
    assert VoiceLevels.read(_Voice()) == VoiceLevels(listening=True, mic_level=1.0)
    assert VoiceLevels.read(None) is QUIET


def test_the_screen_shows_the_state_the_greeting_and_the_time(
    patient: Patient, kiosk: KioskUi, day: SampleDay
) -> None:
    kiosk.face_model.tick()
    assert patient.item("face").property("faceState") == "idle"
    assert patient.text("greeting") == "Good morning" and patient.text("clockText") == "09:05"
    patient.tap("startButton")
    assert patient.item("barFace").property("faceState") == "approaching"
    kiosk.face_model.set_levels(VoiceLevels(speaking=True, speech_level=0.7))
    assert patient.item("barFace").property("faceState") == "speaking"
    assert kiosk.face_model.property("mouthOpen") == pytest.approx(0.7)
    kiosk.face_model.set_levels(VoiceLevels(listening=True, mic_level=0.5))
    assert patient.item("micMeter").isVisible() and kiosk.face_model.property("mouthOpen") == 0.0
    patient.tap("callStaffButton")
    day.clock.set(datetime.fromisoformat(f"{DAY}T20:10"))
    kiosk.flow.reset()
    kiosk.face_model.tick()
    assert patient.text("greeting") == "Good evening" and patient.text("clockText") == "20:10"
    kiosk.flow.set_language("es")
    assert patient.text("greeting") == "Buenas noches"


def _pupil_shift_after_thinking(qapp: QGuiApplication, day: SampleDay, reduce_motion: bool) -> float:
    """How far the pupil has moved right at the first frame after the face starts thinking."""
    ui = KioskUi(
        day.flow(),
        day.board,
        lambda: day.age_s,
        UiOptions(tick_ms=0, reduce_motion=reduce_motion),
        clock=day.clock,
    )
    try:
        ui.show()
        ui.window.grabWindow()
        pupil = next(i for i in ui.items() if i.objectName() == "pupil" and i.isVisible())
        before = pupil.x()
        ui.face_model.set_levels(VoiceLevels(thinking=True))
        qapp.processEvents()
        ui.window.grabWindow()
        return pupil.x() - before
    finally:
        ui.close()
        qapp.processEvents()


def test_reduce_motion_changes_state_without_animation(qapp: QGuiApplication, day: SampleDay) -> None:
    # The thinking look is 0.22 of the eye's width to the right: at once with reduce motion,
    # only a first step of the 260 ms animation without it.
    assert _pupil_shift_after_thinking(qapp, day, reduce_motion=True) > 2 * _pupil_shift_after_thinking(
        qapp, day, reduce_motion=False
    )
