"""FHIR R4 against a real local server (Medplum's FHIR router, tests/support/fhir_server):
appointments created, rescheduled and cancelled there reach a kiosk's cache; a kiosk's
check-in appears there as ``arrived``; paging, the watermark and repeats."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from config.settings import BrokerSettings, HubEhrSettings, HubFhirSettings, Settings
from hub.ehr.fhir import FhirPoller
from hub.service import HubService
from sync import messages as m
from sync.link import LinkEvent
from sync.topics import TopicTree
from sync.wire import encode
from tests.support.broker import Broker
from tests.support.clock import wall_now
from tests.support.fhir import FhirServer, appointment, patient, practitioner
from tests.support.site import RecordingKiosk, wait_for
from tests.support.siu import ehr_settings


@pytest.fixture(scope="module")
def fhir() -> Iterator[FhirServer]:
    server = FhirServer()
    yield server
    server.stop()


def _settings(
    tmp_path: Path, url: str, providers: dict[str, str], broker: BrokerSettings | None = None
) -> Settings:
    base = ehr_settings(tmp_path, broker=broker)
    fhir = HubFhirSettings(enabled=True, url=url, poll_s=0.3, page_size=3, providers=providers)
    return replace(base, hub=replace(base.hub, ehr=HubEhrSettings(), fhir=fhir))


def _instant(minutes_from_now: int) -> str:
    """A FHIR instant (UTC) of a wall-clock time today, as the suite's clock reads it."""
    return (wall_now() + timedelta(minutes=minutes_from_now)).replace(second=0).astimezone(UTC).isoformat()


def _check_in(hub: HubService, appointment_id: str, provider_id: str) -> None:
    msg = m.CheckIn(uuid.uuid4().hex, "lobby-1", appointment_id, provider_id, wall_now().isoformat(), "dob")
    hub.on_link_event(LinkEvent("message", TopicTree("acme", "main").checkin("lobby-1"), encode(msg)))


def test_appointments_on_the_server_reach_the_kiosk_and_arrivals_go_back(
    fhir: FhirServer, tmp_path: Path
) -> None:
    doctor = fhir.create(practitioner())
    mary = fhir.create(patient(family="Castellanos"))
    booked = fhir.create(appointment(mary["id"], doctor["id"], _instant(30)))
    other = fhir.create(appointment(mary["id"], doctor["id"], _instant(90)))
    broker = Broker(tmp_path / "broker")
    broker.start()
    hub = HubService(_settings(tmp_path, fhir.url, {doctor["id"]: "chen"}, broker.settings()))
    hub.start(None)
    poller = FhirPoller(hub.settings, hub)
    poller.start()
    kiosk = RecordingKiosk(broker.settings(), tmp_path).start()
    try:

        def held(ident: str) -> m.Appointment | None:
            return kiosk.sync.call(lambda cache: cache.appointment(ident))

        wait_for(lambda: held(booked["id"]) is not None, 60, "the FHIR appointment on the kiosk")
        appt = held(booked["id"])
        assert appt is not None
        assert (appt.first_name, appt.last_prefix, appt.dob, appt.provider_id) == (
            "Mary",
            "CAS",
            "1980-01-01",
            "chen",
        )
        assert appt.duration_min == 20 and appt.state == "booked"
        moved = fhir.update({**booked, "start": _instant(45)})
        local = (wall_now() + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M")
        wait_for(lambda: (a := held(booked["id"])) is not None and a.start == local, 60, "rescheduled")
        fhir.update({**other, "status": "cancelled"})
        wait_for(lambda: (a := held(other["id"])) is not None and a.state == "cancelled", 60, "cancelled")
        _check_in(hub, booked["id"], "chen")
        wait_for(
            lambda: fhir.read("Appointment", booked["id"])["status"] == "arrived", 15, "arrived on the server"
        )
        assert fhir.read("Appointment", booked["id"])["start"] == moved["start"]
        wait_for(lambda: (a := held(booked["id"])) is not None and a.state == "checked_in", 60, "checked in")
    finally:
        kiosk.stop()
        poller.stop()
        hub.stop()
        broker.stop()


def test_pages_watermark_repeats_and_refusals(fhir: FhirServer, tmp_path: Path) -> None:
    doctor = fhir.create(practitioner(family="Okafor", given="Ngozi"))
    stranger = fhir.create(practitioner(family="Unmapped"))
    ana = fhir.create(patient(given="Ana"))
    created = [fhir.create(appointment(ana["id"], doctor["id"], _instant(10 + 15 * i))) for i in range(7)]
    fhir.create(appointment(ana["id"], stranger["id"], _instant(5)))
    hub = HubService(_settings(tmp_path, fhir.url, {doctor["id"]: "okafor"}))
    hub.start(None)
    poller = FhirPoller(hub.settings, hub)
    try:
        poller.start()
        wait_for(lambda: poller.stats["polls"] >= 1, 60, "a first poll")

        def ours() -> int:
            return int(
                hub.call(
                    lambda s: s.db.execute(
                        "SELECT count(*) FROM appointments WHERE provider_id = 'okafor'"
                    ).fetchone()[0]
                )
            )

        wait_for(lambda: ours() == 7, 60, "seven appointments over three pages")
        assert poller.poll_now() == 0, "nothing new: nothing taken again"
        refused = hub.call(
            lambda s: s.db.execute(
                "SELECT reason FROM ehr_messages WHERE outcome = 'AE' AND reason LIKE 'unknown provider%'"
            ).fetchall()
        )
        assert refused, "an unmapped practitioner is refused with its reason"
        applied = hub.call(lambda s: s.counters()["ehr_AA"])
        poller.stop()
        again = FhirPoller(hub.settings, hub)  # a restart: the watermark is in the hub's database
        again.start()
        again.poll_now()
        again.stop()
        assert hub.call(lambda s: s.counters()["ehr_AA"]) == applied
        assert {c["id"] for c in created} <= {
            r[0]
            for r in hub.call(
                lambda s: s.db.execute("SELECT id FROM ehr_appointments WHERE source = 'fhir'").fetchall()
            )
        }
    finally:
        poller.stop()
        hub.stop()
