"""A pty-backed ESC/POS printer simulator: decodes what it receives and answers status requests.

Faults are set by attribute (``paper_out``, ``cover_open``, ``offline``, ``mute``), and
``vanish()`` / ``reappear()`` unplug and replug it. ``kiosk sim printer`` runs one.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading

from hardware import ticket as t
from hardware.escpos_decode import EscPosDecoder, Job
from hardware.serialport import Pty


class PrinterSimulator:
    def __init__(self, link: str | None = None) -> None:
        self.link = link
        self.paper_out = False
        self.paper_low = False
        self.cover_open = False
        self.offline = False
        self.mute = False  # never answer status requests
        self.decoder = EscPosDecoder()
        self.printed_while_faulted = 0
        self._pty: Pty | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        if self._pty is None:
            raise RuntimeError("simulator not started")
        return self._pty.url

    @property
    def jobs(self) -> list[Job]:
        with self._lock:
            return list(self.decoder.jobs)

    def start(self) -> PrinterSimulator:
        self._pty = Pty(self.link)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="printer-sim", daemon=True)
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

    vanish = stop

    def reappear(self) -> None:
        self.start()

    def _faulted(self) -> bool:
        return self.paper_out or self.cover_open or self.offline

    def _run(self) -> None:
        pty = self._pty
        if pty is None:
            return
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([pty.master], [], [], 0.02)
                data = os.read(pty.master, 4096) if ready else b""
            except (OSError, ValueError):
                if self._stop.wait(0.02):
                    return
                continue
            if not data:
                continue
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
                with contextlib.suppress(OSError):
                    os.write(pty.master, bytes((reply,)))
