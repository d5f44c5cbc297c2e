"""What a kiosk screen needs of its display server: no pointer, no blanking, and what
happens when the server goes away.

* The pointer is hidden with an application-wide blank cursor (Qt's own way: works on
  X11 and Wayland alike, and nothing else on the kiosk's session needs a pointer).
* Screen blanking: on X11 the kiosk turns the X screen saver and DPMS off while it runs
  and the practice is open (``[ui] open_hours``; ``xset s off s noblank -dpms``), and puts
  them back on outside those hours and when it stops, so a closed practice's kiosk may
  blank (a touch wakes the screen; the kiosk keeps running and syncing). On Wayland
  blanking is the compositor's (``cage`` does not blank; under labwc no idle daemon is
  started): see docs/display.md.
* Display loss: Qt's X11 platform ends the process with exit status 1 (Wayland: 255)
  when the connection to the server breaks. That is a failure to ``kiosk.service``
  (``Restart=on-failure``, no start limit), which starts the kiosk again; it waits for
  the new server (``ui.display_server``) and draws the board from its cache. Nothing is
  lost (the cache and the outbox are durable, the broker publishes the last will).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor, QGuiApplication

from config.hours import Span, is_open

log = logging.getLogger(__name__)

DISPLAY_LOST_EXIT = 1
"""The exit status of Qt's xcb platform when the server goes away (its wayland platform's
is 255), and of ``kiosk run`` when no display server comes (``ui.display_server``)."""

Run = Callable[[Sequence[str]], int]
BLANKING_OFF = ("xset", "s", "off", "s", "noblank", "-dpms")
BLANKING_ON = ("xset", "s", "on", "s", "blank", "+dpms")
_RETRY_S = 60


def _run(argv: Sequence[str]) -> int:
    if shutil.which(argv[0]) is None:
        return 127
    try:
        return subprocess.run(list(argv), check=False, timeout=5, capture_output=True).returncode  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):  # a stuck or missing xset is not fatal to check-in
        return 1


class KioskDisplay:
    """Hide the pointer and keep the screen awake while the kiosk is up and the practice
    open (``follow`` each minute); undo on ``release``."""

    def __init__(self, app: QGuiApplication, run: Run = _run, open_hours: tuple[Span, ...] = ()) -> None:
        self._app = app
        self._run = run
        self._open_hours = open_hours
        self._cursor_hidden = False
        self._blanking_off = False
        self._failed_at: datetime | None = None  # a failing xset is tried again a minute on

    @property
    def platform(self) -> str:
        return self._app.platformName()

    @property
    def awake(self) -> bool:
        """Blanking is off (ours to undo)."""
        return self._blanking_off

    def claim(self, now: datetime | None = None) -> None:
        QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
        self._cursor_hidden = True
        self.follow(now or datetime.now())

    def follow(self, now: datetime) -> None:
        """Blanking off while open, back on when closed; a failed xset is tried next time."""
        if self.platform != "xcb":
            return
        want_awake = is_open(self._open_hours, now)
        if want_awake and not self._blanking_off:
            if self._failed_at is not None and (now - self._failed_at).total_seconds() < _RETRY_S:
                return
            code = self._run(BLANKING_OFF)
            self._blanking_off = code == 0
            self._failed_at = now if code else None
            if code:
                log.warning("could not turn X screen blanking off (xset exit %s)", code)
        elif not want_awake and self._blanking_off:
            self._run(BLANKING_ON)
            self._blanking_off = False
            log.info("outside open hours: the screen may blank")

    def release(self) -> None:
        if self._cursor_hidden:
            QGuiApplication.restoreOverrideCursor()
            self._cursor_hidden = False
        if self._blanking_off:
            self._run(BLANKING_ON)
            self._blanking_off = False


__all__ = ["BLANKING_OFF", "BLANKING_ON", "DISPLAY_LOST_EXIT", "KioskDisplay"]
