"""A patient's contacts and language as the practice system gives them: HL7 v2 PID-13/14
(XTN) and PID-15, FHIR Patient.telecom and Patient.communication. Pure: a parsed segment
or a fhirclient Patient in, an ``EhrContact`` out. Whether the patient may be messaged
is not decided here but by the practice's policy (``hub.notify.ehr_consent``).

What is read (docs/notifications.md, "Contacts from the practice system"):
* XTN-2 use (PRN home, WPN work, ORN other, NET network address, ...), XTN-3 equipment
  (CP cellular, PH phone, FX fax, Internet, X.400, ...), XTN-4 e-mail address, XTN-12
  unformatted number, else XTN-5 country + XTN-6 area + XTN-7 local, else XTN-1 as
  written; XTN-18 preference order (1: the one to use first).
* Patient.telecom: system (phone, sms, email), use (mobile, home, work, old, temp),
  rank (1: the one to use first), period.end (ended: not used); Patient.communication:
  the ``preferred`` language, else the first.
A number or address that is not one is left out (counted as ``bad``), never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from hub.ehr.hl7v2 import repetitions, value
from hub.notify.ehr_consent import EhrContact

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
_DIGITS = re.compile(r"\D")
_MOBILE_EQUIPMENT = {"CP", "BP"}  # cellular phone (and beeper, which some senders use for text pagers)
_NOT_A_PHONE = {"FX", "MD", "TDD", "TTY", "INTERNET", "X.400"}
_LANGUAGES = {
    "en": "en",
    "eng": "en",
    "english": "en",
    "es": "es",
    "spa": "es",
    "spanish": "es",
    "espanol": "es",
    "español": "es",
}


def e164(raw: str, country: str = "1") -> str:
    """A phone number as E.164 ('' when it cannot be one). A number written without a
    country (10 digits in North America) takes ``country``."""
    text = raw.strip()
    digits = _DIGITS.sub("", text)
    if text.startswith("+"):
        number = digits
    elif text.startswith("00"):
        number = digits[2:]
    elif country == "1" and len(digits) == 11 and digits.startswith("1"):
        number = digits
    else:
        number = country + digits
    return f"+{number}" if 7 <= len(number) <= 15 and not number.startswith("0") else ""


def language_code(raw: str) -> str:
    """'en' or 'es' from an ISO 639 code ('es', 'spa', 'es-MX') or a name; '' otherwise."""
    key = raw.strip().lower()
    return _LANGUAGES.get(key) or _LANGUAGES.get(key.split("-")[0].split("_")[0], "")


def from_pid(pid: Any | None, country: str = "1") -> EhrContact:
    """PID-13 (home) and PID-14 (business), every repetition, and PID-15 (language)."""
    mobile = email = ""
    mobile_first = email_first = False
    bad = 0
    for fld in (13, 14):
        for rep in range(1, repetitions(pid, fld) + 1):
            use = value(pid, fld, 2, rep=rep).upper()
            equipment = value(pid, fld, 3, rep=rep).upper()
            first = value(pid, fld, 18, rep=rep) == "1"
            address = value(pid, fld, 4, rep=rep)
            if address or use == "NET" or equipment in ("INTERNET", "X.400"):
                if _EMAIL.match(address):
                    if not email or (first and not email_first):
                        email, email_first = address, first
                elif address:
                    bad += 1
                continue
            if equipment not in _MOBILE_EQUIPMENT or equipment in _NOT_A_PHONE:
                continue  # a landline, fax or pager: no text message reaches it
            number = _xtn_number(pid, fld, rep, country)
            if not number:
                bad += 1 if _has_number(pid, fld, rep) else 0
            elif not mobile or (first and not mobile_first):
                mobile, mobile_first = number, first
    language = language_code(value(pid, 15, 1)) or language_code(value(pid, 15, 2))
    return EhrContact(mobile, mobile_first, email, email_first, language, bad)


def _has_number(pid: Any, fld: int, rep: int) -> bool:
    return any(value(pid, fld, part, rep=rep) for part in (1, 7, 12))


def _xtn_number(pid: Any, fld: int, rep: int, country: str) -> str:
    unformatted = value(pid, fld, 12, rep=rep)
    if unformatted:
        return e164(unformatted, country)
    local = value(pid, fld, 7, rep=rep)
    if local:
        code = _DIGITS.sub("", value(pid, fld, 5, rep=rep)) or country
        return e164("+" + code + _DIGITS.sub("", value(pid, fld, 6, rep=rep)) + _DIGITS.sub("", local), code)
    return e164(value(pid, fld, 1, rep=rep), country)


def from_fhir(patient: Any | None, country: str = "1") -> EhrContact:
    """Patient.telecom (system, use, rank, period) and Patient.communication."""
    if patient is None:
        return EhrContact()
    mobiles: list[tuple[int, str]] = []
    emails: list[tuple[int, str]] = []
    bad = 0
    for point in patient.telecom or []:
        if point.period is not None and point.period.end is not None:
            continue  # no longer in use
        system, use, raw = str(point.system or ""), str(point.use or ""), str(point.value or "")
        rank = int(point.rank) if point.rank else 99
        if system == "email":
            if _EMAIL.match(raw.strip()):
                emails.append((rank, raw.strip()))
            elif raw:
                bad += 1
        elif system == "sms" or (system == "phone" and use == "mobile"):
            number = e164(raw, country)
            if number:
                mobiles.append((rank, number))
            elif raw:
                bad += 1
    mobiles.sort(key=lambda item: item[0])
    emails.sort(key=lambda item: item[0])
    return EhrContact(
        mobiles[0][1] if mobiles else "",
        bool(mobiles) and mobiles[0][0] == 1,
        emails[0][1] if emails else "",
        bool(emails) and emails[0][0] == 1,
        _fhir_language(patient),
        bad,
    )


def _fhir_language(patient: Any) -> str:
    spoken = list(patient.communication or [])
    spoken.sort(key=lambda c: not c.preferred)
    for item in spoken:
        concept = item.language
        if concept is None:
            continue
        for coding in concept.coding or []:
            found = language_code(str(coding.code or "")) or language_code(str(coding.display or ""))
            if found:
                return found
        found = language_code(str(concept.text or ""))
        if found:
            return found
    return ""


__all__ = ["EhrContact", "e164", "from_fhir", "from_pid", "language_code"]
