"""Kiosk and hub processes for crash tests: spawn, ask over stdin, SIGKILL, close."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Proc:
    """One ``tests.support.*_proc`` process, spoken to one line at a time."""

    def __init__(self, module: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        ready = self._line()
        if ready != "ready":
            raise RuntimeError(f"{module} did not start: {ready!r}")

    def ask(self, line: str) -> str:
        if self.proc.stdin is None:
            raise RuntimeError("no stdin")
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._line()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._close_pipes()

    def close(self, timeout: float = 20.0) -> None:
        """Close stdin (the process stops cleanly) and wait; killed if it hangs."""
        self._close_pipes()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)

    def _line(self) -> str:
        if self.proc.stdout is None:
            raise RuntimeError("no stdout")
        return self.proc.stdout.readline().strip()

    def _close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


def kiosk(port: int, state_dir: Path, kiosk_id: str, ca_file: str = "") -> Proc:
    """A kiosk process (over TLS to ``localhost`` when ``ca_file`` is given)."""
    tls = [ca_file] if ca_file else []
    return Proc("tests.support.kiosk_proc", str(port), str(state_dir), kiosk_id, *tls)


def hub(port: int, state_dir: Path, ca_file: str = "") -> Proc:
    """A hub process (over TLS to ``localhost`` when ``ca_file`` is given)."""
    return Proc("tests.support.hub_proc", str(port), str(state_dir), *([ca_file] if ca_file else []))
