"""Who may change a provider's status: the hub's rules, checked on every request.

Front desk may set "late" up to a limit and "back on schedule"; "out" and "leaving
early" need a supervisor, or (when ``out_requires = "approval"``) a front-desk request
that a supervisor approved at the kiosk. Technicians manage devices, not providers.

A kiosk's word is not enough: a request from a kiosk carries the requester's proof (and
the approving supervisor's), an HMAC over every field keyed by what their PIN or badge
derives (``domain.staff``, ``sync.proof``). The hub holds those proof keys in its own
``[staff.members]`` (``ROLE:proof$...``); kiosks hold only PIN verifiers. A request made
longer ago than ``proof_max_age_s`` is refused (the window covers a kiosk's offline queue);
a replayed key is answered with its first result by the service and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from config.settings import StaffSettings
from core.clock import Clock, SystemClock
from domain.staff import Role, StaffMember, parse_members
from hub.origin import PRACTICE_CLI_ID, RequestOrigin
from sync.messages import StatusChangeRequest
from sync.proof import matches
from sync.wire import Message

# How far a kiosk's clock may run ahead of the hub's.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class RolePolicy:
    members: dict[str, StaffMember]
    front_desk_max_late_min: int = 60
    out_requires: str = "approval"  # or "supervisor"
    proof_max_age_s: int = 12 * 3600
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def from_settings(cls, staff: StaffSettings, clock: Clock | None = None) -> RolePolicy:
        members = {m.id: m for m in parse_members(staff.members)}
        return cls(
            members,
            staff.front_desk_max_late_min,
            staff.out_requires,
            staff.proof_max_age_s,
            clock or SystemClock(),
        )

    def check(self, req: StatusChangeRequest, origin: RequestOrigin = RequestOrigin.KIOSK) -> str:
        """ "" when allowed, else the reason the admin panel shows."""
        if origin is RequestOrigin.PRACTICE_CLI:
            return ""  # the hub's command topic: only practice credentials can write it
        if req.kiosk_id == PRACTICE_CLI_ID:
            return f"only the practice's terminal may use the id {PRACTICE_CLI_ID!r}"
        if origin is not RequestOrigin.KIOSK:
            # Verified where it was made, in the hub's own process (the dashboard checks the
            # member's password): the role rules apply, a staff proof is a kiosk's burden.
            return self._check_claim(req) or self._check_member(req, proofs=False)
        return (
            self._check_claim(req)
            or self.check_proof(req.requested_by, req, req.proof)
            or self._check_age(req.requested_at)
            or self._check_member(req, proofs=True)
        )

    def check_proof(self, member_id: str, msg: Message, proof: str) -> str:
        """ "" when ``proof`` is ``member_id``'s over ``msg``, else why not."""
        member = self.members.get(member_id)
        if member is None:
            return f"{member_id} is not on this practice's staff list"
        if not proof:
            return f"no staff proof from {member_id} (PIN or badge) with the request"
        if not member.proof_keys:
            return f"the hub holds no proof key for {member_id} (provision the hub's staff list)"
        if not matches(member.proof_keys, msg, proof):
            return f"the staff proof for {member_id} does not match the request"
        return ""

    def _check_claim(self, req: StatusChangeRequest) -> str:
        member = self.members.get(req.requested_by)
        if member is None:
            return f"{req.requested_by} is not on this practice's staff list"
        if req.role and req.role != member.role:
            return f"{req.requested_by} is {member.role}, not {req.role}"
        return ""

    def _check_age(self, requested_at: str) -> str:
        try:
            made = datetime.fromisoformat(requested_at)
        except ValueError:
            return f"requested_at {requested_at[:20]!r} is not a time"
        now = self.clock.now()
        made = made.replace(tzinfo=now.tzinfo) if made.tzinfo is None else made.astimezone(now.tzinfo)
        if made - now > CLOCK_SKEW:
            return "the request is dated in the future (check the kiosk's clock)"
        if (now - made).total_seconds() > self.proof_max_age_s:
            return f"the request is older than {_span(self.proof_max_age_s)}; make it again"
        return ""

    def _check_member(self, req: StatusChangeRequest, proofs: bool) -> str:
        member = self.members[req.requested_by]
        if member.role == Role.SUPERVISOR:
            return ""
        if member.role == Role.TECHNICIAN:
            return "technicians cannot change provider status"
        if req.state == "on_time":
            return ""
        if req.state == "late":
            if req.delay_min <= self.front_desk_max_late_min:
                return ""
            return f"front desk may set up to {self.front_desk_max_late_min} minutes late; ask a supervisor"
        approver = self.members.get(req.approved_by)
        if self.out_requires == "approval" and approver is not None and approver.role == Role.SUPERVISOR:
            refusal = self.check_proof(approver.id, req, req.approval_proof) if proofs else ""
            return f"the supervisor's approval: {refusal}" if refusal else ""
        what = "out today" if req.state == "out" else "leaving early"
        return f"{what} needs a supervisor" + (
            " or a supervisor's approval" if self.out_requires == "approval" else ""
        )


def _span(seconds: int) -> str:
    return f"{seconds // 3600} h" if seconds % 3600 == 0 else f"{seconds // 60} minutes"
