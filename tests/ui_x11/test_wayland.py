"""The kiosk under a Wayland kiosk compositor (cage, headless): one window, full screen
on the output, the pointer hidden, the attract screen up. (wlroots' headless backend has
no input devices, so the taps are the X11 suite's; see devtools/wayland.py on pixels.)"""

from __future__ import annotations

import json
import os
import select
import sys
import time
from pathlib import Path

import pytest

from devtools.wayland import OUTPUT_SIZE, CageSession, missing_tools
from tests.ui_x11.conftest import ROOT

pytestmark = pytest.mark.skipif(
    bool(missing_tools()), reason=f"needs {missing_tools()} (deps/apt-ui-test.txt)"
)


def _read(session: CageSession, timeout_s: float) -> object:
    out = session.proc.stdout
    if out is None:
        raise RuntimeError("no pipe")
    ready, _, _ = select.select([out], [], [], timeout_s)
    line = out.readline() if ready else ""
    if not line:
        raise AssertionError(f"the kiosk under cage did not answer (exit {session.proc.poll()})")
    return json.loads(line)


def _ask(session: CageSession, command: str) -> dict[str, object]:
    if session.proc.stdin is None:
        raise RuntimeError("no pipe")
    session.proc.stdin.write(command + "\n")
    session.proc.stdin.flush()
    answer = _read(session, 10.0)
    assert isinstance(answer, dict) and "error" not in answer, answer
    return answer


def test_the_kiosk_is_one_full_screen_window_with_no_title_bar_under_cage(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("QT_WAYLAND_DISABLE_WINDOWDECORATION", None)  # the kiosk must set it itself
    log = (tmp_path / "kiosk.log").open("w")
    argv = [sys.executable, "-m", "devtools.x11_kiosk", str(tmp_path / "state")]
    session = CageSession(argv, env, log, ROOT)
    try:
        assert _read(session, 40.0) == "ready", (tmp_path / "kiosk.log").read_text()[-2000:]
        state = _ask(session, "state")
        assert state["platform"] == "wayland" and state["screen"] == "attract"
        assert state["cursor"] == "BlankCursor"
        time.sleep(1.0)  # cage's configure events have arrived
        later = _ask(session, "state")
        assert later["fullscreen"] == "FullScreen" and later["geometry"] == [0, 0, *OUTPUT_SIZE], later
        assert later["windows"] == [["kioskWindow", True, *OUTPUT_SIZE]]  # one window, nothing beside it
        assert later["frame"] == [0, 0, 0, 0]  # no title bar (with a close button) drawn by Qt
    finally:
        session.stop()
        log.close()
