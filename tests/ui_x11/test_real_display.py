"""The kiosk on a real X server (Xvfb), touched with real X input events (xdotool's
XTEST): check-in by birth date and by code, the staff corner and PIN, "Call staff", the
idle wipe; it is full screen with no pointer and no blanking, and looks as the offscreen
render does. The display server restarting is ``test_display_restart.py``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication, QImage

from config.hours import parse_open_hours
from devtools.ui_sample import STAFF_PINS, VISITORS, SampleDay
from devtools.ui_scenes import play
from devtools.x11_kiosk import SAMPLE_PX_PER_MM
from devtools.xvfb import XServer
from tests.ui_x11.conftest import MISSING, ROOT, SIZE, Finger, Kiosk
from ui.app import KioskUi, UiOptions
from ui.display import KioskDisplay

pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"needs {MISSING} (deps/apt-ui-test.txt)")


def _until(predicate: Callable[[], bool], what: str, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def test_kiosk_run_is_full_screen_without_pointer_or_blanking(kiosk: Kiosk) -> None:
    xserver = kiosk.server
    state = kiosk.state()
    assert state["platform"] == "xcb" and state["fullscreen"] == "FullScreen"
    assert state["geometry"] == [0, 0, *SIZE]
    assert state["cursor"] == "BlankCursor"
    window = xserver.run("xdotool", "search", "--name", "^Check-in$").split()
    assert window, "no kiosk window on the X server"
    geometry = xserver.run("xdotool", "getwindowgeometry", window[0])
    assert f"{SIZE[0]}x{SIZE[1]}" in geometry
    saver = xserver.run("xset", "q")
    assert re.search(r"timeout:\s+0\b", saver) and re.search(r"prefer blanking:\s+no", saver), saver


def test_check_in_by_date_of_birth_with_real_taps(kiosk: Kiosk, finger: Finger) -> None:
    finger.tap("startButton")
    assert kiosk.state()["face"] == "approaching"
    finger.tap("dobButton")
    finger.type(VISITORS["on_time"].dob_digits)
    finger.tap("continueButton")
    assert kiosk.state()["screen"] == "confirm"
    finger.tap("yesButton")
    state = kiosk.state()
    assert state["screen"] == "outcome" and state["checked_in"] == 1
    finger.tap("doneButton")
    assert kiosk.state()["screen"] == "attract"


def test_check_in_by_code_and_call_staff(kiosk: Kiosk, finger: Finger) -> None:
    finger.tap("startButton")
    finger.tap("codeButton")
    finger.type(VISITORS["on_time"].code)
    finger.tap("continueButton")
    finger.tap("yesButton")
    assert kiosk.state()["checked_in"] == 1
    finger.tap("callStaffButton")
    assert kiosk.state()["staff_called"] is True


def test_the_staff_corner_hold_and_pin(kiosk: Kiosk, finger: Finger) -> None:
    finger.hold(5, 5, 1.0)  # too short: nothing opens
    assert kiosk.state()["admin_open"] is False
    finger.hold(5, 5, 3.3)
    assert kiosk.state()["admin_page"] == "who"  # the name first, then the PIN
    finger.tap("who_ben")
    assert kiosk.state()["admin_page"] == "pin"
    for key in STAFF_PINS["ben"][1]:
        finger.tap(f"pin_{key}")
    finger.tap("pinEnterButton")
    _until(lambda: kiosk.state()["admin_page"] not in ("pin", "closed"), "the staff panel after the PIN")


def test_the_idle_wipe(kiosk: Kiosk, finger: Finger) -> None:
    finger.tap("startButton")
    finger.tap("dobButton")
    finger.type("0304")
    assert kiosk.state()["entry"] == "0304"
    kiosk.ask("advance 31")
    assert kiosk.state()["countdown"] not in (0, None)
    kiosk.ask("advance 21")  # the 20 s warning runs out
    state = kiosk.state()
    assert state["screen"] == "attract" and state["entry"] == "" and state["face"] == "idle"


def _offscreen(tmp_path: Path, scenes: tuple[str, ...]) -> dict[str, QImage]:
    """The same scenes rendered by the offscreen platform (this pytest process's own)."""
    if QGuiApplication.instance() is None:
        QGuiApplication([])
    day = SampleDay(tmp_path)
    ui = KioskUi(
        day.flow(),
        day.board,
        lambda: day.age_s,
        UiOptions(tick_ms=0, practice_name="Riverside Family Practice", reduce_motion=True),
        day.admin(),
        clock=day.clock,
    )
    try:
        ui.show()
        ui.resize(*SIZE, SAMPLE_PX_PER_MM)  # the density the X kiosk is configured with
        shots = {}
        for scene in scenes:
            play(scene, day, ui, "en")
            QGuiApplication.processEvents()
            shots[scene] = ui.window.grabWindow()
        return shots
    finally:
        ui.close()
        day.close()


def _blocks(image: QImage, n: int = 8) -> np.ndarray:
    """Mean colour of each n x n block: glyph antialiasing differs between platforms, shapes do not."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height).reshape(height, stride)
    pixels = data[:, : width * 3].reshape(height, width, 3).astype(np.float32)
    h, w = height // n * n, width // n * n
    blocks: np.ndarray = pixels[:h, :w].reshape(h // n, n, w // n, n, 3).mean(axis=(1, 3))
    return blocks


def screen_difference(a: QImage, b: QImage) -> float:
    """The share of 8x8 blocks whose mean colour differs by more than 40 on a channel."""
    if a.size() != b.size():
        return 1.0
    return float((np.abs(_blocks(a) - _blocks(b)).max(axis=2) > 40).mean())


def test_the_real_window_looks_like_the_offscreen_render(kiosk: Kiosk, tmp_path: Path) -> None:
    xserver = kiosk.server
    shots = ROOT / "build" / "screenshots" / "x11"
    shots.mkdir(parents=True, exist_ok=True)
    scenes = ("attract", "dob")
    offscreen = _offscreen(tmp_path, scenes)
    real = {}
    for scene in scenes:
        kiosk.ask(f"play {scene}")
        kiosk.state()
        path = shots / f"test_{SIZE[0]}x{SIZE[1]}_en_{scene}.png"
        xserver.run("import", "-window", "root", str(path))
        real[scene] = QImage(str(path))
        difference = screen_difference(real[scene], offscreen[scene])
        assert difference < 0.01, (
            f"{scene}: {difference:.1%} of the X screen differs from the offscreen render"
        )
    assert screen_difference(real["attract"], offscreen["dob"]) > 0.1  # another screen is told apart


class _OnThisX(KioskDisplay):
    """Our display logic run against the test's own X server through the real xset."""

    @property
    def platform(self) -> str:
        return "xcb"


def test_the_real_x_screen_may_blank_outside_open_hours(
    xserver: XServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", xserver.display)
    monkeypatch.setenv("XAUTHORITY", "/dev/null")
    day = datetime(2026, 12, 2)
    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication) or app is None
    display = _OnThisX(app or QGuiApplication([]), open_hours=parse_open_hours("07:00-19:00"))
    display.claim(day.replace(hour=9))
    try:
        awake = xserver.run("xset", "q")
        assert re.search(r"timeout:\s+0\b", awake) and re.search(r"prefer blanking:\s+no", awake), awake
        display.follow(day.replace(hour=19, minute=1))
        closed = xserver.run("xset", "q")  # (Xvfb has no DPMS to show; the screen saver is back)
        assert re.search(r"timeout:\s+[1-9]", closed) and re.search(r"prefer blanking:\s+yes", closed), closed
    finally:
        display.release()
