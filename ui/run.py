"""A running touch kiosk: storage → sync → devices → flow → UI, stopped in reverse.

Device events arrive on device threads and sync changes on the sync thread; both reach
the flow and the board through queued signals on the Qt thread. Tickets print on a worker
thread: a printer fault shows "could not be printed" and never blocks a check-in.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

from config.settings import Settings
from core.clock import Clock, SystemClock
from core.systemd import Heartbeat, notify, supervise
from domain.admin import AdminSession
from domain.admin_backend import AdminBackend, LogTail, SyncStatus
from domain.estimate import ArrivalWindow
from domain.flow import CheckInFlow, FlowSettings, FlowView, Patient
from hardware import Devices, LedMode, PresenceChanged, QrDecoded, StaffCallPressed, Ticket
from hardware.events import BadgeRead, DeviceEvent
from sync import messages as m
from sync.cache import KioskCache, Provider
from sync.kiosk_sync import KioskSync, cache_age_from_meta
from ui.app import KioskUi, UiOptions
from ui.relay import Relay
from ui.voice import start_voice

log = logging.getLogger(__name__)


def flow_settings(settings: Settings) -> FlowSettings:
    ui = settings.ui
    return FlowSettings(
        idle_timeout_s=ui.idle_timeout_s,
        countdown_s=ui.countdown_s,
        done_linger_s=ui.done_linger_s,
        stale_after_s=settings.kiosk.stale_after_s,
        window=ArrivalWindow(ui.arrive_before_min, ui.arrive_after_min),
        language=ui.language,
    )


class TicketPrinting:
    """The flow's ``print_ticket``: prints on a worker thread, answers through ``done``."""

    def __init__(self, devices: Devices, practice: str, clock: Clock, done: Callable[[bool], None]) -> None:
        self._devices = devices
        self._practice = practice
        self._clock = clock
        self._done = done
        self._number = 0

    def __call__(self, patient: Patient, view: FlowView) -> bool | None:
        self._number += 1
        estimated = view.outcome.estimated if view.outcome is not None else None
        ticket = Ticket(
            self._practice,
            patient.first_name,
            patient.last_initial,
            patient.provider_name,
            estimated.strftime("%H:%M") if estimated and not view.stale else None,
            view.stale,
            self._number,
            uuid.uuid4().hex[:8].upper(),
            self._clock.now(),
        )
        threading.Thread(target=self._print, args=(ticket,), name="ticket", daemon=True).start()
        return None

    def _print(self, ticket: Ticket) -> None:
        self._done(self._devices.print_ticket(ticket).ok)


def _device_states(devices: Devices) -> dict[str, m.DeviceState]:
    out = {}
    for name, health in devices.health_snapshot().items():
        state = health.get("state", "error")
        out[name] = m.DeviceState(state if state in ("ok", "missing") else "error", health.get("reason", ""))  # type: ignore[arg-type]
    return out


def run_touch_kiosk(
    settings: Settings,
    *,
    sync: KioskSync | None = None,
    clock: Clock | None = None,
    quit_after_s: float = 0.0,
) -> int:
    """Run until the window's event loop quits (SIGINT/SIGTERM, or ``quit_after_s``).

    With ``sync`` given (the demo), that sync is already running and stays the caller's.
    """
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    assert isinstance(app, QGuiApplication)
    clock = clock or SystemClock()
    with ExitStack() as stack:
        if sync is None:
            sync = KioskSync(settings, clock=clock)
            sync.start()  # storage (the cache and outbox) and sync
            stack.callback(sync.stop)
        live = sync
        cache = KioskCache.open(sync.cache_path)  # the Qt thread's own connection
        stack.callback(cache.close)

        tail = LogTail()  # the technician view's log tail (ids only, never patient data)
        logging.getLogger().addHandler(tail)
        stack.callback(logging.getLogger().removeHandler, tail)

        ui_box: list[KioskUi] = []
        events = Relay(lambda event: route_device_event(ui_box, event))
        devices = Devices(settings.devices, on_event=events.post, clock=clock)
        devices.start()
        stack.callback(devices.stop)

        tickets = Relay(lambda ok: ui_box[0].flow.ticket_done(bool(ok)) if ui_box else None)
        printer = (
            TicketPrinting(devices, settings.ui.practice_name, clock, tickets.post)
            if settings.devices.printer_url
            else None
        )

        def call_staff() -> None:
            log.warning("a patient called staff", extra={"kiosk": settings.kiosk.id})
            devices.set_led(LedMode.ATTENTION)

        flow = CheckInFlow(
            cache,
            sync.submit,
            clock,
            settings.kiosk.id,
            cache_age=lambda: 0.0 if live.is_live() else cache_age_from_meta(cache, clock),
            print_ticket=printer,
            on_call_staff=call_staff,
            settings=flow_settings(settings),
        )

        def board() -> tuple[list[Provider], dict[str, m.ProviderStatus]]:
            return cache.providers(), cache.statuses()

        admin = AdminBackend(
            AdminSession(settings.staff, settings.kiosk.id, clock, sync.submit),
            clock,
            board,
            cache.appointments_for,
            idle_s=settings.staff.session_idle_s,
            sync_status=lambda: _sync_status(live),
            device_health=devices.health_snapshot,
            log_lines=tail.lines,
            exit_app=app.exit,
        )
        ui = KioskUi(
            flow,
            board,
            lambda: 0.0 if live.is_live() else cache_age_from_meta(cache, clock),
            UiOptions.from_settings(settings),
            admin,
        )
        ui_box.append(ui)
        stack.callback(ui.close)
        sync.add_listener(ui.board_model.on_sync_change)
        sync.add_listener(ui.admin_model.on_sync_change)
        ui.show()
        _serve(settings, ui, devices, live, clock=clock, stack=stack)
        _quit_on_signals(app, stack)
        if quit_after_s:
            QTimer.singleShot(int(quit_after_s * 1000), lambda: app.exit(0))
        return int(app.exec())


