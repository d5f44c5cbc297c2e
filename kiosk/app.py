"""``kiosk run``: settings → logging → ``KioskApp`` → a frontend, stopped in reverse.

Where there is a display the touch UI opens (``ui.run``, imported only then: a headless
kiosk never loads Qt); otherwise the headless frontend prints the provider board at
start-up and whenever it changes. Both run under one service loop (READY, watchdog,
STOPPING: ``core.systemd.ServiceLoop``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TextIO

from config import load_settings
from core.clock import SystemClock
from core.logs import setup_logging
from core.systemd import EXIT_WIPED, ServiceLoop, wait_until_stopped
from core.worker import Worker
from domain.board import render_board
from kiosk.assembly import KioskApp, WorkerPoster
from kiosk.coldstart import BOARD_SHOWN
from kiosk.wipe import wipe_kiosk
from sync.kiosk_sync import SyncChange

log = logging.getLogger(__name__)

_BOARD_CHANGES = ("status", "schedule", "link", "hub")


class HeadlessBoard:
    """Prints the board to stderr (stdout carries the JSON logs): at start-up (``show``)
    and on every change that may alter it. Runs on the app's flow thread."""

    def __init__(self, app: KioskApp, stream: TextIO | None = None) -> None:
        self.app = app
        self.stream = stream or sys.stderr
        self.last = ""

    def __call__(self, change: SyncChange) -> None:
        if change.kind in _BOARD_CHANGES:
            self.show()

    def show(self) -> None:
        providers, statuses = self.app.board()
        text = render_board(providers, statuses, self.app.cache_age(), self.app.clock.now())
        if text != self.last:
            self.last = text
            print(text, file=self.stream, flush=True)
            self.app.mark_started(BOARD_SHOWN)


def has_display(env: Mapping[str, str] | None = None) -> bool:
    """X11, Wayland, or a Qt platform chosen explicitly (e.g. ``offscreen``, ``eglfs``)."""
    env = os.environ if env is None else env
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


class HeadlessFrontend:
    """The flow on a ``Worker`` (ticking it once a second), the board printed, no UI."""

    def __init__(self) -> None:
        self._app: KioskApp | None = None
        self.worker = Worker("flow", tick_s=1.0, on_tick=self._tick)
        self.poster = WorkerPoster(self.worker)
        self.stopped = threading.Event()
        self.exit_code = 0
        self.worker.start()

    def exit(self, code: int) -> None:
        """The staff panel's "exit": end the main loop with ``code``."""
        self.exit_code = code
        self.stopped.set()

    def _tick(self) -> None:
        if self._app is not None:
            self._app.tick()

    def open(self, app: KioskApp, stream: TextIO | None = None) -> HeadlessBoard:
        """Start ``app`` with a board that follows it; the board is shown once started."""
        self._app = app
        board = HeadlessBoard(app, stream)
        app.add_listener(board)
        app.start()
        self.poster.post(board.show)
        return board

    def close(self) -> None:
        try:
            if self._app is not None:
                self._app.stop()
        finally:
            self.worker.stop()

    def run(
        self,
        app: KioskApp,
        *,
        stop_after_s: float | None = None,
        stream: TextIO | None = None,
        on_started: Callable[[], None] | None = None,
    ) -> int:
        """Start, serve until SIGTERM/Ctrl-C, the staff exit or ``stop_after_s``, stop.
        ``on_started`` runs once the app is up (the demo's story). Returns the exit code."""
        try:
            self.open(app, stream)
            with ServiceLoop(app.liveness_checks()):
                if on_started is not None:
                    on_started()
                wait_until_stopped(self.stopped, stop_after_s)
        finally:
            self.close()
        return self.exit_code


def run_kiosk(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    setup_logging(settings.kiosk.log_level)
    clock = SystemClock()
    if not getattr(args, "headless", False) and has_display():
        from ui.display import DISPLAY_LOST_EXIT
        from ui.display_server import DisplayUnavailable
        from ui.run import TouchFrontend

        try:
            touch = TouchFrontend()
        except DisplayUnavailable as exc:  # systemd starts the kiosk again (Restart=on-failure)
            log.error("%s", exc)
            return DISPLAY_LOST_EXIT
        code = touch.run(KioskApp(settings, clock=clock, poster=touch.poster, exit_app=touch.exit))
    else:
        headless = HeadlessFrontend()
        code = headless.run(KioskApp(settings, clock=clock, poster=headless.poster, exit_app=headless.exit))
    if code == EXIT_WIPED:
        wipe_kiosk(settings)  # again, now that every connection is closed: nothing recreated stays
    return code
