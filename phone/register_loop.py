"""The asyncio shell around ``phone.registration``: sends its REGISTERs from the line's own
SIP socket (so the registrar's INVITEs come back to the Contact it stored), hands it the
answers, and makes the registrar's address an allowed peer of the line.

Logs one line per change of state: "registered" (info), and on failure the reason
(warning; a refused password is an error) — never the password, never on every retry."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import dataclass, replace

from phone import digest, sip
from phone.line import PhoneLine
from phone.registration import Registration, RegistrationConfig, State

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisterTarget:
    """Where and as whom the line registers (from ``[phone]``)."""

    host: str
    port: int
    user: str
    password: str
    domain: str = ""  # the address-of-record's domain; empty: ``host``
    expires: int = 300

    def __repr__(self) -> str:
        return f"RegisterTarget(host={self.host!r}, port={self.port}, user={self.user!r}, password=***)"


class RegisterLoop:
    def __init__(
        self, line: PhoneLine, target: RegisterTarget, tuning: RegistrationConfig | None = None
    ) -> None:
        self.line = line
        self.target = target
        self._tuning = tuning  # timers for tests; its addresses are replaced at start
        self.registration: Registration | None = None
        self.changed = asyncio.Event()  # set on every change of state (tests wait on it)
        self._peer: tuple[str, int] = ("", 0)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Resolve the registrar (it becomes an allowed peer) and start registering."""
        loop = asyncio.get_running_loop()
        target = self.target
        infos = await loop.getaddrinfo(
            target.host, target.port, family=socket.AF_INET, type=socket.SOCK_DGRAM
        )
        self._peer = (str(infos[0][4][0]), int(infos[0][4][1]))
        self.line.trusted_hosts.add(self._peer[0])
        address, port = self.line.config.address, self.line.port
        domain = target.domain or target.host
        base = self._tuning or RegistrationConfig("", "", "", "", digest.Credentials("", ""))
        config = replace(
            base,
            registrar=f"sip:{domain}" if target.port == 5060 else f"sip:{domain}:{target.port}",
            aor=f"sip:{target.user}@{domain}",
            contact=f"sip:{target.user}@{address}:{port}",
            sent_by=f"{address}:{port}",
            credentials=digest.Credentials(target.user, target.password),
            expires=target.expires,
        )
        self.registration = Registration(config, loop.time())
        self.line.response_handlers[self.registration.call_id] = self._on_response
        self._task = loop.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        registration = self.registration
        if registration is not None and registration.registered(asyncio.get_running_loop().time()):
            self.line.send(registration.unregister(), self._peer)  # best effort: the line is going away
        if registration is not None:
            self.line.response_handlers.pop(registration.call_id, None)

    def _on_response(self, msg: sip.SipMessage, addr: tuple[str, int]) -> None:
        if self.registration is not None:
            self.registration.on_response(msg, asyncio.get_running_loop().time())
            self._wake.set()

    async def _run(self) -> None:
        registration = self.registration
        if registration is None:
            return
        loop = asyncio.get_running_loop()
        seen = (registration.state, registration.reason)
        while True:
            for request in registration.poll(loop.time()):
                self.line.send(request, self._peer)
            now = (registration.state, registration.reason)
            if now != seen:
                self._report(registration)
                seen = now
                self.changed.set()
            delay = max(0.0, registration.next_at - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()

    def _report(self, registration: Registration) -> None:
        where = {"registrar": f"{self._peer[0]}:{self._peer[1]}"}
        if registration.state is State.REGISTERED:
            if not registration.reason:
                log.info("registered", extra={**where, "expires_s": registration.granted})
            return
        level = logging.ERROR if registration.state is State.REFUSED else logging.WARNING
        extra = {**where, "state": str(registration.state)}
        log.log(level, "not registered: %s", registration.reason, extra=extra)


__all__ = ["RegisterLoop", "RegisterTarget"]
