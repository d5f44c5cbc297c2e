"""The touch frontend: a ``QGuiApplication``, ``KioskUi`` over a built kiosk app, the Qt
poster, SIGINT/SIGTERM, and the frame timer that beats the watchdog's main-loop check.

The app (``kiosk.assembly.KioskApp``) is built with this frontend's ``poster``: its flow
lives on the Qt thread, and device events, sync changes, printed tickets and voice
actions reach it through a queued signal (``ui.relay.Relay``). ``ui`` sits below
``kiosk``, so what the frontend uses of the app is the ``TouchApp`` protocol.

No lost updates: the frontend's sync listener is registered before the app starts (so
before anything reads the cache); changes told before the screen exists are kept and
handed to it once it does. Each presented frame whose board changed becomes the kiosk's
``display`` receipt (``TouchApp.report_displayed``), and the first one is the cold
start's ``first_frame``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QThread, QTimer
from PySide6.QtGui import QGuiApplication

from config.hours import parse_open_hours
from config.settings import Settings
from core.clock import Clock, SystemClock
from core.systemd import ServiceLoop
from domain.admin_backend import AdminBackend
from domain.flow import CheckInFlow
from sync import messages as m
from sync.cache import Provider
from ui.app import KioskUi, UiError, UiOptions
from ui.backlight import Backlight
from ui.board_model import BoardFrame
from ui.display import KioskDisplay
from ui.display_server import DISPLAY_WAIT_S, exit_without_teardown, wait_for_display_server
from ui.face import VoiceActivity
from ui.panel import resolve_panel
from ui.relay import Relay

log = logging.getLogger(__name__)

T = TypeVar("T")
FIRST_FRAME = "first_frame"  # kiosk.coldstart.FIRST_FRAME (ui sits below kiosk)


class QtPoster:
    """``post(fn)`` from any thread runs ``fn()`` on the Qt thread; ``call`` waits for it
    (and runs it at once when already on the Qt thread)."""

    def __init__(self) -> None:
        self._relay = Relay(lambda fn: fn())

    def post(self, fn: Callable[[], object]) -> None:
        self._relay.post(fn)

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        if QThread.currentThread() == self._relay.thread():
            return fn()
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
                future.set_exception(exc)

        self.post(run)
        return future.result(timeout)


class TouchApp(Protocol):
    """What the touch frontend uses of ``kiosk.assembly.KioskApp``."""

    settings: Settings
    staff_entry: Any
    keypad_focus: Any
    clock: Clock

    @property
    def flow(self) -> CheckInFlow: ...

    @property
    def admin(self) -> AdminBackend | None: ...

    def board(self) -> tuple[list[Provider], dict[str, m.ProviderStatus]]: ...
    def cache_age(self) -> float: ...
    def add_listener(self, listener: Callable[[Any], None]) -> None: ...
    def attach_screen(self) -> None: ...
    def report_displayed(self, versions: Mapping[str, int]) -> None: ...
    def mark_started(self, milestone: str) -> None: ...
    def start(self) -> list[str]: ...
    def stop(self) -> list[str]: ...
    def beat(self) -> None: ...
    def liveness_checks(self) -> Mapping[str, Callable[[], bool]]: ...


class TouchFrontend:
    """Create before the app (the app takes ``poster`` and ``exit``), then ``run(app)``."""

    def __init__(self, display_wait_s: float = DISPLAY_WAIT_S) -> None:
        """Waits (at most ``display_wait_s``) for the display server before Qt connects to
        it: started again after its server died, the kiosk is usually there first."""
        if QGuiApplication.instance() is None:
            wait_for_display_server(os.environ, SystemClock(), time.sleep, display_wait_s)
        # Under a Wayland compositor without server-side decorations (cage) Qt draws its own
        # title bar, with a close button, on any window that is not full screen (a windowed
        # run, or before the compositor's configure arrives); a kiosk never wants one.
        os.environ.setdefault("QT_WAYLAND_DISABLE_WINDOWDECORATION", "1")
        instance = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
        if not isinstance(instance, QGuiApplication):
            raise UiError("the touch UI needs a QGuiApplication, and a QCoreApplication exists")
        self.qapp = instance
        self.poster = QtPoster()
        self.ui: KioskUi | None = None
        self._app: TouchApp | None = None
        self._early: list[Any] = []  # sync changes told before the screen existed
        self._display: KioskDisplay | None = None
        self._backlight: Backlight | None = None
        self._exit_code: int | None = None  # asked to exit (maybe before the loop ran)
        self._serving = False  # in this frontend's event loop

    def exit(self, code: int) -> None:
        """The staff panel's "exit" (and signals): end the event loop with ``code``.

        Also before the loop runs: a SIGTERM between the screen coming up and ``exec()``
        was lost (``QCoreApplication.exit`` does nothing without a running loop), and the
        kiosk ran on until systemd's stop timeout killed it. So the code is kept for
        ``run`` to see, and the exit is queued again for the loop's first turn."""
        self._exit_code = code
        self.qapp.exit(code)  # exit(): quit() would ask the window, which refuses
        QTimer.singleShot(0, self.qapp, lambda: self._exit_if_serving(code))

    def _exit_if_serving(self, code: int) -> None:
        if self._serving:  # not a later frontend's loop on the same QGuiApplication (tests)
            self.qapp.exit(code)

    def open(self, app: TouchApp) -> KioskUi:
        """Start ``app`` and put its screen up (the Qt thread owns the flow)."""
        self._app = app
        app.add_listener(self._on_sync_change)  # before anything reads the cache
        app.attach_screen()  # receipts come from presented frames, not from the cache
        app.start()
        voice = getattr(app, "voice", None)  # the face reads it once voice exposes its levels
        ui = KioskUi(
            app.flow,
            app.board,
            app.cache_age,
            UiOptions.from_settings(app.settings),
            app.admin,
            on_board_presented=self._presented,
            clock=app.clock,
            voice=voice if isinstance(voice, VoiceActivity) else None,
        )
        self.ui = ui
        app.staff_entry = ui.admin_model
        app.keypad_focus = ui.flow_model  # the board's keypad moves this screen's focus
        early, self._early = self._early, []
        for change in early:  # told while the screen was being built (none is lost)
            self._on_sync_change(change)
        ui.timer.timeout.connect(app.beat)  # the Qt loop turns: the watchdog's main-loop check
        ui.show()
        self._size_for_panel(ui, app.settings.ui.px_per_mm)
        self._backlight = Backlight.find(app.settings.ui.backlight, app.settings.ui.dim_brightness)
        ui.flow_model.dimChanged.connect(self._backlight.set_dimmed)
        if app.settings.ui.fullscreen:  # production: the whole screen, no pointer, no blanking
            # A bare X server (no window manager) ignores the full-screen hint: size it too.
            ui.window.setGeometry(ui.window.screen().geometry())
            hours = parse_open_hours(app.settings.ui.open_hours)  # checked when the config loaded
            self._display = KioskDisplay(self.qapp, open_hours=hours)
            self._display.claim(app.clock.now())
            ui.timer.timeout.connect(self._follow_open_hours)
        return ui

    @staticmethod
    def _size_for_panel(ui: KioskUi, config_px_per_mm: float) -> None:
        """Every size on screen in mm on this panel: its size from the config, the EDID or
        the display server (``ui.panel``)."""
        screen = ui.window.screen()
        size, physical = screen.size(), screen.physicalSize()
        panel = resolve_panel(
            size.width(),
            size.height(),
            config_px_per_mm=config_px_per_mm,
            server_mm=(physical.width(), physical.height()),
        )
        ui.flow_model.set_px_per_mm(panel.px_per_mm)
        log.info(
            "panel %dx%d px, %.0fx%.0f mm (%s): %.2f px/mm",
            size.width(),
            size.height(),
            panel.width_mm,
            panel.height_mm,
            panel.source,
            panel.px_per_mm,
        )

    def _follow_open_hours(self) -> None:
        """On the UI timer (about once a second): cheap, xset runs only when open hours
        begin or end."""
        display, app = self._display, self._app
        if display is not None and app is not None:
            display.follow(app.clock.now())

    def _on_sync_change(self, change: Any) -> None:
        """On the Qt thread (the app's flow thread): to the screen's models."""
        ui = self.ui
        if ui is None:
            self._early.append(change)
            return
        ui.board_model.on_sync_change(change)
        ui.admin_model.on_sync_change(change)

    def _presented(self, frame: BoardFrame) -> None:
        """On Qt's render thread: a frame with a changed board is on screen."""
        app = self._app
        if app is not None:
            app.mark_started(FIRST_FRAME)
            app.report_displayed(frame.versions)

    def close(self) -> None:
        ui, self.ui = self.ui, None
        app, self._app = self._app, None
        display, self._display = self._display, None
        backlight, self._backlight = self._backlight, None
        try:
            if backlight is not None:
                backlight.release()
            if display is not None:
                display.release()
            if ui is not None:
                ui.close()
        finally:
            if app is not None:
                app.staff_entry = None
                app.keypad_focus = None
                app.stop()

    def run(
        self, app: TouchApp, *, quit_after_s: float = 0.0, on_started: Callable[[], object] | None = None
    ) -> int:
        """Start, serve until the event loop quits (SIGINT/SIGTERM, the staff panel's exit,
        or ``quit_after_s``), stop. ``on_started`` runs once the screen is up (the demo's
        story). Returns the event loop's exit code."""
        try:
            self.open(app)
            if self.qapp.platformName() in ("xcb", "wayland"):  # a display server that can die
                exit_without_teardown()  # after Qt and QML loaded: runs before their destructors
            with ServiceLoop(app.liveness_checks()), self._quit_on_signals():
                if on_started is not None:
                    on_started()
                if quit_after_s:
                    QTimer.singleShot(int(quit_after_s * 1000), lambda: self.exit(0))
                if self._exit_code is not None:  # told to stop while starting
                    return self._exit_code
                self._serving = True
                try:
                    return int(self.qapp.exec())
                finally:
                    self._serving = False
        finally:
            self.close()

    def _quit_on_signals(self) -> _Signals:
        return _Signals(self)


class _Signals:
    """SIGINT/SIGTERM quit the event loop (a timer lets Python see signals while Qt runs)."""

    def __init__(self, frontend: TouchFrontend) -> None:
        self._frontend = frontend
        self._previous: dict[int, Any] = {}
        self._pulse = QTimer(frontend.qapp)
        self._pulse.timeout.connect(lambda: None)

    def __enter__(self) -> _Signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.getsignal(sig)
            signal.signal(sig, lambda *_: self._frontend.exit(0))
        self._pulse.start(200)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._pulse.stop()
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


__all__ = ["QtPoster", "TouchApp", "TouchFrontend"]
