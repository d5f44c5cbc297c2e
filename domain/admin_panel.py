"""The staff panel's screens as Qt-free state over an ``AdminSession``.

Which page is up, the PIN being typed, the change being prepared (provider, action,
minutes, reason, leaving time), its proposal, and the requests sent this session. The
QObject (``ui.admin_model``) only shows this and forwards touches to it.

Pages: closed → who (pick your name; or a badge) → pin (or locked) → providers | requests |
notices (front desk, supervisor) or tech (technician). A change goes providers → action →
confirm (→ approver: the supervisor picks their name → approve: their PIN) → requests.
Picking the member first means a sign-in checks one PIN, not every member's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from core.errors import KioskError
from domain.admin import Pending, Proposal
from domain.admin_backend import AdminBackend
from domain.board import BoardRow, board_rows
from domain.staff import Role
from sync import messages as m
from sync import staff_messages as sm

log = logging.getLogger(__name__)

Page = Literal[
    "closed",
    "who",
    "pin",
    "locked",
    "providers",
    "action",
    "confirm",
    "approver",
    "approve",
    "requests",
    "notices",
    "tech",
]
_SIGNED_IN: tuple[Page, ...] = (
    "providers",
    "action",
    "confirm",
    "approver",
    "approve",
    "requests",
    "notices",
    "tech",
)
_ENTRY: tuple[Page, ...] = ("who", "pin", "locked")  # before anyone is signed in
_TABS: dict[Role, tuple[Page, ...]] = {
    Role.FRONT_DESK: ("providers", "requests", "notices"),
    Role.SUPERVISOR: ("providers", "requests", "notices"),
    Role.TECHNICIAN: ("tech",),
}
LATE_PRESETS = (10, 15, 20, 30, 45, 60)
LATE_STEP, LATE_MIN, LATE_MAX = 5, 5, 240
LEAVE_STEP_MIN = 15
REASONS = ("sick", "emergency", "other")
PIN_MAX = 8


@dataclass(frozen=True)
class Draft:
    """The change being prepared."""

    provider_id: str
    provider_name: str
    state: m.StatusState
    delay_min: int = 15
    leaving_at: str = ""  # HH:MM
    reason: str = ""


class AdminPanel:
    def __init__(self, backend: AdminBackend) -> None:
        self.backend = backend
        self.session = backend.session
        self.page: Page = "closed"
        self.pin = ""
        self.picked = ""  # the member picked on "who" (or the supervisor on "approver")
        self.error = ""  # wrong_pin, wrong_badge, not_supervisor, not_sent, command_failed
        self.draft: Draft | None = None
        self.proposal: Proposal | None = None
        self.names: dict[str, str] = {}
        self.sent: dict[str, Draft] = {}  # request key -> the change as prepared
        self._receipts: dict[str, sm.DisplayReceipt] = {}
        self._last_touch = 0.0

    # --- who is signed in -----------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.page != "closed"

    @property
    def role(self) -> str:
        member = self.session.member
        return member.role.value if member is not None else ""

    @property
    def tabs(self) -> tuple[Page, ...]:
        member = self.session.member
        return _TABS[member.role] if member is not None else ()

    def open(self) -> None:
        """The hidden corner was held: the entry (PIN pad, or the lockout message)."""
        self.session.logout("reopened")
        self._reset("locked" if self.session.locked else "who")

    def close(self, why: str = "logout") -> None:
        """Sign out (if signed in) and give the screen back to patients."""
        self.session.logout(why)
        self._reset("closed")

    def _reset(self, page: Page) -> None:
        self.page = page
        self.pin = ""
        self.picked = ""
        self.error = ""
        self.draft = None
        self.proposal = None
        self.touch()

    def touch(self) -> None:
        self._last_touch = self.backend.clock.monotonic()
        if self.session.member is not None:
            self.session.touch()

    # --- who: the name first, then the PIN pad (sign in, or a supervisor's approval) --

    def members(self) -> list[tuple[str, str]]:
        """(id, role) of whom the "who" page lists: everyone, or supervisors on "approver"."""
        role = Role.SUPERVISOR if self.page == "approver" else None
        return [(m.id, m.role.value) for m in self.session.members(role)]

    def pick(self, member_id: str) -> None:
        self.touch()
        if member_id not in {i for i, _ in self.members()}:
            return
        if self.page == "who":
            self.picked, self.page = member_id, "pin"
        elif self.page == "approver":
            self.picked, self.page = member_id, "approve"
        self.pin, self.error = "", ""

    def press(self, key: str) -> None:
        self.touch()
        if self.page in ("pin", "approve") and key.isdigit() and len(self.pin) < PIN_MAX:
            self.pin += key
            self.error = ""

    def erase(self) -> None:
        self.touch()
        self.pin = self.pin[:-1]

    def submit_pin(self) -> None:
        self.touch()
        pin, self.pin = self.pin, ""
        if not pin:
            return
        if self.page == "pin":
            self._signed_in(self.session.login_pin(self.picked, pin))
        elif self.page == "approve":
            if self.session.approve(self.picked, pin):
                self._send()
            else:
                self.error = "not_supervisor"

    def badge(self, badge_id: str) -> bool:
        """A badge read while the entry is open signs in like a PIN; False: not for us."""
        if self.page not in _ENTRY:
            return False
        self.touch()
        outcome = self.session.login_badge(badge_id)
        self._signed_in(outcome)
        if outcome == "wrong":
            self.error = "wrong_badge"
        return True

    def _signed_in(self, outcome: str) -> None:
        if outcome == "ok":
            self.page = self.tabs[0]
            self.error = ""
        elif outcome == "locked":
            self.page = "locked"
        else:
            self.error = "wrong_pin"

    # --- pages ------------------------------------------------------------------------

    def show(self, page: Page) -> None:
        self.touch()
        if page in self.tabs:
            self.page = page
            self.error = ""
            self.draft = None
            self.proposal = None

    def back(self) -> None:
        self.touch()
        self.error = ""
        if self.page == "pin":
            self.page, self.picked = "who", ""
        elif self.page == "approve":
            self.page, self.picked = "approver", ""
        elif self.page == "approver":
            self.page = "confirm"
        elif self.page == "confirm" and self.draft is not None and self.draft.state != "on_time":
            self.page = "action"
        elif self.page in ("action", "confirm"):
            self.page = "providers"
            self.draft = None
        if self.page in ("action", "providers"):
            self.proposal = None
        self.pin = ""

    # --- preparing a change -------------------------------------------------------------

    def providers(self) -> list[BoardRow]:
        rows = board_rows(*self.backend.board())
        self.names = {r.provider_id: r.name for r in rows}
        return rows

    def choose(self, provider_id: str, state: m.StatusState) -> None:
        """A provider's action button: late and leaving early and out ask for more, on time not."""
        self.touch()
        if "providers" not in self.tabs or state not in ("late", "out", "leaving_early", "on_time"):
            return
        name = self.names.get(provider_id) or next(
            (r.name for r in self.providers() if r.provider_id == provider_id), ""
        )
        if not name:
            return
        self.draft = Draft(provider_id, name, state, leaving_at=_default_leaving(self.backend.clock.now()))
        if state == "on_time":
            self.review()
        else:
            self.page = "action"

    def adjust_late(self, delta: int) -> None:
        self._edit(delay_min=(self.draft.delay_min if self.draft else 0) + delta)

    def set_late(self, minutes: int) -> None:
        self._edit(delay_min=minutes)

    def set_reason(self, reason: str) -> None:
        if reason in REASONS:
            self._edit(reason=reason)

    def adjust_leaving(self, delta_min: int) -> None:
        if self.draft is not None:
            self._edit(leaving_at=_shift(self.draft.leaving_at, delta_min, self.backend.clock.now()))

    def _edit(self, **fields: object) -> None:
        self.touch()
        if self.draft is None:
            return
        draft = replace(self.draft, **fields)  # type: ignore[arg-type]
        self.draft = replace(draft, delay_min=max(LATE_MIN, min(LATE_MAX, draft.delay_min)))

    @property
    def can_review(self) -> bool:
        return self.draft is not None and (self.draft.state != "out" or bool(self.draft.reason))

    def review(self) -> None:
        """The confirmation step: the impact sentence, and whether a supervisor must approve."""
        draft = self.draft
        if draft is None or not self.can_review:
            return
        self.proposal = self.session.propose(
            draft.provider_id,
            draft.provider_name,
            draft.state,
            self.backend.appointments(draft.provider_id),
            delay_min=draft.delay_min if draft.state == "late" else 0,
            leaving_at=draft.leaving_at if draft.state == "leaving_early" else "",
            reason=draft.reason if draft.state == "out" else "",
        )
        self.page = "confirm"
        self.error = ""

    def send(self) -> None:
        self.touch()
        proposal = self.proposal
        if self.page != "confirm" or proposal is None:
            return
        if proposal.allowed:
            self._send()
        elif proposal.needs_approval:
            self.page = "approver"
            self.pin, self.picked = "", ""

    def _send(self) -> None:
        if self.proposal is None:
            return
        try:
            pending = self.session.confirm(self.proposal)
        except (KioskError, TimeoutError) as exc:  # the outbox did not commit it: say so, stay here
            log.error("status change not queued: %s", exc)
            pending = None
        if pending is None:
            self.page, self.error = "confirm", "not_sent"
            return
        if self.draft is not None:
            self.sent[pending.key] = self.draft
        self._apply_receipt(pending)
        self.page, self.error, self.draft, self.proposal = "requests", "", None, None

    # --- what the hub says ----------------------------------------------------------

    def requests(self) -> list[Pending]:
        return list(reversed(self.session.pending.values()))

    def on_result(self, result: m.RequestResult) -> None:
        pending = self.session.on_result(result)
        if pending is not None:
            self._apply_receipt(pending)

    def on_receipt(self, receipt: sm.DisplayReceipt) -> None:
        self._receipts[receipt.provider_id] = receipt
        self.session.on_receipt(receipt)

    def _apply_receipt(self, pending: Pending) -> None:
        """A receipt that arrived before the result names the version the result now gives."""
        receipt = self._receipts.get(pending.provider_id)
        if receipt is not None and pending.version and receipt.status_version == pending.version:
            pending.displayed_by = list(receipt.displayed_by)
            pending.waiting_for = list(receipt.waiting_for)

    def ack(self, notice_id: str) -> bool:
        self.touch()
        return self.session.ack_notice(notice_id)

    # --- technician -------------------------------------------------------------------

    def restart_service(self) -> None:
        if self.page != "tech" or not self.session.technician_action("restart kiosk service"):
            return
        code = self.backend.run_command(self.backend.restart_command)
        self.error = "" if code == 0 else "command_failed"

    def exit_to_desktop(self) -> bool:
        """True when the shell should now quit with ``backend.exit_code``."""
        if self.page != "tech" or not self.session.technician_action("exit to desktop"):
            return False
        self.close("exit to desktop")
        return True

    # --- time ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Idle sign-out (the session's 60 s) and the entry left open; the lockout ending."""
        if not self.is_open:
            return
        self.session.tick()
        if self.page in _SIGNED_IN and self.session.member is None:
            self._reset("closed")
        elif self.page in _ENTRY:
            idle = self.backend.clock.monotonic() - self._last_touch
            if idle >= self.backend.idle_s:
                self.close("idle")
            elif self.page == "locked" and not self.session.locked:
                self.page = "who"


def _default_leaving(now: datetime) -> str:
    """The next full hour at least an hour away (clamped to the day)."""
    when = (now + timedelta(hours=1, minutes=59)).replace(minute=0, second=0, microsecond=0)
    return "23:45" if when.date() != now.date() else when.strftime("%H:%M")


def _shift(leaving_at: str, delta_min: int, now: datetime) -> str:
    """Move a leaving time by quarter hours, staying between the next quarter and 23:45."""
    base = datetime.combine(now.date(), datetime.strptime(leaving_at or "12:00", "%H:%M").time())
    earliest = (now + timedelta(minutes=LEAVE_STEP_MIN - now.minute % LEAVE_STEP_MIN)).replace(
        second=0, microsecond=0
    )
    latest = datetime.combine(now.date(), datetime.strptime("23:45", "%H:%M").time())
    when = max(earliest, min(latest, base + timedelta(minutes=delta_min)))
    return when.strftime("%H:%M")


__all__ = ["LATE_PRESETS", "REASONS", "AdminPanel", "Draft", "Page"]
