"""What devices tell the kiosk: small typed events, and each device's health.

Events reach the kiosk through an ``on_event(event)`` callback that the kiosk injects.
**The callback runs on a device thread** (the I/O board reader, the camera worker, the
supervisor): it must only hand the event to the kiosk's own loop (``queue.put``,
``loop.call_soon_threadsafe``, a Qt queued signal) and return quickly. An exception raised by the
callback is logged and swallowed so that it never kills a device thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

_log = logging.getLogger(__name__)

HealthState = Literal["ok", "missing", "error"]
HEALTH_STATES: tuple[HealthState, ...] = ("ok", "missing", "error")


@dataclass(frozen=True)
class PresenceChanged:
    """Someone arrived in front of the kiosk (``present``) or left. ``source``: "io_board" or "camera"."""

    present: bool
    source: str


@dataclass(frozen=True)
class StaffCallPressed:
    """The physical "call staff" button was pressed."""


KeypadKey = Literal["up", "down", "select", "back", "help", "repeat", "vol_up", "vol_down"]


@dataclass(frozen=True)
class KeyPressed:
    """A key of the tactile keypad went down (EZ Access style): the patient's way through
    every screen without touch. ``key`` is one of ``KeypadKey``."""

    key: KeypadKey


@dataclass(frozen=True)
class BadgeRead:
    """The card reader read a badge."""

    badge_id: str


@dataclass(frozen=True)
class QrDecoded:
    """The camera decoded a QR code (e.g. an appointment confirmation)."""

    text: str


@dataclass(frozen=True)
class DeviceHealth:
    """One device's health: ``state`` is "ok", "missing" or "error"; ``reason`` says why when not ok."""

    name: str
    state: HealthState
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state, "reason": self.reason}


@dataclass(frozen=True)
class DeviceHealthChanged:
    """A device's health changed (for the technician view and telemetry)."""

    health: DeviceHealth


DeviceEvent = PresenceChanged | StaffCallPressed | KeyPressed | BadgeRead | QrDecoded | DeviceHealthChanged
EventCallback = Callable[[DeviceEvent], None]


def safe_emit(callback: EventCallback | None, event: DeviceEvent) -> bool:
    """Call the kiosk's callback; a bug there is logged (its type, and the event's kind),
    never raised into a device worker. False when the callback raised."""
    if callback is None:
        return True
    try:
        callback(event)
    except Exception as exc:  # noqa: BLE001 - the boundary: the kiosk's bug must not kill the device worker
        _log.error("on_event callback raised %s for %s", type(exc).__name__, type(event).__name__)
        return False
    return True


class HealthRegistry:
    """Thread-safe latest health per device; emits ``DeviceHealthChanged`` on every change."""

    def __init__(self, on_event: EventCallback | None = None) -> None:
        self._lock = threading.Lock()
        self._health: dict[str, DeviceHealth] = {}
        self._on_event = on_event
        self.callback_errors = 0  # on_event raised while told of a health change

    def set(self, name: str, state: HealthState, reason: str = "") -> DeviceHealth:
        if state not in HEALTH_STATES:
            raise ValueError(f"health state {state!r}: expected one of {HEALTH_STATES}")
        health = DeviceHealth(name, state, reason)
        with self._lock:
            changed = self._health.get(name) != health
            self._health[name] = health
        if changed:
            log = _log.info if state == "ok" else _log.warning
            log("device %s: %s%s", name, state, f" ({reason})" if reason else "")
            if not safe_emit(self._on_event, DeviceHealthChanged(health)):
                with self._lock:
                    self.callback_errors += 1
        return health

    def get(self, name: str) -> DeviceHealth | None:
        with self._lock:
            return self._health.get(name)

    def snapshot(self) -> dict[str, dict[str, str]]:
        """JSON-able ``{"io_board": {"state": "ok", "reason": ""}, ...}`` for retained telemetry."""
        with self._lock:
            return {name: h.as_dict() for name, h in sorted(self._health.items())}
