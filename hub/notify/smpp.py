"""SMS over SMPP 3.4: one transceiver session to the SMSC, on the notify worker.

The PDUs are smpplib's (``smpplib.smpp.make_pdu`` / ``parse_pdu``); the session is ours,
because exactly once needs what smpplib's client does not give: a delivery receipt or a
reply is acknowledged to the SMSC (``deliver_sm_resp``) only after the hub committed it
(``settle``), so one that was cut off by a crash is delivered again, and a submission the
connection dropped before its response is reported ``InDoubt`` rather than guessed.
Nothing here logs a PDU: they carry phone numbers and text.
"""

from __future__ import annotations

import contextlib
import re
import select
import socket
import struct
import time
from typing import Any

from smpplib import consts, smpp

from core.clock import Clock
from hub.notify.channels import (
    Event,
    InDoubt,
    Link,
    Outgoing,
    Receipt,
    Reply,
    Result,
    Retry,
    Submitted,
    Unavailable,
    Undeliverable,
)

_THROTTLED = {consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL}
_NO_SUCH_NUMBER = {consts.SMPP_ESME_RINVDSTADR, 0x0000000C}  # invalid destination address / TON
_RECEIPT = re.compile(rb"id:(\S+).*?stat:(\w+)", re.DOTALL)
_DELIVERED = {"DELIVRD", "ACCEPTD", "ENROUTE"}
_ENQUIRE_S = 30.0
_MAX_PDU = 64 * 1024


class _Sequences:
    """What smpplib's PDUs ask their client for: the next sequence number."""

    def __init__(self) -> None:
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence = self.sequence % 0x7FFFFFFF + 1
        return self.sequence


class _Down(Exception):
    """The session broke (or never came up); the reason names no patient."""


