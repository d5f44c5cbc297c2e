"""SIP over TLS (RFC 3261 §26.2, ``transport=tls``) into the line: an asyncio TLS server
whose connections are framed (``phone.sip_stream``) and handed to the line as if each
message were a datagram from the connection's address, so every rule of the UDP path
holds unchanged (allowed peers, the INVITE bucket, dialogs, 403/405/481...). What the line
sends to that address goes back over the connection (``PhoneLine.stream_routes``).

The media is SRTP (SDES keys, ``phone.offer_answer``) when the caller offers ``RTP/SAVP``
here, plain RTP otherwise.
A connection that breaks the framing is closed and counted; at most ``max_connections``
are open at once (more are closed at once, counted); a handshake has 10 s.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from typing import cast

from phone.line import PhoneLine
from phone.sip_stream import StreamFramer

log = logging.getLogger(__name__)

HANDSHAKE_S = 10.0


def server_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    """TLS 1.2 or newer with the line's certificate (the PBX verifies it); callers are not
    asked for one: who may call is ``allowed_peers``, as on UDP."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)
    return context


class _Connection(asyncio.Protocol):
    def __init__(self, listener: SipTlsListener) -> None:
        self.listener = listener
        self.framer = StreamFramer()
        self.transport: asyncio.Transport | None = None
        self.peer: tuple[str, int] = ("", 0)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        host, port = transport.get_extra_info("peername")[:2]
        self.peer = (str(host), int(port))
        self.listener.opened(self)

    def data_received(self, data: bytes) -> None:
        for message in self.framer.feed(data):
            self.listener.line.datagram_received(message, self.peer)
        if self.framer.broken and self.transport is not None:
            self.listener.line.stats[f"tls_broken_{self.framer.broken}"] += 1
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.listener.closed(self)

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


class SipTlsListener:
    def __init__(
        self, line: PhoneLine, host: str, port: int, context: ssl.SSLContext, max_connections: int
    ) -> None:
        self.line = line
        self.host = host
        self.port = port
        self.context = context
        self.max_connections = max_connections
        self.connections: set[_Connection] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Connection(self),
            self.host,
            self.port,
            ssl=self.context,
            ssl_handshake_timeout=HANDSHAKE_S,
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        self.line.tls_port = self.port

    def opened(self, connection: _Connection) -> None:
        if len(self.connections) >= self.max_connections:
            self.line.stats["tls_refused_too_many"] += 1
            if connection.transport is not None:
                connection.transport.close()
            return
        self.connections.add(connection)
        self.line.stream_routes[connection.peer] = connection.write
        self.line.stats["tls_connections"] += 1

    def closed(self, connection: _Connection) -> None:
        self.connections.discard(connection)
        if self.line.stream_routes.get(connection.peer) == connection.write:
            del self.line.stream_routes[connection.peer]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.close()
        if self._server is not None:
            await self._server.wait_closed()


__all__ = ["SipTlsListener", "server_context"]
