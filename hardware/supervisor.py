"""One supervisor owns opening, checking and reopening every device.

Each device offers ``open()`` (raises ``DeviceMissing`` / ``DeviceError``), ``close()`` and
``check() -> Check``. The supervisor opens what is closed, with capped jittered backoff,
checks what is open, reopens what ``check`` says is lost, and publishes health. Faults
stay here: nothing a device raises reaches the kiosk.

``step()`` runs one pass against the injected clock (tests call it directly);
``start()`` runs passes on the ``device-supervisor`` worker. A device that owns a worker
(``worker`` attribute: the I/O board's reader, the camera's capture loop) and stops
answering shows in ``health_snapshot()`` at once as ``error`` / "<worker> worker stalled".
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from typing import Protocol

from core.backoff import Backoff
from core.clock import Clock, SystemClock
from core.worker import Worker
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


def worker_stalled(device: object) -> str:
    """Why ``device``'s worker is stuck ("io-board worker stalled"), or "" when it is fine."""
    worker = getattr(device, "worker", None)
    if isinstance(worker, Worker) and worker.running and not worker.responsive():
        return f"{worker.name} worker stalled"
    return ""


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
        self._worker: Worker | None = None
        for name in self._slots:
            self.health.set(name, "missing", "not opened yet")

    def device(self, name: str) -> Device | None:
        slot = self._slots.get(name)
        return slot.device if slot else None

    def is_open(self, name: str) -> bool:
        slot = self._slots.get(name)
        return bool(slot and slot.is_open)

    def health_snapshot(self) -> dict[str, dict[str, str]]:
        """The registry's health, with any device whose worker has stalled shown as an error
        now (the next check would say so too, unless the supervisor itself is stuck)."""
        snapshot = self.health.snapshot()
        for name, slot in self._slots.items():
            stalled = worker_stalled(slot.device)
            if stalled:
                snapshot[name] = {"state": "error", "reason": stalled}
        return snapshot

    @property
    def worker(self) -> Worker | None:
        """The supervisor's own worker while started (for the watchdog)."""
        return self._worker

    def workers(self) -> list[Worker]:
        """Every worker behind these devices: the supervisor's and each device's own."""
        found = [self._worker] if self._worker is not None else []
        for slot in self._slots.values():
            worker = getattr(slot.device, "worker", None)
            if isinstance(worker, Worker):
                found.append(worker)
        return found

    def responsive(self) -> bool:
        """The supervisor's worker and every running device worker answer (for the watchdog)."""
        return all(w.responsive() for w in self.workers() if w is self._worker or w.running)

    def start(self, tick_s: float = 0.2) -> None:
        if self._worker is not None:
            return
        self.step()
        self._worker = Worker("device-supervisor", tick_s=tick_s, on_tick=self.step, stall_s=30.0)
        self._worker.start()

    def stop(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop(timeout=5)
        with self._lock:
            for slot in self._slots.values():
                self._close(slot)

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
        stalled = worker_stalled(slot.device)
        if stalled and not result.reopen:
            result = Check("error", stalled)  # not reopened: a stuck thread is the watchdog's
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


__all__ = ["Backoff", "Check", "Device", "DeviceSupervisor", "worker_stalled"]
