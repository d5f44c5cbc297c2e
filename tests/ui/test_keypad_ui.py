"""The I/O board's tactile keypad in the real UI: key frames from the board simulator over a
real pty, through the real board driver and ``kiosk.devices.route_device_event`` (as the
assembly routes them) into the offscreen Qt screens and the voice dialog. No touch at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from config.settings import Settings, SpeechSettings
from core.clock import SystemClock
from devtools.ui_sample import SampleDay
from domain.voice_words import help_text
from hardware import ioproto as p
from hardware.events import DeviceEvent
from hardware.ioboard import IoBoard, LinkTiming
from hardware.ioboard_sim import BoardSimulator
from kiosk.devices import route_device_event
from kiosk.voice import Voice, build_voice
from speech.tts import MemorySink
from tests.speech.scripted import ScriptedSource
from tests.ui.conftest import Patient
from tests.ui.test_voice_ui import CacheOnItsOwnConnection
from ui.app import KioskUi
from ui.run import QtPoster


def _wait(app: QGuiApplication, predicate: Callable[[], object], what: str, seconds: float = 90.0) -> None:
    for _ in range(int(seconds * 20)):
        app.processEvents()
        if predicate():
            return
        QTest.qWait(50)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def voice(patient: Patient, day: SampleDay) -> Iterator[Voice]:
    """The real dialog and speaker (not started: no turn of its own speaks or listens, so
    every line in its log here came from a key)."""
    settings = replace(Settings(), speech=SpeechSettings(engine="pocketsphinx", listen_timeout_s=4))
    built = build_voice(
        settings,
        patient.ui.flow,
        QtPoster().post,
        CacheOnItsOwnConnection(day),
        SystemClock(),
        source=ScriptedSource(),
        sink=MemorySink(),
    )
    yield built
    built.stop()


@pytest.fixture
def keypad(
    tmp_path: Path, kiosk: KioskUi, voice: Voice, qapp: QGuiApplication
) -> Iterator[tuple[BoardSimulator, IoBoard]]:
    poster = QtPoster()

    def on_event(event: DeviceEvent) -> None:  # on the board's worker, as in the assembly
        poster.post(lambda: route_device_event(kiosk.flow, None, event, kiosk.flow_model, voice))

    # A link that outlasts a busy machine: this file is about keys, not link health. With the
    # defaults a board silent 3.5 s is lost for good here (no supervisor reopens it): beside
    # three stress-ng runs, 'select' never arrived once. The board re-sends a key for 30 s.
    sim = BoardSimulator(str(tmp_path / "ttyIO"), ack_timeout=1.0, retries=30).start()
    board = IoBoard(sim.url, on_event, timing=LinkTiming(silence_limit=60.0))
    board.open()
    yield sim, board
    board.close()
    sim.stop()


def _ringed(kiosk: KioskUi) -> str:
    target = kiosk.window.property("keypadTarget")
    return target.objectName() if target is not None else ""


def test_keys_alone_start_choose_and_activate_a_check_in(
    keypad: tuple[BoardSimulator, IoBoard], kiosk: KioskUi, patient: Patient, qapp: QGuiApplication
) -> None:
    sim, _board = keypad
    assert patient.screen == "attract"
    sim.press_key("select")
    _wait(qapp, lambda: patient.screen == "welcome", "select to start")
    seen: list[str] = []
    for _ in range(12):  # down through the choices until the date-of-birth one is ringed
        before = len(seen)
        sim.press_key(p.KeyCode.DOWN)
        _wait(qapp, lambda: _ringed(kiosk) != (seen[-1] if seen else ""), "the ring to move")
        seen.append(_ringed(kiosk))
        assert len(seen) == before + 1
        if seen[-1] == "dobButton":
            break
    assert seen[-1] == "dobButton", seen
    assert patient.item("dobButton").property("keypadFocused") is True
    sim.press_key("select")
    _wait(qapp, lambda: patient.screen == "dob", "select to activate the ringed choice")
    assert _ringed(kiosk) == ""  # a new screen starts with nothing ringed
    sim.press_key("back")
    _wait(qapp, lambda: patient.screen == "welcome", "back to the screen before")
    sim.press_key("up")  # up from nothing wraps to the last choice (the top bar's)
    _wait(qapp, lambda: _ringed(kiosk) != "", "up to ring a choice")


def test_help_and_repeat_keys_speak_as_the_voice_commands_do(
    keypad: tuple[BoardSimulator, IoBoard], voice: Voice, patient: Patient, qapp: QGuiApplication
) -> None:
    sim, _board = keypad
    patient.tap("attractTouchArea")
    patient.tap("dobButton")
    assert patient.screen == "dob"
    sim.press_key("help")
    expected = f"said: {help_text('step:date_of_birth', 'en')}"
    _wait(qapp, lambda: expected in voice.dialog.log, "the spoken help")
    sim.press_key("repeat")
    _wait(qapp, lambda: len(voice.dialog.log) == 2, "the prompt again")
    said_again = voice.dialog.log[1]
    assert said_again != expected and "birth" in said_again.lower()
    _wait(qapp, lambda: "birth" in patient.ui.flow.view.caption.lower(), "the words captioned")


def test_volume_keys_step_the_voice_and_any_key_answers_the_idle_warning(
    keypad: tuple[BoardSimulator, IoBoard],
    day: SampleDay,
    kiosk: KioskUi,
    patient: Patient,
    qapp: QGuiApplication,
) -> None:
    sim, board = keypad
    flow = kiosk.flow
    patient.tap("attractTouchArea")
    sim.press_key("vol_up")
    sim.press_key("vol_up")
    _wait(qapp, lambda: flow.view.volume == 2, "two steps louder")
    sim.press_key("vol_down")
    _wait(qapp, lambda: flow.view.volume == 1, "one step softer")
    day.clock.advance(flow.settings.idle_timeout_s + 1)
    kiosk.tick()
    assert flow.view.countdown > 0
    sim.send_raw(p.encode_frame(p.Frame(240, p.Key.TYPE, bytes((p.KEYPAD_VERSION, 0x7E)))))  # no such key
    sim.press_key("down")
    _wait(qapp, lambda: flow.view.countdown == 0, "a key to keep the patient's place")
    assert patient.screen == "welcome" and board.stats.unknown_keys == 1
