"""A small SMSC for tests and benchmarks: SMPP 3.4 over loopback, on smpplib's PDUs.

It binds transceivers (checking system_id and password), answers ``submit_sm`` with a
message id, sends a delivery receipt for each (``DELIVRD``, or ``UNDELIV`` for numbers in
``undeliverable``), and relays replies a test types (``reply``). Like a real SMSC, it
keeps every ``deliver_sm`` until the client answers it and sends the unanswered ones
again after the next bind. Faults on demand: refuse a number (``invalid``), throttle every
Nth submission, go down and come back, or cut the connection after the Nth submission
without answering it (the client cannot know whether it arrived).

Runs on one ``core.worker.Worker`` (a selector loop); other threads use ``call``.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import time
from dataclasses import dataclass, field
from typing import Any

from smpplib import consts, smpp

from core.worker import Worker


def most_in_one_second(times: list[float]) -> int:
    """The most of ``times`` (seconds) inside any one-second window: the rate an SMSC saw
    (``SimMessage.at``), or any other send times, checked against a per-second limit."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while ordered[first] <= at - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


@dataclass(frozen=True)
class SimMessage:
    message_id: str
    destination: str  # "+15550000001"
    text: str
    system_id: str
    at: float  # time.monotonic() when it arrived


@dataclass
class _Conn:
    sock: socket.socket
    buffer: bytes = b""
    system_id: str = ""  # "" until bound


@dataclass
class _Faults:
    invalid: set[str] = field(default_factory=set)
    undeliverable: set[str] = field(default_factory=set)
    throttle_every: int = 0
    cut_after: int = 0  # cut the connection when this many more submissions have come in
    down: bool = False


class _Seq:
    def __init__(self) -> None:
        self.sequence = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence


