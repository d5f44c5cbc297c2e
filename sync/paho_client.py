"""The paho client as the link drives it: buffered reads and writes, and the socket helpers.

paho reads a packet with two or three ``recv`` calls (the type byte, the length bytes one
at a time, the body) and writes each packet with a ``send`` of its own. Under a burst -
10,000 replayed check-ins, each answered by a PUBACK - that is several system calls per
message on each side, and each one lets the interpreter hand its lock to another thread
and wait to get it back. ``BufferedClient`` reads what the socket holds in one call and
serves paho's small reads from that buffer, and collects what paho writes during one
network round into one ``send`` (over TLS: one record instead of one per packet).

It overrides paho's socket hooks (``_sock_recv``, ``_sock_send``, ``_sock_close``, all
present since paho 2.0; ``tests/sync/test_link.py`` fails if a paho upgrade drops one).
The link drives the client through paho's external-loop API (``loop_read``,
``loop_write``, ``loop_misc``, ``want_write``) with a ``select`` of its own, so paho's
private wake-up socketpair is never made and a publish costs no extra system call.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import time
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from config.settings import BrokerSettings
from sync.link_events import Will

_READ_CHUNK = 65536
_WRITE_FLUSH_AT = 65536  # a bigger backlog is pushed to the socket at once
_CLOSE_FLUSH_S = 0.5  # how long a closing connection may wait to write what it holds
# loop_read calls per round while decoded bytes wait: paho handles as few as one packet a
# call (as many as it has messages in flight), and a full buffer holds hundreds.
_READ_ROUNDS = 256
_INFLIGHT = 100


class BufferedClient(mqtt.Client):
    """A paho client whose socket reads and writes go through a buffer of its own.

    ``pending()`` says whether decoded bytes wait that ``select`` cannot see (in this
    buffer, or inside TLS); ``loop_write`` also sends what the buffer holds, and
    ``want_write`` counts it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rbuf = b""
        self._rpos = 0
        self._wbuf = bytearray()
        self._retry_len = 0  # a TLS write that must be retried with exactly these bytes
        # Set, it tells paho an outside loop writes: publish() then only queues the packet
        # (no send per message); the link's loop writes the round's packets together.
        self.on_socket_register_write = _no_op

    # --- reads ------------------------------------------------------------------------

    def _sock_recv(self, bufsize: int) -> bytes:
        if self._rpos >= len(self._rbuf):
            data = super()._sock_recv(_READ_CHUNK)  # BlockingIOError when nothing is there
            if not data:
                return b""  # the broker closed: paho sees the end of the connection
            self._rbuf, self._rpos = data, 0
        end = self._rpos + bufsize
        chunk = self._rbuf[self._rpos : end]
        self._rpos = min(end, len(self._rbuf))
        return chunk

    def pending(self) -> bool:
        """Bytes already read from the socket (here or inside TLS) wait to be handled."""
        if self._rpos < len(self._rbuf):
            return True
        sock = self.socket()
        return isinstance(sock, ssl.SSLSocket) and sock.pending() > 0

    # --- writes -----------------------------------------------------------------------

    def _sock_send(self, buf: bytes | bytearray) -> int:
        if self.socket() is None:
            raise ConnectionError("not connected")
        self._wbuf += buf
        if len(self._wbuf) >= _WRITE_FLUSH_AT:
            self.flush()
        return len(buf)

    def want_write(self) -> bool:
        return bool(self._wbuf) or super().want_write()

    def loop_write(self) -> MQTTErrorCode:
        rc = super().loop_write()  # paho's packets, into the buffer
        if rc == mqtt.MQTT_ERR_SUCCESS:
            try:
                self.flush()
            except OSError:
                return mqtt.MQTT_ERR_CONN_LOST
        return rc

    def flush(self) -> None:
        """Send what the buffer holds, as far as the socket takes it now (OSError when the
        connection is gone)."""
        while self._wbuf:
            # A TLS write that wanted to wait must be retried with the same bytes.
            size = self._retry_len or len(self._wbuf)
            try:
                sent = super()._sock_send(self._wbuf[:size])
            except BlockingIOError:
                self._retry_len = size
                return
            self._retry_len = 0
            del self._wbuf[:sent]

    def _sock_close(self) -> None:
        # paho closes right after writing DISCONNECT: what the buffer holds goes out first.
        sock = self.socket()
        deadline = time.monotonic() + _CLOSE_FLUSH_S
        with contextlib.suppress(OSError, ValueError):
            self.flush()
            while self._wbuf and sock is not None and time.monotonic() < deadline:
                select.select([], [sock], [], max(0.0, deadline - time.monotonic()))
                self.flush()
        self._wbuf.clear()
        super()._sock_close()


