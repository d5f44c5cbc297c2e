"""Voice in the real UI: the dialog's words appear as captions, and a spoken "yes" moves
the same screens a tap would (the dialog's actions are posted to the Qt thread)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from config.settings import Settings, SpeechSettings
from core.clock import SystemClock
from core.errors import SpeechError
from devtools.ui_sample import SampleDay
from domain.flow import VOLUME_RANGE
from kiosk.voice import build_voice
from speech.tts import MemorySink, Pyttsx3Synthesizer
from speech.volume import VolumeSink
from sync.cache import KioskCache
from tests.speech.scripted import ScriptedSource
from tests.ui.conftest import Patient
from ui.app import KioskUi
from ui.face import VoiceActivity
from ui.run import QtPoster

T = TypeVar("T")


class CacheOnItsOwnConnection:
    """What voice uses of KioskSync (``call``): like the real one,
    ``call`` runs against a cache connection of the calling side, never the Qt thread's."""

    def __init__(self, day: SampleDay) -> None:
        self.path = day.cache.path

    def call(self, fn: Callable[[KioskCache], T], timeout: float = 10.0) -> T:
        cache = KioskCache.open(self.path)
        try:
            return fn(cache)
        finally:
            cache.close()


def _wait(app: QGuiApplication, predicate: Callable[[], object], what: str, seconds: float = 30.0) -> None:
    """Process Qt events until ``predicate()`` holds; raise naming ``what`` after ``seconds``."""
    for _ in range(int(seconds * 20)):
        app.processEvents()
        if predicate():
            return
        QTest.qWait(50)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def synth() -> Iterator[Pyttsx3Synthesizer]:
    s = Pyttsx3Synthesizer(timeout_s=10)
    yield s
    s.close()


def test_captions_show_what_is_said_and_a_spoken_yes_starts_the_check_in(
    patient: Patient, day: SampleDay, qapp: QGuiApplication, synth: Pyttsx3Synthesizer
) -> None:
    source = ScriptedSource()
    source.add(synth.synthesize("yes", "en-us", 160))
    # Not listening on the attract screen: the queued "yes" is the answer to the greeting a touch brings.
    speech = SpeechSettings(engine="pocketsphinx", listen_timeout_s=4, attract_listen=False)
    settings = replace(Settings(), speech=speech)
    flow = patient.ui.flow
    voice = build_voice(
        settings,
        flow,
        QtPoster().post,  # the dialog's actions and captions reach the flow on the Qt thread
        CacheOnItsOwnConnection(day),
        SystemClock(),
        source=source,
        sink=MemorySink(),
    )
    assert isinstance(voice, VoiceActivity)  # what ui.run hands the face
    voice.start()
    try:
        patient.tap("attractTouchArea")  # a patient touches the screen: the dialog greets
        _wait(qapp, lambda: "check in" in flow.view.caption.lower(), what="the greeting caption")
        assert patient.text("captionText") == flow.view.caption  # on screen, as spoken
        _wait(qapp, lambda: flow.view.screen == "dob", what="the dob screen")
        _wait(qapp, lambda: "birth" in patient.text("captionText").lower(), what="the dob prompt on screen")
    finally:
        voice.stop()
    flow.reset()
    assert flow.view.caption == ""  # the idle reset wipes captions with every other field
    assert patient.screen == "attract" and patient.ui.find("captionBar") is None  # none on screen either


@pytest.mark.parametrize(("setting", "what"), [("input_device", "microphone"), ("output_device", "speaker")])
def test_voice_without_a_sound_device_is_off_at_start_naming_what_is_missing(
    patient: Patient, day: SampleDay, setting: str, what: str
) -> None:
    """A unit with no microphone or no speaker says so once (the assembly turns it into
    "voice check-in is off: ...") rather than failing at every utterance."""
    missing = "no-such-device-4711"
    speech = SpeechSettings(
        engine="pocketsphinx",
        input_device=missing if setting == "input_device" else "",
        output_device=missing if setting == "output_device" else "",
    )
    with pytest.raises(SpeechError, match=rf"no {what} named 'no-such-device-4711'"):
        build_voice(
            replace(Settings(), speech=speech),
            patient.ui.flow,
            QtPoster().post,
            CacheOnItsOwnConnection(day),
            SystemClock(),
            source=None if setting == "input_device" else ScriptedSource(),
            sink=None if setting == "output_device" else MemorySink(),
        )