class SmppChannel:
    name = "smpp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        system_id: str,
        password: str,
        source_addr: str,
        rate_per_s: float,
        timeout_s: float = 5.0,
        clock: Clock | None = None,
    ) -> None:
        self.rate_per_s = rate_per_s
        self.link = Link(clock)
        self._where = (host, port)
        self._system_id, self._password, self._source = system_id, password, source_addr
        self._timeout = timeout_s
        self._seq = _Sequences()
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._events: list[Event] = []
        self._unacked: list[int] = []  # sequences of deliver_sm not yet answered
        self._waiting: dict[int, int] = {}  # submit sequence -> index in the batch
        self._results: dict[int, Result] = {}
        self._last_io = 0.0
        self.binds = 0

    # --- the adapter interface ------------------------------------------------------

    def submit(self, batch: list[Outgoing]) -> list[Result]:
        try:
            self._ensure_bound()
        except _Down as exc:
            return [Unavailable(f"smsc: {exc}") for _ in batch]
        self._waiting, self._results = {}, {}
        sent = 0
        try:
            for index, out in enumerate(batch):
                pdu = self._pdu(
                    "submit_sm",
                    source_addr_ton=5 if not self._source.isdigit() else 1,
                    source_addr_npi=0 if not self._source.isdigit() else 1,
                    source_addr=self._source,
                    dest_addr_ton=1,
                    dest_addr_npi=1,
                    destination_addr=out.address.lstrip("+"),
                    short_message=out.text.encode("ascii", "replace"),
                    data_coding=1,  # IA5 (ASCII): texts.render keeps to it
                    registered_delivery=1,  # a final receipt, success or failure
                )
                self._waiting[pdu.sequence] = index
                self._send(pdu)
                sent = index + 1
            self._await_responses()
        except _Down as exc:
            self._lost(str(exc))
            return self._unresolved(batch, sent, str(exc))
        return [self._results[seq] for seq in sorted(self._waiting, key=self._waiting.__getitem__)]

    def poll(self) -> list[Event]:
        if self._sock is None:
            if not self.link.may_try():
                return []
            try:
                self._ensure_bound()  # receipts and replies wait at the SMSC until we bind
            except _Down:
                return []
        try:
            while self._readable():
                self._handle(self._read_pdu(self._timeout))
            if time.monotonic() - self._last_io > _ENQUIRE_S:
                self._send(self._pdu("enquire_link"))
        except _Down as exc:
            self._lost(str(exc))
        events, self._events = self._events, []
        return events

    def settle(self) -> None:
        acks, self._unacked = self._unacked, []
        try:
            for sequence in acks:
                self._send(self._pdu("deliver_sm_resp", sequence=sequence))
        except _Down as exc:
            self._lost(str(exc))  # unanswered: the SMSC delivers them again after the next bind

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(_Down):
                self._send(self._pdu("unbind"))
        self._disconnect()

    @property
    def connected(self) -> bool:
        return self._sock is not None

    # --- the session ------------------------------------------------------------------

    def _ensure_bound(self) -> None:
        if self._sock is not None:
            try:  # a session the SMSC closed while idle shows as readable: find out now, not mid-batch
                while self._readable():
                    self._handle(self._read_pdu(self._timeout))
                return
            except _Down as exc:
                self._lost(str(exc))
        # The caller asked because the link may be tried (``Link.may_try``): dial now.
        try:
            self._sock = socket.create_connection(self._where, timeout=self._timeout)
            self._buffer, self._unacked = b"", []
            self._bind()
        except OSError as exc:
            self._failed(f"cannot connect ({type(exc).__name__})")
            raise _Down(f"cannot connect ({type(exc).__name__})") from None
        except _Down as exc:
            self._failed(str(exc))
            raise
        self.link.ok()

    def _failed(self, reason: str = "cannot connect") -> None:
        """The link's one back-off for reconnecting (a down SMSC is not dialled every tick)."""
        self._disconnect()
        self.link.failed(f"smsc: {reason}")

    def _lost(self, reason: str) -> None:
        """A bound session broke: the SMSC is down until a bind succeeds again (dialled at
        once: the first step of the back-off is short)."""
        self._disconnect()
        self.link.failed(f"smsc: {reason}")

    def _bind(self) -> None:
        self._send(self._pdu("bind_transceiver", system_id=self._system_id, password=self._password))
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            pdu = self._read_pdu(max(0.01, deadline - time.monotonic()))
            if pdu.command == "bind_transceiver_resp":
                if pdu.status != consts.SMPP_ESME_ROK:
                    raise _Down(f"bind refused (status 0x{pdu.status:x})")
                self.binds += 1
                return
            self._handle(pdu)
        raise _Down("no answer to bind")

    def _await_responses(self) -> None:
        deadline = time.monotonic() + self._timeout
        while len(self._results) < len(self._waiting):
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Down("no response to a submission in time")
            self._handle(self._read_pdu(left))

    def _unresolved(self, batch: list[Outgoing], sent: int, reason: str) -> list[Result]:
        """After a break: answered ones as answered, sent ones in doubt, the rest to retry."""
        by_index = {self._waiting[seq]: result for seq, result in self._results.items()}
        return [
            by_index.get(i) or (InDoubt(f"smsc: {reason}") if i < sent else Unavailable(f"smsc: {reason}"))
            for i in range(len(batch))
        ]

    def _handle(self, pdu: Any) -> None:
        command = pdu.command
        if command in ("submit_sm_resp", "generic_nack") and pdu.sequence in self._waiting:
            self._results[pdu.sequence] = _result(pdu)
        elif command == "deliver_sm":
            self._unacked.append(pdu.sequence)
            self._events.append(_event(pdu))
        elif command == "enquire_link":
            self._send(self._pdu("enquire_link_resp", sequence=pdu.sequence))
        elif command == "unbind":
            self._send(self._pdu("unbind_resp", sequence=pdu.sequence))
            raise _Down("the SMSC unbound")

    def _pdu(self, command: str, sequence: int | None = None, **fields: Any) -> Any:
        pdu = smpp.make_pdu(command, client=self._seq, **fields)
        if sequence is not None:
            pdu.sequence = sequence
        return pdu

    def _send(self, pdu: Any) -> None:
        if self._sock is None:
            raise _Down("not connected")
        try:
            self._sock.sendall(pdu.generate())
        except OSError as exc:
            raise _Down(f"send failed ({type(exc).__name__})") from None
        self._last_io = time.monotonic()

    def _readable(self) -> bool:
        if self._sock is None:
            return False
        if _complete(self._buffer):
            return True
        ready, _, _ = select.select([self._sock], [], [], 0)
        return bool(ready)

    def _read_pdu(self, timeout: float) -> Any:
        if self._sock is None:
            raise _Down("not connected")
        self._sock.settimeout(timeout)
        while not _complete(self._buffer):
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                raise _Down("timed out") from None
            except OSError as exc:
                raise _Down(f"receive failed ({type(exc).__name__})") from None
            if not chunk:
                raise _Down("the SMSC closed the connection")
            self._buffer += chunk
        length = struct.unpack(">L", self._buffer[:4])[0]
        if not 16 <= length <= _MAX_PDU:
            raise _Down("a malformed PDU")
        raw, self._buffer = self._buffer[:length], self._buffer[length:]
        self._last_io = time.monotonic()
        try:
            return smpp.parse_pdu(raw, client=self._seq, allow_unknown_opt_params=True)
        except Exception as exc:  # noqa: BLE001 - any parse failure of the SMSC's bytes ends the session
            raise _Down(f"an unreadable PDU ({type(exc).__name__})") from None

    def _disconnect(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        self._sock = None
        self._buffer = b""
        self._unacked = []


def _complete(buffer: bytes) -> bool:
    return len(buffer) >= 4 and len(buffer) >= struct.unpack(">L", buffer[:4])[0]


def _result(pdu: Any) -> Result:
    if pdu.command == "generic_nack":
        return Retry(f"smsc: generic_nack 0x{pdu.status:x}")
    if pdu.status == consts.SMPP_ESME_ROK:
        message_id = pdu.message_id
        return Submitted(
            message_id.decode("ascii", "replace") if isinstance(message_id, bytes) else str(message_id)
        )
    if pdu.status in _THROTTLED:
        return Retry(f"smsc: throttled (0x{pdu.status:x})", throttled=True)
    if pdu.status in _NO_SUCH_NUMBER:
        return Undeliverable(f"smsc: invalid destination (0x{pdu.status:x})")
    return Retry(f"smsc: refused (0x{pdu.status:x})")


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value or "")


def _event(pdu: Any) -> Event:
    address = "+" + _text(pdu.source_addr).lstrip("+")
    body = pdu.short_message if isinstance(pdu.short_message, bytes) else b""
    if pdu.esm_class & 0x3C == 0x04:  # an SMSC delivery receipt
        found = _RECEIPT.search(body)
        message_id = _text(getattr(pdu, "receipted_message_id", None)) or (
            found.group(1).decode("latin-1") if found else ""
        )
        status = found.group(2).decode("latin-1") if found else "UNKNOWN"
        return Receipt(message_id, address, status in _DELIVERED, status)
    text = body.decode("utf-16-be", "replace") if pdu.data_coding == 8 else body.decode("latin-1")
    return Reply(address, text)
