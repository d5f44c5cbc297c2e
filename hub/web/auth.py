"""Sign-in for the dashboard: passwords checked against scrypt hashes, lockout after
repeated failures, sessions with an absolute and an idle expiry, one CSRF token per session.

Pure apart from the injected clock (``monotonic``): the app holds one ``Sessions`` and one
``Lockout``; both live in memory (a hub restart signs everyone out and forgets failures).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from domain.staff import Role, StaffMember


@dataclass
class Session:
    token: str
    staff_id: str
    role: Role
    csrf: str
    started: float
    last_used: float


@dataclass
class Lockout:
    """Failures per staff id; ``max_attempts`` wrong passwords lock the id for ``lockout_s``."""

    max_attempts: int
    lockout_s: float
    clock: Callable[[], float]
    _failures: dict[str, int] = field(default_factory=dict)
    _locked_until: dict[str, float] = field(default_factory=dict)

    def locked(self, staff_id: str) -> bool:
        until = self._locked_until.get(staff_id)
        if until is None:
            return False
        if self.clock() >= until:
            del self._locked_until[staff_id]
            self._failures.pop(staff_id, None)
            return False
        return True

    def failed(self, staff_id: str) -> bool:
        """Count one failure; True when this one locked the id."""
        count = self._failures.get(staff_id, 0) + 1
        self._failures[staff_id] = count
        if count >= self.max_attempts:
            self._locked_until[staff_id] = self.clock() + self.lockout_s
            return True
        return False

    def succeeded(self, staff_id: str) -> None:
        self._failures.pop(staff_id, None)


@dataclass
class Sessions:
    max_s: float
    idle_s: float
    clock: Callable[[], float]
    _by_token: dict[str, Session] = field(default_factory=dict)

    def open(self, member: StaffMember) -> Session:
        now = self.clock()
        session = Session(
            secrets.token_urlsafe(32), member.id, member.role, secrets.token_urlsafe(32), now, now
        )
        self._by_token[session.token] = session
        return session

    def get(self, token: str | None) -> Session | None:
        """The live session of ``token`` (touching it), or None when unknown or expired."""
        session = self._by_token.get(token or "")
        if session is None:
            return None
        now = self.clock()
        if now - session.started > self.max_s or now - session.last_used > self.idle_s:
            del self._by_token[session.token]
            return None
        session.last_used = now
        return session

    def close(self, token: str | None) -> None:
        self._by_token.pop(token or "", None)


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, sent or "")
