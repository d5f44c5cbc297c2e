"""Who may change a provider's status: the hub's rules, checked on every request.

Front desk may set "late" up to a limit and "back on schedule"; "out" and "leaving
early" need a supervisor, or (when ``out_requires = "approval"``) a front-desk request
that a supervisor approved at the kiosk. Technicians manage devices, not providers.
The staff directory is the same ``[staff.members]`` the kiosks are provisioned with.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.settings import StaffSettings
from domain.staff import Role, StaffMember, parse_members
from hub.origin import PRACTICE_CLI_ID, RequestOrigin
from sync.messages import StatusChangeRequest


@dataclass(frozen=True)
class RolePolicy:
    members: dict[str, StaffMember]
    front_desk_max_late_min: int = 60
    out_requires: str = "approval"  # or "supervisor"

    @classmethod
    def from_settings(cls, staff: StaffSettings) -> RolePolicy:
        members = {m.id: m for m in parse_members(staff.members)}
        return cls(members, staff.front_desk_max_late_min, staff.out_requires)

    def check(self, req: StatusChangeRequest, origin: RequestOrigin = RequestOrigin.KIOSK) -> str:
        """ "" when allowed, else the reason the admin panel shows."""
        if origin is RequestOrigin.PRACTICE_CLI:
            return ""  # the hub's command topic: only practice credentials can write it
        if req.kiosk_id == PRACTICE_CLI_ID:
            return f"only the practice's terminal may use the id {PRACTICE_CLI_ID!r}"
        return self._check_member(req)

    def _check_member(self, req: StatusChangeRequest) -> str:
        member = self.members.get(req.requested_by)
        if member is None:
            return f"{req.requested_by} is not on this practice's staff list"
        if req.role and req.role != member.role:
            return f"{req.requested_by} is {member.role}, not {req.role}"
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
            return ""
        what = "out today" if req.state == "out" else "leaving early"
        return f"{what} needs a supervisor" + (
            " or a supervisor's approval" if self.out_requires == "approval" else ""
        )
