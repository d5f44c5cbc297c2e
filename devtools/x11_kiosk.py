"""A kiosk on a real display for the X11 tests and screenshots: ``TouchFrontend`` (the frontend ``kiosk
run`` uses) over the sample day, answering one JSON command per line on stdin.

python -m devtools.x11_kiosk STATE_DIR   (DISPLAY and QT_QPA_PLATFORM=xcb set by the test)
python -m devtools.x11_kiosk --site KIOSK_TOML   (the real ``KioskApp``: cache, sync, receipts)

Commands: ``where NAME`` (the item's centre on the screen), ``state``, ``advance SECONDS``
(the clock, then a tick), ``play SCENE`` (a screenshot scene), ``reset`` (back to
a fresh attract screen), ``shoot SCENE LANG PATH`` (play, then save the X root
window as the server shows it), ``text NAME`` (an item's text, hidden or not), ``quit``.
Every answer is one JSON line. With ``--site`` only ``where``, ``text``, ``state`` and
``quit`` (the sample day's commands need the sample day). The process's exit status is
the event loop's, Qt's own on display loss, or ``kiosk run``'s when no display server
comes (1).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QSocketNotifier, QTimer
from PySide6.QtGui import QGuiApplication

from config import load_settings
from config.settings import Settings, UiSettings
from core.clock import Clock, SystemClock
from devtools.ui_sample import SampleDay
from devtools.ui_scenes import play
from domain.admin_backend import AdminBackend
from domain.flow import CheckInFlow
from kiosk.assembly import KioskApp
from ui.display import DISPLAY_LOST_EXIT
from ui.display_server import DisplayUnavailable
from ui.panel import REFERENCE
from ui.run import TouchFrontend

# The test kiosk's panel density, set in its config: Xvfb reports a made-up physical size, and
# the kiosk sizes everything in mm from what the display says (ui.panel). The 7" reference panel's.
SAMPLE_PX_PER_MM = REFERENCE[(800, 480)].px_per_mm


class SampleApp:
    """The ``TouchApp`` a test kiosk runs: the sample day in place of storage and sync."""

    def __init__(self, day: SampleDay) -> None:
        self.day = day
        self.clock: Clock = day.clock
        self.settings = dataclasses.replace(
            Settings(), ui=UiSettings(
                fullscreen=True, practice_name="Riverside Family Practice", px_per_mm=SAMPLE_PX_PER_MM
            ),
        )
        self.staff_entry: Any = None
        self.keypad_focus: Any = None
        self._flow = day.flow()
        self._admin = day.admin()

    @property
    def flow(self) -> CheckInFlow:
        return self._flow

    @property
    def admin(self) -> AdminBackend | None:
        return self._admin

    def board(self) -> Any:
        return self.day.board()

    def cache_age(self) -> float:
        return self.day.age_s

    def add_listener(self, listener: Callable[[Any], None]) -> None:
        pass

    def attach_screen(self) -> None:
        pass  # no sync: nothing to receipt

    def report_displayed(self, versions: Mapping[str, int]) -> None:
        pass

    def mark_started(self, milestone: str) -> None:
        pass

    def start(self) -> list[str]:
        return []

    def stop(self) -> list[str]:
        return []

    def beat(self) -> None:
        pass

    def liveness_checks(self) -> Mapping[str, Callable[[], bool]]:
        return {}


SETTLE_MS = 700
"""After a scene: longer than the face's transitions (260 ms) and a few frames."""
SHOOT_SETTLE_MS = 350
"""Before a screenshot: the transitions are done; the blink may not be."""


def _let_qt_draw(ms: int = 60) -> None:
    """Run Qt's events (polish, layout, a frame) for ``ms`` with the lock released."""
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        QGuiApplication.processEvents()
        time.sleep(0.005)