def _sync_status(sync: KioskSync) -> SyncStatus | None:
    """For the technician view, asked on the Qt thread: None when the sync loop does not answer."""
    try:
        health = sync.call(lambda _cache: sync.health(), timeout=1.0)
    except TimeoutError:
        return None
    return SyncStatus(health.connected, sync.is_live(), health.cache_age_s, health.outbox_depth)


def route_device_event(ui_box: list[KioskUi], event: DeviceEvent) -> None:
    """On the Qt thread. A badge only ever signs in to the staff entry; while the staff panel
    is open, patient-side events (presence, QR codes, the call button) are ignored."""
    if not ui_box:
        return
    ui = ui_box[0]
    if isinstance(event, BadgeRead):
        if not ui.admin_model.badge(event.badge_id):
            log.info("badge read outside the staff entry: ignored")
        return
    if ui.admin_model.panel.is_open:
        return
    flow = ui.flow
    if isinstance(event, PresenceChanged) and event.present:
        flow.wake()
    elif isinstance(event, QrDecoded):
        flow.scan_qr(event.text)
    elif isinstance(event, StaffCallPressed):
        flow.call_staff()


def _serve(
    settings: Settings, ui: KioskUi, devices: Devices, sync: KioskSync, *, clock: Clock, stack: ExitStack
) -> None:
    """Once the screen is up: voice, health telemetry, then systemd READY and the watchdog."""
    flow = ui.flow
    _voice, voice_off = start_voice(settings, flow, sync, clock, stack)
    voice_state = (
        {"voice": m.DeviceState("error", voice_off)} if voice_off and settings.speech.enabled else {}
    )
    latest_metrics: dict[str, float] = {}
    sync.set_health_sources(
        device_health=lambda: {**_device_states(devices), **voice_state}, metrics=lambda: latest_metrics
    )

    def publish_metrics() -> None:
        latest_metrics.clear()
        latest_metrics.update(flow.metrics.summary())

    ui.timer.timeout.connect(publish_metrics)
    # READY once the cache is open and the screen is up; the watchdog is petted only while
    # the Qt loop turns (its 1 s timer beats) and the sync loop answers.
    main_loop = Heartbeat(max_age_s=10, clock=time.monotonic)
    ui.timer.timeout.connect(main_loop.beat)
    dog = supervise({"main loop": main_loop.alive, "sync": sync.alive})
    if dog is not None:
        stack.callback(dog.stop)
    notify("READY=1")
    stack.callback(lambda: notify("STOPPING=1"))


def _quit_on_signals(app: QGuiApplication, stack: ExitStack) -> None:
    """SIGINT/SIGTERM quit the event loop (a timer lets Python see signals while Qt runs)."""
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: app.exit(0))  # exit(): quit() would ask the window, which refuses
    stack.callback(lambda: [signal.signal(s, h) for s, h in previous.items()])
    pulse = QTimer(app)
    pulse.timeout.connect(lambda: None)
    pulse.start(200)
    stack.callback(pulse.stop)
