"""What every device simulator shares: a pty (optionally behind a stable link name) served
by one thread, started, stopped, unplugged and replugged the same way."""

from __future__ import annotations

import threading
from typing import Self

from hardware.serialport import Pty


class PtySimulator:
    THREAD_NAME = "device-sim"

    def __init__(self, link: str | None = None) -> None:
        self.link = link
        self._pty: Pty | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        if self._pty is None:
            raise RuntimeError("simulator not started")
        return self._pty.url

    def start(self) -> Self:
        self._pty = Pty(self.link)
        self._on_start(self._pty)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.THREAD_NAME, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        if self._pty is not None:
            self._pty.close()
            self._pty = None

    def _on_start(self, pty: Pty) -> None:
        """Prepare the new pty before the serving thread starts (subclasses)."""

    def _run(self) -> None:
        raise NotImplementedError
