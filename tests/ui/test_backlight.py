"""The idle board dims the panel's backlight (a sysfs directory of real files here), not
its words; a touch brings the light back, and so does stopping."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.ui_sample import SampleDay
from tests.ui.conftest import Patient
from ui.app import KioskUi
from ui.backlight import Backlight


def _device(root: Path, name: str = "10-0045", brightness: int = 200, top: int = 255) -> Path:
    device = root / name
    device.mkdir(parents=True)
    (device / "brightness").write_text(f"{brightness}\n")
    (device / "max_brightness").write_text(f"{top}\n")
    return device


def _level(device: Path) -> int:
    return int((device / "brightness").read_text())


def test_the_idle_board_dims_the_backlight_and_a_touch_restores_it(
    tmp_path: Path, kiosk: KioskUi, patient: Patient, day: SampleDay
) -> None:
    device = _device(tmp_path)
    backlight = Backlight.find(dim_fraction=0.3, root=tmp_path)
    kiosk.flow_model.dimChanged.connect(backlight.set_dimmed)
    day.clock.advance(61)  # the fixture dims after 60 s
    kiosk.tick()
    assert _level(device) == round(255 * 0.3)
    assert patient.item("dimOverlay").isVisible()
    patient.tap("dimOverlay")
    assert _level(device) == 200 and patient.screen == "welcome"


def test_release_puts_the_brightness_in_use_back(tmp_path: Path) -> None:
    device = _device(tmp_path, brightness=180)
    backlight = Backlight.find("10-0045", 0.5, root=tmp_path)
    backlight.set_dimmed(True)
    assert _level(device) == 128 and backlight.dimmed
    backlight.release()
    assert _level(device) == 180 and not backlight.dimmed


def test_an_already_dim_panel_is_left_alone(tmp_path: Path) -> None:
    device = _device(tmp_path, brightness=20)
    backlight = Backlight.find(root=tmp_path)
    backlight.set_dimmed(True)
    backlight.set_dimmed(False)
    assert _level(device) == 20


def test_no_backlight_or_no_right_to_write_leaves_the_board_bright(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    Backlight.find(root=tmp_path / "none").set_dimmed(True)  # nothing there: nothing happens
    device = _device(tmp_path)
    (device / "brightness").chmod(0o444)
    (device / "max_brightness").write_text("not a number\n")
    backlight = Backlight.find(root=tmp_path)
    backlight.set_dimmed(True)
    backlight.set_dimmed(False)
    assert _level(device) == 200 and "not dimmed" in caplog.text
