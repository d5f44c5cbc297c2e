"""What a FHIR R4 Appointment means to the hub: the same ``siu.Event`` an SIU message
gives, so both feeds share one store, one ordering rule and one projection onto the
kiosks. Pure: fhirclient's resource models in, an Event or a Refusal out.

Ordering is by ``meta.lastUpdated``; a resource version is keyed ``fhir:Appointment/ID/
_history/VERSION`` (its MSH-10, so to say): a version seen before changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from hub.ehr import contacts
from hub.ehr.hl7v2 import aware, local_minute
from hub.ehr.records import FHIR_PREFIX
from hub.ehr.siu import Booking, Event, Header, ProviderRef, Refusal, State, appointment_key

# Appointment.status (R4 value set appointmentstatus) → the hub's state.
STATES: dict[str, State] = {
    "proposed": "booked",
    "pending": "booked",
    "booked": "booked",
    "waitlist": "booked",
    "arrived": "checked_in",
    "checked-in": "checked_in",
    "fulfilled": "checked_in",
    "cancelled": "cancelled",
    "entered-in-error": "deleted",
    "noshow": "no_show",
}
ARRIVED_STATUSES = ("arrived", "checked-in", "fulfilled", "cancelled", "entered-in-error", "noshow")


def control_id(appointment: Any) -> str:
    version = appointment.meta.versionId if appointment.meta and appointment.meta.versionId else "0"
    return f"{FHIR_PREFIX}Appointment/{appointment.id}/_history/{version}"


def last_updated(resource: Any) -> datetime | None:
    meta = resource.meta
    if meta is None or meta.lastUpdated is None:
        return None
    when: datetime = meta.lastUpdated.datetime
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def header(appointment: Any) -> Header:
    updated = last_updated(appointment)
    return Header(
        control_id(appointment),
        "fhir",
        "FHIR^Appointment",
        str(appointment.status or ""),
        "R4",
        updated.astimezone(UTC).isoformat(timespec="microseconds") if updated else "",
    )


def event(
    appointment: Any, head: Header, included: Mapping[str, Any], zone: tzinfo | None, default_min: int
) -> Event | Refusal:
    """``included``: the search's Patient and Practitioner resources by "Type/id"."""
    state = STATES.get(str(appointment.status or ""))
    if state is None:
        return Refusal("AE", f"Appointment.status {str(appointment.status)[:20]} is not an R4 status")
    patient, providers = _participants(appointment, included)
    given, family, dob, mrn = _patient(patient)
    start = ""
    if appointment.start is not None:
        start = local_minute(aware(appointment.start.datetime, zone), zone)
    booking = Booking(
        id=appointment_key(str(appointment.id)),
        placer_id="",
        filler_id=str(appointment.id),
        state=state,
        filler_status=str(appointment.status),
        start=start,
        duration_min=_minutes(appointment) or default_min,
        providers=providers,
        first_name=given,
        last_name=family,
        dob=dob,
        mrn=mrn,
        echo=str(appointment.id),  # an arrival updates this resource
        contact=contacts.from_fhir(patient) if patient is not None else None,
    )
    missing = _missing(booking, patient)
    if missing and state == "booked":
        return Refusal("AE", missing)
    if not 0 < booking.duration_min <= 480:
        return Refusal("AE", "duration out of 1..480 minutes (minutesDuration, end - start)")
    return Event(head, booking, complete=not missing)


def _missing(b: Booking, patient: Any | None) -> str:
    if not b.start:
        return "Appointment.start is empty"
    if not b.providers:
        return "no Practitioner participant"
    if patient is None:
        return "no Patient participant (or it was not included)"
    if not b.first_name or not b.last_name:
        return "Patient.name has no given and family name"
    if not b.dob:
        return "Patient.birthDate is empty"
    return ""


def _participants(
    appointment: Any, included: Mapping[str, Any]
) -> tuple[Any | None, tuple[ProviderRef, ...]]:
    patient = None
    providers: list[ProviderRef] = []
    for part in appointment.participant or []:
        reference = str(part.actor.reference) if part.actor and part.actor.reference else ""
        kind, _, ident = reference.partition("/")
        if kind == "Patient" and patient is None:
            patient = included.get(reference)
        elif kind == "Practitioner" and ident:
            providers.append(ProviderRef(ident[:64], _practitioner_name(included.get(reference))))
    return patient, tuple(providers)


def _official(names: list[Any] | None) -> Any | None:
    for use in ("official", "usual"):
        for name in names or []:
            if name.use == use:
                return name
    return (names or [None])[0]


def _patient(patient: Any | None) -> tuple[str, str, str, str]:
    if patient is None:
        return "", "", "", ""
    name = _official(patient.name)
    given = str((name.given or [""])[0]) if name else ""
    family = str(name.family or "") if name else ""
    dob = patient.birthDate.isostring[:10] if patient.birthDate else ""
    mrn = ""
    for ident in patient.identifier or []:
        codes = [c.code for c in (ident.type.coding or [])] if ident.type else []
        if "MR" in codes or not mrn:
            mrn = str(ident.value or "")
    return given[:64], family[:80], dob, mrn[:64]


def _practitioner_name(practitioner: Any | None) -> str:
    name = _official(practitioner.name) if practitioner is not None else None
    if name is None:
        return ""
    parts = [*(name.prefix or [])[:1], *(name.given or [])[:1], name.family or ""]
    return " ".join(str(p) for p in parts if p)[:80]


def _minutes(appointment: Any) -> int:
    if appointment.minutesDuration:
        return int(appointment.minutesDuration)
    if appointment.start is not None and appointment.end is not None:
        seconds: float = (appointment.end.datetime - appointment.start.datetime).total_seconds()
        return round(seconds / 60)
    return 0
