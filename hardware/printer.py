"""The ticket printer: ESC/POS over a serial URL, status checks, and a ``print_ticket`` that never raises.

A printer fault never blocks a check-in: ``print_ticket`` returns ``PrintResult(ok=False,
reason=...)`` (the screen then says the ticket could not be printed) and health shows why.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from hardware import ticket as t
from hardware.errors import DeviceError
from hardware.serialport import open_port
from hardware.supervisor import Check
from hardware.ticket import PrintResult, Ticket

_log = logging.getLogger(__name__)


class TicketPrinter:
    """One ESC/POS printer at ``url``. Thread-safe; the supervisor opens and checks it."""

    name = "printer"

    def __init__(self, url: str, baudrate: int = 19200, width: int = 42, status_timeout: float = 0.5) -> None:
        self.url = url
        self.baudrate = baudrate
        self.width = width
        self.status_timeout = status_timeout
        self._port: Any = None
        self._lock = threading.Lock()
        self._lost = ""

    def open(self) -> None:
        with self._lock:
            self._close_port()
            self._port = open_port(self.url, self.baudrate, timeout=self.status_timeout)
            self._lost = ""

    def close(self) -> None:
        with self._lock:
            self._close_port()

    def check(self) -> Check:
        with self._lock:
            if self._port is None or self._lost:
                return Check("missing", self._lost or "not connected", reopen=True)
            try:
                faults, low = self._status()
            except DeviceError as exc:
                return Check("error", str(exc))
            except Exception as exc:  # noqa: BLE001 - any port failure means the printer went away
                self._lost = f"port failed: {exc}"
                return Check("missing", self._lost, reopen=True)
        if faults:
            return Check("error", ", ".join(faults))
        return Check("ok", "paper low" if low else "")

    def print_ticket(self, ticket: Ticket) -> PrintResult:
        """Check status, send the ticket, check again. Never raises."""
        try:
            data = t.render_ticket(ticket, self.width)
        except Exception as exc:  # noqa: BLE001 - a rendering bug must not stop a check-in
            _log.exception("ticket rendering failed")
            return PrintResult.failed(f"ticket could not be rendered: {exc}")
        with self._lock:
            if self._port is None or self._lost:
                return PrintResult.failed(f"printer not connected ({self._lost or 'missing'})")
            return self._send_locked(data)

    def _send_locked(self, data: bytes) -> PrintResult:
        try:
            faults, _ = self._status()
            if faults:
                return PrintResult.failed("printer " + ", ".join(faults))
            self._port.write(data)
            self._port.flush()
            faults, _ = self._status()
        except DeviceError as exc:
            return PrintResult.failed(str(exc))
        except Exception as exc:  # noqa: BLE001 - SerialException/OSError: the printer went away
            self._lost = f"port failed: {exc}"
            _log.warning("printer %s lost while printing: %s", self.url, exc)
            return PrintResult.failed(f"printer disconnected: {exc}")
        if faults:
            return PrintResult.failed("printer " + ", ".join(faults) + " while printing")
        return PrintResult(True)

    def _status(self) -> tuple[list[str], bool]:
        """Ask DLE EOT 1 (and 2/4 when offline): (faults, paper low). Caller holds the lock."""
        printer = self._query(t.STATUS_PRINTER)
        paper = self._query(t.STATUS_PAPER)
        causes = t.status_faults(t.STATUS_PAPER, paper)
        faults = t.status_faults(t.STATUS_PRINTER, printer)
        if faults or causes:
            causes += t.status_faults(t.STATUS_OFFLINE, self._query(t.STATUS_OFFLINE))
            faults = causes or faults  # "offline" only when the printer says no more
        return list(dict.fromkeys(faults)), t.paper_low(paper)

    def _query(self, n: int) -> int:
        self._port.reset_input_buffer()
        self._port.write(t.status_query(n))
        reply: bytes = self._port.read(1)
        if not reply:
            raise DeviceError("printer not answering status requests")
        if not t.valid_status(reply[0]):
            raise DeviceError(f"printer sent an invalid status byte 0x{reply[0]:02x}")
        return reply[0]

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception as exc:  # noqa: BLE001 - closing a vanished port may fail
                _log.debug("closing %s: %s", self.url, exc)
