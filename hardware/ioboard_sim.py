"""A simulator of the I/O board firmware on a pseudo-terminal.

It speaks ``docs/io-board.md`` like the firmware does (hello, heartbeats, acks and
retransmits, presence / button / keypad / badge events) and can misbehave on request: random
noise bytes between frames, dropped bytes inside frames, silence, and vanishing (the pty
closes, like a USB unplug) then returning (a new pty behind the same symlink, uptime
reset, like a replug). ``kiosk sim io-board`` runs it; the demo and the tests use it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import select
import threading
import time
from collections import deque
from dataclasses import dataclass

from core.errors import WireError
from hardware import ioproto as p
from hardware.pty_sim import SERVE_WAIT_S, PtySimulator
from hardware.serialport import Pty

_log = logging.getLogger(__name__)


@dataclass
class SimFaults:
    """Misbehaviour on request: probabilities per frame sent by the board."""

    noise: float = 0.0  # insert 1-8 random bytes before a frame
    drop: float = 0.0  # drop one byte of a frame
    silent: bool = False  # read but never answer (a hung firmware)


class BoardSimulator(PtySimulator):
    THREAD_NAME = "io-board-sim"

    """The firmware, on a pty. Thread-safe controls; ``url`` is what the kiosk opens."""

    def __init__(
        self,
        link: str | None = None,
        *,
        faults: SimFaults | None = None,
        seed: int = 0,
        firmware: str = "1.0",
        board_id: str = "SIM-0001",
        version: int = p.PROTOCOL_VERSION,
        ack_timeout: float = 0.25,
        retries: int = 3,
    ) -> None:
        super().__init__(link)
        self.faults = faults or SimFaults()
        self.firmware, self.board_id, self.version = firmware, board_id, version
        self.ack_timeout, self.retries = ack_timeout, retries
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.decoder = p.FrameDecoder()
        self.led = p.LedMode.OFF
        self.led_history: list[p.LedMode] = []
        self.hellos = 0
        self.pings = 0
        self.present = False
        self._seq = 0
        self._booted = time.monotonic()
        self._outstanding: dict[int, tuple[bytes, float, int]] = {}
        self._recent: deque[int] = deque(maxlen=16)

    def _on_start(self, pty: Pty) -> None:
        flags = fcntl.fcntl(pty.master, fcntl.F_GETFL)
        fcntl.fcntl(pty.master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        self._booted = time.monotonic()

    def vanish(self) -> None:
        """Unplug: the pty closes and (with a link) the device name disappears."""
        self.stop()

    def reappear(self) -> None:
        """Replug: a fresh pty behind the same link; the firmware reboots."""
        with self._lock:
            self._outstanding.clear()
            self._recent.clear()
            self.decoder = p.FrameDecoder()
        self.start()

    # --- things that happen in front of the kiosk ------------------------------------------------

    def set_presence(self, present: bool, distance_cm: int = 0xFFFF) -> None:
        self.present = present
        self._send(p.Presence(present, distance_cm))

    def press_button(self, button: int = 1) -> None:
        self._send(p.Button(button, True))
        self._send(p.Button(button, False))

    def press_key(self, key: p.KeyCode | str) -> None:
        """A keypad key goes down: a ``KeyCode`` or its name ("up", "vol_down", ...)."""
        code = key if isinstance(key, p.KeyCode) else p.KeyCode[key.upper()]
        self._send(p.Key(code))

    def swipe_badge(self, badge_id: str) -> None:
        self._send(p.Badge(badge_id))

    def send_raw(self, data: bytes) -> None:
        """Put arbitrary bytes on the line (tests: unknown types, garbage)."""
        self._write(data, faults=False)

    # --- firmware ------------------------------------------------------------------------------

    def _uptime_ms(self) -> int:
        return int((time.monotonic() - self._booted) * 1000)

    def _send(self, message: p.Message) -> None:
        with self._lock:
            self._seq = (self._seq + 1) & 0xFF
            data = p.encode_message(message, self._seq)
            if message.ACKED:
                self._outstanding[self._seq] = (data, time.monotonic() + self.ack_timeout, 1)
        self._write(data)

    def _reply(self, message: p.Message, seq: int) -> None:
        self._write(p.encode_message(message, seq))

    def _write(self, data: bytes, faults: bool = True) -> None:
        if self._pty is None or (faults and self.faults.silent):
            return
        if faults and data and self._rng.random() < self.faults.drop:
            cut = self._rng.randrange(len(data))
            data = data[:cut] + data[cut + 1 :]
        if faults and self._rng.random() < self.faults.noise:
            data = self._rng.randbytes(self._rng.randint(1, 8)) + data
        self._post_write(data)

    def _serve_once(self) -> float | None:
        pty = self._pty
        if pty is None:
            return SERVE_WAIT_S
        pause: float | None = None
        try:
            ready, _, _ = select.select([pty.master], [], [], SERVE_WAIT_S)
            data = os.read(pty.master, 4096) if ready else b""
        except (OSError, ValueError):
            data = b""  # EIO while the kiosk has the port closed; EBADF after stop
            pause = SERVE_WAIT_S
        with self._lock:
            frames = self.decoder.feed(data) if data else self.decoder.expire()
        for frame in frames:
            if not self.faults.silent:
                self._handle(frame)
        self._retransmit()
        return pause

    def _retransmit(self) -> None:
        now = time.monotonic()
        resend = []
        with self._lock:
            for seq, (data, deadline, tries) in list(self._outstanding.items()):
                if now < deadline:
                    continue
                if tries > self.retries:
                    del self._outstanding[seq]
                    continue
                self._outstanding[seq] = (data, now + self.ack_timeout, tries + 1)
                resend.append(data)
        for data in resend:
            self._write(data)

    def _handle(self, frame: p.Frame) -> None:
        try:
            message = p.decode_message(frame)
        except p.UnknownMessageType:
            self._reply(p.Ack(p.AckStatus.UNKNOWN_TYPE), frame.seq)
            return
        except WireError:
            self._reply(p.Ack(p.AckStatus.BAD_PAYLOAD), frame.seq)
            return
        if isinstance(message, p.Hello):
            self.hellos += 1
            with self._lock:
                self._recent.clear()  # a new session: the host's sequence numbers start over
            self._reply(p.HelloReply(self.version, self.firmware, self.board_id), frame.seq)
            if message.version == self.version:
                self._send(p.Presence(self.present))
        elif isinstance(message, p.Ping):
            self.pings += 1
            self._reply(p.Pong(self._uptime_ms()), frame.seq)
        elif isinstance(message, p.Ack):
            with self._lock:
                self._outstanding.pop(frame.seq, None)
        elif message.ACKED:
            self._reply(p.Ack(), frame.seq)
            if frame.seq in self._recent:
                return
            self._recent.append(frame.seq)
            if isinstance(message, p.SetLed):
                self.led = message.mode
                self.led_history.append(message.mode)
