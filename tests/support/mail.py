"""An SMTP sink on loopback (aiosmtpd) that requires STARTTLS with the test CA's server
certificate, keeps what it is given and can refuse recipients or fall over."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from devtools.local_broker import _cert_dir, free_port  # the session's test CA, made once


@dataclass
class _Handler:
    received: list[Message] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550
    busy: bool = False  # every message answered 451

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy:
            return "451 4.3.0 try again later"
        self.received.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int = 0, handler: _Handler | None = None) -> None:
        """``port`` and ``handler`` of a sink that stopped: the same relay, back up."""
        certs = _cert_dir()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certs / "server.crt", certs / "server.key")
        self.ca_file = str(certs / "ca.crt")
        self.port = port or free_port()
        self.handler = handler or _Handler()
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, tls_context=context, require_starttls=True
        )

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def received(self) -> list[Message]:
        return list(self.handler.received)

    def ca_path(self) -> Path:
        return Path(self.ca_file)
