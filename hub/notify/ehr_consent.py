"""Contacts from the practice system, and the practice's policy on which of them may be
messaged (``[hub.notify] ehr_consent``, docs/notifications.md):

* ``none`` (the default): the practice system's contacts alone consent nobody; only the
  schedule import's ``consent`` column does. Nothing is sent on a feed's word.
* ``ranked``: the contact the practice system ranks first (FHIR ``ContactPoint.rank`` 1,
  HL7 v2.7+ XTN-18 = 1): a mobile number for SMS, else an e-mail address.
* ``mobile``: every patient with a mobile number (XTN-3 ``CP``, FHIR ``use: mobile`` or
  ``system: sms``), by SMS.

The import list, where it has the patient, wins. An opt-out is the patient's: it is kept
by address (``notify_optouts``) and no later update from the practice system undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from hub.notify.contacts import PatientContact

POLICIES = ("none", "ranked", "mobile")


@dataclass(frozen=True)
class EhrContact:
    """What the practice system says about how to reach the patient of one appointment
    (read by ``hub.ehr.contacts``)."""

    mobile: str = ""  # E.164
    mobile_first: bool = False  # ranked first by the practice system (XTN-18 = 1, rank = 1)
    email: str = ""
    email_first: bool = False
    language: str = ""  # en, es; '' when not given or not one the texts have
    bad: int = 0  # numbers or addresses given that are not one


def create_ehr_contacts(db: sqlite_utils.Database) -> None:
    """v15: contacts the practice system gave (hub/notify/ehr_consent.py); hub-only."""
    db.execute(
        "CREATE TABLE ehr_contacts (appointment_id TEXT PRIMARY KEY, mobile TEXT NOT NULL,"
        " mobile_first INTEGER NOT NULL, email TEXT NOT NULL, email_first INTEGER NOT NULL,"
        " language TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )


def add_reply_notes(db: sqlite_utils.Database) -> None:
    """v16: why a patient's reply was cleaned or refused (hub/notify/reply_check.py)."""
    db.execute("ALTER TABLE notify_replies ADD COLUMN note TEXT NOT NULL DEFAULT ''")


def keep(db: sqlite_utils.Database, appointment_id: str, contact: EhrContact, at: str) -> None:
    """What the newest message about ``appointment_id`` says (inside the caller's
    transaction): a contact it no longer lists is gone."""
    db.execute(
        "INSERT OR REPLACE INTO ehr_contacts (appointment_id, mobile, mobile_first, email, email_first,"
        " language, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            appointment_id,
            contact.mobile,
            int(contact.mobile_first),
            contact.email,
            int(contact.email_first),
            contact.language,
            at,
        ],
    )


def ehr_contact(db: sqlite_utils.Database, appointment_id: str) -> EhrContact | None:
    row = db.execute(
        "SELECT mobile, mobile_first, email, email_first, language FROM ehr_contacts"
        " WHERE appointment_id = ?",
        [appointment_id],
    ).fetchone()
    return None if row is None else EhrContact(row[0], bool(row[1]), row[2], bool(row[3]), row[4])


def consented(appointment_id: str, ehr: EhrContact, policy: str) -> PatientContact:
    """The contact ``policy`` lets the hub use (no consent: nobody is messaged)."""
    language = ehr.language or "en"
    base = PatientContact(appointment_id, phone=ehr.mobile, email=ehr.email, language=language)
    if policy == "mobile" and ehr.mobile:
        return PatientContact(appointment_id, ehr.mobile, ehr.email, True, "sms", language)
    if policy == "ranked":
        if ehr.mobile and ehr.mobile_first:
            return PatientContact(appointment_id, ehr.mobile, ehr.email, True, "sms", language)
        if ehr.email and ehr.email_first:
            return PatientContact(appointment_id, ehr.mobile, ehr.email, True, "email", language)
    return base


__all__ = [
    "POLICIES",
    "EhrContact",
    "add_reply_notes",
    "consented",
    "create_ehr_contacts",
    "ehr_contact",
    "keep",
]
