"""``KioskDisplay``: the pointer hidden and given back; X blanking off while the kiosk
runs and on again after, and only on X."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

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
