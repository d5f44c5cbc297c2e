"""Every message of the sync protocol, declared once (see docs/protocol.md); those in which
kiosks and the hub report on themselves live in ``sync.report_messages``, re-exported here.

Times on the wire are local clinic time, ISO 8601 without zone ("2026-11-30T09:30"),
because a practice's schedule is written in its own wall-clock time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sync.caller_number import check_e164
from sync.epoch import Epoch
from sync.report_messages import (
    CacheSummary,
    DeviceState,
    DisplayAck,
    HubAvailability,
    KioskAvailability,
    KioskHealth,
)
from sync.validate import (
    MAX_VERSION,
    check,
    check_date,
    check_id,
    check_key,
    check_proof,
    check_stamp,
    check_status_fields,
    check_version,
)
from sync.wire import Message, declare

StatusState = Literal["on_time", "late", "out", "leaving_early"]
AppointmentState = Literal["booked", "checked_in", "cancelled"]
CheckInMethod = Literal["dob", "code", "qr", "voice", "staff"]
CheckInOutcome = Literal[
    "checked_in", "waiting_late", "return_later", "reschedule", "front_desk", "other_provider"
]

# Outcomes that put the patient in the provider's queue (the others send them to the desk).
ARRIVED: tuple[str, ...] = ("checked_in", "waiting_late", "return_later")


@dataclass(frozen=True)
class Appointment:
    """One booked visit. Carries only what a kiosk needs to find and greet the patient."""

    id: str
    provider_id: str
    start: str
    duration_min: int
    first_name: str
    last_prefix: str  # first three letters of the last name, upper case: enough to narrow a DOB match
    dob: str
    code: str  # the confirmation code printed on the booking (also in its QR code)
    state: AppointmentState = "booked"

    def check(self) -> None:
        check_id(self.id, "appointment id")
        check_id(self.provider_id, "provider_id")
        check_stamp(self.start, "start")
        check_date(self.dob, "dob")
        check(0 < self.duration_min <= 480, "duration_min out of 1..480")
        check(0 < len(self.first_name) <= 64, "first_name empty or longer than 64")
        check(len(self.last_prefix) <= 3, "last_prefix longer than 3 letters")
        check(0 < len(self.code) <= 16, "code empty or longer than 16")

    def check_on(self, provider_id: str, date: str) -> None:
        """Valid, and a row of ``provider_id``'s day ``date`` (a schedule's rows, a change's)."""
        self.check()
        check(self.provider_id == provider_id, "provider_id is another provider")
        check(self.start.startswith(date), "start is not on the message's date")


@declare
@dataclass(frozen=True)
class ProviderSchedule(Message):
    """Retained at ``schedule/<provider_id>``: one provider's whole day."""

    KIND = "schedule"
    MINOR = 1  # 1.1: epoch
    MAX_BYTES = 2 * 1024 * 1024

    provider_id: str
    provider_name: str
    date: str
    version: int
    appointments: list[Appointment] = field(default_factory=list)
    epoch: Epoch = field(default_factory=Epoch)

    def validate(self) -> None:
        check_id(self.provider_id, "provider_id")
        self.epoch.check()
        check_date(self.date, "date")
        check_version(self.version)
        check(0 < len(self.provider_name) <= 80, "provider_name empty or longer than 80")
        for appt in self.appointments:
            appt.check_on(self.provider_id, self.date)


@declare
@dataclass(frozen=True)
class AppointmentChange(Message):
    """At ``appointment/<provider_id>`` (QoS 1): one appointment added, changed or checked in."""

    KIND = "appointment"
    MINOR = 1  # 1.1: epoch

    provider_id: str
    date: str
    version: int  # the provider's schedule version after this change
    appointment: Appointment
    epoch: Epoch = field(default_factory=Epoch)

    def validate(self) -> None:
        check_id(self.provider_id, "provider_id")
        self.epoch.check()
        check_date(self.date, "date")
        check_version(self.version)
        self.appointment.check()
        check(self.appointment.provider_id == self.provider_id, "appointment belongs to another provider")


@declare
@dataclass(frozen=True)
class ProviderStatus(Message):
    """Retained at ``status/<provider_id>``. Only the hub writes it; ``version`` orders it."""

    KIND = "status"
    MINOR = 1  # 1.1: epoch

    provider_id: str
    version: int
    state: StatusState
    delay_min: int = 0
    leaving_at: str = ""  # HH:MM when state is leaving_early
    reason: str = ""
    changed_by: str = ""
    changed_at: str = ""
    alternative_provider_id: str = ""  # who can see this provider's patients, when the practice offers it
    date: str = ""  # the day this status is for; a status from another day reads as on time
    epoch: Epoch = field(default_factory=Epoch)  # the hub's epoch: ``version`` counts within it

    def validate(self) -> None:
        check_id(self.provider_id, "provider_id")
        self.epoch.check()
        check_version(self.version, low=0)
        check_status_fields(self.state, self.delay_min, self.leaving_at, self.reason)
        if self.changed_at:
            check_stamp(self.changed_at, "changed_at")
        if self.date:
            check_date(self.date, "date")
        if self.alternative_provider_id:
            check_id(self.alternative_provider_id, "alternative_provider_id")


