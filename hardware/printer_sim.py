"""A pty-backed ESC/POS printer simulator: decodes what it receives and answers status requests.

Faults are set by attribute (``paper_out``, ``cover_open``, ``offline``, ``mute``), and
``vanish()`` / ``reappear()`` unplug and replug it. ``kiosk sim printer`` runs one.
"""

from __future__ import annotations

import os
import select
import threading

from hardware import ticket as t
from hardware.escpos_decode import EscPosDecoder, Job
from hardware.pty_sim import SERVE_WAIT_S, PtySimulator


class PrinterSimulator(PtySimulator):
    THREAD_NAME = "printer-sim"

    def __init__(self, link: str | None = None) -> None:
        super().__init__(link)
        self.paper_out = False
        self.paper_low = False
        self.cover_open = False
        self.offline = False
        self.mute = False  # never answer status requests
        self.decoder = EscPosDecoder()
        self.printed_while_faulted = 0
        self._lock = threading.Lock()

    @property
    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self.decoder.jobs)

    def vanish(self) -> None:
        """Unplug: the pty closes and (with a link) the device name disappears."""
        self.stop()

    def reappear(self) -> None:
        self.start()

    def _faulted(self) -> bool:
        return self.paper_out or self.cover_open or self.offline

    def _serve_once(self) -> float | None:
        pty = self._pty
        if pty is None:
            return SERVE_WAIT_S
        try:
            ready, _, _ = select.select([pty.master], [], [], SERVE_WAIT_S)
            data = os.read(pty.master, 4096) if ready else b""
        except (OSError, ValueError):
            return SERVE_WAIT_S  # EIO while the kiosk has the port closed; EBADF after stop
        if data:
            self._answer(data)
        return None

    def _answer(self, data: bytes) -> None:
        with self._lock:
            before = len(self.decoder.jobs)
            queries = self.decoder.feed(data)
            if len(self.decoder.jobs) > before and self._faulted():
                self.printed_while_faulted += 1
        for n in queries:
            if self.mute:
                continue
            reply = t.status_byte(
                n,
                offline=self.offline,
                cover_open=self.cover_open,
                paper_out=self.paper_out,
                paper_low=self.paper_low,
            )
            self._write_master(bytes((reply,)))
