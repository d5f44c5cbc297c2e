"""Xvfb for the real-display tests and ``make screenshots``: an X server on a display
number it picks itself (``-displayfd``), or on a given one again (a restarted server)."""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _read_line(fd: int, timeout_s: float) -> str:
    data = b""
    deadline = time.monotonic() + timeout_s
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 32) if ready else b""
        if not chunk:
            break
        data += chunk
    return data.decode()


class XServer:
    """Xvfb on a display number it picks itself (-displayfd), or on a given one again."""

    def __init__(self, number: int | None = None, size: tuple[int, int] = (800, 480)) -> None:
        read, write = os.pipe()
        display = [f":{number}"] if number is not None else []
        self.proc = subprocess.Popen(
            [
                "Xvfb",
                *display,
                "-displayfd",
                str(write),
                "-screen",
                "0",
                f"{size[0]}x{size[1]}x24",
                "-nolisten",
                "tcp",
                "+extension",
                "DPMS",
                "-noreset",  # keep xset settings when the last client goes (a kiosk stays connected)
            ],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        text = _read_line(read, 10.0)
        os.close(read)  # only after the newline: Xvfb dies if it cannot write all of it
        if not text.strip():
            self.stop()
            raise RuntimeError("Xvfb did not start")
        self.number = int(text.strip())
        self.display = f":{self.number}"
        self._wait_accepting(10.0)

    def _wait_accepting(self, timeout_s: float) -> None:
        socket = Path(f"/tmp/.X11-unix/X{self.number}")  # noqa: S108 - where X11 puts its sockets
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if (
                socket.exists()
                and subprocess.run(
                    ["xset", "q"], env=self.env(), capture_output=True, check=False, timeout=5
                ).returncode
                == 0
            ):
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"Xvfb {self.display} does not accept connections")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        env.update(DISPLAY=self.display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT), XAUTHORITY="/dev/null")
        return env

    def run(self, *argv: str) -> str:
        return subprocess.run(
            list(argv), env=self.env(), check=True, capture_output=True, text=True, timeout=10
        ).stdout

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


__all__ = ["XServer"]
