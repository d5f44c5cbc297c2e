"""Building blocks for end-to-end tests: settings for a site, a hub, kiosks, waiting."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from config.settings import BrokerSettings, HubSettings, KioskSettings, Settings, StaffSettings
from core.clock import SystemClock
from hub.sample import sample_morning, start_near
from hub.service import HubService
from sync import messages as m
from sync.kiosk_sync import KioskSync, SyncChange
from sync.outbox import OutboxDepth
from tests.support.clock import wall_now, wall_today


def site_settings(
    broker: BrokerSettings, state_dir: Path, kiosk_id: str = "lobby-1", staff: StaffSettings | None = None
) -> Settings:
    return Settings(
        kiosk=KioskSettings(
            id=kiosk_id,
            practice="acme",
            site="main",
            state_dir=str(state_dir),
            health_interval_s=2,
            ack_timeout_s=1.5,
        ),
        broker=broker,
        hub=HubSettings(state_dir=str(state_dir / "hub")),
        staff=staff or StaffSettings(),
    )


def wait_for(predicate: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> None:
    """Until ``predicate()`` holds; ``timeout`` is only the ceiling for a failure, generous
    because the suite runs on busy 2-core machines (timing goals belong in ``make bench``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def start_hub(
    broker: BrokerSettings,
    state_dir: Path,
    *,
    sample: bool = True,
    staff: StaffSettings | None = None,
    morning_starts: datetime | None = None,
) -> HubService:
    """A hub with today's sample morning (from 08:00, or from ``morning_starts``)."""
    hub = HubService(site_settings(broker, state_dir, "hub-side", staff))
    hub.start(sample_morning(wall_today(), start=morning_starts) if sample else None)
    return hub


class RecordingKiosk:
    """A KioskSync with a listener that records every change it is told about."""

    def __init__(self, broker: BrokerSettings, state_dir: Path, kiosk_id: str = "lobby-1") -> None:
        self.sync = KioskSync(site_settings(broker, state_dir / kiosk_id, kiosk_id))
        self.changes: list[SyncChange] = []
        self.sync.add_listener(self.changes.append)

    def start(self) -> RecordingKiosk:
        self.sync.start()
        return self

    def stop(self) -> None:
        self.sync.stop()

    def status(self, provider_id: str) -> m.ProviderStatus | None:
        return self.sync.call(lambda cache: cache.status(provider_id))

    def appointments(self) -> int:
        return self.sync.call(
            lambda cache: len(cache.appointments_for("martinez")) + len(cache.appointments_for("chen"))
        )

    def outbox_depth(self) -> int:
        """What the hub has not acknowledged yet (queued + sent)."""
        return self.sync.call(lambda _cache: self.sync.outbox.depth())

    def outbox_depths(self) -> OutboxDepth:
        return self.sync.call(lambda _cache: self.sync.outbox.depths())


def status_request(
    provider_id: str, state: str, delay: int = 0, kiosk_id: str = "cli"
) -> m.StatusChangeRequest:
    return m.StatusChangeRequest(
        key=uuid.uuid4().hex,
        kiosk_id=kiosk_id,
        provider_id=provider_id,
        state=state,  # type: ignore[arg-type]
        requested_by="front-desk-1",
        requested_at=SystemClock().now().isoformat(),
        delay_min=delay,
        reason="sick" if state == "out" else "",
    )


def checkin(appointment: m.Appointment, kiosk_id: str = "lobby-1", key: str | None = None) -> m.CheckIn:
    return m.CheckIn(
        key=key or uuid.uuid4().hex,
        kiosk_id=kiosk_id,
        appointment_id=appointment.id,
        provider_id=appointment.provider_id,
        arrived_at=SystemClock().now().isoformat(),
        method="dob",
    )


def not_over(day: list[m.Appointment], now: datetime | None = None) -> int:
    """How many of ``day``'s appointments have not ended yet (what "out today" affects)."""
    now = now or wall_now()
    return sum(1 for a in day if datetime.fromisoformat(a.start) + timedelta(minutes=a.duration_min) > now)


def morning_from_now(minutes_ago: int = 20) -> datetime:
    """A sample morning that started a little while ago, whatever the time (arrival windows open)."""
    return start_near(wall_now(), minutes_ago)
