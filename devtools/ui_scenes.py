"""Every screen a patient can meet, each outcome and message too, as named scenes.

A scene drives the real flow (through the view model, as a patient's touches would)
from a fresh attract screen over the sample day. ``make screenshots`` renders each one;
the layout test walks each one's text.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication

from devtools.admin_scenes import ADMIN_SCENES
from devtools.face_scenes import FACE_SCENES
from devtools.ui_sample import VISITORS, SampleDay
from ui.app import KioskUi, UiOptions
from ui.face import QUIET
from ui.panel import REFERENCE

Scene = Callable[[SampleDay, KioskUi], None]


def _type(ui: KioskUi, text: str) -> None:
    for ch in text:
        ui.flow_model.press(ch)


def _confirm(visitor: str) -> Scene:
    def scene(_day: SampleDay, ui: KioskUi) -> None:
        ui.flow_model.wake()
        ui.flow_model.start("code")
        _type(ui, VISITORS[visitor].code)
        ui.flow_model.submit()

    return scene


def _outcome(visitor: str, stale: bool = False, printer: bool | None = True) -> Scene:
    def scene(day: SampleDay, ui: KioskUi) -> None:
        day.age_s = 1800.0 if stale else 0.0
        day.printer_ok = printer
        _confirm(visitor)(day, ui)
        ui.flow_model.confirm(True)

    return scene


def _done(visitor: str, option: str) -> Scene:
    def scene(day: SampleDay, ui: KioskUi) -> None:
        _outcome(visitor)(day, ui)
        ui.flow_model.choose(option)

    return scene


def _message_by_code(visitor: str) -> Scene:
    def scene(day: SampleDay, ui: KioskUi) -> None:
        ui.flow_model.start("code")
        _type(ui, VISITORS[visitor].code if visitor in VISITORS else visitor)
        ui.flow_model.submit()

    return scene


def _attract(day: SampleDay, ui: KioskUi) -> None:
    ui.board_model.refresh()


def _attract_stale(day: SampleDay, ui: KioskUi) -> None:
    day.age_s = 1800.0
    ui.tick()


def _attract_dimmed(day: SampleDay, ui: KioskUi) -> None:
    day.clock.advance(ui.options.dim_after_s + 1)
    ui.tick()


def _welcome(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.wake()


def _dob(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.start("dob")
    _type(ui, "0304")


def _letters(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.start("dob")
    _type(ui, VISITORS["twin_a"].dob_digits)
    ui.flow_model.submit()
    _type(ui, "G")


def _code(_day: SampleDay, ui: KioskUi) -> None:
    ui.flow_model.start("code")
    _type(ui, "K7Q")


def _ambiguous(day: SampleDay, ui: KioskUi) -> None:
    _letters(day, ui)
    _type(ui, "A")
    ui.flow_model.submit()


def _declined(day: SampleDay, ui: KioskUi) -> None:
    _confirm("on_time")(day, ui)
    ui.flow_model.confirm(False)


def _error(day: SampleDay, ui: KioskUi) -> None:
    day.fail_submit = True
    _outcome("on_time")(day, ui)


def _countdown(day: SampleDay, ui: KioskUi) -> None:
    _confirm("on_time")(day, ui)
    day.clock.advance(ui.flow.settings.idle_timeout_s + 2)
    ui.tick()


def _staff_called(day: SampleDay, ui: KioskUi) -> None:
    _welcome(day, ui)
    ui.flow_model.callStaff()


def _large(scene: Scene) -> Scene:
    def large(day: SampleDay, ui: KioskUi) -> None:
        ui.flow.set_large_text(True)
        scene(day, ui)

    return large


SCENES: dict[str, Scene] = {
    "attract": _attract,
    "attract_stale": _attract_stale,
    "attract_dimmed": _attract_dimmed,
    "welcome": _welcome,
    "welcome_staff_called": _staff_called,
    "dob": _dob,
    "letters": _letters,
    "code": _code,
    "confirm": _confirm("long_name"),
    "outcome_on_time": _outcome("on_time"),
    "outcome_late": _outcome("late"),
    "outcome_out": _outcome("out"),
    "outcome_stale": _outcome("on_time", stale=True),
    "outcome_ticket_failed": _outcome("on_time", printer=False),
    "done_waiting_late": _done("late", "waiting_late"),
    "done_return_later": _done("late", "return_later"),
    "done_other_provider": _done("out", "other_provider"),
    "done_front_desk": _done("out", "front_desk"),
    "done_reschedule": _done("out", "reschedule"),
    "message_not_found": _message_by_code("ZZZZ99"),
    "message_not_today": _message_by_code("not_today"),
    "message_too_early": _message_by_code("too_early"),
    "message_too_late": _message_by_code("too_late"),
    "message_already_checked_in": _message_by_code("already"),
    "message_ambiguous": _ambiguous,
    "message_declined": _declined,
    "message_error": _error,
    "countdown": _countdown,
    "large_welcome": _large(_welcome),
    "large_code": _large(_code),
    "large_confirm": _large(_confirm("long_name")),
    "large_outcome_late": _large(_outcome("late")),
    "large_outcome_out": _large(_outcome("out")),
    "large_message_too_early": _large(_message_by_code("too_early")),
    **FACE_SCENES,
    **ADMIN_SCENES,
}
SIZES = ((800, 480), (1280, 800))
LANGUAGES = ("en", "es")


def play(name: str, day: SampleDay, ui: KioskUi, language: str, large_text: bool = False) -> None:
    """Reset to a fresh morning on the attract screen (staff panel closed), then play scene
    ``name`` (with the patient's large text on when ``large_text``)."""
    day.restore()
    ui.admin_model.use_session(day.admin())  # signed out, no lockout, nothing pending
    ui.flow.reset()
    ui.face_model.set_levels(QUIET)
    ui.flow.set_language(language)
    ui.flow.set_large_text(large_text)
    ui.tick()
    SCENES[name](day, ui)
    offscreen = QGuiApplication.platformName() == "offscreen"
    for _ in range(2):  # what the screens defer to the loop's next turns (the board's pages)
        QCoreApplication.processEvents()
        if offscreen:  # lays out as a frame would: heights that pages follow. A real display
            ui.window.grabWindow()  # draws its own frames, and a grab there waits on them forever


@dataclass(frozen=True)
class Shown:
    """Which scene the UI shows, on which reference panel, language and text size."""

    name: str
    width: int
    height: int
    language: str
    large_text: bool


def show_scenes(
    names: Iterable[str],
    languages: Iterable[str] = LANGUAGES,
    text_sizes: Iterable[bool] = (False,),
    prefix: str = "kiosk-scenes-",
) -> Generator[tuple[KioskUi, Shown], None, None]:
    """Each scene played over one sample day's UI, on each reference panel, language and
    text size in turn: yields the UI while it shows the scene (its events processed).
    Set ``QT_QPA_PLATFORM`` before calling (offscreen unless a display is wanted)."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    names, languages, text_sizes = list(names), list(languages), list(text_sizes)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        day = SampleDay(Path(tmp))
        ui = KioskUi(
            day.flow(),
            day.board,
            lambda: day.age_s,
            # reduce_motion: each scene shows where the face's transitions end, not their first frame
            UiOptions(tick_ms=0, practice_name="Riverside Family Practice", reduce_motion=True),
            clock=day.clock,
        )
        ui.show()
        try:
            for width, height in SIZES:
                ui.resize(width, height, REFERENCE[(width, height)].px_per_mm)
                for language in languages:
                    for large in text_sizes:
                        for name in names:
                            play(name, day, ui, language, large_text=large)
                            app.processEvents()
                            yield ui, Shown(name, width, height, language, large)
        finally:
            ui.close()
            day.close()
