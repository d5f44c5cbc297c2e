"""The staff admin panel's logic, Qt-free and clock-injected.

Sign-in by a member picked on the pad and their PIN (or by badge) with a lockout, role
permissions, an idle timeout, a proposal that shows the impact before a status change is
sent, a supervisor's approval where front desk needs one, and the pending → applied /
rejected life of each request. Every staff action becomes a message the shell commits to
the outbox (so it works offline and the hub, the authority, audits it). Each carries the
person's proof (``sync.proof``), made with the key their PIN or badge rebuilt at sign-in
and held only for the session.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

from config.settings import StaffSettings
from core.clock import Clock
from domain.impact import Impact, impact_sentence, status_impact
from domain.staff import Role, StaffDirectory, StaffMember
from sync import messages as m
from sync import staff_messages as sm
from sync.proof import sign

Emit = Callable[[m.StatusChangeRequest | sm.StaffEvent | sm.NoticeAck], object]
LoginOutcome = Literal["ok", "wrong", "locked"]


@dataclass(frozen=True)
class Proposal:
    provider_id: str
    provider_name: str
    state: m.StatusState
    delay_min: int
    leaving_at: str
    reason: str
    impact: Impact
    sentence: str
    allowed: bool
    needs_approval: bool  # front desk asking for "out" / "leaving early": a supervisor's PIN
    refusal: str = ""


@dataclass
class Pending:
    key: str
    provider_id: str
    state: str
    status: Literal["pending", "applied", "rejected"] = "pending"
    reason: str = ""
    version: int = 0
    displayed_by: list[str] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)


class AdminSession:
    def __init__(self, staff: StaffSettings, kiosk_id: str, clock: Clock, emit: Emit) -> None:
        self.directory = StaffDirectory(staff.members, staff.badge_key)
        self._settings = staff
        self._kiosk_id = kiosk_id
        self._clock = clock
        self._emit = emit
        self._failures = 0
        self._locked_until = float("-inf")
        self._last_activity = 0.0
        self.member: StaffMember | None = None
        self.approver: StaffMember | None = None
        self._key = b""  # the signed-in member's proof key, for this session only
        self._approver_key = b""
        self.pending: dict[str, Pending] = {}
        self.notices: dict[str, sm.SupervisorNotice] = {}

    # --- identity -----------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._clock.monotonic() < self._locked_until

    def lock_seconds_left(self) -> int:
        return max(0, int(self._locked_until - self._clock.monotonic() + 0.999))

    def members(self, role: Role | None = None) -> list[StaffMember]:
        """Who may sign in (or, with ``role``, approve): what the pad's first step lists."""
        found = [self.directory.members[i] for i in self.directory.ids()]
        return [m for m in found if m.pin is not None and (role is None or m.role == role)]

    def login_pin(self, member_id: str, pin: str) -> LoginOutcome:
        """``member_id`` picked on the pad, then their PIN: one derivation, whoever it is."""
        return self._login(lambda: self.directory.check_pin(member_id, pin))

    def login_badge(self, badge_id: str) -> LoginOutcome:
        return self._login(lambda: self.directory.check_badge(badge_id))

    def _login(self, find: Callable[[], tuple[StaffMember, bytes] | None]) -> LoginOutcome:
        if self.locked:
            return "locked"
        found = find()
        if found is None:
            self._failures += 1
            self._event("login_failed", detail=f"attempt {self._failures}")
            if self._failures >= self._settings.max_attempts:
                self._locked_until = self._clock.monotonic() + self._settings.lockout_s
                self._failures = 0
                self._event("lockout", detail=f"{self._settings.max_attempts} wrong PINs")
                return "locked"
            return "wrong"
        member, self._key = found
        self._failures = 0
        self.member = member
        self.approver, self._approver_key = None, b""
        self._last_activity = self._clock.monotonic()
        self._event("login", member)
        return "ok"

    def logout(self, why: str = "logout") -> None:
        if self.member is not None:
            self._event("logout", self.member, detail=why)
        self.member = None
        self.approver = None
        self._key = self._approver_key = b""

    def touch(self) -> None:
        self._last_activity = self._clock.monotonic()

    def tick(self) -> None:
        if (
            self.member is not None
            and self._clock.monotonic() - self._last_activity >= self._settings.session_idle_s
        ):
            self.logout("idle")

    # --- status changes ---------------------------------------------------------------

    def propose(
        self,
        provider_id: str,
        provider_name: str,
        state: m.StatusState,
        appointments: list[m.Appointment],
        *,
        delay_min: int = 0,
        leaving_at: str = "",
        reason: str = "",
    ) -> Proposal:
        self.touch()
        impact = status_impact(
            appointments, state, self._clock.now(), delay_min=delay_min, leaving_at=leaving_at
        )
        sentence = impact_sentence(provider_name, state, impact, delay_min, leaving_at)
        allowed, needs_approval, refusal = self._may(state, delay_min)
        return Proposal(
            provider_id,
            provider_name,
            state,
            delay_min,
            leaving_at,
            reason,
            impact,
            sentence,
            allowed,
            needs_approval,
            refusal,
        )

    def _may(self, state: str, delay_min: int) -> tuple[bool, bool, str]:
        member = self.member
        if member is None:
            return False, False, "sign in first"
        if member.role == Role.SUPERVISOR:
            return True, False, ""
        if member.role == Role.TECHNICIAN:
            return False, False, "technicians cannot change provider status"
        if state == "on_time" or (state == "late" and delay_min <= self._settings.front_desk_max_late_min):
            return True, False, ""
        if state == "late":
            return False, True, f"over {self._settings.front_desk_max_late_min} minutes needs a supervisor"
        if self._settings.out_requires == "approval":
            return False, True, "needs a supervisor's approval"
        return False, False, "needs a supervisor"

    def approve(self, member_id: str, pin: str) -> bool:
        """A supervisor picks their name and enters their PIN on the confirmation step."""
        found = self.directory.check_pin(member_id, pin)
        if found is None or found[0].role != Role.SUPERVISOR:
            self._event("login_failed", detail="approval")
            return False
        self.approver, self._approver_key = found
        self._event("approve", self.approver, key=self._approver_key)
        return True

    def confirm(self, proposal: Proposal) -> Pending | None:
        """Send the change (through the outbox); None when not allowed."""
        if self.member is None or not (proposal.allowed or (proposal.needs_approval and self.approver)):
            return None
        self.touch()
        req = m.StatusChangeRequest(
            key=uuid.uuid4().hex,
            kiosk_id=self._kiosk_id,
            provider_id=proposal.provider_id,
            state=proposal.state,
            requested_by=self.member.id,
            requested_at=self._clock.now().isoformat(timespec="seconds"),
            delay_min=proposal.delay_min,
            leaving_at=proposal.leaving_at,
            reason=proposal.reason,
            role=self.member.role.value,
            approved_by=self.approver.id if self.approver else "",
        )
        req = replace(
            req,
            proof=sign(self._key, req) if self._key else "",  # none from an old-style entry
            approval_proof=sign(self._approver_key, req) if self._approver_key else "",
        )
        # Recorded before it is sent: the hub's answer may come back (on the sync thread)
        # before ``emit`` returns, and an answer with no pending request is dropped.
        pending = Pending(req.key, req.provider_id, req.state)
        self.pending[req.key] = pending
        try:
            self._emit(req)
        except BaseException:
            del self.pending[req.key]  # never committed: nothing to wait for
            raise
        self.approver, self._approver_key = None, b""
        return pending

    def on_result(self, result: m.RequestResult) -> Pending | None:
        pending = self.pending.get(result.key)
        if pending is not None:
            pending.status = "applied" if result.accepted else "rejected"
            pending.reason = result.reason
            pending.version = result.status_version
        return pending

    def on_receipt(self, receipt: sm.DisplayReceipt) -> None:
        for pending in self.pending.values():
            if pending.provider_id == receipt.provider_id and pending.version == receipt.status_version:
                pending.displayed_by = list(receipt.displayed_by)
                pending.waiting_for = list(receipt.waiting_for)

    def technician_action(self, detail: str) -> bool:
        """A technician restarts the service or leaves to the desktop: audited at the hub."""
        if self.member is None or self.member.role != Role.TECHNICIAN:
            return False
        self.touch()
        self._event("technician_action", self.member, detail=detail)
        return True

    # --- supervisor notices -----------------------------------------------------------

    def on_notice(self, notice: sm.SupervisorNotice) -> None:
        if notice.acked_by:
            self.notices.pop(notice.id, None)
        else:
            self.notices[notice.id] = notice

    def ack_notice(self, notice_id: str) -> bool:
        if self.member is None or self.member.role != Role.SUPERVISOR or notice_id not in self.notices:
            return False
        ack = sm.NoticeAck(
            uuid.uuid4().hex,
            self._kiosk_id,
            notice_id,
            self.member.id,
            self._clock.now().isoformat(timespec="seconds"),
        )
        self._emit(replace(ack, proof=sign(self._key, ack)) if self._key else ack)
        return True

    def _event(
        self,
        action: sm.StaffAction,
        member: StaffMember | None = None,
        detail: str = "",
        key: bytes | None = None,
    ) -> None:
        event = sm.StaffEvent(
            uuid.uuid4().hex,
            self._kiosk_id,
            self._clock.now().isoformat(timespec="seconds"),
            action,
            member.id if member else "",
            member.role.value if member else "",
            detail,
        )
        key = self._key if key is None else key
        self._emit(replace(event, proof=sign(key, event)) if member is not None and key else event)
