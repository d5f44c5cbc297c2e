"""The kiosk under a Wayland kiosk compositor (cage, headless): one window, full screen
on the output, the pointer hidden, the attract screen up; and back on a restarted
compositor. No taps here: wlroots' headless backend has no input devices, and Debian's
cage 0.1.4 offers no virtual-pointer or virtual-keyboard protocol (so neither ``wtype`` nor
a virtual-pointer client can inject one); taps are the X11 suite's. See
devtools/wayland.py on pixels."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devtools.wayland import OUTPUT_SIZE, CageSession, missing_tools
from tests.ui_x11.conftest import ROOT, restarts

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


WAYLAND_LOST_EXIT = 255
"""Qt's wayland platform's status when its compositor goes away ("The Wayland connection broke")."""


def test_the_kiosk_comes_back_when_its_compositorrestarts(tmp_path: Path) -> None:
    """labwc's way (the compositor a session of its own, the kiosk ``kiosk.service``): the
    compositor dies, the kiosk ends, systemd starts it before the new compositor is up,
    and it waits for the socket, then is one full-screen window on the new compositor."""
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "DISPLAY")}
    compositor_env = {**env, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "kiosk.log").open("w")
    compositor = CageSession(["sleep", "600"], compositor_env, log, ROOT, runtime=runtime)
    kiosk_env = {
        **env,
        "PYTHONPATH": str(ROOT),
        "XDG_RUNTIME_DIR": str(runtime),
        "WAYLAND_DISPLAY": compositor.socket(),
        "QT_QPA_PLATFORM": "wayland",
        "QT_QUICK_BACKEND": "software",
    }
    kiosks: list[subprocess.Popen[str]] = []

    def start_kiosk() -> subprocess.Popen[str]:
        argv = [sys.executable, "-m", "devtools.x11_kiosk", str(tmp_path / "state")]
        kiosks.append(
            subprocess.Popen(
                argv,
                env=kiosk_env,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
            )
        )
        return kiosks[-1]

    try:
        first = start_kiosk()
        assert _line(first, 40.0) == "ready"
        compositor.stop()  # the compositor dies under the kiosk
        code = first.wait(10)
        assert code == WAYLAND_LOST_EXIT
        restart, after_s = restarts("kiosk.service", code)
        assert restart, f"kiosk.service would not always restart after exit {code}"
        time.sleep(after_s)
        second = start_kiosk()
        time.sleep(1.5)  # the session's compositor is slower than systemd: the kiosk waits
        assert second.poll() is None, "the kiosk gave up before its compositor came back"
        compositor = CageSession(["sleep", "600"], compositor_env, log, ROOT, runtime=runtime)
        back = time.monotonic()
        assert _line(second, 20.0) == "ready"
        came_back_s = time.monotonic() - back
        time.sleep(1.0)  # cage's configure events have arrived
        state = _tell(second, "state")
        assert state["platform"] == "wayland" and state["screen"] == "attract"
        assert state["fullscreen"] == "FullScreen" and state["geometry"] == [0, 0, *OUTPUT_SIZE], state
        print(f"compositor back → kiosk up in {came_back_s:.2f} s")
    finally:
        for proc in kiosks:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
        compositor.stop()
        log.close()


def _line(proc: subprocess.Popen[str], timeout_s: float) -> object:
    out = proc.stdout
    if out is None:
        raise RuntimeError("no pipe")
    ready, _, _ = select.select([out], [], [], timeout_s)
    line = out.readline() if ready else ""
    if not line:
        raise AssertionError(f"the kiosk did not answer (exit {proc.poll()})")
    return json.loads(line)


def _tell(proc: subprocess.Popen[str], command: str) -> dict[str, object]:
    if proc.stdin is None:
        raise RuntimeError("no pipe")
    proc.stdin.write(command + "\n")
    proc.stdin.flush()
    answer = _line(proc, 10.0)
    assert isinstance(answer, dict) and "error" not in answer, answer
    return answer
