"""Messages of the staff side of the protocol (see docs/protocol.md, "Staff actions"):
staff events for the audit trail, supervisor notices and their acknowledgements, display
receipts, escalations, and the affected-appointments list for patient notifiers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sync.validate import check, check_id, check_key, check_proof, check_stamp, check_version
from sync.wire import Message, declare

# "callback_request": a caller asked the phone line for a call back (phone/, docs/phone.md);
# "call_report": how a call to the line went, outcome kinds only (sync/call_report.py).
StaffAction = Literal[
    "login",
    "login_failed",
    "lockout",
    "logout",
    "approve",
    "technician_action",
    "callback_request",
    "call_report",
]
# "patient": a notification could not reach a patient, or got no answer: call them (hub.notify).
# "callback": a caller asked the phone line for a call back (hub/phone_calls.py).
EscalationKind = Literal["display", "notice", "lockout", "outbox", "patient", "feed", "callback"]


@declare
@dataclass(frozen=True)
class StaffEvent(Message):
    """At ``kiosk/<id>/event`` (QoS 1, from the outbox): something staff did, for the audit."""

    KIND = "staff_event"

    key: str
    kiosk_id: str
    at: str
    action: StaffAction
    actor: str = ""  # staff id; empty for a failed PIN (who it was is unknown)
    role: str = ""
    detail: str = ""
    proof: str = ""  # the actor's staff proof (``sync.proof``); none for a failed PIN

    def validate(self) -> None:
        check_key(self.key)
        check_id(self.kiosk_id, "kiosk_id")
        check_stamp(self.at, "at")
        check(len(self.detail) <= 200, "detail longer than 200")
        check_proof(self.proof, "proof")


@declare
@dataclass(frozen=True)
class SupervisorNotice(Message):
    """Retained at ``hub/notice/<id>`` until acknowledged: a status change supervisors must see."""

    KIND = "notice"

    id: str
    at: str
    provider_id: str
    status_version: int
    summary: str
    changed_by: str = ""
    acked_by: str = ""  # set (and republished) once a supervisor acknowledges it

    def validate(self) -> None:
        check_id(self.id, "id")
        check_id(self.provider_id, "provider_id")
        check_version(self.status_version, "status_version", low=0)


@declare
@dataclass(frozen=True)
class NoticeAck(Message):
    """At ``kiosk/<id>/ack`` (from the outbox): a supervisor acknowledged a notice."""

    KIND = "notice_ack"

    key: str
    kiosk_id: str
    notice_id: str
    by: str
    at: str
    proof: str = ""  # the supervisor's staff proof (``sync.proof``)

    def validate(self) -> None:
        check_key(self.key)
        check_id(self.kiosk_id, "kiosk_id")
        check_id(self.notice_id, "notice_id")
        check_proof(self.proof, "proof")


@declare
@dataclass(frozen=True)
class DisplayReceipt(Message):
    """Retained at ``hub/receipt/<provider>``: which kiosks display the newest status version.

    ``headless``: those of ``displayed_by`` without a screen (their receipt is their cache's,
    not a drawn frame's)."""

    KIND = "receipt"
    MINOR = 1

    provider_id: str
    status_version: int
    displayed_by: list[str] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)
    headless: list[str] = field(default_factory=list)

    def validate(self) -> None:
        check_id(self.provider_id, "provider_id")
        check_version(self.status_version, "status_version", low=0)


@declare
@dataclass(frozen=True)
class Escalation(Message):
    """Retained at ``hub/alert/<id>``: route it to a pager. ``open: false`` when resolved."""

    KIND = "escalation"
    # 1.1: about "patient" (a notification could not reach a patient, or got no answer);
    # 1.2: about "feed" (the hub held back what a kiosk would refuse: hub/publish_guard.py)
    # 1.3: about "callback" (a caller asked the phone line for a call back)
    MINOR = 3

    id: str
    at: str
    about: EscalationKind
    open: bool
    provider_id: str = ""
    status_version: int = 0
    detail: str = ""

    def validate(self) -> None:
        check_id(self.id, "id")
        check_version(self.status_version, "status_version", low=0)


@dataclass(frozen=True)
class AffectedAppointment:
    """What a patient notifier needs to find the patient in the practice system, no more."""

    appointment_id: str
    start: str
    checked_in: bool


@declare
@dataclass(frozen=True)
class AffectedAppointments(Message):
    """Retained at ``hub/affected/<provider>`` (only the hub writes it): who a change touches."""

    KIND = "affected"
    MAX_BYTES = 512 * 1024

    provider_id: str
    status_version: int
    state: str
    appointments: list[AffectedAppointment] = field(default_factory=list)

    def validate(self) -> None:
        check_id(self.provider_id, "provider_id")
        check_version(self.status_version, "status_version", low=0)
