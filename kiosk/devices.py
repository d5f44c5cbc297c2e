"""What the assembly joins between the devices and the flow: ticket printing on one worker,
device events routed to the flow (or the staff entry), device health for the telemetry."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from config.settings import Settings
from core.clock import Clock
from core.worker import Worker
from domain.estimate import ArrivalWindow
from domain.flow import CheckInFlow, FlowSettings, FlowView, Patient
from domain.flow_view import Screen
from hardware import Devices, PresenceChanged, QrDecoded, StaffCallPressed, Ticket
from hardware.events import BadgeRead, DeviceEvent, KeyPressed
from sync import messages as m

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
    """The flow's ``print_ticket``: queues the ticket on the ``tickets`` worker and answers
    later through ``done`` (a printer fault never blocks a check-in)."""

    def __init__(
        self, devices: Devices, practice: str, clock: Clock, worker: Worker, done: Callable[[bool], None]
    ) -> None:
        self._devices = devices
        self._practice = practice
        self._clock = clock
        self._worker = worker
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
        if not self._worker.post(self._print, ticket):
            return False  # the printer queue is not running: "could not be printed"
        return None

    def _print(self, ticket: Ticket) -> None:
        ok = False
        try:
            ok = self._devices.print_ticket(ticket).ok
        finally:
            self._done(ok)


class _Panel(Protocol):
    @property
    def is_open(self) -> bool: ...


class StaffEntry(Protocol):
    """What routing needs of a staff panel (the touch UI's ``AdminModel``)."""

    @property
    def panel(self) -> _Panel: ...

    def badge(self, badge_id: str) -> bool: ...


class KeypadFocus(Protocol):
    """The screen's side of the keypad (the touch UI's ``FlowModel``): up/down move the focus
    among the current screen's choices, select activates it, back is the screen's back."""

    def key(self, name: str) -> None: ...


class KeypadVoice(Protocol):
    """The voice's side of the keypad (``kiosk.voice.Voice``): the words of "help" and "repeat"."""

    def speak_help(self) -> None: ...
    def speak_again(self) -> None: ...


def route_device_event(
    flow: CheckInFlow | None,
    staff: StaffEntry | None,
    event: DeviceEvent,
    focus: KeypadFocus | None = None,
    voice: KeypadVoice | None = None,
) -> None:
    """On the flow thread. A badge only ever signs in to the staff entry; while the staff
    panel is open, patient-side events (presence, QR codes, the call button) are ignored and
    the keypad's up, down, select and back work the panel (its PIN pad included)."""
    if isinstance(event, BadgeRead):
        if staff is None or not staff.badge(event.badge_id):
            log.info("badge read outside the staff entry: ignored")
        return
    if flow is None:
        return
    if staff is not None and staff.panel.is_open:
        if isinstance(event, KeyPressed) and focus is not None and event.key in _STAFF_KEYS:
            focus.key(event.key)  # the staff panel by keypad: its buttons ringed (Main.qml)
        return
    if isinstance(event, PresenceChanged) and event.present:
        flow.wake()
    elif isinstance(event, QrDecoded):
        flow.scan_qr(event.text)
    elif isinstance(event, StaffCallPressed):
        flow.call_staff()
    elif isinstance(event, KeyPressed):
        route_key(flow, event.key, focus, voice)


_STAFF_KEYS = frozenset({"up", "down", "select", "back"})
"""Keys the staff panel takes (the patient's help, repeat and volume mean nothing there)."""


def route_key(flow: CheckInFlow, key: str, focus: KeypadFocus | None, voice: KeypadVoice | None) -> None:
    """One keypad key: a patient's presence as a touch is (it answers the idle warning), then
    the volume step, the spoken help or repeat, or the screen's focus. On the attract screen
    select, help and repeat start (the welcome greets aloud); a screen with no focus target
    (headless) still takes select as a wake."""
    flow.touch()
    if key in ("vol_up", "vol_down"):
        flow.change_volume(1 if key == "vol_up" else -1)
    elif flow.view.screen == Screen.ATTRACT and key in ("select", "help", "repeat"):
        flow.wake()
    elif key in ("help", "repeat"):
        if voice is None:
            log.info("keypad %s: no voice to speak it", key)
        elif key == "help":
            voice.speak_help()
        else:
            voice.speak_again()
    elif focus is not None:
        focus.key(key)


def device_states(devices: Devices) -> dict[str, m.DeviceState]:
    out = {}
    for name, health in devices.health_snapshot().items():
        state = health.get("state", "error")
        out[name] = m.DeviceState(state if state in ("ok", "missing") else "error", health.get("reason", ""))  # type: ignore[arg-type]
    return out


__all__ = [
    "KeypadFocus",
    "KeypadVoice",
    "StaffEntry",
    "TicketPrinting",
    "device_states",
    "flow_settings",
    "route_device_event",
    "route_key",
]