class SmscSim:
    def __init__(self, system_id: str = "hub", password: str = "secret", port: int = 0) -> None:  # noqa: S107
        self.system_id, self.password = system_id, password
        self.port = port
        self.messages: list[SimMessage] = []
        self.throttled = 0
        self.refused_binds = 0
        self.faults = _Faults()
        self._seq = _Seq()
        self._sel = selectors.DefaultSelector()
        self._listener: socket.socket | None = None
        self._conns: dict[int, _Conn] = {}
        self._pending: dict[int, tuple[str, bytes]] = {}  # deliver_sm sequence -> (system_id, bytes)
        self._submits = 0
        self._worker = Worker(
            "smsc-sim", tick_s=0.0, on_tick=self._tick, on_start=self._listen, on_stop=self._close
        )

    # --- control (any thread) ----------------------------------------------------------

    def start(self) -> SmscSim:
        self._worker.start()
        if self._worker.start_error is not None:
            raise self._worker.start_error
        return self

    def stop(self) -> None:
        self._worker.stop(5)

    def call(self, fn: Any, *args: Any) -> Any:
        return self._worker.call(fn, *args, timeout=10)

    def received(self) -> list[SimMessage]:
        return list(self.call(lambda: list(self.messages)))

    def go_down(self) -> None:
        """Stop listening and drop every session (an SMSC outage)."""
        self.call(self._go_down)

    def come_up(self) -> None:
        self.call(self._listen)

    def cut_after(self, submissions: int) -> None:
        self.call(setattr, self.faults, "cut_after", submissions)

    def reply(self, from_number: str, text: str) -> None:
        """A patient's reply (mobile-originated), delivered to the bound client."""
        self.call(self._deliver, from_number, text.encode("latin-1"), 0)

    def bound(self) -> int:
        return int(self.call(lambda: sum(1 for c in self._conns.values() if c.system_id)))

    # --- the loop (the worker's thread) -----------------------------------------------

    def _listen(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.setblocking(False)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._sel.register(listener, selectors.EVENT_READ, None)
        self.faults.down = False

    def _go_down(self) -> None:
        self.faults.down = True
        if self._listener is not None:
            self._sel.unregister(self._listener)
            self._listener.close()
            self._listener = None
        for fd in list(self._conns):
            self._drop(fd)

    def _close(self) -> None:
        self._go_down()
        self._sel.close()

    def _tick(self) -> float:
        for key, _mask in self._sel.select(timeout=0.01):
            if key.data is None:
                self._accept()
            else:
                self._read(key.data)
        return 0.0

    def _accept(self) -> None:
        if self._listener is None:
            return
        sock, _ = self._listener.accept()
        sock.setblocking(True)
        sock.settimeout(2.0)
        conn = _Conn(sock)
        self._conns[sock.fileno()] = conn
        self._sel.register(sock, selectors.EVENT_READ, conn)

    def _read(self, conn: _Conn) -> None:
        try:
            chunk = conn.sock.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(conn.sock.fileno())
            return
        conn.buffer += chunk
        while len(conn.buffer) >= 4 and len(conn.buffer) >= struct.unpack(">L", conn.buffer[:4])[0]:
            length = struct.unpack(">L", conn.buffer[:4])[0]
            raw, conn.buffer = conn.buffer[:length], conn.buffer[length:]
            pdu = smpp.parse_pdu(raw, client=self._seq, allow_unknown_opt_params=True)
            if not self._handle(conn, pdu):
                return

    def _handle(self, conn: _Conn, pdu: Any) -> bool:
        """False when the connection was dropped."""
        command = pdu.command
        if command == "bind_transceiver":
            ok = _text(pdu.system_id) == self.system_id and _text(pdu.password) == self.password
            status = consts.SMPP_ESME_ROK if ok else consts.SMPP_ESME_RBINDFAIL
            self._send(conn, "bind_transceiver_resp", pdu.sequence, status, system_id="smsc-sim")
            if not ok:
                self.refused_binds += 1
                return True
            conn.system_id = self.system_id
            for raw_system, raw in list(self._pending.values()):  # unanswered ones again
                if raw_system == conn.system_id:
                    conn.sock.sendall(raw)
        elif command == "submit_sm":
            return self._submit(conn, pdu)
        elif command == "deliver_sm_resp":
            self._pending.pop(pdu.sequence, None)
        elif command == "enquire_link":
            self._send(conn, "enquire_link_resp", pdu.sequence)
        elif command == "unbind":
            self._send(conn, "unbind_resp", pdu.sequence)
            self._drop(conn.sock.fileno())
            return False
        return True

    def _submit(self, conn: _Conn, pdu: Any) -> bool:
        destination = "+" + _text(pdu.destination_addr)
        self._submits += 1
        if self.faults.throttle_every and self._submits % self.faults.throttle_every == 0:
            self.throttled += 1
            self._send(conn, "submit_sm_resp", pdu.sequence, consts.SMPP_ESME_RTHROTTLED)
            return True
        if destination in self.faults.invalid:
            self._send(conn, "submit_sm_resp", pdu.sequence, consts.SMPP_ESME_RINVDSTADR)
            return True
        message_id = f"m{len(self.messages) + 1:06x}"
        text = bytes(pdu.short_message or b"").decode("latin-1")
        self.messages.append(SimMessage(message_id, destination, text, conn.system_id, time.monotonic()))
        cut = False
        if self.faults.cut_after:
            self.faults.cut_after -= 1
            cut = self.faults.cut_after == 0
        if cut:  # it arrived (its receipt waits for the next bind); the answer never will
            self._drop(conn.sock.fileno())
        else:
            self._send(conn, "submit_sm_resp", pdu.sequence, message_id=message_id)
        if pdu.registered_delivery:
            stat = "UNDELIV" if destination in self.faults.undeliverable else "DELIVRD"
            stamp = time.strftime("%y%m%d%H%M")  # the SMSC's own clock, only shown
            receipt = (
                f"id:{message_id} sub:001 dlvrd:{'000' if stat == 'UNDELIV' else '001'} submit date:{stamp}"
                f" done date:{stamp} stat:{stat} err:000 text:{text[:20]}"
            )
            self._deliver(destination, receipt.encode("latin-1"), 0x04)
        return not cut

    def _deliver(self, source: str, body: bytes, esm_class: int) -> None:
        pdu = smpp.make_pdu(
            "deliver_sm",
            client=self._seq,
            source_addr_ton=1,
            source_addr_npi=1,
            source_addr=source.lstrip("+"),
            dest_addr_ton=0,
            destination_addr="hub",
            esm_class=esm_class,
            data_coding=1,
            short_message=body,
        )
        raw = pdu.generate()
        self._pending[pdu.sequence] = (self.system_id, raw)
        for conn in list(self._conns.values()):
            if conn.system_id == self.system_id:
                try:
                    conn.sock.sendall(raw)
                except OSError:
                    self._drop(conn.sock.fileno())
                break

    def _send(self, conn: _Conn, command: str, sequence: int, status: int = 0, **fields: Any) -> None:
        pdu = smpp.make_pdu(command, client=self._seq, status=status, **fields)
        pdu.sequence = sequence
        pdu.status = status
        try:
            conn.sock.sendall(pdu.generate())
        except OSError:
            self._drop(conn.sock.fileno())

    def _drop(self, fd: int) -> None:
        conn = self._conns.pop(fd, None)
        if conn is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            self._sel.unregister(conn.sock)
        conn.sock.close()


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value or "")
