"""The kiosk's one handle on its peripherals, built from ``[devices]`` settings.

``Devices`` wraps the ``DeviceSupervisor`` with the calls the kiosk makes: ``print_ticket``
(never raises), ``set_led`` (never raises), ``health_snapshot``, and ``workers()`` /
``responsive()`` for the watchdog; ``start``/``stop`` are its lifecycle. A URL of
``sim://`` starts the matching simulator on a pty (the demo uses it).
"""

from __future__ import annotations

import logging
from typing import Any

from config.settings import DeviceSettings
from core.backoff import Backoff
from core.clock import Clock, SystemClock
from core.worker import Worker
from hardware.camera import Camera
from hardware.events import EventCallback
from hardware.ioboard import IoBoard, LinkTiming
from hardware.ioboard_sim import BoardSimulator
from hardware.ioproto import LedMode
from hardware.printer import TicketPrinter
from hardware.printer_sim import PrinterSimulator
from hardware.supervisor import Device, DeviceSupervisor
from hardware.ticket import PrintResult, Ticket

_log = logging.getLogger(__name__)
SIM_URL = "sim://"


class Devices:
    """All configured peripherals under one supervisor. Callbacks arrive on device workers."""

    def __init__(
        self,
        settings: DeviceSettings,
        on_event: EventCallback | None = None,
        clock: Clock | None = None,
        *,
        stall_s: float = 5.0,
    ) -> None:
        """``stall_s``: how long one item may keep a device worker busy (``on_event`` must
        return at once) before it is reported stalled."""
        clock = clock or SystemClock()
        self.simulators: list[Any] = []
        devices: list[Device] = []
        self.io_board: IoBoard | None = None
        self.printer: TicketPrinter | None = None
        self.camera: Camera | None = None
        self.board_sim: BoardSimulator | None = None
        self.printer_sim: PrinterSimulator | None = None
        if settings.io_board_url:
            url = settings.io_board_url
            if url == SIM_URL:
                self.board_sim = BoardSimulator().start()
                self.simulators.append(self.board_sim)
                url = self.board_sim.url
            timing = LinkTiming(
                heartbeat=settings.io_board_heartbeat_s,
                baudrate=settings.io_board_baudrate,
                silence_limit=max(3.5, settings.io_board_heartbeat_s * 3.5),
            )
            self.io_board = IoBoard(url, on_event, clock, timing, stall_s=stall_s)
            devices.append(self.io_board)
        if settings.printer_url:
            url = settings.printer_url
            if url == SIM_URL:
                self.printer_sim = PrinterSimulator().start()
                self.simulators.append(self.printer_sim)
                url = self.printer_sim.url
            self.printer = TicketPrinter(url, settings.printer_baudrate, settings.printer_width)
            devices.append(self.printer)
        if settings.camera:
            self.camera = Camera(
                settings.camera,
                on_event,
                clock=clock,
                idle_fps=settings.camera_idle_fps,
                active_fps=settings.camera_active_fps,
                stall_s=stall_s,
            )
            devices.append(self.camera)
        self.supervisor = DeviceSupervisor(
            devices,
            on_event,
            clock=clock,
            backoff=Backoff(settings.reconnect_min_s, settings.reconnect_max_s),
        )

    def start(self) -> None:
        self.supervisor.start()

    def stop(self) -> None:
        try:
            self.supervisor.stop()
        finally:
            for sim in reversed(self.simulators):
                sim.stop()

    def health_snapshot(self) -> dict[str, dict[str, str]]:
        """``{"io_board": {"state": "ok", "reason": ""}, ...}`` for the retained health telemetry.
        A device whose worker is stuck shows as ``error`` / "io-board worker stalled"."""
        return self.supervisor.health_snapshot()

    def workers(self) -> list[Worker]:
        """The supervisor's worker and each open device's (the io-board reader, the camera)."""
        return self.supervisor.workers()

    def responsive(self) -> bool:
        """False once the supervisor or a running device worker is stuck (for the watchdog)."""
        return self.supervisor.responsive()

    def print_ticket(self, ticket: Ticket) -> PrintResult:
        """Print a check-in ticket; never raises. Health is rechecked after a failure."""
        if self.printer is None:
            return PrintResult.failed("no printer configured")
        if not self.supervisor.is_open(self.printer.name):
            health = self.supervisor.health.get(self.printer.name)
            why = f"{health.state}: {health.reason}" if health else "missing"
            return PrintResult.failed(f"printer {why}")
        result = self.printer.print_ticket(ticket)
        if not result.ok:
            _log.warning("ticket not printed: %s", result.reason)
            self.supervisor.check_now(self.printer.name)
        return result

    def set_led(self, mode: LedMode) -> None:
        """Set the LED ring (remembered across reconnects); never raises."""
        if self.io_board is not None:
            self.io_board.set_led(mode)
