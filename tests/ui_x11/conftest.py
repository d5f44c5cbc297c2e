"""A real X server (Xvfb) per test, the kiosk on it in its own process, and a patient
whose taps are real X input events (xdotool, through the XTEST extension)."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.xvfb import XServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # this process renders the references

ROOT = Path(__file__).resolve().parents[2]
SIZE = (1024, 600)  # a 7" panel, not the windowed default: full screen must fill it
TOOLS = ("Xvfb", "xdotool", "xset", "import")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]


class Kiosk:
    """The kiosk process on ``server``; ``ask`` sends one command and reads its answer."""

    def __init__(
        self, server: XServer, state_dir: Path, argv: list[str] | None = None, *, wait: bool = True
    ) -> None:
        """``argv``: ``devtools.x11_kiosk``'s (the sample day in ``state_dir`` by default);
        ``wait=False`` returns at once (then ``wait_ready``)."""
        self.server = server
        state_dir.mkdir(parents=True, exist_ok=True)
        self.log = (state_dir / "kiosk.log").open("w")  # Qt's own warnings, for a failing test
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devtools.x11_kiosk", *(argv or [str(state_dir)])],
            env=server.env(),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        if self._read(timeout_s) != "ready":
            self.stop()
            raise RuntimeError("the kiosk did not come up on the X server")

    def _read(self, timeout_s: float) -> object:
        stdout = self.proc.stdout
        if stdout is None:
            raise RuntimeError("no pipe")
        ready, _, _ = select.select([stdout], [], [], timeout_s)
        line = stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"the kiosk did not answer (exit {self.proc.poll()})")
        return json.loads(line)

    def ask(self, command: str) -> dict[str, object]:
        stdin = self.proc.stdin
        if stdin is None:
            raise RuntimeError("no pipe")
        stdin.write(command + "\n")
        stdin.flush()
        answer = self._read(10.0)
        if not isinstance(answer, dict) or "error" in answer:
            raise AssertionError(f"{command}: {answer}")
        return answer

    def state(self) -> dict[str, object]:
        return self.ask("state")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout, self.log):
            if pipe is not None:
                pipe.close()


class Finger:
    """Real pointer events on the X server, at the items the kiosk says are there."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk

    def tap(self, name: str) -> None:
        at = self.kiosk.ask(f"where {name}")
        self.kiosk.server.run("xdotool", "mousemove", str(at["x"]), str(at["y"]), "click", "1")
        self.kiosk.state()  # the kiosk has handled the events before it answers

    def type(self, keys: str) -> None:
        for key in keys:
            self.tap(f"key_{key}")

    def hold(self, x: int, y: int, seconds: float) -> None:
        self.kiosk.server.run("xdotool", "mousemove", str(x), str(y), "mousedown", "1")
        time.sleep(seconds)
        self.kiosk.server.run("xdotool", "mouseup", "1")
        self.kiosk.state()


def restarts(unit: str, code: int) -> tuple[bool, float]:
    """Would systemd restart ``unit`` after exit status ``code`` (every time: no start
    limit), and after how long."""
    text = (ROOT / "systemd" / unit).read_text(encoding="utf-8")

    def value(key: str) -> str:
        found = re.search(rf"^{key}=(.*)$", text, re.MULTILINE)
        return found.group(1).strip() if found else ""

    clean = {0, *map(int, value("SuccessExitStatus").split())}
    prevented = set(map(int, value("RestartPreventExitStatus").split()))
    restart = value("Restart") in ("on-failure", "always") and code not in clean | prevented
    return restart and value("StartLimitIntervalSec") == "0", float(value("RestartSec") or 0.1)


@pytest.fixture
def xserver() -> Iterator[XServer]:
    """An X server of the test's own (the display-loss test kills it)."""
    server = XServer(size=SIZE)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def shared_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    """One X server and one kiosk process for the module's patients (start-up is 2 s)."""
    server = XServer(size=SIZE)
    try:
        k = Kiosk(server, tmp_path_factory.mktemp("x11-kiosk"))
        yield k
        k.stop()
    finally:
        server.stop()


@pytest.fixture
def kiosk(shared_kiosk: Kiosk) -> Kiosk:
    """The shared kiosk, back on a fresh morning's attract screen."""
    shared_kiosk.ask("reset")
    return shared_kiosk


@pytest.fixture
def finger(kiosk: Kiosk) -> Finger:
    return Finger(kiosk)
