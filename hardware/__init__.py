"""Peripherals: the serial I/O board, the ESC/POS ticket printer, the camera, and their health.

The kiosk builds one ``Devices`` from ``settings.devices`` with an ``on_event`` callback.
That callback is called **on device workers**: marshal each event to the kiosk's own
loop (a queue, ``call_soon_threadsafe``, a queued Qt signal) and return at once.
"""

from core.backoff import Backoff
from hardware.devices import Devices
from hardware.errors import DeviceMissing
from hardware.events import (
    BadgeRead,
    DeviceEvent,
    DeviceHealth,
    DeviceHealthChanged,
    EventCallback,
    HealthRegistry,
    KeyPressed,
    PresenceChanged,
    QrDecoded,
    StaffCallPressed,
)
from hardware.ioproto import LedMode
from hardware.supervisor import Check, DeviceSupervisor
from hardware.ticket import PrintResult, Ticket

__all__ = [
    "Backoff",
    "BadgeRead",
    "Check",
    "DeviceEvent",
    "DeviceHealth",
    "DeviceHealthChanged",
    "DeviceMissing",
    "DeviceSupervisor",
    "Devices",
    "EventCallback",
    "HealthRegistry",
    "KeyPressed",
    "LedMode",
    "PresenceChanged",
    "PrintResult",
    "QrDecoded",
    "StaffCallPressed",
    "Ticket",
]
