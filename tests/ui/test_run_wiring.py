"""``kiosk run`` with a display: storage → sync → devices → flow → UI, and back down."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from config.settings import DeviceSettings, UiSettings
from kiosk.app import has_display
from tests.support.broker import Broker
from tests.support.site import site_settings
from ui.run import run_touch_kiosk


def test_a_display_is_x11_wayland_or_a_chosen_qt_platform() -> None:
    assert not has_display({})
    assert has_display({"DISPLAY": ":0"}) and has_display({"WAYLAND_DISPLAY": "wayland-0"})
    assert has_display({"QT_QPA_PLATFORM": "offscreen"})


def test_the_touch_kiosk_starts_with_simulated_devices_and_stops_cleanly(
    tmp_path: Path, broker: Broker, qapp: QGuiApplication
) -> None:
    settings = dataclasses.replace(
        site_settings(broker.settings(), tmp_path),
        devices=DeviceSettings(io_board_url="sim://", printer_url="sim://"),
        ui=UiSettings(fullscreen=False),
    )
    assert run_touch_kiosk(settings, quit_after_s=1.5) == 0
    assert (tmp_path / "kiosk.sqlite").exists()
