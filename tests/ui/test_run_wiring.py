"""``kiosk run`` with a display: the real touch kiosk offscreen over a hub, simulated
devices on ptys, a patient who walks up and checks in, and every part stopped after."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from config.settings import DeviceSettings, Settings, SpeechSettings, UiSettings
from core.clock import SystemClock
from hardware.ioboard_sim import BoardSimulator
from hardware.printer_sim import PrinterSimulator
from hub.service import HubService
from kiosk.app import has_display
from kiosk.assembly import KioskApp
from sync.cache import KioskCache
from sync.messages import Appointment
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import morning_from_now, site_settings, start_hub
from tests.ui.conftest import Patient
from ui.run import TouchFrontend


def test_a_display_is_x11_wayland_or_a_chosen_qt_platform() -> None:
    assert not has_display({})
    assert has_display({"DISPLAY": ":0"}) and has_display({"WAYLAND_DISPLAY": "wayland-0"})
    assert has_display({"QT_QPA_PLATFORM": "offscreen"})


def _until(predicate: Callable[[], object], what: str, seconds: float = 15.0) -> None:
    """Wait with the Qt loop turning (work reaches the flow through queued signals)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        QTest.qWait(20)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def hub(tmp_path: Path, broker: Broker) -> Iterator[HubService]:
    hub = start_hub(broker.settings(), tmp_path / "hub", morning_starts=morning_from_now())
    yield hub
    hub.stop()


@pytest.fixture
def board_sim(tmp_path: Path) -> Iterator[BoardSimulator]:
    sim = BoardSimulator(str(tmp_path / "ttyIO")).start()
    yield sim
    sim.stop()


@pytest.fixture
def printer_sim(tmp_path: Path) -> Iterator[PrinterSimulator]:
    sim = PrinterSimulator(str(tmp_path / "ttyPRN")).start()
    yield sim
    sim.stop()


def _settings(tmp_path: Path, broker: Broker, board: BoardSimulator, printer: PrinterSimulator) -> Settings:
    return dataclasses.replace(
        site_settings(broker.settings(), tmp_path / "kiosk"),
        devices=DeviceSettings(io_board_url=board.url, printer_url=printer.url),
        ui=UiSettings(fullscreen=False),
        speech=SpeechSettings(enabled=False),  # voice has tests of its own
    )


def _booked_on(dob: str) -> Callable[[KioskCache], list[Appointment]]:
    """A query for the sync worker: today's appointments with birth date ``dob``."""
    return lambda cache: cache.appointments_by_dob([dob])


def _unique_dob_digits(app: KioskApp) -> str:
    """A patient of Dr. Chen's, due within the hour, whose birth date no one else shares."""
    now = wall_now()
    for appt in app.sync.call(lambda c: c.appointments_for("chen")):
        due = datetime.fromisoformat(appt.start)
        if not now - timedelta(minutes=10) <= due <= now + timedelta(minutes=50):
            continue  # outside the arrival window
        if len(app.sync.call(_booked_on(appt.dob))) == 1:
            year, month, day = appt.dob.split("-")
            return month + day + year
    raise AssertionError("every patient shares a birth date")


def test_the_touch_kiosk_wakes_on_presence_checks_a_patient_in_prints_and_stops_every_part(
    tmp_path: Path,
    broker: Broker,
    hub: HubService,
    board_sim: BoardSimulator,
    printer_sim: PrinterSimulator,
    qapp: QGuiApplication,
) -> None:
    threads_before = set(threading.enumerate())
    settings = _settings(tmp_path, broker, board_sim, printer_sim)
    front = TouchFrontend()
    app = KioskApp(settings, clock=SystemClock(), poster=front.poster, exit_app=front.exit)
    ui = front.open(app)
    try:
        assert all(part.state == "running" for part in app.health().values()), app.health()
        patient = Patient(ui, qapp)
        _until(lambda: app.sync.call(lambda c: len(c.appointments_for("chen"))) > 0, "the day in the cache")
        _until(lambda: app.devices.health_snapshot()["io_board"]["state"] == "ok", "the I/O board link")
        _until(lambda: app.devices.health_snapshot()["printer"]["state"] == "ok", "the printer")
        assert patient.screen == "attract"

        board_sim.set_presence(True, distance_cm=60)  # someone walks up to the kiosk
        _until(lambda: patient.screen == "welcome", "the screen to wake")

        patient.tap("dobButton")
        patient.type(_unique_dob_digits(app))
        patient.tap("continueButton")
        assert patient.screen == "confirm"
        patient.tap("yesButton")
        assert patient.screen == "outcome" and app.flow.view.queued
        _until(lambda: printer_sim.jobs, "a ticket at the printer")
        _until(lambda: app.flow.view.ticket == "printed", "the screen to say the ticket printed")
        cache = KioskCache.open(app.sync.cache_path)
        try:
            kinds = [row[0] for row in cache.db.execute("SELECT kind FROM outbox").fetchall()]
        finally:
            cache.close()
        assert kinds == ["checkin"]
    finally:
        front.close()
    assert {name: part.state for name, part in app.health().items()} == dict.fromkeys(
        ("storage", "sync", "devices", "tickets", "flow", "admin"), "stopped"
    )
    board_sim.stop()
    printer_sim.stop()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and set(threading.enumerate()) - threads_before:
        time.sleep(0.05)
    assert not {t.name for t in set(threading.enumerate()) - threads_before}


def test_the_touch_frontend_serves_until_its_event_loop_quits(
    tmp_path: Path, broker: Broker, qapp: QGuiApplication
) -> None:
    settings = dataclasses.replace(
        site_settings(broker.settings(), tmp_path),
        devices=DeviceSettings(io_board_url="sim://", printer_url="sim://"),
        ui=UiSettings(fullscreen=False),
        speech=SpeechSettings(enabled=False),
    )
    front = TouchFrontend()
    app = KioskApp(settings, clock=SystemClock(), poster=front.poster, exit_app=front.exit)
    started: list[bool] = []
    assert front.run(app, quit_after_s=0.5, on_started=lambda: started.append(True)) == 0
    assert started == [True] and (tmp_path / "kiosk.sqlite").exists()
    assert all(part.state == "stopped" for part in app.health().values()), app.health()
