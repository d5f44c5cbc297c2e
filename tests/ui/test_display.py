"""``KioskDisplay``: the pointer hidden and given back; X blanking off while the kiosk
runs and on again after, and only on X."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from config.hours import parse_open_hours
from ui.display import BLANKING_OFF, BLANKING_ON, KioskDisplay, Run


class _OnX(KioskDisplay):
    @property
    def platform(self) -> str:
        return "xcb"


def _recording(ran: list[Sequence[str]], exit_code: int) -> Run:
    """A stand-in for running xset: notes each command line and exits with ``exit_code``."""

    def run(argv: Sequence[str]) -> int:
        ran.append(argv)
        return exit_code

    return run


def test_on_x_blanking_is_off_while_the_kiosk_runs(qapp: QGuiApplication) -> None:
    ran: list[Sequence[str]] = []
    display = _OnX(qapp, run=_recording(ran, 0))
    display.claim()
    cursor = QGuiApplication.overrideCursor()
    assert cursor is not None and cursor.shape() == Qt.CursorShape.BlankCursor
    assert ran == [BLANKING_OFF]
    display.release()
    assert QGuiApplication.overrideCursor() is None
    assert ran == [BLANKING_OFF, BLANKING_ON]


def test_blanking_is_left_alone_when_xset_failed_or_not_on_x(qapp: QGuiApplication) -> None:
    ran: list[Sequence[str]] = []
    failing = _OnX(qapp, run=_recording(ran, 1))
    failing.claim()
    failing.release()
    assert ran == [BLANKING_OFF]  # nothing of ours to undo
    offscreen = KioskDisplay(qapp, run=_recording(ran, 0))
    offscreen.claim()
    offscreen.release()
    assert ran == [BLANKING_OFF] and QGuiApplication.overrideCursor() is None


def test_blanking_follows_open_hours_and_a_failing_xset_waits_a_minute(qapp: QGuiApplication) -> None:
    ran: list[Sequence[str]] = []
    day = datetime(2026, 12, 2)
    display = _OnX(qapp, run=_recording(ran, 0), open_hours=parse_open_hours("07:00-19:00"))
    display.claim(day.replace(hour=6, minute=30))  # before opening: left to blank
    assert ran == [] and not display.awake
    display.follow(day.replace(hour=7))
    assert ran == [BLANKING_OFF] and display.awake
    display.follow(day.replace(hour=12))  # nothing to change: no xset
    display.follow(day.replace(hour=19))
    assert ran == [BLANKING_OFF, BLANKING_ON] and not display.awake
    display.release()
    assert ran == [BLANKING_OFF, BLANKING_ON]

    failing: list[Sequence[str]] = []
    broken = _OnX(qapp, run=_recording(failing, 1))
    broken.claim(day.replace(hour=9))
    broken.follow(day.replace(hour=9, second=30))
    assert failing == [BLANKING_OFF]  # not once a second
    broken.follow(day.replace(hour=9, minute=1))
    assert failing == [BLANKING_OFF, BLANKING_OFF]
    broken.release()
