"""Waiting for the display server before Qt connects: which socket the environment names,
a real socket accepting or not, and a bounded wait on a stepped clock."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from core.clock import ManualClock
from ui.display_server import (
    DisplayServer,
    DisplayUnavailable,
    display_server,
    wait_for_display_server,
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DISPLAY": ":0"}, DisplayServer("xcb", ":0", path="/tmp/.X11-unix/X0")),
        (
            {"DISPLAY": ":12.0", "QT_QPA_PLATFORM": "xcb"},
            DisplayServer("xcb", ":12.0", path="/tmp/.X11-unix/X12"),
        ),
        ({"DISPLAY": "unix:3"}, DisplayServer("xcb", "unix:3", path="/tmp/.X11-unix/X3")),
        ({"DISPLAY": "panel:1"}, DisplayServer("xcb", "panel:1", host="panel", port=6001)),
        (
            {"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": "/run/user/1001"},
            DisplayServer("wayland", "wayland-1", path="/run/user/1001/wayland-1"),
        ),
        (
            {"DISPLAY": ":0", "WAYLAND_DISPLAY": "/run/cage.sock", "QT_QPA_PLATFORM": "wayland"},
            DisplayServer("wayland", "/run/cage.sock", path="/run/cage.sock"),
        ),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, None),
        ({"QT_QPA_PLATFORM": "eglfs"}, None),
        ({}, None),
    ],
)
def test_the_server_qt_will_connect_to(env: dict[str, str], expected: DisplayServer | None) -> None:
    assert display_server(env) == expected


def test_a_display_that_is_not_one_is_named() -> None:
    with pytest.raises(DisplayUnavailable, match="DISPLAY='zero'"):
        display_server({"DISPLAY": "zero"})


def test_a_listening_socket_is_accepting_and_a_missing_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "wayland-9"
    server = DisplayServer("wayland", "wayland-9", path=str(path))
    assert not server.accepting()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(str(path))
        listening.listen(1)
        assert server.accepting()


def test_the_wait_ends_when_the_server_comes_and_is_bounded(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2025, 6, 2, 9, 0))
    path = tmp_path / "wayland-9"
    env = {"WAYLAND_DISPLAY": str(path), "QT_QPA_PLATFORM": "wayland"}
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the compositor comes up two seconds in
        sleeps.append(seconds)
        clock.advance(seconds)
        if clock.monotonic() >= 2.0 and not path.exists():
            listening.bind(str(path))
            listening.listen(1)

    try:
        assert wait_for_display_server(env, clock, sleep, timeout_s=60) == pytest.approx(2.0, abs=0.11)
        assert wait_for_display_server(env, clock, sleep) == 0.0  # already there: no wait at all
    finally:
        listening.close()
    path.unlink()
    with pytest.raises(DisplayUnavailable, match=r"wayland display server .* after 5 s"):
        wait_for_display_server(env, clock, clock.advance, timeout_s=5)
    assert wait_for_display_server({"QT_QPA_PLATFORM": "offscreen"}, clock, sleep) == 0.0


_CHILD = """
import ctypes, sys
from ui.display_server import exit_without_teardown
libc = ctypes.CDLL(None)
libc.on_exit.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
libc.on_exit(ctypes.cast(libc.abort, ctypes.c_void_p), None)  # a teardown that would crash
if sys.argv[1] == "quick":
    assert exit_without_teardown()
libc.exit(7)  # as Qt's xcb platform does when its server dies
"""


@pytest.mark.parametrize(("mode", "status"), [("teardown", -6), ("quick", 7)])
def test_an_exit_after_exit_without_teardown_skips_the_teardown_and_keeps_its_status(
    mode: str, status: int
) -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode], cwd=root, env={"PYTHONPATH": str(root)}, timeout=30, check=False
    )
    assert done.returncode == status
