"""The day as the practice hands it to the hub: its providers, appointments (with the
patient's full last name, which stays at the hub) and the patients' contacts. What a
kiosk may see of an appointment is ``HubAppointment.to_wire``."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.notify.contacts import PatientContact
from sync import messages as m


@dataclass(frozen=True)
class HubAppointment:
    """An appointment as the practice knows it (full last name stays at the hub)."""

    id: str
    provider_id: str
    start: str
    duration_min: int
    first_name: str
    last_name: str
    dob: str
    code: str
    state: str = "booked"

    def to_wire(self) -> m.Appointment:
        prefix = "".join(ch for ch in self.last_name.upper() if ch.isalpha())[:3]
        return m.Appointment(
            self.id,
            self.provider_id,
            self.start,
            self.duration_min,
            self.first_name,
            prefix,
            self.dob,
            self.code.upper(),
            self.state,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class DayPlan:
    date: str
    providers: dict[str, str]  # id -> display name
    appointments: list[HubAppointment]
    contacts: list[PatientContact] = field(default_factory=list)  # hub-only (notifications)
    refused: list[str] = field(default_factory=list)  # contact cells refused: file, row, column, why


__all__ = ["DayPlan", "HubAppointment"]
