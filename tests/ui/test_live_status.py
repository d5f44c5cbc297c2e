"""Live provider status on screen: the board follows the cache, and a hub status change
while a patient is on the confirm screen is what their outcome says (real mosquitto)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from devtools.ui_sample import SampleDay
from domain.flow import CheckInFlow
from hub.service import HubService
from sync.cache import KioskCache
from sync.kiosk_sync import KioskSync, SyncChange, cache_age_from_meta
from sync.messages import Appointment
from tests.support.broker import Broker
from tests.support.clock import wall_today
from tests.support.site import site_settings, start_hub, status_request, wait_for
from tests.ui.conftest import Patient
from ui.app import KioskUi, UiOptions
from ui.flow_model import CODE_KEYS


def test_the_board_changes_when_the_sync_thread_reports_a_change(
    patient: Patient, day: SampleDay, kiosk: KioskUi, qtbot: QtBot
) -> None:
    assert patient.text("status_Dr. Wei Chen") == "On time"
    day.set_status("chen", "late", delay_min=15)
    worker = threading.Thread(
        target=kiosk.board_model.on_sync_change, args=(SyncChange("status", "chen", 9),)
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: patient.text("status_Dr. Wei Chen") == "Running 15 min late", timeout=2000)


@dataclass(frozen=True)
class Live:
    """A hub, a kiosk's sync loop and its touch UI, and the appointment the patient comes for."""

    hub: HubService
    sync: KioskSync
    ui: KioskUi
    appointment: Appointment


@pytest.fixture
def live(tmp_path: Path, broker: Broker, qapp: QGuiApplication) -> Iterator[Live]:
    hub = start_hub(broker.settings(), tmp_path / "hub")
    settings = site_settings(broker.settings(), tmp_path / "kiosk")
    sync = KioskSync(settings)
    ui_cache: KioskCache | None = None
    ui: KioskUi | None = None
    try:
        sync.start()
        wait_for(lambda: sync.call(lambda c: len(c.providers())) == 4, what="the schedule")
        ui_cache = KioskCache.open(sync.cache_path)
        appt = next(a for a in ui_cache.appointments_for("chen") if all(ch in CODE_KEYS for ch in a.code))
        start = datetime.fromisoformat(appt.start)
        clock = ManualClock(start - timedelta(minutes=10))
        cache = ui_cache
        flow = CheckInFlow(
            cache,
            sync.submit,
            clock,
            settings.kiosk.id,
            cache_age=lambda: 0.0 if sync.is_live() else cache_age_from_meta(cache, clock),
        )
        ui = KioskUi(flow, lambda: (cache.providers(), cache.statuses()), lambda: 0.0, UiOptions(tick_ms=0))
        sync.add_listener(ui.board_model.on_sync_change)
        ui.show()
        yield Live(hub, sync, ui, appt)
    finally:
        if ui is not None:
            ui.close()
        if ui_cache is not None:
            ui_cache.close()
        sync.stop()
        hub.stop()


def test_a_status_change_on_the_confirm_screen_shows_in_the_outcome(
    live: Live, qapp: QGuiApplication, qtbot: QtBot
) -> None:
    hub, ui, appt = live.hub, live.ui, live.appointment
    patient = Patient(ui, qapp)
    assert appt.start[:10] == wall_today().isoformat()
    patient.tap("startButton")
    patient.tap("codeButton")
    patient.type(appt.code)
    patient.tap("continueButton")
    assert (
        patient.screen == "confirm"
        and patient.text("patientName") == f"{appt.first_name} {appt.last_prefix[0]}."
    )

    hub.set_status(status_request("chen", "late", delay=25))  # the front desk, while the patient reads
    qtbot.waitUntil(
        lambda: any(r.state == "late" for r in ui.board_model.rows if r.provider_id == "chen"), timeout=5000
    )

    patient.tap("yesButton")
    assert patient.text("outcomeHeadline") == "Dr. Wei Chen is running about 25 minutes late."
    expected = (datetime.fromisoformat(appt.start) + timedelta(minutes=25)).strftime("%H:%M")
    assert f"Your new estimated time is {expected}." in patient.text("outcomeDetail")
    patient.tap("option_waiting_late")
    wait_for(lambda: hub.call(lambda s: s.checkin_count()) == 1, what="the check-in at the hub")
