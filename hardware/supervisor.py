"""One supervisor owns opening, checking and reopening every device.

Each device offers ``open()`` (raises ``DeviceMissing`` / ``DeviceError``), ``close()`` and
``check() -> Check``. The supervisor opens what is closed, with capped jittered backoff,
checks what is open, reopens what ``check`` says is lost, and publishes health. Faults
stay here: nothing a device raises reaches the kiosk.

``step()`` runs one pass against the injected clock (tests call it directly);
``start()`` runs passes on a thread.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from typing import Protocol

from core.clock import Clock, SystemClock
from hardware.errors import DeviceMissing
from hardware.events import EventCallback, HealthRegistry, HealthState

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """What ``check()`` found: a health state, why, and whether the link must be reopened."""

    state: HealthState
    reason: str = ""
    reopen: bool = False


class Device(Protocol):
    name: str

    def open(self) -> None: ...

    def close(self) -> None: ...

    def check(self) -> Check: ...


@dataclass(frozen=True)
class Backoff:
    """Capped, jittered backoff: attempt n waits uniform(ceiling/2, ceiling), ceiling = min(max, min*2**n)."""

    min_s: float = 0.5
    max_s: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        ceiling = min(self.max_s, self.min_s * 2 ** min(attempt, 30))
        return rng.uniform(ceiling / 2, ceiling)


@dataclass
class _Slot:
    device: Device
    is_open: bool = False
    attempt: int = 0
    next_try: float = 0.0
    next_check: float = 0.0


class DeviceSupervisor:
    """Opens, checks and reopens devices; owns their health. Thread-safe public methods."""

    def __init__(
        self,
        devices: list[Device],
        on_event: EventCallback | None = None,
        *,
        clock: Clock | None = None,
        backoff: Backoff | None = None,
        check_interval_s: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._backoff = backoff or Backoff()
        self._check_interval = check_interval_s
        self._rng = rng or random.Random()
        self.health = HealthRegistry(on_event)
        self._slots = {d.name: _Slot(d) for d in devices}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        for name in self._slots:
            self.health.set(name, "missing", "not opened yet")

    def device(self, name: str) -> Device | None:
        slot = self._slots.get(name)
        return slot.device if slot else None

    def is_open(self, name: str) -> bool:
        slot = self._slots.get(name)
        return bool(slot and slot.is_open)

    def health_snapshot(self) -> dict[str, dict[str, str]]:
        return self.health.snapshot()

    def start(self, tick_s: float = 0.2) -> None:
        self._stop.clear()
        self.step()
        self._thread = threading.Thread(
            target=self._run, args=(tick_s,), name="device-supervisor", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        with self._lock:
            for slot in self._slots.values():
                self._close(slot)

    def _run(self, tick_s: float) -> None:
        while not self._stop.wait(tick_s):
            try:
                self.step()
            except Exception:  # noqa: BLE001 - the supervisor itself must never die
                _log.exception("device supervisor pass failed")

    def step(self) -> None:
        """One pass: open what is due, check what is open."""
        with self._lock:
            for slot in self._slots.values():
                now = self._clock.monotonic()
                if not slot.is_open:
                    if now >= slot.next_try:
                        self._try_open(slot, now)
                elif now >= slot.next_check:
                    slot.next_check = now + self._check_interval
                    self._check(slot, now)

    def check_now(self, name: str) -> None:
        """Check one device at once (after a print failed, say)."""
        with self._lock:
            slot = self._slots.get(name)
            if slot is not None and slot.is_open:
                self._check(slot, self._clock.monotonic())

    def _try_open(self, slot: _Slot, now: float) -> None:
        name = slot.device.name
        try:
            slot.device.open()
        except DeviceMissing as exc:
            self._retry_later(slot, now, "missing", str(exc))
        except Exception as exc:  # noqa: BLE001 - any failure to open is contained and retried
            self._retry_later(slot, now, "error", str(exc) or type(exc).__name__)
        else:
            slot.is_open, slot.attempt = True, 0
            slot.next_check = now + self._check_interval
            self._check(slot, now)
            if slot.is_open:
                _log.info("device %s opened", name)

    def _retry_later(self, slot: _Slot, now: float, state: HealthState, reason: str) -> None:
        self._close(slot)
        delay = self._backoff.delay(slot.attempt, self._rng)
        slot.attempt += 1
        slot.next_try = now + delay
        self.health.set(slot.device.name, state, reason)
        _log.debug("device %s: retry in %.2fs", slot.device.name, delay)

    def _check(self, slot: _Slot, now: float) -> None:
        try:
            result = slot.device.check()
        except Exception as exc:  # noqa: BLE001 - a check that raises is a device fault, not a kiosk fault
            result = Check("error", f"check failed: {exc}", reopen=True)
        if result.reopen:
            self._retry_later(slot, now, result.state, result.reason)
        else:
            self.health.set(slot.device.name, result.state, result.reason)

    def _close(self, slot: _Slot) -> None:
        slot.is_open = False
        try:
            slot.device.close()
        except Exception as exc:  # noqa: BLE001 - closing a vanished device may fail; it is closed either way
            _log.debug("closing %s: %s", slot.device.name, exc)
