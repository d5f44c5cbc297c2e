"""Orphan updates: a cancel, no-show, delete or change for an appointment the hub never
booked (or that does not say who the patient is). The hub keeps it, so that a booking
arriving late lands in MSH-7 order, and never shows it to kiosks: a kiosk row needs a
patient (docs/ehr.md "Orphan updates")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub.ehr.siu import Booking


def orphan(row: Mapping[str, Any]) -> bool:
    """An appointment known only from updates (a cancel, no-show, delete or change for an
    id never booked here): kept, so a late booking lands in MSH-7 order, never shown."""
    return not (row["first_name"] and row["dob"] and row["provider_id"] and row["start"])


def filled(old: dict[str, Any], b: Booking, provider: tuple[str, str] | None) -> dict[str, Any]:
    """An older booking read into a newer orphan: it fills what the newer messages left
    empty; their state, time and control id stand."""
    row = dict(old)
    given = {
        "placer_id": b.placer_id,
        "filler_id": b.filler_id,
        "start": b.start,
        "first_name": b.first_name,
        "last_name": b.last_name,
        "dob": b.dob,
        "mrn": b.mrn,
        "echo": b.echo,
    }
    row.update({k: v for k, v in given.items() if v and not row[k]})
    if provider is not None and not row["provider_id"]:
        row["provider_id"], row["provider_name"] = provider
    if not old["start"] and b.start:
        row["duration_min"] = b.duration_min
    return row
