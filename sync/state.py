"""Pure decisions about incoming state: apply it, or why not.

State is ordered by version, never by arrival: a repeated or older message never
overwrites what a kiosk already holds.
"""

from __future__ import annotations

from dataclasses import dataclass

APPLY = "apply"
DUPLICATE = "duplicate"
STALE = "stale"
OLDER_DAY = "older_day"
OTHER_DAY = "other_day"
GAP = "gap"


@dataclass(frozen=True)
class Held:
    """What the cache holds for one provider's schedule."""

    date: str
    version: int


def decide_schedule(held: Held | None, date: str, version: int) -> str:
    """A whole day for one provider: newer day or newer version replaces it."""
    if held is None or date > held.date:
        return APPLY
    if date < held.date:
        return OLDER_DAY
    return _by_version(held.version, version)


def decide_appointment_change(held: Held | None, date: str, version: int) -> str:
    """One appointment: applies to the held day only.

    ``GAP`` (a change skipped ahead) is applied without advancing the held version, so
    the retained full schedule at that version still replaces the day and fills the gap.
    """
    if held is None or date != held.date:
        return OTHER_DAY
    if version == held.version + 1:
        return APPLY
    if version > held.version + 1:
        return GAP
    return _by_version(held.version, version)


def decide_status(held_version: int | None, version: int) -> str:
    if held_version is None:
        return APPLY
    return _by_version(held_version, version)


def _by_version(held: int, incoming: int) -> str:
    if incoming > held:
        return APPLY
    return DUPLICATE if incoming == held else STALE
