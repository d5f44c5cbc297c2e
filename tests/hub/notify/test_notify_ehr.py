"""A practice fed by its EHR notifies the patients its policy allows: SIU over MLLP with
contacts in PID-13/14/15, and a FHIR R4 server (Medplum's router) with Patient.telecom and
.communication; a status change, the real SMSC and SMTP relay. An opt-out is the
patient's: a later update from the practice system does not undo it."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, timedelta
from pathlib import Path

from config.settings import HubEhrSettings, HubFhirSettings
from devtools.smsc_sim import SmscSim
from hub.ehr.fhir import FhirPoller
from hub.notify.notifier import Notifier
from hub.service import HubService
from hub.store import HubStore
from tests.hub.notify.conftest import with_notify
from tests.hub.notify.rig import settle
from tests.support.clock import wall_now
from tests.support.fhir import FhirServer, appointment, patient, practitioner
from tests.support.mail import SmtpSink
from tests.support.site import status_request
from tests.support.siu import EhrHub, Siu, ehr_settings, send

# (appointment, PID-13, PID-14, PID-15): what each patient's record in the practice system says
_PATIENTS = [
    ("E1", "^PRN^CP^^^^^^^^^+15550001001", "", ""),  # a mobile (v2.5+: XTN-12)
    ("E2", "^PRN^PH^^^^^^^^^+15550001002", "", ""),  # a landline only
    ("E3", "^NET^Internet^e3@example.org", "", ""),  # e-mail only
    ("E4", "", "(555)000-1004^WPN^CP", ""),  # a work mobile, written for people (v2.3)
    ("E5", "^PRN^CP^^1^555^0001005", "", "SPA^Spanish^ISO6392"),  # Spanish, in parts (XTN-5/6/7)
]


def test_an_siu_feed_with_contacts_notifies_whom_the_policy_allows(tmp_path: Path, smsc: SmscSim) -> None:
    settings = ehr_settings(tmp_path)
    settings = with_notify(settings, smsc, None, ehr_consent="mobile")
    site = EhrHub(settings)
    notifier = Notifier(settings, db_path=site.hub.db_path)
    notifier.start()
    reader = HubStore.open(site.hub.db_path, readonly=True)
    start = wall_now().replace(second=0, microsecond=0) + timedelta(minutes=40)
    sent = wall_now() - timedelta(minutes=5)
    try:
        booked = [
            Siu(
                f"B{n}",
                appointment_id=a,
                start=start + timedelta(minutes=15 * n),
                sent=sent,
                phone=home,
                business_phone=work,
                language=lang,
            )
            for n, (a, home, work, lang) in enumerate(_PATIENTS)
        ]
        assert [r.code for r in send(site.port, *booked)] == ["AA"] * len(booked)
        assert site.hub.set_status(status_request("chen", "out")).accepted
        mobiles = {"+15550001001", "+15550001004", "+15550001005"}
        deadline = time.monotonic() + 20
        while {m.destination for m in smsc.received()} < mobiles and time.monotonic() < deadline:
            time.sleep(0.02)
        by_number = {m.destination: m.text for m in smsc.received()}
        assert set(by_number) == mobiles  # the landline and the e-mail-only patient: no consent
        assert "su cita" in by_number["+15550001005"] and "your" in by_number["+15550001001"]
        states = dict(site.query("SELECT appointment_id, state FROM notify_outbox"))
        assert states["E2"] == states["E3"] == "no_consent"

        smsc.reply("+15550001001", "STOP")  # the patient of E1 opts out
        settle(reader, lambda _c: bool(site.query("SELECT 1 FROM notify_optouts")))
        update = replace(booked[0], control_id="U1", trigger="S14", sent=sent + timedelta(minutes=1))
        assert send(site.port, update)[0].code == "AA"  # the practice system sends the same mobile again
        assert site.hub.set_status(status_request("chen", "late", 40)).accepted
        settle(reader, lambda c: c.get("opted_out", 0) >= 1 and "pending" not in c and "sending" not in c)
        time.sleep(0.5)
        got = Counter(m.destination for m in smsc.received())
        assert got["+15550001001"] == 1  # told once, before STOP; never again
        assert got["+15550001004"] == got["+15550001005"] == 2
    finally:
        reader.close()
        notifier.stop()
        site.stop()


def test_a_fhir_feed_with_telecom_notifies_the_contact_it_ranks_first(
    tmp_path: Path, smsc: SmscSim, smtp_sink: SmtpSink
) -> None:
    fhir = FhirServer()
    try:
        doctor = fhir.create(practitioner())
        people = {
            "sms": {
                "telecom": [{"system": "phone", "use": "mobile", "value": "+15550002001", "rank": 1}],
                "communication": [{"language": {"coding": [{"code": "es-MX"}]}, "preferred": True}],
            },
            "mail": {
                "telecom": [
                    {"system": "sms", "value": "+15550002002", "rank": 2},
                    {"system": "email", "value": "p2@example.org", "rank": 1},
                ]
            },
            "home": {"telecom": [{"system": "phone", "use": "home", "value": "+15550002003", "rank": 1}]},
        }
        booked = {}
        for n, (who, extra) in enumerate(people.items()):
            person = fhir.create({**patient(family=f"Patient{n}"), **extra})
            booked[who] = fhir.create(appointment(person["id"], doctor["id"], _instant(40 + 15 * n)))["id"]
        base = ehr_settings(tmp_path)
        fhir_settings = HubFhirSettings(
            enabled=True, url=fhir.url, poll_s=0.3, providers={doctor["id"]: "chen"}
        )
        settings = replace(base, hub=replace(base.hub, ehr=HubEhrSettings(), fhir=fhir_settings))
        settings = with_notify(settings, smsc, smtp_sink, ehr_consent="ranked")
        hub = HubService(settings)
        hub.start(None)
        poller = FhirPoller(settings, hub)
        poller.start()
        notifier = Notifier(settings, db_path=hub.db_path)
        notifier.start()
        reader = HubStore.open(hub.db_path, readonly=True)
        try:
            settle(reader, lambda _c: len(reader.appointments("chen")) == len(people))
            assert hub.set_status(status_request("chen", "out")).accepted
            settle(
                reader, lambda c: c.get("delivered", 0) == 1 and c.get("sent", 0) == 1 and "pending" not in c
            )
            assert [m.destination for m in smsc.received()] == ["+15550002001"]
            assert "su cita" in smsc.received()[0].text  # Patient.communication: preferred es-MX
            assert [str(m["To"]) for m in smtp_sink.received] == ["p2@example.org"]
            states = dict(reader.db.execute("SELECT appointment_id, state FROM notify_outbox").fetchall())
            assert states[booked["home"]] == "no_consent"  # a home phone ranked first: no text reaches it
        finally:
            reader.close()
            notifier.stop()
            poller.stop()
            hub.stop()
    finally:
        fhir.stop()


def _instant(minutes_from_now: int) -> str:
    """A FHIR instant (UTC) of a wall-clock time today, as the suite's clock reads it."""
    return (wall_now() + timedelta(minutes=minutes_from_now)).replace(second=0).astimezone(UTC).isoformat()
