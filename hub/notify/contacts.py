"""A patient's contact for notifications: kept at the hub only (never on the wire, never
in a kiosk's cache), never logged in full (``mask``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import ConfigError

CHANNELS = ("sms", "email", "none")
LANGUAGES = ("en", "es")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")  # E.164
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")


@dataclass(frozen=True)
class PatientContact:
    """How (and whether) the patient of one appointment may be told about a change."""

    appointment_id: str
    phone: str = ""  # E.164, "+15555550123"
    email: str = ""
    consent: bool = False  # the patient agreed to appointment messages
    channel: str = "none"  # preferred: sms, email, none
    language: str = "en"

    def address(self) -> str:
        """Where the preferred channel reaches the patient ("" when it cannot)."""
        if not self.consent:
            return ""
        return {"sms": self.phone, "email": self.email}.get(self.channel, "")


def check_contact(contact: PatientContact) -> None:
    """A ``ConfigError`` naming the field that is wrong, never its value."""
    if contact.phone and not _PHONE.match(contact.phone):
        raise ConfigError("column phone: expected an international number such as +15555550123")
    if contact.email and not _EMAIL.match(contact.email):
        raise ConfigError("column email: expected an e-mail address")
    if contact.channel not in CHANNELS:
        raise ConfigError(f"column channel: expected one of {', '.join(CHANNELS)}")
    if contact.language not in LANGUAGES:
        raise ConfigError(f"column language: expected one of {', '.join(LANGUAGES)}")
    if contact.consent and contact.channel != "none" and not contact.address():
        raise ConfigError(f"column channel: {contact.channel} is preferred but no {contact.channel} is given")


def mask(address: str) -> str:
    """An address as a log or a screen for staff may show it: "+1555…23", "m…@example.org"."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}…@{domain}"
    return f"{address[:5]}…{address[-2:]}" if len(address) > 7 else "…"
