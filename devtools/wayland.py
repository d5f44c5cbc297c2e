"""A Wayland kiosk compositor for the real-display tests: ``cage`` on wlroots' headless
backend (no GPU, pixman renderer), running one client. (``grim`` reads the output of a
plain Qt Quick window there, but the kiosk's full-screen window reads back black: the
Wayland test checks what the kiosk reports, not pixels.)

cage refuses to start as root (it cannot drop privileges it could get back), which is how
CI runs; as root the session runs in a user namespace where this process is uid 1000, so
cage's check passes and files stay this user's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

TOOLS = ("cage", "unshare")
OUTPUT_SIZE = (1280, 720)  # wlroots' headless output


def missing_tools() -> list[str]:
    return [t for t in TOOLS if shutil.which(t) is None]


class CageSession:
    """``cage -- ARGV`` on a headless output; the client's stdin/stdout are ours."""

    def __init__(
        self,
        argv: Sequence[str],
        env: dict[str, str],
        stderr: IO[str],
        cwd: Path,
        runtime: Path | None = None,
    ) -> None:
        """``runtime``: an ``XDG_RUNTIME_DIR`` of the caller's (kept on ``stop``: a second
        session there is a restarted compositor on the same socket); a fresh one by default."""
        self._own_runtime = runtime is None
        self.runtime = runtime or Path(tempfile.mkdtemp(prefix="kiosk-wayland-"))
        self.runtime.chmod(0o700)
        session_env = {
            **env,
            "XDG_RUNTIME_DIR": str(self.runtime),
            "WLR_BACKENDS": "headless",
            "WLR_RENDERER": "pixman",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "QT_QPA_PLATFORM": "wayland",
            "QT_QUICK_BACKEND": "software",  # no GPU and no dmabuf on the headless output
        }
        session_env.pop("DISPLAY", None)
        namespace = ["unshare", "--user", "--map-user=1000", "--map-group=1000"] if os.getuid() == 0 else []
        self.proc = subprocess.Popen(
            [*namespace, "cage", "--", *argv],
            env=session_env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            bufsize=1,
        )

    def socket(self, timeout_s: float = 10.0) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = sorted(p.name for p in self.runtime.glob("wayland-*") if not p.name.endswith(".lock"))
            if found:
                return found[0]
            time.sleep(0.05)
        raise RuntimeError("cage made no Wayland socket")

    def screenshot(self, path: Path) -> Path:
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime), "WAYLAND_DISPLAY": self.socket()}
        subprocess.run(["grim", str(path)], env=env, check=True, timeout=10, capture_output=True)
        return path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        if self._own_runtime:
            shutil.rmtree(self.runtime, ignore_errors=True)
