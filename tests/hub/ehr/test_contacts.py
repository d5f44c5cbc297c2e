"""Contacts and language from the practice system: HL7 v2 PID-13/14/15 as vendors write
them (by version), FHIR Patient.telecom/communication, and the consent policy over them."""

from __future__ import annotations

import pytest
from fhirclient.models.patient import Patient

from hub.ehr import contacts, hl7v2
from hub.ehr.siu import READS
from hub.notify.ehr_consent import EhrContact, consented


def _pid(fields: str) -> object:
    text = f"MSH|^~\\&|EHR|C|K|P|||SIU^S12|M1|P|2.5\rPID|1||X1^^^C^MR||Doe^Ann||19700101|F{fields}\r"
    return hl7v2.first(hl7v2.parse(text, READS), "PID")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # v2.5+ (Epic-like): use/equipment codes, the unformatted number in XTN-12, e-mail in XTN-4
        (
            "|||||^PRN^CP^^^^^^^^^+15555550123~^NET^Internet^ann@example.org",
            EhrContact("+15555550123", False, "ann@example.org", False, ""),
        ),
        # v2.3 style: the number only in XTN-1, written for people; country from the default
        ("|||||(555)555-0124^PRN^CP", EhrContact("+15555550124", language="")),
        # country, area and local number (XTN-5/6/7), in PID-14 (business)
        ("||||||^WPN^CP^^44^20^79460123", EhrContact("+442079460123")),
        # a landline and a fax reach no text message; an e-mail that is none is counted
        ("|||||^PRN^PH^^^^^^^^^+15555550125~^PRN^FX^^^^^^^^^+15555550126", EhrContact()),
        ("|||||^NET^Internet^not-an-address", EhrContact(bad=1)),
        # XTN-18 preference order: the one ranked first wins, and is marked
        (
            "|||||^PRN^CP^^^^^^^^^+15555550127~^ORN^CP^^^^^^^^^+15555550128^^^^^^1",
            EhrContact("+15555550128", True),
        ),
        # PID-15: ISO 639-2 code with text, ISO 639-1, a name
        ("|||||^PRN^CP^^^^^^^^^+15555550129||SPA^Spanish^ISO6392", EhrContact("+15555550129", language="es")),
        ("|||||||es", EhrContact(language="es")),
        ("|||||||^English", EhrContact(language="en")),
        ("|||||||fr", EhrContact()),
        ("|||||^PRN^CP^^^^^^^^^12", EhrContact(bad=1)),  # too short to be a number
    ],
)
def test_pid_contacts_as_vendors_write_them(fields: str, expected: EhrContact) -> None:
    assert contacts.from_pid(_pid(fields)) == expected


def test_fhir_patient_telecom_and_communication() -> None:
    patient = Patient(
        {
            "resourceType": "Patient",
            "id": "p1",
            "telecom": [
                {"system": "phone", "use": "home", "value": "+15555550130"},
                {"system": "phone", "use": "mobile", "value": "+1 555 555 0131", "rank": 2},
                {"system": "sms", "value": "+15555550132", "rank": 1},
                {
                    "system": "phone",
                    "use": "mobile",
                    "value": "+15555550133",
                    "period": {"end": "2020-01-01"},
                },
                {"system": "email", "value": "bo@example.org", "rank": 3},
                {"system": "email", "value": "nonsense"},
            ],
            "communication": [
                {"language": {"coding": [{"code": "en"}]}},
                {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es-MX"}]}, "preferred": True},
            ],
        }
    )
    assert contacts.from_fhir(patient) == EhrContact("+15555550132", True, "bo@example.org", False, "es", 1)


@pytest.mark.parametrize(
    ("policy", "ehr", "channel"),
    [
        ("none", EhrContact("+15555550140", True, "a@example.org", True, "es"), "none"),
        ("mobile", EhrContact("+15555550140", False, "a@example.org", False), "sms"),
        ("mobile", EhrContact("", False, "a@example.org", True), "none"),
        ("ranked", EhrContact("+15555550140", False, "a@example.org", True), "email"),
        ("ranked", EhrContact("+15555550140", True, "a@example.org", True), "sms"),
        ("ranked", EhrContact("+15555550140", False, "a@example.org", False), "none"),
    ],
)
def test_the_consent_policy_decides_who_is_messaged(policy: str, ehr: EhrContact, channel: str) -> None:
    contact = consented("A1", ehr, policy)
    assert contact.channel == channel and contact.consent == (channel != "none")
    assert contact.address() == {"sms": ehr.mobile, "email": ehr.email}.get(channel, "")