def new_client(
    broker: BrokerSettings,
    client_id: str,
    protocol: MQTTProtocolVersion,
    *,
    persistent: bool,
    will: Will | None,
) -> BufferedClient:
    """A client for one connection (no callbacks yet): credentials, TLS, will, limits."""
    client = BufferedClient(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=protocol,
        clean_session=(not persistent) if protocol == MQTTProtocolVersion.MQTTv311 else None,
        reconnect_on_failure=False,
    )
    client.connect_timeout = 5.0
    client.max_inflight_messages_set(_INFLIGHT)
    client.max_queued_messages_set(0)
    if broker.username:
        client.username_pw_set(broker.username, broker.password or None)
    if broker.tls:
        client.tls_set(
            ca_certs=broker.ca_file,
            certfile=broker.cert_file or None,
            keyfile=broker.key_file or None,
            cert_reqs=ssl.CERT_REQUIRED,
        )
    if will is not None:
        client.will_set(will.topic, will.payload, qos=1, retain=True)
    return client


def connect_properties(protocol: MQTTProtocolVersion, persistent: bool) -> Properties | None:
    if protocol != MQTTProtocolVersion.MQTTv5:
        return None
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call, unused-ignore]  # paho: untyped
    # A persistent session (the hub) keeps its queued messages for a week of downtime.
    props.SessionExpiryInterval = 7 * 24 * 3600 if persistent else 0
    return props


def pump(client: BufferedClient, wake: socket.socket | None, timeout: float) -> int:
    """One network round on the owning thread: wait up to ``timeout`` for the socket (or a
    byte on ``wake``), read every packet that arrived, write every packet queued (in one
    send), keep alive. paho's result code (MQTT_ERR_SUCCESS when all went well)."""
    sock = client.socket()
    if sock is None:
        return int(mqtt.MQTT_ERR_NO_CONN)
    rlist = [sock] if wake is None else [sock, wake]
    try:
        readable, _w, _x = select.select(
            rlist, [sock] if client.want_write() else [], [], 0.0 if client.pending() else timeout
        )
    except (OSError, TypeError, ValueError):  # closed under us: the connection is lost
        return int(mqtt.MQTT_ERR_CONN_LOST)
    if wake is not None and wake in readable:
        with contextlib.suppress(OSError):
            wake.recv(4096)
    if sock in readable or client.pending():
        for _ in range(_READ_ROUNDS):
            rc = client.loop_read()
            if rc != mqtt.MQTT_ERR_SUCCESS or client.socket() is None:
                return int(rc or mqtt.MQTT_ERR_CONN_LOST)
            if not client.pending():
                break
    if client.want_write():  # also the PUBACKs and publishes the reads just queued
        rc = client.loop_write()
        if rc != mqtt.MQTT_ERR_SUCCESS:
            return int(rc)
    return int(client.loop_misc())


def _no_op(*_args: object) -> None:
    return None


def hold(sock: Any) -> socket.socket | None:
    """A second handle on the connection's socket, so that it outlives paho's close.

    Paho closes its socket right after writing DISCONNECT. Messages the broker sent
    meanwhile are still unread then, and closing a TCP socket with unread data sends a
    reset, which makes the broker discard the DISCONNECT it has not read yet: it logs a
    dropped connection ("protocol error" over TLS) and publishes the will."""
    if sock is None:
        return None
    with contextlib.suppress(OSError, ValueError):
        return socket.socket(fileno=socket.dup(sock.fileno()))
    return None


def drain_and_close(held: socket.socket | None, timeout: float) -> None:
    """Read (and drop) what the broker still sends until it closes, then close: a FIN, not
    a reset. The raw bytes may be TLS records; nobody decrypts them any more."""
    if held is None:
        return
    with contextlib.suppress(OSError), held:
        held.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and held.recv(4096):
            pass


def no_delay(client: mqtt.Client) -> None:
    """Send small packets at once. paho leaves Nagle's algorithm on, so a PUBLISH that
    follows our PUBACK waits for the broker's delayed TCP ACK (~40 ms): every hub
    acknowledgement and status change would pay it."""
    sock = client.socket()
    if isinstance(sock, socket.socket):  # ssl.SSLSocket is one too; a websocket wrapper is not
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


__all__ = [
    "BufferedClient",
    "connect_properties",
    "drain_and_close",
    "hold",
    "new_client",
    "no_delay",
    "pump",
]
