"""What every request handler shares: the hub, a read-only store, sessions, the sign-in
guard, device keys, the templates and the broadcaster. One per dashboard; its reads run on
the web loop's thread, which owns the read-only connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from config.settings import Settings
from core.clock import Clock
from domain.staff import Role, StaffMember, parse_members
from hub.policy import RolePolicy
from hub.service import HubService
from hub.store import HubStore
from hub.web.auth import Session, Sessions
from hub.web.devices import DeviceKeys
from hub.web.events import Broadcaster
from hub.web.guard import GuardLimits, SignInGuard
from hub.web.records import password_times

COOKIE = "kiosk_dashboard"
LOGIN_CSRF_COOKIE = "kiosk_dashboard_login"
DEVICE_COOKIE = "kiosk_device"
# page path -> (title, the sections it shows)
PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "/": ("Board", ("board", "calls")),
    "/kiosks": ("Kiosks", ("kiosks",)),
    "/arrivals": ("Arrivals", ("arrivals",)),
    "/escalations": ("Escalations", ("escalations",)),
    "/charts": ("Charts", ("charts",)),
    "/notifications": ("Notifications", ("notifications",)),
}


class Forbidden(Exception):
    """The signed-in role may not do this (answered 403)."""


@dataclass
class Dashboard:
    settings: Settings
    hub: HubService
    clock: Clock
    monotonic: Callable[[], float] = time.monotonic
    broadcaster: Broadcaster = field(default_factory=Broadcaster)
    _store: HubStore | None = None
    _password_times: dict[str, str] | None = None

    def __post_init__(self) -> None:
        web = self.settings.hub.web
        self.members: dict[str, StaffMember] = {m.id: m for m in parse_members(self.settings.staff.members)}
        self.policy = RolePolicy.from_settings(self.settings.staff)
        self.sessions = Sessions(web.session_s, web.session_idle_s, self.monotonic, self.broadcaster.end)
        limits = GuardLimits(
            web.max_attempts, web.lockout_s, web.guesses_per_hour, web.client_attempts_per_hour
        )
        self.guard = SignInGuard(limits, self.monotonic, keep=self.members.__contains__)
        self.devices = DeviceKeys.load_or_create(Path(self.hub.db_path).parent / "dashboard-device.key")
        self.stranger_slots = asyncio.Semaphore(2)  # scrypt runs (~16 MB each) for strangers at once
        self.background: set[asyncio.Task[None]] = set()
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("hub.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    @property
    def store(self) -> HubStore:
        """The read-only connection (opened on first use, on the web loop's thread)."""
        if self._store is None:
            self._store = HubStore.open(Path(self.hub.db_path), readonly=True, key=self.hub.store_key)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def sweep(self) -> None:
        """End expired sessions, and the sessions of a member whose password was changed or
        removed (a new password also lifts a hold on the account). On the web loop."""
        self.sessions.sweep()
        now = password_times(self.store)
        before, self._password_times = self._password_times, now
        if before is None:
            return
        for staff_id in {k for k in before if before[k] != now.get(k)} | (now.keys() - before.keys()):
            self.sessions.close_member(staff_id)
            self.guard.unlock(staff_id)

    def cookie(self, name: str) -> str:
        """A cookie's name: ``__Host-`` under TLS (Secure, host-only, path /)."""
        return f"__Host-{name}" if self.settings.hub.web.tls else name

    # --- requests ---------------------------------------------------------------------

    def session(self, request: Request) -> Session | None:
        return self.sessions.get(request.cookies.get(self.cookie(COOKIE)))

    def require(self, request: Request, *roles: Role) -> Session:
        """The request's live session with one of ``roles`` (any role when none given)."""
        session = self.session(request)
        if session is None:
            raise SignInNeeded
        if roles and session.role not in roles:
            raise Forbidden
        return session

    def render(self, name: str, request: Request, status_code: int = 200, **values: Any) -> HTMLResponse:
        session = self.session(request)
        html = self.templates.get_template(name).render(
            session=session,
            practice=self.settings.ui.practice_name,
            path=request.url.path,
            pages=PAGES,
            **values,
        )
        return HTMLResponse(html, status_code=status_code)


class SignInNeeded(Exception):
    """No live session: answered with the sign-in page (or 401 for the event stream)."""