class Control:
    def __init__(self, front: TouchFrontend, app: SampleApp | KioskApp) -> None:
        self.front = front
        self.app = app
        self.notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
        self.notifier.activated.connect(self.on_line)

    def say(self, answer: object) -> None:
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    def on_line(self) -> None:
        line = sys.stdin.readline()
        if not line:
            self.front.exit(0)
            return
        verb, _, arg = line.strip().partition(" ")
        answer = self.answer(verb, arg)
        if verb == "play":  # answer once the X server shows it (frames drawn, animations done)
            QTimer.singleShot(SETTLE_MS, lambda: self.say(answer))
        elif verb == "shoot":
            QTimer.singleShot(SHOOT_SETTLE_MS, lambda: self.say(self.grab_root(arg.split(" ", 2)[2])))
        else:
            self.say(answer)

    def answer(self, verb: str, arg: str) -> object:
        ui = self.front.ui
        if ui is None:
            return {"error": "no ui"}
        if verb == "where":
            item = ui.find(arg)
            if item is None:
                return {"error": f"no visible {arg}"}
            # Laid out as drawn. Not grabWindow(): on a real display Qt renders on its own
            # thread, whose frame hook (the board's receipts) needs the interpreter lock
            # that a grabWindow() call from Python keeps: the two would wait on each other.
            _let_qt_draw()
            centre = item.mapToGlobal(QPointF(item.width() / 2, item.height() / 2))
            return {"x": round(centre.x()), "y": round(centre.y())}
        if verb == "text":
            found = ui.find(arg, visible_only=False)
            return {"error": f"no {arg}"} if found is None else {"text": str(found.property("text"))}
        if not isinstance(self.app, SampleApp):
            return self.state() if verb == "state" else {"error": f"{verb}: not with --site"}
        if verb == "advance":
            self.app.day.clock.advance(float(arg))
            ui.tick()
            return {"ok": True}
        if verb == "play":
            play(arg, self.app.day, ui, "en")
            return {"ok": True}
        if verb == "shoot":
            scene, language, _path = arg.split(" ", 2)
            play(scene, self.app.day, ui, language)
            return {"ok": True}
        if verb == "reset":
            play("attract", self.app.day, ui, "en")
            return {"ok": True}
        if verb == "quit":
            self.front.exit(0)
            return {"ok": True}
        return self.state()

    def grab_root(self, path: str) -> dict[str, object]:
        """The X server's root window (what a camera pointed at the screen would see)."""
        screen = QGuiApplication.primaryScreen()
        ok = screen is not None and screen.grabWindow(0).save(path)
        return {"ok": True} if ok else {"error": f"could not grab the root window to {path}"}

    def state(self) -> dict[str, object]:
        ui = self.front.ui
        if ui is None:
            return {}
        cursor = QGuiApplication.overrideCursor()
        geometry = ui.window.geometry()
        return {
            "platform": QGuiApplication.platformName(),
            "screen": ui.flow.view.screen.value,
            "entry": ui.flow_model.property("entry"),
            "staff_called": ui.flow.view.staff_called,
            "countdown": ui.flow.view.countdown,
            "admin_open": bool(ui.admin_model.property("isOpen")),
            "admin_page": ui.admin_model.panel.page,
            "face": ui.face_model.property("state"),
            "checked_in": len(self.app.day.sent) if isinstance(self.app, SampleApp) else -1,
            "fullscreen": ui.window.visibility().name,
            "geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
            "frame": [(m := ui.window.frameMargins()).left(), m.top(), m.right(), m.bottom()],
            "cursor": cursor.shape().name if cursor is not None else "",
            "windows": [
                [w.objectName() or type(w).__name__, w.isVisible(), w.width(), w.height()]
                for w in QGuiApplication.topLevelWindows()
            ],
        }


def _started(front: TouchFrontend, app: SampleApp | KioskApp, controls: list[Control]) -> Callable[[], None]:
    def started() -> None:
        controls.append(Control(front, app))  # kept alive while the loop runs
        controls[0].say("ready")

    return started


def main_site(config: str) -> int:
    """``kiosk run``'s touch path (``kiosk.app.run_kiosk``) with the control channel."""
    settings = load_settings(config)
    try:
        front = TouchFrontend()
    except DisplayUnavailable:
        return DISPLAY_LOST_EXIT
    app = KioskApp(settings, clock=SystemClock(), poster=front.poster, exit_app=front.exit)
    controls: list[Control] = []
    return front.run(app, on_started=_started(front, app, controls))


def main(state_dir: str) -> int:
    front = TouchFrontend()
    day = SampleDay(Path(state_dir))
    app = SampleApp(day)
    controls: list[Control] = []
    try:
        return front.run(app, on_started=_started(front, app, controls))
    finally:
        day.close()


if __name__ == "__main__":
    sys.exit(main_site(sys.argv[2]) if sys.argv[1] == "--site" else main(sys.argv[1]))