@declare
@dataclass(frozen=True)
class CheckIn(Message):
    """At ``kiosk/<id>/checkin`` (QoS 1). ``key`` makes the hub record it exactly once."""

    KIND = "checkin"

    key: str
    kiosk_id: str
    appointment_id: str
    provider_id: str
    arrived_at: str
    method: CheckInMethod
    outcome: CheckInOutcome = "checked_in"

    def validate(self) -> None:
        check_key(self.key)
        check_id(self.kiosk_id, "kiosk_id")
        check_id(self.appointment_id, "appointment_id")
        check_id(self.provider_id, "provider_id")
        check_stamp(self.arrived_at, "arrived_at")


@declare
@dataclass(frozen=True)
class StatusChangeRequest(Message):
    """At ``kiosk/<id>/request`` (a staff action on a kiosk) or ``hub/command`` (the practice's CLI)."""

    KIND = "status_request"

    key: str
    kiosk_id: str
    provider_id: str
    state: StatusState
    requested_by: str
    requested_at: str
    delay_min: int = 0
    leaving_at: str = ""
    reason: str = ""
    role: str = ""
    approved_by: str = ""
    alternative_provider_id: str = ""
    # Staff proofs (``sync.proof``) over every other field: the requester's (PIN or badge)
    # and the approving supervisor's. The hub refuses a kiosk's request without them.
    proof: str = ""
    approval_proof: str = ""

    def validate(self) -> None:
        check_key(self.key)
        check_id(self.kiosk_id, "kiosk_id")
        check_id(self.provider_id, "provider_id")
        check_stamp(self.requested_at, "requested_at")
        check(0 < len(self.requested_by) <= 64, "requested_by empty or longer than 64")
        check_status_fields(self.state, self.delay_min, self.leaving_at, self.reason)
        check_proof(self.proof, "proof")
        check_proof(self.approval_proof, "approval_proof")


@declare
@dataclass(frozen=True)
class RequestResult(Message):
    """At ``hub/result/<kiosk_id>`` (QoS 1): the hub's answer to a status-change request."""

    KIND = "request_result"

    key: str
    kiosk_id: str
    accepted: bool
    reason: str = ""
    provider_id: str = ""
    status_version: int = 0

    def validate(self) -> None:
        check_version(self.status_version, "status_version", low=0)


MAX_ACK_KEYS = 500  # one hub batch; a longer list is split over several acknowledgements


@declare
@dataclass(frozen=True)
class HubAck(Message):
    """At ``hub/ack/<kiosk_id>`` (QoS 1, not retained): the hub has committed these keys.

    Sent after every batch the hub records, for new keys and for repeats alike: a kiosk
    takes a check-in, staff event or notice acknowledgement out of its outbox only on
    this. (A status request is acknowledged by its ``RequestResult``.)
    """

    KIND = "hub_ack"
    MAX_BYTES = 64 * 1024

    kiosk_id: str
    keys: list[str]
    at: str = ""

    def validate(self) -> None:
        check_id(self.kiosk_id, "kiosk_id")
        check(0 < len(self.keys) <= MAX_ACK_KEYS, f"keys: 1..{MAX_ACK_KEYS} expected")
        for key in self.keys:
            check_key(key)


@declare
@dataclass(frozen=True)
class CallerLookup(Message):
    """At ``kiosk/<line>/caller`` (QoS 1, not retained, expiring): the phone line asks
    whether a caller's number (E.164, ``sync.caller_number``) belongs to today's booking.
    Only a line's login may read the answer (``sync.acl``); the hub never logs the number."""

    KIND = "caller_lookup"

    key: str  # names the answer
    kiosk_id: str
    number: str

    def validate(self) -> None:
        check_key(self.key)
        check_id(self.kiosk_id, "kiosk_id")
        check_e164(self.number)


@declare
@dataclass(frozen=True)
class CallerMatch(Message):
    """At ``hub/caller/<line>`` (QoS 1, not retained): the one booked, not cancelled
    appointment today whose patient's contact has the asked number, or ``""`` (none, or
    several). The line still asks the caller for the birth date (docs/phone.md)."""

    KIND = "caller_match"

    key: str
    appointment_id: str = ""

    def validate(self) -> None:
        check_key(self.key)
        if self.appointment_id:
            check_id(self.appointment_id, "appointment_id")


__all__ = [
    "ARRIVED",
    "MAX_ACK_KEYS",
    "MAX_VERSION",
    "Appointment",
    "AppointmentChange",
    "AppointmentState",
    "CacheSummary",
    "CallerLookup",
    "CallerMatch",
    "CheckIn",
    "CheckInMethod",
    "CheckInOutcome",
    "DeviceState",
    "DisplayAck",
    "Epoch",
    "HubAck",
    "HubAvailability",
    "KioskAvailability",
    "KioskHealth",
    "ProviderSchedule",
    "ProviderStatus",
    "RequestResult",
    "StatusChangeRequest",
    "StatusState",
    "check_date",
    "check_id",
    "check_key",
    "check_proof",
    "check_stamp",
    "check_status_fields",
    "check_version",
]
