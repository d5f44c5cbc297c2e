"""The staff panel by the I/O board's keypad, in the real QML offscreen: up/down ring the
panel's buttons (and only them), select presses, back is the panel's back; a PIN is entered
key by key on the ringed pad. Keys go through ``kiosk.devices.route_device_event`` as the
assembly routes them. Sample staff: ben (front desk, PIN 1234)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication

from devtools.ui_sample import STAFF_PINS, SampleDay
from hardware.events import KeypadKey, KeyPressed
from kiosk.devices import route_device_event
from tests.ui.conftest import Staff
from ui.app import KioskUi, UiOptions


@pytest.fixture
def staff(qapp: QGuiApplication, day: SampleDay) -> Iterator[Staff]:
    ui = KioskUi(day.flow(), day.board, lambda: day.age_s, UiOptions(tick_ms=0), admin=day.admin())
    ui.show()
    yield Staff(ui, qapp)
    ui.close()
    qapp.processEvents()


def _key(staff: Staff, name: KeypadKey) -> None:
    route_device_event(staff.ui.flow, staff.ui.admin_model, KeyPressed(name), staff.ui.flow_model)
    staff.settle()


def _ringed(staff: Staff) -> str:
    target = staff.ui.window.property("keypadTarget")
    return target.objectName() if target is not None else ""


def _ring(staff: Staff, name: str, most: int = 40) -> list[str]:
    """Down until ``name`` wears the ring; every button ringed on the way."""
    seen: list[str] = []
    for _ in range(most):
        _key(staff, "down")
        seen.append(_ringed(staff))
        if seen[-1] == name:
            return seen
    raise AssertionError(f"{name} never ringed; ringed: {seen}")


def test_a_pin_signs_in_by_keys_alone_and_back_leaves(staff: Staff) -> None:
    staff.ui.open_admin()
    assert staff.visible("screen_admin_who")
    seen = _ring(staff, "who_ben")
    assert not {"callStaffButton", "languageButton"} & set(seen)  # the patient's top bar is not in the ring
    _key(staff, "select")
    assert staff.visible("screen_admin_pin") and _ringed(staff) == ""  # a new page: nothing ringed
    for digit in STAFF_PINS["ben"][1]:
        _ring(staff, f"pin_{digit}")
        _key(staff, "select")
    assert staff.ui.admin_model.property("pinLength") == len(STAFF_PINS["ben"][1])
    _ring(staff, "pinEnterButton")
    _key(staff, "select")
    assert staff.page == "providers" and staff.visible("screen_admin_providers")
    assert staff.ui.flow.view.screen == "attract"  # the patient flow never moved
    _key(staff, "up")  # up from nothing: the last button of the page
    assert _ringed(staff) != ""
    assert staff.item(_ringed(staff)).property("keypadFocused") is True


def test_back_on_the_pin_pad_goes_back_to_the_names(staff: Staff) -> None:
    staff.ui.open_admin()
    _ring(staff, "who_ben")
    _key(staff, "select")
    assert staff.visible("screen_admin_pin")
    _key(staff, "back")
    assert staff.visible("screen_admin_who") and staff.ui.flow.view.screen == "attract"
