"""Sessions of the dashboard: an absolute and an idle expiry, one CSRF token per session,
and the hub's notice for the next page (kept here, never taken from the URL). Attempts and
holds are ``hub.web.guard``'s.

Pure apart from the injected clock (``monotonic``): the app holds one ``Sessions`` in
memory (a hub restart signs everyone out). Whenever a session ends (sign-out, expiry,
sweep, a password change) ``on_end`` is told, which closes its event streams.
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
    notice: str = ""  # the hub's word for the next page (a change applied, refused ...)


@dataclass
class Sessions:
    max_s: float
    idle_s: float
    clock: Callable[[], float]
    on_end: Callable[[str], None] = lambda _token: None
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
        if self._expired(session, now):
            self.close(session.token)
            return None
        session.last_used = now
        return session

    def close(self, token: str | None) -> None:
        if self._by_token.pop(token or "", None) is not None:
            self.on_end(token or "")

    def close_member(self, staff_id: str, keep: str = "") -> int:
        """End every session of ``staff_id`` (but ``keep``); how many ended."""
        tokens = [t for t, s in self._by_token.items() if s.staff_id == staff_id and t != keep]
        for token in tokens:
            self.close(token)
        return len(tokens)

    def sweep(self) -> int:
        """End every expired session (their streams close too); how many ended."""
        now = self.clock()
        tokens = [t for t, s in self._by_token.items() if self._expired(s, now)]
        for token in tokens:
            self.close(token)
        return len(tokens)

    def __contains__(self, token: object) -> bool:
        """Whether ``token`` is a session not yet ended (without touching it)."""
        return token in self._by_token

    def __len__(self) -> int:
        return len(self._by_token)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.started > self.max_s or now - session.last_used > self.idle_s


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, sent or "")
