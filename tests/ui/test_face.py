"""The receptionist's face: its state follows the flow and the voice, its greeting the clock,
and its QML shows both (offscreen)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from devtools.ui_sample import DAY, SampleDay
from domain.flow import FlowView, Screen
from speech.activity import VoiceMeter
from speech.audio import Audio, Samples
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


def _tone(dbfs: float, seconds: float, rate: int = 16000) -> Samples:
    t = np.arange(round(seconds * rate)) / rate
    samples: Samples = np.round(
        32768.0 * 10 ** (dbfs / 20) * np.sqrt(2) * np.sin(2 * np.pi * 440 * t)
    ).astype(np.int16)
    return samples


def _until(qapp: QGuiApplication, predicate: Callable[[], bool], what: str) -> None:
    for _ in range(100):  # the face polls the voice every 40 ms
        qapp.processEvents()
        if predicate():
            return
        QTest.qWait(10)
    raise AssertionError(f"the face did not follow the voice: {what}")


def test_the_face_follows_a_real_voice_meter_on_its_own_poll(qapp: QGuiApplication, day: SampleDay) -> None:
    meter = VoiceMeter(day.clock)
    ui = KioskUi(day.flow(), day.board, lambda: day.age_s, UiOptions(tick_ms=0), clock=day.clock, voice=meter)
    try:
        ui.show()
        face = ui.face_model
        ui.flow_model.wake()
        meter.listen_opened()
        meter.heard(_tone(-23.0, 0.03))  # a voice at arm's length: 0.74
        _until(qapp, lambda: face.property("state") == "listening", "listening")
        _until(qapp, lambda: face.property("micLevel") == pytest.approx(0.74, abs=0.01), "the mic level")
        bars = [i for i in ui.items() if i.isVisible() and i.property("lit") is not None]
        assert len(bars) == 5, "one face on the screen, five bars"
        lit = [b for b in bars if b.property("lit") > 0.5]
        assert len(lit) == 4, "0.74 of five bars: 3.7, the fourth more than half lit"
        meter.heard(np.zeros(480, np.int16))
        _until(qapp, lambda: face.property("micLevel") == 0.0, "the room going quiet")
        meter.listen_closed()
        meter.decoding()
        _until(qapp, lambda: face.property("state") == "thinking", "thinking")
        loud_then_quiet = np.concatenate([_tone(-6.0, 0.3), np.zeros(4800, np.int16)])
        meter.playing(Audio(loud_then_quiet, 16000))
        _until(qapp, lambda: face.property("state") == "speaking", "speaking")
        _until(qapp, lambda: face.property("mouthOpen") == 1.0, "the mouth opening with loud audio")
        day.clock.advance(0.4)  # into the quiet part of the clip
        _until(qapp, lambda: face.property("mouthOpen") == 0.0, "the mouth closing with quiet audio")
        meter.played()
        _until(qapp, lambda: face.property("state") == "approaching", "quiet again")
    finally:
        ui.close()
        qapp.processEvents()
