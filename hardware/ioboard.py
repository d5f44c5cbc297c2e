"""The kiosk's side of the I/O board link: handshake, acks and retransmit, heartbeats, events.

One ``io-board`` worker per connection owns the port: its tick is one bounded read (the
port's timeout), then the frames are dispatched and the timers (retransmit, heartbeat,
link timeout) run from the injected clock. Writes from other threads (``set_led``,
``ping``) and the kiosk's ``on_event`` calls are items in the same worker's inbox, handled
between reads, so exactly one thread touches the port, and a callback that raises is
counted in ``worker.health()`` instead of ending the reader. Nothing here reconnects: when
the link fails, ``check()`` says so and ``hardware.supervisor.DeviceSupervisor`` reopens it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from core.clock import Clock, SystemClock
from core.errors import WireError
from core.worker import Worker
from hardware import ioproto as p
from hardware.errors import DeviceError
from hardware.events import (
    BadgeRead,
    DeviceEvent,
    EventCallback,
    KeypadKey,
    KeyPressed,
    PresenceChanged,
    StaffCallPressed,
)
from hardware.serialport import open_port
from hardware.supervisor import Check

_log = logging.getLogger(__name__)

_KEY_NAMES: dict[p.KeyCode, KeypadKey] = {
    p.KeyCode.UP: "up", p.KeyCode.DOWN: "down", p.KeyCode.SELECT: "select", p.KeyCode.BACK: "back",
    p.KeyCode.HELP: "help", p.KeyCode.REPEAT: "repeat", p.KeyCode.VOL_UP: "vol_up",
    p.KeyCode.VOL_DOWN: "vol_down",
}  # fmt: skip

CALL_STAFF_BUTTON = 1
_FAULTED_TICK_S = 0.5  # after a lost link the reader idles until the supervisor reopens


@dataclass(frozen=True)
class LinkTiming:
    """Timing of the link (seconds). Defaults suit USB CDC at 115200 baud."""

    ack_timeout: float = 0.25
    retries: int = 3
    heartbeat: float = 1.0
    silence_limit: float = 3.5
    baudrate: int = 115200


@dataclass
class LinkStats:
    """Counters for the technician view and the logs. Decoder counters are added in ``as_dict``."""

    retransmits: int = 0
    send_failures: int = 0
    unknown_types: int = 0
    bad_payloads: int = 0
    unknown_keys: int = 0  # keypad frames naming a key (or layout) this host does not know
    duplicates: int = 0
    board_resets: int = 0
    extra: dict[str, int] = field(default_factory=dict)


@dataclass
class _Outstanding:
    data: bytes
    deadline: float
    tries: int = 1


class IoBoard:
    """One connection to the I/O board at ``url``. ``on_event`` is called on its worker."""

    name = "io_board"

    def __init__(
        self,
        url: str,
        on_event: EventCallback | None = None,
        clock: Clock | None = None,
        timing: LinkTiming | None = None,
        *,
        stall_s: float = 5.0,
    ) -> None:
        self.url = url
        self.timing = timing or LinkTiming()
        self._on_event = on_event
        self._clock = clock or SystemClock()
        self._port: Any = None
        self._decoder = p.FrameDecoder()
        self.stats = LinkStats()
        self._stall_s = stall_s
        self._state_lock = threading.Lock()
        self._seq = 0
        self._outstanding: dict[int, _Outstanding] = {}
        self._pings: dict[int, threading.Event] = {}
        self._recent: deque[int] = deque(maxlen=16)
        self._led = p.LedMode.IDLE
        self._worker: Worker | None = None
        self._fault = ""
        self._last_heard = 0.0
        self._last_ping = 0.0
        self._last_uptime = 0
        self._last_presence_seq: int | None = None
        self.board: p.HelloReply | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def open(self) -> None:
        """Open the port and shake hands. Raises ``DeviceMissing`` / ``DeviceError``."""
        self.close()
        self._port = open_port(self.url, self.timing.baudrate)
        self._decoder = p.FrameDecoder()
        self._recent.clear()
        self._outstanding.clear()
        self._fault = ""
        try:
            self._port.reset_input_buffer()
            self.board, early = self._handshake()
        except Exception:
            self._close_port()
            raise
        _log.info("io board %s: firmware %s, id %r", self.url, self.board.firmware, self.board.board_id)
        now = self._clock.monotonic()
        self._last_heard = self._last_ping = now
        self._last_presence_seq = None
        self._last_uptime = 0
        worker = Worker("io-board", tick_s=0.0, on_tick=self._read_once, stall_s=self._stall_s)
        self._worker = worker
        worker.start()
        worker.post(self._dispatch_all, early)
        self.set_led(self._led)

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout=2)
        self._close_port()

    def check(self) -> Check:
        if self._fault:
            return Check("missing", self._fault, reopen=True)
        if self._worker is None or not self._worker.running:
            return Check("missing", "not connected", reopen=True)
        return Check("ok", "")

    @property
    def worker(self) -> Worker | None:
        """The reader while connected; its ``responsive()`` feeds health and the watchdog."""
        return self._worker

    # --- commands ---------------------------------------------------------------------------

    def set_led(self, mode: p.LedMode) -> bool:
        """Set the LED ring; remembered and re-applied after a reconnect. False when not sent now."""
        self._led = mode
        return self._send(p.SetLed(mode))

    def ping(self, timeout: float = 1.0) -> bool:
        """Send a heartbeat and wait for its ``Pong`` (the benchmark's round trip)."""
        done = threading.Event()
        seq = self._next_seq()
        with self._state_lock:
            self._pings[seq] = done
        try:
            if not self._write(p.encode_message(p.Ping(), seq)):
                return False
            return done.wait(timeout)
        finally:
            with self._state_lock:
                self._pings.pop(seq, None)

    def link_stats(self) -> dict[str, int]:
        out = {k: v for k, v in self.stats.__dict__.items() if isinstance(v, int)}
        out.update({f"rx_{k}": v for k, v in self._decoder.stats.as_dict().items()})
        return out

    # --- internals --------------------------------------------------------------------------

    def _handshake(self) -> tuple[p.HelloReply, list[p.Frame]]:
        """Hello → HelloReply; returns the reply and the frames that followed it in the same read."""
        for _attempt in range(self.timing.retries + 1):
            seq = self._next_seq()
            self._port.write(p.encode_message(p.Hello(), seq))
            deadline = self._clock.monotonic() + self.timing.ack_timeout * 2
            while self._clock.monotonic() < deadline:
                frames = self._decoder.feed(self._port.read(64))
                for index, frame in enumerate(frames):
                    if frame.type == p.HelloReply.TYPE and frame.seq == seq:
                        reply = p.HelloReply.unpack(frame.payload)
                        if reply.version != p.PROTOCOL_VERSION:
                            raise DeviceError(
                                f"io board speaks protocol v{reply.version}, kiosk v{p.PROTOCOL_VERSION}"
                            )
                        return reply, frames[index + 1 :]
        raise DeviceError(f"{self.url}: no answer to hello (is it the I/O board?)")

    def _next_seq(self) -> int:
        with self._state_lock:
            self._seq = (self._seq + 1) & 0xFF
            return self._seq

    def _send(self, message: p.Message) -> bool:
        seq = self._next_seq()
        data = p.encode_message(message, seq)
        if message.ACKED:
            with self._state_lock:
                self._outstanding[seq] = _Outstanding(data, self._clock.monotonic() + self.timing.ack_timeout)
        return self._write(data)

    def _write(self, data: bytes) -> bool:
        """Write on the port's worker: now when on it (or before it runs: the handshake),
        else queued there. False when the link is down or the write could not be queued."""
        worker = self._worker
        if worker is None or worker.is_current():
            return self._write_now(data)
        port = self._port
        if port is None or self._fault:
            return False
        if not worker.post(self._write_now, data):
            return False
        _wake_reader(port)
        return True

    def _write_now(self, data: bytes) -> bool:
        port = self._port
        if port is None or self._fault:
            return False
        try:
            port.write(data)
        except Exception as exc:  # noqa: BLE001 - any port failure is a lost link, never an exception upward
            self._lose(f"write failed: {exc}")
            return False
        return True

    def _read_once(self) -> float | None:
        """The worker's tick: one bounded read, its frames, the timers."""
        port = self._port
        if port is None or self._fault:
            return _FAULTED_TICK_S
        try:
            data = b"" if self._work_waiting(port) else port.read(1)
            if data and port.in_waiting:
                data += port.read(port.in_waiting)
        except Exception as exc:  # noqa: BLE001 - SerialException, OSError, TypeError on a closed fd
            self._lose(f"read failed: {exc}")
            return _FAULTED_TICK_S
        self._dispatch_all(self._decoder.feed(data) if data else self._decoder.expire())
        self._timers()
        return None

    def _work_waiting(self, port: Any) -> bool:
        """Posted writes or events wait and the line is quiet: skip the blocking read."""
        worker = self._worker
        return worker is not None and worker.health().queued > 0 and not port.in_waiting

    def _dispatch_all(self, frames: list[p.Frame]) -> None:
        for frame in frames:
            self._dispatch(frame)

    def _timers(self) -> None:
        now = self._clock.monotonic()
        resend: list[bytes] = []
        with self._state_lock:
            for seq, out in list(self._outstanding.items()):
                if now < out.deadline:
                    continue
                if out.tries > self.timing.retries:
                    del self._outstanding[seq]
                    self.stats.send_failures += 1
                    _log.warning("io board: frame %d not acknowledged after %d tries", seq, out.tries)
                    continue
                out.tries += 1
                out.deadline = now + self.timing.ack_timeout
                self.stats.retransmits += 1
                resend.append(out.data)
        for data in resend:
            self._write(data)
        if now - self._last_ping >= self.timing.heartbeat:
            self._last_ping = now
            self._write(p.encode_message(p.Ping(), self._next_seq()))
        if now - self._last_heard > self.timing.silence_limit:
            self._lose(f"board silent for {now - self._last_heard:.1f}s")

    def _dispatch(self, frame: p.Frame) -> None:
        self._last_heard = self._clock.monotonic()
        try:
            message = p.decode_message(frame)
        except p.UnknownMessageType as exc:
            self.stats.unknown_types += 1
            _log.warning("io board: %s (seq %d)", exc, frame.seq)
            self._ack(frame.seq, p.AckStatus.UNKNOWN_TYPE)
            return
        except p.UnknownKey as exc:
            self.stats.unknown_keys += 1
            _log.warning("io board: %s (seq %d)", exc, frame.seq)
            self._ack(frame.seq, p.AckStatus.BAD_PAYLOAD)
            return
        except WireError as exc:
            self.stats.bad_payloads += 1
            _log.warning("io board: %s (seq %d)", exc, frame.seq)
            self._ack(frame.seq, p.AckStatus.BAD_PAYLOAD)
            return
        if isinstance(message, p.Ack):
            with self._state_lock:
                self._outstanding.pop(frame.seq, None)
        elif isinstance(message, p.Pong):
            self._on_pong(frame.seq, message)
        elif message.ACKED:
            self._ack(frame.seq, p.AckStatus.OK)
            if frame.seq in self._recent:
                self.stats.duplicates += 1
                return
            self._recent.append(frame.seq)
            if isinstance(message, p.Presence) and self._stale_presence(frame.seq):
                return
            self._deliver(message)

    def _stale_presence(self, seq: int) -> bool:
        """A retransmitted presence older than one already delivered must not undo it."""
        last, self._last_presence_seq = self._last_presence_seq, seq
        if last is not None and 0 < (last - seq) & 0xFF < 128:
            self._last_presence_seq = last
            self.stats.duplicates += 1
            return True
        return False

    def _on_pong(self, seq: int, pong: p.Pong) -> None:
        if pong.uptime_ms < self._last_uptime:
            self.stats.board_resets += 1
            _log.warning("io board reset (uptime went back to %d ms)", pong.uptime_ms)
            self._recent.clear()
            self.set_led(self._led)
        self._last_uptime = pong.uptime_ms
        with self._state_lock:
            waiter = self._pings.get(seq)
        if waiter is not None:
            waiter.set()

    def _deliver(self, message: p.Message) -> None:
        if isinstance(message, p.Presence):
            self._emit(PresenceChanged(message.present, "io_board"))
        elif isinstance(message, p.Button):
            if message.button == CALL_STAFF_BUTTON and message.pressed:
                self._emit(StaffCallPressed())
        elif isinstance(message, p.Badge):
            self._emit(BadgeRead(message.badge_id))
        elif isinstance(message, p.Key):
            self._emit(KeyPressed(_KEY_NAMES[message.key]))

    def _emit(self, event: DeviceEvent) -> None:
        """The kiosk's callback runs as an item of this worker: a raise there is counted in
        ``worker.health()`` and the reader goes on; a hang there shows as unresponsive."""
        worker = self._worker
        if self._on_event is not None and worker is not None:
            worker.post(self._on_event, event)

    def _ack(self, seq: int, status: p.AckStatus) -> None:
        self._write(p.encode_message(p.Ack(status), seq))

    def _lose(self, reason: str) -> None:
        if not self._fault:
            _log.warning("io board %s lost: %s", self.url, reason)
            self._fault = reason

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except Exception as exc:  # noqa: BLE001 - closing a vanished port may fail; it is gone either way
                _log.debug("closing %s: %s", self.url, exc)


def _wake_reader(port: Any) -> None:
    """End the worker's blocking read now, so a write posted to it goes out at once rather
    than after the read's timeout (50 ms, the whole of a ping's round trip otherwise).
    pyserial's POSIX ports can; others (``loop://``, sockets) wait for the timeout."""
    cancel = getattr(port, "cancel_read", None)
    if callable(cancel):
        try:
            cancel()
        except Exception:  # noqa: BLE001 - only a missed wake-up: the read times out as before
            _log.debug("could not wake the io-board reader")
