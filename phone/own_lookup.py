"""A caller's own appointment, found from the keypad: the birth date as ``MMDDYYYY`` and
the first two letters of the first name as keypad keys (2=ABC … 9=WXYZ). Pure over the
kiosk cache (``Source``): the birth date goes through the kiosk's own ``find_by_dob``,
the outcome through the kiosk's own ``decide_outcome``.

Stricter than the kiosk on one point: only a birth date matched **as typed** counts. The
kiosk also accepts one transposed digit because the patient then confirms "Is this Maria,
at nine thirty?" on its screen, standing in the lobby; anyone can dial the line, and a
transposed match would tell a stranger another patient's first name and time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from domain.estimate import Outcome, decide_outcome
from domain.lookup import find_by_dob
from sync.cache import Provider
from sync.messages import Appointment, ProviderStatus

KEYPAD = {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ"}
LETTER_KEYS = 2


class Source(Protocol):
    """What the lookup reads: ``sync.cache.KioskCache`` (on the sync worker's thread)."""

    def appointments_by_dob(self, dobs: list[str]) -> list[Appointment]: ...
    def appointment_by_code(self, code: str) -> Appointment | None: ...
    def appointments_for(self, provider_id: str) -> list[Appointment]: ...
    def status(self, provider_id: str) -> ProviderStatus | None: ...
    def provider(self, provider_id: str) -> Provider | None: ...


@dataclass(frozen=True)
class Found:
    """What the caller may hear of their own appointment: the first name, the time, the
    provider, and what the provider's live status means for it. Nothing else leaves the cache."""

    first_name: str
    start: datetime
    provider_name: str
    outcome: Outcome
    alternative_name: str = ""


def valid_date(digits: str) -> bool:
    """``MMDDYYYY`` is a calendar date."""
    if len(digits) != 8 or not digits.isdigit():
        return False
    try:
        date(int(digits[4:]), int(digits[:2]), int(digits[2:4]))
    except ValueError:
        return False
    return True


def letters_of(first_name: str) -> str:
    """The first name's letters as a keypad has them: accents and punctuation dropped."""
    plain = unicodedata.normalize("NFKD", first_name.upper())
    return "".join(c for c in plain if "A" <= c <= "Z")


def keypad_matches(keys: str, first_name: str) -> bool:
    """Each key pressed holds the name's letter at that place ("62" matches MARIA, NATALIA, OBED)."""
    letters = letters_of(first_name)[: len(keys)]
    return (
        bool(keys)
        and len(letters) == len(keys)
        and all(letter in KEYPAD.get(key, "") for key, letter in zip(keys, letters, strict=True))
    )


def name_matches(spoken: str, first_name: str) -> bool:
    """A spoken first name is the booked first name's first word (letters compared, accents
    and case ignored: "maria" is María)."""
    words = first_name.split()
    return bool(words) and bool(letters_of(spoken)) and letters_of(spoken) == letters_of(words[0])


def look_up(
    source: Source, digits: str, keys: str, now: datetime, stale: bool, *, first_name: str = ""
) -> Found | None:
    """The one appointment today for this birth date and these keys (or this spoken
    ``first_name``), or None (none, or more than one: the caller hears the same sentence
    either way)."""
    if not valid_date(digits) or (len(keys) != LETTER_KEYS and not first_name):
        return None
    match = find_by_dob(source, digits)
    if not match.exact:
        return None
    today = now.date().isoformat()
    hits = [
        a
        for a in match.appointments
        if a.start[:10] == today
        and a.state != "cancelled"
        and (name_matches(first_name, a.first_name) if first_name else keypad_matches(keys, a.first_name))
    ]
    return _found(source, hits[0], now, stale) if len(hits) == 1 else None


def look_up_matched(
    source: Source, appointment_id: str, digits: str, now: datetime, stale: bool
) -> Found | None:
    """The appointment the hub matched to the caller's number, when ``digits`` is its birth
    date exactly as typed (and it is today's, not cancelled); else None and the caller is
    asked for the letters. Only that one appointment is tried: a caller ID never finds
    another patient's."""
    if not valid_date(digits):
        return None
    match = find_by_dob(source, digits)
    today = now.date().isoformat()
    hits = [
        a
        for a in (match.appointments if match.exact else [])
        if a.id == appointment_id and a.start[:10] == today and a.state != "cancelled"
    ]
    return _found(source, hits[0], now, stale) if len(hits) == 1 else None


def _found(source: Source, appt: Appointment, now: datetime, stale: bool) -> Found:
    outcome = decide_outcome(
        appt, source.status(appt.provider_id), source.appointments_for(appt.provider_id), now, stale
    )
    provider = source.provider(appt.provider_id)
    alternative = (
        source.provider(outcome.alternative_provider_id) if outcome.alternative_provider_id else None
    )
    return Found(
        first_name=appt.first_name.split(maxsplit=1)[0],
        start=datetime.fromisoformat(appt.start),
        provider_name=provider.name if provider else appt.provider_id,
        outcome=outcome,
        alternative_name=alternative.name if alternative else "",
    )


__all__ = [
    "KEYPAD",
    "Found",
    "Source",
    "keypad_matches",
    "letters_of",
    "look_up",
    "look_up_matched",
    "name_matches",
    "valid_date",
]
