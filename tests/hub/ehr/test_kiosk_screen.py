"""An SIU change reaches a kiosk's screen: SIU over real MLLP into the hub, through the real
broker into a kiosk's cache, and onto its touch UI (the real QML, offscreen) - the
provider board, and what a patient who types their code is shown."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from domain.flow import CheckInFlow
from sync.cache import KioskCache
from sync.kiosk_sync import KioskSync, cache_age_from_meta
from sync.messages import Appointment
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.site import site_settings, wait_for
from tests.support.siu import EhrHub, Siu, ehr_settings, send
from tests.ui.conftest import Patient
from ui.app import KioskUi, UiOptions
from ui.flow_model import CODE_KEYS


@pytest.fixture(scope="session")
def qapp_cls() -> type[QGuiApplication]:
    """As tests/ui: whichever of them starts the session's application, it is the same kind."""
    return QGuiApplication


@dataclass(frozen=True)
class Lobby:
    site: EhrHub
    sync: KioskSync
    ui: KioskUi
    patient: Patient
    start: datetime  # the appointment the practice system books


@pytest.fixture
def lobby(tmp_path: Path, qapp: QGuiApplication) -> Iterator[Lobby]:
    broker = Broker(tmp_path / "broker")
    broker.start()
    site = EhrHub(ehr_settings(tmp_path, broker=broker.settings()))
    settings = site_settings(broker.settings(), tmp_path / "kiosk")
    sync = KioskSync(settings)
    cache: KioskCache | None = None
    ui: KioskUi | None = None
    try:
        sync.start()
        cache = KioskCache.open(sync.cache_path)
        start = wall_now().replace(second=0, microsecond=0) + timedelta(minutes=20)
        clock = ManualClock(start - timedelta(minutes=10))  # the patient comes 10 minutes early
        held = cache
        flow = CheckInFlow(
            held,
            sync.submit,
            clock,
            settings.kiosk.id,
            cache_age=lambda: 0.0 if sync.is_live() else cache_age_from_meta(held, clock),
        )
        ui = KioskUi(flow, lambda: (held.providers(), held.statuses()), lambda: 0.0, UiOptions(tick_ms=0))
        sync.add_listener(ui.board_model.on_sync_change)
        ui.show()
        yield Lobby(site, sync, ui, Patient(ui, qapp), start)
    finally:
        if ui is not None:
            ui.close()
        if cache is not None:
            cache.close()
        sync.stop()
        site.stop()
        broker.stop()


def _held(lobby: Lobby) -> Appointment:
    held: Appointment | None = lobby.sync.call(lambda cache: cache.appointment("SCR1"))
    assert held is not None, "the booking in the kiosk's cache"
    return held


def _look_up(patient: Patient, code: str) -> str:
    """What the patient who types ``code`` is shown: the confirm screen's lines, or the
    message's headline; then back to the welcome screen."""
    if patient.screen == "attract":
        patient.tap("startButton")
    patient.tap("codeButton")
    patient.type(code)
    patient.tap("continueButton")
    if patient.screen == "confirm":
        shown = f"{patient.text('patientName')} | {patient.text('appointmentLine')}"
        patient.tap("noButton")
    else:
        shown = patient.text("messageHeadline")
    if patient.screen == "message":
        patient.tap("startOverButton")
    assert patient.screen == "welcome", patient.screen
    return shown


def test_a_booking_a_move_and_a_cancel_show_on_the_kiosk_screen(lobby: Lobby, qtbot: QtBot) -> None:
    patient, start = lobby.patient, lobby.start
    assert patient.sees("The schedule has not arrived yet.")
    sent = wall_now() - timedelta(minutes=5)
    booking = Siu(
        "SC1", start=start, appointment_id="SCR1", first_name="Rosa", last_name="Quintero", sent=sent
    )
    assert send(lobby.site.port, booking)[0].code == "AA"

    # The board: the practice system's provider, by the name its AIP segment gives.
    qtbot.waitUntil(lambda: [r.provider_id for r in lobby.ui.board_model.rows] == ["chen"], timeout=10_000)
    assert patient.text("status_Dr Wei Chen") == "On time" and not patient.sees(
        "The schedule has not arrived yet."
    )

    # The lookup: the patient types the code the hub gave the booking (a reminder carries it).
    code = _held(lobby).code
    assert all(ch in CODE_KEYS for ch in code), "every character of it is a key on the screen"
    assert _look_up(patient, code) == f"Rosa Q. | Appointment at {start:%H:%M} with Dr Wei Chen"

    later = start + timedelta(minutes=15)
    moved = Siu(
        "SC2",
        "S14",
        start=later,
        appointment_id="SCR1",
        first_name="Rosa",
        last_name="Quintero",
        sent=sent + timedelta(minutes=1),
    )
    assert send(lobby.site.port, moved)[0].code == "AA"
    wait_for(lambda: _held(lobby).start == f"{later:%Y-%m-%dT%H:%M}", 60, "the move in the kiosk's cache")
    assert _look_up(patient, code) == f"Rosa Q. | Appointment at {later:%H:%M} with Dr Wei Chen"

    cancel = Siu("SC3", "S15", start=later, appointment_id="SCR1", sent=sent + timedelta(minutes=2))
    assert send(lobby.site.port, cancel)[0].code == "AA"
    wait_for(lambda: _held(lobby).state == "cancelled", 60, "the cancel in the kiosk's cache")
    assert _look_up(patient, code) == "We could not find your appointment."
