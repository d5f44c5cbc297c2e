"""What every device simulator shares: a pty (optionally behind a stable link name) served
by one worker, started, stopped, unplugged and replugged the same way.

The worker's tick is one bounded wait for the kiosk's bytes (``_serve_once``); bytes the
simulator sends on its own (a badge swipe, a button press) are posted to the same worker
with ``_post_write``, so only that worker touches the pty's master end.
"""

from __future__ import annotations

import contextlib
import os
from typing import Self

from core.worker import Worker
from hardware.serialport import Pty

SERVE_WAIT_S = 0.02  # how long one tick waits for the kiosk's bytes


class SimulatorNotStarted(RuntimeError):
    """The simulator's pty was asked for before ``start()``."""


class PtySimulator:
    THREAD_NAME = "device-sim"

    def __init__(self, link: str | None = None) -> None:
        self.link = link
        self._pty: Pty | None = None
        self._worker: Worker | None = None

    @property
    def url(self) -> str:
        if self._pty is None:
            raise SimulatorNotStarted("simulator not started")
        return self._pty.url

    @property
    def worker(self) -> Worker | None:
        return self._worker

    def start(self) -> Self:
        self._pty = Pty(self.link)
        self._on_start(self._pty)
        self._worker = Worker(self.THREAD_NAME, tick_s=0.0, on_tick=self._serve_once)
        self._worker.start()
        return self

    def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout=2)
        if self._pty is not None:
            self._pty.close()
            self._pty = None

    def _on_start(self, pty: Pty) -> None:
        """Prepare the new pty before the serving worker starts (subclasses)."""

    def _serve_once(self) -> float | None:
        """One bounded read and its answers (subclasses); may return the delay to the next."""
        raise NotImplementedError

    def _post_write(self, data: bytes) -> None:
        """Write ``data`` to the master end on the serving worker (now, when already on it)."""
        worker = self._worker
        if worker is None:
            return
        if worker.is_current():
            self._write_master(data)
        else:
            worker.post(self._write_master, data)

    def _write_master(self, data: bytes) -> None:
        pty = self._pty
        if pty is None:
            return
        with contextlib.suppress(OSError):  # EAGAIN: nobody reads, the USB buffer overflows
            os.write(pty.master, data)