def test_the_idle_warning_is_spoken_and_a_spoken_yes_resets_the_countdown(
    patient: Patient, day: SampleDay, kiosk: KioskUi, qapp: QGuiApplication, synth: Pyttsx3Synthesizer
) -> None:
    """WCAG 2.2.1 by voice: the overlay's "Are you still there?" is said aloud (and captioned),
    and "yes" said back keeps the patient's place exactly as a touch on the overlay does."""
    source = ScriptedSource()
    settings = replace(Settings(), speech=SpeechSettings(engine="pocketsphinx", listen_timeout_s=4))
    flow = patient.ui.flow
    voice = build_voice(
        settings,
        flow,
        QtPoster().post,
        CacheOnItsOwnConnection(day),
        SystemClock(),
        source=source,
        sink=MemorySink(),
    )
    voice.start()
    try:
        patient.tap("startButton")
        patient.tap("codeButton")  # a screen that asks nothing by voice: the dialog listens only
        _wait(qapp, lambda: "code" in flow.view.caption, what="the code prompt")
        day.clock.advance(flow.settings.idle_timeout_s + 1)
        kiosk.tick()
        assert patient.item("countdownOverlay").isVisible() and flow.view.countdown > 0
        _wait(qapp, lambda: flow.view.caption.startswith("Are you still there?"), what="the spoken warning")
        assert (
            patient.text("captionText") == "Are you still there? Say yes, or touch the screen, to keep going."
        )
        assert any("Are you still there?" in line for line in voice.dialog.log)
        source.add(synth.synthesize("yes", "en-us", 160))
        _wait(qapp, lambda: flow.view.countdown == 0, what="the countdown reset by voice")
        # The dialog then says the screen's own prompt again, on its thread: the caption
        # follows when that reaches the Qt thread (read at once, it still showed the warning).
        _wait(qapp, lambda: "code" in flow.view.caption, what="the code prompt said again")
        patient.settle()
        assert patient.screen == "code" and not patient.sees("Are you still there?")
        assert "action: still_here" in voice.dialog.log
    finally:
        voice.stop()


def test_volume_keys_turn_the_voice_up_and_down_for_this_patient_only(
    patient: Patient, day: SampleDay, kiosk: KioskUi, qapp: QGuiApplication
) -> None:
    """Volume by key (a keyboard's or keypad's volume keys, or + and -): the level the voice
    plays at follows the flow's, bounded, and the idle reset forgets it."""
    settings = replace(Settings(), speech=SpeechSettings(engine="pocketsphinx", listen_timeout_s=4))
    flow = patient.ui.flow
    sink = MemorySink()
    voice = build_voice(
        settings,
        flow,
        QtPoster().post,
        CacheOnItsOwnConnection(day),
        SystemClock(),
        source=ScriptedSource(),
        sink=sink,
    )
    try:
        played_by = voice._speaker._sink  # the VolumeSink build_voice put in front of the device
        assert isinstance(played_by, VolumeSink) and played_by.inner is sink
        patient.tap("startButton")
        QTest.keyClick(kiosk.window, Qt.Key.Key_VolumeUp)
        QTest.keyClick(kiosk.window, Qt.Key.Key_Plus)
        qapp.processEvents()
        assert flow.view.volume == 2 and played_by.level == 2
        for _ in range(9):
            QTest.keyClick(kiosk.window, Qt.Key.Key_VolumeDown)
        qapp.processEvents()
        assert flow.view.volume == VOLUME_RANGE[0] and played_by.level == VOLUME_RANGE[0]
        QTest.keyClick(kiosk.window, Qt.Key.Key_Minus)
        assert patient.screen == "welcome"  # a key changes nothing else
        flow.reset()
        assert played_by.level == 0
    finally:
        voice.stop()
